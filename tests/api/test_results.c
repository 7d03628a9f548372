/* Other verifiers' results (docs/results.md) on the real vectors of
 * ../shared/vectors/results (MANIFEST.md) and on synthetic tokens.
 * mapping_*: the claim mapping alone, on payloads decoded WITHOUT
 * verification by the test-only helper decode_unverified (the library
 * never reads an unverified claim). e2e_*: attest_verify_result_token
 * with the JWS layer, the key sets and the recorded instants. */
#include "testutil.h"
#include "results_synth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include "appraise/results.h"
#include "parse/dcap_collateral.h"
#include "snpgen.h"

#define NR "results/nras/"
#define N01 NR "N01_tinfoil_1gpu_2026-06-29/nras_response.json"
#define N02 NR "N02_neardirect_8gpu_2026-06-29/nras_response.json"
#define N03 NR "N03_chutes_8gpu_nonce_mismatch_2026-06-29/nras_response.json"
#define N04 NR "N04_nanogpt_1gpu_2026-06-10/nras_response.json"
#define N01_NONCE "1b63be880a57c6cb2ea2191157e35bdc0de416d3b9e4b5b17423b12f8553d633"
#define N02_NONCE "541b6523f9446dcd170e67ac8171eb9226bee5e3f192de4900b74f0ef293500b"
#define N03_NONCE "c7fe347ecca03db12e156e048bbe809024928ef0707a319796956fe7415148e4"
#define N04_NONCE "9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a"
#define NRAS_AT "2026-06-29T02:30:00Z" /* inside N01..N03's exp windows */
#define ITA_TOKEN "results/ita/token_tdx_2023-12-05_ps384.jwt"
#define ITA_AT "2023-12-05T00:10:00Z"
#define ITA_ISS "Intel Trust Authority"
#define ITA_NONCE                                                                          \
    "784b23d3151f72143c26527a619ff372fa87ad112d018ca3c85a062ca1b42a9ee89f050f750488c331b4" \
    "50ad34cd2d654b9cca19cd1133b529d21c38d55957ce"
#define ITA_POLICY "{\"tdx\":{\"accepted_tcb_statuses\":[\"UpToDate\",\"OutOfDate\"]}}"
#define MAA_SHARED "https://sharedwus.wus.attest.azure.net"
#define MAA_AT "2022-11-17T21:00:00Z"
#define MAA_POLICY "{\"sgx\":{\"allow_debug\":true}}"

static uint8_t *shared_bytes(const char *rel, size_t *len)
{
    char path[512];
    uint8_t *d = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(d, "cannot read %s", path);
    return d;
}

static size_t unhex(uint8_t *out, const char *hex)
{
    size_t n = strlen(hex) / 2;
    cr_assert_eq(attest_hex_decode(out, n, hex), 0);
    return n;
}

/* ---- test-only: claims decoded without verification ----------------------- */

static json_t *decode_part(const char *p, size_t n)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    cr_assert_eq(attest_base64url_decode(p, n, &raw, &len), 0);
    json_t *j = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    cr_assert(json_is_object(j));
    return j;
}

static void decode_unverified(results_token *t)
{
    const char *dot1 = memchr(t->text, '.', t->len);
    cr_assert(dot1);
    const char *dot2 = memchr(dot1 + 1, '.', t->len - (size_t)(dot1 + 1 - t->text));
    cr_assert(dot2);
    t->header = decode_part(t->text, (size_t)(dot1 - t->text));
    t->claims = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
}

typedef struct mapped {
    attest_result *r;
    attest_policy *policy;
    nras_response resp;
    uint8_t nonce[64];
} mapped;

static void mapped_free(mapped *m)
{
    nras_response_release(&m->resp);
    attest_result_free(m->r);
    attest_policy_free(m->policy);
}

static void mapped_init(mapped *m, const char *policy_json)
{
    memset(m, 0, sizeof *m);
    m->r = attest_result_new();
    m->r->claims = json_object();
    if (policy_json)
        m->policy = tu_policy(policy_json);
    else
        cr_assert_eq(attest_policy_default(&m->policy), ATTEST_OK);
}

/* Parse an NRAS response and decode every JWT unverified. */
static void nras_load_text(mapped *m, const char *text, size_t len)
{
    cr_assert_eq(nras_response_parse(&m->resp, (const uint8_t *)text, len), ATTEST_OK, "%s",
                 attest_error_last());
    decode_unverified(&m->resp.overall);
    for (size_t i = 0; i < m->resp.count; i++)
        decode_unverified(&m->resp.gpus[i]);
}

static int nras_map(mapped *m, const char *nonce_hex)
{
    results_ctx c = {m->r, m->policy, m->nonce, nonce_hex ? unhex(m->nonce, nonce_hex) : 0,
                     false};
    if (!nonce_hex)
        c.nonce = NULL;
    return nras_appraise(&c, &m->resp);
}

static int map_shared_nras(mapped *m, const char *rel, const char *nonce_hex)
{
    size_t len;
    uint8_t *d = shared_bytes(rel, &len);
    nras_load_text(m, (const char *)d, len);
    free(d);
    return nras_map(m, nonce_hex);
}

Test(results, mapping_n01_accepted_gpu_submod_names_nras)
{
    mapped m;
    mapped_init(&m, NULL);
    cr_assert_eq(map_shared_nras(&m, N01, N01_NONCE), ATTEST_OK, "%s",
                 attest_result_reason(m.r));
    json_t *gpu0 = json_object_get(m.r->submods, "gpu0");
    cr_assert(gpu0);
    cr_assert_str_eq(json_string_value(json_object_get(gpu0, "ear.status")), "affirming");
    json_t *by = json_object_get(gpu0, "appraised_by");
    cr_assert_str_eq(json_string_value(json_object_get(by, "service")), "NRAS");
    cr_assert_str_eq(json_string_value(json_object_get(by, "iss")), NRAS_ISSUER);
    cr_assert(strstr(json_string_value(json_object_get(by, "kid")), "6f27a971"));
    json_t *claims = json_object_get(gpu0, "x-attest-claims");
    cr_assert_str_eq(json_string_value(json_object_get(claims, "x-nvidia-gpu-driver-version")),
                     "595.71.05");
    mapped_free(&m);
}

