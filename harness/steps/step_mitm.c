/*
 * step_mitm.c - update.mitm: play the update server for a device that
 * pulls its updates, the way an attacker in the middle would, and see
 * whether the device takes what it is given.
 *
 * certbench runs the server itself, on loopback or in a test network
 * namespace only (updsrv refuses anything else), and points the device at
 * it the way IXIT 7-UpdMech documents ("source" request, then "trigger").
 * Three attacker servers: a certificate from a CA the device has no
 * reason to trust, a certificate from the trusted CA but for another host
 * name, and plain HTTP.  Each serves an image re-signed with a foreign
 * key.  The device must not fetch from any of them, let alone install.
 * Then the positive control: the genuine image from a server whose
 * certificate the device trusts (issued from the test CA the profile
 * gives) must install.  Every connection, handshake and request the
 * server sees is evidence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "harness/evidence.h"
#include "harness/steps/updkit.h"
#include "harness/updsrv.h"
#include "harness/x509gen.h"

static const struct step_param mitm_params[] = {
	{"mechanisms", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" pull mechanisms of IXIT 7-UpdMech (default), an id or ids"},
	{"require", SP_STRING, 0, "all|any", 0, 0,
	 "\"all\" mechanisms must resist (default) or at least one"},
	{"wait_ms", SP_INT, 0, NULL, 0, 600000,
	 "how long the server stays up after the trigger (default "
	 "settle_ms or 1000)"},
	{NULL},
};

enum mitm_scene { MS_UNTRUSTED, MS_WRONG_HOST, MS_PLAIN, MS_GENUINE };

static const struct {
	const char *name, *server;
} scenes[] = {
	[MS_UNTRUSTED] = {"untrusted-ca",
			  "a server whose certificate comes from a CA the "
			  "device has no reason to trust"},
	[MS_WRONG_HOST] = {"wrong-host",
			   "a server with a trusted certificate issued for "
			   "another host name"},
	[MS_PLAIN] = {"plain-http", "a plain HTTP server"},
	[MS_GENUINE] = {"genuine", "a trusted server"},
};

struct mitm_job {
	struct step_run *sr;
	json_t *mech, *pull;
	const char *id, *addr, *path;
	enum mitm_scene scene;
	char version[UPD_VALUE_MAX];
	enum cb_verdict v;
	json_t *tries;
	EVP_PKEY *ca_key;	/* the test CA the device trusts, or NULL */
	X509 *ca_cert;
};

/* Server events go to the evidence as they happen. */
static void mitm_event(void *ctx, const struct updsrv_event *e)
{
	static const char *const kinds[] = {"connect", "tls-ok", "tls-fail",
					    "request", "served", "close"};
	struct mitm_job *j = ctx;
	json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:i,s:s}", "type",
				"update-server", "sample",
				step_sample_id(j->sr->sample), "mechanism",
				j->id, "scenario", scenes[j->scene].name,
				"conn", e->conn, "event", kinds[e->kind]);

	json_object_set_new(rec, "peer", json_string(e->peer));
	if (e->tls_version)
		json_object_set_new(rec, "tls_version",
				    json_string(e->tls_version));
	if (e->tls_cipher)
		json_object_set_new(rec, "tls_cipher",
				    json_string(e->tls_cipher));
	if (e->sni)
		json_object_set_new(rec, "sni", json_string(e->sni));
	if (e->reason)
		json_object_set_new(rec, "reason", json_string(e->reason));
	if (e->method)
		json_object_set_new(rec, "method", json_string(e->method));
	if (e->path)
		json_object_set_new(rec, "path", json_string(e->path));
	if (e->headers)
		json_object_set_new(rec, "headers", json_string(e->headers));
	if (e->kind == UPDSRV_SERVED) {
		json_object_set_new(rec, "status", json_integer(e->status));
		json_object_set_new(rec, "bytes",
				    json_integer((json_int_t)e->bytes));
	}
	ev_append(step_evidence(j->sr), rec, NULL, NULL);
}

