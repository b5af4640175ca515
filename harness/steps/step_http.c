/*
 * step_http.c - http.request: one HTTP(S) exchange with the device API
 * (relative URL) or any web server (absolute URL).  A transport failure
 * (no connection, TLS verification failure, a body over its ceiling) is
 * a bench ERROR with libcurl's reason; an unexpected status is a FAIL.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_text.h"
#include "harness/step.h"
#include "hw-adapters/hw.h"

#define HTTP_MAX_HEADERS 32

static const struct step_param http_params[] = {
	{"url", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "absolute URL, or a path on the sample's API"},
	{"method", SP_STRING, 0, "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS", 0,
	 0, "default GET"},
	{"headers", SP_OBJECT, 0, NULL, 0, 0, "extra request headers"},
	{"body", SP_STRING | SP_OBJECT | SP_ARRAY, 0, NULL, 0, 0,
	 "request body; objects and lists are sent as JSON"},
	{"expect_status", SP_INT | SP_ARRAY, 0, NULL, 0, 0,
	 "FAIL unless the status is this (or one of these)"},
	{"verify_tls", SP_BOOL, 0, NULL, 0, 0, "default true"},
	{"follow_redirects", SP_BOOL, 0, NULL, 0, 0, "default false"},
	{"timeout_ms", SP_INT, 0, NULL, 100, 600000, "default 10000"},
	{"max_bytes", SP_INT, 0, NULL, 1, 64 << 20,
	 "response body ceiling, default 1 MiB"},
	{NULL},
};

/* Response headers as an object of lower-case names. */
static json_t *http_headers_json(const char *raw)
{
	json_t *h = json_object();
	char name[128], *colon;
	const char *line = raw, *end;
	size_t n, k;

	for (; *line; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		colon = memchr(line, ':', (size_t)(end - line));
		if (!colon || colon - line >= (long)sizeof(name))
			continue;
		n = (size_t)(colon - line);
		for (k = 0; k < n; k++)
			name[k] = (char)tolower((unsigned char)line[k]);
		name[n] = '\0';
		for (colon++; colon < end && *colon == ' '; colon++)
			;
		n = (size_t)(end - colon);
		while (n && (colon[n - 1] == '\r' || colon[n - 1] == ' '))
			n--;
		json_object_set_new(h, name, json_stringn(colon, n));
	}
	return h;
}

static int http_status_ok(json_t *want, long status)
{
	json_t *v;
	size_t k;

	if (!want)
		return 1;
	if (json_is_integer(want))
		return json_integer_value(want) == status;
	json_array_foreach(want, k, v)
		if (json_is_integer(v) && json_integer_value(v) == status)
			return 1;
	return 0;
}

/* The step's value: what a later step may read. */
static json_t *http_value(const struct hw_http_resp *resp)
{
	const char *body = cb_buf_str(&resp->body);
	json_t *v, *parsed;

	v = json_pack("{s:I,s:s,s:s,s:o}", "status", (json_int_t)resp->status,
		      "url", resp->effective_url, "content_type",
		      resp->content_type, "headers",
		      http_headers_json(cb_buf_str(&resp->headers)));
	if (cb_utf8_valid(body, resp->body.len) &&
	    !memchr(body, '\0', resp->body.len))
		json_object_set_new(v, "body",
				    json_stringn(body, resp->body.len));
	if (strstr(resp->content_type, "json")) {
		parsed = json_loadb(body, resp->body.len, 0, NULL);
		if (parsed)
			json_object_set_new(v, "json", parsed);
	}
	return v;
}

static enum cb_verdict http_request_run(struct step_run *sr)
{
	const char *hdrs[HTTP_MAX_HEADERS + 1] = {0}, *key;
	char *hbuf[HTTP_MAX_HEADERS] = {0}, *body = NULL;
	struct hw_http_req req = {0};
	struct hw_http_resp resp;
	struct hw_adapter *hw;
	json_t *v, *b = step_arg(sr, "body");
	enum cb_verdict verdict = CB_V_PASS;
	size_t nh = 0, k;

	req.method = step_str(sr, "method", "GET");
	req.url = step_str(sr, "url", "");
	req.verify_tls = step_bool(sr, "verify_tls", 1);
	req.follow_redirects = step_bool(sr, "follow_redirects", 0);
	req.timeout_ms = (int)step_int(sr, "timeout_ms", 10000);
	req.max_body = (size_t)step_int(sr, "max_bytes", 1 << 20);
	req.ca_file = step_ca_file(sr);
	json_object_foreach(step_arg(sr, "headers"), key, v) {
		if (nh == HTTP_MAX_HEADERS || !json_is_string(v))
			return step_inconclusive(sr, "headers must be at most "
						     "%d strings",
						 HTTP_MAX_HEADERS);
		if (asprintf(&hbuf[nh], "%s: %s", key, json_string_value(v)) < 0)
			return step_error(sr, CB_ENOMEM, "out of memory");
		hdrs[nh] = hbuf[nh];
		nh++;
	}
	req.headers = hdrs;
	if (json_is_string(b)) {
		req.body = json_string_value(b);
		req.body_len = json_string_length(b);
	} else if (b) {
		body = json_dumps(b, JSON_COMPACT);
		req.body = body;
		req.body_len = body ? strlen(body) : 0;
	}
	hw_http_resp_init(&resp);
	if (step_http(sr, req.url, &hw) ||
	    hw_request(hw, &req, &resp, &sr->err)) {
		verdict = step_failed(sr);
		goto out;
	}
	sr->value = http_value(&resp);
	if (!http_status_ok(step_arg(sr, "expect_status"), resp.status)) {
		step_say(sr, "%s %s answered HTTP %ld, not the expected status",
			 req.method, req.url, resp.status);
		verdict = CB_V_FAIL;
	} else {
		step_say(sr, "%s %s answered HTTP %ld (%zu bytes%s%s)",
			 req.method, req.url, resp.status, resp.body.len,
			 resp.tls_version[0] ? ", " : "", resp.tls_version);
	}
out:
	hw_http_resp_release(&resp);
	for (k = 0; k < nh; k++)
		free(hbuf[k]);
	free(body);
	return verdict;
}

const struct step_def step_http_request = {
	.name = "http.request",
	.summary = "one HTTP(S) request; FAIL on an unexpected status",
	.params = http_params,
	.run = http_request_run,
};
