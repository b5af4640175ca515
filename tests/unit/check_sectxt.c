/*
 * check_sectxt.c - RFC 9116 validation as a table of good and bad files:
 * each row lists exactly the error rules the file must break.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "harness/cb_time.h"
#include "harness/sectxt.h"
#include "harness/vdp_text.h"

#define URL "https://vendor.example/.well-known/security.txt"
#define OK_HEAD "Contact: mailto:security@vendor.example\n" \
		"Canonical: " URL "\nPolicy: https://vendor.example/vdp\n"
#define EXP_OK "Expires: 2027-03-01T00:00:00Z\n"

static const struct {
	const char *name, *text, *url, *ctype, *errors;
	int line; /* line of the first error, when it has one */
} rows[] = {
	{"valid", OK_HEAD EXP_OK, URL, "text/plain; charset=utf-8", "", 0},
	{"valid, CRLF and case-insensitive names",
	 "# comment\r\ncontact: tel:+44-20-0000-0000\r\nEXPIRES: "
	 "2027-03-01T12:00:00+01:00\r\nCanonical: " URL "\r\n",
	 URL, "text/plain; charset=utf-8", "", 0},
	{"no url or content type known", OK_HEAD EXP_OK, NULL, NULL, "", 0},
	{"unknown fields are only noted", OK_HEAD EXP_OK "X-Team: red\n", URL,
	 NULL, "", 0},
	{"no contact", "Canonical: " URL "\n" EXP_OK, URL, NULL,
	 "sectxt.contact.missing", 0},
	{"no expires", OK_HEAD, URL, NULL, "sectxt.expires.missing", 0},
	{"two expires", OK_HEAD EXP_OK EXP_OK, URL, NULL,
	 "sectxt.expires.multiple", 0},
	{"expired", OK_HEAD "Expires: 2026-01-01T00:00:00Z\n", URL, NULL,
	 "sectxt.expires.past", 4},
	{"more than a year ahead", OK_HEAD "Expires: 2028-01-01T00:00:00Z\n",
	 URL, NULL, "sectxt.expires.too-far", 4},
	{"date without time", OK_HEAD "Expires: 2027-03-01\n", URL, NULL,
	 "sectxt.expires.format", 4},
	{"impossible date", OK_HEAD "Expires: 2027-02-30T00:00:00Z\n", URL,
	 NULL, "sectxt.expires.format", 4},
	{"http contact", "Contact: http://vendor.example/report\n" EXP_OK, NULL,
	 NULL, "sectxt.contact.https", 1},
	{"contact not a URI", "Contact: security@vendor.example\n" EXP_OK, NULL,
	 NULL, "sectxt.contact.uri", 1},
	{"canonical elsewhere", OK_HEAD EXP_OK,
	 "https://other.example/.well-known/security.txt", NULL,
	 "sectxt.canonical.mismatch", 0},
	{"fetched over http",
	 "Contact: mailto:a@b.example\n" EXP_OK,
	 "http://vendor.example/.well-known/security.txt", NULL,
	 "sectxt.transport.https", 0},
	{"served as html", OK_HEAD EXP_OK, URL, "text/html",
	 "sectxt.content-type", 0},
	{"line that is no field", OK_HEAD EXP_OK "Contact mailto:x@y.example\n",
	 URL, NULL, "sectxt.syntax", 5},
	{"empty value", OK_HEAD EXP_OK "Hiring: \n", URL, NULL, "sectxt.syntax",
	 5},
	{"key inline", OK_HEAD EXP_OK "Encryption: -----BEGIN PGP PUBLIC KEY\n",
	 URL, NULL, "sectxt.encryption.inline-key", 5},
	{"http policy", "Contact: mailto:a@b.example\nPolicy: http://v/p\n" EXP_OK,
	 NULL, NULL, "sectxt.uri.https", 2},
	{"two language lines",
	 OK_HEAD EXP_OK "Preferred-Languages: en\nPreferred-Languages: de\n",
	 URL, NULL, "sectxt.preferred-languages.multiple", 0},
	{"bad language tag", OK_HEAD EXP_OK "Preferred-Languages: en, e n\n",
	 URL, NULL, "sectxt.preferred-languages.tag", 5},
	{"not UTF-8", "Contact: mailto:\xff@x\n" EXP_OK, NULL, NULL,
	 "sectxt.encoding", 0},
	{"signed, dash-escaped",
	 "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
	 "- --- a dash-escaped comment line\n# c\n" OK_HEAD EXP_OK
	 "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n",
	 URL, NULL, "sectxt.syntax", 4},
	{"signed, well formed",
	 "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" OK_HEAD EXP_OK
	 "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n",
	 URL, NULL, "", 0},
	{"signature block missing",
	 "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" OK_HEAD EXP_OK,
	 URL, NULL, "sectxt.signature.envelope,sectxt.syntax", 1},
	{"empty file", "", URL, NULL,
	 "sectxt.empty", 0},
};

