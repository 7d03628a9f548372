/*
 * snpgen - AMD SEV-SNP test PKI and attestation-report generator.
 * See snpgen.h for the API contract and vectors/README.md for usage.
 */
#include "snpgen.h"

#include "gencommon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

/* Arc of the AMD VEK extensions. */
#define AMD_OID "1.3.6.1.4.1.3704.1"

/* ======================================================================== */
/* Byte helpers, products, TCB                                              */

void snpgen_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void snpgen_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t snpgen_get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t snpgen_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static int product_valid(snpgen_product p)
{
    return p == SNPGEN_MILAN || p == SNPGEN_GENOA || p == SNPGEN_TURIN;
}

const char *snpgen_product_name(snpgen_product p)
{
    switch (p) {
    case SNPGEN_MILAN: return "Milan";
    case SNPGEN_GENOA: return "Genoa";
    case SNPGEN_TURIN: return "Turin";
    }
    return NULL;
}

const char *snpgen_product_vcek_name(snpgen_product p)
{
    switch (p) {
    case SNPGEN_MILAN: return "Milan-B0";
    case SNPGEN_GENOA: return "Genoa";
    case SNPGEN_TURIN: return "Turin";
    }
    return NULL;
}

int snpgen_product_parse(snpgen_product *out, const char *name)
{
    static const snpgen_product all[] = {SNPGEN_MILAN, SNPGEN_GENOA,
                                         SNPGEN_TURIN};
    if (out == NULL || name == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcasecmp(name, snpgen_product_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

int snpgen_tcb_default(snpgen_tcb *out, snpgen_product p)
{
    static const snpgen_tcb milan = {0, 4, 0, 22, 213};
    static const snpgen_tcb genoa = {0, 9, 0, 21, 84};
    static const snpgen_tcb turin = {1, 1, 1, 3, 77};
    if (out == NULL)
        return -1;
    switch (p) {
    case SNPGEN_MILAN: *out = milan; return 0;
    case SNPGEN_GENOA: *out = genoa; return 0;
    case SNPGEN_TURIN: *out = turin; return 0;
    }
    return -1;
}

uint64_t snpgen_tcb_encode(snpgen_product p, uint8_t fmc, uint8_t bl,
                           uint8_t tee, uint8_t snp, uint8_t ucode)
{
    if (p == SNPGEN_TURIN)
        return (uint64_t)fmc | (uint64_t)bl << 8 | (uint64_t)tee << 16 |
               (uint64_t)snp << 24 | (uint64_t)ucode << 56;
    if (p == SNPGEN_MILAN || p == SNPGEN_GENOA)
        return (uint64_t)bl | (uint64_t)tee << 8 | (uint64_t)snp << 48 |
               (uint64_t)ucode << 56;
    return 0;
}

int snpgen_tcb_decode(snpgen_tcb *out, snpgen_product p, uint64_t tcb)
{
    snpgen_tcb t = {0, 0, 0, 0, 0};
    if (out == NULL || !product_valid(p))
        return -1;
    if (p == SNPGEN_TURIN) {
        t.fmc = (uint8_t)tcb;
        t.bl = (uint8_t)(tcb >> 8);
        t.tee = (uint8_t)(tcb >> 16);
        t.snp = (uint8_t)(tcb >> 24);
    } else {
        t.bl = (uint8_t)tcb;
        t.tee = (uint8_t)(tcb >> 8);
        t.snp = (uint8_t)(tcb >> 48);
    }
    t.ucode = (uint8_t)(tcb >> 56);
    *out = t;
    return 0;
}

static uint64_t tcb_encode_struct(snpgen_product p, const snpgen_tcb *t)
{
    return snpgen_tcb_encode(p, t->fmc, t->bl, t->tee, t->snp, t->ucode);
}

/* ======================================================================== */
/* Keys and files                                                           */

int snpgen_rsa_keygen(EVP_PKEY **out, unsigned bits)
{
    EVP_PKEY *k;
    if (out == NULL || bits < 1024 || bits > 16384)
        return -1;
    k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (k == NULL)
        return -1;
    *out = k;
    return 0;
}

int snpgen_ec_p384_keygen(EVP_PKEY **out)
{
    EVP_PKEY *k;
    if (out == NULL)
        return -1;
    k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    if (k == NULL)
        return -1;
    *out = k;
    return 0;
}

int snpgen_key_save_pem(const char *path, const EVP_PKEY *key)
{
    BIO *b;
    int ok;
    if (path == NULL || key == NULL)
        return -1;
    b = BIO_new_file(path, "w");
    if (b == NULL)
        return -1;
    ok = PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) == 1;
    if (BIO_free(b) != 1)
        ok = 0;
    return ok ? 0 : -1;
}

int snpgen_key_load_pem(EVP_PKEY **out, const char *path)
{
    BIO *b;
    EVP_PKEY *k;
    if (out == NULL || path == NULL)
        return -1;
    b = BIO_new_file(path, "r");
    if (b == NULL)
        return -1;
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    if (k == NULL)
        return -1;
    *out = k;
    return 0;
}

/* Write n certificates, one after the other, into one PEM file. */
static int certs_save_pem(const char *path, const X509 *const *certs,
                          size_t n)
{
    BIO *b;
    int ok = 1;
    if (path == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (certs[i] == NULL)
            return -1;
    b = BIO_new_file(path, "w");
    if (b == NULL)
        return -1;
    for (size_t i = 0; i < n && ok; i++)
        ok = PEM_write_bio_X509(b, certs[i]) == 1;
    if (BIO_free(b) != 1)
        ok = 0;
    return ok ? 0 : -1;
}

int snpgen_cert_save_pem(const char *path, const X509 *cert)
{
    return certs_save_pem(path, &cert, 1);
}

int snpgen_cert_load_pem(X509 **out, const char *path)
{
    BIO *b;
    X509 *x;
    if (out == NULL || path == NULL)
        return -1;
    b = BIO_new_file(path, "r");
    if (b == NULL)
        return -1;
    x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    if (x == NULL)
        return -1;
    *out = x;
    return 0;
}

int snpgen_crl_save_der(const char *path, const X509_CRL *crl)
{
    BIO *b;
    int ok;
    if (path == NULL || crl == NULL)
        return -1;
    b = BIO_new_file(path, "wb");
    if (b == NULL)
        return -1;
    ok = i2d_X509_CRL_bio(b, crl) == 1;
    if (BIO_free(b) != 1)
        ok = 0;
    return ok ? 0 : -1;
}

int snpgen_crl_load_der(X509_CRL **out, const char *path)
{
    BIO *b;
    X509_CRL *c;
    if (out == NULL || path == NULL)
        return -1;
    b = BIO_new_file(path, "rb");
    if (b == NULL)
        return -1;
    c = d2i_X509_CRL_bio(b, NULL);
    BIO_free(b);
    if (c == NULL)
        return -1;
    *out = c;
    return 0;
}

int snpgen_spki_sha256_hex(char out[65], const X509 *cert)
{
    unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    const X509_PUBKEY *pk;
    int len, ok;
    if (out == NULL || cert == NULL)
        return -1;
    pk = X509_get_X509_PUBKEY(cert);
    if (pk == NULL)
        return -1;
    len = i2d_X509_PUBKEY(pk, &der);
    if (len <= 0)
        return -1;
    ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
         mdlen == 32;
    OPENSSL_free(der);
    if (!ok)
        return -1;
    gen_hex_encode(out, md, 32, 0);
    return 0;
}

/* ======================================================================== */
/* Signing contexts and ASN.1 building blocks                               */

/*
 * A digest-sign context for key and alg. For RSA keys the default is what
 * AMD uses (PSS, SHA-384, MGF1-SHA-384, salt 48); X509_sign_ctx and
 * X509_CRL_sign_ctx derive the AlgorithmIdentifier (with PSS parameters)
 * from the context.
 */
static int sign_ctx_new(EVP_MD_CTX **out, EVP_PKEY *key, snpgen_sig_alg alg)
{
    EVP_MD_CTX *md;
    EVP_PKEY_CTX *pctx = NULL;
    int is_rsa = EVP_PKEY_is_a(key, "RSA");
    int pss = is_rsa && alg != SNPGEN_SIG_RSA_PKCS1_SHA384;
    int sha256 = alg == SNPGEN_SIG_RSA_PSS_SHA256;

    if (!is_rsa && alg != SNPGEN_SIG_DEFAULT)
        return -1; /* the RSA variants make no sense for an EC key */
    md = EVP_MD_CTX_new();
    if (md == NULL)
        return -1;
    if (EVP_DigestSignInit_ex(md, &pctx, sha256 ? "SHA256" : "SHA384", NULL,
                              NULL, key, NULL) != 1)
        goto fail;
    if (pss &&
        (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, sha256 ? EVP_sha256()
                                                   : EVP_sha384()) <= 0 ||
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, sha256 ? 32 : 48) <= 0))
        goto fail;
    if (is_rsa && !pss &&
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
        goto fail;
    *out = md;
    return 0;
fail:
    EVP_MD_CTX_free(md);
    return -1;
}

/* DER of an INTEGER (e.g. 02 01 05) into a freshly allocated buffer. */
static int der_integer(unsigned char **out, int *out_len, int64_t v)
{
    ASN1_INTEGER *ai = ASN1_INTEGER_new();
    unsigned char *der = NULL;
    int len = -1;
    if (ai == NULL)
        return -1;
    if (ASN1_INTEGER_set_int64(ai, v) == 1)
        len = i2d_ASN1_INTEGER(ai, &der);
    ASN1_INTEGER_free(ai);
    if (len <= 0)
        return -1;
    *out = der;
    *out_len = len;
    return 0;
}

/* DER of an IA5String (16 <len> <chars>) into a freshly allocated buffer. */
static int der_ia5(unsigned char **out, int *out_len, const char *s)
{
    ASN1_IA5STRING *a = ASN1_IA5STRING_new();
    unsigned char *der = NULL;
    int len = -1;
    if (a == NULL)
        return -1;
    if (ASN1_STRING_set(a, s, -1) == 1)
        len = i2d_ASN1_IA5STRING(a, &der);
    ASN1_IA5STRING_free(a);
    if (len <= 0)
        return -1;
    *out = der;
    *out_len = len;
    return 0;
}

static int add_ext_int(X509 *x, const char *oid, int64_t v)
{
    unsigned char *der;
    int len, rc;
    if (der_integer(&der, &len, v) != 0)
        return -1;
    rc = gen_add_ext_raw(x, oid, 0, der, (size_t)len);
    OPENSSL_free(der);
    return rc;
}

static int add_ext_ia5(X509 *x, const char *oid, const char *s)
{
    unsigned char *der;
    int len, rc;
    if (der_ia5(&der, &len, s) != 0)
        return -1;
    rc = gen_add_ext_raw(x, oid, 0, der, (size_t)len);
    OPENSSL_free(der);
    return rc;
}

/* ======================================================================== */
/* AMD VEK extensions                                                       */

int snpgen_vek_ext_init(snpgen_vek_ext *out, snpgen_product p,
                        const snpgen_tcb *t)
{
    snpgen_vek_ext e;
    int turin = p == SNPGEN_TURIN;
    if (out == NULL || t == NULL || !product_valid(p))
        return -1;
    memset(&e, 0, sizeof(e));
    e.struct_version = turin ? 1 : 0;
    e.product_name = snpgen_product_vcek_name(p);
    for (int i = 0; i < SNPGEN_SPL_COUNT; i++)
        e.spl[i] = -1;
    e.spl[SNPGEN_SPL_BL] = t->bl;
    e.spl[SNPGEN_SPL_TEE] = t->tee;
    e.spl[SNPGEN_SPL_SNP] = t->snp;
    for (int i = 4; i <= 7; i++) /* reserved SPLs, always 0 */
        e.spl[i] = 0;
    if (turin)
        e.spl[4] = -1; /* AMD omits .3.4 on Turin */
    e.spl[SNPGEN_SPL_UCODE] = t->ucode;
    if (turin)
        e.spl[SNPGEN_SPL_FMC] = t->fmc;
    e.hwid = NULL;
    e.hwid_len = 0;
    e.hwid_enc = SNPGEN_HWID_RAW;
    e.csp_id = NULL;
    *out = e;
    return 0;
}

int snpgen_vek_ext_set_hwid(snpgen_vek_ext *e, snpgen_product p,
                            const uint8_t chip_id[SNPGEN_CHIP_ID_LEN])
{
    if (e == NULL || chip_id == NULL || !product_valid(p))
        return -1;
    e->hwid = chip_id;
    e->hwid_len = p == SNPGEN_TURIN ? SNPGEN_TURIN_HWID_LEN
                                    : SNPGEN_CHIP_ID_LEN;
    e->hwid_enc = SNPGEN_HWID_RAW;
    return 0;
}

/* hwID: AMD puts the raw bytes straight into extnValue; the OCTET STRING
 * variant (04 len bytes) exists for parser tests. */
static int add_hwid(X509 *x, const snpgen_vek_ext *e)
{
    uint8_t buf[2 + 127];
    if (e->hwid_enc == SNPGEN_HWID_RAW)
        return gen_add_ext_raw(x, AMD_OID ".4", 0, e->hwid, e->hwid_len);
    if (e->hwid_enc != SNPGEN_HWID_OCTET_STRING || e->hwid_len > 127)
        return -1; /* short-form length keeps this simple */
    buf[0] = 0x04;
    buf[1] = (uint8_t)e->hwid_len;
    memcpy(buf + 2, e->hwid, e->hwid_len);
    return gen_add_ext_raw(x, AMD_OID ".4", 0, buf, e->hwid_len + 2);
}

static int add_vek_exts(X509 *x, const snpgen_vek_ext *e)
{
    char oid[64];
    if (e->struct_version >= 0 &&
        add_ext_int(x, AMD_OID ".1", e->struct_version) != 0)
        return -1;
    if (e->product_name != NULL &&
        add_ext_ia5(x, AMD_OID ".2", e->product_name) != 0)
        return -1;
    for (int i = 1; i < SNPGEN_SPL_COUNT; i++) {
        if (e->spl[i] < 0)
            continue;
        snprintf(oid, sizeof(oid), AMD_OID ".3.%d", i);
        if (add_ext_int(x, oid, e->spl[i]) != 0)
            return -1;
    }
    if (e->hwid != NULL && add_hwid(x, e) != 0)
        return -1;
    if (e->csp_id != NULL && add_ext_ia5(x, AMD_OID ".5", e->csp_id) != 0)
        return -1;
    return 0;
}

/* ======================================================================== */
/* Certificates                                                             */

int snpgen_cert_opts_init(snpgen_cert_opts *o)
{
    if (o == NULL)
        return -1;
    memset(o, 0, sizeof(*o));
    o->amd_dn = 1;
    o->pathlen = -1;
    o->sig_alg = SNPGEN_SIG_DEFAULT;
    o->not_before = SNPGEN_T_2024_01_01;
    o->not_after = SNPGEN_T_2031_01_01;
    return 0;
}

_Static_assert(SNPGEN_KU_DIGITAL_SIGNATURE == GEN_KU_DIGITAL_SIGNATURE &&
                   SNPGEN_KU_KEY_CERT_SIGN == GEN_KU_KEY_CERT_SIGN &&
                   SNPGEN_KU_CRL_SIGN == GEN_KU_CRL_SIGN,
               "SNPGEN_KU_* are GEN_KU_* bits");

/* Everything but the signature: version, serial, names, validity, key.
 * The subject name is in the order AMD uses in its KDS certificates. */
static int cert_fill_body(X509 *x, const snpgen_cert_opts *o)
{
    static const char *const amd[][2] = {
        {"OU", "Engineering"}, {"C", "US"}, {"L", "Santa Clara"},
        {"ST", "CA"}, {"O", "Advanced Micro Devices"}};
    X509_NAME *subj = NULL;
    if (gen_set_serial_u64(x, o->serial) != 0 ||
        gen_name_build(&subj, o->cn, amd,
                       o->amd_dn ? sizeof(amd) / sizeof(amd[0]) : 0, 0) != 0)
        return -1;
    return gen_cert_set_body(x, subj, o->not_before, o->not_after,
                             o->subject_key, o->issuer_cert);
}

static int cert_add_exts(X509 *x, const snpgen_cert_opts *o,
                         EVP_PKEY *issuer_key)
{
    /* CA:TRUE is encoded as BOOLEAN 01 here (OpenSSL writes the value). */
    if (o->basic_constraints &&
        gen_add_basic_constraints(x, 1, o->is_ca ? 1 : 0, o->pathlen) != 0)
        return -1;
    /* Only the bits snpgen defines; the others have always been ignored. */
    if (o->key_usage != 0 &&
        gen_add_key_usage(x,
                          o->key_usage & (SNPGEN_KU_DIGITAL_SIGNATURE |
                                          SNPGEN_KU_KEY_CERT_SIGN |
                                          SNPGEN_KU_CRL_SIGN),
                          o->key_usage_critical) != 0)
        return -1;
    if (o->key_ids && (gen_add_skid(x, o->subject_key) != 0 ||
                       gen_add_akid(x, NULL, issuer_key) != 0))
        return -1;
    if (o->vek != NULL && add_vek_exts(x, o->vek) != 0)
        return -1;
    return gen_add_exts(x, o->extra, o->n_extra);
}

int snpgen_cert_issue(X509 **out, const snpgen_cert_opts *o)
{
    X509 *x;
    EVP_MD_CTX *md = NULL;
    EVP_PKEY *ikey;
    if (out == NULL || o == NULL || o->cn == NULL || o->subject_key == NULL ||
        (o->extra == NULL && o->n_extra != 0))
        return -1;
    ikey = o->issuer_key != NULL ? o->issuer_key : o->subject_key;
    if (o->issuer_cert != NULL && o->issuer_key == NULL)
        return -1; /* an issuer certificate needs its key */
    x = X509_new();
    if (x == NULL)
        return -1;
    if (cert_fill_body(x, o) == 0 && cert_add_exts(x, o, ikey) == 0)
        sign_ctx_new(&md, ikey, o->sig_alg); /* md stays NULL on failure */
    return gen_cert_sign(out, x, md);
}

/* ======================================================================== */
/* CRLs                                                                     */

int snpgen_crl_create_ex(X509_CRL **out, const X509 *issuer_cert,
                         EVP_PKEY *issuer_key, int64_t this_update,
                         int64_t next_update, const uint64_t *revoked,
                         size_t n_revoked, snpgen_sig_alg alg)
{
    X509_CRL *crl;
    EVP_MD_CTX *md = NULL;
    if (out == NULL || issuer_cert == NULL || issuer_key == NULL ||
        (revoked == NULL && n_revoked != 0))
        return -1;
    crl = X509_CRL_new();
    if (crl == NULL)
        return -1;
    if (gen_crl_fill(crl, issuer_cert, this_update, next_update, revoked,
                     n_revoked, 0) == 0)
        sign_ctx_new(&md, issuer_key, alg); /* md stays NULL on failure */
    return gen_crl_sign(out, crl, md);
}

int snpgen_crl_create(X509_CRL **out, const X509 *issuer_cert,
                      EVP_PKEY *issuer_key, int64_t this_update,
                      int64_t next_update, const uint64_t *revoked,
                      size_t n_revoked)
{
    return snpgen_crl_create_ex(out, issuer_cert, issuer_key, this_update,
                                next_update, revoked, n_revoked,
                                SNPGEN_SIG_DEFAULT);
}

/* ======================================================================== */
/* PKI bundle                                                               */

void snpgen_pki_free(snpgen_pki *pki)
{
    if (pki == NULL)
        return;
    EVP_PKEY_free(pki->ark_key);
    EVP_PKEY_free(pki->ask_key);
    EVP_PKEY_free(pki->asvk_key);
    EVP_PKEY_free(pki->vcek_key);
    EVP_PKEY_free(pki->vlek_key);
    X509_free(pki->ark);
    X509_free(pki->ask);
    X509_free(pki->asvk);
    X509_free(pki->vcek);
    X509_free(pki->vlek);
    X509_CRL_free(pki->crl);
    free(pki);
}

/* Issue an AMD CA certificate (ARK when issuer is NULL, else ASK/ASVK). */
static int issue_ca(X509 **out, const char *cn, uint64_t serial,
                    EVP_PKEY *key, const X509 *issuer, EVP_PKEY *issuer_key)
{
    snpgen_cert_opts o;
    if (snpgen_cert_opts_init(&o) != 0)
        return -1;
    o.cn = cn;
    o.serial = serial;
    o.not_before = SNPGEN_T_2020_01_01;
    o.not_after = SNPGEN_T_2045_01_01;
    o.basic_constraints = 1;
    o.is_ca = 1;
    o.pathlen = issuer != NULL ? 0 : -1;
    o.key_usage = SNPGEN_KU_KEY_CERT_SIGN | SNPGEN_KU_CRL_SIGN;
    o.key_usage_critical = 1;
    o.subject_key = key;
    o.issuer_cert = issuer;
    o.issuer_key = issuer_key;
    return snpgen_cert_issue(out, &o);
}

/* Issue a VCEK (vlek == 0, hwID from the chip id) or a VLEK (CSP_ID). */
static int issue_vek(X509 **out, const snpgen_pki *pki, int vlek)
{
    snpgen_cert_opts o;
    snpgen_vek_ext e;
    if (snpgen_cert_opts_init(&o) != 0 ||
        snpgen_vek_ext_init(&e, pki->product, &pki->tcb) != 0)
        return -1;
    if (vlek) {
        e.csp_id = SNPGEN_DEFAULT_CSP_ID;
        o.cn = "SEV-VLEK";
        o.not_before = SNPGEN_T_2025_01_01;
        o.not_after = SNPGEN_T_2026_01_01;
        o.subject_key = pki->vlek_key;
        o.issuer_cert = pki->asvk;
        o.issuer_key = pki->asvk_key;
    } else {
        if (snpgen_vek_ext_set_hwid(&e, pki->product, pki->chip_id) != 0)
            return -1;
        o.cn = "SEV-VCEK";
        o.subject_key = pki->vcek_key;
        o.issuer_cert = pki->ask;
        o.issuer_key = pki->ask_key;
    }
    o.serial = SNPGEN_SERIAL_VEK;
    o.vek = &e;
    return snpgen_cert_issue(out, &o);
}

static int pki_keygen(snpgen_pki *p, unsigned rsa_bits)
{
    if (snpgen_rsa_keygen(&p->ark_key, rsa_bits) != 0 ||
        snpgen_rsa_keygen(&p->ask_key, rsa_bits) != 0 ||
        snpgen_rsa_keygen(&p->asvk_key, rsa_bits) != 0 ||
        snpgen_ec_p384_keygen(&p->vcek_key) != 0 ||
        snpgen_ec_p384_keygen(&p->vlek_key) != 0)
        return -1;
    return 0;
}

static int pki_issue_all(snpgen_pki *p)
{
    char ark[32], ask[32], asvk[32];
    const char *name = snpgen_product_name(p->product);
    snprintf(ark, sizeof(ark), "ARK-%s", name);
    snprintf(ask, sizeof(ask), "SEV-%s", name);
    snprintf(asvk, sizeof(asvk), "SEV-VLEK-%s", name);
    if (issue_ca(&p->ark, ark, SNPGEN_SERIAL_ARK, p->ark_key, NULL, NULL) ||
        issue_ca(&p->ask, ask, SNPGEN_SERIAL_ASK, p->ask_key, p->ark,
                 p->ark_key) ||
        issue_ca(&p->asvk, asvk, SNPGEN_SERIAL_ASVK, p->asvk_key, p->ark,
                 p->ark_key) ||
        issue_vek(&p->vcek, p, 0) || issue_vek(&p->vlek, p, 1))
        return -1;
    return snpgen_crl_create(&p->crl, p->ark, p->ark_key, SNPGEN_T_2025_01_01,
                             SNPGEN_T_2030_01_01, NULL, 0);
}

int snpgen_pki_generate(snpgen_pki **out, snpgen_product product,
                        const uint8_t *chip_id, const snpgen_tcb *tcb,
                        unsigned rsa_bits)
{
    snpgen_pki *p;
    if (out == NULL || !product_valid(product))
        return -1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    p->product = product;
    for (int i = 0; i < SNPGEN_CHIP_ID_LEN; i++)
        p->chip_id[i] = chip_id != NULL ? chip_id[i] : (uint8_t)(0xC0 ^ i);
    if (product == SNPGEN_TURIN) /* Turin chip ids are 8 bytes */
        memset(p->chip_id + SNPGEN_TURIN_HWID_LEN, 0,
               SNPGEN_CHIP_ID_LEN - SNPGEN_TURIN_HWID_LEN);
    if (tcb != NULL)
        p->tcb = *tcb;
    else if (snpgen_tcb_default(&p->tcb, product) != 0)
        goto fail;
    if (product != SNPGEN_TURIN)
        p->tcb.fmc = 0;
    if (pki_keygen(p, rsa_bits ? rsa_bits : SNPGEN_DEFAULT_RSA_BITS) != 0 ||
        pki_issue_all(p) != 0)
        goto fail;
    *out = p;
    return 0;
fail:
    snpgen_pki_free(p);
    return -1;
}

/* Two certificates, one after the other, as dir/name. */
static int save_chain(const char *dir, const char *name, const X509 *first,
                      const X509 *second)
{
    const X509 *certs[2] = {first, second};
    char path[GEN_PATH_BUF];
    return gen_path_join(path, dir, name) == 0 ? certs_save_pem(path, certs, 2)
                                               : -1;
}

int snpgen_pki_save(const snpgen_pki *pki, const char *dir)
{
    if (pki == NULL || dir == NULL)
        return -1;
    if (gen_make_dir(dir, NULL) != 0)
        return -1;
    if (gen_save_cert(dir, "ark.pem", pki->ark) ||
        gen_save_cert(dir, "ask.pem", pki->ask) ||
        gen_save_cert(dir, "asvk.pem", pki->asvk) ||
        gen_save_cert(dir, "vcek.pem", pki->vcek) ||
        gen_save_cert(dir, "vlek.pem", pki->vlek) ||
        save_chain(dir, "chain.pem", pki->ask, pki->ark) ||
        save_chain(dir, "vlek_chain.pem", pki->asvk, pki->ark))
        return -1;
    if (gen_save_key(dir, "ark.key.pem", pki->ark_key) ||
        gen_save_key(dir, "ask.key.pem", pki->ask_key) ||
        gen_save_key(dir, "asvk.key.pem", pki->asvk_key) ||
        gen_save_key(dir, "vcek.key.pem", pki->vcek_key) ||
        gen_save_key(dir, "vlek.key.pem", pki->vlek_key))
        return -1;
    if (gen_save_crl(dir, "crl.der", pki->crl) != 0)
        return -1;
    return gen_save_anchor(dir, "anchor.sha256", pki->ark);
}

/* Product from the ARK's CN "ARK-<Product>". */
static int product_from_ark(snpgen_product *out, const X509 *ark)
{
    const X509_NAME *n = X509_get_subject_name(ark);
    int idx = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
    const ASN1_STRING *s;
    char cn[32];
    int len;
    if (idx < 0)
        return -1;
    s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, idx));
    len = s != NULL ? ASN1_STRING_length(s) : -1;
    if (len < 5 || len >= (int)sizeof(cn))
        return -1;
    memcpy(cn, ASN1_STRING_get0_data(s), (size_t)len);
    cn[len] = '\0';
    if (strncmp(cn, "ARK-", 4) != 0)
        return -1;
    return snpgen_product_parse(out, cn + 4);
}

