/*
 * profile_inp.c - the profile part that describes input validation:
 * IXIT 29-InpVal, one entry per validated input, each with a documented
 * example body and the constraints of its fields.
 *
 * input.fuzz (5.13-1-2 a) fails a device that accepts input breaking a
 * documented constraint, so a misspelt constraint would silently turn a
 * must-refuse input into an allowed one: everything is checked when the
 * profile loads.  The example is the positive control, so it must itself
 * keep the constraints documented for it.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/mutate.h"
#include "harness/profile.h"

static const char *const inp_req[] = {"id", "source", "method", "path",
				      "example", NULL};
static const char *const inp_opt[] = {
	"id", "source", "method", "path", "auth", "content_type",
	"validation", "example", "fields", "reject_status", "health", NULL};
static const char *const sources[] = {"user_interface", "api", "network",
				      NULL};
static const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE",
				      NULL};
static const char *const auths[] = {"none", "basic", "digest", NULL};
static const char *const field_req[] = {"type", NULL};
static const char *const field_opt[] = {"type", "min_length", "max_length",
					"min", "max", "pattern", NULL};
static const char *const types[] = {"string", "integer", "number",
				    "boolean", NULL};

#define INP_LEN_MAX (1L << 30)

static int want_path(const struct cb_json_doc *d, json_t *o, const char *key,
		     int required, struct cb_error *err)
{
	const char *s = NULL;
	int rc = cb_json_get_string(d, o, key, required, &s, err);

	if (!rc && s && s[0] != '/')
		rc = cb_json_fail_member(d, o, key, err,
					 "'%s' must be a path on the sample's "
					 "API, starting with /",
					 key);
	return rc;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t k, c = 0;

	for (k = 0; k < n; k++)
		c += ((unsigned char)s[k] & 0xc0) != 0x80;
	return c;
}

/* Why the example's value v breaks its field spec f, or NULL. */
static const char *example_breaks(json_t *f, json_t *v, char *why,
				  size_t len)
{
	const char *t = json_string_value(json_object_get(f, "type"));
	json_t *lo = json_object_get(f, "min"), *hi = json_object_get(f, "max");
	const char *pat = json_string_value(json_object_get(f, "pattern"));
	long long min_len = -1, max_len = -1;
	regex_t re;
	int miss;

	if (json_object_get(f, "min_length"))
		min_len = json_integer_value(json_object_get(f, "min_length"));
	if (json_object_get(f, "max_length"))
		max_len = json_integer_value(json_object_get(f, "max_length"));
	if ((!strcmp(t, "string") && !json_is_string(v)) ||
	    (!strcmp(t, "integer") && !json_is_integer(v)) ||
	    (!strcmp(t, "number") && !json_is_number(v)) ||
	    (!strcmp(t, "boolean") && !json_is_boolean(v))) {
		snprintf(why, len, "is %s, not %s", cb_json_type_name(v), t);
		return why;
	}
	if (json_is_string(v)) {
		if (max_len >= 0 && utf8_chars(json_string_value(v),
					       json_string_length(v)) >
					    (size_t)max_len)
			snprintf(why, len, "is longer than its max_length %lld",
				 max_len);
		else if ((long long)json_string_length(v) < min_len)
			snprintf(why, len,
				 "is shorter than its min_length %lld",
				 min_len);
		else if (pat && !regcomp(&re, pat, REG_EXTENDED | REG_NOSUB)) {
			miss = regexec(&re, json_string_value(v), 0, NULL, 0);
			regfree(&re);
			if (miss)
				snprintf(why, len,
					 "does not match its pattern");
			return miss ? why : NULL;
		} else {
			return NULL;
		}
		return why;
	}
	if (json_is_number(v) && ((lo && json_number_value(v) <
					       json_number_value(lo)) ||
				  (hi && json_number_value(v) >
						 json_number_value(hi)))) {
		snprintf(why, len, "is outside its min and max");
		return why;
	}
	return NULL;
}

