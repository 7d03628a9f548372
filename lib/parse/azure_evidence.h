/* The containers in which users hold Azure vTPM evidence, parsed into one
 * struct: HCL report, TD quote, TPM quote message (TPMS_ATTEST bytes) and
 * signature, PCR values, and the VCEK when carried. research/azure.md
 * section 4 "Containers peers use"; samples in vectors/azure (AS01, AS03,
 * AS04, AS07, AT01, K1, K2) and vectors/snp/sets (S08, S09):
 *   - az-cvm-vtpm bincode Quote (quote.bin): u64 len | signature | u64 len
 *     | message | u64 n | n x [u8;32] (K1) or n x (u64 32 | 32 bytes) (K2);
 *   - Trustee tpm-quote JSON {signature, message, pcrs} in hex;
 *   - Trustee az-snp-vtpm evidence v0 {quote{signature, message, pcrs} as
 *     byte arrays, report (byte array), vcek (PEM)} and v1/v2 {version,
 *     tpm_quote (hex), hcl_report (base64url), vcek (base64url DER)};
 *   - Trustee az-tdx-vtpm evidence v0 {tpm_quote, hcl_report, td_quote}
 *     as byte arrays and v1/v2 {version, tpm_quote (hex), hcl_report,
 *     td_quote (base64url)}.
 * Bytes only: what they hold is parsed by azure_hcl.h, tpm_attest.h and
 * dcap_quote.h, and judged by lib/chain. */
#ifndef ATTEST_AZURE_EVIDENCE_H
#define ATTEST_AZURE_EVIDENCE_H

#include "../base/base.h"

#define ATTEST_AZURE_EVIDENCE_MAX (512 * 1024) /* largest container read */
#define ATTEST_AZURE_PCR_MAX 24                /* an Azure vTPM has 24 PCRs */
#define ATTEST_AZURE_PCR_SIZE 32               /* SHA-256 bank */
#define ATTEST_AZURE_SIG_MAX 512               /* RSA-4096 */
#define ATTEST_AZURE_TD_QUOTE_MAX 65536
#define ATTEST_AZURE_VCEK_MAX 8192

typedef enum attest_azure_container {
    ATTEST_AZURE_BINCODE_QUOTE = 1,  /* az-cvm-vtpm quote.bin */
    ATTEST_AZURE_TPM_QUOTE_JSON,     /* Trustee tpm-quote */
    ATTEST_AZURE_SNP_VTPM,           /* Trustee az-snp-vtpm evidence */
    ATTEST_AZURE_TDX_VTPM,           /* Trustee az-tdx-vtpm evidence */
} attest_azure_container;

/* Every buffer is owned (NULL and 0 when the container has none); free
 * with attest_azure_evidence_free(). */
typedef struct attest_azure_evidence {
    attest_azure_container container;
    unsigned version;            /* Trustee evidence: 0, 1 or 2; else 0 */
    bool pcr_nested;             /* bincode: Vec<Vec<u8>> form */
    uint8_t *quote_msg;          /* TPMS_ATTEST bytes (the signed message) */
    size_t quote_msg_len;
    uint8_t *quote_sig;          /* RSASSA-PKCS1-v1_5 signature bytes */
    size_t quote_sig_len;
    uint8_t *pcrs;               /* pcr_count x 32 bytes, in list order */
    size_t pcr_count;
    uint8_t *hcl_report;
    size_t hcl_report_len;
    uint8_t *td_quote;
    size_t td_quote_len;
    uint8_t *vcek;               /* PEM text (v0) or DER (v1, v2) */
    size_t vcek_len;
    bool vcek_is_pem;
} attest_azure_evidence;

/* True when the bytes look like one of the containers above (JSON with
 * their members, or a bincode quote whose lengths add up). */
ATTEST_HIDDEN bool attest_azure_evidence_detect(const uint8_t *data, size_t len);

/* Parse any container above; the form is recognised by content, the
 * version by its "version" member. Every length is bounded; unknown
 * members and versions are refused. On failure *out holds nothing to free.
 * Errors: ATTEST_E_FORMAT_UNKNOWN (none of the forms),
 * ATTEST_E_UNSUPPORTED_VERSION (version other than 1, 2),
 * ATTEST_E_TRUNCATED / ATTEST_E_LENGTH (bincode sizes, bounds),
 * ATTEST_E_MALFORMED (detail names the member), ATTEST_E_NOMEM. */
ATTEST_HIDDEN int attest_azure_evidence_parse(attest_azure_evidence *out,
                                              const uint8_t *data, size_t len);
ATTEST_HIDDEN void attest_azure_evidence_free(attest_azure_evidence *e);

#endif
