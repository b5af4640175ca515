/*
 * tc.h - test case scripts: one JSON file per TS 103 701 test case.
 *
 * The loader checks a whole script before anything runs: its keys, its
 * provision against the catalogue, every step against the registry's
 * parameter spec, every ${...} reference's syntax and root, and that a
 * saved name is only read after a step saved it.  Errors carry file, line
 * and column.  A loaded case keeps its JSON document: step parameters are
 * borrowed from it.
 */
#ifndef TC_H
#define TC_H

#include <stddef.h>

#include "harness/cb_hash.h"
#include "harness/cb_json.h"
#include "harness/verdict.h"

struct catalog;
struct cb_error;
struct step_def;

enum tc_for {
	TC_FOR_ONCE,		/* the unit runs once */
	TC_FOR_EACH_SAMPLE,	/* once per sample: ${sample} is bound */
	TC_FOR_SAMPLE_PAIRS,	/* per sample, with ${other} = the next one */
};

struct tc_step {
	const struct step_def *def;
	json_t *params;		/* borrowed: the step's object minus generic
				 * keys is read through step_param_find() */
	const char *save;	/* name to save the result under, or NULL */
	const char *title;	/* optional label */
	enum cb_verdict on_fail; /* FAIL, or INCONCLUSIVE for controls */
	int line, col;
};

struct tc_unit {
	const char *id, *title;
	enum tc_for mode;
	json_t *requires;	/* array of earlier unit ids, or NULL */
	struct tc_step *steps;
	size_t nsteps;
	int line, col;
};

struct tc_case {
	struct cb_json_doc doc;
	const char *id, *provision, *kind, *title, *purpose;
	json_t *applies_if;	/* array of condition names, or NULL */
	long needs_samples;
	json_t *needs_ixit;	/* array of IXIT section names, or NULL */
	struct tc_unit *units;
	size_t nunits;
	char sha256[CB_SHA256_HEX];
};

int tc_load(struct tc_case *tc, const char *path, const struct catalog *cat,
	    struct cb_error *err);
void tc_release(struct tc_case *tc);
const struct tc_unit *tc_unit_find(const struct tc_case *tc, const char *id);
/*
 * 1 when unit u judges each sample on its own ('each_sample', or only
 * assessor answers), 0 when it compares samples or needs them all: a
 * 'once' unit of a case that needs several samples, or 'sample_pairs'.
 */
int tc_unit_per_sample(const struct tc_unit *u);
/* Generic step keys that are not step parameters. */
int tc_generic_key(const char *key);

/* A set of cases loaded from a folder, sorted by id. */
struct tc_set {
	struct tc_case *cases;
	size_t n;
};

/*
 * Load every *.json in dir (or only the ids listed in only, if not NULL).
 * The first bad file stops the load with its error.
 */
int tc_set_load(struct tc_set *set, const char *dir, const struct catalog *cat,
		char *const *only, size_t nonly, struct cb_error *err);
void tc_set_release(struct tc_set *set);
const struct tc_case *tc_set_find(const struct tc_set *set, const char *id);

#endif /* TC_H */
