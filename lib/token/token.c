/* Attestation result tokens: the result of a verification as an EAT with
 * the EAR profile, signed as a JWT (ES256 / ES384), and the same claims as
 * unsigned CBOR (libcbor). docs/token.md describes the claims and the
 * checks attest_token_verify makes, in order.
 *
 * Signing is done here with OpenSSL over one serialisation of the claims
 * (encode_jws: libjwt 1.10 would parse them again and read the PEM key on
 * every call). libjwt 1.10 verifies; this file adds what libjwt lacks:
 * jwt_decode believes the token's "alg" (an HS256 token keyed with the
 * public key PEM verifies), keeps the last of duplicate members and
 * decodes base64 leniently. So attest_token_verify first checks the token
 * itself (strict base64url, a header without duplicates whose alg is the
 * one the key's curve pins, a payload without duplicates) and hands libjwt
 * only what passed; it then checks the EAR claims, the time window and the
 * nonce, which libjwt does not know. */
#include "../base/crypto.h"
#include "../base/x509.h"

#include <cbor.h>
#include <errno.h>
#include <jwt.h>
#include <limits.h>
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

/* ---- keys --------------------------------------------------------------- */

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
 * error naming the key type (ATTEST_E_NOMEM when reading its curve ran
 * out of memory: *status says which). */
static const token_alg *alg_for_key(EVP_PKEY *pkey, const char *what, int *status)
{
    char group[64] = "";
    *status = ATTEST_OK;
    errno = 0;
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
        EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL) == 1) {
        if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
            return &ALG_ES256;
        if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
            return &ALG_ES384;
    }
    if (attest_alloc_failed()) {
        *status = attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
        return NULL;
    }
    *status = ATTEST_E_INVALID_ARG;
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

/* OpenSSL calls this when a PEM holds an encrypted key. libattest never
 * prompts: no passphrase is given, and the request is noted in *asked
 * (when not NULL). */
static int refuse_passphrase(char *buf, int size, int rwflag, void *asked)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    if (asked)
        *(int *)asked = 1;
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
    errno = 0;
    EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, refuse_passphrase, NULL);
    bool nomem = !pkey && attest_alloc_failed(); /* (reads and clears the queue) */
    if (!pkey && !nomem) {
        (void)BIO_reset(bio);
        X509 *cert = PEM_read_bio_X509(bio, NULL, refuse_passphrase, NULL);
        if (cert) {
            pkey = X509_get_pubkey(cert);
            X509_free(cert);
        }
        nomem = !pkey && attest_alloc_failed();
    }
    BIO_free(bio);
    ERR_clear_error();
    if (nomem)
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    if (!pkey)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "token: the verification key is neither a PEM PUBLIC KEY "
                                "nor a PEM CERTIFICATE");
    *out = pkey;
    return ATTEST_OK;
}

/* Load the signing key, which libjwt then gets as the caller's own PEM
 * bytes. libjwt reads them with PEM_read_bio_PrivateKey and OpenSSL's
 * default passphrase callback, which prompts on the terminal: so a PEM
 * that made OpenSSL ask for a passphrase here is refused, and libjwt,
 * reading the same bytes the same way, never meets an encrypted block. */
static int load_signing_key(EVP_PKEY **out, const char *pem, size_t len)
{
    BIO *bio = mem_bio(pem, len); /* also keeps len within libjwt's int */
    if (!bio)
        return attest_set_error(len > INT_MAX ? ATTEST_E_INVALID_ARG : ATTEST_E_NOMEM,
                                "token: key PEM of %zu bytes unusable", len);
    int asked = 0;
    errno = 0;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, refuse_passphrase, &asked);
    BIO_free(bio);
    bool nomem = !pkey && !asked && attest_alloc_failed();
    ERR_clear_error();
    if (nomem)
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    if (!pkey || asked) {
        EVP_PKEY_free(pkey);
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "token: the signing key is no unencrypted PEM private key");
    }
    *out = pkey;
    return ATTEST_OK;
}

/* ---- claims ------------------------------------------------------------ */

static int set_new(json_t *obj, const char *key, json_t *value)
{
    return value ? json_object_set_new(obj, key, value) : -1;
}

/* The claims object of `r`. With `signing`, exp = iat + lifetime and
 * nbf = iat are included (the CBOR form has no lifetime: no exp, no nbf).
 * `verbose` adds the whole parse (ATTEST_TOKEN_VERBOSE). */
