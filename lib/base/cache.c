/* The verifier's cache of checks that passed (cache.h): a hash map from a
 * 32-byte key to a verified chain's facts, bounded by a count of entries
 * and evicting the least recently used one, so that a stream of distinct
 * platforms cannot grow it without bound. An evicted check is simply
 * verified again on its next use: eviction never changes a verdict.
 *
 * Threads: one mutex guards the map and the recency list. It is held only
 * for the lookup, the relink and counting a user of the entry (or of a
 * copied chain's certificates): never while verifying, hashing or making a
 * verify context, so threads sharing a verifier contend for a few hundred
 * nanoseconds per verification at most. What threads sharing a verifier
 * write per verification is what makes them slower than processes (each
 * written cache line moves between cores), so a hit writes as little as it
 * can: a marker lookup copies nothing, a hit on one of the entries moved
 * to the front last leaves the list as it is (touch_locked), a chain is
 * borrowed with one reference on its entry rather than one per certificate
 * (attest_cache_borrow), and a P-256 verify context is lent from the
 * entry's idle ones, not copied (a copy allocates and counts references on
 * the key, its EC_KEY, the key manager and the signature algorithm:
 * objects every thread shares). An entry lives while it is in the map or
 * borrowed (node.refs). */
#include "base.h"
#include "cache.h"
#include "crypto.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Chains longer than this are not cached (a get copies the certificate
 * pointers to the stack under the lock): vendor chains have 3 to 6. */
#define CACHE_MAX_CHAIN 16
#define CACHE_MIN_BUCKETS 64
/* How many recent chains a new entry looks in for issuers it can share. */
#define CACHE_SHARE_LOOKBACK 4
/* A hit on one of the CACHE_KEEP_NEWEST entries moved to the front last
 * does not move it again (touch_locked), when the limit is at least
 * CACHE_KEEP_MIN_LIMIT: below that, the order is exactly the recency. */
#define CACHE_KEEP_NEWEST 8
#define CACHE_KEEP_MIN_LIMIT 64
/* Verify contexts a P-256 entry keeps idle between uses: as many as threads
 * verify with one key at once; beyond that a use makes and frees its own. */
#define CACHE_IDLE_VERIFY 16

/* An entry (attest_cache_hold is its name outside). */
typedef struct attest_cache_hold {
    atomic_uint refs;            /* 1 while in the map, +1 per borrower:
                                    the last one frees it (node_release) */
    uint8_t key[32];
    attest_cached_chain entry;   /* entry.chain owns one reference per certificate */
    EVP_PKEY *pkey;              /* attest_cache_p256_key's entries: one reference */
    struct attest_cache_hold *hash_next; /* bucket chain */
    struct attest_cache_hold *newer, *older; /* recency list: head = most recent */
    uint64_t moved;              /* c->moves when last moved to the front */
    unsigned n_idle;             /* P-256 entries: idle[0..n_idle) are verify */
    EVP_PKEY_CTX *idle[];        /* contexts of pkey not lent (CACHE_IDLE_VERIFY) */
} node;

struct attest_chain_cache {
    pthread_mutex_t lock;
    node **buckets;              /* nbuckets heads, a power of two */
    size_t nbuckets;
    size_t size;
    size_t limit;                /* 0: nothing is cached */
    node *newest, *oldest;
    uint64_t moves;              /* moves to the front so far */
};

attest_chain_cache *attest_cache_new(void)
{
    attest_chain_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->nbuckets = CACHE_MIN_BUCKETS;
    c->limit = ATTEST_CACHE_DEFAULT_LIMIT;
    if (!(c->buckets = calloc(c->nbuckets, sizeof *c->buckets)) ||
        pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->buckets);
        free(c);
        return NULL;
    }
    return c;
}

/* The key is a SHA-256 digest: its first bytes are already uniform. */
static size_t bucket_of(const attest_chain_cache *c, const uint8_t key[32])
{
    uint64_t h;
    memcpy(&h, key, sizeof h);
    return (size_t)(h & (c->nbuckets - 1));
}

static node **find_link(attest_chain_cache *c, const uint8_t key[32])
{
    node **link = &c->buckets[bucket_of(c, key)];
    while (*link && memcmp((*link)->key, key, 32) != 0)
        link = &(*link)->hash_next;
    return link;
}

static void list_unlink(attest_chain_cache *c, node *n)
{
    if (n->newer)
        n->newer->older = n->older;
    else
        c->newest = n->older;
    if (n->older)
        n->older->newer = n->newer;
    else
        c->oldest = n->newer;
    n->newer = n->older = NULL;
}

static void list_push_newest(attest_chain_cache *c, node *n)
{
    n->moved = ++c->moves;
    n->older = c->newest;
    n->newer = NULL;
    if (c->newest)
        c->newest->newer = n;
    c->newest = n;
    if (!c->oldest)
        c->oldest = n;
}

