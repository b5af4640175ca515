/*
 * cb_json.c - JSON input files with source positions.
 *
 * jansson builds the tree; a second, small scanner walks the same (known
 * valid) text alongside the tree and records where every value and key
 * begins.  Lookups are linear: they only happen when reporting an error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cb_json.h"

struct cb_jpos {
	const json_t *parent;	/* container, or NULL for the root */
	const json_t *value;
	char *key;		/* member name, or NULL for array items */
	size_t index;		/* array index */
	int line, col;		/* where the value starts */
	int kline, kcol;	/* where the key starts (objects only) */
};

struct scan {
	const char *s;
	size_t len, i;
	int line, col;
	struct cb_json_doc *doc;
	size_t cap;
	int failed;
};

static void scan_adv(struct scan *sc)
{
	unsigned char c;

	if (sc->i >= sc->len)
		return;
	c = (unsigned char)sc->s[sc->i++];
	if (c == '\n') {
		sc->line++;
		sc->col = 0;
	} else if ((c & 0xC0) != 0x80) {
		sc->col++;
	}
}

static void scan_ws(struct scan *sc)
{
	while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]))
		scan_adv(sc);
}

/* Position of the next character (1-based line and column). */
static void scan_here(const struct scan *sc, int *line, int *col)
{
	*line = sc->line;
	*col = sc->col + 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static unsigned scan_u16(struct scan *sc)
{
	unsigned v = 0;
	int k, h;

	for (k = 0; k < 4 && sc->i < sc->len; k++) {
		h = hexval(sc->s[sc->i]);
		v = v * 16 + (unsigned)(h < 0 ? 0 : h);
		scan_adv(sc);
	}
	return v;
}

static void put_utf8(struct cb_buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	cb_buf_add(b, u, n, NULL);
}

/* Scan a string token; if out is given, decode it there. */
static void scan_string(struct scan *sc, struct cb_buf *out)
{
	unsigned cp, lo;
	char c;

	scan_adv(sc); /* opening quote */
	while (sc->i < sc->len && sc->s[sc->i] != '"') {
		c = sc->s[sc->i];
		scan_adv(sc);
		if (c != '\\') {
			if (out)
				cb_buf_add(out, &c, 1, NULL);
			continue;
		}
		c = sc->i < sc->len ? sc->s[sc->i] : '\\';
		scan_adv(sc);
		if (c == 'u') {
			cp = scan_u16(sc);
			if (cp >= 0xD800 && cp < 0xDC00 && sc->i + 1 < sc->len &&
			    sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u') {
				scan_adv(sc);
				scan_adv(sc);
				lo = scan_u16(sc);
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
			}
			if (out)
				put_utf8(out, cp);
			continue;
		}
		if (!out)
			continue;
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		default: break;
		}
		cb_buf_add(out, &c, 1, NULL);
	}
	scan_adv(sc); /* closing quote */
}

static struct cb_jpos *scan_record(struct scan *sc)
{
	struct cb_json_doc *doc = sc->doc;
	struct cb_jpos *p;

	if (doc->npos == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;

		p = realloc(doc->pos, cap * sizeof(*p));
		if (!p) {
			sc->failed = 1;
			return NULL;
		}
		doc->pos = p;
		sc->cap = cap;
	}
	p = &doc->pos[doc->npos++];
	memset(p, 0, sizeof(*p));
	return p;
}

static void scan_value(struct scan *sc, const json_t *v);

static void scan_object(struct scan *sc, const json_t *obj)
{
	struct cb_buf key;
	struct cb_jpos *p;
	int kline, kcol;
	const json_t *child;

	scan_adv(sc); /* { */
	cb_buf_init(&key, CB_JSON_MAX_FILE);
	for (;;) {
		scan_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] == '}')
			break;
		if (sc->s[sc->i] == ',') {
			scan_adv(sc);
			continue;
		}
		cb_buf_reset(&key);
		scan_here(sc, &kline, &kcol);
		scan_string(sc, &key);
		scan_ws(sc);
		scan_adv(sc); /* : */
		scan_ws(sc);
		child = json_object_get(obj, cb_buf_str(&key));
		p = scan_record(sc);
		if (!p)
			break;
		p->parent = obj;
		p->value = child;
		p->key = strdup(cb_buf_str(&key));
		p->kline = kline;
		p->kcol = kcol;
		scan_here(sc, &p->line, &p->col);
		scan_value(sc, child);
	}
	scan_adv(sc); /* } */
	cb_buf_release(&key);
}

