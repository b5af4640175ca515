/*
 * tty.c - serial consoles through termios: USB-serial adapters, on-board
 * UARTs and pseudo-terminals.
 *
 * URI: tty:///dev/ttyUSB0?baud=115200&bits=8&parity=N&stop=1&flow=none
 * (parity N/E/O/M/S, flow none/rtscts/xonxoff; see hw_line_from_uri).
 * The line is put in raw mode (no echo, no line editing, no CR/LF
 * translation, no parity checking that would rewrite bytes) so the bytes
 * the device sends are the bytes we record.  Every setting is read back
 * after it is applied: a driver that quietly keeps another rate, or drops
 * mark parity, is an error, not a garbled console.
 *
 * The device is held exclusively: flock() for every process that asks
 * (other certbench runs, picocom, and root, whom TIOCEXCL does not stop)
 * and TIOCEXCL for unprivileged programs that do not ask.  Reads and
 * writes wait with poll() and never block past their deadline; a hang-up
 * (USB adapter unplugged, pty master gone) is CB_ECLOSED at once.  Closing
 * never waits on the driver: unsent output gets a bounded grace period.
 * It is not a login console or a modem: no DCD, no CLOCAL-off hang-ups.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "hw-adapters/fdio.h"
#include "hw-adapters/hw.h"
#include "hw-adapters/tty_rate.h"

#define TTY_CLOSE_DRAIN_MS 500	/* unsent output's grace at close */
#define TTY_BREAK_DRAIN_MS 2000	/* output must leave before a break */
#define TTY_RATE_TOLERANCE 100	/* a rounded rate may be off by 1/100 */

struct tty {
	int fd;			/* -1 when closed */
	int pty;		/* a pseudo-terminal: 8 bits, no parity */
	int exclusive;		/* TIOCEXCL is ours to clear at close */
	int saved_ok;		/* saved holds the settings found at open */
	struct termios saved;
};

static const struct {
	unsigned baud;
	speed_t speed;
} tty_speeds[] = {
	{50, B50},	       {75, B75},	      {110, B110},
	{134, B134},	       {150, B150},	      {200, B200},
	{300, B300},	       {600, B600},	      {1200, B1200},
	{1800, B1800},	       {2400, B2400},	      {4800, B4800},
	{9600, B9600},	       {19200, B19200},	      {38400, B38400},
	{57600, B57600},       {115200, B115200},     {230400, B230400},
	{460800, B460800},     {500000, B500000},     {576000, B576000},
	{921600, B921600},     {1000000, B1000000},   {1152000, B1152000},
	{1500000, B1500000},   {2000000, B2000000},   {2500000, B2500000},
	{3000000, B3000000},   {3500000, B3500000},   {4000000, B4000000},
};

#define TTY_NSPEEDS (sizeof(tty_speeds) / sizeof(tty_speeds[0]))

/* The B* constant for baud; 0 (B0, never a line rate) when there is none. */
static speed_t tty_speed_of(unsigned baud)
{
	size_t k;

	for (k = 0; k < TTY_NSPEEDS; k++)
		if (tty_speeds[k].baud == baud)
			return tty_speeds[k].speed;
	return B0;
}

static unsigned tty_baud_of(speed_t speed)
{
	size_t k;

	for (k = 0; k < TTY_NSPEEDS; k++)
		if (tty_speeds[k].speed == speed)
			return tty_speeds[k].baud;
	return 0;
}

/*
 * A failed system call on the open line.  After a hang-up the kernel
 * answers EIO to everything (ENODEV/ENXIO from some USB drivers): that is
 * the device gone, not a bench bug.
 */
static int tty_os_error(struct cb_error *err, const char *what)
{
	if (errno == EIO || errno == ENODEV || errno == ENXIO)
		return cb_error_set(err, CB_ECLOSED, "%s", FDIO_TTY_HUNG_UP);
	return cb_error_set_os(err, CB_EIO, "%s", what);
}

