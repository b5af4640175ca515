/*
 * check_tty.c - the tty adapter and the console logic on a real
 * pseudo-terminal: this test holds the master side and plays the device.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/console.h"
#include "hw-adapters/hw.h"
#include "hw-adapters/tty_rate.h"

static int master = -1;
static int peek = -1;		/* a second slave descriptor to inspect */
static char slave_name[64];
static char slave_uri[128];

static void pty_setup(void)
{
	int slave;

	ck_assert_int_eq(openpty(&master, &slave, slave_name, NULL, NULL), 0);
	close(slave); /* the adapter opens it by name, like a real device */
	snprintf(slave_uri, sizeof(slave_uri), "tty://%s?baud=115200",
		 slave_name);
}

static void pty_teardown(void)
{
	if (master >= 0)
		close(master);
	if (peek >= 0)
		close(peek);
	master = peek = -1;
}

/* Open the slave before the adapter does, so TIOCEXCL lets us in, and
 * read back the settings the adapter made on the shared line. */
static void peek_open(void)
{
	peek = open(slave_name, O_RDWR | O_NOCTTY | O_NONBLOCK);
	ck_assert_int_ge(peek, 0);
}

static struct hw_adapter *open_tty(void)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;

	ck_assert_int_eq(hw_adapter_open(&hw, NULL, slave_uri, "dut", NULL,
					 NULL, &err),
			 CB_OK);
	return hw;
}

static void device_says(const char *s)
{
	ck_assert_int_eq(write(master, s, strlen(s)), (ssize_t)strlen(s));
}

START_TEST(read_returns_what_the_device_sent)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	char buf[64];
	size_t n = 0;

	device_says("hello\r\n");
	ck_assert_int_eq(hw_read(hw, buf, sizeof(buf), 1000, &n, &err), CB_OK);
	ck_assert_uint_eq(n, 7);
	ck_assert(!memcmp(buf, "hello\r\n", 7)); /* raw: no CR/LF mangling */
	hw_adapter_free(hw);
}
END_TEST

START_TEST(read_times_out_at_its_deadline)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	int64_t t0 = cb_now_ms(), dt;
	char buf[16];
	size_t n = 99;

	ck_assert_int_eq(hw_read(hw, buf, sizeof(buf), 200, &n, &err),
			 CB_ETIMEOUT);
	dt = cb_now_ms() - t0;
	ck_assert_uint_eq(n, 0);
	ck_assert_int_ge(dt, 190);
	ck_assert_int_lt(dt, 2000);
	ck_assert_str_eq(err.text, "no data within 200 ms");
	hw_adapter_free(hw);
}
END_TEST

START_TEST(write_reaches_the_device_unchanged)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	char buf[32] = {0};
	ssize_t n;

	ck_assert_int_eq(hw_write(hw, "root\r", 5, 1000, &err), CB_OK);
	n = read(master, buf, sizeof(buf));
	ck_assert_int_eq(n, 5);
	ck_assert(!memcmp(buf, "root\r", 5)); /* raw: no echo, no ICRNL */
	hw_adapter_free(hw);
}
END_TEST

START_TEST(hang_up_is_reported_as_closed)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	char buf[16];
	size_t n;

	close(master);
	master = -1;
	ck_assert_int_eq(hw_read(hw, buf, sizeof(buf), 1000, &n, &err),
			 CB_ECLOSED);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(open_errors_name_the_problem)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;

	ck_assert_int_eq(hw_adapter_open(&hw, NULL, "tty:///dev/no-such-tty",
					 NULL, NULL, NULL, &err),
			 CB_ENODEV);
	ck_assert_ptr_null(hw);
	ck_assert_str_eq(err.source, "tty:///dev/no-such-tty");
	cb_error_clear(&err);
	ck_assert_int_eq(hw_adapter_open(&hw, NULL, "tty:///dev/null", NULL,
					 NULL, NULL, &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, "/dev/null is not a terminal");
}
END_TEST

/* A device that floods without ever sending a newline or a prompt. */
static void *flooder(void *arg)
{
	char chunk[1024];
	int64_t end = cb_now_ms() + 3000;

	(void)arg;
	memset(chunk, 'A', sizeof(chunk));
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (cb_now_ms() < end)
		if (write(master, chunk, sizeof(chunk)) < 0)
			usleep(1000);
	return NULL;
}

