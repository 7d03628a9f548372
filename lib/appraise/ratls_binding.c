/* RA-TLS binding rules (ratls_binding.h). Each rule is one formula from
 * research/ratls.md §0.2, recomputed on the real vectors; REPORT_DATA must
 * equal it in all 64 bytes (the unused tail zero), so that nothing else
 * can hide in the field the rule does not cover. */
#include "ratls_binding.h"

#include <openssl/evp.h>
#include <string.h>

static const struct {
    int rule;
    const char *name;
    unsigned carriers;
} rules[] = {
    {ATTEST_RATLS_SPKI_SHA256, "spki-sha256",
     RATLS_CARRIER_BIT(RATLS_CARRIER_GRAMINE_LEGACY) |
         RATLS_CARRIER_BIT(RATLS_CARRIER_INTEL_LEGACY) | RATLS_CARRIER_BIT(RATLS_CARRIER_OE) |
         RATLS_CARRIER_BIT(RATLS_CARRIER_OE_LEGACY) |
         RATLS_CARRIER_BIT(RATLS_CARRIER_STEWARD_SGX)},
    {ATTEST_RATLS_CLAIMS_SHA256, "claims-sha256", RATLS_CARRIER_BIT(RATLS_CARRIER_TCG_DICE)},
    {ATTEST_RATLS_CSR_SPKI_SHA384, "csr-spki-sha384",
     RATLS_CARRIER_BIT(RATLS_CARRIER_STEWARD_SNP)},
    {ATTEST_RATLS_OE_PEM_SHA256, "oe-pem-sha256",
     RATLS_CARRIER_BIT(RATLS_CARRIER_OE) | RATLS_CARRIER_BIT(RATLS_CARRIER_OE_LEGACY)},
    {ATTEST_RATLS_TINFOIL, "tinfoil", 0},
    {ATTEST_RATLS_NEARAI, "nearai", 0},
};
#define N_RULES (sizeof rules / sizeof rules[0])

unsigned ratls_rule_carriers(int rule)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (rules[i].rule == rule)
            return rules[i].carriers;
    return 0;
}

bool ratls_rule_fetched(int rule)
{
    return rule == ATTEST_RATLS_TINFOIL || rule == ATTEST_RATLS_NEARAI;
}

const char *ratls_rule_str(int rule)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (rules[i].rule == rule)
            return rules[i].name;
    return NULL;
}

/* md over the concatenation of up to three parts. */
static int digest3(const EVP_MD *md, uint8_t *out, const uint8_t *a, size_t an,
                   const uint8_t *b, size_t bn, const uint8_t *c, size_t cn)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
             EVP_DigestUpdate(ctx, a, an) == 1 && (!bn || EVP_DigestUpdate(ctx, b, bn) == 1) &&
             (!cn || EVP_DigestUpdate(ctx, c, cn) == 1) &&
             EVP_DigestFinal_ex(ctx, out, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* The claims' pubkey-hash must be present (Gramine checks it only when
 * present: a claims map without it binds no key) and equal the key's. */
static int check_key_hash(attest_result *r, const ratls_peer_key *k, const ratls_evidence *ev)
{
    const char *name = "ratls.key_hash";
    if (!ev->key_hash_alg)
        return attest_check_fail(r, name, ATTEST_E_RATLS_NO_KEY_HASH,
                                 "the claims carry no pubkey-hash: nothing binds the TLS key");
    const EVP_MD *md = ev->key_hash_alg == 1 ? EVP_sha256()
                       : ev->key_hash_alg == 7 ? EVP_sha384() : EVP_sha512();
    uint8_t h[64];
    if (digest3(md, h, k->spki, k->spki_len, NULL, 0, NULL, 0) != 0)
        return attest_check_fail(r, name, ATTEST_E_INTERNAL, "digest failed");
    if (memcmp(h, ev->key_hash, ev->key_hash_len) != 0)
        return attest_check_fail(r, name, ATTEST_E_RATLS_KEY_HASH,
                                 "pubkey-hash (alg %u) is not the hash of the peer's "
                                 "SubjectPublicKeyInfo", ev->key_hash_alg);
    attest_check_pass(r, name, "pubkey-hash (alg %u) is the peer key's", ev->key_hash_alg);
    return ATTEST_OK;
}

/* The 64 bytes REPORT_DATA must hold. -1 when the rule's inputs are
 * missing (the caller recorded why). */
