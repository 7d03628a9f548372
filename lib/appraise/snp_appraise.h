/* Appraisal of a verified SEV-SNP report against the relying party's
 * policy (docs/policy.md, section "snp"). */
#ifndef ATTEST_SNP_APPRAISE_H
#define ATTEST_SNP_APPRAISE_H

#include "../base/base.h"
#include "../chain/collateral.h"
#include "policy.h"
#include "../parse/snp_report.h"
#include "binding.h"
#include "policy_reader.h"

/* A floor per TCB component; -1 = no floor for that component. */
typedef struct snp_tcb_floor {
    int fmc, boot_loader, tee, snp, microcode;
} snp_tcb_floor;


typedef enum snp_signer_rule { SNP_SIGNER_ANY = 0, SNP_SIGNER_VCEK, SNP_SIGNER_VLEK } snp_signer_rule;

typedef struct snp_policy {
    bool require_crl;
    snp_tcb_floor min_tcb;           /* against REPORTED_TCB */
    snp_tcb_floor min_committed_tcb;
    snp_tcb_floor min_current_tcb;
    snp_tcb_floor min_launch_tcb;
    bool allow_debug;
    bool allow_smt;
    bool allow_migration_agent;
    bool require_single_socket;
    int min_abi_major, min_abi_minor; /* -1: none */
    policy_digests measurements;      /* empty: any */
    policy_bytes host_data;
    policy_bytes report_data;
    attest_binding nonce_binding;
    unsigned vmpl_mask;               /* bit i: VMPL i allowed */
    policy_bytes family_id, image_id;
    policy_digests id_key_digests;    /* empty: any */
    policy_digests author_key_digests;
    snp_signer_rule signer;
    int64_t min_guest_svn;            /* -1: none */
    bool allow_provisional_firmware;
    int min_fw_major, min_fw_minor, min_fw_build; /* -1: none */
} snp_policy;

/* The strict defaults (docs/policy.md). */
ATTEST_HIDDEN void snp_policy_defaults(snp_policy *p);

/* Read the "snp" member of a policy document into `p` (starting from the
 * defaults). Unknown members and wrong types are ATTEST_E_POLICY_INVALID
 * naming the member. */
ATTEST_HIDDEN int snp_policy_from_json(snp_policy *p, json_t *snp);
ATTEST_HIDDEN void snp_policy_release(snp_policy *p);

/* Judge `rep` (already verified, product known) against `p`. Every rule
 * the policy sets is recorded as a check; returns the first failure. */
ATTEST_HIDDEN int snp_appraise(attest_result *r, const snp_report *rep,
                               snp_product product, bool signed_by_vlek,
                               const snp_policy *p, const uint8_t *nonce,
                               size_t nonce_len, report_data_rule rule);

#endif
