/*
 * updkit.c - shared by the update and secure-boot steps (see updkit.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/benchtool.h"
#include "harness/cb_buf.h"
#include "harness/cb_text.h"
#include "harness/console.h"
#include "harness/evidence.h"
#include "harness/profile.h"
#include "harness/steps/updkit.h"

/* The body with {url} replaced; malloc()ed. */
static char *upd_fill_url(const char *body, const char *url)
{
	const char *at = url ? strstr(body, "{url}") : NULL;
	char *out = NULL;

	if (!at)
		return strdup(body);
	if (asprintf(&out, "%.*s%s%s", (int)(at - body), body, url, at + 5) < 0)
		return NULL;
	return out;
}

int upd_send_as(struct step_run *sr, json_t *spec, const char *def_method,
		const void *body, size_t len, size_t abort_after,
		const char *url, const char *user, const char *password,
		struct hw_http_resp *resp)
{
	const char *auth = json_string_value(json_object_get(spec, "auth")),
		   *path = json_string_value(json_object_get(spec, "path")),
		   *ctype = json_string_value(json_object_get(spec,
							      "content_type")),
		   *tmpl = json_string_value(json_object_get(spec, "body"));
	const char *headers[3] = {NULL};
	char ct[192];
	char *filled = NULL;
	struct hw_http_req req = {
		.method = json_string_value(json_object_get(spec, "method"))
				  ?: def_method,
		.url = path,
		.headers = headers,
		.verify_tls = 1,
		.ca_file = step_ca_file(sr),
		.timeout_ms = 30000,
		.max_body = 256 * 1024,
		.abort_after = abort_after,
	};
	struct hw_adapter *hw;
	int rc;

	if (!body && tmpl) {
		filled = upd_fill_url(tmpl, url);
		if (!filled)
			return cb_error_set(&sr->err, CB_ENOMEM, "out of memory");
		body = filled;
		len = strlen(filled);
		if (!ctype)
			ctype = "application/json";
	}
	if (!ctype && body)
		ctype = "application/octet-stream";
	if (ctype) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		headers[0] = ct;
	}
	req.body = body;
	req.body_len = body ? len : 0;
	if (user && auth && strcmp(auth, "none")) {
		req.auth = strcmp(auth, "digest") ? HW_AUTH_BASIC
						  : HW_AUTH_DIGEST;
		req.user = user;
		req.password = password;
	}
	rc = step_http(sr, path, &hw);
	if (!rc)
		rc = hw_request(hw, &req, resp, &sr->err);
	free(filled);
	return rc;
}

int upd_credentials(struct step_run *sr, const char *auth, const char *path,
		    struct hw_http_req *req)
{
	const struct profile_sample *ps = step_sample_profile(sr->sample);

	if (!auth || !strcmp(auth, "none"))
		return CB_OK;
	if (!ps || !ps->user)
		return cb_error_set(&sr->err, CB_ENOTSUP,
				    "%s needs credentials but sample %s has "
				    "none in the profile",
				    path, step_sample_id(sr->sample));
	if (ev_secret_add(step_evidence(sr), ps->password, &sr->err))
		return sr->err.code;
	req->auth = strcmp(auth, "digest") ? HW_AUTH_BASIC : HW_AUTH_DIGEST;
	req->user = ps->user;
	req->password = ps->password;
	return CB_OK;
}

int upd_send(struct step_run *sr, json_t *spec, const char *def_method,
	     const void *body, size_t len, size_t abort_after, const char *url,
	     struct hw_http_resp *resp)
{
	const char *auth = json_string_value(json_object_get(spec, "auth"));
	struct hw_http_req creds = {0};

	if (upd_credentials(sr, auth,
			    json_string_value(json_object_get(spec, "path")),
			    &creds))
		return sr->err.code;
	return upd_send_as(sr, spec, def_method, body, len, abort_after, url,
			   creds.user, creds.password, resp);
}

