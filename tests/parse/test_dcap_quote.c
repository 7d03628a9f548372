/* Intel DCAP quote parser and PCK SGX-extension decoder: every real quote
 * of ../shared/vectors/tdx/MANIFEST.md section 2 parses with the facts the
 * MANIFEST states, and byte edits of real quotes fail with their own error
 * code and a detail naming the field. */
#include "testutil.h"
#include "parse/dcap_quote.h"
#include "chain/intel_pck.h"

#include <dirent.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define SGX_EXT_OID "1.2.840.113741.1.13.1"

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

static uint8_t *load_quote(const char *name, size_t *len)
{
    char path[512], rel[256];
    snprintf(rel, sizeof rel, "tdx/quotes/%s", name);
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

/* Parse `len` bytes from an exact-size heap copy, so that ASan sees any
 * read past the end. */
static int parse_exact(dcap_quote **q, const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert(copy);
    if (len)
        memcpy(copy, data, len);
    int st = dcap_quote_parse(q, len ? copy : NULL, len);
    free(copy);
    return st;
}

static dcap_quote *parse_ok(const uint8_t *data, size_t len, const char *what)
{
    dcap_quote *q = NULL;
    int st = parse_exact(&q, data, len);
    cr_assert_eq(st, ATTEST_OK, "%s: %s (%s)", what, attest_status_name(st),
                 attest_error_last());
    cr_assert(q);
    return q;
}

static size_t sig_end(const dcap_quote *q)
{
    return q->signed_len + 4 + q->sig_data_len;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Parse an edited copy; expect `status` and a detail containing `field`. */
static void expect_fail(const uint8_t *data, size_t len, int status, const char *field,
                        const char *what)
{
    dcap_quote *q = NULL;
    int st = parse_exact(&q, data, len);
    cr_expect_eq(st, status, "%s: got %s (%s), want %s", what, attest_status_name(st),
                 attest_error_last(), attest_status_name(status));
    cr_expect_null(q, "%s: *out set on failure", what);
    if (field)
        cr_expect(strstr(attest_error_last(), field) != NULL,
                  "%s: detail '%s' does not name '%s'", what, attest_error_last(), field);
    dcap_quote_free(q);
}

/* Either TRUNCATED or MALFORMED, the detail naming `field`. */
static void expect_size_error(const uint8_t *data, size_t len, const char *field,
                              const char *what)
{
    dcap_quote *q = NULL;
    int st = parse_exact(&q, data, len);
    cr_expect(st == ATTEST_E_MALFORMED || st == ATTEST_E_TRUNCATED,
              "%s: got %s (%s)", what, attest_status_name(st), attest_error_last());
    cr_expect(strstr(attest_error_last(), field) != NULL,
              "%s: detail '%s' does not name '%s'", what, attest_error_last(), field);
    dcap_quote_free(q);
}

/* The PEM certificates of the chain span, in order. */
static size_t read_chain(const dcap_quote *q, X509 **certs, size_t max)
{
    BIO *bio = BIO_new_mem_buf(q->raw + q->pck_chain_off, (int)q->pck_chain_len);
    cr_assert(bio);
    size_t n = 0;
    X509 *x;
    while (n < max && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
        certs[n++] = x;
    ERR_clear_error();
    BIO_free(bio);
    return n;
}

static void subject_cn(X509 *x, bool issuer, char *out, size_t n)
{
    X509_NAME *name = issuer ? X509_get_issuer_name(x) : X509_get_subject_name(x);
    out[0] = '\0';
    X509_NAME_get_text_by_NID(name, NID_commonName, out, (int)n);
}

/* ---- MANIFEST section 2 ---------------------------------------------- */

typedef struct quote_case {
    const char *file;
    int version;
    uint32_t tee;
    dcap_body_kind body;
    size_t size;
    size_t trailing;
    bool trailing_nonzero; /* bytes appended by the source's tests (SPR_E4:
                              "extra bytes(only for testing purpose)"): the
                              file is rejected, the quote is the file
                              without them */
    bool pem_nul;         /* chain ended with one NUL (16 of 20) */
    int qe_isvsvn;
    const char *fmspc;
    bool processor_ca;    /* PCK issued by the Processor CA (else Platform) */
    int pcesvn;
    int comps[8];
    const char *attr;     /* SGX: ATTRIBUTES[0..8]; TDX: TD_ATTRIBUTES */
    const char *tcb_svn;  /* TDX: TEE_TCB_SVN[0..4] */
    const char *xfam;     /* TDX */
    const char *tcb_svn2; /* TD 1.5: TEE_TCB_SVN2[0..4] */
    bool servicetd;       /* TD 1.5: MRSERVICETD non-zero */
} quote_case;

#define SGX DCAP_TEE_SGX
#define TDX DCAP_TEE_TDX

static const quote_case quotes[] = {
    {"sgx_v3_00606A000000_automata_godcap_mock.bin", 3, SGX, DCAP_BODY_SGX, 4734, 0, false, true, 10, "00606a000000", false, 13, {14, 14, 3, 3, 255, 255, 1, 0}, "0500000000000000", NULL, NULL, NULL, false},
    {"sgx_v3_00606A000000_automata_quotev3.bin", 3, SGX, DCAP_BODY_SGX, 4734, 0, false, true, 9, "00606a000000", false, 13, {14, 14, 3, 3, 255, 255, 1, 0}, "0500000000000000", NULL, NULL, NULL, false},
    {"sgx_v3_00606A000000_occlum_trustee.bin", 3, SGX, DCAP_BODY_SGX, 4733, 0, false, false, 8, "00606a000000", false, 11, {4, 4, 3, 3, 255, 255, 0, 0}, "0700000000000000", NULL, NULL, NULL, false},
    {"sgx_v3_00A067110000_automata.bin", 3, SGX, DCAP_BODY_SGX, 4600, 0, false, true, 10, "00a067110000", true, 13, {11, 11, 2, 2, 255, 1, 0, 0}, "0700000000000000", NULL, NULL, NULL, false},
    {"sgx_v3_00A067110000_dcapqvl.bin", 3, SGX, DCAP_BODY_SGX, 4600, 0, false, true, 10, "00a067110000", true, 13, {11, 11, 2, 2, 255, 1, 0, 0}, "0500000000000000", NULL, NULL, NULL, false},
    {"tdx_v4_00806F050000_automata.bin", 4, TDX, DCAP_BODY_TD10, 8000, 3065, false, false, 6, "00806f050000", false, 11, {6, 6, 2, 2, 3, 1, 0, 3}, "0000001000000000", "04010700", "e700060000000000", NULL, false},
    {"tdx_v4_00806F050000_azure_trustee.bin", 4, TDX, DCAP_BODY_TD10, 5006, 70, false, true, 5, "00806f050000", false, 11, {6, 6, 2, 2, 3, 1, 0, 3}, "0000000000000000", "02010600", "e718060000000000", NULL, false},
    {"tdx_v4_00806F050000_gotdx_cos113.bin", 4, TDX, DCAP_BODY_TD10, 8000, 3065, false, false, 6, "00806f050000", false, 11, {7, 7, 2, 2, 3, 1, 0, 3}, "0000001000000000", "04010700", "e700060000000000", NULL, false},
    {"tdx_v4_00A06D080000_trustee.bin", 4, TDX, DCAP_BODY_TD10, 5006, 70, false, true, 7, "00a06d080000", false, 11, {2, 2, 7, 7, 4, 1, 0, 2}, "0000001000000000", "05030200", "e702060000000000", NULL, false},
    {"tdx_v4_20A06F000000_dcapqvl_near.bin", 4, TDX, DCAP_BODY_TD10, 5006, 70, false, true, 6, "20a06f000000", false, 13, {4, 4, 2, 2, 5, 255, 0, 2}, "0000001000000000", "06010400", "0702000000000000", NULL, false},
    {"tdx_v4_50806F000000_debug_trustee.bin", 4, TDX, DCAP_BODY_TD10, 4936, 0, false, true, 4, "50806f000000", false, 11, {5, 5, 13, 2, 3, 1, 0, 3}, "0100001000000000", "03000500", "e742060000000000", NULL, false},
    {"tdx_v4_50806F000000_gotdx_SPR_E4.bin", 4, TDX, DCAP_BODY_TD10, 4974, 39, true, false, 4, "50806f000000", false, 11, {3, 3, 2, 2, 2, 1, 0, 2}, "0000004000000000", "03000400", "e71a060000000000", NULL, false},
    {"tdx_v4_90C06F000000_automata_godcap_mock.bin", 4, TDX, DCAP_BODY_TD10, 5006, 70, false, true, 5, "90c06f000000", false, 13, {2, 2, 2, 2, 3, 1, 0, 3}, "0000001000000080", "04010200", "e702060000000000", NULL, false},
    {"tdx_v4_B0C06F000000_dcapqvl.bin", 4, TDX, DCAP_BODY_TD10, 5006, 70, false, true, 6, "b0c06f000000", false, 11, {3, 3, 2, 2, 4, 1, 0, 5}, "0000001000000000", "06010300", "e702060000000000", NULL, false},
    {"tdx_v4_B0C06F000000_dcapqvl_tappd.bin", 4, TDX, DCAP_BODY_TD10, 5006, 70, false, true, 6, "b0c06f000000", false, 11, {2, 2, 2, 2, 3, 1, 0, 3}, "0000001000000000", "05010200", "e702060000000000", NULL, false},
    {"tdx_v4_B0C06F000000_dcapqvl_tdx-quote.bin", 4, TDX, DCAP_BODY_TD10, 5006, 70, false, true, 6, "b0c06f000000", false, 11, {2, 2, 2, 2, 3, 1, 0, 3}, "0000001000000000", "05010200", "e702060000000000", NULL, false},
    {"tdx_v5_90C06F000000_alibaba_automata.bin", 5, TDX, DCAP_BODY_TD15, 5006, 0, false, true, 6, "90c06f000000", false, 13, {2, 2, 2, 2, 3, 1, 0, 5}, "0000001000000000", "05010200", "e742060000000000", "05010200", true},
    {"tdx_v5_90C06F000000_automata_trustee.bin", 5, TDX, DCAP_BODY_TD15, 5006, 0, false, true, 6, "90c06f000000", false, 13, {1, 1, 2, 2, 3, 1, 0, 3}, "0000001000000000", "05010200", "e742060000000000", "05010200", true},
    {"tdx_v5_90C06F000000_dcapqvl_outdated.bin", 5, TDX, DCAP_BODY_TD15, 5006, 0, false, true, 7, "90c06f000000", false, 13, {3, 3, 2, 2, 4, 1, 0, 3}, "0000001000000000", "07010300", "e718060000000000", "0d010300", false},
    {"tdx_v5_90C06F000000_gotdx.bin", 5, TDX, DCAP_BODY_TD15, 5006, 0, false, true, 7, "90c06f000000", false, 13, {4, 4, 2, 2, 4, 1, 0, 5}, "0000001000000000", "0b010400", "e702060000000000", "0d010400", false},
};
#define NQUOTES (sizeof quotes / sizeof quotes[0])

static const quote_case *case_of(const char *file)
{
    for (size_t i = 0; i < NQUOTES; i++)
        if (!strcmp(quotes[i].file, file))
            return &quotes[i];
    cr_assert_fail("%s is not in the table", file);
    return NULL;
}

/* The quote of a MANIFEST file: the file itself, or, when its source
 * appended non-zero bytes after the signature data, the file without
 * them (the file itself is rejected: checked here every time). */
static uint8_t *load_signed_quote(const char *file, size_t *len)
{
    const quote_case *c = case_of(file);
    uint8_t *data = load_quote(file, len);
    if (c->trailing_nonzero) {
        expect_fail(data, *len, ATTEST_E_LENGTH, "dcap.quote.trailing", file);
        cr_assert_gt(*len, c->trailing);
        *len -= c->trailing;
    }
    return data;
}

static void check_pck(const quote_case *c, const dcap_quote *q)
{
    X509 *certs[4] = {NULL};
    size_t n = read_chain(q, certs, 4);
    cr_expect_eq(n, 3, "%s: %zu PEM certificates in the chain, want 3", c->file, n);
    if (n < 1)
        return;
    char cn[128];
    subject_cn(certs[0], true, cn, sizeof cn);
    cr_expect_str_eq(cn, c->processor_ca ? "Intel SGX PCK Processor CA"
                                         : "Intel SGX PCK Platform CA",
                     "%s: leaf issuer", c->file);
    if (n == 3) {
        subject_cn(certs[2], false, cn, sizeof cn);
        cr_expect_str_eq(cn, "Intel SGX Root CA", "%s: root", c->file);
    }
    intel_pck_info info;
    int st = intel_pck_info_parse(certs[0], &info);
    cr_expect_eq(st, ATTEST_OK, "%s: PCK extension: %s", c->file, attest_error_last());
    if (st == ATTEST_OK) {
        char hex[64];
        hexs(hex, info.fmspc, 6);
        cr_expect_str_eq(hex, c->fmspc, "%s: FMSPC", c->file);
        cr_expect_eq(info.pcesvn, c->pcesvn, "%s: PCESVN %d", c->file, info.pcesvn);
        for (int i = 0; i < 8; i++)
            cr_expect_eq(info.sgx_svn[i], c->comps[i], "%s: SGX comp %d = %d, want %d",
                         c->file, i + 1, info.sgx_svn[i], c->comps[i]);
        for (int i = 0; i < 16; i++)
            cr_expect_eq(info.cpusvn[i], (uint8_t)info.sgx_svn[i],
                         "%s: CPUSVN byte %d differs from comp %d", c->file, i, i + 1);
        cr_expect(info.pce_id[0] == 0 && info.pce_id[1] == 0, "%s: PCE-ID", c->file);
        /* Processor-CA PCKs carry no platform instance / configuration. */
        cr_expect_eq(info.has_platform_instance_id, !c->processor_ca, "%s", c->file);
        cr_expect_eq(info.has_configuration, !c->processor_ca, "%s", c->file);
        json_t *j = intel_pck_info_to_json(&info);
        cr_expect(j && json_is_string(json_object_get(j, "fmspc")), "%s", c->file);
        cr_expect_str_eq(json_string_value(json_object_get(j, "fmspc")), c->fmspc);
        json_decref(j);
    }
    for (size_t i = 0; i < n; i++)
        X509_free(certs[i]);
}

static void check_quote(const quote_case *c)
{
    size_t len;
    uint8_t *data = load_quote(c->file, &len);
    cr_expect_eq(len, c->size, "%s: %zu bytes, want %zu", c->file, len, c->size);
    cr_expect(dcap_quote_detect(data, len), "%s: not detected", c->file);
    size_t quote_len = len;
    if (c->trailing_nonzero) {
        expect_fail(data, len, ATTEST_E_LENGTH, "dcap.quote.trailing", c->file);
        quote_len = len - c->trailing;
    }
    dcap_quote *q = parse_ok(data, quote_len, c->file);
    char hex[256];

    cr_expect_eq(q->version, c->version, "%s: version %u", c->file, q->version);
    cr_expect_eq(q->att_key_type, DCAP_ATT_KEY_ECDSA_P256, "%s", c->file);
    cr_expect_eq(q->tee_type, c->tee, "%s: tee 0x%x", c->file, q->tee_type);
    cr_expect_eq(q->body_kind, c->body, "%s: body %d", c->file, q->body_kind);
    cr_expect_eq(q->raw_len, quote_len, "%s", c->file);
    cr_expect_eq(q->outer_cert_type, c->version == 3 ? 5 : 6, "%s: outer type %u",
                 c->file, q->outer_cert_type);
    size_t body_size = c->body == DCAP_BODY_SGX    ? 384
                       : c->body == DCAP_BODY_TD10 ? 584
                                                   : 648;
    cr_expect_eq(q->signed_len, 48 + (c->version == 5 ? 6 : 0) + body_size,
                 "%s: signed_len %zu", c->file, q->signed_len);
    size_t padding = c->trailing_nonzero ? 0 : c->trailing;
    cr_expect_eq(q->trailing_len, padding, "%s: %zu trailing bytes, want %zu",
                 c->file, q->trailing_len, padding);
    cr_expect_eq(sig_end(q) + c->trailing, len, "%s", c->file);
    cr_expect_eq(q->qe_report.isvsvn, c->qe_isvsvn, "%s: QE ISVSVN %u, want %d",
                 c->file, q->qe_report.isvsvn, c->qe_isvsvn);
    /* Intel QE vendor ID and the QE auth data the research note describes. */
    hexs(hex, q->qe_vendor_id, 16);
    cr_expect_str_eq(hex, "939a7233f79c4ca9940a0db3957f0607", "%s: QE vendor", c->file);
    cr_expect_eq(q->qe_auth_len, 32, "%s: QE auth data %zu bytes", c->file,
                 q->qe_auth_len);
    cr_expect_eq(q->qe_report_off + 384 + 64 + 2, q->qe_auth_off, "%s", c->file);
    /* PEM span: a NUL stripped exactly when the file has one. */
    bool stripped = q->pck_chain_off + q->pck_chain_len + 1 == sig_end(q);
    cr_expect_eq(stripped, c->pem_nul, "%s: PEM NUL stripped=%d, want %d", c->file,
                 stripped, c->pem_nul);
    if (!stripped)
        cr_expect_eq(q->pck_chain_off + q->pck_chain_len, sig_end(q), "%s", c->file);
    cr_expect(memchr(q->raw + q->pck_chain_off, 0, q->pck_chain_len) == NULL, "%s",
              c->file);
    cr_expect(q->pck_chain_len > 27 &&
                  memcmp(q->raw + q->pck_chain_off, "-----BEGIN CERTIFICATE-----", 27) == 0,
              "%s: chain does not start with a PEM certificate", c->file);

    if (c->body == DCAP_BODY_SGX) {
        hexs(hex, q->enclave.attributes, 8);
        cr_expect_str_eq(hex, c->attr, "%s: ATTRIBUTES", c->file);
    } else {
        hexs(hex, q->td.tee_tcb_svn, 4);
        cr_expect_str_eq(hex, c->tcb_svn, "%s: TEE_TCB_SVN", c->file);
        hexs(hex, q->td.td_attributes, 8);
        cr_expect_str_eq(hex, c->attr, "%s: TD_ATTRIBUTES", c->file);
        hexs(hex, q->td.xfam, 8);
        cr_expect_str_eq(hex, c->xfam, "%s: XFAM", c->file);
        cr_expect_eq(q->td.is_15, c->body == DCAP_BODY_TD15, "%s", c->file);
        if (c->body == DCAP_BODY_TD15) {
            hexs(hex, q->td.tee_tcb_svn2, 4);
            cr_expect_str_eq(hex, c->tcb_svn2, "%s: TEE_TCB_SVN2", c->file);
            cr_expect_eq(!attest_all_zero(q->td.mrservicetd, 48), c->servicetd,
                         "%s: MRSERVICETD non-zero", c->file);
        }
    }
    check_pck(c, q);
    dcap_quote_free(q);
    free(data);
}

Test(dcap_parse, manifest_quotes)
{
    for (size_t i = 0; i < NQUOTES; i++)
        check_quote(&quotes[i]);
}

/* Every *.bin under quotes/ is in the table (or is the TDREPORT blob). */
Test(dcap_parse, manifest_table_complete)
{
    char path[512];
    tu_shared(path, sizeof path, "tdx/MANIFEST.md");
    char *slash = strrchr(path, '/');
    cr_assert(slash);
    snprintf(slash, sizeof path - (size_t)(slash - path), "/quotes");
    DIR *dir = opendir(path);
    cr_assert(dir, "cannot list %s", path);
    size_t bins = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, ".bin") != 0 ||
            strcmp(e->d_name, "td_report_1024_gotdx.bin") == 0)
            continue;
        bins++;
        bool listed = false;
        for (size_t i = 0; i < NQUOTES; i++)
            listed |= strcmp(quotes[i].file, e->d_name) == 0;
        cr_expect(listed, "%s is not in the MANIFEST table of this test", e->d_name);
    }
    closedir(dir);
    cr_expect_eq(bins, NQUOTES);
    cr_expect_eq(NQUOTES, 20);
    size_t nul = 0;
    for (size_t i = 0; i < NQUOTES; i++)
        nul += quotes[i].pem_nul;
    cr_expect_eq(nul, 16, "MANIFEST: 16 of the 20 chains end with a NUL");
}

