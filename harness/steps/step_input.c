/*
 * step_input.c - input.fuzz: send every documented input of IXIT
 * 29-InpVal unexpected bodies (TS 103 701 test 5.13-1-2 a) and check
 * that the device refuses what breaks a documented constraint and stays
 * alive.
 *
 * Per input: the documented example must be accepted and the health
 * path must answer (the positive control; otherwise INCONCLUSIVE).  Then
 * `count` mutations (harness/mutate.h) from a seed the evidence records,
 * so a replay with the same seed sends the same bytes.  The health path
 * is asked after a mutation got no answer, a 5xx or a dropped
 * connection, after every batch of INP_BATCH, and at the end; it fails
 * only when it fails twice, INP_PAUSE_MS apart.
 *
 * FAIL: the device stops answering (the input's run ends there), does
 * not answer a mutation within timeout_ms or drops it (ends there too:
 * each further try would cost the same), answers 5xx, or accepts (2xx)
 * input that breaks a documented constraint.  Input within the
 * documented constraints may be accepted.  A refusal with a status
 * outside reject_status is reported and does not fail.  When anything
 * was accepted the example is sent again at the end, to put the
 * documented values back (best effort).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_time.h"
#include "harness/evidence.h"
#include "harness/mutate.h"
#include "harness/profile.h"
#include "harness/step.h"
#include "harness/steps/updkit.h"

#define INP_BATCH 10		/* mutations between health checks */
#define INP_PAUSE_MS 1000	/* between the two tries of a health check */
#define INP_SAY_MAX 6		/* findings named per input */
#define INP_ANSWER_MAX (64 * 1024)

static const struct step_param fuzz_params[] = {
	{"inputs", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" inputs of IXIT 29-InpVal (default), an id or ids"},
	{"count", SP_INT, 0, NULL, 1, 100000,
	 "mutations per input (default 120; the systematic ones come first)"},
	{"seed", SP_INT | SP_STRING, 0, NULL, 0, 0,
	 "seed of the random mutations, a number or \"0x...\" (default: "
	 "from the time and the case, unit and sample; always recorded)"},
	{"timeout_ms", SP_INT, 0, NULL, 100, 600000,
	 "deadline of each request (default 5000)"},
	{NULL},
};

/* What became of one request. */
enum inp_outcome {
	IO_ANSWERED,	/* any HTTP status */
	IO_TIMEOUT,	/* nothing within the deadline */
	IO_LOST,	/* closed, refused, TLS or HTTP broken */
	IO_BENCH,	/* the bench failed */
};

struct inp_job {
	struct step_run *sr;
	json_t *in;
	const char *id, *method, *path, *health, *ctype;
	int timeout_ms;
	uint64_t seed;		/* the step's: a replay passes it */
	struct mutator *m;
	struct mutation mu;
	enum cb_verdict v;
	size_t sent, refused, must, accepted_within, other_status, said,
		unsaid;
	char last[MUT_LABEL_MAX + 32];	/* "#17 (ntp: ...)", last answered */
	int any_accepted, dead;
	json_t *stats;
};

