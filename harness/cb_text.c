/*
 * cb_text.c - UTF-8 validation and safe excerpts of untrusted bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "harness/cb_text.h"

int cb_utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0, k, need;
	unsigned cp, min;

	while (i < n) {
		unsigned char c = s[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			need = 1;
			cp = c & 0x1F;
			min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			need = 2;
			cp = c & 0x0F;
			min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if (i + need >= n)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
			return 0;
		i += need + 1;
	}
	return 1;
}

void cb_excerpt(char *out, size_t outlen, const void *p, size_t n,
		size_t max)
{
	const unsigned char *s = p;
	size_t o = 0, i;
	char tmp[8];

	if (!outlen)
		return;
	if (max + 4 > outlen)
		max = outlen > 4 ? outlen - 4 : 0;
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];
		size_t tl;

		if (c == '\r')
			strcpy(tmp, "\\r");
		else if (c == '\n')
			strcpy(tmp, "\\n");
		else if (c == '\t')
			strcpy(tmp, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		else {
			tmp[0] = (char)c;
			tmp[1] = '\0';
		}
		tl = strlen(tmp);
		if (o + tl > max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(out + o, tmp, tl);
		o += tl;
	}
	out[o] = '\0';
}

int cb_startswith_ci(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}
