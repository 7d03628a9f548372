/* Every complete set of ../shared/vectors/tdx/MANIFEST.md yields the TCB
 * status and advisory IDs of its "Expected (QVL algorithm)" column at its
 * "Verify at" instant; every other quote/collateral pairing of the same
 * FMSPC verifies without error up to a TCB status. */
#include "testutil.h"

#include <jansson.h>
#include <strings.h>

typedef struct dcap_case {
    const char *set, *quote, *tcb_info, *qe_identity, *pck_crl, *root_crl, *signing_chain,
        *at, *status, *advisories;
} dcap_case;

static const dcap_case manifest[] = {
    {"S01", "quotes/sgx_v3_00A067110000_dcapqvl.bin", "bundles/dcapqvl_sgx_00A067110000_2025-06-19.tcb_info.json", "bundles/dcapqvl_sgx_00A067110000_2025-06-19.qe_identity.json", "crl/pck_crl_processor_2025-06-19.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-06-19T11:56:00Z", "ConfigurationAndSWHardeningNeeded", "INTEL-SA-00289,INTEL-SA-00615"},
    {"S02", "quotes/sgx_v3_00A067110000_automata.bin", "bundles/dcapqvl_sgx_00A067110000_2025-06-19.tcb_info.json", "bundles/dcapqvl_sgx_00A067110000_2025-06-19.qe_identity.json", "crl/pck_crl_processor_2025-06-19.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-06-19T11:56:00Z", "ConfigurationAndSWHardeningNeeded", "INTEL-SA-00289,INTEL-SA-00615"},
    {"S03", "quotes/tdx_v4_B0C06F000000_dcapqvl.bin", "bundles/dcapqvl_tdx_B0C06F000000_2025-06-19.tcb_info.json", "bundles/dcapqvl_tdx_B0C06F000000_2025-06-19.qe_identity.json", "crl/pck_crl_platform_2025-06-19.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-06-19T11:32:00Z", "UpToDate", ""},
    {"S04", "quotes/tdx_v4_B0C06F000000_dcapqvl_tappd.bin", "bundles/dcapqvl_tdx_B0C06F000000_2025-06-19.tcb_info.json", "bundles/dcapqvl_tdx_B0C06F000000_2025-06-19.qe_identity.json", "crl/pck_crl_platform_2025-06-19.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-06-19T11:32:00Z", "NotSupported", ""},
    {"S05", "quotes/tdx_v4_B0C06F000000_dcapqvl_tdx-quote.bin", "bundles/dcapqvl_tdx_B0C06F000000_2025-06-19.tcb_info.json", "bundles/dcapqvl_tdx_B0C06F000000_2025-06-19.qe_identity.json", "crl/pck_crl_platform_2025-06-19.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-06-19T11:32:00Z", "NotSupported", ""},
    {"S06", "quotes/tdx_v4_20A06F000000_dcapqvl_near.bin", "bundles/dcapqvl_tdx_20A06F000000_2025-09-02.tcb_info.json", "bundles/dcapqvl_tdx_20A06F000000_2025-09-02.qe_identity.json", "crl/pck_crl_platform_2025-09-02.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-09-02T08:41:00Z", "UpToDate", ""},
    {"S07", "quotes/tdx_v5_90C06F000000_dcapqvl_outdated.bin", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.tcb_info.json", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.qe_identity.json", "crl/pck_crl_platform_2026-02-18.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2026-02-18T11:58:00Z", "NotSupported", ""},
    {"S08", "quotes/tdx_v5_90C06F000000_gotdx.bin", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.tcb_info.json", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.qe_identity.json", "crl/pck_crl_platform_2026-02-18.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2026-02-18T11:58:00Z", "UpToDate", ""},
    {"S09", "quotes/tdx_v5_90C06F000000_alibaba_automata.bin", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.tcb_info.json", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.qe_identity.json", "crl/pck_crl_platform_2026-02-18.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2026-02-18T11:58:00Z", "OutOfDate", "INTEL-SA-01036,INTEL-SA-01079,INTEL-SA-01099,INTEL-SA-01103,INTEL-SA-01111"},
    {"S10", "quotes/tdx_v5_90C06F000000_automata_trustee.bin", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.tcb_info.json", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.qe_identity.json", "crl/pck_crl_platform_2026-02-18.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2026-02-18T11:58:00Z", "NotSupported", ""},
    {"S11", "quotes/tdx_v4_90C06F000000_automata_godcap_mock.bin", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.tcb_info.json", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.qe_identity.json", "crl/pck_crl_platform_2026-02-18.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2026-02-18T11:58:00Z", "NotSupported", ""},
    {"S12", "quotes/tdx_v5_90C06F000000_gotdx.bin", "collateral/tcbinfo_tdx_v3_90C06F000000_2026-02-01.json", "bundles/dcapqvl_tdx_90C06F000000_2026-02-18.qe_identity.json", "crl/pck_crl_platform_2026-02-18.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2026-02-18T11:42:00Z", "UpToDate", ""},
    {"S14", "quotes/tdx_v5_90C06F000000_automata_trustee.bin", "collateral/tcbinfo_tdx_v3_90C06F000000_2025-06-05.json", "collateral/qe_identity_td_2025-06-04.json", "crl/pck_crl_platform_2025-06-19.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-06-19T11:00:00Z", "NotSupported", ""},
    {"S15", "quotes/tdx_v4_90C06F000000_automata_godcap_mock.bin", "collateral/tcbinfo_tdx_v3_90C06F000000_2025-06-05.json", "collateral/qe_identity_td_2025-06-04.json", "crl/pck_crl_platform_2025-06-19.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-06-19T11:00:00Z", "NotSupported", ""},
    {"S16", "quotes/tdx_v4_50806F000000_gotdx_SPR_E4.bin", "collateral/tcbinfo_tdx_v3_50806F000000_2023-06-18.json", "collateral/qe_identity_td_2023-06-08.json", "crl/pck_crl_platform_2023-06-08.der", "crl/root_ca_crl_2023-04-03.der", "certs/tcb_signing_2018-05-21_chain.pem", "2023-07-01T01:00:00Z", "NotSupported", ""},
    {"S17", "quotes/tdx_v4_50806F000000_debug_trustee.bin", "collateral/tcbinfo_tdx_v3_50806F000000_2023-06-18.json", "collateral/qe_identity_td_2023-06-08.json", "crl/pck_crl_platform_2023-06-08.der", "crl/root_ca_crl_2023-04-03.der", "certs/tcb_signing_2018-05-21_chain.pem", "2023-07-01T01:00:00Z", "UpToDate", ""},
    {"S18", "quotes/tdx_v4_00806F050000_automata.bin", "collateral/tcbinfo_tdx_v3_00806F050000_2025-07-07.json", "collateral/qe_identity_td_2025-07-07.json", "crl/pck_crl_platform_2025-07-07.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-07-07T10:20:00Z", "OutOfDate", "INTEL-SA-00960,INTEL-SA-00982,INTEL-SA-00986"},
    {"S27", "quotes/sgx_v3_00606A000000_automata_quotev3.bin", "collateral/tcbinfo_sgx_v3_00606A000000_2025-08-15.json", "collateral/qe_identity_sgx_2025-08-15.json", "crl/pck_crl_platform_2025-08-15.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-08-15T06:41:00Z", "SWHardeningNeeded", "INTEL-SA-00615"},
    {"S28", "quotes/sgx_v3_00606A000000_automata_godcap_mock.bin", "collateral/tcbinfo_sgx_v3_00606A000000_2025-08-15.json", "collateral/qe_identity_sgx_2025-08-15.json", "crl/pck_crl_platform_2025-08-15.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-08-15T06:41:00Z", "SWHardeningNeeded", "INTEL-SA-00615"},
    {"S29", "quotes/sgx_v3_00606A000000_occlum_trustee.bin", "collateral/tcbinfo_sgx_v3_00606A000000_2025-08-15.json", "collateral/qe_identity_sgx_2025-08-15.json", "crl/pck_crl_platform_2025-08-15.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-08-15T06:41:00Z", "OutOfDate", "INTEL-SA-00586,INTEL-SA-00614,INTEL-SA-00615,INTEL-SA-00657,INTEL-SA-00730,INTEL-SA-00738,INTEL-SA-00767,INTEL-SA-00828,INTEL-SA-00837,INTEL-SA-00960"},
    {"S30", "quotes/sgx_v3_00606A000000_automata_quotev3.bin", "collateral/tcbinfo_sgx_v2_00606A000000_2025-06-04.json", "collateral/qe_identity_sgx_2025-06-04.json", "crl/pck_crl_platform_2025-06-19.der", "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem", "2025-06-19T11:00:00Z", "SWHardeningNeeded", ""},
    {"S32", "quotes/sgx_v3_00A067110000_automata.bin", "bundles/udsamani_sgx_00A067110000_2024-08-26.tcb_info.json", "bundles/udsamani_sgx_00A067110000_2024-08-26.qe_identity.json", "crl/pck_crl_processor_2024-08-26.der", "crl/root_ca_crl_2024-03-20.der", "certs/tcb_signing_2018-05-21_chain.pem", "2024-08-29T20:20:00Z", "ConfigurationAndSWHardeningNeeded", "INTEL-SA-00289,INTEL-SA-00615"},
    {"S33", "quotes/tdx_v4_00806F050000_automata.bin", "collateral/tcbinfo_tdx_v3_00806F050000_2025-02-13.json", "collateral/qe_identity_td_2025-02-13.json", "crl/pck_crl_platform_2025-02-13.der", "crl/root_ca_crl_2024-03-20.der", "certs/tcb_signing_2018-05-21_chain.pem", "2025-02-13T04:50:00Z", "OutOfDate", "INTEL-SA-00960,INTEL-SA-00982,INTEL-SA-00986"},
    {"S34", "quotes/tdx_v4_00806F050000_automata.bin", "collateral/tcbinfo_tdx_v3_00806F050000_2024-09-10.json", "collateral/qe_identity_td_2024-09-10.json", "crl/pck_crl_platform_2025-02-13.der", "crl/root_ca_crl_2024-03-20.der", "certs/tcb_signing_2018-05-21_chain.pem", "2024-09-10T06:49:00Z", "UpToDate", ""},
    {"S35", "quotes/sgx_v3_00606A000000_automata_quotev3.bin", "collateral/tcbinfo_sgx_v2_00606A000000_2025-02-13.json", "collateral/qe_identity_sgx_2025-02-13.json", "crl/pck_crl_platform_2025-02-13.der", "crl/root_ca_crl_2024-03-20.der", "certs/tcb_signing_2018-05-21_chain.pem", "2025-02-13T04:40:00Z", "SWHardeningNeeded", ""},
    {"S37", "quotes/sgx_v3_00606A000000_automata_godcap_mock.bin", "collateral/tcbinfo_sgx_v2_00606A000000_2025-02-13.json", "collateral/qe_identity_sgx_2025-02-13.json", "crl/pck_crl_platform_2025-02-13.der", "crl/root_ca_crl_2024-03-20.der", "certs/tcb_signing_2018-05-21_chain.pem", "2025-02-13T04:40:00Z", "SWHardeningNeeded", ""},
    {"S39", "quotes/tdx_v5_90C06F000000_automata_trustee.bin", "collateral/tcbinfo_tdx_v3_90C06F000000_2025-02-12T11.json", "collateral/qe_identity_td_2025-02-13.json", "crl/pck_crl_platform_2025-02-13.der", "crl/root_ca_crl_2024-03-20.der", "certs/tcb_signing_2018-05-21_chain.pem", "2025-02-13T04:40:00Z", "NotSupported", ""},
    {"S40", "quotes/tdx_v4_90C06F000000_automata_godcap_mock.bin", "collateral/tcbinfo_tdx_v3_90C06F000000_2025-02-12T11.json", "collateral/qe_identity_td_2025-02-13.json", "crl/pck_crl_platform_2025-02-13.der", "crl/root_ca_crl_2024-03-20.der", "certs/tcb_signing_2018-05-21_chain.pem", "2025-02-13T04:40:00Z", "NotSupported", ""},
};

