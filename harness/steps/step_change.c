/*
 * step_change.c - auth.change: change a password the documented way
 * (IXIT 1-AuthMech "change": a console command or an HTTP request), show
 * the old one is refused and the new one accepted, then put the original
 * back.  A sample that cannot be restored is a bench ERROR that says so.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/auth.h"
#include "harness/cb_hash.h"
#include "harness/evidence.h"
#include "harness/step.h"
#include "harness/steps/mechs.h"

static const struct step_param change_params[] = {
	{"user", SP_STRING, SPF_REQUIRED, NULL, 0, 0, "whose password"},
	{"password", SP_STRING, SPF_REQUIRED, NULL, 0, 0, "the current one"},
	{"mechanisms", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "default: every mechanism that documents a change"},
	{NULL},
};

static const char *chg_str(const json_t *chg, const char *key,
			   const char *def)
{
	const char *s = json_string_value(json_object_get(chg, key));

	return s ? s : def;
}

/* Wait for one pattern on the console (compiled here, from the IXIT). */
static int chg_expect(struct console *con, const struct auth_mech *m,
		      const char *pattern, const char *alt, int *which,
		      struct cb_error *err)
{
	regex_t re[2];
	const regex_t *res[2] = {&re[0], &re[1]};
	int rc, n = alt ? 2 : 1;

	if (regcomp(&re[0], pattern, REG_EXTENDED | REG_NEWLINE))
		return cb_error_set(err, CB_EINVAL, "bad pattern /%s/",
				    pattern);
	if (alt && regcomp(&re[1], alt, REG_EXTENDED | REG_NEWLINE)) {
		regfree(&re[0]);
		return cb_error_set(err, CB_EINVAL, "bad pattern /%s/", alt);
	}
	rc = console_expect(con, res, (size_t)n, m->con.timeout_ms, which,
			    NULL, err);
	regfree(&re[0]);
	if (alt)
		regfree(&re[1]);
	return rc;
}

/* The console dialogue; *ok says whether the device reported success. */
static int chg_console(struct step_run *sr, struct auth_conn *c,
		       const json_t *chg, const char *user, const char *old,
		       const char *new, int *ok)
{
	const struct auth_mech *m = c->m;
	enum console_outcome o;
	int rc, nopw, which = 0;

	*ok = 0;
	rc = console_login(c->con, &m->con, user, old, &o, &nopw, &sr->err);
	if (rc)
		return rc;
	if (o != CONSOLE_ACCEPTED)
		return cb_error_set(&sr->err, CB_EPROTO,
				    "cannot log in on %s with the current "
				    "password",
				    m->id);
	rc = console_sendline(c->con, &m->con, chg_str(chg, "command", "passwd"),
			      &sr->err);
	if (!rc)
		rc = chg_expect(c->con, m, chg_str(chg, "current_prompt",
						   "[Cc]urrent.*: ?$"),
				NULL, &which, &sr->err);
	if (!rc)
		rc = console_sendline(c->con, &m->con, old, &sr->err);
	if (!rc)
		rc = chg_expect(c->con, m, chg_str(chg, "new_prompt",
						   "[Nn]ew.*: ?$"),
				NULL, &which, &sr->err);
	if (!rc)
		rc = console_sendline(c->con, &m->con, new, &sr->err);
	if (!rc && json_object_get(chg, "repeat_prompt")) {
		rc = chg_expect(c->con, m, chg_str(chg, "repeat_prompt", ""),
				NULL, &which, &sr->err);
		if (!rc)
			rc = console_sendline(c->con, &m->con, new, &sr->err);
	}
	if (!rc)
		rc = chg_expect(c->con, m, chg_str(chg, "success", "updated"),
				chg_str(chg, "failure", "error|fail"), &which,
				&sr->err);
	if (!rc)
		*ok = which == 0;
	if (!rc)
		rc = console_logout(c->con, &m->con, &sr->err);
	return rc;
}

static int chg_http(struct step_run *sr, struct auth_conn *c,
		    const json_t *chg, const char *user, const char *old,
		    const char *new, int *ok)
{
	const char *names[] = {"user", "old", "new", NULL},
		   *vals[] = {user, old, new, NULL};
	const char *hdrs[] = {"Content-Type: application/json", NULL};
	struct auth_mech tmp = *c->m;
	struct hw_http_req req = {.verify_tls = 1, .timeout_ms = 15000,
				  .max_body = 64 * 1024, .headers = hdrs};
	struct hw_http_resp resp;
	json_t *acc = json_object_get(chg, "accept_status"), *v;
	char *url, *body;
	size_t k;
	int rc;

	tmp.path = chg_str(chg, "path", "/api/password");
	url = auth_http_url(&tmp, c->t);
	body = auth_fill(chg_str(chg, "body",
				 "{\"username\":\"${user}\",\"old_password\":"
				 "\"${old}\",\"new_password\":\"${new}\"}"),
			 names, vals, 1);
	req.method = chg_str(chg, "method", "POST");
	req.url = url;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.ca_file = c->t->ca_file;
	hw_http_resp_init(&resp);
	rc = url ? hw_request(c->hw, &req, &resp, &sr->err)
		 : cb_error_set(&sr->err, CB_EINVAL, "no http base URL");
	*ok = 0;
	if (!rc && !acc)
		*ok = resp.status == 200;
	json_array_foreach(acc, k, v)
		if (!rc && json_integer_value(v) == resp.status)
			*ok = 1;
	hw_http_resp_release(&resp);
	free(body);
	free(url);
	return rc;
}

