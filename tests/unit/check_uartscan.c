/*
 * check_uartscan.c - the debug-console helpers: the prompt classifier
 * with the shipped table (testcases/data/debug-prompts.json), answer
 * clean-up, scoring, escaping and URI rewriting as data-driven cases;
 * then the baud sweep on a real pseudo-terminal, where a responder
 * thread on the master side plays a UART that answers only when the
 * line's termios speed is its own and sends noise otherwise.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/dbgprompt.h"
#include "harness/uartscan.h"
#include "hw-adapters/hw.h"

#define TABLE_FILE "testcases/data/debug-prompts.json"

/* ---- the classifier -------------------------------------------------- */

static struct dbgprompt_set prompts;

static void prompts_setup(void)
{
	struct cb_error err = {0};
	json_error_t jerr;
	json_t *data = json_load_file(TABLE_FILE, 0, &jerr);

	ck_assert_msg(data != NULL, "%s: %s", TABLE_FILE, jerr.text);
	ck_assert_msg(dbgprompt_load_json(data, &prompts, &err) == CB_OK,
		      "%s", err.text);
	json_decref(data);
}

static void prompts_teardown(void)
{
	dbgprompt_release(&prompts);
}

static const struct {
	const char *text;
	enum dbgprompt_kind kind;
	const char *id;
} classify_cases[] = {
	{"\r\nroot@simdut:/# ", DBGP_SHELL, "root-shell-named"},
	{"root@cam:~# ls\r\nbin etc\r\nroot@cam:~# \0\0", DBGP_SHELL,
	 "root-shell-named"},
	{"\r\nBusyBox v1.31.1 built-in shell (ash)\r\n\r\n/ # ", DBGP_SHELL,
	 "root-shell"},
	{"\r\n#", DBGP_SHELL, "root-shell"},
	{"user@cam:~$ ", DBGP_SHELL, "user-shell"},
	{"\r\n=> ", DBGP_BOOTLOADER, "uboot"},
	{"U-Boot 2019.07\r\nHit any key to stop autoboot:  0 \r\n=> ",
	 DBGP_BOOTLOADER, "uboot"},
	{"Hit any key to stop autoboot:  2 ", DBGP_BOOTLOADER, "autoboot"},
	{"\r\nar7240> ", DBGP_BOOTLOADER, "uboot-named"},
	{"\r\nCFE> ", DBGP_BOOTLOADER, "cfe"},
	{"RedBoot> ", DBGP_BOOTLOADER, "redboot"},
	{"\r\nmon> ", DBGP_MONITOR, "monitor"},
	{"\r\nsimdut login: ", DBGP_LOGIN, "login"},
	{"\r\nLogin incorrect\r\nsimdut login: ", DBGP_LOGIN, "login"},
	{"Username:", DBGP_LOGIN, "login"},
	{"Password: ", DBGP_PASSWORD, "password"},
	{"Password: \r\nPassword incorrect\r\nPassword: ", DBGP_PASSWORD,
	 "password"},
	{"Enter passphrase for autoboot: ", DBGP_PASSWORD, "password"},
	/* A login prompt that scrolled past decides nothing. */
	{"simdut login: root\r\nPassword: \r\nroot@simdut:~# ", DBGP_SHELL,
	 "root-shell-named"},
	{"[    0.000000] Booting Linux on physical CPU 0x0\r\n", DBGP_NONE,
	 NULL},
	{"\r\nLogin incorrect\r\n", DBGP_NONE, NULL},
	{"", DBGP_NONE, NULL},
};

START_TEST(classify_finds_the_prompt_at_the_end)
{
	const char *t = classify_cases[_i].text;
	size_t n = strlen(t);
	struct dbgprompt_match m;

	if (_i == 1)
		n += 2;	/* the two NULs after the prompt */
	ck_assert_msg(dbgprompt_classify(&prompts, t, n, &m) ==
			      classify_cases[_i].kind,
		      "case %d: kind %s", _i, dbgprompt_kind_name(m.kind));
	if (classify_cases[_i].id)
		ck_assert_str_eq(m.id, classify_cases[_i].id);
	else
		ck_assert_ptr_null(m.id);
}
END_TEST

