/*
 * verdict.c - verdict names and the combination rule of DESIGN.md 4.
 */
#include <string.h>

#include "harness/verdict.h"

static const char *const verdict_names[] = {
	[CB_V_NA] = "NA",
	[CB_V_PASS] = "PASS",
	[CB_V_INCONCLUSIVE] = "INCONCLUSIVE",
	[CB_V_ERROR] = "ERROR",
	[CB_V_FAIL] = "FAIL",
};

const char *cb_verdict_name(enum cb_verdict v)
{
	if (v < CB_V_NA || v > CB_V_FAIL)
		return "NONE";
	return verdict_names[v];
}

int cb_verdict_parse(const char *s)
{
	int v;

	for (v = CB_V_NA; v <= CB_V_FAIL; v++)
		if (!strcmp(s, verdict_names[v]))
			return v;
	return -1;
}

/*
 * The enum is ordered so that, apart from NA, a larger value is a worse
 * verdict: FAIL dominates, then ERROR, then INCONCLUSIVE, then PASS.  NA
 * only survives when everything was NA.
 */
enum cb_verdict cb_verdict_combine(enum cb_verdict acc, enum cb_verdict v)
{
	if (acc == CB_V_NONE)
		return v;
	if (v == CB_V_NONE)
		return acc;
	return v > acc ? v : acc;
}

int cb_verdict_final(enum cb_verdict v)
{
	return v == CB_V_PASS || v == CB_V_FAIL || v == CB_V_NA;
}
