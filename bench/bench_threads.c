/*
 * bench_threads - does one verifier shared by threads scale? (issue 13)
 *
 * A gateway shares one attest_verifier (and its cache) between its worker
 * threads. With nothing serialising them, N threads sharing it verify N
 * times as fast as one, and as fast as N processes each with its own
 * verifier (which share nothing at all). For warm TDX (collateral parsed
 * once, every check but the two per-quote signatures cached) and warm SNP
 * (chain cached, one P-384 verify per report) it prints:
 *
 *   1 thread            verifications per second of one thread;
 *   N threads, shared   N threads sharing one verifier, collateral and the
 *                       parsed evidence (all read-only: include/attest.h);
 *   N processes         N forked copies, each with its own verifier;
 *   the ratios          shared / 1 thread (target >= 1.9 for N = 2) and
 *                       shared / processes (target >= 95%).
 *
 * Each figure runs BENCH_SECONDS / BENCH_ROUNDS per round, the figures
 * interleaved over BENCH_ROUNDS rounds, best round kept (as bench_util.h
 * does), so that load from elsewhere hits every figure alike. On a busy
 * machine with fewer free cores than N the ratios mean little: the output
 * says how many cores are online. Prints figures only, never asserts.
 *
 * Environment:
 *   ATTEST_TEST_PKI  build/testpki (intel/ and milan/ are read; required)
 *   BENCH_SECONDS    wall time per figure (default 2)
 *   BENCH_THREADS    N (default 2, at most 16)
 *   BENCH_ONLY       "tdx" or "snp": that platform only
 *
 * Profiling the shared figure, e.g.:
 *   BENCH_ONLY=tdx BENCH_SECONDS=20 perf record -g build/bench-threads
 */
#include "attest.h"
#include "dcapgen.h"
#include "snpgen.h"
#include "bench_util.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define TDX_INSTANT "2025-06-15T00:00:00Z"
#define SNP_INSTANT "2025-06-01T00:00:00Z"
#define N_EVIDENCE 64 /* TDX quotes of one TD with distinct REPORTDATA */
#define MAX_THREADS 16

static const char *const tdx_collateral[] = {
    "tcb_info_tdx.json", "qe_identity_td.json", "tcb_signing_chain.pem",
    "root_crl.der",      "pck_crl.der",
};
static const char *const snp_collateral[] = {"vcek.pem", "chain.pem", "crl.der"};

/* One platform's warm set-up: what every worker reads. */
struct bench_ctx {
    const char *name;
    attest_verifier *v;
    attest_collateral *coll;
    attest_evidence *ev[N_EVIDENCE];
    size_t n_ev;
};

/* ---- set-up ----------------------------------------------------------- */

static int parse_pin(uint8_t pin[32], const char *hex)
{
    for (int i = 0; i < 32; i++) {
        unsigned byte = 0;
        char two[3] = {hex[2 * i], hex[2 * i + 1], 0};
        if (!two[0] || !two[1] || sscanf(two, "%2x", &byte) != 1)
            return -1;
        pin[i] = (uint8_t)byte;
    }
    return 0;
}

/* A verifier trusting only `dir`/anchor.sha256 for `vendor`, at `instant`. */
static int setup_verifier(bench_ctx *b, const char *dir, attest_vendor vendor,
                          const char *instant)
{
    blob hex = {0};
    uint8_t pin[32];
    int64_t t = 0;
    if (read_file(&hex, dir, "anchor.sha256") != 0)
        return -1;
    char text[65] = {0};
    memcpy(text, hex.data, hex.len < 64 ? hex.len : 64);
    free(hex.data);
    if (parse_pin(pin, text) != 0)
        return fail("anchor.sha256 is not 64 hex digits");
    if (attest_verifier_new(&b->v) != ATTEST_OK ||
        attest_verifier_clear_anchors(b->v, vendor) != ATTEST_OK ||
        attest_verifier_add_anchor(b->v, vendor, pin) != ATTEST_OK ||
        attest_time_parse(&t, instant) != ATTEST_OK ||
        attest_verifier_set_time(b->v, t) != ATTEST_OK)
        return fail(attest_error_last());
    return 0;
}

static int setup_collateral(bench_ctx *b, const char *dir, const char *const *files, size_t n)
{
    if (attest_collateral_new(&b->coll) != ATTEST_OK)
        return fail("attest_collateral_new");
    for (size_t i = 0; i < n; i++) {
        blob item = {0};
        if (read_file(&item, dir, files[i]) != 0)
            return -1;
        int status = attest_collateral_add(b->coll, item.data, item.len);
        free(item.data);
        if (status != ATTEST_OK)
            return fail(attest_error_last());
    }
    return 0;
}

/* N_EVIDENCE TDX v4 quotes of one TD, signed by one attestation key and
 * sharing one QE report signature, as quotes of one platform do. */