#define ALL_STATUSES                                                              \
    "[\"UpToDate\",\"SWHardeningNeeded\",\"ConfigurationNeeded\","                 \
    "\"ConfigurationAndSWHardeningNeeded\",\"OutOfDate\","                          \
    "\"OutOfDateConfigurationNeeded\",\"Revoked\"]"
/* As the MANIFEST defines "Expected": QVL's status, whatever the policy;
 * debug quotes and expired collateral allowed (reported apart). */
#define POLICY_QVL                                                                \
    "{\"tdx\":{\"accepted_tcb_statuses\":" ALL_STATUSES ",\"allow_debug\":true,"   \
    "\"allow_expired_collateral\":true},"                                          \
    "\"sgx\":{\"accepted_tcb_statuses\":" ALL_STATUSES ",\"allow_debug\":true,"    \
    "\"allow_expired_collateral\":true}}"

/* bundles/ keep the signed object alone and its signature as hex: put
 * them back into the PCS body shape, the object's bytes untouched. */
static void add_signed_json(attest_collateral *c, const char *rel)
{
    char path[512], sigpath[512];
    size_t len = 0, slen = 0;
    uint8_t *body = tu_read(tu_shared(path, sizeof path, rel), &len);
    cr_assert(body);
    if (strncmp(rel, "tdx/bundles/", 12) != 0) {
        cr_assert_eq(attest_collateral_add(c, body, len), ATTEST_OK, "%s: %s", rel,
                     attest_error_last());
        free(body);
        return;
    }
    snprintf(sigpath, sizeof sigpath, "%.*s.sig.hex", (int)(strlen(path) - 5), path);
    uint8_t *sig = tu_read(sigpath, &slen);
    cr_assert(sig, "%s", sigpath);
    while (slen && (sig[slen - 1] == '\n' || sig[slen - 1] == '\r' || sig[slen - 1] == ' '))
        slen--;
    const char *member = strstr(rel, "tcb_info") ? "tcbInfo" : "enclaveIdentity";
    size_t n = len + slen + 64;
    char *doc = malloc(n);
    int w = snprintf(doc, n, "{\"%s\":%.*s,\"signature\":\"%.*s\"}", member, (int)len,
                     (const char *)body, (int)slen, (const char *)sig);
    cr_assert_eq(attest_collateral_add(c, (const uint8_t *)doc, (size_t)w), ATTEST_OK,
                 "%s: %s", rel, attest_error_last());
    free(doc);
    free(sig);
    free(body);
}

