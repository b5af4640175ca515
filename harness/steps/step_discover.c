/*
 * step_discover.c - auth.discover: scan a sample's TCP ports and fail on
 * any login surface the IXIT does not document: a login or password
 * prompt, a shell that asks for nothing, or HTTP authentication.  Open
 * ports that carry no login are listed but are a matter for 5.6-1.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/auth.h"
#include "harness/cb_text.h"
#include "harness/netscan.h"
#include "harness/step.h"

static const struct step_param disc_params[] = {
	{"ports", SP_STRING, 0, NULL, 0, 0, "port list, default 1-65535"},
	{"documented_ports", SP_ARRAY, 0, NULL, 0, 0,
	 "open ports documented elsewhere (e.g. IXIT 15-Intf)"},
	{"connect_timeout_ms", SP_INT, 0, NULL, 10, 60000, "default 1000"},
	{"banner_ms", SP_INT, 0, NULL, 10, 60000, "default 400"},
	{NULL},
};

enum disc_kind { DISC_NONE, DISC_LOGIN, DISC_SHELL, DISC_HTTP_AUTH };

static int disc_match(const char *re_text, const char *s)
{
	regex_t re;
	int hit;

	if (regcomp(&re, re_text, REG_EXTENDED | REG_ICASE | REG_NEWLINE |
					  REG_NOSUB))
		return 0;
	hit = !regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return hit;
}

/* What a banner says about authentication. */
static enum disc_kind disc_classify(const struct scan_port *p)
{
	char text[SCAN_BANNER_MAX + 1];
	size_t k, n = p->banner_len;

	if (p->tls)
		return DISC_NONE;	/* a handshake, not words to read */
	for (k = 0; k < n; k++)
		text[k] = p->banner[k] ? (char)p->banner[k] : ' ';
	text[n] = '\0';
	if (!strncmp(text, "HTTP/", 5))
		return disc_match("^HTTP/[0-9.]+ 401|^www-authenticate:", text)
			       ? DISC_HTTP_AUTH
			       : DISC_NONE;
	if (disc_match("(login|user ?name|user)[ \t]*:[ \t]*$|password[ \t]*:"
		       "[ \t]*$",
		       text))
		return DISC_LOGIN;
	if (disc_match("[#$%>][ \t]*$", text))
		return DISC_SHELL;
	return DISC_NONE;
}

static int disc_documented(const struct step_run *sr, int port)
{
	const struct auth_mech *m;
	json_t *doc = step_arg(sr, "documented_ports"), *v,
	       *s = step_sample_json(sr->sample);
	const char *http = json_string_value(json_object_get(s, "http"));
	struct hw_uri u;
	size_t n, k;
	int hit = 0;

	json_array_foreach(doc, k, v)
		if (json_integer_value(v) == port)
			return 1;
	m = step_mechs(sr, &n);
	for (k = 0; k < n; k++)
		if (m[k].port == port)
			return 1;
	if (http && !hw_uri_parse(&u, http, NULL)) {
		hit = (u.port ? u.port
			      : !strcmp(u.scheme, "https") ? 443 : 80) == port;
		hw_uri_release(&u);
	}
	return hit;
}

static const char *const disc_what[] = {
	[DISC_LOGIN] = "an undocumented login prompt",
	[DISC_SHELL] = "a shell that asks for no password",
	[DISC_HTTP_AUTH] = "undocumented HTTP authentication",
};

static enum cb_verdict auth_discover(struct step_run *sr)
{
	const char *ports = step_str(sr, "ports", "1-65535");
	const char *host = json_string_value(
		json_object_get(step_sample_json(sr->sample), "host"));
	struct scan_opts o = {
		.max_inflight = 512,
		.connect_timeout_ms =
			(int)step_int(sr, "connect_timeout_ms", 1000),
		.banner_ms = (int)step_int(sr, "banner_ms", 400),
		.flags = SCAN_TLS_PROBE};
	struct auth_target t;
	struct scan_result res;
	enum disc_kind kind;
	json_t *found = json_array(), *other = json_array();
	char ex[96];
	size_t k, bad = 0;

	if (step_target(sr, sr->sample, 0, &t) || !t.host) {
		json_decref(found);
		json_decref(other);
		return step_inconclusive(sr, "sample %s has no network host to "
					     "scan",
					 step_sample_id(sr->sample));
	}
	host = t.host;
	if (step_scan_tcp(sr, host, ports, &o, &res, NULL)) {
		json_decref(found);
		json_decref(other);
		return step_failed(sr);
	}
	for (k = 0; k < res.nopen; k++) {
		const struct scan_port *p = &res.open[k];

		if (disc_documented(sr, p->port))
			continue;
		kind = disc_classify(p);
		if (kind == DISC_NONE) {
			json_array_append_new(other, json_integer(p->port));
			continue;
		}
		bad++;
		cb_excerpt(ex, sizeof(ex), p->banner, p->banner_len, 60);
		json_array_append_new(found,
				      json_pack("{s:i,s:s}", "port", p->port,
						"finding", disc_what[kind]));
		step_say(sr, "%s:%d offers %s (banner \"%s\")", host, p->port,
			 disc_what[kind], ex);
	}
	step_say(sr, "scanned %zu TCP ports of %s in %lld ms: %zu open, %zu "
		     "undocumented without a login",
		 res.nopen + res.nclosed + res.nfiltered, host,
		 (long long)res.elapsed_ms, res.nopen, json_array_size(other));
	sr->value = json_pack("{s:s,s:o,s:o}", "host", host, "logins", found,
			      "other_open", other);
	scan_result_release(&res);
	return bad ? CB_V_FAIL : CB_V_PASS;
}

const struct step_def step_auth_discover = {
	.name = "auth.discover",
	.summary = "TCP scan of a sample; FAIL on any login surface the IXIT "
		   "does not document",
	.params = disc_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = auth_discover,
};
