/* Digests fetched once per process (crypto.h). With OpenSSL 3.0,
 * EVP_sha256() is a legacy handle: every EVP_DigestInit_ex, EVP_Digest or
 * X509_digest with it fetches the implementation again from the provider
 * store, under read locks of process-wide tables whose cache lines every
 * verifying thread then writes (about a hundred per TDX verification).
 * A fetched EVP_MD is used as is. */
#include "base.h"
#include "crypto.h"

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
