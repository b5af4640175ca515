/*
 * disclose.c - detectors of information a device gives away before
 * authentication (see disclose.h).
 *
 * Generic detectors run on windows of WIN bytes (plus DISCLOSE_MATCH_MAX
 * of look-ahead) copied out of the text with NUL replaced, so a scan
 * costs the same per byte whatever the input: regexec() never sees more
 * than one window, and bounded repetitions keep each attempt short.  A
 * match belongs to the window it starts in; the search resumes at the
 * end of its value, so a boundary character after one value can start
 * the next.  Profile literals and the MAC are plain byte comparisons.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/cb_text.h"
#include "harness/disclose.h"

#define WIN	    4096
#define MAX_GROUPS  24
#define LIT_MIN	    3
#define MERGE_GAP   3
#define MASK_KEEP   4
#define EXCERPT_MAX 80

struct disclose_rule {
	char id[DISCLOSE_ID_MAX];
	enum disclose_kind kind;
	regex_t re, except;
	int have_except;
	int group;
};

struct disclose_lit {
	char id[DISCLOSE_ID_MAX];
	enum disclose_kind kind;
	char *value;
	size_t len;
};

/* A candidate before precedence and merging. */
struct hit {
	enum disclose_kind kind;
	int lit;		/* from the profile */
	const char *id;
	size_t off, len;	/* the value */
	size_t moff;		/* where the whole match starts */
	int dropped;
};

static const char *const kind_names[DK_NKINDS] = {
	[DK_MODEL] = "model",
	[DK_MANUFACTURER] = "manufacturer",
	[DK_FIRMWARE_VERSION] = "firmware_version",
	[DK_HARDWARE_VERSION] = "hardware_version",
	[DK_SOFTWARE_VERSION] = "software_version",
	[DK_SERIAL] = "serial",
	[DK_MAC] = "mac",
	[DK_INTERNAL_ADDRESS] = "internal_address",
	[DK_HOSTNAME] = "hostname",
	[DK_KEY_MATERIAL] = "key_material",
	[DK_CREDENTIALS] = "credentials",
};

const char *disclose_kind_name(enum disclose_kind k)
{
	return (unsigned)k < DK_NKINDS ? kind_names[k] : NULL;
}

int disclose_kind_parse(const char *name)
{
	int k;

	for (k = 0; name && k < DK_NKINDS; k++)
		if (!strcmp(kind_names[k], name))
			return k;
	return -1;
}

int disclose_kind_secret(enum disclose_kind k)
{
	return k == DK_KEY_MATERIAL || k == DK_CREDENTIALS;
}

void disclose_kinds_text(unsigned set, char *out, size_t len)
{
	size_t o = 0;
	int k, n;

	if (!len)
		return;
	out[0] = '\0';
	for (k = 0; k < DK_NKINDS; k++) {
		if (!(set & (1u << k)))
			continue;
		n = snprintf(out + o, len - o, "%s%s", o ? ", " : "",
			     kind_names[k]);
		if (n < 0 || (size_t)n >= len - o)
			return;
		o += (size_t)n;
	}
}

/* ---- bytes, locale-free ---- */

static int c_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int c_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int c_alnum(int c)
{
	c = c_lower(c);
	return c_digit(c) || (c >= 'a' && c <= 'z');
}

static int c_hex(int c)
{
	c = c_lower(c);
	return c_digit(c) || (c >= 'a' && c <= 'f');
}

static int hex_val(int c)
{
	c = c_lower(c);
	return c_digit(c) ? c - '0' : c - 'a' + 10;
}

static int same_ci(const unsigned char *a, const char *b, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (c_lower(a[k]) != c_lower((unsigned char)b[k]))
			return 0;
	return 1;
}

/* ---- set-up ---- */

void disclose_init(struct disclose *d)
{
	memset(d, 0, sizeof(*d));
}

void disclose_release(struct disclose *d)
{
	size_t k;

	if (!d)
		return;
	for (k = 0; k < d->nrule; k++) {
		regfree(&d->rule[k].re);
		if (d->rule[k].have_except)
			regfree(&d->rule[k].except);
	}
	free(d->rule);
	for (k = 0; k < d->nlit; k++)
		free(d->lit[k].value);
	free(d->lit);
	for (k = 0; k < d->nown; k++)
		free(d->own[k]);
	free(d->own);
	memset(d, 0, sizeof(*d));
}

