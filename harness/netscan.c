/*
 * netscan.c - epoll-driven TCP connect scan and banner grab.
 *
 * Connections start in port order and share one deadline length, so the
 * in-flight set is a FIFO: expiry only ever looks at its head.  Open
 * sockets are kept for the banner phase, where all of them wait for the
 * service's first words at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/netscan.h"

#define SCAN_HTTP_PROBE "HEAD / HTTP/1.0\r\n\r\n"

int scan_parse_ports(const char *spec, int **out, size_t *n,
		     struct cb_error *err)
{
	char *copy = strdup(spec), *tok, *save = NULL, *end;
	unsigned char *seen = calloc(65536, 1);
	long lo, hi, p;
	size_t k = 0;
	int rc = CB_OK;

	*out = NULL;
	*n = 0;
	if (!copy || !seen) {
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		lo = strtol(tok, &end, 10);
		hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (*end || end == tok || lo < 1 || hi > 65535 || lo > hi) {
			rc = cb_error_set(err, CB_EINVAL,
					  "bad port range '%s' (want 1-65535)",
					  tok);
			goto out;
		}
		for (p = lo; p <= hi; p++)
			seen[p] = 1;
	}
	*out = malloc(65536 * sizeof(int));
	if (!*out) {
		rc = cb_error_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	for (p = 1; p < 65536; p++)
		if (seen[p])
			(*out)[k++] = (int)p;
	*n = k;
	if (!k)
		rc = cb_error_set(err, CB_EINVAL, "no ports in '%s'", spec);
out:
	if (rc) {
		free(*out);
		*out = NULL;
	}
	free(seen);
	free(copy);
	return rc;
}

struct scan_slot {
	int fd;
	int port;
	int64_t started;
};

struct scan {
	const struct addrinfo *ai;
	const struct scan_opts *o;
	struct scan_result *res;
	int ep;
	struct scan_slot *q;	/* ring of in-flight connects */
	size_t head, count, cap;
	int *open_fds;		/* parallel to res->open */
	size_t open_cap;
};

static int scan_add_open(struct scan *s, int fd, int port, int64_t rtt)
{
	struct scan_port *p;
	int *f;

	if (s->res->nopen == s->open_cap) {
		size_t cap = s->open_cap ? s->open_cap * 2 : 16;

		p = realloc(s->res->open, cap * sizeof(*p));
		if (p)
			s->res->open = p;
		f = realloc(s->open_fds, cap * sizeof(*f));
		if (f)
			s->open_fds = f;
		if (!p || !f)
			return -1;
		s->open_cap = cap;
	}
	p = &s->res->open[s->res->nopen];
	memset(p, 0, sizeof(*p));
	p->port = port;
	p->state = SCAN_OPEN;
	p->rtt_ms = rtt;
	s->open_fds[s->res->nopen++] = fd;
	return 0;
}

/* Start a connect; the socket is queued unless the answer was instant. */
static int scan_start(struct scan *s, int port, struct cb_error *err)
{
	struct sockaddr_storage sa;
	struct epoll_event ev = {.events = EPOLLOUT};
	struct scan_slot *sl;
	int fd;

	memcpy(&sa, s->ai->ai_addr, s->ai->ai_addrlen);
	((struct sockaddr_in *)&sa)->sin_port = htons((uint16_t)port);
	if (s->ai->ai_family == AF_INET6)
		((struct sockaddr_in6 *)&sa)->sin6_port = htons((uint16_t)port);
	fd = socket(s->ai->ai_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cb_error_set_os(err, CB_EIO, "socket");
	if (connect(fd, (struct sockaddr *)&sa, s->ai->ai_addrlen) == 0) {
		if (scan_add_open(s, fd, port, 0))
			close(fd);
		return CB_OK;
	}
	if (errno != EINPROGRESS) {
		s->res->nclosed++;
		close(fd);
		return CB_OK;
	}
	sl = &s->q[(s->head + s->count) % s->cap];
	sl->fd = fd;
	sl->port = port;
	sl->started = cb_now_ms();
	ev.data.u64 = (uint64_t)((s->head + s->count) % s->cap);
	s->count++;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev))
		return cb_error_set_os(err, CB_EIO, "epoll_ctl");
	return CB_OK;
}

/* A finished connect: classify, keep open sockets, mark the slot. */
static void scan_finish(struct scan *s, size_t idx)
{
	struct scan_slot *sl = &s->q[idx];
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (sl->fd < 0)
		return;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, sl->fd, NULL);
	getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	if (!soerr && !scan_add_open(s, sl->fd, sl->port,
				     cb_now_ms() - sl->started)) {
		sl->fd = -1;
		return;
	}
	if (soerr == ETIMEDOUT || soerr == EHOSTUNREACH)
		s->res->nfiltered++;
	else
		s->res->nclosed++;
	close(sl->fd);
	sl->fd = -1;
}

