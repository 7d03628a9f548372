/*
 * nrasgen - synthetic NVIDIA NRAS results: a P-384 key's JWKS (with or
 * without x5c), ES384 JWTs signed with it, and the /v3/attest/gpu detached
 * EAT response whose overall token signs the GPU JWTs' digests. The one
 * implementation of the signing side for the unit tests
 * (tests/api/results_synth.h), the fuzz harness and `attest-mock nras`.
 *
 * Header-only (static inline) because the fuzz harnesses link no
 * generator sources. Texts returned are malloc'ed (free()); NULL on failure.
 */
#ifndef NRASGEN_H
#define NRASGEN_H

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NRASGEN_KID "synth-nras-kid-1"
#define NRASGEN_ISS "https://nras.attestation.nvidia.com"
#define NRASGEN_MAX_GPUS 8

static inline char *nrasgen_b64url(const uint8_t *p, size_t n)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(4 * n / 3 + 4), *o = out;
    for (size_t i = 0; out && i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *o++ = abc[v >> 18 & 63];
        *o++ = abc[v >> 12 & 63];
        if (i + 1 < n)
            *o++ = abc[v >> 6 & 63];
        if (i + 2 < n)
            *o++ = abc[v & 63];
    }
    if (out)
        *o = '\0';
    return out;
}

static inline EVP_PKEY *nrasgen_key(void)
{
    return EVP_EC_gen("P-384");
}

/* Standard base64 of a certificate's DER, as x5c holds it (json string). */
static inline json_t *nrasgen_x5c_entry(X509 *cert)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    if (n <= 0)
        return NULL;
    char *b64 = malloc(4 * ((size_t)n + 2) / 3 + 1);
    json_t *s = NULL;
    if (b64 && EVP_EncodeBlock((unsigned char *)b64, der, n) > 0)
        s = json_string(b64);
    free(b64);
    OPENSSL_free(der);
    return s;
}

/* {"keys": [{kty EC, crv P-384, kid, x, y[, x5c]}]} as text; x5c holds
 * certs[0..n_certs) (leaf first) when n_certs > 0. */
static inline char *nrasgen_jwks_x5c(EVP_PKEY *key, const char *kid, X509 **certs,
                                     size_t n_certs)
{
    BIGNUM *x = NULL, *y = NULL;
    uint8_t bx[48], by[48];
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
    BN_bn2binpad(x, bx, 48);
    BN_bn2binpad(y, by, 48);
    BN_free(x);
    BN_free(y);
    char *sx = nrasgen_b64url(bx, 48), *sy = nrasgen_b64url(by, 48);
    json_t *jwk = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-384", "kid",
                            kid, "x", sx, "y", sy);
    if (jwk && n_certs) {
        json_t *chain = json_array();
        for (size_t i = 0; i < n_certs; i++)
            json_array_append_new(chain, nrasgen_x5c_entry(certs[i]));
        json_object_set_new(jwk, "x5c", chain);
    }
    json_t *doc = json_pack("{s:[o]}", "keys", jwk);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    free(sx);
    free(sy);
    return text;
}

static inline char *nrasgen_jwks(EVP_PKEY *key, const char *kid)
{
    return nrasgen_jwks_x5c(key, kid, NULL, 0);
}

/* An ES384 compact JWS of `claims` (borrowed) with `kid`. */
static inline char *nrasgen_jwt(EVP_PKEY *key, const char *kid, json_t *claims)
{
    json_t *hdr = json_pack("{s:s, s:s}", "alg", "ES384", "kid", kid);
    char *h = json_dumps(hdr, JSON_COMPACT), *c = json_dumps(claims, JSON_COMPACT);
    char *eh = nrasgen_b64url((const uint8_t *)h, strlen(h));
    char *ec = nrasgen_b64url((const uint8_t *)c, strlen(c));
    size_t n = strlen(eh) + strlen(ec) + 2;
    char *input = malloc(n + 200);
    snprintf(input, n, "%s.%s", eh, ec);
    uint8_t der[128], raw[96];
    size_t dlen = sizeof der;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, key);
    EVP_DigestSign(ctx, der, &dlen, (const uint8_t *)input, strlen(input));
    EVP_MD_CTX_free(ctx);
    const uint8_t *q = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &q, (long)dlen);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 48);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 48, 48);
    ECDSA_SIG_free(sig);
    char *es = nrasgen_b64url(raw, 96);
    snprintf(input + strlen(input), 200, ".%s", es);
    free(es);
    free(eh);
    free(ec);
    free(h);
    free(c);
    json_decref(hdr);
    return input;
}

