/*
 * check_pwquality.c - test case 5.1-2-2's password analysis as a table:
 * each row gives the samples' passwords and exactly the findings
 * ("sample:rule", in order) they must produce.  The derived passwords were
 * computed outside certbench (openssl dgst -binary | xxd -p / base64), so
 * the table does not share the code it checks.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/pwquality.h"

/* The identifiers of the samples in most rows. */
#define SERIAL "VX2209A4471"
#define MAC "00:1A:2B:3C:4D:5E"
#define SSID "VistaCam_Setup"
#define MODEL "VX-220"

#define MIRAI_FILE "testcases/data/mirai-credentials.json"
#define COMMON_FILE "testcases/data/common-passwords.json"

struct row {
	const char *name;
	const char *pw[3];	/* samples s1, s2, s3; NULL ends */
	const char *findings;	/* "s1:pwq.length s1,s2:pwq.counter" */
	const char *says;	/* in some finding's text, or NULL */
};

/* Samples with SERIAL, MAC, SSID and MODEL, the default policy. */
static const struct row rows[] = {
	/* length, classes, entropy */
	{"short and low entropy", {"Ab1!x"}, "s1:pwq.length s1:pwq.entropy",
	 "5 characters, fewer than 8"},
	{"one class", {"zqxwvmtrplk"}, "s1:pwq.classes",
	 "uses 1 of the 4 character classes (lower), fewer than 2"},
	{"empty", {""},
	 "s1:pwq.length s1:pwq.classes s1:pwq.entropy s1:pwq.list.mirai "
	 "s1:pwq.list.common", "exact match"},

	/* the lists */
	{"mirai", {"xc3511"}, "s1:pwq.length s1:pwq.entropy s1:pwq.list.mirai",
	 "Mirai"},
	{"mirai, short one class", {"vizxv"},
	 "s1:pwq.length s1:pwq.classes s1:pwq.entropy s1:pwq.list.mirai",
	 "Mirai"},
	{"mirai, strong-looking", {"7ujMko0admin"}, "s1:pwq.list.mirai",
	 "Mirai"},
	{"mirai and common", {"123456"},
	 "s1:pwq.length s1:pwq.classes s1:pwq.entropy s1:pwq.list.mirai "
	 "s1:pwq.list.common", "exact match"},
	{"common, exact", {"iloveyou"},
	 "s1:pwq.classes s1:pwq.entropy s1:pwq.list.common", "exact match"},
	{"common, ignoring case", {"SunShine"}, "s1:pwq.list.common",
	 "case-insensitive"},

	/* serial number VX2209A4471 */
	{"serial as written", {"VX2209A4471"}, "s1:pwq.derived.serial.raw",
	 "equals the serial number as written"},
	{"serial lower case", {"vx2209a4471"}, "s1:pwq.derived.serial.raw",
	 "equals the serial number in lower case"},
	{"serial contained", {"VX2209A4471!x"}, "s1:pwq.derived.serial.raw",
	 "contains the serial number as written"},
	{"serial cut to a prefix", {"VX2209"},
	 "s1:pwq.length s1:pwq.entropy s1:pwq.derived.serial.raw",
	 "truncated to its first 6 characters (prefix)"},
	{"serial cut to a suffix", {"2209A4471"}, "s1:pwq.derived.serial.raw",
	 "truncated to its last 9 characters (suffix)"},
	{"serial last 4 contained", {"Admin#4471"},
	 "s1:pwq.derived.serial.last4",
	 "contains the last 4 characters of the serial number as written"},
	{"serial last 6", {"9A4471"},
	 "s1:pwq.length s1:pwq.entropy s1:pwq.derived.serial.last6",
	 "equals the last 6 characters of the serial number as written"},
	{"serial last 8 lower case", {"209a4471"},
	 "s1:pwq.derived.serial.last8", "last 8 characters of the serial "
	 "number in lower case"},
	{"serial md5 base64", {"+2mc5aFaduBQM8Ndg4u2UQ=="},
	 "s1:pwq.derived.serial.md5.base64",
	 "equals the MD5 of the serial number as written, as standard base64"},
	{"serial sha256 base64 unpadded",
	 {"D3gOvDzWLwtaVkhA8fsVN3VH2iUySXyYWIQSqI5u6iU"},
	 "s1:pwq.derived.serial.sha256.base64",
	 "as standard base64 without padding"},
	{"serial sha1 base64 cut to a suffix", {"CQ5qOXDEGo"},
	 "s1:pwq.derived.serial.sha1.base64",
	 "without padding, truncated to its last 10 characters (suffix)"},
	{"serial last 8 sha1 upper hex",
	 {"55CF2678CC15A80A1EC3A72BFF9B46DBE100ACCE"},
	 "s1:pwq.derived.serial.last8.sha1.hex",
	 "SHA-1 of the last 8 characters of the serial number as written, as "
	 "upper-case hex"},
	{"serial last 4 md5 hex cut to a prefix", {"0fd7e4f4"},
	 "s1:pwq.derived.serial.last4.md5.hex",
	 "lower-case hex, truncated to its first 8 characters (prefix)"},

	/* MAC address 00:1A:2B:3C:4D:5E */
	{"mac as written", {MAC}, "s1:pwq.derived.mac.raw",
	 "equals the MAC address as written"},
	{"mac lower case", {"00:1a:2b:3c:4d:5e"}, "s1:pwq.derived.mac.raw",
	 "equals the MAC address in lower case"},
	{"mac without separators", {"001a2b3c4d5e"}, "s1:pwq.derived.mac.nosep",
	 "the MAC address without separators in lower case"},
	{"mac without separators upper", {"001A2B3C4D5E"},
	 "s1:pwq.derived.mac.nosep",
	 "the MAC address without separators in upper case"},
	{"mac last 4 contained", {"Cam-4D5E-setup"}, "s1:pwq.derived.mac.last4",
	 "contains the last 4 hex digits of the MAC address in upper case"},
	{"mac last 6", {"3C4D5E"},
	 "s1:pwq.length s1:pwq.entropy s1:pwq.derived.mac.last6",
	 "equals the last 6 hex digits of the MAC address in upper case"},
	{"mac last 6 contained, not last 4", {"wifi3c4d5e!"},
	 "s1:pwq.derived.mac.last6", "contains the last 6 hex digits"},
	{"mac last 8", {"2b3c4d5e"}, "s1:pwq.derived.mac.last8",
	 "last 8 hex digits of the MAC address in lower case"},
	{"mac sha1 hex", {"7eea0b498f9cc0f7fc6b3eff0aab3fa973a5e491"},
	 "s1:pwq.derived.mac.sha1.hex",
	 "equals the SHA-1 of the MAC address as written, as lower-case hex"},
	{"mac sha256 upper hex cut to a suffix", {"B4672182"},
	 "s1:pwq.derived.mac.sha256.hex",
	 "upper-case hex, truncated to its last 8 characters (suffix)"},
	{"mac nosep md5 upper hex cut to a prefix", {"66EFB1A45C"},
	 "s1:pwq.derived.mac.nosep.md5.hex",
	 "MD5 of the MAC address without separators in lower case, as "
	 "upper-case hex, truncated to its first 10 characters (prefix)"},
	{"mac last 6 sha1 url-safe base64", {"VKRu_NqPg88UoM_BpL9moH6DDWo"},
	 "s1:pwq.derived.mac.last6.sha1.base64",
	 "as URL-safe base64 without padding"},
	{"mac last 4 sha256 base64",
	 {"D7bj+OBBQ2rhI20Abby7oc95ELu+Ql0icCE5pfiKwao="},
	 "s1:pwq.derived.mac.last4.sha256.base64",
	 "last 4 hex digits of the MAC address in lower case, as standard "
	 "base64"},
	{"mac last 8 md5 url-safe base64 padded",
	 {"X-g1EV33WmS9QNW-OKQThA=="}, "s1:pwq.derived.mac.last8.md5.base64",
	 "in upper case, as URL-safe base64"},

	/* SSID VistaCam_Setup */
	{"ssid as written", {"VistaCam_Setup"}, "s1:pwq.derived.ssid.raw",
	 "equals the SSID as written"},
	{"ssid contained", {"VistaCam_Setup2024"}, "s1:pwq.derived.ssid.raw",
	 "contains the SSID as written"},
	{"ssid md5 url-safe base64 padded", {"X0_4-e15wGIFldPJka568Q=="},
	 "s1:pwq.derived.ssid.md5.base64", "as URL-safe base64"},
	{"ssid lower case sha1 url-safe base64",
	 {"jXOZO_JfAVM2bqCB5SCDOwIcvZY"}, "s1:pwq.derived.ssid.sha1.base64",
	 "SHA-1 of the SSID in lower case, as URL-safe base64 without padding"},
	{"ssid upper case md5 hex", {"331c87bd3af4ecd24a2ad3fef54fdf35"},
	 "s1:pwq.derived.ssid.md5.hex", "MD5 of the SSID in upper case"},
	{"ssid sha256 hex cut to a prefix", {"c6d909f6"},
	 "s1:pwq.derived.ssid.sha256.hex", "first 8 characters (prefix)"},

	/* model name VX-220 */
	{"model lower case", {"vx-220"},
	 "s1:pwq.length s1:pwq.entropy s1:pwq.derived.model.raw",
	 "equals the model name in lower case"},
	{"model contained", {"VX-220admin"}, "s1:pwq.derived.model.raw",
	 "contains the model name as written"},
	{"model sha256 hex cut to a prefix", {"e04c09b3"},
	 "s1:pwq.derived.model.sha256.hex", "(prefix)"},
	{"model sha1 upper hex", {"507160C6735F16F538C5573AE2B203409D0FF5DB"},
	 "s1:pwq.derived.model.sha1.hex", "as upper-case hex"},
	{"model lower case md5 url-safe base64", {"rdLXxiwLePz_QRErQLlXUA"},
	 "s1:pwq.derived.model.md5.base64",
	 "MD5 of the model name in lower case, as URL-safe base64 without "
	 "padding"},

	/* one finding per identifier, several identifiers */
	{"serial and mac", {"VX2209A4471-3c4d5e"},
	 "s1:pwq.derived.serial.raw s1:pwq.derived.mac.last6", NULL},

	/* counters across samples */
	{"counter", {"pass0001", "pass0002"}, "s1,s2:pwq.counter",
	 "passwords of 2 samples are the same but for one number field"},
	{"counter in the middle", {"Cam-17-x", "Cam-18-x"}, "s1,s2:pwq.counter",
	 NULL},
	{"hex counter", {"dev-0a3f-Key!", "dev-0a4c-Key!"}, "s1,s2:pwq.counter",
	 NULL},
	{"counter growing a digit", {"Unit9-Zq!x", "Unit10-Zq!x"},
	 "s1,s2:pwq.counter", NULL},
	{"counter with an outlier", {"pass0001", "pass0900", "pass0002"},
	 "s1,s3:pwq.counter", NULL},
	{"three in a row", {"pass0001", "pass0003", "pass0002"},
	 "s1,s2,s3:pwq.counter", "passwords of 3 samples"},

	/* nothing to find */
	{"strong", {"Tq7-vW2m-9KxR"}, "", NULL},
	{"strong too", {"hB4p-Zs8n-Lw3E"}, "", NULL},
	{"two strong", {"Tq7-vW2m-9KxR", "hB4p-Zs8n-Lw3E"}, "", NULL},
	{"3 characters of the mac", {"Qz7!d5eR-wP2x"}, "", NULL},
	{"3 characters of the serial", {"Mk8#471-ZpQw"}, "", NULL},
	{"5 characters of a hash", {"7eea0"}, "s1:pwq.length s1:pwq.entropy",
	 NULL},
	{"hash prefix plus more", {"7eea0b49-Tq7W"}, "", NULL},
	{"counter too far apart", {"Cam0001xQ!", "Cam0500xQ!"}, "", NULL},
	{"two numbers differ", {"A01-b01!Zz", "A02-b02!Zz"}, "", NULL},
	{"same password twice", {"Same-Pass-42x", "Same-Pass-42x"}, "", NULL},
	{"same number, padded", {"Unit01-Zq!x", "Unit1-Zq!x"}, "", NULL},
};