/* One finding line; past INP_SAY_MAX they are only counted. */
static void inp_say(struct inp_job *j, enum cb_verdict v, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void inp_say(struct inp_job *j, enum cb_verdict v, const char *fmt,
		    ...)
{
	char line[768];
	va_list ap;

	j->v = cb_verdict_combine(j->v, v);
	if (j->said >= INP_SAY_MAX) {
		j->unsaid++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	step_say(j->sr, "%s: %s", j->id, line);
	j->said++;
}

static enum inp_outcome inp_classify(int rc, const struct hw_http_resp *r)
{
	switch (rc) {
	case CB_OK:
		return r->status ? IO_ANSWERED : IO_LOST;
	case CB_ETIMEOUT:
		return IO_TIMEOUT;
	case CB_ENOMEM:
	case CB_EINVAL:
	case CB_ENOTSUP:
	case CB_EIO:
		return IO_BENCH;
	default:
		return IO_LOST;
	}
}

/* "5 s" or "2500 ms". */
static const char *inp_ms(long long ms, char *out, size_t len)
{
	if (ms >= 1000 && ms % 1000 == 0)
		snprintf(out, len, "%lld s", ms / 1000);
	else
		snprintf(out, len, "%lld ms", ms);
	return out;
}

/*
 * A short phrase for a lost request after ms milliseconds (libcurl's
 * "could not connect" is what a refused connection gives).
 */
static void inp_lost_why(const struct inp_job *j, int rc, long long ms,
			 char *out, size_t len)
{
	const char *text = j->sr->err.text;
	char t[32];

	switch (rc) {
	case CB_ENODEV:
		snprintf(out, len, "connection refused");
		break;
	case CB_ECLOSED:
		snprintf(out, len, "connection closed without an answer after "
			 "%s", inp_ms(ms, t, sizeof(t)));
		break;
	case CB_ETIMEOUT:
		snprintf(out, len, "no answer within %s",
			 inp_ms(j->timeout_ms, t, sizeof(t)));
		break;
	case CB_ECRYPTO:
		snprintf(out, len, "TLS failure (%.120s)", text);
		break;
	default:
		snprintf(out, len, "%.160s", text);
		break;
	}
}

/*
 * One request to the sample's API with the input's credentials and the
 * step's deadline.  Returns the adapter's code; sr->err holds its cause.
 */
static int inp_request(struct inp_job *j, const char *method,
		       const char *path, const struct cb_buf *body,
		       struct hw_http_resp *resp)
{
	struct step_run *sr = j->sr;
	const char *auth = json_string_value(json_object_get(j->in, "auth"));
	const char *headers[2] = {NULL};
	char ct[192];
	struct hw_http_req req = {
		.method = method,
		.url = path,
		.headers = headers,
		.verify_tls = 1,
		.ca_file = step_ca_file(sr),
		.timeout_ms = j->timeout_ms,
		.max_body = INP_ANSWER_MAX,
	};
	struct hw_adapter *hw;
	int rc;

	if (body) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", j->ctype);
		headers[0] = ct;
		/* An empty body is still a body: "" rather than none. */
		req.body = body->data ? body->data : "";
		req.body_len = body->len;
	}
	if (upd_credentials(sr, auth, path, &req) || step_http(sr, path, &hw))
		return sr->err.code;
	rc = hw_request(hw, &req, resp, &sr->err);
	if (rc == CB_ETOOBIG && resp->status) {
		/* An answer, only longer than we keep. */
		cb_error_clear(&sr->err);
		rc = CB_OK;
	}
	return rc;
}

/*
 * Is the device alive?  1 when the health path answers 2xx (within two
 * tries INP_PAUSE_MS apart), 0 with why set when it does not, -1 when the
 * bench failed (sr->err).
 */
static int inp_alive(struct inp_job *j, char *why, size_t len)
{
	struct hw_http_resp resp;
	char lost[200];
	int64_t t0;
	int rc, try;

	for (try = 0; try < 2; try++) {
		if (try)
			upd_sleep_ms(INP_PAUSE_MS);
		hw_http_resp_init(&resp);
		t0 = cb_now_ms();
		rc = inp_request(j, "GET", j->health, NULL, &resp);
		if (inp_classify(rc, &resp) == IO_BENCH) {
			hw_http_resp_release(&resp);
			return -1;
		}
		if (inp_classify(rc, &resp) == IO_ANSWERED &&
		    resp.status >= 200 && resp.status < 300) {
			hw_http_resp_release(&resp);
			cb_error_clear(&j->sr->err);
			return 1;
		}
		if (inp_classify(rc, &resp) == IO_ANSWERED) {
			snprintf(why, len, "%s: HTTP %ld", j->health,
				 resp.status);
		} else {
			inp_lost_why(j, rc, cb_now_ms() - t0, lost,
				     sizeof(lost));
			snprintf(why, len, "%s: %s", j->health, lost);
		}
		cb_error_clear(&j->sr->err);
		hw_http_resp_release(&resp);
	}
	return 0;
}

/* A health check after mutation #n; 0 alive, 1 dead (FAIL said), -1
 * bench failure. */
static int inp_check(struct inp_job *j, const char *after)
{
	char why[320];
	int alive = inp_alive(j, why, sizeof(why));

	if (alive < 0)
		return -1;
	if (alive)
		return 0;
	j->dead = 1;
	inp_say(j, CB_V_FAIL, "device stopped answering after mutation %s; %s",
		after, why);
	return 1;
}

static int inp_rejects(const struct inp_job *j, long status)
{
	json_t *list = json_object_get(j->in, "reject_status"), *v;
	size_t k;

	if (!json_array_size(list))
		return status >= 400 && status < 500;
	json_array_foreach(list, k, v)
		if (json_integer_value(v) == status)
			return 1;
	return 0;
}

static void inp_record(struct inp_job *j, const char *outcome, long status,
		       int64_t ms)
{
	const struct mutation *mu = &j->mu;
	json_t *rec = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:I,s:b,s:s,s:I,"
				"s:I}",
				"type", "input-mutation", "sample",
				step_sample_id(j->sr->sample), "input", j->id,
				"n", (json_int_t)mu->index + 1, "label",
				mu->label, "sha256", mu->sha256, "bytes",
				(json_int_t)mu->body.len, "must_refuse",
				mu->must_refuse, "outcome", outcome, "status",
				(json_int_t)status, "ms", (json_int_t)ms);

	if (rec && mu->must_refuse)
		json_object_set_new(rec, "broken", json_string(mu->broken));
	ev_append(step_evidence(j->sr), rec, NULL, NULL);
}

