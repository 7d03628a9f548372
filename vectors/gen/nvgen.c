/*
 * nvgen - NVIDIA GPU / NVSwitch test evidence generator.
 * See nvgen.h for the API contract and vectors/README.md for usage.
 */
#include "nvgen.h"

#include "gencommon.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#define SHA384_OID "2.16.840.1.101.3.4.2.2"
#define NS_SWID "http://standards.iso.org/iso/19770/-2/2015/schema.xsd"
#define NS_SHA384 "http://www.w3.org/2001/04/xmlenc#sha384"
#define NS_RIM                                                              \
    "https://trustedcomputinggroup.org/resource/"                         \
    "tcg-reference-integrity-manifest-rim-information-model/"

/* ======================================================================== */
/* Growable byte buffer (also used for text)                                */

/* An XML attribute value, escaped. */
static void buf_xattr(gen_buf *b, const char *s)
{
    if (s == NULL) {
        b->err = 1;
        return;
    }
    for (const char *c = s; *c; c++) {
        switch (*c) {
        case '&': gen_buf_str(b, "&amp;"); break;
        case '<': gen_buf_str(b, "&lt;"); break;
        case '>': gen_buf_str(b, "&gt;"); break;
        case '"': gen_buf_str(b, "&quot;"); break;
        default: gen_buf_byte(b, (uint8_t)*c); break;
        }
    }
}

/* ======================================================================== */
/* DER writer / reader (single-byte tags, definite lengths)                 */

static void der_oid(gen_buf *b, const char *dotted)
{
    ASN1_OBJECT *o = OBJ_txt2obj(dotted, 1);
    unsigned char *der = NULL;
    int n = o != NULL ? i2d_ASN1_OBJECT(o, &der) : -1;
    if (n <= 0)
        b->err = 1;
    else
        gen_buf_put(b, der, (size_t)n);
    OPENSSL_free(der);
    ASN1_OBJECT_free(o);
}

/* A non-negative INTEGER (or IMPLICIT-tagged one) of a small value. */
static void der_uint(gen_buf *b, uint8_t tag, unsigned long v)
{
    uint8_t tmp[sizeof(v) + 1];
    size_t n = 0;
    do {
        tmp[sizeof(tmp) - 1 - n++] = (uint8_t)v;
        v >>= 8;
    } while (v != 0);
    if (tmp[sizeof(tmp) - n] & 0x80)
        tmp[sizeof(tmp) - 1 - n++] = 0;
    gen_der_tlv(b, tag, tmp + sizeof(tmp) - n, n);
}

/* gen_der_read, rejecting multi-byte tags (not used here). */
static int der_read(const uint8_t **p, const uint8_t *end, uint8_t *tag,
                    const uint8_t **c, size_t *n)
{
    if (gen_der_read(p, end, tag, c, n) != 0 || (*tag & 0x1F) == 0x1F)
        return -1;
    return 0;
}

/* ======================================================================== */
/* Small helpers                                                            */

void nvgen_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

uint16_t nvgen_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void put_u24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
}

static uint32_t get_u24(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

const char *nvgen_arch_name(nvgen_arch a)
{
    switch (a) {
    case NVGEN_HOPPER: return "HOPPER";
    case NVGEN_BLACKWELL: return "BLACKWELL";
    case NVGEN_LS10: return "LS10";
    }
    return NULL;
}

const char *nvgen_arch_product(nvgen_arch a)
{
    switch (a) {
    case NVGEN_HOPPER: return "GH100";
    case NVGEN_BLACKWELL: return "GB100";
    case NVGEN_LS10: return "LS10";
    }
    return NULL;
}

static int arch_valid(nvgen_arch a)
{
    return a == NVGEN_HOPPER || a == NVGEN_BLACKWELL || a == NVGEN_LS10;
}

/* Copy s into out[0..max) or fail. */
static int copy_str(char *out, size_t max, const char *s)
{
    size_t n;
    if (s == NULL)
        return -1;
    n = strlen(s);
    if (n >= max)
        return -1;
    memcpy(out, s, n + 1);
    return 0;
}

static int sha384(uint8_t out[48], const void *d1, size_t n1, const void *d2,
                  size_t n2)
{
    return gen_digest2(EVP_sha384(), out, 48, d1, n1, d2, n2);
}

/* SHA-384 of the DER SubjectPublicKeyInfo of key. */
static int spki_sha384(uint8_t out[48], EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der), rc;
    if (n <= 0)
        return -1;
    rc = sha384(out, der, (size_t)n, NULL, 0);
    OPENSSL_free(der);
    return rc;
}

/* "YYYYMMDDHHMMSSZ" */
static int gentime_str(char out[16], int64_t t)
{
    return gen_time_format(out, 16, "%Y%m%d%H%M%SZ", t, 0) == 15 ? 0 : -1;
}

static int is_p384ish(const EVP_PKEY *key)
{
    return key != NULL && EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_bits(key) > 0 &&
           EVP_PKEY_get_bits(key) <= 384;
}

/* ======================================================================== */
/* Raw ECDSA                                                                */

int nvgen_sign_raw(uint8_t out[NVGEN_SIG_SIZE], const uint8_t *msg,
                   size_t len, EVP_PKEY *key)
{
    if (!is_p384ish(key))
        return -1;
    return gen_ecdsa_sign_raw(out, 48, "SHA384", msg, len, key);
}

int nvgen_verify_raw(const uint8_t sig[NVGEN_SIG_SIZE], const uint8_t *msg,
                     size_t len, EVP_PKEY *key)
{
    return gen_ecdsa_verify_raw(sig, 48, "SHA384", msg, len, key);
}

/* ======================================================================== */
/* Versions and RIM ids                                                     */

int nvgen_vbios_encode(uint8_t out[8], const char *v)
{
    uint8_t f[5];
    if (out == NULL || v == NULL || strlen(v) != 14)
        return -1;
    for (int i = 0; i < 5; i++)
        if (gen_hex_decode(&f[i], v + 3 * i, 1) != 0 ||
            (i < 4 && v[3 * i + 2] != '.'))
            return -1;
    /* a.b.c.d.e -> d c b a e 00 00 00 */
    out[0] = f[3];
    out[1] = f[2];
    out[2] = f[1];
    out[3] = f[0];
    out[4] = f[4];
    out[5] = out[6] = out[7] = 0;
    return 0;
}

int nvgen_vbios_format(char out[15], const uint8_t in[8])
{
    char h[17], s[11];
    uint64_t v = 0;
    if (out == NULL || in == NULL)
        return -1;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | in[i];
    snprintf(h, sizeof(h), "%016llX", (unsigned long long)v);
    memcpy(s, h + 8, 8);
    memcpy(s + 8, h + 6, 2);
    for (int i = 0; i < 5; i++) {
        out[3 * i] = s[2 * i];
        out[3 * i + 1] = s[2 * i + 1];
        out[3 * i + 2] = i < 4 ? '.' : '\0';
    }
    return 0;
}

int nvgen_driver_rim_id(char *out, size_t max, nvgen_arch a, const char *chip,
                        const char *driver_version)
{
    int n;
    if (out == NULL || driver_version == NULL || !arch_valid(a) ||
        a == NVGEN_LS10)
        return -1;
    if (a == NVGEN_HOPPER)
        n = snprintf(out, max, "NV_GPU_DRIVER_GH100_%s", driver_version);
    else
        n = snprintf(out, max, "NV_GPU_CC_DRIVER_%s_%s",
                     chip != NULL ? chip : "GB100", driver_version);
    return n > 0 && (size_t)n < max ? 0 : -1;
}

int nvgen_vbios_rim_id(char *out, size_t max, nvgen_arch a,
                       const char *project, const char *project_sku,
                       const char *chip_sku, const char *vbios_version)
{
    char v[64];
    size_t k = 0;
    int n;
    if (out == NULL || vbios_version == NULL || !arch_valid(a))
        return -1;
    for (const char *c = vbios_version; *c; c++) {
        if (*c == '.')
            continue;
        if (k + 1 >= sizeof(v))
            return -1;
        v[k++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    }
    v[k] = '\0';
    if (a == NVGEN_LS10)
        n = snprintf(out, max, "NV_SWITCH_BIOS_5612_0002_890_%s", v);
    else if (project == NULL || project_sku == NULL || chip_sku == NULL)
        return -1;
    else
        n = snprintf(out, max, "NV_GPU_VBIOS_%s_%s_%s_%s", project,
                     project_sku, chip_sku, v);
    return n > 0 && (size_t)n < max ? 0 : -1;
}

/* ======================================================================== */
/* Certificates                                                             */

int nvgen_cert_opts_init(nvgen_cert_opts *o)
{
    if (o == NULL)
        return -1;
    memset(o, 0, sizeof(*o));
    o->bc_critical = 1;
    o->pathlen = -1;
    o->key_ids = 1;
    o->serial[0] = 1;
    o->serial_len = 1;
    o->not_before = NVGEN_T_2020_10_17;
    o->not_after = NVGEN_T_9999_12_31;
    o->digest = "SHA384";
    return 0;
}

/* "TYPE=value,TYPE=value" in order. */
static int name_parse(X509_NAME **out, const char *dn)
{
    X509_NAME *n;
    char *copy, *save = NULL;
    int ok = 1;
    if (dn == NULL || (copy = strdup(dn)) == NULL)
        return -1;
    n = X509_NAME_new();
    if (n == NULL) {
        free(copy);
        return -1;
    }
    for (char *tok = strtok_r(copy, ",", &save); ok && tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (eq == NULL || eq == tok) {
            ok = 0;
            break;
        }
        *eq = '\0';
        ok = X509_NAME_add_entry_by_txt(n, tok, MBSTRING_UTF8,
                                        (const unsigned char *)eq + 1, -1, -1,
                                        0) == 1;
    }
    free(copy);
    if (!ok || X509_NAME_entry_count(n) == 0) {
        X509_NAME_free(n);
        return -1;
    }
    *out = n;
    return 0;
}

static int set_serial_bytes(X509 *x, const uint8_t *s, size_t n)
{
    BIGNUM *bn = BN_bin2bn(s, (int)n, NULL);
    ASN1_INTEGER *ai = bn != NULL ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    int ok = ai != NULL && X509_set_serialNumber(x, ai) == 1;
    ASN1_INTEGER_free(ai);
    BN_free(bn);
    return ok ? 0 : -1;
}

static int add_eku(X509 *x, unsigned eku)
{
    EXTENDED_KEY_USAGE *s = sk_ASN1_OBJECT_new_null();
    int ok = s != NULL;
    if (ok && (eku & NVGEN_EKU_OCSP_SIGNING))
        ok = sk_ASN1_OBJECT_push(s, OBJ_nid2obj(NID_OCSP_sign)) > 0;
    if (ok && (eku & NVGEN_EKU_OCSP_NOCHECK_OID))
        ok = sk_ASN1_OBJECT_push(s, OBJ_nid2obj(NID_id_pkix_OCSP_noCheck)) >
             0;
    if (ok && (eku & NVGEN_EKU_SERVER_AUTH))
        ok = sk_ASN1_OBJECT_push(s, OBJ_nid2obj(NID_server_auth)) > 0;
    if (ok)
        ok = X509_add1_ext_i2d(x, NID_ext_key_usage, s, 1,
                               X509V3_ADD_DEFAULT) == 1;
    sk_ASN1_OBJECT_free(s); /* the objects are OpenSSL's static ones */
    return ok ? 0 : -1;
}

/* An extension from OpenSSL's config syntax ("URI:...", "OCSP;URI:..."). */
static int add_ext_conf(X509 *x, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, NULL, nid, value);
    int ok;
    if (ext == NULL)
        return -1;
    ok = X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* SAN with one otherName { NVGEN_OID_NV_SAN, [0] UTF8String s }. */
static int add_san_nv(X509 *x, const char *s)
{
    gen_buf v = {0}, on = {0}, inner = {0}, san = {0};
    int rc;
    gen_der_tlv(&v, 0x0C, (const uint8_t *)s, strlen(s));
    der_oid(&on, NVGEN_OID_NV_SAN);
    gen_der_wrap(&on, 0xA0, &v);
    gen_der_wrap(&inner, 0xA0, &on);
    gen_der_wrap(&san, 0x30, &inner);
    rc = san.err ? -1 : gen_add_ext_raw(x, "2.5.29.17", 0, san.p, san.len);
    gen_buf_free(&v);
    gen_buf_free(&on);
    gen_buf_free(&inner);
    gen_buf_free(&san);
    return rc;
}

_Static_assert(NVGEN_KU_DIGITAL_SIGNATURE == GEN_KU_DIGITAL_SIGNATURE &&
                   NVGEN_KU_KEY_CERT_SIGN == GEN_KU_KEY_CERT_SIGN &&
                   NVGEN_KU_CRL_SIGN == GEN_KU_CRL_SIGN,
               "NVGEN_KU_* are GEN_KU_* bits");

static int cert_fill(X509 *x, const nvgen_cert_opts *o, EVP_PKEY *ikey)
{
    X509_NAME *subj = NULL;
    if (set_serial_bytes(x, o->serial_len ? o->serial : (const uint8_t *)"\1",
                         o->serial_len ? o->serial_len : 1) != 0 ||
        name_parse(&subj, o->subject) != 0 ||
        gen_cert_set_body(x, subj, o->not_before, o->not_after,
                          o->subject_key, o->issuer_cert) != 0)
        return -1;
    if (o->basic_constraints &&
        gen_add_basic_constraints(x, o->bc_critical, o->is_ca ? 0xFF : 0,
                                  o->pathlen) != 0)
        return -1;
    /* Only the bits nvgen defines; the others have always been ignored. */
    if (o->key_usage != 0 &&
        gen_add_key_usage(x,
                          o->key_usage & (NVGEN_KU_DIGITAL_SIGNATURE |
                                          NVGEN_KU_KEY_CERT_SIGN |
                                          NVGEN_KU_CRL_SIGN),
                          1) != 0)
        return -1;
    if (o->eku != 0 && add_eku(x, o->eku) != 0)
        return -1;
    if (o->ocsp_nocheck &&
        gen_add_ext_raw(x, "1.3.6.1.5.5.7.48.1.5", 0,
                        (const uint8_t *)"\x05\x00", 2) != 0)
        return -1;
    if (o->crl_url != NULL) {
        char v[512];
        int n = snprintf(v, sizeof(v), "URI:%s", o->crl_url);
        if (n <= 0 || (size_t)n >= sizeof(v) ||
            add_ext_conf(x, NID_crl_distribution_points, v) != 0)
            return -1;
    }
    if (o->ocsp_url != NULL) {
        char v[512];
        int n = snprintf(v, sizeof(v), "OCSP;URI:%s", o->ocsp_url);
        if (n <= 0 || (size_t)n >= sizeof(v) ||
            add_ext_conf(x, NID_info_access, v) != 0)
            return -1;
    }
    if (o->key_ids && (gen_add_skid(x, o->subject_key) != 0 ||
                       gen_add_akid(x, NULL, ikey) != 0))
        return -1;
    if (o->san_nv != NULL && add_san_nv(x, o->san_nv) != 0)
        return -1;
    if (o->fwid_ext != NULL &&
        gen_add_ext_raw(x,
                        o->fwid_oid != NULL ? o->fwid_oid
                                            : NVGEN_OID_FWID_HOPPER,
                        0, o->fwid_ext, o->fwid_ext_len) != 0)
        return -1;
    return gen_add_exts(x, o->extra, o->n_extra);
}

int nvgen_cert_issue(X509 **out, const nvgen_cert_opts *o)
{
    X509 *x;
    EVP_MD_CTX *md = NULL;
    EVP_PKEY *ikey;
    if (out == NULL || o == NULL || o->subject == NULL ||
        o->subject_key == NULL || o->serial_len > 20 ||
        (o->extra == NULL && o->n_extra != 0) ||
        (o->issuer_cert != NULL && o->issuer_key == NULL))
        return -1;
    ikey = o->issuer_key != NULL ? o->issuer_key : o->subject_key;
    x = X509_new();
    if (x == NULL)
        return -1;
    if (cert_fill(x, o, ikey) == 0) /* md stays NULL on failure */
        gen_sign_ctx(&md, ikey, o->digest ? o->digest : "SHA384");
    return gen_cert_sign(out, x, md);
}

/* The signature value of der_sig (ECDSA-Sig-Value) with s := n - s. */
static int negate_s(uint8_t **out, int *out_len, const ASN1_BIT_STRING *der_sig)
{
    const unsigned char *p = ASN1_STRING_get0_data(der_sig);
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, ASN1_STRING_length(der_sig));
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_secp384r1);
    BIGNUM *r = NULL, *ns = BN_new();
    const BIGNUM *r0, *s0;
    unsigned char *der = NULL;
    int len = -1;
    if (sig != NULL && group != NULL && ns != NULL) {
        ECDSA_SIG_get0(sig, &r0, &s0);
        r = BN_dup(r0);
        if (r != NULL && BN_sub(ns, EC_GROUP_get0_order(group), s0) == 1 &&
            ECDSA_SIG_set0(sig, r, ns) == 1) {
            r = ns = NULL; /* owned by sig now */
            len = i2d_ECDSA_SIG(sig, &der);
        }
    }
    BN_free(r);
    BN_free(ns);
    EC_GROUP_free(group);
    ECDSA_SIG_free(sig);
    if (len <= 0)
        return -1;
    *out = der;
    *out_len = len;
    return 0;
}

