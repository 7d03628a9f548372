/* Expected launch measurements (lib/appraise/measure_*.c, docs/measure.md):
 * the real vectors of ../shared/vectors/refvalues give the recorded values
 * (T02 MRTD = its quote's, S01 = its signed report's MEASUREMENT, S02 and
 * S04 = the peers' digests); each launch input changes the digest; each
 * broken image or input is refused with its own code (synthetic images of
 * vectors/gen/ovmfgen.h). */
#include "testutil.h"
#include "base/base.h"
#include "ovmfgen.h"

#define REF "refvalues/"
#define TD_QUOTE_MRTD (48 + 136) /* quote header, TD report up to MRTD */
#define SNP_REPORT_MEASUREMENT 0x90

static uint8_t *load(const char *rel, size_t *len)
{
    char path[512];
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

static void expect_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what)
{
    char g[129], w[129];
    attest_hex_encode(g, got, n);
    attest_hex_encode(w, want, n);
    cr_expect_str_eq(g, w, "%s", what);
}

static void expect_hex(const uint8_t *got, const char *want, const char *what)
{
    char g[97];
    attest_hex_encode(g, got, 48);
    cr_expect_str_eq(g, want, "%s", what);
}

/* The MANIFEST gives S04's digests as "prefix...suffix". */
static void expect_hex_ends(const uint8_t *got, const char *prefix, const char *suffix,
                            const char *what)
{
    char g[97];
    attest_hex_encode(g, got, 48);
    cr_expect(!strncmp(g, prefix, strlen(prefix)) && !strcmp(g + 96 - strlen(suffix), suffix),
              "%s: got %s, want %s...%s", what, g, prefix, suffix);
}

static void sha256_hex(uint8_t out[32], const char *hex)
{
    cr_assert_eq(attest_hex_decode(out, 32, hex), 0, "hex %s", hex);
}

/* ---- TDX MRTD ------------------------------------------------------------ */

Test(measure, tdx_t02_single_pass_is_the_quote_mrtd)
{
    size_t n, qn;
    uint8_t *img = load(REF "tdx/T02_cmc_ovmf_mrtd/OVMF.fd", &n);
    uint8_t *quote = load(REF "tdx/T02_cmc_ovmf_mrtd/quote.bin", &qn);
    cr_assert_gt(qn, TD_QUOTE_MRTD + 48);
    uint8_t single[48], two[48];
    cr_assert_eq(attest_measure_tdx(single, img, n, ATTEST_TDX_ORDER_SINGLE_PASS), ATTEST_OK,
                 "%s", attest_error_last());
    expect_bytes(single, quote + TD_QUOTE_MRTD, 48, "T02 single pass = signed quote MRTD");
    cr_assert_eq(attest_measure_tdx(two, img, n, ATTEST_TDX_ORDER_TWO_PASS), ATTEST_OK);
    expect_hex(two, "74f1308474541bd175f93a70c8c2ed51022d3f14dfa5460b8fc092a07e047998"
                    "dfdbb5b7aca626787c0cda45ea35146f", "T02 two pass = MANIFEST's other value");
    cr_expect(memcmp(two, quote + TD_QUOTE_MRTD, 48), "two pass must not match this quote");
    cr_expect_eq(attest_measure_tdx(two, img, n, 2), ATTEST_E_INVALID_ARG, "unknown order");
    free(img);
    free(quote);
}

/* T04's image is not in the vectors (dstack downloads it): its MRTD cannot
 * be recomputed. What it does show is which order QEMU 8.2.2 used: the
 * signed quote's MRTD is dstack's two-pass value, not its single-pass one. */
Test(measure, tdx_t04_quote_mrtd_is_the_two_pass_value)
{
    size_t cn, qn;
    uint8_t *cbor = load(REF "tdx/T04_dstack_tdx_lite/measurement.tdx.cbor", &cn);
    uint8_t *quote = load(REF "tdx/T04_dstack_tdx_lite/quote.bin", &qn);
    const char *keys[2] = {"two_passX0", "single_passX0"}; /* text key, bytes(48) */
    const uint8_t *at[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        size_t kl = strlen(keys[k]);
        for (size_t i = 0; i + kl + 48 <= cn && !at[k]; i++)
            if (!memcmp(cbor + i, keys[k], kl))
                at[k] = cbor + i + kl;
        cr_assert(at[k], "T04 CBOR lacks %s", keys[k]);
    }
    expect_bytes(quote + TD_QUOTE_MRTD, at[0], 48, "T04 (QEMU 8.2.2) MRTD = two pass");
    cr_expect(memcmp(quote + TD_QUOTE_MRTD, at[1], 48), "T04 MRTD = single pass?");
    free(cbor);
    free(quote);
}

