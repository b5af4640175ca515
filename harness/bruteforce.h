/*
 * bruteforce.h - parallel login attempts and what they say about
 * brute-force resistance.
 *
 * bf_run() makes attempts on one mechanism with N connections at once and
 * records the start, latency and answer of every attempt.  bf_stats()
 * summarises a level; bf_judge() decides from the recordings alone whether
 * the product locks out, throttles, or neither, and whether that matches
 * the IXIT claim.  The judgement is pure so it can be tested on synthetic
 * recordings.  A fixed per-attempt delay is not resistance: the guess rate
 * that counts is the one reached with many connections.
 */
#ifndef BRUTEFORCE_H
#define BRUTEFORCE_H

#include <stddef.h>
#include <stdint.h>

#include "harness/auth.h"

struct cb_error;

/*
 * An attempt the device held past our deadline: throttling at work, not a
 * guess it evaluated (a connection that could not be made is BF_ERROR).
 */
#define BF_HELD (-2)
#define BF_ERROR (-1)

struct bf_rec {
	int64_t t_ms;		/* start, relative to the level's start */
	int64_t latency_ms;
	int result;		/* enum auth_result, BF_HELD, or BF_ERROR */
};

/* Passwords to try: a list, or generated wrong ones (list == NULL). */
struct bf_job {
	const struct auth_mech *m;
	const struct auth_target *t;
	hw_tap_fn *tap;
	void *tap_ctx;
	const char *user;
	const char *const *list;	/* NULL: generate wrong passwords */
	size_t nlist;
	const char *wrong_prefix;	/* for generated ones */
	int concurrency;
	size_t max_attempts;
	int64_t time_limit_ms;
	int stop_on_locked;		/* end the level at the first lock */
	int stop_on_accept;		/* end at the first accepted password */
};

struct bf_out {
	struct bf_rec *recs;		/* in completion order */
	size_t n;
	int64_t elapsed_ms;
	char found[256];		/* first accepted password (list mode) */
	size_t found_index;
	char first_error[200];
};

int bf_run(const struct bf_job *job, struct bf_out *out, struct cb_error *err);
void bf_out_release(struct bf_out *out);

struct bf_stats {
	size_t attempts, refused, locked, accepted, errors, held;
	int64_t elapsed_ms;
	int64_t p50, p90, p99;		/* latency, ms */
	int64_t rate_x100;		/* attempts per second x 100 */
	int64_t guess_rate_x100;	/* refusals per second x 100, second
					 * half of the level */
	size_t first_locked;		/* 1-based attempt number, 0 = none */
	int growing;			/* latencies grew >= 4x and >= 250 ms */
};

void bf_stats(const struct bf_out *o, struct bf_stats *st);

struct bf_claim {
	const char *kind;		/* "lockout", "throttle", "rate_limit",
					 * "none", or NULL (not stated) */
	long attempts;			/* lockout: failures before the lock */
	long recovery_s;		/* lockout: how long it lasts */
	long max_rate_x100;		/* rate_limit: guesses per second x100 */
};

struct bf_level {
	int concurrency;
	struct bf_stats st;
	int control_refused;		/* right password refused after it */
	int64_t recovered_ms;		/* time until it worked again, or -1 */
};

/*
 * Verdict (enum cb_verdict) from the levels; why gets one line per
 * finding.  max_rate_x100 is the highest acceptable sustained guess rate
 * when the product neither locks out nor throttles.
 */
int bf_judge(const struct bf_level *lv, size_t n, const struct bf_claim *c,
	     int64_t max_rate_x100, char *why, size_t whylen);

/* "12.34" for a x100 rate. */
void bf_rate_str(char *out, size_t len, int64_t x100);

#endif /* BRUTEFORCE_H */