Test(results, mapping_n02_eight_gpus_in_key_order)
{
    mapped m;
    mapped_init(&m, "{\"nvidia\":{\"min_gpus\":8,\"min_driver_version\":\"550.0\"}}");
    cr_assert_eq(map_shared_nras(&m, N02, N02_NONCE), ATTEST_OK, "%s",
                 attest_result_reason(m.r));
    cr_assert_eq(json_object_size(m.r->submods), 8);
    cr_assert_str_eq(m.resp.keys[7], "GPU-7");
    mapped_free(&m);
}

/* N03: NRAS answered NONCE_NOT_MATCHING inside HTTP 200, validly signed:
 * the overall verdict false is ATTEST_E_RESULT_VERDICT. */
Test(results, mapping_n03_nonce_not_matching_rejected)
{
    mapped m;
    mapped_init(&m, NULL);
    cr_assert_eq(map_shared_nras(&m, N03, N03_NONCE), ATTEST_E_RESULT_VERDICT);
    cr_assert(strstr(attest_result_reason(m.r), "x-nvidia-overall-att-result"));
    json_t *gpu0 = json_object_get(m.r->submods, "gpu0");
    cr_assert_str_eq(json_string_value(json_object_get(gpu0, "ear.status")), "contraindicated");
    mapped_free(&m);
}

Test(results, mapping_wrong_nonce_rejected)
{
    mapped m;
    mapped_init(&m, NULL);
    cr_assert_eq(map_shared_nras(&m, N01, N02_NONCE), ATTEST_E_TOKEN_NONCE);
    mapped_free(&m);
}

Test(results, mapping_no_nonce_refused_by_default)
{
    mapped m;
    mapped_init(&m, NULL);
    cr_assert_eq(map_shared_nras(&m, N01, NULL), ATTEST_E_TOKEN_NONCE);
    mapped_free(&m);
}

/* Both GPU-3 JWTs are validly signed; only the overall's digest tells. */
static char *splice_gpu3(void)
{
    size_t a, b;
    uint8_t *n02 = shared_bytes(N02, &a), *n03 = shared_bytes(N03, &b);
    json_t *d2 = json_loadb((const char *)n02, a, 0, NULL);
    json_t *d3 = json_loadb((const char *)n03, b, 0, NULL);
    json_object_set(json_array_get(d2, 1), "GPU-3",
                    json_object_get(json_array_get(d3, 1), "GPU-3"));
    char *text = json_dumps(d2, JSON_COMPACT);
    json_decref(d2);
    json_decref(d3);
    free(n02);
    free(n03);
    return text;
}

Test(results, mapping_splice_n03_gpu3_into_n02_rejected)
{
    mapped m;
    mapped_init(&m, NULL);
    char *text = splice_gpu3();
    nras_load_text(&m, text, strlen(text));
    cr_assert_eq(nras_map(&m, N02_NONCE), ATTEST_E_RESULT_SUBMODS);
    cr_assert(strstr(attest_result_reason(m.r), "GPU-3"));
    free(text);
    mapped_free(&m);
}

Test(results, mapping_outer_shape_is_strict)
{
    static const char *const bad[] = {
        "[]", "[[\"JWT\",\"a.b.c\"]]", "[[\"JWS\",\"a.b.c\"],{\"GPU-0\":\"x\"}]",
        "[[\"JWT\",\"a.b.c\",1],{\"GPU-0\":\"x\"}]", "[[\"JWT\",\"a\"],{}]",
        "[[\"JWT\",\"a\"],{\"GPU-1\":\"x\"}]", "[[\"JWT\",\"a\"],{\"GPU-0\":\"x\",\"GPU-0\":\"y\"}]",
        "[[\"JWT\",\"a\"],{\"GPU-00\":\"x\"}]", "[[\"JWT\",\"a\"],{\"GPU-0\":1}]",
        "[[\"JWT\",\"a\"],{\"GPU-0\":\"x\"},3]", NULL};
    for (int i = 0; bad[i]; i++) {
        nras_response resp;
        cr_assert_eq(nras_response_parse(&resp, (const uint8_t *)bad[i], strlen(bad[i])),
                     ATTEST_E_TOKEN_MALFORMED, "%s", bad[i]);
        cr_assert_null(resp.doc);
    }
}

/* ---- synthetic claims: each check switched on by one change ------------- */

static int map_n01_edited(const char *claim, json_t *value, const char *nonce)
{
    mapped m;
    mapped_init(&m, NULL);
    size_t len;
    uint8_t *d = shared_bytes(N01, &len);
    nras_load_text(&m, (const char *)d, len);
    free(d);
    if (value)
        json_object_set_new(m.resp.gpus[0].claims, claim, value);
    else
        json_object_del(m.resp.gpus[0].claims, claim);
    int status = nras_map(&m, nonce);
    mapped_free(&m);
    return status;
}

Test(results, mapping_measres_failure_rejected)
{
    cr_assert_eq(map_n01_edited("measres", json_string("fail"), N01_NONCE),
                 ATTEST_E_RESULT_VERDICT);
}

Test(results, mapping_measres_missing_rejected)
{
    cr_assert_eq(map_n01_edited("measres", NULL, N01_NONCE), ATTEST_E_RESULT_CLAIMS);
}

Test(results, mapping_error_details_rejected)
{
    cr_assert_eq(map_n01_edited("x-nvidia-error-details",
                                json_pack("{s:i, s:s}", "code", 4010, "message",
                                          "NONCE_NOT_MATCHING"), N01_NONCE),
                 ATTEST_E_RESULT_VERDICT);
}

Test(results, mapping_gpu_nonce_missing_rejected)
{
    cr_assert_eq(map_n01_edited("eat_nonce", NULL, N01_NONCE), ATTEST_E_TOKEN_NONCE);
}

