/*
 * gencommon - helpers shared by snpgen.c, dcapgen.c and nvgen.c.
 * See gencommon.h.
 */
#include "gencommon.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

/* ======================================================================== */
/* Growable byte buffer                                                     */

void gen_buf_reserve(gen_buf *b, size_t extra)
{
    size_t cap;
    uint8_t *np;
    if (b->err)
        return;
    if (extra > SIZE_MAX / 4 - b->len) {
        b->err = 1;
        return;
    }
    if (b->len + extra + 1 <= b->cap)
        return;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    np = realloc(b->p, cap);
    if (np == NULL) {
        b->err = 1;
        return;
    }
    b->p = np;
    b->cap = cap;
}

void gen_buf_put(gen_buf *b, const void *d, size_t n)
{
    gen_buf_reserve(b, n);
    if (b->err)
        return;
    if (n != 0)
        memcpy(b->p + b->len, d, n);
    b->len += n;
    b->p[b->len] = 0; /* always NUL-terminated for text use */
}

void gen_buf_byte(gen_buf *b, uint8_t c)
{
    gen_buf_put(b, &c, 1);
}

void gen_buf_str(gen_buf *b, const char *s)
{
    if (s == NULL) {
        b->err = 1;
        return;
    }
    gen_buf_put(b, s, strlen(s));
}

void gen_buf_printf(gen_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        b->err = 1; /* only short formats are used */
        return;
    }
    gen_buf_put(b, tmp, (size_t)n);
}

void gen_buf_hex(gen_buf *b, const uint8_t *d, size_t n, int upper)
{
    gen_buf_reserve(b, 2 * n);
    if (b->err)
        return;
    gen_hex_encode((char *)b->p + b->len, d, n, upper); /* NUL included */
    b->len += 2 * n;
}

int gen_buf_finish(gen_buf *b, void *out, size_t *out_len)
{
    if (!b->err && b->p == NULL)
        gen_buf_reserve(b, 0);
    if (b->err) {
        free(b->p);
        b->p = NULL;
        return -1;
    }
    *(uint8_t **)out = b->p;
    if (out_len != NULL)
        *out_len = b->len;
    b->p = NULL;
    return 0;
}

void gen_buf_free(gen_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ======================================================================== */
/* Hex                                                                      */

void gen_hex_encode(char *out, const uint8_t *d, size_t n, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 0xF];
    }
    out[2 * n] = '\0';
}

int gen_hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int gen_hex_decode(uint8_t *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = gen_hex_nibble(s[2 * i]), lo = gen_hex_nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* ======================================================================== */
/* DER                                                                      */

void gen_der_len(gen_buf *b, size_t n)
{
    uint8_t tmp[9];
    int k = 0;
    if (n < 0x80) {
        gen_buf_byte(b, (uint8_t)n);
        return;
    }
    while (n != 0) {
        tmp[k++] = (uint8_t)n;
        n >>= 8;
    }
    gen_buf_byte(b, (uint8_t)(0x80 | k));
    while (k > 0)
        gen_buf_byte(b, tmp[--k]);
}

void gen_der_tlv(gen_buf *b, uint8_t tag, const uint8_t *c, size_t n)
{
    gen_buf_byte(b, tag);
    gen_der_len(b, n);
    gen_buf_put(b, c, n);
}

void gen_der_wrap(gen_buf *b, uint8_t tag, const gen_buf *inner)
{
    if (inner->err) {
        b->err = 1;
        return;
    }
    gen_der_tlv(b, tag, inner->p, inner->len);
}

int gen_der_read(const uint8_t **p, const uint8_t *end, uint8_t *tag,
                 const uint8_t **c, size_t *n)
{
    const uint8_t *q = *p;
    size_t len;
    if (end - q < 2)
        return -1;
    *tag = *q++;
    len = *q++;
    if (len & 0x80) {
        size_t k = len & 0x7F;
        if (k == 0 || k > 4 || (size_t)(end - q) < k)
            return -1;
        len = 0;
        while (k-- > 0)
            len = len << 8 | *q++;
    }
    if ((size_t)(end - q) < len)
        return -1;
    *c = q;
    *n = len;
    *p = q + len;
    return 0;
}

/* ======================================================================== */
/* Time                                                                     */

int gen_asn1_time(ASN1_TIME **out, int64_t t)
{
    time_t tt = (time_t)t;
    ASN1_TIME *a;
    if ((int64_t)tt != t)
        return -1; /* time_t too narrow on this platform */
    a = ASN1_TIME_set(NULL, tt);
    if (a == NULL)
        return -1;
    *out = a;
    return 0;
}

size_t gen_time_format(char *out, size_t size, const char *fmt, int64_t t,
                       int min_tm_year)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
        tm.tm_year < min_tm_year || tm.tm_year > 9999 - 1900)
        return 0;
    return strftime(out, size, fmt, &tm);
}

