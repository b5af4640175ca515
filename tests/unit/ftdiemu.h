/*
 * ftdiemu.h - FTDI chips emulated at the usbdevfs level with umockdev, so
 * the real libusb and libftdi1 code paths run without hardware.
 *
 * A bed is one umockdev testbed holding up to FTDIEMU_MAX_CHIPS chips, each
 * a USB device of its own (bus 1, devices 11, 12, ...: /dev/bus/usb/001/011
 * and so on) with its own serial number.  Two models: the FT232R (one UART,
 * CBUS bit-bang) and the FT2232H (channels A and B, MPSSE on either).
 *
 * The emulator answers the FTDI vendor control requests, the standard
 * descriptor requests and the bulk endpoints of each channel ("port" 0 is
 * A, 1 is B): bytes the host writes land in a bounded sink (and go to an
 * optional responder), bytes given to ftdiemu_feed() come back in IN
 * packets that start with the chip's two status bytes.  A channel in MPSSE
 * mode decodes what the host writes as MPSSE commands instead: the GPIO
 * commands (0x80-0x83), send-immediate (0x87) and the clock set-up
 * commands; any other opcode, including the data shifting ones, is
 * answered 0xFA <opcode> as a chip answers one it does not know.  It
 * records what a test needs to check the host: the raw baud divisor, the
 * line settings, the latency timer, every bit-mode change and every MPSSE
 * pin change with its time.  It is test code, not an FTDI model beyond
 * that: there is no UART timing, and the receive queue holds up to 256 KiB
 * where a chip's FIFO holds a few hundred bytes.
 *
 * The emulator runs on the testbed's worker thread, in the process that
 * made the bed.  Whoever opens the devices runs under umockdev's preload
 * library with UMOCKDEV_DIR naming the bed's root: the test program itself
 * (ftdiemu_reexec()) or a child started with ftdiemu_child_environ(), as
 * umockdev-run does; umockdev's ioctl sockets carry a child's requests to
 * the worker thread.
 */
#ifndef FTDIEMU_H
#define FTDIEMU_H

#include <stddef.h>
#include <stdint.h>

struct ftdiemu;
struct ftdiemu_bed;

#define FTDIEMU_VID 0x0403
#define FTDIEMU_PID 0x6001		/* FT232R */
#define FTDIEMU_PID_2232H 0x6010
#define FTDIEMU_PACKET 64		/* FT232R full-speed bulk packet */
#define FTDIEMU_MAX_CHIPS 8
#define FTDIEMU_MAX_PORTS 2

enum ftdiemu_model {
	FTDIEMU_FT232R,			/* bcdDevice 0x0600, one channel */
	FTDIEMU_FT2232H,		/* bcdDevice 0x0700, A and B */
};

/* One SIO_SET_BITMODE request as the chip saw it. */
struct ftdiemu_pin_event {
	int64_t t_us;		/* CLOCK_MONOTONIC, microseconds */
	uint8_t mode;		/* BITMODE_* */
	uint8_t mask;		/* CBUS: high nibble direction, low level */
};

/* The GPIO pins of an MPSSE channel after one set command (0x80/0x82). */
struct ftdiemu_gpio_event {
	int64_t t_us;
	uint8_t level[2];	/* [0] ADBUS (low byte), [1] ACBUS (high) */
	uint8_t dir[2];		/* 1 bits are outputs */
};

/* A port's settings as the host last programmed them. */
struct ftdiemu_port_state {
	int have_baud;		/* 0: no SIO_SET_BAUDRATE yet (chip: 9600) */
	unsigned baud_value, baud_index;
	double rate;		/* bits/s the divisor gives; 0 if invalid */
	unsigned line;		/* SIO_SET_DATA value (8N1 is 8) */
	unsigned flow, latency, purges;
	uint8_t mode, mask;	/* last SIO_SET_BITMODE */
};

enum ftdiemu_event_kind {
	FTDIEMU_EV_LINE,	/* baud rate or SIO_SET_DATA changed */
	FTDIEMU_EV_BITMODE,	/* SIO_SET_BITMODE */
	FTDIEMU_EV_GPIO,	/* an MPSSE set command */
};

struct ftdiemu_event {
	enum ftdiemu_event_kind kind;
	unsigned port;
	int64_t t_us;
	struct ftdiemu_port_state st;	/* the port after the change */
	struct ftdiemu_gpio_event gpio;	/* FTDIEMU_EV_GPIO */
};

/*
 * Called on the emulator's thread with each block the host writes to a
 * port in UART mode.  The chip is unlocked: the responder may feed it.
 */
typedef void ftdiemu_rx_fn(void *ctx, struct ftdiemu *e, unsigned port,
			   const uint8_t *buf, size_t len);
/*
 * Called on the emulator's thread, with the chip locked, for each event:
 * it must not call back into the emulator for this chip, nor block.
 */
typedef void ftdiemu_watch_fn(void *ctx, struct ftdiemu *e,
			      const struct ftdiemu_event *ev);

