/* Attestation result tokens: the result of a verification as an EAT with
 * the EAR profile, signed as a JWT (ES256 / ES384 through libjwt), and the
 * same claims as unsigned CBOR (libcbor). docs/token.md describes the
 * claims and the checks attest_token_verify makes.
 *
 * libjwt 1.10 is used for signing and for the signature check only. It is
 * not trusted to choose the algorithm: jwt_decode accepts whatever "alg"
 * the token's header names, so an HS256 token whose HMAC secret is the
 * public key PEM verifies (algorithm confusion), and a token decoded
 * without a key is accepted unverified. attest_token_verify therefore
 * parses and checks the header itself first (strict base64url, no
 * duplicate members, alg = ES256 for a P-256 key and ES384 for a P-384
 * key, nothing else) and hands libjwt only tokens that passed. */
#include "../core/internal.h"

#include <cbor.h>
#include <errno.h>
#include <jwt.h>
#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EAR_PROFILE "tag:github.com,2023:veraison/ear"
#define TOKEN_MAX_LEN (16u * 1024u * 1024u) /* refuse larger tokens outright */
#define CBOR_MAX_DEPTH 256

/* ---- key handling ------------------------------------------------------ */

typedef struct token_alg {
    jwt_alg_t jwt;        /* JWT_ALG_ES256 / JWT_ALG_ES384 */
    const char *name;     /* "ES256" / "ES384" */
    const char *curve;    /* "P-256" / "P-384" (for messages) */
    const EVP_MD *(*md)(void);
    size_t half;          /* bytes of r (and of s) in the JWS signature */
} token_alg;

static const token_alg ALG_ES256 = {JWT_ALG_ES256, "ES256", "P-256", EVP_sha256, 32};
static const token_alg ALG_ES384 = {JWT_ALG_ES384, "ES384", "P-384", EVP_sha384, 48};

/* The algorithm a key signs with, or NULL with an ATTEST_E_INVALID_ARG
 * error naming the key type. */
static const token_alg *alg_for_key(EVP_PKEY *pkey, const char *what)
{
    char group[64] = "";
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
        EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL) == 1) {
        if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
            return &ALG_ES256;
        if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
            return &ALG_ES384;
    }
    ERR_clear_error();
    const char *type = EVP_PKEY_get0_type_name(pkey);
    if (!type)
        type = "unknown";
    if (group[0])
        attest_set_error(ATTEST_E_INVALID_ARG,
                         "token: %s is of type %s on curve %s; only EC P-256 (ES256) "
                         "and P-384 (ES384) are supported",
                         what, type, group);
    else
        attest_set_error(ATTEST_E_INVALID_ARG,
                         "token: %s is of type %s (%d bits); only EC P-256 (ES256) "
                         "and P-384 (ES384) are supported",
                         what, type, EVP_PKEY_get_bits(pkey));
    return NULL;
}

/* Never prompt for a passphrase (OpenSSL's default callback reads the
 * terminal): an encrypted key is refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static BIO *mem_bio(const char *pem, size_t len)
{
    if (len > INT_MAX)
        return NULL;
    return BIO_new_mem_buf(pem, (int)len);
}

/* hex(SHA-256(DER SubjectPublicKeyInfo)) into kid[65]. Returns 0 or -1. */
static int key_id(EVP_PKEY *pkey, char kid[65])
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(pkey, &der);
    uint8_t digest[32];
    unsigned dlen = 0;
    int ok = n > 0 && EVP_Digest(der, (size_t)n, digest, &dlen, EVP_sha256(), NULL) == 1 &&
             dlen == 32;
    OPENSSL_free(der);
    if (!ok)
        return -1;
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        kid[2 * i] = digits[digest[i] >> 4];
        kid[2 * i + 1] = digits[digest[i] & 15];
    }
    kid[64] = '\0';
    return 0;
}