START_TEST(flood_without_newline_hits_the_ceiling)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	struct console con;
	regex_t re;
	const regex_t *res[] = {&re};
	pthread_t t;
	int which;

	ck_assert_int_eq(regcomp(&re, "login: $", REG_EXTENDED | REG_NEWLINE),
			 0);
	console_init(&con, hw);
	pthread_create(&t, NULL, flooder, NULL);
	ck_assert_int_eq(console_expect(&con, res, 1, 10000, &which, NULL,
					&err),
			 CB_ETOOBIG);
	ck_assert_uint_eq(con.rx.len, CONSOLE_RX_MAX);
	ck_assert_ptr_nonnull(strstr(err.text, "console sent 65536 bytes"));
	pthread_join(t, NULL);
	console_release(&con);
	regfree(&re);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(expect_picks_the_earliest_match_and_survives_nul)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	struct console con;
	regex_t a, b;
	const regex_t *res[] = {&a, &b};
	struct cb_buf before;
	int which = -1;

	regcomp(&a, "login: $", REG_EXTENDED | REG_NEWLINE);
	regcomp(&b, "Login incorrect", REG_EXTENDED | REG_NEWLINE);
	cb_buf_init(&before, 1024);
	console_init(&con, hw);
	ck_assert_int_eq(write(master, "x\0y\r\nLogin incorrect\r\nlogin: ", 29),
			 29);
	ck_assert_int_eq(console_expect(&con, res, 2, 1000, &which, &before,
					&err),
			 CB_OK);
	ck_assert_int_eq(which, 1);
	ck_assert_uint_eq(before.len, 5); /* "x?y\r\n" with NUL replaced */
	ck_assert_int_eq(console_expect(&con, res, 2, 1000, &which, NULL,
					&err),
			 CB_OK);
	ck_assert_int_eq(which, 0);
	cb_buf_release(&before);
	console_release(&con);
	regfree(&a);
	regfree(&b);
	hw_adapter_free(hw);
}
END_TEST

/* A scripted getty on the master side: one user, one password. */
static void *getty(void *arg)
{
	const char *pass = arg;
	char line[128], c;
	size_t n = 0;
	int stage = 0;
	struct pollfd pfd = {.fd = master, .events = POLLIN};

	while (poll(&pfd, 1, 3000) > 0 && read(master, &c, 1) == 1) {
		if (c != '\r') {
			if (n < sizeof(line) - 1)
				line[n++] = c;
			continue;
		}
		line[n] = '\0';
		n = 0;
		if (stage == 0 && !line[0]) {
			device_says("\r\nbox login: ");
		} else if (stage == 0) {
			device_says("Password: ");
			stage = 1;
		} else if (stage == 1) {
			device_says(strcmp(line, pass)
					    ? "\r\nLogin incorrect\r\nbox login: "
					    : "\r\n# ");
			stage = strcmp(line, pass) ? 0 : 2;
		} else if (!strcmp(line, "exit")) {
			device_says("\r\nbox login: ");
			stage = 0;
		} else {
			device_says("output line\r\n# ");
		}
	}
	return NULL;
}

static void mech_init(struct console_mech *m)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:i}", "login_prompt",
			      "login: $", "password_prompt", "Password: $",
			      "shell_prompt", "# $", "failure",
			      "Login incorrect", "timeout_ms", 1000);
	struct cb_error err = {0};

	ck_assert_int_eq(console_mech_init(m, j, &err), CB_OK);
	json_decref(j);
}

START_TEST(login_tells_accepted_from_refused)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	struct console_mech m;
	struct console con;
	enum console_outcome out;
	struct cb_buf output;
	pthread_t t;
	int nopw;

	mech_init(&m);
	console_init(&con, hw);
	pthread_create(&t, NULL, getty, "s3cret");
	ck_assert_int_eq(console_login(&con, &m, "root", "wrong", &out, &nopw,
				       &err),
			 CB_OK);
	ck_assert_int_eq(out, CONSOLE_REFUSED);
	ck_assert_int_eq(console_login(&con, &m, "root", "s3cret", &out, &nopw,
				       &err),
			 CB_OK);
	ck_assert_int_eq(out, CONSOLE_ACCEPTED);
	ck_assert_int_eq(nopw, 0);
	cb_buf_init(&output, 1024);
	ck_assert_int_eq(console_command(&con, &m, "id", &output, &err), CB_OK);
	ck_assert_str_eq(cb_buf_str(&output), "output line\r\n");
	ck_assert_int_eq(console_logout(&con, &m, &err), CB_OK);
	pthread_join(t, NULL);
	cb_buf_release(&output);
	console_release(&con);
	console_mech_release(&m);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(silent_device_is_a_timeout_not_a_refusal)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	struct console_mech m;
	struct console con;
	enum console_outcome out;
	int nopw;

	mech_init(&m);
	console_init(&con, hw);
	ck_assert_int_eq(console_login(&con, &m, "root", "x", &out, &nopw,
				       &err),
			 CB_ETIMEOUT);
	ck_assert_str_eq(err.text,
			 "no recognised prompt within 1000 ms (0 bytes "
			 "received)");
	console_release(&con);
	console_mech_release(&m);
	hw_adapter_free(hw);
}
END_TEST

