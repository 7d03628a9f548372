/* NVIDIA GPU / NVSwitch appraisal, per device: chain, signature, nonce,
 * FWID, OCSP, RIMs, golden measurements, versions; then across devices:
 * feature mode and PPCIe topology. Steps and claim names follow nvtrust's
 * local verifier and NVIDIA's v3 claims (research/nvidia.md (b)). */
#include "nv_appraise.h"
#include "../chain/nvidia.h"
#include "../chain/x509_chain.h"

#include <ctype.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NVDEC0_INDEX 35
#define NVDEC0_ENABLED 0xAA
#define NVDEC0_DISABLED 0x55

/* ---- versions ----------------------------------------------------------- */

/* Compare dotted versions component by component (decimal for drivers,
 * hexadecimal for VBIOS: "96.00.9F.00.01"). */
static int version_cmp(const char *a, const char *b, int base)
{
    while (*a || *b) {
        char *ea, *eb;
        unsigned long x = strtoul(a, &ea, base), y = strtoul(b, &eb, base);
        if (x != y)
            return x < y ? -1 : 1;
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
        if (ea == a && eb == b && !*a && !*b)
            break;
        if (*ea && *ea != '.' && *eb && *eb != '.')
            return strcasecmp(ea, eb) < 0 ? -1 : strcasecmp(ea, eb) > 0;
        if ((*ea && *ea != '.') || (*eb && *eb != '.'))
            break;
    }
    return 0;
}

/* ---- per device --------------------------------------------------------- */

typedef struct device_ctx {
    attest_result *r;
    attest_verifier *v;
    const attest_collateral *coll;
    const nv_policy *p;
    nv_ocsp_rules ocsp;
    int64_t now;
    char prefix[24];             /* "gpu0", "switch1" */
    json_t *claims;
} device_ctx;

static const char *cname(device_ctx *d, const char *check, char *buf, size_t n)
{
    snprintf(buf, n, "%s.%s", d->prefix, check);
    return buf;
}

static bool is_vbios_version(const char *v)
{
    int dots = 0;
    for (; *v; v++)
        dots += *v == '.';
    return dots == 4;
}

static bool rim_matches(const nv_rim *rim, bool vbios, const char *product, const char *version)
{
    return is_vbios_version(rim->colloquial_version) == vbios &&
           !strcasecmp(rim->product, product) && !strcasecmp(rim->colloquial_version, version);
}

static int verify_rim_chain(device_ctx *d, const char *kind, const nv_rim *rim, json_t *claims);

/* Whether a RIM's chain and OCSP verify, without recording anything: a
 * directory may hold a copy signed by a debug or foreign chain next to the
 * genuine one, and the copy must not hide the genuine RIM. */
static bool rim_chain_ok(device_ctx *d, const char *kind, const nv_rim *rim)
{
    attest_result *scratch = attest_result_new();
    json_t *claims = json_object();
    bool ok = false;
    if (scratch && claims) {
        device_ctx trial = *d;
        trial.r = scratch;
        scratch->verified_at = d->r->verified_at;
        ok = verify_rim_chain(&trial, kind, rim, claims) == ATTEST_OK;
    }
    json_decref(claims);
    attest_result_free(scratch);
    return ok;
}

/* The RIM of `kind` ("driver" or "vbios") for this device among the
 * collateral: same product, colloquialVersion equal to the reported one;
 * of several, the first whose signing chain verifies. */