/* Load a public key from PEM: a PUBLIC KEY block or a CERTIFICATE. */
static int load_public_key(EVP_PKEY **out, const char *pem, size_t len)
{
    BIO *bio = mem_bio(pem, len);
    if (!bio)
        return attest_set_error(len > INT_MAX ? ATTEST_E_INVALID_ARG : ATTEST_E_NOMEM,
                                "token: public key PEM of %zu bytes unusable", len);
    EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    if (!pkey) {
        ERR_clear_error();
        (void)BIO_reset(bio);
        X509 *cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
        if (cert) {
            pkey = X509_get_pubkey(cert);
            X509_free(cert);
        }
    }
    BIO_free(bio);
    ERR_clear_error();
    if (!pkey)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "token: the verification key is neither a PEM PUBLIC KEY "
                                "nor a PEM CERTIFICATE");
    *out = pkey;
    return ATTEST_OK;
}

/* ---- base64url (RFC 4648 section 5, no padding) ------------------------ */

static const char B64URL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64url_encode(const uint8_t *p, size_t len)
{
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = B64URL[v >> 18];
        out[o++] = B64URL[(v >> 12) & 63];
        out[o++] = B64URL[(v >> 6) & 63];
        out[o++] = B64URL[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = B64URL[v >> 18];
        out[o++] = B64URL[(v >> 12) & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = B64URL[v >> 18];
        out[o++] = B64URL[(v >> 12) & 63];
        out[o++] = B64URL[(v >> 6) & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Strict decoding: only the URL-safe alphabet, no padding, and the unused
 * low bits of the last character zero (one encoding per byte string, so
 * that a token cannot be altered without invalidating it). Returns a
 * malloc'd buffer (NUL-terminated for convenience) or NULL: *bad set when
 * the text is no canonical base64url, clear on allocation failure. */
static uint8_t *b64url_decode(const char *s, size_t n, size_t *out_len, int *bad)
{
    *bad = 1;
    if (n % 4 == 1)
        return NULL;
    uint8_t *out = malloc(n / 4 * 3 + 3);
    if (!out) {
        *bad = 0;
        return NULL;
    }
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value(s[i]);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) { /* non-zero padding bits */
        free(out);
        return NULL;
    }
    out[o] = '\0';
    *out_len = o;
    *bad = 0;
    return out;
}

/* ---- claims ------------------------------------------------------------ */

static int set_new(json_t *obj, const char *key, json_t *value)
{
    return value ? json_object_set_new(obj, key, value) : -1;
}

/* The claims object of `r`. With `signing`, exp = iat + lifetime and
 * nbf = iat are included (the CBOR form has no lifetime: no exp, no nbf). */
static int build_claims(json_t **out, const attest_result *r, int signing, int64_t lifetime)
{
    char when[32];
    attest_time_format(when, sizeof when, r->verified_at);
    char build[64];
    snprintf(build, sizeof build, "libattest %s", attest_version());

    json_t *c = json_object();
    int fail = !c;
    if (!fail) {
        fail |= set_new(c, "eat_profile", json_string(EAR_PROFILE));
        fail |= set_new(c, "iat", json_integer((json_int_t)r->verified_at));
        if (signing) {
            fail |= set_new(c, "nbf", json_integer((json_int_t)r->verified_at));
            fail |= set_new(c, "exp", json_integer((json_int_t)(r->verified_at + lifetime)));
        }
        /* The result keeps a nonce only when the verification bound it. */
        if (r->nonce_len > 0) {
            size_t n = r->nonce_len < sizeof r->nonce ? r->nonce_len : sizeof r->nonce;
            char *b = b64url_encode(r->nonce, n);
            fail |= set_new(c, "eat_nonce", b ? json_string(b) : NULL);
            free(b);
        }
        fail |= set_new(c, "ear.verifier-id",
                        json_pack("{s:s, s:s}", "developer", "libattest", "build", build));
        fail |= set_new(c, "ear.status", json_string(attest_result_ear_status(r)));
        fail |= set_new(c, "x-attest-result",
                        json_pack("{s:s, s:s, s:s}", "status", attest_status_name(r->status),
                                  "reason", attest_result_reason(r), "verified_at", when));
        if (r->gpu_binding)
            fail |= set_new(c, "x-attest-gpu-binding", json_string(r->gpu_binding));
        fail |= set_new(c, "x-attest-evidence-sha256",
                        attest_json_hex(r->evidence_sha256, sizeof r->evidence_sha256));
        fail |= set_new(c, "x-attest-policy-sha256",
                        attest_json_hex(r->policy_sha256, sizeof r->policy_sha256));
        /* A deep copy: the result may be shared between threads, and the
         * token must not change if the result's JSON does. */
        json_t *sub = r->submods ? json_deep_copy(r->submods) : json_object();
        if (sub && !json_is_object(sub)) {
            json_decref(sub);
            json_decref(c);
            return attest_set_error(ATTEST_E_INTERNAL, "token: result submods is no object");
        }
        fail |= set_new(c, "submods", sub);
    }
    if (fail) {
        json_decref(c);
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory building the claims");
    }
    *out = c;
    return ATTEST_OK;
}

/* ---- signing ----------------------------------------------------------- */

int attest_result_token(char **out, const attest_result *r, const char *key_pem,
                        size_t key_len, int64_t lifetime_seconds)
{
    if (out)
        *out = NULL;
    if (!out || !r || !key_pem || key_len == 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "token: NULL or empty argument");
    if (lifetime_seconds <= 0)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "token: lifetime %lld s is not positive",
                                (long long)lifetime_seconds);
    if (r->verified_at > 0 && lifetime_seconds > INT64_MAX - r->verified_at)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "token: lifetime %lld s overflows the expiry",
                                (long long)lifetime_seconds);

    BIO *bio = mem_bio(key_pem, key_len);
    if (!bio)
        return attest_set_error(key_len > INT_MAX ? ATTEST_E_INVALID_ARG : ATTEST_E_NOMEM,
                                "token: key PEM of %zu bytes unusable", key_len);
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    ERR_clear_error();
    if (!pkey)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "token: the signing key is no unencrypted PEM private key");

    int status = ATTEST_OK;
    json_t *claims = NULL;
    char *claims_text = NULL;
    BIO *keyout = NULL;
    jwt_t *jwt = NULL;
    char kid[65];

    const token_alg *alg = alg_for_key(pkey, "the signing key");
    if (!alg) {
        status = ATTEST_E_INVALID_ARG; /* error already set */
        goto done;
    }
    if (key_id(pkey, kid) != 0) {
        status = attest_set_error(ATTEST_E_INTERNAL, "token: cannot encode the public key");
        goto done;
    }
    /* libjwt gets the very key parsed above, re-encoded as unencrypted
     * PKCS#8 (so it never meets a passphrase prompt or a second block). */
    const char *kp = NULL;
    long kn = 0;
    keyout = BIO_new(BIO_s_secmem());
    if (!keyout || PEM_write_bio_PrivateKey(keyout, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
        (kn = BIO_get_mem_data(keyout, &kp)) <= 0 || kn > INT_MAX) {
        status = attest_set_error(ATTEST_E_INTERNAL, "token: cannot re-encode the key");
        goto done;
    }

    if ((status = build_claims(&claims, r, 1, lifetime_seconds)) != ATTEST_OK)
        goto done;
    claims_text = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!claims_text || jwt_new(&jwt) != 0 || !jwt) {
        status = attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
        goto done;
    }
    int rc;
    if ((rc = jwt_add_grants_json(jwt, claims_text)) != 0 ||
        (rc = jwt_add_header(jwt, "kid", kid)) != 0 ||
        (rc = jwt_set_alg(jwt, alg->jwt, (const unsigned char *)kp, (int)kn)) != 0) {
        status = attest_set_error(rc == ENOMEM ? ATTEST_E_NOMEM : ATTEST_E_INTERNAL,
                                  "token: libjwt refused the claims or key (%s)",
                                  strerror(rc));
        goto done;
    }
    char *token = jwt_encode_str(jwt);
    if (!token) {
        status = attest_set_error(ATTEST_E_INTERNAL, "token: libjwt could not sign (%s)",
                                  alg->name);
        goto done;
    }
    *out = token; /* malloc'd by libjwt: attest_string_free (free) releases it */

done:
    ERR_clear_error();
    jwt_free(jwt);
    free(claims_text);
    json_decref(claims);
    BIO_free(keyout);
    EVP_PKEY_free(pkey);
    return status;
}

