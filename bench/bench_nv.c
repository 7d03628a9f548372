/*
 * bench_nv - NVIDIA GPU report verifications per second on one core, set
 * against the raw OpenSSL ECDSA P-384 verify rate measured in the same run.
 *
 * Why the floor: an NVIDIA GPU report carries one signature that is new
 * with every report, the ECDSA P-384 / SHA-384 signature of the device's
 * FMC leaf over request || response (the request holds the relying party's
 * fresh nonce). Everything else a verification checks is the same for
 * every report of a GPU and driver/VBIOS version and could be verified
 * once: the device chain (leaf, BROM, Provisioner ICA, Identity, root: four
 * signatures), three stored OCSP responses for it (each signed by a
 * delegated responder whose certificate is signed too), the XML signatures
 * of the driver and VBIOS RIMs (C14N 1.1 of ~20 KB each, two SHA-384
 * digests, one ECDSA P-384 verify each), their signing chains (leaf, L3,
 * CA, root) and the OCSP responses for those. So with the collateral
 * reused, a verification should cost about one P-384 verify: the
 * interesting ratio is cached rate / floor. Both sides create their
 * EVP_PKEY_CTX per call, as the library does.
 *
 * The reports: N_REPORTS Hopper reports of one GPU, identical but for
 * their request nonce (a fresh nonce each, as a relying party would ask;
 * report 0 is the PKI's report.bin with nonce.hex, the others are built and
 * signed with the PKI's leaf key by nvgen), so a cache keyed by the report
 * bytes cannot turn the report signature into a no-op. Each is verified
 * with its own nonce.
 *
 * Figures:
 *   - raw EVP_PKEY_verify (P-384, SHA-384 digest given, DER signature),
 *     and EVP_DigestVerify over the signed bytes of the report;
 *   - "cached": one verifier, the collateral (device chain PEM, driver and
 *     VBIOS RIM, six OCSP responses) added once, the evidence parsed once
 *     (and: parsed anew per report);
 *   - "verifier cache cleared": the collateral object reused but
 *     attest_verifier_clear_cache before each report (so both RIM XML
 *     signatures are verified with xmlsec again: their verdicts live in the
 *     verifier's cache);
 *   - "uncached": attest_collateral_new + attest_collateral_add of every
 *     item from its bytes + attest_verify, per report, verifier cache
 *     cleared too;
 *   - "collateral from bytes only": the part of "uncached" that is
 *     attest_collateral_add (parsing; RIMs are verified by attest_verify).
 *
 * Each figure runs for BENCH_SECONDS in total, as BENCH_ROUNDS interleaved
 * rounds (each after a short warm-up), and reports its best round
 * (bench_util.h).
 *
 * Set-up: the Hopper test PKI of `attest-mock nvidia pki` (report.bin,
 * device_cert_chain.pem, driver_rim.xml, vbios_rim.xml, the six DER OCSP
 * responses in ocsp/, nonce.hex, device_anchor.sha256, rim_anchor.sha256);
 * the verifier trusts only the test device root and the test RIM root
 * (the built-in NVIDIA anchors are cleared) and verifies at
 * 2025-06-01T12:00:00Z. OCSP
 * responses stored without a nonce extension (as the mock, like NVIDIA's
 * stored responses, makes them) are refused by the default policy: then
 * the policy {"nvidia":{"allow_stored_ocsp":true}} is used. The policy in
 * force is printed. Every verification must return ATTEST_OK.
 *
 * Prints figures. Exit status is 0 unless the set-up fails or a
 * verification is rejected: a verification that fails during a measurement
 * prints its reason, aborts that measurement (the row reads "aborted") and
 * makes the exit status 1.
 *
 * Environment:
 *   ATTEST_TEST_PKI  directory holding nvidia/ (written by `attest-mock
 *                    nvidia pki --out $ATTEST_TEST_PKI/nvidia`; required)
 *   BENCH_SECONDS    wall time per figure (default 2; e.g. 0.2 under
 *                    valgrind)
 *   BENCH_ONLY       measure only the figures whose label contains this
 *                    text (e.g. "cached (evidence" to profile that loop
 *                    alone with perf or callgrind); the others read "skipped"
 *
 * Profiling the cached path, e.g.:
 *   BENCH_SECONDS=1 BENCH_ONLY="cached (evidence" valgrind --tool=callgrind \
 *     --toggle-collect=op_nv_verify build/bench-nv
 */
