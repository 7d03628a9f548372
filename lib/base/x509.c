/* Certificate helpers every chain uses (x509.h). */
#include "x509.h"
#include "crypto.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int attest_asn1_time_to_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return -1;
    *out = attest_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                           (unsigned)tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return 0;
}

int attest_spki_sha256(X509 *cert, uint8_t out[32])
{
    unsigned char *der = NULL;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    if (len <= 0)
        return -1;
    attest_sha256(out, der, (size_t)len);
    OPENSSL_free(der);
    return 0;
}

void attest_cert_cn(X509 *cert, char *out, size_t n)
{
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, out,
                                  (int)n) <= 0)
        snprintf(out, n, "(no CN)");
}

void attest_cert_serial_hex(X509 *cert, char *out, size_t n)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    snprintf(out, n, "%s", hex ? hex : "?");
    OPENSSL_free(hex);
    BN_free(bn);
}

bool attest_is_self_signed(X509 *cert)
{
    return X509_check_issued(cert, cert) == X509_V_OK;
}

int attest_cert_validity(X509 *cert, int64_t *not_before, int64_t *not_after)
{
    if (attest_asn1_time_to_unix(X509_get0_notBefore(cert), not_before) != 0 ||
        attest_asn1_time_to_unix(X509_get0_notAfter(cert), not_after) != 0)
        return -1;
    return 0;
}

STACK_OF(X509) *attest_pem_certs(const uint8_t *pem, size_t len)
{
    return attest_pem_certs_memo(pem, len, NULL);
}

int attest_x509_memo_key(uint8_t out[32], const uint8_t *der, size_t len)
{
    attest_sha256(out, der, len);
    return 0;
}

X509 *attest_x509_memo_get(const attest_x509_memo *m, const uint8_t key[32])
{
    for (size_t i = 0; m && i < m->count; i++)
        if (memcmp(m->entries[i].sha256, key, 32) == 0)
            return X509_up_ref(m->entries[i].cert) == 1 ? m->entries[i].cert : NULL;
    return NULL;
}

int attest_x509_memo_put(attest_x509_memo *m, const uint8_t key[32], X509 *cert)
{
    attest_x509_memo_entry *grown = realloc(m->entries, (m->count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    m->entries = grown;
    if (X509_up_ref(cert) != 1)
        return -1;
    memcpy(grown[m->count].sha256, key, 32);
    grown[m->count++].cert = cert;
    return 0;
}

void attest_x509_memo_truncate(attest_x509_memo *m, size_t count)
{
    while (m->count > count)
        X509_free(m->entries[--m->count].cert);
}

void attest_x509_memo_free(attest_x509_memo *m)
{
    if (!m)
        return;
    attest_x509_memo_truncate(m, 0);
    free(m->entries);
    m->entries = NULL;
}

/* One certificate from DER bytes, as PEM_read_bio_X509 decodes a block
 * (trailing bytes ignored): from the memo when it holds these bytes. */
static X509 *memo_d2i(const attest_x509_memo *m, const unsigned char *der, long len)
{
    uint8_t key[32];
    X509 *cert = m && attest_x509_memo_key(key, der, (size_t)len) == 0
                     ? attest_x509_memo_get(m, key) : NULL;
    const unsigned char *p = der;
    return cert ? cert : d2i_X509(NULL, &p, len);
}

STACK_OF(X509) *attest_pem_certs_memo(const uint8_t *pem, size_t len, const attest_x509_memo *m)
{
    errno = 0;
    STACK_OF(X509) *certs = sk_X509_new_null();
    BIO *bio = certs && len <= INT32_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
    unsigned char *der = NULL;
    long der_len = 0;
    /* PEM_read_bio_X509's reading: blocks named as certificates, the
     * others skipped, the first undecodable one ends the list. */
    while (bio && PEM_bytes_read_bio(&der, &der_len, NULL, PEM_STRING_X509, bio, NULL, NULL)) {
        X509 *c = memo_d2i(m, der, der_len);
        OPENSSL_free(der);
        der = NULL;
        if (!c)
            break;
        if (!sk_X509_push(certs, c)) {
            X509_free(c);
            break;
        }
    }
    /* The end of the text, or memory ran out: then a certificate may be
     * missing, or decoded without its key (OpenSSL keeps it): none. */
    if (attest_alloc_failed()) {
        sk_X509_pop_free(certs, X509_free);
        certs = NULL;
    }
    BIO_free(bio);
    return certs;
}

STACK_OF(ASN1_TYPE) *attest_asn1_seq(const unsigned char *der, long len)
{
    const unsigned char *p = der;
    if (!der || len <= 0)
        return NULL;
    STACK_OF(ASN1_TYPE) *s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, len);
    if (s && p != der + len) {
        attest_asn1_seq_free(s);
        return NULL;
    }
    return s;
}

STACK_OF(ASN1_TYPE) *attest_asn1_type_seq(const ASN1_TYPE *t)
{
    if (!t || t->type != V_ASN1_SEQUENCE || !t->value.sequence)
        return NULL;
    return attest_asn1_seq(ASN1_STRING_get0_data(t->value.sequence),
                           ASN1_STRING_length(t->value.sequence));
}

void attest_asn1_seq_free(STACK_OF(ASN1_TYPE) *s)
{
    sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
}
