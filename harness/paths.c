/*
 * paths.c - data folder discovery and small path helpers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/paths.h"
#include "harness/version.h"

static int has_testcases(const char *dir)
{
	char p[PATH_MAX + 32];
	struct stat st;

	snprintf(p, sizeof(p), "%s/testcases/catalog", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *cb_datadir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("CERTBENCH_DATA");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env)
		return env;
	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* <tree>/build/certbench or <tree>/build-asan/certbench */
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			slash = strrchr(exe, '/');
			if (slash) {
				*slash = '\0';
				if (has_testcases(exe)) {
					snprintf(dir, sizeof(dir), "%s", exe);
					return dir;
				}
			}
		}
	}
	snprintf(dir, sizeof(dir), "%s", cb_datadir_default());
	return dir;
}

void cb_path_join(char *out, size_t len, const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n && dir[n - 1] == '/')
		snprintf(out, len, "%s%s", dir, name);
	else
		snprintf(out, len, "%s/%s", dir, name);
}

void cb_path_stem(char *out, size_t len, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".json"))
		n -= 5;
	snprintf(out, len, "%.*s", (int)n, base);
}

int cb_mkdirs(const char *path, int mode)
{
	char tmp[PATH_MAX], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, (mode_t)mode) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, (mode_t)mode) && errno != EEXIST)
		return -1;
	return 0;
}
