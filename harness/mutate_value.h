/*
 * mutate_value.h - inside the mutator: the values one field of a
 * documented body can be given (mutate_value.c), and the randomness both
 * parts of the mutator draw from.  Only mutate.c and mutate_value.c use
 * this; everyone else uses mutate.h.
 */
#ifndef MUTATE_VALUE_H
#define MUTATE_VALUE_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "harness/cb_buf.h"
#include "harness/mutate.h"

#define MUT_MALFORMED "not valid JSON"
#define MUT_RANDOM_LONG (12u << 10)	/* longest random string */

enum mut_type { MT_STRING, MT_INTEGER, MT_NUMBER, MT_BOOLEAN, MT_OTHER };

/* One field of the body: documented in "fields", in the example, or both. */
struct mut_field {
	char *name;
	json_t *example;	/* the example's value, or NULL */
	enum mut_type type;	/* documented, else the example's */
	int documented;		/* named in "fields" */
	long long min_len, max_len; /* -1 when not documented */
	json_t *min_v, *max_v;	/* documented numbers, or NULL */
	int has_pattern;
	regex_t pattern;
	char pattern_text[48];	/* printable, for messages */
};

/* One field's new value in a mutation. */
struct mut_part {
	const struct mut_field *f;
	int missing;		/* the key is left out */
	int twice;		/* the key twice: the example, then text */
	struct cb_buf text;	/* JSON text, maybe malformed on purpose */
	char label[MUT_LABEL_MAX];	/* "ntp: string of 4096 bytes" */
	char broken[MUT_WHY_MAX];	/* the constraint it breaks, or "" */
};

/* Classes of one field's value; the last ones only in random mutations. */
enum mut_fclass {
	FC_EMPTY, FC_SPACES, FC_AT_MIN_LEN, FC_BELOW_MIN_LEN, FC_AT_MAX_LEN,
	FC_ABOVE_MAX_LEN, FC_LONG, FC_TRAVERSAL, FC_FORMAT, FC_SHELL, FC_SQL,
	FC_SCRIPT, FC_CONTROL, FC_NUL, FC_UNICODE, FC_BAD_UTF8,
	FC_AT_MIN, FC_BELOW_MIN, FC_AT_MAX, FC_ABOVE_MAX, FC_ZERO,
	FC_MINUS_ONE, FC_2P31, FC_2P63, FC_NEG_2P63, FC_FRACTION, FC_HUGE,
	FC_LEADING_ZERO, FC_NAN, FC_BOOL_CAPS,
	FC_AS_STRING, FC_AS_INTEGER, FC_AS_NUMBER, FC_AS_BOOLEAN, FC_AS_NULL,
	FC_AS_LIST, FC_AS_OBJECT, FC_DEEP, FC_MISSING, FC_TWICE,
	FC_SYSTEMATIC_END,
	FC_RANDOM_TEXT = FC_SYSTEMATIC_END, FC_RANDOM_BYTES, FC_RANDOM_INT,
	FC_END,
};

/* Does class c fit field f (its type, its documented bounds)? */
int mut_fc_applies(const struct mut_field *f, int c);

/*
 * Give p (zeroed, text initialised) field f's value of class c: the
 * systematic one when rng is NULL, a random variant otherwise.  Nonzero
 * only when memory or a buffer ceiling runs out.
 */
int mut_fc_make(const struct mut_field *f, int c, uint64_t *rng,
		struct mut_part *p);

/* Append v as compact JSON with sorted keys. */
int mut_json_text(struct cb_buf *b, json_t *v);

/* n bytes of 'A', or random letters and digits; malloc()ed. */
char *mut_filler(size_t n, uint64_t *rng);

/* splitmix64: the next number of the stream in *s. */
static inline uint64_t mut_mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number below n (0 for n == 0); the small bias does not matter. */
static inline size_t mut_below(uint64_t *s, size_t n)
{
	return n ? (size_t)(mut_mix(s) % n) : 0;
}

/* A number from lo to hi, both included. */
static inline size_t mut_range(uint64_t *s, size_t lo, size_t hi)
{
	return hi <= lo ? lo : lo + mut_below(s, hi - lo + 1);
}

#endif /* MUTATE_VALUE_H */
