/* NVIDIA SPDM attestation-report parser and evidence JSON containers: every
 * report of ../shared/vectors/nvidia/MANIFEST.md parses with the facts the
 * MANIFEST states, every JSON container yields its devices, and edits of
 * real reports fail with their own code and a detail naming the field. */
#include "testutil.h"
#include "parse/nv_container.h"
#include "parse/spdm_report.h"

#include <ctype.h>
#include <dirent.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

/* ---- helpers --------------------------------------------------------- */

static void hexs(char *out, const uint8_t *p, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static uint8_t *load(const char *rel, size_t *len)
{
    char path[512], full[600];
    snprintf(full, sizeof full, "nvidia/%s", rel);
    uint8_t *data = tu_read(tu_shared(path, sizeof path, full), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

/* A .hex.txt vector decoded (whitespace ignored). */
static uint8_t *load_hex(const char *rel, size_t *len)
{
    size_t n;
    uint8_t *text = load(rel, &n);
    uint8_t *out = malloc(n / 2 + 1);
    cr_assert(out);
    size_t o = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        int c = text[i], v;
        if (isspace(c))
            continue;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else cr_assert_fail("%s: non-hex character 0x%02x at %zu", rel, c, i);
        if (hi < 0) {
            hi = v;
        } else {
            out[o++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    cr_assert_eq(hi, -1, "%s: odd number of hex digits", rel);
    free(text);
    *len = o;
    return out;
}

/* Parse from an exact-size heap copy, so that ASan sees any over-read. */
static int parse_exact(nv_report **r, const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert(copy);
    if (len)
        memcpy(copy, data, len);
    int st = nv_report_parse(r, copy, len);
    free(copy);
    return st;
}

static nv_report *parse_ok(const uint8_t *data, size_t len, const char *what)
{
    nv_report *r = NULL;
    int st = parse_exact(&r, data, len);
    cr_assert_eq(st, ATTEST_OK, "%s: %s (%s)", what, attest_status_name(st),
                 attest_error_last());
    cr_assert(r);
    return r;
}

/* Parse an edited copy; expect `status` and a detail containing `field`. */
static void expect_fail(const uint8_t *data, size_t len, int status, const char *field,
                        const char *what)
{
    nv_report *r = NULL;
    int st = parse_exact(&r, data, len);
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    cr_expect_null(r, "%s: *out set on failure", what);
    if (field)
        cr_expect(strstr(attest_error_last(), field) != NULL,
                  "%s: detail '%s' does not name '%s'", what, attest_error_last(), field);
    nv_report_free(r);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
}

static const nv_opaque_field *find_field(const nv_report *r, unsigned type, size_t *k)
{
    for (size_t i = 0; i < r->field_count; i++)
        if (r->fields[i].type == type) {
            if (k)
                *k = i;
            return &r->fields[i];
        }
    return NULL;
}

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Offsets in the raw report (request 37 B, then the response). */
#define RSP 37
#define OFF_RSP_VERSION (RSP + 0)
#define OFF_RSP_CODE (RSP + 1)
#define OFF_BLOCKS (RSP + 4)
#define OFF_RECORD_LEN (RSP + 5)
#define OFF_RECORD (RSP + 8)

/* The low 64 bits of the serial of certificate `n` (0 = leaf) of a PEM
 * chain: for a BROM certificate (n = 1), the device PDI. */
static uint64_t chain_serial_low64(const char *pem, int n)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    cr_assert(bio);
    X509 *x = NULL;
    for (int i = 0; i <= n; i++) {
        X509_free(x);
        x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        cr_assert(x, "certificate %d of the chain unreadable", i);
    }
    BIO_free(bio);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    cr_assert(bn);
    uint8_t be[32] = {0};
    int len = BN_num_bytes(bn);
    cr_assert(len >= 8 && len <= 32);
    BN_bn2bin(bn, be);
    uint64_t v = 0;
    for (int i = len - 8; i < len; i++)
        v = v << 8 | be[i];
    BN_free(bn);
    X509_free(x);
    ERR_clear_error();
    return v;
}

/* ---- MANIFEST reports ------------------------------------------------ */

#define N931 "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb"
#define N4CF "4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e"

typedef struct report_case {
    const char *dir;        /* under vectors/nvidia/ */
    size_t size;
    const char *nonce;
    const char *driver;
    const char *vbios;
    const char *project, *project_sku, *chip_sku, *chip_info;
    bool fwid;
    const char *fwid_prefix; /* NULL: not stated */
    int nvdec0, ppcie, odv, feature;
    int blocks;
    bool is_switch;
    size_t trailing;
    size_t switch_pdis;
} report_case;

static const report_case reports[] = {
    {"blackwell/gb100_575.32_vbios970088000F", 4121, N931, "575.32", "97.00.88.00.0F",
     "G525", "0220", "886", "", true, "d090cab1", 0x55, -1, 0, -1, 64, false, 0, 0},
    {"blackwell/gb202_rtxpro6000_595.58.03_vbios9802810001", 4140, N4CF, "595.58.03",
     "98.02.81.00.01", "G153", "0210", "895", "GB202", true, "9b92cc3e", 0xAA, -1, 1, 0,
     64, false, 0, 0},
    {"hopper/partial/h100_535.86.09_vbios96005E0001", 4052,
     "27a328247bf7935c993341cf587be6f05986ccce4fe7ba2c54100bd616a58f66", "535.86.09",
     "96.00.5E.00.01", "1010", "0200", "882", "", false, NULL, 0x55, -1, -1, -1, 64, false,
     0, 0},
    {"hopper/partial/h100_570.124.03_vbios96005E0004", 4118, N931, "570.124.03",
     "96.00.5E.00.04", "1010", "0205", "862", "", true, NULL, 0x55, 0x55, -1, -1, 64,
     false, 0, 0},
    {"hopper/partial/h100_580.159.03_vbios9600740020", 4130,
     "5bb22e377702d4e1e8215a903ba094826b9ac7f731dee1fe8102958bf2840aca", "580.159.03",
     "96.00.74.00.20", "1010", "0205", "862", "", true, NULL, 0x55, 0x55, 1, 0, 64, false,
     0, 0},
    {"hopper/partial/h100_580.95.05_trailing_byte", 4130,
     "87d8e24ab336adafe228d49e83d745f6dba4ae505372b6a5704820856b343fec", "580.95.05",
     "96.00.74.00.1A", "1010", "0200", "882", "", true, NULL, 0x55, 0x55, 1, 0, 64, false,
     1, 0},
    {"hopper/setA_h100_550.90.07_complete", 4117, N931, "550.90.07", "96.00.9F.00.01",
     "1010", "0200", "882", "", true, "f5c384ae", 0x55, 0x55, -1, -1, 64, false, 0, 0},
    {"hopper/setB_h100_545.00_nvtrust2023_complete", 4049, N4CF, "545.00",
     "96.00.5E.00.01", "1010", "0200", "882", "", false, NULL, 0x55, -1, -1, -1, 64,
     false, 0, 0},
    {"hopper/setD_h100_595.71.05_azure_complete", 4129,
     "690bb51b904351e28100a0610fe60624255c26d7d38c53fb1285ecfed1cab17a", "595.71.05",
     "96.00.9F.00.04", "1010", "0210", "886", "", true, NULL, 0x55, 0x55, 1, 0, 64, false,
     0, 0},
    {"nvswitch/setC_ls10_96.10.55.00.01_complete", 2168, N931, "", "96.10.55.00.01", "",
     "", "", "", false, NULL, -1, -1, -1, -1, 31, true, 0, 1},
};
#define NREPORTS (sizeof reports / sizeof reports[0])

static uint8_t *load_report(const report_case *c, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "%s/attestation_report.bin", c->dir);
    return load(rel, len);
}

/* Blocks, signature and opaque area where the lengths put them. */
static void check_layout(const report_case *c, const nv_report *r, const uint8_t *data,
                         size_t len)
{
    cr_expect_eq(r->block_count, c->blocks, "%s: %u blocks", c->dir, r->block_count);
    cr_expect_eq(r->record_len, (uint32_t)c->blocks * 55, "%s: record %u", c->dir,
                 r->record_len);
    for (int i = 0; i < c->blocks; i++) {
        cr_expect_eq(r->blocks[i].index, i + 1, "%s: block %d index", c->dir, i);
        cr_expect_eq(r->blocks[i].spec, 1);
        cr_expect_eq(r->blocks[i].value_len, 48, "%s: block %d value %u", c->dir, i,
                     r->blocks[i].value_len);
    }
    /* block[0].value is the 48 bytes after the first 7-byte block header */
    cr_expect(memcmp(r->blocks[0].value, data + OFF_RECORD + 7, 48) == 0, "%s", c->dir);

    cr_expect_eq(r->signed_len + 96 + c->trailing, len, "%s: signed_len %zu", c->dir,
                 r->signed_len);
    cr_expect(memcmp(r->signature, data + r->signed_len, 96) == 0, "%s", c->dir);
    cr_expect_eq(r->trailing_len, c->trailing, "%s: trailing %zu", c->dir,
                 r->trailing_len);
    cr_expect_eq(r->opaque_off + r->opaque_len, r->signed_len, "%s", c->dir);
    cr_expect_eq(r->opaque_off, (size_t)OFF_RECORD + r->record_len + 32 + 2, "%s", c->dir);
    size_t sum = 0;
    for (size_t k = 0; k < r->field_count; k++) {
        cr_expect(nv_opaque_type_name(r->fields[k].type) != NULL, "%s: type %u", c->dir,
                  r->fields[k].type);
        sum += 4u + r->fields[k].len;
    }
    cr_expect_eq(sum, r->opaque_len, "%s: TLVs fill %zu of %u", c->dir, sum, r->opaque_len);
}

/* The opaque fields the parser decodes, as MANIFEST.md states them. */
static void check_decoded(const report_case *c, const nv_report *r)
{
    char hex[256];
    cr_expect_str_eq(r->driver_version, c->driver, "%s: driver", c->dir);
    cr_expect_str_eq(r->vbios_version, c->vbios, "%s: VBIOS", c->dir);
    cr_expect_str_eq(r->project, c->project, "%s: project", c->dir);
    cr_expect_str_eq(r->project_sku, c->project_sku, "%s: project sku", c->dir);
    cr_expect_str_eq(r->chip_sku, c->chip_sku, "%s: chip sku", c->dir);
    cr_expect_str_eq(r->chip_info, c->chip_info, "%s: CHIP_INFO", c->dir);
    if (!c->is_switch) {
        cr_expect_str_eq(r->chip_sku_mod, "0", "%s: chip sku mod", c->dir);
        cr_expect_eq(find_field(r, NV_OPAQUE_PROJECT_SKU_MOD, NULL) != NULL, true);
    }
    cr_expect_eq(r->has_fwid, c->fwid, "%s: FWID present %d", c->dir, r->has_fwid);
    if (c->fwid_prefix) {
        hexs(hex, r->fwid, 4);
        cr_expect_str_eq(hex, c->fwid_prefix, "%s: FWID", c->dir);
    }
    cr_expect_eq(r->nvdec0_status, c->nvdec0, "%s: NVDEC0 %d", c->dir, r->nvdec0_status);
    cr_expect_eq(r->ppcie_status, c->ppcie, "%s: PPCIe status %d", c->dir, r->ppcie_status);
    cr_expect_eq(r->opaque_data_version, c->odv, "%s: opaque data version %d", c->dir,
                 r->opaque_data_version);
    cr_expect_eq(r->feature_flag, c->feature, "%s: feature flag %d", c->dir,
                 r->feature_flag);
    cr_expect_eq(r->is_switch, c->is_switch, "%s: switch", c->dir);
    cr_expect_eq(r->switch_pdi_count, c->switch_pdis, "%s: %zu switch PDIs", c->dir,
                 r->switch_pdi_count);
    cr_expect_eq(r->gpu_pdi_count, c->is_switch ? 8u : 0u, "%s", c->dir);
}

static void check_report_json(const report_case *c, const nv_report *r)
{
    json_t *j = nv_report_to_json(r);
    cr_assert(j, "%s: no JSON", c->dir);
    cr_expect_str_eq(json_string_value(json_object_get(j, "format")), "nvidia-spdm-report");
    cr_expect_str_eq(json_string_value(json_object_get(j, "device")),
                     c->is_switch ? "nvswitch" : "gpu");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "request"), "nonce")),
                     c->nonce);
    cr_expect_eq(json_array_size(json_object_get(j, "blocks")), (size_t)c->blocks);
    cr_expect_eq(json_object_size(json_object_get(j, "opaque")), r->field_count);
    cr_expect_str_eq(json_string_value(json_object_get(j, "vbios_version")), c->vbios);
    cr_expect_eq(json_integer_value(json_object_get(j, "trailing_bytes")),
                 (json_int_t)c->trailing);
    json_t *vb = json_object_get(json_object_get(j, "opaque"), "VBIOS_VERSION");
    cr_expect_str_eq(json_string_value(json_object_get(vb, "value")), c->vbios, "%s",
                     c->dir);
    cr_expect(json_is_string(json_object_get(vb, "raw")), "%s", c->dir);
    json_decref(j);
}

