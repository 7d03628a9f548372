/* attest_collateral_needs: what evidence still needs, each item with its
 * request, on synthetic evidence of the test PKI (vectors/gen) and on real
 * vectors whose MANIFESTs record the ids and URLs. */
#include "testutil.h"
#include "dcapgen.h"
#include "snpgen.h"

#define KDS "https://kdsintf.amd.com"
#define PCS "https://api.trustedservices.intel.com"
#define RIM "https://rim.attestation.nvidia.com/v1/rim/"

static attest_evidence *parse(const uint8_t *data, size_t len)
{
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, data, len), ATTEST_OK, "%s", attest_error_last());
    return ev;
}

static attest_evidence *parse_file(const char *path)
{
    size_t len;
    uint8_t *data = tu_read(path, &len);
    cr_assert(data, "cannot read %s", path);
    attest_evidence *ev = parse(data, len);
    free(data);
    return ev;
}

static attest_needs *needs_of(const attest_evidence *ev, const attest_collateral *have)
{
    attest_needs *n = NULL;
    cr_assert_eq(attest_collateral_needs(&n, ev, have), ATTEST_OK, "%s", attest_error_last());
    return n;
}

/* Item i is of `kind` with `url` (NULL: any) and its reason starts with
 * `reason`. */
static void expect(const attest_needs *n, size_t i, attest_need_kind kind, const char *url,
                   const char *reason)
{
    cr_assert_lt(i, attest_needs_count(n));
    cr_expect_eq(attest_needs_kind(n, i), kind, "item %zu: %s", i,
                 attest_need_kind_name(attest_needs_kind(n, i)));
    if (url)
        cr_expect_str_eq(attest_needs_url(n, i), url);
    cr_expect(!strncmp(attest_needs_reason(n, i), reason, strlen(reason)), "item %zu: %s", i,
              attest_needs_reason(n, i));
}

static void snp_report(uint8_t report[SNPGEN_REPORT_SIZE], const char *product,
                       uint32_t version, bool vlek)
{
    char dir[512];
    snpgen_pki *pki = NULL;
    cr_assert_eq(snpgen_pki_load(&pki, tu_pki(dir, sizeof dir, product)), 0);
    cr_assert_eq(snpgen_report_init(report, pki, version), 0);
    if (vlek) {
        uint32_t ki = snpgen_get_u32(report + SNPGEN_OFF_KEY_INFO);
        ki = (ki & ~SNPGEN_KEYINFO_SIGNING_MASK) | SNPGEN_KEYINFO_SIGNING_VLEK;
        snpgen_put_u32(report + SNPGEN_OFF_KEY_INFO, ki);
    }
    snpgen_pki_free(pki);
}

/* The test PKI's chip ID: byte i = 0xC0 ^ i. */
#define CHIP64                                                                 \
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3" \
    "e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

