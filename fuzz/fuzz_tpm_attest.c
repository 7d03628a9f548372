/* libFuzzer harness: the TPMS_ATTEST parser and the Azure vTPM evidence
 * containers (bincode quote.bin, Trustee JSON), and the TPMS_ATTEST inside
 * an accepted container, must never crash, leak or over-read. */
#include "parse/azure_evidence.h"
#include "parse/tpm_attest.h"

#include <stdint.h>
#include <stdlib.h>

static void attest_bytes_check(const uint8_t *data, size_t size)
{
    attest_tpm_attest q;
    if (attest_tpm_attest_parse(&q, data, size) == ATTEST_OK) {
        attest_tpm_pcr_count(&q);
        json_decref(attest_tpm_attest_to_json(&q));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_bytes_check(data, size);
    attest_azure_evidence e;
    if (attest_azure_evidence_parse(&e, data, size) == ATTEST_OK) {
        attest_bytes_check(e.quote_msg, e.quote_msg_len);
        attest_azure_evidence_free(&e);
    }
    return 0;
}
