/*
 * check_disclose.c - the disclosure detectors (disclose) as a table: each
 * row is a text and exactly the findings it must give, "kind:excerpt"
 * joined by " | ", with the generic table from testcases/data and the
 * literals of a product and sample shaped like simcam-secure.json.  Then
 * the MAC in every spelling, the tester's own address, masking, window
 * edges, NUL bytes, bad tables and 1 MiB inputs that must stay fast.
 * The unit tests run from the top folder.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/cb_json.h"
#include "harness/cb_time.h"
#include "harness/disclose.h"

#define TABLE_FILE   "testcases/data/disclosure.json"
#define PROFILE_FILE "fixtures/profiles/simcam-secure.json"
#define MAXF	     64

static const char product_json[] =
	"{\"id\": \"simcam2\", \"name\": \"SimCam 2\", "
	"\"manufacturer\": \"Simulated Devices Ltd\", \"model\": \"SimCam 2\", "
	"\"hardware_version\": \"rev B\", \"firmware_version\": \"1.4.2\"}";
static const char sample_json[] =
	"{\"id\": \"s1\", \"serial\": \"SD2-000101\", "
	"\"mac\": \"02:5d:00:00:01:01\"}";

static struct cb_json_doc table;
static struct disclose det;

static void setup(void)
{
	struct cb_error err = {0};
	json_t *product, *sample;

	ck_assert_msg(cb_json_load(&table, TABLE_FILE, &err) == CB_OK, "%s",
		      err.text);
	disclose_init(&det);
	ck_assert_msg(disclose_load_json(&det, table.root, &err) == CB_OK,
		      "%s", err.text);
	product = json_loads(product_json, 0, NULL);
	sample = json_loads(sample_json, 0, NULL);
	ck_assert_int_eq(disclose_add_profile(&det, product, sample, &err),
			 CB_OK);
	ck_assert_int_eq(disclose_add_own(&det, "192.168.1.50", &err), CB_OK);
	json_decref(product);
	json_decref(sample);
}

static void teardown(void)
{
	disclose_release(&det);
	cb_json_release(&table);
}

/* "kind:excerpt | kind:excerpt" for what d finds in text[0..n). */
static void found(const struct disclose *d, const char *text, size_t n,
		  char *out, size_t len)
{
	struct disclose_finding f[MAXF];
	struct cb_error err = {0};
	size_t total, k, o = 0;

	ck_assert_int_eq(disclose_scan(d, text, n, f, MAXF, &total, &err),
			 CB_OK);
	ck_assert_uint_le(total, MAXF);
	out[0] = '\0';
	for (k = 0; k < total; k++)
		o += (size_t)snprintf(out + o, len - o, "%s%s:%s",
				      k ? " | " : "",
				      disclose_kind_name(f[k].kind),
				      f[k].excerpt);
}

