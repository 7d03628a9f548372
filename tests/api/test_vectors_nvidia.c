/* Every real NVIDIA vector in ../shared/vectors/nvidia verifies with the
 * verdict its MANIFEST.md states, at the instant it states (stored OCSP
 * responses each at their own time). */
#include "testutil.h"

#include <jansson.h>

#define NONCE_A "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb"
#define NONCE_B "4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e"
#define NONCE_D "690bb51b904351e28100a0610fe60624255c26d7d38c53fb1285ecfed1cab17a"

/* Stored responses have no nonce and each was valid for 24 hours on its
 * own day: they are judged at their own time. */
#define POLICY_STORED "{\"nvidia\":{\"allow_stored_ocsp\":true,\"allow_stale_ocsp\":true}}"
#define POLICY_NO_OCSP "{\"nvidia\":{\"require_ocsp\":false}}"

static void hex32(const char *hex, uint8_t out[32])
{
    for (int i = 0; i < 32; i++) {
        unsigned b;
        sscanf(hex + 2 * i, "%2x", &b);
        out[i] = (uint8_t)b;
    }
}

/* Verify evidence `rel` with collateral files `files` (NULL-terminated,
 * relative to vectors/nvidia). Returns the result (caller frees). */
static attest_result *run(const char *rel, const char *const *files, const char *nonce_hex,
                          const char *at, const char *policy)
{
    char path[512], full[256];
    size_t len = 0;
    snprintf(full, sizeof full, "nvidia/%s", rel);
    uint8_t *data = tu_read(tu_shared(path, sizeof path, full), &len);
    cr_assert(data);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, data, len), ATTEST_OK, "%s: %s", rel,
                 attest_error_last());
    cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_NVIDIA);
    attest_collateral *c = NULL;
    attest_collateral_new(&c);
    for (size_t i = 0; files && files[i]; i++) {
        snprintf(full, sizeof full, "nvidia/%s", files[i]);
        tu_add_file(c, tu_shared(path, sizeof path, full));
    }
    attest_verifier *v = NULL;
    attest_verifier_new(&v);
    attest_verifier_set_time(v, tu_time(at));
    attest_policy *p = tu_policy(policy);
    uint8_t nonce[32];
    if (nonce_hex)
        hex32(nonce_hex, nonce);
    attest_result *r = NULL;
    attest_verify(&r, v, ev, c, p, nonce_hex ? nonce : NULL, nonce_hex ? 32 : 0);
    cr_assert(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    free(data);
    return r;
}

static int run_status(const char *rel, const char *const *files, const char *nonce_hex,
                      const char *at, const char *policy)
{
    attest_result *r = run(rel, files, nonce_hex, at, policy);
    int status = attest_result_status(r);
    cr_log_info("%s -> %s: %s", rel, attest_status_name(status), attest_result_reason(r));
    attest_result_free(r);
    return status;
}

static const char *const set_a[] = {
    "hopper/setA_h100_550.90.07_complete/device_cert_chain.pem",
    "hopper/setA_h100_550.90.07_complete/driver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml",
    "hopper/setA_h100_550.90.07_complete/vbios_rim_NV_GPU_VBIOS_1010_0200_882_96009F0001.xml",
    "hopper/setA_h100_550.90.07_complete/ocsp/gpu_cert1_brom.ocsp.der",
    "hopper/setA_h100_550.90.07_complete/ocsp/gpu_cert2_provisioner_ica1.ocsp.der",
    "hopper/setA_h100_550.90.07_complete/ocsp/gpu_cert3_gh100_identity.ocsp.der",
    "hopper/setA_h100_550.90.07_complete/ocsp/driver_rim_cert0_leaf.ocsp.der",
    "hopper/setA_h100_550.90.07_complete/ocsp/vbios_rim_cert0_leaf.ocsp.der",
    "hopper/setA_h100_550.90.07_complete/ocsp/rim_cert1_L3_gh100_002.ocsp.der",
    "hopper/setA_h100_550.90.07_complete/ocsp/rim_cert2_gh100_ca.ocsp.der",
    NULL};