static int find_rim(device_ctx *d, const char *kind, const char *product, const char *version,
                    const nv_rim **out)
{
    char name[128];
    bool vbios = !strcmp(kind, "vbios");
    const nv_rim *other = NULL, *first = NULL;
    cname(d, vbios ? "vbios_rim" : "driver_rim", name, sizeof name);
    *out = NULL;
    for (size_t i = 0; d->coll && i < d->coll->rim_count; i++) {
        const nv_rim *rim = d->coll->rims[i];
        if (!rim_matches(rim, vbios, product, version)) {
            if (is_vbios_version(rim->colloquial_version) == vbios)
                other = rim;
            continue;
        }
        if (!first)
            first = rim;
        if (rim_chain_ok(d, kind, rim)) {
            *out = rim;
            return ATTEST_OK;
        }
    }
    if (first) { /* none verifies: report the first one's failure */
        *out = first;
        return ATTEST_OK;
    }
    if (other)
        return attest_check_fail(d->r, name, ATTEST_E_NV_RIM_MISMATCH,
                                 "no %s RIM for %s %s; the one given is for %s %s", kind,
                                 product, version, other->product, other->colloquial_version);
    if (d->coll && d->coll->rim_rejected != ATTEST_OK)
        return attest_check_fail(d->r, name, d->coll->rim_rejected,
                                 "no valid %s RIM; a RIM was refused: %s", kind,
                                 d->coll->rim_rejected_detail);
    return attest_check_fail(d->r, name, ATTEST_E_COLLATERAL_MISSING,
                             "no %s RIM for %s %s in the collateral (NVIDIA RIM service)",
                             kind, product, version);
}

/* A RIM's signing chain (KeyInfo certificates) to the pinned RIM root and
 * its OCSP (leaf, L3, CA). The XML signature itself was checked when the
 * RIM was added. */
static int verify_rim_chain(device_ctx *d, const char *kind, const nv_rim *rim, json_t *claims)
{
    char name[128], key[48];
    STACK_OF(X509) *chain = NULL;
    const char *ocsp = "unknown";
    snprintf(key, sizeof key, "%s_rim.chain", kind);
    if (!rim->signers || sk_X509_num(rim->signers) == 0)
        return attest_check_fail(d->r, cname(d, key, name, sizeof name), ATTEST_E_CERT_PROFILE,
                                 "RIM without signing certificates in KeyInfo");
    int status = nv_chain_verify(d->r, cname(d, key, name, sizeof name), d->v,
                                 ATTEST_VENDOR_NVIDIA_RIM, sk_X509_value(rim->signers, 0),
                                 rim->signers, 0, d->now, &chain);
    if (status == ATTEST_OK) {
        snprintf(key, sizeof key, "%s_rim.ocsp", kind);
        status = nv_chain_ocsp(d->r, d->v, cname(d, key, name, sizeof name), d->coll, chain, 0,
                               sk_X509_num(chain) - 2, d->now, &d->ocsp, &ocsp);
    }
    int64_t nb = 0, na = 0;
    char exp[32] = "";
    if (chain && attest_cert_validity(sk_X509_value(chain, 0), &nb, &na) == 0)
        attest_time_format(exp, sizeof exp, na);
    snprintf(key, sizeof key, "x-nvidia-gpu-%s-rim-cert-chain", kind);
    json_object_set_new(claims, key,
                        json_pack("{s:s, s:s, s:s}", "x-nvidia-cert-status",
                                  status == ATTEST_OK ? "valid" : "invalid",
                                  "x-nvidia-cert-ocsp-status", ocsp,
                                  "x-nvidia-cert-expiration-date", exp));
    sk_X509_pop_free(chain, X509_free);
    return status;
}

/* Golden values: active RIM measurements of both RIMs, each index once. */
typedef struct golden {
    const nv_rim_measurement *m[NV_MAX_BLOCKS];
} golden;

static int collect_golden(device_ctx *d, const nv_rim *a, const nv_rim *b, golden *g)
{
    char name[128];
    memset(g, 0, sizeof *g);
    const nv_rim *rims[2] = {a, b};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; rims[k] && i < rims[k]->measurement_count; i++) {
            const nv_rim_measurement *m = &rims[k]->measurements[i];
            if (!m->active)
                continue;
            if (m->index < 0 || m->index >= NV_MAX_BLOCKS)
                return attest_check_fail(d->r, cname(d, "measurements", name, sizeof name),
                                         ATTEST_E_MALFORMED, "RIM index %d out of range", m->index);
            if (g->m[m->index])
                return attest_check_fail(d->r, cname(d, "measurements", name, sizeof name),
                                         ATTEST_E_NV_RIM_CONFLICT,
                                         "index %d is active in both the driver and the "
                                         "VBIOS RIM", m->index);
            g->m[m->index] = m;
        }
    return ATTEST_OK;
}

