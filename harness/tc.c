/*
 * tc.c - load and validate test case scripts (see tc.h).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/cb_error.h"
#include "harness/paths.h"
#include "harness/step.h"
#include "harness/subst.h"
#include "harness/tc.h"

static const char *const case_req[] = {"id", "provision", "kind", "title",
				       "units", NULL};
static const char *const case_opt[] = {"purpose", "applies_if", "needs",
				       NULL};
static const char *const needs_keys[] = {"samples", "ixit", NULL};
static const char *const unit_req[] = {"id", "title", "steps", NULL};
static const char *const unit_opt[] = {"for", "requires", NULL};

/* Roots a reference may start with; anything else must be a saved name. */
static const char *const ref_roots[] = {"product", "customer", "ics", "ixit",
					"sample",  "samples",  "other", "data",
					"run",	   NULL};
/* Keys a profile sample has; saved names must not shadow them. */
static const char *const sample_keys[] = {
	"id",	  "serial",    "mac",	   "console", "http",  "credentials",
	"label",  "received",  "condition", "notes",  "model", "host",
	"ssid",	  NULL};

int tc_generic_key(const char *key)
{
	return !strcmp(key, "step") || !strcmp(key, "save") ||
	       !strcmp(key, "title") || !strcmp(key, "on_fail");
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* State while checking references in one case. */
struct ref_check {
	const struct cb_json_doc *doc;
	const json_t *at;	/* the string value being checked */
	enum tc_for mode;
	json_t *saved;		/* object: saved name -> mode */
	struct cb_error *err;
	int line, col;
};

/* Fail at the "${" of a reference inside the string value rc->at. */
static int ref_fail(struct ref_check *rc, size_t offset, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static int ref_fail(struct ref_check *rc, size_t offset, const char *fmt,
		    ...)
{
	char text[CB_ERROR_TEXT_MAX];
	int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* The value starts at its quote; escapes before a reference are
	 * rare enough in scripts that the column is exact in practice. */
	cb_json_pos(rc->doc, rc->at, &line, &col);
	return cb_json_fail_at(rc->doc, line, line ? col + 1 + (int)offset : 0,
			       rc->err, "%s", text);
}

static int check_ref(void *ud, const char *path, size_t len, size_t offset)
{
	struct ref_check *rc = ud;
	char root[128];
	json_t *m;

	subst_root(path, len, root, sizeof(root));
	if (in_list(ref_roots, root)) {
		if (!strcmp(root, "sample") && rc->mode == TC_FOR_ONCE)
			return ref_fail(rc, offset,
					    "'${%.*s}': no current sample in a "
					    "unit that runs once (use \"for\": "
					    "\"each_sample\")",
					    (int)len, path);
		if (!strcmp(root, "other") && rc->mode != TC_FOR_SAMPLE_PAIRS)
			return ref_fail(rc, offset,
					    "'${%.*s}': 'other' needs \"for\": "
					    "\"sample_pairs\"",
					    (int)len, path);
		return 0;
	}
	m = json_object_get(rc->saved, root);
	if (!m)
		return ref_fail(rc, offset,
				    "'${%.*s}': '%s' is neither a context "
				    "root nor saved by an earlier step",
				    (int)len, path, root);
	if (json_integer_value(m) != TC_FOR_ONCE && rc->mode == TC_FOR_ONCE)
		return ref_fail(rc, offset,
				    "'${%.*s}': '%s' is saved per sample; read "
				    "it as ${samples[*].%s}",
				    (int)len, path, root, root);
	return 0;
}

/* Check every string below v for reference syntax and roots. */
static int check_refs(struct ref_check *rc, const json_t *v)
{
	const char *key, *why;
	json_t *child;
	size_t idx, bad;
	int r;

	if (json_is_string(v)) {
		rc->at = v;
		r = subst_scan(json_string_value(v), check_ref, rc, &bad, &why);
		if (r == -1)
			return ref_fail(rc, bad, "bad reference: %s", why);
		return r ? CB_EINVAL : CB_OK;
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child)
			if ((r = check_refs(rc, child)))
				return r;
	} else if (json_is_array(v)) {
		json_array_foreach(v, idx, child)
			if ((r = check_refs(rc, child)))
				return r;
	}
	return CB_OK;
}

static int check_save_name(const struct cb_json_doc *d, json_t *obj,
			   const char *name, struct cb_error *err)
{
	const char *p;

	if (!(name[0] >= 'a' && name[0] <= 'z'))
		return cb_json_fail_member(d, obj, "save", err,
					   "save name must start with a "
					   "lower-case letter");
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return cb_json_fail_member(d, obj, "save", err,
						   "save name may only hold "
						   "a-z, 0-9 and _");
	if (in_list(ref_roots, name) || in_list(sample_keys, name))
		return cb_json_fail_member(d, obj, "save", err,
					   "'%s' is reserved", name);
	return CB_OK;
}

static int tc_check_params(const struct cb_json_doc *d, json_t *obj,
			   const struct step_def *def, struct cb_error *err)
{
	const struct step_param *p;
	const char *key;
	char why[CB_ERROR_TEXT_MAX];
	json_t *v;

	json_object_foreach(obj, key, v) {
		if (tc_generic_key(key))
			continue;
		p = step_param_find(def, key);
		if (!p)
			return cb_json_fail_key(d, obj, key, err,
						"%s has no parameter '%s'",
						def->name, key);
		if (json_is_string(v) && subst_is_single(json_string_value(v)))
			continue; /* typed at run time */
		if (json_is_string(v) && strstr(json_string_value(v), "${") &&
		    (p->types & SP_STRING) && !(p->flags & SPF_REGEX))
			continue; /* becomes a string at run time */
		if (step_param_check(p, v, why, sizeof(why)))
			return cb_json_fail_member(d, obj, key, err, "%s", why);
	}
	for (p = def->params; p && p->name; p++)
		if ((p->flags & SPF_REQUIRED) && !json_object_get(obj, p->name))
			return cb_json_fail(d, obj, err,
					    "%s needs parameter '%s'",
					    def->name, p->name);
	return CB_OK;
}

static int tc_load_step(struct tc_case *tc, struct tc_unit *u, json_t *obj,
			struct tc_step *st, json_t *saved,
			struct cb_error *err)
{
	const struct cb_json_doc *d = &tc->doc;
	struct ref_check rc = {.doc = d, .mode = u->mode, .saved = saved,
			       .err = err};
	const char *name = NULL, *on_fail = NULL;
	int r;

	if (!json_is_object(obj))
		return cb_json_fail(d, obj, err, "a step must be an object");
	cb_json_pos(d, obj, &st->line, &st->col);
	r = cb_json_get_string(d, obj, "step", 1, &name, err);
	if (!r)
		r = cb_json_get_string(d, obj, "save", 0, &st->save, err);
	if (!r)
		r = cb_json_get_string(d, obj, "title", 0, &st->title, err);
	if (!r)
		r = cb_json_get_string(d, obj, "on_fail", 0, &on_fail, err);
	if (r)
		return r;
	st->def = step_lookup(name);
	if (!st->def)
		return cb_json_fail_member(d, obj, "step", err,
					   "unknown step '%s'", name);
	st->on_fail = CB_V_FAIL;
	if (on_fail) {
		if (strcmp(on_fail, "FAIL") && strcmp(on_fail, "INCONCLUSIVE"))
			return cb_json_fail_member(d, obj, "on_fail", err,
						   "on_fail must be FAIL or "
						   "INCONCLUSIVE");
		st->on_fail = (enum cb_verdict)cb_verdict_parse(on_fail);
	}
	if ((st->def->needs & STEP_NEEDS_SAMPLE) && u->mode == TC_FOR_ONCE)
		return cb_json_fail_member(d, obj, "step", err,
					   "%s runs on a sample: put it in a "
					   "unit with \"for\": \"each_sample\"",
					   name);
	if ((st->def->needs & STEP_NEEDS_OTHER) &&
	    u->mode != TC_FOR_SAMPLE_PAIRS)
		return cb_json_fail_member(d, obj, "step", err,
					   "%s needs \"for\": \"sample_pairs\"",
					   name);
	r = tc_check_params(d, obj, st->def, err);
	if (!r)
		r = check_refs(&rc, obj);
	if (!r && st->save)
		r = check_save_name(d, obj, st->save, err);
	if (r)
		return r;
	st->params = obj;
	if (st->save)
		json_object_set_new(saved, st->save, json_integer(u->mode));
	return CB_OK;
}

static int tc_unit_mode(const struct cb_json_doc *d, json_t *obj,
			enum tc_for *mode, struct cb_error *err)
{
	const char *s = NULL;
	int r = cb_json_get_string(d, obj, "for", 0, &s, err);

	*mode = TC_FOR_ONCE;
	if (r || !s)
		return r;
	if (!strcmp(s, "each_sample"))
		*mode = TC_FOR_EACH_SAMPLE;
	else if (!strcmp(s, "sample_pairs"))
		*mode = TC_FOR_SAMPLE_PAIRS;
	else if (strcmp(s, "once"))
		return cb_json_fail_member(d, obj, "for", err,
					   "'for' must be once, each_sample or "
					   "sample_pairs");
	return CB_OK;
}

static int tc_check_requires(struct tc_case *tc, struct tc_unit *u,
			     json_t *obj, size_t upto, struct cb_error *err)
{
	const struct cb_json_doc *d = &tc->doc;
	json_t *r;
	size_t k, j;

	if (!u->requires)
		return CB_OK;
	json_array_foreach(u->requires, k, r) {
		for (j = 0; j < upto; j++)
			if (json_is_string(r) &&
			    !strcmp(tc->units[j].id, json_string_value(r)))
				break;
		if (j == upto)
			return cb_json_fail(d, r, err,
					    "requires an earlier unit id");
	}
	(void)obj;
	return CB_OK;
}

static int tc_load_unit(struct tc_case *tc, json_t *obj, size_t idx,
			json_t *saved, struct cb_error *err)
{
	const struct cb_json_doc *d = &tc->doc;
	struct tc_unit *u = &tc->units[idx];
	json_t *steps = NULL, *s;
	size_t k;
	int r;

	r = cb_json_check_keys(d, obj, "unit", unit_opt, unit_req, err);
	if (!r)
		r = cb_json_get_string(d, obj, "id", 1, &u->id, err);
	if (!r)
		r = cb_json_get_string(d, obj, "title", 1, &u->title, err);
	if (!r)
		r = tc_unit_mode(d, obj, &u->mode, err);
	if (!r)
		r = cb_json_get_array(d, obj, "requires", 0, &u->requires, err);
	if (!r)
		r = cb_json_get_array(d, obj, "steps", 1, &steps, err);
	if (r)
		return r;
	cb_json_pos(d, obj, &u->line, &u->col);
	for (k = 0; k < idx; k++)
		if (!strcmp(tc->units[k].id, u->id))
			return cb_json_fail_member(d, obj, "id", err,
						   "duplicate unit id '%s'",
						   u->id);
	r = tc_check_requires(tc, u, obj, idx, err);
	if (r)
		return r;
	if (!json_array_size(steps))
		return cb_json_fail_member(d, obj, "steps", err,
					   "a unit needs at least one step");
	u->steps = calloc(json_array_size(steps), sizeof(*u->steps));
	if (!u->steps)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	json_array_foreach(steps, k, s) {
		r = tc_load_step(tc, u, s, &u->steps[k], saved, err);
		if (r)
			return r;
		u->nsteps++;
	}
	return CB_OK;
}

static int tc_check_names(struct tc_case *tc, json_t *list,
			  const struct catalog *cat, int ixit,
			  struct cb_error *err)
{
	json_t *v;
	size_t k;

	json_array_foreach(list, k, v) {
		if (!json_is_string(v))
			return cb_json_fail(&tc->doc, v, err, "expected a name");
		if (ixit ? !catalog_has_ixit(cat, json_string_value(v))
			 : !catalog_has_condition(cat, json_string_value(v)))
			return cb_json_fail(&tc->doc, v, err, "unknown %s '%s'",
					    ixit ? "IXIT section"
						 : "ICS condition",
					    json_string_value(v));
	}
	return CB_OK;
}

static int tc_load_needs(struct tc_case *tc, const struct catalog *cat,
			 struct cb_error *err)
{
	const struct cb_json_doc *d = &tc->doc;
	json_t *needs = NULL, *ns;
	int r;

	tc->needs_samples = 1;
	r = cb_json_get_object(d, d->root, "needs", 0, &needs, err);
	if (r || !needs)
		return r;
	r = cb_json_check_keys(d, needs, "needs", needs_keys, NULL, err);
	if (r)
		return r;
	ns = json_object_get(needs, "samples");
	if (ns) {
		if (!json_is_integer(ns) || json_integer_value(ns) < 0 ||
		    json_integer_value(ns) > 64)
			return cb_json_fail(d, ns, err,
					    "samples must be 0..64");
		tc->needs_samples = (long)json_integer_value(ns);
	}
	r = cb_json_get_array(d, needs, "ixit", 0, &tc->needs_ixit, err);
	if (!r && tc->needs_ixit)
		r = tc_check_names(tc, tc->needs_ixit, cat, 1, err);
	return r;
}

static int tc_check_header(struct tc_case *tc, const char *path,
			   const struct catalog *cat, struct cb_error *err)
{
	const struct cb_json_doc *d = &tc->doc;
	json_t *root = d->root;
	char stem[256];
	size_t plen;
	int r;

	r = cb_json_check_keys(d, root, "test case", case_opt, case_req, err);
	if (!r)
		r = cb_json_get_string(d, root, "id", 1, &tc->id, err);
	if (!r)
		r = cb_json_get_string(d, root, "provision", 1, &tc->provision,
				       err);
	if (!r)
		r = cb_json_get_string(d, root, "kind", 1, &tc->kind, err);
	if (!r)
		r = cb_json_get_string(d, root, "title", 1, &tc->title, err);
	if (!r)
		r = cb_json_get_string(d, root, "purpose", 0, &tc->purpose, err);
	if (!r)
		r = cb_json_get_array(d, root, "applies_if", 0, &tc->applies_if,
				      err);
	if (r)
		return r;
	cb_path_stem(stem, sizeof(stem), path);
	if (strcmp(stem, tc->id))
		return cb_json_fail_member(d, root, "id", err,
					   "id '%s' does not match the file "
					   "name '%s.json'",
					   tc->id, stem);
	if (!catalog_provision(cat, tc->provision))
		return cb_json_fail_member(d, root, "provision", err,
					   "'%s' is not a provision of %s %s",
					   tc->provision, cat->standard,
					   cat->version);
	plen = strlen(tc->provision);
	if (strncmp(tc->id, tc->provision, plen) || tc->id[plen] != '-')
		return cb_json_fail_member(d, root, "id", err,
					   "id must be '%s-N'", tc->provision);
	if (strcmp(tc->kind, "conceptual") && strcmp(tc->kind, "functional") &&
	    strcmp(tc->kind, "mixed"))
		return cb_json_fail_member(d, root, "kind", err,
					   "kind must be conceptual, functional "
					   "or mixed");
	if (tc->applies_if)
		r = tc_check_names(tc, tc->applies_if, cat, 0, err);
	return r;
}

int tc_load(struct tc_case *tc, const char *path, const struct catalog *cat,
	    struct cb_error *err)
{
	json_t *units = NULL, *u, *saved = json_object();
	size_t k;
	int r;

	memset(tc, 0, sizeof(*tc));
	r = cb_json_load(&tc->doc, path, err);
	if (r)
		goto out;
	cb_sha256_hex(tc->sha256, tc->doc.text, tc->doc.text_len);
	r = tc_check_header(tc, path, cat, err);
	if (!r)
		r = tc_load_needs(tc, cat, err);
	if (!r)
		r = cb_json_get_array(&tc->doc, tc->doc.root, "units", 1, &units,
				      err);
	if (r)
		goto out;
	if (!json_array_size(units)) {
		r = cb_json_fail_member(&tc->doc, tc->doc.root, "units", err,
					"a test case needs at least one unit");
		goto out;
	}
	tc->units = calloc(json_array_size(units), sizeof(*tc->units));
	if (!tc->units) {
		r = cb_error_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(units, k, u) {
		tc->nunits = k + 1;
		r = tc_load_unit(tc, u, k, saved, err);
		if (r)
			goto out;
	}
out:
	json_decref(saved);
	if (r)
		tc_release(tc);
	return r;
}

void tc_release(struct tc_case *tc)
{
	size_t k;

	if (!tc)
		return;
	for (k = 0; k < tc->nunits; k++)
		free(tc->units[k].steps);
	free(tc->units);
	cb_json_release(&tc->doc);
	memset(tc, 0, sizeof(*tc));
}

const struct tc_unit *tc_unit_find(const struct tc_case *tc, const char *id)
{
	size_t k;

	for (k = 0; k < tc->nunits; k++)
		if (!strcmp(tc->units[k].id, id))
			return &tc->units[k];
	return NULL;
}

int tc_unit_per_sample(const struct tc_unit *u)
{
	size_t k;

	if (u->mode == TC_FOR_EACH_SAMPLE)
		return 1;
	if (u->mode == TC_FOR_SAMPLE_PAIRS)
		return 0;
	for (k = 0; k < u->nsteps; k++)
		if (!(u->steps[k].def->needs & STEP_ANSWER))
			return 0;
	return 1;
}

static int tc_cmp(const void *a, const void *b)
{
	return strverscmp(((const struct tc_case *)a)->id,
			  ((const struct tc_case *)b)->id);
}

static int wanted(char *const *only, size_t nonly, const char *name)
{
	char stem[256];
	size_t k;

	if (!only)
		return 1;
	cb_path_stem(stem, sizeof(stem), name);
	for (k = 0; k < nonly; k++)
		if (!strcmp(only[k], stem))
			return 1;
	return 0;
}

int tc_set_load(struct tc_set *set, const char *dir, const struct catalog *cat,
		char *const *only, size_t nonly, struct cb_error *err)
{
	struct dirent **ents = NULL;
	char path[4096];
	int n, k, r = CB_OK;
	size_t len;
	struct tc_case *tmp;

	memset(set, 0, sizeof(*set));
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		cb_error_set_os(err, CB_ENODEV, "cannot read test cases");
		cb_error_at(err, dir, 0, 0);
		return CB_ENODEV;
	}
	for (k = 0; k < n; k++) {
		len = strlen(ents[k]->d_name);
		if (r || len < 6 || strcmp(ents[k]->d_name + len - 5, ".json") ||
		    !wanted(only, nonly, ents[k]->d_name))
			continue;
		tmp = realloc(set->cases, (set->n + 1) * sizeof(*tmp));
		if (!tmp) {
			r = cb_error_set(err, CB_ENOMEM, "out of memory");
			continue;
		}
		set->cases = tmp;
		cb_path_join(path, sizeof(path), dir, ents[k]->d_name);
		r = tc_load(&set->cases[set->n], path, cat, err);
		if (!r)
			set->n++;
	}
	for (k = 0; k < n; k++)
		free(ents[k]);
	free(ents);
	if (r) {
		tc_set_release(set);
		return r;
	}
	qsort(set->cases, set->n, sizeof(*set->cases), tc_cmp);
	return CB_OK;
}

void tc_set_release(struct tc_set *set)
{
	size_t k;

	if (!set)
		return;
	for (k = 0; k < set->n; k++)
		tc_release(&set->cases[k]);
	free(set->cases);
	memset(set, 0, sizeof(*set));
}

const struct tc_case *tc_set_find(const struct tc_set *set, const char *id)
{
	size_t k;

	for (k = 0; k < set->n; k++)
		if (!strcmp(set->cases[k].id, id))
			return &set->cases[k];
	return NULL;
}
