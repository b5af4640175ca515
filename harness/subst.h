/*
 * subst.h - ${...} references in test case scripts.
 *
 * A reference reads a dotted path from the run context: ${ixit.2-UserInfo.
 * vdp_url}, ${sample.credentials.user}, ${samples[*].creds.fingerprint},
 * ${samples[0].serial}.  A string that is exactly one reference takes the
 * referenced value with its type; references inside longer text must be
 * scalars and are inserted as text.  "$${" writes a literal "${".  There is
 * no arithmetic and no conditional: logic lives in C steps.
 */
#ifndef SUBST_H
#define SUBST_H

#include <stddef.h>

#include <jansson.h>

struct cb_error;

/* Called for each reference in a template; return non-zero to stop. */
typedef int subst_ref_fn(void *ud, const char *path, size_t len,
			 size_t offset);

/*
 * Walk the references of s.  Returns 0, the callback's non-zero value, or
 * -1 for a syntax error, with *bad_offset and *why describing it.
 */
int subst_scan(const char *s, subst_ref_fn *fn, void *ud, size_t *bad_offset,
	       const char **why);

/* 1 when s is exactly one reference "${...}" (and nothing else). */
int subst_is_single(const char *s);

/* Copy the first segment of a path (the root name) into out. */
void subst_root(const char *path, size_t len, char *out, size_t outlen);

/*
 * Resolve a path against ctx.  A root name missing from ctx is looked up
 * in ctx.sample (values a step saved for the current sample).  Returns a
 * new reference, or NULL with err set (CB_ENODEV: no such value).
 */
json_t *subst_lookup(json_t *ctx, const char *path, size_t len,
		     struct cb_error *err);

/* Deep-expand every string of v against ctx; returns a new value. */
json_t *subst_expand(json_t *ctx, const json_t *v, struct cb_error *err);

#endif /* SUBST_H */
