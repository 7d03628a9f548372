/* RA-TLS on the real vectors of ../shared/vectors/ratls (MANIFEST.md):
 * every certificate, CSR and recording with its recorded outcome. Where
 * ../shared holds the collateral to verify the evidence fully (SGX FMSPC
 * 00606A000000, TDX 90C06F000000, the Milan and Genoa VCEKs), the verdict
 * is the whole one; elsewhere the extraction and the binding are checked
 * and the rejection is for the missing collateral only (said per test). */
#include "testutil.h"

#include <unistd.h>

#define R "ratls/"
#define SGX_AT "2025-08-15T06:41:00Z"
#define SGX_STATUSES                                                                       \
    "\"accepted_tcb_statuses\":[\"UpToDate\",\"SWHardeningNeeded\",\"ConfigurationNeeded\","\
    "\"ConfigurationAndSWHardeningNeeded\",\"OutOfDate\",\"OutOfDateConfigurationNeeded\"]"
#define POLICY_SGX_DEBUG "{\"sgx\":{\"allow_debug\":true," SGX_STATUSES "}}"
#define POLICY_SGX "{\"sgx\":{" SGX_STATUSES "}}"

static const char *const SGX_COLLATERAL[] = {
    "tdx/collateral/tcbinfo_sgx_v3_00606A000000_2025-08-15.json",
    "tdx/collateral/qe_identity_sgx_2025-08-15.json",
    "tdx/crl/pck_crl_platform_2025-08-15.der",
    "tdx/crl/root_ca_crl_2025-03-20.der",
    "tdx/certs/tcb_signing_2025-05-06_chain.pem",
    NULL,
};

static uint8_t *shared_bytes(const char *rel, size_t *len)
{
    char path[512];
    uint8_t *d = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(d, "cannot read %s", path);
    return d;
}

static attest_collateral *shared_collateral(const char *const *rels)
{
    attest_collateral *c = NULL;
    char path[512];
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; rels && rels[i]; i++)
        tu_add_file(c, tu_shared(path, sizeof path, rels[i]));
    return c;
}

/* The outcome of check `name` in r (-1 when absent). */
static int outcome(const attest_result *r, const char *name)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (strcmp(attest_result_check_name(r, i), name) == 0)
            return (int)attest_result_check_outcome(r, i);
    return -1;
}

typedef struct cert_case {
    const char *file;
    int rule;
    const char *const *collateral;
    const char *policy, *at;
    int want;                /* status of attest_verify_tls_peer */
    int binding;             /* outcome of ratls.binding, or -1: not reached */
} cert_case;

static attest_result *verify_cert(const cert_case *c, int *status, const uint8_t *nonce,
                                  size_t nonce_len)
{
    size_t len;
    uint8_t *cert = shared_bytes(c->file, &len);
    attest_collateral *coll = shared_collateral(c->collateral);
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(c->at));
    attest_policy *p = c->policy ? tu_policy(c->policy) : NULL;
    attest_result *r = NULL;
    *status = attest_verify_tls_peer(&r, v, cert, len, c->rule, coll, p, nonce, nonce_len);
    cr_assert(r, "%s: no result (%s)", c->file, attest_error_last());
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(coll);
    free(cert);
    return r;
}

static void run_cert(const cert_case *c)
{
    int status;
    attest_result *r = verify_cert(c, &status, NULL, 0);
    cr_expect_eq(status, c->want, "%s rule %d: %s (%s), want %s", c->file, c->rule,
                 attest_status_name(status), attest_result_reason(r),
                 attest_status_name(c->want));
    cr_expect_eq(outcome(r, "ratls.binding"), c->binding, "%s: ratls.binding %d", c->file,
                 outcome(r, "ratls.binding"));
    attest_result_free(r);
}

/* The three CCC certificates are SGX DEBUG enclaves: accepted only when
 * the policy allows debug. */
Test(ratls_vectors, gramine_tcg_debug_only)
{
    cert_case c = {R "ccc_interop/gramine-cert.pem", ATTEST_RATLS_CLAIMS_SHA256, SGX_COLLATERAL,
                   POLICY_SGX_DEBUG, SGX_AT, ATTEST_OK, ATTEST_CHECK_PASS};
    run_cert(&c);
    c.policy = POLICY_SGX;
    c.want = ATTEST_E_POLICY_DEBUG;
    run_cert(&c);
}

/* Gramine's legacy extension (malformed OID bytes) holds another quote,
 * bound by SHA-256(SPKI). */
