/*
 * step_expect.c - expect.*: assertions over values that earlier steps
 * saved or that the profile states.  They touch no device.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_text.h"
#include "harness/step.h"

/* A short printable rendering of a value for a rationale. */
static void show(char *out, size_t len, const json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		cb_excerpt(out, len, json_string_value(v),
			   json_string_length(v), 80);
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	cb_excerpt(out, len, s ? s : "?", s ? strlen(s) : 1, 80);
	free(s);
}

static const char *what(const struct step_run *sr, const char *def)
{
	return step_str(sr, "message", def);
}

static const struct step_param equal_params[] = {
	{"actual", SP_ANY, SPF_REQUIRED, NULL, 0, 0, "observed value"},
	{"expected", SP_ANY, SPF_REQUIRED, NULL, 0, 0, "required value"},
	{"message", SP_STRING, 0, NULL, 0, 0, "what is being compared"},
	{NULL},
};

static enum cb_verdict expect_equal(struct step_run *sr)
{
	json_t *a = step_arg(sr, "actual"), *e = step_arg(sr, "expected");
	char as[128], es[128];

	show(as, sizeof(as), a);
	show(es, sizeof(es), e);
	if (json_equal(a, e)) {
		step_say(sr, "%s: %s as expected", what(sr, "value"), as);
		return CB_V_PASS;
	}
	step_say(sr, "%s: observed \"%s\", expected \"%s\"", what(sr, "value"),
		 as, es);
	return CB_V_FAIL;
}

static const struct step_param match_params[] = {
	{"value", SP_STRING, SPF_REQUIRED, NULL, 0, 0, "observed text"},
	{"pattern", SP_STRING, SPF_REQUIRED | SPF_REGEX, NULL, 0, 0,
	 "POSIX extended regular expression"},
	{"ignore_case", SP_BOOL, 0, NULL, 0, 0, "match without case"},
	{"message", SP_STRING, 0, NULL, 0, 0, "what is being checked"},
	{NULL},
};

static enum cb_verdict expect_match(struct step_run *sr)
{
	const char *v = step_str(sr, "value", ""), *pat = step_str(sr, "pattern", "");
	char ex[128];
	regmatch_t m;
	regex_t re;
	int rc;

	rc = regcomp(&re, pat, REG_EXTENDED | REG_NEWLINE |
				       (step_bool(sr, "ignore_case", 0)
						? REG_ICASE
						: 0));
	if (rc)
		return step_inconclusive(sr, "bad pattern /%s/", pat);
	rc = regexec(&re, v, 1, &m, 0);
	regfree(&re);
	if (!rc) {
		cb_excerpt(ex, sizeof(ex), v + m.rm_so,
			   (size_t)(m.rm_eo - m.rm_so), 80);
		step_say(sr, "%s: found \"%s\"", what(sr, "text"), ex);
		return CB_V_PASS;
	}
	cb_excerpt(ex, sizeof(ex), v, strlen(v), 80);
	step_say(sr, "%s: /%s/ not found in \"%s\"", what(sr, "text"), pat, ex);
	return CB_V_FAIL;
}

static const struct step_param distinct_params[] = {
	{"values", SP_ARRAY, SPF_REQUIRED, NULL, 0, 0,
	 "values that must all differ"},
	{"labels", SP_ARRAY, 0, NULL, 0, 0,
	 "names for the values in messages (e.g. sample ids)"},
	{"message", SP_STRING, 0, NULL, 0, 0, "what must differ"},
	{NULL},
};

static const char *label_of(const struct step_run *sr, size_t i, char *buf,
			    size_t len)
{
	json_t *l = json_array_get(step_arg(sr, "labels"), i);

	if (json_is_string(l))
		return json_string_value(l);
	snprintf(buf, len, "#%zu", i + 1);
	return buf;
}

static enum cb_verdict expect_distinct(struct step_run *sr)
{
	json_t *vals = step_arg(sr, "values");
	size_t n = json_array_size(vals), i, j, dups = 0;
	char a[64], b[64], vs[128];

	if (n < 2)
		return step_inconclusive(sr, "%s: %zu value(s), need two to "
					     "compare",
					 what(sr, "values"), n);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (!json_equal(json_array_get(vals, i),
					json_array_get(vals, j)))
				continue;
			show(vs, sizeof(vs), json_array_get(vals, i));
			step_say(sr, "%s: %s and %s share the same value (%s)",
				 what(sr, "values"), label_of(sr, i, a, sizeof(a)),
				 label_of(sr, j, b, sizeof(b)), vs);
			dups++;
		}
	}
	if (dups)
		return CB_V_FAIL;
	step_say(sr, "%s: all %zu differ", what(sr, "values"), n);
	return CB_V_PASS;
}

static const struct step_param subset_params[] = {
	{"actual", SP_ARRAY, SPF_REQUIRED, NULL, 0, 0, "observed items"},
	{"allowed", SP_ARRAY, SPF_REQUIRED, NULL, 0, 0, "documented items"},
	{"message", SP_STRING, 0, NULL, 0, 0, "what is being compared"},
	{NULL},
};

static enum cb_verdict expect_subset(struct step_run *sr)
{
	json_t *act = step_arg(sr, "actual"), *allowed = step_arg(sr, "allowed");
	json_t *v, *w;
	size_t i, j, extra = 0;
	char vs[128];

	json_array_foreach(act, i, v) {
		json_array_foreach(allowed, j, w)
			if (json_equal(v, w))
				break;
		if (j < json_array_size(allowed))
			continue;
		show(vs, sizeof(vs), v);
		step_say(sr, "%s: %s is not documented", what(sr, "item"), vs);
		extra++;
	}
	if (extra)
		return CB_V_FAIL;
	step_say(sr, "%s: all %zu observed items are documented",
		 what(sr, "items"), json_array_size(act));
	return CB_V_PASS;
}

const struct step_def step_expect_equal = {
	.name = "expect.equal",
	.summary = "FAIL unless actual equals expected",
	.params = equal_params,
	.run = expect_equal,
};

const struct step_def step_expect_match = {
	.name = "expect.match",
	.summary = "FAIL unless value matches a regular expression",
	.params = match_params,
	.run = expect_match,
};

const struct step_def step_expect_distinct = {
	.name = "expect.distinct",
	.summary = "FAIL if any two values are equal (names the pair)",
	.params = distinct_params,
	.run = expect_distinct,
};

const struct step_def step_expect_subset = {
	.name = "expect.subset",
	.summary = "FAIL for every observed item that is not allowed",
	.params = subset_params,
	.run = expect_subset,
};
