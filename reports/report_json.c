/*
 * report_json.c - write report.json: canonical bytes, atomic rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cb_error.h"
#include "harness/paths.h"
#include "reports/rpt.h"

int rpt_write_file(const char *dir, const char *name, const void *p,
		   size_t n, struct cb_error *err)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	const char *c = p;
	ssize_t w;
	int fd, rc = CB_OK;

	cb_path_join(path, sizeof(path), dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = cb_error_set_os(err, CB_EIO, "cannot create");
		cb_error_at(err, tmp, 0, 0);
		return rc;
	}
	while (n) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = cb_error_set_os(err, CB_EIO, "write failed");
			break;
		}
		c += w;
		n -= (size_t)w;
	}
	if (!rc && fsync(fd))
		rc = cb_error_set_os(err, CB_EIO, "fsync failed");
	if (close(fd) && !rc)
		rc = cb_error_set_os(err, CB_EIO, "close failed");
	if (!rc && rename(tmp, path))
		rc = cb_error_set_os(err, CB_EIO, "rename failed");
	if (rc) {
		unlink(tmp);
		cb_error_at(err, path, 0, 0);
	}
	return rc;
}

/* Reals have no canonical form we control: the record must hold none. */
static int has_real(const json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_real(v))
		return 1;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child)
			if (has_real(child))
				return 1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			if (has_real(child))
				return 1;
	}
	return 0;
}

int rpt_json_bytes(const json_t *record, char **out, size_t *len,
		   struct cb_error *err)
{
	*out = NULL;
	if (has_real(record))
		return cb_error_set(err, CB_ERROR,
				    "report record holds a real number");
	*out = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS);
	if (!*out)
		return cb_error_set(err, CB_ENOMEM, "cannot serialise report");
	*len = strlen(*out);
	return CB_OK;
}

int rpt_write_json(const char *dir, const json_t *record,
		   struct cb_error *err)
{
	char *bytes;
	size_t len;
	int rc;

	rc = rpt_json_bytes(record, &bytes, &len, err);
	if (rc)
		return rc;
	rc = rpt_write_file(dir, "report.json", bytes, len, err);
	free(bytes);
	return rc;
}
