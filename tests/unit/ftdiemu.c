/*
 * ftdiemu.c - FTDI chips (ftdichip.c) behind umockdev's usbdevfs ioctl
 * emulation.
 *
 * umockdev gives each chip's device node a socket; each ioctl libusb issues
 * on it arrives here, on the testbed's worker thread, as a "handle-ioctl"
 * signal, whichever process made it.  URBs are answered the way the kernel
 * does: a submit is accepted at once, completion is seen by REAPURBNDELAY.
 * Control and OUT URBs complete immediately; a bulk IN URB completes as
 * soon as its channel has bytes, or with a bare status packet once the
 * latency timer has run out, as the chip does.  Each chip's state is behind
 * its own mutex because the test thread feeds, inspects and unplugs while
 * libusb talks.
 */
#include <dlfcn.h>
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

#include "tests/unit/ftdichip.h"
#include "tests/unit/ftdiemu.h"

#define EMU_SYSDIR "/sys/devices/pci0000:00/0000:00:14.0/usb1"
#define EMU_FIRST_DEVNUM 11
#define EMU_MAX_URBS 64
#define EMU_PRELOAD "libumockdev-preload.so.0"

struct emu_urb {
	UMockdevIoctlClient *client;
	UMockdevIoctlData *urb;		/* the client's struct usbdevfs_urb */
	UMockdevIoctlData *buf;		/* its buffer */
	unsigned long addr;		/* client address, for DISCARDURB */
	int type, endpoint, length;
	int done, status, actual;
	int64_t t_submit_us;
};

struct ftdiemu {
	struct ftdiemu_bed *bed;
	struct ftdiemu_bed *own_bed;	/* made by ftdiemu_new() */
	UMockdevIoctlBase *handler;
	char syspath[128], devnode[64];
	pthread_mutex_t lock;		/* everything below */

	struct ftdichip chip;
	struct emu_urb urbs[EMU_MAX_URBS];
	ftdiemu_rx_fn *rx;
	void *rx_ctx;
	ftdiemu_watch_fn *watch;
	void *watch_ctx;
	int unplugged;
};

struct ftdiemu_bed {
	UMockdevTestbed *tb;
	char *root;
	struct ftdiemu *chips[FTDIEMU_MAX_CHIPS];
	size_t nchips;
};

int64_t ftdiemu_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- preload environment ------------------------------------------------- */

/* LD_PRELOAD with the preload library first; old may be NULL. */
static void emu_preload_value(char *buf, size_t cap, const char *old)
{
	snprintf(buf, cap, "%s%s%s", EMU_PRELOAD, old && *old ? ":" : "",
		 old ? old : "");
}

/* ASan wants to be first in the link order; the preload cannot be.  The
 * check is all that objects, the interception works. */
static void emu_asan_value(char *buf, size_t cap, const char *old)
{
	snprintf(buf, cap, "%s%sverify_asan_link_order=0", old ? old : "",
		 old && *old ? ":" : "");
}

int ftdiemu_reexec(char **argv)
{
	const char *pre = getenv("LD_PRELOAD");
	char buf[1024];

	if (pre && strstr(pre, "libumockdev-preload"))
		return 0;
	emu_preload_value(buf, sizeof(buf), pre);
	setenv("LD_PRELOAD", buf, 1);
	emu_asan_value(buf, sizeof(buf), getenv("ASAN_OPTIONS"));
	setenv("ASAN_OPTIONS", buf, 1);
	execv("/proc/self/exe", argv);
	return -1;
}

const char *ftdiemu_preload_path(void)
{
	static char path[4096];
	Dl_info info;
	const char *slash;

	if (!dladdr((void *)umockdev_testbed_new, &info) || !info.dli_fname)
		return NULL;
	slash = strrchr(info.dli_fname, '/');
	if (!slash)
		return NULL;
	snprintf(path, sizeof(path), "%.*s/%s",
		 (int)(slash - info.dli_fname), info.dli_fname, EMU_PRELOAD);
	return access(path, R_OK) ? NULL : path;
}

static char *emu_env_pair(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s=%s", name, value);
	return s;
}

