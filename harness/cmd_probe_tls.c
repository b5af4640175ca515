/*
 * cmd_probe_tls.c - 'certbench probe tls': what a TLS server accepts
 * (tlsprobe) judged against the best-practice table (tlsrules), for a
 * lab's exploration and the sslscan benchmark.  No profile, no evidence
 * file, no report.
 *
 *   probe tls HOST[:PORT] [--sni NAME] [--ca FILE] [--json]
 *             [--timeout MS] [--parallel N]
 *
 * PORT defaults to 443.  A host given by name is also sent as SNI unless
 * --sni names another; an IP address sends none.  Exit: 0 no 'fail'
 * finding, 1 'fail' findings, 64 usage, 65 bad table or CA file, 70 when
 * the target could not be probed (unreachable, no TLS answer).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/cb_json.h"
#include "harness/cli.h"
#include "harness/paths.h"
#include "harness/tlsprobe.h"
#include "harness/tlsrules.h"

#define PTLS_TABLE "testcases/data/tls-practice.json"

struct ptls_args {
	char host[256];
	int port;
	int json;
	struct tlsprobe_opts o;
};

static int ptls_usage(void)
{
	fprintf(stderr, "usage: certbench probe tls HOST[:PORT] [--sni NAME] "
			"[--ca FILE] [--json]\n"
			"                 [--timeout MS] [--parallel N]\n");
	return CLI_EXIT_USAGE;
}

static int ptls_is_ip(const char *host)
{
	unsigned char bin[16];

	return inet_pton(AF_INET, host, bin) == 1 ||
	       inet_pton(AF_INET6, host, bin) == 1;
}

/* "host", "host:port", "[v6]:port" or a bare IPv6 address. */
static int ptls_target(const char *s, struct ptls_args *a)
{
	const char *colon = strrchr(s, ':'), *end;
	char *stop;
	long port = 443;
	size_t n;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		n = (size_t)(end - s - 1);
		colon = end[1] ? end + 1 : NULL;
		s++;
	} else if (colon && strchr(s, ':') != colon) {
		n = strlen(s); /* IPv6 without brackets: no port */
		colon = NULL;
	} else {
		n = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (colon) {
		port = strtol(colon + 1, &stop, 10);
		if (*stop || stop == colon + 1 || port < 1 || port > 65535)
			return -1;
	}
	if (!n || n >= sizeof(a->host))
		return -1;
	memcpy(a->host, s, n);
	a->host[n] = '\0';
	a->port = (int)port;
	return 0;
}

static int ptls_args(int argc, char **argv, struct ptls_args *a)
{
	static const struct option opts[] = {
	    {"sni", 1, NULL, 's'},	{"ca", 1, NULL, 'a'},
	    {"json", 0, NULL, 'j'},	{"timeout", 1, NULL, 't'},
	    {"parallel", 1, NULL, 'p'}, {NULL, 0, NULL, 0},
	};
	char *stop;
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:a:jt:p:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->o.sni = optarg;
			break;
		case 'a':
			a->o.ca_file = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 't':
		case 'p':
			v = strtol(optarg, &stop, 10);
			if (*stop || v < 1 || v > (c == 't' ? 600000 : 256))
				return -1;
			if (c == 'p')
				a->o.max_inflight = (int)v;
			else
				a->o.io_timeout_ms = a->o.connect_timeout_ms =
				    (int)v;
			break;
		default:
			return -1;
		}
	}
	if (optind + 1 != argc || ptls_target(argv[optind], a))
		return -1;
	if (!a->o.sni && !ptls_is_ip(a->host))
		a->o.sni = a->host;
	return 0;
}

static int ptls_load_table(struct tlsrules *t, struct cb_error *err)
{
	char path[PATH_MAX];
	struct cb_json_doc d;
	int rc;

	cb_path_join(path, sizeof(path), cb_datadir(), PTLS_TABLE);
	rc = cb_json_load(&d, path, err);
	if (rc)
		return rc;
	rc = tlsrules_load_json(d.root, t, err);
	if (rc)
		cb_error_at(err, path, 0, 0);
	cb_json_release(&d);
	return rc;
}

/* ---- human output ---------------------------------------------------------
 */

static const char *ptls_state(const struct tlsprobe_version *v)
{
	if (!v->supported_by_us)
		return "not testable";
	return v->accepted ? "accepted" : "refused";
}

static const char *ptls_order(int server_order)
{
	return server_order > 0	   ? "server order"
	       : server_order == 0 ? "client order"
				   : "order unknown";
}

static void ptls_print_versions(const struct tlsprobe_result *r)
{
	const struct tlsprobe_version *v;
	int i;

	for (i = 0; i < TLSPROBE_NVERSIONS; i++) {
		v = &r->versions[i];
		printf("%-14s %-8s %-13s", i ? "" : "versions",
		       tlsprobe_version_label(v->version), ptls_state(v));
		if (v->accepted)
			printf("%zu suite%s, %s", v->ncipher,
			       v->ncipher == 1 ? "" : "s",
			       ptls_order(v->server_order));
		if (v->why[0])
			printf("%s%s", v->accepted ? "; " : "", v->why);
		printf("\n");
	}
}

