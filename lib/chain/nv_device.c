/* NVIDIA device and RIM chains, stored OCSP, report signature. */
#include "nvidia.h"
#include "x509_chain.h"

#define NV_CHAIN_KEY_MAX 16

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

/* SHA-256 of certificates, remembered while a scope is open on this
 * thread (nv_digest_memo_begin/end around one verification's devices):
 * the cache keys of the device chains, RIM chains and OCSP verdicts hash
 * the same few certificate objects dozens of times per verification. Each
 * remembered certificate is referenced until the scope ends, so its
 * address cannot be reused by another certificate meanwhile; thread-local,
 * so threads sharing a verifier share nothing here. */
#define NV_DIGEST_MEMO 128 /* 12 devices of 6 certificates, RIM signers, roots */

static _Thread_local struct {
    int depth, count;
    X509 *cert[NV_DIGEST_MEMO];
    uint8_t sha256[NV_DIGEST_MEMO][32];
} memo;

void nv_digest_memo_begin(void)
{
    memo.depth++;
}

void nv_digest_memo_end(void)
{
    if (memo.depth == 0 || --memo.depth > 0)
        return;
    for (int i = 0; i < memo.count; i++)
        X509_free(memo.cert[i]);
    memo.count = 0;
}

static bool memo_find(X509 *cert, uint8_t out[32])
{
    for (int i = 0; memo.depth > 0 && i < memo.count; i++)
        if (memo.cert[i] == cert) {
            memcpy(out, memo.sha256[i], 32);
            return true;
        }
    return false;
}

static void memo_add(X509 *cert, const uint8_t sha256[32])
{
    if (memo.depth > 0 && memo.count < NV_DIGEST_MEMO && X509_up_ref(cert)) {
        memo.cert[memo.count] = cert;
        memcpy(memo.sha256[memo.count++], sha256, 32);
    }
}

void nv_digest_memo_seed(X509 *cert, const uint8_t sha256[32])
{
    uint8_t known[32];
    if (!memo_find(cert, known))
        memo_add(cert, sha256);
}

static bool cert_sha256(X509 *cert, uint8_t out[32])
{
    unsigned int len = 0;
    if (memo_find(cert, out))
        return true;
    if (X509_digest(cert, attest_md_sha256(), out, &len) != 1 || len != 32)
        return false;
    memo_add(cert, out);
    return true;
}

bool nv_cert_sha256(X509 *cert, uint8_t out[32])
{
    return cert_sha256(cert, out);
}

/* The cache key of a chain verification: every certificate offered, in
 * order, the anchor kind and the length wanted. */
static bool chain_key(uint8_t key[32], attest_vendor vendor, X509 *leaf,
                      STACK_OF(X509) *untrusted, int want_len)
{
    int n = sk_X509_num(untrusted);
    uint8_t digests[NV_CHAIN_KEY_MAX][32];
    if (n + 1 > NV_CHAIN_KEY_MAX)
        return false;
    if (!cert_sha256(leaf, digests[0]))
        return false;
    for (int i = 0; i < n; i++)
        if (!cert_sha256(sk_X509_value(untrusted, i), digests[i + 1]))
            return false;
    int meta[2] = {(int)vendor, want_len};
    attest_bytes parts[] = {{"nv-chain", 8}, {meta, sizeof meta}, {digests, 32 * (size_t)(n + 1)}};
    return attest_cache_key(key, parts, 3) == 0;
}

