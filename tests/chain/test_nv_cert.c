/* NVIDIA certificate details (lib/chain/nv_cert.c): the leaf FWID in its
 * Hopper and Blackwell encodings on the real chains of
 * ../shared/vectors/nvidia (compared with the FWID the signed report
 * carries, opaque type 20), then malformed extensions; the 7 stored OCSP
 * responses of set A (each at its own thisUpdate, as MANIFEST.md says),
 * their time window, matching and a flipped signature; then synthetic
 * responses built here with OpenSSL: statuses, delegated responders with
 * and without authority, issuer-signed, CertID hashes, the bound on
 * SingleResponses and duplicates, the nonce against the recorded request
 * nonce, no nextUpdate and the max age, selection among several responses,
 * the collateral's request nonces and bound. */
#include "testutil.h"

#include "chain/nv_cert.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define SETA "nvidia/hopper/setA_h100_550.90.07_complete/"
#define GB100 "nvidia/blackwell/gb100_575.32_vbios970088000F/"
#define GB202 "nvidia/blackwell/gb202_rtxpro6000_595.58.03_vbios9802810001/"
#define SETD "nvidia/hopper/setD_h100_595.71.05_azure_complete/"
#define SWITCH "nvidia/nvswitch/setC_ls10_96.10.55.00.01_complete/"

/* ---- helpers -------------------------------------------------------- */

static uint8_t *shared_file(const char *rel, size_t *len)
{
    char p[512];
    uint8_t *d = tu_read(tu_shared(p, sizeof p, rel), len);
    cr_assert(d, "cannot read %s", p);
    return d;
}

static const uint8_t *find(const void *hay, size_t hl, const void *needle, size_t nl)
{
    const uint8_t *h = hay;
    for (size_t i = 0; nl <= hl && i <= hl - nl; i++)
        if (memcmp(h + i, needle, nl) == 0)
            return h + i;
    return NULL;
}

static STACK_OF(X509) *pem_chain(const char *rel)
{
    size_t len;
    uint8_t *pem = shared_file(rel, &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    STACK_OF(X509) *sk = sk_X509_new_null();
    X509 *x;
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
        sk_X509_push(sk, x);
    ERR_clear_error();
    BIO_free(bio);
    free(pem);
    cr_assert(sk_X509_num(sk) > 0, "%s: no certificate", rel);
    return sk;
}

static X509 *pem_one(const char *rel)
{
    STACK_OF(X509) *sk = pem_chain(rel);
    X509 *x = sk_X509_shift(sk);
    sk_X509_pop_free(sk, X509_free);
    return x;
}

/* The KeyInfo certificates of a RIM, in document order: a plain scan for
 * <...X509Certificate> elements, base64-decoded (no RIM parser). */
static STACK_OF(X509) *rim_chain(const char *rel)
{
    size_t len;
    char *xml = (char *)shared_file(rel, &len);
    char *text = malloc(len + 1);
    memcpy(text, xml, len);
    text[len] = '\0';
    free(xml);
    STACK_OF(X509) *sk = sk_X509_new_null();
    const char *p = text;
    while ((p = strstr(p, "X509Certificate>")) != NULL) {
        const char *lt = p;
        while (lt > text && *lt != '<')
            lt--;
        p += strlen("X509Certificate>");
        if (lt[1] == '/')
            continue; /* a closing tag */
        const char *end = strstr(p, "</");
        cr_assert(end);
        size_t n = (size_t)(end - p);
        char *b64 = malloc(n + 1);
        size_t k = 0, pad = 0;
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '+' || c == '/' || c == '=') {
                b64[k++] = c;
                pad += c == '=';
            }
        }
        cr_assert(k % 4 == 0 && k > 0);
        unsigned char *der = malloc(k);
        int dl = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)k);
        cr_assert(dl > 0);
        const unsigned char *q = der;
        X509 *x = d2i_X509(NULL, &q, dl - (int)pad);
        cr_assert(x, "%s: KeyInfo certificate %d undecodable", rel, sk_X509_num(sk));
        sk_X509_push(sk, x);
        free(der);
        free(b64);
        p = end;
    }
    free(text);
    cr_assert(sk_X509_num(sk) >= 3, "%s: %d KeyInfo certificates", rel, sk_X509_num(sk));
    return sk;
}

static OCSP_RESPONSE *ocsp_file(const char *rel)
{
    size_t len;
    uint8_t *der = shared_file(rel, &len);
    const unsigned char *p = der;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    cr_assert(r, "%s: not a DER OCSPResponse", rel);
    free(der);
    return r;
}

/* The FWID the signed report carries: opaque TLV type 20, 48 bytes. */
static void report_fwid(const char *rel, uint8_t out[48])
{
    size_t len;
    uint8_t *rep = shared_file(rel, &len);
    static const uint8_t hdr[4] = {0x14, 0x00, 0x30, 0x00};
    const uint8_t *at = find(rep, len, hdr, 4);
    cr_assert(at && at + 4 + 48 <= rep + len, "%s: no FWID field", rel);
    memcpy(out, at + 4, 48);
    free(rep);
}

static const ASN1_OCTET_STRING *ext_value(X509 *x, const char *oid)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    int idx = X509_get_ext_by_OBJ(x, obj, -1);
    ASN1_OBJECT_free(obj);
    return idx < 0 ? NULL : X509_EXTENSION_get_data(X509_get_ext(x, idx));
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* ---- FWID on the real chains ----------------------------------------- */

static void expect_leaf_fwid(const char *chain, const char *report, uint8_t fwid[48])
{
    STACK_OF(X509) *sk = pem_chain(chain);
    bool present = false;
    cr_assert_eq(nv_cert_fwid(sk_X509_value(sk, 0), fwid, &present), ATTEST_OK, "%s: %s", chain,
                 attest_error_last());
    cr_assert(present, "%s: leaf FWID absent", chain);
    uint8_t want[48];
    report_fwid(report, want);
    cr_expect_arr_eq(fwid, want, 48, "%s: leaf FWID != report FWID", chain);
    /* the CA certificates carry none */
    for (int i = 1; i < sk_X509_num(sk); i++) {
        uint8_t other[48];
        present = true;
        cr_expect_eq(nv_cert_fwid(sk_X509_value(sk, i), other, &present), ATTEST_OK);
        cr_expect(!present, "%s: certificate %d has a FWID", chain, i);
    }
    sk_X509_pop_free(sk, X509_free);
}

Test(nv_fwid, hopper_set_a_leaf)
{
    uint8_t fwid[48];
    expect_leaf_fwid(SETA "device_cert_chain.pem", SETA "attestation_report.bin", fwid);
    /* the decoded digest is what nvtrust takes: the last 48 bytes */
    STACK_OF(X509) *sk = pem_chain(SETA "device_cert_chain.pem");
    const ASN1_OCTET_STRING *v = ext_value(sk_X509_value(sk, 0), "2.23.133.5.4.1");
    cr_assert(v);
    cr_assert(ASN1_STRING_length(v) > 48);
    cr_expect_arr_eq(fwid, ASN1_STRING_get0_data(v) + ASN1_STRING_length(v) - 48, 48);
    char h[97];
    hex(h, fwid, 48);
    cr_expect_str_eq(h, "f5c384aebb579217a2c66b17ed0f28e6a9b8d639041acd7b4721cec004f72754"
                        "94ba94bb5cdfdb3055ee051762b1f75d");
    sk_X509_pop_free(sk, X509_free);
}

Test(nv_fwid, hopper_set_d_leaf)
{
    uint8_t fwid[48];
    expect_leaf_fwid(SETD "device_cert_chain.pem", SETD "attestation_report.bin", fwid);
}

Test(nv_fwid, blackwell_gb100_leaf)
{
    uint8_t fwid[48];
    expect_leaf_fwid(GB100 "device_cert_chain.pem", GB100 "attestation_report.bin", fwid);
    char h[97];
    hex(h, fwid, 48);
    cr_expect_str_eq(h, "d090cab1b6e6ffddca83d1781e25b3f040fa1f3c7608230cb5f41b1c1b99f5f7"
                        "48349e59d0ef8eb830c9bc79ccf77502");
}

Test(nv_fwid, blackwell_gb202_leaf)
{
    uint8_t fwid[48];
    expect_leaf_fwid(GB202 "device_cert_chain.pem", GB202 "attestation_report.bin", fwid);
    static const uint8_t prefix[4] = {0x9b, 0x92, 0xcc, 0x3e}; /* MANIFEST: 9b92cc3e... */
    cr_expect_arr_eq(fwid, prefix, 4);
}

/* The NVSwitch leaf carries a Hopper-encoded FWID too (its report has no
 * FWID field to compare it with). */
