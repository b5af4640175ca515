/*
 * step_assessor.c - assessor.confirm: a verdict that needs human
 * judgement (document review, physical inspection), taken from the
 * assessor answers file or, with --interactive on a terminal, asked.
 * A missing answer is INCONCLUSIVE, never PASS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/step.h"

static const struct step_param assessor_params[] = {
	{"question", SP_STRING, SPF_REQUIRED, NULL, 0, 0,
	 "what the assessor decides, in one or two sentences"},
	{"look_at", SP_STRING, 0, NULL, 0, 0,
	 "where the evidence is (IXIT section, document, the device)"},
	{NULL},
};

/* Read one line from the terminal, without the newline. */
static int ask_line(const char *prompt, char *out, size_t len)
{
	size_t n;

	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	if (!fgets(out, (int)len, stdin))
		return -1;
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return 0;
}

static enum cb_verdict assessor_ask(struct step_run *sr)
{
	char verdict[32], why[512];
	int v;

	fprintf(stderr, "\n%s unit %s: %s\n", sr->case_id, sr->unit_id,
		step_str(sr, "question", ""));
	if (step_str(sr, "look_at", NULL))
		fprintf(stderr, "  (evidence: %s)\n",
			step_str(sr, "look_at", ""));
	do {
		if (ask_line("  verdict [PASS/FAIL/INCONCLUSIVE]: ", verdict,
			     sizeof(verdict)))
			return step_inconclusive(sr, "no assessor answer "
						     "(input closed)");
		v = cb_verdict_parse(verdict);
	} while (v != CB_V_PASS && v != CB_V_FAIL && v != CB_V_INCONCLUSIVE);
	do {
		if (ask_line("  rationale: ", why, sizeof(why)))
			return step_inconclusive(sr, "no assessor rationale");
	} while (!why[0]);
	sr->value = json_pack("{s:s,s:s,s:s}", "verdict", verdict, "rationale",
			      why, "source", "interactive");
	step_say(sr, "assessor (interactive): %s", why);
	return (enum cb_verdict)v;
}

static enum cb_verdict assessor_confirm(struct step_run *sr)
{
	json_t *ans = step_answer(sr);
	const char *verdict, *why, *ev;

	if (!ans) {
		if (step_interactive(sr))
			return assessor_ask(sr);
		return step_inconclusive(sr, "no assessor answer for %s unit %s",
					 sr->case_id, sr->unit_id);
	}
	verdict = json_string_value(json_object_get(ans, "verdict"));
	why = json_string_value(json_object_get(ans, "rationale"));
	ev = json_string_value(json_object_get(ans, "evidence"));
	sr->value = json_deep_copy(ans);
	step_say(sr, "assessor: %s%s%s%s", why, ev ? " (evidence: " : "",
		 ev ? ev : "", ev ? ")" : "");
	return (enum cb_verdict)cb_verdict_parse(verdict);
}

const struct step_def step_assessor_confirm = {
	.name = "assessor.confirm",
	.summary = "verdict from the assessor answers file (or asked with "
		   "--interactive); missing answer = INCONCLUSIVE",
	.params = assessor_params,
	.needs = STEP_ANSWER,
	.run = assessor_confirm,
};
