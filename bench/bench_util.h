/*
 * bench_util.h - the measurement harness shared by bench/bench_*.c.
 *
 * Each benchmark is one translation unit that includes this header once,
 * defines `struct bench_ctx` (everything its measured operations need) and
 * writes each operation as a bench_op. The harness then gives:
 *
 *   bench_seconds      BENCH_SECONDS, the wall time per figure;
 *   bench_measure_all  every figure measured in BENCH_ROUNDS interleaved
 *                      rounds (each after a short warm-up), best round kept,
 *                      optionally only the figures BENCH_ONLY names;
 *   bench_print_row    one row of the result table;
 *   bench_evp_verify,  the raw OpenSSL floors: one ECDSA verify over a given
 *   bench_evp_digest_verify  digest, and digest + verify over a message.
 *
 * Everything is static inline, so a benchmark that leaves a helper unused
 * compiles without warnings.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_DEFAULT_SECONDS 2.0
#define BENCH_MAX_WARMUP_SECONDS 0.1
#define BENCH_ROUNDS 5 /* interleaved rounds per figure, see bench_measure_all */

/* Figure values that are not rates (bench_figure.best, bench_print_row). */
#define BENCH_ABORTED (-1.0) /* an operation failed; message printed */
#define BENCH_SKIPPED (-2.0) /* not named by BENCH_ONLY */

/* Defined by each benchmark. */
typedef struct bench_ctx bench_ctx;

/* One measured operation: 0 on success, -1 with a message printed. */
typedef int (*bench_op)(bench_ctx *b);

typedef struct {
    const char *label;
    bench_op op;
    double best; /* best round so far (start at 0); BENCH_ABORTED, BENCH_SKIPPED */
} bench_figure;

/* ---- timing ----------------------------------------------------------- */

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* BENCH_SECONDS, or the default; -1 with a message printed when it is set
 * but not a sane number. */
static inline double bench_seconds(void)
{
    const char *s = getenv("BENCH_SECONDS");
    if (!s || !*s)
        return BENCH_DEFAULT_SECONDS;
    char *end = NULL;
    double d = strtod(s, &end);
    if (*end == '\0' && d > 0.0 && d <= 600.0)
        return d;
    fprintf(stderr, "bench: BENCH_SECONDS must be a number in (0, 600]\n");
    return -1.0;
}

/* Run op repeatedly for `seconds`; returns the count, or -1 on failure.
 * The clock is read every iteration: ~20 ns against operations of
 * microseconds to milliseconds. */
static inline long bench_run_for(bench_ctx *b, bench_op op, double seconds, double *elapsed)
{
    long n = 0;
    double start = bench_now(), t = start;
    while (t - start < seconds) {
        if (op(b) != 0)
            return -1;
        n++;
        t = bench_now();
    }
    *elapsed = t - start;
    return n;
}

/* Operations per second after a short warm-up (caches, lazy provider
 * fetches, CPU frequency), or -1 when an operation failed. */
static inline double bench_measure(bench_ctx *b, bench_op op, double seconds)
{
    double elapsed = 0.0;
    double warm = seconds / 4 < BENCH_MAX_WARMUP_SECONDS ? seconds / 4
                                                         : BENCH_MAX_WARMUP_SECONDS;
    if (bench_run_for(b, op, warm, &elapsed) < 0)
        return -1.0;
    long n = bench_run_for(b, op, seconds, &elapsed);
    return n < 0 || elapsed <= 0.0 ? -1.0 : (double)n / elapsed;
}

/* Measure the n figures for `secs` each in total. They are measured in
 * BENCH_ROUNDS interleaved rounds and each keeps its best round: on a
 * shared or frequency-scaling machine, background load then hits every
 * figure alike instead of whichever one ran at the wrong moment, and the
 * ratios to the floor stay meaningful. A figure whose operation fails is
 * not measured again (BENCH_ABORTED). With `only` non-empty (the caller
 * passes getenv("BENCH_ONLY"), or NULL), figures whose label does not
 * contain it are not measured at all (BENCH_SKIPPED). */
