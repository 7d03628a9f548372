/* The "tdx" and "sgx" sections of a policy document. Every member is
 * optional; unknown members are errors so that a typo never weakens a
 * policy. */
#include "binding.h"
#include "dcap_appraise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dcap_policy_defaults(dcap_policy *p)
{
    memset(p, 0, sizeof *p);
    p->accepted_statuses = 1u << DCAP_TCB_UP_TO_DATE;
    p->min_tcb_evaluation_data_number = -1;
    p->isvprodid = -1;
    p->min_isvsvn = -1;
    p->require_sept_ve_disable = true;
    p->mrtd.len = p->mrseam.len = 48;
    p->mrenclave.len = 32;
}

static void free_strings(dcap_string_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void dcap_policy_release(dcap_policy *p)
{
    free_strings(&p->allowed_advisories);
    free_strings(&p->forbidden_advisories);
    free(p->mrtd.items);
    free(p->mrseam.items);
    free(p->mrenclave.items);
    p->mrtd.items = p->mrseam.items = p->mrenclave.items = NULL;
}

static int invalid(bool tdx, const char *member, const char *why)
{
    return attest_set_error(ATTEST_E_POLICY_INVALID, "policy.%s.%s: %s", tdx ? "tdx" : "sgx",
                            member, why);
}

static int read_expect(json_t *v, bool tdx, const char *member, dcap_expect *e, size_t len)
{
    if (!json_is_string(v) || attest_hex_decode(e->value, len, json_string_value(v)) != 0) {
        char why[48];
        snprintf(why, sizeof why, "must be %zu hex digits", len * 2);
        return invalid(tdx, member, why);
    }
    e->set = true;
    return ATTEST_OK;
}

static int read_digests(json_t *v, bool tdx, const char *member, dcap_digest_list *l)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return invalid(tdx, member, "must be a non-empty array of hex digests");
    free(l->items);
    l->count = json_array_size(v);
    if (!(l->items = calloc(l->count, sizeof *l->items)))
        return attest_set_error(ATTEST_E_NOMEM, "policy: out of memory");
    for (size_t i = 0; i < l->count; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item) || attest_hex_decode(l->items[i], l->len,
                                                       json_string_value(item)) != 0)
            return invalid(tdx, member, l->len == 48 ? "entries must be 96 hex digits"
                                                     : "entries must be 64 hex digits");
    }
    return ATTEST_OK;
}

static int read_strings(json_t *v, bool tdx, const char *member, dcap_string_list *l)
{
    size_t i;
    json_t *item;
    if (!json_is_array(v))
        return invalid(tdx, member, "must be an array of advisory IDs");
    free_strings(l);
    l->set = true;
    if (json_array_size(v) && !(l->items = calloc(json_array_size(v), sizeof *l->items)))
        return attest_set_error(ATTEST_E_NOMEM, "policy: out of memory");
    json_array_foreach(v, i, item) {
        if (!json_is_string(item))
            return invalid(tdx, member, "must be an array of advisory IDs");
        if (!(l->items[l->count] = strdup(json_string_value(item))))
            return attest_set_error(ATTEST_E_NOMEM, "policy: out of memory");
        l->count++;
    }
    return ATTEST_OK;
}

static int read_statuses(json_t *v, bool tdx, unsigned *mask)
{
    size_t i;
    json_t *item;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return invalid(tdx, "accepted_tcb_statuses", "must be a non-empty array");
    *mask = 0;
    json_array_foreach(v, i, item) {
        int s = dcap_tcb_status_parse(json_string_value(item));
        if (s < 0)
            return invalid(tdx, "accepted_tcb_statuses",
                           "entries are UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
                           "ConfigurationAndSWHardeningNeeded, OutOfDate, "
                           "OutOfDateConfigurationNeeded, Revoked");
        *mask |= 1u << s;
    }
    return ATTEST_OK;
}

static int read_int(json_t *v, bool tdx, const char *member, int max, int *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return invalid(tdx, member, "must be a non-negative integer in range");
    *out = (int)json_integer_value(v);
    return ATTEST_OK;
}

static int read_bool(json_t *v, bool tdx, const char *member, bool *out)
{
    if (!json_is_boolean(v))
        return invalid(tdx, member, "must be true or false");
    *out = json_is_true(v);
    return ATTEST_OK;
}

