/*
 * pwquality.c - findings on pre-installed passwords for test case 5.1-2-2.
 *
 * The derived-password search generates each candidate (a form of an
 * identifier, maybe hashed and encoded), compares it and forgets it, keeping
 * only the best match per identifier: at most 12 forms x (1 + 3 hashes x 6
 * encodings) candidates per identifier, all bounded by PWQ_IDENT_MAX.
 * Everything is ASCII and locale-independent: identifiers and the password
 * lists are ASCII, and a device's case folding is not ours to guess.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "harness/cb_error.h"
#include "harness/pwquality.h"

/* Shortest truncated candidate, shortest contained form that count. */
#define PWQ_TRUNC_MIN 6
#define PWQ_CONTAIN_MIN 4
/* Widest gap between two counter values; longest number field read. */
#define PWQ_COUNTER_SPAN 100
#define PWQ_NUMBER_MAX 16
/* Raw forms per identifier: the serial has 3 cases x (itself + 3 tails). */
#define PWQ_FORMS_MAX 12

struct pwq_out {
	struct pwq_finding *f;
	size_t n, cap;
};

static int pwq_add(struct pwq_out *o, const char *sample, const char *rule,
		   struct cb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int pwq_add(struct pwq_out *o, const char *sample, const char *rule,
		   struct cb_error *err, const char *fmt, ...)
{
	struct pwq_finding *f;
	va_list ap;

	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 16;

		f = realloc(o->f, cap * sizeof(*f));
		if (!f)
			return cb_error_set(err, CB_ENOMEM,
					    "no memory for %zu findings", cap);
		o->f = f;
		o->cap = cap;
	}
	f = &o->f[o->n++];
	snprintf(f->sample, sizeof(f->sample), "%s", sample);
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return CB_OK;
}

static char pwq_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char pwq_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Value of c as a digit in base 10 or 16, or -1. */
static int pwq_digit(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && pwq_lower(c) >= 'a' && pwq_lower(c) <= 'f')
		return pwq_lower(c) - 'a' + 10;
	return -1;
}

/* Length of s up to max; 0 for NULL, and for longer strings if !cut. */
static size_t pwq_strlen(const char *s, size_t max, int cut)
{
	size_t n;

	if (!s)
		return 0;
	n = strnlen(s, max + 1);
	if (n > max)
		return cut ? max : 0;
	return n;
}

/* ---- length, classes, entropy ---- */

struct pwq_measure {
	size_t chars;
	int lower, upper, digit, other;
	int classes, pool;
	double bits;
};

static void pwq_measure(struct pwq_measure *m, const char *pw, size_t len)
{
	size_t k;

	memset(m, 0, sizeof(*m));
	for (k = 0; k < len; k++) {
		char c = pw[k];

		/* A UTF-8 continuation byte adds no character. */
		if (((unsigned char)c & 0xc0) == 0x80)
			continue;
		m->chars++;
		if (c >= 'a' && c <= 'z')
			m->lower = 1;
		else if (c >= 'A' && c <= 'Z')
			m->upper = 1;
		else if (c >= '0' && c <= '9')
			m->digit = 1;
		else
			m->other = 1;
	}
	m->classes = m->lower + m->upper + m->digit + m->other;
	m->pool = 26 * m->lower + 26 * m->upper + 10 * m->digit +
		  33 * m->other;
	m->bits = m->pool ? (double)m->chars * log2(m->pool) : 0.0;
}

/* "lower, digit", or "none" */
static void pwq_class_list(char *out, size_t size,
			   const struct pwq_measure *m)
{
	const char *const name[] = {"lower", "upper", "digit", "other"};
	const int has[] = {m->lower, m->upper, m->digit, m->other};
	size_t k, o = 0;

	snprintf(out, size, "none");
	for (k = 0; k < 4; k++)
		if (has[k])
			o += (size_t)snprintf(out + o, size - o, "%s%s",
					      o ? ", " : "", name[k]);
}

