/*
 * check_ftdi.c - the ftdi adapter against an FT232R emulated at the
 * usbdevfs level (tests/unit/ftdiemu.c): the real libusb and libftdi1 run,
 * only the chip is simulated.  The program re-executes itself under
 * umockdev's preload library.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "hw-adapters/hw.h"
#include "tests/unit/ftdiemu.h"

#ifdef HAVE_LIBFTDI
#include <ftdi.h>
#include <getopt.h>

#include "harness/cli.h"
#include "hw-adapters/ftdi.h"

#define SERIAL "FTEMU001"
#define URI "ftdi://0403:6001/" SERIAL
#define LATENCY 16
#define FT232R_TOLERANCE 0.03	/* the chip's baud error budget */

static struct ftdiemu *emu;

static void emu_setup(void)
{
	emu = ftdiemu_new(SERIAL);
	ck_assert_msg(emu != NULL, "cannot build the emulated FT232R");
}

static void emu_teardown(void)
{
	ftdiemu_free(emu);
	emu = NULL;
}

static struct hw_adapter *open_ok(const char *uri)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;
	int rc = hw_adapter_open(&hw, NULL, uri, "dut", NULL, NULL, &err);

	ck_assert_msg(rc == CB_OK, "open %s: %s", uri, err.text);
	return hw;
}

/* Does the divisor the chip holds make req bits/s within tolerance? */
static int baud_within(unsigned req, unsigned value, unsigned index)
{
	double got;

	if (ftdiemu_decode_baud(value, index, &got))
		return 0;
	return fabs(got - req) / req <= FT232R_TOLERANCE;
}

START_TEST(open_by_serial_purges_and_sets_the_line)
{
	struct hw_adapter *hw = open_ok(URI "?baud=115200&latency=4");
	unsigned value = 0, index = 0;

	ck_assert(ftdiemu_baud_raw(emu, &value, &index));
	ck_assert(baud_within(115200, value, index));
	ck_assert_uint_ge(ftdiemu_purges(emu), 2);	/* RX and TX */
	ck_assert_uint_eq(ftdiemu_latency(emu), 4);
	ck_assert_uint_eq(ftdiemu_line(emu), 8);	/* 8N1 */
	ck_assert_uint_eq(ftdiemu_flow(emu), 0);
	ck_assert(hw_has(hw, HW_CAP_STREAM | HW_CAP_LINE));
	ck_assert(!hw_has(hw, HW_CAP_POWER));
	ck_assert(!hw_has(hw, HW_CAP_RESET));
	hw_adapter_free(hw);
}
END_TEST

START_TEST(open_with_line_options)
{
	struct hw_adapter *hw = open_ok(URI "?baud=9600&bits=7&parity=E"
					    "&stop=2&flow=rtscts");

	/* SIO_SET_DATA: bits in the low byte, parity << 8, stop << 11 */
	ck_assert_uint_eq(ftdiemu_line(emu), 7 | 2 << 8 | 2 << 11);
	ck_assert_uint_eq(ftdiemu_flow(emu), 0x100);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(wrong_serial_is_refused)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;

	ck_assert_int_eq(hw_adapter_open(&hw, NULL, "ftdi://0403:6001/NOPE42",
					 "dut", NULL, NULL, &err),
			 CB_ENODEV);
	ck_assert_ptr_null(hw);
	ck_assert_msg(strstr(err.text, "NOPE42") &&
			      strstr(err.text, "0403:6001"),
		      "unclear: %s", err.text);
}
END_TEST

START_TEST(bad_uris_are_refused)
{
	static const char *const bad[] = {
		"ftdi://0403/X", "ftdi://xyz:6001/X", URI "?bits=5",
		URI "?reset=cbus9", URI "?reset=cbus0&power=adbus4",
		URI "?interface=E", URI "?active=middle",
	};
	struct cb_error err;
	struct hw_adapter *hw;
	size_t k;

	for (k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
		memset(&err, 0, sizeof(err));
		hw = NULL;
		ck_assert_msg(hw_adapter_open(&hw, NULL, bad[k], "dut", NULL,
					      NULL, &err) == CB_EINVAL,
			      "%s accepted (%s)", bad[k], err.text);
		ck_assert_ptr_null(hw);
	}
}
END_TEST