/* Keys of a spec that only make sense for some types. */
static int check_field_keys(const struct cb_json_doc *d, json_t *f,
			    const char *t, struct cb_error *err)
{
	static const char *const strs[] = {"min_length", "max_length",
					   "pattern", NULL};
	static const char *const nums[] = {"min", "max", NULL};
	int str = !strcmp(t, "string"),
	    num = !strcmp(t, "integer") || !strcmp(t, "number");
	const char *const *k;

	for (k = strs; *k; k++)
		if (!str && json_object_get(f, *k))
			return cb_json_fail_key(d, f, *k, err,
						"'%s' applies to strings, not "
						"to %s fields",
						*k, t);
	for (k = nums; *k; k++)
		if (!num && json_object_get(f, *k))
			return cb_json_fail_key(d, f, *k, err,
						"'%s' applies to integer and "
						"number fields, not to %s "
						"fields",
						*k, t);
	return CB_OK;
}

static int check_bound(const struct cb_json_doc *d, json_t *f,
		       const char *key, int integer, struct cb_error *err)
{
	json_t *v = json_object_get(f, key);

	if (v && (integer ? !json_is_integer(v) : !json_is_number(v)))
		return cb_json_fail_member(d, f, key, err,
					   "'%s' must be %s", key,
					   integer ? "an integer"
						   : "a number");
	return CB_OK;
}

static int check_field(const struct cb_json_doc *d, json_t *fields,
		       const char *name, json_t *example,
		       struct cb_error *err)
{
	json_t *f = json_object_get(fields, name), *lo, *hi;
	const char *t = NULL;
	char what[96], why[96];
	int rc;

	snprintf(what, sizeof(what), "field '%.60s'", name);
	if (!name[0])
		return cb_json_fail_key(d, fields, name, err,
					"a field name cannot be empty");
	if (!json_is_object(f))
		return cb_json_fail_member(d, fields, name, err,
					   "%s must be an object of "
					   "constraints",
					   what);
	rc = cb_json_check_keys(d, f, what, field_opt, field_req, err);
	if (!rc)
		rc = profile_want_string(d, f, "type", 1, types, err);
	if (!rc)
		rc = cb_json_get_string(d, f, "type", 1, &t, err);
	if (!rc)
		rc = check_field_keys(d, f, t, err);
	if (!rc)
		rc = profile_want_int(d, f, "min_length", 0, 0, INP_LEN_MAX,
				      err);
	if (!rc)
		rc = profile_want_int(d, f, "max_length", 0, 0, INP_LEN_MAX,
				      err);
	if (!rc)
		rc = check_bound(d, f, "min", !strcmp(t, "integer"), err);
	if (!rc)
		rc = check_bound(d, f, "max", !strcmp(t, "integer"), err);
	if (!rc)
		rc = profile_check_regex(d, f, "pattern", err);
	if (rc)
		return rc;
	lo = json_object_get(f, "min_length");
	hi = json_object_get(f, "max_length");
	if (lo && hi && json_integer_value(lo) > json_integer_value(hi))
		return cb_json_fail_member(d, f, "max_length", err,
					   "'max_length' is below "
					   "'min_length'");
	lo = json_object_get(f, "min");
	hi = json_object_get(f, "max");
	if (lo && hi && json_number_value(lo) > json_number_value(hi))
		return cb_json_fail_member(d, f, "max", err,
					   "'max' is below 'min'");
	if (json_object_get(example, name) &&
	    example_breaks(f, json_object_get(example, name), why,
			   sizeof(why)))
		return cb_json_fail_member(d, example, name, err,
					   "the example's '%.60s' %s, so it "
					   "cannot be the positive control",
					   name, why);
	return CB_OK;
}

static int check_example(const struct cb_json_doc *d, json_t *in,
			 struct cb_error *err)
{
	json_t *ex = json_object_get(in, "example");
	char *text;
	size_t n;

