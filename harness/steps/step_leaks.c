/*
 * step_leaks.c - surface.leaks: what does each interface of a sample give
 * away before anyone logs in, compared with what IXIT 15-Intf says it
 * discloses (TS 103 701 5.6-2-2)?
 *
 * Network: every public GET/HEAD endpoint of IXIT 13-SoftServ, "/" and a
 * path that cannot exist (for the error page) are asked on the sample's
 * API without credentials; the status line, each header and the body
 * are scanned.  Every open TCP port's banner is read and scanned too.
 * All of it belongs to the 15-Intf entries of type "network" (the union
 * of their "disclosed"; none documented means nothing may be disclosed).
 * Console: what the sample's console prints before its login prompt
 * (the answer to Enter, or, when that is a bare prompt, the banner shown
 * after a log-in with the sample's documented credential and a log-out),
 * judged against the physical interfaces that are not debug interfaces
 * (or, if there are none, against the network list).
 *
 * The detectors are disclose.h's: the generic table in testcases/data
 * plus the product's and sample's own literals.  A finding of a kind the
 * interface does not document fails; documented ones are recorded.
 * Secrets found are shown masked.  Link-layer addresses never reach the
 * scan, so they cannot fail it.  A bench that cannot ask (no answer at
 * all, no prompt) is an ERROR, never a PASS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/auth.h"
#include "harness/cb_text.h"
#include "harness/console.h"
#include "harness/disclose.h"
#include "harness/evidence.h"
#include "harness/netscan.h"
#include "harness/profile.h"
#include "harness/step.h"
#include "hw-adapters/hw.h"

#define LEAK_BODY_MAX  (256 * 1024)	/* default response ceiling */
#define LEAK_FINDINGS  64		/* findings kept per source */
#define LEAK_SAY_MAX   24		/* undocumented ones named */
#define LEAK_NO_PAGE   "/certbench-no-such-page-5d1e"
#define LEAK_NAME_MAX  64
#define LEAK_REQ_MAX   256		/* "GET /path", cut */
#define LEAK_SRC_MAX   (LEAK_REQ_MAX + 64)

static const struct step_param leak_params[] = {
	{"product", SP_OBJECT, 0, NULL, 0, 0,
	 "the profile's product (\"${product}\"): its model, manufacturer "
	 "and versions are looked for"},
	{"ports", SP_STRING, 0, NULL, 0, 0,
	 "TCP ports whose banners are read (default 1-65535)"},
	{"paths", SP_ARRAY, 0, NULL, 0, 0,
	 "more paths to GET on the API without credentials"},
	{"detectors", SP_STRING, 0, NULL, 0, 0,
	 "data set of detectors (default \"disclosure\")"},
	{"console", SP_BOOL, 0, NULL, 0, 0,
	 "read the console before its login prompt (default true)"},
	{"relogin", SP_BOOL, 0, NULL, 0, 0,
	 "when Enter shows a bare login prompt, log in with the sample's "
	 "credential and out again to see the banner (default true)"},
	{"timeout_ms", SP_INT, 0, NULL, 100, 600000,
	 "per HTTP request (default 10000)"},
	{"max_bytes", SP_INT, 0, NULL, 1024, 16 << 20,
	 "response body ceiling (default 256 KiB)"},
	{"parallel", SP_INT, 0, NULL, 1, 4096,
	 "connects in flight (default 512)"},
	{"connect_timeout_ms", SP_INT, 0, NULL, 10, 60000, "default 1000"},
	{"banner_ms", SP_INT, 0, NULL, 10, 60000, "default 400"},
	{NULL},
};

/* One side of the judgement: an interface and what it may disclose. */
struct leak_intf {
	char name[LEAK_NAME_MAX];	/* "lan", "uart", "lan/wlan" */
	unsigned allowed;		/* bit 1 << enum disclose_kind */
};

