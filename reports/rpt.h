/*
 * rpt.h - report writers, signing and verification.
 *
 * Writers turn the report record (harness/record.c) into files; they never
 * talk to a device.  report.json is written with sorted keys, compact, no
 * floats: within that subset its bytes equal the RFC 8785 canonical form.
 * Every file is written to a temporary name, synced, then renamed.
 * report.json.p7s is a detached CMS SignedData (DER) over report.json's
 * exact bytes, verifiable with stock 'openssl cms -verify'.
 */
#ifndef RPT_H
#define RPT_H

#include <stddef.h>

#include <jansson.h>

struct cb_buf;
struct cb_error;

/* Write bytes to dir/name atomically (tmp + fsync + rename). */
int rpt_write_file(const char *dir, const char *name, const void *p,
		   size_t n, struct cb_error *err);

/* Serialise the record the one canonical way; fails on JSON reals. */
int rpt_json_bytes(const json_t *record, char **out, size_t *len,
		   struct cb_error *err);

/* Write report.json. */
int rpt_write_json(const char *dir, const json_t *record,
		   struct cb_error *err);

/*
 * Sign doc with the PEM key and certificate (extra chain certificates may
 * follow the leaf in cert_path).  *der is malloc()ed.  ECDSA keys are
 * signed with SHA-256.
 */
int rpt_sign(unsigned char **der, size_t *der_len, const void *doc,
	     size_t doc_len, const char *key_path, const char *cert_path,
	     struct cb_error *err);

/*
 * Verify a detached signature over doc against the trust anchors in
 * ca_file.  On success signer (optional) gets the signer's subject.
 */
int rpt_verify_sig(const void *sig, size_t sig_len, const void *doc,
		   size_t doc_len, const char *ca_file, char *signer,
		   size_t signer_len, struct cb_error *err);

/* Sign dir/report.json into dir/report.json.p7s. */
int rpt_sign_dir(const char *dir, const char *key_path,
		 const char *cert_path, struct cb_error *err);

/*
 * Check a run directory: the signature over report.json, the evidence
 * file's hash and chain against what the report states, the evidence
 * references, and the copies of the scripts that ran (scripts/).  Each
 * check prints one line to out (a FILE *, may be NULL); the first failure
 * names its file in err.  Returns CB_OK only when everything holds.
 */
int rpt_verify_dir(const char *dir, const char *ca_file, void *out,
		   struct cb_error *err);

#endif /* RPT_H */
