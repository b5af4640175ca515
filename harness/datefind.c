/*
 * datefind.c - dates in support-period pages (see datefind.h).
 *
 * A hand-written scanner rather than regular expressions: each pattern is a
 * few lines that read numbers and month names at a word start, and the
 * boundary rules (what may precede and follow a date) are in two functions
 * shared by all of them.  A date may start only where a word starts; when
 * nothing matches there, the whole word is skipped, so no date is ever
 * found inside a serial number or a version string.
 */
#include <string.h>

#include "harness/datefind.h"

#define DF_YEAR_MIN 1990
#define DF_YEAR_MAX 2199
/* How far a context word may precede a lone year, in characters (a space
 * or an entity counts one), and how far back to look for one in bytes. */
#define DF_CONTEXT_GAP 20
#define DF_CONTEXT_BACK 200

struct df_scan {
	const unsigned char *t;
	size_t n;
};

/* Lower-case names; "\xc3\xa4" is a-umlaut (UTF-8), matched in either
 * case.  abbr: a dot may follow. */
static const struct {
	const char *name;
	int m, abbr;
} df_months[] = {
	{"january", 1, 0},   {"januar", 1, 0},	 {"j\xc3\xa4nner", 1, 0},
	{"jan", 1, 1},	     {"february", 2, 0}, {"februar", 2, 0},
	{"feb", 2, 1},	     {"march", 3, 0},	 {"m\xc3\xa4rz", 3, 0},
	{"maerz", 3, 0},     {"mar", 3, 1},	 {"m\xc3\xa4r", 3, 1},
	{"mrz", 3, 1},	     {"april", 4, 0},	 {"apr", 4, 1},
	{"may", 5, 0},	     {"mai", 5, 0},	 {"june", 6, 0},
	{"juni", 6, 0},	     {"jun", 6, 1},	 {"july", 7, 0},
	{"juli", 7, 0},	     {"jul", 7, 1},	 {"august", 8, 0},
	{"aug", 8, 1},	     {"september", 9, 0}, {"sept", 9, 1},
	{"sep", 9, 1},	     {"october", 10, 0}, {"oktober", 10, 0},
	{"oct", 10, 1},	     {"okt", 10, 1},	 {"november", 11, 0},
	{"nov", 11, 1},	     {"december", 12, 0}, {"dezember", 12, 0},
	{"dec", 12, 1},	     {"dez", 12, 1},
};

static const char *const df_context_words[] = {
	"until", "through", "till", "to the end of", "end of", "bis", "ende",
};

static int df_digit(const struct df_scan *s, size_t i)
{
	return i < s->n && s->t[i] >= '0' && s->t[i] <= '9';
}

static int df_letter(const struct df_scan *s, size_t i)
{
	unsigned char c;

	if (i >= s->n)
		return 0;
	c = s->t[i];
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int df_alnum(const struct df_scan *s, size_t i)
{
	return df_digit(s, i) || df_letter(s, i);
}

static unsigned char df_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int df_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int df_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};

	return m == 2 && df_is_leap(y) ? 29 : days[m - 1];
}

/* m = 0 is a year, d = 0 a month. */
static int df_valid(int y, int m, int d)
{
	if (y < DF_YEAR_MIN || y > DF_YEAR_MAX || m < 0 || m > 12 || d < 0)
		return 0;
	if (m == 0)
		return d == 0;
	return d <= df_days_in_month(y, m);
}

/* Length of the digit run at i; its value in *v when 4 digits or fewer. */
static size_t df_number(const struct df_scan *s, size_t i, int *v)
{
	size_t k = 0;

	*v = 0;
	while (df_digit(s, i + k)) {
		if (k < 4)
			*v = *v * 10 + (s->t[i + k] - '0');
		k++;
	}
	return k;
}

/* Bytes of one whitespace unit at i: ASCII space, U+00A0 in UTF-8, or the
 * entities "&nbsp;", "&#160;", "&#xa0;" that HTML stripping left. */
