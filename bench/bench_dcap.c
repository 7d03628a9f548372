/*
 * bench_dcap - Intel TDX quote verifications per second on one core, set
 * against the raw OpenSSL ECDSA P-256 verify rate measured in the same run.
 *
 * Why the floor: a TDX quote carries two signatures that are new with every
 * quote, the quote signature (attestation key) and the QE report signature
 * (PCK key). Everything else (PCK chain, Root CA CRL, PCK CRL, TCB signing
 * certificate, TCB Info and QE Identity signatures) is the same for every
 * quote of a platform and could be verified once. So with the collateral
 * reused, a verification should cost about two ECDSA P-256 verifies: the
 * interesting ratio is cached rate / (floor / 2) (project target: >= 80%).
 * (The QE report only binds the QE's attestation key, so it too is shared
 * by the quotes of a platform: two verifies per quote is the generous bound.)
 * Both sides create their EVP_PKEY_CTX per call, as the library does.
 *
 * The quotes: N_QUOTES TDX v4 quotes of one TD, identical but for their
 * REPORTDATA (a fresh nonce each, as a relying party would ask), signed by
 * one attestation key, so they share the QE report (and its signature
 * bytes) and the PCK chain as quotes of one platform do; the loops go round them. A cache keyed by
 * the quote bytes therefore cannot turn the quote signature into a no-op.
 *
 * Figures:
 *   - raw EVP_PKEY_verify (SHA-256 digest given, DER signature), and
 *     EVP_DigestVerify over the 632 signed bytes of a TDX v4 quote;
 *   - "collateral cached": one verifier, the collateral parsed once, the
 *     evidence parsed once (and: parsed anew per quote);
 *   - "verifier cache cleared": the collateral objects reused but
 *     attest_verifier_clear_cache before each quote, i.e. what a quote costs
 *     when the library remembers no check between quotes;
 *   - "uncached": attest_collateral_new + attest_collateral_add of every
 *     item from its bytes + attest_verify, per quote (the chain cache is
 *     cleared too, so the figure stays uncached if lib/ learns to cache);
 *   - d2i_X509 of the PCK certificate, and from it the cold floor: the 10
 *     signatures and 4 certificate parses a cold quote cannot avoid with
 *     this OpenSSL (print_cold_floor), to set the uncached figure against.
 *
 * Each figure runs for BENCH_SECONDS in total, as BENCH_ROUNDS interleaved
 * rounds (each after a short warm-up), and reports its best round
 * (bench_util.h).
 *
 * Set-up: the Intel test PKI of `attest-mock dcap pki` (quotes built with
 * dcapgen: TDX v4, default TD report, UpToDate against the PKI's default
 * TCB Info and QE Identity, collateral read from the PKI's files); the verifier trusts only the test root
 * (anchor.sha256) and verifies at 2025-06-15T00:00:00Z. The default policy
 * (NULL) must accept the quote; if it does not, the reason is printed and
 * a permissive TDX policy is used instead (and said so in the output).
 *
 * Prints figures only, never asserts. Exit status is 0 unless the set-up
 * fails; a verification that fails during a measurement aborts that
 * measurement with a message and the row reads "aborted".
 *
 * Environment:
 *   ATTEST_TEST_PKI  directory holding intel/ (written by `attest-mock dcap
 *                    pki --out $ATTEST_TEST_PKI/intel`; required)
 *   BENCH_SECONDS    wall time per figure (default 2; e.g. 0.2 under
 *                    valgrind)
 *   BENCH_ONLY       measure only the figures whose label contains this
 *                    text (e.g. "collateral cached (evidence" to profile
 *                    that loop alone with perf or callgrind); the others
 *                    read "skipped"
 *
 * Profiling the cached path, e.g.:
 *   BENCH_SECONDS=10 BENCH_ONLY="collateral cached (evidence" valgrind \
 *     --tool=callgrind --toggle-collect=op_tdx_verify build/bench-dcap
 */
#include "attest.h"
#include "dcapgen.h"
#include "bench_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VERIFY_INSTANT /* -D to try another instant (e.g. the fallback policy) */
#define VERIFY_INSTANT "2025-06-15T00:00:00Z"
#endif
#define TARGET_PERCENT 80.0
#define N_QUOTES 64 /* distinct REPORTDATA, see above */

/* Used only when the default policy rejects the generated quote. */
#define FALLBACK_POLICY                                                             \
    "{\"tdx\":{\"allow_expired_collateral\":true,\"accepted_tcb_statuses\":"        \
    "[\"UpToDate\",\"SWHardeningNeeded\",\"ConfigurationNeeded\","                  \
    "\"ConfigurationAndSWHardeningNeeded\",\"OutOfDate\","                           \
    "\"OutOfDateConfigurationNeeded\",\"Revoked\"]}}"