Test(dcap_parse, td_report_blob_rejected)
{
    size_t len;
    uint8_t *data = load_quote("td_report_1024_gotdx.bin", &len);
    cr_expect_not(dcap_quote_detect(data, len));
    dcap_quote *q = NULL;
    int st = parse_exact(&q, data, len);
    cr_expect(st == ATTEST_E_FORMAT_UNKNOWN || st == ATTEST_E_UNSUPPORTED_VERSION ||
                  st == ATTEST_E_MALFORMED || st == ATTEST_E_TRUNCATED,
              "got %s (%s)", attest_status_name(st), attest_error_last());
    cr_expect_null(q);
    cr_expect(strncmp(attest_error_last(), "dcap.quote.", 11) == 0, "%s",
              attest_error_last());
    free(data);
}

Test(dcap_parse, json_view)
{
    size_t len;
    uint8_t *data = load_quote("tdx_v5_90C06F000000_alibaba_automata.bin", &len);
    dcap_quote *q = parse_ok(data, len, "v5");
    json_t *j = dcap_quote_to_json(q);
    cr_assert(j);
    cr_expect_str_eq(json_string_value(json_object_get(j, "format")), "intel-dcap-quote");
    cr_expect_str_eq(json_string_value(json_object_get(j, "tee")), "tdx");
    cr_expect_str_eq(json_string_value(json_object_get(j, "body_type")), "td_report_1.5");
    cr_expect_eq(json_integer_value(json_object_get(j, "version")), 5);
    cr_expect_eq(json_integer_value(json_object_get(j, "trailing_bytes")), 0);
    static const char *const keys[] = {
        "tee_tcb_svn", "mrseam", "mrsignerseam", "seam_attributes", "xfam", "mrtd",
        "mrconfigid", "mrowner", "mrownerconfig", "rtmr0", "rtmr1", "rtmr2",
        "rtmr3", "report_data", "tee_tcb_svn2", "mrservicetd", "qe_vendor_id",
        "user_data", "signature", "attest_key", "qe_report_signature",
        "qe_auth_data", "pck_chain_pem"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_expect(json_is_string(json_object_get(j, keys[i])), "missing %s", keys[i]);
    cr_expect_str_eq(json_string_value(json_object_get(j, "tee_tcb_svn")),
                     "05010200000000000000000000000000");
    json_t *attr = json_object_get(j, "td_attributes");
    cr_expect(json_is_true(json_object_get(attr, "sept_ve_disable")));
    cr_expect(json_is_false(json_object_get(attr, "debug")));
    cr_expect(json_is_false(json_object_get(attr, "perfmon")));
    json_t *qe = json_object_get(j, "qe_report");
    cr_expect_eq(json_integer_value(json_object_get(qe, "isvsvn")), 6);
    cr_expect(json_is_true(json_object_get(json_object_get(qe, "attributes"),
                                           "provision_key")));
    cr_expect_str_eq(json_string_value(json_object_get(j, "qe_auth_data")),
                     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    const char *pem = json_string_value(json_object_get(j, "pck_chain_pem"));
    cr_expect(pem && strncmp(pem, "-----BEGIN CERTIFICATE-----", 27) == 0);
    cr_expect_eq(strlen(pem), q->pck_chain_len);
    json_decref(j);
    dcap_quote_free(q);
    free(data);

    /* SGX: enclave fields at the top, decoded attributes. */
    data = load_quote("sgx_v3_00A067110000_automata.bin", &len);
    q = parse_ok(data, len, "v3");
    j = dcap_quote_to_json(q);
    cr_assert(j);
    cr_expect_str_eq(json_string_value(json_object_get(j, "tee")), "sgx");
    cr_expect_str_eq(json_string_value(json_object_get(j, "body_type")), "sgx");
    attr = json_object_get(j, "attributes");
    cr_expect(json_is_true(json_object_get(attr, "debug")));
    cr_expect(json_is_true(json_object_get(attr, "mode64bit")));
    cr_expect(json_is_false(json_object_get(attr, "kss")));
    cr_expect(json_is_string(json_object_get(j, "mrenclave")));
    cr_expect(json_is_string(json_object_get(j, "mrsigner")));
    json_decref(j);
    dcap_quote_free(q);
    free(data);

    /* TD attribute flags of the other real quotes. */
    static const struct { const char *file, *flag; } flags[] = {
        {"tdx_v4_50806F000000_debug_trustee.bin", "debug"},
        {"tdx_v4_50806F000000_gotdx_SPR_E4.bin", "pks"},
        {"tdx_v4_90C06F000000_automata_godcap_mock.bin", "perfmon"},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        data = load_signed_quote(flags[i].file, &len);
        q = parse_ok(data, len, flags[i].file);
        j = dcap_quote_to_json(q);
        cr_expect(json_is_true(json_object_get(json_object_get(j, "td_attributes"),
                                               flags[i].flag)),
                  "%s: %s", flags[i].file, flags[i].flag);
        if (i == 2)
            cr_expect_eq(json_integer_value(json_object_get(j, "trailing_bytes")), 70);
        json_decref(j);
        dcap_quote_free(q);
        free(data);
    }
}

/* ---- negative: byte edits of real quotes ----------------------------- */

Test(dcap_parse, every_truncation_fails)
{
    for (size_t i = 0; i < NQUOTES; i++) {
        size_t len;
        uint8_t *data = load_signed_quote(quotes[i].file, &len);
        dcap_quote *q = parse_ok(data, len, quotes[i].file);
        size_t end = sig_end(q);
        dcap_quote_free(q);
        /* Every length for three quotes (one per version), every 7th for
         * the others, always the last byte before the end. */
        size_t step = (i == 0 || i == 5 || i == 16) ? 1 : 7;
        for (size_t n = 0; n <= end; n += step) {
            size_t cut = n < end ? n : end - 1; /* always the last byte too */
            q = NULL;
            int st = parse_exact(&q, data, cut);
            cr_expect_eq(st, ATTEST_E_TRUNCATED, "%s cut to %zu: %s (%s)",
                         quotes[i].file, cut, attest_status_name(st), attest_error_last());
            cr_expect_null(q);
            cr_expect(strncmp(attest_error_last(), "dcap.quote.", 11) == 0, "%s",
                      attest_error_last());
            dcap_quote_free(q);
        }
        /* Cutting only trailing padding keeps the quote valid. */
        q = parse_ok(data, end, quotes[i].file);
        cr_expect_eq(q->trailing_len, 0);
        dcap_quote_free(q);
        free(data);
    }
}

/* Bytes after the signature data: zero padding (the QGS pads to 5006 or
 * 8000 bytes) is accepted and counted; any non-zero byte there is
 * ATTEST_E_LENGTH naming the field, the byte and its offset. */
static void expect_trailing_rejected(const uint8_t *data, size_t len, size_t off,
                                     const char *what)
{
    char want[96];
    snprintf(want, sizeof want, "dcap.quote.trailing: byte 0x%02x at offset %zu,", data[off],
             off);
    expect_fail(data, len, ATTEST_E_LENGTH, want, what);
}

Test(dcap_parse, trailing_bytes_after_the_signature_data)
{
    /* 70 bytes of zero padding: accepted and reported. */
    size_t len;
    uint8_t *data = load_quote("tdx_v4_B0C06F000000_dcapqvl.bin", &len);
    dcap_quote *q = parse_ok(data, len, "padded");
    size_t end = sig_end(q);
    cr_assert_eq(len - end, 70);
    cr_expect_eq(q->trailing_len, 70);
    json_t *j = dcap_quote_to_json(q);
    cr_expect_eq(json_integer_value(json_object_get(j, "trailing_bytes")), 70);
    json_decref(j);
    dcap_quote_free(q);
    /* One non-zero byte anywhere in the padding; the signatures do not
     * cover it, so nothing else about the quote is wrong. */
    uint8_t *buf = malloc(len);
    cr_assert(buf);
    size_t at[] = {end, end + 1, end + 35, len - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        memcpy(buf, data, len);
        buf[at[i]] = i % 2 ? 0x80 : 0x01;
        expect_trailing_rejected(buf, len, at[i], "non-zero padding byte");
    }
    free(buf);
    free(data);

    /* A quote without padding: zero bytes appended are fine, one non-zero
     * byte is not. */
    data = load_quote("tdx_v5_90C06F000000_gotdx.bin", &len);
    buf = calloc(1, len + 4096);
    cr_assert(buf);
    memcpy(buf, data, len);
    q = parse_ok(buf, len + 4096, "4096 zero bytes appended");
    cr_expect_eq(q->trailing_len, 4096);
    dcap_quote_free(q);
    buf[len] = 0xff;
    expect_trailing_rejected(buf, len + 1, len, "one byte appended");
    free(buf);
    free(data);

    /* The go-tdx-guest sample with "extra bytes(only for testing purpose)"
     * appended: rejected at its first extra byte (a newline). */
    data = load_quote("tdx_v4_50806F000000_gotdx_SPR_E4.bin", &len);
    expect_trailing_rejected(data, len, len - 39, "SPR_E4 as published");
    cr_expect(strstr(attest_error_last(), "byte 0x0a at offset 4935") != NULL, "%s",
              attest_error_last());
    free(data);
}

Test(dcap_parse, header_edits)
{
    size_t len;
    uint8_t *data = load_quote("tdx_v4_B0C06F000000_dcapqvl.bin", &len);
    uint8_t *buf = malloc(len);
    cr_assert(buf);
    static const uint16_t versions[] = {0, 1, 2, 6, 0xffff};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        memcpy(buf, data, len);
        put16(buf, versions[i]);
        cr_expect_not(dcap_quote_detect(buf, len));
        expect_fail(buf, len, ATTEST_E_UNSUPPORTED_VERSION, "dcap.quote.version",
                    "version");
    }
    memcpy(buf, data, len);
    put16(buf + 2, 3);
    cr_expect(dcap_quote_detect(buf, len), "detect accepts key type 3");
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.att_key_type: 3", "P-384");
    cr_expect(strstr(attest_error_last(), "P-384") != NULL, "%s", attest_error_last());
    put16(buf + 2, 1);
    cr_expect_not(dcap_quote_detect(buf, len));
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.att_key_type", "key type 1");

    memcpy(buf, data, len);
    put32(buf + 4, 0x80);
    cr_expect_not(dcap_quote_detect(buf, len));
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.tee_type", "tee 0x80");

    /* v4 TDX relabelled SGX: the body is then read as a 384-byte SGX
     * report and the signature data no longer lines up. */
    memcpy(buf, data, len);
    put32(buf + 4, DCAP_TEE_SGX);
    dcap_quote *q = NULL;
    cr_expect_neq(parse_exact(&q, buf, len), ATTEST_OK);
    cr_expect_null(q);
    free(buf);
    free(data);

    /* TEE TDX in a version 3 quote. */
    data = load_quote("sgx_v3_00A067110000_dcapqvl.bin", &len);
    buf = malloc(len);
    cr_assert(buf);
    memcpy(buf, data, len);
    put32(buf + 4, DCAP_TEE_TDX);
    cr_expect_not(dcap_quote_detect(buf, len));
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.tee_type", "v3 TDX");
    free(buf);
    free(data);

    cr_expect_not(dcap_quote_detect(NULL, 0));
    cr_expect_not(dcap_quote_detect((const uint8_t *)"\x04\x00\x02\x00\x81\x00\x00", 7));
    cr_expect(dcap_quote_detect((const uint8_t *)"\x04\x00\x02\x00\x81\x00\x00\x00", 8));
    dcap_quote *none = NULL;
    cr_expect_eq(dcap_quote_parse(NULL, (const uint8_t *)"x", 1), ATTEST_E_INVALID_ARG);
    cr_expect_eq(dcap_quote_parse(&none, NULL, 5), ATTEST_E_INVALID_ARG);
    cr_expect_eq(dcap_quote_parse(&none, NULL, 0), ATTEST_E_TRUNCATED);
    dcap_quote_free(NULL);
}

Test(dcap_parse, v5_body_edits)
{
    size_t len;
    uint8_t *data = load_quote("tdx_v5_90C06F000000_gotdx.bin", &len);
    uint8_t *buf = malloc(len);
    cr_assert(buf);
    static const uint32_t sizes[] = {0, 584, 647, 649, 0xffffffffu};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memcpy(buf, data, len);
        put32(buf + 50, sizes[i]);
        expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.body_size", "body_size");
    }
    memcpy(buf, data, len);
    put16(buf + 48, 4);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.body_type", "type 4");
    put16(buf + 48, 0);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.body_type", "type 0");
    /* SGX body (type 1, size 384) in a quote whose TEE is TDX. */
    memcpy(buf, data, len);
    put16(buf + 48, 1);
    put32(buf + 50, 384);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.body_type", "SGX body, TDX tee");
    /* TD body in a quote whose TEE is SGX. */
    memcpy(buf, data, len);
    put32(buf + 4, DCAP_TEE_SGX);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.body_type", "TD body, SGX tee");
    /* TD 1.0 type with its right size: the body is shorter, the signature
     * data no longer lines up. */
    memcpy(buf, data, len);
    put16(buf + 48, 2);
    put32(buf + 50, 584);
    dcap_quote *q = NULL;
    cr_expect_neq(parse_exact(&q, buf, len), ATTEST_OK);
    cr_expect_null(q);
    free(buf);
    free(data);
}

