/*
 * record.c - turn a finished run into the report record (report.json).
 *
 * The record is what the lab signs: who tested what, with which method and
 * inputs (each by SHA-256), every verdict with its rationale and the
 * evidence records behind it, and the ISO/IEC 17025 7.8 statements.  It
 * holds no floats and no secrets, and its bytes depend only on its
 * content (reports/ writes it with sorted keys).  Writers for other
 * formats read this record, never the runner.
 */
#include <stdio.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/evidence.h"
#include "harness/paths.h"
#include "harness/record.h"
#include "harness/version.h"

static json_t *rec_range(uint64_t first, uint64_t last)
{
	return json_pack("{s:I,s:I}", "first", (json_int_t)first, "last",
			 (json_int_t)last);
}

static void rec_count(json_t *counts, enum cb_verdict v)
{
	const char *name = cb_verdict_name(v);
	json_t *n = json_object_get(counts, name);

	json_object_set_new(counts, name,
			    json_integer(n ? json_integer_value(n) + 1 : 1));
}

static json_t *rec_units(const struct case_result *cr, json_t *ucount,
			 int *draft)
{
	json_t *units = json_array(), *u, *per;
	size_t k, p;

	for (k = 0; k < cr->nunits; k++) {
		const struct unit_result *ur = &cr->units[k];

		per = json_array();
		for (p = 0; p < ur->nper; p++) {
			const struct sample_result *sr = &ur->per[p];

			json_array_append_new(
				per, json_pack("{s:s?,s:s,s:s,s:o}", "sample",
					       sr->sample, "verdict",
					       cb_verdict_name(sr->verdict),
					       "rationale", sr->why ? sr->why : "",
					       "evidence",
					       rec_range(sr->ev_first,
							 sr->ev_last)));
		}
		u = json_pack("{s:s,s:s,s:s,s:o}", "id", ur->unit->id, "title",
			      ur->unit->title, "verdict",
			      cb_verdict_name(ur->verdict), "results", per);
		json_array_append_new(units, u);
		rec_count(ucount, ur->verdict);
		if (!cb_verdict_final(ur->verdict))
			*draft = 1;
	}
	return units;
}

static json_t *rec_cases(const struct run_ctx *r, json_t *summary,
			 int *draft)
{
	json_t *cases = json_array(), *c, *ccount = json_object(),
	       *ucount = json_object();
	size_t k;

	for (k = 0; k < r->nsel; k++) {
		const struct case_result *cr = &r->results[k];
		const struct tc_case *tc = cr->tc;

		c = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o}", "id",
			      tc->id, "provision", tc->provision, "kind",
			      tc->kind, "title", tc->title, "verdict",
			      cb_verdict_name(cr->verdict), "script_sha256",
			      tc->sha256, "elapsed_ms",
			      (json_int_t)cr->elapsed_ms, "evidence",
			      rec_range(cr->ev_first, cr->ev_last), "units",
			      rec_units(cr, ucount, draft));
		if (cr->reason)
			json_object_set_new(c, "reason",
					    json_string(cr->reason));
		json_array_append_new(cases, c);
		rec_count(ccount, cr->verdict);
		if (!cb_verdict_final(cr->verdict))
			*draft = 1;
	}
	json_object_set_new(summary, "cases", ccount);
	json_object_set_new(summary, "units", ucount);
	return cases;
}

/* Verdict of a provision from the cases run for it; NONE if none ran. */
static enum cb_verdict rec_provision_verdict(const struct run_ctx *r,
					     const char *id, json_t *ids)
{
	enum cb_verdict v = CB_V_NONE;
	size_t k;

	for (k = 0; k < r->nsel; k++) {
		if (strcmp(r->results[k].tc->provision, id))
			continue;
		v = cb_verdict_combine(v, r->results[k].verdict);
		if (ids)
			json_array_append_new(ids,
					      json_string(r->results[k].tc->id));
	}
	return v;
}

static json_t *rec_provisions(const struct run_ctx *r)
{
	json_t *out = json_array(), *ids;
	enum cb_verdict v;
	size_t k;

	for (k = 0; k < r->cat.nprov; k++) {
		const struct cat_provision *p = &r->cat.prov[k];

		ids = json_array();
		v = rec_provision_verdict(r, p->id, ids);
		if (v == CB_V_NONE) {
			json_decref(ids);
			continue;
		}
		json_array_append_new(
			out, json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", p->id,
				       "status", p->status, "summary",
				       p->summary, "verdict",
				       cb_verdict_name(v), "cases", ids));
	}
	return out;
}

