/*
 * ftdi.c - serial consoles on FTDI USB chips through libftdi1, with the
 * chip's spare pins as the target's power switch and reset line.
 *
 * URI: ftdi://VID:PID[/SERIAL][?interface=A&baud=115200&bits=8&parity=N
 *      &stop=1&flow=none|rtscts|xonxoff&latency=16
 *      &reset=cbus0&power=cbus1&active=low&pulse_ms=100&settle_ms=500
 *      &gpio=B]
 * VID and PID are hex (ftdi://0403:6001/A5XK3RJT).  Without a serial the
 * first matching chip is used.
 *
 * It talks USB, not a tty: the kernel's ftdi_sio driver is detached from
 * the interface while we hold it.  The chip sends a bulk IN packet at least
 * once per latency period, even with nothing to say (then it is the two
 * status bytes alone, which libftdi strips); reads poll on that rhythm, so
 * a read returns at most one latency period after its deadline.
 *
 * Pins: cbus0..cbus3 use CBUS bit-bang on FT232R/FT-X chips (the pins must
 * be set to I/O mode in the EEPROM).  adbus0..7 and acbus0..7 are pins of
 * a second channel of a multi-channel chip (gpio=, default the sibling of
 * the console channel: A<->B, C<->D) driven in MPSSE mode, since a channel
 * in UART mode cannot bit-bang its own pins.  Power and reset are
 * announced only when the URI names their pins.  Closing leaves the pins
 * as they are, so closing the console does not switch the target off.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ftdi.h>
#include <libusb.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "hw-adapters/ftdi.h"
#include "hw-adapters/hw.h"

#define FTDI_USB_SLACK_MS 200	/* USB timeout beyond one latency period */
#define FTDI_WRITE_CHUNK 4096

enum ftdi_bank {
	FTDI_BANK_NONE,
	FTDI_BANK_CBUS,		/* CBUS bit-bang on the console channel */
	FTDI_BANK_ADBUS,	/* low byte of the gpio channel (MPSSE) */
	FTDI_BANK_ACBUS,	/* high byte of the gpio channel (MPSSE) */
};

struct ftdi_pin {
	enum ftdi_bank bank;
	unsigned bit;
};

struct ftdi_hw {
	struct ftdi_context *ctx;	/* the console channel */
	struct ftdi_context *gpio;	/* MPSSE channel for ADBUS/ACBUS */
	int usb_open;			/* ctx holds an open device */
	int gone;			/* unplugged: every call is CB_ECLOSED */
	int latency_ms;
	struct ftdi_pin power_pin, reset_pin;
	int active_low;
	long pulse_ms, settle_ms;
	unsigned char dir[2], level[2];	/* [0] CBUS or ADBUS, [1] ACBUS */
	enum ftdi_bits_type bits;	/* frame in use, for send_break */
	enum ftdi_stopbits_type stop;
	enum ftdi_parity_type parity;
};

/* ---- errors --------------------------------------------------------- */

/*
 * Translate one failed libftdi call.  Bulk transfers return libusb codes;
 * there LIBUSB_ERROR_NO_DEVICE (or -ENODEV) means the cable was pulled.
 */
static int ftdi_fail(struct ftdi_hw *f, struct ftdi_context *ctx, int ret,
		     int bulk, const char *what, struct cb_error *err)
{
	const char *text = ftdi_get_error_string(ctx);

	if (bulk && (ret == LIBUSB_ERROR_NO_DEVICE || ret == -ENODEV ||
		     ret == -666)) {
		f->gone = 1;
		return cb_error_set(err, CB_ECLOSED,
				    "USB device unplugged (%s: %s)", what,
				    text);
	}
	if (bulk && ret == LIBUSB_ERROR_TIMEOUT)
		return cb_error_set(err, CB_ETIMEOUT, "%s: %s", what, text);
	return cb_error_set(err, CB_EIO, "%s: libftdi error %d: %s", what,
			    ret, text);
}

static int ftdi_gone(struct cb_error *err)
{
	return cb_error_set(err, CB_ECLOSED, "USB device unplugged");
}

static void ftdi_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- URI ------------------------------------------------------------ */

static int ftdi_parse_ids(const char *host, int *vid, int *pid,
			  struct cb_error *err)
{
	char *end;
	unsigned long v, p;