/* Rows with other identifiers ("" for none) or another policy. */
static const struct {
	struct row r;
	const char *serial, *mac, *ssid, *model;
	struct pwq_policy pol;
} other_rows[] = {
	{{"stricter policy", {"Abcdefgh12"}, "s1:pwq.length s1:pwq.entropy",
	  "about 59 bits (10 characters from a pool of 62), below 60"},
	 SERIAL, MAC, SSID, MODEL, {12, 3, 60}},
	{{"UTF-8 counts characters", {"\xc3\xa9t\xc3\xa9-2024"},
	  "s1:pwq.length", "password has 8 characters, fewer than 12"},
	 SERIAL, MAC, SSID, MODEL, {12, 2, 40}},
	{{"mac with dashes", {"a1b2c3d4e5f6"}, "s1:pwq.derived.mac.nosep",
	  "without separators in lower case"},
	 SERIAL, "A1-B2-C3-D4-E5-F6", SSID, MODEL, {8, 2, 40}},
	{{"mac with dots, last 6", {"d4e5f6"},
	  "s1:pwq.length s1:pwq.entropy s1:pwq.derived.mac.last6",
	  "last 6 hex digits of the MAC address in lower case"},
	 SERIAL, "a1b2.c3d4.e5f6", SSID, MODEL, {8, 2, 40}},
	{{"strong, no identifiers", {"Tq7-vW2m-9KxR"}, "", NULL}, "", "", "",
	 "", {8, 2, 40}},
	{{"model too short to be contained", {"Tq7X1-vW2m-9KxR"}, "", NULL},
	 SERIAL, MAC, SSID, "X1", {8, 2, 40}},
	{{"mac not a mac", {"Tq7-vW2m-9KxR"}, "", NULL}, SERIAL, "not-a-mac",
	 SSID, MODEL, {8, 2, 40}},
};