/* The collateral files of the test PKI, in the order they are added. */
static const char *const collateral_files[] = {
    "tcb_info_tdx.json", "qe_identity_td.json", "tcb_signing_chain.pem",
    "root_crl.der",      "pck_crl.der",
};
#define N_COLLATERAL (sizeof collateral_files / sizeof collateral_files[0])

/* Everything the measured loops need, built once by setup(). */
struct bench_ctx {
    /* raw OpenSSL floor */
    EVP_PKEY *pub;              /* public-only attestation key, as the library gets it */
    uint8_t digest[32];         /* SHA-256 of the signed part of the quote */
    unsigned char *sig_der;     /* DER ECDSA-Sig-Value over the same bytes */
    size_t sig_der_len;
    unsigned char *pck_der;     /* the PCK certificate, DER: the parse floor */
    int pck_der_len;
    /* libattest */
    uint8_t *quote[N_QUOTES];
    size_t quote_len, signed_len; /* the same for every quote */
    attest_evidence *ev[N_QUOTES]; /* each parsed once */
    size_t next;                /* round-robin index into quote / ev */
    blob items[N_COLLATERAL];   /* collateral as fetched (bytes) */
    attest_verifier *v;
    attest_collateral *coll;    /* parsed once, for the cached loops */
    attest_policy *policy;      /* NULL: the default policy */
};

/* ---- measured operations ---------------------------------------------- */

/* The floor: one ECDSA P-256 verify of a DER signature over a given
 * SHA-256 digest. */
static int op_evp_verify(bench_ctx *b)
{
    return bench_evp_verify(b->pub, EVP_sha256(), b->sig_der, b->sig_der_len, b->digest,
                            sizeof b->digest, "EVP_PKEY_verify");
}

/* The floor including SHA-256 over the signed header and TD report. */
static int op_evp_digest_verify(bench_ctx *b)
{
    return bench_evp_digest_verify(b->pub, EVP_sha256(), b->sig_der, b->sig_der_len,
                                   b->quote[0], b->signed_len);
}

/* The other structural cost of a cold quote: one certificate parse. In
 * OpenSSL 3 every d2i_X509 decodes the subject key through a provider
 * decoder built for that call, which no caller can skip. */
static int op_d2i_x509(bench_ctx *b)
{
    const unsigned char *p = b->pck_der;
    X509 *cert = d2i_X509(NULL, &p, b->pck_der_len);
    X509_free(cert);
    if (!cert)
        fprintf(stderr, "bench: d2i_X509 of the PCK certificate failed\n");
    return cert ? 0 : -1;
}

/* Verify and demand acceptance. */
static int verify_with(bench_ctx *b, const attest_evidence *ev, const attest_collateral *c)
{
    attest_result *r = NULL;
    int status = attest_verify(&r, b->v, ev, c, b->policy, NULL, 0);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: attest_verify: %s: %s\n", attest_status_name(status),
                r ? attest_result_reason(r) : attest_error_last());
    attest_result_free(r);
    return status == ATTEST_OK ? 0 : -1;
}

/* The next quote of the ring. */
static size_t next_quote(bench_ctx *b)
{
    size_t i = b->next;
    b->next = (i + 1) % N_QUOTES;
    return i;
}

/* Collateral objects reused: the best the library can do today. */
static int op_tdx_verify(bench_ctx *b)
{
    return verify_with(b, b->ev[next_quote(b)], b->coll);
}

/* The realistic server path: every quote arrives as bytes. */
static int op_tdx_parse_verify(bench_ctx *b)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, b->quote[next_quote(b)], b->quote_len);
    if (status != ATTEST_OK) {
        fprintf(stderr, "bench: attest_evidence_parse: %s: %s\n",
                attest_status_name(status), attest_error_last());
        return -1;
    }
    int rc = verify_with(b, ev, b->coll);
    attest_evidence_free(ev);
    return rc;
}

/* Collateral objects reused, but the verifier's cache emptied first: what
 * a verification costs when the library remembers nothing between quotes
 * (the library before DCAP caching; also the first quote of a platform). */
static int op_tdx_verify_cache_cleared(bench_ctx *b)
{
    attest_verifier_clear_cache(b->v);
    return verify_with(b, b->ev[next_quote(b)], b->coll);
}

