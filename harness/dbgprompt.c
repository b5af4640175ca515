/*
 * dbgprompt.c - prompt patterns as data, and what a console's answer
 * says (see dbgprompt.h).
 *
 * Patterns are compiled without REG_NEWLINE: the device's text is one
 * string, '$' its end.  That is what "the console stands at this prompt
 * now" means, and it keeps a prompt that scrolled past earlier (a
 * "login: " before a successful login, say) from deciding anything.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/dbgprompt.h"

#define DBGP_ID_MAX 48
#define DBGP_WHAT_MAX 120
#define DBGP_TEXT_MAX 8192	/* cleaned bytes looked at (the tail) */

struct dbgprompt {
	char id[DBGP_ID_MAX];
	char what[DBGP_WHAT_MAX];
	enum dbgprompt_kind kind;
	regex_t re;
	int has_re;
};

static const char *const dbgp_kinds[] = {
	[DBGP_NONE] = "none",
	[DBGP_SHELL] = "shell",
	[DBGP_BOOTLOADER] = "bootloader",
	[DBGP_MONITOR] = "monitor",
	[DBGP_LOGIN] = "login",
	[DBGP_PASSWORD] = "password",
	[DBGP_REFUSAL] = "refusal",
};

#define DBGP_NKINDS (sizeof(dbgp_kinds) / sizeof(dbgp_kinds[0]))

const char *dbgprompt_kind_name(enum dbgprompt_kind k)
{
	return (size_t)k < DBGP_NKINDS ? dbgp_kinds[k] : "?";
}

/* ---- loading ---------------------------------------------------------- */

static int dbgp_keys_ok(json_t *obj, const char *const *allowed,
			const char **bad)
{
	const char *key;
	const char *const *a;
	json_t *v;

	json_object_foreach(obj, key, v) {
		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (!*a) {
			*bad = key;
			return 0;
		}
	}
	return 1;
}

static int dbgp_kind(const char *s)
{
	size_t k;

	for (k = DBGP_SHELL; s && k < DBGP_NKINDS; k++)
		if (!strcmp(dbgp_kinds[k], s))
			return (int)k;
	return -1;
}

static int dbgp_load_one(struct dbgprompt_set *s, size_t i, json_t *j,
			 struct cb_error *err)
{
	static const char *const allowed[] = {"id", "kind", "regex", "what",
					      NULL};
	struct dbgprompt *p = &s->p[i];
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *kind = json_string_value(json_object_get(j, "kind"));
	const char *re = json_string_value(json_object_get(j, "regex"));
	const char *what = json_string_value(json_object_get(j, "what"));
	const char *bad = NULL;
	char msg[96];
	size_t k;
	int rc;

	if (!json_is_object(j))
		return cb_error_set(err, CB_EINVAL, "prompt %zu: not an object",
				    i + 1);
	if (!id || !id[0] || strlen(id) >= sizeof(p->id))
		return cb_error_set(err, CB_EINVAL,
				    "prompt %zu: needs an id of 1 to %zu bytes",
				    i + 1, sizeof(p->id) - 1);
	if (!dbgp_keys_ok(j, allowed, &bad))
		return cb_error_set(err, CB_EINVAL,
				    "prompt %s: unknown key '%s'", id, bad);
	for (k = 0; k < i; k++)
		if (!strcmp(s->p[k].id, id))
			return cb_error_set(err, CB_EINVAL,
					    "prompt %s: duplicate id", id);
	snprintf(p->id, sizeof(p->id), "%s", id);
	if (dbgp_kind(kind) < 0)
		return cb_error_set(err, CB_EINVAL,
				    "prompt %s: kind must be shell, "
				    "bootloader, monitor, login, password or "
				    "refusal",
				    id);
	p->kind = (enum dbgprompt_kind)dbgp_kind(kind);
	if (!what || !what[0] || strlen(what) >= sizeof(p->what) ||
	    strchr(what, '\n'))
		return cb_error_set(err, CB_EINVAL,
				    "prompt %s: needs a one-line \"what\"", id);
	snprintf(p->what, sizeof(p->what), "%s", what);
	if (!re || !re[0])
		return cb_error_set(err, CB_EINVAL, "prompt %s: needs a regex",
				    id);
	rc = regcomp(&p->re, re, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &p->re, msg, sizeof(msg));
		return cb_error_set(err, CB_EINVAL, "prompt %s: bad regex: %s",
				    id, msg);
	}
	p->has_re = 1;
	return CB_OK;
}