Test(nv_fwid, switch_leaf)
{
    STACK_OF(X509) *sk = pem_chain(SWITCH "device_cert_chain.pem");
    uint8_t fwid[48];
    bool present = false;
    cr_assert_eq(nv_cert_fwid(sk_X509_value(sk, 0), fwid, &present), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect(present);
    char h[97];
    hex(h, fwid, 48);
    cr_expect_str_eq(h, "2ea9f30a114c20a12b06520f75617587e9c33e074203ea04d8142750f9ea31f4"
                        "c6fba6f6aa7365c8761df345ea571299");
    size_t len;
    uint8_t *rep = shared_file(SWITCH "attestation_report.bin", &len);
    static const uint8_t hdr[4] = {0x14, 0x00, 0x30, 0x00};
    cr_expect(!find(rep, len, hdr, 4), "switch report has a FWID field");
    free(rep);
    sk_X509_pop_free(sk, X509_free);
}

/* Every other Hopper leaf of the corpus: the decoded FWID is the last 48
 * bytes of the extension (the nvtrust rule). */
Test(nv_fwid, hopper_leaves_match_the_nvtrust_rule)
{
    static const char *const chains[] = {
        "nvidia/hopper/setB_h100_545.00_nvtrust2023_complete/device_cert_chain.pem",
        "nvidia/hopper/partial/h100_535.86.09_vbios96005E0001/device_cert_chain.pem",
        "nvidia/hopper/partial/h100_570.124.03_vbios96005E0004/device_cert_chain.pem",
        "nvidia/hopper/partial/h100_580.159.03_vbios9600740020/device_cert_chain.pem",
        "nvidia/hopper/partial/h100_580.95.05_trailing_byte/device_cert_chain.pem",
        SETD "device_cert_chain.pem",
        SWITCH "device_cert_chain.pem",
    };
    for (size_t i = 0; i < sizeof chains / sizeof *chains; i++) {
        STACK_OF(X509) *sk = pem_chain(chains[i]);
        X509 *leaf = sk_X509_value(sk, 0);
        uint8_t fwid[48];
        bool present = false;
        cr_assert_eq(nv_cert_fwid(leaf, fwid, &present), ATTEST_OK, "%s: %s", chains[i],
                     attest_error_last());
        cr_expect(present, "%s", chains[i]);
        const ASN1_OCTET_STRING *v = ext_value(leaf, "2.23.133.5.4.1");
        cr_assert(v && ASN1_STRING_length(v) > 48, "%s", chains[i]);
        cr_expect_arr_eq(fwid, ASN1_STRING_get0_data(v) + ASN1_STRING_length(v) - 48, 48, "%s",
                         chains[i]);
        sk_X509_pop_free(sk, X509_free);
    }
}

Test(nv_fwid, null_arguments)
{
    uint8_t fwid[48];
    bool present;
    cr_expect_eq(nv_cert_fwid(NULL, fwid, &present), ATTEST_E_INVALID_ARG);
}

/* ---- FWID: synthetic extensions ------------------------------------- */

typedef struct buf {
    uint8_t d[2048];
    size_t n;
} buf;

static void b_raw(buf *b, const void *p, size_t n)
{
    cr_assert(b->n + n <= sizeof b->d);
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void b_tlv(buf *b, uint8_t tag, const void *body, size_t len)
{
    uint8_t h[4];
    size_t k = 0;
    h[k++] = tag;
    if (len < 128) {
        h[k++] = (uint8_t)len;
    } else if (len < 256) {
        h[k++] = 0x81;
        h[k++] = (uint8_t)len;
    } else {
        h[k++] = 0x82;
        h[k++] = (uint8_t)(len >> 8);
        h[k++] = (uint8_t)len;
    }
    b_raw(b, h, k);
    b_raw(b, body, len);
}

static void b_wrap(buf *b, uint8_t tag, const buf *inner)
{
    b_tlv(b, tag, inner->d, inner->n);
}

static const uint8_t OID_SHA384[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
static const uint8_t OID_SHA256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};

/* SEQUENCE { OID, OCTET STRING(n) of byte `fill` } */
static void b_fwid(buf *b, const uint8_t *oid, size_t oid_len, size_t n, uint8_t fill)
{
    uint8_t digest[64];
    memset(digest, fill, sizeof digest);
    buf in = {0};
    b_tlv(&in, 0x06, oid, oid_len);
    b_tlv(&in, 0x04, digest, n);
    b_wrap(b, 0x30, &in);
}

static EVP_PKEY *gen_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-384");
    cr_assert(k);
    return k;
}

/* Hopper value: SEQUENCE { INTEGER 1, SPKI, SEQUENCE { OID, OCTET STRING } } */
static buf hopper_value(EVP_PKEY *key, const uint8_t *oid, size_t n, uint8_t fill, int elements,
                        bool trailing)
{
    buf in = {0}, out = {0};
    static const uint8_t one = 1;
    b_tlv(&in, 0x02, &one, 1);
    if (elements >= 2) {
        unsigned char *spki = NULL;
        int sl = i2d_PUBKEY(key, &spki);
        cr_assert(sl > 0);
        b_raw(&in, spki, (size_t)sl);
        OPENSSL_free(spki);
    }
    if (elements >= 3)
        b_fwid(&in, oid, sizeof OID_SHA384, n, fill);
    b_wrap(&out, 0x30, &in);
    if (trailing)
        b_raw(&out, "\0", 1);
    return out;
}

/* DiceTcbInfo: [0] vendor, [1] model, [6] fwids { fwid0, fwid1 }, [7] flags,
 * [10] flagsMask (a field we do not interpret). */
static buf dice_value(const uint8_t *oid0, size_t n0, uint8_t fill)
{
    buf in = {0}, fwids = {0}, out = {0};
    b_tlv(&in, 0x80, "NVIDIA", 6);
    b_tlv(&in, 0x81, "GB100 A01 GSP", 13);
    b_fwid(&fwids, oid0, sizeof OID_SHA384, n0, fill);
    b_fwid(&fwids, OID_SHA384, sizeof OID_SHA384, 48, 0x00);
    b_wrap(&in, 0xa6, &fwids);
    b_tlv(&in, 0x87, "\x00\x80\x00\x00\x01", 5);
    b_tlv(&in, 0x8a, "\x00\x80\x00\x00\x01", 5);
    b_wrap(&out, 0x30, &in);
    return out;
}

/* A self-signed certificate with the given extensions (value DER). */
static X509 *cert_with(EVP_PKEY *key, const char *oid1, const buf *v1, const char *oid2,
                       const buf *v2)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"FWID test", -1, -1,
                               0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, n);
    X509_NAME_free(n);
    ASN1_TIME_set(X509_getm_notBefore(x), 1700000000);
    ASN1_TIME_set(X509_getm_notAfter(x), 1900000000);
    X509_set_pubkey(x, key);
    const char *oids[2] = {oid1, oid2};
    const buf *vals[2] = {v1, v2};
    for (int i = 0; i < 2; i++) {
        if (!oids[i])
            continue;
        ASN1_OBJECT *obj = OBJ_txt2obj(oids[i], 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(os, vals[i]->d, (int)vals[i]->n);
        X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
        cr_assert(e);
        cr_assert(X509_add_ext(x, e, -1));
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(obj);
    }
    cr_assert(X509_sign(x, key, EVP_sha384()) > 0);
    return x;
}

static int fwid_of(X509 *x, uint8_t out[48], bool *present)
{
    int st = nv_cert_fwid(x, out, present);
    X509_free(x);
    return st;
}

#define HOP "2.23.133.5.4.1"
#define DICE "2.23.133.5.4.1.1"

