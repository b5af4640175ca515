/*
 * profile.c - load and check a product profile (see profile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/profile.h"
#include "hw-adapters/hw.h"

static const char *const top_req[] = {"certbench_profile", "product", "ics",
				      "ixit", "samples", NULL};
static const char *const top_opt[] = {"customer", "trust", NULL};
static const char *const product_req[] = {"id", "name", "manufacturer",
					  "model", NULL};
static const char *const product_opt[] = {
	"hardware_version", "firmware_version", "firmware_sha256",
	"description", NULL};
static const char *const customer_opt[] = {"name", "address", "contact",
					   NULL};
static const char *const ics_opt[] = {"conditions", "provisions", NULL};
static const char *const sample_req[] = {"id", "serial", NULL};
static const char *const sample_opt[] = {
	"mac", "model", "console", "http", "host", "ssid", "credentials",
	"label", "received", "condition", "notes", "power", "flash",
	"reset", "accounts", "interfaces", NULL};
static const char *const cred_req[] = {"user", "password", NULL};
static const char *const account_req[] = {"user", "password", "role", NULL};
static const char *const trust_opt[] = {"ca_file", NULL};
static const char *const mech_req[] = {"id", "surface", NULL};
static const char *const mech_opt[] = {
	"description", "factor", "password_generation", "user_defined",
	"security_guarantees", "crypto", "brute_force_prevention",
	"brute_force", "login_prompt", "password_prompt", "shell_prompt",
	"failure", "locked", "logout", "newline", "timeout_ms", "port",
	"path", "method", "body", "content_type", "accept_status",
	"accept_json", "accept_redirect", "locked_status", "change",
	"password_policy", NULL};
static const char *const mech_regex[] = {"login_prompt", "password_prompt",
					 "shell_prompt", "failure", NULL};
static const char *const userinfo_opt[] = {
	"vdp_url", "support_period_url", "support_period_end",
	"model_designation", "model_designation_query", "change_auth_docs", "deletion_docs",
	"secure_setup_docs", "setup_check_docs", "personal_data_docs",
	"telemetry_docs", "sensor_docs", "non_updatable_docs",
	"replacement_docs", NULL};
static const char *const surfaces[] = {"console", "telnet", "http-form",
				       "http-basic", "http-digest", "ssh",
				       "other", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* Replace ${env.NAME} in every string of the document, in place. */
static int profile_env(struct profile *p, json_t *v, struct cb_error *err)
{
	const char *key, *s, *q, *end;
	char name[128];
	struct cb_buf b;
	json_t *child;
	size_t idx;
	int rc = CB_OK;

	if (json_is_object(v)) {
		json_object_foreach(v, key, child)
			if ((rc = profile_env(p, child, err)))
				return rc;
		return CB_OK;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, idx, child)
			if ((rc = profile_env(p, child, err)))
				return rc;
		return CB_OK;
	}
	if (!json_is_string(v) || !strstr(json_string_value(v), "${env."))
		return CB_OK;
	cb_buf_init(&b, 64 * 1024);
	for (s = json_string_value(v); (q = strstr(s, "${env.")); s = end + 1) {
		end = strchr(q, '}');
		if (!end || end - q - 6 <= 0 || end - q - 6 >= (long)sizeof(name)) {
			rc = cb_json_fail(&p->doc, v, err,
					  "bad ${env.NAME} reference");
			goto out;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(end - q - 6), q + 6);
		if (!getenv(name)) {
			rc = cb_json_fail(&p->doc, v, err,
					  "environment variable %s is not set",
					  name);
			goto out;
		}
		cb_buf_add(&b, s, (size_t)(q - s), NULL);
		cb_buf_adds(&b, getenv(name), NULL);
	}
	cb_buf_adds(&b, s, NULL);
	/* The position index maps the value pointer, which stays the same. */
	json_string_set(v, cb_buf_str(&b));
out:
	cb_buf_release(&b);
	return rc;
}

static int profile_check_mech(const struct cb_json_doc *d, json_t *m,
			      struct cb_error *err)
{
	const char *surface = NULL, *const *k;
	int rc;