char **ftdiemu_child_environ(const struct ftdiemu_bed *bed)
{
	extern char **environ;
	char buf[2048], **env;
	size_t n = 0, k, i = 0;

	while (environ[n])
		n++;
	env = calloc(n + 4, sizeof(*env));
	if (!env)
		return NULL;
	for (k = 0; k < n; k++) {
		if (!strncmp(environ[k], "LD_PRELOAD=", 11) ||
		    !strncmp(environ[k], "UMOCKDEV_DIR=", 13) ||
		    !strncmp(environ[k], "ASAN_OPTIONS=", 13))
			continue;
		env[i] = strdup(environ[k]);
		if (!env[i++])
			goto fail;
	}
	emu_preload_value(buf, sizeof(buf), getenv("LD_PRELOAD"));
	env[i] = emu_env_pair("LD_PRELOAD", buf);
	if (!env[i++])
		goto fail;
	env[i] = emu_env_pair("UMOCKDEV_DIR", bed->root);
	if (!env[i++])
		goto fail;
	emu_asan_value(buf, sizeof(buf), getenv("ASAN_OPTIONS"));
	env[i] = emu_env_pair("ASAN_OPTIONS", buf);
	if (!env[i++])
		goto fail;
	return env;
fail:
	ftdiemu_environ_free(env);
	return NULL;
}

void ftdiemu_environ_free(char **env)
{
	size_t k;

	if (!env)
		return;
	for (k = 0; env[k]; k++)
		free(env[k]);
	free(env);
}

/* ---- URBs ---------------------------------------------------------------- */

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
	int port = ftdichip_ep_port(&e->chip, u->endpoint), n;

	if (e->unplugged) {
		u->done = 1;
		u->status = -ENODEV;
		return;
	}
	n = ftdichip_bulk_in(&e->chip, (unsigned)port,
			     u->buf ? u->buf->data : NULL,
			     u->buf ? (size_t)u->length : 0,
			     ftdiemu_now_us() - u->t_submit_us);
	if (n < 0)
		return;
	u->done = 1;
	u->actual = n;
}

/*
 * Act on a URB just submitted: control and OUT ones complete at once.
 * Returns 1 when it carried UART data for the responder.
 */
static int emu_submit_done(struct ftdiemu *e, struct emu_urb *u)
{
	uint8_t *p = u->buf ? u->buf->data : NULL;
	int n, port, data = 0;

	if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
		n = p && u->length >= 8
			    ? ftdichip_control(&e->chip, p, p + 8,
					       (size_t)u->length - 8)
			    : -1;
		u->done = 1;
		u->status = n < 0 ? -EPIPE : 0;
		u->actual = n < 0 ? 0 : (p[0] & 0x80) ? n : u->length - 8;
		return 0;
	}
	port = ftdichip_ep_port(&e->chip, u->endpoint);
	if (port < 0) {
		u->done = 1;
		u->status = -EPIPE;
		return 0;
	}
	if (u->endpoint & 0x80)
		return 0;		/* IN: completes when reaped */
	if (p)
		data = ftdichip_bulk_out(&e->chip, (unsigned)port, p,
					 (size_t)u->length);
	u->done = 1;
	u->actual = u->length;
	return data;
}

/* A free URB slot; slots of clients that went away are reclaimed. */
static struct emu_urb *emu_urb_slot(struct ftdiemu *e)
{
	size_t i;

	for (i = 0; i < EMU_MAX_URBS; i++)
		if (!e->urbs[i].urb)
			return &e->urbs[i];
	for (i = 0; i < EMU_MAX_URBS; i++)
		if (!umockdev_ioctl_client_get_connected(e->urbs[i].client))
			emu_urb_drop(&e->urbs[i]);
	for (i = 0; i < EMU_MAX_URBS; i++)
		if (!e->urbs[i].urb)
			return &e->urbs[i];
	return NULL;
}

/* Hand a block the host wrote to the responder, with the chip unlocked. */
static void emu_respond(struct ftdiemu *e, const struct emu_urb *u)
{
	int port = ftdichip_ep_port(&e->chip, u->endpoint);
	uint8_t *copy;

	if (!e->rx)
		return;
	copy = malloc((size_t)u->length);
	if (!copy)
		return;
	memcpy(copy, u->buf->data, (size_t)u->length);
	pthread_mutex_unlock(&e->lock);
	e->rx(e->rx_ctx, e, (unsigned)port, copy, (size_t)u->length);
	pthread_mutex_lock(&e->lock);
	free(copy);
}

static int emu_submit(struct ftdiemu *e, UMockdevIoctlClient *client,
		      UMockdevIoctlData *arg, int *err)
{
	struct usbdevfs_urb *k;
	struct emu_urb *u;
	UMockdevIoctlData *urb;

	/* arg holds the pointer; resolving it fetches the client's struct */
	urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(*k), NULL);
	if (!urb) {
		*err = EFAULT;
		return -1;
	}
	k = (struct usbdevfs_urb *)urb->data;
	u = emu_urb_slot(e);
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
	if (emu_submit_done(e, u))
		emu_respond(e, u);
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
		if (!c->done && c->type == USBDEVFS_URB_TYPE_BULK &&
		    c->endpoint & 0x80)
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

