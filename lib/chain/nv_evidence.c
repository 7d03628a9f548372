/* NVIDIA evidence verification of one device: chain, report signature,
 * nonce, FWID, the chain's OCSP, then the RIMs the device is appraised
 * against (XML signature, chain, OCSP). Steps and claim names follow
 * nvtrust's local verifier and NVIDIA's v3 claims (research/nvidia.md (b)).
 * Policy is not judged here, beyond the rules it sets for these checks. */
#include "nv_evidence.h"
#include "nv_rim_sig.h"
#include "x509_chain.h"

#include <errno.h>
#include <openssl/bn.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct device_ctx {
    attest_result *r;
    attest_verifier *v;
    const attest_collateral *coll;
    const nv_evidence_rules *rules;
    int64_t now;
    const char *prefix;          /* "gpu0", "switch1" */
    json_t *claims;
} device_ctx;

static const char *cname(const device_ctx *d, const char *check, char *buf, size_t n)
{
    snprintf(buf, n, "%s.%s", d->prefix, check);
    return buf;
}

/* ---- the device chain and the report ------------------------------------- */

static int check_nonce(device_ctx *d, const nv_device_evidence *e, const uint8_t *nonce,
                       size_t nonce_len)
{
    char name[128];
    const nv_report *rep = e->report;
    cname(d, "report.nonce", name, sizeof name);
    bool match = nonce && nonce_len == 32 && memcmp(nonce, rep->nonce, 32) == 0;
    json_object_set_new(d->claims, "x-nvidia-gpu-attestation-report-nonce-match", json_boolean(match));
    /* eat_nonce is a verified challenge, never only what the report says. */
    if (match)
        json_object_set_new(d->claims, "eat_nonce", attest_json_hex(rep->nonce, 32));
    if (e->has_nonce && memcmp(e->nonce, rep->nonce, 32) != 0)
        return attest_check_fail(d->r, name, ATTEST_E_NV_NONCE,
                                 "the evidence container names a nonce the report does not carry");
    if (d->rules->nonce_bound_by_cpu) {
        /* Set only when the CPU report data is checked against the
         * caller's nonce (composite.binding), which fails otherwise. */
        attest_check_pass(d->r, name, "request nonce bound through the CPU report data "
                                      "(composite.binding)");
        return ATTEST_OK;
    }
    if (!nonce || nonce_len == 0) {
        if (d->rules->require_nonce)
            return attest_check_fail(d->r, name, ATTEST_E_NV_NONCE,
                                     "no nonce given; the policy requires one (nvidia.require_nonce)");
        attest_check_skip(d->r, name, "no nonce given (allowed by nvidia.require_nonce)");
        return ATTEST_OK;
    }
    if (!match)
        return attest_check_fail(d->r, name, ATTEST_E_NV_NONCE,
                                 "request nonce (bytes 4..35) is not the caller's nonce");
    attest_check_pass_nonce(d->r, name, "request nonce equals the caller's");
    return ATTEST_OK;
}

static int check_fwid(device_ctx *d, const nv_report *rep, X509 *leaf)
{
    char name[128];
    uint8_t fwid[48];
    bool present = false;
    cname(d, "fwid", name, sizeof name);
    if (!rep->has_fwid) {
        json_object_set_new(d->claims, "x-nvidia-gpu-attestation-report-cert-chain-fwid-match",
                            json_null());
        attest_check_skip(d->r, name, "the report carries no FWID (pre-2024 firmware)");
        return ATTEST_OK;
    }
    int status = nv_cert_fwid(leaf, fwid, &present);
    bool match = status == ATTEST_OK && present && memcmp(fwid, rep->fwid, 48) == 0;
    json_object_set_new(d->claims, "x-nvidia-gpu-attestation-report-cert-chain-fwid-match",
                        json_boolean(match));
    if (status != ATTEST_OK)
        return attest_check_fail(d->r, name, status, "%s", attest_error_last());
    if (!match)
        return attest_check_fail(d->r, name, ATTEST_E_NV_FWID,
                                 present ? "report FWID differs from the leaf certificate's"
                                         : "the leaf certificate carries no FWID");
    attest_check_pass(d->r, name, "report FWID equals the leaf certificate's");
    return ATTEST_OK;
}

