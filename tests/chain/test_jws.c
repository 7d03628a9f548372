/* Other verifiers' tokens (lib/chain/jws.c, jws_keyset.c): every real
 * token of ../shared/vectors/results (NRAS ES384, Intel Trust Authority
 * PS384, Azure Attestation RS256 with x5c-only keys) verifies with its key
 * set at an instant inside its window (MANIFEST.md section 1); then the
 * negatives of its section 2 on those tokens (unknown kid, HS256 with
 * "secret", alg none, the ITA key's RS256 entry, a pinned issuer of
 * another instance, exp / nbf, DER and flipped signatures, padding, a
 * broken or expired x5c) and synthetic ones signed here with keys made by
 * OpenSSL (duplicate and crit header members, a kid naming two keys, PSS
 * salt length, PEM key sets, key set bounds, NumericDates). */
#include "testutil.h"

#include "base/crypto.h"
#include "chain/jws.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define NRAS_ISS "https://nras.attestation.nvidia.com"
#define ITA_ISS "Intel Trust Authority"
#define MAA_SHARED "https://sharedwus.wus.attest.azure.net"
#define MAA_ISO "https://cpgearamaattestationiso.wus.attest.azure.net"
#define ITA_AT 1701735000 /* 2023-12-05T00:10:00Z */
#define N01 "results/nras/N01_tinfoil_1gpu_2026-06-29/nras_response.json"
#define N04 "results/nras/N04_nanogpt_1gpu_2026-06-10/nras_response.json"
#define JWKS_0629 "results/nras/jwks_2026-06-29.json"
#define JWKS_0610 "results/nras/jwks_2026-06-10.json"
#define ITA_TOKEN "results/ita/token_tdx_2023-12-05_ps384.jwt"
#define ITA_JWKS "results/ita/jwks_portal_79d807.json"
#define MAA_JWKS "results/maa/jwks_sharedwus_2022-11-17.json"

static const char *const ES384[] = {"ES384", NULL};
static const char *const ITA_ALGS[] = {"PS384", "RS256", NULL};
static const char *const RS256[] = {"RS256", NULL};
static const char *const SYNTH_ALGS[] = {"ES256", "ES384", "PS384", "RS256", NULL};

/* ---- helpers -------------------------------------------------------- */

static char *shared_text(const char *rel)
{
    char p[512];
    size_t len;
    uint8_t *d = tu_read(tu_shared(p, sizeof p, rel), &len);
    cr_assert(d, "cannot read %s", p);
    char *s = malloc(len + 1);
    memcpy(s, d, len);
    s[len] = 0;
    free(d);
    return s;
}

static jws_keyset *keyset_text(const char *text)
{
    jws_keyset *ks = NULL;
    cr_assert_eq(jws_keyset_parse((const uint8_t *)text, strlen(text), &ks), ATTEST_OK, "%s",
                 attest_error_last());
    return ks;
}

static jws_keyset *keyset_shared(const char *rel)
{
    char *t = shared_text(rel);
    jws_keyset *ks = keyset_text(t);
    free(t);
    return ks;
}

/* The JWTs of an NRAS response [["JWT", overall], {"GPU-0": jwt, ...}]:
 * out[0] the overall one, then the detached ones. Returns the count. */
static size_t nras_jwts(const char *rel, char **out, size_t max)
{
    char *text = shared_text(rel);
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    cr_assert(json_is_array(doc));
    size_t n = 0;
    out[n++] = strdup(json_string_value(json_array_get(json_array_get(doc, 0), 1)));
    const char *key;
    json_t *v;
    json_object_foreach(json_array_get(doc, 1), key, v)
    {
        cr_assert(n < max);
        out[n++] = strdup(json_string_value(v));
    }
    json_decref(doc);
    return n;
}

static char *nras_overall(const char *rel)
{
    char *jwts[16];
    size_t n = nras_jwts(rel, jwts, 16);
    for (size_t i = 1; i < n; i++)
        free(jwts[i]);
    return jwts[0];
}

/* A claim of the (unverified) payload, for choosing instants. */
static int64_t claim_of(const char *token, const char *name)
{
    const char *a = strchr(token, '.'), *b = strchr(a + 1, '.');
    uint8_t *raw = NULL;
    size_t len = 0;
    cr_assert_eq(attest_base64url_decode(a + 1, (size_t)(b - a - 1), &raw, &len), 0);
    json_t *c = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    int64_t v = (int64_t)json_integer_value(json_object_get(c, name));
    json_decref(c);
    return v;
}

static int verify_full(const char *token, const jws_keyset *ks, const char *const *algs,
                       const char *iss, int64_t at, int64_t skew)
{
    jws_rules r = {.algs = algs, .issuer = iss, .at = at, .skew = skew, .require_exp = true};
    json_t *h = NULL, *c = NULL;
    int st = jws_verify(token, strlen(token), ks, &r, &h, &c);
    cr_assert_eq(st == ATTEST_OK, h != NULL && c != NULL);
    json_decref(h);
    json_decref(c);
    return st;
}

static int verify(const char *token, const jws_keyset *ks, const char *const *algs,
                  const char *iss, int64_t at)
{
    return verify_full(token, ks, algs, iss, at, 0);
}

static EVP_PKEY *new_ec(const char *curve)
{
    EVP_PKEY *k = EVP_EC_gen(curve);
    cr_assert(k);
    return k;
}