/* ======================================================================== */
/* Digests and raw ECDSA                                                    */

int gen_digest2(const EVP_MD *md, uint8_t *out, size_t size, const void *d1,
                size_t n1, const void *d2, size_t n2)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    int ok = ctx != NULL && EVP_DigestInit_ex2(ctx, md, NULL) == 1 &&
             EVP_DigestUpdate(ctx, d1, n1) == 1 &&
             (n2 == 0 || EVP_DigestUpdate(ctx, d2, n2) == 1) &&
             EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == size;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

int gen_ecdsa_sign_der(unsigned char **out, size_t *out_len,
                       const char *digest, const uint8_t *msg, size_t len,
                       EVP_PKEY *key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    size_t der_len = 0;
    int ok = md != NULL &&
             EVP_DigestSignInit_ex(md, NULL, digest, NULL, NULL, key,
                                   NULL) == 1 &&
             EVP_DigestSign(md, NULL, &der_len, msg, len) == 1 &&
             (der = OPENSSL_malloc(der_len)) != NULL &&
             EVP_DigestSign(md, der, &der_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        OPENSSL_free(der);
        return -1;
    }
    *out = der;
    *out_len = der_len;
    return 0;
}

int gen_ecdsa_sign_raw(uint8_t *out, size_t coord_len, const char *digest,
                       const uint8_t *msg, size_t len, EVP_PKEY *key)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    size_t der_len = 0;
    ECDSA_SIG *sig;
    const BIGNUM *r = NULL, *s = NULL;
    uint8_t tmp[2 * 72];
    int n = (int)coord_len, ok;
    if (out == NULL || (msg == NULL && len != 0) || key == NULL ||
        coord_len > 72 ||
        gen_ecdsa_sign_der(&der, &der_len, digest, msg, len, key) != 0)
        return -1;
    p = der;
    sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    OPENSSL_free(der);
    ok = sig != NULL;
    if (ok) {
        ECDSA_SIG_get0(sig, &r, &s);
        ok = BN_bn2binpad(r, tmp, n) == n &&
             BN_bn2binpad(s, tmp + coord_len, n) == n;
    }
    ECDSA_SIG_free(sig);
    if (!ok)
        return -1;
    memcpy(out, tmp, 2 * coord_len);
    return 0;
}

int gen_ecdsa_verify(BIGNUM *r, BIGNUM *s, const char *digest,
                     const uint8_t *msg, size_t len, EVP_PKEY *key)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    unsigned char *der = NULL;
    int der_len, ok;
    EVP_MD_CTX *md;
    if (r == NULL || s == NULL || es == NULL ||
        ECDSA_SIG_set0(es, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return -1;
    }
    der_len = i2d_ECDSA_SIG(es, &der); /* es now owns r and s */
    ECDSA_SIG_free(es);
    if (der_len <= 0)
        return -1;
    md = EVP_MD_CTX_new();
    ok = md != NULL &&
         EVP_DigestVerifyInit_ex(md, NULL, digest, NULL, NULL, key, NULL) ==
             1 &&
         EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return ok ? 0 : -1;
}

int gen_ecdsa_verify_raw(const uint8_t *sig, size_t coord_len,
                         const char *digest, const uint8_t *msg, size_t len,
                         EVP_PKEY *key)
{
    if (sig == NULL || (msg == NULL && len != 0) || key == NULL)
        return -1;
    return gen_ecdsa_verify(BN_bin2bn(sig, (int)coord_len, NULL),
                            BN_bin2bn(sig + coord_len, (int)coord_len, NULL),
                            digest, msg, len, key);
}

/* ======================================================================== */
/* Certificates and CRLs                                                    */

int gen_sign_ctx(EVP_MD_CTX **out, EVP_PKEY *key, const char *digest)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL)
        return -1;
    if (EVP_DigestSignInit_ex(md, NULL, digest, NULL, NULL, key, NULL) != 1) {
        EVP_MD_CTX_free(md);
        return -1;
    }
    *out = md;
    return 0;
}

