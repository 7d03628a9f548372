/* Azure confidential-VM HCL report (vTPM NV index 0x01400001) and the
 * runtime claims JSON it carries: a pure parser from bytes to fields. No
 * crypto, no policy: whether SHA-256(claims) equals the hardware report's
 * REPORT_DATA is lib/chain's question. Layout: research/azure.md section 2,
 * vectors/azure/MANIFEST.md section 1 (all integers little-endian):
 *   0x000 "HCLA" | 0x004 header version (1, 2) | 0x008 report size
 *   (= 0x4D4 + var_size) | 0x00C request type (2) | 0x010 status (0) |
 *   0x014 reserved (12 zero bytes) | 0x020 hardware report (1184 bytes: an
 *   SNP report, or a 1024-byte TDREPORT and 160 zero bytes) | 0x4C0 IGVM
 *   data_size (= 20 + var_size) | 0x4C4 version (1) | 0x4C8 report_type
 *   (2 SNP, 4 TDX) | 0x4CC hash_type (1 SHA-256) | 0x4D0 var_size |
 *   0x4D4 runtime claims (var_size bytes) | zero bytes to the buffer end. */
#ifndef ATTEST_AZURE_HCL_H
#define ATTEST_AZURE_HCL_H

#include "../base/base.h"

#define ATTEST_HCL_HW_REPORT_OFFSET 0x020
#define ATTEST_HCL_HW_AREA_SIZE 1184    /* the hardware report area */
#define ATTEST_HCL_TDREPORT_SIZE 1024
#define ATTEST_HCL_IGVM_OFFSET 0x4C0
#define ATTEST_HCL_CLAIMS_OFFSET 0x4D4
#define ATTEST_HCL_MAX 65536            /* largest buffer accepted */
#define ATTEST_RUNTIME_CLAIMS_MAX 16384 /* largest claims document accepted */
#define ATTEST_RSA_JWK_N_MAX 512        /* RSA-4096 */
#define ATTEST_RSA_JWK_E_MAX 8

enum {
    ATTEST_HCL_REPORT_SNP = 2,
    ATTEST_HCL_REPORT_TDX = 4,
    ATTEST_HCL_HASH_SHA256 = 1,
};

/* The fields of an HCL report. Pointers point into the parsed buffer, which
 * must outlive the struct. */
typedef struct attest_hcl_report {
    uint32_t header_version;   /* 1 or 2 */
    uint32_t report_size;      /* 0x4D4 + var_size */
    uint32_t request_type;     /* 2 */
    uint32_t status;           /* 0 */
    uint32_t data_size;        /* 20 + var_size */
    uint32_t igvm_version;     /* 1 */
    uint32_t report_type;      /* ATTEST_HCL_REPORT_SNP or _TDX */
    uint32_t hash_type;        /* ATTEST_HCL_HASH_SHA256 */
    const uint8_t *hw_report;  /* 1184 bytes (SNP) or 1024 bytes (TDREPORT) */
    size_t hw_report_len;
    const uint8_t *claims;     /* the runtime claims exactly as stored */
    size_t claims_len;         /* = var_size */
    size_t buffer_len;         /* bytes given, incl. the zero tail */
} attest_hcl_report;

/* Parse an HCL report (len >= 0x4D4 + var_size, at most ATTEST_HCL_MAX,
 * zero bytes after the claims). Errors (detail names the field):
 * ATTEST_E_TRUNCATED (shorter than the header or the claims it announces),
 * ATTEST_E_LENGTH (non-zero tail, too large), ATTEST_E_UNSUPPORTED_VERSION
 * (header version, IGVM version, report_type 3, hash_type 2/3),
 * ATTEST_E_MALFORMED (signature, sizes, request type, status, reserved,
 * TDX padding, a NUL in the claims, other report/hash types). */
ATTEST_HIDDEN int attest_hcl_parse(attest_hcl_report *out, const uint8_t *data, size_t len);

/* True when the bytes start like an HCL report ("HCLA", at least the
 * fixed header), for format detection; attest_hcl_parse decides. */
ATTEST_HIDDEN bool attest_hcl_detect(const uint8_t *data, size_t len);

/* An RSA public key from a JWK: n and e as unsigned big-endian bytes. */
typedef struct attest_rsa_jwk {
    bool present;
    uint8_t n[ATTEST_RSA_JWK_N_MAX];
    size_t n_len;
    uint8_t e[ATTEST_RSA_JWK_E_MAX];
    size_t e_len;
} attest_rsa_jwk;

/* A vm-configuration boolean: absent, false or true. */
typedef enum attest_tristate {
    ATTEST_ABSENT = -1,
    ATTEST_FALSE = 0,
    ATTEST_TRUE = 1,
} attest_tristate;

/* The runtime claims. Strings point into `root`; free with
 * attest_runtime_claims_free(). */
typedef struct attest_runtime_claims {
    json_t *root;                  /* the whole document (owned) */
    attest_rsa_jwk ak;             /* kid "HCLAkPub" (always present) */
    attest_rsa_jwk ek;             /* kid "HCLEkPub" (optional) */
    attest_tristate console_enabled, secure_boot, tpm_enabled, tpm_persisted,
        filtered_vpci_devices_allowed;
    const char *vm_unique_id;      /* NULL when absent */
    const char *root_cert_thumbprint;
    bool has_current_time;
    int64_t current_time;          /* seconds since 1970 (older reports) */
    bool has_user_data;            /* "user-data": 128 hex digits */
    uint8_t user_data[64];
} attest_runtime_claims;

/* Parse the runtime claims JSON (at most ATTEST_RUNTIME_CLAIMS_MAX bytes,
 * no NUL, no duplicate member): the AK by kid "HCLAkPub" (exactly one; kty
 * RSA; n and e strict unpadded base64url; key_ops not enforced), the EK by
 * kid "HCLEkPub" (at most one), vm-configuration members (type-checked)
 * and user-data. On failure *out holds nothing to free. Errors:
 * ATTEST_E_LENGTH, ATTEST_E_MALFORMED (detail names the member),
 * ATTEST_E_NOMEM. */
ATTEST_HIDDEN int attest_runtime_claims_parse(attest_runtime_claims *out,
                                              const uint8_t *json, size_t len);
ATTEST_HIDDEN void attest_runtime_claims_free(attest_runtime_claims *c);

/* The header fields as JSON (hardware report and claims left to their own
 * views), or NULL when out of memory. */
ATTEST_HIDDEN json_t *attest_hcl_to_json(const attest_hcl_report *r);
/* The claims as JSON: the document itself plus "ak"/"ek" moduli in hex. */
ATTEST_HIDDEN json_t *attest_runtime_claims_to_json(const attest_runtime_claims *c);

#endif
