/* The TCB status of a DCAP quote as Intel QVL computes it
 * (QuoteVerifier.cpp, Checks/TcbLevelCheck.cpp, Checks/TdxModuleCheck.cpp,
 * EnclaveReportVerifier.cpp; research/tdx.md (b) step 4.8-4.10). */
#include "dcap_appraise.h"

#include <string.h>
#include <strings.h>

static bool sgx_level_matches(const dcap_tcb_level *l, const intel_pck_info *pck)
{
    for (int i = 0; i < 16; i++)
        if (pck->sgx_svn[i] < l->sgx_svn[i])
            return false;
    return pck->pcesvn >= l->pcesvn;
}

/* TEE_TCB_SVN against tdxtcbcomponents; with a module major version
 * (TEE_TCB_SVN[1] > 0) indexes 0 and 1 belong to the module identity and
 * are compared from index 2 only (QVL isTdxTcbHigherOrEqual). */
static bool tdx_level_matches(const dcap_tcb_level *l, const dcap_quote *q)
{
    int start = q->td.tee_tcb_svn[1] > 0 ? 2 : 0;
    for (int i = start; i < 16; i++)
        if (q->td.tee_tcb_svn[i] < l->tdx_svn[i])
            return false;
    return true;
}

static const dcap_tcb_level *match_platform(const dcap_quote *q, const dcap_verified *v)
{
    const dcap_tcb_info *t = v->tcb_info;
    bool tdx = q->tee_type == DCAP_TEE_TDX;
    for (size_t i = 0; i < t->level_count; i++) {
        const dcap_tcb_level *l = &t->levels[i]; /* sorted highest first */
        if (sgx_level_matches(l, &v->pck) && (!tdx || (l->has_tdx && tdx_level_matches(l, q))))
            return l;
    }
    return NULL;
}

/* First level (JSON order, highest first) whose isvsvn the SVN reaches. */
static const dcap_isv_level *match_isv(const dcap_isv_level *levels, size_t n, int svn)
{
    for (size_t i = 0; i < n; i++)
        if (svn >= levels[i].isvsvn)
            return &levels[i];
    return NULL;
}

static const dcap_tdx_module_identity *module_identity(const dcap_tcb_info *t, uint8_t major)
{
    char id[16];
    snprintf(id, sizeof id, "TDX_%02X", major);
    for (size_t i = 0; i < t->module_identity_count; i++)
        if (strcasecmp(t->module_identities[i].id, id) == 0)
            return &t->module_identities[i];
    return NULL;
}

/* QVL's convergence of the platform status with a component (module or QE)
 * status: an out-of-date component makes the platform out of date, a
 * revoked one revokes it. */
static dcap_tcb_status converge(dcap_tcb_status platform, dcap_tcb_status component)
{
    if (component == DCAP_TCB_REVOKED)
        return DCAP_TCB_REVOKED;
    if (component != DCAP_TCB_OUT_OF_DATE)
        return platform;
    switch (platform) {
    case DCAP_TCB_UP_TO_DATE:
    case DCAP_TCB_SW_HARDENING_NEEDED:
        return DCAP_TCB_OUT_OF_DATE;
    case DCAP_TCB_CONFIGURATION_NEEDED:
    case DCAP_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
        return DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
    default:
        return platform;
    }
}

static void add_advisories(dcap_tcb_result *out, const dcap_advisories *a)
{
    for (size_t i = 0; i < a->count; i++) {
        bool seen = false;
        for (size_t j = 0; j < out->advisory_count && !seen; j++)
            seen = strcmp(out->advisories[j], a->ids[i]) == 0;
        if (!seen && out->advisory_count < DCAP_MAX_ADVISORIES)
            out->advisories[out->advisory_count++] = a->ids[i];
    }
}

static void note_date(dcap_tcb_result *out, int64_t date)
{
    if (out->tcb_date == 0 || date < out->tcb_date)
        out->tcb_date = date;
}

