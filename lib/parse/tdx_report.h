/* Intel TDX TDREPORT_STRUCT (1024 bytes; Intel TDX Module ABI, "TDREPORT_
 * STRUCT"): REPORTMACSTRUCT (256), TEE_TCB_INFO (239 + 17 reserved),
 * TDINFO (512). The form the Azure HCL report carries; it is only MAC'd by
 * the CPU, so it proves nothing alone: a verifier compares it with the TD
 * quote that Azure IMDS issues for it. A pure parser, no crypto. */
#ifndef ATTEST_TDX_REPORT_H
#define ATTEST_TDX_REPORT_H

#include "../base/base.h"

#define ATTEST_TDREPORT_SIZE 1024
#define ATTEST_TDREPORT_TYPE_TDX 0x81

typedef struct attest_tdx_report {
    /* REPORTMACSTRUCT (0x000) */
    uint8_t report_type, report_subtype, report_version; /* 0x81, 0, 0 or 1 */
    uint8_t cpusvn[16];
    uint8_t tee_tcb_info_hash[48];
    uint8_t tee_info_hash[48];
    uint8_t report_data[64];
    uint8_t mac[32];
    /* TEE_TCB_INFO (0x100) */
    uint8_t tee_tcb_valid[8];
    uint8_t tee_tcb_svn[16];
    uint8_t mrseam[48];
    uint8_t mrsignerseam[48];
    uint64_t seam_attributes;
    uint8_t tee_tcb_svn2[16]; /* TDX 1.5 (report_version 1), else zero */
    /* TDINFO (0x200) */
    uint64_t attributes;
    uint64_t xfam;
    uint8_t mrtd[48];
    uint8_t mrconfigid[48];
    uint8_t mrowner[48];
    uint8_t mrownerconfig[48];
    uint8_t rtmr[4][48];
    uint8_t servtd_hash[48];  /* TDX 1.5, else zero */
} attest_tdx_report;

/* Parse exactly 1024 bytes. Errors: ATTEST_E_TRUNCATED / ATTEST_E_LENGTH
 * (size), ATTEST_E_MALFORMED (REPORTTYPE not TDX, subtype, reserved bytes
 * not zero), ATTEST_E_UNSUPPORTED_VERSION (REPORTTYPE version > 1). */
ATTEST_HIDDEN int attest_tdx_report_parse(attest_tdx_report *out, const uint8_t *data,
                                          size_t len);

/* Every field as JSON (bytes in hex), or NULL when out of memory. */
ATTEST_HIDDEN json_t *attest_tdx_report_to_json(const attest_tdx_report *r);

#endif