static int tty_line_check(const struct hw_line *line, struct cb_error *err)
{
	if (!line->baud || line->baud > HW_BAUD_MAX)
		return cb_error_set(err, CB_EINVAL, "baud rate %u: want 50..%u",
				    line->baud, (unsigned)HW_BAUD_MAX);
	if (line->data_bits < 5 || line->data_bits > 8)
		return cb_error_set(err, CB_EINVAL, "%u data bits: want 5..8",
				    line->data_bits);
	if (line->stop_bits < 1 || line->stop_bits > 2)
		return cb_error_set(err, CB_EINVAL, "%u stop bits: want 1 or 2",
				    line->stop_bits);
	if (!line->parity || !strchr("NEOMS", line->parity))
		return cb_error_set(err, CB_EINVAL,
				    "parity must be N, E, O, M or S");
	if (line->flow > HW_FLOW_XONXOFF)
		return cb_error_set(err, CB_EINVAL, "unknown flow control %u",
				    line->flow);
#ifndef CMSPAR
	if (line->parity == 'M' || line->parity == 'S')
		return cb_error_set(err, CB_ENOTSUP,
				    "mark and space parity need CMSPAR");
#endif
	return CB_OK;
}

#ifndef CMSPAR
#define CMSPAR 0
#endif

/* The c_cflag bits a line asks for, within TTY_CFLAG_MASK. */
#define TTY_CFLAG_MASK (CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CRTSCTS)
#define TTY_IFLAG_MASK (IXON | IXOFF | IXANY)

static tcflag_t tty_cflag(const struct hw_line *line)
{
	static const tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
	tcflag_t c = sizes[line->data_bits - 5];

	switch (line->parity) {
	case 'E': c |= PARENB; break;
	case 'O': c |= PARENB | PARODD; break;
	case 'M': c |= PARENB | CMSPAR | PARODD; break;
	case 'S': c |= PARENB | CMSPAR; break;
	default: break;
	}
	if (line->stop_bits == 2)
		c |= CSTOPB;
	if (line->flow == HW_FLOW_RTSCTS)
		c |= CRTSCTS;
	return c;
}

static tcflag_t tty_iflag(const struct hw_line *line)
{
	return line->flow == HW_FLOW_XONXOFF ? IXON | IXOFF : 0;
}

/* The rate the driver runs at, in bits per second. */
static int tty_rate_read(struct tty *t, unsigned *baud, struct cb_error *err)
{
	struct termios tio;
	unsigned ispeed;

	if (!tty_rate_get(t->fd, &ispeed, baud))
		return CB_OK;
	if (errno != ENOSYS && errno != ENOTTY && errno != EINVAL)
		return tty_os_error(err, "TCGETS2");
	if (tcgetattr(t->fd, &tio))
		return tty_os_error(err, "tcgetattr");
	*baud = tty_baud_of(cfgetospeed(&tio));
	return CB_OK;
}

static int tty_rate_close_enough(unsigned got, unsigned want)
{
	unsigned diff = got > want ? got - want : want - got;

	return (unsigned long long)diff * TTY_RATE_TOLERANCE <= want;
}

/*
 * Unix98 pty slaves (majors 136..143).  Their driver forces CS8 and no
 * parity whatever is asked: there is no wire for framing to matter on,
 * and a pty standing in for a device (simdut, a socat bridge) must still
 * open with the device's settings.
 */
static int tty_is_pty(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143;
}

/*
 * tcsetattr() succeeds when any part of a change took: read everything
 * back and name what the driver would not do.
 */
static int tty_verify(struct tty *t, const struct hw_line *line,
		      struct cb_error *err)
{
	tcflag_t want_c = tty_cflag(line), want_i = tty_iflag(line);
	tcflag_t parity = t->pty ? PARODD | CMSPAR : PARENB | PARODD | CMSPAR;
	struct termios tio;
	unsigned baud;
	char desc[48];
	int rc;

	if (tcgetattr(t->fd, &tio))
		return tty_os_error(err, "tcgetattr");
	hw_line_format(line, desc, sizeof(desc));
	if (!t->pty && (tio.c_cflag & CSIZE) != (want_c & CSIZE))
		return cb_error_set(err, CB_ENOTSUP,
				    "driver refused %u data bits (%s)",
				    line->data_bits, desc);
	if ((tio.c_cflag & parity) != (want_c & parity))
		return cb_error_set(err, CB_ENOTSUP,
				    "driver refused parity %c (%s)",
				    line->parity, desc);
	if ((tio.c_cflag & CSTOPB) != (want_c & CSTOPB))
		return cb_error_set(err, CB_ENOTSUP,
				    "driver refused %u stop bits (%s)",
				    line->stop_bits, desc);
	if ((tio.c_cflag & CRTSCTS) != (want_c & CRTSCTS) ||
	    (tio.c_iflag & TTY_IFLAG_MASK) != want_i)
		return cb_error_set(err, CB_ENOTSUP,
				    "driver refused the flow control (%s)",
				    desc);
	rc = tty_rate_read(t, &baud, err);
	if (rc)
		return rc;
	if (!tty_rate_close_enough(baud, line->baud))
		return cb_error_set(err, CB_ENOTSUP,
				    "driver set %u baud, not %u", baud,
				    line->baud);
	return CB_OK;
}

