/*
 * step_debug.c - debug.probe: does a physically accessible debug
 * interface of a sample run commands without authentication?
 *
 * For each IXIT 15-Intf entry with "debug": true and "type": "physical",
 * the sample's "interfaces" names the adapter (a USB-serial adapter on
 * the UART header).  uartscan sweeps the baud rates; at the first rate
 * with readable text, the prompt patterns of testcases/data/
 * debug-prompts.json say what answers.  A shell is asked "id", a
 * bootloader or monitor "version" and then "help": any output (other
 * than a password prompt or a refusal) means commands run, which fails
 * whatever the documentation says.  A login or password prompt is
 * protection: it passes when the entry's debug_access claims
 * "authenticated" and fails when it claims "disabled".  Silence at every
 * rate passes a "disabled" claim; an "authenticated" one cannot be
 * checked that way (a loose wire looks the same), so it is inconclusive,
 * as is data that is readable at no rate.
 */
#include <stdio.h>
#include <string.h>

#include "harness/dbgprompt.h"
#include "harness/step.h"
#include "harness/uartscan.h"

#define DEBUG_LISTEN_MS 400
#define DEBUG_SNIPPET 80	/* escaped bytes of an answer in a finding */
#define DEBUG_ANSWER_KEPT 64	/* bytes of each answer in the value */

static const unsigned debug_default_bauds[] = {
	115200, 57600, 38400, 19200, 9600, 230400, 460800, 921600,
};

static const struct step_param debug_params[] = {
	{"interfaces", SP_STRING | SP_ARRAY, 0, NULL, 0, 0,
	 "\"all\" physical debug interfaces of IXIT 15-Intf (default), an "
	 "id or ids"},
	{"bauds", SP_ARRAY, 0, NULL, 0, 0,
	 "baud rates to try, in order (default 115200, 57600, 38400, 19200, "
	 "9600, 230400, 460800, 921600)"},
	{"listen_ms", SP_INT, 0, NULL, 50, 10000,
	 "how long to listen at each rate (default 400)"},
	{"prompts", SP_STRING, 0, NULL, 0, 0,
	 "data set of prompt patterns (default \"debug-prompts\")"},
	{NULL},
};

struct debug_run {
	struct step_run *sr;
	const struct dbgprompt_set *prompts;
	unsigned bauds[UARTSCAN_MAX_RATES];
	size_t nbauds;
	int listen_ms;
};

/* One interface being probed. */
struct debug_intf {
	const char *id;
	const char *claim;	/* "disabled", "authenticated" or NULL */
	json_t *rec;		/* its part of sr->value */
	unsigned baud;		/* the readable rate, once found */
};

static int debug_claims(const struct debug_intf *in, const char *what)
{
	return in->claim && !strcmp(in->claim, what);
}

/* ---- parameters ---- */

static int debug_load_bauds(struct debug_run *d)
{
	json_t *list = step_arg(d->sr, "bauds"), *v;
	size_t k, j;
	json_int_t b;

	if (!list) {
		d->nbauds = sizeof(debug_default_bauds) /
			    sizeof(debug_default_bauds[0]);
		memcpy(d->bauds, debug_default_bauds,
		       sizeof(debug_default_bauds));
		return CB_OK;
	}
	if (!json_array_size(list) ||
	    json_array_size(list) > UARTSCAN_MAX_RATES)
		return cb_error_set(&d->sr->err, CB_EINVAL,
				    "'bauds' must list 1 to %d rates",
				    UARTSCAN_MAX_RATES);
	json_array_foreach(list, k, v) {
		b = json_is_integer(v) ? json_integer_value(v) : 0;
		if (b < 50 || b > 4000000)
			return cb_error_set(&d->sr->err, CB_EINVAL,
					    "'bauds' entry %zu is not a rate "
					    "from 50 to 4000000",
					    k + 1);
		d->bauds[k] = (unsigned)b;
		for (j = 0; j < k; j++)
			if (d->bauds[j] == d->bauds[k])
				return cb_error_set(&d->sr->err, CB_EINVAL,
						    "'bauds' lists %u twice",
						    d->bauds[k]);
	}
	d->nbauds = json_array_size(list);
	return CB_OK;
}

/* ---- the record ---- */

