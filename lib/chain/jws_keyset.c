/* Key sets for other verifiers' tokens (jws.h): a JWKS document or PEM
 * text, every key decoded here once into an EVP_PKEY. The set is what the
 * caller trusts, so decoding is strict: a member of the wrong type, a key
 * OpenSSL cannot use, an RSA key under 2048 bits, a JWK whose x5c[0]
 * holds another key, or a set beyond its bounds refuses the whole set
 * (ATTEST_E_KEYSET_MALFORMED naming the key's index and kid) rather than
 * leaving a key out silently. x5c chains are judged at the verification
 * instant, in jws.c. */
#include "jws_keyset.h"

#include "../base/crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#define KID_SHOWN 80 /* characters of a kid quoted in an error */

bool jws_alg_fits(const char *alg, jws_kty kty)
{
    static const char *const rsa_algs[] = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"};
    if (!alg)
        return false;
    if (kty == JWS_KTY_P256)
        return strcmp(alg, "ES256") == 0;
    if (kty == JWS_KTY_P384)
        return strcmp(alg, "ES384") == 0;
    for (size_t i = 0; i < sizeof rsa_algs / sizeof rsa_algs[0]; i++)
        if (strcmp(alg, rsa_algs[i]) == 0)
            return true;
    return false;
}

static int key_error(size_t index, const char *kid, const char *what)
{
    ERR_clear_error();
    return attest_set_error(ATTEST_E_KEYSET_MALFORMED, "jws: key set key %zu (kid %.*s): %s",
                            index, KID_SHOWN, kid ? kid : "(none)", what);
}

/* The type of a decoded key: EC P-256 / P-384 or RSA of 2048 to 16384
 * bits; anything else (other curves, RSA-PSS-restricted keys, DSA, EdDSA)
 * is no key of a JWS algorithm libattest verifies. Returns 0 or -1 with
 * `why` set. */
static int key_type(EVP_PKEY *pkey, jws_kty *out, const char **why)
{
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        int bits = EVP_PKEY_get_bits(pkey);
        *why = bits < JWS_RSA_MIN_BITS ? "RSA key under 2048 bits refused"
                                       : "RSA key over 16384 bits refused";
        *out = JWS_KTY_RSA;
        return bits >= JWS_RSA_MIN_BITS && bits <= JWS_RSA_MAX_BITS ? 0 : -1;
    }
    char group[64];
    *why = "key is neither RSA nor EC P-256 / P-384";
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL) != 1)
        return -1;
    int nid = OBJ_txt2nid(group);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(group);
    if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1)
        return -1;
    *out = nid == NID_secp384r1 ? JWS_KTY_P384 : JWS_KTY_P256;
    return 0;
}

/* A base64url member of a JWK, decoded strictly. NULL when absent; -1 when
 * present but no canonical base64url string. */
static int member_b64url(const json_t *jwk, const char *name, uint8_t **out, size_t *len)
{
    *out = NULL;
    json_t *v = json_object_get(jwk, name);
    if (!v)
        return 0;
    if (!json_is_string(v))
        return -1;
    int rc = attest_base64url_decode(json_string_value(v), json_string_length(v), out, len);
    return rc == 0 ? 1 : rc;
}

static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = bld ? OSSL_PARAM_BLD_to_param(bld) : NULL;
    EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
    EVP_PKEY *pkey = NULL;
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* An EC public key from the JWK's crv, x and y (each exactly the field
 * size, RFC 7518 6.2.1), checked to lie on the curve. */
