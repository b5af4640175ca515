/*
 * sectxt.c - RFC 9116 security.txt validation (see sectxt.h).
 *
 * Field names are case-insensitive; unknown fields are recorded and
 * otherwise ignored, as the RFC tells readers to do.  The checks follow
 * the RFC's MUSTs; "Expires more than a year ahead" is a SHOULD in the RFC
 * but certbench treats it as an error because a far-off date lets a stale
 * policy look current.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/cb_buf.h"
#include "harness/cb_text.h"
#include "harness/cb_time.h"
#include "harness/sectxt.h"

#define SECTXT_YEAR (366L * 24 * 3600)

static const char *const known_fields[] = {
	"Acknowledgments", "Canonical", "Contact",	       "CSAF",
	"Encryption",	   "Expires",	"Hiring",	       "Policy",
	"Preferred-Languages", NULL};

static void finding(struct sectxt *s, enum sectxt_sev sev, const char *rule,
		    int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void finding(struct sectxt *s, enum sectxt_sev sev, const char *rule,
		    int line, const char *fmt, ...)
{
	struct sectxt_finding *f;
	va_list ap;

	f = realloc(s->f, (s->nf + 1) * sizeof(*f));
	if (!f)
		return;
	s->f = f;
	f = &s->f[s->nf++];
	f->sev = sev;
	f->line = line;
	snprintf(f->rule, sizeof(f->rule), "%s", rule);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

const char *sectxt_sev_name(enum sectxt_sev sev)
{
	return sev == SECTXT_ERROR ? "error"
	       : sev == SECTXT_WARN ? "warning"
				    : "note";
}

size_t sectxt_count(const struct sectxt *s, enum sectxt_sev sev)
{
	size_t k, n = 0;

	for (k = 0; k < s->nf; k++)
		n += s->f[k].sev == sev;
	return n;
}

int sectxt_is_url(const char *url)
{
	const char *end = url + strcspn(url, "?#");
	size_t n = (size_t)(end - url);

	return n >= 12 && !strncasecmp(end - 12, "security.txt", 12);
}

void sectxt_release(struct sectxt *s)
{
	if (!s)
		return;
	json_decref(s->contact);
	json_decref(s->policy);
	json_decref(s->canonical);
	json_decref(s->encryption);
	free(s->f);
	memset(s, 0, sizeof(*s));
}

/* scheme ":" something, scheme per RFC 3986. */
static int is_uri(const char *v, char *scheme, size_t len)
{
	const char *p = v;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	       *p == '.')
		p++;
	if (*p != ':' || !p[1] || strpbrk(v, " \t<>\""))
		return 0;
	snprintf(scheme, len, "%.*s", (int)(p - v), v);
	return 1;
}

static void check_web_uri(struct sectxt *s, const char *field, const char *v,
			  int line)
{
	char scheme[32];

	if (!is_uri(v, scheme, sizeof(scheme))) {
		finding(s, SECTXT_ERROR, "sectxt.uri.invalid", line,
			"%s value '%.80s' is not a URI", field, v);
		return;
	}
	if (!strcasecmp(scheme, "http"))
		finding(s, SECTXT_ERROR, "sectxt.uri.https", line,
			"%s uses http:// where a web URI must be https://",
			field);
}

static void check_contact(struct sectxt *s, const char *v, int line)
{
	char scheme[32];

	if (!is_uri(v, scheme, sizeof(scheme))) {
		finding(s, SECTXT_ERROR, "sectxt.contact.uri", line,
			"Contact '%.80s' is not a URI (use mailto:, tel: or "
			"https:)",
			v);
		return;
	}
	if (!strcasecmp(scheme, "http"))
		finding(s, SECTXT_ERROR, "sectxt.contact.https", line,
			"Contact uses http:// where a web URI must be https://");
	else if (strcasecmp(scheme, "mailto") && strcasecmp(scheme, "tel") &&
		 strcasecmp(scheme, "https"))
		finding(s, SECTXT_WARN, "sectxt.contact.scheme", line,
			"Contact uses the unusual scheme '%s:'", scheme);
}

static int lang_tag_ok(const char *t, size_t n)
{
	size_t i = 0, seg = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		if (t[i] == '-') {
			if (!seg)
				return 0;
			seg = 0;
		} else if (isalnum((unsigned char)t[i]) && seg < 8) {
			seg++;
		} else {
			return 0;
		}
	}
	return seg > 0 && isalpha((unsigned char)t[0]);
}

static void check_languages(struct sectxt *s, const char *v, int line)
{
	const char *p = v, *end;
	size_t n;

	for (;;) {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		while (n && p[n - 1] == ' ')
			n--;
		if (!lang_tag_ok(p, n)) {
			finding(s, SECTXT_ERROR, "sectxt.preferred-languages.tag",
				line, "'%.*s' is not a language tag", (int)n, p);
			return;
		}
		if (!*end)
			return;
		p = end + 1;
	}
}

