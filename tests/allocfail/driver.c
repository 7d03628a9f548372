/* Allocation failures (issue 14): for one verification of each evidence
 * kind, genuine and forged, make the N-th allocation fail, for every N
 * (--full) or a sample of them, and check that each run ends in an error
 * (ATTEST_E_NOMEM) or in the verdict it has without the failure, never
 * crashes, never leaks and never accepts the forged copy. A run that ends
 * in another status (a parse or signature error for what was an allocation
 * failure: "forged" where the truth is "out of memory, retry") is
 * mislabelled and fails the walk too.
 *
 * Usage: allocfail EVDIR PKIDIR [--full | --range FROM:TO] [--stride S]
 *                 [--jobs J] [--fork-at-point] [--thread] [--mislabelled] [--kind NAME]...
 * EVDIR is what tests/allocfail/make_evidence.sh wrote; PKIDIR build/testpki.
 * --stride S walks every S-th N (of 1..K, or of the --range); --mislabelled
 * prints every run that ended in another status than ATTEST_E_NOMEM or the
 * verdict of the run without a failure (one line per status otherwise).
 * --fork-at-point walks the same N in linear time (see at_point): one walker
 * per case runs the verification once and forks at each N a grandchild in
 * which that allocation fails; the judgement is the same (--jobs unused).
 *
 * Each run is one fork()ed child of this process, built with ASan+UBSan:
 * a crash or a sanitizer report kills only that child and is judged from
 * its exit status; the child writes its outcome to a pipe first, so an exit
 * status that is not 0 after an outcome is LeakSanitizer's report. The
 * counted region (tests/allocfail/interpose.c) is the whole use of the
 * library for one verification: verifier, anchors, collateral, evidence,
 * policy, attest_verify, for the composite kind also the ES256 token signed
 * and verified (and a tampered copy of it refused), and every _free.
 *
 * Warm kinds (snp, tdx, nvidia, composite) fork from a parent that has run
 * every case once, so that the process-wide state (OpenSSL's providers and
 * method caches, the built-in certificates, libxml2 and xmlsec1) exists and
 * a leak shows as live bytes that were not there before (then LeakSanitizer
 * decides). The cold kind forks from a parent that has not touched the
 * library at all, so that the counted region also holds that one-time
 * initialisation: its failures must end as errors, not crashes, and the
 * same child then verifies every case again without failures injected, which
 * must give each its verdict or an error, never a crash or an acceptance of
 * a forged copy. */
#define _GNU_SOURCE /* dladdr */
#include "allocfail.h"

#include <attest.h>

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

size_t __sanitizer_get_current_allocated_bytes(void);
int __sanitizer_get_ownership(const volatile void *p);

#define AT "2025-06-01T12:00:00Z" /* inside every test PKI's validity */
#define MAX_FILES 16
#define MAX_JOBS 8
#define SAMPLE_ALL 60    /* sampled mode: every N up to here ... */
#define SAMPLE_POINTS 40 /* ... then about this many more, evenly spread */
#define COLD_POINTS 20   /* (cold children verify every case again: fewer) */
#define HANG_SECONDS 300 /* a run (its rest, its LeakSanitizer check) that lasts longer hangs */
#define HANG_TEXT "300"

static const char POLICY[] =
    "{\"platforms\":[\"snp\",\"tdx\",\"nvidia\"],\"snp\":{},\"tdx\":{},"
    "\"nvidia\":{\"allow_stored_ocsp\":true}}";

typedef struct blob {
    uint8_t *data;
    size_t len;
} blob;

typedef struct kind {
    const char *name;
    const char *genuine, *forged; /* in EVDIR */
    const char *coll[MAX_FILES];  /* in PKIDIR */
    const char *nonce;            /* hex file in EVDIR, or NULL */
    int token;                    /* sign, verify and tamper with a token too */
    blob ev[2];                   /* genuine, forged */
    blob items[MAX_FILES];
    uint8_t nonce_bytes[64];
    size_t nonce_len;
    int verdict[2];               /* without a failure injected */
    int token_rc[2], tampered[2]; /* token kinds: the token's, the tampered one's, likewise */
    long allocs[2];               /* K: allocations of one run */
} kind;

#define NV_OCSP "nvidia/ocsp/device_cert1.der", "nvidia/ocsp/device_cert2.der", \
    "nvidia/ocsp/device_cert3.der", "nvidia/ocsp/rim_cert0.der",                 \
    "nvidia/ocsp/rim_cert1.der", "nvidia/ocsp/rim_cert2.der"

static kind kinds[] = {
    {.name = "snp", .genuine = "snp.bin", .forged = "snp_forged.bin",
     .coll = {"milan/vcek.pem", "milan/crl.der", "milan/chain.pem"}},
    {.name = "tdx", .genuine = "tdx.bin", .forged = "tdx_forged.bin",
     .coll = {"intel/tcb_info_tdx.json", "intel/qe_identity_td.json",
              "intel/tcb_signing_chain.pem", "intel/root_crl.der", "intel/pck_crl.der"}},
    {.name = "nvidia", .genuine = "gpu.bin", .forged = "gpu_forged.bin",
     .coll = {"nvidia/device_cert_chain.pem", "nvidia/driver_rim.xml", "nvidia/vbios_rim.xml",
              NV_OCSP},
     .nonce = "gpu_nonce.hex"},
    {.name = "composite", .genuine = "composite.json", .forged = "composite_forged.json",
     .nonce = "nonce.hex", .token = 1}, /* the bundle carries its collateral */
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const struct { attest_vendor vendor; const char *file; } ANCHORS[] = {
    {ATTEST_VENDOR_AMD, "milan/anchor.sha256"},
    {ATTEST_VENDOR_INTEL, "intel/anchor.sha256"},
    {ATTEST_VENDOR_NVIDIA_DEVICE, "nvidia/device_anchor.sha256"},
    {ATTEST_VENDOR_NVIDIA_RIM, "nvidia/rim_anchor.sha256"},
};
#define NANCHORS (sizeof ANCHORS / sizeof ANCHORS[0])

static uint8_t anchors[NANCHORS][32];
static blob token_key, token_pub;
static int64_t verify_at;

/* What a child reports through its pipe. */
typedef struct outcome {
    int rc;            /* attest_verify's status (or the failing set-up step's) */
    int step;          /* the step that gave rc: 0 set-up, 1 verify */
    int token_rc;      /* composite: attest_token_verify of the token */
    int tampered_rc;   /* composite: of the token with a payload byte changed */
    int bad;           /* a check inside the child failed (detail in reason) */
    long injected;     /* the allocation made to fail, 0: none reached */
    long count;        /* allocations counted */
    size_t end_bytes;  /* live bytes at the end (the cold kind's leak baseline) */
    size_t once_bytes; /* the same before the cold kind verifies every case again */
    int in_function;   /* a regression point: it failed inside its function */
    long printed;      /* bytes the run wrote to stderr (the library must print nothing) */
    int known_site;   /* the failure was at one of xmlsec1's or libjwt's known leaking sites */
    char huge_where[48]; /* the object that asked for an impossible size, "" when none */
    int drbg_site;     /* the failure was inside OpenSSL's lazy set-up of a thread's DRBG */
    int in_crypto_init; /* the failure was inside attest_crypto_init (OpenSSL's set-up) */
    long leaked;       /* live bytes at the end beyond the baseline */
    char where[48];    /* the object that made the failed allocation */
    char reason[240];
} outcome;

/* ---- input files (read before any library call) ---------------------------- */

static int read_file(blob *out, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (out->data = malloc((size_t)size + 1)) != NULL &&
        fread(out->data, 1, (size_t)size, f) == (size_t)size) {
        out->data[size] = 0; /* PEM keys are passed as text */
        out->len = (size_t)size;
        fclose(f);
        return 0;
    }
    if (f) fclose(f);
    fprintf(stderr, "allocfail: cannot read %s\n", path);
    return -1;
}

