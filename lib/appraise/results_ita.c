/* Intel Trust Authority results (research/results.md section 2): a TDX
 * token (v1 claims, flat) mapped into the cpu0 submod and judged by the
 * "tdx" policy section as a quote would be: the TD fields rebuilt from
 * the tdx_* claims go through dcap_appraise_fields, the TCB status (ITA's
 * spelling normalised) and advisories through the same policy members.
 * The nonce ITA issued and the attester's held data are bound by
 * tdx_report_data = SHA-512(val || iat || held data), recomputed here. */
#include "results.h"
#include "dcap_appraise.h"
#include "ear.h"

#include <openssl/evp.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int results_tcb_status(const char *text)
{
    /* ITA writes Intel's names; a pre-GA instance wrote OUT_OF_DATE. */
    char norm[48];
    size_t k = 0;
    for (size_t i = 0; text && text[i] && k + 1 < sizeof norm; i++)
        if (text[i] != '_')
            norm[k++] = (char)tolower((unsigned char)text[i]);
    norm[k] = '\0';
    for (int s = DCAP_TCB_UP_TO_DATE; s < DCAP_TCB_NOT_SUPPORTED; s++) {
        const char *name = dcap_tcb_status_name((dcap_tcb_status)s);
        size_t j = 0;
        while (name[j] && tolower((unsigned char)name[j]) == norm[j])
            j++;
        if (!name[j] && !norm[j])
            return s;
    }
    return -1;
}

bool results_hex_claim(json_t *claims, const char *name, uint8_t *out, size_t len)
{
    const char *hex = json_string_value(json_object_get(claims, name));
    return hex && strlen(hex) == 2 * len && attest_hex_decode(out, len, hex) == 0;
}

/* The TD report as the claims state it; false naming the first claim
 * missing or malformed in *bad. */
static bool td_from_claims(json_t *cl, dcap_td_report *td, const char **bad)
{
    static const char *const rtmr[4] = {"tdx_rtmr0", "tdx_rtmr1", "tdx_rtmr2", "tdx_rtmr3"};
    struct { const char *name; uint8_t *at; size_t len; } f[] = {
        {"tdx_tee_tcb_svn", td->tee_tcb_svn, 16}, {"tdx_mrseam", td->mrseam, 48},
        {"tdx_mrsignerseam", td->mrsignerseam, 48}, {"tdx_seam_attributes", td->seam_attributes, 8},
        {"tdx_td_attributes", td->td_attributes, 8}, {"tdx_xfam", td->xfam, 8},
        {"tdx_mrtd", td->mrtd, 48}, {"tdx_mrconfigid", td->mrconfigid, 48},
        {"tdx_mrowner", td->mrowner, 48}, {"tdx_mrownerconfig", td->mrownerconfig, 48},
        {"tdx_report_data", td->reportdata, 64},
    };
    memset(td, 0, sizeof *td);
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        if (!results_hex_claim(cl, f[i].name, f[i].at, f[i].len))
            return *bad = f[i].name, false;
    for (int i = 0; i < 4; i++)
        if (!results_hex_claim(cl, rtmr[i], td->rtmr[i], 48))
            return *bad = rtmr[i], false;
    return true;
}

/* Members that need what a token does not carry: refused, not skipped. */
static int refuse_raw_members(const results_ctx *c, const dcap_policy *p)
{
    const char *need = p->min_tcb_evaluation_data_number >= 0 ? "min_tcb_evaluation_data_number"
                       : p->event_log.required || p->event_log.events ? "event_log"
                       : p->mrservicetd.set                          ? "mrservicetd"
                       : p->report_data.set || p->report_data_binding ? "report_data"
                                                                       : NULL;
    if (!need)
        return ATTEST_OK;
    return attest_check_fail(c->r, "ita.policy", ATTEST_E_POLICY_INVALID,
                             "the policy sets tdx.%s, which needs the quote or its collateral; "
                             "this TD was appraised by Intel Trust Authority", need);
}

static void check_tcb(const results_ctx *c, json_t *cl, const dcap_policy *p)
{
    const char *text = json_string_value(json_object_get(cl, "attester_tcb_status"));
    int s = results_tcb_status(text);
    if (s < 0) {
        attest_check_fail(c->r, "policy.dcap.tcb_status", ATTEST_E_RESULT_CLAIMS,
                          "attester_tcb_status %s%s%s", text ? "\"" : "missing",
                          text ? text : "", text ? "\" unknown" : "");
    } else if (!(p->accepted_statuses & (1u << s))) {
        attest_check_fail(c->r, "policy.dcap.tcb_status", ATTEST_E_POLICY_TCB_STATUS,
                          "TCB status %s is not accepted (accepted_tcb_statuses)",
                          dcap_tcb_status_name((dcap_tcb_status)s));
    } else {
        attest_check_pass(c->r, "policy.dcap.tcb_status", "%s accepted (Intel Trust Authority)",
                          dcap_tcb_status_name((dcap_tcb_status)s));
    }
    json_t *ids = json_object_get(cl, "attester_advisory_ids"), *id;
    size_t i;
    if (ids && !json_is_array(ids)) {
        attest_check_fail(c->r, "policy.dcap.advisories", ATTEST_E_RESULT_CLAIMS,
                          "attester_advisory_ids is not an array");
        return;
    }
    json_array_foreach(ids, i, id) {
        const char *a = json_string_value(id);
        if (!a || policy_strings_has(&p->forbidden_advisories, a, false) ||
            (p->allowed_advisories.set && !policy_strings_has(&p->allowed_advisories, a, false))) {
            attest_check_fail(c->r, "policy.dcap.advisories", ATTEST_E_POLICY_ADVISORY,
                              "advisory %s is not allowed", a ? a : "(not a string)");
            return;
        }
    }
}

