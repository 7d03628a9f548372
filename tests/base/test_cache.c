/* The verifier's cache (lib/base/cache.c): bounded by a count of entries,
 * least recently used evicted first, and eviction never changes a verdict
 * (an evicted check is verified again). */
#include "testutil.h"
#include "base/cache.h"
#include "base/crypto.h"
#include "snpgen.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pthread.h>

static void key_of(uint8_t key[32], int i)
{
    memset(key, 0, 32);
    key[0] = (uint8_t)i; /* bucket index varies */
    key[31] = (uint8_t)(i * 7 + 1);
}

static void mark(attest_chain_cache *c, int i)
{
    uint8_t k[32];
    key_of(k, i);
    attest_cache_mark(c, k);
}

static bool seen(attest_chain_cache *c, int i)
{
    uint8_t k[32];
    key_of(k, i);
    return attest_cache_seen(c, k);
}

static attest_chain_cache *cache_with_limit(size_t limit)
{
    attest_chain_cache *c = attest_cache_new();
    cr_assert(c);
    cr_assert_eq(attest_cache_limit(c), ATTEST_CACHE_DEFAULT_LIMIT);
    attest_cache_set_limit(c, limit);
    cr_assert_eq(attest_cache_limit(c), limit);
    return c;
}

Test(cache, evicts_the_least_recently_used)
{
    attest_chain_cache *c = cache_with_limit(3);
    mark(c, 1);
    mark(c, 2);
    mark(c, 3);
    cr_assert(seen(c, 1)); /* 1 is now the most recent: 2 is the oldest */
    mark(c, 4);
    cr_expect_eq(attest_cache_size(c), 3);
    cr_expect(!seen(c, 2), "the least recently used entry stays");
    cr_expect(seen(c, 1) && seen(c, 3) && seen(c, 4));
    mark(c, 5); /* order now 5 4 3 1 (lookups above: 1, 3, 4): 1 goes */
    cr_expect(!seen(c, 1));
    cr_expect(seen(c, 3) && seen(c, 4) && seen(c, 5));
    cr_expect_eq(attest_cache_size(c), 3);
    attest_cache_free(c);
}

/* With a limit of 64 or more, a hit on one of the 8 entries moved to the
 * front last leaves it where it is (threads hitting a platform's few hot
 * entries then write nothing shared); any other hit moves it to the front. */
Test(cache, hit_among_the_newest_keeps_its_place)
{
    attest_chain_cache *c = cache_with_limit(64);
    for (int i = 0; i < 64; i++)
        mark(c, i); /* newest first: 63 62 ... 0 */
    cr_assert(seen(c, 0));  /* the oldest: moved to the front */
    cr_assert(seen(c, 57)); /* 7 moves after it: stays */
    for (int i = 64; i <= 120; i++)
        mark(c, i); /* evicts 1..56, then 57 (58 with exact recency) */
    cr_expect_eq(attest_cache_size(c), 64);
    cr_expect(!seen(c, 57), "a hit among the 8 newest moved the entry");
    cr_expect(seen(c, 58));
    cr_expect(seen(c, 0), "a hit on the oldest entry did not move it");
    cr_expect(!seen(c, 56) && seen(c, 120));
    attest_cache_free(c);
}

Test(cache, lowering_the_limit_evicts_the_oldest_at_once)
{
    attest_chain_cache *c = cache_with_limit(100);
    for (int i = 0; i < 10; i++)
        mark(c, i);
    cr_assert(seen(c, 0));
    attest_cache_set_limit(c, 2); /* recency: 0, 9, 8, ... */
    cr_expect_eq(attest_cache_size(c), 2);
    cr_expect(seen(c, 0) && seen(c, 9));
    cr_expect(!seen(c, 8) && !seen(c, 1));
    attest_cache_free(c);
}

