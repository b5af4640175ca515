/*
 * runner.c - prepare (load and check all input) and execute a run.
 *
 * Units run their steps in order and stop at the first step that does
 * not pass.  'each_sample' units run once per sample, 'sample_pairs' once
 * per sample with the next sample as ${other}.  A unit that requires an
 * earlier unit is INCONCLUSIVE unless that unit passed (for the same
 * sample where both run per sample): a failed positive control makes the
 * later observations meaningless.
 *
 * Parallel samples (runner.h): a case is cut into parts at every 'once'
 * unit and before every 'sample_pairs' unit; a part (a pairs unit, then
 * 'each_sample' units) runs on a pool of workers, one sample per worker,
 * and is joined before the next unit.  Each worker expands ${...} in its
 * own shallow copy of the case context, in which ${samples} and ${other}
 * are snapshots taken when the part started: the live sample objects
 * change under their own workers only.  With one job, or
 * one sample, everything runs on the calling thread as it always did.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness/cb_error.h"
#include "harness/cb_time.h"
#include "harness/evidence.h"
#include "harness/paths.h"
#include "harness/progress.h"
#include "harness/runner.h"
#include "harness/step.h"
#include "harness/subst.h"
#include "harness/version.h"
#include "hw-adapters/hw.h"

#define RUN_CATALOG "testcases/catalog/en303645-v2.1.1.json"
#define RUN_SCRIPTS "testcases/en303645"
#define RUN_DATA "testcases/data"
#define STEP_VALUE_MAX 4096 /* larger step values stay out of step records */

static const char *const lab_req[] = {"certbench_lab", "name", NULL};
static const char *const lab_opt[] = {"address", "location", "accreditation",
				      "contact", "authoriser", NULL};

static int run_load_lab(struct run_ctx *r, const char *path,
			struct cb_error *err)
{
	struct cb_json_doc d;
	int rc;

	rc = cb_json_load(&d, path, err);
	if (rc)
		return rc;
	rc = cb_json_check_keys(&d, d.root, "lab file", lab_opt, lab_req, err);
	if (!rc) {
		cb_sha256_hex(r->lab_sha256, d.text, d.text_len);
		r->lab = json_incref(d.root);
		json_object_del(r->lab, "certbench_lab");
	}
	cb_json_release(&d);
	return rc;
}

static int run_load_data(struct run_ctx *r, struct cb_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX * 2], stem[256];
	struct cb_json_doc d;
	struct dirent **ents = NULL;
	char sha[CB_SHA256_HEX];
	int n, k, rc = CB_OK;
	size_t len;

	r->data = json_object();
	r->data_files = json_array();
	cb_path_join(dir, sizeof(dir), r->datadir, RUN_DATA);
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		cb_error_set_os(err, CB_ENODEV, "cannot read");
		cb_error_at(err, dir, 0, 0);
		return CB_ENODEV;
	}
	for (k = 0; k < n; k++) {
		len = strlen(ents[k]->d_name);
		if (rc || len < 6 || strcmp(ents[k]->d_name + len - 5, ".json"))
			continue;
		cb_path_join(path, sizeof(path), dir, ents[k]->d_name);
		rc = cb_json_load(&d, path, err);
		if (rc)
			continue;
		cb_path_stem(stem, sizeof(stem), path);
		cb_sha256_hex(sha, d.text, d.text_len);
		json_object_set(r->data, stem, d.root);
		json_array_append_new(r->data_files,
				      json_pack("{s:s,s:s}", "name", stem,
						"sha256", sha));
		cb_json_release(&d);
	}
	for (k = 0; k < n; k++)
		free(ents[k]);
	free(ents);
	return rc;
}

static int run_select(struct run_ctx *r, struct cb_error *err)
{
	const struct run_opts *o = r->opts;
	const struct tc_case *tc;
	json_t *v;
	size_t k, j;
	int in_scheme;

	r->sel = calloc(r->set.n + 1, sizeof(*r->sel));
	if (!r->sel)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	for (k = 0; k < o->ncases; k++)
		if (!tc_set_find(&r->set, o->cases[k]))
			return cb_error_set(err, CB_EINVAL,
					    "no test case '%s'", o->cases[k]);
	for (k = 0; k < r->set.n; k++) {
		tc = &r->set.cases[k];
		if (o->ncases) {
			for (j = 0; j < o->ncases; j++)
				if (!strcmp(o->cases[j], tc->id))
					break;
			if (j == o->ncases)
				continue;
		}
		if (r->have_scheme) {
			in_scheme = 0;
			json_array_foreach(r->scheme.provisions, j, v)
				if (!strcmp(json_string_value(v), tc->provision))
					in_scheme = 1;
			if (!in_scheme)
				continue;
		}
		r->sel[r->nsel++] = tc;
	}
	if (!r->nsel)
		return cb_error_set(err, CB_EINVAL, "no test case selected");
	return CB_OK;
}

static int run_find_mech(struct run_ctx *r, struct cb_error *err)
{
	json_t *mechs = json_object_get(r->prof.ixit, "1-AuthMech"), *m;
	size_t k;
	int rc;

	r->mechs = calloc(json_array_size(mechs) + 1, sizeof(*r->mechs));
	if (!r->mechs)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	json_array_foreach(mechs, k, m) {
		rc = auth_mech_init(&r->mechs[k], m, err);
		if (rc) {
			cb_json_fail(&r->prof.doc, m, err, "%s", err->text);
			return rc;
		}
		r->nmechs++;
		if (!r->con_mech && r->mechs[k].surface == AUTH_CONSOLE)
			r->con_mech = &r->mechs[k].con;
	}
	return CB_OK;
}

