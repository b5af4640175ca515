/*
 * progress.c - status on a terminal: a single rewritten line (case N of
 * M, unit, sample, current step, elapsed time), or with lanes a block of
 * a case line and one line per sample, redrawn in place.
 *
 * Workers report from their own threads, so the state and every write
 * are under one lock.  Lines are cut to the terminal's width: a line that
 * wrapped would break moving the cursor back to the top of the block.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "harness/cb_time.h"
#include "harness/progress.h"

#define PG_LINE_MAX 256

struct pg_lane {
	char id[64], unit[16], step[48];
};

static pthread_mutex_t pg_lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
	int on, color, lanes_on;
	int64_t t0;
	size_t n, total;
	char case_id[64], unit[16], sample[64], step[48];
	struct pg_lane lane[PROGRESS_LANES_MAX];
	size_t nlanes, nsamples;
	int shown;		/* lines of the block on screen */
	int cols;
} pg;

void progress_enable(int on, int color)
{
	struct winsize ws;

	pthread_mutex_lock(&pg_lock);
	memset(&pg, 0, sizeof(pg));
	pg.on = on;
	pg.color = color;
	pg.t0 = cb_now_ms();
	pg.cols = 80;
	if (on && !ioctl(2, TIOCGWINSZ, &ws) && ws.ws_col > 8)
		pg.cols = ws.ws_col;
	pthread_mutex_unlock(&pg_lock);
}

void progress_samples(const char *const *ids, size_t n, int lanes)
{
	size_t k;

	pthread_mutex_lock(&pg_lock);
	pg.nsamples = n;
	pg.nlanes = n < PROGRESS_LANES_MAX ? n : PROGRESS_LANES_MAX;
	for (k = 0; k < pg.nlanes; k++)
		snprintf(pg.lane[k].id, sizeof(pg.lane[k].id), "%s", ids[k]);
	pg.lanes_on = lanes && n > 1;
	pthread_mutex_unlock(&pg_lock);
}

/* The lane of sample id, or NULL (not drawn). */
static struct pg_lane *pg_lane(const char *id)
{
	size_t k;

	for (k = 0; id && k < pg.nlanes; k++)
		if (!strncmp(pg.lane[k].id, id, sizeof(pg.lane[k].id) - 1))
			return &pg.lane[k];
	return NULL;
}

/* Write one line cut to the terminal's width, clearing what was there. */
static void pg_line(const char *text)
{
	int w = pg.cols - 1;

	fprintf(stderr, "\r\033[K%.*s", w < PG_LINE_MAX ? w : PG_LINE_MAX,
		text);
}

/* Back to the first line of the block, cleared to the end of screen. */
static void pg_clear(void)
{
	if (pg.shown > 1)
		fprintf(stderr, "\033[%dA", pg.shown - 1);
	if (pg.shown)
		fprintf(stderr, "\r\033[J");
	pg.shown = 0;
}

static void pg_draw_lanes(void)
{
	char line[PG_LINE_MAX];
	const struct pg_lane *l;
	size_t k;

	for (k = 0; k < pg.nlanes; k++) {
		l = &pg.lane[k];
		snprintf(line, sizeof(line), "  %-8s %s%s  %s", l->id,
			 l->unit[0] ? "unit " : "", l->unit, l->step);
		fputc('\n', stderr);
		pg_line(line);
		pg.shown++;
	}
	if (pg.nsamples > pg.nlanes) {
		snprintf(line, sizeof(line), "  ... and %zu more samples",
			 pg.nsamples - pg.nlanes);
		fputc('\n', stderr);
		pg_line(line);
		pg.shown++;
	}
}

static void pg_draw(void)
{
	int64_t ms = cb_now_ms() - pg.t0;
	char line[PG_LINE_MAX];

	if (!pg.on)
		return;
	snprintf(line, sizeof(line), "[%zu/%zu] %s%s%s%s%s %s  %lld.%llds",
		 pg.n, pg.total, pg.case_id, pg.unit[0] ? " unit " : "",
		 pg.unit, pg.sample[0] ? " on " : "", pg.sample, pg.step,
		 (long long)(ms / 1000), (long long)(ms % 1000 / 100));
	pg_clear();
	pg_line(line);
	pg.shown = 1;
	if (pg.lanes_on)
		pg_draw_lanes();
	fflush(stderr);
}

void progress_case(size_t n, size_t total, const char *case_id)
{
	size_t k;

	pthread_mutex_lock(&pg_lock);
	pg.n = n;
	pg.total = total;
	snprintf(pg.case_id, sizeof(pg.case_id), "%s", case_id);
	pg.unit[0] = pg.sample[0] = pg.step[0] = '\0';
	for (k = 0; k < pg.nlanes; k++)
		pg.lane[k].unit[0] = pg.lane[k].step[0] = '\0';
	pg_draw();
	pthread_mutex_unlock(&pg_lock);
}

void progress_unit(const char *case_id, const char *unit, const char *sample)
{
	struct pg_lane *l;

	(void)case_id;
	pthread_mutex_lock(&pg_lock);
	l = pg.lanes_on ? pg_lane(sample) : NULL;
	if (l) {
		snprintf(l->unit, sizeof(l->unit), "%s", unit);
		l->step[0] = '\0';
		/* The case line shows 'once' units only while they run. */
		pg.unit[0] = pg.sample[0] = pg.step[0] = '\0';
	} else {
		snprintf(pg.unit, sizeof(pg.unit), "%s", unit);
		snprintf(pg.sample, sizeof(pg.sample), "%s",
			 sample ? sample : "");
		pg.step[0] = '\0';
	}
	pg_draw();
	pthread_mutex_unlock(&pg_lock);
}

void progress_step(const char *sample, const char *step)
{
	struct pg_lane *l;

	pthread_mutex_lock(&pg_lock);
	l = pg.lanes_on ? pg_lane(sample) : NULL;
	if (l)
		snprintf(l->step, sizeof(l->step), "%s", step);
	else
		snprintf(pg.step, sizeof(pg.step), "%s", step);
	pg_draw();
	pthread_mutex_unlock(&pg_lock);
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
	pthread_mutex_lock(&pg_lock);
	if (pg.on) {
		pg_clear();
		fprintf(stderr, "\r\033[K  %-10s %s%s%s\n", case_id,
			progress_colour(verdict, pg.color), verdict,
			pg.color ? "\033[0m" : "");
		fflush(stderr);
	}
	pthread_mutex_unlock(&pg_lock);
}

void progress_end(void)
{
	pthread_mutex_lock(&pg_lock);
	if (pg.on) {
		pg_clear();
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	pthread_mutex_unlock(&pg_lock);
}