static void check_report(const report_case *c)
{
    size_t len, hlen;
    char rel[256], hex[256];
    uint8_t *data = load_report(c, &len);
    /* Set D's .bin comes from its JSON; every other report is also hex text. */
    snprintf(rel, sizeof rel, "%s/attestation_report.hex.txt", c->dir);
    if (strncmp(c->dir, "hopper/setD_", 12) != 0) {
        uint8_t *fromhex = load_hex(rel, &hlen);
        cr_expect(hlen == len && memcmp(data, fromhex, len) == 0,
                  "%s: hex.txt decodes to other bytes than the .bin", c->dir);
        free(fromhex);
    }

    cr_expect_eq(len, c->size, "%s: %zu bytes, want %zu", c->dir, len, c->size);
    cr_expect(nv_report_detect(data, len), "%s: not detected", c->dir);
    nv_report *r = parse_ok(data, len, c->dir);

    cr_expect_eq(r->raw_len, len);
    cr_expect_eq(r->req_version, 0x11, "%s", c->dir);
    cr_expect_eq(r->req_code, 0xE0, "%s", c->dir);
    cr_expect_eq(r->resp_version, 0x11, "%s", c->dir);
    cr_expect_eq(r->resp_code, 0x60, "%s", c->dir);
    hexs(hex, r->nonce, 32);
    cr_expect_str_eq(hex, c->nonce, "%s: nonce", c->dir);
    cr_expect(memcmp(r->nonce, data + 4, 32) == 0, "%s", c->dir);
    cr_expect(memcmp(r->nonce, r->responder_nonce, 32) != 0,
              "%s: responder nonce equals the challenge", c->dir);
    check_layout(c, r, data, len);
    check_decoded(c, r);
    check_report_json(c, r);
    nv_report_free(r);
    free(data);
}

Test(nv_parse, manifest_reports)
{
    for (size_t i = 0; i < NREPORTS; i++)
        check_report(&reports[i]);
}

static size_t scan_reports(const char *dir, size_t *listed)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            found += scan_reports(path, listed);
        } else if (strcmp(e->d_name, "attestation_report.bin") == 0) {
            found++;
            for (size_t i = 0; i < NREPORTS; i++) {
                size_t n = strlen(reports[i].dir);
                size_t pl = strlen(path);
                if (pl > n + 23 && memcmp(path + pl - n - 23, reports[i].dir, n) == 0) {
                    (*listed)++;
                    break;
                }
            }
        }
    }
    closedir(d);
    return found;
}

/* Every attestation_report.bin of the store is in the table above. */
Test(nv_parse, manifest_table_complete)
{
    char path[512];
    tu_shared(path, sizeof path, "nvidia/MANIFEST.md");
    *strrchr(path, '/') = '\0';
    size_t listed = 0;
    size_t found = scan_reports(path, &listed);
    cr_expect_eq(found, NREPORTS, "%zu attestation_report.bin files, %zu in the table",
                 found, NREPORTS);
    cr_expect_eq(listed, found, "%zu of %zu files are in the table", listed, found);
}

/* Reports with invalid signatures still parse (signatures are not checked here). */
Test(nv_parse, negative_reports_parse)
{
    size_t len;
    uint8_t *data = load_hex("negative/report_invalid_signature_h100_560.00.hex.txt", &len);
    nv_report *r = parse_ok(data, len, "h100 560.00");
    char hex[80];
    hexs(hex, r->nonce, 32);
    cr_expect_str_eq(hex, N931);
    cr_expect_str_eq(r->driver_version, "560.00");
    cr_expect_str_eq(r->vbios_version, "96.00.A5.00.01");
    cr_expect_str_eq(r->project, "G520");
    cr_expect_str_eq(r->chip_sku, "885");
    cr_expect_eq(r->ppcie_status, 0xAA);
    cr_expect_eq(r->switch_pdi_count, 18, "SWITCH_PDI 18 x 8 B, got %zu", r->switch_pdi_count);
    cr_expect(r->has_fwid);
    cr_expect_not(r->is_switch);
    cr_expect_eq(r->trailing_len, 0);
    nv_report_free(r);
    free(data);

    data = load_hex("negative/switch_report_invalid_signature.hex.txt", &len);
    r = parse_ok(data, len, "switch");
    hexs(hex, r->nonce, 32);
    cr_expect_str_eq(hex, "ea038ed507a451e005bae91186bc9403150a3cb8971fdebd05ffed65eeb6a997");
    cr_expect(r->is_switch, "31 blocks make a switch even without SWITCH_GPU_PDIS");
    cr_expect_eq(r->block_count, 31);
    cr_expect_str_eq(r->vbios_version, "96.10.52.00.00");
    cr_expect_eq(r->switch_pdi_count, 1);
    cr_expect_eq(r->gpu_pdi_count, 0);
    cr_expect_not(r->has_fwid);
    nv_report_free(r);
    free(data);
}

Test(nv_parse, switch_pdis)
{
    size_t len;
    uint8_t *data = load("nvswitch/setC_ls10_96.10.55.00.01_complete/attestation_report.bin",
                         &len);
    nv_report *r = parse_ok(data, len, "switch");
    /* MANIFEST: own PDI 203eb31ad9ed0008 (bytes in order), as in the BROM
     * certificate serial 50203EB31AD9ED0008. */
    cr_expect_eq(r->switch_pdis[0], UINT64_C(0x203eb31ad9ed0008), "PDI 0x%016llx",
                 (unsigned long long)r->switch_pdis[0]);
    size_t k;
    const nv_opaque_field *f = find_field(r, NV_OPAQUE_SWITCH_GPU_PDIS, &k);
    cr_assert(f);
    cr_expect_eq(f->len, 128);
    for (size_t i = 0; i < 8; i++)
        for (size_t b = 0; b < 8; b++)
            cr_expect_eq((uint8_t)(r->gpu_pdis[i] >> (56 - 8 * b)), r->raw[f->off + 8 * i + b]);
    cr_expect(find_field(r, NV_OPAQUE_MSRSCNT, NULL) != NULL);
    json_t *j = nv_report_to_json(r);
    json_t *o = json_object_get(j, "opaque");
    cr_expect_str_eq(json_string_value(json_array_get(json_object_get(
                         json_object_get(o, "SWITCH_PDI"), "value"), 0)),
                     "203eb31ad9ed0008");
    json_t *gp = json_object_get(json_object_get(o, "SWITCH_GPU_PDIS"), "value");
    cr_expect_eq(json_array_size(json_object_get(gp, "gpu_pdis")), 8);
    cr_expect_eq(json_string_length(json_object_get(gp, "ports")), 2 * 64);
    cr_expect_eq(json_array_size(json_object_get(json_object_get(o, "MSRSCNT"), "value")), 26);
    cr_expect_eq(json_array_size(json_object_get(j, "gpu_pdis")), 8);
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(o, "POSITION_ID"),
                                                    "value")), 2);
    cr_expect(json_is_null(json_object_get(j, "driver_version")));
    cr_expect(json_is_null(json_object_get(j, "fwid")));
    json_decref(j);
    nv_report_free(r);
    free(data);
}

