/*
 * bench_ocsp - the cost of a stored OCSP response holding many
 * SingleResponses about the same certificate (issue 8, OCSP class).
 *
 * For each count N (arguments; default 1 16 64 65 8000) one validly signed
 * response is built about the BROM certificate of the Hopper test PKI (the
 * ICA's delegated responder signs it, as nvgen_pki_ocsp does): N
 * SingleResponses, all "good", thisUpdate 2025-06-01T00:00Z, nextUpdate a day
 * later (OCSP_basic_add1_status N times, OCSP_basic_sign once). It replaces
 * ocsp/device_cert1.der in the collateral, and one attest_verify of
 * report.bin runs with a fresh verifier (nothing cached) under
 * {"nvidia":{"allow_stored_ocsp":true}} at 2025-06-01T12:00:00Z. Printed:
 * N, the DER size, the wall time of that verification, its status and the
 * failing check's reason.
 *
 * Only the public API is used, so the same program measures any version of
 * the library. A library that bounds the SingleResponses per response
 * refuses counts above its bound (ATTEST_E_MALFORMED, gpu0.chain.ocsp); one
 * that does not accepts them all, in time growing with N squared when
 * every matching entry re-verifies the whole response.
 *
 * Environment: ATTEST_TEST_PKI, the directory holding nvidia/ (written by
 * `attest-mock nvidia pki --out $ATTEST_TEST_PKI/nvidia`).
 * Exit status: 0 unless the set-up fails.
 */
#include "attest.h"
#include "nvgen.h"
#include "bench_util.h"

#include <openssl/ocsp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_INSTANT "2025-06-01T12:00:00Z"
#define POLICY "{\"nvidia\":{\"allow_stored_ocsp\":true}}"

/* Every collateral file of the PKI but the BROM's response. */
static const char *const other_files[] = {
    "device_cert_chain.pem", "driver_rim.xml",     "vbios_rim.xml",
    "ocsp/device_cert2.der", "ocsp/device_cert3.der", "ocsp/rim_cert0.der",
    "ocsp/rim_cert1.der",    "ocsp/rim_cert2.der",
};
#define N_OTHER (sizeof other_files / sizeof other_files[0])

struct bench_ctx {
    const char *dir;
    nvgen_pki *pki;
    blob report;
    uint8_t nonce[32];
    uint8_t dev_pin[32], rim_pin[32];
    blob items[N_OTHER];
    attest_policy *policy;
};

static int read_hex(uint8_t *out, size_t n, const char *dir, const char *name)
{
    blob hex = {0};
    if (read_file(&hex, dir, name) != 0)
        return -1;
    int ok = hex.len >= 2 * n;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned byte = 0;
        char two[3] = {(char)hex.data[2 * i], (char)hex.data[2 * i + 1], 0};
        ok = sscanf(two, "%2x", &byte) == 1;
        out[i] = (uint8_t)byte;
    }
    free(hex.data);
    return ok ? 0 : -1;
}

/* The response: `n` good SingleResponses about the BROM, DER. */
static int crafted_response(const bench_ctx *b, size_t n, blob *out)
{
    const nvgen_pki *pki = b->pki;
    OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha384(), pki->dev[0].brom.cert, pki->ica.cert);
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    ASN1_TIME *tu = ASN1_TIME_set(NULL, (time_t)NVGEN_T_2025_06_01);
    ASN1_TIME *nu = ASN1_TIME_set(NULL, (time_t)(NVGEN_T_2025_06_01 + 86400));
    OCSP_RESPONSE *resp = NULL;
    unsigned char *der = NULL;
    int len = 0, ok = id && bs && tu && nu;
    for (size_t i = 0; ok && i < n; i++)
        ok = OCSP_basic_add1_status(bs, id, V_OCSP_CERTSTATUS_GOOD, 0, NULL, tu, nu) != NULL;
    ok = ok && OCSP_basic_sign(bs, pki->resp_ica.cert, pki->resp_ica.key, EVP_sha384(), NULL,
                               OCSP_RESPID_KEY) == 1 &&
         (resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs)) != NULL &&
         (len = i2d_OCSP_RESPONSE(resp, &der)) > 0;
    if (ok && (out->data = malloc((size_t)len)) != NULL) {
        memcpy(out->data, der, (size_t)len);
        out->len = (size_t)len;
    }
    OPENSSL_free(der);
    OCSP_RESPONSE_free(resp);
    ASN1_TIME_free(tu);
    ASN1_TIME_free(nu);
    OCSP_BASICRESP_free(bs);
    OCSP_CERTID_free(id);
    return ok && out->data ? 0 : fail("building the crafted OCSP response");
}

