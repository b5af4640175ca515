/*
 * check_fwkit.c - the firmware misuse variants, against genuine images the
 * test builds and signs itself (P-256 raw and DER, Ed25519, RSA-2048).
 * Each row of kinds[] is one image layout; every attack runs on every row
 * and is checked byte for byte against the genuine image, and signatures
 * are verified here with OpenSSL directly, not with fwkit's code.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "harness/cb_error.h"
#include "harness/fwkit.h"

#define PAYLOAD_LEN 4096
/* The signature offset is the genuine DER encoding's middle byte. */
#define DER_MIDDLE ((size_t)-1)

struct kind {
	const char *name;
	enum fw_sigalg alg;
	size_t header_len, sig_len;
	long key_offset;
	long flip[3];		/* header, payload, signature; -1 default */
	size_t want[3];		/* the byte each flip must change */
};

static const struct kind kinds[] = {
	/* 160 + 4096 + 64 = 4320 bytes */
	{"p256 raw", FW_SIG_ECDSA_P256_RAW, 160, 64, 64, {-1, -1, -1},
	 {80, 2208, 4288}},
	{"p256 raw, flips at region edges", FW_SIG_ECDSA_P256_RAW, 160, 64, 64,
	 {0, 160, 4319}, {0, 160, 4319}},
	{"p256 raw, flips inside", FW_SIG_ECDSA_P256_RAW, 160, 64, 64,
	 {159, 4255, 4256}, {159, 4255, 4256}},
	/* 160 + 4096 + 72 */
	{"p256 der", FW_SIG_ECDSA_P256_DER, 160, 72, 64, {-1, -1, -1},
	 {80, 2208, DER_MIDDLE}},
	/* The middle of a 160-byte slot would be padding. */
	{"p256 der, wide slot", FW_SIG_ECDSA_P256_DER, 160, 160, 0,
	 {-1, -1, -1}, {80, 2208, DER_MIDDLE}},
	/* 96 + 4096 + 64 */
	{"ed25519", FW_SIG_ED25519, 96, 64, 16, {-1, -1, -1},
	 {48, 2144, 4224}},
	{"ed25519, key at the end of the header", FW_SIG_ED25519, 96, 64, 64,
	 {-1, 3000, -1}, {48, 3000, 4224}},
	/* 128 + 4096 + 256 */
	{"rsa-2048", FW_SIG_RSA_PKCS1_SHA256, 128, 256, -1, {-1, -1, -1},
	 {64, 2176, 4352}},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static EVP_PKEY *p256_key, *ed_key, *rsa_key;

struct genuine {
	unsigned char *data;
	size_t len;
};
static struct genuine genuine[NKINDS];

static EVP_PKEY *kind_key(const struct kind *k)
{
	switch (k->alg) {
	case FW_SIG_ED25519:
		return ed_key;
	case FW_SIG_RSA_PKCS1_SHA256:
		return rsa_key;
	default:
		return p256_key;
	}
}

static void layout_of(struct fw_layout *l, const struct kind *k)
{
	memset(l, 0, sizeof(*l));
	l->header_len = k->header_len;
	l->sig_len = k->sig_len;
	l->alg = k->alg;
	l->key_offset = k->key_offset;
	l->flip_header = k->flip[0];
	l->flip_payload = k->flip[1];
	l->flip_signature = k->flip[2];
}

/* ---- signing and verifying, independently of fwkit ---- */

/* The DER inside a zero-padded DER signature region, or 0. */
static size_t der_len(const unsigned char *sig, size_t sig_len)
{
	if (sig[0] != 0x30 || sig[1] >= 0x80 || 2u + sig[1] > sig_len)
		return 0;
	return 2u + sig[1];
}

/* Signature of img[0, tbs) in the layout's encoding at img + tbs. */
static void sign_into(const struct kind *k, EVP_PKEY *key, unsigned char *img,
		      size_t tbs)
{
	const EVP_MD *md = k->alg == FW_SIG_ED25519 ? NULL : EVP_sha256();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[600];
	const unsigned char *p = sig;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	size_t n = sizeof(sig);

	ck_assert(EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1);
	ck_assert(EVP_DigestSign(ctx, sig, &n, img, tbs) == 1);
	EVP_MD_CTX_free(ctx);
	memset(img + tbs, 0, k->sig_len);
	if (k->alg != FW_SIG_ECDSA_P256_RAW) {
		ck_assert_uint_le(n, k->sig_len);
		memcpy(img + tbs, sig, n);
		return;
	}
	es = d2i_ECDSA_SIG(NULL, &p, (long)n);
	ck_assert_ptr_nonnull(es);
	ECDSA_SIG_get0(es, &r, &s);
	ck_assert_int_eq(BN_bn2binpad(r, img + tbs, 32), 32);
	ck_assert_int_eq(BN_bn2binpad(s, img + tbs + 32, 32), 32);
	ECDSA_SIG_free(es);
}

/* 1 if the signature region of img verifies under key, else 0. */
static int verifies(const struct kind *k, EVP_PKEY *key,
		    const unsigned char *img, size_t len)
{
	const EVP_MD *md = k->alg == FW_SIG_ED25519 ? NULL : EVP_sha256();
	const unsigned char *sig = img + len - k->sig_len;
	unsigned char der[80], *p = der;
	size_t n = k->sig_len;
	ECDSA_SIG *es = NULL;
	EVP_MD_CTX *ctx;
	int ok;

	if (k->alg == FW_SIG_ECDSA_P256_RAW) {
		es = ECDSA_SIG_new();
		ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
			       BN_bin2bn(sig + 32, 32, NULL));
		n = (size_t)i2d_ECDSA_SIG(es, &p);
		ECDSA_SIG_free(es);
		sig = der;
	} else if (k->alg == FW_SIG_ECDSA_P256_DER) {
		n = der_len(sig, k->sig_len);
		if (!n)
			return 0;
	}
	ctx = EVP_MD_CTX_new();
	ck_assert(EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1);
	ok = EVP_DigestVerify(ctx, sig, n, img, len - k->sig_len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static size_t raw_key_len(const struct kind *k)
{
	return k->alg == FW_SIG_ED25519 ? 32 : 65;
}

static void raw_public_key(unsigned char *out, const struct kind *k,
			   EVP_PKEY *key)
{
	unsigned char *pub = NULL;
	size_t n = 32;

	if (k->alg == FW_SIG_ED25519) {
		ck_assert(EVP_PKEY_get_raw_public_key(key, out, &n) == 1);
		ck_assert_uint_eq(n, 32);
		return;
	}
	n = EVP_PKEY_get1_encoded_public_key(key, &pub);
	ck_assert_uint_eq(n, 65);
	memcpy(out, pub, n);
	OPENSSL_free(pub);
}

static EVP_PKEY *key_from_raw(const struct kind *k, const unsigned char *raw)
{
	char group[] = "P-256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
					(void *)raw, 65),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;

	if (k->alg == FW_SIG_ED25519)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw,
						   32);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	ck_assert(EVP_PKEY_fromdata_init(ctx) == 1);
	ck_assert(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) ==
		  1);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static void sha256_hex(char out[65], const unsigned char *p, size_t n)
{
	unsigned char md[32];
	unsigned int len = 0, k;

	ck_assert(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) == 1);
	for (k = 0; k < len; k++)
		snprintf(out + 2 * k, 3, "%02x", md[k]);
}