static inline void bench_measure_all(bench_ctx *b, bench_figure *f, size_t n, double secs,
                                     const char *only)
{
    for (size_t i = 0; only && *only && i < n; i++)
        if (!strstr(f[i].label, only))
            f[i].best = BENCH_SKIPPED;
    for (int round = 0; round < BENCH_ROUNDS; round++)
        for (size_t i = 0; i < n; i++) {
            if (f[i].best < 0 && (round > 0 || f[i].best == BENCH_SKIPPED))
                continue; /* aborted: do not repeat the failure; or skipped */
            double rate = bench_measure(b, f[i].op, secs / BENCH_ROUNDS);
            f[i].best = rate < 0 ? BENCH_ABORTED : rate > f[i].best ? rate : f[i].best;
        }
}

/* ---- report ----------------------------------------------------------- */

/* One table row: the label left-aligned in `width` columns, then the rate
 * (or "skipped"/"aborted"); base > 0 adds the share of `base` followed by
 * `suffix`. Rates under 100/s get `small_decimals` decimals, others none. */
static inline void bench_print_row(int width, int small_decimals, const char *label,
                                   double rate, double base, const char *suffix)
{
    int prec = rate < 100 ? small_decimals : 0;
    if (rate == BENCH_SKIPPED)
        printf("  %-*s   skipped (BENCH_ONLY)\n", width, label);
    else if (rate < 0)
        printf("  %-*s   aborted (see message above)\n", width, label);
    else if (base > 0)
        printf("  %-*s %8.*f /s   (%.1f%%%s)\n", width, label, prec, rate, 100.0 * rate / base,
               suffix);
    else
        printf("  %-*s %8.*f /s\n", width, label, prec, rate);
}

/* ---- raw OpenSSL floors ----------------------------------------------- */

/* One ECDSA verify of a DER signature over a given digest (md names the
 * digest), with a fresh EVP_PKEY_CTX per call, as the library does.
 * 0, or -1 with "bench: <what> failed" printed. */
static inline int bench_evp_verify(EVP_PKEY *pub, const EVP_MD *md, const unsigned char *sig,
                                   size_t sig_len, const uint8_t *digest, size_t digest_len,
                                   const char *what)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    int ok = ctx && EVP_PKEY_verify_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
             EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        fprintf(stderr, "bench: %s failed\n", what);
    return ok ? 0 : -1;
}

/* The same floor including the hashing: EVP_DigestVerify of `msg`, with a
 * fresh EVP_MD_CTX per call. 0, or -1 with a message printed. */
static inline int bench_evp_digest_verify(EVP_PKEY *pub, const EVP_MD *md,
                                          const unsigned char *sig, size_t sig_len,
                                          const uint8_t *msg, size_t msg_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        fprintf(stderr, "bench: EVP_DigestVerify failed\n");
    return ok ? 0 : -1;
}

/* ---- set-up helpers ------------------------------------------------- */

typedef struct {
    uint8_t *data;
    size_t len;
} blob;

static inline int fail(const char *what)
{
    fprintf(stderr, "bench: set-up failed: %s\n", what);
    ERR_print_errors_fp(stderr);
    return -1;
}

static inline int read_file(blob *out, const char *dir, const char *name)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = n > 0 && (size_t)n < sizeof path ? fopen(path, "rb") : NULL;
    if (!f) {
        fprintf(stderr, "bench: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *p = malloc(cap);
    while (p) {
        len += fread(p + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *grown = realloc(p, cap *= 2);
        if (!grown) {
            free(p);
            p = NULL;
        } else {
            p = grown;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!p || err || len == 0) {
        free(p);
        fprintf(stderr, "bench: cannot read %s\n", path);
        return -1;
    }
    out->data = p;
    out->len = len;
    return 0;
}

#endif /* BENCH_UTIL_H */