/* ---- SEV-SNP launch digest: real vectors ---------------------------------- */

static attest_snp_launch *launch_from_image(const uint8_t *img, size_t n)
{
    attest_snp_launch *l = NULL;
    cr_assert_eq(attest_snp_launch_new(&l), ATTEST_OK);
    cr_assert_eq(attest_snp_launch_set_ovmf(l, img, n), ATTEST_OK, "%s", attest_error_last());
    return l;
}

static void measure_ok(const attest_snp_launch *l, uint8_t d[48])
{
    cr_assert_eq(attest_measure_snp(d, l), ATTEST_OK, "%s", attest_error_last());
}

/* S01: the parameters dstack stored next to a signed Milan report. */
static attest_snp_launch *launch_s01(bool swap_last_two)
{
    size_t n;
    uint8_t *js = load(REF "snp/S01_dstack_milan/sev_snp_measurement.json", &n);
    json_t *j = json_loadb((const char *)js, n, 0, NULL);
    cr_assert(j);
    attest_snp_launch *l = NULL;
    cr_assert_eq(attest_snp_launch_new(&l), ATTEST_OK);
    uint8_t h[48], k[32], i[32];
    cr_assert_eq(attest_hex_decode(h, 48, json_string_value(json_object_get(j, "ovmf_hash"))), 0);
    cr_assert_eq(attest_snp_launch_set_ovmf_hash(l, h), ATTEST_OK);
    json_t *secs = json_object_get(j, "ovmf_sections");
    size_t count = json_array_size(secs);
    cr_assert_geq(count, 2);
    for (size_t idx = 0; idx < count; idx++) {
        size_t at = swap_last_two && idx >= count - 2 ? 2 * count - 3 - idx : idx;
        json_t *s = json_array_get(secs, at);
        cr_assert_eq(attest_snp_launch_add_section(
                         l, (uint32_t)json_integer_value(json_object_get(s, "gpa")),
                         (uint32_t)json_integer_value(json_object_get(s, "size")),
                         (uint32_t)json_integer_value(json_object_get(s, "section_type"))),
                     ATTEST_OK, "%s", attest_error_last());
    }
    attest_snp_launch_set_reset_eip(l, (uint32_t)json_integer_value(json_object_get(j, "sev_es_reset_eip")));
    attest_snp_launch_set_hashes_table_gpa(
        l, (uint32_t)json_integer_value(json_object_get(j, "sev_hashes_table_gpa")));
    sha256_hex(k, json_string_value(json_object_get(j, "kernel_hash")));
    sha256_hex(i, json_string_value(json_object_get(j, "initrd_hash")));
    cr_assert_eq(attest_snp_launch_set_kernel(
                     l, k, i, json_string_value(json_object_get(j, "base_cmdline"))), ATTEST_OK);
    cr_assert_eq(attest_snp_launch_set_vcpus(l, (unsigned)json_integer_value(json_object_get(j, "vcpus"))), ATTEST_OK);
    cr_assert_eq(attest_snp_launch_set_vcpu_type(l, json_string_value(json_object_get(j, "vcpu_type"))), ATTEST_OK);
    cr_assert_eq(attest_snp_launch_set_guest_features(
                     l, (uint64_t)json_integer_value(json_object_get(j, "guest_features"))), ATTEST_OK);
    json_decref(j);
    free(js);
    return l;
}

Test(measure, snp_s01_is_the_signed_report_measurement)
{
    size_t rn;
    uint8_t *report = load(REF "snp/S01_dstack_milan/report.bin", &rn);
    cr_assert_geq(rn, SNP_REPORT_MEASUREMENT + 48);
    attest_snp_launch *l = launch_s01(false);
    uint8_t d[48];
    measure_ok(l, d);
    expect_bytes(d, report + SNP_REPORT_MEASUREMENT, 48, "S01 = report MEASUREMENT");
    attest_snp_launch_free(l);
    /* The sections count in the image's order: swapping the last two (the
     * order edk2-stable202405 lists them in) is another launch. */
    l = launch_s01(true);
    measure_ok(l, d);
    cr_expect(memcmp(d, report + SNP_REPORT_MEASUREMENT, 48),
              "S01 with KERNEL_HASHES and SEC_MEM swapped still matches");
    attest_snp_launch_free(l);
    free(report);
}