static void ptls_print_ciphers(const struct tlsprobe_result *r)
{
	const struct tlsprobe_version *v;
	const struct tlsprobe_cipher *c;
	char kx[40];
	size_t k;
	int i;

	for (i = TLSPROBE_NVERSIONS - 1; i >= 0; i--) {
		v = &r->versions[i];
		if (!v->accepted)
			continue;
		printf("\n%s suites, %s%s\n",
		       tlsprobe_version_label(v->version),
		       v->server_order > 0 ? "the server's preference first"
					   : "in our offer order",
		       v->server_order < 0 ? " (server order unknown)" : "");
		for (k = 0; k < v->ncipher; k++) {
			c = &v->ciphers[k];
			snprintf(kx, sizeof(kx), "%s/%s", c->kx, c->au);
			printf("  %-32s %4d  %-14s %-22s %s\n", c->name,
			       c->bits, kx, c->enc, c->mac);
		}
	}
}

static void ptls_print_chain(const struct tlsprobe_result *r)
{
	const struct tlsprobe_cert *c;
	size_t k;

	if (!r->ncert)
		return;
	printf("\ncertificates   %zu sent, chain %s%s\n", r->ncert,
	       r->chain_verified ? "verified" : "not verified: ",
	       r->chain_verified ? "" : r->verify_error);
	for (k = 0; k < r->ncert; k++) {
		c = &r->chain[k];
		printf("  %zu subject    %s\n", k, c->subject);
		printf("    issuer     %s\n", c->issuer);
		printf("    key        %s %d bits, signed with %s\n",
		       c->key_type, c->key_bits, c->sig_alg);
		printf("    valid      %s .. %s%s%s\n", c->not_before,
		       c->not_after, c->expired ? "  EXPIRED" : "",
		       c->not_yet_valid ? "  NOT YET VALID" : "");
		printf("    checks     %s %s%s\n",
		       c->host_match ? "names" : "does not name", r->host,
		       c->self_signed ? ", self-signed" : "");
		if (c->san[0])
			printf("    names      %s\n", c->san);
		printf("    sha256     %s\n", c->sha256);
	}
}

static void ptls_print(const struct tlsprobe_result *r,
		       const struct tlsrules *t, const struct tls_finding *f,
		       size_t nf)
{
	size_t k, fails = 0;

	printf("%-14s %s (%s%s)\n", "target", r->target,
	       r->host[0] ? "certificate checked against " : "", r->host);
	ptls_print_versions(r);
	ptls_print_ciphers(r);
	ptls_print_chain(r);
	printf("\n%-14s %s\n", "renegotiation",
	       r->secure_renegotiation > 0    ? "secure (RFC 5746)"
	       : r->secure_renegotiation == 0 ? "no RFC 5746 support"
					      : "not applicable (no TLS 1.2 "
						"or older handshake)");
	printf("%-14s %s\n", "compression",
	       r->compression > 0    ? "accepted"
	       : r->compression == 0 ? "refused"
				     : "not testable (this OpenSSL has no "
				       "compression)");
	for (k = 0; k < nf; k++)
		fails += f[k].severity == TLS_SEV_FAIL;
	printf("\nfindings       %zu fail, %zu warn (%s)\n", fails, nf - fails,
	       t->name);
	for (k = 0; k < nf; k++)
		printf("  %-4s  %s\n",
		       f[k].severity == TLS_SEV_FAIL ? "FAIL" : "WARN",
		       f[k].text);
	printf("%-14s %lld ms, %u handshakes\n", "elapsed",
	       (long long)r->elapsed_ms, r->handshakes);
}

static int ptls_print_json(const struct tlsprobe_result *r,
			   const struct tlsrules *t,
			   const struct tls_finding *f, size_t nf)
{
	json_t *o = tlsprobe_json(r);
	char *s;

	if (!o)
		return -1;
	json_object_set_new(o, "rules", json_string(t->name));
	json_object_set_new(o, "findings", tlsrules_findings_json(f, nf));
	s = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	if (!s)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}

int probe_tls_main(int argc, char **argv)
{
	struct ptls_args a = {0};
	struct cb_error err = {0};
	struct tlsprobe_result r;
	struct tlsrules t;
	struct tls_finding *f = NULL;
	size_t nf = 0, k;
	int rc;

	if (ptls_args(argc, argv, &a))
		return ptls_usage();
	if (ptls_load_table(&t, &err)) {
		cli_error(&err);
		return cli_exit_for(err.code);
	}
	if (tlsprobe_run(a.host, a.port, &a.o, &r, &err)) {
		cli_error(&err);
		tlsrules_release(&t);
		return err.source[0] ? cli_exit_for(err.code)
				     : CLI_EXIT_SOFTWARE;
	}
	nf = tlsrules_judge(&t, &r, NULL, 0);
	f = nf ? calloc(nf, sizeof(*f)) : NULL;
	if (nf && !f) {
		fprintf(stderr, "certbench: out of memory\n");
		rc = CLI_EXIT_SOFTWARE;
		goto out;
	}
	tlsrules_judge(&t, &r, f, nf);
	if (a.json && ptls_print_json(&r, &t, f, nf)) {
		fprintf(stderr, "certbench: out of memory\n");
		rc = CLI_EXIT_SOFTWARE;
		goto out;
	}
	if (r.error[0]) {
		fprintf(stderr, "certbench: %s: %s%s\n", r.target,
			r.reachable ? "" : "unreachable: ", r.error);
		rc = CLI_EXIT_SOFTWARE;
		goto out;
	}
	if (!a.json)
		ptls_print(&r, &t, f, nf);
	rc = CLI_EXIT_PASS;
	for (k = 0; k < nf; k++)
		if (f[k].severity == TLS_SEV_FAIL)
			rc = CLI_EXIT_FAIL;
out:
	free(f);
	tlsprobe_release(&r);
	tlsrules_release(&t);
	return rc;
}
