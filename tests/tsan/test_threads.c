/* Threads under ThreadSanitizer (issue 14): THREADS threads share ONE
 * attest_verifier, ONE attest_collateral and ONE attest_policy (both
 * read-only once built, as include/attest.h documents) and verify every
 * evidence kind concurrently, accepted and rejected, while thread 0 clears
 * the verifier's chain cache now and then and thread 1 changes its bound
 * among small limits (0, 1, 8: evictions under contention), so that cache
 * hits, misses, evictions and clears interleave. Plain C and pthreads (no Criterion) so that the TSan
 * build stays small; run by `make check-tsan` with
 * TSAN_OPTIONS=halt_on_error=1 exitcode=66, so a race fails the run.
 *
 * Usage: test-threads EVDIR PKIDIR [ROUNDS]. EVDIR holds what
 * tests/tsan/make_evidence.sh wrote (mock evidence of the test PKI and two
 * Azure bundles); PKIDIR is build/testpki. */
#include <attest.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define CLEAR_EVERY 3 /* thread 0 clears the cache before every 3rd case */
#define LIMIT_EVERY 2 /* thread 1 sets another cache bound before every 2nd case */
/* The bounds thread 1 cycles through: 8 evicts within one verification of
 * a bundle, 1 at every insertion, 0 caches nothing. */
static const size_t CACHE_LIMITS[] = {8, 1, 8, 0};
#define N_LIMITS (sizeof CACHE_LIMITS / sizeof CACHE_LIMITS[0])

/* All verifications run as of this instant: inside every test PKI's
 * validity and the NVIDIA mock OCSP answers' window (2025-06-01..02). */
#define TSAN_AT "2025-06-01T12:00:00Z"

/* One policy for all kinds: an explicit policy must address each platform;
 * the NVIDIA mock OCSP answers are stored ones (no request nonce). */
static const char POLICY_JSON[] =
    "{\"snp\":{},\"tdx\":{},\"nvidia\":{\"allow_stored_ocsp\":true},\"azure\":{}}";

typedef struct tsan_case {
    const char *file;        /* in EVDIR, or PKIDIR when from_pki */
    int from_pki;
    int bundle;              /* carries its own collateral: verified with none */
    const char *nonce_file;  /* hex, in PKIDIR; NULL: no nonce */
    int flip_nonce;          /* give a nonce one bit off: must be refused */
    const char *want;        /* attest_status_name of the expected status */
    uint8_t *data;
    size_t len;
    attest_evidence *ev;
    uint8_t nonce[ATTEST_NONCE_MAX];
    size_t nonce_len;
} tsan_case;

