/* Azure confidential-VM evidence as one object: the HCL report from the
 * vTPM (its SNP report or TDREPORT and the runtime claims), the TPM quote
 * that makes it fresh (TPMS_ATTEST, signature, PCR values) and, for TDX,
 * the TD quote Azure issues for the TDREPORT. Parsed only: every check is
 * in pipeline_azure.c. */
#ifndef ATTEST_API_AZURE_EVIDENCE_H
#define ATTEST_API_AZURE_EVIDENCE_H

#include "api.h"
#include "../parse/azure_hcl.h"
#include "../parse/dcap_quote.h"
#include "../parse/snp_report.h"
#include "../parse/tdx_report.h"
#include "../parse/tpm_attest.h"

#define AZURE_PCR_VALUES_MAX (32 * 32) /* 32 PCRs of 32 bytes */

typedef struct azure_evidence {
    uint8_t *hcl_raw;            /* owned copies of the parts */
    size_t hcl_raw_len;
    attest_hcl_report hcl;       /* points into hcl_raw */
    attest_runtime_claims claims;
    snp_report snp;              /* report_type SNP */
    int snp_status;              /* ATTEST_OK, or why the SNP report is not
                                    verifiable (an unsupported version): the
                                    HCL and its claims still are, and the
                                    verification fails naming it */
    char snp_error[256];
    attest_tdx_report tdreport;  /* report_type TDX */
    dcap_quote *td_quote;        /* TDX: the TD quote of the TDREPORT, or NULL */
    uint8_t *quote_raw;          /* TPMS_ATTEST, or NULL: no TPM quote */
    size_t quote_len;
    attest_tpm_attest quote;     /* points into quote_raw */
    uint8_t *signature;
    size_t signature_len;
    uint8_t *pcr_values;         /* the selected PCRs' values, ascending; NULL: none */
    size_t pcr_values_len;
} azure_evidence;

/* Build from parts (attest.h: attest_evidence_from_parts); each kind at
 * most once, the HCL report required. */
ATTEST_HIDDEN int azure_evidence_parse(azure_evidence **out, const attest_part_kind *kinds,
                                       const uint8_t *const *data, const size_t *lens,
                                       size_t n);
ATTEST_HIDDEN void azure_evidence_free(azure_evidence *az);

/* Whether the TD / SNP hardware report inside is SNP. */
ATTEST_HIDDEN bool azure_is_snp(const azure_evidence *az);

/* The evidence's parsed fields as JSON (attest_evidence_to_json). */
ATTEST_HIDDEN json_t *azure_evidence_to_json(const azure_evidence *az);

#endif
