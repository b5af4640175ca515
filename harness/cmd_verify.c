/*
 * cmd_verify.c - 'certbench verify RUN_DIR --ca CA.pem': what a regulator
 * runs on a lab's run directory.  Prints one line per check; exits 0 when
 * everything holds, 1 when anything does not (naming the file).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness/cb_error.h"
#include "harness/cli.h"
#include "reports/rpt.h"

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"ca", 1, NULL, 'c'},
					     {NULL, 0, NULL, 0}};
	const char *ca = getenv("CERTBENCH_CA");
	struct cb_error err = {0};
	int c;

	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (c != 'c')
			return cli_usage("verify");
		ca = optarg;
	}
	if (optind + 1 != argc || !ca)
		return cli_usage("verify");
	if (rpt_verify_dir(argv[optind], ca, stdout, &err)) {
		cli_error(&err);
		return CLI_EXIT_FAIL;
	}
	printf("verified: %s\n", argv[optind]);
	return 0;
}
