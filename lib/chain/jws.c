/* Verify another verifier's compact JWS (jws.h), in this order: the three
 * strict base64url parts; the protected header (a JSON object without
 * duplicate members or crit); its alg against the caller's allow-list
 * (none and HS* never); the key chosen by (kid, alg); that key's x5c chain
 * at the instant; the signature (ES* raw r||s, RS* PKCS#1 v1.5, PS* PSS
 * with MGF1 of the same hash and a salt of exactly the hash length); only
 * then the payload (a JSON object without duplicates), iss, exp, nbf and
 * iat. The header's jku, x5u, jwk and x5c are never used: the key comes
 * from the caller's set only. */
#include "jws_keyset.h"

#include "../base/crypto.h"
#include "../base/x509.h"

#include <math.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#define JWS_TOKEN_MAX (1u << 20)
#define SHOWN 80 /* characters of a token's string quoted in an error */

typedef enum { SIG_ECDSA, SIG_PKCS1, SIG_PSS } sig_kind;

typedef struct jws_alg {
    const char *name;
    sig_kind kind;
    const EVP_MD *(*md)(void);
    size_t half; /* ECDSA: bytes of r and of s */
} jws_alg;

/* SHA-256 and SHA-384 through md.c's fetched digests (EVP_sha256() would
 * be fetched again, under OpenSSL's locks, at every verification). */
static const jws_alg ALGS[] = {
    {"ES256", SIG_ECDSA, attest_md_sha256, 32}, {"ES384", SIG_ECDSA, attest_md_sha384, 48},
    {"RS256", SIG_PKCS1, attest_md_sha256, 0},  {"RS384", SIG_PKCS1, attest_md_sha384, 0},
    {"RS512", SIG_PKCS1, EVP_sha512, 0},        {"PS256", SIG_PSS, attest_md_sha256, 0},
    {"PS384", SIG_PSS, attest_md_sha384, 0},    {"PS512", SIG_PSS, EVP_sha512, 0},
};

typedef struct jws_parts {
    const char *seg[3]; /* header, payload, signature (into the token) */
    size_t seg_len[3];
    uint8_t *raw[3];    /* decoded */
    size_t raw_len[3];
} jws_parts;

static void parts_free(jws_parts *t)
{
    for (int i = 0; i < 3; i++)
        free(t->raw[i]);
}

/* Exactly three dot-separated parts, each canonical unpadded base64url
 * (the signature of an unsecured token is empty: refused later, on alg). */
static int split(const char *token, size_t len, jws_parts *t)
{
    static const char *const names[] = {"header", "payload", "signature"};
    if (len > JWS_TOKEN_MAX)
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "jws: token of %zu bytes, over %u",
                                len, JWS_TOKEN_MAX);
    const char *p = token, *end = token + len;
    for (int i = 0; i < 3; i++) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        if ((i < 2 && !dot) || (i == 2 && dot))
            return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                    "jws: token is not three dot-separated parts "
                                    "(header.payload.signature)");
        t->seg[i] = p;
        t->seg_len[i] = (size_t)((i < 2 ? dot : end) - p);
        p = i < 2 ? dot + 1 : end;
    }
    for (int i = 0; i < 3; i++) {
        if (t->seg_len[i] == 0 && i < 2)
            return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "jws: %s part empty", names[i]);
        int rc = attest_base64url_decode(t->seg[i], t->seg_len[i], &t->raw[i], &t->raw_len[i]);
        if (rc == -2)
            return attest_set_error(ATTEST_E_NOMEM, "jws: out of memory");
        if (rc != 0)
            return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                    "jws: %s part is not canonical unpadded base64url", names[i]);
    }
    return ATTEST_OK;
}

/* A JSON object without duplicate members, anywhere in it. */
static int parse_object(const uint8_t *p, size_t n, const char *what, json_t **out)
{
    json_error_t err;
    *out = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &err);
    if (json_is_object(*out))
        return ATTEST_OK;
    bool array = *out != NULL;
    json_decref(*out);
    *out = NULL;
    return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                            "jws: %s is not a JSON object without duplicate members (%s)", what,
                            array ? "an array" : err.text);
}

static bool on_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

/* The header's alg: a string on the caller's list and one libattest
 * verifies; none and HS* (an HMAC keyed with public material) never. */
