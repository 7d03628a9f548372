/* The base layer of lib/ (see README "Layout"): errors, codecs (hex,
 * base64, base64url, RFC 3339), little-endian reads, the check/result
 * model, the verifier context (clock, trust anchors, cache handle). Every
 * other layer builds on it; it uses only the C library, jansson and the
 * public header. Helpers that need OpenSSL are in crypto.h, cache.h and
 * x509.h beside it. Not installed. */
#ifndef ATTEST_BASE_H
#define ATTEST_BASE_H

#include "attest.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATTEST_HIDDEN __attribute__((visibility("hidden")))

/* ---- errors (error.c) ------------------------------------------------ */

/* Record a failure's status and detail for attest_error_last_status() and
 * attest_error_last() in this thread and return `status`, so that callers
 * can write `return attest_set_error(...)`. */
ATTEST_HIDDEN int attest_set_error(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ATTEST_HIDDEN void attest_clear_error(void);

/* Whether the library call that just failed (OpenSSL's d2i_*, PEM_read_*,
 * X509_verify_cert, EVP_*; jansson's json_loadb; libxml2's readers) failed
 * for want of memory rather than for its input: errno is ENOMEM (malloc and
 * every allocator above it set it) or OpenSSL's error queue holds
 * ERR_R_MALLOC_FAILURE. Set errno = 0 before that call. Empties this
 * thread's OpenSSL error queue (crypto.c). The caller then reports
 * ATTEST_E_NOMEM ("out of memory, retry") instead of a parse or signature
 * error ("forged evidence"). */
ATTEST_HIDDEN bool attest_alloc_failed(void);

/* ---- codecs (codec.c) -------------------------------------------------- */

/* Lowercase hex of `len` bytes into `out` (2 * len + 1 chars, NUL-terminated). */
ATTEST_HIDDEN void attest_hex_encode(char *out, const uint8_t *p, size_t len);

/* Whether JSON text may hold the member name (or string) `key`: false only
 * when the quoted key is absent as bytes and the text has no backslash (so
 * it cannot be spelt with escapes either). A few memchr calls: it spares
 * a full parse to the classifiers that ask "is this form X?" of every
 * collateral item; a true answer is confirmed by the parser. */
ATTEST_HIDDEN bool attest_json_may_hold_key(const uint8_t *data, size_t len, const char *key);

/* Lowercase hex of `len` bytes into a new jansson string. */
ATTEST_HIDDEN json_t *attest_json_hex(const uint8_t *p, size_t len);

/* Decode `hex` (exactly 2*len hex digits) into `out`. Returns 0 or -1. */
ATTEST_HIDDEN int attest_hex_decode(uint8_t *out, size_t len, const char *hex);

/* Strict base64 decode of `n` characters into a new buffer (free()).
 * Returns 0, -1 on bad input, -2 when out of memory. */
ATTEST_HIDDEN int attest_base64_decode(const char *s, size_t n, uint8_t **out, size_t *out_len);

/* Strict unpadded base64url (RFC 4648 section 5, JWS): one spelling per
 * byte string (no '=', no whitespace, unused bits zero). *out is a new
 * buffer (free()) with a NUL after its *out_len bytes, so that decoded
 * text can be read as a string. Returns 0, -1 on bad input, -2 when out
 * of memory. */
ATTEST_HIDDEN int attest_base64url_decode(const char *s, size_t n, uint8_t **out,
                                          size_t *out_len);

/* Unpadded base64url of `len` bytes as a new string (free()), or NULL when
 * out of memory. */
ATTEST_HIDDEN char *attest_base64url_encode(const uint8_t *p, size_t len);

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d. */
ATTEST_HIDDEN int64_t attest_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
ATTEST_HIDDEN void attest_time_format(char *buf, size_t n, int64_t t);

ATTEST_HIDDEN bool attest_all_zero(const uint8_t *p, size_t len);

static inline uint16_t attest_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t attest_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t attest_le64(const uint8_t *p)
{
    return (uint64_t)attest_le32(p) | ((uint64_t)attest_le32(p + 4) << 32);
}

/* A byte string among the parts of a cache key (cache.h). */
typedef struct attest_bytes {
    const void *data;
    size_t len;
} attest_bytes;

/* ---- verifier (verifier.c) ------------------------------------------- */

/* Everything a chain verifier needs to know about trust for one call. */
typedef struct attest_anchor {
    attest_vendor vendor;
    uint8_t spki_sha256[32];
    const char *product; /* built-in anchors name their product; else NULL */
} attest_anchor;

typedef struct attest_chain_cache attest_chain_cache;

struct attest_verifier {
    int64_t fixed_time;  /* ATTEST_TIME_NOW: read the clock per call */
    attest_anchor *anchors;
    size_t anchor_count;
    attest_chain_cache *cache;
};

/* The instant a verification runs at. */
ATTEST_HIDDEN int64_t attest_verifier_now(const attest_verifier *v);

/* The anchor of `vendor` whose key hash is `spki_sha256`, or NULL. */
ATTEST_HIDDEN const attest_anchor *attest_verifier_find_anchor(
    const attest_verifier *v, attest_vendor vendor, const uint8_t spki_sha256[32]);

/* ---- result (result.c) ----------------------------------------------- */

typedef struct attest_check {
    char *name;
    attest_check_outcome outcome;
    int status;
    char *detail;
} attest_check;

/* A claim built only when the whole result is read (result.c). */
typedef json_t *(*attest_claim_build_fn)(const void *arg);
typedef struct attest_deferred_claim {
    json_t *parent;              /* a reference: the object the claim goes in */
    char key[32];
    attest_claim_build_fn build;
    void *arg;                   /* owned (free()) */
} attest_deferred_claim;

struct attest_result {
    attest_check *checks;
    size_t count, cap;
    int status;            /* first failure, or ATTEST_OK */
    char *reason;          /* "name: detail" of the first failure */
    json_t *claims;        /* parsed evidence claims (owned) */
    int64_t verified_at;
    /* Attestation result (EAR) material, filled by the appraisal: */
    json_t *submods;       /* {"cpu0": {ear.status, ear.trustworthiness-vector,
                              x-attest-claims...}, "gpu0": ...} (owned) */
    char ear_status[24];   /* overall: affirming | warning | contraindicated */
    uint8_t evidence_sha256[32];
    uint8_t policy_sha256[32];
    uint8_t nonce[64];     /* the caller's nonce; kept (for eat_nonce and the
                              JSON) only when the verification bound it */
    size_t nonce_len;
    unsigned nonce_bound;  /* checks that bound the caller's nonce */
    const char *gpu_binding; /* how GPUs were tied to the CPU (static text),
                                or NULL when there was nothing to tie */
    /* Claims built on first read (attest_result_defer_claim), under the
     * result's own lock: completing them is the one change a result sees
     * after attest_verify returned it. */
    attest_deferred_claim *deferred;
    size_t deferred_count, deferred_cap;
    pthread_mutex_t deferred_lock;
};

ATTEST_HIDDEN attest_result *attest_result_new(void);

/* Set `parent[key]` to `placeholder` (taken) now and to build(arg) when the
 * whole result is first read (attest_result_complete_claims): a claim that
 * only attest_result_to_json and a verbose token show, e.g. a GPU report's
 * every parsed field, costs nothing on a verification whose result is only
 * judged. The placeholder holds what is read before that (the members a
 * token picks); the value replaces it in place, so the key keeps its
 * position. `arg` (malloc'd) becomes the result's and is freed with it;
 * build must depend on it alone. Returns 0, or -1 (out of memory): the
 * placeholder released, `arg` still the caller's, who then sets the claim
 * itself. */
ATTEST_HIDDEN int attest_result_defer_claim(attest_result *r, json_t *parent, const char *key,
                                            json_t *placeholder, attest_claim_build_fn build,
                                            void *arg);
/* Build the deferred claims of `r`, once; thread-safe (the result's own
 * lock: concurrent readers of one result wait for the first). Returns
 * ATTEST_OK or ATTEST_E_NOMEM. */
ATTEST_HIDDEN int attest_result_complete_claims(const attest_result *r);

/* Record a passed, skipped or failed check. Returns `status` so a failing
 * check can be written as `return attest_check_fail(...)`. With r NULL
 * nothing is recorded: a check is judged only, a failure's detail going to
 * attest_error_last() (e.g. trying candidates before recording one). */
ATTEST_HIDDEN void attest_check_pass(attest_result *r, const char *name,
                                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
ATTEST_HIDDEN void attest_check_skip(attest_result *r, const char *name,
                                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
ATTEST_HIDDEN int attest_check_fail(attest_result *r, const char *name, int status,
                                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record a passed check that bound the caller's nonce (freshness). */
ATTEST_HIDDEN void attest_check_pass_nonce(attest_result *r, const char *name,
                                           const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
