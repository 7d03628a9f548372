/* attest_classify: each kind from the generated test PKI and generators,
 * the rules at the edges (collateral is decided first; detection, not
 * verification), and agreement with attest_collateral_add and
 * attest_evidence_parse on every file of the test PKI and, when ../shared
 * is present, of the real vectors. */
#include "testutil.h"
#include "dcapgen.h"
#include "snpgen.h"

#include <dirent.h>
#include <openssl/pem.h>
#include <sys/stat.h>

static attest_item_kind kind_of(const uint8_t *data, size_t len)
{
    attest_item_kind kind = (attest_item_kind)-1;
    cr_assert_eq(attest_classify(&kind, data, len), ATTEST_OK, "%s", attest_error_last());
    return kind;
}

static void expect_kind(const char *what, const uint8_t *data, size_t len, attest_item_kind want)
{
    attest_item_kind got = kind_of(data, len);
    cr_expect_eq(got, want, "%s: %s, want %s", what, attest_item_kind_name(got),
                 attest_item_kind_name(want));
}

static void expect_file(const char *path, attest_item_kind want)
{
    size_t len;
    uint8_t *data = tu_read(path, &len);
    cr_assert(data, "cannot read %s", path);
    expect_kind(path, data, len, want);
    free(data);
}

static void expect_pki_file(const char *rel, attest_item_kind want)
{
    char path[512];
    expect_file(tu_pki(path, sizeof path, rel), want);
}

static void expect_shared_file(const char *rel, attest_item_kind want)
{
    char path[512];
    expect_file(tu_shared(path, sizeof path, rel), want);
}

/* ---- synthetic items ------------------------------------------------------ */

Test(classify, collateral_of_the_test_pki)
{
    expect_pki_file("milan/vcek.pem", ATTEST_ITEM_CERTIFICATES);
    expect_pki_file("milan/chain.pem", ATTEST_ITEM_CERTIFICATES);
    expect_pki_file("milan/crl.der", ATTEST_ITEM_CRL);
    expect_pki_file("intel/pck_crl.der", ATTEST_ITEM_CRL);
    expect_pki_file("intel/tcb_info_tdx.json", ATTEST_ITEM_TCB_INFO);
    expect_pki_file("intel/tcb_info_sgx.json", ATTEST_ITEM_TCB_INFO);
    expect_pki_file("intel/qe_identity_td.json", ATTEST_ITEM_QE_IDENTITY);
    expect_pki_file("intel/qe_identity_sgx.json", ATTEST_ITEM_QE_IDENTITY);
    expect_pki_file("nvidia/driver_rim.xml", ATTEST_ITEM_RIM);
    expect_pki_file("nvidia/vbios_rim.xml", ATTEST_ITEM_RIM);
    expect_pki_file("nvidia/ocsp/device_cert1.der", ATTEST_ITEM_OCSP);
    expect_pki_file("nvidia/device_cert_chain.pem", ATTEST_ITEM_CERTIFICATES);
    /* A private key is no collateral (attest_collateral_add refuses it). */
    expect_pki_file("milan/vcek.key.pem", ATTEST_ITEM_UNKNOWN);
    expect_pki_file("milan/anchor.sha256", ATTEST_ITEM_UNKNOWN);
}

/* The DER of the first certificate or CRL of a PEM file of the test PKI. */
static uint8_t *der_of(const char *rel, bool crl, size_t *len)
{
    char path[512];
    FILE *f = fopen(tu_pki(path, sizeof path, rel), "r");
    cr_assert(f, "cannot read %s", path);
    uint8_t *der = NULL;
    int n;
    if (crl) {
        X509_CRL *c = PEM_read_X509_CRL(f, NULL, NULL, NULL);
        n = c ? i2d_X509_CRL(c, &der) : -1;
        X509_CRL_free(c);
    } else {
        X509 *c = PEM_read_X509(f, NULL, NULL, NULL);
        n = c ? i2d_X509(c, &der) : -1;
        X509_free(c);
    }
    fclose(f);
    cr_assert_gt(n, 0, "%s holds no %s", path, crl ? "CRL" : "certificate");
    *len = (size_t)n;
    return der;
}

/* PEM text of `der` under `name`, after `lead` (text PEM readers skip). */
static char *pem_of(const char *lead, const char *name, const uint8_t *der, size_t len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    cr_assert(bio);
    BIO_puts(bio, lead);
    cr_assert(PEM_write_bio(bio, name, "", der, (long)len));
    char *text;
    long n = BIO_get_mem_data(bio, &text);
    char *copy = strndup(text, (size_t)n);
    BIO_free(bio);
    return copy;
}

