/*
 * step_tls.c - tls.probe: what does each documented TLS service of a
 * sample accept, and does that meet best practice and the documentation?
 *
 * For each IXIT 11-ComMech entry with a port (or "port": "http", the
 * port of the sample's https API), tlsprobe finds the protocol versions,
 * the cipher suites per version in the server's order, the certificate
 * chain, renegotiation and compression.  The best-practice table in
 * testcases/data/tls-practice.json judges it; each finding names its
 * rule.  A protocol the IXIT's "protocols" list does not name fails too.
 * Findings of severity "warn" are reported and do not fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/auth.h"
#include "harness/cb_text.h"
#include "harness/profile.h"
#include "harness/step.h"
#include "harness/tlsprobe.h"
#include "harness/tlsrules.h"

#define TLS_MAX_FINDINGS 64

static const struct step_param tls_params[] = {
	{"mechanisms", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" IXIT 11-ComMech entries with a port (default), an id or "
	 "ids"},
	{"rules", SP_STRING, 0, NULL, 0, 0,
	 "data set of rules (default \"tls-practice\")"},
	{"parallel", SP_INT, 0, NULL, 1, 256,
	 "handshakes in flight (default 16)"},
	{NULL},
};

/*
 * The port an entry documents: a number, or "http" (the API's); 0 when
 * it names none, -1 when it names the API and the API has no TLS.
 */
static int tls_port(struct step_run *sr, json_t *m)
{
	json_t *p = json_object_get(m, "port");
	int tls = 0, n;

	if (json_is_integer(p))
		return (int)json_integer_value(p);
	if (!json_is_string(p) || strcmp(json_string_value(p), "http"))
		return 0;
	n = step_http_port(sr->sample, &tls);
	return n && !tls ? -1 : n;
}

/* Accepted protocols the documentation does not name. */
static int tls_undocumented(struct step_run *sr, const char *id, json_t *m,
			    const struct tlsprobe_result *r)
{
	json_t *doc = json_object_get(m, "protocols"), *v;
	int bad = 0, k, found;
	size_t j;

	if (!json_is_array(doc))
		return 0;
	for (k = 0; k < TLSPROBE_NVERSIONS; k++) {
		if (!r->versions[k].accepted)
			continue;
		found = 0;
		json_array_foreach(doc, j, v)
			if (!strcmp(json_string_value(v) ?: "",
				    tlsprobe_version_name(
					    r->versions[k].version)))
				found = 1;
		if (!found) {
			step_say(sr, "%s: accepts %s, which IXIT 11-ComMech "
				 "does not document",
				 id,
				 tlsprobe_version_label(r->versions[k].version));
			bad = 1;
		}
	}
	return bad;
}

/* An entry whose "protocols" list names no TLS or SSL is not TLS. */
static int tls_documented(json_t *m)
{
	json_t *doc = json_object_get(m, "protocols"), *v;
	size_t k;

	if (!json_is_array(doc))
		return 1;
	json_array_foreach(doc, k, v)
		if (cb_startswith_ci(json_string_value(v) ?: "", "TLS") ||
		    cb_startswith_ci(json_string_value(v) ?: "", "SSL") ||
		    cb_startswith_ci(json_string_value(v) ?: "", "DTLS"))
			return 1;
	return 0;
}

static enum cb_verdict tls_one(struct step_run *sr, json_t *m,
			       const struct tlsrules *rules, const char *host)
{
	const char *id = json_string_value(json_object_get(m, "id")) ?: "?";
	struct tlsprobe_opts o = {
		.max_inflight = (int)step_int(sr, "parallel", 16),
		.ca_file = step_ca_file(sr),
	};
	struct tls_finding f[TLS_MAX_FINDINGS];
	struct tlsprobe_result r;
	enum cb_verdict v = CB_V_PASS;
	size_t n, k, warns = 0;
	int port = tls_port(sr, m);
	json_t *rec;

	if (!port || !tls_documented(m))
		return CB_V_NA;
	if (port < 0) {
		step_say(sr, "%s: documented as TLS, but the API is plain "
			 "HTTP (%s)",
			 id, step_sample_profile(sr->sample)->http);
		return CB_V_FAIL;
	}
	memset(&r, 0, sizeof(r));
	if (tlsprobe_run(host, port, &o, &r, &sr->err))
		return step_bench_failed(sr);
	rec = tlsprobe_json(&r);
	if (!r.reachable || r.error[0]) {
		json_object_set_new(sr->value, id, rec);
		v = step_error(sr, CB_ENODEV, "%s: %s:%d: %s", id, host, port,
			       r.error[0] ? r.error : "unreachable");
		tlsprobe_release(&r);
		return v;
	}
	n = tlsrules_judge(rules, &r, f, TLS_MAX_FINDINGS);
	if (n > TLS_MAX_FINDINGS)
		n = TLS_MAX_FINDINGS;
	json_object_set_new(rec, "findings", tlsrules_findings_json(f, n));
	json_object_set_new(sr->value, id, rec);
	for (k = 0; k < n; k++) {
		if (f[k].severity == TLS_SEV_WARN) {
			warns++;
			continue;
		}
		step_say(sr, "%s (port %d): %s", id, port, f[k].text);
		v = CB_V_FAIL;
	}
	if (tls_undocumented(sr, id, m, &r))
		v = CB_V_FAIL;
	if (v == CB_V_PASS)
		step_say(sr, "%s (port %d): only documented, current protocols "
			 "and suites (%u handshakes)%s",
			 id, port, r.handshakes,
			 warns ? "; see the warnings in the evidence" : "");
	tlsprobe_release(&r);
	return v;
}

static enum cb_verdict tls_probe(struct step_run *sr)
{
	const char *set = step_str(sr, "rules", "tls-practice");
	json_t *mechs = step_ixit(sr, "11-ComMech"), *m;
	enum cb_verdict all = CB_V_NA, v;
	struct auth_target t;
	struct tlsrules rules;
	size_t k, n = 0;

	if (step_target(sr, sr->sample, 0, &t))
		return step_failed(sr);
	if (!t.host)
		return step_inconclusive(sr, "sample %s has no network "
					 "address",
					 step_sample_id(sr->sample));
	if (tlsrules_load_json(step_data(sr, set), &rules, &sr->err))
		return step_error(sr, sr->err.code, "data set '%s': %s", set,
				  sr->err.text);
	sr->value = json_object();
	json_array_foreach(mechs, k, m) {
		if (!step_selects(sr, "mechanisms",
				  json_string_value(json_object_get(m, "id"))))
			continue;
		v = tls_one(sr, m, &rules, t.host);
		if (v == CB_V_NA)
			continue;
		n++;
		if (v == CB_V_ERROR) {
			all = v;
			break;
		}
		all = cb_verdict_combine(all, v);
	}
	tlsrules_release(&rules);
	if (!n && all != CB_V_ERROR) {
		step_say(sr, "no TLS service with a port is documented in IXIT "
			     "11-ComMech");
		return CB_V_NA;
	}
	return all;
}

const struct step_def step_tls_probe = {
	.name = "tls.probe",
	.summary = "protocols, suites, certificate, renegotiation of each "
		   "documented TLS service, judged against best practice and "
		   "the IXIT",
	.params = tls_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = tls_probe,
};
