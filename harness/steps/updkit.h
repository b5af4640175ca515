/*
 * updkit.h - what the update and boot steps share: sending the requests
 * IXIT 7-UpdMech documents to a sample, reading a value (the firmware
 * version, the model designation) the documented way, judging whether
 * the device accepted, and keeping every image sent as evidence.
 */
#ifndef UPDKIT_H
#define UPDKIT_H

#include <stddef.h>

#include <jansson.h>

#include "harness/fwkit.h"
#include "harness/step.h"
#include "hw-adapters/hw.h"

#define UPD_VALUE_MAX 128	/* a version or model string */
#define UPD_IMAGE_MAX (64u << 20)

/*
 * Send one documented request (an IXIT object with path, method, body,
 * auth, content_type) to the sample's API.  body/len replace the
 * object's body when given; "{url}" in the object's body becomes url.
 * abort_after > 0 cuts the upload after that many bytes.  CB_OK when an
 * answer arrived (any status); the adapter's error otherwise.
 */
int upd_send(struct step_run *sr, json_t *spec, const char *def_method,
	     const void *body, size_t len, size_t abort_after, const char *url,
	     struct hw_http_resp *resp);

/*
 * Put the sample's documented credentials on req the way auth ("none",
 * "basic", "digest" or NULL) names, and register the password as a
 * secret.  CB_OK, or sr->err set (CB_ENOTSUP when the sample has none).
 */
int upd_credentials(struct step_run *sr, const char *auth, const char *path,
		    struct hw_http_req *req);

/*
 * The same with the given account (user NULL: no credentials, whatever
 * the object's auth says; otherwise sent the way auth names).
 */
int upd_send_as(struct step_run *sr, json_t *spec, const char *def_method,
		const void *body, size_t len, size_t abort_after,
		const char *url, const char *user, const char *password,
		struct hw_http_resp *resp);

/* Did the answer say "accepted" (accept_status, default 200, and
 * accept_json when documented)? */
int upd_answer_accepts(json_t *spec, const struct hw_http_resp *resp);

/*
 * Read a value the documented way (profile query object: HTTP path and
 * JSON field, or a console command and a pattern whose first group is
 * the value).  CB_OK and out filled, or sr->err set.
 */
int upd_query(struct step_run *sr, json_t *query, char *out, size_t outlen);

/* The layout of an image from an IXIT "layout" object; 0 when given. */
int upd_layout(json_t *obj, struct fw_layout *l);

/*
 * Keep an image sent to a device: written to the run directory's
 * update-images/ folder under its SHA-256, and one evidence record that
 * names it; path (may be NULL) gets the file's name.  Failures to keep it are bench failures (sr->err).
 */
int upd_keep(struct step_run *sr, const char *mech, const char *attack,
	     const struct fw_image *im, char *path, size_t pathlen);

/*
 * Run the sample's bench tool ("power", "reset", "flash") with one
 * argument; an evidence record holds what it did.  A "power" or "reset"
 * of "console" switches the console adapter's own pins instead (arg "on"
 * or "off" for power).  CB_OK or sr->err set (CB_ENOTSUP when the sample
 * has no such tool).
 */
int upd_tool(struct step_run *sr, const char *tool, const char *arg);

/*
 * Run one() on every IXIT 7-UpdMech entry whose delivery is in kinds and
 * which the step's "mechanisms" argument selects; sr->value becomes an
 * object one() may fill.  The step's "require": "all" gives the worst
 * verdict, "any" the best (a PASS, else INCONCLUSIVE before the rest).
 * An ERROR ends the loop.  NA with the rationale none when nothing was
 * selected.
 */
enum cb_verdict upd_each(struct step_run *sr, const char *const *kinds,
			 enum cb_verdict (*one)(struct step_run *sr,
						json_t *mech),
			 const char *none);

/* Compare dotted version strings numerically ("1.10" > "1.9"). */
int upd_version_cmp(const char *a, const char *b);

/* Sleep for ms milliseconds (settling times). */
void upd_sleep_ms(long ms);

#endif /* UPDKIT_H */