/* A collateral object built from its bytes, every item added. */
static attest_collateral *collateral_from_bytes(bench_ctx *b)
{
    attest_collateral *c = NULL;
    if (attest_collateral_new(&c) != ATTEST_OK)
        return NULL;
    for (size_t i = 0; i < N_COLLATERAL; i++)
        if (attest_collateral_add(c, b->items[i].data, b->items[i].len) != ATTEST_OK) {
            fprintf(stderr, "bench: attest_collateral_add(%s): %s\n", collateral_files[i],
                    attest_error_last());
            attest_collateral_free(c);
            return NULL;
        }
    return c;
}

/* Nothing reused but the verifier (its chain cache emptied) and the
 * parsed evidence: the collateral is parsed anew from its bytes. */
static int op_tdx_verify_uncached(bench_ctx *b)
{
    attest_verifier_clear_cache(b->v);
    attest_collateral *c = collateral_from_bytes(b);
    if (!c)
        return -1;
    int rc = verify_with(b, b->ev[next_quote(b)], c);
    attest_collateral_free(c);
    return rc;
}

/* ---- set-up ----------------------------------------------------------- */



/* Sign the quote's signed part once more with the attestation key, as DER,
 * for the raw loops; verification uses a public-only copy of the key. */
static int setup_floor(bench_ctx *b, EVP_PKEY *att_key)
{
    unsigned int dlen = 0;
    size_t len = 0;
    uint8_t xy[DCAPGEN_PUBKEY_SIZE];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, att_key) == 1 &&
             EVP_DigestSign(md, NULL, &len, b->quote[0], b->signed_len) == 1 &&
             (b->sig_der = OPENSSL_malloc(len)) != NULL &&
             EVP_DigestSign(md, b->sig_der, &len, b->quote[0], b->signed_len) == 1;
    EVP_MD_CTX_free(md);
    b->sig_der_len = len;
    if (!ok)
        return fail("ECDSA P-256 signature for the floor");
    if (EVP_Digest(b->quote[0], b->signed_len, b->digest, &dlen, EVP_sha256(), NULL) != 1)
        return fail("SHA-256 digest");
    if (dcapgen_pubkey_raw(xy, att_key) != 0 || dcapgen_pubkey_from_raw(&b->pub, xy) != 0)
        return fail("public-only attestation key");
    return 0;
}

/* The PCK certificate of the test PKI as DER, for op_d2i_x509. */
static int setup_pck_der(bench_ctx *b, const char *dir)
{
    blob pem = {0};
    if (read_file(&pem, dir, "pck.pem") != 0 || pem.len > INT_MAX)
        return fail("pck.pem (the PCK certificate)");
    BIO *bio = BIO_new_mem_buf(pem.data, (int)pem.len);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    free(pem.data);
    b->pck_der_len = cert ? i2d_X509(cert, &b->pck_der) : -1;
    X509_free(cert);
    return b->pck_der_len > 0 ? 0 : fail("pck.pem is no PEM certificate");
}

/* Trust exactly the test root, at a fixed instant inside every validity
 * window of the test PKI (certificates, CRLs, TCB Info, QE Identity). */
