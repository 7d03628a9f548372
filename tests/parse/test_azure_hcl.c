/* Azure HCL report, runtime claims and TDREPORT parsers: every HCL report
 * of ../shared/vectors/azure/MANIFEST.md (and S07/S08/S09 of the SNP sets)
 * parses with the header version, buffer size and claims length the
 * MANIFEST gives, its claims bind to the hardware report (SHA-256 computed
 * here; the check itself is lib/chain's) except AS10, and edits of real
 * bytes fail with their own code and a detail naming the field. */
#include "testutil.h"
#include "parse/azure_hcl.h"
#include "parse/snp_report.h"
#include "parse/tdx_report.h"

#include <openssl/evp.h>

/* ---- helpers --------------------------------------------------------- */

static uint8_t *load(const char *rel, size_t *len)
{
    char path[512];
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Parse from an exact-size heap copy, so that ASan sees any over-read. */
static int parse_exact(attest_hcl_report *r, const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert(copy);
    if (len)
        memcpy(copy, data, len);
    int st = attest_hcl_parse(r, copy, len);
    free(copy);
    return st;
}

static void expect_fail(const uint8_t *data, size_t len, int status, const char *field,
                        const char *what)
{
    attest_hcl_report r;
    int st = parse_exact(&r, data, len);
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    if (field)
        cr_expect(strstr(attest_error_last(), field) != NULL,
                  "%s: detail '%s' does not name '%s'", what, attest_error_last(), field);
}

static int claims_exact(attest_runtime_claims *c, const char *json, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert(copy);
    memcpy(copy, json, len);
    int st = attest_runtime_claims_parse(c, copy, len);
    free(copy);
    return st;
}

static void claims_fail(const char *json, int status, const char *field, const char *what)
{
    attest_runtime_claims c;
    int st = claims_exact(&c, json, strlen(json));
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    cr_expect_null(c.root, "%s: *out holds a document on failure", what);
    if (field)
        cr_expect(strstr(attest_error_last(), field) != NULL,
                  "%s: detail '%s' does not name '%s'", what, attest_error_last(), field);
    if (st == ATTEST_OK)
        attest_runtime_claims_free(&c);
}

/* ---- the real reports -------------------------------------------------- */

typedef struct hcl_case {
    const char *path;       /* under vectors/ */
    uint32_t header_version;
    size_t buffer_len;
    size_t claims_len;
    uint32_t report_type;
    bool binds;             /* SHA-256(claims) == REPORT_DATA[0:32] */
    bool user_data;
} hcl_case;

#define SNP ATTEST_HCL_REPORT_SNP
#define TDX ATTEST_HCL_REPORT_TDX
static const hcl_case cases[] = {
    {"snp/sets/S07_milan_v2_azure_hcl_trustee/hcl_report.bin", 1, 2600, 1110, SNP, true, true},
    {"snp/sets/S08_milan_v3_azure_hcl_trustee/hcl_report.bin", 1, 2600, 1110, SNP, true, true},
    {"snp/sets/S09_genoa_v3_azure_hcl_trustee/hcl_report.bin", 2, 2600, 1200, SNP, true, true},
    {"azure/snp/AS03_trustee_milan_v3_evidence_v1/hcl_report.bin", 1, 2600, 1110, SNP, true, true},
    {"azure/snp/AS04_trustee_milan_v3_evidence_v2_userdata/hcl_report.bin", 1, 2600, 1110, SNP, true, true},
    {"azure/snp/AS06_trustee_milan_v2_hcl2048_pcrsubset/hcl_report.bin", 1, 2048, 583, SNP, true, false},
    {"azure/snp/AS07_trustee_milan_v2_2024/hcl_report.bin", 1, 2600, 1110, SNP, true, true},
    {"azure/snp/AS08_kinvolk_milan_v2_hcl2048_novcek/hcl-report-snp.bin", 1, 2048, 583, SNP, true, false},
    {"azure/snp/AS10_ms_clienttests_hcl_v1_snp_v1_NEGATIVE/hcl_report.bin", 1, 2048, 583, SNP, false, false},
    {"azure/tdx/AT01_trustee_tdx_current/hcl-report.bin", 2, 2600, 1201, TDX, true, true},
    {"azure/tdx/AT02_trustee_tdx_2024a/hcl-report.bin", 2, 2600, 1202, TDX, true, true},
    {"azure/tdx/AT03_trustee_tdx_2024b/hcl-report.bin", 2, 2600, 1200, TDX, true, true},
    {"azure/tdx/AT04_flashbots_tdx_2026_akchain/hcl_report.bin", 2, 2600, 1196, TDX, true, true},
    {"azure/tdx/AT05_flashbots_tdx_2025/hcl_report.bin", 2, 2600, 1158, TDX, true, true},
    {"azure/tdx/AT06_ita_tdx_userdata_sha512/hcl_report.bin", 2, 2600, 1200, TDX, true, true},
    {"azure/tdx/AT07_hcl_only/kinvolk_hcl-report-tdx.bin", 2, 2600, 1202, TDX, true, true},
    {"azure/tdx/AT07_hcl_only/constellation_hclreport.bin", 2, 2600, 1200, TDX, true, true},
    {"azure/tdx/AT07_hcl_only/cvmtools_snp_hcl_report.bin", 2, 2600, 1182, TDX, true, true},
};

static void sha256(uint8_t out[32], const uint8_t *p, size_t n)
{
    unsigned int len = 0;
    cr_assert(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32);
}

/* REPORT_DATA of the hardware report, parsed by its own parser. */
static void report_data(const attest_hcl_report *r, const char *what, uint8_t out[64])
{
    if (r->report_type == TDX) {
        attest_tdx_report td;
        int st = attest_tdx_report_parse(&td, r->hw_report, r->hw_report_len);
        cr_assert_eq(st, ATTEST_OK, "%s: TDREPORT: %s", what, attest_error_last());
        memcpy(out, td.report_data, 64);
        return;
    }
    snp_report snp;
    if (snp_report_parse(&snp, r->hw_report, r->hw_report_len) == ATTEST_OK)
        memcpy(out, snp.report_data, 64);
    else /* AS10 holds an SNP report v1, which snp_report_parse refuses */
        memcpy(out, r->hw_report + 0x50, 64);
}

static void check_case(const hcl_case *c)
{
    size_t len;
    uint8_t *data = load(c->path, &len);
    attest_hcl_report r;
    int st = parse_exact(&r, data, len);
    cr_assert_eq(st, ATTEST_OK, "%s: %s (%s)", c->path, attest_status_name(st),
                 attest_error_last());
    st = attest_hcl_parse(&r, data, len); /* pointers into `data` from here */
    cr_assert_eq(st, ATTEST_OK);
    cr_expect(attest_hcl_detect(data, len), "%s: detect", c->path);
    cr_expect(!attest_hcl_detect(data, 0x4D3), "%s: detect short", c->path);
    cr_expect_eq(r.header_version, c->header_version, "%s: header version", c->path);
    cr_expect_eq(len, c->buffer_len, "%s: buffer length", c->path);
    cr_expect_eq(r.claims_len, c->claims_len, "%s: claims length", c->path);
    cr_expect_eq(r.report_size, 0x4D4 + c->claims_len, "%s: report size", c->path);
    cr_expect_eq(r.report_type, c->report_type, "%s: report type", c->path);
    cr_expect_eq(r.hw_report_len, c->report_type == TDX ? 1024u : 1184u);
    uint8_t rd[64], h[32];
    report_data(&r, c->path, rd);
    sha256(h, r.claims, r.claims_len);
    cr_expect_eq(memcmp(h, rd, 32) == 0, c->binds, "%s: binding", c->path);
    cr_expect(attest_all_zero(rd + 32, 32), "%s: REPORT_DATA[32:64]", c->path);

    attest_runtime_claims claims;
    st = attest_runtime_claims_parse(&claims, r.claims, r.claims_len);
    cr_assert_eq(st, ATTEST_OK, "%s: claims: %s", c->path, attest_error_last());
    cr_expect(claims.ak.present && claims.ak.n_len == 256, "%s: AK RSA-2048", c->path);
    cr_expect(claims.ak.e_len == 3 && memcmp(claims.ak.e, "\x01\x00\x01", 3) == 0);
    cr_expect_eq(claims.has_user_data, c->user_data, "%s: user-data", c->path);
    cr_expect(claims.vm_unique_id != NULL, "%s: vmUniqueId", c->path);
    json_t *j = attest_runtime_claims_to_json(&claims);
    cr_expect(j != NULL);
    json_decref(j);
    j = attest_hcl_to_json(&r);
    cr_expect(json_integer_value(json_object_get(j, "header_version")) == c->header_version);
    json_decref(j);
    attest_runtime_claims_free(&claims);
    free(data);
}

Test(azure_hcl, manifest_reports)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}

