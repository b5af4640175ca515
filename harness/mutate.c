/*
 * mutate.c - deterministic unexpected input for a documented JSON body
 * (see mutate.h).
 *
 * A mutation is made of parts, one per field it changes, each with its
 * JSON text (which may be deliberately malformed), its label, and the
 * documented constraint it breaks, if any (mutate_value.c); the body is
 * the example with those fields replaced.  This file holds the fields
 * from the profile, the plan of systematic mutations, the whole-body
 * classes, which work on the example's text, and the random combinations.
 * Randomness comes from splitmix64 seeded with (seed, k) for mutation k
 * alone: no global state, no rand(), nothing that depends on what was
 * made before.
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/cb_text.h"
#include "harness/mutate.h"
#include "harness/mutate_value.h"

#define MUT_DEEP_BODY 4096	/* nested lists as the whole body */
#define MUT_DEEP_OBJECT 512	/* nested objects under an unknown key */
#define MUT_MANY_KEYS 1000
#define MUT_PAD 8192		/* whitespace before and after the body */
#define MUT_MAX_PARTS 3		/* fields a random mutation changes */

#define NOT_OBJECT "the documented body is a JSON object"

struct mut_plan {
	int field;		/* index, or -1 for a whole-body class */
	int cls;
};

struct mutator {
	uint64_t seed;
	json_t *example, *spec;	/* references: fields point into them */
	struct mut_field *fields; /* sorted by name */
	size_t nfields;
	struct mut_plan *plan;
	size_t nplan;
	char unknown[64];	/* a key no field has */
};

/* Whole-body classes. */
enum mut_bclass {
	BC_EMPTY_BODY, BC_TRUNCATED, BC_UNCLOSED, BC_TRAILING_COMMA,
	BC_SINGLE_QUOTES, BC_COMMENT, BC_GARBAGE, BC_TWO_BODIES, BC_NUL_BYTE,
	BC_BAD_UTF8_KEY, BC_BOM, BC_EMPTY_OBJECT, BC_NULL, BC_LIST, BC_STRING,
	BC_NUMBER, BC_DEEP, BC_DEEP_OBJECT, BC_UNKNOWN_KEY, BC_PROTO,
	BC_MANY_KEYS, BC_LONG_KEY, BC_WHITESPACE,
	BC_END,
};

/* ---- seeds ---- */

uint64_t mut_seed_derive(uint64_t seed, const char *text)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	const unsigned char *p;

	for (p = (const unsigned char *)text; p && *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	h ^= seed;
	return mut_mix(&h);
}

void mut_seed_format(uint64_t seed, char out[MUT_SEED_HEX])
{
	snprintf(out, MUT_SEED_HEX, "0x%016llx", (unsigned long long)seed);
}

