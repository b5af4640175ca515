/*
 * version.c - build facts; the Makefile rebuilds this file every time so
 * the git revision is never stale.
 */
#include "harness/version.h"

#ifndef CB_GIT_REV
#define CB_GIT_REV "unknown"
#endif
#ifndef CB_DATADIR
#define CB_DATADIR "/usr/local/share/certbench"
#endif

const char *cb_git_rev(void)
{
	return CB_GIT_REV;
}

const char *cb_datadir_default(void)
{
	return CB_DATADIR;
}