START_TEST(baud_divisors_decode_to_the_rate)
{
	static const unsigned rates[] = {9600, 57600, 115200};
	struct hw_adapter *hw = open_ok(URI);
	struct hw_line line = {.data_bits = 8, .stop_bits = 1,
			       .parity = 'N'};
	struct cb_error err = {0};
	unsigned value, index;
	size_t k;

	for (k = 0; k < sizeof(rates) / sizeof(*rates); k++) {
		line.baud = rates[k];
		ck_assert_int_eq(hw_set_line(hw, &line, &err), CB_OK);
		ck_assert(ftdiemu_baud_raw(emu, &value, &index));
		ck_assert_msg(baud_within(rates[k], value, index),
			      "%u baud sent as %#x/%#x", rates[k], value,
			      index);
	}
	/* 9600 needs the half-step fraction: 312.5 = 0x138 | 0x4000 */
	line.baud = 9600;
	ck_assert_int_eq(hw_set_line(hw, &line, &err), CB_OK);
	ck_assert(ftdiemu_baud_raw(emu, &value, &index));
	ck_assert_uint_eq(value, 0x4138);
	ck_assert_uint_eq(index, 0);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(a_wrong_divisor_is_detected)
{
	double b;

	/* 115200's divisor where 9600 was asked, the fraction dropped,
	 * an H-type (120 MHz) encoding, and encodings the chip rejects */
	ck_assert(!baud_within(9600, 26, 0));
	ck_assert(baud_within(9600, 0x4138, 0));
	ck_assert(!baud_within(9600, 0x4138, 0x200));
	ck_assert(!baud_within(115200, 0x34, 0));
	ck_assert_int_eq(ftdiemu_decode_baud(0x4001, 0, &b), -1);
	ck_assert_int_eq(ftdiemu_decode_baud(0, 0, &b), 0);
	ck_assert(fabs(b - 3000000) < 1);
}
END_TEST

START_TEST(read_times_out_at_its_deadline)
{
	struct hw_adapter *hw = open_ok(URI);
	struct cb_error err = {0};
	int64_t t0 = cb_now_ms(), dt;
	char buf[16];
	size_t n = 99;

	ck_assert_int_eq(hw_read(hw, buf, sizeof(buf), 300, &n, &err),
			 CB_ETIMEOUT);
	dt = cb_now_ms() - t0;
	ck_assert_uint_eq(n, 0);
	ck_assert_int_ge(dt, 300);
	ck_assert_int_le(dt, 300 + LATENCY + 1000); /* bounded, not speed */
	hw_adapter_free(hw);
}
END_TEST

START_TEST(write_reaches_the_device)
{
	struct hw_adapter *hw = open_ok(URI);
	struct cb_error err = {0};
	char big[5000], got[6000];
	size_t k, n;

	ck_assert_int_eq(hw_write(hw, "root\r\n", 6, 1000, &err), CB_OK);
	ck_assert_uint_eq(ftdiemu_take(emu, got, sizeof(got)), 6);
	ck_assert(!memcmp(got, "root\r\n", 6));
	for (k = 0; k < sizeof(big); k++)
		big[k] = (char)('a' + k % 26);
	ck_assert_int_eq(hw_write(hw, big, sizeof(big), 1000, &err), CB_OK);
	n = ftdiemu_take(emu, got, sizeof(got));
	ck_assert_uint_eq(n, sizeof(big));
	ck_assert(!memcmp(got, big, sizeof(big)));
	hw_adapter_free(hw);
}
END_TEST

START_TEST(read_strips_status_bytes_across_packets)
{
	struct hw_adapter *hw = open_ok(URI);
	struct cb_error err = {0};
	unsigned char sent[300], got[400];
	size_t k, have = 0, n;

	/* include the status byte values themselves in the payload */
	for (k = 0; k < sizeof(sent); k++)
		sent[k] = (unsigned char)(k * 7 + 1);
	sent[0] = 0x01;
	sent[1] = 0x60;
	ftdiemu_feed(emu, sent, sizeof(sent));	/* 5 packets of 62 */
	while (have < sizeof(sent)) {
		n = 0;
		ck_assert_int_eq(hw_read(hw, got + have, sizeof(got) - have,
					 1000, &n, &err),
				 CB_OK);
		have += n;
	}
	ck_assert_uint_eq(have, sizeof(sent));
	ck_assert(!memcmp(got, sent, sizeof(sent)));
	n = 0;
	ck_assert_int_eq(hw_read(hw, got, sizeof(got), 100, &n, &err),
			 CB_ETIMEOUT);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(small_reads_keep_the_rest)
{
	struct hw_adapter *hw = open_ok(URI);
	struct cb_error err = {0};
	char got[8];
	size_t n = 0;

	ftdiemu_feed(emu, "login: ", 7);
	ck_assert_int_eq(hw_read(hw, got, 3, 1000, &n, &err), CB_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert(!memcmp(got, "log", 3));
	ck_assert_int_eq(hw_read(hw, got, sizeof(got), 1000, &n, &err),
			 CB_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert(!memcmp(got, "in: ", 4));
	hw_adapter_free(hw);
}
END_TEST

START_TEST(reset_is_a_pulse_of_the_right_polarity_and_length)
{
	struct hw_adapter *hw = open_ok(
		URI "?reset=cbus0&active=low&pulse_ms=300&settle_ms=20");
	struct ftdiemu_pin_event ev[8];
	struct cb_error err = {0};
	int64_t held;
	size_t n;

	ck_assert(hw_has(hw, HW_CAP_RESET));
	ck_assert(!hw_has(hw, HW_CAP_POWER));
	/* open: CBUS0 an output, released (high for active-low) */
	n = ftdiemu_pins(emu, ev, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ev[0].mode, 0x20);
	ck_assert_uint_eq(ev[0].mask, 0x11);
	ck_assert_int_eq(hw_reset(hw, &err), CB_OK);
	n = ftdiemu_pins(emu, ev, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(ev[1].mask, 0x10);	/* asserted: low */
	ck_assert_uint_eq(ev[2].mask, 0x11);	/* released: high */
	held = (ev[2].t_us - ev[1].t_us) / 1000;
	/* a pulse twice as long as asked fails; slack for a loaded host */
	ck_assert_int_ge(held, 300);
	ck_assert_int_lt(held, 2 * 300);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(power_cycle_holds_levels)
{
	struct hw_adapter *hw = open_ok(
		URI "?power=cbus1&reset=cbus2&active=high&pulse_ms=40"
		    "&settle_ms=10");
	struct ftdiemu_pin_event ev[8];
	struct cb_error err = {0};
	int64_t off;
	size_t n;

	ck_assert(hw_has(hw, HW_CAP_POWER | HW_CAP_RESET));
	n = ftdiemu_pins(emu, ev, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ev[0].mask, 0x62);	/* on; reset released */
	ck_assert_int_eq(hw_power(hw, 0, &err), CB_OK);
	ck_assert_int_eq(hw_power(hw, 1, &err), CB_OK);
	n = ftdiemu_pins(emu, ev, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(ev[1].mask, 0x60);	/* off, reset untouched */
	ck_assert_uint_eq(ev[2].mask, 0x62);
	off = (ev[2].t_us - ev[1].t_us) / 1000;
	ck_assert_int_ge(off, 40);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(no_pins_no_power)
{
	struct hw_adapter *hw = open_ok(URI);
	struct cb_error err = {0};

	ck_assert_int_eq(hw_power(hw, 0, &err), CB_ENOTSUP);
	ck_assert_int_eq(hw_reset(hw, NULL), CB_ENOTSUP);
	hw_adapter_free(hw);
}
END_TEST

static void *unplug_later(void *arg)
{
	usleep(200 * 1000);
	ftdiemu_unplug(arg);
	return NULL;
}

START_TEST(unplug_mid_read_is_reported)
{
	struct hw_adapter *hw = open_ok(URI);
	struct cb_error err = {0};
	pthread_t th;
	int64_t t0 = cb_now_ms(), dt;
	char buf[16];
	size_t n = 0;

	ck_assert_int_eq(pthread_create(&th, NULL, unplug_later, emu), 0);
	ck_assert_int_eq(hw_read(hw, buf, sizeof(buf), 5000, &n, &err),
			 CB_ECLOSED);
	dt = cb_now_ms() - t0;
	pthread_join(th, NULL);
	ck_assert_msg(strstr(err.text, "unplugged"), "unclear: %s",
		      err.text);
	ck_assert_int_lt(dt, 3000);	/* long before the 5 s deadline */
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(hw_write(hw, "x", 1, 500, &err), CB_ECLOSED);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(list_names_the_chip)
{
	struct hw_ftdi_dev *v = NULL;
	struct cb_error err = {0};
	size_t n = 0;

	ck_assert_int_eq(hw_ftdi_list(&v, &n, &err), CB_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].vid, 0x0403);
	ck_assert_uint_eq(v[0].pid, 0x6001);
	ck_assert_str_eq(v[0].serial, SERIAL);
	ck_assert_str_eq(v[0].manufacturer, "FTDI");
	ck_assert_str_eq(v[0].description, "FT232R USB UART");
	free(v);
}
END_TEST

/* Run 'probe usb ARG' with stdout captured into out. */
static void probe_usb(const char *arg, char *out, size_t cap)
{
	char *argv[] = {"usb", (char *)arg, NULL};
	FILE *tmp = tmpfile();
	int saved = dup(1);
	size_t n;

	ck_assert(tmp && saved >= 0);
	fflush(stdout);
	dup2(fileno(tmp), 1);
	optind = 1;
	ck_assert_int_eq(probe_usb_main(arg ? 2 : 1, argv), 0);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

START_TEST(probe_usb_lists_the_chip)
{
	char out[2048];

	probe_usb(NULL, out, sizeof(out));
	ck_assert_msg(strstr(out, "VID:PID") &&
			      strstr(out, "0403:6001  FTEMU001") &&
			      strstr(out, "FT232R USB UART") &&
			      strstr(out, "ftdi://0403:6001/FTEMU001"),
		      "table: %s", out);
	probe_usb("--json", out, sizeof(out));
	ck_assert_msg(strstr(out, "\"serial\": \"FTEMU001\"") &&
			      strstr(out, "\"vendor_id\": \"0403\"") &&
			      strstr(out, "\"product_id\": \"6001\""),
		      "json: %s", out);
}
END_TEST

/* ---- FT2232H: a console channel and an MPSSE channel for the pins ---- */

#define H_SERIAL "FTHEMU01"
#define H_URI "ftdi://0403:6010/" H_SERIAL
#define H_MAX_EV 64

static struct ftdiemu_bed *hbed;
static struct ftdiemu *hemu;

static void h_setup(void)
{
	hbed = ftdiemu_bed_new();
	ck_assert_msg(hbed != NULL, "cannot build a umockdev testbed");
	hemu = ftdiemu_bed_add(hbed, FTDIEMU_FT2232H, H_SERIAL);
	ck_assert_msg(hemu != NULL, "cannot build the emulated FT2232H");
}

static void h_teardown(void)
{
	ftdiemu_bed_free(hbed);
	hbed = NULL;
	hemu = NULL;
}

/* One level a pin held from t_us on: 0, 1, or -1 while an input. */
struct pin_step {
	int64_t t_us;
	int level;
};

/*
 * The successive levels of one MPSSE pin on port (hi: ACBUS, else ADBUS)
 * from the chip's record, from the input it is on entering MPSSE mode;
 * returns how many changes there were.
 */
static size_t pin_history(unsigned port, int hi, unsigned bit,
			  struct pin_step *out, size_t cap)
{
	struct ftdiemu_gpio_event ev[H_MAX_EV];
	size_t n = ftdiemu_gpio(hemu, port, ev, H_MAX_EV), k, got = 0;
	int level, last = -1;

	ck_assert_uint_le(n, H_MAX_EV);
	for (k = 0; k < n; k++) {
		level = ev[k].dir[hi] >> bit & 1 ? ev[k].level[hi] >> bit & 1
						 : -1;
		if (level == last)
			continue;
		last = level;
		if (got < cap)
			out[got] = (struct pin_step){ev[k].t_us, level};
		got++;
	}
	return got;
}

/* No MPSSE pin but these was ever an output, and these are now. */
static void only_outputs(unsigned port, uint8_t low, uint8_t high)
{
	struct ftdiemu_gpio_event ev[H_MAX_EV];
	size_t n = ftdiemu_gpio(hemu, port, ev, H_MAX_EV), k;

	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, H_MAX_EV);
	for (k = 0; k < n; k++) {
		ck_assert_uint_eq(ev[k].dir[0] & ~low, 0);
		ck_assert_uint_eq(ev[k].dir[1] & ~high, 0);
	}
	ck_assert_uint_eq(ev[n - 1].dir[0], low);
	ck_assert_uint_eq(ev[n - 1].dir[1], high);
}

/* The console channel still carries bytes both ways at its rate. */
static void console_works(struct hw_adapter *hw, unsigned port)
{
	struct ftdiemu_port_state st;
	struct cb_error err = {0};
	char got[16];
	size_t n = 0;

	ck_assert_int_eq(ftdiemu_port_state(hemu, port, &st), 0);
	ck_assert_msg(fabs(st.rate - 115200) / 115200 <= FT232R_TOLERANCE,
		      "console at %.0f baud (%#x/%#x)", st.rate,
		      st.baud_value, st.baud_index);
	ck_assert_uint_eq(st.line, 8);
	ck_assert_uint_eq(st.mode, 0);		/* still a UART */
	ck_assert_int_eq(hw_write(hw, "root\r", 5, 1000, &err), CB_OK);
	ck_assert_uint_eq(ftdiemu_take_port(hemu, port, got, sizeof(got)), 5);
	ck_assert(!memcmp(got, "root\r", 5));
	ftdiemu_feed_port(hemu, port, "login: ", 7);
	ck_assert_int_eq(hw_read(hw, got, sizeof(got), 1000, &n, &err),
			 CB_OK);
	ck_assert_uint_eq(n, 7);
	ck_assert(!memcmp(got, "login: ", 7));
}

START_TEST(h_baud_divisors_decode)
{
	double b;

	/* libftdi's 115200 on an H chip: 120 MHz / 10 / 104.125 */
	ck_assert_int_eq(ftdiemu_decode_baud_h(0xc068, 0x0201, &b), 0);
	ck_assert(fabs(b - 115246) < 1);
	/* 9600 from the 3 MHz clock, channel B */
	ck_assert_int_eq(ftdiemu_decode_baud_h(0x4138, 0x0002, &b), 0);
	ck_assert(fabs(b - 9600) < 1);
	/* no channel, or one the chip family lacks */
	ck_assert_int_eq(ftdiemu_decode_baud_h(0xc068, 0x0200, &b), -1);
	ck_assert_int_eq(ftdiemu_decode_baud_h(0xc068, 0x0205, &b), -1);
	/* an FT232R has neither the 120 MHz clock nor a channel byte */
	ck_assert_int_eq(ftdiemu_decode_baud(0xc068, 0x0201, &b), -1);
}
END_TEST

START_TEST(h_mpsse_engine_answers_like_the_chip)
{
	static const unsigned char cmd[] = {
		0x80, 0x35, 0x3b,	/* ADBUS: value, direction */
		0x82, 0x04, 0x0f,	/* ACBUS */
		0x86, 0x05, 0x00,	/* clock divisor: accepted, silent */
		0x81, 0x83,		/* read both back */
		0xab,			/* not a command */
		0x87,			/* send immediate */
	};
	static const unsigned char want[] = {0xf5, 0xf4, 0xfa, 0xab};
	struct ftdi_context *c = ftdi_new();
	struct ftdiemu_gpio_event ev[8];
	unsigned char got[16];
	int64_t deadline = cb_now_ms() + 2000;
	int have = 0, n;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(ftdi_set_interface(c, INTERFACE_B), 0);
	ck_assert_int_eq(ftdi_usb_open_desc(c, 0x0403, 0x6010, NULL,
					    H_SERIAL),
			 0);
	ck_assert_int_eq(c->max_packet_size, 512);
	ck_assert_int_eq(ftdi_set_bitmode(c, 0, BITMODE_MPSSE), 0);
	ck_assert_int_eq(ftdi_write_data(c, cmd, sizeof(cmd)),
			 (int)sizeof(cmd));
	while (have < (int)sizeof(want) && cb_now_ms() < deadline) {
		n = ftdi_read_data(c, got + have, (int)sizeof(got) - have);
		ck_assert_int_ge(n, 0);
		have += n;
	}
	ck_assert_int_eq(have, (int)sizeof(want));
	ck_assert(!memcmp(got, want, sizeof(want)));
	/* a command split across two writes is one command */
	ck_assert_int_eq(ftdi_write_data(c, (unsigned char *)"\x80\x01", 2),
			 2);
	ck_assert_uint_eq(ftdiemu_gpio(hemu, 1, ev, 8), 2);
	ck_assert_int_eq(ftdi_write_data(c, (unsigned char *)"\x01", 1), 1);
	ck_assert_uint_eq(ftdiemu_gpio(hemu, 1, ev, 8), 3);
	ck_assert_uint_eq(ev[0].level[0], 0x35);
	ck_assert_uint_eq(ev[0].dir[0], 0x3b);
	ck_assert_uint_eq(ev[1].level[1], 0x04);
	ck_assert_uint_eq(ev[1].dir[1], 0x0f);
	ck_assert_uint_eq(ev[2].level[0], 0x01);
	ck_assert_uint_eq(ev[2].dir[0], 0x01);
	ck_assert_uint_eq(ftdiemu_gpio(hemu, 0, ev, 8), 0);
	ftdi_usb_close(c);
	ftdi_free(c);
}
END_TEST

START_TEST(h_reset_pulse_on_adbus)
{
	struct hw_adapter *hw = open_ok(
		H_URI "?baud=115200&reset=adbus5&active=low&pulse_ms=300"
		      "&settle_ms=10");
	struct ftdiemu_pin_event mode[8];
	struct pin_step p[8];
	struct cb_error err = {0};
	int64_t held;

	ck_assert(hw_has(hw, HW_CAP_RESET));
	ck_assert(!hw_has(hw, HW_CAP_POWER));
	/* channel B is the pins: reset, then MPSSE */
	ck_assert_uint_eq(ftdiemu_pins_port(hemu, 1, mode, 8), 2);
	ck_assert_uint_eq(mode[0].mode, 0x00);
	ck_assert_uint_eq(mode[1].mode, 0x02);
	/* open: ADBUS5 an output, released (high for active-low) */
	ck_assert_uint_eq(pin_history(1, 0, 5, p, 8), 1);
	ck_assert_int_eq(p[0].level, 1);
	ck_assert_int_eq(hw_reset(hw, &err), CB_OK);
	ck_assert_uint_eq(pin_history(1, 0, 5, p, 8), 3);
	ck_assert_int_eq(p[1].level, 0);		/* asserted: low */
	ck_assert_int_eq(p[2].level, 1);		/* released */
	held = (p[2].t_us - p[1].t_us) / 1000;
	ck_assert_int_ge(held, 300);
	ck_assert_int_lt(held, 2 * 300);
	only_outputs(1, 0x20, 0x00);
	console_works(hw, 0);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(h_power_cycle_on_acbus)
{
	struct hw_adapter *hw = open_ok(
		H_URI "?power=acbus2&reset=adbus4&active=high&pulse_ms=300"
		      "&settle_ms=10");
	struct pin_step p[8], r[8];
	struct cb_error err = {0};
	int64_t off;

	ck_assert(hw_has(hw, HW_CAP_POWER | HW_CAP_RESET));
	/* open: ACBUS2 on (high), ADBUS4 released (low) */
	ck_assert_uint_eq(pin_history(1, 1, 2, p, 8), 1);
	ck_assert_int_eq(p[0].level, 1);
	ck_assert_uint_eq(pin_history(1, 0, 4, r, 8), 1);
	ck_assert_int_eq(r[0].level, 0);
	ck_assert_int_eq(hw_power(hw, 0, &err), CB_OK);
	ck_assert_int_eq(hw_power(hw, 1, &err), CB_OK);
	ck_assert_uint_eq(pin_history(1, 1, 2, p, 8), 3);
	ck_assert_int_eq(p[1].level, 0);
	ck_assert_int_eq(p[2].level, 1);
	off = (p[2].t_us - p[1].t_us) / 1000;
	ck_assert_int_ge(off, 300);
	ck_assert_int_lt(off, 2 * 300);
	ck_assert_uint_eq(pin_history(1, 0, 4, r, 8), 1); /* untouched */
	only_outputs(1, 0x10, 0x04);
	console_works(hw, 0);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(h_console_on_b_pins_on_a)
{
	struct hw_adapter *hw = open_ok(
		H_URI "?interface=B&reset=acbus7&active=low&pulse_ms=20"
		      "&settle_ms=0");
	struct pin_step p[8];
	struct cb_error err = {0};

	ck_assert_int_eq(hw_reset(hw, &err), CB_OK);
	ck_assert_uint_eq(pin_history(0, 1, 7, p, 8), 3);
	ck_assert_int_eq(p[0].level, 1);
	ck_assert_int_eq(p[1].level, 0);
	ck_assert_int_eq(p[2].level, 1);
	only_outputs(0, 0x00, 0x80);
	ck_assert_uint_eq(ftdiemu_gpio(hemu, 1, NULL, 0), 0);
	console_works(hw, 1);
	hw_adapter_free(hw);
}
END_TEST

START_TEST(h_gpio_channel_must_differ)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;

	ck_assert_int_eq(hw_adapter_open(&hw, NULL,
					 H_URI "?reset=adbus1&gpio=A", "dut",
					 NULL, NULL, &err),
			 CB_EINVAL);
	ck_assert_ptr_null(hw);
}
END_TEST

/* A pin the chip lacks switches nothing: refused, naming the chip. */
static void pins_refused(const char *uri, const char *want)
{
	struct cb_error err = {0};
	struct hw_adapter *hw = NULL;

	ck_assert_int_eq(hw_adapter_open(&hw, NULL, uri, "dut", NULL, NULL,
					 &err),
			 CB_EINVAL);
	ck_assert_ptr_null(hw);
	ck_assert_msg(strstr(err.text, want), "unclear: %s", err.text);
}

START_TEST(r_has_no_mpsse_pins)
{
	pins_refused(URI "?reset=adbus4&power=acbus2",
		     "the FT232R has no second MPSSE channel");
}
END_TEST

START_TEST(h_has_no_cbus_pins)
{
	pins_refused(H_URI "?power=cbus1&reset=cbus0",
		     "the FT2232H has no CBUS bit-bang");
}
END_TEST

static Suite *ftdi_suite(void)
{
	Suite *s = suite_create("ftdi");
	TCase *tc = tcase_create("emulated FT232R");

	tcase_add_checked_fixture(tc, emu_setup, emu_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, open_by_serial_purges_and_sets_the_line);
	tcase_add_test(tc, open_with_line_options);
	tcase_add_test(tc, wrong_serial_is_refused);
	tcase_add_test(tc, bad_uris_are_refused);
	tcase_add_test(tc, baud_divisors_decode_to_the_rate);
	tcase_add_test(tc, a_wrong_divisor_is_detected);
	tcase_add_test(tc, read_times_out_at_its_deadline);
	tcase_add_test(tc, write_reaches_the_device);
	tcase_add_test(tc, read_strips_status_bytes_across_packets);
	tcase_add_test(tc, small_reads_keep_the_rest);
	tcase_add_test(tc, reset_is_a_pulse_of_the_right_polarity_and_length);
	tcase_add_test(tc, power_cycle_holds_levels);
	tcase_add_test(tc, no_pins_no_power);
	tcase_add_test(tc, unplug_mid_read_is_reported);
	tcase_add_test(tc, list_names_the_chip);
	tcase_add_test(tc, probe_usb_lists_the_chip);
	tcase_add_test(tc, r_has_no_mpsse_pins);
	suite_add_tcase(s, tc);

	tc = tcase_create("emulated FT2232H");
	tcase_add_checked_fixture(tc, h_setup, h_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, h_baud_divisors_decode);
	tcase_add_test(tc, h_mpsse_engine_answers_like_the_chip);
	tcase_add_test(tc, h_reset_pulse_on_adbus);
	tcase_add_test(tc, h_power_cycle_on_acbus);
	tcase_add_test(tc, h_console_on_b_pins_on_a);
	tcase_add_test(tc, h_gpio_channel_must_differ);
	tcase_add_test(tc, h_has_no_cbus_pins);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	(void)argc;
	if (ftdiemu_reexec(argv)) {
		perror("check_ftdi: exec under umockdev");
		return 1;
	}
	sr = srunner_create(ftdi_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#else /* !HAVE_LIBFTDI: nothing to test, and nothing fails */

int main(void)
{
	puts("check_ftdi: built without libftdi1, skipped");
	return 0;
}

#endif
