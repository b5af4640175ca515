/*
 * tlsprobe.c - parallel TLS handshake prober (see tlsprobe.h).
 *
 * Decisions worth knowing:
 * - OpenSSL never touches a socket.  Each handshake runs over a pair of
 *   memory BIOs and this file moves the bytes, so the read ceiling, the
 *   look at the first two bytes ("is this TLS at all?") and the deadline
 *   all sit in one place, and one epoll set waits on every handshake.
 * - One chain of handshakes per version, all versions at once.  A chain
 *   is sequential by nature (each offer depends on the last answer), so
 *   the parallelism is across versions and the compression test.  That
 *   is also the smallest number of handshakes: one per accepted suite,
 *   one refusal, one order test.
 * - The ClientHello is built before connecting, so a version or suite
 *   list our OpenSSL cannot offer is found without touching the target.
 * - Security level 0 and SSL_OP_LEGACY_SERVER_CONNECT: we want to see
 *   what the server accepts, not what a careful client would allow.
 * - Certificates are not verified during the handshake; the chain is
 *   checked afterwards with X509_V_FLAG_NO_CHECK_TIME, so "untrusted"
 *   and "expired" remain separate observations.
 * - A server that closes, alerts or answers in a way our client rejects
 *   "refuses"; silence, a non-TLS first byte and the read ceiling stop a
 *   chain and, when nothing succeeded, become the result's error.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/tlsprobe.h"
#include "harness/x509gen.h"

#define TP_CONNECT_MS	2000
#define TP_IO_MS	3000
#define TP_INFLIGHT	32
#define TP_INFLIGHT_MAX 256
#define TP_READ_MAX	(256 * 1024) /* bytes one handshake may read */
#define TP_CHUNK	16384
#define TP_OFFER_MAX	(64 * 1024) /* a cipher list string */
#define TP_CHAIN_MAX	16	    /* certificates kept from a chain */
#define TP_CLASSIC_LIST "ALL:COMPLEMENTOFALL:@SECLEVEL=0"
#define TP_TLS13_SUITES                                                        \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"                 \
	"TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:"                       \
	"TLS_AES_128_CCM_8_SHA256"

/* Index into tlsprobe_result.versions. */
enum { TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13 };

static const int tp_version_ids[TLSPROBE_NVERSIONS] = {
    SSL3_VERSION, TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};

enum tp_outcome {
	TP_OK,
	TP_REFUSED,   /* alert, close, or an answer our client rejects */
	TP_LOCAL,     /* our OpenSSL cannot build this ClientHello */
	TP_NOCONNECT, /* TCP connect failed */
	TP_SILENT,    /* the deadline passed */
	TP_NOT_TLS,   /* the first bytes are no TLS record */
	TP_TOOBIG,    /* the read ceiling was reached */
};

enum tp_purpose { TP_ENUM, TP_ORDER, TP_COMPRESS };
enum tp_vstate { TP_V_ENUM, TP_V_ORDER, TP_V_DONE };

struct tp_ver {
	struct tlsprobe_version *out;
	SSL_CTX *ctx;		 /* NULL: not testable */
	const SSL_CIPHER **cand; /* what we can offer, in our order */
	unsigned char *taken;
	size_t ncand;
	const SSL_CIPHER **acc; /* accepted, in the order found */
	size_t nacc;
	enum tp_vstate state;
	int busy;
	int reneg; /* RFC 5746 seen in its first success: 1/0, or -1 */
	STACK_OF(X509) * chain; /* from its first success */
};

struct tp_hs {
	struct tp_ver *v; /* NULL: a free slot */
	enum tp_purpose purpose;
	int fd, connected, eof, done;
	uint32_t events;
	SSL *ssl;
	BIO *rb, *wb; /* owned by ssl */
	int alert;    /* last alert received (SSL info "ret"), or -1 */
	int64_t deadline;
	size_t nread, nsent;
	unsigned char head[2];
	size_t nhead;
	enum tp_outcome out;
	char why[128];
};

struct tp {
	const struct tlsprobe_opts *o;
	struct tlsprobe_result *r;
	const struct addrinfo *ai;
	int ep;
	struct tp_ver v[TLSPROBE_NVERSIONS];
	struct tp_hs *hs;
	size_t nslot, inflight;
	int comp;	 /* compression test: 0 to do, 1 running, 2 done */
	int tls_seen;	 /* some answer started like TLS */
	int bad_rank;	 /* rank of the worst failure kept in bad */
	char bad[160];	 /* why, for the result's error */
	char nocon[160]; /* first connect failure */
	struct cb_error *err;
};

const char *tlsprobe_version_name(int version)
{
	switch (version) {
	case SSL3_VERSION:
		return "SSLv3";
	case TLS1_VERSION:
		return "TLS1.0";
	case TLS1_1_VERSION:
		return "TLS1.1";
	case TLS1_2_VERSION:
		return "TLS1.2";
	case TLS1_3_VERSION:
		return "TLS1.3";
	default:
		return "?";
	}
}

const char *tlsprobe_version_label(int version)
{
	switch (version) {
	case SSL3_VERSION:
		return "SSL 3.0";
	case TLS1_VERSION:
		return "TLS 1.0";
	case TLS1_1_VERSION:
		return "TLS 1.1";
	case TLS1_2_VERSION:
		return "TLS 1.2";
	case TLS1_3_VERSION:
		return "TLS 1.3";
	default:
		return "?";
	}
}

