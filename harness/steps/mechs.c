/*
 * mechs.c - mechanism selection for the authentication steps.
 */
#include <string.h>
#include <strings.h>

#include "harness/auth.h"
#include "harness/step.h"
#include "harness/steps/mechs.h"

int mech_uses_password(const struct auth_mech *m)
{
	const char *f = json_string_value(json_object_get(m->json, "factor"));

	return !f || strcasestr(f, "password") != NULL;
}

long mech_claim_long(const struct auth_mech *m, const char *key, long def)
{
	json_t *v = json_object_get(json_object_get(m->json, "brute_force"),
				    key);

	return json_is_integer(v) ? (long)json_integer_value(v) : def;
}

size_t mechs_select(const struct step_run *sr, unsigned flags,
		    const struct auth_mech **out)
{
	const json_t *sel = step_arg(sr, "mechanisms");
	const char *s = json_string_value(sel);
	const struct auth_mech *all;
	size_t n, k, got = 0;
	int net;

	all = step_mechs(sr, &n);
	if (s && !strcmp(s, "network"))
		flags |= MECHS_NETWORK;
	if (!sel || (s && (!strcmp(s, "all") || !strcmp(s, "network"))))
		sel = NULL;
	for (k = 0; k < n && got < MECHS_MAX; k++) {
		net = all[k].surface != AUTH_CONSOLE &&
		      all[k].surface != AUTH_OTHER;
		if (sel && !step_selects(sr, "mechanisms", all[k].id))
			continue;
		if (!sel && (flags & MECHS_PASSWORD) &&
		    !mech_uses_password(&all[k]))
			continue;
		if ((flags & MECHS_NETWORK) && !net)
			continue;
		out[got++] = &all[k];
	}
	return got;
}

int mech_attempt_once(struct step_run *sr, const struct auth_mech *m,
		      const char *user, const char *password,
		      struct auth_try *tr)
{
	struct auth_target t;
	struct auth_conn c;
	void *ctx;
	hw_tap_fn *tap = step_tap(sr, &ctx);
	int rc;

	rc = step_target(sr, sr->sample, m->surface == AUTH_CONSOLE, &t);
	if (rc)
		return rc;
	rc = auth_conn_open(&c, m, &t, tap, ctx, &sr->err);
	if (!rc)
		rc = auth_attempt(&c, user, password, tr, &sr->err);
	auth_conn_close(&c);
	return rc;
}
