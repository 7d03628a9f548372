/* Shared set-up of the public-entry-point harnesses (fuzz_collateral,
 * fuzz_evidence, fuzz_evidence_parts): a verifier at a fixed instant that
 * trusts the test PKI's roots, and fixed collateral from it, so that
 * verification of mock evidence goes past the chains into appraisal.
 * The test PKI is read from $ATTEST_TEST_PKI (made by `make
 * build/testpki/.done`); without it the harnesses still run, verifying
 * against the built-in anchors only. Header-only: each harness is one
 * translation unit. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include "attest.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2025-06-15T00:00:00Z: inside the validity of every test PKI item (the
 * Intel CRLs, TCB Info and QE Identity: June 2025). */
#define FUZZ_VERIFY_TIME 1749945600

/* The whole file, or NULL (missing, unreadable, over 1 MiB). */
static uint8_t *fuzz_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(1u << 20);
    size_t n = buf ? fread(buf, 1, 1u << 20, f) : 0;
    int more = fgetc(f) != EOF;
    fclose(f);
    if (!buf || more || n == 0) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* $ATTEST_TEST_PKI/rel read whole, or NULL. */
static uint8_t *fuzz_pki_file(const char *rel, size_t *len)
{
    const char *dir = getenv("ATTEST_TEST_PKI");
    char path[4096];
    if (!dir || snprintf(path, sizeof path, "%s/%s", dir, rel) >= (int)sizeof path)
        return NULL;
    return fuzz_read_file(path, len);
}

static void fuzz_add_anchor(attest_verifier *v, attest_vendor vendor, const char *rel)
{
    size_t n = 0;
    uint8_t *hex = fuzz_pki_file(rel, &n);
    uint8_t spki[32];
    int ok = hex && n >= 64;
    for (size_t i = 0; ok && i < 32; i++) {
        unsigned byte;
        ok = sscanf((const char *)hex + 2 * i, "%2x", &byte) == 1;
        spki[i] = (uint8_t)byte;
    }
    if (ok)
        attest_verifier_add_anchor(v, vendor, spki);
    free(hex);
}

/* A verifier at FUZZ_VERIFY_TIME trusting the test PKI's roots as well as
 * the built-in ones. */
static attest_verifier *fuzz_verifier(void)
{
    attest_verifier *v = NULL;
    if (attest_verifier_new(&v) != ATTEST_OK || attest_verifier_set_time(v, FUZZ_VERIFY_TIME))
        abort();
    static const struct {
        attest_vendor vendor;
        const char *rel;
    } anchors[] = {
        {ATTEST_VENDOR_AMD, "milan/anchor.sha256"},
        {ATTEST_VENDOR_AMD, "genoa/anchor.sha256"},
        {ATTEST_VENDOR_AMD, "turin/anchor.sha256"},
        {ATTEST_VENDOR_INTEL, "intel/anchor.sha256"},
        {ATTEST_VENDOR_NVIDIA_DEVICE, "nvidia/device_anchor.sha256"},
        {ATTEST_VENDOR_NVIDIA_RIM, "nvidia/rim_anchor.sha256"},
        {ATTEST_VENDOR_AZURE_VTPM, "azure/anchor.sha256"},
    };
    for (size_t i = 0; i < sizeof anchors / sizeof anchors[0]; i++)
        fuzz_add_anchor(v, anchors[i].vendor, anchors[i].rel);
    return v;
}

/* The test PKI's collateral files, grouped by the evidence they serve. */
enum { FUZZ_AMD = 1, FUZZ_INTEL = 2, FUZZ_NVIDIA = 4, FUZZ_AZURE = 8, FUZZ_RIMS = 16,
       FUZZ_ALL = 31 };

/* That collateral, read once; `groups` (FUZZ_AMD ...) says which files.
 * OpenSSL 3's PEM decoding is slow: a harness that builds collateral per
 * input asks only for what its evidence needs. */
static attest_collateral *fuzz_collateral(unsigned groups)
{
    static const struct {
        unsigned group;
        const char *rel;
    } files[] = {
        {FUZZ_AMD, "milan/chain.pem"}, {FUZZ_AMD, "milan/vcek.pem"}, {FUZZ_AMD, "milan/crl.der"},
        {FUZZ_AMD | FUZZ_AZURE, "genoa/chain.pem"}, {FUZZ_AMD | FUZZ_AZURE, "genoa/vcek.pem"},
        {FUZZ_AMD | FUZZ_AZURE, "genoa/crl.der"}, {FUZZ_AMD, "genoa/vlek.pem"},
        {FUZZ_AMD, "genoa/vlek_chain.pem"}, {FUZZ_AMD, "turin/chain.pem"},
        {FUZZ_AMD, "turin/vcek.pem"}, {FUZZ_AMD, "turin/crl.der"},
        {FUZZ_INTEL | FUZZ_AZURE, "intel/pck_chain.pem"},
        {FUZZ_INTEL | FUZZ_AZURE, "intel/pck_crl.der"},
        {FUZZ_INTEL | FUZZ_AZURE, "intel/root_crl.der"},
        {FUZZ_INTEL, "intel/tcb_info_sgx.json"}, {FUZZ_INTEL | FUZZ_AZURE, "intel/tcb_info_tdx.json"},
        {FUZZ_INTEL, "intel/qe_identity_sgx.json"},
        {FUZZ_INTEL | FUZZ_AZURE, "intel/qe_identity_td.json"},
        {FUZZ_INTEL | FUZZ_AZURE, "intel/tcb_signing_chain.pem"},
        {FUZZ_NVIDIA, "nvidia/device_cert_chain.pem"}, {FUZZ_NVIDIA, "nvidia/rim_chain.pem"},
        {FUZZ_AZURE, "azure/chain.pem"}, {FUZZ_AZURE, "azure/ak.pem"},
        {FUZZ_RIMS, "nvidia/driver_rim.xml"}, {FUZZ_RIMS, "nvidia/vbios_rim.xml"},
    };
    enum { N = sizeof files / sizeof files[0] };
    static uint8_t *bytes[N];
    static size_t lens[N];
    static int loaded;
    if (!loaded) {
        for (size_t i = 0; i < N; i++)
            bytes[i] = fuzz_pki_file(files[i].rel, &lens[i]);
        loaded = 1;
    }
    attest_collateral *c = NULL;
    if (attest_collateral_new(&c) != ATTEST_OK)
        abort();
    for (size_t i = 0; i < N; i++)
        if (bytes[i] && (files[i].group & groups))
            attest_collateral_add(c, bytes[i], lens[i]);
    return c;
}