struct sectxt_state {
	int n_expires, n_langs, n_contact;
	int expires_line;
	char expires[64];
};

static void sectxt_field(struct sectxt *s, struct sectxt_state *st,
			 const char *name, const char *v, int line)
{
	const char *const *k;

	if (!strcasecmp(name, "Contact")) {
		st->n_contact++;
		json_array_append_new(s->contact, json_string(v));
		check_contact(s, v, line);
	} else if (!strcasecmp(name, "Expires")) {
		if (!st->n_expires++) {
			snprintf(st->expires, sizeof(st->expires), "%s", v);
			st->expires_line = line;
		}
	} else if (!strcasecmp(name, "Preferred-Languages")) {
		st->n_langs++;
		check_languages(s, v, line);
	} else if (!strcasecmp(name, "Encryption")) {
		json_array_append_new(s->encryption, json_string(v));
		if (strstr(v, "BEGIN PGP"))
			finding(s, SECTXT_ERROR, "sectxt.encryption.inline-key",
				line, "Encryption holds a key, not a URI");
		else if (strncasecmp(v, "dns:", 4) &&
			 strncasecmp(v, "openpgp4fpr:", 12))
			check_web_uri(s, "Encryption", v, line);
	} else if (!strcasecmp(name, "Policy")) {
		json_array_append_new(s->policy, json_string(v));
		check_web_uri(s, "Policy", v, line);
	} else if (!strcasecmp(name, "Canonical")) {
		json_array_append_new(s->canonical, json_string(v));
		check_web_uri(s, "Canonical", v, line);
	} else if (!strcasecmp(name, "Acknowledgments") ||
		   !strcasecmp(name, "Hiring") || !strcasecmp(name, "CSAF")) {
		check_web_uri(s, name, v, line);
	} else {
		for (k = known_fields; *k; k++)
			if (!strcasecmp(*k, name))
				return;
		finding(s, SECTXT_NOTE, "sectxt.field.unknown", line,
			"unknown field '%.40s' (ignored, as RFC 9116 says)%s",
			name,
			!strcasecmp(name, "Acknowledgements")
				? "; the registered spelling is Acknowledgments"
				: "");
	}
}

static void sectxt_line(struct sectxt *s, struct sectxt_state *st,
			char *line, int lineno)
{
	char *colon, *v, *p;
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
	if (!n || line[0] == '#')
		return;
	colon = strchr(line, ':');
	if (colon)
		for (p = line; p < colon; p++)
			if (!isalnum((unsigned char)*p) && *p != '-')
				colon = NULL;
	if (!colon || colon == line || colon[1] != ' ') {
		finding(s, SECTXT_ERROR, "sectxt.syntax", lineno,
			"line is neither a comment nor 'Field: value'");
		return;
	}
	*colon = '\0';
	v = colon + 2;
	while (*v == ' ')
		v++;
	if (!*v) {
		finding(s, SECTXT_ERROR, "sectxt.syntax", lineno,
			"field %s has no value", line);
		return;
	}
	sectxt_field(s, st, line, v, lineno);
}

/*
 * Strip an OpenPGP cleartext signature envelope in place; returns the
 * offset of the signed text (or 0), and the line number it starts on.
 */
static size_t sectxt_envelope(struct sectxt *s, struct cb_buf *b, int *first)
{
	const char *begin = "-----BEGIN PGP SIGNED MESSAGE-----";
	char *p = b->data, *body, *sig, *w, *r;

	*first = 1;
	if (strncmp(p, begin, strlen(begin)))
		return 0;
	s->signed_envelope = 1;
	body = strstr(p, "\n\n");
	if (!body)
		body = strstr(p, "\r\n\r\n");
	sig = strstr(p, "-----BEGIN PGP SIGNATURE-----");
	if (!body || !sig || sig < body) {
		finding(s, SECTXT_ERROR, "sectxt.signature.envelope", 1,
			"OpenPGP cleartext envelope is incomplete");
		return 0;
	}
	for (r = p; r < body; r++)
		if (*r == '\n')
			(*first)++;
	body += body[0] == '\n' ? 2 : 4;
	*first += 2; /* the end of the last header line, and the blank one */
	*sig = '\0';
	/* Undo dash-escaping ("- -----" -> "-----"). */
	for (w = r = body; *r; ) {
		if ((r == body || r[-1] == '\n') && r[0] == '-' && r[1] == ' ')
			r += 2;
		*w++ = *r++;
	}
	*w = '\0';
	finding(s, SECTXT_NOTE, "sectxt.signature.unverified", 1,
		"signed with an OpenPGP cleartext signature (not verified "
		"here)");
	return (size_t)(body - b->data);
}

