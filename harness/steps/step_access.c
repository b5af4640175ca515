/*
 * step_access.c - access.check: does each documented protected endpoint
 * refuse everyone it should, and let in those it should?
 *
 * For each IXIT 13-SoftServ endpoint with an "auth" other than none (only
 * those marked "configuration" with configuration: true), in this order:
 * the sample's documented credentials (role "owner") must get a success
 * status, which is the positive control; then no credentials, the right
 * user with a wrong password, and each further account of the sample
 * whose role the endpoint's "roles" leave out must not.  An account whose
 * role is listed must get in as well.  check "mechanism" instead compares
 * the protection with the documentation: the refusal without credentials
 * asks for the documented scheme, and the IXIT 1-AuthMech entry the
 * service names exists, matches it, and runs over TLS when it says so.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "harness/auth.h"
#include "harness/evidence.h"
#include "harness/profile.h"
#include "harness/step.h"
#include "harness/steps/updkit.h"

static const struct step_param access_params[] = {
	{"endpoints", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" protected IXIT 13-SoftServ endpoints (default), an id or "
	 "ids"},
	{"configuration", SP_BOOL, 0, NULL, 0, 0,
	 "only endpoints that change security-relevant configuration "
	 "(default false)"},
	{"check", SP_STRING, 0, "access|mechanism", 0, 0,
	 "who gets in (access, default) or whether the protection is the "
	 "documented one (mechanism)"},
	{NULL},
};

/* One protected endpoint with the service it belongs to. */
struct access_ep {
	json_t *ep, *service;
	const char *id, *path, *method;
};

static int access_success(json_t *ep, long status)
{
	json_t *list = json_object_get(ep, "success_status"), *v;
	size_t k;

	if (!json_array_size(list))
		return status >= 200 && status < 300;
	json_array_foreach(list, k, v)
		if (json_integer_value(v) == status)
			return 1;
	return 0;
}

static int access_role_allowed(json_t *ep, const char *role)
{
	json_t *roles = json_object_get(ep, "roles"), *v;
	size_t k;

	if (!roles)
		return !strcmp(role, "owner");
	json_array_foreach(roles, k, v)
		if (!strcmp(json_string_value(v) ?: "", role))
			return 1;
	return 0;
}

/*
 * One request as user (NULL: none); the status, or -1 with sr->err set
 * when no answer came.  www gets the WWW-Authenticate scheme if asked.
 */
static long access_try(struct step_run *sr, const struct access_ep *a,
		       const char *user, const char *password, char *www,
		       size_t wwwlen, struct hw_http_resp *out)
{
	struct hw_http_resp resp;
	const char *h, *end;
	long status;

	hw_http_resp_init(&resp);
	if (upd_send_as(sr, a->ep, a->method, NULL, 0, 0, NULL, user,
			password, &resp)) {
		hw_http_resp_release(&resp);
		return -1;
	}
	status = resp.status;
	if (www && wwwlen) {
		www[0] = '\0';
		h = cb_buf_str(&resp.headers);
		for (; h && *h; h = end + (*end != '\0')) {
			end = strchr(h, '\n') ?: h + strlen(h);
			if (!strncasecmp(h, "WWW-Authenticate:", 17)) {
				h += 17;
				h += strspn(h, " \t");
				snprintf(www, wwwlen, "%.*s",
					 (int)strcspn(h, " \t\r\n,"), h);
				break;
			}
		}
	}
	if (out)
		*out = resp;
	else
		hw_http_resp_release(&resp);
	return status;
}

/* A password the device cannot have been given: random, per run. */
static void access_wrong_password(char *out, size_t len)
{
	unsigned char r[8];
	size_t k;

	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0x5a, sizeof(r));
	snprintf(out, len, "cb-wrong-");
	for (k = 0; k < sizeof(r) && strlen(out) + 3 <= len; k++)
		snprintf(out + strlen(out), len - strlen(out), "%02x", r[k]);
}