static void chain_claims(device_ctx *d, STACK_OF(X509) *chain, const char *ocsp, bool valid)
{
    char exp[32] = "", hw[96] = "", ueid[128] = "";
    int64_t nb, na;
    if (chain && sk_X509_num(chain) > 1) {
        attest_cert_cn(sk_X509_value(chain, 1), hw, sizeof hw);
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(sk_X509_value(chain, 0)), NULL);
        char *dec = bn ? BN_bn2dec(bn) : NULL;
        snprintf(ueid, sizeof ueid, "%s", dec ? dec : "");
        OPENSSL_free(dec);
        BN_free(bn);
        if (attest_cert_validity(sk_X509_value(chain, 0), &nb, &na) == 0)
            attest_time_format(exp, sizeof exp, na);
    }
    json_object_set_new(d->claims, "hwmodel", json_string(hw));
    json_object_set_new(d->claims, "ueid", json_string(ueid));
    json_object_set_new(d->claims, "x-nvidia-gpu-attestation-report-cert-chain",
                        json_pack("{s:s, s:s, s:s}", "x-nvidia-cert-status",
                                  valid ? "valid" : "invalid", "x-nvidia-cert-ocsp-status", ocsp,
                                  "x-nvidia-cert-expiration-date", exp));
}

static int check_report_signature(device_ctx *d, const nv_report *rep, X509 *leaf)
{
    char name[128];
    bool sig = nv_report_signature_ok(leaf, rep->raw, rep->signed_len, rep->signature);
    json_object_set_new(d->claims, "x-nvidia-gpu-attestation-report-signature-verified",
                        json_boolean(sig));
    cname(d, "report.signature", name, sizeof name);
    if (!sig && attest_alloc_failed()) /* errno: attest_ecdsa_verify_raw cleared it first */
        return attest_check_fail(d->r, name, ATTEST_E_NOMEM, "out of memory");
    if (!sig)
        return attest_check_fail(d->r, name, ATTEST_E_NV_REPORT_SIGNATURE,
                                 "ECDSA P-384 over SHA-384 of request||response does not "
                                 "verify with the leaf certificate");
    attest_check_pass(d->r, name, "ECDSA P-384 over %zu bytes, by the device leaf",
                      rep->signed_len);
    return ATTEST_OK;
}

/* Evidence authenticity of one device: chain, signature, nonce, FWID, OCSP. */
static int verify_device_chain(device_ctx *d, const nv_device_evidence *e,
                               STACK_OF(X509) *given, const uint8_t *nonce, size_t nonce_len,
                               STACK_OF(X509) **chain)
{
    char name[128];
    const char *ocsp = "unknown";
    int status;
    if (!given && attest_alloc_failed()) /* errno cleared before the chain was read */
        return attest_check_fail(d->r, cname(d, "chain", name, sizeof name), ATTEST_E_NOMEM,
                                 "out of memory");
    if (!given || sk_X509_num(given) == 0)
        return attest_check_fail(d->r, cname(d, "chain", name, sizeof name),
                                 ATTEST_E_COLLATERAL_MISSING, "no device certificate chain");
    X509 *leaf = sk_X509_value(given, 0);
    status = nv_chain_verify(d->r, cname(d, "chain", name, sizeof name), d->v,
                             ATTEST_VENDOR_NVIDIA_DEVICE, leaf, given, 5, d->now, chain);
    if (status == ATTEST_OK)
        status = check_report_signature(d, e->report, leaf);
    if (status == ATTEST_OK)
        status = check_nonce(d, e, nonce, nonce_len);
    if (status == ATTEST_OK)
        status = check_fwid(d, e->report, leaf);
    if (status == ATTEST_OK) /* BROM, Provisioner ICA, Identity: not the leaf, not the root */
        status = nv_chain_ocsp(d->r, d->v, cname(d, "chain.ocsp", name, sizeof name), d->coll,
                               *chain, 1, sk_X509_num(*chain) - 2, d->now, &d->rules->ocsp,
                               &ocsp);
    chain_claims(d, *chain, ocsp, status == ATTEST_OK);
    return status;
}