static const nv_block *runtime_block(const nv_report *rep, int index)
{
    for (unsigned i = 0; i < rep->block_count; i++)
        if (rep->blocks[i].index == index + 1)
            return &rep->blocks[i];
    return NULL;
}

/* nvtrust's rule: every golden index must exist at runtime and equal one
 * of its alternatives; NVDEC0's index follows NVDEC0_STATUS as NVIDIA's
 * SDK does (skipped when disabled, checked when enabled). */
static int compare_measurements(device_ctx *d, const nv_report *rep, const golden *g)
{
    char name[128];
    json_t *records = json_array();
    int mismatches = 0, unexplained = 0, first_bad = -1, checked = 0;
    cname(d, "measurements", name, sizeof name);
    for (int i = 0; i < NV_MAX_BLOCKS; i++) {
        const nv_rim_measurement *m = g->m[i];
        if (!m)
            continue;
        if (!rep->is_switch && i == NVDEC0_INDEX && rep->nvdec0_status == NVDEC0_DISABLED)
            continue;
        const nv_block *b = runtime_block(rep, i);
        bool ok = false;
        for (int k = 0; b && k < m->alternatives && k < NV_RIM_MAX_ALTERNATIVES; k++)
            ok = ok || (b->value_len == m->size && memcmp(b->value, m->hashes[k], m->size) == 0);
        checked++;
        if (ok)
            continue;
        mismatches++;
        json_t *rec = json_pack("{s:i, s:i, s:o, s:i, s:o}", "index", i, "goldenSize", m->size,
                                "goldenValue", attest_json_hex(m->hashes[0], (size_t)m->size),
                                "runtimeSize", b ? b->value_len : 0, "runtimeValue",
                                b ? attest_json_hex(b->value, b->value_len) : json_null());
        json_array_append_new(records, rec);
        if (!(i < 64 && (d->p->allowed_mismatch >> i & 1))) {
            unexplained++;
            if (first_bad < 0)
                first_bad = i;
        }
    }
    json_object_set_new(d->claims, "x-nvidia-mismatch-measurement-records", records);
    json_object_set_new(d->claims, "measres", json_string(unexplained ? "fail" : "success"));
    if (!rep->is_switch && rep->nvdec0_status >= 0 && rep->nvdec0_status != NVDEC0_ENABLED &&
        rep->nvdec0_status != NVDEC0_DISABLED)
        return attest_check_fail(d->r, name, ATTEST_E_MALFORMED,
                                 "NVDEC0_STATUS 0x%02x is neither enabled nor disabled",
                                 rep->nvdec0_status);
    if (unexplained)
        return attest_check_fail(d->r, name, ATTEST_E_NV_MEASUREMENT,
                                 "%d of %d golden measurements differ (first at index %d; "
                                 "records in x-nvidia-mismatch-measurement-records)",
                                 unexplained, checked, first_bad);
    attest_check_pass(d->r, name, "%d golden measurements match%s", checked,
                      mismatches ? " (mismatches allowed by the policy)" : "");
    return ATTEST_OK;
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

static int check_versions(device_ctx *d, const nv_report *rep)
{
    char name[128];
    const nv_policy *p = d->p;
    cname(d, "versions", name, sizeof name);
    if (!rep->is_switch && p->min_driver_version[0] &&
        version_cmp(rep->driver_version, p->min_driver_version, 10) < 0)
        return attest_check_fail(d->r, name, ATTEST_E_POLICY_NV_VERSION,
                                 "driver %s below %s", rep->driver_version, p->min_driver_version);
    if (!rep->is_switch && p->allowed_driver_versions.count &&
        !policy_strings_has(&p->allowed_driver_versions, rep->driver_version, true))
        return attest_check_fail(d->r, name, ATTEST_E_POLICY_NV_VERSION,
                                 "driver %s is not an allowed version", rep->driver_version);
    if (p->min_vbios_version[0] && version_cmp(rep->vbios_version, p->min_vbios_version, 16) < 0)
        return attest_check_fail(d->r, name, ATTEST_E_POLICY_NV_VERSION,
                                 "VBIOS %s below %s", rep->vbios_version, p->min_vbios_version);
    if (p->allowed_vbios_versions.count &&
        !policy_strings_has(&p->allowed_vbios_versions, rep->vbios_version, true))
        return attest_check_fail(d->r, name, ATTEST_E_POLICY_NV_VERSION,
                                 "VBIOS %s is not an allowed version", rep->vbios_version);
    attest_check_pass(d->r, name, "driver %s, VBIOS %s accepted",
                      rep->is_switch ? "-" : rep->driver_version, rep->vbios_version);
    return ATTEST_OK;
}

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
    if (d->p->nonce_bound_by_cpu) {
        /* Set only when the CPU report data is checked against the
         * caller's nonce (composite.binding), which fails otherwise. */
        attest_check_pass(d->r, name, "request nonce bound through the CPU report data "
                                      "(composite.binding)");
        return ATTEST_OK;
    }
    if (!nonce || nonce_len == 0) {
        if (d->p->require_nonce)
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

/* Evidence authenticity of one device: chain, signature, nonce, FWID, OCSP. */
static int verify_device_evidence(device_ctx *d, const nv_device_evidence *e,
                                  STACK_OF(X509) *given, const uint8_t *nonce, size_t nonce_len,
                                  STACK_OF(X509) **chain)
{
    char name[128];
    const nv_report *rep = e->report;
    const char *ocsp = "unknown";
    int status;
    if (!given || sk_X509_num(given) == 0)
        return attest_check_fail(d->r, cname(d, "chain", name, sizeof name),
                                 ATTEST_E_COLLATERAL_MISSING, "no device certificate chain");
    X509 *leaf = sk_X509_value(given, 0);
    status = nv_chain_verify(d->r, cname(d, "chain", name, sizeof name), d->v,
                             ATTEST_VENDOR_NVIDIA_DEVICE, leaf, given, 5, d->now, chain);
    if (status == ATTEST_OK) {
        bool sig = nv_report_signature_ok(leaf, rep->raw, rep->signed_len, rep->signature);
        json_object_set_new(d->claims, "x-nvidia-gpu-attestation-report-signature-verified",
                            json_boolean(sig));
        if (!sig)
            status = attest_check_fail(d->r, cname(d, "report.signature", name, sizeof name),
                                       ATTEST_E_NV_REPORT_SIGNATURE,
                                       "ECDSA P-384 over SHA-384 of request||response does not "
                                       "verify with the leaf certificate");
        else
            attest_check_pass(d->r, cname(d, "report.signature", name, sizeof name),
                              "ECDSA P-384 over %zu bytes, by the device leaf", rep->signed_len);
    }
    if (status == ATTEST_OK)
        status = check_nonce(d, e, nonce, nonce_len);
    if (status == ATTEST_OK)
        status = check_fwid(d, rep, leaf);
    if (status == ATTEST_OK) /* BROM, Provisioner ICA, Identity: not the leaf, not the root */
        status = nv_chain_ocsp(d->r, d->v, cname(d, "chain.ocsp", name, sizeof name), d->coll, *chain,
                               1, sk_X509_num(*chain) - 2, d->now, &d->ocsp, &ocsp);
    chain_claims(d, *chain, ocsp, status == ATTEST_OK);
    return status;
}

/* ---- device identity ------------------------------------------------------ */

/* What identifies one device, taken from its verified chain (leaf, BROM,
 * Provisioner ICA, Identity, root). The BROM certificate (L4) is per chip;
 * the FMC leaf is re-issued with the firmware, and the DER of any
 * certificate changes when its ECDSA signature (r, s) is replaced by
 * (r, n-s), which stays valid. So a device counts by keys and PDI, never
 * by the bytes of a certificate (research/nvidia.md (b) 18). */
typedef struct nv_identity {
    char name[24];               /* "gpu0", "switch1" */
    bool is_switch;              /* by the report */
    bool known;                  /* the chain verified: the fields below hold */
    uint8_t brom_key[32];        /* SHA-256 of the BROM's SubjectPublicKeyInfo */
    uint8_t leaf_key[32];        /* SHA-256 of the leaf's SubjectPublicKeyInfo */
    bool has_pdi;                /* the BROM serial carries a PDI */
    uint64_t pdi;
} nv_identity;

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
static int read_identity(device_ctx *d, STACK_OF(X509) *chain, nv_identity *id)
{
    char name[128];
    X509 *leaf = sk_X509_value(chain, 0), *brom = sk_X509_value(chain, 1);
    if (!leaf || !brom || attest_spki_sha256(brom, id->brom_key) != 0 ||
        attest_spki_sha256(leaf, id->leaf_key) != 0)
        return attest_check_fail(d->r, cname(d, "identity", name, sizeof name),
                                 ATTEST_E_INTERNAL, "cannot hash the leaf and BROM keys");
    id->has_pdi = brom_pdi(brom, &id->pdi);
    id->known = true;
    return ATTEST_OK;
}

static int appraise_device(device_ctx *d, const nv_device_evidence *e, STACK_OF(X509) *given,
                           const uint8_t *nonce, size_t nonce_len, nv_identity *id)
{
    const nv_report *rep = e->report;
    STACK_OF(X509) *chain = NULL;
    const nv_rim *driver = NULL, *vbios = NULL;
    char product[32], name[128];
    golden g;
    json_object_set_new(d->claims, "x-nvidia-device-type", json_string(rep->is_switch ? "nvswitch" : "gpu"));
    json_object_set_new(d->claims, rep->is_switch ? "x-nvidia-switch-bios-version" : "x-nvidia-gpu-vbios-version",
                        json_string(rep->vbios_version));
    if (!rep->is_switch)
        json_object_set_new(d->claims, "x-nvidia-gpu-driver-version", json_string(rep->driver_version));
    int status = verify_device_evidence(d, e, given, nonce, nonce_len, &chain);
    /* Known as soon as the chain verified, whatever fails later: a device
     * failing its own checks still must not hide a repeated one. */
    if (chain) {
        int known = read_identity(d, chain, id);
        if (status == ATTEST_OK)
            status = known;
    }
    if (status == ATTEST_OK) {
        device_product(rep, sk_X509_value(chain, 0), product, sizeof product);
        json_object_set_new(d->claims, "x-nvidia-gpu-arch-check", json_true());
        if (!rep->is_switch && (status = find_rim(d, "driver", product, rep->driver_version, &driver)) == ATTEST_OK) {
            attest_check_pass(d->r, cname(d, "driver_rim", name, sizeof name),
                              "%s %s, XML signature verified", driver->product, driver->colloquial_version);
            status = verify_rim_chain(d, "driver", driver, d->claims);
        }
        if (status == ATTEST_OK &&
            (status = find_rim(d, "vbios", product, rep->vbios_version, &vbios)) == ATTEST_OK) {
            attest_check_pass(d->r, cname(d, "vbios_rim", name, sizeof name),
                              "%s %s, XML signature verified", vbios->product, vbios->colloquial_version);
            status = verify_rim_chain(d, "vbios", vbios, d->claims);
        }
        json_object_set_new(d->claims, "x-nvidia-gpu-driver-rim-version-match", json_boolean(driver != NULL));
        json_object_set_new(d->claims, "x-nvidia-gpu-vbios-rim-version-match", json_boolean(vbios != NULL));
        if (driver || vbios)
            json_object_set_new(d->claims, "oemid", json_string((driver ? driver : vbios)->manufacturer_id));
    }
    if (status == ATTEST_OK && (status = collect_golden(d, driver, vbios, &g)) == ATTEST_OK)
        status = compare_measurements(d, rep, &g);
    if (status == ATTEST_OK)
        status = check_versions(d, rep);
    bool ok = status == ATTEST_OK;
    json_object_set_new(d->claims, "secboot", json_boolean(ok));
    json_object_set_new(d->claims, "dbgstat", json_string(ok ? "disabled" : "unknown"));
    json_object_set_new(d->claims, "x-nvidia-device-result", json_boolean(ok));
    json_object_set_new(d->claims, "report", nv_report_to_json(rep));
    sk_X509_pop_free(chain, X509_free);
    return status;
}

/* ---- across devices ------------------------------------------------------ */

#define DEVICES_CHECK "nvidia.devices"
#define TOPOLOGY_CHECK "nvidia.topology"

static bool pdi_in(const uint64_t *set, size_t n, uint64_t pdi)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == pdi)
            return true;
    return false;
}