Test(ratls_vectors, gramine_legacy_spki)
{
    cert_case c = {R "ccc_interop/gramine-cert.pem", ATTEST_RATLS_SPKI_SHA256, SGX_COLLATERAL,
                   POLICY_SGX_DEBUG, SGX_AT, ATTEST_OK, ATTEST_CHECK_PASS};
    run_cert(&c);
}

/* rats-tls: expired in 2024 (the certificate's validity is not used: no
 * RA-TLS producer sets it meaningfully) and signed ecdsa-with-SHA256 with
 * an explicit NULL parameter, which OpenSSL 3 accepts: its self-signature
 * verifies; only the TCG extension. */
Test(ratls_vectors, rats_tls_expired_null_param)
{
    cert_case c = {R "ccc_interop/rats-tls-cert.pem", ATTEST_RATLS_CLAIMS_SHA256,
                   SGX_COLLATERAL, POLICY_SGX_DEBUG, SGX_AT, ATTEST_OK, ATTEST_CHECK_PASS};
    run_cert(&c);
    c.policy = POLICY_SGX;
    c.want = ATTEST_E_POLICY_DEBUG;
    run_cert(&c);
    c.rule = ATTEST_RATLS_SPKI_SHA256;
    c.want = ATTEST_E_RATLS_NO_EVIDENCE;
    c.binding = -1;
    run_cert(&c);
}

/* Intel SGX SDK: its legacy extension holds the same quote as the TCG one,
 * bound by the claims: the legacy (SHA-256(SPKI)) rule must reject it. No
 * TCB Info for FMSPC 00706A100000 in ../shared: the claims rule's binding
 * holds, the verdict is the missing collateral. */
Test(ratls_vectors, intel_sdk_rule_per_version)
{
    cert_case c = {R "ccc_interop/intel-sgxsdk-cert.pem", ATTEST_RATLS_CLAIMS_SHA256, NULL,
                   POLICY_SGX_DEBUG, SGX_AT, ATTEST_E_CRL_MISSING, ATTEST_CHECK_PASS};
    run_cert(&c);
    c.rule = ATTEST_RATLS_SPKI_SHA256;
    c.want = ATTEST_E_RATLS_BINDING;
    c.binding = ATTEST_CHECK_FAIL;
    run_cert(&c);
}

/* Steward SNP CSR (Milan): the VCEK it carries, SHA-384 of the CSR key.
 * Its KDS CRLs are collateral too (the Milan one, 2022-05-09..2023-05-09,
 * verified against the pinned ARK; the Genoa one about another chain):
 * inside their validity the strict default (CRL required) accepts with no
 * collateral given; past it, the stale CRL is refused as a file is. */
Test(ratls_vectors, steward_snp_csr)
{
    cert_case c = {R "steward_csr/milan.signed.crl.csr", ATTEST_RATLS_CSR_SPKI_SHA384, NULL,
                   NULL, "2023-01-01T00:00:00Z", ATTEST_OK, ATTEST_CHECK_PASS};
    run_cert(&c);
    c.policy = POLICY_AUTHENTICITY;
    c.at = "2025-01-01T00:00:00Z";
    c.want = ATTEST_E_CRL_EXPIRED;
    run_cert(&c);
    c.rule = ATTEST_RATLS_SPKI_SHA256;
    c.want = ATTEST_E_RATLS_NO_EVIDENCE;
    c.binding = -1;
    run_cert(&c);
}

/* Steward SGX CSRs: non-debug, SHA-256 of the CSR key. The Xeon one's
 * FMSPC has collateral in ../shared (accepted by a non-debug policy); the
 * i5's (00706E470000) has none: binding only. */
Test(ratls_vectors, steward_sgx_csrs)
{
    cert_case c = {R "steward_csr/icelake.signed.tcb.crl.multi.xeon.csr",
                   ATTEST_RATLS_SPKI_SHA256, SGX_COLLATERAL, POLICY_SGX, SGX_AT, ATTEST_OK,
                   ATTEST_CHECK_PASS};
    run_cert(&c);
    cert_case i5 = {R "steward_csr/icelake.signed.tcb.crl.single.i5.csr",
                    ATTEST_RATLS_SPKI_SHA256, NULL, POLICY_SGX, SGX_AT, ATTEST_E_CRL_MISSING,
                    ATTEST_CHECK_PASS};
    run_cert(&i5);
}

/* The MAA signing certificate: Open Enclave's PEM-with-NUL rule holds, the
 * DER rule does not. No collateral for FMSPC 00906ED50000: binding only. */
