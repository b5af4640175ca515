/*
 * tlsprobe.h - what a TLS server accepts: protocol versions, cipher suites
 * in the server's preference order, the certificate chain it sends,
 * RFC 5746 secure renegotiation and TLS compression (TS 103 701 5.5-1,
 * 5.8, 5.1-3).
 *
 * It works like sslscan or testssl.sh, with many handshakes in flight:
 * per version it offers every suite not found yet, removes the one the
 * server chose and asks again until the server refuses, then offers the
 * accepted suites in reverse to learn whether the server enforces its own
 * order.  It only ever performs handshakes: no application data, no
 * renegotiation, no session resumption.  It judges nothing (tlsrules.h
 * does) and does not test vulnerabilities (Heartbleed, ROBOT, ...).
 *
 * What our OpenSSL cannot offer is "not testable", never "not accepted":
 * OpenSSL 3 as Debian builds it has no SSLv3, no 3DES/RC4 suites and no
 * compression.
 */
#ifndef TLSPROBE_H
#define TLSPROBE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct cb_error;

#define TLSPROBE_NVERSIONS 5

struct tlsprobe_opts {
	int connect_timeout_ms; /* TCP connect; 0 = 2000 */
	int io_timeout_ms;	/* one handshake after connect; 0 = 3000 */
	int max_inflight;	/* parallel handshakes; 0 = 32 (1..256) */
	/* Server name to send and to check the certificate against;
	 * NULL = no SNI, the certificate is checked against host. */
	const char *sni;
	/* PEM trust anchors for chain_verified; NULL = the default store. */
	const char *ca_file;
};

struct tlsprobe_cipher {
	char name[64]; /* OpenSSL name: "ECDHE-RSA-AES128-GCM-SHA256" */
	char iana[96]; /* RFC name when OpenSSL knows it, else "" */
	int bits;      /* symmetric strength */
	char kx[16], au[16], enc[32], mac[16]; /* as "openssl ciphers -v" */
};

struct tlsprobe_version {
	int version;	     /* SSL3_VERSION ... TLS1_3_VERSION */
	int supported_by_us; /* our OpenSSL can offer it at all */
	int accepted;	     /* at least one handshake completed */
	size_t ncipher;
	/* Accepted suites, in the server's order when it enforces one,
	 * else in our offer order. */
	struct tlsprobe_cipher *ciphers;
	/* 1 the server chooses, 0 it follows the client's order, -1 unknown
	 * (fewer than two suites, or the order test failed). */
	int server_order;
	/* Why not accepted or not testable, or why the list may be
	 * incomplete; "" when there is nothing to say. */
	char why[128];
};

struct tlsprobe_cert {
	char subject[256], issuer[256]; /* RFC 2253, cut at 255 bytes */
	char sig_alg[64];		/* "sha256WithRSAEncryption" */
	char key_type[16];		/* "RSA", "EC", "ED25519", "DSA", ... */
	int key_bits;
	char not_before[32], not_after[32]; /* "2026-01-31T12:00:00Z" */
	int self_signed, expired, not_yet_valid;
	int host_match;	 /* against result.host */
	char sha256[65]; /* of the DER, lowercase hex */
	char san[512];	 /* "DNS:a.example,IP:192.0.2.1", cut */
};

struct tlsprobe_result {
	char target[300]; /* "host:port" as asked */
	/* The name certificates are checked against: the SNI, else host. */
	char host[256];
	int reachable; /* a TCP connection was made */
	/* Why there is no TLS result (connect failure, silence, not TLS,
	 * endless answer); "" when the probe got TLS answers. */
	char error[200];
	/* SSLv3, TLS 1.0, 1.1, 1.2, 1.3 in that order. */
	struct tlsprobe_version versions[TLSPROBE_NVERSIONS];
	/* As sent, leaf first, from the first successful handshake at the
	 * highest accepted version. */
	size_t ncert;
	struct tlsprobe_cert *chain;
	/* Against ca_file or the default store; dates are not considered
	 * here (see tlsprobe_cert.expired). */
	int chain_verified;
	char verify_error[96]; /* X509 verify error text, or "" */
	/* RFC 5746 seen in a TLS <= 1.2 handshake: 1 yes, 0 no, -1 there
	 * was no such handshake. */
	int secure_renegotiation;
	/* 1 accepted, 0 refused, -1 not testable (no compression in our
	 * OpenSSL, as in Debian's). */
	int compression;
	int64_t elapsed_ms;
	unsigned handshakes; /* connections made or tried */
};

/*
 * Probe host:port.  r is filled in (and must be released) whenever the
 * return value is CB_OK, including when the target is unreachable
 * (reachable = 0) or does not speak TLS (reachable = 1, error set); a
 * TLS server that refuses every handshake has no error, just nothing
 * accepted.  Errors are for the bench: CB_EINVAL for bad options,
 * CB_ENODEV when the host does not resolve or ca_file cannot be loaded,
 * CB_ENOMEM, CB_EIO for a failed epoll.  Every handshake has a deadline
 * and reads at most 256 KiB, so the probe always ends.
 */
int tlsprobe_run(const char *host, int port, const struct tlsprobe_opts *o,
		 struct tlsprobe_result *r, struct cb_error *err);
void tlsprobe_release(struct tlsprobe_result *r);

/* "SSLv3", "TLS1.0", ... "TLS1.3" (the JSON names), "TLS 1.0" for
 * people; "?" for anything else. */
const char *tlsprobe_version_name(int version);
const char *tlsprobe_version_label(int version);

/*
 * The result as JSON with stable keys (see tlsprobe.c); a new reference,
 * NULL only when out of memory.  Unknowns are null: "accepted" of a
 * version we cannot offer, "compression" without library support.
 */
json_t *tlsprobe_json(const struct tlsprobe_result *r);

#endif /* TLSPROBE_H */