struct leak_ctx {
	struct step_run *sr;
	struct disclose det;
	struct leak_intf net, con;
	json_t *bad;		/* undocumented findings, one per
				 * interface, kind and excerpt */
	json_t *console;	/* how the console banner was read */
	unsigned seen;		/* documented kinds observed */
	size_t responses, banners, nbad;
	int console_read;
};

/* ---- what IXIT 15-Intf allows ---- */

static void intf_name_add(struct leak_intf *i, const char *id)
{
	size_t n = strlen(i->name);

	snprintf(i->name + n, sizeof(i->name) - n, "%s%s", n ? "/" : "",
		 id ? id : "?");
}

/* Add an entry's "disclosed" kinds; -1 (sr->err set) on an unknown one. */
static int intf_kinds(struct step_run *sr, json_t *entry, unsigned *set)
{
	json_t *v;
	size_t k;
	int kind;

	json_array_foreach(json_object_get(entry, "disclosed"), k, v) {
		kind = disclose_kind_parse(json_string_value(v));
		if (kind < 0) {
			cb_error_set(&sr->err, CB_EINVAL,
				     "IXIT 15-Intf '%s' lists '%s', which is "
				     "not a kind of disclosed information",
				     json_string_value(json_object_get(entry,
								       "id"))
					     ?: "?",
				     json_string_value(v) ?: "(not a string)");
			return -1;
		}
		*set |= 1u << kind;
	}
	return 0;
}

static int leak_allowed(struct leak_ctx *c)
{
	json_t *intf = step_ixit(c->sr, "15-Intf"), *e;
	const char *type, *id;
	int have_net = 0, have_con = 0;
	size_t k;

	json_array_foreach(intf, k, e) {
		type = json_string_value(json_object_get(e, "type")) ?: "";
		id = json_string_value(json_object_get(e, "id"));
		if (!strcmp(type, "network")) {
			if (intf_kinds(c->sr, e, &c->net.allowed))
				return -1;
			intf_name_add(&c->net, id);
			have_net = 1;
		} else if (!strcmp(type, "physical") &&
			   !json_is_true(json_object_get(e, "debug"))) {
			if (intf_kinds(c->sr, e, &c->con.allowed))
				return -1;
			intf_name_add(&c->con, id);
			have_con = 1;
		}
	}
	if (!have_net)
		snprintf(c->net.name, sizeof(c->net.name), "network");
	if (!have_con) {
		c->con.allowed = c->net.allowed;
		snprintf(c->con.name, sizeof(c->con.name), "console");
	}
	return 0;
}

static json_t *kinds_json(unsigned set)
{
	json_t *a = json_array();
	int k;

	for (k = 0; k < DK_NKINDS; k++)
		if (set & (1u << k))
			json_array_append_new(
				a, json_string(disclose_kind_name(
					   (enum disclose_kind)k)));
	return a;
}

/* ---- judging one text ---- */

/* An undocumented finding: named once, counted after that. */
static void leak_bad(struct leak_ctx *c, const struct leak_intf *i,
		     const char *source, const struct disclose_finding *f)
{
	const char *kind = disclose_kind_name(f->kind);
	json_t *b;
	size_t k;

	c->nbad++;
	json_array_foreach(c->bad, k, b) {
		if (strcmp(json_string_value(json_object_get(b, "interface")),
			   i->name) ||
		    strcmp(json_string_value(json_object_get(b, "kind")),
			   kind) ||
		    strcmp(json_string_value(json_object_get(b, "excerpt")),
			   f->excerpt))
			continue;
		json_object_set_new(
			b, "count",
			json_integer(json_integer_value(
					     json_object_get(b, "count")) +
				     1));
		return;
	}
	json_array_append_new(c->bad,
			      json_pack("{s:s,s:s,s:s,s:s,s:s,s:i}",
					"interface", i->name, "source", source,
					"kind", kind, "excerpt", f->excerpt,
					"detector", f->detector, "count", 1));
}