START_TEST(refusals_are_found_anywhere)
{
	static const char yes[] = "\r\nPassword incorrect\r\nPassword: ";
	static const char no[] =
		"go\r\nUnknown command 'go' - try 'help'\r\n=> ";

	ck_assert(dbgprompt_refused(&prompts, yes, sizeof(yes) - 1));
	ck_assert(dbgprompt_refused(&prompts, "Login incorrect", 15));
	ck_assert(dbgprompt_refused(&prompts, "ls: Permission denied", 21));
	ck_assert(!dbgprompt_refused(&prompts, no, sizeof(no) - 1));
	/* Refusals never classify: only the prompt does. */
	ck_assert_int_eq(dbgprompt_classify(&prompts, "Access denied", 13,
					    NULL),
			 DBGP_NONE);
}
END_TEST

static const struct {
	const char *cmd, *answer, *output;
} output_cases[] = {
	{"id", "id\r\nuid=0(root) gid=0(root)\r\nroot@simdut:/# ",
	 "uid=0(root) gid=0(root)"},
	{"id", "\r\nuid=0(root) gid=0(root)\r\n# ", "uid=0(root) gid=0(root)"},
	{"version", "version\r\n=> ", ""},
	{"version", "version", ""},
	{"version", "", ""},
	{"help", "help\r\nboot - start\r\nmd   - memory\r\n=> ",
	 "boot - start\nmd   - memory"},
	{"version", "\r\nPassword incorrect\r\nPassword: ",
	 "Password incorrect"},
	{"id", "idle\r\n# ", "idle"},	/* not an echo of "id" */
	{"id", "id\r\n\x80\x81uid=0\r\n", "uid=0"},
};

START_TEST(output_drops_the_echo_and_the_prompt)
{
	char out[128];
	size_t n;

	n = dbgprompt_output(output_cases[_i].cmd, output_cases[_i].answer,
			     strlen(output_cases[_i].answer), out, sizeof(out));
	ck_assert_str_eq(out, output_cases[_i].output);
	ck_assert_uint_eq(n, strlen(output_cases[_i].output));
}
END_TEST

START_TEST(output_is_cut_to_fit)
{
	char out[8];

	ck_assert_uint_eq(dbgprompt_output("id", "id\nuid=0(root) x\n# ", 19,
					   out, sizeof(out)),
			  13);
	ck_assert_str_eq(out, "uid=0(r");
}
END_TEST

static const struct {
	const char *json, *error;
} load_cases[] = {
	{"[]", "prompt table: not an object"},
	{"{\"name\": \"t\", \"prompts\": [], \"x\": 1}",
	 "prompt table: unknown key 'x'"},
	{"{\"name\": \"t\", \"prompts\": []}",
	 "prompt table needs a name and a non-empty prompts array"},
	{"{\"name\": \"t\", \"prompts\": [{\"kind\": \"shell\"}]}",
	 "prompt 1: needs an id of 1 to 47 bytes"},
	{"{\"name\": \"t\", \"prompts\": [{\"id\": \"a\", \"kind\": \"shell\", "
	 "\"regex\": \"# $\", \"what\": \"w\", \"flags\": 1}]}",
	 "prompt a: unknown key 'flags'"},
	{"{\"name\": \"t\", \"prompts\": [{\"id\": \"a\", \"kind\": \"sh\", "
	 "\"regex\": \"# $\", \"what\": \"w\"}]}",
	 "prompt a: kind must be shell, bootloader, monitor, login, password "
	 "or refusal"},
	{"{\"name\": \"t\", \"prompts\": [{\"id\": \"a\", \"kind\": \"shell\", "
	 "\"regex\": \"# $\"}]}",
	 "prompt a: needs a one-line \"what\""},
	{"{\"name\": \"t\", \"prompts\": [{\"id\": \"a\", \"kind\": \"shell\", "
	 "\"regex\": \"(\", \"what\": \"w\"}]}",
	 "prompt a: bad regex: "},
	{"{\"name\": \"t\", \"prompts\": [{\"id\": \"a\", \"kind\": \"shell\", "
	 "\"regex\": \"#\", \"what\": \"w\"}, {\"id\": \"a\", \"kind\": "
	 "\"login\", \"regex\": \":\", \"what\": \"w\"}]}",
	 "prompt a: duplicate id"},
};

