/*
 * udpscan.c - one request per UDP service, a retry, and what came back.
 *
 * Each port has its own connected socket, so the kernel hands us only
 * the target's replies and reports an ICMP error for that port as the
 * socket's error.  A batch of ports shares one deadline; the retry goes
 * out at half of it to whichever ports are still silent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/udpscan.h"

#define UDP_BATCH 256

const int scan_udp_default_ports[SCAN_UDP_NDEFAULT] = {53, 1900, 5353, 5683};

/* DNS: "version.bind" TXT CH, the query every resolver answers somehow. */
static const unsigned char udp_dns[] = {
	0x43, 0x42, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	7, 'v', 'e', 'r', 's', 'i', 'o', 'n', 4, 'b', 'i', 'n', 'd', 0,
	0x00, 0x10,		/* TXT */
	0x00, 0x03,		/* CH */
};

/* mDNS: _services._dns-sd._udp.local PTR, QU bit set (unicast reply). */
static const unsigned char udp_mdns[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	9, '_', 's', 'e', 'r', 'v', 'i', 'c', 'e', 's',
	7, '_', 'd', 'n', 's', '-', 's', 'd',
	4, '_', 'u', 'd', 'p',
	5, 'l', 'o', 'c', 'a', 'l', 0,
	0x00, 0x0c,		/* PTR */
	0x80, 0x01,		/* QU, IN */
};

/* CoAP: confirmable GET /.well-known/core, message id 0x4342, no token. */
static const unsigned char udp_coap[] = {
	0x40, 0x01, 0x43, 0x42,
	0xbb, '.', 'w', 'e', 'l', 'l', '-', 'k', 'n', 'o', 'w', 'n', /* path */
	0x04, 'c', 'o', 'r', 'e',				      /* path */
};

static const char udp_ssdp[] = "M-SEARCH * HTTP/1.1\r\n"
			       "HOST: 239.255.255.250:1900\r\n"
			       "MAN: \"ssdp:discover\"\r\n"
			       "MX: 1\r\n"
			       "ST: ssdp:all\r\n"
			       "\r\n";

const unsigned char *scan_udp_request(int port, size_t *len,
				      const char **service)
{
	switch (port) {
	case 53:
		*service = "dns";
		*len = sizeof(udp_dns);
		return udp_dns;
	case 1900:
		*service = "ssdp";
		*len = sizeof(udp_ssdp) - 1;
		return (const unsigned char *)udp_ssdp;
	case 5353:
		*service = "mdns";
		*len = sizeof(udp_mdns);
		return udp_mdns;
	case 5683:
		*service = "coap";
		*len = sizeof(udp_coap);
		return udp_coap;
	default:
		*service = NULL;
		*len = 0;
		return (const unsigned char *)"";
	}
}

struct udp_probe {
	int fd;
	const unsigned char *req;
	size_t req_len;
	int64_t sent_at;
};

/* An answer or an error came in on probe k's socket. */
static int udp_read(struct udp_probe *pr, struct scan_udp_port *p)
{
	ssize_t r = recv(pr->fd, p->banner, SCAN_BANNER_MAX, MSG_TRUNC);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	p->rtt_ms = cb_now_ms() - pr->sent_at;
	if (r >= 0) {
		p->state = SCAN_OPEN;
		p->reply_len = (size_t)r;
		p->banner_len = (size_t)r < SCAN_BANNER_MAX ? (size_t)r
							   : SCAN_BANNER_MAX;
	} else {
		p->state = errno == ECONNREFUSED ? SCAN_CLOSED : SCAN_FILTERED;
	}
	return 1;
}

/* Open, connect and send for one port; 1 if the port is settled. */
static int udp_send(struct udp_probe *pr, struct scan_udp_port *p)
{
	if (send(pr->fd, pr->req, pr->req_len, MSG_NOSIGNAL) ==
	    (ssize_t)pr->req_len) {
		p->sent++;
		return 0;
	}
	if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
		return 0;
	p->rtt_ms = cb_now_ms() - pr->sent_at;
	p->state = errno == ECONNREFUSED ? SCAN_CLOSED : SCAN_FILTERED;
	return 1;
}

/* Set up one port and send its request: CB_OK, 1 when that already
 * settled the port, or an error code. */
static int udp_start(int ep, const struct addrinfo *ai, size_t k,
		     struct udp_probe *pr, struct scan_udp_port *p,
		     struct cb_error *err)
{
	struct sockaddr_storage sa;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = k};

	memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
	if (ai->ai_family == AF_INET6)
		((struct sockaddr_in6 *)&sa)->sin6_port =
			htons((uint16_t)p->port);
	else
		((struct sockaddr_in *)&sa)->sin_port =
			htons((uint16_t)p->port);
	pr->req = scan_udp_request(p->port, &pr->req_len, &p->service);
	pr->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK |
					       SOCK_CLOEXEC, 0);
	if (pr->fd < 0)
		return cb_error_set_os(err, CB_EIO, "socket");
	pr->sent_at = cb_now_ms();
	if (connect(pr->fd, (struct sockaddr *)&sa, ai->ai_addrlen)) {
		p->state = SCAN_FILTERED;
		return 1;
	}
	if (epoll_ctl(ep, EPOLL_CTL_ADD, pr->fd, &ev))
		return cb_error_set_os(err, CB_EIO, "epoll_ctl");
	return udp_send(pr, p);
}