Test(results, mapping_gpu_nonce_different_rejected)
{
    cr_assert_eq(map_n01_edited("eat_nonce", json_string(N02_NONCE), N01_NONCE),
                 ATTEST_E_TOKEN_NONCE);
}

Test(results, mapping_flag_false_or_missing_rejected)
{
    cr_assert_eq(map_n01_edited("x-nvidia-gpu-attestation-report-cert-chain-validated",
                                json_false(), N01_NONCE), ATTEST_E_RESULT_VERDICT);
    cr_assert_eq(map_n01_edited("x-nvidia-gpu-attestation-report-signature-verified", NULL,
                                N01_NONCE), ATTEST_E_RESULT_CLAIMS);
    cr_assert_eq(map_n01_edited("secboot", json_false(), N01_NONCE), ATTEST_E_RESULT_VERDICT);
    cr_assert_eq(map_n01_edited("dbgstat", json_string("enabled"), N01_NONCE),
                 ATTEST_E_RESULT_VERDICT);
    cr_assert_eq(map_n01_edited("hwmodel", NULL, N01_NONCE), ATTEST_E_RESULT_CLAIMS);
}

Test(results, mapping_extra_detached_gpu_rejected)
{
    size_t len;
    uint8_t *d = shared_bytes(N01, &len);
    json_t *doc = json_loadb((const char *)d, len, 0, NULL);
    json_t *dets = json_array_get(doc, 1);
    json_object_set(dets, "GPU-1", json_object_get(dets, "GPU-0"));
    char *text = json_dumps(doc, JSON_COMPACT);
    mapped m;
    mapped_init(&m, NULL);
    nras_load_text(&m, text, strlen(text));
    cr_assert_eq(nras_map(&m, N01_NONCE), ATTEST_E_RESULT_SUBMODS);
    mapped_free(&m);
    free(text);
    json_decref(doc);
    free(d);
}

Test(results, mapping_policy_versions_apply_raw_members_refused)
{
    mapped m;
    mapped_init(&m, "{\"nvidia\":{\"min_driver_version\":\"600.0\"}}");
    cr_assert_eq(map_shared_nras(&m, N01, N01_NONCE), ATTEST_E_POLICY_NV_VERSION);
    mapped_free(&m);
    mapped_init(&m, "{\"nvidia\":{\"allowed_mismatch_indices\":[9]}}");
    cr_assert_eq(map_shared_nras(&m, N01, N01_NONCE), ATTEST_E_POLICY_INVALID);
    cr_assert(strstr(attest_result_reason(m.r), "appraised by NRAS"));
    mapped_free(&m);
}

/* ---- ITA and MAA mapping --------------------------------------------------- */

static int map_single(const char *rel, int kind, const char *policy, const char *nonce_hex,
                      const char *claim, json_t *value, mapped *keep)
{
    mapped m;
    size_t len;
    mapped_init(&m, policy);
    uint8_t *d = shared_bytes(rel, &len);
    results_token t = {(const char *)d, len, NULL, NULL};
    decode_unverified(&t);
    if (claim)
        json_object_set_new(t.claims, claim, value);
    results_ctx c = {m.r, m.policy, nonce_hex ? m.nonce : NULL,
                     nonce_hex ? unhex(m.nonce, nonce_hex) : 0, false};
    int status = kind == ATTEST_RESULT_ITA ? ita_appraise(&c, &t) : maa_appraise(&c, &t);
    json_decref(t.header);
    json_decref(t.claims);
    free(d);
    if (keep)
        *keep = m;
    else
        mapped_free(&m);
    return status;
}

Test(results, mapping_ita_out_of_date_is_a_warning_when_accepted)
{
    mapped m;
    cr_assert_eq(map_single(ITA_TOKEN, ATTEST_RESULT_ITA, ITA_POLICY, ITA_NONCE, NULL, NULL, &m),
                 ATTEST_OK, "%s", attest_result_reason(m.r));
    json_t *cpu0 = json_object_get(m.r->submods, "cpu0");
    cr_assert_str_eq(json_string_value(json_object_get(cpu0, "ear.status")), "warning");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(cpu0, "appraised_by"),
                                                       "service")), "Intel Trust Authority");
    mapped_free(&m);
}

Test(results, mapping_ita_out_of_date_refused_by_default)
{
    cr_assert_eq(map_single(ITA_TOKEN, ATTEST_RESULT_ITA, NULL, ITA_NONCE, NULL, NULL, NULL),
                 ATTEST_E_POLICY_TCB_STATUS);
}

Test(results, mapping_ita_binding_and_nonce)
{
    cr_assert_eq(map_single(ITA_TOKEN, ATTEST_RESULT_ITA, ITA_POLICY, N01_NONCE, NULL, NULL, NULL),
                 ATTEST_E_TOKEN_NONCE);
    cr_assert_eq(map_single(ITA_TOKEN, ATTEST_RESULT_ITA, ITA_POLICY, ITA_NONCE,
                            "attester_held_data", json_string("AAAA"), NULL),
                 ATTEST_E_RESULT_BINDING);
    cr_assert_eq(map_single(ITA_TOKEN, ATTEST_RESULT_ITA, ITA_POLICY, ITA_NONCE,
                            "tdx_td_attributes", json_string("0100001000000000"), NULL),
                 ATTEST_E_POLICY_DEBUG);
    cr_assert_eq(map_single(ITA_TOKEN, ATTEST_RESULT_ITA, ITA_POLICY, ITA_NONCE, "tdx_mrtd",
                            json_string("00"), NULL),
                 ATTEST_E_RESULT_CLAIMS);
    cr_assert_eq(map_single(ITA_TOKEN, ATTEST_RESULT_ITA, ITA_POLICY, ITA_NONCE,
                            "policy_ids_unmatched", json_pack("[{s:s}]", "id", "p"), NULL),
                 ATTEST_E_RESULT_VERDICT);
}