Test(nv_parse, json_view)
{
    size_t len;
    uint8_t *data = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &len);
    nv_report *r = parse_ok(data, len, "set A");
    json_t *j = nv_report_to_json(r);
    cr_assert(j);
    json_t *o = json_object_get(j, "opaque");
    static const char *const names[] = {
        "VBIOS_VERSION", "BOARD_ID", "CHIP_SKU", "CHIP_SKU_MOD", "PROJECT", "PROJECT_SKU",
        "PROJECT_SKU_MOD", "DRIVER_VERSION", "GPU_INFO", "MSRSCNT", "CPRINFO",
        "NVDEC0_STATUS", "FWID", "PROTECTED_PCIE_STATUS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        json_t *e = json_object_get(o, names[i]);
        cr_expect(json_is_object(e), "opaque.%s missing", names[i]);
        cr_expect(json_is_string(json_object_get(e, "raw")), "opaque.%s.raw", names[i]);
        cr_expect(json_is_integer(json_object_get(e, "type")), "opaque.%s.type", names[i]);
    }
    json_t *drv = json_object_get(o, "DRIVER_VERSION");
    cr_expect_str_eq(json_string_value(json_object_get(drv, "value")), "550.90.07");
    cr_expect_str_eq(json_string_value(json_object_get(drv, "raw")), "3535302e39302e303700");
    cr_expect_eq(json_integer_value(json_object_get(drv, "type")), 3);
    json_t *vb = json_object_get(o, "VBIOS_VERSION");
    cr_expect_str_eq(json_string_value(json_object_get(vb, "raw")), "009f009601000000");
    cr_expect_str_eq(json_string_value(json_object_get(vb, "value")), "96.00.9F.00.01");
    cr_expect_str_eq(json_string_value(json_object_get(
                         json_object_get(json_object_get(o, "NVDEC0_STATUS"), "value"),
                         "state")),
                     "disabled");
    cr_expect_null(json_object_get(json_object_get(o, "FWID"), "value"));
    cr_expect_eq(json_string_length(json_object_get(json_object_get(o, "FWID"), "raw")), 96);
    cr_expect_eq(json_array_size(json_object_get(json_object_get(o, "MSRSCNT"), "value")), 64);
    cr_expect_str_eq(json_string_value(json_object_get(j, "driver_version")), "550.90.07");
    cr_expect_str_eq(json_string_value(json_object_get(j, "project")), "1010");
    cr_expect_str_eq(json_string_value(json_object_get(j, "chip_sku")), "882");
    cr_expect(json_is_null(json_object_get(j, "chip_info")));
    cr_expect(json_is_null(json_object_get(j, "feature_flag")));
    cr_expect_eq(json_string_length(json_object_get(j, "fwid")), 96);
    cr_expect_eq(json_integer_value(json_object_get(j, "nvdec0_status")), 0x55);
    cr_expect_eq(json_integer_value(json_object_get(j, "signed_len")), (json_int_t)len - 96);
    cr_expect_eq(json_string_length(json_object_get(j, "signature")), 192);
    json_t *b0 = json_array_get(json_object_get(j, "blocks"), 0);
    cr_expect_eq(json_integer_value(json_object_get(b0, "index")), 1);
    cr_expect_eq(json_string_length(json_object_get(b0, "value")), 96);
    json_t *rsp = json_object_get(j, "response");
    cr_expect_eq(json_integer_value(json_object_get(rsp, "number_of_blocks")), 64);
    cr_expect_eq(json_integer_value(json_object_get(rsp, "measurement_record_length")), 3520);
    cr_expect_eq(json_integer_value(json_object_get(rsp, "opaque_length")), 422);
    char *text = json_dumps(j, 0);
    cr_expect(text && strlen(text) > 10000);
    free(text);
    json_decref(j);
    nv_report_free(r);
    free(data);

    /* Feature mode and CHIP_INFO in the Blackwell GB202 view. */
    data = load("blackwell/gb202_rtxpro6000_595.58.03_vbios9802810001/attestation_report.bin",
                &len);
    r = parse_ok(data, len, "gb202");
    j = nv_report_to_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(j, "feature_mode")), "SPT");
    cr_expect_str_eq(json_string_value(json_object_get(j, "chip_info")), "GB202");
    o = json_object_get(j, "opaque");
    cr_expect_str_eq(json_string_value(json_object_get(
                         json_object_get(json_object_get(o, "FEATURE_FLAG"), "value"),
                         "mode")),
                     "SPT");
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(o, "OPAQUE_DATA_VERSION"),
                                                    "value")), 1);
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(o, "SYS_ENABLE_STATUS"),
                                                    "value")), 7);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(o, "CHIP_INFO"),
                                                       "value")), "GB202");
    json_decref(j);
    nv_report_free(r);
    free(data);
}

Test(nv_parse, type_names)
{
    cr_expect_str_eq(nv_opaque_type_name(3), "DRIVER_VERSION");
    cr_expect_str_eq(nv_opaque_type_name(6), "VBIOS_VERSION");
    cr_expect_str_eq(nv_opaque_type_name(20), "FWID");
    cr_expect_str_eq(nv_opaque_type_name(26), "SWITCH_GPU_PDIS");
    cr_expect_str_eq(nv_opaque_type_name(36), "FEATURE_FLAG");
    cr_expect_str_eq(nv_opaque_type_name(255), "INVALID");
    cr_expect_null(nv_opaque_type_name(0));
    cr_expect_null(nv_opaque_type_name(27));
    cr_expect_null(nv_opaque_type_name(31));
    cr_expect_null(nv_opaque_type_name(37));
    cr_expect_null(nv_opaque_type_name(256));
    cr_expect_null(nv_opaque_type_name(0xFFFFFFFFu));
}

/* ---- negative: byte edits of real reports ---------------------------- */

Test(nv_parse, null_arguments)
{
    nv_report *r = (nv_report *)1;
    cr_expect_eq(nv_report_parse(NULL, (const uint8_t *)"x", 1), ATTEST_E_INVALID_ARG);
    cr_expect_eq(nv_report_parse(&r, NULL, 5), ATTEST_E_INVALID_ARG);
    r = (nv_report *)1;
    cr_expect_eq(nv_report_parse(&r, NULL, 0), ATTEST_E_TRUNCATED);
    cr_expect_null(r);
    cr_expect(strncmp(attest_error_last(), "nvidia.report.request", 21) == 0, "%s",
              attest_error_last());
    nv_report_free(NULL);
    cr_expect_not(nv_report_detect(NULL, 0));
    cr_expect_null(nv_report_to_json(NULL));
}

Test(nv_parse, every_truncation_fails)
{
    for (size_t i = 0; i < NREPORTS; i++) {
        size_t len;
        uint8_t *data = load_report(&reports[i], &len);
        size_t end = len - reports[i].trailing;
        for (size_t cut = 0; cut < end; cut++) {
            nv_report *r = NULL;
            int st = parse_exact(&r, data, cut);
            cr_expect_eq(st, ATTEST_E_TRUNCATED, "%s cut to %zu: %s (%s)", reports[i].dir,
                         cut, attest_status_name(st), attest_error_last());
            cr_expect_null(r);
            cr_expect(strncmp(attest_error_last(), "nvidia.report.", 14) == 0, "%s",
                      attest_error_last());
            nv_report_free(r);
            if (st != ATTEST_E_TRUNCATED)
                break; /* one message per report is enough */
        }
        /* Cutting only trailing padding keeps the report valid. */
        nv_report *r = parse_ok(data, end, reports[i].dir);
        cr_expect_eq(r->trailing_len, 0);
        nv_report_free(r);
        free(data);
    }
}

Test(nv_parse, truncation_names_the_field)
{
    size_t len;
    uint8_t *data = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &len);
    expect_fail(data, 36, ATTEST_E_TRUNCATED, "nvidia.report.request", "request");
    expect_fail(data, 40, ATTEST_E_TRUNCATED, "nvidia.report.response.header", "header");
    expect_fail(data, 100, ATTEST_E_TRUNCATED, "nvidia.report.measurement_record", "record");
    expect_fail(data, OFF_RECORD + 3520 + 10, ATTEST_E_TRUNCATED,
                "nvidia.report.responder_nonce", "nonce");
    expect_fail(data, OFF_RECORD + 3520 + 33, ATTEST_E_TRUNCATED,
                "nvidia.report.opaque_length", "opaque length");
    expect_fail(data, OFF_RECORD + 3520 + 34 + 100, ATTEST_E_TRUNCATED,
                "nvidia.report.opaque_data", "opaque");
    expect_fail(data, len - 1, ATTEST_E_TRUNCATED, "nvidia.report.signature", "signature");
    free(data);
}

