/*
 * profile.h - the product under test: identity, ICS, IXIT and samples.
 *
 * One JSON file per product.  String values may read the environment as
 * ${env.NAME} (bench-specific device paths and ports); nothing else is
 * expanded.  The loader checks the structure, the ICS condition names,
 * the IXIT sections certbench interprets (1-AuthMech, 2-UserInfo), the
 * regular expressions they hold and the adapter URIs, with file, line
 * and column on every error.  Passwords stay in memory only.
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stddef.h>

#include "harness/cb_hash.h"
#include "harness/cb_json.h"

struct catalog;
struct cb_error;

struct profile_sample {
	const char *id, *serial, *mac;
	const char *console;	/* adapter URI, or NULL */
	const char *http;	/* base URL of the device API, or NULL */
	const char *user, *password; /* documented credential, or NULL */
	json_t *obj;		/* the sample's object in the profile */
};

struct profile {
	struct cb_json_doc doc;
	json_t *product, *customer, *ics, *ixit;
	const char *product_id;
	const char *ca_file;	/* extra trust anchors, or NULL */
	struct profile_sample *samples;
	size_t nsamples;
	char sha256[CB_SHA256_HEX]; /* of the file as given */
};

int profile_load(struct profile *p, const char *path,
		 const struct catalog *cat, struct cb_error *err);
void profile_release(struct profile *p);

/*
 * The ICS answer for a condition: 1 true, 0 false, -1 not answered.
 */
int profile_condition(const struct profile *p, const char *name);

/* profile_upd.c: IXIT 7-UpdMech and 20-SecBoot, checked strictly. */
int profile_check_updates(const struct cb_json_doc *d, json_t *ixit,
			  struct cb_error *err);
/* A "read a value from the device" object at parent[key], if present. */
int profile_check_query(const struct cb_json_doc *d, json_t *parent,
			const char *key, struct cb_error *err);
/* obj[key], if present, is a valid POSIX extended regular expression. */
int profile_check_regex(const struct cb_json_doc *d, json_t *obj,
			const char *key, struct cb_error *err);
/*
 * obj[key] is a string (one of choices, a NULL-terminated list, unless
 * choices is NULL) / an integer from min to max; absent is an error only
 * when required.
 */
int profile_want_string(const struct cb_json_doc *d, json_t *obj,
			const char *key, int required,
			const char *const *choices, struct cb_error *err);
int profile_want_int(const struct cb_json_doc *d, json_t *obj,
		     const char *key, int required, long min, long max,
		     struct cb_error *err);
/* profile_surf.c: IXIT 13-SoftServ and 15-Intf, checked strictly. */
/* What an interface may disclose (15-Intf "disclosed"), NULL-terminated. */
extern const char *const profile_disclosure_kinds[];
int profile_check_surface(const struct cb_json_doc *d, json_t *ixit,
			  struct cb_error *err);
/* profile_inp.c: IXIT 29-InpVal, checked strictly. */
int profile_check_inputs(const struct cb_json_doc *d, json_t *ixit,
			 struct cb_error *err);
/* A sample's bench tool "exec:PROGRAM ARG..." at sample[key]. */
int profile_check_tool(const struct cb_json_doc *d, json_t *sample,
		       const char *key, struct cb_error *err);

#endif /* PROFILE_H */
