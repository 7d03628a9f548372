/*
 * soak - memory under load (issue 14): one verifier verifies COUNT
 * (default 100,000) SEV-SNP reports of distinct chips, hence distinct VCEKs
 * and distinct chains, each with its own collateral object as a gateway
 * would receive it, with the verifier's default cache bound. It prints
 * resident memory (VmRSS, /proc/self/status) and the cache size at
 * checkpoints: once the cache is full (it holds its bound, the least
 * recently used chains evicted), resident memory must stay flat.
 *
 * Everything is generated in process (vectors/gen/snpgen.c): one Milan test
 * PKI with RSA-2048 ARK and ASK (signing 100k VCEKs with RSA-4096 would
 * take most of the run), one VCEK key shared by every chip (the VCEK
 * certificates, their hwID and hence the cache keys still differ), a v3
 * report per chip signed by it.
 *
 * Exit status: 0 when every report was accepted and resident memory grew
 * by at most SOAK_SLACK_KIB between the checkpoint after the cache filled
 * (10,000) and the last one; 1 otherwise. Not part of `make check`: run by
 * `make soak` (a few minutes on one core).
 *
 * Usage: soak [COUNT]   (COUNT >= 1; checkpoints beyond it are skipped)
 */
#include "attest.h"
#include "snpgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SOAK_DEFAULT_COUNT 100000L
#define SOAK_FLAT_FROM 10000L  /* the cache (4096 entries) is full by then */
#define SOAK_SLACK_KIB 4096L   /* allocator noise allowed after that */
#define SOAK_INSTANT "2025-06-01T00:00:00Z"

static const long checkpoints[] = {1000, 5000, 10000, 20000, 50000, 100000};
#define N_CHECKPOINTS (sizeof checkpoints / sizeof checkpoints[0])

typedef struct soak {
    snpgen_pki *pki;
    attest_verifier *v;
    uint8_t *ask_der, *ark_der, *crl_der; /* the same for every chip */
    int ask_len, ark_len, crl_len;
} soak;

static long vm_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static int die(const char *what)
{
    fprintf(stderr, "soak: %s: %s\n", what, attest_error_last());
    return -1;
}

static int setup(soak *s)
{
    char hex[65];
    uint8_t pin[32];
    int64_t t = 0;
    if (snpgen_pki_generate(&s->pki, SNPGEN_MILAN, NULL, NULL, 2048) != 0)
        return die("generating the test PKI");
    if (snpgen_spki_sha256_hex(hex, s->pki->ark) != 0)
        return die("ARK SPKI hash");
    for (int i = 0; i < 32; i++) {
        unsigned byte = 0;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
            return die("ARK SPKI hex");
        pin[i] = (uint8_t)byte;
    }
    s->ask_len = i2d_X509(s->pki->ask, &s->ask_der);
    s->ark_len = i2d_X509(s->pki->ark, &s->ark_der);
    s->crl_len = i2d_X509_CRL(s->pki->crl, &s->crl_der);
    if (s->ask_len <= 0 || s->ark_len <= 0 || s->crl_len <= 0)
        return die("encoding the ASK, ARK or CRL");
    if (attest_verifier_new(&s->v) != ATTEST_OK ||
        attest_verifier_clear_anchors(s->v, ATTEST_VENDOR_AMD) != ATTEST_OK ||
        attest_verifier_add_anchor(s->v, ATTEST_VENDOR_AMD, pin) != ATTEST_OK ||
        attest_time_parse(&t, SOAK_INSTANT) != ATTEST_OK ||
        attest_verifier_set_time(s->v, t) != ATTEST_OK)
        return die("the verifier");
    return 0;
}

static void teardown(soak *s)
{
    attest_verifier_free(s->v);
    OPENSSL_free(s->ask_der);
    OPENSSL_free(s->ark_der);
    OPENSSL_free(s->crl_der);
    snpgen_pki_free(s->pki);
}

/* Chip `n`'s id: the default id with n in its first bytes. */
static void chip_id_of(uint8_t id[SNPGEN_CHIP_ID_LEN], long n)
{
    for (int i = 0; i < SNPGEN_CHIP_ID_LEN; i++)
        id[i] = (uint8_t)(0xC0 ^ i);
    for (int i = 0; i < 8; i++)
        id[i] = (uint8_t)((unsigned long)n >> (8 * i));
}

