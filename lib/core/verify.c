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

/* The caller's nonce as one device's appraisal uses it. */
typedef struct nonce_use {
    const uint8_t *nonce;  /* NULL: none given */
    size_t len;
    report_data_rule rule; /* who judges the CPU's report data */
} nonce_use;

static int verify_snp(attest_result *r, attest_verifier *v, const snp_report *rep,
                      const attest_collateral *coll, const snp_policy *policy,
                      const nonce_use *n, json_t *claims)
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
    return snp_appraise(r, rep, product, kind == AMD_VEK_VLEK, policy, n->nonce, n->len,
                        n->rule);
}

static int verify_dcap(attest_result *r, attest_verifier *v, const dcap_quote *q,
                       const attest_collateral *coll, const attest_policy *policy,
                       const nonce_use *n, json_t *claims)
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
    return dcap_appraise(r, q, &verified, &tcb, p, r->verified_at, n->nonce, n->len, n->rule);
}

/* One CPU's evidence and its claims. */
static void verify_cpu(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                       const attest_collateral *coll, const attest_policy *policy,
                       const nonce_use *n, json_t *claims)
{
    if (ev->format == ATTEST_FORMAT_SNP_REPORT)
        verify_snp(r, v, ev->snp, coll, policy->snp, n, claims);
    else
        verify_dcap(r, v, ev->dcap, coll, policy, n, claims);
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
 * this nonce, so a GPU report cannot be replayed beside another machine
 * (docs/bundle.md). Freshness comes only from the caller's nonce: with
 * none, the bundle's recorded nonce (what the attester claims) still ties
 * the devices together, but nothing is shown fresh. */
static void check_binding(attest_result *r, const attest_bundle *b, const uint8_t *nonce,
                          size_t nonce_len, bool callers)
{
    const char *name = "composite.binding";
    uint8_t want[64];
    r->gpu_binding = "cpu_report_data";
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
                          "CPU report data is not SHA-512(%s nonce || the %zu GPU nonces): the "
                          "GPU evidence does not belong to this machine and request",
                          callers ? "the caller's" : "the bundle's", b->gpus->count);
    else if (callers)
        attest_check_pass_nonce(r, name, "CPU report data binds the caller's nonce and the "
                                         "%zu GPU reports", b->gpus->count);
    else
        attest_check_pass(r, name, "CPU report data binds the bundle's recorded nonce and the "
                                   "%zu GPU reports (no caller nonce: not shown fresh)",
                          b->gpus->count);
}

/* same_nonce: every device answered the caller's nonce. That shows each is
 * fresh, not that they are one machine: named so in the result and token,
 * and a warning, never a CPU vouching for its GPUs. */
static void note_same_nonce(attest_result *r)
{
    r->gpu_binding = "same_nonce_freshness_only";
    attest_check_skip(r, "composite.binding",
                      "not bound (allowed by composite.gpu_binding same_nonce): each device "
                      "answers the nonce, which shows freshness only; the CPU does not vouch "
                      "for the GPUs, which may be in another machine");
}

static size_t count_gpus(const nv_evidence_set *set)
{
    size_t n = 0;
    for (size_t i = 0; set && i < set->count; i++)
        n += !set->devices[i].report->is_switch;
    return n;
}