Test(nv_parse, trailing_bytes)
{
    size_t len;
    uint8_t *data = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &len);
    uint8_t *buf = calloc(1, len + 8);
    cr_assert(buf);
    memcpy(buf, data, len);
    for (size_t extra = 1; extra <= 8; extra++) {
        nv_report *r = parse_ok(buf, len + extra, "zero padding");
        cr_expect_eq(r->trailing_len, extra);
        cr_expect_eq(r->signed_len, len - 96, "signature at the parsed offset");
        cr_expect(memcmp(r->signature, data + len - 96, 96) == 0);
        nv_report_free(r);
    }
    buf[len + 3] = 0x01;
    expect_fail(buf, len + 8, ATTEST_E_LENGTH, "nvidia.report.trailing", "non-zero at +3");
    buf[len + 3] = 0;
    buf[len] = 0xff;
    expect_fail(buf, len + 1, ATTEST_E_LENGTH, "nvidia.report.trailing", "non-zero at +0");
    free(buf);
    free(data);

    /* The real capture with one trailing 0x00: non-zero -> LENGTH. */
    data = load("hopper/partial/h100_580.95.05_trailing_byte/attestation_report.bin", &len);
    nv_report *r = parse_ok(data, len, "trailing byte");
    cr_expect_eq(r->trailing_len, 1);
    cr_expect_eq(r->signed_len, len - 97, "signature not taken from the last 96 bytes");
    nv_report_free(r);
    data[len - 1] = 0x01;
    expect_fail(data, len, ATTEST_E_LENGTH, "nvidia.report.trailing", "trailing 0x01");
    free(data);
}

Test(nv_parse, header_edits)
{
    size_t len;
    uint8_t *data = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &len);
    uint8_t *buf = malloc(len);
    cr_assert(buf);

    /* Every SPDM 1.x version is accepted when request and response agree. */
    for (uint8_t v = 0x10; v <= 0x13; v++) {
        memcpy(buf, data, len);
        buf[0] = v;
        buf[OFF_RSP_VERSION] = v;
        cr_expect(nv_report_detect(buf, len));
        nv_report *r = parse_ok(buf, len, "version");
        cr_expect_eq(r->req_version, v);
        nv_report_free(r);
    }
    static const uint8_t bad_versions[] = {0x00, 0x01, 0x0f, 0x14, 0x20, 0xff};
    for (size_t i = 0; i < sizeof bad_versions; i++) {
        memcpy(buf, data, len);
        buf[0] = bad_versions[i];
        buf[OFF_RSP_VERSION] = bad_versions[i];
        cr_expect_not(nv_report_detect(buf, len));
        expect_fail(buf, len, ATTEST_E_UNSUPPORTED_VERSION, "nvidia.report.request.version",
                    "version");
    }
    memcpy(buf, data, len);
    buf[OFF_RSP_VERSION] = 0x12;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.response.version",
                "response version differs");

    memcpy(buf, data, len);
    buf[1] = 0xE1;
    cr_expect_not(nv_report_detect(buf, len));
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.request.code", "request code");

    memcpy(buf, data, len);
    buf[OFF_RSP_CODE] = 0x61;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.response.code",
                "response code");

    memcpy(buf, data, len);
    buf[OFF_BLOCKS] = 0;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.number_of_blocks", "0 blocks");

    cr_expect(nv_report_detect(data, 37));
    cr_expect_not(nv_report_detect(data, 36));
    free(buf);
    free(data);
}

Test(nv_parse, block_edits)
{
    size_t len;
    uint8_t *data = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &len);
    uint8_t *buf = malloc(len);
    cr_assert(buf);
    const size_t blk = 55;

    /* MeasurementSpecification 2 in the first, a middle and the last block. */
    static const size_t which[] = {0, 17, 63};
    for (size_t i = 0; i < 3; i++) {
        memcpy(buf, data, len);
        buf[OFF_RECORD + which[i] * blk + 1] = 2;
        char field[64];
        snprintf(field, sizeof field, "nvidia.report.block[%zu].spec", which[i]);
        expect_fail(buf, len, ATTEST_E_MALFORMED, field, "spec 2");
    }

    /* Record length one more / one less than the blocks fill. */
    memcpy(buf, data, len);
    put24(buf + OFF_RECORD_LEN, 3521);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.measurement_record_length",
                "record +1");
    memcpy(buf, data, len);
    put24(buf + OFF_RECORD_LEN, 3519);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[63]", "record -1");
    memcpy(buf, data, len);
    put24(buf + OFF_RECORD_LEN, 3520 - 55);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[63]", "record -55");
    memcpy(buf, data, len);
    put24(buf + OFF_RECORD_LEN, 0xFFFFFF);
    expect_fail(buf, len, ATTEST_E_TRUNCATED, "nvidia.report.measurement_record",
                "record 16 MiB");

    /* NumberOfBlocks that disagrees with the record. */
    memcpy(buf, data, len);
    buf[OFF_BLOCKS] = 63;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.measurement_record_length",
                "63 blocks");
    memcpy(buf, data, len);
    buf[OFF_BLOCKS] = 65;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[64]", "65 blocks");

    /* MeasurementSize != 3 + value size. */
    memcpy(buf, data, len);
    put16(buf + OFF_RECORD + 5 * blk + 2, 52);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[5].size", "size 52");
    memcpy(buf, data, len);
    put16(buf + OFF_RECORD + 5 * blk + 5, 47);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[5].size", "value 47");
    /* Value size 65 with a matching MeasurementSize. */
    memcpy(buf, data, len);
    put16(buf + OFF_RECORD + 2, 68);
    put16(buf + OFF_RECORD + 5, 65);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[0].value_size", "65");

    /* Index 0, out of range, duplicated. */
    memcpy(buf, data, len);
    buf[OFF_RECORD + 3 * blk] = 0;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[3].index", "index 0");
    memcpy(buf, data, len);
    buf[OFF_RECORD + 3 * blk] = 65;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[3].index", "index 65");
    memcpy(buf, data, len);
    buf[OFF_RECORD + 3 * blk] = 3;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.block[3].index", "index dup");

    /* Blocks in another order are accepted; index stays with its value. */
    memcpy(buf, data, len);
    memcpy(buf + OFF_RECORD, data + OFF_RECORD + blk, blk);
    memcpy(buf + OFF_RECORD + blk, data + OFF_RECORD, blk);
    nv_report *r = parse_ok(buf, len, "swapped blocks");
    cr_expect_eq(r->blocks[0].index, 2);
    cr_expect_eq(r->blocks[1].index, 1);
    cr_expect(memcmp(r->blocks[1].value, data + OFF_RECORD + 7, 48) == 0);
    nv_report_free(r);
    free(buf);
    free(data);
}

/* Rebuild a report with another opaque TLV list (signature bytes kept). */
typedef struct tlv {
    uint16_t type;
    uint16_t len;
    const uint8_t *value;
} tlv;

static uint8_t *rebuild(const nv_report *r, const tlv *tlvs, size_t n, size_t *out_len)
{
    size_t opaque = 0;
    for (size_t i = 0; i < n; i++)
        opaque += 4u + tlvs[i].len;
    size_t head = r->opaque_off - 2;
    size_t len = head + 2 + opaque + 96;
    uint8_t *b = malloc(len);
    cr_assert(b);
    memcpy(b, r->raw, head);
    put16(b + head, (uint16_t)opaque);
    size_t off = head + 2;
    for (size_t i = 0; i < n; i++) {
        put16(b + off, tlvs[i].type);
        put16(b + off + 2, tlvs[i].len);
        if (tlvs[i].len)
            memcpy(b + off + 4, tlvs[i].value, tlvs[i].len);
        off += 4u + tlvs[i].len;
    }
    memcpy(b + off, r->signature, 96);
    *out_len = len;
    return b;
}

/* The TLVs of `r` as a list (values borrowed from r->raw). */
static size_t tlvs_of(const nv_report *r, tlv *out, size_t max)
{
    cr_assert(r->field_count <= max);
    for (size_t k = 0; k < r->field_count; k++) {
        out[k].type = r->fields[k].type;
        out[k].len = r->fields[k].len;
        out[k].value = r->raw + r->fields[k].off;
    }
    return r->field_count;
}

/* Set A's report, parsed, with a scratch buffer one byte longer: what
 * the opaque-area edits start from. */
typedef struct edit_base {
    uint8_t *data;
    size_t len;
    nv_report *orig;
    uint8_t *buf;
} edit_base;

static void edit_begin(edit_base *e)
{
    e->data = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &e->len);
    e->orig = parse_ok(e->data, e->len, "set A");
    e->buf = malloc(e->len + 1);
    cr_assert(e->buf);
}

static void edit_end(edit_base *e)
{
    free(e->buf);
    nv_report_free(e->orig);
    free(e->data);
}

#define EDIT_LOCALS(e)                                                                     \
    uint8_t *data = (e).data, *buf = (e).buf;                                              \
    size_t len = (e).len;                                                                  \
    const nv_report *orig = (e).orig;                                                      \
    (void)data, (void)buf, (void)len