Test(nv_fwid, synthetic_hopper)
{
    EVP_PKEY *k = gen_key();
    uint8_t fwid[48], want[48];
    bool present = false;
    memset(want, 0x5a, 48);
    buf v = hopper_value(k, OID_SHA384, 48, 0x5a, 3, false);
    cr_assert_eq(fwid_of(cert_with(k, HOP, &v, NULL, NULL), fwid, &present), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect(present);
    cr_expect_arr_eq(fwid, want, 48);

    v = hopper_value(k, OID_SHA256, 48, 0x5a, 3, false);
    cr_expect_eq(fwid_of(cert_with(k, HOP, &v, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    cr_expect(strstr(attest_error_last(), "SHA-384"), "%s", attest_error_last());
    v = hopper_value(k, OID_SHA384, 32, 0x5a, 3, false);
    cr_expect_eq(fwid_of(cert_with(k, HOP, &v, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    v = hopper_value(k, OID_SHA384, 48, 0x5a, 3, true);
    cr_expect_eq(fwid_of(cert_with(k, HOP, &v, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    v = hopper_value(k, OID_SHA384, 48, 0x5a, 2, false);
    cr_expect_eq(fwid_of(cert_with(k, HOP, &v, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    cr_expect(!present);

    /* element 2 a SEQUENCE that is no SubjectPublicKeyInfo */
    buf in = {0}, bad = {0}, notspki = {0};
    static const uint8_t one = 1;
    b_tlv(&in, 0x02, &one, 1);
    b_tlv(&notspki, 0x02, &one, 1);
    b_wrap(&in, 0x30, &notspki);
    b_fwid(&in, OID_SHA384, sizeof OID_SHA384, 48, 1);
    b_wrap(&bad, 0x30, &in);
    cr_expect_eq(fwid_of(cert_with(k, HOP, &bad, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);

    /* not DER at all, and an empty value */
    buf junk = {.d = {0x04, 0x02, 0x01}, .n = 3};
    cr_expect_eq(fwid_of(cert_with(k, HOP, &junk, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    buf empty = {0};
    cr_expect_eq(fwid_of(cert_with(k, HOP, &empty, NULL, NULL), fwid, &present),
                 ATTEST_E_CERT_PARSE);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &empty, NULL, NULL), fwid, &present),
                 ATTEST_E_CERT_PARSE);
    EVP_PKEY_free(k);
}

Test(nv_fwid, synthetic_dice)
{
    EVP_PKEY *k = gen_key();
    uint8_t fwid[48], want[48];
    bool present = false;
    memset(want, 0xc3, 48);
    buf v = dice_value(OID_SHA384, 48, 0xc3);
    cr_assert_eq(fwid_of(cert_with(k, DICE, &v, NULL, NULL), fwid, &present), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect(present);
    cr_expect_arr_eq(fwid, want, 48, "fwids[0], not fwids[1]");

    v = dice_value(OID_SHA256, 48, 0xc3);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &v, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    v = dice_value(OID_SHA384, 32, 0xc3);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &v, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);

    /* no fwids */
    buf in = {0}, out = {0};
    b_tlv(&in, 0x80, "NVIDIA", 6);
    b_tlv(&in, 0x83, "\x01", 1);
    b_wrap(&out, 0x30, &in);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &out, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    cr_expect(strstr(attest_error_last(), "fwids"), "%s", attest_error_last());

    /* fwids [6] primitive */
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    b_tlv(&in, 0x86, "\x30\x00", 2);
    b_wrap(&out, 0x30, &in);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &out, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);

    /* empty fwids */
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    b_tlv(&in, 0xa6, "", 0);
    b_wrap(&out, 0x30, &in);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &out, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);

    /* fields out of order: [6] before [1] */
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    buf fwids = {0};
    b_fwid(&fwids, OID_SHA384, sizeof OID_SHA384, 48, 1);
    b_wrap(&in, 0xa6, &fwids);
    b_tlv(&in, 0x81, "GB100", 5);
    b_wrap(&out, 0x30, &in);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &out, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);

    /* a universal field inside the SEQUENCE */
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    b_tlv(&in, 0x0c, "NVIDIA", 6);
    b_wrap(&in, 0xa6, &fwids);
    b_wrap(&out, 0x30, &in);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &out, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);

    /* an entry of fwids that is not FWID { OID, OCTET STRING } */
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    buf bad_fwids = {0}, bad_entry = {0};
    b_fwid(&bad_fwids, OID_SHA384, sizeof OID_SHA384, 48, 1);
    b_tlv(&bad_entry, 0x04, "\x01", 1);
    b_wrap(&bad_fwids, 0x30, &bad_entry);
    b_wrap(&in, 0xa6, &bad_fwids);
    b_wrap(&out, 0x30, &in);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &out, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);

    /* lengths beyond their bounds: every truncation of a good value */
    v = dice_value(OID_SHA384, 48, 0xc3);
    for (size_t cut = 1; cut < v.n; cut += 7) {
        buf t = v;
        t.n = cut;
        cr_expect_eq(fwid_of(cert_with(k, DICE, &t, NULL, NULL), fwid, &present),
                     ATTEST_E_CERT_PARSE, "cut at %zu", cut);
    }
    /* an inner length larger than its container */
    buf t = dice_value(OID_SHA384, 48, 0xc3);
    cr_assert_eq(t.d[1], 0x81); /* 30 81 LL 80 06 "NVIDIA" */
    cr_assert_eq(t.d[3], 0x80);
    t.d[4] = 0x7f;
    cr_expect_eq(fwid_of(cert_with(k, DICE, &t, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    /* trailing bytes after the SEQUENCE */
    t = dice_value(OID_SHA384, 48, 0xc3);
    b_raw(&t, "\x00\x00", 2);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &t, NULL, NULL), fwid, &present), ATTEST_E_CERT_PARSE);
    EVP_PKEY_free(k);
}

Test(nv_fwid, both_extensions_duplicates_and_none)
{
    EVP_PKEY *k = gen_key();
    uint8_t fwid[48], want[48];
    bool present = false;
    buf h = hopper_value(k, OID_SHA384, 48, 0x11, 3, false);
    buf d = dice_value(OID_SHA384, 48, 0x11);
    buf d2 = dice_value(OID_SHA384, 48, 0x22);
    memset(want, 0x11, 48);
    cr_expect_eq(fwid_of(cert_with(k, HOP, &h, DICE, &d), fwid, &present), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect(present);
    cr_expect_arr_eq(fwid, want, 48);
    cr_expect_eq(fwid_of(cert_with(k, HOP, &h, DICE, &d2), fwid, &present), ATTEST_E_CERT_PARSE);
    cr_expect_eq(fwid_of(cert_with(k, DICE, &d, DICE, &d), fwid, &present), ATTEST_E_CERT_PARSE);
    cr_expect_eq(fwid_of(cert_with(k, HOP, &h, HOP, &h), fwid, &present), ATTEST_E_CERT_PARSE);
    cr_expect(strstr(attest_error_last(), "more than once"), "%s", attest_error_last());
    /* neither extension: absent, not an error */
    present = true;
    cr_expect_eq(fwid_of(cert_with(k, NULL, NULL, NULL, NULL), fwid, &present), ATTEST_OK);
    cr_expect(!present);
    /* the parent OID alone (2.23.133.5.4) is not a FWID extension */
    cr_expect_eq(fwid_of(cert_with(k, "2.23.133.5.4", &h, NULL, NULL), fwid, &present), ATTEST_OK);
    cr_expect(!present);
    EVP_PKEY_free(k);
}

/* ---- OCSP: the stored responses of set A ------------------------------ */

enum { DEVICE = 0, DRIVER_RIM = 1, VBIOS_RIM = 2 };

typedef struct ocsp_vec {
    const char *file;
    int chain, index;
    const char *this_update;
    const char *responder;
    const char *cn;
} ocsp_vec;

static const ocsp_vec VECS[7] = {
    {"gpu_cert1_brom", DEVICE, 1, "2025-08-21T06:47:07Z",
     "NVIDIA OCSP Responder L3 GH100 ICA1 Identity", "GH100 A01 GSP BROM"},
    {"gpu_cert2_provisioner_ica1", DEVICE, 2, "2025-08-21T06:47:07Z",
     "NVIDIA OCSP Responder L2 GH100 Identity", "NVIDIA GH100 Provisioner ICA 1"},
    {"gpu_cert3_gh100_identity", DEVICE, 3, "2025-08-21T06:47:08Z",
     "NVIDIA OCSP Responder L1-A 02", "NVIDIA GH100 Identity"},
    {"driver_rim_cert0_leaf", DRIVER_RIM, 0, "2025-10-24T11:32:21Z",
     "NVIDIA OCSP Responder L3 GH100 002", "HCC RIM L4 Signer"},
    {"rim_cert1_L3_gh100_002", DRIVER_RIM, 1, "2025-10-24T11:32:21Z",
     "NVIDIA OCSP Responder L2 Reference Value GH100", "NVIDIA Reference Value L3 GH100 002"},
    {"rim_cert2_gh100_ca", DRIVER_RIM, 2, "2025-10-24T11:32:21Z",
     "NVIDIA OCSP Responder L1 CoRIM Root", "NVIDIA Reference Value GH100 CA"},
    {"vbios_rim_cert0_leaf", VBIOS_RIM, 0, "2025-10-24T11:32:22Z",
     "NVIDIA OCSP Responder L3 GH100 002", "HCC RIM L4 Signer"},
};

typedef struct set_a {
    STACK_OF(X509) *chains[3]; /* device; driver RIM KeyInfo; VBIOS RIM KeyInfo */
    X509 *rim_root;            /* the pinned CoRIM root */
    OCSP_RESPONSE *resp[7];
} set_a;

static void set_a_load(set_a *s)
{
    s->chains[DEVICE] = pem_chain(SETA "device_cert_chain.pem");
    s->chains[DRIVER_RIM] = rim_chain(SETA "driver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml");
    s->chains[VBIOS_RIM] = rim_chain(SETA "vbios_rim_NV_GPU_VBIOS_1010_0200_882_96009F0001.xml");
    cr_assert_eq(sk_X509_num(s->chains[DEVICE]), 5);
    s->rim_root = pem_one("nvidia/roots/nvidia_corim_signing_root_ca.pem");
    /* the last KeyInfo certificate is a copy of the pinned root */
    cr_assert_eq(X509_cmp(sk_X509_value(s->chains[DRIVER_RIM], 3), s->rim_root), 0);
    for (int i = 0; i < 7; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, SETA "ocsp/%s.ocsp.der", VECS[i].file);
        s->resp[i] = ocsp_file(rel);
    }
}

static void set_a_free(set_a *s)
{
    for (int i = 0; i < 3; i++)
        sk_X509_pop_free(s->chains[i], X509_free);
    X509_free(s->rim_root);
    for (int i = 0; i < 7; i++)
        OCSP_RESPONSE_free(s->resp[i]);
}

/* The (certificate, issuer) pair vector `v` is about. */
static void pair(const set_a *s, const ocsp_vec *v, X509 **cert, X509 **issuer)
{
    STACK_OF(X509) *c = s->chains[v->chain];
    *cert = sk_X509_value(c, v->index);
    /* RIM chains: the CA's issuer is the pinned root, not the KeyInfo copy */
    *issuer = v->chain != DEVICE && v->index == 2 ? s->rim_root : sk_X509_value(c, v->index + 1);
    char cn[96];
    X509_NAME_get_text_by_NID(X509_get_subject_name(*cert), NID_commonName, cn, sizeof cn);
    cr_assert_str_eq(cn, v->cn);
}

Test(nv_ocsp_real, each_response_good_at_its_own_time)
{
    set_a s;
    set_a_load(&s);
    for (int i = 0; i < 7; i++) {
        const ocsp_vec *v = &VECS[i];
        X509 *cert, *issuer;
        pair(&s, v, &cert, &issuer);
        int64_t tu = tu_time(v->this_update);
        for (int all = 0; all < 2; all++) {
            nv_ocsp_result r;
            memset(&r, 0xee, sizeof r);
            OCSP_RESPONSE *const *list = all ? s.resp : &s.resp[i];
            int st = nv_ocsp_check(list, all ? 7 : 1, cert, issuer, tu + 3600, &r);
            cr_assert_eq(st, ATTEST_OK, "%s (all=%d): %s", v->file, all, attest_error_last());
            cr_expect_eq(r.status, NV_OCSP_GOOD, "%s", v->file);
            cr_expect_eq(r.reason, -1);
            cr_expect_eq(r.this_update, tu, "%s", v->file);
            cr_expect_eq(r.next_update, tu + 86400, "%s", v->file);
            cr_expect(r.has_next_update, "%s", v->file);
            cr_expect_eq(r.nonce, NV_OCSP_NONCE_ABSENT, "%s", v->file);
            cr_expect_str_eq(r.responder, v->responder);
        }
    }
    set_a_free(&s);
}

Test(nv_ocsp_real, vbios_rim_shares_the_l3_and_ca_responses)
{
    set_a s;
    set_a_load(&s);
    for (int idx = 1; idx <= 2; idx++) {
        X509 *cert = sk_X509_value(s.chains[VBIOS_RIM], idx);
        X509 *issuer = idx == 2 ? s.rim_root : sk_X509_value(s.chains[VBIOS_RIM], idx + 1);
        nv_ocsp_result r;
        cr_expect_eq(nv_ocsp_check(s.resp, 7, cert, issuer, tu_time("2025-10-24T12:00:00Z"), &r),
                     ATTEST_OK, "%s", attest_error_last());
        cr_expect_eq(r.status, NV_OCSP_GOOD);
    }
    set_a_free(&s);
}

Test(nv_ocsp_real, time_window)
{
    set_a s;
    set_a_load(&s);
    for (int i = 0; i < 7; i++) {
        const ocsp_vec *v = &VECS[i];
        X509 *cert, *issuer;
        pair(&s, v, &cert, &issuer);
        int64_t tu = tu_time(v->this_update), nu = tu + 86400;
        nv_ocsp_result r;
        cr_expect_eq(nv_ocsp_check(s.resp, 7, cert, issuer, tu, &r), ATTEST_OK, "%s: %s",
                     v->file, attest_error_last());
        cr_expect_eq(nv_ocsp_check(s.resp, 7, cert, issuer, nu - 1, &r), ATTEST_OK, "%s", v->file);
        cr_expect_eq(nv_ocsp_check(s.resp, 7, cert, issuer, nu, &r), ATTEST_E_COLLATERAL_EXPIRED,
                     "%s", v->file);
        memset(&r, 0, sizeof r);
        cr_expect_eq(nv_ocsp_check(s.resp, 7, cert, issuer, nu + 1, &r),
                     ATTEST_E_COLLATERAL_EXPIRED, "%s", v->file);
        cr_expect(strstr(attest_error_last(), v->cn), "%s", attest_error_last());
        /* the response is still described, so it can be judged at its time */
        cr_expect_eq(r.this_update, tu);
        cr_expect_eq(r.status, NV_OCSP_GOOD);
        cr_expect_eq(nv_ocsp_check(s.resp, 7, cert, issuer, r.this_update, &r), ATTEST_OK);
        cr_expect_eq(nv_ocsp_check(&s.resp[i], 1, cert, issuer, tu - 1, &r),
                     ATTEST_E_COLLATERAL_EXPIRED, "%s", v->file);
        cr_expect(strstr(attest_error_last(), "thisUpdate"), "%s", attest_error_last());
    }
    set_a_free(&s);
}

Test(nv_ocsp_real, response_about_another_certificate_is_missing)
{
    set_a s;
    set_a_load(&s);
    for (int i = 0; i < 7; i++) {
        const ocsp_vec *other = &VECS[(i + 1) % 7];
        X509 *cert, *issuer;
        pair(&s, other, &cert, &issuer);
        nv_ocsp_result r;
        int st = nv_ocsp_check(&s.resp[i], 1, cert, issuer,
                               tu_time(VECS[i].this_update) + 3600, &r);
        cr_expect_eq(st, ATTEST_E_COLLATERAL_MISSING, "%s asked about %s: %d", VECS[i].file,
                     other->cn, st);
        cr_expect(strstr(attest_error_last(), other->cn), "%s", attest_error_last());
    }
    /* the per-boot leaf and the root have none among the seven */
    nv_ocsp_result r;
    STACK_OF(X509) *dev = s.chains[DEVICE];
    cr_expect_eq(nv_ocsp_check(s.resp, 7, sk_X509_value(dev, 0), sk_X509_value(dev, 1),
                               tu_time("2025-08-21T08:00:00Z"), &r),
                 ATTEST_E_COLLATERAL_MISSING);
    cr_expect_eq(nv_ocsp_check(s.resp, 7, sk_X509_value(dev, 4), sk_X509_value(dev, 4),
                               tu_time("2025-08-21T08:00:00Z"), &r),
                 ATTEST_E_COLLATERAL_MISSING);
    cr_expect_eq(nv_ocsp_check(NULL, 0, sk_X509_value(dev, 1), sk_X509_value(dev, 2),
                               tu_time("2025-08-21T08:00:00Z"), &r),
                 ATTEST_E_COLLATERAL_MISSING);
    /* an issuer that is not the certificate's issuer is a caller error */
    cr_expect_eq(nv_ocsp_check(s.resp, 7, sk_X509_value(dev, 1), sk_X509_value(dev, 3),
                               tu_time("2025-08-21T08:00:00Z"), &r),
                 ATTEST_E_INVALID_ARG);
    set_a_free(&s);
}

/* Offset and length of the signature BIT STRING of the BasicOCSPResponse
 * inside an OCSPResponse DER. */
static void find_signature(const uint8_t *der, size_t len, size_t *off, size_t *n)
{
    const unsigned char *p = der, *end = der + len;
    long l;
    int tag, cls;
    /* OCSPResponse SEQUENCE */
    cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80));
    /* responseStatus ENUMERATED: skip */
    cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) && tag == V_ASN1_ENUMERATED);
    p += l;
    /* [0] EXPLICIT ResponseBytes SEQUENCE { OID, OCTET STRING } */
    cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) && tag == 0);
    cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) && tag == V_ASN1_SEQUENCE);
    cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) && tag == V_ASN1_OBJECT);
    p += l;
    cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) &&
              tag == V_ASN1_OCTET_STRING);
    /* BasicOCSPResponse SEQUENCE { tbsResponseData, signatureAlgorithm, signature, [0] certs } */
    cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) && tag == V_ASN1_SEQUENCE);
    for (int skip = 0; skip < 2; skip++) {
        cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) &&
                  tag == V_ASN1_SEQUENCE);
        p += l;
    }
    cr_assert(!(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) && tag == V_ASN1_BIT_STRING);
    *off = (size_t)(p - der);
    *n = (size_t)l;
}

