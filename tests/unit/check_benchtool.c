/*
 * check_benchtool.c - a lab's bench tools run as programs: arguments
 * appended, output kept and cut, exit status and deadline enforced, the
 * whole process group killed on timeout.  Also the version ordering the
 * update steps use to tell a rollback.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/benchtool.h"
#include "harness/cb_error.h"
#include "harness/steps/updkit.h"

START_TEST(tool_gets_its_arguments_and_output_is_kept)
{
	const char *extra[] = {"on", NULL};
	struct benchtool_result res;
	struct cb_error err = {0};

	ck_assert_int_eq(benchtool_run("exec:/bin/echo power u1", extra, 5000,
				       &res, &err),
			 CB_OK);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(res.output, "power u1 on\n");
}
END_TEST

START_TEST(nonzero_exit_is_a_bench_failure_with_the_output)
{
	struct benchtool_result res;
	struct cb_error err = {0};

	ck_assert_int_eq(benchtool_run("exec:/bin/sh -c exit_3", NULL, 5000,
				       &res, &err),
			 CB_EIO);
	ck_assert_int_eq(res.status, 127);
	ck_assert_ptr_nonnull(strstr(err.text, "exit status 127"));
	ck_assert_ptr_nonnull(strstr(err.text, "exit_3"));
}
END_TEST

START_TEST(missing_program_is_named)
{
	struct benchtool_result res;
	struct cb_error err = {0};

	ck_assert_int_eq(benchtool_run("exec:/nonexistent/relay", NULL, 5000,
				       &res, &err),
			 CB_EIO);
	ck_assert_ptr_nonnull(strstr(res.output, "cannot run "
						 "/nonexistent/relay"));
}
END_TEST

START_TEST(overrun_is_killed_with_its_children)
{
	const char *extra[] = {"sleep 30 & sleep 30; echo never", NULL};
	struct benchtool_result res;
	struct cb_error err = {0};

	ck_assert_int_eq(benchtool_run("exec:/bin/sh -c", extra, 300, &res,
				       &err),
			 CB_ETIMEOUT);
	ck_assert_int_lt(res.elapsed_ms, 5000);
	ck_assert_ptr_null(strstr(res.output, "never"));
	ck_assert_ptr_nonnull(strstr(err.text, "did not finish within 300"));
}
END_TEST

START_TEST(background_child_does_not_hold_the_tool)
{
	const char *extra[] = {"sleep 30 & echo switched", NULL};
	struct benchtool_result res;
	struct cb_error err = {0};

	ck_assert_int_eq(benchtool_run("exec:/bin/sh -c", extra, 5000, &res,
				       &err),
			 CB_OK);
	ck_assert_int_eq(res.status, 0);
	ck_assert_str_eq(res.output, "switched\n");
	ck_assert_int_lt(res.elapsed_ms, 4000);
}
END_TEST

START_TEST(output_is_cut_at_its_ceiling)
{
	const char *extra[] = {"head -c 100000 /dev/zero | tr '\\0' x", NULL};
	struct benchtool_result res;
	struct cb_error err = {0};

	ck_assert_int_eq(benchtool_run("exec:/bin/sh -c", extra, 5000, &res,
				       &err),
			 CB_OK);
	ck_assert_uint_eq(strlen(res.output), BENCHTOOL_OUT_MAX - 1);
}
END_TEST

START_TEST(spec_must_be_exec)
{
	struct benchtool_result res;
	struct cb_error err = {0};

	ck_assert_int_eq(benchtool_run("relay:3", NULL, 5000, &res, &err),
			 CB_EINVAL);
	ck_assert_int_eq(benchtool_run("exec:", NULL, 5000, &res, &err),
			 CB_EINVAL);
}
END_TEST

START_TEST(versions_compare_numerically)
{
	ck_assert_int_lt(upd_version_cmp("1.3.0", "1.4.2"), 0);
	ck_assert_int_gt(upd_version_cmp("1.10.0", "1.9.9"), 0);
	ck_assert_int_eq(upd_version_cmp("2.0", "2.0"), 0);
	ck_assert_int_lt(upd_version_cmp("1.4", "1.4.1"), 0);
	ck_assert_int_gt(upd_version_cmp("v1.4.12", "v1.4.2"), 0);
	ck_assert_int_lt(upd_version_cmp("0.9.1", "1.0.0"), 0);
}
END_TEST

static Suite *benchtool_suite(void)
{
	Suite *s = suite_create("benchtool");
	TCase *tc = tcase_create("run");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, tool_gets_its_arguments_and_output_is_kept);
	tcase_add_test(tc, nonzero_exit_is_a_bench_failure_with_the_output);
	tcase_add_test(tc, missing_program_is_named);
	tcase_add_test(tc, overrun_is_killed_with_its_children);
	tcase_add_test(tc, background_child_does_not_hold_the_tool);
	tcase_add_test(tc, output_is_cut_at_its_ceiling);
	tcase_add_test(tc, spec_must_be_exec);
	tcase_add_test(tc, versions_compare_numerically);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(benchtool_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
