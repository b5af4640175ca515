/*
 * cb_error.h - the one error value every layer of certbench fills in.
 *
 * A caller owns a struct cb_error and passes it last.  The first failure
 * recorded wins, so an error raised while cleaning up cannot hide the one
 * that caused it.  Every function accepts err == NULL and then records
 * nothing.  Errors describe the bench (files, adapters, the harness); a
 * device failing a check is a verdict, never an error.
 */
#ifndef CB_ERROR_H
#define CB_ERROR_H

#include <stdarg.h>

enum cb_code {
	CB_OK = 0,
	CB_ERROR = -1,	  /* unexpected; the text says what */
	CB_ENOMEM = -2,	  /* allocation failed */
	CB_EINVAL = -3,	  /* bad input file, argument or parameter */
	CB_EIO = -4,	  /* read/write/ioctl failed; sys_errno is set */
	CB_ETIMEOUT = -5, /* the peer stayed silent past the deadline */
	CB_ENODEV = -6,	  /* device, file or adapter not present */
	CB_ENOTSUP = -7,  /* adapter lacks the operation */
	CB_EPROTO = -8,	  /* peer answered, but not in the expected form */
	CB_ETOOBIG = -9,  /* a bounded buffer reached its ceiling */
	CB_ECRYPTO = -10, /* signature, certificate or hash failure */
	CB_ECLOSED = -11, /* the peer closed the connection */
};

#define CB_ERROR_TEXT_MAX 200
#define CB_ERROR_SOURCE_MAX 256

struct cb_error {
	int code;		   /* enum cb_code; CB_OK when clear */
	int sys_errno;		   /* errno at the failure, or 0 */
	int line, column;	   /* position in source, or 0 */
	char source[CB_ERROR_SOURCE_MAX]; /* file, adapter URI or device */
	char text[CB_ERROR_TEXT_MAX];	  /* one line, no trailing newline */
};

void cb_error_clear(struct cb_error *err);

/*
 * Record a failure and return its code, so callers can write
 * "return cb_error_set(err, CB_EINVAL, ...)".  If err already holds a
 * failure it is kept and its code returned.
 */
int cb_error_set(struct cb_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As cb_error_set(), appending ": strerror(errno)" and saving errno. */
int cb_error_set_os(struct cb_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As cb_error_set(), appending the queued OpenSSL errors (and clearing). */
int cb_error_set_ssl(struct cb_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Attach a position to the recorded failure (only if none is set yet). */
void cb_error_at(struct cb_error *err, const char *source, int line,
		 int column);

/* Short name of a code: "timeout", "bad input". */
const char *cb_strerror(int code);

/* "source:line:column: text" (parts that are unset are left out). */
const char *cb_error_format(const struct cb_error *err, char *buf,
			    unsigned len);

#endif /* CB_ERROR_H */