Test(nv_ocsp_real, flipped_signature_byte)
{
    set_a s;
    set_a_load(&s);
    for (int i = 0; i < 7; i++) {
        const ocsp_vec *v = &VECS[i];
        char rel[256];
        snprintf(rel, sizeof rel, SETA "ocsp/%s.ocsp.der", v->file);
        size_t len, off, n;
        uint8_t *der = shared_file(rel, &len);
        find_signature(der, len, &off, &n);
        cr_assert(n > 8);
        der[off + n - 1] ^= 0x01; /* last byte of s in the ECDSA signature */
        const unsigned char *p = der;
        OCSP_RESPONSE *bad = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
        cr_assert(bad);
        X509 *cert, *issuer;
        pair(&s, v, &cert, &issuer);
        nv_ocsp_result r;
        cr_expect_eq(nv_ocsp_check(&bad, 1, cert, issuer, tu_time(v->this_update) + 3600, &r),
                     ATTEST_E_COLLATERAL_SIGNATURE, "%s", v->file);
        cr_expect(strstr(attest_error_last(), v->cn), "%s", attest_error_last());
        /* with the genuine response beside it, the genuine one is used */
        OCSP_RESPONSE *both[2] = {bad, s.resp[i]};
        cr_expect_eq(nv_ocsp_check(both, 2, cert, issuer, tu_time(v->this_update) + 3600, &r),
                     ATTEST_OK, "%s", v->file);
        OCSP_RESPONSE_free(bad);
        free(der);
    }
    set_a_free(&s);
}

