/*
 * console.c - prompt-driven login consoles (see console.h).
 *
 * Matching runs on a copy of the received bytes in which NUL is replaced,
 * because regexec() stops at NUL and a hostile device may send them.  The
 * evidence keeps the raw bytes: they are recorded by the adapter tap.
 */
#include <stdio.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/cb_text.h"
#include "harness/cb_time.h"
#include "harness/console.h"
#include "hw-adapters/hw.h"

#define CONSOLE_DEFAULT_TIMEOUT 5000
#define CONSOLE_WAKE_TRIES 3
#define CONSOLE_GREET_MS 300	/* a fresh connection's unasked prompt */

static int mech_regex(regex_t *re, const json_t *mech, const char *key,
		      struct cb_error *err)
{
	const char *s = json_string_value(json_object_get(mech, key));
	char msg[96];
	int rc;

	if (!s)
		return cb_error_set(err, CB_EINVAL,
				    "console mechanism lacks '%s'", key);
	rc = regcomp(re, s, REG_EXTENDED | REG_NEWLINE);
	if (rc) {
		regerror(rc, re, msg, sizeof(msg));
		return cb_error_set(err, CB_EINVAL, "'%s': %s", key, msg);
	}
	return CB_OK;
}

int console_mech_init(struct console_mech *m, const json_t *mech,
		      struct cb_error *err)
{
	regex_t *const res[] = {&m->login, &m->password, &m->shell,
				&m->failure};
	static const char *const keys[] = {"login_prompt", "password_prompt",
					   "shell_prompt", "failure"};
	const char *s;
	json_t *t;
	size_t k;
	int rc;

	memset(m, 0, sizeof(*m));
	for (k = 0; k < 4; k++) {
		rc = mech_regex(res[k], mech, keys[k], err);
		if (rc) {
			console_mech_release(m);
			return rc;
		}
		m->compiled++;
	}
	if (json_object_get(mech, "locked")) {
		rc = mech_regex(&m->locked, mech, "locked", err);
		if (rc) {
			console_mech_release(m);
			return rc;
		}
		m->have_locked = 1;
	}
	s = json_string_value(json_object_get(mech, "logout"));
	snprintf(m->logout, sizeof(m->logout), "%s", s ? s : "exit");
	s = json_string_value(json_object_get(mech, "newline"));
	snprintf(m->newline, sizeof(m->newline), "%s", s ? s : "\r");
	t = json_object_get(mech, "timeout_ms");
	m->timeout_ms = json_is_integer(t) && json_integer_value(t) > 0
				? (int)json_integer_value(t)
				: CONSOLE_DEFAULT_TIMEOUT;
	return CB_OK;
}

void console_mech_release(struct console_mech *m)
{
	regex_t *const res[] = {&m->login, &m->password, &m->shell,
				&m->failure};
	int k;

	for (k = 0; k < m->compiled; k++)
		regfree(res[k]);
	m->compiled = 0;
	if (m->have_locked)
		regfree(&m->locked);
	m->have_locked = 0;
}

void console_init(struct console *c, struct hw_adapter *hw)
{
	memset(c, 0, sizeof(*c));
	c->hw = hw;
	cb_buf_init(&c->rx, CONSOLE_RX_MAX);
}

void console_release(struct console *c)
{
	if (c)
		cb_buf_release(&c->rx);
}

void console_discard(struct console *c)
{
	cb_buf_reset(&c->rx);
	hw_drain(c->hw, NULL);
}

/* Earliest match of any pattern in rx; -1 when none. */
static int console_match(struct console *c, const regex_t *const *res,
			 size_t n, regmatch_t *best)
{
	regmatch_t m;
	int which = -1;
	size_t k;

	if (!c->rx.len)
		return -1;
	for (k = 0; k < n; k++) {
		if (regexec(res[k], c->rx.data, 1, &m, 0))
			continue;
		if (which < 0 || m.rm_so < best->rm_so) {
			*best = m;
			which = (int)k;
		}
	}
	return which;
}