Test(results, tcb_status_spellings_normalised)
{
    cr_assert_eq(results_tcb_status("OutOfDate"), DCAP_TCB_OUT_OF_DATE);
    cr_assert_eq(results_tcb_status("OUT_OF_DATE"), DCAP_TCB_OUT_OF_DATE);
    cr_assert_eq(results_tcb_status("UpToDate"), DCAP_TCB_UP_TO_DATE);
    cr_assert_eq(results_tcb_status("SWHardeningNeeded"), DCAP_TCB_SW_HARDENING_NEEDED);
    cr_assert_eq(results_tcb_status("OutOfDateX"), -1);
    cr_assert_eq(results_tcb_status(NULL), -1);
    /* The pre-GA SGX token's own claim (its key is not public). */
    size_t len;
    uint8_t *d = shared_bytes("results/ita/token_sgx_amberpoc_2023-12-16_ps384.jwt", &len);
    results_token t = {(const char *)d, len, NULL, NULL};
    decode_unverified(&t);
    cr_assert_eq(results_tcb_status(json_string_value(json_object_get(t.claims,
                 "attester_tcb_status"))), DCAP_TCB_OUT_OF_DATE);
    json_decref(t.header);
    json_decref(t.claims);
    free(d);
}

#define MAA_BIN "results/maa/token_sgx_shared_runtimedata_binary_rs256.jwt"

Test(results, mapping_maa_debug_enclave_needs_the_policy)
{
    cr_assert_eq(map_single(MAA_BIN, ATTEST_RESULT_MAA, MAA_POLICY, NULL, NULL, NULL, NULL),
                 ATTEST_OK);
    cr_assert_eq(map_single(MAA_BIN, ATTEST_RESULT_MAA, NULL, NULL, NULL, NULL, NULL),
                 ATTEST_E_POLICY_DEBUG);
}

Test(results, mapping_maa_runtime_data_bound)
{
    cr_assert_eq(map_single(MAA_BIN, ATTEST_RESULT_MAA, MAA_POLICY, NULL, "x-ms-sgx-ehd",
                            json_string("AAAA"), NULL),
                 ATTEST_E_RESULT_BINDING);
    cr_assert_eq(map_single(MAA_BIN, ATTEST_RESULT_MAA, MAA_POLICY, N01_NONCE, NULL, NULL, NULL),
                 ATTEST_E_TOKEN_NONCE);
    cr_assert_eq(map_single(MAA_BIN, ATTEST_RESULT_MAA, MAA_POLICY, NULL,
                            "x-ms-attestation-type", json_string("sevsnpvm"), NULL),
                 ATTEST_E_RESULT_CLAIMS);
}

/* ---- end to end: attest_verify_result_token ------------------------------ */

static attest_keyset *keyset_bytes(const uint8_t *d, size_t len)
{
    attest_keyset *ks = NULL;
    int status = attest_keyset_new(&ks, d, len);
    if (status == ATTEST_E_INTERNAL)
        cr_skip_test("the JWS layer (lib/chain/jws.c) is not merged: %s", attest_error_last());
    cr_assert_eq(status, ATTEST_OK, "%s", attest_error_last());
    return ks;
}

static attest_keyset *keyset_shared(const char *rel)
{
    size_t len;
    uint8_t *d = shared_bytes(rel, &len);
    attest_keyset *ks = keyset_bytes(d, len);
    free(d);
    return ks;
}

/* Verify token bytes; returns the status, *out the result (may be NULL). */
static int e2e_bytes(attest_result **out, int kind, const uint8_t *tok, size_t len,
                     attest_keyset *ks, const char *iss, const char *policy_json, const char *at,
                     const char *nonce_hex)
{
    attest_verifier *v = NULL;
    uint8_t nonce[64];
    size_t nonce_len = nonce_hex ? unhex(nonce, nonce_hex) : 0;
    attest_policy *p = policy_json ? tu_policy(policy_json) : NULL;
    attest_result *r = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(at));
    int status = attest_verify_result_token(&r, v, kind, tok, len, ks, iss, p,
                                            nonce_hex ? nonce : NULL, nonce_len);
    if (r)
        cr_assert_eq(attest_result_status(r), status);
    attest_policy_free(p);
    attest_verifier_free(v);
    if (out)
        *out = r;
    else
        attest_result_free(r);
    return status;
}

static int e2e_shared(attest_result **out, int kind, const char *rel, const char *jwks,
                      const char *iss, const char *policy, const char *at, const char *nonce)
{
    size_t len;
    attest_keyset *ks = keyset_shared(jwks);
    uint8_t *tok = shared_bytes(rel, &len);
    int status = e2e_bytes(out, kind, tok, len, ks, iss, policy, at, nonce);
    free(tok);
    attest_keyset_free(ks);
    return status;
}

#define JWKS_0629 NR "jwks_2026-06-29.json"
#define JWKS_0610 NR "jwks_2026-06-10.json"

Test(results, e2e_n01_n02_accepted_and_reissued)
{
    attest_result *r = NULL;
    cr_assert_eq(e2e_shared(&r, ATTEST_RESULT_NRAS, N01, JWKS_0629, NULL, NULL, NRAS_AT,
                            N01_NONCE), ATTEST_OK, "%s", r ? attest_result_reason(r) : "");
    /* Our own EAR token, each submod naming its appraiser. */
    EVP_PKEY *key = synth_key();
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
    char *pem = NULL;
    long n = BIO_get_mem_data(b, &pem);
    char *tok = NULL;
    cr_assert_eq(attest_token_sign(&tok, r, pem, (size_t)n, 300), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert(strstr(tok, "."));
    attest_string_free(tok);
    BIO_free(b);
    EVP_PKEY_free(key);
    json_t *doc = tu_result_json(r);
    char *text = json_dumps(doc, 0);
    cr_assert(strstr(text, "appraised_by"));
    free(text);
    json_decref(doc);
    attest_result_free(r);
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_NRAS, N02, JWKS_0629, NULL, NULL, NRAS_AT,
                            N02_NONCE), ATTEST_OK);
}