static int expected(uint8_t want[64], const ratls_peer_key *k, const ratls_bind_in *in)
{
    uint8_t fp[32];
    memset(want, 0, 64);
    switch (in->rule) {
    case ATTEST_RATLS_SPKI_SHA256:
        return digest3(EVP_sha256(), want, k->spki, k->spki_len, NULL, 0, NULL, 0);
    case ATTEST_RATLS_CLAIMS_SHA256:
        return digest3(EVP_sha256(), want, in->ev->claims, in->ev->claims_len, NULL, 0, NULL, 0);
    case ATTEST_RATLS_CSR_SPKI_SHA384:
        return digest3(EVP_sha384(), want, k->spki, k->spki_len, NULL, 0, NULL, 0);
    case ATTEST_RATLS_OE_PEM_SHA256: /* the PEM text and its C string's NUL */
        return k->spki_pem ? digest3(EVP_sha256(), want, (const uint8_t *)k->spki_pem,
                                     k->spki_pem_len, (const uint8_t *)"", 1, NULL, 0)
                           : -1;
    case ATTEST_RATLS_TINFOIL:
        return digest3(EVP_sha256(), fp, k->spki, k->spki_len, NULL, 0, NULL, 0) ||
               digest3(EVP_sha256(), want, fp, 32, in->bound, in->bound_len, in->nonce,
                       in->nonce_len);
    case ATTEST_RATLS_NEARAI:
        if (digest3(EVP_sha256(), fp, k->spki, k->spki_len, NULL, 0, NULL, 0) ||
            digest3(EVP_sha256(), want, in->bound, in->bound_len, fp, 32, NULL, 0))
            return -1;
        memcpy(want + 32, in->nonce, 32);
        return 0;
    default:
        return -1;
    }
}

/* The fetched schemes need the caller's 32-byte nonce and the 32-byte
 * value bound beside the key. */
static int check_fetched_inputs(attest_result *r, const ratls_bind_in *in)
{
    if (!in->nonce || in->nonce_len != 32)
        return attest_check_fail(r, "ratls.freshness", ATTEST_E_RATLS_NONCE,
                                 "the %s scheme binds the caller's 32-byte nonce; %zu bytes "
                                 "given", ratls_rule_str(in->rule), in->nonce ? in->nonce_len : 0);
    if (!in->bound || in->bound_len != 32)
        return attest_check_fail(r, "ratls.binding", ATTEST_E_INVALID_ARG,
                                 "the %s scheme needs its 32-byte %s", ratls_rule_str(in->rule),
                                 in->rule == ATTEST_RATLS_TINFOIL ? "HPKE key"
                                                                  : "signing address");
    return ATTEST_OK;
}

/* In-certificate schemes carry no nonce but an optional TCG claim: a nonce
 * given is compared with it or refused; none given says "not fresh". */
static void check_cert_freshness(attest_result *r, const ratls_bind_in *in)
{
    const char *name = "ratls.freshness";
    bool claim = in->ev && in->ev->has_nonce;
    if (!in->nonce_len) {
        attest_check_skip(r, name, "not fresh: %s; anyone holding the key can replay it",
                          claim ? "the claims' nonce was not compared (no nonce given)"
                                : "the scheme carries no nonce");
        return;
    }
    if (!claim)
        attest_check_fail(r, name, ATTEST_E_RATLS_NONCE, "a nonce was given but the evidence "
                          "carries none, so it cannot be verified");
    else if (in->ev->nonce_len != in->nonce_len ||
             memcmp(in->ev->nonce, in->nonce, in->nonce_len) != 0)
        attest_check_fail(r, name, ATTEST_E_RATLS_NONCE, "the claims' nonce is not the "
                          "caller's");
    else
        attest_check_pass_nonce(r, name, "the claims' nonce (bound by REPORT_DATA) is the "
                                "caller's");
}

int ratls_check_binding(attest_result *r, const uint8_t report_data[64], const ratls_peer_key *k,
                        const ratls_bind_in *in)
{
    bool fetched = ratls_rule_fetched(in->rule);
    if (fetched ? check_fetched_inputs(r, in) != ATTEST_OK : !in->ev)
        return r->status ? r->status
                         : attest_check_fail(r, "ratls.binding", ATTEST_E_INVALID_ARG,
                                             "no evidence for the rule");
    if (in->rule == ATTEST_RATLS_CLAIMS_SHA256 && check_key_hash(r, k, in->ev) != ATTEST_OK)
        return r->status;
    uint8_t want[64];
    if (expected(want, k, in) != 0)
        return attest_check_fail(r, "ratls.binding", ATTEST_E_INTERNAL, "rule %d: digest "
                                 "failed or input missing", in->rule);
    if (memcmp(want, report_data, 64) != 0)
        return attest_check_fail(r, "ratls.binding", ATTEST_E_RATLS_BINDING,
                                 "REPORT_DATA is not %s of this peer's key", ratls_rule_str(
                                     in->rule));
    if (fetched)
        attest_check_pass_nonce(r, "ratls.binding", "REPORT_DATA is %s of the connection's key "
                                "and the caller's nonce", ratls_rule_str(in->rule));
    else
        attest_check_pass(r, "ratls.binding", "REPORT_DATA is %s of this peer's key",
                          ratls_rule_str(in->rule));
    if (!fetched)
        check_cert_freshness(r, in);
    return r->status;
}