	errno = 0;
	v = strtoul(host, &end, 16);
	if (errno || end == host || *end != ':' || v > 0xffff)
		goto bad;
	host = end + 1;
	p = strtoul(host, &end, 16);
	if (errno || end == host || *end || p > 0xffff)
		goto bad;
	*vid = (int)v;
	*pid = (int)p;
	return CB_OK;
bad:
	return cb_error_set(err, CB_EINVAL,
			    "ftdi URI wants VID:PID in hex (0403:6001)");
}

static int ftdi_parse_channel(const char *v, enum ftdi_interface *out,
			      struct cb_error *err)
{
	if (!v || strlen(v) != 1 || v[0] < 'A' || v[0] > 'D')
		return cb_error_set(err, CB_EINVAL,
				    "channel must be A, B, C or D, not '%s'",
				    v ? v : "");
	*out = (enum ftdi_interface)(INTERFACE_A + (v[0] - 'A'));
	return CB_OK;
}

static int ftdi_parse_pin(const char *key, const char *v,
			  struct ftdi_pin *pin, struct cb_error *err)
{
	static const struct {
		const char *prefix;
		enum ftdi_bank bank;
		unsigned max;
	} banks[] = {
		{"cbus", FTDI_BANK_CBUS, 3},
		{"adbus", FTDI_BANK_ADBUS, 7},
		{"acbus", FTDI_BANK_ACBUS, 7},
	};
	size_t k, n;

	pin->bank = FTDI_BANK_NONE;
	if (!v)
		return CB_OK;
	for (k = 0; k < sizeof(banks) / sizeof(*banks); k++) {
		n = strlen(banks[k].prefix);
		if (!strncmp(v, banks[k].prefix, n) && v[n] >= '0' &&
		    (unsigned)(v[n] - '0') <= banks[k].max && !v[n + 1]) {
			pin->bank = banks[k].bank;
			pin->bit = (unsigned)(v[n] - '0');
			return CB_OK;
		}
	}
	return cb_error_set(err, CB_EINVAL,
			    "%s=%s: want cbus0..3, adbus0..7 or acbus0..7",
			    key, v);
}

static int ftdi_parse_gpio(struct ftdi_hw *f, const struct hw_uri *u,
			   struct cb_error *err)
{
	const char *active = hw_uri_param(u, "active");
	int rc;

	rc = ftdi_parse_pin("power", hw_uri_param(u, "power"), &f->power_pin,
			    err);
	if (!rc)
		rc = ftdi_parse_pin("reset", hw_uri_param(u, "reset"),
				    &f->reset_pin, err);
	if (!rc)
		rc = hw_uri_param_int(u, "pulse_ms", 100, 1, 60000,
				      &f->pulse_ms, err);
	if (!rc)
		rc = hw_uri_param_int(u, "settle_ms", 500, 0, 600000,
				      &f->settle_ms, err);
	if (rc)
		return rc;
	if (active && strcmp(active, "low") && strcmp(active, "high"))
		return cb_error_set(err, CB_EINVAL,
				    "active must be low or high, not '%s'",
				    active);
	f->active_low = active && !strcmp(active, "low");
	if ((f->power_pin.bank == FTDI_BANK_CBUS &&
	     f->reset_pin.bank > FTDI_BANK_CBUS) ||
	    (f->reset_pin.bank == FTDI_BANK_CBUS &&
	     f->power_pin.bank > FTDI_BANK_CBUS))
		return cb_error_set(err, CB_EINVAL,
				    "power and reset pins must both be CBUS "
				    "or both be ADBUS/ACBUS");
	if (f->power_pin.bank && f->power_pin.bank == f->reset_pin.bank &&
	    f->power_pin.bit == f->reset_pin.bit)
		return cb_error_set(err, CB_EINVAL,
				    "power and reset name the same pin");
	return CB_OK;
}

/* ---- line settings -------------------------------------------------- */

static int ftdi_apply_line(struct ftdi_hw *f, const struct hw_line *line,
			   struct cb_error *err)
{
	static const char parities[] = "NOEMS"; /* enum ftdi_parity_type */
	const char *par = strchr(parities, line->parity);
	int ret;