int mut_seed_parse(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* ---- bodies ---- */

static int put_key(struct cb_buf *b, const char *name)
{
	json_t *k = json_string(name);
	int rc;

	if (!k)
		return CB_ENOMEM;
	rc = mut_json_text(b, k);
	json_decref(k);
	return rc || cb_buf_add(b, ":", 1, NULL) ? CB_ENOMEM : CB_OK;
}

/* The example with the parts' fields replaced. */
static int compose(const struct mutator *m, const struct mut_part *parts,
		   size_t np, struct cb_buf *b)
{
	const struct mut_part *p;
	const struct mut_field *f;
	size_t i, j;
	int first = 1, rc = CB_OK;

	if (cb_buf_add(b, "{", 1, NULL))
		return CB_ENOMEM;
	for (i = 0; i < m->nfields && !rc; i++) {
		f = &m->fields[i];
		for (p = NULL, j = 0; j < np; j++)
			if (parts[j].f == f)
				p = &parts[j];
		if ((p && p->missing) || (!p && !f->example))
			continue;
		if (!first && cb_buf_add(b, ",", 1, NULL))
			return CB_ENOMEM;
		first = 0;
		rc = put_key(b, f->name);
		if (!rc && p && p->twice) {
			rc = f->example ? mut_json_text(b, f->example)
					: cb_buf_adds(b, "0", NULL);
			if (!rc && !cb_buf_add(b, ",", 1, NULL))
				rc = put_key(b, f->name);
		}
		if (!rc && p)
			rc = cb_buf_add(b, cb_buf_str(&p->text), p->text.len,
					NULL);
		else if (!rc)
			rc = mut_json_text(b, f->example);
	}
	if (!rc)
		rc = cb_buf_add(b, "}", 1, NULL);
	return rc ? CB_ENOMEM : CB_OK;
}

int mut_example(const struct mutator *m, struct cb_buf *out,
		struct cb_error *err)
{
	if (compose(m, NULL, 0, out))
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	return CB_OK;
}

/* The example without its closing brace, ready for one more member. */
static int open_example(const struct cb_buf *base, struct cb_buf *b)
{
	if (cb_buf_add(b, cb_buf_str(base), base->len - 1, NULL))
		return CB_ENOMEM;
	if (base->len > 2 && cb_buf_add(b, ",", 1, NULL))
		return CB_ENOMEM;
	return CB_OK;
}

static int repeat(struct cb_buf *b, const char *s, size_t times)
{
	size_t n = strlen(s);

	while (times--)
		if (cb_buf_add(b, s, n, NULL))
			return CB_ENOMEM;
	return CB_OK;
}

static void mu_set(struct mutation *mu, const char *broken, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void mu_set(struct mutation *mu, const char *broken, const char *fmt,
		   ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mu->label, sizeof(mu->label), fmt, ap);
	va_end(ap);
	snprintf(mu->broken, sizeof(mu->broken), "%s", broken ? broken : "");
	mu->must_refuse = broken != NULL;
}

static int bc_garbage(struct cb_buf *b, const struct cb_buf *base,
		      uint64_t *rng, struct mutation *mu)
{
	char g[17];
	size_t n = rng ? mut_range(rng, 1, 16) : 3, k;

	for (k = 0; k < n; k++)
		g[k] = rng ? (char)mut_range(rng, 0x21, 0x7e) : "xyz"[k];
	g[n] = '\0';
	mu_set(mu, MUT_MALFORMED, "malformed JSON: trailing garbage %s", g);
	if (cb_buf_add(b, cb_buf_str(base), base->len, NULL))
		return CB_ENOMEM;
	return cb_buf_add(b, g, n, NULL) ? CB_ENOMEM : CB_OK;
}

static int bc_truncate(struct cb_buf *b, const struct cb_buf *base,
		       uint64_t *rng, struct mutation *mu)
{
	size_t cut = rng ? mut_range(rng, 1, base->len - 1) : base->len / 2;

	mu_set(mu, MUT_MALFORMED, "malformed JSON: truncated to %zu of %zu bytes",
	       cut, base->len);
	return cb_buf_add(b, cb_buf_str(base), cut, NULL) ? CB_ENOMEM : CB_OK;
}

static int bc_quotes(struct cb_buf *b, const struct cb_buf *base,
		     struct mutation *mu)
{
	size_t k;
	char c;

	mu_set(mu, MUT_MALFORMED, "malformed JSON: single quotes");
	if (!memchr(cb_buf_str(base), '"', base->len))
		return cb_buf_adds(b, "{'x':'y'}", NULL) ? CB_ENOMEM : CB_OK;
	for (k = 0; k < base->len; k++) {
		c = base->data[k] == '"' ? '\'' : base->data[k];
		if (cb_buf_add(b, &c, 1, NULL))
			return CB_ENOMEM;
	}
	return CB_OK;
}

static int bc_many_keys(const struct mutator *m, struct cb_buf *b,
			const struct cb_buf *base, uint64_t *rng,
			struct mutation *mu)
{
	size_t n = rng ? mut_range(rng, 100, MUT_MANY_KEYS) : MUT_MANY_KEYS, k;

	mu_set(mu, NULL, "%zu unknown keys", n);
	if (open_example(base, b))
		return CB_ENOMEM;
	for (k = 0; k < n; k++)
		if (cb_buf_printf(b, NULL, "%s\"%s_%zu\":%zu", k ? "," : "",
				  m->unknown, k, k))
			return CB_ENOMEM;
	return cb_buf_add(b, "}", 1, NULL) ? CB_ENOMEM : CB_OK;
}

static int bc_deep(struct cb_buf *b, const struct cb_buf *base,
		   uint64_t *rng, int object, const char *unknown,
		   struct mutation *mu)
{
	size_t max = object ? MUT_DEEP_OBJECT : MUT_DEEP_BODY;
	size_t d = rng ? mut_range(rng, 64, max) : max;

	if (!object) {
		mu_set(mu, NOT_OBJECT, "deep nesting (%zu lists)", d);
		return repeat(b, "[", d) || repeat(b, "]", d) ? CB_ENOMEM
							      : CB_OK;
	}
	mu_set(mu, NULL, "deep nesting (%zu objects) under an unknown key", d);
	if (open_example(base, b) ||
	    cb_buf_printf(b, NULL, "\"%s\":", unknown) ||
	    repeat(b, "{\"a\":", d) || cb_buf_adds(b, "{}", NULL) ||
	    repeat(b, "}", d + 1))
		return CB_ENOMEM;
	return CB_OK;
}

static int bc_long_key(struct cb_buf *b, const struct cb_buf *base,
		       uint64_t *rng, struct mutation *mu)
{
	size_t n = rng ? mut_range(rng, 257, MUT_RANDOM_LONG) : MUT_LONG;
	char *k = mut_filler(n, rng);
	int rc;

	if (!k)
		return CB_ENOMEM;
	mu_set(mu, NULL, "unknown key of %zu bytes", n);
	rc = open_example(base, b) || cb_buf_printf(b, NULL, "\"%s\":1}", k);
	free(k);
	return rc ? CB_ENOMEM : CB_OK;
}

static int bc_pad(struct cb_buf *b, const struct cb_buf *base, uint64_t *rng,
		  struct mutation *mu)
{
	size_t n = rng ? mut_range(rng, 1, MUT_PAD) : MUT_PAD;

	mu_set(mu, NULL, "%zu bytes of whitespace around the body", 2 * n);
	if (repeat(b, " ", n - 1) || cb_buf_add(b, "\n", 1, NULL) ||
	    cb_buf_add(b, cb_buf_str(base), base->len, NULL) ||
	    repeat(b, "\t", n - 1) || cb_buf_add(b, "\n", 1, NULL))
		return CB_ENOMEM;
	return CB_OK;
}

static int bc_make(const struct mutator *m, int c, const struct cb_buf *base,
		   uint64_t *rng, struct mutation *mu)
{
	struct cb_buf *b = &mu->body;
	json_t *s;
	int rc;

	switch (c) {
	case BC_EMPTY_BODY:
		mu_set(mu, MUT_MALFORMED, "empty body");
		return CB_OK;
	case BC_TRUNCATED:
		return bc_truncate(b, base, rng, mu);
	case BC_UNCLOSED:
		mu_set(mu, MUT_MALFORMED, "malformed JSON: no closing brace");
		return cb_buf_add(b, cb_buf_str(base), base->len - 1, NULL);
	case BC_TRAILING_COMMA:
		mu_set(mu, MUT_MALFORMED, "malformed JSON: trailing comma");
		return cb_buf_add(b, cb_buf_str(base), base->len - 1, NULL) ||
		       cb_buf_adds(b, ",}", NULL);
	case BC_SINGLE_QUOTES:
		return bc_quotes(b, base, mu);
	case BC_COMMENT:
		mu_set(mu, MUT_MALFORMED, "malformed JSON: comment");
		return cb_buf_adds(b, "/* certbench */", NULL) ||
		       cb_buf_add(b, cb_buf_str(base), base->len, NULL);
	case BC_GARBAGE:
		return bc_garbage(b, base, rng, mu);
	case BC_TWO_BODIES:
		mu_set(mu, MUT_MALFORMED, "malformed JSON: two bodies");
		return cb_buf_add(b, cb_buf_str(base), base->len, NULL) ||
		       cb_buf_add(b, cb_buf_str(base), base->len, NULL);
	case BC_NUL_BYTE:
		mu_set(mu, MUT_MALFORMED, "NUL byte in the body");
		return cb_buf_add(b, "{\0", 2, NULL) ||
		       cb_buf_add(b, cb_buf_str(base) + 1, base->len - 1, NULL);
	case BC_BAD_UTF8_KEY:
		mu_set(mu, MUT_MALFORMED, "invalid UTF-8 in a key");
		return cb_buf_adds(b, "{\"\xff\xfe\":1", NULL) ||
		       cb_buf_adds(b, base->len > 2 ? "," : "", NULL) ||
		       cb_buf_add(b, cb_buf_str(base) + 1, base->len - 1, NULL);
	case BC_BOM:
		mu_set(mu, NULL, "byte order mark before the body");
		return cb_buf_adds(b, "\xef\xbb\xbf", NULL) ||
		       cb_buf_add(b, cb_buf_str(base), base->len, NULL);
	case BC_EMPTY_OBJECT:
		mu_set(mu, NULL, "empty object");
		return cb_buf_adds(b, "{}", NULL);
	case BC_NULL:
		mu_set(mu, NOT_OBJECT, "null instead of an object");
		return cb_buf_adds(b, "null", NULL);
	case BC_LIST:
		mu_set(mu, NOT_OBJECT, "the example inside a list");
		return cb_buf_adds(b, "[", NULL) ||
		       cb_buf_add(b, cb_buf_str(base), base->len, NULL) ||
		       cb_buf_adds(b, "]", NULL);
	case BC_STRING:
		mu_set(mu, NOT_OBJECT, "the example as a string");
		s = json_stringn(cb_buf_str(base), base->len);
		rc = s ? mut_json_text(b, s) : CB_ENOMEM;
		json_decref(s);
		return rc;
	case BC_NUMBER:
		mu_set(mu, NOT_OBJECT, "number instead of an object");
		return cb_buf_adds(b, "0", NULL);
	case BC_DEEP:
	case BC_DEEP_OBJECT:
		return bc_deep(b, base, rng, c == BC_DEEP_OBJECT, m->unknown,
			       mu);
	case BC_UNKNOWN_KEY:
		mu_set(mu, NULL, "unknown key %s", m->unknown);
		return open_example(base, b) ||
		       cb_buf_printf(b, NULL, "\"%s\":\"x\"}", m->unknown);
	case BC_PROTO:
		mu_set(mu, NULL, "unknown key __proto__");
		return open_example(base, b) ||
		       cb_buf_adds(b, "\"__proto__\":{\"admin\":true}}", NULL);
	case BC_MANY_KEYS:
		return bc_many_keys(m, b, base, rng, mu);
	case BC_LONG_KEY:
		return bc_long_key(b, base, rng, mu);
	default:
		return bc_pad(b, base, rng, mu);
	}
}

/* ---- random combinations ---- */

static int random_class(const struct mut_field *f, uint64_t *rng)
{
	int ok[FC_END], n = 0, c;

	for (c = 0; c < FC_END; c++)
		if (mut_fc_applies(f, c))
			ok[n++] = c;
	return ok[mut_below(rng, (size_t)n)];
}

static void label_join(struct mutation *mu, const char *s)
{
	size_t n = strlen(mu->label);

	if (n + 3 + strlen(s) < sizeof(mu->label)) {
		snprintf(mu->label + n, sizeof(mu->label) - n, "%s%s",
			 n ? " + " : "", s);
	} else if (n + 4 < sizeof(mu->label) &&
		   strcmp(mu->label + n - 3, "...")) {
		snprintf(mu->label + n, sizeof(mu->label) - n, " ...");
	}
}

/* A corruption of the whole body on top of the field changes. */
static int corrupt(struct mutation *mu, uint64_t *rng)
{
	struct mutation tmp;
	char label[MUT_LABEL_MAX];
	int rc, which = (int)mut_below(rng, 3);

	mutation_init(&tmp);
	if (which == 0)
		rc = bc_truncate(&tmp.body, &mu->body, rng, &tmp);
	else if (which == 1)
		rc = bc_garbage(&tmp.body, &mu->body, rng, &tmp);
	else {
		mu_set(&tmp, NOT_OBJECT, "the whole inside a list");
		rc = cb_buf_adds(&tmp.body, "[", NULL) ||
		     cb_buf_add(&tmp.body, cb_buf_str(&mu->body), mu->body.len,
				NULL) ||
		     cb_buf_adds(&tmp.body, "]", NULL);
	}
	if (!rc) {
		snprintf(label, sizeof(label), "%s", tmp.label);
		label_join(mu, label);
		/* Malformed or not an object: that is the broken rule now. */
		snprintf(mu->broken, sizeof(mu->broken), "%s", tmp.broken);
		mu->must_refuse = 1;
		cb_buf_reset(&mu->body);
		rc = cb_buf_add(&mu->body, cb_buf_str(&tmp.body), tmp.body.len,
				NULL);
	}
	mutation_release(&tmp);
	return rc ? CB_ENOMEM : CB_OK;
}

static int random_fields(const struct mutator *m, uint64_t *rng,
			 struct mutation *mu)
{
	struct mut_part parts[MUT_MAX_PARTS];
	size_t np, k, j, idx[MUT_MAX_PARTS];
	int rc = CB_OK;

	np = mut_range(rng, 1, m->nfields < MUT_MAX_PARTS ? m->nfields
							   : MUT_MAX_PARTS);
	memset(parts, 0, sizeof(parts));
	for (k = 0; k < MUT_MAX_PARTS; k++)
		cb_buf_init(&parts[k].text, MUT_BODY_MAX);
	for (k = 0; k < np; k++) {
		do {
			idx[k] = mut_below(rng, m->nfields);
			for (j = 0; j < k && idx[j] != idx[k]; j++)
				;
		} while (j < k);
	}
	for (k = 0; k < np && !rc; k++) {
		rc = mut_fc_make(&m->fields[idx[k]],
			     random_class(&m->fields[idx[k]], rng), rng,
			     &parts[k]);
		label_join(mu, parts[k].label);
		/* Malformed JSON is the rule a body breaks first. */
		if (!rc && parts[k].broken[0] &&
		    (!mu->must_refuse || !strcmp(parts[k].broken, MUT_MALFORMED))) {
			mu->must_refuse = 1;
			snprintf(mu->broken, sizeof(mu->broken), "%s",
				 parts[k].broken);
		}
	}
	if (!rc)
		rc = compose(m, parts, np, &mu->body);
	for (k = 0; k < MUT_MAX_PARTS; k++)
		cb_buf_release(&parts[k].text);
	if (!rc && mut_below(rng, 4) == 0)
		rc = corrupt(mu, rng);
	return rc;
}

/* ---- the mutator ---- */

void mutation_init(struct mutation *mu)
{
	memset(mu, 0, sizeof(*mu));
	cb_buf_init(&mu->body, MUT_BODY_MAX);
}

void mutation_release(struct mutation *mu)
{
	if (mu)
		cb_buf_release(&mu->body);
}

static int systematic_one(const struct mutator *m, const struct mut_plan *pl,
			  struct mutation *mu)
{
	struct mut_part part;
	struct cb_buf base;
	int rc;

	if (pl->field < 0) {
		cb_buf_init(&base, MUT_BODY_MAX);
		rc = compose(m, NULL, 0, &base);
		if (!rc)
			rc = bc_make(m, pl->cls, &base, NULL, mu) ? CB_ENOMEM
								  : CB_OK;
		cb_buf_release(&base);
		return rc;
	}
	memset(&part, 0, sizeof(part));
	cb_buf_init(&part.text, MUT_BODY_MAX);
	rc = mut_fc_make(&m->fields[pl->field], pl->cls, NULL, &part);
	if (!rc)
		rc = compose(m, &part, 1, &mu->body);
	if (!rc)
		mu_set(mu, part.broken[0] ? part.broken : NULL, "%s",
		       part.label);
	cb_buf_release(&part.text);
	return rc;
}

static int random_one(const struct mutator *m, size_t k, struct mutation *mu)
{
	uint64_t rng = m->seed ^ ((uint64_t)(k + 1) * 0xd1342543de82ef95ULL);
	struct cb_buf base;
	int rc;

	mut_mix(&rng);
	if (m->nfields && mut_below(&rng, 5))
		return random_fields(m, &rng, mu);
	cb_buf_init(&base, MUT_BODY_MAX);
	rc = compose(m, NULL, 0, &base);
	if (!rc)
		rc = bc_make(m, (int)mut_below(&rng, BC_END), &base, &rng, mu)
			     ? CB_ENOMEM
			     : CB_OK;
	cb_buf_release(&base);
	return rc;
}

int mut_make(const struct mutator *m, size_t k, struct mutation *mu,
	     struct cb_error *err)
{
	int rc;

	cb_buf_reset(&mu->body);
	mu->index = k;
	mu->must_refuse = 0;
	mu->label[0] = mu->broken[0] = '\0';
	mu->systematic = k < m->nplan;
	rc = mu->systematic ? systematic_one(m, &m->plan[k], mu)
			    : random_one(m, k, mu);
	if (rc)
		return cb_error_set(err, CB_ENOMEM, "mutation %zu: out of "
				    "memory or over %u bytes", k,
				    MUT_BODY_MAX);
	cb_sha256_hex(mu->sha256, cb_buf_str(&mu->body), mu->body.len);
	return CB_OK;
}

size_t mut_systematic(const struct mutator *m)
{
	return m->nplan;
}

static int field_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mut_field *)a)->name,
		      ((const struct mut_field *)b)->name);
}