/* ---- CBOR -------------------------------------------------------------- */

static cbor_item_t *cbor_int(json_int_t v)
{
    uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-(v + 1));
    cbor_item_t *item;
    if (u <= UINT8_MAX)
        item = v >= 0 ? cbor_build_uint8((uint8_t)u) : cbor_build_negint8((uint8_t)u);
    else if (u <= UINT16_MAX)
        item = v >= 0 ? cbor_build_uint16((uint16_t)u) : cbor_build_negint16((uint16_t)u);
    else if (u <= UINT32_MAX)
        item = v >= 0 ? cbor_build_uint32((uint32_t)u) : cbor_build_negint32((uint32_t)u);
    else
        item = v >= 0 ? cbor_build_uint64(u) : cbor_build_negint64(u);
    return item;
}

/* JSON value -> new CBOR item (refcount 1), or NULL. */
static cbor_item_t *json_to_cbor(const json_t *j, int depth)
{
    if (depth > CBOR_MAX_DEPTH)
        return NULL;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        cbor_item_t *map = cbor_new_definite_map(json_object_size(j));
        if (!map)
            return NULL;
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)j, key, value) {
            cbor_item_t *k = cbor_build_stringn(key, strlen(key));
            cbor_item_t *v = json_to_cbor(value, depth + 1);
            bool ok = k && v && cbor_map_add(map, (struct cbor_pair){.key = k, .value = v});
            if (k)
                cbor_decref(&k);
            if (v)
                cbor_decref(&v);
            if (!ok) {
                cbor_decref(&map);
                return NULL;
            }
        }
        return map;
    }
    case JSON_ARRAY: {
        cbor_item_t *arr = cbor_new_definite_array(json_array_size(j));
        if (!arr)
            return NULL;
        size_t i;
        json_t *value;
        json_array_foreach(j, i, value) {
            cbor_item_t *v = json_to_cbor(value, depth + 1);
            bool ok = v && cbor_array_push(arr, v);
            if (v)
                cbor_decref(&v);
            if (!ok) {
                cbor_decref(&arr);
                return NULL;
            }
        }
        return arr;
    }
    case JSON_STRING:
        return cbor_build_stringn(json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return cbor_int(json_integer_value(j));
    case JSON_REAL:
        return cbor_build_float8(json_real_value(j));
    case JSON_TRUE:
        return cbor_build_bool(true);
    case JSON_FALSE:
        return cbor_build_bool(false);
    case JSON_NULL:
        return cbor_new_null();
    }
    return NULL;
}

