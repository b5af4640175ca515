/*
 * cb_time.h - clocks: monotonic milliseconds for deadlines, UTC wall time
 * in RFC 3339 for reports.
 */
#ifndef CB_TIME_H
#define CB_TIME_H

#include <stdint.h>
#include <time.h>

/* Milliseconds on the monotonic clock; only differences mean anything. */
int64_t cb_now_ms(void);

/* Milliseconds left until deadline (never negative). */
int cb_ms_left(int64_t deadline);

/* "2026-11-21T10:00:00Z" (21 bytes with the terminator). */
#define CB_RFC3339_LEN 32
void cb_rfc3339(char out[CB_RFC3339_LEN], time_t t);

/*
 * Parse an RFC 3339 date-time (with a 'Z' or +hh:mm offset, optional
 * fraction).  Returns 0 and the UTC time, or -1 if it is not one.
 */
int cb_parse_rfc3339(const char *s, time_t *out);

#endif /* CB_TIME_H */
