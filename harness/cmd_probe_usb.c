/*
 * cmd_probe_usb.c - 'certbench probe usb': the FTDI chips attached, so a
 * lab can write the ftdi:// URI of a sample's console.  A table, or one
 * JSON object with --json.  No device is not an error.
 *
 *   probe usb [--json]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness/cb_error.h"
#include "harness/cli.h"

#define PU_USAGE "usage: certbench probe usb [--json]\n"

#ifdef HAVE_LIBFTDI
#include "hw-adapters/ftdi.h"

static int pu_json(const struct hw_ftdi_dev *v, size_t n)
{
	json_t *root = json_object(), *arr = json_array(), *d;
	char id[8];
	size_t k;

	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		fputs("certbench: probe usb: out of memory\n", stderr);
		return CLI_EXIT_SOFTWARE;
	}
	for (k = 0; k < n; k++) {
		d = json_object();
		snprintf(id, sizeof(id), "%04x", v[k].vid);
		json_object_set_new(d, "vendor_id", json_string(id));
		snprintf(id, sizeof(id), "%04x", v[k].pid);
		json_object_set_new(d, "product_id", json_string(id));
		json_object_set_new(d, "serial", json_string(v[k].serial));
		json_object_set_new(d, "manufacturer",
				    json_string(v[k].manufacturer));
		json_object_set_new(d, "description",
				    json_string(v[k].description));
		json_object_set_new(d, "bus", json_integer(v[k].bus));
		json_object_set_new(d, "address", json_integer(v[k].addr));
		json_array_append_new(arr, d);
	}
	json_object_set_new(root, "ftdi", arr);
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
	return 0;
}

/* Column widths fit the longest value, so the table stays aligned. */
static void pu_table(const struct hw_ftdi_dev *v, size_t n)
{
	int ws = 6, wm = 12, wd = 11, l;
	size_t k;

	for (k = 0; k < n; k++) {
		if ((l = (int)strlen(v[k].serial)) > ws)
			ws = l;
		if ((l = (int)strlen(v[k].manufacturer)) > wm)
			wm = l;
		if ((l = (int)strlen(v[k].description)) > wd)
			wd = l;
	}
	printf("%-9s  %-*s  %-*s  %-*s  %s\n", "VID:PID", ws, "SERIAL", wm,
	       "MANUFACTURER", wd, "DESCRIPTION", "URI");
	for (k = 0; k < n; k++)
		printf("%04x:%04x  %-*s  %-*s  %-*s  ftdi://%04x:%04x%s%s\n",
		       v[k].vid, v[k].pid, ws, v[k].serial, wm,
		       v[k].manufacturer, wd, v[k].description, v[k].vid,
		       v[k].pid, v[k].serial[0] ? "/" : "", v[k].serial);
}

static int pu_run(int json)
{
	struct hw_ftdi_dev *v = NULL;
	struct cb_error err = {0};
	size_t n = 0;
	int rc = 0;

	if (hw_ftdi_list(&v, &n, &err)) {
		fprintf(stderr, "certbench: probe usb: %s\n", err.text);
		return CLI_EXIT_SOFTWARE;
	}
	if (json)
		rc = pu_json(v, n);
	else if (!n)
		puts("no FTDI device attached");
	else
		pu_table(v, n);
	free(v);
	return rc;
}

#else

static int pu_run(int json)
{
	(void)json;
	fputs("certbench: probe usb: built without libftdi1\n", stderr);
	return CLI_EXIT_SOFTWARE;
}

#endif

int probe_usb_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", 0, NULL, 'j'},
		{"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, json = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'j') {
			fputs(PU_USAGE, stderr);
			return CLI_EXIT_USAGE;
		}
		json = 1;
	}
	if (optind != argc) {
		fputs(PU_USAGE, stderr);
		return CLI_EXIT_USAGE;
	}
	return pu_run(json);
}