/* End of the bracket expression starting at p ('['), or NULL. */
static const char *skip_bracket(const char *p)
{
	const char *q = p + 1, *e;

	if (*q == '^')
		q++;
	if (*q == ']')
		q++;
	for (; *q && *q != ']'; q++) {
		if (*q == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
			char close[3] = {q[1], ']', '\0'};

			e = strstr(q + 2, close);
			if (!e)
				return NULL;
			q = e + 1;
		}
	}
	return *q ? q : NULL;
}

/* NULL when every repetition in re is bounded, else what is wrong. */
static const char *regex_unbounded(const char *re)
{
	const char *p;

	for (p = re; *p; p++) {
		if (*p == '\\') {
			if (p[1])
				p++;
		} else if (*p == '[') {
			p = skip_bracket(p);
			if (!p)
				return "an unclosed bracket expression";
		} else if (*p == '*' || *p == '+') {
			return "an unbounded repetition ('*' or '+')";
		} else if (*p == '{') {
			if (!c_digit(*++p))
				return "a '{' that is no bound";
			while (c_digit(*p))
				p++;
			if (*p == ',') {
				if (!c_digit(*++p))
					return "an open bound ('{n,}')";
				while (c_digit(*p))
					p++;
			}
			if (*p != '}')
				return "a '{' that is no bound";
		}
	}
	return NULL;
}

static int rule_regex(regex_t *re, const char *id, const char *key,
		      const char *text, struct cb_error *err)
{
	const char *why = regex_unbounded(text);
	char msg[96];
	int rc;

	if (why)
		return cb_error_set(err, CB_EINVAL,
				    "detector '%s': '%s' has %s", id, key, why);
	rc = regcomp(re, text, REG_EXTENDED | REG_ICASE | REG_NEWLINE);
	if (rc) {
		regerror(rc, re, msg, sizeof(msg));
		return cb_error_set(err, CB_EINVAL, "detector '%s': '%s': %s",
				    id, key, msg);
	}
	return CB_OK;
}

static int rule_keys_ok(json_t *r, const char *id, struct cb_error *err)
{
	static const char *const keys[] = {"id",    "kind",  "what", "regex",
					   "group", "except", NULL};
	const char *key;
	json_t *v;
	size_t k;

	json_object_foreach(r, key, v) {
		for (k = 0; keys[k] && strcmp(keys[k], key); k++)
			;
		if (!keys[k])
			return cb_error_set(err, CB_EINVAL,
					    "detector '%s': unknown key '%s'",
					    id, key);
	}
	return CB_OK;
}

static int rule_load(struct disclose *d, json_t *r, struct cb_error *err)
{
	struct disclose_rule *x = &d->rule[d->nrule];
	const char *id = json_string_value(json_object_get(r, "id"));
	const char *re = json_string_value(json_object_get(r, "regex"));
	const char *ex = json_string_value(json_object_get(r, "except"));
	json_t *g = json_object_get(r, "group");
	size_t k;
	int kind, rc;

	if (!json_is_object(r) || !id || !*id ||
	    strlen(id) >= DISCLOSE_ID_MAX)
		return cb_error_set(err, CB_EINVAL, "detector %zu: 'id' must "
				    "be a string of 1 to %d bytes",
				    d->nrule, DISCLOSE_ID_MAX - 1);
	for (k = 0; k < d->nrule; k++)
		if (!strcmp(d->rule[k].id, id))
			return cb_error_set(err, CB_EINVAL,
					    "detector '%s': duplicate id", id);
	rc = rule_keys_ok(r, id, err);
	if (rc)
		return rc;
	kind = disclose_kind_parse(
		json_string_value(json_object_get(r, "kind")));
	if (kind < 0)
		return cb_error_set(err, CB_EINVAL,
				    "detector '%s': 'kind' must name a kind "
				    "of IXIT 15-Intf \"disclosed\"",
				    id);
	if (!re || !json_is_string(json_object_get(r, "what")))
		return cb_error_set(err, CB_EINVAL,
				    "detector '%s': needs 'regex' and 'what'",
				    id);
	if (g && (!json_is_integer(g) || json_integer_value(g) < 0))
		return cb_error_set(err, CB_EINVAL,
				    "detector '%s': 'group' must be a "
				    "subexpression number",
				    id);
	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "%s", id);
	x->kind = (enum disclose_kind)kind;
	x->group = g ? (int)json_integer_value(g) : 0;
	rc = rule_regex(&x->re, id, "regex", re, err);
	if (rc)
		return rc;
	if (x->re.re_nsub >= MAX_GROUPS || (size_t)x->group > x->re.re_nsub) {
		regfree(&x->re);
		return cb_error_set(err, CB_EINVAL,
				    "detector '%s': the regex has %zu groups, "
				    "'group' says %d (at most %d)",
				    id, x->re.re_nsub, x->group,
				    MAX_GROUPS - 1);
	}
	if (ex) {
		rc = rule_regex(&x->except, id, "except", ex, err);
		if (rc) {
			regfree(&x->re);
			return rc;
		}
		x->have_except = 1;
	}
	d->nrule++;
	return CB_OK;
}

