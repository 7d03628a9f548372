/* Forms users already hold (issue 11): the SNP extended report's
 * certificate table, Trustee's SNP evidence JSON, dcap-qvl's collateral
 * JSON, the NVIDIA RIM service JSON, base64/hex text, and the description
 * of an unknown item. Each form gives the verdict of the original form;
 * the negatives are synthetic (test PKI, edited documents). */
#include "testutil.h"
#include "snpgen.h"

#include <openssl/evp.h>

#define AT_GOOD "2025-06-01T00:00:00Z"

/* ---- helpers ----------------------------------------------------------- */

static const uint8_t GUID_VCEK[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t GUID_ASK[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                     0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
static const uint8_t GUID_ARK[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                     0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

/* The same GUID in Microsoft's mixed-endian order. */
static void mixed_endian(uint8_t out[16], const uint8_t in[16])
{
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        out[i] = in[order[i]];
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

typedef struct table_entry {
    const uint8_t *guid;
    const uint8_t *data;
    size_t len;
    long offset; /* -1: placed after the previous entry */
} table_entry;

/* GUID table + data, terminated by an all-zero entry; returns the blob. */
static uint8_t *build_table(const table_entry *e, size_t n, size_t *len)
{
    size_t at = (n + 1) * 24, total = at;
    for (size_t i = 0; i < n; i++)
        total += e[i].data ? e[i].len : 0; /* no data: a length that lies */
    uint8_t *blob = calloc(1, total + 64);
    cr_assert(blob);
    for (size_t i = 0; i < n; i++) {
        size_t off = e[i].offset >= 0 ? (size_t)e[i].offset : at;
        memcpy(blob + 24 * i, e[i].guid, 16);
        put_le32(blob + 24 * i + 16, (uint32_t)off);
        put_le32(blob + 24 * i + 20, (uint32_t)e[i].len);
        if (e[i].data && off >= (n + 1) * 24 && off + e[i].len <= total)
            memcpy(blob + off, e[i].data, e[i].len);
        if (e[i].offset < 0)
            at += e[i].len;
    }
    *len = total;
    return blob;
}

static uint8_t *der_of(X509 *cert, size_t *len)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    cr_assert(n > 0);
    uint8_t *copy = malloc((size_t)n);
    memcpy(copy, der, (size_t)n);
    OPENSSL_free(der);
    *len = (size_t)n;
    return copy;
}

static attest_verifier *pinned_verifier(X509 *ark, const char *at)
{
    attest_verifier *v = NULL;
    char hex[65];
    uint8_t pin[32];
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_clear_anchors(v, ATTEST_VENDOR_AMD);
    cr_assert_eq(snpgen_spki_sha256_hex(hex, ark), 0);
    for (int i = 0; i < 32; i++) {
        unsigned b;
        sscanf(hex + 2 * i, "%2x", &b);
        pin[i] = (uint8_t)b;
    }
    attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, pin);
    attest_verifier_set_time(v, tu_time(at));
    return v;
}

/* Verify evidence bytes with one collateral item (may be NULL) and more
 * collateral items; the reason goes to `why`. */
static int verify_items(attest_verifier *v, const uint8_t *ev_bytes, size_t ev_len,
                        const uint8_t *const *items, const size_t *lens, size_t n,
                        const char *policy, char *why, size_t why_len)
{
    attest_evidence *ev = NULL;
    attest_collateral *c = NULL;
    int status = attest_evidence_parse(&ev, ev_bytes, ev_len);
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; status == ATTEST_OK && i < n; i++)
        status = attest_collateral_add(c, items[i], lens[i]);
    if (status == ATTEST_OK) {
        attest_policy *p = policy ? tu_policy(policy) : NULL;
        attest_result *r = NULL;
        status = attest_verify(&r, v, ev, c, p, NULL, 0);
        snprintf(why, why_len, "%s", attest_result_reason(r));
        attest_result_free(r);
        attest_policy_free(p);
    } else {
        snprintf(why, why_len, "%s", attest_error_last());
    }
    attest_collateral_free(c);
    attest_evidence_free(ev);
    return status;
}

typedef struct snp_fixture {
    snpgen_pki *pki;
    uint8_t report[SNPGEN_REPORT_SIZE];
    uint8_t *vcek, *ask, *ark;
    size_t vcek_len, ask_len, ark_len;
    attest_verifier *v;
} snp_fixture;

static void snp_load(snp_fixture *f)
{
    char dir[512];
    memset(f, 0, sizeof *f);
    cr_assert_eq(snpgen_pki_load(&f->pki, tu_pki(dir, sizeof dir, "milan")), 0);
    cr_assert_eq(snpgen_report_init(f->report, f->pki, 3), 0);
    cr_assert_eq(snpgen_report_sign(f->report, f->pki->vcek_key), 0);
    f->vcek = der_of(f->pki->vcek, &f->vcek_len);
    f->ask = der_of(f->pki->ask, &f->ask_len);
    f->ark = der_of(f->pki->ark, &f->ark_len);
    f->v = pinned_verifier(f->pki->ark, AT_GOOD);
}

static void snp_free(snp_fixture *f)
{
    free(f->vcek);
    free(f->ask);
    free(f->ark);
    attest_verifier_free(f->v);
    snpgen_pki_free(f->pki);
}

/* The fixture's report with one collateral blob. */
static int snp_verify_with(snp_fixture *f, const uint8_t *report, size_t len,
                           const uint8_t *blob, size_t blob_len, char *why, size_t n)
{
    const uint8_t *items[] = {blob};
    size_t lens[] = {blob_len};
    return verify_items(f->v, report, len, items, lens, blob ? 1 : 0, POLICY_AUTHENTICITY, why,
                        n);
}

static int add_status(const uint8_t *data, size_t len)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    int status = attest_collateral_add(c, data, len);
    attest_collateral_free(c);
    return status;
}