static json_t *tcb_json(const dcap_tcb_result *t, const dcap_verified *v)
{
    char date[32];
    attest_time_format(date, sizeof date, t->tcb_date);
    json_t *adv = json_array();
    for (size_t i = 0; i < t->advisory_count; i++)
        json_array_append_new(adv, json_string(t->advisories[i]));
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:i, s:i}", "status",
                          dcap_tcb_status_name(t->status), "platform_status",
                          dcap_tcb_status_name(t->platform_status), "qe_status",
                          dcap_tcb_status_name(t->qe_status), "advisory_ids", adv, "tcb_date",
                          date, "tcb_evaluation_data_number",
                          v->tcb_info->tcb_evaluation_data_number,
                          "qe_identity_tcb_evaluation_data_number",
                          v->qe_identity->tcb_evaluation_data_number);
    if (t->has_module_status)
        json_object_set_new(o, "tdx_module_status",
                            json_string(dcap_tcb_status_name(t->module_status)));
    return o;
}

int dcap_tcb_evaluate(attest_result *r, const dcap_quote *q, const dcap_verified *v,
                      json_t *claims, dcap_tcb_result *out)
{
    const char *name = "dcap.tcb";
    memset(out, 0, sizeof *out);
    out->status = DCAP_TCB_NOT_SUPPORTED;
    const dcap_isv_level *qe = match_isv(v->qe_identity->levels, v->qe_identity->level_count,
                                         q->qe_report.isvsvn);
    if (!qe)
        return attest_check_fail(r, name, ATTEST_E_DCAP_TCB_NOT_SUPPORTED,
                                 "QE ISVSVN %u is below every level of the QE Identity",
                                 q->qe_report.isvsvn);
    const dcap_tcb_level *platform = match_platform(q, v);
    if (!platform)
        return attest_check_fail(r, name, ATTEST_E_DCAP_TCB_NOT_SUPPORTED,
                                 "no TCB level of TCB Info (FMSPC evaluation data number %d) "
                                 "matches the PCK's SGX components/PCESVN%s",
                                 v->tcb_info->tcb_evaluation_data_number,
                                 q->tee_type == DCAP_TEE_TDX ? " and TEE_TCB_SVN" : "");
    out->platform_level = platform;
    out->platform_status = platform->status;
    out->qe_status = qe->status;
    out->status = platform->status;
    add_advisories(out, &platform->advisories);
    note_date(out, platform->tcb_date);
    uint8_t major = q->td.tee_tcb_svn[1];
    if (q->tee_type == DCAP_TEE_TDX && q->version > 3 && major > 0) {
        const dcap_tdx_module_identity *m = module_identity(v->tcb_info, major);
        const dcap_isv_level *ml = m ? match_isv(m->levels, m->level_count, q->td.tee_tcb_svn[0])
                                     : NULL;
        if (!ml)
            return attest_check_fail(r, name, ATTEST_E_DCAP_TCB_NOT_SUPPORTED,
                                     "TDX module SVN %u is below every level of TDX_%02X",
                                     q->td.tee_tcb_svn[0], major);
        out->has_module_status = true;
        out->module_status = ml->status;
        out->status = converge(out->status, ml->status);
        add_advisories(out, &ml->advisories);
        note_date(out, ml->tcb_date);
    }
    out->status = converge(out->status, qe->status);
    add_advisories(out, &qe->advisories);
    note_date(out, qe->tcb_date);
    json_object_set_new(claims, "tcb", tcb_json(out, v));
    attest_check_pass(r, name, "%s (platform %s, QE %s%s%s), %zu advisories",
                      dcap_tcb_status_name(out->status),
                      dcap_tcb_status_name(out->platform_status),
                      dcap_tcb_status_name(out->qe_status),
                      out->has_module_status ? ", module " : "",
                      out->has_module_status ? dcap_tcb_status_name(out->module_status) : "",
                      out->advisory_count);
    return ATTEST_OK;
}