static size_t df_space1(const struct df_scan *s, size_t i)
{
	static const char *const ent[] = {"&nbsp;", "&#160;", "&#xa0;"};
	size_t k, j, l;

	if (i >= s->n)
		return 0;
	if (s->t[i] && strchr(" \t\r\n\f\v", s->t[i]))
		return 1;
	if (s->t[i] == 0xc2 && i + 1 < s->n && s->t[i + 1] == 0xa0)
		return 2;
	for (k = 0; k < sizeof(ent) / sizeof(ent[0]); k++) {
		l = strlen(ent[k]);
		for (j = 0; j < l && i + j < s->n; j++)
			if (df_lower(s->t[i + j]) != (unsigned char)ent[k][j])
				break;
		if (j == l)
			return l;
	}
	return 0;
}

static size_t df_space(const struct df_scan *s, size_t i)
{
	size_t w, k = 0;

	while ((w = df_space1(s, i + k)) > 0)
		k += w;
	return k;
}

/* Whitespace with an optional comma inside: " ", ", ", ",". */
static size_t df_gap(const struct df_scan *s, size_t i, int comma)
{
	size_t k = df_space(s, i);

	if (comma && i + k < s->n && s->t[i + k] == ',')
		k += 1 + df_space(s, i + k + 1);
	return k;
}

/*
 * Length of the lower-case word w at i ignoring ASCII case (an a-umlaut
 * also in upper case, a space matching any whitespace), when no letter
 * follows; else 0.
 */
static size_t df_word(const struct df_scan *s, size_t i, const char *w)
{
	size_t k = i, sp;
	const unsigned char *p = (const unsigned char *)w;

	for (; *p; p++) {
		if (*p == ' ') {
			sp = df_space(s, k);
			if (!sp)
				return 0;
			k += sp;
			continue;
		}
		if (k >= s->n)
			return 0;
		if (df_lower(s->t[k]) != *p &&
		    !(*p == 0xa4 && p > (const unsigned char *)w &&
		      p[-1] == 0xc3 && s->t[k] == 0x84))
			return 0;
		k++;
	}
	return df_letter(s, k) ? 0 : k - i;
}

/* A month name at i into *m; its length with the dot of an abbreviation. */
static size_t df_month(const struct df_scan *s, size_t i, int *m)
{
	size_t k, l;

	for (k = 0; k < sizeof(df_months) / sizeof(df_months[0]); k++) {
		l = df_word(s, i, df_months[k].name);
		if (!l)
			continue;
		*m = df_months[k].m;
		if (df_months[k].abbr && i + l < s->n && s->t[i + l] == '.')
			l++;
		return l;
	}
	return 0;
}

/* "st", "nd", "rd", "th" after a day number. */
static size_t df_ordinal(const struct df_scan *s, size_t i)
{
	static const char *const suf[] = {"st", "nd", "rd", "th"};
	size_t k, l;

	for (k = 0; k < 4; k++) {
		l = df_word(s, i, suf[k]);
		if (l)
			return l;
	}
	return 0;
}

/* Does a number continue across c into a digit at i + 1?  '.' and ':'
 * always continue one, seps the pattern's own separators. */
static int df_continues(unsigned char c, const char *seps)
{
	return c == '.' || c == ':' || (c && strchr(seps, c));
}

/* May a date end before i?  Not when a letter or digit follows, nor a
 * separator and a digit (2030-12-310, 1.12.2030.4). */
static int df_end_ok(const struct df_scan *s, size_t i, const char *seps)
{
	if (i >= s->n)
		return 1;
	if (df_alnum(s, i))
		return 0;
	return !(df_continues(s->t[i], seps) && df_digit(s, i + 1));
}

/* May a date start at i?  The scanner already knows no letter or digit
 * precedes; a digit and a separator may not either (10.1.12.2030). */