static EVP_PKEY *new_rsa(unsigned bits)
{
    EVP_PKEY *k = EVP_RSA_gen(bits);
    cr_assert(k);
    return k;
}

#define expect(st, want) cr_assert_eq((st), (want), "got %d, want %d: %s", (st), (want), \
                                      attest_error_last())

/* ---- real tokens -------------------------------------------------------- */

static void nras_all_verify(const char *rel, const char *jwks, size_t want)
{
    char *jwts[16];
    size_t n = nras_jwts(rel, jwts, 16);
    cr_assert_eq(n, want);
    jws_keyset *ks = keyset_shared(jwks);
    for (size_t i = 0; i < n; i++) {
        expect(verify(jwts[i], ks, ES384, NRAS_ISS, claim_of(jwts[i], "iat") + 60), ATTEST_OK);
        expect(verify(jwts[i], ks, ES384, NRAS_ISS, claim_of(jwts[i], "exp") + 1),
               ATTEST_E_TOKEN_EXPIRED);
        free(jwts[i]);
    }
    jws_keyset_free(ks);
}

Test(jws, nras_n01_two_tokens) { nras_all_verify(N01, JWKS_0629, 2); }
Test(jws, nras_n02_nine_tokens)
{
    nras_all_verify("results/nras/N02_neardirect_8gpu_2026-06-29/nras_response.json", JWKS_0629, 9);
}
Test(jws, nras_n03_nine_tokens_signed)
{
    nras_all_verify("results/nras/N03_chutes_8gpu_nonce_mismatch_2026-06-29/nras_response.json",
                    JWKS_0629, 9);
}
Test(jws, nras_n04_with_its_jwks) { nras_all_verify(N04, JWKS_0610, 2); }

Test(jws, ita_tdx_ps384)
{
    char *tok = shared_text(ITA_TOKEN);
    jws_keyset *ks = keyset_shared(ITA_JWKS);
    jws_rules r = {.algs = ITA_ALGS, .issuer = ITA_ISS, .at = ITA_AT, .require_exp = true};
    json_t *h = NULL, *c = NULL;
    expect(jws_verify(tok, strlen(tok), ks, &r, &h, &c), ATTEST_OK);
    cr_assert_str_eq(json_string_value(json_object_get(h, "alg")), "PS384");
    cr_assert_str_eq(json_string_value(json_object_get(c, "attester_type")), "TDX");
    expect(verify(tok, ks, ITA_ALGS, ITA_ISS, claim_of(tok, "exp") + 1), ATTEST_E_TOKEN_EXPIRED);
    json_decref(h);
    json_decref(c);
    jws_keyset_free(ks);
    free(tok);
}

static void maa_verifies(const char *rel, const char *jwks, const char *iss)
{
    char *tok = shared_text(rel);
    jws_keyset *ks = keyset_shared(jwks);
    expect(verify(tok, ks, RS256, iss, claim_of(tok, "iat") + 60), ATTEST_OK);
    expect(verify(tok, ks, RS256, iss, claim_of(tok, "exp") + 1), ATTEST_E_TOKEN_EXPIRED);
    expect(verify(tok, ks, RS256, iss, claim_of(tok, "iat") - 1), ATTEST_E_TOKEN_EXPIRED);
    jws_keyset_free(ks);
    free(tok);
}

Test(jws, maa_x5c_only_keys)
{
    maa_verifies("results/maa/token_sgx_shared_rs256.jwt", MAA_JWKS, MAA_SHARED);
    maa_verifies("results/maa/token_sgx_shared_runtimedata_binary_rs256.jwt", MAA_JWKS, MAA_SHARED);
    maa_verifies("results/maa/token_sgx_shared_runtimedata_json_rs256.jwt", MAA_JWKS, MAA_SHARED);
    maa_verifies("results/maa/token_sgx_isolated_rs256.jwt",
                 "results/maa/jwks_isolated_2022-11-17.json", MAA_ISO);
}

/* ---- negatives on the real tokens --------------------------------------- */

Test(jws, nras_rotated_kid_unknown)
{
    char *tok = nras_overall(N04);
    jws_keyset *ks = keyset_shared(JWKS_0629);
    expect(verify(tok, ks, ES384, NRAS_ISS, claim_of(tok, "iat") + 60), ATTEST_E_TOKEN_KID);
    jws_keyset_free(ks);
    free(tok);
}

/* "header.payload" re-signed: HS256 keyed with "secret" (nvtrust's local
 * verifier), refused even when the caller lists HS256. */
