/*
 * ftdibridge.c - emulated FT232R chips wired to simdut's console ptys, so
 * the end-to-end tests drive certbench's ftdi adapter through the real
 * libusb and libftdi1 against a simulated device.
 *
 *   ftdibridge [--log FILE] [--timeout SECONDS] --chip SPEC ... -- CMD ARG...
 *
 *   SPEC  SERIAL=PTY[,baud=115200][,power=STATEDIR:UNIT][,power_pin=cbus1]
 *         [,reset_pin=cbus0][,active=low|high]
 *
 * It builds one umockdev testbed with a chip per --chip (tests/unit/
 * ftdiemu.c), starts CMD under umockdev's preload library against it, as
 * umockdev-run does, and plays the wires of a bench while CMD runs:
 *
 *  - the chip's RX and TX lines go to the unit's console pty (opened raw
 *    and non-blocking).  While the rate the host programmed is more than
 *    3% off the unit's baud=, or the frame is not 8N1, or a break is on,
 *    bytes in both directions arrive as framing garbage (never text), as
 *    on a real UART at the wrong rate;
 *  - CBUS bit-bang (SIO_SET_BITMODE mode 0x20: mask high nibble
 *    direction, low nibble level) drives the unit's power through
 *    simdut's power FIFO STATEDIR/UNIT.power: the power pin at its
 *    active level means on; the reset pin at its active level holds the
 *    unit off until it is released, as a reset line does.  A pin that is
 *    an input leaves its function as it was.
 *
 * Every line-setting and pin change, and every power command sent, goes
 * to the log (default stderr) with the time since start.  CMD gets SIGTERM
 * when the bridge dies, and when --timeout (default 600 s) runs out.
 *
 * Exit status: CMD's; 128+N when it died of signal N; 124 after the
 * timeout; 2 when the bridge could not start (usage, umockdev's preload
 * library missing, a pty that cannot be opened).
 *
 * Test code: it runs only in the test suite, never on a bench.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/ftdiemu.h"

#define FB_MAX_CHIPS FTDIEMU_MAX_CHIPS
#define FB_OUT_MAX (64u << 10)		/* host bytes waiting for the pty */
#define FB_READ_MAX 4096
#define FB_POLL_MS 20
#define FB_KILL_GRACE_MS 5000
#define FB_TOLERANCE 0.03		/* a UART's rate error budget */

struct fb_chip {
	char serial[64];
	char pty[512];
	char fifo[512];			/* STATEDIR/UNIT.power, or "" */
	char unit[64];
	unsigned baud;
	int power_bit, reset_bit;	/* CBUS pin numbers, -1 for none */
	int active_low;
	struct ftdiemu *emu;
	int fd;				/* the pty, -1 once it closed */

	pthread_mutex_t lock;		/* out, counters */
	uint8_t out[FB_OUT_MAX];	/* host -> pty, not yet written */
	size_t out_len;
	unsigned long long to_host, from_host, garbled, dropped;

	/* emulator thread only */
	double rate;			/* last logged line setting */
	unsigned line;
	int power_on, reset_held, unit_on;
	unsigned switches;
};

struct fb {
	struct fb_chip chips[FB_MAX_CHIPS];
	size_t n;
	FILE *log;
	pthread_mutex_t log_lock;
	int64_t t0_us;
	int wake[2];			/* responder -> main loop */
	long timeout_s;
	int timed_out;
};

static volatile sig_atomic_t fb_signal;

static void fb_on_signal(int sig)
{
	fb_signal = sig;
}

static void fb_log(struct fb *b, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&b->log_lock);
	fprintf(b->log, "[%8.3f] ",
		(double)(ftdiemu_now_us() - b->t0_us) / 1e6);
	va_start(ap, fmt);
	vfprintf(b->log, fmt, ap);
	va_end(ap);
	fputc('\n', b->log);
	fflush(b->log);
	pthread_mutex_unlock(&b->log_lock);
}

static void fb_usage(void)
{
	fputs("usage: ftdibridge [--log FILE] [--timeout SECONDS] "
	      "--chip SERIAL=PTY[,baud=N]\n"
	      "         [,power=STATEDIR:UNIT][,power_pin=cbusN]"
	      "[,reset_pin=cbusN][,active=low|high]\n"
	      "         ... -- COMMAND [ARG...]\n",
	      stderr);
}

/* ---- the wires -------------------------------------------------------- */

/* What a UART at the wrong rate makes of bytes: garbage, never text. */
static void fb_garble(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(0x80 | ((p[i] * 29u + 0x3b) & 0x7f));
}

