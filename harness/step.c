/*
 * step.c - the step registry, parameter checks and the helpers every step
 * uses to read arguments and state its findings.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_json.h"
#include "harness/step.h"

extern const struct step_def step_access_check, step_api_discover,
	step_device_reset, step_net_scan, step_power_cycle;
extern const struct step_def step_surface_leaks;
extern const struct step_def step_input_fuzz;
extern const struct step_def step_assessor_confirm, step_auth_attempt,
	step_auth_bruteforce, step_auth_change, step_auth_cleartext,
	step_auth_discover, step_auth_fingerprint, step_auth_password_quality,
	step_auth_try_list,
	step_console_command, step_console_login, step_debug_probe,
	step_expect_distinct,
	step_expect_equal, step_expect_match, step_expect_subset,
	step_http_request, step_vdp_check, step_boot_tamper, step_device_query,
	step_support_check, step_tls_probe, step_update_attack,
	step_update_discover, step_update_mitm;

/* Sorted by name: step_lookup() bisects, 'help steps' lists in order. */
static const struct step_def *const step_defs[] = {
	&step_access_check,
	&step_api_discover,
	&step_assessor_confirm,
	&step_auth_attempt,
	&step_auth_bruteforce,
	&step_auth_change,
	&step_auth_cleartext,
	&step_auth_discover,
	&step_auth_fingerprint,
	&step_auth_password_quality,
	&step_auth_try_list,
	&step_boot_tamper,
	&step_console_command,
	&step_console_login,
	&step_debug_probe,
	&step_device_query,
	&step_device_reset,
	&step_expect_distinct,
	&step_expect_equal,
	&step_expect_match,
	&step_expect_subset,
	&step_http_request,
	&step_input_fuzz,
	&step_net_scan,
	&step_power_cycle,
	&step_support_check,
	&step_surface_leaks,
	&step_tls_probe,
	&step_update_attack,
	&step_update_discover,
	&step_update_mitm,
	&step_vdp_check,
	NULL,
};

#define NSTEPS (sizeof(step_defs) / sizeof(step_defs[0]) - 1)

static int step_cmp(const void *key, const void *elem)
{
	const struct step_def *const *d = elem;

	return strcmp(key, (*d)->name);
}

const struct step_def *step_lookup(const char *name)
{
	const struct step_def *const *d;

	d = bsearch(name, step_defs, NSTEPS, sizeof(step_defs[0]), step_cmp);
	return d ? *d : NULL;
}

const struct step_def *const *step_all(void)
{
	return step_defs;
}

const struct step_param *step_param_find(const struct step_def *def,
					 const char *name)
{
	const struct step_param *p;

	for (p = def->params; p && p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static unsigned ptype_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return SP_STRING;
	case JSON_INTEGER: return SP_INT;
	case JSON_TRUE:
	case JSON_FALSE: return SP_BOOL;
	case JSON_ARRAY: return SP_ARRAY;
	case JSON_OBJECT: return SP_OBJECT;
	case JSON_NULL: return SP_NULL;
	default: return 0; /* reals are never accepted */
	}
}

static void ptype_names(unsigned types, char *out, size_t len)
{
	static const char *const names[] = {"a string", "an integer",
					    "a boolean", "a list",
					    "an object", "null"};
	size_t k, o = 0;

	out[0] = '\0';
	for (k = 0; k < 6; k++) {
		if (!(types & (1u << k)))
			continue;
		o += (size_t)snprintf(out + o, len - o, "%s%s", o ? " or " : "",
				      names[k]);
		if (o >= len)
			break;
	}
}

static int in_choices(const char *choices, const char *s)
{
	size_t n = strlen(s);
	const char *p = choices;

	while (p && *p) {
		if (!strncmp(p, s, n) && (p[n] == '|' || !p[n]))
			return 1;
		p = strchr(p, '|');
		if (p)
			p++;
	}
	return 0;
}

