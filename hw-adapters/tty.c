/*
 * tty.c - serial consoles through termios: USB-serial adapters, on-board
 * UARTs and pseudo-terminals.
 *
 * URI: tty:///dev/ttyUSB0?baud=115200&bits=8&parity=N&stop=1
 * The line is put in raw mode (no echo, no line editing, no CR/LF
 * translation) so the bytes the device sends are the bytes we record.
 * Reads wait with poll() and never block past their deadline.  A hang-up
 * (USB adapter unplugged, pty master gone) is CB_ECLOSED.  It does not do
 * flow control or custom baud rates yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "hw-adapters/fdio.h"
#include "hw-adapters/hw.h"

struct tty {
	int fd;			/* -1 when closed */
	int saved_ok;		/* saved holds the settings found at open */
	struct termios saved;
};

static const struct {
	unsigned baud;
	speed_t speed;
} tty_speeds[] = {
	{1200, B1200},	   {2400, B2400},     {4800, B4800},
	{9600, B9600},	   {19200, B19200},   {38400, B38400},
	{57600, B57600},   {115200, B115200}, {230400, B230400},
	{460800, B460800}, {921600, B921600}, {1500000, B1500000},
	{3000000, B3000000},
};

static int tty_speed(unsigned baud, speed_t *out)
{
	size_t k;

	for (k = 0; k < sizeof(tty_speeds) / sizeof(tty_speeds[0]); k++) {
		if (tty_speeds[k].baud == baud) {
			*out = tty_speeds[k].speed;
			return 0;
		}
	}
	return -1;
}

static int tty_apply(struct tty *t, const struct hw_line *line,
		     struct cb_error *err)
{
	struct termios tio;
	speed_t speed;

	if (tty_speed(line->baud, &speed))
		return cb_error_set(err, CB_EINVAL, "unsupported baud rate %u",
				    line->baud);
	if (tcgetattr(t->fd, &tio))
		return cb_error_set_os(err, CB_EIO, "tcgetattr");
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
	switch (line->data_bits) {
	case 5: tio.c_cflag |= CS5; break;
	case 6: tio.c_cflag |= CS6; break;
	case 7: tio.c_cflag |= CS7; break;
	default: tio.c_cflag |= CS8; break;
	}
	if (line->parity == 'E' || line->parity == 'O')
		tio.c_cflag |= PARENB | (line->parity == 'O' ? PARODD : 0);
	if (line->stop_bits == 2)
		tio.c_cflag |= CSTOPB;
	tio.c_iflag &= ~(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	if (tcsetattr(t->fd, TCSANOW, &tio))
		return cb_error_set_os(err, CB_EIO, "tcsetattr");
	return CB_OK;
}

static int tty_parse_line(const struct hw_uri *u, struct hw_line *line,
			  struct cb_error *err)
{
	const char *parity = hw_uri_param(u, "parity");
	long baud, bits, stop;
	int rc;

	rc = hw_uri_param_int(u, "baud", 115200, 50, 4000000, &baud, err);
	if (!rc)
		rc = hw_uri_param_int(u, "bits", 8, 5, 8, &bits, err);
	if (!rc)
		rc = hw_uri_param_int(u, "stop", 1, 1, 2, &stop, err);
	if (rc)
		return rc;
	if (parity && (strlen(parity) != 1 || !strchr("NEO", parity[0])))
		return cb_error_set(err, CB_EINVAL,
				    "parity must be N, E or O, not '%s'",
				    parity);
	line->baud = (unsigned)baud;
	line->data_bits = (unsigned char)bits;
	line->stop_bits = (unsigned char)stop;
	line->parity = parity ? parity[0] : 'N';
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
	rc = tty_parse_line(uri, &line, err);
	if (rc)
		return rc;
	t->fd = open(uri->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return cb_error_set_os(err,
				       errno == ENOENT ? CB_ENODEV : CB_EIO,
				       "cannot open %s", uri->path);
	if (!isatty(t->fd))
		return cb_error_set(err, CB_EINVAL, "%s is not a terminal",
				    uri->path);
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
	if (t->saved_ok)
		tcsetattr(t->fd, TCSANOW, &t->saved);
	close(t->fd);
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
		return cb_error_set_os(err, CB_EIO, "tcflush");
	return CB_OK;
}

static int tty_set_line(struct hw_adapter *hw, const struct hw_line *line,
			struct cb_error *err)
{
	return tty_apply(hw->priv, line, err);
}

static const char *const tty_schemes[] = {"tty", NULL};

const struct hw_adapter_ops hw_tty_ops = {
	.name = "tty",
	.schemes = tty_schemes,
	.caps = HW_CAP_STREAM | HW_CAP_LINE,
	.priv_size = sizeof(struct tty),
	.open = tty_open,
	.close = tty_close,
	.read = tty_read,
	.write = tty_write,
	.drain = tty_drain,
	.set_line = tty_set_line,
};
