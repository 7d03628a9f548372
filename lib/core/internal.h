/* Internal declarations shared by the modules of lib/. Not installed. */
#ifndef ATTEST_INTERNAL_H
#define ATTEST_INTERNAL_H

#include "attest.h"

#include <jansson.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <stdbool.h>

#define ATTEST_HIDDEN __attribute__((visibility("hidden")))

/* ---- errors (error.c) ------------------------------------------------ */

/* Record a failure's status and detail for attest_error_last_status() and
 * attest_error_last() in this thread and return `status`, so that callers
 * can write `return attest_set_error(...)`. */
ATTEST_HIDDEN int attest_set_error(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ATTEST_HIDDEN void attest_clear_error(void);

/* ---- bytes (util.c) -------------------------------------------------- */

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

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
ATTEST_HIDDEN void attest_time_format(char *buf, size_t n, int64_t t);

/* Convert an ASN1_TIME to Unix seconds. Returns 0 or -1. */
ATTEST_HIDDEN int attest_asn1_time_to_unix(const ASN1_TIME *t, int64_t *out);

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

/* ---- crypto (crypto.c) ----------------------------------------------- */

/* A P-256 public key from raw big-endian x||y; checks the point is on the
 * curve. Returns 0 or -1. */
ATTEST_HIDDEN int attest_p256_key_from_raw(EVP_PKEY **out, const uint8_t xy[64]);

/* Verify a raw big-endian r||s signature (each `half` bytes) over `msg`
 * hashed with `md`. Returns 1 valid, 0 invalid, -1 error. */
ATTEST_HIDDEN int attest_ecdsa_verify_raw(EVP_PKEY *key, const EVP_MD *md,
                                          const uint8_t *msg, size_t len,
                                          const uint8_t *rs, size_t half);

/* The same through the verifier's cache: a signature that verified once
 * over the same bytes with the same key is not verified again. */
struct attest_chain_cache;
ATTEST_HIDDEN int attest_ecdsa_verify_raw_cached(struct attest_chain_cache *cache,
                                                 EVP_PKEY *key, const EVP_MD *md,
                                                 const uint8_t *msg, size_t len,
                                                 const uint8_t *rs, size_t half);

/* ---- collateral (collateral.c) --------------------------------------- */

struct dcap_tcb_info;
struct dcap_qe_identity;
struct nv_rim;

/* Stored OCSP responses one collateral may hold: NVIDIA's evidence of a
 * machine needs a few dozen (3 per device chain, 3 per RIM chain); each
 * certificate check scans them all. */
#define ATTEST_COLLATERAL_MAX_OCSP 256
#define ATTEST_OCSP_NONCE_MAX 32 /* RFC 8954 2.1: 1..32 bytes */

/* An NVIDIA RIM as added: stored and classified, not verified. Its XML
 * signature and chain are verified by the verification that needs a RIM
 * (lib/chain/nv_evidence.c), which reports a RIM it cannot use as a check. */
typedef struct attest_rim_item {
    struct nv_rim *rim;                 /* the parsed RIM; NULL when the bytes
                                           break the parser's structural rules */
    int parse_status;                   /* ATTEST_OK, or why rim is NULL */
    char *parse_detail;                 /* ... and the parser's detail (owned) */
    uint8_t sha256[32];                 /* of the bytes: names the signature
                                           verdict in the verifier's cache */
} attest_rim_item;

/* The nonce of the request a stored OCSP response answers. */
typedef struct attest_ocsp_nonce {
    uint8_t data[ATTEST_OCSP_NONCE_MAX];
    size_t len;                         /* 0: not known */
} attest_ocsp_nonce;

struct attest_collateral {
    STACK_OF(X509) *certs;
    STACK_OF(X509_CRL) *crls;
    struct dcap_tcb_info **tcb_infos;   /* Intel TCB Info bodies */
    size_t tcb_info_count;
    struct dcap_qe_identity **qe_identities; /* Intel Enclave Identities */
    size_t qe_identity_count;
    OCSP_RESPONSE **ocsp;               /* stored OCSP responses (DER) */
    attest_ocsp_nonce *ocsp_nonces;     /* [ocsp_count]: the request nonce
                                           each answers (len 0: unknown) */
    size_t ocsp_count;                  /* <= ATTEST_COLLATERAL_MAX_OCSP */
    uint8_t ocsp_set_sha256[32];        /* names the set of responses and their
                                           request nonces, for the verifier's
                                           cache of OCSP verdicts */
    attest_rim_item *rims;              /* NVIDIA RIMs, in the order added */
    size_t rim_count;
};

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

/* SHA-256 of a certificate's DER SubjectPublicKeyInfo. Returns 0 or -1. */
ATTEST_HIDDEN int attest_spki_sha256(X509 *cert, uint8_t out[32]);

/* ---- chain cache (cache.c): verified leaf -> its key and validity ---- */

typedef struct attest_cached_chain {
    STACK_OF(X509) *chain;     /* leaf first, root last */
    int64_t not_before;        /* intersection of the chain's validity */
    int64_t not_after;
    int product;               /* vendor-specific product code */
    uint8_t extra[256];        /* facts decoded from the chain once (e.g. the
                                  Intel PCK extension), copied by value */
    size_t extra_len;
} attest_cached_chain;

ATTEST_HIDDEN attest_chain_cache *attest_cache_new(void);
ATTEST_HIDDEN void attest_cache_free(attest_chain_cache *c);
ATTEST_HIDDEN void attest_cache_clear(attest_chain_cache *c);
ATTEST_HIDDEN size_t attest_cache_size(attest_chain_cache *c);
/* Look up `key` (32 bytes); on hit copy the entry and return true: the
 * copy's chain is the caller's (free it with sk_X509_pop_free(chain, X509_free)). The
 * cache keeps its own references (attest_cache_put copies the chain). */
ATTEST_HIDDEN bool attest_cache_get(attest_chain_cache *c, const uint8_t key[32],
                                    attest_cached_chain *out);
ATTEST_HIDDEN void attest_cache_put(attest_chain_cache *c, const uint8_t key[32],
                                    const attest_cached_chain *entry);

/* Markers: "this exact check passed before" (entry without a chain). */
ATTEST_HIDDEN bool attest_cache_seen(attest_chain_cache *c, const uint8_t key[32]);
ATTEST_HIDDEN void attest_cache_mark(attest_chain_cache *c, const uint8_t key[32]);

typedef struct attest_bytes {
    const void *data;
    size_t len;
} attest_bytes;

/* SHA-256 over length-prefixed parts: the key of a cached check, which
 * must cover every input the check depends on. Returns 0 or -1. */
ATTEST_HIDDEN int attest_cache_key(uint8_t out[32], const attest_bytes *parts, size_t n);

/* ---- result (result.c) ----------------------------------------------- */

typedef struct attest_check {
    char *name;
    attest_check_outcome outcome;
    int status;
    char *detail;
} attest_check;

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
};