START_TEST(bad_tables_are_refused_naming_the_entry)
{
	struct cb_error err = {0};
	struct dbgprompt_set t;
	json_t *data = json_loads(load_cases[_i].json, 0, NULL);

	ck_assert_ptr_nonnull(data);
	ck_assert_int_eq(dbgprompt_load_json(data, &t, &err), CB_EINVAL);
	ck_assert_msg(!strncmp(err.text, load_cases[_i].error,
			       strlen(load_cases[_i].error)),
		      "case %d: '%s'", _i, err.text);
	ck_assert_ptr_null(t.p);
	json_decref(data);
}
END_TEST

/* ---- scoring, escaping, URIs ----------------------------------------- */

START_TEST(scoring_wants_a_few_mostly_printable_bytes)
{
	static const char noise[] = "\xbbg\xe8" "a\xeam\xa7\xbb\x00\x92";
	static const char text[] = "\r\n=> ";

	ck_assert_uint_eq(uartscan_printable(noise, sizeof(noise) - 1), 3);
	ck_assert(!uartscan_readable(sizeof(noise) - 1, 3));
	ck_assert_uint_eq(uartscan_printable(text, 5), 5);
	ck_assert(uartscan_readable(5, 5));
	ck_assert(!uartscan_readable(2, 2));		/* too few */
	ck_assert(uartscan_readable(10, 9));		/* 900/1000 */
	ck_assert(!uartscan_readable(100, 89));
	ck_assert_uint_eq(uartscan_permille(0, 0), 0);
	ck_assert_uint_eq(uartscan_permille(3, 1), 333);
}
END_TEST

START_TEST(escape_is_one_line_and_never_cuts_an_escape)
{
	char out[16];

	uartscan_escape(out, sizeof(out), "a\\b\r\n\t\x80\x00", 8);
	ck_assert_str_eq(out, "a\\\\b\\r\\n\\t\\x80");
	uartscan_escape(out, 6, "ab\x01", 3);
	ck_assert_str_eq(out, "ab");
}
END_TEST

static const struct {
	const char *in, *out;
} uri_cases[] = {
	{"tty:///dev/ttyUSB1", "tty:///dev/ttyUSB1?baud=9600"},
	{"tty:///dev/ttyUSB1?baud=115200", "tty:///dev/ttyUSB1?baud=9600"},
	{"tty:///dev/ttyUSB1?parity=N&baud=115200&stop=1",
	 "tty:///dev/ttyUSB1?parity=N&stop=1&baud=9600"},
	{"ftdi://0403:6001/X?baudrate=1&baud=1", "ftdi://0403:6001/X?"
						 "baudrate=1&baud=9600"},
	{"tty:///dev/x?&&baud", "tty:///dev/x?baud=9600"},
};

START_TEST(uri_gets_exactly_one_baud)
{
	struct cb_error err = {0};
	char out[128];

	ck_assert_int_eq(uartscan_uri(out, sizeof(out), uri_cases[_i].in,
				      9600, &err),
			 CB_OK);
	ck_assert_str_eq(out, uri_cases[_i].out);
}
END_TEST

