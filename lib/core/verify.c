/* attest_verify: parse (done) -> verify evidence and chain -> appraise. */
#include "internal.h"
#include "../appraise/dcap_appraise.h"
#include "../appraise/nv_appraise.h"
#include "../appraise/snp_appraise.h"
#include "../chain/amd.h"
#include "../chain/intel.h"

static int verify_snp(attest_result *r, attest_verifier *v, const snp_report *rep,
                      const attest_collateral *coll, const snp_policy *policy,
                      const uint8_t *nonce, size_t nonce_len)
{
    snp_product product = SNP_PRODUCT_UNKNOWN;
    amd_vek_kind kind = AMD_VEK_VCEK;
    json_t *claims = json_object();
    int status = snp_verify_evidence(r, v, rep, coll, r->verified_at, policy->require_crl,
                                     claims, &product, &kind);
    /* Claims are decoded with the product the chain proved, never guessed. */
    json_object_set_new(claims, "report", snp_report_to_json(rep, product));
    r->claims = claims;
    if (status != ATTEST_OK) {
        attest_check_skip(r, "policy.snp", "not appraised: the evidence is not authentic");
        return status;
    }
    return snp_appraise(r, rep, product, kind == AMD_VEK_VLEK, policy, nonce, nonce_len);
}

static int verify_dcap(attest_result *r, attest_verifier *v, const dcap_quote *q,
                       const attest_collateral *coll, const attest_policy *policy,
                       const uint8_t *nonce, size_t nonce_len)
{
    dcap_verified verified;
    dcap_tcb_result tcb;
    json_t *claims = json_object();
    const dcap_policy *p = q->body_kind == DCAP_BODY_SGX ? policy->sgx : policy->tdx;
    json_object_set_new(claims, "quote", dcap_quote_to_json(q));
    r->claims = claims;
    int status = dcap_verify_evidence(r, v, q, coll, r->verified_at, claims, &verified);
    if (status == ATTEST_OK)
        status = dcap_tcb_evaluate(r, q, &verified, claims, &tcb);
    if (status != ATTEST_OK) {
        attest_check_skip(r, q->body_kind == DCAP_BODY_SGX ? "policy.sgx" : "policy.tdx",
                          "not appraised: the evidence is not authentic or has no TCB status");
        return status;
    }
    return dcap_appraise(r, q, &verified, &tcb, p, r->verified_at, nonce, nonce_len);
}

int attest_verify(attest_result **out, attest_verifier *v, const attest_evidence *ev,
                  const attest_collateral *coll, const attest_policy *policy,
                  const uint8_t *nonce, size_t nonce_len)
{
    if (!out || !v || !ev || (!nonce && nonce_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify: NULL argument");
    attest_policy *fallback = NULL;
    *out = NULL;
    if (!policy) {
        int status = attest_policy_default(&fallback);
        if (status != ATTEST_OK)
            return status;
        policy = fallback;
    }
    attest_result *r = attest_result_new();
    if (!r) {
        attest_policy_free(fallback);
        return attest_set_error(ATTEST_E_NOMEM, "verify: out of memory");
    }
    r->verified_at = attest_verifier_now(v);
    int status = ATTEST_E_FORMAT_UNKNOWN;
    if (ev->format == ATTEST_FORMAT_SNP_REPORT)
        status = verify_snp(r, v, ev->snp, coll, policy->snp, nonce, nonce_len);
    else if (ev->format == ATTEST_FORMAT_DCAP_QUOTE)
        status = verify_dcap(r, v, ev->dcap, coll, policy, nonce, nonce_len);
    else if (ev->format == ATTEST_FORMAT_NVIDIA) {
        r->claims = json_object();
        status = nv_verify_devices(r, v, ev->nv, coll, policy->nvidia, nonce, nonce_len,
                                   r->claims);
    }
    else
        attest_check_fail(r, "evidence.format", status, "no verifier for this format");
    attest_policy_free(fallback);
    *out = r;
    if (status != ATTEST_OK)
        attest_set_error(status, "%s", attest_result_reason(r));
    return status;
}
