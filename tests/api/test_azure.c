/* Azure confidential VMs: every sample of ../shared/vectors/azure
 * MANIFEST section 3 gets the verdict the MANIFEST records, from its parts
 * (HCL report, TPM quote, signature, PCR values, TD quote). */
#include "testutil.h"

/* Authenticity of the SNP report as the MANIFEST judges it (no CRL;
 * Azure hosts run provisional firmware), plus the vTPM side's defaults. */
#define POLICY_AZURE_SNP                                                          \
    "{\"snp\":{\"require_crl\":false,\"allow_provisional_firmware\":true},"        \
    "\"azure\":{}}"

typedef struct azure_case {
    const char *name;
    const char *hcl, *quote, *sig, *pcrs; /* under vectors/; NULL: absent */
    const char *vek;                      /* VCEK (+ chain) file */
    const char *at;
    const char *nonce_hex;
    int expect;
} azure_case;

#define AS "azure/snp/"
#define CHALLENGE "6368616c6c656e6765" /* "challenge" */

static const azure_case snp_cases[] = {
    {"AS01", "snp/sets/S07_milan_v2_azure_hcl_trustee/hcl_report.bin",
     AS "AS01_trustee_milan_v2_hclv1_challenge/quote_msg.bin",
     AS "AS01_trustee_milan_v2_hclv1_challenge/quote_sig.bin",
     AS "AS01_trustee_milan_v2_hclv1_challenge/pcrs_sha256.bin",
     "snp/sets/S07_milan_v2_azure_hcl_trustee/vcek_ask_ark.pem", "2023-05-03T00:00:00Z",
     CHALLENGE, ATTEST_OK},
    {"AS02", "snp/sets/S08_milan_v3_azure_hcl_trustee/hcl_report.bin",
     AS "AS02_trustee_milan_v3_evidence_v0_S08/quote_msg.bin",
     AS "AS02_trustee_milan_v3_evidence_v0_S08/quote_sig.bin",
     AS "AS02_trustee_milan_v3_evidence_v0_S08/pcrs_sha256.bin",
     "snp/sets/S08_milan_v3_azure_hcl_trustee/vcek.pem", "2025-01-29T00:00:00Z", CHALLENGE,
     ATTEST_OK},
    {"AS03", AS "AS03_trustee_milan_v3_evidence_v1/hcl_report.bin",
     AS "AS03_trustee_milan_v3_evidence_v1/quote_msg.bin",
     AS "AS03_trustee_milan_v3_evidence_v1/quote_sig.bin",
     AS "AS03_trustee_milan_v3_evidence_v1/pcrs_sha256.bin",
     AS "AS03_trustee_milan_v3_evidence_v1/vcek.der", "2025-01-29T00:00:00Z", CHALLENGE,
     ATTEST_OK},
    {"AS04", AS "AS04_trustee_milan_v3_evidence_v2_userdata/hcl_report.bin",
     AS "AS04_trustee_milan_v3_evidence_v2_userdata/quote_msg.bin",
     AS "AS04_trustee_milan_v3_evidence_v2_userdata/quote_sig.bin",
     AS "AS04_trustee_milan_v3_evidence_v2_userdata/pcrs_sha256.bin",
     AS "AS04_trustee_milan_v3_evidence_v2_userdata/vcek.der", "2025-01-29T00:00:00Z",
     "982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef",
     ATTEST_OK},
    {"AS05", "snp/sets/S09_genoa_v3_azure_hcl_trustee/hcl_report.bin",
     AS "AS05_trustee_genoa_v3_evidence_genoa_S09/quote_msg.bin",
     AS "AS05_trustee_genoa_v3_evidence_genoa_S09/quote_sig.bin",
     AS "AS05_trustee_genoa_v3_evidence_genoa_S09/pcrs_sha256.bin",
     "snp/sets/S09_genoa_v3_azure_hcl_trustee/vcek.pem", "2025-01-25T00:00:00Z",
     "0218488bae25d2509232bf676f1a66a30d7372add909109b36016ef136f2938ca05475f8b46094de6b64270ea35d950f",
     ATTEST_OK},
    /* PCR selection {0-7,14}, no values shipped: valid, no PCR claims. */
    {"AS06", AS "AS06_trustee_milan_v2_hcl2048_pcrsubset/hcl_report.bin",
     AS "AS06_trustee_milan_v2_hcl2048_pcrsubset/tpm-quote.msg",
     AS "AS06_trustee_milan_v2_hcl2048_pcrsubset/tpm-quote.sig", NULL,
     "snp/sets/S03_milan_v2_trustee_idblock/vcek.der", "2023-05-03T00:00:00Z", CHALLENGE,
     ATTEST_OK},
    {"AS07", AS "AS07_trustee_milan_v2_2024/hcl_report.bin",
     AS "AS07_trustee_milan_v2_2024/quote_msg.bin", AS "AS07_trustee_milan_v2_2024/quote_sig.bin",
     AS "AS07_trustee_milan_v2_2024/pcrs_sha256.bin", AS "AS07_trustee_milan_v2_2024/vcek.pem",
     "2024-06-01T00:00:00Z", CHALLENGE, ATTEST_OK},
    /* No VCEK for this chip anywhere: unverifiable, the VCEK named. */
    {"AS08", AS "AS08_kinvolk_milan_v2_hcl2048_novcek/hcl-report-snp.bin", NULL, NULL, NULL,
     NULL, "2024-06-01T00:00:00Z", NULL, ATTEST_E_COLLATERAL_MISSING},
    /* A chain-valid VCEK of another chip: the signature fails. */
    {"AS08+certs", AS "AS08_kinvolk_milan_v2_hcl2048_novcek/hcl-report-snp.bin", NULL, NULL,
     NULL, AS "AS08_kinvolk_milan_v2_hcl2048_novcek/certs.pem", "2024-06-01T00:00:00Z", NULL,
     ATTEST_E_SNP_SIGNATURE},
};

