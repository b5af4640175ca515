/*
 * check_updsrv.c - the man-in-the-middle update server over real loopback
 * sockets, with libcurl and raw OpenSSL clients, and the throw-away
 * certificates it serves (x509gen).
 *
 * Every event the server reports is copied into a recorder, so a test can
 * wait for one and assert the exact order a connection took.  Inside a
 * fresh network namespace ('unshare -n') loopback starts down: run
 * 'ip link set lo up' first.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/updsrv.h"
#include "harness/x509gen.h"

#define FW_PATH "/firmware/simcam-2.sdfw"
#define REC_MAX 64

/* ---- event recorder ---------------------------------------------------- */

struct rec_ev {
	enum updsrv_ev kind;
	int conn;
	long status;
	size_t bytes;
	int has_sni;
	char peer[64], reason[256], method[16], path[256], headers[2048];
	char version[32], cipher[64], sni[256];
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rec_ev ev[REC_MAX];
	int n;
} rec = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void cp(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void rec_event(void *ctx, const struct updsrv_event *ev)
{
	struct rec_ev *r;

	ck_assert_ptr_eq(ctx, &rec);
	pthread_mutex_lock(&rec.mu);
	if (rec.n < REC_MAX) {
		r = &rec.ev[rec.n++];
		memset(r, 0, sizeof(*r));
		r->kind = ev->kind;
		r->conn = ev->conn;
		r->status = ev->status;
		r->bytes = ev->bytes;
		r->has_sni = ev->sni != NULL;
		cp(r->peer, sizeof(r->peer), ev->peer);
		cp(r->reason, sizeof(r->reason), ev->reason);
		cp(r->method, sizeof(r->method), ev->method);
		cp(r->path, sizeof(r->path), ev->path);
		cp(r->headers, sizeof(r->headers), ev->headers);
		cp(r->version, sizeof(r->version), ev->tls_version);
		cp(r->cipher, sizeof(r->cipher), ev->tls_cipher);
		cp(r->sni, sizeof(r->sni), ev->sni);
	}
	pthread_cond_broadcast(&rec.cv);
	pthread_mutex_unlock(&rec.mu);
}

/* Wait for an event of kind on conn; a copy of it, or kind -1. */
static struct rec_ev rec_wait(enum updsrv_ev kind, int conn, int ms)
{
	struct rec_ev out = {.kind = (enum updsrv_ev) - 1};
	struct timespec until;
	int k, done = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&rec.mu);
	while (!done) {
		for (k = 0; k < rec.n && !done; k++)
			if (rec.ev[k].kind == kind && rec.ev[k].conn == conn) {
				out = rec.ev[k];
				done = 1;
			}
		if (!done && pthread_cond_timedwait(&rec.cv, &rec.mu, &until))
			break;
	}
	pthread_mutex_unlock(&rec.mu);
	return out;
}

/* "CONNECT,REQUEST,SERVED,CLOSE": what conn did, in order. */
static const char *rec_trail(int conn, char *buf, size_t len)
{
	static const char *names[] = {"CONNECT", "TLS_OK", "TLS_FAIL",
				      "REQUEST", "SERVED", "CLOSE"};
	size_t used = 0;
	int k;

	buf[0] = '\0';
	pthread_mutex_lock(&rec.mu);
	for (k = 0; k < rec.n; k++)
		if (rec.ev[k].conn == conn)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? "," : "",
						 names[rec.ev[k].kind]);
	pthread_mutex_unlock(&rec.mu);
	return buf;
}

static void rec_setup(void)
{
	pthread_mutex_lock(&rec.mu);
	rec.n = 0;
	pthread_mutex_unlock(&rec.mu);
}

/* ---- servers, certificates, clients ------------------------------------ */

static unsigned char body[100000];

static void fill_body(void)
{
	size_t k;
	uint32_t x = 2463534242u;

	for (k = 0; k < sizeof(body); k++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		body[k] = (unsigned char)x;
	}
}

static struct updsrv_cfg base_cfg(void)
{
	struct updsrv_cfg cfg = {
	    .bind = "127.0.0.1",
	    .path = FW_PATH,
	    .body = body,
	    .body_len = sizeof(body),
	    .on_event = rec_event,
	    .ctx = &rec,
	};

	fill_body();
	return cfg;
}

static struct updsrv *start(const struct updsrv_cfg *cfg)
{
	struct cb_error err = {0};
	struct updsrv *s = NULL;

	ck_assert_msg(updsrv_start(&s, cfg, &err) == CB_OK, "start: %s",
		      err.text);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_gt(updsrv_port(s), 0);
	return s;
}

struct pki {
	EVP_PKEY *ca_key, *key;
	X509 *ca, *cert;
};

static void pki_make(struct pki *p, const char *ca_cn, const char *san)
{
	struct cb_error err = {0};

	ck_assert_int_eq(x509_make_ca(ca_cn, 2, &p->ca_key, &p->ca, &err),
			 CB_OK);
	ck_assert_msg(x509_issue(p->ca_key, p->ca, san, 1, &p->key, &p->cert,
				 &err) == CB_OK,
		      "issue: %s", err.text);
}

static void pki_free(struct pki *p)
{
	X509_free(p->ca);
	X509_free(p->cert);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->key);
}

