/* libFuzzer harness: the Azure runtime claims parser (JSON with JWKs by
 * kid, base64url, user-data hex) must never crash or leak. */
#include "parse/azure_hcl.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_runtime_claims c;
    if (attest_runtime_claims_parse(&c, data, size) == ATTEST_OK) {
        json_decref(attest_runtime_claims_to_json(&c));
        attest_runtime_claims_free(&c);
    }
    return 0;
}