/* Judge an answered mutation; FAIL findings go to the rationale. */
static void inp_judge(struct inp_job *j, long status)
{
	const struct mutation *mu = &j->mu;
	size_t n = mu->index + 1;

	if (status >= 200 && status < 300) {
		j->any_accepted = 1;
		if (mu->must_refuse)
			inp_say(j, CB_V_FAIL, "accepted #%zu %s (%s): HTTP %ld",
				n, mu->label, mu->broken, status);
		else
			j->accepted_within++;
		return;
	}
	if (status >= 500) {
		inp_say(j, CB_V_FAIL, "#%zu %s: HTTP %ld, a server error "
			"instead of a refusal", n, mu->label, status);
		return;
	}
	j->refused++;
	if (!inp_rejects(j, status)) {
		j->other_status++;
		inp_say(j, CB_V_PASS, "#%zu %s: refused with HTTP %ld, not "
			"with a documented reject_status", n, mu->label,
			status);
	}
}

static const char *inp_outcome_name(enum inp_outcome o, long status)
{
	if (o == IO_TIMEOUT)
		return "timeout";
	if (o != IO_ANSWERED)
		return "lost";
	if (status >= 200 && status < 300)
		return "accepted";
	return status >= 500 ? "server-error" : "refused";
}

/* Mutation k got no answer: is the device dead, hanging or dropping? */
static int inp_unanswered(struct inp_job *j, int rc, enum inp_outcome o,
			  long long ms, const char *after)
{
	char lost[200], t[32];
	int stop;

	inp_lost_why(j, rc, ms, lost, sizeof(lost));
	cb_error_clear(&j->sr->err);
	/*
	 * Even a refused connection names this mutation: libcurl sends a
	 * request again on a fresh connection when the kept-alive one
	 * closes unanswered, so "refused" is how a crash it caused looks.
	 */
	stop = inp_check(j, after);
	if (stop < 0)
		return -1;
	if (!stop && o == IO_TIMEOUT)
		inp_say(j, CB_V_FAIL, "no answer within %s to mutation %s; %s "
			"answered afterwards",
			inp_ms(j->timeout_ms, t, sizeof(t)), after, j->health);
	else if (!stop)
		inp_say(j, CB_V_FAIL, "no answer to mutation %s: %s; %s "
			"answered afterwards",
			after, lost, j->health);
	return 1;
}