/* PEM text of a certificate (malloc()ed). */
static char *pem_of(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	ck_assert(PEM_write_bio_X509(b, x));
	n = BIO_get_mem_data(b, &data);
	out = strndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

struct got {
	unsigned char *data;
	size_t len, cap;
};

static size_t got_write(char *p, size_t size, size_t n, void *arg)
{
	struct got *g = arg;

	size *= n;
	if (g->len + size > g->cap)
		return 0; /* more than the test expects: curl fails */
	memcpy(g->data + g->len, p, size);
	g->len += size;
	return size;
}

struct fetch {
	CURLcode rc;
	long code;
	char err[CURL_ERROR_SIZE];
	char headers[1024];
	size_t hlen;
	struct got body;
};

static size_t hdr_write(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;

	size *= n;
	if (f->hlen + size < sizeof(f->headers)) {
		memcpy(f->headers + f->hlen, p, size);
		f->hlen += size;
		f->headers[f->hlen] = '\0';
	}
	return size;
}

/* One request with libcurl; ca_pem non-NULL turns on full verification. */
static void fetch(struct fetch *f, const char *url, const char *method,
		  const char *ca_pem, const char *resolve)
{
	struct curl_blob blob;
	struct curl_slist *res = NULL;
	CURL *h = curl_easy_init();

	memset(f, 0, sizeof(*f));
	f->body.cap = sizeof(body) + 1024;
	f->body.data = malloc(f->body.cap);
	ck_assert_ptr_nonnull(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, got_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &f->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, hdr_write);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->err);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (method && !strcmp(method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (method && !strcmp(method, "POST"))
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "state=idle&v=1.0");
	else if (method)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (ca_pem) {
		blob.data = (void *)ca_pem;
		blob.len = strlen(ca_pem);
		blob.flags = CURL_BLOB_COPY;
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	}
	if (resolve) {
		res = curl_slist_append(NULL, resolve);
		curl_easy_setopt(h, CURLOPT_RESOLVE, res);
	}
	f->rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f->code);
	curl_easy_cleanup(h);
	curl_slist_free_all(res);
}

static void fetch_release(struct fetch *f)
{
	free(f->body.data);
}

/* A blocking TCP client with a 3 s receive deadline. */
static int raw_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct timeval tv = {3, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
		      "connect to 127.0.0.1:%d: %s (inside 'unshare -n', "
		      "run 'ip link set lo up' first)",
		      port, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Everything until EOF (or the deadline); returns bytes, -1 on error. */
static ssize_t raw_read_all(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap) {
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n == 0)
			break;
		if (n < 0)
			return -1;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static void send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		ck_assert_int_gt(w, 0);
		p += w;
		n -= (size_t)w;
	}
}

/* ---- plain HTTP --------------------------------------------------------- */

START_TEST(plain_get_serves_the_exact_bytes_in_order)
{
	struct updsrv_cfg cfg = base_cfg();
	struct updsrv *s = start(&cfg);
	char url[128], trail[128];
	struct rec_ev ev;
	struct fetch f;
	unsigned conns, tls, reqs, served;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", updsrv_port(s),
		 FW_PATH);
	ck_assert_str_eq(updsrv_url(s), url);
	fetch(&f, url, NULL, NULL, NULL);
	ck_assert_msg(f.rc == CURLE_OK, "curl: %s", f.err);
	ck_assert_int_eq(f.code, 200);
	ck_assert_uint_eq(f.body.len, sizeof(body));
	ck_assert_mem_eq(f.body.data, body, sizeof(body));
	ck_assert_ptr_nonnull(strstr(f.headers, "Content-Length: 100000\r\n"));
	ck_assert_ptr_nonnull(strstr(f.headers, "Connection: close\r\n"));
	ck_assert_ptr_nonnull(strstr(f.headers,
				     "Content-Type: "
				     "application/octet-stream\r\n"));
	fetch_release(&f);

	ev = rec_wait(UPDSRV_CLOSE, 1, 3000);
	ck_assert_int_eq(ev.kind, UPDSRV_CLOSE);
	ck_assert_str_eq(ev.reason, "eof");
	ck_assert_str_eq(rec_trail(1, trail, sizeof(trail)),
			 "CONNECT,REQUEST,SERVED,CLOSE");
	ev = rec_wait(UPDSRV_CONNECT, 1, 0);
	ck_assert_int_eq(strncmp(ev.peer, "127.0.0.1:", 10), 0);
	ev = rec_wait(UPDSRV_REQUEST, 1, 0);
	ck_assert_str_eq(ev.method, "GET");
	ck_assert_str_eq(ev.path, FW_PATH);
	ck_assert_ptr_nonnull(strstr(ev.headers, "Host: 127.0.0.1:"));
	ck_assert_int_eq(strncmp(ev.headers, "Host: ", 6), 0);
	ck_assert_ptr_null(strstr(ev.headers, "\r\n\r\n"));
	ev = rec_wait(UPDSRV_SERVED, 1, 0);
	ck_assert_int_eq(ev.status, 200);
	ck_assert_uint_eq(ev.bytes, sizeof(body));
	updsrv_counts(s, &conns, &tls, &reqs, &served);
	ck_assert_uint_eq(conns, 1);
	ck_assert_uint_eq(tls, 0);
	ck_assert_uint_eq(reqs, 1);
	ck_assert_uint_eq(served, 1);

	/* HEAD: the length of the body, no body, not a served image */
	fetch(&f, url, "HEAD", NULL, NULL);
	ck_assert_int_eq(f.rc, CURLE_OK);
	ck_assert_int_eq(f.code, 200);
	ck_assert_uint_eq(f.body.len, 0);
	ck_assert_ptr_nonnull(strstr(f.headers, "Content-Length: 100000\r\n"));
	fetch_release(&f);
	ev = rec_wait(UPDSRV_CLOSE, 2, 3000);
	ck_assert_str_eq(rec_trail(2, trail, sizeof(trail)),
			 "CONNECT,REQUEST,SERVED,CLOSE");
	ev = rec_wait(UPDSRV_SERVED, 2, 0);
	ck_assert_int_eq(ev.status, 200);
	ck_assert_uint_eq(ev.bytes, 0);
	updsrv_counts(s, NULL, NULL, &reqs, &served);
	ck_assert_uint_eq(reqs, 2);
	ck_assert_uint_eq(served, 1);
	updsrv_stop(s);
}
END_TEST

