/* attest_result_verified_at, attest_result_fresh, attest_result_nonce
 * (include/attest.h): the instant judged at, and the nonce only when the
 * verification passed and bound it, on the SEV-SNP report path (REPORT_DATA
 * binds the nonce) and the RA-TLS TCG path (a nonce claim). */
#include "ratls_fixture.h"

#define AT_2025_06_01 RATLS_AT /* the fixture's verifiers are set to it */

typedef struct fresh_case {
    int status;
    int64_t verified_at;
    int fresh;
    size_t nonce_len;
    uint8_t nonce[64];
    bool nonce_null;
} fresh_case;

static fresh_case read_result(const attest_result *r, int status)
{
    fresh_case out = {status, attest_result_verified_at(r), attest_result_fresh(r), 99, {0},
                      false};
    const uint8_t *n = attest_result_nonce(r, &out.nonce_len);
    out.nonce_null = n == NULL;
    if (n && out.nonce_len <= sizeof out.nonce)
        memcpy(out.nonce, n, out.nonce_len);
    cr_expect_eq(attest_result_nonce(r, NULL), n, "len may be NULL");
    return out;
}

/* A Milan test-PKI report whose REPORT_DATA is rd (zero padded), verified
 * with its collateral and `nonce`. */
static fresh_case verify_snp(const uint8_t *rd, size_t rd_len, const uint8_t *nonce,
                             size_t nonce_len)
{
    char path[512];
    snpgen_pki *pki = NULL;
    uint8_t report[SNPGEN_REPORT_SIZE];
    cr_assert_eq(snpgen_pki_load(&pki, tu_pki(path, sizeof path, "milan")), 0, "%s", path);
    cr_assert_eq(snpgen_report_init(report, pki, 3), 0);
    memcpy(report + SNPGEN_OFF_REPORT_DATA, rd, rd_len);
    cr_assert_eq(snpgen_report_sign(report, pki->vcek_key), 0);
    snpgen_pki_free(pki);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, report, sizeof report), ATTEST_OK);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    const char *files[] = {"milan/vcek.pem", "milan/chain.pem", "milan/crl.der"};
    for (size_t i = 0; i < 3; i++)
        tu_add_file(c, tu_pki(path, sizeof path, files[i]));
    attest_verifier *v = rf_pinned_verifier("milan/anchor.sha256", ATTEST_VENDOR_AMD);
    attest_result *r = NULL;
    int st = attest_verify(&r, v, ev, c, NULL, nonce, nonce_len);
    cr_assert(r, "%s", attest_error_last());
    fresh_case out = read_result(r, st);
    attest_result_free(r);
    attest_verifier_free(v);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    return out;
}

Test(result_fresh, snp_nonce_bound)
{
    const uint8_t nonce[24] = {0xA1, 0xB2, 0xC3, 0xD4, 5, 6, 7, 8, 9};
    fresh_case got = verify_snp(nonce, sizeof nonce, nonce, sizeof nonce);
    cr_assert_eq(got.status, ATTEST_OK, "%s", attest_status_name(got.status));
    cr_expect_eq(got.verified_at, AT_2025_06_01);
    cr_expect_eq(got.fresh, 1);
    cr_expect(!got.nonce_null);
    cr_expect_eq(got.nonce_len, sizeof nonce);
    cr_expect_arr_eq(got.nonce, nonce, sizeof nonce);
}

/* No nonce given: accepted, not fresh, no nonce handed back. */
Test(result_fresh, snp_without_nonce)
{
    const uint8_t zero[1] = {0};
    fresh_case got = verify_snp(zero, 0, NULL, 0);
    cr_assert_eq(got.status, ATTEST_OK, "%s", attest_status_name(got.status));
    cr_expect_eq(got.verified_at, AT_2025_06_01);
    cr_expect_eq(got.fresh, 0);
    cr_expect(got.nonce_null);
    cr_expect_eq(got.nonce_len, 0);
}

/* A nonce the report does not bind: rejected, and the unverified nonce is
 * never handed back. */
Test(result_fresh, snp_other_nonce_rejected)
{
    const uint8_t bound[16] = {1}, asked[16] = {2};
    fresh_case got = verify_snp(bound, sizeof bound, asked, sizeof asked);
    cr_assert_neq(got.status, ATTEST_OK);
    cr_expect_eq(got.verified_at, AT_2025_06_01, "a rejection has its instant too");
    cr_expect_eq(got.fresh, 0);
    cr_expect(got.nonce_null);
    cr_expect_eq(got.nonce_len, 0);
}

/* RA-TLS: the TCG nonce claim binds the caller's nonce. */
Test(result_fresh, ratls_nonce_claim)
{
    const uint8_t n1[16] = {7, 7, 7};
    ratlsgen_opts o = {.nonce = n1, .nonce_len = sizeof n1};
    size_t len;
    uint8_t *cert = rf_cert(&o, &len, NULL);
    attest_verifier *v = rf_verifier();
    attest_collateral *c = rf_collateral(0);
    attest_result *r = NULL;
    int st = attest_verify_tls_peer(&r, v, cert, len, ATTEST_RATLS_CLAIMS_SHA256, c, NULL, n1,
                                    sizeof n1);
    fresh_case got = read_result(r, st);
    cr_assert_eq(got.status, ATTEST_OK, "%s", attest_status_name(got.status));
    cr_expect_eq(got.verified_at, RATLS_AT);
    cr_expect_eq(got.fresh, 1);
    cr_expect_eq(got.nonce_len, sizeof n1);
    cr_expect_arr_eq(got.nonce, n1, sizeof n1);
    attest_result_free(r);
    r = NULL;
    st = attest_verify_tls_peer(&r, v, cert, len, ATTEST_RATLS_CLAIMS_SHA256, c, NULL, NULL, 0);
    got = read_result(r, st);
    cr_expect_eq(got.status, ATTEST_OK);
    cr_expect_eq(got.fresh, 0, "no nonce given: the certificate is replayable");
    cr_expect(got.nonce_null);
    attest_result_free(r);
    attest_collateral_free(c);
    attest_verifier_free(v);
    free(cert);
}

Test(result_fresh, null_result)
{
    size_t len = 5;
    cr_expect_eq(attest_result_verified_at(NULL), 0);
    cr_expect_eq(attest_result_fresh(NULL), 0);
    cr_expect_null(attest_result_nonce(NULL, &len));
    cr_expect_eq(len, 0);
}
