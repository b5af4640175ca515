/*
 * check_tlsprobe.c - the TLS prober (tlsprobe), the practice table
 * (tlsrules) and 'certbench probe tls' against in-process OpenSSL servers
 * and hostile raw servers on 127.0.0.1.
 *
 * Each server is a listening thread that hands every connection to a
 * thread of its own, so the prober's parallel handshakes really overlap.
 * Certificates come from x509gen (EC) or are made here (RSA, expired).
 * The unit tests run from the top folder: the practice table is read from
 * testcases/data.  Inside a fresh network namespace run
 * 'ip link set lo up' first.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "harness/cb_error.h"
#include "harness/cb_json.h"
#include "harness/cb_time.h"
#include "harness/tlsprobe.h"
#include "harness/tlsrules.h"
#include "harness/x509gen.h"

#define TABLE_FILE "testcases/data/tls-practice.json"
#define V_SSL3	   0
#define V_TLS10	   1
#define V_TLS11	   2
#define V_TLS12	   3
#define V_TLS13	   4

int probe_tls_main(int argc, char **argv);

/* ---- servers ------------------------------------------------------------ */

enum srv_mode { SRV_TLS, SRV_SILENT, SRV_ENDLESS, SRV_GARBAGE };

struct srv {
	enum srv_mode mode;
	SSL_CTX *ctx;
	int lfd, port, wake[2];
	pthread_t th;
	atomic_int stop, active, conns;
	atomic_long sent;
};

struct srv_conn {
	struct srv *s;
	int fd;
};

/* Wait up to ms for input; 1 readable, 0 not (or stopping). */
static int srv_wait_in(struct srv *s, int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int64_t until = cb_now_ms() + ms;

	while (!atomic_load(&s->stop) && cb_ms_left(until))
		if (poll(&p, 1, 50) > 0)
			return 1;
	return 0;
}

static void srv_endless(struct srv *s, int fd)
{
	/* TLS-shaped: handshake records full of HelloRequest messages,
	 * which a client in the middle of a handshake skips. */
	static unsigned char rec[5 + 16384] = {0x16, 0x03, 0x03, 0x40, 0x00};
	ssize_t n;

	while (!atomic_load(&s->stop)) {
		n = send(fd, rec, sizeof(rec), MSG_NOSIGNAL);
		if (n <= 0)
			break;
		atomic_fetch_add(&s->sent, n);
	}
}

static void *srv_conn_main(void *arg)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n"
				   "Content-Length: 0\r\n\r\n";
	struct srv_conn *c = arg;
	struct srv *s = c->s;
	struct timeval tv = {.tv_sec = 2};
	char buf[4096];
	int fd = c->fd;
	SSL *ssl;

	free(c);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	switch (s->mode) {
	case SRV_TLS:
		ssl = SSL_new(s->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1)
			SSL_shutdown(ssl);
		SSL_free(ssl);
		ERR_clear_error();
		break;
	case SRV_SILENT:
		while (srv_wait_in(s, fd, 60000) &&
		       recv(fd, buf, sizeof(buf), 0) > 0)
			;
		break;
	case SRV_ENDLESS:
		srv_endless(s, fd);
		break;
	case SRV_GARBAGE:
		if (srv_wait_in(s, fd, 1000))
			(void)!recv(fd, buf, sizeof(buf), 0);
		(void)!send(fd, http, sizeof(http) - 1, MSG_NOSIGNAL);
		break;
	}
	close(fd);
	atomic_fetch_sub(&s->active, 1);
	return NULL;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd p[2] = {{.fd = s->lfd, .events = POLLIN},
			      {.fd = s->wake[0], .events = POLLIN}};
	struct srv_conn *c;
	pthread_attr_t at;
	pthread_t th;
	int fd;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	while (!atomic_load(&s->stop)) {
		if (poll(p, 2, -1) <= 0 || (p[1].revents & POLLIN))
			continue;
		fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		c = malloc(sizeof(*c));
		c->s = s;
		c->fd = fd;
		atomic_fetch_add(&s->active, 1);
		atomic_fetch_add(&s->conns, 1);
		if (pthread_create(&th, &at, srv_conn_main, c)) {
			close(fd);
			free(c);
			atomic_fetch_sub(&s->active, 1);
		}
	}
	pthread_attr_destroy(&at);
	return NULL;
}

static void srv_start(struct srv *s, enum srv_mode mode, SSL_CTX *ctx)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->ctx = ctx;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s->lfd, 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s->lfd, 64), 0);
	getsockname(s->lfd, (struct sockaddr *)&a, &len);
	s->port = ntohs(a.sin_port);
	ck_assert_int_eq(pipe(s->wake), 0);
	ck_assert_int_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_stop(struct srv *s)
{
	int64_t until = cb_now_ms() + 5000;

	atomic_store(&s->stop, 1);
	(void)!write(s->wake[1], "x", 1);
	pthread_join(s->th, NULL);
	while (atomic_load(&s->active) && cb_ms_left(until))
		usleep(10000);
	ck_assert_int_eq(atomic_load(&s->active), 0);
	close(s->lfd);
	close(s->wake[0]);
	close(s->wake[1]);
	SSL_CTX_free(s->ctx);
}

/* ---- certificates and server contexts ------------------------------------ */

struct pki {
	EVP_PKEY *ca_key, *key;
	X509 *ca, *cert;
};

static void pki_issue(struct pki *p, const char *san)
{
	struct cb_error err = {0};

	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(
	    x509_make_ca("tlsprobe test CA", 2, &p->ca_key, &p->ca, &err),
	    CB_OK);
	ck_assert_msg(x509_issue(p->ca_key, p->ca, san, 1, &p->key, &p->cert,
				 &err) == CB_OK,
		      "%s", err.text);
}