/* ---- OCSP: synthetic responses ------------------------------------- */

#define T0 ((int64_t)1750000000) /* 2025-06-15T15:06:40Z */
#define DAY 86400

typedef enum { EKU_NONE, EKU_OCSP, EKU_SERVER } eku_kind;

static X509 *make_cert(const char *cn, X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key,
                       bool ca, eku_kind eku, int64_t nb, int64_t na, long serial)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"libattest test", -1,
                               -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    X509_NAME_free(n);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb);
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na);
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    struct {
        int nid;
        const char *value;
    } exts[4];
    int ne = 0;
    exts[ne].nid = NID_basic_constraints;
    exts[ne++].value = ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
    exts[ne].nid = NID_key_usage;
    exts[ne++].value = ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature";
    if (eku == EKU_OCSP) {
        exts[ne].nid = NID_ext_key_usage;
        exts[ne++].value = "critical,OCSPSigning";
    } else if (eku == EKU_SERVER) {
        exts[ne].nid = NID_ext_key_usage;
        exts[ne++].value = "serverAuth";
    }
    for (int i = 0; i < ne; i++) {
        X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, &ctx, exts[i].nid, exts[i].value);
        cr_assert(e, "extension %d", exts[i].nid);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    cr_assert(X509_sign(x, issuer_key, EVP_sha384()) > 0);
    return x;
}

typedef struct pki {
    EVP_PKEY *ca_key, *other_key, *resp_key, *leaf_key;
    X509 *ca, *other_ca, *rogue_ca, *leaf, *leaf2;
    X509 *resp_ok, *resp_noeku, *resp_server, *resp_other, *resp_rogue, *resp_short;
} pki;

static void pki_make(pki *p)
{
    p->ca_key = gen_key();
    p->other_key = gen_key();
    p->resp_key = gen_key();
    p->leaf_key = gen_key();
    int64_t nb = T0 - 365 * DAY, na = T0 + 365 * DAY;
    p->ca = make_cert("Test CA", NULL, p->ca_key, p->ca_key, true, EKU_NONE, nb, na, 1);
    p->other_ca = make_cert("Other CA", NULL, p->other_key, p->other_key, true, EKU_NONE, nb, na, 2);
    /* same name as the real CA, another key */
    p->rogue_ca = make_cert("Test CA", NULL, p->other_key, p->other_key, true, EKU_NONE, nb, na, 3);
    p->leaf = make_cert("Test Device", p->ca, p->ca_key, p->leaf_key, false, EKU_NONE, nb, na, 100);
    p->leaf2 = make_cert("Test Device 2", p->ca, p->ca_key, p->leaf_key, false, EKU_NONE, nb, na,
                         101);
    p->resp_ok = make_cert("Test OCSP Responder", p->ca, p->ca_key, p->resp_key, false, EKU_OCSP,
                           nb, na, 200);
    p->resp_noeku = make_cert("Test OCSP Responder no EKU", p->ca, p->ca_key, p->resp_key, false,
                              EKU_NONE, nb, na, 201);
    p->resp_server = make_cert("Test OCSP Responder serverAuth", p->ca, p->ca_key, p->resp_key,
                               false, EKU_SERVER, nb, na, 202);
    p->resp_other = make_cert("Test OCSP Responder by Other CA", p->other_ca, p->other_key,
                              p->resp_key, false, EKU_OCSP, nb, na, 203);
    p->resp_rogue = make_cert("Test OCSP Responder by rogue", p->rogue_ca, p->other_key,
                              p->resp_key, false, EKU_OCSP, nb, na, 204);
    p->resp_short = make_cert("Test OCSP Responder short-lived", p->ca, p->ca_key, p->resp_key,
                              false, EKU_OCSP, T0 - DAY, T0 + 7200, 205);
}

static void pki_free(pki *p)
{
    X509 *certs[] = {p->ca, p->other_ca, p->rogue_ca, p->leaf, p->leaf2, p->resp_ok,
                     p->resp_noeku, p->resp_server, p->resp_other, p->resp_rogue, p->resp_short};
    for (size_t i = 0; i < sizeof certs / sizeof *certs; i++)
        X509_free(certs[i]);
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->other_key);
    EVP_PKEY_free(p->resp_key);
    EVP_PKEY_free(p->leaf_key);
}

typedef struct resp_spec {
    X509 *cert;          /* default: pki.leaf */
    const EVP_MD *id_md; /* default: SHA-384 */
    int status, reason;
    X509 *signer;        /* default: pki.resp_ok */
    EVP_PKEY *key;       /* default: pki.resp_key */
    unsigned long flags;
    bool nonce;
    int64_t this_update; /* default: T0 */
    int64_t next_update; /* default: this + 1 day; -1: absent */
    X509 *also_about;    /* a second single response, about this cert */
    const uint8_t *nonce_value; /* this nonce (RFC 8954 form) instead of a
                                   random one, when nonce is set */
    size_t nonce_len;
    bool legacy_nonce;   /* nonce_value directly in extnValue (no OCTET STRING) */
} resp_spec;

static OCSP_RESPONSE *make_resp(const pki *p, resp_spec s)
{
    X509 *cert = s.cert ? s.cert : p->leaf;
    const EVP_MD *md = s.id_md ? s.id_md : EVP_sha384();
    X509 *signer = s.signer ? s.signer : p->resp_ok;
    EVP_PKEY *key = s.key ? s.key : p->resp_key;
    int64_t tu = s.this_update ? s.this_update : T0;
    int64_t nu = s.next_update ? s.next_update : tu + DAY;
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    ASN1_TIME *t_this = ASN1_TIME_set(NULL, (time_t)tu);
    ASN1_TIME *t_next = nu > 0 ? ASN1_TIME_set(NULL, (time_t)nu) : NULL;
    ASN1_TIME *t_rev =
        s.status == V_OCSP_CERTSTATUS_REVOKED ? ASN1_TIME_set(NULL, (time_t)(T0 - 3600)) : NULL;
    if (s.also_about) {
        OCSP_CERTID *other = OCSP_cert_to_id(md, s.also_about, p->ca);
        cr_assert(OCSP_basic_add1_status(bs, other, V_OCSP_CERTSTATUS_GOOD, 0, NULL, t_this,
                                         t_next));
        OCSP_CERTID_free(other);
    }
    OCSP_CERTID *id = OCSP_cert_to_id(md, cert, p->ca);
    cr_assert(id);
    cr_assert(OCSP_basic_add1_status(bs, id, s.status, s.reason, t_rev, t_this, t_next));
    if (s.nonce && s.legacy_nonce) {
        ASN1_OCTET_STRING *raw = ASN1_OCTET_STRING_new();
        cr_assert(raw && ASN1_OCTET_STRING_set(raw, s.nonce_value, (int)s.nonce_len));
        X509_EXTENSION *ext = X509_EXTENSION_create_by_NID(NULL, NID_id_pkix_OCSP_Nonce, 0, raw);
        cr_assert(ext && OCSP_BASICRESP_add_ext(bs, ext, -1));
        X509_EXTENSION_free(ext);
        ASN1_OCTET_STRING_free(raw);
    } else if (s.nonce) {
        cr_assert(OCSP_basic_add1_nonce(bs, (unsigned char *)s.nonce_value,
                                        s.nonce_value ? (int)s.nonce_len : 32));
    }
    cr_assert(OCSP_basic_sign(bs, signer, key, EVP_sha384(), NULL, s.flags), "OCSP_basic_sign");
    OCSP_RESPONSE *r = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    cr_assert(r);
    OCSP_CERTID_free(id);
    ASN1_TIME_free(t_this);
    ASN1_TIME_free(t_next);
    ASN1_TIME_free(t_rev);
    OCSP_BASICRESP_free(bs);
    return r;
}

