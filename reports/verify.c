/*
 * verify.c - sign a run directory's report, and check a run directory the
 * way a regulator would: the signature, then everything the signed report
 * vouches for (evidence file hash, record count, chain head, evidence
 * references, script copies).  Each failure names the file it is about.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cb_hash.h"
#include "harness/evidence.h"
#include "harness/paths.h"
#include "reports/rpt.h"

#define RPT_MAX_REPORT (64u << 20)

int rpt_sign_dir(const char *dir, const char *key_path,
		 const char *cert_path, struct cb_error *err)
{
	char path[PATH_MAX];
	unsigned char *der = NULL;
	struct cb_buf doc;
	size_t der_len = 0;
	int rc;

	cb_path_join(path, sizeof(path), dir, "report.json");
	rc = cb_buf_read_file(&doc, path, RPT_MAX_REPORT, err);
	if (rc)
		return rc;
	rc = rpt_sign(&der, &der_len, doc.data, doc.len, key_path, cert_path,
		      err);
	if (!rc)
		rc = rpt_write_file(dir, "report.json.p7s", der, der_len, err);
	OPENSSL_free(der);
	cb_buf_release(&doc);
	return rc;
}

struct vctx {
	const char *dir;
	FILE *out;
	struct cb_error *err;	/* first failure */
	int failures;
};

