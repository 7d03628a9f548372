/* lib/base/der_cache.c: parsed objects are shared only for identical bytes. */
#include "testutil.h"
#include "base/der_cache.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

/* A self-signed P-256 certificate as DER. */
static unsigned char *cert_der(int *len)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    cr_assert(k && x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 11);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"der cache", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, k);
    cr_assert(X509_sign(x, k, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    *len = i2d_X509(x, &der);
    cr_assert(*len > 0);
    X509_free(x);
    EVP_PKEY_free(k);
    return der;
}

Test(der_cache, shares_only_identical_bytes)
{
    int n = 0;
    unsigned char *der = cert_der(&n);
    size_t used = 0, used2 = 0;
    X509 *a = attest_der_x509(der, (size_t)n, &used);
    X509 *b = attest_der_x509(der, (size_t)n, &used2);
    cr_assert(a && b);
    cr_expect_eq(a, b, "identical bytes share one parsed certificate");
    cr_expect_eq(used, (size_t)n);
    cr_expect_eq(used2, (size_t)n);
    /* the last byte of the signature changed: parsed anew, its own bytes */
    unsigned char *other = OPENSSL_memdup(der, (size_t)n);
    other[n - 1] ^= 0x01;
    X509 *c = attest_der_x509(other, (size_t)n, &used);
    cr_assert(c);
    cr_expect_neq(c, a);
    unsigned char *enc = NULL;
    int m = i2d_X509(c, &enc);
    cr_expect(m == n && memcmp(enc, other, (size_t)n) == 0, "the changed certificate's own bytes");
    cr_expect_neq(X509_verify(c, X509_get0_pubkey(a)), 1, "its signature does not verify");
    cr_expect_eq(X509_verify(a, X509_get0_pubkey(a)), 1);
    /* trailing bytes: another key, the same certificate length consumed */
    unsigned char *padded = OPENSSL_zalloc((size_t)n + 4);
    memcpy(padded, der, (size_t)n);
    X509 *d = attest_der_x509(padded, (size_t)n + 4, &used);
    cr_assert(d);
    cr_expect_eq(used, (size_t)n);
    /* not a certificate: nothing, nothing remembered */
    cr_expect_null(attest_der_x509((const uint8_t *)"garbage", 7, &used));
    cr_expect_eq(used, 0);
    cr_expect_null(attest_der_crl(der, (size_t)n, &used), "a certificate is no CRL");
    attest_der_cache_clear();
    X509 *e = attest_der_x509(der, (size_t)n, &used);
    cr_assert(e);
    cr_expect_eq(X509_cmp(e, a), 0);
    OPENSSL_free(enc);
    OPENSSL_free(padded);
    OPENSSL_free(other);
    OPENSSL_free(der);
    X509_free(a);
    X509_free(b);
    X509_free(c);
    X509_free(d);
    X509_free(e);
}

Test(der_cache, p256_keys_only_for_points_on_the_curve)
{
    uint8_t xy[64] = {0};
    cr_expect_null(attest_p256_key_cached(xy), "(0, 0) is no P-256 point");
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t pt[65];
    size_t len = 0;
    cr_assert(EVP_PKEY_get_octet_string_param(k, "encoded-pub-key", pt, sizeof pt, &len) == 1 &&
              len == 65);
    memcpy(xy, pt + 1, 64);
    EVP_PKEY *a = attest_p256_key_cached(xy), *b = attest_p256_key_cached(xy);
    cr_assert(a && b);
    cr_expect_eq(a, b);
    cr_expect_eq(EVP_PKEY_eq(a, k), 1);
    xy[63] ^= 0x01; /* almost surely off the curve; never the cached key */
    EVP_PKEY *c = attest_p256_key_cached(xy);
    cr_expect(c == NULL || c != a);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(c);
    EVP_PKEY_free(k);
}