Test(classify, der_and_pem_forms)
{
    size_t cert_len, crl_len;
    uint8_t *cert = der_of("milan/vcek.pem", false, &cert_len);
    char crl_path[512];
    uint8_t *crl = tu_read(tu_pki(crl_path, sizeof crl_path, "milan/crl.der"), &crl_len);
    expect_kind("DER certificate", cert, cert_len, ATTEST_ITEM_CERTIFICATES);
    expect_kind("DER certificate, one byte short", cert, cert_len - 1, ATTEST_ITEM_UNKNOWN);
    char *crl_pem = pem_of("", "X509 CRL", crl, crl_len);
    expect_kind("PEM CRL", (uint8_t *)crl_pem, strlen(crl_pem), ATTEST_ITEM_CRL);
    char *cert_pem = pem_of(crl_pem, "CERTIFICATE", cert, cert_len);
    expect_kind("PEM CRL and certificate", (uint8_t *)cert_pem, strlen(cert_pem),
                ATTEST_ITEM_CERTIFICATES);
    char *with_key = pem_of(cert_pem, "PRIVATE KEY", cert, cert_len);
    expect_kind("PEM with a PRIVATE KEY block", (uint8_t *)with_key, strlen(with_key),
                ATTEST_ITEM_UNKNOWN);
    char *bad_block = pem_of("", "CERTIFICATE", crl, crl_len - 1);
    expect_kind("PEM block that does not decode", (uint8_t *)bad_block, strlen(bad_block),
                ATTEST_ITEM_UNKNOWN);
    free(cert);
    free(crl);
    free(crl_pem);
    free(cert_pem);
    free(with_key);
    free(bad_block);
}

Test(classify, evidence_from_the_generators)
{
    char dir[512];
    snpgen_pki *snp = NULL;
    uint8_t report[SNPGEN_REPORT_SIZE];
    cr_assert_eq(snpgen_pki_load(&snp, tu_pki(dir, sizeof dir, "milan")), 0);
    cr_assert_eq(snpgen_report_init(report, snp, 3), 0);
    cr_assert_eq(snpgen_report_sign(report, snp->vcek_key), 0);
    expect_kind("SNP report", report, sizeof report, ATTEST_ITEM_EVIDENCE_SNP);
    dcapgen_pki *intel = NULL;
    dcapgen_quote_desc d;
    uint8_t *quote = NULL;
    size_t quote_len;
    cr_assert_eq(dcapgen_pki_load(&intel, tu_pki(dir, sizeof dir, "intel")), 0);
    for (int tdx = 0; tdx <= 1; tdx++) {
        cr_assert_eq(dcapgen_quote_desc_init(&d, intel, tdx, 0, 0), 0);
        cr_assert_eq(dcapgen_quote_build(&quote, &quote_len, NULL, &d), 0);
        expect_kind(tdx ? "TDX quote" : "SGX quote", quote, quote_len, ATTEST_ITEM_EVIDENCE_DCAP);
        free(quote);
    }
    expect_pki_file("nvidia/report.bin", ATTEST_ITEM_EVIDENCE_NVIDIA);
    expect_pki_file("nvidia/evidence.json", ATTEST_ITEM_EVIDENCE_NVIDIA);
    expect_pki_file("nvidia-switch/evidence.json", ATTEST_ITEM_EVIDENCE_NVIDIA);
    /* A bundle of the report and its collateral. */
    size_t chain_len, vcek_len;
    uint8_t *chain = tu_read(tu_pki(dir, sizeof dir, "milan/chain.pem"), &chain_len);
    uint8_t *vcek = tu_read(tu_pki(dir, sizeof dir, "milan/vcek.pem"), &vcek_len);
    const uint8_t *items[] = {report, vcek, chain};
    const size_t lens[] = {sizeof report, vcek_len, chain_len};
    char *bundle = NULL;
    cr_assert_eq(attest_bundle_create(&bundle, items, lens, 3, NULL, 0), ATTEST_OK, "%s",
                 attest_error_last());
    expect_kind("bundle", (const uint8_t *)bundle, strlen(bundle), ATTEST_ITEM_BUNDLE);
    attest_string_free(bundle);
    free(chain);
    free(vcek);
    dcapgen_pki_free(intel);
    snpgen_pki_free(snp);
}

/* ---- the rules at the edges ----------------------------------------------- */

/* Any 1184 bytes pass for an SNP report, but collateral is decided first:
 * a PEM CRL padded to that size (text before a block is ignored) is a CRL. */
