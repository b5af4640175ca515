/*
 * vdp_text.c - contact and timeline indications in policy text.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/cb_buf.h"
#include "harness/vdp_text.h"

static const struct {
	const char *name, *text;
} vdp_entities[] = {
	{"&amp;", "&"},	 {"&lt;", "<"},	  {"&gt;", ">"},  {"&quot;", "\""},
	{"&#39;", "'"},	 {"&apos;", "'"}, {"&nbsp;", " "}, {"&ndash;", "-"},
	{"&mdash;", "-"},
};

char *vdp_plain_text(const char *html, size_t len)
{
	struct cb_buf b;
	size_t i = 0, k, n;
	int in_tag = 0, in_script = 0;

	cb_buf_init(&b, len + 1);
	while (i < len) {
		if (!in_tag && html[i] == '<') {
			in_tag = 1;
			if (!strncasecmp(html + i, "<script", 7) ||
			    !strncasecmp(html + i, "<style", 6))
				in_script = 1;
			if (!strncasecmp(html + i, "</script", 8) ||
			    !strncasecmp(html + i, "</style", 7))
				in_script = 0;
			/* Block elements end sentences. */
			cb_buf_add(&b, "\n", 1, NULL);
			i++;
			continue;
		}
		if (in_tag) {
			if (html[i] == '>')
				in_tag = 0;
			i++;
			continue;
		}
		if (in_script) {
			i++;
			continue;
		}
		if (html[i] == '&') {
			for (k = 0; k < sizeof(vdp_entities) /
					    sizeof(vdp_entities[0]);
			     k++) {
				n = strlen(vdp_entities[k].name);
				if (!strncasecmp(html + i, vdp_entities[k].name,
						 n))
					break;
			}
			if (k < sizeof(vdp_entities) / sizeof(vdp_entities[0])) {
				cb_buf_adds(&b, vdp_entities[k].text, NULL);
				i += strlen(vdp_entities[k].name);
				continue;
			}
		}
		cb_buf_add(&b, html + i, 1, NULL);
		i++;
	}
	return cb_buf_detach(&b, NULL);
}

/* A time expression: "5 business days", "72 hours", "within", "promptly". */
static const char *const vdp_time_re =
	"([0-9]+|one|two|three|five|seven|ten|fourteen|thirty)[ -]*"
	"(business |working |calendar )?(hour|day|week|month)s?"
	"|within|promptly|immediately|as soon as possible|without undue delay"
	"|quickly|regularly|periodically|every ";

static const char *const vdp_ack_re =
	"acknowledg|confirm[a-z]* (the )?(its )?(receipt|reception)"
	"|receipt of (your|the|a) report";

static const char *const vdp_status_re =
	"status|progress|keep (you|reporters?|the reporter) (informed|updated)"
	"|updates? (on|about)|until (the )?(issue|vulnerability|report)? ?"
	"(is )?(resolved|fixed|closed)";

static const char *const vdp_contact_re =
	"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"
	"|https://[^ \t\n\"'<>]+";

static int vdp_match(const char *re_text, const char *s, regmatch_t *m)
{
	regex_t re;
	int rc;

	if (regcomp(&re, re_text, REG_EXTENDED | REG_ICASE))
		return 0;
	rc = regexec(&re, s, 1, m, 0);
	regfree(&re);
	return rc == 0;
}

/* Copy a sentence into out, whitespace folded, cut to size. */
static void vdp_quote(char *out, size_t len, const char *s, size_t n)
{
	size_t o = 0, i;
	int space = 0;

	for (i = 0; i < n && o + 4 < len; i++) {
		if (isspace((unsigned char)s[i])) {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		out[o++] = s[i];
	}
	if (i < n && o + 4 >= len && len > 4)
		memcpy(out + (o = len - 4), "...", 3), o += 3;
	out[o] = '\0';
}

void vdp_scan(struct vdp_findings *f, const char *text)
{
	const char *p = text, *end;
	char sent[2048];
	regmatch_t m;
	size_t n;

	memset(f, 0, sizeof(*f));
	if (vdp_match(vdp_contact_re, text, &m))
		vdp_quote(f->contact, sizeof(f->contact), text + m.rm_so,
			  (size_t)(m.rm_eo - m.rm_so));
	while (*p) {
		/* A sentence ends at . ! ? followed by space, or a newline. */
		for (end = p; *end && *end != '\n'; end++)
			if (strchr(".!?", *end) &&
			    (isspace((unsigned char)end[1]) || !end[1]))
				break;
		n = (size_t)(end - p) + (*end && *end != '\n');
		if (n >= sizeof(sent))
			n = sizeof(sent) - 1;
		memcpy(sent, p, n);
		sent[n] = '\0';
		if (!f->ack[0] && vdp_match(vdp_ack_re, sent, &m) &&
		    vdp_match(vdp_time_re, sent, &m))
			vdp_quote(f->ack, sizeof(f->ack), sent, n);
		if (!f->status[0] && vdp_match(vdp_status_re, sent, &m) &&
		    (vdp_match(vdp_time_re, sent, &m) ||
		     strcasestr(sent, "until")))
			vdp_quote(f->status, sizeof(f->status), sent, n);
		p = *end ? end + 1 : end;
	}
}
