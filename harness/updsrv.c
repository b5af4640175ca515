/*
 * updsrv.c - the man-in-the-middle update server (see updsrv.h).
 *
 * One thread polls the listening socket, an eventfd that updsrv_stop()
 * writes, and every connection.  A connection is a small state machine
 * (handshake, request, respond, linger) on a non-blocking socket; each
 * step does as much I/O as it can and records what it waits for, so the
 * loop never blocks on one client.  Events go out as things happen, so a
 * test sees the order a device actually took.
 *
 * Decisions worth knowing:
 * - TLS session resumption is off (no cache, no tickets): a device that
 *   resumed a session would skip the certificate check we are testing.
 * - After the response the write side is shut and the rest of the
 *   request is read and dropped for a moment ("lingering close", as
 *   Apache does); closing with unread data would send a reset that can
 *   destroy the response before the client reads it.
 * - OpenSSL writes to sockets with write(), so SIGPIPE is blocked in the
 *   server thread instead of being ignored process-wide.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/updsrv.h"

#define UPDSRV_TIMEOUT_DEFAULT 5000
#define UPDSRV_CONNS_DEFAULT   8
#define UPDSRV_CONNS_MAX       256
#define UPDSRV_PATH_MAX	       2048
#define UPDSRV_TYPE_MAX	       128
#define UPDSRV_LINGER_MS       2000
#define UPDSRV_LINGER_MAX      (64 * 1024) /* bytes dropped after the answer */
#define UPDSRV_WRITE_CHUNK     (64 * 1024)
#define UPDSRV_ACCEPT_PAUSE_MS 100
#define UPDSRV_WHY_MAX	       256

/* What an I/O helper returns besides a byte count. */
#define UPDSRV_IO_EOF  0
#define UPDSRV_IO_WAIT (-1) /* would block; c->events says on what */
#define UPDSRV_IO_FAIL (-2) /* failed; the text says why */

enum updsrv_state {
	UPDSRV_FREE,
	UPDSRV_HANDSHAKE,
	UPDSRV_READING,
	UPDSRV_WRITING,
	UPDSRV_LINGER,
};

struct updsrv_conn {
	enum updsrv_state st;
	int fd;
	int no;
	char peer[64];
	SSL *ssl;     /* NULL for plain HTTP */
	short events; /* what the current step waits for */
	int64_t deadline;
	char alert[64]; /* fatal alert the client sent, or "" */
	char req[UPDSRV_HEAD_MAX + 1];
	size_t req_len;
	char head[512]; /* status line and headers of the answer */
	size_t head_len, head_off;
	const unsigned char *body;
	size_t body_len, body_off;
	long status;
	int full_get;	/* a 200 answer to GET: counts as served */
	size_t dropped; /* bytes read and dropped while lingering */
};

struct updsrv {
	int lfd, wake;
	pthread_t thread;
	SSL_CTX *ssl_ctx; /* NULL for plain HTTP */
	char *path, *content_type, *url;
	unsigned char *body;
	size_t body_len;
	int io_timeout_ms, max_conns, port;
	updsrv_event_fn *on_event;
	void *ctx;
	int next_no;
	int64_t accept_paused_until;
	struct updsrv_conn *conns;
	struct pollfd *pfd; /* wake, listener, then connections */
	int *pidx;	    /* pfd index -> conns index */
	atomic_uint n_conns, n_tls_ok, n_requests, n_served;
};

static void updsrv_write_step(struct updsrv *s, struct updsrv_conn *c);
static void updsrv_read_step(struct updsrv *s, struct updsrv_conn *c);

static void updsrv_emit(struct updsrv *s, const struct updsrv_conn *c,
			struct updsrv_event *ev)
{
	if (!s->on_event)
		return;
	ev->conn = c->no;
	snprintf(ev->peer, sizeof(ev->peer), "%s", c->peer);
	s->on_event(s->ctx, ev);
}