/* A settled port's socket goes at once, so later datagrams or errors
 * cannot wake us again. */
static void udp_done(struct udp_probe *pr, unsigned char *done, size_t *left)
{
	if (pr->fd >= 0)
		close(pr->fd);
	pr->fd = -1;
	*done = 1;
	(*left)--;
}

/* Ports [0, n) of p, all at once, within timeout_ms. */
static int udp_batch(int ep, const struct addrinfo *ai, struct scan_udp_port *p,
		     size_t n, int timeout_ms, struct cb_error *err)
{
	struct udp_probe pr[UDP_BATCH];
	struct epoll_event evs[64];
	unsigned char done[UDP_BATCH] = {0};
	int64_t t0 = cb_now_ms(), deadline = t0 + timeout_ms,
		resend = t0 + timeout_ms / 2;
	size_t k, left = n;
	int rc = CB_OK, got, i, retried = 0;

	for (k = 0; k < n; k++)
		pr[k].fd = -1;
	for (k = 0; k < n && !rc; k++) {
		rc = udp_start(ep, ai, k, &pr[k], &p[k], err);
		if (rc == 1) {
			udp_done(&pr[k], &done[k], &left);
			rc = CB_OK;
		}
	}
	while (!rc && left && cb_ms_left(deadline)) {
		got = epoll_wait(ep, evs, 64,
				 cb_ms_left(retried ? deadline : resend));
		if (got < 0 && errno != EINTR) {
			rc = cb_error_set_os(err, CB_EIO, "epoll_wait");
			break;
		}
		for (i = 0; i < got; i++) {
			k = (size_t)evs[i].data.u64;
			if (!done[k] && udp_read(&pr[k], &p[k]))
				udp_done(&pr[k], &done[k], &left);
		}
		if (retried || cb_ms_left(resend))
			continue;
		retried = 1;
		for (k = 0; k < n; k++)
			if (!done[k] && udp_send(&pr[k], &p[k]))
				udp_done(&pr[k], &done[k], &left);
	}
	for (k = 0; k < n; k++)
		if (pr[k].fd >= 0)
			close(pr[k].fd);
	return rc;
}

int scan_udp(const char *host, const int *ports, size_t n, int timeout_ms,
	     struct scan_udp_result *r, struct cb_error *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
	int64_t t0 = cb_now_ms();
	size_t k, m;
	int rc = CB_OK, gai, ep = -1;

	memset(r, 0, sizeof(*r));
	if (!ports) {
		ports = scan_udp_default_ports;
		n = SCAN_UDP_NDEFAULT;
	}
	if (timeout_ms < 100 || timeout_ms > 60000)
		return cb_error_set(err, CB_EINVAL,
				    "UDP timeout %d ms (want 100-60000)",
				    timeout_ms);
	for (k = 0; k < n; k++)
		if (ports[k] < 1 || ports[k] > 65535)
			return cb_error_set(err, CB_EINVAL,
					    "bad UDP port %d (want 1-65535)",
					    ports[k]);
	gai = getaddrinfo(host, "1", &hints, &ai);
	if (gai)
		return cb_error_set(err, CB_ENODEV, "cannot resolve %s: %s",
				    host, gai_strerror(gai));
	r->ports = calloc(n ? n : 1, sizeof(*r->ports));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!r->ports || ep < 0) {
		rc = cb_error_set_os(err, CB_EIO, "UDP scanner set-up");
		goto out;
	}
	for (k = 0; k < n; k++) {
		r->ports[k].port = ports[k];
		r->ports[k].state = SCAN_OPEN_FILTERED;
		r->ports[k].rtt_ms = -1;
	}
	r->n = n;
	for (k = 0; k < n && !rc; k += m) {
		m = n - k < UDP_BATCH ? n - k : UDP_BATCH;
		rc = udp_batch(ep, ai, r->ports + k, m, timeout_ms, err);
	}
	for (k = 0; k < n; k++) {
		r->nopen += r->ports[k].state == SCAN_OPEN;
		r->nclosed += r->ports[k].state == SCAN_CLOSED;
		r->nfiltered += r->ports[k].state == SCAN_FILTERED;
		r->nopen_filtered += r->ports[k].state == SCAN_OPEN_FILTERED;
	}
	r->elapsed_ms = cb_now_ms() - t0;
out:
	if (ep >= 0)
		close(ep);
	freeaddrinfo(ai);
	if (rc)
		scan_udp_result_release(r);
	return rc;
}

void scan_udp_result_release(struct scan_udp_result *r)
{
	if (!r)
		return;
	free(r->ports);
	memset(r, 0, sizeof(*r));
}