int nvgen_cert_negate_s(X509 **out, const X509 *in)
{
    const ASN1_BIT_STRING *sig = NULL;
    uint8_t *der = NULL, *enc = NULL;
    const unsigned char *q;
    int len = 0, enc_len;
    X509 *copy, *result = NULL;
    if (out == NULL || in == NULL)
        return -1;
    copy = X509_dup(in);
    if (copy == NULL)
        return -1;
    X509_get0_signature(&sig, NULL, copy);
    /* The signature is the copy's own: change it in place, then encode
     * (only the TBS part keeps a cached encoding) and parse afresh. */
    if (sig != NULL && negate_s(&der, &len, sig) == 0 &&
        ASN1_BIT_STRING_set((ASN1_BIT_STRING *)sig, der, len) == 1 &&
        (enc_len = i2d_X509(copy, &enc)) > 0) {
        q = enc;
        result = d2i_X509(NULL, &q, enc_len);
    }
    OPENSSL_free(der);
    OPENSSL_free(enc);
    X509_free(copy);
    if (result == NULL)
        return -1;
    *out = result;
    return 0;
}

/* ======================================================================== */
/* FWID extensions                                                          */

static void der_fwid(gen_buf *b, const uint8_t fwid[48])
{
    gen_buf f = {0};
    der_oid(&f, SHA384_OID);
    gen_der_tlv(&f, 0x04, fwid, 48);
    gen_der_wrap(b, 0x30, &f);
    gen_buf_free(&f);
}

int nvgen_fwid_ext_hopper(uint8_t **out, size_t *out_len, EVP_PKEY *spki_key,
                          const uint8_t fwid[NVGEN_DIGEST_SIZE])
{
    gen_buf in = {0}, seq = {0};
    unsigned char *spki = NULL;
    int n, rc;
    if (out == NULL || out_len == NULL || spki_key == NULL || fwid == NULL)
        return -1;
    n = i2d_PUBKEY(spki_key, &spki);
    if (n <= 0)
        return -1;
    der_uint(&in, 0x02, 1);
    gen_buf_put(&in, spki, (size_t)n);
    der_fwid(&in, fwid);
    gen_der_wrap(&seq, 0x30, &in);
    OPENSSL_free(spki);
    gen_buf_free(&in);
    rc = gen_buf_finish(&seq, out, out_len);
    return rc;
}

int nvgen_dice_tcb_info_init(nvgen_dice_tcb_info *t,
                             const uint8_t fwid[NVGEN_DIGEST_SIZE])
{
    static const uint8_t flags[4] = {0x80, 0x00, 0x00, 0x01};
    if (t == NULL || fwid == NULL)
        return -1;
    memset(t, 0, sizeof(*t));
    t->vendor = "NVIDIA";
    t->model = "GB100 A01 GSP";
    t->version = "01";
    t->svn = 1;
    t->layer = 0;
    t->index = 0;
    memcpy(t->fwids[0], fwid, 48);
    t->n_fwids = 2; /* the second one all zero, as in the real leaf */
    memcpy(t->flags, flags, 4);
    t->has_flags = 1;
    t->vendor_info[0] = 0xC0;
    t->vendor_info_len = 1;
    t->type[0] = 0x00;
    t->type_len = 1;
    return 0;
}

int nvgen_dice_tcb_info_encode(uint8_t **out, size_t *out_len,
                               const nvgen_dice_tcb_info *t)
{
    gen_buf in = {0}, seq = {0};
    if (out == NULL || out_len == NULL || t == NULL || t->n_fwids > 4 ||
        t->vendor_info_len > sizeof(t->vendor_info) ||
        t->type_len > sizeof(t->type))
        return -1;
    if (t->vendor != NULL)
        gen_der_tlv(&in, 0x80, (const uint8_t *)t->vendor, strlen(t->vendor));
    if (t->model != NULL)
        gen_der_tlv(&in, 0x81, (const uint8_t *)t->model, strlen(t->model));
    if (t->version != NULL)
        gen_der_tlv(&in, 0x82, (const uint8_t *)t->version,
                    strlen(t->version));
    if (t->svn >= 0)
        der_uint(&in, 0x83, (unsigned long)t->svn);
    if (t->layer >= 0)
        der_uint(&in, 0x84, (unsigned long)t->layer);
    if (t->index >= 0)
        der_uint(&in, 0x85, (unsigned long)t->index);
    if (t->n_fwids > 0) {
        gen_buf f = {0};
        for (size_t i = 0; i < t->n_fwids; i++)
            der_fwid(&f, t->fwids[i]);
        gen_der_wrap(&in, 0xA6, &f);
        gen_buf_free(&f);
    }
    if (t->has_flags) {
        uint8_t bits[5] = {0, t->flags[0], t->flags[1], t->flags[2],
                           t->flags[3]};
        gen_der_tlv(&in, 0x87, bits, 5);
    }
    if (t->vendor_info_len > 0)
        gen_der_tlv(&in, 0x88, t->vendor_info, t->vendor_info_len);
    if (t->type_len > 0)
        gen_der_tlv(&in, 0x89, t->type, t->type_len);
    gen_der_wrap(&seq, 0x30, &in);
    gen_buf_free(&in);
    return gen_buf_finish(&seq, out, out_len);
}

/* SEQUENCE { OID sha384, OCTET STRING(48) } at c[0..n) into out. */
static int parse_fwid(uint8_t out[48], const uint8_t *c, size_t n)
{
    static const uint8_t sha384_oid[] = {0x60, 0x86, 0x48, 0x01, 0x65,
                                         0x03, 0x04, 0x02, 0x02};
    const uint8_t *p = c, *end = c + n, *v;
    size_t vn;
    uint8_t tag;
    if (der_read(&p, end, &tag, &v, &vn) != 0 || tag != 0x06 ||
        vn != sizeof(sha384_oid) || memcmp(v, sha384_oid, vn) != 0 ||
        der_read(&p, end, &tag, &v, &vn) != 0 || tag != 0x04 || vn != 48)
        return -1;
    memcpy(out, v, 48);
    return 0;
}

int nvgen_cert_fwid(uint8_t out[NVGEN_DIGEST_SIZE], nvgen_fwid_form *form,
                    const X509 *leaf)
{
    const ASN1_OCTET_STRING *os;
    const uint8_t *p, *end, *c, *v;
    size_t n, vn;
    uint8_t tag, tmp[48];
    if (out == NULL || form == NULL || leaf == NULL)
        return -1;
    if ((os = gen_ext_value(leaf, NVGEN_OID_FWID_HOPPER)) != NULL) {
        p = ASN1_STRING_get0_data(os);
        end = p + ASN1_STRING_length(os);
        if (der_read(&p, end, &tag, &c, &n) != 0 || tag != 0x30 || p != end)
            return -1;
        p = c;
        end = c + n;
        if (der_read(&p, end, &tag, &v, &vn) != 0 || tag != 0x02 ||
            der_read(&p, end, &tag, &v, &vn) != 0 || tag != 0x30 ||
            der_read(&p, end, &tag, &v, &vn) != 0 || tag != 0x30 ||
            p != end || parse_fwid(tmp, v, vn) != 0)
            return -1;
        memcpy(out, tmp, 48);
        *form = NVGEN_FWID_HOPPER;
        return 0;
    }
    if ((os = gen_ext_value(leaf, NVGEN_OID_DICE_TCB_INFO)) != NULL) {
        p = ASN1_STRING_get0_data(os);
        end = p + ASN1_STRING_length(os);
        if (der_read(&p, end, &tag, &c, &n) != 0 || tag != 0x30)
            return -1;
        p = c;
        end = c + n;
        while (p < end) {
            if (der_read(&p, end, &tag, &v, &vn) != 0)
                return -1;
            if (tag == 0xA6) {
                const uint8_t *q = v;
                if (der_read(&q, v + vn, &tag, &c, &n) != 0 || tag != 0x30 ||
                    parse_fwid(tmp, c, n) != 0)
                    return -1;
                memcpy(out, tmp, 48);
                *form = NVGEN_FWID_DICE;
                return 0;
            }
        }
        return -1;
    }
    *form = NVGEN_FWID_NONE;
    return 0;
}

/* 16-byte serial: 8 bytes of `serial` big-endian after 8 bytes derived from
 * it, top bit clear. */
static void serial16(uint8_t out[16], uint64_t serial)
{
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(0x5A ^ (serial >> (8 * i)) ^ (i * 0x1D));
        out[8 + i] = (uint8_t)(serial >> (8 * (7 - i)));
    }
    out[0] = (uint8_t)((out[0] & 0x7F) | 0x10);
}

int nvgen_responder_issue(X509 **out_cert, EVP_PKEY **out_key, const X509 *ca,
                          EVP_PKEY *ca_key, const char *cn, unsigned eku,
                          uint64_t serial)
{
    nvgen_cert_opts o;
    EVP_PKEY *k = NULL;
    X509 *x = NULL;
    char subj[256];
    int n;
    if (out_cert == NULL || out_key == NULL || ca == NULL || ca_key == NULL ||
        cn == NULL)
        return -1;
    n = snprintf(subj, sizeof(subj), "CN=%s,O=NVIDIA Corporation,C=US", cn);
    if (n <= 0 || (size_t)n >= sizeof(subj) || snpgen_ec_p384_keygen(&k) != 0)
        return -1;
    nvgen_cert_opts_init(&o);
    o.subject = subj;
    serial16(o.serial, serial);
    o.serial_len = 16;
    o.not_before = NVGEN_T_2024_01_01;
    o.not_after = NVGEN_T_2027_01_01;
    o.basic_constraints = 1;
    o.bc_critical = 0;
    o.is_ca = 0;
    o.key_usage = NVGEN_KU_DIGITAL_SIGNATURE;
    o.eku = eku;
    o.ocsp_nocheck = (eku & NVGEN_EKU_OCSP_NOCHECK_OID) == 0;
    o.subject_key = k;
    o.issuer_cert = ca;
    o.issuer_key = ca_key;
    if (nvgen_cert_issue(&x, &o) != 0) {
        EVP_PKEY_free(k);
        return -1;
    }
    *out_cert = x;
    *out_key = k;
    return 0;
}

/* ======================================================================== */
/* OCSP                                                                     */

int nvgen_ocsp_opts_init(nvgen_ocsp_opts *o)
{
    if (o == NULL)
        return -1;
    memset(o, 0, sizeof(*o));
    o->status = NVGEN_OCSP_GOOD;
    o->reason = -1;
    o->revoked_at = NVGEN_T_2025_05_01;
    o->this_update = NVGEN_T_2025_06_01;
    o->next_update = NVGEN_T_2025_06_02;
    o->produced_at = NVGEN_T_2025_06_01;
    o->certid_digest = "SHA384";
    o->include_cert = 1;
    o->response_status = OCSP_RESPONSE_STATUS_SUCCESSFUL;
    return 0;
}

static const EVP_MD *certid_md(const char *name)
{
    if (name == NULL || strcasecmp(name, "SHA384") == 0 ||
        strcasecmp(name, "SHA-384") == 0)
        return EVP_sha384();
    if (strcasecmp(name, "SHA1") == 0 || strcasecmp(name, "SHA-1") == 0)
        return EVP_sha1();
    if (strcasecmp(name, "SHA256") == 0 || strcasecmp(name, "SHA-256") == 0)
        return EVP_sha256();
    return NULL;
}

/*
 * Rewrite a DER BasicOCSPResponse: producedAt := produced_at, then
 * tbsResponseData re-signed (ECDSA / SHA-384) with key.
 */
static int ocsp_basic_resign(OCSP_BASICRESP **out, const uint8_t *der,
                             size_t len, int64_t produced_at, EVP_PKEY *key)
{
    const uint8_t *p = der, *end = der + len, *c, *q, *qend, *v;
    const uint8_t *tbs_c, *alg_start, *alg_end;
    size_t n, tbs_n, vn;
    uint8_t tag;
    gen_buf tbs_in = {0}, tbs = {0}, sig = {0}, body = {0}, all = {0};
    char gt[16];
    unsigned char *sd = NULL;
    size_t sd_len = 0;
    OCSP_BASICRESP *bs = NULL;
    int rc = -1;
    if (gentime_str(gt, produced_at) != 0 ||
        der_read(&p, end, &tag, &c, &n) != 0 || tag != 0x30)
        return -1;
    p = c;
    end = c + n;
    if (der_read(&p, end, &tag, &tbs_c, &tbs_n) != 0 || tag != 0x30)
        return -1;
    /* tbsResponseData: [0] version?, responderID, producedAt, ... */
    q = tbs_c;
    qend = tbs_c + tbs_n;
    while (q < qend) {
        const uint8_t *start = q;
        if (der_read(&q, qend, &tag, &v, &vn) != 0)
            goto done;
        if (tag == 0x18)
            gen_der_tlv(&tbs_in, 0x18, (const uint8_t *)gt, 15);
        else
            gen_buf_put(&tbs_in, start, (size_t)(q - start));
    }
    gen_der_wrap(&tbs, 0x30, &tbs_in);
    alg_start = p;
    if (der_read(&p, end, &tag, &v, &vn) != 0 || tag != 0x30)
        goto done;
    alg_end = p;
    if (der_read(&p, end, &tag, &v, &vn) != 0 || tag != 0x03 || tbs.err ||
        gen_ecdsa_sign_der(&sd, &sd_len, "SHA384", tbs.p, tbs.len, key) != 0)
        goto done;
    gen_buf_byte(&sig, 0);
    gen_buf_put(&sig, sd, sd_len);
    gen_buf_put(&body, tbs.p, tbs.len);
    gen_buf_put(&body, alg_start, (size_t)(alg_end - alg_start));
    gen_der_wrap(&body, 0x03, &sig);
    gen_buf_put(&body, p, (size_t)(end - p)); /* [0] certs, if any */
    gen_der_wrap(&all, 0x30, &body);
    if (!all.err) {
        const unsigned char *d = all.p;
        bs = d2i_OCSP_BASICRESP(NULL, &d, (long)all.len);
        if (bs != NULL) {
            *out = bs;
            rc = 0;
        }
    }
done:
    OPENSSL_free(sd);
    gen_buf_free(&tbs_in);
    gen_buf_free(&tbs);
    gen_buf_free(&sig);
    gen_buf_free(&body);
    gen_buf_free(&all);
    return rc;
}

