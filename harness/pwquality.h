/*
 * pwquality.h - is a pre-installed password guessable?  The analysis behind
 * TS 103 701 test case 5.1-2-2 (EN 303 645 provision 5.1-2: pre-installed
 * unique passwords resist automated attacks).
 *
 * Pure: given the samples' passwords and public identifiers, a policy and
 * the parsed password lists, it returns findings, each naming one rule.  It
 * does not log in anywhere, read files or keep anything; whether the
 * findings fail the test case is the test case script's decision.  No
 * finding text ever contains a password, nor an identifier (a password may
 * be one).
 *
 * Rules:
 *   pwq.length       fewer characters than policy min_length
 *   pwq.classes      fewer of lower/upper/digit/other than min_classes
 *   pwq.entropy      length * log2(pool) below min_entropy_bits; the pool
 *                    is 26 per letter case present, 10 for digits and 33
 *                    for anything else
 *   pwq.list.mirai   equal to a password of the Mirai list
 *   pwq.list.common  on the common-password list, exactly or ignoring
 *                    (ASCII) case; the text says which
 *   pwq.counter      two or more samples whose passwords are the same but
 *                    for one decimal or hex number, the numbers within 100
 *                    of each other (pass0001, pass0002); sample is "s1,s2"
 *   pwq.derived.<id>.<form>
 *   pwq.derived.<id>[.<form>].<hash>.<enc>
 *                    the password is derived from a public identifier:
 *                    <id> is serial, mac, ssid or model; <form> is raw
 *                    (as written, lower or upper case), nosep (MAC without
 *                    separators), last4, last6 or last8 (last hex digits
 *                    of the MAC, last characters of the serial); a hashed
 *                    raw form leaves <form> out (pwq.derived.mac.sha1.hex
 *                    is the SHA-1 of the MAC as written, in lower or in
 *                    upper case); <hash> is md5, sha1 or sha256; <enc> is
 *                    hex (lower or upper case) or base64 (standard or
 *                    URL-safe, with or without padding).  The password
 *                    matches when it equals the candidate, is a prefix or
 *                    suffix of it of at least 6 characters (truncation), or
 *                    contains an unhashed form of at least 4 characters.
 *                    One finding per sample and identifier: an exact match
 *                    before a truncation before a containment, the longest
 *                    contained form first; the text says which form, case,
 *                    encoding and match.
 *
 * Findings come per sample in sample order (length, classes, entropy,
 * lists, then serial, mac, ssid, model), the pwq.counter findings last.
 */
#ifndef PWQUALITY_H
#define PWQUALITY_H

#include <stddef.h>

struct cb_error;
struct json_t;

/*
 * Work is bounded: a password is judged on its first PWQ_PASSWORD_MAX
 * bytes; an identifier longer than PWQ_IDENT_MAX bytes is not used (no
 * hash of a cut identifier would be the right one).
 */
#define PWQ_PASSWORD_MAX 256
#define PWQ_IDENT_MAX 128

/* One physical unit.  All strings are borrowed. */
struct pwq_sample {
	const char *id;		/* "s1" */
	const char *password;	/* its pre-installed password; NULL: none,
				 * and then no rule looks at the sample */
	const char *serial;	/* public identifiers; any may be NULL */
	const char *mac;	/* "00:1A:2B:3C:4D:5E"; ':', '-', '.' or
				 * no separators */
	const char *ssid;
	const char *model;
};

struct pwq_policy {
	int min_length;		/* characters (UTF-8 sequences count once) */
	int min_classes;	/* of lower, upper, digit, other */
	int min_entropy_bits;
};

struct pwq_finding {
	char sample[64];	/* sample id, or "s1,s2" for pwq.counter */
	char rule[96];		/* "pwq.derived.mac.last6" */
	char text[256];		/* one line, never the password */
};

/*
 * The parsed data files, borrowed; either may be NULL, and then its rule
 * is not checked.  mirai is testcases/data/mirai-credentials.json
 * ({"credentials": [{"password": ...}, ...]}), common is
 * testcases/data/common-passwords.json ({"passwords": [...]}).
 */
struct pwq_lists {
	struct json_t *mirai;
	struct json_t *common;
};

/* min_length 8, min_classes 2, min_entropy_bits 40. */
void pwq_policy_default(struct pwq_policy *p);

/*
 * Findings for the n samples s, in a malloc()ed array the caller frees
 * with free(): *out and *nout (*out is NULL when there are none and on
 * failure).  pol NULL means the default policy, lists NULL no lists.
 * Returns CB_OK; CB_ENOMEM; CB_EINVAL when a list is not shaped as above;
 * CB_ECRYPTO when OpenSSL cannot compute a digest (MD5 in a FIPS-only
 * configuration).  Weak passwords are findings, never errors.
 */
int pwq_check(const struct pwq_sample *s, size_t n,
	      const struct pwq_policy *pol, const struct pwq_lists *lists,
	      struct pwq_finding **out, size_t *nout, struct cb_error *err);

#endif /* PWQUALITY_H */