int gen_cert_sign(X509 **out, X509 *x, EVP_MD_CTX *md)
{
    int ok = md != NULL && X509_sign_ctx(x, md) > 0;
    EVP_MD_CTX_free(md);
    if (!ok) {
        X509_free(x);
        return -1;
    }
    *out = x;
    return 0;
}

int gen_crl_sign(X509_CRL **out, X509_CRL *crl, EVP_MD_CTX *md)
{
    int ok = md != NULL && X509_CRL_sign_ctx(crl, md) > 0;
    EVP_MD_CTX_free(md);
    if (!ok) {
        X509_CRL_free(crl);
        return -1;
    }
    *out = crl;
    return 0;
}

static int name_add(X509_NAME *n, const char *type, const char *value)
{
    return X509_NAME_add_entry_by_txt(n, type, MBSTRING_ASC,
                                      (const unsigned char *)value, -1, -1,
                                      0) == 1
               ? 0
               : -1;
}

int gen_name_build(X509_NAME **out, const char *cn,
                   const char *const (*dn)[2], size_t n_dn, int cn_first)
{
    X509_NAME *n = X509_NAME_new();
    if (n == NULL)
        return -1;
    if (cn_first && name_add(n, "CN", cn) != 0)
        goto fail;
    for (size_t i = 0; i < n_dn; i++)
        if (name_add(n, dn[i][0], dn[i][1]) != 0)
            goto fail;
    if (!cn_first && name_add(n, "CN", cn) != 0)
        goto fail;
    *out = n;
    return 0;
fail:
    X509_NAME_free(n);
    return -1;
}

int gen_set_serial_u64(X509 *x, uint64_t serial)
{
    ASN1_INTEGER *ai = ASN1_INTEGER_new();
    int ok;
    if (ai == NULL)
        return -1;
    ok = ASN1_INTEGER_set_uint64(ai, serial) == 1 &&
         X509_set_serialNumber(x, ai) == 1;
    ASN1_INTEGER_free(ai);
    return ok ? 0 : -1;
}

int gen_cert_set_body(X509 *x, X509_NAME *subj, int64_t not_before,
                      int64_t not_after, EVP_PKEY *subject_key,
                      const X509 *issuer_cert)
{
    ASN1_TIME *a = NULL, *b = NULL;
    int ok = subj != NULL && X509_set_version(x, X509_VERSION_3) == 1 &&
             gen_asn1_time(&a, not_before) == 0 &&
             gen_asn1_time(&b, not_after) == 0 &&
             X509_set1_notBefore(x, a) == 1 &&
             X509_set1_notAfter(x, b) == 1 &&
             X509_set_pubkey(x, subject_key) == 1 &&
             X509_set_subject_name(x, subj) == 1 &&
             X509_set_issuer_name(x, issuer_cert != NULL
                                         ? X509_get_subject_name(issuer_cert)
                                         : subj) == 1;
    ASN1_TIME_free(a);
    ASN1_TIME_free(b);
    X509_NAME_free(subj);
    return ok ? 0 : -1;
}

int gen_key_id(ASN1_OCTET_STRING **out, EVP_PKEY *key)
{
    X509_PUBKEY *xpk = NULL;
    const unsigned char *pk;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int pklen, ok = 0;
    ASN1_OCTET_STRING *os = NULL;
    if (X509_PUBKEY_set(&xpk, key) != 1)
        return -1;
    if (X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xpk) == 1 &&
        EVP_Digest(pk, (size_t)pklen, md, &mdlen, EVP_sha1(), NULL) == 1 &&
        (os = ASN1_OCTET_STRING_new()) != NULL &&
        ASN1_OCTET_STRING_set(os, md, (int)mdlen) == 1)
        ok = 1;
    X509_PUBKEY_free(xpk);
    if (!ok) {
        ASN1_OCTET_STRING_free(os);
        return -1;
    }
    *out = os;
    return 0;
}

int gen_add_skid(X509 *x, EVP_PKEY *subject)
{
    ASN1_OCTET_STRING *ski = NULL;
    int ok;
    if (gen_key_id(&ski, subject) != 0)
        return -1;
    ok = X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0,
                           X509V3_ADD_DEFAULT) == 1;
    ASN1_OCTET_STRING_free(ski);
    return ok ? 0 : -1;
}