/* ---- line settings ---------------------------------------------------- */

/*
 * A stand-in driver.  This tcsetattr() wins over libc's for the adapter,
 * which is linked into this program: it records what the adapter asked
 * for (a pty forces 8 bits without parity, so reading back cannot show
 * those) and can play a driver that drops settings or keeps another rate.
 */
static struct termios last_set;
static tcflag_t drv_drop_cflag;
static speed_t drv_force_speed;

int tcsetattr(int fd, int act, const struct termios *tio)
{
	static int (*real)(int, int, const struct termios *);
	struct termios t = *tio;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "tcsetattr");
	last_set = *tio;
	t.c_cflag &= ~drv_drop_cflag;
	if (drv_force_speed) {
		cfsetospeed(&t, drv_force_speed);
		cfsetispeed(&t, drv_force_speed);
	}
	return real(fd, act, &t);
}

static const char *slave_uri_with(const char *params)
{
	static char uri[256];

	snprintf(uri, sizeof(uri), "tty://%s?%s", slave_name, params);
	return uri;
}

static struct hw_adapter *open_tty_with(const char *params)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;
	const char *uri = slave_uri_with(params);

	ck_assert_msg(hw_adapter_open(&hw, NULL, uri, "dut", NULL, NULL,
				      &err) == CB_OK,
		      "%s: %s", uri, err.text);
	return hw;
}

static const struct {
	unsigned baud;
	speed_t speed;
} std_rates[] = {
	{50, B50},	   {75, B75},		{110, B110},
	{134, B134},	   {150, B150},		{200, B200},
	{300, B300},	   {600, B600},		{1200, B1200},
	{1800, B1800},	   {2400, B2400},	{4800, B4800},
	{9600, B9600},	   {19200, B19200},	{38400, B38400},
	{57600, B57600},   {115200, B115200},	{230400, B230400},
	{460800, B460800}, {500000, B500000},	{576000, B576000},
	{921600, B921600}, {1000000, B1000000}, {1152000, B1152000},
	{1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000},
	{3000000, B3000000}, {3500000, B3500000}, {4000000, B4000000},
};

static void assert_rate(unsigned baud)
{
	unsigned in = 0, out = 0;

	ck_assert_int_eq(tty_rate_get(peek, &in, &out), 0);
	ck_assert_uint_eq(out, baud);
	ck_assert_uint_eq(in, baud);
}

START_TEST(every_standard_rate_round_trips)
{
	struct cb_error err = {0};
	struct hw_line line = {0, 8, 1, 'N', HW_FLOW_NONE};
	struct hw_adapter *hw;
	struct termios tio;
	char params[32];
	size_t k;

	peek_open();
	for (k = 0; k < sizeof(std_rates) / sizeof(*std_rates); k++) {
		snprintf(params, sizeof(params), "baud=%u", std_rates[k].baud);
		hw = open_tty_with(params);
		ck_assert_int_eq(tcgetattr(peek, &tio), 0);
		ck_assert_uint_eq(cfgetospeed(&tio), std_rates[k].speed);
		ck_assert_uint_eq(cfgetispeed(&tio), std_rates[k].speed);
		assert_rate(std_rates[k].baud);
		hw_adapter_free(hw);
	}
	/* And at run time, on one open line. */
	hw = open_tty_with("baud=9600");
	for (k = 0; k < sizeof(std_rates) / sizeof(*std_rates); k++) {
		line.baud = std_rates[k].baud;
		ck_assert_int_eq(hw_set_line(hw, &line, &err), CB_OK);
		ck_assert_int_eq(tcgetattr(peek, &tio), 0);
		ck_assert_uint_eq(cfgetospeed(&tio), std_rates[k].speed);
		assert_rate(std_rates[k].baud);
	}
	hw_adapter_free(hw);
}
END_TEST