/* The VCEK of chip `id`, DER, issued by the ASK (as issue_vek in snpgen.c). */
static int issue_vcek(const soak *s, const uint8_t id[SNPGEN_CHIP_ID_LEN], uint8_t **der)
{
    snpgen_cert_opts o;
    snpgen_vek_ext e;
    X509 *cert = NULL;
    if (snpgen_cert_opts_init(&o) != 0 || snpgen_vek_ext_init(&e, s->pki->product, &s->pki->tcb) != 0 ||
        snpgen_vek_ext_set_hwid(&e, s->pki->product, id) != 0)
        return -1;
    o.cn = "SEV-VCEK";
    o.serial = SNPGEN_SERIAL_VEK;
    o.subject_key = s->pki->vcek_key;
    o.issuer_cert = s->pki->ask;
    o.issuer_key = s->pki->ask_key;
    o.vek = &e;
    if (snpgen_cert_issue(&cert, &o) != 0)
        return -1;
    int len = i2d_X509(cert, der);
    X509_free(cert);
    return len;
}

/* One chip: its VCEK, its report, a collateral object, one verification. */
static int verify_chip(soak *s, long n)
{
    uint8_t id[SNPGEN_CHIP_ID_LEN], report[SNPGEN_REPORT_SIZE], *vcek = NULL;
    attest_evidence *ev = NULL;
    attest_collateral *c = NULL;
    attest_result *r = NULL;
    chip_id_of(id, n);
    int vcek_len = issue_vcek(s, id, &vcek);
    int status = ATTEST_E_INTERNAL;
    if (vcek_len > 0 && snpgen_report_init_ex(report, s->pki->product, 3, id, &s->pki->tcb) == 0 &&
        snpgen_report_sign(report, s->pki->vcek_key) == 0 &&
        attest_evidence_parse(&ev, report, sizeof report) == ATTEST_OK &&
        attest_collateral_new(&c) == ATTEST_OK &&
        attest_collateral_add(c, vcek, (size_t)vcek_len) == ATTEST_OK &&
        attest_collateral_add(c, s->ask_der, (size_t)s->ask_len) == ATTEST_OK &&
        attest_collateral_add(c, s->ark_der, (size_t)s->ark_len) == ATTEST_OK &&
        attest_collateral_add(c, s->crl_der, (size_t)s->crl_len) == ATTEST_OK)
        status = attest_verify(&r, s->v, ev, c, NULL, NULL, 0);
    if (status != ATTEST_OK)
        fprintf(stderr, "soak: chip %ld: %s: %s\n", n, attest_status_name(status),
                r ? attest_result_reason(r) : attest_error_last());
    attest_result_free(r);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    OPENSSL_free(vcek);
    return status == ATTEST_OK ? 0 : -1;
}

static long count_wanted(int argc, char **argv)
{
    if (argc < 2)
        return SOAK_DEFAULT_COUNT;
    char *end = NULL;
    long n = strtol(argv[1], &end, 10);
    return *end == '\0' && n >= 1 ? n : -1;
}

int main(int argc, char **argv)
{
    long count = count_wanted(argc, argv), rss_flat_from = -1, rss_last = -1;
    if (count < 0) {
        fprintf(stderr, "usage: soak [COUNT >= 1]\n");
        return 2;
    }
    soak s = {0};
    if (setup(&s) != 0) {
        teardown(&s);
        return 1;
    }
    printf("soak: %ld distinct Milan chips through one verifier, cache bound: default\n"
           "%12s %12s %12s %10s\n", count, "verified", "VmRSS KiB", "cache size", "seconds");
    fflush(stdout);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t next = 0;
    int rc = 0;
    for (long n = 1; n <= count && rc == 0; n++) {
        rc = verify_chip(&s, n);
        if (!(next < N_CHECKPOINTS && n == checkpoints[next]) && n != count)
            continue;
        next += next < N_CHECKPOINTS && n == checkpoints[next];
        clock_gettime(CLOCK_MONOTONIC, &t);
        rss_last = vm_rss_kib();
        if (n == SOAK_FLAT_FROM)
            rss_flat_from = rss_last;
        printf("%12ld %12ld %12zu %10.1f\n", n, rss_last, attest_verifier_cache_size(s.v),
               (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9);
        fflush(stdout);
    }
    if (rc == 0 && rss_flat_from > 0) {
        long grown = rss_last - rss_flat_from;
        printf("soak: VmRSS grew %ld KiB from %ld to %ld verifications (allowed %ld)\n", grown,
               SOAK_FLAT_FROM, count, SOAK_SLACK_KIB);
        rc = grown > SOAK_SLACK_KIB;
    }
    teardown(&s);
    return rc == 0 ? 0 : 1;
}