static void append_part(char *buf, size_t n, const char *part)
{
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, "%s%s", used ? ", " : "", part);
}

/* Whether two identified entries are one device: the same BROM key (the
 * device identity key), the same leaf key or the same PDI. `shared` says
 * which. */
static bool same_device(const nv_identity *a, const nv_identity *b, char *shared, size_t n)
{
    char pdi[40];
    shared[0] = '\0';
    if (memcmp(a->brom_key, b->brom_key, 32) == 0)
        append_part(shared, n, "the BROM certificate key");
    if (memcmp(a->leaf_key, b->leaf_key, 32) == 0)
        append_part(shared, n, "the leaf key");
    if (a->has_pdi && b->has_pdi && a->pdi == b->pdi) {
        snprintf(pdi, sizeof pdi, "PDI %016" PRIx64, a->pdi);
        append_part(shared, n, pdi);
    }
    return shared[0] != '\0';
}

/* One device counts once. An entry whose chain did not verify has already
 * failed on its own; it could be any device, so beside others it is
 * refused here too and counts for none. Returns the distinct GPUs and
 * NVSwitches in *gpus, *switches; false when an entry is refused. */
static bool check_distinct(attest_result *r, const nv_identity *ids, size_t n, int *gpus,
                           int *switches)
{
    bool clean = true;
    char shared[128];
    *gpus = *switches = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ids[i].known) {
            clean = false;
            if (n > 1)
                attest_check_fail(r, DEVICES_CHECK, ATTEST_E_MALFORMED,
                                  "%s has no verified device chain, so it cannot be told "
                                  "apart from the other devices", ids[i].name);
            continue;
        }
        size_t k = 0;
        while (k < i && !(ids[k].known && same_device(&ids[i], &ids[k], shared, sizeof shared)))
            k++;
        if (k < i) {
            attest_check_fail(r, DEVICES_CHECK, ATTEST_E_MALFORMED,
                              "%s and %s are the same device: they share %s", ids[k].name,
                              ids[i].name, shared);
            clean = false;
            continue;
        }
        ++*(ids[i].is_switch ? switches : gpus);
    }
    return clean;
}