static const struct row {
	const char *text, *want;
} rows[] = {
	/* A secure device's answers: only its documented identity. */
	{"{\"model\":\"SimCam 2\",\"firmware_version\":\"1.4.2\","
	 "\"hardware_version\":\"rev B\"}",
	 "model:SimCam 2 | firmware_version:1.4.2 | hardware_version:rev B"},
	{"{\"status\":\"ok\"}", ""},
	{"{\"error\":\"not found\"}", ""},
	{"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	 "Content-Length: 72\r\nDate: Tue, 10 Jun 2025 12:34:56 GMT\r\n"
	 "Cache-Control: no-store\r\n\r\n",
	 ""},
	{"HTTP/2 404\r\ncontent-type: text/html; charset=utf-8\r\n", ""},
	{"WWW-Authenticate: Digest realm=\"simdut\", qop=\"auth\", "
	 "algorithm=MD5, nonce=\"8a6f0c1d2e3f40516273849a0b1c2d3e\", "
	 "opaque=\"0f1e2d3c4b5a69788796a5b4c3d2e1f0\"",
	 ""},
	{"Contact: mailto:security@simdut.example\nExpires: "
	 "2026-12-31T23:59:59Z\nCanonical: https://192.0.2.10/.well-known/"
	 "security.txt\nPreferred-Languages: en\n",
	 ""},
	{"<form><input type=\"password\" name=\"password\" value=\"\">"
	 "<input name=\"csrf_token\" value=\"x\"></form>",
	 ""},
	{"Security updates for the SimCam 2 are provided until 31 December "
	 "2030.",
	 "model:SimCam 2"},
	{"{\"result\":\"ok\",\"token\":\"not-a-hex-value\"}", ""},
	{"GET /api/v1.2/items/3.4.5 HTTP/1.1", ""},
	{"{\"api_version\":\"1.0\",\"schema_version\":\"2.1\"}", ""},

	/* Precedence: a profile literal wins over the version pattern. */
	{"{\"version\":\"1.4.2\"}", "firmware_version:1.4.2"},
	{"{\"version\":\"2.0.1\"}", "software_version:2.0.1"},
	{"Server: SimDUT-httpd/1.4.2", "firmware_version:1.4.2"},
	{"{\"current_firmware_version\":\"1.5.0\"}",
	 "firmware_version:1.5.0"},
	{"{\"fw\":\"1.5.0\",\"hw_rev\":\"C2\"}",
	 "firmware_version:1.5.0 | hardware_version:C2"},
	{"firmware 1.5.0", "firmware_version:1.5.0"},
	{"hardware and software", ""},
	{"v1.4.2 and 11.4.2 and 1.4.2.7 and 1.4.20", "firmware_version:1.4.2"},
	{"SIMCAM 2 / simulated devices ltd / REV b",
	 "model:SIMCAM 2 | manufacturer:simulated devices ltd | "
	 "hardware_version:REV b"},
	{"SimCam 20 and SimCam 2x", ""},

	/* software_version */
	{"Server: SimDUT-httpd/2.4.1 (Linux 4.9.88; build 0x5f3a)",
	 "software_version:SimDUT-httpd/2.4.1 (Linux 4.9.88"},
	{"Server: lighttpd/1.4.59", "software_version:lighttpd/1.4.59"},
	{"Server: nginx/1.18.0 (Ubuntu)", "software_version:nginx/1.18.0"},
	{"Server: GoAhead-Webs", ""},
	{"BusyBox v1.31.1 (2020-03-09 15:46:41 CST) built-in shell (ash)",
	 "software_version:BusyBox v1.31.1"},
	{"U-Boot 2016.11-g1234 (Jan 01 2020 - 00:00:00 +0000)",
	 "software_version:U-Boot 2016.11-g1234"},
	{"OpenSSL 1.0.2k-fips  26 Jan 2017", "software_version:OpenSSL 1.0.2k"},
	{"SSH-2.0-OpenSSH_7.4p1 Debian-10", "software_version:OpenSSH_7.4p1"},
	{"SSH-2.0-dropbear_2019.78", "software_version:dropbear_2019.78"},
	{"{\"kernel\":\"4.9.88\"}", "software_version:kernel\":\"4.9.88"},
	{"Linux version 5.10.110-rt63 (builder@host)",
	 "software_version:Linux version 5.10.110-rt63"},
	{"{\"sdk_version\": \"3.2.1\"}", "software_version:3.2.1"},
	{"simdut debug service v0.3 (build 2024-05-01) ready\r\n# ",
	 "software_version:service v0.3"},
	{"Firmware v1.5.0, CVSS v3.1", "firmware_version:v1.5.0"},
	{"HTTP/1.1 200 OK", ""},
	{"RTSP/1.0 200 OK", ""},

	/* serial, mac */
	{"X-Serial: SD2-000101", "serial:SD2-000101"},
	{"serial sd2-000101.", "serial:sd2-000101"},
	{"{\"serial_number\":\"ABC123456\"}", "serial:ABC123456"},
	{"XSD2-000101 SD2-0001011", ""},
	{"{\"wifi_mac\":\"aa:bb:cc:dd:ee:ff\"}", "mac:aa:bb:cc:dd:ee:ff"},
	{"bssid AA-BB-CC-DD-EE-FF", "mac:AA-BB-CC-DD-EE-FF"},
	{"00:11:22:33:44:55:66 and 10:00:00", ""},

	/* internal_address */
	{"(kernel 4.9.88, 10.0.3.7)",
	 "software_version:kernel 4.9.88 | internal_address:10.0.3.7"},
	{"{\"internal_ip\":\"10.0.3.7\"}", "internal_address:10.0.3.7"},
	{"gw 172.16.0.1, dns 172.32.0.1, nas 192.168.178.20.",
	 "internal_address:172.16.0.1 | internal_address:192.168.178.20"},
	{"169.254.10.20 and 8.8.8.8 and 110.0.3.7 and 10.0.3.256",
	 "internal_address:169.254.10.20"},
	{"version 10.0.3.7.1", ""},
	{"peer fe80::1c2b:3aff:fe4d:5e6f%eth0 and fd12:3456:789a::1",
	 "internal_address:fe80::1c2b:3aff:fe4d:5e6f%eth0 | "
	 "internal_address:fd12:3456:789a::1"},
	{"2001:db8::1", ""},
	{"own address 192.168.1.50 and 192.168.1.51",
	 "internal_address:192.168.1.51"},

	/* hostname */
	{"Location: http://cam-7f3a.local/login",
	 "hostname:cam-7f3a.local"},
	{"build host: builder01.corp.internal.",
	 "hostname:builder01.corp.internal"},
	{"router.home.arpa", "hostname:router.home.arpa"},
	{"window.location.href and www.localhost.com and example.com", ""},

	/* key_material, masked */
	{"-----BEGIN RSA PRIVATE KEY-----\n"
	 "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n",
	 "key_material:-----BEGIN RSA PRIVATE KEY-----\\nMIIE***"},
	{"-----BEGIN PRIVATE KEY-----", "key_material:----***"},
	{"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n",
	 ""},
	{"{\"api_key\":\"0123456789abcdef0123456789abcdef\"}",
	 "key_material:api_key\":\"0123***"},
	{"cloud_secret=Zm9vYmFyYmF6cXV4cXV1eA==",
	 "key_material:cloud_secret=Zm9v***"},
	{"{\"public_key\":\"0123456789abcdef0123456789abcdef\"}", ""},
	{"{\"key\":\"short\"}", ""},

	/* credentials, masked */
	{"{\"password\":\"Tq7-vW2m-9KxR\"}",
	 "credentials:password\":\"Tq7-***"},
	{"Default login admin, password: admin",
	 "credentials:password: a***"},
	{"wifi_passphrase=correcthorse&x=1",
	 "credentials:wifi_passphrase=corr***"},
	{"{\"password\":\"\",\"password2\":null,\"pwd\":\"********\"}", ""},
	{"Password: ", ""},
};

