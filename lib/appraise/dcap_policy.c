/* The "tdx" and "sgx" sections of a policy document (docs/policy.md),
 * read by the table-driven policy reader. */
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
}

void dcap_policy_release(dcap_policy *p)
{
    policy_strings_release(&p->allowed_advisories);
    policy_strings_release(&p->forbidden_advisories);
    policy_digests_release(&p->mrtd);
    policy_digests_release(&p->mrseam);
    policy_digests_release(&p->mrenclave);
    eventlog_policy_release(&p->event_log);
}

static int read_event_log(void *section, const char *sec, const char *m, json_t *v)
{
    (void)m;
    return eventlog_policy_read(&((dcap_policy *)section)->event_log, sec, v);
}

static int read_statuses(void *section, const char *sec, const char *m, json_t *v)
{
    dcap_policy *p = section;
    size_t i;
    json_t *item;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return policy_invalid(sec, m, "must be a non-empty array");
    p->accepted_statuses = 0;
    json_array_foreach(v, i, item) {
        int s = dcap_tcb_status_parse(json_string_value(item));
        if (s < 0)
            return policy_invalid(sec, m,
                                  "entries are UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
                                  "ConfigurationAndSWHardeningNeeded, OutOfDate, "
                                  "OutOfDateConfigurationNeeded, Revoked");
        p->accepted_statuses |= 1u << s;
    }
    return ATTEST_OK;
}

static int read_binding(void *section, const char *sec, const char *m, json_t *v)
{
    int b = attest_binding_parse(json_string_value(v));
    if (b < 0)
        return policy_invalid(sec, m, "one of none, raw, sha256, sha384, sha512");
    ((dcap_policy *)section)->report_data_binding = b;
    return ATTEST_OK;
}

/* Members both sections share: the platform and the report data. */
#define DCAP_COMMON_MEMBERS                                                              \
    PM_FN("accepted_tcb_statuses", read_statuses),                                       \
    PM("allowed_advisory_ids", PM_STRINGS, dcap_policy, allowed_advisories, 0, 0),       \
    PM("forbidden_advisory_ids", PM_STRINGS, dcap_policy, forbidden_advisories, 0, 0),   \
    PM("min_tcb_evaluation_data_number", PM_INT, dcap_policy,                            \
       min_tcb_evaluation_data_number, 0, 1 << 30),                                      \
    PM("allow_expired_collateral", PM_BOOL, dcap_policy, allow_expired_collateral, 0, 0), \
    PM("allow_debug", PM_BOOL, dcap_policy, allow_debug, 0, 0),                          \
    PM("report_data", PM_BYTES, dcap_policy, report_data, 64, 0),                        \
    PM_FN("report_data_binding", read_binding)

static const policy_member tdx_members[] = {
    DCAP_COMMON_MEMBERS,
    PM("require_sept_ve_disable", PM_BOOL, dcap_policy, require_sept_ve_disable, 0, 0),
    PM("mrtd", PM_DIGESTS, dcap_policy, mrtd, 48, 0),
    PM("mrseam", PM_DIGESTS, dcap_policy, mrseam, 48, 0),
    PM("rtmr0", PM_BYTES, dcap_policy, rtmr[0], 48, 0),
    PM("rtmr1", PM_BYTES, dcap_policy, rtmr[1], 48, 0),
    PM("rtmr2", PM_BYTES, dcap_policy, rtmr[2], 48, 0),
    PM("rtmr3", PM_BYTES, dcap_policy, rtmr[3], 48, 0),
    PM("mrsignerseam", PM_BYTES, dcap_policy, mrsignerseam, 48, 0),
    PM("seam_attributes", PM_BYTES, dcap_policy, seam_attributes, 8, 0),
    PM("td_attributes", PM_BYTES, dcap_policy, td_attributes, 8, 0),
    PM("xfam", PM_BYTES, dcap_policy, xfam, 8, 0),
    PM("mrconfigid", PM_BYTES, dcap_policy, mrconfigid, 48, 0),
    PM("mrowner", PM_BYTES, dcap_policy, mrowner, 48, 0),
    PM("mrownerconfig", PM_BYTES, dcap_policy, mrownerconfig, 48, 0),
    PM("mrservicetd", PM_BYTES, dcap_policy, mrservicetd, 48, 0),
    PM_FN("event_log", read_event_log),
};

static const policy_member sgx_members[] = {
    DCAP_COMMON_MEMBERS,
    PM("mrenclave", PM_DIGESTS, dcap_policy, mrenclave, 32, 0),
    PM("mrsigner", PM_BYTES, dcap_policy, mrsigner, 32, 0),
    PM("isvprodid", PM_INT, dcap_policy, isvprodid, 0, 65535),
    PM("min_isvsvn", PM_INT, dcap_policy, min_isvsvn, 0, 65535),
};

int dcap_policy_from_json(dcap_policy *p, json_t *section, bool tdx)
{
    const char *name = tdx ? "tdx" : "sgx";
    int status = tdx ? policy_read_section(p, name, tdx_members,
                                           sizeof tdx_members / sizeof tdx_members[0], section)
                     : policy_read_section(p, name, sgx_members,
                                           sizeof sgx_members / sizeof sgx_members[0], section);
    if (status == ATTEST_OK && p->report_data.set && p->report_data_binding > ATTEST_BIND_NONE)
        return policy_invalid(name, "report_data",
                              "give report_data or report_data_binding, not both");
    return status;
}
