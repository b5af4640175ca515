/*
 * fwkit.h - tampered variants of a genuine, manufacturer-signed update
 * image, for the test cases where the device must refuse an update that
 * is not authentic.
 *
 * The lab has one genuine image and the layout its documentation gives:
 * a header at the start, a signature at the end, the payload in between,
 * maybe the signer's public key inside the header.  Each attack derives one
 * variant; a device that installs any of them fails.  The kit only builds
 * images: it does not talk to devices, and it never checks the genuine
 * signature (it has no trusted key to check it with).
 *
 * Regions of an image of len bytes:
 *   header     [0, header_len)
 *   payload    [header_len, len - sig_len)     never empty
 *   signature  [len - sig_len, len)
 */
#ifndef FWKIT_H
#define FWKIT_H

#include <stddef.h>

struct cb_error;

enum fw_sigalg {
	FW_SIG_UNKNOWN,		/* not documented: cannot re-sign */
	FW_SIG_ECDSA_P256_RAW,	/* r||s, 64 bytes, over SHA-256 */
	FW_SIG_ECDSA_P256_DER,	/* DER over SHA-256, zero-padded to sig_len */
	FW_SIG_ED25519,		/* 64 bytes (PureEdDSA) */
	FW_SIG_RSA_PKCS1_SHA256 /* sig_len = modulus bytes, e.g. 256 */
};

/*
 * "ecdsa-p256-sha256" (raw r||s), "ecdsa-p256-sha256-der", "ed25519",
 * "rsa-pkcs1-sha256", ignoring ASCII case.  Anything else, and NULL, sets
 * *out to FW_SIG_UNKNOWN and returns -1; 0 on success.
 */
int fw_sigalg_parse(const char *name, enum fw_sigalg *out);
/* The name fw_sigalg_parse() takes; "unknown" for FW_SIG_UNKNOWN. */
const char *fw_sigalg_name(enum fw_sigalg a);

/* Raw public-key sizes an image can carry at key_offset. */
#define FW_P256_KEY_LEN 65	/* uncompressed point 04||X||Y */
#define FW_ED25519_KEY_LEN 32

struct fw_layout {
	size_t header_len;	/* >= 1 */
	size_t sig_len;		/* >= 1; 64 for raw ECDSA and Ed25519, 8 or
				 * more for DER, 64 to 1024 for RSA */
	enum fw_sigalg alg;	/* how to re-sign */
	long key_offset;	/* start of the signer's raw public key inside
				 * the header, or -1 for none (always -1 for
				 * RSA: no raw encoding is defined) */
	/* Absolute offset of the byte each flip changes, inside its region,
	 * or -1 for the middle byte of the region.  For a DER signature the
	 * default is the middle byte of the DER encoding itself when the
	 * region starts with one, so the flip never lands in the padding,
	 * which no signature covers. */
	long flip_header, flip_payload, flip_signature;
};

enum fw_attack {
	FW_FLIP_HEADER,		/* bit 0 of one header byte */
	FW_FLIP_PAYLOAD,	/* bit 0 of one payload byte */
	FW_FLIP_SIGNATURE,	/* bit 0 of one signature byte */
	FW_TRUNCATE,		/* the first len / 2 bytes */
	FW_STRIP_SIGNATURE,	/* without the last sig_len bytes */
	FW_FOREIGN_KEY,		/* re-signed with a fresh key of alg, the
				 * fresh public key at key_offset (if any) */
	FW_N_ATTACKS
};

/* Stable ids for scripts and reports: "flip-header", "flip-payload",
 * "flip-signature", "truncate", "strip-signature", "foreign-key";
 * "unknown" for values out of range. */
const char *fw_attack_name(enum fw_attack a);
/* The reverse, exact match; -1 if the name is none of them. */
int fw_attack_parse(const char *name, enum fw_attack *out);

struct fw_image {
	unsigned char *data;	/* malloc()ed, owned; NULL once released */
	size_t len;
	char sha256[65];	/* lower-case hex of data */
	char what[200];		/* one line: "bit 0 of byte 80 (header)
				 * flipped", "cut to 2160 of 4320 bytes" */
};

/*
 * Does the layout fit an image of image_len bytes?  Checks the sizes above,
 * that header and signature leave a payload, that each explicit flip offset
 * lies in its region and that the key lies inside the header.  CB_OK or
 * CB_EINVAL with a text naming the field, e.g. "flip_payload 10 is outside
 * the payload [160, 4256)".
 */
int fw_layout_check(const struct fw_layout *l, size_t image_len,
		    struct cb_error *err);

/*
 * Derive the variant of attack a from the genuine image img (len bytes)
 * into *out, which the caller releases with fw_image_release(); *out is
 * emptied first and stays empty on failure.  Errors: CB_EINVAL (layout
 * check, or a DER signature longer than sig_len), CB_ENOTSUP (foreign-key
 * with FW_SIG_UNKNOWN: "cannot re-sign: the signature algorithm is not
 * documented"), CB_ECRYPTO (OpenSSL failed), CB_ENOMEM.
 */
int fw_variant(const struct fw_layout *l, const unsigned char *img,
	       size_t len, enum fw_attack a, struct fw_image *out,
	       struct cb_error *err);

/* Free the data and empty *im; accepts NULL and empty images. */
void fw_image_release(struct fw_image *im);

/*
 * Read a whole file of at most max bytes into *out (what says where it came
 * from).  Errors carry the path as their source: CB_ENODEV (no such file),
 * CB_EIO, CB_ETOOBIG (larger than max), CB_ENOMEM.
 */
int fw_load(const char *path, size_t max, struct fw_image *out,
	    struct cb_error *err);

#endif /* FWKIT_H */
