/* attest_verify: the dispatcher. It checks that the policy addresses the
 * evidence and asks for devices that are there (appraise/composite), routes
 * the evidence to its platform's pipeline (pipeline.c), and keeps the
 * caller's nonce in the result only when the verification bound it. */
#include "api.h"
#include "pipeline.h"
#include "../appraise/composite.h"
#include "../appraise/ear.h"
#include "../parse/dcap_quote.h"
#include "azure_evidence.h"
#include "results_items.h"

#include <string.h>

static unsigned cpu_platform(const attest_evidence *ev)
{
    if (ev->format == ATTEST_FORMAT_AZURE_VTPM)
        return ATTEST_PLATFORM_AZURE |
               (azure_is_snp(ev->azure) ? ATTEST_PLATFORM_SNP : ATTEST_PLATFORM_TDX);
    if (ev->format == ATTEST_FORMAT_SNP_REPORT)
        return ATTEST_PLATFORM_SNP;
    return ev->dcap->body_kind == DCAP_BODY_SGX ? ATTEST_PLATFORM_SGX : ATTEST_PLATFORM_TDX;
}

/* What the evidence holds: its platforms and devices. */
/* GPUs appraised by NRAS: the result and its key set are collateral. */
static bool nras_held(const attest_collateral *coll)
{
    return coll && (coll->nras_result || coll->result_keys);
}

static composite_shape shape_of(const attest_evidence *ev, const attest_collateral *coll)
{
    composite_shape s = {0};
    if (ev->format == ATTEST_FORMAT_BUNDLE) {
        const attest_bundle *b = ev->bundle;
        s = (composite_shape){b->cpu ? cpu_platform(b->cpu) : 0, true, b->cpu != NULL, b->gpus,
                              b->cpu && nras_held(b->collateral)};
    } else if (ev->format == ATTEST_FORMAT_NVIDIA) {
        s.gpus = ev->nv;
    } else if (ev->format == ATTEST_FORMAT_SNP_REPORT || ev->format == ATTEST_FORMAT_DCAP_QUOTE ||
               ev->format == ATTEST_FORMAT_AZURE_VTPM) {
        s.platforms = cpu_platform(ev);
        s.cpu = true;
        s.gpus_by_nras = nras_held(coll);
    }
    if (s.gpus)
        s.platforms |= ATTEST_PLATFORM_NVIDIA;
    return s;
}

static void record_inputs(attest_result *r, const attest_evidence *ev,
                          const attest_policy *policy, const uint8_t *nonce, size_t nonce_len)
{
    memcpy(r->evidence_sha256, ev->sha256, 32);
    memcpy(r->policy_sha256, policy->sha256, 32);
    r->nonce_len = nonce_len;
    if (nonce_len)
        memcpy(r->nonce, nonce, nonce_len);
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

static void dispatch(attest_result *r, attest_verifier *v, const attest_evidence *ev,
                     const attest_collateral *coll, const attest_policy *policy,
                     const uint8_t *nonce, size_t nonce_len, const verify_extra *x)
{
    composite_shape shape = shape_of(ev, coll);
    if (composite_check_scope(r, &shape, policy) != ATTEST_OK)
        return;
    /* Before the pipelines, so that each device's EAR submod counts them. */
    composite_check_devices(r, &shape, policy);
    report_data_rule rule = x ? x->cpu_rule : REPORT_DATA_BY_POLICY;
    /* RA-TLS: the binding rule judges report data (and the nonce, unless
     * devices answer it), before the pipeline so the CPU's submod counts it. */
    if (x && x->bind)
        x->bind(r, x->ctx);
    if (x && !x->nonce_to_pipeline)
        nonce_len = 0;
    nonce_use n = {nonce_len ? nonce : NULL, nonce_len, rule};
    if (ev->format == ATTEST_FORMAT_NVIDIA || ev->format == ATTEST_FORMAT_BUNDLE)
        results_given(r, coll, false);
    switch (ev->format) {
    case ATTEST_FORMAT_SNP_REPORT:
    case ATTEST_FORMAT_DCAP_QUOTE:
    case ATTEST_FORMAT_AZURE_VTPM:
        if (results_given(r, coll, true)) /* GPUs appraised by NRAS (docs/results.md) */
            pipeline_cpu_nras(r, v, ev, coll, policy, &n, r->claims);
        else
            pipeline_cpu(r, v, ev, coll, policy, &n, r->claims);
        break;
    case ATTEST_FORMAT_NVIDIA:
        pipeline_gpus(r, v, ev->nv, coll, policy, nonce, nonce_len, r->claims);
        break;
    case ATTEST_FORMAT_BUNDLE:
        pipeline_bundle(r, v, ev->bundle, coll, policy, nonce, nonce_len, rule, r->claims);
        break;
    default:
        attest_check_fail(r, "evidence.format", ATTEST_E_FORMAT_UNKNOWN,
                          "no verifier for this format");
    }
}

int attest_verify(attest_result **out, attest_verifier *v, const attest_evidence *ev,
                  const attest_collateral *coll, const attest_policy *policy,
                  const uint8_t *nonce, size_t nonce_len)
{
    return attest_verify_extra(out, v, ev, coll, policy, nonce, nonce_len, NULL);
}

int attest_verify_extra(attest_result **out, attest_verifier *v, const attest_evidence *ev,
                        const attest_collateral *coll, const attest_policy *policy,
                        const uint8_t *nonce, size_t nonce_len, const verify_extra *x)
{
    if (out)
        *out = NULL;
    if (!out || !v || !ev || (!nonce && nonce_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify: NULL argument");
    if (nonce_len > ATTEST_NONCE_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify: a nonce of %zu bytes; at most %d",
                                nonce_len, ATTEST_NONCE_MAX);
    attest_policy *fallback = NULL;
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
    dispatch(r, v, ev, coll, policy, nonce, nonce_len, x);
    settle_freshness(r);
    ear_finish(r);
    int status = r->status;
    attest_policy_free(fallback);
    *out = r;
    if (status != ATTEST_OK)
        attest_set_error(status, "%s", attest_result_reason(r));
    return status;
}