/* Scan one text from source on interface i; evidence for what it finds. */
static int leak_scan(struct leak_ctx *c, const struct leak_intf *i,
		     const char *source, const void *text, size_t len)
{
	struct disclose_finding f[LEAK_FINDINGS];
	json_t *list, *rec;
	size_t total, n, k;
	int ok, rc;

	rc = disclose_scan(&c->det, text, len, f, LEAK_FINDINGS, &total,
			   &c->sr->err);
	if (rc || !total)
		return rc;
	n = total < LEAK_FINDINGS ? total : LEAK_FINDINGS;
	list = json_array();
	for (k = 0; k < n; k++) {
		ok = !!(i->allowed & (1u << f[k].kind));
		json_array_append_new(
			list, json_pack("{s:s,s:s,s:s,s:I,s:b}", "kind",
					disclose_kind_name(f[k].kind),
					"detector", f[k].detector, "excerpt",
					f[k].excerpt, "offset",
					(json_int_t)f[k].offset, "documented",
					ok));
		if (ok)
			c->seen |= 1u << f[k].kind;
		else
			leak_bad(c, i, source, &f[k]);
	}
	rec = json_pack("{s:s,s:s,s:s,s:o,s:I}", "type", "disclosure",
			"interface", i->name, "source", source, "findings",
			list, "total", (json_int_t)total);
	return ev_append(step_evidence(c->sr), rec, NULL, &c->sr->err);
}

/* ---- network: the API ---- */

static void path_add(json_t *list, const char *method, const char *path)
{
	json_t *e;
	size_t k;

	if (!path || path[0] != '/')
		return;
	json_array_foreach(list, k, e)
		if (!strcmp(json_string_value(json_object_get(e, "method")),
			    method) &&
		    !strcmp(json_string_value(json_object_get(e, "path")),
			    path))
			return;
	json_array_append_new(list, json_pack("{s:s,s:s}", "method", method,
					      "path", path));
}

/* "/", the public GET/HEAD endpoints, the extra paths, a missing page. */
static json_t *leak_requests(struct step_run *sr)
{
	json_t *list = json_array(), *s, *ep, *v;
	const char *status, *method;
	size_t k, j;

	path_add(list, "GET", "/");
	json_array_foreach(step_ixit(sr, "13-SoftServ"), k, s) {
		status = json_string_value(json_object_get(s, "status"));
		if (status && !strcmp(status, "disabled"))
			continue;
		json_array_foreach(json_object_get(s, "endpoints"), j, ep) {
			method = json_string_value(
				json_object_get(ep, "method")) ?: "GET";
			if (strcmp(json_string_value(
					   json_object_get(ep, "auth")) ?: "",
				   "none") ||
			    (strcmp(method, "GET") && strcmp(method, "HEAD")))
				continue;
			path_add(list, method,
				 json_string_value(
					 json_object_get(ep, "path")));
		}
	}
	json_array_foreach(step_arg(sr, "paths"), k, v)
		path_add(list, "GET", json_string_value(v));
	path_add(list, "GET", LEAK_NO_PAGE);
	return list;
}

/* The status line and each header line on its own, named. */
static int leak_headers(struct leak_ctx *c, const char *req,
			const struct cb_buf *h)
{
	const char *line = cb_buf_str(h), *end, *colon;
	char source[LEAK_SRC_MAX], name[48];
	size_t n;
	int rc = CB_OK, first = 1;

	for (; !rc && *line; line = *end ? end + 1 : end, first = 0) {
		end = line + strcspn(line, "\n");
		n = (size_t)(end - line);
		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		if (first) {
			snprintf(source, sizeof(source),
				 "HTTP status line of %s", req);
		} else {
			colon = memchr(line, ':', n);
			cb_excerpt(name, sizeof(name), line,
				   colon ? (size_t)(colon - line) : n, 40);
			snprintf(source, sizeof(source), "HTTP header %s of %s",
				 name, req);
		}
		rc = leak_scan(c, &c->net, source, line, n);
	}
	return rc;
}

