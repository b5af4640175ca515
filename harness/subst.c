/*
 * subst.c - resolve ${...} references against a jansson context tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/subst.h"

static int seg_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Check path grammar: seg ('.' seg | '[' (digits | '*') ']')* */
static int path_valid(const char *p, size_t len, const char **why)
{
	size_t i = 0, start;

	if (!len) {
		*why = "empty reference";
		return 0;
	}
	while (i < len) {
		start = i;
		while (i < len && seg_char(p[i]))
			i++;
		if (i == start) {
			*why = "expected a name";
			return 0;
		}
		while (i < len && p[i] == '[') {
			i++;
			if (i < len && p[i] == '*') {
				i++;
			} else {
				start = i;
				while (i < len && p[i] >= '0' && p[i] <= '9')
					i++;
				if (i == start) {
					*why = "index must be a number or *";
					return 0;
				}
			}
			if (i >= len || p[i] != ']') {
				*why = "missing ]";
				return 0;
			}
			i++;
		}
		if (i < len && p[i] != '.') {
			*why = "unexpected character in reference";
			return 0;
		}
		if (i < len)
			i++;
		if (i == len && p[len - 1] == '.') {
			*why = "reference ends with '.'";
			return 0;
		}
	}
	return 1;
}

int subst_scan(const char *s, subst_ref_fn *fn, void *ud, size_t *bad_offset,
	       const char **why)
{
	const char *p = s, *end;
	int rc;

	while ((p = strchr(p, '$'))) {
		if (p[1] == '$' && p[2] == '{') {
			p += 3;
			continue;
		}
		if (p[1] != '{') {
			p++;
			continue;
		}
		end = strchr(p + 2, '}');
		if (!end) {
			*bad_offset = (size_t)(p - s);
			*why = "unterminated ${";
			return -1;
		}
		if (!path_valid(p + 2, (size_t)(end - p - 2), why)) {
			*bad_offset = (size_t)(p - s);
			return -1;
		}
		if (fn) {
			rc = fn(ud, p + 2, (size_t)(end - p - 2),
				(size_t)(p - s));
			if (rc)
				return rc;
		}
		p = end + 1;
	}
	return 0;
}

int subst_is_single(const char *s)
{
	size_t n = strlen(s);

	return n > 3 && s[0] == '$' && s[1] == '{' && s[n - 1] == '}' &&
	       !memchr(s + 2, '}', n - 3) && !memchr(s + 2, '$', n - 3);
}

void subst_root(const char *path, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	while (n < len && seg_char(path[n]))
		n++;
	snprintf(out, outlen, "%.*s", (int)n, path);
}

static json_t *lookup_rest(json_t *node, const char *p, size_t len,
			   const char *full, size_t flen,
			   struct cb_error *err);

static json_t *lookup_star(json_t *arr, const char *p, size_t len,
			   const char *full, size_t flen, struct cb_error *err)
{
	json_t *out = json_array(), *item, *r;
	size_t idx;

	json_array_foreach(arr, idx, item) {
		r = lookup_rest(item, p, len, full, flen, err);
		if (!r) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, r);
	}
	return out;
}

static json_t *lookup_rest(json_t *node, const char *p, size_t len,
			   const char *full, size_t flen, struct cb_error *err)
{
	char key[256];
	size_t i = 0, n;
	long idx;

	while (i < len) {
		if (p[i] == '.') {
			i++;
			continue;
		}
		if (p[i] == '[') {
			if (!json_is_array(node)) {
				cb_error_set(err, CB_ENODEV,
					     "no value for '${%.*s}': not a list",
					     (int)flen, full);
				return NULL;
			}
			if (p[i + 1] == '*')
				return lookup_star(node, p + i + 3,
						   len - i - 3, full, flen, err);
			idx = strtol(p + i + 1, NULL, 10);
			node = json_array_get(node, (size_t)idx);
			if (!node) {
				cb_error_set(err, CB_ENODEV,
					     "no value for '${%.*s}': index %ld "
					     "out of range",
					     (int)flen, full, idx);
				return NULL;
			}
			i = (size_t)((const char *)memchr(p + i, ']', len - i) -
				     p) + 1;
			continue;
		}
		for (n = 0; i + n < len && seg_char(p[i + n]); n++)
			;
		snprintf(key, sizeof(key), "%.*s", (int)n, p + i);
		i += n;
		if (!json_is_object(node) || !json_object_get(node, key)) {
			cb_error_set(err, CB_ENODEV,
				     "no value for '${%.*s}' (no '%s')",
				     (int)flen, full, key);
			return NULL;
		}
		node = json_object_get(node, key);
	}
	return json_incref(node);
}

