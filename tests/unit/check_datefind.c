/*
 * check_datefind.c - dates in support-period pages as a table: each row is
 * a text and exactly the dates it must give, in order, written
 * "2030-12-31", "2030-12" (month only) or "2030" (year only), with a
 * leading '?' when day and month order is ambiguous.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "harness/datefind.h"

struct row {
	const char *text;
	const char *want;	/* "2030-12-31 ?2030-04-03 2030" */
	const char *first;	/* the first hit's text, or NULL */
};

static const struct row rows[] = {
	/* ISO */
	{"End of support: 2030-12-31.", "2030-12-31", "2030-12-31"},
	{"Supported through 2030-12", "2030-12", "2030-12"},
	{"2030/12/31", "2030-12-31", NULL},
	{"2030/1/5", "2030-01-05", NULL},
	{"Updates until 2030-12-31T23:59:59Z", "2030-12-31", "2030-12-31"},
	{"2032-02-29 is a leap day", "2032-02-29", NULL},
	{"2031-02-29 is not", "", NULL},
	{"2030-13-01", "", NULL},
	{"2030-12-00", "", NULL},
	{"2030-1-05", "", NULL},

	/* day, month name, year */
	{"31 December 2030", "2030-12-31", "31 December 2030"},
	{"until 31st December 2030.", "2030-12-31", "31st December 2030"},
	{"31 Dec 2030", "2030-12-31", NULL},
	{"31 dec. 2030", "2030-12-31", "31 dec. 2030"},
	{"31. Dezember 2030", "2030-12-31", "31. Dezember 2030"},
	{"1. M\xc3\xa4rz 2031", "2031-03-01", NULL},
	{"1. M\xc3\x84RZ 2031", "2031-03-01", NULL},
	{"15. Maerz 2031", "2031-03-15", NULL},
	{"2. J\xc3\xa4nner 2031", "2031-01-02", NULL},
	{"31-Dec-2030", "2030-12-31", "31-Dec-2030"},
	{"the 1st of January, 2031", "2031-01-01", "1st of January, 2031"},
	{"31 Juni 2030", "", NULL},
	{"bis 30. Februar 2030", "", NULL},

	/* month name first */
	{"December 31, 2030", "2030-12-31", "December 31, 2030"},
	{"Dec. 31 2030", "2030-12-31", "Dec. 31 2030"},
	{"DECEMBER 31ST, 2030", "2030-12-31", NULL},
	{"December 2030", "2030-12", "December 2030"},
	{"ends Dec 2030;", "2030-12", "Dec 2030"},
	{"Sept. 2030", "2030-09", NULL},
	{"Oktober 2029", "2029-10", NULL},
	{"Mai 2030", "2030-05", NULL},
	{"February 29, 2030", "", NULL},

	/* numeric */
	{"31.12.2030", "2030-12-31", "31.12.2030"},
	{"1.6.2030", "2030-06-01", NULL},
	{"31/12/2030", "2030-12-31", NULL},
	{"12/31/2030", "2030-12-31", "12/31/2030"},
	{"03/04/2030", "?2030-04-03", "03/04/2030"},
	{"04/04/2030", "2030-04-04", NULL},
	{"12/2030", "2030-12", "12/2030"},
	{"13/2030", "", NULL},
	{"31/13/2030", "", NULL},
	{"30.02.2030", "", NULL},
	{"31.12.1989 and 31.12.2200", "", NULL},

	/* a year alone, only after a context word */
	{"until the end of 2030", "2030", "2030"},
	{"Security updates are provided until 2030.", "2030", NULL},
	{"bis Ende 2030", "2030", NULL},
	{"Sicherheitsupdates BIS 2030", "2030", NULL},
	{"through 2030", "2030", NULL},
	{"Till 2030", "2030", NULL},
	{"Ende des Jahres 2030", "2030", NULL},
	{"until&nbsp;2030", "2030", NULL},
	{"We shipped 2030 units", "", NULL},
	{"In 2030 we stop.", "", NULL},
	{"until further notice. 2030 units", "", NULL},
	{"until version 2 in 2030", "", NULL},
	{"Legende 2030", "", NULL},
	{"until the long and winding year 2030", "", NULL},
	{"until 2025-2030", "", NULL},

	/* versions, serials, times, phone numbers, addresses */
	{"firmware 1.4.2", "", NULL},
	{"v2030-12-31", "", NULL},
	{"2030-12-310", "", NULL},
	{"SN12/2030X", "", NULL},
	{"12/2030/5", "", NULL},
	{"at 12:30 on 31.12.2030", "2030-12-31", "31.12.2030"},
	{"Tel. +49 30 2030-1231", "", NULL},
	{"Phone: +1 (555) 123-2030", "", NULL},
	{"127.0.0.1 and 10.12.20.30", "", NULL},
	{"1.12.2030.4", "", NULL},
	{"Release 2030.12", "", NULL},
	{"Decimal 2030", "", NULL},
	{"May 5 units", "", NULL},
	{"build 20301231", "", NULL},

	/* HTML leftovers */
	{"<td>End of life</td><td>31.12.2030</td>", "2030-12-31",
	 "31.12.2030"},
	{"31&nbsp;December&nbsp;2030", "2030-12-31",
	 "31&nbsp;December&nbsp;2030"},
	{"Dezember\xc2\xa0" "2030", "2030-12", NULL},
	{"<p>Support ends 2030-06-30.</p><p>Updates until 2029</p>",
	 "2030-06-30 2029", NULL},

	/* several in one text, in order */
	{"Released 1 March 2024; security updates until 31 March 2029; end "
	 "of life December 2030.", "2024-03-01 2029-03-31 2030-12",
	 "1 March 2024"},
	{"Produkt A: 31.12.2028, Produkt B: 30.06.2029, Produkt C: bis 2031",
	 "2028-12-31 2029-06-30 2031", NULL},
	{"Valid 01.01.2025-31.12.2030", "2025-01-01 2030-12-31", NULL},
	{"2025-01-01/2030-12-31", "2025-01-01 2030-12-31", NULL},
	{"05/06/2030, 25/06/2030 and 06/25/2030",
	 "?2030-06-05 2030-06-25 2030-06-25", NULL},
};

