/*
 * line.c - serial line settings from an adapter URI (hw.h), shared by
 * the tty and ftdi backends so both accept and refuse the same values
 * with the same words.  It checks form only: a rate the hardware cannot
 * make is the backend's error, raised when it tries.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "harness/cb_error.h"
#include "hw-adapters/hw.h"

static const char *const line_flow_names[] = {
	[HW_FLOW_NONE] = "none",
	[HW_FLOW_RTSCTS] = "rtscts",
	[HW_FLOW_XONXOFF] = "xonxoff",
};

static int line_parity(struct hw_line *line, const char *v,
		       struct cb_error *err)
{
	int c = v ? toupper((unsigned char)v[0]) : 'N';

	if (v && (strlen(v) != 1 || !strchr("NEOMS", c)))
		return cb_error_set(err, CB_EINVAL,
				    "parity must be N, E, O, M or S, not '%s'",
				    v);
	line->parity = (char)c;
	return CB_OK;
}

static int line_flow(struct hw_line *line, const char *v,
		     struct cb_error *err)
{
	size_t k;

	if (!v) {
		line->flow = HW_FLOW_NONE;
		return CB_OK;
	}
	for (k = 0; k < sizeof(line_flow_names) / sizeof(*line_flow_names);
	     k++) {
		if (!strcasecmp(v, line_flow_names[k])) {
			line->flow = (unsigned char)k;
			return CB_OK;
		}
	}
	return cb_error_set(err, CB_EINVAL,
			    "flow must be none, rtscts or xonxoff, not '%s'",
			    v);
}

int hw_line_from_uri(struct hw_line *line, const struct hw_uri *u,
		     struct cb_error *err)
{
	long baud, bits, stop;
	int rc;

	memset(line, 0, sizeof(*line));
	rc = hw_uri_param_int(u, "baud", 115200, 50, HW_BAUD_MAX, &baud, err);
	if (!rc)
		rc = hw_uri_param_int(u, "bits", 8, 5, 8, &bits, err);
	if (!rc)
		rc = hw_uri_param_int(u, "stop", 1, 1, 2, &stop, err);
	if (!rc)
		rc = line_parity(line, hw_uri_param(u, "parity"), err);
	if (!rc)
		rc = line_flow(line, hw_uri_param(u, "flow"), err);
	if (rc)
		return rc;
	line->baud = (unsigned)baud;
	line->data_bits = (unsigned char)bits;
	line->stop_bits = (unsigned char)stop;
	return CB_OK;
}

const char *hw_line_format(const struct hw_line *line, char *buf,
			   size_t len)
{
	const char *flow = line->flow < sizeof(line_flow_names) /
						sizeof(*line_flow_names)
				   ? line_flow_names[line->flow]
				   : "?";

	snprintf(buf, len, "%u %u%c%u%s%s", line->baud, line->data_bits,
		 line->parity, line->stop_bits,
		 line->flow == HW_FLOW_NONE ? "" : " ",
		 line->flow == HW_FLOW_NONE ? "" : flow);
	return buf;
}
