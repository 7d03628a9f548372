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

/* ---- synthetic containers from the test PKI (attest-mock azure) ---- */

#include "base/base.h"
#include "base/x509.h"

#include <stdarg.h>
#include <unistd.h>

#define AT_2025 "2025-06-15T00:00:00Z"

static char tmp[64];

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/attest-azcont-XXXXXX");
    cr_assert(mkdtemp(tmp));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    cr_assert_eq(system(cmd), 0);
}

/* attest-mock with the arguments (a printf format), run in $ATTEST_TEST_PKI. */
static void mock(const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *m = getenv("ATTEST_MOCK"), *pki = getenv("ATTEST_TEST_PKI");
    cr_assert(m && pki, "ATTEST_MOCK and ATTEST_TEST_PKI must be set");
    snprintf(cmd, sizeof cmd, "cd %s && %s %s >/dev/null", pki, m, args);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static uint8_t *read_pki(const char *rel, size_t *len)
{
    char path[512];
    uint8_t *d = tu_read(rel[0] == '/' ? rel : tu_pki(path, sizeof path, rel), len);
    cr_assert(d, "cannot read %s", rel);
    return d;
}

static char *hex_of(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    cr_assert(s);
    attest_hex_encode(s, p, n);
    return s;
}

/* Padded base64url, as Trustee writes it. */
static char *b64url_padded(const uint8_t *p, size_t n)
{
    char *u = attest_base64url_encode(p, n);
    cr_assert(u);
    size_t len = strlen(u);
    char *s = malloc(len + 4);
    cr_assert(s);
    memcpy(s, u, len);
    while (len % 4)
        s[len++] = '=';
    s[len] = 0;
    free(u);
    return s;
}

/* {signature, message, pcrs} in hex from the test PKI's files. */
static json_t *quote_json(const char *msg_rel, const char *sig_rel, const char *pcrs_rel)
{
    size_t ml, sl, pl;
    uint8_t *m = read_pki(msg_rel, &ml), *s = read_pki(sig_rel, &sl), *p = read_pki(pcrs_rel, &pl);
    char *mh = hex_of(m, ml), *sh = hex_of(s, sl);
    json_t *pcrs = json_array();
    for (size_t i = 0; i + 32 <= pl; i += 32) {
        char *h = hex_of(p + i, 32);
        json_array_append_new(pcrs, json_string(h));
        free(h);
    }
    json_t *q = json_pack("{s:s, s:s, s:o}", "signature", sh, "message", mh, "pcrs", pcrs);
    free(m), free(s), free(p), free(mh), free(sh);
    return q;
}

/* Write `doc` to tmp/name; returns its bytes (free) and length. */
static uint8_t *json_bytes(json_t *doc, size_t *len)
{
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    cr_assert(s);
    *len = strlen(s);
    return (uint8_t *)s;
}

static void pin(attest_verifier *v, attest_vendor vendor, const char *rel)
{
    size_t n;
    uint8_t *hex = read_pki(rel, &n), a[32];
    cr_assert(n >= 64);
    for (size_t i = 0; i < 32; i++)
        sscanf((const char *)hex + 2 * i, "%2hhx", &a[i]);
    free(hex);
    cr_assert_eq(attest_verifier_clear_anchors(v, vendor), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, vendor, a), ATTEST_OK);
}

/* Verify with the test PKI's anchors, the collateral files and the set's
 * nonce; returns the status, *why the reason. */
static int verify_mock(attest_evidence *ev, const char *const *coll_files, char *why,
                       size_t why_len)
{
    char path[512];
    size_t hl;
    uint8_t *hex = read_pki("azure/snp/nonce.hex", &hl), nonce[64];
    size_t nonce_len = 0;
    while (nonce_len < 64 && 2 * nonce_len + 1 < hl && hex[2 * nonce_len] != '\n') {
        sscanf((const char *)hex + 2 * nonce_len, "%2hhx", &nonce[nonce_len]);
        nonce_len++;
    }
    free(hex);
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    for (size_t i = 0; coll_files[i]; i++)
        tu_add_file(coll, tu_pki(path, sizeof path, coll_files[i]));
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(AT_2025));
    pin(v, ATTEST_VENDOR_AMD, "genoa/anchor.sha256");
    pin(v, ATTEST_VENDOR_AZURE_VTPM, "azure/anchor.sha256");
    attest_result *r = NULL;
    int status = attest_verify(&r, v, ev, coll, NULL, nonce, nonce_len);
    cr_assert(r);
    snprintf(why, why_len, "%s", attest_result_reason(r));
    attest_result_free(r);
    attest_verifier_free(v);
    attest_collateral_free(coll);
    return status;
}

