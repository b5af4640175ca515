/*
 * fdio.c - deadline-bounded I/O on non-blocking descriptors (fdio.h).
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "hw-adapters/fdio.h"

static int fdio_gone(enum fdio_kind kind, int e)
{
	if (kind == FDIO_TTY)
		return e == EIO;
	return e == ECONNRESET || e == EPIPE || e == ENOTCONN;
}

static const char *fdio_gone_text(enum fdio_kind kind)
{
	return kind == FDIO_TTY ? FDIO_TTY_HUNG_UP
				: "peer closed the connection";
}

int fdio_read(int fd, enum fdio_kind kind, void *buf, size_t len,
	      int timeout_ms, size_t *nread, struct cb_error *err)
{
	int64_t deadline = cb_now_ms() + timeout_ms;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int pr;

	*nread = 0;
	for (;;) {
		pr = poll(&pfd, 1, cb_ms_left(deadline));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return cb_error_set_os(err, CB_EIO, "poll");
		if (pr == 0)
			return cb_error_set(err, CB_ETIMEOUT,
					    "no data within %d ms", timeout_ms);
		n = kind == FDIO_SOCKET ? recv(fd, buf, len, 0)
					: read(fd, buf, len);
		if (n > 0) {
			*nread = (size_t)n;
			return CB_OK;
		}
		/* Nothing to read and the other side gone: a hang-up. */
		if (n == 0 || fdio_gone(kind, errno) ||
		    (pfd.revents & (POLLHUP | POLLERR)))
			return cb_error_set(err, CB_ECLOSED, "%s",
					    fdio_gone_text(kind));
		if (errno != EAGAIN && errno != EINTR)
			return cb_error_set_os(err, CB_EIO, "read");
		if (!cb_ms_left(deadline))
			return cb_error_set(err, CB_ETIMEOUT,
					    "no data within %d ms", timeout_ms);
	}
}

int fdio_write(int fd, enum fdio_kind kind, const void *buf, size_t len,
	       int timeout_ms, struct cb_error *err)
{
	int64_t deadline = cb_now_ms() + timeout_ms;
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = kind == FDIO_SOCKET ? send(fd, p, len, MSG_NOSIGNAL)
					: write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && fdio_gone(kind, errno))
			return cb_error_set(err, CB_ECLOSED, "%s",
					    fdio_gone_text(kind));
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return cb_error_set_os(err, CB_EIO, "write");
		if (!cb_ms_left(deadline))
			return cb_error_set(err, CB_ETIMEOUT,
					    "write blocked for %d ms",
					    timeout_ms);
		/* A hang-up wakes poll() without making room: say so now
		 * rather than spin until the deadline. */
		if (poll(&pfd, 1, cb_ms_left(deadline)) > 0 &&
		    (pfd.revents & (POLLHUP | POLLERR)) &&
		    !(pfd.revents & POLLOUT))
			return cb_error_set(err, CB_ECLOSED, "%s",
					    fdio_gone_text(kind));
	}
	return CB_OK;
}