/* Offsets of the certification-data fields of a parsed quote. */
typedef struct cert_offsets {
    size_t sig_data_len;  /* u32 */
    size_t outer_type;    /* u16 */
    size_t outer_size;    /* u32 */
    size_t qe_auth_len;   /* u16 */
    size_t inner_type;    /* u16 (v4/v5; v3: same as outer) */
    size_t inner_size;    /* u32 */
} cert_offsets;

static cert_offsets offsets_of(const dcap_quote *q)
{
    cert_offsets o;
    o.sig_data_len = q->signed_len;
    o.qe_auth_len = q->qe_auth_off - 2;
    o.inner_type = q->qe_auth_off + q->qe_auth_len;
    o.inner_size = o.inner_type + 2;
    if (q->version == 3) {
        o.outer_type = o.inner_type;
        o.outer_size = o.inner_size;
    } else {
        o.outer_type = q->signed_len + 4 + 128;
        o.outer_size = o.outer_type + 2;
    }
    cr_assert_eq(o.inner_size + 4, q->pck_chain_off);
    return o;
}

static void add32(uint8_t *p, int64_t delta)
{
    put32(p, (uint32_t)((int64_t)attest_le32(p) + delta));
}

static void cert_edits(const char *file)
{
    size_t len;
    uint8_t *data = load_signed_quote(file, &len);
    dcap_quote *q = parse_ok(data, len, file);
    cert_offsets o = offsets_of(q);
    int version = q->version;
    size_t chain_off = q->pck_chain_off;
    size_t end = sig_end(q);
    dcap_quote_free(q);
    uint8_t *buf = malloc(len);
    cr_assert(buf);
    const char *outer = "dcap.quote.cert_data.type";
    const char *inner = version == 3 ? outer : "dcap.quote.cert_data.inner.type";

    /* Types 1-4 by name, at both levels. */
    static const char *const names[] = {NULL, "1 (plain PPID)", "2 (RSA-2048 encrypted PPID)",
                                        "3 (RSA-3072 encrypted PPID)", "4 (PCK leaf certificate)"};
    for (uint16_t t = 1; t <= 4; t++) {
        char want[128];
        memcpy(buf, data, len);
        put16(buf + o.inner_type, t);
        snprintf(want, sizeof want, "%s: %s not supported; a type 5 PCK chain is required",
                 inner, names[t]);
        expect_fail(buf, len, ATTEST_E_MALFORMED, want, "inner type");
        if (version != 3) {
            memcpy(buf, data, len);
            put16(buf + o.outer_type, t);
            snprintf(want, sizeof want, "%s: %s not", outer, names[t]);
            expect_fail(buf, len, ATTEST_E_MALFORMED, want, "outer type");
        }
    }
    /* Wrong nesting and undefined types. */
    static const uint16_t others[] = {0, 7, 8, 0xffff};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        memcpy(buf, data, len);
        put16(buf + o.outer_type, others[i]);
        expect_fail(buf, len, ATTEST_E_MALFORMED, outer, "outer type");
        if (version != 3) {
            memcpy(buf, data, len);
            put16(buf + o.inner_type, others[i]);
            expect_fail(buf, len, ATTEST_E_MALFORMED, inner, "inner type");
        }
    }
    memcpy(buf, data, len);
    put16(buf + o.outer_type, version == 3 ? 6 : 5);
    expect_fail(buf, len, ATTEST_E_MALFORMED, outer, "outer 5/6 swapped");
    if (version != 3) {
        memcpy(buf, data, len);
        put16(buf + o.inner_type, 6);
        expect_fail(buf, len, ATTEST_E_MALFORMED, inner, "inner type 6");
    }

    /* Sizes one off, and absurd. */
    static const int64_t deltas[] = {1, -1, 2, -100, 0x7fffffff};
    const char *inner_size = version == 3 ? "dcap.quote.cert_data.size"
                                          : "dcap.quote.cert_data.inner.size";
    for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
        memcpy(buf, data, len);
        add32(buf + o.inner_size, deltas[i]);
        expect_size_error(buf, len, inner_size, "inner size");
        if (version != 3) {
            memcpy(buf, data, len);
            add32(buf + o.outer_size, deltas[i]);
            expect_size_error(buf, len, "dcap.quote.cert_data", "outer size");
        }
        memcpy(buf, data, len);
        add32(buf + o.sig_data_len, deltas[i]);
        expect_size_error(buf, len, "dcap.quote.", "sig_data_len");
    }
    /* sig_data_len one short: the container has one byte less than its
     * content needs; one long (with trailing bytes available): one unused
     * byte. Both MALFORMED naming the size that disagrees. */
    memcpy(buf, data, len);
    add32(buf + o.sig_data_len, -1);
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.cert_data", "sig_data_len-1");
    if (len > end) {
        memcpy(buf, data, len);
        add32(buf + o.sig_data_len, 1);
        expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.cert_data", "sig_data_len+1");
    } else {
        memcpy(buf, data, len);
        add32(buf + o.sig_data_len, 1);
        expect_fail(buf, len, ATTEST_E_TRUNCATED, "dcap.quote.sig_data", "sig_data_len+1");
    }
    /* QE auth data length: everything after it shifts. */
    static const uint16_t auth[] = {0, 31, 33, 0xffff};
    for (size_t i = 0; i < sizeof auth / sizeof auth[0]; i++) {
        memcpy(buf, data, len);
        put16(buf + o.qe_auth_len, auth[i]);
        expect_size_error(buf, len, "dcap.quote.", "qe_auth_len");
    }

    /* A NUL inside the PEM text; a NUL as its only content is empty. */
    memcpy(buf, data, len);
    buf[chain_off + 100] = 0;
    expect_fail(buf, len, ATTEST_E_MALFORMED, "dcap.quote.pck_chain", "NUL in PEM");
    free(buf);
    free(data);
}

