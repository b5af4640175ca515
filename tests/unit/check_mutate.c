/*
 * check_mutate.c - the input mutator of 5.13-1-2 a: the same seed gives
 * the same bytes, every mutation can be rebuilt alone, every class hits
 * every field, and the "must refuse" judgement agrees with an independent
 * check of the parsed body against the documented constraints (written
 * here from the simdut settings rules, not with mutate.c's code).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cb_error.h"
#include "harness/mutate.h"

#define EXAMPLE                                                             \
	"{\"ntp\": \"pool.ntp.org\", \"wifi_ssid\": \"SimDUT-Setup\", "     \
	"\"remote_access\": false}"
#define FIELDS                                                              \
	"{\"ntp\": {\"type\": \"string\", \"min_length\": 1, "              \
	"\"max_length\": 128}, "                                            \
	"\"wifi_ssid\": {\"type\": \"string\", \"min_length\": 1, "         \
	"\"max_length\": 32}, "                                             \
	"\"remote_access\": {\"type\": \"boolean\"}}"
#define MANY 3000

static struct mutator *make(uint64_t seed, const char *example,
			    const char *fields)
{
	json_t *ex = json_loads(example, 0, NULL);
	json_t *f = fields ? json_loads(fields, 0, NULL) : NULL;
	struct cb_error err = {0};
	struct mutator *m = NULL;

	ck_assert_ptr_nonnull(ex);
	ck_assert_int_eq(mut_new(&m, seed, ex, f, &err), CB_OK);
	json_decref(ex);
	json_decref(f);
	return m;
}

static void build(const struct mutator *m, size_t k, struct mutation *mu)
{
	struct cb_error err = {0};

	ck_assert_msg(mut_make(m, k, mu, &err) == CB_OK, "mutation %zu: %s",
		      k, err.text);
	ck_assert_uint_le(mu->body.len, MUT_BODY_MAX);
	ck_assert(mu->label[0]);
	ck_assert_int_eq(mu->must_refuse, mu->broken[0] != '\0');
}

/* The first systematic mutation whose label starts with prefix. */
static int find(const struct mutator *m, const char *prefix,
		struct mutation *mu)
{
	size_t k;

	for (k = 0; k < mut_systematic(m); k++) {
		build(m, k, mu);
		if (!strncmp(mu->label, prefix, strlen(prefix)))
			return 1;
	}
	return 0;
}

START_TEST(same_seed_same_bytes)
{
	struct mutator *a = make(0x1234, EXAMPLE, FIELDS),
		       *b = make(0x1234, EXAMPLE, FIELDS);
	struct mutation x, y;
	size_t k;

	mutation_init(&x);
	mutation_init(&y);
	for (k = 0; k < 600; k++) {
		build(a, k, &x);
		build(b, k, &y);
		ck_assert_str_eq(x.sha256, y.sha256);
		ck_assert_str_eq(x.label, y.label);
		ck_assert_int_eq(x.must_refuse, y.must_refuse);
		ck_assert_uint_eq(x.index, k);
	}
	/* Any one, rebuilt alone and out of order, is the same. */
	build(a, 517, &x);
	build(b, 3, &y);
	build(b, 517, &y);
	ck_assert_str_eq(x.sha256, y.sha256);
	mutation_release(&x);
	mutation_release(&y);
	mut_free(a);
	mut_free(b);
}
END_TEST

START_TEST(seed_changes_only_the_random_part)
{
	struct mutator *a = make(1, EXAMPLE, FIELDS), *b = make(2, EXAMPLE,
								FIELDS);
	struct mutation x, y;
	size_t k, nsys = mut_systematic(a), differ = 0;

	ck_assert_uint_eq(nsys, mut_systematic(b));
	ck_assert_uint_ge(nsys, 60);
	mutation_init(&x);
	mutation_init(&y);
	for (k = 0; k < nsys + 100; k++) {
		build(a, k, &x);
		build(b, k, &y);
		ck_assert_int_eq(x.systematic, k < nsys);
		if (k < nsys)
			ck_assert_str_eq(x.sha256, y.sha256);
		else
			differ += strcmp(x.sha256, y.sha256) != 0;
	}
	ck_assert_uint_ge(differ, 90);
	mutation_release(&x);
	mutation_release(&y);
	mut_free(a);
	mut_free(b);
}
END_TEST

/* Label prefix, must it be refused, the broken rule, a body excerpt. */
struct expect {
	const char *label;
	int refuse;
	const char *broken;
	const char *body;
};

