/* The library-wide part of the public API: version, limits, status codes
 * and the per-thread last error. */
#include "testutil.h"
#include "snpgen.h"

#include <ctype.h>
#include <pthread.h>

/* ---- version ------------------------------------------------------------ */

Test(api_version, number_string_and_macros_agree)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", ATTEST_VERSION_MAJOR, ATTEST_VERSION_MINOR,
             ATTEST_VERSION_PATCH);
    cr_assert_str_eq(attest_version(), want);
    cr_assert_eq(attest_version_number(), (unsigned long)ATTEST_VERSION_NUMBER);

    unsigned major, minor, patch;
    char end;
    cr_assert_eq(sscanf(attest_version(), "%u.%u.%u%c", &major, &minor, &patch, &end), 3,
                 "\"%s\" is not MAJOR.MINOR.PATCH", attest_version());
    cr_assert_eq(attest_version_number(), (unsigned long)major << 16 | minor << 8 | patch,
                 "0x%06lx does not encode %s as 0xMMmmpp", attest_version_number(),
                 attest_version());
}

Test(api_version, encoding_is_the_documented_one)
{
#if ATTEST_VERSION_MAJOR == 0 && ATTEST_VERSION_MINOR == 1 && ATTEST_VERSION_PATCH == 0
    cr_assert_eq(ATTEST_VERSION_NUMBER, 0x000100);
#endif
    cr_assert_lt(ATTEST_VERSION_MINOR, 256);
    cr_assert_lt(ATTEST_VERSION_PATCH, 256);
}

/* The Makefile derives VERSION (the .so name, libattest.pc) from the header
 * alone; the header's three lines must keep the form its sed reads. */
Test(api_version, header_lines_keep_the_form_the_makefile_reads)
{
    size_t len;
    char *h = (char *)tu_read("include/attest.h", &len);
    cr_assert(h, "run from the repository root");
    char line[64];
    snprintf(line, sizeof line, "\n#define ATTEST_VERSION_MAJOR %d\n", ATTEST_VERSION_MAJOR);
    cr_expect(strstr(h, line), "no line \"%s\"", line + 1);
    snprintf(line, sizeof line, "\n#define ATTEST_VERSION_MINOR %d\n", ATTEST_VERSION_MINOR);
    cr_expect(strstr(h, line), "no line \"%s\"", line + 1);
    snprintf(line, sizeof line, "\n#define ATTEST_VERSION_PATCH %d\n", ATTEST_VERSION_PATCH);
    cr_expect(strstr(h, line), "no line \"%s\"", line + 1);
    free(h);
}

/* ---- limits --------------------------------------------------------------- */

Test(api_limits, values_are_the_documented_ones)
{
    cr_assert_eq(attest_nonce_max(), ATTEST_NONCE_MAX);
    cr_assert_eq(attest_nonce_max(), 64);
    cr_assert_eq(attest_nvidia_device_max(), 12);
    cr_assert_eq(attest_ocsp_response_max(), 256);
    cr_assert_eq(attest_ocsp_nonce_max(), 32);
}

/* A signed SEV-SNP report of the Milan test PKI. */
static void make_report(uint8_t report[SNPGEN_REPORT_SIZE], snpgen_pki **pki)
{
    char dir[512];
    cr_assert_eq(snpgen_pki_load(pki, tu_pki(dir, sizeof dir, "milan")), 0, "%s", dir);
    cr_assert_eq(snpgen_report_init(report, *pki, 3), 0);
    cr_assert_eq(snpgen_report_sign(report, (*pki)->vcek_key), 0);
}

Test(api_limits, bundle_nonce_is_refused_one_byte_past_the_limit)
{
    snpgen_pki *pki = NULL;
    uint8_t report[SNPGEN_REPORT_SIZE];
    make_report(report, &pki);
    const uint8_t *items[1] = {report};
    const size_t lens[1] = {sizeof report};
    uint8_t nonce[ATTEST_NONCE_MAX + 1] = {0};
    char *json = NULL;
    cr_assert_eq(attest_bundle_create(&json, items, lens, 1, nonce, attest_nonce_max()),
                 ATTEST_OK, "%s", attest_error_last());
    attest_string_free(json);
    json = NULL;
    cr_assert_eq(attest_bundle_create(&json, items, lens, 1, nonce, attest_nonce_max() + 1),
                 ATTEST_E_INVALID_ARG);
    cr_assert_null(json);
    snpgen_pki_free(pki);
}

