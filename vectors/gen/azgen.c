/*
 * azgen - Azure confidential-VM test evidence generator. See azgen.h.
 */
#include "azgen.h"

#include "gencommon.h"
#include "snpgen.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

/* ======================================================================== */
/* Byte helpers                                                             */

static void put_be16(gen_buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    gen_buf_put(b, x, sizeof(x));
}

static void put_be32(gen_buf *b, uint32_t v)
{
    put_be16(b, (uint16_t)(v >> 16));
    put_be16(b, (uint16_t)v);
}

static void put_be64(gen_buf *b, uint64_t v)
{
    put_be32(b, (uint32_t)(v >> 32));
    put_be32(b, (uint32_t)v);
}

static int sha(const char *alg, uint8_t *out, const void *d, size_t n)
{
    return EVP_Digest(d, n, out, NULL, EVP_get_digestbyname(alg), NULL) == 1
               ? 0
               : -1;
}

/* ======================================================================== */
/* HCL report                                                               */

int azgen_hcl_desc_init(azgen_hcl_desc *d, uint32_t report_type,
                        const uint8_t *hw_report, size_t hw_report_len,
                        const uint8_t *claims, size_t claims_len)
{
    if (d == NULL)
        return -1;
    memset(d, 0, sizeof(*d));
    d->header_version = 2;
    d->request_type = 2;
    d->igvm_version = 1;
    d->report_type = report_type;
    d->hash_type = AZGEN_HCL_HASH_SHA256;
    d->hw_report = hw_report;
    d->hw_report_len = hw_report_len;
    d->claims = claims;
    d->claims_len = claims_len;
    d->total_size = AZGEN_HCL_SIZE_DEFAULT;
    return 0;
}

int azgen_hcl_build(uint8_t **out, size_t *out_len, const azgen_hcl_desc *d)
{
    uint8_t *h;
    if (out == NULL || out_len == NULL || d == NULL ||
        (d->hw_report == NULL && d->hw_report_len != 0) ||
        (d->claims == NULL && d->claims_len != 0) ||
        d->hw_report_len > AZGEN_HCL_HW_REPORT_LEN ||
        d->claims_len > UINT32_MAX - AZGEN_HCL_OFF_CLAIMS ||
        d->total_size < AZGEN_HCL_OFF_CLAIMS + d->claims_len)
        return -1;
    h = calloc(1, d->total_size);
    if (h == NULL)
        return -1;
    memcpy(h + AZGEN_HCL_OFF_SIGNATURE, "HCLA", 4);
    snpgen_put_u32(h + AZGEN_HCL_OFF_HEADER_VERSION, d->header_version);
    snpgen_put_u32(h + AZGEN_HCL_OFF_REPORT_SIZE,
                   (uint32_t)(AZGEN_HCL_OFF_CLAIMS + d->claims_len));
    snpgen_put_u32(h + AZGEN_HCL_OFF_REQUEST_TYPE, d->request_type);
    snpgen_put_u32(h + AZGEN_HCL_OFF_STATUS, d->status);
    if (d->hw_report_len != 0)
        memcpy(h + AZGEN_HCL_OFF_HW_REPORT, d->hw_report, d->hw_report_len);
    /* data_size counts the five u32 of the IGVM header and the claims */
    snpgen_put_u32(h + AZGEN_HCL_OFF_DATA_SIZE, (uint32_t)(20 + d->claims_len));
    snpgen_put_u32(h + AZGEN_HCL_OFF_IGVM_VERSION, d->igvm_version);
    snpgen_put_u32(h + AZGEN_HCL_OFF_REPORT_TYPE, d->report_type);
    snpgen_put_u32(h + AZGEN_HCL_OFF_HASH_TYPE, d->hash_type);
    snpgen_put_u32(h + AZGEN_HCL_OFF_VAR_SIZE, (uint32_t)d->claims_len);
    if (d->claims_len != 0)
        memcpy(h + AZGEN_HCL_OFF_CLAIMS, d->claims, d->claims_len);
    *out = h;
    *out_len = d->total_size;
    return 0;
}

int azgen_report_data(uint8_t out[64], const uint8_t *claims, size_t len)
{
    uint8_t rd[64] = {0};
    if (out == NULL || (claims == NULL && len != 0) ||
        sha("SHA256", rd, claims, len) != 0)
        return -1;
    memcpy(out, rd, sizeof(rd));
    return 0;
}

