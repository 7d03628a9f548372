/*
 * bench_table - every row of issue 13's table from one `make bench` run,
 * one core (run under taskset -c 0; the children inherit the affinity).
 *
 * The figures are measured by the benchmark programs that already own
 * their set-up (bench-snp, bench-dcap, bench-nv, bench-composite), run
 * here one after the other as children so that no set-up is copied; this
 * program reads their summary lines and prints the table: each row with
 * its aim and an empty "today" column for the closing note. The CLI's
 * peak memory comes from bench-composite (ATTEST_CLI set): `attest
 * verify` on its 8-GPU bundle as a child, getrusage(RUSAGE_CHILDREN).
 * The thread row is bench-threads' (run after this program by make bench).
 *
 * Environment: ATTEST_TEST_PKI, ATTEST_CLI (passed on), BENCH_SECONDS
 * (passed on), BENCH_DIR (where the programs are; default "build").
 * Prints figures only; exit status 1 when a program fails.
 */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_MAX (256 * 1024)

typedef struct {
    char text[OUT_MAX];
    size_t len;
    int status;
} child_out;

/* Run dir/name, keep its stdout (and echo it, so the log has everything). */
static int run(child_out *o, const char *dir, const char *name)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "%s/%s", dir, name);
    fflush(stdout);
    FILE *p = popen(cmd, "r");
    if (!p)
        return fail(cmd);
    o->len = fread(o->text, 1, sizeof o->text - 1, p);
    o->text[o->len] = '\0';
    o->status = pclose(p);
    fputs(o->text, stdout);
    return o->status == 0 ? 0 : -1;
}

/* The number after `marker` on the first line that holds it; -1 if none. */
static double number_after(const child_out *o, const char *marker)
{
    const char *at = strstr(o->text, marker);
    if (!at)
        return -1.0;
    at += strlen(marker);
    while (*at == ' ' || *at == '(')
        at++;
    char *end = NULL;
    double d = strtod(at, &end);
    return end == at ? -1.0 : d;
}

/* number_after `marker` searched from the first `line_start` on. */
static double number_after_in(const child_out *o, const char *line_start, const char *marker)
{
    const char *line = strstr(o->text, line_start);
    if (!line)
        return -1.0;
    child_out *tail = malloc(sizeof *tail);
    if (!tail)
        return -1.0;
    snprintf(tail->text, sizeof tail->text, "%s", line);
    double d = number_after(tail, marker);
    free(tail);
    return d;
}

/* The rate of the row labelled `label` (the number after the label). */
static double rate_of(const child_out *o, const char *label)
{
    return number_after(o, label);
}

static void row(const char *figure, double value, const char *unit, const char *aim)
{
    if (value < 0)
        printf("| %-62s | %12s | %-7s | %-28s |\n", figure, "n/a", "", aim);
    else
        printf("| %-62s | %10.1f%-2s | %-7s | %-28s |\n", figure, value, unit, "", aim);
}

static child_out snp, dcap, nv, comp;

int main(void)
{
    const char *dir = getenv("BENCH_DIR") && *getenv("BENCH_DIR") ? getenv("BENCH_DIR")
                                                                   : "build";
    int rc = 0;
    rc |= run(&snp, dir, "bench-snp");
    rc |= run(&dcap, dir, "bench-dcap");
    rc |= run(&nv, dir, "bench-nv");
    rc |= run(&comp, dir, "bench-composite");

    double p384 = rate_of(&comp, "openssl EVP ECDSA P-384 verify (SHA-384 digest given)");
    double sign = rate_of(&comp, "openssl EVP ECDSA P-256 sign (SHA-256 digest given)");
    double vt = rate_of(&comp, "composite verify + ES256 token, cached (bundle parsed once)");
    /* (9 x P-384 + 1 sign) per second: one over the sum of their times */
    double floor_vt = p384 > 0 && sign > 0 ? 1.0 / (9.0 / p384 + 1.0 / sign) : -1.0;

    printf("\nissue 13 table (one core; ratios; \"new\" is this run)\n");
    printf("| %-62s | %12s | %-7s | %-28s |\n", "figure", "new", "today", "aim");
    row("SNP verify, chain cached / P-384 floor", number_after(&snp, "cached / floor ="), "%",
        ">= 85%");
    row("TDX verify, collateral cached / (2 x P-256)",
        number_after(&dcap, "cached / (floor/2) ="), "%", ">= 85%");
    row("TDX cold (new verifier, collateral from bytes), P-256 verifies",
        number_after_in(&dcap, "cache cleared costs", ", uncached"), "", "<= 18 (floor ~9)");
    row("TDX cold floor, this OpenSSL: 10 signatures + 4 cert parses",
        number_after(&dcap, "4 certificate parses ="), "", "(structural)");
    row("NVIDIA GPU report, cached / P-384 floor", number_after(&nv, "cached / P-384 floor ="),
        "%", ">= 85%");
    row("composite 1 CPU + 8 GPUs, cached / (9 x P-384)",
        number_after(&comp, "composite verify, cached (bundle parsed once)") > 0
            ? 100.0 * rate_of(&comp, "composite verify, cached (bundle parsed once)") * 9 / p384
            : -1.0,
        "%", ">= 85%");
    row("composite + ES256 token, cached / (9 x P-384 + 1 sign)",
        vt > 0 && floor_vt > 0 ? 100.0 * vt / floor_vt : -1.0, "%", ">= 75%");
    row("ES256 token alone, key read once, per second",
        rate_of(&comp, "ES256 token alone, key read once (attest_token_key)"), "/s",
        ">= 5,000/s");
    row("ES256 token verify, PEM per call, per second",
        rate_of(&comp, "ES256 token verify (one kept token)"), "/s", "");
    row("ES256 token verify, key read once, per second",
        rate_of(&comp, "ES256 token verify, key read once (attest_token_pubkey)"), "/s", "");
    row("token size, 1 CPU + 8 GPUs (bytes)", number_after(&comp, "token size: 1 CPU + 8 GPUs"),
        "", "<= 8 KB");
    row("token size, 1 CPU + 1 GPU (bytes)", number_after(&comp, "1 CPU + 1 GPU"), "", "");
    row("CLI max RSS verifying an 8-GPU bundle (MiB)",
        number_after(&comp, "bytes):"), "", "< 16 MiB");
    printf("(the thread row: bench-threads, next)\n");
    return rc ? 1 : 0;
}
