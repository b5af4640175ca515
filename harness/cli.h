/*
 * cli.h - the command table and exit codes.
 *
 * A git-style table { name, fn, flags, summary }: cli_main() does the
 * common set-up the flags ask for (library init, colour) and calls the
 * command.  One cmd_<name>.c per command.
 */
#ifndef CLI_H
#define CLI_H

struct cb_error;

#define CLI_EXIT_PASS 0	    /* conformant: every verdict PASS or NA */
#define CLI_EXIT_FAIL 1	    /* non-conformities found (or verify failed) */
#define CLI_EXIT_DRAFT 2    /* incomplete: INCONCLUSIVE or ERROR verdicts */
#define CLI_EXIT_USAGE 64   /* bad command line */
#define CLI_EXIT_DATAERR 65 /* bad input file: file:line:column: message */
#define CLI_EXIT_SOFTWARE 70 /* internal error */

enum cli_flags {
	CLI_NEEDS_NET = 1 << 0, /* initialise libcurl before the command */
};

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	const char *summary;
	const char *usage;
};

int cli_main(int argc, char **argv);

/* Print "certbench: <formatted error>" to stderr. */
void cli_error(const struct cb_error *err);
/* Print usage for a command to stderr and return CLI_EXIT_USAGE. */
int cli_usage(const char *cmd);
/* Colour on stdout? (a TTY and no NO_COLOR) */
int cli_color(int fd);
/* Exit code for a failed load: 65 for input problems, else 70. */
int cli_exit_for(int code);

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_probe(int argc, char **argv);
/* 'probe ports' and 'probe tls' (argv[0] is "ports" / "tls"). */
int probe_ports_main(int argc, char **argv);
int probe_tls_main(int argc, char **argv);
/* 'probe usb' (argv[0] is "usb"): the FTDI chips attached. */
int probe_usb_main(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* 'certbench help steps': every step with its parameters. */
void cli_help_steps(void);

#endif /* CLI_H */
