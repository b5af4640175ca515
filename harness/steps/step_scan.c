/*
 * step_scan.c - net.scan: which ports of a sample answer, compared with
 * the services the IXIT documents.
 *
 * A TCP connect scan of the given ports (all of them by default) with a
 * banner grab on each open one, and UDP probes of DNS, SSDP, mDNS, CoAP
 * and every documented UDP port.  The documentation is IXIT 13-SoftServ
 * (services with a status and a port) or 11-ComMech (communication
 * mechanisms with a port).  check "status": each documented service with
 * a port answers when enabled and not when disabled.  check
 * "undocumented": nothing answers that no enabled entry documents; each
 * finding names the port and its banner.  Every scanned port's state is
 * kept in the step's value, as runs of ports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/auth.h"
#include "harness/netscan.h"
#include "harness/scanfmt.h"
#include "harness/step.h"
#include "harness/udpscan.h"

#define SCAN_BANNER_SAY 72	/* banner bytes quoted in a rationale */

static const struct step_param scan_params[] = {
	{"ports", SP_STRING, 0, NULL, 0, 0,
	 "TCP ports to scan, e.g. \"1-1024,8080\" (default 1-65535)"},
	{"udp", SP_BOOL, 0, NULL, 0, 0,
	 "also probe DNS, SSDP, mDNS, CoAP and the documented UDP ports "
	 "(default true)"},
	{"documented", SP_STRING, 0, "13-SoftServ|11-ComMech", 0, 0,
	 "the IXIT section that says what may answer (default 13-SoftServ)"},
	{"check", SP_STRING, SPF_REQUIRED, "status|undocumented", 0, 0,
	 "compare documented services with what answers (status), or look "
	 "for anything undocumented that answers (undocumented)"},
	{"parallel", SP_INT, 0, NULL, 1, 4096,
	 "connects in flight (default 512)"},
	{"timeout_ms", SP_INT, 0, NULL, 50, 60000,
	 "connect and UDP deadline (default 1000)"},
	{NULL},
};

/* One documented port. */
struct scan_doc {
	const char *id;
	int port, udp, enabled;
};

struct scan_ctx {
	struct step_run *sr;
	const char *section, *host;
	struct scan_doc *doc;
	size_t ndoc;
	struct scan_result tcp;
	struct scan_udp_result udp;
	int have_udp;
};

/*
 * The documented ports of the section.  11-ComMech entries have no
 * status: a documented mechanism is an enabled one.  An entry without a
 * port (Bluetooth, a cloud connection) is not the scan's business.
 */
static int scan_collect(struct scan_ctx *c)
{
	json_t *sec = step_ixit(c->sr, c->section), *m, *p;
	const char *status, *tr;
	size_t k;

	c->doc = calloc(json_array_size(sec) + 1, sizeof(*c->doc));
	if (!c->doc)
		return cb_error_set(&c->sr->err, CB_ENOMEM, "out of memory");
	json_array_foreach(sec, k, m) {
		struct scan_doc *d = &c->doc[c->ndoc];

		p = json_object_get(m, "port");
		if (json_is_integer(p))
			d->port = (int)json_integer_value(p);
		else if (json_is_string(p) &&
			 !strcmp(json_string_value(p), "http"))
			d->port = step_http_port(c->sr->sample, NULL);
		if (d->port <= 0 || d->port > 65535)
			continue;
		d->id = json_string_value(json_object_get(m, "id")) ?: "?";
		tr = json_string_value(json_object_get(m, "transport"));
		d->udp = tr && !strcmp(tr, "udp");
		status = json_string_value(json_object_get(m, "status"));
		d->enabled = !status || !strcmp(status, "enabled");
		c->ndoc++;
	}
	return CB_OK;
}

/* The enabled documented entry for port, or NULL. */
static const struct scan_doc *scan_documented(const struct scan_ctx *c,
					      int port, int udp)
{
	size_t k;

	for (k = 0; k < c->ndoc; k++)
		if (c->doc[k].port == port && c->doc[k].udp == udp &&
		    c->doc[k].enabled)
			return &c->doc[k];
	return NULL;
}