static size_t add_part(attest_part_kind *kinds, const uint8_t **data, size_t *lens, size_t n,
                       attest_part_kind kind, const char *rel)
{
    char path[512];
    if (!rel)
        return n;
    kinds[n] = kind;
    data[n] = tu_read(tu_shared(path, sizeof path, rel), &lens[n]);
    cr_assert(data[n], "cannot read %s", path);
    return n + 1;
}

static attest_evidence *parts_evidence(const azure_case *c)
{
    attest_part_kind kinds[5];
    const uint8_t *data[5];
    size_t lens[5];
    size_t n = add_part(kinds, data, lens, 0, ATTEST_PART_HCL_REPORT, c->hcl);
    n = add_part(kinds, data, lens, n, ATTEST_PART_TPM_QUOTE, c->quote);
    n = add_part(kinds, data, lens, n, ATTEST_PART_TPM_SIGNATURE, c->sig);
    n = add_part(kinds, data, lens, n, ATTEST_PART_TPM_PCRS, c->pcrs);
    attest_evidence *ev = NULL;
    int status = attest_evidence_from_parts(&ev, kinds, data, lens, n);
    cr_assert_eq(status, ATTEST_OK, "%s: %s", c->name, attest_error_last());
    cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_AZURE_VTPM);
    for (size_t i = 0; i < n; i++)
        free((void *)data[i]);
    return ev;
}

static attest_result *verify_case(const azure_case *c, const char *policy_json,
                                  const char *nonce_hex)
{
    char path[512];
    uint8_t nonce[64];
    size_t nonce_len = nonce_hex ? strlen(nonce_hex) / 2 : 0;
    for (size_t i = 0; i < nonce_len; i++)
        sscanf(nonce_hex + 2 * i, "%2hhx", &nonce[i]);
    attest_evidence *ev = parts_evidence(c);
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    if (c->vek)
        tu_add_file(coll, tu_shared(path, sizeof path, c->vek));
    const char *chain = strstr(c->hcl, "genoa") || strstr(c->hcl, "S09")
                            ? "snp/roots/kds_vcek_cert_chain_genoa.pem"
                            : "snp/roots/kds_vcek_cert_chain_milan.pem";
    tu_add_file(coll, tu_shared(path, sizeof path, chain));
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(c->at));
    attest_policy *p = tu_policy(policy_json);
    attest_result *r = NULL;
    attest_verify(&r, v, ev, coll, p, nonce_len ? nonce : NULL, nonce_len);
    cr_assert(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
    return r;
}

