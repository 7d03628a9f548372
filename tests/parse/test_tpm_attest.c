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
    expect_fail(big, ATTEST_TPM_ATTEST_MAX + 1, ATTEST_E_LENGTH, "tpm.attest: 1025 bytes, more",
                "too large");
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

/* ---- evidence containers ------------------------------------------------ */

#include "parse/azure_evidence.h"

static uint8_t *load_any(const char *rel, size_t *len)
{
    char path[512];
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

/* `got` equals the file `rel` (under vectors/). */
static void same_as(const char *what, const uint8_t *got, size_t got_len, const char *rel)
{
    size_t len;
    uint8_t *want = load_any(rel, &len);
    cr_expect_eq(got_len, len, "%s vs %s: %zu vs %zu bytes", what, rel, got_len, len);
    cr_expect(got_len == len && memcmp(got, want, len) == 0, "%s differs from %s", what, rel);
    free(want);
}

typedef struct container_case {
    const char *path;                  /* under vectors/ */
    attest_azure_container container;
    unsigned version;
    const char *msg, *sig, *pcrs;      /* decoded files under vectors/ */
    size_t pcr_count;
    const char *hcl, *td_quote, *vcek; /* NULL: not carried */
} container_case;

#define AZ "azure/snp/"
#define AZT "azure/tdx/"
#define S01 AZ "AS01_trustee_milan_v2_hclv1_challenge/"
#define S03 AZ "AS03_trustee_milan_v3_evidence_v1/"
#define S04 AZ "AS04_trustee_milan_v3_evidence_v2_userdata/"
#define S07 AZ "AS07_trustee_milan_v2_2024/"
#define T01 AZT "AT01_trustee_tdx_current/"
#define T03 AZT "AT03_trustee_tdx_2024b/"
#define SET8 "snp/sets/S08_milan_v3_azure_hcl_trustee/"
#define SET9 "snp/sets/S09_genoa_v3_azure_hcl_trustee/"
#define MSP(d) d "quote_msg.bin", d "quote_sig.bin", d "pcrs_sha256.bin"
static const container_case containers[] = {
    {S01 "quote.bin", ATTEST_AZURE_BINCODE_QUOTE, 0, MSP(S01), 24, NULL, NULL, NULL},
    {S07 "quote.bin", ATTEST_AZURE_BINCODE_QUOTE, 0, MSP(S07), 24, NULL, NULL, NULL},
    {T01 "quote.bin", ATTEST_AZURE_BINCODE_QUOTE, 0, MSP(T01), 24, NULL, NULL, NULL},
    {T03 "quote.bin", ATTEST_AZURE_BINCODE_QUOTE, 0, MSP(T03), 24, NULL, NULL, NULL},
    {"azure/tpm/K1_quote.bin", ATTEST_AZURE_BINCODE_QUOTE, 0, "azure/tpm/K1_quote_msg.bin",
     "azure/tpm/K1_quote_sig.bin", "azure/tpm/K1_pcrs_sha256.bin", 24, NULL, NULL, NULL},
    {"azure/tpm/K2_quote.bin", ATTEST_AZURE_BINCODE_QUOTE, 0, "azure/tpm/K2_quote_msg.bin",
     "azure/tpm/K2_quote_sig.bin", "azure/tpm/K2_pcrs_sha256.bin", 24, NULL, NULL, NULL},
    {S01 "tpm-quote-v1.json", ATTEST_AZURE_TPM_QUOTE_JSON, 0, MSP(S01), 24, NULL, NULL, NULL},
    {T01 "tpm-quote-v1.json", ATTEST_AZURE_TPM_QUOTE_JSON, 0, MSP(T01), 24, NULL, NULL, NULL},
    {SET8 "evidence-v0.json", ATTEST_AZURE_SNP_VTPM, 0,
     MSP(AZ "AS02_trustee_milan_v3_evidence_v0_S08/"), 24, SET8 "hcl_report.bin", NULL,
     SET8 "vcek.pem"},
    {SET9 "evidence-genoa.json", ATTEST_AZURE_SNP_VTPM, 0,
     MSP(AZ "AS05_trustee_genoa_v3_evidence_genoa_S09/"), 24, SET9 "hcl_report.bin", NULL,
     SET9 "vcek.pem"},
    {S03 "evidence-v1.json", ATTEST_AZURE_SNP_VTPM, 1, MSP(S03), 24, S03 "hcl_report.bin",
     NULL, S03 "vcek.der"},
    {S04 "evidence-v2.json", ATTEST_AZURE_SNP_VTPM, 2, MSP(S04), 24, S04 "hcl_report.bin",
     NULL, S04 "vcek.der"},
    {T01 "evidence-v0.json", ATTEST_AZURE_TDX_VTPM, 0, MSP(T01), 24, T01 "hcl-report.bin",
     "tdx/quotes/tdx_v4_00806F050000_azure_trustee.bin", NULL},
    {T01 "evidence-v1.json", ATTEST_AZURE_TDX_VTPM, 1, MSP(T01), 24, T01 "hcl-report.bin",
     "tdx/quotes/tdx_v4_00806F050000_azure_trustee.bin", NULL},
};

static void check_container(const container_case *c)
{
    size_t len;
    uint8_t *data = load_any(c->path, &len);
    attest_azure_evidence e;
    int st = attest_azure_evidence_parse(&e, data, len);
    cr_assert_eq(st, ATTEST_OK, "%s: %s (%s)", c->path, attest_status_name(st),
                 attest_error_last());
    cr_expect(attest_azure_evidence_detect(data, len), "%s: detect", c->path);
    cr_expect_eq(e.container, c->container, "%s: container", c->path);
    cr_expect_eq(e.version, c->version, "%s: version", c->path);
    cr_expect_eq(e.pcr_count, c->pcr_count, "%s: PCR count", c->path);
    same_as(c->path, e.quote_msg, e.quote_msg_len, c->msg);
    same_as(c->path, e.quote_sig, e.quote_sig_len, c->sig);
    same_as(c->path, e.pcrs, e.pcr_count * 32, c->pcrs);
    if (c->hcl)
        same_as(c->path, e.hcl_report, e.hcl_report_len, c->hcl);
    else
        cr_expect_null(e.hcl_report, "%s: HCL report", c->path);
    if (c->td_quote)
        same_as(c->path, e.td_quote, e.td_quote_len, c->td_quote);
    else
        cr_expect_null(e.td_quote, "%s: TD quote", c->path);
    if (c->vcek)
        same_as(c->path, e.vcek, e.vcek_len, c->vcek);
    else
        cr_expect_null(e.vcek, "%s: VCEK", c->path);
    attest_tpm_attest q;
    cr_expect_eq(attest_tpm_attest_parse(&q, e.quote_msg, e.quote_msg_len), ATTEST_OK,
                 "%s: message: %s", c->path, attest_error_last());
    attest_azure_evidence_free(&e);
    free(data);
}

Test(azure_evidence, manifest_containers)
{
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        check_container(&containers[i]);
}

static void ev_fail(const uint8_t *data, size_t len, int status, const char *field,
                    const char *what)
{
    attest_azure_evidence e;
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert(copy);
    if (len)
        memcpy(copy, data, len);
    int st = attest_azure_evidence_parse(&e, copy, len);
    free(copy);
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    cr_expect(e.quote_msg == NULL && e.pcrs == NULL && e.hcl_report == NULL,
              "%s: *out holds buffers on failure", what);
    if (field)
        cr_expect(strstr(attest_error_last(), field) != NULL,
                  "%s: detail '%s' does not name '%s'", what, attest_error_last(), field);
    if (st == ATTEST_OK)
        attest_azure_evidence_free(&e);
}

static void put64le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* K1 (Vec<[u8;32]>, 1170 B): 8 | 256 sig | 8 | 122 msg | 8 | 24 x 32. */
Test(azure_evidence, bincode_edits)
{
    size_t len;
    uint8_t *d = load_any("azure/tpm/K1_quote.bin", &len);
    cr_assert_eq(len, 1170);
    static const struct { size_t cut; int status; const char *field; } cuts[] = {
        {0, ATTEST_E_TRUNCATED, "signature"}, {7, ATTEST_E_TRUNCATED, "signature"},
        {8, ATTEST_E_TRUNCATED, "signature"}, {263, ATTEST_E_TRUNCATED, "signature"},
        {264, ATTEST_E_TRUNCATED, "message"}, {272, ATTEST_E_TRUNCATED, "message"},
        {393, ATTEST_E_TRUNCATED, "message"}, {394, ATTEST_E_TRUNCATED, "pcrs"},
        {402, ATTEST_E_MALFORMED, "pcrs: 24 values in 0 bytes"},
        {1169, ATTEST_E_MALFORMED, "pcrs: 24 values in 767 bytes"},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "cut at %zu", cuts[i].cut);
        ev_fail(d, cuts[i].cut, cuts[i].status, cuts[i].field, what);
    }
    uint8_t *more = calloc(len + 1, 1);
    cr_assert(more);
    memcpy(more, d, len);
    ev_fail(more, len + 1, ATTEST_E_MALFORMED, "pcrs: 24 values in 769 bytes", "trailing");
    free(more);
    put64le(d, 513);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.signature: length 513", "signature 513");
    put64le(d, 256 | 1ull << 32);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.signature: length 4294967552",
            "length over 2^32");
    put64le(d, 256);
    put64le(d + 264, 1025);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.message: length 1025", "message 1025");
    put64le(d + 264, 122);
    put64le(d + 394, 25);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.pcrs: length 25", "25 PCRs");
    put64le(d + 394, 0);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.pcrs: 0 values", "0 PCRs");
    put64le(d + 394, 23);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.pcrs: 23 values", "23 PCRs for 24");
    free(d);
}

