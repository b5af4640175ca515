/*
 * ftdiemu.c - an FT232R behind umockdev's usbdevfs ioctl emulation.
 *
 * umockdev gives the device node /dev/bus/usb/001/011 a socket; each ioctl
 * libusb issues on it arrives here, on the testbed's worker thread, as a
 * "handle-ioctl" signal.  URBs are answered the way the kernel does: a
 * submit is accepted at once, completion is seen by REAPURBNDELAY.  Control
 * and OUT URBs complete immediately; a bulk IN URB completes as soon as the
 * device has bytes, or with a bare status packet once the latency timer
 * has run out, as the chip does.  All state is behind one mutex because the
 * test thread feeds, inspects and unplugs while libusb talks.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <umockdev.h>

#include "tests/unit/ftdiemu.h"

#define EMU_SYSPATH "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1"
#define EMU_DEVNODE "/dev/bus/usb/001/011"
#define EMU_MAX_URBS 64
#define EMU_BUF_MAX (256u << 10)	/* ceiling of each byte queue */
#define EMU_MAX_PINS 256

struct emu_urb {
	UMockdevIoctlClient *client;
	UMockdevIoctlData *urb;		/* the client's struct usbdevfs_urb */
	UMockdevIoctlData *buf;		/* its buffer */
	unsigned long addr;		/* client address, for DISCARDURB */
	int type, endpoint, length;
	int done, status, actual;
	int64_t t_submit_us;
};

struct emu_queue {
	uint8_t *data;
	size_t len;
};

struct ftdiemu {
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	char *syspath;
	char serial[64];
	pthread_mutex_t lock;

	struct emu_urb urbs[EMU_MAX_URBS];
	struct emu_queue to_host, from_host;
	ftdiemu_rx_fn *rx;
	void *rx_ctx;

	int have_baud;
	unsigned baud_value, baud_index, line, flow, latency, purges;
	struct ftdiemu_pin_event pins[EMU_MAX_PINS];
	size_t npins;
	int unplugged;
};

int64_t ftdiemu_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int ftdiemu_reexec(char **argv)
{
	const char *pre = getenv("LD_PRELOAD");
	const char *asan = getenv("ASAN_OPTIONS");
	char buf[1024];

	if (pre && strstr(pre, "libumockdev-preload"))
		return 0;
	snprintf(buf, sizeof(buf), "libumockdev-preload.so.0%s%s",
		 pre && *pre ? ":" : "", pre ? pre : "");
	setenv("LD_PRELOAD", buf, 1);
	/* ASan wants to be first in the link order; the preload cannot
	 * be.  The check is all that objects, the interception works. */
	snprintf(buf, sizeof(buf), "%s%sverify_asan_link_order=0",
		 asan ? asan : "", asan && *asan ? ":" : "");
	setenv("ASAN_OPTIONS", buf, 1);
	execv("/proc/self/exe", argv);
	return -1;
}

/* ---- descriptors ---------------------------------------------------- */

static const uint8_t emu_dev_desc[18] = {
	18, 1, 0x00, 0x02, 0, 0, 0, 8,		/* USB 2.0, ep0 8 bytes */
	0x03, 0x04, 0x01, 0x60, 0x00, 0x06,	/* 0403:6001, bcdDevice 6.00 */
	1, 2, 3, 1,				/* strings, 1 configuration */
};

static const uint8_t emu_cfg_desc[32] = {
	9, 2, 32, 0, 1, 1, 0, 0xa0, 45,		/* config 1, 90 mA */
	9, 4, 0, 0, 2, 0xff, 0xff, 0xff, 2,	/* vendor interface */
	7, 5, 0x81, 2, 64, 0, 0,		/* bulk IN 1 */
	7, 5, 0x02, 2, 64, 0, 0,		/* bulk OUT 2 */
};

static const char *const emu_strings[] = {NULL, "FTDI", "FT232R USB UART"};