/* ======================================================================== */
/* TDREPORT                                                                 */

int azgen_tdreport_rehash(uint8_t r[AZGEN_TDR_SIZE])
{
    if (r == NULL ||
        sha("SHA384", r + AZGEN_TDR_OFF_TEE_TCB_INFO_HASH,
            r + AZGEN_TDR_OFF_TEE_TCB_INFO, AZGEN_TDR_TEE_TCB_INFO_LEN) != 0 ||
        sha("SHA384", r + AZGEN_TDR_OFF_TEE_INFO_HASH,
            r + AZGEN_TDR_OFF_TDINFO, AZGEN_TDR_TDINFO_LEN) != 0)
        return -1;
    /* not a MAC (that needs the CPU's key): a filler that changes with the
     * content, so a flipped byte is visible */
    return sha("SHA256", r + AZGEN_TDR_OFF_MAC, r, AZGEN_TDR_OFF_MAC);
}

/* The dcapgen TD report body offsets used below (TD report 1.0 / 1.5). */
#define BODY_TCB_PART_LEN 120   /* TEE_TCB_SVN .. SEAM_ATTRIBUTES */
#define BODY_OFF_TDINFO 120     /* TD_ATTRIBUTES .. RTMR3 */
#define BODY_TDINFO_PART_LEN 400
#define BODY_OFF_REPORTDATA 520
#define BODY_OFF_TEE_TCB_SVN2 584
#define BODY_OFF_MRSERVICETD 600
#define BODY_LEN_10 584
#define BODY_LEN_15 648

int azgen_tdreport_from_td_body(uint8_t out[AZGEN_TDR_SIZE],
                                const uint8_t *body, size_t body_len,
                                const uint8_t cpusvn[16])
{
    static const uint8_t valid[8] = {0xFF, 0x01, 0x03}; /* as on Azure */
    uint8_t r[AZGEN_TDR_SIZE] = {0};
    int td15 = body_len == BODY_LEN_15;
    if (out == NULL || body == NULL || cpusvn == NULL ||
        (body_len != BODY_LEN_10 && !td15))
        return -1;
    r[AZGEN_TDR_OFF_REPORTTYPE] = 0x81; /* TDX, subtype 0, version 0 */
    memcpy(r + AZGEN_TDR_OFF_CPUSVN, cpusvn, 16);
    memcpy(r + AZGEN_TDR_OFF_REPORTDATA, body + BODY_OFF_REPORTDATA, 64);
    memcpy(r + AZGEN_TDR_OFF_VALID, valid, sizeof(valid));
    /* TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAM attributes: same order */
    memcpy(r + AZGEN_TDR_OFF_TEE_TCB_SVN, body, BODY_TCB_PART_LEN);
    memcpy(r + AZGEN_TDR_OFF_TEE_TCB_SVN2,
           body + (td15 ? BODY_OFF_TEE_TCB_SVN2 : 0), 16);
    /* TD attributes, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMRs */
    memcpy(r + AZGEN_TDR_OFF_TDINFO, body + BODY_OFF_TDINFO,
           BODY_TDINFO_PART_LEN);
    if (td15)
        memcpy(r + AZGEN_TDR_OFF_SERVTD_HASH, body + BODY_OFF_MRSERVICETD, 48);
    if (azgen_tdreport_rehash(r) != 0)
        return -1;
    memcpy(out, r, sizeof(r));
    return 0;
}

/* ======================================================================== */
/* PKI                                                                      */

/* DER of the extension values (checked with `openssl x509 -text`). */
#define DER_OID_AIK 0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, \
                    0x0A, 0x03, 0x0C
#define DER_OID_TCG_EK 0x06, 0x05, 0x67, 0x81, 0x05, 0x08, 0x01
#define DER_OID_TCG_AK 0x06, 0x05, 0x67, 0x81, 0x05, 0x08, 0x03
static const uint8_t eku_ca[] = {0x30, 0x1A, DER_OID_AIK, DER_OID_TCG_EK,
                                 DER_OID_TCG_AK};
