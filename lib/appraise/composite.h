/* Appraisal across the devices of one machine and across evidence kinds
 * (docs/policy.md, "Scope" and "composite"; docs/bundle.md): which
 * platforms a policy accepts, the devices it requires whatever the
 * evidence's shape, and how GPUs are bound to their CPU. */
#ifndef ATTEST_COMPOSITE_H
#define ATTEST_COMPOSITE_H

#include "../base/base.h"
#include "../chain/collateral.h"
#include "policy.h"
#include "../parse/spdm_report.h"

/* What one verification holds, for the rules below. */
typedef struct composite_shape {
    unsigned platforms;            /* ATTEST_PLATFORM_* of the evidence */
    bool bundle;                   /* a whole machine's bundle */
    bool cpu;                      /* CPU evidence present */
    const nv_evidence_set *gpus;   /* GPU / NVSwitch evidence, or NULL */
    bool gpus_by_nras;             /* GPUs appraised by NRAS: their count is
                                      judged by results_nras.c, which sees it */
} composite_shape;

/* Check "policy.scope": every platform of the evidence is one the policy
 * addresses; else ATTEST_E_POLICY_PLATFORM naming both. */
ATTEST_HIDDEN int composite_check_scope(attest_result *r, const composite_shape *s,
                                        const attest_policy *policy);

/* Checks "composite.devices" (bundles, or any evidence under a policy with
 * a composite section) and "nvidia.devices" (device counts with no GPU
 * evidence at all). */
ATTEST_HIDDEN void composite_check_devices(attest_result *r, const composite_shape *s,
                                           const attest_policy *policy);

/* Check "composite.binding": `cpu_report_data` (64 bytes) must be
 * SHA-512(nonce || each GPU's request nonce, in order). `callers` says
 * whether the nonce is the caller's (then the check binds it: fresh) or
 * the bundle's recorded one (devices tied together, not fresh). `holder`
 * names where the 64 bytes are, for the detail ("REPORT_DATA", or on
 * Azure "the HCL runtime claims' user-data"). */
ATTEST_HIDDEN void composite_check_binding(attest_result *r, const uint8_t cpu_report_data[64],
                                           const char *holder,
                                           const nv_evidence_set *gpus, const uint8_t *nonce,
                                           size_t nonce_len, bool callers);

/* The same with the GPUs' nonces given (`count` of 32 bytes): GPUs
 * appraised by another verifier, whose nonce that verifier attests. */
ATTEST_HIDDEN void composite_check_binding_nonces(attest_result *r,
                                                  const uint8_t cpu_report_data[64],
                                                  const char *holder,
                                                  const uint8_t (*gpu_nonces)[32], size_t count,
                                                  const uint8_t *nonce, size_t nonce_len,
                                                  bool callers);

/* Record that same_nonce binding shows freshness only (a warning);
 * `cpu_nonce_in` names where the CPU answered the nonce. */
ATTEST_HIDDEN void composite_note_same_nonce(attest_result *r, const char *cpu_nonce_in);

#endif