START_TEST(each_file_breaks_exactly_its_rules)
{
	struct sectxt st;
	char got[256];
	size_t k, o = 0;
	int first_line = -1;
	time_t now;

	ck_assert_int_eq(cb_parse_rfc3339("2026-11-21T00:00:00Z", &now), 0);
	sectxt_validate(&st, rows[_i].text, strlen(rows[_i].text), rows[_i].url,
			rows[_i].ctype, now);
	got[0] = '\0';
	for (k = 0; k < st.nf; k++) {
		if (st.f[k].sev != SECTXT_ERROR)
			continue;
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s",
				      o ? "," : "", st.f[k].rule);
		if (first_line < 0)
			first_line = st.f[k].line;
	}
	ck_assert_msg(!strcmp(got, rows[_i].errors), "%s: got '%s', want '%s'",
		      rows[_i].name, got, rows[_i].errors);
	if (rows[_i].line)
		ck_assert_int_eq(first_line, rows[_i].line);
	sectxt_release(&st);
}
END_TEST

START_TEST(parsed_fields_are_kept)
{
	struct sectxt st;
	time_t now = 1795219200; /* 2026-11-21 */

	sectxt_validate(&st, OK_HEAD EXP_OK, strlen(OK_HEAD EXP_OK), URL, NULL,
			now);
	ck_assert_str_eq(json_string_value(json_array_get(st.contact, 0)),
			 "mailto:security@vendor.example");
	ck_assert_str_eq(json_string_value(json_array_get(st.policy, 0)),
			 "https://vendor.example/vdp");
	ck_assert_int_eq(st.expires, 1803859200); /* 2027-03-01 */
	ck_assert(sectxt_is_url(URL));
	ck_assert(sectxt_is_url("https://v/security.txt?x=1"));
	ck_assert(!sectxt_is_url("https://v/vdp.html"));
	sectxt_release(&st);
}
END_TEST

START_TEST(policy_text_yields_contact_and_timelines)
{
	static const char html[] =
		"<html><body><h1>Report a vulnerability</h1>"
		"<p>Write to <a href=\"mailto:psirt@v.example\">psirt@v.example"
		"</a>.</p><p>We will acknowledge receipt of your report within "
		"3 working days.</p><p>After that we keep you informed of our "
		"progress at least every 30 days until the issue is fixed.</p>"
		"<script>var acknowledge = 'within 1 day';</script></body></html>";
	struct vdp_findings f;
	char *text = vdp_plain_text(html, sizeof(html) - 1);

	vdp_scan(&f, text);
	ck_assert_str_eq(f.contact, "psirt@v.example");
	ck_assert_str_eq(f.ack, "We will acknowledge receipt of your report "
				"within 3 working days.");
	ck_assert_str_eq(f.status, "After that we keep you informed of our "
				   "progress at least every 30 days until the "
				   "issue is fixed.");
	free(text);
	vdp_scan(&f, "Send reports to security@v.example. We read them all.");
	ck_assert_str_eq(f.contact, "security@v.example");
	ck_assert_str_eq(f.ack, "");
	ck_assert_str_eq(f.status, "");
}
END_TEST

static Suite *sectxt_suite(void)
{
	Suite *s = suite_create("sectxt");
	TCase *tc = tcase_create("rfc9116");

	tcase_add_loop_test(tc, each_file_breaks_exactly_its_rules, 0,
			    sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, parsed_fields_are_kept);
	tcase_add_test(tc, policy_text_yields_contact_and_timelines);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sectxt_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