static void pki_free(struct pki *p)
{
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->key);
	X509_free(p->ca);
	X509_free(p->cert);
}

/* A self-signed certificate valid from..to days from now. */
static X509 *self_signed(EVP_PKEY *key, const char *cn, long from_days,
			 long to_days, const EVP_MD *md)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_NAME_free(name);
	X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
				  "IP:127.0.0.1");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ck_assert_int_gt(X509_sign(x, key, md), 0);
	return x;
}

struct srv_cfg {
	int min, max;
	const char *ciphers, *suites;
	int server_pref;
	X509 *extra; /* sent after the leaf */
};

static SSL_CTX *srv_ctx(EVP_PKEY *key, X509 *cert, const struct srv_cfg *c)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	ck_assert_ptr_nonnull(ctx);
	SSL_CTX_set_security_level(ctx, 0);
	ck_assert(SSL_CTX_set_min_proto_version(ctx, c->min));
	ck_assert(SSL_CTX_set_max_proto_version(ctx, c->max));
	if (c->ciphers)
		ck_assert(SSL_CTX_set_cipher_list(ctx, c->ciphers));
	if (c->suites)
		ck_assert(SSL_CTX_set_ciphersuites(ctx, c->suites));
	if (c->server_pref)
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	ck_assert(SSL_CTX_use_certificate(ctx, cert));
	ck_assert(SSL_CTX_use_PrivateKey(ctx, key));
	ck_assert(SSL_CTX_check_private_key(ctx));
	if (c->extra)
		ck_assert(SSL_CTX_add1_chain_cert(ctx, c->extra));
	return ctx;
}

/* The CA as a PEM file; path must end in XXXXXX. */
static const char *write_pem(X509 *x, char *path)
{
	FILE *f;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	PEM_write_X509(f, x);
	fclose(f);
	return path;
}

/* ---- helpers --------------------------------------------------------------
 */

static void probe(const struct srv *s, const struct tlsprobe_opts *o,
		  struct tlsprobe_result *r)
{
	struct cb_error err = {0};

	ck_assert_msg(tlsprobe_run("127.0.0.1", s->port, o, r, &err) == CB_OK,
		      "%s", err.text);
}

static void load_table(struct tlsrules *t)
{
	struct cb_json_doc d;
	struct cb_error err = {0};

	ck_assert_msg(cb_json_load(&d, TABLE_FILE, &err) == CB_OK, "%s",
		      err.text);
	ck_assert_msg(tlsrules_load_json(d.root, t, &err) == CB_OK, "%s",
		      err.text);
	cb_json_release(&d);
}

/* The findings as "id,id,..." in table order. */
static const char *judge_ids(const struct tlsprobe_result *r, char *buf,
			     size_t len, struct tls_finding *f, size_t *nf)
{
	struct tlsrules t;
	size_t k, used = 0, n;

	load_table(&t);
	n = tlsrules_judge(&t, r, f, 32);
	ck_assert_uint_le(n, 32);
	buf[0] = '\0';
	for (k = 0; k < n; k++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 k ? "," : "", f[k].rule);
	tlsrules_release(&t);
	if (nf)
		*nf = n;
	return buf;
}

static void expect_ciphers(const struct tlsprobe_version *v,
			   const char *const *names, size_t n)
{
	size_t k;

	ck_assert_int_eq(v->accepted, 1);
	ck_assert_uint_eq(v->ncipher, n);
	for (k = 0; k < n; k++)
		ck_assert_str_eq(v->ciphers[k].name, names[k]);
}

static int has_cipher(const struct tlsprobe_version *v, const char *name)
{
	size_t k;

	for (k = 0; k < v->ncipher; k++)
		if (!strcmp(v->ciphers[k].name, name))
			return 1;
	return 0;
}

static int can_offer(const char *list)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	int ok;

	SSL_CTX_set_security_level(c, 0);
	ok = SSL_CTX_set_cipher_list(c, list);
	SSL_CTX_free(c);
	ERR_clear_error();
	return ok;
}

/* ---- TLS servers ----------------------------------------------------------
 */

static const char *const modern12[] = {"ECDHE-ECDSA-AES256-GCM-SHA384",
				       "ECDHE-ECDSA-CHACHA20-POLY1305",
				       "ECDHE-ECDSA-AES128-GCM-SHA256"};
static const char *const modern13[] = {"TLS_AES_256_GCM_SHA384",
				       "TLS_CHACHA20_POLY1305_SHA256"};

