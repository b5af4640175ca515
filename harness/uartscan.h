/*
 * uartscan.h - find a console on a serial line whose baud rate is not
 * known, and talk to it once found.
 *
 * The sweep opens the adapter at each rate in turn (the URI's own baud
 * is replaced), wakes the line with CR LF twice, listens with a deadline
 * and scores what came back: readable when at least UARTSCAN_MIN_BYTES
 * arrived and at least UARTSCAN_READABLE_PERMILLE of them are printable
 * ASCII, CR, LF or TAB.  A UART at the wrong rate gives framing noise
 * (high-bit bytes, NULs), a disabled one gives nothing.  The sweep stops
 * at the first readable rate and keeps the adapter open there, so the
 * caller can ask the console something (uartscan_ask).
 *
 * Every read has a deadline and every rate at most UARTSCAN_RX_MAX bytes;
 * every exchange goes to the tap the caller gives (the evidence).  It
 * does not judge: what a prompt is comes from dbgprompt.h, what it means
 * for a test case from the step.
 */
#ifndef UARTSCAN_H
#define UARTSCAN_H

#include <stddef.h>

#include "harness/cb_buf.h"
#include "hw-adapters/hw.h"

struct cb_error;

#define UARTSCAN_MAX_RATES 16
#define UARTSCAN_RX_MAX 4096		/* bytes per rate, per answer */
#define UARTSCAN_MIN_BYTES 3		/* fewer is silence */
#define UARTSCAN_READABLE_PERMILLE 900	/* printable share for readable */
#define UARTSCAN_HEAD_MAX 16		/* bytes shown per rate */
#define UARTSCAN_URI_MAX 1024

/* What one rate gave. */
struct uartscan_rate {
	unsigned baud;
	size_t received;	/* bytes read, at most UARTSCAN_RX_MAX */
	size_t printable;	/* of those, printable ASCII, CR, LF, TAB */
	int readable;		/* uartscan_readable() of the two */
	char head[UARTSCAN_HEAD_MAX * 4 + 1]; /* first bytes, escaped */
};

struct uartscan_opts {
	const char *uri;	/* adapter URI; a baud in it is replaced */
	const char *label;	/* for the evidence, e.g. "s1.debug-uart" */
	const unsigned *bauds;	/* rates in the order to try them */
	size_t nbauds;		/* 1 .. UARTSCAN_MAX_RATES */
	int listen_ms;		/* per rate, and the base of every wait */
	hw_tap_fn *tap;		/* optional observer of every exchange */
	void *tap_ctx;
};

struct uartscan {
	struct uartscan_rate rate[UARTSCAN_MAX_RATES];
	size_t n;		/* rates tried */
	int found;		/* rate[] index of the readable one, or -1 */
	struct hw_adapter *hw;	/* open at rate[found] or NULL; owned */
	struct cb_buf text;	/* what the readable rate sent, raw */
	int listen_ms;		/* from the options, for uartscan_ask() */
};

void uartscan_init(struct uartscan *s);
/* Close the adapter, free the text. */
void uartscan_release(struct uartscan *s);

/*
 * Sweep o->bauds in order until one is readable.  A silent or noisy line
 * is a result, not an error: s->found stays -1.  Errors are the bench's:
 * a URI that cannot take a baud, an adapter that cannot be opened or
 * written (its code unchanged, e.g. CB_ENODEV), one that is no byte
 * stream (CB_ENOTSUP), a line that hangs up (CB_ECLOSED).
 */
int uartscan_sweep(struct uartscan *s, const struct uartscan_opts *o,
		   struct cb_error *err);

/*
 * Send cmd and CR on the open line (s->found >= 0) and collect what
 * comes back into answer (reset first, bounded by its own ceiling and
 * UARTSCAN_RX_MAX): until the line has been quiet for a quarter of
 * listen_ms after the last byte, or 2 * listen_ms in all.  Silence is
 * CB_OK with an empty answer.
 */
int uartscan_ask(struct uartscan *s, const char *cmd, struct cb_buf *answer,
		 struct cb_error *err);

/* Printable ASCII, CR, LF and TAB among n bytes. */
size_t uartscan_printable(const void *bytes, size_t n);
/* Enough bytes, and printable enough, to be a console at this rate? */
int uartscan_readable(size_t received, size_t printable);
/* Printable share in thousandths (0 when nothing was received). */
unsigned uartscan_permille(size_t received, size_t printable);

/*
 * n bytes as one line of text: printable ASCII as is, \r \n \t \\ and
 * \xNN for the rest; cut (never inside an escape) to fit size.
 */
void uartscan_escape(char *dst, size_t size, const void *src, size_t n);

/*
 * uri with every baud=... parameter dropped and baud=N added, e.g.
 * "tty:///dev/ttyUSB1?baud=9600&parity=N" -> "tty:///dev/ttyUSB1?
 * parity=N&baud=115200".  CB_EINVAL when it does not fit.
 */
int uartscan_uri(char *dst, size_t size, const char *uri, unsigned baud,
		 struct cb_error *err);

#endif /* UARTSCAN_H */
