/*
 * verdict.h - the five verdicts and how they combine.
 *
 * PASS and FAIL are findings about the device; NA comes only from ICS
 * conditions; INCONCLUSIVE means not enough information (a missing
 * assessor answer, a failed positive control); ERROR means the bench
 * failed.  A combination is FAIL if anything failed, else the worst of
 * ERROR > INCONCLUSIVE, else PASS if anything passed, else NA.
 */
#ifndef VERDICT_H
#define VERDICT_H

enum cb_verdict {
	CB_V_NA = 0,
	CB_V_PASS,
	CB_V_INCONCLUSIVE,
	CB_V_ERROR,
	CB_V_FAIL,
	CB_V_NONE = -1, /* nothing combined yet */
};

const char *cb_verdict_name(enum cb_verdict v);

/* "PASS" -> CB_V_PASS; -1 when not a verdict name. */
int cb_verdict_parse(const char *s);

/* Combine one more verdict into an accumulator that starts at CB_V_NONE. */
enum cb_verdict cb_verdict_combine(enum cb_verdict acc, enum cb_verdict v);

/* 1 when the verdict is final (PASS, FAIL or NA). */
int cb_verdict_final(enum cb_verdict v);

#endif /* VERDICT_H */