/* The collateral group evidence of `format` needs. */
static unsigned fuzz_group_of(attest_format format)
{
    switch (format) {
    case ATTEST_FORMAT_SNP_REPORT:
        return FUZZ_AMD;
    case ATTEST_FORMAT_DCAP_QUOTE:
        return FUZZ_INTEL;
    case ATTEST_FORMAT_NVIDIA:
        return FUZZ_NVIDIA;
    case ATTEST_FORMAT_AZURE_VTPM:
        return FUZZ_AZURE;
    default:
        return 0;
    }
}

/* The nonce of $ATTEST_TEST_PKI/rel (hex text), into out; its length or 0. */
static size_t fuzz_pki_nonce(const char *rel, uint8_t out[64])
{
    size_t n = 0, len = 0;
    uint8_t *hex = fuzz_pki_file(rel, &n);
    while (hex && len < 64 && 2 * len + 1 < n) {
        unsigned byte;
        if (sscanf((const char *)hex + 2 * len, "%2x", &byte) != 1)
            break;
        out[len++] = (uint8_t)byte;
    }
    free(hex);
    return len;
}

/* The example policies (examples/policy-*.json, read from the current
 * directory: `make fuzz` runs in the repository), so that the appraisers
 * run their policy's checks, not only the default ones. */
#define FUZZ_POLICIES 7
static attest_policy *fuzz_policy(size_t i)
{
    static const char *const names[FUZZ_POLICIES] = {
        "authenticity", "production", "tdx", "nvidia", "composite", "azure-snp", "azure-tdx"};
    static attest_policy *policies[FUZZ_POLICIES];
    static int loaded;
    if (!loaded) {
        for (size_t k = 0; k < FUZZ_POLICIES; k++) {
            char path[64];
            size_t n = 0;
            snprintf(path, sizeof path, "examples/policy-%s.json", names[k]);
            uint8_t *b = fuzz_read_file(path, &n);
            if (b)
                attest_policy_from_json(&policies[k], (const char *)b, n);
            free(b);
        }
        loaded = 1;
    }
    return i < FUZZ_POLICIES ? policies[i] : NULL; /* NULL: the default policy */
}

/* Verify with the default policy (with selector bit 5 set, bits 2-4 name
 * an example policy instead, 7 the default: most policies address one
 * platform and refuse the others' evidence up front), once without a nonce and, when the selector is
 * odd, once more with the nonce the mock's NVIDIA or Azure evidence
 * answers (bit 1 chooses). A bundle carries its own collateral: it is
 * verified without `c`. */
static void fuzz_verify(attest_verifier *v, const attest_evidence *ev,
                        const attest_collateral *c, uint8_t selector)
{
    static uint8_t nonces[2][64];
    static size_t nonce_lens[2];
    static int loaded;
    if (!loaded) {
        nonce_lens[0] = fuzz_pki_nonce("nvidia/nonce.hex", nonces[0]);
        nonce_lens[1] = fuzz_pki_nonce("azure/snp/nonce.hex", nonces[1]);
        loaded = 1;
    }
    if (attest_evidence_format(ev) == ATTEST_FORMAT_BUNDLE)
        c = NULL;
    attest_result *r = NULL;
    const attest_policy *policy = selector & 0x20 ? fuzz_policy((selector >> 2) & 7) : NULL;
    int st = attest_verify(&r, v, ev, c, policy, NULL, 0);
    if (getenv("FUZZ_VERBOSE")) /* how far a seed gets: `-runs=0` with this set */
        fprintf(stderr, "verify: %d %s\n", st,
                r && attest_result_reason(r) ? attest_result_reason(r) : "(no reason)");
    if (r) {
        char *json = NULL;
        attest_result_to_json(&json, r);
        attest_string_free(json);
    }
    attest_result_free(r);
    size_t k = (selector >> 1) & 1;
    if ((selector & 1) && nonce_lens[k]) {
        r = NULL;
        st = attest_verify(&r, v, ev, c, policy, nonces[k], nonce_lens[k]);
        if (getenv("FUZZ_VERBOSE"))
            fprintf(stderr, "verify with nonce: %d %s\n", st,
                    r && attest_result_reason(r) ? attest_result_reason(r) : "(no reason)");
        attest_result_free(r);
    }
}

#endif
