/*
 * catalog.c - load and check the provision catalogue and scheme files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/catalog.h"
#include "harness/paths.h"

static const char *const cat_keys[] = {
	"standard", "version", "date", "test_specification", "note",
	"conditions", "ixit_sections", "provisions", NULL};
static const char *const prov_keys[] = {"id", "status", "conditions",
					"summary", NULL};

static int catalog_check_provision(struct catalog *c, json_t *p,
				   struct cat_provision *out,
				   struct cb_error *err)
{
	const struct cb_json_doc *d = &c->doc;
	json_t *conds = NULL, *cv;
	size_t k;
	int rc;

	rc = cb_json_check_keys(d, p, "provision", NULL, prov_keys, err);
	if (!rc)
		rc = cb_json_get_string(d, p, "id", 1, &out->id, err);
	if (!rc)
		rc = cb_json_get_string(d, p, "status", 1, &out->status, err);
	if (!rc)
		rc = cb_json_get_string(d, p, "summary", 1, &out->summary, err);
	if (!rc)
		rc = cb_json_get_array(d, p, "conditions", 1, &conds, err);
	if (rc)
		return rc;
	if (strcmp(out->status, "M") && strcmp(out->status, "R"))
		return cb_json_fail_member(d, p, "status", err,
					   "status must be M or R");
	json_array_foreach(conds, k, cv) {
		if (!json_is_string(cv) ||
		    !json_object_get(c->conditions, json_string_value(cv)))
			return cb_json_fail(d, cv, err, "unknown condition");
	}
	out->conditions = conds;
	return CB_OK;
}

int catalog_load(struct catalog *c, const char *path, struct cb_error *err)
{
	json_t *root, *provs = NULL, *p;
	size_t k;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = cb_json_load(&c->doc, path, err);
	if (rc)
		return rc;
	root = c->doc.root;
	rc = cb_json_check_keys(&c->doc, root, "catalogue", NULL, cat_keys,
				err);
	if (!rc)
		rc = cb_json_get_string(&c->doc, root, "standard", 1,
					&c->standard, err);
	if (!rc)
		rc = cb_json_get_string(&c->doc, root, "version", 1, &c->version,
					err);
	if (!rc)
		rc = cb_json_get_string(&c->doc, root, "date", 1, &c->date, err);
	if (!rc)
		rc = cb_json_get_string(&c->doc, root, "test_specification", 1,
					&c->test_spec, err);
	if (!rc)
		rc = cb_json_get_object(&c->doc, root, "conditions", 1,
					&c->conditions, err);
	if (!rc)
		rc = cb_json_get_array(&c->doc, root, "ixit_sections", 1,
				       &c->ixit, err);
	if (!rc)
		rc = cb_json_get_array(&c->doc, root, "provisions", 1, &provs,
				       err);
	if (rc)
		goto fail;
	c->prov = calloc(json_array_size(provs) + 1, sizeof(*c->prov));
	if (!c->prov) {
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		goto fail;
	}
	json_array_foreach(provs, k, p) {
		rc = catalog_check_provision(c, p, &c->prov[k], err);
		if (rc)
			goto fail;
		c->nprov++;
	}
	return CB_OK;
fail:
	catalog_release(c);
	return rc;
}

void catalog_release(struct catalog *c)
{
	if (!c)
		return;
	free(c->prov);
	cb_json_release(&c->doc);
	memset(c, 0, sizeof(*c));
}

const struct cat_provision *catalog_provision(const struct catalog *c,
					      const char *id)
{
	size_t k;

	for (k = 0; k < c->nprov; k++)
		if (!strcmp(c->prov[k].id, id))
			return &c->prov[k];
	return NULL;
}

int catalog_has_condition(const struct catalog *c, const char *name)
{
	return json_object_get(c->conditions, name) != NULL;
}

int catalog_has_ixit(const struct catalog *c, const char *name)
{
	json_t *v;
	size_t k;

	json_array_foreach(c->ixit, k, v)
		if (!strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

static const char *const scheme_keys[] = {
	"id", "title", "standard_version", "basis", "provisions",
	"decision_rule", NULL};

int scheme_load(struct scheme *s, const char *datadir, const char *id,
		const struct catalog *c, struct cb_error *err)
{
	char path[4096], name[256];
	json_t *root, *v;
	size_t k;
	int rc;

	memset(s, 0, sizeof(*s));
	if (strchr(id, '/') || strchr(id, '.')) {
		snprintf(path, sizeof(path), "%s", id);
	} else {
		snprintf(name, sizeof(name), "testcases/schemes/%s.json", id);
		cb_path_join(path, sizeof(path), datadir, name);
	}
	rc = cb_json_load(&s->doc, path, err);
	if (rc)
		return rc;
	root = s->doc.root;
	rc = cb_json_check_keys(&s->doc, root, "scheme", NULL, scheme_keys,
				err);
	if (!rc)
		rc = cb_json_get_string(&s->doc, root, "id", 1, &s->id, err);
	if (!rc)
		rc = cb_json_get_string(&s->doc, root, "title", 1, &s->title,
					err);
	if (!rc)
		rc = cb_json_get_string(&s->doc, root, "basis", 1, &s->basis,
					err);
	if (!rc)
		rc = cb_json_get_string(&s->doc, root, "decision_rule", 1,
					&s->decision_rule, err);
	if (!rc)
		rc = cb_json_get_string(&s->doc, root, "standard_version", 1,
					&s->standard_version, err);
	if (!rc)
		rc = cb_json_get_array(&s->doc, root, "provisions", 1,
				       &s->provisions, err);
	if (rc)
		goto fail;
	json_array_foreach(s->provisions, k, v) {
		if (!json_is_string(v) ||
		    !catalog_provision(c, json_string_value(v))) {
			rc = cb_json_fail(&s->doc, v, err,
					  "not a provision of %s %s",
					  c->standard, c->version);
			goto fail;
		}
	}
	return CB_OK;
fail:
	scheme_release(s);
	return rc;
}

void scheme_release(struct scheme *s)
{
	if (!s)
		return;
	cb_json_release(&s->doc);
	memset(s, 0, sizeof(*s));
}
