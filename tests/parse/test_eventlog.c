/* Event-log parsers on logs generated here (never copies of ../shared):
 * the TCG crypto-agile log in its TDVF (index 1, 0xFF padding), td-shim
 * (index 0, "td-shim", zero padding) and TPM (two banks, StartupLocality)
 * forms, the CCEL table, dstack's JSON log and the AA text log; each
 * structural rule refuses its edit with its own code and field. */
#include "testutil.h"
#include "api/eventlog_items.h"
#include "parse/ccel.h"
#include "parse/dstack_eventlog.h"
#include "parse/tcg_eventlog.h"

#include <openssl/evp.h>

typedef struct buf {
    uint8_t data[1 << 20];
    size_t len;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    cr_assert_leq(b->len + n, sizeof b->data);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put32(buf *b, uint32_t v)
{
    uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, le, 4);
}

static void put16(buf *b, uint16_t v)
{
    uint8_t le[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, le, 2);
}

static const uint16_t tdx_algs[] = {TCG_ALG_SHA384};
static const uint16_t tpm_algs[] = {TCG_ALG_SHA1, TCG_ALG_SHA256};

static size_t alg_size(uint16_t a)
{
    return a == TCG_ALG_SHA1 ? 20 : a == TCG_ALG_SHA256 ? 32 : 48;
}

static void spec_id(buf *b, uint32_t index, const uint16_t *algs, size_t n, const char *vendor)
{
    uint8_t zero[20] = {0};
    size_t vlen = strlen(vendor);
    put32(b, index);
    put32(b, TCG_EV_NO_ACTION);
    put(b, zero, 20);
    put32(b, (uint32_t)(16 + 8 + 4 + 4 * n + 1 + vlen));
    put(b, "Spec ID Event03", 16);
    put32(b, 0);
    uint8_t ver[4] = {0, 2, 0, 2};
    put(b, ver, 4);
    put32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put16(b, algs[i]);
        put16(b, (uint16_t)alg_size(algs[i]));
    }
    uint8_t vl = (uint8_t)vlen;
    put(b, &vl, 1);
    put(b, vendor, vlen);
}

static void event(buf *b, uint32_t index, uint32_t type, const void *data, size_t len,
                  const uint16_t *algs, size_t n)
{
    put32(b, index);
    put32(b, type);
    put32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint8_t d[64];
        const EVP_MD *md = algs[i] == TCG_ALG_SHA1     ? EVP_sha1()
                           : algs[i] == TCG_ALG_SHA256 ? EVP_sha256()
                                                       : EVP_sha384();
        EVP_Digest(data, len, d, NULL, md, NULL);
        put16(b, algs[i]);
        put(b, d, alg_size(algs[i]));
    }
    put32(b, (uint32_t)len);
    put(b, data, len);
}

static buf *tdvf_log(uint8_t pad)
{
    static const char action[] = "Calling EFI Application from Boot Option";
    static const char grub[] = "grub_cmd: set timeout=0";
    static const uint8_t sep[4] = {0};
    buf *b = calloc(1, sizeof *b);
    spec_id(b, 1, tdx_algs, 1, "");
    event(b, 1, TCG_EV_SEPARATOR, sep, 4, tdx_algs, 1);
    event(b, 2, TCG_EV_EFI_ACTION, action, strlen(action), tdx_algs, 1);
    event(b, 2, TCG_EV_SEPARATOR, sep, 4, tdx_algs, 1);
    event(b, 3, TCG_EV_IPL, grub, sizeof grub, tdx_algs, 1);
    memset(b->data + b->len, pad, 64);
    b->len += 64;
    return b;
}

static int parse(const buf *b, size_t len, tcg_eventlog **out)
{
    *out = NULL;
    return tcg_eventlog_parse(out, b->data, len);
}

