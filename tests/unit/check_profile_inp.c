/*
 * check_profile_inp.c - the IXIT 29-InpVal checker (profile_inp.c) as a
 * table: an IXIT object and the exact "file:line:column: message" it must
 * give, the position being where a marker string starts in the text.
 * Then the broken profiles staged for fixtures/bad/profiles/, each against
 * its .expected-error, wherever they are found.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cb_json.h"
#include "harness/profile.h"

/* A good input; rows replace "@" with their own members. */
#define GOOD                                                                \
	"\"id\": \"config\", \"source\": \"api\", \"method\": \"POST\", "   \
	"\"path\": \"/api/config\", \"auth\": \"basic\", "                  \
	"\"content_type\": \"application/json\", "                          \
	"\"example\": {\"ntp\": \"pool.ntp.org\", \"wifi_ssid\": "          \
	"\"SimDUT-Setup\", \"remote_access\": false}, "                     \
	"\"fields\": {\"ntp\": {\"type\": \"string\", \"min_length\": 1, "  \
	"\"max_length\": 128}, \"wifi_ssid\": {\"type\": \"string\", "      \
	"\"min_length\": 1, \"max_length\": 32, \"pattern\": "             \
	"\"^[ -~]+$\"}, \"remote_access\": {\"type\": \"boolean\"}}, "      \
	"\"reject_status\": [400], \"health\": \"/api/health\""

struct row {
	const char *ixit;	/* the IXIT object */
	const char *at;		/* where the error points (first match) */
	const char *msg;	/* NULL: no error */
};

