/*
 * mutate_value.c - the values one field of a documented JSON body can be
 * given by the mutator (mutate.h): wrong types, boundary and overlong
 * strings, boundary and huge numbers, injection strings, control bytes,
 * invalid UTF-8, deep nesting, a missing or repeated key; and the
 * judgement of each value against the field's documented constraints.
 *
 * A judgement errs on the side of the device: too long means more
 * characters than documented and too short fewer bytes, so whether the
 * device counts bytes or characters never makes a correct one fail; a
 * string holding a NUL is not matched against a pattern.
 */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/cb_text.h"
#include "harness/mutate_value.h"

#define MUT_DEEP_FIELD 512	/* nested lists in place of one value */

/* Values the injection classes draw from; the first is the systematic. */
static const char *const traversals[] = {
	"../../../../etc/passwd", "..\\..\\..\\..\\windows\\win.ini",
	"/etc/shadow", "....//....//....//etc/passwd",
	"%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", "file:///etc/passwd",
	NULL};
static const char *const formats[] = {
	"%n%n%s", "%s%s%s%s%s%s%s%s", "%x%x%x%x%x%x", "%n%n%n%n%n%n",
	"%99999999d", "%.999999f", "%p%p%p%p", NULL};
static const char *const shells[] = {
	";id", "|id", "`id`", "$(id)", "&& id", "\nid", "'; id; '",
	"${IFS}id", "; reboot", NULL};
static const char *const sqls[] = {
	"' OR '1'='1", "1; DROP TABLE users--", "\" OR \"\"=\"",
	"' UNION SELECT NULL--", "admin'--", NULL};
static const char *const scripts[] = {
	"<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
	"\"><svg onload=alert(1)>", "{{7*7}}", "${7*7}",
	"<!ENTITY x SYSTEM \"file:///etc/passwd\">", NULL};
static const char *const controls[] = {
	"x\r\nX-Injected: 1", "\x1b[2J\x1b[1;1H", "\t\v\f\b", "\x7f\x7f",
	"\r", NULL};
/* U+202E U+200B U+FEFF e-acute U+1F600 */
static const char unicode_mix[] =
	"\xe2\x80\xae\xe2\x80\x8b\xef\xbb\xbf\xc3\xa9\xf0\x9f\x98\x80";
static const unsigned long codepoints[] = {
	0x202e, 0x200b, 0xfeff, 0xe9, 0x1f600, 0x301, 0xfffd, 0xffff,
	0x10ffff, 0xd7ff, 0x85, 0x2028, 0x2029, 0x7ff, 0x800};
#define NCODEPOINTS (sizeof(codepoints) / sizeof(codepoints[0]))

static const char *const type_names[] = {
	[MT_STRING] = "string", [MT_INTEGER] = "integer",
	[MT_NUMBER] = "number", [MT_BOOLEAN] = "boolean",
	[MT_OTHER] = "value"};
static const char *const type_articles[] = {
	[MT_STRING] = "a string", [MT_INTEGER] = "an integer",
	[MT_NUMBER] = "a number", [MT_BOOLEAN] = "a boolean",
	[MT_OTHER] = "a value"};

/* ---- judging a value against its field ---- */

static size_t utf8_chars(const char *s, size_t n)
{
	size_t k, c = 0;

	for (k = 0; k < n; k++)
		if (((unsigned char)s[k] & 0xc0) != 0x80)
			c++;
	return c;
}

static void judge_string(const struct mut_field *f, const char *s, size_t n,
			 struct mut_part *p)
{
	char *z;