static const uint8_t eku_ak[] = {0x30, 0x13, DER_OID_AIK, DER_OID_TCG_AK};
static const uint8_t ak_policy[] = {0x30, 0x0F, 0x30, 0x0D, 0x06, 0x0B, 0x2B,
                                    0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x6C,
                                    0x81, 0x48, 0x02};

typedef struct {
    const char *cn;
    int root_dn; /* C=US, O=attest-mock before the CN */
    uint64_t serial;
    int64_t not_before, not_after;
    EVP_PKEY *subject_key, *issuer_key;
    const X509 *issuer; /* NULL: self-signed */
    const char *digest;
    int ca, pathlen;
    unsigned ku;
    const uint8_t *eku;
    size_t eku_len;
    int policy;
} cert_spec;

static int cert_exts(X509 *x, const cert_spec *s)
{
    if (s->policy && gen_add_ext_raw(x, "2.5.29.32", 0, ak_policy,
                                     sizeof(ak_policy)) != 0)
        return -1;
    if (gen_add_basic_constraints(x, 1, s->ca ? 0xFF : 0, s->pathlen) != 0)
        return -1;
    if (s->eku != NULL &&
        gen_add_ext_raw(x, "2.5.29.37", 0, s->eku, s->eku_len) != 0)
        return -1;
    if (gen_add_key_usage(x, s->ku, 1) != 0 ||
        gen_add_skid(x, s->subject_key) != 0)
        return -1;
    return s->issuer != NULL ? gen_add_akid(x, NULL, s->issuer_key) : 0;
}

static int cert_issue(X509 **out, const cert_spec *s)
{
    static const char *const dn[][2] = {{"C", "US"}, {"O", "attest-mock"}};
    X509_NAME *subj = NULL;
    EVP_MD_CTX *md = NULL;
    X509 *x = X509_new();
    if (x == NULL)
        return -1;
    /* gen_cert_set_body takes subj over, even when it fails */
    if (gen_set_serial_u64(x, s->serial) == 0 &&
        gen_name_build(&subj, s->cn, dn, s->root_dn ? 2 : 0, 0) == 0 &&
        gen_cert_set_body(x, subj, s->not_before, s->not_after,
                          s->subject_key, s->issuer) == 0 &&
        cert_exts(x, s) == 0)
        gen_sign_ctx(&md, s->issuer_key, s->digest);
    return gen_cert_sign(out, x, md); /* md NULL: fails, frees x */
}

int azgen_ak_cert_issue(X509 **out, const azgen_pki *pki,
                        EVP_PKEY *subject_key, const char *vm_id,
                        int64_t not_before, int64_t not_after)
{
    char cn[256];
    cert_spec s;
    int n;
    if (out == NULL || pki == NULL || subject_key == NULL || vm_id == NULL)
        return -1;
    n = snprintf(cn, sizeof(cn), "%s%s", vm_id, AZGEN_AK_CN_SUFFIX);
    if (n <= 0 || (size_t)n >= sizeof(cn))
        return -1;
    memset(&s, 0, sizeof(s));
    s.cn = cn;
    s.serial = 0x7E57A2E5C0DE0001ULL;
    s.not_before = not_before;
    s.not_after = not_after;
    s.subject_key = subject_key;
    s.issuer_key = pki->ca_key;
    s.issuer = pki->ca;
    s.digest = "SHA512"; /* as the Azure Cloud Virtual TPM CAs sign */
    s.pathlen = -1;
    s.ku = GEN_KU_DIGITAL_SIGNATURE;
    s.eku = eku_ak;
    s.eku_len = sizeof(eku_ak);
    s.policy = 1;
    return cert_issue(out, &s);
}

static int issue_cas(azgen_pki *p)
{
    cert_spec s;
    memset(&s, 0, sizeof(s));
    s.cn = "Test Azure Virtual TPM Root CA";
    s.root_dn = 1;
    s.serial = 1;
    s.not_before = AZGEN_T_2023_06_01;
    s.not_after = AZGEN_T_2048_06_01;
    s.subject_key = s.issuer_key = p->root_key;
    s.digest = "SHA384";
    s.ca = 1;
    s.pathlen = -1;
    s.ku = GEN_KU_DIGITAL_SIGNATURE | GEN_KU_KEY_CERT_SIGN | GEN_KU_CRL_SIGN;
    if (cert_issue(&p->root, &s) != 0)
        return -1;
    s.cn = "Test Azure Cloud Virtual TPM CA - 01";
    s.root_dn = 0;
    s.serial = 2;
    s.not_before = AZGEN_T_2025_01_01;
    s.not_after = AZGEN_T_2030_01_01;
    s.subject_key = p->ca_key;
    s.issuer = p->root;
    s.pathlen = 0;
    s.eku = eku_ca;
    s.eku_len = sizeof(eku_ca);
    return cert_issue(&p->ca, &s);
}