static void updsrv_close(struct updsrv *s, struct updsrv_conn *c,
			 const char *why)
{
	struct updsrv_event ev = {.kind = UPDSRV_CLOSE, .reason = why};

	updsrv_emit(s, c, &ev);
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	c->st = UPDSRV_FREE;
}

static void updsrv_arm(struct updsrv *s, struct updsrv_conn *c,
		       enum updsrv_state st, int ms)
{
	c->st = st;
	c->events = POLLIN;
	c->deadline = cb_now_ms() + (ms ? ms : s->io_timeout_ms);
}

/* A fatal alert from the client names why it gave up; keep the first. */
static void updsrv_info(const SSL *ssl, int where, int ret)
{
	struct updsrv_conn *c;

	if (!(where & SSL_CB_ALERT) || !(where & SSL_CB_READ) ||
	    (ret >> 8) != SSL3_AL_FATAL)
		return;
	c = SSL_get_app_data(ssl);
	if (c && !c->alert[0])
		snprintf(c->alert, sizeof(c->alert), "%s",
			 SSL_alert_desc_string_long(ret));
}

/* Text for the first queued OpenSSL error (clears the queue). */
static void updsrv_ssl_text(const struct updsrv_conn *c, char *why, size_t len)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	char buf[128];

	if (!r && e) {
		ERR_error_string_n(e, buf, sizeof(buf));
		r = buf;
	}
	if (!r)
		r = "tls error";
	if (c->alert[0])
		snprintf(why, len, "%s (client alert: %s)", r, c->alert);
	else
		snprintf(why, len, "%s", r);
	ERR_clear_error();
}

/* The client's end as reported by SSL_get_error(): 1 for a plain EOF. */
static int updsrv_ssl_failed(const struct updsrv_conn *c, int e, int saved,
			     char *why, size_t len)
{
	unsigned long code = ERR_peek_error();

	if (e == SSL_ERROR_ZERO_RETURN ||
	    (e == SSL_ERROR_SYSCALL && !code && !saved) ||
	    (ERR_GET_LIB(code) == ERR_LIB_SSL &&
	     ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		ERR_clear_error();
		snprintf(why, len, "eof");
		return 1;
	}
	if (e == SSL_ERROR_SYSCALL && !code) {
		snprintf(why, len, "%s", strerror(saved));
		return 0;
	}
	updsrv_ssl_text(c, why, len);
	return 0;
}

/* Read up to len bytes: > 0 read, or UPDSRV_IO_EOF/WAIT/FAIL. */
static ssize_t updsrv_recv(struct updsrv_conn *c, void *buf, size_t len,
			   char *why, size_t whylen)
{
	ssize_t n;
	int r, e;

	if (c->ssl) {
		ERR_clear_error();
		errno = 0;
		r = SSL_read(c->ssl, buf,
			     len > INT32_MAX ? INT32_MAX : (int)len);
		if (r > 0)
			return r;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			c->events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
			return UPDSRV_IO_WAIT;
		}
		if (updsrv_ssl_failed(c, e, errno, why, whylen))
			return UPDSRV_IO_EOF;
		return UPDSRV_IO_FAIL;
	}
	do
		n = recv(c->fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		c->events = POLLIN;
		return UPDSRV_IO_WAIT;
	}
	snprintf(why, whylen, "recv: %s", strerror(errno));
	return UPDSRV_IO_FAIL;
}

/* Write up to len bytes: > 0 written, or UPDSRV_IO_WAIT/FAIL. */
static ssize_t updsrv_send(struct updsrv_conn *c, const void *buf, size_t len,
			   char *why, size_t whylen)
{
	ssize_t n;
	int r, e;

	if (len > UPDSRV_WRITE_CHUNK)
		len = UPDSRV_WRITE_CHUNK;
	if (c->ssl) {
		ERR_clear_error();
		errno = 0;
		r = SSL_write(c->ssl, buf, (int)len);
		if (r > 0)
			return r;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			c->events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
			return UPDSRV_IO_WAIT;
		}
		updsrv_ssl_failed(c, e, errno, why, whylen);
		return UPDSRV_IO_FAIL;
	}
	do
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		c->events = POLLOUT;
		return UPDSRV_IO_WAIT;
	}
	snprintf(why, whylen, "send: %s",
		 n < 0 ? strerror(errno) : "no progress");
	return UPDSRV_IO_FAIL;
}