/* A raw report comes without its chain: take the collateral's
 * certificates, the device leaf ("... FMC LF") first. */
static STACK_OF(X509) *chain_from_collateral(const attest_collateral *coll)
{
    STACK_OF(X509) *out = coll ? sk_X509_new_null() : NULL;
    X509 *leaf = NULL;
    for (int i = 0; out && i < sk_X509_num(coll->certs); i++) {
        char cn[96];
        attest_cert_cn(sk_X509_value(coll->certs, i), cn, sizeof cn);
        size_t n = strlen(cn);
        if (!leaf && n >= 6 && strcmp(cn + n - 6, "FMC LF") == 0)
            leaf = sk_X509_value(coll->certs, i);
    }
    if (!out || !leaf || !X509_up_ref(leaf)) {
        sk_X509_pop_free(out, X509_free);
        return NULL;
    }
    if (!sk_X509_push(out, leaf)) { /* the reference just taken, not in out */
        X509_free(leaf);
        sk_X509_pop_free(out, X509_free);
        return NULL;
    }
    for (int i = 0; i < sk_X509_num(coll->certs); i++) {
        X509 *c = sk_X509_value(coll->certs, i);
        if (c != leaf && X509_up_ref(c) && !sk_X509_push(out, c))
            X509_free(c);
    }
    return out;
}

/* The certificates of an evidence's chain PEM, parsed once per verifier:
 * parsing five certificates (their keys decoded) costs more than the
 * report's ECDSA verification. Keyed by the SHA-256 of the exact PEM text;
 * the entry holds only what parsing those bytes gives (no verdict: the
 * chain is verified as given, every time), and only a chain that verified
 * is remembered (given_chain_keep), so a parse cut short is never reused. */
static bool pem_key(uint8_t key[32], const char *pem)
{
    attest_bytes parts[] = {{"nv-chain-pem", 12}, {pem, strlen(pem)}};
    return attest_cache_key(key, parts, 2) == 0;
}

/* The entry's extra holds the SHA-256 of each of its certificates, in
 * order (computed from those very objects when it was stored): the cache
 * keys of the chain and OCSP verdicts need them on every verification. */
#define PEM_DIGESTS_MAX (int)(sizeof(((attest_cached_chain *)0)->extra) / 32)

static STACK_OF(X509) *given_chain(attest_verifier *v, const char *pem, bool *from_cache)
{
    uint8_t key[32];
    attest_cached_chain hit = {0};
    *from_cache = pem_key(key, pem) && attest_cache_get(v->cache, key, &hit) && hit.chain;
    if (*from_cache) {
        int n = sk_X509_num(hit.chain);
        if (hit.extra_len == 32 * (size_t)n)
            for (int i = 0; i < n; i++)
                nv_digest_memo_seed(sk_X509_value(hit.chain, i), hit.extra + 32 * i);
        return hit.chain;
    }
    sk_X509_pop_free(hit.chain, X509_free);
    return attest_pem_certs((const uint8_t *)pem, strlen(pem));
}

static void given_chain_keep(attest_verifier *v, const char *pem, STACK_OF(X509) *given)
{
    uint8_t key[32];
    attest_cached_chain entry = {.chain = given, .not_before = INT64_MIN,
                                 .not_after = INT64_MAX};
    int n = sk_X509_num(given);
    bool digests = n <= PEM_DIGESTS_MAX;
    for (int i = 0; digests && i < n; i++)
        digests = nv_cert_sha256(sk_X509_value(given, i), entry.extra + 32 * i);
    entry.extra_len = digests ? 32 * (size_t)n : 0;
    if (pem_key(key, pem))
        attest_cache_put(v->cache, key, &entry);
}

/* ---- device identity ----------------------------------------------------- */

#define BROM_SERIAL_LEN 9        /* 0x41 (GPU) or 0x50 (NVSwitch), then the PDI */

