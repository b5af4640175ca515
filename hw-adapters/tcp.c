/*
 * tcp.c - a raw TCP byte stream: telnet-style consoles and banners.
 *
 * URI: tcp://192.0.2.10:23?connect_ms=5000
 * The connect has its own deadline; reads and writes behave as the tty
 * backend's do (poll with a deadline, CB_ECLOSED when the peer is gone).
 * No telnet option negotiation happens here: a step that needs it does it
 * on top, so the evidence shows the exact bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "hw-adapters/fdio.h"
#include "hw-adapters/hw.h"

struct tcp {
	int fd; /* -1 when closed */
};

static int tcp_connect_one(const struct addrinfo *ai, int timeout_ms,
			   struct cb_error *err)
{
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, soerr = 0, pr;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
					   SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return cb_error_set_os(err, CB_EIO, "socket");
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		cb_error_set_os(err, CB_EIO, "connect");
		goto fail;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		pr = poll(&pfd, 1, timeout_ms);
	while (pr < 0 && errno == EINTR);
	if (pr == 0) {
		cb_error_set(err, CB_ETIMEOUT, "no connection within %d ms",
			     timeout_ms);
		goto fail;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (pr < 0 || soerr) {
		errno = soerr ? soerr : errno;
		cb_error_set_os(err, soerr == ECONNREFUSED ? CB_ENODEV : CB_EIO,
				"connect");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int tcp_open(struct hw_adapter *hw, const struct hw_uri *uri,
		    struct cb_error *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	struct tcp *t = hw->priv;
	char port[8];
	long connect_ms;
	int rc, gai;

	t->fd = -1;
	if (!uri->host[0] || !uri->port)
		return cb_error_set(err, CB_EINVAL,
				    "tcp URI needs host and port");
	rc = hw_uri_param_int(uri, "connect_ms", 5000, 1, 600000, &connect_ms,
			      err);
	if (rc)
		return rc;
	snprintf(port, sizeof(port), "%d", uri->port);
	gai = getaddrinfo(uri->host, port, &hints, &res);
	if (gai)
		return cb_error_set(err, CB_ENODEV, "cannot resolve %s: %s",
				    uri->host, gai_strerror(gai));
	t->fd = tcp_connect_one(res, (int)connect_ms, err);
	freeaddrinfo(res);
	return t->fd < 0 ? err->code : CB_OK;
}

static void tcp_close(struct hw_adapter *hw)
{
	struct tcp *t = hw->priv;

	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static int tcp_read(struct hw_adapter *hw, void *buf, size_t len,
		    int timeout_ms, size_t *nread, struct cb_error *err)
{
	struct tcp *t = hw->priv;

	return fdio_read(t->fd, FDIO_SOCKET, buf, len, timeout_ms, nread, err);
}

static int tcp_write(struct hw_adapter *hw, const void *buf, size_t len,
		     int timeout_ms, struct cb_error *err)
{
	struct tcp *t = hw->priv;

	return fdio_write(t->fd, FDIO_SOCKET, buf, len, timeout_ms, err);
}

static const char *const tcp_schemes[] = {"tcp", NULL};

const struct hw_adapter_ops hw_tcp_ops = {
	.name = "tcp",
	.schemes = tcp_schemes,
	.caps = HW_CAP_STREAM,
	.priv_size = sizeof(struct tcp),
	.open = tcp_open,
	.close = tcp_close,
	.read = tcp_read,
	.write = tcp_write,
};
