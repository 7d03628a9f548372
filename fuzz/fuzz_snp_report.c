/* libFuzzer harness: the SEV-SNP report parser and its JSON view, plus the
 * collateral recogniser, must never crash or leak on any input. */
#include "attest.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_evidence *ev = NULL;
    if (attest_evidence_parse(&ev, data, size) == ATTEST_OK) {
        char *json = NULL;
        attest_evidence_to_json(&json, ev);
        attest_string_free(json);
        attest_evidence_free(ev);
    }
    attest_collateral *c = NULL;
    if (size && attest_collateral_new(&c) == ATTEST_OK) {
        attest_collateral_add(c, data, size);
        attest_collateral_free(c);
    }
    return 0;
}