static const char *const WITH_VCEK[] = {"genoa/vcek.pem", "genoa/chain.pem", "genoa/crl.der",
                                        NULL};
static const char *const WITHOUT_VCEK[] = {"genoa/chain.pem", "genoa/crl.der", NULL};

#define EXPECT(st, want, why)                                                          \
    cr_expect_eq(st, want, "got %s (%s), want %s", attest_status_name(st), why,         \
                 attest_status_name(want))

/* The HCL report with a quote container (bytes) as its TPM_QUOTE part,
 * and optionally a separate signature part. */
static int evidence_with_quote(attest_evidence **ev, const uint8_t *q, size_t ql,
                               bool separate_sig)
{
    size_t hl, sl;
    uint8_t *hcl = read_pki("azure/snp/hcl_report.bin", &hl);
    uint8_t *sig = read_pki("azure/snp/quote_sig.bin", &sl);
    const attest_part_kind kinds[] = {ATTEST_PART_HCL_REPORT, ATTEST_PART_TPM_QUOTE,
                                      ATTEST_PART_TPM_SIGNATURE};
    const uint8_t *data[] = {hcl, q, sig};
    const size_t lens[] = {hl, ql, sl};
    int status = attest_evidence_from_parts(ev, kinds, data, lens, separate_sig ? 3 : 2);
    free(hcl);
    free(sig);
    return status;
}

TestSuite(azure_containers_mock, .init = setup, .fini = teardown);

/* A quote of PCRs {0, 2, 5, 14} with the values of all 24 PCRs (the shape
 * Trustee and az-cvm-vtpm write): mapped by index through the signed
 * selection it verifies; taken by list position it would not. A selected
 * value changed fails the digest; an unselected one is not authenticated
 * and changes nothing. */
Test(azure_containers_mock, pcr_list_mapped_through_selection)
{
    const char *nonce = "617a7572652d746573742d6e6f6e63652d30303031";
    char why[512], msg[128], sig[128], all[128];
    size_t hl;
    uint8_t *hex = read_pki("azure/snp/nonce.hex", &hl);
    cr_assert(hl >= strlen(nonce) && !memcmp(hex, nonce, strlen(nonce)), "the PKI's nonce");
    free(hex);
    snprintf(msg, sizeof msg, "%s/q.msg", tmp);
    snprintf(sig, sizeof sig, "%s/q.sig", tmp);
    snprintf(all, sizeof all, "%s/q.pcrs", tmp);
    const char *tamper[] = {"", "--tamper-pcr 5=" "0101010101010101010101010101010101010101010101010101010101010101",
                            "--tamper-pcr 6=" "0101010101010101010101010101010101010101010101010101010101010101"};
    const int want[] = {ATTEST_OK, ATTEST_E_TPM_PCR_DIGEST, ATTEST_OK};
    for (size_t i = 0; i < 3; i++) {
        mock("azure quote --pki azure --nonce %s --pcrs 0,2,5,14 --pcrs-out-all %s -o %s "
             "--sig-out %s --pcrs-out %s", nonce, tamper[i], msg, sig, all);
        size_t ql;
        uint8_t *q = json_bytes(quote_json(msg, sig, all), &ql);
        attest_evidence *ev = NULL;
        cr_assert_eq(evidence_with_quote(&ev, q, ql, false), ATTEST_OK, "%s",
                     attest_error_last());
        free(q);
        int st = verify_mock(ev, WITH_VCEK, why, sizeof why);
        EXPECT(st, want[i], why);
        attest_evidence_free(ev);
    }
}

/* A quote container carries its signature: a second one beside it is a
 * competing source and refused. */
Test(azure_containers_mock, container_quote_with_separate_signature_refused)
{
    size_t ql;
    uint8_t *q = json_bytes(quote_json("azure/snp/quote_msg.bin", "azure/snp/quote_sig.bin",
                                       "azure/snp/pcrs.bin"), &ql);
    attest_evidence *ev = NULL;
    EXPECT(evidence_with_quote(&ev, q, ql, true), ATTEST_E_INVALID_ARG, attest_error_last());
    cr_expect_null(ev);
    cr_assert_eq(evidence_with_quote(&ev, q, ql, false), ATTEST_OK, "%s", attest_error_last());
    attest_evidence_free(ev);
    free(q);
}