Test(cache, limit_zero_caches_nothing)
{
    attest_chain_cache *c = cache_with_limit(ATTEST_CACHE_DEFAULT_LIMIT);
    mark(c, 1);
    cr_assert(seen(c, 1));
    attest_cache_set_limit(c, 0);
    cr_expect_eq(attest_cache_size(c), 0);
    cr_expect(!seen(c, 1));
    mark(c, 2);
    cr_expect(!seen(c, 2));
    cr_expect_eq(attest_cache_size(c), 0);
    attest_cache_free(c);
}

Test(cache, limit_one_keeps_the_last)
{
    attest_chain_cache *c = cache_with_limit(1);
    for (int i = 0; i < 5; i++) {
        mark(c, i);
        cr_expect(seen(c, i));
        cr_expect(i == 0 || !seen(c, i - 1), "entry %d stays", i - 1);
        cr_expect_eq(attest_cache_size(c), 1);
    }
    mark(c, 4); /* the same key again replaces, never grows */
    cr_expect_eq(attest_cache_size(c), 1);
    attest_cache_free(c);
}

/* Thousands of keys: the map grows its buckets and every entry within the
 * limit is found; those beyond it are gone. */
Test(cache, many_entries_bounded)
{
    attest_chain_cache *c = cache_with_limit(1000);
    for (int i = 0; i < 5000; i++) {
        uint8_t k[32] = {0};
        memcpy(k, &i, sizeof i);
        attest_cache_mark(c, k);
    }
    cr_expect_eq(attest_cache_size(c), 1000);
    for (int i = 0; i < 5000; i++) {
        uint8_t k[32] = {0};
        memcpy(k, &i, sizeof i);
        cr_expect_eq(attest_cache_seen(c, k), i >= 4000, "key %d", i);
    }
    attest_cache_free(c);
}

/* A chain taken from the cache is the caller's: evicting its entry (or
 * clearing the cache) leaves the copy valid (ASan checks the references). */
Test(cache, copy_outlives_eviction)
{
    attest_chain_cache *c = cache_with_limit(1);
    STACK_OF(X509) *chain = sk_X509_new_null();
    X509 *cert = X509_new();
    cr_assert(chain && cert && sk_X509_push(chain, cert) == 1);
    attest_cached_chain in = {.chain = chain, .not_before = 1, .not_after = 2, .product = 7};
    uint8_t k[32];
    key_of(k, 1);
    attest_cache_put(c, k, &in);
    sk_X509_pop_free(chain, X509_free); /* the cache holds its own references */
    attest_cached_chain out;
    cr_assert(attest_cache_get(c, k, &out));
    cr_expect_eq(out.product, 7);
    cr_expect_eq(out.not_after, 2);
    cr_assert_eq(sk_X509_num(out.chain), 1);
    mark(c, 2); /* evicts the chain entry */
    cr_expect(!attest_cache_get(c, k, &(attest_cached_chain){0}));
    cr_expect_eq(X509_get_version(sk_X509_value(out.chain, 0)), 0);
    sk_X509_pop_free(out.chain, X509_free);
    attest_cache_free(c);
}

/* A borrowed chain is the entry's own stack, no copy; it stays valid while
 * the entry is evicted and replaced, until released (ASan: no use after
 * free; LeakSanitizer: the last release frees it). */
