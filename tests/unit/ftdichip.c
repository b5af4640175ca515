/*
 * ftdichip.c - the FT232R and FT2232H as their USB requests see them
 * (see ftdichip.h).
 *
 * Channel ("port") selection follows the chips: on a multi-channel chip
 * the low byte of a vendor request's index names the channel (1 = A),
 * except for the baud rate request of a single-channel chip, whose index
 * carries a divisor bit.  The MPSSE engine knows the GPIO commands, send
 * immediate and the clock set-up commands; any other opcode, including the
 * data shifting ones, is answered 0xFA <opcode>, as the chip answers an
 * opcode it does not know.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ftdichip.h"

/* ---- models and descriptors ---------------------------------------------- */

static const uint8_t chip_232r_dev[18] = {
	18, 1, 0x00, 0x02, 0, 0, 0, 8,		/* USB 2.0, ep0 8 bytes */
	0x03, 0x04, 0x01, 0x60, 0x00, 0x06,	/* 0403:6001, bcdDevice 6.00 */
	1, 2, 3, 1,				/* strings, 1 configuration */
};

static const uint8_t chip_232r_cfg[32] = {
	9, 2, 32, 0, 1, 1, 0, 0xa0, 45,		/* config 1, 90 mA */
	9, 4, 0, 0, 2, 0xff, 0xff, 0xff, 2,	/* vendor interface */
	7, 5, 0x81, 2, 64, 0, 0,		/* bulk IN 1 */
	7, 5, 0x02, 2, 64, 0, 0,		/* bulk OUT 2 */
};

static const uint8_t chip_2232h_dev[18] = {
	18, 1, 0x00, 0x02, 0, 0, 0, 64,		/* USB 2.0, ep0 64 bytes */
	0x03, 0x04, 0x10, 0x60, 0x00, 0x07,	/* 0403:6010, bcdDevice 7.00 */
	1, 2, 3, 1,
};

static const uint8_t chip_2232h_cfg[55] = {
	9, 2, 55, 0, 2, 1, 0, 0x80, 50,		/* config 1, 100 mA */
	9, 4, 0, 0, 2, 0xff, 0xff, 0xff, 2,	/* channel A */
	7, 5, 0x81, 2, 0x00, 0x02, 0,		/* bulk IN 1, 512 bytes */
	7, 5, 0x02, 2, 0x00, 0x02, 0,		/* bulk OUT 2 */
	9, 4, 1, 0, 2, 0xff, 0xff, 0xff, 2,	/* channel B */
	7, 5, 0x83, 2, 0x00, 0x02, 0,		/* bulk IN 3 */
	7, 5, 0x04, 2, 0x00, 0x02, 0,		/* bulk OUT 4 */
};

static const struct ftdichip_model chip_models[] = {
	[FTDIEMU_FT232R] = {
		"FTDI", "FT232R USB UART", chip_232r_dev, chip_232r_cfg,
		sizeof(chip_232r_cfg), 0x6001, 0x0600, 1, 64,
		2 /* USB_SPEED_FULL */, "12", ftdiemu_decode_baud,
	},
	[FTDIEMU_FT2232H] = {
		"FTDI", "Dual RS232-HS", chip_2232h_dev, chip_2232h_cfg,
		sizeof(chip_2232h_cfg), 0x6010, 0x0700, 2, 512,
		3 /* USB_SPEED_HIGH */, "480", ftdiemu_decode_baud_h,
	},
};

/* String descriptor idx into out (UTF-16LE); returns its length. */
static size_t chip_string(const struct ftdichip *c, unsigned idx,
			  uint8_t *out, size_t cap)
{
	const char *s;
	size_t n, k;

	if (idx == 0) {
		const uint8_t langs[4] = {4, 3, 0x09, 0x04};

		n = cap < 4 ? cap : 4;
		memcpy(out, langs, n);
		return n;
	}
	s = idx == 1 ? c->model->manufacturer : idx == 2 ? c->model->product
		: idx == 3 ? c->serial : NULL;
	if (!s || cap < 2)
		return 0;
	n = 2 + 2 * strlen(s);
	if (n > 254)
		n = 254;
	out[0] = (uint8_t)n;
	out[1] = 3;
	for (k = 0; 2 + 2 * k + 1 < cap && 2 + 2 * k + 1 < n; k++) {
		out[2 + 2 * k] = (uint8_t)s[k];
		out[3 + 2 * k] = 0;
	}
	return n < cap ? n : cap;
}

