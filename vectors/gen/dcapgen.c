/*
 * dcapgen - Intel SGX/TDX DCAP test PKI, collateral and quote generator.
 * See dcapgen.h for the API contract and vectors/README.md for usage.
 */
#include "dcapgen.h"

#include "gencommon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* ======================================================================== */
/* JSON text                                                                */

/* A JSON string literal, escaped. NULL is an error (required member). */
static void buf_jstr(gen_buf *b, const char *s)
{
    if (s == NULL) {
        b->err = 1;
        return;
    }
    gen_buf_byte(b, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            gen_buf_byte(b, '\\');
            gen_buf_byte(b, *c);
        } else if (*c < 0x20) {
            gen_buf_printf(b, "\\u%04x", *c);
        } else {
            gen_buf_byte(b, *c);
        }
    }
    gen_buf_byte(b, '"');
}

/* ======================================================================== */
/* Small helpers                                                            */

void dcapgen_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

uint16_t dcapgen_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

int dcapgen_format_time(char out[DCAPGEN_TIME_LEN], int64_t t)
{
    if (out == NULL)
        return -1;
    return gen_time_format(out, DCAPGEN_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", t,
                           -1900) == DCAPGEN_TIME_LEN - 1
               ? 0
               : -1;
}

static int sha256(uint8_t out[32], const uint8_t *d1, size_t n1,
                  const uint8_t *d2, size_t n2)
{
    return gen_digest2(EVP_sha256(), out, 32, d1, n1, d2, n2);
}

/* ======================================================================== */
/* Keys and raw ECDSA                                                       */

int dcapgen_p256_keygen(EVP_PKEY **out)
{
    EVP_PKEY *k;
    if (out == NULL)
        return -1;
    k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (k == NULL)
        return -1;
    *out = k;
    return 0;
}

static int is_p256(const EVP_PKEY *key)
{
    char name[64];
    size_t len = 0;
    if (!EVP_PKEY_is_a(key, "EC"))
        return 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name,
                                       sizeof(name), &len) != 1)
        return 0;
    return strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0;
}

int dcapgen_pubkey_raw(uint8_t out[DCAPGEN_PUBKEY_SIZE], const EVP_PKEY *key)
{
    BIGNUM *x = NULL, *y = NULL;
    uint8_t tmp[DCAPGEN_PUBKEY_SIZE];
    int ok;
    if (out == NULL || key == NULL || !is_p256(key))
        return -1;
    ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
         EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
         BN_bn2binpad(x, tmp, 32) == 32 && BN_bn2binpad(y, tmp + 32, 32) == 32;
    BN_free(x);
    BN_free(y);
    if (!ok)
        return -1;
    memcpy(out, tmp, sizeof(tmp));
    return 0;
}

int dcapgen_pubkey_from_raw(EVP_PKEY **out,
                            const uint8_t xy[DCAPGEN_PUBKEY_SIZE])
{
    uint8_t pt[1 + DCAPGEN_PUBKEY_SIZE];
    OSSL_PARAM_BLD *bld;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *k = NULL;
    if (out == NULL || xy == NULL)
        return -1;
    pt[0] = 0x04;
    memcpy(pt + 1, xy, DCAPGEN_PUBKEY_SIZE);
    bld = OSSL_PARAM_BLD_new();
    if (bld != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                        "prime256v1", 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                         sizeof(pt)) == 1)
        params = OSSL_PARAM_BLD_to_param(bld);
    if (params != NULL)
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
        k = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    if (k == NULL)
        return -1;
    *out = k;
    return 0;
}

int dcapgen_sign_raw(uint8_t out[DCAPGEN_SIG_SIZE], const uint8_t *msg,
                     size_t len, EVP_PKEY *key)
{
    if (key == NULL || !is_p256(key))
        return -1;
    return gen_ecdsa_sign_raw(out, 32, "SHA256", msg, len, key);
}

int dcapgen_verify_raw(const uint8_t sig[DCAPGEN_SIG_SIZE], const uint8_t *msg,
                       size_t len, EVP_PKEY *key)
{
    return gen_ecdsa_verify_raw(sig, 32, "SHA256", msg, len, key);
}

/* ======================================================================== */
/* DER writer / reader for the SGX extension                                */