/* Hex text (one line) into out; returns the byte count, 0 on error. */
static size_t read_hex(const char *dir, const char *name, uint8_t *out, size_t max)
{
    blob b = {NULL, 0};
    size_t n = 0;
    if (read_file(&b, dir, name) != 0) return 0;
    while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r')) b.len--;
    for (unsigned v; n < max && 2 * n + 1 < b.len && sscanf((char *)b.data + 2 * n, "%2x", &v) == 1;
         n++)
        out[n] = (uint8_t)v;
    if (2 * n != b.len) n = 0;
    free(b.data);
    return n;
}

static int load_inputs(const char *evdir, const char *pki)
{
    for (size_t i = 0; i < NANCHORS; i++)
        if (read_hex(pki, ANCHORS[i].file, anchors[i], 32) != 32) return -1;
    if (read_file(&token_key, evdir, "token.key.pem") || read_file(&token_pub, evdir, "token.pub.pem"))
        return -1;
    for (size_t k = 0; k < NKINDS; k++) {
        kind *c = &kinds[k];
        if (read_file(&c->ev[0], evdir, c->genuine) || read_file(&c->ev[1], evdir, c->forged))
            return -1;
        for (size_t i = 0; i < MAX_FILES && c->coll[i]; i++)
            if (read_file(&c->items[i], pki, c->coll[i])) return -1;
        if (c->nonce && (c->nonce_len = read_hex(evdir, c->nonce, c->nonce_bytes, 64)) == 0)
            return -1;
    }
    return 0;
}

/* ---- one verification: the counted region ---------------------------------- */

typedef struct objects {
    attest_verifier *v;
    attest_collateral *c;
    attest_evidence *ev;
    attest_policy *p;
    attest_result *r;
} objects;

static int set_up(objects *o, const kind *c, int forged)
{
    int rc = attest_verifier_new(&o->v);
    if (rc == ATTEST_OK) rc = attest_verifier_set_time(o->v, verify_at);
    for (size_t i = 0; rc == ATTEST_OK && i < NANCHORS; i++)
        rc = attest_verifier_add_anchor(o->v, ANCHORS[i].vendor, anchors[i]);
    if (rc == ATTEST_OK) rc = attest_collateral_new(&o->c);
    for (size_t i = 0; rc == ATTEST_OK && i < MAX_FILES && c->coll[i]; i++)
        rc = attest_collateral_add(o->c, c->items[i].data, c->items[i].len);
    if (rc == ATTEST_OK) rc = attest_evidence_parse(&o->ev, c->ev[forged].data, c->ev[forged].len);
    if (rc == ATTEST_OK) rc = attest_policy_from_json(&o->p, POLICY, sizeof POLICY - 1);
    return rc;
}

static void note(outcome *out, const char *fmt, const char *arg)
{
    out->bad = 1;
    snprintf(out->reason, sizeof out->reason, fmt, arg);
}

/* The token of the result: signed, verified, and a tampered copy (one
 * payload character changed) refused. Its claims must record the status. */
static void token_step(outcome *out, const attest_result *r, const kind *c)
{
    char *jwt = NULL, *claims = NULL, want[96];
    out->token_rc = attest_token_sign(&jwt, r, (const char *)token_key.data, token_key.len, 600);
    if (out->token_rc != ATTEST_OK) return;
    out->token_rc = attest_token_verify(&claims, jwt, (const char *)token_pub.data, token_pub.len,
                                        verify_at, c->nonce_bytes, c->nonce_len);
    snprintf(want, sizeof want, "\"status\": \"%s\"", attest_status_name(out->rc));
    if (out->token_rc == ATTEST_OK && (!claims || !strstr(claims, want)))
        note(out, "token verified but its claims lack %s", want);
    attest_string_free(claims);
    claims = NULL;
    char *dot = strchr(jwt, '.');
    if (dot && dot[1]) dot[1] = dot[1] == 'e' ? 'f' : 'e'; /* {"... -> another first byte */
    out->tampered_rc = attest_token_verify(&claims, jwt, (const char *)token_pub.data,
                                           token_pub.len, verify_at, c->nonce_bytes, c->nonce_len);
    if (out->tampered_rc == ATTEST_OK) note(out, "%s", "a tampered token verified");
    attest_string_free(claims);
    attest_string_free(jwt);
}

static void run_once(outcome *out, const kind *c, int forged)
{
    objects o = {NULL, NULL, NULL, NULL, NULL};
    out->rc = set_up(&o, c, forged);
    out->step = 0;
    if (out->rc != ATTEST_OK) {
        snprintf(out->reason, sizeof out->reason, "%s", attest_error_last());
    } else {
        out->step = 1;
        out->rc = attest_verify(&o.r, o.v, o.ev, o.c, o.p,
                                c->nonce_len ? c->nonce_bytes : NULL, c->nonce_len);
        snprintf(out->reason, sizeof out->reason, "%s",
                 o.r ? attest_result_reason(o.r) : attest_error_last());
        if (o.r && attest_result_status(o.r) != out->rc)
            note(out, "result status differs from the returned %s", attest_status_name(out->rc));
        if (c->token && o.r && !out->bad) token_step(out, o.r, c);
    }
    attest_result_free(o.r);
    attest_policy_free(o.p);
    attest_evidence_free(o.ev);
    attest_collateral_free(o.c);
    attest_verifier_free(o.v);
}