static int pwq_check_basic(struct pwq_out *o, const char *sid,
			   const char *pw, size_t len,
			   const struct pwq_policy *pol, struct cb_error *err)
{
	struct pwq_measure m;
	char used[32];
	int rc = CB_OK;

	pwq_measure(&m, pw, len);
	if (pol->min_length > 0 && m.chars < (size_t)pol->min_length)
		rc = pwq_add(o, sid, "pwq.length", err,
			     "password has %zu characters, fewer than %d",
			     m.chars, pol->min_length);
	if (!rc && m.classes < pol->min_classes) {
		pwq_class_list(used, sizeof(used), &m);
		rc = pwq_add(o, sid, "pwq.classes", err,
			     "password uses %d of the 4 character classes "
			     "(%s), fewer than %d",
			     m.classes, used, pol->min_classes);
	}
	if (!rc && m.bits < pol->min_entropy_bits)
		rc = pwq_add(o, sid, "pwq.entropy", err,
			     "password has about %d bits (%zu characters "
			     "from a pool of %d), below %d",
			     (int)m.bits, m.chars, m.pool,
			     pol->min_entropy_bits);
	return rc;
}

/* ---- the Mirai and common-password lists ---- */

/* The list is an object whose member key is an array of password strings,
 * or of objects with a "password" string. */
static int pwq_list_shape(const json_t *root, const char *key, int objects,
			  const char *what, struct cb_error *err)
{
	json_t *arr = json_object_get(root, key), *v;
	size_t k;

	if (!json_is_array(arr))
		return cb_error_set(err, CB_EINVAL, "%s list has no '%s' array",
				    what, key);
	json_array_foreach(arr, k, v) {
		if (objects)
			v = json_object_get(v, "password");
		if (!json_is_string(v))
			return cb_error_set(err, CB_EINVAL,
					    "%s list: entry %zu has no "
					    "password string", what, k);
	}
	return CB_OK;
}

static int pwq_same(const json_t *v, const char *pw, size_t len, int fold)
{
	const char *s = json_string_value(v);
	size_t k;

	if (json_string_length(v) != len)
		return 0;
	if (!fold)
		return !memcmp(s, pw, len);
	for (k = 0; k < len; k++)
		if (pwq_lower(s[k]) != pwq_lower(pw[k]))
			return 0;
	return 1;
}

static int pwq_check_lists(struct pwq_out *o, const char *sid,
			   const char *pw, size_t len,
			   const struct pwq_lists *lists, struct cb_error *err)
{
	json_t *arr, *v;
	size_t k;
	int rc = CB_OK, folded = 0;

	if (lists->mirai) {
		arr = json_object_get(lists->mirai, "credentials");
		json_array_foreach(arr, k, v) {
			if (!pwq_same(json_object_get(v, "password"), pw, len,
				      0))
				continue;
			rc = pwq_add(o, sid, "pwq.list.mirai", err,
				     "password is one the Mirai botnet "
				     "scanner tries");
			break;
		}
	}
	if (rc || !lists->common)
		return rc;
	/* An exact match anywhere beats a case-folded one earlier. */
	arr = json_object_get(lists->common, "passwords");
	json_array_foreach(arr, k, v) {
		if (pwq_same(v, pw, len, 0))
			return pwq_add(o, sid, "pwq.list.common", err,
				       "password is on the common-password "
				       "list (exact match)");
		folded = folded || pwq_same(v, pw, len, 1);
	}
	if (folded)
		rc = pwq_add(o, sid, "pwq.list.common", err,
			     "password is on the common-password list "
			     "ignoring case (case-insensitive match)");
	return rc;
}

/* ---- passwords derived from public identifiers ---- */

enum pwq_id { PWQ_SERIAL, PWQ_MAC, PWQ_SSID, PWQ_MODEL, PWQ_NID };
enum pwq_base { PWQ_BASE_RAW, PWQ_BASE_NOSEP, PWQ_BASE_LAST };
enum pwq_case { PWQ_AS_WRITTEN, PWQ_LOWER, PWQ_UPPER };
enum pwq_cases {
	PWQ_C_WRITTEN = 1 << PWQ_AS_WRITTEN,
	PWQ_C_LOWER = 1 << PWQ_LOWER,
	PWQ_C_UPPER = 1 << PWQ_UPPER,
	PWQ_C_ALL = PWQ_C_WRITTEN | PWQ_C_LOWER | PWQ_C_UPPER,
};

