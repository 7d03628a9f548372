/* Appraisal across devices and evidence kinds: policy scope, device
 * counts, and the binding of GPUs to their CPU (composite.h). */
#include "composite.h"
#include "nv_appraise.h"
#include "../base/crypto.h"

#include <stdio.h>
#include <string.h>

/* ---- scope ----------------------------------------------------------------- */

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
int composite_check_scope(attest_result *r, const composite_shape *s,
                          const attest_policy *policy)
{
    unsigned outside = s->platforms & ~policy->platforms;
    char want[64], extra[64];
    describe_platforms(policy->platforms, want, sizeof want);
    if (!outside) {
        attest_check_pass(r, "policy.scope", "the policy addresses %s", want);
        return ATTEST_OK;
    }
    describe_platforms(outside, extra, sizeof extra);
    json_t *d = policy->source ? json_object_get(policy->source, "description") : NULL;
    const char *desc = json_string_value(d);
    return attest_check_fail(r, "policy.scope", ATTEST_E_POLICY_PLATFORM,
                             "%s evidence, but the policy%s%s%s (sha256 %02x%02x%02x%02x...) "
                             "addresses only %s", extra, desc ? " '" : "", desc ? desc : "",
                             desc ? "'" : "", policy->sha256[0], policy->sha256[1],
                             policy->sha256[2], policy->sha256[3], want);
}

/* ---- device counts --------------------------------------------------------- */

static size_t count_gpus(const nv_evidence_set *set)
{
    size_t n = 0;
    for (size_t i = 0; set && i < set->count; i++)
        n += !set->devices[i].report->is_switch;
    return n;
}

/* Device counts hold whatever the evidence shape: a bare CPU report does
 * not meet composite.min_gpus, nor nvidia.min_gpus. The composite section
 * applies to bundles, and to all evidence when the policy has one. With
 * GPU evidence, nv_verify_devices counts the distinct devices. */
void composite_check_devices(attest_result *r, const composite_shape *s,
                             const attest_policy *policy)
{
    size_t gpus = count_gpus(s->gpus);
    const composite_policy *cp = &policy->composite;
    const nv_policy *np = policy->nvidia;
    if (s->bundle || cp->given) {
        if (cp->require_cpu && !s->cpu)
            attest_check_fail(r, "composite.devices", ATTEST_E_COMPOSITE_MISSING,
                              "no CPU evidence; the policy requires it (composite.require_cpu)");
        else if (s->gpus_by_nras) /* counted once the NRAS result is read */
            attest_check_pass(r, "composite.devices", "CPU and GPUs appraised by NRAS");
        else if ((int)gpus < cp->min_gpus)
            attest_check_fail(r, "composite.devices", ATTEST_E_COMPOSITE_MISSING,
                              "%zu GPU report(s); the policy requires %d (composite.min_gpus)",
                              gpus, cp->min_gpus);
        else
            attest_check_pass(r, "composite.devices", "%s and %zu GPU report(s)",
                              s->cpu ? "CPU" : "no CPU", gpus);
    }
    bool wanted = np->min_gpus > 0 || np->min_switches > 0 || np->require_ppcie_topology;
    if (!s->gpus && !s->gpus_by_nras && wanted)
        attest_check_fail(r, "nvidia.devices", ATTEST_E_COMPOSITE_MISSING,
                          "no GPU or NVSwitch evidence; the policy requires %d GPU(s) and %d "
                          "NVSwitch(es)%s", np->min_gpus, np->min_switches,
                          np->require_ppcie_topology ? " in a PPCIe topology" : "");
}

/* ---- binding ---------------------------------------------------------------- */

/* The CPU's report data must be SHA-512(nonce || each GPU's request
 * nonce, in bundle order): the CVM vouches for exactly these GPUs answering
 * this nonce, so a GPU report cannot be replayed beside another machine
 * (docs/bundle.md). Freshness comes only from the caller's nonce: with
 * none, the bundle's recorded nonce (what the attester claims) still ties
 * the devices together, but nothing is shown fresh. */
void composite_check_binding(attest_result *r, const uint8_t cpu_report_data[64],
                             const char *holder, const nv_evidence_set *gpus, const uint8_t *nonce,
                             size_t nonce_len, bool callers)
{
    uint8_t gpu_nonces[NV_MAX_DEVICES][32];
    size_t n = gpus->count < NV_MAX_DEVICES ? gpus->count : NV_MAX_DEVICES;
    for (size_t i = 0; i < n; i++)
        memcpy(gpu_nonces[i], gpus->devices[i].report->nonce, 32);
    composite_check_binding_nonces(r, cpu_report_data, holder, gpu_nonces, n, nonce, nonce_len,
                                   callers);
}

void composite_check_binding_nonces(attest_result *r, const uint8_t cpu_report_data[64],
                                    const char *holder, const uint8_t (*gpu_nonces)[32],
                                    size_t count, const uint8_t *nonce, size_t nonce_len,
                                    bool callers)
{
    const char *name = "composite.binding";
    uint8_t want[64];
    r->gpu_binding = "cpu_report_data";
    attest_bytes parts[1 + NV_MAX_DEVICES];
    size_t parts_n = 0;
    parts[parts_n++] = (attest_bytes){nonce, nonce_len};
    for (size_t i = 0; i < count && parts_n < sizeof parts / sizeof parts[0]; i++)
        parts[parts_n++] = (attest_bytes){gpu_nonces[i], 32};
    if (parts_n != 1 + count || attest_sha2_concat(64, want, parts, parts_n) != 0)
        attest_check_fail(r, name, ATTEST_E_INTERNAL, "SHA-512 of %zu GPU nonces: too many", count);
    else if (memcmp(want, cpu_report_data, 64) != 0)
        attest_check_fail(r, name, ATTEST_E_COMPOSITE_BINDING,
                          "CPU report data (%s) is not SHA-512(%s nonce || the %zu GPU "
                          "nonces): the GPU evidence does not belong to this machine and "
                          "request", holder, callers ? "the caller's" : "the bundle's",
                          count);
    else if (callers)
        attest_check_pass_nonce(r, name, "CPU report data binds the caller's nonce and the "
                                         "%zu GPU reports, through %s", count, holder);
    else
        attest_check_pass(r, name, "CPU report data binds the bundle's recorded nonce and the "
                                   "%zu GPU reports, through %s (no caller nonce: not shown "
                                   "fresh)", count, holder);
}

/* same_nonce: every device answered the caller's nonce. That shows each is
 * fresh, not that they are one machine: named so in the result and token,
 * and a warning, never a CPU vouching for its GPUs. */
void composite_note_same_nonce(attest_result *r, const char *cpu_nonce_in)
{
    r->gpu_binding = "same_nonce_freshness_only";
    attest_check_skip(r, "composite.binding",
                      "not bound (allowed by composite.gpu_binding same_nonce): each device "
                      "answers the nonce (the CPU in %s), which shows freshness only; the "
                      "CPU does not vouch for the GPUs, which may be in another machine",
                      cpu_nonce_in);
}
