/*
 * tlsrules.h - judge a tlsprobe result against a best-practice table kept
 * as data (testcases/data/tls-practice.json).
 *
 * Each rule has a stable id ("tls.proto.tls10"), a severity and one small
 * declarative matcher; every way a result matches a rule is one finding
 * that names the exact protocol, suite or certificate.  The table says
 * what is bad; this module only applies it.  A probe that got no TLS
 * answer at all (result.error set) yields no findings: that is a bench
 * problem, not a verdict.
 *
 * A matcher is an object with exactly one of these keys:
 *   {"protocol": "TLS1.0"}            that version is accepted
 *   {"none_of": ["TLS1.2","TLS1.3"]}  none of these versions is accepted
 *   {"cipher_regex": RE [, "cipher_field": F]}
 *                                     an accepted suite whose field F
 *                                     ("name" (default), "iana", "kx",
 *                                     "au", "enc", "mac") matches RE
 *   {"key_type": "RSA", "max_bits": 2047}
 *                                     a certificate's key of that type
 *                                     with at most max_bits
 *   {"signature_regex": RE}           a certificate's signature algorithm
 *                                     (a self-signed trust anchor after
 *                                     the leaf is not counted)
 *   {"cert": "expired" | "not_yet_valid" | "self_signed" |
 *            "host_mismatch" | "untrusted"}
 *                                     dates: every certificate; self-signed
 *                                     and host: the leaf; untrusted: the
 *                                     chain did not verify
 *   {"renegotiation": "insecure"}     a TLS <= 1.2 handshake without
 *                                     RFC 5746
 *   {"compression": true}             TLS compression accepted
 * RE is a POSIX extended regular expression, matched case-insensitively.
 * Version names are those of tlsprobe_version_name().
 */
#ifndef TLSRULES_H
#define TLSRULES_H

#include <stddef.h>

#include <jansson.h>

struct cb_error;
struct tlsprobe_result;
struct tls_rule;

enum tls_severity {
	TLS_SEV_FAIL, /* outside best practice: a non-conformity */
	TLS_SEV_WARN, /* worth a look; does not fail by itself */
};

struct tlsrules {
	char name[64];
	struct tls_rule *rule; /* opaque, n entries */
	size_t n;
};

#define TLS_RULE_ID_MAX 48

struct tls_finding {
	char rule[TLS_RULE_ID_MAX];
	enum tls_severity severity;
	char text[200]; /* "accepts TLS 1.0 (tls.proto.tls10)" */
};

/*
 * Load a table from parsed JSON ({"name", "description", "source",
 * "rules": [{"id", "severity", "what", "match"}]}).  Unknown keys, a
 * duplicate id, a bad severity, a matcher with no or two kinds and a bad
 * regular expression are CB_EINVAL naming the rule.  out is released on
 * failure; data is not kept.
 */
int tlsrules_load_json(json_t *data, struct tlsrules *out,
		       struct cb_error *err);
void tlsrules_release(struct tlsrules *t);

/*
 * Write up to max findings into out, in table order, and return how many
 * there are in all (as snprintf does: more than max means some were left
 * out).  out may be NULL when max is 0.
 */
size_t tlsrules_judge(const struct tlsrules *t, const struct tlsprobe_result *r,
		      struct tls_finding *out, size_t max);

/* The id of rule i (< t->n). */
const char *tlsrules_id(const struct tlsrules *t, size_t i);

/* "fail" / "warn". */
const char *tlsrules_severity_name(enum tls_severity s);

/* [{"rule", "severity", "text"}], a new reference (NULL if out of memory). */
json_t *tlsrules_findings_json(const struct tls_finding *f, size_t n);

#endif /* TLSRULES_H */
