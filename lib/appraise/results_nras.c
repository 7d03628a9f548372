/* NVIDIA NRAS results (research/results.md section 1): the detached EAT
 * [["JWT", overall], {"GPU-0": jwt, ...}] whose JWTs lib/chain/jws.c has
 * verified, mapped into one gpuN submod per GPU. The overall JWT signs the
 * digests of the detached ones, so a GPU JWT of another response (validly
 * signed too) cannot be spliced in. NRAS reports a failed appraisal as a
 * signed token inside HTTP 200 (N03: NONCE_NOT_MATCHING): the verdict is
 * read from the claims, and a claim that is absent fails. */
#include "results.h"
#include "ear.h"
#include "nv_appraise.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the outer shape --------------------------------------------------- */

static int malformed(nras_response *out, const char *what)
{
    nras_response_release(out);
    return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "nras.response: %s", what);
}

/* n of "GPU-<n>" (decimal, no leading zero, n < 100), else -1. */
static int gpu_number(const char *key)
{
    if (strncmp(key, "GPU-", 4) != 0)
        return -1;
    const char *d = key + 4;
    size_t len = strlen(d);
    if (len < 1 || len > 2 || (len == 2 && d[0] == '0') || strspn(d, "0123456789") != len)
        return -1;
    return atoi(d);
}

/* The detached JWTs, each in the slot of its number: the keys must be
 * GPU-0 .. GPU-(count-1), as NRAS numbers its evidence list. */
static int read_detached(nras_response *out, json_t *dets)
{
    const char *key;
    json_t *jwt;
    out->count = json_object_size(dets);
    if (!json_is_object(dets) || out->count == 0 || out->count > NRAS_MAX_GPUS)
        return malformed(out, "element 1 is not an object of 1 to 8 detached JWTs");
    json_object_foreach(dets, key, jwt) {
        int i = gpu_number(key);
        if (i < 0 || (size_t)i >= out->count || out->keys[i] || !json_is_string(jwt))
            return malformed(out, "detached keys are not GPU-0 .. GPU-(n-1), each a string");
        out->keys[i] = key;
        out->gpus[i].text = json_string_value(jwt);
        out->gpus[i].len = json_string_length(jwt);
    }
    return ATTEST_OK;
}

int nras_response_parse(nras_response *out, const uint8_t *p, size_t n)
{
    json_error_t err;
    memset(out, 0, sizeof *out);
    out->doc = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &err);
    if (!out->doc)
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "nras.response: not strict JSON: %s "
                                "(line %d)", err.text, err.line);
    if (!json_is_array(out->doc) || json_array_size(out->doc) != 2)
        return malformed(out, "not an array of exactly 2 elements");
    json_t *first = json_array_get(out->doc, 0);
    json_t *tag = json_array_get(first, 0), *overall = json_array_get(first, 1);
    if (!json_is_array(first) || json_array_size(first) != 2 || !json_is_string(tag) ||
        strcmp(json_string_value(tag), "JWT") != 0 || !json_is_string(overall))
        return malformed(out, "element 0 is not [\"JWT\", <overall token>]");
    out->overall.text = json_string_value(overall);
    out->overall.len = json_string_length(overall);
    return read_detached(out, json_array_get(out->doc, 1));
}

void nras_response_release(nras_response *resp)
{
    json_decref(resp->overall.header);
    json_decref(resp->overall.claims);
    for (size_t i = 0; i < NRAS_MAX_GPUS; i++) {
        json_decref(resp->gpus[i].header);
        json_decref(resp->gpus[i].claims);
    }
    json_decref(resp->doc);
    memset(resp, 0, sizeof *resp);
}

/* ---- the overall token ------------------------------------------------- */

/* submods: exactly the detached keys, each ["DIGEST", ["SHA-256", hex]]
 * with hex == SHA-256 of the detached JWT's ASCII. */
