/* libFuzzer harness: other verifiers' results (docs/results.md). The first
 * input byte picks the path, the rest is the input:
 *   0: attest_verify_result_token(NRAS) of the bytes with a synthetic
 *      P-384 key set (tests/api/results_synth.h): outer JSON, JWS layer;
 *   1: the same for ITA and MAA (compact JWT);
 *   2: the NRAS outer reader and the claim mapping on claims decoded
 *      without verification (the mapping must hold on any JSON);
 *   3: the bytes as one claims object for the ITA and MAA mappings.
 * Nothing may crash, leak or over-read. */
#include "attest.h"
#include "appraise/results.h"
#include "../tests/api/results_synth.h"

#include <stdint.h>
#include <stdlib.h>

/* Built once per process, read-only after (harness state, not library). */
static attest_verifier *verifier(void)
{
    static attest_verifier *v;
    if (!v && attest_verifier_new(&v) == ATTEST_OK)
        attest_verifier_set_time(v, 1767225600); /* 2026-01-01 */
    return v;
}

static attest_keyset *keyset(void)
{
    static attest_keyset *ks;
    if (!ks) {
        EVP_PKEY *key = synth_key();
        char *jwks = key ? synth_jwks(key, SYNTH_KID) : NULL;
        if (jwks)
            attest_keyset_new(&ks, (const uint8_t *)jwks, strlen(jwks));
        free(jwks);
        EVP_PKEY_free(key);
    }
    return ks;
}

static attest_policy *policy(void)
{
    static attest_policy *p;
    if (!p)
        attest_policy_default(&p);
    return p;
}

static void public_path(int kind, const uint8_t *d, size_t n, const char *iss)
{
    static const uint8_t nonce[32] = {1};
    attest_result *r = NULL;
    if (n && verifier() && keyset())
        attest_verify_result_token(&r, verifier(), kind, d, n, keyset(), iss, NULL, nonce, 32);
    attest_result_free(r);
}

/* A JWT's parts decoded without verification (harness only). */
static void decode_unverified(results_token *t)
{
    const char *dot1 = t->text ? memchr(t->text, '.', t->len) : NULL;
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', t->len - (size_t)(dot1 + 1 - t->text)) : NULL;
    uint8_t *raw = NULL;
    size_t len = 0;
    if (!dot2)
        return;
    if (attest_base64url_decode(t->text, (size_t)(dot1 - t->text), &raw, &len) == 0)
        t->header = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    raw = NULL;
    if (attest_base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &raw, &len) == 0)
        t->claims = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
}

static void mapping_nras(const uint8_t *d, size_t n)
{
    nras_response resp;
    static const uint8_t nonce[32] = {1};
    if (nras_response_parse(&resp, d, n) != ATTEST_OK)
        return;
    decode_unverified(&resp.overall);
    bool all = json_is_object(resp.overall.claims);
    for (size_t i = 0; i < resp.count; i++) {
        decode_unverified(&resp.gpus[i]);
        all = all && json_is_object(resp.gpus[i].claims);
    }
    attest_result *r = attest_result_new();
    if (all && r && (r->claims = json_object())) {
        results_ctx c = {r, policy(), nonce, 32, false};
        nras_appraise(&c, &resp);
    }
    attest_result_free(r);
    nras_response_release(&resp);
}

static void mapping_single(const uint8_t *d, size_t n)
{
    results_token t = {"", 0, json_object(), json_loadb((const char *)d, n, 0, NULL)};
    for (int k = 0; k < 2 && json_is_object(t.claims) && policy(); k++) {
        attest_result *r = attest_result_new();
        if (r && (r->claims = json_object())) {
            results_ctx c = {r, policy(), NULL, 0, false};
            (void)(k ? maa_appraise(&c, &t) : ita_appraise(&c, &t));
        }
        attest_result_free(r);
    }
    json_decref(t.header);
    json_decref(t.claims);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    switch (data[0] % 4) {
    case 0:
        public_path(ATTEST_RESULT_NRAS, d, n, NULL);
        break;
    case 1:
        public_path(ATTEST_RESULT_ITA, d, n, NULL);
        public_path(ATTEST_RESULT_MAA, d, n, "https://sharedwus.wus.attest.azure.net");
        break;
    case 2:
        mapping_nras(d, n);
        break;
    default:
        mapping_single(d, n);
    }
    return 0;
}
