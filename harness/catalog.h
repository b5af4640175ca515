/*
 * catalog.h - what the standard says, as data: provisions with their
 * status and ICS conditions, the condition names, the IXIT sections
 * (testcases/catalog/), and the labelling schemes (testcases/schemes/).
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>

#include "harness/cb_json.h"

struct cb_error;

struct cat_provision {
	const char *id;		/* "5.1-1" */
	const char *status;	/* "M" or "R" */
	const char *summary;	/* certbench's own paraphrase */
	json_t *conditions;	/* array of condition names */
};

struct catalog {
	struct cb_json_doc doc;
	const char *standard, *version, *date, *test_spec;
	json_t *conditions;	/* object: name -> description */
	json_t *ixit;		/* array of section names */
	struct cat_provision *prov;
	size_t nprov;
};

int catalog_load(struct catalog *c, const char *path, struct cb_error *err);
void catalog_release(struct catalog *c);
const struct cat_provision *catalog_provision(const struct catalog *c,
					      const char *id);
int catalog_has_condition(const struct catalog *c, const char *name);
int catalog_has_ixit(const struct catalog *c, const char *name);

struct scheme {
	struct cb_json_doc doc;
	const char *id, *title, *basis, *decision_rule, *standard_version;
	json_t *provisions;	/* array of provision ids */
};

/* Load data/schemes/<id>.json and check its provisions exist. */
int scheme_load(struct scheme *s, const char *datadir, const char *id,
		const struct catalog *c, struct cb_error *err);
void scheme_release(struct scheme *s);

#endif /* CATALOG_H */
