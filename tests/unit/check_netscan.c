/*
 * check_netscan.c - the TCP scan and banner grab (netscan) and the UDP
 * service probes (udpscan) against real listeners on loopback.
 *
 * Each listener runs in this process: a thread accepts and one thread
 * per connection plays a service (greets, stays silent, floods, speaks
 * TLS) and records what the scanner sent it.  Everything is on
 * 127.0.0.0/8; inside a fresh network namespace run 'ip link set lo up'
 * first.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/ssl.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/netscan.h"
#include "harness/udpscan.h"
#include "harness/x509gen.h"

#define GREETING  "SSH-2.0-certbench-test\r\n"
#define HTTP_PROBE "HEAD / HTTP/1.0\r\n\r\n"
#define SRV_CONNS 64
#define SRV_KEEP  512		/* bytes recorded per connection */

/* ---- TCP services ------------------------------------------------------ */

enum srv_mode {
	SRV_GREET,		/* greets, then reads until closed */
	SRV_GREET_CLOSE,	/* greets and closes */
	SRV_SILENT,		/* reads until closed, says nothing */
	SRV_FLOOD,		/* sends until the peer goes */
	SRV_TLS,		/* an OpenSSL server */
	SRV_HTTP,		/* answers HEAD with 200, anything else 400 */
};

struct srv;

struct srv_conn {
	struct srv *s;
	int fd, n;
	pthread_t th;
};

struct srv {
	int lfd, port;
	enum srv_mode mode;
	int serial;			/* one connection at a time */
	SSL_CTX *tls;
	pthread_t th;
	atomic_int stop;
	pthread_mutex_t mu;
	int nconn;
	struct srv_conn conn[SRV_CONNS];
	unsigned char got[SRV_CONNS][SRV_KEEP];
	size_t got_len[SRV_CONNS];
};

/* Wait for fd to be readable (or writable) for up to 50 ms. */
static int srv_poll(int fd, short ev)
{
	struct pollfd p = {.fd = fd, .events = ev};

	return poll(&p, 1, 50);
}

static void srv_record(struct srv_conn *c, const char *b, size_t n)
{
	struct srv *s = c->s;
	size_t *len = &s->got_len[c->n];

	pthread_mutex_lock(&s->mu);
	if (n > SRV_KEEP - *len)
		n = SRV_KEEP - *len;
	memcpy(s->got[c->n] + *len, b, n);
	*len += n;
	pthread_mutex_unlock(&s->mu);
}

/* Read and record until the peer closes, the server stops or 5 s pass. */
static void srv_drain(struct srv_conn *c)
{
	int64_t end = cb_now_ms() + 5000;
	char buf[512];
	ssize_t r;

	while (!atomic_load(&c->s->stop) && cb_now_ms() < end) {
		if (srv_poll(c->fd, POLLIN) <= 0)
			continue;
		r = recv(c->fd, buf, sizeof(buf), 0);
		if (r <= 0)
			return;
		srv_record(c, buf, (size_t)r);
	}
}

static void srv_flood(struct srv_conn *c)
{
	int64_t end = cb_now_ms() + 5000;
	char buf[4096];
	size_t k;

	for (k = 0; k < sizeof(buf); k++)
		buf[k] = (char)('A' + k % 26);
	while (!atomic_load(&c->s->stop) && cb_now_ms() < end) {
		if (srv_poll(c->fd, POLLOUT) <= 0)
			continue;
		if (send(c->fd, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT) <
			    0 &&
		    errno != EAGAIN)
			return;
	}
}

static void srv_tls(struct srv_conn *c)
{
	struct timeval tv = {.tv_sec = 2};
	SSL *ssl = SSL_new(c->s->tls);

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	SSL_set_fd(ssl, c->fd);
	if (SSL_accept(ssl) == 1)
		SSL_write(ssl, "hello\n", 6);
	SSL_free(ssl);
}

#define HTTP_OK "HTTP/1.0 200 OK\r\nServer: check\r\n\r\n"
#define HTTP_BAD "HTTP/1.0 400 Bad Request\r\n\r\n"

static void srv_http(struct srv_conn *c)
{
	char buf[512];
	ssize_t r = 0;
	int k;

	for (k = 0; k < 40 && r <= 0 && !atomic_load(&c->s->stop); k++)
		if (srv_poll(c->fd, POLLIN) > 0)
			r = recv(c->fd, buf, sizeof(buf), 0);
	if (r <= 0)
		return;
	srv_record(c, buf, (size_t)r);
	if (!strncmp(buf, "HEAD ", 5))
		send(c->fd, HTTP_OK, sizeof(HTTP_OK) - 1, MSG_NOSIGNAL);
	else
		send(c->fd, HTTP_BAD, sizeof(HTTP_BAD) - 1, MSG_NOSIGNAL);
}

static void *srv_conn_main(void *arg)
{
	struct srv_conn *c = arg;

	switch (c->s->mode) {
	case SRV_GREET:
	case SRV_GREET_CLOSE:
		send(c->fd, GREETING, sizeof(GREETING) - 1, MSG_NOSIGNAL);
		if (c->s->mode == SRV_GREET)
			srv_drain(c);
		break;
	case SRV_SILENT: srv_drain(c); break;
	case SRV_FLOOD: srv_flood(c); break;
	case SRV_TLS: srv_tls(c); break;
	case SRV_HTTP: srv_http(c); break;
	}
	close(c->fd);
	return NULL;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	struct srv_conn *c;
	int fd;

	while (!atomic_load(&s->stop)) {
		if (srv_poll(s->lfd, POLLIN) <= 0)
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (s->nconn == SRV_CONNS) {
			close(fd);
			continue;
		}
		c = &s->conn[s->nconn];
		c->s = s;
		c->fd = fd;
		c->n = s->nconn;
		if (s->serial) {
			s->nconn++;
			srv_conn_main(c);
			continue;
		}
		if (pthread_create(&c->th, NULL, srv_conn_main, c)) {
			close(fd);
			continue;
		}
		s->nconn++;
	}
	return NULL;
}

