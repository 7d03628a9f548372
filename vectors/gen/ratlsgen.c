/* Mock RA-TLS certificates (ratlsgen.h): claims and tagged evidence are
 * CBOR written by hand (a generator may write what a verifier must not
 * accept), the quote comes from dcapgen, the certificate from OpenSSL. */
#include "ratlsgen.h"
#include "gencommon.h"

#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TCG_OID "2.23.133.5.4.9"

/* A CBOR head: major type and argument, shortest form. */
static void cbor_head(gen_buf *b, unsigned major, uint64_t v)
{
    uint8_t m = (uint8_t)(major << 5);
    if (v < 24) {
        gen_buf_byte(b, m | (uint8_t)v);
        return;
    }
    int n = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
    gen_buf_byte(b, m | (uint8_t)(n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27));
    for (int i = n - 1; i >= 0; i--)
        gen_buf_byte(b, (uint8_t)(v >> (8 * i)));
}

static void cbor_bytes(gen_buf *b, unsigned major, const void *d, size_t n)
{
    cbor_head(b, major, n);
    gen_buf_put(b, d, n);
}

static int spki_sha256(EVP_PKEY *key, uint8_t out[32])
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    int ok = n > 0 && SHA256(der, (size_t)n, out) != NULL;
    OPENSSL_free(der);
    return ok ? 0 : -1;
}

/* {"pubkey-hash": bstr([1, SHA-256(SPKI of bound)]), "nonce": bstr?} */
static int make_claims(gen_buf *claims, EVP_PKEY *bound, const ratlsgen_opts *o)
{
    uint8_t h[32];
    gen_buf inner = {0};
    if (spki_sha256(bound, h) != 0)
        return -1;
    cbor_head(&inner, 4, 2);
    cbor_head(&inner, 0, 1);
    cbor_bytes(&inner, 2, h, sizeof h);
    cbor_head(claims, 5, (o->no_key_hash ? 0 : 1) + (o->nonce ? 1 : 0));
    if (!o->no_key_hash) {
        cbor_bytes(claims, 3, "pubkey-hash", 11);
        cbor_bytes(claims, 2, inner.p, inner.len);
    }
    if (o->nonce) {
        cbor_bytes(claims, 3, "nonce", 5);
        cbor_bytes(claims, 2, o->nonce, o->nonce_len);
    }
    gen_buf_free(&inner);
    return claims->err ? -1 : 0;
}

/* A quote of the PKI whose REPORT_DATA is rd. */
static int make_quote(uint8_t **q, size_t *len, const dcapgen_pki *pki, const uint8_t rd[64],
                      const ratlsgen_opts *o)
{
    dcapgen_quote_desc *d = calloc(1, sizeof *d);
    EVP_PKEY *att = NULL;
    int rc = -1;
    if (d && dcapgen_p256_keygen(&att) == 0 &&
        dcapgen_quote_desc_init(d, pki, !o->sgx, 0, 0) == 0) {
        memcpy(d->body + (o->sgx ? DCAPGEN_RPT_OFF_REPORTDATA : DCAPGEN_TD_OFF_REPORTDATA), rd,
               64);
        if (o->debug) /* SGX ATTRIBUTES.DEBUG is bit 1; TDX TD_ATTRIBUTES bit 0 */
            d->body[o->sgx ? 48 : DCAPGEN_TD_OFF_TD_ATTRIBUTES] |= o->sgx ? 0x02 : 0x01;
        d->att_key = att;
        rc = dcapgen_quote_build(q, len, NULL, d);
    }
    EVP_PKEY_free(att);
    free(d);
    return rc;
}

/* tag(60000) [quote, claims] plus any trailing bytes asked for. */
static int make_evidence(gen_buf *ev, const dcapgen_pki *pki, EVP_PKEY *bound,
                         const ratlsgen_opts *o)
{
    gen_buf claims = {0};
    uint8_t rd[64] = {0}, *q = NULL;
    size_t qlen = 0;
    int rc = make_claims(&claims, bound, o);
    if (rc == 0 && SHA256(claims.p, claims.len, rd) == NULL)
        rc = -1;
    if (rc == 0)
        rc = make_quote(&q, &qlen, pki, rd, o);
    if (rc == 0) {
        cbor_head(ev, 6, o->tag ? o->tag : 60000);
        cbor_head(ev, 4, 2);
        cbor_bytes(ev, 2, q, qlen);
        cbor_bytes(ev, 2, claims.p, claims.len);
        for (size_t i = 0; i < o->trailing; i++)
            gen_buf_byte(ev, 0);
        rc = ev->err ? -1 : 0;
    }
    free(q);
    gen_buf_free(&claims);
    return rc;
}