/* A GPU JWT's claims as NRAS writes them on success (new object). */
static inline json_t *nrasgen_gpu_claims(const char *nonce_hex, int64_t iat)
{
    json_t *c = json_pack(
        "{s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "iss", NRASGEN_ISS,
        "eat_nonce", nonce_hex, "iat", (json_int_t)iat, "nbf", (json_int_t)iat, "exp",
        (json_int_t)(iat + 3600), "measres", "success", "dbgstat", "disabled", "hwmodel",
        "GH100", "secboot", 1, "ueid", "645491728318197586580044110930866076104639838622",
        "x-nvidia-gpu-driver-version", "595.71.05", "x-nvidia-gpu-vbios-version",
        "96.00.D9.00.02");
    static const char *const flags[] = {
        "x-nvidia-gpu-attestation-report-parsed",
        "x-nvidia-gpu-attestation-report-signature-verified",
        "x-nvidia-gpu-attestation-report-nonce-match",
        "x-nvidia-gpu-attestation-report-cert-chain-validated",
        "x-nvidia-gpu-driver-rim-signature-verified", "x-nvidia-gpu-driver-rim-cert-validated",
        "x-nvidia-gpu-vbios-rim-signature-verified", "x-nvidia-gpu-vbios-rim-cert-validated",
        NULL};
    for (int i = 0; flags[i]; i++)
        json_object_set_new(c, flags[i], json_true());
    return c;
}

/* The overall token's claims: its verdict and the digests it signs. */
static inline json_t *nrasgen_overall_claims(const char *nonce_hex, int64_t iat, int verdict,
                                             json_t *submods)
{
    return json_pack("{s:s, s:s, s:b, s:o, s:s, s:I, s:I, s:I}", "iss", NRASGEN_ISS, "sub",
                     "NVIDIA-PLATFORM-ATTESTATION", "x-nvidia-overall-att-result", verdict,
                     "submods", submods, "eat_nonce", nonce_hex, "iat", (json_int_t)iat, "nbf",
                     (json_int_t)iat, "exp", (json_int_t)(iat + 3600));
}

/* [["JWT", overall], {"GPU-i": jwt}] with the overall (verdict as given)
 * signing the digests of `gpus` (n JWT texts) under GPU-0.. ; `extra` (or
 * NULL) is one more detached JWT the overall does not name. */
static inline char *nrasgen_response_v(EVP_PKEY *key, const char *kid, const char *nonce_hex,
                                       int64_t iat, char **gpus, size_t n, const char *extra,
                                       int verdict)
{
    json_t *subs = json_object(), *dets = json_object();
    for (size_t i = 0; i < n; i++) {
        uint8_t md[32];
        char hex[65], name[32];
        EVP_Digest(gpus[i], strlen(gpus[i]), md, NULL, EVP_sha256(), NULL);
        for (int k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", md[k]);
        snprintf(name, sizeof name, "GPU-%zu", i);
        json_object_set_new(subs, name, json_pack("[s,[s,s]]", "DIGEST", "SHA-256", hex));
        json_object_set_new(dets, name, json_string(gpus[i]));
    }
    if (extra) {
        char name[32];
        snprintf(name, sizeof name, "GPU-%zu", n);
        json_object_set_new(dets, name, json_string(extra));
    }
    json_t *overall = nrasgen_overall_claims(nonce_hex, iat, verdict, subs);
    char *ov = nrasgen_jwt(key, kid, overall);
    json_t *doc = json_pack("[[s,s],o]", "JWT", ov, dets);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    json_decref(overall);
    free(ov);
    return text;
}

static inline char *nrasgen_response(EVP_PKEY *key, const char *kid, const char *nonce_hex,
                                     int64_t iat, char **gpus, size_t n, const char *extra)
{
    return nrasgen_response_v(key, kid, nonce_hex, iat, gpus, n, extra, 1);
}

/* `attest-mock nras ...` (attest_mock_nras.c), argv[0] "nras". */
int attest_mock_nras_main(int argc, char **argv);

#endif
