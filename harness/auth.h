/*
 * auth.h - one login attempt on any documented surface.
 *
 * A mechanism is one IXIT 1-AuthMech entry: a serial console, a
 * telnet-style TCP console, an HTTP form/JSON login, HTTP Basic or Digest.
 * auth_attempt() sends one user/password pair and classifies the answer
 * as accepted, refused or locked, with the time it took; everything above
 * (positive controls, default-credential lists, brute force, password
 * change) is built on it, so every test works on every surface.  It does
 * not decide verdicts.
 */
#ifndef AUTH_H
#define AUTH_H

#include <regex.h>
#include <stdint.h>

#include <jansson.h>

#include "harness/console.h"
#include "hw-adapters/hw.h"

struct cb_error;

enum auth_surface {
	AUTH_CONSOLE,
	AUTH_TELNET,
	AUTH_HTTP_FORM,
	AUTH_HTTP_BASIC,
	AUTH_HTTP_DIGEST,
	AUTH_OTHER,		/* documented, but certbench cannot drive it */
};

enum auth_result {
	AUTH_REFUSED,
	AUTH_ACCEPTED,
	AUTH_LOCKED,		/* refused because of a lockout or throttle */
};

struct auth_mech {
	const json_t *json;	/* the IXIT entry (borrowed) */
	const char *id;
	enum auth_surface surface;
	struct console_mech con; /* console and telnet */
	int have_con;
	int port;		/* telnet; http: 0 = the sample's URL port */
	const char *path;	/* http */
	const char *method;	/* http form, default POST */
	const char *body;	/* form template: ${user} ${password} */
	const char *content_type;
	json_t *accept_status;	/* ints; default [200] (basic/digest: 2xx) */
	const char *accept_field; /* form: JSON field that must equal value */
	json_t *accept_value;
	regex_t accept_redirect; /* form: a Location that means success */
	int have_redirect;
	json_t *locked_status;	/* ints meaning "locked"; default 423, 429 */
};

const char *auth_surface_name(enum auth_surface s);
int auth_mech_init(struct auth_mech *m, const json_t *mech,
		   struct cb_error *err);
void auth_mech_release(struct auth_mech *m);
/* 1 for surfaces carrying passwords over a network without TLS. */
int auth_mech_cleartext(const struct auth_mech *m, const char *http_base);

/* Where a sample's mechanisms live. */
struct auth_target {
	const char *label;		/* "s1" for adapter labels */
	const char *host;		/* network address of the sample */
	const char *http_base;		/* the sample's API base URL */
	const char *ca_file;
	struct console *console;	/* the sample's open console, or NULL */
};

/* One connection over which attempts are made, one at a time. */
struct auth_conn {
	const struct auth_mech *m;
	const struct auth_target *t;
	struct hw_adapter *hw;		/* owned (telnet, http) */
	struct console own;		/* telnet session */
	struct console *con;		/* console in use (own or borrowed) */
	hw_tap_fn *tap;
	void *tap_ctx;
	int reopen;			/* telnet: the daemon hung up after a
					 * logout; connect again first */
};

struct auth_try {
	enum auth_result result;
	int64_t start_ms;		/* monotonic */
	int64_t latency_ms;
	long status;			/* HTTP status, or 0 */
	int no_password;		/* a console opened without one */
};

/* Open a connection for mechanism m on target t (tap may be NULL). */
int auth_conn_open(struct auth_conn *c, const struct auth_mech *m,
		   const struct auth_target *t, hw_tap_fn *tap, void *tap_ctx,
		   struct cb_error *err);
void auth_conn_close(struct auth_conn *c);

/*
 * One attempt.  After an accepted console or telnet login the session is
 * logged out again, so the next attempt starts at the login prompt.
 * Errors mean the bench could not tell what happened.
 */
int auth_attempt(struct auth_conn *c, const char *user, const char *password,
		 struct auth_try *out, struct cb_error *err);

/* The URL of an HTTP mechanism on a target (malloc()ed). */
char *auth_http_url(const struct auth_mech *m, const struct auth_target *t);

/* Substitute ${user} ${password} (and ${old} ${new}) JSON-escaped. */
char *auth_fill(const char *tmpl, const char *const *names,
		const char *const *values, int json_escape);

#endif /* AUTH_H */