/* One base form of an identifier, e.g. the MAC's last 6 digits in upper
 * case. */
struct pwq_form {
	enum pwq_base base;
	int last;		/* 4, 6 or 8 with PWQ_BASE_LAST */
	enum pwq_case cs;
	size_t len;
	char s[PWQ_IDENT_MAX + 1];
};

struct pwq_ident {
	enum pwq_id which;
	struct pwq_form form[PWQ_FORMS_MAX];
	size_t nform;
};

static const char *const pwq_id_name[PWQ_NID] = {"serial", "mac", "ssid",
						 "model"};
static const char *const pwq_id_what[PWQ_NID] = {
	"serial number", "MAC address", "SSID", "model name"};
static const char *const pwq_case_what[] = {"as written", "in lower case",
					    "in upper case"};

static const struct {
	const char *name, *what;
	const EVP_MD *(*md)(void);
} pwq_hashes[] = {
	{"md5", "MD5", EVP_md5},
	{"sha1", "SHA-1", EVP_sha1},
	{"sha256", "SHA-256", EVP_sha256},
};
#define PWQ_NHASH (sizeof(pwq_hashes) / sizeof(pwq_hashes[0]))

enum pwq_enc {
	PWQ_HEX_LOWER,
	PWQ_HEX_UPPER,
	PWQ_B64,
	PWQ_B64_NOPAD,
	PWQ_B64URL,
	PWQ_B64URL_NOPAD,
	PWQ_NENC
};
static const struct {
	const char *family, *what;
} pwq_encs[PWQ_NENC] = {
	{"hex", "lower-case hex"},
	{"hex", "upper-case hex"},
	{"base64", "standard base64"},
	{"base64", "standard base64 without padding"},
	{"base64", "URL-safe base64"},
	{"base64", "URL-safe base64 without padding"},
};

/* Add s in each case of the set, skipping texts already present (the first,
 * most natural description wins). */
static void pwq_ident_add(struct pwq_ident *id, enum pwq_base base, int last,
			  unsigned cases, const char *s, size_t len)
{
	struct pwq_form *f;
	size_t k;
	int cs;

	assert(len <= PWQ_IDENT_MAX);
	for (cs = PWQ_AS_WRITTEN; cs <= PWQ_UPPER; cs++) {
		if (!(cases & (1u << cs)))
			continue;
		assert(id->nform < PWQ_FORMS_MAX);
		f = &id->form[id->nform];
		f->base = base;
		f->last = last;
		f->cs = (enum pwq_case)cs;
		f->len = len;
		for (k = 0; k < len; k++)
			f->s[k] = cs == PWQ_LOWER   ? pwq_lower(s[k])
				  : cs == PWQ_UPPER ? pwq_upper(s[k])
						    : s[k];
		f->s[len] = '\0';
		for (k = 0; k < id->nform; k++)
			if (id->form[k].len == len &&
			    !memcmp(id->form[k].s, f->s, len))
				break;
		if (k == id->nform)
			id->nform++;
	}
}

/* The MAC's hex digits without ':', '-' or '.' into out; 0 unless it has
 * 12 (EUI-48) or 16 (EUI-64) digits and nothing else. */
static size_t pwq_mac_digits(char *out, const char *mac, size_t len)
{
	size_t k, n = 0;

	for (k = 0; k < len; k++) {
		if (mac[k] == ':' || mac[k] == '-' || mac[k] == '.')
			continue;
		if (pwq_digit(mac[k], 16) < 0)
			return 0;
		out[n++] = mac[k];
	}
	return n == 12 || n == 16 ? n : 0;
}