Test(classify, collateral_before_the_snp_size_rule)
{
    static uint8_t zeros[1184];
    expect_kind("1184 zero bytes", zeros, sizeof zeros, ATTEST_ITEM_EVIDENCE_SNP);
    char path[512];
    size_t crl_len;
    uint8_t *crl = tu_read(tu_pki(path, sizeof path, "milan/crl.der"), &crl_len);
    char *pem = pem_of("", "X509 CRL", crl, crl_len);
    size_t n = strlen(pem);
    cr_assert_lt(n, sizeof zeros, "the test CRL's PEM is under 1184 bytes");
    char padded[1185];
    memset(padded, '#', sizeof zeros - n - 1);
    padded[sizeof zeros - n - 1] = '\n';
    memcpy(padded + sizeof zeros - n, pem, n + 1);
    expect_kind("PEM CRL of 1184 bytes", (uint8_t *)padded, sizeof zeros, ATTEST_ITEM_CRL);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    cr_expect_eq(attest_collateral_add(c, (uint8_t *)padded, sizeof zeros), ATTEST_OK, "%s",
                 attest_error_last());
    attest_collateral_free(c);
    free(pem);
    free(crl);
}

/* The decision is detection: a kind is named even when the item then fails
 * to parse as it (the parser's error names the field). */
Test(classify, detection_not_verification)
{
    uint8_t header[48] = {4, 0, 2, 0, 0x81, 0, 0, 0}; /* DCAP v4, ECDSA P-256, TDX */
    expect_kind("DCAP header alone", header, sizeof header, ATTEST_ITEM_EVIDENCE_DCAP);
    const char *tcb = "{\"tcbInfo\": {\"version\": 99}, \"signature\": \"00\"}";
    expect_kind("TCB Info of an unknown version", (const uint8_t *)tcb, strlen(tcb),
                ATTEST_ITEM_TCB_INFO);
    const char *qe = "  {\"enclaveIdentity\": {}}";
    expect_kind("empty Enclave Identity", (const uint8_t *)qe, strlen(qe),
                ATTEST_ITEM_QE_IDENTITY);
    /* A JSON document that names an NVIDIA member is detected as NVIDIA
     * evidence, as attest_evidence_parse detects it (whose container
     * parser then disowns it: ATTEST_E_FORMAT_UNKNOWN). */
    const char *nv = "{\"attestation_report\": {\"version\": 3}}";
    expect_kind("JSON naming attestation_report", (const uint8_t *)nv, strlen(nv),
                ATTEST_ITEM_EVIDENCE_NVIDIA);
    const char *bundle = "{\"attest_bundle\": 2}";
    expect_kind("bundle of another version", (const uint8_t *)bundle, strlen(bundle),
                ATTEST_ITEM_BUNDLE);
}