int nvgen_ocsp_response(OCSP_RESPONSE **out, X509 *cert, X509 *issuer,
                        const nvgen_ocsp_opts *o)
{
    const EVP_MD *md;
    OCSP_CERTID *id = NULL;
    OCSP_BASICRESP *bs = NULL, *bs2 = NULL;
    OCSP_RESPONSE *resp = NULL;
    ASN1_TIME *tu = NULL, *nu = NULL, *rt = NULL;
    unsigned char *der = NULL;
    int der_len, status, reason = -1;
    unsigned long flags = 0;
    int rc = -1;
    if (out == NULL || o == NULL)
        return -1;
    if (o->response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        resp = OCSP_response_create(o->response_status, NULL);
        if (resp == NULL)
            return -1;
        *out = resp;
        return 0;
    }
    if (cert == NULL || issuer == NULL || o->responder == NULL ||
        o->responder_key == NULL || (md = certid_md(o->certid_digest)) == NULL ||
        (o->nonce == NULL && o->nonce_len != 0) || o->nonce_len > 1024)
        return -1;
    switch (o->status) {
    case NVGEN_OCSP_GOOD: status = V_OCSP_CERTSTATUS_GOOD; break;
    case NVGEN_OCSP_UNKNOWN: status = V_OCSP_CERTSTATUS_UNKNOWN; break;
    case NVGEN_OCSP_REVOKED:
        status = V_OCSP_CERTSTATUS_REVOKED;
        reason = o->reason >= 0 ? o->reason
                                : OCSP_REVOKED_STATUS_KEYCOMPROMISE;
        break;
    case NVGEN_OCSP_HOLD:
        status = V_OCSP_CERTSTATUS_REVOKED;
        reason = OCSP_REVOKED_STATUS_CERTIFICATEHOLD;
        break;
    default: return -1;
    }
    if ((id = OCSP_cert_to_id(md, cert, issuer)) == NULL ||
        (bs = OCSP_BASICRESP_new()) == NULL ||
        gen_asn1_time(&tu, o->this_update) ||
        (o->next_update >= 0 && gen_asn1_time(&nu, o->next_update)) ||
        (status == V_OCSP_CERTSTATUS_REVOKED &&
         gen_asn1_time(&rt, o->revoked_at)))
        goto done;
    if (OCSP_basic_add1_status(bs, id, status, reason, rt, tu, nu) == NULL)
        goto done;
    if (o->nonce != NULL &&
        OCSP_basic_add1_nonce(bs, (unsigned char *)o->nonce,
                              (int)o->nonce_len) != 1)
        goto done;
    if (!o->respid_by_name)
        flags |= OCSP_RESPID_KEY;
    if (!o->include_cert)
        flags |= OCSP_NOCERTS;
    if (OCSP_basic_sign(bs, o->responder, o->responder_key, EVP_sha384(), NULL,
                        flags) != 1)
        goto done;
    der_len = i2d_OCSP_BASICRESP(bs, &der);
    if (der_len <= 0 ||
        ocsp_basic_resign(&bs2, der, (size_t)der_len, o->produced_at,
                          o->signing_key != NULL ? o->signing_key
                                                 : o->responder_key) != 0)
        goto done;
    resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs2);
    if (resp == NULL)
        goto done;
    *out = resp;
    rc = 0;
done:
    OPENSSL_free(der);
    OCSP_BASICRESP_free(bs2);
    OCSP_BASICRESP_free(bs);
    OCSP_CERTID_free(id);
    ASN1_TIME_free(tu);
    ASN1_TIME_free(nu);
    ASN1_TIME_free(rt);
    return rc;
}

int nvgen_ocsp_response_der(uint8_t **out, size_t *out_len, X509 *cert,
                            X509 *issuer, const nvgen_ocsp_opts *o)
{
    OCSP_RESPONSE *r = NULL;
    unsigned char *der = NULL;
    uint8_t *copy;
    int n;
    if (out == NULL || out_len == NULL ||
        nvgen_ocsp_response(&r, cert, issuer, o) != 0)
        return -1;
    n = i2d_OCSP_RESPONSE(r, &der);
    OCSP_RESPONSE_free(r);
    if (n <= 0)
        return -1;
    copy = malloc((size_t)n);
    if (copy != NULL)
        memcpy(copy, der, (size_t)n);
    OPENSSL_free(der);
    if (copy == NULL)
        return -1;
    *out = copy;
    *out_len = (size_t)n;
    return 0;
}

/* ======================================================================== */
/* Reports                                                                  */

static nvgen_tlv *tlv_find(nvgen_report_desc *d, uint16_t type)
{
    for (size_t i = 0; i < d->n_tlvs; i++)
        if (d->tlvs[i].type == type)
            return &d->tlvs[i];
    return NULL;
}

int nvgen_report_set_tlv(nvgen_report_desc *d, uint16_t type,
                         const void *value, size_t len)
{
    nvgen_tlv *t;
    if (d == NULL || len > NVGEN_MAX_TLV_VALUE || (value == NULL && len != 0))
        return -1;
    t = tlv_find(d, type);
    if (t == NULL) {
        if (d->n_tlvs >= NVGEN_MAX_TLVS)
            return -1;
        t = &d->tlvs[d->n_tlvs++];
        t->type = type;
    }
    t->len = (uint16_t)len;
    if (len != 0)
        memcpy(t->value, value, len);
    return 0;
}

int nvgen_report_del_tlv(nvgen_report_desc *d, uint16_t type)
{
    size_t k = 0;
    if (d == NULL)
        return -1;
    for (size_t i = 0; i < d->n_tlvs; i++)
        if (d->tlvs[i].type != type) {
            if (k != i)
                d->tlvs[k] = d->tlvs[i];
            k++;
        }
    d->n_tlvs = k;
    return 0;
}

int nvgen_report_set_measurement(nvgen_report_desc *d, unsigned index,
                                 const uint8_t *value, size_t len)
{
    if (d == NULL || (value == NULL && len != 0) || len > NVGEN_MAX_VALUE)
        return -1;
    for (size_t i = 0; i < d->n_blocks; i++) {
        nvgen_block *b = &d->blocks[i];
        if (b->index != index + 1)
            continue;
        memset(b->value, 0, sizeof(b->value));
        if (len != 0)
            memcpy(b->value, value, len);
        b->value_len = (uint16_t)len;
        return 0;
    }
    return -1;
}

const uint8_t *nvgen_golden_report_value(const nvgen_pki *pki, size_t index)
{
    const nvgen_golden *g;
    if (pki == NULL || index >= NVGEN_RIM_RESOURCES)
        return NULL;
    g = &pki->golden[index];
    if (g->owner == NVGEN_OWNER_NONE || g->alternatives == 0 ||
        g->alternatives > NVGEN_MAX_ALTERNATIVES)
        return NULL;
    return g->hash[g->alternatives - 1];
}

/* Fixed-size NUL-padded ASCII field. */
static int set_tlv_str(nvgen_report_desc *d, uint16_t type, const char *s,
                       size_t width)
{
    uint8_t v[64] = {0};
    size_t n = strlen(s);
    if (width == 0)
        width = n + 1;
    if (n > width || width > sizeof(v))
        return -1;
    memcpy(v, s, n);
    return nvgen_report_set_tlv(d, type, v, width);
}

static int set_tlv_u16(nvgen_report_desc *d, uint16_t type, uint16_t x)
{
    uint8_t v[2];
    nvgen_put_u16(v, x);
    return nvgen_report_set_tlv(d, type, v, 2);
}

static int set_tlv_hex(nvgen_report_desc *d, uint16_t type, const char *hex)
{
    uint8_t v[64];
    size_t n = strlen(hex) / 2;
    if (n > sizeof(v))
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = (uint8_t)(gen_hex_nibble(hex[2 * i]) << 4 |
                         gen_hex_nibble(hex[2 * i + 1]));
    return nvgen_report_set_tlv(d, type, v, n);
}

/* The device's PDI: bytes 1..8 of its BROM serial. */
static int device_pdi(uint8_t out[8], const nvgen_device *dev)
{
    const ASN1_INTEGER *s;
    BIGNUM *bn;
    uint8_t tmp[9];
    int ok;
    if (dev->brom.cert == NULL)
        return -1;
    s = X509_get0_serialNumber(dev->brom.cert);
    bn = ASN1_INTEGER_to_BN(s, NULL);
    ok = bn != NULL && BN_num_bytes(bn) == 9 && BN_bn2binpad(bn, tmp, 9) == 9;
    BN_free(bn);
    if (!ok)
        return -1;
    memcpy(out, tmp + 1, 8);
    return 0;
}

int nvgen_pki_device_pdi(uint8_t out[8], const nvgen_pki *pki, size_t device)
{
    if (out == NULL || pki == NULL || device >= pki->n_devices)
        return -1;
    return device_pdi(out, &pki->dev[device]);
}

/* The 8 GPU PDIs (in order) and 64 port bytes of SWITCH_GPU_PDIS. */
static void switch_gpu_pdis(uint8_t out[128], const uint8_t pdis[8][8])
{
    for (int k = 0; k < 8; k++) {
        memcpy(out + 8 * k, pdis[k], 8);
        for (int j = 0; j < 8; j++)
            out[64 + 8 * k + j] = j < 2 ? (uint8_t)k : 0xFF;
    }
}

/* A GPU's SWITCH_PDI: one PDI per NVLink, byte-reversed (as GPUs write
 * them), link l going to switch l % n. */
static int gpu_switch_pdis(nvgen_report_desc *d, const nvgen_pki *switches)
{
    uint8_t v[8 * NVGEN_PPCIE_LINKS], pdi[8];
    for (size_t l = 0; l < NVGEN_PPCIE_LINKS; l++) {
        if (device_pdi(pdi, &switches->dev[l % switches->n_devices]) != 0)
            return -1;
        for (int j = 0; j < 8; j++)
            v[8 * l + j] = pdi[7 - j];
    }
    return nvgen_report_set_tlv(d, NVGEN_TLV_SWITCH_PDI, v, sizeof(v));
}

int nvgen_report_ppcie(nvgen_report_desc *d, const nvgen_pki *self,
                       const nvgen_pki *peers)
{
    uint8_t ppcie = 0xAA, mode[2] = {2, 0}, pdis[8][8], gpus[128];
    if (d == NULL || self == NULL || peers == NULL || peers->n_devices == 0 ||
        (self->arch == NVGEN_LS10) == (peers->arch == NVGEN_LS10))
        return -1;
    if (self->arch != NVGEN_LS10)
        return gpu_switch_pdis(d, peers) ||
                       nvgen_report_set_tlv(d, NVGEN_TLV_PROTECTED_PCIE_STATUS,
                                            &ppcie, 1) ||
                       nvgen_report_set_tlv(d, NVGEN_TLV_FEATURE_FLAG, mode, 2)
                   ? -1
                   : 0;
    if (peers->n_devices != 8)
        return -1;
    for (size_t k = 0; k < 8; k++)
        if (device_pdi(pdis[k], &peers->dev[k]) != 0)
            return -1;
    switch_gpu_pdis(gpus, (const uint8_t(*)[8])pdis);
    return nvgen_report_set_tlv(d, NVGEN_TLV_SWITCH_GPU_PDIS, gpus, sizeof(gpus));
}

static int opaque_defaults(nvgen_report_desc *d, const nvgen_pki *pki,
                           size_t device)
{
    uint8_t vb[8], msr[NVGEN_GPU_BLOCKS * 4];
    size_t n_msr = pki->arch == NVGEN_LS10 ? 26 : NVGEN_GPU_BLOCKS;
    int bw = pki->arch == NVGEN_BLACKWELL;
    memset(msr, 0, sizeof(msr));
    for (size_t i = 0; i < n_msr; i++)
        if (pki->golden[i].owner != NVGEN_OWNER_NONE)
            msr[4 * i] = 1;
    if (pki->arch == NVGEN_LS10) {
        uint8_t pdi[8], gpus[128], placeholder[8][8];
        if (device_pdi(pdi, &pki->dev[device]) != 0)
            return -1;
        /* GPUs of no PKI until nvgen_report_ppcie names real ones */
        for (int k = 0; k < 8; k++)
            for (int j = 0; j < 8; j++)
                placeholder[k][j] = (uint8_t)(0x70 + 0x11 * k + j);
        switch_gpu_pdis(gpus, (const uint8_t(*)[8])placeholder);
        return nvgen_report_set_tlv(d, NVGEN_TLV_VBIOS_VERSION,
                                    pki->vbios_version,
                                    strlen(pki->vbios_version)) ||
               nvgen_report_set_tlv(d, NVGEN_TLV_SWITCH_PDI, pdi, 8) ||
               nvgen_report_set_tlv(d, NVGEN_TLV_MSRSCNT, msr, 4 * n_msr) ||
               nvgen_report_set_tlv(d, NVGEN_TLV_SWITCH_GPU_PDIS, gpus, 128) ||
               set_tlv_hex(d, NVGEN_TLV_FLOORSWEPT_PORTS, "ec00") ||
               set_tlv_u16(d, NVGEN_TLV_POSITION_ID, (uint16_t)(2 + device)) ||
               set_tlv_hex(d, NVGEN_TLV_LOCK_SWITCH_STATUS, "0100")
                   ? -1
                   : 0;
    }
    if (nvgen_vbios_encode(vb, pki->vbios_version) != 0)
        return -1;
    if (nvgen_report_set_tlv(d, NVGEN_TLV_VBIOS_VERSION, vb, 8) ||
        set_tlv_hex(d, NVGEN_TLV_BOARD_ID, bw ? "6f060000" : "b1030000") ||
        set_tlv_str(d, NVGEN_TLV_CHIP_SKU, bw ? "886" : "882", 9) ||
        set_tlv_str(d, NVGEN_TLV_CHIP_SKU_MOD, "0", 5) ||
        set_tlv_str(d, NVGEN_TLV_PROJECT, bw ? "G525" : "1010", 5) ||
        set_tlv_str(d, NVGEN_TLV_PROJECT_SKU, bw ? "0220" : "0200", 5) ||
        set_tlv_str(d, NVGEN_TLV_PROJECT_SKU_MOD, bw ? "0" : "", 2) ||
        set_tlv_str(d, NVGEN_TLV_DRIVER_VERSION, pki->driver_version, 0) ||
        set_tlv_hex(d, NVGEN_TLV_GPU_INFO,
                    bw ? "a001000000000000" : "8001000000000000") ||
        nvgen_report_set_tlv(d, NVGEN_TLV_MSRSCNT, msr, 4 * n_msr) ||
        set_tlv_hex(d, NVGEN_TLV_CPRINFO, bw ? "00000400" : "00c00100") ||
        set_tlv_hex(d, NVGEN_TLV_NVDEC0_STATUS, "55") ||
        (pki->fwid_form != NVGEN_FWID_NONE &&
         nvgen_report_set_tlv(d, NVGEN_TLV_FWID, pki->fwid, 48)))
        return -1;
    if (!bw)
        return set_tlv_hex(d, NVGEN_TLV_PROTECTED_PCIE_STATUS, "55");
    return set_tlv_hex(d, NVGEN_TLV_SYS_ENABLE_STATUS, "0707") ||
                   set_tlv_str(d, NVGEN_TLV_CHIP_INFO, "GB100", 0) ||
                   set_tlv_u16(d, NVGEN_TLV_OPAQUE_DATA_VERSION, 1) ||
                   set_tlv_u16(d, NVGEN_TLV_FEATURE_FLAG, 0)
               ? -1
               : 0;
}