static void updsrv_handshake_step(struct updsrv *s, struct updsrv_conn *c)
{
	struct updsrv_event ev = {.kind = UPDSRV_TLS_FAIL};
	char why[UPDSRV_WHY_MAX];
	int r, e, eof;

	ERR_clear_error();
	errno = 0;
	r = SSL_accept(c->ssl);
	if (r == 1) {
		atomic_fetch_add(&s->n_tls_ok, 1);
		ev.kind = UPDSRV_TLS_OK;
		ev.tls_version = SSL_get_version(c->ssl);
		ev.tls_cipher = SSL_get_cipher_name(c->ssl);
		ev.sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
		updsrv_emit(s, c, &ev);
		updsrv_arm(s, c, UPDSRV_READING, 0);
		updsrv_read_step(s, c);
		return;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return;
	}
	eof = updsrv_ssl_failed(c, e, errno, why, sizeof(why));
	if (eof)
		snprintf(why, sizeof(why), "%s",
			 BIO_number_read(SSL_get_rbio(c->ssl))
			     ? "eof during handshake"
			     : "eof before ClientHello");
	ev.reason = why;
	updsrv_emit(s, c, &ev);
	updsrv_close(s, c, eof ? "eof" : "tls handshake failed");
}

static void updsrv_answer(struct updsrv *s, struct updsrv_conn *c, long status,
			  int head_only)
{
	static const unsigned char bad[] = "bad request\n",
				   missing[] = "not found\n",
				   method[] = "method not allowed\n";
	const unsigned char *body = s->body;
	const char *text = "OK", *type = s->content_type;
	size_t len = s->body_len;
	int n;

	if (status != 200)
		type = "text/plain";
	if (status == 400) {
		text = "Bad Request";
		body = bad;
		len = sizeof(bad) - 1;
	} else if (status == 404) {
		text = "Not Found";
		body = missing;
		len = sizeof(missing) - 1;
	} else if (status == 405) {
		text = "Method Not Allowed";
		body = method;
		len = sizeof(method) - 1;
	}
	/* type is at most UPDSRV_TYPE_MAX, so the head always fits. */
	n = snprintf(c->head, sizeof(c->head),
		     "HTTP/1.1 %ld %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     status, text, type, len,
		     status == 405 ? "Allow: GET, HEAD\r\n" : "");
	assert(n > 0 && (size_t)n < sizeof(c->head));
	c->head_len = (size_t)n;
	c->head_off = c->body_off = 0;
	c->body = head_only ? NULL : body;
	c->body_len = head_only ? 0 : len;
	c->status = status;
	c->full_get = status == 200 && !head_only;
	updsrv_arm(s, c, UPDSRV_WRITING, 0);
	c->events = POLLOUT;
	updsrv_write_step(s, c);
}

/* Where the head ends: just past the empty line, or NULL.  *last is the
 * offset of the newline that ends the last header line. */
static char *updsrv_head_end(char *p, size_t n, size_t *last)
{
	size_t k;

	for (k = 0; k + 1 < n; k++) {
		if (p[k] != '\n')
			continue;
		*last = k;
		if (p[k + 1] == '\n')
			return p + k + 2;
		if (k + 2 < n && p[k + 1] == '\r' && p[k + 2] == '\n')
			return p + k + 3;
	}
	return NULL;
}

static int updsrv_token_ok(const char *t)
{
	if (!*t)
		return 0;
	for (; *t; t++)
		if (*t <= ' ' || *t >= 0x7f)
			return 0;
	return 1;
}