/* Content octets of a dotted OID (arcs < 2^32). */
static int oid_encode(uint8_t *out, size_t max, size_t *n, const char *dotted)
{
    unsigned long arcs[32];
    size_t na = 0, len = 0;
    const char *s = dotted;
    while (*s != '\0') {
        char *end;
        if (na == 32 || *s < '0' || *s > '9')
            return -1;
        errno = 0;
        arcs[na++] = strtoul(s, &end, 10);
        if (errno != 0 || arcs[na - 1] > 0xFFFFFFFFul)
            return -1;
        s = end;
        if (*s == '.')
            s++;
        else if (*s != '\0')
            return -1;
    }
    if (na < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
        return -1;
    arcs[1] += arcs[0] * 40;
    for (size_t i = 1; i < na; i++) {
        uint8_t tmp[5];
        int k = 0;
        unsigned long v = arcs[i];
        do {
            tmp[k++] = (uint8_t)(v & 0x7F);
            v >>= 7;
        } while (v != 0);
        while (k > 0) {
            if (len == max)
                return -1;
            k--;
            out[len++] = (uint8_t)(tmp[k] | (k > 0 ? 0x80 : 0));
        }
    }
    *n = len;
    return 0;
}

static void der_oid(gen_buf *b, const char *dotted)
{
    uint8_t c[64];
    size_t n;
    if (oid_encode(c, sizeof(c), &n, dotted) != 0) {
        b->err = 1;
        return;
    }
    gen_der_tlv(b, 0x06, c, n);
}

/* INTEGER / ENUMERATED in minimal two's complement. */
static void der_int(gen_buf *b, uint8_t tag, long long v)
{
    uint8_t tmp[9];
    int k = 0;
    unsigned long long u = (unsigned long long)v;
    for (;;) {
        tmp[k++] = (uint8_t)u;
        /* stop when the remaining value is a sign extension of this byte */
        if ((v >= 0 && (u >> 7) == 0) ||
            (v < 0 && (u >> 7) == (~0ULL >> 7)))
            break;
        u >>= 8;
        if (v < 0)
            u |= 0xFFULL << 56;
    }
    {
        uint8_t c[9];
        for (int i = 0; i < k; i++)
            c[i] = tmp[k - 1 - i];
        gen_der_tlv(b, tag, c, (size_t)k);
    }
}

/* SEQUENCE { OID oid, <value TLV> } appended to b. */
static void der_member(gen_buf *b, const char *oid, const gen_buf *value)
{
    gen_buf m = {0};
    der_oid(&m, oid);
    if (value->err)
        m.err = 1;
    else
        gen_buf_put(&m, value->p, value->len);
    if (m.err)
        b->err = 1;
    else
        gen_der_tlv(b, 0x30, m.p, m.len);
    gen_buf_free(&m);
}

static void der_member_octets(gen_buf *b, const char *oid, const uint8_t *d,
                              size_t n)
{
    gen_buf v = {0};
    gen_der_tlv(&v, 0x04, d, n);
    der_member(b, oid, &v);
    gen_buf_free(&v);
}

static void der_member_int(gen_buf *b, const char *oid, uint8_t tag,
                           long long x)
{
    gen_buf v = {0};
    der_int(&v, tag, x);
    der_member(b, oid, &v);
    gen_buf_free(&v);
}

static void der_member_bool(gen_buf *b, const char *oid, int x)
{
    gen_buf v = {0};
    uint8_t c = x ? 0xFF : 0x00;
    gen_der_tlv(&v, 0x01, &c, 1);
    der_member(b, oid, &v);
    gen_buf_free(&v);
}

#define SGX_OID DCAPGEN_SGX_EXT_OID

int dcapgen_pck_ext_init(dcapgen_pck_ext *out)
{
    static const int comps[16] = {3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
    dcapgen_pck_ext e;
    static const uint8_t fmspc[6] = {0x90, 0xC0, 0x6F, 0x00, 0x00, 0x00};
    if (out == NULL)
        return -1;
    memset(&e, 0, sizeof(e));
    for (int i = 0; i < 16; i++) {
        e.ppid[i] = (uint8_t)(0xA0 + i);
        e.sgx_svn[i] = comps[i];
        e.cpusvn[i] = (uint8_t)comps[i];
        e.platform_instance_id[i] = (uint8_t)(0xB0 + i);
    }
    e.pcesvn = 13;
    memcpy(e.fmspc, fmspc, sizeof(fmspc));
    e.sgx_type = 0;
    e.platform = 1;
    e.dynamic_platform = 1;
    e.cached_keys = 0;
    e.smt_enabled = 1;
    *out = e;
    return 0;
}

static void pck_tcb_encode(gen_buf *b, const dcapgen_pck_ext *e)
{
    gen_buf tcb = {0}, v = {0};
    char oid[64];
    for (int i = 1; i <= 16; i++) {
        snprintf(oid, sizeof(oid), SGX_OID ".2.%d", i);
        der_member_int(&tcb, oid, 0x02, e->sgx_svn[i - 1]);
    }
    if (!(e->omit & DCAPGEN_PCK_OMIT_PCESVN))
        der_member_int(&tcb, SGX_OID ".2.17", 0x02, e->pcesvn);
    if (!(e->omit & DCAPGEN_PCK_OMIT_CPUSVN))
        der_member_octets(&tcb, SGX_OID ".2.18", e->cpusvn, 16);
    gen_der_wrap(&v, 0x30, &tcb);
    der_member(b, SGX_OID ".2", &v);
    gen_buf_free(&tcb);
    gen_buf_free(&v);
}

static void pck_config_encode(gen_buf *b, const dcapgen_pck_ext *e)
{
    gen_buf cfg = {0}, v = {0};
    der_member_bool(&cfg, SGX_OID ".7.1", e->dynamic_platform);
    der_member_bool(&cfg, SGX_OID ".7.2", e->cached_keys);
    der_member_bool(&cfg, SGX_OID ".7.3", e->smt_enabled);
    gen_der_wrap(&v, 0x30, &cfg);
    der_member(b, SGX_OID ".7", &v);
    gen_buf_free(&cfg);
    gen_buf_free(&v);
}

int dcapgen_pck_ext_encode(uint8_t **out, size_t *out_len,
                           const dcapgen_pck_ext *e)
{
    gen_buf body = {0}, all = {0};
    if (out == NULL || out_len == NULL || e == NULL)
        return -1;
    if (!(e->omit & DCAPGEN_PCK_OMIT_PPID))
        der_member_octets(&body, SGX_OID ".1", e->ppid, 16);
    if (!(e->omit & DCAPGEN_PCK_OMIT_TCB))
        pck_tcb_encode(&body, e);
    if (!(e->omit & DCAPGEN_PCK_OMIT_PCEID))
        der_member_octets(&body, SGX_OID ".3", e->pce_id, 2);
    if (!(e->omit & DCAPGEN_PCK_OMIT_FMSPC))
        der_member_octets(&body, SGX_OID ".4", e->fmspc, 6);
    if (!(e->omit & DCAPGEN_PCK_OMIT_SGX_TYPE))
        der_member_int(&body, SGX_OID ".5", 0x0A, e->sgx_type);
    if (e->platform && !(e->omit & DCAPGEN_PCK_OMIT_PIID))
        der_member_octets(&body, SGX_OID ".6", e->platform_instance_id, 16);
    if (e->platform && !(e->omit & DCAPGEN_PCK_OMIT_CONFIG))
        pck_config_encode(&body, e);
    gen_der_wrap(&all, 0x30, &body);
    gen_buf_free(&body);
    return gen_buf_finish(&all, out, out_len);
}

/* The arc after SGX_OID "." in an encoded OID, e.g. "2.17"; -1 if other. */
static int oid_suffix(char *out, size_t max, const uint8_t *c, size_t n)
{
    uint8_t base[32];
    size_t bn;
    size_t pos = 0;
    unsigned long v = 0;
    if (oid_encode(base, sizeof(base), &bn, SGX_OID) != 0 || n <= bn ||
        memcmp(c, base, bn) != 0)
        return -1;
    out[0] = '\0';
    for (size_t i = bn; i < n; i++) {
        v = v << 7 | (c[i] & 0x7F);
        if (v > 0xFFFFFF)
            return -1;
        if (!(c[i] & 0x80)) {
            int w = snprintf(out + pos, max - pos, "%s%lu", pos ? "." : "", v);
            if (w < 0 || (size_t)w >= max - pos)
                return -1;
            pos += (size_t)w;
            v = 0;
        }
    }
    return (c[n - 1] & 0x80) ? -1 : 0;
}

static int der_int_value(int *out, const uint8_t *c, size_t n)
{
    long long v;
    if (n == 0 || n > 4)
        return -1;
    v = (c[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < n; i++) /* two's complement, big-endian */
        v = v * 256 + c[i];
    *out = (int)v;
    return 0;
}

/* Walk SEQUENCE OF SEQUENCE { OID, value }: call cb for each member. */
typedef int (*member_cb)(void *ctx, const char *suffix, uint8_t tag,
                         const uint8_t *c, size_t n);

static int der_walk(const uint8_t *der, size_t len, member_cb cb, void *ctx)
{
    const uint8_t *p = der, *end = der + len, *c, *ic, *ie;
    uint8_t tag;
    size_t n;
    if (gen_der_read(&p, end, &tag, &c, &n) != 0 || tag != 0x30 || p != end)
        return -1;
    p = c;
    end = c + n;
    while (p < end) {
        const uint8_t *oc, *vc;
        size_t on, vn;
        uint8_t ot, vt;
        char suffix[32];
        if (gen_der_read(&p, end, &tag, &ic, &n) != 0 || tag != 0x30)
            return -1;
        ie = ic + n;
        if (gen_der_read(&ic, ie, &ot, &oc, &on) != 0 || ot != 0x06 ||
            gen_der_read(&ic, ie, &vt, &vc, &vn) != 0 || ic != ie)
            return -1;
        if (oid_suffix(suffix, sizeof(suffix), oc, on) != 0)
            continue; /* unknown member */
        if (cb(ctx, suffix, vt, vc, vn) != 0)
            return -1;
    }
    return 0;
}

typedef struct {
    dcapgen_pck_ext e;
    unsigned seen; /* bit i: .i seen (top level); TCB bits in tcb_seen */
    uint32_t tcb_seen; /* bit i: .2.i */
    unsigned cfg_seen;
} pck_decode_ctx;

static int octets(uint8_t *dst, size_t want, uint8_t tag, const uint8_t *c,
                  size_t n)
{
    if (tag != 0x04 || n != want)
        return -1;
    memcpy(dst, c, n);
    return 0;
}

static int tcb_cb(void *vctx, const char *s, uint8_t tag, const uint8_t *c,
                  size_t n)
{
    pck_decode_ctx *x = vctx;
    int i;
    char *end;
    long v;
    if (strncmp(s, "2.", 2) != 0)
        return 0;
    v = strtol(s + 2, &end, 10);
    if (*end != '\0' || v < 1 || v > 18)
        return 0;
    i = (int)v;
    if (i <= 17) {
        int val;
        if (tag != 0x02 || der_int_value(&val, c, n) != 0)
            return -1;
        if (i == 17)
            x->e.pcesvn = val;
        else
            x->e.sgx_svn[i - 1] = val;
    } else if (octets(x->e.cpusvn, 16, tag, c, n) != 0) {
        return -1;
    }
    x->tcb_seen |= 1u << i;
    return 0;
}

static int cfg_cb(void *vctx, const char *s, uint8_t tag, const uint8_t *c,
                  size_t n)
{
    pck_decode_ctx *x = vctx;
    int *dst;
    if (strcmp(s, "7.1") == 0)
        dst = &x->e.dynamic_platform;
    else if (strcmp(s, "7.2") == 0)
        dst = &x->e.cached_keys;
    else if (strcmp(s, "7.3") == 0)
        dst = &x->e.smt_enabled;
    else
        return 0;
    if (tag != 0x01 || n != 1)
        return -1;
    *dst = c[0] != 0;
    return 0;
}

static int top_cb(void *vctx, const char *s, uint8_t tag, const uint8_t *c,
                  size_t n)
{
    pck_decode_ctx *x = vctx;
    int r = 0;
    if (strchr(s, '.') != NULL)
        return 0;
    switch (atoi(s)) {
    case 1: r = octets(x->e.ppid, 16, tag, c, n); break;
    case 2:
        r = tag == 0x30 ? 0 : -1;
        if (r == 0) {
            /* rebuild a full TLV so der_walk can be reused */
            gen_buf t = {0};
            gen_der_tlv(&t, 0x30, c, n);
            r = t.err ? -1 : der_walk(t.p, t.len, tcb_cb, x);
            gen_buf_free(&t);
        }
        break;
    case 3: r = octets(x->e.pce_id, 2, tag, c, n); break;
    case 4: r = octets(x->e.fmspc, 6, tag, c, n); break;
    case 5:
        r = tag == 0x0A ? der_int_value(&x->e.sgx_type, c, n) : -1;
        break;
    case 6: r = octets(x->e.platform_instance_id, 16, tag, c, n); break;
    case 7:
        r = tag == 0x30 ? 0 : -1;
        if (r == 0) {
            gen_buf t = {0};
            gen_der_tlv(&t, 0x30, c, n);
            r = t.err ? -1 : der_walk(t.p, t.len, cfg_cb, x);
            gen_buf_free(&t);
        }
        break;
    default: return 0;
    }
    if (r == 0)
        x->seen |= 1u << atoi(s);
    return r;
}

int dcapgen_pck_ext_decode(dcapgen_pck_ext *out, const uint8_t *der,
                           size_t len)
{
    pck_decode_ctx x;
    if (out == NULL || der == NULL)
        return -1;
    memset(&x, 0, sizeof(x));
    if (der_walk(der, len, top_cb, &x) != 0)
        return -1;
    if ((x.seen & 0x3E) != 0x3E || x.tcb_seen != 0x7FFFEu)
        return -1; /* .1-.5 and .2.1-.2.18 are required */
    x.e.platform = (x.seen & (1u << 6 | 1u << 7)) != 0;
    if (x.e.platform && !(x.seen & (1u << 6)))
        x.e.omit |= DCAPGEN_PCK_OMIT_PIID;
    if (x.e.platform && !(x.seen & (1u << 7)))
        x.e.omit |= DCAPGEN_PCK_OMIT_CONFIG;
    *out = x.e;
    return 0;
}

int dcapgen_pck_ext_from_cert(dcapgen_pck_ext *out, const X509 *cert)
{
    const ASN1_OCTET_STRING *v;
    if (out == NULL || cert == NULL)
        return -1;
    v = gen_ext_value(cert, SGX_OID);
    if (v == NULL)
        return -1;
    return dcapgen_pck_ext_decode(out, ASN1_STRING_get0_data(v),
                                  (size_t)ASN1_STRING_length(v));
}

/* ======================================================================== */
/* Certificates                                                             */

int dcapgen_cert_opts_init(dcapgen_cert_opts *o)
{
    if (o == NULL)
        return -1;
    memset(o, 0, sizeof(*o));
    o->intel_dn = 1;
    o->pathlen = -1;
    o->key_ids = 1;
    o->not_before = DCAPGEN_T_2025_01_01;
    o->not_after = DCAPGEN_T_2032_01_01;
    o->digest = NULL;
    return 0;
}

_Static_assert(DCAPGEN_KU_DIGITAL_SIGNATURE == GEN_KU_DIGITAL_SIGNATURE &&
                   DCAPGEN_KU_KEY_CERT_SIGN == GEN_KU_KEY_CERT_SIGN &&
                   DCAPGEN_KU_CRL_SIGN == GEN_KU_CRL_SIGN &&
                   DCAPGEN_KU_NON_REPUDIATION == GEN_KU_NON_REPUDIATION,
               "DCAPGEN_KU_* are GEN_KU_* bits");

static int cert_fill(X509 *x, const dcapgen_cert_opts *o, EVP_PKEY *ikey)
{
    /* Intel's subject order: CN, O, L, ST, C. */
    static const char *const rest[][2] = {{"O", "Intel Corporation"},
                                          {"L", "Santa Clara"},
                                          {"ST", "CA"},
                                          {"C", "US"}};
    X509_NAME *subj = NULL;
    if (gen_set_serial_u64(x, o->serial) != 0 ||
        gen_name_build(&subj, o->cn, rest,
                       o->intel_dn ? sizeof(rest) / sizeof(rest[0]) : 0,
                       1) != 0 ||
        gen_cert_set_body(x, subj, o->not_before, o->not_after,
                          o->subject_key, o->issuer_cert) != 0)
        return -1;
    if (o->key_ids && (gen_add_akid(x, NULL, ikey) != 0 ||
                       gen_add_skid(x, o->subject_key) != 0))
        return -1;
    if (o->key_usage != 0 && gen_add_key_usage(x, o->key_usage, 1) != 0)
        return -1;
    if (o->basic_constraints &&
        gen_add_basic_constraints(x, 1, o->is_ca ? 0xFF : 0, o->pathlen) !=
            0)
        return -1;
    if (o->sgx_ext != NULL &&
        gen_add_ext_raw(x, SGX_OID, 0, o->sgx_ext, o->sgx_ext_len) != 0)
        return -1;
    return gen_add_exts(x, o->extra, o->n_extra);
}

int dcapgen_cert_issue(X509 **out, const dcapgen_cert_opts *o)
{
    X509 *x;
    EVP_MD_CTX *md = NULL;
    EVP_PKEY *ikey;
    if (out == NULL || o == NULL || o->cn == NULL || o->subject_key == NULL ||
        (o->extra == NULL && o->n_extra != 0) ||
        (o->issuer_cert != NULL && o->issuer_key == NULL))
        return -1;
    ikey = o->issuer_key != NULL ? o->issuer_key : o->subject_key;
    x = X509_new();
    if (x == NULL)
        return -1;
    if (cert_fill(x, o, ikey) == 0) /* md stays NULL on failure */
        gen_sign_ctx(&md, ikey, o->digest ? o->digest : "SHA256");
    return gen_cert_sign(out, x, md);
}

/* ======================================================================== */
/* CRLs                                                                     */

int dcapgen_crl_opts_init(dcapgen_crl_opts *o)
{
    if (o == NULL)
        return -1;
    memset(o, 0, sizeof(*o));
    o->this_update = DCAPGEN_T_2025_06_01;
    o->next_update = DCAPGEN_T_2025_07_01;
    o->crl_number = 1;
    o->akid = 1;
    o->reason_key_compromise = 1;
    return 0;
}

static int crl_fill(X509_CRL *crl, const X509 *issuer, EVP_PKEY *ikey,
                    const dcapgen_crl_opts *o)
{
    int ok = gen_crl_fill(crl, issuer, o->this_update, o->next_update,
                          o->revoked, o->n_revoked,
                          o->reason_key_compromise) == 0;
    if (ok && o->crl_number >= 0) {
        ASN1_INTEGER *n = ASN1_INTEGER_new();
        ok = n != NULL && ASN1_INTEGER_set(n, o->crl_number) == 1 &&
             X509_CRL_add1_ext_i2d(crl, NID_crl_number, n, 0,
                                   X509V3_ADD_DEFAULT) == 1;
        ASN1_INTEGER_free(n);
    }
    if (ok && o->akid)
        ok = gen_add_akid(NULL, crl, ikey) == 0;
    return ok ? 0 : -1;
}

int dcapgen_crl_create(X509_CRL **out, const X509 *issuer_cert,
                       EVP_PKEY *issuer_key, const dcapgen_crl_opts *o)
{
    X509_CRL *crl;
    EVP_MD_CTX *md = NULL;
    if (out == NULL || issuer_cert == NULL || issuer_key == NULL ||
        o == NULL || (o->revoked == NULL && o->n_revoked != 0))
        return -1;
    crl = X509_CRL_new();
    if (crl == NULL)
        return -1;
    if (crl_fill(crl, issuer_cert, issuer_key, o) == 0) /* else md NULL */
        gen_sign_ctx(&md, issuer_key, o->digest ? o->digest : "SHA256");
    return gen_crl_sign(out, crl, md);
}

/* ======================================================================== */
/* JSON: pretty printer, member scanner, signing                            */

int dcapgen_json_pretty(char **out, size_t *out_len, const char *json,
                        size_t len)
{
    gen_buf b = {0};
    int depth = 0;
    if (out == NULL || json == NULL)
        return -1;
#define NEWLINE()                                                           \
    do {                                                                    \
        gen_buf_byte(&b, '\n');                                             \
        for (int d_ = 0; d_ < depth; d_++)                                  \
            gen_buf_str(&b, "    ");                                        \
    } while (0)
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < len && json[j] != '"')
                j += json[j] == '\\' ? 2 : 1;
            if (j >= len) {
                gen_buf_free(&b);
                return -1;
            }
            gen_buf_put(&b, json + i, j + 1 - i);
            i = j;
        } else if (c == '{' || c == '[') {
            size_t j = i + 1;
            while (j < len && (json[j] == ' ' || json[j] == '\n' ||
                               json[j] == '\t' || json[j] == '\r'))
                j++;
            if (j < len && json[j] == (c == '{' ? '}' : ']')) {
                gen_buf_byte(&b, (uint8_t)c);
                gen_buf_byte(&b, (uint8_t)json[j]);
                i = j;
                continue;
            }
            gen_buf_byte(&b, (uint8_t)c);
            depth++;
            NEWLINE();
        } else if (c == '}' || c == ']') {
            depth--;
            NEWLINE();
            gen_buf_byte(&b, (uint8_t)c);
        } else if (c == ',') {
            gen_buf_byte(&b, ',');
            NEWLINE();
        } else if (c == ':') {
            gen_buf_str(&b, ": ");
        } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            continue;
        } else {
            gen_buf_byte(&b, (uint8_t)c);
        }
    }