/* ---- the genuine images ---- */

static void build_genuine(struct genuine *g, const struct kind *k)
{
	size_t i;

	g->len = k->header_len + PAYLOAD_LEN + k->sig_len;
	g->data = malloc(g->len);
	ck_assert_ptr_nonnull(g->data);
	memcpy(g->data, "FWHD", 4);
	for (i = 4; i < k->header_len; i++)
		g->data[i] = (unsigned char)(i * 7 + 1);
	for (i = 0; i < PAYLOAD_LEN; i++)
		g->data[k->header_len + i] = (unsigned char)(i * 31 + 7);
	if (k->key_offset >= 0)
		raw_public_key(g->data + k->key_offset, k, kind_key(k));
	sign_into(k, kind_key(k), g->data, g->len - k->sig_len);
}

static void genuine_setup(void)
{
	size_t i;

	p256_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ck_assert(p256_key && ed_key && rsa_key);
	for (i = 0; i < NKINDS; i++)
		build_genuine(&genuine[i], &kinds[i]);
}

static void genuine_teardown(void)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		free(genuine[i].data);
	EVP_PKEY_free(p256_key);
	EVP_PKEY_free(ed_key);
	EVP_PKEY_free(rsa_key);
}

START_TEST(genuine_images_verify)
{
	const struct kind *k = &kinds[_i];

	ck_assert_msg(verifies(k, kind_key(k), genuine[_i].data,
			       genuine[_i].len),
		      "%s: the genuine image does not verify", k->name);
	if (k->alg == FW_SIG_ECDSA_P256_DER)
		ck_assert_uint_gt(der_len(genuine[_i].data + genuine[_i].len -
						  k->sig_len,
					  k->sig_len),
				  0);
}
END_TEST

