/*
 * runner.h - one run: load every input, check it all, then execute the
 * selected test cases against the samples and collect verdicts.
 *
 * Order matters and is the contract: catalogue, profile, answers and all
 * scripts are loaded and cross-checked before the run directory exists
 * and before any adapter opens, so bad input touches no device.  Unit
 * verdicts combine into case verdicts, cases into provisions (verdict.h).
 *
 * Samples run in parallel within a case: each run of consecutive
 * 'each_sample' units, led by at most one 'sample_pairs' unit, is one
 * part per sample, run by a pool of worker threads (one sample per
 * worker at a time, at most opts->jobs at once), each sample's units in
 * order.  A pairs unit reads its other sample as the part found it, and
 * uses only its own sample's adapters.  'once' units run on the calling
 * thread after all samples finished the part before them, so unit and
 * case order stay as written.  A worker
 * touches only its own sample's state (adapters, saved values, evidence
 * view); what all share (profile, scripts, data, the evidence chain) is
 * read-only or locked.
 */
#ifndef RUNNER_H
#define RUNNER_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "harness/answers.h"
#include "harness/auth.h"
#include "harness/catalog.h"
#include "harness/console.h"
#include "harness/evidence.h"
#include "harness/profile.h"
#include "harness/tc.h"
#include "harness/verdict.h"

struct cb_error;
struct hw_adapter;

struct run_opts {
	const char *profile;	/* -p */
	const char *answers;	/* -a, or NULL */
	const char *scheme;	/* -s, or NULL */
	const char *out_dir;	/* -o, default "runs" */
	const char *lab;	/* --lab lab.json, or NULL */
	const char *sign_key, *sign_cert; /* --sign / --cert, or NULL */
	const char *testcases;	/* folder of scripts, or NULL = default */
	char **cases;		/* --case ID (repeatable), or NULL */
	size_t ncases;
	int interactive, quiet, progress, color;
	int jobs;		/* --jobs: samples at once; 0 = all, up to
				 * RUN_JOBS_DEFAULT_MAX */
};

#define RUN_JOBS_DEFAULT_MAX 16
#define RUN_JOBS_MAX 256

struct run_sample {
	const struct profile_sample *ps;
	char host[256];			/* network address, or "" */
	json_t *ctx;			/* sample object seen by scripts */
	struct hw_adapter *console_hw;	/* opened on first use */
	int console_lost;		/* it hung up; not reopened since */
	struct console console;
	struct hw_adapter *http;	/* device API, opened on first use */
	struct hw_adapter *web;		/* absolute URLs in its units */
	struct ev_log ev;		/* view: stamps its records */
	json_t *uctx;			/* context of its running unit, or
					 * NULL (the case's) */
	struct run_scan *scan;		/* its last TCP scan (scanshare.c) */
};

/* Forget sample s's shared scan (after the device may have changed). */
void run_scan_forget(struct run_sample *s);

struct sample_result {
	const char *sample;		/* sample id, NULL for 'once' units */
	enum cb_verdict verdict;
	char *why;			/* malloc()ed rationale */
	uint64_t ev_first, ev_last;	/* evidence records of this run */
};

struct unit_result {
	const struct tc_unit *unit;
	enum cb_verdict verdict;
	struct sample_result *per;	/* one per sample, or one */
	size_t nper;
};

struct case_result {
	const struct tc_case *tc;
	enum cb_verdict verdict;
	char *reason;			/* why the case did not run, or NULL */
	struct unit_result *units;
	size_t nunits;
	int64_t elapsed_ms;
	uint64_t ev_first, ev_last;
};

struct run_ctx {
	const struct run_opts *opts;
	const char *datadir;
	struct catalog cat;
	struct profile prof;
	struct answers ans;
	int have_answers;
	struct scheme scheme;
	int have_scheme;
	json_t *lab;			/* lab.json contents, or NULL */
	char lab_sha256[65];
	struct tc_set set;		/* every script, checked */
	const struct tc_case **sel;	/* the ones to run, in order */
	size_t nsel;
	json_t *data;			/* testcases/data/ sets by name */
	json_t *data_files;		/* [{name, sha256}] */
	struct auth_mech *mechs;	/* every IXIT 1-AuthMech entry */
	size_t nmechs;
	const struct console_mech *con_mech; /* the first console's, in
					      * mechs[], or NULL */
	struct ev_log *ev;
	struct run_sample *samples;
	size_t nsamples;
	struct hw_adapter *web;		/* absolute URLs, 'once' units */
	size_t jobs;			/* workers at once; 1: in turn */
	pthread_mutex_t excl;		/* held by STEP_EXCLUSIVE steps */
	json_t *ctx;			/* context of the current case */
	struct case_result *results;	/* one per selected case */
	char dir[PATH_MAX];		/* the run directory */
	char id[128];			/* run id, also the report id */
	time_t started, finished;
	int64_t t0;
};

/*
 * Load and check everything (no device I/O).  On failure err has the
 * position of the bad input; the caller exits 65.
 */
int run_prepare(struct run_ctx *r, const struct run_opts *o,
		struct cb_error *err);

/* Create the run directory and evidence file, then run every case. */
int run_execute(struct run_ctx *r, struct cb_error *err);

void run_release(struct run_ctx *r);

/* Verdict of every selected case combined. */
enum cb_verdict run_overall(const struct run_ctx *r);

#endif /* RUNNER_H */