START_TEST(other_paths_are_404_and_other_methods_405)
{
	struct updsrv_cfg cfg = base_cfg();
	struct updsrv *s = start(&cfg);
	char url[128], trail[128];
	struct rec_ev ev;
	struct fetch f;
	unsigned reqs, served;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/firmware/other.bin",
		 updsrv_port(s));
	fetch(&f, url, NULL, NULL, NULL);
	ck_assert_int_eq(f.rc, CURLE_OK);
	ck_assert_int_eq(f.code, 404);
	ck_assert_uint_eq(f.body.len, 10);
	ck_assert_mem_eq(f.body.data, "not found\n", 10);
	fetch_release(&f);
	ev = rec_wait(UPDSRV_SERVED, 1, 3000);
	ck_assert_int_eq(ev.status, 404);
	ck_assert_uint_eq(ev.bytes, 10);

	/* a POST with a body: the body is never read, the answer arrives */
	fetch(&f, updsrv_url(s), "POST", NULL, NULL);
	ck_assert_msg(f.rc == CURLE_OK, "curl: %s", f.err);
	ck_assert_int_eq(f.code, 405);
	ck_assert_ptr_nonnull(strstr(f.headers, "Allow: GET, HEAD\r\n"));
	fetch_release(&f);
	ev = rec_wait(UPDSRV_REQUEST, 2, 3000);
	ck_assert_str_eq(ev.method, "POST");
	ck_assert_ptr_nonnull(strstr(ev.headers, "Content-Length: 16\r\n"));
	ev = rec_wait(UPDSRV_SERVED, 2, 3000);
	ck_assert_int_eq(ev.status, 405);

	/* a query string does not change the match; DELETE is 405 too */
	snprintf(url, sizeof(url), "%s?v=2", updsrv_url(s));
	fetch(&f, url, "DELETE", NULL, NULL);
	ck_assert_int_eq(f.code, 405);
	fetch_release(&f);
	ev = rec_wait(UPDSRV_REQUEST, 3, 3000);
	ck_assert_str_eq(ev.path, FW_PATH "?v=2");
	rec_wait(UPDSRV_CLOSE, 3, 3000);
	ck_assert_str_eq(rec_trail(3, trail, sizeof(trail)),
			 "CONNECT,REQUEST,SERVED,CLOSE");
	updsrv_counts(s, NULL, NULL, &reqs, &served);
	ck_assert_uint_eq(reqs, 2); /* POST and DELETE of the path */
	ck_assert_uint_eq(served, 0);
	updsrv_stop(s);
}
END_TEST

START_TEST(an_over_long_head_gets_400)
{
	struct updsrv_cfg cfg = base_cfg();
	struct updsrv *s = start(&cfg);
	char req[12000], resp[1024], trail[128];
	struct rec_ev ev;
	int fd, n;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nX-Pad: ", FW_PATH);
	memset(req + n, 'a', 9000);
	memcpy(req + n + 9000, "\r\n\r\n", 4);
	fd = raw_connect(updsrv_port(s));
	send_all(fd, req, (size_t)n + 9004);
	ck_assert_int_gt(raw_read_all(fd, resp, sizeof(resp)), 0);
	close(fd);
	ck_assert_int_eq(strncmp(resp, "HTTP/1.1 400 Bad Request\r\n", 26), 0);
	ck_assert_ptr_nonnull(strstr(resp, "\r\n\r\nbad request\n"));
	rec_wait(UPDSRV_CLOSE, 1, 3000);
	/* never parsed, so no REQUEST */
	ck_assert_str_eq(rec_trail(1, trail, sizeof(trail)),
			 "CONNECT,SERVED,CLOSE");
	ev = rec_wait(UPDSRV_SERVED, 1, 0);
	ck_assert_int_eq(ev.status, 400);

	/* a head just under the ceiling is still served */
	n = snprintf(req, sizeof(req), "HEAD %s HTTP/1.0\r\nX-Pad: ", FW_PATH);
	memset(req + n, 'b', UPDSRV_HEAD_MAX - (size_t)n - 4);
	memcpy(req + UPDSRV_HEAD_MAX - 4, "\r\n\r\n", 4);
	fd = raw_connect(updsrv_port(s));
	send_all(fd, req, UPDSRV_HEAD_MAX);
	ck_assert_int_gt(raw_read_all(fd, resp, sizeof(resp)), 0);
	close(fd);
	ck_assert_int_eq(strncmp(resp, "HTTP/1.1 200 OK\r\n", 17), 0);
	ev = rec_wait(UPDSRV_REQUEST, 2, 3000);
	ck_assert_str_eq(ev.method, "HEAD");

	/* and a request line that is not HTTP is a 400 as well */
	fd = raw_connect(updsrv_port(s));
	send_all(fd, "HELLO\r\n\r\n", 9);
	ck_assert_int_gt(raw_read_all(fd, resp, sizeof(resp)), 0);
	close(fd);
	ck_assert_int_eq(strncmp(resp, "HTTP/1.1 400 ", 13), 0);
	updsrv_stop(s);
}
END_TEST