/* Send mutation k; 1 when the input's run must end, -1 on bench failure. */
static int inp_one(struct inp_job *j, size_t k)
{
	struct step_run *sr = j->sr;
	struct hw_http_resp resp;
	char after[MUT_LABEL_MAX + 32];
	enum inp_outcome o;
	int64_t t0, ms;
	int rc, stop = 0;

	if (mut_make(j->m, k, &j->mu, &sr->err))
		return -1;
	hw_http_resp_init(&resp);
	t0 = cb_now_ms();
	rc = inp_request(j, j->method, j->path, &j->mu.body, &resp);
	ms = cb_now_ms() - t0;
	o = inp_classify(rc, &resp);
	if (o == IO_BENCH) {
		hw_http_resp_release(&resp);
		return -1;
	}
	j->sent++;
	j->must += j->mu.must_refuse;
	snprintf(after, sizeof(after), "#%zu (%s)", k + 1, j->mu.label);
	inp_record(j, inp_outcome_name(o, resp.status), resp.status, ms);
	if (o == IO_ANSWERED) {
		inp_judge(j, resp.status);
		snprintf(j->last, sizeof(j->last), "%s", after);
		if (resp.status >= 500)
			stop = inp_check(j, after);
	} else {
		stop = inp_unanswered(j, rc, o, ms, after);
	}
	hw_http_resp_release(&resp);
	if (!stop && (k + 1) % INP_BATCH == 0)
		stop = inp_check(j, after);
	return stop;
}

/* The example must be accepted and the device alive (positive control). */
static enum cb_verdict inp_control(struct inp_job *j, const char *what)
{
	struct step_run *sr = j->sr;
	struct hw_http_resp resp;
	struct cb_buf body;
	char why[320];
	int rc, alive;
	enum inp_outcome o;

	cb_buf_init(&body, MUT_BODY_MAX);
	hw_http_resp_init(&resp);
	rc = mut_example(j->m, &body, &sr->err);
	if (!rc)
		rc = inp_request(j, j->method, j->path, &body, &resp);
	o = inp_classify(rc, &resp);
	cb_buf_release(&body);
	if (o == IO_BENCH) {
		hw_http_resp_release(&resp);
		return step_failed(sr);
	}
	if (o != IO_ANSWERED || resp.status < 200 || resp.status >= 300) {
		if (o == IO_ANSWERED)
			snprintf(why, sizeof(why), "HTTP %ld", resp.status);
		else
			inp_lost_why(j, rc, (long long)resp.elapsed_ms, why,
				     sizeof(why));
		hw_http_resp_release(&resp);
		cb_error_clear(&sr->err);
		step_say(sr, "%s: %s: the documented example was not "
			 "accepted (%s), so refusals would prove nothing",
			 j->id, what, why);
		return CB_V_INCONCLUSIVE;
	}
	hw_http_resp_release(&resp);
	alive = inp_alive(j, why, sizeof(why));
	if (alive < 0)
		return step_failed(sr);
	if (!alive) {
		step_say(sr, "%s: %s: the health path does not answer (%s), "
			 "so a dead device could not be told from a live one",
			 j->id, what, why);
		return CB_V_INCONCLUSIVE;
	}
	return CB_V_PASS;
}