static enum cb_verdict access_one(struct step_run *sr,
				  const struct access_ep *a, json_t *rec)
{
	const struct profile_sample *ps = step_sample_profile(sr->sample);
	json_t *accounts = json_object_get(ps->obj, "accounts"), *acc;
	enum cb_verdict v = CB_V_PASS;
	char wrong[32], label[96];
	const char *role;
	long st;
	size_t k;

	st = access_try(sr, a, ps->user, ps->password, NULL, 0, NULL);
	if (st < 0)
		return step_failed(sr);
	json_object_set_new(rec, "owner", json_integer(st));
	if (!access_success(a->ep, st))
		return step_inconclusive(sr, "%s: %s %s with the documented "
					 "credentials answered HTTP %ld, not "
					 "a success; access cannot be judged",
					 a->id, a->method, a->path, st);
	st = access_try(sr, a, NULL, NULL, NULL, 0, NULL);
	if (st < 0)
		return step_failed(sr);
	json_object_set_new(rec, "none", json_integer(st));
	if (access_success(a->ep, st)) {
		step_say(sr, "%s: %s %s succeeded without credentials (HTTP "
			 "%ld)",
			 a->id, a->method, a->path, st);
		v = CB_V_FAIL;
	}
	access_wrong_password(wrong, sizeof(wrong));
	st = access_try(sr, a, ps->user, wrong, NULL, 0, NULL);
	if (st < 0)
		return step_failed(sr);
	json_object_set_new(rec, "wrong_password", json_integer(st));
	if (access_success(a->ep, st)) {
		step_say(sr, "%s: %s %s succeeded with a wrong password (HTTP "
			 "%ld)",
			 a->id, a->method, a->path, st);
		v = CB_V_FAIL;
	}
	json_array_foreach(accounts, k, acc) {
		role = json_string_value(json_object_get(acc, "role"));
		st = access_try(sr, a,
				json_string_value(json_object_get(acc, "user")),
				json_string_value(json_object_get(acc,
								  "password")),
				NULL, 0, NULL);
		if (st < 0)
			return step_failed(sr);
		snprintf(label, sizeof(label), "role %s", role);
		json_object_set_new(rec, label, json_integer(st));
		if (access_role_allowed(a->ep, role) &&
		    !access_success(a->ep, st)) {
			step_say(sr, "%s: %s %s refused role %s, which the "
				 "documentation allows (HTTP %ld)",
				 a->id, a->method, a->path, role, st);
			v = CB_V_FAIL;
		} else if (!access_role_allowed(a->ep, role) &&
			   access_success(a->ep, st)) {
			step_say(sr, "%s: %s %s let in role %s, which the "
				 "documentation leaves out (HTTP %ld)",
				 a->id, a->method, a->path, role, st);
			v = CB_V_FAIL;
		}
	}
	return v;
}

/* The IXIT 1-AuthMech entry with this id, or NULL. */
static const struct auth_mech *access_mech(struct step_run *sr,
					   const char *id)
{
	size_t n, k;
	const struct auth_mech *m = step_mechs(sr, &n);

	for (k = 0; id && k < n; k++)
		if (!strcmp(m[k].id, id))
			return &m[k];
	return NULL;
}

static enum cb_verdict access_mechanism(struct step_run *sr,
					const struct access_ep *a, json_t *rec)
{
	const char *auth = json_string_value(json_object_get(a->ep, "auth"));
	const char *mid = json_string_value(
		json_object_get(a->service, "authentication"));
	const char *want = strcmp(auth, "digest") ? "Basic" : "Digest";
	const char *surface = strcmp(auth, "digest") ? "http-basic"
						     : "http-digest";
	const struct auth_mech *m = access_mech(sr, mid);
	const char *crypto =
		m ? json_string_value(json_object_get(m->json, "crypto")) : NULL;
	struct hw_http_resp resp;
	enum cb_verdict v = CB_V_PASS;
	char www[32];
	long st;

	st = access_try(sr, a, NULL, NULL, www, sizeof(www), &resp);
	if (st < 0)
		return step_failed(sr);
	json_object_set_new(rec, "none", json_integer(st));
	json_object_set_new(rec, "challenge", json_string(www));
	json_object_set_new(rec, "tls", json_string(resp.tls_version));
	if (st != 401 || strcasecmp(www, want)) {
		step_say(sr, "%s: without credentials %s %s answered HTTP %ld "
			 "%s%s, not a %s challenge",
			 a->id, a->method, a->path, st,
			 www[0] ? "asking for " : "with no challenge", www,
			 want);
		v = CB_V_FAIL;
	}
	if (!mid || !strcmp(mid, "none")) {
		step_say(sr, "%s: its service names no IXIT 1-AuthMech "
			 "mechanism",
			 a->id);
		v = CB_V_FAIL;
	} else if (!m) {
		step_say(sr, "%s: its service names mechanism '%s', which IXIT "
			 "1-AuthMech does not document",
			 a->id, mid);
		v = CB_V_FAIL;
	} else if (strcmp(auth_surface_name(m->surface), surface)) {
		step_say(sr, "%s: IXIT 1-AuthMech '%s' is %s, but the endpoint "
			 "uses %s",
			 a->id, mid, auth_surface_name(m->surface), surface);
		v = CB_V_FAIL;
	} else if (crypto && strstr(crypto, "TLS") && !resp.tls_version[0]) {
		step_say(sr, "%s: IXIT 1-AuthMech '%s' claims %s, but the "
			 "credentials would travel without TLS",
			 a->id, mid, crypto);
		v = CB_V_FAIL;
	}
	hw_http_resp_release(&resp);
	return v;
}

