/*
 * http.c - HTTP(S) exchanges through one libcurl easy handle.
 *
 * URI: https://192.0.2.10:8443/ is the base that relative request URLs
 * resolve against; "https:" alone means "absolute URLs only" (a vendor's
 * web site rather than the device).  TLS verification is on unless a
 * request turns it off.  Response headers and bodies have ceilings; a body
 * over its ceiling fails the exchange rather than being cut silently.
 * The handle is reused, so connections are kept alive between requests.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <curl/mprintf.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "harness/cb_error.h"
#include "harness/cb_hash.h"
#include "harness/version.h"
#include "hw-adapters/hw.h"

struct http {
	CURL *curl;
	char base[1024];	/* "" when only absolute URLs are allowed */
	char errbuf[CURL_ERROR_SIZE];
};

struct http_xfer {
	struct hw_http_resp *resp;
	CURL *curl;
	size_t max_body;
	int overflow;		/* body passed its ceiling */
	int tls_done;
	const char *up;		/* request body still to send */
	size_t up_left;		/* bytes of it before the cut */
	int cut;		/* the upload was cut on purpose */
};

static int http_open(struct hw_adapter *hw, const struct hw_uri *uri,
		     struct cb_error *err)
{
	struct http *h = hw->priv;

	if (uri->host[0])
		snprintf(h->base, sizeof(h->base), "%s", hw->uri);
	h->curl = curl_easy_init();
	if (!h->curl)
		return cb_error_set(err, CB_ENOMEM, "curl_easy_init failed");
	return CB_OK;
}

static void http_close(struct hw_adapter *hw)
{
	struct http *h = hw->priv;

	curl_easy_cleanup(h->curl);
	h->curl = NULL;
}

static void http_tls_info(struct http_xfer *x)
{
	struct curl_tlssessioninfo *ti = NULL;
	struct hw_http_resp *r = x->resp;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	X509 *peer;
	SSL *ssl;

	x->tls_done = 1;
	if (curl_easy_getinfo(x->curl, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    !ti || ti->backend != CURLSSLBACKEND_OPENSSL || !ti->internals)
		return;
	ssl = ti->internals;
	snprintf(r->tls_version, sizeof(r->tls_version), "%s",
		 SSL_get_version(ssl));
	snprintf(r->tls_cipher, sizeof(r->tls_cipher), "%s",
		 SSL_get_cipher_name(ssl));
	peer = SSL_get1_peer_certificate(ssl);
	if (!peer)
		return;
	X509_NAME_oneline(X509_get_subject_name(peer), r->peer_subject,
			  sizeof(r->peer_subject));
	if (X509_digest(peer, EVP_sha256(), md, &mdlen) && mdlen == 32)
		cb_hex(r->peer_cert_sha256, md, mdlen);
	X509_free(peer);
}

static size_t http_on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http_xfer *x = ud;
	size_t len = size * n;

	if (!x->tls_done)
		http_tls_info(x);
	/* A new status line starts a new response (after a redirect). */
	if (len >= 5 && !memcmp(p, "HTTP/", 5))
		cb_buf_reset(&x->resp->headers);
	if (cb_buf_add(&x->resp->headers, p, len, NULL))
		return 0;
	return len;
}

static size_t http_on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http_xfer *x = ud;
	size_t len = size * n;

	if (x->resp->body.len + len > x->max_body) {
		x->overflow = 1;
		return 0;
	}
	if (cb_buf_add(&x->resp->body, p, len, NULL))
		return 0;
	return len;
}

/* Request body for an upload that is cut half way on purpose. */
static size_t http_on_read(char *p, size_t size, size_t n, void *ud)
{
	struct http_xfer *x = ud;
	size_t len = size * n;

	if (!x->up_left) {
		x->cut = 1;
		return CURL_READFUNC_ABORT;
	}
	if (len > x->up_left)
		len = x->up_left;
	memcpy(p, x->up, len);
	x->up += len;
	x->up_left -= len;
	return len;
}

static int http_url(struct http *h, const char *url, char **out,
		    struct cb_error *err)
{
	CURLU *u;
	CURLUcode uc;

	*out = NULL;
	if (strstr(url, "://")) {
		*out = curl_maprintf("%s", url);
		return *out ? CB_OK : cb_error_set(err, CB_ENOMEM, "no memory");
	}
	if (!h->base[0])
		return cb_error_set(err, CB_EINVAL,
				    "relative URL '%s' but no base URL", url);
	u = curl_url();
	if (!u)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	uc = curl_url_set(u, CURLUPART_URL, h->base, 0);
	if (!uc)
		uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (!uc)
		uc = curl_url_get(u, CURLUPART_URL, out, 0);
	curl_url_cleanup(u);
	if (uc)
		return cb_error_set(err, CB_EINVAL, "bad URL '%s': %s", url,
				    curl_url_strerror(uc));
	return CB_OK;
}