/* The PDI in a BROM certificate's serial: 0x41 or 0x50 followed by the
 * device's 8-byte PDI, big-endian, the value its NVSwitches or GPUs report
 * (see pdi_value in lib/parse/spdm_report.c). False for any other serial. */
static bool brom_pdi(X509 *brom, uint64_t *pdi)
{
    const ASN1_INTEGER *serial = X509_get0_serialNumber(brom);
    if (!serial || ASN1_STRING_type(serial) != V_ASN1_INTEGER ||
        ASN1_STRING_length(serial) != BROM_SERIAL_LEN)
        return false;
    const unsigned char *p = ASN1_STRING_get0_data(serial);
    if (p[0] != 0x41 && p[0] != 0x50)
        return false;
    *pdi = 0;
    for (int i = 1; i < BROM_SERIAL_LEN; i++)
        *pdi = *pdi << 8 | p[i];
    return true;
}

/* The identity of a device whose chain verified. The SubjectPublicKeyInfos
 * hashed are inside the signed TBS of their certificates, so their bytes
 * cannot be re-encoded without breaking the issuer's signature. */
static int read_identity(device_ctx *d, STACK_OF(X509) *chain, nv_device_identity *id)
{
    char name[128];
    X509 *leaf = sk_X509_value(chain, 0), *brom = sk_X509_value(chain, 1);
    errno = 0; /* the keys of a verified chain re-encode: only an allocation can fail */
    if (!leaf || !brom || attest_spki_sha256(brom, id->brom_key) != 0 ||
        attest_spki_sha256(leaf, id->leaf_key) != 0)
        return attest_check_fail(d->r, cname(d, "identity", name, sizeof name),
                                 leaf && brom && attest_alloc_failed() ? ATTEST_E_NOMEM
                                                                       : ATTEST_E_INTERNAL,
                                 "cannot hash the leaf and BROM keys");
    id->has_pdi = brom_pdi(brom, &id->pdi);
    id->known = true;
    return ATTEST_OK;
}

/* ---- RIMs ---------------------------------------------------------------- */

/* A driver version has three components ("550.90.07"), a VBIOS or BIOS
 * version five ("96.00.9F.00.01"): that tells which a RIM is. */
static bool is_vbios_version(const char *v)
{
    int dots = 0;
    for (; *v; v++)
        dots += *v == '.';
    return dots == 4;
}

/* A RIM of the collateral taken for a device: the parsed RIM and its
 * KeyInfo certificates (its XML signature verified). */
typedef struct rim_choice {
    size_t index;                /* in coll->rims */
    const nv_rim *rim;           /* NULL: none */
    STACK_OF(X509) *signers;     /* owned */
    bool cached;                 /* the signature verdict came from the cache */
    /* Its signing chain and OCSP, judged once (judge_rim_chain) and
     * recorded from here if this RIM is the one taken (record_rim). */
    attest_result *chain_checks; /* owned; NULL: not judged or out of memory */
    int chain_status;
    const char *chain_ocsp;      /* claim text, static */
    char chain_expiry[32];
} rim_choice;

static void rim_choice_release(rim_choice *c)
{
    sk_X509_pop_free(c->signers, X509_free);
    attest_result_free(c->chain_checks);
    memset(c, 0, sizeof *c);
}

/* Whether item i is a readable RIM with a valid XML signature: ATTEST_OK
 * (then *c holds it, its signers the caller's to release), or why not
 * (ATTEST_E_NOMEM: no verdict). A RIM whose content breaks a rule is never
 * taken, however it is signed. */
static int rim_signed(const device_ctx *d, size_t i, rim_choice *c)
{
    const attest_rim_item *item = &d->coll->rims[i];
    memset(c, 0, sizeof *c);
    if (!item->rim || item->rim->content_status != ATTEST_OK)
        return ATTEST_E_MALFORMED;
    int status = nv_rim_signature_check(d->v, item->rim, item->sha256, &c->signers, &c->cached);
    if (status != ATTEST_OK)
        return status;
    c->index = i;
    c->rim = item->rim;
    return ATTEST_OK;
}