START_TEST(modern_server_gives_exact_versions_suites_order_and_chain)
{
	struct srv_cfg cfg = {
	    TLS1_2_VERSION,
	    TLS1_3_VERSION,
	    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
	    "ECDHE-ECDSA-AES128-GCM-SHA256",
	    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
	    1,
	    NULL};
	struct tlsprobe_opts o = {0};
	struct tlsprobe_result r;
	struct tls_finding f[32];
	struct pki p;
	struct srv s;
	char ids[512], fp[65], ca_path[] = "/tmp/check_tlsprobe_ca_XXXXXX";
	json_t *j;

	pki_issue(&p, "IP:127.0.0.1");
	cfg.extra = p.ca;
	srv_start(&s, SRV_TLS, srv_ctx(p.key, p.cert, &cfg));
	o.ca_file = write_pem(p.ca, ca_path);
	probe(&s, &o, &r);

	ck_assert_int_eq(r.reachable, 1);
	ck_assert_str_eq(r.error, "");
	snprintf(ids, sizeof(ids), "127.0.0.1:%d", s.port);
	ck_assert_str_eq(r.target, ids);
	ck_assert_str_eq(r.host, "127.0.0.1");
#ifdef OPENSSL_NO_SSL3
	ck_assert_int_eq(r.versions[V_SSL3].supported_by_us, 0);
	ck_assert_str_eq(r.versions[V_SSL3].why,
			 "this OpenSSL cannot offer SSL 3.0");
#endif
	ck_assert_int_eq(r.versions[V_SSL3].accepted, 0);
	ck_assert_int_eq(r.versions[V_TLS10].supported_by_us, 1);
	ck_assert_int_eq(r.versions[V_TLS10].accepted, 0);
	ck_assert_int_eq(r.versions[V_TLS11].supported_by_us, 1);
	ck_assert_int_eq(r.versions[V_TLS11].accepted, 0);
	expect_ciphers(&r.versions[V_TLS12], modern12, 3);
	ck_assert_int_eq(r.versions[V_TLS12].server_order, 1);
	expect_ciphers(&r.versions[V_TLS13], modern13, 2);
	ck_assert_int_eq(r.versions[V_TLS13].server_order, 1);
	ck_assert_str_eq(r.versions[V_TLS12].ciphers[0].iana,
			 "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
	ck_assert_int_eq(r.versions[V_TLS12].ciphers[0].bits, 256);
	ck_assert_str_eq(r.versions[V_TLS12].ciphers[0].kx, "ECDH");
	ck_assert_str_eq(r.versions[V_TLS12].ciphers[0].au, "ECDSA");
	ck_assert_str_eq(r.versions[V_TLS12].ciphers[0].enc, "AESGCM(256)");
	ck_assert_str_eq(r.versions[V_TLS12].ciphers[0].mac, "AEAD");
	/* 1.2: 3 found + refusal + order; 1.3: 2 + 1 + 1; 1.0, 1.1: 1. */
	ck_assert_uint_eq(r.handshakes, 11);

	ck_assert_uint_eq(r.ncert, 2);
	x509_fingerprint(p.cert, fp);
	ck_assert_str_eq(r.chain[0].sha256, fp);
	ck_assert_str_eq(r.chain[0].subject, "CN=127.0.0.1");
	ck_assert_str_eq(r.chain[0].issuer, "CN=tlsprobe test CA");
	ck_assert_str_eq(r.chain[0].key_type, "EC");
	ck_assert_int_eq(r.chain[0].key_bits, 256);
	ck_assert_str_eq(r.chain[0].sig_alg, "ecdsa-with-SHA256");
	ck_assert_str_eq(r.chain[0].san, "IP:127.0.0.1");
	ck_assert_int_eq(r.chain[0].host_match, 1);
	ck_assert_int_eq(r.chain[0].self_signed, 0);
	ck_assert_int_eq(r.chain[0].expired, 0);
	ck_assert_int_eq(r.chain[0].not_yet_valid, 0);
	ck_assert_int_eq(strlen(r.chain[0].not_after), 20);
	ck_assert_int_eq(r.chain[1].self_signed, 1);
	ck_assert_int_eq(r.chain_verified, 1);
	ck_assert_int_eq(r.secure_renegotiation, 1);
	if (!sk_SSL_COMP_num(SSL_COMP_get_compression_methods()))
		ck_assert_int_eq(r.compression, -1);
	ck_assert_str_eq(judge_ids(&r, ids, sizeof(ids), f, NULL), "");

	j = tlsprobe_json(&r);
	ck_assert_str_eq(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(j, "versions"), V_TLS13),
		"version")),
	    "TLS1.3");
	ck_assert(json_is_true(json_object_get(
	    json_array_get(json_object_get(j, "versions"), V_TLS12),
	    "server_order")));
	ck_assert_str_eq(
	    json_string_value(json_object_get(
		json_array_get(
		    json_object_get(
			json_array_get(json_object_get(j, "versions"), V_TLS12),
			"ciphers"),
		    1),
		"name")),
	    "ECDHE-ECDSA-CHACHA20-POLY1305");
#ifdef OPENSSL_NO_SSL3
	ck_assert(json_is_null(json_object_get(
	    json_array_get(json_object_get(j, "versions"), V_SSL3),
	    "accepted")));
#endif
	ck_assert(json_is_true(json_object_get(j, "chain_verified")));
	ck_assert(json_is_null(json_object_get(j, "error")));
	ck_assert_int_eq(json_array_size(json_object_get(j, "certificates")),
			 2);
	json_decref(j);
	tlsprobe_release(&r);

	/* One at a time and without the CA: same answers, now untrusted. */
	o.ca_file = NULL;
	o.max_inflight = 1;
	probe(&s, &o, &r);
	expect_ciphers(&r.versions[V_TLS12], modern12, 3);
	expect_ciphers(&r.versions[V_TLS13], modern13, 2);
	ck_assert_int_eq(r.chain_verified, 0);
	ck_assert_str_eq(judge_ids(&r, ids, sizeof(ids), f, NULL),
			 "tls.cert.untrusted");
	ck_assert_int_eq(f[0].severity, TLS_SEV_WARN);
	tlsprobe_release(&r);
	srv_stop(&s);
	unlink(ca_path);
	pki_free(&p);
}
END_TEST

