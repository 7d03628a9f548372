/* Every real SEV-SNP vector in ../shared/vectors/snp verifies with the
 * verdict its MANIFEST.md states, at an instant inside the stated window. */
#include "testutil.h"

typedef struct vector_case {
    const char *report;  /* under snp/sets/ or snp/negative/ */
    const char *vek;
    const char *chain;   /* under snp/roots/ */
    const char *at;
    int expect;
} vector_case;

#define VCEK_MILAN "roots/kds_vcek_cert_chain_milan.pem"
#define VCEK_GENOA "roots/kds_vcek_cert_chain_genoa.pem"
#define VCEK_TURIN "roots/kds_vcek_cert_chain_turin.pem"
#define VLEK_MILAN "roots/kds_vlek_cert_chain_milan.pem"

/* MANIFEST.md section 3: each report with its VEK; "VALID for T in
 * [from, to)". The instant is a day after `from`. */
static const vector_case manifest[] = {
    {"sets/S01_milan_v2_gosevguest/report.bin", "sets/S01_milan_v2_gosevguest/vcek.der", VCEK_MILAN, "2022-09-25T00:00:00Z", ATTEST_OK},
    {"sets/S02_milan_v2_virtee/report.bin", "sets/S02_milan_v2_virtee/vcek.der", VCEK_MILAN, "2023-04-04T00:00:00Z", ATTEST_OK},
    {"sets/S03_milan_v2_trustee_idblock/report.bin", "sets/S03_milan_v2_trustee_idblock/vcek.der", VCEK_MILAN, "2023-01-25T00:00:00Z", ATTEST_OK},
    {"sets/S04_milan_v3_vlek_aws_trustee/report.bin", "sets/S04_milan_v3_vlek_aws_trustee/vlek.der", VLEK_MILAN, "2024-12-11T00:00:00Z", ATTEST_OK},
    {"sets/S05_milan_v3_vlek_aws_constellation/report.bin", "sets/S05_milan_v3_vlek_aws_constellation/vlek.pem", VLEK_MILAN, "2024-12-11T00:00:00Z", ATTEST_OK},
    {"sets/S06_milan_v2_vlek_aws_constellation/report.bin", "sets/S06_milan_v2_vlek_aws_constellation/vlek.pem", VLEK_MILAN, "2024-05-06T00:00:00Z", ATTEST_OK},
    {"sets/S07_milan_v2_azure_hcl_trustee/report.bin", "sets/S07_milan_v2_azure_hcl_trustee/vcek_ask_ark.pem", VCEK_MILAN, "2023-05-03T00:00:00Z", ATTEST_OK},
    {"sets/S08_milan_v3_azure_hcl_trustee/report.bin", "sets/S08_milan_v3_azure_hcl_trustee/vcek.pem", VCEK_MILAN, "2025-01-29T00:00:00Z", ATTEST_OK},
    {"sets/S09_genoa_v3_azure_hcl_trustee/report.bin", "sets/S09_genoa_v3_azure_hcl_trustee/vcek.pem", VCEK_GENOA, "2025-01-25T00:00:00Z", ATTEST_OK},
    {"sets/S10_genoa_v3_tinfoil/report.bin", "sets/S10_genoa_v3_tinfoil/vcek.der", VCEK_GENOA, "2026-06-29T00:00:00Z", ATTEST_OK},
    {"sets/S10_genoa_v3_tinfoil/verifier_test_report.bin", "sets/S10_genoa_v3_tinfoil/vcek.der", VCEK_GENOA, "2026-06-29T00:00:00Z", ATTEST_OK},
    {"sets/S11_siena_v3_trustee_e2e/report.bin", "sets/S11_siena_v3_trustee_e2e/vcek.der", VCEK_GENOA, "2025-05-28T00:00:00Z", ATTEST_OK},
    {"sets/S12_genoa_v5_oak/report.bin", "sets/S12_genoa_v5_oak/vcek.der", VCEK_GENOA, "2025-08-08T00:00:00Z", ATTEST_OK},
    {"sets/S13_genoa_v2_oak/report.bin", "sets/S13_genoa_v2_oak/vcek.der", VCEK_GENOA, "2024-06-26T00:00:00Z", ATTEST_OK},
    {"sets/S14_turin_v5_oak/report.bin", "sets/S14_turin_v5_oak/vcek.der", VCEK_TURIN, "2025-07-18T00:00:00Z", ATTEST_OK},
    {"sets/S15_milan_v3_oak/report.bin", "sets/S15_milan_v3_oak/vcek.der", VCEK_MILAN, "2025-01-16T00:00:00Z", ATTEST_OK},
    {"sets/S16_milan_v5_gcp_teekit/sev-gcp.bin", "sets/S16_milan_v5_gcp_teekit/sev-gcp-vcek.pem", VCEK_MILAN, "2025-12-06T00:00:00Z", ATTEST_OK},
    {"sets/S16_milan_v5_gcp_teekit/sev-gcp-reportdata.bin", "sets/S16_milan_v5_gcp_teekit/sev-gcp-vcek.pem", VCEK_MILAN, "2025-12-06T00:00:00Z", ATTEST_OK},
    {"sets/S17_milan_v2_azure_constellation/report.bin", "sets/S17_milan_v2_azure_constellation/vcek.der", VCEK_MILAN, "2023-08-31T00:00:00Z", ATTEST_OK},
    {"sets/S17_milan_v2_azure_constellation/report.bin", "sets/S17_milan_v2_azure_constellation/vcek_thim.pem", VCEK_MILAN, "2023-08-31T00:00:00Z", ATTEST_OK},
    /* VLEKs live one year: at the session's "now" they are expired. */
    {"sets/S04_milan_v3_vlek_aws_trustee/report.bin", "sets/S04_milan_v3_vlek_aws_trustee/vlek.der", VLEK_MILAN, "2026-11-25T00:00:00Z", ATTEST_E_CERT_EXPIRED},
    {"sets/S05_milan_v3_vlek_aws_constellation/report.bin", "sets/S05_milan_v3_vlek_aws_constellation/vlek.pem", VLEK_MILAN, "2026-11-25T00:00:00Z", ATTEST_E_CERT_EXPIRED},
    {"sets/S06_milan_v2_vlek_aws_constellation/report.bin", "sets/S06_milan_v2_vlek_aws_constellation/vlek.pem", VLEK_MILAN, "2025-05-06T00:00:00Z", ATTEST_E_CERT_EXPIRED},
    /* Before a VCEK's notBefore. */
    {"sets/S10_genoa_v3_tinfoil/report.bin", "sets/S10_genoa_v3_tinfoil/vcek.der", VCEK_GENOA, "2026-06-27T00:00:00Z", ATTEST_E_CERT_NOT_YET_VALID},
    /* MANIFEST 3a: N01 chain and TCB fine, report signature invalid. */
    {"negative/N01_constellation_vlek_report_sig_mismatch/report.bin", "negative/N01_constellation_vlek_report_sig_mismatch/vlek.pem", VLEK_MILAN, "2024-01-01T00:00:00Z", ATTEST_E_SNP_SIGNATURE},
    /* N02/N03: VCEK-shaped certificates not signed by ASK-Milan. */
    {"sets/S02_milan_v2_virtee/report.bin", "negative/N02_trustee_vcek_bad_sig_hwid_raw.der", VCEK_MILAN, "2023-06-01T00:00:00Z", ATTEST_E_CERT_SIGNATURE},
    {"sets/S02_milan_v2_virtee/report.bin", "negative/N03_trustee_vcek_bad_sig_hwid_octetstring.der", VCEK_MILAN, "2023-06-01T00:00:00Z", ATTEST_E_CERT_SIGNATURE},
    /* A VCEK of another machine with a valid chain: signature fails. */
    {"sets/S02_milan_v2_virtee/report.bin", "sets/S01_milan_v2_gosevguest/vcek.der", VCEK_MILAN, "2023-06-01T00:00:00Z", ATTEST_E_SNP_SIGNATURE},
    /* The Genoa chain cannot vouch for a Milan VCEK. */
    /* another product's chain given: the built-in Milan ASK/ARK serve */
    {"sets/S02_milan_v2_virtee/report.bin", "sets/S02_milan_v2_virtee/vcek.der", VCEK_GENOA, "2023-06-01T00:00:00Z", ATTEST_OK},
};