	if (line->data_bits != 7 && line->data_bits != 8)
		return cb_error_set(err, CB_EINVAL,
				    "FTDI chips take 7 or 8 data bits, not %u",
				    line->data_bits);
	if (!line->parity || !par)
		return cb_error_set(err, CB_EINVAL, "parity '%c' unknown",
				    line->parity);
	if (line->baud > INT_MAX)
		return cb_error_set(err, CB_EINVAL, "baud rate %u too high",
				    line->baud);
	ret = ftdi_set_baudrate(f->ctx, (int)line->baud);
	if (ret == -1)
		return cb_error_set(err, CB_EINVAL, "baud rate %u: %s",
				    line->baud,
				    ftdi_get_error_string(f->ctx));
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "set baud rate", err);
	f->bits = line->data_bits == 7 ? BITS_7 : BITS_8;
	f->stop = line->stop_bits == 2 ? STOP_BIT_2 : STOP_BIT_1;
	f->parity = (enum ftdi_parity_type)(par - parities);
	ret = ftdi_set_line_property(f->ctx, f->bits, f->stop, f->parity);
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "set line", err);
	switch (line->flow) {
	case HW_FLOW_RTSCTS:
		ret = ftdi_setflowctrl(f->ctx, SIO_RTS_CTS_HS);
		break;
	case HW_FLOW_XONXOFF:
		ret = ftdi_setflowctrl_xonxoff(f->ctx, 0x11, 0x13);
		break;
	default:
		ret = ftdi_setflowctrl(f->ctx, SIO_DISABLE_FLOW_CTRL);
		break;
	}
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "set flow control", err);
	return CB_OK;
}

/* ---- pins ----------------------------------------------------------- */

/* Send the pin state in f->dir/f->level to the chip. */
static int ftdi_pins_write(struct ftdi_hw *f, struct cb_error *err)
{
	unsigned char cmd[6];
	int ret;

	if (f->gpio) {
		cmd[0] = 0x80;			/* MPSSE: set ADBUS */
		cmd[1] = f->level[0];
		cmd[2] = f->dir[0];
		cmd[3] = 0x82;			/* MPSSE: set ACBUS */
		cmd[4] = f->level[1];
		cmd[5] = f->dir[1];
		f->gpio->usb_write_timeout = 1000;
		ret = ftdi_write_data(f->gpio, cmd, (int)sizeof(cmd));
		if (ret != (int)sizeof(cmd))
			return ftdi_fail(f, f->gpio, ret < 0 ? ret : -1, 1,
					 "set GPIO pins", err);
		return CB_OK;
	}
	ret = ftdi_set_bitmode(f->ctx,
			       (unsigned char)(f->dir[0] << 4 |
					       (f->level[0] & 0x0f)),
			       BITMODE_CBUS);
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "set CBUS pins", err);
	return CB_OK;
}

/* Drive pin to its asserted (active) or released level. */
static void ftdi_pin_drive(struct ftdi_hw *f, const struct ftdi_pin *pin,
			   int asserted)
{
	int hi = pin->bank == FTDI_BANK_ACBUS;
	unsigned char m = (unsigned char)(1u << pin->bit);

	f->dir[hi] |= m;
	if (asserted != f->active_low)
		f->level[hi] |= m;
	else
		f->level[hi] &= (unsigned char)~m;
}

static int ftdi_open_gpio(struct ftdi_hw *f, const struct hw_uri *u,
			  int vid, int pid, const char *serial,
			  enum ftdi_interface console, struct cb_error *err)
{
	static const enum ftdi_interface sibling[] = {
		INTERFACE_B, INTERFACE_B, INTERFACE_A, INTERFACE_D,
		INTERFACE_C,
	};
	enum ftdi_interface ch = sibling[console];
	const char *v = hw_uri_param(u, "gpio");
	int ret, rc;

	if (v) {
		rc = ftdi_parse_channel(v, &ch, err);
		if (rc)
			return rc;
	}
	if (ch == console)
		return cb_error_set(err, CB_EINVAL,
				    "gpio channel must differ from the "
				    "console's interface");
	f->gpio = ftdi_new();
	if (!f->gpio)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	ret = ftdi_set_interface(f->gpio, ch);
	if (!ret)
		ret = ftdi_usb_open_desc(f->gpio, vid, pid, NULL, serial);
	if (ret < 0)
		return ftdi_fail(f, f->gpio, ret, 0, "open GPIO channel", err);
	ret = ftdi_set_bitmode(f->gpio, 0, BITMODE_RESET);
	if (!ret)
		ret = ftdi_set_bitmode(f->gpio, 0, BITMODE_MPSSE);
	if (ret < 0)
		return ftdi_fail(f, f->gpio, ret, 0, "enter MPSSE mode", err);
	return CB_OK;
}

/* ---- vtable --------------------------------------------------------- */

