/* Other verifiers' results as collateral (results_items.h,
 * docs/results.md "Beside raw CPU evidence"): an NRAS response and its
 * JWKS given with raw CPU evidence make one composite, the CPU appraised
 * from its evidence and the GPUs by NRAS, bound as a bundle binds raw
 * GPUs: the CPU's report data = SHA-512(nonce || each GPU's nonce), each
 * GPU's nonce being the eat_nonce NRAS attests its report answered. */
#include "results_items.h"
#include "bundle.h"
#include "../appraise/composite.h"
#include "../appraise/nv_appraise.h"

#include <stdlib.h>
#include <string.h>

static bool looks_json(const uint8_t *d, size_t n, char open)
{
    size_t i = 0;
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    return i < n && d[i] == open;
}

attest_item_kind attest_result_item_kind(const uint8_t *data, size_t len)
{
    if (!data || !len || !(looks_json(data, len, '[') || looks_json(data, len, '{')))
        return ATTEST_ITEM_UNKNOWN;
    /* Every JSON collateral item is asked this first: a text that cannot
     * hold the tag "JWT" nor the member "keys" is not parsed for it. */
    if (!attest_json_may_hold_key(data, len, "JWT") && !attest_json_may_hold_key(data, len, "keys"))
        return ATTEST_ITEM_UNKNOWN;
    json_t *doc = json_loadb((const char *)data, len, 0, NULL);
    json_t *first = json_array_get(doc, 0);
    const char *tag = json_string_value(json_array_get(first, 0));
    attest_item_kind kind = tag && !strcmp(tag, "JWT") ? ATTEST_ITEM_NRAS_RESULT
                            : json_is_array(json_object_get(doc, "keys")) ? ATTEST_ITEM_KEYSET
                                                                          : ATTEST_ITEM_UNKNOWN;
    json_decref(doc);
    return kind;
}

int attest_collateral_add_result(attest_collateral *c, attest_item_kind kind,
                                 const uint8_t *data, size_t len)
{
    if (kind == ATTEST_ITEM_KEYSET) {
        if (c->result_keys)
            return attest_set_error(ATTEST_E_INVALID_ARG, "collateral: a second JWKS");
        return jws_keyset_parse(data, len, &c->result_keys);
    }
    if (c->nras_result)
        return attest_set_error(ATTEST_E_INVALID_ARG, "collateral: a second NRAS result");
    if (!(c->nras_result = malloc(len)))
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    memcpy(c->nras_result, data, len);
    c->nras_result_len = len;
    return ATTEST_OK;
}

void attest_collateral_free_results(attest_collateral *c)
{
    free(c->nras_result);
    jws_keyset_free(c->result_keys);
    c->nras_result = NULL;
    c->result_keys = NULL;
}

/* ---- the composite --------------------------------------------------------- */

/* Each GPU's nonce as NRAS attests it (eat_nonce, 32 bytes hex). */
static int gpu_nonces(attest_result *r, const nras_response *resp, uint8_t (*out)[32])
{
    for (size_t i = 0; i < resp->count; i++) {
        const char *hex = json_string_value(json_object_get(resp->gpus[i].claims, "eat_nonce"));
        if (!hex || strlen(hex) != 64 || attest_hex_decode(out[i], 32, hex) != 0)
            return attest_check_fail(r, "composite.binding", ATTEST_E_RESULT_CLAIMS,
                                     "%s: eat_nonce missing or not 32 bytes of hex",
                                     resp->keys[i]);
    }
    return ATTEST_OK;
}

/* The NRAS GPUs checked with the caller's nonce (same_nonce), or with
 * none when the CPU vouches for the eat_nonce (cpu_report_data). */
static void nras_gpus(attest_result *r, const attest_policy *policy, const nras_response *resp,
                      const nonce_use *n, bool via_cpu)
{
    attest_policy view = *policy;
    nv_policy np = *policy->nvidia;
    np.require_nonce = np.require_nonce && !(via_cpu && n->nonce);
    view.nvidia = &np;
    results_ctx c = {r, &view, via_cpu ? NULL : n->nonce, via_cpu ? 0 : n->len, false};
    nras_check(&c, resp);
}

