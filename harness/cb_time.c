/*
 * cb_time.c - monotonic deadlines and RFC 3339 UTC timestamps.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness/cb_time.h"

int64_t cb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cb_ms_left(int64_t deadline)
{
	int64_t left = deadline - cb_now_ms();

	if (left < 0)
		return 0;
	return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

void cb_rfc3339(char out[CB_RFC3339_LEN], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, CB_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, k;

	for (k = 0; k < n; k++) {
		if (!isdigit((unsigned char)s[k]))
			return -1;
		v = v * 10 + (s[k] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30,
				 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int cb_parse_rfc3339(const char *s, time_t *out)
{
	int Y, M, D, h, m, sec, oh = 0, om = 0, sign = 0;
	struct tm tm;
	const char *p;

	if (strlen(s) < 20 || digits(s, 4, &Y) || s[4] != '-' ||
	    digits(s + 5, 2, &M) || s[7] != '-' || digits(s + 8, 2, &D) ||
	    (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &m) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 ||
	    m > 59 || sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return -1;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' ||
		    digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec > 59 ? 59 : sec;
	*out = timegm(&tm) - sign * (oh * 3600 + om * 60);
	return 0;
}