Test(dcap_parse, cert_data_edits_v3) { cert_edits("sgx_v3_00A067110000_dcapqvl.bin"); }
Test(dcap_parse, cert_data_edits_v4) { cert_edits("tdx_v4_B0C06F000000_dcapqvl.bin"); }
Test(dcap_parse, cert_data_edits_v4_no_nul) { cert_edits("tdx_v4_50806F000000_gotdx_SPR_E4.bin"); }
Test(dcap_parse, cert_data_edits_v5) { cert_edits("tdx_v5_90C06F000000_gotdx.bin"); }

/* ---- synthetic quotes assembled from real pieces --------------------- */

typedef struct bytes {
    uint8_t *p;
    size_t n;
} bytes;

static void app(bytes *b, const void *p, size_t n)
{
    b->p = realloc(b->p, b->n + n + 1);
    cr_assert(b->p);
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void app16(bytes *b, uint16_t v)
{
    uint8_t t[2];
    put16(t, v);
    app(b, t, 2);
}

static void app32(bytes *b, uint32_t v)
{
    uint8_t t[4];
    put32(t, v);
    app(b, t, 4);
}

/* A quote of `version` with `tee` and `body` (v5: body type `v5_type`),
 * whose signature data comes from `src`, PEM chain `pem`. */
static bytes assemble(const dcap_quote *src, uint16_t version, uint32_t tee,
                      uint16_t v5_type, const uint8_t *body, size_t body_len,
                      const uint8_t *pem, size_t pem_len)
{
    bytes q = {0}, sig = {0}, inner = {0};
    uint8_t hdr[48];
    memcpy(hdr, src->raw, 48);
    put16(hdr, version);
    put32(hdr + 4, tee);
    app(&q, hdr, 48);
    if (version == 5) {
        app16(&q, v5_type);
        app32(&q, (uint32_t)body_len);
    }
    app(&q, body, body_len);
    app(&sig, src->signature, 64);
    app(&sig, src->attest_key, 64);
    app(&inner, src->raw + src->qe_report_off, 384);
    app(&inner, src->qe_report_sig, 64);
    app16(&inner, (uint16_t)src->qe_auth_len);
    app(&inner, src->raw + src->qe_auth_off, src->qe_auth_len);
    app16(&inner, 5);
    app32(&inner, (uint32_t)pem_len);
    app(&inner, pem, pem_len);
    if (version != 3) {
        app16(&sig, 6);
        app32(&sig, (uint32_t)inner.n);
    }
    app(&sig, inner.p, inner.n);
    app32(&q, (uint32_t)sig.n);
    app(&q, sig.p, sig.n);
    free(sig.p);
    free(inner.p);
    return q;
}

Test(dcap_parse, sgx_v4_v5_and_td10_v5_accepted)
{
    size_t len3, len4;
    uint8_t *d3 = load_quote("sgx_v3_00A067110000_dcapqvl.bin", &len3);
    uint8_t *d4 = load_quote("tdx_v4_B0C06F000000_dcapqvl.bin", &len4);
    dcap_quote *q3 = parse_ok(d3, len3, "v3");
    dcap_quote *q4 = parse_ok(d4, len4, "v4");
    const uint8_t *pem3 = q3->raw + q3->pck_chain_off;
    size_t pem3_len = q3->pck_chain_len;

    /* Round trip: v3 rebuilt from its pieces is byte-identical (modulo
     * the NUL the original chain carried). */
    bytes b = assemble(q3, 3, DCAP_TEE_SGX, 0, q3->raw + 48, 384, pem3, pem3_len + 1);
    cr_expect_eq(b.n, sig_end(q3));
    cr_expect(memcmp(b.p, d3, b.n) == 0, "v3 re-assembly differs");
    free(b.p);

    /* v4 with an SGX TEE and an SGX body: QVL accepts it. */
    b = assemble(q3, 4, DCAP_TEE_SGX, 0, q3->raw + 48, 384, pem3, pem3_len);
    dcap_quote *q = parse_ok(b.p, b.n, "v4 SGX");
    cr_expect_eq(q->body_kind, DCAP_BODY_SGX);
    cr_expect_eq(q->signed_len, 48 + 384);
    cr_expect(memcmp(&q->enclave, &q3->enclave, sizeof q->enclave) == 0);
    cr_expect_eq(q->pck_chain_len, pem3_len);
    cr_expect_eq(q->trailing_len, 0);
    dcap_quote_free(q);
    free(b.p);

    /* v5 type 1 (SGX). */
    b = assemble(q3, 5, DCAP_TEE_SGX, 1, q3->raw + 48, 384, pem3, pem3_len);
    q = parse_ok(b.p, b.n, "v5 SGX");
    cr_expect_eq(q->body_kind, DCAP_BODY_SGX);
    cr_expect_eq(q->signed_len, 54 + 384);
    cr_expect_eq(q->enclave.isvsvn, q3->enclave.isvsvn);
    json_t *j = dcap_quote_to_json(q);
    cr_expect_str_eq(json_string_value(json_object_get(j, "body_type")), "sgx");
    json_decref(j);
    dcap_quote_free(q);
    /* ... but not under a TDX TEE type. */
    put32(b.p + 4, DCAP_TEE_TDX);
    expect_fail(b.p, b.n, ATTEST_E_MALFORMED, "dcap.quote.body_type", "v5 SGX body TDX tee");
    free(b.p);

    /* v5 type 2 (TD report 1.0). */
    b = assemble(q4, 5, DCAP_TEE_TDX, 2, q4->raw + 48, 584, pem3, pem3_len);
    q = parse_ok(b.p, b.n, "v5 TD10");
    cr_expect_eq(q->body_kind, DCAP_BODY_TD10);
    cr_expect_not(q->td.is_15);
    cr_expect(memcmp(q->td.mrtd, q4->td.mrtd, 48) == 0);
    j = dcap_quote_to_json(q);
    cr_expect_str_eq(json_string_value(json_object_get(j, "body_type")), "td_report_1.0");
    cr_expect_null(json_object_get(j, "mrservicetd"));
    json_decref(j);
    dcap_quote_free(q);
    free(b.p);

    /* A v3 quote with a v4-style signature data, and the reverse. */
    b = assemble(q3, 4, DCAP_TEE_SGX, 0, q3->raw + 48, 384, pem3, pem3_len);
    put16(b.p, 3);
    expect_fail(b.p, b.n, ATTEST_E_MALFORMED, "dcap.quote.", "v3 with type 6");
    free(b.p);

    /* Empty chain, a chain that is a single NUL, two NULs at the end. */
    b = assemble(q4, 4, DCAP_TEE_TDX, 0, q4->raw + 48, 584, (const uint8_t *)"", 0);
    expect_fail(b.p, b.n, ATTEST_E_MALFORMED, "dcap.quote.pck_chain", "empty chain");
    free(b.p);
    b = assemble(q4, 4, DCAP_TEE_TDX, 0, q4->raw + 48, 584, (const uint8_t *)"\0", 1);
    expect_fail(b.p, b.n, ATTEST_E_MALFORMED, "dcap.quote.pck_chain", "NUL chain");
    free(b.p);
    uint8_t *pem2 = malloc(pem3_len + 2);
    cr_assert(pem2);
    memcpy(pem2, pem3, pem3_len);
    pem2[pem3_len] = pem2[pem3_len + 1] = 0;
    b = assemble(q4, 4, DCAP_TEE_TDX, 0, q4->raw + 48, 584, pem2, pem3_len + 2);
    expect_fail(b.p, b.n, ATTEST_E_MALFORMED, "dcap.quote.pck_chain", "two NULs");
    free(b.p);
    /* Non-UTF-8 bytes are accepted by the parser; the JSON shows hex. */
    pem2[0] = 0xff;
    b = assemble(q4, 4, DCAP_TEE_TDX, 0, q4->raw + 48, 584, pem2, pem3_len);
    q = parse_ok(b.p, b.n, "non-UTF-8 chain");
    j = dcap_quote_to_json(q);
    cr_assert(j);
    cr_expect(json_is_null(json_object_get(j, "pck_chain_pem")));
    cr_expect(json_is_string(json_object_get(j, "pck_chain_hex")));
    json_decref(j);
    dcap_quote_free(q);
    free(b.p);
    free(pem2);

    dcap_quote_free(q3);
    dcap_quote_free(q4);
    free(d3);
    free(d4);
}

/* ---- PCK SGX extension ----------------------------------------------- */

static X509 *load_der_cert(const char *rel)
{
    char path[512];
    size_t len;
    uint8_t *der = tu_read(tu_shared(path, sizeof path, rel), &len);
    cr_assert(der, "cannot read %s", path);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    cr_assert(x, "%s is not a DER certificate", path);
    free(der);
    return x;
}

/* An unsigned certificate carrying `der` as the SGX extension value. */
static X509 *cert_with_ext(const uint8_t *der, size_t len)
{
    X509 *x = X509_new();
    ASN1_OBJECT *obj = OBJ_txt2obj(SGX_EXT_OID, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    cr_assert(x && obj && os);
    cr_assert(ASN1_OCTET_STRING_set(os, der, (int)len) == 1);
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    cr_assert(ext);
    cr_assert(X509_add_ext(x, ext, -1) == 1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return x;
}

static void expect_info(const intel_pck_info *info, const char *what, const char *ppid,
                        const char *fmspc, int pcesvn, const int comps[16],
                        const char *cpusvn, int sgx_type, const char *piid, int dyn,
                        int cached, int smt)
{
    char hex[64];
    hexs(hex, info->ppid, 16);
    cr_expect_str_eq(hex, ppid, "%s: PPID", what);
    hexs(hex, info->fmspc, 6);
    cr_expect_str_eq(hex, fmspc, "%s: FMSPC", what);
    hexs(hex, info->pce_id, 2);
    cr_expect_str_eq(hex, "0000", "%s: PCE-ID", what);
    cr_expect_eq(info->pcesvn, pcesvn, "%s: PCESVN", what);
    for (int i = 0; i < 16; i++)
        cr_expect_eq(info->sgx_svn[i], comps[i], "%s: comp %d", what, i + 1);
    hexs(hex, info->cpusvn, 16);
    cr_expect_str_eq(hex, cpusvn, "%s: CPUSVN", what);
    cr_expect_eq(info->sgx_type, sgx_type, "%s: SGX type", what);
    cr_expect(info->has_platform_instance_id, "%s", what);
    hexs(hex, info->platform_instance_id, 16);
    cr_expect_str_eq(hex, piid, "%s: PlatformInstanceID", what);
    cr_expect(info->has_configuration, "%s", what);
    cr_expect_eq(info->dynamic_platform, dyn, "%s", what);
    cr_expect_eq(info->cached_keys, cached, "%s", what);
    cr_expect_eq(info->smt_enabled, smt, "%s", what);
}

Test(dcap_parse, pck_leaf_automata)
{
    X509 *x = load_der_cert("tdx/certs/pck_leaf_sgx_00606A000000_automata.der");
    intel_pck_info info;
    cr_assert_eq(intel_pck_info_parse(x, &info), ATTEST_OK, "%s", attest_error_last());
    static const int comps[16] = {12, 12, 3, 3, 255, 255, 1, 0};
    expect_info(&info, "pck leaf", "caedec04d9afd957c2df2db0fc34836f", "00606a000000", 13,
                comps, "0c0c0303ffff01000000000000000000", 1,
                "e9ebc4da8072a2137aff4af003899dfa", 1, 0, 0);
    json_t *j = intel_pck_info_to_json(&info);
    cr_assert(j);
    cr_expect_str_eq(json_string_value(json_object_get(j, "fmspc")), "00606a000000");
    cr_expect_str_eq(json_string_value(json_object_get(j, "pce_id")), "0000");
    json_t *tcb = json_object_get(j, "tcb");
    cr_expect_eq(json_array_size(json_object_get(tcb, "sgx_svn")), 16);
    cr_expect_eq(json_integer_value(json_array_get(json_object_get(tcb, "sgx_svn"), 4)), 255);
    cr_expect_eq(json_integer_value(json_object_get(tcb, "pcesvn")), 13);
    cr_expect_eq(json_integer_value(json_object_get(j, "sgx_type")), 1);
    cr_expect_str_eq(json_string_value(json_object_get(j, "platform_instance_id")),
                     "e9ebc4da8072a2137aff4af003899dfa");
    json_t *cfg = json_object_get(j, "configuration");
    cr_expect(json_is_true(json_object_get(cfg, "dynamic_platform")));
    cr_expect(json_is_false(json_object_get(cfg, "cached_keys")));
    cr_expect(json_is_false(json_object_get(cfg, "smt_enabled")));
    json_decref(j);
    X509_free(x);
}

Test(dcap_parse, pck_without_extension)
{
    X509 *x = load_der_cert("tdx/certs/sgx_root_ca.der");
    intel_pck_info info;
    cr_expect_eq(intel_pck_info_parse(x, &info), ATTEST_E_CERT_PARSE);
    cr_expect(strstr(attest_error_last(), SGX_EXT_OID) != NULL, "%s", attest_error_last());
    X509_free(x);
    cr_expect_eq(intel_pck_info_parse(NULL, &info), ATTEST_E_INVALID_ARG);
}

static uint8_t *load_sample_ext(size_t *len)
{
    char path[512];
    uint8_t *der = tu_read(tu_shared(path, sizeof path,
                                     "tdx/certs/pck_sgx_extension_sample.der"), len);
    cr_assert(der, "cannot read %s", path);
    return der;
}

static int parse_ext(const uint8_t *der, size_t len, intel_pck_info *info)
{
    X509 *x = cert_with_ext(der, len);
    int st = intel_pck_info_parse(x, info);
    X509_free(x);
    return st;
}

/* The byte offset of `pat` in `hay`, or fail. */
static size_t find(const uint8_t *hay, size_t n, const uint8_t *pat, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, pat, m) == 0)
            return i;
    cr_assert_fail("pattern not found");
    return 0;
}

/* DER of OID 1.2.840.113741.1.13.1 (tag and length excluded). */
static const uint8_t OID_SGX[] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01};