/* Why the collateral's first RIM that cannot be used at all is refused, in
 * the order a RIM is judged: structure, XML signature, content. *at_signature
 * says whether its signature failed. ATTEST_OK when every RIM is usable. */
static int first_refusal(const device_ctx *d, size_t *index, bool *at_signature)
{
    for (size_t i = 0; d->coll && i < d->coll->rim_count; i++) {
        const attest_rim_item *item = &d->coll->rims[i];
        int status = item->parse_status;
        *index = i;
        *at_signature = false;
        if (!item->rim)
            return attest_set_error(status, "%s", item->parse_detail);
        bool cached;
        status = nv_rim_signature_check(d->v, item->rim, item->sha256, NULL, &cached);
        if ((*at_signature = status != ATTEST_OK))
            return status;
        if (item->rim->content_status != ATTEST_OK)
            return attest_set_error(item->rim->content_status, "%s", item->rim->content_detail);
    }
    return ATTEST_OK;
}

/* No RIM of `kind` for this device verifies its signature: one for another
 * version (of the same kind), else the first RIM refused, else none. */
static int rim_unavailable(device_ctx *d, const char *kind, bool vbios, const char *product,
                           const char *version)
{
    char name[128], with[160];
    const nv_rim *other = NULL;
    rim_choice c;
    cname(d, vbios ? "vbios_rim" : "driver_rim", name, sizeof name);
    for (size_t i = 0; d->coll && i < d->coll->rim_count; i++)
        if (d->coll->rims[i].rim &&
            is_vbios_version(d->coll->rims[i].rim->colloquial_version) == vbios &&
            rim_signed(d, i, &c) == ATTEST_OK) {
            other = c.rim;
            rim_choice_release(&c);
        }
    if (other)
        return attest_check_fail(d->r, name, ATTEST_E_NV_RIM_MISMATCH,
                                 "no %s RIM for %s %s; the one given is for %s %s", kind,
                                 product, version, other->product, other->colloquial_version);
    size_t index = 0;
    bool at_signature = false;
    int status = first_refusal(d, &index, &at_signature);
    if (status != ATTEST_OK) {
        const nv_rim *bad = d->coll->rims[index].rim;
        snprintf(with, sizeof with, "%s%s", name, at_signature ? ".signature" : "");
        return attest_check_fail(d->r, with, status,
                                 "no valid %s RIM; RIM %zu of the collateral (%s%s%s) was "
                                 "refused: %s", kind, index + 1, bad ? bad->product : "unparsable",
                                 bad ? " " : "", bad ? bad->colloquial_version : "",
                                 attest_error_last());
    }
    return attest_check_fail(d->r, name, ATTEST_E_COLLATERAL_MISSING,
                             "no %s RIM for %s %s in the collateral (NVIDIA RIM service)",
                             kind, product, version);
}

/* A RIM's signing chain (its KeyInfo certificates) to the pinned RIM root
 * and their OCSP (leaf, L3, CA), judged into c's own result: the checks
 * are recorded only for the RIM taken (record_rim), and judged once. */
static int judge_rim_chain(device_ctx *d, const char *kind, rim_choice *c)
{
    char name[128], key[48];
    STACK_OF(X509) *chain = NULL;
    attest_result *r = c->chain_checks = attest_result_new();
    c->chain_ocsp = "unknown";
    if (!r)
        return c->chain_status = ATTEST_E_NOMEM;
    r->verified_at = d->now;
    snprintf(key, sizeof key, "%s_rim.chain", kind);
    int status = nv_chain_verify(r, cname(d, key, name, sizeof name), d->v,
                                 ATTEST_VENDOR_NVIDIA_RIM, sk_X509_value(c->signers, 0),
                                 c->signers, 0, d->now, &chain);
    if (status == ATTEST_OK) {
        snprintf(key, sizeof key, "%s_rim.ocsp", kind);
        status = nv_chain_ocsp(r, d->v, cname(d, key, name, sizeof name), d->coll, chain, 0,
                               sk_X509_num(chain) - 2, d->now, &d->rules->ocsp, &c->chain_ocsp);
    }
    int64_t nb = 0, na = 0;
    if (chain && attest_cert_validity(sk_X509_value(chain, 0), &nb, &na) == 0)
        attest_time_format(c->chain_expiry, sizeof c->chain_expiry, na);
    sk_X509_pop_free(chain, X509_free);
    return c->chain_status = status;
}

