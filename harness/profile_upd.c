/*
 * profile_upd.c - the profile parts that describe updates and software
 * integrity: IXIT 7-UpdMech (how updates reach the device, what a genuine
 * image looks like), 20-SecBoot, the "read a value from the device"
 * queries, and a sample's bench tools (power switch, flash programmer).
 *
 * Everything is checked strictly when the profile loads, with the file,
 * line and column of the offending value, so a typo never turns a test
 * off silently.  Relative file names are made absolute against the
 * profile's folder, so a run does not depend on the current directory.
 */
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/profile.h"

static const char *const upd_req[] = {"id", "delivery", NULL};
static const char *const upd_opt[] = {
	"description", "security_guarantees", "crypto", "initiation",
	"update_checking", "configuration", "user_notification",
	"components", "upload", "pull", "version_query", "image",
	"settle_ms", NULL};
static const char *const deliveries[] = {"upload", "pull", "other", NULL};
static const char *const req_opt[] = {"method", "path", "body", "auth",
				      "content_type", NULL};
static const char *const req_req[] = {"path", NULL};
static const char *const upload_opt[] = {
	"method", "path", "auth", "content_type", "accept_status",
	"accept_json", NULL};
static const char *const pull_req[] = {"source", "trigger", NULL};
static const char *const pull_opt[] = {
	"source", "trigger", "accept_status", "accept_json",
	"server_address", "server_path", "server_ca", NULL};
static const char *const pair_req[] = {"cert", "key", NULL};
static const char *const image_req[] = {"genuine", NULL};
static const char *const image_opt[] = {"genuine", "older", "other_model",
					"layout", NULL};
static const char *const file_req[] = {"file", "version", NULL};
static const char *const file_opt[] = {"file", "version", "model", NULL};
static const char *const layout_req[] = {"header_bytes", "signature_bytes",
					 NULL};
static const char *const layout_opt[] = {
	"header_bytes", "signature_bytes", "signature", "signer_key_offset",
	"flip_header", "flip_payload", "flip_signature", NULL};
static const char *const query_opt[] = {"path", "json_field", "auth",
					"console", "pattern", NULL};
static const char *const json_match_req[] = {"field", "equals", NULL};
static const char *const secboot_opt[] = {
	"description", "crypto", "alert", "image", "layout", "boot_ms",
	"version_query", NULL};
