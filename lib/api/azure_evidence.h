/* Azure confidential-VM evidence as one object: the HCL report from the
 * vTPM (its SNP report or TDREPORT and the runtime claims), the TPM quote
 * that makes it fresh (TPMS_ATTEST, signature, PCR values) and, for TDX,
 * the TD quote Azure issues for the TDREPORT. Parsed only: every check is
 * in pipeline_azure.c. */
#ifndef ATTEST_API_AZURE_EVIDENCE_H
#define ATTEST_API_AZURE_EVIDENCE_H

#include "api.h"
#include "../parse/azure_evidence.h"
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
    uint8_t *pcr_list;           /* from a container: PCR i at 32 * i, mapped
                                    through the signed selection by the
                                    pipeline; NULL: none (pcr_values then) */
    size_t pcr_list_count;
    attest_collateral *carried;  /* the VCEK a Trustee az-snp-vtpm container
                                    carries, added as a collateral file is;
                                    evidence.c moves it to the evidence's
                                    `carried`, which pipeline.c adds to a
                                    view of the caller's collateral, as for
                                    Trustee's SNP JSON (collateral, not trust) */
    attest_azure_container container; /* 0: parts */
} azure_evidence;

/* Build from parts (attest.h: attest_evidence_from_parts); each kind at
 * most once, the HCL report required. */
ATTEST_HIDDEN int azure_evidence_parse(azure_evidence **out, const attest_part_kind *kinds,
                                       const uint8_t *const *data, const size_t *lens,
                                       size_t n);
ATTEST_HIDDEN void azure_evidence_free(azure_evidence *az);

/* Build from a Trustee az-snp-vtpm / az-tdx-vtpm evidence JSON (any
 * version lib/parse/azure_evidence.h takes): its HCL report, TPM quote
 * message, signature and PCR list, TD quote and VCEK. A quote-only
 * container (quote.bin, tpm-quote JSON) is refused here: it is a
 * TPM_QUOTE part. Errors: those of attest_azure_evidence_parse and of
 * the parts, ATTEST_E_FORMAT_UNKNOWN, ATTEST_E_CERT_PARSE (the VCEK). */
ATTEST_HIDDEN int azure_evidence_from_container(azure_evidence **out, const uint8_t *data,
                                                size_t len);

/* Whether `data` is a Trustee az-snp-vtpm / az-tdx-vtpm evidence JSON. */
ATTEST_HIDDEN bool azure_evidence_container_detect(const uint8_t *data, size_t len);

/* Whether the TD / SNP hardware report inside is SNP. */
ATTEST_HIDDEN bool azure_is_snp(const azure_evidence *az);

/* The evidence's parsed fields as JSON (attest_evidence_to_json). */
ATTEST_HIDDEN json_t *azure_evidence_to_json(const azure_evidence *az);

#endif
