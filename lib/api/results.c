/* attest_verify_result_token: another verifier's signed result (NRAS,
 * Intel Trust Authority, Azure Attestation) verified by lib/chain/jws.c
 * against the caller's key set, then mapped by lib/appraise/results_*.c
 * into the same result, EAR submods and policy as raw evidence. */
#include "api.h"
#include "../base/crypto.h"
#include "keyset.h"
#include "results_items.h"
#include "../appraise/composite.h"
#include "../appraise/ear.h"
#include "../appraise/results.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static const char *const nras_algs[] = {"ES384", NULL};
static const char *const ita_algs[] = {"PS384", NULL};
static const char *const ita_rs256_algs[] = {"PS384", "RS256", NULL};
static const char *const maa_algs[] = {"RS256", NULL};

/* One JWT's signature, key, issuer and time; its header and claims are
 * filled only when it verifies. */
static int verify_jwt(attest_result *r, const char *check, results_token *t,
                      const jws_keyset *ks, const jws_rules *rules)
{
    char detail[512];
    int status = jws_verify(t->text, t->len, ks, rules, &t->header, &t->claims);
    if (status != ATTEST_OK) {
        snprintf(detail, sizeof detail, "%s", attest_error_last());
        return attest_check_fail(r, check, status, "%s", detail);
    }
    attest_check_pass(r, check, "%s by kid %s, iss %s, valid at the instant",
                      json_string_value(json_object_get(t->header, "alg")),
                      json_string_value(json_object_get(t->header, "kid")), rules->issuer);
    return ATTEST_OK;
}

int results_nras_verify(attest_result *r, nras_response *resp, const uint8_t *token,
                        size_t len, const jws_keyset *ks, const jws_rules *rules)
{
    int status = nras_response_parse(resp, token, len);
    if (status != ATTEST_OK)
        return attest_check_fail(r, "nvidia.nras.format", status, "%s", attest_error_last());
    attest_check_pass(r, "nvidia.nras.format", "[[\"JWT\", overall], {%zu detached GPU "
                      "JWTs}]", resp->count);
    status = verify_jwt(r, "nvidia.nras.signature", &resp->overall, ks, rules);
    for (size_t i = 0; i < resp->count; i++) {
        char check[48];
        snprintf(check, sizeof check, "gpu%zu.nras.signature", i);
        if (verify_jwt(r, check, &resp->gpus[i], ks, rules) != ATTEST_OK)
            status = r->status;
    }
    if (status != ATTEST_OK)
        nras_response_release(resp);
    return status;
}

static int run_nras(const results_ctx *c, const uint8_t *token, size_t len,
                    const jws_keyset *ks, const jws_rules *rules)
{
    nras_response resp;
    /* Claims are read only from tokens that all verified. */
    int status = results_nras_verify(c->r, &resp, token, len, ks, rules);
    if (status != ATTEST_OK)
        return status;
    status = nras_appraise(c, &resp);
    nras_response_release(&resp);
    return status;
}

static int run_single(const results_ctx *c, int kind, const uint8_t *token, size_t len,
                      const jws_keyset *ks, const jws_rules *rules)
{
    results_token t = {(const char *)token, len, NULL, NULL};
    const char *check = kind == ATTEST_RESULT_ITA ? "ita.signature" : "maa.signature";
    int status = verify_jwt(c->r, check, &t, ks, rules);
    if (status == ATTEST_OK)
        status = kind == ATTEST_RESULT_ITA ? ita_appraise(c, &t) : maa_appraise(c, &t);
    json_decref(t.header);
    json_decref(t.claims);
    return status;
}

/* The rules of each service: its algorithms and default issuer. */
static int rules_for(int kind, const char *issuer, jws_rules *rules)
{
    int base = kind & 0xFF;
    if ((kind & ~0xFF) && kind != (ATTEST_RESULT_ITA | ATTEST_RESULT_ALLOW_RS256))
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify_result_token: flags 0x%x only "
                                "with ATTEST_RESULT_ITA", kind & ~0xFF);
    if (base == ATTEST_RESULT_NRAS)
        *rules = (jws_rules){nras_algs, issuer ? issuer : NRAS_ISSUER, 0, 0, true};
    else if (base == ATTEST_RESULT_ITA)
        *rules = (jws_rules){kind & ATTEST_RESULT_ALLOW_RS256 ? ita_rs256_algs : ita_algs,
                             issuer ? issuer : ITA_ISSUER, 0, 0, true};
    else if (base == ATTEST_RESULT_MAA && issuer)
        *rules = (jws_rules){maa_algs, issuer, 0, 0, true};
    else
        return attest_set_error(ATTEST_E_INVALID_ARG, base == ATTEST_RESULT_MAA
                                ? "verify_result_token: MAA needs the instance's issuer "
                                  "(its instances share signing keys)"
                                : "verify_result_token: unknown kind %d", kind);
    return ATTEST_OK;
}

