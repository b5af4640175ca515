/*
 * check_evidence.c - the hash-chained transcript: records chain, any
 * change is found with its line, secrets are masked in text and in raw
 * bytes, and masking never alters the caller's values.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "harness/evidence.h"

static char dir[64], path[128];

static void ev_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cb-ev-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/evidence.jsonl", dir);
}

static void ev_teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static struct ev_log *write_log(int nrec)
{
	struct cb_error err = {0};
	struct ev_log *ev;
	json_t *hdr = json_pack("{s:s}", "run_id", "t");
	int k;

	ck_assert_int_eq(ev_open(&ev, path, hdr, &err), CB_OK);
	json_decref(hdr);
	for (k = 0; k < nrec; k++)
		ck_assert_int_eq(ev_append(ev, json_pack("{s:s,s:i}", "type",
							 "io", "k", k),
					   NULL, &err),
				 CB_OK);
	return ev;
}

static void read_lines(struct cb_buf *b)
{
	ck_assert_int_eq(cb_buf_read_file(b, path, 1 << 20, NULL), CB_OK);
}

static void write_all(const char *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

START_TEST(records_chain_and_verify)
{
	struct cb_error err = {0};
	struct ev_log *ev = write_log(5);
	char head[CB_SHA256_HEX], want[CB_SHA256_HEX];
	uint64_t n = 0;

	memcpy(want, ev->head, sizeof(want));
	ck_assert_uint_eq(ev->seq, 6);
	ev_free(ev); /* killed without run-end: what was written stays */
	ck_assert_int_eq(ev_verify_file(path, &n, head, &err), CB_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(head, want);
}
END_TEST

/*
 * The chain finds a change in any record but the last; the last is held
 * by the head hash, which the signed report carries.  Together they find
 * every single-byte change.
 */
START_TEST(any_changed_byte_breaks_the_chain_or_the_head)
{
	struct cb_error err;
	struct ev_log *ev = write_log(4);
	struct cb_buf b;
	uint64_t n;
	char head[CB_SHA256_HEX], good[CB_SHA256_HEX];
	size_t k;

	ev_close(ev, NULL);
	memcpy(good, ev->head, sizeof(good));
	ev_free(ev);
	read_lines(&b);
	for (k = 0; k < b.len; k++) {
		char *copy = malloc(b.len);

		memcpy(copy, b.data, b.len);
		copy[k] ^= 0x01;
		write_all(copy, b.len);
		free(copy);
		cb_error_clear(&err);
		if (ev_verify_file(path, &n, head, &err) == CB_OK) {
			ck_assert_str_ne(head, good);
			continue;
		}
		ck_assert_int_ge(err.line, 1);
		ck_assert_str_eq(err.source, path);
	}
	cb_buf_release(&b);
}
END_TEST