/* String descriptor idx into out (UTF-16LE); returns its length. */
static size_t emu_string(struct ftdiemu *e, unsigned idx, uint8_t *out,
			 size_t cap)
{
	const char *s;
	size_t n, k;

	if (idx == 0) {
		const uint8_t langs[4] = {4, 3, 0x09, 0x04};

		n = cap < 4 ? cap : 4;
		memcpy(out, langs, n);
		return n;
	}
	s = idx == 3 ? e->serial : idx < 3 ? emu_strings[idx] : NULL;
	if (!s)
		return 0;
	n = 2 + 2 * strlen(s);
	if (n > 254)
		n = 254;
	if (cap < 2)
		return 0;
	out[0] = (uint8_t)n;
	out[1] = 3;
	for (k = 0; 2 + 2 * k + 1 < cap && 2 + 2 * k + 1 < n; k++) {
		out[2 + 2 * k] = (uint8_t)s[k];
		out[3 + 2 * k] = 0;
	}
	return n < cap ? n : cap;
}

/* ---- FTDI requests -------------------------------------------------- */

static const int emu_eighths[8] = {0, 4, 2, 1, 3, 5, 6, 7};

int ftdiemu_decode_baud(unsigned value, unsigned index, double *baud)
{
	unsigned whole = value & 0x3fff;
	unsigned code = ((value >> 14) & 3) | ((index & 1) << 2);
	double div;

	if (index > 1)
		return -1;	/* single-channel chip: only bit 0 is used */
	if (whole == 0 && code == 0) {
		*baud = 3000000.0;
		return 0;
	}
	if (whole == 1 && code == 0) {
		*baud = 2000000.0;
		return 0;
	}
	if (whole < 2)
		return -1;	/* sub-integer divisors below 2 do not exist */
	div = whole + emu_eighths[code] / 8.0;
	*baud = 3000000.0 / div;
	return 0;
}

static void emu_pin(struct ftdiemu *e, unsigned value)
{
	struct ftdiemu_pin_event *p;

	if (e->npins == EMU_MAX_PINS)
		return;
	p = &e->pins[e->npins++];
	p->t_us = ftdiemu_now_us();
	p->mode = (uint8_t)(value >> 8);
	p->mask = (uint8_t)value;
}

/*
 * A control request (setup packet in s) with data stage io; returns the
 * IN length, or -1 to stall.
 */
static int emu_control(struct ftdiemu *e, const uint8_t *s, uint8_t *io,
		       size_t cap)
{
	unsigned type = s[0], req = s[1];
	unsigned value = s[2] | s[3] << 8, index = s[4] | s[5] << 8;
	size_t n;

	if (type == 0x80 && req == 6) {		/* GET_DESCRIPTOR */
		switch (value >> 8) {
		case 1:
			n = cap < sizeof(emu_dev_desc) ? cap
						       : sizeof(emu_dev_desc);
			memcpy(io, emu_dev_desc, n);
			return (int)n;
		case 2:
			n = cap < sizeof(emu_cfg_desc) ? cap
						       : sizeof(emu_cfg_desc);
			memcpy(io, emu_cfg_desc, n);
			return (int)n;
		case 3:
			return (int)emu_string(e, value & 0xff, io, cap);
		}
		return -1;
	}
	if (type == 0x80 && req == 0 && cap >= 2) {	/* GET_STATUS */
		io[0] = io[1] = 0;
		return 2;
	}
	if (type == 0x40) {
		switch (req) {
		case 0x00:
			if (value == 1 || value == 2)
				e->purges++;
			if (value == 1)
				e->from_host.len = 0;	/* host's TX */
			if (value == 2)
				e->to_host.len = 0;	/* host's RX */
			return 0;
		case 0x01: case 0x06: case 0x07:
			return 0;
		case 0x02:
			e->flow = index & 0xff00;
			return 0;
		case 0x03:
			e->have_baud = 1;
			e->baud_value = value;
			e->baud_index = index;
			return 0;
		case 0x04:
			e->line = value;
			return 0;
		case 0x09:
			e->latency = value & 0xff;
			return 0;
		case 0x0b:
			emu_pin(e, value);
			return 0;
		}
		return -1;
	}
	if (type == 0xc0) {
		switch (req) {
		case 0x05:
			if (cap < 2)
				return -1;
			io[0] = 0x01;
			io[1] = 0x60;
			return 2;
		case 0x0a:
			if (cap < 1)
				return -1;
			io[0] = (uint8_t)e->latency;
			return 1;
		case 0x0c:
			if (cap < 1)
				return -1;
			io[0] = e->npins ? e->pins[e->npins - 1].mask & 0x0f
					 : 0;
			return 1;
		case 0x90:
			if (cap < 2)
				return -1;
			io[0] = io[1] = 0xff;
			return 2;
		}
	}
	return -1;
}

