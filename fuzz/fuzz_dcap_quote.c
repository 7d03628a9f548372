/* libFuzzer harness: the Intel DCAP quote parser (SGX v3, TDX v4, v5 with
 * every body type, certification data types 5 and 6) and its JSON view must
 * never crash, read out of bounds or leak on any input.
 *  1. the public path: attest_evidence_parse (format detected by content,
 *     so 1184- and 4000-byte inputs also reach the SNP parser) and
 *     attest_evidence_to_json when it parses;
 *  2. the internal parser directly, bypassing the detector, so that its own
 *     version / key type / TEE type checks are exercised too (built from the
 *     library sources with -Ilib -DATTEST_BUILDING, hidden symbols link).
 * Seeds: fuzz/seed_dcap.sh. */
#include "attest.h"
#include "parse/dcap_quote.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_evidence *ev = NULL;
    if (attest_evidence_parse(&ev, data, size) == ATTEST_OK) {
        char *json = NULL;
        (void)attest_evidence_format(ev);
        if (attest_evidence_to_json(&json, ev) == ATTEST_OK && !json)
            abort(); /* success must hand back a string */
        attest_string_free(json);
        attest_evidence_free(ev);
    } else if (ev) {
        abort(); /* a failed parse must not hand back an object */
    }

    (void)dcap_quote_detect(data, size);
    dcap_quote *q = NULL;
    if (dcap_quote_parse(&q, data, size) == ATTEST_OK) {
        /* every offset the verifier will dereference lies inside the copy */
        if (!q || q->raw_len != size || q->signed_len > size ||
            q->qe_report_off > size || size - q->qe_report_off < DCAP_SGX_REPORT_SIZE ||
            q->qe_auth_off > size || q->qe_auth_len > size - q->qe_auth_off ||
            q->pck_chain_off > size || q->pck_chain_len > size - q->pck_chain_off)
            abort();
        json_decref(dcap_quote_to_json(q));
        dcap_quote_free(q);
    }
    return 0;
}