#include "attest.h"
#include "nvgen.h"
#include "bench_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VERIFY_INSTANT /* -D to try another instant */
#define VERIFY_INSTANT "2025-06-01T12:00:00Z"
#endif
#define N_REPORTS 64 /* distinct nonces, see above */

#define STORED_OCSP_POLICY "{\"nvidia\":{\"allow_stored_ocsp\":true}}"

/* The collateral files of the test PKI, in the order they are added. */
static const char *const collateral_files[] = {
    "device_cert_chain.pem", "driver_rim.xml",     "vbios_rim.xml",
    "ocsp/device_cert1.der", "ocsp/device_cert2.der", "ocsp/device_cert3.der",
    "ocsp/rim_cert0.der",    "ocsp/rim_cert1.der",    "ocsp/rim_cert2.der",
};
#define N_COLLATERAL (sizeof collateral_files / sizeof collateral_files[0])
#define FIRST_OCSP 3 /* index of the first OCSP response above */

/* Everything the measured loops need, built once by setup(). */
struct bench_ctx {
    /* raw OpenSSL floor */
    EVP_PKEY *pub;              /* public-only leaf key, as the library gets it */
    uint8_t digest[48];         /* SHA-384 of the signed part of report 0 */
    unsigned char *sig_der;     /* DER ECDSA-Sig-Value over the same bytes */
    size_t sig_der_len;
    /* libattest */
    blob report[N_REPORTS];
    uint8_t nonce[N_REPORTS][32];
    size_t signed_len;          /* the same for every report */
    attest_evidence *ev[N_REPORTS]; /* each parsed once */
    size_t next;                /* round-robin index into report / ev */
    blob items[N_COLLATERAL];   /* collateral as fetched (bytes) */
    attest_verifier *v;
    attest_collateral *coll;    /* built once, for the cached loops */
    attest_policy *policy;      /* NULL: the default policy */
    const char *policy_text;
};

/* ---- measured operations ---------------------------------------------- */

/* The floor: one ECDSA P-384 verify of a DER signature over a given
 * SHA-384 digest. */
static int op_evp_verify(bench_ctx *b)
{
    return bench_evp_verify(b->pub, EVP_sha384(), b->sig_der, b->sig_der_len, b->digest,
                            sizeof b->digest, "EVP_PKEY_verify");
}

/* The floor including SHA-384 over request || response. */
static int op_evp_digest_verify(bench_ctx *b)
{
    return bench_evp_digest_verify(b->pub, EVP_sha384(), b->sig_der, b->sig_der_len,
                                   b->report[0].data, b->signed_len);
}

/* Verify report i with its nonce and demand acceptance. */
static int verify_with(bench_ctx *b, size_t i, const attest_evidence *ev,
                       const attest_collateral *c)
{
    attest_result *r = NULL;
    int status = attest_verify(&r, b->v, ev, c, b->policy, b->nonce[i], 32);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: attest_verify (report %zu): %s: %s\n", i,
                attest_status_name(status), r ? attest_result_reason(r) : attest_error_last());
    attest_result_free(r);
    return status == ATTEST_OK ? 0 : -1;
}

/* The next report of the ring. */
static size_t next_report(bench_ctx *b)
{
    size_t i = b->next;
    b->next = (i + 1) % N_REPORTS;
    return i;
}

/* Collateral object and evidence reused: the best the library can do
 * today (what it caches itself is its business). */
static int op_nv_verify(bench_ctx *b)
{
    size_t i = next_report(b);
    return verify_with(b, i, b->ev[i], b->coll);
}

/* The realistic server path: every report arrives as bytes. */
static int op_nv_parse_verify(bench_ctx *b)
{
    size_t i = next_report(b);
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, b->report[i].data, b->report[i].len);
    if (status != ATTEST_OK) {
        fprintf(stderr, "bench: attest_evidence_parse: %s: %s\n", attest_status_name(status),
                attest_error_last());
        return -1;
    }
    int rc = verify_with(b, i, ev, b->coll);
    attest_evidence_free(ev);
    return rc;
}

/* Collateral object reused, the verifier's cache emptied first. */
static int op_nv_verify_cache_cleared(bench_ctx *b)
{
    size_t i = next_report(b);
    attest_verifier_clear_cache(b->v);
    return verify_with(b, i, b->ev[i], b->coll);
}