/* Check one synthetic response about pki.leaf at T0 + 1 h. */
static int check1(const pki *p, resp_spec s, nv_ocsp_result *r)
{
    OCSP_RESPONSE *resp = make_resp(p, s);
    int st = nv_ocsp_check(&resp, 1, p->leaf, p->ca, T0 + 3600, r);
    OCSP_RESPONSE_free(resp);
    return st;
}

Test(nv_ocsp_synthetic, statuses)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    cr_assert_eq(check1(&p, (resp_spec){.status = V_OCSP_CERTSTATUS_GOOD}, &r), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(r.status, NV_OCSP_GOOD);
    cr_expect_eq(r.reason, -1);
    cr_expect_eq(r.this_update, T0);
    cr_expect_eq(r.next_update, T0 + DAY);
    cr_expect_eq(r.nonce, NV_OCSP_NONCE_ABSENT);
    cr_expect_str_eq(r.responder, "Test OCSP Responder");

    cr_assert_eq(check1(&p,
                        (resp_spec){.status = V_OCSP_CERTSTATUS_REVOKED,
                                    .reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE},
                        &r),
                 ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(r.status, NV_OCSP_REVOKED);
    cr_expect_eq(r.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
    cr_expect_eq(r.revoked_at, T0 - 3600);

    cr_assert_eq(check1(&p,
                        (resp_spec){.status = V_OCSP_CERTSTATUS_REVOKED,
                                    .reason = OCSP_REVOKED_STATUS_CERTIFICATEHOLD},
                        &r),
                 ATTEST_OK);
    cr_expect_eq(r.status, NV_OCSP_HOLD);
    cr_expect_eq(r.reason, OCSP_REVOKED_STATUS_CERTIFICATEHOLD);
    cr_expect_eq(r.revoked_at, T0 - 3600);

    cr_assert_eq(check1(&p,
                        (resp_spec){.status = V_OCSP_CERTSTATUS_REVOKED,
                                    .reason = OCSP_REVOKED_STATUS_NOSTATUS},
                        &r),
                 ATTEST_OK);
    cr_expect_eq(r.status, NV_OCSP_REVOKED);
    cr_expect_eq(r.reason, -1);

    cr_assert_eq(check1(&p, (resp_spec){.status = V_OCSP_CERTSTATUS_UNKNOWN}, &r), ATTEST_OK);
    cr_expect_eq(r.status, NV_OCSP_UNKNOWN);
    pki_free(&p);
}

Test(nv_ocsp_synthetic, unauthorised_responders)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    cr_expect_eq(check1(&p, (resp_spec){.signer = p.resp_noeku}, &r),
                 ATTEST_E_COLLATERAL_SIGNATURE);
    cr_expect(strstr(attest_error_last(), "OCSPSigning"), "%s", attest_error_last());
    cr_expect(strstr(attest_error_last(), "Test Device"), "%s", attest_error_last());
    cr_expect_eq(check1(&p, (resp_spec){.signer = p.resp_server}, &r),
                 ATTEST_E_COLLATERAL_SIGNATURE);
    cr_expect_eq(check1(&p, (resp_spec){.signer = p.resp_other}, &r),
                 ATTEST_E_COLLATERAL_SIGNATURE);
    cr_expect(strstr(attest_error_last(), "not certified"), "%s", attest_error_last());
    /* certified under the CA's name, but not with its key */
    cr_expect_eq(check1(&p, (resp_spec){.signer = p.resp_rogue}, &r),
                 ATTEST_E_COLLATERAL_SIGNATURE);
    /* another CA signing as itself about our certificate */
    cr_expect_eq(check1(&p,
                        (resp_spec){.signer = p.other_ca, .key = p.other_key,
                                    .flags = OCSP_NOCERTS},
                        &r),
                 ATTEST_E_COLLATERAL_SIGNATURE);
    /* the rogue CA (same name, other key) sending its own certificate */
    cr_expect_eq(check1(&p, (resp_spec){.signer = p.rogue_ca, .key = p.other_key}, &r),
                 ATTEST_E_COLLATERAL_SIGNATURE);
    /* a delegated responder whose certificate the response does not carry */
    cr_expect_eq(check1(&p, (resp_spec){.flags = OCSP_NOCERTS}, &r),
                 ATTEST_E_COLLATERAL_SIGNATURE);
    pki_free(&p);
}

Test(nv_ocsp_synthetic, signed_by_the_issuer)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    /* ResponderID by name, no certificate carried */
    cr_assert_eq(check1(&p, (resp_spec){.signer = p.ca, .key = p.ca_key, .flags = OCSP_NOCERTS},
                        &r),
                 ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(r.status, NV_OCSP_GOOD);
    cr_expect_str_eq(r.responder, "Test CA");
    /* ResponderID by key hash, the CA certificate carried */
    cr_assert_eq(check1(&p, (resp_spec){.signer = p.ca, .key = p.ca_key, .flags = OCSP_RESPID_KEY},
                        &r),
                 ATTEST_OK, "%s", attest_error_last());
    cr_expect_str_eq(r.responder, "Test CA");
    /* a delegated responder named by key hash */
    cr_assert_eq(check1(&p, (resp_spec){.flags = OCSP_RESPID_KEY}, &r), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_str_eq(r.responder, "Test OCSP Responder");
    pki_free(&p);
}

Test(nv_ocsp_synthetic, certid_hashes)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    const EVP_MD *mds[] = {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()};
    for (size_t i = 0; i < sizeof mds / sizeof *mds; i++) {
        cr_expect_eq(check1(&p, (resp_spec){.id_md = mds[i]}, &r), ATTEST_OK, "%s: %s",
                     EVP_MD_get0_name(mds[i]), attest_error_last());
        cr_expect_eq(r.status, NV_OCSP_GOOD);
    }
    /* a hash not accepted for CertIDs: the response is about nothing we know */
    cr_expect_eq(check1(&p, (resp_spec){.id_md = EVP_md5()}, &r), ATTEST_E_COLLATERAL_MISSING);
    /* a CertID about another certificate of the same CA */
    cr_expect_eq(check1(&p, (resp_spec){.cert = p.leaf2}, &r), ATTEST_E_COLLATERAL_MISSING);
    /* one response with two single responses, ours second */
    cr_expect_eq(check1(&p,
                        (resp_spec){.also_about = p.leaf2, .status = V_OCSP_CERTSTATUS_UNKNOWN},
                        &r),
                 ATTEST_OK);
    cr_expect_eq(r.status, NV_OCSP_UNKNOWN);
    pki_free(&p);
}

/* One response about pki.leaf with `n` SingleResponses, all good
 * (thisUpdate T0, nextUpdate T0 + 1 day) but the one at `revoked` (-1:
 * none), revoked; signed once by the delegated responder. */
static OCSP_RESPONSE *make_many(const pki *p, int n, int revoked)
{
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha384(), p->leaf, p->ca);
    ASN1_TIME *t_this = ASN1_TIME_set(NULL, (time_t)T0);
    ASN1_TIME *t_next = ASN1_TIME_set(NULL, (time_t)(T0 + DAY));
    ASN1_TIME *t_rev = ASN1_TIME_set(NULL, (time_t)(T0 - 3600));
    cr_assert(bs && id && t_this && t_next && t_rev);
    for (int i = 0; i < n; i++)
        cr_assert(i == revoked
                      ? OCSP_basic_add1_status(bs, id, V_OCSP_CERTSTATUS_REVOKED,
                                               OCSP_REVOKED_STATUS_KEYCOMPROMISE, t_rev, t_this,
                                               t_next)
                      : OCSP_basic_add1_status(bs, id, V_OCSP_CERTSTATUS_GOOD, 0, NULL, t_this,
                                               t_next));
    cr_assert(OCSP_basic_sign(bs, p->resp_ok, p->resp_key, EVP_sha384(), NULL, 0));
    OCSP_RESPONSE *r = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
    cr_assert(r);
    OCSP_CERTID_free(id);
    ASN1_TIME_free(t_this);
    ASN1_TIME_free(t_next);
    ASN1_TIME_free(t_rev);
    OCSP_BASICRESP_free(bs);
    return r;
}

/* A response with more SingleResponses than NV_OCSP_MAX_SINGLES is
 * refused as malformed, whatever it is about and whatever else is given
 * (before the bound, each matching entry re-verified the whole response:
 * time quadratic in its length). */
