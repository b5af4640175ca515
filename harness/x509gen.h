/*
 * x509gen.h - throw-away certificates for the man-in-the-middle update
 * server: a fresh CA, server certificates it issues, and loading a pair a
 * tester brings along.
 *
 * Keys are always new ECDSA P-256 keys; signatures are SHA-256.  Nothing
 * is written to disk.  This is not a general PKI: no CRLs, no
 * intermediates, no RSA.  Objects returned via ** belong to the caller
 * (X509_free(), EVP_PKEY_free()) and are NULL on failure.
 */
#ifndef X509GEN_H
#define X509GEN_H

#include <openssl/evp.h>
#include <openssl/x509.h>

struct cb_error;

/*
 * A fresh P-256 key and a self-signed CA certificate: CN = cn,
 * basicConstraints critical CA:TRUE, keyUsage critical keyCertSign and
 * cRLSign, random 128-bit serial, valid from an hour ago for `days` days
 * (1..36500).  CB_EINVAL for a bad argument, CB_ECRYPTO when OpenSSL
 * fails.
 */
int x509_make_ca(const char *cn, int days, EVP_PKEY **key, X509 **cert,
		 struct cb_error *err);

/*
 * A fresh P-256 key and a server certificate issued by ca_cert (whose
 * key is ca_key; they must match).  san is a comma-separated list of
 * "IP:addr" and "DNS:name" entries ("IP:127.0.0.40,DNS:updates.example");
 * CN is the first entry's value.  EKU serverAuth, random 128-bit serial,
 * valid from an hour ago for `days` days.  A malformed san is CB_EINVAL
 * naming the bad entry.
 */
int x509_issue(EVP_PKEY *ca_key, X509 *ca_cert, const char *san, int days,
	       EVP_PKEY **key, X509 **cert, struct cb_error *err);

/*
 * Load a PEM certificate (the first in cert_file) and an unencrypted PEM
 * private key.  A missing file is CB_ENODEV, an unreadable one CB_EIO, an
 * unparsable one CB_ECRYPTO, a key that does not belong to the
 * certificate CB_ECRYPTO ("key does not match the certificate");
 * err->source names the file at fault.  Files are read through a 1 MiB
 * ceiling; an encrypted key is refused, never prompted for.
 */
int x509_load_pair(const char *cert_file, const char *key_file, X509 **cert,
		   EVP_PKEY **key, struct cb_error *err);

/* SHA-256 of the DER certificate as 64 lowercase hex digits and a NUL
 * (an empty string if the certificate cannot be encoded). */
void x509_fingerprint(X509 *cert, char out[65]);

#endif /* X509GEN_H */