	rc = cb_json_check_keys(d, m, "authentication mechanism", mech_opt,
				mech_req, err);
	if (!rc)
		rc = cb_json_get_string(d, m, "surface", 1, &surface, err);
	if (rc)
		return rc;
	if (!in_list(surfaces, surface))
		return cb_json_fail_member(d, m, "surface", err,
					   "unknown surface '%s'", surface);
	for (k = mech_regex; *k; k++)
		if ((rc = profile_check_regex(d, m, *k, err)))
			return rc;
	if (!strcmp(surface, "console"))
		for (k = mech_regex; *k; k++)
			if (!json_object_get(m, *k))
				return cb_json_fail(d, m, err,
						    "a console mechanism needs "
						    "'%s'",
						    *k);
	return CB_OK;
}

static int profile_unique_mech(const struct cb_json_doc *d, json_t *mechs,
			       size_t k, struct cb_error *err)
{
	json_t *m = json_array_get(mechs, k);
	const char *id = json_string_value(json_object_get(m, "id"));
	size_t j;

	for (j = 0; j < k; j++)
		if (!strcmp(json_string_value(json_object_get(
				    json_array_get(mechs, j), "id")),
			    id))
			return cb_json_fail_member(d, m, "id", err,
						   "duplicate mechanism id "
						   "'%s'",
						   id);
	return CB_OK;
}

static int profile_check_ixit(struct profile *p, const struct catalog *cat,
			      struct cb_error *err)
{
	const struct cb_json_doc *d = &p->doc;
	const char *key;
	json_t *sec, *m;
	size_t k;
	int rc;

	json_object_foreach(p->ixit, key, sec) {
		if (!catalog_has_ixit(cat, key))
			return cb_json_fail_key(d, p->ixit, key, err,
						"unknown IXIT section '%s'",
						key);
	}
	sec = json_object_get(p->ixit, "1-AuthMech");
	if (sec) {
		if (!json_is_array(sec))
			return cb_json_fail(d, sec, err,
					    "1-AuthMech must be a list of "
					    "mechanisms");
		json_array_foreach(sec, k, m) {
			if ((rc = profile_check_mech(d, m, err)))
				return rc;
			if ((rc = profile_unique_mech(d, sec, k, err)))
				return rc;
		}
	}
	sec = json_object_get(p->ixit, "2-UserInfo");
	if (sec) {
		rc = cb_json_check_keys(d, sec, "2-UserInfo", userinfo_opt,
					NULL, err);
		if (rc)
			return rc;
		rc = profile_check_query(d, sec, "model_designation_query", err);
		if (rc)
			return rc;
		json_object_foreach(sec, key, m)
			if (strcmp(key, "model_designation_query") &&
			    !json_is_string(m))
				return cb_json_fail_member(d, sec, key, err,
							   "'%s' must be a "
							   "string",
							   key);
	}
	rc = profile_check_updates(d, p->ixit, err);
	if (!rc)
		rc = profile_check_surface(d, p->ixit, err);
	if (!rc)
		rc = profile_check_inputs(d, p->ixit, err);
	return rc;
}

static int profile_check_ics(struct profile *p, const struct catalog *cat,
			     struct cb_error *err)
{
	const struct cb_json_doc *d = &p->doc;
	json_t *conds = NULL, *provs = NULL, *v;
	const char *key, *support = NULL;
	int rc;

	rc = cb_json_check_keys(d, p->ics, "ics", ics_opt, NULL, err);
	if (!rc)
		rc = cb_json_get_object(d, p->ics, "conditions", 0, &conds, err);
	if (!rc)
		rc = cb_json_get_object(d, p->ics, "provisions", 0, &provs, err);
	if (rc)
		return rc;
	json_object_foreach(conds, key, v) {
		if (!catalog_has_condition(cat, key))
			return cb_json_fail_key(d, conds, key, err,
						"unknown ICS condition '%s'",
						key);
		if (!json_is_boolean(v))
			return cb_json_fail_member(d, conds, key, err,
						   "condition must be true or "
						   "false");
	}
	json_object_foreach(provs, key, v) {
		if (!catalog_provision(cat, key))
			return cb_json_fail_key(d, provs, key, err,
						"unknown provision '%s'", key);
		rc = cb_json_get_string(d, v, "support", 1, &support, err);
		if (rc)
			return rc;
		if (strcmp(support, "Y") && strcmp(support, "N") &&
		    strcmp(support, "N/A"))
			return cb_json_fail_member(d, v, "support", err,
						   "support must be Y, N or "
						   "N/A");
	}
	return CB_OK;
}

