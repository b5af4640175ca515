/*
 * step_bruteforce.c - auth.bruteforce: wrong passwords at rising
 * concurrency on each network login mechanism (or the ones named; a
 * console, one session, at concurrency 1 only), then the judgement of
 * bruteforce.h against the IXIT claim ("brute_force": {"kind",
 * "attempts", "recovery_s", "max_per_min"}).  After each level the right
 * password is tried (a positive control and a probe for silent
 * lockouts); a lockout is waited out, never extended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/bruteforce.h"
#include "harness/cb_time.h"
#include "harness/evidence.h"
#include "harness/step.h"
#include "harness/steps/mechs.h"

#define BF_MAX_LEVELS 8

static const int bf_default_levels[] = {1, 4, 16, 32};

static const struct step_param bf_params[] = {
	{"user", SP_STRING, SPF_REQUIRED, NULL, 0, 0, "account to attack"},
	{"password", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "its right password, for the controls"},
	{"mechanisms", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "default \"network\": every network password mechanism"},
	{"levels", SP_ARRAY, 0, NULL, 0, 0,
	 "concurrency levels, default [1, 4, 16, 32]"},
	{"attempts", SP_INT, 0, NULL, 2, 100000,
	 "wrong attempts per level (default 40)"},
	{"level_ms", SP_INT, 0, NULL, 100, 3600000,
	 "time limit per level (default 20000)"},
	{"max_per_min", SP_INT, 0, NULL, 1, 1000000,
	 "highest acceptable sustained guesses per minute without lockout "
	 "or throttling (default 60)"},
	{"budget_ms", SP_INT, 0, NULL, 1000, 86400000,
	 "whole step, waits included (default 600000)"},
	{NULL},
};

/*
 * The right password once.  A throttling device may hold it behind the
 * attempts still queued from the level: that is retried (within the
 * budget) rather than taken for a refusal or a bench failure.
 */
static int bf_control(struct step_run *sr, const struct auth_mech *m,
		      int *accepted)
{
	int64_t deadline = cb_now_ms() + 120000;
	struct auth_try tr;
	int rc;

	do {
		cb_error_clear(&sr->err);
		rc = mech_attempt_once(sr, m, step_str(sr, "user", ""),
				       step_str(sr, "password", ""), &tr);
	} while (rc == CB_ETIMEOUT && cb_ms_left(deadline));
	*accepted = !rc && tr.result == AUTH_ACCEPTED;
	return rc;
}

/*
 * Wait out a lockout: the claimed recovery, then the right password every
 * quarter of it (at least 1 s), within the budget and three times the
 * claim.  Polling no faster keeps from extending a lockout that restarts
 * on each attempt.
 */
static int bf_wait(struct step_run *sr, const struct auth_mech *m,
		   int64_t deadline, int64_t *recovered_ms)
{
	long rec = mech_claim_long(m, "recovery_s", 30);
	int64_t t0 = cb_now_ms(), limit = t0 + (rec * 3 + 10) * 1000;
	int64_t step = rec >= 4 ? rec * 250 : 1000, wait = rec * 1000 + 500;
	struct timespec ts;
	int ok = 0;

	*recovered_ms = -1;
	while (!ok) {
		if (cb_now_ms() + wait > deadline || cb_now_ms() > limit)
			return 0;
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000;
		nanosleep(&ts, NULL);
		if (bf_control(sr, m, &ok))
			return -1;
		wait = step;
	}
	*recovered_ms = cb_now_ms() - t0;
	return 0;
}

static void bf_level_json(json_t *arr, const struct bf_level *l)
{
	char rate[32], guess[32];

	bf_rate_str(rate, sizeof(rate), l->st.rate_x100);
	bf_rate_str(guess, sizeof(guess), l->st.guess_rate_x100);
	json_array_append_new(
		arr, json_pack("{s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I,s:I,"
			       "s:I,s:b}",
			       "concurrency", l->concurrency, "attempts",
			       (json_int_t)l->st.attempts, "refused",
			       (json_int_t)l->st.refused, "locked",
			       (json_int_t)l->st.locked, "errors",
			       (json_int_t)l->st.errors, "elapsed_ms",
			       (json_int_t)l->st.elapsed_ms, "first_locked",
			       (json_int_t)l->st.first_locked,
			       "attempts_per_s", rate, "guesses_per_s", guess,
			       "latency_p50_ms", (json_int_t)l->st.p50,
			       "latency_p90_ms", (json_int_t)l->st.p90,
			       "latency_p99_ms", (json_int_t)l->st.p99,
			       "right_password_refused_after",
			       l->control_refused));
}