/* The cold child, after its counted run: TDX and the composite bundle (SEV-SNP,
 * the GPU, the token) once more, genuine and forged, without a failure
 * injected, on whatever state the failed initialisation left. */
static void verify_all_again(outcome *out)
{
    static const size_t again_kinds[] = {1, 3};
    for (size_t j = 0; j < 2 && !out->bad; j++)
        for (int forged = 0, k = (int)again_kinds[j]; forged < 2 && !out->bad; forged++) {
            outcome again;
            memset(&again, 0, sizeof again);
            run_once(&again, &kinds[k], forged);
            int fine = forged ? again.rc != ATTEST_OK
                              : again.rc == ATTEST_OK || again.rc == ATTEST_E_NOMEM ||
                                    again.rc == ATTEST_E_INTERNAL;
            if (again.bad || !fine) {
                out->bad = 1;
                snprintf(out->reason, sizeof out->reason, "afterwards %s%s: %s (%s)",
                         kinds[k].name, forged ? " forged" : "", attest_status_name(again.rc),
                         again.reason);
            }
        }
}

/* The built-in certificate table (lib/base/builtin_certs.c), read in the
 * counted region of a cold child: a failure there must leave the next call
 * with the whole table, not a table missing a root for good. The library's
 * internal functions are reachable: the driver links libattest-asan.a. */
extern const size_t attest_builtin_cert_count;
struct attest_builtin_cert;
const struct attest_builtin_cert *attest_builtin_certs(size_t *count);
int attest_crypto_init(void);
static int builtin_mode;

static void run_builtin(outcome *out)
{
    size_t first = 0, again = 0;
    out->step = 1;
    out->rc = attest_builtin_certs(&first) && first == attest_builtin_cert_count
                  ? ATTEST_OK
                  : ATTEST_E_NOMEM;
    allocfail_stop();
    attest_builtin_certs(&again);
    if (again != attest_builtin_cert_count) {
        out->bad = 1;
        snprintf(out->reason, sizeof out->reason, "afterwards %zu of %zu built-in certificates",
                 again, attest_builtin_cert_count);
    }
}

/* Regression points of the sampled walk: allocations whose failure the
 * full walk found mislabelled (fixed since), walked by check-allocfail too.
 * Each must still fail inside its function: when the library's
 * allocations shift, the walk says so rather than guard nothing (find the
 * point again with ALLOCFAIL_TRACE=1 --range N:N --kind K). */
static const struct regression {
    const char *kind;
    int forged;
    long from, to; /* a few N: the count of a run may shift by one or two */
    const char *function;
} REGRESSIONS[] = {
    {"tdx", 0, 7984, 7992, "intel_pck_info_parse"}, /* OBJ_txt2obj: was ATTEST_E_INTERNAL */
    /* inside each RIM read (the first growth of its input in libxml2's pull parser was a crash) */
    {"cold", 0, 27000, 27001, "read_document"},
    {"cold", 0, 27561, 27562, "read_document"},
    /* OCSP_resp_get0_signer: was ATTEST_E_COLLATERAL_SIGNATURE */
    {"nvidia", 0, 15409, 15413, "check_response"},
    /* attest_spki_sha256 of a verified chain's keys: was ATTEST_E_INTERNAL */
    {"nvidia", 0, 42951, 42955, "read_identity"},
    /* xmlSecOpenSSLEvpKeyAdopt, xmlSecDSigCtxEnable*Transform: were ATTEST_E_NV_RIM_MISMATCH */
    {"nvidia", 0, 50567, 50571, "signing_key"},
    {"nvidia", 0, 50571, 50575, "restrict_context"},
    /* an OCSP signer's extensions cached by X509_cmp: was ATTEST_E_COLLATERAL_SIGNATURE
       ("responder ... is not authorised: it is not certified by the issuer") */
    {"composite", 0, 21629, 21638, "is_issuer"},
    /* libjwt's jwt_decode out of memory (decoding as alg "none", or EINVAL): was
       ATTEST_E_TOKEN_SIGNATURE for a token whose signature verifies */
    {"composite", 0, 108249, 108253, "jwt_decode"},
    /* libxml2's out-of-memory messages (tree, buffers) printed to stderr: now silenced */
    {"composite", 1, 15099, 15100, "read_document"},
    {"nvidia", 0, 50600, 50604, "verify_node"},
};
#define NREGRESSIONS (sizeof REGRESSIONS / sizeof REGRESSIONS[0])

/* Whether the failed allocation was made with `function` on the stack
 * (the sanitizer's symbolizer lists a frame's inlined functions too). */
static int stack_has(const char *function)
{
    void *const *frames;
    int depth = allocfail_injected_stack(&frames);
    for (int i = 0; i < depth; i++) {
        char names[512];
        memset(names, 0, sizeof names);
        __sanitizer_symbolize_pc((char *)frames[i] - 1, "%f", names, sizeof names - 1);
        for (const char *p = names; *p; p += strlen(p) + 1)
            if (strcmp(p, function) == 0) return 1;
    }
    return 0;
}

/* One counted run: the n-th allocation fails (0: none, or the fork-at-point
 * callback decides which). */
static allocfail_point_fn *run_point_fn; /* the walker's fork at the point, on the run's thread */
static void *run_point_ctx;

static void counted_run_here(outcome *out, const kind *c, int forged, long n)
{
    if (builtin_mode && attest_crypto_init() != ATTEST_OK) _exit(5);
    if (run_point_fn) allocfail_on_point(run_point_fn, run_point_ctx);
    allocfail_start(n);
    if (builtin_mode)
        run_builtin(out); /* stops the count itself */
    else
        run_once(out, c, forged);
    out->count = allocfail_stop();
}

/* --thread: each counted run in a thread made for it, so that the library
 * meets a thread it has not seen (libxml2 allocates a thread's state at its
 * first use there). A grandchild forked at a point holds that thread only:
 * it reports from it (after_in_thread, set by at_point). */
static int thread_mode;
static void (*after_in_thread)(outcome *out);

typedef struct run_args {
    outcome *out;
    const kind *c;
    int forged;
    long n;
} run_args;

static void *run_thread(void *p)
{
    run_args *a = p;
    counted_run_here(a->out, a->c, a->forged, a->n);
    if (after_in_thread) after_in_thread(a->out); /* does not return */
    return NULL;
}

static void counted_run(outcome *out, const kind *c, int forged, long n)
{
    if (!thread_mode) return counted_run_here(out, c, forged, n);
    run_args a = {out, c, forged, n};
    pthread_t t;
    if (pthread_create(&t, NULL, run_thread, &a) != 0) _exit(6);
    pthread_join(t, NULL);
}

