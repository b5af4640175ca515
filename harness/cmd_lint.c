/*
 * cmd_lint.c - 'certbench lint FILE...': check input files without
 * running anything.  The kind of file is told by its contents: a
 * "certbench_profile", "certbench_answers" or "certbench_lab" key, or a
 * test case's "units".  Answers are checked against the installed test
 * cases.  Errors are file:line:column: message; exit 65 if any file is bad.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "harness/answers.h"
#include "harness/catalog.h"
#include "harness/cb_error.h"
#include "harness/cli.h"
#include "harness/paths.h"
#include "harness/profile.h"
#include "harness/tc.h"

static int lint_one(const char *path, const struct catalog *cat,
		    struct cb_error *err)
{
	char dir[PATH_MAX];
	struct cb_json_doc d;
	struct profile prof;
	struct answers ans;
	struct tc_set set;
	struct tc_case tc;
	json_t *root;
	int rc;

	rc = cb_json_load(&d, path, err);
	if (rc)
		return rc;
	root = d.root;
	if (json_object_get(root, "certbench_profile")) {
		cb_json_release(&d);
		rc = profile_load(&prof, path, cat, err);
		profile_release(&prof);
		return rc;
	}
	if (json_object_get(root, "certbench_answers")) {
		cb_json_release(&d);
		rc = answers_load(&ans, path, err);
		if (rc)
			return rc;
		cb_path_join(dir, sizeof(dir), cb_datadir(),
			     "testcases/en303645");
		rc = tc_set_load(&set, dir, cat, NULL, 0, err);
		if (!rc)
			rc = answers_check(&ans, &set, err);
		tc_set_release(&set);
		answers_release(&ans);
		return rc;
	}
	if (json_object_get(root, "units") ||
	    json_object_get(root, "provision")) {
		cb_json_release(&d);
		rc = tc_load(&tc, path, cat, err);
		tc_release(&tc);
		return rc;
	}
	if (json_object_get(root, "certbench_lab")) {
		cb_json_release(&d);
		return CB_OK;
	}
	rc = cb_json_fail(&d, root, err,
			  "not a certbench file (no certbench_profile, "
			  "certbench_answers, certbench_lab or units key)");
	cb_json_release(&d);
	return rc;
}

int cmd_lint(int argc, char **argv)
{
	struct cb_error err = {0};
	char path[PATH_MAX];
	struct catalog cat;
	int k, bad = 0;

	if (argc < 2)
		return cli_usage("lint");
	cb_path_join(path, sizeof(path), cb_datadir(),
		     "testcases/catalog/en303645-v2.1.1.json");
	if (catalog_load(&cat, path, &err)) {
		cli_error(&err);
		return cli_exit_for(err.code);
	}
	for (k = 1; k < argc; k++) {
		cb_error_clear(&err);
		if (lint_one(argv[k], &cat, &err)) {
			cli_error(&err);
			bad++;
		} else {
			printf("ok %s\n", argv[k]);
		}
	}
	catalog_release(&cat);
	return bad ? CLI_EXIT_DATAERR : 0;
}