/* ---- byte queues ---------------------------------------------------- */

static void emu_push(struct emu_queue *q, const uint8_t *p, size_t n)
{
	uint8_t *d;

	if (n > EMU_BUF_MAX - q->len)
		n = EMU_BUF_MAX - q->len;	/* a full FIFO drops */
	if (!n)
		return;
	d = realloc(q->data, q->len + n);
	if (!d)
		return;
	memcpy(d + q->len, p, n);
	q->data = d;
	q->len += n;
}

static void emu_pop(struct emu_queue *q, size_t n)
{
	memmove(q->data, q->data + n, q->len - n);
	q->len -= n;
}

/* ---- URBs ------------------------------------------------------------ */

static void emu_urb_drop(struct emu_urb *u)
{
	if (u->buf)
		g_object_unref(u->buf);
	if (u->urb)
		g_object_unref(u->urb);
	if (u->client)
		g_object_unref(u->client);
	memset(u, 0, sizeof(*u));
}

/* Complete a bulk IN URB if the chip would answer now. */
static void emu_bulk_in(struct ftdiemu *e, struct emu_urb *u)
{
	uint8_t *out = u->buf ? u->buf->data : NULL;
	int64_t waited = ftdiemu_now_us() - u->t_submit_us;
	size_t off = 0, n;

	if (e->unplugged) {
		u->done = 1;
		u->status = -ENODEV;
		return;
	}
	if (!e->to_host.len && waited < (int64_t)e->latency * 1000)
		return;
	while (out && off + 2 <= (size_t)u->length) {
		n = FTDIEMU_PACKET - 2;
		if (n > e->to_host.len)
			n = e->to_host.len;
		if (n > (size_t)u->length - off - 2)
			n = (size_t)u->length - off - 2;
		out[off] = 0x01;		/* modem status */
		out[off + 1] = 0x60;		/* line status: TX empty */
		if (n) {
			memcpy(out + off + 2, e->to_host.data, n);
			emu_pop(&e->to_host, n);
		}
		off += 2 + n;
		if (!e->to_host.len || n < FTDIEMU_PACKET - 2)
			break;
	}
	u->done = 1;
	u->actual = (int)off;
}

static void emu_submit_done(struct ftdiemu *e, struct emu_urb *u)
{
	uint8_t *p = u->buf ? u->buf->data : NULL;
	int n;

	if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
		n = p && u->length >= 8
			    ? emu_control(e, p, p + 8, (size_t)u->length - 8)
			    : -1;
		u->done = 1;
		u->status = n < 0 ? -EPIPE : 0;
		u->actual = n < 0 ? 0 : (p[0] & 0x80) ? n : u->length - 8;
	} else if (u->endpoint == 0x02) {
		if (p)
			emu_push(&e->from_host, p, (size_t)u->length);
		u->done = 1;
		u->actual = u->length;
	}
}