/* The checks judge_rim_chain recorded for c, recorded in the device's
 * result as they were, then its claim. Returns the chain's status. */
static int record_rim_chain(device_ctx *d, const char *kind, const rim_choice *c)
{
    char key[48], name[128];
    const attest_result *from = c->chain_checks;
    snprintf(key, sizeof key, "%s_rim.chain", kind);
    if (!from)
        return attest_check_fail(d->r, cname(d, key, name, sizeof name), ATTEST_E_NOMEM,
                                 "out of memory");
    for (size_t i = 0; i < from->count; i++) {
        const attest_check *k = &from->checks[i];
        if (k->outcome == ATTEST_CHECK_FAIL)
            attest_check_fail(d->r, k->name, k->status, "%s", k->detail);
        else if (k->outcome == ATTEST_CHECK_PASS)
            attest_check_pass(d->r, k->name, "%s", k->detail);
        else
            attest_check_skip(d->r, k->name, "%s", k->detail);
    }
    snprintf(key, sizeof key, "x-nvidia-gpu-%s-rim-cert-chain", kind);
    json_object_set_new(d->claims, key,
                        json_pack("{s:s, s:s, s:s}", "x-nvidia-cert-status",
                                  c->chain_status == ATTEST_OK ? "valid" : "invalid",
                                  "x-nvidia-cert-ocsp-status", c->chain_ocsp,
                                  "x-nvidia-cert-expiration-date", c->chain_expiry));
    /* A failure recorded above set d->r's status; one that could not be
     * recorded (out of memory) still fails the device. */
    return c->chain_status;
}

/* The RIM of `kind` ("driver" or "vbios") for this device among the
 * collateral: same product, colloquialVersion equal to the reported one,
 * XML signature valid; of several, the first whose chain and OCSP hold,
 * judged without recording (a directory may hold a copy signed by a debug
 * or foreign chain next to the genuine one, and the copy must not hide the
 * genuine RIM); when none does, the first, whose failure is then recorded.
 * Without any, the failure is recorded here. */
static int choose_rim(device_ctx *d, const char *kind, const char *product, const char *version,
                      rim_choice *out)
{
    bool vbios = !strcmp(kind, "vbios");
    rim_choice c;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; d->coll && i < d->coll->rim_count; i++) {
        const nv_rim *rim = d->coll->rims[i].rim;
        if (!rim || is_vbios_version(rim->colloquial_version) != vbios ||
            strcasecmp(rim->product, product) || strcasecmp(rim->colloquial_version, version))
            continue;
        int signed_status = rim_signed(d, i, &c);
        if (signed_status == ATTEST_E_NOMEM) { /* this RIM may be the one: no verdict */
            char name[128];
            rim_choice_release(out);
            return attest_check_fail(d->r, cname(d, vbios ? "vbios_rim" : "driver_rim", name,
                                                 sizeof name), ATTEST_E_NOMEM, "out of memory");
        }
        if (signed_status != ATTEST_OK)
            continue;
        if (judge_rim_chain(d, kind, &c) == ATTEST_OK) {
            rim_choice_release(out);
            *out = c;
            return ATTEST_OK;
        }
        if (out->rim)
            rim_choice_release(&c);
        else
            *out = c;
    }
    return out->rim ? ATTEST_OK : rim_unavailable(d, kind, vbios, product, version);
}

