/*
 * cb_buf.h - a growable byte buffer with a hard ceiling.
 *
 * Every buffer a device or a file fills is a cb_buf with a maximum size,
 * after curl's dynbuf: growing past the ceiling fails with CB_ETOOBIG and
 * leaves the contents as they were.  The data is always NUL-terminated
 * (the terminator is not counted in len), so text helpers can use it.
 */
#ifndef CB_BUF_H
#define CB_BUF_H

#include <stddef.h>

struct cb_error;

struct cb_buf {
	char *data;	/* NULL until the first append */
	size_t len;	/* bytes used, excluding the terminator */
	size_t cap;	/* bytes allocated */
	size_t max;	/* ceiling for len */
};

void cb_buf_init(struct cb_buf *b, size_t max);
void cb_buf_release(struct cb_buf *b);
void cb_buf_reset(struct cb_buf *b);	/* len = 0, keeps memory */

int cb_buf_add(struct cb_buf *b, const void *p, size_t n,
	       struct cb_error *err);
int cb_buf_adds(struct cb_buf *b, const char *s, struct cb_error *err);
int cb_buf_printf(struct cb_buf *b, struct cb_error *err, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

/* Drop the first n bytes (n <= len). */
void cb_buf_consume(struct cb_buf *b, size_t n);

/* Hand the contents to the caller (malloc()ed, NUL-terminated). */
char *cb_buf_detach(struct cb_buf *b, size_t *len);

/* The contents, or "" when nothing was added yet. */
static inline const char *cb_buf_str(const struct cb_buf *b)
{
	return b->data ? b->data : "";
}

/* Read a whole file, at most max bytes, into a fresh buffer. */
int cb_buf_read_file(struct cb_buf *b, const char *path, size_t max,
		     struct cb_error *err);

#endif /* CB_BUF_H */