static int verify_bundle(attest_result *r, attest_verifier *v, const attest_bundle *b,
                         const attest_collateral *extra, const attest_policy *policy,
                         const uint8_t *nonce, size_t nonce_len, json_t *claims)
{
    const composite_policy *cp = &policy->composite;
    if (extra && (attest_collateral_cert_count(extra) || attest_collateral_crl_count(extra) ||
                  extra->tcb_info_count || extra->rim_count || extra->ocsp_count))
        return attest_check_fail(r, "composite.collateral", ATTEST_E_INVALID_ARG,
                                 "a bundle carries its own collateral; give none beside it");
    /* The bundle's nonce is what the attester claims; the caller's nonce
     * is the challenge, and when both exist they must agree. */
    if (nonce_len && b->nonce_len && (nonce_len != b->nonce_len || memcmp(nonce, b->nonce, nonce_len)))
        attest_check_fail(r, "composite.nonce", ATTEST_E_POLICY_REPORT_DATA,
                          "the caller's nonce is not the one the bundle answers");
    bool via_cpu = cp->gpu_binding == COMPOSITE_BIND_CPU_REPORT_DATA && b->cpu && b->gpus;
    nonce_use caller = {nonce_len ? nonce : NULL, nonce_len,
                        via_cpu ? REPORT_DATA_BY_COMPOSITE : REPORT_DATA_BY_POLICY};
    json_t *cpu = NULL;
    size_t cpu_first = r->count, gpu_first;
    if (b->cpu) {
        cpu = json_object();
        json_object_set_new(claims, "cpu0", cpu);
        verify_cpu(r, v, b->cpu, b->collateral, policy, &caller, cpu);
    }
    gpu_first = r->count;
    if (b->gpus) {
        nv_policy gp = *policy->nvidia;
        /* Through the CPU, a GPU's own nonce is whatever the CVM chose and
         * composite.binding vouches for it, but only a caller's nonce makes
         * that fresh: without one, nvidia.require_nonce judges as for GPU
         * evidence alone. */
        gp.nonce_bound_by_cpu = via_cpu && caller.nonce;
        nv_verify_devices(r, v, b->gpus, b->collateral, &gp, via_cpu ? NULL : caller.nonce,
                          via_cpu ? 0 : caller.len, claims);
        if (via_cpu)
            check_binding(r, b, caller.nonce ? caller.nonce : b->nonce,
                          caller.nonce ? caller.len : b->nonce_len, caller.nonce != NULL);
        else if (b->cpu)
            note_same_nonce(r);
    }
    /* Results after every check: the binding judges CPU and GPUs alike. */
    if (b->cpu)
        ear_cpu(r, b->cpu, cpu_first, r->count, cpu);
    if (b->gpus)
        ear_gpus(r, gpu_first, r->count, claims);
    return r->status;
}

/* ---- what the policy asks of any evidence ---------------------------------- */

/* The platforms of the evidence, as ATTEST_PLATFORM_* bits. */
static unsigned cpu_platform(const attest_evidence *ev)
{
    if (ev->format == ATTEST_FORMAT_SNP_REPORT)
        return ATTEST_PLATFORM_SNP;
    return ev->dcap->body_kind == DCAP_BODY_SGX ? ATTEST_PLATFORM_SGX : ATTEST_PLATFORM_TDX;
}

static unsigned evidence_platforms(const attest_evidence *ev)
{
    switch (ev->format) {
    case ATTEST_FORMAT_SNP_REPORT:
    case ATTEST_FORMAT_DCAP_QUOTE:
        return cpu_platform(ev);
    case ATTEST_FORMAT_NVIDIA:
        return ATTEST_PLATFORM_NVIDIA;
    case ATTEST_FORMAT_BUNDLE:
        return (ev->bundle->cpu ? cpu_platform(ev->bundle->cpu) : 0) |
               (ev->bundle->gpus ? ATTEST_PLATFORM_NVIDIA : 0);
    default:
        return 0;
    }
}

static void describe_platforms(unsigned bits, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    for (unsigned bit = 1; bit < ATTEST_PLATFORM_ALL; bit <<= 1)
        if ((bits & bit) && k < n)
            k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "",
                                  attest_platform_name(bit));
    if (!out[0])
        snprintf(out, n, "no platform");
}

/* An explicit policy accepts only the platforms it addresses (a section,
 * or its "platforms" list): a TDX policy says nothing about an SNP report,
 * so it cannot accept one. */
static int check_scope(attest_result *r, const attest_evidence *ev, const attest_policy *policy)
{
    unsigned have = evidence_platforms(ev), outside = have & ~policy->platforms;
    char want[64], extra[64];
    describe_platforms(policy->platforms, want, sizeof want);
    if (!outside) {
        attest_check_pass(r, "policy.scope", "the policy addresses %s", want);
        return ATTEST_OK;
    }
    describe_platforms(outside, extra, sizeof extra);
    json_t *d = policy->source ? json_object_get(policy->source, "description") : NULL;
    return attest_check_fail(r, "policy.scope", ATTEST_E_POLICY_PLATFORM,
                             "%s evidence, but the policy%s%s%s (sha256 %02x%02x%02x%02x...) "
                             "addresses only %s", extra, json_is_string(d) ? " '" : "",
                             json_is_string(d) ? json_string_value(d) : "",
                             json_is_string(d) ? "'" : "", policy->sha256[0], policy->sha256[1],
                             policy->sha256[2], policy->sha256[3], want);
}

/* Device counts hold whatever the evidence shape: a bare CPU report does
 * not meet composite.min_gpus, nor nvidia.min_gpus. The composite section
 * applies to bundles, and to all evidence when the policy has one. */