/* A complete head is in c->req: parse it, report it, answer it. */
static void updsrv_request(struct updsrv *s, struct updsrv_conn *c, size_t last)
{
	struct updsrv_event ev = {.kind = UPDSRV_REQUEST};
	char *line = c->req, *nl, *target, *version;
	int ours, head_only;

	c->req[last + 1] = '\0'; /* drop the empty line and anything after */
	if (memchr(c->req, '\0', last + 1)) {
		updsrv_answer(s, c, 400, 0);
		return;
	}
	nl = strchr(line, '\n');
	*nl = '\0';
	if (nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	target = strchr(line, ' ');
	version = target ? strchr(target + 1, ' ') : NULL;
	if (!version) {
		updsrv_answer(s, c, 400, 0);
		return;
	}
	*target++ = '\0';
	*version++ = '\0';
	if (!updsrv_token_ok(line) || !updsrv_token_ok(target) ||
	    strncmp(version, "HTTP/1.", 7) || !updsrv_token_ok(version)) {
		updsrv_answer(s, c, 400, 0);
		return;
	}
	ours = strcspn(target, "?#") == strlen(s->path) &&
	       !strncmp(target, s->path, strlen(s->path));
	if (ours)
		atomic_fetch_add(&s->n_requests, 1);
	ev.method = line;
	ev.path = target;
	ev.headers = nl + 1;
	updsrv_emit(s, c, &ev);
	head_only = !strcmp(line, "HEAD");
	if (!head_only && strcmp(line, "GET"))
		updsrv_answer(s, c, 405, 0);
	else
		updsrv_answer(s, c, ours ? 200 : 404, head_only);
}

static void updsrv_read_step(struct updsrv *s, struct updsrv_conn *c)
{
	char why[UPDSRV_WHY_MAX];
	size_t last = 0;
	ssize_t n;

	for (;;) {
		n = updsrv_recv(c, c->req + c->req_len,
				UPDSRV_HEAD_MAX - c->req_len, why, sizeof(why));
		if (n == UPDSRV_IO_WAIT)
			return;
		if (n == UPDSRV_IO_EOF || n == UPDSRV_IO_FAIL) {
			updsrv_close(s, c, n == UPDSRV_IO_EOF ? "eof" : why);
			return;
		}
		c->req_len += (size_t)n;
		c->req[c->req_len] = '\0';
		if (updsrv_head_end(c->req, c->req_len, &last)) {
			updsrv_request(s, c, last);
			return;
		}
		if (c->req_len == UPDSRV_HEAD_MAX) {
			updsrv_answer(s, c, 400, 0);
			return;
		}
	}
}

static void updsrv_served(struct updsrv *s, struct updsrv_conn *c)
{
	struct updsrv_event ev = {.kind = UPDSRV_SERVED};

	if (c->full_get && c->body_off == c->body_len)
		atomic_fetch_add(&s->n_served, 1);
	ev.status = c->status;
	ev.bytes = c->body_off;
	updsrv_emit(s, c, &ev);
}

static void updsrv_linger_step(struct updsrv *s, struct updsrv_conn *c)
{
	char why[UPDSRV_WHY_MAX], buf[4096];
	ssize_t n;

	for (;;) {
		n = updsrv_recv(c, buf, sizeof(buf), why, sizeof(why));
		if (n == UPDSRV_IO_WAIT)
			return;
		if (n == UPDSRV_IO_EOF || n == UPDSRV_IO_FAIL) {
			updsrv_close(s, c, n == UPDSRV_IO_EOF ? "eof" : why);
			return;
		}
		c->dropped += (size_t)n;
		if (c->dropped > UPDSRV_LINGER_MAX) {
			updsrv_close(s, c, "done");
			return;
		}
	}
}

/* The answer is out: say so, send our end of the stream, linger. */
static void updsrv_finish(struct updsrv *s, struct updsrv_conn *c)
{
	int linger = s->io_timeout_ms < UPDSRV_LINGER_MS ? s->io_timeout_ms
							 : UPDSRV_LINGER_MS;

	updsrv_served(s, c);
	if (c->ssl) {
		ERR_clear_error();
		/* A close_notify still queued (-1) must not be cut off by a
		 * FIN; the client has its Content-Length anyway. */
		if (SSL_shutdown(c->ssl) >= 0)
			shutdown(c->fd, SHUT_WR);
		ERR_clear_error();
	} else {
		shutdown(c->fd, SHUT_WR);
	}
	updsrv_arm(s, c, UPDSRV_LINGER, linger);
	updsrv_linger_step(s, c);
}

static void updsrv_write_step(struct updsrv *s, struct updsrv_conn *c)
{
	char why[UPDSRV_WHY_MAX];
	const void *p;
	size_t left;
	ssize_t n;

	for (;;) {
		if (c->head_off < c->head_len) {
			p = c->head + c->head_off;
			left = c->head_len - c->head_off;
		} else if (c->body_off < c->body_len) {
			p = c->body + c->body_off;
			left = c->body_len - c->body_off;
		} else {
			updsrv_finish(s, c);
			return;
		}
		n = updsrv_send(c, p, left, why, sizeof(why));
		if (n == UPDSRV_IO_WAIT)
			return;
		if (n < 0) {
			updsrv_served(s, c);
			updsrv_close(s, c, why);
			return;
		}
		if (c->head_off < c->head_len)
			c->head_off += (size_t)n;
		else
			c->body_off += (size_t)n;
		c->deadline = cb_now_ms() + s->io_timeout_ms;
	}
}

static void updsrv_step(struct updsrv *s, struct updsrv_conn *c)
{
	switch (c->st) {
	case UPDSRV_HANDSHAKE:
		updsrv_handshake_step(s, c);
		break;
	case UPDSRV_READING:
		updsrv_read_step(s, c);
		break;
	case UPDSRV_WRITING:
		updsrv_write_step(s, c);
		break;
	case UPDSRV_LINGER:
		updsrv_linger_step(s, c);
		break;
	case UPDSRV_FREE:
		break;
	}
}

static void updsrv_timeout(struct updsrv *s, struct updsrv_conn *c)
{
	struct updsrv_event ev = {.kind = UPDSRV_TLS_FAIL, .reason = "timeout"};

	switch (c->st) {
	case UPDSRV_HANDSHAKE:
		updsrv_emit(s, c, &ev);
		break;
	case UPDSRV_WRITING:
		updsrv_served(s, c);
		break;
	case UPDSRV_LINGER:
		updsrv_close(s, c, "done");
		return;
	default:
		break;
	}
	updsrv_close(s, c, "timeout");
}

/* Take a new connection into a free slot, or turn it away. */
static void updsrv_admit(struct updsrv *s, int fd, const struct sockaddr_in *sa)
{
	struct updsrv_event ev = {.kind = UPDSRV_CONNECT};
	struct updsrv_conn *c = NULL, extra;
	char ip[INET_ADDRSTRLEN] = "?";
	int k;

	atomic_fetch_add(&s->n_conns, 1);
	for (k = 0; k < s->max_conns && !c; k++)
		if (s->conns[k].st == UPDSRV_FREE)
			c = &s->conns[k];
	if (!c) {
		/* Only the number, peer and fd matter for a refusal. */
		c = &extra;
		c->ssl = NULL;
	}
	c->fd = fd;
	c->no = ++s->next_no;
	inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof(ip));
	snprintf(c->peer, sizeof(c->peer), "%s:%u", ip,
		 (unsigned)ntohs(sa->sin_port));
	updsrv_emit(s, c, &ev);
	if (c == &extra) {
		updsrv_close(s, c, "too many");
		return;
	}
	c->alert[0] = '\0';
	c->req_len = c->head_len = c->head_off = 0;
	c->body_len = c->body_off = c->dropped = 0;
	c->body = NULL;
	c->status = 0;
	c->full_get = 0;
	if (!s->ssl_ctx) {
		updsrv_arm(s, c, UPDSRV_READING, 0);
		updsrv_read_step(s, c);
		return;
	}
	c->ssl = SSL_new(s->ssl_ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
		updsrv_close(s, c, "cannot set up TLS");
		ERR_clear_error();
		return;
	}
	SSL_set_app_data(c->ssl, c);
	updsrv_arm(s, c, UPDSRV_HANDSHAKE, 0);
	updsrv_handshake_step(s, c);
}

