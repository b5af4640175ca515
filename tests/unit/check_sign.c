/*
 * check_sign.c - detached CMS signatures and the canonical report bytes.
 * Key material comes from fixtures/pki.sh (the openssl CLI), as in the
 * demo; nothing private is committed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "harness/cb_buf.h"
#include "harness/cb_error.h"
#include "reports/rpt.h"

static char pki[64], key[128], cert[128], ca[128], other_ca[128];

static void pki_setup(void)
{
	char cmd[512];

	snprintf(pki, sizeof(pki), "/tmp/cb-pki-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(pki));
	snprintf(cmd, sizeof(cmd),
		 "bash fixtures/pki.sh %s/a >/dev/null && "
		 "bash fixtures/pki.sh %s/b >/dev/null",
		 pki, pki);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(key, sizeof(key), "%s/a/lab.key", pki);
	snprintf(cert, sizeof(cert), "%s/a/lab.pem", pki);
	snprintf(ca, sizeof(ca), "%s/a/lab-ca.pem", pki);
	snprintf(other_ca, sizeof(other_ca), "%s/b/lab-ca.pem", pki);
}

static void pki_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki);
	ck_assert_int_eq(system(cmd), 0);
}

static const char doc[] =
	"{\"certbench_report\":1,\"overall_verdict\":\"PASS\","
	"\"report_id\":\"x-20261121T000000Z-abcd\",\"status\":\"final\"}";

START_TEST(signature_verifies_and_names_the_signer)
{
	unsigned char *der = NULL;
	char signer[256];
	size_t n = 0;
	struct cb_error err = {0};

	ck_assert_int_eq(rpt_sign(&der, &n, doc, sizeof(doc) - 1, key, cert,
				  &err),
			 CB_OK);
	ck_assert_uint_gt(n, 300);
	ck_assert_int_eq(rpt_verify_sig(der, n, doc, sizeof(doc) - 1, ca,
					signer, sizeof(signer), &err),
			 CB_OK);
	ck_assert_ptr_nonnull(strstr(signer, "CN=Report Signing"));
	ck_assert_int_eq(rpt_verify_sig(der, n, doc, sizeof(doc) - 1, other_ca,
					NULL, 0, &err),
			 CB_ECRYPTO);
	OPENSSL_free(der);
}
END_TEST

START_TEST(every_single_byte_change_of_the_document_is_caught)
{
	unsigned char *der = NULL;
	char copy[sizeof(doc)];
	size_t n = 0, k;
	int bit;

	ck_assert_int_eq(rpt_sign(&der, &n, doc, sizeof(doc) - 1, key, cert,
				  NULL),
			 CB_OK);
	for (k = 0; k < sizeof(doc) - 1; k++) {
		for (bit = 0; bit < 8; bit += 7) {
			memcpy(copy, doc, sizeof(doc));
			copy[k] ^= (char)(1 << bit);
			ck_assert_int_eq(rpt_verify_sig(der, n, copy,
							sizeof(doc) - 1, ca,
							NULL, 0, NULL),
					 CB_ECRYPTO);
		}
	}
	/* and a byte more or a byte less */
	ck_assert_int_ne(rpt_verify_sig(der, n, doc, sizeof(doc) - 2, ca, NULL,
					0, NULL),
			 CB_OK);
	OPENSSL_free(der);
}
END_TEST

/*
 * A changed byte in the signature file may land in unsigned CMS metadata
 * (OpenSSL does not cross-check eContentType, for one) and still verify
 * the same document by the same signer; what must never happen is that a
 * damaged signature vouches for a different document.
 */