static int emu_submit(struct ftdiemu *e, UMockdevIoctlClient *client,
		      UMockdevIoctlData *arg, int *err)
{
	struct usbdevfs_urb *k;
	struct emu_urb *u = NULL;
	UMockdevIoctlData *urb;
	size_t i;

	/* arg holds the pointer; resolving it fetches the client's struct */
	urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(*k), NULL);
	if (!urb) {
		*err = EFAULT;
		return -1;
	}
	k = (struct usbdevfs_urb *)urb->data;
	for (i = 0; i < EMU_MAX_URBS && !u; i++)
		if (!e->urbs[i].urb)
			u = &e->urbs[i];
	if (!u || k->buffer_length < 0) {
		g_object_unref(urb);
		*err = ENOMEM;
		return -1;
	}
	u->client = g_object_ref(client);
	u->urb = urb;
	u->addr = urb->client_addr;
	u->type = k->type;
	u->endpoint = k->endpoint;
	u->length = k->buffer_length;
	u->t_submit_us = ftdiemu_now_us();
	if (u->length > 0) {
		u->buf = umockdev_ioctl_data_resolve(
			urb, offsetof(struct usbdevfs_urb, buffer),
			(gsize)u->length, NULL);
		if (!u->buf) {
			emu_urb_drop(u);
			*err = EFAULT;
			return -1;
		}
	}
	if (u->type != USBDEVFS_URB_TYPE_CONTROL &&
	    u->type != USBDEVFS_URB_TYPE_BULK) {
		emu_urb_drop(u);
		*err = EINVAL;
		return -1;
	}
	emu_submit_done(e, u);
	if (u->endpoint == 0x02 && e->rx && u->buf) {
		uint8_t *copy = malloc((size_t)u->length);

		if (copy) {
			memcpy(copy, u->buf->data, (size_t)u->length);
			pthread_mutex_unlock(&e->lock);
			e->rx(e->rx_ctx, e, copy, (size_t)u->length);
			pthread_mutex_lock(&e->lock);
			free(copy);
		}
	}
	return 0;
}

/* Hand the oldest finished URB of this client back, as the kernel does. */
static int emu_reap(struct ftdiemu *e, UMockdevIoctlClient *client,
		    UMockdevIoctlData *arg, int *err)
{
	UMockdevIoctlData *slot;
	struct emu_urb *u = NULL;
	size_t i;

	for (i = 0; i < EMU_MAX_URBS; i++) {
		struct emu_urb *c = &e->urbs[i];

		if (!c->urb || c->client != client)
			continue;
		if (!c->done && c->endpoint == 0x81)
			emu_bulk_in(e, c);
		if (c->done && (!u || c->t_submit_us < u->t_submit_us))
			u = c;
	}
	if (!u) {
		*err = e->unplugged ? ENODEV : EAGAIN;
		return -1;
	}
	if (u->buf && u->actual > 0 && (u->endpoint & 0x80 ||
					(u->type == USBDEVFS_URB_TYPE_CONTROL &&
					 u->buf->data[0] & 0x80))) {
		/* update() marks the bytes for copying back to the client;
		 * give it a separate source, the regions must not overlap */
		size_t at = u->type == USBDEVFS_URB_TYPE_CONTROL ? 8 : 0;
		guint8 *copy = g_memdup2(u->buf->data + at, (gsize)u->actual);

		umockdev_ioctl_data_update(u->buf, at, copy, u->actual);
		g_free(copy);
	}
	umockdev_ioctl_data_update(u->urb,
				   offsetof(struct usbdevfs_urb, status),
				   (guint8 *)&u->status, sizeof(u->status));
	umockdev_ioctl_data_update(
		u->urb, offsetof(struct usbdevfs_urb, actual_length),
		(guint8 *)&u->actual, sizeof(u->actual));
	/* arg points at the client's "void *"; make it the urb's address */
	slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
	if (!slot) {
		*err = EFAULT;
		return -1;
	}
	umockdev_ioctl_data_set_ptr(slot, 0, u->urb);
	g_object_unref(slot);
	emu_urb_drop(u);
	return 0;
}

static int emu_discard(struct ftdiemu *e, UMockdevIoctlClient *client,
		       unsigned long addr, int *err)
{
	size_t i;

	for (i = 0; i < EMU_MAX_URBS; i++) {
		struct emu_urb *c = &e->urbs[i];

		if (c->urb && c->client == client && c->addr == addr &&
		    !c->done) {
			c->done = 1;
			c->status = -ENOENT;
			c->actual = 0;
			return 0;
		}
	}
	*err = EINVAL;
	return -1;
}

