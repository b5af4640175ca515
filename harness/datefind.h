/*
 * datefind.h - end dates in a published support-period page, to compare
 * with the date the product documentation claims (EN 303 645 provision
 * 5.3-13: the defined support period is published).
 *
 * Pure and locale-independent: plain text in (HTML already stripped, though
 * "&nbsp;" and UTF-8 no-break spaces may remain), the dates it writes out
 * come back.  It does not decide which date is the end of support; that is
 * the caller's reading of the context.
 *
 * Recognised, English and German month names (full, 3-letter abbreviations
 * with an optional dot, "Sept", "Mrz"/"Mär", "Jänner"), any ASCII case:
 *   2030-12-31  2030/12/31  2030-12 (also 2030-12-31T23:59)
 *   31 December 2030  31st December 2030  31 Dec. 2030  31. Dezember 2030
 *   31 of December 2030  31-Dec-2030
 *   December 31, 2030  Dec. 31 2030  December 2030  Dec 2030
 *   31.12.2030 (day first)  31/12/2030  12/31/2030  12/2030
 *   2030 alone only within 20 characters after "until", "through",
 *   "till", "to the end of", "end of", "bis" or "ende" (whole words, with
 *   no digit or ".;!?" in between): "until the end of 2030".
 * A/B/YYYY is day/month when A > 12, month/day when B > 12; when both are
 * 12 or less and differ the hit is day-first and flagged ambiguous.
 * Years run from 1990 to 2199, days must exist in their month; an
 * impossible date written out ("31 Juni 2030") gives nothing, not the
 * month in it.  A number glued to a letter or digit, or continued by
 * ".digit", ":digit" or its own separator and a digit, is no date:
 * "v2030-12-31", "SN12/2030X", "1.12.2030.4", "12:30", "1.4.2".
 */
#ifndef DATEFIND_H
#define DATEFIND_H

#include <stddef.h>

struct date_hit {
	int y, m, d;		/* m = 0: year only; d = 0: month only */
	size_t off, len;	/* where in the text */
	char text[48];		/* the matched text, NUL-terminated, cut to
				 * 47 bytes if longer */
	int ambiguous;		/* 03/04/2030: day/month order unknown, the
				 * day-first reading is stored */
};

/*
 * The dates in text[0, len) (NUL bytes are ordinary non-letters), in order
 * of appearance, into hits[0, max).  Returns how many were stored; the
 * search stops when max are found.  hits may be NULL when max is 0.
 */
size_t datefind(const char *text, size_t len, struct date_hit *hits,
		size_t max);

/*
 * The last day the hit covers as y * 10000 + m * 100 + d: 2030 gives
 * 20301231, 2028-02 gives 20280229.  -1 if the hit is not a valid date.
 */
long date_hit_last_day(const struct date_hit *h);

/*
 * The claimed date of the documentation, the whole string "YYYY-MM-DD",
 * "YYYY-MM" or "YYYY" with the ranges above, into *out (off 0, len and
 * text the string, not ambiguous).  0, or -1 if s is NULL or malformed.
 */
int date_parse_claim(const char *s, struct date_hit *out);

#endif /* DATEFIND_H */