/* ---- every attack on every image ---- */

static void check_flip(const struct kind *k, const struct genuine *g,
		       enum fw_attack a, const struct fw_image *v)
{
	static const char *const region[] = {"header", "payload",
					     "signature"};
	size_t r = (size_t)(a - FW_FLIP_HEADER), want = k->want[r], i, diffs;
	char what[200];

	if (want == DER_MIDDLE)
		want = g->len - k->sig_len +
		       der_len(g->data + g->len - k->sig_len, k->sig_len) / 2;
	ck_assert_uint_eq(v->len, g->len);
	for (i = 0, diffs = 0; i < g->len; i++) {
		if (v->data[i] == g->data[i])
			continue;
		diffs++;
		ck_assert_msg(i == want, "%s: byte %zu changed, want %zu",
			      k->name, i, want);
		ck_assert_uint_eq(v->data[i] ^ g->data[i], 0x01);
	}
	ck_assert_uint_eq(diffs, 1);
	snprintf(what, sizeof(what), "bit 0 of byte %zu (%s) flipped", want,
		 region[r]);
	ck_assert_str_eq(v->what, what);
	ck_assert_msg(!verifies(k, kind_key(k), v->data, v->len),
		      "%s: the genuine signature still verifies", k->name);
}

static void check_foreign(const struct kind *k, const struct genuine *g,
			  const struct fw_image *v)
{
	const size_t tbs = g->len - k->sig_len;
	size_t koff = (size_t)k->key_offset, klen = raw_key_len(k), n;
	EVP_PKEY *fresh;
	char what[200];

	ck_assert_uint_eq(v->len, g->len);
	ck_assert_msg(!verifies(k, kind_key(k), v->data, v->len),
		      "%s: verifies under the manufacturer's key", k->name);
	ck_assert(memcmp(v->data + tbs, g->data + tbs, k->sig_len));
	/* The payload is untouched, the header but for the key too. */
	ck_assert(!memcmp(v->data + k->header_len, g->data + k->header_len,
			  tbs - k->header_len));
	if (k->alg == FW_SIG_ECDSA_P256_DER) {
		n = der_len(v->data + tbs, k->sig_len);
		ck_assert_uint_gt(n, 0);
		for (; n < k->sig_len; n++)
			ck_assert_uint_eq(v->data[tbs + n], 0);
	}
	if (k->key_offset < 0) {
		ck_assert(!memcmp(v->data, g->data, k->header_len));
		snprintf(what, sizeof(what), "re-signed with a fresh RSA-%zu "
			 "key (no signer key in the image)", k->sig_len * 8);
		ck_assert_str_eq(v->what, what);
		return;
	}
	ck_assert(!memcmp(v->data, g->data, koff));
	ck_assert(!memcmp(v->data + koff + klen, g->data + koff + klen,
			  k->header_len - koff - klen));
	ck_assert(memcmp(v->data + koff, g->data + koff, klen));
	fresh = key_from_raw(k, v->data + koff);
	ck_assert_ptr_nonnull(fresh);
	ck_assert_msg(verifies(k, fresh, v->data, v->len),
		      "%s: does not verify under the key it carries", k->name);
	EVP_PKEY_free(fresh);
	snprintf(what, sizeof(what), "re-signed with a fresh %s key (signer "
		 "key at offset %ld replaced)",
		 k->alg == FW_SIG_ED25519 ? "Ed25519" : "P-256", k->key_offset);
	ck_assert_str_eq(v->what, what);
}

