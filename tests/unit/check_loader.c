/*
 * check_loader.c - JSON positions and the input loaders: test cases,
 * profiles and answers, driven by the bad files in fixtures/bad/ and the
 * exact "file:line:column: message" each must produce.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/answers.h"
#include "harness/catalog.h"
#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cb_json.h"
#include "harness/profile.h"
#include "harness/tc.h"

#define CATALOG "testcases/catalog/en303645-v2.1.1.json"

static struct catalog cat;

static void cat_setup(void)
{
	struct cb_error err = {0};

	ck_assert_int_eq(catalog_load(&cat, CATALOG, &err), CB_OK);
	/* The bad profiles read these; the good value is irrelevant. */
	setenv("SIMDUT_U1_TTY", "/dev/null", 1);
	setenv("SIMDUT_U2_TTY", "/dev/null", 1);
	setenv("SIMDUT_U1_DEBUG_TTY", "/dev/null", 1);
	setenv("SIMDUT_U2_DEBUG_TTY", "/dev/null", 1);
	setenv("SIMDUT_U1_URL", "https://127.0.0.1:1", 1);
	setenv("SIMDUT_U2_URL", "https://127.0.0.1:2", 1);
	setenv("SIMDUT_CA", "/dev/null", 1);
	setenv("SIMDUT_FW", "/nonexistent/fw", 1);
	setenv("SIMDUT_STATE", "/nonexistent/state", 1);
	unsetenv("CERTBENCH_TEST_UNSET");
}

static void cat_teardown(void)
{
	catalog_release(&cat);
}

static void expect_error(const struct cb_error *err, const char *want_file)
{
	char got[1024], want[1024];
	struct cb_buf b;

	ck_assert_int_eq(cb_buf_read_file(&b, want_file, 4096, NULL), CB_OK);
	snprintf(want, sizeof(want), "%.*s", (int)strcspn(b.data, "\n"),
		 b.data);
	cb_buf_release(&b);
	cb_error_format(err, got, sizeof(got));
	ck_assert_str_eq(got, want);
}

START_TEST(positions_point_at_values_keys_and_items)
{
	const char *text = "{\n  \"a\": [1, true,\n   null],\n  \"b\": {\"c\": \"x\"}\n}";
	struct cb_json_doc d;
	int line, col;
	json_t *a, *b;

	ck_assert_int_eq(cb_json_load_mem(&d, "t.json", text, strlen(text),
					  NULL),
			 CB_OK);
	a = json_object_get(d.root, "a");
	b = json_object_get(d.root, "b");
	cb_json_key_pos(&d, d.root, "a", &line, &col);
	ck_assert_int_eq(line, 2);
	ck_assert_int_eq(col, 3);
	cb_json_member_pos(&d, d.root, "a", &line, &col);
	ck_assert_int_eq(col, 8);
	cb_json_index_pos(&d, a, 1, &line, &col);
	ck_assert_int_eq(line, 2);
	ck_assert_int_eq(col, 12);
	cb_json_index_pos(&d, a, 2, &line, &col);
	ck_assert_int_eq(line, 3);
	ck_assert_int_eq(col, 4);
	cb_json_member_pos(&d, b, "c", &line, &col);
	ck_assert_int_eq(line, 4);
	ck_assert_int_eq(col, 14);
	cb_json_release(&d);
}
END_TEST

START_TEST(syntax_errors_and_duplicate_keys_have_positions)
{
	struct cb_error err = {0};
	struct cb_json_doc d;
	char buf[256];

	ck_assert_int_eq(cb_json_load_mem(&d, "t.json", "{\"a\": 1,\n \"a\": 2}",
					  17, &err),
			 CB_EINVAL);
	ck_assert_str_eq(cb_error_format(&err, buf, sizeof(buf)),
			 "t.json:2:4: duplicate object key near '\"a\"'");
	ck_assert_ptr_null(d.root);
	cb_error_clear(&err);
	ck_assert_int_eq(cb_json_load(&d, "no/such/file.json", &err),
			 CB_ENODEV);
	ck_assert_str_eq(err.source, "no/such/file.json");
}
END_TEST

START_TEST(escaped_keys_are_found)
{
	const char *text = "{\"caf\\u00e9\": 1, \"t\\tab\": 2}";
	struct cb_json_doc d;
	int line, col;

	ck_assert_int_eq(cb_json_load_mem(&d, "t.json", text, strlen(text),
					  NULL),
			 CB_OK);
	cb_json_member_pos(&d, d.root, "caf\xc3\xa9", &line, &col);
	ck_assert_int_eq(col, 15);
	cb_json_member_pos(&d, d.root, "t\tab", &line, &col);
	ck_assert_int_eq(col, 27);
	cb_json_release(&d);
}
END_TEST