static int check_one_digest(const results_ctx *c, const nras_response *resp, size_t i)
{
    json_t *sub = json_object_get(json_object_get(resp->overall.claims, "submods"), resp->keys[i]);
    json_t *pair = json_array_get(sub, 1);
    const char *tag = json_string_value(json_array_get(sub, 0));
    const char *alg = json_string_value(json_array_get(pair, 0));
    const char *hex = json_string_value(json_array_get(pair, 1));
    uint8_t want[32], got[32];
    if (!tag || strcmp(tag, "DIGEST") || json_array_size(sub) != 2 || !alg ||
        strcmp(alg, "SHA-256") || json_array_size(pair) != 2 || !hex || strlen(hex) != 64 ||
        attest_hex_decode(want, 32, hex) != 0)
        return attest_check_fail(c->r, "nvidia.nras.submods", ATTEST_E_RESULT_SUBMODS,
                                 "submods.%s is not [\"DIGEST\", [\"SHA-256\", <64 hex>]]",
                                 resp->keys[i]);
    if (EVP_Digest(resp->gpus[i].text, resp->gpus[i].len, got, NULL, EVP_sha256(), NULL) != 1)
        return attest_check_fail(c->r, "nvidia.nras.submods", ATTEST_E_INTERNAL, "SHA-256 failed");
    if (memcmp(want, got, 32) != 0)
        return attest_check_fail(c->r, "nvidia.nras.submods", ATTEST_E_RESULT_SUBMODS,
                                 "the detached %s JWT is not the one the overall token signed "
                                 "(SHA-256 differs from submods.%s)", resp->keys[i],
                                 resp->keys[i]);
    return ATTEST_OK;
}

static int check_submods(const results_ctx *c, const nras_response *resp)
{
    json_t *subs = json_object_get(resp->overall.claims, "submods");
    if (!json_is_object(subs) || json_object_size(subs) != resp->count)
        return attest_check_fail(c->r, "nvidia.nras.submods", ATTEST_E_RESULT_SUBMODS,
                                 "the overall token's submods (%zu) are not the %zu detached "
                                 "JWTs", json_is_object(subs) ? json_object_size(subs) : 0,
                                 resp->count);
    for (size_t i = 0; i < resp->count; i++) {
        if (!json_object_get(subs, resp->keys[i]))
            return attest_check_fail(c->r, "nvidia.nras.submods", ATTEST_E_RESULT_SUBMODS,
                                     "detached %s is not among the overall token's submods",
                                     resp->keys[i]);
        int status = check_one_digest(c, resp, i);
        if (status != ATTEST_OK)
            return status;
    }
    attest_check_pass(c->r, "nvidia.nras.submods", "%zu detached JWTs, each the SHA-256 digest "
                      "the overall token signed", resp->count);
    return ATTEST_OK;
}

int results_check_hex_nonce(const results_ctx *c, const char *name, json_t *claim, bool required)
{
    char want[2 * ATTEST_NONCE_MAX + 1];
    const char *got = json_string_value(claim);
    if (!c->nonce_len) {
        if (required)
            return attest_check_fail(c->r, name, ATTEST_E_TOKEN_NONCE, "no nonce given; the "
                                     "policy requires one (nvidia.require_nonce)");
        attest_check_skip(c->r, name, "no nonce given (allowed by nvidia.require_nonce)");
        return ATTEST_OK;
    }
    if (!got)
        return attest_check_fail(c->r, name, ATTEST_E_TOKEN_NONCE, "eat_nonce missing");
    attest_hex_encode(want, c->nonce, c->nonce_len);
    if (strcasecmp(got, want) != 0)
        return attest_check_fail(c->r, name, ATTEST_E_TOKEN_NONCE, "eat_nonce %.16s... is not "
                                 "the caller's nonce %.16s...", got, want);
    attest_check_pass_nonce(c->r, name, "eat_nonce is the caller's nonce");
    return ATTEST_OK;
}

static int check_overall(const results_ctx *c, const nras_response *resp)
{
    json_t *cl = resp->overall.claims;
    const char *sub = json_string_value(json_object_get(cl, "sub"));
    json_t *verdict = json_object_get(cl, "x-nvidia-overall-att-result");
    if (!sub || strcmp(sub, "NVIDIA-PLATFORM-ATTESTATION") != 0)
        attest_check_fail(c->r, "nvidia.nras.sub", ATTEST_E_RESULT_CLAIMS,
                          "sub is not NVIDIA-PLATFORM-ATTESTATION");
    results_check_hex_nonce(c, "nvidia.nras.nonce", json_object_get(cl, "eat_nonce"),
                            c->policy->nvidia->require_nonce);
    if (!json_is_boolean(verdict))
        return attest_check_fail(c->r, "nvidia.nras.verdict", ATTEST_E_RESULT_CLAIMS,
                                 "x-nvidia-overall-att-result missing or not a boolean");
    if (!json_is_true(verdict))
        return attest_check_fail(c->r, "nvidia.nras.verdict", ATTEST_E_RESULT_VERDICT,
                                 "x-nvidia-overall-att-result is false: NRAS did not accept "
                                 "the GPUs");
    attest_check_pass(c->r, "nvidia.nras.verdict", "x-nvidia-overall-att-result true");
    return ATTEST_OK;
}

