/* The per-platform pipelines: verify the evidence and its chain, appraise
 * it against the policy, and record its EAR submod; and the whole machine's
 * bundle, whose devices are then appraised together (appraise/composite). */
#include "pipeline.h"
#include "../appraise/composite.h"
#include "../appraise/dcap_appraise.h"
#include "../appraise/ear.h"
#include "../appraise/eventlog.h"
#include "../appraise/nv_appraise.h"
#include "../appraise/snp_appraise.h"
#include "../chain/amd.h"
#include "../chain/intel.h"
#include "azure_evidence.h"
#include "results_items.h"

#include <string.h>

int pipeline_verify_snp(attest_result *r, attest_verifier *v, const snp_report *rep,
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

int pipeline_verify_dcap(attest_result *r, attest_verifier *v, const dcap_quote *q,
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
    status = dcap_appraise(r, q, &verified, &tcb, p, r->verified_at, n->nonce, n->len, n->rule);
    /* A log given is checked against the authentic quote, whatever the
     * policy says of it (docs/eventlog.md). */
    int logs = q->body_kind == DCAP_BODY_SGX
                   ? eventlog_refuse(r, coll, "an SGX quote")
                   : eventlog_appraise_tdx(r, (const uint8_t(*)[48])q->td.rtmr, coll,
                                           &p->event_log, claims);
    return status != ATTEST_OK ? status : logs;
}

/* The caller's collateral with the certificates and CRLs the evidence
 * carried (Trustee JSON, Steward's CSR): a view sharing every item, with
 * its own certificate and CRL stacks (free with release_carried). The
 * carried items are judged as the caller's are: the chain decides, ending
 * at a pinned root, and every CRL of the chain's issuers must verify. */
static int with_carried(attest_collateral *view, const attest_collateral *coll,
                        const attest_collateral *carried)
{
    if (coll)
        *view = *coll;
    else
        memset(view, 0, sizeof *view);
    STACK_OF(X509) *certs = coll ? sk_X509_dup(coll->certs) : sk_X509_new_null();
    STACK_OF(X509_CRL) *crls = coll ? sk_X509_CRL_dup(coll->crls) : sk_X509_CRL_new_null();
    bool ok = certs && crls;
    for (int i = 0; ok && i < sk_X509_num(carried->certs); i++)
        ok = sk_X509_push(certs, sk_X509_value(carried->certs, i)) > 0;
    for (int i = 0; ok && i < sk_X509_CRL_num(carried->crls); i++)
        ok = sk_X509_CRL_push(crls, sk_X509_CRL_value(carried->crls, i)) > 0;
    view->certs = certs;
    view->crls = crls;
    return ok ? 0 : -1;
}

static void release_carried(attest_collateral *view)
{
    sk_X509_free(view->certs);
    sk_X509_CRL_free(view->crls);
}

/* One CPU's evidence and its claims. */
static void verify_cpu_evidence(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                       const attest_collateral *coll, const attest_policy *policy,
                       const nonce_use *n, json_t *claims)
{
    attest_collateral view = {0};
    if (ev->carried) {
        if (with_carried(&view, coll, ev->carried) != 0) {
            release_carried(&view);
            attest_check_fail(r, "evidence.certificates", ATTEST_E_NOMEM, "out of memory");
            return;
        }
        coll = &view;
    }
    if (ev->format != ATTEST_FORMAT_DCAP_QUOTE)
        eventlog_refuse(r, coll, "this evidence");
    if (ev->format == ATTEST_FORMAT_SNP_REPORT)
        pipeline_verify_snp(r, v, ev->snp, coll, policy->snp, n, claims);
    else if (ev->format == ATTEST_FORMAT_AZURE_VTPM)
        /* The caller's nonce goes to the vTPM quote; REPORT_DATA holds the
         * runtime claims' hash (a bundle binds GPUs through user-data). */
        pipeline_verify_azure(r, v, ev->azure, coll, policy, n->nonce, n->len, claims);
    else
        pipeline_verify_dcap(r, v, ev->dcap, coll, policy, n, claims);
    if (ev->carried)
        release_carried(&view);
}

/* Each device's EAR submod judges every check recorded so far that
 * belongs to it (ear.c decides by name), from the first: the machine-wide
 * checks the dispatcher ran before the pipeline (policy.scope,
 * composite.devices, composite.nonce) count for every device. */
static const char *cpu_policy_id(const attest_evidence *ev)
{
    if (ev->format == ATTEST_FORMAT_AZURE_VTPM)
        return azure_is_snp(ev->azure) ? "policy:azure-snp" : "policy:azure-tdx";
    if (ev->format == ATTEST_FORMAT_SNP_REPORT)
        return "policy:snp";
    return ev->dcap->body_kind == DCAP_BODY_SGX ? "policy:sgx" : "policy:tdx";
}

static void ear_cpu(attest_result *r, const attest_evidence *ev, json_t *claims)
{
    ear_add_submod(r, "cpu0", NULL, 0, r->count, claims, cpu_policy_id(ev));
}

/* One EAR submod per GPU/NVSwitch, named like its checks ("gpu0"). */
static void ear_gpus(attest_result *r, json_t *claims)
{
    json_t *devices = json_object_get(claims, "devices");
    const char *name;
    json_t *device;
    json_object_foreach(devices, name, device)
        ear_add_submod(r, name, name, 0, r->count, device, "policy:nvidia");
}

/* The 64 bytes through which the CPU vouches for its GPUs: REPORT_DATA,
 * or on Azure, where REPORT_DATA holds the runtime claims' hash, the
 * claims' user-data (bound to the hardware report through that hash). */
static const uint8_t *cpu_report_data(const attest_evidence *cpu)
{
    if (cpu->format == ATTEST_FORMAT_AZURE_VTPM)
        return cpu->azure->claims.user_data;
    if (cpu->format == ATTEST_FORMAT_SNP_REPORT)
        return cpu->snp->report_data;
    return cpu->dcap->body_kind == DCAP_BODY_SGX ? cpu->dcap->enclave.reportdata
                                                 : cpu->dcap->td.reportdata;
}

/* Where the CPU evidence holds what binds its GPUs (cpu_report_data) and
 * where it answers the caller's nonce (same_nonce): named in the
 * composite.binding detail and in the CPU's claims ("gpu_binding_through"). */
static const char *binding_holder(const attest_evidence *cpu, bool via_cpu)
{
    if (cpu->format == ATTEST_FORMAT_AZURE_VTPM)
        return via_cpu ? "the HCL runtime claims' user-data (bound to the hardware report "
                         "by REPORT_DATA = SHA-256(claims))"
                       : "the vTPM quote's extraData";
    if (!via_cpu)
        return "its report data, as its policy section says";
    return cpu->format == ATTEST_FORMAT_SNP_REPORT ? "REPORT_DATA" : "REPORTDATA";
}

int pipeline_bundle(attest_result *r, attest_verifier *v, const attest_bundle *b,
                    const attest_collateral *extra, const attest_policy *policy,
                    const uint8_t *nonce, size_t nonce_len, report_data_rule cpu_rule,
                    json_t *claims)
{
    const composite_policy *cp = &policy->composite;
    if (extra && (attest_collateral_cert_count(extra) || attest_collateral_crl_count(extra) ||
                  extra->tcb_info_count || extra->rim_count || extra->ocsp_count ||
                  eventlog_given(extra)))
        return attest_check_fail(r, "composite.collateral", ATTEST_E_INVALID_ARG,
                                 "a bundle carries its own collateral; give none beside it");
    /* The bundle's nonce is what the attester claims; the caller's nonce
     * is the challenge, and when both exist they must agree. */
    if (nonce_len && b->nonce_len && (nonce_len != b->nonce_len || memcmp(nonce, b->nonce, nonce_len)))
        attest_check_fail(r, "composite.nonce", ATTEST_E_POLICY_REPORT_DATA,
                          "the caller's nonce is not the one the bundle answers");
    if (b->collateral && (b->collateral->nras_result || b->collateral->result_keys)) {
        nonce_use given = {nonce_len ? nonce : NULL, nonce_len, cpu_rule};
        return pipeline_bundle_nras(r, v, b, policy, &given, claims); /* docs/results.md */
    }
    bool via_cpu = cp->gpu_binding == COMPOSITE_BIND_CPU_REPORT_DATA && b->cpu && b->gpus;
    nonce_use caller = {nonce_len ? nonce : NULL, nonce_len,
                        via_cpu ? REPORT_DATA_BY_COMPOSITE : cpu_rule};
    json_t *cpu = NULL;
    if (b->cpu) {
        cpu = json_object();
        json_object_set_new(claims, "cpu0", cpu);
        verify_cpu_evidence(r, v, b->cpu, b->collateral, policy, &caller, cpu);
    }
    if (b->gpus) {
        nv_policy gp = *policy->nvidia;
        /* Through the CPU, a GPU's own nonce is whatever the CVM chose and
         * composite.binding vouches for it, but only a caller's nonce makes
         * that fresh: without one, nvidia.require_nonce judges as for GPU
         * evidence alone. */
        gp.nonce_bound_by_cpu = via_cpu && caller.nonce;
        nv_verify_devices(r, v, b->gpus, b->collateral, &gp, via_cpu ? NULL : caller.nonce,
                          via_cpu ? 0 : caller.len, claims);
        if (b->cpu)
            json_object_set_new(cpu, "gpu_binding_through",
                                json_string(binding_holder(b->cpu, via_cpu)));
        if (via_cpu)
            composite_check_binding(r, cpu_report_data(b->cpu), binding_holder(b->cpu, true),
                                    b->gpus, caller.nonce ? caller.nonce : b->nonce,
                                    caller.nonce ? caller.len : b->nonce_len,
                                    caller.nonce != NULL);
        else if (b->cpu)
            composite_note_same_nonce(r, binding_holder(b->cpu, false));
    }
    /* Results after every check: the binding judges CPU and GPUs alike. */
    if (b->cpu)
        ear_cpu(r, b->cpu, cpu);
    if (b->gpus)
        ear_gpus(r, claims);
    return r->status;
}

int pipeline_cpu(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                 const attest_collateral *coll, const attest_policy *policy,
                 const nonce_use *n, json_t *claims)
{
    verify_cpu_evidence(r, v, ev, coll, policy, n, claims);
    ear_cpu(r, ev, claims);
    return r->status;
}

int pipeline_gpus(attest_result *r, attest_verifier *v, const nv_evidence_set *set,
                  const attest_collateral *coll, const attest_policy *policy,
                  const uint8_t *nonce, size_t nonce_len, json_t *claims)
{
    eventlog_refuse(r, coll, "GPU evidence");
    nv_verify_devices(r, v, set, coll, policy->nvidia, nonce_len ? nonce : NULL, nonce_len,
                      claims);
    ear_gpus(r, claims);
    return r->status;
}

/* The CPU steps alone, for a composite assembled elsewhere
 * (collateral_results.c: GPUs appraised by NRAS). */
void pipeline_cpu_evidence(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                           const attest_collateral *coll, const attest_policy *policy,
                           const nonce_use *n, json_t *claims)
{
    verify_cpu_evidence(r, v, ev, coll, policy, n, claims);
}

void pipeline_cpu_submod(attest_result *r, const attest_evidence *ev, json_t *claims)
{
    ear_cpu(r, ev, claims);
}

const uint8_t *pipeline_cpu_report_data(const attest_evidence *ev, const char **holder,
                                        bool via_cpu)
{
    *holder = binding_holder(ev, via_cpu);
    return cpu_report_data(ev);
}