static int setup_tdx_quotes(bench_ctx *b, const dcapgen_pki *pki)
{
    dcapgen_quote_desc d;
    dcapgen_quote_layout layout;
    EVP_PKEY *att = NULL;
    uint8_t *first = NULL;
    int rc = -1;
    if (dcapgen_p256_keygen(&att) != 0 || dcapgen_quote_desc_init(&d, pki, 1, 4, 0) != 0)
        goto out;
    d.att_key = att;
    for (size_t i = 0; i < N_EVIDENCE; i++) {
        uint8_t *q = NULL, *rd = d.body + DCAPGEN_TD_OFF_REPORTDATA;
        size_t len = 0;
        memset(rd, 0xA5, DCAPGEN_LEN_REPORTDATA);
        memcpy(rd, &i, sizeof i);
        if (dcapgen_quote_build(&q, &len, &layout, &d) != 0)
            goto out;
        if (first)
            memcpy(q + layout.qe_report_sig_off, first + layout.qe_report_sig_off,
                   DCAPGEN_SIG_SIZE);
        int status = attest_evidence_parse(&b->ev[i], q, len);
        if (first)
            free(q);
        else
            first = q;
        if (status != ATTEST_OK)
            goto out;
        b->n_ev++;
    }
    rc = 0;
out:
    free(first);
    EVP_PKEY_free(att);
    return rc == 0 ? 0 : fail("building the TDX quotes");
}

static int setup_tdx(bench_ctx *b, const char *root)
{
    char dir[4096];
    dcapgen_pki *pki = NULL;
    snprintf(dir, sizeof dir, "%s/intel", root);
    b->name = "tdx";
    if (dcapgen_pki_load(&pki, dir) != 0)
        return fail("dcapgen_pki_load");
    int rc = setup_tdx_quotes(b, pki);
    dcapgen_pki_free(pki);
    if (rc != 0 || setup_verifier(b, dir, ATTEST_VENDOR_INTEL, TDX_INSTANT) != 0)
        return -1;
    return setup_collateral(b, dir, tdx_collateral,
                            sizeof tdx_collateral / sizeof tdx_collateral[0]);
}

/* One Milan v3 report (the chain is the same for every report of a chip:
 * only the report signature is new each time). */
static int setup_snp(bench_ctx *b, const char *root)
{
    char dir[4096];
    snpgen_pki *pki = NULL;
    uint8_t report[SNPGEN_REPORT_SIZE];
    snprintf(dir, sizeof dir, "%s/milan", root);
    b->name = "snp";
    if (snpgen_pki_load(&pki, dir) != 0)
        return fail("snpgen_pki_load");
    int ok = snpgen_report_init(report, pki, 3) == 0 &&
             snpgen_report_sign(report, pki->vcek_key) == 0 &&
             attest_evidence_parse(&b->ev[0], report, sizeof report) == ATTEST_OK;
    snpgen_pki_free(pki);
    if (!ok)
        return fail("building the SNP report");
    b->n_ev = 1;
    if (setup_verifier(b, dir, ATTEST_VENDOR_AMD, SNP_INSTANT) != 0)
        return -1;
    return setup_collateral(b, dir, snp_collateral,
                            sizeof snp_collateral / sizeof snp_collateral[0]);
}

static void teardown(bench_ctx *b)
{
    for (size_t i = 0; i < b->n_ev; i++)
        attest_evidence_free(b->ev[i]);
    attest_collateral_free(b->coll);
    attest_verifier_free(b->v);
}

/* ---- workers ---------------------------------------------------------- */

static int verify_one(bench_ctx *b, size_t i)
{
    attest_result *r = NULL;
    int status = attest_verify(&r, b->v, b->ev[i % b->n_ev], b->coll, NULL, NULL, 0);
    if (status != ATTEST_OK)
        fprintf(stderr, "bench: %s verify: %s: %s\n", b->name, attest_status_name(status),
                r ? attest_result_reason(r) : attest_error_last());
    attest_result_free(r);
    return status == ATTEST_OK ? 0 : -1;
}

typedef struct worker {
    bench_ctx *b;
    size_t start;             /* first evidence index: workers go round apart */
    double seconds;
    pthread_barrier_t *go;    /* NULL: start at once */
    double rate;              /* out: verifications per second, -1 on failure */
} worker;

static void *worker_run(void *arg)
{
    worker *w = arg;
    if (w->go)
        pthread_barrier_wait(w->go);
    long n = 0;
    double start = bench_now(), t = start;
    while (t - start < w->seconds) {
        if (verify_one(w->b, w->start + (size_t)n) != 0) {
            w->rate = -1.0;
            return NULL;
        }
        n++;
        t = bench_now();
    }
    w->rate = (double)n / (t - start);
    return NULL;
}

/* Sum of the workers' rates, -1 when one failed. */
static double sum_rates(const worker *w, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (w[i].rate < 0)
            return -1.0;
        sum += w[i].rate;
    }
    return sum;
}

/* `n` threads sharing b's verifier, started together. */
static double run_threads(bench_ctx *b, int n, double seconds)
{
    pthread_t tid[MAX_THREADS];
    worker w[MAX_THREADS];
    pthread_barrier_t go;
    if (pthread_barrier_init(&go, NULL, (unsigned)n) != 0)
        return -1.0;
    int started = 0;
    for (; started < n; started++) {
        w[started] = (worker){b, (size_t)started * 17, seconds, &go, -1.0};
        if (started > 0 && pthread_create(&tid[started], NULL, worker_run, &w[started]) != 0)
            break;
    }
    if (started < n) { /* cannot happen on a sane system: give up the figure */
        fprintf(stderr, "bench: pthread_create failed\n");
        exit(1);
    }
    worker_run(&w[0]);
    for (int i = 1; i < n; i++)
        pthread_join(tid[i], NULL);
    pthread_barrier_destroy(&go);
    return sum_rates(w, n);
}

