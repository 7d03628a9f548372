/* lib/api/disk_cache.c: hits, misses and expiry; entries that are altered,
 * truncated or for another request are misses and are overwritten; the
 * directory's size bound; the default directory; two processes writing the
 * same key at once. Each test works in its own temporary directory. */
#include "testutil.h"
#include "api/disk_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[64];

static void make_dir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/attest-cache-XXXXXX");
    cr_assert(mkdtemp(tmpdir), "mkdtemp");
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(api_disk_cache, .init = make_dir, .fini = remove_dir);

static const attest_http_request tcb_req = {
    .method = ATTEST_HTTP_GET, .url = "https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=00806f050000"};
static const attest_http_header tcb_headers[] = {
    {"TCB-Info-Issuer-Chain", "-----BEGIN%20CERTIFICATE-----"},
    {"Content-Type", "application/json"},
};

static attest_disk_cache *open_cache(uint64_t max)
{
    attest_disk_cache *c = NULL;
    cr_assert_eq(attest_disk_cache_open(&c, tmpdir, max), 0, "%s", attest_error_last());
    return c;
}

static void put_body(attest_disk_cache *c, const attest_http_request *q, const char *body,
                     int64_t expires)
{
    cr_assert_eq(attest_disk_cache_put(c, q, (const uint8_t *)body, strlen(body), tcb_headers, 2,
                                       1000, expires),
                 0, "%s", attest_error_last());
}

static void entry_file(const attest_http_request *q, char *path, size_t n)
{
    char key[65];
    attest_disk_cache_key(q, key);
    snprintf(path, n, "%s/%s.entry", tmpdir, key);
}

Test(api_disk_cache, hit_until_expires_then_miss)
{
    attest_disk_cache *c = open_cache(0);
    attest_cache_entry e;
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1000, &e), 0, "empty cache");
    put_body(c, &tcb_req, "{\"tcbInfo\":{}}", 2000);
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1999, &e), 1);
    cr_assert_eq(e.body_len, 14);
    cr_assert_str_eq((char *)e.body, "{\"tcbInfo\":{}}");
    cr_assert_eq(e.fetched, 1000);
    cr_assert_eq(e.expires, 2000);
    cr_assert_eq(e.n_headers, 2);
    cr_assert_str_eq(attest_http_header_find(e.headers, e.n_headers, "tcb-info-issuer-chain"),
                     "-----BEGIN%20CERTIFICATE-----");
    attest_cache_entry_free(&e);
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 2000, &e), 0, "expired at `expires`");
    cr_assert_null(e.body);
    attest_disk_cache_close(c);
}

Test(api_disk_cache, key_is_method_url_and_body)
{
    attest_disk_cache *c = open_cache(0);
    put_body(c, &tcb_req, "tcb", 2000);
    attest_http_request other_url = tcb_req;
    other_url.url = "https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=00906ed50000";
    attest_http_request post = tcb_req;
    post.method = ATTEST_HTTP_POST;
    attest_http_request post_body = post;
    post_body.body = (const uint8_t *)"{}";
    post_body.body_len = 2;
    attest_cache_entry e;
    cr_assert_eq(attest_disk_cache_get(c, &other_url, 1500, &e), 0);
    cr_assert_eq(attest_disk_cache_get(c, &post, 1500, &e), 0);
    put_body(c, &post_body, "posted", 2000);
    cr_assert_eq(attest_disk_cache_get(c, &post, 1500, &e), 0, "the body is part of the key");
    cr_assert_eq(attest_disk_cache_get(c, &post_body, 1500, &e), 1);
    cr_assert_str_eq((char *)e.body, "posted");
    attest_cache_entry_free(&e);
    char k1[65], k2[65];
    attest_disk_cache_key(&tcb_req, k1);
    attest_disk_cache_key(&post, k2);
    cr_assert_eq(strlen(k1), 64);
    cr_assert_str_neq(k1, k2);
    attest_disk_cache_close(c);
}

Test(api_disk_cache, empty_body_round_trips)
{
    attest_disk_cache *c = open_cache(0);
    cr_assert_eq(attest_disk_cache_put(c, &tcb_req, NULL, 0, NULL, 0, 1, 2), 0);
    attest_cache_entry e;
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1, &e), 1);
    cr_assert_eq(e.body_len, 0);
    cr_assert_eq(e.n_headers, 0);
    attest_cache_entry_free(&e);
    attest_disk_cache_close(c);
}

