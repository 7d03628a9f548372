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

/* ---- the token's claims ------------------------------------------------ */

/* One claim a relying party decides on: its name in the submod's
 * x-attest-claims ("azure.pcrs" nests) and its path in the parsed claims.
 * Paths that the evidence lacks are left out, so one table serves SNP,
 * TDX, SGX and Azure (whose claims hold the SNP or TD fields and "azure"). */
typedef struct claim_pick {
    const char *name;
    const char *path;
} claim_pick;

static const claim_pick cpu_picks[] = {
    /* SEV-SNP: the report fields a policy names (docs/policy.md) */
    {"product", "product"},
    {"signer", "vek.kind"},
    {"version", "report.version"},
    {"guest_svn", "report.guest_svn"},
    {"policy", "report.policy.raw"},
    {"debug", "report.policy.debug"},
    {"vmpl", "report.vmpl"},
    {"measurement", "report.measurement"},
    {"host_data", "report.host_data"},
    {"report_data", "report.report_data"},
    {"family_id", "report.family_id"},
    {"image_id", "report.image_id"},
    {"id_key_digest", "report.id_key_digest"},
    {"author_key_digest", "report.author_key_digest"},
    {"reported_tcb", "report.reported_tcb"},
    {"committed_tcb", "report.committed_tcb"},
    {"current_tcb", "report.current_tcb"},
    {"launch_tcb", "report.launch_tcb"},
    {"current_firmware", "report.current_firmware"},
    {"committed_firmware", "report.committed_firmware"},
    /* Intel DCAP (TDX and SGX quote bodies) */
    {"tee", "quote.tee"},
    {"version", "quote.version"},
    {"tee_tcb_svn", "quote.tee_tcb_svn"},
    {"mrseam", "quote.mrseam"},
    {"mrsignerseam", "quote.mrsignerseam"},
    {"seam_attributes", "quote.seam_attributes"},
    {"td_attributes", "quote.td_attributes.raw"},
    {"debug", "quote.td_attributes.debug"},
    {"xfam", "quote.xfam"},
    {"mrtd", "quote.mrtd"},
    {"mrconfigid", "quote.mrconfigid"},
    {"mrowner", "quote.mrowner"},
    {"mrownerconfig", "quote.mrownerconfig"},
    {"rtmr0", "quote.rtmr0"},
    {"rtmr1", "quote.rtmr1"},
    {"rtmr2", "quote.rtmr2"},
    {"rtmr3", "quote.rtmr3"},
    {"mrservicetd", "quote.mrservicetd"},
    {"mrenclave", "quote.mrenclave"},
    {"mrsigner", "quote.mrsigner"},
    {"isvprodid", "quote.isvprodid"},
    {"isvsvn", "quote.isvsvn"},
    {"attributes", "quote.attributes.raw"},
    {"debug", "quote.attributes.debug"},
    {"report_data", "quote.report_data"},
    {"fmspc", "pck.fmspc"},
    {"tcb", "tcb"}, /* status, advisory IDs, dates, evaluation numbers */
    /* Azure: the vTPM side */
    {"azure.vm-configuration", "azure.runtime_claims.document.vm-configuration"},
    {"azure.user-data", "azure.runtime_claims.document.user-data"},
    {"azure.quote_nonce", "azure.tpm_quote.extra_data"},
    {"azure.pcr_digest", "azure.tpm_quote.pcr_digest"},
    {"azure.pcrs", "azure.tpm_quote.pcr_values"},
    {NULL, NULL},
};

/* NVIDIA's v3 claim names, the ones a policy or relying party decides on. */
static const claim_pick device_picks[] = {
    {"x-nvidia-gpu-driver-version", "x-nvidia-gpu-driver-version"},
    {"x-nvidia-gpu-vbios-version", "x-nvidia-gpu-vbios-version"},
    {"x-nvidia-switch-bios-version", "x-nvidia-switch-bios-version"},
    {"measres", "measres"},
    {"x-nvidia-mismatch-measurement-records", "x-nvidia-mismatch-measurement-records"},
    {"hwmodel", "hwmodel"},
    {"ueid", "ueid"},
    {"secboot", "secboot"},
    {"dbgstat", "dbgstat"},
    {"eat_nonce", "eat_nonce"},
    {"mode", "report.feature_mode"},
    {NULL, NULL},
};

/* The member at dotted `path` under `o`, or NULL (segments < 64 bytes). */
static json_t *at_path(json_t *o, const char *path)
{
    char seg[64];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof seg)
            return NULL;
        memcpy(seg, path, n);
        seg[n] = '\0';
        o = json_object_get(o, seg);
        path += n + (path[n] == '.');
    }
    return o;
}

/* Set `value` (borrowed: shared, never copied) at `name`, one level of
 * nesting ("azure.pcrs"). Returns 0 or -1. */
static int put_claim(json_t *out, const char *name, json_t *value)
{
    const char *dot = strchr(name, '.');
    if (!dot)
        return json_object_set(out, name, value);
    char group[16];
    size_t n = (size_t)(dot - name);
    if (n >= sizeof group)
        return -1;
    memcpy(group, name, n);
    group[n] = '\0';
    json_t *sub = json_object_get(out, group);
    if (!sub && json_object_set_new(out, group, sub = json_object()) != 0)
        return -1;
    return json_object_set(sub, dot + 1, value);
}

json_t *ear_token_claims(json_t *claims, bool device)
{
    json_t *out = json_object();
    const claim_pick *picks = device ? device_picks : cpu_picks;
    for (size_t i = 0; out && picks[i].name; i++) {
        json_t *v = at_path(claims, picks[i].path);
        if (v && !json_is_null(v) && put_claim(out, picks[i].name, v) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    /* Whether a verified vTPM quote came (its claims are present only then). */
    if (out && at_path(claims, "azure") &&
        put_claim(out, "azure.tpm_quote", json_boolean(at_path(claims, "azure.tpm_quote"))) != 0) {
        json_decref(out);
        return NULL;
    }
    return out;
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
        json_object_set_new(entry, "x-attest-claims", ear_token_claims(claims, check_prefix != NULL));
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