Test(api_limits, ocsp_request_nonce_is_refused_one_byte_past_the_limit)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    const uint8_t not_ocsp[4] = {0x30, 0x02, 0x05, 0x00};
    uint8_t nonce[64] = {0};
    size_t max = attest_ocsp_nonce_max();
    cr_assert_lt(max, sizeof nonce);
    /* At the limit the nonce passes and the bytes are judged. */
    cr_expect_eq(attest_collateral_add_ocsp(c, not_ocsp, sizeof not_ocsp, nonce, max),
                 ATTEST_E_COLLATERAL_UNKNOWN, "%s", attest_error_last());
    cr_expect_eq(attest_collateral_add_ocsp(c, not_ocsp, sizeof not_ocsp, nonce, max + 1),
                 ATTEST_E_INVALID_ARG);
    attest_collateral_free(c);
}

/* ---- status codes --------------------------------------------------------- */

/* Every `ATTEST_OK = 0` / `ATTEST_E_NAME = -N` line of the header's enum,
 * so that a code added to the header but not to error.c's table fails. */
typedef struct {
    char name[64];
    int value;
} status_decl;

static size_t read_status_decls(status_decl *out, size_t max)
{
    size_t len, n = 0;
    char *h = (char *)tu_read("include/attest.h", &len);
    cr_assert(h, "run from the repository root");
    const char *p = strstr(h, "typedef enum attest_status {");
    const char *end = p ? strstr(p, "} attest_status;") : NULL;
    cr_assert(p && end, "attest.h: enum attest_status not found");
    for (; (p = strstr(p, "ATTEST_")) && p < end; p++) {
        status_decl d;
        size_t k = 0;
        while (k + 1 < sizeof d.name && (isupper((unsigned char)p[k]) || p[k] == '_' ||
                                         isdigit((unsigned char)p[k])))
            k++;
        memcpy(d.name, p, k);
        d.name[k] = '\0';
        if (sscanf(p + k, " = %d", &d.value) != 1)
            continue; /* a name in a comment */
        cr_assert_lt(n, max);
        out[n++] = d;
        p += k;
    }
    free(h);
    return n;
}

Test(api_status, every_code_of_the_header_has_its_name_and_a_message)
{
    status_decl decls[256];
    size_t n = read_status_decls(decls, 256);
    cr_assert_gt(n, 60, "only %zu codes read from attest.h", n);
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(attest_status_name(decls[i].value), decls[i].name, "value %d",
                         decls[i].value);
        const char *text = attest_strerror(decls[i].value);
        cr_expect(text && text[0] && strcmp(text, "unknown status") != 0, "%s has no message",
                  decls[i].name);
        for (size_t j = 0; j < i; j++)
            cr_expect_neq(decls[i].value, decls[j].value, "%s and %s share %d", decls[i].name,
                          decls[j].name, decls[i].value);
    }
}

Test(api_status, a_value_outside_the_enum_is_named_unknown)
{
    const int outside[] = {1, -5, -9, -200, 12345};
    for (size_t i = 0; i < sizeof outside / sizeof *outside; i++) {
        cr_expect_str_eq(attest_status_name(outside[i]), "ATTEST_E_UNKNOWN");
        cr_expect_str_eq(attest_strerror(outside[i]), "unknown status");
    }
}

/* ---- the last error ------------------------------------------------------- */

static int parse_junk(void)
{
    const uint8_t junk[5] = {1, 2, 3, 4, 5};
    attest_evidence *ev = NULL;
    int st = attest_evidence_parse(&ev, junk, sizeof junk);
    attest_evidence_free(ev);
    return st;
}

