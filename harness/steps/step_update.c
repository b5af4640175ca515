/*
 * step_update.c - update.attack: try to misuse each documented update
 * upload mechanism (IXIT 7-UpdMech) with images derived from a genuine
 * signed one, then install the genuine image as the positive control.
 *
 * Misuses: one bit flipped in the header, the payload and the signature;
 * the image cut in half; the signature removed; the image re-signed with
 * a fresh key (and the embedded signer key replaced where the image
 * carries one); a genuine older image (rollback); a genuine image for
 * another model; an upload cut half way.  For each: the device's answer
 * and the firmware version it reports afterwards.  A misuse counts as
 * accepted when the device says so or when its version changes.  PASS
 * only when every misuse is refused and the genuine image installs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/steps/updkit.h"

static const struct step_param attack_params[] = {
	{"mechanisms", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" upload mechanisms of IXIT 7-UpdMech (default), an id or "
	 "ids"},
	{"require", SP_STRING, 0, "all|any", 0, 0,
	 "\"all\" mechanisms must resist (default) or at least one"},
	{"attacks", SP_ARRAY, 0, NULL, 0, 0,
	 "subset of flip-header flip-payload flip-signature truncate "
	 "strip-signature foreign-key rollback other-model interrupted"},
	{NULL},
};

enum upd_kind { UK_VARIANT, UK_ROLLBACK, UK_OTHER_MODEL, UK_INTERRUPTED };

static const struct upd_attack {
	const char *name;
	enum upd_kind kind;
	enum fw_attack fw;
	const char *misuse;	/* how the rationale names it */
} attacks[] = {
	{"flip-header", UK_VARIANT, FW_FLIP_HEADER,
	 "an image with one bit flipped in its header"},
	{"flip-payload", UK_VARIANT, FW_FLIP_PAYLOAD,
	 "an image with one bit flipped in its payload"},
	{"flip-signature", UK_VARIANT, FW_FLIP_SIGNATURE,
	 "an image with one bit flipped in its signature"},
	{"truncate", UK_VARIANT, FW_TRUNCATE, "a truncated image"},
	{"strip-signature", UK_VARIANT, FW_STRIP_SIGNATURE,
	 "an image without its signature"},
	{"foreign-key", UK_VARIANT, FW_FOREIGN_KEY,
	 "an image signed with a key that is not the manufacturer's"},
	{"rollback", UK_ROLLBACK, 0, "a genuine older image (rollback)"},
	{"other-model", UK_OTHER_MODEL, 0,
	 "a genuine image for a different model"},
	{"interrupted", UK_INTERRUPTED, 0, "an upload cut half way"},
};

#define N_ATTACKS (sizeof(attacks) / sizeof(attacks[0]))

/* One mechanism's images and outcome. */
struct upd_job {
	struct step_run *sr;
	json_t *mech, *upload, *image;
	const char *id;
	struct fw_image genuine;
	struct fw_layout layout;
	int have_layout;
	long settle_ms;
	char version[UPD_VALUE_MAX];	/* what the device reports now */
	enum cb_verdict v;
	json_t *tries;
};

