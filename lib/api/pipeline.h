/* The verification pipelines, one per platform and one for a whole
 * machine's bundle: parse (done) -> evidence and chain -> appraisal -> EAR
 * submod. Each records its checks in `r` and its claims in `claims`;
 * returns r->status. */
#ifndef ATTEST_PIPELINE_H
#define ATTEST_PIPELINE_H

#include "api.h"
#include "bundle.h"
#include "../parse/spdm_report.h"

/* An SEV-SNP report or a DCAP quote. */
ATTEST_HIDDEN int pipeline_cpu(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                               const attest_collateral *coll, const attest_policy *policy,
                               const uint8_t *nonce, size_t nonce_len, json_t *claims);

/* NVIDIA GPUs and NVSwitches. */
ATTEST_HIDDEN int pipeline_gpus(attest_result *r, attest_verifier *v, const nv_evidence_set *set,
                                const attest_collateral *coll, const attest_policy *policy,
                                const uint8_t *nonce, size_t nonce_len, json_t *claims);

/* A bundle: its CPU and GPUs, bound together (composite.binding). */
ATTEST_HIDDEN int pipeline_bundle(attest_result *r, attest_verifier *v, const attest_bundle *b,
                                  const attest_collateral *extra, const attest_policy *policy,
                                  const uint8_t *nonce, size_t nonce_len, json_t *claims);

#endif