static json_t *rec_scheme(const struct run_ctx *r)
{
	json_t *provs = json_array(), *pid;
	const char *outcome = "conformant";
	int fail = 0, open = 0;
	enum cb_verdict v;
	size_t k;

	json_array_foreach(r->scheme.provisions, k, pid) {
		v = rec_provision_verdict(r, json_string_value(pid), NULL);
		json_array_append_new(
			provs, json_pack("{s:s,s:s}", "id", json_string_value(pid),
					 "verdict",
					 v == CB_V_NONE ? "NOT ASSESSED"
							: cb_verdict_name(v)));
		if (v == CB_V_FAIL)
			fail = 1;
		else if (v != CB_V_PASS && v != CB_V_NA)
			open = 1;
	}
	if (fail)
		outcome = "not conformant";
	else if (open)
		outcome = "incomplete";
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:s}", "id", r->scheme.id,
			 "title", r->scheme.title, "basis", r->scheme.basis,
			 "decision_rule", r->scheme.decision_rule,
			 "provisions", provs, "outcome", outcome);
}

static json_t *rec_samples(const struct run_ctx *r)
{
	static const char *const keep[] = {"id",       "serial",    "mac",
					   "model",    "label",     "received",
					   "condition", "notes",    NULL};
	json_t *out = json_array(), *s, *src, *v;
	const char *const *k;
	size_t i;

	for (i = 0; i < r->prof.nsamples; i++) {
		src = r->prof.samples[i].obj;
		s = json_object();
		/* Never the credentials: only identity and bench wiring. */
		for (k = keep; *k; k++)
			if ((v = json_object_get(src, *k)))
				json_object_set(s, *k, v);
		json_object_set_new(
			s, "adapters",
			json_pack("{s:s?,s:s?}", "console",
				  r->prof.samples[i].console, "http",
				  r->prof.samples[i].http));
		json_array_append_new(out, s);
	}
	return out;
}

static json_t *rec_inputs(const struct run_ctx *r)
{
	json_t *in, *scripts = json_array();
	char cat_sha[CB_SHA256_HEX];
	size_t k;

	for (k = 0; k < r->nsel; k++)
		json_array_append_new(scripts,
				      json_pack("{s:s,s:s}", "id", r->sel[k]->id,
						"sha256", r->sel[k]->sha256));
	cb_sha256_hex(cat_sha, r->cat.doc.text, r->cat.doc.text_len);
	in = json_pack("{s:{s:s},s:s,s:o,s:O}", "profile", "sha256",
		       r->prof.sha256, "catalog_sha256", cat_sha, "scripts",
		       scripts, "data", r->data_files);
	if (r->have_answers)
		json_object_set_new(in, "answers",
				    json_pack("{s:s}", "sha256", r->ans.sha256));
	if (r->lab)
		json_object_set_new(in, "lab",
				    json_pack("{s:s}", "sha256", r->lab_sha256));
	if (r->have_scheme)
		json_object_set_new(in, "scheme", json_pack("{s:s}", "id",
							   r->scheme.id));
	return in;
}

static const char *rec_conformity(enum cb_verdict overall, int draft)
{
	if (overall == CB_V_FAIL)
		return "The product does NOT conform: at least one assessed "
		       "provision failed. The non-conformities are listed "
		       "per provision and test case with their rationale.";
	if (draft)
		return "No statement of conformity: this is a DRAFT report "
		       "because some verdicts are INCONCLUSIVE or ERROR and "
		       "must be resolved before release.";
	return "The product conforms to every assessed provision listed in "
	       "this report (PASS, or NA where the ICS condition does not "
	       "hold). Provisions not listed were not assessed.";
}

static const char *const rec_decision_rule =
	"A test unit is PASS or FAIL as its script states; a test case is "
	"FAIL if any unit fails, PASS if all pass, otherwise the worst of "
	"ERROR, INCONCLUSIVE; NA comes only from ICS conditions. A "
	"provision combines its test cases the same way. Verdicts are "
	"attribute decisions, not measurements: simple acceptance applies, "
	"with no guard band. Any INCONCLUSIVE or ERROR verdict makes the "
	"report a draft.";