START_TEST(a_server_following_the_client_order_is_detected)
{
	struct srv_cfg cfg = {TLS1_2_VERSION,
			      TLS1_2_VERSION,
			      "ECDHE-ECDSA-AES128-GCM-SHA256:"
			      "ECDHE-ECDSA-AES256-GCM-SHA384:"
			      "ECDHE-ECDSA-AES128-SHA",
			      NULL,
			      0,
			      NULL};
	struct tlsprobe_result r;
	struct pki p;
	struct srv s;

	pki_issue(&p, "IP:127.0.0.1");
	srv_start(&s, SRV_TLS, srv_ctx(p.key, p.cert, &cfg));
	probe(&s, NULL, &r);
	ck_assert_int_eq(r.versions[V_TLS12].accepted, 1);
	ck_assert_uint_eq(r.versions[V_TLS12].ncipher, 3);
	ck_assert(
	    has_cipher(&r.versions[V_TLS12], "ECDHE-ECDSA-AES128-GCM-SHA256"));
	ck_assert(
	    has_cipher(&r.versions[V_TLS12], "ECDHE-ECDSA-AES256-GCM-SHA384"));
	ck_assert(has_cipher(&r.versions[V_TLS12], "ECDHE-ECDSA-AES128-SHA"));
	ck_assert_int_eq(r.versions[V_TLS12].server_order, 0);
	ck_assert_int_eq(r.versions[V_TLS13].accepted, 0);
	ck_assert_int_eq(r.versions[V_TLS13].server_order, -1);
	ck_assert_str_ne(r.versions[V_TLS13].why, "");
	tlsprobe_release(&r);
	srv_stop(&s);
	pki_free(&p);
}
END_TEST

START_TEST(tls10_with_cbc_suites_is_found_and_judged)
{
	int des3 = can_offer("ECDHE-ECDSA-DES-CBC3-SHA");
	struct srv_cfg cfg = {TLS1_VERSION,
			      TLS1_2_VERSION,
			      des3 ? "ECDHE-ECDSA-AES128-SHA:"
				     "ECDHE-ECDSA-AES256-GCM-SHA384:"
				     "ECDHE-ECDSA-DES-CBC3-SHA"
				   : "ECDHE-ECDSA-AES128-SHA:"
				     "ECDHE-ECDSA-AES256-GCM-SHA384",
			      NULL,
			      1,
			      NULL};
	static const char *const cbc[] = {"ECDHE-ECDSA-AES128-SHA",
					  "ECDHE-ECDSA-DES-CBC3-SHA"};
	struct tlsprobe_result r;
	struct tls_finding f[32];
	struct pki p;
	struct srv s;
	char ids[512];

	if (!des3)
		fprintf(stderr, "check_tlsprobe: NOTE: this OpenSSL cannot "
				"offer 3DES suites; TLS 1.0 is tested with an "
				"AES-CBC suite only\n");
	pki_issue(&p, "IP:127.0.0.1");
	srv_start(&s, SRV_TLS, srv_ctx(p.key, p.cert, &cfg));
	probe(&s, NULL, &r);
	expect_ciphers(&r.versions[V_TLS10], cbc, des3 ? 2 : 1);
	expect_ciphers(&r.versions[V_TLS11], cbc, des3 ? 2 : 1);
	ck_assert_uint_eq(r.versions[V_TLS12].ncipher, des3 ? 3 : 2);
	ck_assert_str_eq(r.versions[V_TLS10].ciphers[0].enc, "AES(128)");
	ck_assert_str_eq(r.versions[V_TLS10].ciphers[0].mac, "SHA1");
	ck_assert_int_eq(r.secure_renegotiation, 1);
	judge_ids(&r, ids, sizeof(ids), f, NULL);
	ck_assert_str_eq(ids, des3 ? "tls.proto.tls10,tls.proto.tls11,"
				     "tls.cipher.3des,tls.cert.untrusted"
				   : "tls.proto.tls10,tls.proto.tls11,"
				     "tls.cert.untrusted");
	ck_assert_str_eq(f[0].text, "accepts TLS 1.0 (tls.proto.tls10)");
	ck_assert_int_eq(f[0].severity, TLS_SEV_FAIL);
	ck_assert_str_eq(f[1].text, "accepts TLS 1.1 (tls.proto.tls11)");
	tlsprobe_release(&r);
	srv_stop(&s);
	pki_free(&p);
}
END_TEST