static int ftdi_open_usb(struct ftdi_hw *f, int vid, int pid,
			 const char *serial,
			 enum ftdi_interface ch, struct cb_error *err)
{
	int ret;

	ret = ftdi_set_interface(f->ctx, ch);
	if (ret < 0)
		return cb_error_set(err, CB_EINVAL, "interface: %s",
				    ftdi_get_error_string(f->ctx));
	ret = ftdi_usb_open_desc(f->ctx, vid, pid, NULL, serial);
	if (ret == -3)
		return cb_error_set(err, CB_ENODEV,
				    "no FTDI device %04x:%04x%s%s", vid, pid,
				    serial ? " with serial " : "",
				    serial ? serial : "");
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "open", err);
	f->usb_open = 1;
	return CB_OK;
}

/*
 * The pins named must exist on the chip that opened: CBUS bit-bang is an
 * FT232R, FT232H and FT-X feature; ADBUS/ACBUS pins need a second
 * MPSSE-capable channel.  A pin the chip lacks would switch nothing, and
 * a power cycle that switches nothing must never look like one.
 */
static int ftdi_check_pins(const struct ftdi_hw *f, struct cb_error *err)
{
	static const char *const names[] = {
		[TYPE_AM] = "FT8U232AM", [TYPE_BM] = "FT232BM",
		[TYPE_2232C] = "FT2232C/D", [TYPE_R] = "FT232R",
		[TYPE_2232H] = "FT2232H", [TYPE_4232H] = "FT4232H",
		[TYPE_232H] = "FT232H", [TYPE_230X] = "FT-X",
	};
	enum ftdi_chip_type t = f->ctx->type;
	const char *name = (unsigned)t < sizeof(names) / sizeof(names[0]) &&
				   names[t] ? names[t] : "this FTDI chip";
	int cbus = f->power_pin.bank == FTDI_BANK_CBUS ||
		   f->reset_pin.bank == FTDI_BANK_CBUS;
	int mpsse = f->power_pin.bank > FTDI_BANK_CBUS ||
		    f->reset_pin.bank > FTDI_BANK_CBUS;

	if (cbus && t != TYPE_R && t != TYPE_232H && t != TYPE_230X)
		return cb_error_set(err, CB_EINVAL,
				    "power/reset on cbus pins: the %s has no "
				    "CBUS bit-bang (use adbusN/acbusN of its "
				    "other channel)",
				    name);
	if (mpsse && t != TYPE_2232C && t != TYPE_2232H && t != TYPE_4232H)
		return cb_error_set(err, CB_EINVAL,
				    "power/reset on adbus/acbus pins: the %s "
				    "has no second MPSSE channel (use cbusN)",
				    name);
	return CB_OK;
}

static int ftdi_open(struct hw_adapter *hw, const struct hw_uri *uri,
		     struct cb_error *err)
{
	struct ftdi_hw *f = hw->priv;
	const char *serial = uri->path[0] == '/' && uri->path[1]
				     ? uri->path + 1
				     : NULL;
	enum ftdi_interface ch = INTERFACE_A;
	struct hw_line line;
	int vid = 0, pid = 0, ret, rc;
	long latency;

	rc = ftdi_parse_ids(uri->host, &vid, &pid, err);
	if (!rc && hw_uri_param(uri, "interface"))
		rc = ftdi_parse_channel(hw_uri_param(uri, "interface"), &ch,
					err);
	if (!rc)
		rc = hw_line_from_uri(&line, uri, err);
	if (!rc)
		rc = hw_uri_param_int(uri, "latency", 16, 1, 255, &latency,
				      err);
	if (!rc)
		rc = ftdi_parse_gpio(f, uri, err);
	if (rc)
		return rc;
	f->latency_ms = (int)latency;
	f->ctx = ftdi_new();
	if (!f->ctx)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	rc = ftdi_open_usb(f, vid, pid, serial, ch, err);
	if (!rc)
		rc = ftdi_check_pins(f, err);
	if (rc)
		return rc;
	ret = ftdi_tcioflush(f->ctx);
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "purge", err);
	rc = ftdi_apply_line(f, &line, err);
	if (rc)
		return rc;
	ret = ftdi_set_latency_timer(f->ctx, (unsigned char)latency);
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "set latency timer", err);
	if (f->power_pin.bank > FTDI_BANK_CBUS ||
	    f->reset_pin.bank > FTDI_BANK_CBUS) {
		rc = ftdi_open_gpio(f, uri, vid, pid, serial, ch, err);
		if (rc)
			return rc;
	}
	hw->caps &= ~(unsigned)(HW_CAP_POWER | HW_CAP_RESET);
	if (f->power_pin.bank) {
		ftdi_pin_drive(f, &f->power_pin, 1);
		hw->caps |= HW_CAP_POWER;
	}
	if (f->reset_pin.bank) {
		ftdi_pin_drive(f, &f->reset_pin, 0);
		hw->caps |= HW_CAP_RESET;
	}
	if (f->power_pin.bank || f->reset_pin.bank)
		return ftdi_pins_write(f, err);
	return CB_OK;
}