Test(cache, borrowed_chain_outlives_eviction)
{
    attest_chain_cache *c = cache_with_limit(1);
    STACK_OF(X509) *chain = sk_X509_new_null();
    X509 *cert = X509_new();
    cr_assert(chain && cert && sk_X509_push(chain, cert) == 1);
    cr_assert_eq(X509_set_version(cert, X509_VERSION_3), 1);
    attest_cached_chain in = {.chain = chain, .product = 7, .extra = {0xab}, .extra_len = 1};
    uint8_t k[32];
    key_of(k, 1);
    attest_cache_put(c, k, &in);
    sk_X509_pop_free(chain, X509_free);
    attest_cached_chain a, b;
    attest_cache_hold *ha = NULL, *hb = NULL;
    cr_assert(attest_cache_borrow(c, k, &a, &ha));
    cr_assert(attest_cache_borrow(c, k, &b, &hb));
    cr_expect_eq(a.chain, b.chain, "a borrowed chain was copied");
    cr_expect_eq(a.product, 7);
    cr_expect_eq(a.extra_len, 1);
    cr_expect_eq(a.extra[0], 0xab);
    mark(c, 2); /* evicts the chain's entry */
    cr_expect(!attest_cache_borrow(c, k, &(attest_cached_chain){0}, &(attest_cache_hold *){0}));
    attest_cache_release(hb);
    cr_assert_eq(sk_X509_num(a.chain), 1);
    cr_expect_eq(X509_get_version(sk_X509_value(a.chain, 0)), X509_VERSION_3);
    attest_cache_put(c, k, &a); /* the same key again: a new entry, own references */
    attest_cache_release(ha);
    attest_cached_chain again;
    attest_cache_hold *h = NULL;
    cr_assert(attest_cache_borrow(c, k, &again, &h));
    cr_expect_eq(X509_get_version(sk_X509_value(again.chain, 0)), X509_VERSION_3);
    attest_cache_release(h);
    attest_cache_hold *none = (attest_cache_hold *)1;
    key_of(k, 3);
    cr_expect(!attest_cache_borrow(c, k, &again, &none));
    cr_expect_null(none);
    attest_cache_release(NULL);
    attest_cache_free(c);
}

/* ---- through the public API: the verdict does not depend on the limit -- */

typedef struct snp_fixture {
    uint8_t report[3][SNPGEN_REPORT_SIZE]; /* Milan, Genoa, Milan tampered */
    attest_evidence *ev[3];
    attest_collateral *coll;
    uint8_t ark_pin[2][32];
} snp_fixture;

static void load_product(snp_fixture *f, int i, const char *product)
{
    char dir[512], path[600];
    snpgen_pki *pki = NULL;
    tu_pki(dir, sizeof dir, product);
    cr_assert_eq(snpgen_pki_load(&pki, dir), 0, "%s", dir);
    cr_assert_eq(snpgen_report_init(f->report[i], pki, 3), 0);
    cr_assert_eq(snpgen_report_sign(f->report[i], pki->vcek_key), 0);
    char hex[65];
    cr_assert_eq(snpgen_spki_sha256_hex(hex, pki->ark), 0);
    for (int b = 0; b < 32; b++) {
        unsigned v = 0;
        cr_assert_eq(sscanf(hex + 2 * b, "%2x", &v), 1);
        f->ark_pin[i][b] = (uint8_t)v;
    }
    static const char *const files[] = {"vcek.pem", "chain.pem", "crl.der"};
    for (size_t k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        tu_add_file(f->coll, path);
    }
    snpgen_pki_free(pki);
}

static void fixture_load(snp_fixture *f)
{
    memset(f, 0, sizeof *f);
    cr_assert_eq(attest_collateral_new(&f->coll), ATTEST_OK);
    load_product(f, 0, "milan");
    load_product(f, 1, "genoa");
    memcpy(f->report[2], f->report[0], SNPGEN_REPORT_SIZE);
    f->report[2][SNPGEN_OFF_MEASUREMENT] ^= 1; /* signature no longer holds */
    for (int i = 0; i < 3; i++)
        cr_assert_eq(attest_evidence_parse(&f->ev[i], f->report[i], SNPGEN_REPORT_SIZE),
                     ATTEST_OK);
}

static void fixture_free(snp_fixture *f)
{
    for (int i = 0; i < 3; i++)
        attest_evidence_free(f->ev[i]);
    attest_collateral_free(f->coll);
}

static attest_verifier *fixture_verifier(const snp_fixture *f)
{
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_AMD), ATTEST_OK);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, f->ark_pin[i]), ATTEST_OK);
    cr_assert_eq(attest_verifier_set_time(v, tu_time("2025-06-01T00:00:00Z")), ATTEST_OK);
    return v;
}