static void add_file(attest_collateral *c, const char *rel)
{
    char path[512];
    tu_add_file(c, tu_shared(path, sizeof path, rel));
}

static attest_collateral *collateral_of(const dcap_case *k)
{
    char rel[256];
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    snprintf(rel, sizeof rel, "tdx/%s", k->tcb_info);
    add_signed_json(c, rel);
    snprintf(rel, sizeof rel, "tdx/%s", k->qe_identity);
    add_signed_json(c, rel);
    snprintf(rel, sizeof rel, "tdx/%s", k->pck_crl);
    add_file(c, rel);
    snprintf(rel, sizeof rel, "tdx/%s", k->root_crl);
    add_file(c, rel);
    snprintf(rel, sizeof rel, "tdx/%s", k->signing_chain);
    add_file(c, rel);
    return c;
}

/* Quotes whose source appended bytes after the signature data for its own
 * tests: go-tdx-guest's SPR_E4 sample ends with "\nextra bytes(only for
 * testing purpose)\n" (39 bytes). The file is rejected (non-zero bytes
 * after the signature data); the quote Intel's QE signed is the file
 * without them, and it keeps its set's verdict. */
static size_t appended_for_testing(const char *quote)
{
    return strcmp(quote, "quotes/tdx_v4_50806F000000_gotdx_SPR_E4.bin") == 0 ? 39 : 0;
}

