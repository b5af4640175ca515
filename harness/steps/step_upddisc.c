/*
 * step_upddisc.c - update.discover and api.discover: does the device's API
 * answer on common paths the IXIT does not document?
 *
 * update.discover asks the paths where firmware updates are commonly
 * accepted and compares with IXIT 7-UpdMech (TS 103 701 5.3-10-1 unit c:
 * undocumented network update mechanisms).  api.discover asks common
 * IoT API paths and compares with every path IXIT 1-AuthMech, 7-UpdMech,
 * 13-SoftServ and 29-InpVal document (5.13-1-2 unit c: remote APIs the
 * documentation leaves out).
 *
 * Each path of the list is asked with a GET and no credentials; nothing
 * is uploaded.  A path "exists" when its status differs both from 404 and
 * from the status of a path that cannot exist (a device that answers 200
 * to everything does not make every path a finding).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/steps/updkit.h"

static const struct step_param disc_params[] = {
	{"list", SP_STRING, 0, NULL, 0, 0,
	 "data set of paths (default \"update-endpoints\", for api.discover "
	 "\"api-endpoints\")"},
	{"timeout_ms", SP_INT, 0, NULL, 100, 60000, "per request"},
	{NULL},
};

/* What each of the two steps asks and compares with. */
struct disc_kind {
	const char *list;		/* default data set */
	const char *const *sections;	/* IXIT sections that document paths */
	const char *what;		/* "update", "API" */
	const char *doc;		/* for the rationale */
};

static const char *const upd_sections[] = {"7-UpdMech", NULL};
static const char *const api_sections[] = {"1-AuthMech", "7-UpdMech",
					   "13-SoftServ", "29-InpVal", NULL};
static const struct disc_kind disc_update = {
	"update-endpoints", upd_sections, "update", "IXIT 7-UpdMech"};
static const struct disc_kind disc_api = {
	"api-endpoints", api_sections, "API",
	"IXIT 1-AuthMech, 7-UpdMech, 13-SoftServ or 29-InpVal"};

/* Every "path" a documented mechanism uses. */
static void disc_documented(json_t *v, json_t *out)
{
	const char *key;
	json_t *child;
	size_t k;

	if (json_is_object(v)) {
		json_object_foreach(v, key, child) {
			if (!strcmp(key, "path") && json_is_string(child))
				json_array_append(out, child);
			else
				disc_documented(child, out);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, k, child)
			disc_documented(child, out);
	}
}

static int disc_listed(json_t *list, const char *path)
{
	json_t *v;
	size_t k;

	json_array_foreach(list, k, v)
		if (!strcmp(json_string_value(v), path))
			return 1;
	return 0;
}

/* Status of GET path, or -1 (sr->err set). */
static long disc_status(struct step_run *sr, const char *path, int timeout)
{
	struct hw_http_req req = {
		.method = "GET",
		.url = path,
		.verify_tls = 1,
		.ca_file = step_ca_file(sr),
		.timeout_ms = timeout,
		.max_body = 64 * 1024,
	};
	struct hw_http_resp resp;
	struct hw_adapter *hw;
	long status = -1;

	hw_http_resp_init(&resp);
	if (!step_http(sr, path, &hw) && !hw_request(hw, &req, &resp, &sr->err))
		status = resp.status;
	else if (sr->err.code == CB_ETOOBIG)
		status = resp.status;
	hw_http_resp_release(&resp);
	return status;
}

static enum cb_verdict disc_run(struct step_run *sr,
				const struct disc_kind *kind)
{
	const char *list = step_str(sr, "list", kind->list);
	json_t *set = step_data(sr, list),
	       *paths = json_object_get(set, "paths"), *doc = json_array(),
	       *found = json_array(), *p;
	int timeout = (int)step_int(sr, "timeout_ms", 5000);
	const char *const *sec;
	long base, st;
	size_t k, asked = 0;
	enum cb_verdict v = CB_V_PASS;

	sr->value = json_pack("{s:o,s:o}", "documented", doc, "found", found);
	if (!json_array_size(paths))
		return step_error(sr, CB_EINVAL, "data set '%s' has no paths",
				  list);
	for (sec = kind->sections; *sec; sec++)
		disc_documented(step_ixit(sr, *sec), doc);
	base = disc_status(sr, "/certbench-no-such-path-7f3a9c", timeout);
	if (base < 0)
		return step_failed(sr);
	json_object_set_new(sr->value, "baseline_status", json_integer(base));
	json_array_foreach(paths, k, p) {
		const char *path = json_string_value(p);

		if (!path || disc_listed(doc, path))
			continue;
		st = disc_status(sr, path, timeout);
		if (st < 0)
			return step_failed(sr);
		asked++;
		if (st == 404 || st == base)
			continue;
		json_array_append_new(found, json_pack("{s:s,s:i}", "path",
						       path, "status", (int)st));
		step_say(sr, "undocumented %s endpoint? %s answers HTTP %ld (a "
			 "path that cannot exist answers %ld; not in %s)",
			 kind->what, path, st, base, kind->doc);
		v = CB_V_FAIL;
	}
	if (v == CB_V_PASS)
		step_say(sr, "none of %zu common %s paths exists on %s "
			 "beyond the documented ones",
			 asked, kind->what, step_sample_id(sr->sample));
	return v;
}

static enum cb_verdict update_discover(struct step_run *sr)
{
	return disc_run(sr, &disc_update);
}

static enum cb_verdict api_discover(struct step_run *sr)
{
	return disc_run(sr, &disc_api);
}

const struct step_def step_api_discover = {
	.name = "api.discover",
	.summary = "ask the device's API for common IoT API paths; any that "
		   "exists but no IXIT section documents fails",
	.params = disc_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = api_discover,
};

const struct step_def step_update_discover = {
	.name = "update.discover",
	.summary = "ask the device's API for common firmware-update paths; "
		   "any that exists but is not in IXIT 7-UpdMech fails",
	.params = disc_params,
	.needs = STEP_NEEDS_SAMPLE,
	.run = update_discover,
};
