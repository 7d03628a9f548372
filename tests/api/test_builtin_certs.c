/* The AMD ASK/ASVK/ARK built in (certs/): a real report verifies with its
 * VEK alone; the anchors still decide (a caller's own anchors leave the
 * built-in certificates out). */
#include "testutil.h"
#include "snpgen.h"

#include <openssl/pem.h>

#define AUTH POLICY_AUTHENTICITY
#define AUTH_CRL                                                               \
    "{\"snp\":{\"require_crl\":true,\"allow_debug\":true,"                     \
    "\"allow_provisional_firmware\":true,\"vmpl\":[0,1,2,3]}}"

static attest_collateral *collateral_of(const char *const *files, size_t n)
{
    attest_collateral *c = NULL;
    char path[512];
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; i < n; i++)
        tu_add_file(c, tu_shared(path, sizeof path, files[i]));
    return c;
}

static int verify_shared(const char *report, const char *const *files, size_t n,
                         const char *policy, const char *at, char *reason, size_t len)
{
    char path[512];
    size_t rlen;
    uint8_t *bytes = tu_read(tu_shared(path, sizeof path, report), &rlen);
    cr_assert(bytes);
    attest_collateral *c = collateral_of(files, n);
    int status = tu_verify_bytes(bytes, rlen, c, policy, tu_time(at), NULL, 0, reason, len);
    attest_collateral_free(c);
    free(bytes);
    return status;
}

/* One report per product and key kind (MANIFEST: S02 Milan, S10 Genoa,
 * S11 Siena on Genoa's chain, S14 Turin, S05 a Milan VLEK under the ASVK),
 * each with its VEK and nothing else. */
Test(builtin_certs_api, real_reports_verify_with_their_vek_alone)
{
    static const struct {
        const char *set, *vek, *at;
    } cases[] = {
        {"S02_milan_v2_virtee", "vcek.der", "2024-01-01T00:00:00Z"},
        {"S10_genoa_v3_tinfoil", "vcek.der", "2026-07-01T00:00:00Z"},
        {"S11_siena_v3_trustee_e2e", "vcek.der", "2025-06-01T00:00:00Z"},
        {"S14_turin_v5_oak", "vcek.der", "2025-08-01T00:00:00Z"},
        {"S05_milan_v3_vlek_aws_constellation", "vlek.pem", "2025-06-01T00:00:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char report[256], vek[256], reason[512];
        snprintf(report, sizeof report, "snp/sets/%s/report.bin", cases[i].set);
        snprintf(vek, sizeof vek, "snp/sets/%s/%s", cases[i].set, cases[i].vek);
        const char *files[] = {vek};
        cr_expect_eq(verify_shared(report, files, 1, AUTH, cases[i].at, reason, sizeof reason),
                     ATTEST_OK, "%s: %s", cases[i].set, reason);
    }
}

/* With a policy that requires the CRL, the VCEK and the CRL suffice. */
Test(builtin_certs_api, real_report_with_vcek_and_crl_only)
{
    char reason[512];
    const char *files[] = {"snp/sets/S02_milan_v2_virtee/vcek.der",
                           "snp/crl/ark_milan_vcek_crl_number4_2023-05-09.der"};
    cr_expect_eq(verify_shared("snp/sets/S02_milan_v2_virtee/report.bin", files, 2, AUTH_CRL,
                               "2024-01-01T00:00:00Z", reason, sizeof reason),
                 ATTEST_OK, "%s", reason);
    cr_expect_eq(verify_shared("snp/sets/S02_milan_v2_virtee/report.bin", files, 1, AUTH_CRL,
                               "2024-01-01T00:00:00Z", reason, sizeof reason),
                 ATTEST_E_CRL_MISSING, "the CRL is not built in: %s", reason);
}

static void pin_of(uint8_t pin[32], const X509 *ark)
{
    char hex[65];
    cr_assert_eq(snpgen_spki_sha256_hex(hex, ark), 0);
    for (int i = 0; i < 32; i++) {
        unsigned b;
        sscanf(hex + 2 * i, "%2x", &b);
        pin[i] = (uint8_t)b;
    }
}

static void add_cert(attest_collateral *c, X509 *cert)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    cr_assert(n > 0);
    cr_assert_eq(attest_collateral_add(c, der, (size_t)n), ATTEST_OK, "%s",
                 attest_error_last());
    OPENSSL_free(der);
}

/* Verify `report` with `coll` under a verifier whose only AMD anchor is
 * the test PKI's ARK. */
static int verify_under(const snpgen_pki *pki, const uint8_t *report, size_t len,
                        attest_collateral *coll, const char *at, char *reason, size_t rlen)
{
    attest_verifier *v = NULL;
    attest_evidence *ev = NULL;
    attest_result *r = NULL;
    uint8_t pin[32];
    pin_of(pin, pki->ark);
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_clear_anchors(v, ATTEST_VENDOR_AMD);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, pin), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(at));
    cr_assert_eq(attest_evidence_parse(&ev, report, len), ATTEST_OK);
    attest_policy *p = tu_policy(AUTH);
    int status = attest_verify(&r, v, ev, coll, p, NULL, 0);
    snprintf(reason, rlen, "%s", attest_result_reason(r));
    attest_result_free(r);
    attest_policy_free(p);
    attest_evidence_free(ev);
    attest_verifier_free(v);
    return status;
}