/* A collateral object built from its bytes, every item added (each RIM
 * parsed; its XML signature is verified by the verification using it). */
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
 * parsed evidence: the collateral is rebuilt from its bytes. */
static int op_nv_verify_uncached(bench_ctx *b)
{
    size_t i = next_report(b);
    attest_verifier_clear_cache(b->v);
    attest_collateral *c = collateral_from_bytes(b);
    if (!c)
        return -1;
    int rc = verify_with(b, i, b->ev[i], c);
    attest_collateral_free(c);
    return rc;
}

/* The collateral part of "uncached" alone. */
static int op_collateral_only(bench_ctx *b)
{
    attest_collateral *c = collateral_from_bytes(b);
    attest_collateral_free(c);
    return c ? 0 : -1;
}

/* ---- set-up ----------------------------------------------------------- */



/* 2n hex digits at the start of a file (a newline may follow). */
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
    if (!ok)
        fprintf(stderr, "bench: %s/%s is not %zu hex digits\n", dir, name, 2 * n);
    return ok ? 0 : -1;
}

/* Trust exactly the test device root and the test RIM root, at a fixed
 * instant inside every validity window of the test PKI (certificates,
 * OCSP thisUpdate..nextUpdate). */
static int setup_verifier(bench_ctx *b, const char *dir)
{
    uint8_t dev_pin[32], rim_pin[32];
    int64_t t = 0;
    if (read_hex(dev_pin, 32, dir, "device_anchor.sha256") != 0 ||
        read_hex(rim_pin, 32, dir, "rim_anchor.sha256") != 0)
        return fail("anchors");
    if (attest_verifier_new(&b->v) != ATTEST_OK)
        return fail("attest_verifier_new");
    if (attest_verifier_clear_anchors(b->v, ATTEST_VENDOR_NVIDIA_DEVICE) != ATTEST_OK ||
        attest_verifier_add_anchor(b->v, ATTEST_VENDOR_NVIDIA_DEVICE, dev_pin) != ATTEST_OK ||
        attest_verifier_clear_anchors(b->v, ATTEST_VENDOR_NVIDIA_RIM) != ATTEST_OK ||
        attest_verifier_add_anchor(b->v, ATTEST_VENDOR_NVIDIA_RIM, rim_pin) != ATTEST_OK ||
        attest_time_parse(&t, VERIFY_INSTANT) != ATTEST_OK ||
        attest_verifier_set_time(b->v, t) != ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

/* Sign report 0's signed part once more, as DER, with the leaf key, for
 * the raw loops; verification uses a public-only copy of the key. */
static int setup_floor(bench_ctx *b, const nvgen_pki *pki)
{
    unsigned int dlen = 0;
    size_t len = 0;
    EVP_PKEY_CTX *sctx = NULL;
    unsigned char *spki = NULL;
    if (EVP_Digest(b->report[0].data, b->signed_len, b->digest, &dlen, EVP_sha384(), NULL) != 1 ||
        dlen != sizeof b->digest)
        return fail("SHA-384 digest");
    int ok = (sctx = EVP_PKEY_CTX_new(pki->dev[0].leaf.key, NULL)) != NULL &&
             EVP_PKEY_sign_init(sctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(sctx, EVP_sha384()) == 1 &&
             EVP_PKEY_sign(sctx, NULL, &len, b->digest, sizeof b->digest) == 1 &&
             (b->sig_der = OPENSSL_malloc(len)) != NULL &&
             EVP_PKEY_sign(sctx, b->sig_der, &len, b->digest, sizeof b->digest) == 1;
    EVP_PKEY_CTX_free(sctx);
    b->sig_der_len = len;
    if (!ok)
        return fail("ECDSA P-384 signature for the floor");
    /* public-only copy of the leaf key, from its certificate's SPKI */
    int spki_len = i2d_PUBKEY(X509_get0_pubkey(pki->dev[0].leaf.cert), &spki);
    const unsigned char *p = spki;
    if (spki_len > 0)
        b->pub = d2i_PUBKEY(NULL, &p, spki_len);
    OPENSSL_free(spki);
    if (!b->pub)
        return fail("public-only leaf key");
    if (EVP_PKEY_get_bits(b->pub) != 384)
        return fail("the leaf key is not a P-384 key");
    return 0;
}

/* Report 0 is report.bin (nonce.hex); reports 1.. are the same report
 * built by nvgen with nonce bytes 0..7 = the index, rest 0x5A, signed with
 * the PKI's leaf key; then the floor (setup_floor). */
static int setup_reports(bench_ctx *b, const char *dir)
{
    nvgen_pki *pki = NULL;
    nvgen_report_desc *d = NULL;
    nvgen_report_layout layout;
    int rc = -1;
    if (read_file(&b->report[0], dir, "report.bin") != 0 ||
        read_hex(b->nonce[0], 32, dir, "nonce.hex") != 0)
        return fail("report.bin / nonce.hex");
    if (nvgen_report_layout_parse(&layout, b->report[0].data, b->report[0].len) != 0)
        return fail("report.bin does not parse (nvgen_report_layout_parse)");
    b->signed_len = layout.signed_len;
    if (b->report[0].len < 4 + 32 || memcmp(b->report[0].data + 4, b->nonce[0], 32) != 0)
        return fail("report.bin does not carry the nonce of nonce.hex");
    if (nvgen_pki_load(&pki, dir) != 0) {
        fprintf(stderr, "bench: cannot load the NVIDIA test PKI from %s\n", dir);
        return fail("nvgen_pki_load");
    }
    if (pki->arch != NVGEN_HOPPER) {
        fail("the PKI is not a Hopper one");
        goto out;
    }
    if (!(d = malloc(sizeof *d)) || nvgen_report_desc_init(d, pki, 0) != 0) {
        fail("nvgen_report_desc_init");
        goto out;
    }
    for (size_t i = 1; i < N_REPORTS; i++) {
        memset(b->nonce[i], 0x5A, 32);
        for (int k = 0; k < 8; k++)
            b->nonce[i][k] = (uint8_t)((uint64_t)i >> (8 * k));
        memcpy(d->nonce, b->nonce[i], 32);
        if (nvgen_report_build(&b->report[i].data, &b->report[i].len, &layout, d,
                               pki->dev[0].leaf.key) != 0) {
            fail("nvgen_report_build");
            goto out;
        }
        if (b->report[i].len != b->report[0].len || layout.signed_len != b->signed_len) {
            fail("reports of different layouts");
            goto out;
        }
    }
    for (size_t i = 0; i < N_REPORTS; i++)
        if (attest_evidence_parse(&b->ev[i], b->report[i].data, b->report[i].len) !=
            ATTEST_OK) {
            fail(attest_error_last());
            goto out;
        }

    rc = setup_floor(b, pki);
out:
    free(d);
    nvgen_pki_free(pki);
    return rc;
}

/* Whether every stored OCSP response carries a nonce extension. */
static int ocsp_all_have_nonce(const bench_ctx *b)
{
    int all = 1;
    for (size_t i = FIRST_OCSP; i < N_COLLATERAL; i++) {
        const unsigned char *p = b->items[i].data;
        OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)b->items[i].len);
        OCSP_BASICRESP *basic = resp ? OCSP_response_get1_basic(resp) : NULL;
        if (!basic || OCSP_BASICRESP_get_ext_by_NID(basic, NID_id_pkix_OCSP_Nonce, -1) < 0)
            all = 0;
        OCSP_BASICRESP_free(basic);
        OCSP_RESPONSE_free(resp);
    }
    ERR_clear_error();
    return all;
}

/* Stored responses without a nonce need nvidia.allow_stored_ocsp. */
static int setup_policy(bench_ctx *b)
{
    if (ocsp_all_have_nonce(b)) {
        b->policy_text = "default (NULL): every stored OCSP response carries a nonce";
        return 0;
    }
    b->policy_text = STORED_OCSP_POLICY
        " (the generated OCSP responses carry no nonce; the default policy refuses them)";
    if (attest_policy_from_json(&b->policy, STORED_OCSP_POLICY, strlen(STORED_OCSP_POLICY)) !=
        ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

/* Build everything; every report must already be accepted once, so a
 * broken set-up is reported as such rather than as a slow figure. */
static int setup(bench_ctx *b)
{
    const char *root = getenv("ATTEST_TEST_PKI");
    char dir[4096];
    if (!root || !*root)
        return fail("ATTEST_TEST_PKI is not set (run `make bench`)");
    snprintf(dir, sizeof dir, "%s/nvidia", root);
    for (size_t i = 0; i < N_COLLATERAL; i++)
        if (read_file(&b->items[i], dir, collateral_files[i]) != 0)
            return fail("reading the collateral");
    /* The collateral first: the library then initialises libxml2 and
     * xmlsec (adding the first RIM) before nvgen reads the RIMs of the PKI. */
    if (!(b->coll = collateral_from_bytes(b)))
        return fail("collateral");
    if (setup_verifier(b, dir) != 0 || setup_reports(b, dir) != 0 || setup_policy(b) != 0)
        return -1;
    for (size_t i = 0; i < N_REPORTS; i++) /* every report once, caches warm */
        if (op_nv_verify(b) != 0)
            return fail("a first verification was rejected");
    if (op_evp_verify(b) != 0 || op_evp_digest_verify(b) != 0)
        return fail("the raw OpenSSL verification failed");
    return 0;
}

static void teardown(bench_ctx *b)
{
    for (size_t i = 0; i < N_REPORTS; i++) {
        attest_evidence_free(b->ev[i]);
        free(b->report[i].data);
    }
    attest_collateral_free(b->coll);
    attest_verifier_free(b->v);
    attest_policy_free(b->policy);
    for (size_t i = 0; i < N_COLLATERAL; i++)
        free(b->items[i].data);
    EVP_PKEY_free(b->pub);
    OPENSSL_free(b->sig_der);
}

/* ---- report ----------------------------------------------------------- */

/* One table row (bench_print_row), labels in 54 columns. */
static void print_row(const char *label, double rate, double base, const char *suffix)
{
    bench_print_row(54, 0, label, rate, base, suffix);
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
        {"openssl EVP ECDSA P-384 verify (SHA-384 digest given)", op_evp_verify, 0},
        {"openssl EVP DigestVerify P-384 SHA-384 over the report", op_evp_digest_verify, 0},
        {"nvidia verify, cached (evidence parsed once)", op_nv_verify, 0},
        {"nvidia parse+verify, cached", op_nv_parse_verify, 0},
        {"nvidia verify, collateral reused, verifier cache cleared", op_nv_verify_cache_cleared, 0},
        {"nvidia verify, uncached (collateral rebuilt per report)", op_nv_verify_uncached, 0},
        {"  of which: collateral from bytes only (2 RIMs parsed)", op_collateral_only, 0},
    };
    size_t nf = sizeof f / sizeof f[0];
    printf("%d Hopper GPU reports of %zu bytes (one GPU, distinct nonces, %zu signed bytes), "
           "%zu collateral items, verified at %s\n"
           "policy: %s\n"
           "%.2f s per figure (best of %d interleaved rounds), one thread\n",
           N_REPORTS, b.report[0].len, b.signed_len, N_COLLATERAL, VERIFY_INSTANT,
           b.policy_text, secs, BENCH_ROUNDS);
    fflush(stdout);
    bench_measure_all(&b, f, nf, secs, getenv("BENCH_ONLY"));
    double floor1 = f[0].best;
    print_row(f[0].label, f[0].best, 0, "");
    print_row(f[1].label, f[1].best, 0, "");
    for (size_t i = 2; i < nf; i++)
        print_row(f[i].label, f[i].best, floor1, " of the P-384 floor");
    if (floor1 > 0 && f[2].best > 0)
        printf("  cached / P-384 floor = %.1f%%; one cached verification costs %.1f P-384 "
               "verifies\n",
               100.0 * f[2].best / floor1, floor1 / f[2].best);
    attest_verifier_clear_cache(b.v);
    size_t cached_entries = op_nv_verify(&b) == 0 ? attest_verifier_cache_size(b.v) : 0;
    if (floor1 > 0 && f[4].best > 0 && f[5].best > 0)
        printf("  cache cleared costs %.1f, uncached %.1f P-384 verifies; verifier cache "
               "holds %zu entries after one verification\n",
               floor1 / f[4].best, floor1 / f[5].best, cached_entries);
    int aborted = 0;
    for (size_t i = 0; i < nf; i++)
        aborted |= f[i].best == -1.0;
    teardown(&b);
    if (aborted)
        fprintf(stderr, "bench: a verification was rejected (see above)\n");
    return aborted ? 1 : 0;
}