static const char *const auths[] = {"none", "basic", "digest", NULL};
static const char *const sigalgs[] = {"ecdsa-p256-sha256",
				      "ecdsa-p256-sha256-der", "ed25519",
				      "rsa-pkcs1-sha256", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

int profile_want_string(const struct cb_json_doc *d, json_t *obj,
			const char *key, int required,
			const char *const *choices, struct cb_error *err)
{
	const char *s = NULL;
	int rc = cb_json_get_string(d, obj, key, required, &s, err);

	if (rc || !s || !choices || in_list(choices, s))
		return rc;
	return cb_json_fail_member(d, obj, key, err, "'%s' is not one of the "
				   "allowed values for '%s'", s, key);
}

int profile_want_int(const struct cb_json_doc *d, json_t *obj,
		     const char *key, int required, long min, long max,
		     struct cb_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return required ? cb_json_fail(d, obj, err, "'%s' is required",
					       key)
				: CB_OK;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return cb_json_fail_member(d, obj, key, err,
					   "'%s' must be an integer from %ld "
					   "to %ld",
					   key, min, max);
	return CB_OK;
}

int profile_check_regex(const struct cb_json_doc *d, json_t *obj,
			const char *key, struct cb_error *err)
{
	const char *s = NULL;
	char msg[96];
	regex_t re;
	int rc = cb_json_get_string(d, obj, key, 0, &s, err);

	if (rc || !s)
		return rc;
	rc = regcomp(&re, s, REG_EXTENDED);
	if (rc) {
		regerror(rc, &re, msg, sizeof(msg));
		return cb_json_fail_member(d, obj, key, err,
					   "'%s' is not a valid regular "
					   "expression: %s",
					   key, msg);
	}
	regfree(&re);
	return CB_OK;
}

/* Make a relative file name absolute against the profile's folder. */
static int resolve_file(const struct cb_json_doc *d, json_t *obj,
			const char *key, struct cb_error *err)
{
	json_t *v = json_object_get(obj, key);
	char dir[PATH_MAX], out[PATH_MAX];
	const char *s, *slash;

	if (!json_is_string(v))
		return cb_json_fail_member(d, obj, key, err,
					   "'%s' must be a file name", key);
	s = json_string_value(v);
	if (!s[0])
		return cb_json_fail_member(d, obj, key, err,
					   "'%s' is empty", key);
	if (s[0] == '/')
		return CB_OK;
	slash = strrchr(d->path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - d->path) : 1,
		 slash ? d->path : ".");
	if (dir[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return cb_error_set_os(err, CB_EIO, "getcwd");
		if ((size_t)snprintf(out, sizeof(out), "%s/%s/%s", cwd, dir,
				     s) >= sizeof(out))
			return cb_json_fail_member(d, obj, key, err,
						   "file name too long");
	} else if ((size_t)snprintf(out, sizeof(out), "%s/%s", dir, s) >=
		   sizeof(out)) {
		return cb_json_fail_member(d, obj, key, err,
					   "file name too long");
	}
	json_string_set(v, out);
	return CB_OK;
}

static int check_request(const struct cb_json_doc *d, json_t *parent,
			 const char *key, const char *const *opt,
			 const char *const *req, struct cb_error *err)
{
	json_t *o = NULL;
	int rc = cb_json_get_object(d, parent, key, 0, &o, err);

	if (rc || !o)
		return rc;
	rc = cb_json_check_keys(d, o, key, opt, req, err);
	if (!rc)
		rc = profile_want_string(d, o, "path", 0, NULL, err);
	if (!rc)
		rc = profile_want_string(d, o, "method", 0, NULL, err);
	if (!rc)
		rc = profile_want_string(d, o, "auth", 0, auths, err);
	if (!rc)
		rc = profile_want_string(d, o, "content_type", 0, NULL, err);
	if (!rc && json_object_get(o, "body"))
		rc = profile_want_string(d, o, "body", 0, NULL, err);
	return rc;
}

static int check_accept(const struct cb_json_doc *d, json_t *o,
			struct cb_error *err)
{
	json_t *v = NULL, *s;
	size_t k;
	int rc = cb_json_get_array(d, o, "accept_status", 0, &v, err);

	if (rc)
		return rc;
	json_array_foreach(v, k, s)
		if (!json_is_integer(s) || json_integer_value(s) < 100 ||
		    json_integer_value(s) > 599)
			return cb_json_fail(d, s, err,
					    "accept_status holds HTTP status "
					    "codes (100 to 599)");
	v = NULL;
	rc = cb_json_get_object(d, o, "accept_json", 0, &v, err);
	if (!rc && v)
		rc = cb_json_check_keys(d, v, "accept_json", json_match_req,
					json_match_req, err);
	if (!rc && v)
		rc = profile_want_string(d, v, "field", 1, NULL, err);
	return rc;
}

int profile_check_query(const struct cb_json_doc *d, json_t *parent,
			const char *key, struct cb_error *err)
{
	json_t *q = NULL;
	int http, con, rc;

	rc = cb_json_get_object(d, parent, key, 0, &q, err);
	if (rc || !q)
		return rc;
	rc = cb_json_check_keys(d, q, key, query_opt, NULL, err);
	if (rc)
		return rc;
	http = json_object_get(q, "path") != NULL;
	con = json_object_get(q, "console") != NULL;
	if (http == con)
		return cb_json_fail(d, q, err,
				    "'%s' reads either over HTTP ('path', "
				    "'json_field') or on the console "
				    "('console', 'pattern')",
				    key);
	if (http)
		rc = profile_want_string(d, q, "path", 1, NULL, err);
	if (!rc && http)
		rc = profile_want_string(d, q, "json_field", 1, NULL, err);
	if (!rc)
		rc = profile_want_string(d, q, "auth", 0, auths, err);
	if (!rc && con)
		rc = profile_want_string(d, q, "console", 1, NULL, err);
	if (!rc && con && !json_object_get(q, "pattern"))
		rc = cb_json_fail(d, q, err,
				  "a console query needs a 'pattern' whose "
				  "first group is the value");
	if (!rc && con)
		rc = profile_check_regex(d, q, "pattern", err);
	return rc;
}

static int check_file_ref(const struct cb_json_doc *d, json_t *parent,
			  const char *key, int required, struct cb_error *err)
{
	json_t *o = NULL;
	int rc = cb_json_get_object(d, parent, key, required, &o, err);

	if (rc || !o)
		return rc;
	rc = cb_json_check_keys(d, o, key, file_opt, file_req, err);
	if (!rc)
		rc = profile_want_string(d, o, "version", 1, NULL, err);
	if (!rc)
		rc = profile_want_string(d, o, "model", 0, NULL, err);
	if (!rc)
		rc = resolve_file(d, o, "file", err);
	return rc;
}

static int check_layout(const struct cb_json_doc *d, json_t *parent,
			struct cb_error *err)
{
	static const char *const flips[] = {"flip_header", "flip_payload",
					    "flip_signature",
					    "signer_key_offset", NULL};
	const char *const *k;
	json_t *l = NULL;
	int rc = cb_json_get_object(d, parent, "layout", 0, &l, err);

	if (rc || !l)
		return rc;
	rc = cb_json_check_keys(d, l, "layout", layout_opt, layout_req, err);
	if (!rc)
		rc = profile_want_int(d, l, "header_bytes", 1, 1, 1L << 24, err);
	if (!rc)
		rc = profile_want_int(d, l, "signature_bytes", 1, 1, 1L << 16, err);
	if (!rc)
		rc = profile_want_string(d, l, "signature", 0, sigalgs, err);
	for (k = flips; !rc && *k; k++)
		rc = profile_want_int(d, l, *k, 0, 0, 1L << 30, err);
	return rc;
}

static int check_image(const struct cb_json_doc *d, json_t *parent,
		       const char *key, struct cb_error *err)
{
	json_t *im = NULL;
	int rc = cb_json_get_object(d, parent, key, 0, &im, err);

	if (rc || !im)
		return rc;
	rc = cb_json_check_keys(d, im, key, image_opt, image_req, err);
	if (!rc)
		rc = check_file_ref(d, im, "genuine", 1, err);
	if (!rc)
		rc = check_file_ref(d, im, "older", 0, err);
	if (!rc)
		rc = check_file_ref(d, im, "other_model", 0, err);
	if (!rc)
		rc = check_layout(d, im, err);
	return rc;
}

static int check_pull(const struct cb_json_doc *d, json_t *m,
		      struct cb_error *err)
{
	json_t *p = NULL, *ca = NULL;
	int rc = cb_json_get_object(d, m, "pull", 1, &p, err);

	if (!rc)
		rc = cb_json_check_keys(d, p, "pull", pull_opt, pull_req, err);
	if (!rc)
		rc = check_request(d, p, "source", req_opt, req_req, err);
	if (!rc)
		rc = check_request(d, p, "trigger", req_opt, req_req, err);
	if (!rc)
		rc = check_accept(d, p, err);
	if (!rc)
		rc = profile_want_string(d, p, "server_address", 0, NULL, err);
	if (!rc)
		rc = profile_want_string(d, p, "server_path", 0, NULL, err);
	if (!rc)
		rc = cb_json_get_object(d, p, "server_ca", 0, &ca, err);
	if (!rc && ca)
		rc = cb_json_check_keys(d, ca, "server_ca", pair_req, pair_req,
					err);
	if (!rc && ca)
		rc = resolve_file(d, ca, "cert", err);
	if (!rc && ca)
		rc = resolve_file(d, ca, "key", err);
	return rc;
}

static int check_updmech(const struct cb_json_doc *d, json_t *list,
			 size_t idx, struct cb_error *err)
{
	json_t *m = json_array_get(list, idx), *o;
	const char *id = NULL, *delivery = NULL;
	size_t k;
	int rc;

	rc = cb_json_check_keys(d, m, "update mechanism", upd_opt, upd_req,
				err);
	if (!rc)
		rc = cb_json_get_string(d, m, "id", 1, &id, err);
	if (!rc)
		rc = profile_want_string(d, m, "delivery", 1, deliveries, err);
	if (rc)
		return rc;
	for (k = 0; k < idx; k++) {
		o = json_array_get(list, k);
		if (!strcmp(json_string_value(json_object_get(o, "id")), id))
			return cb_json_fail_member(d, m, "id", err,
						   "duplicate update mechanism "
						   "id '%s'",
						   id);
	}
	delivery = json_string_value(json_object_get(m, "delivery"));
	if (!strcmp(delivery, "upload")) {
		rc = check_request(d, m, "upload", upload_opt, req_req, err);
		if (!rc && !json_object_get(m, "upload"))
			rc = cb_json_fail(d, m, err, "an 'upload' mechanism "
					  "needs 'upload' (where images are "
					  "sent)");
		if (!rc)
			rc = check_accept(d, json_object_get(m, "upload"), err);
	} else if (!strcmp(delivery, "pull")) {
		rc = check_pull(d, m, err);
	}
	if (!rc)
		rc = profile_check_query(d, m, "version_query", err);
	if (!rc)
		rc = check_image(d, m, "image", err);
	if (!rc)
		rc = profile_want_int(d, m, "settle_ms", 0, 0, 600000, err);
	return rc;
}

static int check_secboot(const struct cb_json_doc *d, json_t *sec,
			 struct cb_error *err)
{
	int rc;

	if (!json_is_object(sec))
		return cb_json_fail(d, sec, err, "20-SecBoot must be an object");
	rc = cb_json_check_keys(d, sec, "20-SecBoot", secboot_opt, NULL, err);
	if (!rc)
		rc = profile_check_regex(d, sec, "alert", err);
	if (!rc)
		rc = check_file_ref(d, sec, "image", 0, err);
	if (!rc)
		rc = check_layout(d, sec, err);
	if (!rc)
		rc = profile_want_int(d, sec, "boot_ms", 0, 0, 600000, err);
	if (!rc)
		rc = profile_check_query(d, sec, "version_query", err);
	return rc;
}

int profile_check_updates(const struct cb_json_doc *d, json_t *ixit,
			  struct cb_error *err)
{
	json_t *sec = json_object_get(ixit, "7-UpdMech");
	size_t k;
	int rc;

	if (sec && !json_is_array(sec))
		return cb_json_fail(d, sec, err,
				    "7-UpdMech must be a list of update "
				    "mechanisms");
	for (k = 0; k < json_array_size(sec); k++)
		if ((rc = check_updmech(d, sec, k, err)))
			return rc;
	sec = json_object_get(ixit, "20-SecBoot");
	if (sec && (rc = check_secboot(d, sec, err)))
		return rc;
	return CB_OK;
}

/*
 * A bench tool: "exec:PROGRAM ARG..." (split on spaces, no shell).  A
 * relative PROGRAM is made absolute against the profile's folder.
 */
int profile_check_tool(const struct cb_json_doc *d, json_t *sample,
		       const char *key, struct cb_error *err)
{
	json_t *v = json_object_get(sample, key);
	const char *s, *sp;
	char prog[PATH_MAX];
	json_t *tmp;
	int rc;

	if (!v)
		return CB_OK;
	if (!json_is_string(v) || strncmp(json_string_value(v), "exec:", 5) ||
	    !json_string_value(v)[5] || json_string_value(v)[5] == ' ')
		return cb_json_fail_member(d, sample, key, err,
					   "'%s' must be \"exec:PROGRAM "
					   "ARG...\"",
					   key);
	s = json_string_value(v) + 5;
	if (s[0] == '/')
		return CB_OK;
	sp = strchr(s, ' ');
	snprintf(prog, sizeof(prog), "%.*s", sp ? (int)(sp - s) : (int)strlen(s),
		 s);
	tmp = json_pack("{s:s}", "f", prog);
	if (!tmp)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	rc = resolve_file(d, tmp, "f", err);
	if (!rc) {
		char *full = NULL;

		if (asprintf(&full, "exec:%s%s",
			     json_string_value(json_object_get(tmp, "f")),
			     sp ? sp : "") < 0) {
			rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		} else {
			json_string_set(v, full);
			free(full);
		}
	}
	json_decref(tmp);
	return rc;
}
