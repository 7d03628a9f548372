/*
 * bench_snp - SEV-SNP report verifications per second on one core, set
 * against the raw OpenSSL ECDSA P-384 verify rate measured in the same run.
 *
 * Why the floor: with the chain cached, a report verification must do one
 * ECDSA P-384 verify and little else, so the interesting number is how close
 * attest_verify gets to a bare EVP_PKEY_verify (project target: >= 85%).
 * Both sides create their EVP_PKEY_CTX per call, as the library does.
 *
 * Each figure runs for BENCH_SECONDS in total, as BENCH_ROUNDS interleaved
 * rounds (each after a short warm-up), and reports its best round
 * (bench_util.h).
 *
 * Prints figures only, never asserts. Exit status is 0 unless the set-up
 * fails (test PKI missing, a first verification rejected, ...); a
 * verification that fails during a measurement aborts that measurement
 * with a message and the row reads "aborted".
 *
 * Environment:
 *   ATTEST_TEST_PKI  directory written by `attest-mock snp pki` (required;
 *                    the Milan PKI is read from $ATTEST_TEST_PKI/milan)
 *   BENCH_SECONDS    wall time per figure (default 2; e.g. 0.2 under
 *                    valgrind)
 */
#include "attest.h"
#include "snpgen.h"
#include "bench_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_INSTANT "2025-06-01T00:00:00Z"

/* Everything the measured loops need, built once by setup(). */
struct bench_ctx {
    /* raw OpenSSL floor */
    EVP_PKEY *pub;              /* public-only VCEK key, as the library gets it */
    uint8_t digest[48];         /* SHA-384 of the signed part of the report */
    unsigned char *sig_der;     /* DER ECDSA-Sig-Value over the same bytes */
    size_t sig_der_len;
    /* libattest */
    uint8_t report[SNPGEN_REPORT_SIZE];
    attest_verifier *v;
    attest_collateral *coll;
    attest_evidence *ev;        /* parsed once, for the cached/uncached loops */
};

/* ---- measured operations ---------------------------------------------- */

/* The floor: what verify_signature in lib/chain/snp_evidence.c does with
 * OpenSSL, minus the hashing and the DER encoding of r and s. */
static int op_evp_verify(bench_ctx *b)
{
    return bench_evp_verify(b->pub, EVP_sha384(), b->sig_der, b->sig_der_len, b->digest,
                            sizeof b->digest, "EVP_PKEY_verify");
}

/* The floor including SHA-384 over the 672 signed bytes of a report. */
static int op_evp_digest_verify(bench_ctx *b)
{
    return bench_evp_digest_verify(b->pub, EVP_sha384(), b->sig_der, b->sig_der_len, b->report,
                                   SNPGEN_SIGNED_LEN);
}

/* Verify with the default (strict) policy and demand acceptance. */
static int verify_once(bench_ctx *b, const attest_evidence *ev)
{
    attest_result *r = NULL;
    int status = attest_verify(&r, b->v, ev, b->coll, NULL, NULL, 0);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: attest_verify: %s: %s\n", attest_status_name(status),
                r ? attest_result_reason(r) : attest_error_last());
    attest_result_free(r);
    return status == ATTEST_OK ? 0 : -1;
}

static int op_snp_verify(bench_ctx *b)
{
    return verify_once(b, b->ev);
}

/* The realistic server path: every report arrives as bytes. */
static int op_snp_parse_verify(bench_ctx *b)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, b->report, sizeof b->report);
    if (status != ATTEST_OK) {
        fprintf(stderr, "bench: attest_evidence_parse: %s: %s\n",
                attest_status_name(status), attest_error_last());
        return -1;
    }
    int rc = verify_once(b, ev);
    attest_evidence_free(ev);
    return rc;
}

/* Forces the full chain walk: X509_verify_cert with three RSA-PSS verifies
 * (ARK self-signature, ASK, VCEK) plus the profile checks. */
static int op_snp_verify_uncached(bench_ctx *b)
{
    attest_verifier_clear_cache(b->v);
    return verify_once(b, b->ev);
}

/* ---- set-up ----------------------------------------------------------- */

/* Sign the report's signed part with the VCEK private key and keep the
 * DER signature and digest for the raw loops; verification uses the public
 * half extracted from the certificate, like the library. */
static int setup_floor(bench_ctx *b, snpgen_pki *pki)
{
    unsigned int dlen = 0;
    size_t len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, pki->vcek_key) == 1 &&
             EVP_DigestSign(md, NULL, &len, b->report, SNPGEN_SIGNED_LEN) == 1 &&
             (b->sig_der = OPENSSL_malloc(len)) != NULL &&
             EVP_DigestSign(md, b->sig_der, &len, b->report, SNPGEN_SIGNED_LEN) == 1;
    EVP_MD_CTX_free(md);
    b->sig_der_len = len;
    if (!ok)
        return fail("ECDSA P-384 signature for the floor");
    if (EVP_Digest(b->report, SNPGEN_SIGNED_LEN, b->digest, &dlen, EVP_sha384(), NULL) != 1)
        return fail("SHA-384 digest");
    if (!(b->pub = X509_get_pubkey(pki->vcek)))
        return fail("VCEK public key");
    return 0;
}

/* Trust exactly the test ARK, at a fixed instant inside every validity
 * window of the test PKI (certificates and CRL). */
