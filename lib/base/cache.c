/* A small thread-safe map from a leaf certificate's SHA-256 to its verified
 * chain facts, so that repeated evidence from one machine costs one ECDSA
 * verification instead of a chain walk. Bounded: when full, it is emptied
 * (simple and predictable; machines are few compared with reports). */
#include "base.h"
#include "cache.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 256

typedef struct slot {
    bool used;
    uint8_t key[32];
    attest_cached_chain entry;
} slot;

struct attest_chain_cache {
    pthread_mutex_t lock;
    slot slots[CACHE_SLOTS];
    size_t size;
};

attest_chain_cache *attest_cache_new(void)
{
    attest_chain_cache *c = calloc(1, sizeof *c);
    if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

static void clear_locked(attest_chain_cache *c)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        if (c->slots[i].used)
            sk_X509_pop_free(c->slots[i].entry.chain, X509_free);
        c->slots[i].used = false;
    }
    c->size = 0;
}

void attest_cache_free(attest_chain_cache *c)
{
    if (!c)
        return;
    clear_locked(c);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void attest_cache_clear(attest_chain_cache *c)
{
    pthread_mutex_lock(&c->lock);
    clear_locked(c);
    pthread_mutex_unlock(&c->lock);
}

size_t attest_cache_size(attest_chain_cache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->size;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* Open addressing on the first key bytes (the key is a SHA-256 digest). */
static size_t home(const uint8_t key[32])
{
    return (size_t)(key[0] | key[1] << 8) % CACHE_SLOTS;
}

bool attest_cache_get(attest_chain_cache *c, const uint8_t key[32],
                      attest_cached_chain *out)
{
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    for (size_t n = 0, i = home(key); n < CACHE_SLOTS; n++, i = (i + 1) % CACHE_SLOTS) {
        slot *s = &c->slots[i];
        if (!s->used)
            break;
        if (memcmp(s->key, key, 32) == 0) {
            *out = s->entry;
            if (s->entry.chain) { /* NULL: a "verified" marker */
                out->chain = X509_chain_up_ref(s->entry.chain);
                hit = out->chain != NULL;
            } else {
                hit = true;
            }
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void attest_cache_put(attest_chain_cache *c, const uint8_t key[32],
                      const attest_cached_chain *entry)
{
    STACK_OF(X509) *chain = entry->chain ? X509_chain_up_ref(entry->chain) : NULL;
    if (entry->chain && !chain)
        return;
    pthread_mutex_lock(&c->lock);
    if (c->size >= CACHE_SLOTS * 3 / 4)
        clear_locked(c);
    for (size_t i = home(key);; i = (i + 1) % CACHE_SLOTS) {
        slot *s = &c->slots[i];
        if (s->used && memcmp(s->key, key, 32) == 0) {
            sk_X509_pop_free(s->entry.chain, X509_free);
            s->entry = *entry;
            s->entry.chain = chain;
            break;
        }
        if (!s->used) {
            s->used = true;
            memcpy(s->key, key, 32);
            s->entry = *entry;
            s->entry.chain = chain;
            c->size++;
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
}

bool attest_cache_seen(attest_chain_cache *c, const uint8_t key[32])
{
    attest_cached_chain e;
    if (!attest_cache_get(c, key, &e))
        return false;
    sk_X509_pop_free(e.chain, X509_free);
    return true;
}

void attest_cache_mark(attest_chain_cache *c, const uint8_t key[32])
{
    attest_cached_chain e = {0};
    attest_cache_put(c, key, &e);
}

int attest_cache_key(uint8_t out[32], const attest_bytes *parts, size_t n)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    for (size_t i = 0; ok && i < n; i++) {
        uint64_t len = parts[i].len; /* length-prefixed: parts cannot run together */
        ok = EVP_DigestUpdate(ctx, &len, sizeof len) == 1 &&
             EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}