static int console_fail(struct console *c, int code, const char *what,
			int timeout_ms, struct cb_error *err)
{
	char ex[96];
	size_t n = c->rx.len, from = n > 60 ? n - 60 : 0;

	cb_excerpt(ex, sizeof(ex), c->rx.data + from, n - from, 80);
	if (code == CB_ETOOBIG)
		return cb_error_set(err, code,
				    "console sent %zu bytes without %s (last "
				    "bytes: \"%s\")",
				    n, what, ex);
	return cb_error_set(err, code,
			    "no %s within %d ms (%zu bytes received%s%s%s)",
			    what, timeout_ms, n, n ? ", last: \"" : "",
			    n ? ex : "", n ? "\"" : "");
}

int console_expect(struct console *c, const regex_t *const *res, size_t n,
		   int timeout_ms, int *which, struct cb_buf *before,
		   struct cb_error *err)
{
	int64_t deadline = cb_now_ms() + timeout_ms;
	struct cb_error rerr = {0};
	char chunk[4096];
	regmatch_t m;
	size_t got, room, k;
	int w, rc;

	for (;;) {
		w = console_match(c, res, n, &m);
		if (w >= 0) {
			if (before)
				cb_buf_add(before, c->rx.data, (size_t)m.rm_so,
					   NULL);
			cb_buf_consume(&c->rx, (size_t)m.rm_eo);
			*which = w;
			return CB_OK;
		}
		room = c->rx.max - c->rx.len;
		if (!room)
			return console_fail(c, CB_ETOOBIG, "a recognised prompt",
					    timeout_ms, err);
		if (!cb_ms_left(deadline))
			return console_fail(c, CB_ETIMEOUT,
					    "recognised prompt", timeout_ms,
					    err);
		cb_error_clear(&rerr);
		rc = hw_read(c->hw, chunk,
			     room < sizeof(chunk) ? room : sizeof(chunk),
			     cb_ms_left(deadline), &got, &rerr);
		if (rc == CB_ETIMEOUT)
			continue;
		if (rc) {
			cb_error_set(err, rc, "%s", rerr.text);
			return rc;
		}
		for (k = 0; k < got; k++)
			if (!chunk[k])
				chunk[k] = 0x1a;
		cb_buf_add(&c->rx, chunk, got, NULL);
		c->total_rx += got;
	}
}

int console_send(struct console *c, const char *s, size_t n,
		 struct cb_error *err)
{
	return hw_write(c->hw, s, n, CONSOLE_DEFAULT_TIMEOUT, err);
}

int console_sendline(struct console *c, const struct console_mech *m,
		     const char *line, struct cb_error *err)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), "%s%s", line, m->newline);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return cb_error_set(err, CB_EINVAL, "console line too long");
	/* One write, so the evidence shows one exchange per line. */
	return console_send(c, buf, (size_t)n, err);
}

/*
 * A fresh connection (telnet, say) often greets with a banner and its
 * login prompt unasked.  Take that prompt instead of waking the line: the
 * wake-up newline would draw a second prompt, which can arrive after the
 * user name went out and then reads as a refusal.  1 when the greeting
 * held a login prompt.
 */
static int console_greeting(struct console *c, const struct console_mech *m)
{
	const regex_t *const res[] = {&m->login};
	struct cb_error local = {0};
	int which;

	if (c->total_rx || c->state != CON_UNKNOWN)
		return 0;
	return console_expect(c, res, 1, CONSOLE_GREET_MS, &which, NULL,
			      &local) == CB_OK;
}

/* Get to a login prompt, logging out of a shell if one is open. */
static int console_reach_login(struct console *c,
			       const struct console_mech *m,
			       struct cb_error *err)
{
	const regex_t *const res[] = {&m->login, &m->shell};
	struct cb_error local = {0};
	int try, which = -1, rc = CB_ETIMEOUT;

	if (c->state == CON_LOGGED_IN) {
		rc = console_logout(c, m, err);
		if (rc)
			return rc;
	}
	if (console_greeting(c, m)) {
		c->state = CON_AT_LOGIN;
		return CB_OK;
	}
	for (try = 0; try < CONSOLE_WAKE_TRIES; try++) {
		console_discard(c);
		cb_error_clear(&local);
		rc = console_sendline(c, m, "", &local);
		if (!rc)
			rc = console_expect(c, res, 2, m->timeout_ms, &which,
					    NULL, &local);
		if (rc == CB_ETIMEOUT)
			continue;
		if (rc)
			break;
		if (which == 0) {
			c->state = CON_AT_LOGIN;
			return CB_OK;
		}
		c->state = CON_LOGGED_IN;
		rc = console_logout(c, m, &local);
		if (rc)
			break;
		return CB_OK; /* at the login prompt, or passwordless */
	}
	cb_error_set(err, rc, "%s", local.text);
	return rc;
}