static unsigned platform_of(int kind)
{
    int base = kind & 0xFF;
    return base == ATTEST_RESULT_NRAS ? ATTEST_PLATFORM_NVIDIA
           : base == ATTEST_RESULT_ITA ? ATTEST_PLATFORM_TDX
                                       : ATTEST_PLATFORM_SGX;
}

static void record_inputs(attest_result *r, const uint8_t *token, size_t len,
                          const attest_policy *policy, const uint8_t *nonce, size_t nonce_len)
{
    attest_sha256(r->evidence_sha256, token, len);
    memcpy(r->policy_sha256, policy->sha256, 32);
    r->nonce_len = nonce_len;
    if (nonce_len)
        memcpy(r->nonce, nonce, nonce_len);
}

static void appraise(attest_result *r, attest_verifier *v, int kind, const uint8_t *token,
                     size_t len, const attest_keyset *ks, const char *issuer,
                     const attest_policy *policy, const uint8_t *nonce, size_t nonce_len)
{
    jws_rules rules;
    composite_shape shape = {platform_of(kind), false, kind != ATTEST_RESULT_NRAS, NULL,
                             (kind & 0xFF) == ATTEST_RESULT_NRAS};
    results_ctx c = {r, policy, nonce_len ? nonce : NULL, nonce_len,
                     (kind & ATTEST_RESULT_ALLOW_RS256) != 0};
    if (rules_for(kind, issuer, &rules) != ATTEST_OK) /* checked by the caller */
        return;
    rules.at = attest_verifier_now(v);
    if (composite_check_scope(r, &shape, policy) != ATTEST_OK)
        return;
    if ((kind & 0xFF) == ATTEST_RESULT_NRAS)
        run_nras(&c, token, len, attest_keyset_jws(ks), &rules);
    else
        run_single(&c, kind & 0xFF, token, len, attest_keyset_jws(ks), &rules);
}

static int check_args(attest_result **out, attest_verifier *v, int kind, const uint8_t *token,
                      size_t len, const attest_keyset *ks, const char *issuer,
                      const uint8_t *nonce, size_t nonce_len)
{
    jws_rules rules;
    if (out)
        *out = NULL;
    if (!out || !v || !token || !len || !ks || (!nonce && nonce_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify_result_token: NULL argument");
    if (nonce_len > ATTEST_NONCE_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify_result_token: a nonce of %zu "
                                "bytes; at most %d", nonce_len, ATTEST_NONCE_MAX);
    return rules_for(kind, issuer, &rules);
}

int attest_verify_result_token(attest_result **out, attest_verifier *v, int kind,
                               const uint8_t *token, size_t len, const attest_keyset *ks,
                               const char *issuer, const attest_policy *policy,
                               const uint8_t *nonce, size_t nonce_len)
{
    int status = check_args(out, v, kind, token, len, ks, issuer, nonce, nonce_len);
    attest_policy *fallback = NULL;
    if (status != ATTEST_OK)
        return status;
    if (!policy && (status = attest_policy_default(&fallback)) != ATTEST_OK)
        return status;
    policy = policy ? policy : fallback;
    attest_result *r = attest_result_new();
    if (!r || !(r->claims = json_object())) {
        attest_result_free(r);
        attest_policy_free(fallback);
        return attest_set_error(ATTEST_E_NOMEM, "verify_result_token: out of memory");
    }
    r->verified_at = attest_verifier_now(v);
    record_inputs(r, token, len, policy, nonce, nonce_len);
    appraise(r, v, kind, token, len, ks, issuer, policy, nonce, nonce_len);
    /* A nonce is verified or absent, as attest_verify keeps it. */
    if (r->status != ATTEST_OK || r->nonce_bound == 0) {
        memset(r->nonce, 0, sizeof r->nonce);
        r->nonce_len = 0;
    }
    ear_finish(r);
    status = r->status;
    attest_policy_free(fallback);
    *out = r;
    if (status != ATTEST_OK)
        attest_set_error(status, "%s", attest_result_reason(r));
    return status;
}