int nv_chain_verify(attest_result *r, const char *name, attest_verifier *v,
                    attest_vendor vendor, X509 *leaf, STACK_OF(X509) *untrusted, int want_len,
                    int64_t now, STACK_OF(X509) **chain)
{
    uint8_t key[32];
    attest_cached_chain hit = {0};
    bool keyed = chain_key(key, vendor, leaf, untrusted, want_len);
    if (keyed && attest_cache_get(v->cache, key, &hit) && hit.chain &&
        now >= hit.not_before && now < hit.not_after) {
        *chain = hit.chain;
        attest_check_pass(r, name, "%d certificates to the pinned %s root (cached)",
                          sk_X509_num(*chain),
                          vendor == ATTEST_VENDOR_NVIDIA_RIM ? "RIM" : "device identity");
        return ATTEST_OK;
    }
    sk_X509_pop_free(hit.chain, X509_free);
    /* A chain without its root takes the built-in one (certs/). */
    int status = attest_x509_verify_pinned(r, name, v, vendor, leaf, untrusted, now, true,
                                           chain);
    if (status != ATTEST_OK)
        return status;
    if (want_len && sk_X509_num(*chain) != want_len) {
        int n = sk_X509_num(*chain);
        sk_X509_pop_free(*chain, X509_free);
        *chain = NULL;
        return attest_check_fail(r, name, ATTEST_E_CERT_PROFILE,
                                 "chain of %d certificates, %d expected", n, want_len);
    }
    if (keyed) { /* remembered with the window in which all its certificates hold */
        attest_cached_chain entry = {.chain = *chain, .not_before = INT64_MIN,
                                     .not_after = INT64_MAX};
        for (int i = 0; i < sk_X509_num(*chain); i++) {
            int64_t nb, na;
            if (attest_cert_validity(sk_X509_value(*chain, i), &nb, &na) != 0)
                nb = INT64_MAX, na = INT64_MIN;
            if (nb > entry.not_before)
                entry.not_before = nb;
            if (na < entry.not_after)
                entry.not_after = na;
        }
        attest_cache_put(v->cache, key, &entry);
    }
    char cn[96];
    attest_cert_cn(sk_X509_value(*chain, 0), cn, sizeof cn);
    attest_check_pass(r, name, "'%s' ... %d certificates to the pinned %s root", cn,
                      sk_X509_num(*chain),
                      vendor == ATTEST_VENDOR_NVIDIA_RIM ? "RIM" : "device identity");
    return ATTEST_OK;
}

/* The collateral's stored responses, judged with the rules' max age. */
static nv_ocsp_input ocsp_input(const attest_collateral *coll, const nv_ocsp_rules *rules)
{
    nv_ocsp_input in = {.max_age = rules->max_age};
    if (coll) {
        in.responses = coll->ocsp;
        in.request_nonces = coll->ocsp_nonces;
        in.count = coll->ocsp_count;
    }
    return in;
}

/* nv_ocsp_check_input through the verifier's cache: an authentic verdict
 * is reused for instants inside the interval in which it holds. The key
 * covers the responses with their recorded request nonces
 * (ocsp_set_sha256), the certificate, its issuer and the max age. */
static int ocsp_check_cached(attest_verifier *v, const attest_collateral *coll, X509 *cert,
                             X509 *issuer, int64_t now, const nv_ocsp_rules *rules,
                             nv_ocsp_result *res)
{
    uint8_t dc[32], di[32], key[32];
    int64_t max_age = rules->max_age;
    attest_bytes parts[] = {{"nv-ocsp", 7},
                            {coll->ocsp_set_sha256, 32},
                            {dc, 32},
                            {di, 32},
                            {&max_age, sizeof max_age}};
    bool keyed = cert_sha256(cert, dc) && cert_sha256(issuer, di) &&
                 attest_cache_key(key, parts, 5) == 0;
    attest_cached_chain hit = {0};
    if (keyed && attest_cache_get(v->cache, key, &hit) && hit.extra_len == sizeof *res) {
        sk_X509_pop_free(hit.chain, X509_free);
        memcpy(res, hit.extra, sizeof *res);
        if (now >= res->stable_from && now < res->stable_until)
            return ATTEST_OK;
    }
    nv_ocsp_input in = ocsp_input(coll, rules);
    int status = nv_ocsp_check_input(&in, cert, issuer, now, res);
    if (status == ATTEST_OK && keyed) {
        attest_cached_chain entry = {.extra_len = sizeof *res};
        _Static_assert(sizeof(nv_ocsp_result) <= sizeof entry.extra, "cache slot too small");
        memcpy(entry.extra, res, sizeof *res);
        attest_cache_put(v->cache, key, &entry);
    }
    return status;
}

/* How one certificate's verdict was reached, for the check's text. */
typedef enum ocsp_source { OCSP_FROM_NONE, OCSP_FROM_LIVE, OCSP_FROM_STORED } ocsp_source;

/* One certificate's OCSP verdict under the rules; returns the status.
 * *relaxed names the policy member that let it pass, if any (stale,
 * missing, held or unknown), so the result marks it as a warning;
 * *source says whether a live or a stored response gave it. */
