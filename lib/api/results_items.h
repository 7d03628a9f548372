/* Other verifiers' results as collateral items (collateral_results.c,
 * docs/results.md): an NRAS response and the JWKS that verifies it,
 * recognised by content for attest_classify and attest_collateral_add;
 * the composite of raw CPU evidence with GPUs appraised by NRAS
 * (pipeline_cpu_nras). */
#ifndef ATTEST_RESULTS_ITEMS_H
#define ATTEST_RESULTS_ITEMS_H

#include "api.h"
#include "pipeline.h"
#include "../appraise/results.h"
#include "../chain/jws.h"

/* ATTEST_ITEM_NRAS_RESULT (a JSON array whose first element is
 * ["JWT", ...]), ATTEST_ITEM_KEYSET (a JSON object with a "keys" array),
 * or ATTEST_ITEM_UNKNOWN. Detection only. */
ATTEST_HIDDEN attest_item_kind attest_result_item_kind(const uint8_t *data, size_t len);

/* Keep the item: the NRAS response as received (read when verified), the
 * key set decoded. A second of a kind is ATTEST_E_INVALID_ARG. */
ATTEST_HIDDEN int attest_collateral_add_result(attest_collateral *c, attest_item_kind kind,
                                               const uint8_t *data, size_t len);
ATTEST_HIDDEN void attest_collateral_free_results(attest_collateral *c);

/* Parse the NRAS response and verify every JWT (ES384, `rules`): checks
 * "nvidia.nras.format", "nvidia.nras.signature", "gpuN.nras.signature".
 * On ATTEST_OK *resp holds the verified tokens (nras_response_release). */
ATTEST_HIDDEN int results_nras_verify(attest_result *r, nras_response *resp,
                                      const uint8_t *token, size_t len, const jws_keyset *ks,
                                      const jws_rules *rules);

/* Raw CPU evidence with GPUs appraised by NRAS (collateral items): the
 * CPU verified as usual, the NRAS result verified and mapped, and the
 * GPUs bound to the CPU as docs/bundle.md binds raw GPUs, with each GPU's
 * nonce the eat_nonce NRAS attests it answered. */
/* Whether `coll` holds an NRAS result or a JWKS; with evidence other
 * than raw CPU evidence that is a failure recorded in r (never ignored). */
ATTEST_HIDDEN bool results_given(attest_result *r, const attest_collateral *coll,
                                 bool cpu_evidence);

ATTEST_HIDDEN int pipeline_cpu_nras(attest_result *r, attest_verifier *v,
                                    const attest_evidence *ev, const attest_collateral *coll,
                                    const attest_policy *policy, const nonce_use *n,
                                    json_t *claims);

/* A bundle (docs/bundle.md) whose collateral holds an NRAS result or a
 * JWKS: pipeline_cpu_nras over its raw CPU evidence and its collateral.
 * ATTEST_E_INVALID_ARG (recorded in r) when the bundle also holds raw GPU
 * evidence, or holds no CPU evidence; the partner item missing is refused
 * by pipeline_cpu_nras. `n` is the caller's nonce only (never the
 * bundle's: the GPUs are bound through a nonce the caller issued). */
struct attest_bundle;
ATTEST_HIDDEN int pipeline_bundle_nras(attest_result *r, attest_verifier *v,
                                       const struct attest_bundle *b,
                                       const attest_policy *policy, const nonce_use *n,
                                       json_t *claims);

#endif