static int run_case(const vector_case *c, const char *policy, char *reason, size_t n)
{
    char p1[512], p2[512], p3[512];
    tu_shared(p1, sizeof p1, "snp/MANIFEST.md");
    size_t len = 0;
    uint8_t *report = tu_read(tu_shared(p1, sizeof p1, (snprintf(p3, sizeof p3, "snp/%s", c->report), p3)), &len);
    cr_assert(report);
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    snprintf(p3, sizeof p3, "snp/%s", c->vek);
    tu_add_file(coll, tu_shared(p2, sizeof p2, p3));
    snprintf(p3, sizeof p3, "snp/%s", c->chain);
    tu_add_file(coll, tu_shared(p2, sizeof p2, p3));
    int status = tu_verify_bytes(report, len, coll, policy, tu_time(c->at), NULL, 0,
                                 reason, n);
    attest_collateral_free(coll);
    free(report);
    return status;
}

Test(snp_vectors, manifest_verdicts)
{
    for (size_t i = 0; i < sizeof manifest / sizeof manifest[0]; i++) {
        char reason[512];
        int status = run_case(&manifest[i], POLICY_AUTHENTICITY, reason, sizeof reason);
        cr_expect_eq(status, manifest[i].expect, "%s + %s at %s: got %s (%s), want %s",
                     manifest[i].report, manifest[i].vek, manifest[i].at,
                     attest_status_name(status), reason,
                     attest_status_name(manifest[i].expect));
    }
}