static void pwq_ident_build(struct pwq_ident *id, enum pwq_id which,
			    const struct pwq_sample *s)
{
	static const int lasts[] = {8, 6, 4};
	const char *const v[PWQ_NID] = {s->serial, s->mac, s->ssid, s->model};
	char hex[PWQ_IDENT_MAX];
	size_t len = pwq_strlen(v[which], PWQ_IDENT_MAX, 0), n, k;

	id->which = which;
	id->nform = 0;
	if (!len)
		return;
	pwq_ident_add(id, PWQ_BASE_RAW, 0, PWQ_C_ALL, v[which], len);
	if (which == PWQ_SERIAL) {
		for (k = 0; k < 3; k++)
			if (len > (size_t)lasts[k])
				pwq_ident_add(id, PWQ_BASE_LAST, lasts[k],
					      PWQ_C_ALL,
					      v[which] + len - lasts[k],
					      (size_t)lasts[k]);
	} else if (which == PWQ_MAC) {
		n = pwq_mac_digits(hex, v[which], len);
		if (!n)
			return;
		pwq_ident_add(id, PWQ_BASE_NOSEP, 0, PWQ_C_LOWER | PWQ_C_UPPER,
			      hex, n);
		for (k = 0; k < 3; k++)
			pwq_ident_add(id, PWQ_BASE_LAST, lasts[k],
				      PWQ_C_LOWER | PWQ_C_UPPER,
				      hex + n - lasts[k], (size_t)lasts[k]);
	}
}

/* Ordered weakest first; a truncation is a prefix or a suffix. */
enum pwq_match {
	PWQ_NONE,
	PWQ_CONTAINS,
	PWQ_PREFIX,
	PWQ_SUFFIX,
	PWQ_EXACT
};

struct pwq_hit {
	enum pwq_match match;
	size_t form;		/* index into pwq_ident.form */
	int hash;		/* index into pwq_hashes, -1: the form itself */
	int enc;		/* enum pwq_enc with a hash */
	size_t cand_len;
};

static int pwq_rank(enum pwq_match m)
{
	return m == PWQ_SUFFIX ? PWQ_PREFIX : (int)m;
}

static enum pwq_match pwq_compare(const char *pw, size_t len, const char *c,
				  size_t clen, int raw)
{
	if (len == clen && !memcmp(pw, c, len))
		return PWQ_EXACT;
	if (len >= PWQ_TRUNC_MIN && len < clen) {
		if (!memcmp(c, pw, len))
			return PWQ_PREFIX;
		if (!memcmp(c + clen - len, pw, len))
			return PWQ_SUFFIX;
	}
	if (raw && clen >= PWQ_CONTAIN_MIN && clen < len &&
	    memmem(pw, len, c, clen))
		return PWQ_CONTAINS;
	return PWQ_NONE;
}

/* Keep the first match of the best rank; among containments the longest
 * contained form, the most specific one. */
static void pwq_consider(struct pwq_hit *best, enum pwq_match m, size_t form,
			 int hash, int enc, size_t clen)
{
	if (m == PWQ_NONE || pwq_rank(m) < pwq_rank(best->match))
		return;
	if (pwq_rank(m) == pwq_rank(best->match) &&
	    !(m == PWQ_CONTAINS && clen > best->cand_len))
		return;
	best->match = m;
	best->form = form;
	best->hash = hash;
	best->enc = enc;
	best->cand_len = clen;
}

/* md[0..n) rendered in an encoding into out (2 * EVP_MAX_MD_SIZE + 1). */
static size_t pwq_encode(char *out, const unsigned char *md, size_t n,
			 enum pwq_enc enc)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	const char *digits = enc == PWQ_HEX_UPPER ? up : lo;
	size_t k, len;

	if (enc == PWQ_HEX_LOWER || enc == PWQ_HEX_UPPER) {
		for (k = 0; k < n; k++) {
			out[2 * k] = digits[md[k] >> 4];
			out[2 * k + 1] = digits[md[k] & 15];
		}
		out[2 * n] = '\0';
		return 2 * n;
	}
	len = (size_t)EVP_EncodeBlock((unsigned char *)out, md, (int)n);
	if (enc == PWQ_B64URL || enc == PWQ_B64URL_NOPAD) {
		for (k = 0; k < len; k++) {
			if (out[k] == '+')
				out[k] = '-';
			else if (out[k] == '/')
				out[k] = '_';
		}
	}
	if (enc == PWQ_B64_NOPAD || enc == PWQ_B64URL_NOPAD)
		while (len && out[len - 1] == '=')
			len--;
	out[len] = '\0';
	return len;
}