static int df_start_ok(const struct df_scan *s, size_t i, const char *seps)
{
	if (i < 2)
		return 1;
	return !(df_continues(s->t[i - 1], seps) && df_digit(s, i - 2));
}

static size_t df_hit(struct date_hit *h, const struct df_scan *s,
		     size_t start, size_t end, int y, int m, int d, int amb)
{
	size_t n = end - start;

	h->y = y;
	h->m = m;
	h->d = d;
	h->off = start;
	h->len = n;
	if (n > sizeof(h->text) - 1)
		n = sizeof(h->text) - 1;
	memcpy(h->text, s->t + start, n);
	h->text[n] = '\0';
	h->ambiguous = amb;
	return end;
}

/* ---- patterns; each returns the end of the date, or 0 ---- */

/* Written as a date but no real one (31 June 2030): the scanner skips it
 * whole rather than find "June 2030" in it. */
static size_t df_invalid(struct date_hit *h, size_t end)
{
	h->y = 0;
	return end;
}

/* 2030-12-31, 2030/12/31, 2030-12 at i, the year y already read. */
static size_t df_iso(const struct df_scan *s, size_t i, int y,
		     struct date_hit *h)
{
	char sep[2] = {0, 0};
	size_t p = i + 4, ml, dl, end;
	int m, d;

	if (p >= s->n || (s->t[p] != '-' && s->t[p] != '/'))
		return 0;
	sep[0] = (char)s->t[p];
	if (!df_start_ok(s, i, sep))
		return 0;
	ml = df_number(s, p + 1, &m);
	if (ml != 2 && !(sep[0] == '/' && ml == 1))
		return 0;
	p += 1 + ml;
	if (p < s->n && s->t[p] == (unsigned char)sep[0] &&
	    df_digit(s, p + 1)) {
		dl = df_number(s, p + 1, &d);
		if (dl != 2 && !(sep[0] == '/' && dl == 1))
			return 0;
		end = p + 1 + dl;
		/* An ISO date and time: 2030-12-31T23:59:59Z. */
		if (m < 1 || d < 1 || !df_valid(y, m, d) ||
		    !(df_end_ok(s, end, sep) ||
		      (sep[0] == '-' && s->t[end] == 'T' &&
		       df_digit(s, end + 1))))
			return 0;
		return df_hit(h, s, i, end, y, m, d, 0);
	}
	if (sep[0] != '-' || m < 1 || !df_valid(y, m, 0) ||
	    !df_end_ok(s, p, sep))
		return 0;
	return df_hit(h, s, i, p, y, m, 0, 0);
}

/* 31.12.2030 at i, the day d (dl digits) already read. */
static size_t df_dotted(const struct df_scan *s, size_t i, size_t dl, int d,
			struct date_hit *h)
{
	size_t p = i + dl + 1, ml, yl;
	int m, y;

	ml = df_number(s, p, &m);
	if (ml < 1 || ml > 2 || p + ml >= s->n || s->t[p + ml] != '.')
		return 0;
	p += ml + 1;
	yl = df_number(s, p, &y);
	if (yl != 4 || !df_start_ok(s, i, ".") || !df_end_ok(s, p + 4, ".") ||
	    d < 1 || m < 1 || !df_valid(y, m, d))
		return 0;
	return df_hit(h, s, i, p + 4, y, m, d, 0);
}

/* 31/12/2030, 12/31/2030, 03/04/2030 (ambiguous), 12/2030 at i, the first
 * number a (al digits) already read. */
static size_t df_slashed(const struct df_scan *s, size_t i, size_t al, int a,
			 struct date_hit *h)
{
	size_t p = i + al + 1, bl, yl;
	int b, y, d, m;