static json_t *debug_rates_json(const struct uartscan *s)
{
	const struct uartscan_rate *r;
	json_t *list = json_array();
	size_t k;

	for (k = 0; k < s->n; k++) {
		r = &s->rate[k];
		json_array_append_new(
			list,
			json_pack("{s:i,s:I,s:i,s:b,s:s}", "baud", (int)r->baud,
				  "received", (json_int_t)r->received,
				  "readable_permille",
				  (int)uartscan_permille(r->received,
							 r->printable),
				  "readable", r->readable, "head", r->head));
	}
	return list;
}

/* What a command printed, for a finding: its first line, escaped, cut. */
static void debug_snippet(char *dst, size_t size, const char *out)
{
	size_t n = strcspn(out, "\n");

	uartscan_escape(dst, size, out, n);
}

/* Does the output show uid 0 (an "id" answer)? */
static int debug_is_root(const char *out)
{
	const char *p;

	for (p = strstr(out, "uid=0"); p; p = strstr(p + 1, "uid=0"))
		if (p[5] < '0' || p[5] > '9')
			return 1;
	return 0;
}

/* ---- verdicts ---- */

/* A login or password prompt guards the interface. */
static enum cb_verdict debug_protected(struct debug_run *d,
				       const struct debug_intf *in,
				       const char *what)
{
	struct step_run *sr = d->sr;

	if (debug_claims(in, "authenticated")) {
		step_say(sr, "%s at %u baud on %s, as documented "
			 "(authenticated)",
			 what, in->baud, in->id);
		return CB_V_PASS;
	}
	if (debug_claims(in, "disabled")) {
		step_say(sr, "%s: documented as disabled, but %s answers at %u "
			 "baud",
			 in->id, what, in->baud);
		return CB_V_FAIL;
	}
	step_say(sr, "%s at %u baud on %s, but IXIT 15-Intf does not say "
		 "whether the interface is disabled or authenticated "
		 "(debug_access)",
		 what, in->baud, in->id);
	return CB_V_INCONCLUSIVE;
}

/* Nothing readable at any rate. */
static enum cb_verdict debug_unreadable(struct debug_run *d,
					const struct debug_intf *in,
					const struct uartscan *s)
{
	const struct uartscan_rate *most = NULL;
	struct step_run *sr = d->sr;
	size_t k, noisy = 0;

	for (k = 0; k < s->n; k++) {
		if (s->rate[k].received < UARTSCAN_MIN_BYTES)
			continue;
		noisy++;
		if (!most || s->rate[k].received > most->received)
			most = &s->rate[k];
	}
	if (most) {
		step_say(sr, "%s: data at %zu of %zu rates but readable at "
			 "none (most: %zu bytes at %u baud, %u/1000 "
			 "printable); the UART may run at a rate not tried",
			 in->id, noisy, s->n, most->received, most->baud,
			 uartscan_permille(most->received, most->printable));
		return CB_V_INCONCLUSIVE;
	}
	if (debug_claims(in, "disabled")) {
		step_say(sr, "%s: silent at all %zu rates, as documented "
			 "(disabled)",
			 in->id, s->n);
		return CB_V_PASS;
	}
	if (debug_claims(in, "authenticated"))
		step_say(sr, "%s: documented as authenticated, but silent at "
			 "every rate (%zu tried); check the wiring",
			 in->id, s->n);
	else
		step_say(sr, "%s: silent at all %zu rates, but IXIT 15-Intf "
			 "does not say whether it is disabled or "
			 "authenticated (debug_access)",
			 in->id, s->n);
	return CB_V_INCONCLUSIVE;
}

/* A bench failure on this interface: name it in the cause. */
static enum cb_verdict debug_bench(struct step_run *sr,
				   const struct debug_intf *in)
{
	struct cb_error e = sr->err;

	cb_error_clear(&sr->err);
	cb_error_set(&sr->err, e.code, "debug interface %s of %s: %s",
		     in->id, step_sample_id(sr->sample), e.text);
	cb_error_at(&sr->err, e.source, e.line, e.column);
	return step_failed(sr);
}

static size_t debug_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * Judge the answer to one command: protection, commands that run, or
 * CB_V_NONE when it says neither (the next command may).  kind is what
 * the console's prompt looked like, m describes it.
 */