	if (!f->documented)
		return;
	if (f->type != MT_STRING) {
		snprintf(p->broken, sizeof(p->broken), "documented as %s",
			 type_articles[f->type]);
	} else if (f->max_len >= 0 &&
		   utf8_chars(s, n) > (size_t)f->max_len) {
		snprintf(p->broken, sizeof(p->broken),
			 "documented at most %lld", f->max_len);
	} else if (f->min_len > 0 && n < (size_t)f->min_len) {
		snprintf(p->broken, sizeof(p->broken),
			 "documented at least %lld", f->min_len);
	} else if (f->has_pattern && !memchr(s, '\0', n)) {
		/* A NUL would hide the rest from regexec: not judged. */
		z = strndup(s, n);
		if (z && regexec(&f->pattern, z, 0, NULL, 0))
			snprintf(p->broken, sizeof(p->broken),
				 "documented pattern %s", f->pattern_text);
		free(z);
	}
}

/* Does a number literal have a fractional part? */
static int literal_fraction(const char *text)
{
	double v = strtod(text, NULL);

	if (!strpbrk(text, ".eE") || v > 9e15 || v < -9e15)
		return 0;
	return (double)(long long)v != v;
}

/*
 * Compare a number literal with a documented bound: exactly for integers
 * (2^63 is more than 2^63-1), as doubles otherwise ("%.17g" gives back
 * the very double it printed).
 */
static int literal_cmp(const char *text, const json_t *bound)
{
	long long x, b;
	double dx, db;

	if (json_is_integer(bound) && !strpbrk(text, ".eE")) {
		errno = 0;
		x = strtoll(text, NULL, 10);
		if (errno == ERANGE)
			return text[0] == '-' ? -1 : 1;
		b = (long long)json_integer_value(bound);
		return x < b ? -1 : x > b;
	}
	dx = strtod(text, NULL);
	db = json_number_value(bound);
	return dx < db ? -1 : dx > db;
}

static void judge_number(const struct mut_field *f, const char *text,
			 struct mut_part *p)
{
	const json_t *bound = NULL;
	char *s;

	if (!f->documented)
		return;
	if (f->type != MT_INTEGER && f->type != MT_NUMBER) {
		snprintf(p->broken, sizeof(p->broken), "documented as %s",
			 type_articles[f->type]);
		return;
	}
	if (f->type == MT_INTEGER && literal_fraction(text)) {
		snprintf(p->broken, sizeof(p->broken),
			 "documented as an integer");
		return;
	}
	if (f->min_v && literal_cmp(text, f->min_v) < 0)
		bound = f->min_v;
	else if (f->max_v && literal_cmp(text, f->max_v) > 0)
		bound = f->max_v;
	if (!bound)
		return;
	s = json_dumps(bound, JSON_ENCODE_ANY);
	snprintf(p->broken, sizeof(p->broken), "documented at %s %.40s",
		 bound == f->min_v ? "least" : "most", s ? s : "?");
	free(s);
}

/* A boolean, null, list or object where f is documented. */
static void judge_kind(const struct mut_field *f, int boolean,
		       struct mut_part *p)
{
	if (f->documented && !(boolean && f->type == MT_BOOLEAN))
		snprintf(p->broken, sizeof(p->broken), "documented as %s",
			 type_articles[f->type]);
}

/* ---- parts ---- */

static int part_add(struct mut_part *p, const void *s, size_t n)
{
	return cb_buf_add(&p->text, s, n, NULL);
}

int mut_json_text(struct cb_buf *b, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
				   JSON_ENCODE_ANY);
	int rc;

	if (!s)
		return CB_ENOMEM;
	rc = cb_buf_adds(b, s, NULL);
	free(s);
	return rc;
}

/* A valid string value, encoded by jansson. */
static int part_string(struct mut_part *p, const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	int rc;

	if (!v)
		return CB_ENOMEM;
	rc = mut_json_text(&p->text, v);
	json_decref(v);
	if (!rc)
		judge_string(p->f, s, n, p);
	return rc;
}

/*
 * Raw bytes between quotes (no '"' or '\\' among them): a string when
 * they are valid UTF-8 without control bytes, malformed JSON otherwise.
 */
