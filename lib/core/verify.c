/* attest_verify: parse (done) -> verify evidence and chain -> appraise ->
 * result, for one platform's evidence or for a whole machine's bundle. */
#include "internal.h"
#include "bundle.h"
#include "../appraise/dcap_appraise.h"
#include "../appraise/ear.h"
#include "../appraise/nv_appraise.h"
#include "../appraise/snp_appraise.h"
#include "../chain/amd.h"
#include "../chain/intel.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static int verify_snp(attest_result *r, attest_verifier *v, const snp_report *rep,
                      const attest_collateral *coll, const snp_policy *policy,
                      const uint8_t *nonce, size_t nonce_len, json_t *claims)
{
    snp_product product = SNP_PRODUCT_UNKNOWN;
    amd_vek_kind kind = AMD_VEK_VCEK;
    int status = snp_verify_evidence(r, v, rep, coll, r->verified_at, policy->require_crl,
                                     claims, &product, &kind);
    /* Claims are decoded with the product the chain proved, never guessed. */
    json_object_set_new(claims, "report", snp_report_to_json(rep, product));
    if (status != ATTEST_OK) {
        attest_check_skip(r, "policy.snp", "not appraised: the evidence is not authentic");
        return status;
    }
    return snp_appraise(r, rep, product, kind == AMD_VEK_VLEK, policy, nonce, nonce_len);
}

