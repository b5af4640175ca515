/*
 * uartscan.c - baud-rate sweep of a serial line and a short dialogue
 * with what answers (see uartscan.h).
 *
 * The adapter is opened afresh at each rate rather than switched with
 * set_line: the evidence then names the rate in every open record, and
 * an adapter that restores the line at close leaves no rate behind for
 * the next one to inherit.  Reads stop early once the line has been
 * quiet for a quarter of the listening time, so a sweep over noisy
 * rates costs little more than the silent rates do.
 */
#include <stdio.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/uartscan.h"

#define SCAN_WRITE_MS 1000	/* a write that takes longer is a fault */
#define SCAN_CHUNK 512		/* bytes per read */
#define SCAN_CMD_MAX 128	/* bytes in a command sent */

void uartscan_init(struct uartscan *s)
{
	memset(s, 0, sizeof(*s));
	s->found = -1;
	cb_buf_init(&s->text, UARTSCAN_RX_MAX);
}

void uartscan_release(struct uartscan *s)
{
	if (!s)
		return;
	hw_adapter_free(s->hw);
	cb_buf_release(&s->text);
	uartscan_init(s);
}

/* ---- scoring and text --------------------------------------------- */

size_t uartscan_printable(const void *bytes, size_t n)
{
	const unsigned char *b = bytes;
	size_t i, ok = 0;

	for (i = 0; i < n; i++)
		ok += (b[i] >= 0x20 && b[i] < 0x7f) || b[i] == '\r' ||
		      b[i] == '\n' || b[i] == '\t';
	return ok;
}

unsigned uartscan_permille(size_t received, size_t printable)
{
	if (!received)
		return 0;
	return (unsigned)((printable * 1000) / received);
}

int uartscan_readable(size_t received, size_t printable)
{
	return received >= UARTSCAN_MIN_BYTES &&
	       uartscan_permille(received, printable) >=
		       UARTSCAN_READABLE_PERMILLE;
}

void uartscan_escape(char *dst, size_t size, const void *src, size_t n)
{
	const unsigned char *b = src;
	size_t i, o = 0, el;
	char e[8];

	if (!size)
		return;
	for (i = 0; i < n; i++) {
		switch (b[i]) {
		case '\r': strcpy(e, "\\r"); break;
		case '\n': strcpy(e, "\\n"); break;
		case '\t': strcpy(e, "\\t"); break;
		case '\\': strcpy(e, "\\\\"); break;
		default:
			if (b[i] >= 0x20 && b[i] < 0x7f) {
				e[0] = (char)b[i];
				e[1] = '\0';
			} else {
				snprintf(e, sizeof(e), "\\x%02x", b[i]);
			}
		}
		el = strlen(e);
		if (o + el >= size)
			break;
		memcpy(dst + o, e, el);
		o += el;
	}
	dst[o] = '\0';
}

/* Append n bytes of s at *o in dst; 0 when they do not fit. */
static int scan_put(char *dst, size_t size, size_t *o, const char *s,
		    size_t n)
{
	if (*o + n >= size)
		return 0;
	memcpy(dst + *o, s, n);
	*o += n;
	dst[*o] = '\0';
	return 1;
}

int uartscan_uri(char *dst, size_t size, const char *uri, unsigned baud,
		 struct cb_error *err)
{
	const char *q = strchr(uri, '?'), *p, *amp;
	size_t o = 0, len;
	char tail[32];
	int ok;

	if (!size)
		return cb_error_set(err, CB_EINVAL, "no room for a URI");
	dst[0] = '\0';
	ok = scan_put(dst, size, &o, uri, q ? (size_t)(q - uri) : strlen(uri));
	ok = ok && scan_put(dst, size, &o, "?", 1);
	for (p = q ? q + 1 : NULL; ok && p && *p; p = amp ? amp + 1 : NULL) {
		amp = strchr(p, '&');
		len = amp ? (size_t)(amp - p) : strlen(p);
		if (!len || (len >= 4 && !strncmp(p, "baud", 4) &&
			     (len == 4 || p[4] == '=')))
			continue;
		ok = scan_put(dst, size, &o, p, len) &&
		     scan_put(dst, size, &o, "&", 1);
	}
	snprintf(tail, sizeof(tail), "baud=%u", baud);
	if (!ok || !scan_put(dst, size, &o, tail, strlen(tail)))
		return cb_error_set(err, CB_EINVAL,
				    "adapter URI too long to set a baud rate");
	return CB_OK;
}

/* ---- the line ------------------------------------------------------- */

static int scan_quiet_ms(int listen_ms)
{
	return listen_ms / 4 > 20 ? listen_ms / 4 : 20;
}

/*
 * Read into b until total_ms have passed, or quiet_ms after the last
 * byte once something came, or UARTSCAN_RX_MAX bytes (or b's ceiling).
 * Silence is no error; a read that fails otherwise is.
 */
