/*
 * updsrv.h - a loopback-only HTTP(S) server that plays a device's update
 * server in a man-in-the-middle test, and records what the client did.
 *
 * It serves one file at one path, one request per connection, from one
 * background thread.  It is not a general web server: no keep-alive, no
 * ranges, no request bodies, no HTTP/2, no client certificates.  It binds
 * only where updsrv_addr_allowed() says so, because a server that hands
 * out firmware must never be reachable from a real network by mistake.
 */
#ifndef UPDSRV_H
#define UPDSRV_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct cb_error;
struct updsrv;

/* Ceiling for a request line plus headers; a longer request gets 400. */
#define UPDSRV_HEAD_MAX 8192

/*
 * One thing a client did.  Every connection gives CONNECT first and CLOSE
 * last; in between, for TLS, TLS_OK or TLS_FAIL, then at most one REQUEST
 * and one SERVED.  A request that cannot be parsed (or is too long) gets
 * SERVED 400 without a REQUEST.  All pointers are valid only during the
 * callback; copy what you keep.
 */
struct updsrv_event {
	enum updsrv_ev {
		UPDSRV_CONNECT,
		UPDSRV_TLS_OK,
		UPDSRV_TLS_FAIL,
		UPDSRV_REQUEST,
		UPDSRV_SERVED,
		UPDSRV_CLOSE,
	} kind;
	int conn;      /* connection number from 1 */
	char peer[64]; /* "127.0.0.11:41234" */
	/* TLS_OK: "TLSv1.3", "TLS_AES_256_GCM_SHA384"; sni may be NULL */
	const char *tls_version, *tls_cipher, *sni;
	/*
	 * TLS_FAIL: OpenSSL's reason, with the client's fatal alert if one
	 * came ("tlsv1 alert unknown ca (client alert: unknown CA)"),
	 * "timeout", or "eof before ClientHello" / "eof during handshake".
	 * CLOSE: "eof" (the client closed), "timeout" (a deadline passed),
	 * "done" (we closed after the response), "too many", "stopped"
	 * (updsrv_stop), "tls handshake failed", or an error text.
	 */
	const char *reason;
	const char *method, *path; /* REQUEST: as sent (path with query) */
	/* REQUEST: the header lines after the request line, CRLFs kept,
	 * without the empty line that ends them; NUL-terminated. */
	const char *headers;
	long status;  /* SERVED: 200/404/405/400 */
	size_t bytes; /* SERVED: body bytes actually written */
};

/* Called from the server thread; must not call updsrv_stop(). */
typedef void updsrv_event_fn(void *ctx, const struct updsrv_event *ev);

struct updsrv_cfg {
	const char *bind;	/* IPv4 dotted quad */
	int port;		/* 0 = ephemeral */
	X509 *cert;		/* NULL = plain HTTP */
	EVP_PKEY *key;		/* must match cert */
	STACK_OF(X509) *chain;  /* extra certificates to send, or NULL */
	/* The one path served, e.g. "/firmware/simcam-2.sdfw"; a query
	 * string on the request does not change the match. */
	const char *path;
	const unsigned char *body; /* copied at start */
	size_t body_len;
	const char *content_type; /* default application/octet-stream */
	/*
	 * Deadline in ms (default 5000) for the handshake, for the whole
	 * request head, and for each step of progress while writing the
	 * response (a slow reader may take longer in total).
	 */
	int io_timeout_ms;
	/* Served at once, 1-256, default 8; further ones are accepted and
	 * closed (CLOSE "too many"). */
	int max_conns;
	updsrv_event_fn *on_event; /* may be NULL */
	void *ctx;
};

/*
 * Bind, listen and start the thread.  The cfg and the OpenSSL objects it
 * points to are only used during the call (the server keeps its own
 * references).  TLS is 1.2 or newer, without session resumption, so
 * every connection shows a full certificate check.  CB_EINVAL for a bad
 * cfg or a refused address, CB_ECRYPTO for a key that does not match the
 * certificate, CB_EIO when the socket cannot be bound.
 */
int updsrv_start(struct updsrv **out, const struct updsrv_cfg *cfg,
		 struct cb_error *err);

/* The port actually bound. */
int updsrv_port(const struct updsrv *s);

/* "https://127.0.0.40:PORT/path" or "http://..." (owned by s). */
const char *updsrv_url(const struct updsrv *s);

/*
 * Counters so far, thread-safe; any pointer may be NULL.  conns counts
 * every accepted connection, tls_ok completed handshakes, requests those
 * for `path` (any method), served complete 200 GET bodies.
 */
void updsrv_counts(const struct updsrv *s, unsigned *conns, unsigned *tls_ok,
		   unsigned *requests, unsigned *served);

/*
 * Stop accepting, close every connection (CLOSE "stopped"), join the
 * thread and free.  Returns promptly even while a client holds an idle
 * connection.  NULL is fine.
 */
void updsrv_stop(struct updsrv *s);

/*
 * CB_OK when addr may be bound: inside 127.0.0.0/8, or any address when
 * the process is in a network namespace other than the initial one (the
 * one of PID 1; when that cannot be read, it is not proven and refused).
 * 0.0.0.0 is always refused.  CB_EINVAL otherwise.
 */
int updsrv_addr_allowed(const char *addr, struct cb_error *err);

#endif /* UPDSRV_H */