/* The default policy forbids debug: S01 (POLICY 0xb0000) is rejected. */
Test(snp_vectors, s01_debug_rejected_by_policy)
{
    char reason[512];
    int status = run_case(&manifest[0], "{\"snp\":{\"require_crl\":false}}", reason,
                          sizeof reason);
    cr_expect_eq(status, ATTEST_E_POLICY_DEBUG, "%s", reason);
}

/* S04 has VMPL 1: the default VMPL rule (0 only) rejects it. */
Test(snp_vectors, s04_vmpl1_rejected_by_default_vmpl)
{
    char reason[512];
    int status = run_case(&manifest[3],
                          "{\"snp\":{\"require_crl\":false,\"allow_provisional_firmware\":true}}",
                          reason, sizeof reason);
    cr_expect_eq(status, ATTEST_E_POLICY_VMPL, "%s", reason);
}

/* S03: committed ucode 115 != current 206 is provisional firmware. */
Test(snp_vectors, s03_provisional_firmware_rejected_by_default)
{
    char reason[512];
    int status = run_case(&manifest[2], "{\"snp\":{\"require_crl\":false}}", reason,
                          sizeof reason);
    cr_expect_eq(status, ATTEST_E_POLICY_FIRMWARE, "%s", reason);
}

static int verify_with_crl(const char *at, const char *chain, int require)
{
    char p[512], reason[512];
    size_t len = 0;
    uint8_t *report = tu_read(tu_shared(p, sizeof p, "snp/sets/S02_milan_v2_virtee/report.bin"), &len);
    attest_collateral *coll = NULL;
    attest_collateral_new(&coll);
    tu_add_file(coll, tu_shared(p, sizeof p, "snp/sets/S02_milan_v2_virtee/vcek.der"));
    tu_add_file(coll, tu_shared(p, sizeof p, chain));
    tu_add_file(coll, tu_shared(p, sizeof p, "snp/crl/ark_milan_vcek_crl_number4_2023-05-09.der"));
    int status = tu_verify_bytes(report, len, coll,
                                 require ? "{\"snp\":{\"require_crl\":true}}"
                                         : "{\"snp\":{\"require_crl\":false}}",
                                 tu_time(at), NULL, 0, reason, sizeof reason);
    attest_collateral_free(coll);
    free(report);
    return status;
}