/* After the counted run, in the process that ran it with its failure: the
 * outcome to the pipe, then the leak check. Live bytes back at `want` (the
 * figure before the run; for the cold kind that at the end of a run
 * without a failure, its one-time state included) mean no leak; any other
 * figure is for LeakSanitizer to judge. Exit status 0: no leak; 3:
 * LeakSanitizer found one (it printed it); anything else is a crash or a
 * sanitizer report. */
static int stack_has(const char *function);

/* The cold kind's full walk verifies every case again only after a point
 * near the process-wide state (cold_again, set per point by the walk;
 * 1 elsewhere); after the others, live bytes are judged against a run
 * without a failure that did not verify again either (cold_once_bytes). */
static int cold_again = 1;
static size_t cold_once_bytes;

/* What a run writes to stderr goes to a file its parent made (capture_open),
 * so that the parent can pass it on, crash reports included, and judge a
 * run that printed: libxml2 prints its out-of-memory errors unless told
 * not to, and a library linked into a service must print nothing. The
 * leak check after the outcome prints to the real stderr. */
static int stderr_saved = -1; /* in a run's process: the real stderr */

static int capture_open(void)
{
    return open("/tmp", O_TMPFILE | O_RDWR, 0600); /* -1: no capture */
}

static void capture_begin(int errfd)
{
    if (errfd < 0) return;
    stderr_saved = dup(2);
    if (stderr_saved >= 0) dup2(errfd, 2);
    close(errfd);
}

/* Back to the real stderr; the bytes written meanwhile. */
static long capture_end(void)
{
    struct stat st;
    if (stderr_saved < 0) return 0;
    long n = fstat(2, &st) == 0 ? (long)st.st_size : 0;
    dup2(stderr_saved, 2);
    close(stderr_saved);
    stderr_saved = -1;
    return n;
}

/* In the parent: passes on what the run printed, and closes errfd. */
static void capture_pass_on(int errfd)
{
    char buf[4096];
    ssize_t got;
    if (errfd < 0) return;
    for (off_t at = 0; (got = pread(errfd, buf, sizeof buf, at)) > 0; at += got)
        if (write(2, buf, (size_t)got) != got) break;
    close(errfd);
}

static void report(int fd, outcome *out, int cold, size_t want, const char *expect)
{
    out->injected = allocfail_injected();
    if (expect) out->in_function = stack_has(expect);
    Dl_info at;
    if (out->injected && dladdr(allocfail_injected_caller(), &at) && at.dli_fname) {
        const char *base = strrchr(at.dli_fname, '/');
        snprintf(out->where, sizeof out->where, "%s", base ? base + 1 : at.dli_fname);
    }
    out->once_bytes = __sanitizer_get_current_allocated_bytes();
    if (cold && !builtin_mode && !getenv("ALLOCFAIL_COLD_ONCE")) { /* (once: finding a crash faster) */
        if (cold_again)
            verify_all_again(out);
        else
            want = cold_once_bytes;
    }
    out->end_bytes = __sanitizer_get_current_allocated_bytes();
    out->leaked = (long)out->end_bytes - (long)want;
    out->known_site = out->injected && (stack_has("xmlSecNodeSetCreate") ||
                                         stack_has("xmlSecNodeSetGetChildren") ||
                                         stack_has("jwt_verify_sha_pem"));
    out->in_crypto_init = out->injected && stack_has("attest_crypto_init");
    out->drbg_site = out->injected && (stack_has("RAND_get0_private") ||
                                       stack_has("RAND_get0_public"));
    Dl_info hat;
    void *huge = allocfail_huge_caller();
    if (huge && dladdr(huge, &hat) && hat.dli_fname) {
        const char *base = strrchr(hat.dli_fname, '/');
        snprintf(out->huge_where, sizeof out->huge_where, "%s", base ? base + 1 : hat.dli_fname);
    } else if (huge) {
        snprintf(out->huge_where, sizeof out->huge_where, "?");
    }
    out->printed = capture_end();
    ssize_t w = write(fd, out, sizeof *out);
    close(fd);
    if (w != (ssize_t)sizeof *out) _exit(4);
    if (out->end_bytes == want) _exit(0);
    _exit(__lsan_do_recoverable_leak_check() ? 3 : 0);
}

/* ---- the parent: children, judgement, the walk ------------------------------ */

typedef struct walk {
    kind *c;
    int forged, cold, jobs, list;
    unsigned long long seen_other; /* statuses other than verdict and NOMEM */
    long from, to;                 /* --range: every N in from..to */
    long stride;                   /* --stride S: every S-th N from 1 (or from) */
    long points, injected, kept, nomem, failures, init_leaks, mislabelled, jansson, known_leaks;
    long printed;                  /* safe runs that wrote to stderr (they fail the walk too) */
    long huge;                     /* runs where libjwt asked malloc for (size_t)-1 bytes */
    size_t end_bytes;              /* cold: live bytes after a run without a failure */
    long next, last, all_to, step; /* the plan: next N to walk (0: none), plan_next */
    long inside;                   /* regression points that failed inside their function */
    int gfd;                       /* fork at the point: the grandchild's pipe, -1 in W */
    const char *expect;            /* a regression point: the function it fails in */
    int record;                    /* cold, full walk: the run without a failure marks `built` */
    const long *built_before;      /* cold, full walk: allocations of lasting blocks before N */
    long window, again;            /* ... how near one a point verifies again; how many did */
    long built_k;                  /* ... K of that run */
} walk;

/* The cold kind's full walk verifies every case again (verify_all_again, 4
 * verifications: most of a point's cost) only after the points where a
 * failure could leave OpenSSL's, libxml2's, xmlsec1's or libattest's
 * process-wide state half made: within `window` allocations of one whose
 * block outlives the run (a block that lasts is that state; the code that
 * makes it is one-time set-up). Elsewhere the failed run is judged alone,
 * as the warm composite walk judges the same allocations. The run without
 * a failure marks the lasting blocks in `built` (shared with this
 * process), by allocation number. ALLOCFAIL_COLD_WINDOW sets the window;
 * a negative one verifies again after every point. */
#define COLD_WINDOW 1024
#define BUILT_CAP (1L << 21)
static unsigned char *built; /* MAP_SHARED: written by the run without a failure */

static int needs_again(const walk *w, long n)
{
    if (!w->built_before || w->window < 0) return 1;
    long lo = n - w->window > 1 ? n - w->window : 1;
    long hi = n + w->window < w->built_k ? n + w->window : w->built_k;
    return lo <= hi && w->built_before[hi + 1] - w->built_before[lo] > 0;
}

typedef struct block_at {
    uintptr_t at;
    long n;
} block_at;

static int by_address(const void *a, const void *b)
{
    const block_at *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return (x->n > y->n) - (x->n < y->n);
}