/* Verify evidence `i`; *cached tells whether the chain came from the cache. */
static int verify_one(const snp_fixture *f, attest_verifier *v, int i, bool *cached)
{
    attest_result *r = NULL;
    int status = attest_verify(&r, v, f->ev[i], f->coll, NULL, NULL, 0);
    cr_assert(r);
    *cached = false;
    for (size_t k = 0; k < attest_result_check_count(r); k++)
        if (strstr(attest_result_check_name(r, k), "snp.chain"))
            *cached = strstr(attest_result_check_detail(r, k), "(cached)") != NULL;
    attest_result_free(r);
    return status;
}

/* Milan, Genoa, Milan, tampered Milan, Genoa, Milan... through one verifier
 * per limit: every verdict is the one a fresh verifier gives, and with a
 * limit of 0 or 1 the chain is re-verified (never "(cached)") after the
 * other product's verification evicted it. */
Test(cache, verdicts_do_not_depend_on_the_limit)
{
    snp_fixture f;
    fixture_load(&f);
    static const int order[] = {0, 1, 0, 2, 1, 0, 0, 2, 2, 1};
    int want[3];
    for (int i = 0; i < 3; i++) {
        attest_verifier *fresh = fixture_verifier(&f);
        bool cached;
        want[i] = verify_one(&f, fresh, i, &cached);
        attest_verifier_free(fresh);
    }
    cr_assert_eq(want[0], ATTEST_OK);
    cr_assert_eq(want[1], ATTEST_OK);
    cr_assert_eq(want[2], ATTEST_E_SNP_SIGNATURE);
    static const size_t limits[] = {0, 1, 2, ATTEST_CACHE_DEFAULT_LIMIT};
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
        attest_verifier *v = fixture_verifier(&f);
        cr_assert_eq(attest_verifier_set_cache_limit(v, limits[l]), ATTEST_OK);
        for (size_t n = 0; n < sizeof order / sizeof order[0]; n++) {
            bool cached;
            int i = order[n];
            cr_expect_eq(verify_one(&f, v, i, &cached), want[i], "limit %zu, step %zu",
                         limits[l], n);
            cr_expect_leq(attest_verifier_cache_size(v), limits[l]);
            bool same_as_before = n > 0 && (order[n - 1] == i || (order[n - 1] | i) == 2);
            if (limits[l] <= 1 && !same_as_before)
                cr_expect(!cached, "limit %zu, step %zu: evicted chain served", limits[l], n);
            if (limits[l] == 0)
                cr_expect(!cached, "limit 0, step %zu: a chain was cached", n);
        }
        attest_verifier_free(v);
    }
    cr_expect_eq(attest_verifier_set_cache_limit(NULL, 1), ATTEST_E_INVALID_ARG);
    fixture_free(&f);
}

/* ---- the shared attestation key object ----------------------------------- */

/* x||y of the P-256 generator G and of 2G (both on the curve). */
static const uint8_t P256_G[64] = {
    0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};
static const uint8_t P256_2G[64] = {
    0x7c, 0xf2, 0x7b, 0x18, 0x8d, 0x03, 0x4f, 0x7e, 0x8a, 0x52, 0x38, 0x03, 0x04, 0xb5, 0x1a, 0xc3,
    0xc0, 0x89, 0x69, 0xe2, 0x77, 0xf2, 0x1b, 0x35, 0xa6, 0x0b, 0x48, 0xfc, 0x47, 0x66, 0x99, 0x78,
    0x07, 0x77, 0x55, 0x10, 0xdb, 0x8e, 0xd0, 0x40, 0x29, 0x3d, 0x9a, 0xc6, 0x9f, 0x74, 0x30, 0xdb,
    0xba, 0x7d, 0xad, 0xe6, 0x3c, 0xe9, 0x82, 0x29, 0x9e, 0x04, 0xb7, 0x9d, 0x22, 0x78, 0x73, 0xd1};

/* One object per point while cached: the quotes of a platform (and the
 * threads verifying them) share it instead of building one each. */