static int build_claims(json_t **out, const attest_result *r, int signing, int64_t lifetime,
                        bool verbose)
{
    if (verbose && attest_result_complete_claims(r) != ATTEST_OK)
        return ATTEST_E_NOMEM;
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
            char *b = attest_base64url_encode(r->nonce, n);
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
        /* Shared, not copied: a result is immutable once attest_verify
         * returned it, and jansson's reference counts and json_dumps are
         * safe to use on shared values from several threads. */
        if (r->submods && !json_is_object(r->submods)) {
            json_decref(c);
            return attest_set_error(ATTEST_E_INTERNAL, "token: result submods is no object");
        }
        fail |= set_new(c, "submods", r->submods ? json_incref(r->submods) : json_object());
        if (verbose)
            fail |= set_new(c, "x-attest-evidence-claims",
                            r->claims ? json_incref(r->claims) : json_object());
    }
    if (fail) {
        json_decref(c);
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory building the claims");
    }
    *out = c;
    return ATTEST_OK;
}

/* ---- signing ----------------------------------------------------------- */

/* A signing key read once (attest_token_key_new). */
struct attest_token_key {
    EVP_PKEY *pkey;
    const token_alg *alg;
    char kid[65];
};

int attest_token_key_new(attest_token_key **out, const char *key_pem, size_t key_len)
{
    if (out)
        *out = NULL;
    if (!out || !key_pem || key_len == 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "token: NULL or empty argument");
    int status = attest_crypto_init();
    if (status != ATTEST_OK)
        return status;
    attest_token_key *k = calloc(1, sizeof *k);
    if (!k)
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    status = load_signing_key(&k->pkey, key_pem, key_len);
    if (status == ATTEST_OK)
        k->alg = alg_for_key(k->pkey, "the signing key", &status);
    errno = 0;
    if (status == ATTEST_OK && key_id(k->pkey, k->kid) != 0)
        status = attest_set_error(attest_alloc_failed() ? ATTEST_E_NOMEM : ATTEST_E_INTERNAL,
                                  "token: cannot encode the public key");
    if (status != ATTEST_OK) {
        attest_token_key_free(k);
        return status;
    }
    *out = k;
    return ATTEST_OK;
}

void attest_token_key_free(attest_token_key *key)
{
    if (!key)
        return;
    EVP_PKEY_free(key->pkey);
    free(key);
}

/* The compact JWS header.payload.signature of `claims` (JSON text):
 * header {"alg","kid","typ":"JWT"} in sorted order, ES signature r||s
 * (RFC 7518 3.4). Signed here with OpenSSL, not libjwt: libjwt 1.10 takes
 * the claims as text it parses again and the key as PEM it reads again on
 * every call, which cost more than the signature itself. */
static int encode_jws(char **out, const char *claims, const attest_token_key *k)
{
    char header[128];
    snprintf(header, sizeof header, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
             k->alg->name, k->kid);
    char *h64 = attest_base64url_encode((const uint8_t *)header, strlen(header));
    char *p64 = attest_base64url_encode((const uint8_t *)claims, strlen(claims));
    size_t hl = h64 ? strlen(h64) : 0, pl = p64 ? strlen(p64) : 0;
    size_t sig64_len = (2 * k->alg->half * 4 + 2) / 3; /* unpadded base64url */
    char *token = h64 && p64 ? malloc(hl + 1 + pl + 1 + sig64_len + 1) : NULL;
    uint8_t rs[2 * 48];
    int status = token ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    if (status == ATTEST_OK) {
        memcpy(token, h64, hl);
        token[hl] = '.';
        memcpy(token + hl + 1, p64, pl);
        errno = 0;
        if (attest_ecdsa_sign_raw(k->pkey, k->alg->md(), (const uint8_t *)token, hl + 1 + pl, rs,
                                  k->alg->half) != 0)
            status = attest_alloc_failed()
                         ? attest_set_error(ATTEST_E_NOMEM, "token: out of memory")
                         : attest_set_error(ATTEST_E_INTERNAL, "token: %s signing failed",
                                            k->alg->name);
    }
    char *s64 = status == ATTEST_OK ? attest_base64url_encode(rs, 2 * k->alg->half) : NULL;
    if (status == ATTEST_OK && (!s64 || strlen(s64) != sig64_len))
        status = attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    if (status == ATTEST_OK) {
        token[hl + 1 + pl] = '.';
        memcpy(token + hl + 1 + pl + 1, s64, sig64_len + 1);
        *out = token; /* attest_string_free (free) releases it */
        token = NULL;
    }
    OPENSSL_cleanse(rs, sizeof rs);
    free(token);
    free(h64);
    free(p64);
    free(s64);
    return status;
}