int run_prepare(struct run_ctx *r, const struct run_opts *o,
		struct cb_error *err)
{
	char path[PATH_MAX];
	int rc;

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->excl, NULL);
	r->opts = o;
	r->datadir = cb_datadir();
	cb_path_join(path, sizeof(path), r->datadir, RUN_CATALOG);
	rc = catalog_load(&r->cat, path, err);
	if (!rc)
		rc = profile_load(&r->prof, o->profile, &r->cat, err);
	if (!rc && o->answers) {
		rc = answers_load(&r->ans, o->answers, err);
		r->have_answers = !rc;
	}
	if (!rc && o->lab)
		rc = run_load_lab(r, o->lab, err);
	if (!rc && o->scheme) {
		rc = scheme_load(&r->scheme, r->datadir, o->scheme, &r->cat,
				 err);
		r->have_scheme = !rc;
	}
	if (!rc) {
		if (o->testcases)
			snprintf(path, sizeof(path), "%s", o->testcases);
		else
			cb_path_join(path, sizeof(path), r->datadir,
				     RUN_SCRIPTS);
		rc = tc_set_load(&r->set, path, &r->cat, NULL, 0, err);
	}
	if (!rc && r->have_answers)
		rc = answers_check(&r->ans, &r->set, err);
	if (!rc)
		rc = run_load_data(r, err);
	if (!rc)
		rc = run_select(r, err);
	if (!rc)
		rc = run_find_mech(r, err);
	return rc;
}

static void run_free_sample(struct run_sample *s)
{
	run_scan_forget(s);
	console_release(&s->console);
	hw_adapter_free(s->console_hw);
	hw_adapter_free(s->http);
	hw_adapter_free(s->web);
	json_decref(s->ctx);
}

void run_release(struct run_ctx *r)
{
	size_t k, u, p;

	if (!r)
		return;
	for (k = 0; r->results && k < r->nsel; k++) {
		struct case_result *cr = &r->results[k];

		for (u = 0; u < cr->nunits; u++) {
			for (p = 0; p < cr->units[u].nper; p++)
				free(cr->units[u].per[p].why);
			free(cr->units[u].per);
		}
		free(cr->units);
		free(cr->reason);
	}
	free(r->results);
	for (k = 0; k < r->nsamples; k++)
		run_free_sample(&r->samples[k]);
	free(r->samples);
	hw_adapter_free(r->web);
	ev_free(r->ev);
	for (k = 0; k < r->nmechs; k++)
		auth_mech_release(&r->mechs[k]);
	free(r->mechs);
	json_decref(r->ctx);
	json_decref(r->data);
	json_decref(r->data_files);
	json_decref(r->lab);
	free(r->sel);
	tc_set_release(&r->set);
	if (r->have_scheme)
		scheme_release(&r->scheme);
	if (r->have_answers)
		answers_release(&r->ans);
	profile_release(&r->prof);
	catalog_release(&r->cat);
	pthread_mutex_destroy(&r->excl);
	memset(r, 0, sizeof(*r));
}

/* ---- services for steps (step.h) ---- */

/* The context a unit on sample s expands ${...} in. */
static json_t *run_unit_ctx(struct run_ctx *r, struct run_sample *s)
{
	return s && s->uctx ? s->uctx : r->ctx;
}

/* The evidence handle that stamps the records of a unit on sample s. */
static struct ev_log *run_ev(struct run_ctx *r, struct run_sample *s)
{
	return s ? &s->ev : r->ev;
}

json_t *step_samples(const struct step_run *sr)
{
	return json_object_get(run_unit_ctx(sr->run, sr->sample), "samples");
}

const char *step_sample_id(const struct run_sample *s)
{
	return s ? s->ps->id : NULL;
}

json_t *step_sample_json(const struct run_sample *s)
{
	return s ? s->ctx : NULL;
}

static char *sample_label(const struct run_sample *s, const char *what,
			  char *buf, size_t len)
{
	snprintf(buf, len, "%s.%s", s->ps->id, what);
	return buf;
}

const struct auth_mech *step_mechs(const struct step_run *sr, size_t *n)
{
	*n = sr->run->nmechs;
	return sr->run->mechs;
}

int step_target(struct step_run *sr, struct run_sample *s, int console,
		struct auth_target *t)
{
	struct console *con = NULL;

	memset(t, 0, sizeof(*t));
	t->label = s->ps->id;
	t->host = s->host[0] ? s->host : NULL;
	t->http_base = s->ps->http;
	t->ca_file = sr->run->prof.ca_file;
	if (console && s->ps->console) {
		if (step_console(sr, s, &con))
			return sr->err.code;
		t->console = con;
	}
	return CB_OK;
}

hw_tap_fn *step_tap(const struct step_run *sr, void **ctx)
{
	*ctx = run_ev(sr->run, sr->sample);
	return ev_tap;
}

const struct console_mech *step_mech(const struct step_run *sr)
{
	return sr->run->con_mech;
}

int step_console(struct step_run *sr, struct run_sample *s,
		 struct console **out)
{
	struct run_ctx *r = sr->run;
	char label[128];
	int rc;