	if (!df_start_ok(s, i, "/"))
		return 0;
	bl = df_number(s, p, &b);
	if (bl == 4) {
		if (a < 1 || !df_valid(b, a, 0) || !df_end_ok(s, p + 4, "/"))
			return 0;
		return df_hit(h, s, i, p + 4, b, a, 0, 0);
	}
	if (bl < 1 || bl > 2 || p + bl >= s->n || s->t[p + bl] != '/')
		return 0;
	p += bl + 1;
	yl = df_number(s, p, &y);
	if (yl != 4 || !df_end_ok(s, p + 4, "/") || a < 1 || b < 1)
		return 0;
	/* Day first unless only month first fits. */
	d = a;
	m = b;
	if (a <= 12 && b > 12) {
		d = b;
		m = a;
	}
	if (m > 12 || !df_valid(y, m, d))
		return 0;
	return df_hit(h, s, i, p + 4, y, m, d, a <= 12 && b <= 12 && a != b);
}

/* 31 December 2030, 31st Dec. 2030, 31. Dezember 2030, 31 of December,
 * 2030, 31-Dec-2030 at i, the day d (dl digits) already read. */
static size_t df_day_first(const struct df_scan *s, size_t i, size_t dl,
			   int d, struct date_hit *h)
{
	size_t p = i + dl, g, ml, of;
	const char *seps = "";
	int m, y;

	if (p < s->n && s->t[p] == '-') {
		seps = "-";
		ml = df_month(s, p + 1, &m);
		if (!ml || p + 1 + ml >= s->n || s->t[p + 1 + ml] != '-')
			return 0;
		p += ml + 2;
	} else {
		p += df_ordinal(s, p);
		if (p < s->n && s->t[p] == '.')
			p++;
		g = df_space(s, p);
		if (!g)
			return 0;
		p += g;
		of = df_word(s, p, "of");
		if (of && df_space(s, p + of)) {
			p += of;
			p += df_space(s, p);
		}
		ml = df_month(s, p, &m);
		if (!ml)
			return 0;
		p += ml;
		g = df_gap(s, p, 1);
		if (!g)
			return 0;
		p += g;
	}
	if (df_number(s, p, &y) != 4 || !df_start_ok(s, i, seps) ||
	    !df_end_ok(s, p + 4, seps))
		return 0;
	if (d < 1 || !df_valid(y, m, d))
		return df_invalid(h, p + 4);
	return df_hit(h, s, i, p + 4, y, m, d, 0);
}

/* December 31, 2030, Dec. 31 2030, December 2030, Dec 2030 at i. */
static size_t df_month_first(const struct df_scan *s, size_t i,
			     struct date_hit *h)
{
	size_t p, g, nl;
	int m, v, y;

	p = df_month(s, i, &m);
	if (!p)
		return 0;
	p += i;
	g = df_gap(s, p, 1);
	if (!g && s->t[p - 1] != '.')
		return 0;
	p += g;
	nl = df_number(s, p, &v);
	if (nl == 4) {
		if (!df_end_ok(s, p + 4, "") || !df_valid(v, m, 0))
			return 0;
		return df_hit(h, s, i, p + 4, v, m, 0, 0);
	}
	if (nl < 1 || nl > 2 || v < 1)
		return 0;
	p += nl;
	p += df_ordinal(s, p);
	g = df_gap(s, p, 1);
	if (!g)
		return 0;
	p += g;
	if (df_number(s, p, &y) != 4 || !df_end_ok(s, p + 4, ""))
		return 0;
	if (!df_valid(y, m, v))
		return df_invalid(h, p + 4);
	return df_hit(h, s, i, p + 4, y, m, v, 0);
}

/* Is the text from e to the year at i a short, clean gap? */
static int df_context_gap(const struct df_scan *s, size_t e, size_t i)
{
	size_t chars = 0, w;

	while (e < i) {
		if (chars++ >= DF_CONTEXT_GAP)
			return 0;
		w = df_space1(s, e);
		if (w) {
			e += w;
			continue;
		}
		/* A NUL is a break as much as a full stop. */
		if (df_digit(s, e) || !s->t[e] || strchr(".;!?", s->t[e]))
			return 0;
		e++;
	}
	return e == i;
}

