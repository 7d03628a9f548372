/* TPMS_ATTEST parser: every quote of ../shared/vectors/azure parses with the
 * nonce (extraData) and PCR selection the MANIFEST gives (AS06 {0-7,14},
 * K3 {15,16,22}, AS09 {0-14}, all others {0-23}), and edits of real bytes
 * fail with their own code and a detail naming the field. */
#include "testutil.h"
#include "parse/tpm_attest.h"

/* ---- helpers --------------------------------------------------------- */

static uint8_t *load(const char *rel, size_t *len)
{
    char path[512], full[600];
    snprintf(full, sizeof full, "azure/%s", rel);
    uint8_t *data = tu_read(tu_shared(path, sizeof path, full), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

static int parse_exact(attest_tpm_attest *q, const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert(copy);
    if (len)
        memcpy(copy, data, len);
    int st = attest_tpm_attest_parse(q, copy, len);
    free(copy);
    return st;
}

static void expect_fail(const uint8_t *data, size_t len, int status, const char *field,
                        const char *what)
{
    attest_tpm_attest q;
    int st = parse_exact(&q, data, len);
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    if (field)
        cr_expect(strstr(attest_error_last(), field) != NULL,
                  "%s: detail '%s' does not name '%s'", what, attest_error_last(), field);
}

/* ---- the real quotes --------------------------------------------------- */

typedef struct quote_case {
    const char *path;       /* under vectors/azure */
    size_t len;
    const char *nonce;      /* ASCII, or NULL: nonce_hex holds the start */
    const char *nonce_hex;  /* leading bytes of a binary nonce */
    size_t nonce_len;
    uint32_t selection;     /* bit i = PCR i */
} quote_case;

#define ALL24 0x00FFFFFFu
static const quote_case quotes[] = {
    {"snp/AS01_trustee_milan_v2_hclv1_challenge/quote_msg.bin", 122, "challenge", NULL, 9, ALL24},
    {"snp/AS02_trustee_milan_v3_evidence_v0_S08/quote_msg.bin", 122, "challenge", NULL, 9, ALL24},
    {"snp/AS03_trustee_milan_v3_evidence_v1/quote_msg.bin", 122, "challenge", NULL, 9, ALL24},
    {"snp/AS04_trustee_milan_v3_evidence_v2_userdata/quote_msg.bin", 161, NULL, "\x98\x2f\x5c\x6e", 48, ALL24},
    {"snp/AS05_trustee_genoa_v3_evidence_genoa_S09/quote_msg.bin", 161, NULL, "\x02\x18\x48\x8b", 48, ALL24},
    {"snp/AS06_trustee_milan_v2_hcl2048_pcrsubset/tpm-quote.msg", 122, "challenge", NULL, 9, 0x40FFu},
    {"snp/AS07_trustee_milan_v2_2024/quote_msg.bin", 122, "challenge", NULL, 9, ALL24},
    {"snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/q1_quote_msg.bin", 145, NULL, "\x69\x0b\xb5\x1b", 32, 0x7FFFu},
    {"snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/q2_quote_msg.bin", 145, NULL, "\xf4\xe7\x7d\xc9", 32, 0x7FFFu},
    {"tdx/AT01_trustee_tdx_current/quote_msg.bin", 122, "challenge", NULL, 9, ALL24},
    {"tdx/AT02_trustee_tdx_2024a/tpm-quote.msg", 126, "tdx challenge", NULL, 13, ALL24},
    {"tdx/AT03_trustee_tdx_2024b/quote_msg.bin", 122, "challenge", NULL, 9, ALL24},
    {"tdx/AT04_flashbots_tdx_2026_akchain/quote_msg.bin", 145, NULL, "\0\0\0\0", 32, ALL24},
    {"tdx/AT05_flashbots_tdx_2025/quote_msg.bin", 145, NULL, "\0\0\0\0", 32, ALL24},
    {"tpm/K1_quote_msg.bin", 122, "challenge", NULL, 9, ALL24},
    {"tpm/K2_quote_msg.bin", 122, "challenge", NULL, 9, ALL24},
    {"tpm/K3_quote.msg", 116, NULL, "\x01\x02\x03", 3, (1u << 15) | (1u << 16) | (1u << 22)},
};

static void check_quote(const quote_case *c)
{
    size_t len;
    uint8_t *data = load(c->path, &len);
    attest_tpm_attest q;
    cr_assert_eq(len, c->len, "%s: length", c->path);
    int st = parse_exact(&q, data, len);
    cr_assert_eq(st, ATTEST_OK, "%s: %s (%s)", c->path, attest_status_name(st),
                 attest_error_last());
    cr_assert_eq(attest_tpm_attest_parse(&q, data, len), ATTEST_OK);
    cr_expect_eq(q.extra_data_len, c->nonce_len, "%s: nonce length", c->path);
    const char *want = c->nonce ? c->nonce : c->nonce_hex;
    size_t cmp = c->nonce ? c->nonce_len : (c->nonce_len < 4 ? c->nonce_len : 4);
    cr_expect(memcmp(q.extra_data, want, cmp) == 0, "%s: nonce", c->path);
    cr_expect_eq(q.pcr_hash_alg, ATTEST_TPM_ALG_SHA256);
    cr_expect_eq(q.pcr_select_len, 3);
    cr_expect_eq(q.qualified_signer_len, 34, "%s: qualified signer", c->path);
    cr_expect_eq(q.firmware_version, 0x2020031200120003ull, "%s: firmware", c->path);
    cr_expect_eq(q.pcr_digest_len, 32);
    uint32_t sel = 0;
    for (unsigned i = 0; i < 32; i++)
        if (attest_tpm_pcr_selected(&q, i))
            sel |= 1u << i;
    cr_expect_eq(sel, c->selection, "%s: selection 0x%x", c->path, sel);
    cr_expect_eq(attest_tpm_pcr_count(&q), (size_t)__builtin_popcount(c->selection));
    json_t *j = attest_tpm_attest_to_json(&q);
    cr_expect(j && json_array_size(json_object_get(json_object_get(j, "pcr_select"),
                                                   "pcrs")) == attest_tpm_pcr_count(&q));
    json_decref(j);
    free(data);
}

Test(tpm_attest, manifest_quotes)
{
    for (size_t i = 0; i < sizeof quotes / sizeof quotes[0]; i++)
        check_quote(&quotes[i]);
}

/* ---- edits of AS01 (122 bytes, 9-byte nonce) --------------------------- */

#define AS01 "snp/AS01_trustee_milan_v2_hclv1_challenge/quote_msg.bin"
/* Offsets in AS01: the field boundaries. */
enum {
    O_TYPE = 4, O_SIGNER = 6, O_EXTRA = 42, O_CLOCK = 53, O_RESET = 61, O_RESTART = 65,
    O_SAFE = 69, O_FW = 70, O_COUNT = 78, O_HASH = 82, O_SIZEOF = 84, O_BITMAP = 85,
    O_DIGEST = 88, O_END = 122,
};

static void put16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

Test(tpm_attest, header_fields)
{
    size_t len;
    uint8_t *d = load(AS01, &len);
    cr_assert_eq(len, O_END);
    d[0] ^= 1;
    expect_fail(d, len, ATTEST_E_MALFORMED, "tpm.attest.magic: 0xfe544347", "magic");
    d[0] ^= 1;
    put16be(d + O_TYPE, 0x8014);
    expect_fail(d, len, ATTEST_E_MALFORMED, "tpm.attest.type: 0x8014", "certify type");
    put16be(d + O_TYPE, 0x8018);
    d[O_SAFE] = 2;
    expect_fail(d, len, ATTEST_E_MALFORMED, "tpm.attest.clock_info.safe", "safe 2");
    d[O_SAFE] = 1;
    d[O_COUNT + 3] = 2;
    expect_fail(d, len, ATTEST_E_MALFORMED, "tpm.attest.pcr_select.count: 2 banks", "2 banks");
    d[O_COUNT + 3] = 0;
    expect_fail(d, len, ATTEST_E_MALFORMED, "tpm.attest.pcr_select.count: 0", "0 banks");
    d[O_COUNT + 3] = 1;
    put16be(d + O_HASH, 0x0004);
    expect_fail(d, len, ATTEST_E_UNSUPPORTED_VERSION, "tpm.attest.pcr_select.hash: 0x0004",
                "SHA-1 bank");
    put16be(d + O_HASH, 0x000C);
    expect_fail(d, len, ATTEST_E_UNSUPPORTED_VERSION, "0x000c", "SHA-384 bank");
    put16be(d + O_HASH, 0x000B);
    d[O_SIZEOF] = 2;
    expect_fail(d, len, ATTEST_E_MALFORMED, "pcr_select.size_of_select: 2", "sizeofSelect 2");
    d[O_SIZEOF] = 5;
    expect_fail(d, len, ATTEST_E_MALFORMED, "pcr_select.size_of_select: 5", "sizeofSelect 5");
    d[O_SIZEOF] = 3;
    put16be(d + O_DIGEST, 20);
    expect_fail(d, len, ATTEST_E_MALFORMED, "tpm.attest.pcr_digest: size 20", "digest 20");
    put16be(d + O_DIGEST, 32);
    put16be(d + O_SIGNER, 67);
    expect_fail(d, len, ATTEST_E_MALFORMED, "tpm.attest.qualified_signer: size 67", "name 67");
    put16be(d + O_SIGNER, 34);
    attest_tpm_attest q;
    cr_expect_eq(parse_exact(&q, d, len), ATTEST_OK, "restored: %s", attest_error_last());
    free(d);
}

Test(tpm_attest, truncated_at_every_boundary)
{
    size_t len;
    uint8_t *d = load(AS01, &len);
    static const struct { size_t cut; const char *field; } cuts[] = {
        {0, "tpm.attest.magic"}, {2, "tpm.attest.magic"}, {O_TYPE, "tpm.attest.type"},
        {O_SIGNER, "qualified_signer"}, {O_SIGNER + 2, "qualified_signer"},
        {O_EXTRA, "extra_data"}, {O_EXTRA + 2, "extra_data"},
        {O_CLOCK, "clock_info.clock"}, {O_RESET, "clock_info.reset_count"},
        {O_RESTART, "clock_info.restart_count"}, {O_SAFE, "clock_info.safe"},
        {O_FW, "firmware_version"}, {O_COUNT, "pcr_select.count"},
        {O_HASH, "pcr_select.hash"}, {O_SIZEOF, "pcr_select.size_of_select"},
        {O_BITMAP, "pcr_select.bitmap"}, {O_BITMAP + 2, "pcr_select.bitmap"},
        {O_DIGEST, "pcr_digest"}, {O_DIGEST + 2, "pcr_digest"}, {O_END - 1, "pcr_digest"},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "cut at %zu", cuts[i].cut);
        expect_fail(d, cuts[i].cut, ATTEST_E_TRUNCATED, cuts[i].field, what);
    }
    free(d);
}

Test(tpm_attest, length_past_the_end)
{
    size_t len;
    uint8_t *d = load(AS01, &len);
    put16be(d + O_EXTRA, 60); /* 60 nonce bytes announced, 50 bytes remain after */
    expect_fail(d, O_EXTRA + 2 + 50, ATTEST_E_TRUNCATED, "tpm.attest.extra_data: needs 60",
                "extraData past the end");
    free(d);
}

Test(tpm_attest, trailing_bytes)
{
    size_t len;
    uint8_t *d = load(AS01, &len);
    uint8_t *more = calloc(len + 1, 1);
    cr_assert(more);
    memcpy(more, d, len);
    expect_fail(more, len + 1, ATTEST_E_LENGTH, "1 trailing bytes", "one zero byte more");
    free(more);
    uint8_t *big = calloc(ATTEST_TPM_ATTEST_MAX + 1, 1);
    cr_assert(big);
    memcpy(big, d, len);
    expect_fail(big, ATTEST_TPM_ATTEST_MAX + 1, ATTEST_E_LENGTH, "tpm.attest", "too large");
    free(big);
    free(d);
}

/* AS01 with its 9-byte nonce replaced by `n` bytes. */
static uint8_t *with_nonce(const uint8_t *d, size_t n, size_t *out_len)
{
    *out_len = O_END - 9 + n;
    uint8_t *q = malloc(*out_len);
    cr_assert(q);
    memcpy(q, d, O_EXTRA);
    put16be(q + O_EXTRA, (uint16_t)n);
    memset(q + O_EXTRA + 2, 0xA5, n);
    memcpy(q + O_EXTRA + 2 + n, d + O_CLOCK, O_END - O_CLOCK);
    return q;
}

Test(tpm_attest, extra_data_sizes)
{
    size_t len, qlen;
    uint8_t *d = load(AS01, &len);
    attest_tpm_attest q;
    static const size_t ok[] = {0, 1, 32, 48, 64};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint8_t *m = with_nonce(d, ok[i], &qlen);
        cr_expect_eq(parse_exact(&q, m, qlen), ATTEST_OK, "%zu-byte nonce: %s", ok[i],
                     attest_error_last());
        free(m);
    }
    uint8_t *m = with_nonce(d, 65, &qlen);
    expect_fail(m, qlen, ATTEST_E_MALFORMED, "tpm.attest.extra_data: size 65, at most 64",
                "65-byte extraData");
    free(m);
    free(d);
}

