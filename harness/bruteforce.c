/*
 * bruteforce.c - parallel attempts (threads, one connection each) and the
 * judgement of brute-force resistance (see bruteforce.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/bruteforce.h"
#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/verdict.h"

#define BF_MAX_THREADS 256
#define BF_MAX_RECS 1000000

struct bf_shared {
	const struct bf_job *job;
	struct bf_out *out;
	pthread_mutex_t lock;
	size_t issued;
	int stop;
	int64_t t0, deadline;
	size_t cap;
};

static void bf_next_password(const struct bf_job *j, size_t idx, char *buf,
			     size_t len, const char **pw)
{
	if (j->list) {
		*pw = j->list[idx];
		return;
	}
	snprintf(buf, len, "%s-%06zu", j->wrong_prefix ? j->wrong_prefix
							: "cb-wrong",
		 idx);
	*pw = buf;
}

static void bf_record(struct bf_shared *sh, const struct auth_try *tr,
		      int rc, const struct cb_error *e, size_t idx,
		      const char *pw)
{
	struct bf_out *o = sh->out;
	struct bf_rec *r;

	if (o->n == sh->cap && sh->cap < BF_MAX_RECS) {
		size_t cap = sh->cap ? sh->cap * 2 : 256;

		r = realloc(o->recs, cap * sizeof(*r));
		if (r) {
			o->recs = r;
			sh->cap = cap;
		}
	}
	if (o->n < sh->cap) {
		r = &o->recs[o->n++];
		r->t_ms = tr->start_ms - sh->t0;
		r->latency_ms = tr->latency_ms;
		r->result = !rc ? (int)tr->result
			    : rc == CB_ETIMEOUT ? BF_HELD
						: BF_ERROR;
	}
	if (rc && !o->first_error[0])
		snprintf(o->first_error, sizeof(o->first_error), "%s",
			 e->text);
	if (!rc && tr->result == AUTH_LOCKED && sh->job->stop_on_locked)
		sh->stop = 1;
	if (!rc && tr->result == AUTH_ACCEPTED && !o->found[0]) {
		snprintf(o->found, sizeof(o->found), "%s", pw);
		o->found_index = idx;
		if (sh->job->stop_on_accept)
			sh->stop = 1;
	}
}

static void *bf_worker(void *arg)
{
	struct bf_shared *sh = arg;
	const struct bf_job *j = sh->job;
	struct auth_conn c;
	struct auth_try tr;
	struct cb_error e = {0};
	char buf[96];
	const char *pw;
	size_t idx;
	int rc, open;

	open = !auth_conn_open(&c, j->m, j->t, j->tap, j->tap_ctx, &e);
	for (;;) {
		pthread_mutex_lock(&sh->lock);
		if (sh->stop || sh->issued >= j->max_attempts ||
		    (j->list && sh->issued >= j->nlist) ||
		    cb_now_ms() >= sh->deadline) {
			pthread_mutex_unlock(&sh->lock);
			break;
		}
		idx = sh->issued++;
		pthread_mutex_unlock(&sh->lock);
		bf_next_password(j, idx, buf, sizeof(buf), &pw);
		memset(&tr, 0, sizeof(tr));
		tr.start_ms = cb_now_ms();
		cb_error_clear(&e);
		if (!open) {
			rc = auth_conn_open(&c, j->m, j->t, j->tap, j->tap_ctx,
					    &e);
			open = !rc;
		}
		rc = open ? auth_attempt(&c, j->user, pw, &tr, &e) : e.code;
		if (rc) {
			/* A broken connection is reopened for the next try. */
			if (open)
				auth_conn_close(&c);
			open = 0;
			if (!e.code)
				cb_error_set(&e, rc, "connection failed");
		}
		pthread_mutex_lock(&sh->lock);
		bf_record(sh, &tr, rc, &e, idx, pw);
		pthread_mutex_unlock(&sh->lock);
	}
	if (open)
		auth_conn_close(&c);
	return NULL;
}