static void pwq_form_name(char *out, size_t size, const struct pwq_form *f)
{
	if (f->base == PWQ_BASE_LAST)
		snprintf(out, size, "last%d", f->last);
	else
		snprintf(out, size, "%s",
			 f->base == PWQ_BASE_NOSEP ? "nosep" : "raw");
}

/* "the last 6 hex digits of the MAC address in upper case" */
static void pwq_form_what(char *out, size_t size, enum pwq_id which,
			  const struct pwq_form *f)
{
	const char *id = pwq_id_what[which], *cs = pwq_case_what[f->cs];

	if (f->base == PWQ_BASE_NOSEP)
		snprintf(out, size, "the %s without separators %s", id, cs);
	else if (f->base == PWQ_BASE_LAST)
		snprintf(out, size, "the last %d %s of the %s %s", f->last,
			 which == PWQ_MAC ? "hex digits" : "characters", id,
			 cs);
	else
		snprintf(out, size, "the %s %s", id, cs);
}

static int pwq_report(struct pwq_out *o, const char *sid,
		      const struct pwq_ident *id, const struct pwq_hit *hit,
		      size_t len, struct cb_error *err)
{
	const struct pwq_form *f = &id->form[hit->form];
	const char *ident = pwq_id_name[id->which];
	char rule[96], name[16], form[96], cand[160];

	pwq_form_name(name, sizeof(name), f);
	pwq_form_what(form, sizeof(form), id->which, f);
	if (hit->hash < 0) {
		snprintf(rule, sizeof(rule), "pwq.derived.%s.%s", ident, name);
		snprintf(cand, sizeof(cand), "%s", form);
	} else {
		/* The plain form goes unnamed: pwq.derived.mac.sha1.hex. */
		snprintf(rule, sizeof(rule), "pwq.derived.%s%s%s.%s.%s", ident,
			 f->base == PWQ_BASE_RAW ? "" : ".",
			 f->base == PWQ_BASE_RAW ? "" : name,
			 pwq_hashes[hit->hash].name,
			 pwq_encs[hit->enc].family);
		snprintf(cand, sizeof(cand), "the %s of %s, as %s",
			 pwq_hashes[hit->hash].what, form,
			 pwq_encs[hit->enc].what);
	}
	switch (hit->match) {
	case PWQ_EXACT:
		return pwq_add(o, sid, rule, err, "password equals %s", cand);
	case PWQ_PREFIX:
	case PWQ_SUFFIX:
		return pwq_add(o, sid, rule, err,
			       "password is %s, truncated to its %s %zu "
			       "characters (%s)", cand,
			       hit->match == PWQ_PREFIX ? "first" : "last", len,
			       hit->match == PWQ_PREFIX ? "prefix" : "suffix");
	case PWQ_CONTAINS:
		return pwq_add(o, sid, rule, err, "password contains %s", cand);
	case PWQ_NONE:
		break;
	}
	return CB_OK;
}

