/* Signature helpers shared by the vendor modules: formats in evidence carry
 * raw big-endian r||s signatures and x||y public keys; OpenSSL wants DER
 * and EVP_PKEYs. */
#include "base.h"
#include "cache.h"
#include "crypto.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

/* ---- OpenSSL's process-wide set-up ----------------------------------------
 * OpenSSL initialises itself on first use, and an allocation failure there
 * surfaced later as a crash (a lock it failed to make) or as a false
 * rejection for the rest of the process (a digest missing from the name
 * table that RSA-PSS and ECDSA signature algorithms are looked up in:
 * "certificate signature failure"). So it is done here, once, with its
 * result checked: OPENSSL_init_crypto cannot be retried by OpenSSL (a
 * failure is final, so is ours: ATTEST_E_INTERNAL); the digests certificates
 * name are looked up by name and added again when missing, and the default
 * provider, loaded on the first fetch, is probed, until both succeed once
 * (until then each call fails with ATTEST_E_NOMEM). */
static pthread_once_t openssl_once = PTHREAD_ONCE_INIT;
static int openssl_init_ok;
static atomic_int openssl_ready;

/* The default library context is set up once too, and OpenSSL 3.0 goes on
 * using it when that failed (its lock NULL: a crash in the next fetch);
 * OSSL_LIB_CTX_get0_global_default is the one call that reports it. */
static void openssl_init(void)
{
    openssl_init_ok = OPENSSL_init_crypto(OPENSSL_INIT_ADD_ALL_DIGESTS, NULL) == 1 &&
                      OSSL_LIB_CTX_get0_global_default() != NULL;
}

/* The digests the vendors' certificates, CRLs and OCSP answers name. */
static bool digest_names_ready(void)
{
    const EVP_MD *const mds[] = {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()};
    for (size_t i = 0; i < sizeof mds / sizeof mds[0]; i++) {
        const char *name = OBJ_nid2sn(EVP_MD_get_type(mds[i]));
        if (!EVP_get_digestbyname(name) && (!EVP_add_digest(mds[i]) || !EVP_get_digestbyname(name)))
            return false;
    }
    return true;
}

/* Every algorithm name of the providers in OpenSSL's name map before the
 * first verification. OpenSSL 3.0 adds the names of a kind of operation
 * (decoders, key managers, signatures ...) to its name map, a hash table,
 * when that kind is first used, growing the table as it goes; when growing
 * it fails for want of memory, lh_insert's expand loses entries (leaked,
 * their names unknown to the process from then on; the allocation walk's
 * builtin kind: ~100 such points in the first certificate read). Every kind
 * a verification uses (the DRBG uses a cipher) is listed here, once, so
 * that no verification grows the table. Not the others (MACs, KDFs, key
 * exchange, KEMs, asymmetric ciphers): with those listed, every warm
 * verification made ~5% more allocations inside OpenSSL. */
static void no_md(EVP_MD *x, void *a) { (void)x, (void)a; }
static void no_cipher(EVP_CIPHER *x, void *a) { (void)x, (void)a; }
static void no_rand(EVP_RAND *x, void *a) { (void)x, (void)a; }
static void no_keymgmt(EVP_KEYMGMT *x, void *a) { (void)x, (void)a; }
static void no_signature(EVP_SIGNATURE *x, void *a) { (void)x, (void)a; }
static void no_encoder(OSSL_ENCODER *x, void *a) { (void)x, (void)a; }
static void no_decoder(OSSL_DECODER *x, void *a) { (void)x, (void)a; }

static void every_name_mapped(void)
{
    EVP_MD_do_all_provided(NULL, no_md, NULL);
    EVP_CIPHER_do_all_provided(NULL, no_cipher, NULL);
    EVP_RAND_do_all_provided(NULL, no_rand, NULL);
    EVP_KEYMGMT_do_all_provided(NULL, no_keymgmt, NULL);
    EVP_SIGNATURE_do_all_provided(NULL, no_signature, NULL);
    OSSL_ENCODER_do_all_provided(NULL, no_encoder, NULL);
    OSSL_DECODER_do_all_provided(NULL, no_decoder, NULL);
}