START_TEST(each_attack_on_each_image)
{
	const struct kind *k = &kinds[_i / FW_N_ATTACKS];
	const struct genuine *g = &genuine[_i / FW_N_ATTACKS];
	enum fw_attack a = (enum fw_attack)(_i % FW_N_ATTACKS);
	struct cb_error err = {0};
	struct fw_layout l;
	struct fw_image v;
	char sha[65], what[200];

	layout_of(&l, k);
	ck_assert_msg(fw_variant(&l, g->data, g->len, a, &v, &err) == CB_OK,
		      "%s, %s: %s", k->name, fw_attack_name(a), err.text);
	sha256_hex(sha, v.data, v.len);
	ck_assert_str_eq(v.sha256, sha);
	switch (a) {
	case FW_FLIP_HEADER:
	case FW_FLIP_PAYLOAD:
	case FW_FLIP_SIGNATURE:
		check_flip(k, g, a, &v);
		break;
	case FW_TRUNCATE:
		ck_assert_uint_eq(v.len, g->len / 2);
		ck_assert(!memcmp(v.data, g->data, v.len));
		snprintf(what, sizeof(what), "cut to %zu of %zu bytes",
			 g->len / 2, g->len);
		ck_assert_str_eq(v.what, what);
		break;
	case FW_STRIP_SIGNATURE:
		ck_assert_uint_eq(v.len, g->len - k->sig_len);
		ck_assert(!memcmp(v.data, g->data, v.len));
		snprintf(what, sizeof(what),
			 "signature (last %zu bytes) removed", k->sig_len);
		ck_assert_str_eq(v.what, what);
		break;
	default:
		check_foreign(k, g, &v);
		break;
	}
	fw_image_release(&v);
	ck_assert_ptr_null(v.data);
	ck_assert_uint_eq(v.len, 0);
}
END_TEST

START_TEST(texts_of_the_first_image)
{
	static const char *const want[FW_N_ATTACKS] = {
		"bit 0 of byte 80 (header) flipped",
		"bit 0 of byte 2208 (payload) flipped",
		"bit 0 of byte 4288 (signature) flipped",
		"cut to 2160 of 4320 bytes",
		"signature (last 64 bytes) removed",
		"re-signed with a fresh P-256 key (signer key at offset 64 "
		"replaced)",
	};
	struct fw_layout l;
	struct fw_image v;
	int a;

	layout_of(&l, &kinds[0]);
	for (a = 0; a < FW_N_ATTACKS; a++) {
		ck_assert_int_eq(fw_variant(&l, genuine[0].data, genuine[0].len,
					    (enum fw_attack)a, &v, NULL),
				 CB_OK);
		ck_assert_str_eq(v.what, want[a]);
		fw_image_release(&v);
	}
}
END_TEST

/* ---- names ---- */

