/*
 * scanshare.c - one full TCP scan per sample, read by every step that
 * needs the same ports (step_scan_tcp in step.h).
 *
 * net.scan, auth.discover and surface.leaks all ask for the sample's
 * 65,535 TCP ports with the same options.  The first ask scans and writes
 * one "scan" record; a later ask with the same host, ports and options
 * gets a copy of that result and a "scan-reused" record that names the
 * first one (its sequence number, case, unit and age), so a reader of the
 * evidence sees exactly which observation each verdict rests on.  A step
 * that changes the device (STEP_CHANGES_DEVICE: power, firmware
 * or fuzzed input) forgets the sample's scan, and so does age: a scan
 * older than SCAN_SHARE_MAX_AGE_MS is taken again.
 *
 * Only the sample's own worker (or the runner's thread between parts)
 * touches a sample's entry, so it needs no lock.
 */
#include <stdlib.h>
#include <string.h>

#include "harness/cb_time.h"
#include "harness/evidence.h"
#include "harness/netscan.h"
#include "harness/runner.h"
#include "harness/scanfmt.h"
#include "harness/step.h"

#define SCAN_SHARE_MAX_AGE_MS (15 * 60 * 1000)

struct run_scan {
	char host[256];
	char *spec;
	int parallel, timeout_ms, banner_ms;
	unsigned flags;
	struct scan_result res;
	uint64_t seq;			/* its "scan" evidence record */
	char case_id[32], unit_id[16];
	int64_t t_ms;
};

void run_scan_forget(struct run_sample *s)
{
	if (!s || !s->scan)
		return;
	scan_result_release(&s->scan->res);
	free(s->scan->spec);
	free(s->scan);
	s->scan = NULL;
}

static int scan_copy(struct scan_result *dst, const struct scan_result *src)
{
	*dst = *src;
	dst->open = NULL;
	dst->ranges = NULL;
	if (src->nopen) {
		dst->open = malloc(src->nopen * sizeof(*src->open));
		if (!dst->open)
			goto fail;
		memcpy(dst->open, src->open, src->nopen * sizeof(*src->open));
	}
	if (src->nranges) {
		dst->ranges = malloc(src->nranges * sizeof(*src->ranges));
		if (!dst->ranges)
			goto fail;
		memcpy(dst->ranges, src->ranges,
		       src->nranges * sizeof(*src->ranges));
	}
	return 0;
fail:
	free(dst->open);
	memset(dst, 0, sizeof(*dst));
	return -1;
}

static int scan_same(const struct run_scan *c, const char *host,
		     const char *spec, const struct scan_opts *o)
{
	return !strcmp(c->host, host) && !strcmp(c->spec, spec) &&
	       c->parallel == o->max_inflight &&
	       c->timeout_ms == o->connect_timeout_ms &&
	       c->banner_ms == o->banner_ms && c->flags == o->flags &&
	       cb_now_ms() - c->t_ms < SCAN_SHARE_MAX_AGE_MS;
}

static json_t *scan_opts_json(const struct scan_opts *o)
{
	return json_pack("{s:i,s:i,s:i,s:b}", "parallel", o->max_inflight,
			 "connect_timeout_ms", o->connect_timeout_ms,
			 "banner_ms", o->banner_ms, "tls_probe",
			 !!(o->flags & SCAN_TLS_PROBE));
}

/* The record that says which scan a reused result comes from. */
static json_t *scan_reused_json(const struct run_scan *c)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:I}", "type",
			 "scan-reused", "protocol", "tcp", "host", c->host,
			 "ports", c->spec, "scan_seq", (json_int_t)c->seq,
			 "scanned_in_case", c->case_id, "scanned_in_unit",
			 c->unit_id, "age_ms",
			 (json_int_t)(cb_now_ms() - c->t_ms));
}

/* Keep res (the caller's copy stays the caller's) for later asks. */
static void scan_keep(struct step_run *sr, const char *host, const char *spec,
		      const struct scan_opts *o, const struct scan_result *res,
		      uint64_t seq)
{
	struct run_scan *c = calloc(1, sizeof(*c));

	run_scan_forget(sr->sample);
	if (!c)
		return;
	c->spec = strdup(spec);
	if (!c->spec || scan_copy(&c->res, res)) {
		free(c->spec);
		free(c);
		return;
	}
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->parallel = o->max_inflight;
	c->timeout_ms = o->connect_timeout_ms;
	c->banner_ms = o->banner_ms;
	c->flags = o->flags;
	c->seq = seq;
	snprintf(c->case_id, sizeof(c->case_id), "%s",
		 sr->case_id ? sr->case_id : "");
	snprintf(c->unit_id, sizeof(c->unit_id), "%s",
		 sr->unit_id ? sr->unit_id : "");
	c->t_ms = cb_now_ms();
	sr->sample->scan = c;
}

int step_scan_tcp(struct step_run *sr, const char *host, const char *spec,
		  const struct scan_opts *o, struct scan_result *res,
		  int *reused)
{
	struct run_scan *c = sr->sample ? sr->sample->scan : NULL;
	int *ports = NULL, rc;
	size_t n = 0;
	uint64_t seq = 0;
	json_t *rec;

	if (reused)
		*reused = 0;
	/* A copy that fails (memory) is no reason not to scan again. */
	if (c && scan_same(c, host, spec, o) && !scan_copy(res, &c->res)) {
		rc = ev_append(step_evidence(sr), scan_reused_json(c), NULL,
			       &sr->err);
		if (rc) {
			scan_result_release(res);
			return rc;
		}
		if (reused)
			*reused = 1;
		return CB_OK;
	}
	rc = scan_parse_ports(spec, &ports, &n, &sr->err);
	if (rc)
		return rc;
	scan_raise_nofile(o->max_inflight);
	rc = scan_tcp(host, ports, n, o, res, &sr->err);
	free(ports);
	if (rc)
		return rc;
	rec = scan_tcp_json(res, spec);
	json_object_set_new(rec, "type", json_string("scan"));
	json_object_set_new(rec, "protocol", json_string("tcp"));
	json_object_set_new(rec, "host", json_string(host));
	json_object_set_new(rec, "options", scan_opts_json(o));
	/* An observation the evidence lacks is not one a verdict rests on. */
	rc = ev_append(step_evidence(sr), rec, &seq, &sr->err);
	if (rc) {
		scan_result_release(res);
		return rc;
	}
	if (sr->sample)
		scan_keep(sr, host, spec, o, res, seq);
	return CB_OK;
}
