/*
 * paths.h - where certbench finds its data (testcases/) and names files.
 */
#ifndef PATHS_H
#define PATHS_H

#include <stddef.h>

/*
 * The folder holding testcases/: $CERTBENCH_DATA, else the source tree
 * the binary was built in (build/certbench -> .), else the install
 * DATADIR.  The result is a static string.
 */
const char *cb_datadir(void);

/* Join a folder and a name into out ("a" + "b" -> "a/b"). */
void cb_path_join(char *out, size_t len, const char *dir, const char *name);

/* The last component of a path, without a ".json" ending. */
void cb_path_stem(char *out, size_t len, const char *path);

/* mkdir -p; 0 on success. */
int cb_mkdirs(const char *path, int mode);

#endif /* PATHS_H */