static int scan_tcp_run(struct scan_ctx *c)
{
	struct step_run *sr = c->sr;
	const char *spec = step_str(sr, "ports", "1-65535");
	struct scan_opts o = {
		.max_inflight = (int)step_int(sr, "parallel", 512),
		.connect_timeout_ms = (int)step_int(sr, "timeout_ms", 1000),
		.banner_ms = 400,
		.flags = SCAN_TLS_PROBE,
	};
	int reused, rc;

	rc = step_scan_tcp(sr, c->host, spec, &o, &c->tcp, &reused);
	if (!rc) {
		json_t *t = scan_tcp_json(&c->tcp, spec);

		json_object_set_new(t, "reused", json_boolean(reused));
		json_object_set_new(sr->value, "tcp", t);
	}
	return rc;
}

/* The four well-known services and every documented UDP port. */
static int scan_udp_run(struct scan_ctx *c)
{
	int ports[SCAN_UDP_NDEFAULT + 64];
	size_t n = 0, k, j;
	int rc;

	for (k = 0; k < SCAN_UDP_NDEFAULT; k++)
		ports[n++] = scan_udp_default_ports[k];
	for (k = 0; k < c->ndoc && n < sizeof(ports) / sizeof(ports[0]);
	     k++) {
		if (!c->doc[k].udp)
			continue;
		for (j = 0; j < n && ports[j] != c->doc[k].port; j++)
			;
		if (j == n)
			ports[n++] = c->doc[k].port;
	}
	rc = scan_udp(c->host, ports, n, (int)step_int(c->sr, "timeout_ms",
						       1000),
		      &c->udp, &c->sr->err);
	if (!rc) {
		c->have_udp = 1;
		json_object_set_new(c->sr->value, "udp", scan_udp_json(&c->udp));
	}
	return rc;
}

/* The state of a documented port: TCP from the scan, UDP from probes. */
static int scan_state_of(const struct scan_ctx *c, const struct scan_doc *d,
			 const struct scan_port **open)
{
	size_t k;

	*open = NULL;
	if (d->udp) {
		for (k = 0; c->have_udp && k < c->udp.n; k++)
			if (c->udp.ports[k].port == d->port)
				return (int)c->udp.ports[k].state;
		return -1;
	}
	for (k = 0; k < c->tcp.nopen; k++)
		if (c->tcp.open[k].port == d->port)
			*open = &c->tcp.open[k];
	return scan_result_state(&c->tcp, d->port);
}

static void scan_banner(char *out, size_t len, const struct scan_port *p)
{
	if (!p || !p->banner_len)
		snprintf(out, len, "says nothing");
	else {
		char text[SCAN_BANNER_MAX * 4 + 40];

		scan_banner_text(text, sizeof(text), p->banner, p->banner_len,
				 p->probe, p->tls, NULL, SCAN_BANNER_SAY);
		snprintf(out, len, "banner \"%s\"", text);
	}
}

/* Each documented service answers as its status says. */
static enum cb_verdict scan_check_status(struct scan_ctx *c)
{
	struct step_run *sr = c->sr;
	const struct scan_port *open;
	char banner[SCAN_BANNER_MAX * 4 + 64];
	enum cb_verdict v = CB_V_PASS;
	size_t k, checked = 0, unknown = 0;
	int st;