Test(jws, hs256_secret_refused)
{
    char *tok = nras_overall(N01);
    const char *payload = strchr(tok, '.') + 1;
    size_t plen = (size_t)(strchr(payload, '.') - payload);
    char *hdr = attest_base64url_encode((const uint8_t *)"{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27);
    char msg[8192];
    snprintf(msg, sizeof msg, "%s.%.*s", hdr, (int)plen, payload);
    uint8_t mac[32];
    unsigned mac_len = 0;
    HMAC(EVP_sha256(), "secret", 6, (const uint8_t *)msg, strlen(msg), mac, &mac_len);
    char *sig = attest_base64url_encode(mac, mac_len);
    char forged[8192];
    snprintf(forged, sizeof forged, "%s.%s", msg, sig);
    static const char *const with_hs[] = {"ES384", "HS256", NULL};
    jws_keyset *ks = keyset_shared(JWKS_0629);
    expect(verify(forged, ks, with_hs, NRAS_ISS, claim_of(tok, "iat") + 60), ATTEST_E_TOKEN_ALG);
    cr_assert(strstr(attest_error_last(), "HS256 refused"), "%s", attest_error_last());
    jws_keyset_free(ks);
    free(hdr);
    free(sig);
    free(tok);
}

Test(jws, maa_alg_none_refused)
{
    char *tok = shared_text("results/maa/token_sgx_shared_draftpolicy_alg_none.jwt");
    static const char *const with_none[] = {"RS256", "none", NULL};
    jws_keyset *ks = keyset_shared(MAA_JWKS);
    expect(verify(tok, ks, with_none, MAA_SHARED, claim_of(tok, "iat") + 60),
           ATTEST_E_TOKEN_ALG);
    cr_assert(strstr(attest_error_last(), "none refused"), "%s", attest_error_last());
    jws_keyset_free(ks);
    free(tok);
}

/* The ITA set with one of its two entries only (the same key, alg PS384
 * or RS256): the PS384 token needs the PS384 entry. */
static jws_keyset *ita_entry_only(const char *alg)
{
    char *text = shared_text(ITA_JWKS);
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    json_t *keys = json_object_get(doc, "keys");
    for (size_t i = json_array_size(keys); i-- > 0;)
        if (strcmp(json_string_value(json_object_get(json_array_get(keys, i), "alg")), alg))
            json_array_remove(keys, i);
    cr_assert_eq(json_array_size(keys), 1);
    char *out = json_dumps(doc, 0);
    jws_keyset *ks = keyset_text(out);
    free(out);
    free(text);
    json_decref(doc);
    return ks;
}

Test(jws, ita_rs256_entry_refused)
{
    char *tok = shared_text(ITA_TOKEN);
    jws_keyset *rs = ita_entry_only("RS256"), *ps = ita_entry_only("PS384");
    expect(verify(tok, rs, ITA_ALGS, ITA_ISS, ITA_AT), ATTEST_E_TOKEN_ALG);
    expect(verify(tok, ps, ITA_ALGS, ITA_ISS, ITA_AT), ATTEST_OK);
    jws_keyset_free(rs);
    jws_keyset_free(ps);
    free(tok);
}

Test(jws, maa_isolated_token_shared_issuer)
{
    char *tok = shared_text("results/maa/token_sgx_isolated_rs256.jwt");
    jws_keyset *ks = keyset_shared(MAA_JWKS); /* same key and kid: the signature verifies */
    int64_t at = claim_of(tok, "iat") + 60;
    expect(verify(tok, ks, RS256, MAA_SHARED, at), ATTEST_E_TOKEN_ISSUER);
    expect(verify(tok, ks, RS256, MAA_ISO, at), ATTEST_OK);
    jws_rules r = {.algs = RS256, .issuer = NULL, .at = at};
    expect(jws_verify(tok, strlen(tok), ks, &r, NULL, NULL), ATTEST_E_INVALID_ARG);
    jws_keyset_free(ks);
    free(tok);
}

Test(jws, time_window)
{
    char *tok = nras_overall(N01);
    jws_keyset *ks = keyset_shared(JWKS_0629);
    int64_t exp = claim_of(tok, "exp"), nbf = claim_of(tok, "nbf");
    expect(verify(tok, ks, ES384, NRAS_ISS, exp - 1), ATTEST_OK);
    expect(verify(tok, ks, ES384, NRAS_ISS, exp), ATTEST_E_TOKEN_EXPIRED);
    expect(verify(tok, ks, ES384, NRAS_ISS, exp + 1), ATTEST_E_TOKEN_EXPIRED);
    expect(verify_full(tok, ks, ES384, NRAS_ISS, exp + 1, 2), ATTEST_OK);
    expect(verify(tok, ks, ES384, NRAS_ISS, nbf), ATTEST_OK);
    expect(verify(tok, ks, ES384, NRAS_ISS, nbf - 1), ATTEST_E_TOKEN_EXPIRED);
    expect(verify_full(tok, ks, ES384, NRAS_ISS, nbf - 1, 1), ATTEST_OK);
    jws_keyset_free(ks);
    free(tok);
}

/* The token with its signature part replaced by `sig` (len bytes). */
static char *with_signature(const char *tok, const uint8_t *sig, size_t len)
{
    const char *last = strrchr(tok, '.');
    char *b = attest_base64url_encode(sig, len);
    size_t n = (size_t)(last - tok) + 2 + strlen(b);
    char *out = malloc(n);
    snprintf(out, n, "%.*s.%s", (int)(last - tok), tok, b);
    free(b);
    return out;
}

static uint8_t *signature_of(const char *tok, size_t *len)
{
    const char *last = strrchr(tok, '.') + 1;
    uint8_t *raw = NULL;
    cr_assert_eq(attest_base64url_decode(last, strlen(last), &raw, len), 0);
    return raw;
}

Test(jws, es384_der_and_flipped_signature)
{
    char *tok = nras_overall(N01);
    jws_keyset *ks = keyset_shared(JWKS_0629);
    int64_t at = claim_of(tok, "iat") + 60;
    size_t len;
    uint8_t *rs = signature_of(tok, &len);
    cr_assert_eq(len, 96);
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(rs, 48, NULL), BN_bin2bn(rs + 48, 48, NULL));
    uint8_t *der = NULL;
    int der_len = i2d_ECDSA_SIG(sig, &der);
    char *t_der = with_signature(tok, der, (size_t)der_len);
    expect(verify(t_der, ks, ES384, NRAS_ISS, at), ATTEST_E_TOKEN_SIGNATURE);
    char *t_short = with_signature(tok, rs, len - 1);
    expect(verify(t_short, ks, ES384, NRAS_ISS, at), ATTEST_E_TOKEN_SIGNATURE);
    free(t_short);
    uint8_t longer[97];
    memcpy(longer, rs, 96);
    longer[96] = 0; /* a valid r||s with a byte after it */
    char *t_long = with_signature(tok, longer, sizeof longer);
    expect(verify(t_long, ks, ES384, NRAS_ISS, at), ATTEST_E_TOKEN_SIGNATURE);
    free(t_long);
    rs[17] ^= 0x01;
    char *t_flip = with_signature(tok, rs, len);
    expect(verify(t_flip, ks, ES384, NRAS_ISS, at), ATTEST_E_TOKEN_SIGNATURE);
    ECDSA_SIG_free(sig);
    OPENSSL_free(der);
    free(t_der);
    free(t_flip);
    free(rs);
    jws_keyset_free(ks);
    free(tok);
}