/* The real KDS CRL (Milan, 2023-05-09, valid to 2024-05-09, empty). */
Test(snp_vectors, kds_crl_valid_window)
{
    cr_expect_eq(verify_with_crl("2023-06-01T00:00:00Z", "snp/" VCEK_MILAN, 1), ATTEST_OK);
    cr_expect_eq(verify_with_crl("2024-06-01T00:00:00Z", "snp/" VCEK_MILAN, 1),
                 ATTEST_E_CRL_EXPIRED);
    cr_expect_eq(verify_with_crl("2023-05-01T00:00:00Z", "snp/" VCEK_MILAN, 1),
                 ATTEST_E_CRL_EXPIRED, "CRL thisUpdate after the instant");
}

/* N04: parse-level material. */
Test(snp_vectors, n04_lengths_and_container)
{
    char p[512];
    size_t len = 0;
    attest_evidence *ev = NULL;
    uint8_t *d = tu_read(tu_shared(p, sizeof p, "snp/negative/N04_lit_report_no_vcek/guest_report.bin"), &len);
    cr_expect_eq(attest_evidence_parse(&ev, d, len), ATTEST_OK);
    attest_evidence_free(ev);
    free(d);
    d = tu_read(tu_shared(p, sizeof p, "snp/negative/N04_lit_report_no_vcek/guest_report_bad_sig.bin"), &len);
    cr_expect_eq(attest_evidence_parse(&ev, d, len), ATTEST_E_LENGTH, "%s", attest_error_last());
    free(d);
    d = tu_read(tu_shared(p, sizeof p, "snp/negative/N04_lit_report_no_vcek/guest_report_corrupt.bin"), &len);
    cr_expect_eq(attest_evidence_parse(&ev, d, len), ATTEST_E_TRUNCATED, "%s", attest_error_last());
    free(d);
    d = tu_read(tu_shared(p, sizeof p, "snp/negative/N04_lit_report_no_vcek/snp_report_msg_resp.bin"), &len);
    cr_expect_eq(attest_evidence_parse(&ev, d, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(attest_evidence_format(ev), ATTEST_FORMAT_SNP_REPORT);
    attest_evidence_free(ev);
    free(d);
}

/* Flipping any byte of the signed region of a real report rejects it:
 * usually at the signature, earlier when the parser already refuses the
 * changed header field. */
Test(snp_vectors, every_signed_byte_flipped_rejected, .timeout = 300)
{
    char p[512];
    size_t len = 0;
    uint8_t *report = tu_read(tu_shared(p, sizeof p, "snp/sets/S14_turin_v5_oak/report.bin"), &len);
    attest_collateral *coll = NULL;
    attest_verifier *v = NULL;
    attest_policy *pol = tu_policy(POLICY_AUTHENTICITY);
    attest_collateral_new(&coll);
    attest_verifier_new(&v);
    attest_verifier_set_time(v, tu_time("2025-08-01T00:00:00Z"));
    tu_add_file(coll, tu_shared(p, sizeof p, "snp/sets/S14_turin_v5_oak/vcek.der"));
    tu_add_file(coll, tu_shared(p, sizeof p, "snp/" VCEK_TURIN));
    for (size_t off = 0; off < 0x2A0; off++) {
        report[off] ^= 0x01;
        attest_evidence *ev = NULL;
        attest_result *r = NULL;
        int status = attest_evidence_parse(&ev, report, len);
        if (status == ATTEST_OK) {
            status = attest_verify(&r, v, ev, coll, pol, NULL, 0);
            cr_expect(status == ATTEST_E_SNP_SIGNATURE || status == ATTEST_E_COLLATERAL_MISSING,
                      "offset 0x%zx: %s (%s)", off, attest_status_name(status),
                      attest_result_reason(r));
        }
        cr_expect_neq(status, ATTEST_OK, "flip at 0x%zx accepted", off);
        attest_result_free(r);
        attest_evidence_free(ev);
        report[off] ^= 0x01;
    }
    attest_policy_free(pol);
    attest_verifier_free(v);
    attest_collateral_free(coll);
    free(report);
}