	*out = NULL;
	if (!r->con_mech)
		return cb_error_set(&sr->err, CB_ENOTSUP,
				    "IXIT 1-AuthMech documents no console "
				    "login");
	if (!s->ps->console)
		return cb_error_set(&sr->err, CB_ENOTSUP,
				    "sample %s has no console adapter",
				    s->ps->id);
	if (!s->console_hw) {
		rc = hw_adapter_open(&s->console_hw, NULL, s->ps->console,
				     sample_label(s, "console", label,
						  sizeof(label)),
				     ev_tap, &s->ev, &sr->err);
		if (rc && s->console_lost)
			step_say(sr, "the console of %s hung up in an earlier "
				 "step and cannot be opened again",
				 s->ps->id);
		if (rc)
			return rc;
		s->console_lost = 0;
		console_init(&s->console, s->console_hw);
	}
	*out = &s->console;
	return CB_OK;
}

/* Forget a console whose adapter failed, so the next step reopens it. */
static void run_drop_console(struct run_sample *s)
{
	console_release(&s->console);
	hw_adapter_free(s->console_hw);
	s->console_hw = NULL;
	s->console_lost = 1;
}

int step_http(struct step_run *sr, const char *url, struct hw_adapter **out)
{
	struct run_ctx *r = sr->run;
	struct run_sample *s = sr->sample;
	char label[128];

	*out = NULL;
	if (strstr(url, "://")) {
		/* One client per sample: workers never share a handle. */
		struct hw_adapter **web = s ? &s->web : &r->web;

		if (!*web && hw_adapter_open(web, &hw_http_ops, "https:", "web",
					     ev_tap, run_ev(r, s), &sr->err))
			return sr->err.code;
		*out = *web;
		return CB_OK;
	}
	if (!s || !s->ps->http)
		return cb_error_set(&sr->err, CB_ENOTSUP,
				    "relative URL '%s' but the sample has no "
				    "http adapter",
				    url);
	if (!s->http && hw_adapter_open(&s->http, &hw_http_ops, s->ps->http,
					sample_label(s, "http", label,
						     sizeof(label)),
					ev_tap, &s->ev, &sr->err))
		return sr->err.code;
	*out = s->http;
	return CB_OK;
}

const char *step_ca_file(const struct step_run *sr)
{
	return sr->run->prof.ca_file;
}

struct ev_log *step_evidence(const struct step_run *sr)
{
	return run_ev(sr->run, sr->sample);
}

json_t *step_ixit(const struct step_run *sr, const char *section)
{
	return json_object_get(sr->run->prof.ixit, section);
}

json_t *step_data(const struct step_run *sr, const char *name)
{
	return json_object_get(sr->run->data, name);
}

json_t *step_answer(const struct step_run *sr)
{
	if (!sr->run->have_answers)
		return NULL;
	return answers_find(&sr->run->ans, sr->case_id, sr->unit_id);
}

int step_interactive(const struct step_run *sr)
{
	return sr->run->opts->interactive && isatty(0);
}

const char *step_run_dir(const struct step_run *sr)
{
	return sr->run->dir;
}

const struct profile_sample *step_sample_profile(const struct run_sample *s)
{
	return s ? s->ps : NULL;
}

int step_http_port(struct run_sample *s, int *tls)
{
	const char *base = s && s->ps ? s->ps->http : NULL;
	char *port = NULL, *scheme = NULL;
	CURLU *u;
	int n = 0;

	if (tls)
		*tls = 0;
	if (!base || !(u = curl_url()))
		return 0;
	if (!curl_url_set(u, CURLUPART_URL, base, 0) &&
	    !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
	    !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) {
		n = atoi(port);
		if (tls)
			*tls = !strcmp(scheme, "https");
	}
	curl_free(port);
	curl_free(scheme);
	curl_url_cleanup(u);
	return n;
}

void step_console_forget(struct run_sample *s)
{
	run_scan_forget(s);
	if (s && s->console_hw) {
		console_discard(&s->console);
		s->console.state = CON_UNKNOWN;
	}
}

long long step_now(const struct step_run *sr)
{
	(void)sr;
	return (long long)time(NULL);
}

/* ---- execution ---- */

static json_t *run_step_args(const struct tc_step *st, json_t *ctx,
			     struct cb_error *err)
{
	json_t *params = json_object(), *v, *e;
	const char *key;

	json_object_foreach(st->params, key, v) {
		if (tc_generic_key(key))
			continue;
		e = subst_expand(ctx, v, err);
		if (!e) {
			json_decref(params);
			return NULL;
		}
		json_object_set_new(params, key, e);
	}
	return params;
}

static int run_check_args(const struct tc_step *st, json_t *args,
			  struct cb_error *err)
{
	const char *key;
	char why[CB_ERROR_TEXT_MAX];
	json_t *v;

	json_object_foreach(args, key, v) {
		if (step_param_check(step_param_find(st->def, key), v, why,
				     sizeof(why)))
			return cb_error_set(err, CB_EINVAL, "%s", why);
	}
	return CB_OK;
}

static void run_record_step(struct ev_log *ev, const struct tc_step *st,
			    const struct step_run *sr, enum cb_verdict v)
{
	json_t *rec;
	char *dump;

	rec = json_pack("{s:s,s:s,s:s}", "type", "step", "step", st->def->name,
			"verdict", cb_verdict_name(v));
	json_object_set_new(rec, "rationale", json_string(cb_buf_str(&sr->why)));
	if (sr->err.code) {
		char eb[CB_ERROR_SOURCE_MAX + CB_ERROR_TEXT_MAX + 32];

		json_object_set_new(rec, "error",
				    json_string(cb_error_format(&sr->err, eb,
								sizeof(eb))));
	}
	if (sr->args)
		json_object_set(rec, "args", sr->args);
	if (sr->value) {
		dump = json_dumps(sr->value, JSON_COMPACT);
		if (dump && strlen(dump) <= STEP_VALUE_MAX)
			json_object_set(rec, "value", sr->value);
		else
			json_object_set_new(rec, "value_note",
					    json_string("large value; see the "
							"io records above"));
		free(dump);
	}
	ev_append(ev, rec, NULL, NULL);
}