/* Does the port's setting match the unit's line (rate within 3%, 8N1)? */
static int fb_in_tune(const struct fb_chip *c,
		      const struct ftdiemu_port_state *st)
{
	return st->rate > 0 &&
	       fabs(st->rate - c->baud) <= c->baud * FB_TOLERANCE &&
	       (st->line & 0xff) == 8 && !(st->line & 0x7f00);
}

static int fb_tuned_now(struct fb_chip *c)
{
	struct ftdiemu_port_state st;

	ftdiemu_port_state(c->emu, 0, &st);
	return fb_in_tune(c, &st);
}

/* Responder: host bytes from the chip's TX, on the emulator's thread. */
static void fb_from_host(void *ctx, struct ftdiemu *e, unsigned port,
			 const uint8_t *buf, size_t len)
{
	struct fb *b = ctx;
	struct fb_chip *c = NULL;
	size_t k, n;
	int tuned;

	for (k = 0; k < b->n; k++)
		if (b->chips[k].emu == e)
			c = &b->chips[k];
	if (!c || port)
		return;
	tuned = fb_tuned_now(c);
	pthread_mutex_lock(&c->lock);
	n = len < FB_OUT_MAX - c->out_len ? len : FB_OUT_MAX - c->out_len;
	memcpy(c->out + c->out_len, buf, n);
	if (!tuned) {
		fb_garble(c->out + c->out_len, n);
		c->garbled += n;
	}
	c->out_len += n;
	c->from_host += n;
	c->dropped += len - n;
	pthread_mutex_unlock(&c->lock);
	if (write(b->wake[1], "", 1) < 0 && errno != EAGAIN)
		fb_log(b, "%s: wake-up pipe: %s", c->serial, strerror(errno));
}

