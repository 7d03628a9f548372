/* The "snp" section of a policy document (docs/policy.md), read by the
 * table-driven policy reader. */
#include "snp_appraise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const snp_tcb_floor no_floor = {-1, -1, -1, -1, -1};

void snp_policy_defaults(snp_policy *p)
{
    memset(p, 0, sizeof *p);
    p->require_crl = true;
    p->min_tcb = p->min_committed_tcb = p->min_current_tcb = p->min_launch_tcb = no_floor;
    p->allow_smt = true; /* every SNP cloud offering sets SMT; opt out with false */
    p->min_abi_major = p->min_abi_minor = -1;
    p->vmpl_mask = 1u; /* VMPL 0 only */
    p->min_guest_svn = -1;
    p->min_fw_major = p->min_fw_minor = p->min_fw_build = -1;
}

void snp_policy_release(snp_policy *p)
{
    policy_digests_release(&p->measurements);
    policy_digests_release(&p->id_key_digests);
    policy_digests_release(&p->author_key_digests);
}

/* A floor per TCB component: {"boot_loader": 10, ...}, each 0..255. */
static int read_floor(snp_tcb_floor *out, const char *sec, const char *member, json_t *v)
{
    const char *key;
    json_t *value;
    if (!json_is_object(v))
        return policy_invalid(sec, member, "must be an object of TCB components");
    json_object_foreach(v, key, value) {
        int *slot = strcmp(key, "fmc") == 0           ? &out->fmc
                    : strcmp(key, "boot_loader") == 0 ? &out->boot_loader
                    : strcmp(key, "tee") == 0         ? &out->tee
                    : strcmp(key, "snp") == 0         ? &out->snp
                    : strcmp(key, "microcode") == 0   ? &out->microcode
                                                      : NULL;
        if (!slot)
            return policy_invalid(sec, member,
                                  "components are fmc, boot_loader, tee, snp, microcode");
        if (!json_is_integer(value) || json_integer_value(value) < 0 ||
            json_integer_value(value) > 255)
            return policy_invalid(sec, member, "component floors are integers 0..255");
        *slot = (int)json_integer_value(value);
    }
    return ATTEST_OK;
}

static int read_min_tcb(void *p, const char *sec, const char *m, json_t *v)
{
    return read_floor(&((snp_policy *)p)->min_tcb, sec, m, v);
}
static int read_min_committed(void *p, const char *sec, const char *m, json_t *v)
{
    return read_floor(&((snp_policy *)p)->min_committed_tcb, sec, m, v);
}
static int read_min_current(void *p, const char *sec, const char *m, json_t *v)
{
    return read_floor(&((snp_policy *)p)->min_current_tcb, sec, m, v);
}
static int read_min_launch(void *p, const char *sec, const char *m, json_t *v)
{
    return read_floor(&((snp_policy *)p)->min_launch_tcb, sec, m, v);
}

/* "MAJOR.MINOR" or "MAJOR.MINOR.BUILD", each 0..255. */
static int read_version(const char *sec, const char *member, json_t *v, int *major, int *minor,
                        int *build)
{
    unsigned a, b, c = 0;
    char tail;
    const char *s = json_string_value(v);
    int n = s ? sscanf(s, "%u.%u.%u%c", &a, &b, &c, &tail) : 0;
    if ((n != 2 && n != 3) || a > 255 || b > 255 || c > 255)
        return policy_invalid(sec, member, "must be \"MAJOR.MINOR\" or \"MAJOR.MINOR.BUILD\"");
    *major = (int)a;
    *minor = (int)b;
    if (build)
        *build = (int)c;
    return ATTEST_OK;
}

static int read_min_abi(void *section, const char *sec, const char *m, json_t *v)
{
    snp_policy *p = section;
    return read_version(sec, m, v, &p->min_abi_major, &p->min_abi_minor, NULL);
}

static int read_min_firmware(void *section, const char *sec, const char *m, json_t *v)
{
    snp_policy *p = section;
    return read_version(sec, m, v, &p->min_fw_major, &p->min_fw_minor, &p->min_fw_build);
}