/* Put a step's result where later steps find it. */
static void run_save(struct run_ctx *r, const struct tc_step *st,
		     struct run_sample *s, json_t *value)
{
	json_t *where = s ? s->ctx : r->ctx;

	json_object_set(where, st->save, value ? value : json_null());
}

/* After a step that may change a sample (NULL: any sample). */
static void run_forget_scans(struct run_ctx *r, struct run_sample *s)
{
	size_t k;

	if (s) {
		run_scan_forget(s);
		return;
	}
	for (k = 0; k < r->nsamples; k++)
		run_scan_forget(&r->samples[k]);
}

/* Run a step; one that must not overlap another sample's holds excl. */
static enum cb_verdict run_step_fn(struct run_ctx *r, struct step_run *sr)
{
	enum cb_verdict v;

	if (!(sr->def->needs & STEP_EXCLUSIVE))
		return sr->def->run(sr);
	pthread_mutex_lock(&r->excl);
	v = sr->def->run(sr);
	pthread_mutex_unlock(&r->excl);
	return v;
}

static enum cb_verdict run_one_step(struct run_ctx *r,
				    const struct tc_case *tc,
				    const struct tc_unit *u,
				    const struct tc_step *st,
				    struct run_sample *s, struct run_sample *o,
				    json_t *ctx, struct cb_buf *why)
{
	struct step_run sr = {.def = st->def, .run = r, .sample = s,
			      .other = o, .case_id = tc->id,
			      .unit_id = u->id};
	enum cb_verdict v;

	cb_buf_init(&sr.why, 8192);
	sr.args = run_step_args(st, ctx, &sr.err);
	if (!sr.args) {
		v = CB_V_INCONCLUSIVE;
	} else if (run_check_args(st, sr.args, &sr.err)) {
		v = CB_V_INCONCLUSIVE;
	} else {
		progress_step(s ? s->ps->id : NULL, st->def->name);
		v = run_step_fn(r, &sr);
		if (st->def->needs & STEP_CHANGES_DEVICE)
			run_forget_scans(r, s);
	}
	if (v == CB_V_FAIL && st->on_fail == CB_V_INCONCLUSIVE) {
		v = CB_V_INCONCLUSIVE;
		step_say(&sr, "this is a control: its failure makes the unit "
			      "inconclusive");
	}
	if (v == CB_V_ERROR && s && s->console_hw &&
	    sr.err.code == CB_ECLOSED)
		run_drop_console(s);
	run_record_step(run_ev(r, s), st, &sr, v);
	if (st->save && v == CB_V_PASS)
		run_save(r, st, s, sr.value);
	if (sr.why.len || sr.err.code) {
		if (why->len)
			cb_buf_adds(why, "; ", NULL);
		if (sr.why.len)
			cb_buf_adds(why, cb_buf_str(&sr.why), NULL);
		if (sr.err.code) {
			char eb[CB_ERROR_SOURCE_MAX + CB_ERROR_TEXT_MAX + 32];

			cb_buf_printf(why, NULL, "%s%s", sr.why.len ? ": " : "",
				      cb_error_format(&sr.err, eb, sizeof(eb)));
		}
	}
	json_decref(sr.args);
	json_decref(sr.value);
	cb_buf_release(&sr.why);
	return v;
}

/* Stamp what ev writes with this unit. */
static void run_scope(struct ev_log *ev, const char *case_id,
		      const char *unit_id, const char *sample_id)
{
	ev->case_id = case_id;
	ev->unit_id = unit_id;
	ev->sample_id = sample_id;
	ev->step_index = -1;
}

/*
 * On the calling thread (ctx is the case's) no worker runs, and a unit
 * may use any sample's adapters (a pair's other, every sample in a
 * 'once' unit): all views then carry the unit's context.  A worker
 * stamps its own view only.
 */
static void run_scope_set(struct run_ctx *r, struct ev_log *ev, json_t *ctx,
			  const char *case_id, const char *unit_id,
			  const char *sample_id)
{
	size_t k;

	if (ctx == r->ctx)
		for (k = 0; k < r->nsamples; k++)
			run_scope(&r->samples[k].ev, case_id, unit_id,
				  sample_id);
	run_scope(ev, case_id, unit_id, sample_id);
}

static void run_step_index(struct run_ctx *r, struct ev_log *ev, json_t *ctx,
			   int k)
{
	size_t j;

	if (ctx == r->ctx) {
		r->ev->step_index = k;
		for (j = 0; j < r->nsamples; j++)
			r->samples[j].ev.step_index = k;
	}
	ev->step_index = k;
}

/*
 * ctx is the case's context (the calling thread binds ${sample} and
 * ${other} in it) or a worker's, which has its ${sample} bound already.
 */
static enum cb_verdict run_steps(struct run_ctx *r, const struct tc_case *tc,
				 const struct tc_unit *u, struct run_sample *s,
				 struct run_sample *o, json_t *ctx,
				 struct cb_buf *why)
{
	struct ev_log *ev = run_ev(r, s);
	enum cb_verdict v = CB_V_PASS;
	size_t k;