/* An SPL extension (DER INTEGER 0..255) as a byte. */
static int ext_spl(uint8_t *out, const X509 *x, int index)
{
    char oid[64];
    const ASN1_OCTET_STRING *v;
    const unsigned char *p;
    ASN1_INTEGER *ai;
    int64_t val = -1;
    snprintf(oid, sizeof(oid), AMD_OID ".3.%d", index);
    v = gen_ext_value(x, oid);
    if (v == NULL)
        return -1;
    p = ASN1_STRING_get0_data(v);
    ai = d2i_ASN1_INTEGER(NULL, &p, ASN1_STRING_length(v));
    if (ai == NULL)
        return -1;
    if (ASN1_INTEGER_get_int64(&val, ai) != 1)
        val = -1;
    ASN1_INTEGER_free(ai);
    if (val < 0 || val > 255)
        return -1;
    *out = (uint8_t)val;
    return 0;
}

/* Chip id and TCB back from the VCEK's extensions. */
static int vcek_params(snpgen_pki *p)
{
    const ASN1_OCTET_STRING *hw = gen_ext_value(p->vcek, AMD_OID ".4");
    const unsigned char *d;
    int len, want;
    if (hw == NULL)
        return -1;
    d = ASN1_STRING_get0_data(hw);
    len = ASN1_STRING_length(hw);
    want = p->product == SNPGEN_TURIN ? SNPGEN_TURIN_HWID_LEN
                                      : SNPGEN_CHIP_ID_LEN;
    /* Raw bytes of the expected length win; otherwise accept the
     * OCTET-STRING-wrapped variant (04 len bytes). */
    if (len != want && len >= 2 && d[0] == 0x04 && d[1] == len - 2) {
        d += 2;
        len -= 2;
    }
    if (len < 1 || len > SNPGEN_CHIP_ID_LEN)
        return -1;
    memset(p->chip_id, 0, sizeof(p->chip_id));
    memcpy(p->chip_id, d, (size_t)len);
    memset(&p->tcb, 0, sizeof(p->tcb));
    if (ext_spl(&p->tcb.bl, p->vcek, SNPGEN_SPL_BL) ||
        ext_spl(&p->tcb.tee, p->vcek, SNPGEN_SPL_TEE) ||
        ext_spl(&p->tcb.snp, p->vcek, SNPGEN_SPL_SNP) ||
        ext_spl(&p->tcb.ucode, p->vcek, SNPGEN_SPL_UCODE))
        return -1;
    if (p->product == SNPGEN_TURIN &&
        ext_spl(&p->tcb.fmc, p->vcek, SNPGEN_SPL_FMC) != 0)
        return -1;
    return 0;
}