/* After a counted run that recorded each allocation's block: marks in
 * `built` the allocations whose block is still allocated (for an address
 * given out more than once, its last allocation). */
static void mark_lasting(void **blocks, long count)
{
    block_at *b = malloc((size_t)count * sizeof *b);
    long m = 0;
    if (!b) return;
    for (long n = 1; n <= count && n < BUILT_CAP; n++)
        if (blocks[n]) b[m++] = (block_at){(uintptr_t)blocks[n], n};
    qsort(b, (size_t)m, sizeof *b, by_address);
    for (long i = 0; i < m; i++)
        if ((i + 1 == m || b[i + 1].at != b[i].at) && __sanitizer_get_ownership((void *)b[i].at))
            built[b[i].n] = 1;
    free(b);
}

/* In the child of walk_points: one counted run with the n-th allocation failed. */
static void child(int fd, int errfd, const walk *w, long n)
{
    outcome out;
    memset(&out, 0, sizeof out);
    size_t before = __sanitizer_get_current_allocated_bytes();
    void **blocks = NULL;
    capture_begin(errfd);
    alarm(HANG_SECONDS);
    cold_again = needs_again(w, n);
    if (w->record && built) {
        blocks = mmap(NULL, BUILT_CAP * sizeof *blocks, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (blocks != MAP_FAILED) allocfail_record(blocks, BUILT_CAP);
    }
    counted_run(&out, w->c, w->forged, n);
    if (blocks && blocks != MAP_FAILED) mark_lasting(blocks, out.count);
    report(fd, &out, w->cold, w->cold ? w->end_bytes : before, w->expect);
}

typedef struct slot {
    pid_t pid;
    int fd, errfd;
    long n;
} slot;

static int spawn(slot *s, const walk *w, long n)
{
    int p[2];
    if (pipe(p) != 0) return -1;
    int errfd = capture_open();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(p[0]);
        child(p[1], errfd, w, n);
    }
    close(p[1]);
    *s = (slot){pid, p[0], errfd, n};
    return 0;
}

static const char *label(const walk *w)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "%s%s%s", w->cold ? "cold " : "", builtin_mode ? "builtin" : w->c->name,
             w->forged ? " forged" : "");
    return buf;
}

/* A leak that OpenSSL or xmlsec1 leave when their own one-time set-up
 * fails (OPENSSL_init_crypto's default library context frees only part
 * of what it made): the run ended in ATTEST_E_INTERNAL at the library's
 * initialisation, which refuses every later call. Bounded (once per
 * process), outside libattest; counted and reported, not judged unsafe. */
static int init_leak(walk *w, const outcome *o)
{
    /* also: a failure inside attest_crypto_init's listing of the providers'
     * algorithms, which OpenSSL reports to nobody (its do_all functions
     * return nothing) and which loses name-map entries as it grows the map
     * (lib/base/crypto.c); the verification goes on, the re-verifications
     * check that it still judges right */
    if (w->cold && o->in_crypto_init) {
        w->init_leaks++;
        return 1;
    }
    if (!w->cold || o->rc != ATTEST_E_INTERNAL || o->step != 0) return 0;
    w->init_leaks++;
    return 1;
}

/* Known leaks outside libattest. xmlsec1 1.2.37 leaks an XPath node set
 * when an allocation fails right after it made one: xmlSecTransformCtxExecute
 * when xmlSecNodeSetCreate fails (the set of a Reference's nodes),
 * xmlSecNodeSetGetChildren when libxml2's xmlXPathNodeSetCreate fails after
 * its first block. libjwt 1.10's jwt_verify_sha_pem leaks the BIGNUM r when
 * making s fails, and asks malloc for (size_t)-1 bytes when i2d_ECDSA_SIG
 * fails (the interposer answers NULL, as glibc does). OpenSSL 3.0 leaks
 * a thread's DRBG (80 bytes and up) when an allocation fails while it makes
 * it, at the thread's first use (RAND_get0_private/public: the verification
 * goes on without the failed one). At most a few hundred
 * bytes per failed verification; counted and reported, not judged unsafe,
 * when the failure was at one of those sites, the run (or its token step)
 * ended in ATTEST_E_NOMEM and it left less than 512 bytes. */
static int known_leak(walk *w, const outcome *o)
{
    int nomem = o->rc == ATTEST_E_NOMEM || o->token_rc == ATTEST_E_NOMEM ||
                o->tampered_rc == ATTEST_E_NOMEM ||
                o->rc == w->c->verdict[w->forged]; /* (a forged copy: refused all the same) */
    if (o->drbg_site) { /* whatever the verdict; live bytes say nothing in a cold run,
                           whose baseline holds the DRBG the failed run lacks */
        w->known_leaks++;
        return 1;
    }
    if (!o->known_site || !nomem || o->leaked <= 0 || o->leaked >= 512) return 0;
    w->known_leaks++;
    return 1;
}

/* OpenSSL's own one-time set-up failed (attest_crypto_init): final for the
 * process, so the library says ATTEST_E_INTERNAL ("do not retry") from then
 * on rather than ATTEST_E_NOMEM; only a cold child can meet it. */
static int openssl_init_final(const walk *w, const outcome *o)
{
    return w->cold && o->rc == ATTEST_E_INTERNAL && strstr(o->reason, "OPENSSL_init_crypto");
}

/* The status a safe run reported in place of ATTEST_E_NOMEM, 0 when none:
 * an allocation failure named as a rejection ("forged evidence" where the
 * truth is "out of memory, retry") of the verification or, when that kept
 * its verdict, of a token step (whose statuses depend on the result's
 * claims otherwise; 0: the step was not reached). */
static int wrong_label(const walk *w, const outcome *o)
{
    const kind *c = w->c;
    if (o->rc != c->verdict[w->forged])
        return o->rc == ATTEST_E_NOMEM || openssl_init_final(w, o) ? 0 : o->rc;
    if (o->token_rc != c->token_rc[w->forged] && o->token_rc != ATTEST_E_NOMEM)
        return o->token_rc;
    if (o->tampered_rc != 0 && o->tampered_rc != c->tampered[w->forged] &&
        o->tampered_rc != ATTEST_E_NOMEM)
        return o->tampered_rc;
    return 0;
}

/* jansson (2.14) reports a failed allocation as a syntax error, or drops
 * the byte it could not store and goes on, resetting errno at the next
 * number it reads: libattest cannot always tell, and says ATTEST_E_MALFORMED
 * (fail-closed). Counted apart, not failing the walk. */
static int jansson_known(const outcome *o, int rc)
{
    return (rc == ATTEST_E_MALFORMED || rc == ATTEST_E_TOKEN_MALFORMED ||
            rc == ATTEST_E_TOKEN_NONCE) && strstr(o->where, "libjansson") != NULL;
}