static void updsrv_accept(struct updsrv *s)
{
	struct sockaddr_in sa;
	socklen_t len;
	int fd;

	for (;;) {
		len = sizeof(sa);
		fd = accept4(s->lfd, (struct sockaddr *)&sa, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			updsrv_admit(s, fd, &sa);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		/* Out of descriptors or memory: back off, do not spin. */
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			s->accept_paused_until =
			    cb_now_ms() + UPDSRV_ACCEPT_PAUSE_MS;
		return;
	}
}

/* Fill the poll set; returns its size and the wait in ms. */
static int updsrv_poll_set(struct updsrv *s, int *wait)
{
	struct updsrv_conn *c;
	int n = 0, k, left;

	*wait = -1;
	s->pfd[n].fd = s->wake;
	s->pfd[n].events = POLLIN;
	s->pidx[n++] = -1;
	if (cb_ms_left(s->accept_paused_until)) {
		*wait = cb_ms_left(s->accept_paused_until);
	} else {
		s->pfd[n].fd = s->lfd;
		s->pfd[n].events = POLLIN;
		s->pidx[n++] = -1;
	}
	for (k = 0; k < s->max_conns; k++) {
		c = &s->conns[k];
		if (c->st == UPDSRV_FREE)
			continue;
		s->pfd[n].fd = c->fd;
		s->pfd[n].events = c->events;
		s->pidx[n++] = k;
		left = cb_ms_left(c->deadline);
		if (*wait < 0 || left < *wait)
			*wait = left;
	}
	return n;
}

static void *updsrv_main(void *arg)
{
	struct updsrv *s = arg;
	const char *why = "stopped";
	char text[UPDSRV_WHY_MAX];
	int n, k, wait;

	for (;;) {
		n = updsrv_poll_set(s, &wait);
		if (poll(s->pfd, (nfds_t)n, wait) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(text, sizeof(text), "poll: %s",
				 strerror(errno));
			why = text;
			break;
		}
		if (s->pfd[0].revents)
			break;
		for (k = 1; k < n; k++) {
			if (!s->pfd[k].revents)
				continue;
			if (s->pidx[k] < 0)
				updsrv_accept(s);
			else
				updsrv_step(s, &s->conns[s->pidx[k]]);
		}
		for (k = 0; k < s->max_conns; k++)
			if (s->conns[k].st != UPDSRV_FREE &&
			    !cb_ms_left(s->conns[k].deadline))
				updsrv_timeout(s, &s->conns[k]);
	}
	for (k = 0; k < s->max_conns; k++)
		if (s->conns[k].st != UPDSRV_FREE)
			updsrv_close(s, &s->conns[k], why);
	return NULL;
}

static int updsrv_in_test_netns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self) || stat("/proc/1/ns/net", &init))
		return 0;
	return self.st_ino != init.st_ino || self.st_dev != init.st_dev;
}