static int ec_from_jwk(const json_t *jwk, EVP_PKEY **out, const char **why)
{
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    size_t size = crv && strcmp(crv, "P-256") == 0 ? 32 : crv && strcmp(crv, "P-384") == 0 ? 48 : 0;
    *why = "crv is not \"P-256\" or \"P-384\"";
    if (!size)
        return -1;
    uint8_t *x = NULL, *y = NULL, point[1 + 2 * 48];
    size_t xl = 0, yl = 0;
    int rx = member_b64url(jwk, "x", &x, &xl), ry = member_b64url(jwk, "y", &y, &yl);
    int st = -1;
    *why = "x or y missing, not base64url, or not the curve's field size";
    if (rx == 1 && ry == 1 && xl == size && yl == size) {
        point[0] = 0x04; /* uncompressed */
        memcpy(point + 1, x, size);
        memcpy(point + 1 + size, y, size);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, crv, 0) &&
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * size))
            *out = pkey_fromdata("EC", bld);
        OSSL_PARAM_BLD_free(bld);
        *why = "x, y is no point of the curve";
        st = *out ? 0 : -1;
    }
    free(x);
    free(y);
    return st;
}

/* An RSA public key from the JWK's n and e. */
static int rsa_from_jwk(const json_t *jwk, EVP_PKEY **out, const char **why)
{
    uint8_t *n = NULL, *e = NULL;
    size_t nl = 0, el = 0;
    int rn = member_b64url(jwk, "n", &n, &nl), re = member_b64url(jwk, "e", &e, &el);
    BIGNUM *bn = NULL, *be = NULL;
    *why = "n or e missing or not base64url";
    if (rn == 1 && re == 1 && nl > 0 && el > 0 && el <= 8 && nl <= JWS_RSA_MAX_BITS / 8) {
        bn = BN_bin2bn(n, (int)nl, NULL);
        be = BN_bin2bn(e, (int)el, NULL);
        OSSL_PARAM_BLD *bld = bn && be ? OSSL_PARAM_BLD_new() : NULL;
        if (bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
            *out = pkey_fromdata("RSA", bld);
        OSSL_PARAM_BLD_free(bld);
        *why = "n, e is no RSA public key";
    }
    BN_free(bn);
    BN_free(be);
    free(n);
    free(e);
    return *out ? 0 : -1;
}

/* x5c: 1 to 10 certificates, each standard base64 (RFC 7517 4.7) of
 * exactly one DER certificate. */
static int x5c_parse(const json_t *arr, STACK_OF(X509) **out, const char **why)
{
    *why = "x5c is not an array of 1 to 10 base64 DER certificates";
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n == 0 || n > JWS_X5C_MAX || !(*out = sk_X509_new_null()))
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(arr, i);
        uint8_t *der = NULL;
        size_t len = 0;
        if (!json_is_string(s) ||
            attest_base64_decode(json_string_value(s), json_string_length(s), &der, &len) != 0)
            return -1;
        const uint8_t *p = der;
        X509 *cert = len <= INT32_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
        bool whole = cert && p == der + len;
        free(der);
        if (!whole || !sk_X509_push(*out, cert)) {
            X509_free(cert);
            return -1;
        }
    }
    return 0;
}

/* The JWK's own key (EC or RSA members), or NULL when it gives none: an
 * x5c-only JWK (Azure Attestation publishes kid, kty, x5c only). */
static int jwk_own_key(const json_t *jwk, const char *kty, EVP_PKEY **out, const char **why)
{
    *out = NULL;
    if (strcmp(kty, "EC") == 0 && (json_object_get(jwk, "x") || json_object_get(jwk, "y")))
        return ec_from_jwk(jwk, out, why);
    if (strcmp(kty, "RSA") == 0 && (json_object_get(jwk, "n") || json_object_get(jwk, "e")))
        return rsa_from_jwk(jwk, out, why);
    *why = "kty is not \"EC\" or \"RSA\"";
    return strcmp(kty, "EC") == 0 || strcmp(kty, "RSA") == 0 ? 0 : -1;
}

/* The string members kid, kty, alg, use; `use`, when given, must be sig. */
static int jwk_strings(const json_t *jwk, jws_key *k, const char **kty, const char **why)
{
    json_t *kid = json_object_get(jwk, "kid"), *alg = json_object_get(jwk, "alg");
    json_t *use = json_object_get(jwk, "use");
    *kty = json_string_value(json_object_get(jwk, "kty"));
    *why = "kid, kty, alg or use is not a string (kid and kty are required)";
    if (!json_is_string(kid) || !*kty || (alg && !json_is_string(alg)) ||
        (use && !json_is_string(use)))
        return -1;
    *why = "use is not \"sig\"";
    if (use && strcmp(json_string_value(use), "sig") != 0)
        return -1;
    *why = "out of memory";
    k->kid = strdup(json_string_value(kid));
    k->alg = alg ? strdup(json_string_value(alg)) : NULL;
    return k->kid && (!alg || k->alg) ? 0 : -1;
}

