/*
 * x509gen.c - throw-away CA and server certificates (see x509gen.h).
 *
 * Validity starts an hour back so a device whose clock runs a little
 * behind the bench still accepts the dates; a man-in-the-middle test must
 * fail on trust, never on time.  The subjectAltName list is checked here
 * before OpenSSL sees it, so a typo is reported as the entry the tester
 * wrote rather than as an ASN.1 error.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/x509gen.h"

#define X509GEN_PEM_MAX	 (1024 * 1024)
#define X509GEN_DAYS_MAX 36500
#define X509GEN_CN_MAX	 64 /* ub-common-name, RFC 5280 */

struct x509gen_ext {
	int nid;
	const char *value;
};

static int x509gen_key(EVP_PKEY **key, struct cb_error *err)
{
	*key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!*key)
		return cb_error_set_ssl(err, CB_ECRYPTO,
					"cannot generate a P-256 key");
	return CB_OK;
}

/* A random positive 128-bit serial (never zero, RFC 5280 4.1.2.2). */
static int x509gen_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = 0;

	if (!bn)
		return 0;
	do {
		if (!BN_rand(bn, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY))
			goto out;
	} while (BN_is_zero(bn));
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
out:
	BN_free(bn);
	return ok;
}

/*
 * Build and sign a certificate for key.  issuer NULL means self-signed:
 * the subject is the issuer and key signs.
 */
static int x509gen_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
			EVP_PKEY *issuer_key, int days,
			const struct x509gen_ext *ext, size_t next, X509 **out,
			struct cb_error *err)
{
	X509 *x = X509_new();
	X509_EXTENSION *e;
	X509V3_CTX ctx;
	X509_NAME *name;
	size_t k;
	int rc = CB_OK;

	if (!x || !X509_set_version(x, X509_VERSION_3) || !x509gen_serial(x) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) ||
	    !X509_set_pubkey(x, key)) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO,
				      "cannot build a certificate");
		goto out;
	}
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0)) {
		rc = cb_error_set_ssl(err, CB_EINVAL,
				      "cannot use '%s' as a common name", cn);
		goto out;
	}
	if (!X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
					    : name)) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "cannot set the issuer");
		goto out;
	}
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	for (k = 0; k < next; k++) {
		e = X509V3_EXT_conf_nid(NULL, &ctx, ext[k].nid, ext[k].value);
		if (!e || !X509_add_ext(x, e, -1)) {
			X509_EXTENSION_free(e);
			rc = cb_error_set_ssl(
			    err, CB_ECRYPTO, "cannot add %s '%s'",
			    OBJ_nid2sn(ext[k].nid), ext[k].value);
			goto out;
		}
		X509_EXTENSION_free(e);
	}
	if (X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) <= 0)
		rc = cb_error_set_ssl(err, CB_ECRYPTO,
				      "cannot sign the certificate");
out:
	if (rc) {
		X509_free(x);
		x = NULL;
	}
	*out = x;
	return rc;
}

static int x509gen_check_days(int days, struct cb_error *err)
{
	if (days < 1 || days > X509GEN_DAYS_MAX)
		return cb_error_set(err, CB_EINVAL,
				    "validity of %d days is out of range "
				    "(1-%d)",
				    days, X509GEN_DAYS_MAX);
	return CB_OK;
}

int x509_make_ca(const char *cn, int days, EVP_PKEY **key, X509 **cert,
		 struct cb_error *err)
{
	static const struct x509gen_ext ext[] = {
	    {NID_basic_constraints, "critical,CA:TRUE"},
	    {NID_key_usage, "critical,keyCertSign,cRLSign"},
	    {NID_subject_key_identifier, "hash"},
	    {NID_authority_key_identifier, "keyid:always"},
	};
	int rc;

	assert(cn);
	*key = NULL;
	*cert = NULL;
	if (!*cn)
		return cb_error_set(err, CB_EINVAL, "empty CA common name");
	rc = x509gen_check_days(days, err);
	if (!rc)
		rc = x509gen_key(key, err);
	if (!rc)
		rc = x509gen_cert(*key, cn, NULL, NULL, days, ext,
				  sizeof(ext) / sizeof(ext[0]), cert, err);
	if (rc) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	return rc;
}

static int x509gen_dns_ok(const char *name)
{
	size_t n = strlen(name), k;

	if (!n || n > 253 || name[0] == '.' || name[0] == '-')
		return 0;
	for (k = 0; k < n; k++)
		if (!isalnum((unsigned char)name[k]) && name[k] != '-' &&
		    name[k] != '.' && !(k == 0 && name[k] == '*'))
			return 0;
	return 1;
}

static int x509gen_ip_ok(const char *ip)
{
	unsigned char a[16];

	return inet_pton(AF_INET, ip, a) == 1 ||
	       inet_pton(AF_INET6, ip, a) == 1;
}

/*
 * Check "IP:a,DNS:b" entry by entry; norm receives the list without
 * blanks around the entries, cn the first value.
 */
