/* Nonce binding of report data, shared by every platform. */
#include "binding.h"

#include <openssl/evp.h>
#include <string.h>

int attest_binding_parse(const char *name)
{
    static const struct { const char *name; attest_binding b; } names[] = {
        {"none", ATTEST_BIND_NONE},     {"raw", ATTEST_BIND_RAW},
        {"sha256", ATTEST_BIND_SHA256}, {"sha384", ATTEST_BIND_SHA384},
        {"sha512", ATTEST_BIND_SHA512},
    };
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return (int)names[i].b;
    return -1;
}

/* The value report data must hold for the given nonce binding. */
static int expected_report_data(attest_binding b, const uint8_t *nonce, size_t n,
                                uint8_t out[64])
{
    memset(out, 0, 64);
    if (b == ATTEST_BIND_RAW) {
        if (n > 64)
            return -1;
        memcpy(out, nonce, n);
        return 0;
    }
    const EVP_MD *md = b == ATTEST_BIND_SHA256   ? EVP_sha256()
                       : b == ATTEST_BIND_SHA384 ? EVP_sha384()
                       : b == ATTEST_BIND_SHA512 ? EVP_sha512()
                                                 : NULL;
    return md && EVP_Digest(nonce, n, out, NULL, md, NULL) == 1 ? 0 : -1;
}

void attest_appraise_report_data(attest_result *r, const char *name,
                                 const uint8_t report_data[64], const uint8_t *exact,
                                 attest_binding binding, const uint8_t *nonce, size_t n)
{
    uint8_t want[64];
    if (exact) {
        memcmp(exact, report_data, 64) == 0
            ? attest_check_pass(r, name, "equal to the policy's value")
            : (void)attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                                      "report data differs from the policy's value");
        return;
    }
    if (binding == ATTEST_BIND_NONE)
        return;
    if (!nonce || n == 0)
        attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                          "the policy binds report data to a nonce and none was given");
    else if (expected_report_data(binding, nonce, n, want) != 0)
        attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                          "nonce of %zu bytes cannot be bound (raw binding holds 64)", n);
    else if (memcmp(want, report_data, 64) != 0)
        attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                          "report data is not bound to the caller's nonce");
    else
        attest_check_pass(r, name, "bound to the caller's nonce");
}
