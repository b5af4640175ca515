/*
 * evidence.c - append-only, hash-chained, secret-masked transcript.
 *
 * Lines are jansson's compact, key-sorted output, so a record's bytes
 * depend only on its content.  The chain hashes the exact bytes of each
 * line (without its newline); the run's report stores the last hash, the
 * record count and the file's own SHA-256.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cb_text.h"
#include "harness/cb_time.h"
#include "harness/evidence.h"
#include "hw-adapters/hw.h"

#define EV_INLINE_BODY (64 * 1024)	/* HTTP bodies kept inline */
#define EV_INLINE_REQ (16 * 1024)	/* request bodies kept whole */
#define EV_REQ_HEAD 1024		/* start kept of a larger one */
#define EV_MAX_LINE (8u << 20)		/* ceiling when verifying */

int ev_open(struct ev_log **out, const char *path, json_t *header,
	    struct cb_error *err)
{
	struct ev_log *ev;
	char salt_hex[2 * EV_SALT_LEN + 1];
	json_t *rec;
	int fd, rc;

	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev || !(ev->path = strdup(path))) {
		free(ev);
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	}
	ev->root = ev;
	pthread_mutex_init(&ev->lock, NULL);
	memcpy(ev->head, EV_ZERO_HASH, sizeof(ev->head));
	ev->t0 = cb_now_ms();
	ev->step_index = -1;
	rc = cb_random(ev->salt, sizeof(ev->salt), err);
	if (rc)
		goto fail;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || !(ev->fp = fdopen(fd, "w"))) {
		rc = cb_error_set_os(err, CB_EIO, "cannot create");
		cb_error_at(err, path, 0, 0);
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	rec = header ? json_deep_copy(header) : json_object();
	cb_hex(salt_hex, ev->salt, sizeof(ev->salt));
	json_object_set_new(rec, "type", json_string("run-start"));
	json_object_set_new(rec, "fingerprint_salt", json_string(salt_hex));
	rc = ev_append(ev, rec, NULL, err);
	if (rc)
		goto fail;
	*out = ev;
	return CB_OK;
fail:
	ev_free(ev);
	return rc;
}

void ev_view_init(struct ev_log *view, struct ev_log *root)
{
	memset(view, 0, sizeof(*view));
	view->root = root->root;
	view->step_index = -1;
}