START_TEST(a_silent_client_is_closed_after_the_io_timeout)
{
	struct updsrv_cfg cfg = base_cfg();
	struct updsrv *s;
	struct pki p;
	struct rec_ev ev;
	char buf[16], trail[128];
	int64_t t0;
	int fd;

	cfg.io_timeout_ms = 300;
	s = start(&cfg);
	t0 = cb_now_ms();
	fd = raw_connect(updsrv_port(s));
	ev = rec_wait(UPDSRV_CLOSE, 1, 3000);
	ck_assert_int_eq(ev.kind, UPDSRV_CLOSE);
	ck_assert_str_eq(ev.reason, "timeout");
	/* Bounds, not speed: closed after the timeout, long before 3 s. */
	ck_assert_int_ge(cb_now_ms() - t0, 280);
	ck_assert_int_lt(cb_now_ms() - t0, 3000);
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), 0), 0); /* our EOF */
	close(fd);
	ck_assert_str_eq(rec_trail(1, trail, sizeof(trail)), "CONNECT,CLOSE");
	updsrv_stop(s);

	/* over TLS the handshake never started: TLS_FAIL "timeout" */
	rec_setup();
	pki_make(&p, "MITM CA", "IP:127.0.0.1");
	cfg.cert = p.cert;
	cfg.key = p.key;
	s = start(&cfg);
	fd = raw_connect(updsrv_port(s));
	ev = rec_wait(UPDSRV_CLOSE, 1, 3000);
	ck_assert_str_eq(ev.reason, "timeout");
	ev = rec_wait(UPDSRV_TLS_FAIL, 1, 0);
	ck_assert_str_eq(ev.reason, "timeout");
	ck_assert_str_eq(rec_trail(1, trail, sizeof(trail)),
			 "CONNECT,TLS_FAIL,CLOSE");
	close(fd);
	updsrv_stop(s);
	pki_free(&p);
}
END_TEST

START_TEST(stop_is_prompt_while_a_client_idles)
{
	struct updsrv_cfg cfg = base_cfg();
	struct updsrv *s = start(&cfg); /* default 5 s I/O timeout */
	struct rec_ev ev;
	char buf[16];
	int64_t t0;
	int fd;

	fd = raw_connect(updsrv_port(s));
	send_all(fd, "GET /firm", 9); /* half a request line, then nothing */
	ck_assert_int_eq(rec_wait(UPDSRV_CONNECT, 1, 3000).kind,
			 UPDSRV_CONNECT);
	usleep(50 * 1000);
	t0 = cb_now_ms();
	updsrv_stop(s);
	/* Prompt means well before the client's 5 s I/O timeout, even on
	 * a loaded machine under the sanitizers. */
	ck_assert_int_lt(cb_now_ms() - t0, 2500);
	ev = rec_wait(UPDSRV_CLOSE, 1, 0);
	ck_assert_str_eq(ev.reason, "stopped");
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), 0), 0);
	close(fd);
	updsrv_stop(NULL);
}
END_TEST

START_TEST(connections_over_max_conns_are_turned_away)
{
	struct updsrv_cfg cfg = base_cfg();
	struct updsrv *s;
	struct rec_ev ev;
	char buf[16], trail[128];
	unsigned conns;
	int fd1, fd2;

	cfg.max_conns = 1;
	s = start(&cfg);
	fd1 = raw_connect(updsrv_port(s));
	ck_assert_int_eq(rec_wait(UPDSRV_CONNECT, 1, 3000).kind,
			 UPDSRV_CONNECT);
	fd2 = raw_connect(updsrv_port(s));
	ev = rec_wait(UPDSRV_CLOSE, 2, 3000);
	ck_assert_str_eq(ev.reason, "too many");
	ck_assert_str_eq(rec_trail(2, trail, sizeof(trail)), "CONNECT,CLOSE");
	ck_assert_int_eq(recv(fd2, buf, sizeof(buf), 0), 0);
	updsrv_counts(s, &conns, NULL, NULL, NULL);
	ck_assert_uint_eq(conns, 2);
	/* the first one is still served */
	send_all(fd1, "GET " FW_PATH " HTTP/1.1\r\nHost: x\r\n\r\n",
		 sizeof("GET " FW_PATH " HTTP/1.1\r\nHost: x\r\n\r\n") - 1);
	ev = rec_wait(UPDSRV_SERVED, 1, 3000);
	ck_assert_int_eq(ev.status, 200);
	ck_assert_uint_eq(ev.bytes, sizeof(body));
	close(fd1);
	close(fd2);
	updsrv_stop(s);
}
END_TEST

/* Writes have a deadline too: a client that stops reading is cut off. */
START_TEST(a_client_that_stops_reading_is_cut_off)
{
	static const char req[] = "GET " FW_PATH " HTTP/1.1\r\nHost: x\r\n\r\n";
	struct updsrv_cfg cfg = base_cfg();
	struct sockaddr_in sa = {.sin_family = AF_INET};
	size_t big = 16u << 20;
	unsigned char *image = malloc(big);
	int small = 4096, fd = socket(AF_INET, SOCK_STREAM, 0);
	struct updsrv *s;
	struct rec_ev ev;
	unsigned reqs, served;

	ck_assert_ptr_nonnull(image);
	memset(image, 0x5a, big);
	cfg.body = image;
	cfg.body_len = big;
	cfg.io_timeout_ms = 300;
	s = start(&cfg);
	free(image); /* the server has its own copy */
	/* a small window, so the server's buffers fill long before 16 MiB */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	sa.sin_port = htons((uint16_t)updsrv_port(s));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	send_all(fd, req, sizeof(req) - 1);
	ev = rec_wait(UPDSRV_SERVED, 1, 5000);
	ck_assert_int_eq(ev.status, 200);
	ck_assert_uint_lt(ev.bytes, big);
	ev = rec_wait(UPDSRV_CLOSE, 1, 1000);
	ck_assert_str_eq(ev.reason, "timeout");
	updsrv_counts(s, NULL, NULL, &reqs, &served);
	ck_assert_uint_eq(reqs, 1);
	ck_assert_uint_eq(served, 0);
	close(fd);
	updsrv_stop(s);
}
END_TEST

/* ---- TLS ---------------------------------------------------------------- */

