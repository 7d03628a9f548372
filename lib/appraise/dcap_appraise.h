/* Appraisal of a verified Intel DCAP quote: the TCB status exactly as Intel
 * QVL computes it (TCB level match, TDX module, QE identity, convergence),
 * then the relying party's policy (docs/policy.md, sections "tdx"/"sgx"). */
#ifndef ATTEST_DCAP_APPRAISE_H
#define ATTEST_DCAP_APPRAISE_H

#include "../chain/intel.h"
#include "../base/base.h"
#include "../chain/collateral.h"
#include "policy.h"
#include "binding.h"
#include "policy_reader.h"
#include "eventlog.h"

#define DCAP_MAX_ADVISORIES 128

typedef struct dcap_tcb_result {
    dcap_tcb_status status;          /* converged, as QVL reports it */
    dcap_tcb_status platform_status; /* matched TCB Info level */
    dcap_tcb_status qe_status;       /* QE Identity level */
    bool has_module_status;          /* TDX module with a major version */
    dcap_tcb_status module_status;
    const dcap_tcb_level *platform_level;
    int64_t tcb_date;                /* earliest tcbDate of the levels used */
    const char *advisories[DCAP_MAX_ADVISORIES]; /* borrowed, de-duplicated */
    size_t advisory_count;
} dcap_tcb_result;

/* QVL's TCB evaluation. No level matching the platform, the module or the
 * QE is ATTEST_E_DCAP_TCB_NOT_SUPPORTED (check "dcap.tcb"). Adds the "tcb"
 * claims. */
ATTEST_HIDDEN int dcap_tcb_evaluate(attest_result *r, const dcap_quote *q,
                                    const dcap_verified *v, json_t *claims,
                                    dcap_tcb_result *out);

typedef struct dcap_policy {
    unsigned accepted_statuses;      /* bit per dcap_tcb_status */
    policy_strings allowed_advisories;   /* set: every advisory must be listed */
    policy_strings forbidden_advisories;
    int min_tcb_evaluation_data_number;    /* -1: none */
    bool allow_expired_collateral;
    bool allow_debug;
    int report_data_binding;         /* attest_binding: default (absent), none, raw, sha256/384/512 */
    policy_bytes report_data;
    /* TD */
    bool require_sept_ve_disable;    /* TD_ATTRIBUTES bit 28 must be set */
    policy_digests mrtd, mrseam;
    policy_bytes rtmr[4], mrsignerseam, seam_attributes, td_attributes, xfam, mrconfigid,
        mrowner, mrownerconfig, mrservicetd;
    eventlog_policy event_log;       /* "event_log" (docs/eventlog.md) */
    /* SGX */
    policy_digests mrenclave;
    policy_bytes mrsigner;
    int isvprodid;                   /* -1: any */
    int min_isvsvn;                  /* -1: none */
} dcap_policy;

ATTEST_HIDDEN void dcap_policy_defaults(dcap_policy *p);
/* Read a "tdx" or "sgx" section (`tdx` says which) into `p`. */
ATTEST_HIDDEN int dcap_policy_from_json(dcap_policy *p, json_t *section, bool tdx);
ATTEST_HIDDEN void dcap_policy_release(dcap_policy *p);

/* Judge the quote: collateral window, TCB status and advisories, then the
 * body fields. Every rule set is a named check; returns the first failure. */
ATTEST_HIDDEN int dcap_appraise(attest_result *r, const dcap_quote *q, const dcap_verified *v,
                                const dcap_tcb_result *tcb, const dcap_policy *p,
                                int64_t now, const uint8_t *nonce, size_t nonce_len,
                                report_data_rule rule);

/* The TD (td non-NULL) or enclave fields alone, as dcap_appraise judges
 * them: for a TD or enclave whose quote another verifier appraised
 * (results_ita.c, results_maa.c), rebuilt from its token's claims. */
ATTEST_HIDDEN void dcap_appraise_fields(attest_result *r, const dcap_td_report *td,
                                        const dcap_sgx_report *e, const dcap_policy *p);

#endif
