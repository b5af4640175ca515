/*
 * check_bruteforce.c - the brute-force judgement on synthetic recordings:
 * no protection, a fixed per-attempt delay, growing delays, lockout with
 * recovery (loud and silent), and claims that do not match.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "harness/bruteforce.h"
#include "harness/verdict.h"

#define MAX_RATE 100 /* 1 guess per second, x100 */

/* A level whose sustained guess rate is rate_x100. */
static struct bf_level level(int conc, int64_t rate_x100)
{
	struct bf_level l;

	memset(&l, 0, sizeof(l));
	l.concurrency = conc;
	l.st.attempts = l.st.refused = 40;
	l.st.elapsed_ms = 10000;
	l.st.rate_x100 = l.st.guess_rate_x100 = rate_x100;
	return l;
}

static int judge(const struct bf_level *lv, size_t n, const char *kind,
		 long attempts, long recovery_s, char *why)
{
	struct bf_claim c = {.kind = kind, .attempts = attempts,
			     .recovery_s = recovery_s};

	return bf_judge(lv, n, &c, MAX_RATE, why, 2048);
}

START_TEST(no_protection_fails)
{
	struct bf_level lv[] = {level(1, 50000), level(32, 400000)};
	char why[2048];

	ck_assert_int_eq(judge(lv, 2, "lockout", 5, 30, why), CB_V_FAIL);
	ck_assert_ptr_nonnull(strstr(why, "brute force is practicable"));
	ck_assert_ptr_nonnull(strstr(why, "up to 4000.00/s at 32 parallel"));
	ck_assert_ptr_nonnull(strstr(why, "IXIT claims a lockout"));
}
END_TEST

START_TEST(fixed_delay_without_global_limit_fails)
{
	/* 1 s per failure: 1/s alone, 32/s with 32 connections. */
	struct bf_level lv[] = {level(1, 100), level(4, 400), level(16, 1600),
				level(32, 3200)};
	char why[2048];

	ck_assert_int_eq(judge(lv, 4, "throttle", 0, 0, why), CB_V_FAIL);
	ck_assert_ptr_nonnull(strstr(why, "32.00/s at 32 parallel"));
}
END_TEST

START_TEST(global_growing_delay_passes)
{
	struct bf_level lv[] = {level(1, 60), level(32, 50)};
	char why[2048];

	lv[0].st.growing = 1;
	ck_assert_int_eq(judge(lv, 2, "throttle", 0, 0, why), CB_V_PASS);
	ck_assert_ptr_nonnull(strstr(why, "slow down"));
}
END_TEST

START_TEST(lockout_with_recovery_matching_the_claim_passes)
{
	struct bf_level lv[] = {level(1, 5000), level(4, 9000)};
	char why[2048];

	lv[0].st.first_locked = 6;
	lv[0].st.locked = 1;
	lv[0].control_refused = 1;
	lv[0].recovered_ms = 3200;
	lv[1].st.first_locked = 8;
	lv[1].control_refused = 1;
	lv[1].recovered_ms = 3100;
	ck_assert_int_eq(judge(lv, 2, "lockout", 5, 3, why), CB_V_PASS);
	ck_assert_ptr_nonnull(strstr(why, "locks out after 5 failed"));
	ck_assert_int_eq(judge(lv, 2, "lockout", 3, 3, why), CB_V_FAIL);
	ck_assert_ptr_nonnull(strstr(why, "lockout after 3 failures, it came "
					  "after 5"));
	ck_assert_int_eq(judge(lv, 2, "lockout", 5, 1, why), CB_V_FAIL);
	ck_assert_ptr_nonnull(strstr(why, "lasts 1 s"));
	ck_assert_int_eq(judge(lv, 2, "none", 0, 0, why), CB_V_FAIL);
}
END_TEST

START_TEST(silent_lockout_is_found_by_the_control)
{
	struct bf_level lv[] = {level(1, 20000)};
	char why[2048];

	lv[0].control_refused = 1;
	lv[0].recovered_ms = 5000;
	ck_assert_int_eq(judge(lv, 1, "lockout", 5, 5, why), CB_V_PASS);
	ck_assert_ptr_nonnull(strstr(why, "silently"));
	lv[0].recovered_ms = -1;
	ck_assert_int_eq(judge(lv, 1, "lockout", 5, 5, why),
			 CB_V_INCONCLUSIVE);
}
END_TEST

START_TEST(bench_errors_are_inconclusive_and_accepted_wrong_fails)
{
	struct bf_level lv[] = {level(1, 10)};
	char why[2048];

	lv[0].st.errors = 3;
	ck_assert_int_eq(judge(lv, 1, "lockout", 5, 5, why),
			 CB_V_INCONCLUSIVE);
	lv[0].st.errors = 0;
	lv[0].st.accepted = 1;
	ck_assert_int_eq(judge(lv, 1, "lockout", 5, 5, why), CB_V_FAIL);
	ck_assert_ptr_nonnull(strstr(why, "wrong password was accepted"));
}
END_TEST

START_TEST(stats_from_recordings)
{
	struct bf_rec r[20];
	struct bf_out o = {.recs = r, .n = 20, .elapsed_ms = 4000};
	struct bf_stats st;
	int k;

	for (k = 0; k < 20; k++) {
		r[k].t_ms = k * 200;
		r[k].latency_ms = 10 + k * 30; /* grows to 580 ms */
		r[k].result = k == 12 ? AUTH_LOCKED : AUTH_REFUSED;
	}
	bf_stats(&o, &st);
	ck_assert_uint_eq(st.attempts, 20);
	ck_assert_uint_eq(st.locked, 1);
	ck_assert_uint_eq(st.first_locked, 13);
	ck_assert_int_eq(st.p50, 10 + 9 * 30);
	ck_assert_int_eq(st.p99, 10 + 18 * 30);
	ck_assert_int_eq(st.rate_x100, 500);
	ck_assert(st.growing);
}
END_TEST

static Suite *bf_suite(void)
{
	Suite *s = suite_create("bruteforce");
	TCase *tc = tcase_create("judge");

	tcase_add_test(tc, no_protection_fails);
	tcase_add_test(tc, fixed_delay_without_global_limit_fails);
	tcase_add_test(tc, global_growing_delay_passes);
	tcase_add_test(tc, lockout_with_recovery_matching_the_claim_passes);
	tcase_add_test(tc, silent_lockout_is_found_by_the_control);
	tcase_add_test(tc, bench_errors_are_inconclusive_and_accepted_wrong_fails);
	tcase_add_test(tc, stats_from_recordings);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bf_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