static void bf_claim_of(const struct auth_mech *m, struct bf_claim *c)
{
	json_t *b = json_object_get(m->json, "brute_force");

	memset(c, 0, sizeof(*c));
	c->kind = json_string_value(json_object_get(b, "kind"));
	c->attempts = mech_claim_long(m, "attempts", 0);
	c->recovery_s = mech_claim_long(m, "recovery_s", 0);
	c->max_rate_x100 = mech_claim_long(m, "max_per_min", 0) * 100 / 60;
}

static enum cb_verdict bf_mech(struct step_run *sr, const struct auth_mech *m,
			       int64_t deadline, json_t *out)
{
	struct bf_level lv[BF_MAX_LEVELS];
	json_t *levels = step_arg(sr, "levels"), *lj = json_array(), *x;
	struct bf_job job = {0};
	struct bf_out o;
	struct bf_claim claim;
	struct auth_target t;
	char why[2048], rate[32], line[160];
	size_t n = 0, k;
	int ok, v;

	if (step_target(sr, sr->sample, m->surface == AUTH_CONSOLE, &t))
		return step_failed(sr);
	job.m = m;
	job.t = &t;
	job.tap = step_tap(sr, &job.tap_ctx);
	job.user = step_str(sr, "user", "");
	job.wrong_prefix = "cb-wrong";
	job.max_attempts = (size_t)step_int(sr, "attempts", 40);
	job.time_limit_ms = step_int(sr, "level_ms", 20000);
	job.stop_on_locked = 1;
	for (k = 0; k < BF_MAX_LEVELS; k++) {
		x = json_array_get(levels, k);
		if (levels ? !json_is_integer(x) : k >= 4)
			break;
		job.concurrency = levels ? (int)json_integer_value(x)
					 : bf_default_levels[k];
		if (cb_now_ms() + job.time_limit_ms > deadline)
			break;
		memset(&lv[n], 0, sizeof(lv[n]));
		lv[n].concurrency = job.concurrency;
		lv[n].recovered_ms = 0;
		if (bf_run(&job, &o, &sr->err))
			return step_bench_failed(sr);
		bf_stats(&o, &lv[n].st);
		bf_out_release(&o);
		if (bf_control(sr, m, &ok))
			return step_failed(sr);
		lv[n].control_refused = !ok;
		if (!ok && bf_wait(sr, m, deadline, &lv[n].recovered_ms))
			return step_failed(sr);
		bf_level_json(lj, &lv[n]);
		n++;
		/* a console is one session: its one level is concurrency 1 */
		if (lv[n - 1].recovered_ms < 0 || m->surface == AUTH_CONSOLE)
			break;
	}
	bf_claim_of(m, &claim);
	v = bf_judge(lv, n, &claim, step_int(sr, "max_per_min", 60) * 100 / 60,
		     why, sizeof(why));
	step_say(sr, "%s (%s): %s", m->id, auth_surface_name(m->surface), why);
	for (k = 0; k < n; k++) {
		bf_rate_str(rate, sizeof(rate), lv[k].st.rate_x100);
		snprintf(line, sizeof(line),
			 "%d parallel: %zu attempts, %s/s, latency p50 %lld "
			 "ms p90 %lld ms p99 %lld ms",
			 lv[k].concurrency, lv[k].st.attempts, rate,
			 (long long)lv[k].st.p50, (long long)lv[k].st.p90,
			 (long long)lv[k].st.p99);
		step_say(sr, "%s", line);
	}
	json_array_append_new(out, json_pack("{s:s,s:o,s:s}", "mechanism",
					     m->id, "levels", lj, "verdict",
					     cb_verdict_name(v)));
	return (enum cb_verdict)v;
}

static enum cb_verdict auth_bruteforce(struct step_run *sr)
{
	const struct auth_mech *sel[MECHS_MAX];
	int64_t deadline = cb_now_ms() + step_int(sr, "budget_ms", 600000);
	enum cb_verdict v = CB_V_NONE;
	json_t *out = json_array();
	size_t n, k;

	if (ev_secret_add(step_evidence(sr), step_str(sr, "password", ""),
			  &sr->err))
		return step_bench_failed(sr);
	n = mechs_select(sr, MECHS_PASSWORD |
				     (step_arg(sr, "mechanisms")
					      ? 0
					      : MECHS_NETWORK),
			 sel);
	for (k = 0; k < n && v != CB_V_ERROR; k++)
		v = cb_verdict_combine(v, bf_mech(sr, sel[k], deadline, out));
	sr->value = json_pack("{s:o}", "mechanisms", out);
	if (!n) {
		/* Nothing to attack: the discovery unit checks that no
		 * undocumented network login exists either. */
		step_say(sr, "no network password mechanism is documented");
		return CB_V_PASS;
	}
	return v;
}

const struct step_def step_auth_bruteforce = {
	.name = "auth.bruteforce",
	.summary = "wrong passwords at rising concurrency; PASS only for a "
		   "lockout or effective throttling that matches the IXIT",
	.params = bf_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = auth_bruteforce,
};