static const struct row rows[] = {
	{"{\"29-InpVal\": [{" GOOD "}]}", NULL, NULL},
	{"{\"29-InpVal\": [{\"id\": \"a\", \"source\": \"network\", "
	 "\"method\": \"PUT\", \"path\": \"/x\", \"example\": {}}]}",
	 NULL, NULL},
	{"{\"29-InpVal\": [{\"id\": \"n\", \"source\": \"api\", \"method\": "
	 "\"PATCH\", \"path\": \"/n\", \"example\": {\"n\": 5, \"r\": 0.5}, "
	 "\"fields\": {\"n\": {\"type\": \"integer\", \"min\": 0, \"max\": "
	 "10}, \"r\": {\"type\": \"number\", \"min\": 0, \"max\": 1.5}, "
	 "\"extra\": {\"type\": \"boolean\"}}}]}",
	 NULL, NULL},
	{"{\"29-InpVal\": {\"id\": \"config\"}}", "{\"id\"",
	 "29-InpVal must be a list of inputs"},
	{"{\"29-InpVal\": [\"config\"]}", "\"config\"",
	 "an input must be an object"},
	{"{\"29-InpVal\": [{" GOOD ", \"feilds\": {}}]}", "\"feilds\"",
	 "unknown key 'feilds' in input"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\"}]}",
	 "{\"id\"", "input lacks required key 'example'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"cloud\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}}]}",
	 "\"cloud\"", "'cloud' is not one of the allowed values for 'source'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"GET\", \"path\": \"/c\", \"example\": {}}]}",
	 "\"GET\"", "'GET' is not one of the allowed values for 'method'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"api/c\", \"example\": {}}]}",
	 "\"api/c\"",
	 "'path' must be a path on the sample's API, starting with /"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"auth\": \"token\", \"example\": {}}]}",
	 "\"token\"", "'token' is not one of the allowed values for 'auth'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"content_type\": \"text/plain\", "
	 "\"example\": {}}]}",
	 "\"text/plain\"",
	 "certbench sends JSON bodies: 'content_type' must be a JSON media "
	 "type"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": \"{\\\"a\\\": 1}\"}]}",
	 "\"{\\\"a",
	 "'example' is the JSON body itself, an object, not a string holding "
	 "it"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": [1]}]}",
	 "[1]", "'example' must be a JSON object"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"reject_status\": "
	 "[400, 500]}]}",
	 "500", "'reject_status' holds HTTP client error codes (400 to 499)"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"reject_status\": "
	 "[]}]}",
	 "[]", "'reject_status' is empty; leave it out for any 4xx"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"health\": "
	 "\"health\"}]}",
	 "\"health\"}",
	 "'health' must be a path on the sample's API, starting with /"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "\"string\"}}]}",
	 "\"string\"", "field 'a' must be an object of constraints"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"text\"}}}]}",
	 "\"text\"", "'text' is not one of the allowed values for 'type'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"max_length\": 3}}}]}",
	 "{\"max_length\"", "field 'a' lacks required key 'type'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"string\", \"maxlength\": 3}}}]}",
	 "\"maxlength\"", "unknown key 'maxlength' in field 'a'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"boolean\", \"max_length\": 3}}}]}",
	 "\"max_length\"",
	 "'max_length' applies to strings, not to boolean fields"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"string\", \"min\": 3}}}]}",
	 "\"min\"",
	 "'min' applies to integer and number fields, not to string fields"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"string\", \"max_length\": -1}}}]}",
	 "-1", "'max_length' must be an integer from 0 to 1073741824"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"string\", \"min_length\": 9, \"max_length\": 3}}}]}",
	 "3}", "'max_length' is below 'min_length'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"integer\", \"max\": 2.5}}}]}",
	 "2.5", "'max' must be an integer"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"number\", \"min\": \"0\"}}}]}",
	 "\"0\"", "'min' must be a number"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"number\", \"min\": 5, \"max\": 1}}}]}",
	 "1}", "'max' is below 'min'"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {}, \"fields\": {\"a\": "
	 "{\"type\": \"string\", \"pattern\": \"[a-z\"}}}]}",
	 "\"[a-z\"", NULL /* the message is the C library's */},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {\"a\": 7}, \"fields\": "
	 "{\"a\": {\"type\": \"string\"}}}]}",
	 "7}",
	 "the example's 'a' is integer, not string, so it cannot be the "
	 "positive control"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {\"a\": \"SimDUT-Setup\"}, "
	 "\"fields\": {\"a\": {\"type\": \"string\", \"max_length\": 8}}}]}",
	 "\"SimDUT-Setup\"",
	 "the example's 'a' is longer than its max_length 8, so it cannot be "
	 "the positive control"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {\"a\": \"ABC\"}, "
	 "\"fields\": {\"a\": {\"type\": \"string\", \"pattern\": "
	 "\"^[a-z]+$\"}}}]}",
	 "\"ABC\"",
	 "the example's 'a' does not match its pattern, so it cannot be the "
	 "positive control"},
	{"{\"29-InpVal\": [{\"id\": \"c\", \"source\": \"api\", \"method\": "
	 "\"POST\", \"path\": \"/c\", \"example\": {\"a\": 11}, \"fields\": "
	 "{\"a\": {\"type\": \"integer\", \"max\": 10}}}]}",
	 "11}",
	 "the example's 'a' is outside its min and max, so it cannot be the "
	 "positive control"},
	{"{\"29-InpVal\": [{" GOOD "}, {\"id\": \"config\", \"source\": "
	 "\"api\", \"method\": \"POST\", \"path\": \"/c\", \"example\": "
	 "{}}]}",
	 "\"config\", \"source\": \"api\", \"method\": \"POST\", \"path\": "
	 "\"/c\"",
	 "duplicate input id 'config'"},
};

START_TEST(rows_give_their_errors)
{
	const struct row *r = &rows[_i];
	char got[1024], want[1024];
	struct cb_json_doc d;
	struct cb_error err = {0};
	const char *at;
	int rc;

	ck_assert_int_eq(cb_json_load_mem(&d, "p.json", r->ixit,
					  strlen(r->ixit), &err),
			 CB_OK);
	rc = profile_check_inputs(&d, d.root, &err);
	cb_error_format(&err, got, sizeof(got));
	if (!r->at) {
		ck_assert_msg(rc == CB_OK, "row %d: %s", _i, got);
	} else {
		ck_assert_int_ne(rc, CB_OK);
		at = strstr(r->ixit, r->at);
		ck_assert_ptr_nonnull(at);
		snprintf(want, sizeof(want), "p.json:1:%d: %s",
			 (int)(at - r->ixit) + 1, r->msg ? r->msg : "");
		if (r->msg)
			ck_assert_str_eq(got, want);
		else
			ck_assert_msg(!strncmp(got, want, strlen(want)),
				      "row %d: %s, not at %s", _i, got, want);
	}
	cb_json_release(&d);
}
END_TEST

START_TEST(no_section_is_fine)
{
	struct cb_json_doc d;
	struct cb_error err = {0};

	ck_assert_int_eq(cb_json_load_mem(&d, "p.json", "{}", 2, &err), CB_OK);
	ck_assert_int_eq(profile_check_inputs(&d, d.root, &err), CB_OK);
	cb_json_release(&d);
}
END_TEST

/*
 * The broken 29-InpVal profiles of fixtures/bad/profiles/: the checker
 * alone gives each its expected error (check_loader runs them through
 * the whole loader).
 */
static const char *const bad[] = {
	"inp-example-string", "inp-field-type", "inp-length-on-boolean",
	"inp-example-breaks", "inp-reject-status", "inp-duplicate", NULL};

START_TEST(bad_profiles_give_their_errors)
{
	char final[256], path[256], got[1024], want[1024];
	struct cb_buf text, exp;
	struct cb_json_doc d;
	struct cb_error err = {0};
	size_t k;

	for (k = 0; bad[k]; k++) {
		snprintf(final, sizeof(final), "fixtures/bad/profiles/%s.json",
			 bad[k]);
		snprintf(path, sizeof(path), "%s", final);
		ck_assert_int_eq(cb_buf_read_file(&text, path, 1 << 20, &err),
				 CB_OK);
		snprintf(path + strlen(path) - 5, 32, ".expected-error");
		ck_assert_int_eq(cb_buf_read_file(&exp, path, 4096, &err),
				 CB_OK);
		ck_assert_int_eq(cb_json_load_mem(&d, final, text.data,
						  text.len, &err),
				 CB_OK);
		ck_assert_int_ne(profile_check_inputs(
					 &d, json_object_get(d.root, "ixit"),
					 &err),
				 CB_OK);
		cb_error_format(&err, got, sizeof(got));
		snprintf(want, sizeof(want), "%.*s",
			 (int)strcspn(cb_buf_str(&exp), "\n"),
			 cb_buf_str(&exp));
		ck_assert_str_eq(got, want);
		cb_error_clear(&err);
		cb_json_release(&d);
		cb_buf_release(&text);
		cb_buf_release(&exp);
	}
}
END_TEST

static Suite *profile_inp_suite(void)
{
	Suite *s = suite_create("profile_inp");
	TCase *tc = tcase_create("29-InpVal");

	tcase_add_loop_test(tc, rows_give_their_errors, 0,
			    sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, no_section_is_fine);
	tcase_add_test(tc, bad_profiles_give_their_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(profile_inp_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