/* K2 (Vec<Vec<u8>>): each PCR is u64 32 | 32 bytes. */
Test(azure_evidence, bincode_nested_edits)
{
    size_t len;
    uint8_t *d = load_any("azure/tpm/K2_quote.bin", &len);
    cr_assert_eq(len, 1362);
    put64le(d + 402 + 40 * 5, 65);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.pcrs[5]: length 65", "inner 65");
    put64le(d + 402 + 40 * 5, 33);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.pcrs[5]: 33 bytes", "inner 33");
    put64le(d + 402 + 40 * 5, 31);
    ev_fail(d, len, ATTEST_E_MALFORMED, "quote_bin.pcrs[5]: 31 bytes", "inner 31");
    free(d);
}

/* Dump `root` after an edit and expect a failure. */
static void json_fail(json_t *root, int status, const char *field, const char *what)
{
    char *s = json_dumps(root, 0);
    cr_assert(s);
    ev_fail((const uint8_t *)s, strlen(s), status, field, what);
    free(s);
}

static json_t *load_json(const char *rel)
{
    size_t len;
    uint8_t *d = load_any(rel, &len);
    json_t *j = json_loadb((const char *)d, len, 0, NULL);
    cr_assert(j);
    free(d);
    return j;
}

Test(azure_evidence, trustee_v1_edits)
{
    json_t *j = load_json(S03 "evidence-v1.json");
    json_t *q = json_object_get(j, "tpm_quote");
    json_object_set_new(j, "version", json_integer(3));
    json_fail(j, ATTEST_E_UNSUPPORTED_VERSION, "azure.evidence.version: 3", "version 3");
    json_object_set_new(j, "version", json_string("1"));
    json_fail(j, ATTEST_E_MALFORMED, "azure.evidence.version: not an integer", "\"1\"");
    json_object_set_new(j, "version", json_integer(1));
    json_object_set_new(j, "extra", json_true());
    json_fail(j, ATTEST_E_MALFORMED, "unknown member \"extra\"", "extra member");
    json_object_del(j, "extra");
    json_object_set_new(q, "nonce", json_string("00"));
    json_fail(j, ATTEST_E_MALFORMED, "tpm_quote: unknown member \"nonce\"", "quote member");
    json_object_del(q, "nonce");
    json_t *hcl = json_deep_copy(json_object_get(j, "hcl_report"));
    char *unpadded = strdup(json_string_value(hcl));
    unpadded[strlen(unpadded) - 1] = '\0'; /* drop the '=' */
    json_object_set_new(j, "hcl_report", json_string(unpadded));
    json_fail(j, ATTEST_E_MALFORMED, "azure.evidence.hcl_report: not padded base64url",
              "unpadded");
    unpadded[0] = '+';
    json_object_set_new(j, "hcl_report", json_string(unpadded));
    json_fail(j, ATTEST_E_MALFORMED, "hcl_report: '+' at 0", "'+'");
    free(unpadded);
    json_object_set(j, "hcl_report", hcl);
    json_decref(hcl);
    char *long_vcek = malloc(12001);
    cr_assert(long_vcek);
    memset(long_vcek, 'A', 12000);
    long_vcek[12000] = '\0';
    json_object_set_new(j, "vcek", json_string(long_vcek));
    free(long_vcek);
    json_fail(j, ATTEST_E_LENGTH, "vcek: 12000 base64url characters, more than 8192 bytes",
              "long VCEK refused before decoding");
    json_object_set_new(j, "vcek", json_string("AAAA"));
    json_object_set_new(q, "message", json_string("ff544"));
    json_fail(j, ATTEST_E_MALFORMED, "tpm_quote.message: 5 hex digits (odd)", "odd hex");
    json_object_set_new(q, "message", json_string("zz"));
    json_fail(j, ATTEST_E_MALFORMED, "tpm_quote.message: not hex", "non-hex");
    json_object_set_new(q, "message", json_string(""));
    json_fail(j, ATTEST_E_MALFORMED, "tpm_quote.message: empty", "empty");
    json_decref(j);
}

