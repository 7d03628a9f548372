/*
 * bench_online.c - online collateral figures (issue 10), against
 * tests/http_server.py on 127.0.0.1 (never the internet), with a fixed
 * latency added to every answer as a distant service would have:
 *
 *  (a) the CLI, process start to verdict: `attest verify --online --cache`
 *      with a warm cache next to `attest verify` of the same report with the
 *      collateral as files (the real SNP S10 Genoa set at its recorded
 *      instant; skipped when ATTEST_SHARED/vectors is absent);
 *  (b) one 8-GPU machine's RIMs and OCSP (attest-mock nvidia pki --gpus 8,
 *      the server's live OCSP signer) fetched with the transport's
 *      parallelism at 8 and at 1 (the internal attest_fetcher_set_parallel).
 *
 * Medians of BENCH_RUNS runs (default 15 CLI runs, 5 fetches). Figures are
 * printed, never asserted. Run from the repository root (`make bench`);
 * ATTEST_CLI / ATTEST_MOCK name the binaries (default build/attest,
 * build/attest-mock), BENCH_LATENCY_MS the added latency (default 20).
 */
#include "attest.h"
#include "bench_util.h"
#include "../lib/api/fetch.h"
#include "../lib/api/http.h"

#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* The recorded KDS answers' instant (shared/vectors/online/MANIFEST.md). */
#define RECORDED_AT "2026-06-29T12:00:00Z"
#define SNP_SET "snp/sets/S10_genoa_v3_tinfoil/"
#define MAX_RUNS 101

typedef struct server {
    pid_t pid;
    int stdin_fd;
    int port;
    char dir[64];
} server;

struct bench_ctx { int unused; }; /* bench_util.h's harness is not used here */

static int env_int(const char *name, int deflt, int lo, int hi)
{
    const char *s = getenv(name);
    char *end = NULL;
    long v = s && *s ? strtol(s, &end, 10) : deflt;
    if (s && *s && (*end || v < lo || v > hi)) {
        fprintf(stderr, "bench: %s must be %d..%d; using %d\n", name, lo, hi, deflt);
        v = deflt;
    }
    return (int)v;
}

static const char *env_or(const char *name, const char *deflt)
{
    const char *s = getenv(name);
    return s && *s ? s : deflt;
}

/* ---- the loopback server --------------------------------------------- */

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : fail(path);
}