static void ftdi_close(struct hw_adapter *hw)
{
	struct ftdi_hw *f = hw->priv;

	if (f->gpio) {
		ftdi_usb_close(f->gpio);
		ftdi_free(f->gpio);
		f->gpio = NULL;
	}
	if (f->ctx) {
		if (f->usb_open)
			ftdi_usb_close(f->ctx);
		ftdi_free(f->ctx);
		f->ctx = NULL;
	}
	f->usb_open = 0;
}

static int ftdi_read(struct hw_adapter *hw, void *buf, size_t len,
		     int timeout_ms, size_t *nread, struct cb_error *err)
{
	struct ftdi_hw *f = hw->priv;
	int64_t deadline = cb_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int left, ret;

	*nread = 0;
	if (f->gone)
		return ftdi_gone(err);
	if (len > INT_MAX)
		len = INT_MAX;
	for (;;) {
		left = cb_ms_left(deadline);
		/* A live chip answers within one latency period; the USB
		 * timeout only catches a chip that stopped answering. */
		f->ctx->usb_read_timeout = left + f->latency_ms +
					   FTDI_USB_SLACK_MS;
		ret = ftdi_read_data(f->ctx, buf, (int)len);
		if (ret > 0) {
			*nread = (size_t)ret;
			return CB_OK;
		}
		if (ret < 0 && ret != LIBUSB_ERROR_TIMEOUT)
			return ftdi_fail(f, f->ctx, ret, 1, "read", err);
		if (!left || ret == LIBUSB_ERROR_TIMEOUT)
			return cb_error_set(err, CB_ETIMEOUT,
					    "no data within %d ms",
					    timeout_ms);
	}
}

static int ftdi_write(struct hw_adapter *hw, const void *buf, size_t len,
		      int timeout_ms, struct cb_error *err)
{
	struct ftdi_hw *f = hw->priv;
	const unsigned char *p = buf;
	int64_t deadline = cb_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	size_t off = 0, chunk;
	int left, ret;

	if (f->gone)
		return ftdi_gone(err);
	while (off < len) {
		left = cb_ms_left(deadline);
		if (!left)
			break;
		chunk = len - off < FTDI_WRITE_CHUNK ? len - off
						     : FTDI_WRITE_CHUNK;
		f->ctx->usb_write_timeout = left; /* 0 would mean never */
		ret = ftdi_write_data(f->ctx, p + off, (int)chunk);
		if (ret == LIBUSB_ERROR_TIMEOUT)
			break;
		if (ret < 0)
			return ftdi_fail(f, f->ctx, ret, 1, "write", err);
		off += (size_t)ret;
	}
	if (off < len)
		return cb_error_set(err, CB_ETIMEOUT,
				    "wrote %zu of %zu bytes in %d ms", off, len,
				    timeout_ms);
	return CB_OK;
}

static int ftdi_drain(struct hw_adapter *hw, struct cb_error *err)
{
	struct ftdi_hw *f = hw->priv;
	int ret;

	if (f->gone)
		return ftdi_gone(err);
	ret = ftdi_tciflush(f->ctx);
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "purge", err);
	return CB_OK;
}

static int ftdi_set_line(struct hw_adapter *hw, const struct hw_line *line,
			 struct cb_error *err)
{
	struct ftdi_hw *f = hw->priv;

	if (f->gone)
		return ftdi_gone(err);
	return ftdi_apply_line(f, line, err);
}

/* Off holds at least pulse_ms; on waits settle_ms for the target to boot. */
static int ftdi_power(struct hw_adapter *hw, int on, struct cb_error *err)
{
	struct ftdi_hw *f = hw->priv;
	int rc;

	if (f->gone)
		return ftdi_gone(err);
	if (!f->power_pin.bank)
		return cb_error_set(err, CB_ENOTSUP, "no power= pin in URI");
	ftdi_pin_drive(f, &f->power_pin, on);
	rc = ftdi_pins_write(f, err);
	if (!rc)
		ftdi_sleep_ms(on ? f->settle_ms : f->pulse_ms);
	return rc;
}