Test(ratls_vectors, maa_oe_pem_rule)
{
    cert_case c = {R "oe_maa_signing_cert/maa_sharedwus_selfsigned.der",
                   ATTEST_RATLS_OE_PEM_SHA256, NULL, POLICY_SGX, SGX_AT, ATTEST_E_CRL_MISSING,
                   ATTEST_CHECK_PASS};
    run_cert(&c);
    c.rule = ATTEST_RATLS_SPKI_SHA256;
    c.want = ATTEST_E_RATLS_BINDING;
    c.binding = ATTEST_CHECK_FAIL;
    run_cert(&c);
}

/* These schemes carry no nonce: without one the result says "not fresh";
 * a nonce given cannot be verified and is refused. */
Test(ratls_vectors, no_freshness_in_certificates)
{
    cert_case c = {R "ccc_interop/gramine-cert.pem", ATTEST_RATLS_CLAIMS_SHA256, SGX_COLLATERAL,
                   POLICY_SGX_DEBUG, SGX_AT, ATTEST_OK, ATTEST_CHECK_PASS};
    int status;
    attest_result *r = verify_cert(&c, &status, NULL, 0);
    cr_expect_eq(outcome(r, "ratls.freshness"), ATTEST_CHECK_SKIPPED);
    json_t *doc = tu_result_json(r);
    cr_expect(json_is_false(json_object_get(doc, "fresh")));
    cr_expect(json_is_false(json_object_get(json_object_get(json_object_get(doc, "claims"),
                                                             "ratls"), "fresh")));
    json_decref(doc);
    attest_result_free(r);
    const uint8_t nonce[32] = {1};
    r = verify_cert(&c, &status, nonce, sizeof nonce);
    cr_expect_eq(status, ATTEST_E_RATLS_NONCE, "%s", attest_status_name(status));
    attest_result_free(r);
}

/* ---- evidence fetched over the connection -------------------------------- */

static void hex_to(uint8_t *out, size_t n, const char *hex)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(sscanf(hex + 2 * i, "%2hhx", &out[i]), 1);
}

typedef struct fetched_case {
    const char *peer, *evidence;
    const char *const *collateral;
    const char *policy, *at, *bound_hex, *nonce_hex;
    int rule;
} fetched_case;

static attest_result *verify_fetched(const fetched_case *c, int *status)
{
    size_t plen, elen;
    uint8_t *peer = shared_bytes(c->peer, &plen), *evb = NULL, bound[32], nonce[32];
    attest_evidence *ev = NULL;
    if (strstr(c->evidence, ".bundle")) {
        evb = tu_read(c->evidence, &elen);
        cr_assert(evb);
    } else {
        evb = shared_bytes(c->evidence, &elen);
    }
    cr_assert_eq(attest_evidence_parse(&ev, evb, elen), ATTEST_OK, "%s", attest_error_last());
    hex_to(bound, 32, c->bound_hex);
    hex_to(nonce, 32, c->nonce_hex);
    attest_collateral *coll = c->collateral ? shared_collateral(c->collateral) : NULL;
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(c->at));
    attest_policy *p = tu_policy(c->policy);
    attest_result *r = NULL;
    *status = attest_verify_tls_fetched(&r, v, peer, plen, c->rule, ev, bound, 32, coll, p,
                                        nonce, 32);
    cr_assert(r, "no result: %s", attest_error_last());
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
    free(evb);
    free(peer);
    return r;
}

#define TINFOIL_HPKE "dc8e340f8246aa66d21a1a08538945b94f6adbd62bcad22d598b86ffbe96d450"
#define TINFOIL_NONCE "229471a8453a3521eac3d6ada9f1d52e42c97a527c3a50d565e999401dfd3e9b"
static const char *const TINFOIL_VCEK[] = {"snp/sets/S10_genoa_v3_tinfoil/vcek.der", NULL};

/* Tinfoil: the SNP report (S10) fetched over the connection whose SPKI was
 * recorded; the WebPKI certificate gives the same key. */
Test(ratls_vectors, tinfoil_fetched)
{
    fetched_case c = {R "tinfoil_snp_webpki/peer_spki.der", "snp/sets/S10_genoa_v3_tinfoil/report.bin",
                      TINFOIL_VCEK, POLICY_AUTHENTICITY, "2026-07-01T00:00:00Z", TINFOIL_HPKE,
                      TINFOIL_NONCE, ATTEST_RATLS_TINFOIL};
    int status;
    attest_result *r = verify_fetched(&c, &status);
    cr_expect_eq(status, ATTEST_OK, "%s", attest_result_reason(r));
    cr_expect_eq(outcome(r, "ratls.binding"), ATTEST_CHECK_PASS);
    json_t *doc = tu_result_json(r);
    cr_expect(json_is_true(json_object_get(doc, "fresh")), "the nonce is bound");
    json_decref(doc);
    attest_result_free(r);
    /* Another connection's key (NEAR AI's) and another nonce: no binding. */
    c.peer = R "nearai_tdx_8gpu/peer_spki.der";
    r = verify_fetched(&c, &status);
    cr_expect_eq(status, ATTEST_E_RATLS_BINDING, "%s", attest_status_name(status));
    attest_result_free(r);
    c.peer = R "tinfoil_snp_webpki/peer_spki.der";
    c.nonce_hex = TINFOIL_HPKE;
    r = verify_fetched(&c, &status);
    cr_expect_eq(status, ATTEST_E_RATLS_BINDING, "%s", attest_status_name(status));
    attest_result_free(r);
}