START_TEST(shipped_test_cases_load)
{
	struct cb_error err = {0};
	struct tc_set set;

	ck_assert_int_eq(tc_set_load(&set, "testcases/en303645", &cat, NULL, 0,
				     &err),
			 CB_OK);
	ck_assert_uint_ge(set.n, 4);
	ck_assert_str_eq(set.cases[0].id, "5.1-1-1");
	ck_assert_ptr_nonnull(tc_set_find(&set, "5.2-1-2"));
	ck_assert_uint_eq(strlen(set.cases[0].sha256), 64);
	tc_set_release(&set);
}
END_TEST

/* Every fixtures/bad/testcases/<name>/ folder: its one script fails with
 * the message in expected-error. */
START_TEST(bad_test_cases_fail_with_their_expected_error)
{
	struct dirent **ents = NULL;
	char dir[512], want[600];
	struct cb_error err;
	struct tc_set set;
	int n, k, seen = 0;

	n = scandir("fixtures/bad/testcases", &ents, NULL, alphasort);
	ck_assert_int_gt(n, 0);
	for (k = 0; k < n; k++) {
		if (ents[k]->d_name[0] != '.') {
			snprintf(dir, sizeof(dir), "fixtures/bad/testcases/%s",
				 ents[k]->d_name);
			snprintf(want, sizeof(want), "%s/expected-error", dir);
			cb_error_clear(&err);
			ck_assert_int_eq(tc_set_load(&set, dir, &cat, NULL, 0,
						     &err),
					 CB_EINVAL);
			expect_error(&err, want);
			seen++;
		}
		free(ents[k]);
	}
	free(ents);
	ck_assert_int_ge(seen, 10);
}
END_TEST

typedef int loader_fn(const char *path, struct cb_error *err);

static int load_profile(const char *path, struct cb_error *err)
{
	struct profile p;
	int rc = profile_load(&p, path, &cat, err);

	profile_release(&p);
	return rc;
}

static int load_answers(const char *path, struct cb_error *err)
{
	struct answers a;
	struct tc_set set;
	int rc = answers_load(&a, path, err);

	if (rc)
		return rc;
	rc = tc_set_load(&set, "testcases/en303645", &cat, NULL, 0, err);
	if (!rc)
		rc = answers_check(&a, &set, err);
	tc_set_release(&set);
	answers_release(&a);
	return rc;
}

static int check_bad_dir(const char *dir, loader_fn *load)
{
	struct dirent **ents = NULL;
	char path[512], want[512];
	struct cb_error err;
	int n, k, seen = 0;
	size_t len;

	n = scandir(dir, &ents, NULL, alphasort);
	ck_assert_int_gt(n, 0);
	for (k = 0; k < n; k++) {
		len = strlen(ents[k]->d_name);
		if (len > 5 && !strcmp(ents[k]->d_name + len - 5, ".json")) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 ents[k]->d_name);
			snprintf(want, sizeof(want), "%.*s.expected-error",
				 (int)strlen(path) - 5, path);
			cb_error_clear(&err);
			ck_assert_int_ne(load(path, &err), CB_OK);
			expect_error(&err, want);
			seen++;
		}
		free(ents[k]);
	}
	free(ents);
	return seen;
}

START_TEST(bad_profiles_fail_with_their_expected_error)
{
	ck_assert_int_ge(check_bad_dir("fixtures/bad/profiles", load_profile),
			 16);
}
END_TEST

START_TEST(bad_answers_fail_with_their_expected_error)
{
	ck_assert_int_ge(check_bad_dir("fixtures/bad/answers", load_answers),
			 7);
}
END_TEST

START_TEST(good_profiles_and_answers_load)
{
	struct cb_error err = {0};
	struct profile p;

	ck_assert_int_eq(load_profile("fixtures/profiles/simcam-secure.json",
				      &err),
			 CB_OK);
	ck_assert_int_eq(load_answers("fixtures/answers/simcam-secure.json",
				      &err),
			 CB_OK);
	ck_assert_int_eq(profile_load(&p, "fixtures/profiles/simcam-secure.json",
				      &cat, &err),
			 CB_OK);
	ck_assert_uint_eq(p.nsamples, 2);
	ck_assert_str_eq(p.samples[0].console,
			 "tty:///dev/null?baud=115200"); /* ${env.} expanded */
	ck_assert_int_eq(profile_condition(&p, "passwords_used"), 1);
	ck_assert_int_eq(profile_condition(&p, "constrained_device"), 0);
	profile_release(&p);
}
END_TEST

static Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *j = tcase_create("json"), *l = tcase_create("files");

	tcase_add_test(j, positions_point_at_values_keys_and_items);
	tcase_add_test(j, syntax_errors_and_duplicate_keys_have_positions);
	tcase_add_test(j, escaped_keys_are_found);
	tcase_add_checked_fixture(l, cat_setup, cat_teardown);
	tcase_add_test(l, shipped_test_cases_load);
	tcase_add_test(l, bad_test_cases_fail_with_their_expected_error);
	tcase_add_test(l, bad_profiles_fail_with_their_expected_error);
	tcase_add_test(l, bad_answers_fail_with_their_expected_error);
	tcase_add_test(l, good_profiles_and_answers_load);
	suite_add_tcase(s, j);
	suite_add_tcase(s, l);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loader_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