static int check_uri(const struct cb_json_doc *d, json_t *obj,
		     const char *key, const char **out, struct cb_error *err)
{
	struct cb_error local = {0};
	struct hw_uri u;
	int rc;

	rc = cb_json_get_string(d, obj, key, 0, out, err);
	if (rc || !*out)
		return rc;
	if (hw_uri_parse(&u, *out, &local))
		return cb_json_fail_member(d, obj, key, err, "%s", local.text);
	if (!hw_lookup_scheme(u.scheme))
		rc = cb_json_fail_member(d, obj, key, err,
					 "no adapter for '%s:' URIs", u.scheme);
	hw_uri_release(&u);
	return rc;
}

/*
 * A sample's power switch or reset line: a bench tool, or "console" for
 * the pins of its console adapter (an FTDI chip's CBUS or GPIO pins).
 */
static int profile_check_pins(const struct cb_json_doc *d, json_t *sample,
			      const char *key, struct cb_error *err)
{
	json_t *v = json_object_get(sample, key);

	if (!json_is_string(v) || strcmp(json_string_value(v), "console"))
		return profile_check_tool(d, sample, key, err);
	if (!json_object_get(sample, "console"))
		return cb_json_fail_member(d, sample, key, err,
					   "'%s' is \"console\" but the sample "
					   "has no console adapter",
					   key);
	return CB_OK;
}

/* Has IXIT 15-Intf an interface with this id? */
static int profile_has_interface(const struct profile *p, const char *id)
{
	json_t *i;
	size_t k;

	json_array_foreach(json_object_get(p->ixit, "15-Intf"), k, i)
		if (!strcmp(json_string_value(json_object_get(i, "id")) ?: "",
			    id))
			return 1;
	return 0;
}

/*
 * A sample's further accounts ({"user", "password", "role"}) and the
 * adapters of its physical interfaces, by IXIT 15-Intf id.
 */
static int profile_sample_surface(struct profile *p, json_t *obj,
				  struct cb_error *err)
{
	const struct cb_json_doc *d = &p->doc;
	json_t *accounts = NULL, *intfs = NULL, *a;
	const char *key, *uri;
	size_t k;
	int rc;

	rc = cb_json_get_array(d, obj, "accounts", 0, &accounts, err);
	json_array_foreach(accounts, k, a) {
		if (rc)
			break;
		if (!json_is_object(a))
			return cb_json_fail(d, a, err,
					    "an account must be an object");
		rc = cb_json_check_keys(d, a, "account", NULL, account_req,
					err);
		if (!rc)
			rc = profile_want_string(d, a, "user", 1, NULL, err);
		if (!rc)
			rc = profile_want_string(d, a, "password", 1, NULL, err);
		if (!rc)
			rc = profile_want_string(d, a, "role", 1, NULL, err);
	}
	if (!rc)
		rc = cb_json_get_object(d, obj, "interfaces", 0, &intfs, err);
	json_object_foreach(intfs, key, a) {
		if (rc)
			break;
		if (!profile_has_interface(p, key))
			return cb_json_fail_key(d, intfs, key, err,
						"'%s' is not an interface of "
						"IXIT 15-Intf",
						key);
		rc = check_uri(d, intfs, key, &uri, err);
	}
	return rc;
}

static int profile_sample(struct profile *p, json_t *obj, size_t idx,
			  struct cb_error *err)
{
	const struct cb_json_doc *d = &p->doc;
	struct profile_sample *s = &p->samples[idx];
	json_t *cred = NULL;
	size_t k;
	int rc;