START_TEST(each_text_gives_exactly_its_findings)
{
	const struct row *r = &rows[_i];
	char got[4096];

	found(&det, r->text, strlen(r->text), got, sizeof(got));
	ck_assert_msg(!strcmp(got, r->want), "text \"%s\"\n got: %s\nwant: %s",
		      r->text, got, r->want);
}
END_TEST

static const struct {
	const char *text;
	int hit;
} macs[] = {
	{"02:5d:00:00:01:01", 1},
	{"MAC=02:5D:00:00:01:01;", 1},
	{"02-5d-00-00-01-01", 1},
	{"(02-5D-00-00-01-01)", 1},
	{"025d.0000.0101", 1},
	{"025D.0000.0101.", 1},
	{"025d00000101", 1},
	{"\"025D00000101\"", 1},
	{"02:5d:00:00:01:02", 0},
	{"02:5d-00:00:01:01", 0},
	{"x025d00000101", 0},
	{"025d000001011", 0},
	{"02:5d:00:00:01:01:ff", 0},
	{"ff:02:5d:00:00:01:01", 0},
	{"025d.0000.0101.ab", 0},
	{"02:5d:00:00:01", 0},
};

/* The sample's MAC in every spelling (generic MAC table off). */
START_TEST(mac_every_format)
{
	struct disclose d;
	struct cb_error err = {0};
	char got[512], want[128];

	disclose_init(&d);
	ck_assert_int_eq(disclose_add_mac(&d, "02:5D:00:00:01:01", &err),
			 CB_OK);
	found(&d, macs[_i].text, strlen(macs[_i].text), got, sizeof(got));
	if (macs[_i].hit)
		ck_assert_msg(!strncmp(got, "mac:", 4) && !strchr(got, '|'),
			      "%s: %s", macs[_i].text, got);
	else
		ck_assert_msg(!got[0], "%s: %s", macs[_i].text, got);
	/* With the generic table too, one finding, from the profile. */
	if (macs[_i].hit) {
		struct disclose_finding f[4];
		size_t total;

		ck_assert_int_eq(disclose_scan(&det, macs[_i].text,
					       strlen(macs[_i].text), f, 4,
					       &total, &err),
				 CB_OK);
		ck_assert_uint_eq(total, 1);
		ck_assert_str_eq(f[0].detector, "profile.mac");
		snprintf(want, sizeof(want), "%s", f[0].excerpt);
		ck_assert_ptr_nonnull(strstr(macs[_i].text, want));
	}
	disclose_release(&d);
	ck_assert_int_ne(disclose_add_mac(&d, "02:5d:00:00:01", &err), CB_OK);
	ck_assert_ptr_nonnull(strstr(err.text, "xx:xx:xx:xx:xx:xx"));
}
END_TEST

