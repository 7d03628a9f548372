/*
 * bench_composite - composite verifications (one AMD SEV-SNP CVM + 8 NVIDIA
 * GPUs, one evidence bundle, docs/bundle.md) plus signing of the EAR result
 * token (ES256), per second on one core, set against the raw OpenSSL ECDSA
 * P-384 verify rate measured in the same run.
 *
 * Why the floor: a composite bundle carries nine signatures that are new
 * with every request: the CVM's report (ECDSA P-384, VCEK) and one SPDM
 * report per GPU (ECDSA P-384, each GPU's FMC leaf), each over bytes that
 * hold this request's nonce (the CVM's REPORT_DATA is SHA-512(nonce ||
 * gpu0 nonce || ... || gpu7 nonce)). Everything else (the VCEK chain and
 * CRL, eight GPU device chains, their OCSP responses, both RIMs with their
 * XML signatures, chains and OCSP) is the same for every request of the
 * machine and could be verified once. So with a warm verifier a composite
 * verification should cost about nine P-384 verifies (floor / 9), and the
 * token one P-256 signature more.
 *
 * The machines: N_BUNDLES bundles of one machine, each answering a fresh
 * relying-party nonce with eight fresh GPU request nonces (a new CVM
 * report and eight new GPU reports per bundle), so a cache keyed by the
 * signed bytes cannot turn the nine signatures into no-ops; the loops go
 * round them, each verified with its own nonce.
 *
 * Figures:
 *   - raw EVP_PKEY_verify (P-384, SHA-384 digest given, DER signature) and
 *     EVP_PKEY_sign (P-256, SHA-256 digest given), the floors;
 *   - "cached": one verifier (its cache warm), each bundle parsed once;
 *     verify, and verify + attest_token_sign (ES256, 300 s), and verify +
 *     attest_token_sign_key (the key read once, as a service does), both
 *     also set against nine P-384 verifies plus one P-256 signature;
 *   - "parse+verify+token, verifier cached": the bundle parsed from its
 *     bytes per request (this includes the xmlsec checks of both RIMs, done
 *     by attest_collateral_add when the bundle's collateral is read);
 *   - "uncached": the bundle parsed per request and attest_verifier_clear_cache
 *     before each, so nothing verified for an earlier request is reused;
 *   - the token alone (ES256 and ES384) over one kept result, signed and
 *     verified (attest_token_verify with the kept result's nonce, at the
 *     verification instant); ES256 signed also with the key read once
 *     (attest_token_key_new, attest_token_sign_key), as a service signing
 *     many tokens does;
 *   - token sizes: 1 CPU + 8 GPUs, 1 CPU + 1 GPU (GPU 0 alone, bound
 *     through the CPU as well), and the 8-GPU ATTEST_TOKEN_VERBOSE token.
 *
 * Each figure runs for BENCH_SECONDS in total, as BENCH_ROUNDS interleaved
 * rounds (each after a short warm-up), and reports its best round
 * (bench_util.h).
 *
 * Set-up: the CVM is a Milan SNP report (v3) of the test PKI
 * `attest-mock snp pki --product Milan` ($ATTEST_TEST_PKI/milan: VCEK,
 * chain.pem = ASK + ARK, crl.der; anchor.sha256). The GPUs come from an
 * 8-GPU Hopper PKI generated here by nvgen (nvgen_pki_generate with
 * n_devices 8, as `attest-mock nvidia pki --gpus 8` would write): eight
 * distinct GPUs (each its own BROM and FMC leaf) under one test device root
 * and one test RIM root, the PKI's signed driver and VBIOS RIMs, and OCSP
 * responses for every device chain (eight BROMs, the ICA and the Identity)
 * and the RIM chain (leaf, L3, CA). Distinct GPUs, not one GPU's chain
 * eight times, so that the uncached figure pays for eight device chains as
 * a real 8-GPU machine does. The verifier trusts only the test roots (AMD,
 * NVIDIA device, NVIDIA RIM; the built-in anchors are cleared) and verifies
 * at 2025-06-01T12:00:00Z, inside every window (OCSP 2025-06-01..06-02).
 * The stored OCSP responses carry no nonce, so the policy is
 * {"platforms":["snp","nvidia"],"nvidia":{"allow_stored_ocsp":true}}
 * (it addresses both platforms, docs/policy.md "Scope"; composite defaults:
 * CPU required, GPUs bound through the CPU report data). Every verification must return
 * ATTEST_OK.
 *
 * Prints figures. Exit status is 0 unless the set-up fails or a
 * verification is rejected: a verification that fails during a measurement
 * prints its reason, aborts that measurement (the row reads "aborted") and
 * makes the exit status 1.
 *
 * Environment:
 *   ATTEST_TEST_PKI  directory holding milan/ and nvidia/ (written by
 *                    `make build/testpki/.done`; required)
 *   BENCH_SECONDS    wall time per figure (default 2; e.g. 0.2 under
 *                    valgrind)
 *   BENCH_ONLY       measure only the figures whose label contains this
 *                    text; the others read "skipped"
 *
 * Profiling the cached path, e.g.:
 *   BENCH_SECONDS=2 BENCH_ONLY="cached (bundle parsed once)" valgrind \
 *     --tool=callgrind --toggle-collect=op_verify build/bench-composite
 */