/* Counts a mislabelled run (it fails the walk); prints it: every one with
 * --mislabelled, else the first of each status. */
static void mislabelled(walk *w, long n, const outcome *o)
{
    int rc = wrong_label(w, o);
    if (rc == 0) return;
    int known = jansson_known(o, rc);
    w->mislabelled += !known;
    w->jansson += known;
    if (w->list || (!known && !(w->seen_other & (1ull << (-rc & 63)))))
        fprintf(stderr, "allocfail: %s, allocation %ld failed (in %s): %s %s (verify %s, token %s, "
                "tampered token %s) at %s: %s\n", label(w), n, o->where[0] ? o->where : "?",
                known ? "jansson" : "MISLABELLED", attest_status_name(rc),
                attest_status_name(o->rc), attest_status_name(o->token_rc),
                attest_status_name(o->tampered_rc), o->step ? "verify" : "set-up", o->reason);
    if (!known) w->seen_other |= 1ull << (-rc & 63);
}

/* Whether one run was safe; prints why not. */
static int judge(walk *w, long n, int got, const outcome *o, int status)
{
    const char *what = NULL;
    int want = w->c->verdict[w->forged];
    if (!got && WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        what = "HANG (no end within " HANG_TEXT " s)";
    else if (!got)
        what = WIFSIGNALED(status) ? "CRASH (signal)" : "CRASH or sanitizer report";
    else if (!WIFEXITED(status) || WEXITSTATUS(status) == 3)
        what = init_leak(w, o) || known_leak(w, o) ? NULL : "LEAK";
    else if (WEXITSTATUS(status) != 0)
        what = "sanitizer report at exit";
    else if (o->bad)
        what = "WRONG";
    else if (w->forged && o->rc == ATTEST_OK)
        what = "FORGED COPY ACCEPTED";
    else if (o->huge_where[0] && strcmp(o->huge_where, "libjwt.so.0") != 0)
        what = "IMPOSSIBLE ALLOCATION SIZE (a length from a failed call?)";
    if (got && !what && o->huge_where[0]) w->huge++;
    if (got && !what) mislabelled(w, n, o);
    if (got && !what && o->printed && !getenv("ALLOCFAIL_TRACE")) { /* (the trace is on purpose) */
        w->printed++;
        fprintf(stderr, "allocfail: %s, allocation %ld failed: PRINTED TO STDERR (above): %s: %s\n",
                label(w), n, attest_status_name(o->rc), o->reason);
    }
    if (got) {
        w->injected += o->injected != 0;
        w->kept += o->rc == want;
        w->nomem += o->rc == ATTEST_E_NOMEM;
    }
    if (!what) return 0;
    fprintf(stderr, "allocfail: %s, allocation %ld failed: %s: %s at step %s: %s\n", label(w), n,
            what, got ? attest_status_name(o->rc) : "-", got && o->step ? "verify" : "set-up",
            got ? o->reason : "(no outcome)");
    return 1;
}

/* The outcome of the run that failed allocation n, from its pipe, judged. */
static void take(walk *w, int fd, int errfd, long n, int status)
{
    outcome o;
    memset(&o, 0, sizeof o);
    int got = read(fd, &o, sizeof o) == (ssize_t)sizeof o;
    close(fd);
    capture_pass_on(errfd);
    w->failures += judge(w, n, got, &o, status);
    w->points++;
    w->inside += w->expect && got && o.in_function;
    if (getenv("ALLOCFAIL_LOG")) /* every run's outcome: comparing two ways of walking */
        fprintf(stderr, "allocfail-log: %s %ld: got %d status %d rc %d step %d token %d tampered %d "
                "bad %d injected %ld count %ld end %zu in %s\n", label(w), n, got, status, o.rc,
                o.step, o.token_rc, o.tampered_rc, o.bad, o.injected, o.count, o.end_bytes, o.where);
}

static void reap(walk *w, slot *slots, int *running)
{
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    for (int i = 0; i < *running; i++) {
        if (slots[i].pid != pid) continue;
        take(w, slots[i].fd, slots[i].errfd, slots[i].n, status);
        slots[i] = slots[--*running];
        return;
    }
}

/* The N of the walk: all of 1..k, every --stride-th, or the first
 * SAMPLE_ALL and about SAMPLE_POINTS more spread evenly up to k. */
static void plan(walk *w, long k, int full)
{
    long spread = w->cold ? COLD_POINTS : SAMPLE_POINTS;
    long first = w->from > 0 ? w->from : 1;
    w->step = full || k <= SAMPLE_ALL ? 1 : (k - SAMPLE_ALL) / spread + 1;
    w->last = w->to > 0 && w->to < k ? w->to : k;
    w->all_to = w->stride > 0 ? 0 : w->from > 0 ? w->last : SAMPLE_ALL; /* step 1 up to here */
    if (w->from > 0) w->step = 1;
    if (w->stride > 0) w->step = w->stride;
    w->next = first <= w->last ? first : 0;
}

/* The N after n in the plan, 0 after the last. */
static long plan_next(const walk *w, long n)
{
    n += n < w->all_to ? 1 : w->step;
    return n <= w->last ? n : 0;
}

/* Runs the n-th failure for every n of the plan, each in a child that
 * runs the verification from the start. */
static void walk_points(walk *w)
{
    slot slots[MAX_JOBS];
    int running = 0;
    for (long n = w->next; n > 0; n = plan_next(w, n)) {
        if (running == w->jobs) reap(w, slots, &running);
        if (spawn(&slots[running], w, n) != 0) {
            perror("allocfail: fork");
            w->failures++;
            break;
        }
        running++;
    }
    while (running > 0) reap(w, slots, &running);
}

/* How far from its recorded window a regression point is looked for (the
 * library's allocation counts move when code before the point changes);
 * ALLOCFAIL_RADIUS overrides, e.g. to find a point again after a change. */
#define REGRESSION_RADIUS 48

static long regression_radius(void)
{
    const char *s = getenv("ALLOCFAIL_RADIUS");
    return s && *s ? atol(s) : REGRESSION_RADIUS;
}

/* The i-th point to try for `r`: its recorded window, then outward, one
 * below and one above in turn; 0 once more than `radius` away. */
static long search_point(const struct regression *r, long i, long radius)
{
    long width = r->to - r->from + 1;
    if (i < width) return r->from + i;
    long d = (i - width) / 2 + 1;
    if (d > radius) return 0;
    long n = (i - width) % 2 == 0 ? r->from - d : r->to + d;
    return n > 0 ? n : -1; /* -1: below the first allocation, skipped */
}

/* The sampled walk's regression points of this case, one child each: the
 * recorded window, or the nearest points that still fail inside the
 * function (said, so that the table can be updated). Every point tried is
 * judged like any other. */
static void walk_regressions(walk *w)
{
    long radius = regression_radius();
    for (size_t i = 0; i < NREGRESSIONS; i++) {
        const struct regression *r = &REGRESSIONS[i];
        const char *name = builtin_mode ? "builtin" : w->cold ? "cold" : w->c->name;
        if (strcmp(r->kind, name) != 0 || r->forged != w->forged) continue;
        w->expect = r->function;
        w->inside = 0;
        long n, found = 0;
        for (long j = 0; (n = search_point(r, j, radius)) != 0; j++) {
            if (n < 0) continue;
            slot s;
            int status = 0;
            if (spawn(&s, w, n) != 0) {
                w->failures++;
                break;
            }
            waitpid(s.pid, &status, 0);
            long before = w->inside;
            take(w, s.fd, s.errfd, s.n, status);
            if (w->inside > before && !found) found = n;
            if (found && j >= r->to - r->from) break; /* window done, a point found */
        }
        if (w->inside == 0) {
            fprintf(stderr, "allocfail: %s, regression points %ld-%ld (and %ld either side) no "
                    "longer fail inside %s: find them again (ALLOCFAIL_RADIUS=N, or "
                    "ALLOCFAIL_TRACE=1 --range N:N) and update REGRESSIONS\n",
                    label(w), r->from, r->to, radius, r->function);
            w->failures++;
        } else if (found < r->from || found > r->to) {
            fprintf(stderr, "allocfail: %s, regression point of %s found at %ld (recorded "
                    "%ld-%ld): update REGRESSIONS\n", label(w), r->function, found, r->from,
                    r->to);
        }
        w->expect = NULL;
    }
}

static walk *walking;          /* the walker's walk, for its grandchildren */
static size_t walking_before;  /* live bytes before its counted run */

static void grandchild_report(outcome *out)
{
    walk *w = walking;
    report(w->gfd, out, w->cold, w->cold ? w->end_bytes : walking_before, NULL);
}

/* Fork at the point (--fork-at-point), in the walker W, at its counted
 * allocation k: when k is in the plan, a grandchild G makes it fail and
 * goes on to the end of the same verification and reports as a child of
 * walk_points does (walker); W waits for G, judges it, and lets allocation
 * k succeed. So each point costs a fork and G's rest of the run, not a run
 * from the start. */
static int at_point(long k, void *ctx)
{
    walk *w = ctx;
    if (k != w->next) return 0;
    w->next = plan_next(w, k);
    int again = needs_again(w, k);
    int p[2];
    if (pipe(p) != 0) p[0] = p[1] = -1;
    int errfd = capture_open();
    pid_t pid = p[0] < 0 ? -1 : fork();
    if (pid == 0) {
        close(p[0]);
        w->gfd = p[1];
        capture_begin(errfd);
        cold_again = again;
        after_in_thread = thread_mode ? grandchild_report : NULL;
        alarm(HANG_SECONDS);
        return 1;
    }
    if (pid < 0) {
        perror("allocfail: fork at the point");
        if (p[0] >= 0) close(p[0]), close(p[1]);
        if (errfd >= 0) close(errfd);
        w->failures++;
        w->next = 0;
        return 0;
    }
    close(p[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    w->again += again;
    take(w, p[0], errfd, k, status);
    if (w->points % 10000 == 0)
        fprintf(stderr, "allocfail: %s: %ld points walked, at allocation %ld of %ld: verdict kept "
                "%ld, ATTEST_E_NOMEM %ld, mislabelled %ld (+%ld in jansson), unsafe %ld, printed %ld\n",
                label(w), w->points, k, w->last, w->kept, w->nomem, w->mislabelled, w->jansson,
                w->failures, w->printed);
    return 0;
}

/* The walker W (a child of this process): one counted run without a
 * failure, forking at every point of the plan (at_point). The grandchild
 * leaves here through report; W sends its tallies back through fd. */
static void walker(int fd, walk *w)
{
    outcome out;
    memset(&out, 0, sizeof out);
    size_t before = __sanitizer_get_current_allocated_bytes();
    walking = w;
    walking_before = before;
    w->gfd = -1;
    run_point_fn = at_point;
    run_point_ctx = w;
    counted_run(&out, w->c, w->forged, 0);
    if (w->gfd >= 0) report(w->gfd, &out, w->cold, w->cold ? w->end_bytes : before, NULL);
    _exit(write(fd, w, sizeof *w) == (ssize_t)sizeof *w ? 0 : 4);
}

/* The plan walked by one walker; its tallies copied into w. */
static void walk_forked(walk *w)
{
    int p[2], status = 0;
    if (pipe(p) != 0) return (void)w->failures++;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        walker(p[1], w);
    }
    close(p[1]);
    walk got;
    int whole = pid > 0 && read(p[0], &got, sizeof got) == (ssize_t)sizeof got;
    close(p[0]);
    if (pid > 0) waitpid(pid, &status, 0);
    if (whole && status == 0) {
        *w = got;
        return;
    }
    fprintf(stderr, "allocfail: %s: the walker ended without its tallies (status %d)\n", label(w),
            status);
    w->failures++;
}

/* K and the verdict without a failure, from one child; 0 on error. */
static long count_run(walk *w)
{
    slot s;
    int running = 1, status = 0;
    outcome o;
    memset(&o, 0, sizeof o);
    if (spawn(&s, w, 0) != 0) return 0;
    waitpid(s.pid, &status, 0);
    int got = read(s.fd, &o, sizeof o) == (ssize_t)sizeof o;
    close(s.fd);
    capture_pass_on(s.errfd);
    (void)running;
    w->c->token_rc[w->forged] = o.token_rc;
    w->end_bytes = o.end_bytes;
    cold_once_bytes = o.once_bytes;
    w->c->tampered[w->forged] = o.tampered_rc;
    if (!got || status != 0 || o.bad || o.rc != w->c->verdict[w->forged] || o.printed) {
        fprintf(stderr, "allocfail: %s without a failure: %s (%s), status %d\n", label(w),
                got ? attest_status_name(o.rc) : "no outcome", got ? o.reason : "-", status);
        return 0;
    }
    return o.count;
}

typedef struct options {
    int full, jobs, list, fork;
    long from, to, stride;
} options;

static const char *walk_name(const options *opt)
{
    static char buf[64];
    char what[32];
    if (opt->stride > 0)
        snprintf(what, sizeof what, "every %ld-th", opt->stride);
    else
        snprintf(what, sizeof what, "%s", opt->full ? "all" : opt->from ? "range" : "sampled");
    snprintf(buf, sizeof buf, "%s%s", what, opt->fork ? ", forked at the point" : "");
    return buf;
}

static const char *init_note(const walk *w)
{
    static char buf[200];
    buf[0] = 0;
    if (w->init_leaks || w->known_leaks || w->huge)
        snprintf(buf, sizeof buf, " (known, outside libattest: %ld leaks of OpenSSL's failed set-up, "
                 "%ld of xmlsec1's, libjwt's or a DRBG's set-up, %ld malloc(-1) by libjwt)", w->init_leaks,
                 w->known_leaks, w->huge);
    return buf;
}

/* The shared map the cold run without a failure marks (once per process). */
static int built_map(void)
{
    if (!built) {
        void *m = mmap(NULL, BUILT_CAP, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        built = m == MAP_FAILED ? NULL : m;
    }
    if (built) memset(built, 0, BUILT_CAP);
    return built ? 0 : -1;
}

/* before[n]: how many allocations before n made a lasting block; sets the
 * walk's window (the walker and its grandchildren inherit both). */
static long *built_prefix(walk *w, long k)
{
    long *before = malloc((size_t)(k + 2) * sizeof *before);
    if (!before) return NULL;
    before[0] = before[1] = 0;
    for (long n = 1; n <= k; n++) before[n + 1] = before[n] + (n < BUILT_CAP && built[n]);
    const char *s = getenv("ALLOCFAIL_COLD_WINDOW");
    w->window = s && *s ? atol(s) : COLD_WINDOW;
    w->built_before = before;
    w->built_k = k;
    return before;
}

static long walk_kind(kind *c, int forged, int cold, const options *opt)
{
    walk w = {.c = c, .forged = forged, .cold = cold, .jobs = opt->jobs, .list = opt->list,
              .from = opt->from, .to = opt->to, .stride = opt->stride, .gfd = -1};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int record = cold && !builtin_mode && opt->full && built_map() == 0;
    w.record = record;
    long k = count_run(&w);
    if (k == 0) return 1;
    c->allocs[forged] = k;
    plan(&w, k, opt->full);
    w.record = 0;
    long *before_n = record ? built_prefix(&w, k) : NULL;
    if (opt->fork)
        walk_forked(&w);
    else
        walk_points(&w);
    if (!opt->full && !opt->from && !opt->stride) walk_regressions(&w);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("allocfail: %-18s K=%6ld walked %6ld (%s): verdict kept %ld, ATTEST_E_NOMEM %ld, "
           "other error %ld, mislabelled %ld (+%ld in jansson), unsafe %ld, printed %ld%s; %.1f s\n",
           label(&w), k, w.points, walk_name(opt), w.kept, w.nomem, w.points - w.kept - w.nomem,
           w.mislabelled, w.jansson, w.failures, w.printed, init_note(&w),
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (before_n) {
        long near = 0;
        for (long n = 1; n <= k; n++) near += needs_again(&w, n);
        printf("allocfail: %-18s every case verified again after %ld of the %ld points walked "
               "(%ld of all %ld are within %ld allocations of one of the %ld whose blocks last)\n",
               label(&w), w.again, w.points, near, k, w.window, before_n[k + 1]);
    }
    free(before_n);
    fflush(stdout);
    return w.failures + w.mislabelled + w.printed;
}

/* Every case once in this process: the verdicts without failures, and the
 * process-wide state the warm kinds' children inherit. */
static int warm_up(void)
{
    for (size_t k = 0; k < NKINDS; k++)
        for (int forged = 0; forged < 2; forged++) {
            outcome o;
            memset(&o, 0, sizeof o);
            run_once(&o, &kinds[k], forged);
            kinds[k].verdict[forged] = o.rc;
            if (o.bad || (o.rc == ATTEST_OK) == forged) {
                fprintf(stderr, "allocfail: %s%s: %s (%s)\n", kinds[k].name,
                        forged ? " forged" : "", attest_status_name(o.rc), o.reason);
                return -1;
            }
        }
    return 0;
}

static int selected(int argc, char **argv, const char *name)
{
    int any = 0;
    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
            any = 1;
            if (strcmp(argv[++i], name) == 0) return 1;
        }
    return !any;
}

int main(int argc, char **argv)
{
    options opt = {.jobs = 1};
    if (argc < 3) {
        fprintf(stderr, "usage: %s EVDIR PKIDIR [--full | --range FROM:TO] [--stride S] [--jobs J] "
                "[--fork-at-point] [--thread] [--mislabelled] [--kind snp|tdx|nvidia|composite|cold|builtin]...\n", argv[0]);
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--full") == 0) opt.full = 1;
        if (strcmp(argv[i], "--fork-at-point") == 0) opt.fork = 1;
        if (strcmp(argv[i], "--thread") == 0) thread_mode = 1;
        if (strcmp(argv[i], "--mislabelled") == 0 || strcmp(argv[i], "--verbose") == 0)
            opt.list = 1;
        if (strcmp(argv[i], "--stride") == 0 && i + 1 < argc) opt.stride = atol(argv[++i]);
        if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) opt.jobs = atoi(argv[++i]);
        if (strcmp(argv[i], "--range") == 0 && i + 1 < argc &&
            sscanf(argv[++i], "%ld:%ld", &opt.from, &opt.to) != 2)
            return 2;
    }
    if (opt.jobs < 1 || opt.jobs > MAX_JOBS) opt.jobs = 1;
    verify_at = 1748779200; /* AT, computed here: the parent stays cold */
    void *prime[1]; /* backtrace loads libgcc_s on its first call: here, not in a counted run */
    __lsan_disable(); /* (what dlopen keeps is LeakSanitizer's known false report) */
    backtrace(prime, 1);
    __lsan_enable();
    if (load_inputs(argv[1], argv[2]) != 0) return 2;
    long unsafe = 0;
    /* The cold kind: the composite case, whose run initialises everything. */
    kinds[3].verdict[0] = ATTEST_OK;
    if (selected(argc, argv, "cold")) unsafe += walk_kind(&kinds[3], 0, 1, &opt);
    builtin_mode = 1; /* the same kind's verdict (OK): the table read whole */
    if (selected(argc, argv, "builtin")) unsafe += walk_kind(&kinds[3], 0, 1, &opt);
    builtin_mode = 0;
    if (warm_up() != 0) return 1;
    for (size_t k = 0; k < NKINDS; k++)
        for (int forged = 0; forged < 2 && selected(argc, argv, kinds[k].name); forged++)
            unsafe += walk_kind(&kinds[k], forged, 0, &opt);
    printf("allocfail: %s\n",
           unsafe ? "UNSAFE, MISLABELLED or PRINTING runs above" : "every run safe and labelled, none printed");
    return unsafe ? 1 : 0;
}
