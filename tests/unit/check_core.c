/*
 * check_core.c - ${...} substitution, verdict combination and adapter
 * URIs: the pure logic under the runner.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/subst.h"
#include "harness/verdict.h"
#include "hw-adapters/hw.h"

static json_t *ctx;

static void ctx_setup(void)
{
	ctx = json_loads(
		"{\"ixit\": {\"2-UserInfo\": {\"vdp_url\": \"https://v/\"}},"
		" \"samples\": [{\"id\": \"s1\", \"n\": 1, \"cred\": "
		"{\"fingerprint\": \"fp:a\"}}, {\"id\": \"s2\", \"n\": 2, "
		"\"cred\": {\"fingerprint\": \"fp:b\"}}],"
		" \"sample\": {\"id\": \"s1\", \"saved\": true},"
		" \"flag\": false}",
		0, NULL);
	ck_assert_ptr_nonnull(ctx);
}

static void ctx_teardown(void)
{
	json_decref(ctx);
}

static json_t *expand(const char *s, struct cb_error *err)
{
	json_t *in = json_string(s), *out;

	out = subst_expand(ctx, in, err);
	json_decref(in);
	return out;
}

START_TEST(single_reference_keeps_its_type)
{
	json_t *v = expand("${samples[*].cred.fingerprint}", NULL);

	ck_assert(json_is_array(v));
	ck_assert_uint_eq(json_array_size(v), 2);
	ck_assert_str_eq(json_string_value(json_array_get(v, 1)), "fp:b");
	json_decref(v);
	v = expand("${samples[1].n}", NULL);
	ck_assert_int_eq(json_integer_value(v), 2);
	json_decref(v);
	v = expand("${flag}", NULL);
	ck_assert(json_is_false(v));
	json_decref(v);
}
END_TEST

START_TEST(references_in_text_become_text)
{
	json_t *v = expand("${ixit.2-UserInfo.vdp_url}x?n=${samples[0].n}&$${lit}",
			   NULL);

	ck_assert_str_eq(json_string_value(v), "https://v/x?n=1&${lit}");
	json_decref(v);
	v = expand("no references, a $ sign and regex: $", NULL);
	ck_assert_str_eq(json_string_value(v),
			 "no references, a $ sign and regex: $");
	json_decref(v);
}
END_TEST

START_TEST(saved_values_are_found_on_the_current_sample)
{
	json_t *v = expand("${saved}", NULL);

	ck_assert(json_is_true(v));
	json_decref(v);
}
END_TEST

START_TEST(missing_values_and_lists_in_text_are_errors)
{
	struct cb_error err = {0};

	ck_assert_ptr_null(expand("${ixit.2-UserInfo.nope}", &err));
	ck_assert_int_eq(err.code, CB_ENODEV);
	ck_assert_str_eq(err.text,
			 "no value for '${ixit.2-UserInfo.nope}' (no 'nope')");
	cb_error_clear(&err);
	ck_assert_ptr_null(expand("${samples[5].id}", &err));
	ck_assert_str_eq(err.text, "no value for '${samples[5].id}': index 5 "
				   "out of range");
	cb_error_clear(&err);
	ck_assert_ptr_null(expand("a ${samples} b", &err));
	ck_assert_str_eq(err.text, "'${samples}' is a list and cannot be put "
				   "in text");
}
END_TEST

static int count_ref(void *ud, const char *path, size_t len, size_t off)
{
	(void)path;
	(void)len;
	(void)off;
	(*(int *)ud)++;
	return 0;
}

START_TEST(syntax_errors_say_where)
{
	const char *why = NULL;
	size_t bad = 0;
	int n = 0;

	ck_assert_int_eq(subst_scan("a ${x.y[*].z} ${w}", count_ref, &n, &bad,
				    &why),
			 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(subst_scan("ab ${x.", NULL, NULL, &bad, &why), -1);
	ck_assert_uint_eq(bad, 3);
	ck_assert_str_eq(why, "unterminated ${");
	ck_assert_int_eq(subst_scan("${x[a]}", NULL, NULL, &bad, &why), -1);
	ck_assert_str_eq(why, "index must be a number or *");
	ck_assert_int_eq(subst_scan("${x.}", NULL, NULL, &bad, &why), -1);
	ck_assert_int_eq(subst_scan("${}", NULL, NULL, &bad, &why), -1);
	ck_assert_int_eq(subst_scan("${a b}", NULL, NULL, &bad, &why), -1);
	ck_assert(subst_is_single("${a.b}"));
	ck_assert(!subst_is_single("${a}${b}"));
	ck_assert(!subst_is_single("x${a}"));
}
END_TEST

START_TEST(verdicts_combine_worst_first_and_fail_wins)
{
	static const struct {
		enum cb_verdict a, b, want;
	} t[] = {
		{CB_V_PASS, CB_V_PASS, CB_V_PASS},
		{CB_V_PASS, CB_V_FAIL, CB_V_FAIL},
		{CB_V_ERROR, CB_V_FAIL, CB_V_FAIL},
		{CB_V_FAIL, CB_V_INCONCLUSIVE, CB_V_FAIL},
		{CB_V_PASS, CB_V_INCONCLUSIVE, CB_V_INCONCLUSIVE},
		{CB_V_INCONCLUSIVE, CB_V_ERROR, CB_V_ERROR},
		{CB_V_NA, CB_V_PASS, CB_V_PASS},
		{CB_V_NA, CB_V_NA, CB_V_NA},
		{CB_V_NA, CB_V_ERROR, CB_V_ERROR},
		{CB_V_NONE, CB_V_NA, CB_V_NA},
		{CB_V_NONE, CB_V_FAIL, CB_V_FAIL},
	};
	size_t k;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		ck_assert_int_eq(cb_verdict_combine(t[k].a, t[k].b), t[k].want);
		ck_assert_int_eq(cb_verdict_combine(t[k].b, t[k].a), t[k].want);
	}
	ck_assert_str_eq(cb_verdict_name(CB_V_INCONCLUSIVE), "INCONCLUSIVE");
	ck_assert_int_eq(cb_verdict_parse("NA"), CB_V_NA);
	ck_assert_int_eq(cb_verdict_parse("pass"), -1);
	ck_assert(cb_verdict_final(CB_V_NA));
	ck_assert(!cb_verdict_final(CB_V_ERROR));
}
END_TEST

START_TEST(uris_parse_into_parts)
{
	struct cb_error err = {0};
	struct hw_uri u;
	long v;

	ck_assert_int_eq(hw_uri_parse(&u, "tty:///dev/ttyUSB0?baud=9600&parity=E",
				      &err),
			 CB_OK);
	ck_assert_str_eq(u.scheme, "tty");
	ck_assert_str_eq(u.host, "");
	ck_assert_str_eq(u.path, "/dev/ttyUSB0");
	ck_assert_str_eq(hw_uri_param(&u, "parity"), "E");
	ck_assert_int_eq(hw_uri_param_int(&u, "baud", 1, 1, 100000, &v, &err),
			 CB_OK);
	ck_assert_int_eq(v, 9600);
	ck_assert_int_eq(hw_uri_param_int(&u, "baud", 1, 1, 100, &v, &err),
			 CB_EINVAL);
	hw_uri_release(&u);
	ck_assert_int_eq(hw_uri_parse(&u, "tcp://[::1]:2323/x%20y", NULL),
			 CB_OK);
	ck_assert_str_eq(u.host, "::1");
	ck_assert_int_eq(u.port, 2323);
	ck_assert_str_eq(u.path, "/x y");
	hw_uri_release(&u);
	ck_assert_int_eq(hw_uri_parse(&u, "tcp://h:99999", NULL), CB_EINVAL);
	ck_assert_int_eq(hw_uri_parse(&u, "no-scheme", NULL), CB_EINVAL);
	ck_assert_ptr_eq(hw_lookup_scheme("https"), &hw_http_ops);
	ck_assert_ptr_null(hw_lookup_scheme("gopher"));
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *sub = tcase_create("subst"), *misc = tcase_create("misc");

	tcase_add_checked_fixture(sub, ctx_setup, ctx_teardown);
	tcase_add_test(sub, single_reference_keeps_its_type);
	tcase_add_test(sub, references_in_text_become_text);
	tcase_add_test(sub, saved_values_are_found_on_the_current_sample);
	tcase_add_test(sub, missing_values_and_lists_in_text_are_errors);
	tcase_add_test(sub, syntax_errors_say_where);
	tcase_add_test(misc, verdicts_combine_worst_first_and_fail_wins);
	tcase_add_test(misc, uris_parse_into_parts);
	suite_add_tcase(s, sub);
	suite_add_tcase(s, misc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