Test(eventlog_parse, tdvf_form_with_ff_padding)
{
    buf *b = tdvf_log(0xFF);
    tcg_eventlog *log;
    cr_assert_eq(parse(b, b->len, &log), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(log->spec_index, 1);
    cr_expect_eq(log->count, 4);
    cr_expect_eq(log->padding, 0xFF);
    cr_expect_eq(log->events_end, b->len - 64);
    cr_expect(tcg_eventlog_is_ccel(log));
    cr_expect_eq(attest_eventlog_kind(b->data, b->len), ATTEST_ITEM_CCEL_LOG);
    tcg_eventlog_free(log);
    free(b);
}

Test(eventlog_parse, tdshim_form_with_zero_padding)
{
    static const uint8_t sep[4] = {0};
    buf *b = calloc(1, sizeof *b);
    spec_id(b, 0, tdx_algs, 1, "td-shim");
    event(b, 1, TCG_EV_SEPARATOR, sep, 4, tdx_algs, 1);
    b->len += 100; /* calloc'd: zeros */
    tcg_eventlog *log;
    cr_assert_eq(parse(b, b->len, &log), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(log->spec_index, 0);
    cr_expect_str_eq(log->vendor_info, "td-shim");
    cr_expect_eq(log->padding, 0x00);
    tcg_eventlog_free(log);
    free(b);
}

Test(eventlog_parse, tpm_form_two_banks_startup_locality)
{
    static const uint8_t loc[17] = "StartupLocality\0\3";
    static const uint8_t sep[4] = {0};
    buf *b = calloc(1, sizeof *b);
    spec_id(b, 0, tpm_algs, 2, "");
    event(b, 0, TCG_EV_NO_ACTION, loc, sizeof loc, tpm_algs, 2);
    event(b, 7, TCG_EV_SEPARATOR, sep, 4, tpm_algs, 2);
    tcg_eventlog *log;
    cr_assert_eq(parse(b, b->len, &log), ATTEST_OK, "%s", attest_error_last());
    cr_expect(log->has_startup_locality);
    cr_expect_eq(log->startup_locality, 3);
    cr_expect_eq(log->alg_count, 2);
    cr_expect_not(tcg_eventlog_is_ccel(log));
    cr_expect_eq(attest_eventlog_kind(b->data, b->len), ATTEST_ITEM_TCG_LOG);
    tcg_eventlog_free(log);
    free(b);
}

Test(eventlog_parse, trailing_bytes_that_are_not_padding)
{
    buf *b = tdvf_log(0xFF);
    b->data[b->len - 1] = 0x01;
    tcg_eventlog *log;
    cr_expect_neq(parse(b, b->len, &log), ATTEST_OK);
    free(b);
}

Test(eventlog_parse, digest_count_other_than_spec_id)
{
    buf *b = calloc(1, sizeof *b);
    static const uint8_t sep[4] = {0};
    spec_id(b, 0, tpm_algs, 2, "");
    event(b, 7, TCG_EV_SEPARATOR, sep, 4, tpm_algs, 1); /* one digest of two */
    tcg_eventlog *log;
    cr_expect_eq(parse(b, b->len, &log), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "event[0].digest_count"), "%s", attest_error_last());
    free(b);
}

Test(eventlog_parse, algorithm_absent_from_spec_id)
{
    static const uint16_t other[] = {TCG_ALG_SHA256};
    static const uint8_t sep[4] = {0};
    buf *b = calloc(1, sizeof *b);
    spec_id(b, 1, tdx_algs, 1, "");
    size_t at = b->len;
    event(b, 1, TCG_EV_SEPARATOR, sep, 4, tdx_algs, 1);
    b->data[at + 12] = (uint8_t)other[0]; /* the digest's algorithm id */
    tcg_eventlog *log;
    cr_expect_eq(parse(b, b->len, &log), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "event[0].digests[0].algorithm"), "%s",
              attest_error_last());
    free(b);
}

Test(eventlog_parse, legacy_sha1_log_unsupported)
{
    buf *b = tdvf_log(0xFF);
    b->data[32 + 14] = '2'; /* "Spec ID Event02" */
    tcg_eventlog *log;
    cr_expect_eq(parse(b, b->len, &log), ATTEST_E_UNSUPPORTED_VERSION);
    cr_expect(strstr(attest_error_last(), "tcg_log.spec_id.signature"), "%s",
              attest_error_last());
    free(b);
}

Test(eventlog_parse, every_cut_truncated_or_whole)
{
    buf *b = tdvf_log(0xFF);
    size_t end = b->len - 64;
    for (size_t cut = 48; cut < end; cut++) {
        tcg_eventlog *log;
        int st = parse(b, cut, &log);
        cr_expect(st == ATTEST_OK || st == ATTEST_E_TRUNCATED, "cut %zu: %s", cut,
                  attest_error_last());
        tcg_eventlog_free(log);
    }
    free(b);
}