static void check_devices(attest_result *r, const nv_identity *ids, size_t n, const nv_policy *p)
{
    int gpus, switches;
    bool distinct = check_distinct(r, ids, n, &gpus, &switches);
    if (gpus < p->min_gpus || switches < p->min_switches)
        attest_check_fail(r, DEVICES_CHECK, ATTEST_E_COLLATERAL_MISSING,
                          "%d distinct GPUs and %d distinct NVSwitches with a verified chain; "
                          "the policy requires %d and %d", gpus, switches, p->min_gpus,
                          p->min_switches);
    else if (distinct)
        attest_check_pass(r, DEVICES_CHECK,
                          "%d GPUs and %d NVSwitches, distinct by BROM key, leaf key and PDI",
                          gpus, switches);
}

/* A PPCIe system: its GPUs and NVSwitches, each with its identity. */
typedef struct topology {
    const nv_report *gpus[NV_MAX_DEVICES], *switches[NV_MAX_DEVICES];
    const nv_identity *gpu_ids[NV_MAX_DEVICES], *switch_ids[NV_MAX_DEVICES];
    size_t ng, ns;
} topology;

/* Every device's PDI from its verified BROM certificate, the PDIs distinct,
 * and each NVSwitch's reported PDI its own: what the reports say about the
 * fabric is then tied to the devices present. */