	for (k = 0; k < c->ndoc; k++) {
		const struct scan_doc *d = &c->doc[k];
		const char *tr = d->udp ? "udp" : "tcp";

		st = scan_state_of(c, d, &open);
		if (st < 0) {
			step_say(sr, "%s: port %d/%s was not scanned", d->id,
				 d->port, tr);
			unknown++;
			continue;
		}
		checked++;
		if (st == SCAN_OPEN_FILTERED && d->enabled) {
			step_say(sr, "%s: port %d/%s gave no answer and no "
				 "refusal; its status cannot be told from "
				 "here",
				 d->id, d->port, tr);
			unknown++;
		} else if (d->enabled && st != SCAN_OPEN) {
			step_say(sr, "%s: documented as enabled, but port "
				 "%d/%s is %s",
				 d->id, d->port, tr,
				 scan_state_name((enum scan_state)st));
			v = CB_V_FAIL;
		} else if (!d->enabled && st == SCAN_OPEN) {
			scan_banner(banner, sizeof(banner), open);
			step_say(sr, "%s: documented as disabled, but port "
				 "%d/%s is open (%s)",
				 d->id, d->port, tr, banner);
			v = CB_V_FAIL;
		}
	}
	if (!c->ndoc) {
		step_say(sr, "IXIT %s documents no service with a port",
			 c->section);
		return CB_V_NA;
	}
	if (v == CB_V_PASS && unknown)
		return step_inconclusive(sr, "the status of %zu documented "
					 "port(s) could not be told",
					 unknown);
	if (v == CB_V_PASS)
		step_say(sr, "each of the %zu documented services with a port "
			 "has its documented status",
			 checked);
	return v;
}

/* Nothing answers that the section does not document as enabled. */
static enum cb_verdict scan_check_undocumented(struct scan_ctx *c)
{
	struct step_run *sr = c->sr;
	char banner[SCAN_BANNER_MAX * 4 + 64];
	enum cb_verdict v = CB_V_PASS;
	size_t k, silent = 0;

	for (k = 0; k < c->tcp.nopen; k++) {
		const struct scan_port *p = &c->tcp.open[k];

		if (scan_documented(c, p->port, 0))
			continue;
		scan_banner(banner, sizeof(banner), p);
		step_say(sr, "port %d/tcp is open and not documented in IXIT "
			 "%s (%s)",
			 p->port, c->section, banner);
		v = CB_V_FAIL;
	}
	for (k = 0; c->have_udp && k < c->udp.n; k++) {
		const struct scan_udp_port *p = &c->udp.ports[k];

		if (scan_documented(c, p->port, 1))
			continue;
		if (p->state == SCAN_OPEN) {
			step_say(sr, "port %d/udp (%s) answers and is not "
				 "documented in IXIT %s",
				 p->port, p->service ?: "no service", c->section);
			v = CB_V_FAIL;
		} else if (p->state == SCAN_OPEN_FILTERED)
			silent++;
	}
	if (v == CB_V_PASS)
		step_say(sr, "%zu open TCP port(s) of %zu scanned, all "
			 "documented in IXIT %s%s",
			 c->tcp.nopen,
			 c->tcp.nopen + c->tcp.nclosed + c->tcp.nfiltered,
			 c->section,
			 silent ? "; some UDP ports neither answered nor "
				  "refused (see the evidence)"
				: "");
	return v;
}

static enum cb_verdict net_scan(struct step_run *sr)
{
	struct scan_ctx c = {.sr = sr};
	struct auth_target t;
	enum cb_verdict v;
	int status = !strcmp(step_str(sr, "check", ""), "status");

	c.section = step_str(sr, "documented", "13-SoftServ");
	if (!step_ixit(sr, c.section))
		return step_inconclusive(sr, "the profile has no IXIT %s",
					 c.section);
	if (step_target(sr, sr->sample, 0, &t))
		return step_failed(sr);
	if (!t.host)
		return step_inconclusive(sr, "sample %s has no network "
					 "address",
					 step_sample_id(sr->sample));
	c.host = t.host;
	sr->value = json_pack("{s:s,s:s}", "host", c.host, "documented",
			      c.section);
	if (scan_collect(&c) || scan_tcp_run(&c) ||
	    (step_bool(sr, "udp", 1) && scan_udp_run(&c)))
		v = step_bench_failed(sr);
	else if (status)
		v = scan_check_status(&c);
	else
		v = scan_check_undocumented(&c);
	scan_result_release(&c.tcp);
	if (c.have_udp)
		scan_udp_result_release(&c.udp);
	free(c.doc);
	return v;
}

const struct step_def step_net_scan = {
	.name = "net.scan",
	.summary = "TCP connect scan with banners and UDP service probes of a "
		   "sample, compared with the documented services",
	.params = scan_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = net_scan,
};
