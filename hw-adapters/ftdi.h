/*
 * ftdi.h - what the ftdi backend offers beyond the adapter vtable: a list
 * of the FTDI chips attached, for 'certbench probe usb'.  Built only with
 * libftdi1 (HAVE_LIBFTDI); the adapter itself is hw_ftdi_ops in hw.h.
 */
#ifndef HW_FTDI_H
#define HW_FTDI_H

#include <stddef.h>

struct cb_error;

struct hw_ftdi_dev {
	unsigned vid, pid;
	int bus, addr;			/* USB bus number and device address */
	char manufacturer[128];		/* "" when the chip would not say */
	char description[128];
	char serial[128];
};

#define HW_FTDI_LIST_MAX 128	/* ceiling on the devices listed */

/*
 * The FTDI devices libftdi recognises (its default VID:PID set).  On
 * success *out is a caller-owned array of *n entries (free() it; NULL when
 * none).  A device whose strings cannot be read is still listed, with
 * empty strings.
 */
int hw_ftdi_list(struct hw_ftdi_dev **out, size_t *n, struct cb_error *err);

#endif /* HW_FTDI_H */
