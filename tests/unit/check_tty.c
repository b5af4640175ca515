/*
 * check_tty.c - the tty adapter and the console logic on a real
 * pseudo-terminal: this test holds the master side and plays the device.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/console.h"
#include "hw-adapters/hw.h"

static int master = -1;
static char slave_uri[128];

static void pty_setup(void)
{
	char name[64];
	int slave;

	ck_assert_int_eq(openpty(&master, &slave, name, NULL, NULL), 0);
	close(slave); /* the adapter opens it by name, like a real device */
	snprintf(slave_uri, sizeof(slave_uri), "tty://%s?baud=115200", name);
}

static void pty_teardown(void)
{
	if (master >= 0)
		close(master);
	master = -1;
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

START_TEST(bad_line_settings_are_refused)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;
	char uri[160];

	snprintf(uri, sizeof(uri), "%s&parity=X", slave_uri);
	ck_assert_int_eq(hw_adapter_open(&hw, NULL, uri, NULL, NULL, NULL,
					 &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, "parity must be N, E or O, not 'X'");
	cb_error_clear(&err);
	snprintf(uri, sizeof(uri), "%s", slave_uri);
	strcpy(strstr(uri, "115200"), "12345");
	ck_assert_int_eq(hw_adapter_open(&hw, NULL, uri, NULL, NULL, NULL,
					 &err),
			 CB_EINVAL);
	ck_assert_str_eq(err.text, "unsupported baud rate 12345");
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

static Suite *tty_suite(void)
{
	Suite *s = suite_create("tty");
	TCase *tc = tcase_create("pty");

	tcase_add_checked_fixture(tc, pty_setup, pty_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, read_returns_what_the_device_sent);
	tcase_add_test(tc, read_times_out_at_its_deadline);
	tcase_add_test(tc, write_reaches_the_device_unchanged);
	tcase_add_test(tc, hang_up_is_reported_as_closed);
	tcase_add_test(tc, open_errors_name_the_problem);
	tcase_add_test(tc, bad_line_settings_are_refused);
	tcase_add_test(tc, flood_without_newline_hits_the_ceiling);
	tcase_add_test(tc, expect_picks_the_earliest_match_and_survives_nul);
	tcase_add_test(tc, login_tells_accepted_from_refused);
	tcase_add_test(tc, silent_device_is_a_timeout_not_a_refusal);
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