START_TEST(a_damaged_signature_never_vouches_for_another_document)
{
	unsigned char *der = NULL, *bad;
	char other[sizeof(doc)];
	size_t n = 0, k, still = 0;

	memcpy(other, doc, sizeof(doc));
	other[30] ^= 0x01;
	ck_assert_int_eq(rpt_sign(&der, &n, doc, sizeof(doc) - 1, key, cert,
				  NULL),
			 CB_OK);
	bad = malloc(n);
	for (k = 0; k < n; k++) {
		memcpy(bad, der, n);
		bad[k] ^= 0x40;
		ck_assert_int_ne(rpt_verify_sig(bad, n, other, sizeof(doc) - 1,
						ca, NULL, 0, NULL),
				 CB_OK);
		still += rpt_verify_sig(bad, n, doc, sizeof(doc) - 1, ca, NULL,
					0, NULL) == CB_OK;
	}
	/* Most of the structure is covered by the signature or the chain. */
	ck_assert_uint_lt(still, n / 10);
	free(bad);
	OPENSSL_free(der);
}
END_TEST

START_TEST(key_and_certificate_must_match)
{
	char other_key[160];
	struct cb_error err = {0};
	unsigned char *der = NULL;
	size_t n;

	snprintf(other_key, sizeof(other_key), "%s/b/lab.key", pki);
	ck_assert_int_eq(rpt_sign(&der, &n, doc, sizeof(doc) - 1, other_key,
				  cert, &err),
			 CB_ECRYPTO);
	ck_assert_ptr_null(der);
	ck_assert_ptr_nonnull(strstr(err.text,
				     "key does not match the certificate"));
	cb_error_clear(&err);
	ck_assert_int_eq(rpt_sign(&der, &n, doc, sizeof(doc) - 1,
				  "/no/such.key", cert, &err),
			 CB_ECRYPTO);
	ck_assert_str_eq(err.source, "/no/such.key");
}
END_TEST

START_TEST(report_bytes_are_canonical)
{
	json_t *v = json_loads("{\"b\": 1, \"a\": {\"z\": null, \"y\": [true, "
			       "\"caf\\u00e9\", -7]}, \"A\": \"\\u000f\"}",
			       0, NULL);
	char *out = NULL;
	size_t n = 0;

	ck_assert_int_eq(rpt_json_bytes(v, &out, &n, NULL), CB_OK);
	/* Sorted keys, no white space, raw UTF-8: what RFC 8785 gives for
	 * this subset.  Control characters are the one place jansson
	 * differs (upper-case hex), so records must not hold them. */
	ck_assert_str_eq(out, "{\"A\":\"\\u000F\",\"a\":{\"y\":[true,\"caf\xc3\xa9\""
			      ",-7],\"z\":null},\"b\":1}");
	ck_assert_uint_eq(n, strlen(out));
	free(out);
	json_object_set_new(v, "f", json_real(0.5));
	ck_assert_int_eq(rpt_json_bytes(v, &out, &n, NULL), CB_ERROR);
	ck_assert_ptr_null(out);
	json_decref(v);
}
END_TEST

START_TEST(files_are_written_whole_or_not_at_all)
{
	char path[160];
	struct cb_buf b;

	ck_assert_int_eq(rpt_write_file(pki, "r.json", "abc", 3, NULL), CB_OK);
	snprintf(path, sizeof(path), "%s/r.json", pki);
	ck_assert_int_eq(cb_buf_read_file(&b, path, 100, NULL), CB_OK);
	ck_assert_str_eq(b.data, "abc");
	cb_buf_release(&b);
	snprintf(path, sizeof(path), "%s/r.json.tmp", pki);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(rpt_write_file("/no/such/dir", "r.json", "abc", 3,
					NULL),
			 CB_EIO);
}
END_TEST

static Suite *sign_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("cms");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, signature_verifies_and_names_the_signer);
	tcase_add_test(tc, every_single_byte_change_of_the_document_is_caught);
	tcase_add_test(tc, a_damaged_signature_never_vouches_for_another_document);
	tcase_add_test(tc, key_and_certificate_must_match);
	tcase_add_test(tc, report_bytes_are_canonical);
	tcase_add_test(tc, files_are_written_whole_or_not_at_all);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sign_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