Test(azure_evidence, pcr_lists)
{
    json_t *j = load_json(S03 "evidence-v1.json");
    json_t *pcrs = json_object_get(json_object_get(j, "tpm_quote"), "pcrs");
    json_array_append(pcrs, json_array_get(pcrs, 0));
    json_fail(j, ATTEST_E_MALFORMED, "tpm_quote.pcrs: not an array of 1 to 24", "25 PCRs");
    json_array_clear(pcrs);
    json_fail(j, ATTEST_E_MALFORMED, "tpm_quote.pcrs: not an array of 1 to 24", "0 PCRs");
    json_array_append_new(pcrs, json_string("00"));
    json_fail(j, ATTEST_E_MALFORMED, "tpm_quote.pcrs[0]: 1 bytes", "1-byte PCR");
    json_array_set_new(pcrs, 0, json_integer(0));
    json_fail(j, ATTEST_E_MALFORMED, "tpm_quote.pcrs[0]: missing or not a string", "number");
    json_decref(j);

    j = load_json(SET8 "evidence-v0.json");
    json_t *q = json_object_get(j, "quote");
    json_t *sig = json_object_get(q, "signature");
    json_array_set_new(sig, 7, json_integer(256));
    json_fail(j, ATTEST_E_MALFORMED, "quote.signature[7]: not a byte", "256");
    json_array_set_new(sig, 7, json_integer(-1));
    json_fail(j, ATTEST_E_MALFORMED, "quote.signature[7]: not a byte", "-1");
    json_array_set_new(sig, 7, json_string("1"));
    json_fail(j, ATTEST_E_MALFORMED, "quote.signature[7]: not a byte", "string");
    json_array_set_new(sig, 7, json_integer(1));
    json_t *p0 = json_array_get(json_object_get(q, "pcrs"), 0);
    json_array_append_new(p0, json_integer(0));
    json_fail(j, ATTEST_E_LENGTH, "quote.pcrs[0]: 33 bytes, at most 32", "33-byte PCR");
    json_array_remove(p0, 32);
    json_array_remove(p0, 31);
    json_fail(j, ATTEST_E_MALFORMED, "quote.pcrs[0]: 31 bytes", "31-byte PCR");
    json_array_append_new(p0, json_integer(0));
    for (int i = 0; i < 300; i++)
        json_array_append_new(sig, json_integer(0));
    json_fail(j, ATTEST_E_LENGTH, "quote.signature: 556 bytes, at most 512", "long signature");
    json_decref(j);
}

