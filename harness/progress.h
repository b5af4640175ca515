/*
 * progress.h - status lines on a terminal while a run goes on.
 *
 * Off unless enabled (stderr is a TTY and --quiet was not given); it only
 * ever writes to stderr, so stdout stays clean for --json.  One line
 * (case N of M, unit, sample, step, elapsed) while samples run one after
 * another; with lanes, a case line and one line per sample below it while
 * samples run in parallel.  Every call may come from any thread.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stddef.h>

#define PROGRESS_LANES_MAX 32	/* sample lines drawn; the rest summed */

void progress_enable(int on, int color);
/*
 * The run's sample ids (copied, cut to fit), before the first case.  With
 * lanes set, each sample gets a line of its own.
 */
void progress_samples(const char *const *ids, size_t n, int lanes);
void progress_case(size_t n, size_t total, const char *case_id);
/* sample is NULL for units that run once. */
void progress_unit(const char *case_id, const char *unit, const char *sample);
void progress_step(const char *sample, const char *step);
void progress_case_done(const char *case_id, const char *verdict);
void progress_end(void);

/* Colour for a verdict name on a terminal ("" when colour is off). */
const char *progress_colour(const char *verdict, int color);

#endif /* PROGRESS_H */