/* AS04: user-data = nonce || 16 zero bytes (MANIFEST 3a). */
Test(azure_hcl, user_data_as04)
{
    size_t len;
    uint8_t *data = load(cases[4].path, &len);
    attest_hcl_report r;
    attest_runtime_claims c;
    cr_assert_eq(attest_hcl_parse(&r, data, len), ATTEST_OK);
    cr_assert_eq(attest_runtime_claims_parse(&c, r.claims, r.claims_len), ATTEST_OK);
    cr_expect(c.has_user_data);
    cr_expect(memcmp(c.user_data, "\x98\x2f\x5c\x6e", 4) == 0);
    cr_expect(attest_all_zero(c.user_data + 48, 16));
    attest_runtime_claims_free(&c);
    free(data);
}

/* AS06: 2022-23 claims: AK key_ops ["encrypt"] (not enforced), no EK, no
 * user-data, current-time. */
Test(azure_hcl, old_claims_as06)
{
    size_t len;
    uint8_t *data = load(cases[5].path, &len);
    attest_hcl_report r;
    attest_runtime_claims c;
    cr_assert_eq(attest_hcl_parse(&r, data, len), ATTEST_OK);
    cr_assert_eq(attest_runtime_claims_parse(&c, r.claims, r.claims_len), ATTEST_OK);
    cr_expect(c.ak.present && !c.ek.present && !c.has_user_data);
    cr_expect(c.has_current_time && c.current_time == 1682516330);
    cr_expect_eq(c.secure_boot, ATTEST_TRUE);
    cr_expect_eq(c.tpm_persisted, ATTEST_ABSENT);
    attest_runtime_claims_free(&c);
    free(data);
}

