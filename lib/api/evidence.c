/* Evidence objects: format detection and dispatch to the parsers. */
#include "azure_evidence.h"
#include "bundle.h"
#include "classify.h"
#include "formats.h"
#include "../base/crypto.h"
#include "../parse/snp_certs.h"
#include "../parse/dcap_quote.h"
#include "../parse/nv_container.h"
#include "../parse/spdm_report.h"
#include "../parse/snp_report.h"

#include <openssl/evp.h>
#include <stdlib.h>

static int parse_snp(attest_evidence *ev, const uint8_t *data, size_t len)
{
    if (!(ev->snp = malloc(sizeof *ev->snp)))
        return attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
    int status = snp_report_parse(ev->snp, data, len);
    ev->format = ATTEST_FORMAT_SNP_REPORT;
    return status;
}

/* Trustee's JSON: the report rebuilt from its fields, parsed as a binary
 * one; the certificates it carries kept as collateral of the evidence. */
static int parse_snp_json(attest_evidence *ev, const uint8_t *data, size_t len)
{
    snp_trustee_evidence t;
    int status = snp_trustee_json_parse(&t, data, len);
    if (status != ATTEST_OK)
        return status;
    status = parse_snp(ev, t.report, sizeof t.report);
    if (status == ATTEST_OK && t.cert_count)
        status = attest_collateral_new(&ev->carried);
    for (size_t i = 0; status == ATTEST_OK && i < t.cert_count; i++) {
        attest_item_kind kind = attest_der_decode(NULL, t.certs[i].der, t.certs[i].len);
        status = kind == ATTEST_ITEM_CERTIFICATES
                     ? attest_collateral_add(ev->carried, t.certs[i].der, t.certs[i].len)
                     : attest_set_error(ATTEST_E_MALFORMED,
                                        "snp.json.cert_chain[%zu].data (%s): not a DER "
                                        "certificate", i, t.certs[i].type);
    }
    snp_trustee_evidence_release(&t);
    return status;
}

/* NVIDIA: one raw SPDM report, or a JSON container of up to 12 devices. */
static int parse_nvidia(attest_evidence *ev, const uint8_t *data, size_t len)
{
    ev->format = ATTEST_FORMAT_NVIDIA;
    if (!(ev->nv = calloc(1, sizeof *ev->nv)))
        return attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
    if (nv_evidence_json_detect(data, len))
        return nv_evidence_json_parse(ev->nv, data, len);
    int status = nv_report_parse(&ev->nv->devices[0].report, data, len);
    if (status == ATTEST_OK)
        ev->nv->count = 1;
    return status;
}

static int parse_azure(attest_evidence *ev, const attest_part_kind *kinds,
                       const uint8_t *const *data, const size_t *lens, size_t n)
{
    ev->format = ATTEST_FORMAT_AZURE_VTPM;
    return azure_evidence_parse(&ev->azure, kinds, data, lens, n);
}

/* The evidence hash of parts: SHA-256 over each part's kind, length (8
 * bytes, big-endian) and bytes, so that no two sets of parts collide. */
static void hash_parts(uint8_t out[32], const attest_part_kind *kinds,
                       const uint8_t *const *data, const size_t *lens, size_t n)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; i < n; i++) {
        uint8_t head[9] = {(uint8_t)kinds[i]};
        for (int b = 0; b < 8; b++)
            head[1 + b] = (uint8_t)((uint64_t)lens[i] >> (56 - 8 * b));
        EVP_DigestUpdate(ctx, head, sizeof head);
        EVP_DigestUpdate(ctx, data[i], lens[i]);
    }
    EVP_DigestFinal_ex(ctx, out, NULL);
    EVP_MD_CTX_free(ctx);
}

int attest_evidence_from_parts(attest_evidence **out, const attest_part_kind *kinds,
                               const uint8_t *const *data, const size_t *lens, size_t n)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "evidence: NULL argument");
    *out = NULL;
    attest_clear_error();
    int status = attest_library_init();
    if (status != ATTEST_OK)
        return status;
    attest_evidence *ev = calloc(1, sizeof *ev);
    if (!ev)
        return attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
    status = parse_azure(ev, kinds, data, lens, n);
    if (status != ATTEST_OK) {
        attest_evidence_free(ev);
        return status;
    }
    hash_parts(ev->sha256, kinds, data, lens, n);
    *out = ev;
    return ATTEST_OK;
}

static int unknown_evidence(const uint8_t *data, size_t len)
{
    char what[160];
    attest_describe_bytes(what, sizeof what, data, len);
    return attest_set_error(ATTEST_E_FORMAT_UNKNOWN,
                            "evidence: %zu bytes are no known evidence format (%s); "
                            "accepted: %s", len, what, ATTEST_ACCEPTED_FORMATS);
}

/* The bytes in their own form (no text decoding here: attest_unwrapped
 * did that, once); the evidence's digest is of these bytes. */