Test(needs, snp_milan_genoa_turin_urls)
{
    static const struct {
        const char *pki, *vcek, *product;
    } cases[] = {
        {"milan", KDS "/vcek/v1/Milan/" CHIP64 "?blSPL=4&teeSPL=0&snpSPL=22&ucodeSPL=213",
         "Milan"},
        {"genoa", KDS "/vcek/v1/Genoa/" CHIP64 "?blSPL=9&teeSPL=0&snpSPL=21&ucodeSPL=84",
         "Genoa"},
        {"turin",
         KDS "/vcek/v1/Turin/c0c1c2c3c4c5c6c7?fmcSPL=1&blSPL=1&teeSPL=1&snpSPL=3&ucodeSPL=77",
         "Turin"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        uint8_t report[SNPGEN_REPORT_SIZE];
        char url[256];
        snp_report(report, cases[k].pki, 3, false);
        attest_evidence *ev = parse(report, sizeof report);
        attest_needs *n = needs_of(ev, NULL);
        /* the ASK and ARK are built in (certs/): no cert_chain item */
        cr_assert_eq(attest_needs_count(n), 2);
        expect(n, 0, ATTEST_NEED_AMD_VCEK, cases[k].vcek, "cpu0 snp.vek");
        cr_expect_str_eq(attest_needs_method(n, 0), "GET");
        snprintf(url, sizeof url, KDS "/vcek/v1/%s/crl", cases[k].product);
        expect(n, 1, ATTEST_NEED_AMD_CRL, url, "cpu0 snp.crl");
        attest_needs_free(n);
        attest_evidence_free(ev);
    }
}

Test(needs, snp_items_held_shrink_the_list)
{
    uint8_t report[SNPGEN_REPORT_SIZE];
    char path[512];
    attest_collateral *c = NULL;
    snp_report(report, "genoa", 3, false);
    attest_evidence *ev = parse(report, sizeof report);
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    tu_add_file(c, tu_pki(path, sizeof path, "genoa/vcek.pem"));
    attest_needs *n = needs_of(ev, c);
    cr_expect_eq(attest_needs_count(n), 1);
    expect(n, 0, ATTEST_NEED_AMD_CRL, NULL, "cpu0 snp.crl");
    attest_needs_free(n);
    tu_add_file(c, tu_pki(path, sizeof path, "genoa/chain.pem"));
    tu_add_file(c, tu_pki(path, sizeof path, "genoa/crl.der"));
    n = needs_of(ev, c);
    cr_expect_eq(attest_needs_count(n), 0);
    attest_needs_free(n);
    /* a VCEK of another chip does not count */
    attest_collateral_free(c);
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    tu_add_file(c, tu_pki(path, sizeof path, "milan/vcek.pem"));
    n = needs_of(ev, c);
    expect(n, 0, ATTEST_NEED_AMD_VCEK, NULL, "cpu0 snp.vek");
    attest_needs_free(n);
    attest_collateral_free(c);
    attest_evidence_free(ev);
}

Test(needs, snp_vlek_is_not_fetchable)
{
    uint8_t report[SNPGEN_REPORT_SIZE];
    snp_report(report, "milan", 3, true);
    attest_evidence *ev = parse(report, sizeof report);
    attest_needs *n = needs_of(ev, NULL);
    cr_assert_eq(attest_needs_count(n), 2, "the ASVK and ARK are built in");
    expect(n, 0, ATTEST_NEED_NOT_FETCHABLE, "", "cpu0 snp.vek: a VLEK");
    cr_expect_str_eq(attest_needs_method(n, 0), "");
    expect(n, 1, ATTEST_NEED_AMD_CRL, KDS "/vlek/v1/Milan/crl", "cpu0 snp.crl");
    attest_needs_free(n);
    attest_evidence_free(ev);
}

/* A v2 report names no product: Milan's and Genoa's items, as candidates;
 * a fitting VCEK held names the product. */
Test(needs, snp_v2_lists_candidate_products)
{
    uint8_t report[SNPGEN_REPORT_SIZE];
    char path[512];
    snp_report(report, "milan", 2, false);
    attest_evidence *ev = parse(report, sizeof report);
    attest_needs *n = needs_of(ev, NULL);
    cr_assert_eq(attest_needs_count(n), 4);
    cr_expect(strstr(attest_needs_url(n, 0), "/vcek/v1/Milan/"));
    cr_expect(strstr(attest_needs_url(n, 2), "/vcek/v1/Genoa/"));
    cr_expect(strstr(attest_needs_reason(n, 2), "one of the candidates"));
    attest_needs_free(n);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    tu_add_file(c, tu_pki(path, sizeof path, "milan/vcek.pem"));
    n = needs_of(ev, c);
    cr_assert_eq(attest_needs_count(n), 1);
    expect(n, 0, ATTEST_NEED_AMD_CRL, KDS "/vcek/v1/Milan/crl", "cpu0 snp.crl");
    attest_needs_free(n);
    attest_collateral_free(c);
    attest_evidence_free(ev);
}

static attest_evidence *dcap_quote(const char *dir, int tdx, uint16_t version)
{
    char path[512];
    dcapgen_pki *pki = NULL;
    dcapgen_quote_desc d;
    uint8_t *quote = NULL;
    size_t len = 0;
    cr_assert_eq(dcapgen_pki_load(&pki, tu_pki(path, sizeof path, dir)), 0);
    cr_assert_eq(dcapgen_quote_desc_init(&d, pki, tdx, version, tdx ? 2 : 1), 0);
    cr_assert_eq(dcapgen_quote_build(&quote, &len, NULL, &d), 0);
    attest_evidence *ev = parse(quote, len);
    free(quote);
    dcapgen_pki_free(pki);
    return ev;
}

Test(needs, tdx_quote)
{
    attest_evidence *ev = dcap_quote("intel", 1, 4);
    attest_needs *n = needs_of(ev, NULL);
    cr_assert_eq(attest_needs_count(n), 4);
    expect(n, 0, ATTEST_NEED_INTEL_TCB_INFO,
           PCS "/tdx/certification/v4/tcb?fmspc=90c06f000000", "cpu0 dcap.tcb_info");
    expect(n, 1, ATTEST_NEED_INTEL_QE_IDENTITY, PCS "/tdx/certification/v4/qe/identity",
           "cpu0 dcap.qe_identity");
    expect(n, 2, ATTEST_NEED_INTEL_PCK_CRL,
           PCS "/sgx/certification/v4/pckcrl?ca=platform&encoding=der", "cpu0 dcap.pck_chain");
    expect(n, 3, ATTEST_NEED_INTEL_ROOT_CA_CRL,
           "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der",
           "cpu0 dcap.pck_chain");
    attest_needs_free(n);
    /* the SGX items do not serve a TDX quote */
    char path[512];
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    tu_add_file(c, tu_pki(path, sizeof path, "intel/tcb_info_sgx.json"));
    tu_add_file(c, tu_pki(path, sizeof path, "intel/qe_identity_sgx.json"));
    n = needs_of(ev, c);
    cr_expect_eq(attest_needs_count(n), 4);
    attest_needs_free(n);
    tu_add_file(c, tu_pki(path, sizeof path, "intel/tcb_info_tdx.json"));
    tu_add_file(c, tu_pki(path, sizeof path, "intel/qe_identity_td.json"));
    tu_add_file(c, tu_pki(path, sizeof path, "intel/pck_crl.der"));
    tu_add_file(c, tu_pki(path, sizeof path, "intel/root_crl.der"));
    n = needs_of(ev, c);
    cr_expect_eq(attest_needs_count(n), 0);
    attest_needs_free(n);
    attest_collateral_free(c);
    attest_evidence_free(ev);
}

Test(needs, sgx_quote_processor_ca)
{
    attest_evidence *ev = dcap_quote("intel-processor", 0, 3);
    attest_needs *n = needs_of(ev, NULL);
    cr_assert_eq(attest_needs_count(n), 4);
    expect(n, 0, ATTEST_NEED_INTEL_TCB_INFO,
           PCS "/sgx/certification/v4/tcb?fmspc=90c06f000000", "cpu0 dcap.tcb_info");
    expect(n, 1, ATTEST_NEED_INTEL_QE_IDENTITY, PCS "/sgx/certification/v4/qe/identity",
           "cpu0 dcap.qe_identity");
    expect(n, 2, ATTEST_NEED_INTEL_PCK_CRL,
           PCS "/sgx/certification/v4/pckcrl?ca=processor&encoding=der", "cpu0 dcap.pck_chain");
    attest_needs_free(n);
    attest_evidence_free(ev);
}

Test(needs, gpu_rims_and_device_ocsp)
{
    char path[512];
    attest_evidence *ev = parse_file(tu_pki(path, sizeof path, "nvidia/evidence.json"));
    attest_needs *n = needs_of(ev, NULL);
    cr_assert_eq(attest_needs_count(n), 5);
    expect(n, 0, ATTEST_NEED_NVIDIA_RIM, RIM "NV_GPU_DRIVER_GH100_550.90.07", "gpu0.driver_rim");
    expect(n, 1, ATTEST_NEED_NVIDIA_RIM, RIM "NV_GPU_VBIOS_1010_0200_882_96009F0001",
           "gpu0.vbios_rim");
    for (size_t i = 2; i < 5; i++) {
        expect(n, i, ATTEST_NEED_NVIDIA_OCSP, "https://ocsp.ndis.nvidia.com",
               "gpu0.chain.ocsp");
        cr_expect_str_eq(attest_needs_method(n, i), "POST");
        cr_expect(!strncmp(attest_needs_subject(n, i), "CN=", 3));
        cr_expect(strstr(attest_needs_subject(n, i), ", serial="));
    }
    char *json = NULL;
    cr_assert_eq(attest_needs_to_json(&json, n), ATTEST_OK);
    cr_expect(strstr(json, "\"kind\": \"nvidia-ocsp\""));
    attest_string_free(json);
    attest_needs_free(n);
    /* RIMs and every OCSP response held: nothing is missing (the RIMs'
     * own chains, listed once they are held, are answered too) */
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    tu_add_file(c, tu_pki(path, sizeof path, "nvidia/driver_rim.xml"));
    tu_add_file(c, tu_pki(path, sizeof path, "nvidia/vbios_rim.xml"));
    n = needs_of(ev, c);
    cr_expect_eq(attest_needs_count(n), 3 + 3, "device chain and RIM chain OCSP");
    attest_needs_free(n);
    static const char *const ocsp[] = {"device_cert1.der", "device_cert2.der",
                                       "device_cert3.der", "rim_cert0.der", "rim_cert1.der",
                                       "rim_cert2.der"};
    for (size_t i = 0; i < 6; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "nvidia/ocsp/%s", ocsp[i]);
        tu_add_file(c, tu_pki(path, sizeof path, rel));
    }
    n = needs_of(ev, c);
    cr_expect_eq(attest_needs_count(n), 0);
    attest_needs_free(n);
    attest_collateral_free(c);
    attest_evidence_free(ev);
}

