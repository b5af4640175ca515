/*
 * hw.c - adapter core: registry, URI parsing, lifecycle and dispatchers.
 *
 * Backends never allocate their own state and never see the tap; the
 * dispatchers here report each operation to it after the backend returns,
 * so every byte a backend moves is observed exactly once.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness/cb_error.h"
#include "hw-adapters/hw.h"

static const struct hw_adapter_ops *const hw_registry[] = {
	&hw_tty_ops,
	&hw_tcp_ops,
	&hw_http_ops,
#ifdef HAVE_LIBFTDI
	&hw_ftdi_ops,
#endif
	NULL,
};

const struct hw_adapter_ops *hw_lookup_scheme(const char *scheme)
{
	const struct hw_adapter_ops *const *ops;
	const char *const *s;

	for (ops = hw_registry; *ops; ops++)
		for (s = (*ops)->schemes; s && *s; s++)
			if (!strcmp(*s, scheme))
				return *ops;
	return NULL;
}

/* In-place %XX decoding. */
static void uri_unescape(char *s)
{
	char *w = s, hex[3] = {0};

	for (; *s; s++) {
		if (s[0] == '%' && s[1] && s[2] &&
		    strchr("0123456789abcdefABCDEF", s[1]) &&
		    strchr("0123456789abcdefABCDEF", s[2])) {
			hex[0] = s[1];
			hex[1] = s[2];
			*w++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static int uri_params(struct hw_uri *u, char *q, struct cb_error *err)
{
	char *tok, *save = NULL, *eq;

	for (tok = strtok_r(q, "&", &save); tok;
	     tok = strtok_r(NULL, "&", &save)) {
		if (u->nparams == HW_URI_MAX_PARAMS)
			return cb_error_set(err, CB_EINVAL,
					    "more than %d URI parameters",
					    HW_URI_MAX_PARAMS);
		eq = strchr(tok, '=');
		if (eq)
			*eq++ = '\0';
		uri_unescape(tok);
		if (eq)
			uri_unescape(eq);
		u->keys[u->nparams] = tok;
		u->vals[u->nparams] = eq ? eq : tok + strlen(tok);
		u->nparams++;
	}
	return CB_OK;
}

static int uri_authority(struct hw_uri *u, char *auth, struct cb_error *err)
{
	char *colon, *end;
	long port;

	if (!strcmp(u->scheme, "ftdi")) {
		u->host = auth;	/* VID:PID in hex, not host:port */
		return CB_OK;
	}
	if (auth[0] == '[') {
		end = strchr(auth, ']');
		if (!end)
			return cb_error_set(err, CB_EINVAL,
					    "unterminated [ in host");
		*end = '\0';
		u->host = auth + 1;
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		u->host = auth;
		colon = strrchr(auth, ':');
	}
	if (!colon)
		return CB_OK;
	*colon = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || port < 1 || port > 65535)
		return cb_error_set(err, CB_EINVAL, "bad port '%s'", colon + 1);
	u->port = (int)port;
	return CB_OK;
}

int hw_uri_parse(struct hw_uri *u, const char *text, struct cb_error *err)
{
	char *p, *rest, *q, *slash;
	int rc;

	memset(u, 0, sizeof(*u));
	u->buf = strdup(text);
	if (!u->buf)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	p = strchr(u->buf, ':');
	if (!p || p == u->buf) {
		rc = cb_error_set(err, CB_EINVAL, "'%s' is not a URI", text);
		goto fail;
	}
	*p = '\0';
	u->scheme = u->buf;
	rest = p + 1;
	q = strchr(rest, '?');
	if (q) {
		*q++ = '\0';
		rc = uri_params(u, q, err);
		if (rc)
			goto fail;
	}
	if (!strncmp(rest, "//", 2)) {
		rest += 2;
		slash = strchr(rest, '/');
		u->path = slash ? strdup(slash) : strdup("");
		if (slash)
			*slash = '\0';
		rc = uri_authority(u, rest, err);
		if (rc)
			goto fail;
	} else {
		u->host = rest + strlen(rest);
		u->path = strdup(rest);
	}
	if (!u->path) {
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		goto fail;
	}
	uri_unescape(u->path);
	return CB_OK;
fail:
	hw_uri_release(u);
	return rc;
}

void hw_uri_release(struct hw_uri *u)
{
	if (!u)
		return;
	free(u->path);
	free(u->buf);
	memset(u, 0, sizeof(*u));
}

const char *hw_uri_param(const struct hw_uri *u, const char *key)
{
	size_t k;

	for (k = 0; k < u->nparams; k++)
		if (!strcmp(u->keys[k], key))
			return u->vals[k];
	return NULL;
}

int hw_uri_param_int(const struct hw_uri *u, const char *key, long def,
		     long min, long max, long *out, struct cb_error *err)
{
	const char *v = hw_uri_param(u, key);
	char *end;
	long n;

	if (!v) {
		*out = def;
		return CB_OK;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || !*v || *end || n < min || n > max)
		return cb_error_set(err, CB_EINVAL,
				    "URI parameter %s=%s: want %ld..%ld", key,
				    v, min, max);
	*out = n;
	return CB_OK;
}

void hw_http_resp_init(struct hw_http_resp *r)
{
	memset(r, 0, sizeof(*r));
	cb_buf_init(&r->headers, 64 * 1024);
	cb_buf_init(&r->body, 1 << 20);
}

void hw_http_resp_release(struct hw_http_resp *r)
{
	if (!r)
		return;
	cb_buf_release(&r->headers);
	cb_buf_release(&r->body);
}

static void hw_notify(struct hw_adapter *hw, struct hw_event *ev, int rc,
		      const struct cb_error *err)
{
	if (!hw->tap)
		return;
	ev->hw = hw;
	ev->rc = rc;
	ev->err = rc ? err : NULL;
	hw->tap(hw->tap_ctx, ev);
}

int hw_adapter_open(struct hw_adapter **out, const struct hw_adapter_ops *ops,
		    const char *uri, const char *label, hw_tap_fn *tap,
		    void *tap_ctx, struct cb_error *err)
{
	struct hw_event ev = {.kind = HW_EV_OPEN};
	struct hw_adapter *hw = NULL;
	struct cb_error local = {0};
	struct hw_uri u;
	int rc;

	*out = NULL;
	if (!err)
		err = &local;
	rc = hw_uri_parse(&u, uri, err);
	if (rc) {
		cb_error_at(err, uri, 0, 0);
		return rc;
	}
	if (!ops)
		ops = hw_lookup_scheme(u.scheme);
	if (!ops) {
		rc = cb_error_set(err, CB_ENOTSUP, "no adapter for '%s:'",
				  u.scheme);
		goto out;
	}
	assert(ops->open && ops->close);
	hw = calloc(1, sizeof(*hw));
	if (!hw || !(hw->uri = strdup(uri)) ||
	    !(hw->label = strdup(label ? label : ops->name)) ||
	    (ops->priv_size && !(hw->priv = calloc(1, ops->priv_size)))) {
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	hw->ops = ops;
	hw->caps = ops->caps;
	hw->tap = tap;
	hw->tap_ctx = tap_ctx;
	rc = ops->open(hw, &u, err);
	hw_notify(hw, &ev, rc, err);
	if (rc)
		goto out;
	*out = hw;
	hw = NULL;
out:
	if (rc)
		cb_error_at(err, uri, 0, 0);
	if (hw) {
		hw->tap = NULL; /* a failed open is not followed by a close */
		hw_adapter_free(hw);
	}
	hw_uri_release(&u);
	return rc;
}

void hw_adapter_free(struct hw_adapter *hw)
{
	struct hw_event ev = {.kind = HW_EV_CLOSE};

	if (!hw)
		return;
	if (hw->ops) {
		hw->ops->close(hw);
		hw_notify(hw, &ev, CB_OK, NULL);
	}
	free(hw->priv);
	free(hw->uri);
	free(hw->label);
	free(hw);
}

static int hw_unsupported(struct hw_adapter *hw, const char *what,
			  struct cb_error *err)
{
	return cb_error_set(err, CB_ENOTSUP, "%s adapter cannot %s",
			    hw->ops->name, what);
}

int hw_read(struct hw_adapter *hw, void *buf, size_t len, int timeout_ms,
	    size_t *nread, struct cb_error *err)
{
	struct hw_event ev = {.kind = HW_EV_READ, .timeout_ms = timeout_ms};
	struct cb_error local = {0};
	int rc;

	*nread = 0;
	if (!hw->ops->read)
		return hw_unsupported(hw, "read", err);
	if (!err)
		err = &local;
	rc = hw->ops->read(hw, buf, len, timeout_ms, nread, err);
	ev.data = buf;
	ev.len = *nread;
	hw_notify(hw, &ev, rc, err);
	return rc;
}

int hw_write(struct hw_adapter *hw, const void *buf, size_t len,
	     int timeout_ms, struct cb_error *err)
{
	struct hw_event ev = {.kind = HW_EV_WRITE, .timeout_ms = timeout_ms};
	struct cb_error local = {0};
	int rc;

	if (!hw->ops->write)
		return hw_unsupported(hw, "write", err);
	if (!err)
		err = &local;
	rc = hw->ops->write(hw, buf, len, timeout_ms, err);
	ev.data = buf;
	ev.len = len;
	hw_notify(hw, &ev, rc, err);
	return rc;
}

int hw_drain(struct hw_adapter *hw, struct cb_error *err)
{
	if (!hw->ops->drain)
		return CB_OK; /* nothing buffered below us to discard */
	return hw->ops->drain(hw, err);
}

int hw_set_line(struct hw_adapter *hw, const struct hw_line *line,
		struct cb_error *err)
{
	struct hw_event ev = {.kind = HW_EV_LINE};
	int rc;

	if (!hw->ops->set_line)
		return hw_unsupported(hw, "set line parameters", err);
	rc = hw->ops->set_line(hw, line, err);
	hw_notify(hw, &ev, rc, err);
	return rc;
}

int hw_request(struct hw_adapter *hw, const struct hw_http_req *req,
	       struct hw_http_resp *resp, struct cb_error *err)
{
	struct hw_event ev = {.kind = HW_EV_HTTP};
	struct cb_error local = {0};
	int rc;

	if (!hw->ops->request)
		return hw_unsupported(hw, "make HTTP requests", err);
	if (!err)
		err = &local;
	rc = hw->ops->request(hw, req, resp, err);
	ev.req = req;
	ev.resp = resp;
	hw_notify(hw, &ev, rc, err);
	return rc;
}

int hw_power(struct hw_adapter *hw, int on, struct cb_error *err)
{
	struct hw_event ev = {.kind = HW_EV_POWER, .on = on};
	int rc;

	if (!hw->ops->power)
		return hw_unsupported(hw, "switch power", err);
	rc = hw->ops->power(hw, on, err);
	hw_notify(hw, &ev, rc, err);
	return rc;
}

int hw_reset(struct hw_adapter *hw, struct cb_error *err)
{
	struct hw_event ev = {.kind = HW_EV_RESET};
	int rc;

	if (!hw->ops->reset)
		return hw_unsupported(hw, "reset", err);
	rc = hw->ops->reset(hw, err);
	hw_notify(hw, &ev, rc, err);
	return rc;
}

int hw_send_break(struct hw_adapter *hw, int ms, struct cb_error *err)
{
	struct hw_event ev = {.kind = HW_EV_BREAK, .timeout_ms = ms};
	int rc;

	if (!hw->ops->send_break)
		return hw_unsupported(hw, "send a break", err);
	if (ms < 1 || ms > HW_BREAK_MAX_MS)
		return cb_error_set(err, CB_EINVAL,
				    "break of %d ms: want 1..%d", ms,
				    HW_BREAK_MAX_MS);
	rc = hw->ops->send_break(hw, ms, err);
	hw_notify(hw, &ev, rc, err);
	return rc;
}

int hw_global_init(struct cb_error *err)
{
	CURLcode cc = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (cc != CURLE_OK)
		return cb_error_set(err, CB_ERROR, "libcurl: %s",
				    curl_easy_strerror(cc));
	return CB_OK;
}

void hw_global_cleanup(void)
{
	curl_global_cleanup();
}
