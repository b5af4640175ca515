/*
 * step_console.c - console.login and console.command on the current
 * sample's serial console, with the prompts documented in IXIT
 * 1-AuthMech.  A console that does not answer as documented is a bench
 * ERROR with the bytes seen, never a verdict about passwords.
 */
#include <stdio.h>
#include <string.h>

#include "harness/console.h"
#include "harness/evidence.h"
#include "harness/step.h"

static const struct step_param login_params[] = {
	{"user", SP_STRING, SPF_REQUIRED, NULL, 0, 0, "user name to send"},
	{"password", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "password to send (never recorded in clear)"},
	{"expect", SP_STRING, 0, "accepted|refused", 0, 0,
	 "FAIL unless the login ends this way"},
	{"timeout_ms", SP_INT, 0, NULL, 100, 600000, "per prompt"},
	{"describe", SP_STRING, 0, NULL, 0, 0,
	 "how to name the credential in the rationale"},
	{NULL},
};

/* The run's documented console mechanism, with an optional timeout. */
static void login_mech(struct step_run *sr, struct console_mech *m)
{
	*m = *step_mech(sr);
	m->timeout_ms = (int)step_int(sr, "timeout_ms", m->timeout_ms);
}

static enum cb_verdict console_login_run(struct step_run *sr)
{
	const char *user = step_str(sr, "user", ""),
		   *pass = step_str(sr, "password", ""),
		   *want = step_str(sr, "expect", NULL),
		   *desc = step_str(sr, "describe", NULL),
		   *sid = step_sample_id(sr->sample);
	struct ev_log *ev = step_evidence(sr);
	enum console_outcome out;
	struct console_mech m;
	struct console *con;
	char fp[CB_FP_LEN], name[160];
	int nopw, rc;

	if (ev_secret_add(ev, pass, &sr->err))
		return step_bench_failed(sr);
	if (step_console(sr, sr->sample, &con))
		return step_failed(sr);
	login_mech(sr, &m);
	rc = console_login(con, &m, user, pass, &out, &nopw, &sr->err);
	if (rc)
		return step_bench_failed(sr);
	ev_fingerprint(ev, pass, fp);
	sr->value = json_pack("{s:s,s:s,s:s,s:b}", "outcome",
			      out == CONSOLE_ACCEPTED ? "accepted" : "refused",
			      "user", user, "fingerprint", fp, "no_password",
			      nopw);
	snprintf(name, sizeof(name), "%s", desc ? desc : "credential");
	step_say(sr, "%s for user '%s' was %s on the console of %s%s", name,
		 user, out == CONSOLE_ACCEPTED ? "accepted" : "refused", sid,
		 nopw ? " without asking for a password" : "");
	if (!want)
		return CB_V_PASS;
	if (!strcmp(want, "accepted") == (out == CONSOLE_ACCEPTED))
		return CB_V_PASS;
	return CB_V_FAIL;
}

static const struct step_param command_params[] = {
	{"command", SP_STRING, SPF_REQUIRED, NULL, 0, 0, "shell command line"},
	{"user", SP_STRING, 0, NULL, 0, 0,
	 "log in as this user first if no session is open"},
	{"password", SP_STRING, 0, NULL, 0, 0, "password for 'user'"},
	{"expect", SP_STRING, SPF_REGEX, NULL, 0, 0,
	 "FAIL unless the output matches"},
	{"timeout_ms", SP_INT, 0, NULL, 100, 600000, "for the prompt"},
	{NULL},
};

static enum cb_verdict console_command_run(struct step_run *sr)
{
	const char *cmd = step_str(sr, "command", ""),
		   *user = step_str(sr, "user", NULL),
		   *pass = step_str(sr, "password", ""),
		   *want = step_str(sr, "expect", NULL);
	enum console_outcome out;
	struct console_mech m;
	struct console *con;
	struct cb_buf output;
	regex_t re;
	int rc, nopw;

	if (step_console(sr, sr->sample, &con))
		return step_failed(sr);
	login_mech(sr, &m);
	if (con->state != CON_LOGGED_IN) {
		if (!user)
			return step_inconclusive(sr, "no console session and "
						     "no 'user' to log in");
		if (ev_secret_add(step_evidence(sr), pass, &sr->err))
			return step_bench_failed(sr);
		rc = console_login(con, &m, user, pass, &out, &nopw, &sr->err);
		if (rc)
			return step_bench_failed(sr);
		if (out != CONSOLE_ACCEPTED)
			return step_inconclusive(sr, "login as '%s' refused",
						 user);
	}
	cb_buf_init(&output, CONSOLE_RX_MAX);
	rc = console_command(con, &m, cmd, &output, &sr->err);
	if (rc) {
		cb_buf_release(&output);
		return step_bench_failed(sr);
	}
	sr->value = json_pack("{s:s%}", "output", cb_buf_str(&output),
			      output.len);
	if (!sr->value)
		sr->value = json_pack("{s:s}", "output", "(not UTF-8)");
	rc = CB_V_PASS;
	if (want && !regcomp(&re, want, REG_EXTENDED | REG_NEWLINE)) {
		if (regexec(&re, cb_buf_str(&output), 0, NULL, 0)) {
			step_say(sr, "output of '%s' does not match /%s/", cmd,
				 want);
			rc = CB_V_FAIL;
		} else {
			step_say(sr, "output of '%s' matches /%s/", cmd, want);
		}
		regfree(&re);
	}
	cb_buf_release(&output);
	return (enum cb_verdict)rc;
}

const struct step_def step_console_login = {
	.name = "console.login",
	.summary = "log in on the sample's console with the documented "
		   "prompts; record accepted/refused",
	.params = login_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = console_login_run,
};

const struct step_def step_console_command = {
	.name = "console.command",
	.summary = "send a command line on the console, capture its output "
		   "up to the shell prompt",
	.params = command_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = console_command_run,
};