/* Drop finished slots and expired connects from the head of the ring. */
static void scan_reap(struct scan *s)
{
	struct scan_slot *sl;
	int64_t now = cb_now_ms();

	while (s->count) {
		sl = &s->q[s->head];
		if (sl->fd >= 0) {
			if (now - sl->started < s->o->connect_timeout_ms)
				break;
			epoll_ctl(s->ep, EPOLL_CTL_DEL, sl->fd, NULL);
			close(sl->fd);
			sl->fd = -1;
			s->res->nfiltered++;
		}
		s->head = (s->head + 1) % s->cap;
		s->count--;
	}
}

static int scan_connect_all(struct scan *s, const int *ports, size_t n,
			    struct cb_error *err)
{
	struct epoll_event evs[256];
	size_t next = 0;
	int k, got, wait;

	while (next < n || s->count) {
		while (next < n && s->count < s->cap)
			if (scan_start(s, ports[next++], err))
				return err->code;
		wait = s->count ? (int)(s->q[s->head].started +
					s->o->connect_timeout_ms - cb_now_ms())
				: 0;
		got = epoll_wait(s->ep, evs, 256, wait < 0 ? 0 : wait);
		if (got < 0 && errno != EINTR)
			return cb_error_set_os(err, CB_EIO, "epoll_wait");
		for (k = 0; k < got; k++)
			scan_finish(s, (size_t)evs[k].data.u64);
		scan_reap(s);
	}
	return CB_OK;
}

/* Read whatever each open service says within banner_ms. */
static void scan_banners(struct scan *s, int probe)
{
	struct epoll_event ev = {.events = EPOLLIN}, evs[64];
	int64_t deadline = cb_now_ms() + s->o->banner_ms;
	size_t k, pending = 0;
	struct scan_port *p;
	ssize_t r;
	int got, i;

	for (k = 0; k < s->res->nopen; k++) {
		p = &s->res->open[k];
		if (p->banner_len || s->open_fds[k] < 0)
			continue;
		if (probe) {
			if (send(s->open_fds[k], SCAN_HTTP_PROBE,
				 sizeof(SCAN_HTTP_PROBE) - 1, MSG_NOSIGNAL) < 0)
				continue;
			p->probed = 1;
		}
		ev.data.u64 = k;
		if (!epoll_ctl(s->ep, EPOLL_CTL_ADD, s->open_fds[k], &ev))
			pending++;
	}
	while (pending && cb_ms_left(deadline)) {
		got = epoll_wait(s->ep, evs, 64, cb_ms_left(deadline));
		for (i = 0; i < got; i++) {
			k = (size_t)evs[i].data.u64;
			p = &s->res->open[k];
			r = recv(s->open_fds[k], p->banner, SCAN_BANNER_MAX, 0);
			if (r > 0)
				p->banner_len = (size_t)r;
			epoll_ctl(s->ep, EPOLL_CTL_DEL, s->open_fds[k], NULL);
			pending--;
		}
	}
	for (k = 0; k < s->res->nopen; k++)
		if (s->open_fds[k] >= 0)
			epoll_ctl(s->ep, EPOLL_CTL_DEL, s->open_fds[k], NULL);
}

int scan_tcp(const char *host, const int *ports, size_t nports,
	     const struct scan_opts *o, struct scan_result *res,
	     struct cb_error *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	struct scan_opts def = {512, 1000, 400};
	struct scan s = {0};
	int64_t t0 = cb_now_ms();
	size_t k;
	int rc, gai;

	memset(res, 0, sizeof(*res));
	if (!o)
		o = &def;
	gai = getaddrinfo(host, "1", &hints, &ai);
	if (gai)
		return cb_error_set(err, CB_ENODEV, "cannot resolve %s: %s",
				    host, gai_strerror(gai));
	s.ai = ai;
	s.o = o;
	s.res = res;
	s.cap = (size_t)(o->max_inflight > 0 ? o->max_inflight : 512);
	s.q = calloc(s.cap, sizeof(*s.q));
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!s.q || s.ep < 0) {
		rc = cb_error_set_os(err, CB_EIO, "scanner set-up");
		goto out;
	}
	rc = scan_connect_all(&s, ports, nports, err);
	if (!rc && o->banner_ms > 0) {
		scan_banners(&s, 0);
		scan_banners(&s, 1);
	}
	res->elapsed_ms = cb_now_ms() - t0;
out:
	for (k = 0; k < s.count; k++)
		if (s.q[(s.head + k) % s.cap].fd >= 0)
			close(s.q[(s.head + k) % s.cap].fd);
	for (k = 0; k < res->nopen; k++)
		close(s.open_fds[k]);
	free(s.open_fds);
	free(s.q);
	if (s.ep >= 0)
		close(s.ep);
	freeaddrinfo(ai);
	if (rc)
		scan_result_release(res);
	return rc;
}

void scan_result_release(struct scan_result *res)
{
	if (!res)
		return;
	free(res->open);
	memset(res, 0, sizeof(*res));
}