#define NEAR_ADDR "d0aa20bcf567cc0c7c914608967dbd4c7a17e10b600802d45923434ce323f823"
#define NEAR_NONCE "541b6523f9446dcd170e67ac8171eb9226bee5e3f192de4900b74f0ef293500b"
#define NEAR_POLICY                                                                        \
    "{\"composite\":{\"gpu_binding\":\"same_nonce\"},\"tdx\":{\"accepted_tcb_statuses\":"   \
    "[\"UpToDate\",\"SWHardeningNeeded\",\"OutOfDate\"]},\"nvidia\":{\"require_ocsp\":false}}"

/* A bundle of the NEAR AI TDX quote, its 8 H100 reports and the TDX
 * collateral of ../shared (FMSPC 90C06F000000, 2026-02-18), made with the
 * public API into a temporary file. */
static void near_bundle(char *path, size_t n)
{
    const char *rels[] = {R "nearai_tdx_8gpu/tdx_quote.bin", R "nearai_tdx_8gpu/nvidia_payload.json",
                          "tdx/bundles/dcapqvl_tdx_90C06F000000_2026-02-18.collateral.json"};
    const uint8_t *items[3];
    size_t lens[3];
    uint8_t nonce[32];
    for (int i = 0; i < 3; i++)
        items[i] = shared_bytes(rels[i], &lens[i]);
    hex_to(nonce, 32, NEAR_NONCE);
    char *json = NULL;
    cr_assert_eq(attest_bundle_create(&json, items, lens, 3, nonce, 32), ATTEST_OK, "%s",
                 attest_error_last());
    snprintf(path, n, "/tmp/attest-near-%d.bundle", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert(f && fputs(json, f) >= 0 && fclose(f) == 0);
    attest_string_free(json);
    for (int i = 0; i < 3; i++)
        free((void *)items[i]);
}

/* NEAR AI: the CPU and 8 GPUs bound to one nonce, appraised as one
 * composite (binding named same_nonce_freshness_only), the TDX quote fully
 * verified with ../shared's collateral. The GPUs' driver RIM (570.172.08)
 * is not in ../shared: the only failures are those RIM checks. */
Test(ratls_vectors, nearai_cpu_8gpu_one_nonce)
{
    char path[64];
    near_bundle(path, sizeof path);
    fetched_case c = {R "nearai_tdx_8gpu/peer_spki.der", path, NULL, NEAR_POLICY,
                      "2026-02-19T00:00:00Z", NEAR_ADDR, NEAR_NONCE, ATTEST_RATLS_NEARAI};
    int status;
    attest_result *r = verify_fetched(&c, &status);
    cr_expect_eq(outcome(r, "ratls.binding"), ATTEST_CHECK_PASS);
    cr_expect_eq(outcome(r, "policy.tdx.report_data"), ATTEST_CHECK_SKIPPED);
    cr_expect_eq(outcome(r, "dcap.quote.signature"), ATTEST_CHECK_PASS);
    char name[32];
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "gpu%d.report.nonce", i);
        cr_expect_eq(outcome(r, name), ATTEST_CHECK_PASS, "%s", name);
    }
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (attest_result_check_outcome(r, i) == ATTEST_CHECK_FAIL)
            cr_expect(strstr(attest_result_check_name(r, i), ".driver_rim"), "%s failed: %s",
                      attest_result_check_name(r, i), attest_result_check_detail(r, i));
    json_t *doc = tu_result_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(doc, "gpu_binding")),
                     "same_nonce_freshness_only");
    json_decref(doc);
    attest_result_free(r);
    /* Tinfoil's connection key: REPORT_DATA[0:32] does not bind it. */
    c.peer = R "tinfoil_snp_webpki/peer_spki.der";
    r = verify_fetched(&c, &status);
    cr_expect_eq(outcome(r, "ratls.binding"), ATTEST_CHECK_FAIL);
    cr_expect_eq(status, ATTEST_E_RATLS_BINDING, "%s", attest_status_name(status));
    attest_result_free(r);
    unlink(path);
}
