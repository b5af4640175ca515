/*
 * tlsrules.c - the TLS best-practice table and its matchers (see
 * tlsrules.h).
 *
 * The table is validated completely when it is loaded, so judging cannot
 * fail.  A suite found in several versions is one finding that lists the
 * versions, because the fix (remove the suite) is one change.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/cb_error.h"
#include "harness/tlsprobe.h"
#include "harness/tlsrules.h"

enum tls_kind {
	TLS_M_PROTOCOL,
	TLS_M_NONE_OF,
	TLS_M_CIPHER,
	TLS_M_KEY,
	TLS_M_SIGNATURE,
	TLS_M_CERT,
	TLS_M_RENEGOTIATION,
	TLS_M_COMPRESSION,
};

enum tls_field {
	TLS_F_NAME,
	TLS_F_IANA,
	TLS_F_KX,
	TLS_F_AU,
	TLS_F_ENC,
	TLS_F_MAC
};

enum tls_cert_check {
	TLS_C_EXPIRED,
	TLS_C_NOT_YET,
	TLS_C_SELF_SIGNED,
	TLS_C_HOST,
	TLS_C_UNTRUSTED
};

struct tls_rule {
	char id[TLS_RULE_ID_MAX];
	enum tls_severity severity;
	enum tls_kind kind;
	unsigned versions; /* bit i: versions[i] (protocol, none_of) */
	enum tls_field field;
	regex_t re;
	int has_re;
	char key_type[16];
	int max_bits;
	enum tls_cert_check cert;
};

static const char *const tls_kind_keys[] = {
    [TLS_M_PROTOCOL] = "protocol",
    [TLS_M_NONE_OF] = "none_of",
    [TLS_M_CIPHER] = "cipher_regex",
    [TLS_M_KEY] = "key_type",
    [TLS_M_SIGNATURE] = "signature_regex",
    [TLS_M_CERT] = "cert",
    [TLS_M_RENEGOTIATION] = "renegotiation",
    [TLS_M_COMPRESSION] = "compression",
};
#define TLS_NKINDS (sizeof(tls_kind_keys) / sizeof(tls_kind_keys[0]))

static const char *const tls_field_names[] = {"name", "iana", "kx", "au",
					      "enc",  "mac",  NULL};
static const char *const tls_cert_names[] = {"expired",	    "not_yet_valid",
					     "self_signed", "host_mismatch",
					     "untrusted",   NULL};

static int tls_pick(const char *const *names, const char *s)
{
	int k;

	for (k = 0; s && names[k]; k++)
		if (!strcmp(names[k], s))
			return k;
	return -1;
}

/* SSLv3 ... TLS 1.3, as in tlsprobe_result.versions. */
static const int tls_ids[TLSPROBE_NVERSIONS] = {0x300, 0x301, 0x302, 0x303,
						0x304};

/* Index into tlsprobe_result.versions of a version name, or -1. */
static int tls_version_index(const char *name)
{
	int k;

	for (k = 0; name && k < TLSPROBE_NVERSIONS; k++)
		if (!strcmp(tlsprobe_version_name(tls_ids[k]), name))
			return k;
	return -1;
}

static int tls_keys_ok(json_t *obj, const char *const *allowed,
		       const char **bad)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		if (tls_pick(allowed, key) < 0) {
			*bad = key;
			return 0;
		}
	}
	return 1;
}

static int tls_regex(struct tls_rule *t, json_t *v, const char *id,
		     struct cb_error *err)
{
	char msg[128];
	int rc;

	if (!json_is_string(v) || !json_string_length(v))
		return cb_error_set(err, CB_EINVAL,
				    "rule %s: the regex must be a string", id);
	rc = regcomp(&t->re, json_string_value(v),
		     REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc) {
		regerror(rc, &t->re, msg, sizeof(msg));
		return cb_error_set(err, CB_EINVAL,
				    "rule %s: bad regex '%s': %s", id,
				    json_string_value(v), msg);
	}
	t->has_re = 1;
	return CB_OK;
}

static int tls_versions(struct tls_rule *t, json_t *v, const char *id,
			struct cb_error *err)
{
	json_t *one;
	size_t k;
	int i;

