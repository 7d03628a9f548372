/* The verifier's cache of checks that passed: verified chains with their
 * validity window, decoded facts, markers. Keys are SHA-256 over every
 * input a check depends on. Bounded: at most a limit of entries (default
 * ATTEST_CACHE_DEFAULT_LIMIT), the least recently used evicted first; an
 * evicted check is verified again when next needed. Thread-safe. */
#ifndef ATTEST_CACHE_H
#define ATTEST_CACHE_H

#include "base.h"

#include <openssl/x509.h>

typedef struct attest_cached_chain {
    STACK_OF(X509) *chain;     /* leaf first, root last */
    int64_t not_before;        /* intersection of the chain's validity */
    int64_t not_after;
    int product;               /* vendor-specific product code */
    uint8_t extra[256];        /* facts decoded from the chain once (e.g. the
                                  Intel PCK extension), copied by value */
    size_t extra_len;
} attest_cached_chain;

/* Entries a new cache holds at most (docs/cache.md: about 9 KiB each for
 * an SNP chip's chain, under 0.5 KiB for a marker). */
#define ATTEST_CACHE_DEFAULT_LIMIT 4096

ATTEST_HIDDEN attest_chain_cache *attest_cache_new(void);
ATTEST_HIDDEN void attest_cache_free(attest_chain_cache *c);
ATTEST_HIDDEN void attest_cache_clear(attest_chain_cache *c);
ATTEST_HIDDEN size_t attest_cache_size(attest_chain_cache *c);
/* Hold at most `max_entries` (0: cache nothing), evicting the least
 * recently used entries beyond it now and on every insertion. */
ATTEST_HIDDEN void attest_cache_set_limit(attest_chain_cache *c, size_t max_entries);
ATTEST_HIDDEN size_t attest_cache_limit(attest_chain_cache *c);
/* Look up `key` (32 bytes); on hit copy the entry and return true: the
 * copy's chain is the caller's (free it with sk_X509_pop_free(chain, X509_free)). The
 * cache keeps its own references (attest_cache_put copies the chain). A hit
 * makes the entry the most recently used. */
ATTEST_HIDDEN bool attest_cache_get(attest_chain_cache *c, const uint8_t key[32],
                                    attest_cached_chain *out);
ATTEST_HIDDEN void attest_cache_put(attest_chain_cache *c, const uint8_t key[32],
                                    const attest_cached_chain *entry);

/* Markers: "this exact check passed before" (entry without a chain). */
ATTEST_HIDDEN bool attest_cache_seen(attest_chain_cache *c, const uint8_t key[32]);
ATTEST_HIDDEN void attest_cache_mark(attest_chain_cache *c, const uint8_t key[32]);

/* The P-256 public key of raw big-endian x||y (attest_p256_key_from_raw:
 * on the curve), one object shared by every verification naming the same
 * point, e.g. the attestation key of a platform's quotes: creating an
 * EVP_PKEY takes process-wide write locks in OpenSSL 3.0 (ENGINE table,
 * ex_data) that serialise verifying threads. *out is the caller's
 * reference (EVP_PKEY_free); the key is only read (EVP_PKEY_CTX per use).
 * Returns 0, or -1 when xy is not a P-256 point (nothing cached). */
ATTEST_HIDDEN int attest_cache_p256_key(attest_chain_cache *c, const uint8_t xy[64],
                                        EVP_PKEY **out);

/* attest_cache_p256_key's key as an EVP_PKEY_CTX initialised for
 * EVP_PKEY_verify (attest_ecdsa_verify_raw_pctx): a copy of one kept with
 * the shared key, so a verification fetches no signature algorithm. *out
 * is the caller's (EVP_PKEY_CTX_free). Returns 0, or -1 when xy is not a
 * P-256 point or out of memory. */
ATTEST_HIDDEN int attest_cache_p256_verify_ctx(attest_chain_cache *c, const uint8_t xy[64],
                                               EVP_PKEY_CTX **out);

/* SHA-256 over length-prefixed parts: the key of a cached check, which
 * must cover every input the check depends on. Returns 0 or -1. */
ATTEST_HIDDEN int attest_cache_key(uint8_t out[32], const attest_bytes *parts, size_t n);

#endif