START_TEST(custom_rates_go_through_termios2)
{
	static const unsigned rates[] = {74880, 250000, 31250, 12345, 1234567,
					 12000000};
	struct cb_error err = {0};
	struct hw_line line = {0, 8, 1, 'N', HW_FLOW_NONE};
	struct hw_adapter *hw;
	char params[32];
	size_t k;

	peek_open();
	for (k = 0; k < sizeof(rates) / sizeof(*rates); k++) {
		snprintf(params, sizeof(params), "baud=%u", rates[k]);
		hw = open_tty_with(params);
		assert_rate(rates[k]);
		hw_adapter_free(hw);
	}
	/* Custom, then standard again: the BOTHER bits must not linger. */
	hw = open_tty_with("baud=74880");
	line.baud = 115200;
	ck_assert_int_eq(hw_set_line(hw, &line, &err), CB_OK);
	assert_rate(115200);
	line.baud = 74880;
	ck_assert_int_eq(hw_set_line(hw, &line, &err), CB_OK);
	assert_rate(74880);
	hw_adapter_free(hw);
}
END_TEST

static tcflag_t want_cflag(const struct hw_line *l)
{
	static const tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
	tcflag_t c = sizes[l->data_bits - 5];

	if (l->parity != 'N')
		c |= PARENB;
	if (l->parity == 'O' || l->parity == 'M')
		c |= PARODD;
	if (l->parity == 'M' || l->parity == 'S')
		c |= CMSPAR;
	if (l->stop_bits == 2)
		c |= CSTOPB;
	if (l->flow == HW_FLOW_RTSCTS)
		c |= CRTSCTS;
	return c;
}

static void assert_framing(const struct hw_line *l)
{
	const tcflag_t mask = CSIZE | PARENB | PARODD | CMSPAR | CSTOPB |
			      CRTSCTS;
	const tcflag_t kept = PARODD | CMSPAR | CSTOPB | CRTSCTS;
	struct termios tio;

	ck_assert_msg((last_set.c_cflag & mask) == want_cflag(l),
		      "%u%c%u flow %u: asked cflag %o", l->data_bits,
		      l->parity, l->stop_bits, l->flow,
		      (unsigned)last_set.c_cflag);
	/* What the pty keeps must read back; it forces CS8, no PARENB. */
	ck_assert_int_eq(tcgetattr(peek, &tio), 0);
	ck_assert_msg((tio.c_cflag & kept) == (want_cflag(l) & kept),
		      "%u%c%u flow %u: cflag %o", l->data_bits, l->parity,
		      l->stop_bits, l->flow, (unsigned)tio.c_cflag);
	ck_assert(tio.c_cflag & CLOCAL);
	ck_assert_uint_eq(tio.c_iflag & (IXON | IXOFF | IXANY),
			  l->flow == HW_FLOW_XONXOFF ? IXON | IXOFF : 0);
	/* Raw whatever the framing: no parity marking or stripping. */
	ck_assert_uint_eq(tio.c_iflag & (INPCK | ISTRIP | PARMRK | ICRNL), 0);
	ck_assert_uint_eq(tio.c_lflag & (ICANON | ECHO | ISIG), 0);
}