static void inp_summary(struct inp_job *j, size_t count)
{
	char seed[MUT_SEED_HEX];

	mut_seed_format(j->seed, seed);
	if (j->unsaid)
		step_say(j->sr, "%s: %zu more findings in the evidence", j->id,
			 j->unsaid);
	if (j->dead || j->sent < count)
		step_say(j->sr, "%s: stopped after %zu of %zu mutations; "
			 "seed %s", j->id, j->sent, count, seed);
	else
		step_say(j->sr, "%s: refused %zu of %zu unexpected inputs, %zu "
			 "within the documented constraints accepted (%zu of "
			 "the %zu break a documented constraint); %s answered "
			 "after every batch of %d and at the end; seed %s",
			 j->id, j->refused, j->sent, j->accepted_within,
			 j->must, j->sent, j->health, INP_BATCH, seed);
	json_object_set_new(j->stats, j->id,
			    json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:b}", "seed",
				      seed, "sent", (json_int_t)j->sent,
				      "must_refuse", (json_int_t)j->must,
				      "refused", (json_int_t)j->refused,
				      "accepted_within",
				      (json_int_t)j->accepted_within,
				      "other_status",
				      (json_int_t)j->other_status, "alive",
				      !j->dead));
}

/* Put the documented values back after accepted mutations. */
static void inp_restore(struct inp_job *j)
{
	struct hw_http_resp resp;
	struct cb_buf body;
	int rc;

	if (!j->any_accepted || j->dead)
		return;
	cb_buf_init(&body, MUT_BODY_MAX);
	hw_http_resp_init(&resp);
	rc = mut_example(j->m, &body, &j->sr->err);
	if (!rc)
		rc = inp_request(j, j->method, j->path, &body, &resp);
	if (rc || resp.status < 200 || resp.status >= 300)
		step_say(j->sr, "%s: sending the example again to restore the "
			 "documented values failed (%s); the sample may keep "
			 "values a mutation set",
			 j->id, rc ? j->sr->err.text : "not accepted");
	cb_error_clear(&j->sr->err);
	hw_http_resp_release(&resp);
	cb_buf_release(&body);
}

static enum cb_verdict inp_fuzz(struct inp_job *j, size_t count)
{
	char seed[MUT_SEED_HEX], what[96];
	size_t k;
	int stop = 0;
	enum cb_verdict v;

	mut_seed_format(j->seed, seed);
	snprintf(what, sizeof(what), "%s %s", j->method, j->path);
	v = inp_control(j, what);
	if (v != CB_V_PASS)
		return v;
	ev_append(step_evidence(j->sr),
		  json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "type",
			    "input-fuzz", "sample",
			    step_sample_id(j->sr->sample), "input", j->id,
			    "request", what, "seed", seed, "count",
			    (json_int_t)count, "systematic",
			    (json_int_t)mut_systematic(j->m)),
		  NULL, NULL);
	j->v = CB_V_PASS;
	for (k = 0; k < count && !stop; k++)
		stop = inp_one(j, k);
	if (stop < 0)
		return step_failed(j->sr);
	if (!stop && count % INP_BATCH && inp_check(j, j->last) < 0)
		return step_failed(j->sr);
	inp_restore(j);
	inp_summary(j, count);
	return j->v;
}

/* The seed the step runs with: the argument, or one made up and said. */
static int inp_seed(struct step_run *sr, uint64_t *seed)
{
	json_t *a = step_arg(sr, "seed");
	char ctx[4400];

	if (json_is_integer(a)) {
		*seed = (uint64_t)json_integer_value(a);
		return CB_OK;
	}
	if (a && mut_seed_parse(json_string_value(a), seed))
		return cb_error_set(&sr->err, CB_EINVAL, "seed '%s' is not a "
				    "number or 0x...", json_string_value(a));
	if (a)
		return CB_OK;
	/* The run directory is unique even for two runs in one second. */
	snprintf(ctx, sizeof(ctx), "%s/%s/%s/%s", step_run_dir(sr) ?: "",
		 sr->case_id ?: "", sr->unit_id ?: "",
		 step_sample_id(sr->sample) ?: "");
	*seed = mut_seed_derive((uint64_t)step_now(sr), ctx);
	return CB_OK;
}

