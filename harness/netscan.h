/*
 * netscan.h - TCP connect scan with many connections in flight (epoll),
 * and a banner grab on the open ports.
 *
 * A port is open (the handshake completed), closed (refused) or filtered
 * (no answer before the connect deadline, or an ICMP error).  Every
 * scanned port's state is kept, as runs of ports, so a caller can record
 * evidence for all of them.  The banner is what the service says first
 * within a short deadline, or, for a silent service, its answer to a
 * minimal HTTP request.  With SCAN_TLS_PROBE a silent service is first
 * sent a TLS ClientHello on a new connection and flagged when it answers
 * in TLS; only if it does not does the HTTP request follow, on another
 * new connection.  UDP is in udpscan.h.  It does no service version
 * detection and nothing that needs raw sockets.
 */
#ifndef NETSCAN_H
#define NETSCAN_H

#include <stddef.h>
#include <stdint.h>

struct cb_error;

/* SCAN_OPEN_FILTERED is only used by the UDP scan (udpscan.h). */
enum scan_state { SCAN_CLOSED, SCAN_OPEN, SCAN_FILTERED, SCAN_OPEN_FILTERED };

/* What produced a banner. */
enum scan_probe {
	SCAN_PROBE_NONE,	/* the service spoke first (or nothing came) */
	SCAN_PROBE_HTTP,	/* the answer to "HEAD / HTTP/1.0" */
	SCAN_PROBE_TLS,		/* the answer to a TLS 1.2 ClientHello */
};

#define SCAN_BANNER_MAX 256	/* ceiling on every banner */

struct scan_port {
	int port;
	enum scan_state state;
	int64_t rtt_ms;			/* connect time */
	unsigned char banner[SCAN_BANNER_MAX];
	size_t banner_len;		/* 0..SCAN_BANNER_MAX */
	int probed;			/* banner came after our HTTP probe */
	enum scan_probe probe;		/* what produced the banner */
	int tls;			/* answered the ClientHello with a TLS
					 * record (handshake or alert) */
};

enum scan_flags {
	/* Send a silent service a TLS ClientHello on a second connection
	 * (the first closed), then, unless it answered in TLS, the HTTP
	 * probe on a third. */
	SCAN_TLS_PROBE = 1 << 0,
};

struct scan_opts {
	int max_inflight;		/* connects at once; default 512 */
	int connect_timeout_ms;		/* default 1000 */
	int banner_ms;			/* each read window, default 400 ms;
					 * 0 = no banners */
	unsigned flags;			/* enum scan_flags */
	int workers;			/* threads; 0 = up to one per CPU (at
					 * most 4) for large scans, else 1 */
	/*
	 * Optional: called once per scanned port, never from two threads
	 * at once, in no particular order: closed and filtered ports when
	 * their connect fails, open ports when their banner is complete.
	 * p is only valid during the call.
	 */
	void (*on_port)(void *ctx, const struct scan_port *p);
	void *ctx;
};

/* A run of consecutive port numbers that were all scanned and share a
 * state. */
struct scan_range {
	int lo, hi;
	enum scan_state state;
};

struct scan_result {
	struct scan_port *open;		/* malloc()ed, ascending ports */
	size_t nopen;
	size_t nclosed, nfiltered;
	int64_t elapsed_ms;
	struct scan_range *ranges;	/* malloc()ed, ascending, every scanned
					 * port in exactly one range */
	size_t nranges;
};

/*
 * "1-1024,8080,8443" -> sorted unique ports (1..65535), *out malloc()ed.
 * Elements are N or N-M in decimal, separated by single commas; anything
 * else (0, 65536, M < N, signs, blanks, empty elements) is CB_EINVAL.
 */
int scan_parse_ports(const char *spec, int **out, size_t *n,
		     struct cb_error *err);

/*
 * Scan ports (1..65535, any order, no duplicates) of the first address
 * host resolves to; o may be NULL for the defaults.  Open sockets beyond
 * what the descriptor limit allows are closed and opened again for their
 * banner, so no port is misreported when descriptors run short.  Time is
 * bounded by roughly nports / max_inflight * connect_timeout_ms plus, for
 * the last open port, 2 * banner_ms (3 * banner_ms and two more connects
 * with SCAN_TLS_PROBE).  CB_ENODEV if host does not
 * resolve, CB_EIO when the bench itself fails (sockets, epoll, local
 * ports exhausted); res is then empty.
 */
int scan_tcp(const char *host, const int *ports, size_t nports,
	     const struct scan_opts *o, struct scan_result *res,
	     struct cb_error *err);
void scan_result_release(struct scan_result *res);

/* State of one port after a scan, or -1 if it was not scanned. */
int scan_result_state(const struct scan_result *res, int port);

/* "open", "closed", "filtered", "open|filtered". */
const char *scan_state_name(enum scan_state st);
/* "none", "http", "tls". */
const char *scan_probe_name(enum scan_probe pr);

/* The ClientHello SCAN_TLS_PROBE sends (for tests and evidence). */
const unsigned char *scan_tls_hello(size_t *len);

#endif /* NETSCAN_H */