ATTEST_HIDDEN attest_result *attest_result_new(void);

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

/* ---- evidence (evidence.c) ------------------------------------------- */

struct snp_report;
struct dcap_quote;
struct nv_evidence_set;
struct attest_bundle;

struct attest_evidence {
    attest_format format;
    uint8_t sha256[32];       /* of the bytes the evidence was parsed from */
    struct attest_bundle *bundle; /* ATTEST_FORMAT_BUNDLE */
    struct snp_report *snp;   /* ATTEST_FORMAT_SNP_REPORT */
    struct dcap_quote *dcap;  /* ATTEST_FORMAT_DCAP_QUOTE */
    struct nv_evidence_set *nv; /* ATTEST_FORMAT_NVIDIA */
};

/* ---- policy (policy.c) ----------------------------------------------- */

struct snp_policy;
struct dcap_policy;
struct nv_policy;

/* How the devices of one machine are appraised together (docs/policy.md,
 * section "composite"). */
typedef enum composite_binding {
    COMPOSITE_BIND_CPU_REPORT_DATA = 0, /* CPU report data = SHA-512(nonce || GPU nonces) */
    COMPOSITE_BIND_SAME_NONCE,          /* every GPU answers the caller's nonce */
} composite_binding;

typedef struct composite_policy {
    composite_binding gpu_binding;
    bool require_cpu;
    int min_gpus;
    bool given;                /* the document has a "composite" section: its
                                  requirements hold for every evidence shape,
                                  not only for bundles */
} composite_policy;

/* The platforms a policy addresses (docs/policy.md, "Scope"). */
enum attest_platform_bits {
    ATTEST_PLATFORM_SNP = 1u << 0,
    ATTEST_PLATFORM_TDX = 1u << 1,
    ATTEST_PLATFORM_SGX = 1u << 2,
    ATTEST_PLATFORM_NVIDIA = 1u << 3,
    ATTEST_PLATFORM_ALL = (1u << 4) - 1,
};

/* "snp", "tdx", "sgx", "nvidia" for one platform bit. */
ATTEST_HIDDEN const char *attest_platform_name(unsigned bit);

struct attest_policy {
    unsigned platforms;        /* ATTEST_PLATFORM_* the policy accepts evidence of */
    composite_policy composite;
    uint8_t sha256[32];        /* of the document as given (or of "{}") */
    struct snp_policy *snp;
    struct dcap_policy *tdx;   /* TDX quotes */
    struct dcap_policy *sgx;   /* SGX quotes */
    struct nv_policy *nvidia;  /* GPUs and NVSwitches */
    json_t *source;        /* the document as loaded, for the result */
};

#endif