int nvgen_report_desc_init(nvgen_report_desc *d, const nvgen_pki *pki,
                           size_t device)
{
    size_t nb;
    if (d == NULL || pki == NULL || device >= pki->n_devices)
        return -1;
    memset(d, 0, sizeof(*d));
    d->req_version = 0x11;
    d->req_code = 0xE0;
    d->req_param1 = 0x01;
    d->req_param2 = 0xFF;
    memcpy(d->nonce, pki->nonce, NVGEN_NONCE_SIZE);
    d->resp_version = 0x11;
    d->resp_code = 0x60;
    d->num_blocks_field = -1;
    d->record_len_field = -1;
    d->opaque_len_field = -1;
    nb = pki->arch == NVGEN_LS10 ? NVGEN_SWITCH_BLOCKS : NVGEN_GPU_BLOCKS;
    d->n_blocks = nb;
    for (size_t i = 0; i < nb; i++) {
        nvgen_block *b = &d->blocks[i];
        const uint8_t *g = nvgen_golden_report_value(pki, i);
        b->index = (uint8_t)(i + 1);
        b->spec = 1;
        b->value_type = 1;
        b->value_len = NVGEN_DIGEST_SIZE;
        b->size_field = -1;
        if (g != NULL)
            memcpy(b->value, g, NVGEN_DIGEST_SIZE);
    }
    for (size_t k = 0; k < NVGEN_NONCE_SIZE; k++)
        d->responder_nonce[k] = (uint8_t)(0xB0 ^ k ^ device);
    return opaque_defaults(d, pki, device);
}

int nvgen_report_build(uint8_t **out, size_t *out_len,
                       nvgen_report_layout *layout,
                       const nvgen_report_desc *d, EVP_PKEY *key)
{
    gen_buf b = {0};
    nvgen_report_layout l;
    uint8_t hdr[8], sig[NVGEN_SIG_SIZE];
    size_t rec_len = 0, op_len = 0;
    if (out == NULL || out_len == NULL || d == NULL ||
        d->n_blocks > NVGEN_MAX_BLOCKS || d->n_tlvs > NVGEN_MAX_TLVS)
        return -1;
    memset(&l, 0, sizeof(l));
    for (size_t i = 0; i < d->n_blocks; i++) {
        if (d->blocks[i].value_len > NVGEN_MAX_VALUE)
            return -1;
        rec_len += NVGEN_BLOCK_HDR_SIZE + NVGEN_DMTF_HDR_SIZE +
                   d->blocks[i].value_len;
    }
    for (size_t i = 0; i < d->n_tlvs; i++) {
        if (d->tlvs[i].len > NVGEN_MAX_TLV_VALUE)
            return -1;
        op_len += 4 + d->tlvs[i].len;
    }
    if (rec_len > 0xFFFFFF || op_len > 0xFFFF)
        return -1;
    /* request */
    gen_buf_byte(&b, d->req_version);
    gen_buf_byte(&b, d->req_code);
    gen_buf_byte(&b, d->req_param1);
    gen_buf_byte(&b, d->req_param2);
    gen_buf_put(&b, d->nonce, NVGEN_NONCE_SIZE);
    gen_buf_byte(&b, d->slot_id);
    /* response header */
    hdr[0] = d->resp_version;
    hdr[1] = d->resp_code;
    hdr[2] = d->resp_param1;
    hdr[3] = d->resp_param2;
    hdr[4] = (uint8_t)(d->num_blocks_field >= 0 ? d->num_blocks_field
                                                : (int64_t)d->n_blocks);
    put_u24(hdr + 5, (uint32_t)(d->record_len_field >= 0 ? d->record_len_field
                                                         : (int64_t)rec_len));
    gen_buf_put(&b, hdr, 8);
    l.record_off = b.len;
    l.record_len = rec_len;
    l.n_blocks = d->n_blocks;
    for (size_t i = 0; i < d->n_blocks; i++) {
        const nvgen_block *blk = &d->blocks[i];
        uint8_t bh[7];
        int64_t sz = blk->size_field >= 0 ? blk->size_field
                                          : NVGEN_DMTF_HDR_SIZE + blk->value_len;
        l.block_off[i] = b.len;
        bh[0] = blk->index;
        bh[1] = blk->spec;
        nvgen_put_u16(bh + 2, (uint16_t)sz);
        bh[4] = blk->value_type;
        nvgen_put_u16(bh + 5, blk->value_len);
        gen_buf_put(&b, bh, 7);
        gen_buf_put(&b, blk->value, blk->value_len);
    }
    l.responder_nonce_off = b.len;
    gen_buf_put(&b, d->responder_nonce, NVGEN_NONCE_SIZE);
    l.opaque_len_off = b.len;
    nvgen_put_u16(hdr, (uint16_t)(d->opaque_len_field >= 0 ? d->opaque_len_field
                                                           : (int64_t)op_len));
    gen_buf_put(&b, hdr, 2);
    l.opaque_off = b.len;
    l.opaque_len = op_len;
    l.n_tlvs = d->n_tlvs;
    for (size_t i = 0; i < d->n_tlvs; i++) {
        l.tlv_off[i] = b.len;
        l.tlv_type[i] = d->tlvs[i].type;
        nvgen_put_u16(hdr, d->tlvs[i].type);
        nvgen_put_u16(hdr + 2, d->tlvs[i].len);
        gen_buf_put(&b, hdr, 4);
        gen_buf_put(&b, d->tlvs[i].value, d->tlvs[i].len);
    }
    l.signed_len = l.sig_off = b.len;
    memset(sig, 0, sizeof(sig));
    if (!b.err && key != NULL && nvgen_sign_raw(sig, b.p, b.len, key) != 0)
        b.err = 1;
    gen_buf_put(&b, sig, sizeof(sig));
    for (size_t i = 0; i < d->trailing; i++)
        gen_buf_byte(&b, d->trailing_fill);
    l.total_len = b.len;
    if (gen_buf_finish(&b, out, out_len) != 0)
        return -1;
    if (layout != NULL)
        *layout = l;
    return 0;
}

int nvgen_report_layout_parse(nvgen_report_layout *out, const uint8_t *r,
                              size_t len)
{
    nvgen_report_layout l;
    size_t off, end, nb;
    if (out == NULL || r == NULL || len < NVGEN_OFF_RECORD)
        return -1;
    memset(&l, 0, sizeof(l));
    nb = r[NVGEN_OFF_NUM_BLOCKS];
    l.record_off = NVGEN_OFF_RECORD;
    l.record_len = get_u24(r + NVGEN_OFF_RECORD_LEN);
    if (l.record_len > len - NVGEN_OFF_RECORD)
        return -1;
    off = l.record_off;
    end = off + l.record_len;
    for (size_t i = 0; i < nb; i++) {
        size_t sz;
        if (end - off < NVGEN_BLOCK_HDR_SIZE)
            return -1;
        sz = nvgen_get_u16(r + off + 2);
        if (end - off - NVGEN_BLOCK_HDR_SIZE < sz)
            return -1;
        l.block_off[i] = off;
        off += NVGEN_BLOCK_HDR_SIZE + sz;
    }
    if (off != end)
        return -1;
    l.n_blocks = nb;
    if (len - off < NVGEN_NONCE_SIZE + 2)
        return -1;
    l.responder_nonce_off = off;
    l.opaque_len_off = off + NVGEN_NONCE_SIZE;
    l.opaque_len = nvgen_get_u16(r + l.opaque_len_off);
    l.opaque_off = l.opaque_len_off + 2;
    if (len - l.opaque_off < l.opaque_len)
        return -1;
    off = l.opaque_off;
    end = off + l.opaque_len;
    while (off < end) {
        size_t tl;
        if (end - off < 4 || l.n_tlvs == NVGEN_MAX_TLVS)
            return -1;
        tl = nvgen_get_u16(r + off + 2);
        if (end - off - 4 < tl)
            return -1;
        l.tlv_off[l.n_tlvs] = off;
        l.tlv_type[l.n_tlvs++] = nvgen_get_u16(r + off);
        off += 4 + tl;
    }
    if (len - end < NVGEN_SIG_SIZE)
        return -1;
    l.signed_len = l.sig_off = end;
    l.total_len = len;
    *out = l;
    return 0;
}

int nvgen_report_find_tlv(size_t *value_off, size_t *value_len,
                          const nvgen_report_layout *l, const uint8_t *r,
                          uint16_t type)
{
    if (value_off == NULL || value_len == NULL || l == NULL || r == NULL)
        return -1;
    for (size_t i = 0; i < l->n_tlvs; i++)
        if (l->tlv_type[i] == type) {
            *value_off = l->tlv_off[i] + 4;
            *value_len = nvgen_get_u16(r + l->tlv_off[i] + 2);
            return 0;
        }
    return -1;
}

int nvgen_report_sign(uint8_t *r, size_t len, const nvgen_report_layout *l,
                      EVP_PKEY *key)
{
    uint8_t sig[NVGEN_SIG_SIZE];
    if (r == NULL || l == NULL || l->sig_off != l->signed_len ||
        l->sig_off > len || len - l->sig_off < NVGEN_SIG_SIZE ||
        nvgen_sign_raw(sig, r, l->signed_len, key) != 0)
        return -1;
    memcpy(r + l->sig_off, sig, NVGEN_SIG_SIZE);
    return 0;
}

int nvgen_report_verify(const uint8_t *r, size_t len, EVP_PKEY *key)
{
    nvgen_report_layout *l = malloc(sizeof(*l));
    int rc = -1;
    if (l == NULL)
        return -1;
    if (nvgen_report_layout_parse(l, r, len) == 0)
        rc = nvgen_verify_raw(r + l->sig_off, r, l->signed_len, key);
    free(l);
    return rc;
}

int nvgen_pki_report(uint8_t **out, size_t *out_len, const nvgen_pki *pki,
                     size_t device)
{
    nvgen_report_desc *d;
    int rc = -1;
    if (pki == NULL || device >= pki->n_devices)
        return -1;
    d = malloc(sizeof(*d));
    if (d == NULL)
        return -1;
    if (nvgen_report_desc_init(d, pki, device) == 0)
        rc = nvgen_report_build(out, out_len, NULL, d,
                                pki->dev[device].leaf.key);
    free(d);
    return rc;
}

/* ======================================================================== */
/* RIM XML                                                                  */

static pthread_once_t xmlsec_once = PTHREAD_ONCE_INIT;
static int xmlsec_init_rc = -1; /* written once, under xmlsec_once */

static int ecdsa384_registered(void)
{
    xmlSecPtrListPtr l = xmlSecTransformIdsGet();
    return l != NULL && xmlSecPtrListIsValid(l) &&
           xmlSecTransformIdListFindByHref(
               l, xmlSecHrefEcdsaSha384,
               xmlSecTransformUsageSignatureMethod) !=
               xmlSecTransformIdUnknown;
}