Test(nv_parse, opaque_length_edits)
{
    edit_base e;
    edit_begin(&e);
    EDIT_LOCALS(e);
    size_t last = orig->field_count - 1;
    size_t hdr_last = orig->fields[last].off - 4;
    char field[64];

    /* A TLV length overrunning OpaqueLength: last TLV +1, first TLV huge. */
    memcpy(buf, data, len);
    put16(buf + hdr_last + 2, (uint16_t)(orig->fields[last].len + 1));
    snprintf(field, sizeof field, "nvidia.report.opaque[%zu].length", last);
    expect_fail(buf, len, ATTEST_E_MALFORMED, field, "last TLV +1");
    memcpy(buf, data, len);
    put16(buf + orig->opaque_off + 2, 0xFFFF);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "nvidia.report.opaque[0].length",
                "first TLV 65535");
    /* OpaqueLength one short: the last TLV overruns it. */
    memcpy(buf, data, len);
    put16(buf + orig->opaque_off - 2, (uint16_t)(orig->opaque_len - 1));
    memcpy(buf + orig->signed_len - 1, data + orig->signed_len, 96);
    expect_fail(buf, len - 1, ATTEST_E_MALFORMED, field, "OpaqueLength -1");
    /* OpaqueLength two longer (two padding bytes inside): no room for a TLV header. */
    memcpy(buf, data, orig->signed_len);
    put16(buf + orig->opaque_off - 2, (uint16_t)(orig->opaque_len + 1));
    buf[orig->signed_len] = 0;
    memcpy(buf + orig->signed_len + 1, data + orig->signed_len, 96);
    snprintf(field, sizeof field, "nvidia.report.opaque[%zu]", last + 1);
    expect_fail(buf, len + 1, ATTEST_E_MALFORMED, field, "OpaqueLength +1");
    /* OpaqueLength pointing past the buffer. */
    memcpy(buf, data, len);
    put16(buf + orig->opaque_off - 2, 0xFFFF);
    expect_fail(buf, len, ATTEST_E_TRUNCATED, "nvidia.report.opaque_data", "OpaqueLength max");
    edit_end(&e);
}

Test(nv_parse, opaque_type_and_text_edits)
{
    edit_base e;
    edit_begin(&e);
    EDIT_LOCALS(e);
    char field[64];
    nv_report *r;
    /* A duplicated known type. */
    size_t k_fwid;
    cr_assert(find_field(orig, NV_OPAQUE_FWID, &k_fwid));
    memcpy(buf, data, len);
    put16(buf + orig->fields[k_fwid].off - 4, NV_OPAQUE_DRIVER_VERSION);
    snprintf(field, sizeof field, "nvidia.report.opaque[%zu].type", k_fwid);
    expect_fail(buf, len, ATTEST_E_MALFORMED, field, "duplicate DRIVER_VERSION");
    cr_expect(strstr(attest_error_last(), "DRIVER_VERSION") != NULL, "%s",
              attest_error_last());

    /* Unknown types are kept, even twice. */
    size_t k_cpr, k_board;
    cr_assert(find_field(orig, NV_OPAQUE_CPRINFO, &k_cpr));
    cr_assert(find_field(orig, NV_OPAQUE_BOARD_ID, &k_board));
    memcpy(buf, data, len);
    put16(buf + orig->fields[k_cpr].off - 4, 40);
    put16(buf + orig->fields[k_board].off - 4, 40);
    r = parse_ok(buf, len, "unknown type 40");
    cr_expect_eq(r->fields[k_cpr].type, 40);
    cr_expect_eq(r->fields[k_board].type, 40);
    cr_expect_eq(r->field_count, orig->field_count);
    json_t *j = nv_report_to_json(r);
    json_t *o = json_object_get(j, "opaque");
    cr_expect(json_is_object(json_object_get(o, "TYPE_40")));
    cr_expect(json_is_object(json_object_get(o, "TYPE_40_2")));
    cr_expect_eq(json_object_size(o), r->field_count);
    json_decref(j);
    nv_report_free(r);

    /* Non-printable ASCII in a string field. */
    size_t k_drv;
    cr_assert(find_field(orig, NV_OPAQUE_DRIVER_VERSION, &k_drv));
    memcpy(buf, data, len);
    buf[orig->fields[k_drv].off + 1] = 0x01;
    snprintf(field, sizeof field, "nvidia.report.opaque[%zu].value", k_drv);
    expect_fail(buf, len, ATTEST_E_MALFORMED, field, "driver 0x01");
    cr_expect(strstr(attest_error_last(), "DRIVER_VERSION") != NULL);
    size_t k_proj;
    cr_assert(find_field(orig, NV_OPAQUE_PROJECT, &k_proj));
    memcpy(buf, data, len);
    buf[orig->fields[k_proj].off] = 0x80;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "PROJECT", "project 0x80");
    edit_end(&e);
}

Test(nv_parse, opaque_field_sizes)
{
    edit_base e;
    edit_begin(&e);
    EDIT_LOCALS(e);
    char field[64];
    nv_report *r;
    /* Rebuilt opaque lists: wrong sizes of fixed-size fields. */
    tlv list[40];
    size_t n = tlvs_of(orig, list, 40);
    static const uint8_t zeros[33 * 8];
    struct { unsigned type; uint16_t len; const char *name; } sizes[] = {
        {NV_OPAQUE_FWID, 47, "FWID"},
        {NV_OPAQUE_FWID, 49, "FWID"},
        {NV_OPAQUE_VBIOS_VERSION, 7, "VBIOS_VERSION"},
        {NV_OPAQUE_NVDEC0_STATUS, 2, "NVDEC0_STATUS"},
        {NV_OPAQUE_PROTECTED_PCIE_STATUS, 0, "PROTECTED_PCIE_STATUS"},
    };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        tlv edited[40];
        memcpy(edited, list, n * sizeof *list);
        size_t k = 0;
        cr_assert(find_field(orig, sizes[s].type, &k));
        edited[k].len = sizes[s].len;
        edited[k].value = zeros;
        size_t blen;
        uint8_t *b = rebuild(orig, edited, n, &blen);
        snprintf(field, sizeof field, "nvidia.report.opaque[%zu].length", k);
        expect_fail(b, blen, ATTEST_E_MALFORMED, field, sizes[s].name);
        cr_expect(strstr(attest_error_last(), sizes[s].name) != NULL, "%s",
                  attest_error_last());
        free(b);
    }
    /* Appended fields: a version/feature flag of the wrong size, a SWITCH_PDI
     * that is not whole PDIs, an over-long CHIP_INFO; then well-formed ones. */
    struct { uint16_t type, len; int status; const char *name; } extra[] = {
        {NV_OPAQUE_OPAQUE_DATA_VERSION, 4, ATTEST_E_MALFORMED, "OPAQUE_DATA_VERSION"},
        {NV_OPAQUE_FEATURE_FLAG, 1, ATTEST_E_MALFORMED, "FEATURE_FLAG"},
        {NV_OPAQUE_SWITCH_PDI, 12, ATTEST_E_MALFORMED, "SWITCH_PDI"},
        {NV_OPAQUE_SWITCH_PDI, 33 * 8, ATTEST_E_MALFORMED, "SWITCH_PDI"},
        {NV_OPAQUE_SWITCH_PDI, 32 * 8, ATTEST_OK, NULL},
        {NV_OPAQUE_SWITCH_PDI, 0, ATTEST_OK, NULL},
        {NV_OPAQUE_OPAQUE_DATA_VERSION, 2, ATTEST_OK, NULL},
        {NV_OPAQUE_GPU_LINK_CONN, 3, ATTEST_OK, NULL},
        {1000, 0, ATTEST_OK, NULL},
    };
    for (size_t s = 0; s < sizeof extra / sizeof extra[0]; s++) {
        list[n].type = extra[s].type;
        list[n].len = extra[s].len;
        list[n].value = zeros;
        size_t blen;
        uint8_t *b = rebuild(orig, list, n + 1, &blen);
        if (extra[s].status == ATTEST_OK) {
            r = parse_ok(b, blen, "appended field");
            cr_expect_eq(r->field_count, n + 1);
            if (extra[s].type == NV_OPAQUE_SWITCH_PDI)
                cr_expect_eq(r->switch_pdi_count, extra[s].len / 8u);
            if (extra[s].type == NV_OPAQUE_OPAQUE_DATA_VERSION)
                cr_expect_eq(r->opaque_data_version, 0);
            nv_report_free(r);
        } else {
            expect_fail(b, blen, extra[s].status, extra[s].name, extra[s].name);
        }
        free(b);
    }
    edit_end(&e);
}

Test(nv_parse, opaque_chip_info_and_empty_area)
{
    edit_base e;
    edit_begin(&e);
    EDIT_LOCALS(e);
    tlv list[40];
    size_t n = tlvs_of(orig, list, 40);
    nv_report *r;
    json_t *j;
    static const uint8_t long_chip[] = "GB100GB100GB100GB"; /* 17 characters */
    list[n].type = NV_OPAQUE_CHIP_INFO;
    list[n].len = 17;
    list[n].value = long_chip;
    size_t blen;
    uint8_t *b = rebuild(orig, list, n + 1, &blen);
    expect_fail(b, blen, ATTEST_E_MALFORMED, "CHIP_INFO", "17-character CHIP_INFO");
    free(b);
    /* 15 characters and NUL padding fit. */
    list[n].len = 15;
    b = rebuild(orig, list, n + 1, &blen);
    r = parse_ok(b, blen, "15-character CHIP_INFO");
    cr_expect_str_eq(r->chip_info, "GB100GB100GB100");
    nv_report_free(r);
    free(b);
    /* An empty opaque area parses; every decoded field is absent. */
    b = rebuild(orig, NULL, 0, &blen);
    r = parse_ok(b, blen, "no TLV");
    cr_expect_eq(r->field_count, 0);
    cr_expect_str_eq(r->driver_version, "");
    cr_expect_str_eq(r->vbios_version, "");
    cr_expect_not(r->has_fwid);
    cr_expect_eq(r->nvdec0_status, -1);
    cr_expect_eq(r->feature_flag, -1);
    j = nv_report_to_json(r);
    cr_expect(json_is_null(json_object_get(j, "vbios_version")));
    cr_expect_eq(json_object_size(json_object_get(j, "opaque")), 0);
    json_decref(j);
    nv_report_free(r);
    free(b);
    edit_end(&e);
}

