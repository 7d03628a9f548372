/* Azure evidence in the containers users hold (research/azure.md section
 * 4): Trustee az-snp-vtpm / az-tdx-vtpm evidence JSON through
 * attest_evidence_parse, and the quote containers (az-cvm-vtpm quote.bin,
 * Trustee tpm-quote JSON) as the TPM_QUOTE part. Each real container gets
 * the verdict, and the same checks, as the same evidence in parts
 * (tests/api/test_azure.c); the VCEK an az-snp-vtpm container carries is
 * used as a collateral file would be. */
#include "testutil.h"

#define AS "azure/snp/"
#define AT "azure/tdx/"
#define CHALLENGE "6368616c6c656e6765" /* "challenge" */
#define MILAN_CHAIN "snp/roots/kds_vcek_cert_chain_milan.pem"
#define GENOA_CHAIN "snp/roots/kds_vcek_cert_chain_genoa.pem"
#define POLICY_SNP                                                                \
    "{\"snp\":{\"require_crl\":false,\"allow_provisional_firmware\":true},"        \
    "\"azure\":{}}"
#define DCAP_ALL_STATUSES                                                          \
    "[\"UpToDate\",\"SWHardeningNeeded\",\"ConfigurationNeeded\","                 \
    "\"ConfigurationAndSWHardeningNeeded\",\"OutOfDate\","                          \
    "\"OutOfDateConfigurationNeeded\"]"
#define POLICY_TDX                                                                \
    "{\"tdx\":{\"accepted_tcb_statuses\":" DCAP_ALL_STATUSES ","                    \
    "\"allow_expired_collateral\":true,\"require_sept_ve_disable\":false},"         \
    "\"azure\":{}}"

/* One real sample in two forms. `container` is a Trustee evidence JSON
 * (then `hcl` and `quote_container` are NULL) or `hcl` + `quote_container`
 * (+ `td_quote`) are parts; the parts form uses quote_msg/sig/pcrs. */
typedef struct container_case {
    const char *name;
    const char *container;
    const char *hcl, *quote_container, *td_quote;
    const char *quote, *sig, *pcrs;       /* the same quote in parts */
    const char *vek;                      /* given to the parts form; the
                                             container form too when the
                                             container carries none */
    const char *const *coll;              /* more collateral, NULL-ended */
    const char *at, *nonce_hex, *policy;
} container_case;

static const char *const snp_milan[] = {MILAN_CHAIN, NULL};
static const char *const snp_genoa[] = {GENOA_CHAIN, NULL};
static const char *const tdx_coll[] = {
    "tdx/collateral/tcbinfo_tdx_v3_00806F050000_2025-07-07.json",
    "tdx/collateral/qe_identity_td_2025-07-07.json", "tdx/crl/pck_crl_platform_2025-07-07.der",
    "tdx/crl/root_ca_crl_2025-03-20.der", "tdx/certs/tcb_signing_2025-05-06_chain.pem", NULL};

#define S07 "snp/sets/S07_milan_v2_azure_hcl_trustee/"
#define AS01 AS "AS01_trustee_milan_v2_hclv1_challenge/"
#define AS02 AS "AS02_trustee_milan_v3_evidence_v0_S08/"
#define AS03 AS "AS03_trustee_milan_v3_evidence_v1/"
#define AS04 AS "AS04_trustee_milan_v3_evidence_v2_userdata/"
#define AS05 AS "AS05_trustee_genoa_v3_evidence_genoa_S09/"
#define AS07 AS "AS07_trustee_milan_v2_2024/"
#define AT01 AT "AT01_trustee_tdx_current/"
#define AT03 AT "AT03_trustee_tdx_2024b/"
#define QUOTE_PARTS(dir) dir "quote_msg.bin", dir "quote_sig.bin", dir "pcrs_sha256.bin"