/* The outcome of one named check, or -1 when it was not recorded. */
static int check_outcome(const attest_result *r, const char *name, int *status)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name)) {
            if (status)
                *status = attest_result_check_status(r, i);
            return (int)attest_result_check_outcome(r, i);
        }
    return -1;
}

Test(azure_vectors, snp_manifest_verdicts)
{
    for (size_t i = 0; i < sizeof snp_cases / sizeof snp_cases[0]; i++) {
        const azure_case *c = &snp_cases[i];
        attest_result *r = verify_case(c, POLICY_AZURE_SNP, c->nonce_hex);
        cr_expect_eq(attest_result_status(r), c->expect, "%s: got %s (%s), want %s", c->name,
                     attest_status_name(attest_result_status(r)), attest_result_reason(r),
                     attest_status_name(c->expect));
        cr_expect_eq(check_outcome(r, "azure.claims.binding", NULL), ATTEST_CHECK_PASS,
                     "%s: claims binding", c->name);
        attest_result_free(r);
    }
}

/* Every quote answers its own nonce only. */
Test(azure_vectors, wrong_nonce_rejected)
{
    attest_result *r = verify_case(&snp_cases[0], POLICY_AZURE_SNP, "6368616c6c656e6766");
    int status = 0;
    cr_expect_eq(attest_result_status(r), ATTEST_E_TPM_NONCE, "%s", attest_result_reason(r));
    cr_expect_eq(check_outcome(r, "azure.tpm.nonce", &status), ATTEST_CHECK_FAIL);
    attest_result_free(r);
    /* A prefix of the nonce is not the nonce. */
    r = verify_case(&snp_cases[0], POLICY_AZURE_SNP, "6368616c6c656e67");
    cr_expect_eq(attest_result_status(r), ATTEST_E_TPM_NONCE, "%s", attest_result_reason(r));
    attest_result_free(r);
}

/* Without a nonce the result is accepted but not fresh. */
Test(azure_vectors, no_nonce_not_fresh)
{
    attest_result *r = verify_case(&snp_cases[0], POLICY_AZURE_SNP, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    cr_expect_eq(check_outcome(r, "azure.tpm.nonce", NULL), ATTEST_CHECK_SKIPPED);
    json_t *doc = tu_result_json(r);
    cr_expect(json_is_false(json_object_get(doc, "fresh")));
    json_decref(doc);
    attest_result_free(r);
}

/* AS10: REPORT_DATA is not SHA-256 of the claims (it still parses). */
Test(azure_vectors, as10_binding_mismatch)
{
    const azure_case c = {"AS10", AS "AS10_ms_clienttests_hcl_v1_snp_v1_NEGATIVE/hcl_report.bin",
                          NULL, NULL, NULL, NULL, "2024-06-01T00:00:00Z", NULL, 0};
    attest_result *r = verify_case(&c, POLICY_AZURE_SNP, NULL);
    int status = 0;
    cr_expect_eq(check_outcome(r, "azure.claims.binding", &status), ATTEST_CHECK_FAIL);
    cr_expect_eq(status, ATTEST_E_AZURE_CLAIMS_BINDING);
    cr_expect_neq(attest_result_status(r), ATTEST_OK);
    attest_result_free(r);
}

/* An HCL report alone is the one made at boot: not fresh, refused by the
 * default azure rules (a TPM quote is required). */
Test(azure_vectors, hcl_without_quote_refused)
{
    azure_case c = snp_cases[0];
    c.quote = c.sig = c.pcrs = NULL;
    attest_result *r = verify_case(&c, POLICY_AZURE_SNP, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_E_AZURE_QUOTE_MISSING, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
    r = verify_case(&c, "{\"snp\":{\"require_crl\":false,\"allow_provisional_firmware\":true},"
                        "\"azure\":{\"require_tpm_quote\":false}}", CHALLENGE);
    cr_expect_eq(attest_result_status(r), ATTEST_E_AZURE_NONCE, "%s", attest_result_reason(r));
    attest_result_free(r);
}

/* A policy for bare SNP does not address Azure evidence. */
Test(azure_vectors, snp_only_policy_does_not_address_azure)
{
    attest_result *r = verify_case(&snp_cases[0], "{\"snp\":{\"require_crl\":false}}",
                                   CHALLENGE);
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_PLATFORM, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
}

/* PCR values are mapped through the signed selection: AS01 selects 0-23;
 * pinning PCR 23 to zero passes, to anything else fails. */
Test(azure_vectors, pcr_pins)
{
    const char *zero = "0000000000000000000000000000000000000000000000000000000000000000";
    char policy[512];
    snprintf(policy, sizeof policy, "{\"snp\":{\"require_crl\":false,"
             "\"allow_provisional_firmware\":true},\"azure\":{\"pcrs\":{\"23\":[\"%s\"]}}}", zero);
    attest_result *r = verify_case(&snp_cases[0], policy, CHALLENGE);
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    attest_result_free(r);
    snprintf(policy, sizeof policy, "{\"snp\":{\"require_crl\":false,"
             "\"allow_provisional_firmware\":true},\"azure\":{\"pcrs\":{\"22\":[\"%s\"]}}}", zero);
    r = verify_case(&snp_cases[0], policy, CHALLENGE);
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_PCR, "%s", attest_result_reason(r));
    attest_result_free(r);
    /* AS06 ships no values: a pinned PCR cannot be judged. */
    r = verify_case(&snp_cases[5], policy, CHALLENGE);
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_PCR, "%s", attest_result_reason(r));
    attest_result_free(r);
}

