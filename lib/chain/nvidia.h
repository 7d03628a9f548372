/* NVIDIA chains: device certificate chain to the pinned Device Identity
 * CA, RIM signing chain to the pinned CoRIM root, stored OCSP for both,
 * and the report signature. */
#ifndef ATTEST_NVIDIA_H
#define ATTEST_NVIDIA_H

#include "../base/cache.h"
#include "../base/crypto.h"
#include "../base/x509.h"
#include "collateral.h"
#include "nv_cert.h"

/* How stored OCSP responses are judged (from the policy). */
typedef struct nv_ocsp_rules {
    bool require;        /* a response must exist for each certificate */
    bool allow_stored;   /* a response not live (no nonce matched to its
                            recorded request nonce) is acceptable */
    bool allow_stale;    /* outside thisUpdate..nextUpdate is acceptable */
    bool allow_hold;
    bool allow_unknown;
    int64_t max_age;     /* seconds a response without nextUpdate stays
                            current after thisUpdate (0: never) */
} nv_ocsp_rules;

/* Verify `leaf` through `untrusted` to a pinned root of `vendor` at `now`;
 * the chain must have `want_len` certificates (0: any). Check `name`. On
 * success *chain is leaf..root (caller frees). Here and in nv_chain_ocsp,
 * r NULL judges without recording (a failure's detail in
 * attest_error_last()), to try candidates before recording one. */
ATTEST_HIDDEN int nv_chain_verify(attest_result *r, const char *name, attest_verifier *v,
                                  attest_vendor vendor, X509 *leaf, STACK_OF(X509) *untrusted,
                                  int want_len, int64_t now, STACK_OF(X509) **chain);

/* OCSP for chain[first .. last] (inclusive), each against its issuer
 * chain[i+1], with the stored responses of `coll`. Check `name` (its text
 * says how many verdicts came from live and from stored responses); the
 * worst status goes to *worst (JSON claim text). */
ATTEST_HIDDEN int nv_chain_ocsp(attest_result *r, attest_verifier *v, const char *name,
                                const attest_collateral *coll,
                                STACK_OF(X509) *chain, int first, int last, int64_t now,
                                const nv_ocsp_rules *rules, const char **worst);

/* A scope (per thread, nestable) in which the SHA-256 of each certificate
 * object hashed for a cache key is computed once: open it around one
 * verification's devices, close it before returning (it releases the
 * certificates it referenced). */
ATTEST_HIDDEN void nv_digest_memo_begin(void);
ATTEST_HIDDEN void nv_digest_memo_end(void);
/* The SHA-256 of `cert`'s encoding, through the scope's memo. */
ATTEST_HIDDEN bool nv_cert_sha256(X509 *cert, uint8_t out[32]);
/* Remember `sha256` as `cert`'s in the open scope (no-op without one):
 * for digests kept with the certificates they were computed from. */
ATTEST_HIDDEN void nv_digest_memo_seed(X509 *cert, const uint8_t sha256[32]);

/* ECDSA P-384 / SHA-384 over raw[0, len) with the raw r||s signature. */
ATTEST_HIDDEN bool nv_report_signature_ok(X509 *leaf, const uint8_t *msg, size_t len,
                                          const uint8_t sig[96]);

#endif