int updsrv_addr_allowed(const char *addr, struct cb_error *err)
{
	struct in_addr in;
	uint32_t ip;

	if (!addr || inet_pton(AF_INET, addr, &in) != 1)
		return cb_error_set(err, CB_EINVAL,
				    "'%s' is not an IPv4 address",
				    addr ? addr : "(null)");
	ip = ntohl(in.s_addr);
	if (ip && ((ip >> 24) == 127 || updsrv_in_test_netns()))
		return CB_OK;
	return cb_error_set(err, CB_EINVAL,
			    "the update server only runs on loopback "
			    "(127.0.0.0/8) or inside a test network namespace; "
			    "refusing %s",
			    addr);
}

static int updsrv_text_ok(const char *t, size_t max)
{
	size_t n = strlen(t), k;

	for (k = 0; k < n; k++)
		if ((unsigned char)t[k] < ' ' || t[k] == 0x7f)
			return 0;
	return n && n <= max;
}

static int updsrv_check_cfg(const struct updsrv_cfg *cfg, struct cb_error *err)
{
	if (!cfg->bind)
		return cb_error_set(err, CB_EINVAL, "no address to bind");
	if (cfg->port < 0 || cfg->port > 65535)
		return cb_error_set(err, CB_EINVAL, "port %d out of range",
				    cfg->port);
	if (!cfg->path || cfg->path[0] != '/' ||
	    !updsrv_text_ok(cfg->path, UPDSRV_PATH_MAX) ||
	    strpbrk(cfg->path, " ?#"))
		return cb_error_set(err, CB_EINVAL,
				    "the served path must start with '/' and "
				    "hold no blanks, '?' or '#'");
	if (!cfg->body && cfg->body_len)
		return cb_error_set(err, CB_EINVAL, "body_len without a body");
	if (cfg->content_type &&
	    !updsrv_text_ok(cfg->content_type, UPDSRV_TYPE_MAX))
		return cb_error_set(err, CB_EINVAL,
				    "bad content type (printable, %d max)",
				    UPDSRV_TYPE_MAX);
	if (cfg->io_timeout_ms < 0)
		return cb_error_set(err, CB_EINVAL, "negative I/O timeout");
	if (cfg->max_conns < 0 || cfg->max_conns > UPDSRV_CONNS_MAX)
		return cb_error_set(err, CB_EINVAL,
				    "max_conns %d out of range (1-%d)",
				    cfg->max_conns, UPDSRV_CONNS_MAX);
	if (!cfg->cert != !cfg->key)
		return cb_error_set(err, CB_EINVAL,
				    "TLS needs both a certificate and a key");
	return CB_OK;
}