#include "attest.h"
#include "nvgen.h"
#include "snpgen.h"
#include "bench_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef VERIFY_INSTANT /* -D to try another instant */
#define VERIFY_INSTANT "2025-06-01T12:00:00Z"
#endif
#define N_GPUS 8
#define N_BUNDLES 16   /* requests, each with fresh nonces, see above */
#define N_SIGS (1 + N_GPUS) /* fresh signatures per composite */
#define TOKEN_LIFETIME 300
#define MAX_ITEMS 32

#define POLICY "{\"platforms\":[\"snp\",\"nvidia\"],\"nvidia\":{\"allow_stored_ocsp\":true}}"

typedef struct {
    char *pem;
    size_t len;
} pem_text;

/* Everything the measured loops need, built once by setup(). */
struct bench_ctx {
    /* raw OpenSSL floors */
    EVP_PKEY *p384_pub;         /* public-only GPU 0 leaf key */
    uint8_t digest384[48];
    unsigned char *sig384;      /* DER ECDSA-Sig-Value over digest384 */
    size_t sig384_len;
    EVP_PKEY *p256;             /* the token key */
    uint8_t digest256[32];
    /* the machine */
    blob coll[MAX_ITEMS];       /* collateral, as bytes, shared by every bundle */
    size_t n_coll;
    uint8_t nonce[N_BUNDLES + 1][32]; /* the last: the 1-GPU bundle's */
    char *bundle[N_BUNDLES];    /* bundle JSON per request */
    size_t bundle_len[N_BUNDLES];
    attest_evidence *ev[N_BUNDLES]; /* each parsed once */
    size_t next;                /* round-robin index */
    attest_verifier *v;
    attest_policy *policy;
    pem_text key256, key384;    /* token signing keys (PKCS#8 PEM) */
    pem_text pub256, pub384;    /* their public keys (SubjectPublicKeyInfo PEM) */
    attest_result *kept;        /* one accepted result, for the token rows */
    attest_result *kept1;       /* the same machine with GPU 0 only (token size) */
    attest_evidence *ev1;       /* its bundle, parsed */
    attest_token_key *tkey256;  /* key256 read once (attest_token_key_new) */
    attest_token_pubkey *tpub256; /* pub256 read once (attest_token_pubkey_new) */
    uint8_t pins[3][32];        /* AMD, NVIDIA device, NVIDIA RIM anchors (CLI RSS) */
    char *tok256, *tok384;      /* its tokens, for the token verify rows */
    int64_t instant;            /* VERIFY_INSTANT, the tokens' iat */
    size_t cpu_len, gpu_len;    /* sizes, for the header line */
};

/* ---- measured operations ---------------------------------------------- */

/* The verify floor: one ECDSA P-384 verify over a given SHA-384 digest. */
static int op_evp_verify384(bench_ctx *b)
{
    return bench_evp_verify(b->p384_pub, EVP_sha384(), b->sig384, b->sig384_len, b->digest384,
                            sizeof b->digest384, "EVP_PKEY_verify (P-384)");
}

/* The token floor: one ECDSA P-256 signature over a given SHA-256 digest. */
static int op_evp_sign256(bench_ctx *b)
{
    unsigned char sig[80];
    size_t len = sizeof sig;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(b->p256, NULL);
    int ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_sign(ctx, sig, &len, b->digest256, sizeof b->digest256) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        fprintf(stderr, "bench: EVP_PKEY_sign (P-256) failed\n");
    return ok ? 0 : -1;
}

static size_t next_bundle(bench_ctx *b)
{
    size_t i = b->next;
    b->next = (i + 1) % N_BUNDLES;
    return i;
}

/* Verify bundle i (parsed: ev) with its nonce and demand acceptance; sign
 * the token too when `token` is set: 1 with the PEM key (attest_token_sign),
 * 2 with the key read once (attest_token_sign_key). */
static int verify_one(bench_ctx *b, size_t i, const attest_evidence *ev, int token)
{
    attest_result *r = NULL;
    int status = attest_verify(&r, b->v, ev, NULL, b->policy, b->nonce[i], 32);
    if (status != ATTEST_OK) {
        fprintf(stderr, "bench: attest_verify: %s: %s\n", attest_status_name(status),
                r ? attest_result_reason(r) : attest_error_last());
        attest_result_free(r);
        return -1;
    }
    if (token) {
        char *jwt = NULL;
        status = token == 2 ? attest_token_sign_key(&jwt, r, b->tkey256, TOKEN_LIFETIME, 0)
                            : attest_token_sign(&jwt, r, b->key256.pem, b->key256.len,
                                                TOKEN_LIFETIME);
        if (status != ATTEST_OK)
            fprintf(stderr, "bench: attest_token_sign: %s: %s\n", attest_status_name(status),
                    attest_error_last());
        attest_string_free(jwt);
    }
    attest_result_free(r);
    return status == ATTEST_OK ? 0 : -1;
}