static int tty_apply(struct tty *t, const struct hw_line *line,
		     struct cb_error *err)
{
	speed_t speed = tty_speed_of(line->baud);
	struct termios tio;
	int rc;

	rc = tty_line_check(line, err);
	if (rc)
		return rc;
	if (tcgetattr(t->fd, &tio))
		return tty_os_error(err, "tcgetattr");
	cfmakeraw(&tio);
	tio.c_cflag &= ~TTY_CFLAG_MASK;
	tio.c_cflag |= CLOCAL | CREAD | tty_cflag(line);
	tio.c_iflag &= ~TTY_IFLAG_MASK;
	tio.c_iflag |= tty_iflag(line);
	tio.c_cc[VSTART] = 0x11;
	tio.c_cc[VSTOP] = 0x13;
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	if (speed != B0) {
		cfsetispeed(&tio, speed);
		cfsetospeed(&tio, speed);
#ifdef CIBAUD
		/* A separate input rate left by termios2 would win. */
		tio.c_cflag &= ~CIBAUD;
#endif
	}
	if (tcsetattr(t->fd, TCSANOW, &tio))
		return tty_os_error(err, "tcsetattr");
	/* No B* constant: ask for the number itself (termios2). */
	if (speed == B0 && tty_rate_set(t->fd, line->baud)) {
		if (errno == ENOSYS)
			return cb_error_set(err, CB_ENOTSUP,
					    "baud rate %u is not standard and "
					    "this system has no termios2",
					    line->baud);
		if (errno == EINVAL || errno == ENOTTY)
			return cb_error_set(err, CB_ENOTSUP,
					    "driver refused %u baud",
					    line->baud);
		return tty_os_error(err, "TCSETS2");
	}
	return tty_verify(t, line, err);
}

/*
 * Wait until the driver has sent what was written, at most ms.  A driver
 * that cannot tell (no TIOCOUTQ) counts as drained.
 */
static int tty_wait_sent(struct tty *t, int ms, struct cb_error *err)
{
	int64_t deadline = cb_now_ms() + ms;
	int queued;

	for (;;) {
		if (ioctl(t->fd, TIOCOUTQ, &queued)) {
			if (errno == ENOTTY || errno == EINVAL)
				return CB_OK;
			return tty_os_error(err, "TIOCOUTQ");
		}
		if (queued <= 0)
			return CB_OK;
		if (!cb_ms_left(deadline))
			return cb_error_set(err, CB_ETIMEOUT,
					    "%d bytes still unsent after %d ms",
					    queued, ms);
		poll(NULL, 0, 5);
	}
}

/* Another holder of the line: a second run, a terminal program. */
static int tty_in_use(const char *path, struct cb_error *err)
{
	errno = EBUSY;
	return cb_error_set_os(err, CB_EIO, "%s is in use by another program",
			       path);
}

