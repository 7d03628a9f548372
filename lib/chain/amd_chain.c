/* ARK -> ASK/ASVK -> VCEK/VLEK with OpenSSL's verifier, trust limited to
 * pinned ARK keys, and the KDS CRL. */
#include "amd.h"
#include "x509_chain.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define CHECK_CHAIN "snp.chain"
#define CHECK_CRL "snp.crl"

/* The product an ARK stands for: named by its pin, else by "ARK-<P>". */
static snp_product ark_product(const attest_verifier *v, X509 *ark)
{
    uint8_t h[32];
    char cn[64];
    const attest_anchor *a =
        attest_spki_sha256(ark, h) == 0 ? attest_verifier_find_anchor(v, ATTEST_VENDOR_AMD, h)
                                        : NULL;
    if (a && a->product)
        return snp_product_from_name(a->product);
    attest_cert_cn(ark, cn, sizeof cn);
    return strncmp(cn, "ARK-", 4) == 0 ? snp_product_from_name(cn + 4)
                                       : SNP_PRODUCT_UNKNOWN;
}

/* Role checks OpenSSL cannot know: AMD names, algorithms and key type. */
static int check_profile(attest_result *r, const attest_verifier *v,
                         STACK_OF(X509) *chain, amd_vek_kind kind,
                         snp_product *product)
{
    if (sk_X509_num(chain) != 3)
        return attest_check_fail(r, CHECK_CHAIN, ATTEST_E_CERT_PROFILE,
                                 "chain has %d certificates, AMD chains have 3 "
                                 "(VEK, ASK/ASVK, ARK)", sk_X509_num(chain));
    X509 *vek = sk_X509_value(chain, 0), *mid = sk_X509_value(chain, 1),
         *ark = sk_X509_value(chain, 2);
    for (int i = 0; i < 3; i++)
        if (X509_get_signature_nid(sk_X509_value(chain, i)) != NID_rsassaPss) {
            char cn[64];
            attest_cert_cn(sk_X509_value(chain, i), cn, sizeof cn);
            return attest_check_fail(r, CHECK_CHAIN, ATTEST_E_CERT_PROFILE,
                                     "'%s' is not signed with RSASSA-PSS", cn);
        }
    *product = ark_product(v, ark);
    if (*product == SNP_PRODUCT_UNKNOWN)
        return attest_check_fail(r, CHECK_CHAIN, ATTEST_E_SNP_PRODUCT,
                                 "the ARK names no known product");
    char want[32], cn[64];
    snprintf(want, sizeof want, "%s%s", kind == AMD_VEK_VLEK ? "SEV-VLEK-" : "SEV-",
             snp_product_name(*product));
    attest_cert_cn(mid, cn, sizeof cn);
    if (strcmp(cn, want) != 0)
        return attest_check_fail(r, CHECK_CHAIN, ATTEST_E_CERT_PROFILE,
                                 "intermediate CN is '%s', expected '%s'", cn, want);
    errno = 0;
    EVP_PKEY *key = X509_get0_pubkey(vek);
    char group[32] = "";
    size_t glen = 0;
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
        !EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &glen) ||
        strcmp(group, "secp384r1") != 0) {
        if (attest_alloc_failed()) /* the key or its group could not be read */
            return attest_check_fail(r, CHECK_CHAIN, ATTEST_E_NOMEM, "out of memory");
        return attest_check_fail(r, CHECK_CHAIN, ATTEST_E_CERT_PROFILE,
                                 "VEK key is not ECDSA P-384");
    }
    return ATTEST_OK;
}

static void validity_window(STACK_OF(X509) *chain, int64_t *nb, int64_t *na)
{
    *nb = INT64_MIN;
    *na = INT64_MAX;
    for (int i = 0; i < sk_X509_num(chain); i++) {
        int64_t b, a;
        X509 *c = sk_X509_value(chain, i);
        if (attest_asn1_time_to_unix(X509_get0_notBefore(c), &b) == 0 && b > *nb)
            *nb = b;
        if (attest_asn1_time_to_unix(X509_get0_notAfter(c), &a) == 0 && a < *na)
            *na = a;
    }
}

static int verify_uncached(attest_result *r, attest_verifier *v,
                           const attest_collateral *coll, X509 *vek,
                           amd_vek_kind kind, int64_t now,
                           attest_cached_chain *out)
{
    STACK_OF(X509) *chain = NULL;
    snp_product product = SNP_PRODUCT_UNKNOWN;
    /* The ASK/ASVK and ARK from the collateral, else the built-in ones of
     * the product (certs/) while their ARK is anchored. */
    int status = attest_x509_verify_pinned(r, CHECK_CHAIN, v, ATTEST_VENDOR_AMD, vek,
                                           coll ? coll->certs : NULL, now, true, &chain);
    if (status != ATTEST_OK)
        return status;
    if ((status = check_profile(r, v, chain, kind, &product)) != ATTEST_OK) {
        sk_X509_pop_free(chain, X509_free);
        return status;
    }
    out->chain = chain;
    out->product = product;
    validity_window(chain, &out->not_before, &out->not_after);
    return ATTEST_OK;
}