/* vm-configuration and user-data as policy members; AS04's user-data is
 * its nonce, zero-padded ("raw"). */
Test(azure_vectors, vm_configuration_and_user_data)
{
    attest_result *r = verify_case(&snp_cases[3],
        "{\"snp\":{\"require_crl\":false,\"allow_provisional_firmware\":true},"
        "\"azure\":{\"vm_configuration\":{\"secure-boot\":true,\"tpm-enabled\":true},"
        "\"user_data_binding\":\"raw\"}}", snp_cases[3].nonce_hex);
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    cr_expect_eq(check_outcome(r, "policy.azure.user_data_binding", NULL), ATTEST_CHECK_PASS);
    attest_result_free(r);
    r = verify_case(&snp_cases[3],
        "{\"snp\":{\"require_crl\":false,\"allow_provisional_firmware\":true},"
        "\"azure\":{\"vm_configuration\":{\"console-enabled\":false}}}", snp_cases[3].nonce_hex);
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_VM_CONFIG, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
    /* AS01's user-data is zero: the binding fails. */
    r = verify_case(&snp_cases[0],
        "{\"snp\":{\"require_crl\":false,\"allow_provisional_firmware\":true},"
        "\"azure\":{\"user_data_binding\":\"raw\"}}", CHALLENGE);
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_USER_DATA, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
}

/* ---- TDX: the HCL holds a TDREPORT; the TD quote from IMDS is verified
 * with DCAP collateral and must describe that TDREPORT. ---- */

#define AT "azure/tdx/"
#define DCAP_ALL_STATUSES                                                          \
    "[\"UpToDate\",\"SWHardeningNeeded\",\"ConfigurationNeeded\","                 \
    "\"ConfigurationAndSWHardeningNeeded\",\"OutOfDate\","                          \
    "\"OutOfDateConfigurationNeeded\"]"
/* Authenticity as the MANIFEST judges it (TCB status not evaluated
 * there): any status but Revoked, collateral judged at its own time, and
 * the older Azure TDs have SEPT_VE_DISABLE clear (docs/azure.md). */
#define POLICY_AZURE_TDX                                                          \
    "{\"tdx\":{\"accepted_tcb_statuses\":" DCAP_ALL_STATUSES ","                    \
    "\"allow_expired_collateral\":true,\"require_sept_ve_disable\":false},"         \
    "\"azure\":{}}"

typedef struct tdx_case {
    const char *name, *hcl, *td_quote, *quote, *sig, *pcrs, *nonce_hex;
    const char *tcb_info, *qe_identity, *pck_crl, *at;
} tdx_case;

