/* Policy appraisal of a verified DCAP quote: collateral time, TCB status,
 * advisories, evaluation data number, then the TD or enclave fields. Every
 * rule is evaluated and recorded; the first failure is the status. */
#include "binding.h"
#include "dcap_appraise.h"

#include <stdio.h>
#include <string.h>

static void appraise_window(attest_result *r, const dcap_window *w, int64_t now,
                            const dcap_policy *p)
{
    const char *name = "dcap.collateral.validity";
    char at[32], edge[32];
    attest_time_format(at, sizeof at, now);
    if (now >= w->not_before && now < w->not_after) {
        attest_check_pass(r, name, "every certificate, CRL, TCB Info and QE Identity valid at %s", at);
        return;
    }
    bool early = now < w->not_before;
    attest_time_format(edge, sizeof edge, early ? w->not_before : w->not_after);
    const char *what = early ? w->latest_start : w->earliest_end;
    if (p->allow_expired_collateral) {
        attest_check_skip(r, name, "%s %s at %s (%s); allowed by allow_expired_collateral",
                          what, early ? "not valid before" : "expired", edge, at);
        return;
    }
    attest_check_fail(r, name, ATTEST_E_POLICY_COLLATERAL_TIME,
                      "%s %s %s, the instant is %s (allow_expired_collateral is false)", what,
                      early ? "is not valid before" : "expired at", edge, at);
}

static void appraise_tcb(attest_result *r, const dcap_verified *v, const dcap_tcb_result *t,
                         const dcap_policy *p)
{
    const char *status = dcap_tcb_status_name(t->status);
    if (!(p->accepted_statuses & (1u << t->status)))
        attest_check_fail(r, "policy.dcap.tcb_status", ATTEST_E_POLICY_TCB_STATUS,
                          "TCB status %s is not accepted (accepted_tcb_statuses)", status);
    else
        attest_check_pass(r, "policy.dcap.tcb_status", "%s accepted", status);
    for (size_t i = 0; i < t->advisory_count; i++) {
        const char *id = t->advisories[i];
        if (policy_strings_has(&p->forbidden_advisories, id, false) ||
            (p->allowed_advisories.set &&
             !policy_strings_has(&p->allowed_advisories, id, false))) {
            attest_check_fail(r, "policy.dcap.advisories", ATTEST_E_POLICY_ADVISORY,
                              "advisory %s is not allowed", id);
            break;
        }
    }
    if (p->min_tcb_evaluation_data_number >= 0) {
        int have = v->tcb_info->tcb_evaluation_data_number;
        if (have < p->min_tcb_evaluation_data_number)
            attest_check_fail(r, "policy.dcap.tcb_evaluation_data_number",
                              ATTEST_E_POLICY_TCB_EVALUATION, "TCB Info evaluation data "
                              "number %d below %d", have, p->min_tcb_evaluation_data_number);
        else
            attest_check_pass(r, "policy.dcap.tcb_evaluation_data_number", "%d", have);
    }
}

static void expect_bytes(attest_result *r, const char *name, const policy_bytes *e,
                         const uint8_t *actual, size_t len, int status)
{
    if (!e->set)
        return;
    if (memcmp(e->value, actual, len) == 0)
        attest_check_pass(r, name, "equal to the policy's value");
    else
        attest_check_fail(r, name, status, "differs from the policy's value");
}

static void expect_listed(attest_result *r, const char *name, const policy_digests *l,
                          const uint8_t *actual)
{
    if (!l->count)
        return;
    if (policy_digests_has(l, actual)) {
        attest_check_pass(r, name, "one of the %zu allowed", l->count);
        return;
    }
    attest_check_fail(r, name, ATTEST_E_POLICY_MEASUREMENT, "not one of the %zu allowed",
                      l->count);
}

/* TD_ATTRIBUTES, the little-endian u64 at offset 120 of the TD report.
 * Bits as Intel's TDX module defines them (intel/tdx-module
 * include/tdx_api_defs.h, td_param_attributes_t, commit 1666adc494db;
 * the same names in Linux arch/x86/include/asm/shared/tdx.h TDX_ATTR_*):
 *   0 DEBUG, 1-3 reserved (TUD), 4-15 TUP "TD under profiling" (6 PMT_PROF;
 *   Linux also names 4 HGS_PLUS_PROF and 5 PERF_PROF), 16 ICSSD, 17-26
 *   reserved (SEC), 27 LASS, 28 SEPT_VE_DISABLE, 29 MIGRATABLE, 30 PKS,
 *   31 KL, 32-61 reserved (OTHER), 62 TPA, 63 PERFMON.
 * Byte 0 is the TDX 1.0 ABI's TUD group (DEBUG, bits 1-7 reserved for
 * debug features); the bits defined there since (profiling by the host)
 * also let the host observe the TD, so any bit of byte 0 makes a debug TD.
 * Reserved bits (8-15, 17-26, 32-61) are refused whatever the policy: a
 * module that sets one has a feature whose effect on the TD's security
 * this code cannot judge (TDH.MNG.INIT refuses them on today's modules). */