static void xmlsec_init_once(void)
{
    xmlSecPtrListPtr l;
    xmlInitParser();
    if (ecdsa384_registered()) { /* someone else initialised xmlsec */
        xmlsec_init_rc = 0;
        return;
    }
    l = xmlSecTransformIdsGet();
    if (l == NULL || !xmlSecPtrListIsValid(l)) {
        if (xmlSecInit() < 0)
            return;
        if (xmlSecCheckVersion() != 1)
            return;
    }
    if (xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
        return;
    xmlsec_init_rc = ecdsa384_registered() ? 0 : -1;
}

int nvgen_xmlsec_init(void)
{
    if (pthread_once(&xmlsec_once, xmlsec_init_once) != 0)
        return -1;
    return xmlsec_init_rc;
}

static int rim_ids(nvgen_rim_desc *d, const nvgen_pki *pki,
                   nvgen_rim_kind kind, const char *version)
{
    uint8_t h[48];
    int bw = pki->arch == NVGEN_BLACKWELL;
    int rc = kind == NVGEN_RIM_DRIVER
                 ? nvgen_driver_rim_id(d->rim_id, sizeof(d->rim_id),
                                       pki->arch, "GB100", version)
                 : nvgen_vbios_rim_id(d->rim_id, sizeof(d->rim_id), pki->arch,
                                      bw ? "G525" : "1010",
                                      bw ? "0220" : "0200",
                                      bw ? "886" : "882", version);
    if (rc != 0 || copy_str(d->colloquial_version,
                            sizeof(d->colloquial_version), version) != 0 ||
        sha384(h, d->rim_id, strlen(d->rim_id), NULL, 0) != 0)
        return -1;
    gen_hex_encode(d->tag_id, h, 48, 0);
    return 0;
}

int nvgen_rim_desc_set_version(nvgen_rim_desc *d, const nvgen_pki *pki,
                               nvgen_rim_kind kind, const char *version)
{
    nvgen_rim_desc tmp;
    if (d == NULL || pki == NULL || version == NULL)
        return -1;
    memcpy(tmp.rim_id, d->rim_id, sizeof(tmp.rim_id));
    if (rim_ids(d, pki, kind, version) != 0) {
        memcpy(d->rim_id, tmp.rim_id, sizeof(tmp.rim_id));
        return -1;
    }
    return 0;
}

int nvgen_rim_desc_init(nvgen_rim_desc *d, const nvgen_pki *pki,
                        nvgen_rim_kind kind)
{
    nvgen_owner want;
    const char *product;
    if (d == NULL || pki == NULL || !arch_valid(pki->arch) ||
        (kind != NVGEN_RIM_DRIVER && kind != NVGEN_RIM_VBIOS) ||
        (kind == NVGEN_RIM_DRIVER && pki->arch == NVGEN_LS10))
        return -1;
    want = kind == NVGEN_RIM_DRIVER ? NVGEN_OWNER_DRIVER : NVGEN_OWNER_VBIOS;
    product = nvgen_arch_product(pki->arch);
    memset(d, 0, sizeof(*d));
    if (rim_ids(d, pki, kind,
                kind == NVGEN_RIM_DRIVER ? pki->driver_version
                                         : pki->vbios_version) != 0)
        return -1;
    copy_str(d->name, sizeof(d->name), product);
    copy_str(d->version, sizeof(d->version), "1.0");
    copy_str(d->tag_version, sizeof(d->tag_version), "0");
    copy_str(d->product, sizeof(d->product), product);
    copy_str(d->edition, sizeof(d->edition),
             pki->arch == NVGEN_LS10 ? "SWITCH" : "GPU");
    copy_str(d->manufacturer_id, sizeof(d->manufacturer_id), "5703");
    d->n_measurements = NVGEN_RIM_RESOURCES;
    for (int i = 0; i < NVGEN_RIM_RESOURCES; i++) {
        nvgen_rim_measurement *m = &d->m[i];
        const nvgen_golden *g = &pki->golden[i];
        m->index = i;
        m->size = NVGEN_DIGEST_SIZE;
        m->alternatives = 1;
        if (g->owner == want && g->alternatives >= 1 &&
            g->alternatives <= NVGEN_MAX_ALTERNATIVES) {
            m->active = 1;
            m->alternatives = g->alternatives;
            memcpy(m->hash, g->hash, sizeof(m->hash));
            snprintf(m->name, sizeof(m->name), "HashedMeasurement_%d_%s", i,
                     kind == NVGEN_RIM_DRIVER ? "GSP" : "FSP");
        } else {
            snprintf(m->name, sizeof(m->name), "Measurement_%d", i);
        }
    }
    return 0;
}

int nvgen_rim_unsigned(char **out, size_t *out_len, const nvgen_rim_desc *d)
{
    gen_buf b = {0};
    if (out == NULL || out_len == NULL || d == NULL ||
        d->n_measurements > NVGEN_RIM_RESOURCES)
        return -1;
    gen_buf_str(&b, "<SoftwareIdentity xmlns=\"" NS_SWID
                "\" xmlns:ns0=\"" NS_SWID "\" xmlns:ns2=\"" NS_SHA384
                "\" corpus=\"false\" name=\"");
    buf_xattr(&b, d->name);
    gen_buf_str(&b, "\" patch=\"false\" supplemental=\"false\" tagId=\"");
    buf_xattr(&b, d->tag_id);
    gen_buf_str(&b, "\" version=\"");
    buf_xattr(&b, d->version);
    gen_buf_str(&b, "\" tagVersion=\"");
    buf_xattr(&b, d->tag_version);
    gen_buf_str(&b, "\">\n    <ns0:Entity name=\"NVIDIA Corporation\" "
                "role=\"softwareCreator tagCreator\"/>\n"
                "    <ns0:Meta xmlns:ns1=\"" NS_RIM
                "\" colloquialVersion=\"");
    buf_xattr(&b, d->colloquial_version);
    gen_buf_str(&b, "\" edition=\"");
    buf_xattr(&b, d->edition);
    gen_buf_str(&b, "\" product=\"");
    buf_xattr(&b, d->product);
    gen_buf_str(&b, "\" revision=\"r1\" PayloadType=\"direct\" "
                "ns1:BindingSpec=\"RIMIM\" ns1:BindingSpecVersion=\"1.01\" "
                "ns1:PlatformManufacturerId=\"");
    buf_xattr(&b, d->manufacturer_id);
    gen_buf_str(&b, "\" ns1:PlatformManufacturerStr=\"NVIDIA Corporation\" "
                "ns1:PlatformModel=\"");
    buf_xattr(&b, d->product);
    gen_buf_str(&b, "\" ns1:FirmwareManufacturer=\"NVIDIA Corporation\" "
                "ns1:FirmwareManufacturerId=\"");
    buf_xattr(&b, d->manufacturer_id);
    gen_buf_str(&b,
                "\"/>\n    <ns0:Payload xmlns:SHA384=\"" NS_SHA384 "\">\n");
    for (size_t i = 0; i < d->n_measurements; i++) {
        const nvgen_rim_measurement *m = &d->m[i];
        unsigned nh = m->alternatives < NVGEN_MAX_ALTERNATIVES
                          ? m->alternatives
                          : NVGEN_MAX_ALTERNATIVES;
        gen_buf_printf(
            &b,
            "        <ns0:Resource type=\"Measurement\" index=\"%d\" "
            "active=\"%s\" alternatives=\"%u\"",
            m->index, m->active ? "True" : "False", m->alternatives);
        for (unsigned k = 0; k < nh; k++) {
            gen_buf_printf(&b, " ns2:Hash%u=\"", k);
            gen_buf_hex(&b, m->hash[k], NVGEN_DIGEST_SIZE, 0);
            gen_buf_byte(&b, '"');
        }
        gen_buf_str(&b, " name=\"");
        buf_xattr(&b, m->name);
        gen_buf_printf(&b, "\" size=\"%d\"/>\n", m->size);
    }
    gen_buf_str(&b, "    </ns0:Payload>\n</SoftwareIdentity>");
    return gen_buf_finish(&b, out, out_len);
}

static xmlDocPtr xml_parse(const char *xml, size_t len)
{
    if (xml == NULL || len > INT32_MAX)
        return NULL;
    return xmlReadMemory(xml, (int)len, "rim.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOWARNING |
                             XML_PARSE_NOERROR);
}

/* Remove whitespace-only text children of n (recursively if deep). */
static void strip_blanks(xmlNodePtr n, int deep)
{
    xmlNodePtr c = n->children;
    while (c != NULL) {
        xmlNodePtr next = c->next;
        if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (deep && c->type == XML_ELEMENT_NODE) {
            strip_blanks(c, 1);
        }
        c = next;
    }
}

static xmlNodePtr child_named(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            xmlStrEqual(c->name, BAD_CAST name))
            return c;
    return NULL;
}

/* Set the text of n to its content without whitespace; wrap at 64 columns
 * with a newline after every line when `pem` (NVIDIA's X509Certificate
 * layout). */
static int base64_tidy(xmlNodePtr n, int pem)
{
    xmlChar *c = xmlNodeGetContent(n);
    gen_buf b = {0};
    size_t col = 0;
    if (c == NULL)
        return -1;
    for (const xmlChar *p = c; *p; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            continue;
        gen_buf_byte(&b, *p);
        if (pem && ++col == 64) {
            gen_buf_byte(&b, '\n');
            col = 0;
        }
    }
    if (pem && col != 0)
        gen_buf_byte(&b, '\n');
    xmlFree(c);
    if (b.err || b.p == NULL) {
        gen_buf_free(&b);
        return -1;
    }
    xmlNodeSetContent(n, NULL);
    xmlNodeAddContent(n, b.p); /* escapes nothing needed: base64 only */
    gen_buf_free(&b);
    return 0;
}

/* After signing: NVIDIA's compact layout outside SignedInfo. */
static int signature_tidy(xmlNodePtr sig)
{
    xmlNodePtr sv = child_named(sig, "SignatureValue");
    xmlNodePtr ki = child_named(sig, "KeyInfo");
    xmlNodePtr xd = child_named(ki, "X509Data");
    strip_blanks(sig, 0);
    if (sv == NULL || ki == NULL || xd == NULL || base64_tidy(sv, 0) != 0)
        return -1;
    strip_blanks(ki, 0);
    strip_blanks(xd, 0);
    for (xmlNodePtr c = xd->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            xmlStrEqual(c->name, BAD_CAST "X509Certificate") &&
            base64_tidy(c, 1) != 0)
            return -1;
    return 0;
}

/* Serialise without an XML declaration and without the final newline. */
static int xml_dump(char **out, size_t *out_len, xmlDocPtr doc)
{
    xmlBufferPtr xb = xmlBufferCreate();
    xmlSaveCtxtPtr s;
    gen_buf b = {0};
    size_t n;
    if (xb == NULL)
        return -1;
    s = xmlSaveToBuffer(xb, "UTF-8", XML_SAVE_NO_DECL);
    if (s == NULL) {
        xmlBufferFree(xb);
        return -1;
    }
    if (xmlSaveDoc(s, doc) < 0)
        b.err = 1;
    xmlSaveClose(s);
    n = (size_t)xmlBufferLength(xb);
    while (n > 0 && xmlBufferContent(xb)[n - 1] == '\n')
        n--;
    gen_buf_put(&b, xmlBufferContent(xb), n);
    xmlBufferFree(xb);
    return gen_buf_finish(&b, out, out_len);
}

/* An xmlsec key from an OpenSSL key (up-ref'd), with certs as X509Data. */
static xmlSecKeyPtr xmlsec_key(EVP_PKEY *pkey, X509 *const *certs, size_t n)
{
    xmlSecKeyDataPtr kd, xd;
    xmlSecKeyPtr k;
    if (EVP_PKEY_up_ref(pkey) != 1)
        return NULL;
    kd = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (kd == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    k = xmlSecKeyCreate();
    if (k == NULL || xmlSecKeySetValue(k, kd) < 0) {
        xmlSecKeyDataDestroy(kd);
        if (k != NULL)
            xmlSecKeyDestroy(k);
        return NULL;
    }
    if (n == 0)
        return k;
    xd = xmlSecKeyEnsureData(k, xmlSecOpenSSLKeyDataX509Id);
    if (xd == NULL) {
        xmlSecKeyDestroy(k);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        X509 *c = X509_dup(certs[i]);
        if (c == NULL || xmlSecOpenSSLKeyDataX509AdoptCert(xd, c) < 0) {
            X509_free(c);
            xmlSecKeyDestroy(k);
            return NULL;
        }
    }
    return k;
}

int nvgen_rim_sign(char **out, size_t *out_len, const char *xml, size_t len,
                   EVP_PKEY *key, X509 *const *chain, size_t n_chain)
{
    return nvgen_rim_sign_ex(out, out_len, xml, len, key, chain, n_chain, 0);
}

int nvgen_rim_sign_ex(char **out, size_t *out_len, const char *xml,
                      size_t len, EVP_PKEY *key, X509 *const *chain,
                      size_t n_chain, unsigned flags)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root, parent, sig = NULL, ref, ki;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlSecTransformId c14n, sm, dm;
    int rc = -1;
    if (out == NULL || out_len == NULL || xml == NULL || key == NULL ||
        (chain == NULL && n_chain != 0) || nvgen_xmlsec_init() != 0)
        return -1;
    for (size_t i = 0; i < n_chain; i++)
        if (chain[i] == NULL)
            return -1;
    c14n = (flags & NVGEN_RIM_SIGN_EXC_C14N)  ? xmlSecTransformExclC14NId
           : (flags & NVGEN_RIM_SIGN_C14N10) ? xmlSecTransformInclC14NId
                                              : xmlSecTransformInclC14N11Id;
    sm = (flags & NVGEN_RIM_SIGN_SHA256) ? xmlSecTransformEcdsaSha256Id
                                         : xmlSecTransformEcdsaSha384Id;
    dm = (flags & NVGEN_RIM_SIGN_SHA256) ? xmlSecTransformSha256Id
                                         : xmlSecTransformSha384Id;
    doc = xml_parse(xml, len);
    if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL)
        goto done;
    parent = (flags & NVGEN_RIM_SIGN_IN_PAYLOAD) ? child_named(root, "Payload")
                                                 : root;
    if (parent == NULL)
        goto done;
    sig = xmlSecTmplSignatureCreateNsPref(doc, c14n, sm, NULL, BAD_CAST "ds");
    if (sig == NULL)
        goto done;
    if (xmlAddChild(parent, sig) == NULL) {
        xmlFreeNode(sig);
        goto done;
    }
    ref = xmlSecTmplSignatureAddReference(sig, dm, NULL, BAD_CAST "", NULL);
    if (ref == NULL ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ==
            NULL ||
        xmlSecTmplReferenceAddTransform(ref, c14n) == NULL ||
        (ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) == NULL ||
        xmlSecTmplKeyInfoAddX509Data(ki) == NULL)
        goto done;
    strip_blanks(sig, 1); /* NVIDIA's signatures have no whitespace */
    ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL ||
        (ctx->signKey = xmlsec_key(key, chain, n_chain)) == NULL ||
        xmlSecDSigCtxSign(ctx, sig) < 0 || signature_tidy(sig) != 0)
        goto done;
    rc = xml_dump(out, out_len, doc);
done:
    if (ctx != NULL)
        xmlSecDSigCtxDestroy(ctx);
    xmlFreeDoc(doc);
    return rc;
}

int nvgen_rim_build(char **out, size_t *out_len, const nvgen_rim_desc *d,
                    EVP_PKEY *key, X509 *const *chain, size_t n_chain)
{
    char *x = NULL;
    size_t n = 0;
    int rc;
    if (nvgen_rim_unsigned(&x, &n, d) != 0)
        return -1;
    rc = nvgen_rim_sign(out, out_len, x, n, key, chain, n_chain);
    free(x);
    return rc;
}

size_t nvgen_pki_rim_signer(X509 *chain[4], EVP_PKEY **key,
                            const nvgen_pki *pki, int debug)
{
    if (debug) {
        chain[0] = pki->rim_dbg_leaf.cert;
        chain[1] = pki->rim_dbg_l3.cert;
        chain[2] = pki->rim_dbg_root.cert;
        *key = pki->rim_dbg_leaf.key;
        return 3;
    }
    chain[0] = pki->rim_leaf.cert;
    chain[1] = pki->rim_l3.cert;
    chain[2] = pki->rim_ca.cert;
    chain[3] = pki->rim_root.cert;
    *key = pki->rim_leaf.key;
    return 4;
}

int nvgen_pki_rim(char **out, size_t *out_len, const nvgen_pki *pki,
                  nvgen_rim_kind kind, int debug)
{
    nvgen_rim_desc *d;
    X509 *chain[4];
    EVP_PKEY *key;
    size_t n;
    int rc = -1;
    if (pki == NULL)
        return -1;
    n = nvgen_pki_rim_signer(chain, &key, pki, debug);
    d = malloc(sizeof(*d));
    if (d == NULL)
        return -1;
    if (nvgen_rim_desc_init(d, pki, kind) == 0)
        rc = nvgen_rim_build(out, out_len, d, key, chain, n);
    free(d);
    return rc;
}

/* Copy of xml with [cut, cut + cut_n) replaced by ins[0..ins_n). */
static int splice(char **out, size_t *out_len, const char *xml, size_t len,
                  size_t cut, size_t cut_n, const char *ins, size_t ins_n)
{
    gen_buf b = {0};
    if (cut > len || cut_n > len - cut)
        return -1;
    gen_buf_put(&b, xml, cut);
    gen_buf_put(&b, ins, ins_n);
    gen_buf_put(&b, xml + cut + cut_n, len - cut - cut_n);
    return gen_buf_finish(&b, out, out_len);
}

/* Position of needle in hay[from..len), or -1. */
static long find(const char *hay, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = from; n <= len && i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return (long)i;
    return -1;
}

int nvgen_rim_tamper(char **out, size_t *out_len, const char *xml, size_t len,
                     nvgen_rim_tamper_kind t, int index)
{
    long a, e;
    char c, tmp[64];
    if (out == NULL || out_len == NULL || xml == NULL)
        return -1;
    switch (t) {
    case NVGEN_RIM_TAMPER_HASH:
        snprintf(tmp, sizeof(tmp), " index=\"%d\"", index);
        a = find(xml, len, 0, tmp);
        if (a < 0 || (a = find(xml, len, (size_t)a, "Hash0=\"")) < 0)
            return -1;
        a += 7;
        c = xml[a] == '0' ? '1' : '0';
        return splice(out, out_len, xml, len, (size_t)a, 1, &c, 1);
    case NVGEN_RIM_TAMPER_VERSION:
        a = find(xml, len, 0, "colloquialVersion=\"");
        if (a < 0 || (e = find(xml, len, (size_t)a + 19, "\"")) < 0 ||
            e == a + 19)
            return -1;
        c = xml[e - 1] == '9' ? '8' : xml[e - 1] == '8' ? '9' : '0';
        if (c == xml[e - 1])
            c = '1';
        return splice(out, out_len, xml, len, (size_t)e - 1, 1, &c, 1);
    case NVGEN_RIM_TAMPER_SIGVALUE:
        a = find(xml, len, 0, "<ds:SignatureValue>");
        if (a < 0 || (size_t)a + 19 + 10 >= len)
            return -1;
        a += 19 + 10;
        c = xml[a] == 'A' ? 'B' : 'A';
        return splice(out, out_len, xml, len, (size_t)a, 1, &c, 1);
    case NVGEN_RIM_TAMPER_MOVE_SIG:
    case NVGEN_RIM_TAMPER_DUP_SIG: {
        long p;
        gen_buf b = {0};
        a = find(xml, len, 0, "<ds:Signature ");
        e = a < 0 ? -1 : find(xml, len, (size_t)a, "</ds:Signature>");
        if (a < 0 || e < 0)
            return -1;
        e += 15;
        if (t == NVGEN_RIM_TAMPER_DUP_SIG)
            return splice(out, out_len, xml, len, (size_t)e, 0, xml + a,
                          (size_t)(e - a));
        p = find(xml, len, 0, "</ns0:Payload>");
        if (p < 0 || p > a)
            return -1;
        gen_buf_put(&b, xml, (size_t)p);
        gen_buf_put(&b, xml + a, (size_t)(e - a));
        gen_buf_put(&b, xml + p, (size_t)(a - p));
        gen_buf_put(&b, xml + e, len - (size_t)e);
        return gen_buf_finish(&b, out, out_len);
    }
    }
    return -1;
}

