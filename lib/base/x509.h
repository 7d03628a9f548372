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

/* DER bytes that must hold exactly one SEQUENCE (OF ANY), nothing after
 * it; NULL otherwise. Free with attest_asn1_seq_free. */
ATTEST_HIDDEN STACK_OF(ASN1_TYPE) *attest_asn1_seq(const unsigned char *der, long len);

/* The elements of an ASN1_TYPE of type SEQUENCE (its value holds the
 * whole encoding, tag included); NULL for any other type. */
ATTEST_HIDDEN STACK_OF(ASN1_TYPE) *attest_asn1_type_seq(const ASN1_TYPE *t);

ATTEST_HIDDEN void attest_asn1_seq_free(STACK_OF(ASN1_TYPE) *s);

#endif