Test(nv_parse, opaque_switch_fields)
{
    edit_base e;
    edit_begin(&e);
    EDIT_LOCALS(e);
    size_t blen;
    uint8_t *b;
    nv_report *r;
    /* SWITCH_GPU_PDIS makes a 64-block report a switch (VBIOS then ASCII). */
    static const uint8_t pdis[72] = {1, 0, 0, 0, 0, 0, 0, 0, 2};
    static const uint8_t ascii_vbios[] = "96.10.55.00.01";
    tlv sw[3] = {{NV_OPAQUE_VBIOS_VERSION, 14, ascii_vbios},
                 {NV_OPAQUE_SWITCH_PDI, 8, pdis},
                 {NV_OPAQUE_SWITCH_GPU_PDIS, 72, pdis}};
    b = rebuild(orig, sw, 3, &blen);
    r = parse_ok(b, blen, "switch TLVs");
    cr_expect(r->is_switch);
    cr_expect_str_eq(r->vbios_version, "96.10.55.00.01");
    cr_expect_eq(r->switch_pdi_count, 1);
    cr_expect_eq(r->switch_pdis[0], UINT64_C(0x0100000000000000), "switch PDIs in order");
    cr_expect_eq(r->gpu_pdi_count, 8);
    cr_expect_eq(r->gpu_pdis[1], UINT64_C(0x0200000000000000));
    nv_report_free(r);
    free(b);
    sw[1].len = 16; /* a switch has exactly one own PDI */
    b = rebuild(orig, sw, 3, &blen);
    expect_fail(b, blen, ATTEST_E_MALFORMED, "SWITCH_PDI", "switch with 2 own PDIs");
    free(b);
    sw[1].len = 8;
    sw[2].len = 63;
    b = rebuild(orig, sw, 3, &blen);
    expect_fail(b, blen, ATTEST_E_MALFORMED, "SWITCH_GPU_PDIS", "63-byte GPU PDIs");
    free(b);
    edit_end(&e);
}

/* nvtrust utils.format_vbios_version on other byte patterns. */
Test(nv_parse, vbios_format)
{
    size_t len;
    uint8_t *data = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &len);
    nv_report *orig = parse_ok(data, len, "set A");
    size_t k;
    const nv_opaque_field *f = find_field(orig, NV_OPAQUE_VBIOS_VERSION, &k);
    cr_assert(f && f->len == 8);
    static const struct { uint8_t b[8]; const char *want; } cases[] = {
        {{0x00, 0x9f, 0x00, 0x96, 0x01, 0x00, 0x00, 0x00}, "96.00.9F.00.01"},
        {{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}, "67.45.23.01.89"},
        {{0x35, 0x00, 0xd9, 0x00, 0x97, 0x00, 0x00, 0x00}, "00.D9.00.35.97"},
        {{0x00, 0xd9, 0x00, 0x97, 0x35, 0x00, 0x00, 0x00}, "97.00.D9.00.35"},
        {{0}, "00.00.00.00.00"},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "FF.FF.FF.FF.FF"},
    };
    uint8_t *buf = malloc(len);
    cr_assert(buf);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(buf, data, len);
        memcpy(buf + f->off, cases[i].b, 8);
        nv_report *r = parse_ok(buf, len, cases[i].want);
        cr_expect_str_eq(r->vbios_version, cases[i].want);
        nv_report_free(r);
    }
    free(buf);
    nv_report_free(orig);
    free(data);
}

/* ---- JSON containers ------------------------------------------------- */

typedef struct container_case {
    const char *file;
    size_t gpus, switches;
    bool has_nonce;
    const char *arch;       /* of the first device */
    const char *nonce;      /* of every device, if has_nonce or stated */
    const char *report_bin; /* the same report as a .bin, device 0 */
    const char *chain_pem;  /* the same chain as a .pem, device 0 */
} container_case;

static const container_case containers[] = {
    {"hopper/setA_h100_550.90.07_complete/nvat_serialized_evidence.json", 1, 0, true,
     "HOPPER", N931, "hopper/setA_h100_550.90.07_complete/attestation_report.bin",
     "hopper/setA_h100_550.90.07_complete/device_cert_chain.pem"},
    {"hopper/setD_h100_595.71.05_azure_complete/gpu_evidence.json", 1, 0, true, "HOPPER",
     "690bb51b904351e28100a0610fe60624255c26d7d38c53fb1285ecfed1cab17a",
     "hopper/setD_h100_595.71.05_azure_complete/attestation_report.bin",
     "hopper/setD_h100_595.71.05_azure_complete/device_cert_chain.pem"},
    {"nvswitch/setC_ls10_96.10.55.00.01_complete/nvat_serialized_evidence.json", 0, 1, true,
     "LS10", N931, "nvswitch/setC_ls10_96.10.55.00.01_complete/attestation_report.bin",
     NULL},
    {"hopper/partial/h100_570.86.10_cert_hold.nvat_evidence.json", 1, 0, true, "HOPPER",
     N931, NULL, NULL},
    {"hopper/partial/h100_590.12_ppcie_mode.nvat_evidence.json", 1, 0, true, "HOPPER",
     "e97b23a1718095a0e9e35edca810768c70a6a5a389b705e753b197912bc11576", NULL, NULL},
    {"hopper/partial/h100x4_590.12_multi_gpu.nvat_evidence.json", 4, 0, true, "HOPPER",
     "e97b23a1718095a0e9e35edca810768c70a6a5a389b705e753b197912bc11576", NULL, NULL},
    {"blackwell/gb100x8_mpt_590.48.01_vbios9700D90035.json", 8, 0, false, "BLACKWELL",
     "cdb72201e569085d6de41863745f6f77db1f75962c29564ec6abe91f0221861f", NULL, NULL},
    {"ppcie/h100x8_590.12_gpu_evidence.json", 8, 0, true, "HOPPER", NULL, NULL, NULL},
    {"ppcie/ls10x4_96.10.73.00.01_switch_evidence.json", 0, 4, true, "LS10", NULL, NULL,
     NULL},
    {"ppcie/h100x8_ls10x4_570.124.06.go_nvattest.json", 8, 4, false, "HOPPER",
     "1234567890123456789012345678901234567890123456789012345678901234", NULL, NULL},
};
#define NCONTAINERS (sizeof containers / sizeof containers[0])

static int parse_json_exact(nv_evidence_set *s, const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    cr_assert(copy);
    memcpy(copy, text, len);
    int st = nv_evidence_json_parse(s, (const uint8_t *)copy, len);
    free(copy);
    return st;
}

static void check_container(const container_case *c)
{
    size_t len;
    uint8_t *data = load(c->file, &len);
    cr_expect(nv_evidence_json_detect(data, len), "%s: not detected", c->file);
    nv_evidence_set s;
    int st = parse_json_exact(&s, (const char *)data, len);
    cr_assert_eq(st, ATTEST_OK, "%s: %s (%s)", c->file, attest_status_name(st),
                 attest_error_last());
    cr_expect_eq(s.count, c->gpus + c->switches, "%s: %zu devices", c->file, s.count);
    cr_expect_str_eq(s.devices[0].arch, c->arch, "%s: arch", c->file);
    size_t switches = 0;
    for (size_t i = 0; i < s.count; i++) {
        const nv_device_evidence *d = &s.devices[i];
        cr_assert(d->report, "%s[%zu]: no report", c->file, i);
        switches += d->report->is_switch;
        /* GPUs first, then switches, in the go-nvattest shape. */
        cr_expect_eq(d->report->is_switch, i >= c->gpus, "%s[%zu]: switch", c->file, i);
        cr_expect_eq(d->report->block_count, d->report->is_switch ? 31 : 64);
        cr_expect_str_eq(d->arch, d->report->is_switch ? "LS10" : c->arch, "%s[%zu]",
                         c->file, i);
        cr_assert(d->chain_pem, "%s[%zu]: no chain", c->file, i);
        cr_expect(strncmp(d->chain_pem, "-----BEGIN CERTIFICATE-----", 27) == 0,
                  "%s[%zu]: chain does not start with a certificate", c->file, i);
        cr_expect_eq(count_str(d->chain_pem, "-----BEGIN CERTIFICATE-----"), 5,
                     "%s[%zu]: %zu certificates", c->file, i,
                     count_str(d->chain_pem, "-----BEGIN CERTIFICATE-----"));
        cr_expect_eq(count_str(d->chain_pem, "-----END CERTIFICATE-----"), 5);
        cr_expect_eq(d->has_nonce, c->has_nonce, "%s[%zu]: has_nonce", c->file, i);
        if (d->has_nonce)
            cr_expect(memcmp(d->nonce, d->report->nonce, 32) == 0,
                      "%s[%zu]: container nonce differs from the request nonce", c->file, i);
        if (c->nonce) {
            char hex[65];
            hexs(hex, d->report->nonce, 32);
            cr_expect_str_eq(hex, c->nonce, "%s[%zu]: nonce", c->file, i);
        }
        /* every device of one container answers the same challenge */
        cr_expect(memcmp(d->report->nonce, s.devices[0].report->nonce, 32) == 0);
    }
    cr_expect_eq(switches, c->switches, "%s: %zu switches", c->file, switches);
    if (c->report_bin) {
        size_t blen;
        uint8_t *bin = load(c->report_bin, &blen);
        cr_expect(blen == s.devices[0].report->raw_len &&
                      memcmp(bin, s.devices[0].report->raw, blen) == 0,
                  "%s: report differs from %s", c->file, c->report_bin);
        free(bin);
    }
    if (c->chain_pem) {
        size_t plen;
        uint8_t *pem = load(c->chain_pem, &plen);
        cr_expect(plen == strlen(s.devices[0].chain_pem) &&
                      memcmp(pem, s.devices[0].chain_pem, plen) == 0,
                  "%s: chain differs from %s", c->file, c->chain_pem);
        free(pem);
    }
    nv_evidence_set_release(&s);
    cr_expect_eq(s.count, 0);
    cr_expect_null(s.devices[0].report);
    free(data);
}