int snpgen_pki_load(snpgen_pki **out, const char *dir)
{
    snpgen_pki *p;
    if (out == NULL || dir == NULL)
        return -1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    if (gen_load_cert(&p->ark, dir, "ark.pem") ||
        gen_load_cert(&p->ask, dir, "ask.pem") ||
        gen_load_cert(&p->asvk, dir, "asvk.pem") ||
        gen_load_cert(&p->vcek, dir, "vcek.pem") ||
        gen_load_cert(&p->vlek, dir, "vlek.pem") ||
        gen_load_key(&p->ark_key, dir, "ark.key.pem") ||
        gen_load_key(&p->ask_key, dir, "ask.key.pem") ||
        gen_load_key(&p->asvk_key, dir, "asvk.key.pem") ||
        gen_load_key(&p->vcek_key, dir, "vcek.key.pem") ||
        gen_load_key(&p->vlek_key, dir, "vlek.key.pem"))
        goto fail;
    if (gen_load_crl(&p->crl, dir, "crl.der") != 0)
        goto fail;
    if (product_from_ark(&p->product, p->ark) != 0 || vcek_params(p) != 0)
        goto fail;
    *out = p;
    return 0;
fail:
    snpgen_pki_free(p);
    return -1;
}

/* ======================================================================== */
/* Reports                                                                  */