/* Device-supplied text goes to terminals and reports: printable only. */
static void tp_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/* ---- per-version set-up ----------------------------------------------- */

static void tp_info(const SSL *ssl, int where, int ret)
{
	struct tp_hs *h;

	if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT)
		return;
	h = SSL_get_app_data(ssl);
	if (h)
		h->alert = ret;
}

/* A context offering exactly one version, and the suites it can offer. */
static int tp_ver_init(struct tp_ver *v, int version, struct cb_error *err)
{
	STACK_OF(SSL_CIPHER) *sk = NULL;
	const SSL_CIPHER *c;
	SSL *ssl = NULL;
	int k, n, tls13 = version == TLS1_3_VERSION;

	v->reneg = -1;
	v->out->version = version;
	v->out->server_order = -1;
	v->ctx = SSL_CTX_new(TLS_client_method());
	if (!v->ctx)
		return cb_error_set_ssl(err, CB_ENOMEM, "SSL_CTX_new");
	SSL_CTX_set_security_level(v->ctx, 0);
	SSL_CTX_set_options(v->ctx, SSL_OP_LEGACY_SERVER_CONNECT |
					SSL_OP_NO_COMPRESSION |
					SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(v->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_info_callback(v->ctx, tp_info);
	if (!SSL_CTX_set_min_proto_version(v->ctx, version) ||
	    !SSL_CTX_set_max_proto_version(v->ctx, version) ||
	    (tls13 ? !SSL_CTX_set_ciphersuites(v->ctx, TP_TLS13_SUITES)
		   : !SSL_CTX_set_cipher_list(v->ctx, TP_CLASSIC_LIST)))
		goto untestable;
	ssl = SSL_new(v->ctx);
	sk = ssl ? SSL_get1_supported_ciphers(ssl) : NULL;
	n = sk ? sk_SSL_CIPHER_num(sk) : 0;
	v->cand = calloc((size_t)n + 1, sizeof(*v->cand));
	v->acc = calloc((size_t)n + 1, sizeof(*v->acc));
	v->taken = calloc((size_t)n + 1, 1);
	if (!v->cand || !v->acc || !v->taken) {
		sk_SSL_CIPHER_free(sk);
		SSL_free(ssl);
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	}
	for (k = 0; k < n; k++) {
		c = sk_SSL_CIPHER_value(sk, k);
		if ((strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0) ==
		    tls13)
			v->cand[v->ncand++] = c;
	}
	sk_SSL_CIPHER_free(sk);
	SSL_free(ssl);
	ERR_clear_error();
	if (!v->ncand)
		goto untestable;
	v->out->supported_by_us = 1;
	return CB_OK;
untestable:
	ERR_clear_error();
	SSL_CTX_free(v->ctx);
	v->ctx = NULL;
	v->state = TP_V_DONE;
	snprintf(v->out->why, sizeof(v->out->why),
		 "this OpenSSL cannot offer %s",
		 tlsprobe_version_label(version));
	return CB_OK;
}

static void tp_ver_release(struct tp_ver *v)
{
	SSL_CTX_free(v->ctx);
	free(v->cand);
	free(v->acc);
	free(v->taken);
	if (v->chain)
		sk_X509_pop_free(v->chain, X509_free);
}

/* ---- one handshake ---------------------------------------------------- */

static void tp_hs_finish(struct tp *p, struct tp_hs *h, enum tp_outcome out,
			 const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void tp_watch(struct tp *p, struct tp_hs *h)
{
	struct epoll_event ev = {0};
	uint32_t want;

	if (h->done || h->fd < 0)
		return;
	want = h->connected ? EPOLLIN : EPOLLOUT;
	if (h->connected && BIO_ctrl_pending(h->wb))
		want |= EPOLLOUT;
	if (want == h->events)
		return;
	ev.events = want;
	ev.data.u32 = (uint32_t)(h - p->hs);
	if (epoll_ctl(p->ep, h->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, h->fd,
		      &ev) == 0)
		h->events = want;
	else
		tp_hs_finish(p, h, TP_LOCAL, "epoll_ctl: %s", strerror(errno));
}

/* Send what OpenSSL produced; -1 when the peer is gone. */
static int tp_flush(struct tp_hs *h)
{
	char *data, scratch[TP_CHUNK];
	long len;
	ssize_t n;

	while ((len = BIO_get_mem_data(h->wb, &data)) > 0) {
		n = send(h->fd, data, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		h->nsent += (size_t)n;
		while (n > 0) {
			int k = BIO_read(h->wb, scratch,
					 n > TP_CHUNK ? TP_CHUNK : (int)n);
			if (k <= 0)
				break;
			n -= k;
		}
	}
	return 0;
}

static void tp_hs_finish(struct tp *p, struct tp_hs *h, enum tp_outcome out,
			 const char *fmt, ...)
{
	va_list ap;

	if (h->done)
		return;
	h->done = 1;
	h->out = out;
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
	if (out == TP_OK && h->fd >= 0) {
		/* Finish politely: the client Finished may still be queued
		 * (TLS 1.3), then close_notify; never more than that. */
		SSL_shutdown(h->ssl);
		tp_flush(h);
	}
	ERR_clear_error();
	if (h->fd >= 0) {
		if (h->events)
			epoll_ctl(p->ep, EPOLL_CTL_DEL, h->fd, NULL);
		close(h->fd);
		h->fd = -1;
	}
}

/* The handshake failed: say why in words a tester understands. */
static void tp_hs_failed(struct tp *p, struct tp_hs *h)
{
	unsigned long e = ERR_peek_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	if (!h->connected)
		tp_hs_finish(p, h, TP_LOCAL, "cannot offer this: %s",
			     reason ? reason : "OpenSSL refused");
	else if (h->alert >= 0)
		tp_hs_finish(p, h, TP_REFUSED, "refused with alert %s",
			     SSL_alert_desc_string_long(h->alert));
	else if (h->eof)
		tp_hs_finish(p, h, TP_REFUSED, "%s",
			     h->nread ? "connection closed during the handshake"
				      : "connection closed without an answer");
	else
		tp_hs_finish(p, h, TP_REFUSED, "answer rejected: %s",
			     reason ? reason : "handshake failed");
}

static void tp_hs_drive(struct tp *p, struct tp_hs *h)
{
	int rc, e;

	ERR_clear_error();
	rc = SSL_do_handshake(h->ssl);
	if (h->connected && tp_flush(h))
		h->eof = 1;
	if (rc == 1) {
		tp_hs_finish(p, h, TP_OK, "ok");
		return;
	}
	e = SSL_get_error(h->ssl, rc);
	if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) &&
	    !h->eof) {
		tp_watch(p, h);
		return;
	}
	tp_hs_failed(p, h);
}

/* The first two bytes of a TLS answer: a handshake or alert record. */
static int tp_head_ok(struct tp_hs *h, const unsigned char *buf, size_t n)
{
	size_t k;

	for (k = 0; k < n && h->nhead < 2; k++)
		h->head[h->nhead++] = buf[k];
	if (h->nhead >= 1 && h->head[0] != 0x16 && h->head[0] != 0x15)
		return 0;
	if (h->nhead >= 2 && h->head[1] != 0x03)
		return 0;
	return 1;
}

static void tp_hs_read(struct tp *p, struct tp_hs *h)
{
	unsigned char buf[TP_CHUNK];
	char show[17];
	size_t room = TP_READ_MAX - h->nread, k;
	ssize_t n;

	if (!room) {
		tp_hs_finish(p, h, TP_TOOBIG,
			     "more than %d bytes without a complete handshake",
			     TP_READ_MAX);
		return;
	}
	do
		n = recv(h->fd, buf, room < sizeof(buf) ? room : sizeof(buf),
			 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		h->eof = 1;
		BIO_set_mem_eof_return(h->rb, 0);
		tp_hs_drive(p, h);
		return;
	}
	if (!tp_head_ok(h, buf, (size_t)n)) {
		for (k = 0; k < (size_t)n && k < 16; k++)
			show[k] = buf[k] >= 0x20 && buf[k] < 0x7f ? (char)buf[k]
								  : '.';
		show[k] = '\0';
		tp_hs_finish(p, h, TP_NOT_TLS,
			     "not TLS: the answer starts with \"%s\"", show);
		return;
	}
	p->tls_seen = 1;
	h->nread += (size_t)n;
	if (BIO_write(h->rb, buf, (int)n) != (int)n) {
		tp_hs_finish(p, h, TP_LOCAL, "out of memory");
		return;
	}
	tp_hs_drive(p, h);
	if (!h->done && h->nread >= TP_READ_MAX)
		tp_hs_finish(p, h, TP_TOOBIG,
			     "more than %d bytes without a complete handshake",
			     TP_READ_MAX);
}

static void tp_hs_connected(struct tp *p, struct tp_hs *h)
{
	h->connected = 1;
	p->r->reachable = 1;
	h->deadline = cb_now_ms() + p->o->io_timeout_ms;
	if (tp_flush(h)) {
		h->eof = 1;
		tp_hs_failed(p, h);
		return;
	}
	tp_watch(p, h);
}

static void tp_hs_event(struct tp *p, struct tp_hs *h, uint32_t events)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (!h->v || h->done)
		return;
	if (!h->connected) {
		getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		if (soerr)
			tp_hs_finish(p, h, TP_NOCONNECT, "connect: %s",
				     strerror(soerr));
		else
			tp_hs_connected(p, h);
		return;
	}
	if ((events & EPOLLOUT) && tp_flush(h)) {
		h->eof = 1;
		tp_hs_drive(p, h);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		tp_hs_read(p, h);
	else
		tp_watch(p, h);
}

/* Build the ClientHello, then connect.  May finish h at once. */
static void tp_hs_start(struct tp *p, struct tp_ver *v, enum tp_purpose purpose,
			const char *offer)
{
	const struct addrinfo *ai = p->ai;
	struct tp_hs *h = NULL;
	size_t k;
	int ok;

	for (k = 0; k < p->nslot && !h; k++)
		if (!p->hs[k].v)
			h = &p->hs[k];
	assert(h);
	memset(h, 0, sizeof(*h));
	h->v = v;
	h->purpose = purpose;
	h->fd = -1;
	h->alert = -1;
	p->inflight++;
	if (purpose != TP_COMPRESS)
		v->busy = 1;
	h->ssl = SSL_new(v->ctx);
	h->rb = BIO_new(BIO_s_mem());
	h->wb = BIO_new(BIO_s_mem());
	if (!h->ssl || !h->rb || !h->wb) {
		BIO_free(h->rb);
		BIO_free(h->wb);
		h->rb = h->wb = NULL;
		tp_hs_finish(p, h, TP_LOCAL, "out of memory");
		return;
	}
	SSL_set_bio(h->ssl, h->rb, h->wb);
	SSL_set_app_data(h->ssl, h);
	SSL_set_connect_state(h->ssl);
	if (v->out->version == TLS1_3_VERSION)
		ok = SSL_set_ciphersuites(h->ssl, offer);
	else
		ok = SSL_set_cipher_list(h->ssl, offer);
	if (ok && purpose == TP_COMPRESS)
		SSL_clear_options(h->ssl, SSL_OP_NO_COMPRESSION);
	if (ok && p->o->sni && *p->o->sni)
		ok = SSL_set_tlsext_host_name(h->ssl, p->o->sni);
	if (!ok) {
		tp_hs_failed(p, h);
		return;
	}
	tp_hs_drive(p, h); /* the ClientHello, into the memory BIO */
	if (h->done)
		return;
	p->r->handshakes++;
	h->deadline = cb_now_ms() + p->o->connect_timeout_ms;
	h->fd = socket(ai->ai_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0) {
		tp_hs_finish(p, h, TP_LOCAL, "socket: %s", strerror(errno));
		return;
	}
	if (connect(h->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		tp_hs_connected(p, h);
	else if (errno == EINPROGRESS)
		tp_watch(p, h);
	else
		tp_hs_finish(p, h, TP_NOCONNECT, "connect: %s",
			     strerror(errno));
}

/* ---- chains per version ----------------------------------------------- */

/* "A:B:C" from n suites, optionally reversed, skipping taken ones. */
static int tp_offer(struct cb_buf *b, const SSL_CIPHER *const *c, size_t n,
		    const unsigned char *skip, int reverse)
{
	size_t k, i;
	int first = 1;

	cb_buf_reset(b);
	for (k = 0; k < n; k++) {
		i = reverse ? n - 1 - k : k;
		if (skip && skip[i])
			continue;
		if (cb_buf_printf(b, NULL, "%s%s", first ? "" : ":",
				  SSL_CIPHER_get_name(c[i])))
			return -1;
		first = 0;
	}
	return first ? -1 : 0;
}

/* Start what each version needs next, highest version first. */
static void tp_schedule(struct tp *p, struct cb_buf *b)
{
	struct tp_ver *v;
	int i;

	for (i = TLSPROBE_NVERSIONS - 1; i >= 0; i--) {
		v = &p->v[i];
		if (v->state == TP_V_DONE || v->busy || p->inflight >= p->nslot)
			continue;
		if (v->state == TP_V_ENUM) {
			if (!tp_offer(b, v->cand, v->ncand, v->taken, 0)) {
				tp_hs_start(p, v, TP_ENUM, cb_buf_str(b));
				continue;
			}
			v->state = TP_V_ORDER;
		}
		if (v->nacc < 2 || tp_offer(b, v->acc, v->nacc, NULL, 1)) {
			v->state = TP_V_DONE;
			continue;
		}
		tp_hs_start(p, v, TP_ORDER, cb_buf_str(b));
	}
	/* One handshake offering compression, at the highest version that
	 * has one (TLS 1.3 has no compression). */
	if (p->comp || p->inflight >= p->nslot)
		return;
	for (i = TP_TLS12; i >= TP_SSL3 && !p->v[i].nacc; i--)
		;
	if (i < TP_SSL3 || tp_offer(b, p->v[i].acc, p->v[i].nacc, NULL, 0))
		return;
	p->comp = 1;
	p->r->compression = 0;
	tp_hs_start(p, &p->v[i], TP_COMPRESS, cb_buf_str(b));
}

/* Keep the most telling reason nothing worked: not TLS beats endless
 * beats silence. */
static void tp_note_bad(struct tp *p, const struct tp_hs *h)
{
	int rank = h->out == TP_NOT_TLS ? 3 : h->out == TP_TOOBIG ? 2 : 1;

	if (h->out == TP_NOCONNECT) {
		if (!p->nocon[0])
			snprintf(p->nocon, sizeof(p->nocon), "%s", h->why);
		return;
	}
	if (rank > p->bad_rank) {
		p->bad_rank = rank;
		snprintf(p->bad, sizeof(p->bad), "%s", h->why);
	}
}

static void tp_took(struct tp_ver *v, SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	STACK_OF(X509) * chain;
	size_t k;

	for (k = 0; k < v->ncand; k++)
		if (c && SSL_CIPHER_get_id(v->cand[k]) == SSL_CIPHER_get_id(c))
			break;
	if (k == v->ncand || v->taken[k]) {
		snprintf(v->out->why, sizeof(v->out->why),
			 "server chose %s, which was not offered; list stops",
			 c ? SSL_CIPHER_get_name(c) : "nothing");
		v->state = TP_V_ORDER;
		return;
	}
	v->taken[k] = 1;
	v->acc[v->nacc++] = v->cand[k];
	if (v->nacc > 1)
		return;
	chain = SSL_get_peer_cert_chain(ssl);
	if (chain)
		v->chain = X509_chain_up_ref(chain);
	if (v->out->version < TLS1_3_VERSION)
		v->reneg = SSL_get_secure_renegotiation_support(ssl) ? 1 : 0;
}

static void tp_collect_one(struct tp *p, struct tp_hs *h)
{
	struct tp_ver *v = h->v;
	const SSL_CIPHER *c;

	if (h->out != TP_OK && h->out != TP_REFUSED && h->out != TP_LOCAL)
		tp_note_bad(p, h);
	switch (h->purpose) {
	case TP_ENUM:
		if (h->out == TP_OK) {
			tp_took(v, h->ssl);
			break;
		}
		v->state = v->nacc ? TP_V_ORDER : TP_V_DONE;
		if (h->out == TP_LOCAL && !v->nacc) {
			v->out->supported_by_us = 0;
			snprintf(v->out->why, sizeof(v->out->why), "%s",
				 h->why);
		} else if (!v->nacc) {
			snprintf(v->out->why, sizeof(v->out->why), "%s",
				 h->why);
		} else if (h->out != TP_REFUSED && h->out != TP_LOCAL) {
			v->state = TP_V_DONE;
			snprintf(v->out->why, sizeof(v->out->why),
				 "list may be incomplete: %.100s", h->why);
		}
		break;
	case TP_ORDER:
		c = h->out == TP_OK ? SSL_get_current_cipher(h->ssl) : NULL;
		if (c && SSL_CIPHER_get_id(c) == SSL_CIPHER_get_id(v->acc[0]))
			v->out->server_order = 1;
		else if (c && SSL_CIPHER_get_id(c) ==
				  SSL_CIPHER_get_id(v->acc[v->nacc - 1]))
			v->out->server_order = 0;
		v->state = TP_V_DONE;
		break;
	case TP_COMPRESS:
		p->r->compression = h->out == TP_OK &&
				    SSL_get_current_compression(h->ssl) != NULL;
		p->comp = 2;
		break;
	}
	if (h->purpose != TP_COMPRESS)
		v->busy = 0;
	SSL_free(h->ssl);
	h->ssl = NULL;
	h->v = NULL;
	p->inflight--;
}

static int tp_collect(struct tp *p)
{
	size_t k;
	int n = 0;

	for (k = 0; k < p->nslot; k++)
		if (p->hs[k].v && p->hs[k].done) {
			tp_collect_one(p, &p->hs[k]);
			n++;
		}
	return n;
}

static void tp_expire(struct tp *p)
{
	int64_t now = cb_now_ms();
	struct tp_hs *h;
	size_t k;

	for (k = 0; k < p->nslot; k++) {
		h = &p->hs[k];
		if (!h->v || h->done || now < h->deadline)
			continue;
		if (!h->connected)
			tp_hs_finish(p, h, TP_NOCONNECT,
				     "connect: no answer within %d ms",
				     p->o->connect_timeout_ms);
		else if (!h->nread)
			tp_hs_finish(
			    p, h, TP_SILENT,
			    "no answer to the ClientHello within %d ms",
			    p->o->io_timeout_ms);
		else
			tp_hs_finish(p, h, TP_SILENT,
				     "handshake not finished within %d ms",
				     p->o->io_timeout_ms);
	}
}

static int tp_next_deadline(const struct tp *p)
{
	int64_t first = INT64_MAX;
	size_t k;

	for (k = 0; k < p->nslot; k++)
		if (p->hs[k].v && !p->hs[k].done && p->hs[k].deadline < first)
			first = p->hs[k].deadline;
	return first == INT64_MAX ? 0 : cb_ms_left(first);
}

static int tp_loop(struct tp *p)
{
	struct epoll_event evs[64];
	struct cb_buf offer;
	int got, k;

	cb_buf_init(&offer, TP_OFFER_MAX);
	for (;;) {
		do
			tp_schedule(p, &offer);
		while (tp_collect(p));
		if (!p->inflight)
			break;
		got = epoll_wait(p->ep, evs, 64, tp_next_deadline(p));
		if (got < 0 && errno != EINTR) {
			cb_buf_release(&offer);
			return cb_error_set_os(p->err, CB_EIO, "epoll_wait");
		}
		for (k = 0; k < got; k++)
			tp_hs_event(p, &p->hs[evs[k].data.u32], evs[k].events);
		tp_expire(p);
	}
	cb_buf_release(&offer);
	return CB_OK;
}

/* ---- certificates ----------------------------------------------------- */

static void tp_name(const X509_NAME *name, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0)
		n = BIO_read(b, out, (int)len - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	tp_clean(out);
}

static void tp_time(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	out[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm))
		strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void tp_san(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES *gens =
	    X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	const GENERAL_NAME *g;
	char ip[INET6_ADDRSTRLEN], item[300];
	size_t used = 0, n;
	int k;

	out[0] = '\0';
	for (k = 0; gens && k < sk_GENERAL_NAME_num(gens); k++) {
		g = sk_GENERAL_NAME_value(gens, k);
		item[0] = '\0';
		if (g->type == GEN_DNS)
			snprintf(
			    item, sizeof(item), "DNS:%.*s",
			    ASN1_STRING_length(g->d.dNSName) > 250
				? 250
				: ASN1_STRING_length(g->d.dNSName),
			    (const char *)ASN1_STRING_get0_data(g->d.dNSName));
		else if (g->type == GEN_IPADD &&
			 inet_ntop(g->d.iPAddress->length == 4 ? AF_INET
							       : AF_INET6,
				   g->d.iPAddress->data, ip, sizeof(ip)) &&
			 (g->d.iPAddress->length == 4 ||
			  g->d.iPAddress->length == 16))
			snprintf(item, sizeof(item), "IP:%s", ip);
		n = strlen(item);
		if (!n || used + n + 2 > len)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 used ? "," : "", item);
	}
	GENERAL_NAMES_free(gens);
	tp_clean(out);
}

static const char *tp_key_type(const EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		return "RSA";
	case EVP_PKEY_RSA_PSS:
		return "RSA-PSS";
	case EVP_PKEY_EC:
		return "EC";
	case EVP_PKEY_ED25519:
		return "ED25519";
	case EVP_PKEY_ED448:
		return "ED448";
	case EVP_PKEY_DSA:
		return "DSA";
	case EVP_PKEY_DH:
		return "DH";
	default:
		return k ? EVP_PKEY_get0_type_name(k) : NULL;
	}
}

static int tp_host_match(X509 *x, const char *host)
{
	unsigned char bin[16];

	if (!host[0])
		return 0;
	if (inet_pton(AF_INET, host, bin) == 1 ||
	    inet_pton(AF_INET6, host, bin) == 1)
		return X509_check_ip_asc(x, host, 0) == 1;
	return X509_check_host(x, host, 0, 0, NULL) == 1;
}

static void tp_cert(X509 *x, const char *host, struct tlsprobe_cert *c)
{
	const EVP_PKEY *k = X509_get0_pubkey(x);
	const char *type = k ? tp_key_type(k) : NULL;
	int nid = X509_get_signature_nid(x);
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;

	tp_name(X509_get_subject_name(x), c->subject, sizeof(c->subject));
	tp_name(X509_get_issuer_name(x), c->issuer, sizeof(c->issuer));
	if (nid != NID_undef) {
		snprintf(c->sig_alg, sizeof(c->sig_alg), "%s", OBJ_nid2ln(nid));
	} else {
		X509_get0_signature(NULL, &alg, x);
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
		OBJ_obj2txt(c->sig_alg, sizeof(c->sig_alg), obj, 1);
	}
	snprintf(c->key_type, sizeof(c->key_type), "%s", type ? type : "?");
	c->key_bits = k ? EVP_PKEY_get_bits(k) : 0;
	tp_time(X509_get0_notBefore(x), c->not_before, sizeof(c->not_before));
	tp_time(X509_get0_notAfter(x), c->not_after, sizeof(c->not_after));
	c->self_signed = X509_self_signed(x, 1) == 1;
	c->expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
	c->not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(x)) > 0;
	c->host_match = tp_host_match(x, host);
	x509_fingerprint(x, c->sha256);
	tp_san(x, c->san, sizeof(c->san));
	ERR_clear_error();
}

/* Chain trust only: dates are reported per certificate instead. */
static void tp_verify(struct tlsprobe_result *r, STACK_OF(X509) * chain,
		      X509_STORE *store)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *rest = sk_X509_dup(chain);
	X509 *leaf = sk_X509_value(chain, 0);

	if (!ctx || !rest || !leaf ||
	    !X509_STORE_CTX_init(ctx, store, leaf, rest)) {
		snprintf(r->verify_error, sizeof(r->verify_error),
			 "cannot set up verification");
		goto out;
	}
	(void)sk_X509_shift(rest);
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	r->chain_verified = X509_verify_cert(ctx) == 1;
	if (!r->chain_verified)
		snprintf(r->verify_error, sizeof(r->verify_error), "%s",
			 X509_verify_cert_error_string(
			     X509_STORE_CTX_get_error(ctx)));
out:
	ERR_clear_error();
	sk_X509_free(rest);
	X509_STORE_CTX_free(ctx);
}

