/*
 * step_auth.c - steps over the documented login mechanisms of a sample
 * (IXIT 1-AuthMech), whatever their surface: auth.attempt,
 * auth.try_list, auth.change, auth.cleartext, and auth.fingerprint for
 * comparing secrets without keeping them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "harness/auth.h"
#include "harness/cb_hash.h"
#include "harness/cb_time.h"
#include "harness/evidence.h"
#include "harness/step.h"
#include "harness/steps/mechs.h"

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

static const struct step_param attempt_params[] = {
	{"user", SP_STRING, SPF_REQUIRED, NULL, 0, 0, "user name"},
	{"password", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "password (never recorded in clear)"},
	{"expect", SP_STRING, SPF_REQUIRED, "accepted|refused", 0, 0,
	 "FAIL unless every mechanism answers this way"},
	{"mechanisms", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" password mechanisms (default), \"network\", an id or ids"},
	{"describe", SP_STRING, 0, NULL, 0, 0, "how to name the credential"},
	{NULL},
};

/* One attempt on one mechanism, judged against 'expect'. */
static enum cb_verdict attempt_on(struct step_run *sr,
				  const struct auth_mech *m, const char *user,
				  const char *pass, int want_accept,
				  json_t *results)
{
	const char *desc = step_str(sr, "describe", "credential");
	const char *outcome;
	struct auth_try tr;

	if (mech_attempt_once(sr, m, user, pass, &tr))
		return step_failed(sr);
	outcome = tr.result == AUTH_ACCEPTED ? "accepted"
		  : tr.result == AUTH_LOCKED ? "refused (locked)"
					     : "refused";
	json_array_append_new(results,
			      json_pack("{s:s,s:s,s:b}", "mechanism", m->id,
					"outcome", outcome, "no_password",
					tr.no_password));
	step_say(sr, "%s for user '%s' was %s on %s (%s) of %s%s", desc, user,
		 outcome, m->id, auth_surface_name(m->surface),
		 step_sample_id(sr->sample),
		 tr.no_password ? " without asking for a password" : "");
	/* A console that asks for no password "accepts" every credential;
	 * the default-credential and discovery units report that. */
	if (want_accept)
		return tr.result == AUTH_ACCEPTED ? CB_V_PASS : CB_V_FAIL;
	return tr.result == AUTH_ACCEPTED ? CB_V_FAIL : CB_V_PASS;
}

static enum cb_verdict auth_attempt_run(struct step_run *sr)
{
	const struct auth_mech *sel[MECHS_MAX];
	const char *user = step_str(sr, "user", ""),
		   *pass = step_str(sr, "password", "");
	int want = !strcmp(step_str(sr, "expect", ""), "accepted");
	enum cb_verdict v = CB_V_NONE, one;
	json_t *results = json_array();
	char fp[CB_FP_LEN];
	size_t n, k;

	if (ev_secret_add(step_evidence(sr), pass, &sr->err))
		return step_bench_failed(sr);
	n = mechs_select(sr, MECHS_PASSWORD, sel);
	if (!n) {
		json_decref(results);
		return step_inconclusive(sr, "IXIT 1-AuthMech documents no "
					     "password mechanism to try");
	}
	for (k = 0; k < n; k++) {
		one = attempt_on(sr, sel[k], user, pass, want, results);
		v = cb_verdict_combine(v, one);
		if (one == CB_V_ERROR)
			break;
	}
	ev_fingerprint(step_evidence(sr), pass, fp);
	sr->value = json_pack("{s:s,s:s,s:o}", "user", user, "fingerprint",
			      fp, "results", results);
	return v;
}