static long emu_caps(UMockdevIoctlData *arg)
{
	UMockdevIoctlData *out = umockdev_ioctl_data_resolve(arg, 0,
							     sizeof(uint32_t),
							     NULL);
	uint32_t caps = USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
			USBDEVFS_CAP_BULK_CONTINUATION;

	if (out) {
		umockdev_ioctl_data_update(out, 0, (guint8 *)&caps,
					   sizeof(caps));
		g_object_unref(out);
	}
	return 0;
}

static long emu_dispatch(struct ftdiemu *e, UMockdevIoctlClient *client,
			 unsigned long req, UMockdevIoctlData *arg, int *err)
{
	unsigned long addr = 0;

	if (e->unplugged && req != USBDEVFS_REAPURBNDELAY &&
	    req != USBDEVFS_REAPURB && req != USBDEVFS_RELEASEINTERFACE) {
		*err = ENODEV;
		return -1;
	}
	switch (req) {
	case USBDEVFS_SUBMITURB:
		return emu_submit(e, client, arg, err);
	case USBDEVFS_REAPURBNDELAY:
	case USBDEVFS_REAPURB:
		return emu_reap(e, client, arg, err);
	case USBDEVFS_DISCARDURB:
		if (arg && arg->data_len >= (int)sizeof(addr))
			memcpy(&addr, arg->data, sizeof(addr));
		return emu_discard(e, client, addr, err);
	case USBDEVFS_GET_CAPABILITIES:
		return emu_caps(arg);
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_SETINTERFACE:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
	case USBDEVFS_RESET:
		return 0;
	case USBDEVFS_GET_SPEED:
		return (long)e->chip.model->speed;
	case USBDEVFS_GETDRIVER:
	case USBDEVFS_IOCTL:
	case USBDEVFS_DISCONNECT_CLAIM:
		*err = ENODATA;		/* no kernel driver bound */
		return -1;
	}
	*err = ENOTTY;
	return -1;
}

static gboolean emu_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client,
			  gpointer data)
{
	struct ftdiemu *e = data;
	unsigned long req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	int err = 0;
	long rc;

	(void)base;
	if (getenv("FTDIEMU_DEBUG"))
		fprintf(stderr, "ftdiemu %s: ioctl %#lx len %d addr %#lx\n",
			e->chip.serial, req, arg ? arg->data_len : -1,
			arg ? arg->client_addr : 0);
	pthread_mutex_lock(&e->lock);
	rc = emu_dispatch(e, client, req, arg, &err);
	pthread_mutex_unlock(&e->lock);
	umockdev_ioctl_client_complete(client, rc, err);
	return TRUE;
}

/* The chip's events go to the test's watcher; the chip is locked. */
static void emu_notify(void *ctx, const struct ftdiemu_event *ev)
{
	struct ftdiemu *e = ctx;

	if (e->watch)
		e->watch(e->watch_ctx, e, ev);
}

/* ---- beds and chips ------------------------------------------------------ */

struct ftdiemu_bed *ftdiemu_bed_new(void)
{
	struct ftdiemu_bed *bed = calloc(1, sizeof(*bed));

	if (!bed)
		return NULL;
	bed->tb = umockdev_testbed_new();
	bed->root = bed->tb ? umockdev_testbed_get_root_dir(bed->tb) : NULL;
	if (!bed->root) {
		ftdiemu_bed_free(bed);
		return NULL;
	}
	return bed;
}