/* ---- results ------------------------------------------------------------ */

static void tp_cipher(const SSL_CIPHER *c, struct tlsprobe_cipher *out)
{
	static const struct {
		const char *tag;
		size_t off, len;
	} f[] = {
	    {"Kx=", offsetof(struct tlsprobe_cipher, kx), 16},
	    {"Au=", offsetof(struct tlsprobe_cipher, au), 16},
	    {"Enc=", offsetof(struct tlsprobe_cipher, enc), 32},
	    {"Mac=", offsetof(struct tlsprobe_cipher, mac), 16},
	};
	const char *std = SSL_CIPHER_standard_name(c), *s;
	char desc[256];
	size_t k, n;

	snprintf(out->name, sizeof(out->name), "%s", SSL_CIPHER_get_name(c));
	snprintf(out->iana, sizeof(out->iana), "%s",
		 std && strcmp(std, "(NONE)") ? std : "");
	out->bits = SSL_CIPHER_get_bits(c, NULL);
	if (!SSL_CIPHER_description(c, desc, sizeof(desc)))
		return;
	for (k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		s = strstr(desc, f[k].tag);
		if (!s)
			continue;
		s += strlen(f[k].tag);
		n = strcspn(s, " \n");
		snprintf((char *)out + f[k].off, f[k].len, "%.*s", (int)n, s);
	}
}

