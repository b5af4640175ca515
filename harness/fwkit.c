/*
 * fwkit.c - misuse variants of a signed firmware image (see fwkit.h).
 *
 * Every variant starts as a copy of the genuine image and changes as little
 * as the attack needs: a flip is one bit, so a device that checks only a
 * length, a CRC over part of the image or a prefix of the signature shows.
 * The foreign-key variant is a well-formed image whose signature verifies,
 * only not under the manufacturer's key; a device that trusts the key the
 * image carries accepts it.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cb_hash.h"
#include "harness/fwkit.h"

/* The shortest DER ECDSA signature (two one-byte integers), and the RSA
 * moduli OpenSSL generates in reasonable time. */
#define FW_DER_MIN 8
#define FW_RSA_MIN 64
#define FW_RSA_MAX 1024
#define FW_P256_COORD 32

static const char *const fw_sigalg_names[] = {
	[FW_SIG_UNKNOWN] = "unknown",
	[FW_SIG_ECDSA_P256_RAW] = "ecdsa-p256-sha256",
	[FW_SIG_ECDSA_P256_DER] = "ecdsa-p256-sha256-der",
	[FW_SIG_ED25519] = "ed25519",
	[FW_SIG_RSA_PKCS1_SHA256] = "rsa-pkcs1-sha256",
};
#define FW_NSIGALG (sizeof(fw_sigalg_names) / sizeof(fw_sigalg_names[0]))

static const char *const fw_attack_names[FW_N_ATTACKS] = {
	[FW_FLIP_HEADER] = "flip-header",
	[FW_FLIP_PAYLOAD] = "flip-payload",
	[FW_FLIP_SIGNATURE] = "flip-signature",
	[FW_TRUNCATE] = "truncate",
	[FW_STRIP_SIGNATURE] = "strip-signature",
	[FW_FOREIGN_KEY] = "foreign-key",
};

int fw_sigalg_parse(const char *name, enum fw_sigalg *out)
{
	size_t k;

	*out = FW_SIG_UNKNOWN;
	if (!name)
		return -1;
	for (k = FW_SIG_UNKNOWN + 1; k < FW_NSIGALG; k++) {
		if (!strcasecmp(name, fw_sigalg_names[k])) {
			*out = (enum fw_sigalg)k;
			return 0;
		}
	}
	return -1;
}

const char *fw_sigalg_name(enum fw_sigalg a)
{
	if ((unsigned)a >= FW_NSIGALG)
		return "unknown";
	return fw_sigalg_names[a];
}

const char *fw_attack_name(enum fw_attack a)
{
	if ((unsigned)a >= FW_N_ATTACKS)
		return "unknown";
	return fw_attack_names[a];
}

int fw_attack_parse(const char *name, enum fw_attack *out)
{
	size_t k;

	for (k = 0; name && k < FW_N_ATTACKS; k++) {
		if (!strcmp(name, fw_attack_names[k])) {
			*out = (enum fw_attack)k;
			return 0;
		}
	}
	return -1;
}

/* Bytes of the raw public key the image carries for alg, 0 if none. */
static size_t fw_key_len(enum fw_sigalg alg)
{
	switch (alg) {
	case FW_SIG_ECDSA_P256_RAW:
	case FW_SIG_ECDSA_P256_DER:
		return FW_P256_KEY_LEN;
	case FW_SIG_ED25519:
		return FW_ED25519_KEY_LEN;
	default:
		return 0;
	}
}

/* ---- the layout ---- */

static int fw_check_sig_len(const struct fw_layout *l, struct cb_error *err)
{
	const char *name = fw_sigalg_name(l->alg);

	switch (l->alg) {
	case FW_SIG_UNKNOWN:
		return CB_OK;
	case FW_SIG_ECDSA_P256_RAW:
	case FW_SIG_ED25519:
		if (l->sig_len == 64)
			return CB_OK;
		return cb_error_set(err, CB_EINVAL,
				    "%s signatures are 64 bytes, not %zu", name,
				    l->sig_len);
	case FW_SIG_ECDSA_P256_DER:
		if (l->sig_len >= FW_DER_MIN)
			return CB_OK;
		return cb_error_set(err, CB_EINVAL,
				    "%s signatures need at least %d bytes, not "
				    "%zu", name, FW_DER_MIN, l->sig_len);
	case FW_SIG_RSA_PKCS1_SHA256:
		if (l->sig_len >= FW_RSA_MIN && l->sig_len <= FW_RSA_MAX)
			return CB_OK;
		return cb_error_set(err, CB_EINVAL,
				    "%s signatures are %d to %d bytes (the "
				    "modulus), not %zu", name, FW_RSA_MIN,
				    FW_RSA_MAX, l->sig_len);
	}
	return cb_error_set(err, CB_EINVAL, "unknown signature algorithm %d",
			    (int)l->alg);
}