static const uint8_t EMPTY_SHA256[32] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};

/* virtee/sev-snp-measure tests/test_guest.py (MANIFEST section 3). */
static const struct s02 {
    const char *ovmf;
    unsigned vcpus;
    const char *cmdline; /* NULL: no kernel; kernel and initrd are empty files */
    uint64_t features;
    int vmm;
    const char *digest;
} S02[] = {
    {"AmdSev", 1, "console=ttyS0 loglevel=7", 0x21, ATTEST_VMM_QEMU, "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977"},
    {"AmdSev", 1, "console=ttyS0 loglevel=7", 0x1, ATTEST_VMM_QEMU, "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa"},
    {"AmdSev", 1, "", 0x21, ATTEST_VMM_QEMU, "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef198"},
    {"AmdSev", 4, "", 0x21, ATTEST_VMM_QEMU, "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631942"},
    {"AmdSev", 4, "", 0x1, ATTEST_VMM_QEMU, "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5"},
    {"AmdSev", 1, NULL, 0x21, ATTEST_VMM_QEMU, "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0e2b"},
    {"AmdSev", 1, NULL, 0x1, ATTEST_VMM_QEMU, "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d"},
    {"AmdSev", 1, "", 0x21, ATTEST_VMM_EC2, "0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d67fb"},
    {"AmdSev", 1, "", 0x1, ATTEST_VMM_EC2, "0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056"},
    {"AmdSev", 1, "", 0x1, ATTEST_VMM_GCE, "5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed4397ea5d5d0722e"},
    {"AmdSev", 4, "", 0x1, ATTEST_VMM_GCE, "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d"},
    {"OvmfX64", 1, NULL, 0x21, ATTEST_VMM_QEMU, "28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c385"},
    {"OvmfX64", 1, NULL, 0x1, ATTEST_VMM_QEMU, "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4005"},
};

Test(measure, snp_s02_sev_snp_measure_vectors)
{
    for (size_t v = 0; v < sizeof(S02) / sizeof(S02[0]); v++) {
        char rel[128];
        snprintf(rel, sizeof rel, REF "snp/S02_sevsnpmeasure_suffix/ovmf_%s_suffix.bin",
                 S02[v].ovmf);
        size_t n;
        uint8_t *img = load(rel, &n);
        attest_snp_launch *l = launch_from_image(img, n);
        cr_assert_eq(attest_snp_launch_set_vcpus(l, S02[v].vcpus), ATTEST_OK);
        if (S02[v].vmm == ATTEST_VMM_QEMU)
            cr_assert_eq(attest_snp_launch_set_vcpu_type(l, "EPYC-v4"), ATTEST_OK);
        cr_assert_eq(attest_snp_launch_set_vmm(l, S02[v].vmm), ATTEST_OK);
        cr_assert_eq(attest_snp_launch_set_guest_features(l, S02[v].features), ATTEST_OK);
        if (S02[v].cmdline)
            cr_assert_eq(attest_snp_launch_set_kernel(l, EMPTY_SHA256, EMPTY_SHA256,
                                                      S02[v].cmdline), ATTEST_OK);
        uint8_t d[48];
        measure_ok(l, d);
        char what[64];
        snprintf(what, sizeof what, "S02 vector %zu", v);
        expect_hex(d, S02[v].digest, what);
        attest_snp_launch_free(l);
        free(img);
    }
}

/* S03: COCONUT-SVSM, virtee/sev-snp-measure tests (MANIFEST row S03). */
#define S03 REF "snp/S03_sevsnpmeasure_svsm/"
#define S03_VARS 540672u

