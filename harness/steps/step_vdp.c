/*
 * step_vdp.c - vdp.check: is a vulnerability disclosure policy published
 * at a URL, with a reporting contact and timelines for acknowledgement
 * and status updates?  When the URL is a security.txt it is validated
 * against RFC 9116 and its Policy links are followed, since a
 * security.txt alone states no timelines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/sectxt.h"
#include "harness/step.h"
#include "harness/vdp_text.h"
#include "hw-adapters/hw.h"

static const struct step_param vdp_params[] = {
	{"url", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "where the policy is published (IXIT 2-UserInfo)"},
	{"verify_tls", SP_BOOL, 0, NULL, 0, 0, "default true"},
	{"timeout_ms", SP_INT, 0, NULL, 100, 600000, "per request"},
	{NULL},
};

/* GET a URL anonymously.  CB_OK and resp filled, or sr->err set. */
static int vdp_get(struct step_run *sr, const char *url,
		   struct hw_http_resp *resp)
{
	static const char *const accept[] = {
		"Accept: text/plain, text/html;q=0.9, */*;q=0.5", NULL};
	struct hw_http_req req = {
		.method = "GET",
		.url = url,
		.headers = accept,
		.verify_tls = step_bool(sr, "verify_tls", 1),
		.ca_file = step_ca_file(sr),
		.timeout_ms = (int)step_int(sr, "timeout_ms", 10000),
		.max_body = 1 << 20,
		.follow_redirects = 1,
	};
	struct hw_adapter *hw;

	if (step_http(sr, url, &hw))
		return sr->err.code;
	return hw_request(hw, &req, resp, &sr->err);
}

/* Validate a security.txt; returns the number of errors. */
static size_t vdp_sectxt(struct step_run *sr, const struct hw_http_resp *r,
			 struct sectxt *st, json_t *val)
{
	json_t *list = json_array();
	size_t k, errors;

	sectxt_validate(st, cb_buf_str(&r->body), r->body.len,
			r->effective_url, r->content_type,
			(time_t)step_now(sr));
	for (k = 0; k < st->nf; k++) {
		const struct sectxt_finding *f = &st->f[k];

		json_array_append_new(list,
				      json_pack("{s:s,s:s,s:i,s:s}", "severity",
						sectxt_sev_name(f->sev), "rule",
						f->rule, "line", f->line, "text",
						f->text));
		if (f->sev == SECTXT_ERROR)
			step_say(sr, "security.txt breaks %s%s%.0d: %s",
				 f->rule, f->line ? " at line " : "", f->line,
				 f->text);
	}
	errors = sectxt_count(st, SECTXT_ERROR);
	json_object_set_new(val, "security_txt",
			    json_pack("{s:b,s:o,s:O}", "valid", errors == 0,
				      "findings", list, "contact",
				      st->contact));
	return errors;
}

/* Fetch the first Policy link and scan it; 0 on success. */
static int vdp_follow_policy(struct step_run *sr, const struct sectxt *st,
			     struct vdp_findings *vf, json_t *val)
{
	const char *url = json_string_value(json_array_get(st->policy, 0));
	struct hw_http_resp resp;
	char *text;
	int rc = 0;

	hw_http_resp_init(&resp);
	json_object_set_new(val, "policy_url", json_string(url));
	if (vdp_get(sr, url, &resp)) {
		step_say(sr, "the Policy link %s could not be fetched: %s", url,
			 sr->err.text);
		rc = -1;
	} else if (resp.status != 200) {
		step_say(sr, "the Policy link %s answered HTTP %ld", url,
			 resp.status);
		rc = 1;
	} else {
		text = vdp_plain_text(cb_buf_str(&resp.body), resp.body.len);
		vdp_scan(vf, text ? text : "");
		free(text);
	}
	hw_http_resp_release(&resp);
	return rc;
}

static enum cb_verdict vdp_judge(struct step_run *sr, struct vdp_findings *vf,
				 const char *contact, size_t sectxt_errors)
{
	int fail = sectxt_errors > 0;

	if (!contact[0]) {
		step_say(sr, "no reporting contact found");
		fail = 1;
	}
	if (!vf->ack[0]) {
		step_say(sr, "no timeline for acknowledging receipt of a "
			     "report found");
		fail = 1;
	}
	if (!vf->status[0]) {
		step_say(sr, "no timeline for status updates until resolution "
			     "found");
		fail = 1;
	}
	if (fail)
		return CB_V_FAIL;
	step_say(sr, "contact: %s; acknowledgement: \"%s\"; status updates: "
		     "\"%s\"",
		 contact, vf->ack, vf->status);
	return CB_V_PASS;
}

static enum cb_verdict vdp_check(struct step_run *sr)
{
	const char *url = step_str(sr, "url", "");
	struct vdp_findings vf;
	struct hw_http_resp resp;
	struct sectxt st = {0};
	char contact[256] = "", *text;
	size_t errors = 0;
	enum cb_verdict v;
	int rc;

	hw_http_resp_init(&resp);
	sr->value = json_pack("{s:s}", "url", url);
	if (vdp_get(sr, url, &resp)) {
		v = step_failed(sr);
		goto out;
	}
	json_object_set_new(sr->value, "status", json_integer(resp.status));
	if (resp.status != 200) {
		step_say(sr, "no policy is published at %s: HTTP %ld", url,
			 resp.status);
		v = CB_V_FAIL;
		goto out;
	}
	memset(&vf, 0, sizeof(vf));
	if (sectxt_is_url(url)) {
		errors = vdp_sectxt(sr, &resp, &st, sr->value);
		snprintf(contact, sizeof(contact), "%s",
			 json_string_value(json_array_get(st.contact, 0))
				 ?: "");
		if (json_array_size(st.policy)) {
			rc = vdp_follow_policy(sr, &st, &vf, sr->value);
			if (rc < 0) {
				v = step_bench_failed(sr);
				goto out;
			}
		} else {
			vdp_scan(&vf, cb_buf_str(&resp.body));
		}
	} else {
		text = vdp_plain_text(cb_buf_str(&resp.body), resp.body.len);
		vdp_scan(&vf, text ? text : "");
		free(text);
		snprintf(contact, sizeof(contact), "%s", vf.contact);
	}
	json_object_set_new(sr->value, "contact", json_string(contact));
	json_object_set_new(sr->value, "acknowledgement", json_string(vf.ack));
	json_object_set_new(sr->value, "status_updates",
			    json_string(vf.status));
	v = vdp_judge(sr, &vf, contact, errors);
out:
	sectxt_release(&st);
	hw_http_resp_release(&resp);
	return v;
}

const struct step_def step_vdp_check = {
	.name = "vdp.check",
	.summary = "policy published at a URL with contact and timelines; "
		   "security.txt checked against RFC 9116",
	.params = vdp_params,
	.run = vdp_check,
};