START_TEST(a_self_signed_expired_certificate_is_reported)
{
	struct srv_cfg cfg = {
	    TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0, NULL};
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *cert = self_signed(key, "old.example", -400, -10, EVP_sha256());
	struct tlsprobe_result r;
	struct tls_finding f[32];
	struct srv s;
	char ids[512];
	size_t k;

	srv_start(&s, SRV_TLS, srv_ctx(key, cert, &cfg));
	probe(&s, NULL, &r);
	ck_assert_uint_eq(r.ncert, 1);
	ck_assert_int_eq(r.chain[0].self_signed, 1);
	ck_assert_int_eq(r.chain[0].expired, 1);
	ck_assert_int_eq(r.chain[0].not_yet_valid, 0);
	ck_assert_int_eq(r.chain[0].host_match, 1);
	ck_assert_str_eq(r.chain[0].subject, "CN=old.example");
	ck_assert_int_eq(r.chain_verified, 0);
	judge_ids(&r, ids, sizeof(ids), f, NULL);
	ck_assert_str_eq(ids, "tls.cert.expired,tls.cert.self-signed,"
			      "tls.cert.untrusted");
	ck_assert_int_eq(f[0].severity, TLS_SEV_FAIL);
	ck_assert_msg(!strncmp(f[0].text,
			       "leaf certificate (CN=old.example) expired on ",
			       44),
		      "%s", f[0].text);
	ck_assert_str_eq(f[1].text, "leaf certificate (CN=old.example) is "
				    "self-signed (tls.cert.self-signed)");
	for (k = 0; k < 3; k++)
		ck_assert_ptr_nonnull(strstr(f[k].text, f[k].rule));
	tlsprobe_release(&r);
	srv_stop(&s);
	X509_free(cert);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(an_rsa_1024_sha1_certificate_is_reported)
{
	struct srv_cfg cfg = {TLS1_2_VERSION,
			      TLS1_2_VERSION,
			      "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA",
			      NULL,
			      1,
			      NULL};
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	X509 *cert = self_signed(key, "weak.example", -1, 30, EVP_sha1());
	static const char *const want[] = {"ECDHE-RSA-AES128-GCM-SHA256",
					   "AES128-SHA"};
	struct tlsprobe_result r;
	struct tls_finding f[32];
	struct srv s;
	char ids[512];

	ck_assert_ptr_nonnull(key);
	srv_start(&s, SRV_TLS, srv_ctx(key, cert, &cfg));
	probe(&s, NULL, &r);
	expect_ciphers(&r.versions[V_TLS12], want, 2);
	ck_assert_int_eq(r.versions[V_TLS12].server_order, 1);
	ck_assert_uint_eq(r.ncert, 1);
	ck_assert_str_eq(r.chain[0].key_type, "RSA");
	ck_assert_int_eq(r.chain[0].key_bits, 1024);
	ck_assert_str_eq(r.chain[0].sig_alg, "sha1WithRSAEncryption");
	judge_ids(&r, ids, sizeof(ids), f, NULL);
	ck_assert_str_eq(ids, "tls.key.rsa-small,tls.sig.sha1,"
			      "tls.cert.self-signed,tls.cert.untrusted");
	ck_assert_str_eq(f[0].text, "leaf certificate (CN=weak.example) has a "
				    "1024-bit RSA key (tls.key.rsa-small)");
	ck_assert_str_eq(f[1].text, "leaf certificate (CN=weak.example) is "
				    "signed with sha1WithRSAEncryption "
				    "(tls.sig.sha1)");
	tlsprobe_release(&r);
	srv_stop(&s);
	X509_free(cert);
	EVP_PKEY_free(key);
}
END_TEST

START_TEST(a_certificate_for_another_name_is_a_mismatch_unless_sni_says_so)
{
	struct srv_cfg cfg = {
	    TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0, NULL};
	struct tlsprobe_opts o = {0};
	struct tlsprobe_result r;
	struct tls_finding f[32];
	struct pki p;
	struct srv s;
	char ids[512], ca_path[] = "/tmp/check_tlsprobe_ca_XXXXXX";

	pki_issue(&p, "DNS:other.example");
	srv_start(&s, SRV_TLS, srv_ctx(p.key, p.cert, &cfg));
	o.ca_file = write_pem(p.ca, ca_path);
	probe(&s, &o, &r);
	ck_assert_str_eq(r.host, "127.0.0.1");
	ck_assert_int_eq(r.chain[0].host_match, 0);
	ck_assert_int_eq(r.chain_verified, 1);
	judge_ids(&r, ids, sizeof(ids), f, NULL);
	ck_assert_str_eq(ids, "tls.cert.host-mismatch");
	ck_assert_str_eq(f[0].text,
			 "leaf certificate (CN=other.example) does not name "
			 "127.0.0.1 (tls.cert.host-mismatch)");
	tlsprobe_release(&r);

	o.sni = "other.example";
	probe(&s, &o, &r);
	ck_assert_str_eq(r.host, "other.example");
	ck_assert_int_eq(r.chain[0].host_match, 1);
	ck_assert_str_eq(judge_ids(&r, ids, sizeof(ids), f, NULL), "");
	tlsprobe_release(&r);
	unlink(o.ca_file);
	srv_stop(&s);
	pki_free(&p);
}
END_TEST

/* ---- hostile servers ------------------------------------------------------
 */

START_TEST(a_silent_server_is_reachable_but_not_tls_within_the_timeout)
{
	struct tlsprobe_opts o = {.io_timeout_ms = 500,
				  .connect_timeout_ms = 500};
	struct tlsprobe_result r;
	struct srv s;
	int64_t t0 = cb_now_ms();
	char ids[64];
	struct tls_finding f[32];
	int i;

	srv_start(&s, SRV_SILENT, NULL);
	probe(&s, &o, &r);
	ck_assert_int_lt(cb_now_ms() - t0, 3000);
	ck_assert_int_ge(r.elapsed_ms, 500);
	ck_assert_int_eq(r.reachable, 1);
	ck_assert_str_eq(r.error, "no answer to the ClientHello within 500 ms");
	for (i = 0; i < TLSPROBE_NVERSIONS; i++)
		ck_assert_int_eq(r.versions[i].accepted, 0);
	ck_assert_uint_eq(r.ncert, 0);
	/* One attempt per version we can offer, then nothing more. */
	ck_assert_uint_eq(r.handshakes, 4);
	ck_assert_str_eq(judge_ids(&r, ids, sizeof(ids), f, NULL), "");
	tlsprobe_release(&r);
	srv_stop(&s);
}
END_TEST

START_TEST(an_endless_server_is_cut_at_the_read_ceiling)
{
	struct tlsprobe_opts o = {.io_timeout_ms = 10000};
	struct tlsprobe_result r;
	struct srv s;
	int64_t t0 = cb_now_ms();

	srv_start(&s, SRV_ENDLESS, NULL);
	probe(&s, &o, &r);
	ck_assert_int_lt(cb_now_ms() - t0, 8000);
	ck_assert_int_eq(r.reachable, 1);
	ck_assert_str_eq(r.error,
			 "more than 262144 bytes without a complete handshake");
	ck_assert_int_eq(r.versions[V_TLS12].accepted, 0);
	ck_assert_int_eq(r.versions[V_TLS13].accepted, 0);
	srv_stop(&s);
	/* What the server got out: the ceiling per handshake plus socket
	 * buffers, never an unbounded stream. */
	ck_assert_int_lt(atomic_load(&s.sent), 64L << 20);
	tlsprobe_release(&r);
}
END_TEST

START_TEST(garbage_instead_of_a_server_hello_is_not_tls)
{
	struct tlsprobe_result r;
	struct srv s;
	int64_t t0 = cb_now_ms();

	srv_start(&s, SRV_GARBAGE, NULL);
	probe(&s, NULL, &r);
	ck_assert_int_lt(cb_now_ms() - t0, 3000);
	ck_assert_int_eq(r.reachable, 1);
	ck_assert_str_eq(
	    r.error, "not TLS: the answer starts with \"HTTP/1.1 400 Bad\"");
	ck_assert_int_eq(r.versions[V_TLS12].accepted, 0);
	tlsprobe_release(&r);
	srv_stop(&s);
}
END_TEST

START_TEST(a_refused_connection_is_unreachable)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	struct tlsprobe_result r;
	struct cb_error err = {0};
	int64_t t0 = cb_now_ms();
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd); /* nobody listens there now */
	ck_assert_int_eq(tlsprobe_run("127.0.0.1", port, NULL, &r, &err),
			 CB_OK);
	ck_assert_int_lt(cb_now_ms() - t0, 2000);
	ck_assert_int_eq(r.reachable, 0);
	ck_assert_str_eq(r.error, "connect: Connection refused");
	ck_assert_uint_ge(r.handshakes, 1);
	tlsprobe_release(&r);

	ck_assert_int_eq(tlsprobe_run("127.0.0.1", 0, NULL, &r, &err),
			 CB_EINVAL);
	cb_error_clear(&err);
	ck_assert_int_eq(
	    tlsprobe_run("no-such-host.invalid", 443, NULL, &r, &err),
	    CB_ENODEV);
}
END_TEST