static int topology_identities(attest_result *r, const topology *t)
{
    const nv_identity *all[NV_MAX_DEVICES];
    size_t n = 0;
    for (size_t g = 0; g < t->ng; g++)
        all[n++] = t->gpu_ids[g];
    for (size_t s = 0; s < t->ns; s++)
        all[n++] = t->switch_ids[s];
    for (size_t i = 0; i < n; i++) {
        if (!all[i]->known || !all[i]->has_pdi)
            return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                     "%s has no PDI from a verified BROM certificate "
                                     "(serial 0x41 or 0x50 then 8 bytes)", all[i]->name);
        for (size_t k = 0; k < i; k++)
            if (all[k]->pdi == all[i]->pdi)
                return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                         "%s and %s have the same PDI %016" PRIx64,
                                         all[k]->name, all[i]->name, all[i]->pdi);
    }
    for (size_t s = 0; s < t->ns; s++)
        if (t->switches[s]->switch_pdi_count < 1 ||
            t->switches[s]->switch_pdis[0] != t->switch_ids[s]->pdi)
            return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                     "%s reports a PDI (SWITCH_PDI) other than its BROM "
                                     "certificate's %016" PRIx64, t->switch_ids[s]->name,
                                     t->switch_ids[s]->pdi);
    return ATTEST_OK;
}