static void scan_array(struct scan *sc, const json_t *arr)
{
	struct cb_jpos *p;
	size_t idx = 0;

	scan_adv(sc); /* [ */
	for (;;) {
		scan_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] == ']')
			break;
		if (sc->s[sc->i] == ',') {
			scan_adv(sc);
			continue;
		}
		p = scan_record(sc);
		if (!p)
			break;
		p->parent = arr;
		p->value = json_array_get(arr, idx);
		p->index = idx;
		scan_here(sc, &p->line, &p->col);
		scan_value(sc, p->value);
		idx++;
	}
	scan_adv(sc); /* ] */
}

static void scan_value(struct scan *sc, const json_t *v)
{
	char c;

	scan_ws(sc);
	if (sc->i >= sc->len || sc->failed)
		return;
	c = sc->s[sc->i];
	if (c == '{' && json_is_object(v)) {
		scan_object(sc, v);
	} else if (c == '[' && json_is_array(v)) {
		scan_array(sc, v);
	} else if (c == '"') {
		scan_string(sc, NULL);
	} else {
		while (sc->i < sc->len && !strchr(",]} \t\r\n", sc->s[sc->i]))
			scan_adv(sc);
	}
}

void cb_json_release(struct cb_json_doc *doc)
{
	size_t k;

	if (!doc)
		return;
	for (k = 0; k < doc->npos; k++)
		free(doc->pos[k].key);
	free(doc->pos);
	json_decref(doc->root);
	free(doc->path);
	free(doc->text);
	memset(doc, 0, sizeof(*doc));
}

int cb_json_load_mem(struct cb_json_doc *doc, const char *path,
		     const char *text, size_t len, struct cb_error *err)
{
	json_error_t jerr;
	struct scan sc;
	struct cb_jpos *p;

	memset(doc, 0, sizeof(*doc));
	doc->path = strdup(path);
	doc->text = malloc(len + 1);
	if (!doc->path || !doc->text) {
		cb_json_release(doc);
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	}
	memcpy(doc->text, text, len);
	doc->text[len] = '\0';
	doc->text_len = len;
	doc->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc->root) {
		cb_error_set(err, CB_EINVAL, "%s", jerr.text);
		cb_error_at(err, path, jerr.line > 0 ? jerr.line : 1,
			    jerr.column > 0 ? jerr.column : 1);
		cb_json_release(doc);
		return CB_EINVAL;
	}
	memset(&sc, 0, sizeof(sc));
	sc.s = doc->text;
	sc.len = len;
	sc.line = 1;
	sc.doc = doc;
	p = scan_record(&sc);
	if (p) {
		p->value = doc->root;
		scan_ws(&sc);
		scan_here(&sc, &p->line, &p->col);
		scan_value(&sc, doc->root);
	}
	if (sc.failed) {
		cb_json_release(doc);
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	}
	return CB_OK;
}

int cb_json_load(struct cb_json_doc *doc, const char *path,
		 struct cb_error *err)
{
	struct cb_buf b;
	int rc;

	memset(doc, 0, sizeof(*doc));
	rc = cb_buf_read_file(&b, path, CB_JSON_MAX_FILE, err);
	if (rc) {
		if (rc == CB_ETOOBIG)
			cb_error_at(err, path, 1, 1);
		return rc;
	}
	rc = cb_json_load_mem(doc, path, b.data, b.len, err);
	cb_buf_release(&b);
	return rc;
}

static const struct cb_jpos *find_value(const struct cb_json_doc *doc,
					const json_t *value)
{
	size_t k;

	for (k = 0; k < doc->npos; k++)
		if (doc->pos[k].value == value)
			return &doc->pos[k];
	return NULL;
}

static const struct cb_jpos *find_member(const struct cb_json_doc *doc,
					 const json_t *obj, const char *key)
{
	size_t k;

	for (k = 0; k < doc->npos; k++)
		if (doc->pos[k].parent == obj && doc->pos[k].key &&
		    !strcmp(doc->pos[k].key, key))
			return &doc->pos[k];
	return NULL;
}

void cb_json_pos(const struct cb_json_doc *doc, const json_t *value,
		 int *line, int *col)
{
	const struct cb_jpos *p = find_value(doc, value);

	*line = p ? p->line : 0;
	*col = p ? p->col : 0;
}

void cb_json_member_pos(const struct cb_json_doc *doc, const json_t *obj,
			const char *key, int *line, int *col)
{
	const struct cb_jpos *p = find_member(doc, obj, key);

	if (p) {
		*line = p->line;
		*col = p->col;
	} else {
		cb_json_pos(doc, obj, line, col);
	}
}

void cb_json_key_pos(const struct cb_json_doc *doc, const json_t *obj,
		     const char *key, int *line, int *col)
{
	const struct cb_jpos *p = find_member(doc, obj, key);

	if (p) {
		*line = p->kline;
		*col = p->kcol;
	} else {
		cb_json_pos(doc, obj, line, col);
	}
}