static void bind_gpus(attest_result *r, const attest_evidence *ev, const nras_response *resp,
                      const nonce_use *n, bool via_cpu, json_t *cpu_claims)
{
    uint8_t nonces[NRAS_MAX_GPUS][32];
    const char *holder;
    const uint8_t *rd = pipeline_cpu_report_data(ev, &holder, via_cpu);
    json_object_set_new(cpu_claims, "gpu_binding_through", json_string(holder));
    if (!via_cpu) {
        composite_note_same_nonce(r, holder);
        return;
    }
    if (!n->nonce) {
        attest_check_fail(r, "composite.binding", ATTEST_E_INVALID_ARG, "GPUs appraised by "
                          "NRAS are bound to the CPU only through the caller's nonce: give one");
        return;
    }
    if (gpu_nonces(r, resp, nonces) == ATTEST_OK)
        composite_check_binding_nonces(r, rd, holder, nonces, resp->count, n->nonce, n->len,
                                       true);
}

bool results_given(attest_result *r, const attest_collateral *coll, bool cpu_evidence)
{
    bool given = coll && (coll->nras_result || coll->result_keys);
    if (given && !cpu_evidence)
        attest_check_fail(r, "nvidia.nras.format", ATTEST_E_INVALID_ARG, "an NRAS result or "
                          "JWKS goes beside raw CPU evidence only (GPU evidence and bundles "
                          "carry their own)");
    return given;
}

int pipeline_cpu_nras(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                      const attest_collateral *coll, const attest_policy *policy,
                      const nonce_use *n, json_t *claims)
{
    static const char *const algs[] = {"ES384", NULL};
    jws_rules rules = {algs, NRAS_ISSUER, attest_verifier_now(v), 0, true};
    bool via_cpu = policy->composite.gpu_binding == COMPOSITE_BIND_CPU_REPORT_DATA;
    nonce_use cpu_use = {n->nonce, n->len, via_cpu ? REPORT_DATA_BY_COMPOSITE : n->rule};
    nras_response resp;
    if (!(policy->platforms & ATTEST_PLATFORM_NVIDIA))
        return attest_check_fail(r, "policy.scope", ATTEST_E_POLICY_PLATFORM, "GPUs appraised "
                                 "by NRAS, but the policy does not address nvidia");
    if (!coll->result_keys || !coll->nras_result)
        return attest_check_fail(r, "nvidia.nras.format", ATTEST_E_INVALID_ARG, "%s",
                                 coll->result_keys ? "a JWKS given without an NRAS result"
                                                   : "an NRAS result without a JWKS to verify it");
    json_t *cpu = json_object();
    json_object_set_new(claims, "cpu0", cpu);
    pipeline_cpu_evidence(r, v, ev, coll, policy, &cpu_use, cpu);
    if (results_nras_verify(r, &resp, coll->nras_result, coll->nras_result_len,
                            coll->result_keys, &rules) != ATTEST_OK)
        return r->status;
    nras_gpus(r, policy, &resp, n, via_cpu);
    bind_gpus(r, ev, &resp, n, via_cpu, cpu);
    pipeline_cpu_submod(r, ev, cpu);
    results_ctx c = {r, policy, NULL, 0, false};
    nras_add_submods(&c, &resp, 0);
    nras_response_release(&resp);
    return r->status;
}

/* Inside a bundle file: the NRAS response and its JWKS are collateral
 * entries like any other, and stand for the GPUs of the bundle's raw CPU
 * evidence. Never beside raw GPU evidence (a GPU would be appraised twice,
 * by NRAS and by its report, and nothing tells which GPUs NRAS saw), never
 * without the CPU evidence that binds them. */
int pipeline_bundle_nras(attest_result *r, attest_verifier *v, const attest_bundle *b,
                         const attest_policy *policy, const nonce_use *n, json_t *claims)
{
    if (b->gpus)
        return attest_check_fail(r, "composite.gpus", ATTEST_E_INVALID_ARG,
                                 "bundle: an NRAS result or JWKS beside raw GPU evidence "
                                 "(one GPU would be appraised twice); give one or the other");
    if (!b->cpu)
        return attest_check_fail(r, "nvidia.nras.format", ATTEST_E_INVALID_ARG,
                                 "bundle: an NRAS result or JWKS without the raw CPU evidence "
                                 "that binds its GPUs");
    return pipeline_cpu_nras(r, v, b->cpu, b->collateral, policy, n, claims);
}