static enum cb_verdict debug_judge(struct debug_run *d,
				   const struct debug_intf *in,
				   enum dbgprompt_kind kind,
				   const struct dbgprompt_match *m,
				   const char *cmd, const struct cb_buf *ans)
{
	char out[512], snip[DEBUG_SNIPPET + 1];
	struct step_run *sr = d->sr;
	struct dbgprompt_match am;
	enum dbgprompt_kind ak;
	size_t outlen;

	ak = dbgprompt_classify(d->prompts, cb_buf_str(ans), ans->len, &am);
	if (ak == DBGP_LOGIN || ak == DBGP_PASSWORD)
		return debug_protected(d, in, am.what);
	if (dbgprompt_refused(d->prompts, cb_buf_str(ans), ans->len))
		return debug_protected(d, in, "a console that refuses "
					      "commands");
	outlen = dbgprompt_output(cmd, cb_buf_str(ans), ans->len, out,
				  sizeof(out));
	debug_snippet(snip, sizeof(snip), out);
	if (debug_is_root(out)) {
		step_say(sr, "open root shell at %u baud on %s (%s answered "
			 "'%s')",
			 in->baud, in->id, cmd, snip);
		return CB_V_FAIL;
	}
	if ((kind == DBGP_SHELL && outlen) ||
	    (kind == DBGP_NONE && strstr(out, "uid="))) {
		step_say(sr, "open shell at %u baud on %s (%s answered '%s')",
			 in->baud, in->id, cmd, snip);
		return CB_V_FAIL;
	}
	if ((kind == DBGP_BOOTLOADER || kind == DBGP_MONITOR) && outlen) {
		step_say(sr, "%s accepts commands at %u baud on %s (%s; %s "
			 "answered '%s')",
			 kind == DBGP_MONITOR ? "monitor" : "bootloader",
			 in->baud, in->id, m->what, cmd, snip);
		return CB_V_FAIL;
	}
	return CB_V_NONE;
}

/*
 * Ask the console harmless read-only commands: "id" at a shell or an
 * unknown prompt, "version" and then "help" at a bootloader or monitor.
 */
static enum cb_verdict debug_ask(struct debug_run *d, struct debug_intf *in,
				 struct uartscan *s, enum dbgprompt_kind kind,
				 const struct dbgprompt_match *m)
{
	static const char *const shell_cmds[] = {"id", NULL};
	static const char *const boot_cmds[] = {"version", "help", NULL};
	const char *const *cmd = shell_cmds;
	char head[DEBUG_ANSWER_KEPT * 4 + 1], snip[DEBUG_SNIPPET + 1];
	struct step_run *sr = d->sr;
	json_t *asked = json_array();
	enum cb_verdict v = CB_V_NONE;
	struct cb_buf ans;

	if (kind == DBGP_BOOTLOADER || kind == DBGP_MONITOR)
		cmd = boot_cmds;
	json_object_set_new(in->rec, "asked", asked);
	cb_buf_init(&ans, UARTSCAN_RX_MAX);
	for (; *cmd && v == CB_V_NONE; cmd++) {
		if (uartscan_ask(s, *cmd, &ans, &sr->err)) {
			v = debug_bench(sr, in);
			break;
		}
		uartscan_escape(head, sizeof(head), cb_buf_str(&ans),
				debug_min(ans.len, DEBUG_ANSWER_KEPT));
		json_array_append_new(asked,
				      json_pack("{s:s,s:I,s:s}", "command",
						*cmd, "received",
						(json_int_t)ans.len, "answer",
						head));
		v = debug_judge(d, in, kind, m, *cmd, &ans);
	}
	cb_buf_release(&ans);
	if (v != CB_V_NONE)
		return v;
	if (kind == DBGP_NONE) {
		uartscan_escape(snip, sizeof(snip), cb_buf_str(&s->text),
				debug_min(s->text.len, 32));
		step_say(sr, "%s: readable text at %u baud but no known "
			 "prompt, and id showed no user (first bytes: '%s')",
			 in->id, in->baud, snip);
	} else {
		step_say(sr, "%s: %s at %u baud, but %s printed nothing",
			 in->id, m->what, in->baud,
			 kind == DBGP_SHELL ? "id" :
					      "neither version nor help");
	}
	return CB_V_INCONCLUSIVE;
}

/* Something readable came at s->rate[s->found]: what is it? */
static enum cb_verdict debug_console(struct debug_run *d,
				     struct debug_intf *in,
				     struct uartscan *s)
{
	struct dbgprompt_match m;
	enum dbgprompt_kind kind;