Test(classify, nothing_known)
{
    const char *texts[] = {"notes\n", "{\"a\": 1}", "[1, 2]", "<html></html>",
                           "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        expect_kind(texts[i], (const uint8_t *)texts[i], strlen(texts[i]), ATTEST_ITEM_UNKNOWN);
    const uint8_t junk[] = "neither evidence nor collateral"; /* with its NUL */
    expect_kind("junk", junk, sizeof junk, ATTEST_ITEM_UNKNOWN);
    expect_kind("0 bytes", junk, 0, ATTEST_ITEM_UNKNOWN);
    expect_kind("NULL, 0 bytes", NULL, 0, ATTEST_ITEM_UNKNOWN);
}

Test(classify, arguments_and_names)
{
    attest_item_kind kind;
    const uint8_t byte = 0;
    cr_expect_eq(attest_classify(NULL, &byte, 1), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_classify(&kind, NULL, 1), ATTEST_E_INVALID_ARG);
    cr_expect_str_eq(attest_item_kind_name(ATTEST_ITEM_EVIDENCE_SNP), "snp-report");
    cr_expect_str_eq(attest_item_kind_name(ATTEST_ITEM_TCB_INFO), "tcb-info");
    cr_expect_str_eq(attest_item_kind_name(ATTEST_ITEM_OCSP), "ocsp-response");
    cr_expect_str_eq(attest_item_kind_name(ATTEST_ITEM_UNKNOWN), "unknown");
    cr_expect_str_eq(attest_item_kind_name((attest_item_kind)99), "unknown");
    /* Evidence kinds are the attest_format they parse to. */
    cr_expect_eq((int)ATTEST_ITEM_EVIDENCE_SNP, (int)ATTEST_FORMAT_SNP_REPORT);
    cr_expect_eq((int)ATTEST_ITEM_EVIDENCE_DCAP, (int)ATTEST_FORMAT_DCAP_QUOTE);
    cr_expect_eq((int)ATTEST_ITEM_EVIDENCE_NVIDIA, (int)ATTEST_FORMAT_NVIDIA);
    cr_expect_eq((int)ATTEST_ITEM_BUNDLE, (int)ATTEST_FORMAT_BUNDLE);
}

/* attest_bundle_create sorts its items with the classifier: an item of a
 * known kind that does not parse as it is refused naming the item, the
 * kind and the parser's reason (the status is the one it always was). */
Test(classify, bundle_create_sorts_with_the_classifier)
{
    char dir[512];
    snpgen_pki *snp = NULL;
    uint8_t report[SNPGEN_REPORT_SIZE];
    cr_assert_eq(snpgen_pki_load(&snp, tu_pki(dir, sizeof dir, "milan")), 0);
    cr_assert_eq(snpgen_report_init(report, snp, 3), 0);
    cr_assert_eq(snpgen_report_sign(report, snp->vcek_key), 0);
    size_t chain_len;
    uint8_t *chain = tu_read(tu_pki(dir, sizeof dir, "milan/chain.pem"), &chain_len);
    const uint8_t *items[] = {chain, report};
    size_t lens[] = {chain_len, sizeof report - 8}; /* a report cut short */
    char *out = NULL;
    cr_expect_eq(attest_bundle_create(&out, items, lens, 2, NULL, 0),
                 ATTEST_E_COLLATERAL_UNKNOWN);
    cr_expect(strstr(attest_error_last(), "item 1 does not parse as snp-report: snp.report"),
              "%s", attest_error_last());
    cr_expect_null(out);
    lens[1] = sizeof report;
    cr_expect_eq(attest_bundle_create(&out, items, lens, 2, NULL, 0), ATTEST_OK, "%s",
                 attest_error_last());
    attest_string_free(out);
    free(chain);
    snpgen_pki_free(snp);
}

/* ---- agreement with the parsers, file by file ----------------------------- */

/* What attest_collateral_add and attest_evidence_parse make of `data`
 * must be what attest_classify said: collateral accepted is that
 * collateral kind, evidence parsed is its format, and an unknown item is
 * refused by both. Evidence the parser disowns after detection is only an
 * NVIDIA JSON document of no known container shape. */
static void expect_agreement(const char *path, const uint8_t *data, size_t len)
{
    attest_item_kind kind = kind_of(data, len);
    attest_collateral *c = NULL;
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    int cs = len ? attest_collateral_add(c, data, len) : ATTEST_E_INVALID_ARG;
    size_t certs = attest_collateral_cert_count(c), crls = attest_collateral_crl_count(c);
    attest_collateral_free(c);
    int es = attest_evidence_parse(&ev, data, len);
    int format = ev ? (int)attest_evidence_format(ev) : 0;
    char why[256];
    snprintf(why, sizeof why, "%s", attest_error_last());
    attest_evidence_free(ev);
    const char *name = attest_item_kind_name(kind);
    if (cs == ATTEST_OK)
        cr_expect(kind == ATTEST_ITEM_DCAP_COLLATERAL /* several kinds in one */
                      || (certs ? kind == ATTEST_ITEM_CERTIFICATES || kind == ATTEST_ITEM_THIM
                                : crls ? kind == ATTEST_ITEM_CRL
                                       : kind >= ATTEST_ITEM_TCB_INFO),
                  "%s: collateral (%zu certificates, %zu CRLs) classified %s", path, certs,
                  crls, name);
    if (es == ATTEST_OK)
        cr_expect_eq((int)kind, format, "%s: evidence of format %d classified %s", path, format,
                     name);
    if (kind == ATTEST_ITEM_UNKNOWN)
        cr_expect(cs != ATTEST_OK && es == ATTEST_E_FORMAT_UNKNOWN,
                  "%s: unknown, yet collateral %d / evidence %d", path, cs, es);
    else if (kind >= ATTEST_ITEM_CERTIFICATES)
        cr_expect_eq(cs, ATTEST_OK, "%s: classified %s, refused as collateral", path, name);
    else if (es == ATTEST_E_FORMAT_UNKNOWN)
        cr_expect(kind == ATTEST_ITEM_EVIDENCE_NVIDIA && strstr(why, "no known container shape"),
                  "%s: classified %s, disowned by its parser: %s", path, name, why);
}

/* Every regular file below `dir`; returns how many were checked. */
static size_t agree_below(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    cr_assert(d, "cannot open %s", dir);
    while ((e = readdir(d))) {
        char path[1024];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            n += agree_below(path);
        } else if (S_ISREG(st.st_mode)) {
            size_t len;
            uint8_t *data = tu_read(path, &len);
            cr_assert(data, "cannot read %s", path);
            expect_agreement(path, data, len);
            free(data);
            n++;
        }
    }
    closedir(d);
    return n;
}

