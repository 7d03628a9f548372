/* Nonce binding of report data, shared by every platform. */
#include "binding.h"
#include "../base/crypto.h"

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
int attest_binding_expected(attest_binding b, const uint8_t *nonce, size_t n,
                                uint8_t out[64])
{
    memset(out, 0, 64);
    if (b == ATTEST_BIND_RAW) {
        if (n > 64)
            return -1;
        memcpy(out, nonce, n);
        return 0;
    }
    size_t len = b == ATTEST_BIND_SHA256 ? 32 : b == ATTEST_BIND_SHA384 ? 48
               : b == ATTEST_BIND_SHA512 ? 64 : 0;
    attest_bytes whole = {nonce, n};
    return attest_sha2_concat(len, out, &whole, 1);
}

static const char *binding_name(attest_binding b)
{
    switch (b) {
    case ATTEST_BIND_RAW: return "raw";
    case ATTEST_BIND_SHA256: return "sha256";
    case ATTEST_BIND_SHA384: return "sha384";
    case ATTEST_BIND_SHA512: return "sha512";
    default: return "none";
    }
}

static void compare_exact(attest_result *r, const char *name, const uint8_t report_data[64],
                          const uint8_t *exact)
{
    memcmp(exact, report_data, 64) == 0
        ? attest_check_pass(r, name, "equal to the policy's value")
        : (void)attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                                  "report data differs from the policy's value");
}

void attest_appraise_report_data(attest_result *r, const char *name,
                                 const uint8_t report_data[64], const uint8_t *exact,
                                 attest_binding binding, const uint8_t *nonce, size_t n,
                                 report_data_rule rule)
{
    uint8_t want[64];
    bool given = nonce && n > 0;
    if (rule == REPORT_DATA_BY_AZURE) {
        if (exact) {
            compare_exact(r, name, report_data, exact);
            return;
        }
        attest_check_skip(r, name, "judged by azure.claims.binding: on Azure the paravisor's "
                                   "runtime claims fill REPORT_DATA, the nonce is in the vTPM "
                                   "quote");
        return;
    }
    if (rule == REPORT_DATA_BY_RATLS) {
        if (exact)
            compare_exact(r, name, report_data, exact);
        else if (binding != ATTEST_BIND_DEFAULT && binding != ATTEST_BIND_NONE)
            attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                              "report_data_binding %s does not apply: under RA-TLS the "
                              "binding rule fills report data", binding_name(binding));
        else
            attest_check_skip(r, name, "judged by ratls.binding (the peer key's rule)");
        return;
    }
    if (rule == REPORT_DATA_BY_COMPOSITE) {
        if (exact)
            compare_exact(r, name, report_data, exact);
        else
            attest_check_skip(r, name, "judged by composite.binding (the CPU vouches for "
                                       "its GPUs)");
        return;
    }
    if (given && (exact || binding == ATTEST_BIND_NONE)) {
        attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                          "a nonce was given but the policy %s, so it cannot be verified",
                          exact ? "fixes report_data to one value"
                                : "does not bind report data (report_data_binding: none)");
        return;
    }
    if (exact) {
        compare_exact(r, name, report_data, exact);
        return;
    }
    if (binding == ATTEST_BIND_DEFAULT)
        binding = given ? ATTEST_BIND_RAW : ATTEST_BIND_NONE;
    if (!given) {
        if (binding != ATTEST_BIND_NONE)
            attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                              "the policy binds report data to a nonce (%s) and none was "
                              "given", binding_name(binding));
        else
            attest_check_skip(r, name, "no nonce given: the evidence is not shown to be "
                                       "fresh");
    } else if (attest_binding_expected(binding, nonce, n, want) != 0)
        attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                          "a nonce of %zu bytes cannot be bound %s (raw holds 64 bytes; "
                          "use a sha binding)", n, binding_name(binding));
    else if (memcmp(want, report_data, 64) != 0)
        attest_check_fail(r, name, ATTEST_E_POLICY_REPORT_DATA,
                          "report data is not the caller's nonce bound %s",
                          binding_name(binding));
    else
        attest_check_pass_nonce(r, name, "bound to the caller's nonce (%s)",
                                binding_name(binding));
}
