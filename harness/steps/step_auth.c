/*
 * step_auth.c - credentials without keeping them: auth.fingerprint turns
 * a secret into this run's keyed fingerprint; auth.try_list tries a list
 * of well-known credentials on a login surface and fails on any that is
 * accepted.
 */
#include <stdio.h>
#include <string.h>

#include "harness/cb_time.h"
#include "harness/console.h"
#include "harness/evidence.h"
#include "harness/step.h"

static const struct step_param fp_params[] = {
	{"value", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "the secret (registered, so it never appears in clear)"},
	{NULL},
};

static enum cb_verdict auth_fingerprint(struct step_run *sr)
{
	struct ev_log *ev = step_evidence(sr);
	const char *v = step_str(sr, "value", "");
	char fp[CB_FP_LEN];

	if (!v[0])
		return step_inconclusive(sr, "empty value: nothing to "
					     "fingerprint");
	if (ev_secret_add(ev, v, &sr->err))
		return step_bench_failed(sr);
	ev_fingerprint(ev, v, fp);
	sr->value = json_pack("{s:s}", "fingerprint", fp);
	return CB_V_PASS;
}

static const struct step_param try_params[] = {
	{"list", SP_ARRAY, SPF_REQUIRED, NULL, 0, 0,
	 "credentials: objects with user and password"},
	{"surface", SP_STRING, 0, "console", 0, 0, "where to try them"},
	{"max_attempts", SP_INT, 0, NULL, 1, 100000,
	 "stop after this many attempts (default 100)"},
	{"budget_ms", SP_INT, 0, NULL, 1000, 86400000,
	 "stop after this long (default 600000)"},
	{"list_name", SP_STRING, 0, NULL, 0, 0, "how to name the list"},
	{NULL},
};

struct try_state {
	size_t tried, accepted;
	json_t *hits;
};

static enum cb_verdict try_one(struct step_run *sr, struct console *con,
			       json_t *cred, size_t idx, struct try_state *ts)
{
	const char *user = json_string_value(json_object_get(cred, "user"));
	const char *pass = json_string_value(json_object_get(cred, "password"));
	enum console_outcome out;
	int nopw, rc;

	if (!user || !pass)
		return step_inconclusive(sr, "list entry %zu lacks user or "
					     "password",
					 idx + 1);
	rc = console_login(con, step_mech(sr), user, pass, &out, &nopw,
			   &sr->err);
	if (rc)
		return step_bench_failed(sr);
	ts->tried++;
	if (out != CONSOLE_ACCEPTED)
		return CB_V_PASS;
	ts->accepted++;
	json_array_append_new(ts->hits,
			      json_pack("{s:s,s:s,s:b}", "user", user,
					"password", pass, "no_password", nopw));
	step_say(sr, "%s/%s was accepted%s", user, pass[0] ? pass : "(empty)",
		 nopw ? " without a password prompt" : "");
	if (console_logout(con, step_mech(sr), &sr->err))
		return step_bench_failed(sr);
	return CB_V_PASS;
}

static enum cb_verdict auth_try_list(struct step_run *sr)
{
	json_t *list = step_arg(sr, "list"), *cred;
	const char *name = step_str(sr, "list_name", "list");
	size_t max = (size_t)step_int(sr, "max_attempts", 100), n, k;
	int64_t deadline = cb_now_ms() + step_int(sr, "budget_ms", 600000);
	struct try_state ts = {0};
	struct console *con;
	enum cb_verdict v = CB_V_PASS;

	n = json_array_size(list);
	if (!n)
		return step_inconclusive(sr, "empty credential list");
	if (step_console(sr, sr->sample, &con))
		return step_failed(sr);
	ts.hits = json_array();
	for (k = 0; k < n && k < max && v == CB_V_PASS; k++) {
		if (!cb_ms_left(deadline))
			break;
		cred = json_array_get(list, k);
		v = try_one(sr, con, cred, k, &ts);
	}
	sr->value = json_pack("{s:I,s:I,s:o}", "tried", (json_int_t)ts.tried,
			      "of", (json_int_t)n, "accepted", ts.hits);
	if (v != CB_V_PASS)
		return v;
	if (ts.accepted) {
		step_say(sr, "%zu of the %zu %s credentials tried %s accepted "
			     "on %s",
			 ts.accepted, ts.tried, name,
			 ts.accepted == 1 ? "was" : "were",
			 step_sample_id(sr->sample));
		return CB_V_FAIL;
	}
	if (ts.tried < n)
		return step_inconclusive(sr, "only %zu of %zu %s credentials "
					     "tried (attempt or time budget "
					     "spent); none was accepted",
					 ts.tried, n, name);
	step_say(sr, "none of the %zu %s credentials was accepted on %s",
		 ts.tried, name, step_sample_id(sr->sample));
	return CB_V_PASS;
}

const struct step_def step_auth_fingerprint = {
	.name = "auth.fingerprint",
	.summary = "keyed fingerprint of a secret, for comparing without "
		   "storing it",
	.params = fp_params,
	.run = auth_fingerprint,
};

const struct step_def step_auth_try_list = {
	.name = "auth.try_list",
	.summary = "try every credential of a list; FAIL on any accepted",
	.params = try_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = auth_try_list,
};