static int updsrv_tls(struct updsrv *s, const struct updsrv_cfg *cfg,
		      struct cb_error *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	s->ssl_ctx = ctx;
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		return cb_error_set_ssl(err, CB_ECRYPTO,
					"cannot set up a TLS context");
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
				     SSL_OP_NO_RENEGOTIATION |
				     SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
				  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_info_callback(ctx, updsrv_info);
	/* These take their own references: the caller keeps its objects. */
	if (SSL_CTX_use_certificate(ctx, cfg->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, cfg->key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		return cb_error_set_ssl(err, CB_ECRYPTO,
					"key does not match the certificate");
	if (cfg->chain && SSL_CTX_set1_chain(ctx, cfg->chain) != 1)
		return cb_error_set_ssl(err, CB_ECRYPTO,
					"cannot use the certificate chain");
	return CB_OK;
}

static int updsrv_listen(struct updsrv *s, const struct updsrv_cfg *cfg,
			 struct cb_error *err)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int one = 1;

	inet_pton(AF_INET, cfg->bind, &sa.sin_addr);
	sa.sin_port = htons((uint16_t)cfg->port);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return cb_error_set_os(err, CB_EIO, "socket");
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(s->lfd, 64) ||
	    getsockname(s->lfd, (struct sockaddr *)&sa, &len))
		return cb_error_set_os(err, CB_EIO, "cannot listen on %s:%d",
				       cfg->bind, cfg->port);
	s->port = ntohs(sa.sin_port);
	return CB_OK;
}

static void updsrv_free(struct updsrv *s)
{
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->wake >= 0)
		close(s->wake);
	SSL_CTX_free(s->ssl_ctx);
	free(s->path);
	free(s->content_type);
	free(s->url);
	free(s->body);
	free(s->conns);
	free(s->pfd);
	free(s->pidx);
	free(s);
}

/* Copy what the thread will use; nothing of cfg is kept. */
static int updsrv_copy_cfg(struct updsrv *s, const struct updsrv_cfg *cfg,
			   struct cb_error *err)
{
	int k, n;