/* A 4-byte select (PCRs 24-31) is allowed and read. */
Test(tpm_attest, four_byte_select)
{
    size_t len;
    uint8_t *d = load(AS01, &len);
    uint8_t *m = malloc(len + 1);
    cr_assert(m);
    memcpy(m, d, O_BITMAP + 3);
    m[O_SIZEOF] = 4;
    m[O_BITMAP + 3] = 0x80;
    memcpy(m + O_BITMAP + 4, d + O_DIGEST, O_END - O_DIGEST);
    attest_tpm_attest q;
    cr_assert_eq(parse_exact(&q, m, len + 1), ATTEST_OK, "%s", attest_error_last());
    cr_assert_eq(attest_tpm_attest_parse(&q, m, len + 1), ATTEST_OK);
    cr_expect(attest_tpm_pcr_selected(&q, 31) && !attest_tpm_pcr_selected(&q, 30));
    cr_expect(!attest_tpm_pcr_selected(&q, 32));
    cr_expect_eq(attest_tpm_pcr_count(&q), 25);
    free(m);
    free(d);
}

Test(tpm_attest, null_arguments)
{
    attest_tpm_attest q;
    cr_expect_eq(attest_tpm_attest_parse(&q, NULL, 10), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_tpm_attest_parse(NULL, (const uint8_t *)"", 0), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_tpm_attest_parse(&q, NULL, 0), ATTEST_E_TRUNCATED);
}
