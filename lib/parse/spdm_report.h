/* NVIDIA GPU / NVSwitch attestation reports: an SPDM 1.1 GET_MEASUREMENTS
 * request (37 bytes, carrying the verifier's nonce) followed by the
 * MEASUREMENTS response (DMTF measurement blocks, responder nonce, opaque
 * data TLVs, 96-byte raw ECDSA P-384 r||s signature), and the set of
 * devices' evidence one verification takes (from one raw report, a bundle,
 * or the JSON containers of nv_container.h). Pure parsing: no crypto.
 * Layouts: research/nvidia.md (a). */
#ifndef ATTEST_SPDM_REPORT_H
#define ATTEST_SPDM_REPORT_H

#include "../base/base.h"

#define NV_SPDM_REQUEST_SIZE 37
#define NV_SPDM_SIGNATURE_SIZE 96
#define NV_MAX_BLOCKS 255
#define NV_MAX_DEVICES 12          /* 8 GPUs + 4 NVSwitches */

/* Opaque-data TLV types (nvtrust OpaqueData.OPAQUE_DATA_TYPES). */
enum nv_opaque_type {
    NV_OPAQUE_CERT_ISSUER_NAME = 1,
    NV_OPAQUE_CERT_AUTHORITY_KEY_IDENTIFIER = 2,
    NV_OPAQUE_DRIVER_VERSION = 3,
    NV_OPAQUE_GPU_INFO = 4,
    NV_OPAQUE_SKU = 5,
    NV_OPAQUE_VBIOS_VERSION = 6,
    NV_OPAQUE_MANUFACTURER_ID = 7,
    NV_OPAQUE_TAMPER_DETECTION = 8,
    NV_OPAQUE_SMC = 9,
    NV_OPAQUE_VPR = 10,
    NV_OPAQUE_NVDEC0_STATUS = 11,
    NV_OPAQUE_MSRSCNT = 12,
    NV_OPAQUE_CPRINFO = 13,
    NV_OPAQUE_BOARD_ID = 14,
    NV_OPAQUE_CHIP_SKU = 15,
    NV_OPAQUE_CHIP_SKU_MOD = 16,
    NV_OPAQUE_PROJECT = 17,
    NV_OPAQUE_PROJECT_SKU = 18,
    NV_OPAQUE_PROJECT_SKU_MOD = 19,
    NV_OPAQUE_FWID = 20,
    NV_OPAQUE_PROTECTED_PCIE_STATUS = 21,
    NV_OPAQUE_SWITCH_PDI = 22,
    NV_OPAQUE_FLOORSWEPT_PORTS = 23,
    NV_OPAQUE_POSITION_ID = 24,
    NV_OPAQUE_LOCK_SWITCH_STATUS = 25,
    NV_OPAQUE_SWITCH_GPU_PDIS = 26,
    NV_OPAQUE_GPU_LINK_CONN = 32,
    NV_OPAQUE_SYS_ENABLE_STATUS = 33,
    NV_OPAQUE_OPAQUE_DATA_VERSION = 34,
    NV_OPAQUE_CHIP_INFO = 35,
    NV_OPAQUE_FEATURE_FLAG = 36,
    NV_OPAQUE_INVALID = 255,
};

/* Name of a TLV type ("DRIVER_VERSION", ...), or NULL if unknown. */
ATTEST_HIDDEN const char *nv_opaque_type_name(unsigned type);

typedef struct nv_block {
    uint8_t index;               /* 1-based block index; RIM index = index - 1 */
    uint8_t spec;                /* MeasurementSpecification, 1 = DMTF */
    uint8_t value_type;          /* DMTFSpecMeasurementValueType */
    uint16_t value_len;          /* <= 64 */
    uint8_t value[64];
} nv_block;

typedef struct nv_opaque_field {
    uint16_t type;
    uint16_t len;
    size_t off;                  /* value at raw + off */
} nv_opaque_field;