/* Members both sections share: the platform and the report data. */
static int read_common(dcap_policy *p, bool tdx, const char *k, json_t *v, bool *known)
{
    *known = true;
    if (!strcmp(k, "accepted_tcb_statuses")) return read_statuses(v, tdx, &p->accepted_statuses);
    if (!strcmp(k, "allowed_advisory_ids")) return read_strings(v, tdx, k, &p->allowed_advisories);
    if (!strcmp(k, "forbidden_advisory_ids")) return read_strings(v, tdx, k, &p->forbidden_advisories);
    if (!strcmp(k, "min_tcb_evaluation_data_number"))
        return read_int(v, tdx, k, 1 << 30, &p->min_tcb_evaluation_data_number);
    if (!strcmp(k, "allow_expired_collateral")) return read_bool(v, tdx, k, &p->allow_expired_collateral);
    if (!strcmp(k, "allow_debug")) return read_bool(v, tdx, k, &p->allow_debug);
    if (!strcmp(k, "report_data")) return read_expect(v, tdx, k, &p->report_data, 64);
    if (!strcmp(k, "report_data_binding")) {
        int b = attest_binding_parse(json_string_value(v));
        if (b < 0)
            return invalid(tdx, k, "one of none, raw, sha256, sha384, sha512");
        p->report_data_binding = b;
        return ATTEST_OK;
    }
    *known = false;
    return ATTEST_OK;
}

static int read_td(dcap_policy *p, const char *k, json_t *v)
{
    static const char *const rtmrs[] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(k, rtmrs[i]))
            return read_expect(v, true, k, &p->rtmr[i], 48);
    if (!strcmp(k, "require_sept_ve_disable"))
        return read_bool(v, true, k, &p->require_sept_ve_disable);
    if (!strcmp(k, "mrtd")) return read_digests(v, true, k, &p->mrtd);
    if (!strcmp(k, "mrseam")) return read_digests(v, true, k, &p->mrseam);
    if (!strcmp(k, "mrsignerseam")) return read_expect(v, true, k, &p->mrsignerseam, 48);
    if (!strcmp(k, "seam_attributes")) return read_expect(v, true, k, &p->seam_attributes, 8);
    if (!strcmp(k, "td_attributes")) return read_expect(v, true, k, &p->td_attributes, 8);
    if (!strcmp(k, "xfam")) return read_expect(v, true, k, &p->xfam, 8);
    if (!strcmp(k, "mrconfigid")) return read_expect(v, true, k, &p->mrconfigid, 48);
    if (!strcmp(k, "mrowner")) return read_expect(v, true, k, &p->mrowner, 48);
    if (!strcmp(k, "mrownerconfig")) return read_expect(v, true, k, &p->mrownerconfig, 48);
    if (!strcmp(k, "mrservicetd")) return read_expect(v, true, k, &p->mrservicetd, 48);
    return invalid(true, k, "unknown member");
}

static int read_sgx(dcap_policy *p, const char *k, json_t *v)
{
    if (!strcmp(k, "mrenclave")) return read_digests(v, false, k, &p->mrenclave);
    if (!strcmp(k, "mrsigner")) return read_expect(v, false, k, &p->mrsigner, 32);
    if (!strcmp(k, "isvprodid")) return read_int(v, false, k, 65535, &p->isvprodid);
    if (!strcmp(k, "min_isvsvn")) return read_int(v, false, k, 65535, &p->min_isvsvn);
    return invalid(false, k, "unknown member");
}

int dcap_policy_from_json(dcap_policy *p, json_t *section, bool tdx)
{
    const char *key;
    json_t *value;
    if (!json_is_object(section))
        return invalid(tdx, "", "must be an object");
    json_object_foreach(section, key, value) {
        bool known;
        int status = read_common(p, tdx, key, value, &known);
        if (status == ATTEST_OK && !known)
            status = tdx ? read_td(p, key, value) : read_sgx(p, key, value);
        if (status != ATTEST_OK)
            return status;
    }
    if (p->report_data.set && p->report_data_binding > ATTEST_BIND_NONE)
        return invalid(tdx, "report_data", "give report_data or report_data_binding, not both");
    return ATTEST_OK;
}
