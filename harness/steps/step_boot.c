/*
 * step_boot.c - boot.tamper: does secure boot stop a modified image?
 *
 * Where the bench can write a sample's stored image (a "flash" tool in
 * the profile: a programmer clip, a bootloader command) and switch its
 * power (a "power" tool), flip one bit in the payload of the stored image
 * IXIT 20-SecBoot names, power-cycle, and watch: an alert on the console
 * (the documented pattern) or a device that does not come up is a
 * refusal; a device that comes up and runs normally without an alert
 * booted the modified image.  Then the genuine image is written back and
 * the sample must boot it again: the positive control that tells a
 * refusal from a dead bench.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "harness/cb_time.h"
#include "harness/console.h"
#include "harness/profile.h"
#include "harness/steps/updkit.h"

static const struct step_param boot_params[] = {
	{"boot_ms", SP_INT, 0, NULL, 100, 600000,
	 "how long a boot may take (default IXIT 20-SecBoot boot_ms or "
	 "5000)"},
	{"off_ms", SP_INT, 0, NULL, 0, 60000,
	 "how long the power stays off (default 500)"},
	{NULL},
};

/* Power off, wait, power on. */
static int boot_cycle(struct step_run *sr)
{
	int rc = upd_tool(sr, "power", "off");

	if (rc)
		return rc;
	upd_sleep_ms(step_int(sr, "off_ms", 500));
	step_console_forget(sr->sample);
	return upd_tool(sr, "power", "on");
}

/* Write a file into the stored image and power-cycle. */
static int boot_with(struct step_run *sr, const char *file)
{
	int rc = upd_tool(sr, "flash", file);

	return rc ? rc : boot_cycle(sr);
}

/*
 * After a boot: the alert, if the console shows it within the boot time.
 * Returns 1 with the matched text in alert, 0 when none came.
 */
static int boot_alert(struct step_run *sr, const char *pattern, int boot_ms,
		      char *alert, size_t alen)
{
	const struct profile_sample *ps = step_sample_profile(sr->sample);
	const regex_t *res[1];
	struct console *con;
	struct cb_buf before;
	regex_t re;
	int which, rc;

	alert[0] = '\0';
	if (!pattern || !ps->console) {
		upd_sleep_ms(boot_ms);
		return 0;
	}
	if (step_console(sr, sr->sample, &con)) {
		cb_error_clear(&sr->err);
		upd_sleep_ms(boot_ms);
		return 0;
	}
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE))
		return 0;
	res[0] = &re;
	cb_buf_init(&before, CONSOLE_RX_MAX);
	rc = console_expect(con, res, 1, boot_ms, &which, &before, &sr->err);
	regfree(&re);
	cb_buf_release(&before);
	cb_error_clear(&sr->err);
	if (rc)
		return 0;
	snprintf(alert, alen, "%s", pattern);
	return 1;
}

/* Poll the version until it answers or time runs out; 1 when it did. */
static int boot_running(struct step_run *sr, json_t *query, int wait_ms,
			char *version, size_t vlen)
{
	int64_t end = cb_now_ms() + wait_ms;

	do {
		if (!upd_query(sr, query, version, vlen))
			return 1;
		cb_error_clear(&sr->err);
		upd_sleep_ms(500);
	} while (cb_now_ms() < end);
	return 0;
}

static json_t *boot_query(struct step_run *sr, json_t *sec)
{
	json_t *q = json_object_get(sec, "version_query");

	if (!q)
		q = json_object_get(json_array_get(step_ixit(sr, "7-UpdMech"),
						   0),
				    "version_query");
	return q;
}

static enum cb_verdict boot_tamper(struct step_run *sr)
{
	json_t *sec = step_ixit(sr, "20-SecBoot"), *ref, *q;
	const char *pattern, *want;
	struct fw_image good = {0}, bad = {0};
	struct fw_layout l;
	struct console *con;
	char path[4200], alert[256], ver[UPD_VALUE_MAX];
	int boot_ms, alerted, running, back;
	enum cb_verdict v;