/* One JWK: its key from (crv, x, y) / (n, e) or from x5c[0]; both given,
 * they must be the same key. */
static int jwk_parse(const json_t *jwk, size_t index, jws_key *k)
{
    const char *kty = NULL, *why = "not a JSON object";
    EVP_PKEY *own = NULL;
    if (!json_is_object(jwk) || jwk_strings(jwk, k, &kty, &why) != 0)
        return key_error(index, k->kid, why);
    json_t *x5c = json_object_get(jwk, "x5c");
    if (jwk_own_key(jwk, kty, &own, &why) != 0 || (x5c && x5c_parse(x5c, &k->x5c, &why) != 0))
        goto fail;
    EVP_PKEY *leaf = k->x5c ? X509_get0_pubkey(sk_X509_value(k->x5c, 0)) : NULL;
    why = "neither a key (x, y / n, e) nor x5c";
    if (!own && !leaf)
        goto fail;
    why = "x5c[0] holds another key than the JWK";
    if (own && leaf && EVP_PKEY_eq(own, leaf) != 1)
        goto fail;
    k->pkey = own ? own : EVP_PKEY_dup(leaf);
    own = NULL;
    why = "key unusable";
    if (!k->pkey || key_type(k->pkey, &k->kty, &why) != 0)
        goto fail;
    why = strcmp(kty, "EC") == 0 ? "kty EC but the key is RSA" : "kty RSA but the key is EC";
    if ((k->kty == JWS_KTY_RSA) != (strcmp(kty, "RSA") == 0))
        goto fail;
    why = "alg is not a JWS algorithm of this key (ES256, ES384, RS/PS256..512)";
    if (k->alg && !jws_alg_fits(k->alg, k->kty))
        goto fail;
    return ATTEST_OK;
fail:
    EVP_PKEY_free(own);
    return key_error(index, k->kid, why);
}

static int keys_alloc(jws_keyset *ks, size_t count)
{
    if (count == 0)
        return attest_set_error(ATTEST_E_KEYSET_MALFORMED, "jws: key set holds no key");
    if (count > JWS_KEYSET_MAX_KEYS)
        return attest_set_error(ATTEST_E_KEYSET_MALFORMED,
                                "jws: key set holds %zu keys, more than %d", count,
                                JWS_KEYSET_MAX_KEYS);
    ks->keys = calloc(count, sizeof *ks->keys);
    if (!ks->keys)
        return attest_set_error(ATTEST_E_NOMEM, "jws: out of memory");
    return ATTEST_OK;
}

static int jwks_parse(const uint8_t *p, size_t n, jws_keyset *ks)
{
    json_error_t err;
    json_t *doc = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &err);
    json_t *keys = json_object_get(doc, "keys");
    int st;
    if (!json_is_object(doc) || !json_is_array(keys))
        st = attest_set_error(ATTEST_E_KEYSET_MALFORMED,
                              "jws: key set is no JSON object with a keys array (%s)",
                              doc ? "keys missing or not an array" : err.text);
    else if ((st = keys_alloc(ks, json_array_size(keys))) == ATTEST_OK)
        for (size_t i = 0; i < json_array_size(keys) && st == ATTEST_OK; i++) {
            st = jwk_parse(json_array_get(keys, i), i, &ks->keys[i]);
            ks->count = i + 1; /* freed with the set, even half made */
        }
    json_decref(doc);
    return st;
}

/* One PEM block: a CERTIFICATE (its key; the certificate is judged like a
 * one-element x5c) or a PUBLIC KEY. */