#define TD_ATTR_DEBUG_GROUP 0xFFull
#define TD_ATTR_ICSSD (1ull << 16)
#define TD_ATTR_LASS (1ull << 27)
#define TD_ATTR_SEPT_VE_DISABLE (1ull << 28)
#define TD_ATTR_MIGRATABLE (1ull << 29)
#define TD_ATTR_PKS (1ull << 30)
#define TD_ATTR_KL (1ull << 31)
#define TD_ATTR_TPA (1ull << 62)
#define TD_ATTR_PERFMON (1ull << 63)
#define TD_ATTR_DEFINED                                                              \
    (TD_ATTR_DEBUG_GROUP | TD_ATTR_ICSSD | TD_ATTR_LASS | TD_ATTR_SEPT_VE_DISABLE |   \
     TD_ATTR_MIGRATABLE | TD_ATTR_PKS | TD_ATTR_KL | TD_ATTR_TPA | TD_ATTR_PERFMON)
#define TD_ATTR_RESERVED (~TD_ATTR_DEFINED)

/* "3, 17, 40": the numbers of the bits set in `bits`, into out[n]. */
static const char *bit_list(char *out, size_t n, uint64_t bits)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < 64 && used < n; i++)
        if (bits >> i & 1) {
            int w = snprintf(out + used, n - used, "%s%d", used ? ", " : "", i);
            if (w < 0)
                break;
            used += (size_t)w;
        }
    return out;
}

static void appraise_td_attributes(attest_result *r, const uint8_t raw[8],
                                   const dcap_policy *p)
{
    uint64_t attr = attest_le64(raw);
    uint64_t debug = attr & TD_ATTR_DEBUG_GROUP, reserved = attr & TD_ATTR_RESERVED;
    char bits[256];
    if (debug && !p->allow_debug)
        attest_check_fail(r, "policy.tdx.debug", ATTEST_E_POLICY_DEBUG,
                          "TD_ATTRIBUTES debug bit(s) %s set (byte 0: DEBUG and the "
                          "debug/profiling bits 1-7); the policy forbids debug TDs "
                          "(allow_debug)", bit_list(bits, sizeof bits, debug));
    else
        attest_check_pass(r, "policy.tdx.debug", "%s",
                          debug ? "debug TD allowed by the policy" : "not a debug TD");
    if (reserved)
        attest_check_fail(r, "policy.tdx.td_attributes_reserved", ATTEST_E_POLICY_GUEST_POLICY,
                          "TD_ATTRIBUTES reserved bit(s) %s set; no policy member allows "
                          "them", bit_list(bits, sizeof bits, reserved));
    else
        attest_check_pass(r, "policy.tdx.td_attributes_reserved", "no reserved bit set");
    /* Without SEPT_VE_DISABLE the host can make any access of the TD to a
     * private page it removed raise #VE, at points where the guest cannot
     * handle one safely; Linux refuses to boot as such a TD unless it can
     * turn the #VE off itself, which the quote does not show. */
    if (attr & TD_ATTR_SEPT_VE_DISABLE)
        attest_check_pass(r, "policy.tdx.sept_ve_disable", "SEPT_VE_DISABLE set");
    else if (p->require_sept_ve_disable)
        attest_check_fail(r, "policy.tdx.sept_ve_disable", ATTEST_E_POLICY_GUEST_POLICY,
                          "TD_ATTRIBUTES.SEPT_VE_DISABLE (bit 28) is clear; the policy "
                          "requires it (require_sept_ve_disable)");
    else
        attest_check_pass(r, "policy.tdx.sept_ve_disable", "SEPT_VE_DISABLE clear, allowed "
                          "by the policy (require_sept_ve_disable is false)");
}