START_TEST(dropped_or_reordered_records_are_found)
{
	struct cb_error err = {0};
	struct cb_buf b;
	uint64_t n;
	char head[CB_SHA256_HEX], *l2, *l3, *l4;
	struct ev_log *ev = write_log(3);
	struct cb_buf out;

	ev_close(ev, NULL);
	ev_free(ev);
	read_lines(&b);
	l2 = strchr(b.data, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	l4 = strchr(l3, '\n') + 1;
	/* drop record 2 */
	cb_buf_init(&out, 1 << 20);
	cb_buf_add(&out, b.data, (size_t)(l2 - b.data), NULL);
	cb_buf_adds(&out, l3, NULL);
	write_all(out.data, out.len);
	ck_assert_int_eq(ev_verify_file(path, &n, head, &err), CB_ECRYPTO);
	ck_assert_int_eq(err.line, 2);
	/* swap records 2 and 3 */
	cb_buf_reset(&out);
	cb_buf_add(&out, b.data, (size_t)(l2 - b.data), NULL);
	cb_buf_add(&out, l3, (size_t)(l4 - l3), NULL);
	cb_buf_add(&out, l2, (size_t)(l3 - l2), NULL);
	cb_buf_adds(&out, l4, NULL);
	write_all(out.data, out.len);
	cb_error_clear(&err);
	ck_assert_int_eq(ev_verify_file(path, &n, head, &err), CB_ECRYPTO);
	ck_assert_int_eq(err.line, 2);
	/* truncated last line */
	write_all(b.data, b.len - 1);
	cb_error_clear(&err);
	ck_assert_int_eq(ev_verify_file(path, &n, head, &err), CB_ECRYPTO);
	cb_buf_release(&out);
	cb_buf_release(&b);
}
END_TEST

START_TEST(secrets_are_masked_in_text_and_bytes)
{
	struct ev_log *ev = write_log(0);
	char fp[CB_FP_LEN], want[80];
	struct cb_buf b;
	json_t *rec = json_object();
	const char raw[] = {'p', 'w', '=', 'h', 'u', 'n', 't', 'e', 'r', '2',
			    '\0', '\xff'};

	ck_assert_int_eq(ev_secret_add(ev, "hunter2", NULL), CB_OK);
	ck_assert_int_eq(ev_secret_add(ev, "hunter", NULL), CB_OK);
	ev_fingerprint(ev, "hunter2", fp);
	json_object_set_new(rec, "text", json_string("user hunter2 typed"));
	ev_put_bytes(ev, rec, "data", raw, sizeof(raw));
	ck_assert_int_eq(ev_append(ev, rec, NULL, NULL), CB_OK);
	ev_close(ev, NULL);
	ev_free(ev);
	read_lines(&b);
	ck_assert_ptr_null(strstr(b.data, "hunter"));
	snprintf(want, sizeof(want), "user [secret %s] typed", fp);
	ck_assert_ptr_nonnull(strstr(b.data, want)); /* longest wins */
	ck_assert_ptr_nonnull(strstr(b.data, "\"data_hex\":\"70773d5b"));
	cb_buf_release(&b);
}
END_TEST

START_TEST(masking_never_changes_the_callers_values)
{
	struct ev_log *ev = write_log(0);
	json_t *shared = json_string("s3cret-pw"), *rec;

	ev_secret_add(ev, "s3cret-pw", NULL);
	rec = json_object();
	json_object_set(rec, "args", shared);
	ck_assert_int_eq(ev_append(ev, rec, NULL, NULL), CB_OK);
	ck_assert_str_eq(json_string_value(shared), "s3cret-pw");
	json_decref(shared);
	ev_close(ev, NULL);
	ev_free(ev);
}
END_TEST

START_TEST(fingerprints_are_keyed_by_the_run_salt)
{
	struct ev_log *a = write_log(0), *b;
	char fa[CB_FP_LEN], fa2[CB_FP_LEN], fb[CB_FP_LEN];

	ev_fingerprint(a, "admin", fa);
	ev_fingerprint(a, "admin", fa2);
	ev_close(a, NULL);
	ev_free(a);
	unlink(path);
	b = write_log(0);
	ev_fingerprint(b, "admin", fb);
	ck_assert_str_eq(fa, fa2);
	ck_assert_str_ne(fa, fb);
	ck_assert_uint_eq(strlen(fa), 35);
	ck_assert(!strncmp(fa, "fp:", 3));
	ev_close(b, NULL);
	ev_free(b);
}
END_TEST

START_TEST(an_existing_file_is_never_overwritten)
{
	struct cb_error err = {0};
	struct ev_log *ev;

	ev_free(write_log(1));
	ck_assert_int_eq(ev_open(&ev, path, NULL, &err), CB_EIO);
	ck_assert_str_eq(err.source, path);
	ck_assert_ptr_null(ev);
}
END_TEST

/*
 * Samples run in parallel each write through a view of their own: one
 * chain, every record stamped with its own writer's context.
 */
#define EV_WRITERS 8
#define EV_PER_WRITER 200

struct ev_writer {
	struct ev_log view;
	char id[8];
};

static void *ev_writer_main(void *arg)
{
	struct ev_writer *w = arg;
	int k;

	for (k = 0; k < EV_PER_WRITER; k++) {
		w->view.step_index = k;
		ev_append(&w->view,
			  json_pack("{s:s,s:i}", "type", "io", "k", k), NULL,
			  NULL);
	}
	return NULL;
}

START_TEST(views_keep_one_chain_and_their_own_context)
{
	struct ev_writer w[EV_WRITERS];
	pthread_t th[EV_WRITERS];
	struct cb_error err = {0};
	struct ev_log *ev = write_log(0);
	char head[CB_SHA256_HEX];
	int next[EV_WRITERS] = {0}, k, i;
	struct cb_buf b;
	const char *line, *nl, *sid;
	uint64_t n = 0;
	json_t *rec;

	for (k = 0; k < EV_WRITERS; k++) {
		ev_view_init(&w[k].view, ev);
		snprintf(w[k].id, sizeof(w[k].id), "s%d", k);
		w[k].view.case_id = "5.1-1-2";
		w[k].view.sample_id = w[k].id;
		ck_assert_int_eq(pthread_create(&th[k], NULL, ev_writer_main,
						&w[k]), 0);
	}
	for (k = 0; k < EV_WRITERS; k++)
		pthread_join(th[k], NULL);
	ck_assert_int_eq(ev_close(ev, &err), CB_OK);
	ev_free(ev);
	ck_assert_int_eq(ev_verify_file(path, &n, head, &err), CB_OK);
	ck_assert_uint_eq(n, 2 + EV_WRITERS * EV_PER_WRITER);
	/* Each writer's records are in its order and carry its sample. */
	read_lines(&b);
	for (line = b.data; (nl = strchr(line, '\n')); line = nl + 1) {
		rec = json_loadb(line, (size_t)(nl - line), 0, NULL);
		ck_assert_ptr_nonnull(rec);
		if (json_object_get(rec, "k")) {
			sid = json_string_value(json_object_get(rec, "sample"));
			i = sid[1] - '0';
			ck_assert_int_eq(json_integer_value(
						 json_object_get(rec, "k")),
					 next[i]);
			ck_assert_int_eq(json_integer_value(json_object_get(
						 rec, "step_index")),
					 next[i]);
			next[i]++;
		}
		json_decref(rec);
	}
	for (k = 0; k < EV_WRITERS; k++)
		ck_assert_int_eq(next[k], EV_PER_WRITER);
	cb_buf_release(&b);
}
END_TEST

static Suite *evidence_suite(void)
{
	Suite *s = suite_create("evidence");
	TCase *tc = tcase_create("chain");

	tcase_add_checked_fixture(tc, ev_setup, ev_teardown);
	tcase_add_test(tc, records_chain_and_verify);
	tcase_add_test(tc, any_changed_byte_breaks_the_chain_or_the_head);
	tcase_add_test(tc, dropped_or_reordered_records_are_found);
	tcase_add_test(tc, secrets_are_masked_in_text_and_bytes);
	tcase_add_test(tc, masking_never_changes_the_callers_values);
	tcase_add_test(tc, fingerprints_are_keyed_by_the_run_salt);
	tcase_add_test(tc, an_existing_file_is_never_overwritten);
	tcase_add_test(tc, views_keep_one_chain_and_their_own_context);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evidence_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