/* ---- the table ------------------------------------------------------------
 */

START_TEST(the_shipped_table_loads_with_every_rule_id)
{
	static const char *const ids[] = {
	    "tls.proto.sslv3",	      "tls.proto.tls10",
	    "tls.proto.tls11",	      "tls.no-modern",
	    "tls.cipher.rc4",	      "tls.cipher.des",
	    "tls.cipher.3des",	      "tls.cipher.export",
	    "tls.cipher.null",	      "tls.cipher.anon",
	    "tls.cipher.md5",	      "tls.key.rsa-small",
	    "tls.key.ec-small",	      "tls.sig.md5",
	    "tls.sig.sha1",	      "tls.cert.expired",
	    "tls.cert.not-yet-valid", "tls.cert.self-signed",
	    "tls.cert.host-mismatch", "tls.cert.untrusted",
	    "tls.reneg.insecure",     "tls.compression"};
	struct tlsrules t;
	size_t k;

	load_table(&t);
	ck_assert_str_eq(t.name, "tls-practice");
	ck_assert_uint_eq(t.n, sizeof(ids) / sizeof(ids[0]));
	for (k = 0; k < t.n; k++)
		ck_assert_str_eq(tlsrules_id(&t, k), ids[k]);
	ck_assert_ptr_null(tlsrules_id(&t, t.n));
	tlsrules_release(&t);
}
END_TEST

static const struct {
	const char *json, *error;
} bad_tables[] = {
    {"[]", "TLS practice table: not an object"},
    {"{\"name\":\"x\",\"rules\":[],\"extra\":1}",
     "TLS practice table: unknown key 'extra'"},
    {"{\"name\":\"x\",\"rules\":[]}",
     "TLS practice table needs a name and a non-empty rules array"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"A\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"protocol\":\"TLS1.0\"}}]}",
     "rule 1: needs an id of lowercase letters, digits, '.', '-' "
     "(< 48 bytes)"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"bad\","
     "\"what\":\"w\",\"match\":{\"protocol\":\"TLS1.0\"}}]}",
     "rule a: severity is \"fail\" or \"warn\""},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"sev\":1,\"match\":{\"protocol\":\"TLS1.0\"}}]}",
     "rule a: unknown key 'sev'"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"protocol\":\"TLS1.0\"}},"
     "{\"id\":\"a\",\"severity\":\"fail\",\"what\":\"w\","
     "\"match\":{\"protocol\":\"TLS1.1\"}}]}",
     "rule a: duplicate id"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"protocol\":\"TLS9\"}}]}",
     "rule a: versions are SSLv3, TLS1.0, TLS1.1, TLS1.2 or TLS1.3"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"protocol\":\"TLS1.0\","
     "\"compression\":true}}]}",
     "rule a: match needs exactly one of protocol, none_of, "
     "cipher_regex, key_type, signature_regex, cert, renegotiation, "
     "compression"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"cipher_regex\":\"(\"}}]}",
     "rule a: bad regex '(': "},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"protocol\":\"TLS1.0\","
     "\"cipher_field\":\"enc\"}}]}",
     "rule a: cipher_field goes with cipher_regex, max_bits with "
     "key_type"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"cipher_regex\":\"x\","
     "\"cipher_field\":\"colour\"}}]}",
     "rule a: cipher_field is name, iana, kx, au, enc or mac"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"key_type\":\"RSA\"}}]}",
     "rule a: key_type needs a type and max_bits (1-65536)"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"fail\","
     "\"what\":\"w\",\"match\":{\"cert\":\"ugly\"}}]}",
     "rule a: cert is expired, not_yet_valid, self_signed, "
     "host_mismatch or untrusted"},
    {"{\"name\":\"x\",\"rules\":[{\"id\":\"a\",\"severity\":\"warn\","
     "\"match\":{\"compression\":true}}]}",
     "rule a: needs a one-line \"what\""},
};