/* The chosen RIM, recorded: which one, its signature, its chain. */
static int record_rim(device_ctx *d, const char *kind, const rim_choice *c)
{
    char name[128], key[48], signer[96];
    snprintf(key, sizeof key, "%s_rim", kind);
    attest_check_pass(d->r, cname(d, key, name, sizeof name), "%s %s (RIM %zu of the collateral)",
                      c->rim->product, c->rim->colloquial_version, c->index + 1);
    snprintf(key, sizeof key, "%s_rim.signature", kind);
    attest_cert_cn(sk_X509_value(c->signers, 0), signer, sizeof signer);
    attest_check_pass(d->r, cname(d, key, name, sizeof name),
                      "enveloped XML signature over the whole RIM by '%s' verified%s", signer,
                      c->cached ? " (cached)" : "");
    return record_rim_chain(d, kind, c);
}

static void device_product(const nv_report *rep, X509 *leaf, char *out, size_t n)
{
    char cn[96];
    if (rep->is_switch) {
        snprintf(out, n, "LS10");
        return;
    }
    if (rep->chip_info[0]) {
        snprintf(out, n, "%s", rep->chip_info);
        return;
    }
    attest_cert_cn(leaf, cn, sizeof cn); /* "GH100 A01 GSP FMC LF" */
    size_t k = strcspn(cn, " ");
    snprintf(out, n, "%.*s", (int)k, cn);
}

/* The driver RIM (GPUs) and the VBIOS / BIOS RIM of the device whose
 * verified leaf is `leaf`, each chosen, then recorded and verified. */
static int verify_rims(device_ctx *d, const nv_report *rep, X509 *leaf, nv_device_facts *out)
{
    char product[32];
    rim_choice driver, vbios;
    int status = ATTEST_OK;
    memset(&driver, 0, sizeof driver);
    memset(&vbios, 0, sizeof vbios);
    device_product(rep, leaf, product, sizeof product);
    json_object_set_new(d->claims, "x-nvidia-gpu-arch-check", json_true());
    if (!rep->is_switch &&
        (status = choose_rim(d, "driver", product, rep->driver_version, &driver)) == ATTEST_OK)
        status = record_rim(d, "driver", &driver);
    if (status == ATTEST_OK &&
        (status = choose_rim(d, "vbios", product, rep->vbios_version, &vbios)) == ATTEST_OK)
        status = record_rim(d, "vbios", &vbios);
    out->driver = driver.rim;
    out->vbios = vbios.rim;
    json_object_set_new(d->claims, "x-nvidia-gpu-driver-rim-version-match",
                        json_boolean(driver.rim != NULL));
    json_object_set_new(d->claims, "x-nvidia-gpu-vbios-rim-version-match",
                        json_boolean(vbios.rim != NULL));
    if (driver.rim || vbios.rim)
        json_object_set_new(d->claims, "oemid",
                            json_string((driver.rim ? driver.rim : vbios.rim)->manufacturer_id));
    rim_choice_release(&driver);
    rim_choice_release(&vbios);
    return status;
}

/* ---- the device ---------------------------------------------------------- */

int nv_verify_device_evidence(attest_result *r, attest_verifier *v, const nv_device_evidence *e,
                              const attest_collateral *coll, const nv_evidence_rules *rules,
                              const char *prefix, const uint8_t *nonce, size_t nonce_len,
                              json_t *claims, nv_device_facts *out)
{
    device_ctx d = {r, v, coll, rules, r->verified_at, prefix, claims};
    bool from_cache = false;
    errno = 0;
    STACK_OF(X509) *given = e->chain_pem ? given_chain(v, e->chain_pem, &from_cache)
                                         : chain_from_collateral(coll);
    STACK_OF(X509) *chain = NULL;
    memset(out, 0, sizeof *out);
    int status = verify_device_chain(&d, e, given, nonce, nonce_len, &chain);
    if (e->chain_pem && chain && !from_cache)
        given_chain_keep(v, e->chain_pem, given);
    /* Known as soon as the chain verified, whatever fails later: a device
     * failing its own checks still must not hide a repeated one. */
    if (chain) {
        int known = read_identity(&d, chain, &out->identity);
        if (status == ATTEST_OK)
            status = known;
    }
    if (status == ATTEST_OK)
        status = verify_rims(&d, e->report, sk_X509_value(chain, 0), out);
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(given, X509_free);
    return status;
}
