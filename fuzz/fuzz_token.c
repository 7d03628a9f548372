/* libFuzzer harness: attest_token_verify with a fixed P-256 key (made at
 * start-up), on two paths:
 *  1. the input as a token (compact JWS text): splitting, base64url,
 *     header checks, payload JSON, the signature check;
 *  2. past the signature: a mutated token cannot keep a valid signature,
 *     so the input, split at its first newline into a protected header
 *     and a claims payload (no newline: the payload under the header
 *     attest_token_sign writes), is signed here with the key (ES256, raw
 *     r || s as JWS wants) and then verified: the claim checks (EAR
 *     members, iat / exp window, eat_nonce) see fuzzer-controlled JSON
 *     behind a valid signature.
 * A token is verified with a fixed nonce or without one, as the input's
 * bytes choose.
 * Built with -Ilib -DATTEST_BUILDING for the base64url codec. Seeds:
 * fuzz/corpus/token (claims of tokens attest signs for mock evidence). */
#include "attest.h"
#include "base/base.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_TOKEN_NOW 1780272000 /* 2026-06-01T00:00:00Z */

static EVP_PKEY *g_key;
static char *g_pub;      /* its SubjectPublicKeyInfo PEM */
static size_t g_pub_len;
static char g_header[160]; /* {"alg":"ES256","typ":"JWT","kid":...} */

static const uint8_t g_nonce[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* One verification (key decoding in OpenSSL 3 is slow: one per path);
 * with the fixed nonce when `with_nonce`. */
static void verify(const char *token, int with_nonce)
{
    char *claims = NULL;
    int st = attest_token_verify(&claims, token, g_pub, g_pub_len, FUZZ_TOKEN_NOW,
                                 with_nonce ? g_nonce : NULL, with_nonce ? sizeof g_nonce : 0);
    if ((st == ATTEST_OK) != (claims != NULL))
        abort(); /* claims exactly on success */
    attest_string_free(claims);
}

/* ES256 JWS signature (r || s, 32 bytes each) of `in`, base64url. */
static char *sign_es256(const char *in, size_t len)
{
    uint8_t der[80], raw[64] = {0};
    size_t der_len = sizeof der;
    char *out = NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, g_key) == 1 &&
        EVP_DigestSign(md, der, &der_len, (const uint8_t *)in, len) == 1) {
        const uint8_t *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
        if (sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) == 32 &&
            BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) == 32)
            out = attest_base64url_encode(raw, sizeof raw);
        ECDSA_SIG_free(sig);
    }
    EVP_MD_CTX_free(md);
    return out;
}

/* Path 2. */
static void verify_signed(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    const uint8_t *header = nl ? data : (const uint8_t *)g_header;
    size_t header_len = nl ? (size_t)(nl - data) : strlen(g_header);
    const uint8_t *payload = nl ? nl + 1 : data;
    size_t payload_len = nl ? size - header_len - 1 : size;
    char *h = attest_base64url_encode(header, header_len);
    char *p = attest_base64url_encode(payload, payload_len);
    size_t n = h && p ? strlen(h) + 1 + strlen(p) : 0;
    char *input = n ? malloc(n + 1) : NULL;
    if (input) {
        snprintf(input, n + 1, "%s.%s", h, p);
        char *sig = sign_es256(input, n);
        char *token = sig ? malloc(n + 1 + strlen(sig) + 1) : NULL;
        if (token) {
            sprintf(token, "%s.%s", input, sig);
            verify(token, (int)(payload_len & 1));
        }
        free(token);
        free(sig);
    }
    free(input);
    free(p);
    free(h);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    g_key = EVP_EC_gen("P-256");
    BIO *b = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long n;
    if (!g_key || !b || PEM_write_bio_PUBKEY(b, g_key) != 1 || (n = BIO_get_mem_data(b, &pem)) <= 0)
        abort();
    g_pub = malloc((size_t)n);
    if (!g_pub)
        abort();
    memcpy(g_pub, pem, (size_t)n);
    g_pub_len = (size_t)n;
    BIO_free(b);
    /* The kid attest_token_sign writes: SHA-256 of the SPKI DER, hex. */
    uint8_t *der = NULL, md[32];
    int dl = i2d_PUBKEY(g_key, &der);
    char kid[65];
    if (dl <= 0 || EVP_Digest(der, (size_t)dl, md, NULL, EVP_sha256(), NULL) != 1)
        abort();
    OPENSSL_free(der);
    attest_hex_encode(kid, md, sizeof md);
    snprintf(g_header, sizeof g_header, "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *token = malloc(size + 1);
    if (!token)
        return 0;
    memcpy(token, data, size);
    token[size] = '\0';
    verify(token, size && (data[0] & 1)); /* path 1 */
    free(token);
    verify_signed(data, size);
    return 0;
}
