/*
 * profile_surf.c - the profile parts that describe the attack surface:
 * IXIT 13-SoftServ (the software services, their ports and the HTTP
 * endpoints behind them) and 15-Intf (the interfaces, which of them are
 * debug interfaces, and what each discloses before authentication).
 *
 * The scan, access, leak and debug-console cases compare the device with
 * these claims, so a misspelt key or status would silently change what
 * counts as documented: everything is checked when the profile loads.
 */
#include <string.h>

#include "harness/cb_error.h"
#include "harness/profile.h"

static const char *const serv_req[] = {"id", "status", NULL};
static const char *const serv_opt[] = {
	"id", "status", "description", "justification", "transport", "port",
	"authentication", "allows_configuration", "banner", "endpoints", NULL};
static const char *const serv_status[] = {"enabled", "disabled", NULL};
static const char *const transports[] = {"tcp", "udp", NULL};
static const char *const ep_req[] = {"id", "path", "auth", NULL};
static const char *const ep_opt[] = {
	"id", "method", "path", "auth", "roles", "configuration", "body",
	"content_type", "success_status", NULL};
static const char *const methods[] = {"GET", "HEAD", "POST", "PUT",
				      "PATCH", "DELETE", NULL};
static const char *const ep_auths[] = {"none", "basic", "digest", NULL};
static const char *const intf_req[] = {"id", "type", "status", NULL};
static const char *const intf_opt[] = {
	"id", "type", "status", "need", "description", "protection", "debug",
	"debug_access", "disclosed", NULL};
static const char *const intf_types[] = {"network", "logical", "physical",
					 "air", NULL};
static const char *const intf_status[] = {"enabled", "disabled",
					  "intermittent", NULL};
static const char *const needs[] = {"required", "intermittent",
				    "not_required", NULL};
static const char *const debug_access[] = {"disabled", "authenticated",
					   NULL};

