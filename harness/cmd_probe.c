/*
 * cmd_probe.c - 'certbench probe': one engine against one target, for a
 * lab's exploratory testing and for benchmarks.  No profile, no report,
 * no evidence file.
 *
 *   probe login URL|tcp://H:P|tty:///dev/X --user U --list FILE
 *         [--concurrency N] [--form TEMPLATE | --basic | --digest]
 *         [--ca FILE] [--show]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/auth.h"
#include "harness/bruteforce.h"
#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/cli.h"
#include "harness/console.h"
#include "hw-adapters/hw.h"

#define PROBE_MAX_LIST 1000000

struct probe_opts {
	const char *target, *user, *list, *form, *ca;
	int concurrency, show;
	enum auth_surface surface;
};

/* Read a password list: one per line, '\r' stripped, bounded. */
static int probe_read_list(const char *path, struct cb_buf *b, char ***out,
			   size_t *n, struct cb_error *err)
{
	char *p, *nl;
	size_t cap = 0;
	char **v = NULL, **tmp;
	int rc;

	*out = NULL;
	*n = 0;
	rc = cb_buf_read_file(b, path, 256u << 20, err);
	if (rc)
		return rc;
	for (p = b->data; p && *p && *n < PROBE_MAX_LIST; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		if (nl && nl - 2 >= p && nl[-2] == '\r')
			nl[-2] = '\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			tmp = realloc(v, cap * sizeof(*v));
			if (!tmp) {
				free(v);
				return cb_error_set(err, CB_ENOMEM,
						    "out of memory");
			}
			v = tmp;
		}
		v[(*n)++] = p;
	}
	*out = v;
	return CB_OK;
}

/* The mechanism a target URI and options describe. */
static json_t *probe_mech_json(const struct probe_opts *o, char *base,
			       size_t blen)
{
	struct hw_uri u;
	json_t *m;

	if (hw_uri_parse(&u, o->target, NULL))
		return NULL;
	m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", "probe",
		      "login_prompt", "(login|[Uu]sername): ?$",
		      "password_prompt", "[Pp]assword: ?$", "shell_prompt",
		      "[$#>] ?$", "failure",
		      "([Ii]ncorrect|[Ff]ail|[Dd]enied|[Ii]nvalid)", "logout",
		      "exit");
	if (!strcmp(u.scheme, "tcp")) {
		json_object_set_new(m, "surface", json_string("telnet"));
		json_object_set_new(m, "port", json_integer(u.port));
		snprintf(base, blen, "%s", u.host);
	} else if (!strcmp(u.scheme, "tty")) {
		json_object_set_new(m, "surface", json_string("console"));
	} else {
		json_object_set_new(m, "surface",
				    json_string(o->form ? "http-form"
						: o->surface == AUTH_HTTP_DIGEST
							? "http-digest"
							: "http-basic"));
		json_object_set_new(m, "path", json_string(u.path[0] ? u.path
								     : "/"));
		if (o->form)
			json_object_set_new(m, "body", json_string(o->form));
		snprintf(base, blen, "%s://%s:%d/", u.scheme, u.host,
			 u.port ? u.port : !strcmp(u.scheme, "https") ? 443
								      : 80);
	}
	hw_uri_release(&u);
	return m;
}