START_TEST(every_framing_applies_and_reads_back)
{
	static const char parities[] = "NEOMS";
	struct cb_error err = {0};
	struct hw_adapter *hw;
	struct hw_line l = {9600, 8, 1, 'N', HW_FLOW_NONE};
	int bits, p, stop, flow, n = 0;

	peek_open();
	hw = open_tty_with("baud=9600");
	for (bits = 5; bits <= 8; bits++)
		for (p = 0; p < 5; p++)
			for (stop = 1; stop <= 2; stop++)
				for (flow = 0; flow <= HW_FLOW_XONXOFF;
				     flow++) {
					l.data_bits = (unsigned char)bits;
					l.parity = parities[p];
					l.stop_bits = (unsigned char)stop;
					l.flow = (unsigned char)flow;
					ck_assert_int_eq(
						hw_set_line(hw, &l, &err),
						CB_OK);
					assert_framing(&l);
					n++;
				}
	ck_assert_int_eq(n, 120);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(uri_settings_reach_the_line)
{
	static const struct {
		const char *params;
		struct hw_line line;
	} cases[] = {
		{"", {115200, 8, 1, 'N', HW_FLOW_NONE}},
		{"baud=9600&bits=7&parity=E&stop=2", {9600, 7, 2, 'E', 0}},
		{"parity=o&bits=5", {115200, 5, 1, 'O', 0}},
		{"parity=M&flow=rtscts", {115200, 8, 1, 'M', HW_FLOW_RTSCTS}},
		{"parity=S&flow=XONXOFF", {115200, 8, 1, 'S', HW_FLOW_XONXOFF}},
		{"flow=none&baud=57600", {57600, 8, 1, 'N', HW_FLOW_NONE}},
	};
	struct hw_adapter *hw;
	size_t k;

	peek_open();
	for (k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		hw = open_tty_with(cases[k].params);
		assert_framing(&cases[k].line);
		assert_rate(cases[k].line.baud);
		hw_adapter_free(hw);
	}
}
END_TEST

START_TEST(line_format_names_the_settings)
{
	struct hw_line a = {115200, 8, 1, 'N', HW_FLOW_NONE};
	struct hw_line b = {9600, 7, 2, 'E', HW_FLOW_RTSCTS};
	char buf[48];

	ck_assert_str_eq(hw_line_format(&a, buf, sizeof(buf)), "115200 8N1");
	ck_assert_str_eq(hw_line_format(&b, buf, sizeof(buf)),
			 "9600 7E2 rtscts");
}
END_TEST

START_TEST(settings_the_driver_drops_are_errors)
{
	static const struct {
		tcflag_t drop;
		speed_t force;
		struct hw_line line;
		const char *text;
	} cases[] = {
		{CMSPAR, 0, {9600, 8, 1, 'M', 0},
		 "driver refused parity M (9600 8M1)"},
		{CMSPAR, 0, {9600, 8, 1, 'S', 0},
		 "driver refused parity S (9600 8S1)"},
		{PARODD, 0, {9600, 8, 1, 'O', 0},
		 "driver refused parity O (9600 8O1)"},
		{CSTOPB, 0, {9600, 8, 2, 'N', 0},
		 "driver refused 2 stop bits (9600 8N2)"},
		{CRTSCTS, 0, {9600, 8, 1, 'N', HW_FLOW_RTSCTS},
		 "driver refused the flow control (9600 8N1 rtscts)"},
		{0, B115200, {4000000, 8, 1, 'N', 0},
		 "driver set 115200 baud, not 4000000"},
		{0, B9600, {230400, 8, 1, 'N', 0},
		 "driver set 9600 baud, not 230400"},
	};
	struct hw_adapter *hw = open_tty();
	struct hw_line ok = {115200, 8, 1, 'N', 0};
	struct cb_error err = {0};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		cb_error_clear(&err);
		drv_drop_cflag = cases[k].drop;
		drv_force_speed = cases[k].force;
		ck_assert_msg(hw_set_line(hw, &cases[k].line, &err) ==
				      CB_ENOTSUP,
			      "%s: %s", cases[k].text, err.text);
		ck_assert_str_eq(err.text, cases[k].text);
		drv_drop_cflag = 0;
		drv_force_speed = 0;
		ck_assert_int_eq(hw_set_line(hw, &ok, &err), CB_OK);
	}
	hw_adapter_free(hw);
	/* At open, the same check refuses the adapter. */
	drv_drop_cflag = CRTSCTS;
	ck_assert_int_eq(hw_adapter_open(&hw, NULL,
					 slave_uri_with("flow=rtscts"), NULL,
					 NULL, NULL, &err),
			 CB_ENOTSUP);
	drv_drop_cflag = 0;
	ck_assert_ptr_null(hw);
}
END_TEST

/* A bad value and the exact error it must produce (CB_EINVAL). */
static const struct {
	const char *params, *text;
} bad_uris[] = {
	{"baud=abc", "URI parameter baud=abc: want 50..12000000"},
	{"baud=", "URI parameter baud=: want 50..12000000"},
	{"baud=49", "URI parameter baud=49: want 50..12000000"},
	{"baud=12000001", "URI parameter baud=12000001: want 50..12000000"},
	{"baud=9600x", "URI parameter baud=9600x: want 50..12000000"},
	{"bits=9", "URI parameter bits=9: want 5..8"},
	{"bits=4", "URI parameter bits=4: want 5..8"},
	{"stop=3", "URI parameter stop=3: want 1..2"},
	{"stop=1.5", "URI parameter stop=1.5: want 1..2"},
	{"stop=0", "URI parameter stop=0: want 1..2"},
	{"parity=X", "parity must be N, E, O, M or S, not 'X'"},
	{"parity=even", "parity must be N, E, O, M or S, not 'even'"},
	{"parity=", "parity must be N, E, O, M or S, not ''"},
	{"flow=hw", "flow must be none, rtscts or xonxoff, not 'hw'"},
	{"flow=", "flow must be none, rtscts or xonxoff, not ''"},
};

