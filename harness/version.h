/*
 * version.h - what the harness says it is, in reports and --version.
 */
#ifndef VERSION_H
#define VERSION_H

#define CB_VERSION "0.1.0"

/* git describe of the tree it was built from, or "unknown". */
const char *cb_git_rev(void);
/* Data folder baked in at build time (testcases/ lives below it). */
const char *cb_datadir_default(void);

#endif /* VERSION_H */