Test(jws, rsa_flipped_signature)
{
    char *tok = shared_text(ITA_TOKEN);
    jws_keyset *ks = keyset_shared(ITA_JWKS);
    size_t len;
    uint8_t *sig = signature_of(tok, &len);
    sig[len - 1] ^= 0x80;
    char *t = with_signature(tok, sig, len);
    expect(verify(t, ks, ITA_ALGS, ITA_ISS, ITA_AT), ATTEST_E_TOKEN_SIGNATURE);
    free(t);
    free(sig);
    jws_keyset_free(ks);
    free(tok);
}

/* '=' padding on a part whose length is not a multiple of 4. */
Test(jws, padded_base64url_refused)
{
    char *tok = nras_overall(N01);
    jws_keyset *ks = keyset_shared(JWKS_0629);
    const char *dot1 = strchr(tok, '.'), *dot2 = strchr(dot1 + 1, '.');
    size_t hl = (size_t)(dot1 - tok), pl = (size_t)(dot2 - dot1 - 1);
    char *out = malloc(strlen(tok) + 8);
    if (hl % 4)
        sprintf(out, "%.*s%.*s%s", (int)hl, tok, (int)(4 - hl % 4), "===", dot1);
    else {
        cr_assert(pl % 4, "no part of the token needs padding");
        sprintf(out, "%.*s%.*s%s", (int)(dot2 - tok), tok, (int)(4 - pl % 4), "===", dot2);
    }
    expect(verify(out, ks, ES384, NRAS_ISS, claim_of(tok, "iat") + 60),
           ATTEST_E_TOKEN_MALFORMED);
    free(out);
    jws_keyset_free(ks);
    free(tok);
}

Test(jws, token_shape_refused)
{
    char *tok = nras_overall(N01);
    jws_keyset *ks = keyset_shared(JWKS_0629);
    int64_t at = claim_of(tok, "iat") + 60;
    size_t n = strlen(tok);
    char *four = malloc(n + 4);
    sprintf(four, "%s.AA", tok);
    expect(verify(four, ks, ES384, NRAS_ISS, at), ATTEST_E_TOKEN_MALFORMED);
    *strrchr(tok, '.') = 0;
    expect(verify(tok, ks, ES384, NRAS_ISS, at), ATTEST_E_TOKEN_MALFORMED);
    jws_rules r = {.algs = ES384, .issuer = NRAS_ISS, .at = at};
    expect(jws_verify("a.b.c", (size_t)(1u << 20) + 1, ks, &r, NULL, NULL),
           ATTEST_E_TOKEN_MALFORMED);
    free(four);
    jws_keyset_free(ks);
    free(tok);
}

/* The NRAS set with key 0's x5c taken from `from` (or its x5c[index]
 * replaced by `from`'s x5c[0] when index >= 0). */
static char *nras_set_x5c(json_t *doc, size_t from, int index)
{
    json_t *keys = json_object_get(doc, "keys");
    json_t *src = json_object_get(json_array_get(keys, from), "x5c");
    json_t *dst = json_array_get(keys, 0);
    if (index < 0)
        json_object_set(dst, "x5c", src);
    else
        json_array_set(json_object_get(dst, "x5c"), (size_t)index, json_array_get(src, 0));
    return json_dumps(doc, 0);
}

Test(jws, x5c_not_the_jwk_key)
{
    char *text = shared_text(JWKS_0629);
    json_t *doc = json_loads(text, 0, NULL);
    char *bad = nras_set_x5c(doc, 1, -1);
    jws_keyset *ks = NULL;
    expect(jws_keyset_parse((const uint8_t *)bad, strlen(bad), &ks), ATTEST_E_KEYSET_MALFORMED);
    cr_assert_null(ks);
    free(bad);
    json_decref(doc);
    free(text);
}