int upd_answer_accepts(json_t *spec, const struct hw_http_resp *resp)
{
	json_t *list = json_object_get(spec, "accept_status"), *v, *m, *doc,
	       *got;
	int ok = 0;
	size_t k;

	if (!json_array_size(list))
		ok = resp->status == 200;
	json_array_foreach(list, k, v)
		if (json_integer_value(v) == resp->status)
			ok = 1;
	m = json_object_get(spec, "accept_json");
	if (!ok || !m)
		return ok;
	doc = json_loadb(cb_buf_str(&resp->body), resp->body.len, 0, NULL);
	got = json_object_get(doc,
			      json_string_value(json_object_get(m, "field")));
	ok = got && json_equal(got, json_object_get(m, "equals"));
	json_decref(doc);
	return ok;
}

static int upd_copy_value(struct step_run *sr, const char *s, size_t n,
			  char *out, size_t outlen)
{
	size_t k;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= outlen)
		return cb_error_set(&sr->err, CB_ETOOBIG,
				    "value longer than %zu bytes", outlen - 1);
	for (k = 0; k < n; k++)
		out[k] = s[k];
	out[n] = '\0';
	return CB_OK;
}

static int upd_query_http(struct step_run *sr, json_t *q, char *out,
			  size_t outlen)
{
	const char *field = json_string_value(json_object_get(q, "json_field"));
	struct hw_http_resp resp;
	json_t *doc = NULL, *v;
	char num[32];
	int rc;

	hw_http_resp_init(&resp);
	rc = upd_send(sr, q, "GET", NULL, 0, 0, NULL, &resp);
	if (rc)
		goto out;
	if (resp.status != 200) {
		rc = cb_error_set(&sr->err, CB_EPROTO, "%s answered HTTP %ld",
				  json_string_value(json_object_get(q, "path")),
				  resp.status);
		goto out;
	}
	doc = json_loadb(cb_buf_str(&resp.body), resp.body.len, 0, NULL);
	v = json_object_get(doc, field);
	if (json_is_string(v)) {
		rc = upd_copy_value(sr, json_string_value(v),
				    json_string_length(v), out, outlen);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		rc = upd_copy_value(sr, num, strlen(num), out, outlen);
	} else {
		rc = cb_error_set(&sr->err, CB_EPROTO,
				  "the answer of %s has no field '%s'",
				  json_string_value(json_object_get(q, "path")),
				  field);
	}
out:
	json_decref(doc);
	hw_http_resp_release(&resp);
	return rc;
}

static int upd_query_console(struct step_run *sr, json_t *q, char *out,
			     size_t outlen)
{
	const struct profile_sample *ps = step_sample_profile(sr->sample);
	const struct console_mech *m = step_mech(sr);
	const char *cmd = json_string_value(json_object_get(q, "console")),
		   *pat = json_string_value(json_object_get(q, "pattern"));
	enum console_outcome oc;
	struct console *con;
	struct cb_buf output;
	regmatch_t g[2];
	regex_t re;
	int rc, nopw;

	if (!m)
		return cb_error_set(&sr->err, CB_ENOTSUP,
				    "no console mechanism in IXIT 1-AuthMech "
				    "to read '%s' with",
				    cmd);
	if (step_console(sr, sr->sample, &con))
		return sr->err.code;
	if (con->state != CON_LOGGED_IN) {
		if (!ps || !ps->user)
			return cb_error_set(&sr->err, CB_ENOTSUP,
					    "sample %s has no credentials to "
					    "log in with",
					    step_sample_id(sr->sample));
		if (ev_secret_add(step_evidence(sr), ps->password, &sr->err))
			return sr->err.code;
		rc = console_login(con, m, ps->user, ps->password, &oc, &nopw,
				   &sr->err);
		if (rc)
			return rc;
		if (oc != CONSOLE_ACCEPTED)
			return cb_error_set(&sr->err, CB_EPROTO,
					    "console login as '%s' refused",
					    ps->user);
	}
	cb_buf_init(&output, CONSOLE_RX_MAX);
	rc = console_command(con, m, cmd, &output, &sr->err);
	if (!rc && regcomp(&re, pat, REG_EXTENDED | REG_NEWLINE))
		rc = cb_error_set(&sr->err, CB_EINVAL, "bad pattern");
	else if (!rc) {
		if (regexec(&re, cb_buf_str(&output), 2, g, 0) ||
		    g[1].rm_so < 0)
			rc = cb_error_set(&sr->err, CB_EPROTO,
					  "the output of '%s' does not match "
					  "/%s/",
					  cmd, pat);
		else
			rc = upd_copy_value(sr, cb_buf_str(&output) + g[1].rm_so,
					    (size_t)(g[1].rm_eo - g[1].rm_so),
					    out, outlen);
		regfree(&re);
	}
	cb_buf_release(&output);
	return rc;
}