	if (ctx == r->ctx) {
		if (s)
			json_object_set(ctx, "sample", s->ctx);
		else
			json_object_del(ctx, "sample");
		if (o)
			json_object_set(ctx, "other", o->ctx);
		else
			json_object_del(ctx, "other");
	}
	for (k = 0; k < u->nsteps && v == CB_V_PASS; k++) {
		run_step_index(r, ev, ctx, (int)k);
		v = run_one_step(r, tc, u, &u->steps[k], s, o, ctx, why);
	}
	run_step_index(r, ev, ctx, -1);
	return v;
}

/* Verdict of unit 'id' for sample index si (-1: the unit overall). */
static enum cb_verdict run_prior(const struct case_result *cr, const char *id,
				 long si)
{
	size_t k;

	for (k = 0; k < cr->nunits; k++) {
		const struct unit_result *ur = &cr->units[k];

		if (strcmp(ur->unit->id, id))
			continue;
		if (si >= 0 && ur->nper > 1 && (size_t)si < ur->nper)
			return ur->per[si].verdict;
		return ur->verdict;
	}
	return CB_V_NONE;
}

/* Empty when the unit may run for sample si, else the reason. */
static void run_requires(const struct case_result *cr,
			 const struct tc_unit *u, long si, long oi,
			 struct cb_buf *why)
{
	enum cb_verdict v;
	json_t *req;
	size_t k;

	json_array_foreach(u->requires, k, req) {
		v = run_prior(cr, json_string_value(req), si);
		if (v == CB_V_PASS && oi >= 0)
			v = run_prior(cr, json_string_value(req), oi);
		if (v != CB_V_PASS) {
			cb_buf_printf(why, NULL,
				      "not assessed: it depends on unit %s, "
				      "which is %s",
				      json_string_value(req),
				      cb_verdict_name(v));
			return;
		}
	}
}

/*
 * Run unit ur once, for sample si (-1: none) paired with oi (-1: none),
 * into res.  The caller combines res into ur->verdict.
 */
static void run_unit_for(struct run_ctx *r, const struct tc_case *tc,
			 struct case_result *cr, struct unit_result *ur,
			 struct sample_result *res, long si, long oi,
			 json_t *ctx)
{
	struct run_sample *s = si >= 0 ? &r->samples[si] : NULL;
	struct run_sample *o = oi >= 0 ? &r->samples[oi] : NULL;
	struct ev_log *ev = run_ev(r, s);
	struct cb_buf why;
	json_t *rec;

	cb_buf_init(&why, 16384);
	res->sample = s ? s->ps->id : NULL;
	run_scope_set(r, ev, ctx, tc->id, ur->unit->id, res->sample);
	progress_unit(tc->id, ur->unit->id, res->sample);
	ev_append(ev, json_pack("{s:s}", "type", "unit-start"),
		  &res->ev_first, NULL);
	if ((size_t)tc->needs_samples > r->nsamples &&
	    !tc_unit_per_sample(ur->unit))
		cb_buf_printf(&why, NULL,
			      "not assessed: this unit compares samples, and "
			      "the case needs %ld while the profile has %zu",
			      tc->needs_samples, r->nsamples);
	else
		run_requires(cr, ur->unit, si, oi, &why);
	if (why.len)
		res->verdict = CB_V_INCONCLUSIVE;
	else
		res->verdict = run_steps(r, tc, ur->unit, s, o, ctx, &why);
	/* Rationales go into the report: no secret in clear there either. */
	res->why = ev_mask(ev, cb_buf_str(&why), why.len, NULL);
	cb_buf_release(&why);
	rec = json_pack("{s:s,s:s,s:s}", "type", "unit-end", "verdict",
			cb_verdict_name(res->verdict), "rationale", res->why);
	if (o)
		json_object_set_new(rec, "other", json_string(o->ps->id));
	ev_append(ev, rec, &res->ev_last, NULL);
	ev_sync(ev, NULL);
	/* Between units a sample's adapters log without one. */
	run_scope_set(r, ev, ctx, NULL, NULL, NULL);
	if (!s)
		run_scope(ev, tc->id, ur->unit->id, NULL);
}

/* Start unit u's result; NULL (the unit ERROR) when out of memory. */
static struct unit_result *run_unit_new(struct run_ctx *r,
					struct case_result *cr,
					const struct tc_unit *u)
{
	struct unit_result *ur = &cr->units[cr->nunits++];
	size_t n = r->nsamples;

	ur->unit = u;
	ur->verdict = CB_V_NONE;
	ur->per = calloc(n ? n : 1, sizeof(*ur->per));
	if (!ur->per) {
		ur->verdict = CB_V_ERROR;
		return NULL;
	}
	return ur;
}

/* A unit on the calling thread: once, or per sample one after another. */
static void run_unit(struct run_ctx *r, const struct tc_case *tc,
		     struct case_result *cr, const struct tc_unit *u)
{
	struct unit_result *ur = run_unit_new(r, cr, u);
	struct sample_result *res;
	size_t n = r->nsamples, k;

	if (!ur)
		return;
	if (u->mode == TC_FOR_ONCE) {
		res = &ur->per[ur->nper++];
		run_unit_for(r, tc, cr, ur, res, -1, -1, r->ctx);
		ur->verdict = res->verdict;
		return;
	}
	for (k = 0; k < n; k++) {
		res = &ur->per[ur->nper++];
		run_unit_for(r, tc, cr, ur, res, (long)k,
			     u->mode == TC_FOR_SAMPLE_PAIRS
				     ? (long)((k + 1) % n)
				     : -1,
			     r->ctx);
		ur->verdict = cb_verdict_combine(ur->verdict, res->verdict);
	}
}

