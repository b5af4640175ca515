/*
 * ftdiemu.h - an FT232R emulated at the usbdevfs level with umockdev, so
 * the real libusb and libftdi1 code paths run without a chip.
 *
 * The process must run with umockdev's preload library (ftdiemu_reexec()
 * arranges that).  The emulator answers the FTDI vendor control requests,
 * the standard descriptor requests, and the bulk endpoints: bytes the host
 * writes land in a bounded sink (and go to an optional responder), bytes
 * given to ftdiemu_feed() come back in 64-byte IN packets that start with
 * the chip's two status bytes.  It records what a test needs to check the
 * host: the raw baud divisor, the latency timer and every bit-mode change
 * with its time.  It is test code; it is not an FTDI model beyond that.
 */
#ifndef FTDIEMU_H
#define FTDIEMU_H

#include <stddef.h>
#include <stdint.h>

struct ftdiemu;

#define FTDIEMU_VID 0x0403
#define FTDIEMU_PID 0x6001
#define FTDIEMU_PACKET 64	/* full-speed bulk packet */

/* One SIO_SET_BITMODE request as the chip saw it. */
struct ftdiemu_pin_event {
	int64_t t_us;		/* CLOCK_MONOTONIC, microseconds */
	uint8_t mode;		/* BITMODE_* */
	uint8_t mask;		/* CBUS: high nibble direction, low nibble level */
};

/* Called (on the emulator's thread) with each block the host writes. */
typedef void ftdiemu_rx_fn(void *ctx, struct ftdiemu *e, const uint8_t *buf,
			   size_t len);

/*
 * Re-execute the current program under umockdev's preload library unless it
 * already runs under it.  Returns only when already preloaded (0) or when
 * exec failed (-1).  Under ASan the link-order check is switched off.
 */
int ftdiemu_reexec(char **argv);

/* A new testbed with one FT232R carrying this serial number, or NULL. */
struct ftdiemu *ftdiemu_new(const char *serial);
void ftdiemu_free(struct ftdiemu *e);

/* Bytes the device sends to the host. */
void ftdiemu_feed(struct ftdiemu *e, const void *buf, size_t len);
/* Copy out (and consume) up to cap bytes the host wrote; returns count. */
size_t ftdiemu_take(struct ftdiemu *e, void *buf, size_t cap);
void ftdiemu_set_responder(struct ftdiemu *e, ftdiemu_rx_fn *fn, void *ctx);

/* Last SIO_SET_BAUDRATE value/index pair; 0 when none was sent. */
int ftdiemu_baud_raw(struct ftdiemu *e, unsigned *value, unsigned *index);
/*
 * Decode an FT232R divisor (value, index) into bits per second; -1 on an
 * encoding the chip would reject.
 */
int ftdiemu_decode_baud(unsigned value, unsigned index, double *baud);
/* Last SIO_SET_DATA value (bits, parity, stop) and SIO_SET_FLOW_CTRL index. */
unsigned ftdiemu_line(struct ftdiemu *e);
unsigned ftdiemu_flow(struct ftdiemu *e);
unsigned ftdiemu_latency(struct ftdiemu *e);
/* Count of purge requests (SIO_RESET with value 1 or 2). */
unsigned ftdiemu_purges(struct ftdiemu *e);

/* Copy out up to cap recorded bit-mode changes; returns how many exist. */
size_t ftdiemu_pins(struct ftdiemu *e, struct ftdiemu_pin_event *out,
		    size_t cap);

/* The cable is pulled: pending transfers fail with ENODEV, so do later ones. */
void ftdiemu_unplug(struct ftdiemu *e);

int64_t ftdiemu_now_us(void);

#endif /* FTDIEMU_H */
