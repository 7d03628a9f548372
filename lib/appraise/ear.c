/* Attestation results in the EAR vocabulary (draft-fv-rats-ear): each
 * device's status (affirming, warning, contraindicated) and AR4SI
 * trustworthiness vector (draft-ietf-rats-ar4si), derived from the checks
 * recorded for it. docs/token.md gives the table this code implements. */
#include "ear.h"

#include <stdio.h>
#include <string.h>

/* AR4SI tiers: the generic value of each tier. */
enum { TV_NONE = 0, TV_AFFIRMING = 2, TV_WARNING = 32, TV_CONTRAINDICATED = 96 };

typedef enum claim {
    CLAIM_HARDWARE,
    CLAIM_INSTANCE_IDENTITY,
    CLAIM_CONFIGURATION,
    CLAIM_EXECUTABLES,
    CLAIM_COUNT,
} claim;

static const char *const claim_names[CLAIM_COUNT] = {"hardware", "instance-identity",
                                                     "configuration", "executables"};

/* Which trustworthiness claim a check informs, by its name. Checks on the
 * platform's identity, signatures, chains, TCB and revocation inform
 * "hardware"; nonce and report data "instance-identity"; measurements and
 * reference values "executables"; the rest "configuration". */
static claim claim_of(const char *name)
{
    static const char *const identity[] = {"report_data", ".nonce", "composite.binding", NULL};
    static const char *const executables[] = {"measurement", "mrtd", "rtmr", "mrenclave",
                                              "mrseam", "_rim", "image_id", "family_id",
                                              "id_key", "author_key", "host_data",
                                              "mrconfigid", "mrowner", NULL};
    static const char *const configuration[] = {"debug", "guest_policy", "vmpl", "attributes",
                                                "xfam", "signer", "versions", "firmware",
                                                "guest_svn", "isvprodid", "isvsvn", "mode",
                                                "topology", "mrsigner", "mrservicetd", NULL};
    for (int i = 0; identity[i]; i++)
        if (strstr(name, identity[i]))
            return CLAIM_INSTANCE_IDENTITY;
    for (int i = 0; executables[i]; i++)
        if (strstr(name, executables[i]))
            return CLAIM_EXECUTABLES;
    if (strncmp(name, "policy.", 7) == 0 || strstr(name, ".versions") || strstr(name, ".mode"))
        for (int i = 0; configuration[i]; i++)
            if (strstr(name, configuration[i]))
                return CLAIM_CONFIGURATION;
    return CLAIM_HARDWARE;
}

/* A passed or skipped check that the policy relaxed is a warning: an
 * accepted TCB status short of UpToDate, debug allowed, stale OCSP, expired
 * collateral allowed, provisional firmware, measurement mismatches allowed. */
static bool is_warning(const attest_check *c)
{
    if (c->outcome == ATTEST_CHECK_FAIL)
        return false;
    if (strstr(c->detail, "allowed by") || strstr(c->detail, "allowed:") ||
        strstr(c->detail, "mismatches allowed"))
        return true;
    if (!strcmp(c->name, "policy.dcap.tcb_status") && strncmp(c->detail, "UpToDate", 8) != 0)
        return true;
    return false;
}

static bool belongs(const attest_check *c, const char *prefix)
{
    if (!prefix) /* the CPU: everything but the GPU and NVSwitch checks */
        return strncmp(c->name, "gpu", 3) != 0 && strncmp(c->name, "switch", 6) != 0 &&
               strncmp(c->name, "nvidia.", 7) != 0;
    size_t n = strlen(prefix);
    return (strncmp(c->name, prefix, n) == 0 && c->name[n] == '.') ||
           strncmp(c->name, "nvidia.", 7) == 0 || strncmp(c->name, "composite.", 10) == 0;
}

static const char *status_of(int worst)
{
    return worst >= TV_CONTRAINDICATED ? "contraindicated"
           : worst >= TV_WARNING       ? "warning"
                                       : "affirming";
}

const char *ear_add_submod(attest_result *r, const char *submod, const char *check_prefix,
                           size_t first, size_t end, json_t *claims, const char *policy_id)
{
    int tv[CLAIM_COUNT] = {TV_NONE, TV_NONE, TV_NONE, TV_NONE};
    int worst = TV_AFFIRMING;
    size_t counted = 0;
    for (size_t i = first; i < end && i < r->count; i++) {
        const attest_check *c = &r->checks[i];
        if (!belongs(c, check_prefix))
            continue;
        claim k = claim_of(c->name);
        int value = c->outcome == ATTEST_CHECK_FAIL ? TV_CONTRAINDICATED
                    : is_warning(c)                 ? TV_WARNING
                    : c->outcome == ATTEST_CHECK_PASS ? TV_AFFIRMING
                                                      : TV_NONE;
        if (value > tv[k])
            tv[k] = value;
        if (value > worst)
            worst = value;
        counted++;
    }
    if (!counted)
        worst = TV_CONTRAINDICATED; /* nothing verified: nothing to affirm */
    json_t *vector = json_object();
    for (int k = 0; k < CLAIM_COUNT; k++)
        if (tv[k] != TV_NONE)
            json_object_set_new(vector, claim_names[k], json_integer(tv[k]));
    const char *status = status_of(worst);
    json_t *entry = json_pack("{s:s, s:o, s:s}", "ear.status", status,
                              "ear.trustworthiness-vector", vector, "ear.appraisal-policy-id",
                              policy_id);
    if (claims)
        json_object_set(entry, "x-attest-claims", claims);
    if (!r->submods)
        r->submods = json_object();
    json_object_set_new(r->submods, submod, entry);
    /* The overall status is the worst of the devices'. */
    int rank_new = worst, rank_old = !r->ear_status[0] ? 0
                                     : !strcmp(r->ear_status, "contraindicated") ? TV_CONTRAINDICATED
                                     : !strcmp(r->ear_status, "warning") ? TV_WARNING
                                                                          : TV_AFFIRMING;
    if (rank_new >= rank_old)
        snprintf(r->ear_status, sizeof r->ear_status, "%s", status);
    return status;
}

void ear_finish(attest_result *r)
{
    /* A rejected result is never better than contraindicated overall. */
    if (r->status != ATTEST_OK)
        snprintf(r->ear_status, sizeof r->ear_status, "contraindicated");
    else if (!r->ear_status[0])
        snprintf(r->ear_status, sizeof r->ear_status, "affirming");
}
