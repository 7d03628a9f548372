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
 * makes the entry the most recently used (with a limit of 64 or more, an
 * entry already among the 8 moved to the front last stays where it is:
 * docs/cache.md). */
ATTEST_HIDDEN bool attest_cache_get(attest_chain_cache *c, const uint8_t key[32],
                                    attest_cached_chain *out);
ATTEST_HIDDEN void attest_cache_put(attest_chain_cache *c, const uint8_t key[32],
                                    const attest_cached_chain *entry);

/* attest_cache_get without a copy, for a caller that only reads the
 * chain: out->chain is the entry's own stack (not to be freed or changed),
 * valid until attest_cache_release(*held), also when the entry is evicted
 * meanwhile. A copy takes and drops a reference on every certificate
 * (atomic writes to objects every thread verifying that platform reads);
 * this takes one on the entry. On a miss returns false and *held is NULL.
 * attest_cache_release(NULL) does nothing. */
typedef struct attest_cache_hold attest_cache_hold;
ATTEST_HIDDEN bool attest_cache_borrow(attest_chain_cache *c, const uint8_t key[32],
                                       attest_cached_chain *out, attest_cache_hold **held);
ATTEST_HIDDEN void attest_cache_release(attest_cache_hold *held);

/* Markers: "this exact check passed before" (entry without a chain).
 * attest_cache_seen also answers for an entry with a chain, copying
 * nothing: a hit as attest_cache_get's. */
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
 * EVP_PKEY_verify (attest_ecdsa_verify_raw_pctx), lent to one caller: an
 * idle one kept with the shared key, so a warm verification neither
 * fetches the signature algorithm nor copies a context (a copy allocates
 * and counts references on objects every thread shares). The context is
 * the borrower's alone until attest_cache_p256_verify_return; it holds
 * its own reference to the key, so it stays valid when the entry is
 * evicted meanwhile. Returns 0, or -1 when xy is not a P-256 point or out
 * of memory (lease->ctx NULL; returning it then is a no-op). */
typedef struct attest_p256_lease {
    EVP_PKEY_CTX *ctx;
    uint8_t key[32];             /* the entry it goes back to */
    bool keyed;                  /* false: the key could not be hashed */
} attest_p256_lease;
ATTEST_HIDDEN int attest_cache_p256_verify_lend(attest_chain_cache *c, const uint8_t xy[64],
                                                attest_p256_lease *lease);
/* Give lease->ctx back: kept idle by the point's entry (up to 16 per
 * entry: one per thread verifying with it at once) or freed when the
 * entry is gone or full. Sets lease->ctx to NULL. */
ATTEST_HIDDEN void attest_cache_p256_verify_return(attest_chain_cache *c,
                                                   attest_p256_lease *lease);

/* SHA-256 over length-prefixed parts: the key of a cached check, which
 * must cover every input the check depends on. Returns 0 or -1. */
ATTEST_HIDDEN int attest_cache_key(uint8_t out[32], const attest_bytes *parts, size_t n);

#endif