static int chip_descriptor(const struct ftdichip *c, unsigned value,
			   uint8_t *io, size_t cap)
{
	const struct ftdichip_model *m = c->model;
	size_t n;

	switch (value >> 8) {
	case 1:
		n = cap < 18 ? cap : 18;
		memcpy(io, m->dev_desc, n);
		return (int)n;
	case 2:
		n = cap < m->cfg_len ? cap : m->cfg_len;
		memcpy(io, m->cfg_desc, n);
		return (int)n;
	case 3:
		return (int)chip_string(c, value & 0xff, io, cap);
	}
	return -1;
}

/* ---- baud divisors ------------------------------------------------------- */

/* Fraction codes (3 bits) to eighths of the divisor. */
static const int chip_eighths[8] = {0, 4, 2, 1, 3, 5, 6, 7};

static int chip_divide(double base, unsigned value, unsigned frac_hi,
		       double *baud)
{
	unsigned whole = value & 0x3fff;
	unsigned code = ((value >> 14) & 3) | frac_hi << 2;

	if (whole == 0 && code == 0) {
		*baud = base;
		return 0;
	}
	if (whole == 1 && code == 0) {
		*baud = base / 1.5;
		return 0;
	}
	if (whole < 2)
		return -1;	/* sub-integer divisors below 2 do not exist */
	*baud = base / (whole + chip_eighths[code] / 8.0);
	return 0;
}

int ftdiemu_decode_baud(unsigned value, unsigned index, double *baud)
{
	if (index > 1)
		return -1;	/* single-channel chip: only bit 0 is used */
	return chip_divide(3000000.0, value, index & 1, baud);
}

int ftdiemu_decode_baud_h(unsigned value, unsigned index, double *baud)
{
	unsigned ch = index & 0xff;

	if (ch < 1 || ch > 4 || (index & 0xfc00))
		return -1;
	return chip_divide(index & 0x200 ? 12000000.0 : 3000000.0, value,
			   (index >> 8) & 1, baud);
}

/* ---- queues, state and events -------------------------------------------- */

void ftdichip_push(struct ftdichip_queue *q, const void *p, size_t n)
{
	uint8_t *d;

	if (n > FTDICHIP_QUEUE_MAX - q->len)
		n = FTDICHIP_QUEUE_MAX - q->len;	/* a full FIFO drops */
	if (!n)
		return;
	d = realloc(q->data, q->len + n);
	if (!d)
		return;
	memcpy(d + q->len, p, n);
	q->data = d;
	q->len += n;
}

size_t ftdichip_pop(struct ftdichip_queue *q, void *out, size_t cap)
{
	size_t n = q->len < cap ? q->len : cap;

	if (!n)
		return 0;
	if (out)
		memcpy(out, q->data, n);
	memmove(q->data, q->data + n, q->len - n);
	q->len -= n;
	return n;
}

void ftdichip_state(const struct ftdichip *c, unsigned port,
		    struct ftdiemu_port_state *st)
{
	const struct ftdichip_port *pt = &c->port[port];

	memset(st, 0, sizeof(*st));
	st->have_baud = pt->have_baud;
	st->baud_value = pt->baud_value;
	st->baud_index = pt->baud_index;
	if (!pt->have_baud)
		st->rate = 9600;	/* the chip's rate after reset */
	else if (c->model->decode(pt->baud_value, pt->baud_index, &st->rate))
		st->rate = 0;
	st->line = pt->line;
	st->flow = pt->flow;
	st->latency = pt->latency;
	st->purges = pt->purges;
	st->mode = pt->mode;
	st->mask = pt->mask;
}

static void chip_notify(struct ftdichip *c, enum ftdiemu_event_kind kind,
			unsigned port, const struct ftdiemu_gpio_event *gpio)
{
	struct ftdiemu_event ev;

	if (!c->notify)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.port = port;
	ev.t_us = gpio ? gpio->t_us : ftdiemu_now_us();
	ftdichip_state(c, port, &ev.st);
	if (gpio)
		ev.gpio = *gpio;
	c->notify(c->notify_ctx, &ev);
}

static void chip_bitmode(struct ftdichip *c, unsigned port, unsigned value)
{
	struct ftdichip_port *pt = &c->port[port];
	struct ftdiemu_pin_event *ev;

	pt->mode = (uint8_t)(value >> 8);
	pt->mask = (uint8_t)value;
	pt->have = 0;		/* entering or leaving MPSSE: a fresh parser */
	if (pt->npins < FTDICHIP_MAX_PINS) {
		ev = &pt->pins[pt->npins++];
		ev->t_us = ftdiemu_now_us();
		ev->mode = pt->mode;
		ev->mask = pt->mask;
	}
	chip_notify(c, FTDIEMU_EV_BITMODE, port, NULL);
}