static int part_raw_string(struct mut_part *p, const char *s, size_t n)
{
	size_t k;
	int bad = !cb_utf8_valid(s, n);

	for (k = 0; k < n && !bad; k++)
		bad = (unsigned char)s[k] < 0x20;
	if (part_add(p, "\"", 1) || part_add(p, s, n) || part_add(p, "\"", 1))
		return CB_ENOMEM;
	if (bad)
		snprintf(p->broken, sizeof(p->broken), MUT_MALFORMED);
	else
		judge_string(p->f, s, n, p);
	return CB_OK;
}

static int part_number(struct mut_part *p, const char *text)
{
	if (cb_buf_adds(&p->text, text, NULL))
		return CB_ENOMEM;
	judge_number(p->f, text, p);
	return CB_OK;
}

static int part_malformed(struct mut_part *p, const char *text)
{
	snprintf(p->broken, sizeof(p->broken), MUT_MALFORMED);
	return cb_buf_adds(&p->text, text, NULL) ? CB_ENOMEM : CB_OK;
}

/* Any JSON value, judged by its kind. */
static int part_value(struct mut_part *p, json_t *v)
{
	char num[64];
	int rc;

	if (!v)
		return CB_ENOMEM;
	if (json_is_string(v)) {
		rc = part_string(p, json_string_value(v),
				 json_string_length(v));
	} else if (json_is_number(v)) {
		if (json_is_integer(v))
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(v));
		else
			snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		rc = part_number(p, num);
	} else {
		rc = mut_json_text(&p->text, v);
		judge_kind(p->f, json_is_boolean(v), p);
	}
	json_decref(v);
	return rc;
}

static void part_label(struct mut_part *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void part_label(struct mut_part *p, const char *fmt, ...)
{
	char what[MUT_LABEL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->label, sizeof(p->label), "%.60s: %.120s", p->f->name,
		 what);
}

/* A printable excerpt of a value for labels. */
static const char *excerpt(char *out, size_t len, const char *s)
{
	cb_excerpt(out, len, s, strlen(s), 40);
	return out;
}

static const char *pick(const char *const *pool, uint64_t *rng)
{
	size_t n = 0;

	while (pool[n])
		n++;
	return pool[rng ? mut_below(rng, n) : 0];
}

/* ---- the classes of one field ---- */

static int fc_is_string(int c)
{
	return (c >= FC_EMPTY && c <= FC_BAD_UTF8) || c == FC_RANDOM_TEXT ||
	       c == FC_RANDOM_BYTES;
}

static int fc_is_number(int c)
{
	return (c >= FC_AT_MIN && c <= FC_NAN) || c == FC_RANDOM_INT;
}

/* Lengths whose strings still fit a body. */
static int len_fits(long long n)
{
	return n >= 0 && n <= (long long)MUT_RANDOM_LONG;
}

int mut_fc_applies(const struct mut_field *f, int c)
{
	if (fc_is_string(c) && f->type != MT_STRING)
		return 0;
	if (fc_is_number(c) && f->type != MT_INTEGER && f->type != MT_NUMBER)
		return 0;
	switch (c) {
	case FC_AT_MIN_LEN:
		return f->min_len >= 1 && len_fits(f->min_len);
	case FC_BELOW_MIN_LEN:
		return f->min_len >= 2 && len_fits(f->min_len);
	case FC_AT_MAX_LEN:
		return f->max_len >= 1 && len_fits(f->max_len);
	case FC_ABOVE_MAX_LEN:
		return f->max_len >= 0 && len_fits(f->max_len + 1);
	case FC_LONG:
		return f->max_len != MUT_LONG - 1;
	case FC_AT_MIN:
	case FC_BELOW_MIN:
		return f->min_v != NULL;
	case FC_AT_MAX:
	case FC_ABOVE_MAX:
		return f->max_v != NULL;
	case FC_BOOL_CAPS:
		return f->type == MT_BOOLEAN;
	case FC_AS_STRING:
		return f->type != MT_STRING;
	case FC_AS_INTEGER:
		return f->type != MT_INTEGER && f->type != MT_NUMBER;
	case FC_AS_NUMBER:
		return f->type != MT_NUMBER;
	case FC_AS_BOOLEAN:
		return f->type != MT_BOOLEAN;
	case FC_AS_NULL:
		return !json_is_null(f->example) || f->type != MT_OTHER;
	case FC_AS_LIST:
		return !json_is_array(f->example);
	case FC_AS_OBJECT:
		return !json_is_object(f->example);
	case FC_MISSING:
		return f->example != NULL;
	default:
		return c >= 0 && c < FC_END;
	}
}

char *mut_filler(size_t n, uint64_t *rng)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char *s = malloc(n + 1);
	size_t k;

	if (!s)
		return NULL;
	for (k = 0; k < n; k++)
		s[k] = rng ? alnum[mut_below(rng, sizeof(alnum) - 1)] : 'A';
	s[n] = '\0';
	return s;
}