#define SET_A_REPORT "hopper/setA_h100_550.90.07_complete/attestation_report.bin"
#define SET_A_AT "2025-10-24T12:00:00Z"

Test(nv_vectors, set_a_complete_with_ocsp)
{
    attest_result *r = run(SET_A_REPORT, set_a, NONCE_A, SET_A_AT, POLICY_STORED);
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    char *text = NULL;
    attest_result_to_json(&text, r);
    json_t *doc = json_loads(text, 0, NULL);
    json_t *gpu = json_object_get(json_object_get(json_object_get(doc, "claims"), "devices"), "gpu0");
    cr_expect_str_eq(json_string_value(json_object_get(gpu, "measres")), "success");
    cr_expect_str_eq(json_string_value(json_object_get(gpu, "hwmodel")), "GH100 A01 GSP BROM");
    cr_expect_str_eq(json_string_value(json_object_get(gpu, "ueid")),
                     "478176379286082186618948445787393647364802107249");
    cr_expect_str_eq(json_string_value(json_object_get(gpu, "oemid")), "5703");
    cr_expect(json_is_true(json_object_get(gpu, "x-nvidia-gpu-attestation-report-cert-chain-fwid-match")));
    json_decref(doc);
    attest_string_free(text);
    attest_result_free(r);
}

/* The same evidence from NVAT's serialized JSON. */
Test(nv_vectors, set_a_from_nvat_json)
{
    cr_expect_eq(run_status("hopper/setA_h100_550.90.07_complete/nvat_serialized_evidence.json",
                            set_a + 1, NONCE_A, SET_A_AT, POLICY_STORED),
                 ATTEST_OK);
}

Test(nv_vectors, set_a_ocsp_rules)
{
    /* Stored responses carry no nonce: refused unless the policy says so. */
    cr_expect_eq(run_status(SET_A_REPORT, set_a, NONCE_A, SET_A_AT,
                            "{\"nvidia\":{\"allow_stale_ocsp\":true}}"),
                 ATTEST_E_NV_OCSP);
    /* The GPU-chain responses expired on 2025-08-22. */
    cr_expect_eq(run_status(SET_A_REPORT, set_a, NONCE_A, SET_A_AT,
                            "{\"nvidia\":{\"allow_stored_ocsp\":true}}"),
                 ATTEST_E_COLLATERAL_EXPIRED);
    /* Without the responses, OCSP is required by default. */
    static const char *const no_ocsp[] = {set_a[0], set_a[1], set_a[2], NULL};
    cr_expect_eq(run_status(SET_A_REPORT, no_ocsp, NONCE_A, SET_A_AT, POLICY_STORED),
                 ATTEST_E_COLLATERAL_MISSING);
    cr_expect_eq(run_status(SET_A_REPORT, no_ocsp, NONCE_A, SET_A_AT, POLICY_NO_OCSP), ATTEST_OK);
}

Test(nv_vectors, nonce_binding)
{
    cr_expect_eq(run_status(SET_A_REPORT, set_a, NONCE_B, SET_A_AT, POLICY_STORED), ATTEST_E_NV_NONCE);
    cr_expect_eq(run_status(SET_A_REPORT, set_a, NULL, SET_A_AT, POLICY_STORED), ATTEST_E_NV_NONCE);
    cr_expect_eq(run_status(SET_A_REPORT, set_a, NULL, SET_A_AT,
                            "{\"nvidia\":{\"allow_stored_ocsp\":true,\"allow_stale_ocsp\":true,"
                            "\"require_nonce\":false}}"),
                 ATTEST_OK);
}