int nvgen_rim_verify(const char *xml, size_t len, X509 *cert)
{
    xmlDocPtr doc;
    xmlNodePtr root, node;
    xmlSecDSigCtxPtr ctx = NULL;
    EVP_PKEY *pk;
    int rc = -1;
    if (xml == NULL || cert == NULL || nvgen_xmlsec_init() != 0)
        return -1;
    doc = xml_parse(xml, len);
    if (doc == NULL)
        return -1;
    root = xmlDocGetRootElement(doc);
    node = root != NULL ? xmlSecFindNode(root, xmlSecNodeSignature,
                                         xmlSecDSigNs)
                        : NULL;
    pk = X509_get0_pubkey(cert);
    if (node != NULL && pk != NULL && (ctx = xmlSecDSigCtxCreate(NULL)) != NULL &&
        (ctx->signKey = xmlsec_key(pk, NULL, 0)) != NULL &&
        xmlSecDSigCtxVerify(ctx, node) >= 0 &&
        ctx->status == xmlSecDSigStatusSucceeded)
        rc = 0;
    if (ctx != NULL)
        xmlSecDSigCtxDestroy(ctx);
    xmlFreeDoc(doc);
    return rc;
}

/* Attribute (no namespace) into out[0..max); "" if absent. */
static void attr_copy(char *out, size_t max, xmlNodePtr n, const char *name,
                      const char *ns)
{
    xmlChar *v = ns != NULL ? xmlGetNsProp(n, BAD_CAST name, BAD_CAST ns)
                            : xmlGetNoNsProp(n, BAD_CAST name);
    out[0] = '\0';
    if (v != NULL) {
        snprintf(out, max, "%s", (const char *)v);
        xmlFree(v);
    }
}

static int attr_int(int *out, xmlNodePtr n, const char *name)
{
    char v[32], *end;
    long x;
    attr_copy(v, sizeof(v), n, name, NULL);
    if (v[0] == '\0')
        return -1;
    x = strtol(v, &end, 10);
    if (*end != '\0' || x < INT32_MIN || x > INT32_MAX)
        return -1;
    *out = (int)x;
    return 0;
}

static int hex_decode(uint8_t *out, size_t want, const char *s)
{
    if (strlen(s) != 2 * want)
        return -1;
    return gen_hex_decode(out, s, want);
}

static int resource_parse(nvgen_rim_measurement *m, xmlNodePtr n)
{
    char v[160];
    int alts;
    memset(m, 0, sizeof(*m));
    if (attr_int(&m->index, n, "index") != 0 ||
        attr_int(&alts, n, "alternatives") != 0 || alts < 0 ||
        attr_int(&m->size, n, "size") != 0)
        return -1;
    m->alternatives = (unsigned)alts;
    attr_copy(v, sizeof(v), n, "active", NULL);
    m->active = strcasecmp(v, "True") == 0;
    attr_copy(m->name, sizeof(m->name), n, "name", NULL);
    for (unsigned k = 0; k < m->alternatives && k < NVGEN_MAX_ALTERNATIVES;
         k++) {
        char an[16];
        snprintf(an, sizeof(an), "Hash%u", k);
        attr_copy(v, sizeof(v), n, an, NS_SHA384);
        if (hex_decode(m->hash[k], NVGEN_DIGEST_SIZE, v) != 0)
            return -1;
    }
    return 0;
}

int nvgen_rim_parse(nvgen_rim_desc *d, const char *xml, size_t len)
{
    xmlDocPtr doc;
    xmlNodePtr root, meta, payload;
    nvgen_rim_desc *t;
    int rc = -1;
    if (d == NULL || xml == NULL)
        return -1;
    doc = xml_parse(xml, len);
    if (doc == NULL)
        return -1;
    t = calloc(1, sizeof(*t));
    root = xmlDocGetRootElement(doc);
    if (t == NULL || root == NULL ||
        !xmlStrEqual(root->name, BAD_CAST "SoftwareIdentity"))
        goto done;
    attr_copy(t->name, sizeof(t->name), root, "name", NULL);
    attr_copy(t->tag_id, sizeof(t->tag_id), root, "tagId", NULL);
    attr_copy(t->version, sizeof(t->version), root, "version", NULL);
    attr_copy(t->tag_version, sizeof(t->tag_version), root, "tagVersion",
              NULL);
    meta = child_named(root, "Meta");
    payload = child_named(root, "Payload");
    if (meta == NULL || payload == NULL)
        goto done;
    attr_copy(t->colloquial_version, sizeof(t->colloquial_version), meta,
              "colloquialVersion", NULL);
    attr_copy(t->product, sizeof(t->product), meta, "product", NULL);
    attr_copy(t->edition, sizeof(t->edition), meta, "edition", NULL);
    attr_copy(t->manufacturer_id, sizeof(t->manufacturer_id), meta,
              "FirmwareManufacturerId", NS_RIM);
    for (xmlNodePtr c = payload->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE ||
            !xmlStrEqual(c->name, BAD_CAST "Resource"))
            continue;
        if (t->n_measurements == NVGEN_RIM_RESOURCES ||
            resource_parse(&t->m[t->n_measurements], c) != 0)
            goto done;
        t->n_measurements++;
    }
    memcpy(d, t, sizeof(*d));
    rc = 0;
done:
    free(t);
    xmlFreeDoc(doc);
    return rc;
}

/* ======================================================================== */
/* Whole PKI                                                                */

int nvgen_pki_opts_init(nvgen_pki_opts *o, nvgen_arch arch)
{
    if (o == NULL || !arch_valid(arch))
        return -1;
    memset(o, 0, sizeof(*o));
    o->arch = arch;
    o->n_devices = 1;
    o->fwid_form = arch == NVGEN_BLACKWELL ? NVGEN_FWID_DICE : NVGEN_FWID_HOPPER;
    return 0;
}

static void keycert_free(nvgen_keycert *kc)
{
    EVP_PKEY_free(kc->key);
    X509_free(kc->cert);
    kc->key = NULL;
    kc->cert = NULL;
}

void nvgen_pki_free(nvgen_pki *p)
{
    if (p == NULL)
        return;
    keycert_free(&p->dev_root);
    keycert_free(&p->identity);
    keycert_free(&p->ica);
    keycert_free(&p->resp_root);
    keycert_free(&p->resp_identity);
    keycert_free(&p->resp_ica);
    for (size_t i = 0; i < NVGEN_MAX_DEVICES; i++) {
        keycert_free(&p->dev[i].brom);
        keycert_free(&p->dev[i].leaf);
        keycert_free(&p->dev[i].resp_brom);
    }
    keycert_free(&p->rim_root);
    keycert_free(&p->rim_ca);
    keycert_free(&p->rim_l3);
    keycert_free(&p->rim_leaf);
    keycert_free(&p->rim_resp_root);
    keycert_free(&p->rim_resp_ca);
    keycert_free(&p->rim_resp_l3);
    keycert_free(&p->rim_dbg_root);
    keycert_free(&p->rim_dbg_l3);
    keycert_free(&p->rim_dbg_leaf);
    free(p);
}

typedef struct {
    const char *identity, *ica, *brom, *leaf, *chip, *ica_crl, *rim_chip,
        *rim_leaf;
} arch_names;

static arch_names names_of(nvgen_arch a)
{
    arch_names n;
    switch (a) {
    case NVGEN_BLACKWELL:
        n.identity = "NVIDIA GB100 Identity";
        n.ica = "NVIDIA GB100 Provisioner ICA 00000";
        n.brom = "GB100 A01 GSP BROM";
        n.leaf = "GB100 A01 GSP FMC LF";
        n.chip = "GB100";
        n.ica_crl = "http://crl.ndis.nvidia.com/crl/l2-gb100.crl";
        n.rim_chip = "GH100";
        n.rim_leaf = "HCC RIM L4 Signer";
        break;
    case NVGEN_LS10:
        n.identity = "NVIDIA GH100 Identity";
        n.ica = "NVIDIA LS_10 Provisioner ICA 1";
        n.brom = "LS_10 A01 FSP BROM";
        n.leaf = "LS_10 A01 FSP FMC LF";
        n.chip = "LS_10";
        n.ica_crl = "http://crl.ndis.nvidia.com/crl/l2-gh100.crl";
        n.rim_chip = "LS10";
        n.rim_leaf = "NVIDIA Reference Value L4 LS10";
        break;
    case NVGEN_HOPPER:
    default:
        n.identity = "NVIDIA GH100 Identity";
        n.ica = "NVIDIA GH100 Provisioner ICA 1";
        n.brom = "GH100 A01 GSP BROM";
        n.leaf = "GH100 A01 GSP FMC LF";
        n.chip = "GH100";
        n.ica_crl = "http://crl.ndis.nvidia.com/crl/l2-gh100.crl";
        n.rim_chip = "GH100";
        n.rim_leaf = "HCC RIM L4 Signer";
        break;
    }
    return n;
}

static int golden_value(uint8_t out[48], const char *kind, const char *ver,
                        int index, unsigned alt)
{
    char s[192];
    int n = snprintf(s, sizeof(s), "nvgen golden %s %s %d %u", kind, ver,
                     index, alt);
    if (n <= 0 || (size_t)n >= sizeof(s))
        return -1;
    return sha384(out, s, (size_t)n, NULL, 0);
}

/* Mirror the real H100 RIMs: which indices, how many alternatives, which
 * active values are all zero. */
static int golden_defaults(nvgen_pki *p)
{
    static const int vbios_idx[] = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12};
    memset(p->golden, 0, sizeof(p->golden));
    for (int i = 0; i < NVGEN_RIM_RESOURCES; i++)
        p->golden[i].alternatives = 1;
    if (p->arch == NVGEN_LS10) {
        for (int i = 0; i < NVGEN_SWITCH_BLOCKS; i++) {
            p->golden[i].owner = NVGEN_OWNER_VBIOS;
            if (golden_value(p->golden[i].hash[0], "bios", p->vbios_version,
                             i, 0) != 0)
                return -1;
        }
        return 0;
    }
    for (size_t j = 0; j < sizeof(vbios_idx) / sizeof(vbios_idx[0]); j++) {
        int i = vbios_idx[j];
        nvgen_golden *g = &p->golden[i];
        g->owner = NVGEN_OWNER_VBIOS;
        g->alternatives = i == 12 ? 4 : 1;
        if (i == 0 || i == 8 || i == 10)
            continue; /* active and all zero */
        for (unsigned k = i == 12 ? 1 : 0; k < g->alternatives; k++)
            if (golden_value(g->hash[k], "vbios", p->vbios_version, i, k) !=
                0)
                return -1;
    }
    for (int i = 7; i <= 40; i = i == 7 ? 21 : i + 1) {
        nvgen_golden *g = &p->golden[i];
        g->owner = NVGEN_OWNER_DRIVER;
        g->alternatives = (i == 23 || i == 24 || i == 32 || i == 34 ||
                           i == 36)
                              ? 2
                          : i == 35 ? 4
                                    : 1;
        if (i == 28)
            continue; /* active and all zero */
        for (unsigned k = 0; k < g->alternatives; k++) {
            if ((i == 23 || i == 24) && k == 1)
                continue; /* second alternative all zero */
            if (golden_value(g->hash[k], "driver", p->driver_version, i, k) !=
                0)
                return -1;
        }
    }
    return 0;
}

/* n serial bytes from SHA-384(label || SPKI); first byte forced if != 0,
 * else top bit cleared (positive) and non-zero. */
static int serial_of(uint8_t *out, size_t n, EVP_PKEY *key, uint8_t first)
{
    uint8_t h[48];
    if (n == 0 || n > 20 || spki_sha384(h, key) != 0)
        return -1;
    if (first != 0) {
        out[0] = first;
        memcpy(out + 1, h, n - 1);
    } else {
        memcpy(out, h, n);
        out[0] = (uint8_t)((out[0] & 0x7F) | 0x10);
    }
    return 0;
}

typedef struct {
    const char *subject;
    int64_t nb, na;
    int ca, pathlen;
    unsigned ku;
    const char *crl;
    int aia;
    size_t serial_len;
    uint8_t serial_first;
} ca_spec;

/* Fresh key + certificate issued by issuer (NULL: self-signed). */
static int issue_simple(nvgen_keycert *kc, const ca_spec *s,
                        const nvgen_keycert *issuer)
{
    nvgen_cert_opts o;
    if (snpgen_ec_p384_keygen(&kc->key) != 0)
        return -1;
    nvgen_cert_opts_init(&o);
    o.subject = s->subject;
    o.serial_len = s->serial_len ? s->serial_len : 16;
    if (serial_of(o.serial, o.serial_len, kc->key, s->serial_first) != 0)
        return -1;
    o.not_before = s->nb;
    o.not_after = s->na;
    o.basic_constraints = 1;
    o.is_ca = s->ca;
    o.pathlen = s->pathlen;
    o.key_usage = s->ku;
    o.crl_url = s->crl;
    o.ocsp_url = s->aia ? NVGEN_OCSP_URL : NULL;
    o.subject_key = kc->key;
    if (issuer != NULL) {
        o.issuer_cert = issuer->cert;
        o.issuer_key = issuer->key;
    }
    return nvgen_cert_issue(&kc->cert, &o);
}

static int issue_responder(nvgen_keycert *kc, const nvgen_keycert *ca,
                           const char *cn, unsigned eku, uint64_t serial)
{
    return nvgen_responder_issue(&kc->cert, &kc->key, ca->cert, ca->key, cn,
                                 eku, serial);
}

/* An FMC leaf certifying leaf_key, issued by `brom` (its key signs): the
 * subject, SAN, key usage and FWID extension of a real leaf. */