int attest_result_cbor(uint8_t **out, size_t *out_len, const attest_result *r)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!out || !out_len || !r)
        return attest_set_error(ATTEST_E_INVALID_ARG, "token.cbor: NULL argument");
    json_t *claims = NULL;
    int status = build_claims(&claims, r, 0, 0);
    if (status != ATTEST_OK)
        return status;
    cbor_item_t *item = json_to_cbor(claims, 0);
    json_decref(claims);
    if (!item)
        return attest_set_error(ATTEST_E_NOMEM,
                                "token.cbor: out of memory (or nesting deeper than %d) "
                                "converting the claims",
                                CBOR_MAX_DEPTH);
    unsigned char *buf = NULL;
    size_t cap = 0;
    size_t n = cbor_serialize_alloc(item, &buf, &cap);
    cbor_decref(&item);
    if (n == 0 || !buf) {
        free(buf);
        return attest_set_error(ATTEST_E_NOMEM, "token.cbor: serialisation failed");
    }
    *out = buf; /* malloc'd by libcbor's default allocator: attest_string_free */
    *out_len = n;
    return ATTEST_OK;
}

/* ---- verification ------------------------------------------------------ */

typedef struct parsed_token {
    const char *seg[3];   /* header, payload, signature (into the token) */
    size_t seg_len[3];
    uint8_t *raw[3];      /* their decoded bytes */
    size_t raw_len[3];
} parsed_token;