static int probe_login_run(const struct probe_opts *o, char **list, size_t n)
{
	struct cb_error err = {0};
	struct auth_mech m;
	struct auth_target t = {.label = "probe", .ca_file = o->ca};
	struct hw_adapter *tty = NULL;
	struct console con;
	struct bf_job job = {0};
	struct bf_out out;
	struct bf_stats st;
	char base[600] = "", rate[32];
	json_t *mj = probe_mech_json(o, base, sizeof(base));
	int rc;

	if (!mj || auth_mech_init(&m, mj, &err)) {
		fprintf(stderr, "certbench: %s: %s\n", o->target,
			mj ? err.text : "not a URI");
		json_decref(mj);
		return CLI_EXIT_USAGE;
	}
	if (m.surface == AUTH_TELNET)
		t.host = base;
	else if (m.surface != AUTH_CONSOLE)
		t.http_base = base;
	else if (hw_adapter_open(&tty, NULL, o->target, "probe", NULL, NULL,
				 &err) == CB_OK) {
		console_init(&con, tty);
		t.console = &con;
	}
	job.m = &m;
	job.t = &t;
	job.user = o->user;
	job.list = (const char *const *)list;
	job.nlist = n;
	job.concurrency = o->concurrency;
	job.max_attempts = n;
	job.time_limit_ms = 24LL * 3600 * 1000;
	job.stop_on_accept = 1;
	rc = err.code ? err.code : bf_run(&job, &out, &err);
	if (rc) {
		cli_error(&err);
		rc = CLI_EXIT_SOFTWARE;
		goto out;
	}
	bf_stats(&out, &st);
	bf_rate_str(rate, sizeof(rate), st.rate_x100);
	printf("target      %s (%s)\nconcurrency %d\nattempts    %zu in "
	       "%lld ms\nrate        %s attempts/s\nlatency     p50 %lld ms, "
	       "p90 %lld ms, p99 %lld ms\nrefused     %zu, locked %zu, "
	       "errors %zu%s%s\n",
	       o->target, auth_surface_name(m.surface), o->concurrency,
	       st.attempts, (long long)out.elapsed_ms, rate,
	       (long long)st.p50, (long long)st.p90, (long long)st.p99,
	       st.refused, st.locked, st.errors,
	       out.first_error[0] ? " (first: " : "",
	       out.first_error[0] ? out.first_error : "");
	if (out.first_error[0])
		printf(")\n");
	if (out.found[0])
		printf("found       %s/%s (list line %zu)\n", o->user,
		       o->show ? out.found : "******", out.found_index + 1);
	else
		printf("found       nothing\n");
	rc = out.found[0] ? 0 : CLI_EXIT_FAIL;
	bf_out_release(&out);
out:
	if (tty) {
		console_release(&con);
		hw_adapter_free(tty);
	}
	auth_mech_release(&m);
	json_decref(mj);
	return rc;
}

static int probe_login(int argc, char **argv)
{
	static const struct option opts[] = {
		{"user", 1, NULL, 'u'},	       {"list", 1, NULL, 'l'},
		{"concurrency", 1, NULL, 'c'}, {"form", 1, NULL, 'f'},
		{"basic", 0, NULL, 'b'},       {"digest", 0, NULL, 'd'},
		{"ca", 1, NULL, 'a'},	       {"show", 0, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	struct probe_opts o = {.concurrency = 1, .surface = AUTH_HTTP_BASIC};
	struct cb_error err = {0};
	struct cb_buf b;
	char **list = NULL;
	size_t n = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "u:l:c:f:bda:s", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'u': o.user = optarg; break;
		case 'l': o.list = optarg; break;
		case 'c': o.concurrency = atoi(optarg); break;
		case 'f': o.form = optarg; break;
		case 'b': o.surface = AUTH_HTTP_BASIC; break;
		case 'd': o.surface = AUTH_HTTP_DIGEST; break;
		case 'a': o.ca = optarg; break;
		case 's': o.show = 1; break;
		default: return cli_usage("probe");
		}
	}
	if (optind + 1 != argc || !o.user || !o.list || o.concurrency < 1 ||
	    o.concurrency > 256)
		return cli_usage("probe");
	o.target = argv[optind];
	if (probe_read_list(o.list, &b, &list, &n, &err)) {
		cli_error(&err);
		return cli_exit_for(err.code);
	}
	rc = probe_login_run(&o, list, n);
	free(list);
	cb_buf_release(&b);
	return rc;
}

int cmd_probe(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "login"))
		return probe_login(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "ports"))
		return probe_ports_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "tls"))
		return probe_tls_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "usb"))
		return probe_usb_main(argc - 1, argv + 1);
	return cli_usage("probe");
}