static const struct expect expects[] = {
	{"ntp: empty string", 1, "documented at least 1", "\"ntp\":\"\""},
	{"ntp: string of 128 bytes", 0, "", NULL},
	{"ntp: string of 129 bytes", 1, "documented at most 128", NULL},
	{"ntp: string of 4096 bytes", 1, "documented at most 128", NULL},
	{"ntp: path traversal ../../../../etc/passwd", 0, "",
	 "\"ntp\":\"../../../../etc/passwd\""},
	{"ntp: format string %n%n%s", 0, "", "\"ntp\":\"%n%n%s\""},
	{"ntp: shell metacharacters ;id", 0, "", "\"ntp\":\";id\""},
	{"ntp: SQL injection", 0, "", NULL},
	{"ntp: NUL byte", 0, "", "\"ntp\":\"a\\u0000b\""},
	{"ntp: invalid UTF-8", 1, "not valid JSON", NULL},
	{"ntp: integer instead of string", 1, "documented as a string",
	 "\"ntp\":12345"},
	{"ntp: deep nesting (512 lists)", 1, "documented as a string",
	 "[[[["},
	{"ntp: missing", 0, "", NULL},
	{"ntp: key twice", 0, "", "\"ntp\":\"pool.ntp.org\",\"ntp\":null"},
	{"wifi_ssid: string of 33 bytes", 1, "documented at most 32", NULL},
	{"remote_access: integer instead of boolean", 1,
	 "documented as a boolean", "\"remote_access\":1"},
	{"remote_access: string \"false\" instead of boolean", 1,
	 "documented as a boolean", NULL},
	{"remote_access: True", 1, "not valid JSON", NULL},
	{"empty body", 1, "not valid JSON", NULL},
	{"malformed JSON: truncated", 1, "not valid JSON", NULL},
	{"malformed JSON: trailing comma", 1, "not valid JSON", ",}"},
	{"NUL byte in the body", 1, "not valid JSON", NULL},
	{"empty object", 0, "", "{}"},
	{"unknown key certbench_unknown", 0, "", NULL},
	{"deep nesting (4096 lists)", 1,
	 "the documented body is a JSON object", NULL},
	{"null instead of an object", 1,
	 "the documented body is a JSON object", "null"},
	{"byte order mark", 0, "", "\xef\xbb\xbf{"},
};

START_TEST(systematic_classes_and_judgement)
{
	const struct expect *e = &expects[_i];
	struct mutator *m = make(7, EXAMPLE, FIELDS);
	struct mutation mu;

	mutation_init(&mu);
	ck_assert_msg(find(m, e->label, &mu), "no mutation '%s'", e->label);
	ck_assert_msg(mu.must_refuse == e->refuse, "%s: must_refuse %d",
		      mu.label, mu.must_refuse);
	ck_assert_str_eq(mu.broken, e->broken);
	if (e->body)
		ck_assert_msg(memmem(mu.body.data ? mu.body.data : "",
				     mu.body.len, e->body, strlen(e->body)),
			      "%s: body lacks %s", mu.label, e->body);
	mutation_release(&mu);
	mut_free(m);
}
END_TEST

/* Every field gets every class that fits its type, once. */
START_TEST(every_field_every_class)
{
	static const char *const per_string[] = {
		"empty string", "only spaces", "string of 4096 bytes",
		"path traversal", "format string", "shell metacharacters",
		"SQL injection", "script injection", "control characters",
		"NUL byte", "unicode", "invalid UTF-8",
		"integer instead of string", "number 1.5 instead of string",
		"boolean instead of string", "null instead of string",
		"list instead of string", "object instead of string",
		"deep nesting", "missing", "key twice", NULL};
	static const char *const fields[] = {"ntp", "wifi_ssid", NULL};
	struct mutator *m = make(7, EXAMPLE, FIELDS);
	struct mutation mu;
	char want[128];
	size_t f, c, k, hits;

	mutation_init(&mu);
	for (f = 0; fields[f]; f++) {
		for (c = 0; per_string[c]; c++) {
			snprintf(want, sizeof(want), "%s: %s", fields[f],
				 per_string[c]);
			for (hits = 0, k = 0; k < mut_systematic(m); k++) {
				build(m, k, &mu);
				hits += !strncmp(mu.label, want, strlen(want));
			}
			ck_assert_msg(hits == 1, "'%s' %zu times", want, hits);
		}
	}
	mutation_release(&mu);
	mut_free(m);
}
END_TEST

/* Independent judge: the simdut settings rules, on the parsed body. */
static size_t chars(const char *s, size_t n)
{
	size_t k, c = 0;

	for (k = 0; k < n; k++)
		c += ((unsigned char)s[k] & 0xc0) != 0x80;
	return c;
}

