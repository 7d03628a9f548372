/* The "azure" section of a policy document (docs/policy.md): what the
 * vTPM side of Azure confidential-VM evidence must show, read by the
 * table-driven policy reader. The SNP report or TD quote inside is judged
 * by the "snp" or "tdx" section as if it came alone. */
#include "azure_appraise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const vm_config_names[AZURE_VM_CONFIG_COUNT] = {
    "secure-boot", "tpm-enabled", "console-enabled", "tpm-persisted",
    "filtered-vpci-devices-allowed",
};

const char *azure_vm_config_name(size_t i)
{
    return i < AZURE_VM_CONFIG_COUNT ? vm_config_names[i] : NULL;
}

void azure_policy_defaults(azure_policy *p)
{
    memset(p, 0, sizeof *p);
    p->require_tpm_quote = true;
    p->user_data_binding = ATTEST_BIND_NONE;
    for (size_t i = 0; i < AZURE_VM_CONFIG_COUNT; i++)
        p->vm_config[i] = -1;
}

void azure_policy_release(azure_policy *p)
{
    for (size_t i = 0; i < AZURE_PCR_COUNT; i++)
        policy_digests_release(&p->pcrs[i]);
}

/* "pcrs": {"<index 0..23>": ["<64 hex digits>", ...], ...}: each pinned
 * PCR must hold one of its listed SHA-256 values. */
static int read_pcrs(void *section, const char *sec, const char *m, json_t *v)
{
    azure_policy *p = section;
    const char *key;
    json_t *list;
    if (!json_is_object(v) || json_object_size(v) == 0)
        return policy_invalid(sec, m, "must be a non-empty object {\"<PCR index 0..23>\": "
                                      "[SHA-256 values]}");
    json_object_foreach(v, key, list) {
        char *end;
        long i = strtol(key, &end, 10);
        if (!*key || *end || i < 0 || i >= AZURE_PCR_COUNT || (key[0] == '0' && key[1]))
            return policy_invalid(sec, m, "keys must be PCR indices 0..23 in decimal");
        char name[32];
        snprintf(name, sizeof name, "%s.%ld", m, i);
        int status = policy_read_digest_list(&p->pcrs[i], 32, sec, name, list);
        if (status != ATTEST_OK)
            return status;
        p->pinned_pcrs |= 1u << i;
    }
    return ATTEST_OK;
}

/* "vm_configuration": {"secure-boot": true, ...}: each named member of the
 * runtime claims' vm-configuration must hold exactly this value. */
static int read_vm_config(void *section, const char *sec, const char *m, json_t *v)
{
    azure_policy *p = section;
    const char *key;
    json_t *value;
    if (!json_is_object(v))
        return policy_invalid(sec, m, "must be an object of booleans");
    json_object_foreach(v, key, value) {
        size_t i = 0;
        while (i < AZURE_VM_CONFIG_COUNT && strcmp(key, vm_config_names[i]))
            i++;
        char name[64];
        snprintf(name, sizeof name, "%s.%s", m, key);
        if (i == AZURE_VM_CONFIG_COUNT)
            return policy_invalid(sec, name, "unknown vm-configuration member (secure-boot, "
                                             "tpm-enabled, console-enabled, tpm-persisted, "
                                             "filtered-vpci-devices-allowed)");
        if (!json_is_boolean(value))
            return policy_invalid(sec, name, "must be true or false");
        p->vm_config[i] = json_is_true(value);
    }
    return ATTEST_OK;
}

/* "user_data_binding": how the runtime claims' user-data binds the
 * caller's nonce (the guest wrote it to NV 0x01400002 before reading its
 * report): "none", "raw" (nonce, zero-padded), "sha256", "sha384", "sha512". */
static int read_user_data_binding(void *section, const char *sec, const char *m, json_t *v)
{
    int b = attest_binding_parse(json_string_value(v));
    if (b < 0)
        return policy_invalid(sec, m, "one of none, raw, sha256, sha384, sha512");
    ((azure_policy *)section)->user_data_binding = (attest_binding)b;
    return ATTEST_OK;
}

static const policy_member azure_members[] = {
    PM("require_tpm_quote", PM_BOOL, azure_policy, require_tpm_quote, 0, 0),
    PM("require_pcr_values", PM_BOOL, azure_policy, require_pcr_values, 0, 0),
    PM("require_ak_cert", PM_BOOL, azure_policy, require_ak_cert, 0, 0),
    PM_FN("pcrs", read_pcrs),
    PM_FN("vm_configuration", read_vm_config),
    PM_FN("user_data_binding", read_user_data_binding),
    PM("user_data", PM_BYTES, azure_policy, user_data, 64, 0),
};

int azure_policy_from_json(azure_policy *p, json_t *section)
{
    return policy_read_section(p, "azure", azure_members,
                               sizeof azure_members / sizeof azure_members[0], section);
}