int azgen_pki_opts_init(azgen_pki_opts *o)
{
    if (o == NULL)
        return -1;
    memset(o, 0, sizeof(*o));
    o->ak_not_before = AZGEN_T_2025_01_01;
    o->ak_not_after = AZGEN_T_2026_01_01;
    return 0;
}

void azgen_pki_free(azgen_pki *p)
{
    if (p == NULL)
        return;
    EVP_PKEY_free(p->root_key);
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->ak_key);
    EVP_PKEY_free(p->ek_key);
    X509_free(p->root);
    X509_free(p->ca);
    X509_free(p->ak_cert);
    free(p);
}

int azgen_pki_generate(azgen_pki **out, const azgen_pki_opts *o)
{
    azgen_pki_opts def;
    unsigned bits;
    azgen_pki *p;
    if (out == NULL)
        return -1;
    if (o == NULL) {
        azgen_pki_opts_init(&def);
        o = &def;
    }
    bits = o->ca_rsa_bits != 0 ? o->ca_rsa_bits : 2048;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    if (snpgen_rsa_keygen(&p->root_key, bits) != 0 ||
        snpgen_rsa_keygen(&p->ca_key, bits) != 0 ||
        snpgen_rsa_keygen(&p->ak_key, 2048) != 0 ||
        snpgen_rsa_keygen(&p->ek_key, 2048) != 0 || issue_cas(p) != 0 ||
        azgen_ak_cert_issue(&p->ak_cert, p, p->ak_key,
                            o->vm_id ? o->vm_id : AZGEN_DEFAULT_VM_ID,
                            o->ak_not_before, o->ak_not_after) != 0) {
        azgen_pki_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

/* PEM of the certificates / public key, or DER of a certificate, as a file. */
static int save_bio(const char *dir, const char *name, BIO *bio)
{
    char *data = NULL;
    long n = bio != NULL ? BIO_get_mem_data(bio, &data) : -1;
    int rc = n >= 0 ? gen_write_file(dir, name, data, (size_t)n) : -1;
    BIO_free(bio);
    return rc;
}

static int save_chain(const char *dir, const azgen_pki *p)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL || PEM_write_bio_X509(b, p->ca) != 1 ||
        PEM_write_bio_X509(b, p->root) != 1) {
        BIO_free(b);
        return -1;
    }
    return save_bio(dir, "chain.pem", b);
}

static int save_pub(const char *dir, const char *name, EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL || PEM_write_bio_PUBKEY(b, k) != 1) {
        BIO_free(b);
        return -1;
    }
    return save_bio(dir, name, b);
}

static int save_der(const char *dir, const char *name, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL || i2d_X509_bio(b, x) != 1) {
        BIO_free(b);
        return -1;
    }
    return save_bio(dir, name, b);
}

/* The AK certificate as Azure's NV index 0x01C101D0 returns it: the DER
 * followed by zero padding (AT05), which a verifier must tolerate. */
#define AK_NV_PADDING 1024
static int save_nv(const char *dir, X509 *x)
{
    unsigned char *der = NULL;
    uint8_t *nv;
    int n = i2d_X509(x, &der), rc = -1;
    if (n > 0 && (nv = calloc(1, (size_t)n + AK_NV_PADDING)) != NULL) {
        memcpy(nv, der, (size_t)n);
        rc = gen_write_file(dir, "ak_nv.bin", nv, (size_t)n + AK_NV_PADDING);
        free(nv);
    }
    OPENSSL_free(der);
    return rc;
}

static int save_tpmt(const char *dir, EVP_PKEY *ak)
{
    uint8_t *t = NULL;
    size_t n = 0;
    int rc = azgen_tpmt_public(&t, &n, ak) == 0
                 ? gen_write_file(dir, "ak_tpmt_public.bin", t, n)
                 : -1;
    free(t);
    return rc;
}