static void vline(struct vctx *v, int ok, const char *file, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

static void vline(struct vctx *v, int ok, const char *file, const char *fmt,
		  ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (v->out)
		fprintf(v->out, "%-4s %s: %s\n", ok ? "ok" : "FAIL", file, text);
	if (!ok) {
		v->failures++;
		if (v->err->code == CB_OK) {
			cb_error_set(v->err, CB_ECRYPTO, "%s", text);
			cb_error_at(v->err, file, 0, 0);
		}
	}
}

static int verify_signature(struct vctx *v, const char *ca_file,
			    struct cb_buf *doc)
{
	char path[PATH_MAX], signer[256];
	struct cb_error e = {0};
	struct cb_buf sig;

	cb_path_join(path, sizeof(path), v->dir, "report.json");
	if (cb_buf_read_file(doc, path, RPT_MAX_REPORT, &e)) {
		vline(v, 0, "report.json", "%s", e.text);
		return -1;
	}
	cb_path_join(path, sizeof(path), v->dir, "report.json.p7s");
	if (cb_buf_read_file(&sig, path, 1 << 20, &e)) {
		vline(v, 0, "report.json.p7s", "%s (the report is unsigned)",
		      e.text);
		return -1;
	}
	if (rpt_verify_sig(sig.data, sig.len, doc->data, doc->len, ca_file,
			   signer, sizeof(signer), &e)) {
		/* The signature file parses but does not match the report. */
		vline(v, 0,
		      !strncmp(e.text, "signature is not", 16)
			      ? "report.json.p7s"
			      : "report.json",
		      "%s", e.text);
		cb_buf_release(&sig);
		return -1;
	}
	vline(v, 1, "report.json", "signature verifies, signed by %s", signer);
	cb_buf_release(&sig);
	return 0;
}

static void verify_evidence(struct vctx *v, json_t *rep)
{
	json_t *ev = json_object_get(rep, "evidence");
	const char *want_sha = json_string_value(json_object_get(ev, "sha256"));
	const char *want_head =
		json_string_value(json_object_get(ev, "chain_head"));
	json_int_t want_n = json_integer_value(json_object_get(ev, "records"));
	char path[PATH_MAX], sha[CB_SHA256_HEX], head[CB_SHA256_HEX], where[64];
	struct cb_error e = {0};
	uint64_t n = 0;

	cb_path_join(path, sizeof(path), v->dir, "evidence.jsonl");
	if (ev_verify_file(path, &n, head, &e)) {
		snprintf(where, sizeof(where), "evidence.jsonl:%d", e.line);
		vline(v, 0, where, "%s", e.text);
	} else if (!want_head || strcmp(head, want_head) ||
		   (json_int_t)n != want_n) {
		vline(v, 0, "evidence.jsonl",
		      "chain head or record count differs from the signed "
		      "report (%llu records)",
		      (unsigned long long)n);
	} else {
		vline(v, 1, "evidence.jsonl",
		      "hash chain intact, %llu records, head %.16s...",
		      (unsigned long long)n, head);
	}
	cb_error_clear(&e);
	if (cb_sha256_file_hex(sha, path, &e))
		vline(v, 0, "evidence.jsonl", "%s", e.text);
	else if (!want_sha || strcmp(sha, want_sha))
		vline(v, 0, "evidence.jsonl",
		      "SHA-256 %.16s... differs from the signed report",
		      sha);
	else
		vline(v, 1, "evidence.jsonl", "SHA-256 matches the report");
}

/* Every evidence reference in the report points inside the transcript. */
static void verify_refs(struct vctx *v, json_t *rep)
{
	json_int_t n = json_integer_value(
		json_object_get(json_object_get(rep, "evidence"), "records"));
	json_t *c, *u, *r, *e;
	size_t i, j, k, bad = 0, refs = 0;

	json_array_foreach(json_object_get(rep, "cases"), i, c) {
		json_array_foreach(json_object_get(c, "units"), j, u) {
			json_array_foreach(json_object_get(u, "results"), k, r) {
				e = json_object_get(r, "evidence");
				refs++;
				if (json_integer_value(json_object_get(e, "first")) < 1 ||
				    json_integer_value(json_object_get(e, "last")) > n ||
				    json_integer_value(json_object_get(e, "first")) >
					    json_integer_value(json_object_get(e, "last")))
					bad++;
			}
		}
	}
	if (bad)
		vline(v, 0, "report.json",
		      "%zu of %zu evidence references point outside the "
		      "transcript",
		      bad, refs);
	else
		vline(v, 1, "report.json",
		      "%zu evidence references within the transcript", refs);
}

static void verify_scripts(struct vctx *v, json_t *rep)
{
	json_t *s;
	char name[256], path[PATH_MAX], sha[CB_SHA256_HEX];
	struct cb_error e = {0};
	size_t i, ok = 0;
	const char *id, *want;

	json_array_foreach(json_object_get(json_object_get(rep, "inputs"),
					   "scripts"),
			   i, s) {
		id = json_string_value(json_object_get(s, "id"));
		want = json_string_value(json_object_get(s, "sha256"));
		snprintf(name, sizeof(name), "scripts/%s.json", id ? id : "?");
		cb_path_join(path, sizeof(path), v->dir, name);
		cb_error_clear(&e);
		if (!id || !want || cb_sha256_file_hex(sha, path, &e))
			vline(v, 0, name, "script copy missing");
		else if (strcmp(sha, want))
			vline(v, 0, name,
			      "SHA-256 differs from the signed report");
		else
			ok++;
	}
	vline(v, 1, "scripts/", "%zu script copies match the report", ok);
}

int rpt_verify_dir(const char *dir, const char *ca_file, void *out,
		   struct cb_error *err)
{
	struct vctx v = {.dir = dir, .out = out, .err = err};
	struct cb_buf doc = {0};
	json_t *rep;

	if (verify_signature(&v, ca_file, &doc)) {
		cb_buf_release(&doc);
		return err->code;
	}
	rep = json_loadb(doc.data, doc.len, 0, NULL);
	cb_buf_release(&doc);
	if (!json_is_object(rep)) {
		vline(&v, 0, "report.json", "not a JSON object");
		json_decref(rep);
		return err->code;
	}
	verify_evidence(&v, rep);
	verify_refs(&v, rep);
	verify_scripts(&v, rep);
	json_decref(rep);
	return v.failures ? err->code : CB_OK;
}