static const struct step_param try_params[] = {
	{"list", SP_ARRAY, SPF_REQUIRED, NULL, 0, 0,
	 "credentials: objects with user and password"},
	{"mechanisms", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" (default), \"network\", an id or ids"},
	{"max_attempts", SP_INT, 0, NULL, 1, 100000,
	 "per mechanism (default 100)"},
	{"budget_ms", SP_INT, 0, NULL, 1000, 86400000,
	 "per mechanism, waits for lockouts included (default 600000)"},
	{"list_name", SP_STRING, 0, NULL, 0, 0, "how to name the list"},
	{"reset_with", SP_OBJECT, 0, NULL, 0, 0,
	 "the sample's own user and password: logged in with before a "
	 "documented lockout threshold is reached, so the list is tried "
	 "without locking the sample"},
	{NULL},
};

/*
 * Before the documented number of failures is reached, log in once with
 * the sample's own credential: the failure counter starts again, and the
 * list is tried without ever locking the sample.  Returns -1 on a bench
 * error.
 */
static int try_reset(struct step_run *sr, struct auth_conn *c,
		     size_t *since)
{
	json_t *rw = step_arg(sr, "reset_with");
	const char *u = json_string_value(json_object_get(rw, "user")),
		   *p = json_string_value(json_object_get(rw, "password"));
	long limit = mech_claim_long(c->m, "attempts", 0);
	struct auth_try tr;

	if (!u || !p || limit < 2 || (long)*since < limit - 1)
		return 0;
	*since = 0;
	return auth_attempt(c, u, p, &tr, &sr->err) ? -1 : 0;
}

/* Sleep until a documented lockout is over; 0 if it fits the budget. */
static int wait_lockout(const struct auth_mech *m, int64_t deadline)
{
	long rec = mech_claim_long(m, "recovery_s", 30);
	struct timespec ts = {.tv_sec = rec + 1};

	if (cb_now_ms() + (rec + 1) * 1000 > deadline)
		return -1;
	nanosleep(&ts, NULL);
	return 0;
}

static enum cb_verdict try_list_on(struct step_run *sr,
				   const struct auth_mech *m, json_t *hits)
{
	json_t *list = step_arg(sr, "list"), *cred;
	const char *name = step_str(sr, "list_name", "list"), *u, *p;
	size_t max = (size_t)step_int(sr, "max_attempts", 100), n, k, tried = 0,
	       found = 0, since;
	int64_t deadline = cb_now_ms() + step_int(sr, "budget_ms", 600000);
	struct auth_target t;
	struct auth_conn c;
	struct auth_try tr;
	void *ctx;
	hw_tap_fn *tap = step_tap(sr, &ctx);

	if (step_target(sr, sr->sample, m->surface == AUTH_CONSOLE, &t) ||
	    auth_conn_open(&c, m, &t, tap, ctx, &sr->err))
		return step_failed(sr);
	/* Failures before this step (other units, other surfaces of the
	 * same account) are not known here: with reset_with, start from a
	 * fresh count rather than run into a lockout and wait it out. */
	since = (size_t)mech_claim_long(m, "attempts", 0);
	n = json_array_size(list);
	for (k = 0; k < n && tried < max && cb_ms_left(deadline); k++) {
		cred = json_array_get(list, k);
		u = json_string_value(json_object_get(cred, "user"));
		p = json_string_value(json_object_get(cred, "password"));
		if (!u || !p) {
			auth_conn_close(&c);
			return step_inconclusive(sr, "list entry %zu lacks "
						     "user or password",
						 k + 1);
		}
		if (try_reset(sr, &c, &since) ||
		    auth_attempt(&c, u, p, &tr, &sr->err)) {
			auth_conn_close(&c);
			return step_bench_failed(sr);
		}
		since++;
		if (tr.result == AUTH_LOCKED) {
			since = 0;
			if (wait_lockout(m, deadline))
				break;
			k--; /* the same entry again, now unlocked */
			continue;
		}
		tried++;
		if (tr.result != AUTH_ACCEPTED)
			continue;
		since = 0;
		found++;
		json_array_append_new(hits, json_pack("{s:s,s:s,s:s}",
						      "mechanism", m->id,
						      "user", u, "password", p));
		step_say(sr, "%s/%s was accepted on %s%s", u,
			 p[0] ? p : "(empty)", m->id,
			 tr.no_password ? " without a password prompt" : "");
	}
	auth_conn_close(&c);
	if (found) {
		step_say(sr, "%zu of the %zu %s credentials tried %s accepted "
			     "on %s of %s",
			 found, tried, name, found == 1 ? "was" : "were", m->id,
			 step_sample_id(sr->sample));
		return CB_V_FAIL;
	}
	if (tried < n) {
		step_say(sr, "only %zu of %zu %s credentials tried on %s "
			     "(attempt or time budget spent); none was "
			     "accepted",
			 tried, n, name, m->id);
		return CB_V_INCONCLUSIVE;
	}
	step_say(sr, "none of the %zu %s credentials was accepted on %s of "
		     "%s",
		 tried, name, m->id, step_sample_id(sr->sample));
	return CB_V_PASS;
}