static gboolean emu_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client,
			  gpointer data)
{
	struct ftdiemu *e = data;
	unsigned long req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	int err = 0;
	long rc = 0;
	uint32_t caps;

	(void)base;
	if (getenv("FTDIEMU_DEBUG"))
		fprintf(stderr, "ftdiemu: ioctl %#lx len %d addr %#lx\n", req,
			arg ? arg->data_len : -1, arg ? arg->client_addr : 0);
	pthread_mutex_lock(&e->lock);
	if (e->unplugged && req != USBDEVFS_REAPURBNDELAY &&
	    req != USBDEVFS_REAPURB && req != USBDEVFS_RELEASEINTERFACE) {
		rc = -1;
		err = ENODEV;
	} else if (req == USBDEVFS_SUBMITURB) {
		rc = emu_submit(e, client, arg, &err);
	} else if (req == USBDEVFS_REAPURBNDELAY || req == USBDEVFS_REAPURB) {
		rc = emu_reap(e, client, arg, &err);
	} else if (req == USBDEVFS_DISCARDURB) {
		unsigned long addr = 0;

		if (arg && arg->data_len >= (int)sizeof(addr))
			memcpy(&addr, arg->data, sizeof(addr));
		rc = emu_discard(e, client, addr, &err);
	} else if (req == USBDEVFS_GET_CAPABILITIES) {
		UMockdevIoctlData *out = umockdev_ioctl_data_resolve(
			arg, 0, sizeof(caps), NULL);

		caps = USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
		       USBDEVFS_CAP_BULK_CONTINUATION;
		if (out) {
			umockdev_ioctl_data_update(out, 0, (guint8 *)&caps,
						   sizeof(caps));
			g_object_unref(out);
		}
	} else if (req == USBDEVFS_CLAIMINTERFACE ||
		   req == USBDEVFS_RELEASEINTERFACE ||
		   req == USBDEVFS_SETCONFIGURATION ||
		   req == USBDEVFS_SETINTERFACE ||
		   req == USBDEVFS_CLEAR_HALT || req == USBDEVFS_RESETEP ||
		   req == USBDEVFS_RESET) {
		rc = 0;
	} else if (req == USBDEVFS_GET_SPEED) {
		rc = 2;		/* USB_SPEED_FULL */
	} else if (req == USBDEVFS_GETDRIVER || req == USBDEVFS_IOCTL ||
		   req == USBDEVFS_DISCONNECT_CLAIM) {
		rc = -1;
		err = ENODATA;	/* no kernel driver bound */
	} else {
		rc = -1;
		err = ENOTTY;
	}
	pthread_mutex_unlock(&e->lock);
	umockdev_ioctl_client_complete(client, rc, err);
	return TRUE;
}

/* ---- life cycle and test-side API ---------------------------------- */

struct ftdiemu *ftdiemu_new(const char *serial)
{
	struct ftdiemu *e = calloc(1, sizeof(*e));
	GError *gerr = NULL;
	gchar *text;
	gboolean ok;
	uint8_t desc[sizeof(emu_dev_desc) + sizeof(emu_cfg_desc)];

	if (!e)
		return NULL;
	pthread_mutex_init(&e->lock, NULL);
	snprintf(e->serial, sizeof(e->serial), "%s", serial);
	e->latency = 16;
	e->tb = umockdev_testbed_new();
	/* umockdev-record's format: the N: line makes the /dev node */
	text = g_strdup_printf(
		"P: /devices/pci0000:00/0000:00:14.0/usb1/1-1\n"
		"N: bus/usb/001/011\n"
		"E: DEVNAME=" EMU_DEVNODE "\n"
		"E: DEVTYPE=usb_device\nE: SUBSYSTEM=usb\n"
		"E: BUSNUM=001\nE: DEVNUM=011\nE: PRODUCT=403/6001/600\n"
		"E: ID_VENDOR_ID=0403\nE: ID_MODEL_ID=6001\n"
		"E: ID_SERIAL_SHORT=%s\n"
		"A: idVendor=0403\nA: idProduct=6001\nA: bcdDevice=0600\n"
		"A: serial=%s\nA: manufacturer=%s\nA: product=%s\n"
		"A: busnum=1\nA: devnum=11\nA: speed=12\n"
		"A: bConfigurationValue=1\nA: bNumConfigurations=1\n"
		"A: bNumInterfaces= 1\nA: bDeviceClass=00\nA: maxchild=0\n"
		"A: dev=189:10\n",
		serial, serial, emu_strings[1], emu_strings[2]);
	ok = umockdev_testbed_add_from_string(e->tb, text, &gerr);
	g_free(text);
	if (!ok) {
		fprintf(stderr, "ftdiemu: %s\n", gerr ? gerr->message : "?");
		g_clear_error(&gerr);
		goto fail;
	}
	e->syspath = g_strdup(EMU_SYSPATH);
	memcpy(desc, emu_dev_desc, sizeof(emu_dev_desc));
	memcpy(desc + sizeof(emu_dev_desc), emu_cfg_desc,
	       sizeof(emu_cfg_desc));
	umockdev_testbed_set_attribute_binary(e->tb, e->syspath,
					      "descriptors", desc,
					      (gint)sizeof(desc));
	e->handler = umockdev_ioctl_base_new();
	g_signal_connect(e->handler, "handle-ioctl", G_CALLBACK(emu_ioctl),
			 e);
	if (!umockdev_testbed_attach_ioctl(e->tb, EMU_DEVNODE, e->handler,
					   &gerr)) {
		fprintf(stderr, "ftdiemu: %s\n", gerr ? gerr->message : "?");
		g_clear_error(&gerr);
		goto fail;
	}
	return e;
fail:
	ftdiemu_free(e);
	return NULL;
}

