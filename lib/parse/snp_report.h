/* AMD SEV-SNP ATTESTATION_REPORT (SEV-SNP ABI spec, table "ATTESTATION_REPORT
 * Structure"): a pure parser from bytes to fields. No crypto, no policy. */
#ifndef ATTEST_SNP_REPORT_H
#define ATTEST_SNP_REPORT_H

#include "../base/base.h"

#define SNP_REPORT_SIZE 0x4A0
#define SNP_SIGNED_SIZE 0x2A0     /* the signature covers [0, 0x2A0) */
#define SNP_SIG_COMPONENT_SIZE 72 /* R and S, little-endian */
#define SNP_MSG_REPORT_RSP_HEADER 0x20

typedef enum snp_product {
    SNP_PRODUCT_UNKNOWN = 0,
    SNP_PRODUCT_MILAN,
    SNP_PRODUCT_GENOA, /* includes Siena and Bergamo (same ARK/ASK) */
    SNP_PRODUCT_TURIN,
} snp_product;

typedef enum snp_signing_key {
    SNP_KEY_VCEK = 0,
    SNP_KEY_VLEK = 1,
    SNP_KEY_NONE = 7,
} snp_signing_key;

/* TCB_VERSION decoded with a product's layout. */
typedef struct snp_tcb {
    uint8_t fmc; /* Turin and later only */
    uint8_t boot_loader, tee, snp, microcode;
} snp_tcb;

/* Guest policy bits (ABI spec "GUEST_POLICY"). */
#define SNP_POLICY_SMT (1ull << 16)
#define SNP_POLICY_RESERVED_1 (1ull << 17)
#define SNP_POLICY_MIGRATE_MA (1ull << 18)
#define SNP_POLICY_DEBUG (1ull << 19)
#define SNP_POLICY_SINGLE_SOCKET (1ull << 20)

typedef struct snp_report {
    uint8_t raw[SNP_REPORT_SIZE]; /* the report exactly as received */
    uint32_t version;
    uint32_t guest_svn;
    uint64_t policy;
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t vmpl;
    uint32_t signature_algo;
    uint64_t current_tcb;
    uint64_t platform_info;
    uint32_t key_info;
    bool author_key_en;
    bool mask_chip_key;
    snp_signing_key signing_key;
    uint8_t report_data[64];
    uint8_t measurement[48];
    uint8_t host_data[32];
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t report_id[32];
    uint8_t report_id_ma[32];
    uint64_t reported_tcb;
    bool has_cpuid;         /* version >= 3 */
    uint8_t cpuid_fam_id, cpuid_mod_id, cpuid_step;
    uint8_t chip_id[64];
    uint64_t committed_tcb;
    uint8_t current_build, current_minor, current_major;
    uint8_t committed_build, committed_minor, committed_major;
    uint64_t launch_tcb;
    bool has_mit_vectors;   /* version >= 5 */
    uint64_t launch_mit_vector, current_mit_vector;
    snp_product cpuid_product; /* from CPUID (v3+), else UNKNOWN */
} snp_report;

/* The signature's R and S, 72 bytes little-endian each, inside raw. */
static inline const uint8_t *snp_sig_r(const snp_report *r) { return r->raw + 0x2A0; }
static inline const uint8_t *snp_sig_s(const snp_report *r) { return r->raw + 0x2E8; }

/* Parse an ATTESTATION_REPORT (exactly 1184 bytes) or a MSG_REPORT_RSP
 * that wraps one (status 0, size 1184, zero padding after). Errors name
 * the field in attest_error_last(). */
ATTEST_HIDDEN int snp_report_parse(snp_report *out, const uint8_t *data, size_t len);

/* True when the bytes look like SNP evidence (used by format detection). */
ATTEST_HIDDEN bool snp_report_detect(const uint8_t *data, size_t len);

/* Product line from CPUID family/model; UNKNOWN for unlisted models. */
ATTEST_HIDDEN snp_product snp_product_from_cpuid(uint8_t family, uint8_t model);
ATTEST_HIDDEN const char *snp_product_name(snp_product p);
/* "Milan", "Genoa", "Turin" (case-sensitive) -> product, else UNKNOWN. */
ATTEST_HIDDEN snp_product snp_product_from_name(const char *name);

/* Decode a TCB_VERSION with the product's layout. */
ATTEST_HIDDEN snp_tcb snp_tcb_decode(uint64_t tcb, snp_product product);

/* Every field as JSON; TCBs decoded when `product` is known. */
ATTEST_HIDDEN json_t *snp_report_to_json(const snp_report *r, snp_product product);

#endif