static int tp_fill(struct tp *p, X509_STORE *store, struct cb_error *err)
{
	struct tlsprobe_result *r = p->r;
	struct tp_ver *v, *best = NULL;
	size_t k, n;
	int i, any = 0;

	for (i = 0; i < TLSPROBE_NVERSIONS; i++) {
		v = &p->v[i];
		v->out->accepted = v->nacc > 0;
		any |= v->out->accepted;
		if (v->chain && sk_X509_num(v->chain) > 0)
			best = v;
		if (v->reneg >= 0)
			r->secure_renegotiation = v->reneg;
		if (!v->nacc)
			continue;
		v->out->ciphers = calloc(v->nacc, sizeof(*v->out->ciphers));
		if (!v->out->ciphers)
			return cb_error_set(err, CB_ENOMEM, "out of memory");
		for (k = 0; k < v->nacc; k++)
			tp_cipher(v->acc[k], &v->out->ciphers[k]);
		v->out->ncipher = v->nacc;
	}
	if (best) {
		n = (size_t)sk_X509_num(best->chain);
		if (n > TP_CHAIN_MAX)
			n = TP_CHAIN_MAX;
		r->chain = calloc(n, sizeof(*r->chain));
		if (!r->chain)
			return cb_error_set(err, CB_ENOMEM, "out of memory");
		for (k = 0; k < n; k++)
			tp_cert(sk_X509_value(best->chain, (int)k), r->host,
				&r->chain[k]);
		r->ncert = n;
		tp_verify(r, best->chain, store);
	}
	if (p->comp == 0)
		r->compression = 0; /* no TLS <= 1.2 handshake to try it in */
	if (any)
		return CB_OK;
	if (!r->reachable)
		snprintf(r->error, sizeof(r->error), "%s",
			 p->nocon[0] ? p->nocon : "no connection");
	else if (p->bad[0])
		snprintf(r->error, sizeof(r->error), "%s", p->bad);
	else if (!p->tls_seen)
		snprintf(r->error, sizeof(r->error),
			 "no TLS answer: every connection was closed without "
			 "a reply");
	return CB_OK;
}