/* A listening socket on addr:port (0 = any free port), backlog given. */
static int listen_on(const char *addr, int port, int backlog, int *bound)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*bound = ntohs(sa.sin_port);
	return fd;
}

static struct srv *srv_start_serial(enum srv_mode mode, SSL_CTX *tls,
				     int serial)
{
	struct srv *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	s->mode = mode;
	s->serial = serial;
	s->tls = tls;
	pthread_mutex_init(&s->mu, NULL);
	s->lfd = listen_on("127.0.0.1", 0, 64, &s->port);
	ck_assert_int_ge(s->lfd, 0);
	ck_assert_int_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
	return s;
}

static struct srv *srv_start(enum srv_mode mode, SSL_CTX *tls)
{
	return srv_start_serial(mode, tls, 0);
}

static void srv_stop(struct srv *s)
{
	int k;

	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	for (k = 0; k < s->nconn && !s->serial; k++)
		pthread_join(s->conn[k].th, NULL);
	close(s->lfd);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* 1 when nothing listens on 127.0.0.1:port. */
static int port_refused(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno ==
							       ECONNREFUSED;
	close(fd);
	return r;
}

static int scan_one(int port, const struct scan_opts *o,
		    struct scan_result *res)
{
	struct cb_error err = {0};
	int rc = scan_tcp("127.0.0.1", &port, 1, o, res, &err);

	ck_assert_msg(rc == CB_OK, "scan: %s", err.text);
	return rc;
}

/* ---- port lists --------------------------------------------------------- */

START_TEST(parse_ports_sorts_merges_and_dedupes)
{
	struct cb_error err = {0};
	int *p;
	size_t n;

	ck_assert_int_eq(scan_parse_ports("80,1-3,2,80,79-81", &p, &n, &err),
			 CB_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(p[0], 1);
	ck_assert_int_eq(p[1], 2);
	ck_assert_int_eq(p[2], 3);
	ck_assert_int_eq(p[3], 79);
	ck_assert_int_eq(p[4], 80);
	ck_assert_int_eq(p[5], 81);
	free(p);
	ck_assert_int_eq(scan_parse_ports("1-65535", &p, &n, &err), CB_OK);
	ck_assert_uint_eq(n, 65535);
	ck_assert_int_eq(p[0], 1);
	ck_assert_int_eq(p[65534], 65535);
	free(p);
	ck_assert_int_eq(scan_parse_ports("65535,1", &p, &n, &err), CB_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(p[0], 1);
	ck_assert_int_eq(p[1], 65535);
	free(p);
	ck_assert_int_eq(scan_parse_ports("7-7", &p, &n, &err), CB_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(p[0], 7);
	free(p);
	ck_assert_int_eq(err.code, CB_OK);
}
END_TEST

static const struct {
	const char *spec, *text;
} bad_specs[] = {
	{"0", "bad port range '0' (want 1-65535)"},
	{"65536", "bad port range '65536' (want 1-65535)"},
	{"1-65536", "bad port range '1-65536' (want 1-65535)"},
	{"0-10", "bad port range '0-10' (want 1-65535)"},
	{"100-99", "bad port range '100-99' (want 1-65535)"},
	{"", "bad port range '' (want 1-65535)"},
	{",", "bad port range '' (want 1-65535)"},
	{"80,", "bad port range '' (want 1-65535)"},
	{",80", "bad port range '' (want 1-65535)"},
	{"80,,81", "bad port range '' (want 1-65535)"},
	{"http", "bad port range 'http' (want 1-65535)"},
	{"80x", "bad port range '80x' (want 1-65535)"},
	{"22,8o", "bad port range '8o' (want 1-65535)"},
	{"-5", "bad port range '-5' (want 1-65535)"},
	{"5-", "bad port range '5-' (want 1-65535)"},
	{"1--5", "bad port range '1--5' (want 1-65535)"},
	{"+80", "bad port range '+80' (want 1-65535)"},
	{" 80", "bad port range ' 80' (want 1-65535)"},
	{"80 ", "bad port range '80 ' (want 1-65535)"},
	{"1-2-3", "bad port range '1-2-3' (want 1-65535)"},
	{"000080", "bad port range '000080' (want 1-65535)"},
	{"99999999999999999999", "bad port range '99999999999999999999' "
				 "(want 1-65535)"},
};

START_TEST(parse_ports_rejects_with_the_element_at_fault)
{
	struct cb_error err = {0};
	int *p = (int *)&err;
	size_t n = 99;

	ck_assert_int_eq(scan_parse_ports(bad_specs[_i].spec, &p, &n, &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, bad_specs[_i].text);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- TCP scan ----------------------------------------------------------- */

START_TEST(a_greeting_is_the_banner)
{
	struct srv *s = srv_start(SRV_GREET, NULL);
	struct scan_opts o = {.banner_ms = 300, .flags = SCAN_TLS_PROBE};
	struct scan_result r;

	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_uint_eq(r.nclosed, 0);
	ck_assert_uint_eq(r.nfiltered, 0);
	ck_assert_int_eq(r.open[0].port, s->port);
	ck_assert_int_eq(r.open[0].state, SCAN_OPEN);
	ck_assert_int_ge(r.open[0].rtt_ms, 0);
	ck_assert_int_lt(r.open[0].rtt_ms, 1000);
	ck_assert_uint_eq(r.open[0].banner_len, sizeof(GREETING) - 1);
	ck_assert_mem_eq(r.open[0].banner, GREETING, sizeof(GREETING) - 1);
	ck_assert_int_eq(r.open[0].probe, SCAN_PROBE_NONE);
	ck_assert_int_eq(r.open[0].probed, 0);
	ck_assert_int_eq(r.open[0].tls, 0);
	/* a service that speaks first is never probed */
	ck_assert_int_lt(r.elapsed_ms, 300 + 400);
	scan_result_release(&r);
	srv_stop(s);
}
END_TEST

START_TEST(a_silent_service_is_open_with_no_banner_in_bounded_time)
{
	struct srv *s = srv_start(SRV_SILENT, NULL);
	struct scan_opts o = {.connect_timeout_ms = 500, .banner_ms = 300,
			      .flags = SCAN_TLS_PROBE};
	struct scan_result r;

	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_int_eq(r.open[0].state, SCAN_OPEN);
	ck_assert_uint_eq(r.open[0].banner_len, 0);
	ck_assert_int_eq(r.open[0].probe, SCAN_PROBE_NONE);
	ck_assert_int_eq(r.open[0].probed, 0);
	ck_assert_int_eq(r.open[0].tls, 0);
	/* greeting, ClientHello and HTTP windows: no more */
	ck_assert_int_ge(r.elapsed_ms, 3 * 300 - 20);
	ck_assert_int_lt(r.elapsed_ms, 3 * 300 + 500);
	srv_stop(s);
	scan_result_release(&r);
}
END_TEST

START_TEST(silent_service_gets_client_hello_then_http_probe)
{
	struct srv *s = srv_start(SRV_SILENT, NULL);
	struct scan_opts o = {.banner_ms = 200, .flags = SCAN_TLS_PROBE};
	struct scan_result r;
	size_t hlen;
	const unsigned char *hello = scan_tls_hello(&hlen);

	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	usleep(100 * 1000);
	pthread_mutex_lock(&s->mu);
	ck_assert_int_eq(s->nconn, 3);
	ck_assert_uint_eq(s->got_len[0], 0);	/* we only listened */
	ck_assert_uint_eq(s->got_len[1], hlen);
	ck_assert_mem_eq(s->got[1], hello, hlen);
	ck_assert_uint_eq(s->got_len[2], sizeof(HTTP_PROBE) - 1);
	ck_assert_mem_eq(s->got[2], HTTP_PROBE, sizeof(HTTP_PROBE) - 1);
	pthread_mutex_unlock(&s->mu);
	scan_result_release(&r);
	srv_stop(s);
}
END_TEST

START_TEST(http_server_banner_is_the_head_reply)
{
	struct srv *s = srv_start(SRV_HTTP, NULL);
	struct scan_opts o = {.banner_ms = 300, .flags = SCAN_TLS_PROBE};
	struct scan_result r;

	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_int_eq(r.open[0].tls, 0);
	ck_assert_int_eq(r.open[0].probe, SCAN_PROBE_HTTP);
	ck_assert_int_eq(r.open[0].probed, 1);
	ck_assert_uint_eq(r.open[0].banner_len, sizeof(HTTP_OK) - 1);
	ck_assert_mem_eq(r.open[0].banner, HTTP_OK, sizeof(HTTP_OK) - 1);
	/* the server answered and closed: only the greeting window waits */
	ck_assert_int_lt(r.elapsed_ms, 300 + 300);
	scan_result_release(&r);
	srv_stop(s);
}
END_TEST

START_TEST(without_the_tls_flag_only_the_http_probe_goes_out)
{
	struct srv *s = srv_start(SRV_SILENT, NULL);
	struct scan_opts o = {.banner_ms = 200};
	struct scan_result r;

	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_uint_eq(r.open[0].banner_len, 0);
	usleep(100 * 1000);
	pthread_mutex_lock(&s->mu);
	ck_assert_int_eq(s->nconn, 1);
	ck_assert_uint_eq(s->got_len[0], sizeof(HTTP_PROBE) - 1);
	pthread_mutex_unlock(&s->mu);
	scan_result_release(&r);
	srv_stop(s);
}
END_TEST

START_TEST(a_flood_is_cut_at_the_banner_ceiling)
{
	struct srv *s = srv_start(SRV_FLOOD, NULL);
	struct scan_opts o = {.banner_ms = 2000, .flags = SCAN_TLS_PROBE};
	struct scan_result r;
	unsigned char want[SCAN_BANNER_MAX];
	size_t k;

	for (k = 0; k < sizeof(want); k++)
		want[k] = (unsigned char)('A' + k % 26);
	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_int_eq(r.open[0].state, SCAN_OPEN);
	ck_assert_uint_eq(r.open[0].banner_len, SCAN_BANNER_MAX);
	ck_assert_mem_eq(r.open[0].banner, want, SCAN_BANNER_MAX);
	ck_assert_int_eq(r.open[0].probe, SCAN_PROBE_NONE);
	/* a full buffer ends the window early */
	ck_assert_int_lt(r.elapsed_ms, 1000);
	scan_result_release(&r);
	srv_stop(s);
}
END_TEST

static SSL_CTX *tls_ctx(void)
{
	struct cb_error err = {0};
	EVP_PKEY *ca_key, *key;
	X509 *ca, *cert;
	SSL_CTX *ctx;

	ck_assert_int_eq(x509_make_ca("netscan test CA", 2, &ca_key, &ca, &err),
			 CB_OK);
	ck_assert_int_eq(x509_issue(ca_key, ca, "IP:127.0.0.1", 1, &key, &cert,
				    &err),
			 CB_OK);
	ctx = SSL_CTX_new(TLS_server_method());
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(SSL_CTX_use_certificate(ctx, cert), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, key), 1);
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	return ctx;
}

START_TEST(tls_server_answers_with_a_server_hello)
{
	SSL_CTX *ctx = tls_ctx();
	struct srv *s = srv_start(SRV_TLS, ctx);
	struct scan_opts o = {.banner_ms = 300, .flags = SCAN_TLS_PROBE};
	struct scan_result r;
	const unsigned char *b;

	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	b = r.open[0].banner;
	ck_assert_int_eq(r.open[0].tls, 1);
	ck_assert_int_eq(r.open[0].probe, SCAN_PROBE_TLS);
	ck_assert_int_eq(r.open[0].probed, 0);
	/* ServerHello, Certificate...: more than the ceiling */
	ck_assert_uint_eq(r.open[0].banner_len, SCAN_BANNER_MAX);
	ck_assert_int_eq(b[0], 0x16);		/* handshake record */
	ck_assert_int_eq(b[1], 0x03);
	ck_assert_int_eq(b[5], 0x02);		/* ServerHello */
	ck_assert_int_eq(b[9], 0x03);		/* TLS 1.2 */
	ck_assert_int_eq(b[10], 0x03);
	/* the server picked our first suite, ECDHE-ECDSA-AES128-GCM */
	ck_assert_int_le(b[43], 32);		/* session id length */
	ck_assert_int_eq(b[44 + b[43]], 0xc0);
	ck_assert_int_eq(b[45 + b[43]], 0x2b);
	scan_result_release(&r);
	srv_stop(s);
	SSL_CTX_free(ctx);
}
END_TEST

START_TEST(a_tls_server_serving_one_connection_at_a_time_is_found)
{
	SSL_CTX *ctx = tls_ctx();
	struct srv *s = srv_start_serial(SRV_TLS, ctx, 1);
	struct scan_opts o = {.banner_ms = 300, .flags = SCAN_TLS_PROBE};
	struct scan_result r;

	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_int_eq(r.open[0].tls, 1);
	ck_assert_int_eq(r.open[0].probe, SCAN_PROBE_TLS);
	ck_assert_int_eq(r.open[0].banner[5], 0x02);
	scan_result_release(&r);
	srv_stop(s);
	SSL_CTX_free(ctx);
}
END_TEST

START_TEST(a_tls_server_is_not_flagged_without_the_tls_probe)
{
	SSL_CTX *ctx = tls_ctx();
	struct srv *s = srv_start(SRV_TLS, ctx);
	struct scan_opts o = {.banner_ms = 300};
	struct scan_result r;

	scan_one(s->port, &o, &r);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_int_eq(r.open[0].tls, 0);
	ck_assert_int_ne(r.open[0].probe, SCAN_PROBE_TLS);
	scan_result_release(&r);
	srv_stop(s);
	SSL_CTX_free(ctx);
}
END_TEST

static struct {
	int n, open, closed, filtered, ports[16];
} seen;

static void count_port(void *ctx, const struct scan_port *p)
{
	ck_assert_ptr_eq(ctx, &seen);
	if (seen.n < 16)
		seen.ports[seen.n] = p->port;
	seen.n++;
	seen.open += p->state == SCAN_OPEN;
	seen.closed += p->state == SCAN_CLOSED;
	seen.filtered += p->state == SCAN_FILTERED;
	if (p->state == SCAN_OPEN)
		ck_assert_uint_eq(p->banner_len, sizeof(GREETING) - 1);
	else
		ck_assert_uint_eq(p->banner_len, 0);
}

/* A greeting listener whose two neighbours on each side are free. */
static struct srv *srv_with_free_neighbours(void)
{
	struct srv *s;
	int tries, d, ok;

	for (tries = 0; tries < 20; tries++) {
		s = srv_start(SRV_GREET, NULL);
		for (d = -2, ok = 1; d <= 2; d++)
			ok &= !d || port_refused(s->port + d);
		if (ok)
			return s;
		srv_stop(s);
	}
	ck_abort_msg("no listener with free neighbouring ports");
	return NULL;
}

START_TEST(every_port_of_a_small_range_has_its_state)
{
	struct srv *s = srv_with_free_neighbours();
	struct scan_opts o = {.banner_ms = 200, .on_port = count_port,
			      .ctx = &seen};
	struct cb_error err = {0};
	struct scan_result r;
	int ports[5], k, p = s->port;

	for (k = 0; k < 5; k++)
		ports[k] = p + 2 - k;	/* any order will do */
	ck_assert_int_eq(scan_tcp("127.0.0.1", ports, 5, &o, &r, &err), CB_OK);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_uint_eq(r.nclosed, 4);
	ck_assert_uint_eq(r.nfiltered, 0);
	ck_assert_uint_eq(r.nranges, 3);
	ck_assert_int_eq(r.ranges[0].lo, p - 2);
	ck_assert_int_eq(r.ranges[0].hi, p - 1);
	ck_assert_int_eq(r.ranges[0].state, SCAN_CLOSED);
	ck_assert_int_eq(r.ranges[1].lo, p);
	ck_assert_int_eq(r.ranges[1].hi, p);
	ck_assert_int_eq(r.ranges[1].state, SCAN_OPEN);
	ck_assert_int_eq(r.ranges[2].lo, p + 1);
	ck_assert_int_eq(r.ranges[2].hi, p + 2);
	ck_assert_int_eq(r.ranges[2].state, SCAN_CLOSED);
	ck_assert_int_eq(scan_result_state(&r, p), SCAN_OPEN);
	ck_assert_int_eq(scan_result_state(&r, p - 2), SCAN_CLOSED);
	ck_assert_int_eq(scan_result_state(&r, p + 2), SCAN_CLOSED);
	ck_assert_int_eq(scan_result_state(&r, p + 3), -1);
	ck_assert_int_eq(scan_result_state(&r, p - 3), -1);
	/* the callback saw each port once, with its state */
	ck_assert_int_eq(seen.n, 5);
	ck_assert_int_eq(seen.open, 1);
	ck_assert_int_eq(seen.closed, 4);
	ck_assert_int_eq(seen.filtered, 0);
	for (k = 0; k < 5; k++)
		ck_assert_int_le(abs(seen.ports[k] - p), 2);
	ck_assert_int_eq(seen.ports[0] + seen.ports[1] + seen.ports[2] +
				 seen.ports[3] + seen.ports[4],
			 5 * p);
	scan_result_release(&r);
	srv_stop(s);
}
END_TEST

START_TEST(ranges_skip_ports_that_were_not_scanned)
{
	struct srv *s = srv_with_free_neighbours();
	struct scan_opts o = {.banner_ms = 0};
	struct cb_error err = {0};
	struct scan_result r;
	int ports[3] = {s->port - 2, s->port, s->port + 2};

	ck_assert_int_eq(scan_tcp("127.0.0.1", ports, 3, &o, &r, &err), CB_OK);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_uint_eq(r.open[0].banner_len, 0);	/* banners off */
	ck_assert_uint_eq(r.nranges, 3);
	ck_assert_int_eq(r.ranges[0].lo, s->port - 2);
	ck_assert_int_eq(r.ranges[0].hi, s->port - 2);
	ck_assert_int_eq(scan_result_state(&r, s->port - 1), -1);
	ck_assert_int_eq(scan_result_state(&r, s->port + 2), SCAN_CLOSED);
	scan_result_release(&r);
	srv_stop(s);
}
END_TEST

START_TEST(full_accept_queue_is_filtered_after_timeout)
{
	struct scan_opts o = {.connect_timeout_ms = 300, .banner_ms = 100};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct scan_result r;
	int lfd, port, fill[2], k;

	lfd = listen_on("127.0.0.1", 0, 0, &port);
	ck_assert_int_ge(lfd, 0);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (k = 0; k < 2; k++) {
		fill[k] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[k], (struct sockaddr *)&sa, sizeof(sa));
	}
	usleep(50 * 1000);
	scan_one(port, &o, &r);
	ck_assert_uint_eq(r.nopen, 0);
	ck_assert_uint_eq(r.nclosed, 0);
	ck_assert_uint_eq(r.nfiltered, 1);
	ck_assert_int_eq(scan_result_state(&r, port), SCAN_FILTERED);
	ck_assert_int_ge(r.elapsed_ms, 300);
	ck_assert_int_lt(r.elapsed_ms, 1000);
	scan_result_release(&r);
	close(fill[0]);
	close(fill[1]);
	close(lfd);
}
END_TEST

START_TEST(a_large_range_on_several_workers_adds_up)
{
	struct srv *s = srv_start(SRV_GREET, NULL);
	struct scan_opts o = {.banner_ms = 200, .workers = 3};
	struct cb_error err = {0};
	struct scan_result r;
	int lo = s->port - 3000, hi = s->port + 3000, k, *ports;
	size_t n = (size_t)(hi - lo + 1), sum = 0;

	ports = malloc(n * sizeof(int));
	for (k = lo; k <= hi; k++)
		ports[k - lo] = k;
	ck_assert_int_eq(scan_tcp("127.0.0.1", ports, n, &o, &r, &err), CB_OK);
	ck_assert_uint_eq(r.nopen + r.nclosed + r.nfiltered, n);
	for (k = 0; k < (int)r.nranges; k++) {
		sum += (size_t)(r.ranges[k].hi - r.ranges[k].lo + 1);
		if (k)
			ck_assert_int_gt(r.ranges[k].lo, r.ranges[k - 1].hi);
	}
	ck_assert_uint_eq(sum, n);
	ck_assert_int_eq(r.ranges[0].lo, lo);
	ck_assert_int_eq(r.ranges[r.nranges - 1].hi, hi);
	ck_assert_int_eq(scan_result_state(&r, s->port), SCAN_OPEN);
	for (k = 1; k < (int)r.nopen; k++)
		ck_assert_int_gt(r.open[k].port, r.open[k - 1].port);
	for (k = 0; k < (int)r.nopen; k++)
		if (r.open[k].port == s->port)
			ck_assert_mem_eq(r.open[k].banner, GREETING,
					 sizeof(GREETING) - 1);
	scan_result_release(&r);
	free(ports);
	srv_stop(s);
}
END_TEST

START_TEST(banners_survive_a_short_descriptor_limit)
{
	struct rlimit rl;
	struct srv *s[30];
	struct scan_opts o = {.banner_ms = 300};
	struct cb_error err = {0};
	struct scan_result r;
	int ports[30], k;

	for (k = 0; k < 30; k++) {
		s[k] = srv_start(SRV_GREET_CLOSE, NULL);
		ports[k] = s[k]->port;
	}
	/* 120 descriptors: the scanner keeps 14 banner jobs at a time, so
	 * most open ports are connected to again for their banner */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 120;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_int_eq(scan_tcp("127.0.0.1", ports, 30, &o, &r, &err), CB_OK);
	ck_assert_uint_eq(r.nopen, 30);
	for (k = 0; k < 30; k++) {
		ck_assert_uint_eq(r.open[k].banner_len, sizeof(GREETING) - 1);
		ck_assert_mem_eq(r.open[k].banner, GREETING,
				 sizeof(GREETING) - 1);
	}
	ck_assert_int_lt(r.elapsed_ms, 2000);
	scan_result_release(&r);
	for (k = 0; k < 30; k++)
		srv_stop(s[k]);
}
END_TEST

START_TEST(an_unknown_host_is_enodev)
{
	struct cb_error err = {0};
	struct scan_result r;
	int port = 80;

	ck_assert_int_eq(scan_tcp("no-such-host.invalid", &port, 1, NULL, &r,
				  &err),
			 CB_ENODEV);
	ck_assert_ptr_null(r.open);
	ck_assert_ptr_null(r.ranges);
	ck_assert_uint_eq(r.nopen, 0);
}
END_TEST

START_TEST(the_client_hello_is_well_formed)
{
	size_t n, ext, off;
	const unsigned char *h = scan_tls_hello(&n);

	ck_assert_uint_eq(n, 128);
	ck_assert_int_eq(h[0], 0x16);
	ck_assert_uint_eq((size_t)(h[3] << 8 | h[4]), n - 5);
	ck_assert_int_eq(h[5], 0x01);
	ck_assert_uint_eq((size_t)(h[6] << 16 | h[7] << 8 | h[8]), n - 9);
	ck_assert_int_eq(h[9], 3);
	ck_assert_int_eq(h[10], 3);
	off = 11 + 32;
	ck_assert_int_eq(h[off], 0);			/* session id */
	off += 1;
	off += 2 + (size_t)(h[off] << 8 | h[off + 1]);	/* suites */
	ck_assert_int_eq(h[off], 1);			/* compression */
	off += 2;
	ext = (size_t)(h[off] << 8 | h[off + 1]);
	ck_assert_uint_eq(off + 2 + ext, n);
	for (off += 2; off < n; off += 4 + (size_t)(h[off + 2] << 8 |
						      h[off + 3]))
		;
	ck_assert_uint_eq(off, n);			/* extensions tile */
}
END_TEST

/* ---- UDP ---------------------------------------------------------------- */

struct usrv_sock {
	int fd, port;
	const void *reply;		/* NULL: stay silent */
	size_t reply_len;
	int ndgrams;
	unsigned char got[512];
	size_t got_len;
};

struct usrv {
	struct usrv_sock s[4];
	int n;
	char addr[32];
	atomic_int stop;
	pthread_t th;
};

static void *usrv_main(void *arg)
{
	struct usrv *u = arg;
	struct pollfd p[4];
	struct sockaddr_storage from;
	socklen_t fl;
	unsigned char buf[512];
	ssize_t r;
	int k;

	for (k = 0; k < u->n; k++)
		p[k] = (struct pollfd){.fd = u->s[k].fd, .events = POLLIN};
	while (!atomic_load(&u->stop)) {
		if (poll(p, (nfds_t)u->n, 50) <= 0)
			continue;
		for (k = 0; k < u->n; k++) {
			if (!(p[k].revents & POLLIN))
				continue;
			fl = sizeof(from);
			r = recvfrom(u->s[k].fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);
			if (r < 0)
				continue;
			if (!u->s[k].ndgrams++) {
				memcpy(u->s[k].got, buf, (size_t)r);
				u->s[k].got_len = (size_t)r;
			}
			if (u->s[k].reply)
				sendto(u->s[k].fd, u->s[k].reply,
				       u->s[k].reply_len, 0,
				       (struct sockaddr *)&from, fl);
		}
	}
	return NULL;
}

static int udp_bind(const char *addr, int port, int *bound)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*bound = ntohs(sa.sin_port);
	return fd;
}

/*
 * Sockets on one free 127.0.0.X address: ports[k] (0 = any free port)
 * answering replies[k] (NULL = silent).
 */
static struct usrv *usrv_start(const int *ports, const char *const *replies,
			       const size_t *lens, int n)
{
	struct usrv *u = calloc(1, sizeof(*u));
	int x, k, ok;

	ck_assert_ptr_nonnull(u);
	for (x = 0; x < 50; x++) {
		snprintf(u->addr, sizeof(u->addr), "127.0.%d.%d",
			 1 + (getpid() + x) % 250, 2 + x);
		for (k = 0, ok = 1; k < n && ok; k++) {
			u->s[k].fd = udp_bind(u->addr, ports[k],
					      &u->s[k].port);
			ok = u->s[k].fd >= 0;
		}
		if (ok)
			break;
		while (k-- > 0)
			if (u->s[k].fd >= 0)
				close(u->s[k].fd);
	}
	ck_assert_msg(ok, "no free 127.0.x.y address for the UDP services");
	for (k = 0; k < n; k++) {
		u->s[k].reply = replies[k];
		u->s[k].reply_len = lens[k];
	}
	u->n = n;
	ck_assert_int_eq(pthread_create(&u->th, NULL, usrv_main, u), 0);
	return u;
}

static void usrv_stop(struct usrv *u)
{
	int k;

	atomic_store(&u->stop, 1);
	pthread_join(u->th, NULL);
	for (k = 0; k < u->n; k++)
		close(u->s[k].fd);
	free(u);
}

static const char coap_ack[] = "\x60\x45\x43\x42\xff</sensors>;rt=\"temp\"";

START_TEST(udp_open_closed_and_silent_ports)
{
	int ports[2] = {5683, 0}, scan[3], closed, fd;
	const char *replies[2] = {coap_ack, NULL};
	size_t lens[2] = {sizeof(coap_ack) - 1, 0}, clen;
	struct usrv *u = usrv_start(ports, replies, lens, 2);
	const unsigned char *coap = scan_udp_request(5683, &clen, &replies[0]);
	struct scan_udp_result r;
	struct cb_error err = {0};

	/* a port that was free a moment ago: the host answers ICMP */
	fd = udp_bind(u->addr, 0, &closed);
	ck_assert_int_ge(fd, 0);
	close(fd);
	scan[0] = 5683;
	scan[1] = closed;
	scan[2] = u->s[1].port;
	ck_assert_msg(scan_udp(u->addr, scan, 3, 600, &r, &err) == CB_OK,
		      "%s", err.text);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_int_eq(r.ports[0].port, 5683);
	ck_assert_int_eq(r.ports[0].state, SCAN_OPEN);
	ck_assert_str_eq(r.ports[0].service, "coap");
	ck_assert_int_eq(r.ports[0].sent, 1);
	ck_assert_int_ge(r.ports[0].rtt_ms, 0);
	ck_assert_uint_eq(r.ports[0].reply_len, sizeof(coap_ack) - 1);
	ck_assert_uint_eq(r.ports[0].banner_len, sizeof(coap_ack) - 1);
	ck_assert_mem_eq(r.ports[0].banner, coap_ack, sizeof(coap_ack) - 1);
	ck_assert_int_eq(r.ports[1].port, closed);
	ck_assert_int_eq(r.ports[1].state, SCAN_CLOSED);
	ck_assert_ptr_null(r.ports[1].service);
	ck_assert_uint_eq(r.ports[1].banner_len, 0);
	ck_assert_int_eq(r.ports[2].state, SCAN_OPEN_FILTERED);
	ck_assert_int_eq(r.ports[2].sent, 2);		/* the retry */
	ck_assert_int_eq(r.ports[2].rtt_ms, -1);
	ck_assert_uint_eq(r.nopen, 1);
	ck_assert_uint_eq(r.nclosed, 1);
	ck_assert_uint_eq(r.nfiltered, 0);
	ck_assert_uint_eq(r.nopen_filtered, 1);
	ck_assert_int_ge(r.elapsed_ms, 600);
	ck_assert_int_lt(r.elapsed_ms, 1500);
	usleep(50 * 1000);
	/* what went out: the CoAP request once, two empty datagrams */
	ck_assert_int_eq(u->s[0].ndgrams, 1);
	ck_assert_uint_eq(u->s[0].got_len, clen);
	ck_assert_mem_eq(u->s[0].got, coap, clen);
	ck_assert_int_eq(u->s[1].ndgrams, 2);
	ck_assert_uint_eq(u->s[1].got_len, 0);
	scan_udp_result_release(&r);
	ck_assert_ptr_null(r.ports);
	usrv_stop(u);
}
END_TEST

static const char dns_reply[] = "\x43\x42\x81\x05\x00\x01\x00\x00\x00\x00"
				"\x00\x00";
static const char ssdp_reply[] = "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n"
				 "\r\n";
static const char mdns_reply[] = "\x00\x00\x84\x00\x00\x00\x00\x00\x00\x00"
				 "\x00\x00";

START_TEST(udp_defaults_send_each_service_its_request)
{
	const int ports[4] = {53, 1900, 5353, 5683};
	const char *replies[4] = {dns_reply, ssdp_reply, mdns_reply, coap_ack};
	const char *names[4] = {"dns", "ssdp", "mdns", "coap"};
	size_t lens[4] = {sizeof(dns_reply) - 1, sizeof(ssdp_reply) - 1,
			  sizeof(mdns_reply) - 1, sizeof(coap_ack) - 1};
	struct usrv *u = usrv_start(ports, replies, lens, 4);
	struct scan_udp_result r;
	struct cb_error err = {0};
	const unsigned char *req;
	const char *svc;
	size_t len;
	int k;

	ck_assert_msg(scan_udp(u->addr, NULL, 0, 1000, &r, &err) == CB_OK,
		      "%s", err.text);
	ck_assert_uint_eq(r.n, 4);
	ck_assert_uint_eq(r.nopen, 4);
	ck_assert_int_lt(r.elapsed_ms, 500);	/* answers end it early */
	usleep(50 * 1000);
	for (k = 0; k < 4; k++) {
		ck_assert_int_eq(r.ports[k].port, ports[k]);
		ck_assert_int_eq(r.ports[k].state, SCAN_OPEN);
		ck_assert_str_eq(r.ports[k].service, names[k]);
		ck_assert_uint_eq(r.ports[k].banner_len, lens[k]);
		ck_assert_mem_eq(r.ports[k].banner, replies[k], lens[k]);
		req = scan_udp_request(ports[k], &len, &svc);
		ck_assert_str_eq(svc, names[k]);
		ck_assert_int_eq(u->s[k].ndgrams, 1);
		ck_assert_uint_eq(u->s[k].got_len, len);
		ck_assert_mem_eq(u->s[k].got, req, len);
	}
	scan_udp_result_release(&r);
	usrv_stop(u);
}
END_TEST

START_TEST(udp_requests_are_well_formed)
{
	static const unsigned char dns_q[] =
		"\x07version\x04" "bind\x00\x00\x10\x00\x03";
	static const unsigned char mdns_q[] =
		"\x09_services\x07_dns-sd\x04_udp\x05local\x00\x00\x0c\x80\x01";
	static const unsigned char coap[] =
		"\x40\x01\x43\x42\xbb.well-known\x04" "core";
	const unsigned char *b;
	const char *svc;
	size_t n;

	b = scan_udp_request(53, &n, &svc);	/* version.bind TXT CH */
	ck_assert_str_eq(svc, "dns");
	ck_assert_uint_eq(n, 12 + sizeof(dns_q) - 1);
	ck_assert_int_eq(b[2] | b[3], 0);	/* a query, no recursion */
	ck_assert_int_eq(b[4] << 8 | b[5], 1);	/* one question */
	ck_assert_int_eq(b[6] | b[7] | b[8] | b[9] | b[10] | b[11], 0);
	ck_assert_mem_eq(b + 12, dns_q, sizeof(dns_q) - 1);
	b = scan_udp_request(5353, &n, &svc);	/* PTR, unicast answer */
	ck_assert_str_eq(svc, "mdns");
	ck_assert_uint_eq(n, 12 + sizeof(mdns_q) - 1);
	ck_assert_int_eq(b[4] << 8 | b[5], 1);
	ck_assert_mem_eq(b + 12, mdns_q, sizeof(mdns_q) - 1);
	b = scan_udp_request(5683, &n, &svc);	/* CON GET .well-known/core */
	ck_assert_uint_eq(n, sizeof(coap) - 1);
	ck_assert_mem_eq(b, coap, n);
	b = scan_udp_request(1900, &n, &svc);
	ck_assert_str_eq(svc, "ssdp");
	ck_assert_int_eq(
		strncmp((const char *)b, "M-SEARCH * HTTP/1.1\r\n", 21), 0);
	ck_assert_ptr_nonnull(
		memmem(b, n, "\r\nMAN: \"ssdp:discover\"\r\n", 24));
	ck_assert_ptr_nonnull(memmem(b, n, "\r\nST: ssdp:all\r\n", 16));
	ck_assert_mem_eq(b + n - 4, "\r\n\r\n", 4);
	b = scan_udp_request(161, &n, &svc);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(svc);
}
END_TEST

START_TEST(udp_bad_arguments_are_refused)
{
	struct scan_udp_result r;
	struct cb_error err = {0};
	int bad = 0, port = 53;

	ck_assert_int_eq(scan_udp("127.0.0.1", &bad, 1, 500, &r, &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, "bad UDP port 0 (want 1-65535)");
	cb_error_clear(&err);
	ck_assert_int_eq(scan_udp("127.0.0.1", &port, 1, 50, &r, &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, "UDP timeout 50 ms (want 100-60000)");
	cb_error_clear(&err);
	ck_assert_int_eq(scan_udp("no-such-host.invalid", &port, 1, 500, &r,
				  &err),
			 CB_ENODEV);
	ck_assert_ptr_null(r.ports);
}
END_TEST

static Suite *netscan_suite(void)
{
	Suite *s = suite_create("netscan");
	TCase *ports = tcase_create("ports"), *tcp = tcase_create("tcp"),
	      *udp = tcase_create("udp");

	tcase_add_test(ports, parse_ports_sorts_merges_and_dedupes);
	tcase_add_loop_test(ports,
			    parse_ports_rejects_with_the_element_at_fault, 0,
			    (int)(sizeof(bad_specs) / sizeof(bad_specs[0])));
	tcase_add_test(ports, the_client_hello_is_well_formed);
	suite_add_tcase(s, ports);

	tcase_set_timeout(tcp, 30);
	tcase_add_test(tcp, a_greeting_is_the_banner);
	tcase_add_test(tcp,
		       a_silent_service_is_open_with_no_banner_in_bounded_time);
	tcase_add_test(tcp, silent_service_gets_client_hello_then_http_probe);
	tcase_add_test(tcp, http_server_banner_is_the_head_reply);
	tcase_add_test(tcp, without_the_tls_flag_only_the_http_probe_goes_out);
	tcase_add_test(tcp, a_flood_is_cut_at_the_banner_ceiling);
	tcase_add_test(tcp, tls_server_answers_with_a_server_hello);
	tcase_add_test(tcp,
		       a_tls_server_serving_one_connection_at_a_time_is_found);
	tcase_add_test(tcp, a_tls_server_is_not_flagged_without_the_tls_probe);
	tcase_add_test(tcp, every_port_of_a_small_range_has_its_state);
	tcase_add_test(tcp, ranges_skip_ports_that_were_not_scanned);
	tcase_add_test(tcp, full_accept_queue_is_filtered_after_timeout);
	tcase_add_test(tcp, a_large_range_on_several_workers_adds_up);
	tcase_add_test(tcp, banners_survive_a_short_descriptor_limit);
	tcase_add_test(tcp, an_unknown_host_is_enodev);
	suite_add_tcase(s, tcp);

	tcase_set_timeout(udp, 30);
	tcase_add_test(udp, udp_open_closed_and_silent_ports);
	tcase_add_test(udp, udp_defaults_send_each_service_its_request);
	tcase_add_test(udp, udp_requests_are_well_formed);
	tcase_add_test(udp, udp_bad_arguments_are_refused);
	suite_add_tcase(s, udp);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(netscan_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