Test(nv_vectors, set_b_2023_report_without_fwid)
{
    static const char *const files[] = {
        "hopper/setB_h100_545.00_nvtrust2023_complete/device_cert_chain.pem",
        "hopper/setB_h100_545.00_nvtrust2023_complete/driver_rim_545.00_Driver_RIM_test_no_gpu.swidtag",
        "hopper/setB_h100_545.00_nvtrust2023_complete/vbios_rim_1010_0200_882_96005E0001_test_no_gpu.swidtag",
        NULL};
    cr_expect_eq(run_status("hopper/setB_h100_545.00_nvtrust2023_complete/attestation_report.bin",
                            files, NONCE_B, "2024-06-01T00:00:00Z", POLICY_NO_OCSP),
                 ATTEST_OK);
    /* The 2023 production VBIOS RIM mismatches at indices 1, 2, 3, 9. */
    static const char *const prod[] = {
        files[0], files[1], "rims/nvtrust_2023_vbios/1010_0200_882_96005E0001_PROD.swidtag", NULL};
    cr_expect_eq(run_status("hopper/setB_h100_545.00_nvtrust2023_complete/attestation_report.bin",
                            prod, NONCE_B, "2024-06-01T00:00:00Z", POLICY_NO_OCSP),
                 ATTEST_E_NV_MEASUREMENT);
    cr_expect_eq(run_status("hopper/setB_h100_545.00_nvtrust2023_complete/attestation_report.bin",
                            prod, NONCE_B, "2024-06-01T00:00:00Z",
                            "{\"nvidia\":{\"require_ocsp\":false,"
                            "\"allowed_mismatch_indices\":[1,2,3,9]}}"),
                 ATTEST_OK);
}

Test(nv_vectors, set_d_azure_h100_nvl)
{
    static const char *const files[] = {
        "hopper/setD_h100_595.71.05_azure_complete/device_cert_chain.pem",
        "hopper/setD_h100_595.71.05_azure_complete/driver_rim_NV_GPU_DRIVER_GH100_595.71.05.xml",
        "hopper/setD_h100_595.71.05_azure_complete/vbios_rim_NV_GPU_VBIOS_1010_0210_886_96009F0004.xml",
        NULL};
    cr_expect_eq(run_status("hopper/setD_h100_595.71.05_azure_complete/attestation_report.bin",
                            files, NONCE_D, "2026-09-16T14:00:00Z", POLICY_NO_OCSP),
                 ATTEST_OK);
    cr_expect_eq(run_status("hopper/setD_h100_595.71.05_azure_complete/gpu_evidence.json",
                            files + 1, NONCE_D, "2026-09-16T14:00:00Z", POLICY_NO_OCSP),
                 ATTEST_OK);
    /* Policy on versions. */
    cr_expect_eq(run_status("hopper/setD_h100_595.71.05_azure_complete/attestation_report.bin",
                            files, NONCE_D, "2026-09-16T14:00:00Z",
                            "{\"nvidia\":{\"require_ocsp\":false,\"min_driver_version\":\"595.80\"}}"),
                 ATTEST_E_POLICY_NV_VERSION);
    cr_expect_eq(run_status("hopper/setD_h100_595.71.05_azure_complete/attestation_report.bin",
                            files, NONCE_D, "2026-09-16T14:00:00Z",
                            "{\"nvidia\":{\"require_ocsp\":false,\"min_vbios_version\":\"96.00.9F.00.05\"}}"),
                 ATTEST_E_POLICY_NV_VERSION);
    /* The RIM of another machine's driver. */
    static const char *const other[] = {files[0], set_a[1], files[2], NULL};
    cr_expect_eq(run_status("hopper/setD_h100_595.71.05_azure_complete/attestation_report.bin",
                            other, NONCE_D, "2026-04-25T00:00:00Z", POLICY_NO_OCSP),
                 ATTEST_E_NV_RIM_MISMATCH);
}