static tsan_case cases[] = {
    {"snp_milan.bin", 0, 0, NULL, 0, "ATTEST_OK", NULL, 0, NULL, {0}, 0},
    {"snp_genoa.bin", 0, 0, NULL, 0, "ATTEST_OK", NULL, 0, NULL, {0}, 0},
    {"snp_debug.bin", 0, 0, NULL, 0, "ATTEST_E_POLICY_DEBUG", NULL, 0, NULL, {0}, 0},
    {"snp_tampered.bin", 0, 0, NULL, 0, "ATTEST_E_SNP_SIGNATURE", NULL, 0, NULL, {0}, 0},
    {"tdx.bin", 0, 0, NULL, 0, "ATTEST_OK", NULL, 0, NULL, {0}, 0},
    {"tdx_bad.bin", 0, 0, NULL, 0, "ATTEST_E_DCAP_QE_REPORT_DATA", NULL, 0, NULL, {0}, 0},
    {"nvidia/evidence.json", 1, 0, "nvidia/nonce.hex", 0, "ATTEST_OK", NULL, 0, NULL, {0}, 0},
    {"nvidia/evidence.json", 1, 0, "nvidia/nonce.hex", 1, "ATTEST_E_NV_NONCE", NULL, 0, NULL,
     {0}, 0},
    {"azure_snp.json", 0, 1, "azure/snp/nonce.hex", 0, "ATTEST_OK", NULL, 0, NULL, {0}, 0},
    {"azure_tdx.json", 0, 1, "azure/tdx/nonce.hex", 0, "ATTEST_OK", NULL, 0, NULL, {0}, 0},
    {"bundle_milan.json", 0, 1, NULL, 0, "ATTEST_OK", NULL, 0, NULL, {0}, 0},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* The collateral every non-bundle case draws from, in PKIDIR. */
static const char *const COLLATERAL[] = {
    "milan/vcek.pem", "milan/chain.pem", "milan/crl.der",
    "genoa/vcek.pem", "genoa/chain.pem", "genoa/crl.der",
    "intel/tcb_info_tdx.json", "intel/qe_identity_td.json", "intel/tcb_signing_chain.pem",
    "intel/root_crl.der", "intel/pck_crl.der",
    "nvidia/driver_rim.xml", "nvidia/vbios_rim.xml",
    "nvidia/ocsp/device_cert1.der", "nvidia/ocsp/device_cert2.der", "nvidia/ocsp/device_cert3.der",
    "nvidia/ocsp/rim_cert0.der", "nvidia/ocsp/rim_cert1.der", "nvidia/ocsp/rim_cert2.der",
};

static const struct { attest_vendor vendor; const char *file; } ANCHORS[] = {
    {ATTEST_VENDOR_AMD, "milan/anchor.sha256"},
    {ATTEST_VENDOR_AMD, "genoa/anchor.sha256"},
    {ATTEST_VENDOR_INTEL, "intel/anchor.sha256"},
    {ATTEST_VENDOR_NVIDIA_DEVICE, "nvidia/device_anchor.sha256"},
    {ATTEST_VENDOR_NVIDIA_RIM, "nvidia/rim_anchor.sha256"},
    {ATTEST_VENDOR_AZURE_VTPM, "azure/anchor.sha256"},
};

typedef struct shared_state {
    attest_verifier *verifier;
    const attest_collateral *collateral;
    const attest_policy *policy;
    int rounds;
} shared_state;

typedef struct thread_arg {
    const shared_state *shared;
    int index;
    long verifications;
    int mismatches;
} thread_arg;

static uint8_t *read_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "tsan: cannot open %s\n", path); return NULL; }
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size)) != NULL &&
            fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
        *len = size > 0 ? (size_t)size : 0;
    }
    fclose(f);
    if (!buf) fprintf(stderr, "tsan: cannot read %s\n", path);
    return buf;
}

/* Hex text (trailing newline allowed) into out; returns the byte count or 0. */
static size_t read_hex(const char *dir, const char *name, uint8_t *out, size_t max)
{
    size_t len = 0, n = 0;
    char *text = (char *)read_file(dir, name, &len);
    if (!text) return 0;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) len--;
    for (; n < max && 2 * n + 1 < len; n++) {
        unsigned v;
        if (sscanf(text + 2 * n, "%2x", &v) != 1) { n = 0; break; }
        out[n] = (uint8_t)v;
    }
    if (2 * n != len) n = 0;
    free(text);
    return n;
}

static int add_anchors(attest_verifier *v, const char *pki)
{
    for (size_t i = 0; i < sizeof ANCHORS / sizeof ANCHORS[0]; i++) {
        uint8_t spki[32];
        if (read_hex(pki, ANCHORS[i].file, spki, sizeof spki) != sizeof spki ||
            attest_verifier_add_anchor(v, ANCHORS[i].vendor, spki) != ATTEST_OK) {
            fprintf(stderr, "tsan: anchor %s not added\n", ANCHORS[i].file);
            return -1;
        }
    }
    return 0;
}

static int build_collateral(attest_collateral **out, const char *pki)
{
    if (attest_collateral_new(out) != ATTEST_OK) return -1;
    for (size_t i = 0; i < sizeof COLLATERAL / sizeof COLLATERAL[0]; i++) {
        size_t len = 0;
        uint8_t *data = read_file(pki, COLLATERAL[i], &len);
        int rc = data ? attest_collateral_add(*out, data, len) : ATTEST_E_INVALID_ARG;
        free(data);
        if (rc != ATTEST_OK) {
            fprintf(stderr, "tsan: collateral %s: %s\n", COLLATERAL[i], attest_status_name(rc));
            return -1;
        }
    }
    return 0;
}

static int load_cases(const char *evdir, const char *pki)
{
    for (size_t i = 0; i < NCASES; i++) {
        tsan_case *c = &cases[i];
        c->data = read_file(c->from_pki ? pki : evdir, c->file, &c->len);
        if (!c->data || attest_evidence_parse(&c->ev, c->data, c->len) != ATTEST_OK) {
            fprintf(stderr, "tsan: evidence %s does not parse\n", c->file);
            return -1;
        }
        if (c->nonce_file) {
            c->nonce_len = read_hex(pki, c->nonce_file, c->nonce, sizeof c->nonce);
            if (c->nonce_len == 0) return -1;
            if (c->flip_nonce) c->nonce[0] ^= 0x01;
        }
    }
    return 0;
}