static int issue_leaf(X509 **out, const nvgen_pki *p, const nvgen_keycert *brom,
                      EVP_PKEY *leaf_key, const arch_names *nm)
{
    nvgen_cert_opts o;
    uint8_t serial[20], h[48];
    char hex[41], subj[256], san[64];
    uint8_t *ext = NULL;
    size_t ext_len = 0;
    int rc;
    if (serial_of(serial, 20, leaf_key, 0) != 0 || spki_sha384(h, brom->key) != 0)
        return -1;
    gen_hex_encode(hex, serial, 20, 1);
    snprintf(subj, sizeof(subj),
             "serialNumber=%s,C=US,O=NVIDIA Corporation,CN=%s", hex, nm->leaf);
    gen_hex_encode(hex, h, 8, 1);
    snprintf(san, sizeof(san), "NVIDIA:%s:%s", nm->chip, hex);
    if (p->fwid_form == NVGEN_FWID_HOPPER) {
        if (nvgen_fwid_ext_hopper(&ext, &ext_len, brom->key, p->fwid) != 0)
            return -1;
    } else if (p->fwid_form == NVGEN_FWID_DICE) {
        nvgen_dice_tcb_info t;
        nvgen_dice_tcb_info_init(&t, p->fwid);
        if (nvgen_dice_tcb_info_encode(&ext, &ext_len, &t) != 0)
            return -1;
    }
    nvgen_cert_opts_init(&o);
    o.subject = subj;
    memcpy(o.serial, serial, 20);
    o.serial_len = 20;
    o.key_usage = NVGEN_KU_DIGITAL_SIGNATURE;
    o.san_nv = san;
    o.fwid_ext = ext;
    o.fwid_ext_len = ext_len;
    o.fwid_oid = p->fwid_form == NVGEN_FWID_DICE ? NVGEN_OID_DICE_TCB_INFO
                                                 : NVGEN_OID_FWID_HOPPER;
    o.subject_key = leaf_key;
    o.issuer_cert = brom->cert;
    o.issuer_key = brom->key;
    rc = nvgen_cert_issue(out, &o);
    free(ext);
    return rc;
}

static int issue_device(nvgen_pki *p, size_t i, const arch_names *nm)
{
    nvgen_device *d = &p->dev[i];
    nvgen_cert_opts o;
    uint8_t serial[20];
    char hex[41], subj[256], cn[160];
    /* BROM: per-chip CA; serial = 0x41 (GPU) / 0x50 (LS10) then the
     * device's 8-byte PDI; serialNumber attribute = the serial in hex */
    if (snpgen_ec_p384_keygen(&d->brom.key) != 0 ||
        serial_of(serial, 9, d->brom.key,
                  p->arch == NVGEN_LS10 ? 0x50 : 0x41) != 0)
        return -1;
    gen_hex_encode(hex, serial, 9, 1);
    snprintf(subj, sizeof(subj),
             "serialNumber=%s,C=US,O=NVIDIA Corporation,CN=%s", hex, nm->brom);
    nvgen_cert_opts_init(&o);
    o.subject = subj;
    memcpy(o.serial, serial, 9);
    o.serial_len = 9;
    o.basic_constraints = 1;
    o.is_ca = 1;
    o.key_usage = NVGEN_KU_KEY_CERT_SIGN;
    o.subject_key = d->brom.key;
    o.issuer_cert = p->ica.cert;
    o.issuer_key = p->ica.key;
    if (nvgen_cert_issue(&d->brom.cert, &o) != 0)
        return -1;
    /* FMC leaf: signs reports, carries the FWID */
    if (snpgen_ec_p384_keygen(&d->leaf.key) != 0 ||
        issue_leaf(&d->leaf.cert, p, &d->brom, d->leaf.key, nm) != 0)
        return -1;
    snprintf(cn, sizeof(cn), "NVIDIA OCSP Responder L4 %s", nm->brom);
    return issue_responder(&d->resp_brom, &d->brom, cn,
                           NVGEN_EKU_OCSP_SIGNING | NVGEN_EKU_OCSP_NOCHECK_OID,
                           0x4000 + i);
}

int nvgen_pki_issue_leaf(X509 **out, const nvgen_pki *pki, size_t device,
                         EVP_PKEY *leaf_key)
{
    arch_names nm;
    X509 *cert = NULL;
    if (out == NULL || pki == NULL || leaf_key == NULL ||
        device >= pki->n_devices || pki->dev[device].brom.cert == NULL)
        return -1;
    nm = names_of(pki->arch);
    if (issue_leaf(&cert, pki, &pki->dev[device].brom, leaf_key, &nm) != 0)
        return -1;
    *out = cert;
    return 0;
}

static int issue_device_cas(nvgen_pki *p, const arch_names *nm)
{
    char subj[256], cn[160];
    const unsigned dev_eku = NVGEN_EKU_OCSP_SIGNING | NVGEN_EKU_OCSP_NOCHECK_OID;
    ca_spec root = {"CN=NVIDIA Device Identity CA,O=NVIDIA",
                    NVGEN_T_2021_11_05, NVGEN_T_9999_12_31, 1, -1,
                    NVGEN_KU_KEY_CERT_SIGN | NVGEN_KU_CRL_SIGN, NULL, 0, 16, 0};
    ca_spec id = root, ica = root;
    if (issue_simple(&p->dev_root, &root, NULL) != 0)
        return -1;
    snprintf(subj, sizeof(subj), "CN=%s,O=NVIDIA Corporation", nm->identity);
    id.subject = subj;
    id.nb = NVGEN_T_2022_01_12;
    id.crl = "http://crl.ndis.nvidia.com/crl/l1-root.crl";
    id.aia = 1;
    if (issue_simple(&p->identity, &id, &p->dev_root) != 0)
        return -1;
    snprintf(subj, sizeof(subj), "CN=%s,O=NVIDIA Corporation,C=US", nm->ica);
    ica.subject = subj;
    ica.nb = NVGEN_T_2022_03_01;
    ica.crl = nm->ica_crl;
    ica.aia = 1;
    if (issue_simple(&p->ica, &ica, &p->identity) != 0)
        return -1;
    if (issue_responder(&p->resp_root, &p->dev_root,
                        "NVIDIA OCSP Responder L1-A 02", dev_eku, 0x1001) != 0)
        return -1;
    snprintf(cn, sizeof(cn), "NVIDIA OCSP Responder L2 %s",
             nm->identity + 7); /* "<chip> Identity" */
    if (issue_responder(&p->resp_identity, &p->identity, cn, dev_eku,
                        0x2001) != 0)
        return -1;
    snprintf(cn, sizeof(cn), "NVIDIA OCSP Responder L3 %s ICA1 Identity",
             nm->chip);
    return issue_responder(&p->resp_ica, &p->ica, cn, dev_eku, 0x3001);
}

static int issue_rim_pki(nvgen_pki *p, const arch_names *nm)
{
    char ca_s[256], l3_s[256], leaf_s[256], cn[160];
    ca_spec root = {"C=US,O=NVIDIA,CN=NVIDIA CoRIM signing Root CA",
                    NVGEN_T_2023_03_16, NVGEN_T_2053_03_08, 1, -1,
                    NVGEN_KU_KEY_CERT_SIGN | NVGEN_KU_CRL_SIGN, NULL, 0, 16, 0};
    ca_spec ca = root, l3 = root, leaf = root;
    ca_spec droot = root, dl3 = root, dleaf;
    snprintf(ca_s, sizeof(ca_s),
             "CN=NVIDIA Reference Value %s CA,O=NVIDIA Corporation,C=US",
             nm->rim_chip);
    snprintf(l3_s, sizeof(l3_s),
             "CN=NVIDIA Reference Value L3 %s 001,O=NVIDIA Corporation,C=US",
             nm->rim_chip);
    snprintf(leaf_s, sizeof(leaf_s),
             "C=US,ST=CA,L=Santa Clara,O=NVIDIA Corporation,CN=%s",
             nm->rim_leaf);
    ca.subject = ca_s;
    ca.nb = NVGEN_T_2023_05_11;
    ca.na = NVGEN_T_2033_05_11;
    ca.crl = "http://crl.ndis.nvidia.com/crl-corim/l1-corim";
    ca.aia = 1;
    l3.subject = l3_s;
    l3.nb = NVGEN_T_2023_10_31;
    l3.na = NVGEN_T_2027_04_30;
    l3.pathlen = 0;
    l3.aia = 1;
    leaf.subject = leaf_s;
    leaf.nb = NVGEN_T_2024_06_01;
    leaf.na = NVGEN_T_2026_06_01;
    leaf.ca = 0;
    leaf.ku = NVGEN_KU_DIGITAL_SIGNATURE;
    leaf.aia = 1;
    leaf.serial_len = 8;
    if (issue_simple(&p->rim_root, &root, NULL) != 0 ||
        issue_simple(&p->rim_ca, &ca, &p->rim_root) != 0 ||
        issue_simple(&p->rim_l3, &l3, &p->rim_ca) != 0 ||
        issue_simple(&p->rim_leaf, &leaf, &p->rim_l3) != 0)
        return -1;
    if (issue_responder(&p->rim_resp_root, &p->rim_root,
                        "NVIDIA OCSP Responder L1 CoRIM Root",
                        NVGEN_EKU_OCSP_SIGNING, 0x5001) != 0)
        return -1;
    snprintf(cn, sizeof(cn), "NVIDIA OCSP Responder L2 Reference Value %s",
             nm->rim_chip);
    if (issue_responder(&p->rim_resp_ca, &p->rim_ca, cn,
                        NVGEN_EKU_OCSP_SIGNING, 0x6001) != 0)
        return -1;
    snprintf(cn, sizeof(cn), "NVIDIA OCSP Responder L3 %s 001", nm->rim_chip);
    if (issue_responder(&p->rim_resp_l3, &p->rim_l3, cn,
                        NVGEN_EKU_OCSP_SIGNING, 0x7001) != 0)
        return -1;
    /* the debug hierarchy */
    droot.subject =
        "CN=NVIDIA CoRIM L1 Root CA Debug Only,O=NVIDIA Corporation,C=US";
    droot.nb = NVGEN_T_2023_05_11;
    droot.na = NVGEN_T_9999_12_31;
    snprintf(l3_s, sizeof(l3_s),
             "CN=NVIDIA Reference Value L3 %s 001 Debug Only,O=NVIDIA "
             "Corporation,C=US",
             nm->rim_chip);
    dl3.subject = l3_s;
    dl3.nb = NVGEN_T_2023_10_31;
    dl3.na = NVGEN_T_2027_04_30;
    dl3.pathlen = 0;
    dleaf = leaf;
    return issue_simple(&p->rim_dbg_root, &droot, NULL) ||
                   issue_simple(&p->rim_dbg_l3, &dl3, &p->rim_dbg_root) ||
                   issue_simple(&p->rim_dbg_leaf, &dleaf, &p->rim_dbg_l3)
               ? -1
               : 0;
}

static void default_nonce(uint8_t n[NVGEN_NONCE_SIZE])
{
    for (size_t i = 0; i < NVGEN_NONCE_SIZE; i++)
        n[i] = (uint8_t)(0x93 ^ (i * 0x1D));
}

static int fwid_default(uint8_t out[48], nvgen_arch a)
{
    char s[64];
    int n = snprintf(s, sizeof(s), "nvgen FMC firmware %s",
                     nvgen_arch_name(a));
    return sha384(out, s, (size_t)n, NULL, 0);
}

int nvgen_pki_generate(nvgen_pki **out, const nvgen_pki_opts *o)
{
    nvgen_pki *p;
    arch_names nm;
    uint8_t vb[8];
    const char *drv, *vbios;
    if (out == NULL || o == NULL || !arch_valid(o->arch) ||
        o->n_devices == 0 || o->n_devices > NVGEN_MAX_DEVICES ||
        o->fwid_form > NVGEN_FWID_DICE)
        return -1;
    drv = o->driver_version != NULL ? o->driver_version
          : o->arch == NVGEN_BLACKWELL ? "575.32"
                                       : "550.90.07";
    vbios = o->vbios_version != NULL ? o->vbios_version
            : o->arch == NVGEN_BLACKWELL ? "97.00.88.00.0F"
            : o->arch == NVGEN_LS10      ? "96.10.55.00.01"
                                         : "96.00.9F.00.01";
    if (o->arch != NVGEN_LS10 && nvgen_vbios_encode(vb, vbios) != 0)
        return -1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    p->arch = o->arch;
    p->fwid_form = o->fwid_form;
    p->n_devices = o->n_devices;
    nm = names_of(p->arch);
    if (copy_str(p->driver_version, sizeof(p->driver_version), drv) != 0 ||
        copy_str(p->vbios_version, sizeof(p->vbios_version), vbios) != 0 ||
        fwid_default(p->fwid, p->arch) != 0 || golden_defaults(p) != 0)
        goto fail;
    default_nonce(p->nonce);
    if (issue_device_cas(p, &nm) != 0)
        goto fail;
    for (size_t i = 0; i < p->n_devices; i++)
        if (issue_device(p, i, &nm) != 0)
            goto fail;
    if (issue_rim_pki(p, &nm) != 0)
        goto fail;
    *out = p;
    return 0;
fail:
    nvgen_pki_free(p);
    return -1;
}

