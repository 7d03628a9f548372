/* The decoded key set behind jws.h, shared by jws_keyset.c (decoding) and
 * jws.c (selection and verification). Not installed. */
#ifndef ATTEST_JWS_KEYSET_H
#define ATTEST_JWS_KEYSET_H

#include "jws.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#define JWS_KEYSET_MAX_BYTES (1u << 20) /* a JWKS or PEM text */
#define JWS_KEYSET_MAX_KEYS 256
#define JWS_X5C_MAX 10                  /* certificates in one key's x5c */
#define JWS_RSA_MIN_BITS 2048
#define JWS_RSA_MAX_BITS 16384          /* bounds the cost of one verify */

typedef enum jws_kty { JWS_KTY_P256, JWS_KTY_P384, JWS_KTY_RSA } jws_kty;

typedef struct jws_key {
    char *kid;           /* NULL for a PEM key */
    char *alg;           /* the JWK's alg, or NULL: any alg of its type */
    jws_kty kty;
    EVP_PKEY *pkey;
    STACK_OF(X509) *x5c; /* x5c (JWKS) or the certificate (PEM); may be NULL */
} jws_key;

struct jws_keyset {
    jws_key *keys;
    size_t count;
    bool from_pem; /* no kids: a single key matches any kid */
};

/* Whether `alg` is a JWS algorithm of key type `kty` that libattest
 * verifies (ES256 for P-256, ES384 for P-384, RS and PS 256/384/512 for
 * RSA). */
ATTEST_HIDDEN bool jws_alg_fits(const char *alg, jws_kty kty);

#endif
