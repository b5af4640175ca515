/*
 * console.h - a login console on a byte-stream adapter (serial, pty, tcp).
 *
 * It knows prompts, not devices: every pattern comes from the product's
 * IXIT 1-AuthMech entry (POSIX extended regular expressions).  Reading
 * waits for one of several patterns with a deadline and a ceiling on what
 * it buffers, so a silent, flooding or babbling device ends in
 * CB_ETIMEOUT or CB_ETOOBIG, never in a hang.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <regex.h>
#include <stddef.h>

#include <jansson.h>

#include "harness/cb_buf.h"

struct cb_error;
struct hw_adapter;

#define CONSOLE_RX_MAX (64 * 1024)

struct console_mech {
	regex_t login, password, shell, failure;
	int compiled;		/* number of the regexes above compiled */
	regex_t locked;		/* "account locked" answer, if documented */
	int have_locked;
	char logout[64];	/* command that ends a session */
	char newline[4];	/* what Enter sends: "\r" by default */
	int timeout_ms;		/* per prompt */
};

/* Compile a 1-AuthMech console entry. */
int console_mech_init(struct console_mech *m, const json_t *mech,
		      struct cb_error *err);
void console_mech_release(struct console_mech *m);

enum console_state { CON_UNKNOWN, CON_AT_LOGIN, CON_LOGGED_IN };

struct console {
	struct hw_adapter *hw;	/* borrowed */
	struct cb_buf rx;	/* bytes received and not yet matched */
	enum console_state state;
	int passwordless;	/* logging out only brings the shell back */
	size_t total_rx;
};

void console_init(struct console *c, struct hw_adapter *hw);
void console_release(struct console *c);

/*
 * Wait up to timeout_ms until one of the n patterns matches what arrived;
 * the earliest match wins.  The bytes up to the end of the match are
 * consumed; those before it go to *before (if given).  CB_ETIMEOUT,
 * CB_ETOOBIG (more than CONSOLE_RX_MAX bytes without a match) or the
 * adapter's error otherwise; err's text then includes an excerpt.
 */
int console_expect(struct console *c, const regex_t *const *res, size_t n,
		   int timeout_ms, int *which, struct cb_buf *before,
		   struct cb_error *err);

/* Send bytes / a line ended with the mechanism's newline. */
int console_send(struct console *c, const char *s, size_t n,
		 struct cb_error *err);
int console_sendline(struct console *c, const struct console_mech *m,
		     const char *line, struct cb_error *err);

/* Forget what arrived so far (local buffer and the adapter's queue). */
void console_discard(struct console *c);

enum console_outcome { CONSOLE_ACCEPTED, CONSOLE_REFUSED, CONSOLE_LOCKED };

/*
 * Log in: reach a login prompt, send user and password, classify the
 * answer (LOCKED only when the mechanism documents a locked answer).  A device that asks no password and opens a shell is ACCEPTED
 * with *no_password set.  Errors mean the bench could not tell.
 */
int console_login(struct console *c, const struct console_mech *m,
		  const char *user, const char *password,
		  enum console_outcome *out, int *no_password,
		  struct cb_error *err);
int console_logout(struct console *c, const struct console_mech *m,
		   struct cb_error *err);

/* Run a shell command (logged in) and capture its output, bounded. */
int console_command(struct console *c, const struct console_mech *m,
		    const char *cmd, struct cb_buf *output,
		    struct cb_error *err);

#endif /* CONSOLE_H */