/* One request without credentials; ERROR when nothing answers. */
static int leak_ask(struct leak_ctx *c, const char *method, const char *path)
{
	struct step_run *sr = c->sr;
	struct hw_http_req req = {
		.method = method,
		.url = path,
		.verify_tls = 1,
		.ca_file = step_ca_file(sr),
		.timeout_ms = (int)step_int(sr, "timeout_ms", 10000),
		.max_body = (size_t)step_int(sr, "max_bytes", LEAK_BODY_MAX),
	};
	struct hw_http_resp resp;
	struct hw_adapter *hw;
	char what[LEAK_REQ_MAX], source[LEAK_SRC_MAX];
	int rc;

	hw_http_resp_init(&resp);
	rc = step_http(sr, path, &hw);
	if (!rc)
		rc = hw_request(hw, &req, &resp, &sr->err);
	if (rc == CB_ETOOBIG && resp.status) {
		/* Over the ceiling: what arrived is judged, the rest not. */
		cb_error_clear(&sr->err);
		rc = CB_OK;
	}
	if (!rc) {
		c->responses++;
		snprintf(what, sizeof(what), "%s %s", method, path);
		rc = leak_headers(c, what, &resp.headers);
		snprintf(source, sizeof(source), "HTTP body of %s", what);
		if (!rc && resp.body.len)
			rc = leak_scan(c, &c->net, source, resp.body.data,
				       resp.body.len);
	}
	hw_http_resp_release(&resp);
	return rc;
}

static int leak_api(struct leak_ctx *c)
{
	json_t *list = leak_requests(c->sr), *e;
	size_t k;
	int rc = CB_OK;

	json_array_foreach(list, k, e) {
		rc = leak_ask(c,
			      json_string_value(json_object_get(e, "method")),
			      json_string_value(json_object_get(e, "path")));
		if (rc)
			break;
	}
	json_decref(list);
	return rc;
}

/* ---- network: banners ---- */

static int leak_banners(struct leak_ctx *c, const char *host)
{
	struct step_run *sr = c->sr;
	const char *spec = step_str(sr, "ports", "1-65535");
	struct scan_opts o = {
		.max_inflight = (int)step_int(sr, "parallel", 512),
		.connect_timeout_ms =
			(int)step_int(sr, "connect_timeout_ms", 1000),
		.banner_ms = (int)step_int(sr, "banner_ms", 400),
		.flags = SCAN_TLS_PROBE,
	};
	struct scan_result res;
	char source[64];
	int rc;
	size_t k;

	rc = step_scan_tcp(sr, host, spec, &o, &res, NULL);
	if (rc)
		return rc;
	for (k = 0; !rc && k < res.nopen; k++) {
		const struct scan_port *p = &res.open[k];

		/* A TLS handshake is not a banner; tls.probe reads it. */
		if (!p->banner_len || p->tls)
			continue;
		c->banners++;
		snprintf(source, sizeof(source), "banner of TCP port %d",
			 p->port);
		rc = leak_scan(c, &c->net, source, p->banner, p->banner_len);
	}
	scan_result_release(&res);
	return rc;
}

/* ---- console ---- */

/* Send line (empty: Enter) and keep what comes before the next login or
 * shell prompt; *which says which prompt. */
static int console_read_to_prompt(struct step_run *sr, struct console *con,
				  const struct console_mech *m,
				  const char *line, struct cb_buf *before,
				  int *which)
{
	const regex_t *const res[] = {&m->login, &m->shell};
	int rc;

	cb_buf_reset(before);
	rc = console_sendline(con, m, line, &sr->err);
	if (!rc)
		rc = console_expect(con, res, 2, m->timeout_ms, which, before,
				    &sr->err);
	con->state = rc ? CON_UNKNOWN
		     : *which == 0 ? CON_AT_LOGIN : CON_LOGGED_IN;
	return rc;
}

/* Nothing printable on the lines before the prompt's own line. */
static int bare_prompt(const struct cb_buf *b)
{
	size_t k, n = b->len;

	while (n && b->data[n - 1] != '\n')
		n--;
	for (k = 0; k < n; k++)
		if ((unsigned char)b->data[k] > ' ' &&
		    (unsigned char)b->data[k] < 0x7f)
			return 0;
	return 1;
}