static void report_set_cpuid(uint8_t *r, snpgen_product p)
{
    /* Family / model of the first stepping of each product. */
    static const uint8_t fam[] = {0x19, 0x19, 0x1A};
    static const uint8_t mod[] = {0x01, 0x11, 0x02};
    r[SNPGEN_OFF_CPUID_FAM_ID] = fam[p];
    r[SNPGEN_OFF_CPUID_MOD_ID] = mod[p];
    r[SNPGEN_OFF_CPUID_STEP] = 1;
}

int snpgen_report_init_ex(uint8_t report[SNPGEN_REPORT_SIZE],
                          snpgen_product product, uint32_t version,
                          const uint8_t chip_id[SNPGEN_CHIP_ID_LEN],
                          const snpgen_tcb *tcb)
{
    uint64_t t;
    size_t id_len;
    if (report == NULL || chip_id == NULL || tcb == NULL ||
        !product_valid(product) ||
        (version != 2 && version != 3 && version != 5))
        return -1;
    t = tcb_encode_struct(product, tcb);
    memset(report, 0, SNPGEN_REPORT_SIZE);
    snpgen_put_u32(report + SNPGEN_OFF_VERSION, version);
    snpgen_put_u64(report + SNPGEN_OFF_POLICY, SNPGEN_POLICY_DEFAULT);
    snpgen_put_u32(report + SNPGEN_OFF_VMPL, 0);
    snpgen_put_u32(report + SNPGEN_OFF_SIGNATURE_ALGO, 1);
    snpgen_put_u64(report + SNPGEN_OFF_CURRENT_TCB, t);
    snpgen_put_u64(report + SNPGEN_OFF_PLATFORM_INFO, 1); /* SMT enabled */
    snpgen_put_u32(report + SNPGEN_OFF_KEY_INFO, SNPGEN_KEYINFO_SIGNING_VCEK);
    memset(report + SNPGEN_OFF_REPORT_ID_MA, 0xFF, SNPGEN_LEN_REPORT_ID_MA);
    snpgen_put_u64(report + SNPGEN_OFF_REPORTED_TCB, t);
    if (version >= 3)
        report_set_cpuid(report, product);
    id_len = product == SNPGEN_TURIN ? SNPGEN_TURIN_HWID_LEN
                                     : SNPGEN_CHIP_ID_LEN;
    memcpy(report + SNPGEN_OFF_CHIP_ID, chip_id, id_len);
    snpgen_put_u64(report + SNPGEN_OFF_COMMITTED_TCB, t);
    report[SNPGEN_OFF_CURRENT_BUILD] = SNPGEN_FW_BUILD;
    report[SNPGEN_OFF_CURRENT_MINOR] = SNPGEN_FW_MINOR;
    report[SNPGEN_OFF_CURRENT_MAJOR] = SNPGEN_FW_MAJOR;
    report[SNPGEN_OFF_COMMITTED_BUILD] = SNPGEN_FW_BUILD;
    report[SNPGEN_OFF_COMMITTED_MINOR] = SNPGEN_FW_MINOR;
    report[SNPGEN_OFF_COMMITTED_MAJOR] = SNPGEN_FW_MAJOR;
    snpgen_put_u64(report + SNPGEN_OFF_LAUNCH_TCB, t);
    return 0;
}

