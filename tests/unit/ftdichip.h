/*
 * ftdichip.h - the chip behind ftdiemu: its descriptors, the FTDI vendor
 * control requests, each channel's byte queues and settings, and the
 * MPSSE engine.  Internal to tests/unit/ftdiemu.c, which owns the locking
 * and the USB transport; nothing here knows umockdev or usbdevfs.
 */
#ifndef FTDICHIP_H
#define FTDICHIP_H

#include <stddef.h>
#include <stdint.h>

#include "tests/unit/ftdiemu.h"

#define FTDICHIP_QUEUE_MAX (256u << 10)	/* ceiling of each byte queue */
#define FTDICHIP_MAX_PINS 256
#define FTDICHIP_MAX_GPIO 1024

struct ftdichip_queue {
	uint8_t *data;			/* malloc()ed */
	size_t len;
};

/* One channel: a UART, or an MPSSE engine once the host asks for it. */
struct ftdichip_port {
	struct ftdichip_queue to_host, from_host;
	int have_baud;
	unsigned baud_value, baud_index, line, flow, latency, purges;
	uint8_t mode, mask;		/* last SIO_SET_BITMODE */
	struct ftdiemu_pin_event pins[FTDICHIP_MAX_PINS];
	size_t npins;
	uint8_t cmd[3];			/* MPSSE command being gathered */
	size_t have;
	uint8_t level[2], dir[2];	/* MPSSE GPIO: ADBUS, ACBUS */
	struct ftdiemu_gpio_event *gpio;	/* FTDICHIP_MAX_GPIO of them */
	size_t ngpio;
};

struct ftdichip_model {
	const char *manufacturer;	/* string descriptor 1 */
	const char *product;		/* string descriptor 2 */
	const uint8_t *dev_desc;	/* 18 bytes */
	const uint8_t *cfg_desc;
	size_t cfg_len;
	unsigned pid, bcd, nports;
	unsigned packet;		/* bulk max packet size */
	unsigned speed;			/* usbdevfs USB_SPEED_* */
	const char *speed_attr;		/* sysfs "speed" */
	int (*decode)(unsigned value, unsigned index, double *baud);
};

struct ftdichip {
	const struct ftdichip_model *model;
	char serial[64];
	struct ftdichip_port port[FTDIEMU_MAX_PORTS];
	/* Told of each line, bit-mode and MPSSE pin change; may be NULL. */
	void (*notify)(void *ctx, const struct ftdiemu_event *ev);
	void *notify_ctx;
};

/* Power-on state; -1 for an unknown model or out of memory. */
int ftdichip_init(struct ftdichip *c, enum ftdiemu_model model,
		  const char *serial);
void ftdichip_release(struct ftdichip *c);

/*
 * A control request (setup packet s) with its data stage io of cap bytes:
 * returns the IN length (0 for OUT requests), or -1 to stall.
 */
int ftdichip_control(struct ftdichip *c, const uint8_t *s, uint8_t *io,
		     size_t cap);

/* The port an endpoint belongs to (0x81/0x02: 0, 0x83/0x04: 1); -1. */
int ftdichip_ep_port(const struct ftdichip *c, int ep);

/*
 * Bytes the host wrote to a port: MPSSE commands in MPSSE mode, else data
 * for the sink.  Returns 1 when they were data, 0 when commands.
 */
int ftdichip_bulk_out(struct ftdichip *c, unsigned port, const uint8_t *p,
		      size_t n);

/*
 * Fill an IN transfer of len bytes from a port, in packets that each
 * start with the two status bytes.  Returns the length, or -1 when the
 * chip would not answer yet: nothing to send and the latency timer has
 * not run out since the transfer began waited_us ago.
 */
int ftdichip_bulk_in(struct ftdichip *c, unsigned port, uint8_t *out,
		     size_t len, int64_t waited_us);

void ftdichip_state(const struct ftdichip *c, unsigned port,
		    struct ftdiemu_port_state *st);

/* Append to a queue, dropping what exceeds its ceiling; consume from it. */
void ftdichip_push(struct ftdichip_queue *q, const void *p, size_t n);
size_t ftdichip_pop(struct ftdichip_queue *q, void *out, size_t cap);

#endif /* FTDICHIP_H */