/* Parse bundle i from its bytes, verify it, sign the token. */
static int parse_verify_token(bench_ctx *b, size_t i)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, (const uint8_t *)b->bundle[i], b->bundle_len[i]);
    if (status != ATTEST_OK) {
        fprintf(stderr, "bench: attest_evidence_parse: %s: %s\n", attest_status_name(status),
                attest_error_last());
        return -1;
    }
    int rc = verify_one(b, i, ev, 1);
    attest_evidence_free(ev);
    return rc;
}

/* Cached: one warm verifier, the bundle parsed once. */
static int op_verify(bench_ctx *b)
{
    size_t i = next_bundle(b);
    return verify_one(b, i, b->ev[i], 0);
}

static int op_verify_token(bench_ctx *b)
{
    size_t i = next_bundle(b);
    return verify_one(b, i, b->ev[i], 1);
}

/* As a service signing many tokens does: the key read once. */
static int op_verify_token_key(bench_ctx *b)
{
    size_t i = next_bundle(b);
    return verify_one(b, i, b->ev[i], 2);
}

/* The bundle arrives as bytes; the verifier still remembers. */
static int op_parse_verify_token(bench_ctx *b)
{
    return parse_verify_token(b, next_bundle(b));
}

/* Uncached: parsed per request, the verifier's cache emptied first. */
static int op_uncached(bench_ctx *b)
{
    attest_verifier_clear_cache(b->v);
    return parse_verify_token(b, next_bundle(b));
}

/* Uncached verification alone (bundle parsed once, cache emptied). */
static int op_verify_cache_cleared(bench_ctx *b)
{
    attest_verifier_clear_cache(b->v);
    size_t i = next_bundle(b);
    return verify_one(b, i, b->ev[i], 0);
}

/* Parsing a bundle alone (collateral read, RIM XML signatures checked). */
static int op_parse(bench_ctx *b)
{
    size_t i = next_bundle(b);
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, (const uint8_t *)b->bundle[i], b->bundle_len[i]);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: attest_evidence_parse: %s\n", attest_error_last());
    attest_evidence_free(ev);
    return status == ATTEST_OK ? 0 : -1;
}

static int token_with(bench_ctx *b, const pem_text *key)
{
    char *jwt = NULL;
    int status = attest_token_sign(&jwt, b->kept, key->pem, key->len, TOKEN_LIFETIME);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: attest_token_sign: %s\n", attest_error_last());
    attest_string_free(jwt);
    return status == ATTEST_OK ? 0 : -1;
}

static int op_token256(bench_ctx *b) { return token_with(b, &b->key256); }

/* The token with the key read once: the path a service signing many
 * tokens takes (attest_token_sign reads the PEM every call). */
static int op_token256_key(bench_ctx *b)
{
    char *jwt = NULL;
    int status = attest_token_sign_key(&jwt, b->kept, b->tkey256, TOKEN_LIFETIME, 0);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: attest_token_sign_key: %s\n", attest_error_last());
    attest_string_free(jwt);
    return status == ATTEST_OK ? 0 : -1;
}

static int op_token384(bench_ctx *b) { return token_with(b, &b->key384); }

static int token_verify_with(bench_ctx *b, const char *token, const pem_text *pub)
{
    char *claims = NULL;
    int status = attest_token_verify(&claims, token, pub->pem, pub->len, b->instant,
                                     b->nonce[0], 32);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: attest_token_verify: %s\n", attest_error_last());
    attest_string_free(claims);
    return status == ATTEST_OK ? 0 : -1;
}

static int op_token_verify256(bench_ctx *b) { return token_verify_with(b, b->tok256, &b->pub256); }

static int op_token_verify384(bench_ctx *b) { return token_verify_with(b, b->tok384, &b->pub384); }

/* Token verify with the key read once: the path a relying party verifying
 * many tokens takes (attest_token_verify reads the PEM every call). */
static int op_token_verify256_key(bench_ctx *b)
{
    char *claims = NULL;
    int status = attest_token_verify_key(&claims, b->tok256, b->tpub256, b->instant,
                                         b->nonce[0], 32);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: attest_token_verify_key: %s\n", attest_error_last());
    attest_string_free(claims);
    return status == ATTEST_OK ? 0 : -1;
}

/* ---- the CLI's memory ------------------------------------------------- */