static int check_lifetime(const attest_result *r, int64_t lifetime_seconds)
{
    if (lifetime_seconds <= 0)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "token: lifetime %lld s is not positive",
                                (long long)lifetime_seconds);
    if (r->verified_at > 0 && lifetime_seconds > INT64_MAX - r->verified_at)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "token: lifetime %lld s overflows the expiry",
                                (long long)lifetime_seconds);
    return ATTEST_OK;
}

int attest_token_sign_key(char **out, const attest_result *r, const attest_token_key *key,
                          int64_t lifetime_seconds, unsigned flags)
{
    if (out)
        *out = NULL;
    if (!out || !r || !key)
        return attest_set_error(ATTEST_E_INVALID_ARG, "token: NULL argument");
    if (flags & ~ATTEST_TOKEN_VERBOSE)
        return attest_set_error(ATTEST_E_INVALID_ARG, "token: unknown flags 0x%x",
                                flags & ~ATTEST_TOKEN_VERBOSE);
    int status = check_lifetime(r, lifetime_seconds);
    if (status != ATTEST_OK)
        return status;
    json_t *claims = NULL;
    status = build_claims(&claims, r, 1, lifetime_seconds, flags & ATTEST_TOKEN_VERBOSE);
    if (status != ATTEST_OK)
        return status;
    /* sorted members: the same bytes for the same result */
    char *text = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(claims);
    if (!text)
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    status = encode_jws(out, text, key);
    free(text);
    return status;
}

int attest_token_sign(char **out, const attest_result *r, const char *key_pem, size_t key_len,
                      int64_t lifetime_seconds)
{
    if (out)
        *out = NULL;
    if (!out || !r || !key_pem || key_len == 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "token: NULL or empty argument");
    int status = check_lifetime(r, lifetime_seconds); /* before the key, as always */
    if (status != ATTEST_OK)
        return status;
    attest_token_key *key = NULL;
    status = attest_token_key_new(&key, key_pem, key_len);
    if (status == ATTEST_OK)
        status = attest_token_sign_key(out, r, key, lifetime_seconds, 0);
    attest_token_key_free(key);
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

int attest_result_to_cbor(uint8_t **out, size_t *out_len, const attest_result *r)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!out || !out_len || !r)
        return attest_set_error(ATTEST_E_INVALID_ARG, "token.cbor: NULL argument");
    json_t *claims = NULL;
    int status = build_claims(&claims, r, 0, 0, false);
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
    *out = buf; /* malloc'd by libcbor's default allocator: attest_bytes_free */
    *out_len = n;
    return ATTEST_OK;
}

/* ---- verification ------------------------------------------------------ */

/* The verification key, read once: the algorithm its curve pins and its
 * kid for the header checks, and the key for libjwt. */
typedef struct verify_key {
    EVP_PKEY *pkey;
    const token_alg *alg;
    char kid[65];
    BIO *spki;                /* holds the SubjectPublicKeyInfo PEM below */
    const unsigned char *spki_pem;
    int spki_len;
} verify_key;

static void verify_key_free(verify_key *k)
{
    BIO_free(k->spki);
    EVP_PKEY_free(k->pkey);
}

/* Check 2. libjwt 1.10 gets the key re-encoded as one SubjectPublicKeyInfo
 * PEM, not the caller's text: it reads keys with PEM_read_bio_PUBKEY and
 * OpenSSL's default passphrase callback, so it could not read a
 * certificate, and an encrypted private key ahead of the public key in the
 * same PEM would make OpenSSL prompt on the terminal. */
static int load_verify_key(verify_key *k, const char *pem, size_t len)
{
    int status = load_public_key(&k->pkey, pem, len);
    if (status != ATTEST_OK)
        return status;
    if (!(k->alg = alg_for_key(k->pkey, "the verification key", &status)))
        return status;
    char *p = NULL;
    long n = 0;
    errno = 0;
    k->spki = BIO_new(BIO_s_mem());
    if (key_id(k->pkey, k->kid) != 0 || !k->spki || PEM_write_bio_PUBKEY(k->spki, k->pkey) != 1 ||
        (n = BIO_get_mem_data(k->spki, &p)) <= 0 || n > INT_MAX)
        return attest_set_error(attest_alloc_failed() ? ATTEST_E_NOMEM : ATTEST_E_INTERNAL,
                                "token: cannot encode the public key");
    k->spki_pem = (const unsigned char *)p;
    k->spki_len = (int)n;
    return ATTEST_OK;
}

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