START_TEST(names)
{
	static const struct {
		const char *name;
		int rc;
		enum fw_sigalg alg;
	} algs[] = {
		{"ecdsa-p256-sha256", 0, FW_SIG_ECDSA_P256_RAW},
		{"ecdsa-p256-sha256-der", 0, FW_SIG_ECDSA_P256_DER},
		{"ed25519", 0, FW_SIG_ED25519},
		{"Ed25519", 0, FW_SIG_ED25519},
		{"rsa-pkcs1-sha256", 0, FW_SIG_RSA_PKCS1_SHA256},
		{"ecdsa", -1, FW_SIG_UNKNOWN},
		{"ecdsa-p256-sha256-", -1, FW_SIG_UNKNOWN},
		{"unknown", -1, FW_SIG_UNKNOWN},
		{"", -1, FW_SIG_UNKNOWN},
		{NULL, -1, FW_SIG_UNKNOWN},
	};
	static const char *const attacks[FW_N_ATTACKS] = {
		"flip-header", "flip-payload",	  "flip-signature",
		"truncate",    "strip-signature", "foreign-key",
	};
	enum fw_sigalg alg;
	enum fw_attack a;
	size_t k;

	for (k = 0; k < sizeof(algs) / sizeof(algs[0]); k++) {
		alg = FW_SIG_ED25519;
		ck_assert_int_eq(fw_sigalg_parse(algs[k].name, &alg),
				 algs[k].rc);
		ck_assert_int_eq(alg, algs[k].alg);
		if (!algs[k].rc && strcmp(algs[k].name, "Ed25519"))
			ck_assert_str_eq(fw_sigalg_name(alg), algs[k].name);
	}
	ck_assert_str_eq(fw_sigalg_name(FW_SIG_UNKNOWN), "unknown");
	ck_assert_str_eq(fw_sigalg_name((enum fw_sigalg)99), "unknown");
	for (k = 0; k < FW_N_ATTACKS; k++) {
		ck_assert_str_eq(fw_attack_name((enum fw_attack)k), attacks[k]);
		ck_assert_int_eq(fw_attack_parse(attacks[k], &a), 0);
		ck_assert_int_eq(a, k);
	}
	ck_assert_str_eq(fw_attack_name(FW_N_ATTACKS), "unknown");
	ck_assert_int_eq(fw_attack_parse("flip", &a), -1);
	ck_assert_int_eq(fw_attack_parse(NULL, &a), -1);
}
END_TEST

/* ---- layout errors ---- */

#define RAW(h, s, k) {h, s, FW_SIG_ECDSA_P256_RAW, k, -1, -1, -1}