	s->obj = obj;
	rc = cb_json_check_keys(d, obj, "sample", sample_opt, sample_req, err);
	if (!rc)
		rc = cb_json_get_string(d, obj, "id", 1, &s->id, err);
	if (!rc)
		rc = cb_json_get_string(d, obj, "serial", 1, &s->serial, err);
	if (!rc)
		rc = cb_json_get_string(d, obj, "mac", 0, &s->mac, err);
	if (!rc)
		rc = check_uri(d, obj, "console", &s->console, err);
	if (!rc)
		rc = check_uri(d, obj, "http", &s->http, err);
	if (!rc)
		rc = profile_check_pins(d, obj, "power", err);
	if (!rc)
		rc = profile_check_pins(d, obj, "reset", err);
	if (!rc)
		rc = profile_check_tool(d, obj, "flash", err);
	if (!rc)
		rc = cb_json_get_object(d, obj, "credentials", 0, &cred, err);
	if (!rc && cred)
		rc = cb_json_check_keys(d, cred, "credentials", NULL, cred_req,
					err);
	if (!rc && cred)
		rc = cb_json_get_string(d, cred, "user", 1, &s->user, err);
	if (!rc && cred)
		rc = cb_json_get_string(d, cred, "password", 1, &s->password,
					err);
	if (!rc)
		rc = profile_sample_surface(p, obj, err);
	if (rc)
		return rc;
	for (k = 0; k < idx; k++)
		if (!strcmp(p->samples[k].id, s->id))
			return cb_json_fail_member(d, obj, "id", err,
						   "duplicate sample id '%s'",
						   s->id);
	return CB_OK;
}

static int profile_check(struct profile *p, const struct catalog *cat,
			 struct cb_error *err)
{
	const struct cb_json_doc *d = &p->doc;
	json_t *root = d->root, *ver, *samples = NULL, *trust = NULL, *s;
	size_t k;
	int rc;

	rc = cb_json_check_keys(d, root, "profile", top_opt, top_req, err);
	if (rc)
		return rc;
	ver = json_object_get(root, "certbench_profile");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1)
		return cb_json_fail(d, ver, err,
				    "certbench_profile must be 1 (the format "
				    "version)");
	rc = cb_json_get_object(d, root, "product", 1, &p->product, err);
	if (!rc)
		rc = cb_json_check_keys(d, p->product, "product", product_opt,
					product_req, err);
	if (!rc)
		rc = cb_json_get_string(d, p->product, "id", 1, &p->product_id,
					err);
	if (!rc)
		rc = cb_json_get_object(d, root, "customer", 0, &p->customer,
					err);
	if (!rc && p->customer)
		rc = cb_json_check_keys(d, p->customer, "customer",
					customer_opt, NULL, err);
	if (!rc)
		rc = cb_json_get_object(d, root, "trust", 0, &trust, err);
	if (!rc && trust)
		rc = cb_json_check_keys(d, trust, "trust", trust_opt, NULL, err);
	if (!rc && trust)
		rc = cb_json_get_string(d, trust, "ca_file", 0, &p->ca_file,
					err);
	if (!rc)
		rc = cb_json_get_object(d, root, "ics", 1, &p->ics, err);
	if (!rc)
		rc = profile_check_ics(p, cat, err);
	if (!rc)
		rc = cb_json_get_object(d, root, "ixit", 1, &p->ixit, err);
	if (!rc)
		rc = profile_check_ixit(p, cat, err);
	if (!rc)
		rc = cb_json_get_array(d, root, "samples", 1, &samples, err);
	if (rc)
		return rc;
	p->samples = calloc(json_array_size(samples) + 1, sizeof(*p->samples));
	if (!p->samples)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	json_array_foreach(samples, k, s) {
		rc = profile_sample(p, s, k, err);
		if (rc)
			return rc;
		p->nsamples++;
	}
	return CB_OK;
}

int profile_load(struct profile *p, const char *path,
		 const struct catalog *cat, struct cb_error *err)
{
	int rc;

	memset(p, 0, sizeof(*p));
	rc = cb_json_load(&p->doc, path, err);
	if (rc)
		return rc;
	cb_sha256_hex(p->sha256, p->doc.text, p->doc.text_len);
	rc = profile_env(p, p->doc.root, err);
	if (!rc)
		rc = profile_check(p, cat, err);
	if (rc)
		profile_release(p);
	return rc;
}

void profile_release(struct profile *p)
{
	if (!p)
		return;
	free(p->samples);
	if (p->doc.text)
		explicit_bzero(p->doc.text, p->doc.text_len);
	cb_json_release(&p->doc);
	memset(p, 0, sizeof(*p));
}

int profile_condition(const struct profile *p, const char *name)
{
	json_t *v = json_object_get(json_object_get(p->ics, "conditions"),
				    name);

	if (!json_is_boolean(v))
		return -1;
	return json_is_true(v);
}