int disclose_load_json(struct disclose *d, json_t *data, struct cb_error *err)
{
	json_t *list = json_object_get(data, "detectors"), *r;
	struct disclose_rule *grown;
	size_t k, n;
	int rc;

	if (!json_is_array(list) || !json_array_size(list))
		return cb_error_set(err, CB_EINVAL,
				    "a detector set needs a non-empty "
				    "'detectors' list");
	n = json_array_size(list);
	grown = realloc(d->rule, (d->nrule + n) * sizeof(*grown));
	if (!grown)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	d->rule = grown;
	snprintf(d->name, sizeof(d->name), "%s",
		 json_string_value(json_object_get(data, "name")) ?: "");
	json_array_foreach(list, k, r) {
		rc = rule_load(d, r, err);
		if (rc)
			return rc;
	}
	return CB_OK;
}

int disclose_add_literal(struct disclose *d, enum disclose_kind kind,
			 const char *id, const char *value,
			 struct cb_error *err)
{
	struct disclose_lit *grown, *l;

	if ((unsigned)kind >= DK_NKINDS)
		return cb_error_set(err, CB_EINVAL, "unknown kind %d",
				    (int)kind);
	if (!value || strlen(value) < LIT_MIN)
		return CB_OK;
	grown = realloc(d->lit, (d->nlit + 1) * sizeof(*grown));
	if (!grown)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	d->lit = grown;
	l = &d->lit[d->nlit];
	l->value = strdup(value);
	if (!l->value)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	l->len = strlen(value);
	l->kind = kind;
	snprintf(l->id, sizeof(l->id), "%s", id ? id : "profile");
	d->nlit++;
	return CB_OK;
}

int disclose_add_mac(struct disclose *d, const char *mac,
		     struct cb_error *err)
{
	unsigned char b[6];
	size_t k;

	if (!mac || strlen(mac) != 17)
		goto bad;
	for (k = 0; k < 6; k++) {
		const char *p = mac + 3 * k;

		if (!c_hex((unsigned char)p[0]) ||
		    !c_hex((unsigned char)p[1]) ||
		    (k < 5 && p[2] != ':' && p[2] != '-'))
			goto bad;
		b[k] = (unsigned char)(hex_val(p[0]) << 4 | hex_val(p[1]));
	}
	memcpy(d->mac, b, sizeof(b));
	d->have_mac = 1;
	return CB_OK;
bad:
	return cb_error_set(err, CB_EINVAL,
			    "MAC '%s' is not written xx:xx:xx:xx:xx:xx",
			    mac ? mac : "");
}

int disclose_add_own(struct disclose *d, const char *addr,
		     struct cb_error *err)
{
	char **grown;

	if (!addr || !*addr)
		return CB_OK;
	grown = realloc(d->own, (d->nown + 1) * sizeof(*grown));
	if (!grown)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	d->own = grown;
	d->own[d->nown] = strdup(addr);
	if (!d->own[d->nown])
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	d->nown++;
	return CB_OK;
}

