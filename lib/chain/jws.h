/* Signed results of other verifiers (NRAS, Intel Trust Authority, Azure
 * Attestation): JWS compact tokens checked against a key set the caller
 * supplies (a JWKS, or certificates), with OpenSSL. Only the signature,
 * the key choice and the registered claims (iss, exp, nbf, iat) are judged
 * here; what the claims mean is lib/appraise/results_*.c. The key set is
 * trusted as given (the caller chose it); a JWK's x5c, when present, must
 * hold the same key and chain at the instant. docs/results.md. */
#ifndef ATTEST_JWS_H
#define ATTEST_JWS_H

#include "../base/base.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jws_keyset jws_keyset;

/* Decode a key set: JWKS JSON ({"keys": [...]}: EC P-256/P-384 (x, y),
 * RSA (n, e) or x5c only, the key then taken from x5c[0]), or PEM text of
 * one or more certificates / public keys. Every key is decoded here, once;
 * a key that cannot be used is ATTEST_E_KEYSET_MALFORMED naming its index
 * and kid. *out owned by the caller (jws_keyset_free). Immutable after:
 * safe to share between threads. */
ATTEST_HIDDEN int jws_keyset_parse(const uint8_t *p, size_t n, jws_keyset **out);
ATTEST_HIDDEN void jws_keyset_free(jws_keyset *ks);

/* What a token must satisfy besides its signature. */
typedef struct jws_rules {
    const char *const *algs; /* NULL-terminated allow-list ("ES384", "PS384",
                                "RS256"): anything else, none and HS* refused */
    const char *issuer;      /* exact `iss` required; NULL is refused */
    int64_t at;              /* verification instant (Unix seconds) */
    int64_t skew;            /* seconds of clock skew allowed on exp/nbf/iat */
    bool require_exp;        /* a token without exp is refused */
} jws_rules;

/* Verify the compact JWS `token` (`len` bytes, no NUL needed) with the key
 * of `ks` selected by the header's (kid, alg): alg on the rules' list and,
 * where the JWK names an alg, that alg; a kid absent, unknown, or naming
 * keys that disagree is refused. Then iss == rules->issuer, exp/nbf/iat
 * against rules->at +- skew, and the key's x5c chain (when it has one) at
 * rules->at. On ATTEST_OK, *header and *claims are the decoded JSON
 * objects (caller json_decref()s; either out pointer may be NULL).
 * Errors: ATTEST_E_TOKEN_MALFORMED (not three strict base64url parts, not
 * JSON objects, a duplicate member, crit present), ATTEST_E_TOKEN_ALG,
 * ATTEST_E_TOKEN_KID, ATTEST_E_TOKEN_SIGNATURE, ATTEST_E_TOKEN_ISSUER,
 * ATTEST_E_TOKEN_EXPIRED, ATTEST_E_KEYSET_CERT, ATTEST_E_NOMEM; the detail
 * (attest_error_last) names the header member or claim. Thread-safe. */
ATTEST_HIDDEN int jws_verify(const char *token, size_t len, const jws_keyset *ks,
                             const jws_rules *rules, json_t **header, json_t **claims);

#endif
