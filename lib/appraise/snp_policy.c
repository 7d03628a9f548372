/* The "snp" section of a policy document. Every member is optional; an
 * unknown member is an error so that a typo never weakens a policy. */
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
    free(p->measurements.items);
    free(p->id_key_digests.items);
    free(p->author_key_digests.items);
    p->measurements.items = p->id_key_digests.items = p->author_key_digests.items = NULL;
}

static int invalid(const char *member, const char *why)
{
    return attest_set_error(ATTEST_E_POLICY_INVALID, "policy.snp.%s: %s", member, why);
}

static int read_bool(json_t *v, const char *member, bool *out)
{
    if (!json_is_boolean(v))
        return invalid(member, "must be true or false");
    *out = json_is_true(v);
    return ATTEST_OK;
}

static int read_hex(json_t *v, const char *member, uint8_t *out, size_t len)
{
    if (!json_is_string(v) || attest_hex_decode(out, len, json_string_value(v)) != 0) {
        char why[64];
        snprintf(why, sizeof why, "must be %zu hex digits", len * 2);
        return invalid(member, why);
    }
    return ATTEST_OK;
}

static int read_digests(json_t *v, const char *member, snp_digest_list *out)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return invalid(member, "must be a non-empty array of 96-hex-digit strings");
    free(out->items);
    out->count = json_array_size(v);
    out->items = calloc(out->count, sizeof *out->items);
    if (!out->items)
        return attest_set_error(ATTEST_E_NOMEM, "policy: out of memory");
    for (size_t i = 0; i < out->count; i++) {
        int status = read_hex(json_array_get(v, i), member, out->items[i], 48);
        if (status != ATTEST_OK)
            return status;
    }
    return ATTEST_OK;
}

static int read_floor(json_t *v, const char *member, snp_tcb_floor *out)
{
    const char *key;
    json_t *value;
    if (!json_is_object(v))
        return invalid(member, "must be an object of TCB components");
    json_object_foreach(v, key, value) {
        int *slot = strcmp(key, "fmc") == 0           ? &out->fmc
                    : strcmp(key, "boot_loader") == 0 ? &out->boot_loader
                    : strcmp(key, "tee") == 0         ? &out->tee
                    : strcmp(key, "snp") == 0         ? &out->snp
                    : strcmp(key, "microcode") == 0   ? &out->microcode
                                                      : NULL;
        if (!slot)
            return invalid(member, "components are fmc, boot_loader, tee, snp, microcode");
        if (!json_is_integer(value) || json_integer_value(value) < 0 ||
            json_integer_value(value) > 255)
            return invalid(member, "component floors are integers 0..255");
        *slot = (int)json_integer_value(value);
    }
    return ATTEST_OK;
}

/* "MAJOR.MINOR" or "MAJOR.MINOR.BUILD", each 0..255. */
static int read_version(json_t *v, const char *member, int *major, int *minor, int *build)
{
    unsigned a, b, c = 0;
    char tail;
    const char *s = json_string_value(v);
    int n = s ? sscanf(s, "%u.%u.%u%c", &a, &b, &c, &tail) : 0;
    if ((n != 2 && n != 3) || a > 255 || b > 255 || c > 255)
        return invalid(member, "must be \"MAJOR.MINOR\" or \"MAJOR.MINOR.BUILD\"");
    *major = (int)a;
    *minor = (int)b;
    if (build)
        *build = (int)c;
    return ATTEST_OK;
}

static int read_vmpls(json_t *v, unsigned *mask)
{
    size_t i;
    json_t *item;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return invalid("vmpl", "must be a non-empty array of VMPLs 0..3");
    *mask = 0;
    json_array_foreach(v, i, item) {
        if (!json_is_integer(item) || json_integer_value(item) < 0 ||
            json_integer_value(item) > 3)
            return invalid("vmpl", "must be a non-empty array of VMPLs 0..3");
        *mask |= 1u << json_integer_value(item);
    }
    return ATTEST_OK;
}