int disclose_add_profile(struct disclose *d, const json_t *product,
			 const json_t *sample, struct cb_error *err)
{
	static const struct {
		int sample;
		const char *key, *id;
		enum disclose_kind kind;
	} lits[] = {
		{0, "model", "profile.model", DK_MODEL},
		{0, "manufacturer", "profile.manufacturer", DK_MANUFACTURER},
		{0, "firmware_version", "profile.firmware_version",
		 DK_FIRMWARE_VERSION},
		{0, "hardware_version", "profile.hardware_version",
		 DK_HARDWARE_VERSION},
		{1, "model", "profile.sample.model", DK_MODEL},
		{1, "serial", "profile.serial", DK_SERIAL},
	};
	const char *v;
	size_t k;
	int rc = CB_OK;

	for (k = 0; !rc && k < sizeof(lits) / sizeof(lits[0]); k++) {
		v = json_string_value(json_object_get(
			lits[k].sample ? sample : product, lits[k].key));
		if (v)
			rc = disclose_add_literal(d, lits[k].kind, lits[k].id,
						  v, err);
	}
	v = json_string_value(json_object_get(sample, "mac"));
	if (!rc && v)
		rc = disclose_add_mac(d, v, err);
	return rc;
}

/* ---- scanning ---- */

struct scan {
	const unsigned char *t;
	size_t len;
	struct hit *hits;
	size_t n, cap;
	unsigned *count;		/* hits per rule */
	char win[WIN + DISCLOSE_MATCH_MAX + 1];
};

static void hit_add(struct scan *s, enum disclose_kind kind, int lit,
		    const char *id, size_t off, size_t len, size_t moff)
{
	struct hit *h;

	if (s->n == s->cap || !len)
		return;
	h = &s->hits[s->n++];
	h->kind = kind;
	h->lit = lit;
	h->id = id;
	h->off = off;
	h->len = len;
	h->moff = moff;
	h->dropped = 0;
}

/* Does the whole match win[so..eo) match the rule's exception? */
static int rule_excepted(const struct disclose_rule *r, char *win, size_t so,
			 size_t eo)
{
	char save = win[eo];
	int hit;

	win[eo] = '\0';
	hit = !regexec(&r->except, win + so, 0, NULL, 0);
	win[eo] = save;
	return hit;
}

/* Rule r on the window at ws (wn bytes copied, of which the first WIN
 * are its own: matches starting later belong to the next window). */
static void scan_rule_window(const struct disclose_rule *r, unsigned *count,
			     struct scan *s, size_t ws, size_t wn)
{
	regmatch_t m[MAX_GROUPS];
	size_t pos = 0, own = wn < WIN ? wn : WIN, mso, meo, vso, veo;
	int flags;

	while (pos < own && *count < DISCLOSE_HITS_MAX) {
		flags = 0;
		if (ws + pos > 0 && s->t[ws + pos - 1] != '\n')
			flags |= REG_NOTBOL;
		if (ws + wn < s->len && s->t[ws + wn] != '\n')
			flags |= REG_NOTEOL;
		if (regexec(&r->re, s->win + pos, r->re.re_nsub + 1, m, flags))
			return;
		mso = pos + (size_t)m[0].rm_so;
		meo = pos + (size_t)m[0].rm_eo;
		if (mso >= own)
			return;
		vso = mso;
		veo = meo;
		if (m[r->group].rm_so >= 0) {
			vso = pos + (size_t)m[r->group].rm_so;
			veo = pos + (size_t)m[r->group].rm_eo;
		}
		if (veo > vso && !(r->have_except &&
				   rule_excepted(r, s->win, mso, meo))) {
			hit_add(s, r->kind, 0, r->id, ws + vso, veo - vso,
				ws + mso);
			(*count)++;
		}
		pos = veo > mso ? veo : mso + 1;
	}
}

static void scan_rules(const struct disclose *d, struct scan *s)
{
	size_t ws, wn, k;

	for (ws = 0; ws < s->len; ws += WIN) {
		wn = s->len - ws;
		if (wn > WIN + DISCLOSE_MATCH_MAX)
			wn = WIN + DISCLOSE_MATCH_MAX;
		for (k = 0; k < wn; k++)
			s->win[k] = s->t[ws + k] ? (char)s->t[ws + k] : 0x1a;
		s->win[wn] = '\0';
		for (k = 0; k < d->nrule; k++)
			scan_rule_window(&d->rule[k], &s->count[k], s, ws, wn);
	}
}

/* A literal stands as a word: no letter or digit glued to its ends (a
 * "v" before a version is fine), no ".digit" continuing a version. */