Test(eventlog_parse, event_count_bounded)
{
    buf *b = calloc(1, sizeof *b);
    spec_id(b, 1, tdx_algs, 1, "");
    for (int i = 0; i <= TCG_LOG_MAX_EVENTS; i++)
        event(b, 3, TCG_EV_IPL, "", 0, tdx_algs, 1);
    tcg_eventlog *log;
    cr_expect_eq(parse(b, b->len, &log), ATTEST_E_LENGTH, "%s", attest_error_last());
    free(b);
}

static void ccel_table_bytes(uint8_t t[56], uint8_t cc_type)
{
    memset(t, 0, 56);
    memcpy(t, "CCEL", 4);
    t[4] = 56;
    t[8] = 1;
    memcpy(t + 10, "INTEL EDK2    ", 14);
    t[36] = cc_type;
    t[42] = 0x04; /* LAML 0x40000 */
    uint8_t sum = 0;
    for (int i = 0; i < 56; i++)
        sum = (uint8_t)(sum + t[i]);
    t[9] = (uint8_t)(0x100 - sum);
}

Test(eventlog_parse, ccel_table)
{
    uint8_t t[56];
    ccel_table parsed;
    ccel_table_bytes(t, CCEL_CC_TYPE_TDX);
    cr_assert_eq(ccel_table_parse(&parsed, t, 56), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(parsed.laml, 0x40000);
    cr_expect_eq(attest_eventlog_kind(t, 56), ATTEST_ITEM_CCEL_TABLE);
    t[50] ^= 1;
    cr_expect_eq(ccel_table_parse(&parsed, t, 56), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "ccel.checksum"), "%s", attest_error_last());
    ccel_table_bytes(t, CCEL_CC_TYPE_SEV);
    cr_expect_eq(ccel_table_parse(&parsed, t, 56), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "ccel.cc_type"), "%s", attest_error_last());
}

static int dstack(const char *json)
{
    dstack_eventlog *log = NULL;
    int st = dstack_eventlog_parse(&log, (const uint8_t *)json, strlen(json));
    dstack_eventlog_free(log);
    return st;
}

Test(eventlog_parse, dstack_json)
{
    const char *ok = "[{\"imr\":3,\"event_type\":134217729,\"digest\":\"\",\"event\":\"app-id\","
                     "\"event_payload\":\"00ff\"}]";
    cr_expect_eq(dstack(ok), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(attest_eventlog_kind((const uint8_t *)ok, strlen(ok)), ATTEST_ITEM_DSTACK_LOG);
    cr_expect_eq(dstack("[{\"imr\":3,\"event_type\":4,\"digest\":\"\",\"event\":\"\","
                        "\"event_payload\":\"\"}]"), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "dstack_log[0].digest"), "%s", attest_error_last());
    cr_expect_eq(dstack("[{\"imr\":3,\"event_type\":4,\"digest\":\"\",\"event\":\"\","
                        "\"event_payload\":\"\",\"extra\":1}]"), ATTEST_E_MALFORMED);
    cr_expect_eq(dstack("[{\"imr\":-1,\"event_type\":134217729,\"digest\":\"\",\"event\":\"\","
                        "\"event_payload\":\"\"}]"), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "dstack_log[0].imr"), "%s", attest_error_last());
    cr_expect_eq(dstack("[{\"imr\":3,\"event_type\":134217729,\"digest\":\"\",\"event\":\"\","
                        "\"event_payload\":\"0\"}]"), ATTEST_E_MALFORMED);
}

static int aael(const char *text)
{
    aael_log *log = NULL;
    int st = aael_log_parse(&log, (const uint8_t *)text, strlen(text));
    aael_log_free(log);
    return st;
}

#define INIT0 "INIT sha384/000000000000000000000000000000000000000000000000" \
              "000000000000000000000000000000000000000000000000"

Test(eventlog_parse, aael_text)
{
    cr_expect_eq(aael(INIT0 "\nimage-rs CreateContainer docker.io/x\n"), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(aael(INIT0 "\nd o \n"), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(aael(INIT0 "\n\nd o c\n"), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "aael.line[1]: empty"), "%s", attest_error_last());
    cr_expect_eq(aael(INIT0 "\n" INIT0 "\n"), ATTEST_E_MALFORMED);
    cr_expect_eq(aael(INIT0 "\nd o c\r\n"), ATTEST_E_MALFORMED);
    cr_expect_eq(aael(INIT0 "\nnospace\n"), ATTEST_E_MALFORMED);
    cr_expect_eq(aael("INIT sha384/00\n"), ATTEST_E_MALFORMED);
}