Test(nv_parse, json_containers)
{
    for (size_t i = 0; i < NCONTAINERS; i++)
        check_container(&containers[i]);
}

Test(nv_parse, json_container_facts)
{
    /* 8x GB100 MPT: CHIP_INFO, feature flag 1, NVDEC0 differs per GPU. */
    size_t len;
    uint8_t *data = load("blackwell/gb100x8_mpt_590.48.01_vbios9700D90035.json", &len);
    nv_evidence_set s;
    cr_assert_eq(nv_evidence_json_parse(&s, data, len), ATTEST_OK, "%s", attest_error_last());
    size_t aa = 0, x55 = 0;
    for (size_t i = 0; i < s.count; i++) {
        const nv_report *r = s.devices[i].report;
        cr_expect_str_eq(r->driver_version, "590.48.01");
        cr_expect_str_eq(r->vbios_version, "97.00.D9.00.35");
        cr_expect_str_eq(r->chip_info, "GB100");
        cr_expect_eq(r->feature_flag, 1);
        cr_expect(r->has_fwid);
        aa += r->nvdec0_status == 0xAA;
        x55 += r->nvdec0_status == 0x55;
    }
    cr_expect(aa > 0 && x55 > 0 && aa + x55 == 8, "NVDEC0: %zu x 0xAA, %zu x 0x55", aa, x55);
    nv_evidence_set_release(&s);
    free(data);

    /* PPCIe HGX H100: feature flag 2, PPCIe status 0xAA, 18 switch PDIs. */
    data = load("ppcie/h100x8_590.12_gpu_evidence.json", &len);
    cr_assert_eq(nv_evidence_json_parse(&s, data, len), ATTEST_OK, "%s", attest_error_last());
    for (size_t i = 0; i < s.count; i++) {
        const nv_report *r = s.devices[i].report;
        cr_expect_str_eq(r->driver_version, "590.12");
        cr_expect_str_eq(r->vbios_version, "96.00.A5.00.01");
        cr_expect_eq(r->feature_flag, 2);
        cr_expect_eq(r->ppcie_status, 0xAA);
        cr_expect_eq(r->switch_pdi_count, 18);
        cr_expect_str_eq(r->project, "G520");
    }
    nv_evidence_set_release(&s);
    free(data);

    /* The switch evidence of the same PPCIe system. */
    data = load("ppcie/ls10x4_96.10.73.00.01_switch_evidence.json", &len);
    cr_assert_eq(nv_evidence_json_parse(&s, data, len), ATTEST_OK, "%s", attest_error_last());
    for (size_t i = 0; i < s.count; i++)
        cr_expect_str_eq(s.devices[i].report->vbios_version, "96.10.73.00.01");
    nv_evidence_set_release(&s);
    free(data);
}

/* go-nvattest PPCIe: topology data consistent (research note (c)). */
Test(nv_parse, json_go_ppcie_topology_facts)
{
    size_t len;
    nv_evidence_set s;
    uint8_t *data = load("ppcie/h100x8_ls10x4_570.124.06.go_nvattest.json", &len);
    cr_assert_eq(nv_evidence_json_parse(&s, data, len), ATTEST_OK, "%s", attest_error_last());
    cr_assert_eq(s.count, 12);
    for (size_t i = 0; i < 8; i++) {
        const nv_report *g = s.devices[i].report;
        cr_expect_str_eq(g->driver_version, "570.124.06");
        cr_expect_str_eq(g->vbios_version, "96.00.CF.00.02");
        cr_expect_str_eq(g->project_sku, "0280");
        cr_expect_str_eq(g->chip_sku, "895");
        for (size_t w = 8; w < 12; w++) {
            const nv_report *sw = s.devices[w].report;
            bool seen = false;
            for (size_t p = 0; p < g->switch_pdi_count; p++)
                seen |= g->switch_pdis[p] == sw->switch_pdis[0];
            cr_expect(seen, "GPU %zu does not list switch %zu's PDI", i, w);
        }
    }
    /* Every PDI is the device's BROM serial: the switches' own PDIs, and the
     * GPU PDIs the switches report. */
    for (size_t w = 8; w < 12; w++) {
        const nv_report *sw = s.devices[w].report;
        cr_expect_eq(sw->switch_pdis[0], chain_serial_low64(s.devices[w].chain_pem, 1),
                     "switch %zu: PDI is not its BROM serial", w);
        for (size_t i = 0; i < 8; i++) {
            uint64_t gpu = chain_serial_low64(s.devices[i].chain_pem, 1);
            bool seen = false;
            for (size_t p = 0; p < sw->gpu_pdi_count; p++)
                seen |= sw->gpu_pdis[p] == gpu;
            cr_expect(seen, "switch %zu does not list GPU %zu (%016llx)", w, i,
                      (unsigned long long)gpu);
        }
    }
    for (size_t w = 8; w < 12; w++) {
        const nv_report *sw = s.devices[w].report;
        cr_expect_str_eq(sw->vbios_version, "96.10.6D.00.01");
        cr_expect_eq(sw->gpu_pdi_count, 8);
        /* the same 8 GPUs, in a switch-specific order */
        for (size_t i = 0; i < 8; i++) {
            bool seen = false;
            for (size_t p = 0; p < 8; p++)
                seen |= sw->gpu_pdis[i] == s.devices[8].report->gpu_pdis[p];
            cr_expect(seen, "switch %zu reports GPU PDI %zu unknown to switch 8", w, i);
        }
    }
    nv_evidence_set_release(&s);
    free(data);
}

Test(nv_parse, json_detect)
{
    size_t len;
    uint8_t *bin = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &len);
    cr_expect_not(nv_evidence_json_detect(bin, len));
    free(bin);
    static const char *const no[] = {"", "{}", "[]", "{\"foo\": 1}", "hello \"evidence\"",
                                     "<xml \"evidence\"/>"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_expect_not(nv_evidence_json_detect((const uint8_t *)no[i], strlen(no[i])),
                      "'%s'", no[i]);
    static const char *const yes[] = {"[{\"evidence\": \"\"}]",
                                      "  \n{\"nonce\": \"\", \"evidence_list\": []}",
                                      "{\"gpus\": [{\"AttestationReport\": {}}]}",
                                      "{\"nvswitches\": [{\"attestation_report\": {}}]}"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_expect(nv_evidence_json_detect((const uint8_t *)yes[i], strlen(yes[i])), "'%s'",
                  yes[i]);
    cr_expect_not(nv_evidence_json_detect(NULL, 0));
}

/* ---- JSON negatives -------------------------------------------------- */

static json_t *load_json(const char *rel)
{
    size_t len;
    uint8_t *data = load(rel, &len);
    json_error_t err;
    json_t *j = json_loadb((const char *)data, len, 0, &err);
    cr_assert(j, "%s: %s", rel, err.text);
    free(data);
    return j;
}

static void expect_json_fail(json_t *doc, int status, const char *field, const char *what)
{
    char *text = json_dumps(doc, 0);
    cr_assert(text);
    nv_evidence_set s;
    int st = parse_json_exact(&s, text, strlen(text));
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    cr_expect_eq(s.count, 0, "%s: set not released on failure", what);
    cr_expect_null(s.devices[0].report);
    if (field)
        cr_expect(strstr(attest_error_last(), field) != NULL,
                  "%s: detail '%s' does not name '%s'", what, attest_error_last(), field);
    free(text);
}

static void expect_text_fail(const char *text, int status, const char *field)
{
    nv_evidence_set s;
    int st = parse_json_exact(&s, text, strlen(text));
    cr_expect_eq(st, status, "'%s': got %s (%s), want %s", text, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    cr_expect_eq(s.count, 0);
    if (field)
        cr_expect(strstr(attest_error_last(), field) != NULL,
                  "'%s': detail '%s' does not name '%s'", text, attest_error_last(), field);
}

static char *b64(const uint8_t *p, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    cr_assert(out);
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

#define NVAT_A "hopper/setA_h100_550.90.07_complete/nvat_serialized_evidence.json"
#define GO_PPCIE "ppcie/h100x8_ls10x4_570.124.06.go_nvattest.json"

Test(nv_parse, json_bad_base64)
{
    json_t *doc = load_json(NVAT_A);
    json_t *e = json_array_get(doc, 0);
    char *ev = strdup(json_string_value(json_object_get(e, "evidence")));
    cr_assert(ev);
    size_t n = strlen(ev);
    char *bad = strdup(ev);
    cr_assert(bad);

    bad[100] = '!';
    json_object_set_new(e, "evidence", json_string(bad));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].evidence: invalid base64",
                     "'!'");
    memcpy(bad, ev, n);
    bad[10] = '=';
    json_object_set_new(e, "evidence", json_string(bad));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].evidence", "inner '='");
    json_object_set_new(e, "evidence", json_stringn(ev, n - 1));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].evidence", "length % 4");
    json_object_set_new(e, "evidence", json_integer(5));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].evidence", "integer");
    json_object_del(e, "evidence");
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].evidence", "missing");
    json_object_set_new(e, "evidence", json_string(ev));
    json_object_set_new(e, "certificate", json_string("LS0tLS1CRUdJTi*="));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].certificate", "cert");
    free(bad);
    free(ev);
    json_decref(doc);

    /* Base64 edge cases through a tiny evidence: a valid decoding reaches
     * the report parser (TRUNCATED), an invalid one stops at base64. */
    static const struct { const char *b64; int status; } cases[] = {
        {"QQ==", ATTEST_E_TRUNCATED},  {"QUI=", ATTEST_E_TRUNCATED},
        {"QUJD", ATTEST_E_TRUNCATED},  {"QU\nJD\r\n", ATTEST_E_TRUNCATED},
        {"", ATTEST_E_TRUNCATED},      {"QR==", ATTEST_E_MALFORMED},
        {"QUJ=", ATTEST_E_MALFORMED},  {"QQ=", ATTEST_E_MALFORMED},
        {"Q===", ATTEST_E_MALFORMED},  {"QQ==QUJD", ATTEST_E_MALFORMED},
        {"QUJD ", ATTEST_E_MALFORMED}, {"QUJ", ATTEST_E_MALFORMED},
        {"QU-D", ATTEST_E_MALFORMED},  {"QU_D", ATTEST_E_MALFORMED},
        {"=QUJ", ATTEST_E_MALFORMED},  {"QQ==\n", ATTEST_E_TRUNCATED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *d = json_pack("[{s:s, s:s}]", "arch", "HOPPER", "evidence", cases[i].b64);
        char what[64];
        snprintf(what, sizeof what, "base64 '%s'", cases[i].b64);
        expect_json_fail(d, cases[i].status,
                         cases[i].status == ATTEST_E_MALFORMED
                             ? "invalid base64"
                             : "nvidia.evidence[0].evidence: nvidia.report.request",
                         what);
        json_decref(d);
    }

    /* go-nvattest: a bad "py/b64" and a bad certificate "pem". */
    doc = load_json(GO_PPCIE);
    json_t *g3 = json_array_get(json_object_get(doc, "gpus"), 3);
    json_object_set_new(json_object_get(g3, "AttestationReport"), "py/b64",
                        json_string("not base64!"));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence.gpus[3].AttestationReport",
                     "py/b64");
    json_decref(doc);
    doc = load_json(GO_PPCIE);
    json_t *s2 = json_array_get(json_object_get(doc, "nvswitches"), 2);
    json_object_set_new(json_array_get(json_object_get(s2, "attestation_cert_chain"), 1),
                        "pem", json_string("%%%%"));
    expect_json_fail(doc, ATTEST_E_MALFORMED,
                     "nvidia.evidence.nvswitches[2].attestation_cert_chain[1].pem", "pem");
    json_decref(doc);
}

