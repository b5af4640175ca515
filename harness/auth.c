/*
 * auth.c - login attempts over consoles, telnet and HTTP (see auth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/auth.h"
#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cb_time.h"

#define AUTH_HTTP_TIMEOUT 15000

static const struct {
	const char *name;
	enum auth_surface s;
} auth_surfaces[] = {
	{"console", AUTH_CONSOLE},	   {"telnet", AUTH_TELNET},
	{"http-form", AUTH_HTTP_FORM},	   {"http-basic", AUTH_HTTP_BASIC},
	{"http-digest", AUTH_HTTP_DIGEST},
};

const char *auth_surface_name(enum auth_surface s)
{
	size_t k;

	for (k = 0; k < sizeof(auth_surfaces) / sizeof(auth_surfaces[0]); k++)
		if (auth_surfaces[k].s == s)
			return auth_surfaces[k].name;
	return "other";
}

static int auth_mech_http(struct auth_mech *m, const json_t *j,
			  struct cb_error *err)
{
	json_t *acc = json_object_get(j, "accept_json");
	const char *redir;
	int rc;

	m->path = json_string_value(json_object_get(j, "path"));
	if (!m->path)
		return cb_error_set(err, CB_EINVAL,
				    "HTTP mechanism '%s' lacks 'path'", m->id);
	m->method = json_string_value(json_object_get(j, "method"));
	if (!m->method)
		m->method = m->surface == AUTH_HTTP_FORM ? "POST" : "GET";
	m->body = json_string_value(json_object_get(j, "body"));
	if (!m->body)
		m->body = "{\"username\":\"${user}\",\"password\":\"${password}\"}";
	m->content_type = json_string_value(json_object_get(j, "content_type"));
	if (!m->content_type)
		m->content_type = "application/json";
	m->accept_status = json_object_get(j, "accept_status");
	m->locked_status = json_object_get(j, "locked_status");
	if (json_is_object(acc)) {
		m->accept_field =
			json_string_value(json_object_get(acc, "field"));
		m->accept_value = json_object_get(acc, "equals");
	}
	redir = json_string_value(json_object_get(j, "accept_redirect"));
	if (redir) {
		rc = regcomp(&m->accept_redirect, redir,
			     REG_EXTENDED | REG_NOSUB);
		if (rc)
			return cb_error_set(err, CB_EINVAL,
					    "bad accept_redirect pattern");
		m->have_redirect = 1;
	}
	return CB_OK;
}

int auth_mech_init(struct auth_mech *m, const json_t *j,
		   struct cb_error *err)
{
	const char *s = json_string_value(json_object_get(j, "surface"));
	json_t *port = json_object_get(j, "port");
	size_t k;
	int rc = CB_OK;

	memset(m, 0, sizeof(*m));
	m->json = j;
	m->id = json_string_value(json_object_get(j, "id"));
	m->surface = AUTH_OTHER;
	for (k = 0; s && k < sizeof(auth_surfaces) / sizeof(auth_surfaces[0]);
	     k++)
		if (!strcmp(s, auth_surfaces[k].name))
			m->surface = auth_surfaces[k].s;
	if (json_is_integer(port))
		m->port = (int)json_integer_value(port);
	switch (m->surface) {
	case AUTH_TELNET:
		if (!m->port)
			return cb_error_set(err, CB_EINVAL,
					    "telnet mechanism '%s' lacks 'port'",
					    m->id);
		/* fall through */
	case AUTH_CONSOLE:
		rc = console_mech_init(&m->con, j, err);
		m->have_con = !rc;
		break;
	case AUTH_HTTP_FORM:
	case AUTH_HTTP_BASIC:
	case AUTH_HTTP_DIGEST:
		rc = auth_mech_http(m, j, err);
		break;
	default:
		break;
	}
	if (rc)
		auth_mech_release(m);
	return rc;
}

void auth_mech_release(struct auth_mech *m)
{
	if (!m)
		return;
	if (m->have_con)
		console_mech_release(&m->con);
	if (m->have_redirect)
		regfree(&m->accept_redirect);
	memset(m, 0, sizeof(*m));
}

int auth_mech_cleartext(const struct auth_mech *m, const char *http_base)
{
	char *url;
	int clear;

	if (m->surface == AUTH_TELNET)
		return 1;
	if (m->surface != AUTH_HTTP_FORM && m->surface != AUTH_HTTP_BASIC &&
	    m->surface != AUTH_HTTP_DIGEST)
		return 0;
	url = NULL;
	if (http_base) {
		struct auth_target t = {.http_base = http_base};

		url = auth_http_url(m, &t);
	}
	clear = url && !strncmp(url, "http://", 7);
	free(url);
	return clear;
}