/* AS09 ships its runtime claims alone (runtime-data.json, 1200 B). */
Test(azure_hcl, runtime_data_as09)
{
    size_t len;
    uint8_t *data = load("azure/snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/"
                         "runtime-data.json", &len);
    attest_runtime_claims c;
    cr_assert_eq(len, 1200);
    cr_assert_eq(attest_runtime_claims_parse(&c, data, len), ATTEST_OK, "%s",
                 attest_error_last());
    uint8_t h[32];
    sha256(h, data, len);
    cr_expect(memcmp(h, "\xa7\xd6\x50\x45", 4) == 0, "AS09 REPORT_DATA a7d65045...");
    cr_expect(c.ek.present && c.ek.n_len == 256);
    cr_expect_eq(c.tpm_persisted, ATTEST_TRUE);
    cr_expect_str_eq(c.vm_unique_id, "0C977F66-1CC2-4FBF-890C-D301816B8FF5");
    attest_runtime_claims_free(&c);
    free(data);
}

/* ---- HCL header negatives (edits of AS07 and AT01) --------------------- */

#define AS07 "azure/snp/AS07_trustee_milan_v2_2024/hcl_report.bin"
#define AT01 "azure/tdx/AT01_trustee_tdx_current/hcl-report.bin"

static void edit32_fail(const char *rel, size_t off, uint32_t v, int status,
                        const char *field)
{
    size_t len;
    uint8_t *data = load(rel, &len);
    put32(data + off, v);
    char what[128];
    snprintf(what, sizeof what, "%s @0x%zx = %u", rel, off, v);
    expect_fail(data, len, status, field, what);
    free(data);
}