/* Rewrite the entry file with `edit` applied, then expect a miss, and a
 * hit again after a put overwrote it. */
static void expect_ignored(void (*edit)(char *text, size_t *len), const char *what)
{
    attest_disk_cache *c = open_cache(0);
    put_body(c, &tcb_req, "original body", 2000);
    char path[256];
    entry_file(&tcb_req, path, sizeof path);
    size_t len;
    char *text = (char *)tu_read(path, &len);
    cr_assert(text);
    edit(text, &len);
    FILE *f = fopen(path, "wb");
    cr_assert(f && fwrite(text, 1, len, f) == len && fclose(f) == 0);
    free(text);
    attest_cache_entry e;
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1500, &e), 0, "%s entry used", what);
    cr_assert_null(e.body);
    put_body(c, &tcb_req, "fetched again", 2000);
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1500, &e), 1, "%s entry not overwritten", what);
    cr_assert_str_eq((char *)e.body, "fetched again");
    attest_cache_entry_free(&e);
    attest_disk_cache_close(c);
}

static void flip_a_body_byte(char *text, size_t *len)
{
    char *body = strstr(text, "\"body\":\"");
    cr_assert(body);
    body[9] ^= 0x01; /* still base64url, another body */
    (void)len;
}

static void cut_in_half(char *text, size_t *len)
{
    (void)text;
    *len /= 2;
}

static void push_expiry(char *text, size_t *len)
{
    char *exp = strstr(text, "\"expires\":2000");
    cr_assert(exp);
    memcpy(exp + 10, "9999", 4); /* a longer life, digest not updated */
    (void)len;
}

Test(api_disk_cache, altered_entry_is_a_miss) { expect_ignored(flip_a_body_byte, "altered"); }
Test(api_disk_cache, truncated_entry_is_a_miss) { expect_ignored(cut_in_half, "truncated"); }
Test(api_disk_cache, extended_expiry_is_a_miss) { expect_ignored(push_expiry, "re-dated"); }

Test(api_disk_cache, entry_of_another_request_is_a_miss)
{
    attest_disk_cache *c = open_cache(0);
    attest_http_request q = tcb_req;
    q.url = "https://example.invalid/other";
    put_body(c, &q, "other", 2000);
    char mine[256], theirs[256];
    entry_file(&tcb_req, mine, sizeof mine);
    entry_file(&q, theirs, sizeof theirs);
    cr_assert_eq(rename(theirs, mine), 0);
    attest_cache_entry e;
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1500, &e), 0);
    attest_disk_cache_close(c);
}

Test(api_disk_cache, unreadable_entry_is_a_miss)
{
    attest_disk_cache *c = open_cache(0);
    char path[256];
    entry_file(&tcb_req, path, sizeof path);
    cr_assert_eq(mkdir(path, 0700), 0, "a directory where the entry should be");
    attest_cache_entry e;
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1500, &e), 0);
    FILE *f = fopen(path, "w");
    cr_assert_null(f);
    rmdir(path);
    f = fopen(path, "w");
    cr_assert(f && fputs("libattest-cache 1 zz\n{}", f) >= 0 && fclose(f) == 0);
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1500, &e), 0, "garbage");
    attest_disk_cache_close(c);
}