/* Verify and hand back the result (caller frees). */
static attest_result *run(const dcap_case *k, const char *policy, const char *at)
{
    char path[512], rel[256];
    size_t len = 0;
    snprintf(rel, sizeof rel, "tdx/%s", k->quote);
    uint8_t *quote = tu_read(tu_shared(path, sizeof path, rel), &len);
    cr_assert(quote, "%s", path);
    attest_evidence *ev = NULL;
    size_t appended = appended_for_testing(k->quote);
    if (appended) {
        cr_expect_eq(attest_evidence_parse(&ev, quote, len), ATTEST_E_LENGTH,
                     "%s as published", k->quote);
        cr_expect(strstr(attest_error_last(), "dcap.quote.trailing") != NULL, "%s",
                  attest_error_last());
        cr_assert_null(ev);
        cr_assert_gt(len, appended);
        len -= appended;
    }
    cr_assert_eq(attest_evidence_parse(&ev, quote, len), ATTEST_OK, "%s: %s", k->quote,
                 attest_error_last());
    cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_DCAP_QUOTE);
    attest_collateral *c = collateral_of(k);
    attest_verifier *v = NULL;
    attest_verifier_new(&v);
    attest_verifier_set_time(v, tu_time(at ? at : k->at));
    attest_policy *p = tu_policy(policy);
    attest_result *r = NULL;
    attest_verify(&r, v, ev, c, p, NULL, 0);
    cr_assert(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    free(quote);
    return r;
}