static void measure_s03(unsigned vcpus, uint64_t vars, uint8_t d[48])
{
    size_t on, sn;
    uint8_t *ovmf = load(S03 "svsm_ovmf.fd", &on), *svsm = load(S03 "svsm.bin", &sn);
    attest_snp_launch *l = launch_from_image(ovmf, on);
    cr_assert_eq(attest_snp_launch_set_svsm(l, svsm, sn, vars), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert_eq(attest_snp_launch_set_vcpus(l, vcpus), ATTEST_OK);
    cr_assert_eq(attest_snp_launch_set_vcpu_type(l, "EPYC-v4"), ATTEST_OK);
    cr_assert_eq(attest_snp_launch_set_guest_features(l, 0x1), ATTEST_OK);
    measure_ok(l, d);
    attest_snp_launch_free(l);
    free(ovmf);
    free(svsm);
}

Test(measure, snp_s03_svsm_vectors)
{
    uint8_t d[48];
    measure_s03(2, S03_VARS, d);
    expect_hex(d, "9b94745036aafddf4f7f8b00c7513abb5b7703178cb95aaa57928bd963d68d3bfcb715d6019b9167ee2517b11b0d9be7", "S03 2 vCPUs");
    measure_s03(4, S03_VARS, d);
    expect_hex(d, "27d154c27b7b359c935e250ec6fee72aa0ae8c1225e3b0e1cf46a9567e938066d7d6f94bbdc4a857818bdb79277a44b2", "S03 4 vCPUs");
}

/* The variable store's size places the SVSM: another size, another launch. */
Test(measure, snp_s03_wrong_vars_size_changes_the_digest)
{
    uint8_t right[48], wrong[48];
    measure_s03(2, S03_VARS, right);
    measure_s03(2, S03_VARS + 4096, wrong);
    cr_expect(memcmp(right, wrong, 48), "vars size does not enter the digest");
}

/* An image without the SVSM information entry (an OVMF) is no SVSM. */
Test(measure, snp_svsm_without_info_refused)
{
    static uint8_t img[OVMFGEN_SIZE];
    ovmfgen_build(img, 0);
    attest_snp_launch *l;
    cr_assert_eq(attest_snp_launch_new(&l), ATTEST_OK);
    cr_expect_eq(attest_snp_launch_set_svsm(l, img, sizeof img, S03_VARS),
                 ATTEST_E_MEASURE_NO_METADATA, "%s", attest_error_last());
    cr_expect(strstr(attest_error_last(), "svsm.info"), "%s", attest_error_last());
    cr_expect_eq(attest_snp_launch_set_svsm(l, img, sizeof img, 1000),
                 ATTEST_E_MEASURE_IMAGE_SIZE, "vars size not whole pages");
    attest_snp_launch_free(l);
}

/* The peer's negative: OvmfX64 has no SNP_KERNEL_HASHES section, so a
 * kernel given to it would boot unmeasured. */
Test(measure, snp_s02_kernel_without_hashes_section_refused)
{
    size_t n;
    uint8_t *img = load(REF "snp/S02_sevsnpmeasure_suffix/ovmf_OvmfX64_suffix.bin", &n);
    attest_snp_launch *l = launch_from_image(img, n);
    attest_snp_launch_set_vcpus(l, 1);
    attest_snp_launch_set_vcpu_type(l, "EPYC-v4");
    cr_assert_eq(attest_snp_launch_set_kernel(l, EMPTY_SHA256, EMPTY_SHA256, ""), ATTEST_OK);
    uint8_t d[48];
    cr_expect_eq(attest_measure_snp(d, l), ATTEST_E_MEASURE_KERNEL_HASHES, "%s",
                 attest_error_last());
    attest_snp_launch_free(l);
    free(img);
}

/* S04: sev-snp-measure-go's EC2 metadata JSON (OVMF hash + sections). It
 * reproduces only with the EC2 VMSA RDX of 0 (ATTEST_VMM_EC2_RDX0); RDX
 * 0x600, today's sev-snp-measure, gives another digest (docs/measure.md). */
static void launch_s04(const char *file, int vmm, uint8_t d[48])
{
    size_t n;
    uint8_t *js = load(file, &n);
    json_t *j = json_loadb((const char *)js, n, 0, NULL);
    cr_assert(j);
    attest_snp_launch *l = NULL;
    cr_assert_eq(attest_snp_launch_new(&l), ATTEST_OK);
    uint8_t h[48];
    cr_assert_eq(attest_hex_decode(h, 48, json_string_value(json_object_get(j, "OVMFHash"))), 0);
    attest_snp_launch_set_ovmf_hash(l, h);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(j, "MetadataItems"), i, s)
        cr_assert_eq(attest_snp_launch_add_section(
                         l, (uint32_t)strtoul(json_string_value(json_object_get(s, "GPA")), NULL, 16),
                         (uint32_t)strtoul(json_string_value(json_object_get(s, "Size")), NULL, 16),
                         (uint32_t)json_integer_value(json_object_get(s, "SectionTypeInt"))),
                     ATTEST_OK, "%s", attest_error_last());
    attest_snp_launch_set_reset_eip(
        l, (uint32_t)strtoul(json_string_value(json_object_get(j, "ResetEIP")), NULL, 16));
    attest_snp_launch_set_vcpus(l, 2);
    cr_assert_eq(attest_snp_launch_set_vmm(l, vmm), ATTEST_OK);
    measure_ok(l, d);
    attest_snp_launch_free(l);
    json_decref(j);
    free(js);
}