static int add_evidence_ext(X509 *x, const gen_buf *ev, int times)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(TCG_OID, 1);
    ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e = NULL;
    int ok = oid && v && ASN1_OCTET_STRING_set(v, ev->p, (int)ev->len) &&
             (e = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, v)) != NULL;
    for (int i = 0; ok && i < times; i++)
        ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(v);
    ASN1_OBJECT_free(oid);
    return ok ? 0 : -1;
}

static int self_signed(X509 **out, EVP_PKEY *key, const gen_buf *ev, const ratlsgen_opts *o)
{
    X509 *x = X509_new();
    X509_NAME *name = NULL;
    int64_t now = (int64_t)time(NULL);
    int rc = x && gen_set_serial_u64(x, 1) == 0 &&
                     gen_name_build(&name, "attest-mock RA-TLS", NULL, 0, 1) == 0 &&
                     gen_cert_set_body(x, name, now - 3600, now + 86400, key, NULL) == 0 &&
                     add_evidence_ext(x, ev, o->second_ext ? 2 : 1) == 0 &&
                     X509_sign(x, key, EVP_sha256()) > 0
                 ? 0
                 : -1;
    if (rc != 0)
        X509_free(x);
    else
        *out = x;
    return rc;
}

int ratlsgen_cert(X509 **cert, EVP_PKEY **key, const dcapgen_pki *pki, const ratlsgen_opts *o)
{
    EVP_PKEY *other = NULL;
    gen_buf ev = {0};
    *cert = NULL;
    *key = NULL;
    int rc = dcapgen_p256_keygen(key);
    if (rc == 0 && o->bind_other_key)
        rc = dcapgen_p256_keygen(&other);
    if (rc == 0)
        rc = make_evidence(&ev, pki, other ? other : *key, o);
    if (rc == 0)
        rc = self_signed(cert, *key, &ev, o);
    if (rc != 0) {
        EVP_PKEY_free(*key);
        *key = NULL;
    }
    EVP_PKEY_free(other);
    gen_buf_free(&ev);
    return rc;
}

/* ---- SEV-SNP (Enarx Steward's extension) -------------------------------- */

#define STEWARD_SNP_OID "1.3.6.1.4.1.58270.1.3"
#define KDS_MILAN_CRL "https://kdsintf.amd.com/vcek/v1/Milan/crl"

static int spki_sha384(EVP_PKEY *key, uint8_t out[48])
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    int ok = n > 0 && SHA384(der, (size_t)n, out) != NULL;
    OPENSSL_free(der);
    return ok ? 0 : -1;
}

/* A report of the PKI, signed by its VCEK, binding `bound`'s key. */
static int snp_report(uint8_t report[SNPGEN_REPORT_SIZE], const snpgen_pki *pki,
                      EVP_PKEY *bound, const ratlsgen_snp_opts *o)
{
    uint8_t rd[SNPGEN_LEN_REPORT_DATA] = {0};
    if (snpgen_report_init(report, pki, 3) != 0 || spki_sha384(bound, rd) != 0)
        return -1;
    memcpy(report + SNPGEN_OFF_REPORT_DATA, rd, sizeof rd);
    if (o->debug)
        snpgen_put_u64(report + SNPGEN_OFF_POLICY, SNPGEN_POLICY_DEFAULT | SNPGEN_POLICY_DEBUG);
    return snpgen_report_sign(report, pki->vcek_key);
}

/* SEQ{ SEQ{ url, CRL } } of what the options carry (possibly empty). */
static int snp_crl_list(gen_buf *list, const snpgen_pki *pki, const ratlsgen_snp_opts *o)
{
    X509_CRL *forged = NULL;
    const X509_CRL *crl = pki->crl;
    if (o->bad_crl && snpgen_crl_create(&forged, pki->ark, pki->ask_key, SNPGEN_T_2025_01_01,
                                        SNPGEN_T_2030_01_01, NULL, 0) != 0)
        return -1;
    if (forged)
        crl = forged;
    gen_buf entry = {0}, entries = {0};
    unsigned char *der = NULL;
    int n = o->no_crl ? 0 : i2d_X509_CRL(crl, &der);
    if (n > 0) {
        gen_der_tlv(&entry, 0x0C, (const uint8_t *)KDS_MILAN_CRL, strlen(KDS_MILAN_CRL));
        gen_buf_put(&entry, der, (size_t)n);
        gen_der_wrap(&entries, 0x30, &entry);
    }
    gen_der_wrap(list, 0x30, &entries);
    int rc = n < 0 || list->err ? -1 : 0;
    OPENSSL_free(der);
    X509_CRL_free(forged);
    gen_buf_free(&entry);
    gen_buf_free(&entries);
    return rc;
}