#undef NEWLINE
    gen_buf_byte(&b, '\n');
    if (depth != 0)
        b.err = 1;
    return gen_buf_finish(&b, out, out_len);
}

static size_t skip_ws(const char *d, size_t i, size_t len)
{
    while (i < len && (d[i] == ' ' || d[i] == '\n' || d[i] == '\t' ||
                       d[i] == '\r'))
        i++;
    return i;
}

/* End (exclusive) of the string starting at d[i] == '"', or 0. */
static size_t skip_string(const char *d, size_t i, size_t len)
{
    for (i++; i < len; i++) {
        if (d[i] == '\\')
            i++;
        else if (d[i] == '"')
            return i + 1;
    }
    return 0;
}

/* End (exclusive) of the value starting at d[i], or 0. */
static size_t skip_value(const char *d, size_t i, size_t len)
{
    int depth = 0;
    if (i >= len)
        return 0;
    if (d[i] == '"')
        return skip_string(d, i, len);
    if (d[i] != '{' && d[i] != '[') {
        while (i < len && d[i] != ',' && d[i] != '}' && d[i] != ']' &&
               d[i] != ' ' && d[i] != '\n' && d[i] != '\t' && d[i] != '\r')
            i++;
        return i;
    }
    while (i < len) {
        if (d[i] == '"') {
            i = skip_string(d, i, len);
            if (i == 0)
                return 0;
            continue;
        }
        if (d[i] == '{' || d[i] == '[')
            depth++;
        else if (d[i] == '}' || d[i] == ']') {
            if (--depth == 0)
                return i + 1;
        }
        i++;
    }
    return 0;
}

int dcapgen_json_member_span(size_t *off, size_t *n, const char *doc,
                             size_t len, const char *name)
{
    size_t i, nl;
    if (off == NULL || n == NULL || doc == NULL || name == NULL)
        return -1;
    nl = strlen(name);
    i = skip_ws(doc, 0, len);
    if (i >= len || doc[i] != '{')
        return -1;
    i = skip_ws(doc, i + 1, len);
    while (i < len && doc[i] == '"') {
        size_t kstart = i + 1, kend = skip_string(doc, i, len), vstart, vend;
        if (kend == 0)
            return -1;
        i = skip_ws(doc, kend, len);
        if (i >= len || doc[i] != ':')
            return -1;
        vstart = skip_ws(doc, i + 1, len);
        vend = skip_value(doc, vstart, len);
        if (vend == 0 || vend == vstart)
            return -1;
        /* key text is doc[kstart, kend - 1) */
        if (kend - 1 - kstart == nl && memcmp(doc + kstart, name, nl) == 0) {
            *off = vstart;
            *n = vend - vstart;
            return 0;
        }
        i = skip_ws(doc, vend, len);
        if (i < len && doc[i] == ',')
            i = skip_ws(doc, i + 1, len);
        else
            break;
    }
    return -1;
}

int dcapgen_signed_json(char **out, size_t *out_len, const char *member,
                        const char *inner, size_t inner_len, EVP_PKEY *key,
                        unsigned flags)
{
    gen_buf b = {0};
    char *doc = NULL, *pretty = NULL;
    size_t doc_len = 0, off, n, soff, sn;
    uint8_t sig[DCAPGEN_SIG_SIZE];
    char hex[2 * DCAPGEN_SIG_SIZE + 1];
    const char *msg;
    size_t msg_len;
    if (out == NULL || member == NULL || inner == NULL || key == NULL)
        return -1;
    gen_buf_byte(&b, '{');
    buf_jstr(&b, member);
    gen_buf_byte(&b, ':');
    gen_buf_put(&b, inner, inner_len);
    gen_buf_str(&b, ",\"signature\":\"");
    for (int i = 0; i < 2 * DCAPGEN_SIG_SIZE; i++)
        gen_buf_byte(&b, '0');
    gen_buf_str(&b, "\"}");
    if (gen_buf_finish(&b, &doc, &doc_len) != 0)
        return -1;
    if (flags & DCAPGEN_JSON_PRETTY) {
        if (dcapgen_json_pretty(&pretty, &n, doc, doc_len) != 0) {
            free(doc);
            return -1;
        }
        free(doc);
        doc = pretty;
        doc_len = n;
    }
    if (dcapgen_json_member_span(&off, &n, doc, doc_len, member) != 0 ||
        dcapgen_json_member_span(&soff, &sn, doc, doc_len, "signature") !=
            0 ||
        sn != 2 + 2 * DCAPGEN_SIG_SIZE) {
        free(doc);
        return -1;
    }
    if ((flags & DCAPGEN_JSON_PRETTY) && (flags & DCAPGEN_JSON_SIGN_AS_WRITTEN)) {
        msg = doc + off;
        msg_len = n;
    } else {
        msg = inner;
        msg_len = inner_len;
    }
    if (dcapgen_sign_raw(sig, (const uint8_t *)msg, msg_len, key) != 0) {
        free(doc);
        return -1;
    }
    gen_hex_encode(hex, sig, sizeof(sig), 0);
    memcpy(doc + soff + 1, hex, 2 * sizeof(sig)); /* not the NUL */
    *out = doc;
    if (out_len != NULL)
        *out_len = doc_len;
    return 0;
}

int dcapgen_json_verify(const char *doc, size_t len, const char *member,
                        EVP_PKEY *key)
{
    size_t off, n, soff, sn;
    uint8_t sig[DCAPGEN_SIG_SIZE];
    if (doc == NULL || member == NULL || key == NULL ||
        dcapgen_json_member_span(&off, &n, doc, len, member) != 0 ||
        dcapgen_json_member_span(&soff, &sn, doc, len, "signature") != 0 ||
        sn != 2 + 2 * DCAPGEN_SIG_SIZE)
        return -1;
    if (gen_hex_decode(sig, doc + soff + 1, DCAPGEN_SIG_SIZE) != 0)
        return -1;
    return dcapgen_verify_raw(sig, (const uint8_t *)doc + off, n, key);
}

