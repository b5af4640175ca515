/*
 * progress.h - one status line on a terminal while a run goes on.
 *
 * Off unless enabled (stderr is a TTY and --quiet was not given); it only
 * ever writes to stderr, so stdout stays clean for --json.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stddef.h>

void progress_enable(int on, int color);
void progress_case(size_t n, size_t total, const char *case_id);
void progress_unit(const char *case_id, const char *unit, const char *sample);
void progress_step(const char *step);
void progress_case_done(const char *case_id, const char *verdict);
void progress_end(void);

/* Colour for a verdict name on a terminal ("" when colour is off). */
const char *progress_colour(const char *verdict, int color);

#endif /* PROGRESS_H */