void ev_free(struct ev_log *ev)
{
	size_t k;

	if (!ev)
		return;
	assert(ev->root == ev);
	if (ev->fp)
		fclose(ev->fp);
	for (k = 0; k < ev->nsecrets; k++) {
		/* Do not leave secrets lying in freed memory. */
		explicit_bzero(ev->secrets[k].value,
			       strlen(ev->secrets[k].value));
		free(ev->secrets[k].value);
	}
	free(ev->secrets);
	free(ev->path);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

int ev_sync(struct ev_log *ev, struct cb_error *err)
{
	struct ev_log *c = ev->root;
	int fd = -1, rc = 0;

	pthread_mutex_lock(&c->lock);
	if (c->fp) {
		rc = fflush(c->fp);
		fd = fileno(c->fp);
	}
	pthread_mutex_unlock(&c->lock);
	/* Outside the lock: other workers keep appending meanwhile. */
	if (rc || (fd >= 0 && fdatasync(fd)))
		return cb_error_set_os(err, CB_EIO, "evidence sync");
	return CB_OK;
}

int ev_close(struct ev_log *ev, struct cb_error *err)
{
	json_t *rec = json_pack("{s:s}", "type", "run-end");
	int rc;

	assert(ev->root == ev);
	ev->case_id = ev->unit_id = ev->sample_id = NULL;
	ev->step_index = -1;
	rc = ev_append(ev, rec, NULL, err);
	if (!rc)
		rc = ev_sync(ev, err);
	if (fclose(ev->fp) && !rc)
		rc = cb_error_set_os(err, CB_EIO, "evidence close");
	ev->fp = NULL;
	return rc;
}

static int ev_secret_add_locked(struct ev_log *ev, const char *secret,
				struct cb_error *err)
{
	struct ev_secret *s;
	size_t k;

	for (k = 0; k < ev->nsecrets; k++)
		if (!strcmp(ev->secrets[k].value, secret))
			return CB_OK;
	s = realloc(ev->secrets, (ev->nsecrets + 1) * sizeof(*s));
	if (!s)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	ev->secrets = s;
	s = &ev->secrets[ev->nsecrets];
	s->value = strdup(secret);
	if (!s->value)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	ev_fingerprint(ev, secret, s->fp);
	ev->nsecrets++;
	return CB_OK;
}

int ev_secret_add(struct ev_log *ev, const char *secret,
		  struct cb_error *err)
{
	int rc;

	if (!secret || !secret[0])
		return CB_OK;
	ev = ev->root;
	pthread_mutex_lock(&ev->lock);
	rc = ev_secret_add_locked(ev, secret, err);
	pthread_mutex_unlock(&ev->lock);
	return rc;
}

void ev_fingerprint(const struct ev_log *ev, const char *value,
		    char out[CB_FP_LEN])
{
	cb_fingerprint(out, ev->root->salt, sizeof(ev->root->salt), value);
}

static char *ev_mask_locked(const struct ev_log *ev, const char *s,
			    size_t len, size_t *outlen)
{
	struct cb_buf b;
	size_t i = 0, k, sl, best;

	cb_buf_init(&b, (size_t)-1 / 2);
	while (i < len) {
		best = 0;
		/* Longest secret first, so "admin123" beats "admin". */
		for (k = 0; k < ev->nsecrets; k++) {
			sl = strlen(ev->secrets[k].value);
			if (sl > best && sl <= len - i &&
			    !memcmp(s + i, ev->secrets[k].value, sl))
				best = sl;
		}
		if (!best) {
			cb_buf_add(&b, s + i, 1, NULL);
			i++;
			continue;
		}
		for (k = 0; k < ev->nsecrets; k++)
			if (strlen(ev->secrets[k].value) == best &&
			    !memcmp(s + i, ev->secrets[k].value, best))
				break;
		cb_buf_printf(&b, NULL, "[secret %s]", ev->secrets[k].fp);
		i += best;
	}
	return cb_buf_detach(&b, outlen);
}

char *ev_mask(const struct ev_log *ev, const char *s, size_t len,
	      size_t *outlen)
{
	struct ev_log *w = ev->root; /* the lock is not content */
	char *out;

	pthread_mutex_lock(&w->lock);
	out = ev_mask_locked(w, s, len, outlen);
	pthread_mutex_unlock(&w->lock);
	return out;
}

static void ev_mask_tree(const struct ev_log *ev, json_t *v)
{
	const char *key;
	json_t *child;
	size_t idx, n;
	char *m;

	if (!ev->nsecrets)
		return;
	if (json_is_object(v)) {
		json_object_foreach(v, key, child)
			ev_mask_tree(ev, child);
	} else if (json_is_array(v)) {
		json_array_foreach(v, idx, child)
			ev_mask_tree(ev, child);
	} else if (json_is_string(v)) {
		m = ev_mask_locked(ev, json_string_value(v),
				   json_string_length(v), &n);
		if (m && (n != json_string_length(v) ||
			  memcmp(m, json_string_value(v), n)))
			json_string_setn(v, m, n);
		free(m);
	}
}

void ev_put_bytes(const struct ev_log *ev, json_t *obj, const char *key,
		  const void *p, size_t n)
{
	char *m, *hex, hkey[64];
	size_t mn;

	m = ev_mask(ev, p, n, &mn);
	if (!m)
		return;
	if (!memchr(m, '\0', mn) && cb_utf8_valid(m, mn)) {
		json_object_set_new(obj, key, json_stringn(m, mn));
	} else {
		hex = malloc(2 * mn + 1);
		if (hex) {
			cb_hex(hex, m, mn);
			snprintf(hkey, sizeof(hkey), "%s_hex", key);
			json_object_set_new(obj, hkey, json_string(hex));
		}
		free(hex);
	}
	free(m);
}

/* Chain fields from the root c, context fields from the handle ev. */
static void ev_stamp(const struct ev_log *c, const struct ev_log *ev,
		     json_t *rec)
{
	json_object_set_new(rec, "seq", json_integer((json_int_t)c->seq + 1));
	json_object_set_new(rec, "prev", json_string(c->head));
	json_object_set_new(rec, "t_ms",
			    json_integer((json_int_t)(cb_now_ms() - c->t0)));
	if (ev->case_id && !json_object_get(rec, "case"))
		json_object_set_new(rec, "case", json_string(ev->case_id));
	if (ev->unit_id && !json_object_get(rec, "unit"))
		json_object_set_new(rec, "unit", json_string(ev->unit_id));
	if (ev->sample_id && !json_object_get(rec, "sample"))
		json_object_set_new(rec, "sample", json_string(ev->sample_id));
	if (ev->step_index >= 0 && !json_object_get(rec, "step_index"))
		json_object_set_new(rec, "step_index",
				    json_integer(ev->step_index));
}

static int ev_append_locked(struct ev_log *ev, json_t *rec,
			    uint64_t *seq_out, struct cb_error *err)
{
	struct ev_log *c = ev->root;
	char *line = NULL;
	int rc = CB_OK;

	if (!rec)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	if (!c->fp) {
		rc = cb_error_set(err, CB_EIO, "evidence file is closed");
		goto out;
	}
	/*
	 * Records share values with the run (step arguments are the
	 * profile's own strings): mask a private copy, never the original.
	 */
	if (c->nsecrets) {
		json_t *copy = json_deep_copy(rec);

		json_decref(rec);
		rec = copy;
		if (!rec)
			return cb_error_set(err, CB_ENOMEM, "out of memory");
	}
	ev_mask_tree(c, rec);
	ev_stamp(c, ev, rec);
	line = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	if (!line) {
		rc = cb_error_set(err, CB_ENOMEM, "cannot serialise record");
		goto out;
	}
	if (fputs(line, c->fp) == EOF || fputc('\n', c->fp) == EOF ||
	    fflush(c->fp)) {
		rc = cb_error_set_os(err, CB_EIO, "evidence write");
		cb_error_at(err, c->path, 0, 0);
		goto out;
	}
	cb_sha256_hex(c->head, line, strlen(line));
	c->seq++;
	if (seq_out)
		*seq_out = c->seq;
out:
	free(line);
	json_decref(rec);
	return rc;
}

int ev_append(struct ev_log *ev, json_t *rec, uint64_t *seq_out,
	      struct cb_error *err)
{
	int rc;

	pthread_mutex_lock(&ev->root->lock);
	rc = ev_append_locked(ev, rec, seq_out, err);
	pthread_mutex_unlock(&ev->root->lock);
	return rc;
}

static const char *ev_op_name(enum hw_event_kind k)
{
	switch (k) {
	case HW_EV_OPEN: return "open";
	case HW_EV_CLOSE: return "close";
	case HW_EV_READ: return "read";
	case HW_EV_WRITE: return "write";
	case HW_EV_HTTP: return "http";
	case HW_EV_LINE: return "line";
	case HW_EV_POWER: return "power";
	case HW_EV_RESET: return "reset";
	case HW_EV_BREAK: return "break";
	}
	return "?";
}

static json_t *ev_http_request(const struct ev_log *ev,
			       const struct hw_http_req *req)
{
	json_t *r = json_pack("{s:s,s:s,s:b,s:i}", "method", req->method,
			      "url", req->url, "verify_tls", req->verify_tls,
			      "timeout_ms", req->timeout_ms);
	json_t *h = json_array();
	const char *const *hp;

	for (hp = req->headers; hp && *hp; hp++) {
		/* Credentials in headers are never recorded, masked or not. */
		if (cb_startswith_ci(*hp, "authorization:") ||
		    cb_startswith_ci(*hp, "cookie:"))
			json_array_append_new(h, json_string("[redacted]"));
		else
			json_array_append_new(h, json_string(*hp));
	}
	json_object_set_new(r, "headers", h);
	if (req->auth != HW_AUTH_NONE)
		json_object_set_new(r, "auth",
				    json_pack("{s:s,s:s}", "scheme",
					      req->auth == HW_AUTH_DIGEST
						      ? "digest"
						      : "basic",
					      "user",
					      req->user ? req->user : ""));
	if (req->body && req->body_len <= EV_INLINE_REQ) {
		ev_put_bytes(ev, r, "body", req->body, req->body_len);
	} else if (req->body) {
		/* A firmware image: its hash identifies it, its start shows
		 * the header. */
		char sha[CB_SHA256_HEX];

		cb_sha256_hex(sha, req->body, req->body_len);
		json_object_set_new(r, "body_len",
				    json_integer((json_int_t)req->body_len));
		json_object_set_new(r, "body_sha256", json_string(sha));
		ev_put_bytes(ev, r, "body", req->body, EV_REQ_HEAD);
		json_object_set_new(r, "body_truncated", json_true());
	}
	if (req->body && req->abort_after)
		json_object_set_new(r, "abort_after",
				    json_integer((json_int_t)req->abort_after));
	return r;
}

static json_t *ev_http_response(const struct ev_log *ev,
				const struct hw_http_resp *resp)
{
	char sha[CB_SHA256_HEX];
	json_t *r;
	size_t n = resp->body.len;

	cb_sha256_hex(sha, cb_buf_str(&resp->body), n);
	r = json_pack("{s:I,s:s,s:s,s:I,s:I,s:s}", "status",
		      (json_int_t)resp->status, "content_type",
		      resp->content_type, "url", resp->effective_url,
		      "redirects", (json_int_t)resp->redirects, "body_len",
		      (json_int_t)n, "body_sha256", sha);
	ev_put_bytes(ev, r, "headers", cb_buf_str(&resp->headers),
		     resp->headers.len);
	ev_put_bytes(ev, r, "body", cb_buf_str(&resp->body),
		     n > EV_INLINE_BODY ? EV_INLINE_BODY : n);
	if (n > EV_INLINE_BODY)
		json_object_set_new(r, "body_truncated", json_true());
	if (resp->tls_version[0])
		json_object_set_new(
			r, "tls",
			json_pack("{s:s,s:s,s:s,s:s}", "version",
				  resp->tls_version, "cipher", resp->tls_cipher,
				  "peer_subject", resp->peer_subject,
				  "peer_cert_sha256", resp->peer_cert_sha256));
	json_object_set_new(r, "elapsed_ms",
			    json_integer((json_int_t)resp->elapsed_ms));
	return r;
}

void ev_tap(void *ctx, const struct hw_event *e)
{
	struct ev_log *ev = ctx;
	json_t *rec;

	rec = json_pack("{s:s,s:s,s:s,s:s}", "type", "io", "op",
			ev_op_name(e->kind), "adapter", e->hw->label, "uri",
			e->hw->uri);
	if (!rec)
		return;
	switch (e->kind) {
	case HW_EV_READ:
	case HW_EV_WRITE:
		json_object_set_new(rec, "len", json_integer((json_int_t)e->len));
		json_object_set_new(rec, "timeout_ms",
				    json_integer(e->timeout_ms));
		ev_put_bytes(ev, rec, "data", e->data, e->len);
		break;
	case HW_EV_HTTP:
		json_object_set_new(rec, "request", ev_http_request(ev, e->req));
		if (e->resp->status || e->rc == CB_OK)
			json_object_set_new(rec, "response",
					    ev_http_response(ev, e->resp));
		break;
	case HW_EV_POWER:
		json_object_set_new(rec, "on", json_boolean(e->on));
		break;
	case HW_EV_BREAK:
		json_object_set_new(rec, "ms", json_integer(e->timeout_ms));
		break;
	default:
		break;
	}
	if (e->rc) {
		json_object_set_new(rec, "rc", json_string(cb_strerror(e->rc)));
		json_object_set_new(rec, "error",
				    json_string(e->err ? e->err->text : ""));
	}
	/* A tap cannot fail its caller; a broken evidence file is caught
	 * when the run closes it. */
	ev_append(ev, rec, NULL, NULL);
}

static int ev_check_line(const char *line, size_t len, uint64_t lineno,
			 const char *prev, struct cb_error *err)
{
	json_error_t jerr;
	json_t *rec, *seq, *p;
	int rc = CB_OK;

	rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(rec)) {
		rc = cb_error_set(err, CB_ECRYPTO, "record is not valid JSON");
		goto out;
	}
	seq = json_object_get(rec, "seq");
	p = json_object_get(rec, "prev");
	if (!json_is_integer(seq) || json_integer_value(seq) != (json_int_t)lineno)
		rc = cb_error_set(err, CB_ECRYPTO,
				  "record sequence number is not %llu",
				  (unsigned long long)lineno);
	else if (!json_is_string(p) || strcmp(json_string_value(p), prev))
		rc = cb_error_set(err, CB_ECRYPTO,
				  "hash chain broken: previous-record hash "
				  "does not match");
out:
	json_decref(rec);
	return rc;
}