static int check_alg(const json_t *header, const jws_rules *rules, const jws_alg **out)
{
    if (json_object_get(header, "crit"))
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                "jws: header crit present (no extension is understood)");
    const char *alg = json_string_value(json_object_get(header, "alg"));
    if (!alg)
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "jws: header alg missing or no string");
    if (strcmp(alg, "none") == 0 || strncmp(alg, "HS", 2) == 0)
        return attest_set_error(ATTEST_E_TOKEN_ALG,
                                "jws: header alg %.*s refused (unsigned and HMAC tokens are "
                                "never another verifier's result)",
                                SHOWN, alg);
    if (!on_list(rules->algs, alg))
        return attest_set_error(ATTEST_E_TOKEN_ALG, "jws: header alg %.*s not allowed", SHOWN,
                                alg);
    for (size_t i = 0; i < sizeof ALGS / sizeof ALGS[0]; i++)
        if (strcmp(ALGS[i].name, alg) == 0) {
            *out = &ALGS[i];
            return ATTEST_OK;
        }
    return attest_set_error(ATTEST_E_TOKEN_ALG, "jws: header alg %.*s not supported", SHOWN, alg);
}

/* Whether key `k` may verify `alg`: the JWK's alg when it names one, else
 * any alg of its key type. */
static bool key_takes(const jws_key *k, const char *alg)
{
    return k->alg ? strcmp(k->alg, alg) == 0 : jws_alg_fits(alg, k->kty);
}

/* A PEM set has no kids: its only key answers any kid; with several keys
 * nothing says which one. */
static int select_pem(const jws_keyset *ks, const jws_alg *alg, const jws_key **out)
{
    if (ks->count != 1)
        return attest_set_error(ATTEST_E_TOKEN_KID,
                                "jws: header kid cannot choose among the %zu keys of a PEM key "
                                "set (no kids): give one key, or a JWKS",
                                ks->count);
    if (!key_takes(&ks->keys[0], alg->name))
        return attest_set_error(ATTEST_E_TOKEN_ALG,
                                "jws: header alg %s is not an algorithm of the key set's key",
                                alg->name);
    *out = &ks->keys[0];
    return ATTEST_OK;
}

/* The key for (kid, alg). Every entry with the kid must hold the same key
 * (Intel Trust Authority lists one key twice, alg PS384 and RS256); among
 * them the one whose alg is the header's. */
static int select_key(const jws_keyset *ks, const json_t *header, const jws_alg *alg,
                      const jws_key **out)
{
    if (ks->from_pem)
        return select_pem(ks, alg, out);
    const char *kid = json_string_value(json_object_get(header, "kid"));
    if (!kid)
        return attest_set_error(ATTEST_E_TOKEN_KID, "jws: header kid missing or no string");
    const jws_key *first = NULL, *chosen = NULL;
    for (size_t i = 0; i < ks->count; i++) {
        const jws_key *k = &ks->keys[i];
        if (strcmp(k->kid, kid) != 0)
            continue;
        if (first && EVP_PKEY_eq(first->pkey, k->pkey) != 1)
            return attest_set_error(ATTEST_E_TOKEN_KID,
                                    "jws: header kid %.*s names different keys in the key set",
                                    SHOWN, kid);
        first = first ? first : k;
        if (!chosen && key_takes(k, alg->name))
            chosen = k;
    }
    if (!first)
        return attest_set_error(ATTEST_E_TOKEN_KID,
                                "jws: header kid %.*s unknown to the key set (rotated?)", SHOWN,
                                kid);
    if (!chosen)
        return attest_set_error(ATTEST_E_TOKEN_ALG,
                                "jws: header alg %s is not the alg of key %.*s (%s)", alg->name,
                                SHOWN, kid, first->alg ? first->alg : "its key type");
    *out = chosen;
    return ATTEST_OK;
}

static int cert_error(const jws_key *k, int i, X509 *cert, const char *what)
{
    char cn[128];
    attest_cert_cn(cert, cn, sizeof cn);
    ERR_clear_error();
    return attest_set_error(ATTEST_E_KEYSET_CERT, "jws: key %.*s x5c[%d] (%s) %s", SHOWN,
                            k->kid ? k->kid : "(PEM)", i, cn, what);
}