static void hex_of(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static int write_temp(char *path, size_t cap, const char *tag, const void *data, size_t len)
{
    snprintf(path, cap, "/tmp/bench-composite-%s-XXXXXX", tag);
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, data, len);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

/* Run `attest verify` on request 0's bundle (8 GPUs, its collateral
 * inside) as a child; its peak resident set from getrusage. The only
 * child of this process, so RUSAGE_CHILDREN is its own. */
static void print_cli_rss(bench_ctx *b)
{
    const char *cli = getenv("ATTEST_CLI");
    char bundle[64], policy[64], amd[65], dev[65], rim[65], nonce[65];
    if (!cli || !*cli) {
        printf("CLI max RSS: skipped (ATTEST_CLI not set)\n");
        return;
    }
    if (write_temp(bundle, sizeof bundle, "bundle", b->bundle[0], b->bundle_len[0]) != 0 ||
        write_temp(policy, sizeof policy, "policy", POLICY, strlen(POLICY)) != 0) {
        printf("CLI max RSS: skipped (cannot write /tmp files)\n");
        return;
    }
    hex_of(amd, b->pins[0], 32);
    hex_of(dev, b->pins[1], 32);
    hex_of(rim, b->pins[2], 32);
    hex_of(nonce, b->nonce[0], 32);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execl(cli, cli, "verify", "--no-builtin-anchors", "--anchor", amd,
              "--anchor-nvidia-device", dev, "--anchor-nvidia-rim", rim, "--policy", policy,
              "--nonce", nonce, "--at", VERIFY_INSTANT, bundle, (char *)NULL);
        _exit(127);
    }
    int st = -1;
    struct rusage ru;
    if (pid > 0 && waitpid(pid, &st, 0) == pid && getrusage(RUSAGE_CHILDREN, &ru) == 0)
        printf("CLI max RSS verifying the %d-GPU bundle (%zu bytes): %.1f MiB (attest exit "
               "status %d; aim < 16 MiB)\n",
               N_GPUS, b->bundle_len[0], ru.ru_maxrss / 1024.0,
               WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    else
        printf("CLI max RSS: the child failed\n");
    unlink(bundle);
    unlink(policy);
}

/* ---- set-up ----------------------------------------------------------- */



static int hex_decode(uint8_t *out, size_t n, const char *hex)
{
    for (size_t i = 0; i < n; i++) {
        unsigned byte = 0;
        char two[3] = {hex[2 * i], hex[2 * i + 1], 0};
        if (!two[0] || !two[1] || sscanf(two, "%2x", &byte) != 1)
            return -1;
        out[i] = (uint8_t)byte;
    }
    return 0;
}

/* SHA-256 of a certificate's SubjectPublicKeyInfo: a trust-anchor pin. */
static int cert_pin(uint8_t out[32], const X509 *cert)
{
    char hex[65];
    return snpgen_spki_sha256_hex(hex, cert) == 0 && hex_decode(out, 32, hex) == 0 ? 0 : -1;
}

static int add_item(bench_ctx *b, uint8_t *data, size_t len)
{
    if (!data || !len || b->n_coll >= MAX_ITEMS) {
        free(data);
        return -1;
    }
    b->coll[b->n_coll].data = data;
    b->coll[b->n_coll].len = len;
    b->n_coll++;
    return 0;
}

static int add_ocsp(bench_ctx *b, const nvgen_pki *pki, nvgen_chain chain, size_t device,
                    size_t pos)
{
    OCSP_RESPONSE *resp = NULL;
    unsigned char *der = NULL;
    if (nvgen_pki_ocsp(&resp, pki, chain, device, pos, NULL) != 0)
        return fail("nvgen_pki_ocsp");
    int n = i2d_OCSP_RESPONSE(resp, &der);
    OCSP_RESPONSE_free(resp);
    if (n <= 0)
        return fail("i2d_OCSP_RESPONSE");
    uint8_t *copy = malloc((size_t)n);
    if (copy)
        memcpy(copy, der, (size_t)n);
    OPENSSL_free(der);
    return add_item(b, copy, (size_t)n) == 0 ? 0 : fail("OCSP item");
}

/* The text a PEM writer left in a memory BIO, as a new string. */
static int bio_text(pem_text *out, BIO *bio)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    if (n <= 0 || !(out->pem = malloc((size_t)n + 1)))
        return -1;
    memcpy(out->pem, p, (size_t)n);
    out->pem[n] = '\0';
    out->len = (size_t)n;
    return 0;
}

/* A new key on `curve`: its PKCS#8 PEM in *priv, its public key PEM in *pub. */
static int pem_key(pem_text *priv, pem_text *pub, const char *curve, EVP_PKEY **keep)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    BIO *bio = BIO_new(BIO_s_mem()), *pbio = BIO_new(BIO_s_mem());
    int ok = k && bio && pbio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1 &&
             PEM_write_bio_PUBKEY(pbio, k) == 1 && bio_text(priv, bio) == 0 &&
             bio_text(pub, pbio) == 0;
    BIO_free(bio);
    BIO_free(pbio);
    if (ok && keep)
        *keep = k;
    else
        EVP_PKEY_free(k);
    return ok ? 0 : fail("token key");
}