/* Change old -> new through the mechanism's documented route. */
static int chg_do(struct step_run *sr, const struct auth_mech *m,
		  const char *user, const char *old, const char *new, int *ok)
{
	const json_t *chg = json_object_get(m->json, "change");
	const char *via = chg_str(chg, "via", "console");
	struct auth_mech as = *m;
	struct auth_target t;
	struct auth_conn c;
	void *ctx;
	hw_tap_fn *tap = step_tap(sr, &ctx);
	int rc;

	/* An HTTP change is sent through an HTTP connection even when the
	 * documented login it belongs to is a console. */
	if (!strcmp(via, "http") && m->surface != AUTH_HTTP_FORM &&
	    m->surface != AUTH_HTTP_BASIC && m->surface != AUTH_HTTP_DIGEST)
		as.surface = AUTH_HTTP_FORM;
	if (step_target(sr, sr->sample, as.surface == AUTH_CONSOLE, &t))
		return sr->err.code;
	rc = auth_conn_open(&c, &as, &t, tap, ctx, &sr->err);
	if (!rc)
		rc = !strcmp(via, "http")
			     ? chg_http(sr, &c, chg, user, old, new, ok)
			     : chg_console(sr, &c, chg, user, old, new, ok);
	auth_conn_close(&c);
	return rc;
}

/* Does the mechanism accept user/password now?  -1 on a bench error. */
static int chg_works(struct step_run *sr, const struct auth_mech *m,
		     const char *user, const char *pass)
{
	struct auth_try tr;

	if (mech_attempt_once(sr, m, user, pass, &tr))
		return -1;
	return tr.result == AUTH_ACCEPTED;
}

static enum cb_verdict chg_one(struct step_run *sr, const struct auth_mech *m,
			       const char *user, const char *old,
			       const char *new)
{
	int ok = 0, old_ok, new_ok, back = 0;
	enum cb_verdict v = CB_V_PASS;

	if (chg_do(sr, m, user, old, new, &ok))
		return step_failed(sr);
	old_ok = chg_works(sr, m, user, old);
	new_ok = old_ok < 0 ? -1 : chg_works(sr, m, user, new);
	if (old_ok < 0 || new_ok < 0)
		return step_failed(sr);
	step_say(sr, "%s: the documented change %s; afterwards the old "
		     "password is %s and the new one is %s",
		 m->id, ok ? "reported success" : "reported failure",
		 old_ok ? "still accepted" : "refused",
		 new_ok ? "accepted" : "refused");
	if (!ok || old_ok || !new_ok)
		v = CB_V_FAIL;
	/* Put the sample back as it was. */
	if (new_ok && (chg_do(sr, m, user, new, old, &back) || !back))
		return step_error(sr, CB_EPROTO,
				  "%s: could not restore the original "
				  "password: the sample keeps the temporary "
				  "one and must be reset",
				  m->id);
	if (chg_works(sr, m, user, old) != 1)
		return step_error(sr, CB_EPROTO,
				  "%s: the original password does not work "
				  "after restoring it",
				  m->id);
	return v;
}

static enum cb_verdict auth_change(struct step_run *sr)
{
	const struct auth_mech *sel[MECHS_MAX];
	const char *user = step_str(sr, "user", ""),
		   *old = step_str(sr, "password", "");
	unsigned char rnd[9];
	char new[32], hex[19];
	enum cb_verdict v = CB_V_NONE;
	size_t n, k, done = 0;

	if (cb_random(rnd, sizeof(rnd), &sr->err))
		return step_bench_failed(sr);
	cb_hex(hex, rnd, sizeof(rnd));
	snprintf(new, sizeof(new), "Cb-%.6s-%.6s-X%.2s", hex, hex + 6,
		 hex + 12);
	if (ev_secret_add(step_evidence(sr), old, &sr->err) ||
	    ev_secret_add(step_evidence(sr), new, &sr->err))
		return step_bench_failed(sr);
	n = mechs_select(sr, MECHS_PASSWORD, sel);
	for (k = 0; k < n; k++) {
		if (!json_object_get(sel[k]->json, "change") &&
		    !step_arg(sr, "mechanisms"))
			continue;
		done++;
		v = cb_verdict_combine(v, chg_one(sr, sel[k], user, old, new));
		if (v == CB_V_ERROR)
			break;
	}
	if (!done)
		return step_inconclusive(sr, "IXIT 1-AuthMech documents no way "
					     "to change a password");
	return v;
}

const struct step_def step_auth_change = {
	.name = "auth.change",
	.summary = "change a password as documented, check old refused and "
		   "new accepted, restore the original",
	.params = change_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = auth_change,
};