Test(nv_vectors, set_c_nvswitch_both_rim_signings)
{
    static const char *const v2024[] = {
        "nvswitch/setC_ls10_96.10.55.00.01_complete/device_cert_chain.pem",
        "nvswitch/setC_ls10_96.10.55.00.01_complete/bios_rim_NV_SWITCH_BIOS_5612_0002_890_9610550001.v2024.xml",
        NULL};
    static const char *const v2026[] = {
        v2024[0],
        "nvswitch/setC_ls10_96.10.55.00.01_complete/bios_rim_NV_SWITCH_BIOS_5612_0002_890_9610550001.v2026.xml",
        NULL};
    const char *rep = "nvswitch/setC_ls10_96.10.55.00.01_complete/attestation_report.bin";
    cr_expect_eq(run_status(rep, v2024, NONCE_A, "2025-01-01T00:00:00Z", POLICY_NO_OCSP), ATTEST_OK);
    cr_expect_eq(run_status(rep, v2026, NONCE_A, "2026-06-01T00:00:00Z", POLICY_NO_OCSP), ATTEST_OK);
    /* The 2024 RIM's leaf expired on 2026-05-20. */
    cr_expect_eq(run_status(rep, v2024, NONCE_A, "2026-06-01T00:00:00Z", POLICY_NO_OCSP),
                 ATTEST_E_CERT_EXPIRED);
}

/* Reports without RIMs in the store: signature, chain and FWID verify;
 * the verdict is "driver RIM missing". */
Test(nv_vectors, partial_reports_verify_up_to_the_rims)
{
    static const struct { const char *dir, *nonce; } cases[] = {
        {"hopper/partial/h100_580.159.03_vbios9600740020", "5bb22e377702d4e1e8215a903ba094826b9ac7f731dee1fe8102958bf2840aca"},
        {"hopper/partial/h100_570.124.03_vbios96005E0004", NONCE_A},
        {"hopper/partial/h100_535.86.09_vbios96005E0001", "27a328247bf7935c993341cf587be6f05986ccce4fe7ba2c54100bd616a58f66"},
        {"hopper/partial/h100_580.95.05_trailing_byte", "87d8e24ab336adafe228d49e83d745f6dba4ae505372b6a5704820856b343fec"},
        {"blackwell/gb100_575.32_vbios970088000F", NONCE_A},
        {"blackwell/gb202_rtxpro6000_595.58.03_vbios9802810001", NONCE_B},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rep[256], chain[256];
        snprintf(rep, sizeof rep, "%s/attestation_report.bin", cases[i].dir);
        snprintf(chain, sizeof chain, "%s/device_cert_chain.pem", cases[i].dir);
        const char *files[] = {chain, NULL};
        attest_result *r = run(rep, files, cases[i].nonce, "2026-01-01T00:00:00Z", POLICY_NO_OCSP);
        cr_expect_eq(attest_result_status(r), ATTEST_E_COLLATERAL_MISSING, "%s: %s", cases[i].dir,
                     attest_result_reason(r));
        cr_expect(strstr(attest_result_reason(r), "driver_rim"), "%s: %s", cases[i].dir,
                  attest_result_reason(r));
        attest_result_free(r);
    }
}

Test(nv_vectors, negative_material)
{
    /* A chain without the provisioner ICA or the BROM cannot reach the root. */
    static const char *const no_ica[] = {"negative/chain_missing_provisioner_ica.pem", NULL};
    cr_expect_eq(run_status(SET_A_REPORT, no_ica, NONCE_A, SET_A_AT, POLICY_NO_OCSP),
                 ATTEST_E_COLLATERAL_MISSING);
    static const char *const root_only[] = {"negative/chain_root_only.pem", NULL};
    cr_expect_eq(run_status(SET_A_REPORT, root_only, NONCE_A, SET_A_AT, POLICY_NO_OCSP),
                 ATTEST_E_COLLATERAL_MISSING);
    /* A tampered RIM is refused and the refusal is the verdict. */
    static const char *const tampered[] = {
        set_a[0], "negative/rim_550.144.03_bad_signature_value.xml", set_a[2], NULL};
    attest_result *r = run(SET_A_REPORT, tampered, NONCE_A, SET_A_AT, POLICY_NO_OCSP);
    cr_expect_eq(attest_result_status(r), ATTEST_E_COLLATERAL_SIGNATURE, "%s", attest_result_reason(r));
    attest_result_free(r);
    static const char *const only_tampered[] = {
        set_a[0], "negative/rim_535.86.09_tampered_payload.xml", NULL};
    cr_expect_eq(run_status(SET_A_REPORT, only_tampered, NONCE_A, SET_A_AT, POLICY_NO_OCSP),
                 ATTEST_E_COLLATERAL_SIGNATURE);
}