int dbgprompt_load_json(json_t *data, struct dbgprompt_set *out,
			struct cb_error *err)
{
	static const char *const allowed[] = {"name", "description", "source",
					      "prompts", NULL};
	json_t *list = json_object_get(data, "prompts"), *j;
	const char *name = json_string_value(json_object_get(data, "name"));
	const char *bad = NULL;
	size_t k;
	int rc = CB_OK;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(data) || !dbgp_keys_ok(data, allowed, &bad))
		return cb_error_set(err, CB_EINVAL, "prompt table: %s%s%s",
				    bad ? "unknown key '" : "not an object",
				    bad ? bad : "", bad ? "'" : "");
	if (!name || !json_is_array(list) || !json_array_size(list))
		return cb_error_set(err, CB_EINVAL,
				    "prompt table needs a name and a "
				    "non-empty prompts array");
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->p = calloc(json_array_size(list), sizeof(*out->p));
	if (!out->p)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	json_array_foreach(list, k, j) {
		out->n = k + 1;
		rc = dbgp_load_one(out, k, j, err);
		if (rc)
			break;
	}
	if (rc)
		dbgprompt_release(out);
	return rc;
}

void dbgprompt_release(struct dbgprompt_set *s)
{
	size_t k;

	if (!s)
		return;
	for (k = 0; k < s->n; k++)
		if (s->p[k].has_re)
			regfree(&s->p[k].re);
	free(s->p);
	memset(s, 0, sizeof(*s));
}

/* ---- matching --------------------------------------------------------- */

/*
 * The text as a pattern sees it: printable ASCII, LF and TAB, the rest
 * dropped, and only the last DBGP_TEXT_MAX bytes of that.  malloc()ed;
 * NULL when out of memory.
 */
static int dbgp_kept(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t';
}

static char *dbgp_clean(const void *bytes, size_t n, size_t *len)
{
	const unsigned char *b = bytes;
	size_t i, o = 0, kept = 0, skip;
	char *t;

	for (i = 0; i < n; i++)
		kept += dbgp_kept(b[i]);
	skip = kept > DBGP_TEXT_MAX ? kept - DBGP_TEXT_MAX : 0;
	t = malloc(kept - skip + 1);
	if (!t)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!dbgp_kept(b[i]))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		t[o++] = (char)b[i];
	}
	t[o] = '\0';
	if (len)
		*len = o;
	return t;
}

enum dbgprompt_kind dbgprompt_classify(const struct dbgprompt_set *s,
				       const void *bytes, size_t n,
				       struct dbgprompt_match *m)
{
	char *t = dbgp_clean(bytes, n, NULL);
	enum dbgprompt_kind kind = DBGP_NONE;
	size_t k;

	if (m)
		*m = (struct dbgprompt_match){DBGP_NONE, NULL, NULL};
	for (k = 0; t && k < s->n; k++) {
		if (s->p[k].kind == DBGP_REFUSAL ||
		    regexec(&s->p[k].re, t, 0, NULL, 0))
			continue;
		kind = s->p[k].kind;
		if (m)
			*m = (struct dbgprompt_match){kind, s->p[k].id,
						      s->p[k].what};
		break;
	}
	free(t);
	return kind;
}

int dbgprompt_refused(const struct dbgprompt_set *s, const void *bytes,
		      size_t n)
{
	char *t = dbgp_clean(bytes, n, NULL);
	int hit = 0;
	size_t k;

	for (k = 0; t && !hit && k < s->n; k++)
		hit = s->p[k].kind == DBGP_REFUSAL &&
		      !regexec(&s->p[k].re, t, 0, NULL, 0);
	free(t);
	return hit;
}

static int dbgp_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

size_t dbgprompt_output(const char *cmd, const void *answer, size_t n,
			char *out, size_t size)
{
	size_t len, clen = strlen(cmd), b, e;
	char *t = dbgp_clean(answer, n, &len), *nl;

	if (size)
		out[0] = '\0';
	if (!t)
		return 0;
	for (b = 0; b < len && dbgp_blank(t[b]); b++)
		;
	/* The echo: the command, alone on its line. */
	if (clen && len - b >= clen && !memcmp(t + b, cmd, clen) &&
	    (b + clen == len || t[b + clen] == '\n'))
		b += clen;
	e = len;
	/* A last line without its newline is the prompt shown again. */
	if (e > b && t[e - 1] != '\n') {
		t[e] = '\0';
		nl = strrchr(t + b, '\n');
		e = nl ? (size_t)(nl - t) : b;
	}
	while (b < e && dbgp_blank(t[b]))
		b++;
	while (e > b && dbgp_blank(t[e - 1]))
		e--;
	len = e - b;
	if (size) {
		if (len >= size)
			len = size - 1;
		memcpy(out, t + b, len);
		out[len] = '\0';
	}
	free(t);
	return e - b;
}