static const struct {
	const char *name;
	struct fw_layout l;
	size_t len;
	const char *text;	/* NULL: the layout is fine */
} layouts[] = {
	{"fits", RAW(160, 64, 64), 4320, NULL},
	{"one-byte payload", RAW(160, 64, 64), 225, NULL},
	{"key fills the header", RAW(160, 64, 95), 4320, NULL},
	{"no header", RAW(0, 64, -1), 4320, "header_len must be at least 1"},
	{"no signature", {160, 0, FW_SIG_UNKNOWN, -1, -1, -1, -1}, 4320,
	 "sig_len must be at least 1"},
	{"image shorter than the header", RAW(160, 64, 64), 100,
	 "image of 100 bytes is too short for a 160-byte header"},
	{"image as long as the header", RAW(160, 64, 64), 160,
	 "image of 160 bytes is too short for a 160-byte header"},
	{"image shorter than the signature", RAW(16, 64, -1), 64,
	 "image of 64 bytes is too short for a 64-byte signature"},
	{"regions overlap", RAW(4300, 64, 64), 4320,
	 "header [0, 4300) and signature [4256, 4320) overlap"},
	{"no payload", RAW(160, 64, 64), 224,
	 "header [0, 160) and signature [160, 224) leave no payload"},
	{"raw signature of 72 bytes", RAW(160, 72, 64), 4320,
	 "ecdsa-p256-sha256 signatures are 64 bytes, not 72"},
	{"ed25519 signature of 63 bytes",
	 {96, 63, FW_SIG_ED25519, 16, -1, -1, -1}, 4320,
	 "ed25519 signatures are 64 bytes, not 63"},
	{"der signature of 4 bytes",
	 {96, 4, FW_SIG_ECDSA_P256_DER, -1, -1, -1, -1}, 4320,
	 "ecdsa-p256-sha256-der signatures need at least 8 bytes, not 4"},
	{"rsa signature of 32 bytes",
	 {96, 32, FW_SIG_RSA_PKCS1_SHA256, -1, -1, -1, -1}, 4320,
	 "rsa-pkcs1-sha256 signatures are 64 to 1024 bytes (the modulus), "
	 "not 32"},
	{"unknown algorithm", {96, 64, (enum fw_sigalg)42, -1, -1, -1, -1},
	 4320, "unknown signature algorithm 42"},
	{"key past the header", RAW(160, 64, 96), 4320,
	 "signer key at key_offset 96 (65 bytes) runs past the 160-byte "
	 "header"},
	{"key outside the header", RAW(160, 64, 200), 4320,
	 "signer key at key_offset 200 (65 bytes) runs past the 160-byte "
	 "header"},
	{"ed25519 key past the header",
	 {96, 64, FW_SIG_ED25519, 65, -1, -1, -1}, 4320,
	 "signer key at key_offset 65 (32 bytes) runs past the 96-byte "
	 "header"},
	{"negative key offset", RAW(160, 64, -2), 4320,
	 "key_offset -2 is neither -1 nor an offset"},
	{"rsa key in the image",
	 {128, 256, FW_SIG_RSA_PKCS1_SHA256, 0, -1, -1, -1}, 4480,
	 "key_offset must be -1 for rsa-pkcs1-sha256: an image cannot carry "
	 "a raw RSA key"},
	{"undocumented algorithm, key in the header",
	 {160, 64, FW_SIG_UNKNOWN, 150, -1, -1, -1}, 4320, NULL},
	{"undocumented algorithm, key outside the header",
	 {160, 64, FW_SIG_UNKNOWN, 160, -1, -1, -1}, 4320,
	 "key_offset 160 is outside the header [0, 160)"},
	{"header flip in the payload",
	 {160, 64, FW_SIG_ECDSA_P256_RAW, 64, 160, -1, -1}, 4320,
	 "flip_header 160 is outside the header [0, 160)"},
	{"payload flip in the header",
	 {160, 64, FW_SIG_ECDSA_P256_RAW, 64, -1, 10, -1}, 4320,
	 "flip_payload 10 is outside the payload [160, 4256)"},
	{"payload flip in the signature",
	 {160, 64, FW_SIG_ECDSA_P256_RAW, 64, -1, 4256, -1}, 4320,
	 "flip_payload 4256 is outside the payload [160, 4256)"},
	{"signature flip past the end",
	 {160, 64, FW_SIG_ECDSA_P256_RAW, 64, -1, -1, 4320}, 4320,
	 "flip_signature 4320 is outside the signature [4256, 4320)"},
	{"signature flip in the payload",
	 {160, 64, FW_SIG_ECDSA_P256_RAW, 64, -1, -1, 4255}, 4320,
	 "flip_signature 4255 is outside the signature [4256, 4320)"},
	{"negative flip offset",
	 {160, 64, FW_SIG_ECDSA_P256_RAW, 64, -1, -7, -1}, 4320,
	 "flip_payload -7 is neither -1 nor an offset"},
};