static void format_hits(char *out, size_t size, const struct date_hit *h,
			size_t n)
{
	size_t k, o = 0;

	out[0] = '\0';
	for (k = 0; k < n && o < size; k++) {
		o += (size_t)snprintf(out + o, size - o, "%s%s%04d",
				      k ? " " : "", h[k].ambiguous ? "?" : "",
				      h[k].y);
		if (h[k].m)
			o += (size_t)snprintf(out + o, size - o, "-%02d",
					      h[k].m);
		if (h[k].d)
			o += (size_t)snprintf(out + o, size - o, "-%02d",
					      h[k].d);
	}
}

START_TEST(each_text_gives_exactly_its_dates)
{
	const struct row *r = &rows[_i];
	struct date_hit h[8];
	char got[256];
	size_t n, k, len = strlen(r->text);

	n = datefind(r->text, len, h, 8);
	format_hits(got, sizeof(got), h, n);
	ck_assert_msg(!strcmp(got, r->want), "'%s': got '%s', want '%s'",
		      r->text, got, r->want);
	for (k = 0; k < n; k++) {
		/* Each hit names its place, the places in order. */
		ck_assert_uint_le(h[k].off + h[k].len, len);
		ck_assert(k == 0 || h[k].off >= h[k - 1].off + h[k - 1].len);
		ck_assert_uint_eq(strlen(h[k].text), h[k].len);
		ck_assert(!memcmp(h[k].text, r->text + h[k].off, h[k].len));
		ck_assert_int_gt(date_hit_last_day(&h[k]), 0);
	}
	if (r->first) {
		ck_assert_uint_gt(n, 0);
		ck_assert_str_eq(h[0].text, r->first);
	}
}
END_TEST

START_TEST(bounds)
{
	static const char three[] = "31.12.2028, 31.12.2029, 31.12.2030";
	static const char nul[] = "2030-12-31\0 2031-01-01";
	char spaced[200];
	struct date_hit h[4];

	ck_assert_uint_eq(datefind(three, strlen(three), h, 2), 2);
	ck_assert_int_eq(h[1].y, 2029);
	ck_assert_uint_eq(datefind(three, strlen(three), NULL, 0), 0);
	ck_assert_uint_eq(datefind(NULL, 0, h, 4), 0);
	ck_assert_uint_eq(datefind("", 0, h, 4), 0);
	/* Only len bytes are read: "31.12.203" is no date. */
	ck_assert_uint_eq(datefind(three, 9, h, 4), 0);
	ck_assert_uint_eq(datefind(three, 10, h, 4), 1);
	/* A NUL is just a non-letter. */
	ck_assert_uint_eq(datefind(nul, sizeof(nul) - 1, h, 4), 2);
	ck_assert_int_eq(h[1].y, 2031);
	ck_assert_uint_eq(h[1].off, 12);
	/* A long match is cut in text, not in len. */
	snprintf(spaced, sizeof(spaced),
		 "31&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;December&nbsp;&nbsp;"
		 "&nbsp;&nbsp;&nbsp;2030");
	ck_assert_uint_eq(datefind(spaced, strlen(spaced), h, 4), 1);
	ck_assert_uint_eq(h[0].len, strlen(spaced));
	ck_assert_uint_eq(strlen(h[0].text), sizeof(h[0].text) - 1);
	ck_assert(!strncmp(h[0].text, spaced, sizeof(h[0].text) - 1));
	ck_assert_int_eq(h[0].d, 31);
}
END_TEST