static int x509gen_parse_san(const char *san, char *norm, char *cn,
			     struct cb_error *err)
{
	char *copy = strdup(san), *tok, *save = NULL, *end, *val;
	int rc = CB_OK;

	if (!copy)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	norm[0] = cn[0] = '\0';
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!strncmp(tok, "IP:", 3) && x509gen_ip_ok(tok + 3))
			val = tok + 3;
		else if (!strncmp(tok, "DNS:", 4) && x509gen_dns_ok(tok + 4))
			val = tok + 4;
		else {
			rc = cb_error_set(err, CB_EINVAL,
					  "bad subjectAltName entry '%s' "
					  "(want IP:address or DNS:name)",
					  tok);
			goto out;
		}
		if (!cn[0]) {
			if (strlen(val) > X509GEN_CN_MAX) {
				rc = cb_error_set(err, CB_EINVAL,
						  "'%s' is too long for a "
						  "common name (%d max)",
						  val, X509GEN_CN_MAX);
				goto out;
			}
			strcpy(cn, val);
		} else {
			strcat(norm, ",");
		}
		strcat(norm, tok);
	}
	if (!cn[0])
		rc = cb_error_set(err, CB_EINVAL, "empty subjectAltName");
out:
	free(copy);
	return rc;
}

int x509_issue(EVP_PKEY *ca_key, X509 *ca_cert, const char *san, int days,
	       EVP_PKEY **key, X509 **cert, struct cb_error *err)
{
	struct x509gen_ext ext[] = {
	    {NID_basic_constraints, "critical,CA:FALSE"},
	    {NID_key_usage, "critical,digitalSignature"},
	    {NID_ext_key_usage, "serverAuth"},
	    {NID_subject_alt_name, NULL},
	    {NID_subject_key_identifier, "hash"},
	    {NID_authority_key_identifier, "keyid:always"},
	};
	char cn[X509GEN_CN_MAX + 1], *norm = NULL;
	int rc;

	assert(ca_key && ca_cert && san);
	*key = NULL;
	*cert = NULL;
	rc = x509gen_check_days(days, err);
	if (rc)
		return rc;
	if (X509_check_private_key(ca_cert, ca_key) != 1)
		return cb_error_set_ssl(err, CB_ECRYPTO,
					"CA key does not match the CA "
					"certificate");
	norm = malloc(strlen(san) + 1);
	if (!norm)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	rc = x509gen_parse_san(san, norm, cn, err);
	if (rc)
		goto out;
	ext[3].value = norm;
	rc = x509gen_key(key, err);
	if (!rc)
		rc = x509gen_cert(*key, cn, ca_cert, ca_key, days, ext,
				  sizeof(ext) / sizeof(ext[0]), cert, err);
out:
	if (rc) {
		EVP_PKEY_free(*key);
		*key = NULL;
	}
	free(norm);
	return rc;
}

/* Encrypted keys are refused instead of prompting on the terminal. */
static int x509gen_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int x509_load_pair(const char *cert_file, const char *key_file, X509 **cert,
		   EVP_PKEY **key, struct cb_error *err)
{
	struct cb_buf b;
	BIO *bio;
	int rc;

	*cert = NULL;
	*key = NULL;
	rc = cb_buf_read_file(&b, cert_file, X509GEN_PEM_MAX, err);
	if (rc)
		return rc;
	bio = BIO_new_mem_buf(b.data, (int)b.len);
	if (bio)
		*cert =
		    PEM_read_bio_X509(bio, NULL, x509gen_no_passphrase, NULL);
	BIO_free(bio);
	cb_buf_release(&b);
	if (!*cert) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "not a PEM certificate");
		cb_error_at(err, cert_file, 0, 0);
		goto out;
	}
	rc = cb_buf_read_file(&b, key_file, X509GEN_PEM_MAX, err);
	if (rc)
		goto out;
	bio = BIO_new_mem_buf(b.data, (int)b.len);
	if (bio)
		*key = PEM_read_bio_PrivateKey(bio, NULL, x509gen_no_passphrase,
					       NULL);
	BIO_free(bio);
	OPENSSL_cleanse(b.data, b.len);
	cb_buf_release(&b);
	if (!*key) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO,
				      "not an unencrypted PEM private key");
		cb_error_at(err, key_file, 0, 0);
		goto out;
	}
	if (X509_check_private_key(*cert, *key) != 1) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO,
				      "key does not match the certificate");
		cb_error_at(err, key_file, 0, 0);
	}
out:
	if (rc) {
		X509_free(*cert);
		EVP_PKEY_free(*key);
		*cert = NULL;
		*key = NULL;
	}
	return rc;
}

void x509_fingerprint(X509 *cert, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, k;

	assert(cert);
	out[0] = '\0';
	if (!X509_digest(cert, EVP_sha256(), md, &n) || n != 32) {
		ERR_clear_error();
		return;
	}
	for (k = 0; k < n; k++) {
		out[2 * k] = hex[md[k] >> 4];
		out[2 * k + 1] = hex[md[k] & 0x0f];
	}
	out[64] = '\0';
}
