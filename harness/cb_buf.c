/*
 * cb_buf.c - bounded growable buffer (see cb_buf.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"

void cb_buf_init(struct cb_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void cb_buf_release(struct cb_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void cb_buf_reset(struct cb_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int buf_reserve(struct cb_buf *b, size_t n, struct cb_error *err)
{
	size_t want, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return cb_error_set(err, CB_ETOOBIG,
				    "more than %zu bytes", b->max);
	want = b->len + n + 1;
	if (want <= b->cap)
		return CB_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (!p)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	b->data = p;
	b->cap = cap;
	return CB_OK;
}

int cb_buf_add(struct cb_buf *b, const void *p, size_t n,
	       struct cb_error *err)
{
	int rc = buf_reserve(b, n, err);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CB_OK;
}

int cb_buf_adds(struct cb_buf *b, const char *s, struct cb_error *err)
{
	return cb_buf_add(b, s, strlen(s), err);
}

int cb_buf_printf(struct cb_buf *b, struct cb_error *err, const char *fmt,
		  ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return cb_error_set(err, CB_ERROR, "bad format");
	rc = buf_reserve(b, (size_t)n, err);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CB_OK;
}

void cb_buf_consume(struct cb_buf *b, size_t n)
{
	if (n >= b->len) {
		cb_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n + 1);
	b->len -= n;
}

char *cb_buf_detach(struct cb_buf *b, size_t *len)
{
	char *p = b->data;

	if (!p)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

int cb_buf_read_file(struct cb_buf *b, const char *path, size_t max,
		     struct cb_error *err)
{
	char chunk[8192];
	FILE *fp;
	size_t n;
	int rc = CB_OK;

	cb_buf_init(b, max);
	fp = fopen(path, "rb");
	if (!fp) {
		rc = cb_error_set_os(err, errno == ENOENT ? CB_ENODEV : CB_EIO,
				     "cannot open");
		cb_error_at(err, path, 0, 0);
		return rc;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		rc = cb_buf_add(b, chunk, n, err);
		if (rc)
			break;
	}
	if (!rc && ferror(fp))
		rc = cb_error_set_os(err, CB_EIO, "read failed");
	if (!rc && !b->data)
		rc = cb_buf_add(b, "", 0, err);
	fclose(fp);
	if (rc) {
		cb_error_at(err, path, 0, 0);
		cb_buf_release(b);
	}
	return rc;
}
