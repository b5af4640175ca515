/*
 * netscan.h - TCP connect scan with many connections in flight (epoll),
 * and a banner grab on the open ports.
 *
 * A port is open (the handshake completed), closed (refused) or filtered
 * (no answer before the connect deadline).  The banner is what the
 * service says first within a short deadline, or, for a silent service,
 * its answer to a minimal HTTP request.  It does not do UDP, service
 * version detection or anything that needs raw sockets.
 */
#ifndef NETSCAN_H
#define NETSCAN_H

#include <stddef.h>
#include <stdint.h>

struct cb_error;

enum scan_state { SCAN_CLOSED, SCAN_OPEN, SCAN_FILTERED };

#define SCAN_BANNER_MAX 256

struct scan_port {
	int port;
	enum scan_state state;
	int64_t rtt_ms;			/* connect time */
	unsigned char banner[SCAN_BANNER_MAX];
	size_t banner_len;
	int probed;			/* banner came after our HTTP probe */
};

struct scan_opts {
	int max_inflight;		/* default 512 */
	int connect_timeout_ms;		/* default 1000 */
	int banner_ms;			/* default 400; 0 = no banners */
};

struct scan_result {
	struct scan_port *open;		/* malloc()ed, ascending ports */
	size_t nopen;
	size_t nclosed, nfiltered;
	int64_t elapsed_ms;
};

/* "1-1024,8080,8443" -> sorted unique ports (1..65535). */
int scan_parse_ports(const char *spec, int **out, size_t *n,
		     struct cb_error *err);

int scan_tcp(const char *host, const int *ports, size_t nports,
	     const struct scan_opts *o, struct scan_result *res,
	     struct cb_error *err);
void scan_result_release(struct scan_result *res);

#endif /* NETSCAN_H */