static int verify_dcap(attest_result *r, attest_verifier *v, const dcap_quote *q,
                       const attest_collateral *coll, const attest_policy *policy,
                       const uint8_t *nonce, size_t nonce_len, json_t *claims)
{
    dcap_verified verified;
    dcap_tcb_result tcb;
    const dcap_policy *p = q->body_kind == DCAP_BODY_SGX ? policy->sgx : policy->tdx;
    json_object_set_new(claims, "quote", dcap_quote_to_json(q));
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

/* One CPU's evidence and its claims. */
static void verify_cpu(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                       const attest_collateral *coll, const attest_policy *policy,
                       const uint8_t *nonce, size_t nonce_len, json_t *claims)
{
    if (ev->format == ATTEST_FORMAT_SNP_REPORT)
        verify_snp(r, v, ev->snp, coll, policy->snp, nonce, nonce_len, claims);
    else
        verify_dcap(r, v, ev->dcap, coll, policy, nonce, nonce_len, claims);
}

static void ear_cpu(attest_result *r, const attest_evidence *ev, size_t first, size_t end,
                    json_t *claims)
{
    ear_add_submod(r, "cpu0", NULL, first, end, claims,
                   ev->format == ATTEST_FORMAT_SNP_REPORT ? "policy:snp"
                   : ev->dcap->body_kind == DCAP_BODY_SGX ? "policy:sgx"
                                                          : "policy:tdx");
}

/* One EAR submod per GPU/NVSwitch, named like its checks ("gpu0"). */
static void ear_gpus(attest_result *r, size_t first, size_t end, json_t *claims)
{
    json_t *devices = json_object_get(claims, "devices");
    const char *name;
    json_t *device;
    json_object_foreach(devices, name, device)
        ear_add_submod(r, name, name, first, end, device, "policy:nvidia");
}

static const uint8_t *cpu_report_data(const attest_evidence *cpu)
{
    if (cpu->format == ATTEST_FORMAT_SNP_REPORT)
        return cpu->snp->report_data;
    return cpu->dcap->body_kind == DCAP_BODY_SGX ? cpu->dcap->enclave.reportdata
                                                 : cpu->dcap->td.reportdata;
}

/* The CPU's report data must be SHA-512(nonce || each GPU's request
 * nonce, in bundle order): the CVM vouches for exactly these GPUs answering
 * this relying party, so a GPU report cannot be replayed beside another
 * machine (docs/bundle.md). */
static void check_binding(attest_result *r, const attest_bundle *b, const uint8_t *nonce,
                          size_t nonce_len)
{
    const char *name = "composite.binding";
    uint8_t want[64];
    if (!b->cpu || !b->gpus) {
        attest_check_skip(r, name, "no CPU and GPU evidence to bind");
        return;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, nonce, nonce_len) == 1;
    for (size_t i = 0; ok && i < b->gpus->count; i++)
        ok = EVP_DigestUpdate(ctx, b->gpus->devices[i].report->nonce, 32) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, want, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        attest_check_fail(r, name, ATTEST_E_INTERNAL, "SHA-512 failed");
    else if (memcmp(want, cpu_report_data(b->cpu), 64) != 0)
        attest_check_fail(r, name, ATTEST_E_COMPOSITE_BINDING,
                          "CPU report data is not SHA-512(nonce || the %zu GPU nonces): the "
                          "GPU evidence does not belong to this machine and request",
                          b->gpus->count);
    else
        attest_check_pass(r, name, "CPU report data binds the nonce and the %zu GPU reports",
                          b->gpus->count);
}

static int verify_bundle(attest_result *r, attest_verifier *v, const attest_bundle *b,
                         const attest_collateral *extra, const attest_policy *policy,
                         const uint8_t *nonce, size_t nonce_len, json_t *claims)
{
    const composite_policy *cp = &policy->composite;
    size_t gpus = b->gpus ? b->gpus->count : 0;
    if (extra && (attest_collateral_cert_count(extra) || attest_collateral_crl_count(extra) ||
                  extra->tcb_info_count || extra->rim_count || extra->ocsp_count))
        return attest_check_fail(r, "composite.collateral", ATTEST_E_INVALID_ARG,
                                 "a bundle carries its own collateral; give none beside it");
    /* An archived bundle answers the nonce it records; a live caller's
     * nonce must be that one. */
    if (nonce_len && b->nonce_len && (nonce_len != b->nonce_len || memcmp(nonce, b->nonce, nonce_len)))
        attest_check_fail(r, "composite.nonce", ATTEST_E_POLICY_REPORT_DATA,
                          "the caller's nonce is not the one the bundle answers");
    if (!nonce_len) {
        nonce = b->nonce;
        nonce_len = b->nonce_len;
    }
    if (cp->require_cpu && !b->cpu)
        attest_check_fail(r, "composite.devices", ATTEST_E_COMPOSITE_MISSING,
                          "the policy requires CPU evidence (composite.require_cpu)");
    else if ((int)gpus < cp->min_gpus)
        attest_check_fail(r, "composite.devices", ATTEST_E_COMPOSITE_MISSING,
                          "%zu GPU report(s); the policy requires %d (composite.min_gpus)",
                          gpus, cp->min_gpus);
    else
        attest_check_pass(r, "composite.devices", "%s and %zu GPU/NVSwitch report(s)",
                          b->cpu ? "CPU" : "no CPU", gpus);
    json_t *cpu = NULL;
    size_t cpu_first = r->count, gpu_first;
    if (b->cpu) {
        cpu = json_object();
        json_object_set_new(claims, "cpu0", cpu);
        verify_cpu(r, v, b->cpu, b->collateral, policy, nonce, nonce_len, cpu);
    }
    gpu_first = r->count;
    if (b->gpus) {
        nv_policy gp = *policy->nvidia;
        /* Bound through the CPU report, a GPU's own nonce is whatever the
         * CVM chose; the composite check below vouches for it. */
        bool via_cpu = cp->gpu_binding == COMPOSITE_BIND_CPU_REPORT_DATA && b->cpu;
        if (via_cpu)
            gp.nonce_bound_by_cpu = true;
        nv_verify_devices(r, v, b->gpus, b->collateral, &gp, via_cpu ? NULL : nonce,
                          via_cpu ? 0 : nonce_len, claims);
        if (via_cpu)
            check_binding(r, b, nonce, nonce_len);
    }
    /* Results after every check: the binding judges CPU and GPUs alike. */
    if (b->cpu)
        ear_cpu(r, b->cpu, cpu_first, r->count, cpu);
    if (b->gpus)
        ear_gpus(r, gpu_first, r->count, claims);
    return r->status;
}

static void record_inputs(attest_result *r, const attest_evidence *ev,
                          const attest_policy *policy, const uint8_t *nonce, size_t nonce_len)
{
    memcpy(r->evidence_sha256, ev->sha256, 32);
    memcpy(r->policy_sha256, policy->sha256, 32);
    if (!nonce_len && ev->format == ATTEST_FORMAT_BUNDLE) {
        nonce = ev->bundle->nonce;
        nonce_len = ev->bundle->nonce_len;
    }
    r->nonce_len = nonce_len <= sizeof r->nonce ? nonce_len : 0;
    if (r->nonce_len)
        memcpy(r->nonce, nonce, r->nonce_len);
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
    if (!r || !(r->claims = json_object())) {
        attest_result_free(r);
        attest_policy_free(fallback);
        return attest_set_error(ATTEST_E_NOMEM, "verify: out of memory");
    }
    r->verified_at = attest_verifier_now(v);
    record_inputs(r, ev, policy, nonce, nonce_len);
    int status = ATTEST_OK;
    switch (ev->format) {
    case ATTEST_FORMAT_SNP_REPORT:
    case ATTEST_FORMAT_DCAP_QUOTE:
        verify_cpu(r, v, ev, coll, policy, nonce, nonce_len, r->claims);
        ear_cpu(r, ev, 0, r->count, r->claims);
        break;
    case ATTEST_FORMAT_NVIDIA:
        nv_verify_devices(r, v, ev->nv, coll, policy->nvidia, nonce, nonce_len, r->claims);
        ear_gpus(r, 0, r->count, r->claims);
        break;
    case ATTEST_FORMAT_BUNDLE:
        verify_bundle(r, v, ev->bundle, coll, policy, nonce, nonce_len, r->claims);
        break;
    default:
        attest_check_fail(r, "evidence.format", ATTEST_E_FORMAT_UNKNOWN,
                          "no verifier for this format");
    }
    ear_finish(r);
    status = r->status;
    attest_policy_free(fallback);
    *out = r;
    if (status != ATTEST_OK)
        attest_set_error(status, "%s", attest_result_reason(r));
    return status;
}