int bf_run(const struct bf_job *job, struct bf_out *out, struct cb_error *err)
{
	struct bf_shared sh = {.job = job, .out = out};
	pthread_t th[BF_MAX_THREADS];
	int n = job->concurrency, k, started = 0;

	memset(out, 0, sizeof(*out));
	if (n < 1)
		n = 1;
	if (n > BF_MAX_THREADS)
		n = BF_MAX_THREADS;
	/* A console is one session: no parallel attempts there. */
	if (job->m->surface == AUTH_CONSOLE)
		n = 1;
	pthread_mutex_init(&sh.lock, NULL);
	sh.t0 = cb_now_ms();
	sh.deadline = sh.t0 + job->time_limit_ms;
	for (k = 0; k < n; k++) {
		if (pthread_create(&th[k], NULL, bf_worker, &sh))
			break;
		started++;
	}
	for (k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	out->elapsed_ms = cb_now_ms() - sh.t0;
	pthread_mutex_destroy(&sh.lock);
	if (!started)
		return cb_error_set(err, CB_ERROR, "cannot start threads");
	return CB_OK;
}

void bf_out_release(struct bf_out *out)
{
	if (!out)
		return;
	free(out->recs);
	memset(out, 0, sizeof(*out));
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_start(const void *a, const void *b)
{
	const struct bf_rec *x = a, *y = b;

	return (x->t_ms > y->t_ms) - (x->t_ms < y->t_ms);
}

static int64_t pct(const int64_t *v, size_t n, int p)
{
	return n ? v[(n - 1) * (size_t)p / 100] : 0;
}

static int64_t median_of(const struct bf_rec *r, size_t n, int from_end)
{
	int64_t v[5];
	size_t k, got = 0, i;

	for (k = 0; k < n && got < 5; k++) {
		i = from_end ? n - 1 - k : k;
		if (r[i].result == AUTH_REFUSED)
			v[got++] = r[i].latency_ms;
	}
	if (!got)
		return 0;
	qsort(v, got, sizeof(v[0]), cmp_i64);
	return v[got / 2];
}

void bf_stats(const struct bf_out *o, struct bf_stats *st)
{
	struct bf_rec *r;
	int64_t *lat, half = o->elapsed_ms / 2, span;
	size_t k, nl = 0, guesses = 0;

	memset(st, 0, sizeof(*st));
	st->elapsed_ms = o->elapsed_ms;
	if (!o->n)
		return;
	r = malloc(o->n * sizeof(*r));
	lat = malloc(o->n * sizeof(*lat));
	if (!r || !lat) {
		free(r);
		free(lat);
		return;
	}
	memcpy(r, o->recs, o->n * sizeof(*r));
	qsort(r, o->n, sizeof(*r), cmp_start);
	for (k = 0; k < o->n; k++) {
		st->attempts++;
		switch (r[k].result) {
		case AUTH_REFUSED: st->refused++; break;
		case AUTH_LOCKED:
			st->locked++;
			if (!st->first_locked)
				st->first_locked = k + 1;
			break;
		case AUTH_ACCEPTED: st->accepted++; break;
		case BF_HELD: st->held++; break;
		default: st->errors++; break;
		}
		if (r[k].result >= 0 || r[k].result == BF_HELD)
			lat[nl++] = r[k].latency_ms;
	}
	qsort(lat, nl, sizeof(*lat), cmp_i64);
	st->p50 = pct(lat, nl, 50);
	st->p90 = pct(lat, nl, 90);
	st->p99 = pct(lat, nl, 99);
	if (o->elapsed_ms > 0)
		st->rate_x100 = (int64_t)st->attempts * 100000 / o->elapsed_ms;
	/* The sustained rate: guesses answered in the second half. */
	if (o->elapsed_ms < 400)
		half = 0;
	for (k = 0; k < o->n; k++)
		if (r[k].result == AUTH_REFUSED &&
		    r[k].t_ms + r[k].latency_ms >= half)
			guesses++;
	span = o->elapsed_ms - half;
	if (span > 0)
		st->guess_rate_x100 = (int64_t)guesses * 100000 / span;
	if (st->refused >= 10) {
		int64_t first = median_of(r, o->n, 0), last = median_of(r, o->n, 1);

		st->growing = last >= 250 && last >= 4 * (first ? first : 1);
	}
	free(r);
	free(lat);
}

void bf_rate_str(char *out, size_t len, int64_t x100)
{
	snprintf(out, len, "%lld.%02lld", (long long)(x100 / 100),
		 (long long)(x100 % 100));
}

static void say(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t len, const char *fmt, ...)
{
	size_t used = strlen(why);
	va_list ap;

	if (used && used + 2 < len) {
		strcpy(why + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(why + used, len - used, fmt, ap);
	va_end(ap);
}

struct bf_seen {
	int lockout, silent, throttle, lock_seen;
	size_t held;			/* attempts held past the deadline */
	size_t lock_after;		/* failures before the first lock */
	int64_t recovered_ms;		/* longest recovery, -1 never */
	int64_t peak_x100;		/* highest sustained guess rate */
	int peak_conc;
};

static int bf_observe(const struct bf_level *lv, size_t n, struct bf_seen *s,
		      char *why, size_t len)
{
	size_t k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < n; k++) {
		const struct bf_stats *st = &lv[k].st;

		if (st->accepted) {
			say(why, len, "a wrong password was accepted at %d "
				      "parallel connections",
			    lv[k].concurrency);
			return CB_V_FAIL;
		}
		if (st->errors) {
			say(why, len, "%zu of %zu attempts at %d parallel "
				      "connections failed on the bench side: "
				      "cannot judge",
			    st->errors, st->attempts, lv[k].concurrency);
			return CB_V_INCONCLUSIVE;
		}
		/* The threshold is read at the lowest concurrency that locked:
		 * with parallel attempts, one started later may be answered
		 * "locked" before earlier ones are answered at all. */
		if (st->first_locked && !s->lock_seen) {
			s->lock_after = st->first_locked - 1;
			s->lock_seen = 1;
		}
		if (st->first_locked || lv[k].control_refused)
			s->lockout = 1;
		if (lv[k].control_refused && !st->first_locked)
			s->silent = 1;
		if (lv[k].recovered_ms > s->recovered_ms)
			s->recovered_ms = lv[k].recovered_ms;
		if (lv[k].control_refused && lv[k].recovered_ms < 0)
			s->recovered_ms = -1;
		if (st->held)
			s->held += st->held;
		if (st->growing)
			s->throttle = 1;
		if (st->guess_rate_x100 >= s->peak_x100) {
			s->peak_x100 = st->guess_rate_x100;
			s->peak_conc = lv[k].concurrency;
		}
	}
	return CB_V_PASS;
}

static int bf_claim_matches(const struct bf_claim *c, const struct bf_seen *s,
			    int resistant, char *why, size_t len)
{
	char rate[32];

	if (!c->kind) {
		say(why, len, "the IXIT states no brute-force prevention to "
			      "compare with");
		return 0;
	}
	if (!strcasecmp(c->kind, "none"))
		return !resistant ||
		       (say(why, len, "the IXIT claims no prevention, but the "
				      "product resists"),
			0);
	if (!strcasecmp(c->kind, "lockout")) {
		if (!s->lockout) {
			say(why, len, "the IXIT claims a lockout%s, none was "
				      "observed",
			    c->attempts ? " after failed attempts" : "");
			return 0;
		}
		if (c->attempts && !s->silent &&
		    (long)s->lock_after > c->attempts) {
			say(why, len, "the IXIT claims a lockout after %ld "
				      "failures, it came after %zu",
			    c->attempts, s->lock_after);
			return 0;
		}
		/* The wait polls every quarter of the claim after it. */
		if (c->recovery_s && s->recovered_ms >
					     c->recovery_s * 1250 + 1500) {
			say(why, len, "the IXIT says the lockout lasts %ld s, "
				      "it lasted %lld s",
			    c->recovery_s, (long long)s->recovered_ms / 1000);
			return 0;
		}
		return 1;
	}
	if (!strcasecmp(c->kind, "throttle"))
		return s->throttle || resistant ||
		       (say(why, len, "the IXIT claims growing delays, none "
				      "was observed"),
			0);
	if (!strcasecmp(c->kind, "rate_limit")) {
		if (c->max_rate_x100 && s->peak_x100 > c->max_rate_x100) {
			bf_rate_str(rate, sizeof(rate), c->max_rate_x100);
			say(why, len, "the IXIT claims at most %s guesses/s, "
				      "more were reached",
			    rate);
			return 0;
		}
		return 1;
	}
	say(why, len, "unknown brute-force claim '%s'", c->kind);
	return 0;
}

int bf_judge(const struct bf_level *lv, size_t n, const struct bf_claim *c,
	     int64_t max_rate_x100, char *why, size_t whylen)
{
	struct bf_seen s;
	char rate[32];
	int v, resistant, match;

	why[0] = '\0';
	v = bf_observe(lv, n, &s, why, whylen);
	if (v != CB_V_PASS)
		return v;
	if (s.lockout && s.recovered_ms < 0) {
		say(why, whylen, "locked out and the right password still "
				 "failed after the wait: cannot judge");
		return CB_V_INCONCLUSIVE;
	}
	bf_rate_str(rate, sizeof(rate), s.peak_x100);
	resistant = s.lockout || s.peak_x100 <= max_rate_x100;
	if (s.lockout && !s.silent)
		say(why, whylen, "locks out after %zu failed attempts",
		    s.lock_after);
	else if (s.lockout)
		say(why, whylen, "locks out silently (the right password is "
				 "refused after failures)");
	if (s.lockout)
		say(why, whylen, "recovers after about %lld s",
		    (long long)(s.recovered_ms + 500) / 1000);
	if (s.throttle)
		say(why, whylen, "answers slow down as failures accumulate");
	if (s.held)
		say(why, whylen, "%zu attempts were held unanswered past the "
				 "client deadline",
		    s.held);
	say(why, whylen, "sustained guess rate up to %s/s at %d parallel "
			 "connection%s",
	    rate, s.peak_conc, s.peak_conc == 1 ? "" : "s");
	if (!resistant)
		say(why, whylen, "no lockout and no effective throttling: "
				 "brute force is practicable");
	match = bf_claim_matches(c, &s, resistant, why, whylen);
	return resistant && match ? CB_V_PASS : CB_V_FAIL;
}
