/* Appraisal of the vTPM side of Azure CVM evidence (azure_appraise.h).
 * Only what the quote authenticates is judged: a PCR value counts when it
 * is in the signed selection and the values hashed to the signed digest;
 * the runtime claims count because REPORT_DATA binds them (checked before
 * this runs). */
#include "azure_appraise.h"

#include <string.h>

static const attest_tristate *vm_config_value(const attest_runtime_claims *c, size_t i)
{
    const attest_tristate *v[AZURE_VM_CONFIG_COUNT] = {
        &c->secure_boot, &c->tpm_enabled, &c->console_enabled, &c->tpm_persisted,
        &c->filtered_vpci_devices_allowed,
    };
    return v[i];
}

static void appraise_pcr(attest_result *r, unsigned i, const azure_pcrs *pcrs,
                         const policy_digests *allowed)
{
    char name[32];
    snprintf(name, sizeof name, "policy.azure.pcrs.%u", i);
    if (!pcrs)
        attest_check_fail(r, name, ATTEST_E_POLICY_PCR,
                          "PCR %u is pinned but no TPM quote was verified", i);
    else if (!(pcrs->selected & (1u << i)))
        attest_check_fail(r, name, ATTEST_E_POLICY_PCR,
                          "PCR %u is pinned but not in the quote's PCR selection", i);
    else if (!(pcrs->known & (1u << i)))
        attest_check_fail(r, name, ATTEST_E_POLICY_PCR,
                          "PCR %u is pinned but its value did not come with the quote", i);
    else if (!policy_digests_has(allowed, pcrs->value[i]))
        attest_check_fail(r, name, ATTEST_E_POLICY_PCR,
                          "PCR %u holds a value the policy does not allow", i);
    else
        attest_check_pass(r, name, "PCR %u holds an allowed value", i);
}

static void appraise_vm_config(attest_result *r, const attest_runtime_claims *c,
                               const azure_policy *p)
{
    for (size_t i = 0; i < AZURE_VM_CONFIG_COUNT; i++) {
        if (p->vm_config[i] < 0)
            continue;
        const char *name = azure_vm_config_name(i);
        attest_tristate have = *vm_config_value(c, i);
        if (have == ATTEST_ABSENT)
            attest_check_fail(r, "policy.azure.vm_configuration", ATTEST_E_POLICY_VM_CONFIG,
                              "vm-configuration.%s is absent from the runtime claims; the "
                              "policy requires %s", name, p->vm_config[i] ? "true" : "false");
        else if ((int)have != p->vm_config[i])
            attest_check_fail(r, "policy.azure.vm_configuration", ATTEST_E_POLICY_VM_CONFIG,
                              "vm-configuration.%s is %s; the policy requires %s", name,
                              have ? "true" : "false", p->vm_config[i] ? "true" : "false");
        else
            attest_check_pass(r, "policy.azure.vm_configuration", "vm-configuration.%s is %s",
                              name, have ? "true" : "false");
    }
}

static void appraise_user_data_binding(attest_result *r, const attest_runtime_claims *c,
                                       const azure_policy *p, const uint8_t *nonce, size_t n)
{
    uint8_t want[64];
    const char *name = "policy.azure.user_data_binding";
    if (!nonce || !n)
        attest_check_fail(r, name, ATTEST_E_POLICY_USER_DATA,
                          "the policy binds user-data to a nonce and none was given");
    else if (!c->has_user_data)
        attest_check_fail(r, name, ATTEST_E_POLICY_USER_DATA,
                          "the runtime claims carry no user-data to bind the nonce");
    else if (attest_binding_expected(p->user_data_binding, nonce, n, want) != 0)
        attest_check_fail(r, name, ATTEST_E_POLICY_USER_DATA,
                          "a nonce of %zu bytes cannot be bound raw in 64 bytes", n);
    else if (memcmp(want, c->user_data, 64) != 0)
        attest_check_fail(r, name, ATTEST_E_POLICY_USER_DATA,
                          "user-data does not bind the caller's nonce");
    else
        attest_check_pass_nonce(r, name, "user-data binds the caller's nonce (the hardware "
                                         "report is fresh)");
}

void azure_appraise(attest_result *r, const attest_runtime_claims *claims,
                    const azure_pcrs *pcrs, const azure_policy *p, const uint8_t *nonce,
                    size_t nonce_len)
{
    for (unsigned i = 0; i < AZURE_PCR_COUNT; i++)
        if (p->pinned_pcrs & (1u << i))
            appraise_pcr(r, i, pcrs, &p->pcrs[i]);
    appraise_vm_config(r, claims, p);
    if (p->user_data.set) {
        if (!claims->has_user_data || memcmp(claims->user_data, p->user_data.value, 64))
            attest_check_fail(r, "policy.azure.user_data", ATTEST_E_POLICY_USER_DATA,
                              "user-data %s the policy's value",
                              claims->has_user_data ? "differs from" : "is absent; expected");
        else
            attest_check_pass(r, "policy.azure.user_data", "equal to the policy's value");
    }
    if (p->user_data_binding != ATTEST_BIND_NONE)
        appraise_user_data_binding(r, claims, p, nonce, nonce_len);
}