static int tp_store(X509_STORE **out, const char *ca_file, struct cb_error *err)
{
	X509_STORE *st = X509_STORE_new();

	*out = st;
	if (!st)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	if (ca_file ? X509_STORE_load_file(st, ca_file)
		    : X509_STORE_set_default_paths(st))
		return CB_OK;
	if (!ca_file)
		return cb_error_set_ssl(err, CB_ECRYPTO,
					"cannot load the default trust store");
	cb_error_set_ssl(err, CB_ENODEV, "cannot load CA file");
	cb_error_at(err, ca_file, 0, 0);
	return CB_ENODEV;
}

int tlsprobe_run(const char *host, int port, const struct tlsprobe_opts *o,
		 struct tlsprobe_result *r, struct cb_error *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV},
			*ai = NULL;
	struct tlsprobe_opts opt = {0};
	struct tp p = {0};
	X509_STORE *store = NULL;
	int64_t t0 = cb_now_ms();
	char portstr[8];
	int rc, gai, i;
	size_t k;

	memset(r, 0, sizeof(*r));
	r->secure_renegotiation = -1;
	r->compression = -1;
	if (o)
		opt = *o;
	opt.connect_timeout_ms =
	    opt.connect_timeout_ms > 0 ? opt.connect_timeout_ms : TP_CONNECT_MS;
	opt.io_timeout_ms =
	    opt.io_timeout_ms > 0 ? opt.io_timeout_ms : TP_IO_MS;
	opt.max_inflight =
	    opt.max_inflight > 0 ? opt.max_inflight : TP_INFLIGHT;
	if (!host || !*host || port < 1 || port > 65535 ||
	    opt.max_inflight > TP_INFLIGHT_MAX || strlen(host) > 255 ||
	    (opt.sni && strlen(opt.sni) > 255))
		return cb_error_set(err, CB_EINVAL,
				    "bad target or options (host, port "
				    "1-65535, 1-%d handshakes in flight)",
				    TP_INFLIGHT_MAX);
	snprintf(r->target, sizeof(r->target),
		 strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
	snprintf(r->host, sizeof(r->host), "%s",
		 opt.sni && *opt.sni ? opt.sni : host);
	rc = tp_store(&store, opt.ca_file, err);
	if (rc)
		goto out;
	snprintf(portstr, sizeof(portstr), "%d", port);
	gai = getaddrinfo(host, portstr, &hints, &ai);
	if (gai) {
		rc = cb_error_set(err, CB_ENODEV, "cannot resolve %s: %s", host,
				  gai_strerror(gai));
		goto out;
	}
	p.o = &opt;
	p.r = r;
	p.ai = ai;
	p.err = err;
	p.nslot = (size_t)opt.max_inflight;
	p.hs = calloc(p.nslot, sizeof(*p.hs));
	p.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!p.hs || p.ep < 0) {
		rc = cb_error_set_os(err, CB_EIO, "prober set-up");
		goto out;
	}
	for (i = 0; i < TLSPROBE_NVERSIONS; i++) {
		p.v[i].out = &r->versions[i];
		rc = tp_ver_init(&p.v[i], tp_version_ids[i], err);
		if (rc)
			goto out;
	}
	/* Compression needs a library built with it (Debian's is not). */
	p.comp =
	    sk_SSL_COMP_num(SSL_COMP_get_compression_methods()) > 0 ? 0 : 2;
	rc = tp_loop(&p);
	if (!rc)
		rc = tp_fill(&p, store, err);
	r->elapsed_ms = cb_now_ms() - t0;