Test(measure, snp_s04_ec2_metadata_json)
{
    uint8_t d[48], d600[48];
    launch_s04(REF "snp/S04_snpmeasurego_ec2/ovmf_img_1.json", ATTEST_VMM_EC2_RDX0, d);
    expect_hex_ends(d, "4c6e3308", "59303", "S04 img1 (EC2, RDX 0)");
    launch_s04(REF "snp/S04_snpmeasurego_ec2/ovmf_img_1.json", ATTEST_VMM_EC2, d600);
    cr_expect(memcmp(d, d600, 48), "EC2 RDX 0 and 0x600 give the same digest");
    launch_s04(REF "snp/S04_snpmeasurego_ec2/ovmf_img_2.json", ATTEST_VMM_EC2_RDX0, d);
    expect_hex_ends(d, "c2c84b93", "0a84e", "S04 img2 (EC2, RDX 0)");
}

/* ---- each launch input enters the digest ---------------------------------- */

static attest_snp_launch *synthetic_launch(int flags)
{
    static uint8_t img[OVMFGEN_SIZE];
    ovmfgen_build(img, flags);
    attest_snp_launch *l = launch_from_image(img, sizeof img);
    cr_assert_eq(attest_snp_launch_set_vcpus(l, 2), ATTEST_OK);
    cr_assert_eq(attest_snp_launch_set_vcpu_type(l, "EPYC-Milan"), ATTEST_OK);
    return l;
}

Test(measure, snp_each_input_changes_the_digest)
{
    attest_snp_launch *l = synthetic_launch(0);
    uint8_t base[48], d[48];
    measure_ok(l, base);
    cr_assert_eq(attest_snp_launch_set_vcpus(l, 3), ATTEST_OK);
    measure_ok(l, d);
    cr_expect(memcmp(base, d, 48), "3 vCPUs measured as 2: the vCPU count is not measured");
    attest_snp_launch_set_vcpus(l, 2);
    cr_assert_eq(attest_snp_launch_set_vcpu_type(l, "EPYC-Genoa"), ATTEST_OK);
    measure_ok(l, d);
    cr_expect(memcmp(base, d, 48), "Genoa measured as Milan: the vCPU type is not measured");
    attest_snp_launch_set_vcpu_type(l, "EPYC-Milan");
    cr_assert_eq(attest_snp_launch_set_guest_features(l, 0x21), ATTEST_OK);
    measure_ok(l, d);
    cr_expect(memcmp(base, d, 48), "features 0x21 measured as 0x1");
    attest_snp_launch_set_guest_features(l, 0x1);
    measure_ok(l, d);
    expect_bytes(d, base, 48, "back to the first inputs");
    attest_snp_launch_free(l);

    /* Another VMM: EC2 and GCE fix RDX, so no vCPU type is given. */
    int vmms[3] = {ATTEST_VMM_EC2, ATTEST_VMM_GCE, ATTEST_VMM_EC2_RDX0};
    uint8_t seen[3][48];
    for (int v = 0; v < 3; v++) {
        static uint8_t img[OVMFGEN_SIZE];
        ovmfgen_build(img, 0);
        l = launch_from_image(img, sizeof img);
        attest_snp_launch_set_vcpus(l, 2);
        cr_assert_eq(attest_snp_launch_set_vmm(l, vmms[v]), ATTEST_OK);
        measure_ok(l, seen[v]);
        cr_expect(memcmp(base, seen[v], 48), "VMM %d measured as QEMU", vmms[v]);
        for (int w = 0; w < v; w++)
            cr_expect(memcmp(seen[w], seen[v], 48), "VMM %d measured as VMM %d", vmms[v],
                      vmms[w]);
        attest_snp_launch_free(l);
    }
}