static int setup_verifier(bench_ctx *b, const char *dir)
{
    blob hex = {0};
    uint8_t pin[32];
    int64_t t = 0;
    if (read_file(&hex, dir, "anchor.sha256") != 0)
        return fail("anchor.sha256");
    int ok = hex.len >= 64;
    for (int i = 0; ok && i < 32; i++) {
        unsigned byte = 0;
        char two[3] = {(char)hex.data[2 * i], (char)hex.data[2 * i + 1], 0};
        ok = sscanf(two, "%2x", &byte) == 1;
        pin[i] = (uint8_t)byte;
    }
    free(hex.data);
    if (!ok)
        return fail("anchor.sha256 is not 64 hex digits");
    if (attest_verifier_new(&b->v) != ATTEST_OK)
        return fail("attest_verifier_new");
    if (attest_verifier_clear_anchors(b->v, ATTEST_VENDOR_INTEL) != ATTEST_OK ||
        attest_verifier_add_anchor(b->v, ATTEST_VENDOR_INTEL, pin) != ATTEST_OK ||
        attest_time_parse(&t, VERIFY_INSTANT) != ATTEST_OK ||
        attest_verifier_set_time(b->v, t) != ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

/* N_QUOTES TDX v4 quotes with the default TD report but for REPORTDATA
 * (bytes 0..7 = the quote's index, rest 0xA5), all signed by one fresh
 * attestation key that the floor reuses. */
static int setup_quotes(bench_ctx *b, const dcapgen_pki *pki)
{
    dcapgen_quote_desc d;
    dcapgen_quote_layout layout;
    EVP_PKEY *att = NULL;
    int rc = -1;
    if (dcapgen_p256_keygen(&att) != 0)
        return fail("attestation key");
    if (dcapgen_quote_desc_init(&d, pki, 1, 4, 0) != 0) {
        fail("dcapgen_quote_desc_init (TDX v4)");
        goto out;
    }
    d.att_key = att;
    for (size_t i = 0; i < N_QUOTES; i++) {
        uint8_t *rd = d.body + DCAPGEN_TD_OFF_REPORTDATA;
        size_t len = 0;
        memset(rd, 0xA5, DCAPGEN_LEN_REPORTDATA);
        for (int k = 0; k < 8; k++)
            rd[k] = (uint8_t)((uint64_t)i >> (8 * k));
        if (dcapgen_quote_build(&b->quote[i], &len, &layout, &d) != 0) {
            fail("dcapgen_quote_build");
            goto out;
        }
        if (i > 0 && (len != b->quote_len || layout.signed_len != b->signed_len)) {
            fail("quotes of different layouts");
            goto out;
        }
        b->quote_len = len;
        b->signed_len = layout.signed_len;
        /* A QE signs its report once, when its attestation key is
         * certified, and every quote carries those same bytes: reuse the
         * first quote's QE report signature (the report is identical and
         * outside the quote signature), as a real platform would. */
        if (i > 0)
            memcpy(b->quote[i] + layout.qe_report_sig_off,
                   b->quote[0] + layout.qe_report_sig_off, DCAPGEN_SIG_SIZE);
        if (attest_evidence_parse(&b->ev[i], b->quote[i], len) != ATTEST_OK) {
            fail(attest_error_last());
            goto out;
        }
    }
    rc = setup_floor(b, att);
out:
    EVP_PKEY_free(att);
    return rc;
}

/* The first verification decides the policy: the default one if it
 * accepts the UpToDate quote, else the permissive fallback (said so). */
static int setup_policy(bench_ctx *b)
{
    attest_result *r = NULL;
    int status = attest_verify(&r, b->v, b->ev[0], b->coll, NULL, NULL, 0);
    if (status == ATTEST_OK) {
        attest_result_free(r);
        printf("policy: default (NULL) accepts the generated UpToDate TDX v4 quote\n");
        return 0;
    }
    printf("policy: the default policy REJECTS the generated quote: %s: %s\n"
           "policy: using instead %s\n",
           attest_status_name(status), r ? attest_result_reason(r) : attest_error_last(),
           FALLBACK_POLICY);
    attest_result_free(r);
    if (attest_policy_from_json(&b->policy, FALLBACK_POLICY, strlen(FALLBACK_POLICY)) !=
        ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

/* Build everything; the first verification must already be accepted, so a
 * broken set-up is reported as such rather than as a slow figure. */
static int setup(bench_ctx *b)
{
    const char *root = getenv("ATTEST_TEST_PKI");
    char dir[4096];
    dcapgen_pki *pki = NULL;
    if (!root || !*root)
        return fail("ATTEST_TEST_PKI is not set (run `make bench`)");
    snprintf(dir, sizeof dir, "%s/intel", root);
    if (dcapgen_pki_load(&pki, dir) != 0) {
        fprintf(stderr, "bench: cannot load the Intel test PKI from %s\n", dir);
        return fail("dcapgen_pki_load");
    }
    int rc = setup_quotes(b, pki);
    dcapgen_pki_free(pki); /* the quote and the floor key are copies */
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < N_COLLATERAL; i++)
        if (read_file(&b->items[i], dir, collateral_files[i]) != 0)
            return fail("reading the collateral");
    if (setup_verifier(b, dir) != 0 || setup_pck_der(b, dir) != 0)
        return -1;
    if (!(b->coll = collateral_from_bytes(b)))
        return fail("collateral");
    if (setup_policy(b) != 0)
        return -1;
    for (size_t i = 0; i < N_QUOTES; i++) /* every quote once, cache warm */
        if (op_tdx_verify(b) != 0)
            return fail("a first verification was rejected");
    if (op_evp_verify(b) != 0 || op_evp_digest_verify(b) != 0)
        return fail("the raw OpenSSL verification failed");
    return 0;
}

static void teardown(bench_ctx *b)
{
    for (size_t i = 0; i < N_QUOTES; i++) {
        attest_evidence_free(b->ev[i]);
        free(b->quote[i]);
    }
    attest_collateral_free(b->coll);
    attest_verifier_free(b->v);
    attest_policy_free(b->policy);
    for (size_t i = 0; i < N_COLLATERAL; i++)
        free(b->items[i].data);
    EVP_PKEY_free(b->pub);
    OPENSSL_free(b->sig_der);
    OPENSSL_free(b->pck_der);
}

/* ---- report ----------------------------------------------------------- */

/* One table row (bench_print_row), labels in 52 columns. */
static void print_row(const char *label, double rate, double base, const char *suffix)
{
    bench_print_row(52, 0, label, rate, base, suffix);
}

/* How far the uncached figure is from what no library can avoid with this
 * OpenSSL: a cold TDX quote needs 10 P-256 signatures (quote, QE report,
 * PCK leaf and intermediate, the root's self-signature, Root CA and PCK
 * CRLs, TCB signing certificate, TCB Info, QE Identity) and 4 certificate
 * parses (PCK leaf and intermediate, TCB signing certificate, root: a
 * collateral parses the root once, attest_x509_memo). */
static void print_cold_floor(double verify_rate, double parse_rate, double uncached_rate)
{
    if (verify_rate <= 0 || parse_rate <= 0)
        return;
    double parse = verify_rate / parse_rate, cold_floor = 10.0 + 4.0 * parse;
    printf("  certificate parse (d2i_X509) = %.2f P-256 verifies\n", parse);
    printf("  cold floor with this OpenSSL: 10 signatures + 4 certificate parses = %.1f P-256 "
           "verifies", cold_floor);
    if (uncached_rate > 0)
        printf("; uncached is %.2f x the cold floor", verify_rate / uncached_rate / cold_floor);
    printf("\n");
}

int main(void)
{
    bench_ctx b;
    memset(&b, 0, sizeof b);
    double secs = bench_seconds();
    if (secs < 0)
        return 1;
    printf("libattest %s, %s\n", attest_version(), OpenSSL_version(OPENSSL_VERSION));
    if (setup(&b) != 0) {
        teardown(&b);
        return 1;
    }
    bench_figure f[] = {
        {"openssl EVP ECDSA P-256 verify (digest given)", op_evp_verify, 0},
        {"openssl EVP DigestVerify P-256 SHA-256 632 B", op_evp_digest_verify, 0},
        {"tdx verify, collateral cached (evidence parsed once)", op_tdx_verify, 0},
        {"tdx parse+verify, collateral cached", op_tdx_parse_verify, 0},
        {"tdx verify, collateral reused, verifier cache cleared", op_tdx_verify_cache_cleared, 0},
        {"tdx verify, uncached (collateral parsed per quote)", op_tdx_verify_uncached, 0},
        {"openssl d2i_X509 of the PCK certificate", op_d2i_x509, 0},
    };
    printf("%d TDX v4 quotes of %zu bytes (one TD, distinct REPORTDATA), %zu collateral "
           "items, verified at %s\n"
           "%.2f s per figure (best of %d interleaved rounds), one thread\n",
           N_QUOTES, b.quote_len, N_COLLATERAL, VERIFY_INSTANT, secs, BENCH_ROUNDS);
    fflush(stdout);
    bench_measure_all(&b, f, sizeof f / sizeof f[0], secs, getenv("BENCH_ONLY"));
    double floor1 = f[0].best, floor2 = floor1 > 0 ? floor1 / 2 : floor1;
    print_row(f[0].label, f[0].best, 0, "");
    print_row(f[1].label, f[1].best, 0, "");
    print_row("  floor for a quote: two P-256 verifies (floor / 2)", floor2, 0, "");
    print_row(f[2].label, f[2].best, floor2, " of floor/2");
    print_row(f[3].label, f[3].best, floor2, " of floor/2");
    print_row(f[4].label, f[4].best, floor2, " of floor/2");
    print_row(f[5].label, f[5].best, floor2, " of floor/2");
    print_row(f[6].label, f[6].best, 0, "");
    if (floor1 > 0 && f[2].best > 0)
        printf("  cached / (floor/2) = %.1f%% (target >= %.0f%%); one verification costs "
               "%.1f P-256 verifies\n",
               100.0 * f[2].best / floor2, TARGET_PERCENT, floor1 / f[2].best);
    if (floor1 > 0 && f[4].best > 0 && f[5].best > 0)
        printf("  cache cleared costs %.1f, uncached %.1f P-256 verifies; verifier cache "
               "holds %zu entries after one verification\n",
               floor1 / f[4].best, floor1 / f[5].best, attest_verifier_cache_size(b.v));
    print_cold_floor(floor1, f[6].best, f[5].best);
    if (b.policy)
        printf("  NOTE: measured with the fallback policy, not the default one\n");
    teardown(&b);
    return 0;
}