static int http_code(CURLcode cc)
{
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return CB_ETIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return CB_ENODEV;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return CB_ECRYPTO;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return CB_ECLOSED;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return CB_EINVAL;
	default:
		return CB_EPROTO;
	}
}

static void http_setup(struct http *h, const struct hw_http_req *req,
		       struct http_xfer *x, struct curl_slist *hdrs)
{
	CURL *c = h->curl;
	long ms = req->timeout_ms > 0 ? req->timeout_ms : 10000;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "certbench/" CB_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req->verify_tls ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req->verify_tls ? 2L : 0L);
	if (req->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file);
	if (req->follow_redirects) {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	}
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (!strcmp(req->method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(req->method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->auth != HW_AUTH_NONE) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH,
				 req->auth == HW_AUTH_DIGEST ? CURLAUTH_DIGEST
							     : CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, req->user ? req->user : "");
		curl_easy_setopt(c, CURLOPT_PASSWORD,
				 req->password ? req->password : "");
	}
	if (req->body && req->abort_after && req->abort_after < req->body_len) {
		/* Declare the whole length, send a part, then hang up. */
		x->up = req->body;
		x->up_left = req->abort_after;
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, http_on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, x);
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
		if (strcmp(req->method, "PUT"))
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	} else if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
	}
}

static void http_collect(CURL *c, struct hw_http_resp *r)
{
	curl_off_t us = 0;
	char *s = NULL;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &r->redirects);
	if (!curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &us))
		r->elapsed_ms = (int64_t)(us / 1000);
	if (!curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &s) && s)
		snprintf(r->content_type, sizeof(r->content_type), "%s", s);
	s = NULL;
	if (!curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &s) && s)
		snprintf(r->effective_url, sizeof(r->effective_url), "%s", s);
	s = NULL;
	if (!curl_easy_getinfo(c, CURLINFO_SCHEME, &s) && s) {
		snprintf(r->scheme, sizeof(r->scheme), "%s", s);
		for (s = r->scheme; *s; s++)
			*s = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
	}
}

static int http_request(struct hw_adapter *hw, const struct hw_http_req *req,
			struct hw_http_resp *resp, struct cb_error *err)
{
	struct http *h = hw->priv;
	struct http_xfer x = {.resp = resp, .curl = h->curl};
	struct curl_slist *hdrs = NULL, *tmp;
	const char *const *hp;
	char *url = NULL;
	CURLcode cc;
	int rc;

	x.max_body = req->max_body ? req->max_body : resp->body.max;
	if (x.max_body > resp->body.max)
		resp->body.max = x.max_body;
	rc = http_url(h, req->url, &url, err);
	if (rc)
		return rc;
	for (hp = req->headers; hp && *hp; hp++) {
		tmp = curl_slist_append(hdrs, *hp);
		if (!tmp) {
			rc = cb_error_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
		hdrs = tmp;
	}
	if (req->body) {
		/* No "Expect: 100-continue" pause before large bodies. */
		tmp = curl_slist_append(hdrs, "Expect:");
		if (!tmp) {
			rc = cb_error_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
		hdrs = tmp;
	}
	h->errbuf[0] = '\0';
	http_setup(h, req, &x, hdrs);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	snprintf(resp->effective_url, sizeof(resp->effective_url), "%s", url);
	cc = curl_easy_perform(h->curl);
	http_collect(h->curl, resp);
	if (x.cut)
		rc = cb_error_set(err, CB_ECLOSED,
				  "upload cut on purpose after %zu of %zu "
				  "bytes",
				  req->abort_after, req->body_len);
	else if (x.overflow)
		rc = cb_error_set(err, CB_ETOOBIG,
				  "response body exceeds %zu bytes",
				  x.max_body);
	else if (cc != CURLE_OK)
		rc = cb_error_set(err, http_code(cc), "%s",
				  h->errbuf[0] ? h->errbuf
					       : curl_easy_strerror(cc));
out:
	curl_slist_free_all(hdrs);
	curl_free(url);
	return rc;
}

static const char *const http_schemes[] = {"http", "https", NULL};

const struct hw_adapter_ops hw_http_ops = {
	.name = "http",
	.schemes = http_schemes,
	.caps = HW_CAP_HTTP,
	.priv_size = sizeof(struct http),
	.open = http_open,
	.close = http_close,
	.request = http_request,
};