/* x5c[1] replaced by another certificate: x5c[0] is no longer issued by
 * it (checked at verification, for the selected key only). */
Test(jws, x5c_chain_broken)
{
    char *tok = nras_overall(N01);
    char *text = shared_text(JWKS_0629);
    json_t *doc = json_loads(text, 0, NULL);
    json_t *keys = json_object_get(doc, "keys");
    const char *kid = NULL;
    size_t idx = 0;
    char *hdr_kid = NULL;
    { /* the token's key first, so that index 0 is the selected one */
        const char *dot = strchr(tok, '.');
        uint8_t *raw;
        size_t len;
        cr_assert_eq(attest_base64url_decode(tok, (size_t)(dot - tok), &raw, &len), 0);
        json_t *h = json_loadb((const char *)raw, len, 0, NULL);
        hdr_kid = strdup(json_string_value(json_object_get(h, "kid")));
        json_decref(h);
        free(raw);
    }
    for (size_t i = 0; i < json_array_size(keys); i++) {
        kid = json_string_value(json_object_get(json_array_get(keys, i), "kid"));
        if (strcmp(kid, hdr_kid) == 0)
            idx = i;
    }
    json_t *mine = json_incref(json_array_get(keys, idx));
    json_array_remove(keys, idx);
    json_array_insert_new(keys, 0, mine);
    char *bad = nras_set_x5c(doc, 1, 1); /* another key's leaf as "issuer" */
    jws_keyset *ks = keyset_text(bad);
    expect(verify(tok, ks, ES384, NRAS_ISS, claim_of(tok, "iat") + 60), ATTEST_E_KEYSET_CERT);
    jws_keyset_free(ks);
    free(bad);
    free(hdr_kid);
    json_decref(doc);
    free(text);
    free(tok);
}

/* x5c[1] as the intermediate with another key or subject name (the last certificate's
 * own signature is not checked: its issuer is not in x5c). */
static void x5c_issuer_altered(bool other_key)
{
    char *tok = nras_overall(N01);
    char p[512];
    size_t len;
    uint8_t *der = tu_read(tu_shared(p, sizeof p, "results/nras/nras_gpu_intermediate_004.der"),
                           &len);
    const uint8_t *q = der;
    X509 *fake = d2i_X509(NULL, &q, (long)len);
    EVP_PKEY *k = new_rsa(2048);
    if (other_key)
        cr_assert(X509_set_pubkey(fake, k) == 1);
    else
        cr_assert(X509_NAME_add_entry_by_txt(X509_get_subject_name(fake), "OU", MBSTRING_ASC,
                                             (const uint8_t *)"other", -1, -1, 0) == 1);
    cr_assert(X509_sign(fake, k, EVP_sha256()) > 0);
    uint8_t *fder = NULL;
    int flen = i2d_X509(fake, &fder);
    char *b64 = malloc((size_t)flen * 2 + 4);
    EVP_EncodeBlock((uint8_t *)b64, fder, flen);
    char *text = shared_text(JWKS_0629);
    json_t *doc = json_loads(text, 0, NULL);
    json_t *keys = json_object_get(doc, "keys");
    for (size_t i = 0; i < json_array_size(keys); i++)
        json_array_set_new(json_object_get(json_array_get(keys, i), "x5c"), 1, json_string(b64));
    char *out = json_dumps(doc, 0);
    jws_keyset *ks = keyset_text(out);
    expect(verify(tok, ks, ES384, NRAS_ISS, claim_of(tok, "iat") + 60), ATTEST_E_KEYSET_CERT);
    jws_keyset_free(ks);
    free(out);
    json_decref(doc);
    free(text);
    free(b64);
    OPENSSL_free(fder);
    EVP_PKEY_free(k);
    X509_free(fake);
    free(der);
    free(tok);
}

/* The intermediate's names and extensions but another key:
 * X509_check_issued accepts it, the leaf's signature does not verify. */
Test(jws, x5c_issuer_key_swapped) { x5c_issuer_altered(true); }

/* The intermediate's key under another subject name: the leaf's signature
 * verifies, its issuer name is not this certificate's. */
Test(jws, x5c_issuer_renamed) { x5c_issuer_altered(false); }

/* The ITA leaf expired on 2024-09-11: at 2024-10-01 the key's x5c refuses
 * before exp is looked at (the skew covers exp). */
Test(jws, x5c_leaf_expired)
{
    char *tok = shared_text(ITA_TOKEN);
    jws_keyset *ks = keyset_shared(ITA_JWKS);
    int64_t at = 1727740800; /* 2024-10-01T00:00:00Z */
    expect(verify_full(tok, ks, ITA_ALGS, ITA_ISS, at, at - ITA_AT + 3600),
           ATTEST_E_KEYSET_CERT);
    expect(verify_full(tok, ks, ITA_ALGS, ITA_ISS, ITA_AT + 3600, 3600), ATTEST_OK);
    jws_keyset_free(ks);
    free(tok);
}

/* ---- synthetic tokens, keys made here ------------------------------------ */

static char *b64url_bn(EVP_PKEY *k, const char *param)
{
    BIGNUM *bn = NULL;
    cr_assert(EVP_PKEY_get_bn_param(k, param, &bn));
    uint8_t buf[1024];
    int n = BN_bn2bin(bn, buf);
    BN_free(bn);
    return attest_base64url_encode(buf, (size_t)n);
}