/*
 * A part: units [u0, u1) of a case, all 'each_sample', run for every
 * sample on a pool of workers.  Each worker takes the next sample and
 * runs all the part's units for it, in order, in that sample's context.
 */
struct run_part {
	struct run_ctx *r;
	const struct tc_case *tc;
	struct case_result *cr;
	size_t u0, u1;			/* indexes into cr->units */
	json_t **others;		/* each sample's ctx at the start, for
					 * ${other} in a 'sample_pairs' unit */
	pthread_mutex_t lock;		/* guards next */
	size_t next;			/* the next sample to take */
};

static void run_part_sample(struct run_part *p, size_t si)
{
	struct run_sample *s = &p->r->samples[si];
	size_t n = p->r->nsamples, k;
	struct unit_result *ur;
	long oi;

	for (k = p->u0; k < p->u1; k++) {
		ur = &p->cr->units[k];
		if (!ur->per)
			continue;
		oi = -1;
		if (ur->unit->mode == TC_FOR_SAMPLE_PAIRS) {
			/* the other sample as it was when the part began:
			 * its own worker may be saving values meanwhile */
			oi = (long)((si + 1) % n);
			json_object_set(s->uctx, "other", p->others[oi]);
		}
		run_unit_for(p->r, p->tc, p->cr, ur, &ur->per[si], (long)si,
			     oi, s->uctx);
		json_object_del(s->uctx, "other");
	}
}

static void *run_part_main(void *arg)
{
	struct run_part *p = arg;
	size_t si;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		si = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (si >= p->r->nsamples)
			return NULL;
		run_part_sample(p, si);
	}
}

/*
 * Bind each sample's worker context: the case's, its own ${sample}; and
 * keep the snapshots of p->others.
 */
static int run_part_ctx(struct run_ctx *r, struct run_part *p)
{
	json_t *snap = json_deep_copy(json_object_get(r->ctx, "samples"));
	struct run_sample *s;
	size_t k;
	int rc = snap ? CB_OK : CB_ENOMEM;

	p->others = calloc(r->nsamples, sizeof(*p->others));
	if (!p->others)
		rc = CB_ENOMEM;
	for (k = 0; !rc && k < r->nsamples; k++) {
		s = &r->samples[k];
		s->uctx = json_copy(r->ctx);
		p->others[k] = json_array_get(snap, k);
		if (!s->uctx || !p->others[k]) {
			rc = CB_ENOMEM;
			break;
		}
		json_object_set(s->uctx, "samples", snap);
		json_object_set(s->uctx, "sample", s->ctx);
		json_object_del(s->uctx, "other");
	}
	json_decref(snap);
	return rc;
}

static void run_part(struct run_ctx *r, const struct tc_case *tc,
		     struct case_result *cr, size_t first, size_t end)
{
	struct run_part p = {.r = r, .tc = tc, .cr = cr, .u0 = cr->nunits};
	pthread_t th[RUN_JOBS_MAX];
	size_t nth = 0, k, si;
	struct unit_result *ur;

	for (k = first; k < end; k++) {
		ur = run_unit_new(r, cr, &tc->units[k]);
		if (ur)
			ur->nper = r->nsamples;
	}
	p.u1 = cr->nunits;
	if (run_part_ctx(r, &p)) {
		for (k = p.u0; k < p.u1; k++) {
			cr->units[k].verdict = CB_V_ERROR;
			cr->units[k].nper = 0;
		}
		goto out;
	}
	pthread_mutex_init(&p.lock, NULL);
	while (nth < r->jobs &&
	       !pthread_create(&th[nth], NULL, run_part_main, &p))
		nth++;
	if (!nth)
		run_part_main(&p); /* no thread to be had: run them here */
	for (k = 0; k < nth; k++)
		pthread_join(th[k], NULL);
	pthread_mutex_destroy(&p.lock);
	for (k = p.u0; k < p.u1; k++) {
		ur = &cr->units[k];
		for (si = 0; ur->per && si < ur->nper; si++)
			ur->verdict = cb_verdict_combine(ur->verdict,
							 ur->per[si].verdict);
	}
out:
	for (si = 0; si < r->nsamples; si++) {
		json_decref(r->samples[si].uctx);
		r->samples[si].uctx = NULL;
	}
	free(p.others);
}

/*
 * Where the part that starts at unit k ends: past one 'sample_pairs' unit
 * at k and the 'each_sample' units after it when samples run in parallel,
 * else k (run unit k alone).  A pairs unit only leads a part: the other
 * sample it reads must be as the units before the part left it.
 */
static size_t run_part_end(const struct run_ctx *r, const struct tc_case *tc,
			   size_t k)
{
	size_t e = k;

	if (r->jobs < 2 || r->nsamples < 2)
		return k;
	if (e < tc->nunits && tc->units[e].mode == TC_FOR_SAMPLE_PAIRS)
		e++;
	while (e < tc->nunits && tc->units[e].mode == TC_FOR_EACH_SAMPLE)
		e++;
	return e;
}

/* NULL when the case applies and can run, else why not (and *v). */
static const char *run_gate(struct run_ctx *r, const struct tc_case *tc,
			    enum cb_verdict *v, char *buf, size_t len)
{
	const struct cat_provision *p = catalog_provision(&r->cat,
							  tc->provision);
	json_t *lists[2] = {p->conditions, tc->applies_if}, *c;
	size_t k, l;
	int ans;