/* `n` forked processes, each with its copy of the warm verifier (copy on
 * write: nothing shared at run time); each reports its rate on a pipe. */
static double run_processes(bench_ctx *b, int n, double seconds)
{
    int fds[MAX_THREADS][2];
    pid_t pid[MAX_THREADS];
    fflush(NULL);
    for (int i = 0; i < n; i++) {
        if (pipe(fds[i]) != 0 || (pid[i] = fork()) < 0) {
            perror("bench: fork");
            exit(1);
        }
        if (pid[i] == 0) {
            worker w = {b, (size_t)i * 17, seconds, NULL, -1.0};
            worker_run(&w);
            ssize_t wr = write(fds[i][1], &w.rate, sizeof w.rate);
            _exit(wr == (ssize_t)sizeof w.rate ? 0 : 1);
        }
        close(fds[i][1]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double rate = -1.0;
        if (read(fds[i][0], &rate, sizeof rate) != (ssize_t)sizeof rate || rate < 0)
            sum = -1.0;
        else if (sum >= 0)
            sum += rate;
        close(fds[i][0]);
        waitpid(pid[i], NULL, 0);
    }
    return sum;
}

/* ---- measurement and report ------------------------------------------- */

typedef struct figures {
    double one, shared, procs; /* best round of each */
} figures;

static double best(double so_far, double rate)
{
    return rate < 0 || so_far < 0 ? -1.0 : rate > so_far ? rate : so_far;
}

static void measure(bench_ctx *b, int n, double secs, figures *f)
{
    double per = secs / BENCH_ROUNDS;
    *f = (figures){0, 0, 0};
    for (int i = 0; i < N_EVIDENCE; i++) /* warm: every check cached */
        if (verify_one(b, (size_t)i) != 0) {
            *f = (figures){-1, -1, -1};
            return;
        }
    for (int round = 0; round < BENCH_ROUNDS; round++) {
        f->one = best(f->one, run_threads(b, 1, per));
        f->shared = best(f->shared, run_threads(b, n, per));
        f->procs = best(f->procs, run_processes(b, n, per));
    }
}

static void report(const bench_ctx *b, int n, const figures *f)
{
    char label[96];
    snprintf(label, sizeof label, "%s warm, 1 thread", b->name);
    bench_print_row(44, 1, label, f->one, 0, "");
    snprintf(label, sizeof label, "%s warm, %d threads sharing one verifier", b->name, n);
    bench_print_row(44, 1, label, f->shared, 0, "");
    snprintf(label, sizeof label, "%s warm, %d processes", b->name, n);
    bench_print_row(44, 1, label, f->procs, 0, "");
    if (f->one > 0 && f->shared > 0 && f->procs > 0)
        printf("  %s: %d threads / 1 thread = %.2fx (target >= %.1fx); "
               "threads / processes = %.1f%% (target >= 95%%)\n",
               b->name, n, f->shared / f->one, 0.95 * n, 100.0 * f->shared / f->procs);
}

static int threads_wanted(void)
{
    const char *s = getenv("BENCH_THREADS");
    int n = s && *s ? atoi(s) : 2;
    return n >= 1 && n <= MAX_THREADS ? n : -1;
}

static int run_platform(const char *root, const char *name, double secs, int n)
{
    const char *only = getenv("BENCH_ONLY");
    if (only && *only && strcmp(only, name) != 0)
        return 0;
    bench_ctx b;
    memset(&b, 0, sizeof b);
    int rc = strcmp(name, "tdx") == 0 ? setup_tdx(&b, root) : setup_snp(&b, root);
    if (rc == 0) {
        figures f;
        measure(&b, n, secs, &f);
        report(&b, n, &f);
    }
    teardown(&b);
    return rc;
}

int main(void)
{
    const char *root = getenv("ATTEST_TEST_PKI");
    double secs = bench_seconds();
    int n = threads_wanted();
    if (secs < 0 || n < 0) {
        fprintf(stderr, "bench: BENCH_THREADS must be 1..%d\n", MAX_THREADS);
        return 1;
    }
    if (!root || !*root)
        return fail("ATTEST_TEST_PKI is not set (run `make bench-threads`)") ? 1 : 0;
    printf("libattest %s, %s\n%.2f s per figure (best of %d interleaved rounds), %d "
           "threads, %ld cores online\n", attest_version(), OpenSSL_version(OPENSSL_VERSION),
           secs, BENCH_ROUNDS, n, sysconf(_SC_NPROCESSORS_ONLN));
    fflush(stdout);
    if (run_platform(root, "tdx", secs, n) != 0 || run_platform(root, "snp", secs, n) != 0)
        return 1;
    return 0;
}
