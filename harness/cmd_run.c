/*
 * cmd_run.c - 'certbench run': check all input, run the selected test
 * cases, write and sign the report, print a summary.
 *
 * Exit status: 0 conformant, 1 non-conformities, 2 draft (INCONCLUSIVE or
 * ERROR verdicts), 65 bad input (nothing was run), 70 bench failure.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/cli.h"
#include "harness/paths.h"
#include "harness/progress.h"
#include "harness/record.h"
#include "harness/runner.h"
#include "reports/rpt.h"

enum run_long_opts { OPT_LAB = 256, OPT_SIGN, OPT_CERT, OPT_CASE,
		     OPT_TESTCASES, OPT_INTERACTIVE, OPT_QUIET, OPT_JOBS };

/* --jobs N: a whole number from 1 to RUN_JOBS_MAX. */
static int run_parse_jobs(const char *s, int *out)
{
	char *end;
	long n;

	n = strtol(s, &end, 10);
	if (end == s || *end || n < 1 || n > RUN_JOBS_MAX)
		return -1;
	*out = (int)n;
	return 0;
}

static int run_parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{"profile", 1, NULL, 'p'},
		{"answers", 1, NULL, 'a'},
		{"scheme", 1, NULL, 's'},
		{"out", 1, NULL, 'o'},
		{"lab", 1, NULL, OPT_LAB},
		{"sign", 1, NULL, OPT_SIGN},
		{"cert", 1, NULL, OPT_CERT},
		{"case", 1, NULL, OPT_CASE},
		{"testcases", 1, NULL, OPT_TESTCASES},
		{"interactive", 0, NULL, OPT_INTERACTIVE},
		{"quiet", 0, NULL, OPT_QUIET},
		{"jobs", 1, NULL, OPT_JOBS},
		{NULL, 0, NULL, 0},
	};
	char **tmp;
	int c;

	while ((c = getopt_long(argc, argv, "p:a:s:o:qj:", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p': o->profile = optarg; break;
		case 'a': o->answers = optarg; break;
		case 's': o->scheme = optarg; break;
		case 'o': o->out_dir = optarg; break;
		case OPT_LAB: o->lab = optarg; break;
		case OPT_SIGN: o->sign_key = optarg; break;
		case OPT_CERT: o->sign_cert = optarg; break;
		case OPT_TESTCASES: o->testcases = optarg; break;
		case OPT_INTERACTIVE: o->interactive = 1; break;
		case 'q':
		case OPT_QUIET: o->quiet = 1; break;
		case 'j':
		case OPT_JOBS:
			if (run_parse_jobs(optarg, &o->jobs))
				return -1;
			break;
		case OPT_CASE:
			tmp = realloc(o->cases, (o->ncases + 1) * sizeof(*tmp));
			if (!tmp)
				return -1;
			o->cases = tmp;
			o->cases[o->ncases++] = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || !o->profile || !o->sign_key != !o->sign_cert)
		return -1;
	return 0;
}

/* First non-passing rationale of a case, for the summary. */
static const char *run_why(const struct case_result *cr, const char **unit,
			   const char **sample)
{
	size_t u, p;

	*unit = *sample = NULL;
	/* A finding says more than a note on what could not be assessed. */
	if (cr->reason && cr->verdict != CB_V_FAIL)
		return cr->reason;
	for (u = 0; u < cr->nunits; u++) {
		for (p = 0; p < cr->units[u].nper; p++) {
			if (cr->units[u].per[p].verdict != cr->verdict)
				continue;
			*unit = cr->units[u].unit->id;
			*sample = cr->units[u].per[p].sample;
			return cr->units[u].per[p].why;
		}
	}
	return cr->reason;
}

static void run_summary(const struct run_ctx *r, int color, int signed_)
{
	const struct case_result *cr;
	const char *why, *unit, *sample, *vn;
	enum cb_verdict overall = run_overall(r);
	size_t k;

	printf("\ncertbench: %s (%s), %zu test case%s on %zu sample%s, "
	       "%lld s\n\n",
	       json_string_value(json_object_get(r->prof.product, "name")),
	       r->prof.product_id, r->nsel, r->nsel == 1 ? "" : "s",
	       r->nsamples, r->nsamples == 1 ? "" : "s",
	       (long long)(r->finished - r->started));
	printf("  %-10s %-9s %-11s %-13s %s\n", "test case", "provision",
	       "kind", "verdict", "title");
	for (k = 0; k < r->nsel; k++) {
		cr = &r->results[k];
		vn = cb_verdict_name(cr->verdict);
		printf("  %-10s %-9s %-11s %s%-13s%s %s\n", cr->tc->id,
		       cr->tc->provision, cr->tc->kind,
		       progress_colour(vn, color), vn, color ? "\033[0m" : "",
		       cr->tc->title);
		if (cr->verdict == CB_V_PASS || cr->verdict == CB_V_NA)
			continue;
		why = run_why(cr, &unit, &sample);
		if (why)
			printf("  %-10s   %s%s%s%s%s%.300s\n", "",
			       unit ? "unit " : "", unit ? unit : "",
			       sample ? " on " : "", sample ? sample : "",
			       unit ? ": " : "", why);
	}
	vn = cb_verdict_name(overall);
	printf("\n  overall verdict: %s%s%s (%s report)\n",
	       progress_colour(vn, color), vn, color ? "\033[0m" : "",
	       cb_verdict_final(overall) ? "final" : "draft");
	printf("  run directory:   %s\n", r->dir);
	printf("  report:          %s/report.json%s\n", r->dir,
	       signed_ ? " (signed: report.json.p7s)" : " (not signed)");
}

/* Copy the scripts that ran into the run directory, byte for byte. */
static int run_copy_scripts(const struct run_ctx *r, struct cb_error *err)
{
	char dir[PATH_MAX + 16], name[256];
	size_t k;
	int rc;

	snprintf(dir, sizeof(dir), "%s/scripts", r->dir);
	if (cb_mkdirs(dir, 0755))
		return cb_error_set_os(err, CB_EIO, "cannot create %s", dir);
	for (k = 0; k < r->nsel; k++) {
		snprintf(name, sizeof(name), "%s.json", r->sel[k]->id);
		rc = rpt_write_file(dir, name, r->sel[k]->doc.text,
				    r->sel[k]->doc.text_len, err);
		if (rc)
			return rc;
	}
	return CB_OK;
}

static int run_finish(struct run_ctx *r, struct cb_error *err)
{
	json_t *rec = NULL;
	int rc;

	rc = run_copy_scripts(r, err);
	if (!rc)
		rc = record_build(&rec, r, err);
	if (!rc)
		rc = rpt_write_json(r->dir, rec, err);
	if (!rc && r->opts->sign_key)
		rc = rpt_sign_dir(r->dir, r->opts->sign_key, r->opts->sign_cert,
				  err);
	json_decref(rec);
	return rc;
}

static int run_exit_code(enum cb_verdict v)
{
	if (v == CB_V_FAIL)
		return CLI_EXIT_FAIL;
	if (!cb_verdict_final(v))
		return CLI_EXIT_DRAFT;
	return CLI_EXIT_PASS;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {0};
	struct cb_error err = {0};
	struct run_ctx r;
	int rc;

	if (run_parse(argc, argv, &o)) {
		free(o.cases);
		return cli_usage("run");
	}
	rc = run_prepare(&r, &o, &err);
	if (rc) {
		cli_error(&err);
		run_release(&r);
		free(o.cases);
		return cli_exit_for(rc);
	}
	progress_enable(!o.quiet && isatty(2), cli_color(2));
	rc = run_execute(&r, &err);
	progress_end();
	if (!rc)
		rc = run_finish(&r, &err);
	if (rc) {
		cli_error(&err);
		rc = CLI_EXIT_SOFTWARE;
	} else {
		if (o.quiet)
			printf("%s\n", r.dir); /* for scripts */
		else
			run_summary(&r, cli_color(1), o.sign_key != NULL);
		rc = run_exit_code(run_overall(&r));
	}
	run_release(&r);
	free(o.cases);
	return rc;
}
