/*
 * sign.c - detached CMS signatures over report bytes (OpenSSL 3).
 *
 * ECDSA P-256 with SHA-256 is what the demo PKI issues; RSA keys work the
 * same way.  The digest is always named explicitly: CMS would otherwise
 * pick its own default.  Ed25519 is not offered, because CMS signing with
 * it is broken in OpenSSL 3.0 (reference/reports.md 3.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "harness/cb_error.h"
#include "reports/rpt.h"

static int load_key_and_certs(EVP_PKEY **key, X509 **leaf,
			      STACK_OF(X509) **chain, const char *key_path,
			      const char *cert_path, struct cb_error *err)
{
	BIO *b = NULL;
	X509 *x;
	int rc = CB_OK;

	b = BIO_new_file(key_path, "r");
	if (!b || !(*key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL))) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "cannot read key");
		cb_error_at(err, key_path, 0, 0);
		goto out;
	}
	BIO_free(b);
	b = BIO_new_file(cert_path, "r");
	if (!b || !(*leaf = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO,
				      "cannot read certificate");
		cb_error_at(err, cert_path, 0, 0);
		goto out;
	}
	*chain = sk_X509_new_null();
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		sk_X509_push(*chain, x);
	ERR_clear_error(); /* end of file is not an error */
	if (X509_check_private_key(*leaf, *key) != 1) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO,
				      "key does not match the certificate");
		cb_error_at(err, key_path, 0, 0);
	}
out:
	BIO_free(b);
	return rc;
}

int rpt_sign(unsigned char **der, size_t *der_len, const void *doc,
	     size_t doc_len, const char *key_path, const char *cert_path,
	     struct cb_error *err)
{
	const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL |
			       CMS_NOSMIMECAP;
	STACK_OF(X509) *chain = NULL;
	CMS_ContentInfo *cms = NULL;
	EVP_PKEY *key = NULL;
	X509 *leaf = NULL;
	BIO *in = NULL;
	unsigned char *p = NULL;
	int rc, n;

	*der = NULL;
	*der_len = 0;
	rc = load_key_and_certs(&key, &leaf, &chain, key_path, cert_path, err);
	if (rc)
		goto out;
	in = BIO_new_mem_buf(doc, (int)doc_len);
	cms = CMS_sign(NULL, NULL, chain, NULL, flags);
	if (!in || !cms ||
	    !CMS_add1_signer(cms, leaf, key, EVP_sha256(), flags) ||
	    !CMS_final(cms, in, NULL, flags)) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "CMS signing failed");
		goto out;
	}
	n = i2d_CMS_ContentInfo(cms, &p);
	if (n <= 0) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "CMS encoding failed");
		goto out;
	}
	*der = p;
	*der_len = (size_t)n;
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	EVP_PKEY_free(key);
	return rc;
}

int rpt_verify_sig(const void *sig, size_t sig_len, const void *doc,
		   size_t doc_len, const char *ca_file, char *signer,
		   size_t signer_len, struct cb_error *err)
{
	const unsigned char *p = sig;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *signers = NULL;
	X509_STORE *store = NULL;
	BIO *in = NULL;
	int rc = CB_OK;

	cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig_len);
	if (!cms) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO,
				      "signature is not DER CMS");
		goto out;
	}
	store = X509_STORE_new();
	if (!store || X509_STORE_load_file(store, ca_file) != 1) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "cannot load CA file %s",
				      ca_file);
		goto out;
	}
	in = BIO_new_mem_buf(doc, (int)doc_len);
	if (!in || CMS_verify(cms, NULL, store, in, NULL, CMS_BINARY) != 1) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO,
				      "signature does not verify");
		goto out;
	}
	signers = CMS_get0_signers(cms);
	if (signer && signer_len) {
		signer[0] = '\0';
		if (sk_X509_num(signers) > 0)
			X509_NAME_oneline(
				X509_get_subject_name(sk_X509_value(signers, 0)),
				signer, (int)signer_len);
	}
out:
	sk_X509_free(signers);
	BIO_free(in);
	X509_STORE_free(store);
	CMS_ContentInfo_free(cms);
	return rc;
}