json_t *subst_lookup(json_t *ctx, const char *path, size_t len,
		     struct cb_error *err)
{
	char root[128];
	json_t *sample;

	subst_root(path, len, root, sizeof(root));
	if (!json_object_get(ctx, root)) {
		sample = json_object_get(ctx, "sample");
		if (json_is_object(sample) && json_object_get(sample, root))
			return lookup_rest(sample, path, len, path, len, err);
	}
	return lookup_rest(ctx, path, len, path, len, err);
}

struct expand {
	json_t *ctx;
	struct cb_buf out;
	const char *s;
	size_t done;		/* bytes of s already copied */
	struct cb_error *err;
};

/* Copy literal text, turning "$${" into "${". */
static void expand_literal(struct expand *x, size_t upto)
{
	const char *p = x->s + x->done, *end = x->s + upto, *q;

	while (p < end) {
		q = strstr(p, "$${");
		if (!q || q >= end) {
			cb_buf_add(&x->out, p, (size_t)(end - p), NULL);
			break;
		}
		cb_buf_add(&x->out, p, (size_t)(q - p) + 1, NULL);
		p = q + 2;
	}
	x->done = upto;
}

static int expand_ref(void *ud, const char *path, size_t len, size_t offset)
{
	struct expand *x = ud;
	json_t *v;
	int rc = 0;

	expand_literal(x, offset);
	x->done = offset + len + 3;
	v = subst_lookup(x->ctx, path, len, x->err);
	if (!v)
		return CB_ENODEV;
	if (json_is_string(v))
		cb_buf_add(&x->out, json_string_value(v), json_string_length(v),
			   NULL);
	else if (json_is_integer(v))
		cb_buf_printf(&x->out, NULL, "%" JSON_INTEGER_FORMAT,
			      json_integer_value(v));
	else if (json_is_boolean(v))
		cb_buf_adds(&x->out, json_is_true(v) ? "true" : "false", NULL);
	else if (!json_is_null(v))
		rc = cb_error_set(x->err, CB_EINVAL,
				  "'${%.*s}' is %s and cannot be put in text",
				  (int)len, path,
				  json_is_array(v) ? "a list" : "an object");
	json_decref(v);
	return rc;
}

static json_t *expand_string(json_t *ctx, const json_t *v,
			     struct cb_error *err)
{
	const char *s = json_string_value(v), *why;
	struct expand x = {.ctx = ctx, .s = s, .err = err};
	size_t bad;
	json_t *out = NULL;
	int rc;

	if (!strstr(s, "${"))
		return json_incref((json_t *)v);
	if (subst_is_single(s))
		return subst_lookup(ctx, s + 2, strlen(s) - 3, err);
	cb_buf_init(&x.out, 1 << 20);
	rc = subst_scan(s, expand_ref, &x, &bad, &why);
	if (rc == -1) {
		cb_error_set(err, CB_EINVAL, "%s at offset %zu", why, bad);
	} else if (!rc) {
		expand_literal(&x, strlen(s));
		out = json_stringn(cb_buf_str(&x.out), x.out.len);
	}
	cb_buf_release(&x.out);
	return out;
}

json_t *subst_expand(json_t *ctx, const json_t *v, struct cb_error *err)
{
	const char *key;
	json_t *out, *child, *e;
	size_t idx;

	if (json_is_string(v))
		return expand_string(ctx, v, err);
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach((json_t *)v, key, child) {
			e = subst_expand(ctx, child, err);
			if (!e) {
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, key, e);
		}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, idx, child) {
			e = subst_expand(ctx, child, err);
			if (!e) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, e);
		}
		return out;
	}
	return json_incref((json_t *)v);
}