/* ---- MPSSE --------------------------------------------------------------- */

/* Argument bytes of an opcode the engine knows; -1 for any other. */
static int chip_mpsse_args(uint8_t op)
{
	switch (op) {
	case 0x80: case 0x82:		/* set data bits low / high byte */
	case 0x86:			/* clock divisor */
	case 0x8f:			/* clock N x 8 bits, no data */
	case 0x9c: case 0x9d:		/* clock until GPIOL1 */
	case 0x9e:			/* drive zero only */
		return 2;
	case 0x8e:			/* clock N bits, no data */
		return 1;
	case 0x81: case 0x83:		/* read data bits low / high byte */
	case 0x84: case 0x85:		/* loopback on / off */
	case 0x87:			/* send immediate */
	case 0x88: case 0x89:		/* wait on GPIOL1 */
	case 0x8a: case 0x8b:		/* clock divide by 5 off / on */
	case 0x8c: case 0x8d:		/* 3-phase clocking on / off */
	case 0x96: case 0x97:		/* adaptive clocking on / off */
		return 0;
	}
	return -1;
}

static void chip_mpsse_set(struct ftdichip *c, unsigned port, int hi,
			   uint8_t level, uint8_t dir)
{
	struct ftdichip_port *pt = &c->port[port];
	struct ftdiemu_gpio_event ev;

	pt->level[hi] = level;
	pt->dir[hi] = dir;
	ev.t_us = ftdiemu_now_us();
	memcpy(ev.level, pt->level, sizeof(ev.level));
	memcpy(ev.dir, pt->dir, sizeof(ev.dir));
	if (pt->ngpio < FTDICHIP_MAX_GPIO)
		pt->gpio[pt->ngpio++] = ev;
	chip_notify(c, FTDIEMU_EV_GPIO, port, &ev);
}

/* One complete command in pt->cmd. */
static void chip_mpsse_run(struct ftdichip *c, unsigned port)
{
	struct ftdichip_port *pt = &c->port[port];
	uint8_t op = pt->cmd[0], b;
	int hi = op == 0x82 || op == 0x83;

	switch (op) {
	case 0x80: case 0x82:
		chip_mpsse_set(c, port, hi, pt->cmd[1], pt->cmd[2]);
		break;
	case 0x81: case 0x83:
		/* outputs read back as driven, inputs as pulled up */
		b = (uint8_t)((pt->level[hi] & pt->dir[hi]) |
			      (uint8_t)~pt->dir[hi]);
		ftdichip_push(&pt->to_host, &b, 1);
		break;
	default:
		break;		/* clocking set-up: nothing to model */
	}
}

static void chip_mpsse_input(struct ftdichip *c, unsigned port,
			     const uint8_t *in, size_t n)
{
	struct ftdichip_port *pt = &c->port[port];
	uint8_t bad[2];
	size_t i;
	int args;

	for (i = 0; i < n; i++) {
		pt->cmd[pt->have++] = in[i];
		args = chip_mpsse_args(pt->cmd[0]);
		if (args < 0) {
			bad[0] = 0xfa;	/* "bad command", then the opcode */
			bad[1] = pt->cmd[0];
			ftdichip_push(&pt->to_host, bad, 2);
			pt->have = 0;
		} else if (pt->have == (size_t)args + 1) {
			chip_mpsse_run(c, port);
			pt->have = 0;
		}
	}
}

/* ---- vendor requests ----------------------------------------------------- */

/* The port a vendor request's index names; -1 if the chip has none. */
static int chip_port_of(const struct ftdichip *c, unsigned index)
{
	unsigned ch = index & 0xff;

	if (c->model->nports == 1)
		return 0;
	return ch >= 1 && ch <= c->model->nports ? (int)ch - 1 : -1;
}

static int chip_vendor_out(struct ftdichip *c, unsigned req, unsigned value,
			   unsigned index)
{
	int p = chip_port_of(c, index);
	struct ftdichip_port *pt;

	if (p < 0)
		return -1;
	pt = &c->port[p];
	switch (req) {
	case 0x00:				/* SIO_RESET */
		if (value == 1 || value == 2)
			pt->purges++;
		if (value == 1)
			pt->from_host.len = 0;	/* host's TX */
		if (value == 2)
			pt->to_host.len = 0;	/* host's RX */
		return 0;
	case 0x01: case 0x06: case 0x07:	/* modem ctrl, chars */
		return 0;
	case 0x02:
		pt->flow = index & 0xff00;
		return 0;
	case 0x03:
		pt->have_baud = 1;
		pt->baud_value = value;
		pt->baud_index = index;
		chip_notify(c, FTDIEMU_EV_LINE, (unsigned)p, NULL);
		return 0;
	case 0x04:
		pt->line = value;
		chip_notify(c, FTDIEMU_EV_LINE, (unsigned)p, NULL);
		return 0;
	case 0x09:
		pt->latency = value & 0xff;
		return 0;
	case 0x0b:
		chip_bitmode(c, (unsigned)p, value);
		return 0;
	}
	return -1;
}