Test(results, e2e_n03_nonce_not_matching_rejected)
{
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_NRAS, N03, JWKS_0629, NULL, NULL, NRAS_AT,
                            N03_NONCE), ATTEST_E_RESULT_VERDICT);
}

Test(results, e2e_n04_rotated_kid_fails_closed)
{
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_NRAS, N04, JWKS_0629, NULL, NULL,
                            "2026-06-10T02:00:00Z", N04_NONCE), ATTEST_E_TOKEN_KID);
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_NRAS, N04, JWKS_0610, NULL, NULL,
                            "2026-06-10T02:00:00Z", N04_NONCE), ATTEST_OK);
}

Test(results, e2e_nras_outside_exp_rejected)
{
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_NRAS, N01, JWKS_0629, NULL, NULL,
                            "2026-06-29T12:00:00Z", N01_NONCE), ATTEST_E_TOKEN_EXPIRED);
}

Test(results, e2e_splice_rejected)
{
    attest_keyset *ks = keyset_shared(JWKS_0629);
    char *text = splice_gpu3();
    cr_assert_eq(e2e_bytes(NULL, ATTEST_RESULT_NRAS, (const uint8_t *)text, strlen(text), ks,
                           NULL, NULL, NRAS_AT, N02_NONCE), ATTEST_E_RESULT_SUBMODS);
    free(text);
    attest_keyset_free(ks);
}

Test(results, e2e_ita_accepted_with_binding)
{
    attest_result *r = NULL;
    cr_assert_eq(e2e_shared(&r, ATTEST_RESULT_ITA, ITA_TOKEN, "results/ita/jwks_portal_79d807.json",
                            ITA_ISS, ITA_POLICY, ITA_AT, ITA_NONCE), ATTEST_OK, "%s",
                 r ? attest_result_reason(r) : "");
    cr_assert_eq(attest_result_verdict(r), ATTEST_VERDICT_ACCEPTED);
    attest_result_free(r);
    /* default policy: OutOfDate is not affirming */
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_ITA, ITA_TOKEN,
                            "results/ita/jwks_portal_79d807.json", ITA_ISS, NULL, ITA_AT,
                            ITA_NONCE), ATTEST_E_POLICY_TCB_STATUS);
    /* RS256 allowed beside PS384: the PS384 token still verifies */
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_ITA | ATTEST_RESULT_ALLOW_RS256, ITA_TOKEN,
                            "results/ita/jwks_portal_79d807.json", ITA_ISS, ITA_POLICY, ITA_AT,
                            ITA_NONCE), ATTEST_OK);
    /* the token is valid for 300 s */
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_ITA, ITA_TOKEN,
                            "results/ita/jwks_portal_79d807.json", ITA_ISS, ITA_POLICY,
                            "2023-12-05T00:20:00Z", ITA_NONCE), ATTEST_E_TOKEN_EXPIRED);
    /* the production issuer is not the 2023 token's */
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_ITA, ITA_TOKEN,
                            "results/ita/jwks_portal_79d807.json", NULL, ITA_POLICY, ITA_AT,
                            ITA_NONCE), ATTEST_E_TOKEN_ISSUER);
}

#define MAA_JWKS "results/maa/jwks_sharedwus_2022-11-17.json"

Test(results, e2e_maa_instance_pinned)
{
    static const char *const ok[] = {"results/maa/token_sgx_shared_rs256.jwt", MAA_BIN,
                                     "results/maa/token_sgx_shared_runtimedata_json_rs256.jwt",
                                     NULL};
    for (int i = 0; ok[i]; i++)
        cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_MAA, ok[i], MAA_JWKS, MAA_SHARED, MAA_POLICY,
                                MAA_AT, NULL), ATTEST_OK, "%s", ok[i]);
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_MAA, "results/maa/token_sgx_isolated_rs256.jwt",
                            MAA_JWKS, MAA_SHARED, MAA_POLICY, MAA_AT, NULL),
                 ATTEST_E_TOKEN_ISSUER);
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_MAA, "results/maa/token_sgx_isolated_rs256.jwt",
                            "results/maa/jwks_isolated_2022-11-17.json",
                            "https://cpgearamaattestationiso.wus.attest.azure.net", MAA_POLICY,
                            MAA_AT, NULL), ATTEST_OK);
    cr_assert_eq(e2e_shared(NULL, ATTEST_RESULT_MAA,
                            "results/maa/token_sgx_shared_draftpolicy_alg_none.jwt", MAA_JWKS,
                            MAA_SHARED, MAA_POLICY, MAA_AT, NULL), ATTEST_E_TOKEN_ALG);
}

Test(results, e2e_maa_needs_issuer)
{
    attest_keyset *ks = keyset_shared(MAA_JWKS);
    attest_verifier *v = NULL;
    attest_result *r = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_verify_result_token(&r, v, ATTEST_RESULT_MAA, (const uint8_t *)"x", 1,
                                            ks, NULL, NULL, NULL, 0), ATTEST_E_INVALID_ARG);
    cr_assert_null(r);
    attest_verifier_free(v);
    attest_keyset_free(ks);
}

/* ---- synthetic signed NRAS responses ----------------------------------- */

typedef struct synth {
    EVP_PKEY *key;
    attest_keyset *ks;
    char *gpu[2];
} synth;

#define SYN_AT "2026-01-01T00:00:00Z"
#define SYN_IAT 1767225000 /* 2025-12-31T23:50Z */

static void synth_init(synth *s, json_t *gpu0_claims)
{
    s->key = synth_key();
    char *jwks = synth_jwks(s->key, SYNTH_KID);
    s->ks = keyset_bytes((const uint8_t *)jwks, strlen(jwks));
    free(jwks);
    s->gpu[0] = synth_jwt(s->key, SYNTH_KID, gpu0_claims);
    s->gpu[1] = NULL;
    json_decref(gpu0_claims);
}