START_TEST(own_address_is_no_leak)
{
	struct cb_error err = {0};
	char got[512];

	found(&det, "https://192.168.1.50:8443/", 26, got, sizeof(got));
	ck_assert_str_eq(got, "");
	ck_assert_int_eq(disclose_add_own(&det, "cam.local", &err), CB_OK);
	found(&det, "Host: CAM.local, other: nas.local", 33, got, sizeof(got));
	ck_assert_str_eq(got, "hostname:nas.local");
	/* Only addresses and names: an own "serial" is still a serial. */
	ck_assert_int_eq(disclose_add_own(&det, "SD2-000101", &err), CB_OK);
	found(&det, "SD2-000101", 10, got, sizeof(got));
	ck_assert_str_eq(got, "serial:SD2-000101");
}
END_TEST

START_TEST(offsets_nul_and_window_edges)
{
	struct disclose_finding f[8];
	struct cb_error err = {0};
	size_t total, at[] = {0, 4090, 4091, 4095, 4096, 8190, 12283};
	char *buf = malloc(16384);
	size_t k, len = 12300;

	ck_assert_ptr_nonnull(buf);
	for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		memset(buf, ' ', len);
		buf[100] = '\0';	/* a NUL before it changes nothing */
		memcpy(buf + at[k], "10.0.3.7", 8);
		ck_assert_int_eq(disclose_scan(&det, buf, len, f, 8, &total,
					       &err),
				 CB_OK);
		ck_assert_msg(total == 1, "at %zu: %zu findings", at[k],
			      total);
		ck_assert_uint_eq(f[0].offset, at[k]);
		ck_assert_uint_eq(f[0].len, 8);
		ck_assert_str_eq(f[0].detector, "net.ipv4_private");
	}
	/* A serial after a NUL byte, and the NUL in an excerpt escaped. */
	memcpy(buf, "x\0serial: SD2-000101\0", 21);
	ck_assert_int_eq(disclose_scan(&det, buf, 21, f, 8, &total, &err),
			 CB_OK);
	ck_assert_uint_eq(total, 1);
	ck_assert_uint_eq(f[0].offset, 10);
	ck_assert(f[0].from_profile);
	free(buf);
}
END_TEST

START_TEST(secrets_never_in_clear)
{
	static const char *const texts[] = {
		"{\"password\":\"Tq7-vW2m-9KxR\"}",
		"password=hunter2",
		"pass: 1234",
		"{\"token\":\"deadbeefcafebabe0123456789\"}",
		"-----BEGIN EC PRIVATE KEY-----\r\nMHcCAQEEIB2l7Jx0kQ\r\n",
	};
	static const char *const secret[] = {"vW2m", "ter2", "234",
					     "beefcafe", "AQEEIB"};
	struct disclose_finding f[4];
	struct cb_error err = {0};
	size_t total, k;

	for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		ck_assert_int_eq(disclose_scan(&det, texts[k],
					       strlen(texts[k]), f, 4, &total,
					       &err),
				 CB_OK);
		ck_assert_msg(total == 1, "%s", texts[k]);
		ck_assert(disclose_kind_secret(f[0].kind));
		ck_assert_msg(!strstr(f[0].excerpt, secret[k]),
			      "%s shows \"%s\"", f[0].excerpt, secret[k]);
		ck_assert_ptr_nonnull(strstr(f[0].excerpt, "***"));
	}
}
END_TEST