void cb_json_index_pos(const struct cb_json_doc *doc, const json_t *arr,
		       size_t index, int *line, int *col)
{
	size_t k;

	for (k = 0; k < doc->npos; k++) {
		if (doc->pos[k].parent == arr && !doc->pos[k].key &&
		    doc->pos[k].index == index) {
			*line = doc->pos[k].line;
			*col = doc->pos[k].col;
			return;
		}
	}
	cb_json_pos(doc, arr, line, col);
}

static int fail_at(const struct cb_json_doc *doc, int line, int col,
		   struct cb_error *err, const char *fmt, va_list ap)
{
	char text[CB_ERROR_TEXT_MAX];

	vsnprintf(text, sizeof(text), fmt, ap);
	cb_error_set(err, CB_EINVAL, "%s", text);
	cb_error_at(err, doc->path, line ? line : 1, line ? col : 1);
	return CB_EINVAL;
}

int cb_json_fail(const struct cb_json_doc *doc, const json_t *value,
		 struct cb_error *err, const char *fmt, ...)
{
	int line, col, rc;
	va_list ap;

	cb_json_pos(doc, value, &line, &col);
	va_start(ap, fmt);
	rc = fail_at(doc, line, col, err, fmt, ap);
	va_end(ap);
	return rc;
}

int cb_json_fail_at(const struct cb_json_doc *doc, int line, int col,
		    struct cb_error *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fail_at(doc, line, col, err, fmt, ap);
	va_end(ap);
	return rc;
}

int cb_json_fail_member(const struct cb_json_doc *doc, const json_t *obj,
			const char *key, struct cb_error *err,
			const char *fmt, ...)
{
	int line, col, rc;
	va_list ap;

	cb_json_member_pos(doc, obj, key, &line, &col);
	va_start(ap, fmt);
	rc = fail_at(doc, line, col, err, fmt, ap);
	va_end(ap);
	return rc;
}

int cb_json_fail_key(const struct cb_json_doc *doc, const json_t *obj,
		     const char *key, struct cb_error *err, const char *fmt,
		     ...)
{
	int line, col, rc;
	va_list ap;

	cb_json_key_pos(doc, obj, key, &line, &col);
	va_start(ap, fmt);
	rc = fail_at(doc, line, col, err, fmt, ap);
	va_end(ap);
	return rc;
}

static int in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

int cb_json_check_keys(const struct cb_json_doc *doc, const json_t *obj,
		       const char *what, const char *const *allowed,
		       const char *const *required, struct cb_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return cb_json_fail(doc, obj, err, "%s must be an object, not %s",
				    what, cb_json_type_name(obj));
	json_object_foreach((json_t *)obj, key, v) {
		if (!in_list(allowed, key) && !in_list(required, key))
			return cb_json_fail_key(doc, obj, key, err,
						"unknown key '%s' in %s", key,
						what);
	}
	for (; required && *required; required++)
		if (!json_object_get(obj, *required))
			return cb_json_fail(doc, obj, err,
					    "%s lacks required key '%s'", what,
					    *required);
	return CB_OK;
}

static int get_typed(const struct cb_json_doc *doc, const json_t *obj,
		     const char *key, int required, json_type type,
		     json_t **out, struct cb_error *err)
{
	json_t *v = json_object_get(obj, key);
	static const char *const names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",  [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a number",    [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
	};

	if (!v) {
		if (required)
			return cb_json_fail(doc, obj, err,
					    "missing required key '%s'", key);
		return CB_OK;
	}
	if (json_typeof(v) != type)
		return cb_json_fail_member(doc, obj, key, err,
					   "'%s' must be %s, not %s", key,
					   names[type], cb_json_type_name(v));
	if (type == JSON_STRING && required && !json_string_length(v))
		return cb_json_fail_member(doc, obj, key, err,
					   "'%s' must not be empty", key);
	*out = v;
	return CB_OK;
}

int cb_json_get_string(const struct cb_json_doc *doc, const json_t *obj,
		       const char *key, int required, const char **out,
		       struct cb_error *err)
{
	json_t *v = NULL;
	int rc = get_typed(doc, obj, key, required, JSON_STRING, &v, err);

	if (!rc && v)
		*out = json_string_value(v);
	return rc;
}

int cb_json_get_object(const struct cb_json_doc *doc, const json_t *obj,
		       const char *key, int required, json_t **out,
		       struct cb_error *err)
{
	return get_typed(doc, obj, key, required, JSON_OBJECT, out, err);
}

int cb_json_get_array(const struct cb_json_doc *doc, const json_t *obj,
		      const char *key, int required, json_t **out,
		      struct cb_error *err)
{
	return get_typed(doc, obj, key, required, JSON_ARRAY, out, err);
}

const char *cb_json_type_name(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}
