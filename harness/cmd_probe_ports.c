/*
 * cmd_probe_ports.c - 'certbench probe ports': the TCP scan (with banners
 * and TLS detection) and, on request, the UDP service probes against one
 * host.  A table or one JSON object on stdout; a progress line on stderr
 * when it is a terminal.  No profile, no evidence file.
 *
 *   probe ports HOST [-p RANGE] [--udp[=PORTS]] [--json] [--timeout MS]
 *               [--parallel N] [--banner MS]
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <jansson.h>

#include "harness/cb_error.h"
#include "harness/cb_text.h"
#include "harness/cb_time.h"
#include "harness/cli.h"
#include "harness/netscan.h"
#include "harness/scanfmt.h"
#include "harness/udpscan.h"

#define PP_USAGE                                                          \
	"usage: certbench probe ports HOST [-p RANGE] [--udp[=PORTS]] "   \
	"[--json]\n"                                                      \
	"              [--timeout MS] [--parallel N] [--banner MS]\n"
#define PP_BANNER_MS	  200	/* each banner window, by default */
#define PP_SHOW_RANGES	  8	/* closed/filtered runs listed at most */
#define PP_PROGRESS_AFTER 300	/* ms before a progress line appears */

struct pp_opts {
	const char *host, *ports, *udp;
	int json, timeout_ms, parallel, banner_ms;
};

/* The progress line: only on a terminal, plain text, one line. */
struct pp_progress {
	size_t done, total, open;
	int64_t t0, drawn_at;
	int shown;
	const char *host;
};

static void pp_progress_draw(struct pp_progress *pg, int64_t now)
{
	char line[160];
	int n;

	n = snprintf(line, sizeof(line),
		     "scanning %s: %zu/%zu ports, %zu open, %lld.%lld s",
		     pg->host, pg->done, pg->total, pg->open,
		     (long long)((now - pg->t0) / 1000),
		     (long long)((now - pg->t0) % 1000 / 100));
	fprintf(stderr, "\r%s%*s", line, pg->shown > n ? pg->shown - n : 0,
		"");
	fflush(stderr);
	if (n > pg->shown)
		pg->shown = n;
	pg->drawn_at = now;
}

static void pp_on_port(void *ctx, const struct scan_port *p)
{
	struct pp_progress *pg = ctx;
	int64_t now = cb_now_ms();

	pg->done++;
	pg->open += p->state == SCAN_OPEN;
	if (now - pg->t0 >= PP_PROGRESS_AFTER && now - pg->drawn_at >= 100)
		pp_progress_draw(pg, now);
}

static void pp_progress_end(struct pp_progress *pg)
{
	if (!pg->shown)
		return;
	fprintf(stderr, "\r%*s\r", pg->shown, "");
	fflush(stderr);
}

/* UDP probes run next to the TCP scan. */
struct pp_udp {
	const char *host;
	int *ports;
	size_t n;
	int timeout_ms, rc;
	struct scan_udp_result res;
	struct cb_error err;
};

static void *pp_udp_main(void *arg)
{
	struct pp_udp *u = arg;

	u->rc = scan_udp(u->host, u->ports, u->n, u->timeout_ms, &u->res,
			 &u->err);
	return NULL;
}

/* ---- output ----------------------------------------------------------- */

static int pp_width(void)
{
	struct winsize ws;

	if (isatty(1) && !ioctl(1, TIOCGWINSZ, &ws) && ws.ws_col >= 40)
		return ws.ws_col;
	return 80;
}

/* PORT is wide enough for "65534-65535/tcp". */
#define PP_ROW_FMT "%-15s %-13s %8s"
#define PP_BANNER_COL 40

static void pp_row(const char *port, const char *state, int64_t rtt,
		   const char *banner)
{
	char r[24] = "-";

	if (rtt >= 0)
		snprintf(r, sizeof(r), "%lld ms", (long long)rtt);
	printf(PP_ROW_FMT "%s%s\n", port, state, r, *banner ? "  " : "",
	       banner);
}

static void pp_print_tcp(const struct scan_result *res, int width)
{
	const struct scan_range *g;
	size_t k, o = 0, shown = 0;
	char port[24], text[SCAN_BANNER_MAX * 4 + 40];
	size_t max = width > PP_BANNER_COL + 8 ? (size_t)width - PP_BANNER_COL
						: 8;

	for (k = 0; k < res->nranges; k++)
		shown += res->ranges[k].state != SCAN_OPEN;
	for (k = 0; k < res->nranges; k++) {
		g = &res->ranges[k];
		if (g->state == SCAN_OPEN) {
			for (; o < res->nopen && res->open[o].port <= g->hi;
			     o++) {
				const struct scan_port *p = &res->open[o];

				snprintf(port, sizeof(port), "%d/tcp", p->port);
				scan_banner_text(text, sizeof(text), p->banner,
					       p->banner_len, p->probe, p->tls,
					       NULL, max);
				pp_row(port, "open", p->rtt_ms, text);
			}
		} else if (shown <= PP_SHOW_RANGES) {
			if (g->lo == g->hi)
				snprintf(port, sizeof(port), "%d/tcp", g->lo);
			else
				snprintf(port, sizeof(port), "%d-%d/tcp", g->lo,
					 g->hi);
			pp_row(port, scan_state_name(g->state), -1, "");
		}
	}
}