int snpgen_report_init(uint8_t report[SNPGEN_REPORT_SIZE],
                       const snpgen_pki *pki, uint32_t version)
{
    if (pki == NULL)
        return -1;
    return snpgen_report_init_ex(report, pki->product, version, pki->chip_id,
                                 &pki->tcb);
}

/* Big-endian bytes -> 72-byte little-endian slot. */
static void put_le72(uint8_t *slot, const uint8_t *be, size_t len)
{
    memset(slot, 0, SNPGEN_SIG_COMPONENT_LEN);
    for (size_t i = 0; i < len; i++)
        slot[i] = be[len - 1 - i];
}

int snpgen_report_set_sig_raw(uint8_t report[SNPGEN_REPORT_SIZE],
                              const uint8_t *r_be, size_t r_len,
                              const uint8_t *s_be, size_t s_len)
{
    if (report == NULL || r_len > SNPGEN_SIG_COMPONENT_LEN ||
        s_len > SNPGEN_SIG_COMPONENT_LEN || (r_be == NULL && r_len != 0) ||
        (s_be == NULL && s_len != 0))
        return -1;
    memset(report + SNPGEN_OFF_SIGNATURE, 0,
           SNPGEN_REPORT_SIZE - SNPGEN_OFF_SIGNATURE);
    put_le72(report + SNPGEN_OFF_SIG_R, r_be, r_len);
    put_le72(report + SNPGEN_OFF_SIG_S, s_be, s_len);
    return 0;
}