Test(needs, switch_bios_rim)
{
    char path[512];
    attest_evidence *ev = parse_file(tu_pki(path, sizeof path, "nvidia-switch/evidence.json"));
    attest_needs *n = needs_of(ev, NULL);
    cr_assert_eq(attest_needs_count(n), 4);
    expect(n, 0, ATTEST_NEED_NVIDIA_RIM, RIM "NV_SWITCH_BIOS_5612_0002_890_9610550001",
           "switch0.vbios_rim");
    attest_needs_free(n);
    attest_evidence_free(ev);
}

Test(needs, bad_arguments)
{
    attest_needs *n = NULL;
    cr_expect_eq(attest_collateral_needs(&n, NULL, NULL), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_needs_count(NULL), 0);
    cr_expect_null(attest_needs_url(NULL, 0));
    cr_expect_str_eq(attest_need_kind_name((attest_need_kind)99), "unknown");
    attest_needs_free(NULL);
}

/* ---- real vectors: the MANIFESTs' recorded ids and URLs --------------- */

Test(needs, real_genoa_vcek_url_as_recorded)
{
    char path[512];
    attest_evidence *ev =
        parse_file(tu_shared(path, sizeof path, "snp/sets/S10_genoa_v3_tinfoil/report.bin"));
    attest_needs *n = needs_of(ev, NULL);
    /* vcek.kds_response_meta.json: the URL teep fetched */
    expect(n, 0, ATTEST_NEED_AMD_VCEK,
           KDS "/vcek/v1/Genoa/1af1aa6c1f56037a05849a59b8815cf909583f9ba9ef2f053218c437f33ba183"
               "e4e415b039b37f8205250ad15f8b88a0a3add9f4c081c0779a48ed2214378e44"
               "?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=84",
           "cpu0 snp.vek");
    attest_needs_free(n);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    tu_add_file(c, tu_shared(path, sizeof path, "snp/sets/S10_genoa_v3_tinfoil/vcek.der"));
    n = needs_of(ev, c); /* the cert_chain is built in */
    cr_assert_eq(attest_needs_count(n), 1);
    expect(n, 0, ATTEST_NEED_AMD_CRL, KDS "/vcek/v1/Genoa/crl", "cpu0 snp.crl");
    attest_needs_free(n);
    attest_collateral_free(c);
    attest_evidence_free(ev);
}