static int judge_ocsp(attest_result *r, attest_verifier *v, const char *name,
                      const attest_collateral *coll, X509 *cert, X509 *issuer, int64_t now,
                      const nv_ocsp_rules *rules, nv_ocsp_status *status_out,
                      const char **relaxed, ocsp_source *source)
{
    nv_ocsp_result res;
    char cn[96];
    attest_cert_cn(cert, cn, sizeof cn);
    nv_ocsp_input in = ocsp_input(coll, rules);
    int status = coll ? ocsp_check_cached(v, coll, cert, issuer, now, rules, &res)
                      : nv_ocsp_check_input(&in, cert, issuer, now, &res);
    *status_out = NV_OCSP_UNKNOWN;
    *source = OCSP_FROM_NONE;
    if (status == ATTEST_E_COLLATERAL_MISSING && !rules->require) {
        *relaxed = "require_ocsp (no response)";
        return ATTEST_OK;
    }
    if (status == ATTEST_E_COLLATERAL_EXPIRED && rules->allow_stale) {
        /* Judged at its own time: the status it gave then stands. */
        *relaxed = "allow_stale_ocsp (responses outside their validity)";
        status = nv_ocsp_check_input(&in, cert, issuer, res.this_update, &res);
    }
    if (status != ATTEST_OK)
        return attest_check_fail(r, name, status, "'%s': %s", cn, attest_error_last());
    /* Live: the response carries the nonce of the request it is recorded
     * to answer. Anything else could have been fetched at any time. */
    if (res.nonce != NV_OCSP_NONCE_MATCHED && !rules->allow_stored)
        return attest_check_fail(r, name, ATTEST_E_NV_OCSP,
                                 "'%s': stored response (%s; policy nvidia.allow_stored_ocsp is "
                                 "false)", cn,
                                 res.nonce == NV_OCSP_NONCE_ABSENT
                                     ? "no nonce"
                                     : "a nonce not checked against a recorded request nonce");
    *source = res.nonce == NV_OCSP_NONCE_MATCHED ? OCSP_FROM_LIVE : OCSP_FROM_STORED;
    *status_out = res.status;
    if (res.status == NV_OCSP_HOLD && rules->allow_hold)
        *relaxed = "allow_ocsp_hold (certificate on hold)";
    if (res.status == NV_OCSP_UNKNOWN && rules->allow_unknown)
        *relaxed = "allow_ocsp_unknown (status unknown)";
    if (res.status == NV_OCSP_REVOKED ||
        (res.status == NV_OCSP_HOLD && !rules->allow_hold) ||
        (res.status == NV_OCSP_UNKNOWN && !rules->allow_unknown))
        return attest_check_fail(r, name, ATTEST_E_NV_OCSP, "'%s' is %s according to '%s'",
                                 cn, nv_ocsp_status_name(res.status), res.responder);
    return ATTEST_OK;
}

int nv_chain_ocsp(attest_result *r, attest_verifier *v, const char *name,
                  const attest_collateral *coll,
                  STACK_OF(X509) *chain, int first, int last, int64_t now,
                  const nv_ocsp_rules *rules, const char **worst)
{
    nv_ocsp_status worst_status = NV_OCSP_GOOD;
    bool any = false;
    const char *relaxed = NULL;
    int from[3] = {0, 0, 0}; /* per ocsp_source */
    *worst = "good";
    for (int i = first; i <= last && i + 1 < sk_X509_num(chain); i++) {
        nv_ocsp_status s;
        ocsp_source source;
        int status = judge_ocsp(r, v, name, coll, sk_X509_value(chain, i),
                                sk_X509_value(chain, i + 1), now, rules, &s, &relaxed, &source);
        if (status != ATTEST_OK) {
            *worst = "invalid";
            return status;
        }
        any = true;
        from[source]++;
        if (s > worst_status)
            worst_status = s;
    }
    *worst = nv_ocsp_status_name(worst_status);
    if (!any)
        attest_check_skip(r, name, "no certificate to check");
    else
        attest_check_pass(r, name, "certificates %d..%d: %s; responses: %d live (nonce matched), "
                          "%d stored%s%s%s", first, last, *worst, from[OCSP_FROM_LIVE],
                          from[OCSP_FROM_STORED],
                          relaxed ? " (allowed by nvidia." : "", relaxed ? relaxed : "",
                          relaxed ? ")" : "");
    return ATTEST_OK;
}

bool nv_report_signature_ok(X509 *leaf, const uint8_t *msg, size_t len, const uint8_t sig[96])
{
    return attest_ecdsa_verify_raw(X509_get0_pubkey(leaf), EVP_sha384(), msg, len, sig, 48) == 1;
}
