/* libFuzzer harness: policy documents are caller input too; the loader
 * must reject anything malformed without crashing or leaking. */
#include "attest.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_policy *p = NULL;
    if (attest_policy_from_json(&p, (const char *)data, size) == ATTEST_OK)
        attest_policy_free(p);
    return 0;
}