static void parsed_free(parsed_token *t)
{
    for (int i = 0; i < 3; i++)
        free(t->raw[i]);
}

static int split_token(parsed_token *t, const char *token)
{
    static const char *const names[] = {"header", "payload", "signature"};
    size_t len = strnlen(token, TOKEN_MAX_LEN + 1);
    if (len > TOKEN_MAX_LEN)
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                "token: longer than %u bytes", TOKEN_MAX_LEN);
    const char *p = token;
    for (int i = 0; i < 3; i++) {
        const char *dot = i < 2 ? memchr(p, '.', len - (size_t)(p - token)) : NULL;
        if (i < 2 && !dot)
            return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                    "token: not a compact JWS (header.payload.signature): "
                                    "%d dot(s)",
                                    i);
        t->seg[i] = p;
        t->seg_len[i] = i < 2 ? (size_t)(dot - p) : len - (size_t)(p - token);
        if (i < 2)
            p = dot + 1;
    }
    if (memchr(t->seg[2], '.', t->seg_len[2]))
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                "token: more than three segments (a JWE or nested token?)");
    for (int i = 0; i < 3; i++) {
        /* an empty signature (an unsecured JWT) fails later, on its alg */
        if (t->seg_len[i] == 0 && i < 2)
            return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "token: empty %s segment",
                                    names[i]);
        int bad;
        t->raw[i] = b64url_decode(t->seg[i], t->seg_len[i], &t->raw_len[i], &bad);
        if (!t->raw[i])
            return bad ? attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                          "token: %s segment is not canonical unpadded "
                                          "base64url",
                                          names[i])
                       : attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    }
    return ATTEST_OK;
}

/* Checks of the protected header made before any signature work. */
static int check_header(const parsed_token *t, const token_alg *want, const char *kid)
{
    json_error_t err;
    json_t *h = json_loadb((const char *)t->raw[0], t->raw_len[0], JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(h)) {
        json_decref(h);
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                "token: header is not a JSON object (%s)", err.text);
    }
    int status = ATTEST_OK;
    json_t *alg = json_object_get(h, "alg");
    json_t *typ = json_object_get(h, "typ");
    json_t *hkid = json_object_get(h, "kid");
    if (!json_is_string(alg))
        status = attest_set_error(ATTEST_E_TOKEN_MALFORMED, "token: header has no alg string");
    else if (strcmp(json_string_value(alg), want->name) != 0)
        /* "none", HS256 keyed with the public key, RS256, or the other
         * curve's ES algorithm: never handed to libjwt. */
        status = attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                                  "token: header alg \"%s\" refused: the %s key verifies "
                                  "%s only",
                                  json_string_value(alg), want->curve, want->name);
    else if (typ && (!json_is_string(typ) || strcmp(json_string_value(typ), "JWT") != 0))
        status = attest_set_error(ATTEST_E_TOKEN_MALFORMED, "token: header typ is not \"JWT\"");
    else if (json_object_get(h, "crit"))
        status = attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                  "token: header lists critical extensions (crit), none "
                                  "is supported");
    else if (hkid && (!json_is_string(hkid) || strcmp(json_string_value(hkid), kid) != 0))
        status = attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                                  "token: header kid %.64s names another key than the one "
                                  "given (kid %s)",
                                  json_is_string(hkid) ? json_string_value(hkid) : "(not a string)",
                                  kid);
    json_decref(h);
    return status;
}