static void sectxt_transport(struct sectxt *s, const char *url,
			     const char *ctype)
{
	if (url && strncasecmp(url, "https://", 8))
		finding(s, SECTXT_ERROR, "sectxt.transport.https", 0,
			"retrieved from %.100s: RFC 9116 requires HTTPS", url);
	if (url && !strstr(url, "/.well-known/security.txt"))
		finding(s, SECTXT_WARN, "sectxt.location", 0,
			"not at /.well-known/security.txt");
	if (!ctype)
		return;
	if (strncasecmp(ctype, "text/plain", 10))
		finding(s, SECTXT_ERROR, "sectxt.content-type", 0,
			"served as '%.60s', not text/plain", ctype);
	else if (!strcasestr(ctype, "charset=utf-8"))
		finding(s, SECTXT_WARN, "sectxt.charset", 0,
			"Content-Type does not say charset=utf-8");
}

static void sectxt_expires(struct sectxt *s, const struct sectxt_state *st,
			   time_t now)
{
	char when[CB_RFC3339_LEN];
	time_t t;

	if (!st->n_expires) {
		finding(s, SECTXT_ERROR, "sectxt.expires.missing", 0,
			"no Expires field (required exactly once)");
		return;
	}
	if (st->n_expires > 1) {
		finding(s, SECTXT_ERROR, "sectxt.expires.multiple", 0,
			"Expires appears %d times (required exactly once)",
			st->n_expires);
		return;
	}
	if (cb_parse_rfc3339(st->expires, &t)) {
		finding(s, SECTXT_ERROR, "sectxt.expires.format",
			st->expires_line,
			"Expires '%.40s' is not an RFC 3339 date-time",
			st->expires);
		return;
	}
	s->expires = t;
	cb_rfc3339(when, t);
	if (t <= now)
		finding(s, SECTXT_ERROR, "sectxt.expires.past",
			st->expires_line,
			"expired on %s: the file is stale and must not be "
			"trusted",
			when);
	else if (t - now > SECTXT_YEAR)
		finding(s, SECTXT_ERROR, "sectxt.expires.too-far",
			st->expires_line,
			"Expires %s is more than a year ahead", when);
}

static void sectxt_canonical(struct sectxt *s, const char *url)
{
	json_t *v;
	size_t k;

	if (!json_array_size(s->canonical)) {
		finding(s, SECTXT_NOTE, "sectxt.canonical.absent", 0,
			"no Canonical field");
		return;
	}
	if (!url)
		return;
	json_array_foreach(s->canonical, k, v)
		if (!strcmp(json_string_value(v), url))
			return;
	finding(s, SECTXT_ERROR, "sectxt.canonical.mismatch", 0,
		"fetched from %.100s, which no Canonical field names: the "
		"content must not be trusted",
		url);
}

int sectxt_validate(struct sectxt *s, const char *text, size_t len,
		    const char *url, const char *content_type, time_t now)
{
	struct sectxt_state st = {0};
	struct cb_buf b;
	char *line, *next;
	int lineno;

	memset(s, 0, sizeof(*s));
	s->contact = json_array();
	s->policy = json_array();
	s->canonical = json_array();
	s->encryption = json_array();
	sectxt_transport(s, url, content_type);
	if (!cb_utf8_valid(text, len) || memchr(text, '\0', len)) {
		finding(s, SECTXT_ERROR, "sectxt.encoding", 0,
			"not valid UTF-8 text");
		return 0;
	}
	if (!len) {
		finding(s, SECTXT_ERROR, "sectxt.empty", 0, "empty file");
		return 0;
	}
	cb_buf_init(&b, len + 1);
	if (cb_buf_add(&b, text, len, NULL)) {
		finding(s, SECTXT_ERROR, "sectxt.empty", 0, "out of memory");
		return 0;
	}
	if (!strncmp(b.data, "\xEF\xBB\xBF", 3)) {
		finding(s, SECTXT_WARN, "sectxt.bom", 1,
			"starts with a byte order mark");
		memset(b.data, ' ', 3);
	}
	line = b.data + sectxt_envelope(s, &b, &lineno);
	for (; line && *line; line = next, lineno++) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		sectxt_line(s, &st, line, lineno);
	}
	cb_buf_release(&b);
	if (!st.n_contact)
		finding(s, SECTXT_ERROR, "sectxt.contact.missing", 0,
			"no Contact field (at least one is required)");
	sectxt_expires(s, &st, now);
	if (st.n_langs > 1)
		finding(s, SECTXT_ERROR, "sectxt.preferred-languages.multiple",
			0, "Preferred-Languages appears %d times (at most once)",
			st.n_langs);
	if (!json_array_size(s->policy))
		finding(s, SECTXT_WARN, "sectxt.policy.absent", 0,
			"no Policy field linking to the disclosure policy");
	sectxt_canonical(s, url);
	return 0;
}