int ev_verify_file(const char *path, uint64_t *records,
		   char head[CB_SHA256_HEX], struct cb_error *err)
{
	char prev[CB_SHA256_HEX];
	struct cb_buf all;
	uint64_t lineno = 0;
	size_t off = 0, len;
	const char *line, *nl;
	int rc;

	rc = cb_buf_read_file(&all, path, 1u << 30, err);
	if (rc)
		return rc;
	memcpy(prev, EV_ZERO_HASH, sizeof(prev));
	while (off < all.len) {
		line = all.data + off;
		nl = memchr(line, '\n', all.len - off);
		lineno++;
		if (!nl) {
			rc = cb_error_set(err, CB_ECRYPTO,
					  "last record is not terminated");
			break;
		}
		len = (size_t)(nl - line);
		if (len > EV_MAX_LINE) {
			rc = cb_error_set(err, CB_ECRYPTO, "record too long");
			break;
		}
		rc = ev_check_line(line, len, lineno, prev, err);
		if (rc)
			break;
		cb_sha256_hex(prev, line, len);
		off += len + 1;
	}
	if (!rc && !lineno)
		rc = cb_error_set(err, CB_ECRYPTO, "no records");
	if (rc) {
		cb_error_at(err, path, (int)lineno, 1);
	} else {
		*records = lineno;
		memcpy(head, prev, CB_SHA256_HEX);
	}
	cb_buf_release(&all);
	return rc;
}