static int chip_vendor_in(struct ftdichip *c, unsigned req, unsigned index,
			  uint8_t *io, size_t cap)
{
	int p = req == 0x90 ? 0 : chip_port_of(c, index);

	if (p < 0 || cap < 1)
		return -1;
	switch (req) {
	case 0x05:				/* modem status */
		if (cap < 2)
			return -1;
		io[0] = 0x01;
		io[1] = 0x60;
		return 2;
	case 0x0a:
		io[0] = (uint8_t)c->port[p].latency;
		return 1;
	case 0x0c:				/* read pins */
		io[0] = c->port[p].mask & 0x0f;
		return 1;
	case 0x90:				/* EEPROM word: blank */
		if (cap < 2)
			return -1;
		io[0] = io[1] = 0xff;
		return 2;
	}
	return -1;
}

int ftdichip_control(struct ftdichip *c, const uint8_t *s, uint8_t *io,
		     size_t cap)
{
	unsigned type = s[0], req = s[1];
	unsigned value = s[2] | s[3] << 8, index = s[4] | s[5] << 8;

	if (type == 0x80 && req == 6)		/* GET_DESCRIPTOR */
		return chip_descriptor(c, value, io, cap);
	if (type == 0x80 && req == 0 && cap >= 2) {	/* GET_STATUS */
		io[0] = io[1] = 0;
		return 2;
	}
	if (type == 0x40)
		return chip_vendor_out(c, req, value, index);
	if (type == 0xc0)
		return chip_vendor_in(c, req, index, io, cap);
	return -1;
}

/* ---- bulk endpoints ------------------------------------------------------ */

int ftdichip_ep_port(const struct ftdichip *c, int ep)
{
	int n = (ep & 0x7f) - 1;

	if (n < 0 || n / 2 >= (int)c->model->nports ||
	    (n % 2 == 0) != !!(ep & 0x80))
		return -1;
	return n / 2;
}

int ftdichip_bulk_out(struct ftdichip *c, unsigned port, const uint8_t *p,
		      size_t n)
{
	if (c->port[port].mode == 0x02) {	/* BITMODE_MPSSE */
		chip_mpsse_input(c, port, p, n);
		return 0;
	}
	ftdichip_push(&c->port[port].from_host, p, n);
	return 1;
}

int ftdichip_bulk_in(struct ftdichip *c, unsigned port, uint8_t *out,
		     size_t len, int64_t waited_us)
{
	struct ftdichip_queue *q = &c->port[port].to_host;
	size_t packet = c->model->packet, off = 0, n;

	if (!q->len && waited_us < (int64_t)c->port[port].latency * 1000)
		return -1;
	while (off + 2 <= len) {
		n = packet - 2;
		if (n > q->len)
			n = q->len;
		if (n > len - off - 2)
			n = len - off - 2;
		out[off] = 0x01;		/* modem status */
		out[off + 1] = 0x60;		/* line status: TX empty */
		ftdichip_pop(q, out + off + 2, n);
		off += 2 + n;
		if (!q->len || n < packet - 2)
			break;
	}
	return (int)off;
}

/* ---- life cycle ---------------------------------------------------------- */

int ftdichip_init(struct ftdichip *c, enum ftdiemu_model model,
		  const char *serial)
{
	unsigned k;

	memset(c, 0, sizeof(*c));
	if ((unsigned)model >= sizeof(chip_models) / sizeof(*chip_models))
		return -1;
	c->model = &chip_models[model];
	snprintf(c->serial, sizeof(c->serial), "%s", serial);
	for (k = 0; k < c->model->nports; k++) {
		c->port[k].latency = 16;
		c->port[k].line = 8;		/* 8N1 after reset */
		c->port[k].gpio = calloc(FTDICHIP_MAX_GPIO,
					 sizeof(*c->port[k].gpio));
		if (!c->port[k].gpio)
			return -1;
	}
	return 0;
}

void ftdichip_release(struct ftdichip *c)
{
	unsigned k;

	for (k = 0; k < FTDIEMU_MAX_PORTS; k++) {
		free(c->port[k].to_host.data);
		free(c->port[k].from_host.data);
		free(c->port[k].gpio);
	}
	memset(c, 0, sizeof(*c));
}