Test(measure, snp_kernel_and_cmdline_change_the_digest)
{
    attest_snp_launch *l = synthetic_launch(0);
    uint8_t none[48], a[48], b[48], k2[32];
    measure_ok(l, none);
    cr_assert_eq(attest_snp_launch_set_kernel(l, EMPTY_SHA256, EMPTY_SHA256, "quiet"), ATTEST_OK);
    measure_ok(l, a);
    cr_assert_eq(attest_snp_launch_set_kernel(l, EMPTY_SHA256, EMPTY_SHA256, "quiet "), ATTEST_OK);
    measure_ok(l, b);
    cr_expect(memcmp(none, a, 48) && memcmp(a, b, 48), "cmdline not measured");
    memcpy(k2, EMPTY_SHA256, 32);
    k2[31] ^= 1;
    attest_snp_launch_set_kernel(l, k2, EMPTY_SHA256, "quiet");
    measure_ok(l, b);
    cr_expect(memcmp(a, b, 48), "kernel hash not measured");
    attest_snp_launch_set_kernel(l, EMPTY_SHA256, k2, "quiet");
    measure_ok(l, b);
    cr_expect(memcmp(a, b, 48), "initrd hash not measured");
    attest_snp_launch_free(l);
}

Test(measure, tdx_content_and_order_change_mrtd)
{
    static uint8_t img[OVMFGEN_SIZE];
    ovmfgen_build(img, 0);
    uint8_t a[48], b[48], c[48];
    cr_assert_eq(attest_measure_tdx(a, img, sizeof img, ATTEST_TDX_ORDER_SINGLE_PASS),
                 ATTEST_OK, "%s", attest_error_last());
    cr_assert_eq(attest_measure_tdx(b, img, sizeof img, ATTEST_TDX_ORDER_TWO_PASS), ATTEST_OK);
    cr_expect(memcmp(a, b, 48), "page order not measured");
    img[0x1234] ^= 1; /* inside the MR.EXTEND section */
    cr_assert_eq(attest_measure_tdx(c, img, sizeof img, ATTEST_TDX_ORDER_SINGLE_PASS), ATTEST_OK);
    cr_expect(memcmp(a, c, 48), "code byte not measured");
    img[0x1234] ^= 1;
    img[0x3100] ^= 1; /* outside every section: not part of the TD */
    cr_assert_eq(attest_measure_tdx(c, img, sizeof img, ATTEST_TDX_ORDER_SINGLE_PASS), ATTEST_OK);
    expect_bytes(c, a, 48, "a byte outside the sections");
}

/* ---- refusals, each with its own code ------------------------------------- */

static void expect_tdx_refused(const uint8_t *img, size_t n, int status, const char *field,
                               const char *what)
{
    uint8_t d[48];
    int st = attest_measure_tdx(d, img, n, ATTEST_TDX_ORDER_SINGLE_PASS);
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    cr_expect(strstr(attest_error_last(), field), "%s: '%s' does not name %s", what,
              attest_error_last(), field);
}

static void expect_snp_image_refused(const uint8_t *img, size_t n, int status, const char *what)
{
    attest_snp_launch *l = NULL;
    cr_assert_eq(attest_snp_launch_new(&l), ATTEST_OK);
    int st = attest_snp_launch_set_ovmf(l, img, n);
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    attest_snp_launch_free(l);
}

Test(measure, image_truncated_refused)
{
    static uint8_t img[OVMFGEN_SIZE];
    ovmfgen_build(img, 0);
    expect_tdx_refused(img, sizeof img - 100, ATTEST_E_MEASURE_IMAGE_SIZE, "ovmf.size",
                       "image cut inside its last page");
    expect_tdx_refused(img, 0, ATTEST_E_MEASURE_IMAGE_SIZE, "ovmf.size", "empty image");
    expect_snp_image_refused(img, sizeof img - 1, ATTEST_E_MEASURE_IMAGE_SIZE, "SNP, cut image");
}