static json_t *claims_tcb(const attest_result *r)
{
    char *text = NULL;
    cr_assert_eq(attest_result_to_json(&text, r), ATTEST_OK);
    json_t *doc = json_loads(text, 0, NULL);
    attest_string_free(text);
    cr_assert(doc);
    json_t *tcb = json_incref(json_object_get(json_object_get(doc, "claims"), "tcb"));
    json_decref(doc);
    return tcb;
}

static void advisories_string(json_t *tcb, char *out, size_t n)
{
    size_t i;
    json_t *id;
    out[0] = '\0';
    json_array_foreach(json_object_get(tcb, "advisory_ids"), i, id) {
        if (i)
            strncat(out, ",", n - strlen(out) - 1);
        strncat(out, json_string_value(id), n - strlen(out) - 1);
    }
}

Test(dcap_vectors, manifest_status_and_advisories, .timeout = 120)
{
    for (size_t i = 0; i < sizeof manifest / sizeof manifest[0]; i++) {
        const dcap_case *k = &manifest[i];
        attest_result *r = run(k, POLICY_QVL, NULL);
        int status = attest_result_status(r);
        if (!strcmp(k->status, "NotSupported")) {
            cr_expect_eq(status, ATTEST_E_DCAP_TCB_NOT_SUPPORTED, "%s: %s (%s)", k->set,
                         attest_status_name(status), attest_result_reason(r));
        } else {
            cr_expect_eq(status, ATTEST_OK, "%s: %s (%s)", k->set, attest_status_name(status),
                         attest_result_reason(r));
            json_t *tcb = claims_tcb(r);
            char adv[1024];
            advisories_string(tcb, adv, sizeof adv);
            cr_expect_str_eq(json_string_value(json_object_get(tcb, "status")), k->status,
                             "%s status", k->set);
            cr_expect_str_eq(adv, k->advisories, "%s advisories", k->set);
            json_decref(tcb);
        }
        attest_result_free(r);
    }
}

/* S34: the PCK CRL is not yet valid at the instant: the status is still
 * QVL's (UpToDate) but the collateral check says so, and the default
 * (strict) collateral rule rejects. */