static int attack_selected(struct step_run *sr, const char *name)
{
	json_t *list = step_arg(sr, "attacks"), *v;
	size_t k;

	if (!list)
		return 1;
	json_array_foreach(list, k, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

/* Worse of two verdicts for a mechanism. */
static void job_worse(struct upd_job *j, enum cb_verdict v)
{
	j->v = cb_verdict_combine(j->v, v);
}

/* A try that could not be made: the mechanism's verdict is incomplete. */
static void job_untried(struct upd_job *j, const struct upd_attack *a,
			const char *why)
{
	step_say(j->sr, "%s: %s not tried: %s", j->id, a->name, why);
	json_array_append_new(j->tries,
			      json_pack("{s:s,s:s,s:s}", "attack", a->name,
					"outcome", "not tried", "why", why));
	job_worse(j, CB_V_INCONCLUSIVE);
}

/*
 * Send one image and see what became of it.  *installed: the device said
 * yes or its version changed.  CB_OK unless the bench failed.
 */
static int job_send(struct upd_job *j, const char *attack,
		    const struct fw_image *im, size_t cut, json_t *rec,
		    int *installed)
{
	struct step_run *sr = j->sr;
	char before[UPD_VALUE_MAX];
	struct hw_http_resp resp;
	int rc, said_yes;

	*installed = 0;
	if (upd_keep(sr, j->id, attack, im, NULL, 0))
		return sr->err.code;
	snprintf(before, sizeof(before), "%s", j->version);
	hw_http_resp_init(&resp);
	rc = upd_send(sr, j->upload, "POST", im->data, im->len, cut, NULL,
		      &resp);
	if (rc && !cut) {
		hw_http_resp_release(&resp);
		return rc;
	}
	said_yes = !rc && upd_answer_accepts(j->upload, &resp);
	json_object_set_new(rec, "status", json_integer(resp.status));
	if (rc)
		json_object_set_new(rec, "transfer", json_string(sr->err.text));
	hw_http_resp_release(&resp);
	cb_error_clear(&sr->err);
	if (j->settle_ms)
		upd_sleep_ms(j->settle_ms);
	if (upd_query(sr, json_object_get(j->mech, "version_query"),
		      j->version, sizeof(j->version)))
		return sr->err.code;
	json_object_set_new(rec, "version_before", json_string(before));
	json_object_set_new(rec, "version_after", json_string(j->version));
	json_object_set_new(rec, "answer",
			    json_string(said_yes ? "accepted" : "refused"));
	*installed = said_yes || strcmp(before, j->version) != 0;
	return CB_OK;
}

/* Judge one misuse; CB_OK unless the bench failed. */
static int job_misuse(struct upd_job *j, const struct upd_attack *a,
		      const struct fw_image *im, size_t cut)
{
	json_t *rec = json_pack("{s:s,s:s,s:s,s:I}", "attack", a->name, "what",
				im->what, "sha256", im->sha256, "bytes",
				(json_int_t)im->len);
	int installed, rc;

	rc = job_send(j, a->name, im, cut, rec, &installed);
	if (rc) {
		json_decref(rec);
		return rc;
	}
	json_object_set_new(rec, "outcome",
			    json_string(installed ? "accepted" : "refused"));
	json_array_append_new(j->tries, rec);
	if (installed) {
		step_say(j->sr, "%s: accepted %s (%s): HTTP %lld, and the "
			 "device now reports firmware %s",
			 j->id, a->misuse, im->what,
			 (long long)json_integer_value(json_object_get(rec,
								       "status")),
			 j->version);
		job_worse(j, CB_V_FAIL);
	}
	return CB_OK;
}

static int job_load(struct upd_job *j, const char *key, struct fw_image *im)
{
	json_t *ref = json_object_get(j->image, key);

	return fw_load(json_string_value(json_object_get(ref, "file")),
		       UPD_IMAGE_MAX, im, &j->sr->err);
}

/* A genuine image other than the one to install (older, other model). */
static int job_other(struct upd_job *j, const struct upd_attack *a)
{
	const char *key = a->kind == UK_ROLLBACK ? "older" : "other_model";
	json_t *ref = json_object_get(j->image, key);
	const char *ver = json_string_value(json_object_get(ref, "version"));
	struct fw_image im = {0};
	char why[256];
	int rc;

	if (!ref) {
		snprintf(why, sizeof(why), "IXIT 7-UpdMech image gives no "
			 "'%s' image", key);
		job_untried(j, a, why);
		return CB_OK;
	}
	if (a->kind == UK_ROLLBACK && upd_version_cmp(ver, j->version) >= 0) {
		snprintf(why, sizeof(why), "the older image (%s) is not older "
			 "than the running firmware %s", ver, j->version);
		job_untried(j, a, why);
		return CB_OK;
	}
	if (job_load(j, key, &im))
		return j->sr->err.code;
	snprintf(im.what, sizeof(im.what), "genuine %s image %s%s%s",
		 a->kind == UK_ROLLBACK ? "older" : "other-model", ver,
		 json_object_get(ref, "model") ? " for " : "",
		 json_string_value(json_object_get(ref, "model")) ?: "");
	rc = job_misuse(j, a, &im, 0);
	fw_image_release(&im);
	return rc;
}

static int job_attack(struct upd_job *j, const struct upd_attack *a)
{
	struct fw_image im = {0};
	struct fw_layout cut = {0};
	int rc;

	switch (a->kind) {
	case UK_ROLLBACK:
	case UK_OTHER_MODEL:
		return job_other(j, a);
	case UK_INTERRUPTED:
		im = j->genuine;	/* borrowed, not released here */
		return job_misuse(j, a, &im, j->genuine.len / 2);
	case UK_VARIANT:
		break;
	}
	if (!j->have_layout && a->fw != FW_TRUNCATE) {
		job_untried(j, a, "IXIT 7-UpdMech gives no image layout");
		return CB_OK;
	}
	if (a->fw == FW_TRUNCATE && !j->have_layout) {
		/* Truncation needs no layout: any split will do. */
		cut.header_len = cut.sig_len = 1;
		cut.key_offset = cut.flip_header = cut.flip_payload =
			cut.flip_signature = -1;
	}
	rc = fw_variant(j->have_layout ? &j->layout : &cut, j->genuine.data,
			j->genuine.len, a->fw, &im, &j->sr->err);
	if (rc == CB_ENOTSUP) {
		job_untried(j, a, j->sr->err.text);
		cb_error_clear(&j->sr->err);
		return CB_OK;
	}
	if (rc)
		return rc;
	rc = job_misuse(j, a, &im, 0);
	fw_image_release(&im);
	return rc;
}

/* The positive control: the genuine image must install. */
static int job_genuine(struct upd_job *j)
{
	json_t *ref = json_object_get(j->image, "genuine");
	const char *want = json_string_value(json_object_get(ref, "version"));
	json_t *rec = json_pack("{s:s,s:s,s:I}", "attack", "genuine", "sha256",
				j->genuine.sha256, "bytes",
				(json_int_t)j->genuine.len);
	int installed, rc;

	snprintf(j->genuine.what, sizeof(j->genuine.what),
		 "the genuine image %s", want);
	rc = job_send(j, "genuine", &j->genuine, 0, rec, &installed);
	if (rc) {
		json_decref(rec);
		return rc;
	}
	installed = installed && !strcmp(j->version, want);
	json_object_set_new(rec, "outcome",
			    json_string(installed ? "installed" : "refused"));
	json_array_append_new(j->tries, rec);
	if (installed) {
		step_say(j->sr, "%s: the genuine image %s installed", j->id,
			 want);
	} else {
		step_say(j->sr, "%s: positive control failed: the genuine "
			 "image %s was not installed (the device reports %s), "
			 "so its refusals prove nothing",
			 j->id, want, j->version);
		job_worse(j, CB_V_INCONCLUSIVE);
	}
	return CB_OK;
}

/* Run the kit on one mechanism; the bench's errors end it. */
static enum cb_verdict job_run(struct upd_job *j)
{
	struct step_run *sr = j->sr;
	char v0[UPD_VALUE_MAX];
	size_t k, refused;

	j->v = CB_V_PASS;
	j->upload = json_object_get(j->mech, "upload");
	j->image = json_object_get(j->mech, "image");
	j->settle_ms = (long)json_integer_value(json_object_get(j->mech,
								"settle_ms"));
	j->have_layout = !upd_layout(json_object_get(j->image, "layout"),
				     &j->layout);
	if (!j->image)
		return step_inconclusive(sr, "%s: IXIT 7-UpdMech gives no "
					 "genuine image to work from", j->id);
	if (job_load(j, "genuine", &j->genuine))
		return step_error(sr, sr->err.code, "%s", sr->err.text);
	if (j->have_layout &&
	    fw_layout_check(&j->layout, j->genuine.len, &sr->err))
		return step_error(sr, CB_EINVAL, "%s: layout does not fit "
				  "the genuine image: %s", j->id,
				  sr->err.text);
	if (upd_query(sr, json_object_get(j->mech, "version_query"),
		      j->version, sizeof(j->version)))
		return step_failed(sr);
	snprintf(v0, sizeof(v0), "%s", j->version);
	for (k = 0; k < N_ATTACKS; k++) {
		if (!attack_selected(sr, attacks[k].name))
			continue;
		if (job_attack(j, &attacks[k]))
			return step_failed(sr);
	}
	refused = json_array_size(j->tries);
	if (j->v == CB_V_PASS)
		step_say(sr, "%s: refused all %zu misuses, firmware %s "
			 "unchanged by each", j->id, refused, v0);
	if (job_genuine(j))
		return step_failed(sr);
	json_object_set_new(sr->value, j->id,
			    json_pack("{s:s,s:O}", "firmware_before", v0,
				      "tries", j->tries));
	return j->v;
}

/* One documented mechanism delivered by upload (or by other means). */
static enum cb_verdict attack_one(struct step_run *sr, json_t *m)
{
	struct upd_job j = {
		.sr = sr,
		.mech = m,
		.id = json_string_value(json_object_get(m, "id")),
	};
	enum cb_verdict v;

	if (!strcmp(json_string_value(json_object_get(m, "delivery")),
		    "other"))
		return step_inconclusive(sr, "%s: delivered in a way "
					 "certbench cannot drive; assess it "
					 "by hand",
					 j.id);
	j.tries = json_array();
	v = job_run(&j);
	fw_image_release(&j.genuine);
	json_decref(j.tries);
	return v;
}

static enum cb_verdict update_attack(struct step_run *sr)
{
	static const char *const kinds[] = {"upload", "other", NULL};
	json_t *v;
	size_t k, a;

	/* A misspelt attack would be skipped silently: refuse it. */
	json_array_foreach(step_arg(sr, "attacks"), k, v) {
		for (a = 0; a < N_ATTACKS; a++)
			if (json_is_string(v) &&
			    !strcmp(json_string_value(v), attacks[a].name))
				break;
		if (a == N_ATTACKS)
			return step_error(sr, CB_EINVAL, "attacks[%zu]: no "
					  "attack named %s", k,
					  json_string_value(v) ?: "(not a "
								  "string)");
	}
	return upd_each(sr, kinds, attack_one,
			"no update mechanism delivered by upload is "
			"documented");
}

const struct step_def step_update_attack = {
	.name = "update.attack",
	.summary = "tampered, truncated, re-signed, older and other-model "
		   "images and a cut upload must be refused; the genuine "
		   "image must install",
	.params = attack_params,
	.needs = STEP_NEEDS_SAMPLE | STEP_CHANGES_DEVICE,
	.run = update_attack,
};
