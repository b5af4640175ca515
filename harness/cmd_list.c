/*
 * cmd_list.c - 'certbench list': the test cases certbench has, the
 * provisions they cover and, with -s, how a scheme's provisions are
 * covered.  Also 'certbench help steps'.
 */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/cb_error.h"
#include "harness/cli.h"
#include "harness/paths.h"
#include "harness/step.h"
#include "harness/tc.h"

static int list_load(struct catalog *cat, struct tc_set *set,
		     struct cb_error *err)
{
	char path[PATH_MAX];
	int rc;

	cb_path_join(path, sizeof(path), cb_datadir(),
		     "testcases/catalog/en303645-v2.1.1.json");
	rc = catalog_load(cat, path, err);
	if (rc)
		return rc;
	cb_path_join(path, sizeof(path), cb_datadir(), "testcases/en303645");
	rc = tc_set_load(set, path, cat, NULL, 0, err);
	if (rc)
		catalog_release(cat);
	return rc;
}

static void list_scheme(const struct scheme *s, const struct catalog *cat,
			const struct tc_set *set)
{
	const struct cat_provision *p;
	json_t *v;
	size_t k, j, n;

	printf("%s\n%s\n\n  %-9s %-3s %-16s %s\n", s->title, s->basis,
	       "provision", "st", "test cases", "summary");
	json_array_foreach(s->provisions, k, v) {
		p = catalog_provision(cat, json_string_value(v));
		printf("  %-9s %-3s ", p->id, p->status);
		for (j = 0, n = 0; j < set->n; j++)
			if (!strcmp(set->cases[j].provision, p->id))
				n += (size_t)printf("%s%s", n ? "," : "",
						    set->cases[j].id);
		if (!n)
			n = (size_t)printf("(none yet)");
		printf("%*s %s\n", n < 16 ? (int)(16 - n) : 0, "", p->summary);
	}
}

/* The scheme ids: testcases/schemes/<id>.json. */
static void list_schemes(void)
{
	struct dirent **ents = NULL;
	char dir[PATH_MAX], stem[256];
	int n, k, shown = 0;

	cb_path_join(dir, sizeof(dir), cb_datadir(), "testcases/schemes");
	n = scandir(dir, &ents, NULL, alphasort);
	printf("\nschemes:");
	for (k = 0; k < n; k++) {
		if (strstr(ents[k]->d_name, ".json")) {
			cb_path_stem(stem, sizeof(stem), ents[k]->d_name);
			printf("%s %s", shown++ ? "," : "", stem);
		}
		free(ents[k]);
	}
	free(ents);
	printf("%s (certbench list -s SCHEME)\n", shown ? "" : " none");
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {{"scheme", 1, NULL, 's'},
					     {NULL, 0, NULL, 0}};
	const char *scheme = NULL;
	struct cb_error err = {0};
	struct catalog cat;
	struct tc_set set;
	struct scheme s;
	size_t k;
	int c;

	while ((c = getopt_long(argc, argv, "s:", opts, NULL)) != -1) {
		if (c != 's')
			return cli_usage("list");
		scheme = optarg;
	}
	if (list_load(&cat, &set, &err)) {
		cli_error(&err);
		return cli_exit_for(err.code);
	}
	if (scheme) {
		if (scheme_load(&s, cb_datadir(), scheme, &cat, &err)) {
			cli_error(&err);
			c = cli_exit_for(err.code);
		} else {
			list_scheme(&s, &cat, &set);
			scheme_release(&s);
			c = 0;
		}
		tc_set_release(&set);
		catalog_release(&cat);
		return c;
	}
	printf("%s %s test cases (%s):\n\n  %-10s %-9s %-11s %s\n",
	       cat.standard, cat.version, cat.test_spec, "id", "provision",
	       "kind", "title");
	for (k = 0; k < set.n; k++)
		printf("  %-10s %-9s %-11s %s\n", set.cases[k].id,
		       set.cases[k].provision, set.cases[k].kind,
		       set.cases[k].title);
	list_schemes();
	tc_set_release(&set);
	catalog_release(&cat);
	return 0;
}

void cli_help_steps(void)
{
	const struct step_def *const *d;
	const struct step_param *p;

	for (d = step_all(); *d; d++) {
		printf("%s\n    %s\n", (*d)->name, (*d)->summary);
		for (p = (*d)->params; p && p->name; p++)
			printf("      %-16s %s%s\n", p->name,
			       (p->flags & SPF_REQUIRED) ? "(required) " : "",
			       p->help);
	}
}