Test(dcap_vectors, s34_collateral_not_yet_valid_is_reported_apart)
{
    const dcap_case *k = NULL;
    for (size_t i = 0; i < sizeof manifest / sizeof manifest[0]; i++)
        if (!strcmp(manifest[i].set, "S34"))
            k = &manifest[i];
    cr_assert(k);
    attest_result *r = run(k, POLICY_QVL, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_OK);
    bool flagged = false;
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), "dcap.collateral.validity"))
            flagged = attest_result_check_outcome(r, i) == ATTEST_CHECK_SKIPPED;
    cr_expect(flagged, "collateral validity reported as allowed-but-not-valid");
    attest_result_free(r);
    r = run(k, "{\"tdx\":{\"accepted_tcb_statuses\":" ALL_STATUSES "}}", NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_COLLATERAL_TIME, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
}

/* The same sets after their window: status unchanged, collateral expired. */
Test(dcap_vectors, expired_collateral_rejected_by_default_policy)
{
    attest_result *r = run(&manifest[2], "{\"tdx\":{}}", "2026-11-25T00:00:00Z");
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_COLLATERAL_TIME, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
    r = run(&manifest[2], "{\"tdx\":{}}", NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "S03 UpToDate in its window: %s",
                 attest_result_reason(r));
    attest_result_free(r);
}

/* Default policy: only UpToDate is accepted; S18 is OutOfDate. */
Test(dcap_vectors, out_of_date_rejected_by_default_policy)
{
    for (size_t i = 0; i < sizeof manifest / sizeof manifest[0]; i++)
        if (!strcmp(manifest[i].set, "S18")) {
            attest_result *r = run(&manifest[i], "{\"tdx\":{}}", NULL);
            cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_TCB_STATUS, "%s",
                         attest_result_reason(r));
            attest_result_free(r);
            r = run(&manifest[i], "{\"tdx\":{\"accepted_tcb_statuses\":[\"OutOfDate\"],"
                                  "\"forbidden_advisory_ids\":[\"INTEL-SA-00982\"]}}", NULL);
            cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_ADVISORY, "%s",
                         attest_result_reason(r));
            attest_result_free(r);
            r = run(&manifest[i], "{\"tdx\":{\"accepted_tcb_statuses\":[\"OutOfDate\"],"
                                  "\"min_tcb_evaluation_data_number\":18}}", NULL);
            cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_TCB_EVALUATION, "%s",
                         attest_result_reason(r));
            attest_result_free(r);
        }
}

/* S17 is a debug TD: UpToDate for QVL, rejected by the default policy. */
Test(dcap_vectors, debug_td_rejected_unless_allowed)
{
    for (size_t i = 0; i < sizeof manifest / sizeof manifest[0]; i++)
        if (!strcmp(manifest[i].set, "S17") || !strcmp(manifest[i].set, "S02")) {
            attest_result *r = run(&manifest[i], "{\"tdx\":{\"accepted_tcb_statuses\":" ALL_STATUSES
                                                 "},\"sgx\":{\"accepted_tcb_statuses\":" ALL_STATUSES "}}",
                                   NULL);
            cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_DEBUG, "%s: %s", manifest[i].set,
                         attest_result_reason(r));
            attest_result_free(r);
        }
}

/* Negative pairings from the MANIFEST's edge list. */
Test(dcap_vectors, collateral_of_another_fmspc_or_tee)
{
    dcap_case k = manifest[0];
    k.quote = "quotes/tdx_v4_00806F050000_gotdx_cos113.bin";
    k.tcb_info = "collateral/tcbinfo_tdx_v3_50806F000000_2023-06-18.json";
    k.qe_identity = "collateral/qe_identity_td_2023-06-08.json";
    k.pck_crl = "crl/pck_crl_platform_2023-06-08.der";
    k.root_crl = "crl/root_ca_crl_2023-04-03.der";
    k.signing_chain = "certs/tcb_signing_2018-05-21_chain.pem";
    k.at = "2023-07-01T01:00:00Z";
    attest_result *r = run(&k, POLICY_QVL, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_E_COLLATERAL_MISMATCH, "FMSPC: %s",
                 attest_result_reason(r));
    attest_result_free(r);
    k = manifest[2]; /* S03, TDX quote, with an SGX TCB Info of the wrong kind */
    k.tcb_info = "collateral/tcbinfo_sgx_v3_00A067110000_2025-05-05.json";
    r = run(&k, POLICY_QVL, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_E_COLLATERAL_MISMATCH, "TEE: %s",
                 attest_result_reason(r));
    attest_result_free(r);
    k = manifest[0]; /* S01, SGX quote, with a TD QE identity */
    k.qe_identity = "collateral/qe_identity_td_2025-06-04.json";
    r = run(&k, POLICY_QVL, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_E_DCAP_QE_IDENTITY, "QE id: %s",
                 attest_result_reason(r));
    attest_result_free(r);
}