static void appraise_td(attest_result *r, const dcap_td_report *td, const dcap_policy *p)
{
    static const char *const rtmr_names[] = {"policy.tdx.rtmr0", "policy.tdx.rtmr1",
                                             "policy.tdx.rtmr2", "policy.tdx.rtmr3"};
    appraise_td_attributes(r, td->td_attributes, p);
    expect_listed(r, "policy.tdx.mrtd", &p->mrtd, td->mrtd);
    expect_listed(r, "policy.tdx.mrseam", &p->mrseam, td->mrseam);
    for (int i = 0; i < 4; i++)
        expect_bytes(r, rtmr_names[i], &p->rtmr[i], td->rtmr[i], 48, ATTEST_E_POLICY_MEASUREMENT);
    expect_bytes(r, "policy.tdx.mrsignerseam", &p->mrsignerseam, td->mrsignerseam, 48,
                 ATTEST_E_POLICY_ID);
    expect_bytes(r, "policy.tdx.seam_attributes", &p->seam_attributes, td->seam_attributes, 8,
                 ATTEST_E_POLICY_GUEST_POLICY);
    expect_bytes(r, "policy.tdx.td_attributes", &p->td_attributes, td->td_attributes, 8,
                 ATTEST_E_POLICY_GUEST_POLICY);
    expect_bytes(r, "policy.tdx.xfam", &p->xfam, td->xfam, 8, ATTEST_E_POLICY_GUEST_POLICY);
    expect_bytes(r, "policy.tdx.mrconfigid", &p->mrconfigid, td->mrconfigid, 48, ATTEST_E_POLICY_ID);
    expect_bytes(r, "policy.tdx.mrowner", &p->mrowner, td->mrowner, 48, ATTEST_E_POLICY_ID);
    expect_bytes(r, "policy.tdx.mrownerconfig", &p->mrownerconfig, td->mrownerconfig, 48,
                 ATTEST_E_POLICY_ID);
    if (p->mrservicetd.set) {
        static const uint8_t zero[48];
        expect_bytes(r, "policy.tdx.mrservicetd", &p->mrservicetd,
                     td->is_15 ? td->mrservicetd : zero, 48, ATTEST_E_POLICY_ID);
    }
}

static void appraise_enclave(attest_result *r, const dcap_sgx_report *e, const dcap_policy *p)
{
    /* ATTRIBUTES.DEBUG is bit 1 of the first byte. */
    if ((e->attributes[0] & 2) && !p->allow_debug)
        attest_check_fail(r, "policy.sgx.debug", ATTEST_E_POLICY_DEBUG,
                          "ATTRIBUTES.DEBUG is set; the policy forbids debug enclaves (allow_debug)");
    else
        attest_check_pass(r, "policy.sgx.debug", "%s",
                          e->attributes[0] & 2 ? "debug enclave allowed by the policy"
                                               : "not a debug enclave");
    expect_listed(r, "policy.sgx.mrenclave", &p->mrenclave, e->mrenclave);
    expect_bytes(r, "policy.sgx.mrsigner", &p->mrsigner, e->mrsigner, 32, ATTEST_E_POLICY_ID);
    if (p->isvprodid >= 0) {
        if (e->isvprodid == p->isvprodid)
            attest_check_pass(r, "policy.sgx.isvprodid", "%u", e->isvprodid);
        else
            attest_check_fail(r, "policy.sgx.isvprodid", ATTEST_E_POLICY_ID,
                              "ISVPRODID %u, the policy wants %d", e->isvprodid, p->isvprodid);
    }
    if (p->min_isvsvn >= 0) {
        if (e->isvsvn >= p->min_isvsvn)
            attest_check_pass(r, "policy.sgx.isvsvn", "%u", e->isvsvn);
        else
            attest_check_fail(r, "policy.sgx.isvsvn", ATTEST_E_POLICY_FIRMWARE,
                              "ISVSVN %u below %d", e->isvsvn, p->min_isvsvn);
    }
}

int dcap_appraise(attest_result *r, const dcap_quote *q, const dcap_verified *v,
                  const dcap_tcb_result *tcb, const dcap_policy *p, int64_t now,
                  const uint8_t *nonce, size_t nonce_len, report_data_rule rule)
{
    bool tdx = q->body_kind != DCAP_BODY_SGX;
    appraise_window(r, &v->window, now, p);
    appraise_tcb(r, v, tcb, p);
    if (tdx)
        appraise_td(r, &q->td, p);
    else
        appraise_enclave(r, &q->enclave, p);
    attest_appraise_report_data(r, tdx ? "policy.tdx.report_data" : "policy.sgx.report_data",
                                tdx ? q->td.reportdata : q->enclave.reportdata,
                                p->report_data.set ? p->report_data.value : NULL,
                                (attest_binding)p->report_data_binding, nonce, nonce_len, rule);
    return r->status;
}

void dcap_appraise_fields(attest_result *r, const dcap_td_report *td, const dcap_sgx_report *e,
                          const dcap_policy *p)
{
    if (td)
        appraise_td(r, td, p);
    else
        appraise_enclave(r, e, p);
}