static int tty_lock(struct tty *t, const char *path, struct cb_error *err)
{
	if (flock(t->fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			return tty_in_use(path, err);
		/* A file system without flock() still gets TIOCEXCL. */
		if (errno != ENOLCK && errno != EINVAL && errno != ENOTSUP)
			return cb_error_set_os(err, CB_EIO, "flock %s", path);
	}
	if (ioctl(t->fd, TIOCEXCL))
		return tty_os_error(err, "TIOCEXCL");
	t->exclusive = 1;
	return CB_OK;
}

static int tty_open(struct hw_adapter *hw, const struct hw_uri *uri,
		    struct cb_error *err)
{
	struct tty *t = hw->priv;
	struct hw_line line;
	int rc;

	t->fd = -1;
	if (!uri->path[0])
		return cb_error_set(err, CB_EINVAL, "tty URI has no device path");
	rc = hw_line_from_uri(&line, uri, err);
	if (rc)
		return rc;
	t->fd = open(uri->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0 && errno == EBUSY)
		return tty_in_use(uri->path, err);
	if (t->fd < 0)
		return cb_error_set_os(err,
				       errno == ENOENT ? CB_ENODEV : CB_EIO,
				       "cannot open %s", uri->path);
	if (!isatty(t->fd))
		return cb_error_set(err, CB_EINVAL, "%s is not a terminal",
				    uri->path);
	t->pty = tty_is_pty(t->fd);
	rc = tty_lock(t, uri->path, err);
	if (rc)
		return rc;
	t->saved_ok = tcgetattr(t->fd, &t->saved) == 0;
	rc = tty_apply(t, &line, err);
	if (rc)
		return rc;
	tcflush(t->fd, TCIOFLUSH);
	return CB_OK;
}

static void tty_close(struct hw_adapter *hw)
{
	struct tty *t = hw->priv;

	if (t->fd < 0)
		return;
	/* Let the last bytes (a logout) go, then drop the rest so close()
	 * cannot sit in the driver's closing_wait behind a stopped line. */
	tty_wait_sent(t, TTY_CLOSE_DRAIN_MS, NULL);
	tcflush(t->fd, TCIOFLUSH);
	if (t->saved_ok)
		tcsetattr(t->fd, TCSANOW, &t->saved);
	if (t->exclusive)
		ioctl(t->fd, TIOCNXCL);
	close(t->fd); /* releases the flock */
	t->fd = -1;
}

static int tty_read(struct hw_adapter *hw, void *buf, size_t len,
		    int timeout_ms, size_t *nread, struct cb_error *err)
{
	struct tty *t = hw->priv;

	return fdio_read(t->fd, FDIO_TTY, buf, len, timeout_ms, nread, err);
}

static int tty_write(struct hw_adapter *hw, const void *buf, size_t len,
		     int timeout_ms, struct cb_error *err)
{
	struct tty *t = hw->priv;

	return fdio_write(t->fd, FDIO_TTY, buf, len, timeout_ms, err);
}

static int tty_drain(struct hw_adapter *hw, struct cb_error *err)
{
	struct tty *t = hw->priv;

	if (tcflush(t->fd, TCIFLUSH))
		return tty_os_error(err, "tcflush");
	return CB_OK;
}

static int tty_set_line(struct hw_adapter *hw, const struct hw_line *line,
			struct cb_error *err)
{
	return tty_apply(hw->priv, line, err);
}

/*
 * TIOCSBRK/TIOCCBRK around our own timer rather than tcsendbreak(),
 * whose duration Linux rounds to 100 ms steps (or fixes at 250 ms).  The
 * wait is a poll() on the line so an unplug ends it at once.
 */
static int tty_send_break(struct hw_adapter *hw, int ms,
			  struct cb_error *err)
{
	struct tty *t = hw->priv;
	struct pollfd pfd = {.fd = t->fd, .events = 0};
	int64_t deadline;
	int rc;

	rc = tty_wait_sent(t, TTY_BREAK_DRAIN_MS, err);
	if (rc)
		return rc;
	if (ioctl(t->fd, TIOCSBRK))
		return tty_os_error(err, "TIOCSBRK");
	deadline = cb_now_ms() + ms;
	while (cb_ms_left(deadline)) {
		if (poll(&pfd, 1, cb_ms_left(deadline)) > 0 &&
		    (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))) {
			ioctl(t->fd, TIOCCBRK);
			return cb_error_set(err, CB_ECLOSED, "%s",
					    FDIO_TTY_HUNG_UP);
		}
	}
	if (ioctl(t->fd, TIOCCBRK))
		return tty_os_error(err, "TIOCCBRK");
	return CB_OK;
}

static const char *const tty_schemes[] = {"tty", NULL};

const struct hw_adapter_ops hw_tty_ops = {
	.name = "tty",
	.schemes = tty_schemes,
	.caps = HW_CAP_STREAM | HW_CAP_LINE | HW_CAP_BREAK,
	.priv_size = sizeof(struct tty),
	.open = tty_open,
	.close = tty_close,
	.read = tty_read,
	.write = tty_write,
	.drain = tty_drain,
	.set_line = tty_set_line,
	.send_break = tty_send_break,
};