Test(nv_parse, json_device_count)
{
    /* 13 devices in an NVAT list. */
    json_t *doc = load_json(NVAT_A);
    json_t *e = json_array_get(doc, 0);
    for (int i = 0; i < 11; i++)
        json_array_append(doc, e);
    char *text = json_dumps(doc, 0);
    nv_evidence_set s;
    cr_expect_eq(parse_json_exact(&s, text, strlen(text)), ATTEST_OK, "12 devices: %s",
                 attest_error_last());
    cr_expect_eq(s.count, 12);
    nv_evidence_set_release(&s);
    free(text);
    json_array_append(doc, e);
    expect_json_fail(doc, ATTEST_E_MALFORMED, "13 devices", "13 NVAT devices");
    cr_expect(strstr(attest_error_last(), "nvidia.evidence") != NULL);
    json_decref(doc);

    /* 13 devices in the go-nvattest shape: 9 GPUs + 4 switches. */
    doc = load_json(GO_PPCIE);
    json_t *gpus = json_object_get(doc, "gpus");
    json_array_append(gpus, json_array_get(gpus, 0));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "13 devices", "9 + 4 devices");
    json_decref(doc);

    /* 13 in an NRAS evidence_list. */
    doc = load_json("hopper/setD_h100_595.71.05_azure_complete/gpu_evidence.json");
    json_t *list = json_object_get(doc, "evidence_list");
    for (int i = 0; i < 12; i++)
        json_array_append(list, json_array_get(list, 0));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence.evidence_list: 13 devices",
                     "13 NRAS devices");
    json_array_clear(list);
    expect_json_fail(doc, ATTEST_E_MALFORMED, "no device", "0 NRAS devices");
    json_decref(doc);

    expect_text_fail("[]", ATTEST_E_MALFORMED, "no device");
    expect_text_fail("{\"gpus\": [], \"nvswitches\": []}", ATTEST_E_MALFORMED, "no device");
}

Test(nv_parse, json_shapes_and_fields)
{
    expect_text_fail("not json", ATTEST_E_MALFORMED, "nvidia.evidence: not JSON");
    expect_text_fail("{\"foo\": 1}", ATTEST_E_FORMAT_UNKNOWN, "nvidia.evidence");
    expect_text_fail("\"evidence\"", ATTEST_E_MALFORMED, "nvidia.evidence: not JSON");
    expect_text_fail("[1]", ATTEST_E_MALFORMED, "nvidia.evidence[0]: not an object");
    expect_text_fail("{\"evidence_list\": 5}", ATTEST_E_MALFORMED,
                     "nvidia.evidence.evidence_list");
    expect_text_fail("{\"gpus\": 5}", ATTEST_E_MALFORMED, "nvidia.evidence");
    expect_text_fail("[{\"evidence\": \"QQ==\", \"evidence\": \"QQ==\"}]", ATTEST_E_MALFORMED,
                     "nvidia.evidence");

    nv_evidence_set s;
    cr_expect_eq(nv_evidence_json_parse(NULL, (const uint8_t *)"[]", 2), ATTEST_E_INVALID_ARG);
    cr_expect_eq(nv_evidence_json_parse(&s, NULL, 0), ATTEST_E_INVALID_ARG);
    nv_evidence_set_release(NULL);

    /* Nonces that are not 64 hex digits. */
    json_t *doc = load_json(NVAT_A);
    json_t *e = json_array_get(doc, 0);
    static const char *const bad_nonces[] = {
        "931d8dd0", "zz1d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb",
        "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb00", ""};
    for (size_t i = 0; i < sizeof bad_nonces / sizeof bad_nonces[0]; i++) {
        json_object_set_new(e, "nonce", json_string(bad_nonces[i]));
        expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].nonce", bad_nonces[i]);
    }
    json_object_set_new(e, "nonce", json_integer(1));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].nonce", "integer nonce");
    /* Upper-case hex is a nonce too. */
    json_object_set_new(e, "nonce",
                        json_string("931D8DD0ADD203AC3D8B4FBDE75E115278EEFCDCEAC5B87671A748F32364DFCB"));
    char *text = json_dumps(doc, 0);
    cr_expect_eq(parse_json_exact(&s, text, strlen(text)), ATTEST_OK, "%s", attest_error_last());
    cr_expect(s.devices[0].has_nonce);
    cr_expect(memcmp(s.devices[0].nonce, s.devices[0].report->nonce, 32) == 0);
    nv_evidence_set_release(&s);
    free(text);
    /* No nonce, no certificate: both absent, the report still parses. */
    json_object_del(e, "nonce");
    json_object_del(e, "certificate");
    text = json_dumps(doc, 0);
    cr_expect_eq(parse_json_exact(&s, text, strlen(text)), ATTEST_OK, "%s", attest_error_last());
    cr_expect_not(s.devices[0].has_nonce);
    cr_expect_null(s.devices[0].chain_pem);
    nv_evidence_set_release(&s);
    free(text);
    /* An over-long arch. */
    json_object_set_new(e, "arch", json_string("HOPPERHOPPERHOPPER"));
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].arch", "long arch");
    json_decref(doc);

}

/* A report that does not parse inside a container: its code, the path in
 * front of its detail. */
Test(nv_parse, json_report_errors_name_their_path)
{
    json_t *doc;
    size_t len;
    uint8_t *rep = load("hopper/setA_h100_550.90.07_complete/attestation_report.bin", &len);
    rep[OFF_RECORD + 1] = 2; /* MeasurementSpecification 2 */
    char *enc = b64(rep, len);
    doc = json_pack("{s:s, s:s, s:[{s:s}]}", "nonce", N931, "arch", "HOPPER",
                    "evidence_list", "evidence", enc);
    expect_json_fail(doc, ATTEST_E_MALFORMED,
                     "nvidia.evidence.evidence_list[0].evidence: nvidia.report.block[0].spec",
                     "spec 2 inside JSON");
    json_decref(doc);
    free(enc);
    rep[OFF_RECORD + 1] = 1;
    enc = b64(rep, len - 1);
    doc = json_pack("[{s:s, s:s}]", "nonce", N931, "evidence", enc);
    expect_json_fail(doc, ATTEST_E_TRUNCATED,
                     "nvidia.evidence[0].evidence: nvidia.report.signature", "cut inside JSON");
    json_decref(doc);
    free(enc);
    /* A second device failing releases the first. */
    enc = b64(rep, len);
    doc = json_pack("[{s:s}, {s:s}]", "evidence", enc, "evidence", "QQ==");
    expect_json_fail(doc, ATTEST_E_TRUNCATED, "nvidia.evidence[1].evidence", "second device");
    json_decref(doc);
    /* A certificate that decodes to bytes with a NUL is not PEM text. */
    static const uint8_t nul_pem[] = "-----BEGIN\0CERTIFICATE-----";
    char *pem_enc = b64(nul_pem, sizeof nul_pem - 1);
    doc = json_pack("[{s:s, s:s}]", "evidence", enc, "certificate", pem_enc);
    expect_json_fail(doc, ATTEST_E_MALFORMED, "nvidia.evidence[0].certificate", "NUL in PEM");
    json_decref(doc);
    free(pem_enc);
    free(enc);
    free(rep);
}