/* Compare pw with every hash and encoding of form f. */
static int pwq_try_digests(struct pwq_hit *best, const char *pw, size_t len,
			   const struct pwq_ident *id, size_t f,
			   struct cb_error *err)
{
	const struct pwq_form *fm = &id->form[f];
	unsigned char md[EVP_MAX_MD_SIZE];
	char cand[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int mdlen;
	size_t h, clen;
	int e;

	for (h = 0; h < PWQ_NHASH; h++) {
		if (!EVP_Digest(fm->s, fm->len, md, &mdlen, pwq_hashes[h].md(),
				NULL))
			return cb_error_set_ssl(err, CB_ECRYPTO, "%s of the %s",
						pwq_hashes[h].what,
						pwq_id_what[id->which]);
		for (e = 0; e < PWQ_NENC; e++) {
			clen = pwq_encode(cand, md, mdlen, e);
			pwq_consider(best, pwq_compare(pw, len, cand, clen, 0),
				     f, (int)h, e, clen);
		}
	}
	return CB_OK;
}

static int pwq_check_ident(struct pwq_out *o, const char *sid,
			   const char *pw, size_t len,
			   const struct pwq_ident *id, struct cb_error *err)
{
	struct pwq_hit best = {.match = PWQ_NONE};
	const struct pwq_form *fm;
	size_t f;
	int rc;

	for (f = 0; f < id->nform; f++) {
		fm = &id->form[f];
		pwq_consider(&best, pwq_compare(pw, len, fm->s, fm->len, 1), f,
			     -1, 0, fm->len);
		rc = pwq_try_digests(&best, pw, len, id, f, err);
		if (rc)
			return rc;
	}
	if (best.match == PWQ_NONE)
		return CB_OK;
	return pwq_report(o, sid, id, &best, len, err);
}

static int pwq_check_sample(struct pwq_out *o, const struct pwq_sample *s,
			    const struct pwq_policy *pol,
			    const struct pwq_lists *lists,
			    struct cb_error *err)
{
	struct pwq_ident id;
	const char *sid = s->id ? s->id : "";
	size_t len;
	int which, rc;

