/* Azure confidential VMs (vTPM-wrapped SNP and TDX evidence): the policy
 * of the vTPM side and its appraisal. The hardware report inside is
 * verified and appraised by the SNP or DCAP path as if it came alone. */
#ifndef ATTEST_AZURE_APPRAISE_H
#define ATTEST_AZURE_APPRAISE_H

#include "../base/base.h"
#include "../parse/azure_hcl.h"
#include "binding.h"
#include "policy.h"
#include "policy_reader.h"

#define AZURE_PCR_COUNT 24
#define AZURE_VM_CONFIG_COUNT 5

typedef struct azure_policy {
    bool require_tpm_quote;   /* a TPM quote must come with the HCL report (true) */
    bool require_pcr_values;  /* PCR values must come with the quote (false) */
    bool require_ak_cert;     /* the AK certificate must verify (false) */
    uint32_t pinned_pcrs;     /* bit i: pcrs[i] holds the allowed values */
    policy_digests pcrs[AZURE_PCR_COUNT];
    int vm_config[AZURE_VM_CONFIG_COUNT]; /* -1 any, 0 false, 1 true */
    attest_binding user_data_binding;     /* none (default) */
    policy_bytes user_data;   /* exact user-data (unset: any) */
} azure_policy;

/* "secure-boot", "tpm-enabled", ... for index i; NULL past the end. */
ATTEST_HIDDEN const char *azure_vm_config_name(size_t i);

ATTEST_HIDDEN void azure_policy_defaults(azure_policy *p);
ATTEST_HIDDEN int azure_policy_from_json(azure_policy *p, json_t *section);
ATTEST_HIDDEN void azure_policy_release(azure_policy *p);

/* The PCRs the quote authenticates: its signed selection, and the values
 * given with it once they hashed to the signed pcrDigest. */
typedef struct azure_pcrs {
    uint32_t selected;          /* bit i: PCR i in the signed selection */
    uint32_t known;             /* bit i: value[i] verified against pcrDigest */
    uint8_t value[AZURE_PCR_COUNT][32];
} azure_pcrs;

/* Appraise the vTPM side against the policy's "azure" section: pinned PCR
 * values (policy.azure.pcrs.N), vm-configuration members
 * (policy.azure.vm_configuration), user-data (policy.azure.user_data and,
 * with a binding, policy.azure.user_data_binding, which verifies the
 * caller's nonce in hardware: the claims are bound to REPORT_DATA). `pcrs`
 * is NULL when no quote was verified. */
ATTEST_HIDDEN void azure_appraise(attest_result *r, const attest_runtime_claims *claims,
                                  const azure_pcrs *pcrs, const azure_policy *p,
                                  const uint8_t *nonce, size_t nonce_len);

#endif