int snpgen_report_sign(uint8_t report[SNPGEN_REPORT_SIZE], EVP_PKEY *key)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    size_t der_len = 0;
    ECDSA_SIG *sig;
    const BIGNUM *r = NULL, *s = NULL;
    uint8_t area[SNPGEN_REPORT_SIZE - SNPGEN_OFF_SIGNATURE];
    int ok;
    if (report == NULL || key == NULL || !EVP_PKEY_is_a(key, "EC"))
        return -1;
    if (gen_ecdsa_sign_der(&der, &der_len, "SHA384", report,
                           SNPGEN_SIGNED_LEN, key) != 0)
        return -1;
    p = der;
    sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    OPENSSL_free(der);
    if (sig == NULL)
        return -1;
    ECDSA_SIG_get0(sig, &r, &s);
    /* Build the area aside so that a failure leaves the report untouched. */
    memset(area, 0, sizeof(area));
    ok = BN_bn2lebinpad(r, area, SNPGEN_SIG_COMPONENT_LEN) ==
             SNPGEN_SIG_COMPONENT_LEN &&
         BN_bn2lebinpad(s, area + (SNPGEN_OFF_SIG_S - SNPGEN_OFF_SIGNATURE),
                        SNPGEN_SIG_COMPONENT_LEN) == SNPGEN_SIG_COMPONENT_LEN;
    ECDSA_SIG_free(sig);
    if (!ok)
        return -1;
    memcpy(report + SNPGEN_OFF_SIGNATURE, area, sizeof(area));
    return 0;
}

int snpgen_report_verify_sig(const uint8_t report[SNPGEN_REPORT_SIZE],
                             EVP_PKEY *key)
{
    if (report == NULL || key == NULL)
        return -1;
    return gen_ecdsa_verify(
        BN_lebin2bn(report + SNPGEN_OFF_SIG_R, SNPGEN_SIG_COMPONENT_LEN, NULL),
        BN_lebin2bn(report + SNPGEN_OFF_SIG_S, SNPGEN_SIG_COMPONENT_LEN, NULL),
        "SHA384", report, SNPGEN_SIGNED_LEN, key);
}