/* Offset of the last arc byte of the member OID .<a>[.<b>] in `der`. */
static size_t member_oid_at(const uint8_t *der, size_t len, int a, int b)
{
    uint8_t pat[16];
    size_t m = 0;
    pat[m++] = 0x06;
    pat[m++] = (uint8_t)(sizeof OID_SGX + (b ? 2 : 1));
    memcpy(pat + m, OID_SGX, sizeof OID_SGX);
    m += sizeof OID_SGX;
    pat[m++] = (uint8_t)a;
    if (b)
        pat[m++] = (uint8_t)b;
    return find(der, len, pat, m) + m - 1;
}

static void expect_ext_fail(const uint8_t *der, size_t len, const char *oid,
                            const char *what)
{
    intel_pck_info info;
    int st = parse_ext(der, len, &info);
    cr_expect_eq(st, ATTEST_E_CERT_PARSE, "%s: got %s (%s)", what, attest_status_name(st),
                 attest_error_last());
    cr_expect(strstr(attest_error_last(), oid) != NULL, "%s: detail '%s' does not name %s",
              what, attest_error_last(), oid);
}

Test(dcap_parse, pck_extension_sample_and_edits)
{
    size_t len;
    uint8_t *der = load_sample_ext(&len);
    intel_pck_info info;
    cr_assert_eq(parse_ext(der, len, &info), ATTEST_OK, "%s", attest_error_last());
    static const int comps[16] = {4, 4, 3, 3, 255, 255};
    expect_info(&info, "sample", "75bae7ff017bc728267a13965b9961f7", "00606a000000", 11,
                comps, "04040303ffff00000000000000000000", 1,
                "00ef03f080dac2760185e43179406ec6", 1, 0, 1);

    uint8_t *buf = malloc(len + 32);
    cr_assert(buf);
    /* A required member renamed to an unknown OID: it is missing. */
    static const struct { int a, b; const char *oid; } required[] = {
        {1, 0, SGX_EXT_OID ".1"}, {2, 0, SGX_EXT_OID ".2"}, {3, 0, SGX_EXT_OID ".3"},
        {4, 0, SGX_EXT_OID ".4"}, {5, 0, SGX_EXT_OID ".5"}, {2, 1, SGX_EXT_OID ".2.1"},
        {2, 16, SGX_EXT_OID ".2.16"}, {2, 17, SGX_EXT_OID ".2.17"},
        {2, 18, SGX_EXT_OID ".2.18"},
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        memcpy(buf, der, len);
        buf[member_oid_at(buf, len, required[i].a, required[i].b)] = 0x63; /* .99 */
        expect_ext_fail(buf, len, required[i].oid, "renamed member");
        cr_expect(strstr(attest_error_last(), "missing") != NULL, "%s",
                  attest_error_last());
    }
    /* Optional members renamed away: fine, reported absent. */
    memcpy(buf, der, len);
    buf[member_oid_at(buf, len, 6, 0)] = 0x63;
    buf[member_oid_at(buf, len, 7, 0)] = 0x64;
    cr_expect_eq(parse_ext(buf, len, &info), ATTEST_OK, "%s", attest_error_last());
    cr_expect_not(info.has_platform_instance_id);
    cr_expect_not(info.has_configuration);
    cr_expect_eq(info.dynamic_platform, -1);
    json_t *j = intel_pck_info_to_json(&info);
    cr_expect(json_is_null(json_object_get(j, "configuration")));
    cr_expect(json_is_null(json_object_get(j, "platform_instance_id")));
    json_decref(j);

    /* Wrong types: the value tag after the member OID. */
    static const struct { int a, b; uint8_t tag; const char *oid; } types[] = {
        {1, 0, 0x0c, SGX_EXT_OID ".1"},  /* PPID as UTF8String */
        {4, 0, 0x0c, SGX_EXT_OID ".4"},  /* FMSPC as UTF8String */
        {5, 0, 0x02, SGX_EXT_OID ".5"},  /* SGX type INTEGER, not ENUMERATED */
        {2, 3, 0x0a, SGX_EXT_OID ".2.3"}, /* comp SVN ENUMERATED */
        {2, 17, 0x04, SGX_EXT_OID ".2.17"},
        {7, 1, 0x02, SGX_EXT_OID ".7.1"}, /* BOOLEAN as INTEGER */
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        memcpy(buf, der, len);
        buf[member_oid_at(buf, len, types[i].a, types[i].b) + 1] = types[i].tag;
        expect_ext_fail(buf, len, types[i].oid, "wrong type");
    }
    /* Wrong sizes: FMSPC OCTET STRING 6 -> 5 breaks the DER (parse error
     * of the whole extension); PCE-ID read with a 1-byte length inside
     * the same encoding is caught the same way. */
    memcpy(buf, der, len);
    size_t at = member_oid_at(buf, len, 4, 0);
    cr_assert_eq(buf[at + 2], 6);
    buf[at + 2] = 5;
    expect_ext_fail(buf, len, SGX_EXT_OID, "FMSPC length");
    /* A component SVN of 256 (02 02 01 00 replaces 02 01 xx + the next
     * byte) would need re-encoding; a negative one does not. */
    memcpy(buf, der, len);
    at = member_oid_at(buf, len, 2, 1);
    cr_assert_eq(buf[at + 1], 0x02);
    cr_assert_eq(buf[at + 2], 0x01);
    buf[at + 3] = 0x80; /* -128 */
    expect_ext_fail(buf, len, SGX_EXT_OID ".2.1", "negative SVN");

    /* Trailing bytes after the extension's SEQUENCE. */
    memcpy(buf, der, len);
    buf[len] = 0;
    expect_ext_fail(buf, len + 1, SGX_EXT_OID, "trailing byte");
    /* Truncated extension. */
    expect_ext_fail(der, len - 1, SGX_EXT_OID, "truncated");

    /* An unknown member appended (Intel adds members): ignored. */
    static const uint8_t extra[] = {0x30, 0x0f, 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf8,
                                    0x4d, 0x01, 0x0d, 0x01, 0x63, 0x02, 0x01, 0x05};
    cr_assert_eq(der[0], 0x30);
    cr_assert_eq(der[1], 0x82);
    size_t body = ((size_t)der[2] << 8 | der[3]) + sizeof extra;
    memcpy(buf, der, len);
    memcpy(buf + len, extra, sizeof extra);
    buf[2] = (uint8_t)(body >> 8);
    buf[3] = (uint8_t)body;
    cr_expect_eq(parse_ext(buf, len + sizeof extra, &info), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(info.pcesvn, 11);

    /* A member listed twice. */
    size_t ppid_seq = member_oid_at(der, len, 1, 0) - 13; /* 30 1e 06 0a <10> */
    cr_assert_eq(der[ppid_seq], 0x30);
    size_t dup_len = 2 + der[ppid_seq + 1];
    uint8_t *dup = malloc(len + dup_len);
    cr_assert(dup);
    memcpy(dup, der, len);
    memcpy(dup + len, der + ppid_seq, dup_len);
    body = ((size_t)der[2] << 8 | der[3]) + dup_len;
    dup[2] = (uint8_t)(body >> 8);
    dup[3] = (uint8_t)body;
    expect_ext_fail(dup, len + dup_len, SGX_EXT_OID ".1", "duplicate PPID");
    free(dup);

    free(buf);
    free(der);
}

/* Members are matched on their OID's bytes: one under a longer OID (.2.17
 * at the top level, a TCB component's number one arc too deep) or with a
 * multi-byte arc (.129, whose last byte reads as .1) is unknown and
 * ignored, never taken for the member its first or last arc names. */
Test(dcap_parse, pck_extension_members_are_matched_on_whole_oids)
{
    size_t len;
    uint8_t *der = load_sample_ext(&len);
    static const uint8_t extras[][18] = {
        /* SEQUENCE { OID sgx.2.17, INTEGER 5 } */
        {0x30, 0x10, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01,
         0x02, 0x11, 0x02, 0x01, 0x05},
        /* SEQUENCE { OID sgx.129, INTEGER 5 } */
        {0x30, 0x10, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01,
         0x81, 0x01, 0x02, 0x01, 0x05},
    };
    uint8_t *buf = malloc(len + sizeof extras[0]);
    cr_assert(buf);
    cr_assert_eq(der[1], 0x82);
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
        size_t body = ((size_t)der[2] << 8 | der[3]) + sizeof extras[i];
        memcpy(buf, der, len);
        memcpy(buf + len, extras[i], sizeof extras[i]);
        buf[2] = (uint8_t)(body >> 8);
        buf[3] = (uint8_t)body;
        intel_pck_info info;
        cr_expect_eq(parse_ext(buf, len + sizeof extras[i], &info), ATTEST_OK, "extra %zu: %s",
                     i, attest_error_last());
        cr_expect_eq(info.pcesvn, 11);
    }
    free(buf);
    free(der);
}