int step_param_check(const struct step_param *p, const json_t *v,
		     char *why, size_t whylen)
{
	char want[64];
	regex_t re;
	int rc;

	if (!(ptype_of(v) & p->types)) {
		ptype_names(p->types, want, sizeof(want));
		snprintf(why, whylen, "'%s' must be %s, not %s", p->name,
			 want, cb_json_type_name(v));
		return CB_EINVAL;
	}
	if (json_is_string(v) && p->choices &&
	    !in_choices(p->choices, json_string_value(v))) {
		snprintf(why, whylen, "'%s' must be one of %s, not '%s'",
			 p->name, p->choices, json_string_value(v));
		return CB_EINVAL;
	}
	if (json_is_integer(v) && p->min < p->max &&
	    (json_integer_value(v) < p->min ||
	     json_integer_value(v) > p->max)) {
		snprintf(why, whylen, "'%s' must be within %ld..%ld, not %lld",
			 p->name, p->min, p->max,
			 (long long)json_integer_value(v));
		return CB_EINVAL;
	}
	if (json_is_string(v) && (p->flags & SPF_REGEX)) {
		rc = regcomp(&re, json_string_value(v),
			     REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
		if (rc) {
			char msg[96];

			regerror(rc, &re, msg, sizeof(msg));
			snprintf(why, whylen, "'%s' is not a valid regular "
					      "expression: %s",
				 p->name, msg);
			return CB_EINVAL;
		}
		regfree(&re);
	}
	return CB_OK;
}

json_t *step_arg(const struct step_run *sr, const char *name)
{
	return json_object_get(sr->args, name);
}

const char *step_str(const struct step_run *sr, const char *name,
		     const char *def)
{
	json_t *v = step_arg(sr, name);

	return json_is_string(v) ? json_string_value(v) : def;
}

long step_int(const struct step_run *sr, const char *name, long def)
{
	json_t *v = step_arg(sr, name);

	return json_is_integer(v) ? (long)json_integer_value(v) : def;
}

int step_bool(const struct step_run *sr, const char *name, int def)
{
	json_t *v = step_arg(sr, name);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

void step_say(struct step_run *sr, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (sr->why.len)
		cb_buf_adds(&sr->why, "; ", NULL);
	/* A full rationale buffer keeps what it has: the first findings. */
	cb_buf_adds(&sr->why, line, NULL);
}

static void step_cause(struct step_run *sr, int code, const char *fmt,
		       va_list ap)
{
	char text[CB_ERROR_TEXT_MAX];

	vsnprintf(text, sizeof(text), fmt, ap);
	cb_error_set(&sr->err, code, "%s", text);
}

enum cb_verdict step_error(struct step_run *sr, int code, const char *fmt,
			   ...)
{
	va_list ap;

	va_start(ap, fmt);
	step_cause(sr, code, fmt, ap);
	va_end(ap);
	return CB_V_ERROR;
}

enum cb_verdict step_inconclusive(struct step_run *sr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	step_cause(sr, CB_EINVAL, fmt, ap);
	va_end(ap);
	return CB_V_INCONCLUSIVE;
}

enum cb_verdict step_bench_failed(struct step_run *sr)
{
	if (sr->err.code == CB_OK)
		cb_error_set(&sr->err, CB_ERROR, "bench failure");
	return CB_V_ERROR;
}

enum cb_verdict step_failed(struct step_run *sr)
{
	if (sr->err.code == CB_ENOTSUP)
		return CB_V_INCONCLUSIVE;
	return step_bench_failed(sr);
}

int step_selects(const struct step_run *sr, const char *name, const char *id)
{
	json_t *sel = step_arg(sr, name), *v;
	size_t k;

	if (!sel || (json_is_string(sel) &&
		     !strcmp(json_string_value(sel), "all")))
		return 1;
	if (!id)
		return 0;
	if (json_is_string(sel))
		return !strcmp(json_string_value(sel), id);
	json_array_foreach(sel, k, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), id))
			return 1;
	return 0;
}