START_TEST(bad_line_settings_are_refused)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;
	char uri[256];

	snprintf(uri, sizeof(uri), "tty://%s?%s", slave_name,
		 bad_uris[_i].params);
	ck_assert_int_eq(hw_adapter_open(&hw, NULL, uri, NULL, NULL, NULL,
					 &err),
			 CB_EINVAL);
	ck_assert_ptr_null(hw);
	ck_assert_str_eq(err.text, bad_uris[_i].text);
	ck_assert_str_eq(err.source, uri);
}
END_TEST

START_TEST(bad_run_time_settings_are_refused)
{
	static const struct {
		struct hw_line line;
		const char *text;
	} cases[] = {
		{{0, 8, 1, 'N', 0}, "baud rate 0: want 50..12000000"},
		{{9600, 9, 1, 'N', 0}, "9 data bits: want 5..8"},
		{{9600, 8, 0, 'N', 0}, "0 stop bits: want 1 or 2"},
		{{9600, 8, 1, 'X', 0}, "parity must be N, E, O, M or S"},
		{{9600, 8, 1, 'N', 7}, "unknown flow control 7"},
	};
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		cb_error_clear(&err);
		ck_assert_int_eq(hw_set_line(hw, &cases[k].line, &err),
				 CB_EINVAL);
		ck_assert_str_eq(err.text, cases[k].text);
	}
	hw_adapter_free(hw);
}
END_TEST

/* ---- break ------------------------------------------------------------ */

static int seen_break_ms = -1;

static void break_tap(void *ctx, const struct hw_event *ev)
{
	(void)ctx;
	if (ev->kind == HW_EV_BREAK && ev->rc == CB_OK)
		seen_break_ms = ev->timeout_ms;
}

START_TEST(break_holds_the_line_for_its_duration)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;
	int64_t t0, dt;

	ck_assert_int_eq(hw_adapter_open(&hw, NULL, slave_uri, "dut",
					 break_tap, NULL, &err),
			 CB_OK);
	ck_assert(hw_has(hw, HW_CAP_BREAK));
	t0 = cb_now_ms();
	ck_assert_int_eq(hw_send_break(hw, 250, &err), CB_OK);
	dt = cb_now_ms() - t0;
	ck_assert_int_ge(dt, 250);
	ck_assert_int_lt(dt, 1000);
	ck_assert_int_eq(seen_break_ms, 250);
	/* The line still works afterwards. */
	ck_assert_int_eq(hw_write(hw, "x", 1, 1000, &err), CB_OK);
	ck_assert_int_eq(hw_send_break(hw, 0, &err), CB_EINVAL);
	ck_assert_str_eq(err.text, "break of 0 ms: want 1..10000");
	cb_error_clear(&err);
	ck_assert_int_eq(hw_send_break(hw, 10001, &err), CB_EINVAL);
	hw_adapter_free(hw);
}
END_TEST

/* ---- exclusive open --------------------------------------------------- */

static void assert_in_use(const struct cb_error *err)
{
	char want[160];

	snprintf(want, sizeof(want),
		 "%s is in use by another program: %s", slave_name,
		 strerror(EBUSY));
	ck_assert_int_eq(err->code, CB_EIO);
	ck_assert_int_eq(err->sys_errno, EBUSY);
	ck_assert_str_eq(err->text, want);
}

START_TEST(second_open_is_refused_until_the_first_closes)
{
	struct hw_adapter *a = open_tty(), *b = NULL;
	struct cb_error err = {0};

	ck_assert_int_eq(hw_adapter_open(&b, NULL, slave_uri, "dut2", NULL,
					 NULL, &err),
			 CB_EIO);
	ck_assert_ptr_null(b);
	assert_in_use(&err);
	/* The refused open changed nothing: the holder still talks. */
	device_says("ok");
	{
		char buf[8];
		size_t n;

		ck_assert_int_eq(hw_read(a, buf, sizeof(buf), 1000, &n, &err),
				 CB_OK);
		ck_assert_uint_eq(n, 2);
	}
	hw_adapter_free(a);
	b = open_tty();
	hw_adapter_free(b);
}
END_TEST

