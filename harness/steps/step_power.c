/*
 * step_power.c - power.cycle and device.reset: the bench switches a
 * sample off and on, or pulses its reset line, and waits for it to come
 * back.
 *
 * The switch is the sample's "power" or "reset" in the profile: a lab's
 * bench tool (exec:...) or "console", the pins of the console adapter (an
 * FTDI chip's CBUS or GPIO pins, see hw-adapters/ftdi.c).  With "expect",
 * the console must show that pattern within boot_ms afterwards; a sample
 * that does not come back makes the step INCONCLUSIVE, since what follows
 * would be measured on a device in an unknown state.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "harness/console.h"
#include "harness/step.h"
#include "harness/steps/updkit.h"

static const struct step_param power_params[] = {
	{"off_ms", SP_INT, 0, NULL, 0, 600000,
	 "how long the power stays off (power.cycle; default 500)"},
	{"boot_ms", SP_INT, 0, NULL, 0, 600000,
	 "how long the sample may take to come back (default 5000)"},
	{"expect", SP_STRING, SPF_REGEX, NULL, 0, 0,
	 "what the console shows once the sample is back, e.g. its login "
	 "prompt"},
	{NULL},
};

/* Wait for "expect" on the console after the switch, if asked. */
static enum cb_verdict power_back(struct step_run *sr, const char *what)
{
	const char *pattern = step_str(sr, "expect", NULL);
	int boot_ms = (int)step_int(sr, "boot_ms", 5000), which, rc;
	struct console *con;
	const regex_t *res[1];
	regex_t re;

	if (!pattern) {
		upd_sleep_ms(boot_ms);
		step_say(sr, "%s done; waited %d ms", what, boot_ms);
		return CB_V_PASS;
	}
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE))
		return step_error(sr, CB_EINVAL, "bad pattern '%s'", pattern);
	res[0] = &re;
	rc = step_console(sr, sr->sample, &con);
	if (!rc)
		rc = console_expect(con, res, 1, boot_ms, &which, NULL,
				    &sr->err);
	regfree(&re);
	if (rc == CB_ETIMEOUT)
		cb_error_clear(&sr->err);
	if (rc == CB_ETIMEOUT)
		return step_inconclusive(sr, "%s done, but the console did not "
					 "show /%s/ within %d ms",
					 what, pattern, boot_ms);
	if (rc)
		return step_failed(sr);
	step_say(sr, "%s done; the console showed /%s/", what, pattern);
	return CB_V_PASS;
}

/*
 * With "expect", the console is opened before the switch: an adapter
 * opened afterwards would miss what the sample printed while booting.
 */
static int power_listen(struct step_run *sr)
{
	struct console *con;

	if (!step_str(sr, "expect", NULL))
		return CB_OK;
	return step_console(sr, sr->sample, &con);
}

static enum cb_verdict power_cycle(struct step_run *sr)
{
	int rc = power_listen(sr);

	if (!rc)
		rc = upd_tool(sr, "power", "off");

	if (!rc) {
		upd_sleep_ms(step_int(sr, "off_ms", 500));
		step_console_forget(sr->sample);
		rc = upd_tool(sr, "power", "on");
	}
	if (rc)
		return step_failed(sr);
	return power_back(sr, "power cycle");
}

static enum cb_verdict device_reset(struct step_run *sr)
{
	if (power_listen(sr))
		return step_failed(sr);
	step_console_forget(sr->sample);
	if (upd_tool(sr, "reset", "pulse"))
		return step_failed(sr);
	return power_back(sr, "reset");
}

const struct step_def step_power_cycle = {
	.name = "power.cycle",
	.summary = "switch the sample off and on with its bench power switch "
		   "(a tool or the console adapter's pins) and wait for it",
	.params = power_params,
	.needs = STEP_NEEDS_SAMPLE | STEP_CHANGES_DEVICE,
	.run = power_cycle,
};

const struct step_def step_device_reset = {
	.name = "device.reset",
	.summary = "pulse the sample's reset line (a tool or the console "
		   "adapter's pins) and wait for it",
	.params = power_params,
	.needs = STEP_NEEDS_SAMPLE | STEP_CHANGES_DEVICE,
	.run = device_reset,
};