Test(azure_hcl, header_fields)
{
    edit32_fail(AS07, 0x000, 0x424c4348, ATTEST_E_MALFORMED, "azure.hcl.signature");
    edit32_fail(AS07, 0x004, 3, ATTEST_E_UNSUPPORTED_VERSION, "azure.hcl.header_version: 3");
    edit32_fail(AS07, 0x004, 0, ATTEST_E_UNSUPPORTED_VERSION, "azure.hcl.header_version: 0");
    edit32_fail(AS07, 0x008, 2600, ATTEST_E_MALFORMED, "azure.hcl.report_size");
    edit32_fail(AS07, 0x008, 0x4D4 + 1109, ATTEST_E_MALFORMED, "azure.hcl.report_size");
    edit32_fail(AS07, 0x00C, 1, ATTEST_E_MALFORMED, "azure.hcl.request_type");
    edit32_fail(AS07, 0x010, 1, ATTEST_E_MALFORMED, "azure.hcl.status");
    edit32_fail(AS07, 0x01C, 1, ATTEST_E_MALFORMED, "azure.hcl.reserved");
    edit32_fail(AS07, 0x4C0, 1110, ATTEST_E_MALFORMED, "azure.hcl.igvm.data_size");
    edit32_fail(AS07, 0x4C4, 2, ATTEST_E_UNSUPPORTED_VERSION, "azure.hcl.igvm.version: 2");
    edit32_fail(AS07, 0x4C8, 3, ATTEST_E_UNSUPPORTED_VERSION, "azure.hcl.igvm.report_type: 3");
    edit32_fail(AS07, 0x4C8, 1, ATTEST_E_MALFORMED, "azure.hcl.igvm.report_type: 1");
    edit32_fail(AS07, 0x4C8, 5, ATTEST_E_MALFORMED, "azure.hcl.igvm.report_type: 5");
    edit32_fail(AS07, 0x4CC, 2, ATTEST_E_UNSUPPORTED_VERSION, "azure.hcl.igvm.hash_type: 2");
    edit32_fail(AS07, 0x4CC, 3, ATTEST_E_UNSUPPORTED_VERSION, "azure.hcl.igvm.hash_type: 3");
    edit32_fail(AS07, 0x4CC, 0, ATTEST_E_MALFORMED, "azure.hcl.igvm.hash_type: 0");
    edit32_fail(AS07, 0x4D0, 0, ATTEST_E_MALFORMED, "azure.hcl.igvm.var_size");
}

/* var_size, report_size and data_size moved together past the buffer end. */
Test(azure_hcl, claims_past_the_end)
{
    size_t len;
    uint8_t *data = load(AS07, &len);
    uint32_t var = (uint32_t)(len - 0x4D4 + 1);
    put32(data + 0x4D0, var);
    put32(data + 0x008, 0x4D4 + var);
    put32(data + 0x4C0, 20 + var);
    expect_fail(data, len, ATTEST_E_TRUNCATED, "azure.hcl.runtime_claims", "var_size + 1");
    put32(data + 0x4D0, 0xFFFFFFFFu);
    expect_fail(data, len, ATTEST_E_LENGTH, "azure.hcl.igvm.var_size", "var_size 2^32-1");
    free(data);
}

/* Cut at every structure boundary: the header, the hardware report, the
 * IGVM header, inside the claims. Cut exactly after the claims parses. */
Test(azure_hcl, truncated)
{
    size_t len;
    uint8_t *data = load(AS07, &len);
    static const size_t cuts[] = {0, 4, 8, 0x0C, 0x10, 0x14, 0x20, 0x4C0, 0x4C4,
                                  0x4C8, 0x4CC, 0x4D0, 0x4D3};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "cut at 0x%zx", cuts[i]);
        expect_fail(data, cuts[i], ATTEST_E_TRUNCATED, "azure.hcl", what);
    }
    expect_fail(data, 0x4D4, ATTEST_E_TRUNCATED, "azure.hcl.runtime_claims", "no claims");
    expect_fail(data, 0x4D4 + 1109, ATTEST_E_TRUNCATED, "azure.hcl.runtime_claims",
                "claims cut by one byte");
    attest_hcl_report r;
    cr_expect_eq(parse_exact(&r, data, 0x4D4 + 1110), ATTEST_OK,
                 "no zero tail: %s", attest_error_last());
    free(data);
}

