/* The "nvidia" section of a policy document (docs/policy.md), read by the
 * table-driven policy reader. */
#include "nv_appraise.h"

#include <string.h>
#include <strings.h>

/* Longest currency accepted for an OCSP response without nextUpdate. */
#define OCSP_MAX_AGE_LIMIT (366 * 86400)

void nv_policy_defaults(nv_policy *p)
{
    memset(p, 0, sizeof *p);
    p->require_nonce = true;
    p->require_ocsp = true;
    p->ocsp_max_age_seconds = 0; /* no nextUpdate: never current */
    p->required_mode = -1;
}

void nv_policy_release(nv_policy *p)
{
    policy_strings_release(&p->allowed_driver_versions);
    policy_strings_release(&p->allowed_vbios_versions);
}

static int read_indices(void *section, const char *sec, const char *m, json_t *v)
{
    uint64_t *mask = &((nv_policy *)section)->allowed_mismatch;
    size_t i;
    json_t *item;
    if (!json_is_array(v))
        return policy_invalid(sec, m, "must be an array of indices 0..63");
    *mask = 0;
    json_array_foreach(v, i, item) {
        if (!json_is_integer(item) || json_integer_value(item) < 0 || json_integer_value(item) > 63)
            return policy_invalid(sec, m, "must be an array of indices 0..63");
        *mask |= 1ull << json_integer_value(item);
    }
    return ATTEST_OK;
}

static int read_mode(void *section, const char *sec, const char *m, json_t *v)
{
    static const char *const modes[] = {"spt", "mpt", "ppcie"}; /* FEATURE_FLAG 0, 1, 2 */
    const char *s = json_string_value(v);
    for (int i = 0; s && i < 3; i++)
        if (!strcasecmp(s, modes[i])) {
            ((nv_policy *)section)->required_mode = i;
            return ATTEST_OK;
        }
    return policy_invalid(sec, m, "one of spt, mpt, ppcie");
}

static const policy_member nv_members[] = {
    PM("require_nonce", PM_BOOL, nv_policy, require_nonce, 0, 0),
    PM("require_ocsp", PM_BOOL, nv_policy, require_ocsp, 0, 0),
    PM("allow_stored_ocsp", PM_BOOL, nv_policy, allow_stored_ocsp, 0, 0),
    PM("allow_stale_ocsp", PM_BOOL, nv_policy, allow_stale_ocsp, 0, 0),
    PM("allow_ocsp_hold", PM_BOOL, nv_policy, allow_ocsp_hold, 0, 0),
    PM("allow_ocsp_unknown", PM_BOOL, nv_policy, allow_ocsp_unknown, 0, 0),
    PM("ocsp_max_age_seconds", PM_INT64, nv_policy, ocsp_max_age_seconds, 0, OCSP_MAX_AGE_LIMIT),
    PM_FN("allowed_mismatch_indices", read_indices),
    PM("min_driver_version", PM_TEXT, nv_policy, min_driver_version, 0, 32),
    PM("min_vbios_version", PM_TEXT, nv_policy, min_vbios_version, 0, 32),
    PM("allowed_driver_versions", PM_STRINGS, nv_policy, allowed_driver_versions, 1, 0),
    PM("allowed_vbios_versions", PM_STRINGS, nv_policy, allowed_vbios_versions, 1, 0),
    PM("require_ppcie_topology", PM_BOOL, nv_policy, require_ppcie_topology, 0, 0),
    PM_FN("required_mode", read_mode),
    PM("min_gpus", PM_INT, nv_policy, min_gpus, 0, 8),
    PM("min_switches", PM_INT, nv_policy, min_switches, 0, 8),
};

int nv_policy_from_json(nv_policy *p, json_t *section)
{
    return policy_read_section(p, "nvidia", nv_members, sizeof nv_members / sizeof nv_members[0],
                               section);
}