Test(azure_evidence, unknown_forms)
{
    const char *docs[] = {"{}", "{\"a\":1}", "[]", "{\"quote\":1,\"report\":[1]}",
                          "{\"tpm_quote\":{},\"hcl_report\":[1]}"};
    const int want[] = {ATTEST_E_FORMAT_UNKNOWN, ATTEST_E_FORMAT_UNKNOWN, ATTEST_E_TRUNCATED,
                        ATTEST_E_MALFORMED, ATTEST_E_MALFORMED};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        ev_fail((const uint8_t *)docs[i], strlen(docs[i]), want[i], NULL, docs[i]);
    const char dup[] = "{\"message\":\"00\",\"message\":\"00\",\"signature\":\"00\"}";
    ev_fail((const uint8_t *)dup, strlen(dup), ATTEST_E_MALFORMED, "duplicate", "duplicate");
    uint8_t *big = calloc(ATTEST_AZURE_EVIDENCE_MAX + 1, 1);
    cr_assert(big);
    big[0] = '{';
    ev_fail(big, ATTEST_AZURE_EVIDENCE_MAX + 1, ATTEST_E_LENGTH, "azure.evidence", "too big");
    free(big);
    attest_azure_evidence e;
    cr_expect_eq(attest_azure_evidence_parse(&e, NULL, 0), ATTEST_E_INVALID_ARG);
    cr_expect(!attest_azure_evidence_detect((const uint8_t *)"{}", 2));
    attest_azure_evidence_free(NULL);
}
