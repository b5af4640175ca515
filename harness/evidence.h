/*
 * evidence.h - the hash-chained evidence transcript (evidence.jsonl).
 *
 * One JSON record per line: every adapter exchange and every step, unit
 * and case result.  Each record carries its sequence number and the
 * SHA-256 of the previous line ("prev"), so changing, dropping or
 * reordering any record breaks the chain.  Records are written and
 * flushed one at a time: a run killed half way keeps what it observed.
 * Registered secrets are replaced by their fingerprints before a record
 * is written, in text and in raw device bytes alike.
 */
#ifndef EVIDENCE_H
#define EVIDENCE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "harness/cb_hash.h"

struct cb_error;
struct hw_event;

#define EV_SALT_LEN 16
#define EV_ZERO_HASH                                                        \
	"0000000000000000000000000000000000000000000000000000000000000000"

struct ev_secret {
	char *value;
	char fp[CB_FP_LEN];
};

/*
 * ev_append, ev_secret_add and the tap may be called from several threads
 * (parallel login attempts, samples run at once).  The chain (file,
 * sequence, head, secrets) lives in the root log and is guarded by its
 * lock.  A view (ev_view_init) writes to the root's chain but stamps its
 * own context fields, so each worker owns the context of its records;
 * a view's context is written only by the thread that runs its unit,
 * while no other thread appends through that view.
 */
struct ev_log {
	struct ev_log *root;		/* itself, or the log it feeds */
	/* Root only: */
	pthread_mutex_t lock;		/* serialises records and secrets */
	void *fp;			/* FILE *, NULL after close */
	char *path;
	uint64_t seq;			/* records written */
	char head[CB_SHA256_HEX];	/* hash of the last line written */
	int64_t t0;			/* monotonic ms at open */
	unsigned char salt[EV_SALT_LEN];
	struct ev_secret *secrets;
	size_t nsecrets;
	/* Root and views: context stamped on each record written through
	 * this handle; set by the runner. */
	const char *case_id, *unit_id, *sample_id;
	int step_index;			/* -1 outside a step */
};

/*
 * Create path (must not exist) and write the first record, built from
 * header (borrowed) plus the salt used for fingerprints.
 */
int ev_open(struct ev_log **out, const char *path, json_t *header,
	    struct cb_error *err);
/*
 * Make view a handle on root's chain with its own, empty context.  view is
 * caller storage; it needs no release and must not outlive root.  Every
 * function below accepts a view where it takes a log, except ev_close and
 * ev_free.
 */
void ev_view_init(struct ev_log *view, struct ev_log *root);

/* Write a "run-end" record, sync and close.  Returns an error if any
 * write failed. */
int ev_close(struct ev_log *ev, struct cb_error *err);
void ev_free(struct ev_log *ev);

/* Register a secret: from now on it never appears in clear. */
int ev_secret_add(struct ev_log *ev, const char *secret,
		  struct cb_error *err);
/* Keyed fingerprint of a value with this run's salt. */
void ev_fingerprint(const struct ev_log *ev, const char *value,
		    char out[CB_FP_LEN]);
/* Replace registered secrets in a string; returns a malloc()ed copy. */
char *ev_mask(const struct ev_log *ev, const char *s, size_t len,
	      size_t *outlen);

/*
 * Append a record.  Takes ownership of rec (an object); adds seq, prev,
 * t_ms and the context fields, masks secrets, writes one line and
 * flushes.  *seq_out (may be NULL) gets the record's sequence number.
 */
int ev_append(struct ev_log *ev, json_t *rec, uint64_t *seq_out,
	      struct cb_error *err);
/* fsync the file (at unit boundaries). */
int ev_sync(struct ev_log *ev, struct cb_error *err);

/* An hw tap (ctx = struct ev_log *): one record per adapter event. */
void ev_tap(void *ctx, const struct hw_event *ev);

/*
 * Store device bytes into obj, secrets masked: as obj[key] when they are
 * valid UTF-8 without NUL, otherwise as hex in obj[key + "_hex"].
 */
void ev_put_bytes(const struct ev_log *ev, json_t *obj, const char *key,
		  const void *p, size_t n);

/*
 * Check a transcript: every line parses, seq counts from 1, and each prev
 * is the SHA-256 of the line before.  On success *records and head are
 * set; on failure err names the line.
 */
int ev_verify_file(const char *path, uint64_t *records,
		   char head[CB_SHA256_HEX], struct cb_error *err);

#endif /* EVIDENCE_H */