static int lit_bounded(const struct scan *s, size_t i, size_t e,
		       const struct disclose_lit *l)
{
	const unsigned char *t = s->t;
	int first = (unsigned char)l->value[0],
	    last = (unsigned char)l->value[l->len - 1];

	if (i > 0 && c_alnum(first)) {
		if (c_alnum(t[i - 1]) &&
		    !(c_digit(first) && c_lower(t[i - 1]) == 'v' &&
		      (i == 1 || !c_alnum(t[i - 2]))))
			return 0;
		if (c_digit(first) && t[i - 1] == '.' && i >= 2 &&
		    c_digit(t[i - 2]))
			return 0;
	}
	if (e < s->len && c_alnum(last)) {
		if (c_alnum(t[e]))
			return 0;
		if (c_digit(last) && t[e] == '.' && e + 1 < s->len &&
		    c_digit(t[e + 1]))
			return 0;
	}
	return 1;
}

static void scan_literal(const struct disclose_lit *l, struct scan *s)
{
	int first = c_lower((unsigned char)l->value[0]);
	size_t i, hits = 0;

	for (i = 0; i + l->len <= s->len && hits < DISCLOSE_HITS_MAX; i++) {
		if (c_lower(s->t[i]) != first ||
		    !same_ci(s->t + i, l->value, l->len) ||
		    !lit_bounded(s, i, i + l->len, l))
			continue;
		hit_add(s, l->kind, 1, l->id, i, l->len, i);
		hits++;
		i += l->len - 1;
	}
}

/* Six bytes from hex pairs at p, every 'step' bytes apart when sep is
 * set ("02:5d:..."), or in groups of four between dots, or packed. */
static int mac_parse(const unsigned char *p, int form, unsigned char b[6])
{
	static const size_t at[3][6] = {
		{0, 3, 6, 9, 12, 15},	/* xx:xx:xx:xx:xx:xx, xx-xx-... */
		{0, 2, 5, 7, 10, 12},	/* xxxx.xxxx.xxxx */
		{0, 2, 4, 6, 8, 10},	/* xxxxxxxxxxxx */
	};
	size_t k;

	for (k = 0; k < 6; k++) {
		const unsigned char *q = p + at[form][k];

		if (!c_hex(q[0]) || !c_hex(q[1]))
			return 0;
		b[k] = (unsigned char)(hex_val(q[0]) << 4 | hex_val(q[1]));
	}
	if (form == 0)
		for (k = 2; k < 17; k += 3)
			if (p[k] != p[2] || (p[2] != ':' && p[2] != '-'))
				return 0;
	if (form == 1 && (p[4] != '.' || p[9] != '.'))
		return 0;
	return 1;
}

/* Length of the sample's MAC written at t[i], or 0. */
static size_t mac_at(const struct disclose *d, const struct scan *s,
		     size_t i)
{
	static const size_t lens[3] = {17, 14, 12};
	unsigned char b[6];
	size_t e, left = s->len - i;
	int form, c;

	for (form = 0; form < 3; form++) {
		if (left < lens[form] || !mac_parse(s->t + i, form, b) ||
		    memcmp(b, d->mac, 6))
			continue;
		e = i + lens[form];
		if (e == s->len)
			return lens[form];
		c = s->t[e];
		if (c_alnum(c) || ((c == ':' || c == '-' || c == '.') &&
				   e + 1 < s->len && c_hex(s->t[e + 1])))
			continue;
		return lens[form];
	}
	return 0;
}

static void scan_mac(const struct disclose *d, struct scan *s)
{
	size_t i, n, hits = 0;
	int c;

	for (i = 0; i < s->len && hits < DISCLOSE_HITS_MAX; i++) {
		if (!c_hex(s->t[i]))
			continue;
		if (i > 0) {
			c = s->t[i - 1];
			if (c_alnum(c) || c == ':' || c == '-' || c == '.')
				continue;
		}
		n = mac_at(d, s, i);
		if (!n)
			continue;
		hit_add(s, DK_MAC, 1, "profile.mac", i, n, i);
		hits++;
		i += n - 1;
	}
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->lit != y->lit)
		return y->lit - x->lit;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static int hit_overlap(const struct hit *a, const struct hit *b)
{
	return a->off < b->off + b->len && b->off < a->off + a->len;
}

static int is_own(const struct disclose *d, const struct scan *s,
		  const struct hit *h)
{
	size_t k;

	if (h->kind != DK_INTERNAL_ADDRESS && h->kind != DK_HOSTNAME)
		return 0;
	for (k = 0; k < d->nown; k++)
		if (strlen(d->own[k]) == h->len &&
		    same_ci(s->t + h->off, d->own[k], h->len))
			return 1;
	return 0;
}