/* The certificate a scene's server shows; CB_OK with both set or NULL. */
static int mitm_cert(struct mitm_job *j, EVP_PKEY **key, X509 **cert)
{
	struct step_run *sr = j->sr;
	EVP_PKEY *cak = NULL;
	X509 *cac = NULL;
	char san[160];
	int rc;

	*key = NULL;
	*cert = NULL;
	switch (j->scene) {
	case MS_PLAIN:
		return CB_OK;
	case MS_UNTRUSTED:
		rc = x509_make_ca("certbench attacker CA", 2, &cak, &cac,
				  &sr->err);
		if (!rc) {
			snprintf(san, sizeof(san), "IP:%s", j->addr);
			rc = x509_issue(cak, cac, san, 2, key, cert, &sr->err);
		}
		EVP_PKEY_free(cak);
		X509_free(cac);
		return rc;
	case MS_WRONG_HOST:
		return x509_issue(j->ca_key, j->ca_cert,
				  "DNS:not-the-update-server.invalid", 2, key,
				  cert, &sr->err);
	case MS_GENUINE:
		snprintf(san, sizeof(san), "IP:%s", j->addr);
		return x509_issue(j->ca_key, j->ca_cert, san, 2, key, cert,
				  &sr->err);
	}
	return CB_OK;
}

/*
 * One scene: serve body, point the device at the server, trigger, watch.
 * Fills *fetched (requests for the image), *installed.
 */
static int mitm_scene(struct mitm_job *j, const struct fw_image *im,
		      json_t *rec, unsigned *fetched, int *installed)
{
	struct step_run *sr = j->sr;
	struct updsrv_cfg cfg = {
		.bind = j->addr,
		.path = j->path,
		.body = im->data,
		.body_len = im->len,
		.io_timeout_ms = 5000,
		.on_event = mitm_event,
		.ctx = j,
	};
	unsigned conns = 0, tls_ok = 0, served = 0;
	char before[UPD_VALUE_MAX];
	struct hw_http_resp resp;
	struct updsrv *srv = NULL;
	long wait = step_int(sr, "wait_ms", 0);
	int rc, said_yes = 0, source_ok;

	*fetched = 0;
	*installed = 0;
	rc = mitm_cert(j, &cfg.key, &cfg.cert);
	if (!rc)
		rc = updsrv_start(&srv, &cfg, &sr->err);
	EVP_PKEY_free(cfg.key);
	X509_free(cfg.cert);
	if (rc)
		return rc;
	json_object_set_new(rec, "url", json_string(updsrv_url(srv)));
	snprintf(before, sizeof(before), "%s", j->version);
	hw_http_resp_init(&resp);
	rc = upd_send(sr, json_object_get(j->pull, "source"), "POST", NULL, 0,
		      0, updsrv_url(srv), &resp);
	/* A device may already refuse the server's URL (say, http://): that
	 * is a refusal too, and there is nothing to trigger. */
	source_ok = !rc && resp.status >= 200 && resp.status <= 299;
	json_object_set_new(rec, "source_status", json_integer(resp.status));
	hw_http_resp_release(&resp);
	if (source_ok) {
		hw_http_resp_init(&resp);
		rc = upd_send(sr, json_object_get(j->pull, "trigger"), "POST",
			      NULL, 0, 0, NULL, &resp);
		said_yes = !rc && upd_answer_accepts(j->pull, &resp);
		json_object_set_new(rec, "status", json_integer(resp.status));
		hw_http_resp_release(&resp);
	}
	if (source_ok && !rc) {
		if (!wait)
			wait = json_integer_value(json_object_get(j->mech,
								  "settle_ms"))
				       ?: 1000;
		upd_sleep_ms(wait);
	}
	updsrv_counts(srv, &conns, &tls_ok, fetched, &served);
	updsrv_stop(srv);
	if (rc)
		return rc;
	if (upd_query(sr, json_object_get(j->mech, "version_query"),
		      j->version, sizeof(j->version)))
		return sr->err.code;
	*installed = said_yes || strcmp(before, j->version) != 0;
	json_object_set_new(rec, "connections", json_integer(conns));
	json_object_set_new(rec, "tls_handshakes", json_integer(tls_ok));
	json_object_set_new(rec, "requests", json_integer(*fetched));
	json_object_set_new(rec, "served", json_integer(served));
	json_object_set_new(rec, "answer",
			    json_string(said_yes ? "accepted" : "refused"));
	json_object_set_new(rec, "version_before", json_string(before));
	json_object_set_new(rec, "version_after", json_string(j->version));
	return CB_OK;
}