Test(classify, agrees_with_the_parsers_on_the_test_pki)
{
    const char *root = getenv("ATTEST_TEST_PKI");
    cr_assert(root, "ATTEST_TEST_PKI not set: run the tests through make check");
    cr_expect_gt(agree_below(root), 100);
}

/* ---- real vectors ------------------------------------------------------------ */

Test(classify, real_items_of_each_kind)
{
    expect_shared_file("snp/sets/S14_turin_v5_oak/report.bin", ATTEST_ITEM_EVIDENCE_SNP);
    expect_shared_file("snp/negative/N04_lit_report_no_vcek/snp_report_msg_resp.bin",
                       ATTEST_ITEM_EVIDENCE_SNP);
    expect_shared_file("tdx/quotes/tdx_v4_00806F050000_automata.bin", ATTEST_ITEM_EVIDENCE_DCAP);
    expect_shared_file("tdx/quotes/sgx_v3_00606A000000_automata_quotev3.bin",
                       ATTEST_ITEM_EVIDENCE_DCAP);
    expect_shared_file("tdx/quotes/tdx_v5_90C06F000000_gotdx.bin", ATTEST_ITEM_EVIDENCE_DCAP);
    expect_shared_file("nvidia/hopper/setA_h100_550.90.07_complete/attestation_report.bin",
                       ATTEST_ITEM_EVIDENCE_NVIDIA);
    expect_shared_file("nvidia/hopper/setA_h100_550.90.07_complete/nvat_serialized_evidence.json",
                       ATTEST_ITEM_EVIDENCE_NVIDIA);
    expect_shared_file("nvidia/ppcie/ls10x4_96.10.73.00.01_switch_evidence.json",
                       ATTEST_ITEM_EVIDENCE_NVIDIA);
    expect_shared_file("snp/sets/S14_turin_v5_oak/vcek.der", ATTEST_ITEM_CERTIFICATES);
    expect_shared_file("snp/roots/kds_vcek_cert_chain_turin.pem", ATTEST_ITEM_CERTIFICATES);
    expect_shared_file("snp/crl/ark_milan_vcek_crl_number4_2023-05-09.der", ATTEST_ITEM_CRL);
    expect_shared_file("tdx/crl/pck_crl_platform_2025-07-07.der", ATTEST_ITEM_CRL);
    expect_shared_file("tdx/collateral/tcbinfo_tdx_v3_00806F050000_2025-07-07.json",
                       ATTEST_ITEM_TCB_INFO);
    expect_shared_file("tdx/collateral/qe_identity_td_2025-07-07.json",
                       ATTEST_ITEM_QE_IDENTITY);
    expect_shared_file(
        "nvidia/hopper/setA_h100_550.90.07_complete/driver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml",
        ATTEST_ITEM_RIM);
    expect_shared_file("nvidia/hopper/setA_h100_550.90.07_complete/ocsp/gpu_cert1_brom.ocsp.der",
                       ATTEST_ITEM_OCSP);
    /* Base64 of an OCSP response is what it decodes to (one level); a
     * manifest is neither. */
    expect_shared_file("nvidia/hopper/setA_h100_550.90.07_complete/ocsp/gpu_cert1_brom.ocsp.b64",
                       ATTEST_ITEM_OCSP);
    expect_shared_file("snp/MANIFEST.md", ATTEST_ITEM_UNKNOWN);
    /* Detected, not verified: a 1204-byte report file; Trustee's SNP
     * evidence JSON is an SNP report (rebuilt from its fields). */
    expect_shared_file("snp/sets/S17_milan_v2_azure_constellation/attestation.bin",
                       ATTEST_ITEM_EVIDENCE_SNP);
    expect_shared_file("snp/sets/S11_siena_v3_trustee_e2e/evidence.json",
                       ATTEST_ITEM_EVIDENCE_SNP);
}

Test(classify, agrees_with_the_parsers_on_every_real_vector)
{
    char root[512];
    tu_shared(root, sizeof root, "snp/MANIFEST.md"); /* skips when ../shared is absent */
    *strrchr(root, '/') = '\0';
    *strrchr(root, '/') = '\0';
    cr_expect_gt(agree_below(root), 500);
}
