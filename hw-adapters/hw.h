/*
 * hw.h - the one interface every transport in hw-adapters/ implements.
 *
 * An adapter is opened from a URI (tty:///dev/ttyUSB0?baud=115200,
 * tcp://192.0.2.10:23, https://192.0.2.10/).  Byte streams (tty, tcp)
 * implement read/write with deadlines; the http backend implements
 * request.  The core allocates backend state (priv_size), answers
 * CB_ENOTSUP for NULL slots, and reports every exchange to an optional
 * tap, which is how the runner records evidence.  Nothing here knows about
 * test cases, verdicts or evidence files.
 */
#ifndef HW_H
#define HW_H

#include <stddef.h>
#include <stdint.h>

#include "harness/cb_buf.h"

struct cb_error;
struct hw_adapter;

enum hw_caps {
	HW_CAP_STREAM = 1 << 0, /* read/write of a byte stream */
	HW_CAP_LINE = 1 << 1,	/* set_line applies baud/parity/bits */
	HW_CAP_HTTP = 1 << 2,	/* request() */
	HW_CAP_POWER = 1 << 3,	/* power() */
	HW_CAP_RESET = 1 << 4,	/* reset() */
	HW_CAP_BREAK = 1 << 5,	/* send_break() */
};

enum hw_flow {
	HW_FLOW_NONE,		/* no flow control */
	HW_FLOW_RTSCTS,		/* hardware: RTS/CTS lines */
	HW_FLOW_XONXOFF,	/* software: XON (0x11) / XOFF (0x13) */
};

struct hw_line {
	unsigned baud;		 /* any rate the adapter can make */
	unsigned char data_bits; /* 5..8 */
	unsigned char stop_bits; /* 1 or 2 */
	char parity;		 /* 'N', 'E', 'O', 'M' (mark), 'S' (space) */
	unsigned char flow;	 /* enum hw_flow; zero is none */
};

/* A parsed adapter URI: scheme://host:port/path?k=v&k=v */
#define HW_URI_MAX_PARAMS 16
struct hw_uri {
	char *scheme;	/* "tty", "tcp", "http", "https" */
	char *host;	/* may be empty (tty:///dev/ttyS0) */
	int port;	/* 0 when absent */
	char *path;	/* "/dev/ttyS0", "/" or "" */
	size_t nparams;
	char *keys[HW_URI_MAX_PARAMS], *vals[HW_URI_MAX_PARAMS];
	char *buf;	/* owned storage for all the strings above */
};

int hw_uri_parse(struct hw_uri *u, const char *text, struct cb_error *err);
void hw_uri_release(struct hw_uri *u);
/* Value of ?key=..., or NULL. */
const char *hw_uri_param(const struct hw_uri *u, const char *key);
/* Integer ?key=... within [min,max], def when absent; error if malformed. */
int hw_uri_param_int(const struct hw_uri *u, const char *key, long def,
		     long min, long max, long *out, struct cb_error *err);

/*
 * Serial line settings from a URI's ?baud=&bits=&parity=&stop=&flow=
 * (defaults 115200 8N1, no flow control), shared by the serial backends.
 * Values are checked for form only (baud 50..HW_BAUD_MAX); whether the
 * hardware can make them is for the backend's set_line.  CB_EINVAL with
 * the offending parameter named.
 */
#define HW_BAUD_MAX 12000000
int hw_line_from_uri(struct hw_line *line, const struct hw_uri *u,
		     struct cb_error *err);
/* "115200 8N1", "9600 7E2 rtscts": for messages and evidence. */
const char *hw_line_format(const struct hw_line *line, char *buf,
			   size_t len);

/* One HTTP exchange (http backend). */
struct hw_http_req {
	const char *method;		/* "GET", "POST", ... */
	const char *url;		/* absolute, or relative to the base */
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const char *body;		/* may be NULL */
	size_t body_len;
	int verify_tls;			/* 1 = verify peer and host name */
	const char *ca_file;		/* extra trust anchors, or NULL */
	int timeout_ms;			/* whole exchange */
	size_t max_body;		/* response ceiling in bytes */
	int follow_redirects;		/* at most 5 when set */
	enum hw_http_auth {
		HW_AUTH_NONE,
		HW_AUTH_BASIC,
		HW_AUTH_DIGEST,
	} auth;				/* credentials below, built by libcurl;
					 * the Authorization header is never
					 * seen by the tap */
	const char *user, *password;
	size_t abort_after;		/* >0: send this many body bytes of
					 * the declared body_len, then cut
					 * the connection (an interrupted
					 * upload) */
};

struct hw_http_resp {
	long status;			/* 0 when no response arrived */
	struct cb_buf headers;		/* raw header block, bounded */
	struct cb_buf body;		/* bounded by req.max_body */
	char content_type[128];
	char effective_url[1024];
	char scheme[8];			/* "http" or "https" as used */
	long redirects;
	int64_t elapsed_ms;
	char tls_version[32];		/* empty without TLS */
	char tls_cipher[64];
	char peer_subject[256];
	char peer_cert_sha256[65];
};

void hw_http_resp_init(struct hw_http_resp *r);
void hw_http_resp_release(struct hw_http_resp *r);

/* What the tap sees after each operation. */
enum hw_event_kind {
	HW_EV_OPEN,
	HW_EV_CLOSE,
	HW_EV_READ,	/* data/len: the bytes read (len may be 0) */
	HW_EV_WRITE,	/* data/len: the bytes written */
	HW_EV_HTTP,	/* req/resp */
	HW_EV_LINE,
	HW_EV_POWER,
	HW_EV_RESET,
	HW_EV_BREAK,	/* timeout_ms: the break's duration */
};

