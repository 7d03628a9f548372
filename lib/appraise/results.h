/* Other verifiers' results (docs/results.md): the claims of tokens whose
 * signature, issuer and time lib/chain/jws.c has already verified, mapped
 * into checks and EAR submods of an attest_result, judged by the same
 * policy as raw evidence. NVIDIA NRAS (a detached EAT: an overall JWT and
 * one JWT per GPU) -> gpuN submods; Intel Trust Authority (TDX) and Azure
 * Attestation (SGX) -> a cpu0 submod. Every submod names its appraiser
 * ("appraised_by"). A claim the mapping needs that is absent is a failure,
 * never a pass. Nothing here verifies a signature. */
#ifndef ATTEST_RESULTS_H
#define ATTEST_RESULTS_H

#include "../base/base.h"
#include "policy.h"

#define NRAS_ISSUER "https://nras.attestation.nvidia.com"
#define ITA_ISSUER "https://portal.trustauthority.intel.com"
#define NRAS_MAX_GPUS 8

/* One token: its compact text (borrowed) and, once verified, its header
 * and claims (owned by whoever filled them). */
typedef struct results_token {
    const char *text;
    size_t len;
    json_t *header;
    json_t *claims;
} results_token;

/* An NRAS /v3/attest/gpu response, [["JWT", overall], {"GPU-0": jwt, ...}],
 * with the detached JWTs in the order of their keys' numbers ("GPU-0",
 * "GPU-1", ...: gpu0, gpu1, ...). The texts point into `doc`. */
typedef struct nras_response {
    json_t *doc;
    results_token overall;
    results_token gpus[NRAS_MAX_GPUS];
    const char *keys[NRAS_MAX_GPUS];
    size_t count;
} nras_response;

/* Read the outer JSON strictly (duplicate members refused): exactly two
 * elements, the first ["JWT", string], the second an object of 1 to
 * NRAS_MAX_GPUS strings under keys "GPU-<n>" (n decimal, < 100). Errors:
 * ATTEST_E_TOKEN_MALFORMED naming the element, ATTEST_E_NOMEM. On failure
 * *out is released. */
ATTEST_HIDDEN int nras_response_parse(nras_response *out, const uint8_t *p, size_t n);

/* Frees doc and the headers/claims filled in. */
ATTEST_HIDDEN void nras_response_release(nras_response *resp);

/* What every mapping needs besides the token. */
typedef struct results_ctx {
    attest_result *r;
    const attest_policy *policy;
    const uint8_t *nonce;   /* the caller's nonce, or NULL */
    size_t nonce_len;
    bool allow_rs256;       /* ITA: RS256 accepted beside PS384 */
} results_ctx;

/* NRAS: submods == detached keys with SHA-256 digests of the JWT texts,
 * eat_nonce of every JWT == the caller's nonce, the overall verdict, per
 * GPU the verdict claims, then the "nvidia" policy (versions, min_gpus;
 * members that need raw evidence refused). Adds submods gpu0..; claims
 * under r->claims "results". Returns the first failure or ATTEST_OK. */
ATTEST_HIDDEN int nras_appraise(const results_ctx *c, const nras_response *resp);

/* nras_appraise in two steps, for a composite whose binding check must
 * count in the GPUs' submods: the checks, then the submods over the
 * checks recorded from `first`. */
ATTEST_HIDDEN int nras_check(const results_ctx *c, const nras_response *resp);
ATTEST_HIDDEN void nras_add_submods(const results_ctx *c, const nras_response *resp,
                                    size_t first);

/* Intel Trust Authority TDX token -> cpu0, judged by the "tdx" policy
 * section: TCB status (normalised spelling), advisories, debug, the TD
 * fields; verifier_nonce and held data bound by tdx_report_data. */
ATTEST_HIDDEN int ita_appraise(const results_ctx *c, const results_token *t);

/* Azure Attestation SGX token -> cpu0, judged by the "sgx" policy section;
 * runtime data bound by x-ms-sgx-report-data. */
ATTEST_HIDDEN int maa_appraise(const results_ctx *c, const results_token *t);

/* A TCB status as ITA writes it ("OutOfDate", pre-GA "OUT_OF_DATE") as a
 * dcap_tcb_status, or -1. */
ATTEST_HIDDEN int results_tcb_status(const char *text);

/* A string claim of exactly 2*len hex digits into out[len]. */
ATTEST_HIDDEN bool results_hex_claim(json_t *claims, const char *name, uint8_t *out, size_t len);

/* Record "appraised_by" {service, iss, kid} in submod `submod` of r. */
ATTEST_HIDDEN void results_note_appraiser(attest_result *r, const char *submod,
                                          const char *service, const results_token *t);

/* The caller's nonce compared with a hex claim (eat_nonce): check `name`,
 * ATTEST_E_TOKEN_NONCE when absent or different; with no caller nonce a
 * skip, or a failure when `required`. */
ATTEST_HIDDEN int results_check_hex_nonce(const results_ctx *c, const char *name, json_t *claim,
                                          bool required);

#endif