static enum cb_verdict access_check(struct step_run *sr)
{
	const struct profile_sample *ps = step_sample_profile(sr->sample);
	int config_only = step_bool(sr, "configuration", 0);
	int mechanism = !strcmp(step_str(sr, "check", "access"), "mechanism");
	json_t *services = step_ixit(sr, "13-SoftServ"), *s, *ep, *rec;
	enum cb_verdict all = CB_V_NA, v;
	struct access_ep a;
	size_t k, j, n = 0;

	if (!services)
		return step_inconclusive(sr, "the profile has no IXIT "
					     "13-SoftServ");
	if (!ps || !ps->http)
		return step_inconclusive(sr, "sample %s has no API address",
					 step_sample_id(sr->sample));
	if (!mechanism && !ps->user)
		return step_inconclusive(sr, "sample %s has no documented "
					 "credentials to compare with",
					 step_sample_id(sr->sample));
	if (ps->password &&
	    ev_secret_add(step_evidence(sr), ps->password, &sr->err))
		return step_bench_failed(sr);
	sr->value = json_object();
	json_array_foreach(services, k, s) {
		if (strcmp(json_string_value(json_object_get(s, "status")) ?: "",
			   "enabled"))
			continue;
		json_array_foreach(json_object_get(s, "endpoints"), j, ep) {
			a = (struct access_ep){
				.ep = ep,
				.service = s,
				.id = json_string_value(
					json_object_get(ep, "id")),
				.path = json_string_value(
					json_object_get(ep, "path")),
				.method = json_string_value(
						  json_object_get(ep, "method"))
						  ?: "GET",
			};
			if (!strcmp(json_string_value(json_object_get(
					    ep, "auth")) ?: "none",
				    "none") ||
			    !step_selects(sr, "endpoints", a.id) ||
			    (config_only &&
			     !json_is_true(json_object_get(ep,
							   "configuration"))))
				continue;
			rec = json_object();
			json_object_set_new(sr->value, a.id, rec);
			v = mechanism ? access_mechanism(sr, &a, rec)
				      : access_one(sr, &a, rec);
			n++;
			if (v == CB_V_ERROR)
				return v;
			all = cb_verdict_combine(all, v);
		}
	}
	if (!n) {
		step_say(sr, "IXIT 13-SoftServ documents no protected "
			     "%sendpoint of an enabled service",
			 config_only ? "configuration " : "");
		return CB_V_NA;
	}
	if (all == CB_V_PASS)
		step_say(sr, mechanism
				     ? "each of the %zu protected endpoints "
				       "asks for its documented "
				       "authentication"
				     : "each of the %zu protected endpoints "
				       "refused no credentials, a wrong "
				       "password and every role it leaves "
				       "out, and let in the documented ones",
			 n);
	return all;
}

const struct step_def step_access_check = {
	.name = "access.check",
	.summary = "protected endpoints refuse no credentials, wrong "
		   "passwords and lower roles, and let the documented ones "
		   "in",
	.params = access_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = access_check,
};
