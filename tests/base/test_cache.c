/* The verifier's cache (lib/base/cache.c): bounded by a count of entries,
 * least recently used evicted first, and eviction never changes a verdict
 * (an evicted check is verified again). */
#include "testutil.h"
#include "base/cache.h"
#include "snpgen.h"

#include <openssl/x509.h>

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