static int synth_run(synth *s, const char *overall_nonce, const char *extra)
{
    char *resp = synth_nras_response(s->key, SYNTH_KID, overall_nonce, SYN_IAT, s->gpu, 1, extra);
    int status = e2e_bytes(NULL, ATTEST_RESULT_NRAS, (const uint8_t *)resp, strlen(resp), s->ks,
                           NULL, NULL, SYN_AT, N01_NONCE);
    free(resp);
    return status;
}

static void synth_free(synth *s)
{
    free(s->gpu[0]);
    attest_keyset_free(s->ks);
    EVP_PKEY_free(s->key);
}

static int synth_edited(const char *claim, json_t *value)
{
    synth s;
    json_t *c = synth_gpu_claims(N01_NONCE, SYN_IAT);
    if (value)
        json_object_set_new(c, claim, value);
    else if (claim)
        json_object_del(c, claim);
    synth_init(&s, c);
    int status = synth_run(&s, N01_NONCE, NULL);
    synth_free(&s);
    return status;
}

Test(results, synth_signed_accepted)
{
    cr_assert_eq(synth_edited(NULL, NULL), ATTEST_OK, "%s", attest_error_last());
}

Test(results, synth_signed_negatives)
{
    cr_assert_eq(synth_edited("measres", json_string("fail")), ATTEST_E_RESULT_VERDICT);
    cr_assert_eq(synth_edited("measres", NULL), ATTEST_E_RESULT_CLAIMS);
    cr_assert_eq(synth_edited("x-nvidia-error-details", json_pack("{s:s}", "message", "X")),
                 ATTEST_E_RESULT_VERDICT);
    cr_assert_eq(synth_edited("eat_nonce", NULL), ATTEST_E_TOKEN_NONCE);
    cr_assert_eq(synth_edited("eat_nonce", json_string(N02_NONCE)), ATTEST_E_TOKEN_NONCE);
    cr_assert_eq(synth_edited("exp", NULL), ATTEST_E_TOKEN_MALFORMED);
}

Test(results, synth_signed_extra_gpu_and_overall_nonce)
{
    synth s;
    synth_init(&s, synth_gpu_claims(N01_NONCE, SYN_IAT));
    cr_assert_eq(synth_run(&s, N01_NONCE, s.gpu[0]), ATTEST_E_RESULT_SUBMODS);
    cr_assert_eq(synth_run(&s, N02_NONCE, NULL), ATTEST_E_TOKEN_NONCE);
    synth_free(&s);
}

/* ---- raw CPU evidence + an NRAS result + its JWKS: one composite --------- */

#define GPU_NONCE "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"

static void add_item(attest_collateral *c, const void *data, size_t len)
{
    cr_assert_eq(attest_collateral_add(c, data, len), ATTEST_OK, "%s", attest_error_last());
}

/* A Milan report (test PKI, dir) whose REPORT_DATA = SHA-512(nonce ||
 * bound), and the AMD anchor pin. */
static void composite_report(uint8_t *report, uint8_t pin[32], char *dir, size_t dir_size,
                             const char *bound_hex)
{
    char path[700];
    snpgen_pki *pki = NULL;
    uint8_t nonce[32], bound[32], rd[64];
    tu_pki(dir, dir_size, "milan");
    cr_assert_eq(snpgen_pki_load(&pki, dir), 0);
    size_t len;
    snprintf(path, sizeof path, "%s/anchor.sha256", dir);
    char *pin_hex = (char *)tu_read(path, &len);
    cr_assert(pin_hex && len >= 64);
    pin_hex[64] = '\0';
    unhex(pin, pin_hex);
    free(pin_hex);
    unhex(nonce, N01_NONCE);
    unhex(bound, bound_hex);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha512(), NULL);
    EVP_DigestUpdate(ctx, nonce, 32);
    EVP_DigestUpdate(ctx, bound, 32);
    EVP_DigestFinal_ex(ctx, rd, NULL);
    EVP_MD_CTX_free(ctx);
    cr_assert_eq(snpgen_report_init(report, pki, 3), 0);
    memcpy(report + SNPGEN_OFF_REPORT_DATA, rd, 64);
    cr_assert_eq(snpgen_report_sign(report, pki->vcek_key), 0);
    snpgen_pki_free(pki);
}

static int composite_verify(attest_result **out, const attest_evidence *ev,
                            const attest_collateral *c, const char *policy, const uint8_t pin[32])
{
    uint8_t nonce[32];
    attest_verifier *v = NULL;
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    unhex(nonce, N01_NONCE);
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, pin), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(SYN_AT));
    int status = attest_verify(out, v, ev, c, p, nonce, 32);
    attest_policy_free(p);
    attest_verifier_free(v);
    return status;
}

/* A Milan report (test PKI) whose REPORT_DATA = SHA-512(nonce || bound),
 * and an NRAS result for one GPU answering GPU_NONCE with its JWKS. */
typedef struct composite_parts {
    char dir[512];
    uint8_t report[SNPGEN_REPORT_SIZE], pin[32];
    synth s;
    char *resp, *jwks;
} composite_parts;

static void composite_parts_init(composite_parts *p, const char *bound_hex)
{
    composite_report(p->report, p->pin, p->dir, sizeof p->dir, bound_hex);
    synth_init(&p->s, synth_gpu_claims(GPU_NONCE, SYN_IAT));
    p->resp = synth_nras_response(p->s.key, SYNTH_KID, GPU_NONCE, SYN_IAT, p->s.gpu, 1, NULL);
    p->jwks = synth_jwks(p->s.key, SYNTH_KID);
}

static void composite_parts_free(composite_parts *p)
{
    free(p->resp);
    free(p->jwks);
    synth_free(&p->s);
}

/* The parts as an evidence and loose collateral items. */
static int composite_run(const char *bound_hex, const char *policy, attest_result **out)
{
    char path[700];
    composite_parts p;
    composite_parts_init(&p, bound_hex);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    static const char *const files[] = {"vcek.pem", "chain.pem", "crl.der", NULL};
    for (int i = 0; files[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", p.dir, files[i]);
        tu_add_file(c, path);
    }
    add_item(c, p.resp, strlen(p.resp));
    add_item(c, p.jwks, strlen(p.jwks));
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, p.report, sizeof p.report), ATTEST_OK);
    int status = composite_verify(out, ev, c, policy, p.pin);
    attest_evidence_free(ev);
    attest_collateral_free(c);
    composite_parts_free(&p);
    return status;
}

