/* The verifier context: trust anchors, instant, chain cache. */
#include "base.h"
#include "x509.h"
#include "cache.h"
#include "anchors.h"
#include "crypto.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int attest_verifier_new(attest_verifier **out)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verifier: out is NULL");
    *out = NULL;
    int status = attest_crypto_init();
    if (status != ATTEST_OK)
        return status;
    size_t n;
    const attest_anchor *builtin = attest_builtin_anchors(&n);
    attest_verifier *v = calloc(1, sizeof *v);
    if (!v || !(v->anchors = malloc(n * sizeof *v->anchors)) ||
        !(v->cache = attest_cache_new())) {
        attest_verifier_free(v);
        return attest_set_error(ATTEST_E_NOMEM, "verifier: out of memory");
    }
    memcpy(v->anchors, builtin, n * sizeof *builtin);
    v->anchor_count = n;
    v->fixed_time = ATTEST_TIME_NOW;
    *out = v;
    return ATTEST_OK;
}

void attest_verifier_free(attest_verifier *v)
{
    if (!v)
        return;
    attest_cache_free(v->cache);
    free(v->anchors);
    free(v);
}

int attest_verifier_set_time(attest_verifier *v, int64_t unix_seconds)
{
    if (!v)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verifier: NULL");
    v->fixed_time = unix_seconds;
    return ATTEST_OK;
}

int64_t attest_verifier_now(const attest_verifier *v)
{
    return v->fixed_time == ATTEST_TIME_NOW ? (int64_t)time(NULL) : v->fixed_time;
}

/* Changing trust invalidates every chain verified under the old one. */
int attest_verifier_clear_anchors(attest_verifier *v, attest_vendor vendor)
{
    if (!v)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verifier: NULL");
    size_t kept = 0;
    for (size_t i = 0; i < v->anchor_count; i++)
        if (v->anchors[i].vendor != vendor)
            v->anchors[kept++] = v->anchors[i];
    v->anchor_count = kept;
    attest_cache_clear(v->cache);
    return ATTEST_OK;
}

int attest_verifier_add_anchor(attest_verifier *v, attest_vendor vendor,
                               const uint8_t spki_sha256[32])
{
    if (!v || !spki_sha256 || vendor < ATTEST_VENDOR_AMD || vendor > ATTEST_VENDOR_AZURE_VTPM)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verifier: bad anchor argument");
    attest_anchor *grown =
        realloc(v->anchors, (v->anchor_count + 1) * sizeof *grown);
    if (!grown)
        return attest_set_error(ATTEST_E_NOMEM, "verifier: out of memory");
    v->anchors = grown;
    attest_anchor *a = &v->anchors[v->anchor_count++];
    a->vendor = vendor;
    memcpy(a->spki_sha256, spki_sha256, 32);
    a->product = NULL;
    attest_cache_clear(v->cache);
    return ATTEST_OK;
}

const attest_anchor *attest_verifier_find_anchor(const attest_verifier *v,
                                                 attest_vendor vendor,
                                                 const uint8_t spki_sha256[32])
{
    for (size_t i = 0; i < v->anchor_count; i++)
        if (v->anchors[i].vendor == vendor &&
            memcmp(v->anchors[i].spki_sha256, spki_sha256, 32) == 0)
            return &v->anchors[i];
    return NULL;
}

size_t attest_verifier_cache_size(attest_verifier *v)
{
    return v ? attest_cache_size(v->cache) : 0;
}

void attest_verifier_clear_cache(attest_verifier *v)
{
    if (v)
        attest_cache_clear(v->cache);
}

int attest_verifier_set_cache_limit(attest_verifier *v, size_t max_entries)
{
    if (!v)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verifier: NULL");
    attest_cache_set_limit(v->cache, max_entries);
    return ATTEST_OK;
}