	s->io_timeout_ms =
	    cfg->io_timeout_ms ? cfg->io_timeout_ms : UPDSRV_TIMEOUT_DEFAULT;
	s->max_conns = cfg->max_conns ? cfg->max_conns : UPDSRV_CONNS_DEFAULT;
	s->on_event = cfg->on_event;
	s->ctx = cfg->ctx;
	s->body_len = cfg->body_len;
	s->path = strdup(cfg->path);
	s->content_type = strdup(cfg->content_type ? cfg->content_type
						   : "application/"
						     "octet-stream");
	s->body = malloc(cfg->body_len ? cfg->body_len : 1);
	s->conns = calloc((size_t)s->max_conns, sizeof(*s->conns));
	s->pfd = calloc((size_t)s->max_conns + 2, sizeof(*s->pfd));
	s->pidx = calloc((size_t)s->max_conns + 2, sizeof(*s->pidx));
	if (!s->path || !s->content_type || !s->body || !s->conns || !s->pfd ||
	    !s->pidx)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	if (cfg->body_len)
		memcpy(s->body, cfg->body, cfg->body_len);
	for (k = 0; k < s->max_conns; k++)
		s->conns[k].fd = -1;
	n = snprintf(NULL, 0, "%s://%s:%d%s", cfg->cert ? "https" : "http",
		     cfg->bind, s->port, s->path);
	s->url = malloc((size_t)n + 1);
	if (!s->url)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	snprintf(s->url, (size_t)n + 1, "%s://%s:%d%s",
		 cfg->cert ? "https" : "http", cfg->bind, s->port, s->path);
	return CB_OK;
}

/* The thread inherits the mask: SIGPIPE stays blocked only there. */
static int updsrv_spawn(struct updsrv *s, struct cb_error *err)
{
	sigset_t pipe, old;
	int rc;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	rc = pthread_create(&s->thread, NULL, updsrv_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		errno = rc;
		return cb_error_set_os(err, CB_ERROR,
				       "cannot start the server thread");
	}
	return CB_OK;
}

int updsrv_start(struct updsrv **out, const struct updsrv_cfg *cfg,
		 struct cb_error *err)
{
	struct updsrv *s;
	int rc;

	*out = NULL;
	rc = updsrv_addr_allowed(cfg->bind, err);
	if (!rc)
		rc = updsrv_check_cfg(cfg, err);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	s->lfd = s->wake = -1;
	rc = cfg->cert ? updsrv_tls(s, cfg, err) : CB_OK;
	if (!rc)
		rc = updsrv_listen(s, cfg, err);
	if (!rc)
		rc = updsrv_copy_cfg(s, cfg, err);
	if (!rc) {
		s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (s->wake < 0)
			rc = cb_error_set_os(err, CB_EIO, "eventfd");
	}
	if (!rc)
		rc = updsrv_spawn(s, err);
	if (rc) {
		updsrv_free(s);
		return rc;
	}
	*out = s;
	return CB_OK;
}

int updsrv_port(const struct updsrv *s)
{
	return s->port;
}

const char *updsrv_url(const struct updsrv *s)
{
	return s->url;
}

void updsrv_counts(const struct updsrv *s, unsigned *conns, unsigned *tls_ok,
		   unsigned *requests, unsigned *served)
{
	if (conns)
		*conns = atomic_load(&s->n_conns);
	if (tls_ok)
		*tls_ok = atomic_load(&s->n_tls_ok);
	if (requests)
		*requests = atomic_load(&s->n_requests);
	if (served)
		*served = atomic_load(&s->n_served);
}

void updsrv_stop(struct updsrv *s)
{
	uint64_t one = 1;
	ssize_t n;

	if (!s)
		return;
	/* Cannot fail short of 2^64 - 1 pending stops. */
	n = write(s->wake, &one, sizeof(one));
	assert(n == (ssize_t)sizeof(one));
	(void)n;
	pthread_join(s->thread, NULL);
	updsrv_free(s);
}