static void emu_chip_free(struct ftdiemu *e)
{
	size_t i;

	if (!e)
		return;
	if (e->handler) {
		umockdev_testbed_detach_ioctl(e->bed->tb, e->devnode, NULL);
		g_object_unref(e->handler);
	}
	for (i = 0; i < EMU_MAX_URBS; i++)
		emu_urb_drop(&e->urbs[i]);
	ftdichip_release(&e->chip);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void ftdiemu_bed_free(struct ftdiemu_bed *bed)
{
	size_t i;

	if (!bed)
		return;
	for (i = 0; i < bed->nchips; i++)
		emu_chip_free(bed->chips[i]);
	if (bed->tb)
		g_object_unref(bed->tb);
	g_free(bed->root);
	free(bed);
}

const char *ftdiemu_bed_root(const struct ftdiemu_bed *bed)
{
	return bed->root;
}

/* The device in umockdev-record's format: the N: line makes the node. */
static int emu_plug(struct ftdiemu_bed *bed, struct ftdiemu *e,
		    unsigned devnum)
{
	const struct ftdichip_model *m = e->chip.model;
	uint8_t desc[18 + 64];
	GError *gerr = NULL;
	gchar *text;
	gboolean ok;

	text = g_strdup_printf(
		"P: %s\nN: %s\nE: DEVNAME=%s\n"
		"E: DEVTYPE=usb_device\nE: SUBSYSTEM=usb\n"
		"E: BUSNUM=001\nE: DEVNUM=%03u\nE: PRODUCT=403/%x/%x\n"
		"E: ID_VENDOR_ID=0403\nE: ID_MODEL_ID=%04x\n"
		"E: ID_SERIAL_SHORT=%s\n"
		"A: idVendor=0403\nA: idProduct=%04x\nA: bcdDevice=%04x\n"
		"A: serial=%s\nA: manufacturer=%s\nA: product=%s\n"
		"A: busnum=1\nA: devnum=%u\nA: speed=%s\n"
		"A: bConfigurationValue=1\nA: bNumConfigurations=1\n"
		"A: bNumInterfaces= %u\nA: bDeviceClass=00\nA: maxchild=0\n"
		"A: dev=189:%u\n",
		e->syspath + 4, e->devnode + 5, e->devnode, devnum, m->pid,
		m->bcd, m->pid, e->chip.serial, m->pid, m->bcd,
		e->chip.serial, m->manufacturer, m->product, devnum,
		m->speed_attr, m->nports, devnum - 1);
	ok = umockdev_testbed_add_from_string(bed->tb, text, &gerr);
	g_free(text);
	if (ok) {
		memcpy(desc, m->dev_desc, 18);
		memcpy(desc + 18, m->cfg_desc, m->cfg_len);
		umockdev_testbed_set_attribute_binary(bed->tb, e->syspath,
						      "descriptors", desc,
						      (gint)(18 + m->cfg_len));
		e->handler = umockdev_ioctl_base_new();
		g_signal_connect(e->handler, "handle-ioctl",
				 G_CALLBACK(emu_ioctl), e);
		ok = umockdev_testbed_attach_ioctl(bed->tb, e->devnode,
						   e->handler, &gerr);
	}
	if (!ok) {
		fprintf(stderr, "ftdiemu: %s\n", gerr ? gerr->message : "?");
		g_clear_error(&gerr);
		return -1;
	}
	return 0;
}

struct ftdiemu *ftdiemu_bed_add(struct ftdiemu_bed *bed,
				enum ftdiemu_model model, const char *serial)
{
	unsigned devnum = EMU_FIRST_DEVNUM + (unsigned)bed->nchips;
	struct ftdiemu *e;

	if (bed->nchips == FTDIEMU_MAX_CHIPS)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	pthread_mutex_init(&e->lock, NULL);
	e->bed = bed;
	snprintf(e->syspath, sizeof(e->syspath), "%s/1-%zu", EMU_SYSDIR,
		 bed->nchips + 1);
	snprintf(e->devnode, sizeof(e->devnode), "/dev/bus/usb/001/%03u",
		 devnum);
	if (ftdichip_init(&e->chip, model, serial)) {
		emu_chip_free(e);
		return NULL;
	}
	e->chip.notify = emu_notify;
	e->chip.notify_ctx = e;
	if (emu_plug(bed, e, devnum)) {
		emu_chip_free(e);
		return NULL;
	}
	bed->chips[bed->nchips++] = e;
	return e;
}

struct ftdiemu *ftdiemu_new(const char *serial)
{
	struct ftdiemu_bed *bed = ftdiemu_bed_new();
	struct ftdiemu *e = bed ? ftdiemu_bed_add(bed, FTDIEMU_FT232R, serial)
				: NULL;

	if (!e) {
		ftdiemu_bed_free(bed);
		return NULL;
	}
	e->own_bed = bed;
	return e;
}

void ftdiemu_free(struct ftdiemu *e)
{
	if (e)
		ftdiemu_bed_free(e->own_bed);
}

/* ---- test-side API ------------------------------------------------------- */

const char *ftdiemu_devnode(const struct ftdiemu *e)
{
	return e->devnode;
}

const char *ftdiemu_serial(const struct ftdiemu *e)
{
	return e->chip.serial;
}

/* Does the chip have this port?  The model never changes: no lock. */
static int emu_has_port(const struct ftdiemu *e, unsigned port)
{
	return port < e->chip.model->nports;
}

void ftdiemu_feed_port(struct ftdiemu *e, unsigned port, const void *buf,
		       size_t len)
{
	if (!emu_has_port(e, port))
		return;
	pthread_mutex_lock(&e->lock);
	ftdichip_push(&e->chip.port[port].to_host, buf, len);
	pthread_mutex_unlock(&e->lock);
}

void ftdiemu_feed(struct ftdiemu *e, const void *buf, size_t len)
{
	ftdiemu_feed_port(e, 0, buf, len);
}

size_t ftdiemu_take_port(struct ftdiemu *e, unsigned port, void *buf,
			 size_t cap)
{
	size_t n;

	if (!emu_has_port(e, port))
		return 0;
	pthread_mutex_lock(&e->lock);
	n = ftdichip_pop(&e->chip.port[port].from_host, buf, cap);
	pthread_mutex_unlock(&e->lock);
	return n;
}

size_t ftdiemu_take(struct ftdiemu *e, void *buf, size_t cap)
{
	return ftdiemu_take_port(e, 0, buf, cap);
}

void ftdiemu_set_responder(struct ftdiemu *e, ftdiemu_rx_fn *fn, void *ctx)
{
	pthread_mutex_lock(&e->lock);
	e->rx = fn;
	e->rx_ctx = ctx;
	pthread_mutex_unlock(&e->lock);
}

void ftdiemu_set_watch(struct ftdiemu *e, ftdiemu_watch_fn *fn, void *ctx)
{
	pthread_mutex_lock(&e->lock);
	e->watch = fn;
	e->watch_ctx = ctx;
	pthread_mutex_unlock(&e->lock);
}

int ftdiemu_port_state(struct ftdiemu *e, unsigned port,
		       struct ftdiemu_port_state *out)
{
	if (!emu_has_port(e, port))
		return -1;
	pthread_mutex_lock(&e->lock);
	ftdichip_state(&e->chip, port, out);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

int ftdiemu_baud_raw(struct ftdiemu *e, unsigned *value, unsigned *index)
{
	struct ftdiemu_port_state st;

	ftdiemu_port_state(e, 0, &st);
	*value = st.baud_value;
	*index = st.baud_index;
	return st.have_baud;
}

unsigned ftdiemu_line(struct ftdiemu *e)
{
	struct ftdiemu_port_state st;

	ftdiemu_port_state(e, 0, &st);
	return st.line;
}

unsigned ftdiemu_flow(struct ftdiemu *e)
{
	struct ftdiemu_port_state st;

	ftdiemu_port_state(e, 0, &st);
	return st.flow;
}

unsigned ftdiemu_latency(struct ftdiemu *e)
{
	struct ftdiemu_port_state st;

	ftdiemu_port_state(e, 0, &st);
	return st.latency;
}

unsigned ftdiemu_purges(struct ftdiemu *e)
{
	struct ftdiemu_port_state st;

	ftdiemu_port_state(e, 0, &st);
	return st.purges;
}

size_t ftdiemu_pins_port(struct ftdiemu *e, unsigned port,
			 struct ftdiemu_pin_event *out, size_t cap)
{
	const struct ftdichip_port *pt = &e->chip.port[port];
	size_t n;

	if (!emu_has_port(e, port))
		return 0;
	pthread_mutex_lock(&e->lock);
	n = pt->npins;
	if (out && cap)
		memcpy(out, pt->pins, (n < cap ? n : cap) * sizeof(*out));
	pthread_mutex_unlock(&e->lock);
	return n;
}

size_t ftdiemu_pins(struct ftdiemu *e, struct ftdiemu_pin_event *out,
		    size_t cap)
{
	return ftdiemu_pins_port(e, 0, out, cap);
}

size_t ftdiemu_gpio(struct ftdiemu *e, unsigned port,
		    struct ftdiemu_gpio_event *out, size_t cap)
{
	const struct ftdichip_port *pt = &e->chip.port[port];
	size_t n;

	if (!emu_has_port(e, port))
		return 0;
	pthread_mutex_lock(&e->lock);
	n = pt->ngpio;
	if (out && cap)
		memcpy(out, pt->gpio, (n < cap ? n : cap) * sizeof(*out));
	pthread_mutex_unlock(&e->lock);
	return n;
}

void ftdiemu_unplug(struct ftdiemu *e)
{
	pthread_mutex_lock(&e->lock);
	e->unplugged = 1;
	pthread_mutex_unlock(&e->lock);
	umockdev_testbed_uevent(e->bed->tb, e->syspath, "remove");
}