/* Two software versions with only blanks and punctuation between, on
 * one line: one product described ("httpd/2.4.1 (Linux 4.9.88"). */
static int mergeable(const struct scan *s, const struct hit *a,
		     const struct hit *b)
{
	size_t end = a->off + a->len, k;

	if (a->kind != DK_SOFTWARE_VERSION || b->kind != a->kind ||
	    b->off < end || b->off - end > MERGE_GAP)
		return 0;
	for (k = end; k < b->off; k++)
		if (c_alnum(s->t[k]) || s->t[k] == '\n' || s->t[k] == '\r')
			return 0;
	return 1;
}

/* Precedence, duplicates and merging, on hits sorted by offset. */
static void resolve(const struct disclose *d, struct scan *s)
{
	size_t end[DK_NKINDS] = {0}, k, j;
	struct hit *h, *prev = NULL;

	for (k = 0; k < s->n; k++) {
		h = &s->hits[k];
		if (is_own(d, s, h)) {
			h->dropped = 1;
			continue;
		}
		if (h->lit || disclose_kind_secret(h->kind))
			continue;
		for (j = 0; j < s->n && !h->dropped; j++)
			if (s->hits[j].lit && hit_overlap(h, &s->hits[j]))
				h->dropped = 1;
	}
	for (k = 0; k < s->n; k++) {
		h = &s->hits[k];
		if (h->dropped)
			continue;
		if (end[h->kind] > h->off) {
			h->dropped = 1;
			continue;
		}
		end[h->kind] = h->off + h->len;
		if (prev && mergeable(s, prev, h)) {
			prev->len = h->off + h->len - prev->off;
			end[h->kind] = prev->off + prev->len;
			h->dropped = 1;
			continue;
		}
		prev = h;
	}
}

static void excerpt(const struct scan *s, const struct hit *h, char *out)
{
	char pre[60], val[32];
	size_t keep, from;

	if (!disclose_kind_secret(h->kind)) {
		cb_excerpt(out, DISCLOSE_EXCERPT, s->t + h->off, h->len,
			   EXCERPT_MAX);
		return;
	}
	/* The key name from its first letter, without the quote or blank
	 * before it that the detector needed as a boundary. */
	for (from = h->moff; from < h->off && !c_alnum(s->t[from]) &&
			     s->t[from] != '-';
	     from++)
		;
	keep = h->len >= 3 * MASK_KEEP ? MASK_KEEP : h->len / 3;
	cb_excerpt(pre, sizeof(pre), s->t + from, h->off - from, 56);
	cb_excerpt(val, sizeof(val), s->t + h->off, keep, 16);
	snprintf(out, DISCLOSE_EXCERPT, "%s%s***", pre, val);
}

int disclose_scan(const struct disclose *d, const void *text, size_t len,
		  struct disclose_finding *out, size_t max, size_t *total,
		  struct cb_error *err)
{
	struct scan *s;
	struct disclose_finding *f;
	size_t k, n = 0;

	*total = 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	s->t = text;
	s->len = len;
	s->cap = (d->nrule + d->nlit + 1) * DISCLOSE_HITS_MAX;
	s->hits = calloc(s->cap, sizeof(*s->hits));
	s->count = calloc(d->nrule + 1, sizeof(*s->count));
	if (!s->hits || !s->count) {
		free(s->hits);
		free(s->count);
		free(s);
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	}
	scan_rules(d, s);
	for (k = 0; k < d->nlit; k++)
		scan_literal(&d->lit[k], s);
	if (d->have_mac)
		scan_mac(d, s);
	qsort(s->hits, s->n, sizeof(*s->hits), hit_cmp);
	resolve(d, s);
	for (k = 0; k < s->n; k++) {
		const struct hit *h = &s->hits[k];

		if (h->dropped)
			continue;
		if (n < max) {
			f = &out[n];
			memset(f, 0, sizeof(*f));
			f->kind = h->kind;
			f->from_profile = h->lit;
			snprintf(f->detector, sizeof(f->detector), "%s", h->id);
			f->offset = h->off;
			f->len = h->len;
			excerpt(s, h, f->excerpt);
		}
		n++;
	}
	*total = n;
	free(s->hits);
	free(s->count);
	free(s);
	return CB_OK;
}