static enum cb_verdict auth_try_list(struct step_run *sr)
{
	const struct auth_mech *sel[MECHS_MAX];
	enum cb_verdict v = CB_V_NONE, one;
	json_t *hits = json_array();
	size_t n, k;

	if (!json_array_size(step_arg(sr, "list"))) {
		json_decref(hits);
		return step_inconclusive(sr, "empty credential list");
	}
	n = mechs_select(sr, MECHS_PASSWORD, sel);
	for (k = 0; k < n; k++) {
		one = try_list_on(sr, sel[k], hits);
		v = cb_verdict_combine(v, one);
		if (one == CB_V_ERROR)
			break;
	}
	sr->value = json_pack("{s:o}", "accepted", hits);
	if (!n)
		return step_inconclusive(sr, "IXIT 1-AuthMech documents no "
					     "password mechanism to try");
	return v;
}

static const struct step_param clear_params[] = {
	{"mechanisms", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" (default), \"network\", an id or ids"},
	{NULL},
};

/* Passwords crossing a network must be protected: telnet and plain HTTP
 * are flagged; local consoles are not networks. */
static enum cb_verdict auth_cleartext(struct step_run *sr)
{
	const struct auth_mech *sel[MECHS_MAX];
	const char *base = step_sample_json(sr->sample)
				   ? json_string_value(json_object_get(
					     step_sample_json(sr->sample),
					     "http"))
				   : NULL;
	size_t n, k, bad = 0, net = 0;

	n = mechs_select(sr, MECHS_PASSWORD, sel);
	for (k = 0; k < n; k++) {
		if (sel[k]->surface == AUTH_CONSOLE ||
		    sel[k]->surface == AUTH_OTHER)
			continue;
		net++;
		if (!auth_mech_cleartext(sel[k], base))
			continue;
		bad++;
		step_say(sr, "%s (%s) sends passwords over the network in "
			     "clear%s",
			 sel[k]->id, auth_surface_name(sel[k]->surface),
			 sel[k]->surface == AUTH_TELNET ? " (telnet)"
							: " (HTTP without TLS)");
	}
	if (bad)
		return CB_V_FAIL;
	step_say(sr, "%zu network password mechanism%s, all over TLS", net,
		 net == 1 ? "" : "s");
	return CB_V_PASS;
}

const struct step_def step_auth_fingerprint = {
	.name = "auth.fingerprint",
	.summary = "keyed fingerprint of a secret, for comparing without "
		   "storing it",
	.params = fp_params,
	.run = auth_fingerprint,
};

const struct step_def step_auth_attempt = {
	.name = "auth.attempt",
	.summary = "one login on every documented password mechanism; FAIL "
		   "unless each answers as expected",
	.params = attempt_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = auth_attempt_run,
};

const struct step_def step_auth_try_list = {
	.name = "auth.try_list",
	.summary = "try every credential of a list on every mechanism; FAIL "
		   "on any accepted",
	.params = try_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = auth_try_list,
};

const struct step_def step_auth_cleartext = {
	.name = "auth.cleartext",
	.summary = "FAIL for password mechanisms that cross a network "
		   "without TLS (telnet, plain HTTP)",
	.params = clear_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = auth_cleartext,
};
