/*
 * cb_hash.c - digests and fingerprints on OpenSSL's EVP/HMAC interfaces.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "harness/cb_error.h"
#include "harness/cb_hash.h"

void cb_hex(char *out, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;
	size_t k;

	for (k = 0; k < n; k++) {
		out[2 * k] = digits[b[k] >> 4];
		out[2 * k + 1] = digits[b[k] & 15];
	}
	out[2 * n] = '\0';
}

void cb_sha256(unsigned char out[CB_SHA256_LEN], const void *p, size_t n)
{
	unsigned int len = CB_SHA256_LEN;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

void cb_sha256_hex(char out[CB_SHA256_HEX], const void *p, size_t n)
{
	unsigned char md[CB_SHA256_LEN];

	cb_sha256(md, p, n);
	cb_hex(out, md, sizeof(md));
}

int cb_sha256_file_hex(char out[CB_SHA256_HEX], const char *path,
		       struct cb_error *err)
{
	unsigned char md[CB_SHA256_LEN], chunk[16384];
	unsigned int len = CB_SHA256_LEN;
	EVP_MD_CTX *ctx;
	FILE *fp;
	size_t n;
	int rc = CB_OK;

	fp = fopen(path, "rb");
	if (!fp) {
		cb_error_set_os(err, CB_ENODEV, "cannot open");
		cb_error_at(err, path, 0, 0);
		return CB_ENODEV;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		rc = cb_error_set_ssl(err, CB_ECRYPTO, "sha256 init");
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		EVP_DigestUpdate(ctx, chunk, n);
	if (ferror(fp)) {
		rc = cb_error_set_os(err, CB_EIO, "read failed");
		cb_error_at(err, path, 0, 0);
		goto out;
	}
	EVP_DigestFinal_ex(ctx, md, &len);
	cb_hex(out, md, sizeof(md));
out:
	EVP_MD_CTX_free(ctx);
	fclose(fp);
	return rc;
}

void cb_fingerprint(char out[CB_FP_LEN], const unsigned char *salt,
		    size_t salt_len, const char *secret)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	HMAC(EVP_sha256(), salt, (int)salt_len,
	     (const unsigned char *)secret, strlen(secret), md, &len);
	memcpy(out, "fp:", 3);
	cb_hex(out + 3, md, 16);
}

int cb_random(void *p, size_t n, struct cb_error *err)
{
	if (RAND_bytes(p, (int)n) != 1)
		return cb_error_set_ssl(err, CB_ECRYPTO, "no random bytes");
	return CB_OK;
}