/* A hit: make `n` the most recent entry. When it is among the
 * CACHE_KEEP_NEWEST entries moved last (its position in the list is at
 * most the number of moves since its own), nothing is written: threads
 * hitting the same few entries of a platform then only read the list.
 * Such an entry is evicted only after limit - CACHE_KEEP_NEWEST other
 * entries were moved in front of it. */
static void touch_locked(attest_chain_cache *c, node *n)
{
    if (c->limit >= CACHE_KEEP_MIN_LIMIT && c->moves - n->moved < CACHE_KEEP_NEWEST)
        return;
    list_unlink(c, n);
    list_push_newest(c, n);
}

static void node_free(node *n)
{
    sk_X509_pop_free(n->entry.chain, X509_free);
    for (unsigned i = 0; i < n->n_idle; i++)
        EVP_PKEY_CTX_free(n->idle[i]);
    EVP_PKEY_free(n->pkey);
    free(n);
}

/* Drop one reference to `n` (the map's, or a borrower's); the last frees. */
static void node_release(node *n)
{
    if (atomic_fetch_sub_explicit(&n->refs, 1, memory_order_acq_rel) == 1)
        node_free(n);
}

/* Unlink `n` from the map and the list and free it (lock held). */
static void remove_locked(attest_chain_cache *c, node *n)
{
    node **link = find_link(c, n->key);
    *link = n->hash_next;
    list_unlink(c, n);
    c->size--;
    node_release(n);
}

static void evict_to_limit_locked(attest_chain_cache *c)
{
    while (c->size > c->limit && c->oldest)
        remove_locked(c, c->oldest);
}

static void clear_locked(attest_chain_cache *c)
{
    for (node *n = c->newest, *next; n; n = next) {
        next = n->older;
        node_release(n);
    }
    memset(c->buckets, 0, c->nbuckets * sizeof *c->buckets);
    c->newest = c->oldest = NULL;
    c->size = 0;
}