static int fw_check_key(const struct fw_layout *l, struct cb_error *err)
{
	size_t klen = fw_key_len(l->alg);
	size_t off = (size_t)l->key_offset;

	if (l->key_offset == -1)
		return CB_OK;
	if (l->key_offset < 0)
		return cb_error_set(err, CB_EINVAL,
				    "key_offset %ld is neither -1 nor an "
				    "offset", l->key_offset);
	if (l->alg == FW_SIG_RSA_PKCS1_SHA256)
		return cb_error_set(err, CB_EINVAL,
				    "key_offset must be -1 for %s: an image "
				    "cannot carry a raw RSA key",
				    fw_sigalg_name(l->alg));
	/* Without an algorithm the key has no known size; it must at least
	 * start in the header. */
	if (!klen && off >= l->header_len)
		return cb_error_set(err, CB_EINVAL,
				    "key_offset %ld is outside the header "
				    "[0, %zu)", l->key_offset, l->header_len);
	if (klen && (off >= l->header_len || klen > l->header_len - off))
		return cb_error_set(err, CB_EINVAL,
				    "signer key at key_offset %ld (%zu bytes) "
				    "runs past the %zu-byte header",
				    l->key_offset, klen, l->header_len);
	return CB_OK;
}

static int fw_check_flip(const char *field, long at, const char *region,
			 size_t start, size_t end, struct cb_error *err)
{
	if (at == -1)
		return CB_OK;
	if (at < 0)
		return cb_error_set(err, CB_EINVAL,
				    "%s %ld is neither -1 nor an offset", field,
				    at);
	if ((size_t)at < start || (size_t)at >= end)
		return cb_error_set(err, CB_EINVAL,
				    "%s %ld is outside the %s [%zu, %zu)",
				    field, at, region, start, end);
	return CB_OK;
}

int fw_layout_check(const struct fw_layout *l, size_t image_len,
		    struct cb_error *err)
{
	size_t hl = l->header_len, sl = l->sig_len;
	int rc;

	if (hl < 1)
		return cb_error_set(err, CB_EINVAL,
				    "header_len must be at least 1");
	if (sl < 1)
		return cb_error_set(err, CB_EINVAL,
				    "sig_len must be at least 1");
	rc = fw_check_sig_len(l, err);
	if (rc)
		return rc;
	if (hl >= image_len)
		return cb_error_set(err, CB_EINVAL,
				    "image of %zu bytes is too short for a "
				    "%zu-byte header", image_len, hl);
	if (sl >= image_len)
		return cb_error_set(err, CB_EINVAL,
				    "image of %zu bytes is too short for a "
				    "%zu-byte signature", image_len, sl);
	if (hl > image_len - sl)
		return cb_error_set(err, CB_EINVAL,
				    "header [0, %zu) and signature [%zu, %zu) "
				    "overlap", hl, image_len - sl, image_len);
	if (hl == image_len - sl)
		return cb_error_set(err, CB_EINVAL,
				    "header [0, %zu) and signature [%zu, %zu) "
				    "leave no payload", hl, hl, image_len);
	rc = fw_check_key(l, err);
	if (!rc)
		rc = fw_check_flip("flip_header", l->flip_header, "header", 0,
				   hl, err);
	if (!rc)
		rc = fw_check_flip("flip_payload", l->flip_payload, "payload",
				   hl, image_len - sl, err);
	if (!rc)
		rc = fw_check_flip("flip_signature", l->flip_signature,
				   "signature", image_len - sl, image_len, err);
	return rc;
}

/* ---- the variants ---- */

void fw_image_release(struct fw_image *im)
{
	if (!im)
		return;
	free(im->data);
	memset(im, 0, sizeof(*im));
}

static int fw_copy(struct fw_image *out, const unsigned char *img,
		   size_t len, struct cb_error *err)
{
	out->data = malloc(len ? len : 1);
	if (!out->data)
		return cb_error_set(err, CB_ENOMEM, "no memory for %zu bytes",
				    len);
	memcpy(out->data, img, len);
	out->len = len;
	return CB_OK;
}

/* Middle of the DER encoding when the signature region starts with a
 * short-form SEQUENCE that fits it, else the middle of the region. */