/* A terminal program that locks the device the way picocom does. */
START_TEST(a_flock_held_elsewhere_refuses_the_open)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;

	peek_open();
	ck_assert_int_eq(flock(peek, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(hw_adapter_open(&hw, NULL, slave_uri, "dut", NULL,
					 NULL, &err),
			 CB_EIO);
	ck_assert_ptr_null(hw);
	assert_in_use(&err);
	ck_assert_int_eq(flock(peek, LOCK_UN), 0);
	hw = open_tty();
	/* And ours keeps the other program out, root or not. */
	ck_assert_int_ne(flock(peek, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	hw_adapter_free(hw);
	ck_assert_int_eq(flock(peek, LOCK_EX | LOCK_NB), 0);
}
END_TEST

/*
 * TIOCEXCL stops unprivileged programs that take no lock (a plain open()),
 * and is cleared at close so the next run gets in.  As root, check it
 * from a child that gives up root; otherwise from this process.
 */
static int plain_open_errno(void)
{
	pid_t pid;
	int st, fd;

	if (geteuid() != 0) {
		fd = open(slave_name, O_RDWR | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0)
			close(fd);
		return fd >= 0 ? 0 : errno;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		fd = open(slave_name, O_RDWR | O_NOCTTY | O_NONBLOCK);
		_exit(fd >= 0 ? 0 : errno);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(tiocexcl_keeps_out_unprivileged_opens)
{
	struct hw_adapter *hw;

	if (geteuid() == 0)
		ck_assert_int_eq(chmod(slave_name, 0666), 0);
	/* Held open throughout, like simdut holds its slave: the line
	 * outlives the adapter, and so would a TIOCEXCL left set. */
	peek_open();
	ck_assert_int_eq(plain_open_errno(), 0);
	hw = open_tty();
	ck_assert_int_eq(plain_open_errno(), EBUSY);
	hw_adapter_free(hw);
	ck_assert_int_eq(plain_open_errno(), 0); /* TIOCNXCL at close */
}
END_TEST

/* ---- hang-up (the USB adapter unplugged) ------------------------------- */

static void *unplug_later(void *arg)
{
	usleep((useconds_t)(intptr_t)arg * 1000);
	close(master);
	master = -1;
	return NULL;
}

START_TEST(hang_up_during_read_ends_it_at_once)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	int64_t t0, dt;
	pthread_t t;
	char buf[16];
	size_t n = 99;

	pthread_create(&t, NULL, unplug_later, (void *)(intptr_t)200);
	t0 = cb_now_ms();
	ck_assert_int_eq(hw_read(hw, buf, sizeof(buf), 10000, &n, &err),
			 CB_ECLOSED);
	dt = cb_now_ms() - t0;
	pthread_join(t, NULL);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_ge(dt, 150);
	ck_assert_int_lt(dt, 3000);
	ck_assert_str_eq(err.text, "device hung up (unplugged?)");
	/* Every later operation says the same at once; close is quick. */
	cb_error_clear(&err);
	t0 = cb_now_ms();
	ck_assert_int_eq(hw_read(hw, buf, sizeof(buf), 10000, &n, &err),
			 CB_ECLOSED);
	cb_error_clear(&err);
	ck_assert_int_eq(hw_write(hw, "x", 1, 10000, &err), CB_ECLOSED);
	ck_assert_str_eq(err.text, "device hung up (unplugged?)");
	cb_error_clear(&err);
	ck_assert_int_eq(hw_send_break(hw, 5000, &err), CB_ECLOSED);
	hw_adapter_free(hw);
	ck_assert_int_lt(cb_now_ms() - t0, 3000);
}
END_TEST

START_TEST(hang_up_during_blocked_write_ends_it_at_once)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	size_t big = 4 << 20;
	char *data = calloc(1, big);
	int64_t t0, dt;
	pthread_t t;

	/* Nobody reads the master: the pty fills up and the write waits. */
	ck_assert_ptr_nonnull(data);
	pthread_create(&t, NULL, unplug_later, (void *)(intptr_t)300);
	t0 = cb_now_ms();
	ck_assert_int_eq(hw_write(hw, data, big, 10000, &err), CB_ECLOSED);
	dt = cb_now_ms() - t0;
	pthread_join(t, NULL);
	ck_assert_int_ge(dt, 250);
	ck_assert_int_lt(dt, 3000);
	ck_assert_str_eq(err.text, "device hung up (unplugged?)");
	t0 = cb_now_ms();
	hw_adapter_free(hw);
	ck_assert_int_lt(cb_now_ms() - t0, 3000);
	free(data);
}
END_TEST

START_TEST(hang_up_during_break_ends_it_at_once)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	int64_t t0, dt;
	pthread_t t;

	pthread_create(&t, NULL, unplug_later, (void *)(intptr_t)200);
	t0 = cb_now_ms();
	ck_assert_int_eq(hw_send_break(hw, 8000, &err), CB_ECLOSED);
	dt = cb_now_ms() - t0;
	pthread_join(t, NULL);
	ck_assert_int_lt(dt, 3000);
	ck_assert_str_eq(err.text, "device hung up (unplugged?)");
	hw_adapter_free(hw);
}
END_TEST

START_TEST(hang_up_reaches_the_console_as_closed)
{
	struct hw_adapter *hw = open_tty();
	struct cb_error err = {0};
	struct console con;
	regex_t re;
	const regex_t *res[] = {&re};
	int64_t t0;
	pthread_t t;
	int which;

	ck_assert_int_eq(regcomp(&re, "login: $", REG_EXTENDED | REG_NEWLINE),
			 0);
	console_init(&con, hw);
	device_says("booting...\r\n");
	pthread_create(&t, NULL, unplug_later, (void *)(intptr_t)200);
	t0 = cb_now_ms();
	ck_assert_int_eq(console_expect(&con, res, 1, 10000, &which, NULL,
					&err),
			 CB_ECLOSED);
	ck_assert_int_lt(cb_now_ms() - t0, 3000);
	pthread_join(t, NULL);
	ck_assert_str_eq(err.text, "device hung up (unplugged?)");
	console_release(&con);
	regfree(&re);
	hw_adapter_free(hw);
}
END_TEST

static Suite *tty_suite(void)
{
	Suite *s = suite_create("tty");
	TCase *tc = tcase_create("pty");

	tcase_add_checked_fixture(tc, pty_setup, pty_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, read_returns_what_the_device_sent);
	tcase_add_test(tc, read_times_out_at_its_deadline);
	tcase_add_test(tc, write_reaches_the_device_unchanged);
	tcase_add_test(tc, open_errors_name_the_problem);
	tcase_add_test(tc, flood_without_newline_hits_the_ceiling);
	tcase_add_test(tc, expect_picks_the_earliest_match_and_survives_nul);
	tcase_add_test(tc, login_tells_accepted_from_refused);
	tcase_add_test(tc, silent_device_is_a_timeout_not_a_refusal);
	suite_add_tcase(s, tc);

	tc = tcase_create("line");
	tcase_add_checked_fixture(tc, pty_setup, pty_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, every_standard_rate_round_trips);
	tcase_add_test(tc, custom_rates_go_through_termios2);
	tcase_add_test(tc, every_framing_applies_and_reads_back);
	tcase_add_test(tc, uri_settings_reach_the_line);
	tcase_add_test(tc, settings_the_driver_drops_are_errors);
	tcase_add_test(tc, line_format_names_the_settings);
	tcase_add_loop_test(tc, bad_line_settings_are_refused, 0,
			    (int)(sizeof(bad_uris) / sizeof(*bad_uris)));
	tcase_add_test(tc, bad_run_time_settings_are_refused);
	tcase_add_test(tc, break_holds_the_line_for_its_duration);
	suite_add_tcase(s, tc);

	tc = tcase_create("exclusive");
	tcase_add_checked_fixture(tc, pty_setup, pty_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, second_open_is_refused_until_the_first_closes);
	tcase_add_test(tc, a_flock_held_elsewhere_refuses_the_open);
	tcase_add_test(tc, tiocexcl_keeps_out_unprivileged_opens);
	suite_add_tcase(s, tc);

	tc = tcase_create("hangup");
	tcase_add_checked_fixture(tc, pty_setup, pty_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, hang_up_is_reported_as_closed);
	tcase_add_test(tc, hang_up_during_read_ends_it_at_once);
	tcase_add_test(tc, hang_up_during_blocked_write_ends_it_at_once);
	tcase_add_test(tc, hang_up_during_break_ends_it_at_once);
	tcase_add_test(tc, hang_up_reaches_the_console_as_closed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tty_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
