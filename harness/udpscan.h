/*
 * udpscan.h - UDP probes of the services an IoT device is likely to
 * answer on: DNS (53), SSDP (1900), mDNS (5353) and CoAP (5683).
 *
 * Each port gets one well-formed minimal request on a connected socket
 * (other ports get an empty datagram), sent again once if nothing came
 * back by half the deadline.  A port is open when a reply arrives, closed
 * when the host reports ICMP port unreachable (the socket's
 * ECONNREFUSED), filtered on another ICMP error and open|filtered when
 * nothing came back.  It is not a general UDP scanner: no per-service
 * reply parsing, no rate limiting beyond one batch at a time.
 */
#ifndef UDPSCAN_H
#define UDPSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "harness/netscan.h"

struct cb_error;

#define SCAN_UDP_NDEFAULT 4
/* 53, 1900, 5353, 5683 */
extern const int scan_udp_default_ports[SCAN_UDP_NDEFAULT];

struct scan_udp_port {
	int port;
	enum scan_state state;		/* SCAN_OPEN, SCAN_CLOSED, SCAN_FILTERED
					 * or SCAN_OPEN_FILTERED */
	const char *service;		/* "dns", "ssdp", "mdns", "coap" or
					 * NULL (an empty datagram) */
	int sent;			/* datagrams sent: 1 or 2 */
	int64_t rtt_ms;			/* first send to reply or ICMP; -1 */
	unsigned char banner[SCAN_BANNER_MAX];
	size_t banner_len;		/* first bytes of the first reply */
	size_t reply_len;		/* that reply's whole length */
};

struct scan_udp_result {
	struct scan_udp_port *ports;	/* malloc()ed, in the order asked */
	size_t n;
	size_t nopen, nclosed, nfiltered, nopen_filtered;
	int64_t elapsed_ms;
};

/*
 * Probe ports (1..65535; NULL = the four defaults, n is then ignored) of
 * the first address host resolves to.  timeout_ms (100..60000) is the
 * deadline per port; up to 256 ports are probed at once, so the call
 * takes about ceil(n / 256) * timeout_ms when ports stay silent.
 * CB_EINVAL for a bad port or timeout, CB_ENODEV if host does not
 * resolve, CB_EIO when the bench fails; r is then empty.
 */
int scan_udp(const char *host, const int *ports, size_t n, int timeout_ms,
	     struct scan_udp_result *r, struct cb_error *err);
void scan_udp_result_release(struct scan_udp_result *r);

/* The request sent to port (an empty one for ports without a service);
 * *service is its name or NULL. */
const unsigned char *scan_udp_request(int port, size_t *len,
				      const char **service);

#endif /* UDPSCAN_H */