typedef struct nv_report {
    uint8_t *raw;                /* owned copy of the input */
    size_t raw_len;
    /* request */
    uint8_t req_version, req_code, req_param1, req_param2;
    uint8_t nonce[32];           /* the verifier's challenge */
    uint8_t slot_id;
    /* response */
    uint8_t resp_version, resp_code, resp_param1, resp_param2;
    uint8_t block_count;
    uint32_t record_len;
    nv_block *blocks;            /* owned, block_count of them (a report has
                                    ~64 of the 255 possible: 18 KB each kept
                                    per GPU otherwise) */
    uint8_t responder_nonce[32];
    uint16_t opaque_len;
    size_t opaque_off;
    nv_opaque_field *fields;     /* owned, in report order */
    size_t field_count;
    size_t signed_len;           /* raw[0, signed_len) = request || response w/o signature */
    uint8_t signature[96];       /* raw r||s, big-endian, at raw + signed_len */
    size_t trailing_len;         /* zero bytes after the signature (see parser) */
    /* decoded opaque fields ("" / -1 when absent) */
    char driver_version[64];     /* NUL stripped */
    char vbios_version[32];      /* "96.00.9F.00.01" (GPU 8-byte form formatted
                                    as nvtrust does; NVSwitch ASCII as is) */
    char project[16], project_sku[16], project_sku_mod[16];
    char chip_sku[16], chip_sku_mod[16], chip_info[16];
    bool has_fwid;
    uint8_t fwid[48];
    int nvdec0_status;           /* 0xAA enabled, 0x55 disabled, -1 absent */
    int ppcie_status;            /* PROTECTED_PCIE_STATUS, -1 absent */
    int opaque_data_version;     /* -1 absent */
    int feature_flag;            /* 0 SPT, 1 MPT, 2 PPCIE, -1 absent */
    bool is_switch;              /* LS10: SWITCH_GPU_PDIS present or 31 blocks */
    uint64_t switch_pdis[32];    /* GPU: connected switch PDIs (SWITCH_PDI, LE);
                                    switch: its own PDI at [0] */
    size_t switch_pdi_count;
    uint64_t gpu_pdis[8];        /* switch: SWITCH_GPU_PDIS */
    size_t gpu_pdi_count;
} nv_report;

/* True when the bytes start like a GET_MEASUREMENTS request (0x10..0x13,
 * 0xE0) long enough to hold one. */
ATTEST_HIDDEN bool nv_report_detect(const uint8_t *data, size_t len);

/* Parse a report. Rule for bytes after the signature: the signature is at
 * the offset the lengths give (never "the last 96 bytes"); trailing bytes
 * are accepted only if all zero (one trailing 0x00 is seen in the wild)
 * and are counted in trailing_len; any non-zero trailing byte is
 * ATTEST_E_LENGTH. Other errors: ATTEST_E_TRUNCATED, ATTEST_E_MALFORMED
 * (wrong codes, MeasurementSpecification != 1, block sizes that do not
 * add up to MeasurementRecordLength, TLVs overrunning OpaqueLength, a
 * duplicated TLV), ATTEST_E_NOMEM; the detail names the field
 * ("nvidia.report.opaque[3].length: ..."). */
ATTEST_HIDDEN int nv_report_parse(nv_report **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void nv_report_free(nv_report *r);

/* Every field as JSON: request, response, blocks (index, hex value),
 * every opaque TLV by name with its decoded value. */
ATTEST_HIDDEN json_t *nv_report_to_json(const nv_report *r);
/* The members of nv_report_to_json read while verifying (feature_mode),
 * alone: what a result holds until the whole report is asked for. */
ATTEST_HIDDEN json_t *nv_report_brief_json(const nv_report *r);

/* One device's evidence as NVIDIA's tools ship it: the report and the
 * device certificate chain (PEM text, leaf first). */
typedef struct nv_device_evidence {
    nv_report *report;           /* owned */
    char *chain_pem;             /* owned, NUL-terminated; NULL if absent */
    char arch[16];               /* "HOPPER", "BLACKWELL", "LS10", "" */
    bool has_nonce;              /* the container named a nonce */
    uint8_t nonce[32];
} nv_device_evidence;

typedef struct nv_evidence_set {
    nv_device_evidence devices[NV_MAX_DEVICES];
    size_t count;
} nv_evidence_set;

/* Free what the set owns and empty it. NULL ok. */
ATTEST_HIDDEN void nv_evidence_set_release(nv_evidence_set *s);

#endif