Test(results, composite_raw_cpu_with_nras_gpu)
{
    attest_result *r = NULL;
    int status = composite_run(GPU_NONCE, NULL, &r);
    cr_assert_eq(status, ATTEST_OK, "%s", attest_result_reason(r));
    json_t *doc = tu_result_json(r);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "gpu_binding")), "cpu_report_data");
    json_decref(doc);
    cr_assert(json_object_get(r->submods, "cpu0"));
    json_t *by = json_object_get(json_object_get(r->submods, "gpu0"), "appraised_by");
    cr_assert_str_eq(json_string_value(json_object_get(by, "service")), "NRAS");
    cr_assert_null(json_object_get(json_object_get(r->submods, "cpu0"), "appraised_by"));
    attest_result_free(r);
}

Test(results, composite_gpu_of_another_request_rejected)
{
    attest_result *r = NULL;
    cr_assert_eq(composite_run(N02_NONCE, NULL, &r), ATTEST_E_COMPOSITE_BINDING, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
    /* same_nonce: the NRAS eat_nonce must then be the caller's own */
    cr_assert_neq(composite_run(GPU_NONCE, "{\"platforms\":[\"snp\",\"nvidia\"],"
                                "\"composite\":{\"gpu_binding\":\"same_nonce\"}}", &r),
                  ATTEST_OK);
    bool seen = false;
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        seen = seen || (!strcmp(attest_result_check_name(r, i), "gpu0.nras.nonce") &&
                        attest_result_check_status(r, i) == ATTEST_E_TOKEN_NONCE);
    cr_assert(seen, "gpu0.nras.nonce did not fail");
    attest_result_free(r);
}

Test(results, classify_nras_result_and_jwks)
{
    size_t len;
    attest_item_kind kind;
    uint8_t *d = shared_bytes(N01, &len);
    cr_assert_eq(attest_classify(&kind, d, len), ATTEST_OK);
    cr_assert_eq(kind, ATTEST_ITEM_NRAS_RESULT);
    cr_assert_str_eq(attest_item_kind_name(kind), "nras-result");
    free(d);
    d = shared_bytes(JWKS_0629, &len);
    cr_assert_eq(attest_classify(&kind, d, len), ATTEST_OK);
    cr_assert_eq(kind, ATTEST_ITEM_KEYSET);
    free(d);
}

/* ---- the same composite as a bundle file ----------------------------------- */

enum { BUNDLE_NO_JWKS = 1, BUNDLE_RAW_GPU = 2, BUNDLE_NO_CPU = 4 };

/* A bundle member {"data": base64} appended to the bundle's collateral by
 * hand: how an attester could write a shape attest_bundle_create refuses. */
static char *bundle_append(char *bundle, const char *data)
{
    json_t *doc = json_loads(bundle, 0, NULL);
    size_t len = strlen(data);
    char *b64 = malloc(4 * ((len + 2) / 3) + 1);
    cr_assert(doc && b64);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)data, (int)len);
    json_array_append_new(json_object_get(doc, "collateral"), json_pack("{s:s}", "data", b64));
    attest_string_free(bundle);
    char *out = json_dumps(doc, JSON_PRESERVE_ORDER);
    json_decref(doc);
    free(b64);
    return out;
}

/* attest_bundle_create of the report, its collateral, an NRAS result and
 * its JWKS; with a defect in `shape`, the NRAS members are appended by hand
 * (attest_bundle_create refuses such a bundle: test
 * bundle_create_refuses_nras_shapes_verification_refuses). Verified with
 * N01_NONCE. */
static int bundle_run(int shape, attest_result **out)
{
    char path[700];
    composite_parts p;
    composite_parts_init(&p, GPU_NONCE);
    const uint8_t *items[8];
    size_t lens[8], n = 0;
    uint8_t *files[4] = {NULL};
    static const char *const names[] = {"vcek.pem", "chain.pem", "crl.der"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", p.dir, names[i]);
        files[i] = tu_read(path, &lens[n]);
        items[n++] = files[i];
    }
    if (shape & BUNDLE_RAW_GPU) {
        char nv[512];
        tu_pki(nv, sizeof nv, "nvidia");
        snprintf(path, sizeof path, "%s/evidence.json", nv);
        files[3] = tu_read(path, &lens[n]);
        items[n++] = files[3];
    }
    if (!(shape & BUNDLE_NO_CPU)) {
        items[n] = p.report;
        lens[n++] = sizeof p.report;
    }
    if (!shape) {
        items[n] = (const uint8_t *)p.resp;
        lens[n++] = strlen(p.resp);
        items[n] = (const uint8_t *)p.jwks;
        lens[n++] = strlen(p.jwks);
    }
    char *bundle = NULL;
    uint8_t nonce[32];
    unhex(nonce, N01_NONCE);
    cr_assert_eq(attest_bundle_create(&bundle, items, lens, n, nonce, 32), ATTEST_OK, "%s",
                 attest_error_last());
    if (shape) {
        bundle = bundle_append(bundle, p.resp);
        if (!(shape & BUNDLE_NO_JWKS))
            bundle = bundle_append(bundle, p.jwks);
    }
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, (const uint8_t *)bundle, strlen(bundle)),
                 ATTEST_OK, "%s", attest_error_last());
    int status = composite_verify(out, ev, NULL, NULL, p.pin);
    attest_evidence_free(ev);
    if (shape)
        free(bundle); /* json_dumps' */
    else
        attest_string_free(bundle);
    for (int i = 0; i < 4; i++)
        free(files[i]);
    composite_parts_free(&p);
    return status;
}

/* attest_bundle_create writes only bundles verification takes: the NRAS
 * result with its JWKS, beside CPU evidence, no raw GPU evidence. */