	ref = json_object_get(sec, "image");
	if (!ref)
		return step_inconclusive(sr, "IXIT 20-SecBoot gives no image "
					     "of the stored firmware to modify");
	if (!json_is_string(json_object_get(step_sample_profile(sr->sample)->obj,
					    "flash")))
		return step_inconclusive(sr, "sample %s has no 'flash' tool: "
					 "the bench cannot write its stored "
					 "image",
					 step_sample_id(sr->sample));
	boot_ms = (int)step_int(sr, "boot_ms",
				json_integer_value(json_object_get(sec,
								   "boot_ms"))
					?: 5000);
	pattern = json_string_value(json_object_get(sec, "alert"));
	want = json_string_value(json_object_get(ref, "version"));
	q = boot_query(sr, sec);
	if (fw_load(json_string_value(json_object_get(ref, "file")),
		    UPD_IMAGE_MAX, &good, &sr->err))
		return step_error(sr, sr->err.code, "%s", sr->err.text);
	if (upd_layout(json_object_get(sec, "layout"), &l))
		l = (struct fw_layout){.header_len = 1, .sig_len = 1,
				       .key_offset = -1, .flip_header = -1,
				       .flip_payload = -1,
				       .flip_signature = -1};
	/* Listen before the power comes back: the alert may come at once. */
	if (step_sample_profile(sr->sample)->console &&
	    step_console(sr, sr->sample, &con))
		cb_error_clear(&sr->err);
	if (fw_variant(&l, good.data, good.len, FW_FLIP_PAYLOAD, &bad,
		       &sr->err) ||
	    upd_keep(sr, "20-SecBoot", "flip-payload", &bad, path,
		     sizeof(path)) ||
	    boot_with(sr, path)) {
		v = step_failed(sr);
		goto out;
	}
	alerted = boot_alert(sr, pattern, boot_ms, alert, sizeof(alert));
	running = boot_running(sr, q, alerted ? 0 : 1000, ver, sizeof(ver));
	sr->value = json_pack("{s:s,s:s,s:b,s:b,s:s}", "modified_sha256",
			      bad.sha256, "what", bad.what, "alert", alerted,
			      "running", running, "version", ver);
	/* The positive control: the genuine image must boot again. */
	if (upd_keep(sr, "20-SecBoot", "genuine", &good, path, sizeof(path)) ||
	    boot_with(sr, path)) {
		v = step_failed(sr);
		goto out;
	}
	back = boot_running(sr, q, 2 * boot_ms, ver, sizeof(ver));
	json_object_set_new(sr->value, "restored", json_boolean(back));
	if (alerted) {
		step_say(sr, "the modified image (%s) was refused with an "
			 "alert matching /%s/",
			 bad.what, alert);
		v = CB_V_PASS;
	} else if (running) {
		step_say(sr, "booted the modified image (%s) without an alert "
			 "and runs firmware %s",
			 bad.what, ver);
		v = CB_V_FAIL;
	} else if (back) {
		step_say(sr, "refused to boot the modified image (%s): no "
			 "answer within %d ms; the genuine image boots again",
			 bad.what, boot_ms);
		v = CB_V_PASS;
	} else {
		v = step_inconclusive(sr, "the sample answered neither with "
				      "the modified image nor after the "
				      "genuine one was written back");
		goto out;
	}
	if (!back)
		v = step_error(sr, CB_ENODEV, "the sample did not come back "
			       "after the genuine image %s was written back",
			       want ? want : "");
out:
	fw_image_release(&good);
	fw_image_release(&bad);
	return v;
}

const struct step_def step_boot_tamper = {
	.name = "boot.tamper",
	.summary = "flip a bit in the stored image and power-cycle: secure "
		   "boot must refuse it or alert; the genuine image must boot "
		   "again",
	.params = boot_params,
	.needs = STEP_NEEDS_SAMPLE | STEP_CHANGES_DEVICE,
	.run = boot_tamper,
};