/* A context word ("until", "bis", ...) shortly before the year at i. */
static int df_context(const struct df_scan *s, size_t i)
{
	size_t p = i > DF_CONTEXT_BACK ? i - DF_CONTEXT_BACK : 0, k, l;

	for (; p < i; p++) {
		if (!df_letter(s, p) || (p > 0 && df_letter(s, p - 1)))
			continue;
		for (k = 0; k < sizeof(df_context_words) /
				    sizeof(df_context_words[0]);
		     k++) {
			l = df_word(s, p, df_context_words[k]);
			if (l && p + l <= i && df_context_gap(s, p + l, i))
				return 1;
		}
	}
	return 0;
}

static size_t df_try(const struct df_scan *s, size_t i, struct date_hit *h)
{
	size_t nl, end;
	int v;

	if (df_letter(s, i))
		return df_month_first(s, i, h);
	nl = df_number(s, i, &v);
	if (nl == 4) {
		end = df_iso(s, i, v, h);
		if (end)
			return end;
		if (!df_valid(v, 0, 0) || !df_start_ok(s, i, "-/") ||
		    !df_end_ok(s, i + 4, "-/") || !df_context(s, i))
			return 0;
		return df_hit(h, s, i, i + 4, v, 0, 0, 0);
	}
	if (nl < 1 || nl > 2)
		return 0;
	if (i + nl < s->n && s->t[i + nl] == '/')
		return df_slashed(s, i, nl, v, h);
	if (i + nl < s->n && s->t[i + nl] == '.') {
		end = df_dotted(s, i, nl, v, h);
		if (end)
			return end;
	}
	return df_day_first(s, i, nl, v, h);
}

size_t datefind(const char *text, size_t len, struct date_hit *hits,
		size_t max)
{
	struct df_scan s = {(const unsigned char *)text, len};
	size_t i = 0, n = 0, end;

	if (!text)
		return 0;
	while (i < len && n < max) {
		if (!df_alnum(&s, i) || (i > 0 && df_alnum(&s, i - 1))) {
			i++;
			continue;
		}
		memset(&hits[n], 0, sizeof(hits[n]));
		end = df_try(&s, i, &hits[n]);
		if (end) {
			n += hits[n].y != 0;
			i = end;
			continue;
		}
		while (df_alnum(&s, i))
			i++;
	}
	return n;
}

long date_hit_last_day(const struct date_hit *h)
{
	int m = h->m ? h->m : 12, d;

	if (!df_valid(h->y, h->m, h->d))
		return -1;
	d = h->d ? h->d : df_days_in_month(h->y, m);
	return (long)h->y * 10000 + m * 100 + d;
}

/* Exactly n digits at s into *v. */
static int df_claim_digits(const char *s, size_t n, int *v)
{
	size_t k;

	*v = 0;
	for (k = 0; k < n; k++) {
		if (s[k] < '0' || s[k] > '9')
			return 0;
		*v = *v * 10 + (s[k] - '0');
	}
	return 1;
}

int date_parse_claim(const char *s, struct date_hit *out)
{
	size_t len;
	int y, m = 0, d = 0;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	len = strnlen(s, sizeof(out->text));
	if (len != 4 && len != 7 && len != 10)
		return -1;
	if (!df_claim_digits(s, 4, &y))
		return -1;
	if (len >= 7 && (s[4] != '-' || !df_claim_digits(s + 5, 2, &m) ||
			 m < 1))
		return -1;
	if (len == 10 && (s[7] != '-' || !df_claim_digits(s + 8, 2, &d) ||
			  d < 1))
		return -1;
	if (!df_valid(y, m, d))
		return -1;
	out->y = y;
	out->m = m;
	out->d = d;
	out->len = len;
	memcpy(out->text, s, len + 1);
	return 0;
}
