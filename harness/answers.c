/*
 * answers.c - load and cross-check the assessor answers file.
 */
#include <string.h>

#include "harness/answers.h"
#include "harness/cb_error.h"
#include "harness/step.h"
#include "harness/tc.h"
#include "harness/verdict.h"

static const char *const top_req[] = {"certbench_answers", "assessor",
				      "answers", NULL};
static const char *const top_opt[] = {"date", "notes", NULL};
static const char *const who_req[] = {"name", NULL};
static const char *const who_opt[] = {"role", "organisation", NULL};
static const char *const ans_req[] = {"case", "unit", "verdict", "rationale",
				      NULL};
static const char *const ans_opt[] = {"evidence", NULL};

static int answers_check_one(struct answers *a, json_t *ans, size_t idx,
			     struct cb_error *err)
{
	const struct cb_json_doc *d = &a->doc;
	const char *c = NULL, *u = NULL, *v = NULL, *r = NULL;
	json_t *prev;
	size_t k;
	int rc;

	rc = cb_json_check_keys(d, ans, "answer", ans_opt, ans_req, err);
	if (!rc)
		rc = cb_json_get_string(d, ans, "case", 1, &c, err);
	if (!rc)
		rc = cb_json_get_string(d, ans, "unit", 1, &u, err);
	if (!rc)
		rc = cb_json_get_string(d, ans, "verdict", 1, &v, err);
	if (!rc)
		rc = cb_json_get_string(d, ans, "rationale", 1, &r, err);
	if (rc)
		return rc;
	if (strcmp(v, "PASS") && strcmp(v, "FAIL") && strcmp(v, "INCONCLUSIVE"))
		return cb_json_fail_member(d, ans, "verdict", err,
					   "verdict must be PASS, FAIL or "
					   "INCONCLUSIVE (NA comes only from "
					   "the ICS)");
	for (k = 0; k < idx; k++) {
		prev = json_array_get(a->list, k);
		if (!strcmp(json_string_value(json_object_get(prev, "case")),
			    c) &&
		    !strcmp(json_string_value(json_object_get(prev, "unit")), u))
			return cb_json_fail(d, ans, err,
					    "second answer for %s unit %s", c,
					    u);
	}
	return CB_OK;
}

int answers_load(struct answers *a, const char *path, struct cb_error *err)
{
	const struct cb_json_doc *d;
	json_t *who = NULL, *ver, *ans;
	size_t k;
	int rc;

	memset(a, 0, sizeof(*a));
	rc = cb_json_load(&a->doc, path, err);
	if (rc)
		return rc;
	d = &a->doc;
	cb_sha256_hex(a->sha256, d->text, d->text_len);
	rc = cb_json_check_keys(d, d->root, "answers file", top_opt, top_req,
				err);
	if (rc)
		goto fail;
	ver = json_object_get(d->root, "certbench_answers");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
		rc = cb_json_fail(d, ver, err, "certbench_answers must be 1");
		goto fail;
	}
	rc = cb_json_get_object(d, d->root, "assessor", 1, &who, err);
	if (!rc)
		rc = cb_json_check_keys(d, who, "assessor", who_opt, who_req,
					err);
	if (!rc)
		rc = cb_json_get_string(d, who, "name", 1, &a->assessor, err);
	if (!rc)
		rc = cb_json_get_string(d, who, "role", 0, &a->role, err);
	if (!rc)
		rc = cb_json_get_array(d, d->root, "answers", 1, &a->list, err);
	if (rc)
		goto fail;
	json_array_foreach(a->list, k, ans) {
		rc = answers_check_one(a, ans, k, err);
		if (rc)
			goto fail;
	}
	return CB_OK;
fail:
	answers_release(a);
	return rc;
}

void answers_release(struct answers *a)
{
	if (!a)
		return;
	cb_json_release(&a->doc);
	memset(a, 0, sizeof(*a));
}

json_t *answers_find(const struct answers *a, const char *case_id,
		     const char *unit)
{
	json_t *ans;
	size_t k;

	if (!a || !a->list)
		return NULL;
	json_array_foreach(a->list, k, ans)
		if (!strcmp(json_string_value(json_object_get(ans, "case")),
			    case_id) &&
		    !strcmp(json_string_value(json_object_get(ans, "unit")),
			    unit))
			return ans;
	return NULL;
}

static int unit_asks_assessor(const struct tc_unit *u)
{
	size_t k;

	for (k = 0; k < u->nsteps; k++)
		if (u->steps[k].def->needs & STEP_ANSWER)
			return 1;
	return 0;
}

int answers_check(const struct answers *a, const struct tc_set *set,
		  struct cb_error *err)
{
	const struct tc_case *tc;
	const struct tc_unit *u;
	const char *c, *un;
	json_t *ans;
	size_t k;

	json_array_foreach(a->list, k, ans) {
		c = json_string_value(json_object_get(ans, "case"));
		un = json_string_value(json_object_get(ans, "unit"));
		tc = tc_set_find(set, c);
		if (!tc)
			return cb_json_fail_member(&a->doc, ans, "case", err,
						   "no test case '%s'", c);
		u = tc_unit_find(tc, un);
		if (!u)
			return cb_json_fail_member(&a->doc, ans, "unit", err,
						   "%s has no unit '%s'", c, un);
		if (!unit_asks_assessor(u))
			return cb_json_fail_member(&a->doc, ans, "unit", err,
						   "%s unit %s is decided by "
						   "the harness, not by an "
						   "assessor",
						   c, un);
	}
	return CB_OK;
}