int console_login(struct console *c, const struct console_mech *m,
		  const char *user, const char *password,
		  enum console_outcome *out, int *no_password,
		  struct cb_error *err)
{
	/* The locked answer, when documented, is tried first: a device may
	 * print it together with its usual failure text. */
	const regex_t *after_user[] = {&m->password, &m->shell, &m->failure,
				       &m->login, &m->locked};
	const regex_t *after_pass[] = {&m->shell, &m->failure, &m->login,
				       &m->locked};
	size_t nu = m->have_locked ? 5 : 4, np = m->have_locked ? 4 : 3;
	int rc, which;

	*out = CONSOLE_REFUSED;
	*no_password = 0;
	rc = console_reach_login(c, m, err);
	if (!rc && c->passwordless) {
		/* Nothing asks for credentials: everything gets in. */
		*out = CONSOLE_ACCEPTED;
		*no_password = 1;
		return CB_OK;
	}
	if (!rc)
		rc = console_sendline(c, m, user, err);
	if (!rc)
		rc = console_expect(c, after_user, nu, m->timeout_ms, &which,
				    NULL, err);
	if (rc)
		return rc;
	c->state = CON_UNKNOWN;
	if (which == 1) {
		*no_password = 1;
		*out = CONSOLE_ACCEPTED;
		c->state = CON_LOGGED_IN;
		return CB_OK;
	}
	if (which == 4)
		*out = CONSOLE_LOCKED;
	if (which >= 2)
		return CB_OK; /* refused at the user name */
	rc = console_sendline(c, m, password, err);
	if (!rc)
		rc = console_expect(c, after_pass, np, m->timeout_ms, &which,
				    NULL, err);
	if (rc)
		return rc;
	if (which == 0) {
		*out = CONSOLE_ACCEPTED;
		c->state = CON_LOGGED_IN;
	} else if (which == 3) {
		*out = CONSOLE_LOCKED;
	}
	return CB_OK;
}

int console_logout(struct console *c, const struct console_mech *m,
		   struct cb_error *err)
{
	const regex_t *const res[] = {&m->login, &m->shell};
	int which = 0, rc;

	/* A prompt left over from the last command must not be taken for
	 * the answer to this logout. */
	console_discard(c);
	rc = console_sendline(c, m, m->logout, err);
	if (!rc)
		rc = console_expect(c, res, 2, m->timeout_ms, &which, NULL,
				    err);
	/* A console without authentication answers a logout with a new
	 * shell: there is no login prompt to return to. */
	c->passwordless = !rc && which == 1;
	c->state = rc ? CON_UNKNOWN
		      : c->passwordless ? CON_LOGGED_IN : CON_AT_LOGIN;
	return rc;
}

int console_command(struct console *c, const struct console_mech *m,
		    const char *cmd, struct cb_buf *output,
		    struct cb_error *err)
{
	const regex_t *const res[] = {&m->shell};
	struct cb_buf raw;
	const char *p;
	int which, rc;

	cb_buf_init(&raw, CONSOLE_RX_MAX);
	console_discard(c);
	rc = console_sendline(c, m, cmd, err);
	if (!rc)
		rc = console_expect(c, res, 1, m->timeout_ms, &which, &raw,
				    err);
	if (!rc && raw.len) {
		/* Drop the command line if the device echoed it. */
		p = raw.data + strspn(raw.data, "\r\n");
		if (!strncmp(p, cmd, strlen(cmd))) {
			p = strchr(p, '\n');
			p = p ? p + 1 : raw.data + raw.len;
		} else {
			p = raw.data;
		}
		rc = cb_buf_add(output, p, raw.len - (size_t)(p - raw.data),
				err);
	}
	cb_buf_release(&raw);
	return rc;
}
