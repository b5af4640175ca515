/*
 * disclose.h - what a text a device sends before authentication gives
 * away: software versions, serial numbers, MAC and internal addresses,
 * host names, key material, credentials, and the product's identity
 * (TS 103 701 5.6-2: compare it with IXIT 15-Intf "disclosed").
 *
 * Two sets of detectors look at the same bytes:
 *
 * - generic ones, kept as data (testcases/data/disclosure.json):
 *   {"name", "description", "source", "detectors": [{"id", "kind",
 *   "what", "regex", "group"?, "except"?}]}.  "regex" is a POSIX
 *   extended regular expression matched case-insensitively with
 *   REG_NEWLINE ("^", "$", "." and [^...] stop at newlines, a newline
 *   inside [...] still matches one); "group" (default 0) is the
 *   subexpression that holds the disclosed value; a match whose whole
 *   text matches "except" (also case-insensitive) is no finding.  Every
 *   repetition must be bounded ("{0,40}", never "*", "+" or "{2,}") so a
 *   scan stays linear in its input; a match longer than
 *   DISCLOSE_MATCH_MAX bytes may be cut.
 * - sample-specific ones from the profile: the product's model,
 *   manufacturer, firmware and hardware version, the sample's serial
 *   (any case) and its MAC (":", "-", "." every four digits, or no
 *   separator, any case).  A literal shorter than three bytes is
 *   ignored: it would match everywhere.  A literal matches only as a
 *   whole word (no letter or digit glued to it, and a version not
 *   continued by ".digit").
 *
 * Where a profile literal and a generic detector find overlapping
 * values, the literal wins: "version": "1.4.2" on a device whose
 * documented firmware is 1.4.2 discloses firmware_version, not
 * software_version (a secret kind always stands).  Overlapping findings
 * of one kind count once; software versions separated only by up to
 * three blanks or punctuation merge ("SimDUT-httpd/2.4.1 (Linux 4.9.88").
 * An address given with disclose_add_own() (the one the tester used to
 * reach the device) is no internal_address or hostname finding.
 *
 * It judges nothing: which kinds an interface may disclose is the
 * caller's business.  Link-layer data never reaches it.
 */
#ifndef DISCLOSE_H
#define DISCLOSE_H

#include <stddef.h>

#include <jansson.h>

struct cb_error;
struct disclose_rule;
struct disclose_lit;

/* The kinds of IXIT 15-Intf "disclosed", in the README's order. */
enum disclose_kind {
	DK_MODEL,
	DK_MANUFACTURER,
	DK_FIRMWARE_VERSION,
	DK_HARDWARE_VERSION,
	DK_SOFTWARE_VERSION,
	DK_SERIAL,
	DK_MAC,
	DK_INTERNAL_ADDRESS,
	DK_HOSTNAME,
	DK_KEY_MATERIAL,
	DK_CREDENTIALS,
	DK_NKINDS
};

#define DISCLOSE_MATCH_MAX 512	/* longest match a scan is sure to see */
#define DISCLOSE_HITS_MAX  32	/* hits kept per detector and scan */
#define DISCLOSE_EXCERPT   96	/* excerpt buffer: at most ~80 bytes */
#define DISCLOSE_ID_MAX	   40

/* "firmware_version"; NULL outside the enum. */
const char *disclose_kind_name(enum disclose_kind k);
/* The kind called name, or -1. */
int disclose_kind_parse(const char *name);
/* 1 for key_material and credentials: excerpts are masked. */
int disclose_kind_secret(enum disclose_kind k);
/* "model, firmware_version" for a set of kinds (bit 1 << kind). */
void disclose_kinds_text(unsigned set, char *out, size_t len);

struct disclose {
	char name[64];			/* of the data set */
	struct disclose_rule *rule;	/* generic detectors, nrule */
	size_t nrule;
	struct disclose_lit *lit;	/* profile literals, nlit */
	size_t nlit;
	unsigned char mac[6];
	int have_mac;
	char **own;			/* addresses that are no leak */
	size_t nown;
};

struct disclose_finding {
	enum disclose_kind kind;
	int from_profile;		/* a literal of the product or sample */
	char detector[DISCLOSE_ID_MAX];	/* "sw.kernel", "profile.serial" */
	size_t offset, len;		/* the value in the scanned text */
	/* The value escaped (\r \n \xNN) and cut to about 80 bytes; for a
	 * secret kind the key name before it is kept and the value shows
	 * its first 4 characters (a third of it when shorter than 12),
	 * then "***". */
	char excerpt[DISCLOSE_EXCERPT];
};

/* An empty set: no detector yet. */
void disclose_init(struct disclose *d);
void disclose_release(struct disclose *d);

/*
 * Add the generic detectors of a data set (not kept).  An unknown key or
 * kind, a duplicate id, a bad or unbounded regular expression, or a
 * group the regex lacks is CB_EINVAL naming the detector.
 */
int disclose_load_json(struct disclose *d, json_t *data,
		       struct cb_error *err);

/* One literal of a kind (id names it in findings, e.g. "profile.serial"). */
int disclose_add_literal(struct disclose *d, enum disclose_kind kind,
			 const char *id, const char *value,
			 struct cb_error *err);
/* The sample's MAC, written xx:xx:xx:xx:xx:xx (or with "-"). */
int disclose_add_mac(struct disclose *d, const char *mac,
		     struct cb_error *err);
/* An address (or host name) that is no leak: the device's own. */
int disclose_add_own(struct disclose *d, const char *addr,
		     struct cb_error *err);
/*
 * The literals of a profile: product model, manufacturer,
 * firmware_version and hardware_version; the sample's model, serial and
 * mac.  Either object may be NULL.
 */
int disclose_add_profile(struct disclose *d, const json_t *product,
			 const json_t *sample, struct cb_error *err);

/*
 * Find what text[0..len) discloses; any bytes, NUL included.  Up to max
 * findings go to out in text order and *total says how many there are
 * in all (more than max means some were left out; out may be NULL when
 * max is 0).  Each detector keeps its first DISCLOSE_HITS_MAX hits.
 * Time is linear in len.  CB_ENOMEM is the only error.
 */
int disclose_scan(const struct disclose *d, const void *text, size_t len,
		  struct disclose_finding *out, size_t max, size_t *total,
		  struct cb_error *err);

#endif /* DISCLOSE_H */