/* One verification; 0 when its status is the expected one. */
static int verify_case(const shared_state *s, const tsan_case *c, int thread)
{
    attest_result *r = NULL;
    int rc = attest_verify(&r, s->verifier, c->ev, c->bundle ? NULL : s->collateral, s->policy,
                           c->nonce_len ? c->nonce : NULL, c->nonce_len);
    int bad = strcmp(attest_status_name(rc), c->want) != 0 ||
              (r && attest_result_status(r) != rc);
    if (bad)
        fprintf(stderr, "tsan: thread %d, %s%s: %s, want %s (%s)\n", thread, c->file,
                c->flip_nonce ? " (wrong nonce)" : "", attest_status_name(rc), c->want,
                r ? attest_result_reason(r) : "no result");
    attest_result_free(r);
    return bad;
}

static void *run_thread(void *p)
{
    thread_arg *a = p;
    const shared_state *s = a->shared;
    for (int round = 0; round < s->rounds; round++) {
        for (size_t k = 0; k < NCASES; k++) {
            /* Each thread starts at another case, so that all kinds run at once. */
            size_t i = (k + (size_t)a->index) % NCASES;
            if (a->index == 0 && k % CLEAR_EVERY == 0) attest_verifier_clear_cache(s->verifier);
            if (a->index == 1 && k % LIMIT_EVERY == 0)
                attest_verifier_set_cache_limit(s->verifier,
                                                CACHE_LIMITS[(k / LIMIT_EVERY + (size_t)round) % N_LIMITS]);
            a->mismatches += verify_case(s, &cases[i], a->index);
            a->verifications++;
        }
    }
    return NULL;
}

static int set_up(shared_state *s, attest_collateral **coll, attest_policy **pol,
                  const char *evdir, const char *pki)
{
    int64_t at;
    if (attest_verifier_new(&s->verifier) != ATTEST_OK || attest_time_parse(&at, TSAN_AT) != ATTEST_OK ||
        attest_verifier_set_time(s->verifier, at) != ATTEST_OK)
        return -1;
    if (add_anchors(s->verifier, pki) || build_collateral(coll, pki) || load_cases(evdir, pki))
        return -1;
    if (attest_policy_from_json(pol, POLICY_JSON, sizeof POLICY_JSON - 1) != ATTEST_OK) return -1;
    s->collateral = *coll;
    s->policy = *pol;
    return 0;
}

static int run_threads(const shared_state *s, long *total)
{
    pthread_t tid[THREADS];
    thread_arg args[THREADS];
    int started = 0, mismatches = 0;
    for (int t = 0; t < THREADS; t++) {
        args[t] = (thread_arg){s, t, 0, 0};
        if (pthread_create(&tid[t], NULL, run_thread, &args[t]) != 0) break;
        started++;
    }
    for (int t = 0; t < started; t++) {
        pthread_join(tid[t], NULL);
        *total += args[t].verifications;
        mismatches += args[t].mismatches;
    }
    if (started != THREADS) fprintf(stderr, "tsan: only %d threads started\n", started);
    return started == THREADS ? mismatches : mismatches + 1;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s EVDIR PKIDIR [ROUNDS]\n", argv[0]);
        return 2;
    }
    shared_state s = {NULL, NULL, NULL, argc == 4 ? atoi(argv[3]) : 4};
    attest_collateral *coll = NULL;
    attest_policy *pol = NULL;
    long total = 0;
    int failures = s.rounds < 1 || set_up(&s, &coll, &pol, argv[1], argv[2]) != 0;
    /* A first pass on one thread: a wrong verdict shows here without races. */
    for (size_t i = 0; !failures && i < NCASES; i++) failures += verify_case(&s, &cases[i], -1);
    if (!failures && attest_verifier_set_cache_limit(s.verifier, CACHE_LIMITS[0]) != ATTEST_OK)
        failures = 1;
    if (!failures) failures = run_threads(&s, &total);
    if (!failures)
        printf("tsan: %ld verifications in %d threads, all verdicts as expected\n", total, THREADS);
    for (size_t i = 0; i < NCASES; i++) {
        attest_evidence_free(cases[i].ev);
        free(cases[i].data);
    }
    attest_policy_free(pol);
    attest_collateral_free(coll);
    attest_verifier_free(s.verifier);
    return failures ? 1 : 0;
}