static enum mut_type type_of_value(const json_t *v)
{
	if (json_is_string(v))
		return MT_STRING;
	if (json_is_integer(v))
		return MT_INTEGER;
	if (json_is_real(v))
		return MT_NUMBER;
	if (json_is_boolean(v))
		return MT_BOOLEAN;
	return MT_OTHER;
}

static int field_limits(struct mut_field *f, json_t *spec,
			struct cb_error *err)
{
	static const char *const names[] = {"string", "integer", "number",
					    "boolean", NULL};
	const char *t = json_string_value(json_object_get(spec, "type"));
	json_t *v;
	int k, rc;

	for (k = 0; t && names[k] && strcmp(names[k], t); k++)
		;
	if (!t || !names[k])
		return cb_error_set(err, CB_EINVAL, "field '%s': no valid "
				    "type", f->name);
	f->type = (enum mut_type)k;
	f->documented = 1;
	if ((v = json_object_get(spec, "min_length")))
		f->min_len = json_integer_value(v);
	if ((v = json_object_get(spec, "max_length")))
		f->max_len = json_integer_value(v);
	f->min_v = json_object_get(spec, "min");
	f->max_v = json_object_get(spec, "max");
	if ((f->min_v && !json_is_number(f->min_v)) ||
	    (f->max_v && !json_is_number(f->max_v)))
		return cb_error_set(err, CB_EINVAL, "field '%s': 'min' and "
				    "'max' must be numbers", f->name);
	t = json_string_value(json_object_get(spec, "pattern"));
	if (!t)
		return CB_OK;
	rc = regcomp(&f->pattern, t, REG_EXTENDED | REG_NOSUB);
	if (rc)
		return cb_error_set(err, CB_EINVAL, "field '%s': bad pattern",
				    f->name);
	f->has_pattern = 1;
	cb_excerpt(f->pattern_text, sizeof(f->pattern_text), t, strlen(t),
		   40);
	return CB_OK;
}