/* Each GPU is linked to exactly the 4 NVSwitches present. */
static int topology_gpu_links(attest_result *r, const topology *t)
{
    for (size_t g = 0; g < t->ng; g++) {
        const nv_report *gpu = t->gpus[g];
        uint64_t seen[32];
        size_t n = 0;
        for (size_t k = 0; k < gpu->switch_pdi_count; k++)
            if (gpu->switch_pdis[k] && !pdi_in(seen, n, gpu->switch_pdis[k]))
                seen[n++] = gpu->switch_pdis[k];
        if (n != 4)
            return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                     "%s is connected to %zu distinct NVSwitches, not 4",
                                     t->gpu_ids[g]->name, n);
        for (size_t s = 0; s < t->ns; s++)
            if (!pdi_in(seen, n, t->switch_ids[s]->pdi))
                return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                         "%s is not among %s's NVSwitches",
                                         t->switch_ids[s]->name, t->gpu_ids[g]->name);
    }
    return ATTEST_OK;
}

/* Each NVSwitch reports 8 GPUs, and every GPU present is among them: with
 * the 8 GPU PDIs distinct, each switch reports exactly the GPUs present. */
static int topology_switch_gpus(attest_result *r, const topology *t)
{
    for (size_t s = 0; s < t->ns; s++) {
        const nv_report *sw = t->switches[s];
        if (sw->gpu_pdi_count != 8)
            return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                     "%s reports %zu GPUs, not 8", t->switch_ids[s]->name,
                                     sw->gpu_pdi_count);
        for (size_t g = 0; g < t->ng; g++)
            if (!pdi_in(sw->gpu_pdis, sw->gpu_pdi_count, t->gpu_ids[g]->pdi))
                return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                         "%s (PDI %016" PRIx64 ") is not among the GPUs %s "
                                         "reports (SWITCH_GPU_PDIS)", t->gpu_ids[g]->name,
                                         t->gpu_ids[g]->pdi, t->switch_ids[s]->name);
    }
    return ATTEST_OK;
}

/* PPCIe topology (nvtrust ppcie validate_topology), tied to the devices
 * present: 8 GPUs and 4 NVSwitches, each a distinct device by the PDI of
 * its verified BROM certificate; each GPU linked to exactly those 4
 * switches; each switch reporting exactly those 8 GPUs. */
