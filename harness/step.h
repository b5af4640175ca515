/*
 * step.h - the step registry and the contract between the runner and the
 * C steps that test case scripts call.
 *
 * A step is { name, parameter spec, needs, run }.  Scripts are validated
 * against the spec when they are loaded, before any device I/O; at run
 * time the runner expands ${...} references, checks the values against
 * the same spec, and calls run().  run() returns a verdict about the
 * device and says why in one line per finding (step_say).  A bench
 * failure is CB_V_ERROR with sr->err set, never CB_V_FAIL.
 */
#ifndef STEP_H
#define STEP_H

#include <stddef.h>

#include <jansson.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/verdict.h"
#include "hw-adapters/hw.h"

struct auth_mech;
struct auth_target;
struct console;
struct console_mech;
struct ev_log;
struct hw_adapter;
struct run_ctx;
struct run_sample;

enum step_ptype {
	SP_STRING = 1 << 0,
	SP_INT = 1 << 1,
	SP_BOOL = 1 << 2,
	SP_ARRAY = 1 << 3,
	SP_OBJECT = 1 << 4,
	SP_NULL = 1 << 5,
	SP_ANY = 0x3f,
};

enum step_pflags {
	SPF_REQUIRED = 1 << 0,
	SPF_REGEX = 1 << 1,	/* a POSIX extended regular expression */
};

struct step_param {
	const char *name;
	unsigned types;		/* enum step_ptype bits */
	unsigned flags;		/* enum step_pflags bits */
	const char *choices;	/* "a|b|c": allowed string values, or NULL */
	long min, max;		/* integer range, used when min < max */
	const char *help;
};

enum step_needs {
	STEP_NEEDS_SAMPLE = 1 << 0, /* runs per sample (each_sample units) */
	STEP_NEEDS_OTHER = 1 << 1,  /* needs a second sample (sample_pairs) */
	STEP_ANSWER = 1 << 2,	    /* verdict comes from the assessor */
	STEP_EXCLUSIVE = 1 << 3,    /* never on two samples at once (it
				     * binds a fixed address, say): the
				     * runner holds one lock per run */
	STEP_CHANGES_DEVICE = 1 << 4, /* it may change what the sample
				     * serves (power, firmware, fuzzed
				     * input): observations made
				     * before it are not reused after it */
};

struct step_run;

struct step_def {
	const char *name;	/* "console.login" */
	const char *summary;	/* one line for 'certbench help steps' */
	const struct step_param *params; /* ends with {NULL} */
	unsigned needs;		/* enum step_needs */
	enum cb_verdict (*run)(struct step_run *sr);
};

/* What a running step sees.  Owned by the runner. */
struct step_run {
	const struct step_def *def;
	struct run_ctx *run;
	struct run_sample *sample;	/* NULL in 'once' units */
	struct run_sample *other;	/* the paired sample, or NULL */
	json_t *args;			/* expanded arguments (object) */
	const char *case_id, *unit_id;
	json_t *value;			/* result to save; set by the step */
	struct cb_buf why;		/* rationale, bounded */
	struct cb_error err;		/* cause of ERROR / INCONCLUSIVE */
};

/* Registry. */
const struct step_def *step_lookup(const char *name);
/* All steps in name order, NULL-terminated. */
const struct step_def *const *step_all(void);
const struct step_param *step_param_find(const struct step_def *def,
					 const char *name);

/*
 * Check one parameter value against its spec.  For load-time checks of
 * values that are a single ${...} reference, skip this: their type is
 * only known at run time.  Returns CB_OK or fills why.
 */
int step_param_check(const struct step_param *p, const json_t *v,
		     char *why, size_t whylen);

/* Argument accessors (after expansion). */
json_t *step_arg(const struct step_run *sr, const char *name);
const char *step_str(const struct step_run *sr, const char *name,
		     const char *def);
long step_int(const struct step_run *sr, const char *name, long def);
int step_bool(const struct step_run *sr, const char *name, int def);

/*
 * Does argument name select id?  Absent or "all" selects everything; a
 * string selects that id, a list the ids in it.  A NULL id is never
 * selected by a string or list.
 */
int step_selects(const struct step_run *sr, const char *name,
		 const char *id);