static const container_case cases[] = {
    {"AS01 quote.bin", NULL, S07 "hcl_report.bin", AS01 "quote.bin", NULL, QUOTE_PARTS(AS01),
     S07 "vcek_ask_ark.pem", snp_milan, "2023-05-03T00:00:00Z", CHALLENGE, POLICY_SNP},
    {"AS01 tpm-quote-v1.json", NULL, S07 "hcl_report.bin", AS01 "tpm-quote-v1.json", NULL,
     QUOTE_PARTS(AS01), S07 "vcek_ask_ark.pem", snp_milan, "2023-05-03T00:00:00Z", CHALLENGE,
     POLICY_SNP},
    {"AS02 (S08) evidence-v0.json", "snp/sets/S08_milan_v3_azure_hcl_trustee/evidence-v0.json",
     "snp/sets/S08_milan_v3_azure_hcl_trustee/hcl_report.bin", NULL, NULL, QUOTE_PARTS(AS02),
     "snp/sets/S08_milan_v3_azure_hcl_trustee/vcek.pem", snp_milan, "2025-01-29T00:00:00Z",
     CHALLENGE, POLICY_SNP},
    {"AS03 evidence-v1.json", AS03 "evidence-v1.json", AS03 "hcl_report.bin", NULL, NULL,
     QUOTE_PARTS(AS03), AS03 "vcek.der", snp_milan, "2025-01-29T00:00:00Z", CHALLENGE,
     POLICY_SNP},
    {"AS04 evidence-v2.json", AS04 "evidence-v2.json", AS04 "hcl_report.bin", NULL, NULL,
     QUOTE_PARTS(AS04), AS04 "vcek.der", snp_milan, "2025-01-29T00:00:00Z",
     "982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef",
     POLICY_SNP},
    {"AS05 (S09) evidence-genoa.json",
     "snp/sets/S09_genoa_v3_azure_hcl_trustee/evidence-genoa.json",
     "snp/sets/S09_genoa_v3_azure_hcl_trustee/hcl_report.bin", NULL, NULL, QUOTE_PARTS(AS05),
     "snp/sets/S09_genoa_v3_azure_hcl_trustee/vcek.pem", snp_genoa, "2025-01-25T00:00:00Z",
     "0218488bae25d2509232bf676f1a66a30d7372add909109b36016ef136f2938ca05475f8b46094de6b64270ea35d950f",
     POLICY_SNP},
    {"AS07 quote.bin", NULL, AS07 "hcl_report.bin", AS07 "quote.bin", NULL, QUOTE_PARTS(AS07),
     AS07 "vcek.pem", snp_milan, "2024-06-01T00:00:00Z", CHALLENGE, POLICY_SNP},
    {"AT01 evidence-v0.json", AT01 "evidence-v0.json", AT01 "hcl-report.bin", NULL,
     "tdx/quotes/tdx_v4_00806F050000_azure_trustee.bin", QUOTE_PARTS(AT01), NULL, tdx_coll,
     "2025-07-07T10:20:00Z", CHALLENGE, POLICY_TDX},
    {"AT01 evidence-v1.json", AT01 "evidence-v1.json", AT01 "hcl-report.bin", NULL,
     "tdx/quotes/tdx_v4_00806F050000_azure_trustee.bin", QUOTE_PARTS(AT01), NULL, tdx_coll,
     "2025-07-07T10:20:00Z", CHALLENGE, POLICY_TDX},
    {"AT01 tpm-quote-v1.json", NULL, AT01 "hcl-report.bin", AT01 "tpm-quote-v1.json",
     "tdx/quotes/tdx_v4_00806F050000_azure_trustee.bin", QUOTE_PARTS(AT01), NULL, tdx_coll,
     "2025-07-07T10:20:00Z", CHALLENGE, POLICY_TDX},
    {"AT03 quote.bin", NULL, AT03 "hcl-report.bin", AT03 "quote.bin", AT03 "td-quote.bin",
     QUOTE_PARTS(AT03), NULL, tdx_coll, "2025-07-07T10:20:00Z", CHALLENGE, POLICY_TDX},
};

typedef struct parts {
    attest_part_kind kind[5];
    const uint8_t *data[5];
    size_t len[5];
    size_t n;
} parts;

static void add_part(parts *p, attest_part_kind kind, const char *rel)
{
    char path[512];
    if (!rel)
        return;
    p->kind[p->n] = kind;
    p->data[p->n] = tu_read(tu_shared(path, sizeof path, rel), &p->len[p->n]);
    cr_assert(p->data[p->n], "cannot read %s", path);
    p->n++;
}

static attest_evidence *from_parts(parts *p, const char *name)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_from_parts(&ev, p->kind, p->data, p->len, p->n);
    cr_assert_eq(status, ATTEST_OK, "%s: %s", name, attest_error_last());
    for (size_t i = 0; i < p->n; i++)
        free((void *)p->data[i]);
    return ev;
}

/* The container form: the evidence JSON alone, or the HCL report with the
 * quote container as its TPM_QUOTE part. */
static attest_evidence *container_evidence(const container_case *c)
{
    if (c->container) {
        attest_evidence *ev = tu_parse_shared(c->container);
        cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_AZURE_VTPM, "%s", c->name);
        return ev;
    }
    parts p = {.n = 0};
    add_part(&p, ATTEST_PART_HCL_REPORT, c->hcl);
    add_part(&p, ATTEST_PART_TPM_QUOTE, c->quote_container);
    add_part(&p, ATTEST_PART_TD_QUOTE, c->td_quote);
    return from_parts(&p, c->name);
}