static int check_topology(attest_result *r, const nv_evidence_set *set, const nv_identity *ids)
{
    topology t = {.ng = 0};
    for (size_t i = 0; i < set->count; i++) {
        const nv_report *rep = set->devices[i].report;
        if (rep->is_switch) {
            t.switch_ids[t.ns] = &ids[i];
            t.switches[t.ns++] = rep;
        } else {
            t.gpu_ids[t.ng] = &ids[i];
            t.gpus[t.ng++] = rep;
        }
    }
    if (t.ng != 8 || t.ns != 4)
        return attest_check_fail(r, TOPOLOGY_CHECK, ATTEST_E_NV_TOPOLOGY,
                                 "%zu GPUs and %zu NVSwitches; PPCIe needs 8 and 4", t.ng, t.ns);
    int status = topology_identities(r, &t);
    if (status == ATTEST_OK)
        status = topology_gpu_links(r, &t);
    if (status == ATTEST_OK)
        status = topology_switch_gpus(r, &t);
    if (status == ATTEST_OK)
        attest_check_pass(r, TOPOLOGY_CHECK,
                          "8 GPUs and 4 NVSwitches, distinct by their BROM PDIs, each GPU "
                          "linked to the 4 switches, each switch reporting the 8 GPUs");
    return status;
}

static int check_mode(attest_result *r, const nv_evidence_set *set, const nv_policy *p)
{
    int mode = -1;
    for (size_t i = 0; i < set->count; i++) {
        const nv_report *rep = set->devices[i].report;
        if (rep->is_switch || rep->feature_flag < 0)
            continue;
        if (mode >= 0 && rep->feature_flag != mode)
            return attest_check_fail(r, "nvidia.mode", ATTEST_E_POLICY_NV_MODE,
                                     "GPUs report different feature modes (%d and %d)", mode,
                                     rep->feature_flag);
        mode = rep->feature_flag;
    }
    if (p->required_mode >= 0 && mode != p->required_mode)
        return attest_check_fail(r, "nvidia.mode", ATTEST_E_POLICY_NV_MODE,
                                 "feature mode %d, the policy requires %d", mode, p->required_mode);
    attest_check_pass(r, "nvidia.mode", "feature mode %d", mode);
    return ATTEST_OK;
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
    if (!out || !leaf || !X509_up_ref(leaf) || !sk_X509_push(out, leaf)) {
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

int nv_verify_devices(attest_result *r, attest_verifier *v, const nv_evidence_set *set,
                      const attest_collateral *coll, const nv_policy *p, const uint8_t *nonce,
                      size_t nonce_len, json_t *claims)
{
    json_t *devices = json_object();
    int gpus = 0, switches = 0;
    nv_identity ids[NV_MAX_DEVICES];
    memset(ids, 0, sizeof ids);
    json_object_set_new(claims, "devices", devices);
    for (size_t i = 0; i < set->count; i++) {
        const nv_device_evidence *e = &set->devices[i];
        device_ctx d = {r, v, coll, p,
                        {p->require_ocsp, p->allow_stored_ocsp, p->allow_stale_ocsp,
                         p->allow_ocsp_hold, p->allow_ocsp_unknown, p->ocsp_max_age_seconds},
                        r->verified_at, "", json_object()};
        snprintf(d.prefix, sizeof d.prefix, "%s%d", e->report->is_switch ? "switch" : "gpu",
                 e->report->is_switch ? switches++ : gpus++);
        snprintf(ids[i].name, sizeof ids[i].name, "%s", d.prefix);
        ids[i].is_switch = e->report->is_switch;
        json_object_set_new(devices, d.prefix, d.claims);
        STACK_OF(X509) *given = e->chain_pem ? nv_pem_chain(e->chain_pem) : chain_from_collateral(coll);
        appraise_device(&d, e, given, nonce, nonce_len, &ids[i]);
        sk_X509_pop_free(given, X509_free);
    }
    check_devices(r, ids, set->count, p);
    check_mode(r, set, p);
    if (p->require_ppcie_topology)
        check_topology(r, set, ids);
    json_object_set_new(claims, "x-nvidia-overall-att-result", json_boolean(r->status == ATTEST_OK));
    return r->status;
}