/* A Trustee az-snp-vtpm v1 container from the test PKI's set. */
static attest_evidence *snp_vtpm_v1(const char *vcek_pem_rel)
{
    size_t hl, vl, dl;
    uint8_t *hcl = read_pki("azure/snp/hcl_report.bin", &hl);
    uint8_t *pem = read_pki(vcek_pem_rel, &vl);
    STACK_OF(X509) *certs = attest_pem_certs(pem, vl);
    cr_assert(certs && sk_X509_num(certs) >= 1);
    unsigned char *der = NULL;
    int n = i2d_X509(sk_X509_value(certs, 0), &der);
    cr_assert(n > 0);
    char *h = b64url_padded(hcl, hl), *v = b64url_padded(der, (size_t)n);
    json_t *doc = json_pack("{s:i, s:o, s:s, s:s}", "version", 1, "tpm_quote",
                            quote_json("azure/snp/quote_msg.bin", "azure/snp/quote_sig.bin",
                                       "azure/snp/pcrs.bin"),
                            "hcl_report", h, "vcek", v);
    uint8_t *bytes = json_bytes(doc, &dl);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, bytes, dl), ATTEST_OK, "%s", attest_error_last());
    cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_AZURE_VTPM);
    free(bytes), free(h), free(v), free(hcl), free(pem);
    OPENSSL_free(der);
    sk_X509_pop_free(certs, X509_free);
    return ev;
}

/* The carried VCEK verifies the report as a VCEK file would; a carried
 * certificate of another chip is judged as such a file is: rejected. */
Test(azure_containers_mock, carried_vcek_is_collateral_not_trust)
{
    char why[512];
    attest_evidence *ev = snp_vtpm_v1("genoa/vcek.pem");
    EXPECT(verify_mock(ev, WITHOUT_VCEK, why, sizeof why), ATTEST_OK, why);
    EXPECT(verify_mock(ev, WITH_VCEK, why, sizeof why), ATTEST_OK, why);
    attest_evidence_free(ev);
    ev = snp_vtpm_v1("milan/vcek.pem");
    int st = verify_mock(ev, WITHOUT_VCEK, why, sizeof why);
    cr_expect_neq(st, ATTEST_OK, "another chip's VCEK: %s", why);
    attest_evidence_free(ev);
}

/* ---- bundles holding Azure evidence (docs/bundle.md) ---- */

typedef struct item_set {
    const uint8_t *data[12];
    size_t len[12];
    size_t n;
} item_set;

static void add_item(item_set *s, const char *rel)
{
    char path[512];
    if (!rel)
        return;
    cr_assert(s->n < 12);
    s->data[s->n] = tu_read(tu_shared(path, sizeof path, rel), &s->len[s->n]);
    cr_assert(s->data[s->n], "cannot read %s", path);
    s->n++;
}

static void free_items(item_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free((void *)s->data[i]);
    s->n = 0;
}

/* A bundle of case `c`: the HCL report (or container), its collateral,
 * and the quote (`quote_container` or msg/sig/pcrs) and TD quote as parts. */
static char *bundle_of(const container_case *c, bool quote_as_container, int *status)
{
    item_set items = {.n = 0}, extra = {.n = 0};
    attest_part_kind kinds[4];
    add_item(&items, c->container && !quote_as_container ? c->container : c->hcl);
    add_item(&items, c->vek);
    for (size_t i = 0; c->coll[i]; i++)
        add_item(&items, c->coll[i]);
    if (quote_as_container && c->quote_container) {
        kinds[extra.n] = ATTEST_PART_TPM_QUOTE;
        add_item(&extra, c->quote_container);
    } else if (!c->container || quote_as_container) {
        const char *rel[] = {c->quote, c->sig, c->pcrs};
        for (int k = 0; k < 3; k++) {
            kinds[extra.n] = (attest_part_kind)(ATTEST_PART_TPM_QUOTE + k);
            add_item(&extra, rel[k]);
        }
    }
    if (c->td_quote && (!c->container || quote_as_container)) {
        kinds[extra.n] = ATTEST_PART_TD_QUOTE;
        add_item(&extra, c->td_quote);
    }
    char *json = NULL;
    uint8_t nonce[64];
    size_t nl = strlen(c->nonce_hex) / 2;
    for (size_t i = 0; i < nl; i++)
        sscanf(c->nonce_hex + 2 * i, "%2hhx", &nonce[i]);
    *status = attest_bundle_create_with_parts(&json, items.data, items.len, items.n, nonce, nl,
                                              kinds, extra.data, extra.len, extra.n);
    free_items(&items);
    free_items(&extra);
    return json;
}