#define COLL_00806F "tdx/collateral/tcbinfo_tdx_v3_00806F050000_2025-07-07.json", \
    "tdx/collateral/qe_identity_td_2025-07-07.json", "tdx/crl/pck_crl_platform_2025-07-07.der"
#define COLL_90C06F "tdx/collateral/tcbinfo_tdx_v3_90C06F000000_2026-02-01.json", \
    "tdx/collateral/qe_identity_td_2025-07-07.json", "tdx/crl/pck_crl_platform_2026-02-18.der"

static const tdx_case tdx_cases[] = {
    {"AT01", AT "AT01_trustee_tdx_current/hcl-report.bin",
     "tdx/quotes/tdx_v4_00806F050000_azure_trustee.bin",
     AT "AT01_trustee_tdx_current/quote_msg.bin", AT "AT01_trustee_tdx_current/quote_sig.bin",
     AT "AT01_trustee_tdx_current/pcrs_sha256.bin", CHALLENGE, COLL_00806F,
     "2025-07-07T10:20:00Z"},
    {"AT02", AT "AT02_trustee_tdx_2024a/hcl-report.bin", AT "AT02_trustee_tdx_2024a/td-quote.bin",
     AT "AT02_trustee_tdx_2024a/tpm-quote.msg", AT "AT02_trustee_tdx_2024a/tpm-quote.sig", NULL,
     "746478206368616c6c656e6765", COLL_00806F, "2025-07-07T10:20:00Z"},
    {"AT03", AT "AT03_trustee_tdx_2024b/hcl-report.bin", AT "AT03_trustee_tdx_2024b/td-quote.bin",
     AT "AT03_trustee_tdx_2024b/quote_msg.bin", AT "AT03_trustee_tdx_2024b/quote_sig.bin",
     AT "AT03_trustee_tdx_2024b/pcrs_sha256.bin", CHALLENGE, COLL_00806F,
     "2025-07-07T10:20:00Z"},
    {"AT04", AT "AT04_flashbots_tdx_2026_akchain/hcl_report.bin",
     AT "AT04_flashbots_tdx_2026_akchain/td_quote.bin",
     AT "AT04_flashbots_tdx_2026_akchain/quote_msg.bin",
     AT "AT04_flashbots_tdx_2026_akchain/quote_sig.bin",
     AT "AT04_flashbots_tdx_2026_akchain/pcrs_sha256.bin",
     "0000000000000000000000000000000000000000000000000000000000000000", COLL_90C06F,
     "2026-06-10T00:00:00Z"},
    {"AT05", AT "AT05_flashbots_tdx_2025/hcl_report.bin", AT "AT05_flashbots_tdx_2025/td_quote.bin",
     AT "AT05_flashbots_tdx_2025/quote_msg.bin", AT "AT05_flashbots_tdx_2025/quote_sig.bin",
     AT "AT05_flashbots_tdx_2025/pcrs_sha256.bin",
     "0000000000000000000000000000000000000000000000000000000000000000", COLL_90C06F,
     "2026-06-10T00:00:00Z"},
    /* No TPM quote: freshness would rest on user-data (ITA scheme). */
    {"AT06", AT "AT06_ita_tdx_userdata_sha512/hcl_report.bin",
     AT "AT06_ita_tdx_userdata_sha512/td_quote.bin", NULL, NULL, NULL, NULL, COLL_00806F,
     "2025-07-07T10:20:00Z"},
};

static attest_evidence *tdx_evidence(const tdx_case *c)
{
    attest_part_kind kinds[5];
    const uint8_t *data[5];
    size_t lens[5];
    size_t n = add_part(kinds, data, lens, 0, ATTEST_PART_HCL_REPORT, c->hcl);
    n = add_part(kinds, data, lens, n, ATTEST_PART_TD_QUOTE, c->td_quote);
    n = add_part(kinds, data, lens, n, ATTEST_PART_TPM_QUOTE, c->quote);
    n = add_part(kinds, data, lens, n, ATTEST_PART_TPM_SIGNATURE, c->sig);
    n = add_part(kinds, data, lens, n, ATTEST_PART_TPM_PCRS, c->pcrs);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_from_parts(&ev, kinds, data, lens, n), ATTEST_OK, "%s: %s",
                 c->name, attest_error_last());
    for (size_t i = 0; i < n; i++)
        free((void *)data[i]);
    return ev;
}