Test(nv_ocsp_synthetic, singles_over_the_bound_refused)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    const int counts[] = {NV_OCSP_MAX_SINGLES + 1, 1000};
    for (size_t i = 0; i < 2; i++) {
        OCSP_RESPONSE *big = make_many(&p, counts[i], -1);
        cr_expect_eq(nv_ocsp_check(&big, 1, p.leaf, p.ca, T0 + 3600, &r), ATTEST_E_MALFORMED,
                     "%d entries: %s", counts[i], attest_error_last());
        char want[96];
        snprintf(want, sizeof want, "holds %d SingleResponses, more than the %d allowed",
                 counts[i], NV_OCSP_MAX_SINGLES);
        cr_expect(strstr(attest_error_last(), want), "%s", attest_error_last());
        /* beside a valid response about the certificate: still refused */
        OCSP_RESPONSE *good = make_resp(&p, (resp_spec){0});
        OCSP_RESPONSE *both[2] = {good, big};
        cr_expect_eq(nv_ocsp_check(both, 2, p.leaf, p.ca, T0 + 3600, &r), ATTEST_E_MALFORMED);
        /* and when checking another certificate */
        cr_expect_eq(nv_ocsp_check(&big, 1, p.leaf2, p.ca, T0 + 3600, &r), ATTEST_E_MALFORMED);
        OCSP_RESPONSE_free(good);
        OCSP_RESPONSE_free(big);
    }
    /* the bound itself is accepted */
    OCSP_RESPONSE *edge = make_many(&p, NV_OCSP_MAX_SINGLES, -1);
    cr_expect_eq(nv_ocsp_check(&edge, 1, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK, "%s",
                 attest_error_last());
    OCSP_RESPONSE_free(edge);
    pki_free(&p);
}

/* Duplicate SingleResponses within the bound: the same verdict as one;
 * one revoked among goods of the same thisUpdate: revoked, wherever it is. */
