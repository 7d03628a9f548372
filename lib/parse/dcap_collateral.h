/* Intel DCAP JSON collateral as served by Intel PCS / a PCCS: TCB Info
 * (v2 SGX, v3 SGX and TDX) and Enclave Identity (QE, TD_QE, QVE; v2), each
 * as the body {"tcbInfo"|"enclaveIdentity": {...}, "signature": "<hex r||s>"}.
 * The signature covers the exact bytes of the inner object as received;
 * the parser hands those bytes over untouched (never re-serialised).
 * Pure parsing: no signature checks, no time checks, no policy. */
#ifndef ATTEST_DCAP_COLLATERAL_H
#define ATTEST_DCAP_COLLATERAL_H

#include "../base/base.h"

typedef enum dcap_tcb_status {
    DCAP_TCB_UP_TO_DATE = 0,
    DCAP_TCB_SW_HARDENING_NEEDED,
    DCAP_TCB_CONFIGURATION_NEEDED,
    DCAP_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
    DCAP_TCB_OUT_OF_DATE,
    DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
    DCAP_TCB_REVOKED,
    DCAP_TCB_NOT_SUPPORTED, /* computed: no level matches (never in JSON) */
} dcap_tcb_status;

/* "UpToDate", "SWHardeningNeeded", ... (Intel's spelling); NULL if out of range. */
ATTEST_HIDDEN const char *dcap_tcb_status_name(dcap_tcb_status s);
/* Inverse of the above; -1 for an unknown name. */
ATTEST_HIDDEN int dcap_tcb_status_parse(const char *name);

typedef struct dcap_advisories {
    char **ids;   /* owned strings, e.g. "INTEL-SA-00615" */
    size_t count;
} dcap_advisories;

/* A platform TCB level of TCB Info. */
typedef struct dcap_tcb_level {
    int sgx_svn[16];     /* sgxtcbcomponents[i].svn (v3) / sgxtcbcompNNsvn (v2) */
    int pcesvn;
    bool has_tdx;        /* TDX TCB Info: tdxtcbcomponents present */
    int tdx_svn[16];
    int64_t tcb_date;    /* Unix seconds */
    dcap_tcb_status status;
    dcap_advisories advisories;
} dcap_tcb_level;

/* A level of an enclave identity or of a TDX module identity. */
typedef struct dcap_isv_level {
    int isvsvn;
    int64_t tcb_date;
    dcap_tcb_status status;
    dcap_advisories advisories;
} dcap_isv_level;

typedef struct dcap_tdx_module_identity {
    char id[16];                 /* "TDX_01", ... */
    uint8_t mrsigner[48];
    uint8_t attributes[8];
    uint8_t attributes_mask[8];
    dcap_isv_level *levels;      /* JSON order */
    size_t level_count;
} dcap_tdx_module_identity;

typedef enum dcap_tcb_info_id { DCAP_TCB_INFO_SGX = 0, DCAP_TCB_INFO_TDX = 1 } dcap_tcb_info_id;

typedef struct dcap_tcb_info {
    int version;                 /* 2 or 3 */
    dcap_tcb_info_id id;         /* v2 is always SGX */
    int64_t issue_date, next_update;
    uint8_t fmspc[6];
    uint8_t pce_id[2];
    int tcb_type;                /* 0 */
    int tcb_evaluation_data_number;
    bool has_tdx_module;         /* "tdxModule" present (TDX) */
    uint8_t tdx_module_mrsigner[48];
    uint8_t tdx_module_attributes[8];
    uint8_t tdx_module_attributes_mask[8];
    dcap_tdx_module_identity *module_identities;
    size_t module_identity_count;
    dcap_tcb_level *levels;      /* sorted in QVL's order: highest first
                                    (SGX components, then PCESVN, then TDX
                                    components, compared lexicographically) */
    size_t level_count;
    uint8_t *body;               /* exact signed bytes of the "tcbInfo" value */
    size_t body_len;
    uint8_t body_sha256[32];     /* SHA-256 of body (what ES256 signs), set by
                                    attest_collateral_add (no crypto here) to name
                                    the verdict in the verifier's cache ... */
    bool body_sha256_set;        /* ... when set; else lib/chain hashes body */
    uint8_t signature[64];       /* raw r||s from the "signature" member */
} dcap_tcb_info;

typedef enum dcap_identity_id { DCAP_ID_QE = 0, DCAP_ID_TD_QE = 1, DCAP_ID_QVE = 2 } dcap_identity_id;

typedef struct dcap_qe_identity {
    int version;                 /* 2 */
    dcap_identity_id id;
    int64_t issue_date, next_update;
    int tcb_evaluation_data_number;
    uint32_t miscselect, miscselect_mask;
    uint8_t attributes[16], attributes_mask[16];
    uint8_t mrsigner[32];
    uint16_t isvprodid;
    dcap_isv_level *levels;      /* JSON order (Intel serves highest first) */
    size_t level_count;
    uint8_t *body;               /* exact signed bytes of "enclaveIdentity" */
    size_t body_len;
    uint8_t body_sha256[32];     /* as dcap_tcb_info's */
    bool body_sha256_set;
    uint8_t signature[64];
} dcap_qe_identity;

/* Recognisers used when collateral arrives untyped (files, bundles). */
ATTEST_HIDDEN bool dcap_tcb_info_detect(const uint8_t *data, size_t len);
ATTEST_HIDDEN bool dcap_qe_identity_detect(const uint8_t *data, size_t len);

/* Parse a PCS response body. Strict: unknown version, id, status name,
 * missing member, wrong type, a component array that is not exactly 16
 * long, a duplicate TCB level, a hex field of the wrong length: all
 * ATTEST_E_MALFORMED with a detail naming the member
 * ("dcap.tcb_info.tcbLevels[3].tcb.sgxtcbcomponents: 15 entries, need 16").
 * Duplicate JSON keys are rejected. Unknown members are ignored (Intel
 * adds members over time; the signature covers them). */
ATTEST_HIDDEN int dcap_tcb_info_parse(dcap_tcb_info **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN int dcap_qe_identity_parse(dcap_qe_identity **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void dcap_tcb_info_free(dcap_tcb_info *t);
ATTEST_HIDDEN void dcap_qe_identity_free(dcap_qe_identity *q);

/* Locate the raw bytes of the value of top-level member `name` in the JSON
 * object `data` (a small scanner that honours strings and nesting; the
 * document must be a single valid object). Returns 0 and sets *off and *n, or
 * -1 if absent or malformed. */
ATTEST_HIDDEN int dcap_json_member_span(const uint8_t *data, size_t len, const char *name,
                                        size_t *off, size_t *n);

/* Summaries for results and `attest inspect`. */
ATTEST_HIDDEN json_t *dcap_tcb_info_to_json(const dcap_tcb_info *t);
ATTEST_HIDDEN json_t *dcap_qe_identity_to_json(const dcap_qe_identity *q);

#endif