static size_t fw_sig_middle(const struct fw_layout *l,
			    const unsigned char *img, size_t len)
{
	const unsigned char *s = img + len - l->sig_len;
	size_t der;

	if (l->alg == FW_SIG_ECDSA_P256_DER && s[0] == 0x30 && s[1] < 0x80) {
		der = 2 + (size_t)s[1];
		if (der <= l->sig_len)
			return len - l->sig_len + der / 2;
	}
	return len - l->sig_len + l->sig_len / 2;
}

static int fw_flip(const struct fw_layout *l, const unsigned char *img,
		   size_t len, enum fw_attack a, struct fw_image *out,
		   struct cb_error *err)
{
	static const char *const region[] = {"header", "payload",
					     "signature"};
	size_t at;
	int rc;

	switch (a) {
	case FW_FLIP_HEADER:
		at = l->flip_header >= 0 ? (size_t)l->flip_header
					 : l->header_len / 2;
		break;
	case FW_FLIP_PAYLOAD:
		at = l->flip_payload >= 0
			     ? (size_t)l->flip_payload
			     : l->header_len +
				       (len - l->sig_len - l->header_len) / 2;
		break;
	default:
		at = l->flip_signature >= 0 ? (size_t)l->flip_signature
					    : fw_sig_middle(l, img, len);
		break;
	}
	rc = fw_copy(out, img, len, err);
	if (rc)
		return rc;
	out->data[at] ^= 0x01;
	snprintf(out->what, sizeof(out->what), "bit 0 of byte %zu (%s) flipped",
		 at, region[a - FW_FLIP_HEADER]);
	return CB_OK;
}

/* ---- re-signing with a fresh key ---- */

static EVP_PKEY *fw_keygen(const struct fw_layout *l, struct cb_error *err)
{
	EVP_PKEY *key = NULL;

	switch (l->alg) {
	case FW_SIG_ECDSA_P256_RAW:
	case FW_SIG_ECDSA_P256_DER:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case FW_SIG_ED25519:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case FW_SIG_RSA_PKCS1_SHA256:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", l->sig_len * 8);
		break;
	default:
		break;
	}
	if (!key)
		cb_error_set_ssl(err, CB_ECRYPTO, "cannot generate a %s key",
				 fw_sigalg_name(l->alg));
	return key;
}

/* The fresh public key in the image's raw encoding at key_offset. */
static int fw_put_key(const struct fw_layout *l, EVP_PKEY *key,
		      unsigned char *data, struct cb_error *err)
{
	unsigned char pub[FW_P256_KEY_LEN];
	size_t klen = fw_key_len(l->alg), n = 0;
	int ok;

	if (l->key_offset < 0)
		return CB_OK;
	if (l->alg == FW_SIG_ED25519) {
		n = sizeof(pub);
		ok = EVP_PKEY_get_raw_public_key(key, pub, &n);
	} else {
		ok = EVP_PKEY_get_octet_string_param(
			key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &n);
		ok = ok && pub[0] == POINT_CONVERSION_UNCOMPRESSED;
	}
	if (!ok || n != klen)
		return cb_error_set_ssl(err, CB_ECRYPTO,
					"cannot encode the fresh %s public key",
					fw_sigalg_name(l->alg));
	memcpy(data + l->key_offset, pub, klen);
	return CB_OK;
}

/* OpenSSL's DER ECDSA signature as r||s, each 32 bytes big-endian. */
static int fw_der_to_raw(unsigned char *raw, const unsigned char *der,
			 size_t len, struct cb_error *err)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	int ok;

	sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	if (!sig)
		return cb_error_set_ssl(err, CB_ECRYPTO,
					"cannot decode the ECDSA signature");
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, raw, FW_P256_COORD) == FW_P256_COORD &&
	     BN_bn2binpad(s, raw + FW_P256_COORD, FW_P256_COORD) ==
		     FW_P256_COORD;
	ECDSA_SIG_free(sig);
	if (!ok)
		return cb_error_set(err, CB_ECRYPTO,
				    "ECDSA signature does not fit r||s");
	return CB_OK;
}

