/*
 * benchtool.c - run a lab's bench tool with a deadline (see benchtool.h).
 *
 * Tools run one at a time even when samples run in parallel: a lab's
 * relay board or programmer is often one device wired to every sample,
 * and its scripts are seldom written to run twice at once.  A tool is
 * short (a relay click, a flash write); the waits around it (power off
 * time, boot time) are the caller's and stay parallel.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/benchtool.h"
#include "harness/cb_error.h"
#include "harness/cb_time.h"

#define BT_MAX_ARGS 32

static pthread_mutex_t bt_lock = PTHREAD_MUTEX_INITIALIZER;

/* Split "exec:PROG A B" into argv (pointers into buf). */
static int bt_argv(const char *spec, const char *const *extra, char *buf,
		   size_t buflen, char **argv, struct cb_error *err)
{
	size_t n = 0;
	char *p, *save = NULL;

	if (strncmp(spec, "exec:", 5))
		return cb_error_set(err, CB_EINVAL,
				    "bench tool '%s' is not exec:PROGRAM", spec);
	if ((size_t)snprintf(buf, buflen, "%s", spec + 5) >= buflen)
		return cb_error_set(err, CB_EINVAL, "bench tool too long");
	for (p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		if (n + 1 >= BT_MAX_ARGS)
			return cb_error_set(err, CB_EINVAL,
					    "bench tool has too many "
					    "arguments");
		argv[n++] = p;
	}
	for (; extra && *extra; extra++) {
		if (n + 1 >= BT_MAX_ARGS)
			return cb_error_set(err, CB_EINVAL,
					    "bench tool has too many "
					    "arguments");
		argv[n++] = (char *)*extra;
	}
	if (!n)
		return cb_error_set(err, CB_EINVAL, "bench tool names no "
				    "program");
	argv[n] = NULL;
	return CB_OK;
}

static void bt_child(char **argv, int out)
{
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (null >= 0)
		dup2(null, 0);
	dup2(out, 1);
	dup2(out, 2);
	execvp(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Read the tool's output until it exits (and its output runs dry) or the
 * deadline passes; 1 on timeout.  A tool that leaves a background process
 * holding its output does not keep us waiting once it has exited itself.
 */
static int bt_collect(int fd, pid_t pid, int64_t deadline,
		      struct benchtool_result *res, int *wstatus)
{
	size_t used = 0;
	char scratch[512];
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int exited = 0, open_ = 1;
	ssize_t got;
	int64_t left;

	for (;;) {
		if (!exited && waitpid(pid, wstatus, WNOHANG) == pid)
			exited = 1;
		left = deadline - cb_now_ms();
		if (left <= 0)
			return !exited;
		if (!open_) {
			if (exited)
				return 0;
			poll(NULL, 0, left < 50 ? (int)left : 50);
			continue;
		}
		/* Once the tool has exited, whatever is queued comes at once. */
		if (poll(&pfd, 1, exited ? 0 : (left < 50 ? (int)left : 50)) <
		    0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (!pfd.revents) {
			if (exited)
				return 0;
			continue;
		}
		got = read(fd, scratch, sizeof(scratch));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			open_ = 0;
			continue;
		}
		if (used + 1 < sizeof(res->output)) {
			size_t take = (size_t)got;

			if (take > sizeof(res->output) - 1 - used)
				take = sizeof(res->output) - 1 - used;
			memcpy(res->output + used, scratch, take);
			used += take;
			res->output[used] = '\0';
		}
	}
}

static int bt_run(const char *spec, const char *const *extra, int timeout_ms,
		  struct benchtool_result *res, struct cb_error *err)
{
	char buf[4096], *argv[BT_MAX_ARGS];
	int64_t t0 = cb_now_ms(), deadline;
	int pipefd[2], wstatus = 0, timed_out;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	if (bt_argv(spec, extra, buf, sizeof(buf), argv, err))
		return err->code;
	if (pipe2(pipefd, O_CLOEXEC))
		return cb_error_set_os(err, CB_EIO, "pipe");
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return cb_error_set_os(err, CB_EIO, "fork");
	}
	if (!pid)
		bt_child(argv, pipefd[1]);
	close(pipefd[1]);
	setpgid(pid, pid);
	deadline = t0 + (timeout_ms > 0 ? timeout_ms : 30000);
	timed_out = bt_collect(pipefd[0], pid, deadline, res, &wstatus);
	close(pipefd[0]);
	if (timed_out) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
	}
	/* Nothing the tool left behind outlives it. */
	kill(-pid, SIGKILL);
	res->elapsed_ms = cb_now_ms() - t0;
	if (timed_out)
		return cb_error_set(err, CB_ETIMEOUT,
				    "bench tool %s did not finish within "
				    "%d ms",
				    argv[0], timeout_ms);
	if (WIFEXITED(wstatus))
		res->status = WEXITSTATUS(wstatus);
	if (res->status != 0) {
		char line[160];
		size_t k;

		/* The error is one line: the output's first 159 bytes. */
		snprintf(line, sizeof(line), "%.159s", res->output);
		for (k = 0; line[k]; k++)
			if ((unsigned char)line[k] < 0x20)
				line[k] = ' ';
		return cb_error_set(err, CB_EIO,
				    "bench tool %s failed (%s %d): %s",
				    argv[0],
				    WIFEXITED(wstatus) ? "exit status" : "signal",
				    WIFEXITED(wstatus) ? res->status
						       : WTERMSIG(wstatus),
				    line);
	}
	return CB_OK;
}

int benchtool_run(const char *spec, const char *const *extra, int timeout_ms,
		  struct benchtool_result *res, struct cb_error *err)
{
	int rc;

	pthread_mutex_lock(&bt_lock);
	rc = bt_run(spec, extra, timeout_ms, res, err);
	pthread_mutex_unlock(&bt_lock);
	return rc;
}
