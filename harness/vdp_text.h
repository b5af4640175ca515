/*
 * vdp_text.h - indications in a vulnerability disclosure policy's text.
 *
 * Finds a reporting contact and the two timelines EN 303 645 5.2-1 asks
 * for (acknowledgement of receipt; status updates until resolution) in a
 * page or plain text, and quotes the sentences it relied on so an
 * assessor can confirm the reading.  These are indications, not
 * understanding: loose timelines ("promptly") count, as TS 103 701
 * allows.
 */
#ifndef VDP_TEXT_H
#define VDP_TEXT_H

#include <stddef.h>

struct vdp_findings {
	char contact[256];	/* first contact found, or "" */
	char ack[400];		/* sentence with the acknowledgement timeline */
	char status[400];	/* sentence with the status-update timeline */
};

/* Reduce HTML to text (tags removed, common entities decoded). */
char *vdp_plain_text(const char *html, size_t len);

/* Scan plain text. */
void vdp_scan(struct vdp_findings *f, const char *text);

#endif /* VDP_TEXT_H */
