/*
 * cli.c - command table, dispatch, common options and exit codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cli.h"
#include "harness/version.h"
#include "hw-adapters/hw.h"

static const struct cli_cmd cli_cmds[] = {
	{"help", cmd_help, 0, "show commands, or the steps scripts can use",
	 "help [steps|COMMAND]"},
	{"lint", cmd_lint, 0, "check scripts, profiles, answers and lab files",
	 "lint FILE..."},
	{"list", cmd_list, 0, "list test cases, provisions and schemes",
	 "list [-s SCHEME]"},
	{"probe", cmd_probe, CLI_NEEDS_NET,
	 "one engine against one target, for exploration and benchmarks",
	 "probe login URL|tcp://HOST:PORT|tty:///DEV --user U --list FILE\n"
	 "              [--concurrency N] [--form TEMPLATE | --basic | "
	 "--digest] [--ca CA] [--show]\n"
	 "       certbench probe ports HOST [-p RANGE] [--udp[=PORTS]] "
	 "[--json] [--timeout MS]\n"
	 "              [--parallel N] [--banner MS]\n"
	 "       certbench probe tls HOST:PORT [--sni NAME] [--ca FILE] "
	 "[--json] [--timeout MS]\n"
	 "              [--parallel N]\n"
	 "       certbench probe usb [--json]"},
	{"run", cmd_run, CLI_NEEDS_NET, "run test cases against the samples",
	 "run -p PROFILE [-a ANSWERS] [-s SCHEME] [-o DIR] [--lab LAB]\n"
	 "              [--sign KEY --cert CERT] [--case ID]... "
	 "[--interactive] [--quiet]\n"
	 "              [--jobs N]"},
	{"verify", cmd_verify, 0,
	 "check a run directory's signature, evidence chain and hashes",
	 "verify RUN_DIR --ca CA.pem"},
};

#define NCMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

static const struct cli_cmd *cli_find(const char *name)
{
	size_t k;

	for (k = 0; k < NCMDS; k++)
		if (!strcmp(cli_cmds[k].name, name))
			return &cli_cmds[k];
	return NULL;
}

void cli_error(const struct cb_error *err)
{
	char buf[CB_ERROR_SOURCE_MAX + CB_ERROR_TEXT_MAX + 32];

	fprintf(stderr, "certbench: %s\n",
		cb_error_format(err, buf, sizeof(buf)));
}

int cli_usage(const char *cmd)
{
	const struct cli_cmd *c = cmd ? cli_find(cmd) : NULL;

	if (c)
		fprintf(stderr, "usage: certbench %s\n", c->usage);
	else
		fprintf(stderr, "usage: certbench COMMAND [ARGS]; "
				"'certbench help' lists the commands\n");
	return CLI_EXIT_USAGE;
}

int cli_color(int fd)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fd) && !(nc && *nc);
}

int cli_exit_for(int code)
{
	switch (code) {
	case CB_EINVAL:
	case CB_ENODEV:
	case CB_ETOOBIG:
		return CLI_EXIT_DATAERR;
	default:
		return CLI_EXIT_SOFTWARE;
	}
}

int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *c;
	size_t k;

	if (argc > 1 && !strcmp(argv[1], "steps")) {
		cli_help_steps();
		return 0;
	}
	if (argc > 1 && (c = cli_find(argv[1]))) {
		printf("usage: certbench %s\n\n%s\n", c->usage, c->summary);
		return 0;
	}
	printf("certbench %s - ETSI EN 303 645 / TS 103 701 test harness\n\n"
	       "usage: certbench COMMAND [ARGS]\n\n",
	       CB_VERSION);
	for (k = 0; k < NCMDS; k++)
		printf("  %-8s %s\n", cli_cmds[k].name, cli_cmds[k].summary);
	printf("\nExit codes: 0 conformant, 1 non-conformities found, 2 "
	       "incomplete (draft),\n64 usage, 65 bad input file, 70 "
	       "internal error.\n");
	return 0;
}

int cli_main(int argc, char **argv)
{
	const struct cli_cmd *c;
	struct cb_error err = {0};
	int rc;

	if (argc < 2)
		return cli_usage(NULL);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("certbench %s (%s)\n", CB_VERSION, cb_git_rev());
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	c = cli_find(argv[1]);
	if (!c) {
		fprintf(stderr, "certbench: '%s' is not a command\n", argv[1]);
		return cli_usage(NULL);
	}
	if ((c->flags & CLI_NEEDS_NET) && hw_global_init(&err)) {
		cli_error(&err);
		return CLI_EXIT_SOFTWARE;
	}
	rc = c->fn(argc - 1, argv + 1);
	if (c->flags & CLI_NEEDS_NET)
		hw_global_cleanup();
	return rc;
}