int attest_crypto_init(void)
{
    pthread_once(&openssl_once, openssl_init);
    if (!openssl_init_ok) {
        ERR_clear_error();
        return attest_set_error(ATTEST_E_INTERNAL, "openssl: OPENSSL_init_crypto or the default "
                                                   "library context failed (out of memory?)");
    }
    if (atomic_load(&openssl_ready))
        return ATTEST_OK;
    every_name_mapped();
    EVP_MD *md = digest_names_ready() ? EVP_MD_fetch(NULL, "SHA384", NULL) : NULL;
    if (!md) {
        ERR_clear_error();
        return attest_set_error(ATTEST_E_NOMEM, "openssl: initialisation incomplete (digest "
                                                "names or default provider; out of memory?)");
    }
    EVP_MD_free(md);
    atomic_store(&openssl_ready, 1);
    return ATTEST_OK;
}

bool attest_alloc_failed(void)
{
    bool nomem = errno == ENOMEM;
    for (unsigned long e; (e = ERR_get_error()) != 0;)
        nomem |= ERR_GET_REASON(e) == ERR_GET_REASON(ERR_R_MALLOC_FAILURE);
    return nomem;
}

int attest_p256_key_from_raw(EVP_PKEY **out, const uint8_t xy[64])
{
    uint8_t point[65];
    point[0] = 0x04; /* uncompressed */
    memcpy(point + 1, xy, 64);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    *out = NULL;
    int ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (ok) {
        /* fromdata does not reject a point off the curve: check it. P-256
         * has cofactor 1, so the quick check (on the curve, not infinity)
         * is complete; the full one adds a scalar multiplication. */
        EVP_PKEY_CTX *check = EVP_PKEY_CTX_new(*out, NULL);
        ok = check && EVP_PKEY_public_check_quick(check) == 1;
        EVP_PKEY_CTX_free(check);
    }
    if (!ok) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
    ERR_clear_error();
    return ok ? 0 : -1;
}

/* The once-fetched digest for a legacy handle (md.c), else `md`. */
static const EVP_MD *fetched_md(const EVP_MD *md)
{
    switch (EVP_MD_get_type(md)) {
    case NID_sha256: return attest_md_sha256();
    case NID_sha384: return attest_md_sha384();
    default: return md;
    }
}