static int mitm_attack(struct mitm_job *j, enum mitm_scene scene,
		       const struct fw_image *bad)
{
	json_t *rec = json_pack("{s:s,s:s}", "scenario", scenes[scene].name,
				"served_sha256", bad->sha256);
	unsigned fetched;
	int installed, rc;

	j->scene = scene;
	if (scene == MS_WRONG_HOST && !j->ca_key) {
		step_say(j->sr, "%s: wrong-host not tried: IXIT 7-UpdMech "
			 "pull gives no server_ca the device trusts", j->id);
		json_array_append_new(j->tries,
				      json_pack("{s:s,s:s}", "scenario",
						scenes[scene].name, "outcome",
						"not tried"));
		j->v = cb_verdict_combine(j->v, CB_V_INCONCLUSIVE);
		json_decref(rec);
		return CB_OK;
	}
	rc = mitm_scene(j, bad, rec, &fetched, &installed);
	if (rc) {
		json_decref(rec);
		return rc;
	}
	json_object_set_new(rec, "outcome",
			    json_string(installed ? "installed"
					: fetched ? "fetched" : "refused"));
	json_array_append_new(j->tries, rec);
	if (installed) {
		step_say(j->sr, "%s: installed an image (%s) from %s; the "
			 "device now reports firmware %s",
			 j->id, bad->what, scenes[scene].server, j->version);
		j->v = cb_verdict_combine(j->v, CB_V_FAIL);
	} else if (fetched) {
		step_say(j->sr, "%s: fetched %s from %s (%u request%s) "
			 "instead of refusing the server",
			 j->id, j->path, scenes[scene].server, fetched,
			 fetched == 1 ? "" : "s");
		j->v = cb_verdict_combine(j->v, CB_V_FAIL);
	}
	return CB_OK;
}

static int mitm_genuine(struct mitm_job *j, const struct fw_image *good,
			const char *want)
{
	json_t *rec = json_pack("{s:s,s:s}", "scenario", "genuine",
				"served_sha256", good->sha256);
	unsigned fetched;
	int installed, rc;

	if (!j->ca_key) {
		step_say(j->sr, "%s: positive control not possible: IXIT "
			 "7-UpdMech pull gives no server_ca the device trusts",
			 j->id);
		j->v = cb_verdict_combine(j->v, CB_V_INCONCLUSIVE);
		json_decref(rec);
		return CB_OK;
	}
	j->scene = MS_GENUINE;
	rc = mitm_scene(j, good, rec, &fetched, &installed);
	if (rc) {
		json_decref(rec);
		return rc;
	}
	installed = installed && !strcmp(j->version, want);
	json_object_set_new(rec, "outcome",
			    json_string(installed ? "installed" : "refused"));
	json_array_append_new(j->tries, rec);
	if (installed) {
		step_say(j->sr, "%s: installed the genuine image %s from a "
			 "trusted server", j->id, want);
	} else {
		step_say(j->sr, "%s: positive control failed: the genuine "
			 "image %s from a trusted server was not installed "
			 "(%u request%s; the device reports %s), so its "
			 "refusals prove nothing",
			 j->id, want, fetched, fetched == 1 ? "" : "s",
			 j->version);
		j->v = cb_verdict_combine(j->v, CB_V_INCONCLUSIVE);
	}
	return CB_OK;
}

/* The attacker's image: the genuine one re-signed with a foreign key. */
static int mitm_bad_image(struct mitm_job *j, const struct fw_image *good,
			  struct fw_image *bad)
{
	struct fw_layout l;
	int rc;

	if (upd_layout(json_object_get(json_object_get(j->mech, "image"),
				       "layout"),
		       &l) == 0) {
		rc = fw_variant(&l, good->data, good->len, FW_FOREIGN_KEY, bad,
				&j->sr->err);
		if (rc != CB_ENOTSUP)
			return rc;
		cb_error_clear(&j->sr->err);
	}
	/* Nothing to re-sign with: one flipped bit in the middle. */
	l = (struct fw_layout){.header_len = 1, .sig_len = 1,
			       .key_offset = -1, .flip_header = -1,
			       .flip_payload = -1, .flip_signature = -1};
	return fw_variant(&l, good->data, good->len, FW_FLIP_PAYLOAD, bad,
			  &j->sr->err);
}