static json_t *mirai, *common;

static void lists_setup(void)
{
	json_error_t jerr;

	mirai = json_load_file(MIRAI_FILE, 0, &jerr);
	ck_assert_msg(mirai != NULL, "%s: %s", MIRAI_FILE, jerr.text);
	common = json_load_file(COMMON_FILE, 0, &jerr);
	ck_assert_msg(common != NULL, "%s: %s", COMMON_FILE, jerr.text);
}

static void lists_teardown(void)
{
	json_decref(mirai);
	json_decref(common);
}

static void check_row(const struct row *r, const char *serial,
		      const char *mac, const char *ssid, const char *model,
		      const struct pwq_policy *pol)
{
	static const char *const ids[] = {"s1", "s2", "s3"};
	struct pwq_sample s[3];
	struct pwq_lists lists = {mirai, common};
	struct pwq_finding *f;
	struct cb_error err = {0};
	char got[512];
	size_t n, nf, k, j, o = 0;
	int said = 0;

	for (n = 0; n < 3 && r->pw[n]; n++) {
		s[n].id = ids[n];
		s[n].password = r->pw[n];
		s[n].serial = serial;
		s[n].mac = mac;
		s[n].ssid = ssid;
		s[n].model = model;
	}
	ck_assert_int_eq(pwq_check(s, n, pol, &lists, &f, &nf, &err), CB_OK);
	got[0] = '\0';
	for (k = 0; k < nf; k++) {
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s:%s",
				      o ? " " : "", f[k].sample, f[k].rule);
		said = said || (r->says && strstr(f[k].text, r->says));
		/* No text gives a password away. */
		for (j = 0; j < n; j++)
			if (strlen(s[j].password) >= 4)
				ck_assert_msg(!strstr(f[k].text, s[j].password),
					      "%s: '%s' shows the password",
					      r->name, f[k].text);
	}
	ck_assert_msg(!strcmp(got, r->findings), "%s: got '%s', want '%s'",
		      r->name, got, r->findings);
	ck_assert_msg(!r->says || said, "%s: no text says '%s' (last: '%s')",
		      r->name, r->says, nf ? f[nf - 1].text : "");
	free(f);
}