struct hw_event {
	enum hw_event_kind kind;
	const struct hw_adapter *hw;
	const void *data;
	size_t len;
	int rc;				/* CB_OK or the error code */
	const struct cb_error *err;	/* set when rc != CB_OK */
	const struct hw_http_req *req;
	const struct hw_http_resp *resp;
	int timeout_ms;
	int on;				/* HW_EV_POWER */
};

struct hw_adapter_ops {
	const char *name;	/* "tty", "tcp", "http" */
	const char *const *schemes; /* URI schemes it serves, NULL-ended */
	unsigned caps;		/* enum hw_caps */
	size_t priv_size;	/* zeroed backend state the core allocates */

	/* Mandatory.  May leave partial state; close() must cope. */
	int (*open)(struct hw_adapter *hw, const struct hw_uri *uri,
		    struct cb_error *err);

	/* Mandatory.  Cannot fail, safe after a failed open(). */
	void (*close)(struct hw_adapter *hw);

	/*
	 * Optional (streams).  Wait at most timeout_ms for at least one
	 * byte, return what is there (short reads are normal).  Nothing
	 * arrived: *nread = 0 and CB_ETIMEOUT.  Peer closed or hung up:
	 * *nread = 0 and CB_ECLOSED.
	 */
	int (*read)(struct hw_adapter *hw, void *buf, size_t len,
		    int timeout_ms, size_t *nread, struct cb_error *err);

	/* Optional (streams).  Writes all of buf within timeout_ms or fails;
	 * no short writes upward. */
	int (*write)(struct hw_adapter *hw, const void *buf, size_t len,
		     int timeout_ms, struct cb_error *err);

	/* Optional.  Discard bytes received but not yet read. */
	int (*drain)(struct hw_adapter *hw, struct cb_error *err);

	/* Optional.  Serial line settings. */
	int (*set_line)(struct hw_adapter *hw, const struct hw_line *line,
			struct cb_error *err);

	/* Optional (http).  resp must be initialised by the caller; on a
	 * transport failure resp->status stays 0 and an error is returned.
	 * A response of any status code is CB_OK. */
	int (*request)(struct hw_adapter *hw, const struct hw_http_req *req,
		       struct hw_http_resp *resp, struct cb_error *err);

	/* Optional.  Switch the target's power; reset the target. */
	int (*power)(struct hw_adapter *hw, int on, struct cb_error *err);
	int (*reset)(struct hw_adapter *hw, struct cb_error *err);

	/* Optional (serial).  Hold the line in the break condition for ms
	 * milliseconds, after what was written before has left, then
	 * release it.  Returns when the break is over. */
	int (*send_break)(struct hw_adapter *hw, int ms, struct cb_error *err);
};

typedef void hw_tap_fn(void *ctx, const struct hw_event *ev);

struct hw_adapter {
	const struct hw_adapter_ops *ops;
	char *uri;		/* owned copy of the URI it was opened with */
	char *label;		/* owned: "s1.console", for evidence */
	void *priv;		/* ops->priv_size bytes, owned by the core */
	unsigned caps;		/* ops->caps, narrowed by open() to what this
				 * instance can do (ftdi: power and reset
				 * only when the URI names the pins) */
	hw_tap_fn *tap;		/* optional observer */
	void *tap_ctx;
};

/* The backend serving a URI's scheme, or NULL. */
const struct hw_adapter_ops *hw_lookup_scheme(const char *scheme);

/*
 * Open an adapter for uri (backend chosen by scheme, or ops when given).
 * The tap, if any, is set before open() so the open is observed too.
 * On success *out owns a new adapter; on failure *out is NULL.
 */
int hw_adapter_open(struct hw_adapter **out, const struct hw_adapter_ops *ops,
		    const char *uri, const char *label, hw_tap_fn *tap,
		    void *tap_ctx, struct cb_error *err);
void hw_adapter_free(struct hw_adapter *hw);	/* closes; NULL is fine */

static inline int hw_has(const struct hw_adapter *hw, unsigned caps)
{
	return (hw->caps & caps) == caps;
}

/* Dispatchers: call the backend (or answer CB_ENOTSUP), then the tap. */
int hw_read(struct hw_adapter *hw, void *buf, size_t len, int timeout_ms,
	    size_t *nread, struct cb_error *err);
int hw_write(struct hw_adapter *hw, const void *buf, size_t len,
	     int timeout_ms, struct cb_error *err);
int hw_drain(struct hw_adapter *hw, struct cb_error *err);
int hw_set_line(struct hw_adapter *hw, const struct hw_line *line,
		struct cb_error *err);
int hw_request(struct hw_adapter *hw, const struct hw_http_req *req,
	       struct hw_http_resp *resp, struct cb_error *err);
int hw_power(struct hw_adapter *hw, int on, struct cb_error *err);
int hw_reset(struct hw_adapter *hw, struct cb_error *err);
/* ms within 1..HW_BREAK_MAX_MS, else CB_EINVAL. */
#define HW_BREAK_MAX_MS 10000
int hw_send_break(struct hw_adapter *hw, int ms, struct cb_error *err);

/* Process-wide set-up of libraries the backends use (libcurl). */
int hw_global_init(struct cb_error *err);
void hw_global_cleanup(void);

extern const struct hw_adapter_ops hw_tty_ops, hw_tcp_ops, hw_http_ops;
#ifdef HAVE_LIBFTDI
extern const struct hw_adapter_ops hw_ftdi_ops;
#endif

#endif /* HW_H */
