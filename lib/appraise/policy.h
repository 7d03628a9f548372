/* A policy document as the appraisal reads it (docs/policy.md): the
 * platforms it addresses, the composite rules and one section per
 * platform. Built by attest_policy_from_json (lib/api/policy.c). */
#ifndef ATTEST_POLICY_H
#define ATTEST_POLICY_H

#include "../base/base.h"

struct snp_policy;
struct dcap_policy;
struct nv_policy;
struct azure_policy;

/* How the devices of one machine are appraised together (docs/policy.md,
 * section "composite"). */
typedef enum composite_binding {
    COMPOSITE_BIND_CPU_REPORT_DATA = 0, /* CPU report data = SHA-512(nonce || GPU nonces) */
    COMPOSITE_BIND_SAME_NONCE,          /* every GPU answers the caller's nonce */
} composite_binding;

typedef struct composite_policy {
    composite_binding gpu_binding;
    bool require_cpu;
    int min_gpus;
    bool given;                /* the document has a "composite" section: its
                                  requirements hold for every evidence shape,
                                  not only for bundles */
} composite_policy;

/* The platforms a policy addresses (docs/policy.md, "Scope"). */
enum attest_platform_bits {
    ATTEST_PLATFORM_SNP = 1u << 0,
    ATTEST_PLATFORM_TDX = 1u << 1,
    ATTEST_PLATFORM_SGX = 1u << 2,
    ATTEST_PLATFORM_NVIDIA = 1u << 3,
    ATTEST_PLATFORM_AZURE = 1u << 4, /* the vTPM side of an Azure CVM (HCL report,
                                        TPM quote); its SNP report or TD quote
                                        is platform snp or tdx as well */
    ATTEST_PLATFORM_ALL = (1u << 5) - 1,
};
#define ATTEST_PLATFORM_COUNT 5

/* "snp", "tdx", "sgx", "nvidia" for one platform bit (policy_reader.c). */
ATTEST_HIDDEN const char *attest_platform_name(unsigned bit);

/* The platform bit of a name, or 0. */
ATTEST_HIDDEN unsigned attest_platform_bit(const char *name);

struct attest_policy {
    unsigned platforms;        /* ATTEST_PLATFORM_* the policy accepts evidence of */
    composite_policy composite;
    uint8_t sha256[32];        /* of the document as given (or of "{}") */
    struct snp_policy *snp;
    struct dcap_policy *tdx;   /* TDX quotes */
    struct dcap_policy *sgx;   /* SGX quotes */
    struct nv_policy *nvidia;  /* GPUs and NVSwitches */
    struct azure_policy *azure; /* the vTPM side of Azure CVM evidence */
    json_t *source;        /* the document as loaded, for the result */
};

#endif