/* Start tests/http_server.py with `routes` (JSON) and `latency_ms`. */
static int server_start(server *s, const char *routes, int latency_ms)
{
    char path[128], latency[16], line[64] = "";
    snprintf(s->dir, sizeof s->dir, "/tmp/attest-bench-online-XXXXXX");
    if (!mkdtemp(s->dir))
        return fail("mkdtemp");
    snprintf(path, sizeof path, "%s/routes.json", s->dir);
    snprintf(latency, sizeof latency, "%d", latency_ms);
    int out[2], in[2];
    if (write_text(path, routes) || pipe(out) || pipe(in))
        return fail("server set-up");
    s->pid = fork();
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("python3", "python3", "tests/http_server.py", path, "--latency", latency,
               (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->stdin_fd = in[1];
    FILE *from = fdopen(out[0], "r");
    int got = from && fgets(line, sizeof line, from) && sscanf(line, "PORT %d", &s->port) == 1;
    if (from)
        fclose(from);
    return s->pid > 0 && got ? 0 : fail("tests/http_server.py did not start (python3?)");
}

static void server_stop(server *s)
{
    close(s->stdin_fd);
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", s->dir);
}

static void url_of(char *buf, size_t n, const server *s, const char *path)
{
    snprintf(buf, n, "http://127.0.0.1:%d%s", s->port, path);
}

/* Requests the server answered so far (its /__requests counter), or -1. */
static long server_requests(const server *s)
{
    char url[96];
    url_of(url, sizeof url, s, "/__requests");
    attest_http_request req = {.method = ATTEST_HTTP_GET, .url = url};
    attest_http_options opt = {.no_retries = true};
    attest_http_response r;
    long n = -1;
    if (attest_http_fetch(&req, 1, &opt, &r) == 0 && r.completed && r.status == 200)
        n = strtol((const char *)r.body, NULL, 10);
    attest_http_response_free(&r);
    return n;
}

/* ---- timing helpers --------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run argv (stdout and stderr to /dev/null); its exit status, or -1. */
static int run_quiet(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Median wall time (ms) of `runs` runs of argv, process start to exit;
 * -1 when a run does not exit 0. */
static double time_cli(char *const argv[], int runs)
{
    double t[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double start = bench_now();
        int rc = run_quiet(argv);
        t[i] = (bench_now() - start) * 1e3;
        if (rc != 0) {
            fprintf(stderr, "bench: %s %s exited %d\n", argv[0], argv[1], rc);
            return -1;
        }
    }
    return median(t, runs);
}

/* ---- routes ----------------------------------------------------------- */

/* The path of a URL (after the host, before the query). */
static void path_of(char *out, size_t n, const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    snprintf(out, n, "%.*s", p ? (int)strcspn(p, "?") : 0, p ? p : "");
}

static attest_evidence *parse_file(const char *dir, const char *name)
{
    blob b = {0};
    attest_evidence *ev = NULL;
    if (read_file(&b, dir, name) != 0)
        return NULL;
    if (attest_evidence_parse(&ev, b.data, b.len) != ATTEST_OK)
        fprintf(stderr, "bench: %s/%s: %s\n", dir, name, attest_error_last());
    free(b.data);
    return ev;
}

/* Routes answering the SNP set's VCEK and cert_chain at the paths its
 * needs name (no Genoa CRL was recorded: that need stays a 404). */
static char *snp_routes(const attest_evidence *ev, const char *set)
{
    attest_needs *needs = NULL;
    if (attest_collateral_needs(&needs, ev, NULL) != ATTEST_OK)
        return NULL;
    json_t *routes = json_object();
    for (size_t i = 0; i < attest_needs_count(needs); i++) {
        attest_need_kind kind = attest_needs_kind(needs, i);
        const char *file = kind == ATTEST_NEED_AMD_VCEK         ? "vcek.der"
                           : kind == ATTEST_NEED_AMD_CERT_CHAIN ? "kds_vcek_cert_chain.pem"
                                                                : NULL;
        char path[512], body[1100];
        if (!file)
            continue;
        path_of(path, sizeof path, attest_needs_url(needs, i));
        snprintf(body, sizeof body, "%s/%s", set, file);
        json_object_set_new(routes, path, json_pack("{s:s}", "body_file", body));
    }
    attest_needs_free(needs);
    char *text = json_dumps(routes, 0);
    json_decref(routes);
    return text;
}

/* ---- (a) the CLI: warm cache vs files ---------------------------------- */

typedef struct cli_case {
    const char *cli, *set, *policy, *cache;
    char kds[64], report[1100], vcek[1100], chain[1100];
} cli_case;

/* Median ms of `attest verify --online --cache` (warmed by one run first)
 * and the requests each run still makes; -1 on failure. */
static double time_online(const cli_case *c, const server *s, int runs, double *requests)
{
    char *argv[] = {(char *)c->cli, "verify", "--at", RECORDED_AT, "--policy",
                    (char *)c->policy, "--online", "--cache", (char *)c->cache, "--kds",
                    (char *)c->kds, (char *)c->report, NULL};
    if (run_quiet(argv) != 0) { /* warms the cache */
        fprintf(stderr, "bench: the warming run of verify --online failed\n");
        return -1;
    }
    long before = server_requests(s);
    double ms = time_cli(argv, runs);
    long after = server_requests(s);
    *requests = before >= 0 && after >= 0 ? (double)(after - before) / runs : -1;
    return ms;
}

static double time_files(const cli_case *c, int runs)
{
    char *argv[] = {(char *)c->cli, "verify", "--at", RECORDED_AT, "--policy",
                    (char *)c->policy, (char *)c->report, (char *)c->vcek, (char *)c->chain,
                    NULL};
    return time_cli(argv, runs);
}

static void print_cli_figures(double online, double requests, double files, int runs,
                              int latency)
{
    printf("(a) CLI, process start to verdict, SNP S10 Genoa at %s, median of %d runs\n",
           RECORDED_AT, runs);
    printf("    server latency %d ms per request\n", latency);
    printf("  %-58s %8.1f ms\n", "attest verify REPORT VCEK CHAIN (files)", files);
    printf("  %-58s %8.1f ms  (%.1f requests/run)\n",
           "attest verify --online --cache DIR --kds LOOPBACK (warm)", online, requests);
    printf("    the requests left: the Genoa KDS CRL (none recorded: a 404, never cached)\n");
}

static int bench_cli(const char *cli, int runs, int latency)
{
    cli_case c = {.cli = cli};
    char set[1024], tmp[64] = "/tmp/attest-bench-cli-XXXXXX", policy[96], cache[96];
    snprintf(set, sizeof set, "%s/vectors/" SNP_SET, env_or("ATTEST_SHARED", "../shared"));
    if (access(set, R_OK) != 0) {
        printf("(a) skipped: %s absent (set ATTEST_SHARED to the shared folder)\n", set);
        return 0;
    }
    attest_evidence *ev = parse_file(set, "report.bin");
    char *routes = ev ? snp_routes(ev, set) : NULL;
    attest_evidence_free(ev);
    server s;
    if (!routes || !mkdtemp(tmp) || server_start(&s, routes, latency) != 0) {
        free(routes);
        return fail("(a) set-up");
    }
    free(routes);
    snprintf(policy, sizeof policy, "%s/policy.json", tmp);
    snprintf(cache, sizeof cache, "%s/cache", tmp);
    write_text(policy, "{\"snp\": {\"require_crl\": false}}\n"); /* no Genoa CRL recorded */
    c.set = set, c.policy = policy, c.cache = cache;
    url_of(c.kds, sizeof c.kds, &s, "");
    snprintf(c.report, sizeof c.report, "%sreport.bin", set);
    snprintf(c.vcek, sizeof c.vcek, "%svcek.der", set);
    snprintf(c.chain, sizeof c.chain, "%skds_vcek_cert_chain.pem", set);
    double requests = -1, online = time_online(&c, &s, runs, &requests);
    double files = online >= 0 ? time_files(&c, runs) : -1;
    server_stop(&s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", tmp);
    if (online < 0 || files < 0)
        return -1;
    print_cli_figures(online, requests, files, runs, latency);
    return 0;
}

/* ---- (b) an 8-GPU machine's RIMs and OCSP ------------------------------ */

/* The RIM service's answer {id, rim: base64(XML), sha256} for `file`. */
static json_t *rim_route(const char *pki, const char *id, const char *file)
{
    blob xml = {0};
    if (read_file(&xml, pki, file) != 0)
        return NULL;
    uint8_t digest[32];
    char hex[65], *b64 = malloc(4 * (xml.len / 3 + 1) + 1);
    json_t *route = NULL;
    if (b64 && EVP_Digest(xml.data, xml.len, digest, NULL, EVP_sha256(), NULL) == 1) {
        EVP_EncodeBlock((unsigned char *)b64, xml.data, (int)xml.len);
        attest_hex_encode(hex, digest, 32);
        json_t *answer = json_pack("{s:s, s:s, s:s}", "id", id, "rim", b64, "sha256", hex);
        char *text = json_dumps(answer, 0);
        route = json_pack("{s:s}", "body", text);
        free(text);
        json_decref(answer);
    }
    free(b64);
    free(xml.data);
    return route;
}

/* Routes: the live OCSP signer at /ocsp, and each RIM `ev` needs. */
static char *gpu_routes(const attest_evidence *ev, const char *pki, const char *mock)
{
    attest_needs *needs = NULL;
    if (attest_collateral_needs(&needs, ev, NULL) != ATTEST_OK)
        return NULL;
    json_t *routes = json_pack("{s:{s:s, s:s}}", "/ocsp", "ocsp_pki", pki, "ocsp_mock", mock);
    for (size_t i = 0; i < attest_needs_count(needs); i++) {
        if (attest_needs_kind(needs, i) != ATTEST_NEED_NVIDIA_RIM)
            continue;
        const char *id = strrchr(attest_needs_url(needs, i), '/') + 1;
        char path[256];
        snprintf(path, sizeof path, "/v1/rim/%s", id);
        json_t *r = rim_route(pki, id, strstr(id, "VBIOS") ? "vbios_rim.xml" : "driver_rim.xml");
        if (r)
            json_object_set_new(routes, path, r);
    }
    attest_needs_free(needs);
    char *text = json_dumps(routes, 0);
    json_decref(routes);
    return text;
}

typedef struct fetch_figure {
    double ms;       /* median wall time */
    long requests;   /* per fetch */
    size_t added, missing;
} fetch_figure;

static void count_added(void *ctx, attest_need_kind kind, const uint8_t *data, size_t len)
{
    (void)kind, (void)data, (void)len;
    ++*(size_t *)ctx;
}

/* One fetch of what `ev` lacks at `parallel` transfers at a time. */
static int fetch_once(const attest_evidence *ev, const server *s, unsigned parallel,
                      double *ms, fetch_figure *fig)
{
    char base[64], ocsp[96];
    url_of(base, sizeof base, s, "");
    url_of(ocsp, sizeof ocsp, s, "/ocsp");
    attest_fetcher *f = NULL;
    attest_collateral *coll = NULL;
    attest_needs *missing = NULL;
    fig->added = 0;
    int st = attest_fetcher_new(&f);
    st = st ? st : attest_fetcher_set_service(f, ATTEST_SERVICE_NVIDIA_RIM, base);
    st = st ? st : attest_fetcher_set_service(f, ATTEST_SERVICE_NVIDIA_OCSP, ocsp);
    st = st ? st : attest_fetcher_set_parallel(f, parallel);
    st = st ? st : attest_fetcher_set_on_added(f, count_added, &fig->added);
    st = st ? st : attest_collateral_new(&coll);
    double start = bench_now();
    st = st ? st : attest_fetch_collateral(f, ev, coll, &missing);
    *ms = (bench_now() - start) * 1e3;
    fig->missing = missing ? attest_needs_count(missing) : 0;
    if (st != ATTEST_OK)
        fprintf(stderr, "bench: fetch: %s\n", attest_error_last());
    attest_needs_free(missing);
    attest_collateral_free(coll);
    attest_fetcher_free(f);
    return st == ATTEST_OK ? 0 : -1;
}

static int time_fetch(const attest_evidence *ev, const server *s, unsigned parallel, int runs,
                      fetch_figure *fig)
{
    double t[MAX_RUNS];
    long before = server_requests(s);
    for (int i = 0; i < runs; i++)
        if (fetch_once(ev, s, parallel, &t[i], fig) != 0)
            return -1;
    long after = server_requests(s);
    fig->ms = median(t, runs);
    fig->requests = before >= 0 && after >= 0 ? (after - before) / runs : -1;
    return 0;
}

static void print_fetch_figures(const fetch_figure *par, const fetch_figure *seq, int runs,
                                int latency)
{
    printf("(b) fetch of one 8-GPU machine's RIMs and OCSP (attest-mock PKI, live OCSP\n"
           "    signer), median of %d fetches, server latency %d ms per request\n", runs,
           latency);
    printf("  %-28s %8.1f ms  %ld requests, %zu items added, %zu missing\n",
           "concurrent (8 at a time)", par->ms, par->requests, par->added, par->missing);
    printf("  %-28s %8.1f ms  %ld requests, %zu items added, %zu missing\n",
           "sequential (1 at a time)", seq->ms, seq->requests, seq->added, seq->missing);
    printf("    each OCSP answer is signed on request (openssl + attest-mock: CPU-bound\n"
           "    on the server, which shares the machine)\n");
}

static int bench_fetch(const char *mock, int runs, int latency)
{
    char pki[64] = "/tmp/attest-bench-nv8-XXXXXX", cmd[256];
    if (!mkdtemp(pki))
        return fail("mkdtemp");
    snprintf(cmd, sizeof cmd, "%s nvidia pki --out %s --gpus 8 >/dev/null", mock, pki);
    attest_evidence *ev = system(cmd) == 0 ? parse_file(pki, "evidence.json") : NULL;
    char *routes = ev ? gpu_routes(ev, pki, mock) : NULL;
    server s;
    int rc = routes ? server_start(&s, routes, latency) : fail("(b) set-up: attest-mock?");
    fetch_figure par = {0}, seq = {0};
    if (rc == 0) {
        rc = time_fetch(ev, &s, 8, runs, &par) || time_fetch(ev, &s, 1, runs, &seq) ? -1 : 0;
        server_stop(&s);
    }
    if (rc == 0)
        print_fetch_figures(&par, &seq, runs, latency);
    free(routes);
    attest_evidence_free(ev);
    snprintf(cmd, sizeof cmd, "rm -rf %s", pki);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", pki);
    return rc;
}

int main(void)
{
    int latency = env_int("BENCH_LATENCY_MS", 20, 0, 5000);
    int cli_runs = env_int("BENCH_RUNS", 15, 1, MAX_RUNS);
    int fetch_runs = env_int("BENCH_RUNS", 5, 1, MAX_RUNS);
    const char *cli = env_or("ATTEST_CLI", "build/attest");
    const char *mock = env_or("ATTEST_MOCK", "build/attest-mock");
    printf("bench-online: loopback server tests/http_server.py on 127.0.0.1\n");
    int rc = bench_cli(cli, cli_runs, latency);
    if (bench_fetch(mock, fetch_runs, latency) != 0)
        rc = -1;
    return rc == 0 ? 0 : 1;
}