int upd_query(struct step_run *sr, json_t *query, char *out, size_t outlen)
{
	out[0] = '\0';
	if (!json_is_object(query))
		return cb_error_set(&sr->err, CB_ENOTSUP,
				    "the profile does not say how to read it");
	if (json_object_get(query, "console"))
		return upd_query_console(sr, query, out, outlen);
	return upd_query_http(sr, query, out, outlen);
}

int upd_layout(json_t *obj, struct fw_layout *l)
{
	json_t *v;

	memset(l, 0, sizeof(*l));
	l->key_offset = l->flip_header = l->flip_payload = l->flip_signature =
		-1;
	if (!json_is_object(obj))
		return -1;
	l->header_len = (size_t)json_integer_value(
		json_object_get(obj, "header_bytes"));
	l->sig_len = (size_t)json_integer_value(
		json_object_get(obj, "signature_bytes"));
	if (fw_sigalg_parse(json_string_value(json_object_get(obj,
							      "signature")),
			    &l->alg))
		l->alg = FW_SIG_UNKNOWN;
	if ((v = json_object_get(obj, "signer_key_offset")))
		l->key_offset = (long)json_integer_value(v);
	if ((v = json_object_get(obj, "flip_header")))
		l->flip_header = (long)json_integer_value(v);
	if ((v = json_object_get(obj, "flip_payload")))
		l->flip_payload = (long)json_integer_value(v);
	if ((v = json_object_get(obj, "flip_signature")))
		l->flip_signature = (long)json_integer_value(v);
	return 0;
}

static int upd_write_file(const char *path, const unsigned char *p, size_t n)
{
	char tmp[4300];
	ssize_t w;
	int fd;

	/* A name of its own: samples in parallel may keep the same image. */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0644)) {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int upd_keep(struct step_run *sr, const char *mech, const char *attack,
	     const struct fw_image *im, char *out, size_t outlen)
{
	char dir[4096], path[4200];
	struct stat st;
	json_t *rec;

	snprintf(dir, sizeof(dir), "%s/update-images", step_run_dir(sr));
	if (mkdir(dir, 0755) && errno != EEXIST)
		return cb_error_set_os(&sr->err, CB_EIO, "mkdir %s", dir);
	snprintf(path, sizeof(path), "%s/%s.bin", dir, im->sha256);
	if (stat(path, &st) && upd_write_file(path, im->data, im->len))
		return cb_error_set_os(&sr->err, CB_EIO, "write %s", path);
	if (out)
		snprintf(out, outlen, "%s", path);
	rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "type",
			"update-image", "sample", step_sample_id(sr->sample),
			"mechanism", mech, "attack", attack, "sha256",
			im->sha256, "bytes", (json_int_t)im->len, "what",
			im->what, "file", path + strlen(step_run_dir(sr)) + 1);
	return ev_append(step_evidence(sr), rec, NULL, &sr->err);
}