Test(azure_hcl, trailing_bytes)
{
    size_t len;
    uint8_t *data = load(AS07, &len);
    data[len - 1] = 1;
    expect_fail(data, len, ATTEST_E_LENGTH, "after the runtime claims", "last byte 1");
    data[len - 1] = 0;
    data[0x4D4 + 1110] = ' ';
    expect_fail(data, len, ATTEST_E_LENGTH, "at offset 0x92a", "a space after the claims");
    data[0x4D4 + 1110] = 0;
    uint8_t *big = calloc(ATTEST_HCL_MAX + 1, 1);
    cr_assert(big);
    memcpy(big, data, len);
    expect_fail(big, ATTEST_HCL_MAX + 1, ATTEST_E_LENGTH, "azure.hcl: 65537 bytes, more than",
                "64 KiB + 1 with a zero tail");
    free(big);
    free(data);
}

Test(azure_hcl, tdx_padding_and_type)
{
    size_t len;
    uint8_t *data = load(AT01, &len);
    data[0x20 + 1024 + 159] = 1;
    expect_fail(data, len, ATTEST_E_MALFORMED, "azure.hcl.hw_report", "TDX padding");
    free(data);
    /* An SNP report relabelled TDX: its last 160 bytes are reserved zero,
     * so the HCL parses, and the TDREPORT parser refuses the SNP bytes
     * (report_type is not signed: never trust it alone). */
    data = load(AS07, &len);
    put32(data + 0x4C8, TDX);
    attest_hcl_report r;
    cr_assert_eq(parse_exact(&r, data, len), ATTEST_OK, "%s", attest_error_last());
    cr_assert_eq(attest_hcl_parse(&r, data, len), ATTEST_OK);
    attest_tdx_report td;
    cr_expect_eq(attest_tdx_report_parse(&td, r.hw_report, r.hw_report_len),
                 ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "tdx.tdreport.report_type.type") != NULL);
    free(data);
}

Test(azure_hcl, nul_in_claims)
{
    size_t len;
    uint8_t *data = load(AS07, &len);
    data[0x4D4 + 500] = 0;
    expect_fail(data, len, ATTEST_E_MALFORMED, "azure.hcl.runtime_claims: NUL", "NUL");
    free(data);
}

Test(azure_hcl, null_arguments)
{
    attest_hcl_report r;
    cr_expect_eq(attest_hcl_parse(&r, NULL, 10), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_hcl_parse(NULL, (const uint8_t *)"", 0), ATTEST_E_INVALID_ARG);
    attest_runtime_claims c;
    cr_expect_eq(attest_runtime_claims_parse(&c, NULL, 0), ATTEST_E_INVALID_ARG);
    attest_runtime_claims_free(NULL);
}

/* ---- runtime claims negatives ------------------------------------------ */

#define AK_N "vBsBHgAAl4Re994Sg2Fw_3zgVm0r5UvWF3dUWOHOxQyPyMNh3fH58AuyDLQmvxZGG6vFe5OdGTm" \
    "08V4DrnZm7JY9ULNaPuHcaaP3SbamVn9ngIxiFTZuobQSJi-rTOgKWklEr3obiUELcCdKJ9yoYk3UAnk-t" \
    "dfwHeP_KNAJTnUn5l4ylq3sT8-OUPuTt-KYCvPkKcWMXRySTDvUqTqSpYzkucaNuOBY98W7t9dNhrY13iM" \
    "jo3lKXF4DAg-fSjZ3B9i5S8hH44u2v2CqeQaH2fj8tVM903paFZ9vy_Lt288GVqAkxN006kduitILIWV8z" \
    "LS3Wg_61g7CzpjJgBePPQ"
#define AK(kid, n) "{\"kid\":\"" kid "\",\"key_ops\":[\"sign\"],\"kty\":\"RSA\"," \
    "\"e\":\"AQAB\",\"n\":\"" n "\"}"
#define VM "\"vm-configuration\":{\"console-enabled\":true,\"secure-boot\":true," \
    "\"tpm-enabled\":true,\"vmUniqueId\":\"X\"}"
#define CLAIMS(keys, rest) "{\"keys\":[" keys "]," VM rest "}"
#define ZERO64 "00000000000000000000000000000000000000000000000000000000000000000000" \
    "000000000000000000000000000000000000000000000000000000000000"