	in->baud = s->rate[s->found].baud;
	kind = dbgprompt_classify(d->prompts, cb_buf_str(&s->text),
				  s->text.len, &m);
	json_object_set_new(in->rec, "baud", json_integer(in->baud));
	json_object_set_new(in->rec, "kind",
			    json_string(dbgprompt_kind_name(kind)));
	json_object_set_new(in->rec, "prompt",
			    m.id ? json_string(m.id) : json_null());
	if (kind == DBGP_LOGIN || kind == DBGP_PASSWORD)
		return debug_protected(d, in, m.what);
	return debug_ask(d, in, s, kind, &m);
}

static enum cb_verdict debug_one(struct debug_run *d, json_t *entry)
{
	struct step_run *sr = d->sr;
	const char *sid = step_sample_id(sr->sample), *uri;
	struct debug_intf in = {0};
	struct uartscan_opts o;
	struct uartscan s;
	enum cb_verdict v;
	char label[160];

	in.id = json_string_value(json_object_get(entry, "id")) ?: "?";
	in.claim = json_string_value(json_object_get(entry, "debug_access"));
	uri = json_string_value(json_object_get(
		json_object_get(step_sample_json(sr->sample), "interfaces"),
		in.id));
	in.rec = json_pack("{s:s?}", "claim", in.claim);
	json_object_set_new(sr->value, in.id, in.rec);
	if (!uri) {
		step_say(sr, "no adapter for debug interface %s on sample %s",
			 in.id, sid);
		return CB_V_INCONCLUSIVE;
	}
	json_object_set_new(in.rec, "adapter", json_string(uri));
	snprintf(label, sizeof(label), "%s.%s", sid, in.id);
	o = (struct uartscan_opts){
		.uri = uri,
		.label = label,
		.bauds = d->bauds,
		.nbauds = d->nbauds,
		.listen_ms = d->listen_ms,
	};
	o.tap = step_tap(sr, &o.tap_ctx);
	uartscan_init(&s);
	if (uartscan_sweep(&s, &o, &sr->err)) {
		json_object_set_new(in.rec, "rates", debug_rates_json(&s));
		uartscan_release(&s);
		return debug_bench(sr, &in);
	}
	json_object_set_new(in.rec, "rates", debug_rates_json(&s));
	if (s.found < 0)
		v = debug_unreadable(d, &in, &s);
	else
		v = debug_console(d, &in, &s);
	uartscan_release(&s);
	return v;
}

static int debug_selected(const struct step_run *sr, json_t *entry)
{
	return json_is_true(json_object_get(entry, "debug")) &&
	       !strcmp(json_string_value(json_object_get(entry, "type")) ?: "",
		       "physical") &&
	       step_selects(sr, "interfaces",
			    json_string_value(json_object_get(entry, "id")));
}

static enum cb_verdict debug_probe(struct step_run *sr)
{
	const char *set = step_str(sr, "prompts", "debug-prompts");
	struct debug_run d = {
		.sr = sr,
		.listen_ms = (int)step_int(sr, "listen_ms", DEBUG_LISTEN_MS),
	};
	enum cb_verdict all = CB_V_NONE, v;
	struct dbgprompt_set prompts;
	struct cb_error e = {0};
	json_t *entry;
	size_t k, n = 0;

	if (debug_load_bauds(&d))
		return step_bench_failed(sr);
	if (dbgprompt_load_json(step_data(sr, set), &prompts, &e))
		return step_error(sr, e.code, "data set '%s': %s", set,
				  e.text);
	d.prompts = &prompts;
	sr->value = json_object();
	json_array_foreach(step_ixit(sr, "15-Intf"), k, entry) {
		if (!debug_selected(sr, entry))
			continue;
		n++;
		v = debug_one(&d, entry);
		all = cb_verdict_combine(all, v);
		if (v == CB_V_ERROR)
			break;
	}
	dbgprompt_release(&prompts);
	if (!n) {
		step_say(sr, "no physically accessible debug interface is "
			     "documented in IXIT 15-Intf");
		return CB_V_NA;
	}
	return all;
}

const struct step_def step_debug_probe = {
	.name = "debug.probe",
	.summary = "sweep the baud rates of each physical debug interface, "
		   "find its console and check that no command runs without "
		   "authentication",
	.params = debug_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = debug_probe,
};