/* Append one finding to the rationale ("; " between findings). */
void step_say(struct step_run *sr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record the cause and return CB_V_ERROR / CB_V_INCONCLUSIVE. */
enum cb_verdict step_error(struct step_run *sr, int code, const char *fmt,
			   ...) __attribute__((format(printf, 3, 4)));
enum cb_verdict step_inconclusive(struct step_run *sr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* ERROR from an adapter failure already recorded in sr->err. */
enum cb_verdict step_bench_failed(struct step_run *sr);
/*
 * The verdict for a failed service call (step_console, step_http, an
 * adapter operation) whose cause is in sr->err: INCONCLUSIVE when the
 * bench lacks what the step needs (CB_ENOTSUP: no console adapter, no
 * documented mechanism), ERROR otherwise.
 */
enum cb_verdict step_failed(struct step_run *sr);

/*
 * Services the runner provides (runner.c).
 */

/* Every sample as scripts see them (the ${samples} list). */
json_t *step_samples(const struct step_run *sr);

/* The current sample's id and its profile object. */
const char *step_sample_id(const struct run_sample *s);
json_t *step_sample_json(const struct run_sample *s);

/* Every documented authentication mechanism (IXIT 1-AuthMech). */
const struct auth_mech *step_mechs(const struct step_run *sr, size_t *n);
/*
 * Where sample s's mechanisms are reached (host, API, console opened if
 * 'console' is set and the sample has one).
 */
int step_target(struct step_run *sr, struct run_sample *s, int console,
		struct auth_target *t);
/* The evidence tap, for adapters a step opens itself. */
hw_tap_fn *step_tap(const struct step_run *sr, void **ctx);

/* The documented console login mechanism (IXIT 1-AuthMech), or NULL. */
const struct console_mech *step_mech(const struct step_run *sr);

/* The sample's console session, opened on first use. */
int step_console(struct step_run *sr, struct run_sample *s,
		 struct console **out);

/*
 * An HTTP adapter for url: the sample's own API for relative URLs, the
 * run's web client for absolute ones.
 */
int step_http(struct step_run *sr, const char *url, struct hw_adapter **out);
/*
 * The TCP port of sample s's API (its URL's, or the scheme's default),
 * 0 when it has none; *tls (if not NULL) is 1 for https.
 */
int step_http_port(struct run_sample *s, int *tls);
/* Extra trust anchors from the profile, or NULL. */
const char *step_ca_file(const struct step_run *sr);

struct ev_log *step_evidence(const struct step_run *sr);
/* A profile IXIT section, or NULL. */
json_t *step_ixit(const struct step_run *sr, const char *section);
/* Public data set from testcases/data (e.g. "mirai-credentials"). */
json_t *step_data(const struct step_run *sr, const char *name);

/* The assessor's answer for the current case and unit, or NULL. */
json_t *step_answer(const struct step_run *sr);
/* 1 when --interactive and stdin is a terminal. */
int step_interactive(const struct step_run *sr);

/* The run directory (for files a step keeps as evidence). */
const char *step_run_dir(const struct step_run *sr);
/* The sample as the profile gives it (credentials, bench tools). */
struct profile_sample;
const struct profile_sample *step_sample_profile(const struct run_sample *s);
/* After a power cycle: the console session state is no longer known. */
void step_console_forget(struct run_sample *s);

/*
 * A TCP scan of host (the current sample's) over the ports in spec,
 * shared within the run: the first ask scans and writes a "scan" record;
 * a later ask for the same sample, host, ports and options, with no
 * STEP_CHANGES_DEVICE step on the sample since and at most 15 minutes
 * on, gets a copy of that result and a "scan-reused" record naming it.
 * *reused (may be NULL) says which.  res is the caller's to release.
 * Errors as scan_parse_ports and scan_tcp, or the evidence write's, in
 * sr->err; res is then empty.
 */
struct scan_opts;
struct scan_result;
int step_scan_tcp(struct step_run *sr, const char *host, const char *spec,
		  const struct scan_opts *o, struct scan_result *res,
		  int *reused);
/* Wall-clock time of the run's start (for expiry checks). */
long long step_now(const struct step_run *sr);

#endif /* STEP_H */