Test(azure_hcl, claims_baseline)
{
    attest_runtime_claims c;
    const char *ok = CLAIMS(AK("HCLAkPub", AK_N), ",\"user-data\":\"" ZERO64 "\"");
    cr_assert_eq(claims_exact(&c, ok, strlen(ok)), ATTEST_OK, "%s", attest_error_last());
    cr_expect(c.ak.present && c.ak.n_len == 256 && c.has_user_data);
    attest_runtime_claims_free(&c);
    /* Other kids are ignored; the AK need not be first. */
    const char *second = CLAIMS(AK("other", "AQAB") "," AK("HCLAkPub", AK_N), "");
    cr_assert_eq(claims_exact(&c, second, strlen(second)), ATTEST_OK, "%s",
                 attest_error_last());
    attest_runtime_claims_free(&c);
}

Test(azure_hcl, claims_keys)
{
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N) "," AK("HCLAkPub", AK_N), ""),
                ATTEST_E_MALFORMED, "keys[1].kid: a second \"HCLAkPub\"", "two AKs");
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N) "," AK("HCLAkPub", "AQAB"), ""),
                ATTEST_E_MALFORMED, "a second \"HCLAkPub\"", "two different AKs");
    claims_fail(CLAIMS(AK("HCLEkPub", AK_N) "," AK("HCLAkPub", AK_N) "," AK("HCLEkPub", AK_N), ""),
                ATTEST_E_MALFORMED, "a second \"HCLEkPub\"", "two EKs");
    claims_fail(CLAIMS(AK("HCLEkPub", AK_N), ""), ATTEST_E_MALFORMED,
                "no key with kid \"HCLAkPub\"", "no AK");
    claims_fail(CLAIMS(AK("HCLAkPub\\u0000", AK_N), ""), ATTEST_E_MALFORMED,
                "not JSON", "\\u0000 in a string");
    claims_fail(CLAIMS(AK("hclakpub", AK_N), ""), ATTEST_E_MALFORMED, "no key with kid",
                "kid compared case-sensitively");
    claims_fail("{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"EC\",\"e\":\"AQAB\",\"n\":\"AQAB\"}],"
                VM "}", ATTEST_E_MALFORMED, "keys[HCLAkPub].kty", "kty EC");
    claims_fail("{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\"}]," VM "}",
                ATTEST_E_MALFORMED, "keys[HCLAkPub].n", "no n");
    claims_fail("{\"keys\":[{\"kid\":1}]," VM "}", ATTEST_E_MALFORMED, "keys[0]",
                "numeric kid");
    claims_fail("{\"keys\":{}," VM "}", ATTEST_E_MALFORMED, "azure.runtime_claims.keys",
                "keys not an array");
    claims_fail("{" VM "}", ATTEST_E_MALFORMED, "azure.runtime_claims.keys", "no keys");
}

Test(azure_hcl, claims_base64url)
{
    claims_fail(CLAIMS(AK("HCLAkPub", "+" AK_N), ""), ATTEST_E_MALFORMED,
                "keys[HCLAkPub].n: not strict unpadded base64url", "'+' in n");
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N "="), ""), ATTEST_E_MALFORMED,
                "keys[HCLAkPub].n", "padding");
    claims_fail(CLAIMS(AK("HCLAkPub", "AQAB "), ""), ATTEST_E_MALFORMED,
                "keys[HCLAkPub].n", "space");
    claims_fail(CLAIMS(AK("HCLAkPub", "AQB"), ""), ATTEST_E_MALFORMED,
                "keys[HCLAkPub].n", "unused bits set");
    claims_fail(CLAIMS(AK("HCLAkPub", "AAEA"), ""), ATTEST_E_MALFORMED,
                "keys[HCLAkPub].n: empty or leading zero", "leading zero");
    claims_fail(CLAIMS(AK("HCLAkPub", ""), ""), ATTEST_E_MALFORMED,
                "keys[HCLAkPub].n: empty", "empty n");
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N AK_N AK_N), ""), ATTEST_E_MALFORMED,
                "keys[HCLAkPub].n: too long", "768-byte n");
}