Test(measure, image_without_metadata_refused)
{
    static uint8_t img[OVMFGEN_SIZE];
    ovmfgen_layout g = ovmfgen_build(img, 0);
    img[g.footer + 2] ^= 0xFF; /* no footer GUID: no table at all */
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_NO_METADATA, "ovmf.footer", "no table");
    expect_snp_image_refused(img, sizeof img, ATTEST_E_MEASURE_NO_METADATA, "SNP, no table");
    ovmfgen_build(img, OVMFGEN_NO_TDVF);
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_NO_METADATA, "ovmf.tdvf",
                       "SEV-only image for TDX");
    ovmfgen_build(img, OVMFGEN_NO_SEV);
    expect_snp_image_refused(img, sizeof img, ATTEST_E_MEASURE_NO_METADATA, "TDX-only image for SNP");
}

Test(measure, section_out_of_image_refused)
{
    static uint8_t img[OVMFGEN_SIZE];
    ovmfgen_layout g = ovmfgen_build(img, 0);
    ovmfgen_le(img + g.tdvf + 16 + 4, 0x4000, 4); /* BFV raw size: data runs past the end */
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_SECTION_BOUNDS, "tdvf.section[0].data",
                       "section data past the image end");
    ovmfgen_build(img, 0);
    ovmfgen_le(img + g.tdvf + 16, 0x3001, 4); /* BFV data offset */
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_SECTION_BOUNDS, "tdvf.section[0].data",
                       "section data offset past the image end");
    ovmfgen_build(img, 0);
    ovmfgen_le(img + g.tdvf + 16 + 32 + 16, 0x200000000ull, 8); /* TempMem 8 GiB */
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_SECTION_BOUNDS, "tdvf.section[1]",
                       "more pages than 4 GiB");
    ovmfgen_build(img, 0);
    ovmfgen_le(img + g.tdvf + 16 + 16, 128u << 20, 8); /* BFV: 128 MiB extended */
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_SECTION_BOUNDS, "extend more than",
                       "more extended memory than an image can hold");
    /* The descriptor offset from the end points before the image. */
    ovmfgen_build(img, 0);
    size_t entry = g.footer - 18 - 4; /* the TDVF entry is the first below the footer */
    ovmfgen_le(img + entry, OVMFGEN_SIZE + 0x1000, 4);
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_SECTION_BOUNDS, "tdvf.offset",
                       "descriptor before the image start");
    ovmfgen_build(img, 0);
    ovmfgen_le(img + g.sev + 16 + 12 * 3, 0xFFFFF000u, 4); /* KERNEL_HASHES gpa */
    ovmfgen_le(img + g.sev + 16 + 12 * 3 + 4, 0x2000, 4);
    expect_snp_image_refused(img, sizeof img, ATTEST_E_MEASURE_SECTION_BOUNDS,
                             "SEV section past 4 GiB");
}

Test(measure, metadata_malformed_refused)
{
    static uint8_t img[OVMFGEN_SIZE];
    ovmfgen_layout g = ovmfgen_build(img, 0);
    img[g.tdvf] = 'X';
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_METADATA, "tdvf.signature",
                       "TDVF signature");
    ovmfgen_build(img, 0);
    ovmfgen_le(img + g.tdvf + 12, 65, 4);
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_METADATA, "tdvf.count", "65 sections");
    ovmfgen_build(img, 0);
    ovmfgen_le(img + g.sev + 16 + 8, 7, 4); /* first SEV section type */
    expect_snp_image_refused(img, sizeof img, ATTEST_E_MEASURE_METADATA, "SEV section type 7");
    ovmfgen_build(img, 0);
    ovmfgen_le(img + g.footer, 0xFFFF, 2);
    expect_tdx_refused(img, sizeof img, ATTEST_E_MEASURE_METADATA, "ovmf.footer.length",
                       "table longer than the image");
}