/* A JWK of `k` (EC x/y or RSA n/e), with `alg` when not NULL. */
static json_t *jwk_of(EVP_PKEY *k, const char *kid, const char *alg)
{
    json_t *j = json_object();
    json_object_set_new(j, "kid", json_string(kid));
    if (alg)
        json_object_set_new(j, "alg", json_string(alg));
    if (EVP_PKEY_is_a(k, "RSA")) {
        char *n = b64url_bn(k, OSSL_PKEY_PARAM_RSA_N), *e = b64url_bn(k, OSSL_PKEY_PARAM_RSA_E);
        json_object_set_new(j, "kty", json_string("RSA"));
        json_object_set_new(j, "n", json_string(n));
        json_object_set_new(j, "e", json_string(e));
        free(n);
        free(e);
        return j;
    }
    uint8_t pt[97];
    size_t len = 0;
    cr_assert(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &len));
    size_t half = (len - 1) / 2;
    char *x = attest_base64url_encode(pt + 1, half), *y = attest_base64url_encode(pt + 1 + half, half);
    json_object_set_new(j, "kty", json_string("EC"));
    json_object_set_new(j, "crv", json_string(half == 48 ? "P-384" : "P-256"));
    json_object_set_new(j, "x", json_string(x));
    json_object_set_new(j, "y", json_string(y));
    free(x);
    free(y);
    return j;
}

static jws_keyset *set_of(json_t *jwk1, json_t *jwk2)
{
    json_t *doc = json_pack("{s:[o]}", "keys", jwk1);
    if (jwk2)
        json_array_append_new(json_object_get(doc, "keys"), jwk2);
    char *text = json_dumps(doc, 0);
    jws_keyset *ks = keyset_text(text);
    free(text);
    json_decref(doc);
    return ks;
}

/* Sign the header and payload texts as given (ES256/ES384 raw r||s,
 * RS256 PKCS#1 v1.5, PS384 PSS with salt `salt`). */
static char *sign_token(const char *header, const char *payload, EVP_PKEY *k, const char *alg,
                        int salt)
{
    char *h = attest_base64url_encode((const uint8_t *)header, strlen(header));
    char *p = attest_base64url_encode((const uint8_t *)payload, strlen(payload));
    size_t mlen = strlen(h) + strlen(p) + 2;
    char *msg = malloc(mlen);
    snprintf(msg, mlen, "%s.%s", h, p);
    uint8_t sig[1024];
    size_t sig_len = sizeof sig;
    if (alg[0] == 'E') {
        size_t half = strcmp(alg, "ES384") == 0 ? 48 : 32;
        cr_assert_eq(attest_ecdsa_sign_raw(k, half == 48 ? EVP_sha384() : EVP_sha256(),
                                           (const uint8_t *)msg, strlen(msg), sig, half),
                     0);
        sig_len = 2 * half;
    } else {
        const EVP_MD *md = alg[2] == '3' ? EVP_sha384() : EVP_sha256();
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pc = NULL;
        cr_assert(EVP_DigestSignInit(m, &pc, md, NULL, k) == 1);
        if (alg[0] == 'P') {
            EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING);
            EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md);
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, salt);
        }
        cr_assert(EVP_DigestSign(m, sig, &sig_len, (const uint8_t *)msg, strlen(msg)) == 1);
        EVP_MD_CTX_free(m);
    }
    char *s = attest_base64url_encode(sig, sig_len);
    size_t tlen = mlen + strlen(s) + 1;
    char *tok = malloc(tlen);
    snprintf(tok, tlen, "%s.%s", msg, s);
    free(h);
    free(p);
    free(msg);
    free(s);
    return tok;
}

#define SYN_ISS "https://verifier.example"
#define SYN_AT 1780000000
#define SYN_CLAIMS "{\"iss\":\"" SYN_ISS "\",\"iat\":1779999000,\"exp\":1780003600}"

static int verify_synth(const char *tok, const jws_keyset *ks)
{
    return verify(tok, ks, SYNTH_ALGS, SYN_ISS, SYN_AT);
}

Test(jws, synthetic_header_members)
{
    EVP_PKEY *k = new_ec("P-384");
    jws_keyset *ks = set_of(jwk_of(k, "k1", NULL), NULL);
    char *ok = sign_token("{\"alg\":\"ES384\",\"kid\":\"k1\"}", SYN_CLAIMS, k, "ES384", 0);
    expect(verify_synth(ok, ks), ATTEST_OK);
    char *dup = sign_token("{\"alg\":\"ES384\",\"kid\":\"k1\",\"kid\":\"k1\"}", SYN_CLAIMS, k,
                           "ES384", 0);
    expect(verify_synth(dup, ks), ATTEST_E_TOKEN_MALFORMED);
    char *crit = sign_token("{\"alg\":\"ES384\",\"kid\":\"k1\",\"crit\":[\"b64\"],\"b64\":false}",
                            SYN_CLAIMS, k, "ES384", 0);
    expect(verify_synth(crit, ks), ATTEST_E_TOKEN_MALFORMED);
    char *nokid = sign_token("{\"alg\":\"ES384\"}", SYN_CLAIMS, k, "ES384", 0);
    expect(verify_synth(nokid, ks), ATTEST_E_TOKEN_KID);
    char *dup_claim = sign_token("{\"alg\":\"ES384\",\"kid\":\"k1\"}",
                                 "{\"iss\":\"" SYN_ISS "\",\"exp\":1780003600,\"exp\":1}", k,
                                 "ES384", 0);
    expect(verify_synth(dup_claim, ks), ATTEST_E_TOKEN_MALFORMED);
    char *es256 = sign_token("{\"alg\":\"ES256\",\"kid\":\"k1\"}", SYN_CLAIMS, k, "ES384", 0);
    expect(verify_synth(es256, ks), ATTEST_E_TOKEN_ALG); /* P-384 key: ES384 only */
    free(ok);
    free(dup);
    free(crit);
    free(nokid);
    free(dup_claim);
    free(es256);
    jws_keyset_free(ks);
    EVP_PKEY_free(k);
}