START_TEST(excerpts_are_escaped_and_short)
{
	struct disclose_finding f[4];
	struct cb_error err = {0};
	char text[400];
	size_t total;

	snprintf(text, sizeof(text), "{\"model\":\"%s\"}",
		 "A\tB\x01" "0123456789012345678901234567890123456789012345678"
		 "90123");
	ck_assert_int_eq(disclose_scan(&det, text, strlen(text), f, 4,
				       &total, &err),
			 CB_OK);
	ck_assert_uint_eq(total, 1);
	ck_assert_uint_le(strlen(f[0].excerpt), 83);
	ck_assert_ptr_nonnull(strstr(f[0].excerpt, "A\\tB\\x01"));
	ck_assert_ptr_null(strchr(f[0].excerpt, '\t'));
}
END_TEST

START_TEST(only_max_findings_are_written)
{
	struct disclose_finding f[2];
	struct cb_error err = {0};
	const char *t = "10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4";
	size_t total;

	ck_assert_int_eq(disclose_scan(&det, t, strlen(t), f, 2, &total,
				       &err),
			 CB_OK);
	ck_assert_uint_eq(total, 4);
	ck_assert_str_eq(f[1].excerpt, "10.0.0.2");
	ck_assert_int_eq(disclose_scan(&det, t, strlen(t), NULL, 0, &total,
				       &err),
			 CB_OK);
	ck_assert_uint_eq(total, 4);
}
END_TEST

/* 1 MiB of hostile input: every scan ends quickly and bounded. */
START_TEST(bounded_on_one_mebibyte)
{
	static const char *const fills[] = {
		"a", "1", "1.", "10.0.0.1 ", "password=x ", "a/1.2.3 ",
		"-", "SD2-000101", "02:5d:00:00:01:01 ", "fe80:", ":",
		"\"version\":\"1.2.3\",", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.",
	};
	const size_t len = 1 << 20;
	struct disclose_finding f[MAXF];
	struct cb_error err = {0};
	char *buf = malloc(len);
	size_t k, o, n, total;
	int64_t t0, ms, worst = 0;

	ck_assert_ptr_nonnull(buf);
	for (k = 0; k <= sizeof(fills) / sizeof(fills[0]); k++) {
		if (k < sizeof(fills) / sizeof(fills[0])) {
			n = strlen(fills[k]);
			for (o = 0; o < len; o++)
				buf[o] = fills[k][o % n];
		} else {
			srand(7);
			for (o = 0; o < len; o++)
				buf[o] = (char)(rand() & 0xff);
		}
		t0 = cb_now_ms();
		ck_assert_int_eq(disclose_scan(&det, buf, len, f, MAXF,
					       &total, &err),
				 CB_OK);
		ms = cb_now_ms() - t0;
		if (ms > worst)
			worst = ms;
		ck_assert_uint_le(total, (det.nrule + det.nlit + 1) *
						 DISCLOSE_HITS_MAX);
		ck_assert_msg(ms < 5000, "fill %zu took %lld ms", k,
			      (long long)ms);
	}
	fprintf(stderr, "disclose: worst 1 MiB scan %lld ms\n",
		(long long)worst);
	free(buf);
}
END_TEST

static const struct {
	const char *json, *error;
} bad[] = {
	{"{\"detectors\": []}", "non-empty 'detectors'"},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"model\", \"what\": "
	 "\"x\", \"regex\": \"a+\"}]}",
	 "detector 'a': 'regex' has an unbounded repetition"},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"model\", \"what\": "
	 "\"x\", \"regex\": \"[+*]x.*\"}]}",
	 "detector 'a': 'regex' has an unbounded repetition"},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"model\", \"what\": "
	 "\"x\", \"regex\": \"a{2,}\"}]}",
	 "detector 'a': 'regex' has an open bound"},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"model\", \"what\": "
	 "\"x\", \"regex\": \"a\", \"except\": \"b*\"}]}",
	 "detector 'a': 'except' has an unbounded repetition"},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"model\", \"what\": "
	 "\"x\", \"regex\": \"(a\"}]}",
	 "detector 'a': 'regex': "},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"version\", \"what\": "
	 "\"x\", \"regex\": \"a\"}]}",
	 "detector 'a': 'kind' must name a kind"},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"model\", \"what\": "
	 "\"x\", \"regex\": \"(a)\", \"group\": 2}]}",
	 "detector 'a': the regex has 1 groups, 'group' says 2"},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"model\", \"what\": "
	 "\"x\", \"regex\": \"a\", \"flags\": \"i\"}]}",
	 "detector 'a': unknown key 'flags'"},
	{"{\"detectors\": [{\"id\": \"a\", \"kind\": \"model\", \"what\": "
	 "\"x\", \"regex\": \"a\"}, {\"id\": \"a\", \"kind\": \"mac\", "
	 "\"what\": \"x\", \"regex\": \"b\"}]}",
	 "detector 'a': duplicate id"},
	{"{\"detectors\": [{\"kind\": \"model\", \"regex\": \"a\"}]}",
	 "detector 0: 'id' must be a string"},
};

