/* Signature helpers shared by the vendor modules: evidence formats carry
 * raw big-endian r||s signatures and x||y public keys; OpenSSL wants DER
 * and EVP_PKEYs. */
#ifndef ATTEST_CRYPTO_H
#define ATTEST_CRYPTO_H

#include "base.h"

#include <openssl/evp.h>

/* OpenSSL's one-time initialisation (OPENSSL_init_crypto) and its default
 * provider, checked; called where the library starts (verifier, evidence,
 * collateral, token). Thread-safe. ATTEST_OK, ATTEST_E_INTERNAL (OpenSSL's
 * initialisation failed: final) or ATTEST_E_NOMEM (the provider did not
 * load this time). */
ATTEST_HIDDEN int attest_crypto_init(void);

/* A P-256 public key from raw big-endian x||y; checks the point is on the
 * curve. Returns 0 or -1. */
ATTEST_HIDDEN int attest_p256_key_from_raw(EVP_PKEY **out, const uint8_t xy[64]);

/* Verify a raw big-endian r||s signature (each `half` bytes) over `msg`
 * hashed with `md`. Returns 1 valid, 0 invalid, -2 out of memory (no
 * verdict), -1 other error. */
ATTEST_HIDDEN int attest_ecdsa_verify_raw(EVP_PKEY *key, const EVP_MD *md,
                                          const uint8_t *msg, size_t len,
                                          const uint8_t *rs, size_t half);

/* The same check with `verify`, an EVP_PKEY_CTX already initialised for
 * EVP_PKEY_verify with the ECDSA key (attest_cache_p256_verify_lend): the
 * message hashed with `md` (a fetched one: attest_md_sha256), the digest
 * verified. Builds no key and fetches no algorithm, so threads verifying
 * with one key take none of OpenSSL's process-wide locks (EVP_DigestVerify
 * Init takes about forty read locks). Returns 1 valid, 0 invalid, -1 on
 * error; `verify` is used by one thread at a time and is left as it was
 * (ready for the next verify: the cache lends it again). */
ATTEST_HIDDEN int attest_ecdsa_verify_raw_pctx(EVP_PKEY_CTX *verify, const EVP_MD *md,
                                               const uint8_t *msg, size_t len,
                                               const uint8_t *rs, size_t half);

/* Sign `msg` hashed with `md` and write the signature as raw big-endian
 * r||s, each `half` bytes, into rs[2 * half] (JWS ES256/ES384). Returns 0
 * or -1. */
ATTEST_HIDDEN int attest_ecdsa_sign_raw(EVP_PKEY *key, const EVP_MD *md, const uint8_t *msg,
                                        size_t len, uint8_t *rs, size_t half);
/* The same through the verifier's cache: a signature that verified once
 * over the same bytes with the same key is not verified again. */
struct attest_chain_cache;
ATTEST_HIDDEN int attest_ecdsa_verify_raw_cached(struct attest_chain_cache *cache,
                                                 EVP_PKEY *key, const EVP_MD *md,
                                                 const uint8_t *msg, size_t len,
                                                 const uint8_t *rs, size_t half);

/* SHA-256 and SHA-384 fetched once per process (md.c): use them where a
 * digest is computed on every verification, instead of EVP_sha256(), which
 * OpenSSL 3.0 fetches again, under process-wide locks, at each use. */
ATTEST_HIDDEN const EVP_MD *attest_md_sha256(void);
ATTEST_HIDDEN const EVP_MD *attest_md_sha384(void);

/* SHA-256 of `len` bytes, or of `n` parts each preceded by its length as
 * 8 bytes (so that parts cannot run together: cache keys), with OpenSSL's
 * SHA-256 itself (md.c): no context allocated, no provider looked up, no
 * reference count written. Hashing happens about 17 times per warm TDX
 * verification; through EVP each costs ~10k instructions of set-up plus
 * two atomic writes on the process-wide digest object, which every
 * verifying thread shares. Cannot fail. */
ATTEST_HIDDEN void attest_sha256(uint8_t out[32], const void *data, size_t len);
ATTEST_HIDDEN void attest_sha256_parts(uint8_t out[32], const attest_bytes *parts, size_t n);
ATTEST_HIDDEN void attest_sha384(uint8_t out[48], const void *data, size_t len);

/* SHA-256, SHA-384 or SHA-512 (out_len 32, 48 or 64) of the `n` parts one
 * after the other (no length prefixes: nonce bindings), the same way:
 * nothing allocated, so an allocation failure cannot turn a binding check
 * into an internal error. 0, or -1 for another out_len. */
ATTEST_HIDDEN int attest_sha2_concat(size_t out_len, uint8_t *out, const attest_bytes *parts,
                                     size_t n);

#endif