static int oracle_breaks(json_t *doc)
{
	json_t *v;
	size_t n;

	if (!json_is_object(doc))
		return 1;
	if ((v = json_object_get(doc, "remote_access")) && !json_is_boolean(v))
		return 1;
	if ((v = json_object_get(doc, "ntp"))) {
		n = json_string_length(v);
		if (!json_is_string(v) || n < 1 ||
		    chars(json_string_value(v), n) > 128)
			return 1;
	}
	if ((v = json_object_get(doc, "wifi_ssid"))) {
		n = json_string_length(v);
		if (!json_is_string(v) || n < 1 ||
		    chars(json_string_value(v), n) > 32)
			return 1;
	}
	return 0;
}

START_TEST(judgement_agrees_with_the_parsed_body)
{
	struct mutator *m = make(0xfeedface, EXAMPLE, FIELDS);
	struct mutation mu;
	json_error_t jerr;
	json_t *doc;
	size_t k, checked = 0, malformed = 0;

	mutation_init(&mu);
	for (k = 0; k < MANY; k++) {
		build(m, k, &mu);
		doc = json_loadb(mu.body.data ? mu.body.data : "", mu.body.len,
				 JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
				 &jerr);
		if (!strcmp(mu.broken, "not valid JSON")) {
			/* jansson is strict: whatever is malformed, it
			 * refuses. */
			ck_assert_msg(!doc, "#%zu %s parses", k, mu.label);
			malformed++;
			continue;
		}
		if (!doc) /* duplicate keys, a BOM, depth past jansson's */
			continue;
		ck_assert_msg(oracle_breaks(doc) == mu.must_refuse,
			      "#%zu %s: must_refuse %d (%s)", k, mu.label,
			      mu.must_refuse, mu.broken);
		checked++;
		json_decref(doc);
	}
	ck_assert_uint_ge(checked, MANY / 2);
	ck_assert_uint_ge(malformed, MANY / 10);
	mutation_release(&mu);
	mut_free(m);
}
END_TEST

START_TEST(numbers_and_patterns)
{
	static const struct expect rows[] = {
		{"port: 1 (the documented minimum)", 0, "", "\"port\":1"},
		{"port: 0", 1, "documented at least 1", NULL},
		{"port: 65535 (the documented maximum)", 0, "", NULL},
		{"port: 65536", 1, "documented at most 65535", NULL},
		{"port: -1", 1, "documented at least 1", NULL},
		{"port: integer 2^63", 1, "documented at most 65535",
		 "9223372036854775808"},
		{"port: integer -2^63-1", 1, "documented at least 1", NULL},
		{"port: fraction 0.5", 1, "documented as an integer", NULL},
		{"port: number 1e999", 1, "documented at most 65535", NULL},
		{"port: number with leading zeros", 1, "not valid JSON",
		 "007"},
		{"port: NaN", 1, "not valid JSON", NULL},
		{"port: string \"8080\" instead of integer", 1,
		 "documented as an integer", NULL},
		{"ratio: 0.10000000000000001 (the documented maximum)", 0, "",
		 NULL},
		{"ratio: 1.1000000000000001", 1,
		 "documented at most 0.10000000000000001", NULL},
		{"ratio: fraction 0.5", 1,
		 "documented at most 0.10000000000000001", NULL},
		{"ratio: integer 2^63", 1, NULL, NULL},
		{"name: path traversal", 1, "documented pattern ^[a-z]+$",
		 NULL},
		{"name: string of 4096 bytes", 1, "documented pattern ^[a-z]+$",
		 NULL},
		{"name: empty string", 1, "documented pattern ^[a-z]+$", NULL},
		{"name: NUL byte", 0, "", NULL},
		{"free: string of 4096 bytes", 0, "", NULL},
		{"free: integer instead of string", 0, "", NULL},
	};
	struct mutator *m = make(
		9,
		"{\"port\": 8080, \"ratio\": 0.05, \"name\": \"abc\", "
		"\"free\": \"x\"}",
		"{\"port\": {\"type\": \"integer\", \"min\": 1, \"max\": "
		"65535}, \"ratio\": {\"type\": \"number\", \"max\": 0.1}, "
		"\"name\": {\"type\": \"string\", \"pattern\": \"^[a-z]+$\"}}");
	struct mutation mu;
	size_t k;

	mutation_init(&mu);
	for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		ck_assert_msg(find(m, rows[k].label, &mu), "no '%s'",
			      rows[k].label);
		ck_assert_msg(mu.must_refuse == rows[k].refuse, "%s: %d",
			      mu.label, mu.must_refuse);
		if (rows[k].broken)
			ck_assert_str_eq(mu.broken, rows[k].broken);
		if (rows[k].body)
			ck_assert(memmem(mu.body.data, mu.body.len,
					 rows[k].body, strlen(rows[k].body)));
	}
	mutation_release(&mu);
	mut_free(m);
}
END_TEST