char *auth_http_url(const struct auth_mech *m, const struct auth_target *t)
{
	struct hw_uri u;
	char *out = NULL;
	int port;

	if (!t->http_base || hw_uri_parse(&u, t->http_base, NULL))
		return NULL;
	port = m->port ? m->port : u.port;
	if (asprintf(&out, "%s://%s%s%s%s%.0d%s", u.scheme,
		     strchr(u.host, ':') ? "[" : "", u.host,
		     strchr(u.host, ':') ? "]" : "", port ? ":" : "", port,
		     m->path ? m->path : u.path) < 0)
		out = NULL;
	hw_uri_release(&u);
	return out;
}

static void json_escaped(struct cb_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			cb_buf_printf(b, NULL, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			cb_buf_printf(b, NULL, "\\u%04x", (unsigned char)*s);
		else
			cb_buf_add(b, s, 1, NULL);
	}
}

char *auth_fill(const char *tmpl, const char *const *names,
		const char *const *values, int json_escape)
{
	struct cb_buf b;
	const char *p = tmpl;
	size_t k, n;

	cb_buf_init(&b, 1 << 20);
	while (*p) {
		for (k = 0; names[k]; k++) {
			n = strlen(names[k]);
			if (!strncmp(p, "${", 2) && !strncmp(p + 2, names[k], n) &&
			    p[2 + n] == '}')
				break;
		}
		if (!names[k]) {
			cb_buf_add(&b, p++, 1, NULL);
			continue;
		}
		if (json_escape)
			json_escaped(&b, values[k]);
		else
			cb_buf_adds(&b, values[k], NULL);
		p += strlen(names[k]) + 3;
	}
	return cb_buf_detach(&b, NULL);
}

int auth_conn_open(struct auth_conn *c, const struct auth_mech *m,
		   const struct auth_target *t, hw_tap_fn *tap, void *tap_ctx,
		   struct cb_error *err)
{
	char uri[512], label[160];

	memset(c, 0, sizeof(*c));
	c->m = m;
	c->t = t;
	c->tap = tap;
	c->tap_ctx = tap_ctx;
	snprintf(label, sizeof(label), "%s.%s", t->label, m->id);
	switch (m->surface) {
	case AUTH_CONSOLE:
		if (!t->console)
			return cb_error_set(err, CB_ENOTSUP,
					    "sample %s has no console adapter",
					    t->label);
		c->con = t->console;
		return CB_OK;
	case AUTH_TELNET:
		if (!t->host)
			return cb_error_set(err, CB_ENOTSUP,
					    "sample %s has no network host",
					    t->label);
		snprintf(uri, sizeof(uri), "tcp://%s:%d?connect_ms=5000",
			 t->host, m->port);
		if (hw_adapter_open(&c->hw, NULL, uri, label, tap, tap_ctx,
				    err))
			return err->code;
		console_init(&c->own, c->hw);
		c->con = &c->own;
		return CB_OK;
	case AUTH_HTTP_FORM:
	case AUTH_HTTP_BASIC:
	case AUTH_HTTP_DIGEST:
		if (!t->http_base)
			return cb_error_set(err, CB_ENOTSUP,
					    "sample %s has no http adapter",
					    t->label);
		return hw_adapter_open(&c->hw, &hw_http_ops, "https:", label,
				       tap, tap_ctx, err);
	default:
		return cb_error_set(err, CB_ENOTSUP,
				    "certbench cannot drive the '%s' surface",
				    json_string_value(
					    json_object_get(m->json, "surface")));
	}
}

void auth_conn_close(struct auth_conn *c)
{
	if (!c)
		return;
	if (c->con == &c->own)
		console_release(&c->own);
	hw_adapter_free(c->hw);
	c->hw = NULL;
	c->con = NULL;
}

static int status_in(const json_t *list, long status, const long *def)
{
	json_t *v;
	size_t k;

	if (!json_is_array(list)) {
		for (; def && *def; def++)
			if (*def == status)
				return 1;
		return 0;
	}
	json_array_foreach(list, k, v)
		if (json_integer_value(v) == status)
			return 1;
	return 0;
}