START_TEST(layout_errors)
{
	struct cb_error err = {0};
	struct fw_image v;
	unsigned char *img;
	int rc;

	rc = fw_layout_check(&layouts[_i].l, layouts[_i].len, &err);
	if (!layouts[_i].text) {
		ck_assert_msg(rc == CB_OK, "%s: %s", layouts[_i].name,
			      err.text);
		return;
	}
	ck_assert_int_eq(rc, CB_EINVAL);
	ck_assert_str_eq(err.text, layouts[_i].text);
	/* fw_variant checks the layout first and leaves nothing behind. */
	img = calloc(1, layouts[_i].len);
	cb_error_clear(&err);
	ck_assert_int_eq(fw_variant(&layouts[_i].l, img, layouts[_i].len,
				    FW_TRUNCATE, &v, &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, layouts[_i].text);
	ck_assert_ptr_null(v.data);
	ck_assert_uint_eq(v.len, 0);
	free(img);
}
END_TEST

/* ---- what cannot be done ---- */

START_TEST(undocumented_algorithm)
{
	const struct genuine *g = &genuine[0];
	struct fw_layout l;
	struct cb_error err = {0};
	struct fw_image v;
	int a;

	layout_of(&l, &kinds[0]);
	l.alg = FW_SIG_UNKNOWN;
	for (a = 0; a < FW_FOREIGN_KEY; a++) {
		ck_assert_int_eq(fw_variant(&l, g->data, g->len,
					    (enum fw_attack)a, &v, &err),
				 CB_OK);
		fw_image_release(&v);
	}
	ck_assert_int_eq(fw_variant(&l, g->data, g->len, FW_FOREIGN_KEY, &v,
				    &err),
			 CB_ENOTSUP);
	ck_assert_str_eq(err.text, "cannot re-sign: the signature algorithm "
				   "is not documented");
	ck_assert_ptr_null(v.data);
	cb_error_clear(&err);
	ck_assert_int_eq(fw_variant(&l, g->data, g->len, FW_N_ATTACKS, &v,
				    &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, "unknown attack 6");
}
END_TEST

START_TEST(der_signature_must_fit)
{
	const struct genuine *g = &genuine[0];
	struct fw_layout l = {160, 16, FW_SIG_ECDSA_P256_DER, 64, -1, -1, -1};
	struct cb_error err = {0};
	struct fw_image v;

	ck_assert_int_eq(fw_variant(&l, g->data, g->len, FW_FOREIGN_KEY, &v,
				    &err),
			 CB_EINVAL);
	/* The DER length varies from one signature to the next. */
	ck_assert_msg(!strncmp(err.text, "ecdsa-p256-sha256-der signature of ",
			       35), "%s", err.text);
	ck_assert_msg(strstr(err.text, " bytes does not fit the 16-byte "
				       "signature region"), "%s", err.text);
	ck_assert_ptr_null(v.data);
}
END_TEST

/* ---- loading ---- */

START_TEST(load)
{
	char path[] = "/tmp/check_fwkit.XXXXXX", sha[65], buf[600];
	const struct genuine *g = &genuine[0];
	struct cb_error err = {0};
	struct fw_image im, v;
	struct fw_layout l;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "wb");
	ck_assert_uint_eq(fwrite(g->data, 1, g->len, fp), g->len);
	fclose(fp);

	ck_assert_int_eq(fw_load(path, g->len, &im, &err), CB_OK);
	ck_assert_uint_eq(im.len, g->len);
	ck_assert(!memcmp(im.data, g->data, g->len));
	sha256_hex(sha, g->data, g->len);
	ck_assert_str_eq(im.sha256, sha);
	snprintf(buf, sizeof(buf), "read from %s", path);
	ck_assert_str_eq(im.what, buf);
	layout_of(&l, &kinds[0]);
	ck_assert_int_eq(fw_variant(&l, im.data, im.len, FW_STRIP_SIGNATURE,
				    &v, &err),
			 CB_OK);
	ck_assert_uint_eq(v.len, g->len - 64);
	fw_image_release(&v);
	fw_image_release(&im);
	fw_image_release(&im);
	fw_image_release(NULL);

	/* One byte over the ceiling. */
	ck_assert_int_eq(fw_load(path, g->len - 1, &im, &err), CB_ETOOBIG);
	ck_assert_str_eq(err.source, path);
	ck_assert_ptr_null(im.data);
	unlink(path);

	cb_error_clear(&err);
	ck_assert_int_eq(fw_load(path, g->len, &im, &err), CB_ENODEV);
	ck_assert_str_eq(err.source, path);
	ck_assert_ptr_nonnull(strstr(cb_error_format(&err, buf, sizeof(buf)),
				     path));
	ck_assert_ptr_null(im.data);
}
END_TEST

static Suite *fwkit_suite(void)
{
	Suite *s = suite_create("fwkit");
	TCase *tc = tcase_create("variants");

	/* Keys and images are made once, before the tests fork. */
	tcase_add_unchecked_fixture(tc, genuine_setup, genuine_teardown);
	/* RSA-2048 key generation under the sanitizers is slow. */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, genuine_images_verify, 0, NKINDS);
	tcase_add_loop_test(tc, each_attack_on_each_image, 0,
			    NKINDS * FW_N_ATTACKS);
	tcase_add_test(tc, texts_of_the_first_image);
	tcase_add_test(tc, names);
	tcase_add_loop_test(tc, layout_errors, 0,
			    sizeof(layouts) / sizeof(layouts[0]));
	tcase_add_test(tc, undocumented_algorithm);
	tcase_add_test(tc, der_signature_must_fit);
	tcase_add_test(tc, load);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fwkit_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