int gen_add_akid(X509 *x, X509_CRL *crl, EVP_PKEY *issuer)
{
    AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
    int ok = 0;
    if (akid == NULL)
        return -1;
    if (gen_key_id(&akid->keyid, issuer) == 0)
        ok = x != NULL ? X509_add1_ext_i2d(x, NID_authority_key_identifier,
                                           akid, 0, X509V3_ADD_DEFAULT) == 1
                       : X509_CRL_add1_ext_i2d(crl,
                                               NID_authority_key_identifier,
                                               akid, 0,
                                               X509V3_ADD_DEFAULT) == 1;
    AUTHORITY_KEYID_free(akid);
    return ok ? 0 : -1;
}

int gen_add_key_usage(X509 *x, unsigned ku, int critical)
{
    /* Bit numbers from RFC 5280 KeyUsage. */
    static const struct {
        unsigned flag;
        int bit;
    } map[] = {{GEN_KU_DIGITAL_SIGNATURE, 0},
               {GEN_KU_NON_REPUDIATION, 1},
               {GEN_KU_KEY_CERT_SIGN, 5},
               {GEN_KU_CRL_SIGN, 6}};
    ASN1_BIT_STRING *bs = ASN1_BIT_STRING_new();
    int ok = 1;
    if (bs == NULL)
        return -1;
    for (size_t i = 0; ok && i < sizeof(map) / sizeof(map[0]); i++)
        if (ku & map[i].flag)
            ok = ASN1_BIT_STRING_set_bit(bs, map[i].bit, 1) == 1;
    if (ok)
        ok = X509_add1_ext_i2d(x, NID_key_usage, bs, critical ? 1 : 0,
                               X509V3_ADD_DEFAULT) == 1;
    ASN1_BIT_STRING_free(bs);
    return ok ? 0 : -1;
}

int gen_add_basic_constraints(X509 *x, int critical, int ca, int pathlen)
{
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
    int ok = 0;
    if (bc == NULL)
        return -1;
    bc->ca = ca;
    if (pathlen >= 0) {
        bc->pathlen = ASN1_INTEGER_new();
        if (bc->pathlen == NULL || ASN1_INTEGER_set(bc->pathlen, pathlen) != 1)
            goto done;
    }
    ok = X509_add1_ext_i2d(x, NID_basic_constraints, bc, critical ? 1 : 0,
                           X509V3_ADD_DEFAULT) == 1;
done:
    BASIC_CONSTRAINTS_free(bc);
    return ok ? 0 : -1;
}

int gen_add_ext_raw(X509 *x, const char *oid, int critical,
                    const uint8_t *val, size_t len)
{
    ASN1_OBJECT *obj;
    ASN1_OCTET_STRING *os;
    X509_EXTENSION *ext = NULL;
    int ok;
    if (oid == NULL || len > 0x7fffffff || (val == NULL && len != 0))
        return -1;
    obj = OBJ_txt2obj(oid, 1); /* 1: dotted form only, no name lookup */
    os = ASN1_OCTET_STRING_new();
    if (obj != NULL && os != NULL &&
        ASN1_OCTET_STRING_set(os, val, (int)len) == 1)
        ext = X509_EXTENSION_create_by_OBJ(NULL, obj, critical ? 1 : 0, os);
    ASN1_OBJECT_free(obj);
    ASN1_OCTET_STRING_free(os);
    if (ext == NULL)
        return -1;
    ok = X509_add_ext(x, ext, -1) == 1; /* copies ext */
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

int gen_add_exts(X509 *x, const snpgen_ext *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (gen_add_ext_raw(x, e[i].oid, e[i].critical, e[i].value,
                            e[i].value_len) != 0)
            return -1;
    return 0;
}

const ASN1_OCTET_STRING *gen_ext_value(const X509 *x, const char *oid)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    int idx;
    if (obj == NULL)
        return NULL;
    idx = X509_get_ext_by_OBJ(x, obj, -1);
    ASN1_OBJECT_free(obj);
    if (idx < 0)
        return NULL;
    return X509_EXTENSION_get_data(X509_get_ext(x, idx));
}

static int crl_add_revoked(X509_CRL *crl, uint64_t serial, ASN1_TIME *when,
                           int reason_key_compromise)
{
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_INTEGER *ai = ASN1_INTEGER_new();
    ASN1_ENUMERATED *re = NULL;
    int ok = r != NULL && ai != NULL &&
             ASN1_INTEGER_set_uint64(ai, serial) == 1 &&
             X509_REVOKED_set_serialNumber(r, ai) == 1 &&
             X509_REVOKED_set_revocationDate(r, when) == 1;
    if (ok && reason_key_compromise) {
        re = ASN1_ENUMERATED_new();
        ok = re != NULL && ASN1_ENUMERATED_set(re, 1) == 1 && /* keyCompr. */
             X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, re, 0, 0) == 1;
    }
    ok = ok && X509_CRL_add0_revoked(crl, r) == 1; /* takes r on success */
    ASN1_INTEGER_free(ai);
    ASN1_ENUMERATED_free(re);
    if (!ok) {
        X509_REVOKED_free(r);
        return -1;
    }
    return 0;
}