/* Write pending host bytes to the pty, as far as it takes them. */
static void fb_flush(struct fb *b, struct fb_chip *c)
{
	ssize_t n;

	pthread_mutex_lock(&c->lock);
	if (c->fd >= 0 && c->out_len) {
		n = write(c->fd, c->out, c->out_len);
		if (n > 0) {
			memmove(c->out, c->out + n, c->out_len - (size_t)n);
			c->out_len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fb_log(b, "%s: write %s: %s", c->serial, c->pty,
			       strerror(errno));
			c->out_len = 0;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

/* Bytes the unit printed go to the chip's RX. */
static void fb_to_host(struct fb *b, struct fb_chip *c)
{
	uint8_t buf[FB_READ_MAX];
	ssize_t n = read(c->fd, buf, sizeof(buf));
	int tuned;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		fb_log(b, "%s: %s closed (%s)", c->serial, c->pty,
		       n ? strerror(errno) : "end of file");
		pthread_mutex_lock(&c->lock);
		close(c->fd);
		c->fd = -1;
		pthread_mutex_unlock(&c->lock);
		return;
	}
	tuned = fb_tuned_now(c);
	if (!tuned)
		fb_garble(buf, (size_t)n);
	pthread_mutex_lock(&c->lock);
	c->to_host += (size_t)n;
	if (!tuned)
		c->garbled += (size_t)n;
	pthread_mutex_unlock(&c->lock);
	ftdiemu_feed(c->emu, buf, (size_t)n);
}

/* ---- the pins --------------------------------------------------------- */

/* One line to simdut's power FIFO; simdut holds it open, so no wait. */
static void fb_switch(struct fb *b, struct fb_chip *c, int on)
{
	const char *cmd = on ? "on\n" : "off\n";
	int fd;

	c->switches++;
	if (!c->fifo[0]) {
		fb_log(b, "%s: unit power %s (no power FIFO given)",
		       c->serial, on ? "on" : "off");
		return;
	}
	fd = open(c->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		fb_log(b, "%s: cannot switch %s %s: %s", c->serial, c->unit,
		       on ? "on" : "off", strerror(errno));
	} else {
		fb_log(b, "%s: unit %s power %s", c->serial, c->unit,
		       on ? "on" : "off");
	}
	if (fd >= 0)
		close(fd);
}

/* Level of CBUS pin bit if it is an output: 0 or 1; -1 when an input. */
static int fb_cbus_level(uint8_t mask, int bit)
{
	if (bit < 0 || !(mask & (0x10 << bit)))
		return -1;
	return (mask >> bit) & 1;
}

static void fb_pins(struct fb *b, struct fb_chip *c, uint8_t mode,
		    uint8_t mask)
{
	int pw = fb_cbus_level(mask, c->power_bit);
	int rs = fb_cbus_level(mask, c->reset_bit);
	int on;

	if (mode != 0x20) {
		fb_log(b, "%s: bit mode 0x%02x mask 0x%02x (not CBUS "
		       "bit-bang: pins unchanged)", c->serial, mode, mask);
		return;
	}
	if (pw >= 0)
		c->power_on = pw != c->active_low;
	if (rs >= 0)
		c->reset_held = rs != c->active_low;
	fb_log(b, "%s: CBUS mask 0x%02x: power pin cbus%d %s (%s), reset "
	       "pin cbus%d %s (%s)", c->serial, mask, c->power_bit,
	       pw < 0 ? "input" : pw ? "high" : "low",
	       c->power_on ? "on" : "off", c->reset_bit,
	       rs < 0 ? "input" : rs ? "high" : "low",
	       c->reset_held ? "asserted" : "released");
	on = c->power_on && !c->reset_held;
	if (on != c->unit_on) {
		c->unit_on = on;
		fb_switch(b, c, on);
	}
}

/* Watch: line settings and pins, on the emulator's thread. */
static void fb_watch(void *ctx, struct ftdiemu *e,
		     const struct ftdiemu_event *ev)
{
	struct fb *b = ctx;
	struct fb_chip *c = NULL;
	size_t k;

	for (k = 0; k < b->n; k++)
		if (b->chips[k].emu == e)
			c = &b->chips[k];
	if (!c || ev->port)
		return;
	if (ev->kind == FTDIEMU_EV_BITMODE) {
		fb_pins(b, c, ev->st.mode, ev->st.mask);
		return;
	}
	if (ev->kind != FTDIEMU_EV_LINE)
		return;
	if (ev->st.rate == c->rate && ev->st.line == c->line)
		return;
	c->rate = ev->st.rate;
	c->line = ev->st.line;
	fb_log(b, "%s: line %.0f baud, data 0x%04x (unit %u 8N1): %s",
	       c->serial, ev->st.rate, ev->st.line, c->baud,
	       fb_in_tune(c, &ev->st) ? "in tune" : "garbling");
}

/* ---- set-up ------------------------------------------------------------- */

static int fb_parse_pin(const char *v, int *bit)
{
	if (!strcmp(v, "none")) {
		*bit = -1;
		return 0;
	}
	if (strncmp(v, "cbus", 4) || v[4] < '0' || v[4] > '3' || v[5])
		return -1;
	*bit = v[4] - '0';
	return 0;
}

/* One option of a --chip spec, "key=value". */
static int fb_chip_option(struct fb_chip *c, char *opt)
{
	char *v = strchr(opt, '='), *colon, *end;
	unsigned long n;

	if (!v)
		return -1;
	*v++ = '\0';
	if (!strcmp(opt, "baud")) {
		n = strtoul(v, &end, 10);
		if (*end || n < 50 || n > 12000000)
			return -1;
		c->baud = (unsigned)n;
		return 0;
	}
	if (!strcmp(opt, "power")) {
		colon = strrchr(v, ':');
		if (!colon || colon == v || !colon[1] ||
		    snprintf(c->unit, sizeof(c->unit), "%s", colon + 1) >=
			    (int)sizeof(c->unit) ||
		    snprintf(c->fifo, sizeof(c->fifo), "%.*s/%s.power",
			     (int)(colon - v), v, colon + 1) >=
			    (int)sizeof(c->fifo))
			return -1;
		return 0;
	}
	if (!strcmp(opt, "power_pin"))
		return fb_parse_pin(v, &c->power_bit);
	if (!strcmp(opt, "reset_pin"))
		return fb_parse_pin(v, &c->reset_bit);
	if (!strcmp(opt, "active") &&
	    (!strcmp(v, "low") || !strcmp(v, "high"))) {
		c->active_low = !strcmp(v, "low");
		return 0;
	}
	return -1;
}

static int fb_parse_chip(struct fb *b, const char *spec)
{
	struct fb_chip *c;
	char buf[1200], *opt, *save = NULL, *eq;

	if (b->n == FB_MAX_CHIPS ||
	    snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		return -1;
	c = &b->chips[b->n];
	c->baud = 115200;
	c->power_bit = 1;
	c->reset_bit = 0;
	c->active_low = 1;
	c->fd = -1;
	c->rate = -1;
	c->power_on = c->unit_on = 1;	/* simdut starts its units on */
	opt = strtok_r(buf, ",", &save);
	eq = opt ? strchr(opt, '=') : NULL;
	if (!eq || eq == opt || !eq[1] ||
	    snprintf(c->serial, sizeof(c->serial), "%.*s", (int)(eq - opt),
		     opt) >= (int)sizeof(c->serial) ||
	    snprintf(c->pty, sizeof(c->pty), "%s", eq + 1) >=
		    (int)sizeof(c->pty))
		return -1;
	while ((opt = strtok_r(NULL, ",", &save)))
		if (fb_chip_option(c, opt))
			return -1;
	if (c->power_bit >= 0 && c->power_bit == c->reset_bit)
		return -1;
	pthread_mutex_init(&c->lock, NULL);
	b->n++;
	return 0;
}

static int fb_open_pty(struct fb *b, struct fb_chip *c)
{
	struct termios t;

	c->fd = open(c->pty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0 || !isatty(c->fd) || tcgetattr(c->fd, &t)) {
		fprintf(stderr, "ftdibridge: %s: %s\n", c->pty,
			c->fd < 0 ? strerror(errno) : "not a terminal");
		return -1;
	}
	cfmakeraw(&t);		/* VMIN 1: no data is EAGAIN, not 0 */
	if (tcsetattr(c->fd, TCSANOW, &t)) {
		fprintf(stderr, "ftdibridge: %s: %s\n", c->pty,
			strerror(errno));
		return -1;
	}
	tcflush(c->fd, TCIOFLUSH);
	fb_log(b, "%s: wired to %s at %u baud%s%s", c->serial, c->pty,
	       c->baud, c->fifo[0] ? ", power FIFO " : "", c->fifo);
	return 0;
}

/* The program's path as execve() wants it, searched in PATH. */
static int fb_resolve(const char *prog, char *out, size_t cap)
{
	const char *path = getenv("PATH"), *p, *colon;
	int n;

	if (strchr(prog, '/'))
		return snprintf(out, cap, "%s", prog) >= (int)cap ? -1 : 0;
	for (p = path ? path : "/usr/bin:/bin"; *p; p = colon + 1) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		n = snprintf(out, cap, "%.*s/%s", (int)(colon - p), p, prog);
		if (n > 0 && (size_t)n < cap && !access(out, X_OK))
			return 0;
		if (!*colon)
			break;
	}
	return -1;
}

/* ---- running the command ------------------------------------------------ */

static pid_t fb_spawn(char **argv, char **env)
{
	struct sigaction dfl;
	char path[4096];
	pid_t parent = getpid(), pid;

	if (fb_resolve(argv[0], path, sizeof(path))) {
		fprintf(stderr, "ftdibridge: %s: not found\n", argv[0]);
		return -1;
	}
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	pid = fork();
	if (pid < 0)
		perror("ftdibridge: fork");
	if (pid)
		return pid;
	/* the child: async-signal-safe calls only until exec; it dies
	 * with the bridge, and does not inherit its ignored SIGPIPE */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127);
	sigaction(SIGPIPE, &dfl, NULL);
	execve(path, argv, env);
	_exit(127);
}

static int fb_pending(struct fb_chip *c)
{
	int any;

	pthread_mutex_lock(&c->lock);
	any = c->out_len > 0;
	pthread_mutex_unlock(&c->lock);
	return any;
}

/* Move bytes until the command ends; returns its wait status. */
static int fb_loop(struct fb *b, pid_t child)
{
	struct pollfd pfd[FB_MAX_CHIPS + 1];
	struct fb_chip *at[FB_MAX_CHIPS + 1];
	int64_t deadline = ftdiemu_now_us() + b->timeout_s * 1000000;
	int64_t kill_at = 0;
	int status = 0, sent_term = 0;
	size_t k, n;
	char drain[64];

	for (;;) {
		pfd[0].fd = b->wake[0];
		pfd[0].events = POLLIN;
		for (k = 0, n = 1; k < b->n; k++) {
			struct fb_chip *c = &b->chips[k];

			if (c->fd < 0)
				continue;
			at[n] = c;
			pfd[n].fd = c->fd;
			pfd[n].events = POLLIN | (fb_pending(c) ? POLLOUT : 0);
			pfd[n++].revents = 0;
		}
		if (poll(pfd, n, FB_POLL_MS) < 0 && errno != EINTR)
			fb_log(b, "poll: %s", strerror(errno));
		while (read(b->wake[0], drain, sizeof(drain)) > 0)
			;
		for (k = 1; k < n; k++)
			if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
				fb_to_host(b, at[k]);
		for (k = 0; k < b->n; k++)
			fb_flush(b, &b->chips[k]);
		if (waitpid(child, &status, WNOHANG) == child)
			return status;
		if (!sent_term && (fb_signal || ftdiemu_now_us() > deadline)) {
			fb_log(b, "%s: stopping the command",
			       fb_signal ? "signal" : "timeout");
			kill(child, SIGTERM);
			sent_term = 1;
			b->timed_out = !fb_signal;
			kill_at = ftdiemu_now_us() + FB_KILL_GRACE_MS * 1000;
		}
		if (sent_term && kill_at && ftdiemu_now_us() > kill_at) {
			kill(child, SIGKILL);
			kill_at = 0;
		}
	}
}

static int fb_exit_code(int status, int timed_out)
{
	if (timed_out && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return 124;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void fb_teardown(struct fb *b)
{
	size_t k;

	for (k = 0; k < b->n; k++) {
		struct fb_chip *c = &b->chips[k];

		if (c->emu) {
			ftdiemu_set_responder(c->emu, NULL, NULL);
			ftdiemu_set_watch(c->emu, NULL, NULL);
			fb_log(b, "%s: %llu bytes to the host, %llu from it, "
			       "%llu garbled, %llu dropped, %u power switches",
			       c->serial, c->to_host, c->from_host,
			       c->garbled, c->dropped, c->switches);
		}
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
	}
}

static int fb_args(struct fb *b, int argc, char **argv, char ***cmd)
{
	const char *logpath = NULL;
	char *end;
	int i;

	b->timeout_s = 600;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--chip") && i + 1 < argc) {
			if (fb_parse_chip(b, argv[++i])) {
				fprintf(stderr, "ftdibridge: bad --chip %s\n",
					argv[i]);
				return -1;
			}
		} else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
			logpath = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			b->timeout_s = strtol(argv[++i], &end, 10);
			if (*end || b->timeout_s < 1 || b->timeout_s > 86400)
				return -1;
		} else {
			return -1;
		}
	}
	if (i + 1 >= argc || !b->n)
		return -1;
	*cmd = argv + i + 1;
	b->log = stderr;
	if (logpath) {
		b->log = fopen(logpath, "a");
		if (!b->log) {
			fprintf(stderr, "ftdibridge: %s: %s\n", logpath,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static struct fb fb_bridge;	/* large: out queues */

int main(int argc, char **argv)
{
	struct fb *b = &fb_bridge;
	struct ftdiemu_bed *bed = NULL;
	struct sigaction sa;
	char **cmd = NULL, **env = NULL;
	int rc = 2, status = 0;
	pid_t child;
	size_t k;

	b->t0_us = ftdiemu_now_us();
	pthread_mutex_init(&b->log_lock, NULL);
	b->wake[0] = b->wake[1] = -1;
	if (fb_args(b, argc, argv, &cmd)) {
		fb_usage();
		return 2;
	}
	if (!ftdiemu_preload_path()) {
		fprintf(stderr, "ftdibridge: umockdev's preload library "
			"(libumockdev-preload.so.0) is not installed\n");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fb_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(b->wake, O_NONBLOCK | O_CLOEXEC)) {
		perror("ftdibridge: pipe");
		goto out;
	}
	for (k = 0; k < b->n; k++)
		if (fb_open_pty(b, &b->chips[k]))
			goto out;
	bed = ftdiemu_bed_new();
	if (!bed) {
		fprintf(stderr, "ftdibridge: cannot make a umockdev testbed\n");
		goto out;
	}
	for (k = 0; k < b->n; k++) {
		struct fb_chip *c = &b->chips[k];

		c->emu = ftdiemu_bed_add(bed, FTDIEMU_FT232R, c->serial);
		if (!c->emu) {
			fprintf(stderr, "ftdibridge: cannot plug chip %s\n",
				c->serial);
			goto out;
		}
		ftdiemu_set_responder(c->emu, fb_from_host, b);
		ftdiemu_set_watch(c->emu, fb_watch, b);
		fb_log(b, "%s: FT232R at %s", c->serial,
		       ftdiemu_devnode(c->emu));
	}
	env = ftdiemu_child_environ(bed);
	if (!env) {
		fprintf(stderr, "ftdibridge: out of memory\n");
		goto out;
	}
	fb_log(b, "testbed %s; running %s", ftdiemu_bed_root(bed), cmd[0]);
	child = fb_spawn(cmd, env);
	if (child < 0)
		goto out;
	status = fb_loop(b, child);
	rc = fb_exit_code(status, b->timed_out);
	fb_log(b, "%s ended: exit status %d", cmd[0], rc);
out:
	fb_teardown(b);
	ftdiemu_bed_free(bed);
	ftdiemu_environ_free(env);
	if (b->wake[0] >= 0) {
		close(b->wake[0]);
		close(b->wake[1]);
	}
	if (b->log && b->log != stderr)
		fclose(b->log);
	return rc;
}
