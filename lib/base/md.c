/* Digests fetched once per process (crypto.h). With OpenSSL 3.0,
 * EVP_sha256() is a legacy handle: every EVP_DigestInit_ex, EVP_Digest or
 * X509_digest with it fetches the implementation again from the provider
 * store, under read locks of process-wide tables whose cache lines every
 * verifying thread then writes (about a hundred per TDX verification).
 * A fetched EVP_MD is used as is. */
/* SHA256_Init/Update/Final are deprecated in OpenSSL 3.0 in favour of
 * EVP, but remain its SHA-256 (the default provider calls them): used here
 * for the reasons crypto.h gives (an OpenSSL built without them stops the
 * build here, by name). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "base.h"
#include "crypto.h"

#include <openssl/sha.h>
#include <pthread.h>

static EVP_MD *fetched_sha256, *fetched_sha384;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_digests(void)
{
    fetched_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    fetched_sha384 = EVP_MD_fetch(NULL, "SHA2-384", NULL);
}

/* On a failed fetch (out of memory at first use), the legacy handle: it
 * fetches per call, as before, and fails there if it must. */
const EVP_MD *attest_md_sha256(void)
{
    pthread_once(&fetch_once, fetch_digests);
    return fetched_sha256 ? fetched_sha256 : EVP_sha256();
}

const EVP_MD *attest_md_sha384(void)
{
    pthread_once(&fetch_once, fetch_digests);
    return fetched_sha384 ? fetched_sha384 : EVP_sha384();
}

#ifndef OPENSSL_NO_DEPRECATED_3_0
void attest_sha256(uint8_t out[32], const void *data, size_t len)
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data, len);
    SHA256_Final(out, &c);
}

void attest_sha384(uint8_t out[48], const void *data, size_t len)
{
    SHA512_CTX c;
    SHA384_Init(&c);
    SHA384_Update(&c, data, len);
    SHA384_Final(out, &c);
}

void attest_sha256_parts(uint8_t out[32], const attest_bytes *parts, size_t n)
{
    SHA256_CTX c;
    SHA256_Init(&c);
    for (size_t i = 0; i < n; i++) {
        uint64_t len = parts[i].len;
        SHA256_Update(&c, &len, sizeof len);
        SHA256_Update(&c, parts[i].data, parts[i].len);
    }
    SHA256_Final(out, &c);
}

int attest_sha2_concat(size_t out_len, uint8_t *out, const attest_bytes *parts, size_t n)
{
    if (out_len == 32) {
        SHA256_CTX c;
        SHA256_Init(&c);
        for (size_t i = 0; i < n; i++) SHA256_Update(&c, parts[i].data, parts[i].len);
        SHA256_Final(out, &c);
        return 0;
    }
    if (out_len != 48 && out_len != 64)
        return -1;
    SHA512_CTX c;
    out_len == 48 ? SHA384_Init(&c) : SHA512_Init(&c);
    for (size_t i = 0; i < n; i++) SHA512_Update(&c, parts[i].data, parts[i].len);
    out_len == 48 ? SHA384_Final(out, &c) : SHA512_Final(out, &c);
    return 0;
}
#else
#error "lib/base/md.c: an OpenSSL without the SHA256_* functions: write the EVP path"
#endif
