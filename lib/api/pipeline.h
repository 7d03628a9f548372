/* The verification pipelines, one per platform and one for a whole
 * machine's bundle: parse (done) -> evidence and chain -> appraisal -> EAR
 * submod. Each records its checks in `r` and its claims in `claims`;
 * returns r->status. */
#ifndef ATTEST_PIPELINE_H
#define ATTEST_PIPELINE_H

#include "api.h"
#include "bundle.h"
#include "../appraise/binding.h"
#include "../parse/spdm_report.h"

/* The caller's nonce as one device's appraisal uses it. */
typedef struct nonce_use {
    const uint8_t *nonce;  /* NULL: none given */
    size_t len;
    report_data_rule rule; /* who judges the CPU's report data */
} nonce_use;

/* One SEV-SNP report: chain, signature, then the "snp" section; claims
 * under "report". */
ATTEST_HIDDEN int pipeline_verify_snp(attest_result *r, attest_verifier *v,
                                      const struct snp_report *rep,
                                      const attest_collateral *coll,
                                      const struct snp_policy *policy, const nonce_use *n,
                                      json_t *claims);

/* One DCAP quote: chain, collateral, TCB status, then the "tdx" or "sgx"
 * section; claims under "quote". */
ATTEST_HIDDEN int pipeline_verify_dcap(attest_result *r, attest_verifier *v,
                                       const struct dcap_quote *q,
                                       const attest_collateral *coll,
                                       const attest_policy *policy, const nonce_use *n,
                                       json_t *claims);

struct azure_evidence;

/* Azure CVM evidence (pipeline_azure.c): the hardware report inside, the
 * claims binding, the TPM quote, the AK certificate, the "azure" section;
 * claims under "azure" (and "report" / "quote"). */
ATTEST_HIDDEN int pipeline_verify_azure(attest_result *r, attest_verifier *v,
                                        const struct azure_evidence *az,
                                        const attest_collateral *coll,
                                        const attest_policy *policy, const uint8_t *nonce,
                                        size_t nonce_len, json_t *claims);

/* An SEV-SNP report, a DCAP quote or Azure CVM evidence; `n` says who
 * judges its report data. */
ATTEST_HIDDEN int pipeline_cpu(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                               const attest_collateral *coll, const attest_policy *policy,
                               const nonce_use *n, json_t *claims);

/* NVIDIA GPUs and NVSwitches. */
ATTEST_HIDDEN int pipeline_gpus(attest_result *r, attest_verifier *v, const nv_evidence_set *set,
                                const attest_collateral *coll, const attest_policy *policy,
                                const uint8_t *nonce, size_t nonce_len, json_t *claims);

/* A bundle: its CPU and GPUs, bound together (composite.binding);
 * cpu_rule judges the CPU's report data unless the CPU vouches for the
 * GPUs through it. */
ATTEST_HIDDEN int pipeline_bundle(attest_result *r, attest_verifier *v, const attest_bundle *b,
                                  const attest_collateral *extra, const attest_policy *policy,
                                  const uint8_t *nonce, size_t nonce_len,
                                  report_data_rule cpu_rule, json_t *claims);

/* The CPU evidence's checks without its submod; its submod; and the 64
 * bytes through which it vouches for GPUs, with where they are (*holder)
 * (for pipeline_cpu_nras). */
ATTEST_HIDDEN void pipeline_cpu_evidence(attest_result *r, attest_verifier *v,
                                         const attest_evidence *ev,
                                         const attest_collateral *coll,
                                         const attest_policy *policy, const nonce_use *n,
                                         json_t *claims);
ATTEST_HIDDEN void pipeline_cpu_submod(attest_result *r, const attest_evidence *ev,
                                       json_t *claims);
ATTEST_HIDDEN const uint8_t *pipeline_cpu_report_data(const attest_evidence *ev,
                                                      const char **holder, bool via_cpu);

/* What attest_verify runs beside the pipelines for RA-TLS (lib/api/ratls.c):
 * who judges the CPU's report data, whether the caller's nonce goes to the
 * pipelines (GPUs answer it) or only to `bind`, and the binding checks,
 * run before the pipeline. */
typedef struct verify_extra {
    report_data_rule cpu_rule;
    bool nonce_to_pipeline;
    int (*bind)(attest_result *r, void *ctx);
    void *ctx;
} verify_extra;

/* attest_verify with `x` (NULL: attest_verify itself). */
ATTEST_HIDDEN int attest_verify_extra(attest_result **out, attest_verifier *v,
                                      const attest_evidence *ev, const attest_collateral *coll,
                                      const attest_policy *policy, const uint8_t *nonce,
                                      size_t nonce_len, const verify_extra *x);

#endif