/* The selected key's certificates: each valid at `at`, each signed by the
 * next one (the last one's issuer, when not in x5c, is the caller's to
 * pin: the set itself is the trust anchor). */
static int check_x5c(const jws_key *k, int64_t at)
{
    int n = k->x5c ? sk_X509_num(k->x5c) : 0;
    for (int i = 0; i < n; i++) {
        X509 *cert = sk_X509_value(k->x5c, i);
        int64_t nb = 0, na = 0;
        if (attest_cert_validity(cert, &nb, &na) != 0)
            return cert_error(k, i, cert, "has undecodable validity dates");
        if (at < nb || at > na) {
            char a[32], b[32], t[32], what[128];
            attest_time_format(a, sizeof a, nb);
            attest_time_format(b, sizeof b, na);
            attest_time_format(t, sizeof t, at);
            snprintf(what, sizeof what, "not valid at %s (valid %s..%s)", t, a, b);
            return cert_error(k, i, cert, what);
        }
        X509 *issuer = i + 1 < n ? sk_X509_value(k->x5c, i + 1) : NULL;
        if (issuer && (X509_check_issued(issuer, cert) != X509_V_OK ||
                       X509_verify(cert, X509_get0_pubkey(issuer)) != 1))
            return cert_error(k, i, cert, "is not issued and signed by x5c[i+1]");
    }
    return ATTEST_OK;
}

static bool rsa_verify(EVP_PKEY *pkey, const jws_alg *alg, const uint8_t *msg, size_t len,
                       const uint8_t *sig, size_t sig_len)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    const EVP_MD *md = alg->md();
    bool ok = mctx && EVP_DigestVerifyInit(mctx, &pctx, md, NULL, pkey) == 1;
    if (ok && alg->kind == SIG_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, EVP_MD_get_size(md)) == 1;
    else if (ok)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    ok = ok && EVP_DigestVerify(mctx, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(mctx);
    ERR_clear_error();
    return ok;
}

/* The signature over "header.payload" as the token spells them. Its
 * length is the algorithm's exactly: 2 * size for ECDSA (a DER signature
 * is refused), the modulus size for RSA. */
static int check_signature(const jws_parts *t, const jws_key *k, const jws_alg *alg)
{
    size_t want = alg->kind == SIG_ECDSA ? 2 * alg->half : (size_t)EVP_PKEY_get_size(k->pkey);
    const uint8_t *msg = (const uint8_t *)t->seg[0];
    size_t len = t->seg_len[0] + 1 + t->seg_len[1];
    bool ok = t->raw_len[2] == want &&
              (alg->kind == SIG_ECDSA
                   ? attest_ecdsa_verify_raw(k->pkey, alg->md(), msg, len, t->raw[2], alg->half) == 1
                   : rsa_verify(k->pkey, alg, msg, len, t->raw[2], t->raw_len[2]));
    ERR_clear_error();
    if (ok)
        return ATTEST_OK;
    return attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                            "jws: %s signature (%zu bytes, %zu expected) does not verify with "
                            "key %.*s",
                            alg->name, t->raw_len[2], want, SHOWN, k->kid ? k->kid : "(PEM)");
}

static int check_issuer(const json_t *claims, const char *issuer)
{
    const char *iss = json_string_value(json_object_get(claims, "iss"));
    if (!iss)
        return attest_set_error(ATTEST_E_TOKEN_ISSUER, "jws: claim iss missing or no string");
    if (strcmp(iss, issuer) != 0)
        return attest_set_error(ATTEST_E_TOKEN_ISSUER,
                                "jws: claim iss \"%.*s\" is not the pinned issuer \"%.*s\"",
                                SHOWN, iss, SHOWN, issuer);
    return ATTEST_OK;
}

/* A NumericDate: an integer, or a real within int64 (rounded towards the
 * stricter side: exp down, nbf and iat up). 1 when absent. */