START_TEST(tls_client_trusting_the_ca_gets_the_file)
{
	struct updsrv_cfg cfg = base_cfg(), plain = base_cfg();
	struct updsrv *s, *s2;
	char url[160], resolve[80], trail[128], *ca;
	struct rec_ev ev;
	struct fetch f;
	struct pki p;
	unsigned conns, tls, reqs, served;

	pki_make(&p, "certbench MITM CA", "IP:127.0.0.1,DNS:updates.example");
	cfg.cert = p.cert;
	cfg.key = p.key;
	s = start(&cfg);
	/* the server holds its own references from here on */
	ca = pem_of(p.ca);
	pki_free(&p);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", updsrv_port(s),
		 FW_PATH);
	ck_assert_str_eq(updsrv_url(s), url);

	/* by name, so the client sends SNI */
	snprintf(url, sizeof(url), "https://updates.example:%d%s",
		 updsrv_port(s), FW_PATH);
	snprintf(resolve, sizeof(resolve), "updates.example:%d:127.0.0.1",
		 updsrv_port(s));
	fetch(&f, url, NULL, ca, resolve);
	ck_assert_msg(f.rc == CURLE_OK, "curl: %s", f.err);
	ck_assert_int_eq(f.code, 200);
	ck_assert_uint_eq(f.body.len, sizeof(body));
	ck_assert_mem_eq(f.body.data, body, sizeof(body));
	fetch_release(&f);
	rec_wait(UPDSRV_CLOSE, 1, 3000);
	ck_assert_str_eq(rec_trail(1, trail, sizeof(trail)),
			 "CONNECT,TLS_OK,REQUEST,SERVED,CLOSE");
	ev = rec_wait(UPDSRV_TLS_OK, 1, 0);
	ck_assert_str_eq(ev.version, "TLSv1.3");
	ck_assert_str_ne(ev.cipher, "");
	ck_assert_int_eq(ev.has_sni, 1);
	ck_assert_str_eq(ev.sni, "updates.example");

	/* by address: verified against the IP SAN, and no SNI is sent */
	fetch(&f, updsrv_url(s), NULL, ca, NULL);
	ck_assert_msg(f.rc == CURLE_OK, "curl: %s", f.err);
	ck_assert_uint_eq(f.body.len, sizeof(body));
	fetch_release(&f);
	ev = rec_wait(UPDSRV_TLS_OK, 2, 3000);
	ck_assert_int_eq(ev.has_sni, 0);
	rec_wait(UPDSRV_CLOSE, 2, 3000);
	updsrv_counts(s, &conns, &tls, &reqs, &served);
	ck_assert_uint_eq(conns, 2);
	ck_assert_uint_eq(tls, 2);
	ck_assert_uint_eq(reqs, 2);
	ck_assert_uint_eq(served, 2);

	/* a second, plain server runs beside the first */
	s2 = start(&plain);
	ck_assert_int_ne(updsrv_port(s2), updsrv_port(s));
	fetch(&f, updsrv_url(s2), NULL, NULL, NULL);
	ck_assert_int_eq(f.code, 200);
	fetch_release(&f);
	updsrv_counts(s2, &conns, &tls, NULL, &served);
	ck_assert_uint_eq(conns, 1);
	ck_assert_uint_eq(tls, 0);
	ck_assert_uint_eq(served, 1);
	updsrv_stop(s2);
	updsrv_stop(s);
	free(ca);
}
END_TEST

START_TEST(tls_client_trusting_another_ca_aborts_and_is_recorded)
{
	struct updsrv_cfg cfg = base_cfg();
	struct pki p, other;
	struct updsrv *s;
	struct rec_ev ev;
	struct fetch f;
	char *ca, trail[128];
	unsigned tls, reqs;

	pki_make(&p, "MITM CA", "IP:127.0.0.1");
	pki_make(&other, "Vendor Root CA", "DNS:updates.vendor.example");
	cfg.cert = p.cert;
	cfg.key = p.key;
	s = start(&cfg);
	ca = pem_of(other.ca);
	fetch(&f, updsrv_url(s), NULL, ca, NULL);
	ck_assert_int_eq(f.rc, CURLE_PEER_FAILED_VERIFICATION);
	fetch_release(&f);
	ev = rec_wait(UPDSRV_TLS_FAIL, 1, 3000);
	ck_assert_int_eq(ev.kind, UPDSRV_TLS_FAIL);
	/* The client's verdict arrives as a fatal alert (TLS 1.3: instead
	 * of its Finished), which OpenSSL names and we append. */
	ck_assert_msg(strstr(ev.reason, "alert unknown ca") &&
			  strstr(ev.reason, "client alert: unknown CA"),
		      "reason: %s", ev.reason);
	ev = rec_wait(UPDSRV_CLOSE, 1, 3000);
	ck_assert_str_eq(ev.reason, "tls handshake failed");
	ck_assert_str_eq(rec_trail(1, trail, sizeof(trail)),
			 "CONNECT,TLS_FAIL,CLOSE");
	updsrv_counts(s, NULL, &tls, &reqs, NULL);
	ck_assert_uint_eq(tls, 0);
	ck_assert_uint_eq(reqs, 0);
	updsrv_stop(s);
	free(ca);
	pki_free(&p);
	pki_free(&other);
}
END_TEST

/*
 * libcurl (7.88, OpenSSL backend) checks the host name itself after
 * SSL_connect() has finished, so from the server's side the handshake
 * completed: TLS_OK, then the client hangs up without a request.  A
 * device that lets OpenSSL check the name (X509_VERIFY_PARAM_set1_host)
 * would abort inside the handshake and give TLS_FAIL instead; the test
 * records which one libcurl is.
 */
