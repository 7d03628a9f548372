/* Azure Attestation results (research/results.md section 3): an SGX token
 * (x-ms-attestation-type "sgx") mapped into the cpu0 submod and judged by
 * the "sgx" policy section as a quote would be (the enclave fields rebuilt
 * from the x-ms-sgx-* claims). MAA binds the runtime data the enclave
 * sent by REPORT_DATA[0:32] = SHA-256(runtime data); with binary runtime
 * data (x-ms-sgx-ehd) that is recomputed here. */
#include "results.h"
#include "dcap_appraise.h"
#include "ear.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool u16_claim(json_t *claims, const char *name, uint16_t *out)
{
    json_t *v = json_object_get(claims, name);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xFFFF)
        return false;
    *out = (uint16_t)json_integer_value(v);
    return true;
}

/* The enclave as the claims state it; ATTRIBUTES carries only the DEBUG
 * bit MAA reports (x-ms-sgx-is-debuggable). */
static bool enclave_from_claims(json_t *cl, dcap_sgx_report *e, const char **bad)
{
    json_t *debug = json_object_get(cl, "x-ms-sgx-is-debuggable");
    memset(e, 0, sizeof *e);
    if (!results_hex_claim(cl, "x-ms-sgx-mrenclave", e->mrenclave, 32))
        return *bad = "x-ms-sgx-mrenclave", false;
    if (!results_hex_claim(cl, "x-ms-sgx-mrsigner", e->mrsigner, 32))
        return *bad = "x-ms-sgx-mrsigner", false;
    if (!results_hex_claim(cl, "x-ms-sgx-report-data", e->reportdata, 64))
        return *bad = "x-ms-sgx-report-data", false;
    if (!u16_claim(cl, "x-ms-sgx-product-id", &e->isvprodid))
        return *bad = "x-ms-sgx-product-id", false;
    if (!u16_claim(cl, "x-ms-sgx-svn", &e->isvsvn))
        return *bad = "x-ms-sgx-svn", false;
    if (!json_is_boolean(debug))
        return *bad = "x-ms-sgx-is-debuggable", false;
    e->attributes[0] = json_is_true(debug) ? 2 : 0;
    return true;
}

/* Binary runtime data: SHA-256 of it is REPORT_DATA[0:32]. JSON runtime
 * data arrives parsed (x-ms-runtime), its bytes lost: MAA's word only. */
static int check_binding(const results_ctx *c, json_t *cl, const uint8_t rd[64], uint8_t **ehd,
                         size_t *ehd_len)
{
    const char *text = json_string_value(json_object_get(cl, "x-ms-sgx-ehd"));
    uint8_t md[32];
    if (!text) {
        attest_check_skip(c->r, "maa.report_data", "no binary runtime data (x-ms-sgx-ehd): %s",
                          json_object_get(cl, "x-ms-runtime") ? "JSON runtime data, bound by "
                          "MAA, not recomputable" : "none sent");
        return ATTEST_OK;
    }
    if (attest_base64url_decode(text, strlen(text), ehd, ehd_len) != 0)
        return attest_check_fail(c->r, "maa.report_data", ATTEST_E_RESULT_CLAIMS,
                                 "x-ms-sgx-ehd is not base64url");
    if (EVP_Digest(*ehd, *ehd_len, md, NULL, EVP_sha256(), NULL) != 1 || memcmp(md, rd, 32) != 0)
        return attest_check_fail(c->r, "maa.report_data", ATTEST_E_RESULT_BINDING,
                                 "x-ms-sgx-report-data[0:32] is not SHA-256(x-ms-sgx-ehd)");
    attest_check_pass(c->r, "maa.report_data", "REPORT_DATA binds the %zu bytes of runtime "
                      "data", *ehd_len);
    return ATTEST_OK;
}

/* The caller's nonce: the runtime data itself, or the client payload's
 * nonce (base64, as Azure CVM tokens carry it). */
static int check_nonce(const results_ctx *c, json_t *cl, const uint8_t *ehd, size_t ehd_len)
{
    const char *payload = json_string_value(
        json_object_get(json_object_get(json_object_get(cl, "x-ms-runtime"), "client-payload"),
                        "nonce"));
    uint8_t *decoded = NULL;
    size_t n = 0;
    if (!c->nonce_len) {
        attest_check_skip(c->r, "maa.nonce", "no nonce given: not shown fresh");
        return ATTEST_OK;
    }
    bool same = ehd && ehd_len == c->nonce_len && memcmp(ehd, c->nonce, ehd_len) == 0;
    if (!same && payload && attest_base64_decode(payload, strlen(payload), &decoded, &n) == 0)
        same = n == c->nonce_len && memcmp(decoded, c->nonce, n) == 0;
    free(decoded);
    if (!same)
        return attest_check_fail(c->r, "maa.nonce", ATTEST_E_TOKEN_NONCE, "neither the runtime "
                                 "data nor x-ms-runtime.client-payload.nonce is the caller's nonce");
    attest_check_pass_nonce(c->r, "maa.nonce", "the runtime data answers the caller's nonce");
    return ATTEST_OK;
}

static int refuse_raw_members(const results_ctx *c, const dcap_policy *p)
{
    const char *need = p->min_tcb_evaluation_data_number >= 0 ? "min_tcb_evaluation_data_number"
                       : p->report_data.set || p->report_data_binding ? "report_data"
                       : p->accepted_statuses != (1u << DCAP_TCB_UP_TO_DATE)
                           ? "accepted_tcb_statuses"
                       : p->allowed_advisories.set || p->forbidden_advisories.set ? "advisories"
                                                                                  : NULL;
    if (!need)
        return ATTEST_OK;
    return attest_check_fail(c->r, "maa.policy", ATTEST_E_POLICY_INVALID,
                             "the policy sets sgx.%s, which an Azure Attestation SGX token "
                             "does not state", need);
}

int maa_appraise(const results_ctx *c, const results_token *t)
{
    json_t *cl = t->claims;
    const char *type = json_string_value(json_object_get(cl, "x-ms-attestation-type"));
    dcap_sgx_report e;
    const char *bad = NULL;
    uint8_t *ehd = NULL;
    size_t ehd_len = 0, first = c->r->count;
    if (!type || strcmp(type, "sgx") != 0)
        attest_check_fail(c->r, "maa.attestation_type", ATTEST_E_RESULT_CLAIMS,
                          "x-ms-attestation-type %s; only sgx tokens are mapped",
                          type ? type : "missing");
    else
        attest_check_pass(c->r, "maa.attestation_type", "sgx");
    refuse_raw_members(c, c->policy->sgx);
    if (!enclave_from_claims(cl, &e, &bad)) {
        attest_check_fail(c->r, "maa.claims", ATTEST_E_RESULT_CLAIMS, "%s missing or malformed",
                          bad);
    } else {
        dcap_appraise_fields(c->r, NULL, &e, c->policy->sgx);
        check_binding(c, cl, e.reportdata, &ehd, &ehd_len);
    }
    check_nonce(c, cl, ehd, ehd_len);
    free(ehd);
    json_object_set_new(c->r->claims, "results",
                        json_pack("{s:s, s:O}", "appraised_by", "Azure Attestation", "claims", cl));
    ear_add_submod(c->r, "cpu0", NULL, first, c->r->count, NULL, "policy:sgx");
    results_note_appraiser(c->r, "cpu0", "Azure Attestation", t);
    return c->r->status;
}