Test(nv_vectors, invalid_report_signatures)
{
    char path[512];
    size_t len = 0;
    static const char *const hexes[] = {"negative/report_invalid_signature_h100_560.00.hex.txt",
                                        "negative/switch_report_invalid_signature.hex.txt"};
    for (int k = 0; k < 2; k++) {
        char rel[256];
        snprintf(rel, sizeof rel, "nvidia/%s", hexes[k]);
        char *hex = (char *)tu_read(tu_shared(path, sizeof path, rel), &len);
        uint8_t *bin = malloc(len / 2 + 1);
        size_t n = 0;
        for (size_t i = 0; i + 1 < len; i += 2) {
            unsigned b;
            if (sscanf(hex + i, "%2x", &b) != 1)
                break;
            bin[n++] = (uint8_t)b;
        }
        attest_evidence *ev = NULL;
        cr_assert_eq(attest_evidence_parse(&ev, bin, n), ATTEST_OK, "%s", attest_error_last());
        attest_collateral *c = NULL;
        attest_collateral_new(&c);
        tu_add_file(c, tu_shared(path, sizeof path,
                                 k ? "nvidia/nvswitch/setC_ls10_96.10.55.00.01_complete/device_cert_chain.pem"
                                   : "nvidia/" SET_A_REPORT "/../device_cert_chain.pem"));
        attest_verifier *v = NULL;
        attest_verifier_new(&v);
        attest_verifier_set_time(v, tu_time("2025-01-01T00:00:00Z"));
        attest_policy *p = tu_policy("{\"nvidia\":{\"require_ocsp\":false,\"require_nonce\":false}}");
        attest_result *r = NULL;
        int status = attest_verify(&r, v, ev, c, p, NULL, 0);
        cr_expect_eq(status, ATTEST_E_NV_REPORT_SIGNATURE, "%s: %s", hexes[k], attest_result_reason(r));
        attest_result_free(r);
        attest_policy_free(p);
        attest_verifier_free(v);
        attest_collateral_free(c);
        attest_evidence_free(ev);
        free(bin);
        free(hex);
    }
}

Test(nv_vectors, ppcie_topology_of_the_real_hgx)
{
    const char *rel = "ppcie/h100x8_ls10x4_570.124.06.go_nvattest.json";
    const char *nonce = "1234567890123456789012345678901234567890123456789012345678901234";
    attest_result *r = run(rel, NULL, nonce, "2026-01-01T00:00:00Z",
                           "{\"nvidia\":{\"require_ocsp\":false,\"require_ppcie_topology\":true}}");
    /* RIMs are missing for these devices; the topology check still runs. */
    bool topology = false;
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), "nvidia.topology"))
            topology = attest_result_check_outcome(r, i) == ATTEST_CHECK_PASS;
    cr_expect(topology, "PPCIe topology of 8 GPUs and 4 NVSwitches passes");
    size_t gpus_signed = 0;
    for (size_t i = 0; i < attest_result_check_count(r); i++) {
        const char *n = attest_result_check_name(r, i);
        if (strstr(n, ".report.signature") && attest_result_check_outcome(r, i) == ATTEST_CHECK_PASS)
            gpus_signed++;
    }
    cr_expect_eq(gpus_signed, 12, "all 12 device reports verify");
    attest_result_free(r);
}