int gen_crl_fill(X509_CRL *crl, const X509 *issuer, int64_t this_update,
                 int64_t next_update, const uint64_t *revoked, size_t n,
                 int reason_key_compromise)
{
    ASN1_TIME *tu = NULL, *nu = NULL;
    int ok = X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
             X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) ==
                 1 &&
             gen_asn1_time(&tu, this_update) == 0 &&
             gen_asn1_time(&nu, next_update) == 0 &&
             X509_CRL_set1_lastUpdate(crl, tu) == 1 &&
             X509_CRL_set1_nextUpdate(crl, nu) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = crl_add_revoked(crl, revoked[i], tu, reason_key_compromise) == 0;
    ok = ok && X509_CRL_sort(crl) == 1;
    ASN1_TIME_free(tu);
    ASN1_TIME_free(nu);
    return ok ? 0 : -1;
}

/* ======================================================================== */
/* Files below a directory                                                  */

int gen_path_join(char out[GEN_PATH_BUF], const char *dir, const char *name)
{
    int n = snprintf(out, GEN_PATH_BUF, "%s/%s", dir, name);
    return n > 0 && n < GEN_PATH_BUF ? 0 : -1;
}

int gen_make_dir(const char *dir, const char *sub)
{
    char path[GEN_PATH_BUF];
    if (sub == NULL)
        return mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : -1;
    if (gen_path_join(path, dir, sub) != 0)
        return -1;
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

int gen_write_file(const char *dir, const char *name, const void *d,
                   size_t n)
{
    char path[GEN_PATH_BUF];
    FILE *f;
    int ok;
    if (d == NULL || gen_path_join(path, dir, name) != 0)
        return -1;
    f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    ok = fwrite(d, 1, n, f) == n;
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

int gen_read_file(char **out, size_t *out_len, const char *dir,
                  const char *name)
{
    char path[GEN_PATH_BUF], tmp[4096];
    FILE *f;
    gen_buf b = {0};
    size_t n;
    if (dir == NULL ? strlen(name) >= sizeof(path)
                    : gen_path_join(path, dir, name) != 0)
        return -1;
    f = fopen(dir == NULL ? name : path, "rb");
    if (f == NULL)
        return -1;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        gen_buf_put(&b, tmp, n);
    if (ferror(f))
        b.err = 1;
    fclose(f);
    return gen_buf_finish(&b, out, out_len);
}

int gen_save_anchor(const char *dir, const char *name, const X509 *cert)
{
    char hex[65];
    if (snpgen_spki_sha256_hex(hex, cert) != 0)
        return -1;
    hex[64] = '\n';
    return gen_write_file(dir, name, hex, 65);
}

int gen_save_cert(const char *dir, const char *name, const X509 *x)
{
    char path[GEN_PATH_BUF];
    return gen_path_join(path, dir, name) == 0 ? snpgen_cert_save_pem(path, x)
                                               : -1;
}

int gen_save_key(const char *dir, const char *name, const EVP_PKEY *k)
{
    char path[GEN_PATH_BUF];
    return gen_path_join(path, dir, name) == 0 ? snpgen_key_save_pem(path, k)
                                               : -1;
}

int gen_save_crl(const char *dir, const char *name, const X509_CRL *c)
{
    char path[GEN_PATH_BUF];
    return gen_path_join(path, dir, name) == 0 ? snpgen_crl_save_der(path, c)
                                               : -1;
}

int gen_load_cert(X509 **out, const char *dir, const char *name)
{
    char path[GEN_PATH_BUF];
    return gen_path_join(path, dir, name) == 0
               ? snpgen_cert_load_pem(out, path)
               : -1;
}

int gen_load_key(EVP_PKEY **out, const char *dir, const char *name)
{
    char path[GEN_PATH_BUF];
    return gen_path_join(path, dir, name) == 0 ? snpgen_key_load_pem(out, path)
                                               : -1;
}

int gen_load_crl(X509_CRL **out, const char *dir, const char *name)
{
    char path[GEN_PATH_BUF];
    return gen_path_join(path, dir, name) == 0 ? snpgen_crl_load_der(out, path)
                                               : -1;
}