	for (l = 0; l < 2; l++) {
		json_array_foreach(lists[l], k, c) {
			ans = profile_condition(&r->prof, json_string_value(c));
			if (ans == 1)
				continue;
			*v = ans == 0 ? CB_V_NA : CB_V_INCONCLUSIVE;
			snprintf(buf, len,
				 ans == 0 ? "not applicable: the ICS states "
					    "that '%s' does not hold"
					  : "the ICS does not answer condition "
					    "'%s'",
				 json_string_value(c));
			return buf;
		}
	}
	/* Too few samples: the units that judge each sample on its own still
	 * run (a weakness one sample shows is a finding); those that compare
	 * samples are INCONCLUSIVE (run_unit_for). */
	*v = CB_V_INCONCLUSIVE;
	json_array_foreach(tc->needs_ixit, k, c) {
		if (!json_object_get(r->prof.ixit, json_string_value(c))) {
			snprintf(buf, len, "the profile lacks IXIT %s",
				 json_string_value(c));
			return buf;
		}
	}
	return NULL;
}

static void run_case_ctx(struct run_ctx *r)
{
	json_t *samples = json_array();
	size_t k;

	json_decref(r->ctx);
	r->ctx = json_object();
	json_object_set(r->ctx, "product", r->prof.product);
	if (r->prof.customer)
		json_object_set(r->ctx, "customer", r->prof.customer);
	json_object_set(r->ctx, "ics", r->prof.ics);
	json_object_set(r->ctx, "ixit", r->prof.ixit);
	json_object_set(r->ctx, "data", r->data);
	json_object_set_new(r->ctx, "run", json_pack("{s:s}", "id", r->id));
	for (k = 0; k < r->nsamples; k++) {
		/* Saved values are per case: start each case afresh. */
		json_decref(r->samples[k].ctx);
		r->samples[k].ctx = json_deep_copy(r->samples[k].ps->obj);
		json_array_append(samples, r->samples[k].ctx);
	}
	json_object_set_new(r->ctx, "samples", samples);
}

static void run_case(struct run_ctx *r, size_t idx)
{
	const struct tc_case *tc = r->sel[idx];
	struct case_result *cr = &r->results[idx];
	int64_t t0 = cb_now_ms();
	char buf[256];
	const char *gate;
	enum cb_verdict v;
	size_t k, e;

	cr->tc = tc;
	cr->verdict = CB_V_NONE;
	r->ev->case_id = tc->id;
	progress_case(idx + 1, r->nsel, tc->id);
	ev_append(r->ev,
		  json_pack("{s:s,s:s,s:s}", "type", "case-start", "script_sha256",
			    tc->sha256, "title", tc->title),
		  &cr->ev_first, NULL);
	gate = run_gate(r, tc, &v, buf, sizeof(buf));
	if (gate) {
		cr->verdict = v;
		cr->reason = strdup(gate);
	} else {
		if ((size_t)tc->needs_samples > r->nsamples) {
			snprintf(buf, sizeof(buf),
				 "needs %ld samples, the profile has %zu: the "
				 "units that compare samples are not assessed",
				 tc->needs_samples, r->nsamples);
			cr->reason = strdup(buf);
		}
		run_case_ctx(r);
		cr->units = calloc(tc->nunits, sizeof(*cr->units));
		for (k = 0; cr->units && k < tc->nunits; k = e) {
			e = run_part_end(r, tc, k);
			if (e > k) {
				run_part(r, tc, cr, k, e);
				continue;
			}
			r->ev->unit_id = tc->units[k].id;
			run_unit(r, tc, cr, &tc->units[k]);
			e = k + 1;
		}
		for (k = 0; k < cr->nunits; k++)
			cr->verdict = cb_verdict_combine(cr->verdict,
							 cr->units[k].verdict);
		if (!cr->units)
			cr->verdict = CB_V_ERROR;
	}
	r->ev->unit_id = NULL;
	cr->elapsed_ms = cb_now_ms() - t0;
	ev_append(r->ev,
		  json_pack("{s:s,s:s,s:s?,s:I}", "type", "case-end", "verdict",
			    cb_verdict_name(cr->verdict), "reason", cr->reason,
			    "elapsed_ms", (json_int_t)cr->elapsed_ms),
		  &cr->ev_last, NULL);
	r->ev->case_id = NULL;
	progress_case_done(tc->id, cb_verdict_name(cr->verdict));
}

static json_t *run_header(struct run_ctx *r)
{
	char when[CB_RFC3339_LEN];
	json_t *h, *samples = json_array(), *scripts = json_array();
	size_t k;

	cb_rfc3339(when, r->started);
	for (k = 0; k < r->prof.nsamples; k++) {
		const struct profile_sample *ps = &r->prof.samples[k];

		json_array_append_new(samples,
				      json_pack("{s:s,s:s,s:s?,s:s?}", "id",
						ps->id, "serial", ps->serial,
						"console", ps->console, "http",
						ps->http));
	}
	for (k = 0; k < r->nsel; k++)
		json_array_append_new(scripts,
				      json_pack("{s:s,s:s}", "id", r->sel[k]->id,
						"sha256", r->sel[k]->sha256));
	h = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "harness",
		      "certbench", "version", CB_VERSION, "git", cb_git_rev(),
		      "run_id", r->id, "started", when, "profile_sha256",
		      r->prof.sha256, "samples", samples, "scripts", scripts,
		      "data", json_deep_copy(r->data_files));
	if (r->have_answers)
		json_object_set_new(h, "answers_sha256",
				    json_string(r->ans.sha256));
	return h;
}