START_TEST(tls_wrong_host_name_fails_on_the_client)
{
	struct updsrv_cfg cfg = base_cfg();
	struct updsrv *s;
	struct rec_ev ev;
	struct fetch f;
	struct pki p;
	char *ca, trail[128];
	unsigned reqs;

	pki_make(&p, "MITM CA", "IP:127.0.0.2");
	cfg.cert = p.cert;
	cfg.key = p.key;
	s = start(&cfg);
	ca = pem_of(p.ca);
	fetch(&f, updsrv_url(s), NULL, ca, NULL);
	ck_assert_int_eq(f.rc, CURLE_PEER_FAILED_VERIFICATION);
	ck_assert_msg(strstr(f.err, "127.0.0.1"), "curl: %s", f.err);
	fetch_release(&f);
	ev = rec_wait(UPDSRV_CLOSE, 1, 3000);
	ck_assert_int_eq(ev.kind, UPDSRV_CLOSE);
	ck_assert_str_eq(rec_trail(1, trail, sizeof(trail)),
			 "CONNECT,TLS_OK,CLOSE");
	ck_assert_str_eq(ev.reason, "eof");
	updsrv_counts(s, NULL, NULL, &reqs, NULL);
	ck_assert_uint_eq(reqs, 0);
	updsrv_stop(s);
	free(ca);
	pki_free(&p);
}
END_TEST

START_TEST(garbage_instead_of_a_client_hello_is_a_tls_failure)
{
	struct updsrv_cfg cfg = base_cfg();
	struct updsrv *s;
	struct rec_ev ev;
	struct pki p;
	char buf[64], trail[128];
	ssize_t n;
	int fd;

	pki_make(&p, "MITM CA", "IP:127.0.0.1");
	cfg.cert = p.cert;
	cfg.key = p.key;
	s = start(&cfg);
	fd = raw_connect(updsrv_port(s));
	send_all(fd, "\x01\x02garbage, not a ClientHello\r\n\r\n", 32);
	ev = rec_wait(UPDSRV_TLS_FAIL, 1, 3000);
	ck_assert_int_eq(ev.kind, UPDSRV_TLS_FAIL);
	ck_assert_msg(!strcmp(ev.reason, "wrong version number"), "reason: %s",
		      ev.reason);
	/* OpenSSL sends no alert for a first record that is not TLS; we hang
	 * up with the rest unread, so the kernel resets the connection. */
	n = raw_read_all(fd, buf, sizeof(buf));
	ck_assert_msg(n == 0 || (n < 0 && errno == ECONNRESET), "n %zd: %s", n,
		      strerror(errno));
	close(fd);
	ev = rec_wait(UPDSRV_CLOSE, 1, 3000);
	ck_assert_str_eq(ev.reason, "tls handshake failed");
	ck_assert_str_eq(rec_trail(1, trail, sizeof(trail)),
			 "CONNECT,TLS_FAIL,CLOSE");

	/* plain HTTP to the TLS port: OpenSSL recognises it */
	fd = raw_connect(updsrv_port(s));
	send_all(fd, "GET / HTTP/1.1\r\n\r\n", 18);
	ev = rec_wait(UPDSRV_TLS_FAIL, 2, 3000);
	ck_assert_str_eq(ev.reason, "http request");
	close(fd);

	/* a client that connects and hangs up at once */
	fd = raw_connect(updsrv_port(s));
	close(fd);
	ev = rec_wait(UPDSRV_TLS_FAIL, 3, 3000);
	ck_assert_str_eq(ev.reason, "eof before ClientHello");
	ev = rec_wait(UPDSRV_CLOSE, 3, 3000);
	ck_assert_str_eq(ev.reason, "eof");
	updsrv_stop(s);
	pki_free(&p);
}
END_TEST

/* A raw OpenSSL client: the chain the server sends, and TLS 1.2 works. */
START_TEST(extra_chain_certificates_are_sent)
{
	struct updsrv_cfg cfg = base_cfg();
	STACK_OF(X509) *chain = sk_X509_new_null();
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char fp_ca[65], fp_got[65], resp[256];
	STACK_OF(X509) * got;
	struct updsrv *s;
	struct rec_ev ev;
	struct pki p;
	SSL *ssl;
	int fd, n;

	pki_make(&p, "MITM CA", "IP:127.0.0.1");
	ck_assert(X509_up_ref(p.ca));
	sk_X509_push(chain, p.ca);
	cfg.cert = p.cert;
	cfg.key = p.key;
	cfg.chain = chain;
	s = start(&cfg);
	sk_X509_pop_free(chain, X509_free);

	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	fd = raw_connect(updsrv_port(s));
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	ck_assert_int_eq(SSL_connect(ssl), 1);
	got = SSL_get_peer_cert_chain(ssl);
	ck_assert_int_eq(sk_X509_num(got), 2);
	x509_fingerprint(p.ca, fp_ca);
	x509_fingerprint(sk_X509_value(got, 1), fp_got);
	ck_assert_str_eq(fp_got, fp_ca);
	n = SSL_write(ssl, "GET /nope HTTP/1.0\r\n\r\n", 22);
	ck_assert_int_eq(n, 22);
	n = SSL_read(ssl, resp, sizeof(resp) - 1);
	ck_assert_int_gt(n, 0);
	resp[n] = '\0';
	ck_assert_int_eq(strncmp(resp, "HTTP/1.1 404 ", 13), 0);
	ev = rec_wait(UPDSRV_TLS_OK, 1, 3000);
	ck_assert_str_eq(ev.version, "TLSv1.2");
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	ev = rec_wait(UPDSRV_CLOSE, 1, 3000);
	ck_assert_str_eq(ev.reason, "eof");
	SSL_CTX_free(ctx);
	updsrv_stop(s);
	pki_free(&p);
}
END_TEST

/* ---- configuration and addresses ---------------------------------------- */

