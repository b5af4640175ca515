/*
 * cb_text.h - small text helpers shared by steps and reports.
 */
#ifndef CB_TEXT_H
#define CB_TEXT_H

#include <stddef.h>

/* 1 when p[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int cb_utf8_valid(const void *p, size_t n);

/*
 * Printable one-line excerpt of device bytes for messages: control bytes
 * as \r \n \xNN, cut to at most max output bytes with "..." at the end.
 */
void cb_excerpt(char *out, size_t outlen, const void *p, size_t n,
		size_t max);

/* Case-insensitive prefix test. */
int cb_startswith_ci(const char *s, const char *prefix);

#endif /* CB_TEXT_H */