Test(results, bundle_create_refuses_nras_shapes_verification_refuses)
{
    composite_parts p;
    composite_parts_init(&p, GPU_NONCE);
    char nv[512], path[700];
    size_t gpu_len = 0;
    tu_pki(nv, sizeof nv, "nvidia");
    snprintf(path, sizeof path, "%s/evidence.json", nv);
    uint8_t *gpu = tu_read(path, &gpu_len);
    const uint8_t *report = p.report, *resp = (const uint8_t *)p.resp,
                  *jwks = (const uint8_t *)p.jwks;
    size_t rl = sizeof p.report, sl = strlen(p.resp), jl = strlen(p.jwks);
    const uint8_t *no_jwks[] = {report, resp}, *no_result[] = {report, jwks},
                  *beside_gpu[] = {report, resp, jwks, gpu}, *no_cpu[] = {gpu, resp, jwks};
    size_t no_jwks_l[] = {rl, sl}, no_result_l[] = {rl, jl}, beside_gpu_l[] = {rl, sl, jl, gpu_len},
           no_cpu_l[] = {gpu_len, sl, jl};
    char *bundle = NULL;
    cr_assert_eq(attest_bundle_create(&bundle, no_jwks, no_jwks_l, 2, NULL, 0),
                 ATTEST_E_INVALID_ARG);
    cr_assert_eq(attest_bundle_create(&bundle, no_result, no_result_l, 2, NULL, 0),
                 ATTEST_E_INVALID_ARG);
    cr_assert_eq(attest_bundle_create(&bundle, beside_gpu, beside_gpu_l, 4, NULL, 0),
                 ATTEST_E_INVALID_ARG);
    cr_assert(strstr(attest_error_last(), "raw GPU"), "%s", attest_error_last());
    cr_assert_eq(attest_bundle_create(&bundle, no_cpu, no_cpu_l, 3, NULL, 0),
                 ATTEST_E_INVALID_ARG);
    cr_assert_null(bundle);
    free(gpu);
    composite_parts_free(&p);
}

static bool check_failed(const attest_result *r, const char *name, int status)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name) &&
            attest_result_check_status(r, i) == status)
            return true;
    return false;
}

/* GPUs appraised by NRAS count for nvidia.min_gpus and composite.min_gpus
 * (the dispatcher sees no raw GPU evidence; the NRAS appraisal counts). */
Test(results, composite_nras_gpus_meet_min_gpus)
{
    static const char *const met[] = {
        "{\"platforms\":[\"snp\",\"nvidia\"],\"nvidia\":{\"min_gpus\":1}}",
        "{\"platforms\":[\"snp\",\"nvidia\"],\"composite\":{\"min_gpus\":1}}",
    };
    static const char *const unmet[][2] = {
        {"{\"platforms\":[\"snp\",\"nvidia\"],\"nvidia\":{\"min_gpus\":2}}",
         "nvidia.devices"},
        {"{\"platforms\":[\"snp\",\"nvidia\"],\"composite\":{\"min_gpus\":2}}",
         "composite.devices"},
    };
    attest_result *r = NULL;
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(composite_run(GPU_NONCE, met[i], &r), ATTEST_OK, "%s: %s", met[i],
                     attest_result_reason(r));
        attest_result_free(r);
        cr_assert_eq(composite_run(GPU_NONCE, unmet[i][0], &r), ATTEST_E_COMPOSITE_MISSING,
                     "%s", unmet[i][0]);
        cr_assert(check_failed(r, unmet[i][1], ATTEST_E_COMPOSITE_MISSING), "%s",
                  attest_result_reason(r));
        attest_result_free(r);
    }
}

Test(results, bundle_nras_members_same_composite_as_loose_files)
{
    attest_result *loose = NULL, *r = NULL;
    cr_assert_eq(composite_run(GPU_NONCE, NULL, &loose), ATTEST_OK);
    cr_assert_eq(bundle_run(0, &r), ATTEST_OK, "%s", attest_result_reason(r));
    json_t *doc = tu_result_json(r);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "gpu_binding")), "cpu_report_data");
    json_decref(doc);
    json_t *by = json_object_get(json_object_get(r->submods, "gpu0"), "appraised_by");
    cr_assert_str_eq(json_string_value(json_object_get(by, "service")), "NRAS");
    cr_assert(json_object_get(r->submods, "cpu0"));
    /* the same checks, in the same order, with the same outcome; a bundle
     * adds composite.devices (what it holds against composite.require_cpu) */
    size_t j = 0;
    for (size_t i = 0; i < attest_result_check_count(r); i++) {
        if (!strcmp(attest_result_check_name(r, i), "composite.devices"))
            continue;
        cr_assert_lt(j, attest_result_check_count(loose));
        cr_assert_str_eq(attest_result_check_name(r, i), attest_result_check_name(loose, j));
        cr_assert_eq(attest_result_check_status(r, i), attest_result_check_status(loose, j++));
    }
    cr_assert_eq(j, attest_result_check_count(loose));
    attest_result_free(loose);
    attest_result_free(r);
}

Test(results, bundle_nras_without_partner_or_beside_raw_gpus_refused)
{
    attest_result *r = NULL;
    cr_assert_eq(bundle_run(BUNDLE_NO_JWKS, &r), ATTEST_E_INVALID_ARG);
    cr_assert(check_failed(r, "nvidia.nras.format", ATTEST_E_INVALID_ARG));
    attest_result_free(r);
    cr_assert_eq(bundle_run(BUNDLE_RAW_GPU, &r), ATTEST_E_INVALID_ARG);
    cr_assert(check_failed(r, "composite.gpus", ATTEST_E_INVALID_ARG), "%s",
              attest_result_reason(r));
    attest_result_free(r);
    /* no CPU either: composite.devices fails first (require_cpu) */
    cr_assert_neq(bundle_run(BUNDLE_RAW_GPU | BUNDLE_NO_CPU, &r), ATTEST_OK);
    cr_assert(check_failed(r, "composite.gpus", ATTEST_E_INVALID_ARG));
    attest_result_free(r);
}