static int claim_date(const json_t *claims, const char *name, bool round_up, int64_t *out)
{
    json_t *v = json_object_get(claims, name);
    if (!v)
        return 1;
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return ATTEST_OK;
    }
    double d = json_is_real(v) ? json_real_value(v) : NAN;
    /* 2^63 is exact in a double; every double below it converts */
    if (!isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                "jws: claim %s is not a NumericDate within int64", name);
    int64_t t = (int64_t)d; /* towards zero; doubles this large are integers */
    if (round_up && (double)t < d)
        t++;
    else if (!round_up && (double)t > d)
        t--;
    *out = t;
    return ATTEST_OK;
}

static int time_error(const char *name, int64_t value, int64_t at, const char *what)
{
    char v[32], a[32];
    attest_time_format(v, sizeof v, value);
    attest_time_format(a, sizeof a, at);
    return attest_set_error(ATTEST_E_TOKEN_EXPIRED, "jws: claim %s %s %s the instant %s", name,
                            v, what, a);
}

/* exp <= at - skew: expired; nbf or iat > at + skew: not yet valid. */
static int check_times(const json_t *claims, const jws_rules *rules)
{
    int64_t exp = 0, nbf = 0, iat = 0, lo, hi;
    if (__builtin_sub_overflow(rules->at, rules->skew, &lo) ||
        __builtin_add_overflow(rules->at, rules->skew, &hi))
        return attest_set_error(ATTEST_E_INVALID_ARG, "jws: instant +- skew overflows");
    int se = claim_date(claims, "exp", false, &exp);
    int sn = claim_date(claims, "nbf", true, &nbf);
    int si = claim_date(claims, "iat", true, &iat);
    if (se < 0 || sn < 0 || si < 0)
        return se < 0 ? se : sn < 0 ? sn : si;
    if (se == 1 && rules->require_exp)
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "jws: claim exp missing (required)");
    if (se == ATTEST_OK && exp <= lo)
        return time_error("exp", exp, rules->at, "is not after (expired)");
    if (sn == ATTEST_OK && nbf > hi)
        return time_error("nbf", nbf, rules->at, "is after (not yet valid)");
    if (si == ATTEST_OK && iat > hi)
        return time_error("iat", iat, rules->at, "is after (not yet issued)");
    return ATTEST_OK;
}

static int check_args(const char *token, const jws_keyset *ks, const jws_rules *rules)
{
    if (!token || !ks || !rules)
        return attest_set_error(ATTEST_E_INVALID_ARG, "jws: token, key set or rules is NULL");
    if (!rules->algs || !rules->issuer)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "jws: rules without an alg list or a pinned issuer");
    if (rules->skew < 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "jws: negative skew");
    return ATTEST_OK;
}

/* Header to signature: the part that judges what the token's author
 * controls before any claim is read. */
static int check_signed(const jws_parts *t, const jws_keyset *ks, const jws_rules *rules,
                        json_t **header)
{
    const jws_alg *alg = NULL;
    const jws_key *key = NULL;
    int st = parse_object(t->raw[0], t->raw_len[0], "header", header);
    if (st == ATTEST_OK)
        st = check_alg(*header, rules, &alg);
    if (st == ATTEST_OK)
        st = select_key(ks, *header, alg, &key);
    if (st == ATTEST_OK)
        st = check_x5c(key, rules->at);
    if (st == ATTEST_OK)
        st = check_signature(t, key, alg);
    return st;
}

int jws_verify(const char *token, size_t len, const jws_keyset *ks, const jws_rules *rules,
               json_t **header, json_t **claims)
{
    if (header)
        *header = NULL;
    if (claims)
        *claims = NULL;
    int st = check_args(token, ks, rules);
    if (st != ATTEST_OK)
        return st;
    jws_parts t = {0};
    json_t *h = NULL, *c = NULL;
    st = split(token, len, &t);
    if (st == ATTEST_OK)
        st = check_signed(&t, ks, rules, &h);
    if (st == ATTEST_OK)
        st = parse_object(t.raw[1], t.raw_len[1], "payload", &c);
    if (st == ATTEST_OK)
        st = check_issuer(c, rules->issuer);
    if (st == ATTEST_OK)
        st = check_times(c, rules);
    parts_free(&t);
    if (st != ATTEST_OK) {
        json_decref(h);
        json_decref(c);
        return st;
    }
    if (header)
        *header = h;
    else
        json_decref(h);
    if (claims)
        *claims = c;
    else
        json_decref(c);
    return ATTEST_OK;
}