int azgen_pki_save(const azgen_pki *p, const char *dir)
{
    if (p == NULL || dir == NULL || gen_make_dir(dir, NULL) != 0)
        return -1;
    if (gen_save_cert(dir, "root.pem", p->root) != 0 ||
        gen_save_key(dir, "root.key.pem", p->root_key) != 0 ||
        gen_save_cert(dir, "ca.pem", p->ca) != 0 ||
        gen_save_key(dir, "ca.key.pem", p->ca_key) != 0 ||
        save_chain(dir, p) != 0 ||
        gen_save_cert(dir, "ak.pem", p->ak_cert) != 0 ||
        save_der(dir, "ak.der", p->ak_cert) != 0 ||
        save_nv(dir, p->ak_cert) != 0 ||
        gen_save_key(dir, "ak.key.pem", p->ak_key) != 0 ||
        save_pub(dir, "ak_pub.pem", p->ak_key) != 0 ||
        save_tpmt(dir, p->ak_key) != 0 ||
        gen_save_key(dir, "ek.key.pem", p->ek_key) != 0 ||
        save_pub(dir, "ek_pub.pem", p->ek_key) != 0 ||
        gen_save_anchor(dir, "anchor.sha256", p->root) != 0)
        return -1;
    return 0;
}

int azgen_pki_load(azgen_pki **out, const char *dir)
{
    azgen_pki *p;
    if (out == NULL || dir == NULL)
        return -1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return -1;
    if (gen_load_key(&p->root_key, dir, "root.key.pem") != 0 ||
        gen_load_key(&p->ca_key, dir, "ca.key.pem") != 0 ||
        gen_load_key(&p->ak_key, dir, "ak.key.pem") != 0 ||
        gen_load_key(&p->ek_key, dir, "ek.key.pem") != 0 ||
        gen_load_cert(&p->root, dir, "root.pem") != 0 ||
        gen_load_cert(&p->ca, dir, "ca.pem") != 0 ||
        gen_load_cert(&p->ak_cert, dir, "ak.pem") != 0) {
        azgen_pki_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

/* ======================================================================== */
/* Runtime claims                                                           */

/* Characters a JSON string may hold without escaping. */
static int json_safe(const char *s)
{
    if (s == NULL)
        return 0;
    for (; *s != '\0'; s++)
        if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
            return 0;
    return 1;
}

/* One RSA parameter ("n" or "e") as base64url without padding. */
static void put_b64url_param(gen_buf *b, EVP_PKEY *k, const char *name)
{
    BIGNUM *bn = NULL;
    uint8_t *bin = NULL;
    unsigned char *txt = NULL;
    int n = -1, t = 0;
    if (EVP_PKEY_get_bn_param(k, name, &bn) == 1 && BN_num_bytes(bn) > 0 &&
        (bin = malloc((size_t)BN_num_bytes(bn))) != NULL)
        n = BN_bn2bin(bn, bin);
    if (n > 0 && (txt = malloc(4 * (((size_t)n + 2) / 3) + 1)) != NULL)
        t = EVP_EncodeBlock(txt, bin, n);
    if (t <= 0)
        b->err = 1;
    for (int i = 0; i < t && txt[i] != '='; i++)
        gen_buf_byte(b, txt[i] == '+' ? '-' : txt[i] == '/' ? '_' : txt[i]);
    free(txt);
    free(bin);
    BN_free(bn);
}

static void put_jwk(gen_buf *b, const char *kid, const char *ops, EVP_PKEY *k)
{
    gen_buf_str(b, "{\"kid\":\"");
    gen_buf_str(b, kid);
    gen_buf_str(b, "\",\"key_ops\":[\"");
    gen_buf_str(b, ops);
    gen_buf_str(b, "\"],\"kty\":\"RSA\",\"e\":\"");
    put_b64url_param(b, k, OSSL_PKEY_PARAM_RSA_E);
    gen_buf_str(b, "\",\"n\":\"");
    put_b64url_param(b, k, OSSL_PKEY_PARAM_RSA_N);
    gen_buf_str(b, "\"}");
}

static void put_keys(gen_buf *b, const azgen_claims_desc *d)
{
    gen_buf_str(b, "\"keys\":[");
    if (d->ek != NULL && d->ek_first) {
        put_jwk(b, "HCLEkPub", "encrypt", d->ek);
        gen_buf_byte(b, ',');
    }
    put_jwk(b, d->ak_kid, d->ak_key_ops, d->ak);
    if (d->ek != NULL && !d->ek_first) {
        gen_buf_byte(b, ',');
        put_jwk(b, "HCLEkPub", "encrypt", d->ek);
    }
    gen_buf_byte(b, ']');
}

static void put_vm_config(gen_buf *b, const azgen_claims_desc *d)
{
    gen_buf_str(b, ",\"vm-configuration\":{");
    for (size_t i = 0; i < d->n_vm_config; i++) {
        const azgen_vm_config *c = &d->vm_config[i];
        gen_buf_str(b, i != 0 ? ",\"" : "\"");
        gen_buf_str(b, c->key);
        gen_buf_str(b, c->is_string ? "\":\"" : "\":");
        gen_buf_str(b, c->value);
        if (c->is_string)
            gen_buf_byte(b, '"');
    }
    gen_buf_byte(b, '}');
}

int azgen_claims_build(char **out, size_t *out_len,
                       const azgen_claims_desc *d)
{
    gen_buf b = {0};
    if (out == NULL || d == NULL || d->ak == NULL || !json_safe(d->ak_kid) ||
        !json_safe(d->ak_key_ops) || d->n_vm_config > AZGEN_MAX_VM_CONFIG)
        return -1;
    for (size_t i = 0; i < d->n_vm_config; i++)
        if (!json_safe(d->vm_config[i].key) ||
            !json_safe(d->vm_config[i].value))
            return -1;
    gen_buf_byte(&b, '{');
    put_keys(&b, d);
    put_vm_config(&b, d);
    if (d->has_user_data) {
        gen_buf_str(&b, ",\"user-data\":\"");
        gen_buf_hex(&b, d->user_data, sizeof(d->user_data), 1);
        gen_buf_byte(&b, '"');
    }
    gen_buf_byte(&b, '}');
    return gen_buf_finish(&b, out, out_len);
}

int azgen_claims_set_vm_config(azgen_claims_desc *d, const char *key,
                               const char *value, int is_string)
{
    size_t i;
    if (d == NULL || !json_safe(key) || !json_safe(value) || *key == '\0' ||
        (!is_string && *value == '\0'))
        return -1;
    for (i = 0; i < d->n_vm_config; i++)
        if (strcmp(d->vm_config[i].key, key) == 0)
            break;
    if (i == AZGEN_MAX_VM_CONFIG)
        return -1;
    if (i == d->n_vm_config)
        d->n_vm_config++;
    d->vm_config[i].key = key;
    d->vm_config[i].value = value;
    d->vm_config[i].is_string = is_string;
    return 0;
}

int azgen_claims_desc_init(azgen_claims_desc *d, EVP_PKEY *ak, EVP_PKEY *ek)
{
    if (d == NULL || ak == NULL)
        return -1;
    memset(d, 0, sizeof(*d));
    d->ak = ak;
    d->ek = ek;
    d->ak_kid = "HCLAkPub";
    d->ak_key_ops = "sign";
    d->has_user_data = 1;
    /* the members and order of a 2025 Azure CVM (AT01, S09) */
    azgen_claims_set_vm_config(d, "console-enabled", "true", 0);
    azgen_claims_set_vm_config(d, "root-cert-thumbprint",
                               "dGVzdC1yb290LWNlcnQtdGh1bWJwcmludC1hdHRlc3Q",
                               1);
    azgen_claims_set_vm_config(d, "secure-boot", "true", 0);
    azgen_claims_set_vm_config(d, "tpm-enabled", "true", 0);
    azgen_claims_set_vm_config(d, "tpm-persisted", "false", 0);
    azgen_claims_set_vm_config(d, "vmUniqueId",
                               "7E57A2E5-C0DE-4A77-8E57-000000000001", 1);
    return 0;
}

/* ======================================================================== */
/* vTPM quote                                                               */

void azgen_pcr_default(uint8_t out[AZGEN_PCR_LEN], unsigned index)
{
    uint8_t v = index <= 16 ? (uint8_t)(0xA0 + index)
                : index <= 22 ? 0xFF
                              : 0x00;
    memset(out, v, AZGEN_PCR_LEN);
}

#define TPM_ALG_RSA 0x0001u
#define TPM_ALG_NULL 0x0010u
#define TPM_ALG_RSASSA 0x0014u
/* fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted
 * | sign: the AK template of Azure's vTPM */
#define AZURE_AK_ATTRIBUTES 0x00050072u

int azgen_tpmt_public(uint8_t **out, size_t *out_len, EVP_PKEY *ak)
{
    gen_buf b = {0};
    BIGNUM *n = NULL, *e = NULL;
    uint8_t mod[1024];
    int nlen = -1;
    if (out == NULL || ak == NULL)
        return -1;
    if (EVP_PKEY_get_bn_param(ak, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
        EVP_PKEY_get_bn_param(ak, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
        BN_num_bytes(n) <= (int)sizeof(mod) && BN_num_bits(e) <= 32)
        nlen = BN_bn2bin(n, mod);
    if (nlen > 0) {
        put_be16(&b, TPM_ALG_RSA);
        put_be16(&b, AZGEN_TPM_ALG_SHA256); /* nameAlg */
        put_be32(&b, AZURE_AK_ATTRIBUTES);
        put_be16(&b, 0); /* authPolicy: empty */
        put_be16(&b, TPM_ALG_NULL); /* symmetric */
        put_be16(&b, TPM_ALG_RSASSA);
        put_be16(&b, AZGEN_TPM_ALG_SHA256);
        put_be16(&b, (uint16_t)BN_num_bits(n));
        /* 0 stands for the default exponent 65537 */
        put_be32(&b, BN_get_word(e) == 65537 ? 0 : (uint32_t)BN_get_word(e));
        put_be16(&b, (uint16_t)nlen);
        gen_buf_put(&b, mod, (size_t)nlen);
    } else {
        b.err = 1;
    }
    BN_free(n);
    BN_free(e);
    return gen_buf_finish(&b, out, out_len);
}

int azgen_tpm_name(uint8_t out[AZGEN_TPM_NAME_LEN], EVP_PKEY *ak)
{
    uint8_t *t = NULL, name[AZGEN_TPM_NAME_LEN];
    size_t n = 0;
    int rc = -1;
    if (out == NULL || azgen_tpmt_public(&t, &n, ak) != 0)
        return -1;
    name[0] = 0x00;
    name[1] = 0x0B;
    if (sha("SHA256", name + 2, t, n) == 0) {
        memcpy(out, name, sizeof(name));
        rc = 0;
    }
    free(t);
    return rc;
}

int azgen_quote_desc_init(azgen_quote_desc *d, EVP_PKEY *ak)
{
    azgen_quote_desc q;
    memset(&q, 0, sizeof(q));
    if (d == NULL || azgen_tpm_name(q.signer, ak) != 0)
        return -1;
    q.magic = AZGEN_TPM_MAGIC;
    q.type = AZGEN_TPM_ST_ATTEST_QUOTE;
    q.clock = 0x15256785u; /* the clockInfo of AT01's quote */
    q.reset_count = 1;
    q.restart_count = 0;
    q.safe = 1;
    q.firmware_version = AZGEN_TPM_FIRMWARE_VERSION;
    q.bank = AZGEN_TPM_ALG_SHA256;
    q.selection = (1u << AZGEN_PCR_COUNT) - 1;
    for (unsigned i = 0; i < AZGEN_PCR_COUNT; i++)
        azgen_pcr_default(q.pcrs[i], i);
    *d = q;
    return 0;
}

/* One PCR number or range "a-b" of a list. */
static int pcr_range(uint32_t *sel, const char *s, const char *end)
{
    unsigned long lo, hi;
    char *p;
    if (s == end || *s < '0' || *s > '9')
        return -1;
    lo = strtoul(s, &p, 10);
    hi = lo;
    if (p < end && *p == '-') {
        if (p + 1 == end || p[1] < '0' || p[1] > '9')
            return -1;
        hi = strtoul(p + 1, &p, 10);
    }
    if (p != end || lo > hi || hi >= AZGEN_PCR_COUNT)
        return -1;
    for (unsigned long i = lo; i <= hi; i++)
        *sel |= 1u << i;
    return 0;
}

int azgen_pcr_list_parse(uint32_t *out, const char *s)
{
    uint32_t sel = 0;
    if (out == NULL || s == NULL)
        return -1;
    for (;;) {
        const char *comma = strchr(s, ',');
        const char *end = comma != NULL ? comma : s + strlen(s);
        if (pcr_range(&sel, s, end) != 0)
            return -1;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    *out = sel;
    return 0;
}

int azgen_quote_pcr_values(uint8_t **out, size_t *out_len,
                           const azgen_quote_desc *d)
{
    gen_buf b = {0};
    if (out == NULL || out_len == NULL || d == NULL)
        return -1;
    for (unsigned i = 0; i < AZGEN_PCR_COUNT; i++)
        if (d->selection & (1u << i))
            gen_buf_put(&b, d->pcrs[i], AZGEN_PCR_LEN);
    if (b.len == 0 && !b.err) { /* empty selection */
        gen_buf_free(&b);
        *out = NULL;
        *out_len = 0;
        return 0;
    }
    return gen_buf_finish(&b, out, out_len);
}

static void put_quote_info(gen_buf *b, const azgen_quote_desc *d,
                           azgen_quote_layout *l)
{
    uint8_t *vals = NULL, digest[32];
    size_t n = 0;
    l->selection_off = b->len;
    put_be32(b, 1); /* one bank */
    put_be16(b, d->bank);
    gen_buf_byte(b, 3); /* sizeofSelect: PCRs 0..23 */
    for (unsigned i = 0; i < 3; i++)
        gen_buf_byte(b, (uint8_t)(d->selection >> (8 * i)));
    l->digest_off = b->len;
    if (azgen_quote_pcr_values(&vals, &n, d) != 0 ||
        sha("SHA256", digest, vals, n) != 0)
        b->err = 1;
    put_be16(b, sizeof(digest));
    gen_buf_put(b, digest, sizeof(digest));
    free(vals);
}

int azgen_quote_build(uint8_t **out, size_t *out_len, azgen_quote_layout *l,
                      const azgen_quote_desc *d)
{
    gen_buf b = {0};
    azgen_quote_layout lay;
    if (out == NULL || d == NULL || d->nonce_len > AZGEN_NONCE_MAX)
        return -1;
    put_be32(&b, d->magic);
    put_be16(&b, d->type);
    put_be16(&b, AZGEN_TPM_NAME_LEN);
    gen_buf_put(&b, d->signer, AZGEN_TPM_NAME_LEN);
    lay.extra_data_off = b.len;
    put_be16(&b, (uint16_t)d->nonce_len);
    gen_buf_put(&b, d->nonce, d->nonce_len);
    lay.clock_off = b.len;
    put_be64(&b, d->clock);
    put_be32(&b, d->reset_count);
    put_be32(&b, d->restart_count);
    gen_buf_byte(&b, d->safe);
    lay.firmware_off = b.len;
    put_be64(&b, d->firmware_version);
    put_quote_info(&b, d, &lay);
    lay.len = b.len;
    if (gen_buf_finish(&b, out, out_len) != 0)
        return -1;
    if (l != NULL)
        *l = lay;
    return 0;
}

int azgen_quote_sign(uint8_t **out, size_t *out_len, const uint8_t *msg,
                     size_t len, EVP_PKEY *key)
{
    EVP_MD_CTX *md = NULL;
    uint8_t *sig = NULL;
    size_t n = 0;
    int ok = 0;
    if (out == NULL || out_len == NULL || msg == NULL || key == NULL ||
        gen_sign_ctx(&md, key, "SHA256") != 0)
        return -1;
    if (EVP_DigestSign(md, NULL, &n, msg, len) == 1 &&
        (sig = malloc(n)) != NULL &&
        EVP_DigestSign(md, sig, &n, msg, len) == 1)
        ok = 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        free(sig);
        return -1;
    }
    *out = sig;
    *out_len = n;
    return 0;
}

int azgen_quote_verify(const uint8_t *sig, size_t sig_len, const uint8_t *msg,
                       size_t len, EVP_PKEY *key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && sig != NULL && msg != NULL && key != NULL &&
             EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, key,
                                     NULL) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}