static json_t *rec_statements(void)
{
	return json_pack(
		"{s:s,s:s,s:s,s:s}", "items_tested",
		"The results relate only to the items (samples) tested, in the "
		"state and configuration recorded in this report.",
		"reproduction",
		"This report shall not be reproduced except in full without "
		"the written approval of the issuing laboratory.",
		"sampling",
		"The samples were supplied by the customer; no sampling plan "
		"was applied by the laboratory.",
		"secrets",
		"Passwords and other secrets are never recorded in clear; the "
		"evidence holds keyed fingerprints (HMAC-SHA-256 with the salt "
		"in the first evidence record).");
}

int record_build(json_t **out, const struct run_ctx *r, struct cb_error *err)
{
	char started[CB_RFC3339_LEN], finished[CB_RFC3339_LEN],
		issued[CB_RFC3339_LEN], head[CB_SHA256_HEX], fsha[CB_SHA256_HEX],
		path[PATH_MAX + 32];
	json_t *rec, *summary = json_object();
	enum cb_verdict overall = run_overall(r);
	uint64_t nrec = 0;
	int draft = 0, rc;

	*out = NULL;
	cb_path_join(path, sizeof(path), r->dir, "evidence.jsonl");
	rc = ev_verify_file(path, &nrec, head, err);
	if (!rc)
		rc = cb_sha256_file_hex(fsha, path, err);
	if (rc) {
		json_decref(summary);
		return rc;
	}
	cb_rfc3339(started, r->started);
	cb_rfc3339(finished, r->finished);
	cb_rfc3339(issued, time(NULL));
	rec = json_pack("{s:i,s:s,s:s}", "certbench_report", 1, "report_id",
			r->id, "title",
			"Test report: ETSI EN 303 645 conformance assessment "
			"(ETSI TS 103 701 test cases)");
	json_object_set_new(rec, "cases", rec_cases(r, summary, &draft));
	json_object_set_new(rec, "provisions", rec_provisions(r));
	json_object_set_new(rec, "summary", summary);
	json_object_set_new(rec, "overall_verdict",
			    json_string(cb_verdict_name(overall)));
	json_object_set_new(rec, "status", json_string(draft ? "draft"
								: "final"));
	json_object_set_new(rec, "conformity_statement",
			    json_string(rec_conformity(overall, draft)));
	json_object_set_new(rec, "decision_rule",
			    json_string(rec_decision_rule));
	if (r->have_scheme)
		json_object_set_new(rec, "scheme", rec_scheme(r));
	json_object_set_new(
		rec, "method",
		json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s}}", "standard",
			  r->cat.standard, "standard_version", r->cat.version,
			  "standard_date", r->cat.date, "test_specification",
			  r->cat.test_spec, "harness", "name", "certbench",
			  "version", CB_VERSION, "git", cb_git_rev()));
	json_object_set_new(rec, "lab",
			    r->lab ? json_deep_copy(r->lab)
				   : json_pack("{s:s}", "name",
					       "not stated (no --lab file)"));
	if (r->prof.customer)
		json_object_set_new(rec, "customer",
				    json_deep_copy(r->prof.customer));
	json_object_set_new(rec, "product", json_deep_copy(r->prof.product));
	json_object_set_new(rec, "samples", rec_samples(r));
	json_object_set_new(rec, "inputs", rec_inputs(r));
	json_object_set_new(
		rec, "evidence",
		json_pack("{s:s,s:s,s:I,s:s}", "file", "evidence.jsonl",
			  "sha256", fsha, "records", (json_int_t)nrec,
			  "chain_head", head));
	json_object_set_new(rec, "dates",
			    json_pack("{s:s,s:s,s:s}", "started", started,
				      "finished", finished, "issued", issued));
	if (r->have_answers)
		json_object_set_new(rec, "assessor",
				    json_pack("{s:s,s:s?}", "name",
					      r->ans.assessor, "role",
					      r->ans.role));
	json_object_set_new(rec, "statements", rec_statements());
	*out = rec;
	return CB_OK;
}