Test(nv_ocsp_synthetic, duplicate_singles_within_the_bound)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result one, many;
    OCSP_RESPONSE *a = make_many(&p, 1, -1), *b = make_many(&p, NV_OCSP_MAX_SINGLES, -1);
    cr_assert_eq(nv_ocsp_check(&a, 1, p.leaf, p.ca, T0 + 3600, &one), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert_eq(nv_ocsp_check(&b, 1, p.leaf, p.ca, T0 + 3600, &many), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(many.status, NV_OCSP_GOOD);
    cr_expect_eq(many.status, one.status);
    cr_expect_eq(many.this_update, one.this_update);
    cr_expect_eq(many.next_update, one.next_update);
    cr_expect_eq(many.stable_from, one.stable_from);
    cr_expect_eq(many.stable_until, one.stable_until);
    cr_expect_str_eq(many.responder, one.responder);
    OCSP_RESPONSE_free(a);
    OCSP_RESPONSE_free(b);
    const int where[] = {0, NV_OCSP_MAX_SINGLES / 2, NV_OCSP_MAX_SINGLES - 1};
    for (size_t i = 0; i < 3; i++) {
        OCSP_RESPONSE *mixed = make_many(&p, NV_OCSP_MAX_SINGLES, where[i]);
        cr_assert_eq(nv_ocsp_check(&mixed, 1, p.leaf, p.ca, T0 + 3600, &many), ATTEST_OK);
        cr_expect_eq(many.status, NV_OCSP_REVOKED, "revoked entry at %d", where[i]);
        cr_expect_eq(many.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
        OCSP_RESPONSE_free(mixed);
    }
    /* two entries: good then revoked, as the issue describes */
    OCSP_RESPONSE *two = make_many(&p, 2, 1);
    cr_assert_eq(nv_ocsp_check(&two, 1, p.leaf, p.ca, T0 + 3600, &many), ATTEST_OK);
    cr_expect_eq(many.status, NV_OCSP_REVOKED);
    OCSP_RESPONSE_free(two);
    pki_free(&p);
}

static int check_nonce(const pki *p, resp_spec s, const uint8_t *req, size_t req_len,
                       nv_ocsp_result *r)
{
    OCSP_RESPONSE *resp = make_resp(p, s);
    attest_ocsp_nonce rec = {.len = req_len};
    if (req_len)
        memcpy(rec.data, req, req_len);
    nv_ocsp_input in = {.responses = &resp, .request_nonces = &rec, .count = 1};
    int st = nv_ocsp_check_input(&in, p->leaf, p->ca, T0 + 3600, r);
    OCSP_RESPONSE_free(resp);
    return st;
}

/* The response nonce against the request nonce recorded for it. */
Test(nv_ocsp_synthetic, nonce_against_the_recorded_request_nonce)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    static const uint8_t n1[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t n2[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17};
    resp_spec with_n1 = {.nonce = true, .nonce_value = n1, .nonce_len = sizeof n1};
    /* nothing recorded: a nonce that cannot be checked */
    cr_assert_eq(check_nonce(&p, with_n1, NULL, 0, &r), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(r.nonce, NV_OCSP_NONCE_UNCHECKED);
    cr_assert_eq(check1(&p, with_n1, &r), ATTEST_OK);
    cr_expect_eq(r.nonce, NV_OCSP_NONCE_UNCHECKED);
    /* the recorded one: live */
    cr_assert_eq(check_nonce(&p, with_n1, n1, sizeof n1, &r), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(r.nonce, NV_OCSP_NONCE_MATCHED);
    /* another one, or a prefix of it: refused */
    cr_expect_eq(check_nonce(&p, with_n1, n2, sizeof n2, &r), ATTEST_E_NV_OCSP);
    cr_expect(strstr(attest_error_last(), "nonce of response 1 differs"), "%s",
              attest_error_last());
    cr_expect(strstr(attest_error_last(), "Test Device"), "%s", attest_error_last());
    cr_expect_eq(check_nonce(&p, with_n1, n1, 15, &r), ATTEST_E_NV_OCSP);
    /* no nonce in the response although the request had one: stored */
    cr_assert_eq(check_nonce(&p, (resp_spec){0}, n1, sizeof n1, &r), ATTEST_OK);
    cr_expect_eq(r.nonce, NV_OCSP_NONCE_ABSENT);
    /* the legacy form (raw bytes in extnValue): not taken as a match */
    resp_spec legacy = with_n1;
    legacy.legacy_nonce = true;
    cr_assert_eq(check_nonce(&p, legacy, n1, sizeof n1, &r), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(r.nonce, NV_OCSP_NONCE_UNCHECKED);
    /* a mismatching nonce in a response that does not verify is a
     * signature failure, not a nonce one */
    resp_spec forged = with_n1;
    forged.signer = p.resp_noeku;
    cr_expect_eq(check_nonce(&p, forged, n2, sizeof n2, &r), ATTEST_E_COLLATERAL_SIGNATURE);
    /* a live and a stored response alike: the live one is reported */
    OCSP_RESPONSE *list[2] = {make_resp(&p, (resp_spec){0}), make_resp(&p, with_n1)};
    attest_ocsp_nonce rec[2] = {{.len = 0}, {.len = sizeof n1}};
    memcpy(rec[1].data, n1, sizeof n1);
    nv_ocsp_input in = {.responses = list, .request_nonces = rec, .count = 2};
    cr_assert_eq(nv_ocsp_check_input(&in, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK);
    cr_expect_eq(r.nonce, NV_OCSP_NONCE_MATCHED);
    OCSP_RESPONSE_free(list[0]);
    OCSP_RESPONSE_free(list[1]);
    pki_free(&p);
}

/* No nextUpdate: current for max_age seconds after thisUpdate; 0 (the
 * default): never. */
Test(nv_ocsp_synthetic, no_next_update_and_max_age)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    OCSP_RESPONSE *resp = make_resp(&p, (resp_spec){.next_update = -1});
    cr_expect_eq(nv_ocsp_check(&resp, 1, p.leaf, p.ca, T0 + 100 * DAY, &r),
                 ATTEST_E_COLLATERAL_EXPIRED);
    cr_expect_eq(nv_ocsp_check(&resp, 1, p.leaf, p.ca, T0, &r), ATTEST_E_COLLATERAL_EXPIRED);
    cr_expect(strstr(attest_error_last(), "no nextUpdate is current for 0 s"), "%s",
              attest_error_last());
    cr_expect(!r.has_next_update);
    cr_expect_eq(r.this_update, T0);
    nv_ocsp_input in = {.responses = &resp, .count = 1, .max_age = 7200};
    cr_assert_eq(nv_ocsp_check_input(&in, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect(!r.has_next_update);
    cr_expect_eq(r.next_update, T0 + 7200);
    cr_expect_eq(r.stable_from, T0);
    cr_expect_eq(r.stable_until, T0 + 7200, "the verdict must not be cached beyond the age");
    cr_expect_eq(nv_ocsp_check_input(&in, p.leaf, p.ca, T0 + 7199, &r), ATTEST_OK);
    cr_expect_eq(nv_ocsp_check_input(&in, p.leaf, p.ca, T0 + 7200, &r),
                 ATTEST_E_COLLATERAL_EXPIRED);
    cr_expect_eq(nv_ocsp_check_input(&in, p.leaf, p.ca, T0 - 1, &r), ATTEST_E_COLLATERAL_EXPIRED);
    in.max_age = INT64_MAX; /* no overflow */
    cr_expect_eq(nv_ocsp_check_input(&in, p.leaf, p.ca, T0 + 100 * DAY, &r), ATTEST_OK);
    in.max_age = -1;
    cr_expect_eq(nv_ocsp_check_input(&in, p.leaf, p.ca, T0 + 3600, &r), ATTEST_E_INVALID_ARG);
    OCSP_RESPONSE_free(resp);
    /* a nonce in a response: still no effect on its time window */
    cr_assert_eq(check1(&p, (resp_spec){.nonce = true}, &r), ATTEST_OK, "%s", attest_error_last());
    cr_expect(r.has_next_update);
    pki_free(&p);
}

/* The collateral keeps each response's request nonce, names the set with
 * them, and holds at most ATTEST_COLLATERAL_MAX_OCSP responses. */
Test(nv_ocsp_synthetic, collateral_request_nonces_and_bound)
{
    pki p;
    pki_make(&p);
    static const uint8_t n1[16] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    OCSP_RESPONSE *resp = make_resp(&p, (resp_spec){.nonce = true, .nonce_value = n1,
                                                   .nonce_len = sizeof n1});
    unsigned char *der = NULL;
    int len = i2d_OCSP_RESPONSE(resp, &der);
    cr_assert(len > 0);
    attest_collateral *a = NULL, *b = NULL, *c = NULL;
    cr_assert_eq(attest_collateral_new(&a), ATTEST_OK);
    cr_assert_eq(attest_collateral_new(&b), ATTEST_OK);
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    cr_assert_eq(attest_collateral_add_ocsp(a, der, (size_t)len, n1, sizeof n1), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert_eq(attest_collateral_add(b, der, (size_t)len), ATTEST_OK);
    cr_assert_eq(attest_collateral_add_ocsp(c, der, (size_t)len, NULL, 0), ATTEST_OK);
    cr_expect_eq(a->ocsp_count, 1u);
    cr_expect_eq(a->ocsp_nonces[0].len, sizeof n1);
    cr_expect_arr_eq(a->ocsp_nonces[0].data, n1, sizeof n1);
    cr_expect_eq(b->ocsp_nonces[0].len, 0u);
    /* same bytes, other request nonce: another set for the verdict cache */
    cr_expect_arr_neq(a->ocsp_set_sha256, b->ocsp_set_sha256, 32);
    cr_expect_arr_eq(b->ocsp_set_sha256, c->ocsp_set_sha256, 32);
    /* refused arguments */
    uint8_t long_nonce[ATTEST_OCSP_NONCE_MAX + 1] = {0};
    cr_expect_eq(attest_collateral_add_ocsp(c, der, (size_t)len, long_nonce, sizeof long_nonce),
                 ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_collateral_add_ocsp(c, der, (size_t)len, NULL, 4), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_collateral_add_ocsp(c, (const uint8_t *)"nope", 4, NULL, 0),
                 ATTEST_E_COLLATERAL_UNKNOWN);
    cr_expect_eq(c->ocsp_count, 1u);
    /* the bound, however the responses come */
    for (size_t i = 1; i < ATTEST_COLLATERAL_MAX_OCSP; i++)
        cr_assert_eq(i % 2 ? attest_collateral_add(c, der, (size_t)len)
                           : attest_collateral_add_ocsp(c, der, (size_t)len, n1, sizeof n1),
                     ATTEST_OK);
    cr_expect_eq(attest_collateral_add(c, der, (size_t)len), ATTEST_E_LENGTH);
    cr_expect(strstr(attest_error_last(), "more than 256 OCSP responses"), "%s",
              attest_error_last());
    cr_expect_eq(attest_collateral_add_ocsp(c, der, (size_t)len, n1, sizeof n1), ATTEST_E_LENGTH);
    cr_expect_eq(c->ocsp_count, (size_t)ATTEST_COLLATERAL_MAX_OCSP);
    attest_collateral_free(a);
    attest_collateral_free(b);
    attest_collateral_free(c);
    OPENSSL_free(der);
    OCSP_RESPONSE_free(resp);
    pki_free(&p);
}

Test(nv_ocsp_synthetic, responder_validity)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    OCSP_RESPONSE *resp = make_resp(&p, (resp_spec){.signer = p.resp_short});
    cr_expect_eq(nv_ocsp_check(&resp, 1, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(nv_ocsp_check(&resp, 1, p.leaf, p.ca, T0 + 3 * 3600, &r),
                 ATTEST_E_COLLATERAL_EXPIRED);
    cr_expect(strstr(attest_error_last(), "short-lived"), "%s", attest_error_last());
    cr_expect_eq(r.this_update, T0);
    OCSP_RESPONSE_free(resp);
    pki_free(&p);
}

Test(nv_ocsp_synthetic, unsuccessful_responses)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    OCSP_RESPONSE *list[3];
    list[0] = OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, NULL);
    list[1] = make_resp(&p, (resp_spec){.cert = p.leaf2});
    list[2] = make_resp(&p, (resp_spec){0});
    cr_expect_eq(nv_ocsp_check(list, 2, p.leaf, p.ca, T0 + 3600, &r), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "trylater"), "%s", attest_error_last());
    cr_expect_eq(nv_ocsp_check(list, 3, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(nv_ocsp_check(&list[1], 1, p.leaf, p.ca, T0 + 3600, &r),
                 ATTEST_E_COLLATERAL_MISSING);
    for (int i = 0; i < 3; i++)
        OCSP_RESPONSE_free(list[i]);
    pki_free(&p);
}

Test(nv_ocsp_synthetic, choice_among_several)
{
    pki p;
    pki_make(&p);
    nv_ocsp_result r;
    OCSP_RESPONSE *old = make_resp(&p, (resp_spec){.this_update = T0 - 2 * DAY});
    OCSP_RESPONSE *cur = make_resp(&p, (resp_spec){.status = V_OCSP_CERTSTATUS_UNKNOWN});
    OCSP_RESPONSE *newer = make_resp(&p, (resp_spec){.this_update = T0 + 600});
    OCSP_RESPONSE *revoked = make_resp(&p, (resp_spec){.status = V_OCSP_CERTSTATUS_REVOKED,
                                                        .reason = 1});
    OCSP_RESPONSE *bad = make_resp(&p, (resp_spec){.signer = p.resp_noeku});

    /* a stale one beside a current one: the current one */
    OCSP_RESPONSE *a[2] = {old, cur};
    cr_assert_eq(nv_ocsp_check(a, 2, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK);
    cr_expect_eq(r.status, NV_OCSP_UNKNOWN);
    /* two current ones: the newer */
    OCSP_RESPONSE *b[2] = {newer, cur};
    cr_assert_eq(nv_ocsp_check(b, 2, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK);
    cr_expect_eq(r.status, NV_OCSP_GOOD);
    cr_expect_eq(r.this_update, T0 + 600);
    /* same thisUpdate: the more severe */
    OCSP_RESPONSE *c[2] = {cur, revoked};
    cr_assert_eq(nv_ocsp_check(c, 2, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK);
    cr_expect_eq(r.status, NV_OCSP_REVOKED);
    /* an unauthorised one beside a good one is ignored */
    OCSP_RESPONSE *d[2] = {bad, cur};
    cr_assert_eq(nv_ocsp_check(d, 2, p.leaf, p.ca, T0 + 3600, &r), ATTEST_OK);
    cr_expect_eq(r.status, NV_OCSP_UNKNOWN);
    /* only an unauthorised one and a stale one: the stale one is reported */
    OCSP_RESPONSE *e[2] = {bad, old};
    cr_expect_eq(nv_ocsp_check(e, 2, p.leaf, p.ca, T0 + 3600, &r), ATTEST_E_COLLATERAL_EXPIRED);
    cr_expect_eq(r.this_update, T0 - 2 * DAY);
    /* only the unauthorised one */
    cr_expect_eq(nv_ocsp_check(&bad, 1, p.leaf, p.ca, T0 + 3600, &r),
                 ATTEST_E_COLLATERAL_SIGNATURE);
    /* all stale: the newest is described */
    OCSP_RESPONSE *f[3] = {old, cur, newer};
    cr_expect_eq(nv_ocsp_check(f, 3, p.leaf, p.ca, T0 + 5 * DAY, &r),
                 ATTEST_E_COLLATERAL_EXPIRED);
    cr_expect_eq(r.this_update, T0 + 600);
    OCSP_RESPONSE *all[5] = {old, cur, newer, revoked, bad};
    for (int i = 0; i < 5; i++)
        OCSP_RESPONSE_free(all[i]);
    pki_free(&p);
}

Test(nv_ocsp, status_names)
{
    cr_expect_str_eq(nv_ocsp_status_name(NV_OCSP_GOOD), "good");
    cr_expect_str_eq(nv_ocsp_status_name(NV_OCSP_REVOKED), "revoked");
    cr_expect_str_eq(nv_ocsp_status_name(NV_OCSP_HOLD), "hold");
    cr_expect_str_eq(nv_ocsp_status_name(NV_OCSP_UNKNOWN), "unknown");
}

Test(nv_ocsp, null_arguments)
{
    nv_ocsp_result r;
    cr_expect_eq(nv_ocsp_check(NULL, 1, NULL, NULL, 0, &r), ATTEST_E_INVALID_ARG);
}