static attest_verifier *fresh_verifier(const bench_ctx *b)
{
    attest_verifier *v = NULL;
    int64_t t = 0;
    if (attest_verifier_new(&v) != ATTEST_OK ||
        attest_verifier_clear_anchors(v, ATTEST_VENDOR_NVIDIA_DEVICE) != ATTEST_OK ||
        attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_DEVICE, b->dev_pin) != ATTEST_OK ||
        attest_verifier_clear_anchors(v, ATTEST_VENDOR_NVIDIA_RIM) != ATTEST_OK ||
        attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_RIM, b->rim_pin) != ATTEST_OK ||
        attest_time_parse(&t, VERIFY_INSTANT) != ATTEST_OK ||
        attest_verifier_set_time(v, t) != ATTEST_OK) {
        attest_verifier_free(v);
        return NULL;
    }
    return v;
}

/* One verification with `n` entries; -1 on a set-up failure. */
static int measure(bench_ctx *b, size_t n)
{
    blob crafted = {0};
    attest_collateral *c = NULL;
    attest_evidence *ev = NULL;
    attest_result *r = NULL;
    attest_verifier *v = fresh_verifier(b);
    int rc = -1;
    if (!v || crafted_response(b, n, &crafted) != 0 || attest_collateral_new(&c) != ATTEST_OK ||
        attest_evidence_parse(&ev, b->report.data, b->report.len) != ATTEST_OK)
        goto out;
    for (size_t i = 0; i < N_OTHER; i++)
        if (attest_collateral_add(c, b->items[i].data, b->items[i].len) != ATTEST_OK)
            goto out;
    int added = attest_collateral_add(c, crafted.data, crafted.len);
    double start = bench_now();
    int status = added == ATTEST_OK ? attest_verify(&r, v, ev, c, b->policy, b->nonce, 32)
                                    : added;
    double elapsed = bench_now() - start;
    printf("  %6zu entries  %9zu bytes  %10.3f s  %s  %s\n", n, crafted.len, elapsed,
           attest_status_name(status), r ? attest_result_reason(r) : attest_error_last());
    fflush(stdout);
    rc = 0;
out:
    if (rc != 0)
        fail(attest_error_last());
    attest_result_free(r);
    attest_evidence_free(ev);
    attest_collateral_free(c);
    attest_verifier_free(v);
    free(crafted.data);
    return rc;
}

static int setup(bench_ctx *b)
{
    if (nvgen_pki_load(&b->pki, b->dir) != 0)
        return fail("nvgen_pki_load");
    if (read_file(&b->report, b->dir, "report.bin") != 0 ||
        read_hex(b->nonce, 32, b->dir, "nonce.hex") != 0 ||
        read_hex(b->dev_pin, 32, b->dir, "device_anchor.sha256") != 0 ||
        read_hex(b->rim_pin, 32, b->dir, "rim_anchor.sha256") != 0)
        return fail("report, nonce or anchors");
    for (size_t i = 0; i < N_OTHER; i++)
        if (read_file(&b->items[i], b->dir, other_files[i]) != 0)
            return -1;
    if (attest_policy_from_json(&b->policy, POLICY, strlen(POLICY)) != ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t defaults[] = {1, 16, 64, 65, 8000};
    const char *root = getenv("ATTEST_TEST_PKI");
    char dir[4096];
    bench_ctx b = {0};
    if (!root || !*root) {
        fprintf(stderr, "bench: set ATTEST_TEST_PKI (see the comment at the top)\n");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/nvidia", root);
    b.dir = dir;
    int rc = setup(&b) == 0 ? 0 : 1;
    if (rc == 0)
        printf("OCSP response with N SingleResponses about one certificate: one attest_verify\n"
               "(fresh verifier), policy %s\n", POLICY);
    size_t count = argc > 1 ? (size_t)argc - 1 : sizeof defaults / sizeof defaults[0];
    for (size_t i = 0; rc == 0 && i < count; i++) {
        char *end = NULL;
        size_t n = argc > 1 ? strtoul(argv[i + 1], &end, 10) : defaults[i];
        if (argc > 1 && (*end || n == 0 || n > 1000000)) {
            fprintf(stderr, "bench: '%s' is not a count 1..1000000\n", argv[i + 1]);
            rc = 1;
        } else if (measure(&b, n) != 0) {
            rc = 1;
        }
    }
    for (size_t i = 0; i < N_OTHER; i++)
        free(b.items[i].data);
    free(b.report.data);
    attest_policy_free(b.policy);
    nvgen_pki_free(b.pki);
    return rc;
}