static void pp_print_udp(const struct scan_udp_result *u, int width)
{
	char port[24], text[SCAN_BANNER_MAX * 4 + 40];
	size_t max = width > PP_BANNER_COL + 8 ? (size_t)width - PP_BANNER_COL
						: 8;
	size_t k;

	for (k = 0; k < u->n; k++) {
		const struct scan_udp_port *p = &u->ports[k];

		snprintf(port, sizeof(port), "%d/udp", p->port);
		scan_banner_text(text, sizeof(text), p->banner, p->banner_len,
			       SCAN_PROBE_NONE, 0, p->service, max);
		pp_row(port, scan_state_name(p->state),
		       p->state == SCAN_OPEN ? p->rtt_ms : -1, text);
	}
}

static void pp_human(const struct scan_result *res,
		     const struct scan_udp_result *u)
{
	int width = pp_width();
	size_t all = res->nopen + res->nclosed + res->nfiltered;

	printf(PP_ROW_FMT "  %s\n", "PORT", "STATE", "RTT", "BANNER");
	pp_print_tcp(res, width);
	if (u)
		pp_print_udp(u, width);
	printf("%zu open, %zu closed, %zu filtered of %zu ports in "
	       "%lld.%02lld s\n",
	       res->nopen, res->nclosed, res->nfiltered, all,
	       (long long)(res->elapsed_ms / 1000),
	       (long long)(res->elapsed_ms % 1000 / 10));
	if (u)
		printf("udp: %zu open, %zu closed, %zu filtered, %zu "
		       "open|filtered of %zu ports in %lld.%02lld s\n",
		       u->nopen, u->nclosed, u->nfiltered, u->nopen_filtered,
		       u->n, (long long)(u->elapsed_ms / 1000),
		       (long long)(u->elapsed_ms % 1000 / 10));
}

static void pp_json(const struct pp_opts *o, const struct scan_result *res,
		    const struct scan_udp_result *u)
{
	json_t *root = json_pack("{s:s,s:o}", "host", o->host, "tcp",
				 scan_tcp_json(res, o->ports));

	if (u)
		json_object_set_new(root, "udp", scan_udp_json(u));
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
}

/* ---- running ---------------------------------------------------------- */

static int pp_run(const struct pp_opts *o, const int *ports, size_t n,
		  struct pp_udp *u)
{
	struct pp_progress pg = {.total = n, .host = o->host};
	struct scan_opts so = {
		.max_inflight = o->parallel,
		.connect_timeout_ms = o->timeout_ms,
		.banner_ms = o->banner_ms,
		.flags = SCAN_TLS_PROBE,
	};
	struct scan_result res;
	struct cb_error err = {0};
	pthread_t th;
	int udp_running = 0, rc;

	if (isatty(2)) {
		pg.t0 = cb_now_ms();
		so.on_port = pp_on_port;
		so.ctx = &pg;
	}
	if (u)
		udp_running = !pthread_create(&th, NULL, pp_udp_main, u);
	if (u && !udp_running)
		pp_udp_main(u);
	rc = scan_tcp(o->host, ports, n, &so, &res, &err);
	if (udp_running)
		pthread_join(th, NULL);
	pp_progress_end(&pg);
	if (rc || (u && u->rc)) {
		cli_error(rc ? &err : &u->err);
		if (!rc)
			scan_result_release(&res);
		return CLI_EXIT_SOFTWARE;
	}
	if (o->json)
		pp_json(o, &res, u ? &u->res : NULL);
	else
		pp_human(&res, u ? &u->res : NULL);
	scan_result_release(&res);
	return fflush(stdout) ? CLI_EXIT_SOFTWARE : 0;
}

static int pp_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int pp_usage(const char *why)
{
	if (why)
		fprintf(stderr, "certbench: probe ports: %s\n", why);
	fputs(PP_USAGE, stderr);
	return CLI_EXIT_USAGE;
}

int probe_ports_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ports", 1, NULL, 'p'},    {"udp", 2, NULL, 'u'},
		{"json", 0, NULL, 'j'},	    {"timeout", 1, NULL, 't'},
		{"parallel", 1, NULL, 'n'}, {"banner", 1, NULL, 'b'},
		{"help", 0, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	struct pp_opts o = {.ports = "1-65535", .timeout_ms = 1000,
			    .parallel = 512, .banner_ms = PP_BANNER_MS};
	struct cb_error err = {0};
	struct pp_udp u = {0};
	int *ports = NULL, c, rc;
	size_t n;

	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.ports = optarg; break;
		case 'u': o.udp = optarg ? optarg : ""; break;
		case 'j': o.json = 1; break;
		case 't':
			if (pp_int(optarg, 100, 60000, &o.timeout_ms))
				return pp_usage("--timeout wants 100-60000 ms");
			break;
		case 'n':
			if (pp_int(optarg, 1, 16384, &o.parallel))
				return pp_usage("--parallel wants 1-16384");
			break;
		case 'b':
			if (pp_int(optarg, 0, 60000, &o.banner_ms))
				return pp_usage("--banner wants 0-60000 ms");
			break;
		default: return pp_usage(NULL);
		}
	}
	if (optind + 1 != argc)
		return pp_usage(optind < argc ? "one host only" : NULL);
	o.host = argv[optind];
	if (scan_parse_ports(o.ports, &ports, &n, &err) ||
	    (o.udp && *o.udp &&
	     scan_parse_ports(o.udp, &u.ports, &u.n, &err))) {
		free(ports);
		return pp_usage(err.text);
	}
	u.host = o.host;
	u.timeout_ms = o.timeout_ms;
	scan_raise_nofile(o.parallel);
	rc = pp_run(&o, ports, n, o.udp ? &u : NULL);
	scan_udp_result_release(&u.res);
	free(u.ports);
	free(ports);
	return rc;
}