/* Check 3: three segments of canonical base64url (libjwt's decoding
 * accepts other spellings of the same token). */
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
        int rc = attest_base64url_decode(t->seg[i], t->seg_len[i], &t->raw[i], &t->raw_len[i]);
        if (rc == -2)
            return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
        if (rc != 0)
            return attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                    "token: %s segment is not canonical unpadded base64url",
                                    names[i]);
    }
    return ATTEST_OK;
}

/* Checks 4 to 7, on the protected header, before libjwt sees the token. */
static int check_header(const parsed_token *t, const token_alg *want, const char *kid)
{
    json_error_t err;
    errno = 0;
    json_t *h = json_loadb((const char *)t->raw[0], t->raw_len[0], JSON_REJECT_DUPLICATES, &err);
    if (attest_alloc_failed()) { /* a syntax error or a dropped byte: no verdict */
        json_decref(h);
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    }
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

/* The payload as signed, parsed strictly (libjwt keeps the last of
 * duplicate members). NULL, with the reason in err, when it is no JSON
 * object without duplicates: check 9, reported after check 8. */
static json_t *parse_payload(const parsed_token *t, json_error_t *err)
{
    json_t *claims = json_loadb((const char *)t->raw[1], t->raw_len[1], JSON_REJECT_DUPLICATES,
                                err);
    if (claims && !json_is_object(claims)) { /* jansson loads objects and arrays */
        snprintf(err->text, sizeof err->text, "a JSON array");
        json_decref(claims);
        return NULL;
    }
    return claims;
}

/* Check 8 when libjwt cannot say: jwt_decode parses the payload before it
 * looks at the signature, so for a payload that is no JSON it refuses a
 * forged token and a correctly signed one alike. The signature is then
 * checked here, so that the forgery is ATTEST_E_TOKEN_SIGNATURE and only
 * the signed payload reaches check 9. */
static bool signature_valid(const char *token, const parsed_token *t, const verify_key *k)
{
    const token_alg *alg = k->alg;
    size_t signed_len = t->seg_len[0] + 1 + t->seg_len[1];
    return t->raw_len[2] == 2 * alg->half &&
           attest_ecdsa_verify_raw(k->pkey, alg->md(), (const uint8_t *)token, signed_len,
                                   t->raw[2], alg->half) == 1;
}

/* Check 8: libjwt verifies the signature with the key. The header passed
 * checks 3 to 7, so libjwt reads the algorithm the key pins; with a
 * payload that is a JSON object as well, a refusal can only be the
 * signature's. */
static int check_signature(const char *token, const parsed_token *t, const verify_key *k,
                           bool payload_ok)
{
    jwt_t *jwt = NULL;
    errno = 0;
    int rc = jwt_decode(&jwt, token, k->spki_pem, k->spki_len);
    jwt_alg_t decoded = rc == 0 ? jwt_get_alg(jwt) : JWT_ALG_INVAL;
    jwt_free(jwt);
    if (rc != 0 && attest_alloc_failed()) /* libjwt says EINVAL for some */
        rc = ENOMEM;
    ERR_clear_error();
    if (rc == ENOMEM)
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    if (rc == 0 && decoded == k->alg->jwt)
        return ATTEST_OK;
    bool valid = signature_valid(token, t, k);
    if (rc != 0 && !payload_ok && valid)
        return ATTEST_OK; /* signed, but the payload fails check 9 */
    if (valid) /* libjwt refused (or skipped: alg "none") a token whose every part passed and
                  whose signature verifies: it ran out of memory where it says EINVAL or
                  nothing (its copy of the key), which errno no longer shows */
        return attest_set_error(ATTEST_E_NOMEM, "token: libjwt refused a signature that "
                                                "verifies (out of memory?)");
    if (rc == 0)
        return attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                                "token: libjwt decoded the token as %s, not %s",
                                jwt_alg_str(decoded), k->alg->name);
    return attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                            "token: %s signature (%zu bytes) does not verify with the given "
                            "%s key",
                            k->alg->name, t->raw_len[2], k->alg->curve);
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

/* Check 10: the members that make it an EAR of this profile. */
static int check_ear_members(const json_t *claims)
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
    return ATTEST_OK;
}

/* Checks 10 (the times are integers) and 11: iat <= now < exp, nbf <= now,
 * no skew allowance. */
static int check_window(const json_t *claims, int64_t now)
{
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
    return ATTEST_OK;
}

/* Check 12: eat_nonce is base64url(nonce), compared in constant time. */
static int check_nonce(const json_t *claims, const uint8_t *nonce, size_t nonce_len)
{
    json_t *tn = json_object_get(claims, "eat_nonce");
    if (!json_is_string(tn))
        return attest_set_error(ATTEST_E_TOKEN_NONCE,
                                "token: eat_nonce missing but a nonce of %zu bytes "
                                "was expected",
                                nonce_len);
    char *want = attest_base64url_encode(nonce, nonce_len);
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
    return ATTEST_OK;
}