static attest_result *verify_bundle(const container_case *c, const char *json,
                                    const char *nonce_hex)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, (const uint8_t *)json, strlen(json));
    cr_assert_eq(status, ATTEST_OK, "%s: %s", c->name, attest_error_last());
    cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_BUNDLE);
    uint8_t nonce[64];
    size_t nl = strlen(nonce_hex) / 2;
    for (size_t i = 0; i < nl; i++)
        sscanf(nonce_hex + 2 * i, "%2hhx", &nonce[i]);
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(c->at));
    attest_policy *p = tu_policy(c->policy);
    attest_result *r = NULL;
    attest_verify(&r, v, ev, NULL, p, nonce, nl);
    cr_assert(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_evidence_free(ev);
    return r;
}

static int outcome_of(const attest_result *r, const char *name)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name))
            return (int)attest_result_check_outcome(r, i);
    return -1;
}

/* Every real case round-trips through a bundle (parts as cpu members, a
 * quote container as tpm_quote, a Trustee container as evidence) and
 * verifies as its parts do; another nonce is refused. */
Test(azure_bundle, round_trip_verifies_like_parts)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const container_case *c = &cases[i];
        for (int form = 0; form < 2; form++) {
            int status;
            char *json = bundle_of(c, form == 1, &status);
            cr_assert_eq(status, ATTEST_OK, "%s/%d: %s", c->name, form, attest_error_last());
            attest_result *r = verify_bundle(c, json, c->nonce_hex);
            cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s/%d: %s", c->name, form,
                         attest_result_reason(r));
            cr_expect_eq(outcome_of(r, "azure.tpm.nonce"), ATTEST_CHECK_PASS, "%s", c->name);
            cr_expect_eq(outcome_of(r, "azure.tpm.pcrs"), ATTEST_CHECK_PASS, "%s", c->name);
            attest_result_free(r);
            r = verify_bundle(c, json, "00");
            cr_expect_neq(attest_result_status(r), ATTEST_OK, "%s: another nonce", c->name);
            attest_result_free(r);
            free(json);
        }
    }
}

/* Parts need their HCL report among the items; a quote container with a
 * separate signature is refused at creation as at parsing. */
Test(azure_bundle, parts_checked_at_creation)
{
    const container_case *c = &cases[0]; /* AS01 */
    item_set items = {.n = 0}, extra = {.n = 0};
    const attest_part_kind kinds[] = {ATTEST_PART_TPM_QUOTE, ATTEST_PART_TPM_SIGNATURE};
    char *json = NULL;
    add_item(&items, c->vek);
    add_item(&extra, c->quote_container);
    add_item(&extra, c->sig);
    cr_expect_eq(attest_bundle_create_with_parts(&json, items.data, items.len, items.n, NULL,
                                                 0, kinds, extra.data, extra.len, 1),
                 ATTEST_E_INVALID_ARG, "no HCL report");
    add_item(&items, c->hcl);
    cr_expect_eq(attest_bundle_create_with_parts(&json, items.data, items.len, items.n, NULL,
                                                 0, kinds, extra.data, extra.len, 2),
                 ATTEST_E_INVALID_ARG, "%s", attest_error_last());
    cr_expect_null(json);
    free_items(&items);
    free_items(&extra);
}

/* A "cpu" member the format does not define is refused, naming it. */
Test(azure_bundle, unknown_cpu_member_refused)
{
    int status;
    char *json = bundle_of(&cases[0], false, &status);
    cr_assert_eq(status, ATTEST_OK);
    char *at = strstr(json, "\"tpm_pcrs\"");
    cr_assert(at);
    memcpy(at, "\"tpm_pcrz\"", 10);
    attest_evidence *ev = NULL;
    cr_expect_eq(attest_evidence_parse(&ev, (const uint8_t *)json, strlen(json)),
                 ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "cpu.tpm_pcrz"), "%s", attest_error_last());
    free(json);
}
