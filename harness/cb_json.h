/*
 * cb_json.h - JSON input files with source positions.
 *
 * jansson parses; this module also remembers where each value and each
 * object key sits in the text, so that a validator can say
 * "profile.json:12:9: unknown key 'serail'" about a document that is
 * syntactically fine.  It is for input files (test cases, profiles,
 * answers), not for device data.
 */
#ifndef CB_JSON_H
#define CB_JSON_H

#include <stddef.h>

#include <jansson.h>

struct cb_error;
struct cb_jpos;

struct cb_json_doc {
	json_t *root;		/* owned */
	char *path;		/* owned copy of the file name */
	char *text;		/* owned raw bytes, for hashing */
	size_t text_len;
	struct cb_jpos *pos;	/* position index, sorted by value */
	size_t npos;
};

#define CB_JSON_MAX_FILE (4u << 20)

/*
 * Load and index a JSON file.  Duplicate keys are rejected.  On failure
 * err holds "path:line:column: text" parts and doc is released.
 */
int cb_json_load(struct cb_json_doc *doc, const char *path,
		 struct cb_error *err);
/* The same from memory (path is only used in messages). */
int cb_json_load_mem(struct cb_json_doc *doc, const char *path,
		     const char *text, size_t len, struct cb_error *err);
void cb_json_release(struct cb_json_doc *doc);

/*
 * Where a value starts.  For members of objects and arrays, pass the
 * container and the key or index: true/false/null are shared singletons
 * in jansson, so the value pointer alone cannot tell them apart.
 * Unknown values give line 0.
 */
void cb_json_pos(const struct cb_json_doc *doc, const json_t *value,
		 int *line, int *col);
void cb_json_member_pos(const struct cb_json_doc *doc, const json_t *obj,
			const char *key, int *line, int *col);
void cb_json_key_pos(const struct cb_json_doc *doc, const json_t *obj,
		     const char *key, int *line, int *col);
void cb_json_index_pos(const struct cb_json_doc *doc, const json_t *arr,
		       size_t index, int *line, int *col);

/* Record err at a value / at an object's member (value or key). */
int cb_json_fail(const struct cb_json_doc *doc, const json_t *value,
		 struct cb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cb_json_fail_member(const struct cb_json_doc *doc, const json_t *obj,
			const char *key, struct cb_error *err,
			const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Record err at an explicit position (line 0 means "the file"). */
int cb_json_fail_at(const struct cb_json_doc *doc, int line, int col,
		    struct cb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int cb_json_fail_key(const struct cb_json_doc *doc, const json_t *obj,
		     const char *key, struct cb_error *err, const char *fmt,
		     ...) __attribute__((format(printf, 5, 6)));

/*
 * Check an object's keys against a NULL-terminated list of allowed and
 * required names; fails at the first unknown key or the object itself
 * when a required key is missing.  "what" names the object in messages.
 */
int cb_json_check_keys(const struct cb_json_doc *doc, const json_t *obj,
		       const char *what, const char *const *allowed,
		       const char *const *required, struct cb_error *err);

/* Typed member getters that fail with a position. *out untouched if absent
 * and not required. */
int cb_json_get_string(const struct cb_json_doc *doc, const json_t *obj,
		       const char *key, int required, const char **out,
		       struct cb_error *err);
int cb_json_get_object(const struct cb_json_doc *doc, const json_t *obj,
		       const char *key, int required, json_t **out,
		       struct cb_error *err);
int cb_json_get_array(const struct cb_json_doc *doc, const json_t *obj,
		      const char *key, int required, json_t **out,
		      struct cb_error *err);

/* jansson type name for messages: "string", "object", ... */
const char *cb_json_type_name(const json_t *v);

#endif /* CB_JSON_H */