/*
 * Re-execute the current program under umockdev's preload library unless it
 * already runs under it.  Returns only when already preloaded (0) or when
 * exec failed (-1).  Under ASan the link-order check is switched off.
 */
int ftdiemu_reexec(char **argv);

/*
 * The path of umockdev's preload library next to the libumockdev this
 * program uses, or NULL when it is not installed.  Static storage.
 */
const char *ftdiemu_preload_path(void);

/* An empty testbed, or NULL.  Sets UMOCKDEV_DIR in this process. */
struct ftdiemu_bed *ftdiemu_bed_new(void);
/* Frees the bed and every chip in it; NULL is fine. */
void ftdiemu_bed_free(struct ftdiemu_bed *bed);
/* The testbed's root folder: UMOCKDEV_DIR for whoever opens the chips. */
const char *ftdiemu_bed_root(const struct ftdiemu_bed *bed);
/*
 * Plug a chip in: the bed's next bus address.  Returns the chip, owned by
 * the bed, or NULL (full, or umockdev refused; the reason on stderr).
 */
struct ftdiemu *ftdiemu_bed_add(struct ftdiemu_bed *bed,
				enum ftdiemu_model model, const char *serial);

/*
 * A copy of this process's environment for a child that opens the bed's
 * chips: the preload library prepended to LD_PRELOAD, UMOCKDEV_DIR, and
 * verify_asan_link_order=0 added to ASAN_OPTIONS.  NULL when out of
 * memory.  Free with ftdiemu_environ_free().
 */
char **ftdiemu_child_environ(const struct ftdiemu_bed *bed);
void ftdiemu_environ_free(char **env);

/* A new bed with one FT232R carrying this serial number, or NULL. */
struct ftdiemu *ftdiemu_new(const char *serial);
/* Frees a chip from ftdiemu_new() with its bed; NULL is fine. */
void ftdiemu_free(struct ftdiemu *e);

/* The chip's device node, e.g. /dev/bus/usb/001/011. */
const char *ftdiemu_devnode(const struct ftdiemu *e);
const char *ftdiemu_serial(const struct ftdiemu *e);

/* Bytes the device sends to the host, on port 0 or on the given one. */
void ftdiemu_feed(struct ftdiemu *e, const void *buf, size_t len);
void ftdiemu_feed_port(struct ftdiemu *e, unsigned port, const void *buf,
		       size_t len);
/* Copy out (and consume) up to cap bytes the host wrote; returns count. */
size_t ftdiemu_take(struct ftdiemu *e, void *buf, size_t cap);
size_t ftdiemu_take_port(struct ftdiemu *e, unsigned port, void *buf,
			 size_t cap);
void ftdiemu_set_responder(struct ftdiemu *e, ftdiemu_rx_fn *fn, void *ctx);
void ftdiemu_set_watch(struct ftdiemu *e, ftdiemu_watch_fn *fn, void *ctx);

/* Port 0's last SIO_SET_BAUDRATE value/index pair; 0 when none was sent. */
int ftdiemu_baud_raw(struct ftdiemu *e, unsigned *value, unsigned *index);
/*
 * Decode a divisor (value, index) into bits per second; -1 on an encoding
 * the chip would reject.  FT232R: 3 MHz base, index bit 0 the third
 * fraction bit.  H types: index bits 0-7 name the channel (1 = A), bit 8 is
 * the third fraction bit, bit 9 selects the 12 MHz base over 3 MHz.
 */
int ftdiemu_decode_baud(unsigned value, unsigned index, double *baud);
int ftdiemu_decode_baud_h(unsigned value, unsigned index, double *baud);
/* Port 0's SIO_SET_DATA value (bits, parity, stop), flow and latency. */
unsigned ftdiemu_line(struct ftdiemu *e);
unsigned ftdiemu_flow(struct ftdiemu *e);
unsigned ftdiemu_latency(struct ftdiemu *e);
/* Count of port 0's purge requests (SIO_RESET with value 1 or 2). */
unsigned ftdiemu_purges(struct ftdiemu *e);
/* A port's settings; -1 for a port the chip does not have. */
int ftdiemu_port_state(struct ftdiemu *e, unsigned port,
		       struct ftdiemu_port_state *out);

/* Copy out up to cap of port 0's bit-mode changes; returns how many exist. */
size_t ftdiemu_pins(struct ftdiemu *e, struct ftdiemu_pin_event *out,
		    size_t cap);
size_t ftdiemu_pins_port(struct ftdiemu *e, unsigned port,
			 struct ftdiemu_pin_event *out, size_t cap);
/* Copy out up to cap of a port's MPSSE pin changes; returns how many exist. */
size_t ftdiemu_gpio(struct ftdiemu *e, unsigned port,
		    struct ftdiemu_gpio_event *out, size_t cap);

/* The cable is pulled: pending transfers fail with ENODEV, so do later ones. */
void ftdiemu_unplug(struct ftdiemu *e);

int64_t ftdiemu_now_us(void);

#endif /* FTDIEMU_H */