static int setup_verifier(bench_ctx *b, snpgen_pki *pki)
{
    char hex[65];
    uint8_t pin[32];
    int64_t t = 0;
    if (attest_verifier_new(&b->v) != ATTEST_OK)
        return fail("attest_verifier_new");
    if (snpgen_spki_sha256_hex(hex, pki->ark) != 0)
        return fail("ARK SPKI hash");
    for (int i = 0; i < 32; i++) {
        unsigned byte = 0;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
            return fail("ARK SPKI hex");
        pin[i] = (uint8_t)byte;
    }
    if (attest_verifier_clear_anchors(b->v, ATTEST_VENDOR_AMD) != ATTEST_OK ||
        attest_verifier_add_anchor(b->v, ATTEST_VENDOR_AMD, pin) != ATTEST_OK ||
        attest_time_parse(&t, VERIFY_INSTANT) != ATTEST_OK ||
        attest_verifier_set_time(b->v, t) != ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

/* Add one DER blob (already encoded by the caller) and free it. */
static int add_der(attest_collateral *c, unsigned char *der, int len)
{
    int status = len > 0 ? attest_collateral_add(c, der, (size_t)len) : ATTEST_E_INTERNAL;
    OPENSSL_free(der);
    return status == ATTEST_OK ? 0 : -1;
}

/* VCEK, ASK, ARK and the ARK's CRL, as a client would fetch them from KDS. */
static int setup_collateral(bench_ctx *b, snpgen_pki *pki)
{
    X509 *certs[3] = {pki->vcek, pki->ask, pki->ark};
    if (attest_collateral_new(&b->coll) != ATTEST_OK)
        return fail("attest_collateral_new");
    for (int i = 0; i < 3; i++) {
        unsigned char *der = NULL;
        int len = i2d_X509(certs[i], &der);
        if (add_der(b->coll, der, len) != 0)
            return fail("adding a certificate to the collateral");
    }
    unsigned char *der = NULL;
    int len = i2d_X509_CRL(pki->crl, &der);
    if (add_der(b->coll, der, len) != 0)
        return fail("adding the CRL to the collateral");
    return 0;
}

/* Build everything; the first verification must already be accepted, so a
 * broken set-up is reported as such rather than as a slow figure. */
static int setup(bench_ctx *b)
{
    const char *root = getenv("ATTEST_TEST_PKI");
    char dir[4096];
    snpgen_pki *pki = NULL;
    if (!root || !*root)
        return fail("ATTEST_TEST_PKI is not set (run `make bench`)");
    snprintf(dir, sizeof dir, "%s/milan", root);
    if (snpgen_pki_load(&pki, dir) != 0) {
        fprintf(stderr, "bench: cannot load the test PKI from %s\n", dir);
        return fail("snpgen_pki_load");
    }
    int rc = -1;
    if (snpgen_report_init(b->report, pki, 3) != 0 ||
        snpgen_report_sign(b->report, pki->vcek_key) != 0)
        fail("building the v3 report");
    else if (setup_floor(b, pki) == 0 && setup_verifier(b, pki) == 0 &&
             setup_collateral(b, pki) == 0) {
        if (attest_evidence_parse(&b->ev, b->report, sizeof b->report) != ATTEST_OK)
            fail(attest_error_last());
        else if (op_snp_verify(b) != 0 || op_evp_verify(b) != 0)
            fail("the first verification was rejected");
        else
            rc = 0;
    }
    snpgen_pki_free(pki); /* the collateral holds copies; pub is up-ref'd */
    return rc;
}

static void teardown(bench_ctx *b)
{
    attest_evidence_free(b->ev);
    attest_collateral_free(b->coll);
    attest_verifier_free(b->v);
    EVP_PKEY_free(b->pub);
    OPENSSL_free(b->sig_der);
}

/* ---- report ----------------------------------------------------------- */

/* One table row (bench_print_row), labels in 50 columns. */
static void print_row(const char *label, double rate, double base, const char *suffix)
{
    bench_print_row(50, 0, label, rate, base, suffix);
}

int main(void)
{
    bench_ctx b;
    memset(&b, 0, sizeof b);
    double secs = bench_seconds();
    if (secs < 0)
        return 1;
    if (setup(&b) != 0) {
        teardown(&b);
        return 1;
    }
    bench_figure f[] = {
        {"openssl EVP ECDSA P-384 verify (digest given)", op_evp_verify, 0},
        {"openssl EVP DigestVerify P-384 SHA-384 672 B", op_evp_digest_verify, 0},
        {"snp verify, chain cached (evidence parsed once)", op_snp_verify, 0},
        {"snp parse+verify, chain cached", op_snp_parse_verify, 0},
        {"snp verify, chain uncached", op_snp_verify_uncached, 0},
    };
    printf("libattest %s, %s\n%.2f s per figure (best of %d interleaved rounds), "
           "one thread\n", attest_version(), OpenSSL_version(OPENSSL_VERSION), secs,
           BENCH_ROUNDS);
    fflush(stdout);
    bench_measure_all(&b, f, sizeof f / sizeof f[0], secs, NULL); /* no BENCH_ONLY */
    double base = f[0].best;
    print_row(f[0].label, f[0].best, 0, "");
    print_row(f[1].label, f[1].best, 0, "");
    print_row(f[2].label, f[2].best, base, " of the P-384 floor");
    print_row(f[3].label, f[3].best, base, "");
    print_row(f[4].label, f[4].best, base, "");
    if (base > 0 && f[2].best > 0)
        printf("  cached / floor = %.1f%% (target >= 85%%)\n", 100.0 * f[2].best / base);
    teardown(&b);
    return 0;
}
