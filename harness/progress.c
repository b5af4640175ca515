/*
 * progress.c - a single rewritten status line: case N of M, unit,
 * sample, current step and elapsed time.
 */
#include <stdio.h>
#include <string.h>

#include "harness/cb_time.h"
#include "harness/progress.h"

static struct {
	int on, color;
	int64_t t0;
	size_t n, total;
	char case_id[64], unit[16], sample[64], step[48];
} pg;

void progress_enable(int on, int color)
{
	memset(&pg, 0, sizeof(pg));
	pg.on = on;
	pg.color = color;
	pg.t0 = cb_now_ms();
}

static void progress_draw(void)
{
	int64_t ms = cb_now_ms() - pg.t0;

	if (!pg.on)
		return;
	fprintf(stderr, "\r\033[K[%zu/%zu] %s%s%s%s%s %s  %lld.%llds",
		pg.n, pg.total, pg.case_id, pg.unit[0] ? " unit " : "", pg.unit,
		pg.sample[0] ? " on " : "", pg.sample, pg.step,
		(long long)(ms / 1000), (long long)(ms % 1000 / 100));
	fflush(stderr);
}

void progress_case(size_t n, size_t total, const char *case_id)
{
	pg.n = n;
	pg.total = total;
	snprintf(pg.case_id, sizeof(pg.case_id), "%s", case_id);
	pg.unit[0] = pg.sample[0] = pg.step[0] = '\0';
	progress_draw();
}

void progress_unit(const char *case_id, const char *unit, const char *sample)
{
	(void)case_id;
	snprintf(pg.unit, sizeof(pg.unit), "%s", unit);
	snprintf(pg.sample, sizeof(pg.sample), "%s", sample ? sample : "");
	pg.step[0] = '\0';
	progress_draw();
}

void progress_step(const char *step)
{
	snprintf(pg.step, sizeof(pg.step), "%s", step);
	progress_draw();
}

const char *progress_colour(const char *verdict, int color)
{
	if (!color)
		return "";
	if (!strcmp(verdict, "PASS"))
		return "\033[32m";
	if (!strcmp(verdict, "FAIL"))
		return "\033[31m";
	if (!strcmp(verdict, "NA"))
		return "\033[2m";
	return "\033[33m";
}

void progress_case_done(const char *case_id, const char *verdict)
{
	if (!pg.on)
		return;
	fprintf(stderr, "\r\033[K  %-10s %s%s%s\n", case_id,
		progress_colour(verdict, pg.color), verdict,
		pg.color ? "\033[0m" : "");
	fflush(stderr);
}

void progress_end(void)
{
	if (pg.on) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}