static enum cb_verdict mitm_run(struct mitm_job *j)
{
	struct step_run *sr = j->sr;
	json_t *image = json_object_get(j->mech, "image"),
	       *ca = json_object_get(j->pull, "server_ca");
	const char *want = json_string_value(json_object_get(
		json_object_get(image, "genuine"), "version"));
	struct fw_image good = {0}, bad = {0};
	enum mitm_scene s;
	int rc;

	j->v = CB_V_PASS;
	j->addr = json_string_value(json_object_get(j->pull,
						    "server_address"))
			  ?: "127.0.0.1";
	j->path = json_string_value(json_object_get(j->pull, "server_path"))
			  ?: "/firmware/update.bin";
	if (!image)
		return step_inconclusive(sr, "%s: IXIT 7-UpdMech gives no "
					 "genuine image to serve", j->id);
	if (updsrv_addr_allowed(j->addr, &sr->err))
		return step_error(sr, CB_EINVAL, "%s: %s", j->id,
				  sr->err.text);
	if (ca && x509_load_pair(json_string_value(json_object_get(ca, "cert")),
				 json_string_value(json_object_get(ca, "key")),
				 &j->ca_cert, &j->ca_key, &sr->err))
		return step_error(sr, sr->err.code, "%s", sr->err.text);
	rc = fw_load(json_string_value(json_object_get(
			     json_object_get(image, "genuine"), "file")),
		     UPD_IMAGE_MAX, &good, &sr->err);
	if (!rc)
		rc = mitm_bad_image(j, &good, &bad);
	if (!rc)
		rc = upd_query(sr, json_object_get(j->mech, "version_query"),
			       j->version, sizeof(j->version));
	for (s = MS_UNTRUSTED; !rc && s <= MS_PLAIN; s++) {
		if (!upd_keep(sr, j->id, scenes[s].name, &bad, NULL, 0))
			rc = mitm_attack(j, s, &bad);
		else
			rc = sr->err.code;
	}
	if (!rc && !(rc = upd_keep(sr, j->id, "genuine", &good, NULL, 0)))
		rc = mitm_genuine(j, &good, want);
	fw_image_release(&good);
	fw_image_release(&bad);
	if (rc)
		return step_failed(sr);
	json_object_set_new(sr->value, j->id, json_pack("{s:O}", "tries",
							j->tries));
	if (j->v == CB_V_PASS)
		step_say(sr, "%s: refused the untrusted-CA, wrong-host and "
			 "plain-HTTP servers", j->id);
	return j->v;
}

static enum cb_verdict mitm_one(struct step_run *sr, json_t *m)
{
	struct mitm_job j = {
		.sr = sr,
		.mech = m,
		.pull = json_object_get(m, "pull"),
		.id = json_string_value(json_object_get(m, "id")),
	};
	enum cb_verdict v;

	j.tries = json_array();
	v = mitm_run(&j);
	json_decref(j.tries);
	EVP_PKEY_free(j.ca_key);
	X509_free(j.ca_cert);
	return v;
}

static enum cb_verdict update_mitm(struct step_run *sr)
{
	static const char *const kinds[] = {"pull", NULL};

	return upd_each(sr, kinds, mitm_one,
			"no update mechanism that pulls from a server is "
			"documented");
}

const struct step_def step_update_mitm = {
	.name = "update.mitm",
	.summary = "be the update server in the middle (untrusted CA, wrong "
		   "host, plain HTTP): the device must refuse; the genuine "
		   "image from a trusted server must install",
	.params = mitm_params,
	/*
	 * Not STEP_EXCLUSIVE: each sample's servers bind server_address on
	 * an ephemeral port and the device is pointed at that URL, so
	 * samples in parallel never share a server.
	 */
	.needs = STEP_NEEDS_SAMPLE | STEP_CHANGES_DEVICE,
	.run = update_mitm,
};