/*
 * Power or reset through the console adapter's own pins; the adapter's
 * tap records the switching as evidence.
 */
static int upd_pins(struct step_run *sr, const char *tool, const char *arg)
{
	struct console *con;
	int rc = step_console(sr, sr->sample, &con);

	if (rc)
		return rc;
	if (!strcmp(tool, "reset"))
		return hw_reset(con->hw, &sr->err);
	if (!strcmp(tool, "power"))
		return hw_power(con->hw, !strcmp(arg, "on"), &sr->err);
	return cb_error_set(&sr->err, CB_ENOTSUP,
			    "the console adapter cannot serve as '%s'", tool);
}

int upd_tool(struct step_run *sr, const char *tool, const char *arg)
{
	json_t *spec = json_object_get(
		step_sample_profile(sr->sample)->obj, tool);
	const char *extra[] = {arg, NULL};
	struct benchtool_result res;
	json_t *rec;
	int rc;

	if (json_is_string(spec) && !strcmp(json_string_value(spec), "console"))
		return upd_pins(sr, tool, arg);
	if (!json_is_string(spec))
		return cb_error_set(&sr->err, CB_ENOTSUP,
				    "sample %s has no '%s' bench tool in the "
				    "profile",
				    step_sample_id(sr->sample), tool);
	rc = benchtool_run(json_string_value(spec), extra, 30000, &res,
			   &sr->err);
	rec = json_pack("{s:s,s:s,s:s,s:s,s:i,s:I,s:s}", "type", "bench-tool",
			"sample", step_sample_id(sr->sample), "tool", tool,
			"arg", arg, "status", res.status, "elapsed_ms",
			(json_int_t)res.elapsed_ms, "output", res.output);
	if (rc)
		json_object_set_new(rec, "error", json_string(sr->err.text));
	ev_append(step_evidence(sr), rec, NULL, NULL);
	return rc;
}

static int upd_kind_in(const char *const *kinds, const char *s)
{
	for (; *kinds; kinds++)
		if (s && !strcmp(*kinds, s))
			return 1;
	return 0;
}

enum cb_verdict upd_each(struct step_run *sr, const char *const *kinds,
			 enum cb_verdict (*one)(struct step_run *sr,
						json_t *mech),
			 const char *none)
{
	int any = !strcmp(step_str(sr, "require", "all"), "any");
	enum cb_verdict all = CB_V_NA, best = CB_V_NA, v;
	json_t *m;
	size_t k, n = 0;

	sr->value = json_object();
	json_array_foreach(step_ixit(sr, "7-UpdMech"), k, m) {
		if (!upd_kind_in(kinds, json_string_value(json_object_get(
						m, "delivery"))) ||
		    !step_selects(sr, "mechanisms",
				  json_string_value(json_object_get(m, "id"))))
			continue;
		n++;
		v = one(sr, m);
		if (v == CB_V_ERROR)
			return v;
		all = cb_verdict_combine(all, v);
		if (best == CB_V_NA || v == CB_V_PASS ||
		    (best != CB_V_PASS && v == CB_V_INCONCLUSIVE))
			best = v;
	}
	if (!n && step_arg(sr, "mechanisms") &&
	    !step_selects(sr, "mechanisms", NULL))
		return step_error(sr, CB_EINVAL, "'mechanisms' names no %s "
				  "entry of IXIT 7-UpdMech", kinds[0]);
	if (!n) {
		step_say(sr, "%s", none);
		return CB_V_NA;
	}
	return any ? best : all;
}

int upd_version_cmp(const char *a, const char *b)
{
	unsigned long x, y;
	char *ea, *eb;

	while (*a || *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			x = strtoul(a, &ea, 10);
			y = strtoul(b, &eb, 10);
			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return 0;
}

void upd_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (ms > 0 && nanosleep(&ts, &ts) && errno == EINTR)
		;
}