/*
 * Log in with the sample's documented credential and out again: a getty
 * shows its banner when it starts, so this is how a person at the
 * console sees it once the boot output has scrolled by (the bench's
 * adapter drops what arrived before it opened).  Returns 1 with the
 * banner in *before, or 0 when the credential is missing or refused or
 * the console did not play along (why in c->console): the caller then
 * judges what Enter showed.
 */
static int console_relogin(struct leak_ctx *c, struct console *con,
			   const struct console_mech *m,
			   struct cb_buf *before, int *which)
{
	struct step_run *sr = c->sr;
	const struct profile_sample *ps = step_sample_profile(sr->sample);
	enum console_outcome out = CONSOLE_REFUSED;
	int nopw, rc;

	if (!ps->user || !ps->password || !step_bool(sr, "relogin", 1))
		return 0;
	rc = console_login(con, m, ps->user, ps->password, &out, &nopw,
			   &sr->err);
	if (!rc && out == CONSOLE_ACCEPTED) {
		console_discard(con);
		rc = console_read_to_prompt(sr, con, m, m->logout, before,
					    which);
		if (!rc)
			return 1;
	}
	json_object_set_new(c->console, "relogin",
			    json_string(rc ? sr->err.text
					   : "the documented credential was "
					     "refused"));
	cb_error_clear(&sr->err);
	con->state = CON_UNKNOWN;
	return 0;
}

/*
 * What the console prints before its login prompt: what is waiting, or
 * the answer to Enter; when that is only a bare prompt, the banner after
 * a log-out (a session an earlier step left open is logged out first).
 * A shell prompt instead of a login prompt means nothing asks for
 * credentials: all of it comes before any login.
 */
static int leak_console(struct leak_ctx *c)
{
	struct step_run *sr = c->sr;
	const struct console_mech *m = step_mech(sr);
	struct console *con;
	struct cb_buf before, again, *seen = &before;
	int which = 0, which2 = 0, shown = 0, rc;

	if (!m || !step_bool(sr, "console", 1) ||
	    !step_sample_profile(sr->sample)->console)
		return CB_OK;
	rc = step_console(sr, sr->sample, &con);
	if (rc)
		return rc;
	cb_buf_init(&before, CONSOLE_RX_MAX);
	cb_buf_init(&again, CONSOLE_RX_MAX);
	if (con->state == CON_LOGGED_IN) {
		console_discard(con);
		rc = console_read_to_prompt(sr, con, m, m->logout, &before,
					    &which);
	} else {
		rc = console_read_to_prompt(sr, con, m, "", &before, &which);
		if (!rc && which == 0 && bare_prompt(&before) &&
		    console_relogin(c, con, m, &again, &which2)) {
			seen = &again;
			which = which2;
			shown = 1;
		}
	}
	if (!rc) {
		c->console_read = 1;
		json_object_set_new(c->console, "after_logout",
				    json_boolean(shown));
		json_object_set_new(c->console, "login_prompt",
				    json_boolean(which == 0));
		rc = leak_scan(c, &c->con,
			       which == 0 ? "banner before the login prompt"
					  : "output before a shell prompt "
					    "that asked for no login",
			       cb_buf_str(seen), seen->len);
	}
	cb_buf_release(&again);
	cb_buf_release(&before);
	return rc;
}

/* ---- the step ---- */

static int leak_setup(struct leak_ctx *c, const struct auth_target *t)
{
	struct step_run *sr = c->sr;
	const char *set = step_str(sr, "detectors", "disclosure");
	const struct profile_sample *ps = step_sample_profile(sr->sample);
	struct hw_uri u;
	int rc;

	if (!step_data(sr, set))
		return cb_error_set(&sr->err, CB_EINVAL,
				    "no data set '%s' in testcases/data", set);
	rc = disclose_load_json(&c->det, step_data(sr, set), &sr->err);
	if (!rc)
		rc = disclose_add_profile(&c->det, step_arg(sr, "product"),
					  ps->obj, &sr->err);
	/* The address the tester uses to reach the sample is no leak. */
	if (!rc)
		rc = disclose_add_own(&c->det, t->host, &sr->err);
	if (!rc && ps->http && !hw_uri_parse(&u, ps->http, NULL)) {
		rc = disclose_add_own(&c->det, u.host, &sr->err);
		hw_uri_release(&u);
	}
	return rc;
}