int amd_chain_verify(attest_result *r, attest_verifier *v,
                     const attest_collateral *coll, X509 *vek, amd_vek_kind kind,
                     int64_t now, STACK_OF(X509) **chain, snp_product *product)
{
    uint8_t key[32];
    unsigned int klen = 0;
    attest_cached_chain entry = {0};
    bool keyed = X509_digest(vek, attest_md_sha256(), key, &klen) == 1 && klen == 32;
    /* The cache key also covers the kind, which selects the intermediate. */
    key[0] ^= (uint8_t)kind;
    if (keyed && attest_cache_get(v->cache, key, &entry)) {
        if (now >= entry.not_before && now < entry.not_after) {
            *chain = entry.chain;
            *product = (snp_product)entry.product;
            attest_check_pass(r, CHECK_CHAIN, "VEK -> %s -> ARK-%s (cached)",
                              kind == AMD_VEK_VLEK ? "ASVK" : "ASK",
                              snp_product_name(*product));
            return ATTEST_OK;
        }
        sk_X509_pop_free(entry.chain, X509_free); /* outside its window: re-walk */
    }
    int status = verify_uncached(r, v, coll, vek, kind, now, &entry);
    if (status != ATTEST_OK)
        return status;
    if (keyed)
        attest_cache_put(v->cache, key, &entry);
    *chain = entry.chain;
    *product = (snp_product)entry.product;
    attest_check_pass(r, CHECK_CHAIN, "VEK -> %s -> ARK-%s, pinned, valid at the instant",
                      kind == AMD_VEK_VLEK ? "ASVK" : "ASK", snp_product_name(*product));
    return ATTEST_OK;
}

/* ---- CRL ---------------------------------------------------------------- */

/* Index in `chain` of the CRL's issuer, or -1 when the CRL is about some
 * other hierarchy (then it is simply not relevant). */
static int crl_issuer_index(X509_CRL *crl, STACK_OF(X509) *chain)
{
    for (int i = 1; i < sk_X509_num(chain); i++)
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
                          X509_get_subject_name(sk_X509_value(chain, i))) == 0)
            return i;
    return -1;
}

static int check_one_crl(attest_result *r, X509_CRL *crl, STACK_OF(X509) *chain,
                         int issuer_at, int64_t now)
{
    X509 *issuer = sk_X509_value(chain, issuer_at);
    char cn[64], when[32];
    attest_cert_cn(issuer, cn, sizeof cn);
    errno = 0;
    if (!(X509_get_key_usage(issuer) & KU_CRL_SIGN) ||
        X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
        if (attest_alloc_failed())
            return attest_check_fail(r, CHECK_CRL, ATTEST_E_NOMEM, "out of memory");
        return attest_check_fail(r, CHECK_CRL, ATTEST_E_CRL_SIGNATURE,
                                 "CRL naming '%s' as issuer is not signed by it", cn);
    }
    int64_t this_update, next_update;
    if (attest_asn1_time_to_unix(X509_CRL_get0_lastUpdate(crl), &this_update) != 0 ||
        this_update > now) {
        attest_time_format(when, sizeof when, now);
        return attest_check_fail(r, CHECK_CRL, ATTEST_E_CRL_EXPIRED,
                                 "CRL of '%s' is not yet valid at %s", cn, when);
    }
    if (!X509_CRL_get0_nextUpdate(crl) ||
        attest_asn1_time_to_unix(X509_CRL_get0_nextUpdate(crl), &next_update) != 0 ||
        next_update <= now) {
        attest_time_format(when, sizeof when, now);
        return attest_check_fail(r, CHECK_CRL, ATTEST_E_CRL_EXPIRED,
                                 "CRL of '%s' is stale at %s (nextUpdate passed "
                                 "or absent)", cn, when);
    }
    X509 *subject = sk_X509_value(chain, issuer_at - 1);
    X509_REVOKED *rev = NULL;
    if (X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(subject)) == 1) {
        char scn[64];
        attest_cert_cn(subject, scn, sizeof scn);
        return attest_check_fail(r, CHECK_CRL, ATTEST_E_CERT_REVOKED,
                                 "'%s' is revoked by the CRL of '%s'", scn, cn);
    }
    return ATTEST_OK;
}

int amd_crl_check(attest_result *r, const attest_collateral *coll,
                  STACK_OF(X509) *chain, int64_t now, bool require)
{
    int applied = 0, from_ark = 0;
    int ark_at = sk_X509_num(chain) - 1;
    for (int i = 0; coll && i < sk_X509_CRL_num(coll->crls); i++) {
        X509_CRL *crl = sk_X509_CRL_value(coll->crls, i);
        int at = crl_issuer_index(crl, chain);
        if (at < 0)
            continue;
        int status = check_one_crl(r, crl, chain, at, now);
        if (status != ATTEST_OK)
            return status;
        applied++;
        from_ark += at == ark_at;
    }
    if (require && !from_ark)
        return attest_check_fail(r, CHECK_CRL, ATTEST_E_CRL_MISSING,
                                 "no CRL from the ARK in the collateral (KDS "
                                 "/vcek|vlek/v1/<product>/crl); the policy "
                                 "requires one (snp.require_crl)");
    if (!applied) {
        attest_check_skip(r, CHECK_CRL, "no CRL supplied; revocation not checked "
                                        "(allowed by snp.require_crl = false)");
        return ATTEST_OK;
    }
    attest_check_pass(r, CHECK_CRL, "%d CRL(s) valid at the instant, no chain "
                                    "certificate revoked", applied);
    return ATTEST_OK;
}