static int fc_string_of(struct mut_part *p, size_t n, uint64_t *rng)
{
	char *s = mut_filler(n, rng);
	int rc;

	if (!s)
		return CB_ENOMEM;
	if (n)
		part_label(p, "string of %zu byte%s", n, n == 1 ? "" : "s");
	else
		part_label(p, "empty string");
	rc = part_string(p, s, n);
	free(s);
	return rc;
}

static int fc_pool(struct mut_part *p, const char *what,
		   const char *const *pool, uint64_t *rng)
{
	const char *v = pick(pool, rng);
	char ex[64];

	part_label(p, "%s %s", what, excerpt(ex, sizeof(ex), v));
	return part_string(p, v, strlen(v));
}

static size_t utf8_put(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int fc_unicode(struct mut_part *p, uint64_t *rng)
{
	char buf[64 * 4];
	size_t n = 0, k, count;

	if (!rng) {
		part_label(p, "unicode controls and emoji");
		return part_string(p, unicode_mix, sizeof(unicode_mix) - 1);
	}
	count = mut_range(rng, 1, 64);
	for (k = 0; k < count; k++)
		n += utf8_put(buf + n, codepoints[mut_below(rng, NCODEPOINTS)]);
	part_label(p, "%zu unicode controls and symbols", count);
	return part_string(p, buf, n);
}

static int fc_bytes(struct mut_part *p, uint64_t *rng, int high)
{
	char buf[64];
	size_t n, k;
	unsigned char c;

	if (!rng) {
		part_label(p, "invalid UTF-8");
		return part_raw_string(p, "\xc3\x28\xa0\xa1\xff", 5);
	}
	n = mut_range(rng, 1, sizeof(buf));
	for (k = 0; k < n; k++) {
		do
			c = (unsigned char)mut_range(rng, high ? 0x80 : 1,
						     0xff);
		while (c == '"' || c == '\\');
		buf[k] = (char)c;
	}
	part_label(p, "%zu random bytes%s", n, high ? " above 0x7f" : "");
	return part_raw_string(p, buf, n);
}

static int fc_random_text(struct mut_part *p, uint64_t *rng)
{
	/* At most 2 KiB: escaping may double it. */
	size_t hi = p->f->max_len >= 0 && p->f->max_len + 64 <= 2048
			    ? (size_t)p->f->max_len + 64
			    : 512;
	size_t n = mut_range(rng, 1, hi), k;
	char *s = malloc(n + 1);
	int rc;

	if (!s)
		return CB_ENOMEM;
	for (k = 0; k < n; k++)
		s[k] = (char)mut_range(rng, 0x20, 0x7e);
	part_label(p, "random text of %zu bytes", n);
	rc = part_string(p, s, n);
	free(s);
	return rc;
}

/* The documented bound plus delta (-1, 0 or +1), as a literal. */
static void bound_text(const json_t *v, int delta, char *out, size_t len)
{
	long long i;

	if (!json_is_integer(v)) {
		snprintf(out, len, "%.17g", json_number_value(v) + delta);
		return;
	}
	i = (long long)json_integer_value(v);
	if (delta < 0 && i == LLONG_MIN)
		snprintf(out, len, "-%llu", (unsigned long long)LLONG_MAX + 2);
	else if (delta > 0 && i == LLONG_MAX)
		snprintf(out, len, "%llu", (unsigned long long)LLONG_MAX + 1);
	else
		snprintf(out, len, "%lld", i + delta);
}

static int fc_random_int(struct mut_part *p, uint64_t *rng)
{
	const struct mut_field *f = p->f;
	char num[48];
	long long v;

	switch (mut_below(rng, 3)) {
	case 0:
		v = (long long)mut_mix(rng);
		break;
	case 1:
		v = (long long)(1ULL << mut_below(rng, 63)) +
		    (long long)mut_below(rng, 3) - 1;
		break;
	default:
		v = (long long)mut_below(rng, 2001) - 1000;
		if (json_is_integer(f->min_v) &&
		    json_integer_value(f->min_v) > LLONG_MIN / 2 &&
		    json_integer_value(f->min_v) < LLONG_MAX / 2)
			v += (long long)json_integer_value(f->min_v);
		break;
	}
	if (mut_below(rng, 2) && v != LLONG_MIN)
		v = -v;
	snprintf(num, sizeof(num), "%lld", v);
	part_label(p, "integer %s", num);
	return part_number(p, num);
}

/* The example's value as a string ("42", "true"), or "x". */
static int fc_as_string(struct mut_part *p)
{
	json_t *ex = p->f->example;
	char *s = NULL;
	int rc;

	if (json_is_number(ex) || json_is_boolean(ex))
		s = json_dumps(ex, JSON_ENCODE_ANY);
	part_label(p, "string \"%s\" instead of %s", s ? s : "x",
		   type_names[p->f->type]);
	rc = part_value(p, json_string(s ? s : "x"));
	free(s);
	return rc;
}

static int fc_deep(struct mut_part *p, uint64_t *rng)
{
	size_t d = rng ? mut_range(rng, 64, 2 * MUT_DEEP_FIELD)
		       : MUT_DEEP_FIELD, k;

	part_label(p, "deep nesting (%zu lists)", d);
	for (k = 0; k < d; k++)
		if (part_add(p, "[", 1))
			return CB_ENOMEM;
	for (k = 0; k < d; k++)
		if (part_add(p, "]", 1))
			return CB_ENOMEM;
	judge_kind(p->f, 0, p);
	return CB_OK;
}

static int fc_other_type(struct mut_part *p, int c)
{
	const char *t = type_names[p->f->type];
	json_t *ex = p->f->example;

	switch (c) {
	case FC_AS_INTEGER:
		part_label(p, "integer instead of %s", t);
		return part_value(p, json_integer(p->f->type == MT_BOOLEAN
							  ? 1
							  : 12345));
	case FC_AS_NUMBER:
		part_label(p, "number 1.5 instead of %s", t);
		return part_value(p, json_real(1.5));
	case FC_AS_BOOLEAN:
		part_label(p, "boolean instead of %s", t);
		return part_value(p, json_true());
	case FC_AS_NULL:
		part_label(p, "null instead of %s", t);
		return part_value(p, json_null());
	case FC_AS_LIST:
		part_label(p, "list instead of %s", t);
		return part_value(p, ex ? json_pack("[O]", ex) : json_array());
	case FC_AS_OBJECT:
		part_label(p, "object instead of %s", t);
		return part_value(p, ex ? json_pack("{s:O}", "value", ex)
					: json_object());
	default:
		return fc_as_string(p);
	}
}

static int fc_number(struct mut_part *p, int c)
{
	const struct mut_field *f = p->f;
	char num[48];

	switch (c) {
	case FC_AT_MIN:
	case FC_BELOW_MIN:
		bound_text(f->min_v, c == FC_AT_MIN ? 0 : -1, num,
			   sizeof(num));
		part_label(p, "%s%s", num,
			   c == FC_AT_MIN ? " (the documented minimum)" : "");
		return part_number(p, num);
	case FC_AT_MAX:
	case FC_ABOVE_MAX:
		bound_text(f->max_v, c == FC_AT_MAX ? 0 : 1, num,
			   sizeof(num));
		part_label(p, "%s%s", num,
			   c == FC_AT_MAX ? " (the documented maximum)" : "");
		return part_number(p, num);
	case FC_ZERO:
		part_label(p, "0");
		return part_number(p, "0");
	case FC_MINUS_ONE:
		part_label(p, "-1");
		return part_number(p, "-1");
	case FC_2P31:
		part_label(p, "integer 2^31");
		return part_number(p, "2147483648");
	case FC_2P63:
		part_label(p, "integer 2^63");
		return part_number(p, "9223372036854775808");
	case FC_NEG_2P63:
		part_label(p, "integer -2^63-1");
		return part_number(p, "-9223372036854775809");
	case FC_FRACTION:
		part_label(p, "fraction 0.5");
		return part_number(p, "0.5");
	case FC_HUGE:
		part_label(p, "number 1e999");
		return part_number(p, "1e999");
	case FC_LEADING_ZERO:
		part_label(p, "number with leading zeros 007");
		return part_malformed(p, "007");
	default:
		part_label(p, "NaN");
		return part_malformed(p, "NaN");
	}
}

int mut_fc_make(const struct mut_field *f, int c, uint64_t *rng,
		struct mut_part *p)
{
	size_t n;

	p->f = f;
	switch (c) {
	case FC_EMPTY:
		return fc_string_of(p, 0, NULL);
	case FC_SPACES:
		part_label(p, "only spaces");
		return part_string(p, "   ", 3);
	case FC_AT_MIN_LEN:
		return fc_string_of(p, (size_t)f->min_len, rng);
	case FC_BELOW_MIN_LEN:
		return fc_string_of(p, (size_t)f->min_len - 1, rng);
	case FC_AT_MAX_LEN:
		return fc_string_of(p, (size_t)f->max_len, rng);
	case FC_ABOVE_MAX_LEN:
		return fc_string_of(p, (size_t)f->max_len + 1, rng);
	case FC_LONG:
		n = MUT_LONG;
		if (rng)
			n = mut_range(rng, f->max_len >= 0 &&
						   f->max_len < MUT_RANDOM_LONG
					       ? (size_t)f->max_len + 1
					       : 257,
				      MUT_RANDOM_LONG);
		return fc_string_of(p, n, rng);
	case FC_TRAVERSAL:
		return fc_pool(p, "path traversal", traversals, rng);
	case FC_FORMAT:
		return fc_pool(p, "format string", formats, rng);
	case FC_SHELL:
		return fc_pool(p, "shell metacharacters", shells, rng);
	case FC_SQL:
		return fc_pool(p, "SQL injection", sqls, rng);
	case FC_SCRIPT:
		return fc_pool(p, "script injection", scripts, rng);
	case FC_CONTROL:
		return fc_pool(p, "control characters", controls, rng);
	case FC_NUL:
		part_label(p, "NUL byte");
		return part_string(p, "a\0b", 3);
	case FC_UNICODE:
		return fc_unicode(p, rng);
	case FC_BAD_UTF8:
		return fc_bytes(p, rng, 1);
	case FC_RANDOM_TEXT:
		return fc_random_text(p, rng);
	case FC_RANDOM_BYTES:
		return fc_bytes(p, rng, 0);
	case FC_RANDOM_INT:
		return fc_random_int(p, rng);
	case FC_BOOL_CAPS:
		part_label(p, "True (not JSON)");
		return part_malformed(p, "True");
	case FC_DEEP:
		return fc_deep(p, rng);
	case FC_MISSING:
		p->missing = 1;
		part_label(p, "missing");
		return CB_OK;
	case FC_TWICE:
		p->twice = 1;
		part_label(p, "key twice, the second time null");
		return cb_buf_adds(&p->text, "null", NULL) ? CB_ENOMEM : CB_OK;
	default:
		if (c >= FC_AT_MIN && c <= FC_NAN)
			return fc_number(p, c);
		return fc_other_type(p, c);
	}
}
