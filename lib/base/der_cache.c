/* Parsed certificates and CRLs shared by exact bytes (der_cache.h). */
#include "der_cache.h"
#include "crypto.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#define WAYS 4 /* slots per set: a set is chosen by the key, LRU inside it */
#define SETS (ATTEST_DER_CACHE_SLOTS / WAYS)

typedef enum { KIND_NONE = 0, KIND_X509, KIND_CRL, KIND_P256 } der_kind;

typedef struct der_slot {
    uint8_t key[32]; /* SHA-256(kind || bytes) */
    der_kind kind;
    void *obj;       /* X509 *, X509_CRL * or EVP_PKEY *, one reference held */
    size_t used;     /* bytes d2i consumed */
    uint64_t last;   /* tick of the last use, for eviction */
} der_slot;

static der_slot slots[SETS][WAYS];
static uint64_t tick;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int der_key(uint8_t out[32], der_kind kind, const uint8_t *der, size_t len)
{
    uint8_t tag = (uint8_t)kind;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, &tag, 1) == 1 && EVP_DigestUpdate(ctx, der, len) == 1 &&
             EVP_DigestFinal_ex(ctx, out, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

static void obj_free(der_kind kind, void *obj)
{
    if (kind == KIND_X509)
        X509_free(obj);
    else if (kind == KIND_CRL)
        X509_CRL_free(obj);
    else if (kind == KIND_P256)
        EVP_PKEY_free(obj);
}

/* A new reference to obj (under the lock, so eviction cannot free it first). */
static void *obj_ref(der_kind kind, void *obj)
{
    int ok = kind == KIND_X509  ? X509_up_ref(obj)
             : kind == KIND_CRL ? X509_CRL_up_ref(obj)
                                : EVP_PKEY_up_ref(obj);
    return ok == 1 ? obj : NULL;
}

static void *lookup(const uint8_t key[32], der_kind kind, size_t *used)
{
    void *found = NULL;
    der_slot *set = slots[key[0] % SETS];
    pthread_mutex_lock(&lock);
    for (int i = 0; i < WAYS && !found; i++)
        if (set[i].kind == kind && memcmp(set[i].key, key, 32) == 0 &&
            (found = obj_ref(kind, set[i].obj))) {
            set[i].last = ++tick;
            *used = set[i].used;
        }
    pthread_mutex_unlock(&lock);
    return found;
}

static void remember(const uint8_t key[32], der_kind kind, void *obj, size_t used)
{
    der_slot *set = slots[key[0] % SETS], *victim = &set[0];
    void *ref = NULL, *old = NULL;
    der_kind old_kind = KIND_NONE;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < WAYS; i++) {
        if (set[i].kind == kind && memcmp(set[i].key, key, 32) == 0) {
            victim = NULL; /* another thread put it first */
            break;
        }
        if (set[i].last < victim->last)
            victim = &set[i];
    }
    if (victim && (ref = obj_ref(kind, obj))) {
        old = victim->obj;
        old_kind = victim->kind;
        *victim = (der_slot){.kind = kind, .obj = ref, .used = used, .last = ++tick};
        memcpy(victim->key, key, 32);
    }
    pthread_mutex_unlock(&lock);
    obj_free(old_kind, old); /* our reference only; holders keep theirs */
}

static void *decode(der_kind kind, const uint8_t *der, size_t len, size_t *used)
{
    const unsigned char *p = der;
    if (kind == KIND_P256) {
        EVP_PKEY *key = NULL;
        *used = len == 64 && attest_p256_key_from_raw(&key, der) == 0 ? 64 : 0;
        return key;
    }
    void *obj = kind == KIND_X509 ? (void *)d2i_X509(NULL, &p, (long)len)
                                  : (void *)d2i_X509_CRL(NULL, &p, (long)len);
    *used = obj ? (size_t)(p - der) : 0;
    return obj;
}

static void *cached_decode(der_kind kind, const uint8_t *der, size_t len, size_t *used)
{
    uint8_t key[32];
    size_t n = 0;
    void *obj = NULL;
    *used = 0;
    if (!der || len == 0 || len > INT32_MAX)
        return NULL;
    bool keyed = der_key(key, kind, der, len) == 0;
    if (keyed && (obj = lookup(key, kind, &n))) {
        *used = n;
        return obj;
    }
    if ((obj = decode(kind, der, len, &n)) && keyed)
        remember(key, kind, obj, n);
    *used = n;
    return obj;
}

X509 *attest_der_x509(const uint8_t *der, size_t len, size_t *used)
{
    return cached_decode(KIND_X509, der, len, used);
}

X509_CRL *attest_der_crl(const uint8_t *der, size_t len, size_t *used)
{
    return cached_decode(KIND_CRL, der, len, used);
}

EVP_PKEY *attest_p256_key_cached(const uint8_t xy[64])
{
    size_t used = 0;
    return cached_decode(KIND_P256, xy, 64, &used);
}

void attest_der_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (int s = 0; s < SETS; s++)
        for (int i = 0; i < WAYS; i++) {
            obj_free(slots[s][i].kind, slots[s][i].obj);
            slots[s][i] = (der_slot){0};
        }
    pthread_mutex_unlock(&lock);
}