static int certs_pem(char **out, size_t *out_len, X509 *const *c, size_t n)
{
    BIO *b = BIO_new(BIO_s_mem());
    gen_buf t = {0};
    char *data;
    long len;
    if (b == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (c[i] == NULL || PEM_write_bio_X509(b, c[i]) != 1)
            t.err = 1;
    len = BIO_get_mem_data(b, &data);
    if (len < 0)
        t.err = 1;
    else
        gen_buf_put(&t, data, (size_t)len);
    BIO_free(b);
    return gen_buf_finish(&t, out, out_len);
}

static void device_chain(X509 *c[5], const nvgen_pki *p, size_t i)
{
    c[0] = p->dev[i].leaf.cert;
    c[1] = p->dev[i].brom.cert;
    c[2] = p->ica.cert;
    c[3] = p->identity.cert;
    c[4] = p->dev_root.cert;
}

int nvgen_pki_device_chain_pem(char **out, size_t *out_len,
                               const nvgen_pki *pki, size_t i)
{
    X509 *c[5];
    if (out == NULL || out_len == NULL || pki == NULL || i >= pki->n_devices)
        return -1;
    device_chain(c, pki, i);
    return certs_pem(out, out_len, c, 5);
}

int nvgen_pki_ocsp(OCSP_RESPONSE **out, const nvgen_pki *pki,
                   nvgen_chain chain, size_t device, size_t pos,
                   const nvgen_ocsp_opts *o)
{
    nvgen_ocsp_opts def;
    X509 *c[5];
    const nvgen_keycert *resp;
    size_t n;
    if (out == NULL || pki == NULL)
        return -1;
    if (o == NULL) {
        nvgen_ocsp_opts_init(&def);
        o = &def;
    }
    if (chain == NVGEN_CHAIN_DEVICE) {
        const nvgen_keycert *r[4];
        if (device >= pki->n_devices)
            return -1;
        device_chain(c, pki, device);
        r[0] = &pki->dev[device].resp_brom;
        r[1] = &pki->resp_ica;
        r[2] = &pki->resp_identity;
        r[3] = &pki->resp_root;
        n = 5;
        if (pos + 1 >= n)
            return -1;
        resp = r[pos];
    } else if (chain == NVGEN_CHAIN_RIM) {
        const nvgen_keycert *r[3] = {&pki->rim_resp_l3, &pki->rim_resp_ca,
                                     &pki->rim_resp_root};
        c[0] = pki->rim_leaf.cert;
        c[1] = pki->rim_l3.cert;
        c[2] = pki->rim_ca.cert;
        c[3] = pki->rim_root.cert;
        n = 4;
        if (pos + 1 >= n)
            return -1;
        resp = r[pos];
    } else {
        return -1;
    }
    if (o->responder == NULL) {
        nvgen_ocsp_opts t = *o;
        t.responder = resp->cert;
        t.responder_key = resp->key;
        return nvgen_ocsp_response(out, c[pos], c[pos + 1], &t);
    }
    return nvgen_ocsp_response(out, c[pos], c[pos + 1], o);
}

/* ------------------------------------------------------------------------ */
/* Evidence JSON                                                            */

static void buf_b64(gen_buf *b, const uint8_t *d, size_t n)
{
    size_t need = 4 * ((n + 2) / 3);
    if (n > INT32_MAX / 2) {
        b->err = 1;
        return;
    }
    gen_buf_reserve(b, need + 1);
    if (b->err)
        return;
    EVP_EncodeBlock(b->p + b->len, d, (int)n);
    b->len += need;
    b->p[b->len] = 0;
}

int nvgen_evidence_json(char **out, size_t *out_len, const nvgen_pki *pki,
                        const uint8_t *const *reports, const size_t *lens,
                        size_t n)
{
    gen_buf b = {0};
    if (out == NULL || out_len == NULL || pki == NULL || reports == NULL ||
        lens == NULL || n > pki->n_devices)
        return -1;
    gen_buf_byte(&b, '[');
    for (size_t i = 0; i < n; i++) {
        char *pem = NULL;
        size_t pem_len = 0;
        if (reports[i] == NULL || lens[i] < NVGEN_REQUEST_SIZE ||
            nvgen_pki_device_chain_pem(&pem, &pem_len, pki, i) != 0) {
            gen_buf_free(&b);
            return -1;
        }
        gen_buf_str(&b, i ? ",{\"arch\":\"" : "{\"arch\":\"");
        gen_buf_str(&b, nvgen_arch_name(pki->arch));
        gen_buf_str(&b, "\",\"certificate\":\"");
        buf_b64(&b, (const uint8_t *)pem, pem_len);
        gen_buf_str(&b, "\",\"evidence\":\"");
        buf_b64(&b, reports[i], lens[i]);
        gen_buf_str(&b, "\",\"nonce\":\"");
        gen_buf_hex(&b, reports[i] + NVGEN_OFF_NONCE, NVGEN_NONCE_SIZE, 0);
        gen_buf_str(&b, "\"}");
        free(pem);
    }
    gen_buf_byte(&b, ']');
    return gen_buf_finish(&b, out, out_len);
}

/* ------------------------------------------------------------------------ */
/* Save / load                                                              */

/* base.pem and base.key.pem */
static int save_kc(const char *dir, const char *base, const nvgen_keycert *kc)
{
    char name[256];
    snprintf(name, sizeof(name), "%s.pem", base);
    if (gen_save_cert(dir, name, kc->cert) != 0)
        return -1;
    snprintf(name, sizeof(name), "%s.key.pem", base);
    return gen_save_key(dir, name, kc->key);
}

static int load_kc(nvgen_keycert *kc, const char *dir, const char *base)
{
    char name[256];
    snprintf(name, sizeof(name), "%s.pem", base);
    if (gen_load_cert(&kc->cert, dir, name) != 0)
        return -1;
    snprintf(name, sizeof(name), "%s.key.pem", base);
    return gen_load_key(&kc->key, dir, name);
}

static int save_pem_list(const char *dir, const char *name, X509 *const *c,
                         size_t n)
{
    char *pem = NULL;
    size_t len = 0;
    int rc;
    if (certs_pem(&pem, &len, c, n) != 0)
        return -1;
    rc = gen_write_file(dir, name, pem, len);
    free(pem);
    return rc;
}

static int save_ocsp(const char *dir, const char *name, const nvgen_pki *p,
                     nvgen_chain chain, size_t device, size_t pos)
{
    OCSP_RESPONSE *r = NULL;
    unsigned char *der = NULL;
    int n, rc;
    if (nvgen_pki_ocsp(&r, p, chain, device, pos, NULL) != 0)
        return -1;
    n = i2d_OCSP_RESPONSE(r, &der);
    OCSP_RESPONSE_free(r);
    rc = n > 0 ? gen_write_file(dir, name, der, (size_t)n) : -1;
    OPENSSL_free(der);
    return rc;
}

static const char *dev_prefix(const nvgen_pki *p)
{
    return p->arch == NVGEN_LS10 ? "switch" : "gpu";
}

/* Device i's files into dir (the top directory for device 0). */
static int save_device(const nvgen_pki *p, size_t i, const char *dir,
                       uint8_t **report, size_t *report_len)
{
    X509 *c[5];
    char nonce_hex[NVGEN_NONCE_SIZE * 2 + 2];
    if (save_kc(dir, "brom", &p->dev[i].brom) ||
        save_kc(dir, "leaf", &p->dev[i].leaf) ||
        save_kc(dir, "ocsp_responder_brom", &p->dev[i].resp_brom))
        return -1;
    device_chain(c, p, i);
    if (save_pem_list(dir, "device_cert_chain.pem", c, 5) ||
        gen_make_dir(dir, "ocsp") ||
        save_ocsp(dir, "ocsp/device_cert1.der", p, NVGEN_CHAIN_DEVICE, i, 1) ||
        save_ocsp(dir, "ocsp/device_cert2.der", p, NVGEN_CHAIN_DEVICE, i, 2) ||
        save_ocsp(dir, "ocsp/device_cert3.der", p, NVGEN_CHAIN_DEVICE, i, 3))
        return -1;
    if (nvgen_pki_report(report, report_len, p, i) != 0)
        return -1;
    gen_hex_encode(nonce_hex, p->nonce, NVGEN_NONCE_SIZE, 0);
    nonce_hex[2 * NVGEN_NONCE_SIZE] = '\n';
    return gen_write_file(dir, "report.bin", *report, *report_len) ||
                   gen_write_file(dir, "nonce.hex", nonce_hex,
                                  2 * NVGEN_NONCE_SIZE + 1)
               ? -1
               : 0;
}

static int save_rim(const char *dir, const char *name, const nvgen_pki *p,
                    nvgen_rim_kind kind)
{
    char *x = NULL;
    size_t n = 0;
    int rc;
    if (nvgen_pki_rim(&x, &n, p, kind, 0) != 0)
        return -1;
    rc = gen_write_file(dir, name, x, n);
    free(x);
    return rc;
}

int nvgen_pki_save(const nvgen_pki *p, const char *dir)
{
    uint8_t *reports[NVGEN_MAX_DEVICES] = {0};
    size_t lens[NVGEN_MAX_DEVICES] = {0};
    X509 *rc4[4];
    char *json = NULL;
    size_t json_len = 0;
    int rc = -1;
    if (p == NULL || dir == NULL || p->n_devices == 0 ||
        p->n_devices > NVGEN_MAX_DEVICES || gen_make_dir(dir, NULL) != 0)
        return -1;
    if (save_kc(dir, "device_root", &p->dev_root) ||
        save_kc(dir, "identity", &p->identity) || save_kc(dir, "ica", &p->ica) ||
        save_kc(dir, "ocsp_responder_root", &p->resp_root) ||
        save_kc(dir, "ocsp_responder_identity", &p->resp_identity) ||
        save_kc(dir, "ocsp_responder_ica", &p->resp_ica) ||
        save_kc(dir, "rim_root", &p->rim_root) ||
        save_kc(dir, "rim_ca", &p->rim_ca) || save_kc(dir, "rim_l3", &p->rim_l3) ||
        save_kc(dir, "rim_leaf", &p->rim_leaf) ||
        save_kc(dir, "rim_ocsp_responder_root", &p->rim_resp_root) ||
        save_kc(dir, "rim_ocsp_responder_ca", &p->rim_resp_ca) ||
        save_kc(dir, "rim_ocsp_responder_l3", &p->rim_resp_l3) ||
        save_kc(dir, "rim_debug_root", &p->rim_dbg_root) ||
        save_kc(dir, "rim_debug_l3", &p->rim_dbg_l3) ||
        save_kc(dir, "rim_debug_leaf", &p->rim_dbg_leaf))
        goto done;
    rc4[0] = p->rim_leaf.cert;
    rc4[1] = p->rim_l3.cert;
    rc4[2] = p->rim_ca.cert;
    rc4[3] = p->rim_root.cert;
    if (save_pem_list(dir, "rim_chain.pem", rc4, 4))
        goto done;
    rc4[0] = p->rim_dbg_leaf.cert;
    rc4[1] = p->rim_dbg_l3.cert;
    rc4[2] = p->rim_dbg_root.cert;
    if (save_pem_list(dir, "rim_debug_chain.pem", rc4, 3) ||
        gen_save_anchor(dir, "device_anchor.sha256", p->dev_root.cert) ||
        gen_save_anchor(dir, "rim_anchor.sha256", p->rim_root.cert))
        goto done;
    if ((p->arch != NVGEN_LS10 &&
         save_rim(dir, "driver_rim.xml", p, NVGEN_RIM_DRIVER)) ||
        save_rim(dir, "vbios_rim.xml", p, NVGEN_RIM_VBIOS))
        goto done;
    if (save_device(p, 0, dir, &reports[0], &lens[0]) ||
        save_ocsp(dir, "ocsp/rim_cert0.der", p, NVGEN_CHAIN_RIM, 0, 0) ||
        save_ocsp(dir, "ocsp/rim_cert1.der", p, NVGEN_CHAIN_RIM, 0, 1) ||
        save_ocsp(dir, "ocsp/rim_cert2.der", p, NVGEN_CHAIN_RIM, 0, 2))
        goto done;
    for (size_t i = 1; i < p->n_devices; i++) {
        char sub[GEN_PATH_BUF], name[32];
        snprintf(name, sizeof(name), "%s%zu", dev_prefix(p), i);
        if (gen_path_join(sub, dir, name) != 0 ||
            gen_make_dir(sub, NULL) != 0 ||
            save_device(p, i, sub, &reports[i], &lens[i]) != 0)
            goto done;
    }
    if (nvgen_evidence_json(&json, &json_len, p,
                            (const uint8_t *const *)reports, lens,
                            p->n_devices) != 0 ||
        gen_write_file(dir, "evidence.json", json, json_len) != 0)
        goto done;
    rc = 0;
done:
    for (size_t i = 0; i < NVGEN_MAX_DEVICES; i++)
        free(reports[i]);
    free(json);
    return rc;
}

static int file_exists(const char *dir, const char *name)
{
    char path[GEN_PATH_BUF];
    struct stat st;
    return gen_path_join(path, dir, name) == 0 && stat(path, &st) == 0;
}

static int load_golden(nvgen_pki *p, const char *dir, const char *name,
                       nvgen_owner owner, char *version, size_t vmax)
{
    nvgen_rim_desc *d = malloc(sizeof(*d));
    char *x = NULL;
    size_t n = 0;
    int rc = -1;
    if (d == NULL)
        return -1;
    if (gen_read_file(&x, &n, dir, name) != 0 ||
        nvgen_rim_parse(d, x, n) != 0 ||
        copy_str(version, vmax, d->colloquial_version) != 0)
        goto done;
    for (size_t i = 0; i < d->n_measurements; i++) {
        const nvgen_rim_measurement *m = &d->m[i];
        nvgen_golden *g;
        if (!m->active || m->index < 0 || m->index >= NVGEN_RIM_RESOURCES ||
            m->alternatives < 1 || m->alternatives > NVGEN_MAX_ALTERNATIVES)
            continue;
        g = &p->golden[m->index];
        g->owner = owner;
        g->alternatives = m->alternatives;
        memcpy(g->hash, m->hash, sizeof(g->hash));
    }
    rc = 0;
done:
    free(x);
    free(d);
    return rc;
}

static int load_nonce(uint8_t out[NVGEN_NONCE_SIZE], const char *dir)
{
    char *x = NULL;
    size_t n = 0;
    int rc = -1;
    if (gen_read_file(&x, &n, dir, "nonce.hex") != 0)
        return -1;
    while (n > 0 && (x[n - 1] == '\n' || x[n - 1] == '\r'))
        x[--n] = '\0';
    if (hex_decode(out, NVGEN_NONCE_SIZE, x) == 0)
        rc = 0;
    free(x);
    return rc;
}

static int load_device(nvgen_device *d, const char *dir)
{
    return load_kc(&d->brom, dir, "brom") || load_kc(&d->leaf, dir, "leaf") ||
                   load_kc(&d->resp_brom, dir, "ocsp_responder_brom")
               ? -1
               : 0;
}

int nvgen_pki_load(nvgen_pki **out, const char *dir)
{
    nvgen_pki *p;
    char cn[128];
    if (out == NULL || dir == NULL)
        return -1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    if (load_kc(&p->dev_root, dir, "device_root") ||
        load_kc(&p->identity, dir, "identity") || load_kc(&p->ica, dir, "ica") ||
        load_kc(&p->resp_root, dir, "ocsp_responder_root") ||
        load_kc(&p->resp_identity, dir, "ocsp_responder_identity") ||
        load_kc(&p->resp_ica, dir, "ocsp_responder_ica") ||
        load_kc(&p->rim_root, dir, "rim_root") ||
        load_kc(&p->rim_ca, dir, "rim_ca") || load_kc(&p->rim_l3, dir, "rim_l3") ||
        load_kc(&p->rim_leaf, dir, "rim_leaf") ||
        load_kc(&p->rim_resp_root, dir, "rim_ocsp_responder_root") ||
        load_kc(&p->rim_resp_ca, dir, "rim_ocsp_responder_ca") ||
        load_kc(&p->rim_resp_l3, dir, "rim_ocsp_responder_l3") ||
        load_kc(&p->rim_dbg_root, dir, "rim_debug_root") ||
        load_kc(&p->rim_dbg_l3, dir, "rim_debug_l3") ||
        load_kc(&p->rim_dbg_leaf, dir, "rim_debug_leaf") ||
        load_device(&p->dev[0], dir))
        goto fail;
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(p->dev[0].leaf.cert),
                                  NID_commonName, cn, sizeof(cn)) <= 0)
        goto fail;
    p->arch = strncmp(cn, "GB", 2) == 0      ? NVGEN_BLACKWELL
              : strncmp(cn, "LS_10", 5) == 0 ? NVGEN_LS10
                                             : NVGEN_HOPPER;
    if (nvgen_cert_fwid(p->fwid, &p->fwid_form, p->dev[0].leaf.cert) != 0)
        goto fail;
    p->n_devices = 1;
    while (p->n_devices < NVGEN_MAX_DEVICES) {
        char sub[GEN_PATH_BUF], name[32];
        snprintf(name, sizeof(name), "%s%zu/leaf.pem", dev_prefix(p),
                 p->n_devices);
        if (!file_exists(dir, name))
            break;
        snprintf(name, sizeof(name), "%s%zu", dev_prefix(p), p->n_devices);
        if (gen_path_join(sub, dir, name) != 0 ||
            load_device(&p->dev[p->n_devices], sub) != 0)
            goto fail;
        p->n_devices++;
    }
    for (int i = 0; i < NVGEN_RIM_RESOURCES; i++)
        p->golden[i].alternatives = 1;
    if (load_golden(p, dir, "vbios_rim.xml", NVGEN_OWNER_VBIOS,
                    p->vbios_version, sizeof(p->vbios_version)) != 0)
        goto fail;
    if (p->arch != NVGEN_LS10 &&
        load_golden(p, dir, "driver_rim.xml", NVGEN_OWNER_DRIVER,
                    p->driver_version, sizeof(p->driver_version)) != 0)
        goto fail;
    if (load_nonce(p->nonce, dir) != 0)
        default_nonce(p->nonce);
    *out = p;
    return 0;
fail:
    nvgen_pki_free(p);
    return -1;
}