/* The test PKI names its certificates as AMD does (ARK-Milan, SEV-Milan):
 * with its ARK as the anchor, the built-in Milan ASK must not stand in for
 * the test ASK, so its chain is still needed. */
Test(builtin_certs_api, test_pki_still_needs_its_own_chain)
{
    char dir[512], reason[512];
    snpgen_pki *pki = NULL;
    uint8_t report[SNPGEN_REPORT_SIZE];
    cr_assert_eq(snpgen_pki_load(&pki, tu_pki(dir, sizeof dir, "milan")), 0);
    cr_assert_eq(snpgen_report_init(report, pki, 3), 0);
    cr_assert_eq(snpgen_report_sign(report, pki->vcek_key), 0);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    add_cert(c, pki->vcek);
    cr_expect_eq(verify_under(pki, report, sizeof report, c, "2025-06-01T00:00:00Z", reason,
                              sizeof reason),
                 ATTEST_E_COLLATERAL_MISSING, "%s", reason);
    cr_expect(strstr(reason, "issuer of 'SEV-VCEK'"), "%s", reason);
    add_cert(c, pki->ask);
    add_cert(c, pki->ark);
    cr_expect_eq(verify_under(pki, report, sizeof report, c, "2025-06-01T00:00:00Z", reason,
                              sizeof reason),
                 ATTEST_OK, "%s", reason);
    attest_collateral_free(c);
    snpgen_pki_free(pki);
}

/* Under the test PKI's anchor a real report is rejected: the built-in
 * chain is not offered (its ARK is no anchor), and the KDS chain given
 * ends at a root whose key is not pinned. */
Test(builtin_certs_api, real_report_rejected_under_test_anchors)
{
    char dir[512], path[512], reason[512];
    snpgen_pki *pki = NULL;
    size_t len;
    cr_assert_eq(snpgen_pki_load(&pki, tu_pki(dir, sizeof dir, "milan")), 0);
    uint8_t *report =
        tu_read(tu_shared(path, sizeof path, "snp/sets/S02_milan_v2_virtee/report.bin"), &len);
    cr_assert(report);
    const char *files[] = {"snp/sets/S02_milan_v2_virtee/vcek.der",
                           "snp/roots/kds_vcek_cert_chain_milan.pem"};
    attest_collateral *c = collateral_of(files, 1);
    cr_expect_eq(verify_under(pki, report, len, c, "2024-01-01T00:00:00Z", reason, sizeof reason),
                 ATTEST_E_COLLATERAL_MISSING, "%s", reason);
    attest_collateral_free(c);
    c = collateral_of(files, 2);
    cr_expect_eq(verify_under(pki, report, len, c, "2024-01-01T00:00:00Z", reason, sizeof reason),
                 ATTEST_E_CERT_UNTRUSTED_ROOT, "%s", reason);
    attest_collateral_free(c);
    free(report);
    snpgen_pki_free(pki);
}

/* A raw GPU report whose collateral chain leaves the root out: the needs
 * count the certificates the verification checks, the Identity
 * certificate's OCSP included (its issuer, the root, is built in). */
Test(builtin_certs_api, needs_complete_a_chain_without_its_root)
{
    const char *dir = "nvidia/blackwell/gb202_rtxpro6000_595.58.03_vbios9802810001/";
    char rel[256], path[512];
    size_t len;
    snprintf(rel, sizeof rel, "%sattestation_report.bin", dir);
    uint8_t *report = tu_read(tu_shared(path, sizeof path, rel), &len);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, report, len), ATTEST_OK);
    snprintf(rel, sizeof rel, "%sdevice_cert_chain.pem", dir);
    uint8_t *pem = tu_read(tu_shared(path, sizeof path, rel), &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    int certs = 0;
    for (X509 *x; (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)); X509_free(x))
        if (++certs < 5) /* the fifth is the Device Identity CA */
            add_cert(c, x);
    cr_assert_eq(certs, 5);
    attest_needs *n = NULL;
    cr_assert_eq(attest_collateral_needs(&n, ev, c), ATTEST_OK);
    int ocsp = 0;
    for (size_t i = 0; i < attest_needs_count(n); i++)
        ocsp += attest_needs_kind(n, i) == ATTEST_NEED_NVIDIA_OCSP;
    cr_expect_eq(ocsp, 3, "OCSP of BROM, Provisioner ICA and Identity");
    attest_needs_free(n);
    attest_collateral_free(c);
    BIO_free(bio);
    free(pem);
    attest_evidence_free(ev);
    free(report);
}