static int scan_listen(struct hw_adapter *hw, struct cb_buf *b,
		       int total_ms, int quiet_ms, struct cb_error *err)
{
	int64_t deadline = cb_now_ms() + total_ms;
	struct cb_error rerr;
	char chunk[SCAN_CHUNK];
	size_t got = 0, want, n;
	int wait, rc;

	for (;;) {
		want = b->max - b->len;
		if (want > UARTSCAN_RX_MAX - got)
			want = UARTSCAN_RX_MAX - got;
		if (want > sizeof(chunk))
			want = sizeof(chunk);
		wait = cb_ms_left(deadline);
		if (!want || !wait)
			return CB_OK;
		if (got && quiet_ms < wait)
			wait = quiet_ms;
		cb_error_clear(&rerr);
		n = 0;
		rc = hw_read(hw, chunk, want, wait, &n, &rerr);
		if (rc == CB_ETIMEOUT) {
			if (got)
				return CB_OK; /* quiet, or the deadline */
			continue;
		}
		if (rc) {
			if (err && err->code == CB_OK)
				*err = rerr;
			return rc;
		}
		if (cb_buf_add(b, chunk, n, err))
			return err ? err->code : CB_ETOOBIG;
		got += n;
	}
}

/* Open at baud, wake the line twice, listen; record what came. */
static int scan_rate(struct uartscan *s, const struct uartscan_opts *o,
		     unsigned baud, struct cb_error *err)
{
	struct uartscan_rate *r = &s->rate[s->n];
	int half = o->listen_ms / 2, quiet = scan_quiet_ms(o->listen_ms);
	struct hw_adapter *hw = NULL;
	char uri[UARTSCAN_URI_MAX];
	struct cb_buf rx;
	int k, rc;

	memset(r, 0, sizeof(*r));
	r->baud = baud;
	cb_buf_init(&rx, UARTSCAN_RX_MAX);
	rc = uartscan_uri(uri, sizeof(uri), o->uri, baud, err);
	if (!rc)
		rc = hw_adapter_open(&hw, NULL, uri, o->label, o->tap,
				     o->tap_ctx, err);
	if (!rc && !hw_has(hw, HW_CAP_STREAM))
		rc = cb_error_set(err, CB_ENOTSUP,
				  "a %s adapter carries no byte stream",
				  hw->ops->name);
	for (k = 0; !rc && k < 2; k++) {
		rc = hw_write(hw, "\r\n", 2, SCAN_WRITE_MS, err);
		if (!rc)
			rc = scan_listen(hw, &rx, half, quiet, err);
	}
	if (rc)
		goto out;
	s->n++;
	r->received = rx.len;
	r->printable = uartscan_printable(rx.data, rx.len);
	r->readable = uartscan_readable(r->received, r->printable);
	uartscan_escape(r->head, sizeof(r->head), cb_buf_str(&rx),
			rx.len < UARTSCAN_HEAD_MAX ? rx.len :
						     UARTSCAN_HEAD_MAX);
	if (r->readable) {
		s->found = (int)(s->n - 1);
		s->hw = hw;
		hw = NULL;
		cb_buf_release(&s->text);
		s->text = rx;
		cb_buf_init(&rx, UARTSCAN_RX_MAX);
	}
out:
	hw_adapter_free(hw);
	cb_buf_release(&rx);
	return rc;
}

int uartscan_sweep(struct uartscan *s, const struct uartscan_opts *o,
		   struct cb_error *err)
{
	size_t k;
	int rc;

	if (!o->nbauds || o->nbauds > UARTSCAN_MAX_RATES)
		return cb_error_set(err, CB_EINVAL,
				    "1 to %d baud rates, not %zu",
				    UARTSCAN_MAX_RATES, o->nbauds);
	if (o->listen_ms < 2)
		return cb_error_set(err, CB_EINVAL,
				    "listening time %d ms is too short",
				    o->listen_ms);
	s->listen_ms = o->listen_ms;
	for (k = 0; k < o->nbauds && s->found < 0; k++) {
		rc = scan_rate(s, o, o->bauds[k], err);
		if (rc)
			return rc;
	}
	return CB_OK;
}

int uartscan_ask(struct uartscan *s, const char *cmd, struct cb_buf *answer,
		 struct cb_error *err)
{
	char line[SCAN_CMD_MAX + 1];
	size_t len = strlen(cmd);
	int rc;

	if (!s->hw)
		return cb_error_set(err, CB_EINVAL,
				    "no console was found to ask");
	if (len > SCAN_CMD_MAX)
		return cb_error_set(err, CB_EINVAL,
				    "command longer than %d bytes",
				    SCAN_CMD_MAX);
	memcpy(line, cmd, len);
	line[len] = '\r';
	cb_buf_reset(answer);
	rc = hw_write(s->hw, line, len + 1, SCAN_WRITE_MS, err);
	if (!rc)
		rc = scan_listen(s->hw, answer, 2 * s->listen_ms,
				 scan_quiet_ms(s->listen_ms), err);
	return rc;
}