const char *const profile_disclosure_kinds[] = {
	"model", "manufacturer", "firmware_version", "hardware_version",
	"software_version", "serial", "mac", "internal_address", "hostname",
	"key_material", "credentials", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

static int want_bool(const struct cb_json_doc *d, json_t *obj, const char *key,
		     struct cb_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (v && !json_is_boolean(v))
		return cb_json_fail_member(d, obj, key, err,
					   "'%s' must be true or false", key);
	return CB_OK;
}

/* obj[key], if present, is a list of strings, each one of choices. */
static int want_strings(const struct cb_json_doc *d, json_t *obj,
			const char *key, const char *const *choices,
			struct cb_error *err)
{
	json_t *a = NULL, *v;
	size_t k;
	int rc = cb_json_get_array(d, obj, key, 0, &a, err);

	if (rc || !a)
		return rc;
	json_array_foreach(a, k, v)
	{
		if (!json_is_string(v))
			return cb_json_fail(d, v, err, "'%s' must list strings",
					    key);
		if (choices && !in_list(choices, json_string_value(v)))
			return cb_json_fail(d, v, err,
					    "'%s' is not one of the allowed "
					    "values for '%s'",
					    json_string_value(v), key);
	}
	return CB_OK;
}

/* Entry k of list sec has an id no earlier entry has. */
static int unique_id(const struct cb_json_doc *d, json_t *sec, size_t k,
		     const char *what, struct cb_error *err)
{
	json_t *m = json_array_get(sec, k);
	const char *id = json_string_value(json_object_get(m, "id"));
	size_t j;

	for (j = 0; j < k; j++)
		if (!strcmp(json_string_value(
				json_object_get(json_array_get(sec, j), "id"))
				?: "",
			    id))
			return cb_json_fail_member(
			    d, m, "id", err, "duplicate %s id '%s'", what, id);
	return CB_OK;
}

static int check_endpoint(const struct cb_json_doc *d, json_t *ep,
			  struct cb_error *err)
{
	json_t *st = NULL, *v;
	size_t k;
	int rc;

	if (!json_is_object(ep))
		return cb_json_fail(d, ep, err,
				    "an endpoint must be an object");
	rc = cb_json_check_keys(d, ep, "endpoint", ep_opt, ep_req, err);
	if (!rc)
		rc = profile_want_string(d, ep, "id", 1, NULL, err);
	if (!rc)
		rc = profile_want_string(d, ep, "method", 0, methods, err);
	if (!rc)
		rc = profile_want_string(d, ep, "path", 1, NULL, err);
	if (!rc && json_string_value(json_object_get(ep, "path"))[0] != '/')
		rc = cb_json_fail_member(d, ep, "path", err,
					 "'path' must start with /");
	if (!rc)
		rc = profile_want_string(d, ep, "auth", 1, ep_auths, err);
	if (!rc)
		rc = want_strings(d, ep, "roles", NULL, err);
	if (!rc)
		rc = want_bool(d, ep, "configuration", err);
	if (!rc)
		rc = profile_want_string(d, ep, "body", 0, NULL, err);
	if (!rc)
		rc = profile_want_string(d, ep, "content_type", 0, NULL, err);
	if (!rc)
		rc = cb_json_get_array(d, ep, "success_status", 0, &st, err);
	if (rc)
		return rc;
	json_array_foreach(
	    st, k,
	    v) if (!json_is_integer(v) || json_integer_value(v) < 100 ||
		   json_integer_value(v) >
		       599) return cb_json_fail(d, v, err,
						"an HTTP status is an integer "
						"from 100 to 599");
	return CB_OK;
}

/* Endpoint ids are unique across all services: rationales name them. */
static int unique_endpoints(const struct cb_json_doc *d, json_t *sec,
			    struct cb_error *err)
{
	json_t *seen = json_object(), *s, *eps, *ep;
	const char *id;
	size_t k, j;
	int rc = CB_OK;

	if (!seen)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	json_array_foreach(sec, k, s)
	{
		eps = json_object_get(s, "endpoints");
		json_array_foreach(eps, j, ep)
		{
			id = json_string_value(json_object_get(ep, "id"));
			if (json_object_get(seen, id)) {
				rc = cb_json_fail_member(d, ep, "id", err,
							 "duplicate endpoint "
							 "id '%s'",
							 id);
				goto out;
			}
			json_object_set_new(seen, id, json_true());
		}
	}
out:
	json_decref(seen);
	return rc;
}

static int check_service(const struct cb_json_doc *d, json_t *s,
			 struct cb_error *err)
{
	json_t *port, *eps = NULL, *ep;
	size_t k;
	int rc;

	if (!json_is_object(s))
		return cb_json_fail(d, s, err, "a service must be an object");
	rc = cb_json_check_keys(d, s, "service", serv_opt, serv_req, err);
	if (!rc)
		rc = profile_want_string(d, s, "id", 1, NULL, err);
	if (!rc)
		rc = profile_want_string(d, s, "status", 1, serv_status, err);
	if (!rc)
		rc = profile_want_string(d, s, "description", 0, NULL, err);
	if (!rc)
		rc = profile_want_string(d, s, "justification", 0, NULL, err);
	if (!rc)
		rc = profile_want_string(d, s, "transport", 0, transports, err);
	if (!rc)
		rc = profile_want_string(d, s, "authentication", 0, NULL, err);
	if (!rc)
		rc = want_bool(d, s, "allows_configuration", err);
	if (!rc)
		rc = profile_check_regex(d, s, "banner", err);
	if (rc)
		return rc;
	port = json_object_get(s, "port");
	if (json_is_string(port) && strcmp(json_string_value(port), "http"))
		return cb_json_fail_member(d, s, "port", err,
					   "'port' must be a number from 1 to "
					   "65535 or \"http\"");
	if (port && !json_is_string(port) &&
	    (rc = profile_want_int(d, s, "port", 0, 1, 65535, err)))
		return rc;
	rc = cb_json_get_array(d, s, "endpoints", 0, &eps, err);
	if (rc)
		return rc;
	json_array_foreach(eps, k, ep)
	{
		if ((rc = check_endpoint(d, ep, err)))
			return rc;
	}
	return CB_OK;
}

static int check_interface(const struct cb_json_doc *d, json_t *i,
			   struct cb_error *err)
{
	int rc;

	if (!json_is_object(i))
		return cb_json_fail(d, i, err,
				    "an interface must be an object");
	rc = cb_json_check_keys(d, i, "interface", intf_opt, intf_req, err);
	if (!rc)
		rc = profile_want_string(d, i, "id", 1, NULL, err);
	if (!rc)
		rc = profile_want_string(d, i, "type", 1, intf_types, err);
	if (!rc)
		rc = profile_want_string(d, i, "status", 1, intf_status, err);
	if (!rc)
		rc = profile_want_string(d, i, "need", 0, needs, err);
	if (!rc)
		rc = profile_want_string(d, i, "description", 0, NULL, err);
	if (!rc)
		rc = profile_want_string(d, i, "protection", 0, NULL, err);
	if (!rc)
		rc = want_bool(d, i, "debug", err);
	if (!rc)
		rc = profile_want_string(d, i, "debug_access", 0, debug_access,
					 err);
	if (!rc && json_object_get(i, "debug_access") &&
	    !json_is_true(json_object_get(i, "debug")))
		rc = cb_json_fail_member(d, i, "debug_access", err,
					 "'debug_access' needs \"debug\": "
					 "true");
	if (!rc)
		rc = want_strings(d, i, "disclosed", profile_disclosure_kinds,
				  err);
	return rc;
}

/* A list section whose entries check() checks and whose ids are unique. */
static int check_list(const struct cb_json_doc *d, json_t *ixit,
		      const char *name, const char *what,
		      int (*check)(const struct cb_json_doc *, json_t *,
				   struct cb_error *),
		      struct cb_error *err)
{
	json_t *sec = json_object_get(ixit, name), *m;
	size_t k;
	int rc;

	if (!sec)
		return CB_OK;
	if (!json_is_array(sec))
		return cb_json_fail(d, sec, err, "%s must be a list of %ss",
				    name, what);
	json_array_foreach(sec, k, m)
	{
		if ((rc = check(d, m, err)) ||
		    (rc = unique_id(d, sec, k, what, err)))
			return rc;
	}
	return CB_OK;
}

int profile_check_surface(const struct cb_json_doc *d, json_t *ixit,
			  struct cb_error *err)
{
	int rc =
	    check_list(d, ixit, "13-SoftServ", "service", check_service, err);

	if (!rc)
		rc = unique_endpoints(d, json_object_get(ixit, "13-SoftServ"),
				      err);
	if (!rc)
		rc = check_list(d, ixit, "15-Intf", "interface",
				check_interface, err);
	return rc;
}