static attest_result *verify_tdx(const tdx_case *c, const char *policy_json,
                                 const char *const *extra, size_t n_extra)
{
    char path[512];
    uint8_t nonce[64];
    size_t nonce_len = c->nonce_hex ? strlen(c->nonce_hex) / 2 : 0;
    for (size_t i = 0; i < nonce_len; i++)
        sscanf(c->nonce_hex + 2 * i, "%2hhx", &nonce[i]);
    attest_evidence *ev = tdx_evidence(c);
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    const char *files[] = {c->tcb_info, c->qe_identity, c->pck_crl,
                           "tdx/crl/root_ca_crl_2025-03-20.der",
                           "tdx/certs/tcb_signing_2025-05-06_chain.pem"};
    for (size_t i = 0; i < 5; i++)
        tu_add_file(coll, tu_shared(path, sizeof path, files[i]));
    for (size_t i = 0; i < n_extra; i++)
        tu_add_file(coll, tu_shared(path, sizeof path, extra[i]));
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(c->at));
    attest_policy *p = tu_policy(policy_json);
    attest_result *r = NULL;
    attest_verify(&r, v, ev, coll, p, nonce_len ? nonce : NULL, nonce_len);
    cr_assert(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
    return r;
}

Test(azure_vectors, tdx_manifest_verdicts)
{
    for (size_t i = 0; i < sizeof tdx_cases / sizeof tdx_cases[0]; i++) {
        const tdx_case *c = &tdx_cases[i];
        bool has_quote = c->quote != NULL;
        attest_result *r = verify_tdx(c, has_quote ? POLICY_AZURE_TDX
            : "{\"tdx\":{\"accepted_tcb_statuses\":" DCAP_ALL_STATUSES ","
              "\"allow_expired_collateral\":true,\"require_sept_ve_disable\":false},"
              "\"azure\":{\"require_tpm_quote\":false}}", NULL, 0);
        cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s: got %s (%s)", c->name,
                     attest_status_name(attest_result_status(r)), attest_result_reason(r));
        cr_expect_eq(check_outcome(r, "azure.td_quote", NULL), ATTEST_CHECK_PASS, "%s", c->name);
        cr_expect_eq(check_outcome(r, "azure.claims.binding", NULL), ATTEST_CHECK_PASS, "%s",
                     c->name);
        if (has_quote)
            cr_expect_eq(check_outcome(r, "azure.tpm.nonce", NULL), ATTEST_CHECK_PASS, "%s",
                         c->name);
        attest_result_free(r);
    }
}

/* AT04's AK certificate chains to the pinned Azure vTPM root through the
 * intermediates given, and its key is the claims' AK. */