/* The sample's network address: its "host", else its API URL's host. */
static void run_sample_host(struct run_sample *s)
{
	const char *h = json_string_value(json_object_get(s->ps->obj, "host"));
	struct hw_uri u;

	if (h) {
		snprintf(s->host, sizeof(s->host), "%s", h);
	} else if (s->ps->http && !hw_uri_parse(&u, s->ps->http, NULL)) {
		snprintf(s->host, sizeof(s->host), "%s", u.host);
		hw_uri_release(&u);
	}
}

static int run_make_dir(struct run_ctx *r, struct cb_error *err)
{
	const char *out = r->opts->out_dir ? r->opts->out_dir : "runs";
	unsigned char rnd[2];
	char stamp[32], hex[5];
	struct tm tm;

	gmtime_r(&r->started, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (cb_random(rnd, sizeof(rnd), err))
		return err->code;
	cb_hex(hex, rnd, sizeof(rnd));
	snprintf(r->id, sizeof(r->id), "%s-%s-%s", r->prof.product_id, stamp,
		 hex);
	if (cb_mkdirs(out, 0755))
		return cb_error_set_os(err, CB_EIO, "cannot create %s", out);
	cb_path_join(r->dir, sizeof(r->dir), out, r->id);
	if (mkdir(r->dir, 0755))
		return cb_error_set_os(err, CB_EIO, "cannot create %s", r->dir);
	return CB_OK;
}

/* The passwords of a sample's further accounts never appear in clear. */
static int run_account_secrets(struct run_ctx *r,
			       const struct profile_sample *ps,
			       struct cb_error *err)
{
	json_t *a;
	size_t k;
	int rc = CB_OK;

	json_array_foreach(json_object_get(ps->obj, "accounts"), k, a)
		if (!rc)
			rc = ev_secret_add(r->ev,
					   json_string_value(json_object_get(
						   a, "password")),
					   err);
	return rc;
}

/*
 * Samples in parallel scan, probe and log in at once, and each scan sizes
 * itself by the descriptor limit: take the whole hard limit then.
 */
static void run_raise_nofile(const struct run_ctx *r)
{
	struct rlimit rl;

	if (r->jobs < 2 || getrlimit(RLIMIT_NOFILE, &rl) ||
	    rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* Progress gets a line per sample when they run in parallel. */
static void run_progress_samples(const struct run_ctx *r)
{
	const char *ids[PROGRESS_LANES_MAX];
	size_t k, n = r->nsamples < PROGRESS_LANES_MAX ? r->nsamples
						      : PROGRESS_LANES_MAX;

	for (k = 0; k < n; k++)
		ids[k] = r->samples[k].ps->id;
	progress_samples(ids, r->nsamples, r->jobs > 1);
}

int run_execute(struct run_ctx *r, struct cb_error *err)
{
	char path[PATH_MAX + 32];
	json_t *header;
	size_t k;
	int rc;

	r->started = time(NULL);
	r->t0 = cb_now_ms();
	rc = run_make_dir(r, err);
	if (rc)
		return rc;
	cb_path_join(path, sizeof(path), r->dir, "evidence.jsonl");
	header = run_header(r);
	rc = ev_open(&r->ev, path, header, err);
	json_decref(header);
	if (rc)
		return rc;
	r->nsamples = r->prof.nsamples;
	r->samples = calloc(r->nsamples + 1, sizeof(*r->samples));
	r->results = calloc(r->nsel, sizeof(*r->results));
	if (!r->samples || !r->results)
		return cb_error_set(err, CB_ENOMEM, "out of memory");
	r->jobs = r->opts->jobs > 0 ? (size_t)r->opts->jobs
				    : RUN_JOBS_DEFAULT_MAX;
	if (r->jobs > r->nsamples)
		r->jobs = r->nsamples;
	if (r->jobs > RUN_JOBS_MAX)
		r->jobs = RUN_JOBS_MAX;
	if (!r->jobs)
		r->jobs = 1;
	for (k = 0; k < r->nsamples; k++) {
		r->samples[k].ps = &r->prof.samples[k];
		ev_view_init(&r->samples[k].ev, r->ev);
		run_sample_host(&r->samples[k]);
		rc = ev_secret_add(r->ev, r->prof.samples[k].password, err);
		if (!rc)
			rc = run_account_secrets(r, &r->prof.samples[k], err);
		if (rc)
			return rc;
	}
	run_raise_nofile(r);
	run_progress_samples(r);
	for (k = 0; k < r->nsel; k++)
		run_case(r, k);
	/* Close adapters before the run-end record, so closes are logged. */
	for (k = 0; k < r->nsamples; k++) {
		run_free_sample(&r->samples[k]);
		memset(&r->samples[k].console, 0, sizeof(r->samples[k].console));
		r->samples[k].console_hw = NULL;
		r->samples[k].http = NULL;
		r->samples[k].web = NULL;
		r->samples[k].ctx = NULL;
	}
	hw_adapter_free(r->web);
	r->web = NULL;
	r->finished = time(NULL);
	return ev_close(r->ev, err);
}

enum cb_verdict run_overall(const struct run_ctx *r)
{
	enum cb_verdict v = CB_V_NONE;
	size_t k;

	for (k = 0; k < r->nsel; k++)
		v = cb_verdict_combine(v, r->results[k].verdict);
	return v == CB_V_NONE ? CB_V_INCONCLUSIVE : v;
}