Test(azure_hcl, claims_members)
{
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N), ",\"user-data\":\"" ZERO64 "\",\"user-data\":\""
                ZERO64 "\""), ATTEST_E_MALFORMED, "duplicate", "duplicate member");
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N), ",\"user-data\":\"00\""), ATTEST_E_MALFORMED,
                "user-data", "short user-data");
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N), ",\"user-data\":\"" ZERO64 "00\""),
                ATTEST_E_MALFORMED, "user-data", "long user-data");
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N), ",\"user-data\":\"G" ZERO64 "\""),
                ATTEST_E_MALFORMED, "user-data", "non-hex user-data");
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N), ",\"user-data\":null"), ATTEST_E_MALFORMED,
                "user-data", "null user-data");
    claims_fail("{\"keys\":[" AK("HCLAkPub", AK_N) "],\"vm-configuration\":"
                "{\"secure-boot\":\"true\"}}", ATTEST_E_MALFORMED,
                "vm-configuration.secure-boot", "string boolean");
    claims_fail("{\"keys\":[" AK("HCLAkPub", AK_N) "],\"vm-configuration\":"
                "{\"current-time\":\"1\"}}", ATTEST_E_MALFORMED,
                "vm-configuration.current-time", "string time");
    claims_fail("{\"keys\":[" AK("HCLAkPub", AK_N) "]}", ATTEST_E_MALFORMED,
                "vm-configuration", "no vm-configuration");
    claims_fail("[]", ATTEST_E_MALFORMED, "not a JSON object", "array");
    claims_fail(CLAIMS(AK("HCLAkPub", AK_N), "") " x", ATTEST_E_MALFORMED, "not JSON",
                "trailing text");
    attest_runtime_claims c;
    const char nul[] = "{\"keys\":[]}\0";
    cr_expect_eq(claims_exact(&c, nul, sizeof nul - 1), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "NUL") != NULL, "%s", attest_error_last());
    char *big = malloc(ATTEST_RUNTIME_CLAIMS_MAX + 2);
    cr_assert(big);
    memset(big, ' ', ATTEST_RUNTIME_CLAIMS_MAX + 1);
    big[ATTEST_RUNTIME_CLAIMS_MAX + 1] = 0;
    claims_fail(big, ATTEST_E_LENGTH, "azure.runtime_claims", "16 KiB + 1");
    free(big);
}

/* ---- TDREPORT ------------------------------------------------------------ */

Test(azure_hcl, tdreport_fields)
{
    size_t len;
    uint8_t *data = load(AT01, &len);
    attest_tdx_report td;
    cr_assert_eq(attest_tdx_report_parse(&td, data + 0x20, 1024), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(td.report_type, 0x81);
    cr_expect_eq(td.report_version, 0);
    cr_expect(memcmp(td.mrtd, data + 0x20 + 0x210, 48) == 0);
    cr_expect(memcmp(td.rtmr[3], data + 0x20 + 0x2D0 + 144, 48) == 0);
    cr_expect(!attest_all_zero(td.mrtd, 48));
    json_t *j = attest_tdx_report_to_json(&td);
    cr_expect(j && json_array_size(json_object_get(j, "rtmr")) == 4);
    json_decref(j);

    cr_expect_eq(attest_tdx_report_parse(&td, data + 0x20, 1023), ATTEST_E_TRUNCATED);
    cr_expect_eq(attest_tdx_report_parse(&td, data + 0x20, 1025), ATTEST_E_LENGTH);
    uint8_t *p = data + 0x20;
    p[0] = 0x00;
    cr_expect_eq(attest_tdx_report_parse(&td, p, 1024), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "tdx.tdreport.report_type.type") != NULL);
    p[0] = 0x81;
    p[1] = 1;
    cr_expect_eq(attest_tdx_report_parse(&td, p, 1024), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "subtype") != NULL);
    p[1] = 0;
    p[2] = 2;
    cr_expect_eq(attest_tdx_report_parse(&td, p, 1024), ATTEST_E_UNSUPPORTED_VERSION);
    cr_expect(strstr(attest_error_last(), "version: 2") != NULL);
    p[2] = 0;
    p[0x8] = 1;
    cr_expect_eq(attest_tdx_report_parse(&td, p, 1024), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "reportmacstruct.reserved") != NULL);
    p[0x8] = 0;
    p[0x3FF] = 1;
    cr_expect_eq(attest_tdx_report_parse(&td, p, 1024), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "tdinfo.reserved") != NULL);
    free(data);
}