Test(cache, p256_key_shared_per_point)
{
    attest_chain_cache *c = cache_with_limit(ATTEST_CACHE_DEFAULT_LIMIT);
    EVP_PKEY *a = NULL, *b = NULL, *g2 = NULL;
    cr_assert_eq(attest_cache_p256_key(c, P256_G, &a), 0);
    cr_assert_eq(attest_cache_p256_key(c, P256_G, &b), 0);
    cr_expect_eq(a, b, "the same point gives the cached object");
    cr_assert_eq(attest_cache_p256_key(c, P256_2G, &g2), 0);
    cr_expect_neq(a, g2);
    cr_expect_eq(attest_cache_size(c), 2);
    attest_cache_clear(c); /* the callers' references stay valid */
    cr_expect_eq(EVP_PKEY_get_bits(a), 256);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(g2);
    attest_cache_free(c);
}

/* A point off the curve is refused and never cached; limit 0 still gives
 * a working key, only not shared. */
Test(cache, p256_key_refused_off_curve_and_uncached_at_limit_zero)
{
    attest_chain_cache *c = cache_with_limit(0);
    uint8_t bad[64];
    memcpy(bad, P256_G, sizeof bad);
    bad[63] ^= 1;
    EVP_PKEY *k = NULL, *k2 = NULL;
    cr_expect_eq(attest_cache_p256_key(c, bad, &k), -1);
    cr_expect_null(k);
    cr_assert_eq(attest_cache_p256_key(c, P256_G, &k), 0);
    cr_assert_eq(attest_cache_p256_key(c, P256_G, &k2), 0);
    cr_expect_neq(k, k2, "limit 0 shared a key");
    cr_expect_eq(attest_cache_size(c), 0);
    EVP_PKEY_free(k);
    EVP_PKEY_free(k2);
    attest_cache_set_limit(c, 4);
    cr_expect_eq(attest_cache_p256_key(c, bad, &k), -1);
    cr_expect_eq(attest_cache_size(c), 0, "a refused point was cached");
    attest_cache_free(c);
}

/* ---- verify contexts lent by a P-256 entry ----------------------------- */

static int lent_marker; /* app data that tells a context lent before */

/* Two callers at once get two contexts; one given back is lent again (not
 * a new one); an entry keeps at most 16 idle. */
Test(cache, p256_verify_contexts_lent_one_per_caller)
{
    attest_chain_cache *c = cache_with_limit(ATTEST_CACHE_DEFAULT_LIMIT);
    attest_p256_lease l[20];
    cr_assert_eq(attest_cache_p256_verify_lend(c, P256_G, &l[0]), 0);
    cr_assert_eq(attest_cache_p256_verify_lend(c, P256_G, &l[1]), 0);
    cr_expect_neq(l[0].ctx, l[1].ctx, "one context lent to two callers");
    EVP_PKEY_CTX_set_app_data(l[0].ctx, &lent_marker);
    attest_cache_p256_verify_return(c, &l[0]);
    cr_expect_null(l[0].ctx);
    cr_assert_eq(attest_cache_p256_verify_lend(c, P256_G, &l[0]), 0);
    cr_expect_eq(EVP_PKEY_CTX_get_app_data(l[0].ctx), &lent_marker, "not lent again");
    attest_cache_p256_verify_return(c, &l[1]);
    attest_cache_p256_verify_return(c, &l[0]);
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(attest_cache_p256_verify_lend(c, P256_G, &l[i]), 0);
        EVP_PKEY_CTX_set_app_data(l[i].ctx, &lent_marker);
    }
    for (int i = 0; i < 20; i++)
        attest_cache_p256_verify_return(c, &l[i]);
    int idle = 0;
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(attest_cache_p256_verify_lend(c, P256_G, &l[i]), 0);
        idle += EVP_PKEY_CTX_get_app_data(l[i].ctx) == &lent_marker;
    }
    cr_expect_eq(idle, 16, "an entry kept %d idle contexts", idle);
    for (int i = 0; i < 20; i++)
        attest_cache_p256_verify_return(c, &l[i]);
    cr_expect_eq(attest_cache_size(c), 1);
    attest_cache_free(c);
}

