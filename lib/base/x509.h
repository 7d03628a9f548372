/* Certificate helpers every chain uses: names, validity, key hashes,
 * ASN.1 times and PEM certificate lists. OpenSSL does the decoding. */
#ifndef ATTEST_X509_H
#define ATTEST_X509_H

#include "base.h"

#include <openssl/x509.h>

/* Convert an ASN1_TIME to Unix seconds. Returns 0 or -1. */
ATTEST_HIDDEN int attest_asn1_time_to_unix(const ASN1_TIME *t, int64_t *out);

/* SHA-256 of a certificate's DER SubjectPublicKeyInfo. Returns 0 or -1. */
ATTEST_HIDDEN int attest_spki_sha256(X509 *cert, uint8_t out[32]);

/* The subject CN of `cert` into out ("(no CN)" when it has none). */
ATTEST_HIDDEN void attest_cert_cn(X509 *cert, char *out, size_t n);

/* The serial number of `cert` as upper-case hex into out ("?" when it
 * cannot be converted). */
ATTEST_HIDDEN void attest_cert_serial_hex(X509 *cert, char *out, size_t n);

/* Whether `cert` is issued by itself (names and signature). */
ATTEST_HIDDEN bool attest_is_self_signed(X509 *cert);

/* notBefore and notAfter as Unix seconds. Returns 0 or -1. */
ATTEST_HIDDEN int attest_cert_validity(X509 *cert, int64_t *not_before, int64_t *not_after);

/* Every CERTIFICATE of the PEM text pem[0, len), in order (an empty stack
 * when there is none); NULL when out of memory. The caller frees with
 * sk_X509_pop_free(certs, X509_free). */
ATTEST_HIDDEN STACK_OF(X509) *attest_pem_certs(const uint8_t *pem, size_t len);

/* Certificates parsed once per owner (one attest_collateral): each object
 * kept under the SHA-256 of the exact bytes d2i_X509 decoded it from, so
 * the same bytes met again (the Intel root in every issuer chain and in
 * the quote's PCK chain) give the same object, not another parse (OpenSSL
 * 3.0 builds a key decoder per certificate: more than an ECDSA verify).
 * One byte different is another key, so another parse. Not locked: filled
 * while its owner is built, only read while verifications use it. */
typedef struct attest_x509_memo_entry {
    uint8_t sha256[32];
    X509 *cert;                 /* a reference of the memo's own */
} attest_x509_memo_entry;

typedef struct attest_x509_memo {
    attest_x509_memo_entry *entries;
    size_t count;
} attest_x509_memo;

/* The SHA-256 naming `der` in a memo. Returns 0 or -1. */
ATTEST_HIDDEN int attest_x509_memo_key(uint8_t out[32], const uint8_t *der, size_t len);
/* A new reference to the certificate parsed from the bytes named `key`,
 * or NULL (m may be NULL). */
ATTEST_HIDDEN X509 *attest_x509_memo_get(const attest_x509_memo *m, const uint8_t key[32]);
/* Remember `cert` (a reference is taken) under `key`. Returns 0 or -1. */
ATTEST_HIDDEN int attest_x509_memo_put(attest_x509_memo *m, const uint8_t key[32], X509 *cert);
/* Forget the entries after the first `count` (a refused item's). */
ATTEST_HIDDEN void attest_x509_memo_truncate(attest_x509_memo *m, size_t count);
ATTEST_HIDDEN void attest_x509_memo_free(attest_x509_memo *m);

/* attest_pem_certs, each block's certificate taken from `m` (may be NULL)
 * when the memo holds its exact DER bytes; m is only read. */
ATTEST_HIDDEN STACK_OF(X509) *attest_pem_certs_memo(const uint8_t *pem, size_t len,
                                                    const attest_x509_memo *m);

/* DER bytes that must hold exactly one SEQUENCE (OF ANY), nothing after
 * it; NULL otherwise. Free with attest_asn1_seq_free. */
ATTEST_HIDDEN STACK_OF(ASN1_TYPE) *attest_asn1_seq(const unsigned char *der, long len);

/* The elements of an ASN1_TYPE of type SEQUENCE (its value holds the
 * whole encoding, tag included); NULL for any other type. */
ATTEST_HIDDEN STACK_OF(ASN1_TYPE) *attest_asn1_type_seq(const ASN1_TYPE *t);

ATTEST_HIDDEN void attest_asn1_seq_free(STACK_OF(ASN1_TYPE) *s);

#endif
