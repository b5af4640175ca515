/*
 * cb_error.c - first-wins error recording (see cb_error.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "harness/cb_error.h"

void cb_error_clear(struct cb_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static int error_vset(struct cb_error *err, int code, int sys_errno,
		      const char *fmt, va_list ap)
{
	if (!err)
		return code;
	if (err->code != CB_OK)
		return err->code;
	err->code = code;
	err->sys_errno = sys_errno;
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	return code;
}

int cb_error_set(struct cb_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = error_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return rc;
}

static void error_append(struct cb_error *err, const char *tail)
{
	size_t used = strlen(err->text);

	snprintf(err->text + used, sizeof(err->text) - used, ": %s", tail);
}

int cb_error_set_os(struct cb_error *err, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!err || err->code != CB_OK)
		return err ? err->code : code;
	va_start(ap, fmt);
	error_vset(err, code, saved, fmt, ap);
	va_end(ap);
	error_append(err, strerror(saved));
	return code;
}

int cb_error_set_ssl(struct cb_error *err, int code, const char *fmt, ...)
{
	char buf[160];
	unsigned long e;
	va_list ap;

	if (!err || err->code != CB_OK) {
		ERR_clear_error();
		return err ? err->code : code;
	}
	va_start(ap, fmt);
	error_vset(err, code, 0, fmt, ap);
	va_end(ap);
	/* The first queued error is the root cause; the rest is context. */
	e = ERR_get_error();
	if (e) {
		ERR_error_string_n(e, buf, sizeof(buf));
		error_append(err, buf);
	}
	ERR_clear_error();
	return code;
}

void cb_error_at(struct cb_error *err, const char *source, int line,
		 int column)
{
	if (!err)
		return;
	if (source && !err->source[0])
		snprintf(err->source, sizeof(err->source), "%s", source);
	if (line && !err->line) {
		err->line = line;
		err->column = column;
	}
}

const char *cb_strerror(int code)
{
	switch (code) {
	case CB_OK:
		return "ok";
	case CB_ENOMEM:
		return "out of memory";
	case CB_EINVAL:
		return "bad input";
	case CB_EIO:
		return "i/o error";
	case CB_ETIMEOUT:
		return "timeout";
	case CB_ENODEV:
		return "no such device";
	case CB_ENOTSUP:
		return "not supported";
	case CB_EPROTO:
		return "protocol error";
	case CB_ETOOBIG:
		return "too big";
	case CB_ECRYPTO:
		return "crypto failure";
	case CB_ECLOSED:
		return "connection closed";
	default:
		return "error";
	}
}

const char *cb_error_format(const struct cb_error *err, char *buf,
			    unsigned len)
{
	const char *text = err->text[0] ? err->text : cb_strerror(err->code);

	if (err->source[0] && err->line)
		snprintf(buf, len, "%s:%d:%d: %s", err->source, err->line,
			 err->column, text);
	else if (err->source[0])
		snprintf(buf, len, "%s: %s", err->source, text);
	else
		snprintf(buf, len, "%s", text);
	return buf;
}