START_TEST(each_row_gives_exactly_its_findings)
{
	check_row(&rows[_i], SERIAL, MAC, SSID, MODEL, NULL);
}
END_TEST

START_TEST(other_identifiers_and_policies)
{
	check_row(&other_rows[_i].r, other_rows[_i].serial, other_rows[_i].mac,
		  other_rows[_i].ssid, other_rows[_i].model,
		  &other_rows[_i].pol);
}
END_TEST

START_TEST(texts_are_whole_sentences)
{
	struct pwq_sample s = {"s1", "66EFB1A45C", SERIAL, MAC, SSID, MODEL};
	struct pwq_lists lists = {mirai, common};
	struct pwq_finding *f;
	size_t nf;

	ck_assert_int_eq(pwq_check(&s, 1, NULL, &lists, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 1);
	ck_assert_str_eq(f[0].sample, "s1");
	ck_assert_str_eq(f[0].text,
			 "password is the MD5 of the MAC address without "
			 "separators in lower case, as upper-case hex, "
			 "truncated to its first 10 characters (prefix)");
	free(f);
	s.password = "Ab1!x";
	ck_assert_int_eq(pwq_check(&s, 1, NULL, NULL, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 2);
	ck_assert_str_eq(f[0].text, "password has 5 characters, fewer than 8");
	ck_assert_str_eq(f[1].text, "password has about 32 bits (5 characters "
				    "from a pool of 95), below 40");
	free(f);
}
END_TEST

START_TEST(long_counter_groups_are_cut)
{
	struct pwq_sample s[20];
	struct pwq_finding *f;
	char ids[20][16], pws[20][16];
	size_t nf, k;

	for (k = 0; k < 20; k++) {
		snprintf(ids[k], sizeof(ids[k]), "unit-%02zu", k);
		snprintf(pws[k], sizeof(pws[k]), "pass%04zu", 7 * k);
		s[k] = (struct pwq_sample){ids[k], pws[k], NULL, NULL, NULL,
					   NULL};
	}
	ck_assert_int_eq(pwq_check(s, 20, NULL, NULL, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 1);
	ck_assert_str_eq(f[0].rule, "pwq.counter");
	ck_assert_uint_eq(strlen(f[0].sample), sizeof(f[0].sample) - 1);
	ck_assert(!strncmp(f[0].sample, "unit-00,unit-01,", 16));
	ck_assert_str_eq(f[0].sample + sizeof(f[0].sample) - 4, "...");
	ck_assert(strstr(f[0].text, "passwords of 20 samples"));
	free(f);
}
END_TEST

START_TEST(default_policy)
{
	struct pwq_policy p;

	pwq_policy_default(&p);
	ck_assert_int_eq(p.min_length, 8);
	ck_assert_int_eq(p.min_classes, 2);
	ck_assert_int_eq(p.min_entropy_bits, 40);
}
END_TEST

START_TEST(without_lists_or_password)
{
	struct pwq_sample s[2] = {{"s1", "123456", NULL, NULL, NULL, NULL},
				  {"s2", NULL, SERIAL, MAC, SSID, MODEL}};
	struct pwq_finding *f = (void *)1;
	size_t nf = 1, k;

	/* No lists: only the rules that need none. */
	ck_assert_int_eq(pwq_check(s, 2, NULL, NULL, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 3);
	for (k = 0; k < nf; k++) {
		ck_assert_str_eq(f[k].sample, "s1");
		ck_assert(strncmp(f[k].rule, "pwq.list.", 9));
	}
	free(f);
	/* A sample without a password joins no counter. */
	s[0].password = "pass0001";
	s[1].password = NULL;
	ck_assert_int_eq(pwq_check(s, 2, NULL, NULL, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 0);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(pwq_check(NULL, 0, NULL, NULL, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 0);
	ck_assert_ptr_null(f);
}
END_TEST

START_TEST(misshapen_list_is_an_error)
{
	struct pwq_sample s = {"s1", "Tq7-vW2m-9KxR", NULL, NULL, NULL, NULL};
	json_t *bad = json_pack("{s:[s,i]}", "passwords", "x", 1);
	json_t *nokey = json_pack("{s:[]}", "creds");
	struct pwq_lists lists = {NULL, bad};
	struct pwq_finding *f = (void *)1;
	struct cb_error err = {0};
	size_t nf = 1;

	ck_assert_int_eq(pwq_check(&s, 1, NULL, &lists, &f, &nf, &err),
			 CB_EINVAL);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(nf, 0);
	ck_assert_str_eq(err.text, "common-password list: entry 1 has no "
				   "password string");
	cb_error_clear(&err);
	lists.common = NULL;
	lists.mirai = nokey;
	ck_assert_int_eq(pwq_check(&s, 1, NULL, &lists, &f, &nf, &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, "Mirai list has no 'credentials' array");
	json_decref(bad);
	json_decref(nokey);
}
END_TEST

START_TEST(work_is_bounded)
{
	char serial[PWQ_IDENT_MAX + 2], pw[2 * PWQ_PASSWORD_MAX];
	struct pwq_sample s = {"s1", pw, serial, NULL, NULL, NULL};
	struct pwq_finding *f;
	size_t nf;

	/* A password holding the whole serial: found while the serial fits
	 * PWQ_IDENT_MAX, ignored beyond. */
	memset(serial, 'Q', PWQ_IDENT_MAX);
	serial[PWQ_IDENT_MAX] = '\0';
	snprintf(pw, sizeof(pw), "%s-1a", serial);
	ck_assert_int_eq(pwq_check(&s, 1, NULL, NULL, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 1);
	ck_assert_str_eq(f[0].rule, "pwq.derived.serial.raw");
	free(f);
	serial[PWQ_IDENT_MAX] = 'Q';
	serial[PWQ_IDENT_MAX + 1] = '\0';
	snprintf(pw, sizeof(pw), "%s-1a", serial);
	ck_assert_int_eq(pwq_check(&s, 1, NULL, NULL, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 0);
	/* Only the first PWQ_PASSWORD_MAX bytes of a password count. */
	memset(pw, 'x', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	memcpy(pw + PWQ_PASSWORD_MAX, "-1A", 3);
	serial[0] = '\0';
	ck_assert_int_eq(pwq_check(&s, 1, NULL, NULL, &f, &nf, NULL), CB_OK);
	ck_assert_uint_eq(nf, 1);
	ck_assert_str_eq(f[0].rule, "pwq.classes");
	free(f);
}
END_TEST

static Suite *pwquality_suite(void)
{
	Suite *s = suite_create("pwquality");
	TCase *tc = tcase_create("5.1-2-2");

	tcase_add_checked_fixture(tc, lists_setup, lists_teardown);
	tcase_add_loop_test(tc, each_row_gives_exactly_its_findings, 0,
			    sizeof(rows) / sizeof(rows[0]));
	tcase_add_loop_test(tc, other_identifiers_and_policies, 0,
			    sizeof(other_rows) / sizeof(other_rows[0]));
	tcase_add_test(tc, texts_are_whole_sentences);
	tcase_add_test(tc, long_counter_groups_are_cut);
	tcase_add_test(tc, default_policy);
	tcase_add_test(tc, without_lists_or_password);
	tcase_add_test(tc, misshapen_list_is_an_error);
	tcase_add_test(tc, work_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pwquality_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