START_TEST(bad_tables_name_the_detector)
{
	struct disclose d;
	struct cb_error err = {0};
	json_t *j = json_loads(bad[_i].json, 0, NULL);

	ck_assert_ptr_nonnull(j);
	disclose_init(&d);
	ck_assert_int_eq(disclose_load_json(&d, j, &err), CB_EINVAL);
	ck_assert_msg(strstr(err.text, bad[_i].error),
		      "got \"%s\", want \"%s\"", err.text, bad[_i].error);
	disclose_release(&d);
	json_decref(j);
}
END_TEST

START_TEST(kinds_and_the_shipped_profile)
{
	struct cb_json_doc p;
	struct disclose d;
	struct cb_error err = {0};
	json_t *s;
	char text[256];
	int k;

	for (k = 0; k < DK_NKINDS; k++)
		ck_assert_int_eq(disclose_kind_parse(disclose_kind_name(
					 (enum disclose_kind)k)),
				 k);
	ck_assert_int_eq(disclose_kind_parse("version"), -1);
	ck_assert_ptr_null(disclose_kind_name(DK_NKINDS));
	disclose_kinds_text(1u << DK_MODEL | 1u << DK_FIRMWARE_VERSION |
				    1u << DK_CREDENTIALS,
			    text, sizeof(text));
	ck_assert_str_eq(text, "model, firmware_version, credentials");
	disclose_kinds_text(0, text, sizeof(text));
	ck_assert_str_eq(text, "");

	/* The literals the shipped secure profile gives sample s1. */
	ck_assert_msg(cb_json_load(&p, PROFILE_FILE, &err) == CB_OK, "%s",
		      err.text);
	s = json_array_get(json_object_get(p.root, "samples"), 0);
	disclose_init(&d);
	ck_assert_int_eq(disclose_add_profile(&d, json_object_get(p.root,
								  "product"),
					      s, &err),
			 CB_OK);
	ck_assert_uint_eq(d.nlit, 5);
	ck_assert(d.have_mac);
	found(&d, "SimCam 2 1.4.2 rev B SD2-000101 025d00000101 "
		  "Simulated Devices Ltd", 66, text, sizeof(text));
	ck_assert_str_eq(text, "model:SimCam 2 | firmware_version:1.4.2 | "
			       "hardware_version:rev B | serial:SD2-000101 | "
			       "mac:025d00000101 | manufacturer:Simulated "
			       "Devices Ltd");
	disclose_release(&d);
	disclose_release(&d);	/* twice is fine */
	cb_json_release(&p);
}
END_TEST

static Suite *disclose_suite(void)
{
	Suite *s = suite_create("disclose");
	TCase *tc = tcase_create("detectors");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, each_text_gives_exactly_its_findings, 0,
			    sizeof(rows) / sizeof(rows[0]));
	tcase_add_loop_test(tc, mac_every_format, 0,
			    sizeof(macs) / sizeof(macs[0]));
	tcase_add_test(tc, own_address_is_no_leak);
	tcase_add_test(tc, offsets_nul_and_window_edges);
	tcase_add_test(tc, secrets_never_in_clear);
	tcase_add_test(tc, excerpts_are_escaped_and_short);
	tcase_add_test(tc, only_max_findings_are_written);
	tcase_add_test(tc, bounded_on_one_mebibyte);
	tcase_add_loop_test(tc, bad_tables_name_the_detector, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, kinds_and_the_shipped_profile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(disclose_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
