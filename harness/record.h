/*
 * record.h - the report record built from a finished run (report.json).
 */
#ifndef RECORD_H
#define RECORD_H

#include <jansson.h>

#include "harness/runner.h"

struct cb_error;

/*
 * Build the record.  Reads the closed evidence file back to state its
 * hash, record count and chain head.  *out is a new object.
 */
int record_build(json_t **out, const struct run_ctx *r, struct cb_error *err);

#endif /* RECORD_H */