/* The extension's value: SEQ{ SEQ{ vcek, SEQ{ list } }, OCTET STRING report }. */
static int snp_evidence(gen_buf *ev, const snpgen_pki *pki, EVP_PKEY *bound,
                        const ratlsgen_snp_opts *o)
{
    uint8_t report[SNPGEN_REPORT_SIZE];
    gen_buf list = {0}, crls = {0}, crts = {0}, outer = {0};
    unsigned char *vcek = NULL;
    int n = i2d_X509(pki->vcek, &vcek);
    int rc = n > 0 && snp_report(report, pki, bound, o) == 0 && snp_crl_list(&list, pki, o) == 0
                 ? 0
                 : -1;
    if (rc == 0) {
        gen_buf_put(&crts, vcek, (size_t)n);
        gen_der_wrap(&crls, 0x30, &list);
        gen_buf_put(&crts, crls.p, crls.len);
        gen_der_wrap(&outer, 0x30, &crts);
        gen_der_tlv(&outer, 0x04, report, sizeof report);
        gen_der_wrap(ev, 0x30, &outer);
        for (size_t i = 0; i < o->trailing; i++)
            gen_buf_byte(ev, 0);
        rc = ev->err || crts.err || outer.err ? -1 : 0;
    }
    OPENSSL_free(vcek);
    gen_buf_free(&list);
    gen_buf_free(&crls);
    gen_buf_free(&crts);
    gen_buf_free(&outer);
    return rc;
}

/* The evidence extension, `times` times, into exts. */
static int snp_exts(STACK_OF(X509_EXTENSION) **exts, const gen_buf *ev, int times)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(STEWARD_SNP_OID, 1);
    ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e = NULL;
    int ok = oid && v && ASN1_OCTET_STRING_set(v, ev->p, (int)ev->len) &&
             (e = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, v)) != NULL &&
             (*exts = sk_X509_EXTENSION_new_null()) != NULL;
    for (int i = 0; ok && i < times; i++)
        ok = X509v3_add_ext(exts, e, -1) != NULL;
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(v);
    ASN1_OBJECT_free(oid);
    return ok ? 0 : -1;
}

static int snp_request(X509_REQ **out, EVP_PKEY *key, STACK_OF(X509_EXTENSION) *exts)
{
    X509_REQ *r = X509_REQ_new();
    int ok = r && X509_REQ_set_version(r, 0) && X509_REQ_set_pubkey(r, key) &&
             X509_REQ_add_extensions(r, exts) && X509_REQ_sign(r, key, EVP_sha384()) > 0;
    if (!ok)
        X509_REQ_free(r);
    else
        *out = r;
    return ok ? 0 : -1;
}

static int snp_certificate(X509 **out, EVP_PKEY *key, STACK_OF(X509_EXTENSION) *exts)
{
    X509 *x = X509_new();
    X509_NAME *name = NULL;
    int64_t now = (int64_t)time(NULL);
    int ok = x && gen_set_serial_u64(x, 1) == 0 &&
             gen_name_build(&name, "attest-mock RA-TLS SNP", NULL, 0, 1) == 0 &&
             gen_cert_set_body(x, name, now - 3600, now + 86400, key, NULL) == 0;
    for (int i = 0; ok && i < sk_X509_EXTENSION_num(exts); i++)
        ok = X509_add_ext(x, sk_X509_EXTENSION_value(exts, i), -1);
    if (!(ok = ok && X509_sign(x, key, EVP_sha384()) > 0))
        X509_free(x);
    else
        *out = x;
    return ok ? 0 : -1;
}

int ratlsgen_snp(X509 **cert, X509_REQ **req, EVP_PKEY **key, const snpgen_pki *pki,
                 const ratlsgen_snp_opts *o)
{
    EVP_PKEY *other = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    gen_buf ev = {0};
    *cert = NULL;
    *req = NULL;
    *key = NULL;
    int rc = snpgen_ec_p384_keygen(key);
    if (rc == 0 && o->bind_other_key)
        rc = snpgen_ec_p384_keygen(&other);
    if (rc == 0)
        rc = snp_evidence(&ev, pki, other ? other : *key, o);
    if (rc == 0)
        rc = snp_exts(&exts, &ev, o->second_ext ? 2 : 1);
    if (rc == 0)
        rc = o->csr ? snp_request(req, *key, exts) : snp_certificate(cert, *key, exts);
    if (rc != 0) {
        EVP_PKEY_free(*key);
        *key = NULL;
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    EVP_PKEY_free(other);
    gen_buf_free(&ev);
    return rc;
}
