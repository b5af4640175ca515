/*
 * sectxt.h - RFC 9116 security.txt parsing and validation.
 *
 * Pure: it is given the bytes, the URL they were fetched from, the
 * Content-Type and "now", and returns findings, each naming its rule.
 * It does not fetch anything and cannot verify OpenPGP signatures (it
 * strips the cleartext envelope and says so).
 */
#ifndef SECTXT_H
#define SECTXT_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

enum sectxt_sev {
	SECTXT_ERROR,	/* the file breaks a MUST of RFC 9116 (or the
			 * one-year limit on Expires) */
	SECTXT_WARN,	/* a SHOULD / RECOMMENDED is not followed */
	SECTXT_NOTE,	/* worth recording, not a defect */
};

struct sectxt_finding {
	enum sectxt_sev sev;
	char rule[48];		/* "sectxt.expires.past" */
	int line;		/* 1-based line in the file, or 0 */
	char text[200];
};

struct sectxt {
	json_t *contact, *policy, *canonical, *encryption; /* string arrays */
	time_t expires;		/* 0 unless exactly one valid Expires */
	int signed_envelope;	/* an OpenPGP cleartext signature was found */
	struct sectxt_finding *f;
	size_t nf;
};

/*
 * Validate text.  url (may be NULL) is where it was fetched from, for the
 * transport and Canonical rules; content_type may be NULL.
 */
int sectxt_validate(struct sectxt *s, const char *text, size_t len,
		    const char *url, const char *content_type, time_t now);
void sectxt_release(struct sectxt *s);

/* Number of findings of a severity. */
size_t sectxt_count(const struct sectxt *s, enum sectxt_sev sev);
const char *sectxt_sev_name(enum sectxt_sev sev);

/* 1 when the URL's path ends in security.txt. */
int sectxt_is_url(const char *url);

#endif /* SECTXT_H */