static attest_evidence *parts_evidence(const container_case *c)
{
    parts p = {.n = 0};
    add_part(&p, ATTEST_PART_HCL_REPORT, c->hcl);
    add_part(&p, ATTEST_PART_TPM_QUOTE, c->quote);
    add_part(&p, ATTEST_PART_TPM_SIGNATURE, c->sig);
    add_part(&p, ATTEST_PART_TPM_PCRS, c->pcrs);
    add_part(&p, ATTEST_PART_TD_QUOTE, c->td_quote);
    return from_parts(&p, c->name);
}

static attest_result *verify_ev(const container_case *c, attest_evidence *ev, bool with_vek,
                                const char *nonce_hex)
{
    char path[512];
    uint8_t nonce[64];
    size_t nonce_len = nonce_hex ? strlen(nonce_hex) / 2 : 0;
    for (size_t i = 0; i < nonce_len; i++)
        sscanf(nonce_hex + 2 * i, "%2hhx", &nonce[i]);
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    if (with_vek && c->vek)
        tu_add_file(coll, tu_shared(path, sizeof path, c->vek));
    for (size_t i = 0; c->coll[i]; i++)
        tu_add_file(coll, tu_shared(path, sizeof path, c->coll[i]));
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(c->at));
    attest_policy *p = tu_policy(c->policy);
    attest_result *r = NULL;
    attest_verify(&r, v, ev, coll, p, nonce_len ? nonce : NULL, nonce_len);
    cr_assert(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(coll);
    return r;
}

/* The PCR values the result names (claims azure.tpm_quote.pcr_values). */
static char *pcr_claims(const attest_result *r)
{
    json_t *doc = tu_result_json(r);
    json_t *pcrs = json_object_get(json_object_get(json_object_get(json_object_get(doc,
                                   "claims"), "azure"), "tpm_quote"), "pcr_values");
    char *s = pcrs ? json_dumps(pcrs, JSON_SORT_KEYS) : NULL;
    json_decref(doc);
    return s;
}

static void expect_same_checks(const attest_result *a, const attest_result *b, const char *name)
{
    cr_expect_eq(attest_result_check_count(a), attest_result_check_count(b), "%s", name);
    for (size_t i = 0; i < attest_result_check_count(a) && i < attest_result_check_count(b); i++) {
        cr_expect_str_eq(attest_result_check_name(a, i), attest_result_check_name(b, i), "%s",
                         name);
        cr_expect_eq(attest_result_check_outcome(a, i), attest_result_check_outcome(b, i),
                     "%s: %s", name, attest_result_check_name(a, i));
        cr_expect_eq(attest_result_check_status(a, i), attest_result_check_status(b, i),
                     "%s: %s", name, attest_result_check_name(a, i));
    }
}

/* A Trustee az-snp-vtpm container carries its VCEK: the container alone
 * verifies (no VCEK file given), as the parts do with the VCEK file. */
Test(azure_containers, real_containers_as_parts)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const container_case *c = &cases[i];
        attest_evidence *ce = container_evidence(c), *pe = parts_evidence(c);
        bool carries_vek = c->container && c->vek;
        attest_result *rc = verify_ev(c, ce, !carries_vek, c->nonce_hex);
        attest_result *rp = verify_ev(c, pe, true, c->nonce_hex);
        cr_expect_eq(attest_result_status(rc), ATTEST_OK, "%s: %s", c->name,
                     attest_result_reason(rc));
        cr_expect_eq(attest_result_status(rp), ATTEST_OK, "%s (parts): %s", c->name,
                     attest_result_reason(rp));
        expect_same_checks(rc, rp, c->name);
        char *pc = pcr_claims(rc), *pp = pcr_claims(rp);
        cr_expect(pc && pp && !strcmp(pc, pp), "%s: PCR claims differ: %s vs %s", c->name,
                  pc ? pc : "(none)", pp ? pp : "(none)");
        free(pc);
        free(pp);
        attest_result_free(rc);
        attest_result_free(rp);
        attest_evidence_free(ce);
        attest_evidence_free(pe);
    }
}

/* A container answers its own nonce only. */
Test(azure_containers, wrong_nonce_rejected)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const container_case *c = &cases[i];
        attest_evidence *ev = container_evidence(c);
        attest_result *r = verify_ev(c, ev, !(c->container && c->vek), "00");
        cr_expect_eq(attest_result_status(r), ATTEST_E_TPM_NONCE, "%s: %s", c->name,
                     attest_result_reason(r));
        attest_result_free(r);
        attest_evidence_free(ev);
    }
}