	if (json_is_string(v)) {
		i = tls_version_index(json_string_value(v));
		if (i < 0)
			goto bad;
		t->versions = 1u << i;
		return CB_OK;
	}
	if (!json_is_array(v) || !json_array_size(v))
		goto bad;
	json_array_foreach(v, k, one)
	{
		i = tls_version_index(json_string_value(one));
		if (i < 0)
			goto bad;
		t->versions |= 1u << i;
	}
	return CB_OK;
bad:
	return cb_error_set(err, CB_EINVAL,
			    "rule %s: versions are SSLv3, TLS1.0, TLS1.1, "
			    "TLS1.2 or TLS1.3",
			    id);
}

static int tls_match(struct tls_rule *t, json_t *m, struct cb_error *err)
{
	static const char *const allowed[] = {
	    "protocol",	       "none_of",  "cipher_regex",
	    "cipher_field",    "key_type", "max_bits",
	    "signature_regex", "cert",	   "renegotiation",
	    "compression",     NULL};
	const char *bad = NULL, *s;
	json_t *v;
	size_t k;
	int kinds = 0;

	if (!json_is_object(m) || !tls_keys_ok(m, allowed, &bad))
		return cb_error_set(err, CB_EINVAL, "rule %s: match %s%s%s",
				    t->id,
				    bad ? "has an unknown key '"
					: "must be an "
					  "object",
				    bad ? bad : "", bad ? "'" : "");
	for (k = 0; k < TLS_NKINDS; k++)
		if (json_object_get(m, tls_kind_keys[k])) {
			t->kind = (enum tls_kind)k;
			kinds++;
		}
	if (kinds != 1)
		return cb_error_set(
		    err, CB_EINVAL,
		    "rule %s: match needs exactly one of "
		    "protocol, none_of, cipher_regex, key_type, "
		    "signature_regex, cert, renegotiation, "
		    "compression",
		    t->id);
	v = json_object_get(m, tls_kind_keys[t->kind]);
	if ((json_object_get(m, "cipher_field") && t->kind != TLS_M_CIPHER) ||
	    (json_object_get(m, "max_bits") && t->kind != TLS_M_KEY))
		return cb_error_set(err, CB_EINVAL,
				    "rule %s: cipher_field goes with "
				    "cipher_regex, max_bits with key_type",
				    t->id);
	switch (t->kind) {
	case TLS_M_PROTOCOL:
		if (!json_is_string(v))
			return cb_error_set(err, CB_EINVAL,
					    "rule %s: protocol is one name",
					    t->id);
		/* fall through */
	case TLS_M_NONE_OF:
		return tls_versions(t, v, t->id, err);
	case TLS_M_CIPHER:
		s = json_string_value(json_object_get(m, "cipher_field"));
		if (json_object_get(m, "cipher_field") &&
		    tls_pick(tls_field_names, s) < 0)
			return cb_error_set(err, CB_EINVAL,
					    "rule %s: cipher_field is name, "
					    "iana, kx, au, enc or mac",
					    t->id);
		t->field = s ? (enum tls_field)tls_pick(tls_field_names, s)
			     : TLS_F_NAME;
		return tls_regex(t, v, t->id, err);
	case TLS_M_KEY:
		s = json_string_value(v);
		v = json_object_get(m, "max_bits");
		if (!s || !*s || strlen(s) >= sizeof(t->key_type) ||
		    !json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 65536)
			return cb_error_set(err, CB_EINVAL,
					    "rule %s: key_type needs a type "
					    "and max_bits (1-65536)",
					    t->id);
		snprintf(t->key_type, sizeof(t->key_type), "%s", s);
		t->max_bits = (int)json_integer_value(v);
		return CB_OK;
	case TLS_M_SIGNATURE:
		return tls_regex(t, v, t->id, err);
	case TLS_M_CERT:
		if (tls_pick(tls_cert_names, json_string_value(v)) < 0)
			return cb_error_set(err, CB_EINVAL,
					    "rule %s: cert is expired, "
					    "not_yet_valid, self_signed, "
					    "host_mismatch or untrusted",
					    t->id);
		t->cert = (enum tls_cert_check)tls_pick(tls_cert_names,
							json_string_value(v));
		return CB_OK;
	case TLS_M_RENEGOTIATION:
		if (!json_is_string(v) ||
		    strcmp(json_string_value(v), "insecure"))
			return cb_error_set(err, CB_EINVAL,
					    "rule %s: renegotiation is "
					    "\"insecure\"",
					    t->id);
		return CB_OK;
	case TLS_M_COMPRESSION:
		if (!json_is_true(v))
			return cb_error_set(err, CB_EINVAL,
					    "rule %s: compression is true",
					    t->id);
		return CB_OK;
	}
	return CB_OK;
}

