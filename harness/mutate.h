/*
 * mutate.h - unexpected input for one documented JSON API input, made
 * deterministically from a seed (TS 103 701 test 5.13-1-2 a, IXIT
 * 29-InpVal).
 *
 * From the documented example body (a JSON object) and the documented
 * field constraints, mut_make() builds mutation number k: first the
 * systematic ones, every class once for every field (wrong types,
 * boundary and overlong strings, boundary and huge numbers, path
 * traversal, format strings, injection metacharacters, control bytes,
 * invalid UTF-8, deep nesting, missing and repeated keys), then every
 * whole-body class (malformed JSON, empty body, other top-level types,
 * unknown keys, ...); after them random combinations of several fields
 * and a corruption of the whole.  Mutation k depends only on the seed,
 * the example, the constraints and k, so a replay with the same seed
 * sends the same bytes, and any one mutation can be rebuilt alone.
 *
 * Each mutation says whether it breaks a documented constraint (the
 * device must refuse it) or stays within them (the device may accept it
 * and must only not be hurt by it).  The judgement is conservative: a
 * string is too long only when it has more characters than documented
 * and too short only when it has fewer bytes, so whether the device
 * counts bytes or characters never makes a correct device fail.  Keys the
 * documentation does not name are not a broken constraint.
 *
 * This module builds bodies; it sends nothing and judges no answers.
 */
#ifndef MUTATE_H
#define MUTATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "harness/cb_buf.h"
#include "harness/cb_hash.h"

struct cb_error;
struct mutator;

#define MUT_BODY_MAX (64u << 10)	/* ceiling of every body */
#define MUT_EXAMPLE_MAX (16u << 10)	/* largest example body */
#define MUT_LONG 4096			/* the systematic overlong string */
#define MUT_LABEL_MAX 192
#define MUT_WHY_MAX 128
#define MUT_SEED_HEX 19			/* "0x" + 16 digits + NUL */

struct mutation {
	size_t index;			/* k, from 0 */
	int systematic;			/* 0 for a random combination */
	int must_refuse;		/* breaks a documented constraint */
	char label[MUT_LABEL_MAX];	/* "ntp: string of 4096 bytes" */
	char broken[MUT_WHY_MAX];	/* "documented at most 128", or "" */
	struct cb_buf body;		/* at most MUT_BODY_MAX bytes */
	char sha256[CB_SHA256_HEX];	/* of body */
};

/*
 * A mutator for one input.  example must be a JSON object of at most
 * MUT_EXAMPLE_MAX bytes; fields (may be NULL) is the IXIT 29-InpVal
 * "fields" object: {name: {"type", "min_length"?, "max_length"?, "min"?,
 * "max"?, "pattern"?}}.  A malformed example or field is CB_EINVAL.  The
 * mutator keeps references to both.  *out is NULL on failure.
 */
int mut_new(struct mutator **out, uint64_t seed, json_t *example,
	    json_t *fields, struct cb_error *err);
void mut_free(struct mutator *m);

/* How many systematic mutations come before the random ones. */
size_t mut_systematic(const struct mutator *m);

/* The example as certbench sends it (compact, keys sorted). */
int mut_example(const struct mutator *m, struct cb_buf *out,
		struct cb_error *err);

void mutation_init(struct mutation *mu);
void mutation_release(struct mutation *mu);

/*
 * Build mutation k into mu (its previous contents are replaced).  Fails
 * only when memory runs out.
 */
int mut_make(const struct mutator *m, size_t k, struct mutation *mu,
	     struct cb_error *err);

/* A seed for one part of a run: mixes seed with a text (an input id). */
uint64_t mut_seed_derive(uint64_t seed, const char *text);
/* "0x0123456789abcdef"; parse takes hex with 0x or decimal, 0 if valid. */
void mut_seed_format(uint64_t seed, char out[MUT_SEED_HEX]);
int mut_seed_parse(const char *s, uint64_t *out);

#endif /* MUTATE_H */