/* One kid naming two different keys: ambiguous, whichever signed. */
Test(jws, synthetic_kid_two_keys)
{
    EVP_PKEY *a = new_ec("P-384"), *b = new_ec("P-384");
    jws_keyset *ks = set_of(jwk_of(a, "k1", NULL), jwk_of(b, "k1", NULL));
    char *tok = sign_token("{\"alg\":\"ES384\",\"kid\":\"k1\"}", SYN_CLAIMS, a, "ES384", 0);
    expect(verify_synth(tok, ks), ATTEST_E_TOKEN_KID);
    jws_keyset *same = set_of(jwk_of(a, "k1", "ES384"), jwk_of(a, "k1", NULL));
    expect(verify_synth(tok, same), ATTEST_OK);
    free(tok);
    jws_keyset_free(ks);
    jws_keyset_free(same);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

/* PS384 salt = hash length exactly; another salt length is refused. */
Test(jws, synthetic_pss_salt_length)
{
    EVP_PKEY *k = new_rsa(2048);
    jws_keyset *ks = set_of(jwk_of(k, "r1", NULL), NULL);
    char *ok = sign_token("{\"alg\":\"PS384\",\"kid\":\"r1\"}", SYN_CLAIMS, k, "PS384", 48);
    expect(verify_synth(ok, ks), ATTEST_OK);
    char *salt32 = sign_token("{\"alg\":\"PS384\",\"kid\":\"r1\"}", SYN_CLAIMS, k, "PS384", 32);
    expect(verify_synth(salt32, ks), ATTEST_E_TOKEN_SIGNATURE);
    char *rs = sign_token("{\"alg\":\"RS256\",\"kid\":\"r1\"}", SYN_CLAIMS, k, "RS256", 0);
    expect(verify_synth(rs, ks), ATTEST_OK);
    free(ok);
    free(salt32);
    free(rs);
    jws_keyset_free(ks);
    EVP_PKEY_free(k);
}

Test(jws, synthetic_dates)
{
    EVP_PKEY *k = new_ec("P-256");
    jws_keyset *ks = set_of(jwk_of(k, "k", NULL), NULL);
    static const struct {
        const char *claims;
        int want;
    } cases[] = {
        {"{\"iss\":\"" SYN_ISS "\",\"exp\":1780000001.5}", ATTEST_OK},
        {"{\"iss\":\"" SYN_ISS "\",\"exp\":1780000000.5}", ATTEST_E_TOKEN_EXPIRED}, /* floor */
        {"{\"iss\":\"" SYN_ISS "\",\"exp\":1780000000.0}", ATTEST_E_TOKEN_EXPIRED},
        {"{\"iss\":\"" SYN_ISS "\",\"exp\":1e300}", ATTEST_E_TOKEN_MALFORMED},
        {"{\"iss\":\"" SYN_ISS "\",\"exp\":\"1780003600\"}", ATTEST_E_TOKEN_MALFORMED},
        {"{\"iss\":\"" SYN_ISS "\"}", ATTEST_E_TOKEN_MALFORMED},
        {"{\"iss\":\"" SYN_ISS "\",\"exp\":1780003600,\"nbf\":1780000001}",
         ATTEST_E_TOKEN_EXPIRED},
        {"{\"iss\":\"" SYN_ISS "\",\"exp\":1780003600,\"iat\":1780000001}",
         ATTEST_E_TOKEN_EXPIRED},
        {"{\"iss\":\"" SYN_ISS "\",\"exp\":1780003600,\"iat\":1780000000,\"nbf\":1780000000}",
         ATTEST_OK},
        {"{\"exp\":1780003600}", ATTEST_E_TOKEN_ISSUER},
        {"{\"iss\":\"" SYN_ISS "/\",\"exp\":1780003600}", ATTEST_E_TOKEN_ISSUER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *tok = sign_token("{\"alg\":\"ES256\",\"kid\":\"k\"}", cases[i].claims, k, "ES256", 0);
        int st = verify_synth(tok, ks);
        cr_expect_eq(st, cases[i].want, "case %zu: got %d want %d: %s", i, st, cases[i].want,
                     attest_error_last());
        free(tok);
    }
    jws_keyset_free(ks);
    EVP_PKEY_free(k);
}

/* ---- key sets -------------------------------------------------------- */

static char *pem_of(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(b, k);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *out = strndup(p, (size_t)n);
    BIO_free(b);
    return out;
}

static int parse_status(const char *text)
{
    jws_keyset *ks = NULL;
    int st = jws_keyset_parse((const uint8_t *)text, strlen(text), &ks);
    cr_assert_eq(st == ATTEST_OK, ks != NULL);
    jws_keyset_free(ks);
    return st;
}

Test(jws, keyset_pem)
{
    EVP_PKEY *a = new_ec("P-384"), *b = new_ec("P-384");
    char *pa = pem_of(a), *pb = pem_of(b);
    jws_keyset *one = keyset_text(pa);
    char *tok = sign_token("{\"alg\":\"ES384\",\"kid\":\"any\"}", SYN_CLAIMS, a, "ES384", 0);
    expect(verify_synth(tok, one), ATTEST_OK);
    char both[4096];
    snprintf(both, sizeof both, "%s%s", pa, pb);
    jws_keyset *two = keyset_text(both);
    expect(verify_synth(tok, two), ATTEST_E_TOKEN_KID);
    jws_keyset *other = keyset_text(pb);
    expect(verify_synth(tok, other), ATTEST_E_TOKEN_SIGNATURE);
    char broken[4096]; /* a good block, then one that does not decode */
    snprintf(broken, sizeof broken, "%s%s", pa, pb);
    broken[strlen(pa) + 40] = '*';
    expect(parse_status(broken), ATTEST_E_KEYSET_MALFORMED);
    expect(parse_status("no key here"), ATTEST_E_KEYSET_MALFORMED);
    free(tok);
    free(pa);
    free(pb);
    jws_keyset_free(one);
    jws_keyset_free(two);
    jws_keyset_free(other);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

/* The ITA leaf certificate as PEM verifies the ITA token (kid ignored). */
Test(jws, keyset_pem_certificate)
{
    char p[512];
    size_t len;
    uint8_t *der = tu_read(tu_shared(p, sizeof p, "results/ita/ita_token_signing_2023-09.der"),
                           &len);
    const uint8_t *q = der;
    X509 *c = d2i_X509(NULL, &q, (long)len);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, c);
    char *pem;
    long n = BIO_get_mem_data(b, &pem);
    jws_keyset *ks = NULL;
    expect(jws_keyset_parse((const uint8_t *)pem, (size_t)n, &ks), ATTEST_OK);
    char *tok = shared_text(ITA_TOKEN);
    expect(verify(tok, ks, ITA_ALGS, ITA_ISS, ITA_AT), ATTEST_OK);
    free(tok);
    jws_keyset_free(ks);
    BIO_free(b);
    X509_free(c);
    free(der);
}

Test(jws, keyset_refusals)
{
    EVP_PKEY *small = new_rsa(1024), *ec = new_ec("P-256");
    json_t *doc = json_pack("{s:[o]}", "keys", jwk_of(small, "s", NULL));
    char *text = json_dumps(doc, 0);
    expect(parse_status(text), ATTEST_E_KEYSET_MALFORMED); /* RSA-1024 */
    free(text);
    json_decref(doc);
    json_t *jwk = jwk_of(ec, "e", "RS256"); /* alg of another key type */
    doc = json_pack("{s:[o]}", "keys", jwk);
    text = json_dumps(doc, 0);
    expect(parse_status(text), ATTEST_E_KEYSET_MALFORMED);
    free(text);
    json_object_set_new(jwk, "alg", json_string("ES256"));
    json_object_set_new(jwk, "crv", json_string("P-384")); /* x, y of P-256 size */
    text = json_dumps(doc, 0);
    expect(parse_status(text), ATTEST_E_KEYSET_MALFORMED);
    free(text);
    json_object_set_new(jwk, "crv", json_string("P-256"));
    text = json_dumps(doc, 0);
    expect(parse_status(text), ATTEST_OK);
    for (int i = 0; i < 256; i++)
        json_array_append(json_object_get(doc, "keys"), jwk);
    free(text);
    text = json_dumps(doc, 0); /* 257 keys */
    expect(parse_status(text), ATTEST_E_KEYSET_MALFORMED);
    free(text);
    json_decref(doc);
    expect(parse_status("{\"keys\":[],\"keys\":[]}"), ATTEST_E_KEYSET_MALFORMED);
    expect(parse_status("{\"keys\":[]}"), ATTEST_E_KEYSET_MALFORMED);
    expect(parse_status("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}]}"),
           ATTEST_E_KEYSET_MALFORMED);
    EVP_PKEY_free(small);
    EVP_PKEY_free(ec);
}

/* The public handle over the key set (lib/api/keyset.c). */
Test(jws, keyset_public_handle)
{
    char *text = shared_text(JWKS_0629);
    attest_keyset *ks = NULL;
    expect(attest_keyset_new(&ks, (const uint8_t *)text, strlen(text)), ATTEST_OK);
    cr_assert_not_null(ks);
    attest_keyset_free(ks);
    expect(attest_keyset_new(&ks, (const uint8_t *)"{\"keys\":5}", 10),
           ATTEST_E_KEYSET_MALFORMED);
    cr_assert_null(ks);
    expect(attest_keyset_new(&ks, NULL, 0), ATTEST_E_INVALID_ARG);
    expect(attest_keyset_new(NULL, (const uint8_t *)text, strlen(text)), ATTEST_E_INVALID_ARG);
    attest_keyset_free(NULL);
    free(text);
}