/* A pulse of pulse_ms on the reset pin, then settle_ms for the boot. */
static int ftdi_reset(struct hw_adapter *hw, struct cb_error *err)
{
	struct ftdi_hw *f = hw->priv;
	int rc;

	if (f->gone)
		return ftdi_gone(err);
	if (!f->reset_pin.bank)
		return cb_error_set(err, CB_ENOTSUP, "no reset= pin in URI");
	ftdi_pin_drive(f, &f->reset_pin, 1);
	rc = ftdi_pins_write(f, err);
	if (rc)
		return rc;
	ftdi_sleep_ms(f->pulse_ms);
	ftdi_pin_drive(f, &f->reset_pin, 0);
	rc = ftdi_pins_write(f, err);
	if (!rc)
		ftdi_sleep_ms(f->settle_ms);
	return rc;
}

/* Hold the line in break for ms, keeping the frame settings in use. */
static int ftdi_send_break(struct hw_adapter *hw, int ms,
			   struct cb_error *err)
{
	struct ftdi_hw *f = hw->priv;
	int ret;

	if (f->gone)
		return ftdi_gone(err);
	ret = ftdi_set_line_property2(f->ctx, f->bits, f->stop, f->parity,
				      BREAK_ON);
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "start break", err);
	ftdi_sleep_ms(ms);
	ret = ftdi_set_line_property2(f->ctx, f->bits, f->stop, f->parity,
				      BREAK_OFF);
	if (ret < 0)
		return ftdi_fail(f, f->ctx, ret, 0, "end break", err);
	return CB_OK;
}

/* ---- device list ---------------------------------------------------- */

int hw_ftdi_list(struct hw_ftdi_dev **out, size_t *n, struct cb_error *err)
{
	struct ftdi_context *ctx = ftdi_new();
	struct ftdi_device_list *list = NULL, *d;
	struct libusb_device_descriptor desc;
	struct hw_ftdi_dev *v = NULL;
	size_t count = 0;
	int ret, rc = CB_OK;

	*out = NULL;
	*n = 0;
	if (!ctx)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	ret = ftdi_usb_find_all(ctx, &list, 0, 0);
	if (ret < 0) {
		rc = cb_error_set(err, CB_EIO, "list USB devices: %s",
				  ftdi_get_error_string(ctx));
		goto out;
	}
	if (ret > 0) {
		v = calloc((size_t)ret < HW_FTDI_LIST_MAX ? (size_t)ret
							  : HW_FTDI_LIST_MAX,
			   sizeof(*v));
		if (!v) {
			rc = cb_error_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (d = list; d && count < HW_FTDI_LIST_MAX; d = d->next) {
		struct hw_ftdi_dev *e = &v[count++];

		if (!libusb_get_device_descriptor(d->dev, &desc)) {
			e->vid = desc.idVendor;
			e->pid = desc.idProduct;
		}
		e->bus = libusb_get_bus_number(d->dev);
		e->addr = libusb_get_device_address(d->dev);
		if (ftdi_usb_get_strings2(ctx, d->dev, e->manufacturer,
					  sizeof(e->manufacturer),
					  e->description,
					  sizeof(e->description), e->serial,
					  sizeof(e->serial)) < 0) {
			e->manufacturer[0] = e->description[0] = '\0';
			e->serial[0] = '\0';
		}
	}
	*out = v;
	*n = count;
	v = NULL;
out:
	free(v);
	ftdi_list_free(&list);
	ftdi_free(ctx);
	return rc;
}

static const char *const ftdi_schemes[] = {"ftdi", NULL};

const struct hw_adapter_ops hw_ftdi_ops = {
	.name = "ftdi",
	.schemes = ftdi_schemes,
	.caps = HW_CAP_STREAM | HW_CAP_LINE | HW_CAP_POWER | HW_CAP_RESET |
		HW_CAP_BREAK,
	.priv_size = sizeof(struct ftdi_hw),
	.open = ftdi_open,
	.close = ftdi_close,
	.read = ftdi_read,
	.write = ftdi_write,
	.drain = ftdi_drain,
	.set_line = ftdi_set_line,
	.power = ftdi_power,
	.reset = ftdi_reset,
	.send_break = ftdi_send_break,
};