static int parse_item(void *ctx, const uint8_t *data, size_t len)
{
    attest_evidence *ev = ctx;
    int status;
    switch (attest_detect_evidence(data, len)) {
    case ATTEST_ITEM_BUNDLE:
        ev->format = ATTEST_FORMAT_BUNDLE;
        status = attest_bundle_parse(&ev->bundle, data, len);
        break;
    case ATTEST_ITEM_EVIDENCE_DCAP:
        ev->format = ATTEST_FORMAT_DCAP_QUOTE;
        status = dcap_quote_parse(&ev->dcap, data, len);
        break;
    case ATTEST_ITEM_EVIDENCE_NVIDIA:
        status = parse_nvidia(ev, data, len);
        break;
    case ATTEST_ITEM_EVIDENCE_SNP:
        status = snp_trustee_json_detect(data, len) ? parse_snp_json(ev, data, len)
                                                    : parse_snp(ev, data, len);
        break;
    case ATTEST_ITEM_EVIDENCE_AZURE: {
        const attest_part_kind kind = ATTEST_PART_HCL_REPORT;
        if (attest_looks_like_json(data, len)) { /* Trustee az-snp/az-tdx-vtpm evidence */
            ev->format = ATTEST_FORMAT_AZURE_VTPM;
            status = azure_evidence_from_container(&ev->azure, data, len);
            if (status == ATTEST_OK) { /* its VCEK: carried, as Trustee's SNP JSON's */
                ev->carried = ev->azure->carried;
                ev->azure->carried = NULL;
            }
        } else {
            status = parse_azure(ev, &kind, &data, &len, 1);
        }
        break;
    }
    default:
        status = unknown_evidence(data, len);
    }
    /* The hash the result and token report: a failure is no all-zero hash. */
    if (status == ATTEST_OK)
        attest_sha256(ev->sha256, data, len);
    return status;
}

int attest_evidence_parse(attest_evidence **out, const uint8_t *data, size_t len)
{
    if (!out || (!data && len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "evidence: NULL argument");
    *out = NULL;
    attest_clear_error();
    int status = attest_library_init();
    if (status != ATTEST_OK)
        return status;
    attest_evidence *ev = calloc(1, sizeof *ev);
    if (!ev)
        return attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
    status = attest_unwrapped(data, len, parse_item, ev, "evidence");
    if (status != ATTEST_OK) {
        attest_evidence_free(ev);
        return status;
    }
    *out = ev;
    return ATTEST_OK;
}

attest_format attest_evidence_format(const attest_evidence *ev)
{
    return ev ? ev->format : ATTEST_FORMAT_UNKNOWN;
}

int attest_evidence_to_json(char **out, const attest_evidence *ev)
{
    if (!out || !ev)
        return attest_set_error(ATTEST_E_INVALID_ARG, "evidence: NULL argument");
    json_t *o = NULL;
    if (ev->format == ATTEST_FORMAT_BUNDLE) {
        char *cpu = NULL;
        json_t *devices = json_array();
        o = json_pack("{s:s, s:o, s:i, s:i}", "format", "attest-bundle", "gpus", devices,
                      "collateral_certificates",
                      (int)attest_collateral_cert_count(ev->bundle->collateral),
                      "collateral_crls", (int)attest_collateral_crl_count(ev->bundle->collateral));
        if (o && ev->bundle->cpu && attest_evidence_to_json(&cpu, ev->bundle->cpu) == ATTEST_OK)
            json_object_set_new(o, "cpu", json_loads(cpu, 0, NULL));
        attest_string_free(cpu);
        if (o && ev->bundle->nonce_len)
            json_object_set_new(o, "nonce", attest_json_hex(ev->bundle->nonce, ev->bundle->nonce_len));
        for (size_t i = 0; o && ev->bundle->gpus && i < ev->bundle->gpus->count; i++)
            json_array_append_new(devices, nv_report_to_json(ev->bundle->gpus->devices[i].report));
    } else if (ev->format == ATTEST_FORMAT_DCAP_QUOTE) {
        o = dcap_quote_to_json(ev->dcap);
    } else if (ev->format == ATTEST_FORMAT_AZURE_VTPM) {
        o = azure_evidence_to_json(ev->azure);
    } else if (ev->format == ATTEST_FORMAT_NVIDIA) {
        json_t *devices = json_array();
        o = json_pack("{s:s, s:o}", "format", "nvidia-spdm", "devices", devices);
        for (size_t i = 0; o && i < ev->nv->count; i++)
            json_array_append_new(devices, nv_report_to_json(ev->nv->devices[i].report));
    } else {
        o = snp_report_to_json(ev->snp, ev->snp->cpuid_product);
    }
    *out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return *out ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
}

void attest_evidence_free(attest_evidence *ev)
{
    if (!ev)
        return;
    free(ev->snp);
    attest_collateral_free(ev->carried);
    dcap_quote_free(ev->dcap);
    azure_evidence_free(ev->azure);
    attest_bundle_free(ev->bundle);
    if (ev->nv) {
        nv_evidence_set_release(ev->nv);
        free(ev->nv);
    }
    free(ev);
}
