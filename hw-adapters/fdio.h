/*
 * fdio.h - reads and writes with deadlines on a non-blocking file
 * descriptor, shared by the backends that have one (tty, tcp).
 *
 * The adapter contract (hw.h) in one place: a read waits at most
 * timeout_ms for at least one byte and returns what is there; nothing
 * arrived is CB_ETIMEOUT; a peer that is gone (hang-up, EOF, reset) is
 * CB_ECLOSED.  A write sends everything within timeout_ms or fails.
 */
#ifndef FDIO_H
#define FDIO_H

#include <stddef.h>

struct cb_error;

/* What a read or write on a terminal that hung up reports (CB_ECLOSED). */
#define FDIO_TTY_HUNG_UP "device hung up (unplugged?)"

enum fdio_kind {
	FDIO_TTY,	/* read()/write(); EIO or EOF: the line hung up */
	FDIO_SOCKET,	/* recv()/send() without SIGPIPE */
};

int fdio_read(int fd, enum fdio_kind kind, void *buf, size_t len,
	      int timeout_ms, size_t *nread, struct cb_error *err);
int fdio_write(int fd, enum fdio_kind kind, const void *buf, size_t len,
	       int timeout_ms, struct cb_error *err);

#endif /* FDIO_H */