	if (!s->password)
		return CB_OK;
	len = pwq_strlen(s->password, PWQ_PASSWORD_MAX, 1);
	rc = pwq_check_basic(o, sid, s->password, len, pol, err);
	if (!rc && lists)
		rc = pwq_check_lists(o, sid, s->password, len, lists, err);
	for (which = 0; !rc && which < PWQ_NID; which++) {
		pwq_ident_build(&id, (enum pwq_id)which, s);
		rc = pwq_check_ident(o, sid, s->password, len, &id, err);
	}
	return rc;
}

/* ---- counters across samples ---- */

static int pwq_number(const char *p, size_t n, int base,
		      unsigned long long *v)
{
	size_t k;
	int d;

	if (!n || n > PWQ_NUMBER_MAX)
		return 0;
	*v = 0;
	for (k = 0; k < n; k++) {
		d = pwq_digit(p[k], base);
		if (d < 0)
			return 0;
		*v = *v * (unsigned)base + (unsigned)d;
	}
	return 1;
}

/*
 * a and b share p leading and s trailing bytes.  Widen the differing middle
 * over the digits around it (pass0001/pass0002 differ in "1"/"2", the field
 * is "0001"/"0002") and compare it as one number.
 */
static int pwq_counter_field(const char *a, size_t la, const char *b,
			     size_t lb, size_t p, size_t s, int base)
{
	size_t lo = p, ea = la - s, eb = lb - s;
	unsigned long long x, y;

	while (lo > 0 && pwq_digit(a[lo - 1], base) >= 0)
		lo--;
	while (ea < la && pwq_digit(a[ea], base) >= 0) {
		ea++;
		eb++;
	}
	if (!pwq_number(a + lo, ea - lo, base, &x) ||
	    !pwq_number(b + lo, eb - lo, base, &y))
		return 0;
	return x != y && (x > y ? x - y : y - x) <= PWQ_COUNTER_SPAN;
}

static int pwq_counter_pair(const char *a, const char *b)
{
	size_t la = pwq_strlen(a, PWQ_PASSWORD_MAX, 1);
	size_t lb = pwq_strlen(b, PWQ_PASSWORD_MAX, 1);
	size_t p = 0, s = 0;

	while (p < la && p < lb && a[p] == b[p])
		p++;
	if (p == la && p == lb)
		return 0; /* the same password is 5.1-1's business */
	while (s < la - p && s < lb - p && a[la - 1 - s] == b[lb - 1 - s])
		s++;
	return pwq_counter_field(a, la, b, lb, p, s, 10) ||
	       pwq_counter_field(a, la, b, lb, p, s, 16);
}

static size_t pwq_root(size_t *up, size_t k)
{
	while (up[k] != k)
		k = up[k] = up[up[k]];
	return k;
}

/* Merge two groups under the lower root, so a group's root is its first
 * sample. */
static void pwq_join(size_t *up, size_t i, size_t j)
{
	size_t ri = pwq_root(up, i), rj = pwq_root(up, j);

	if (ri < rj)
		up[rj] = ri;
	else
		up[ri] = rj;
}

/* "s1,s2,s3" in sample order, ending in "..." when it does not fit. */
static void pwq_group_names(char *out, size_t size,
			    const struct pwq_sample *s, size_t n, size_t *up,
			    size_t root)
{
	size_t k, o = 0;
	int w;

	assert(size > 4);
	out[0] = '\0';
	for (k = root; k < n; k++) {
		if (!s[k].password || pwq_root(up, k) != root)
			continue;
		w = snprintf(out + o, size - o, "%s%s", o ? "," : "",
			     s[k].id ? s[k].id : "");
		if (w < 0 || o + (size_t)w >= size) {
			memcpy(out + size - 4, "...", 4);
			return;
		}
		o += (size_t)w;
	}
}

static int pwq_check_counter(struct pwq_out *o, const struct pwq_sample *s,
			     size_t n, struct cb_error *err)
{
	char names[sizeof(o->f->sample)];
	size_t *up, i, j, members;
	int rc = CB_OK;

	if (n < 2)
		return CB_OK;
	up = malloc(n * sizeof(*up));
	if (!up)
		return cb_error_set(err, CB_ENOMEM, "no memory for %zu samples",
				    n);
	for (i = 0; i < n; i++)
		up[i] = i;
	for (i = 0; i < n; i++)
		for (j = i + 1; s[i].password && j < n; j++)
			if (s[j].password &&
			    pwq_counter_pair(s[i].password, s[j].password))
				pwq_join(up, i, j);
	for (i = 0; !rc && i < n; i++) {
		if (!s[i].password || pwq_root(up, i) != i)
			continue;
		for (members = 0, j = i; j < n; j++)
			members += s[j].password && pwq_root(up, j) == i;
		if (members < 2)
			continue;
		pwq_group_names(names, sizeof(names), s, n, up, i);
		rc = pwq_add(o, names, "pwq.counter", err,
			     "passwords of %zu samples are the same but for "
			     "one number field, within %d of each other",
			     members, PWQ_COUNTER_SPAN);
	}
	free(up);
	return rc;
}

/* ---- entry point ---- */

void pwq_policy_default(struct pwq_policy *p)
{
	p->min_length = 8;
	p->min_classes = 2;
	p->min_entropy_bits = 40;
}

int pwq_check(const struct pwq_sample *s, size_t n,
	      const struct pwq_policy *pol, const struct pwq_lists *lists,
	      struct pwq_finding **out, size_t *nout, struct cb_error *err)
{
	struct pwq_out o = {0};
	struct pwq_policy def;
	size_t k;
	int rc = CB_OK;

	assert(out && nout && (s || !n));
	*out = NULL;
	*nout = 0;
	if (!pol) {
		pwq_policy_default(&def);
		pol = &def;
	}
	if (lists && lists->mirai)
		rc = pwq_list_shape(lists->mirai, "credentials", 1, "Mirai",
				    err);
	if (!rc && lists && lists->common)
		rc = pwq_list_shape(lists->common, "passwords", 0,
				    "common-password", err);
	for (k = 0; !rc && k < n; k++)
		rc = pwq_check_sample(&o, &s[k], pol, lists, err);
	if (!rc)
		rc = pwq_check_counter(&o, s, n, err);
	if (rc) {
		free(o.f);
		return rc;
	}
	*out = o.f;
	*nout = o.n;
	return CB_OK;
}