/* The signature check through libjwt, with the header already vetted. */
static int check_signature(const char *token, const parsed_token *t, EVP_PKEY *pkey,
                           const token_alg *alg)
{
    /* libjwt 1.10 reads keys with PEM_read_bio_PUBKEY only: give it the
     * SubjectPublicKeyInfo even when a certificate was passed. */
    BIO *bio = BIO_new(BIO_s_mem());
    const char *kp = NULL;
    long kn = 0;
    if (!bio || PEM_write_bio_PUBKEY(bio, pkey) != 1 ||
        (kn = BIO_get_mem_data(bio, &kp)) <= 0 || kn > INT_MAX) {
        BIO_free(bio);
        ERR_clear_error();
        return attest_set_error(ATTEST_E_INTERNAL, "token: cannot encode the public key");
    }
    jwt_t *jwt = NULL;
    int rc = jwt_decode(&jwt, token, (const unsigned char *)kp, (int)kn);
    int status = ATTEST_OK;
    if (rc == 0 && jwt && jwt_get_alg(jwt) == alg->jwt) {
        status = ATTEST_OK;
    } else if (rc == ENOMEM) {
        status = attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    } else if (t->raw_len[2] != 2 * alg->half) {
        status = attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                                  "token: %s signature is %zu bytes, not %zu", alg->name,
                                  t->raw_len[2], 2 * alg->half);
    } else {
        /* libjwt refuses both a bad signature and a payload it cannot
         * parse: tell them apart with a direct check. */
        size_t signed_len = t->seg_len[0] + 1 + t->seg_len[1];
        int ok = attest_ecdsa_verify_raw(pkey, alg->md(), (const uint8_t *)token, signed_len,
                                         t->raw[2], alg->half);
        if (ok == 1 && rc != 0)
            status = attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                      "token: signature valid but libjwt cannot parse the "
                                      "payload (%s)",
                                      strerror(rc));
        else if (ok == 1)
            status = attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                                      "token: libjwt decoded the token as another algorithm");
        else
            status = attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                                      "token: %s signature does not verify with the given "
                                      "%s key",
                                      alg->name, alg->curve);
    }
    jwt_free(jwt);
    BIO_free(bio);
    ERR_clear_error();
    return status;
}

static int claim_time(const json_t *claims, const char *name, int required, int64_t *out)
{
    json_t *v = json_object_get(claims, name);
    if (!v) {
        if (required)
            return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "token: claim %s missing", name);
        return 1; /* absent */
    }
    if (!json_is_integer(v))
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                "token: claim %s is not an integer (NumericDate)", name);
    *out = (int64_t)json_integer_value(v);
    return ATTEST_OK;
}