static int setup_floors(bench_ctx *b, const nvgen_pki *pki)
{
    static const char msg[] = "composite floor";
    size_t len = 0;
    unsigned char *spki = NULL;
    if (EVP_Digest(msg, sizeof msg, b->digest384, NULL, EVP_sha384(), NULL) != 1 ||
        EVP_Digest(msg, sizeof msg, b->digest256, NULL, EVP_sha256(), NULL) != 1)
        return fail("digests");
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pki->dev[0].leaf.key, NULL);
    int ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha384()) == 1 &&
             EVP_PKEY_sign(ctx, NULL, &len, b->digest384, sizeof b->digest384) == 1 &&
             (b->sig384 = OPENSSL_malloc(len)) != NULL &&
             EVP_PKEY_sign(ctx, b->sig384, &len, b->digest384, sizeof b->digest384) == 1;
    EVP_PKEY_CTX_free(ctx);
    b->sig384_len = len;
    if (!ok)
        return fail("P-384 signature for the floor");
    int n = i2d_PUBKEY(X509_get0_pubkey(pki->dev[0].leaf.cert), &spki);
    const unsigned char *p = spki;
    if (n > 0)
        b->p384_pub = d2i_PUBKEY(NULL, &p, n);
    OPENSSL_free(spki);
    return b->p384_pub ? 0 : fail("public-only P-384 key");
}

static int setup_verifier(bench_ctx *b, const snpgen_pki *snp, const nvgen_pki *nv)
{
    uint8_t amd[32], dev[32], rim[32];
    int64_t t = 0;
    if (cert_pin(amd, snp->ark) != 0 || cert_pin(dev, nv->dev_root.cert) != 0 ||
        cert_pin(rim, nv->rim_root.cert) != 0)
        return fail("anchor pins");
    memcpy(b->pins[0], amd, 32);
    memcpy(b->pins[1], dev, 32);
    memcpy(b->pins[2], rim, 32);
    if (attest_verifier_new(&b->v) != ATTEST_OK)
        return fail("attest_verifier_new");
    if (attest_verifier_clear_anchors(b->v, ATTEST_VENDOR_AMD) != ATTEST_OK ||
        attest_verifier_clear_anchors(b->v, ATTEST_VENDOR_NVIDIA_DEVICE) != ATTEST_OK ||
        attest_verifier_clear_anchors(b->v, ATTEST_VENDOR_NVIDIA_RIM) != ATTEST_OK ||
        attest_verifier_add_anchor(b->v, ATTEST_VENDOR_AMD, amd) != ATTEST_OK ||
        attest_verifier_add_anchor(b->v, ATTEST_VENDOR_NVIDIA_DEVICE, dev) != ATTEST_OK ||
        attest_verifier_add_anchor(b->v, ATTEST_VENDOR_NVIDIA_RIM, rim) != ATTEST_OK ||
        attest_time_parse(&t, VERIFY_INSTANT) != ATTEST_OK ||
        attest_verifier_set_time(b->v, t) != ATTEST_OK)
        return fail(attest_error_last());
    if (attest_policy_from_json(&b->policy, POLICY, strlen(POLICY)) != ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

/* The collateral of the machine: VCEK, ASK + ARK, CRL; both RIMs; OCSP for
 * the eight BROMs, the ICA, the Identity and the RIM leaf, L3 and CA. */
static int setup_collateral(bench_ctx *b, const char *milan, const nvgen_pki *nv)
{
    static const char *const amd[] = {"vcek.pem", "chain.pem", "crl.der"};
    for (size_t i = 0; i < 3; i++) {
        blob f = {0};
        if (read_file(&f, milan, amd[i]) != 0 || add_item(b, f.data, f.len) != 0)
            return fail("AMD collateral");
    }
    for (int kind = NVGEN_RIM_DRIVER; kind <= NVGEN_RIM_VBIOS; kind++) {
        char *xml = NULL;
        size_t len = 0;
        if (nvgen_pki_rim(&xml, &len, nv, (nvgen_rim_kind)kind, 0) != 0 ||
            add_item(b, (uint8_t *)xml, len) != 0)
            return fail("nvgen_pki_rim");
    }
    for (size_t k = 0; k < N_GPUS; k++)
        if (add_ocsp(b, nv, NVGEN_CHAIN_DEVICE, k, 1) != 0)
            return -1;
    if (add_ocsp(b, nv, NVGEN_CHAIN_DEVICE, 0, 2) != 0 ||
        add_ocsp(b, nv, NVGEN_CHAIN_DEVICE, 0, 3) != 0)
        return -1;
    for (size_t pos = 0; pos < 3; pos++)
        if (add_ocsp(b, nv, NVGEN_CHAIN_RIM, 0, pos) != 0)
            return -1;
    return 0;
}

/* One request: a fresh nonce, eight GPU reports with fresh request nonces,
 * the CVM's report binding them, packed into a bundle with the collateral. */
static int setup_bundle(bench_ctx *b, size_t i, const snpgen_pki *snp, const nvgen_pki *nv,
                        nvgen_report_desc *d, size_t n_gpus, attest_evidence **ev)
{
    uint8_t *reports[N_GPUS] = {0};
    size_t lens[N_GPUS] = {0};
    uint8_t gpu_nonce[N_GPUS][32], rd[64], cpu[SNPGEN_REPORT_SIZE];
    char *json = NULL;
    size_t json_len = 0;
    int rc = -1;
    if (RAND_bytes(b->nonce[i], 32) != 1)
        return fail("RAND_bytes");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha512(), NULL) == 1 &&
             EVP_DigestUpdate(md, b->nonce[i], 32) == 1;
    for (size_t k = 0; ok && k < n_gpus; k++) {
        ok = RAND_bytes(gpu_nonce[k], 32) == 1 && nvgen_report_desc_init(d, nv, k) == 0;
        if (ok) {
            memcpy(d->nonce, gpu_nonce[k], 32);
            ok = nvgen_report_build(&reports[k], &lens[k], NULL, d, nv->dev[k].leaf.key) == 0 &&
                 EVP_DigestUpdate(md, gpu_nonce[k], 32) == 1;
        }
    }
    ok = ok && EVP_DigestFinal_ex(md, rd, NULL) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        fail("GPU reports");
        goto out;
    }
    if (snpgen_report_init(cpu, snp, 3) != 0) {
        fail("snpgen_report_init");
        goto out;
    }
    memcpy(cpu + SNPGEN_OFF_REPORT_DATA, rd, 64);
    if (snpgen_report_sign(cpu, snp->vcek_key) != 0) {
        fail("snpgen_report_sign");
        goto out;
    }
    const uint8_t *const creps[N_GPUS] = {reports[0], reports[1], reports[2], reports[3],
                                          reports[4], reports[5], reports[6], reports[7]};
    if (nvgen_evidence_json(&json, &json_len, nv, creps, lens, n_gpus) != 0) {
        fail("nvgen_evidence_json");
        goto out;
    }
    const uint8_t *items[MAX_ITEMS + 2];
    size_t item_lens[MAX_ITEMS + 2], n = 0;
    items[n] = cpu;
    item_lens[n++] = sizeof cpu;
    items[n] = (const uint8_t *)json;
    item_lens[n++] = json_len;
    for (size_t k = 0; k < b->n_coll; k++) {
        items[n] = b->coll[k].data;
        item_lens[n++] = b->coll[k].len;
    }
    char *bundle = NULL;
    if (attest_bundle_create(&bundle, items, item_lens, n, b->nonce[i], 32) != ATTEST_OK) {
        fail(attest_error_last());
        goto out;
    }
    if (n_gpus == N_GPUS) {
        b->bundle[i] = bundle;
        b->bundle_len[i] = strlen(bundle);
    }
    int parsed = attest_evidence_parse(ev, (const uint8_t *)bundle, strlen(bundle));
    if (n_gpus != N_GPUS)
        attest_string_free(bundle);
    if (parsed != ATTEST_OK) {
        fail(attest_error_last());
        goto out;
    }
    b->cpu_len = sizeof cpu;
    b->gpu_len = lens[0];
    rc = 0;
out:
    free(json);
    for (size_t k = 0; k < N_GPUS; k++)
        free(reports[k]);
    return rc;
}