out:
	for (k = 0; p.hs && k < p.nslot; k++) {
		if (p.hs[k].fd >= 0 && p.hs[k].v)
			close(p.hs[k].fd);
		SSL_free(p.hs[k].ssl);
	}
	for (i = 0; i < TLSPROBE_NVERSIONS; i++)
		tp_ver_release(&p.v[i]);
	free(p.hs);
	if (p.ep > 0)
		close(p.ep);
	if (ai)
		freeaddrinfo(ai);
	X509_STORE_free(store);
	ERR_clear_error();
	if (rc)
		tlsprobe_release(r);
	return rc;
}

void tlsprobe_release(struct tlsprobe_result *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < TLSPROBE_NVERSIONS; i++)
		free(r->versions[i].ciphers);
	free(r->chain);
	memset(r, 0, sizeof(*r));
	r->secure_renegotiation = -1;
	r->compression = -1;
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *tp_tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *tp_str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *tp_version_json(const struct tlsprobe_version *v)
{
	json_t *o, *cs = json_array();
	const struct tlsprobe_cipher *c;
	size_t k;

	for (k = 0; cs && k < v->ncipher; k++) {
		c = &v->ciphers[k];
		json_array_append_new(
		    cs, json_pack("{s:s,s:s?,s:i,s:s,s:s,s:s,s:s}", "name",
				  c->name, "iana", c->iana[0] ? c->iana : NULL,
				  "bits", c->bits, "kx", c->kx, "au", c->au,
				  "enc", c->enc, "mac", c->mac));
	}
	o = json_pack(
	    "{s:s,s:b,s:o,s:o,s:o,s:o}", "version",
	    tlsprobe_version_name(v->version), "supported_by_us",
	    v->supported_by_us, "accepted",
	    v->supported_by_us ? json_boolean(v->accepted) : json_null(),
	    "server_order", v->accepted ? tp_tri(v->server_order) : json_null(),
	    "ciphers", cs ? cs : json_array(), "note", tp_str_or_null(v->why));
	return o;
}