static int check_claims(const json_t *claims, int64_t now, const uint8_t *nonce,
                        size_t nonce_len)
{
    const char *profile = json_string_value(json_object_get(claims, "eat_profile"));
    if (!profile || strcmp(profile, EAR_PROFILE) != 0)
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                "token: eat_profile %.100s%s%s is not " EAR_PROFILE,
                                profile ? "\"" : "", profile ? profile : "(missing)",
                                profile ? "\"" : "");
    if (!json_is_object(json_object_get(claims, "submods")))
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED, "token: submods missing or no object");
    if (!json_is_object(json_object_get(claims, "ear.verifier-id")))
        return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                "token: ear.verifier-id missing or no object");

    int64_t iat = 0, exp = 0, nbf = 0;
    int st;
    if ((st = claim_time(claims, "iat", 1, &iat)) != ATTEST_OK)
        return st;
    if ((st = claim_time(claims, "exp", 1, &exp)) != ATTEST_OK)
        return st;
    int have_nbf = claim_time(claims, "nbf", 0, &nbf);
    if (have_nbf < 0)
        return have_nbf;

    char t_now[32], t_claim[32];
    attest_time_format(t_now, sizeof t_now, now);
    if (exp <= now) {
        attest_time_format(t_claim, sizeof t_claim, exp);
        return attest_set_error(ATTEST_E_TOKEN_EXPIRED,
                                "token: exp %s is not after the instant %s (expired)",
                                t_claim, t_now);
    }
    if (iat > now) {
        attest_time_format(t_claim, sizeof t_claim, iat);
        return attest_set_error(ATTEST_E_TOKEN_EXPIRED,
                                "token: iat %s is after the instant %s (not yet issued)",
                                t_claim, t_now);
    }
    if (have_nbf == ATTEST_OK && nbf > now) {
        attest_time_format(t_claim, sizeof t_claim, nbf);
        return attest_set_error(ATTEST_E_TOKEN_EXPIRED,
                                "token: nbf %s is after the instant %s (not yet valid)",
                                t_claim, t_now);
    }

    if (nonce_len > 0) {
        json_t *tn = json_object_get(claims, "eat_nonce");
        if (!json_is_string(tn))
            return attest_set_error(ATTEST_E_TOKEN_NONCE,
                                    "token: eat_nonce missing but a nonce of %zu bytes "
                                    "was expected",
                                    nonce_len);
        char *want = b64url_encode(nonce, nonce_len);
        if (!want)
            return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
        int same = strlen(want) == json_string_length(tn) &&
                   CRYPTO_memcmp(want, json_string_value(tn), strlen(want)) == 0;
        free(want);
        if (!same)
            return attest_set_error(ATTEST_E_TOKEN_NONCE,
                                    "token: eat_nonce %.100s differs from the expected "
                                    "nonce (%zu bytes)",
                                    json_string_value(tn), nonce_len);
    }
    return ATTEST_OK;
}

int attest_token_verify(char **claims_json, const char *token, const char *pubkey_pem,
                        size_t pubkey_len, int64_t now, const uint8_t *nonce,
                        size_t nonce_len)
{
    if (claims_json)
        *claims_json = NULL;
    if (!claims_json || !token || !pubkey_pem || pubkey_len == 0 || (!nonce && nonce_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "token: NULL or empty argument");
    if (now == ATTEST_TIME_NOW)
        now = (int64_t)time(NULL);

    EVP_PKEY *pkey = NULL;
    int status = load_public_key(&pkey, pubkey_pem, pubkey_len);
    if (status != ATTEST_OK)
        return status;
    parsed_token t;
    memset(&t, 0, sizeof t);
    json_t *claims = NULL;
    char kid[65];

    const token_alg *alg = alg_for_key(pkey, "the verification key");
    if (!alg) {
        status = ATTEST_E_INVALID_ARG;
        goto done;
    }
    if (key_id(pkey, kid) != 0) {
        status = attest_set_error(ATTEST_E_INTERNAL, "token: cannot encode the public key");
        goto done;
    }
    if ((status = split_token(&t, token)) != ATTEST_OK)
        goto done;
    if ((status = check_header(&t, alg, kid)) != ATTEST_OK)
        goto done;
    if ((status = check_signature(token, &t, pkey, alg)) != ATTEST_OK)
        goto done;

    /* The payload as signed, parsed strictly (libjwt keeps the last of
     * duplicate members; a duplicated claim is refused here). */
    json_error_t err;
    claims = json_loadb((const char *)t.raw[1], t.raw_len[1], JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(claims)) {
        status = attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                  "token: payload is not a JSON object (%s)", err.text);
        goto done;
    }
    if ((status = check_claims(claims, now, nonce, nonce_len)) != ATTEST_OK)
        goto done;
    *claims_json = json_dumps(claims, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!*claims_json)
        status = attest_set_error(ATTEST_E_NOMEM, "token: out of memory");

done:
    json_decref(claims);
    parsed_free(&t);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return status;
}