/* Decoded base64 claim text (standard alphabet, padded, as ITA writes). */
static int b64_claim(json_t *v, uint8_t **out, size_t *len)
{
    const char *s = json_string_value(v);
    return s ? attest_base64_decode(s, strlen(s), out, len) : -1;
}

/* tdx_report_data == SHA-512(val || iat || held data): the quote ITA
 * appraised answered the nonce ITA issued and carries the held data. */
static int check_binding(const results_ctx *c, json_t *cl, const uint8_t report_data[64])
{
    json_t *vn = json_object_get(cl, "verifier_nonce");
    json_t *held = json_object_get(cl, "attester_held_data");
    uint8_t *val = NULL, *iat = NULL, *data = NULL, md[64];
    size_t nval = 0, niat = 0, ndata = 0;
    int bad = b64_claim(json_object_get(vn, "val"), &val, &nval) ||
              b64_claim(json_object_get(vn, "iat"), &iat, &niat) ||
              (held && b64_claim(held, &data, &ndata));
    EVP_MD_CTX *ctx = bad ? NULL : EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, val, nval) == 1 && EVP_DigestUpdate(ctx, iat, niat) == 1 &&
             EVP_DigestUpdate(ctx, data ? data : md, ndata) == 1 &&
             EVP_DigestFinal_ex(ctx, md, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    free(val);
    free(iat);
    free(data);
    if (bad)
        return attest_check_fail(c->r, "ita.report_data", ATTEST_E_RESULT_CLAIMS,
                                 "verifier_nonce.val/.iat or attester_held_data missing or not "
                                 "base64");
    if (!ok || memcmp(md, report_data, 64) != 0)
        return attest_check_fail(c->r, "ita.report_data", ATTEST_E_RESULT_BINDING,
                                 "tdx_report_data is not SHA-512(verifier_nonce.val || "
                                 "verifier_nonce.iat || attester_held_data)");
    attest_check_pass(c->r, "ita.report_data", "tdx_report_data binds the verifier nonce and "
                      "%s", held ? "the held data" : "no held data");
    return ATTEST_OK;
}

/* The caller's nonce is the nonce ITA issued (verifier_nonce.val, whose
 * bytes ITA's portal makes base64 text once more: either form matches). */
static int check_nonce(const results_ctx *c, json_t *cl)
{
    uint8_t *val = NULL, *inner = NULL;
    size_t nval = 0, ninner = 0;
    if (!c->nonce_len) {
        attest_check_skip(c->r, "ita.nonce", "no nonce given: not shown fresh");
        return ATTEST_OK;
    }
    if (b64_claim(json_object_get(json_object_get(cl, "verifier_nonce"), "val"), &val, &nval))
        return attest_check_fail(c->r, "ita.nonce", ATTEST_E_TOKEN_NONCE,
                                 "verifier_nonce.val missing or not base64");
    bool same = nval == c->nonce_len && memcmp(val, c->nonce, nval) == 0;
    if (!same && attest_base64_decode((const char *)val, nval, &inner, &ninner) == 0)
        same = ninner == c->nonce_len && memcmp(inner, c->nonce, ninner) == 0;
    free(val);
    free(inner);
    if (!same)
        return attest_check_fail(c->r, "ita.nonce", ATTEST_E_TOKEN_NONCE,
                                 "verifier_nonce.val is not the caller's nonce");
    attest_check_pass_nonce(c->r, "ita.nonce", "verifier_nonce.val is the caller's nonce");
    return ATTEST_OK;
}

static void check_verdict(const results_ctx *c, json_t *cl)
{
    const char *type = json_string_value(json_object_get(cl, "attester_type"));
    json_t *unmatched = json_object_get(cl, "policy_ids_unmatched");
    if (!type || strcmp(type, "TDX") != 0)
        attest_check_fail(c->r, "ita.attester_type", ATTEST_E_RESULT_CLAIMS,
                          "attester_type %s; only TDX tokens are mapped", type ? type : "missing");
    else
        attest_check_pass(c->r, "ita.attester_type", "TDX");
    if (unmatched && !(json_is_array(unmatched) && json_array_size(unmatched) == 0))
        attest_check_fail(c->r, "ita.policy_ids", ATTEST_E_RESULT_VERDICT,
                          "policy_ids_unmatched is not empty: an ITA appraisal policy failed");
}

int ita_appraise(const results_ctx *c, const results_token *t)
{
    json_t *cl = t->claims;
    const dcap_policy *p = c->policy->tdx;
    dcap_td_report td;
    const char *bad = NULL;
    size_t first = c->r->count;
    check_verdict(c, cl);
    refuse_raw_members(c, p);
    check_tcb(c, cl, p);
    if (!td_from_claims(cl, &td, &bad)) {
        attest_check_fail(c->r, "ita.claims", ATTEST_E_RESULT_CLAIMS, "%s missing or not hex of "
                          "its size", bad);
    } else {
        dcap_appraise_fields(c->r, &td, NULL, p);
        check_binding(c, cl, td.reportdata);
    }
    check_nonce(c, cl);
    json_object_set_new(c->r->claims, "results",
                        json_pack("{s:s, s:O}", "appraised_by", "Intel Trust Authority",
                                  "claims", cl));
    ear_add_submod(c->r, "cpu0", NULL, first, c->r->count, NULL, "policy:tdx");
    results_note_appraiser(c->r, "cpu0", "Intel Trust Authority", t);
    return c->r->status;
}
