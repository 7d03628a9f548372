/* Intel DCAP quotes: SGX v3, TDX v4, v5 (SGX, TD report 1.0, TD report 1.5),
 * ECDSA-256-with-P-256 attestation keys, certification data type 6 (QE
 * report certification data) nesting type 5 (PCK chain), or type 5 directly
 * for v3. A pure parser from bytes to fields: no crypto, no policy.
 * Layouts: Intel sgx_quote_3.h / sgx_quote_4.h / sgx_quote_5.h; research/tdx.md (a). */
#ifndef ATTEST_DCAP_QUOTE_H
#define ATTEST_DCAP_QUOTE_H

#include "../base/base.h"

#define DCAP_HEADER_SIZE 48
#define DCAP_SGX_REPORT_SIZE 384
#define DCAP_TD10_REPORT_SIZE 584
#define DCAP_TD15_REPORT_SIZE 648
#define DCAP_TEE_SGX 0x00000000u
#define DCAP_TEE_TDX 0x00000081u
#define DCAP_ATT_KEY_ECDSA_P256 2
#define DCAP_CERT_PCK_CHAIN 5
#define DCAP_CERT_QE_REPORT 6

typedef enum dcap_body_kind {
    DCAP_BODY_SGX = 1,  /* SGX enclave report, 384 bytes */
    DCAP_BODY_TD10 = 2, /* TD report 1.0, 584 bytes */
    DCAP_BODY_TD15 = 3, /* TD report 1.5, 648 bytes */
} dcap_body_kind;

/* SGX enclave report (REPORT_BODY): the quote body of SGX quotes and the
 * QE report of every quote. */
typedef struct dcap_sgx_report {
    uint8_t cpusvn[16];
    uint32_t miscselect;
    uint8_t isvextprodid[16];
    uint8_t attributes[16];
    uint8_t mrenclave[32];
    uint8_t mrsigner[32];
    uint8_t configid[64];
    uint16_t isvprodid;
    uint16_t isvsvn;
    uint16_t configsvn;
    uint8_t isvfamilyid[16];
    uint8_t reportdata[64];
} dcap_sgx_report;

/* TD report 1.0, plus the two TD report 1.5 fields when is_15. */
typedef struct dcap_td_report {
    uint8_t tee_tcb_svn[16];
    uint8_t mrseam[48];
    uint8_t mrsignerseam[48];
    uint8_t seam_attributes[8];
    uint8_t td_attributes[8];
    uint8_t xfam[8];
    uint8_t mrtd[48];
    uint8_t mrconfigid[48];
    uint8_t mrowner[48];
    uint8_t mrownerconfig[48];
    uint8_t rtmr[4][48];
    uint8_t reportdata[64];
    bool is_15;
    uint8_t tee_tcb_svn2[16];  /* TD report 1.5 only */
    uint8_t mrservicetd[48];   /* TD report 1.5 only */
} dcap_td_report;

typedef struct dcap_quote {
    uint8_t *raw;              /* owned copy of the whole input */
    size_t raw_len;
    /* header */
    uint16_t version;          /* 3, 4 or 5 */
    uint16_t att_key_type;     /* 2 */
    uint32_t tee_type;         /* DCAP_TEE_SGX or DCAP_TEE_TDX */
    uint16_t qe_svn, pce_svn;  /* v3 header fields; "reserved" in v4/v5:
                                  unauthenticated, never used for TCB */
    uint8_t qe_vendor_id[16];
    uint8_t user_data[20];
    /* body */
    dcap_body_kind body_kind;
    dcap_sgx_report enclave;   /* when body_kind == DCAP_BODY_SGX */
    dcap_td_report td;         /* when body_kind is TD10 or TD15 */
    size_t signed_len;         /* raw[0, signed_len) is what the attestation
                                  key signs: header||body (v3/v4) or
                                  header||type||size||body (v5) */
    /* signature data */
    uint32_t sig_data_len;
    uint8_t signature[64];     /* raw r||s, big-endian */
    uint8_t attest_key[64];    /* raw x||y, big-endian */
    uint16_t outer_cert_type;  /* 5 (v3) or 6 (v4/v5) */
    size_t qe_report_off;      /* raw + qe_report_off: the 384 signed bytes */
    dcap_sgx_report qe_report;
    uint8_t qe_report_sig[64]; /* raw r||s by the PCK key */
    size_t qe_auth_off, qe_auth_len;
    size_t pck_chain_off;      /* PEM text, leaf first */
    size_t pck_chain_len;      /* without the trailing NUL if there was one */
    size_t trailing_len;       /* zero padding after the signature data */
} dcap_quote;

/* True when the bytes look like a DCAP quote: version 3/4/5, attestation
 * key type 2 or 3, TEE type 0 or 0x81. */
ATTEST_HIDDEN bool dcap_quote_detect(const uint8_t *data, size_t len);

/* Parse a quote. Every length is checked against the buffer and against
 * the length field that contains it; sizes inside the certification data
 * must add up exactly. Errors (with a detail naming the field, e.g.
 * "dcap.quote.cert_data.type: 3 (encrypted PPID) not supported; ..."):
 * ATTEST_E_TRUNCATED, ATTEST_E_UNSUPPORTED_VERSION, ATTEST_E_MALFORMED,
 * ATTEST_E_LENGTH, ATTEST_E_NOMEM. Zero bytes after the signature data
 * are allowed (QGS pads quotes) and counted in trailing_len; a non-zero
 * one is ATTEST_E_LENGTH ("dcap.quote.trailing: byte 0x.. at offset N"). */
ATTEST_HIDDEN int dcap_quote_parse(dcap_quote **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void dcap_quote_free(dcap_quote *q);

/* Decode a 384-byte SGX report body. Cannot fail. */
ATTEST_HIDDEN void dcap_sgx_report_decode(dcap_sgx_report *out, const uint8_t raw[384]);

/* Every field as JSON (byte strings lowercase hex; the PCK chain as PEM text). */
ATTEST_HIDDEN json_t *dcap_quote_to_json(const dcap_quote *q);

#endif