static int tls_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (!n || n >= TLS_RULE_ID_MAX)
		return 0;
	return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789.-_") == n;
}

static int tls_rule_load(struct tlsrules *t, size_t idx, json_t *j,
			 struct cb_error *err)
{
	static const char *const allowed[] = {"id", "severity", "what", "match",
					      NULL};
	struct tls_rule *r = &t->rule[idx];
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *sev = json_string_value(json_object_get(j, "severity"));
	const char *bad = NULL;
	size_t k;

	if (!json_is_object(j) || !id || !tls_id_ok(id))
		return cb_error_set(err, CB_EINVAL,
				    "rule %zu: needs an id of lowercase "
				    "letters, digits, '.', '-' (< %d bytes)",
				    idx + 1, TLS_RULE_ID_MAX);
	snprintf(r->id, sizeof(r->id), "%s", id);
	for (k = 0; k < idx; k++)
		if (!strcmp(t->rule[k].id, id))
			return cb_error_set(err, CB_EINVAL,
					    "rule %s: duplicate id", id);
	if (!tls_keys_ok(j, allowed, &bad))
		return cb_error_set(err, CB_EINVAL, "rule %s: unknown key '%s'",
				    id, bad);
	if (!sev || (strcmp(sev, "fail") && strcmp(sev, "warn")))
		return cb_error_set(err, CB_EINVAL,
				    "rule %s: severity is \"fail\" or \"warn\"",
				    id);
	r->severity = strcmp(sev, "fail") ? TLS_SEV_WARN : TLS_SEV_FAIL;
	if (!json_is_string(json_object_get(j, "what")))
		return cb_error_set(err, CB_EINVAL,
				    "rule %s: needs a one-line \"what\"", id);
	return tls_match(r, json_object_get(j, "match"), err);
}

int tlsrules_load_json(json_t *data, struct tlsrules *out, struct cb_error *err)
{
	static const char *const allowed[] = {"name", "description", "source",
					      "rules", NULL};
	json_t *rules = json_object_get(data, "rules"), *j;
	const char *name = json_string_value(json_object_get(data, "name"));
	const char *bad = NULL;
	size_t k;
	int rc = CB_OK;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(data) || !tls_keys_ok(data, allowed, &bad))
		return cb_error_set(err, CB_EINVAL,
				    "TLS practice table: %s%s%s",
				    bad ? "unknown key '" : "not an object",
				    bad ? bad : "", bad ? "'" : "");
	if (!name || !json_is_array(rules) || !json_array_size(rules))
		return cb_error_set(err, CB_EINVAL,
				    "TLS practice table needs a name and a "
				    "non-empty rules array");
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->rule = calloc(json_array_size(rules), sizeof(*out->rule));
	if (!out->rule)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	json_array_foreach(rules, k, j)
	{
		out->n = k + 1;
		rc = tls_rule_load(out, k, j, err);
		if (rc)
			break;
	}
	if (rc)
		tlsrules_release(out);
	return rc;
}

void tlsrules_release(struct tlsrules *t)
{
	size_t k;

	if (!t)
		return;
	for (k = 0; k < t->n; k++)
		if (t->rule[k].has_re)
			regfree(&t->rule[k].re);
	free(t->rule);
	memset(t, 0, sizeof(*t));
}

const char *tlsrules_id(const struct tlsrules *t, size_t i)
{
	return i < t->n ? t->rule[i].id : NULL;
}

const char *tlsrules_severity_name(enum tls_severity s)
{
	return s == TLS_SEV_FAIL ? "fail" : "warn";
}