/* The same test updsrv uses: do we sit in a network namespace of our own? */
static int in_own_netns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self) || stat("/proc/1/ns/net", &init))
		return 0;
	return self.st_ino != init.st_ino || self.st_dev != init.st_dev;
}

#define REFUSAL                                                                \
	"the update server only runs on loopback (127.0.0.0/8) or inside a "   \
	"test network namespace; refusing "

START_TEST(only_loopback_or_a_test_namespace_is_allowed)
{
	struct updsrv_cfg cfg = base_cfg();
	struct cb_error err = {0};
	struct updsrv *s = (struct updsrv *)&err;

	ck_assert_int_eq(updsrv_addr_allowed("127.0.0.1", &err), CB_OK);
	ck_assert_int_eq(updsrv_addr_allowed("127.255.0.9", &err), CB_OK);
	ck_assert_int_eq(updsrv_addr_allowed("0.0.0.0", &err), CB_EINVAL);
	ck_assert_str_eq(err.text, REFUSAL "0.0.0.0");
	cb_error_clear(&err);
	ck_assert_int_eq(updsrv_addr_allowed("not-an-ip", &err), CB_EINVAL);
	ck_assert_str_eq(err.text, "'not-an-ip' is not an IPv4 address");
	cb_error_clear(&err);
	ck_assert_int_eq(updsrv_addr_allowed("127.1", &err), CB_EINVAL);
	cb_error_clear(&err);
	if (in_own_netns()) {
		ck_assert_int_eq(updsrv_addr_allowed("192.0.2.1", &err), CB_OK);
		return;
	}
	ck_assert_int_eq(updsrv_addr_allowed("192.0.2.1", &err), CB_EINVAL);
	ck_assert_str_eq(err.text, REFUSAL "192.0.2.1");
	/* start refuses before it opens anything */
	cb_error_clear(&err);
	cfg.bind = "192.0.2.1";
	ck_assert_int_eq(updsrv_start(&s, &cfg, &err), CB_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err.text, REFUSAL "192.0.2.1");
}
END_TEST

START_TEST(bad_configurations_are_refused)
{
	struct updsrv_cfg cfg = base_cfg();
	struct cb_error err = {0};
	struct updsrv *s;
	struct pki p, q;

	cfg.path = "firmware.bin";
	ck_assert_int_eq(updsrv_start(&s, &cfg, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.text, "must start with '/'"));
	cfg = base_cfg();
	cfg.content_type = "text/plain\r\nX-Evil: 1";
	cb_error_clear(&err);
	ck_assert_int_eq(updsrv_start(&s, &cfg, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.text, "content type"));
	cfg = base_cfg();
	cfg.max_conns = 100000;
	cb_error_clear(&err);
	ck_assert_int_eq(updsrv_start(&s, &cfg, &err), CB_EINVAL);

	pki_make(&p, "A", "IP:127.0.0.1");
	pki_make(&q, "B", "IP:127.0.0.1");
	cfg = base_cfg();
	cfg.cert = p.cert;
	cfg.key = q.key;
	cb_error_clear(&err);
	ck_assert_int_eq(updsrv_start(&s, &cfg, &err), CB_ECRYPTO);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(
	    strstr(err.text, "key does not match the certificate"));
	pki_free(&p);
	pki_free(&q);
}
END_TEST

/* ---- certificates ------------------------------------------------------- */

static void write_pem(const char *path, X509 *x, EVP_PKEY *k)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	if (x)
		ck_assert(PEM_write_X509(fp, x));
	if (k)
		ck_assert(
		    PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL));
	fclose(fp);
}

START_TEST(load_pair_wants_the_matching_key)
{
	char dir[64], cert[96], key[96], other[96], fp1[65], fp2[65];
	struct cb_error err = {0};
	struct pki p, q;
	EVP_PKEY *k;
	X509 *x;

	snprintf(dir, sizeof(dir), "/tmp/cb-x509-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/srv.pem", dir);
	snprintf(key, sizeof(key), "%s/srv.key", dir);
	snprintf(other, sizeof(other), "%s/other.key", dir);
	pki_make(&p, "A", "DNS:updates.example");
	pki_make(&q, "B", "DNS:updates.example");
	write_pem(cert, p.cert, NULL);
	write_pem(key, NULL, p.key);
	write_pem(other, NULL, q.key);

	ck_assert_int_eq(x509_load_pair(cert, other, &x, &k, &err), CB_ECRYPTO);
	ck_assert_ptr_null(x);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(
	    strncmp(err.text, "key does not match the certificate", 34), 0);
	ck_assert_str_eq(err.source, other);

	cb_error_clear(&err);
	ck_assert_int_eq(x509_load_pair("/no/such.pem", key, &x, &k, &err),
			 CB_ENODEV);
	ck_assert_str_eq(err.source, "/no/such.pem");
	cb_error_clear(&err);
	ck_assert_int_eq(x509_load_pair(cert, cert, &x, &k, &err), CB_ECRYPTO);
	ck_assert_ptr_nonnull(strstr(err.text, "not an unencrypted PEM"));
	ck_assert_str_eq(err.source, cert);
	cb_error_clear(&err);
	ck_assert_int_eq(x509_load_pair(key, key, &x, &k, &err), CB_ECRYPTO);
	ck_assert_ptr_nonnull(strstr(err.text, "not a PEM certificate"));

	ck_assert_int_eq(x509_load_pair(cert, key, &x, &k, NULL), CB_OK);
	x509_fingerprint(x, fp1);
	x509_fingerprint(p.cert, fp2);
	ck_assert_str_eq(fp1, fp2);
	X509_free(x);
	EVP_PKEY_free(k);
	pki_free(&p);
	pki_free(&q);
	unlink(cert);
	unlink(key);
	unlink(other);
	rmdir(dir);
}
END_TEST