/* ---- per GPU ------------------------------------------------------------- */

/* The flags NRAS sets true when a step of its appraisal held. */
static const char *const gpu_flags[] = {
    "x-nvidia-gpu-attestation-report-parsed",
    "x-nvidia-gpu-attestation-report-signature-verified",
    "x-nvidia-gpu-attestation-report-nonce-match",
    "x-nvidia-gpu-attestation-report-cert-chain-validated",
    "x-nvidia-gpu-driver-rim-signature-verified",
    "x-nvidia-gpu-driver-rim-cert-validated",
    "x-nvidia-gpu-vbios-rim-signature-verified",
    "x-nvidia-gpu-vbios-rim-cert-validated",
    NULL,
};

static const char *cname(char *buf, size_t n, const char *gpu, const char *check)
{
    snprintf(buf, n, "%s.%s", gpu, check);
    return buf;
}

/* An error report replaces the normal claims: name its message. */
static int check_error_details(const results_ctx *c, json_t *cl, const char *gpu)
{
    char name[64];
    json_t *e = json_object_get(cl, "x-nvidia-error-details");
    if (!e) {
        attest_check_pass(c->r, cname(name, sizeof name, gpu, "nras.errors"),
                          "no x-nvidia-error-details");
        return ATTEST_OK;
    }
    const char *msg = json_string_value(json_object_get(e, "message"));
    return attest_check_fail(c->r, cname(name, sizeof name, gpu, "nras.errors"),
                             ATTEST_E_RESULT_VERDICT, "NRAS reports an error: %s (code %lld)",
                             msg ? msg : "(no message)",
                             (long long)json_integer_value(json_object_get(e, "code")));
}

static int check_flags(const results_ctx *c, json_t *cl, const char *gpu)
{
    char name[64];
    cname(name, sizeof name, gpu, "nras.evidence");
    for (int i = 0; gpu_flags[i]; i++) {
        json_t *f = json_object_get(cl, gpu_flags[i]);
        if (!json_is_boolean(f))
            return attest_check_fail(c->r, name, ATTEST_E_RESULT_CLAIMS, "%s missing",
                                     gpu_flags[i]);
        if (!json_is_true(f))
            return attest_check_fail(c->r, name, ATTEST_E_RESULT_VERDICT, "%s is false",
                                     gpu_flags[i]);
    }
    attest_check_pass(c->r, name, "report parsed, signed, nonce matched, chains and RIMs "
                      "verified (NRAS)");
    return ATTEST_OK;
}

/* A string claim that must have one value; absent is RESULT_CLAIMS. */
static int check_text(const results_ctx *c, json_t *cl, const char *gpu, const char *check,
                      const char *claim, const char *want)
{
    char name[64];
    const char *got = json_string_value(json_object_get(cl, claim));
    cname(name, sizeof name, gpu, check);
    if (!got)
        return attest_check_fail(c->r, name, ATTEST_E_RESULT_CLAIMS, "%s missing", claim);
    if (strcmp(got, want) != 0)
        return attest_check_fail(c->r, name, ATTEST_E_RESULT_VERDICT, "%s is \"%s\", not "
                                 "\"%s\"", claim, got, want);
    attest_check_pass(c->r, name, "%s %s", claim, got);
    return ATTEST_OK;
}

static int check_secboot(const results_ctx *c, json_t *cl, const char *gpu)
{
    char name[64];
    json_t *s = json_object_get(cl, "secboot");
    cname(name, sizeof name, gpu, "nras.secboot");
    if (!json_is_boolean(s))
        return attest_check_fail(c->r, name, ATTEST_E_RESULT_CLAIMS, "secboot missing");
    if (!json_is_true(s))
        return attest_check_fail(c->r, name, ATTEST_E_RESULT_VERDICT, "secboot false");
    attest_check_pass(c->r, name, "secure boot");
    return ATTEST_OK;
}