static int parse_bad_policy(void)
{
    attest_policy *p = NULL;
    int st = attest_policy_from_json(&p, "{\"snp\": ", 8);
    attest_policy_free(p);
    return st;
}

Test(api_error, status_and_message_of_the_failed_call)
{
    cr_assert_eq(parse_junk(), ATTEST_E_FORMAT_UNKNOWN);
    cr_assert_eq(attest_error_last_status(), ATTEST_E_FORMAT_UNKNOWN);
    const char *msg = attest_error_last();
    cr_assert(strstr(msg, "5 bytes are no known evidence format"), "%s", msg);
    const char *formats[] = {"SEV-SNP report", "DCAP quote", "NVIDIA", "bundle"};
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        cr_expect(strstr(msg, formats[i]), "\"%s\" does not name %s", msg, formats[i]);

    /* The next failure replaces both. */
    cr_assert_eq(parse_bad_policy(), ATTEST_E_POLICY_INVALID);
    cr_assert_eq(attest_error_last_status(), ATTEST_E_POLICY_INVALID);
    cr_assert(strncmp(attest_error_last(), "policy: ", 8) == 0, "%s", attest_error_last());
}

Test(api_error, a_failed_verification_records_its_status_and_reason)
{
    snpgen_pki *pki = NULL;
    uint8_t report[SNPGEN_REPORT_SIZE];
    make_report(report, &pki);
    attest_verifier *v = NULL;
    attest_evidence *ev = NULL;
    attest_result *r = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_evidence_parse(&ev, report, sizeof report), ATTEST_OK, "%s",
                 attest_error_last());
    int st = attest_verify(&r, v, ev, NULL, NULL, NULL, 0); /* no collateral: rejected */
    cr_assert_neq(st, ATTEST_OK);
    cr_expect_eq(attest_error_last_status(), st);
    cr_expect_str_eq(attest_error_last(), attest_result_reason(r));
    attest_result_free(r);
    attest_evidence_free(ev);
    attest_verifier_free(v);
    snpgen_pki_free(pki);
}

/* Two threads fail differently at the same time; each must read its own
 * failure, and a third thread that called nothing reads none. */
typedef struct {
    pthread_barrier_t *failed;
    int (*fail)(void);
    int returned, status;
    char message[512];
} error_thread;

static void *fail_then_read(void *arg)
{
    error_thread *t = arg;
    t->returned = t->fail();
    pthread_barrier_wait(t->failed); /* both failures recorded before either reads */
    t->status = attest_error_last_status();
    snprintf(t->message, sizeof t->message, "%s", attest_error_last());
    return NULL;
}

static int fail_nothing(void) { return ATTEST_OK; }

Test(api_error, each_thread_reads_its_own_failure)
{
    pthread_barrier_t failed;
    pthread_barrier_init(&failed, NULL, 3);
    error_thread t[3] = {{&failed, parse_junk, 0, 0, ""},
                         {&failed, parse_bad_policy, 0, 0, ""},
                         {&failed, fail_nothing, 0, 0, ""}};
    pthread_t id[3];
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(pthread_create(&id[i], NULL, fail_then_read, &t[i]), 0);
    for (size_t i = 0; i < 3; i++)
        pthread_join(id[i], NULL);
    pthread_barrier_destroy(&failed);

    cr_expect_eq(t[0].returned, ATTEST_E_FORMAT_UNKNOWN);
    cr_expect_eq(t[0].status, ATTEST_E_FORMAT_UNKNOWN);
    cr_expect(strstr(t[0].message, "evidence: "), "%s", t[0].message);
    cr_expect_eq(t[1].returned, ATTEST_E_POLICY_INVALID);
    cr_expect_eq(t[1].status, ATTEST_E_POLICY_INVALID);
    cr_expect(strstr(t[1].message, "policy: "), "%s", t[1].message);
    cr_expect_eq(t[2].status, ATTEST_OK);
    cr_expect_str_eq(t[2].message, "");
    /* Nor did the threads' failures reach this one. */
    cr_expect_eq(attest_error_last_status(), ATTEST_OK);
    cr_expect_str_eq(attest_error_last(), "");
}