static int read_binding(json_t *v, attest_binding *out)
{
    int b = attest_binding_parse(json_string_value(v));
    if (b < 0)
        return invalid("report_data_binding", "one of none, raw, sha256, sha384, sha512");
    *out = (attest_binding)b;
    return ATTEST_OK;
}

static int read_signer(json_t *v, snp_signer_rule *out)
{
    const char *s = json_string_value(v);
    if (s && strcmp(s, "any") == 0) *out = SNP_SIGNER_ANY;
    else if (s && strcmp(s, "vcek") == 0) *out = SNP_SIGNER_VCEK;
    else if (s && strcmp(s, "vlek") == 0) *out = SNP_SIGNER_VLEK;
    else return invalid("signer", "one of any, vcek, vlek");
    return ATTEST_OK;
}

static int read_member(snp_policy *p, const char *k, json_t *v)
{
    if (!strcmp(k, "require_crl")) return read_bool(v, k, &p->require_crl);
    if (!strcmp(k, "min_tcb")) return read_floor(v, k, &p->min_tcb);
    if (!strcmp(k, "min_committed_tcb")) return read_floor(v, k, &p->min_committed_tcb);
    if (!strcmp(k, "min_current_tcb")) return read_floor(v, k, &p->min_current_tcb);
    if (!strcmp(k, "min_launch_tcb")) return read_floor(v, k, &p->min_launch_tcb);
    if (!strcmp(k, "allow_debug")) return read_bool(v, k, &p->allow_debug);
    if (!strcmp(k, "allow_smt")) return read_bool(v, k, &p->allow_smt);
    if (!strcmp(k, "allow_migration_agent")) return read_bool(v, k, &p->allow_migration_agent);
    if (!strcmp(k, "require_single_socket")) return read_bool(v, k, &p->require_single_socket);
    if (!strcmp(k, "min_abi"))
        return read_version(v, k, &p->min_abi_major, &p->min_abi_minor, NULL);
    if (!strcmp(k, "measurements")) return read_digests(v, k, &p->measurements);
    if (!strcmp(k, "host_data")) {
        p->has_host_data = true;
        return read_hex(v, k, p->host_data, 32);
    }
    if (!strcmp(k, "report_data")) {
        p->has_report_data = true;
        return read_hex(v, k, p->report_data, 64);
    }
    if (!strcmp(k, "report_data_binding")) return read_binding(v, &p->nonce_binding);
    if (!strcmp(k, "vmpl")) return read_vmpls(v, &p->vmpl_mask);
    if (!strcmp(k, "family_id")) {
        p->has_family_id = true;
        return read_hex(v, k, p->family_id, 16);
    }
    if (!strcmp(k, "image_id")) {
        p->has_image_id = true;
        return read_hex(v, k, p->image_id, 16);
    }
    if (!strcmp(k, "id_key_digests")) return read_digests(v, k, &p->id_key_digests);
    if (!strcmp(k, "author_key_digests")) return read_digests(v, k, &p->author_key_digests);
    if (!strcmp(k, "signer")) return read_signer(v, &p->signer);
    if (!strcmp(k, "min_guest_svn")) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > UINT32_MAX)
            return invalid(k, "must be an integer 0..4294967295");
        p->min_guest_svn = json_integer_value(v);
        return ATTEST_OK;
    }
    if (!strcmp(k, "allow_provisional_firmware"))
        return read_bool(v, k, &p->allow_provisional_firmware);
    if (!strcmp(k, "min_firmware"))
        return read_version(v, k, &p->min_fw_major, &p->min_fw_minor, &p->min_fw_build);
    return invalid(k, "unknown member");
}

int snp_policy_from_json(snp_policy *p, json_t *snp)
{
    const char *key;
    json_t *value;
    if (!json_is_object(snp))
        return attest_set_error(ATTEST_E_POLICY_INVALID, "policy.snp: must be an object");
    json_object_foreach(snp, key, value) {
        int status = read_member(p, key, value);
        if (status != ATTEST_OK)
            return status;
    }
    if (p->has_report_data && p->nonce_binding > ATTEST_BIND_NONE)
        return invalid("report_data", "give report_data or report_data_binding, not both");
    return ATTEST_OK;
}