START_TEST(fingerprint_is_the_sha256_of_the_der)
{
	unsigned char *der = NULL, md[32];
	char fp[65], want[65];
	struct pki p;
	int n, k;

	pki_make(&p, "A", "IP:127.0.0.40,DNS:updates.example");
	x509_fingerprint(p.cert, fp);
	ck_assert_uint_eq(strlen(fp), 64);
	ck_assert_uint_eq(strspn(fp, "0123456789abcdef"), 64);
	n = i2d_X509(p.cert, &der);
	ck_assert_int_gt(n, 0);
	ck_assert(EVP_Digest(der, (size_t)n, md, NULL, EVP_sha256(), NULL));
	for (k = 0; k < 32; k++)
		snprintf(want + 2 * k, 3, "%02x", md[k]);
	ck_assert_str_eq(fp, want);
	x509_fingerprint(p.ca, want);
	ck_assert_str_ne(fp, want);
	OPENSSL_free(der);
	pki_free(&p);
}
END_TEST

START_TEST(issued_certificates_have_what_a_server_needs)
{
	struct cb_error err = {0};
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();
	GENERAL_NAMES *sans;
	ASN1_INTEGER *serial;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	char cn[128];
	struct pki p;

	pki_make(&p, "certbench MITM CA",
		 " IP:127.0.0.40 , DNS:updates.example");
	ck_assert_int_eq(X509_check_ca(p.ca), 1);
	ck_assert_int_eq(X509_check_ca(p.cert), 0);
	ck_assert_uint_ne(X509_get_extended_key_usage(p.cert) & XKU_SSL_SERVER,
			  0);
	X509_NAME_get_text_by_NID(X509_get_subject_name(p.cert), NID_commonName,
				  cn, sizeof(cn));
	ck_assert_str_eq(cn, "127.0.0.40");
	sans = X509_get_ext_d2i(p.cert, NID_subject_alt_name, NULL, NULL);
	ck_assert_int_eq(sk_GENERAL_NAME_num(sans), 2);
	GENERAL_NAMES_free(sans);
	ck_assert_int_eq(X509_check_ip_asc(p.cert, "127.0.0.40", 0), 1);
	ck_assert_int_eq(X509_check_host(p.cert, "updates.example", 0, 0, NULL),
			 1);
	serial = X509_get_serialNumber(p.cert);
	ck_assert_int_ge(serial->length, 14); /* ~128 random bits */
	ck_assert_int_lt(X509_cmp_current_time(X509_get0_notBefore(p.cert)), 0);
	ck_assert_int_eq(X509_get_signature_nid(p.cert), NID_ecdsa_with_SHA256);
	X509_STORE_add_cert(store, p.ca);
	X509_STORE_CTX_init(vctx, store, p.cert, NULL);
	ck_assert_int_eq(X509_verify_cert(vctx), 1);

	ck_assert_int_eq(
	    x509_issue(p.ca_key, p.ca, "IP:1.2.3,DNS:x", 1, &k, &x, &err),
	    CB_EINVAL);
	ck_assert_str_eq(err.text, "bad subjectAltName entry 'IP:1.2.3' "
				   "(want IP:address or DNS:name)");
	ck_assert_ptr_null(x);
	ck_assert_ptr_null(k);
	cb_error_clear(&err);
	ck_assert_int_eq(x509_issue(p.key, p.ca, "DNS:x", 1, &k, &x, &err),
			 CB_ECRYPTO);
	cb_error_clear(&err);
	ck_assert_int_eq(x509_make_ca("CA", 0, &k, &x, &err), CB_EINVAL);
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	pki_free(&p);
}
END_TEST

static Suite *updsrv_suite(void)
{
	Suite *s = suite_create("updsrv");
	TCase *http = tcase_create("http"), *tls = tcase_create("tls"),
	      *cfg = tcase_create("config"), *x509 = tcase_create("x509");

	tcase_add_checked_fixture(http, rec_setup, NULL);
	tcase_set_timeout(http, 30);
	tcase_add_test(http, plain_get_serves_the_exact_bytes_in_order);
	tcase_add_test(http, other_paths_are_404_and_other_methods_405);
	tcase_add_test(http, an_over_long_head_gets_400);
	tcase_add_test(http, a_silent_client_is_closed_after_the_io_timeout);
	tcase_add_test(http, stop_is_prompt_while_a_client_idles);
	tcase_add_test(http, connections_over_max_conns_are_turned_away);
	tcase_add_test(http, a_client_that_stops_reading_is_cut_off);
	suite_add_tcase(s, http);

	tcase_add_checked_fixture(tls, rec_setup, NULL);
	tcase_set_timeout(tls, 30);
	tcase_add_test(tls, tls_client_trusting_the_ca_gets_the_file);
	tcase_add_test(tls,
		       tls_client_trusting_another_ca_aborts_and_is_recorded);
	tcase_add_test(tls, tls_wrong_host_name_fails_on_the_client);
	tcase_add_test(tls, garbage_instead_of_a_client_hello_is_a_tls_failure);
	tcase_add_test(tls, extra_chain_certificates_are_sent);
	suite_add_tcase(s, tls);

	tcase_add_checked_fixture(cfg, rec_setup, NULL);
	tcase_add_test(cfg, only_loopback_or_a_test_namespace_is_allowed);
	tcase_add_test(cfg, bad_configurations_are_refused);
	suite_add_tcase(s, cfg);

	tcase_set_timeout(x509, 30);
	tcase_add_test(x509, load_pair_wants_the_matching_key);
	tcase_add_test(x509, fingerprint_is_the_sha256_of_the_der);
	tcase_add_test(x509, issued_certificates_have_what_a_server_needs);
	suite_add_tcase(s, x509);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(updsrv_suite());
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