/* Raw big-endian r||s as a DER ECDSA-Sig-Value (OPENSSL_free); length or -1. */
static int raw_sig_der(const uint8_t *rs, size_t half, unsigned char **der)
{
    errno = 0;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(rs, (int)half, NULL), *s = BN_bin2bn(rs + half, (int)half, NULL);
    int der_len = -1;
    *der = NULL;
    if (sig && r && s && ECDSA_SIG_set0(sig, r, s)) {
        r = s = NULL; /* owned by sig */
        der_len = i2d_ECDSA_SIG(sig, der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return der_len;
}

/* The message digest for a signature check: SHA-256 and SHA-384 without
 * EVP (attest_sha256: no context, no shared reference count), any other
 * through EVP with the fetched digest. */
static int message_digest(const EVP_MD *md, const uint8_t *msg, size_t len,
                          unsigned char out[EVP_MAX_MD_SIZE], unsigned int *dlen)
{
    switch (EVP_MD_get_type(md)) {
    case NID_sha256: attest_sha256(out, msg, len); *dlen = 32; return 1;
    case NID_sha384: attest_sha384(out, msg, len); *dlen = 48; return 1;
    default: return EVP_Digest(msg, len, out, dlen, fetched_md(md), NULL);
    }
}

/* The digest, then EVP_PKEY_verify over it, with the digest fetched once:
 * EVP_DigestVerifyInit with a legacy handle fetches the digest and builds
 * a signature context per call (the same verdict: ECDSA signs the hash). */
int attest_ecdsa_verify_raw(EVP_PKEY *key, const EVP_MD *md, const uint8_t *msg,
                            size_t len, const uint8_t *rs, size_t half)
{
    const EVP_MD *use = fetched_md(md);
    unsigned char *der = NULL, dgst[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int der_len = raw_sig_der(rs, half, &der), result = -1;
    EVP_PKEY_CTX *ctx = der_len > 0 ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;
    if (ctx && message_digest(use, msg, len, dgst, &dlen) == 1 &&
        EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, use) == 1) {
        int rc = EVP_PKEY_verify(ctx, der, (size_t)der_len, dgst, dlen);
        result = rc == 1 ? 1 : 0;
    }
    EVP_PKEY_CTX_free(ctx);
    OPENSSL_free(der);
    if (result != 1 && attest_alloc_failed())
        result = -2; /* no verdict: memory ran out */
    ERR_clear_error();
    return result;
}

int attest_ecdsa_verify_raw_pctx(EVP_PKEY_CTX *verify, const EVP_MD *md, const uint8_t *msg,
                                 size_t len, const uint8_t *rs, size_t half)
{
    unsigned char digest[EVP_MAX_MD_SIZE], *der = NULL;
    unsigned int dlen = 0;
    int der_len = raw_sig_der(rs, half, &der), result = -1;
    if (der_len > 0 && message_digest(md, msg, len, digest, &dlen) == 1)
        result = EVP_PKEY_verify(verify, der, (size_t)der_len, digest, dlen) == 1 ? 1 : 0;
    OPENSSL_free(der);
    if (result != 1 && attest_alloc_failed())
        result = -2; /* no verdict: memory ran out */
    ERR_clear_error();
    return result;
}

int attest_ecdsa_sign_raw(EVP_PKEY *key, const EVP_MD *md, const uint8_t *msg, size_t len,
                          uint8_t *rs, size_t half)
{
    unsigned char der[160]; /* an ECDSA-Sig-Value of P-384 takes at most 104 */
    size_t der_len = sizeof der;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && half <= 66 && EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1 &&
             EVP_DigestSign(ctx, der, &der_len, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    const unsigned char *p = der;
    ECDSA_SIG *sig = ok ? d2i_ECDSA_SIG(NULL, &p, (long)der_len) : NULL;
    const BIGNUM *r = NULL, *s = NULL;
    if (sig)
        ECDSA_SIG_get0(sig, &r, &s);
    /* bn2binpad fails when a value needs more than `half` bytes */
    ok = sig && BN_bn2binpad(r, rs, (int)half) == (int)half &&
         BN_bn2binpad(s, rs + half, (int)half) == (int)half;
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return ok ? 0 : -1;
}

int attest_ecdsa_verify_raw_cached(attest_chain_cache *cache, EVP_PKEY *key, const EVP_MD *md,
                                   const uint8_t *msg, size_t len, const uint8_t *rs,
                                   size_t half)
{
    /* The key is named by its encoded public point: cheaper than a DER
     * SubjectPublicKeyInfo, which goes through OpenSSL's encoders. */
    uint8_t point[160];
    size_t point_len = 0;
    const char *md_name = EVP_MD_get0_name(md);
    uint8_t k[32];
    bool have_point = EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                                      point, sizeof point, &point_len) == 1;
    attest_bytes parts[] = {{"ecdsa-raw", 9}, {md_name, strlen(md_name)}, {point, point_len},
                            {msg, len}, {rs, 2 * half}};
    bool keyed = have_point && attest_cache_key(k, parts, 5) == 0;
    ERR_clear_error();
    if (keyed && attest_cache_seen(cache, k))
        return 1;
    int ok = attest_ecdsa_verify_raw(key, md, msg, len, rs, half);
    if (ok == 1 && keyed)
        attest_cache_mark(cache, k);
    return ok;
}