START_TEST(last_day)
{
	static const struct {
		int y, m, d;
		long want;
	} days[] = {
		{2028, 2, 0, 20280229}, {2030, 2, 0, 20300228},
		{2100, 2, 0, 21000228}, {2000, 2, 0, 20000229},
		{2030, 0, 0, 20301231}, {2030, 6, 0, 20300630},
		{2030, 4, 0, 20300430}, {2030, 12, 31, 20301231},
		{2028, 2, 29, 20280229}, {2030, 2, 29, -1},
		{2030, 0, 5, -1},	{2030, 13, 0, -1},
		{1989, 0, 0, -1},	{2200, 12, 31, -1},
		{2030, 6, 31, -1},	{2030, -1, 0, -1},
	};
	struct date_hit h;
	size_t k;

	for (k = 0; k < sizeof(days) / sizeof(days[0]); k++) {
		memset(&h, 0, sizeof(h));
		h.y = days[k].y;
		h.m = days[k].m;
		h.d = days[k].d;
		ck_assert_msg(date_hit_last_day(&h) == days[k].want,
			      "%d-%d-%d: got %ld, want %ld", h.y, h.m, h.d,
			      date_hit_last_day(&h), days[k].want);
	}
}
END_TEST

START_TEST(claimed_dates)
{
	static const struct {
		const char *s;
		int rc, y, m, d;
	} claims[] = {
		{"2030-12-31", 0, 2030, 12, 31},
		{"2030-06", 0, 2030, 6, 0},
		{"2030", 0, 2030, 0, 0},
		{"2028-02-29", 0, 2028, 2, 29},
		{"2030-02-29", -1, 0, 0, 0},
		{"2030-13", -1, 0, 0, 0},
		{"2030-00", -1, 0, 0, 0},
		{"2030-12-00", -1, 0, 0, 0},
		{"2030-12-32", -1, 0, 0, 0},
		{"2030-1-05", -1, 0, 0, 0},
		{"2030/12/31", -1, 0, 0, 0},
		{"31.12.2030", -1, 0, 0, 0},
		{"203", -1, 0, 0, 0},
		{"20301", -1, 0, 0, 0},
		{"2030-12-31 ", -1, 0, 0, 0},
		{" 2030", -1, 0, 0, 0},
		{"1989", -1, 0, 0, 0},
		{"abcd", -1, 0, 0, 0},
		{"", -1, 0, 0, 0},
		{NULL, -1, 0, 0, 0},
	};
	struct date_hit h;
	size_t k;

	for (k = 0; k < sizeof(claims) / sizeof(claims[0]); k++) {
		ck_assert_msg(date_parse_claim(claims[k].s, &h) == claims[k].rc,
			      "'%s'", claims[k].s ? claims[k].s : "(null)");
		if (claims[k].rc)
			continue;
		ck_assert_int_eq(h.y, claims[k].y);
		ck_assert_int_eq(h.m, claims[k].m);
		ck_assert_int_eq(h.d, claims[k].d);
		ck_assert_uint_eq(h.off, 0);
		ck_assert_uint_eq(h.len, strlen(claims[k].s));
		ck_assert_str_eq(h.text, claims[k].s);
		ck_assert_int_eq(h.ambiguous, 0);
	}
	/* A claim and a page date covering the same last day compare. */
	ck_assert_int_eq(date_parse_claim("2030-12", &h), 0);
	ck_assert_int_eq(date_hit_last_day(&h), 20301231);
}
END_TEST

static Suite *datefind_suite(void)
{
	Suite *s = suite_create("datefind");
	TCase *tc = tcase_create("dates");

	tcase_add_loop_test(tc, each_text_gives_exactly_its_dates, 0,
			    sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, bounds);
	tcase_add_test(tc, last_day);
	tcase_add_test(tc, claimed_dates);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(datefind_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