void attest_cache_free(attest_chain_cache *c)
{
    if (!c)
        return;
    clear_locked(c);
    pthread_mutex_destroy(&c->lock);
    free(c->buckets);
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

void attest_cache_set_limit(attest_chain_cache *c, size_t max_entries)
{
    pthread_mutex_lock(&c->lock);
    c->limit = max_entries;
    evict_to_limit_locked(c);
    pthread_mutex_unlock(&c->lock);
}

size_t attest_cache_limit(attest_chain_cache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->limit;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* A new stack of the `n` certificates, whose references the caller already
 * took; on failure those references are dropped. */
static STACK_OF(X509) *stack_of(X509 *const *certs, int n)
{
    STACK_OF(X509) *sk = sk_X509_new_reserve(NULL, n);
    for (int i = 0; sk && i < n; i++)
        (void)sk_X509_push(sk, certs[i]); /* cannot fail: reserved */
    if (!sk)
        for (int i = 0; i < n; i++)
            X509_free(certs[i]);
    return sk;
}

bool attest_cache_get(attest_chain_cache *c, const uint8_t key[32],
                      attest_cached_chain *out)
{
    X509 *certs[CACHE_MAX_CHAIN];
    int ncerts = -1; /* -1: a marker (no chain) */
    pthread_mutex_lock(&c->lock);
    node *n = *find_link(c, key);
    if (n) {
        touch_locked(c, n);
        *out = n->entry;
        if (n->entry.chain) {
            ncerts = sk_X509_num(n->entry.chain);
            for (int i = 0; i < ncerts; i++) {
                certs[i] = sk_X509_value(n->entry.chain, i);
                X509_up_ref(certs[i]);
            }
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (!n)
        return false;
    if (ncerts < 0)
        return true;
    /* The caller's own stack, built outside the lock. */
    out->chain = stack_of(certs, ncerts);
    return out->chain != NULL;
}

bool attest_cache_borrow(attest_chain_cache *c, const uint8_t key[32],
                         attest_cached_chain *out, attest_cache_hold **held)
{
    pthread_mutex_lock(&c->lock);
    node *n = *find_link(c, key);
    if (n) {
        touch_locked(c, n);
        /* under the lock: the map's reference is still there */
        atomic_fetch_add_explicit(&n->refs, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&c->lock);
    *held = n;
    if (n)
        *out = n->entry; /* not changed while the entry lives */
    return n != NULL;
}

void attest_cache_release(attest_cache_hold *held)
{
    if (held)
        node_release(held);
}

/* Grow the map when it holds more entries than buckets; on allocation
 * failure the old buckets stay (longer bucket chains, same answers). */
static void maybe_grow_locked(attest_chain_cache *c)
{
    if (c->size <= c->nbuckets || c->nbuckets > SIZE_MAX / 2 / sizeof(node *))
        return;
    size_t nb = c->nbuckets * 2;
    node **b = calloc(nb, sizeof *b);
    if (!b)
        return;
    for (node *n = c->newest; n; n = n->older) {
        uint64_t h;
        memcpy(&h, n->key, sizeof h);
        node **head = &b[h & (nb - 1)];
        n->hash_next = *head;
        *head = n;
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = nb;
}

/* The largest certificate compared for sharing (larger ones are kept as
 * they are: sharing only saves memory). */
#define CACHE_SHARE_MAX_DER 8192

/* Whether two certificates have the same DER encoding, without allocating:
 * X509_cmp first caches each certificate's extensions, and when an
 * allocation fails there OpenSSL marks the certificate invalid for good,
 * a certificate other chains of the cache share (the allocfail walk:
 * a RIM chain then missed its issuer). i2d into a caller's buffer copies
 * the encoding OpenSSL kept from parsing. */
static bool same_der(X509 *a, X509 *b)
{
    unsigned char da[CACHE_SHARE_MAX_DER], db[CACHE_SHARE_MAX_DER];
    int la = i2d_X509(a, NULL), lb = i2d_X509(b, NULL);
    if (la <= 0 || la != lb || la > CACHE_SHARE_MAX_DER)
        return false;
    unsigned char *pa = da, *pb = db;
    return i2d_X509(a, &pa) == la && i2d_X509(b, &pb) == lb && memcmp(da, db, (size_t)la) == 0;
}

/* Share the issuers of `n`'s chain with the recent entries that hold the
 * same certificates (same encoding), so that thousands of chips of one
 * product keep one ASK and one ARK, not one per collateral object they
 * came with (an RSA-4096 certificate object costs several KiB). */
static void share_issuers_locked(attest_chain_cache *c, node *n)
{
    int len = n->entry.chain ? sk_X509_num(n->entry.chain) : 0;
    for (int i = 1; i < len; i++) {
        X509 *mine = sk_X509_value(n->entry.chain, i);
        int looked = 0;
        for (node *o = c->newest; o && looked < CACHE_SHARE_LOOKBACK; o = o->older) {
            int olen = o->entry.chain ? sk_X509_num(o->entry.chain) : 0;
            looked += olen > 0;
            for (int j = 1; j < olen; j++) {
                X509 *theirs = sk_X509_value(o->entry.chain, j);
                if (theirs != mine && same_der(theirs, mine) && X509_up_ref(theirs)) {
                    (void)sk_X509_set(n->entry.chain, i, theirs);
                    X509_free(mine);
                    goto next_cert;
                }
            }
        }
    next_cert:;
    }
}

/* Insert or replace (lock held); takes ownership of `n`. */
static void insert_locked(attest_chain_cache *c, node *n)
{
    share_issuers_locked(c, n);
    node **link = find_link(c, n->key);
    if (*link)
        remove_locked(c, *link); /* replaced: the newer facts win */
    link = find_link(c, n->key);
    *link = n;
    list_push_newest(c, n);
    c->size++;
    evict_to_limit_locked(c);
    maybe_grow_locked(c);
}

void attest_cache_put(attest_chain_cache *c, const uint8_t key[32],
                      const attest_cached_chain *entry)
{
    if (entry->chain && sk_X509_num(entry->chain) > CACHE_MAX_CHAIN)
        return; /* not cached: verified again next time */
    node *n = calloc(1, sizeof *n);
    if (!n)
        return; /* a cache that cannot grow only costs time */
    atomic_init(&n->refs, 1);
    memcpy(n->key, key, 32);
    n->entry = *entry;
    n->entry.chain = entry->chain ? X509_chain_up_ref(entry->chain) : NULL;
    if (entry->chain && !n->entry.chain) {
        free(n);
        return;
    }
    pthread_mutex_lock(&c->lock);
    if (c->limit == 0) {
        pthread_mutex_unlock(&c->lock);
        node_free(n);
        return;
    }
    insert_locked(c, n);
    pthread_mutex_unlock(&c->lock);
}

/* Only whether the entry is there: nothing is copied or referenced. */
bool attest_cache_seen(attest_chain_cache *c, const uint8_t key[32])
{
    pthread_mutex_lock(&c->lock);
    node *n = *find_link(c, key);
    if (n)
        touch_locked(c, n);
    pthread_mutex_unlock(&c->lock);
    return n != NULL;
}

void attest_cache_mark(attest_chain_cache *c, const uint8_t key[32])
{
    attest_cached_chain e = {0};
    attest_cache_put(c, key, &e);
}

/* The shared key of `key` with a reference for the caller, or NULL. */
static EVP_PKEY *get_pkey(attest_chain_cache *c, const uint8_t key[32])
{
    EVP_PKEY *pkey = NULL;
    pthread_mutex_lock(&c->lock);
    node *n = *find_link(c, key);
    if (n && n->pkey && EVP_PKEY_up_ref(n->pkey)) {
        touch_locked(c, n);
        pkey = n->pkey;
    }
    pthread_mutex_unlock(&c->lock);
    return pkey;
}

/* A new context of `pkey` ready for EVP_PKEY_verify, or NULL. It fetches
 * the signature algorithm (process-wide read locks): made once per thread
 * verifying with a cached key at once, then lent again and again. */
static EVP_PKEY_CTX *new_verify_ctx(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx && EVP_PKEY_verify_init(ctx) != 1) {
        EVP_PKEY_CTX_free(ctx);
        ctx = NULL;
    }
    ERR_clear_error();
    return ctx;
}

/* The entry of the point x||y: both coordinates, every byte. */
static bool p256_entry_key(uint8_t key[32], const uint8_t xy[64])
{
    attest_bytes parts[] = {{"p256-raw", 8}, {xy, 64}};
    return attest_cache_key(key, parts, 2) == 0;
}

/* A new entry for `pkey` (a reference of its own) with room for its idle
 * verify contexts, none made yet; NULL when out of memory. */
static node *p256_node_new(const uint8_t key[32], EVP_PKEY *pkey)
{
    node *n = calloc(1, sizeof *n + CACHE_IDLE_VERIFY * sizeof n->idle[0]);
    if (!n || !EVP_PKEY_up_ref(pkey)) {
        free(n);
        return NULL;
    }
    atomic_init(&n->refs, 1);
    memcpy(n->key, key, 32);
    n->pkey = pkey;
    return n;
}

int attest_cache_p256_key(attest_chain_cache *c, const uint8_t xy[64], EVP_PKEY **out)
{
    uint8_t key[32];
    bool keyed = p256_entry_key(key, xy);
    if (keyed && (*out = get_pkey(c, key)) != NULL)
        return 0;
    if (attest_p256_key_from_raw(out, xy) != 0)
        return -1;
    node *n = keyed ? p256_node_new(key, *out) : NULL;
    if (!n)
        return 0; /* not cached: the caller still has its key */
    pthread_mutex_lock(&c->lock);
    if (c->limit > 0) {
        insert_locked(c, n);
        n = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (n)
        node_free(n);
    return 0;
}

/* From the P-256 entry `key` names: an idle verify context, taken out of
 * it (*ctx), or when none is idle a reference to its key to make one
 * from (*pkey). False when there is no such entry. */
static bool take_verify_ctx(attest_chain_cache *c, const uint8_t key[32], EVP_PKEY_CTX **ctx,
                            EVP_PKEY **pkey)
{
    pthread_mutex_lock(&c->lock);
    node *n = *find_link(c, key);
    bool found = n && n->pkey;
    if (found) {
        touch_locked(c, n);
        if (n->n_idle > 0)
            *ctx = n->idle[--n->n_idle];
        else if (EVP_PKEY_up_ref(n->pkey))
            *pkey = n->pkey;
        else
            found = false;
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

int attest_cache_p256_verify_lend(attest_chain_cache *c, const uint8_t xy[64],
                                  attest_p256_lease *lease)
{
    EVP_PKEY *pkey = NULL;
    lease->ctx = NULL;
    lease->keyed = p256_entry_key(lease->key, xy);
    if (!(lease->keyed && take_verify_ctx(c, lease->key, &lease->ctx, &pkey)) &&
        attest_cache_p256_key(c, xy, &pkey) != 0)
        return -1;
    if (!lease->ctx)
        lease->ctx = new_verify_ctx(pkey);
    EVP_PKEY_free(pkey);
    return lease->ctx ? 0 : -1;
}

void attest_cache_p256_verify_return(attest_chain_cache *c, attest_p256_lease *lease)
{
    EVP_PKEY_CTX *spare = lease->ctx;
    lease->ctx = NULL;
    if (spare && lease->keyed) {
        /* Back to the entry of its point, if it is still cached (or cached
         * again: any entry of that point takes it), unless it has enough. */
        pthread_mutex_lock(&c->lock);
        node *n = *find_link(c, lease->key);
        if (n && n->pkey && n->n_idle < CACHE_IDLE_VERIFY) {
            n->idle[n->n_idle++] = spare;
            spare = NULL;
        }
        pthread_mutex_unlock(&c->lock);
    }
    EVP_PKEY_CTX_free(spare);
}

int attest_cache_key(uint8_t out[32], const attest_bytes *parts, size_t n)
{
    attest_sha256_parts(out, parts, n); /* length-prefixed: parts cannot run together */
    return 0;
}