/* Sign data[0, tbs) with key into the signature region data[tbs, len). */
static int fw_sign(const struct fw_layout *l, EVP_PKEY *key,
		   unsigned char *data, size_t tbs, struct cb_error *err)
{
	const EVP_MD *md = l->alg == FW_SIG_ED25519 ? NULL : EVP_sha256();
	unsigned char *sig = NULL;
	EVP_MD_CTX *ctx;
	size_t n = 0;
	int rc = CB_OK;

	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, data, tbs) != 1) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "cannot start signing");
		goto out;
	}
	sig = malloc(n);
	if (!sig) {
		rc = cb_error_set(err, CB_ENOMEM, "no memory for a signature");
		goto out;
	}
	if (EVP_DigestSign(ctx, sig, &n, data, tbs) != 1) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "cannot sign");
		goto out;
	}
	if (l->alg == FW_SIG_ECDSA_P256_RAW) {
		rc = fw_der_to_raw(data + tbs, sig, n, err);
	} else if (n > l->sig_len) {
		rc = cb_error_set(err, CB_EINVAL,
				  "%s signature of %zu bytes does not fit the "
				  "%zu-byte signature region",
				  fw_sigalg_name(l->alg), n, l->sig_len);
	} else {
		/* Ed25519 and RSA fill the region exactly, DER is padded. */
		memset(data + tbs, 0, l->sig_len);
		memcpy(data + tbs, sig, n);
	}
out:
	free(sig);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int fw_foreign(const struct fw_layout *l, const unsigned char *img,
		      size_t len, struct fw_image *out, struct cb_error *err)
{
	static const char *const what[] = {
		[FW_SIG_ECDSA_P256_RAW] = "P-256",
		[FW_SIG_ECDSA_P256_DER] = "P-256",
		[FW_SIG_ED25519] = "Ed25519",
	};
	EVP_PKEY *key = NULL;
	char kind[32], where[64];
	int rc;

	if (l->alg == FW_SIG_UNKNOWN)
		return cb_error_set(err, CB_ENOTSUP,
				    "cannot re-sign: the signature algorithm "
				    "is not documented");
	key = fw_keygen(l, err);
	if (!key)
		return CB_ECRYPTO;
	rc = fw_copy(out, img, len, err);
	if (!rc)
		rc = fw_put_key(l, key, out->data, err);
	if (!rc)
		rc = fw_sign(l, key, out->data, len - l->sig_len, err);
	EVP_PKEY_free(key);
	if (rc)
		return rc;
	if (l->alg == FW_SIG_RSA_PKCS1_SHA256)
		snprintf(kind, sizeof(kind), "RSA-%zu", l->sig_len * 8);
	else
		snprintf(kind, sizeof(kind), "%s", what[l->alg]);
	if (l->key_offset >= 0)
		snprintf(where, sizeof(where),
			 "signer key at offset %ld replaced", l->key_offset);
	else
		snprintf(where, sizeof(where), "no signer key in the image");
	snprintf(out->what, sizeof(out->what),
		 "re-signed with a fresh %s key (%s)", kind, where);
	return CB_OK;
}

int fw_variant(const struct fw_layout *l, const unsigned char *img,
	       size_t len, enum fw_attack a, struct fw_image *out,
	       struct cb_error *err)
{
	int rc;

	assert(l && img && out);
	memset(out, 0, sizeof(*out));
	rc = fw_layout_check(l, len, err);
	if (rc)
		return rc;
	switch (a) {
	case FW_FLIP_HEADER:
	case FW_FLIP_PAYLOAD:
	case FW_FLIP_SIGNATURE:
		rc = fw_flip(l, img, len, a, out, err);
		break;
	case FW_TRUNCATE:
		rc = fw_copy(out, img, len / 2, err);
		if (!rc)
			snprintf(out->what, sizeof(out->what),
				 "cut to %zu of %zu bytes", len / 2, len);
		break;
	case FW_STRIP_SIGNATURE:
		rc = fw_copy(out, img, len - l->sig_len, err);
		if (!rc)
			snprintf(out->what, sizeof(out->what),
				 "signature (last %zu bytes) removed",
				 l->sig_len);
		break;
	case FW_FOREIGN_KEY:
		rc = fw_foreign(l, img, len, out, err);
		break;
	default:
		rc = cb_error_set(err, CB_EINVAL, "unknown attack %d", (int)a);
		break;
	}
	if (rc) {
		fw_image_release(out);
		return rc;
	}
	cb_sha256_hex(out->sha256, out->data, out->len);
	return CB_OK;
}

int fw_load(const char *path, size_t max, struct fw_image *out,
	    struct cb_error *err)
{
	struct cb_buf b;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = cb_buf_read_file(&b, path, max, err);
	if (rc)
		return rc;
	out->data = (unsigned char *)cb_buf_detach(&b, &out->len);
	cb_sha256_hex(out->sha256, out->data, out->len);
	snprintf(out->what, sizeof(out->what), "read from %s", path);
	return CB_OK;
}