START_TEST(bad_tables_are_refused_with_the_exact_error)
{
	struct cb_error err = {0};
	struct tlsrules t;
	json_t *j = json_loads(bad_tables[_i].json, 0, NULL);

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(tlsrules_load_json(j, &t, &err), CB_EINVAL);
	ck_assert_msg(!strncmp(err.text, bad_tables[_i].error,
			       strlen(bad_tables[_i].error)),
		      "got '%s'", err.text);
	ck_assert_uint_eq(t.n, 0);
	json_decref(j);
}
END_TEST

START_TEST(judging_names_the_suite_versions_and_renegotiation)
{
	struct tlsprobe_cipher rc4 = {.name = "RC4-SHA",
				      .bits = 128,
				      .kx = "RSA",
				      .au = "RSA",
				      .enc = "RC4(128)",
				      .mac = "SHA1"};
	struct tlsprobe_cipher adh = {.name = "ADH-AES128-SHA",
				      .bits = 128,
				      .kx = "DH",
				      .au = "None",
				      .enc = "AES(128)",
				      .mac = "SHA1"};
	struct tlsprobe_cipher both[2] = {rc4, adh};
	struct tlsprobe_result r = {.reachable = 1};
	struct tls_finding f[32];
	char ids[512];
	size_t n;

	r.versions[V_TLS10].accepted = 1;
	r.versions[V_TLS10].ncipher = 1;
	r.versions[V_TLS10].ciphers = &rc4;
	r.versions[V_TLS11].accepted = 1;
	r.versions[V_TLS11].ncipher = 2;
	r.versions[V_TLS11].ciphers = both;
	r.secure_renegotiation = 0;
	r.compression = 1;
	judge_ids(&r, ids, sizeof(ids), f, &n);
	ck_assert_str_eq(ids, "tls.proto.tls10,tls.proto.tls11,tls.no-modern,"
			      "tls.cipher.rc4,tls.cipher.anon,"
			      "tls.reneg.insecure,tls.compression");
	ck_assert_str_eq(f[2].text, "accepts neither TLS 1.2 nor TLS 1.3 "
				    "(tls.no-modern)");
	ck_assert_str_eq(f[3].text, "accepts RC4-SHA (128 bits, TLS 1.0, "
				    "TLS 1.1) (tls.cipher.rc4)");
	ck_assert_str_eq(f[4].text, "accepts ADH-AES128-SHA (128 bits, "
				    "TLS 1.1) (tls.cipher.anon)");
	ck_assert_str_eq(f[5].text, "accepts TLS 1.1 without RFC 5746 secure "
				    "renegotiation (tls.reneg.insecure)");
	ck_assert_str_eq(f[6].text, "accepts TLS compression "
				    "(tls.compression)");

	/* Fewer slots than findings: the count still says how many. */
	{
		struct tlsrules t;

		load_table(&t);
		ck_assert_uint_eq(tlsrules_judge(&t, &r, f, 2), n);
		ck_assert_uint_eq(tlsrules_judge(&t, &r, NULL, 0), n);
		/* A probe that found no TLS at all is not judged. */
		snprintf(r.error, sizeof(r.error), "not TLS");
		ck_assert_uint_eq(tlsrules_judge(&t, &r, f, 32), 0);
		tlsrules_release(&t);
	}
}
END_TEST

/* ---- the command ----------------------------------------------------------
 */

/* Run 'probe tls ARGS' with stdout and stderr in files. */
static char cmd_err[4096];

static void slurp(int fd, char *out, size_t len)
{
	ssize_t n = pread(fd, out, len - 1, 0);

	out[n > 0 ? n : 0] = '\0';
	close(fd);
}

static int run_cmd(char *out, size_t len, int argc, char **argv)
{
	char p1[] = "/tmp/check_tlsprobe_out_XXXXXX";
	char p2[] = "/tmp/check_tlsprobe_err_XXXXXX";
	int fo = mkstemp(p1), fe = mkstemp(p2), so = dup(1), se = dup(2), rc;

	ck_assert_int_ge(fo, 0);
	ck_assert_int_ge(fe, 0);
	unlink(p1);
	unlink(p2);
	fflush(stdout);
	fflush(stderr);
	dup2(fo, 1);
	dup2(fe, 2);
	rc = probe_tls_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, out, len);
	slurp(fe, cmd_err, sizeof(cmd_err));
	return rc;
}