typedef struct lent_use {
    attest_chain_cache *c;
    uint8_t xy[64];
    uint8_t msg[32], rs[64];
    pthread_barrier_t lent, evicted;
    int valid, tampered;
} lent_use;

static void *verify_while_evicted(void *arg)
{
    lent_use *u = arg;
    attest_p256_lease lease;
    if (attest_cache_p256_verify_lend(u->c, u->xy, &lease) != 0)
        lease.ctx = NULL;
    pthread_barrier_wait(&u->lent);
    pthread_barrier_wait(&u->evicted); /* the entry is gone: the context stays */
    if (lease.ctx) {
        u->valid = attest_ecdsa_verify_raw_pctx(lease.ctx, attest_md_sha256(), u->msg,
                                                sizeof u->msg, u->rs, 32);
        u->msg[0] ^= 1;
        u->tampered = attest_ecdsa_verify_raw_pctx(lease.ctx, attest_md_sha256(), u->msg,
                                                   sizeof u->msg, u->rs, 32);
    }
    attest_cache_p256_verify_return(u->c, &lease); /* no entry: freed */
    return NULL;
}

/* A context lent to one thread stays valid while another evicts its entry
 * (clear, then limit 0); given back, it is freed (ASan: no leak, no use
 * after free), and the point is cached again on its next use. */
Test(cache, p256_verify_context_outlives_its_entry)
{
    static lent_use u;
    memset(&u, 0, sizeof u);
    u.c = cache_with_limit(ATTEST_CACHE_DEFAULT_LIMIT);
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t point[65];
    size_t point_len = 0;
    cr_assert(key);
    cr_assert_eq(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                                 sizeof point, &point_len), 1);
    cr_assert_eq(point_len, 65);
    memcpy(u.xy, point + 1, 64);
    memset(u.msg, 0x5a, sizeof u.msg);
    cr_assert_eq(attest_ecdsa_sign_raw(key, attest_md_sha256(), u.msg, sizeof u.msg, u.rs, 32), 0);
    EVP_PKEY_free(key);
    attest_p256_lease first; /* made and given back: the entry keeps it idle */
    cr_assert_eq(attest_cache_p256_verify_lend(u.c, u.xy, &first), 0);
    attest_cache_p256_verify_return(u.c, &first);
    pthread_t t;
    cr_assert_eq(pthread_barrier_init(&u.lent, NULL, 2), 0);
    cr_assert_eq(pthread_barrier_init(&u.evicted, NULL, 2), 0);
    cr_assert_eq(pthread_create(&t, NULL, verify_while_evicted, &u), 0);
    pthread_barrier_wait(&u.lent);
    cr_expect_eq(attest_cache_size(u.c), 1);
    attest_cache_clear(u.c);
    attest_cache_set_limit(u.c, 0);
    pthread_barrier_wait(&u.evicted);
    pthread_join(t, NULL);
    cr_expect_eq(u.valid, 1, "the lent context no longer verifies");
    cr_expect_eq(u.tampered, 0);
    attest_cache_set_limit(u.c, 4);
    attest_p256_lease again;
    cr_assert_eq(attest_cache_p256_verify_lend(u.c, u.xy, &again), 0);
    cr_expect_eq(attest_cache_size(u.c), 1);
    attest_cache_p256_verify_return(u.c, &again);
    pthread_barrier_destroy(&u.lent);
    pthread_barrier_destroy(&u.evicted);
    attest_cache_free(u.c);
}

/* Off the curve: refused, nothing lent or cached. */
Test(cache, p256_verify_lend_refuses_a_point_off_the_curve)
{
    attest_chain_cache *c = cache_with_limit(ATTEST_CACHE_DEFAULT_LIMIT);
    uint8_t bad[64];
    memcpy(bad, P256_G, sizeof bad);
    bad[63] ^= 1;
    attest_p256_lease l;
    cr_expect_eq(attest_cache_p256_verify_lend(c, bad, &l), -1);
    cr_expect_null(l.ctx);
    attest_cache_p256_verify_return(c, &l);
    cr_expect_eq(attest_cache_size(c), 0);
    attest_cache_free(c);
}