/* Pretty-printed copies of signed JSON do not verify over their bytes. */
Test(dcap_vectors, reserialised_json_rejected)
{
    dcap_case k = manifest[0];
    for (size_t i = 0; i < sizeof manifest / sizeof manifest[0]; i++)
        if (!strcmp(manifest[i].set, "S30"))
            k = manifest[i];
    k.tcb_info = "collateral/tcbinfo_sgx_v2_00606A000000_2024-09-10.pretty.json";
    attest_result *r = run(&k, POLICY_QVL, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_E_COLLATERAL_SIGNATURE, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
}

/* Intel QVL's sample data chains to a test root named "Intel SGX Root CA". */
Test(dcap_vectors, root_that_only_claims_intels_name)
{
    char path[512];
    size_t len = 0;
    uint8_t *quote = tu_read(tu_shared(path, sizeof path, "tdx/synthetic/qvl_tdx/quote.dat"), &len);
    attest_evidence *ev = NULL;
    if (attest_evidence_parse(&ev, quote, len) == ATTEST_OK) {
        attest_verifier *v = NULL;
        attest_result *r = NULL;
        attest_collateral *c = NULL;
        attest_collateral_new(&c);
        attest_verifier_new(&v);
        int status = attest_verify(&r, v, ev, c, NULL, NULL, 0);
        cr_expect_eq(status, ATTEST_E_CERT_UNTRUSTED_ROOT, "%s", attest_result_reason(r));
        attest_result_free(r);
        attest_verifier_free(v);
        attest_collateral_free(c);
        attest_evidence_free(ev);
    }
    free(quote);
}

/* Any other pairing of a real quote with Intel collateral of the same
 * FMSPC and TEE (every TCB Info and QE Identity of the vectors, with CRLs
 * and signing chains of their time) ends in a TCB status or in "no TCB
 * level matches": never in an error of the verifier's own making. The
 * statuses themselves follow QVL's algorithm, checked on the sets above. */
Test(dcap_vectors, every_pairing_of_the_same_fmspc, .timeout = 300)
{
    size_t n = sizeof manifest / sizeof manifest[0], pairs = 0, statuses = 0;
    for (size_t q = 0; q < n; q++)
        for (size_t t = 0; t < n; t++) {
            /* Same FMSPC and TEE: the quote and the TCB Info of two sets
             * name the same platform model in their file names. */
            const char *fq = strstr(manifest[q].quote, "_v") + 4;
            const char *ft = strstr(manifest[t].tcb_info, "_2") - 12;
            if (strncasecmp(fq, ft, 12) != 0 || (manifest[q].quote[7] == 's') !=
                                                    (strstr(manifest[t].tcb_info, "sgx") != NULL))
                continue;
            dcap_case k = manifest[t];
            k.quote = manifest[q].quote;
            attest_result *r = run(&k, POLICY_QVL, NULL);
            int status = attest_result_status(r);
            pairs++;
            statuses += status == ATTEST_OK;
            cr_expect(status == ATTEST_OK || status == ATTEST_E_DCAP_TCB_NOT_SUPPORTED,
                      "%s with the collateral of %s: %s (%s)", manifest[q].quote, manifest[t].set,
                      attest_status_name(status), attest_result_reason(r));
            attest_result_free(r);
        }
    cr_log_info("%zu pairings, %zu with a TCB status", pairs, statuses);
    cr_expect_gt(pairs, sizeof manifest / sizeof manifest[0]);
}