static int check_gpu(const results_ctx *c, const results_token *t, const char *gpu)
{
    char name[64];
    json_t *cl = t->claims;
    const nv_policy *np = c->policy->nvidia;
    results_check_hex_nonce(c, cname(name, sizeof name, gpu, "nras.nonce"),
                            json_object_get(cl, "eat_nonce"), np->require_nonce);
    if (check_error_details(c, cl, gpu) != ATTEST_OK)
        return c->r->status;
    check_text(c, cl, gpu, "nras.measurements", "measres", "success");
    check_flags(c, cl, gpu);
    check_secboot(c, cl, gpu);
    check_text(c, cl, gpu, "nras.debug", "dbgstat", "disabled");
    const char *driver = json_string_value(json_object_get(cl, "x-nvidia-gpu-driver-version"));
    const char *vbios = json_string_value(json_object_get(cl, "x-nvidia-gpu-vbios-version"));
    if (!driver || !vbios || !json_is_string(json_object_get(cl, "hwmodel")) ||
        !json_is_string(json_object_get(cl, "ueid")))
        return attest_check_fail(c->r, cname(name, sizeof name, gpu, "versions"),
                                 ATTEST_E_RESULT_CLAIMS, "x-nvidia-gpu-driver-version, "
                                 "x-nvidia-gpu-vbios-version, hwmodel or ueid missing");
    return nv_check_versions(c->r, gpu, np, false, driver, vbios);
}

/* ---- policy ---------------------------------------------------------------- */

/* Members that judge raw evidence NRAS did not pass on: refused, never
 * skipped, so that a policy never means less than it says. */
static void check_policy(const results_ctx *c, size_t gpus)
{
    const nv_policy *p = c->policy->nvidia;
    const char *need = p->allowed_mismatch    ? "allowed_mismatch_indices"
                       : p->required_mode >= 0 ? "mode"
                       : p->require_ppcie_topology ? "require_ppcie_topology"
                       : p->min_switches > 0       ? "min_switches"
                                                   : NULL;
    if (need)
        attest_check_fail(c->r, "nvidia.nras.policy", ATTEST_E_POLICY_INVALID,
                          "the policy sets nvidia.%s, which needs the raw GPU evidence; these "
                          "GPUs were appraised by NRAS", need);
    else if ((int)gpus < p->min_gpus)
        attest_check_fail(c->r, "nvidia.devices", ATTEST_E_COMPOSITE_MISSING,
                          "%zu GPUs appraised by NRAS; the policy requires %d (nvidia.min_gpus)",
                          gpus, p->min_gpus);
    else if ((int)gpus < c->policy->composite.min_gpus)
        attest_check_fail(c->r, "composite.devices", ATTEST_E_COMPOSITE_MISSING,
                          "%zu GPUs appraised by NRAS; the policy requires %d "
                          "(composite.min_gpus)", gpus, c->policy->composite.min_gpus);
    else
        attest_check_pass(c->r, "nvidia.nras.policy", "%zu GPUs; the policy's members apply "
                          "to NRAS claims", gpus);
}

/* ---- submods ------------------------------------------------------------- */

void results_note_appraiser(attest_result *r, const char *submod, const char *service,
                            const results_token *t)
{
    json_t *entry = json_object_get(r->submods, submod);
    json_t *by = json_pack("{s:s, s:O?, s:O?}", "service", service, "iss",
                           json_object_get(t->claims, "iss"), "kid",
                           json_object_get(t->header, "kid"));
    if (entry && by)
        json_object_set_new(entry, "appraised_by", by);
    else
        json_decref(by);
}

static void record_claims(const results_ctx *c, const nras_response *resp)
{
    json_t *devices = json_object();
    for (size_t i = 0; devices && i < resp->count; i++) {
        char gpu[24];
        snprintf(gpu, sizeof gpu, "gpu%zu", i);
        json_object_set(devices, gpu, resp->gpus[i].claims);
    }
    json_object_set_new(c->r->claims, "results",
                        json_pack("{s:s, s:O, s:o}", "appraised_by", "NRAS", "overall",
                                  resp->overall.claims, "devices", devices));
}

int nras_appraise(const results_ctx *c, const nras_response *resp)
{
    size_t first = c->r->count;
    nras_check(c, resp);
    nras_add_submods(c, resp, first);
    return c->r->status;
}

int nras_check(const results_ctx *c, const nras_response *resp)
{
    check_submods(c, resp);
    check_overall(c, resp);
    for (size_t i = 0; i < resp->count; i++) {
        char gpu[24];
        snprintf(gpu, sizeof gpu, "gpu%zu", i);
        check_gpu(c, &resp->gpus[i], gpu);
    }
    check_policy(c, resp->count);
    record_claims(c, resp);
    return c->r->status;
}

void nras_add_submods(const results_ctx *c, const nras_response *resp, size_t first)
{
    size_t end = c->r->count;
    for (size_t i = 0; i < resp->count; i++) {
        char gpu[24];
        snprintf(gpu, sizeof gpu, "gpu%zu", i);
        ear_add_submod(c->r, gpu, gpu, first, end, resp->gpus[i].claims, "policy:nvidia");
        results_note_appraiser(c->r, gpu, "NRAS", &resp->gpus[i]);
    }
}