static void check_devices(attest_result *r, const attest_evidence *ev, const attest_policy *policy)
{
    const attest_bundle *b = ev->format == ATTEST_FORMAT_BUNDLE ? ev->bundle : NULL;
    const nv_evidence_set *set = b ? b->gpus : ev->format == ATTEST_FORMAT_NVIDIA ? ev->nv : NULL;
    bool cpu = b ? b->cpu != NULL : ev->format != ATTEST_FORMAT_NVIDIA;
    size_t gpus = count_gpus(set);
    const composite_policy *cp = &policy->composite;
    const nv_policy *np = policy->nvidia;
    if (b || cp->given) {
        if (cp->require_cpu && !cpu)
            attest_check_fail(r, "composite.devices", ATTEST_E_COMPOSITE_MISSING,
                              "no CPU evidence; the policy requires it (composite.require_cpu)");
        else if ((int)gpus < cp->min_gpus)
            attest_check_fail(r, "composite.devices", ATTEST_E_COMPOSITE_MISSING,
                              "%zu GPU report(s); the policy requires %d (composite.min_gpus)",
                              gpus, cp->min_gpus);
        else
            attest_check_pass(r, "composite.devices", "%s and %zu GPU report(s)",
                              cpu ? "CPU" : "no CPU", gpus);
    }
    /* With GPU evidence, nv_verify_devices counts distinct devices. */
    if (!set && (np->min_gpus > 0 || np->min_switches > 0 || np->require_ppcie_topology))
        attest_check_fail(r, "nvidia.devices", ATTEST_E_COMPOSITE_MISSING,
                          "no GPU or NVSwitch evidence; the policy requires %d GPU(s) and %d "
                          "NVSwitch(es)%s", np->min_gpus, np->min_switches,
                          np->require_ppcie_topology ? " in a PPCIe topology" : "");
}

static void record_inputs(attest_result *r, const attest_evidence *ev,
                          const attest_policy *policy, const uint8_t *nonce, size_t nonce_len)
{
    memcpy(r->evidence_sha256, ev->sha256, 32);
    memcpy(r->policy_sha256, policy->sha256, 32);
    r->nonce_len = nonce_len <= sizeof r->nonce ? nonce_len : 0;
    if (r->nonce_len)
        memcpy(r->nonce, nonce, r->nonce_len);
}

/* The caller's nonce stays in the result (eat_nonce, JSON) only when the
 * verification passed and bound it: a nonce is verified or absent. */
static void settle_freshness(attest_result *r)
{
    if (r->status != ATTEST_OK || r->nonce_bound == 0) {
        memset(r->nonce, 0, sizeof r->nonce);
        r->nonce_len = 0;
    }
}

int attest_verify(attest_result **out, attest_verifier *v, const attest_evidence *ev,
                  const attest_collateral *coll, const attest_policy *policy,
                  const uint8_t *nonce, size_t nonce_len)
{
    if (out)
        *out = NULL;
    if (!out || !v || !ev || (!nonce && nonce_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify: NULL argument");
    if (nonce_len > ATTEST_NONCE_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify: a nonce of %zu bytes; at most %d",
                                nonce_len, ATTEST_NONCE_MAX);
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
    nonce_use caller = {nonce_len ? nonce : NULL, nonce_len, REPORT_DATA_BY_POLICY};
    if (check_scope(r, ev, policy) == ATTEST_OK) {
        switch (ev->format) {
        case ATTEST_FORMAT_SNP_REPORT:
        case ATTEST_FORMAT_DCAP_QUOTE:
            verify_cpu(r, v, ev, coll, policy, &caller, r->claims);
            check_devices(r, ev, policy);
            ear_cpu(r, ev, 0, r->count, r->claims);
            break;
        case ATTEST_FORMAT_NVIDIA:
            nv_verify_devices(r, v, ev->nv, coll, policy->nvidia, caller.nonce, caller.len,
                              r->claims);
            check_devices(r, ev, policy);
            ear_gpus(r, 0, r->count, r->claims);
            break;
        case ATTEST_FORMAT_BUNDLE:
            check_devices(r, ev, policy);
            verify_bundle(r, v, ev->bundle, coll, policy, caller.nonce, caller.len, r->claims);
            break;
        default:
            attest_check_fail(r, "evidence.format", ATTEST_E_FORMAT_UNKNOWN,
                              "no verifier for this format");
        }
    }
    settle_freshness(r);
    ear_finish(r);
    int status = r->status;
    attest_policy_free(fallback);
    *out = r;
    if (status != ATTEST_OK)
        attest_set_error(status, "%s", attest_result_reason(r));
    return status;
}