static enum cb_verdict inp_input(struct step_run *sr, json_t *in,
				 uint64_t seed, json_t *stats)
{
	struct inp_job j = {
		.sr = sr,
		.in = in,
		.id = json_string_value(json_object_get(in, "id")),
		.method = json_string_value(json_object_get(in, "method")),
		.path = json_string_value(json_object_get(in, "path")),
		.health = json_string_value(json_object_get(in, "health")),
		.ctype = json_string_value(json_object_get(in,
							   "content_type")),
		.timeout_ms = (int)step_int(sr, "timeout_ms", 5000),
		.v = CB_V_PASS,
		.stats = stats,
	};
	enum cb_verdict v;

	if (!j.method || !j.path)
		return step_error(sr, CB_EINVAL, "%s: IXIT 29-InpVal gives no "
				  "method and path", j.id);
	j.health = j.health ?: "/api/health";
	j.ctype = j.ctype ?: "application/json";
	j.seed = seed;
	/* Each input its own stream, so adding one changes no other. */
	if (mut_new(&j.m, mut_seed_derive(seed, j.id),
		    json_object_get(in, "example"),
		    json_object_get(in, "fields"), &sr->err)) {
		step_say(sr, "%s: cannot mutate the documented input: %s",
			 j.id, sr->err.text);
		cb_error_clear(&sr->err);
		return CB_V_INCONCLUSIVE;
	}
	mutation_init(&j.mu);
	v = inp_fuzz(&j, (size_t)step_int(sr, "count", 120));
	mutation_release(&j.mu);
	mut_free(j.m);
	return v;
}

/* A misspelt input id would shorten the test silently: refuse it. */
static int inp_names_exist(struct step_run *sr)
{
	json_t *sel = step_arg(sr, "inputs"), *v, *in;
	const char *id;
	size_t k, i;
	int found;

	if (json_is_string(sel))
		sel = json_pack("[O]", sel);
	else
		json_incref(sel);
	json_array_foreach(sel, k, v) {
		id = json_string_value(v);
		found = id && !strcmp(id, "all");
		json_array_foreach(step_ixit(sr, "29-InpVal"), i, in)
			if (id && !strcmp(id, json_string_value(json_object_get(
						      in, "id")) ?: ""))
				found = 1;
		if (!found) {
			cb_error_set(&sr->err, CB_EINVAL, "inputs: IXIT "
				     "29-InpVal has no input '%s'",
				     id ?: "(not a string)");
			json_decref(sel);
			return sr->err.code;
		}
	}
	json_decref(sel);
	return CB_OK;
}

static enum cb_verdict input_fuzz(struct step_run *sr)
{
	json_t *in, *stats;
	enum cb_verdict all = CB_V_NONE, v;
	char seedtext[MUT_SEED_HEX];
	const char *id;
	uint64_t seed;
	size_t k, n = 0;

	if (inp_seed(sr, &seed) || inp_names_exist(sr))
		return step_bench_failed(sr);
	mut_seed_format(seed, seedtext);
	stats = json_object();
	sr->value = json_pack("{s:s,s:o}", "seed", seedtext, "inputs", stats);
	json_array_foreach(step_ixit(sr, "29-InpVal"), k, in) {
		id = json_string_value(json_object_get(in, "id"));
		if (!step_selects(sr, "inputs", id))
			continue;
		n++;
		v = inp_input(sr, in, seed, stats);
		if (v == CB_V_ERROR)
			return v;
		all = cb_verdict_combine(all, v);
	}
	if (!n)
		return step_inconclusive(sr, "IXIT 29-InpVal documents no "
					 "input to send unexpected input to");
	return all;
}

const struct step_def step_input_fuzz = {
	.name = "input.fuzz",
	.summary = "each documented input must refuse unexpected input "
		   "(malformed JSON, wrong types, overlong strings, boundary "
		   "numbers, injection strings) and stay alive",
	.params = fuzz_params,
	.needs = STEP_NEEDS_SAMPLE | STEP_CHANGES_DEVICE,
	.run = input_fuzz,
};
