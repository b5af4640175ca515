/*
 * cb_hash.h - SHA-256 digests, keyed fingerprints and hex, for evidence
 * chains, report hashes and secrets that must never be stored in clear.
 */
#ifndef CB_HASH_H
#define CB_HASH_H

#include <stddef.h>

struct cb_error;

#define CB_SHA256_LEN 32
#define CB_SHA256_HEX (2 * CB_SHA256_LEN + 1)

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void cb_hex(char *out, const void *p, size_t n);

void cb_sha256(unsigned char out[CB_SHA256_LEN], const void *p, size_t n);
void cb_sha256_hex(char out[CB_SHA256_HEX], const void *p, size_t n);
int cb_sha256_file_hex(char out[CB_SHA256_HEX], const char *path,
		       struct cb_error *err);

/*
 * Keyed fingerprint of a secret: "fp:" + the first 128 bits of
 * HMAC-SHA-256(salt, secret) in hex (35 bytes with the terminator).  Equal
 * secrets give equal fingerprints within one run; without the salt the
 * fingerprint says nothing about the secret.
 */
#define CB_FP_LEN 36
void cb_fingerprint(char out[CB_FP_LEN], const unsigned char *salt,
		    size_t salt_len, const char *secret);

/* Cryptographically random bytes; fails only if the OS cannot give them. */
int cb_random(void *p, size_t n, struct cb_error *err);

#endif /* CB_HASH_H */