static json_t *tp_cert_json(const struct tlsprobe_cert *c)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:b,s:b,s:b,s:b,s:s,"
			 "s:s}",
			 "subject", c->subject, "issuer", c->issuer, "sig_alg",
			 c->sig_alg, "key_type", c->key_type, "key_bits",
			 c->key_bits, "not_before", c->not_before, "not_after",
			 c->not_after, "self_signed", c->self_signed, "expired",
			 c->expired, "not_yet_valid", c->not_yet_valid,
			 "host_match", c->host_match, "sha256", c->sha256,
			 "san", c->san);
}

/*
 * {"target", "host", "reachable", "error": str|null,
 *  "versions": [{"version": "TLS1.2", "supported_by_us", "accepted":
 *      bool|null, "server_order": bool|null, "ciphers": [{"name", "iana",
 *      "bits", "kx", "au", "enc", "mac"}], "note": str|null}, ...5],
 *  "certificates": [{"subject", "issuer", "sig_alg", "key_type",
 *      "key_bits", "not_before", "not_after", "self_signed", "expired",
 *      "not_yet_valid", "host_match", "sha256", "san"}],
 *  "chain_verified": bool|null, "verify_error": str|null,
 *  "secure_renegotiation": bool|null, "compression": bool|null,
 *  "elapsed_ms", "handshakes"}
 */
json_t *tlsprobe_json(const struct tlsprobe_result *r)
{
	json_t *vs = json_array(), *cs = json_array(), *o;
	size_t k;
	int i;

	for (i = 0; vs && i < TLSPROBE_NVERSIONS; i++)
		json_array_append_new(vs, tp_version_json(&r->versions[i]));
	for (k = 0; cs && k < r->ncert; k++)
		json_array_append_new(cs, tp_cert_json(&r->chain[k]));
	if (!vs || !cs) {
		json_decref(vs);
		json_decref(cs);
		return NULL;
	}
	o = json_pack("{s:s,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I}",
		      "target", r->target, "host", r->host, "reachable",
		      r->reachable, "error", tp_str_or_null(r->error),
		      "versions", vs, "certificates", cs, "chain_verified",
		      r->ncert ? json_boolean(r->chain_verified) : json_null(),
		      "verify_error", tp_str_or_null(r->verify_error),
		      "secure_renegotiation", tp_tri(r->secure_renegotiation),
		      "compression", tp_tri(r->compression), "elapsed_ms",
		      (json_int_t)r->elapsed_ms, "handshakes",
		      (json_int_t)r->handshakes);
	return o;
}