/* The kept results (8 GPUs and 1), the keys read once and the tokens the
 * token verify rows check. */
static int setup_kept(bench_ctx *b)
{
    if (attest_verify(&b->kept, b->v, b->ev[0], NULL, b->policy, b->nonce[0], 32) != ATTEST_OK ||
        attest_verify(&b->kept1, b->v, b->ev1, NULL, b->policy, b->nonce[N_BUNDLES], 32) !=
            ATTEST_OK ||
        attest_token_key_new(&b->tkey256, b->key256.pem, b->key256.len) != ATTEST_OK ||
        attest_token_pubkey_new(&b->tpub256, b->pub256.pem, b->pub256.len) != ATTEST_OK)
        return fail("the kept result");
    if (attest_time_parse(&b->instant, VERIFY_INSTANT) != ATTEST_OK ||
        attest_token_sign(&b->tok256, b->kept, b->key256.pem, b->key256.len,
                            TOKEN_LIFETIME) != ATTEST_OK ||
        attest_token_sign(&b->tok384, b->kept, b->key384.pem, b->key384.len,
                            TOKEN_LIFETIME) != ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

static int setup(bench_ctx *b)
{
    const char *root = getenv("ATTEST_TEST_PKI");
    char milan[4096], nvdir[4096];
    snpgen_pki *snp = NULL;
    nvgen_pki *nv = NULL;
    nvgen_report_desc *d = NULL;
    nvgen_pki_opts o;
    int rc = -1;
    if (!root || !*root)
        return fail("ATTEST_TEST_PKI is not set (run `make bench`)");
    snprintf(milan, sizeof milan, "%s/milan", root);
    snprintf(nvdir, sizeof nvdir, "%s/nvidia", root);
    /* The library's RIM parser initialises libxml2 and xmlsec first (a RIM
     * of the test PKI added once), then nvgen finds them ready. */
    {
        blob rim = {0};
        attest_collateral *c = NULL;
        int ok = read_file(&rim, nvdir, "driver_rim.xml") == 0 &&
                 attest_collateral_new(&c) == ATTEST_OK &&
                 attest_collateral_add(c, rim.data, rim.len) == ATTEST_OK;
        attest_collateral_free(c);
        free(rim.data);
        if (!ok)
            return fail("the test PKI's driver RIM (xmlsec initialisation)");
    }
    if (snpgen_pki_load(&snp, milan) != 0) {
        fprintf(stderr, "bench: cannot load the Milan test PKI from %s\n", milan);
        return fail("snpgen_pki_load");
    }
    if (nvgen_pki_opts_init(&o, NVGEN_HOPPER) != 0) {
        fail("nvgen_pki_opts_init");
        goto out;
    }
    o.n_devices = N_GPUS;
    if (nvgen_pki_generate(&nv, &o) != 0) {
        fail("nvgen_pki_generate (8 GPUs)");
        goto out;
    }
    if (!(d = malloc(sizeof *d))) {
        fail("out of memory");
        goto out;
    }
    if (setup_floors(b, nv) != 0 || setup_verifier(b, snp, nv) != 0 ||
        setup_collateral(b, milan, nv) != 0)
        goto out;
    for (size_t i = 0; i < N_BUNDLES; i++)
        if (setup_bundle(b, i, snp, nv, d, N_GPUS, &b->ev[i]) != 0)
            goto out;
    /* request 0's nonce again, answered by GPU 0 alone: the 1-GPU token */
    if (setup_bundle(b, N_BUNDLES, snp, nv, d, 1, &b->ev1) != 0)
        goto out;
    if (pem_key(&b->key256, &b->pub256, "P-256", &b->p256) != 0 ||
        pem_key(&b->key384, &b->pub384, "P-384", NULL) != 0)
        goto out;
    for (size_t i = 0; i < N_BUNDLES; i++) /* every request once, caches warm */
        if (op_verify_token(b) != 0) {
            fail("a first verification was rejected");
            goto out;
        }
    if (setup_kept(b) != 0)
        goto out;
    if (op_evp_verify384(b) != 0 || op_evp_sign256(b) != 0) {
        fail("the raw OpenSSL floors");
        goto out;
    }
    rc = 0;
out:
    free(d);
    nvgen_pki_free(nv);
    snpgen_pki_free(snp);
    return rc;
}

static void teardown(bench_ctx *b)
{
    for (size_t i = 0; i < N_BUNDLES; i++) {
        attest_evidence_free(b->ev[i]);
        attest_string_free(b->bundle[i]);
    }
    for (size_t i = 0; i < b->n_coll; i++)
        free(b->coll[i].data);
    attest_result_free(b->kept);
    attest_result_free(b->kept1);
    attest_evidence_free(b->ev1);
    attest_token_key_free(b->tkey256);
    attest_token_pubkey_free(b->tpub256);
    attest_verifier_free(b->v);
    attest_policy_free(b->policy);
    EVP_PKEY_free(b->p384_pub);
    EVP_PKEY_free(b->p256);
    OPENSSL_free(b->sig384);
    free(b->key256.pem);
    free(b->key384.pem);
    free(b->pub256.pem);
    free(b->pub384.pem);
    attest_string_free(b->tok256);
    attest_string_free(b->tok384);
}

/* ---- report ----------------------------------------------------------- */

/* One table row (bench_print_row), labels in 60 columns; rates under
 * 100/s keep two decimals (a composite verification is slow). */
static void print_row(const char *label, double rate, double base, const char *suffix)
{
    bench_print_row(60, 2, label, rate, base, suffix);
}

/* The sizes of one result's forms and of its tokens (1 and 8 GPUs, verbose). */
static void print_sizes(bench_ctx *b)
{
    char *jwt = NULL, *json = NULL;
    uint8_t *cbor = NULL;
    size_t cbor_len = 0;
    if (attest_token_sign(&jwt, b->kept, b->key256.pem, b->key256.len, TOKEN_LIFETIME) ==
            ATTEST_OK &&
        attest_result_to_json(&json, b->kept) == ATTEST_OK &&
        attest_result_to_cbor(&cbor, &cbor_len, b->kept) == ATTEST_OK)
        printf("one result: token %zu bytes, result JSON %zu bytes, CBOR %zu bytes, %zu "
               "checks, ear status %s\n",
               strlen(jwt), strlen(json), cbor_len, attest_result_check_count(b->kept),
               attest_result_ear_status(b->kept));
    attest_string_free(jwt);
    attest_string_free(json);
    attest_bytes_free(cbor);
    char *jwt1 = NULL, *verbose = NULL;
    if (attest_token_sign_key(&jwt1, b->kept1, b->tkey256, TOKEN_LIFETIME, 0) == ATTEST_OK &&
        attest_token_sign_key(&verbose, b->kept, b->tkey256, TOKEN_LIFETIME,
                              ATTEST_TOKEN_VERBOSE) == ATTEST_OK)
        printf("token size: 1 CPU + %d GPUs %zu bytes, 1 CPU + 1 GPU %zu bytes; "
               "ATTEST_TOKEN_VERBOSE (1 CPU + %d GPUs) %zu bytes\n",
               N_GPUS, strlen(b->tok256), strlen(jwt1), N_GPUS, strlen(verbose));
    attest_string_free(jwt1);
    attest_string_free(verbose);
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
        {"openssl EVP ECDSA P-384 verify (SHA-384 digest given)", op_evp_verify384, 0},
        {"openssl EVP ECDSA P-256 sign (SHA-256 digest given)", op_evp_sign256, 0},
        {"composite verify, cached (bundle parsed once)", op_verify, 0},
        {"composite verify + ES256 token, cached (bundle parsed once)", op_verify_token, 0},
        {"composite parse+verify+token, verifier cache kept", op_parse_verify_token, 0},
        {"composite parse+verify+token, uncached (cache cleared)", op_uncached, 0},
        {"  of which: verify alone, cache cleared (parsed once)", op_verify_cache_cleared, 0},
        {"  of which: bundle parse alone (2 RIMs xmlsec, 18 items)", op_parse, 0},
        {"  of which: ES256 token alone (one kept result)", op_token256, 0},
        {"  ES256 token alone, key read once (attest_token_key)", op_token256_key, 0},
        {"  ES384 token alone (one kept result)", op_token384, 0},
        {"  ES256 token verify (one kept token)", op_token_verify256, 0},
        {"  ES384 token verify (one kept token)", op_token_verify384, 0},
        {"composite verify + ES256 token (key read once), cached", op_verify_token_key, 0},
        {"  ES256 token verify, key read once (attest_token_pubkey)", op_token_verify256_key, 0},
    };
    size_t nf = sizeof f / sizeof f[0];
    printf("%d composite bundles of %zu bytes each (1 Milan SNP v3 report of %zu bytes + %d "
           "distinct Hopper GPUs, reports of %zu bytes, fresh nonces per bundle; %zu "
           "collateral items), verified at %s\n"
           "policy: %s (stored OCSP responses carry no nonce); token ES256, %d s lifetime\n"
           "%.2f s per figure (best of %d interleaved rounds), one thread\n",
           N_BUNDLES, b.bundle_len[0], b.cpu_len, N_GPUS, b.gpu_len, b.n_coll, VERIFY_INSTANT,
           POLICY, TOKEN_LIFETIME, secs, BENCH_ROUNDS);
    print_sizes(&b);
    print_cli_rss(&b);
    fflush(stdout);
    bench_measure_all(&b, f, nf, secs, getenv("BENCH_ONLY"));
    double floor1 = f[0].best, floor9 = floor1 > 0 ? floor1 / N_SIGS : floor1;
    print_row(f[0].label, f[0].best, 0, "");
    print_row(f[1].label, f[1].best, 0, "");
    print_row("  floor for a composite: nine P-384 verifies (floor / 9)", floor9, 0, "");
    for (size_t i = 2; i < 7; i++)
        print_row(f[i].label, f[i].best, floor9, " of floor/9");
    for (size_t i = 7; i < nf; i++)
        print_row(f[i].label, f[i].best, 0, "");
    if (floor1 > 0 && f[2].best > 0 && f[3].best > 0)
        printf("  cached: one composite costs %.1f P-384 verifies (%.1f with the token); "
               "%.1f%% of floor/9\n",
               floor1 / f[2].best, floor1 / f[3].best, 100.0 * f[2].best / floor9);
    /* The token rows against their own floor: nine P-384 verifies and one
     * P-256 signature, one after the other. */
    double floor_token = floor1 > 0 && f[1].best > 0 ? 1.0 / (N_SIGS / floor1 + 1.0 / f[1].best)
                                                     : 0;
    const bench_figure *token_key = &f[13]; /* composite verify + ES256 token (key read once) */
    if (floor_token > 0 && f[3].best > 0 && token_key->best > 0)
        printf("  cached + ES256 token / (9 x P-384 + 1 P-256 sign) = %.1f%% (PEM key per "
               "token), %.1f%% (key read once)\n",
               100.0 * f[3].best / floor_token, 100.0 * token_key->best / floor_token);
    attest_verifier_clear_cache(b.v);
    size_t entries = op_verify(&b) == 0 ? attest_verifier_cache_size(b.v) : 0;
    if (floor1 > 0 && f[5].best > 0)
        printf("  uncached: one composite + token costs %.1f P-384 verifies; verifier cache "
               "holds %zu entries after one verification\n",
               floor1 / f[5].best, entries);
    int aborted = 0;
    for (size_t i = 0; i < nf; i++)
        aborted |= f[i].best == -1.0;
    teardown(&b);
    if (aborted)
        fprintf(stderr, "bench: a verification was rejected (see above)\n");
    return aborted ? 1 : 0;
}