/* Check 8 with a key object (attest_token_verify_key): the signature is
 * verified here, with the algorithm the key pins, so libjwt never reads
 * the key's PEM again (its PEM read costs more than the verify). */
static int check_signature_direct(const char *token, const parsed_token *t,
                                  const verify_key *k)
{
    if (signature_valid(token, t, k))
        return ATTEST_OK;
    ERR_clear_error();
    return attest_set_error(ATTEST_E_TOKEN_SIGNATURE,
                            "token: %s signature (%zu bytes) does not verify with the given "
                            "%s key",
                            k->alg->name, t->raw_len[2], k->alg->curve);
}

/* Checks 3 to 12 on a loaded key; on success *out is the claims object.
 * `direct`: check 8 by check_signature_direct instead of libjwt. */
static int check_token(json_t **out, const char *token, const verify_key *k, int64_t now,
                       const uint8_t *nonce, size_t nonce_len, bool direct)
{
    parsed_token t;
    memset(&t, 0, sizeof t);
    json_t *claims = NULL;
    json_error_t err;
    int status = split_token(&t, token);
    if (status == ATTEST_OK)
        status = check_header(&t, k->alg, k->kid);
    if (status == ATTEST_OK) {
        errno = 0;
        claims = parse_payload(&t, &err);
        if (attest_alloc_failed()) /* jansson: a syntax error or a dropped byte */
            status = attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
        else
            status = direct ? check_signature_direct(token, &t, k)
                            : check_signature(token, &t, k, claims != NULL);
    }
    if (status == ATTEST_OK && !claims)
        status = attest_set_error(ATTEST_E_TOKEN_MALFORMED,
                                  "token: payload is not a JSON object without duplicate "
                                  "members (%s)",
                                  err.text);
    if (status == ATTEST_OK)
        status = check_ear_members(claims);
    if (status == ATTEST_OK)
        status = check_window(claims, now);
    if (status == ATTEST_OK && nonce_len > 0)
        status = check_nonce(claims, nonce, nonce_len);
    parsed_free(&t);
    if (status != ATTEST_OK) {
        json_decref(claims);
        return status;
    }
    *out = claims;
    return ATTEST_OK;
}

/* On success the claims as pretty-printed JSON into *claims_json. */
static int claims_out(char **claims_json, json_t *claims, int status)
{
    if (status != ATTEST_OK)
        return status;
    *claims_json = json_dumps(claims, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(claims);
    if (!*claims_json)
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
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

    verify_key k;
    memset(&k, 0, sizeof k);
    json_t *claims = NULL;
    int status = attest_crypto_init();
    if (status == ATTEST_OK)
        status = load_verify_key(&k, pubkey_pem, pubkey_len);
    if (status == ATTEST_OK)
        status = check_token(&claims, token, &k, now, nonce, nonce_len, false);
    verify_key_free(&k);
    return claims_out(claims_json, claims, status);
}

/* ---- verification key object --------------------------------------------- */

struct attest_token_pubkey {
    verify_key k; /* read-only once made */
};

int attest_token_pubkey_new(attest_token_pubkey **out, const char *pubkey_pem, size_t pubkey_len)
{
    if (out)
        *out = NULL;
    if (!out || !pubkey_pem || pubkey_len == 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "token: NULL or empty argument");
    attest_token_pubkey *key = calloc(1, sizeof *key);
    if (!key)
        return attest_set_error(ATTEST_E_NOMEM, "token: out of memory");
    int status = load_verify_key(&key->k, pubkey_pem, pubkey_len);
    if (status != ATTEST_OK) {
        attest_token_pubkey_free(key);
        return status;
    }
    *out = key;
    return ATTEST_OK;
}

void attest_token_pubkey_free(attest_token_pubkey *key)
{
    if (!key)
        return;
    verify_key_free(&key->k);
    free(key);
}

int attest_token_verify_key(char **claims_json, const char *token,
                            const attest_token_pubkey *key, int64_t now, const uint8_t *nonce,
                            size_t nonce_len)
{
    if (claims_json)
        *claims_json = NULL;
    if (!claims_json || !token || !key || (!nonce && nonce_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "token: NULL or empty argument");
    if (now == ATTEST_TIME_NOW)
        now = (int64_t)time(NULL);
    json_t *claims = NULL;
    int status = check_token(&claims, token, &key->k, now, nonce, nonce_len, true);
    return claims_out(claims_json, claims, status);
}
