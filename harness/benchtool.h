/*
 * benchtool.h - a lab's own bench tools, run as programs: the relay that
 * switches a sample's power, the programmer that writes its flash.
 *
 * A tool is "exec:PROGRAM ARG..." from the profile (split on spaces, no
 * shell).  certbench appends the operation's own arguments ("off", "on",
 * an image file), runs it with a deadline, keeps a bounded excerpt of its
 * output and treats any exit status but 0 as a bench failure.  A tool that
 * overruns its deadline is killed with its whole process group.
 */
#ifndef BENCHTOOL_H
#define BENCHTOOL_H

#include <stddef.h>

struct cb_error;

#define BENCHTOOL_OUT_MAX 2048	/* output kept, per run */

struct benchtool_result {
	int status;			/* exit status, or -1 */
	long long elapsed_ms;
	char output[BENCHTOOL_OUT_MAX];	/* stdout and stderr, cut */
};

/*
 * Run spec ("exec:...") with extra arguments (NULL-terminated, may be
 * NULL).  CB_OK only when the tool exited with status 0 in time; the
 * result is filled in every case.
 */
int benchtool_run(const char *spec, const char *const *extra, int timeout_ms,
		  struct benchtool_result *res, struct cb_error *err);

#endif /* BENCHTOOL_H */