static enum auth_result auth_classify_http(const struct auth_mech *m,
					   const struct hw_http_resp *r)
{
	static const long ok_form[] = {200, 0}, locked[] = {423, 429, 0};
	static const long ok_2xx[] = {200, 201, 202, 204, 0};
	const char *loc;
	json_t *body, *field;
	int ok;

	if (status_in(m->locked_status, r->status, locked))
		return AUTH_LOCKED;
	if (m->surface != AUTH_HTTP_FORM)
		return status_in(m->accept_status, r->status, ok_2xx)
			       ? AUTH_ACCEPTED
			       : AUTH_REFUSED;
	if (m->have_redirect && r->status >= 300 && r->status < 400) {
		loc = strcasestr(cb_buf_str(&r->headers), "\nlocation:");
		return loc && !regexec(&m->accept_redirect, loc + 10, 0, NULL,
				       0)
			       ? AUTH_ACCEPTED
			       : AUTH_REFUSED;
	}
	ok = status_in(m->accept_status, r->status, ok_form);
	if (ok && m->accept_field) {
		body = json_loadb(cb_buf_str(&r->body), r->body.len, 0, NULL);
		field = json_object_get(body, m->accept_field);
		ok = field && json_equal(field, m->accept_value);
		json_decref(body);
	}
	return ok ? AUTH_ACCEPTED : AUTH_REFUSED;
}

static int auth_http(struct auth_conn *c, const char *user,
		     const char *password, struct auth_try *out,
		     struct cb_error *err)
{
	const char *names[] = {"user", "password", NULL},
		   *vals[] = {user, password, NULL};
	char ctype[96], *url, *body = NULL;
	const char *hdrs[2] = {ctype, NULL};
	struct hw_http_req req = {
		.method = c->m->method,
		.verify_tls = 1,
		.ca_file = c->t->ca_file,
		.timeout_ms = AUTH_HTTP_TIMEOUT,
		.max_body = 64 * 1024,
	};
	struct hw_http_resp resp;
	int rc;

	url = auth_http_url(c->m, c->t);
	if (!url)
		return cb_error_set(err, CB_EINVAL, "bad http base URL '%s'",
				    c->t->http_base);
	req.url = url;
	if (c->m->surface == AUTH_HTTP_FORM) {
		body = auth_fill(c->m->body, names, vals,
				 !strcmp(c->m->content_type,
					 "application/json"));
		req.body = body;
		req.body_len = body ? strlen(body) : 0;
		snprintf(ctype, sizeof(ctype), "Content-Type: %s",
			 c->m->content_type);
		req.headers = hdrs;
	} else {
		req.auth = c->m->surface == AUTH_HTTP_DIGEST ? HW_AUTH_DIGEST
							     : HW_AUTH_BASIC;
		req.user = user;
		req.password = password;
	}
	hw_http_resp_init(&resp);
	rc = hw_request(c->hw, &req, &resp, err);
	if (!rc) {
		out->status = resp.status;
		out->result = auth_classify_http(c->m, &resp);
	}
	hw_http_resp_release(&resp);
	free(body);
	free(url);
	return rc;
}

static int auth_console(struct auth_conn *c, const char *user,
			const char *password, struct auth_try *out,
			struct cb_error *err)
{
	enum console_outcome o;
	int rc, reopened = 0;

	if (c->reopen) {
		auth_conn_close(c);
		rc = auth_conn_open(c, c->m, c->t, c->tap, c->tap_ctx, err);
		if (rc)
			return rc;
	}
	for (;;) {
		rc = console_login(c->con, &c->m->con, user, password, &o,
				   &out->no_password, err);
		/* Telnet daemons hang up after a few failures: reconnect
		 * once and try again, as a client would. */
		if (rc != CB_ECLOSED || c->m->surface != AUTH_TELNET ||
		    reopened++)
			break;
		cb_error_clear(err);
		auth_conn_close(c);
		rc = auth_conn_open(c, c->m, c->t, c->tap, c->tap_ctx, err);
		if (rc)
			return rc;
	}
	if (rc)
		return rc;
	out->result = o == CONSOLE_ACCEPTED ? AUTH_ACCEPTED
		      : o == CONSOLE_LOCKED ? AUTH_LOCKED
					    : AUTH_REFUSED;
	if (o == CONSOLE_ACCEPTED)
		rc = console_logout(c->con, &c->m->con, err);
	/* Like telnetd, a device may hang up on logout: that ends the
	 * session as asked; the next attempt connects again. */
	if (rc == CB_ECLOSED && c->m->surface == AUTH_TELNET) {
		cb_error_clear(err);
		c->reopen = 1;
		rc = CB_OK;
	}
	return rc;
}

int auth_attempt(struct auth_conn *c, const char *user, const char *password,
		 struct auth_try *out, struct cb_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->start_ms = cb_now_ms();
	if (c->m->surface == AUTH_CONSOLE || c->m->surface == AUTH_TELNET)
		rc = auth_console(c, user, password, out, err);
	else
		rc = auth_http(c, user, password, out, err);
	out->latency_ms = cb_now_ms() - out->start_ms;
	return rc;
}