static int pem_block(const char *name, const uint8_t *der, long len, size_t index, jws_key *k)
{
    const uint8_t *p = der;
    const char *why = "not a CERTIFICATE or PUBLIC KEY block";
    if (strcmp(name, PEM_STRING_X509) == 0) {
        X509 *cert = d2i_X509(NULL, &p, len);
        why = "certificate undecodable";
        if (cert && p == der + len && (k->x5c = sk_X509_new_null()) && sk_X509_push(k->x5c, cert))
            k->pkey = EVP_PKEY_dup(X509_get0_pubkey(cert));
        else
            X509_free(cert);
    } else if (strcmp(name, PEM_STRING_PUBLIC) == 0) {
        k->pkey = d2i_PUBKEY(NULL, &p, len);
        why = "public key undecodable";
        if (k->pkey && p != der + len) {
            EVP_PKEY_free(k->pkey);
            k->pkey = NULL;
        }
    }
    if (!k->pkey || key_type(k->pkey, &k->kty, &why) != 0)
        return key_error(index, NULL, why);
    return ATTEST_OK;
}

/* PEM text: every block is one key; text between blocks is ignored, a
 * block that does not decode refuses the set. */
static int pem_parse(const uint8_t *p, size_t n, jws_keyset *ks)
{
    ERR_clear_error();
    BIO *bio = BIO_new_mem_buf(p, (int)n);
    int st = bio ? keys_alloc(ks, JWS_KEYSET_MAX_KEYS)
                 : attest_set_error(ATTEST_E_NOMEM, "jws: out of memory");
    ks->from_pem = true;
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long len = 0;
    while (st == ATTEST_OK && PEM_read_bio(bio, &name, &header, &der, &len) == 1) {
        if (ks->count == JWS_KEYSET_MAX_KEYS) {
            st = attest_set_error(ATTEST_E_KEYSET_MALFORMED,
                                  "jws: key set holds more than %d keys", JWS_KEYSET_MAX_KEYS);
        } else {
            st = pem_block(name, der, len, ks->count, &ks->keys[ks->count]);
            ks->count++; /* freed with the set, even half made */
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
    }
    /* the loop ends at the text's end (no further start line) or on a
     * block that does not decode: only the first is a key set */
    unsigned long e = ERR_peek_last_error();
    if (st == ATTEST_OK && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
        st = attest_set_error(ATTEST_E_KEYSET_MALFORMED,
                              "jws: key set PEM block %zu undecodable", ks->count);
    else if (st == ATTEST_OK && ks->count == 0)
        st = attest_set_error(ATTEST_E_KEYSET_MALFORMED, "jws: key set holds no key");
    ERR_clear_error();
    BIO_free(bio);
    return st;
}

int jws_keyset_parse(const uint8_t *p, size_t n, jws_keyset **out)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "jws: out is NULL");
    *out = NULL;
    if (!p || n == 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "jws: no key set");
    if (n > JWS_KEYSET_MAX_BYTES)
        return attest_set_error(ATTEST_E_KEYSET_MALFORMED, "jws: key set of %zu bytes, over %u",
                                n, JWS_KEYSET_MAX_BYTES);
    int st = attest_crypto_init();
    if (st != ATTEST_OK)
        return st;
    jws_keyset *ks = calloc(1, sizeof *ks);
    if (!ks)
        return attest_set_error(ATTEST_E_NOMEM, "jws: out of memory");
    size_t i = 0;
    while (i < n && strchr(" \t\r\n", p[i]) && p[i])
        i++;
    st = i < n && p[i] == '{' ? jwks_parse(p, n, ks) : pem_parse(p, n, ks);
    if (st != ATTEST_OK) {
        jws_keyset_free(ks);
        return st;
    }
    *out = ks;
    return ATTEST_OK;
}

void jws_keyset_free(jws_keyset *ks)
{
    if (!ks)
        return;
    for (size_t i = 0; i < ks->count; i++) {
        free(ks->keys[i].kid);
        free(ks->keys[i].alg);
        EVP_PKEY_free(ks->keys[i].pkey);
        sk_X509_pop_free(ks->keys[i].x5c, X509_free);
    }
    free(ks->keys);
    free(ks);
}