Test(measure, snp_inputs_refused)
{
    attest_snp_launch *l = NULL;
    uint8_t d[48];
    cr_assert_eq(attest_snp_launch_new(&l), ATTEST_OK);
    attest_snp_launch_set_vcpus(l, 1);
    attest_snp_launch_set_vcpu_type(l, "EPYC-v4");
    cr_expect_eq(attest_measure_snp(d, l), ATTEST_E_MEASURE_INPUT_MISSING, "no firmware");
    attest_snp_launch_free(l);

    l = synthetic_launch(0);
    cr_expect_eq(attest_snp_launch_set_vcpus(l, 0), ATTEST_E_MEASURE_VCPUS);
    cr_expect_eq(attest_snp_launch_set_vcpus(l, 1025), ATTEST_E_MEASURE_VCPUS);
    cr_expect_eq(attest_snp_launch_set_vcpu_type(l, "EPYC-Zen9"), ATTEST_E_MEASURE_VCPU_TYPE);
    cr_expect_eq(attest_snp_launch_set_vcpu_family(l, 0x10, 2, 0), ATTEST_E_MEASURE_VCPU_TYPE);
    cr_expect_eq(attest_snp_launch_set_vmm(l, 4), ATTEST_E_MEASURE_VMM);
    cr_expect_eq(attest_snp_launch_set_vmm(l, -1), ATTEST_E_MEASURE_VMM);
    cr_expect_eq(attest_snp_launch_set_guest_features(l, 0x20), ATTEST_E_MEASURE_GUEST_FEATURES);
    cr_expect_eq(attest_snp_launch_add_section(l, 0x800000, 0x1000, 9), ATTEST_E_MEASURE_METADATA);
    cr_expect_eq(attest_snp_launch_add_section(l, 0x800100, 0x1000, 1), ATTEST_E_MEASURE_METADATA);
    measure_ok(l, d); /* the refused values changed nothing */
    for (uint32_t i = 0; i < 17; i++) /* 17 x 4 MiB of zero pages: past 64 MiB */
        cr_assert_eq(attest_snp_launch_add_section(l, 0x1000000 + i * 0x400000, 0x400000, 1),
                     ATTEST_OK);
    cr_expect_eq(attest_measure_snp(d, l), ATTEST_E_MEASURE_SECTION_BOUNDS,
                 "sections over 64 MiB: %s", attest_error_last());
    attest_snp_launch_free(l);
    l = synthetic_launch(0);
    cr_assert_eq(attest_snp_launch_set_vmm(l, ATTEST_VMM_GCE), ATTEST_OK);
    cr_expect_eq(attest_measure_snp(d, l), ATTEST_E_MEASURE_VCPU_TYPE,
                 "a vCPU type GCE does not measure must be refused, not ignored");
    attest_snp_launch_free(l);

    l = synthetic_launch(OVMFGEN_NO_KERNEL_HASHES);
    cr_assert_eq(attest_snp_launch_set_kernel(l, EMPTY_SHA256, EMPTY_SHA256, ""), ATTEST_OK);
    cr_expect_eq(attest_measure_snp(d, l), ATTEST_E_MEASURE_KERNEL_HASHES, "%s",
                 attest_error_last());
    attest_snp_launch_free(l);

    l = synthetic_launch(0);
    attest_snp_launch_set_hashes_table_gpa(l, 0x810C00); /* outside the 0x80F000 page */
    attest_snp_launch_set_kernel(l, EMPTY_SHA256, EMPTY_SHA256, "");
    cr_expect_eq(attest_measure_snp(d, l), ATTEST_E_MEASURE_KERNEL_HASHES, "%s",
                 attest_error_last());
    attest_snp_launch_free(l);
}

Test(measure, vcpu_signatures)
{
    /* Each named type measures as its family, model and stepping (the table
     * of the research note, decoded from the CPUID signatures). */
    static const struct { const char *name; uint32_t sig; } t[] = {
        {"EPYC-v4", 0x00800F12}, {"EPYC-Rome", 0x00830F10}, {"EPYC-Milan", 0x00A00F11},
        {"EPYC-Genoa", 0x00A10F10}, {"EPYC-Turin", 0x00B00F00},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        attest_snp_launch *a = synthetic_launch(0), *b = synthetic_launch(0);
        cr_assert_eq(attest_snp_launch_set_vcpu_type(a, t[i].name), ATTEST_OK);
        unsigned fam = 0xF + ((t[i].sig >> 20) & 0xFF);
        unsigned model = ((t[i].sig >> 12) & 0xF0) | ((t[i].sig >> 4) & 0xF);
        cr_assert_eq(attest_snp_launch_set_vcpu_family(b, fam, model, t[i].sig & 0xF), ATTEST_OK);
        uint8_t da[48], db[48];
        measure_ok(a, da);
        measure_ok(b, db);
        expect_bytes(da, db, 48, t[i].name);
        attest_snp_launch_free(a);
        attest_snp_launch_free(b);
    }
}