/* ---- SNP certificate table ----------------------------------------------- */

Test(formats, snp_cert_table_gives_the_verdict_of_the_separate_certificates)
{
    snp_fixture f;
    char why[512];
    snp_load(&f);
    uint8_t vcek_me[16], ask_me[16];
    mixed_endian(vcek_me, GUID_VCEK);
    mixed_endian(ask_me, GUID_ASK);
    const table_entry rfc[] = {{GUID_VCEK, f.vcek, f.vcek_len, -1},
                               {GUID_ASK, f.ask, f.ask_len, -1},
                               {GUID_ARK, f.ark, f.ark_len, -1}};
    const table_entry mixed[] = {{vcek_me, f.vcek, f.vcek_len, -1},
                                 {ask_me, f.ask, f.ask_len, -1}};
    size_t len;
    uint8_t *blob = build_table(rfc, 3, &len);
    attest_item_kind kind;
    cr_assert_eq(attest_classify(&kind, blob, len), ATTEST_OK);
    cr_expect_eq(kind, ATTEST_ITEM_CERTIFICATES);
    cr_expect_eq(snp_verify_with(&f, f.report, sizeof f.report, blob, len, why, sizeof why),
                 ATTEST_OK, "%s", why);
    free(blob);
    /* Either GUID byte order; the ARK comes from the pinned key's holder. */
    blob = build_table(mixed, 2, &len);
    const uint8_t *items[] = {blob, f.ark};
    size_t lens[] = {len, f.ark_len};
    cr_expect_eq(verify_items(f.v, f.report, sizeof f.report, items, lens, 2,
                              POLICY_AUTHENTICITY, why, sizeof why),
                 ATTEST_OK, "%s", why);
    free(blob);
    /* Without the VCEK entry the report has no signer: as without the file. */
    blob = build_table(rfc + 1, 2, &len);
    cr_expect_eq(snp_verify_with(&f, f.report, sizeof f.report, blob, len, why, sizeof why),
                 ATTEST_E_COLLATERAL_MISSING, "%s", why);
    free(blob);
    snp_free(&f);
}

/* Each malformed table is refused as collateral with the field named. */
Test(formats, snp_cert_table_strictness)
{
    snp_fixture f;
    snp_load(&f);
    uint8_t vcek_me[16], unknown[16];
    mixed_endian(vcek_me, GUID_VCEK);
    memcpy(unknown, GUID_ARK, 16);
    unknown[15] ^= 1;
    struct {
        table_entry e[3];
        size_t n;
        const char *want;
    } cases[] = {
        /* the same GUID twice, in both byte orders: counted by identity */
        {{{GUID_VCEK, f.vcek, f.vcek_len, -1}, {vcek_me, f.vcek, f.vcek_len, -1}}, 2,
         "snp.cert_table[1].guid: VCEK already given by entry 0"},
        {{{GUID_VCEK, f.vcek, f.vcek_len, -1}, {unknown, f.ark, f.ark_len, -1}}, 2,
         "snp.cert_table[1].guid: unknown GUID"},
        {{{GUID_VCEK, NULL, 16, 8}}, 1, "snp.cert_table[0].offset: 0x8 points into"},
        {{{GUID_VCEK, f.vcek, f.vcek_len, -1}, {GUID_ASK, f.ask, f.ask_len, 72 + 100}}, 2,
         "snp.cert_table[1].offset: its bytes overlap those of entry 0"},
        {{{GUID_VCEK, f.vcek, f.vcek_len, -1}, {GUID_ARK, NULL, 0x10000, -1}}, 2,
         "snp.cert_table[1].length: 0x10000 bytes"},
        {{{GUID_VCEK, f.vcek, 0, -1}}, 1, "snp.cert_table[0].length: is 0"},
        {{{GUID_VCEK, f.vcek, f.vcek_len - 1, -1}}, 1,
         "snp.cert_table[0] (VCEK): its 0x"}, /* not exactly one certificate */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        uint8_t *blob = build_table(cases[i].e, cases[i].n, &len);
        cr_expect_eq(add_status(blob, len), ATTEST_E_MALFORMED, "case %zu", i);
        cr_expect(strstr(attest_error_last(), cases[i].want), "case %zu: %s", i,
                  attest_error_last());
        free(blob);
    }
    /* No all-zero terminator inside the blob. */
    uint8_t open_table[47] = {0};
    memcpy(open_table, GUID_VCEK, 16);
    put_le32(open_table + 16, 40);
    put_le32(open_table + 20, 7);
    cr_expect_eq(add_status(open_table, sizeof open_table), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "not the all-zero entry that ends the table"), "%s",
              attest_error_last());
    cr_expect_eq(add_status(open_table, 24), ATTEST_E_MALFORMED); /* blob ends after it */
    cr_expect(strstr(attest_error_last(), "no all-zero entry ends the table"), "%s",
              attest_error_last());
    snp_free(&f);
}
