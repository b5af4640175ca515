/*
 * mechs.h - choosing the documented mechanisms a step works on.
 *
 * A step's "mechanisms" parameter is "all" (every password mechanism,
 * the default), "network" (those reached over a network), one id, or a
 * list of ids, always among the IXIT 1-AuthMech entries.
 */
#ifndef STEPS_MECHS_H
#define STEPS_MECHS_H

#include <stddef.h>

struct auth_mech;
struct auth_try;
struct step_run;

#define MECHS_MAX 32

enum mechs_flags {
	MECHS_PASSWORD = 1 << 0, /* only mechanisms that use a password */
	MECHS_NETWORK = 1 << 1,	 /* only telnet and HTTP surfaces */
};

/* Fill out[] (MECHS_MAX) with the selected mechanisms; returns how many. */
size_t mechs_select(const struct step_run *sr, unsigned flags,
		    const struct auth_mech **out);

/* 1 when the mechanism is documented as password-based. */
int mech_uses_password(const struct auth_mech *m);

/*
 * One login attempt through m on the current sample, on a connection of
 * its own (the console is the sample's).  CB_OK with *tr filled, or the
 * error, recorded in sr->err.
 */
int mech_attempt_once(struct step_run *sr, const struct auth_mech *m,
		      const char *user, const char *password,
		      struct auth_try *tr);

/* A number from the mechanism's "brute_force" claim, or def. */
long mech_claim_long(const struct auth_mech *m, const char *key, long def);

#endif /* STEPS_MECHS_H */
