/*
 * scanfmt.c - how scan results are shown and kept: banners as text for
 * people (TLS replies named, other bytes escaped), scan results as JSON
 * for --json and for evidence, and room in the descriptor limit for many
 * connects at once.  Shared by 'probe ports' and the net.scan step.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "harness/cb_text.h"
#include "harness/scanfmt.h"

/* A banner for people: TLS replies named, the rest escaped and cut. */
void scan_banner_text(char *out, size_t len, const unsigned char *b, size_t n,
		      enum scan_probe probe, int tls, const char *service,
		      size_t max)
{
	char tag[16] = "";
	size_t t;

	if (service)
		snprintf(tag, sizeof(tag), "[%s]%s", service, n ? " " : "");
	else if (tls)
		snprintf(tag, sizeof(tag), "[tls] ");
	else if (probe != SCAN_PROBE_NONE && n)
		snprintf(tag, sizeof(tag), "[%s] ", scan_probe_name(probe));
	t = strlen(tag);
	if (tls && n >= 11 && b[0] == 0x16 && b[5] == 0x02 && b[9] == 3 &&
	    b[10] == 0)
		snprintf(out, len, "%sServerHello, SSL 3.0", tag);
	else if (tls && n >= 11 && b[0] == 0x16 && b[5] == 0x02 && b[9] == 3)
		snprintf(out, len, "%sServerHello, TLS 1.%d", tag, b[10] - 1);
	else if (tls && n >= 7 && b[0] == 0x15)
		snprintf(out, len, "%salert, level %d, description %d", tag,
			 b[5], b[6]);
	else if (tls)
		snprintf(out, len, "%sTLS record %02x", tag, b[0]);
	else {
		snprintf(out, len, "%s", tag);
		if (max > t + 4 && len > t)
			cb_excerpt(out + t, len - t, b, n, max - t);
	}
}

json_t *scan_banner_json(json_t *o, const unsigned char *b, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char hex[SCAN_BANNER_MAX * 2 + 1], text[SCAN_BANNER_MAX * 4 + 8];
	size_t k;

	for (k = 0; k < n; k++) {
		hex[2 * k] = hx[b[k] >> 4];
		hex[2 * k + 1] = hx[b[k] & 15];
	}
	hex[2 * n] = '\0';
	cb_excerpt(text, sizeof(text), b, n, sizeof(text) - 4);
	json_object_set_new(o, "banner_hex", json_string(hex));
	json_object_set_new(o, "banner_text", json_string(text));
	return o;
}

json_t *scan_tcp_json(const struct scan_result *res, const char *ports)
{
	json_t *open = json_array(), *o;
	size_t k;

	for (k = 0; k < res->nopen; k++) {
		const struct scan_port *p = &res->open[k];

		o = json_pack("{s:i,s:I,s:b,s:s}", "port", p->port, "rtt_ms",
			      (json_int_t)p->rtt_ms, "tls", p->tls, "probe",
			      scan_probe_name(p->probe));
		json_array_append_new(
		    open, scan_banner_json(o, p->banner, p->banner_len));
	}
	return json_pack(
	    "{s:s,s:I,s:I,s:I,s:I,s:I,s:o}", "ports", ports, "scanned",
	    (json_int_t)(res->nopen + res->nclosed + res->nfiltered), "open",
	    (json_int_t)res->nopen, "closed", (json_int_t)res->nclosed,
	    "filtered", (json_int_t)res->nfiltered, "elapsed_ms",
	    (json_int_t)res->elapsed_ms, "open_ports", open);
}

json_t *scan_udp_json(const struct scan_udp_result *u)
{
	json_t *ports = json_array(), *o;
	size_t k;

	for (k = 0; k < u->n; k++) {
		const struct scan_udp_port *p = &u->ports[k];

		o = json_pack("{s:i,s:s,s:s?,s:i,s:I,s:I}", "port", p->port,
			      "state", scan_state_name(p->state), "service",
			      p->service, "sent", p->sent, "rtt_ms",
			      (json_int_t)p->rtt_ms, "reply_len",
			      (json_int_t)p->reply_len);
		json_array_append_new(
		    ports, scan_banner_json(o, p->banner, p->banner_len));
	}
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "scanned",
			 (json_int_t)u->n, "open", (json_int_t)u->nopen,
			 "closed", (json_int_t)u->nclosed, "filtered",
			 (json_int_t)u->nfiltered, "open_filtered",
			 (json_int_t)u->nopen_filtered, "elapsed_ms",
			 (json_int_t)u->elapsed_ms, "ports", ports);
}

/* Room for --parallel connects and their banner jobs. */
void scan_raise_nofile(int parallel)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)parallel * 3 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	setrlimit(RLIMIT_NOFILE, &rl);
}
