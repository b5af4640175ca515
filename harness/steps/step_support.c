/*
 * step_support.c - support.check: is the defined support period
 * published where the IXIT says, without login, with an end date that
 * matches the claimed one and has not passed?
 *
 * device.query: read a value the documented way (HTTP field or console
 * command) and compare it with the documented one, e.g. the model
 * designation (5.3-16).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/datefind.h"
#include "harness/steps/updkit.h"
#include "harness/vdp_text.h"

#define SUPPORT_MAX_DATES 32

static const struct step_param support_params[] = {
	{"url", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "where the support period is published (IXIT 2-UserInfo)"},
	{"claim", SP_STRING | SP_NULL, 0, NULL, 0, 0,
	 "the documented end date, YYYY-MM-DD (or YYYY-MM, YYYY)"},
	{"timeout_ms", SP_INT, 0, NULL, 100, 600000, "per request"},
	{NULL},
};

static void support_ymd(long v, char *out, size_t n)
{
	snprintf(out, n, "%04d-%02d-%02d", (int)(v / 10000 % 10000),
		 (int)(v / 100 % 100), (int)(v % 100));
}

static long support_today(const struct step_run *sr)
{
	time_t t = (time_t)step_now(sr);
	struct tm tm;

	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100L +
	       tm.tm_mday;
}

/* Judge the dates found against the claim; the verdict. */
static enum cb_verdict support_judge(struct step_run *sr,
				     const struct date_hit *hits, size_t n,
				     const char *claim)
{
	struct date_hit want;
	long today = support_today(sr), last, match = 0;
	int other = 0;
	char a[40], b[40];
	json_t *list = json_array();
	size_t k;

	for (k = 0; k < n; k++) {
		last = date_hit_last_day(&hits[k]);
		support_ymd(last, a, sizeof(a));
		json_array_append_new(list,
				      json_pack("{s:s,s:s,s:b}", "text",
						hits[k].text, "last_day", a,
						"ambiguous",
						hits[k].ambiguous));
	}
	json_object_set_new(sr->value, "dates", list);
	if (!n) {
		step_say(sr, "the page states no end date for the support "
			     "period");
		return CB_V_FAIL;
	}
	if (!claim || !claim[0])
		return step_inconclusive(sr, "the page states %s, but IXIT "
					 "2-UserInfo gives no "
					 "support_period_end to compare with",
					 hits[0].text);
	if (date_parse_claim(claim, &want))
		return step_error(sr, CB_EINVAL, "support_period_end '%s' is "
				  "not YYYY-MM-DD, YYYY-MM or YYYY", claim);
	for (k = 0; k < n && !match; k++)
		if (!hits[k].ambiguous &&
		    date_hit_last_day(&hits[k]) == date_hit_last_day(&want))
			match = date_hit_last_day(&hits[k]);
	support_ymd(date_hit_last_day(&want), b, sizeof(b));
	for (k = 1; k < n && !other; k++)
		other = date_hit_last_day(&hits[k]) !=
			date_hit_last_day(&hits[0]);
	if (!match) {
		step_say(sr, "the page states %s%s, not the documented end "
			 "date %s",
			 hits[0].text, other ? " (among other dates)" : "", b);
		return CB_V_FAIL;
	}
	json_object_set_new(sr->value, "end", json_string(b));
	if (match < today) {
		support_ymd(today, a, sizeof(a));
		step_say(sr, "the support period ended on %s (today is %s)", b,
			 a);
		return CB_V_FAIL;
	}
	step_say(sr, "published without login: support until %s, as "
		 "documented", b);
	return CB_V_PASS;
}

static enum cb_verdict support_check(struct step_run *sr)
{
	static const char *const accept[] = {
		"Accept: text/html, text/plain;q=0.9, */*;q=0.5", NULL};
	const char *url = step_str(sr, "url", "");
	struct hw_http_req req = {
		.method = "GET",
		.url = url,
		.headers = accept,
		.verify_tls = 1,
		.ca_file = step_ca_file(sr),
		.timeout_ms = (int)step_int(sr, "timeout_ms", 10000),
		.max_body = 1 << 20,
		.follow_redirects = 1,
	};
	struct date_hit hits[SUPPORT_MAX_DATES];
	struct hw_http_resp resp;
	struct hw_adapter *hw;
	enum cb_verdict v;
	char *text = NULL;
	size_t n;

	hw_http_resp_init(&resp);
	sr->value = json_pack("{s:s}", "url", url);
	if (step_http(sr, url, &hw) || hw_request(hw, &req, &resp, &sr->err)) {
		v = step_failed(sr);
		goto out;
	}
	json_object_set_new(sr->value, "status", json_integer(resp.status));
	if (resp.status == 401 || resp.status == 403) {
		step_say(sr, "the support period at %s needs a login "
			 "(HTTP %ld): it must be public", url, resp.status);
		v = CB_V_FAIL;
		goto out;
	}
	if (resp.status != 200) {
		step_say(sr, "no support period is published at %s: HTTP %ld",
			 url, resp.status);
		v = CB_V_FAIL;
		goto out;
	}
	text = vdp_plain_text(cb_buf_str(&resp.body), resp.body.len);
	n = text ? datefind(text, strlen(text), hits, SUPPORT_MAX_DATES) : 0;
	v = support_judge(sr, hits, n, step_str(sr, "claim", NULL));
out:
	free(text);
	hw_http_resp_release(&resp);
	return v;
}

const struct step_def step_support_check = {
	.name = "support.check",
	.summary = "support period published without login, with an end "
		   "date that matches the IXIT and has not passed",
	.params = support_params,
	.run = support_check,
};

static const struct step_param query_params[] = {
	{"query", SP_OBJECT, SPF_REQUIRED, NULL, 0, 0,
	 "how to read it: {path, json_field} or {console, pattern}"},
	{"expect", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "the documented value"},
	{"what", SP_STRING, 0, NULL, 0, 0, "how to name the value"},
	{NULL},
};

static int plain_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static enum cb_verdict device_query(struct step_run *sr)
{
	const char *want = step_str(sr, "expect", ""),
		   *what = step_str(sr, "what", "value"),
		   *sid = step_sample_id(sr->sample);
	char got[UPD_VALUE_MAX];

	if (upd_query(sr, step_arg(sr, "query"), got, sizeof(got)))
		return step_failed(sr);
	sr->value = json_pack("{s:s,s:s}", "value", got, "expected", want);
	if (!got[0] || !plain_text(got)) {
		step_say(sr, "%s of %s is not readable plain text", what, sid);
		return CB_V_FAIL;
	}
	if (strcmp(got, want)) {
		step_say(sr, "%s of %s reads \"%s\", the documentation says "
			 "\"%s\"", what, sid, got, want);
		return CB_V_FAIL;
	}
	step_say(sr, "%s of %s reads \"%s\", as documented", what, sid, got);
	return CB_V_PASS;
}

const struct step_def step_device_query = {
	.name = "device.query",
	.summary = "read a value the documented way (HTTP field or console "
		   "command) and compare it with the documented one",
	.params = query_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = device_query,
};