START_TEST(uri_that_does_not_fit_is_an_error)
{
	struct cb_error err = {0};
	char out[24];

	ck_assert_int_eq(uartscan_uri(out, sizeof(out),
				      "tty:///dev/ttyUSB1?parity=N", 9600,
				      &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, "adapter URI too long to set a baud rate");
}
END_TEST

/* ---- the sweep on a pty --------------------------------------------- */

enum uart_mode { UART_PROMPT, UART_SILENT, UART_FLOOD, UART_NOISE };

static int master = -1, slave = -1;
static char slave_path[64];
static pthread_t uart_thread;
static int uart_running;
static volatile int uart_stop;
static enum uart_mode uart_mode;
static speed_t uart_speed;

static void uart_put(const char *s, size_t n)
{
	if (write(master, s, n) < 0)
		return;	/* the test notices what is missing */
}

/* Noise the length of what would have been said. */
static void uart_noise(size_t n)
{
	char buf[64];
	size_t i;

	if (n > sizeof(buf))
		n = sizeof(buf);
	for (i = 0; i < n; i++)
		buf[i] = (char)(i % 3 ? 0x80 | ((i * 37) & 0x7f) : 0);
	uart_put(buf, n);
}

/*
 * The device: a U-Boot-like prompt at uart_speed.  It looks at the
 * speed on its own side (the slave's termios, shared with the adapter).
 */
static void *uart_main(void *arg)
{
	char in[256], line[64];
	size_t len = 0;
	struct pollfd p = {.fd = master, .events = POLLIN};
	struct termios tio;
	int last_cr = 0, crlf;
	ssize_t n, i;

	(void)arg;
	while (!uart_stop) {
		if (uart_mode == UART_FLOOD) {
			memset(in, 'A', sizeof(in));
			while (!uart_stop && write(master, in, sizeof(in)) > 0)
				;
		}
		if (poll(&p, 1, uart_mode == UART_FLOOD ? 1 : 10) <= 0 ||
		    !(p.revents & POLLIN))
			continue;
		n = read(master, in, sizeof(in));
		if (n <= 0 || uart_mode != UART_PROMPT)
			continue;
		if (tcgetattr(slave, &tio) || cfgetospeed(&tio) != uart_speed) {
			uart_noise((size_t)n + 3);
			continue;
		}
		for (i = 0; i < n; i++) {
			crlf = in[i] == '\n' && last_cr;
			last_cr = in[i] == '\r';
			if (crlf)
				continue;
			if (in[i] != '\r' && in[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = in[i];
				continue;
			}
			line[len] = '\0';
			if (!strcmp(line, "version"))
				uart_put("version\r\nU-Boot 2019.07 test\r\n",
					 30);
			len = 0;
			uart_put("\r\n=> ", 5);
		}
	}
	return NULL;
}

static void uart_start(enum uart_mode mode, speed_t speed)
{
	uart_mode = mode;
	uart_speed = speed;
	uart_stop = 0;
	if (mode == UART_FLOOD)
		fcntl(master, F_SETFL, O_NONBLOCK);
	ck_assert_int_eq(pthread_create(&uart_thread, NULL, uart_main, NULL),
			 0);
	uart_running = 1;
}

static void pty_setup(void)
{
	struct termios tio;

	ck_assert_int_eq(openpty(&master, &slave, slave_path, NULL, NULL), 0);
	/* Raw from the start, as a UART is; the slave stays open (simdut
	 * does the same) so the master never sees a hang-up. */
	ck_assert_int_eq(tcgetattr(slave, &tio), 0);
	cfmakeraw(&tio);
	ck_assert_int_eq(tcsetattr(slave, TCSANOW, &tio), 0);
	uart_running = 0;
}

static void pty_teardown(void)
{
	if (uart_running) {
		uart_stop = 1;
		pthread_join(uart_thread, NULL);
		uart_running = 0;
	}
	close(master);
	close(slave);
	master = slave = -1;
}

static unsigned opens;
static char last_open[128];

static void count_opens(void *ctx, const struct hw_event *ev)
{
	(void)ctx;
	if (ev->kind != HW_EV_OPEN)
		return;
	opens++;
	snprintf(last_open, sizeof(last_open), "%s", ev->hw->uri);
}

static const unsigned three[] = {115200, 57600, 9600};

static struct uartscan_opts sweep_opts(char *uri, size_t size)
{
	snprintf(uri, size, "tty://%s?baud=38400", slave_path);
	opens = 0;
	return (struct uartscan_opts){
		.uri = uri,
		.label = "s1.debug-uart",
		.bauds = three,
		.nbauds = 3,
		.listen_ms = 100,
		.tap = count_opens,
	};
}

START_TEST(sweep_stops_at_the_rate_that_reads)
{
	struct cb_error err = {0};
	struct uartscan s;
	struct cb_buf ans;
	char uri[128];
	struct uartscan_opts o = sweep_opts(uri, sizeof(uri));

	uart_start(UART_PROMPT, B57600);
	uartscan_init(&s);
	ck_assert_int_eq(uartscan_sweep(&s, &o, &err), CB_OK);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(opens, 2);
	ck_assert_ptr_nonnull(strstr(last_open, "?baud=57600"));
	ck_assert_ptr_null(strstr(last_open, "38400"));
	ck_assert_int_eq(s.found, 1);
	ck_assert_uint_eq(s.rate[0].baud, 115200);
	ck_assert_uint_ge(s.rate[0].received, UARTSCAN_MIN_BYTES);
	ck_assert(!s.rate[0].readable);
	ck_assert_uint_eq(s.rate[0].head[0], '\\');	/* \x00... */
	ck_assert(s.rate[1].readable);
	ck_assert_str_eq(s.rate[1].head, "\\r\\n=> \\r\\n=> ");
	ck_assert_ptr_nonnull(s.hw);
	ck_assert_int_eq(dbgprompt_classify(&prompts, s.text.data, s.text.len,
					    NULL),
			 DBGP_BOOTLOADER);
	cb_buf_init(&ans, UARTSCAN_RX_MAX);
	ck_assert_int_eq(uartscan_ask(&s, "version", &ans, &err), CB_OK);
	ck_assert_str_eq(ans.data, "version\r\nU-Boot 2019.07 test\r\n\r\n=> ");
	cb_buf_release(&ans);
	uartscan_release(&s);
	ck_assert_ptr_null(s.hw);
}
END_TEST

START_TEST(silent_line_is_swept_to_its_end_within_deadlines)
{
	struct cb_error err = {0};
	struct uartscan s;
	char uri[128];
	struct uartscan_opts o = sweep_opts(uri, sizeof(uri));
	int64_t t0 = cb_now_ms(), dt;
	size_t k;

	uart_start(UART_SILENT, B57600);
	uartscan_init(&s);
	ck_assert_int_eq(uartscan_sweep(&s, &o, &err), CB_OK);
	dt = cb_now_ms() - t0;
	ck_assert_int_eq(s.found, -1);
	ck_assert_uint_eq(s.n, 3);
	for (k = 0; k < 3; k++) {
		ck_assert_uint_eq(s.rate[k].baud, three[k]);
		ck_assert_uint_eq(s.rate[k].received, 0);
		ck_assert_str_eq(s.rate[k].head, "");
	}
	ck_assert_int_ge(dt, 3 * 90);
	ck_assert_int_lt(dt, 3 * 100 + 700);
	ck_assert_ptr_null(s.hw);
	uartscan_release(&s);
}
END_TEST

START_TEST(noise_at_every_rate_is_readable_at_none)
{
	struct cb_error err = {0};
	struct uartscan s;
	char uri[128];
	struct uartscan_opts o = sweep_opts(uri, sizeof(uri));

	uart_start(UART_PROMPT, B1200); /* a rate the sweep never tries */
	uartscan_init(&s);
	ck_assert_int_eq(uartscan_sweep(&s, &o, &err), CB_OK);
	ck_assert_int_eq(s.found, -1);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_ge(s.rate[2].received, UARTSCAN_MIN_BYTES);
	ck_assert(!s.rate[2].readable);
	uartscan_release(&s);
}
END_TEST

START_TEST(flood_stops_at_the_ceiling)
{
	struct cb_error err = {0};
	struct uartscan s;
	char uri[128];
	struct uartscan_opts o = sweep_opts(uri, sizeof(uri));
	int64_t t0 = cb_now_ms();

	uart_start(UART_FLOOD, B57600);
	uartscan_init(&s);
	ck_assert_int_eq(uartscan_sweep(&s, &o, &err), CB_OK);
	ck_assert_int_lt(cb_now_ms() - t0, 3000);
	ck_assert_int_eq(s.found, 0);	/* 'A's are readable, at 115200 */
	ck_assert_uint_eq(s.rate[0].received, UARTSCAN_RX_MAX);
	ck_assert_uint_eq(s.text.len, UARTSCAN_RX_MAX);
	uartscan_release(&s);
}
END_TEST

START_TEST(adapter_that_cannot_open_is_a_bench_error)
{
	struct cb_error err = {0};
	struct uartscan s;
	struct uartscan_opts o = {
		.uri = "tty:///dev/no-such-uart",
		.bauds = three,
		.nbauds = 3,
		.listen_ms = 100,
	};

	uartscan_init(&s);
	ck_assert_int_eq(uartscan_sweep(&s, &o, &err), CB_ENODEV);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_str_eq(err.source, "tty:///dev/no-such-uart?baud=115200");
	uartscan_release(&s);
	cb_error_clear(&err);
	o.nbauds = 0;
	ck_assert_int_eq(uartscan_sweep(&s, &o, &err), CB_EINVAL);
}
END_TEST

static Suite *uartscan_suite(void)
{
	Suite *s = suite_create("uartscan");
	TCase *tc = tcase_create("prompts");
	TCase *pty = tcase_create("sweep");

	tcase_add_checked_fixture(tc, prompts_setup, prompts_teardown);
	tcase_add_loop_test(tc, classify_finds_the_prompt_at_the_end, 0,
			    sizeof(classify_cases) / sizeof(classify_cases[0]));
	tcase_add_test(tc, refusals_are_found_anywhere);
	tcase_add_loop_test(tc, output_drops_the_echo_and_the_prompt, 0,
			    sizeof(output_cases) / sizeof(output_cases[0]));
	tcase_add_test(tc, output_is_cut_to_fit);
	tcase_add_loop_test(tc, bad_tables_are_refused_naming_the_entry, 0,
			    sizeof(load_cases) / sizeof(load_cases[0]));
	tcase_add_test(tc, scoring_wants_a_few_mostly_printable_bytes);
	tcase_add_test(tc, escape_is_one_line_and_never_cuts_an_escape);
	tcase_add_loop_test(tc, uri_gets_exactly_one_baud, 0,
			    sizeof(uri_cases) / sizeof(uri_cases[0]));
	tcase_add_test(tc, uri_that_does_not_fit_is_an_error);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(pty, prompts_setup, prompts_teardown);
	tcase_add_checked_fixture(pty, pty_setup, pty_teardown);
	tcase_set_timeout(pty, 20);
	tcase_add_test(pty, sweep_stops_at_the_rate_that_reads);
	tcase_add_test(pty, silent_line_is_swept_to_its_end_within_deadlines);
	tcase_add_test(pty, noise_at_every_rate_is_readable_at_none);
	tcase_add_test(pty, flood_stops_at_the_ceiling);
	tcase_add_test(pty, adapter_that_cannot_open_is_a_bench_error);
	suite_add_tcase(s, pty);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(uartscan_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