	if (json_is_string(ex))
		return cb_json_fail_member(d, in, "example", err,
					   "'example' is the JSON body "
					   "itself, an object, not a string "
					   "holding it");
	if (!json_is_object(ex))
		return cb_json_fail_member(d, in, "example", err,
					   "'example' must be a JSON object");
	text = json_dumps(ex, JSON_COMPACT | JSON_SORT_KEYS);
	n = text ? strlen(text) : 0;
	free(text);
	if (n > MUT_EXAMPLE_MAX)
		return cb_json_fail_member(d, in, "example", err,
					   "'example' is larger than %u "
					   "bytes",
					   MUT_EXAMPLE_MAX);
	return CB_OK;
}

static int check_statuses(const struct cb_json_doc *d, json_t *in,
			  struct cb_error *err)
{
	json_t *a = NULL, *v;
	size_t k;
	int rc = cb_json_get_array(d, in, "reject_status", 0, &a, err);

	if (rc || !a)
		return rc;
	if (!json_array_size(a))
		return cb_json_fail_member(d, in, "reject_status", err,
					   "'reject_status' is empty; leave "
					   "it out for any 4xx");
	json_array_foreach(a, k, v)
		if (!json_is_integer(v) || json_integer_value(v) < 400 ||
		    json_integer_value(v) > 499)
			return cb_json_fail(d, v, err,
					    "'reject_status' holds HTTP "
					    "client error codes (400 to 499)");
	return CB_OK;
}

static int check_input(const struct cb_json_doc *d, json_t *list, size_t idx,
		       struct cb_error *err)
{
	json_t *in = json_array_get(list, idx), *fields = NULL, *o;
	const char *id = NULL, *ct = NULL, *name;
	size_t k;
	int rc;

	if (!json_is_object(in))
		return cb_json_fail(d, in, err, "an input must be an object");
	rc = cb_json_check_keys(d, in, "input", inp_opt, inp_req, err);
	if (!rc)
		rc = cb_json_get_string(d, in, "id", 1, &id, err);
	if (!rc)
		rc = profile_want_string(d, in, "source", 1, sources, err);
	if (!rc)
		rc = profile_want_string(d, in, "method", 1, methods, err);
	if (!rc)
		rc = want_path(d, in, "path", 1, err);
	if (!rc)
		rc = profile_want_string(d, in, "auth", 0, auths, err);
	if (!rc)
		rc = cb_json_get_string(d, in, "content_type", 0, &ct, err);
	if (!rc && ct && !strcasestr(ct, "json"))
		rc = cb_json_fail_member(d, in, "content_type", err,
					 "certbench sends JSON bodies: "
					 "'content_type' must be a JSON media "
					 "type");
	if (!rc)
		rc = profile_want_string(d, in, "validation", 0, NULL, err);
	if (!rc)
		rc = want_path(d, in, "health", 0, err);
	if (!rc)
		rc = check_statuses(d, in, err);
	if (!rc)
		rc = check_example(d, in, err);
	if (!rc)
		rc = cb_json_get_object(d, in, "fields", 0, &fields, err);
	if (rc)
		return rc;
	json_object_foreach(fields, name, o)
		if ((rc = check_field(d, fields, name,
				      json_object_get(in, "example"), err)))
			return rc;
	for (k = 0; k < idx; k++) {
		o = json_array_get(list, k);
		if (!strcmp(json_string_value(json_object_get(o, "id")), id))
			return cb_json_fail_member(d, in, "id", err,
						   "duplicate input id '%s'",
						   id);
	}
	return CB_OK;
}

int profile_check_inputs(const struct cb_json_doc *d, json_t *ixit,
			 struct cb_error *err)
{
	json_t *sec = json_object_get(ixit, "29-InpVal");
	size_t k;
	int rc;

	if (!sec)
		return CB_OK;
	if (!json_is_array(sec))
		return cb_json_fail(d, sec, err,
				    "29-InpVal must be a list of inputs");
	for (k = 0; k < json_array_size(sec); k++)
		if ((rc = check_input(d, sec, k, err)))
			return rc;
	return CB_OK;
}