/* A 16 KiB example with many fields: no body passes its ceiling. */
START_TEST(bodies_stay_bounded)
{
	json_t *ex = json_object(), *fields = json_object();
	struct cb_error err = {0};
	struct mutator *m = NULL;
	struct mutation mu;
	char name[16], *big = malloc(2000);
	size_t k, longest = 0;

	memset(big, 'v', 1999);
	big[1999] = '\0';
	for (k = 0; k < 7; k++) {
		snprintf(name, sizeof(name), "f%zu", k);
		json_object_set_new(ex, name, json_string(big));
		json_object_set_new(fields, name,
				    json_pack("{s:s,s:i}", "type", "string",
					      "max_length", 4000));
	}
	ck_assert_int_eq(mut_new(&m, 3, ex, fields, &err), CB_OK);
	mutation_init(&mu);
	for (k = 0; k < MANY; k++) {
		build(m, k, &mu);
		if (mu.body.len > longest)
			longest = mu.body.len;
	}
	ck_assert_uint_le(longest, MUT_BODY_MAX);
	ck_assert_uint_ge(longest, 16 * 1024);
	mutation_release(&mu);
	mut_free(m);
	json_decref(ex);
	json_decref(fields);
	free(big);
}
END_TEST

START_TEST(bad_input_to_the_mutator)
{
	json_t *arr = json_array(), *big = json_object(),
	       *ex = json_pack("{s:s}", "a", "b"),
	       *bad = json_pack("{s:{s:s}}", "a", "type", "text");
	struct cb_error err = {0};
	struct mutator *m = (struct mutator *)&err;
	char *s = malloc(MUT_EXAMPLE_MAX + 1);

	ck_assert_int_eq(mut_new(&m, 1, arr, NULL, &err), CB_EINVAL);
	ck_assert_ptr_null(m);
	memset(s, 'x', MUT_EXAMPLE_MAX);
	s[MUT_EXAMPLE_MAX] = '\0';
	json_object_set_new(big, "a", json_string(s));
	cb_error_clear(&err);
	ck_assert_int_eq(mut_new(&m, 1, big, NULL, &err), CB_EINVAL);
	cb_error_clear(&err);
	ck_assert_int_eq(mut_new(&m, 1, ex, bad, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.text, "field 'a'"));
	/* Without documented fields nothing but the form is a rule. */
	cb_error_clear(&err);
	ck_assert_int_eq(mut_new(&m, 1, ex, NULL, &err), CB_OK);
	mut_free(m);
	mut_free(NULL);
	free(s);
	json_decref(arr);
	json_decref(big);
	json_decref(ex);
	json_decref(bad);
}
END_TEST

START_TEST(seeds)
{
	char text[MUT_SEED_HEX];
	uint64_t v = 0;

	mut_seed_format(0xdeadbeef00c0ffeeULL, text);
	ck_assert_str_eq(text, "0xdeadbeef00c0ffee");
	ck_assert_int_eq(mut_seed_parse(text, &v), 0);
	ck_assert(v == 0xdeadbeef00c0ffeeULL);
	ck_assert_int_eq(mut_seed_parse("12345", &v), 0);
	ck_assert(v == 12345);
	ck_assert_int_eq(mut_seed_parse("0x1ffffffffffffffff", &v), -1);
	ck_assert_int_eq(mut_seed_parse("-1", &v), -1);
	ck_assert_int_eq(mut_seed_parse("12z", &v), -1);
	ck_assert_int_eq(mut_seed_parse("", &v), -1);
	ck_assert(mut_seed_derive(1, "config") == mut_seed_derive(1, "config"));
	ck_assert(mut_seed_derive(1, "config") != mut_seed_derive(2, "config"));
	ck_assert(mut_seed_derive(1, "config") != mut_seed_derive(1, "login"));
}
END_TEST

static Suite *mutate_suite(void)
{
	Suite *s = suite_create("mutate");
	TCase *tc = tcase_create("mutate");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, same_seed_same_bytes);
	tcase_add_test(tc, seed_changes_only_the_random_part);
	tcase_add_loop_test(tc, systematic_classes_and_judgement, 0,
			    sizeof(expects) / sizeof(expects[0]));
	tcase_add_test(tc, every_field_every_class);
	tcase_add_test(tc, judgement_agrees_with_the_parsed_body);
	tcase_add_test(tc, numbers_and_patterns);
	tcase_add_test(tc, bodies_stay_bounded);
	tcase_add_test(tc, bad_input_to_the_mutator);
	tcase_add_test(tc, seeds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mutate_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