static int add_field(struct mutator *m, const char *name, json_t *example,
		     json_t *spec, struct cb_error *err)
{
	struct mut_field *f = &m->fields[m->nfields];

	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	m->nfields++;
	f->example = example;
	f->min_len = f->max_len = -1;
	f->type = type_of_value(example);
	return spec ? field_limits(f, spec, err) : CB_OK;
}

/*
 * Does class c give field f a value an earlier class already gave it (a
 * documented minimum of 0 and the class "0")?  Then it is left out.
 */
static int same_as_earlier(const struct mut_field *f, int c, int *dup,
			   struct cb_error *err)
{
	struct mut_part a, b;
	int e, rc = CB_OK;

	*dup = 0;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cb_buf_init(&a.text, MUT_BODY_MAX);
	cb_buf_init(&b.text, MUT_BODY_MAX);
	if (mut_fc_make(f, c, NULL, &a))
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
	for (e = 0; !rc && !*dup && e < c; e++) {
		if (!mut_fc_applies(f, e))
			continue;
		cb_buf_reset(&b.text);
		b.missing = b.twice = 0;
		if (mut_fc_make(f, e, NULL, &b))
			rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		*dup = !rc && a.missing == b.missing && a.twice == b.twice &&
		       a.text.len == b.text.len &&
		       !memcmp(cb_buf_str(&a.text), cb_buf_str(&b.text),
			       a.text.len);
	}
	cb_buf_release(&a.text);
	cb_buf_release(&b.text);
	return rc;
}