static void set_mtime(const attest_http_request *q, time_t t)
{
    char path[256];
    entry_file(q, path, sizeof path);
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

Test(api_disk_cache, oldest_entries_go_when_over_the_bound)
{
    char body[1001];
    memset(body, 'b', 1000);
    body[1000] = '\0';
    attest_http_request q[3] = {tcb_req, tcb_req, tcb_req};
    q[0].url = "https://example.invalid/0";
    q[1].url = "https://example.invalid/1";
    q[2].url = "https://example.invalid/2";
    attest_disk_cache *c = open_cache(0);
    put_body(c, &q[0], body, 2000);
    attest_disk_cache_close(c);
    char path[256];
    struct stat st;
    entry_file(&q[0], path, sizeof path);
    cr_assert_eq(stat(path, &st), 0);
    c = open_cache((uint64_t)st.st_size * 5 / 2); /* room for two entries */
    put_body(c, &q[1], body, 2000);
    set_mtime(&q[0], 100000);
    set_mtime(&q[1], 200000);
    put_body(c, &q[2], body, 2000);
    attest_cache_entry e;
    cr_assert_eq(attest_disk_cache_get(c, &q[0], 1500, &e), 0, "the oldest went");
    for (int i = 1; i < 3; i++) {
        cr_assert_eq(attest_disk_cache_get(c, &q[i], 1500, &e), 1, "entry %d kept", i);
        attest_cache_entry_free(&e);
    }
    attest_disk_cache_close(c);
}

Test(api_disk_cache, default_directory_is_xdg_cache_home)
{
    char xdg[128];
    snprintf(xdg, sizeof xdg, "%s/xdg", tmpdir);
    setenv("XDG_CACHE_HOME", xdg, 1);
    attest_disk_cache *c = NULL;
    cr_assert_eq(attest_disk_cache_open(&c, NULL, 0), 0, "%s", attest_error_last());
    char want[160];
    snprintf(want, sizeof want, "%s/libattest", xdg);
    cr_assert_str_eq(attest_disk_cache_dir(c), want);
    struct stat st;
    cr_assert(stat(want, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    attest_disk_cache_close(c);

    setenv("XDG_CACHE_HOME", "relative/ignored", 1);
    setenv("HOME", tmpdir, 1);
    cr_assert_eq(attest_disk_cache_open(&c, NULL, 0), 0, "%s", attest_error_last());
    snprintf(want, sizeof want, "%s/.cache/libattest", tmpdir);
    cr_assert_str_eq(attest_disk_cache_dir(c), want);
    attest_disk_cache_close(c);

    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    cr_assert_eq(attest_disk_cache_open(&c, NULL, 0), ATTEST_E_INVALID_ARG);
    cr_assert_null(c);
}

/* Write the same key `rounds` times with `body`. */
static void writer(const char *body, int rounds)
{
    attest_disk_cache *c = NULL;
    if (attest_disk_cache_open(&c, tmpdir, 0) != 0)
        _exit(2);
    for (int i = 0; i < rounds; i++)
        if (attest_disk_cache_put(c, &tcb_req, (const uint8_t *)body, strlen(body), tcb_headers, 2,
                                  1000, 2000) != 0)
            _exit(1);
    attest_disk_cache_close(c);
    _exit(0);
}

Test(api_disk_cache, two_processes_writing_one_key_leave_a_valid_entry)
{
    static char body_a[20000], body_b[30000];
    memset(body_a, 'a', sizeof body_a - 1);
    memset(body_b, 'b', sizeof body_b - 1);
    pid_t a = fork();
    if (a == 0)
        writer(body_a, 100);
    pid_t b = fork();
    if (b == 0)
        writer(body_b, 100);
    cr_assert(a > 0 && b > 0, "fork");
    attest_disk_cache *c = open_cache(0);
    int hits = 0, reads = 0, sa = -1, sb = -1;
    pid_t left = 2;
    while (left) { /* read while they write */
        attest_cache_entry e;
        reads++;
        if (attest_disk_cache_get(c, &tcb_req, 1500, &e) == 1) {
            hits++;
            cr_assert((char *)e.body && (strcmp((char *)e.body, body_a) == 0 ||
                                         strcmp((char *)e.body, body_b) == 0),
                      "a reader saw a mixed entry");
            attest_cache_entry_free(&e);
        }
        if (sa < 0 && waitpid(a, &sa, WNOHANG) == a)
            left--;
        if (sb < 0 && waitpid(b, &sb, WNOHANG) == b)
            left--;
    }
    cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0 && WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    cr_log_info("%d reads during 2 x 100 writes: %d hits, none partial", reads, hits);
    attest_cache_entry e;
    cr_assert_eq(attest_disk_cache_get(c, &tcb_req, 1500, &e), 1);
    cr_assert(strcmp((char *)e.body, body_a) == 0 || strcmp((char *)e.body, body_b) == 0);
    attest_cache_entry_free(&e);
    attest_disk_cache_close(c);
}