Test(azure_vectors, tdx_ak_certificate)
{
    const char *const extra[] = {AT "AT04_flashbots_tdx_2026_akchain/ak_cert.der",
                                 "azure/roots/azure-cloud-virtual-tpm-ca-24.pem",
                                 "azure/roots/azure-cloud-virtual-tpm-ca-2025.pem"};
    const char *policy = "{\"tdx\":{\"accepted_tcb_statuses\":" DCAP_ALL_STATUSES ","
                         "\"allow_expired_collateral\":true},"
                         "\"azure\":{\"require_ak_cert\":true}}";
    attest_result *r = verify_tdx(&tdx_cases[3], policy, extra, 3);
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    attest_result_free(r);
    /* Without the certificate, a policy that requires one fails. */
    r = verify_tdx(&tdx_cases[3], policy, NULL, 0);
    cr_expect_eq(attest_result_status(r), ATTEST_E_COLLATERAL_MISSING, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
}

/* A TDREPORT without its TD quote cannot be verified (AT07). */
Test(azure_vectors, tdx_hcl_without_td_quote)
{
    tdx_case c = tdx_cases[0];
    c.td_quote = NULL;
    attest_result *r = verify_tdx(&c, POLICY_AZURE_TDX, NULL, 0);
    int status = 0;
    cr_expect_eq(check_outcome(r, "azure.td_quote", &status), ATTEST_CHECK_FAIL);
    cr_expect_eq(status, ATTEST_E_AZURE_QUOTE_MISSING);
    attest_result_free(r);
    /* Another TD's quote does not describe this TDREPORT. */
    c.td_quote = tdx_cases[2].td_quote;
    r = verify_tdx(&c, POLICY_AZURE_TDX, NULL, 0);
    cr_expect_eq(check_outcome(r, "azure.td_quote", &status), ATTEST_CHECK_FAIL);
    cr_expect_eq(status, ATTEST_E_AZURE_TD_REPORT);
    attest_result_free(r);
}

/* ---- the shipped example policies -------------------------------------- */

static char *example_policy(const char *name)
{
    char path[256];
    size_t len;
    snprintf(path, sizeof path, "examples/%s", name);
    uint8_t *doc = tu_read(path, &len);
    cr_assert(doc, "cannot read %s (run from the repository root)", path);
    char *text = realloc(doc, len + 1);
    cr_assert(text);
    text[len] = 0;
    return text;
}

/* Azure's SNP guest policy, VMPL and provisional firmware as they are:
 * the Milan samples of 2023 pass examples/policy-azure-snp.json as it
 * ships, CRL included (the ARK's CRL of 2023-05-09). */
Test(azure_vectors, snp_samples_pass_the_example_policy)
{
    char *policy = example_policy("policy-azure-snp.json");
    const size_t milan[] = {0, 5, 6}; /* AS01, AS06, AS07 */
    for (size_t i = 0; i < 3; i++) {
        azure_case c = snp_cases[milan[i]];
        c.at = "2023-06-01T00:00:00Z";
        char path[512];
        attest_evidence *ev = parts_evidence(&c);
        attest_collateral *coll = NULL;
        cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
        tu_add_file(coll, tu_shared(path, sizeof path, c.vek));
        tu_add_file(coll, tu_shared(path, sizeof path,
                                    "snp/crl/ark_milan_vcek_crl_number4_2023-05-09.der"));
        uint8_t nonce[9] = "challenge";
        attest_verifier *v = NULL;
        cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
        attest_verifier_set_time(v, tu_time(c.at));
        attest_policy *p = tu_policy(policy);
        attest_result *r = NULL;
        int st = attest_verify(&r, v, ev, coll, p, nonce, sizeof nonce);
        cr_expect_eq(st, ATTEST_OK, "%s: %s", c.name, attest_result_reason(r));
        attest_result_free(r);
        attest_policy_free(p);
        attest_verifier_free(v);
        attest_collateral_free(coll);
        attest_evidence_free(ev);
    }
    free(policy);
}

/* A current Azure TD (AT05, 2025): UpToDate with the collateral of
 * 2026-02-18, SEPT_VE_DISABLE set, its AK certificate (NV zero padding and
 * all) chaining through Global Virtual TPM CA - 03 to the built-in root:
 * examples/policy-azure-tdx.json as it ships. */
Test(azure_vectors, tdx_sample_passes_the_example_policy)
{
    char *policy = example_policy("policy-azure-tdx.json");
    tdx_case c = tdx_cases[4];
    c.at = "2026-02-18T12:00:00Z";
    char path[512];
    attest_evidence *ev = tdx_evidence(&c);
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    const char *files[] = {"tdx/bundles/dcapqvl_tdx_90C06F000000_2026-02-18.collateral.json",
                           AT "AT05_flashbots_tdx_2025/ak_cert.der",
                           "azure/roots/global-virtual-tpm-ca-03.pem"};
    for (size_t i = 0; i < 3; i++)
        tu_add_file(coll, tu_shared(path, sizeof path, files[i]));
    uint8_t nonce[32] = {0};
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(c.at));
    attest_policy *p = tu_policy(policy);
    attest_result *r = NULL;
    int st = attest_verify(&r, v, ev, coll, p, nonce, sizeof nonce);
    cr_expect_eq(st, ATTEST_OK, "%s", attest_result_reason(r));
    attest_result_free(r);
    /* The older Azure TDs (2024: SEPT_VE_DISABLE clear) do not. */
    attest_evidence_free(ev);
    attest_collateral_free(coll);
    attest_policy_free(p);
    attest_verifier_free(v);
    free(policy);
}