static int build_plan(struct mutator *m, struct cb_error *err)
{
	size_t i, cap = m->nfields * FC_SYSTEMATIC_END + BC_END;
	int c, dup;

	m->plan = calloc(cap, sizeof(*m->plan));
	if (!m->plan)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	for (i = 0; i < m->nfields; i++) {
		for (c = 0; c < FC_SYSTEMATIC_END; c++) {
			if (!mut_fc_applies(&m->fields[i], c))
				continue;
			if (same_as_earlier(&m->fields[i], c, &dup, err))
				return err->code;
			if (!dup)
				m->plan[m->nplan++] =
					(struct mut_plan){(int)i, c};
		}
	}
	for (c = 0; c < BC_END; c++)
		m->plan[m->nplan++] = (struct mut_plan){-1, c};
	return CB_OK;
}

/* A key name no field has, for the unknown-key classes. */
static void pick_unknown(struct mutator *m)
{
	size_t i;
	int clash;

	snprintf(m->unknown, sizeof(m->unknown), "certbench_unknown");
	do {
		clash = 0;
		for (i = 0; i < m->nfields; i++)
			if (!strncmp(m->fields[i].name, m->unknown,
				     strlen(m->unknown)))
				clash = 1;
		if (clash && strlen(m->unknown) + 1 < sizeof(m->unknown))
			strcat(m->unknown, "_");
		else
			clash = 0;
	} while (clash);
}