Test(needs, real_blackwell_rim_ids)
{
    char path[512];
    attest_evidence *ev = parse_file(tu_shared(
        path, sizeof path,
        "nvidia/blackwell/gb202_rtxpro6000_595.58.03_vbios9802810001/attestation_report.bin"));
    attest_needs *n = needs_of(ev, NULL);
    cr_assert_eq(attest_needs_count(n), 2, "a raw report carries no chain: RIMs only");
    expect(n, 0, ATTEST_NEED_NVIDIA_RIM, RIM "NV_GPU_CC_DRIVER_GB202_595.58.03",
           "gpu0.driver_rim");
    expect(n, 1, ATTEST_NEED_NVIDIA_RIM, RIM "NV_GPU_VBIOS_G153_0210_895_9802810001",
           "gpu0.vbios_rim");
    attest_needs_free(n);
    attest_evidence_free(ev);
}

Test(needs, real_hopper_rims_held)
{
    char path[512];
    const char *set = "nvidia/hopper/setA_h100_550.90.07_complete/";
    char rel[256];
    snprintf(rel, sizeof rel, "%sattestation_report.bin", set);
    attest_evidence *ev = parse_file(tu_shared(path, sizeof path, rel));
    attest_needs *n = needs_of(ev, NULL);
    cr_assert_eq(attest_needs_count(n), 2);
    expect(n, 0, ATTEST_NEED_NVIDIA_RIM, RIM "NV_GPU_DRIVER_GH100_550.90.07", "gpu0.driver_rim");
    expect(n, 1, ATTEST_NEED_NVIDIA_RIM, RIM "NV_GPU_VBIOS_1010_0200_882_96009F0001",
           "gpu0.vbios_rim");
    attest_needs_free(n);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    snprintf(rel, sizeof rel, "%sdriver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml", set);
    tu_add_file(c, tu_shared(path, sizeof path, rel));
    snprintf(rel, sizeof rel, "%svbios_rim_NV_GPU_VBIOS_1010_0200_882_96009F0001.xml", set);
    tu_add_file(c, tu_shared(path, sizeof path, rel));
    n = needs_of(ev, c);
    for (size_t i = 0; i < attest_needs_count(n); i++)
        cr_expect_eq(attest_needs_kind(n, i), ATTEST_NEED_NVIDIA_OCSP,
                     "only the RIM chains' OCSP remains: %s", attest_needs_reason(n, i));
    attest_needs_free(n);
    attest_collateral_free(c);
    attest_evidence_free(ev);
}