void ftdiemu_free(struct ftdiemu *e)
{
	size_t i;

	if (!e)
		return;
	if (e->tb && e->handler)
		umockdev_testbed_detach_ioctl(e->tb, EMU_DEVNODE, NULL);
	for (i = 0; i < EMU_MAX_URBS; i++)
		emu_urb_drop(&e->urbs[i]);
	if (e->handler)
		g_object_unref(e->handler);
	if (e->tb)
		g_object_unref(e->tb);
	g_free(e->syspath);
	free(e->to_host.data);
	free(e->from_host.data);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void ftdiemu_feed(struct ftdiemu *e, const void *buf, size_t len)
{
	pthread_mutex_lock(&e->lock);
	emu_push(&e->to_host, buf, len);
	pthread_mutex_unlock(&e->lock);
}

size_t ftdiemu_take(struct ftdiemu *e, void *buf, size_t cap)
{
	size_t n;

	pthread_mutex_lock(&e->lock);
	n = e->from_host.len < cap ? e->from_host.len : cap;
	if (n) {
		memcpy(buf, e->from_host.data, n);
		emu_pop(&e->from_host, n);
	}
	pthread_mutex_unlock(&e->lock);
	return n;
}

void ftdiemu_set_responder(struct ftdiemu *e, ftdiemu_rx_fn *fn, void *ctx)
{
	pthread_mutex_lock(&e->lock);
	e->rx = fn;
	e->rx_ctx = ctx;
	pthread_mutex_unlock(&e->lock);
}

int ftdiemu_baud_raw(struct ftdiemu *e, unsigned *value, unsigned *index)
{
	int have;

	pthread_mutex_lock(&e->lock);
	have = e->have_baud;
	*value = e->baud_value;
	*index = e->baud_index;
	pthread_mutex_unlock(&e->lock);
	return have;
}

static unsigned emu_get(struct ftdiemu *e, const unsigned *field)
{
	unsigned v;

	pthread_mutex_lock(&e->lock);
	v = *field;
	pthread_mutex_unlock(&e->lock);
	return v;
}

unsigned ftdiemu_line(struct ftdiemu *e) { return emu_get(e, &e->line); }
unsigned ftdiemu_flow(struct ftdiemu *e) { return emu_get(e, &e->flow); }
unsigned ftdiemu_latency(struct ftdiemu *e)
{
	return emu_get(e, &e->latency);
}
unsigned ftdiemu_purges(struct ftdiemu *e)
{
	return emu_get(e, &e->purges);
}

size_t ftdiemu_pins(struct ftdiemu *e, struct ftdiemu_pin_event *out,
		    size_t cap)
{
	size_t n;

	pthread_mutex_lock(&e->lock);
	n = e->npins;
	memcpy(out, e->pins, (n < cap ? n : cap) * sizeof(*out));
	pthread_mutex_unlock(&e->lock);
	return n;
}

void ftdiemu_unplug(struct ftdiemu *e)
{
	pthread_mutex_lock(&e->lock);
	e->unplugged = 1;
	pthread_mutex_unlock(&e->lock);
	umockdev_testbed_uevent(e->tb, e->syspath, "remove");
}