int mut_new(struct mutator **out, uint64_t seed, json_t *example,
	    json_t *fields, struct cb_error *err)
{
	struct mutator *m;
	const char *key;
	json_t *v;
	size_t n;
	char *text;
	int rc = CB_OK;

	*out = NULL;
	if (!json_is_object(example))
		return cb_error_set(err, CB_EINVAL, "the example body is not "
				    "a JSON object");
	if (fields && !json_is_object(fields))
		return cb_error_set(err, CB_EINVAL, "'fields' is not an "
				    "object");
	text = json_dumps(example, JSON_COMPACT | JSON_SORT_KEYS);
	n = text ? strlen(text) : 0;
	free(text);
	if (!n || n > MUT_EXAMPLE_MAX)
		return cb_error_set(err, CB_EINVAL, "the example body is "
				    "larger than %u bytes", MUT_EXAMPLE_MAX);
	m = calloc(1, sizeof(*m));
	if (!m)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	m->seed = seed;
	m->example = json_incref(example);
	m->spec = json_incref(fields);
	m->fields = calloc(json_object_size(example) +
				   json_object_size(fields) + 1,
			   sizeof(*m->fields));
	if (!m->fields)
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
	json_object_foreach(example, key, v)
		if (!rc)
			rc = add_field(m, key, v, json_object_get(fields, key),
				       err);
	json_object_foreach(fields, key, v)
		if (!rc && !json_object_get(example, key))
			rc = add_field(m, key, NULL, v, err);
	if (!rc) {
		qsort(m->fields, m->nfields, sizeof(*m->fields), field_cmp);
		pick_unknown(m);
		rc = build_plan(m, err);
	}
	if (rc) {
		mut_free(m);
		return rc;
	}
	*out = m;
	return CB_OK;
}

void mut_free(struct mutator *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nfields; i++) {
		if (m->fields[i].has_pattern)
			regfree(&m->fields[i].pattern);
		free(m->fields[i].name);
	}
	free(m->fields);
	free(m->plan);
	json_decref(m->example);
	json_decref(m->spec);
	free(m);
}