/* ======================================================================== */
/* Collateral documents                                                     */

static const char *const ADV_PLATFORM[] = {"INTEL-SA-00001"};
static const char *const ADV_MODULE[] = {"INTEL-SA-00002"};
static const char *const ADV_QE[] = {"INTEL-SA-00003"};

#define DATE_ISSUE "2025-06-01T00:00:00Z"
#define DATE_NEXT "2025-07-01T00:00:00Z"
#define DATE_CURRENT "2024-11-13T00:00:00Z"
#define DATE_OLD "2024-03-13T00:00:00Z"
#define EVAL_NUMBER 17

static const dcapgen_isv_level MODULE_LEVELS[] = {
    {3, DATE_CURRENT, "UpToDate", NULL, 0},
    {2, DATE_OLD, "OutOfDate", ADV_MODULE, 1}};

static const dcapgen_tdx_module_identity MODULE_TDX_01 = {
    "TDX_01",
    {0},
    {0},
    {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
    MODULE_LEVELS,
    2};

static const int TDX_COMPS_CURRENT[16] = {3, 0, 2};
static const int TDX_COMPS_OLD[16] = {2, 0, 1};

static void level_set(dcapgen_tcb_level *l, const dcapgen_pck_ext *pck,
                      int lower, const int tdx[16])
{
    memset(l, 0, sizeof(*l));
    for (int i = 0; i < 16; i++) {
        int v = pck->sgx_svn[i] - lower;
        l->sgx_svn[i] = v < 0 ? 0 : v;
        l->tdx_svn[i] = tdx[i];
    }
    l->pcesvn = pck->pcesvn - lower < 0 ? 0 : pck->pcesvn - lower;
}

int dcapgen_tcb_info_desc_init(dcapgen_tcb_info_desc *d,
                               dcapgen_tcb_level levels[2], int tdx,
                               const dcapgen_pck_ext *pck)
{
    dcapgen_pck_ext def;
    if (d == NULL || levels == NULL)
        return -1;
    if (pck == NULL) {
        dcapgen_pck_ext_init(&def);
        pck = &def;
    }
    memset(d, 0, sizeof(*d));
    d->tdx = tdx ? 1 : 0;
    d->version = 3;
    d->issue_date = DATE_ISSUE;
    d->next_update = DATE_NEXT;
    memcpy(d->fmspc, pck->fmspc, 6);
    memcpy(d->pce_id, pck->pce_id, 2);
    d->tcb_type = 0;
    d->tcb_evaluation_data_number = EVAL_NUMBER;
    if (tdx) {
        d->tdx_module = 1;
        memset(d->module_attributes_mask, 0xFF, 8);
        d->module_identities = &MODULE_TDX_01;
        d->n_module_identities = 1;
    }
    level_set(&levels[0], pck, 0, TDX_COMPS_CURRENT);
    levels[0].tcb_date = DATE_CURRENT;
    levels[0].tcb_status = "UpToDate";
    level_set(&levels[1], pck, 1, TDX_COMPS_OLD);
    levels[1].tcb_date = DATE_OLD;
    levels[1].tcb_status = "OutOfDate";
    levels[1].advisory_ids = ADV_PLATFORM;
    levels[1].n_advisory_ids = 1;
    d->levels = levels;
    d->n_levels = 2;
    if (!tdx && memcmp(levels[0].sgx_svn, levels[1].sgx_svn,
                       sizeof(levels[0].sgx_svn)) == 0 &&
        levels[0].pcesvn == levels[1].pcesvn)
        d->n_levels = 1;
    return 0;
}

static void json_advisories(gen_buf *b, const char *const *ids, size_t n)
{
    if (ids == NULL)
        return;
    gen_buf_str(b, ",\"advisoryIDs\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            gen_buf_byte(b, ',');
        buf_jstr(b, ids[i]);
    }
    gen_buf_byte(b, ']');
}

static void json_isv_levels(gen_buf *b, const dcapgen_isv_level *lv, size_t n)
{
    gen_buf_str(b, "\"tcbLevels\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            gen_buf_byte(b, ',');
        gen_buf_printf(b, "{\"tcb\":{\"isvsvn\":%d},\"tcbDate\":",
                       lv[i].isvsvn);
        buf_jstr(b, lv[i].tcb_date);
        gen_buf_str(b, ",\"tcbStatus\":");
        buf_jstr(b, lv[i].tcb_status);
        json_advisories(b, lv[i].advisory_ids, lv[i].n_advisory_ids);
        gen_buf_byte(b, '}');
    }
    gen_buf_byte(b, ']');
}

static void json_comps(gen_buf *b, const char *name, const int svn[16],
                       const dcapgen_comp_label *labels)
{
    gen_buf_byte(b, '"');
    gen_buf_str(b, name);
    gen_buf_str(b, "\":[");
    for (int i = 0; i < 16; i++) {
        if (i)
            gen_buf_byte(b, ',');
        gen_buf_printf(b, "{\"svn\":%d", svn[i]);
        if (labels != NULL && labels[i].category != NULL) {
            gen_buf_str(b, ",\"category\":");
            buf_jstr(b, labels[i].category);
        }
        if (labels != NULL && labels[i].type != NULL) {
            gen_buf_str(b, ",\"type\":");
            buf_jstr(b, labels[i].type);
        }
        gen_buf_byte(b, '}');
    }
    gen_buf_byte(b, ']');
}

static void json_tcb_level(gen_buf *b, const dcapgen_tcb_info_desc *d,
                           const dcapgen_tcb_level *l)
{
    gen_buf_str(b, "{\"tcb\":{");
    if (d->version == 2) {
        for (int i = 0; i < 16; i++)
            gen_buf_printf(b, "\"sgxtcbcomp%02dsvn\":%d,", i + 1,
                           l->sgx_svn[i]);
        gen_buf_printf(b, "\"pcesvn\":%d", l->pcesvn);
    } else {
        json_comps(b, "sgxtcbcomponents", l->sgx_svn, d->sgx_labels);
        gen_buf_printf(b, ",\"pcesvn\":%d", l->pcesvn);
        if (d->tdx) {
            gen_buf_byte(b, ',');
            json_comps(b, "tdxtcbcomponents", l->tdx_svn, d->tdx_labels);
        }
    }
    gen_buf_str(b, "},\"tcbDate\":");
    buf_jstr(b, l->tcb_date);
    gen_buf_str(b, ",\"tcbStatus\":");
    buf_jstr(b, l->tcb_status);
    json_advisories(b, l->advisory_ids, l->n_advisory_ids);
    gen_buf_byte(b, '}');
}

static void json_module_fields(gen_buf *b, const uint8_t mrsigner[48],
                               const uint8_t attr[8], const uint8_t mask[8])
{
    gen_buf_str(b, "\"mrsigner\":\"");
    gen_buf_hex(b, mrsigner, 48, 1);
    gen_buf_str(b, "\",\"attributes\":\"");
    gen_buf_hex(b, attr, 8, 1);
    gen_buf_str(b, "\",\"attributesMask\":\"");
    gen_buf_hex(b, mask, 8, 1);
    gen_buf_byte(b, '"');
}

int dcapgen_tcb_info_body(char **out, size_t *out_len,
                          const dcapgen_tcb_info_desc *d)
{
    gen_buf b = {0};
    int v3;
    if (out == NULL || d == NULL || (d->levels == NULL && d->n_levels != 0) ||
        (d->module_identities == NULL && d->n_module_identities != 0))
        return -1;
    v3 = d->version != 2;
    gen_buf_byte(&b, '{');
    if (d->id != NULL || v3) {
        gen_buf_str(&b, "\"id\":");
        buf_jstr(&b, d->id != NULL ? d->id : d->tdx ? "TDX" : "SGX");
        gen_buf_byte(&b, ',');
    }
    gen_buf_printf(&b, "\"version\":%d,\"issueDate\":", d->version);
    buf_jstr(&b, d->issue_date);
    gen_buf_str(&b, ",\"nextUpdate\":");
    buf_jstr(&b, d->next_update);
    gen_buf_str(&b, ",\"fmspc\":\"");
    gen_buf_hex(&b, d->fmspc, 6, d->fmspc_upper);
    gen_buf_str(&b, "\",\"pceId\":\"");
    gen_buf_hex(&b, d->pce_id, 2, 1);
    gen_buf_printf(&b, "\",\"tcbType\":%d,\"tcbEvaluationDataNumber\":%d",
                   d->tcb_type, d->tcb_evaluation_data_number);
    if (v3 && d->tdx && d->tdx_module) {
        gen_buf_str(&b, ",\"tdxModule\":{");
        json_module_fields(&b, d->module_mrsigner, d->module_attributes,
                           d->module_attributes_mask);
        gen_buf_byte(&b, '}');
    }
    if (v3 && d->tdx && d->module_identities != NULL) {
        gen_buf_str(&b, ",\"tdxModuleIdentities\":[");
        for (size_t i = 0; i < d->n_module_identities; i++) {
            const dcapgen_tdx_module_identity *m = &d->module_identities[i];
            if (i)
                gen_buf_byte(&b, ',');
            gen_buf_str(&b, "{\"id\":");
            buf_jstr(&b, m->id);
            gen_buf_byte(&b, ',');
            json_module_fields(&b, m->mrsigner, m->attributes,
                               m->attributes_mask);
            gen_buf_byte(&b, ',');
            if (m->levels == NULL && m->n_levels != 0)
                b.err = 1;
            else
                json_isv_levels(&b, m->levels, m->n_levels);
            gen_buf_byte(&b, '}');
        }
        gen_buf_byte(&b, ']');
    }
    gen_buf_str(&b, ",\"tcbLevels\":[");
    for (size_t i = 0; i < d->n_levels; i++) {
        if (i)
            gen_buf_byte(&b, ',');
        json_tcb_level(&b, d, &d->levels[i]);
    }
    gen_buf_str(&b, "]}");
    return gen_buf_finish(&b, out, out_len);
}

int dcapgen_tcb_info_json(char **out, size_t *out_len,
                          const dcapgen_tcb_info_desc *d, EVP_PKEY *key,
                          unsigned flags)
{
    char *body = NULL;
    size_t n = 0;
    int rc;
    if (out == NULL || key == NULL || dcapgen_tcb_info_body(&body, &n, d) != 0)
        return -1;
    rc = dcapgen_signed_json(out, out_len, "tcbInfo", body, n, key, flags);
    free(body);
    return rc;
}

static const uint8_t MRSIGNER_QE[32] = {
    0x8C, 0x4F, 0x57, 0x75, 0xD7, 0x96, 0x50, 0x3E, 0x96, 0x13, 0x7F,
    0x77, 0xC6, 0x8A, 0x82, 0x9A, 0x00, 0x56, 0xAC, 0x8D, 0xED, 0x70,
    0x14, 0x0B, 0x08, 0x1B, 0x09, 0x44, 0x90, 0xC5, 0x7B, 0xFF};
static const uint8_t MRSIGNER_TD_QE[32] = {
    0xDC, 0x9E, 0x2A, 0x7C, 0x6F, 0x94, 0x8F, 0x17, 0x47, 0x4E, 0x34,
    0xA7, 0xFC, 0x43, 0xED, 0x03, 0x0F, 0x7C, 0x15, 0x63, 0xF1, 0xBA,
    0xBD, 0xDF, 0x63, 0x40, 0xC8, 0x2E, 0x0E, 0x54, 0xA8, 0xC5};

static const dcapgen_isv_level QE_LEVELS_SGX[] = {
    {DCAPGEN_QE_ISVSVN_SGX, DATE_OLD, "UpToDate", NULL, 0},
    {DCAPGEN_QE_ISVSVN_SGX - 2, "2023-08-09T00:00:00Z", "OutOfDate", ADV_QE,
     1}};
static const dcapgen_isv_level QE_LEVELS_TDX[] = {
    {DCAPGEN_QE_ISVSVN_TDX, DATE_OLD, "UpToDate", NULL, 0},
    {DCAPGEN_QE_ISVSVN_TDX - 2, "2023-08-09T00:00:00Z", "OutOfDate", ADV_QE,
     1}};

int dcapgen_qe_identity_desc_init(dcapgen_qe_identity_desc *d, int tdx)
{
    if (d == NULL)
        return -1;
    memset(d, 0, sizeof(*d));
    d->id = tdx ? "TD_QE" : "QE";
    d->version = 2;
    d->issue_date = DATE_ISSUE;
    d->next_update = DATE_NEXT;
    d->tcb_evaluation_data_number = EVAL_NUMBER;
    d->miscselect = 0;
    d->miscselect_mask = 0xFFFFFFFFu;
    d->attributes[0] = 0x11;
    memset(d->attributes_mask, 0xFF, 8);
    d->attributes_mask[0] = 0xFB;
    memcpy(d->mrsigner, tdx ? MRSIGNER_TD_QE : MRSIGNER_QE, 32);
    d->isvprodid = tdx ? 2 : 1;
    d->levels = tdx ? QE_LEVELS_TDX : QE_LEVELS_SGX;
    d->n_levels = 2;
    return 0;
}

int dcapgen_qe_identity_body(char **out, size_t *out_len,
                             const dcapgen_qe_identity_desc *d)
{
    gen_buf b = {0};
    if (out == NULL || d == NULL || (d->levels == NULL && d->n_levels != 0))
        return -1;
    gen_buf_str(&b, "{\"id\":");
    buf_jstr(&b, d->id);
    gen_buf_printf(&b, ",\"version\":%d,\"issueDate\":", d->version);
    buf_jstr(&b, d->issue_date);
    gen_buf_str(&b, ",\"nextUpdate\":");
    buf_jstr(&b, d->next_update);
    gen_buf_printf(&b,
                   ",\"tcbEvaluationDataNumber\":%d,\"miscselect\":\"%08X\","
                   "\"miscselectMask\":\"%08X\",\"attributes\":\"",
                   d->tcb_evaluation_data_number, (unsigned)d->miscselect,
                   (unsigned)d->miscselect_mask);
    gen_buf_hex(&b, d->attributes, 16, 1);
    gen_buf_str(&b, "\",\"attributesMask\":\"");
    gen_buf_hex(&b, d->attributes_mask, 16, 1);
    gen_buf_str(&b, "\",\"mrsigner\":\"");
    gen_buf_hex(&b, d->mrsigner, 32, 1);
    gen_buf_printf(&b, "\",\"isvprodid\":%d,", d->isvprodid);
    json_isv_levels(&b, d->levels, d->n_levels);
    gen_buf_byte(&b, '}');
    return gen_buf_finish(&b, out, out_len);
}

int dcapgen_qe_identity_json(char **out, size_t *out_len,
                             const dcapgen_qe_identity_desc *d, EVP_PKEY *key,
                             unsigned flags)
{
    char *body = NULL;
    size_t n = 0;
    int rc;
    if (out == NULL || key == NULL ||
        dcapgen_qe_identity_body(&body, &n, d) != 0)
        return -1;
    rc = dcapgen_signed_json(out, out_len, "enclaveIdentity", body, n, key,
                             flags);
    free(body);
    return rc;
}

int dcapgen_tcb_info_with_status(char **out, size_t *out_len,
                                 const dcapgen_pki *pki, int tdx,
                                 const char *status, unsigned flags)
{
    dcapgen_tcb_info_desc d;
    dcapgen_tcb_level lv[2];
    if (out == NULL || pki == NULL || pki->pck_ext.pcesvn >= 65535 ||
        dcapgen_tcb_info_desc_init(&d, lv, tdx, &pki->pck_ext) != 0)
        return -1;
    /* [0]: one PCESVN above the platform, never matches. */
    level_set(&lv[0], &pki->pck_ext, 0, TDX_COMPS_CURRENT);
    lv[0].pcesvn = pki->pck_ext.pcesvn + 1;
    lv[0].tcb_date = DATE_CURRENT;
    lv[0].tcb_status = "UpToDate";
    /* [1]: exactly the platform, with the requested status. */
    level_set(&lv[1], &pki->pck_ext, 0, TDX_COMPS_CURRENT);
    lv[1].tcb_date = DATE_OLD;
    lv[1].tcb_status = status;
    if (status != NULL && strcmp(status, "UpToDate") != 0) {
        lv[1].advisory_ids = ADV_PLATFORM;
        lv[1].n_advisory_ids = 1;
    }
    d.n_levels = status != NULL ? 2 : 1;
    return dcapgen_tcb_info_json(out, out_len, &d, pki->tcb_signing_key,
                                 flags);
}

/* ======================================================================== */
/* PEM chains                                                               */

int dcapgen_chain_pem(char **out, size_t *out_len, const X509 *leaf,
                      const X509 *ca, const X509 *root)
{
    const X509 *certs[3] = {leaf, ca, root};
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL, *copy;
    long n;
    int ok = b != NULL;
    if (out == NULL) {
        BIO_free(b);
        return -1;
    }
    for (int i = 0; ok && i < 3; i++)
        if (certs[i] != NULL)
            ok = PEM_write_bio_X509(b, certs[i]) == 1;
    n = ok ? BIO_get_mem_data(b, &data) : -1;
    if (n < 0 || (n > 0 && data == NULL)) {
        BIO_free(b);
        return -1;
    }
    copy = malloc((size_t)n + 1);
    if (copy == NULL) {
        BIO_free(b);
        return -1;
    }
    if (n > 0)
        memcpy(copy, data, (size_t)n);
    copy[n] = '\0';
    BIO_free(b);
    *out = copy;
    if (out_len != NULL)
        *out_len = (size_t)n;
    return 0;
}

const X509 *dcapgen_pki_pck_ca(const dcapgen_pki *pki)
{
    if (pki == NULL)
        return NULL;
    return pki->pck_processor ? pki->processor_ca : pki->platform_ca;
}

int dcapgen_pki_chain_pem(char **out, size_t *out_len, const dcapgen_pki *pki)
{
    if (pki == NULL)
        return -1;
    return dcapgen_chain_pem(out, out_len, pki->pck, dcapgen_pki_pck_ca(pki),
                             pki->root);
}

/* ======================================================================== */
/* PKI bundle                                                               */

static const uint64_t DEFAULT_PCK_REVOKED[] = {DCAPGEN_SERIAL_REVOKED_1,
                                               DCAPGEN_SERIAL_REVOKED_2};

int dcapgen_pki_opts_init(dcapgen_pki_opts *o)
{
    if (o == NULL)
        return -1;
    memset(o, 0, sizeof(*o));
    dcapgen_pck_ext_init(&o->pck_ext);
    o->serial_root = DCAPGEN_SERIAL_ROOT;
    o->serial_platform_ca = DCAPGEN_SERIAL_PLATFORM_CA;
    o->serial_processor_ca = DCAPGEN_SERIAL_PROCESSOR_CA;
    o->serial_tcb_signing = DCAPGEN_SERIAL_TCB_SIGNING;
    o->serial_pck = DCAPGEN_SERIAL_PCK;
    o->ca_not_before = DCAPGEN_T_2018_05_21;
    o->ca_not_after = DCAPGEN_T_2049_12_31;
    o->tcb_not_before = DCAPGEN_T_2025_05_06;
    o->tcb_not_after = DCAPGEN_T_2032_05_06;
    o->pck_not_before = DCAPGEN_T_2025_01_01;
    o->pck_not_after = DCAPGEN_T_2032_01_01;
    o->crl_this_update = DCAPGEN_T_2025_06_01;
    o->crl_next_update = DCAPGEN_T_2025_07_01;
    o->pck_revoked = DEFAULT_PCK_REVOKED;
    o->n_pck_revoked = 2;
    o->collateral_issue = DCAPGEN_T_2025_06_01;
    o->collateral_next = DCAPGEN_T_2025_07_01;
    return 0;
}

void dcapgen_pki_free(dcapgen_pki *pki)
{
    if (pki == NULL)
        return;
    EVP_PKEY_free(pki->root_key);
    EVP_PKEY_free(pki->platform_ca_key);
    EVP_PKEY_free(pki->processor_ca_key);
    EVP_PKEY_free(pki->tcb_signing_key);
    EVP_PKEY_free(pki->pck_key);
    X509_free(pki->root);
    X509_free(pki->platform_ca);
    X509_free(pki->processor_ca);
    X509_free(pki->tcb_signing);
    X509_free(pki->pck);
    X509_CRL_free(pki->root_crl);
    X509_CRL_free(pki->pck_crl);
    free(pki->tcb_info_tdx);
    free(pki->tcb_info_sgx);
    free(pki->qe_identity_td);
    free(pki->qe_identity_sgx);
    free(pki);
}

/* Root (issuer NULL) or PCK CA. */
static int issue_ca(X509 **out, const char *cn, uint64_t serial,
                    EVP_PKEY *key, const X509 *issuer, EVP_PKEY *issuer_key,
                    const dcapgen_pki_opts *o)
{
    dcapgen_cert_opts c;
    dcapgen_cert_opts_init(&c);
    c.cn = cn;
    c.serial = serial;
    c.not_before = o->ca_not_before;
    c.not_after = o->ca_not_after;
    c.basic_constraints = 1;
    c.is_ca = 1;
    c.pathlen = issuer != NULL ? 0 : 1; /* Intel's root says pathlen 1 */
    c.key_usage = DCAPGEN_KU_KEY_CERT_SIGN | DCAPGEN_KU_CRL_SIGN;
    c.subject_key = key;
    c.issuer_cert = issuer;
    c.issuer_key = issuer_key;
    return dcapgen_cert_issue(out, &c);
}

static int issue_leaf(X509 **out, const char *cn, uint64_t serial,
                      EVP_PKEY *key, const X509 *issuer, EVP_PKEY *issuer_key,
                      int64_t nb, int64_t na, const uint8_t *ext,
                      size_t ext_len)
{
    dcapgen_cert_opts c;
    dcapgen_cert_opts_init(&c);
    c.cn = cn;
    c.serial = serial;
    c.not_before = nb;
    c.not_after = na;
    c.basic_constraints = 1;
    c.is_ca = 0;
    c.key_usage = DCAPGEN_KU_DIGITAL_SIGNATURE | DCAPGEN_KU_NON_REPUDIATION;
    c.subject_key = key;
    c.issuer_cert = issuer;
    c.issuer_key = issuer_key;
    c.sgx_ext = ext;
    c.sgx_ext_len = ext_len;
    return dcapgen_cert_issue(out, &c);
}

static int pki_crls(dcapgen_pki *p, const dcapgen_pki_opts *o)
{
    dcapgen_crl_opts c;
    dcapgen_crl_opts_init(&c);
    c.this_update = o->crl_this_update;
    c.next_update = o->crl_next_update;
    c.revoked = o->root_revoked;
    c.n_revoked = o->n_root_revoked;
    if (dcapgen_crl_create(&p->root_crl, p->root, p->root_key, &c) != 0)
        return -1;
    c.revoked = o->pck_revoked;
    c.n_revoked = o->n_pck_revoked;
    return dcapgen_crl_create(&p->pck_crl, dcapgen_pki_pck_ca(p),
                              p->pck_processor ? p->processor_ca_key
                                               : p->platform_ca_key,
                              &c);
}

static int pki_collateral(dcapgen_pki *p, const dcapgen_pki_opts *o)
{
    char issue[DCAPGEN_TIME_LEN], next[DCAPGEN_TIME_LEN];
    dcapgen_tcb_info_desc t;
    dcapgen_tcb_level lv[2];
    dcapgen_qe_identity_desc q;
    if (dcapgen_format_time(issue, o->collateral_issue) != 0 ||
        dcapgen_format_time(next, o->collateral_next) != 0)
        return -1;
    for (int tdx = 0; tdx <= 1; tdx++) {
        dcapgen_tcb_info_desc_init(&t, lv, tdx, &p->pck_ext);
        t.issue_date = issue;
        t.next_update = next;
        if (dcapgen_tcb_info_json(tdx ? &p->tcb_info_tdx : &p->tcb_info_sgx,
                                  NULL, &t, p->tcb_signing_key, 0) != 0)
            return -1;
        dcapgen_qe_identity_desc_init(&q, tdx);
        q.issue_date = issue;
        q.next_update = next;
        if (dcapgen_qe_identity_json(tdx ? &p->qe_identity_td
                                         : &p->qe_identity_sgx,
                                     NULL, &q, p->tcb_signing_key, 0) != 0)
            return -1;
    }
    return 0;
}

int dcapgen_pki_generate(dcapgen_pki **out, const dcapgen_pki_opts *opts)
{
    dcapgen_pki_opts def;
    dcapgen_pki *p;
    uint8_t *ext = NULL;
    size_t ext_len = 0;
    const dcapgen_pki_opts *o = opts;
    int ok;
    if (out == NULL)
        return -1;
    if (o == NULL) {
        dcapgen_pki_opts_init(&def);
        o = &def;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    p->pck_ext = o->pck_ext;
    p->pck_processor = o->pck_processor ? 1 : 0;
    if (p->pck_processor)
        p->pck_ext.platform = 0;
    ok = dcapgen_p256_keygen(&p->root_key) == 0 &&
         dcapgen_p256_keygen(&p->platform_ca_key) == 0 &&
         dcapgen_p256_keygen(&p->processor_ca_key) == 0 &&
         dcapgen_p256_keygen(&p->tcb_signing_key) == 0 &&
         dcapgen_p256_keygen(&p->pck_key) == 0 &&
         issue_ca(&p->root, DCAPGEN_CN_ROOT, o->serial_root, p->root_key,
                  NULL, NULL, o) == 0 &&
         issue_ca(&p->platform_ca, DCAPGEN_CN_PLATFORM_CA,
                  o->serial_platform_ca, p->platform_ca_key, p->root,
                  p->root_key, o) == 0 &&
         issue_ca(&p->processor_ca, DCAPGEN_CN_PROCESSOR_CA,
                  o->serial_processor_ca, p->processor_ca_key, p->root,
                  p->root_key, o) == 0 &&
         issue_leaf(&p->tcb_signing, DCAPGEN_CN_TCB_SIGNING,
                    o->serial_tcb_signing, p->tcb_signing_key, p->root,
                    p->root_key, o->tcb_not_before, o->tcb_not_after, NULL,
                    0) == 0 &&
         dcapgen_pck_ext_encode(&ext, &ext_len, &p->pck_ext) == 0 &&
         issue_leaf(&p->pck, DCAPGEN_CN_PCK, o->serial_pck, p->pck_key,
                    dcapgen_pki_pck_ca(p),
                    p->pck_processor ? p->processor_ca_key
                                     : p->platform_ca_key,
                    o->pck_not_before, o->pck_not_after, ext, ext_len) == 0 &&
         pki_crls(p, o) == 0 && pki_collateral(p, o) == 0;
    free(ext);
    if (!ok) {
        dcapgen_pki_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

static int save_pem_text(const char *dir, const char *name, const X509 *a,
                         const X509 *b, const X509 *c)
{
    char *pem = NULL;
    size_t n = 0;
    int rc;
    if (dcapgen_chain_pem(&pem, &n, a, b, c) != 0)
        return -1;
    rc = gen_write_file(dir, name, pem, n);
    free(pem);
    return rc;
}

int dcapgen_pki_save(const dcapgen_pki *pki, const char *dir)
{
    const dcapgen_pki *p = pki;
    if (p == NULL || dir == NULL)
        return -1;
    if (gen_make_dir(dir, NULL) != 0)
        return -1;
    if (gen_save_cert(dir, "root.pem", p->root) ||
        gen_save_cert(dir, "platform_ca.pem", p->platform_ca) ||
        gen_save_cert(dir, "processor_ca.pem", p->processor_ca) ||
        gen_save_cert(dir, "tcb_signing.pem", p->tcb_signing) ||
        gen_save_cert(dir, "pck.pem", p->pck) ||
        gen_save_key(dir, "root.key.pem", p->root_key) ||
        gen_save_key(dir, "platform_ca.key.pem", p->platform_ca_key) ||
        gen_save_key(dir, "processor_ca.key.pem", p->processor_ca_key) ||
        gen_save_key(dir, "tcb_signing.key.pem", p->tcb_signing_key) ||
        gen_save_key(dir, "pck.key.pem", p->pck_key) ||
        save_pem_text(dir, "pck_chain.pem", p->pck, dcapgen_pki_pck_ca(p),
                      p->root) ||
        save_pem_text(dir, "tcb_signing_chain.pem", p->tcb_signing, p->root,
                      NULL) ||
        gen_save_crl(dir, "root_crl.der", p->root_crl) ||
        gen_save_crl(dir, "pck_crl.der", p->pck_crl))
        return -1;
    if (p->tcb_info_tdx == NULL || p->tcb_info_sgx == NULL ||
        p->qe_identity_td == NULL || p->qe_identity_sgx == NULL ||
        gen_write_file(dir, "tcb_info_tdx.json", p->tcb_info_tdx,
                       strlen(p->tcb_info_tdx)) ||
        gen_write_file(dir, "tcb_info_sgx.json", p->tcb_info_sgx,
                       strlen(p->tcb_info_sgx)) ||
        gen_write_file(dir, "qe_identity_td.json", p->qe_identity_td,
                       strlen(p->qe_identity_td)) ||
        gen_write_file(dir, "qe_identity_sgx.json", p->qe_identity_sgx,
                       strlen(p->qe_identity_sgx)))
        return -1;
    return gen_save_anchor(dir, "anchor.sha256", p->root);
}

/* The whole of dir/name as a NUL-terminated string. */
static int read_text(char **out, const char *dir, const char *name)
{
    return gen_read_file(out, NULL, dir, name);
}

int dcapgen_pki_load(dcapgen_pki **out, const char *dir)
{
    dcapgen_pki *p;
    if (out == NULL || dir == NULL)
        return -1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    if (gen_load_cert(&p->root, dir, "root.pem") ||
        gen_load_cert(&p->platform_ca, dir, "platform_ca.pem") ||
        gen_load_cert(&p->processor_ca, dir, "processor_ca.pem") ||
        gen_load_cert(&p->tcb_signing, dir, "tcb_signing.pem") ||
        gen_load_cert(&p->pck, dir, "pck.pem") ||
        gen_load_key(&p->root_key, dir, "root.key.pem") ||
        gen_load_key(&p->platform_ca_key, dir, "platform_ca.key.pem") ||
        gen_load_key(&p->processor_ca_key, dir, "processor_ca.key.pem") ||
        gen_load_key(&p->tcb_signing_key, dir, "tcb_signing.key.pem") ||
        gen_load_key(&p->pck_key, dir, "pck.key.pem") ||
        gen_load_crl(&p->root_crl, dir, "root_crl.der") ||
        gen_load_crl(&p->pck_crl, dir, "pck_crl.der") ||
        read_text(&p->tcb_info_tdx, dir, "tcb_info_tdx.json") ||
        read_text(&p->tcb_info_sgx, dir, "tcb_info_sgx.json") ||
        read_text(&p->qe_identity_td, dir, "qe_identity_td.json") ||
        read_text(&p->qe_identity_sgx, dir, "qe_identity_sgx.json") ||
        dcapgen_pck_ext_from_cert(&p->pck_ext, p->pck) != 0) {
        dcapgen_pki_free(p);
        return -1;
    }
    p->pck_processor = X509_NAME_cmp(X509_get_issuer_name(p->pck),
                                     X509_get_subject_name(p->processor_ca)) ==
                       0;
    *out = p;
    return 0;
}

/* ======================================================================== */
/* Reports                                                                  */

static const uint8_t DEFAULT_QE_AUTH[DCAPGEN_QE_AUTH_LEN] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

void dcapgen_default_tee_tcb_svn(uint8_t out[16])
{
    memset(out, 0, 16);
    out[0] = 3; /* TDX module minor SVN (ISVSVN of TDX_01) */
    out[1] = 1; /* TDX module major version -> identity TDX_01 */
    out[2] = 2; /* TDX late microcode SVN */
}

int dcapgen_sgx_report_init(uint8_t r[DCAPGEN_SGX_REPORT_SIZE],
                            const dcapgen_pck_ext *pck)
{
    if (r == NULL || pck == NULL)
        return -1;
    memset(r, 0, DCAPGEN_SGX_REPORT_SIZE);
    memcpy(r + DCAPGEN_RPT_OFF_CPUSVN, pck->cpusvn, 16);
    r[DCAPGEN_RPT_OFF_ATTRIBUTES] = 0x05;     /* INIT | MODE64BIT */
    r[DCAPGEN_RPT_OFF_ATTRIBUTES + 8] = 0xE7; /* XFRM */
    memset(r + DCAPGEN_RPT_OFF_MRENCLAVE, 0x5A, 32);
    memset(r + DCAPGEN_RPT_OFF_MRSIGNER, 0x5B, 32);
    dcapgen_put_u16(r + DCAPGEN_RPT_OFF_ISVPRODID, 1);
    dcapgen_put_u16(r + DCAPGEN_RPT_OFF_ISVSVN, 1);
    return 0;
}

int dcapgen_td_report_init(uint8_t *r, size_t len)
{
    static const uint8_t td_attr[8] = {0, 0, 0, 0x10, 0, 0, 0, 0};
    static const uint8_t xfam[8] = {0xE7, 0x02, 0x06, 0, 0, 0, 0, 0};
    if (r == NULL ||
        (len != DCAPGEN_TD10_REPORT_SIZE && len != DCAPGEN_TD15_REPORT_SIZE))
        return -1;
    memset(r, 0, len);
    dcapgen_default_tee_tcb_svn(r + DCAPGEN_TD_OFF_TEE_TCB_SVN);
    memset(r + DCAPGEN_TD_OFF_MRSEAM, 0x5E, 48);
    memcpy(r + DCAPGEN_TD_OFF_TD_ATTRIBUTES, td_attr, 8);
    memcpy(r + DCAPGEN_TD_OFF_XFAM, xfam, 8);
    memset(r + DCAPGEN_TD_OFF_MRTD, 0x7D, 48);
    for (int i = 0; i < 4; i++)
        memset(r + DCAPGEN_TD_OFF_RTMR0 + 48 * i, 0x60 + i, 48);
    if (len == DCAPGEN_TD15_REPORT_SIZE)
        dcapgen_default_tee_tcb_svn(r + DCAPGEN_TD_OFF_TEE_TCB_SVN2);
    return 0;
}

int dcapgen_qe_report_init(uint8_t r[DCAPGEN_SGX_REPORT_SIZE], int tdx,
                           uint16_t isvsvn, const dcapgen_pck_ext *pck)
{
    if (r == NULL || pck == NULL)
        return -1;
    memset(r, 0, DCAPGEN_SGX_REPORT_SIZE);
    memcpy(r + DCAPGEN_RPT_OFF_CPUSVN, pck->cpusvn, 16);
    r[DCAPGEN_RPT_OFF_ATTRIBUTES] = 0x15;     /* & FB = 11 */
    r[DCAPGEN_RPT_OFF_ATTRIBUTES + 8] = 0xE7; /* XFRM, masked out */
    memset(r + DCAPGEN_RPT_OFF_MRENCLAVE, 0x4E, 32);
    memcpy(r + DCAPGEN_RPT_OFF_MRSIGNER, tdx ? MRSIGNER_TD_QE : MRSIGNER_QE,
           32);
    dcapgen_put_u16(r + DCAPGEN_RPT_OFF_ISVPRODID, tdx ? 2 : 1);
    dcapgen_put_u16(r + DCAPGEN_RPT_OFF_ISVSVN, isvsvn);
    return 0;
}

int dcapgen_qe_report_bind(uint8_t r[DCAPGEN_SGX_REPORT_SIZE],
                           const uint8_t att_pub[DCAPGEN_PUBKEY_SIZE],
                           const uint8_t *auth, size_t auth_len)
{
    uint8_t h[32];
    if (r == NULL || att_pub == NULL || (auth == NULL && auth_len != 0) ||
        sha256(h, att_pub, DCAPGEN_PUBKEY_SIZE, auth, auth_len) != 0)
        return -1;
    memcpy(r + DCAPGEN_RPT_OFF_REPORTDATA, h, 32);
    memset(r + DCAPGEN_RPT_OFF_REPORTDATA + 32, 0, 32);
    return 0;
}

/* ======================================================================== */
/* Quotes                                                                   */

int dcapgen_quote_desc_init(dcapgen_quote_desc *d, const dcapgen_pki *pki,
                            int tdx, uint16_t version, uint16_t body_type)
{
    static const uint8_t vendor[16] = DCAPGEN_INTEL_QE_VENDOR_ID;
    uint16_t qe_svn = tdx ? DCAPGEN_QE_ISVSVN_TDX : DCAPGEN_QE_ISVSVN_SGX;
    if (d == NULL || pki == NULL)
        return -1;
    if (version == 0)
        version = tdx ? 4 : 3;
    if (version == 5 && body_type == 0)
        body_type = tdx ? DCAPGEN_BODY_TD15 : DCAPGEN_BODY_SGX;
    if (version < 3 || version > 5 || (tdx && version == 3) ||
        (!tdx && version == 4) ||
        (version == 5 && (tdx ? (body_type != DCAPGEN_BODY_TD10 &&
                                 body_type != DCAPGEN_BODY_TD15)
                              : body_type != DCAPGEN_BODY_SGX)))
        return -1;
    if (version != 5)
        body_type = tdx ? DCAPGEN_BODY_TD10 : DCAPGEN_BODY_SGX;
    memset(d, 0, sizeof(*d));
    d->version = version;
    d->att_key_type = DCAPGEN_ATT_KEY_ECDSA_P256;
    d->tee_type = tdx ? DCAPGEN_TEE_TDX : DCAPGEN_TEE_SGX;
    if (version == 3) {
        d->qe_svn = qe_svn;
        d->pce_svn = (uint16_t)pki->pck_ext.pcesvn;
    }
    memcpy(d->qe_vendor_id, vendor, 16);
    for (int i = 0; i < 16; i++)
        d->user_data[i] = (uint8_t)(i + 1);
    d->body_type = body_type;
    d->body_size_field = -1;
    if (body_type == DCAPGEN_BODY_SGX) {
        d->body_len = DCAPGEN_SGX_REPORT_SIZE;
        dcapgen_sgx_report_init(d->body, &pki->pck_ext);
    } else {
        d->body_len = body_type == DCAPGEN_BODY_TD15
                          ? DCAPGEN_TD15_REPORT_SIZE
                          : DCAPGEN_TD10_REPORT_SIZE;
        dcapgen_td_report_init(d->body, d->body_len);
    }
    d->nested = version != 3;
    dcapgen_qe_report_init(d->qe_report, tdx, qe_svn, &pki->pck_ext);
    d->bind_qe_report = 1;
    d->qe_auth = DEFAULT_QE_AUTH;
    d->qe_auth_len = sizeof(DEFAULT_QE_AUTH);
    d->att_key = NULL;
    d->qe_report_key = pki->pck_key;
    d->pck = pki->pck;
    d->pck_ca = dcapgen_pki_pck_ca(pki);
    d->root = pki->root;
    d->nul_terminate = 1;
    d->outer_cert_type = DCAPGEN_CERT_QE_REPORT;
    d->cert_type = DCAPGEN_CERT_PCK_CHAIN;
    d->sig_data_len_field = -1;
    d->pad = 0;
    return 0;
}

/* Fill a layout for the given sizes (no bytes are read). */
static int layout_compute(dcapgen_quote_layout *l, uint16_t version,
                          int nested, size_t body_len, size_t auth_len,
                          size_t cert_len, size_t pad)
{
    size_t o;
    memset(l, 0, sizeof(*l));
    if (body_len > DCAPGEN_MAX_BODY_SIZE || auth_len > 0xFFFF ||
        cert_len > 0xFFFFFFF0u || pad > 0x7FFFFFFF)
        return -1;
    l->version = version;
    l->nested = nested ? 1 : 0;
    o = DCAPGEN_HEADER_SIZE + (version >= 5 ? DCAPGEN_V5_BODY_DESC_SIZE : 0);
    l->body_off = o;
    l->body_len = body_len;
    l->signed_len = o + body_len;
    l->sig_data_len_off = l->signed_len;
    o = l->sig_data_len_off + 4;
    l->sig_data_off = l->quote_sig_off = o;
    l->att_key_off = o + DCAPGEN_SIG_SIZE;
    o = l->att_key_off + DCAPGEN_PUBKEY_SIZE;
    if (l->nested) {
        l->outer_type_off = o;
        l->outer_size_off = o + 2;
        o += 6;
    }
    l->qe_report_off = o;
    l->qe_report_sig_off = o + DCAPGEN_SGX_REPORT_SIZE;
    l->qe_auth_len_off = l->qe_report_sig_off + DCAPGEN_SIG_SIZE;
    l->qe_auth_off = l->qe_auth_len_off + 2;
    l->qe_auth_len = auth_len;
    l->cert_type_off = l->qe_auth_off + auth_len;
    l->cert_size_off = l->cert_type_off + 2;
    l->cert_data_off = l->cert_size_off + 4;
    l->cert_data_len = cert_len;
    l->sig_data_end = l->cert_data_off + cert_len;
    l->total_len = l->sig_data_end + pad;
    return 0;
}

static int quote_write(uint8_t *q, const dcapgen_quote_layout *l,
                       const dcapgen_quote_desc *d, const uint8_t *att_pub,
                       const uint8_t *qe_report, const uint8_t *cert,
                       size_t cert_len)
{
    size_t sig_data = l->sig_data_end - l->sig_data_off;
    memset(q, 0, l->total_len);
    dcapgen_put_u16(q + DCAPGEN_HDR_OFF_VERSION, d->version);
    dcapgen_put_u16(q + DCAPGEN_HDR_OFF_ATT_KEY_TYPE, d->att_key_type);
    snpgen_put_u32(q + DCAPGEN_HDR_OFF_TEE_TYPE, d->tee_type);
    dcapgen_put_u16(q + DCAPGEN_HDR_OFF_QE_SVN, d->qe_svn);
    dcapgen_put_u16(q + DCAPGEN_HDR_OFF_PCE_SVN, d->pce_svn);
    memcpy(q + DCAPGEN_HDR_OFF_QE_VENDOR_ID, d->qe_vendor_id, 16);
    memcpy(q + DCAPGEN_HDR_OFF_USER_DATA, d->user_data, 20);
    if (d->version >= 5) {
        dcapgen_put_u16(q + DCAPGEN_V5_OFF_BODY_TYPE, d->body_type);
        snpgen_put_u32(q + DCAPGEN_V5_OFF_BODY_SIZE,
                       d->body_size_field >= 0 ? (uint32_t)d->body_size_field
                                               : (uint32_t)d->body_len);
    }
    if (d->body_len != 0)
        memcpy(q + l->body_off, d->body, d->body_len);
    snpgen_put_u32(q + l->sig_data_len_off,
                   d->sig_data_len_field >= 0
                       ? (uint32_t)d->sig_data_len_field
                       : (uint32_t)sig_data);
    memcpy(q + l->att_key_off, att_pub, DCAPGEN_PUBKEY_SIZE);
    if (l->nested) {
        dcapgen_put_u16(q + l->outer_type_off, d->outer_cert_type);
        snpgen_put_u32(q + l->outer_size_off,
                       (uint32_t)(l->sig_data_end - l->qe_report_off));
    }
    memcpy(q + l->qe_report_off, qe_report, DCAPGEN_SGX_REPORT_SIZE);
    dcapgen_put_u16(q + l->qe_auth_len_off, (uint16_t)l->qe_auth_len);
    if (l->qe_auth_len != 0)
        memcpy(q + l->qe_auth_off, d->qe_auth, l->qe_auth_len);
    dcapgen_put_u16(q + l->cert_type_off, d->cert_type);
    snpgen_put_u32(q + l->cert_size_off, (uint32_t)cert_len);
    if (cert_len != 0)
        memcpy(q + l->cert_data_off, cert, cert_len);
    return 0;
}

int dcapgen_quote_build(uint8_t **out, size_t *out_len,
                        dcapgen_quote_layout *layout,
                        const dcapgen_quote_desc *d)
{
    EVP_PKEY *att = NULL;
    uint8_t att_pub[DCAPGEN_PUBKEY_SIZE], qe_report[DCAPGEN_SGX_REPORT_SIZE];
    char *chain = NULL;
    size_t chain_len = 0, cert_len;
    const uint8_t *cert;
    dcapgen_quote_layout l;
    uint8_t *q = NULL;
    int ok = 0;
    if (out == NULL || out_len == NULL || d == NULL ||
        d->body_len > DCAPGEN_MAX_BODY_SIZE ||
        (d->qe_auth == NULL && d->qe_auth_len != 0))
        return -1;
    att = d->att_key;
    if (att == NULL && dcapgen_p256_keygen(&att) != 0)
        return -1;
    if (dcapgen_pubkey_raw(att_pub, att) != 0)
        goto done;
    memcpy(qe_report, d->qe_report, sizeof(qe_report));
    if (d->bind_qe_report &&
        dcapgen_qe_report_bind(qe_report, att_pub, d->qe_auth,
                               d->qe_auth_len) != 0)
        goto done;
    if (d->cert_data != NULL) {
        cert = (const uint8_t *)d->cert_data;
        cert_len = d->cert_data_len;
    } else {
        if (dcapgen_chain_pem(&chain, &chain_len, d->pck, d->pck_ca,
                              d->root) != 0)
            goto done;
        cert = (const uint8_t *)chain;
        cert_len = chain_len + (d->nul_terminate ? 1 : 0); /* the NUL of
                                                              the string */
    }
    if (layout_compute(&l, d->version, d->nested, d->body_len,
                       d->qe_auth_len, cert_len, d->pad) != 0)
        goto done;
    q = malloc(l.total_len);
    if (q == NULL)
        goto done;
    quote_write(q, &l, d, att_pub, qe_report, cert, cert_len);
    if (d->qe_report_key != NULL &&
        dcapgen_quote_sign_qe_report(q, l.total_len, &l, d->qe_report_key) !=
            0)
        goto done;
    ok = dcapgen_quote_sign(q, l.total_len, &l, att) == 0;
done:
    if (att != d->att_key)
        EVP_PKEY_free(att);
    free(chain);
    if (!ok) {
        free(q);
        return -1;
    }
    *out = q;
    *out_len = l.total_len;
    if (layout != NULL)
        *layout = l;
    return 0;
}

int dcapgen_quote_sign(uint8_t *q, size_t len, const dcapgen_quote_layout *l,
                       EVP_PKEY *att_key)
{
    uint8_t sig[DCAPGEN_SIG_SIZE];
    if (q == NULL || l == NULL || att_key == NULL || l->signed_len > len ||
        l->quote_sig_off > len || len - l->quote_sig_off < DCAPGEN_SIG_SIZE ||
        dcapgen_sign_raw(sig, q, l->signed_len, att_key) != 0)
        return -1;
    memcpy(q + l->quote_sig_off, sig, sizeof(sig));
    return 0;
}

int dcapgen_quote_sign_qe_report(uint8_t *q, size_t len,
                                 const dcapgen_quote_layout *l, EVP_PKEY *key)
{
    uint8_t sig[DCAPGEN_SIG_SIZE];
    if (q == NULL || l == NULL || key == NULL || l->qe_report_off > len ||
        len - l->qe_report_off < DCAPGEN_SGX_REPORT_SIZE ||
        l->qe_report_sig_off > len ||
        len - l->qe_report_sig_off < DCAPGEN_SIG_SIZE ||
        dcapgen_sign_raw(sig, q + l->qe_report_off, DCAPGEN_SGX_REPORT_SIZE,
                         key) != 0)
        return -1;
    memcpy(q + l->qe_report_sig_off, sig, sizeof(sig));
    return 0;
}

/* Does [off, off+n) fit in [0, end)? */
static int fits(size_t off, size_t n, size_t end)
{
    return off <= end && n <= end - off;
}

int dcapgen_quote_layout_parse(dcapgen_quote_layout *out, const uint8_t *q,
                               size_t len)
{
    dcapgen_quote_layout l;
    uint16_t version;
    size_t body_len, o, sig_end, auth_len, cert_len;
    if (out == NULL || q == NULL || len < DCAPGEN_HEADER_SIZE)
        return -1;
    version = dcapgen_get_u16(q);
    if (version == 5) {
        if (len < DCAPGEN_V5_OFF_BODY)
            return -1;
        body_len = snpgen_get_u32(q + DCAPGEN_V5_OFF_BODY_SIZE);
    } else if (version == 3) {
        body_len = DCAPGEN_SGX_REPORT_SIZE;
    } else if (version == 4) {
        body_len = DCAPGEN_TD10_REPORT_SIZE;
    } else {
        return -1;
    }
    if (body_len > DCAPGEN_MAX_BODY_SIZE)
        return -1;
    if (layout_compute(&l, version, version != 3, body_len, 0, 0, 0) != 0 ||
        !fits(l.sig_data_len_off, 4, len))
        return -1;
    sig_end = l.sig_data_off + snpgen_get_u32(q + l.sig_data_len_off);
    if (sig_end < l.sig_data_off || sig_end > len)
        return -1;
    if (l.nested) {
        if (!fits(l.outer_type_off, 6, sig_end) ||
            snpgen_get_u32(q + l.outer_size_off) !=
                sig_end - l.qe_report_off)
            return -1;
    }
    o = l.qe_auth_len_off;
    if (!fits(o, 2, sig_end))
        return -1;
    auth_len = dcapgen_get_u16(q + o);
    o = l.qe_auth_off + auth_len;
    if (!fits(o, 6, sig_end))
        return -1;
    cert_len = snpgen_get_u32(q + o + 2);
    if (!fits(o + 6, cert_len, sig_end) || o + 6 + cert_len != sig_end)
        return -1;
    if (layout_compute(&l, version, version != 3, body_len, auth_len,
                       cert_len, len - sig_end) != 0)
        return -1;
    *out = l;
    return 0;
}

/* Public key of the first certificate of a PEM text. */
static int first_cert_key(EVP_PKEY **out, const uint8_t *pem, size_t n)
{
    BIO *b;
    X509 *x;
    EVP_PKEY *k = NULL;
    if (n > 0x7FFFFFFF)
        return -1;
    b = BIO_new_mem_buf(pem, (int)n);
    if (b == NULL)
        return -1;
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    if (x != NULL)
        k = X509_get_pubkey(x);
    X509_free(x);
    if (k == NULL)
        return -1;
    *out = k;
    return 0;
}

int dcapgen_quote_verify(const uint8_t *q, size_t len, EVP_PKEY *pck_key)
{
    dcapgen_quote_layout l;
    EVP_PKEY *att = NULL, *pck = pck_key;
    uint8_t h[32];
    const uint8_t *rd;
    int ok;
    if (q == NULL || dcapgen_quote_layout_parse(&l, q, len) != 0 ||
        dcapgen_pubkey_from_raw(&att, q + l.att_key_off) != 0)
        return -1;
    if (pck == NULL &&
        first_cert_key(&pck, q + l.cert_data_off, l.cert_data_len) != 0) {
        EVP_PKEY_free(att);
        return -1;
    }
    rd = q + l.qe_report_off + DCAPGEN_RPT_OFF_REPORTDATA;
    ok = dcapgen_verify_raw(q + l.quote_sig_off, q, l.signed_len, att) == 0 &&
         dcapgen_verify_raw(q + l.qe_report_sig_off, q + l.qe_report_off,
                            DCAPGEN_SGX_REPORT_SIZE, pck) == 0 &&
         sha256(h, q + l.att_key_off, DCAPGEN_PUBKEY_SIZE, q + l.qe_auth_off,
                l.qe_auth_len) == 0 &&
         memcmp(rd, h, 32) == 0;
    for (int i = 32; ok && i < 64; i++)
        ok = rd[i] == 0;
    EVP_PKEY_free(att);
    if (pck != pck_key)
        EVP_PKEY_free(pck);
    return ok ? 0 : -1;
}
