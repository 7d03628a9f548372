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

/* 2026-06-01T00:00:00Z: inside the test PKI's validity (2020-2045). */
#define FUZZ_VERIFY_TIME 1780272000

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

/* The test PKI's collateral for the mock evidence of every platform, read
 * once; RIMs (slow to parse) only when with_rims. */
static attest_collateral *fuzz_collateral(int with_rims)
{
    static const char *const files[] = {
        "milan/chain.pem", "milan/vcek.pem", "milan/crl.der",
        "genoa/chain.pem", "genoa/vcek.pem", "genoa/crl.der",
        "turin/chain.pem", "turin/vcek.pem", "turin/crl.der",
        "intel/pck_chain.pem", "intel/pck_crl.der", "intel/root_crl.der",
        "intel/tcb_info_sgx.json", "intel/tcb_info_tdx.json",
        "intel/qe_identity_sgx.json", "intel/qe_identity_td.json",
        "intel/tcb_signing_chain.pem",
        "nvidia/device_cert_chain.pem", "nvidia/rim_chain.pem",
        "azure/chain.pem", "azure/ak.pem",
        "nvidia/driver_rim.xml", "nvidia/vbios_rim.xml", /* last: the RIMs */
    };
    enum { N = sizeof files / sizeof files[0], RIMS = 2 };
    static uint8_t *bytes[N];
    static size_t lens[N];
    static int loaded;
    if (!loaded) {
        for (size_t i = 0; i < N; i++)
            bytes[i] = fuzz_pki_file(files[i], &lens[i]);
        loaded = 1;
    }
    attest_collateral *c = NULL;
    if (attest_collateral_new(&c) != ATTEST_OK)
        abort();
    for (size_t i = 0; i < (with_rims ? N : N - RIMS); i++)
        if (bytes[i])
            attest_collateral_add(c, bytes[i], lens[i]);
    return c;
}

/* Verify with the default policy, once without a nonce and, when the
 * first byte is odd, once more with the test nonce the mock used. */
static void fuzz_verify(attest_verifier *v, const attest_evidence *ev,
                        const attest_collateral *c, uint8_t selector)
{
    static const uint8_t nonce[21] = "azure-test-nonce-0001"; /* no NUL */
    attest_result *r = NULL;
    attest_verify(&r, v, ev, c, NULL, NULL, 0);
    if (r) {
        char *json = NULL;
        attest_result_to_json(&json, r);
        attest_string_free(json);
    }
    attest_result_free(r);
    if (selector & 1) {
        r = NULL;
        attest_verify(&r, v, ev, c, NULL, nonce, sizeof nonce);
        attest_result_free(r);
    }
}

#endif