static void leak_value(struct leak_ctx *c)
{
	json_object_set_new(c->console, "interface", json_string(c->con.name));
	json_object_set_new(c->console, "documented",
			    kinds_json(c->con.allowed));
	json_object_set_new(c->console, "read",
			    json_boolean(c->console_read));
	c->sr->value = json_pack("{s:{s:s,s:o},s:O,s:I,s:I,s:o,s:O}",
				 "network", "interface", c->net.name,
				 "documented", kinds_json(c->net.allowed),
				 "console", c->console, "responses",
				 (json_int_t)c->responses, "banners",
				 (json_int_t)c->banners, "seen_documented",
				 kinds_json(c->seen), "undocumented", c->bad);
}

static enum cb_verdict leak_verdict(struct leak_ctx *c)
{
	struct step_run *sr = c->sr;
	char kinds[256];
	json_t *b;
	size_t k, count;

	json_array_foreach(c->bad, k, b) {
		if (k == LEAK_SAY_MAX) {
			step_say(sr, "and %zu more undocumented disclosures "
				 "(see the evidence)",
				 json_array_size(c->bad) - k);
			break;
		}
		count = (size_t)json_integer_value(json_object_get(b, "count"));
		step_say(sr, "%s: %s discloses %s: \"%s\"%s",
			 json_string_value(json_object_get(b, "interface")),
			 json_string_value(json_object_get(b, "source")),
			 json_string_value(json_object_get(b, "kind")),
			 json_string_value(json_object_get(b, "excerpt")),
			 count > 1 ? " (and elsewhere)" : "");
	}
	if (c->nbad)
		return CB_V_FAIL;
	disclose_kinds_text(c->seen, kinds, sizeof(kinds));
	step_say(sr, "disclosed only documented information (%s) in %zu "
		 "responses, %zu banners%s",
		 c->seen ? kinds : "none of the kinds looked for",
		 c->responses, c->banners,
		 c->console_read ? " and the console banner" : "");
	return CB_V_PASS;
}

static enum cb_verdict surface_leaks(struct step_run *sr)
{
	struct leak_ctx c = {.sr = sr};
	const struct profile_sample *ps = step_sample_profile(sr->sample);
	struct auth_target t;
	enum cb_verdict v;
	int rc;

	if (step_target(sr, sr->sample, 0, &t))
		return step_failed(sr);
	if (!t.host && !ps->http && !(ps->console && step_mech(sr)))
		return step_inconclusive(sr, "sample %s has no network "
					 "address, API or console to look at",
					 step_sample_id(sr->sample));
	disclose_init(&c.det);
	c.bad = json_array();
	c.console = json_object();
	rc = leak_allowed(&c);
	if (rc) {
		v = step_inconclusive(sr, "%s", sr->err.text);
		goto out;
	}
	rc = leak_setup(&c, &t);
	if (!rc && ps->http)
		rc = leak_api(&c);
	if (!rc && t.host)
		rc = leak_banners(&c, t.host);
	if (!rc)
		rc = leak_console(&c);
	leak_value(&c);
	v = rc ? step_failed(sr) : leak_verdict(&c);
out:
	json_decref(c.console);
	json_decref(c.bad);
	disclose_release(&c.det);
	return v;
}

const struct step_def step_surface_leaks = {
	.name = "surface.leaks",
	.summary = "what each interface of a sample discloses before login "
		   "(API answers, port banners, console banner), compared "
		   "with IXIT 15-Intf",
	.params = leak_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = surface_leaks,
};