/* ---- judging ------------------------------------------------------------ */

struct tls_out {
	struct tls_finding *f;
	size_t max, n;
};

static void tls_add(struct tls_out *o, const struct tls_rule *r,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void tls_add(struct tls_out *o, const struct tls_rule *r,
		    const char *fmt, ...)
{
	struct tls_finding *f;
	char text[200];
	va_list ap;

	if (o->n++ >= o->max)
		return;
	f = &o->f[o->n - 1];
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(f->rule, sizeof(f->rule), "%s", r->id);
	f->severity = r->severity;
	/* The rule id always fits: the text gives way. */
	snprintf(f->text, sizeof(f->text), "%.*s (%s)",
		 (int)(sizeof(f->text) - strlen(r->id) - 4), text, r->id);
}

static const char *tls_field(const struct tlsprobe_cipher *c, enum tls_field f)
{
	switch (f) {
	case TLS_F_IANA:
		return c->iana;
	case TLS_F_KX:
		return c->kx;
	case TLS_F_AU:
		return c->au;
	case TLS_F_ENC:
		return c->enc;
	case TLS_F_MAC:
		return c->mac;
	default:
		return c->name;
	}
}

/* One finding per matching suite, naming the versions that accept it. */
static void tls_judge_ciphers(const struct tls_rule *t,
			      const struct tlsprobe_result *r,
			      struct tls_out *o)
{
	const struct tlsprobe_version *v, *w;
	const struct tlsprobe_cipher *c;
	char vers[64];
	size_t k, j, used;
	int i, i2, seen;

	for (i = 0; i < TLSPROBE_NVERSIONS; i++) {
		v = &r->versions[i];
		for (k = 0; k < v->ncipher; k++) {
			c = &v->ciphers[k];
			if (regexec(&t->re, tls_field(c, t->field), 0, NULL, 0))
				continue;
			/* Reported already at a lower version? */
			for (i2 = 0, seen = 0; i2 < i && !seen; i2++)
				for (j = 0; j < r->versions[i2].ncipher; j++)
					seen |= !strcmp(
					    r->versions[i2].ciphers[j].name,
					    c->name);
			if (seen)
				continue;
			used = 0;
			vers[0] = '\0';
			for (i2 = i; i2 < TLSPROBE_NVERSIONS; i2++) {
				w = &r->versions[i2];
				for (j = 0; j < w->ncipher; j++)
					if (!strcmp(w->ciphers[j].name,
						    c->name))
						break;
				if (j < w->ncipher && used < sizeof(vers))
					used += (size_t)snprintf(
					    vers + used, sizeof(vers) - used,
					    "%s%s", used ? ", " : "",
					    tlsprobe_version_label(
						tls_ids[i2]));
			}
			tls_add(o, t, "accepts %s (%d bits, %s)", c->name,
				c->bits, vers);
		}
	}
}

static void tls_which(size_t k, char *buf, size_t len)
{
	if (!k)
		snprintf(buf, len, "leaf certificate");
	else
		snprintf(buf, len, "certificate %zu", k);
}

static void tls_judge_certs(const struct tls_rule *t,
			    const struct tlsprobe_result *r, struct tls_out *o)
{
	const struct tlsprobe_cert *c;
	char which[40];
	size_t k;

	for (k = 0; k < r->ncert; k++) {
		c = &r->chain[k];
		tls_which(k, which, sizeof(which));
		switch (t->kind) {
		case TLS_M_KEY:
			if (!strcasecmp(c->key_type, t->key_type) &&
			    c->key_bits <= t->max_bits)
				tls_add(o, t, "%s (%.60s) has a %d-bit %s key",
					which, c->subject, c->key_bits,
					c->key_type);
			break;
		case TLS_M_SIGNATURE:
			if ((k == 0 || !c->self_signed) &&
			    !regexec(&t->re, c->sig_alg, 0, NULL, 0))
				tls_add(o, t, "%s (%.60s) is signed with %s",
					which, c->subject, c->sig_alg);
			break;
		case TLS_M_CERT:
			if (t->cert == TLS_C_EXPIRED && c->expired)
				tls_add(o, t, "%s (%.60s) expired on %s", which,
					c->subject, c->not_after);
			else if (t->cert == TLS_C_NOT_YET && c->not_yet_valid)
				tls_add(o, t,
					"%s (%.60s) is not valid before %s",
					which, c->subject, c->not_before);
			else if (k == 0 && t->cert == TLS_C_SELF_SIGNED &&
				 c->self_signed)
				tls_add(o, t, "%s (%.60s) is self-signed",
					which, c->subject);
			else if (k == 0 && t->cert == TLS_C_HOST &&
				 !c->host_match)
				tls_add(o, t, "%s (%.60s) does not name %s",
					which, c->subject, r->host);
			break;
		default:
			break;
		}
	}
	if (t->kind == TLS_M_CERT && t->cert == TLS_C_UNTRUSTED && r->ncert &&
	    !r->chain_verified)
		tls_add(o, t, "certificate chain does not verify: %s",
			r->verify_error[0] ? r->verify_error : "untrusted");
}

/* "accepts neither TLS 1.2 nor TLS 1.3" */
static void tls_none_of(const struct tls_rule *t, struct tls_out *o)
{
	char list[128];
	size_t used = 0;
	int i, n = 0, k = 0;

	for (i = 0; i < TLSPROBE_NVERSIONS; i++)
		n += !!(t->versions & (1u << i));
	list[0] = '\0';
	for (i = 0; i < TLSPROBE_NVERSIONS; i++) {
		if (!(t->versions & (1u << i)))
			continue;
		used +=
		    (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
				     !k	      ? ""
				     : n == 2 ? " nor "
					      : ", ",
				     tlsprobe_version_label(tls_ids[i]));
		k++;
	}
	if (n == 1)
		tls_add(o, t, "does not accept %s", list);
	else
		tls_add(o, t, "accepts %s%s", n == 2 ? "neither " : "none of ",
			list);
}

static void tls_judge_one(const struct tls_rule *t,
			  const struct tlsprobe_result *r, struct tls_out *o)
{
	const struct tlsprobe_version *v;
	int i, any = 0, top = -1;

	for (i = 0; i < TLSPROBE_NVERSIONS; i++)
		if (r->versions[i].accepted && (t->versions & (1u << i)))
			any = 1;
	switch (t->kind) {
	case TLS_M_PROTOCOL:
		for (i = 0; i < TLSPROBE_NVERSIONS; i++) {
			v = &r->versions[i];
			if (v->accepted && (t->versions & (1u << i)))
				tls_add(o, t, "accepts %s",
					tlsprobe_version_label(tls_ids[i]));
		}
		break;
	case TLS_M_NONE_OF:
		if (!any)
			tls_none_of(t, o);
		break;
	case TLS_M_CIPHER:
		tls_judge_ciphers(t, r, o);
		break;
	case TLS_M_RENEGOTIATION:
		for (i = 0; i < TLSPROBE_NVERSIONS - 1; i++)
			if (r->versions[i].accepted)
				top = i;
		if (r->secure_renegotiation == 0 && top >= 0)
			tls_add(o, t,
				"accepts %s without RFC 5746 secure "
				"renegotiation",
				tlsprobe_version_label(tls_ids[top]));
		break;
	case TLS_M_COMPRESSION:
		if (r->compression == 1)
			tls_add(o, t, "accepts TLS compression");
		break;
	default:
		tls_judge_certs(t, r, o);
		break;
	}
}

size_t tlsrules_judge(const struct tlsrules *t, const struct tlsprobe_result *r,
		      struct tls_finding *out, size_t max)
{
	struct tls_out o = {.f = out, .max = out ? max : 0};
	size_t k;

	if (r->error[0])
		return 0;
	for (k = 0; k < t->n; k++)
		tls_judge_one(&t->rule[k], r, &o);
	return o.n;
}

json_t *tlsrules_findings_json(const struct tls_finding *f, size_t n)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; a && k < n; k++)
		if (json_array_append_new(
			a, json_pack("{s:s,s:s,s:s}", "rule", f[k].rule,
				     "severity",
				     tlsrules_severity_name(f[k].severity),
				     "text", f[k].text))) {
			json_decref(a);
			return NULL;
		}
	return a;
}
