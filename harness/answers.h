/*
 * answers.h - the assessor's verdicts for units that need human judgement.
 *
 * {"certbench_answers": 1, "assessor": {"name", "role"}, "answers": [
 *   {"case": "5.1-1-1", "unit": "a", "verdict": "PASS", "rationale": "...",
 *    "evidence": "document reference"}]}
 * A verdict is PASS, FAIL or INCONCLUSIVE; a rationale is mandatory.
 */
#ifndef ANSWERS_H
#define ANSWERS_H

#include "harness/cb_hash.h"
#include "harness/cb_json.h"

struct cb_error;
struct tc_set;

struct answers {
	struct cb_json_doc doc;
	const char *assessor, *role;
	json_t *list;
	char sha256[CB_SHA256_HEX];
};

int answers_load(struct answers *a, const char *path, struct cb_error *err);
void answers_release(struct answers *a);
/* The answer object for a case and unit, or NULL. */
json_t *answers_find(const struct answers *a, const char *case_id,
		     const char *unit);
/* Every answer names a loaded case and a unit that asks the assessor. */
int answers_check(const struct answers *a, const struct tc_set *set,
		  struct cb_error *err);

#endif /* ANSWERS_H */