/* Set A with its chain, RIMs and the recorded OCSP responses: every
 * device-chain and RIM-chain certificate's CertID is answered. */
Test(needs, real_hopper_everything_held)
{
    static const char *const files[] = {
        "device_cert_chain.pem",
        "driver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml",
        "vbios_rim_NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
        "ocsp/gpu_cert1_brom.ocsp.der",
        "ocsp/gpu_cert2_provisioner_ica1.ocsp.der",
        "ocsp/gpu_cert3_gh100_identity.ocsp.der",
        "ocsp/driver_rim_cert0_leaf.ocsp.der",
        "ocsp/vbios_rim_cert0_leaf.ocsp.der",
        "ocsp/rim_cert1_L3_gh100_002.ocsp.der",
        "ocsp/rim_cert2_gh100_ca.ocsp.der",
    };
    const char *set = "nvidia/hopper/setA_h100_550.90.07_complete/";
    char path[512], rel[256];
    snprintf(rel, sizeof rel, "%sattestation_report.bin", set);
    attest_evidence *ev = parse_file(tu_shared(path, sizeof path, rel));
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    snprintf(rel, sizeof rel, "%s%s", set, files[0]);
    tu_add_file(c, tu_shared(path, sizeof path, rel));
    attest_needs *n = needs_of(ev, c);
    cr_assert_eq(attest_needs_count(n), 5, "2 RIMs and the raw report's chain (from the "
                                           "collateral) BROM, ICA, Identity");
    expect(n, 2, ATTEST_NEED_NVIDIA_OCSP, NULL, "gpu0.chain.ocsp: certificate 1");
    attest_needs_free(n);
    for (size_t i = 1; i < sizeof files / sizeof *files; i++) {
        snprintf(rel, sizeof rel, "%s%s", set, files[i]);
        tu_add_file(c, tu_shared(path, sizeof path, rel));
    }
    n = needs_of(ev, c);
    cr_expect_eq(attest_needs_count(n), 0, "first left: %s",
                 attest_needs_count(n) ? attest_needs_reason(n, 0) : "");
    attest_needs_free(n);
    attest_collateral_free(c);
    attest_evidence_free(ev);
}
