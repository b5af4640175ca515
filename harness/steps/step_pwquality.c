/*
 * step_pwquality.c - auth.password_quality: every sample's pre-installed
 * password against the rules of pwquality.h, with the samples' public
 * identifiers (serial, MAC, SSID, model) and the shipped lists.  The
 * policy comes from the console or first password mechanism's
 * "password_policy" in the IXIT, else the step's parameters, else the
 * defaults.  Findings name their rule; passwords are never quoted.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/auth.h"
#include "harness/pwquality.h"
#include "harness/step.h"
#include "harness/steps/mechs.h"

static const struct step_param pwq_params[] = {
	{"min_length", SP_INT, 0, NULL, 1, 256, "default 8"},
	{"min_classes", SP_INT, 0, NULL, 1, 4, "default 2"},
	{"min_entropy_bits", SP_INT, 0, NULL, 1, 1024, "default 40"},
	{NULL},
};

static void pwq_policy_of(const struct step_run *sr, struct pwq_policy *p)
{
	const struct auth_mech *m;
	json_t *pol = NULL, *v;
	size_t n, k;

	pwq_policy_default(p);
	m = step_mechs(sr, &n);
	for (k = 0; k < n && !pol; k++)
		pol = json_object_get(m[k].json, "password_policy");
	if ((v = json_object_get(pol, "min_length")))
		p->min_length = (int)json_integer_value(v);
	if ((v = json_object_get(pol, "min_classes")))
		p->min_classes = (int)json_integer_value(v);
	if ((v = json_object_get(pol, "min_entropy_bits")))
		p->min_entropy_bits = (int)json_integer_value(v);
	p->min_length = (int)step_int(sr, "min_length", p->min_length);
	p->min_classes = (int)step_int(sr, "min_classes", p->min_classes);
	p->min_entropy_bits =
		(int)step_int(sr, "min_entropy_bits", p->min_entropy_bits);
}

static const char *sget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static enum cb_verdict auth_password_quality(struct step_run *sr)
{
	json_t *samples = step_samples(sr), *s, *found = json_array();
	struct pwq_lists lists = {step_data(sr, "mirai-credentials"),
				  step_data(sr, "common-passwords")};
	struct pwq_finding *f = NULL;
	struct pwq_sample *ps;
	struct pwq_policy pol;
	size_t n, k, nf = 0, with = 0;
	int rc;

	n = json_array_size(samples);
	ps = calloc(n ? n : 1, sizeof(*ps));
	if (!ps)
		return step_error(sr, CB_ENOMEM, "out of memory");
	json_array_foreach(samples, k, s) {
		ps[k].id = sget(s, "id");
		ps[k].password = sget(json_object_get(s, "credentials"),
				      "password");
		ps[k].serial = sget(s, "serial");
		ps[k].mac = sget(s, "mac");
		ps[k].ssid = sget(s, "ssid");
		ps[k].model = sget(s, "model");
		with += ps[k].password != NULL;
	}
	pwq_policy_of(sr, &pol);
	rc = pwq_check(ps, n, &pol, &lists, &f, &nf, &sr->err);
	free(ps);
	if (rc) {
		json_decref(found);
		return step_bench_failed(sr);
	}
	for (k = 0; k < nf; k++) {
		step_say(sr, "%s: %s (%s)", f[k].sample, f[k].text, f[k].rule);
		json_array_append_new(found,
				      json_pack("{s:s,s:s,s:s}", "sample",
						f[k].sample, "rule", f[k].rule,
						"text", f[k].text));
	}
	free(f);
	sr->value = json_pack("{s:o}", "findings", found);
	if (!with)
		return step_inconclusive(sr, "no sample has a documented "
					     "pre-installed password");
	if (nf)
		return CB_V_FAIL;
	step_say(sr, "the pre-installed passwords of %zu samples pass every "
		     "rule (length >= %d, >= %d character classes, >= %d bits, "
		     "not listed, no counters, not derived from identifiers)",
		 with, pol.min_length, pol.min_classes, pol.min_entropy_bits);
	return CB_V_PASS;
}

const struct step_def step_auth_password_quality = {
	.name = "auth.password_quality",
	.summary = "pre-installed passwords: length, classes, lists, "
		   "counters, derivation from public identifiers",
	.params = pwq_params,
	.run = auth_password_quality,
};