static int read_vmpls(void *section, const char *sec, const char *m, json_t *v)
{
    snp_policy *p = section;
    size_t i;
    json_t *item;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return policy_invalid(sec, m, "must be a non-empty array of VMPLs 0..3");
    p->vmpl_mask = 0;
    json_array_foreach(v, i, item) {
        if (!json_is_integer(item) || json_integer_value(item) < 0 ||
            json_integer_value(item) > 3)
            return policy_invalid(sec, m, "must be a non-empty array of VMPLs 0..3");
        p->vmpl_mask |= 1u << json_integer_value(item);
    }
    return ATTEST_OK;
}

static int read_binding(void *section, const char *sec, const char *m, json_t *v)
{
    int b = attest_binding_parse(json_string_value(v));
    if (b < 0)
        return policy_invalid(sec, m, "one of none, raw, sha256, sha384, sha512");
    ((snp_policy *)section)->nonce_binding = (attest_binding)b;
    return ATTEST_OK;
}

static int read_signer(void *section, const char *sec, const char *m, json_t *v)
{
    snp_signer_rule *out = &((snp_policy *)section)->signer;
    const char *s = json_string_value(v);
    if (s && strcmp(s, "any") == 0) *out = SNP_SIGNER_ANY;
    else if (s && strcmp(s, "vcek") == 0) *out = SNP_SIGNER_VCEK;
    else if (s && strcmp(s, "vlek") == 0) *out = SNP_SIGNER_VLEK;
    else return policy_invalid(sec, m, "one of any, vcek, vlek");
    return ATTEST_OK;
}

static const policy_member snp_members[] = {
    PM("require_crl", PM_BOOL, snp_policy, require_crl, 0, 0),
    PM_FN("min_tcb", read_min_tcb),
    PM_FN("min_committed_tcb", read_min_committed),
    PM_FN("min_current_tcb", read_min_current),
    PM_FN("min_launch_tcb", read_min_launch),
    PM("allow_debug", PM_BOOL, snp_policy, allow_debug, 0, 0),
    PM("allow_smt", PM_BOOL, snp_policy, allow_smt, 0, 0),
    PM("allow_migration_agent", PM_BOOL, snp_policy, allow_migration_agent, 0, 0),
    PM("require_single_socket", PM_BOOL, snp_policy, require_single_socket, 0, 0),
    PM_FN("min_abi", read_min_abi),
    PM("measurements", PM_DIGESTS, snp_policy, measurements, 48, 0),
    PM("host_data", PM_BYTES, snp_policy, host_data, 32, 0),
    PM("report_data", PM_BYTES, snp_policy, report_data, 64, 0),
    PM_FN("report_data_binding", read_binding),
    PM_FN("vmpl", read_vmpls),
    PM("family_id", PM_BYTES, snp_policy, family_id, 16, 0),
    PM("image_id", PM_BYTES, snp_policy, image_id, 16, 0),
    PM("id_key_digests", PM_DIGESTS, snp_policy, id_key_digests, 48, 0),
    PM("author_key_digests", PM_DIGESTS, snp_policy, author_key_digests, 48, 0),
    PM_FN("signer", read_signer),
    PM("min_guest_svn", PM_INT64, snp_policy, min_guest_svn, 0, UINT32_MAX),
    PM("allow_provisional_firmware", PM_BOOL, snp_policy, allow_provisional_firmware, 0, 0),
    PM_FN("min_firmware", read_min_firmware),
};

int snp_policy_from_json(snp_policy *p, json_t *snp)
{
    int status = policy_read_section(p, "snp", snp_members,
                                     sizeof snp_members / sizeof snp_members[0], snp);
    if (status == ATTEST_OK && p->report_data.set && p->nonce_binding > ATTEST_BIND_NONE)
        return policy_invalid("snp", "report_data",
                              "give report_data or report_data_binding, not both");
    return status;
}