START_TEST(the_command_prints_the_table_and_exits_by_findings)
{
	struct srv_cfg cfg = {TLS1_VERSION,
			      TLS1_3_VERSION,
			      "ECDHE-ECDSA-AES128-SHA:"
			      "ECDHE-ECDSA-AES256-GCM-SHA384",
			      NULL,
			      1,
			      NULL};
	static char out[1 << 16];
	char target[64];
	struct pki p;
	struct srv s;
	json_t *j;

	setenv("CERTBENCH_DATA", ".", 1);
	pki_issue(&p, "IP:127.0.0.1");
	srv_start(&s, SRV_TLS, srv_ctx(p.key, p.cert, &cfg));
	snprintf(target, sizeof(target), "127.0.0.1:%d", s.port);
	{
		char *argv[] = {"tls", target, NULL};

		ck_assert_int_eq(run_cmd(out, sizeof(out), 2, argv), 1);
		ck_assert_ptr_nonnull(
		    strstr(out, "TLS 1.0  accepted     1 suite, "));
		ck_assert_ptr_nonnull(
		    strstr(out, "  FAIL  accepts TLS 1.0 (tls.proto.tls10)\n"));
		ck_assert_ptr_nonnull(strstr(out, "  ECDHE-ECDSA-AES128-SHA "));
	}
	{
		char *argv[] = {"tls",	     "--json", "--parallel", "2",
				"--timeout", "2000",   target,	     NULL};

		ck_assert_int_eq(run_cmd(out, sizeof(out), 7, argv), 1);
		j = json_loads(out, 0, NULL);
		ck_assert_ptr_nonnull(j);
		ck_assert_str_eq(json_string_value(json_object_get(j, "rules")),
				 "tls-practice");
		ck_assert_str_eq(
		    json_string_value(json_object_get(
			json_array_get(json_object_get(j, "findings"), 0),
			"rule")),
		    "tls.proto.tls10");
		ck_assert(json_is_true(json_object_get(
		    json_array_get(json_object_get(j, "versions"), V_TLS10),
		    "accepted")));
		json_decref(j);
	}
	{
		char *argv[] = {"tls", "--parallel", "0", target, NULL};
		char *argv2[] = {"tls", NULL};
		char *argv3[] = {"tls", "127.0.0.1:99999", NULL};

		ck_assert_int_eq(run_cmd(out, sizeof(out), 4, argv), 64);
		ck_assert_int_eq(run_cmd(out, sizeof(out), 1, argv2), 64);
		ck_assert_int_eq(run_cmd(out, sizeof(out), 2, argv3), 64);
		ck_assert(!strncmp(cmd_err, "usage: certbench probe tls ", 27));
	}
	srv_stop(&s);
	{
		char *argv[] = {"tls", target, NULL};

		/* The server is gone: the bench could not probe. */
		ck_assert_int_eq(run_cmd(out, sizeof(out), 2, argv), 70);
		ck_assert_str_eq(out, "");
		snprintf(out, sizeof(out),
			 "certbench: %s: unreachable: connect: Connection "
			 "refused\n",
			 target);
		ck_assert_str_eq(cmd_err, out);
	}
	pki_free(&p);
}
END_TEST

START_TEST(the_command_passes_a_clean_server)
{
	struct srv_cfg cfg = {
	    TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 1, NULL};
	static char out[1 << 16];
	char target[64];
	struct pki p;
	struct srv s;
	const char *ca;
	char ca_path[] = "/tmp/check_tlsprobe_ca_XXXXXX";

	setenv("CERTBENCH_DATA", ".", 1);
	pki_issue(&p, "IP:127.0.0.1");
	srv_start(&s, SRV_TLS, srv_ctx(p.key, p.cert, &cfg));
	snprintf(target, sizeof(target), "127.0.0.1:%d", s.port);
	ca = write_pem(p.ca, ca_path);
	{
		char *argv[] = {"tls", "--ca", (char *)ca, target, NULL};

		ck_assert_int_eq(run_cmd(out, sizeof(out), 4, argv), 0);
		ck_assert_ptr_nonnull(strstr(out, "chain verified"));
		ck_assert_ptr_nonnull(
		    strstr(out, "findings       0 fail, 0 warn"));
	}
	unlink(ca);
	srv_stop(&s);
	pki_free(&p);
}
END_TEST

static Suite *tlsprobe_suite(void)
{
	Suite *s = suite_create("tlsprobe");
	TCase *tls = tcase_create("servers"), *bad = tcase_create("hostile"),
	      *rules = tcase_create("rules"), *cmd = tcase_create("command");

	tcase_set_timeout(tls, 60);
	tcase_add_test(
	    tls, modern_server_gives_exact_versions_suites_order_and_chain);
	tcase_add_test(tls, a_server_following_the_client_order_is_detected);
	tcase_add_test(tls, tls10_with_cbc_suites_is_found_and_judged);
	tcase_add_test(tls, a_self_signed_expired_certificate_is_reported);
	tcase_add_test(tls, an_rsa_1024_sha1_certificate_is_reported);
	tcase_add_test(
	    tls,
	    a_certificate_for_another_name_is_a_mismatch_unless_sni_says_so);
	suite_add_tcase(s, tls);

	tcase_set_timeout(bad, 60);
	tcase_add_test(
	    bad, a_silent_server_is_reachable_but_not_tls_within_the_timeout);
	tcase_add_test(bad, an_endless_server_is_cut_at_the_read_ceiling);
	tcase_add_test(bad, garbage_instead_of_a_server_hello_is_not_tls);
	tcase_add_test(bad, a_refused_connection_is_unreachable);
	suite_add_tcase(s, bad);

	tcase_add_test(rules, the_shipped_table_loads_with_every_rule_id);
	tcase_add_loop_test(rules, bad_tables_are_refused_with_the_exact_error,
			    0, sizeof(bad_tables) / sizeof(bad_tables[0]));
	tcase_add_test(rules,
		       judging_names_the_suite_versions_and_renegotiation);
	suite_add_tcase(s, rules);

	tcase_set_timeout(cmd, 60);
	tcase_add_test(cmd, the_command_prints_the_table_and_exits_by_findings);
	tcase_add_test(cmd, the_command_passes_a_clean_server);
	suite_add_tcase(s, cmd);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tlsprobe_suite());
	int failed;

	/* The test servers write to sockets the prober may have closed. */
	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
