/* The collateral response cache on disk (see disk_cache.h).
 *
 * One file per request, <key>.entry: a first line
 *   "libattest-cache 1 <SHA-256 hex of the rest>\n"
 * then one JSON object {method, url, request_body_sha256, fetched, expires,
 * headers: [[name, value]...], body: base64url}. The digest catches a
 * truncated or damaged file (an entry is then a miss, and overwritten by
 * the next put); it is no defence against someone who may write the
 * directory: what is read from the cache is verified like any collateral
 * (signatures, validity), so a forged entry is refused there.
 *
 * Writers never expose a partial file: each writes a temporary file in the
 * same directory, fsyncs it and renames it over the entry, which POSIX
 * makes atomic, so concurrent processes may share the directory. */
#include "disk_cache.h"
#include "../base/crypto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "libattest-cache 1 "
#define ENTRY_SUFFIX ".entry"
#define TMP_PREFIX ".tmp-"
/* An 8 MiB body in base64url, its headers and the JSON around them. */
#define MAX_ENTRY_FILE ((size_t)16 << 20)
#define STALE_TMP_SECONDS 3600

struct attest_disk_cache {
    char *dir;
    uint64_t max_bytes;
};

/* ---- opening ------------------------------------------------------------- */

/* mkdir -p, each new directory 0700. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return 0;
}

static char *default_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char buf[4096];
    /* The XDG base directory spec ignores a relative XDG_CACHE_HOME. */
    if (xdg && xdg[0] == '/')
        snprintf(buf, sizeof buf, "%s/libattest", xdg);
    else if (home && home[0] == '/')
        snprintf(buf, sizeof buf, "%s/.cache/libattest", home);
    else
        return NULL;
    return strdup(buf);
}

int attest_disk_cache_open(attest_disk_cache **out, const char *dir, uint64_t max_bytes)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "disk cache: out is NULL");
    *out = NULL;
    char *path = dir ? strdup(dir) : default_dir();
    if (!path && !dir)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "disk cache: neither XDG_CACHE_HOME nor HOME is an absolute path");
    attest_disk_cache *c = path ? calloc(1, sizeof *c) : NULL;
    if (!c) {
        free(path);
        return attest_set_error(ATTEST_E_NOMEM, "disk cache: out of memory");
    }
    struct stat st;
    if (make_dirs(path) != 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        int e = errno;
        attest_set_error(ATTEST_E_IO, "disk cache: %s: %s", path, strerror(e));
        free(path);
        free(c);
        return ATTEST_E_IO;
    }
    c->dir = path;
    c->max_bytes = max_bytes ? max_bytes : ATTEST_DISK_CACHE_DEFAULT_MAX;
    *out = c;
    return 0;
}

void attest_disk_cache_close(attest_disk_cache *c)
{
    if (c)
        free(c->dir);
    free(c);
}

const char *attest_disk_cache_dir(const attest_disk_cache *c)
{
    return c ? c->dir : NULL;
}

/* ---- keys and digests ---------------------------------------------------- */

static void sha256_hex(const void *p, size_t n, char hex[65])
{
    uint8_t md[32];
    attest_sha256(md, p, n);
    attest_hex_encode(hex, md, 32);
}

static const char *method_name(attest_http_method m)
{
    return m == ATTEST_HTTP_POST ? "POST" : "GET";
}

static void digest_part(EVP_MD_CTX *ctx, const void *p, size_t n)
{
    uint8_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
    EVP_DigestUpdate(ctx, len, sizeof len);
    EVP_DigestUpdate(ctx, p, n);
}

void attest_disk_cache_key(const attest_http_request *req, char hex[65])
{
    const char *m = method_name(req->method);
    uint8_t md[32] = {0};
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        digest_part(ctx, m, strlen(m));
        digest_part(ctx, req->url, strlen(req->url));
        digest_part(ctx, req->body ? (const void *)req->body : "", req->body_len);
        EVP_DigestFinal_ex(ctx, md, NULL);
    }
    EVP_MD_CTX_free(ctx);
    attest_hex_encode(hex, md, 32);
}

static char *entry_path(const attest_disk_cache *c, const char *key)
{
    size_t n = strlen(c->dir) + 1 + 64 + sizeof ENTRY_SUFFIX;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", c->dir, key, ENTRY_SUFFIX);
    return p;
}

/* ---- writing ------------------------------------------------------------- */

static json_t *headers_json(const attest_http_header *h, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_pack("[ss]", h[i].name, h[i].value)) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static char *entry_text(const attest_http_request *req, const uint8_t *body, size_t body_len,
                        const attest_http_header *h, size_t nh, int64_t fetched, int64_t expires)
{
    char req_body_hex[65];
    sha256_hex(req->body ? (const void *)req->body : "", req->body_len, req_body_hex);
    char *b64 = attest_base64url_encode(body ? body : (const uint8_t *)"", body_len);
    json_t *headers = headers_json(h, nh);
    json_t *o = b64 && headers ? json_pack("{s:s,s:s,s:s,s:I,s:I,s:O,s:s}", "method",
                                           method_name(req->method), "url", req->url,
                                           "request_body_sha256", req_body_hex, "fetched",
                                           (json_int_t)fetched, "expires", (json_int_t)expires,
                                           "headers", headers, "body", b64)
                               : NULL;
    char *json = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    json_decref(headers);
    free(b64);
    if (!json)
        return NULL;
    char digest[65];
    sha256_hex(json, strlen(json), digest);
    size_t n = sizeof MAGIC + 64 + 1 + strlen(json) + 1;
    char *text = malloc(n);
    if (text)
        snprintf(text, n, "%s%s\n%s", MAGIC, digest, json);
    free(json);
    return text;
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* The rename itself survives a crash only once the directory is synced;
 * failing that costs a fetch, not a wrong entry. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Write `text` to <key>.entry through a temporary file and a rename. */
static int write_atomic(const attest_disk_cache *c, const char *key, const char *text)
{
    char *final = entry_path(c, key);
    size_t n = strlen(c->dir) + sizeof "/" TMP_PREFIX + 64 + sizeof "-XXXXXX";
    char *tmp = malloc(n);
    if (!final || !tmp) {
        free(final);
        free(tmp);
        return attest_set_error(ATTEST_E_NOMEM, "disk cache: out of memory");
    }
    snprintf(tmp, n, "%s/" TMP_PREFIX "%s-XXXXXX", c->dir, key);
    int fd = mkstemp(tmp), rc = 0;
    if (fd < 0 || !write_all(fd, text, strlen(text)) || fsync(fd) != 0 ||
        rename(tmp, final) != 0) {
        rc = attest_set_error(ATTEST_E_IO, "disk cache: writing %s: %s", final, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
    }
    if (fd >= 0)
        close(fd);
    if (rc == 0)
        sync_dir(c->dir);
    free(final);
    free(tmp);
    return rc;
}

/* ---- the size bound ------------------------------------------------------ */

typedef struct cached_file {
    char *name;
    uint64_t size;
    struct timespec mtime;
} cached_file;

static int older_first(const void *a, const void *b)
{
    const struct timespec *x = &((const cached_file *)a)->mtime, *y = &((const cached_file *)b)->mtime;
    if (x->tv_sec != y->tv_sec)
        return x->tv_sec < y->tv_sec ? -1 : 1;
    return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The entries of the directory, their total size in *total; temporary
 * files a crashed writer left over an hour ago are removed on the way. */
static cached_file *list_entries(DIR *d, int dfd, size_t *count, uint64_t *total)
{
    cached_file *files = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    struct stat st;
    *total = 0;
    while ((de = readdir(d))) {
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 &&
            st.st_mtime < time(NULL) - STALE_TMP_SECONDS)
            unlinkat(dfd, de->d_name, 0);
        if (!has_suffix(de->d_name, ENTRY_SUFFIX))
            continue;
        if (n == cap) {
            cached_file *grown = realloc(files, (cap = cap ? 2 * cap : 64) * sizeof *files);
            if (!grown)
                break;
            files = grown;
        }
        files[n] = (cached_file){strdup(de->d_name), (uint64_t)st.st_size, st.st_mtim};
        if (!files[n].name)
            break;
        *total += files[n++].size;
    }
    *count = n;
    return files;
}

/* Remove the least recently written entries until the rest fit. */
static void trim(const attest_disk_cache *c)
{
    DIR *d = opendir(c->dir);
    if (!d)
        return;
    size_t n;
    uint64_t total;
    cached_file *files = list_entries(d, dirfd(d), &n, &total);
    if (files)
        qsort(files, n, sizeof *files, older_first);
    for (size_t i = 0; i < n; i++) {
        if (total > c->max_bytes && unlinkat(dirfd(d), files[i].name, 0) == 0)
            total -= files[i].size;
        free(files[i].name);
    }
    free(files);
    closedir(d);
}

int attest_disk_cache_put(attest_disk_cache *c, const attest_http_request *req,
                          const uint8_t *body, size_t body_len, const attest_http_header *headers,
                          size_t n_headers, int64_t fetched, int64_t expires)
{
    if (!c || !req || !req->url || (body_len && !body) || (n_headers && !headers))
        return attest_set_error(ATTEST_E_INVALID_ARG, "disk cache put: NULL argument");
    char key[65];
    attest_disk_cache_key(req, key);
    char *text = entry_text(req, body, body_len, headers, n_headers, fetched, expires);
    if (!text)
        return attest_set_error(ATTEST_E_NOMEM, "disk cache: out of memory");
    int rc = write_atomic(c, key, text);
    free(text);
    if (rc == 0)
        trim(c);
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

/* The whole file, NUL-terminated, if it is a regular file of at most
 * MAX_ENTRY_FILE bytes. */
static char *read_bounded(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    char *buf = NULL;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= MAX_ENTRY_FILE &&
        (buf = malloc((size_t)st.st_size + 1))) {
        size_t got = 0;
        ssize_t r;
        while (got < (size_t)st.st_size &&
               ((r = read(fd, buf + got, (size_t)st.st_size - got)) > 0 || (r < 0 && errno == EINTR)))
            got += r > 0 ? (size_t)r : 0;
        buf[got] = '\0';
        *len = got;
    }
    close(fd);
    return buf;
}

/* The JSON of an intact entry file, or NULL. */
static json_t *entry_parse(const char *text, size_t len)
{
    size_t head = strlen(MAGIC) + 64 + 1;
    if (len < head || memcmp(text, MAGIC, strlen(MAGIC)) != 0 || text[head - 1] != '\n')
        return NULL;
    char digest[65];
    sha256_hex(text + head, len - head, digest);
    if (memcmp(digest, text + strlen(MAGIC), 64) != 0)
        return NULL;
    return json_loadb(text + head, len - head, JSON_REJECT_DUPLICATES, NULL);
}

static bool entry_is_for(json_t *o, const attest_http_request *req)
{
    char req_body_hex[65];
    sha256_hex(req->body ? (const void *)req->body : "", req->body_len, req_body_hex);
    const char *m = json_string_value(json_object_get(o, "method"));
    const char *url = json_string_value(json_object_get(o, "url"));
    const char *rb = json_string_value(json_object_get(o, "request_body_sha256"));
    return m && url && rb && strcmp(m, method_name(req->method)) == 0 &&
           strcmp(url, req->url) == 0 && strcmp(rb, req_body_hex) == 0;
}

static bool headers_fill(json_t *a, attest_cache_entry *out)
{
    size_t n = json_array_size(a);
    if (!json_is_array(a) || !(out->headers = calloc(n ? n : 1, sizeof *out->headers)))
        return false;
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(a, i);
        const char *name = json_string_value(json_array_get(pair, 0));
        const char *value = json_string_value(json_array_get(pair, 1));
        if (json_array_size(pair) != 2 || !name || !value)
            return false;
        attest_http_header *h = &out->headers[out->n_headers++];
        h->name = strdup(name);
        h->value = strdup(value);
        if (!h->name || !h->value)
            return false;
    }
    return true;
}

static bool entry_fill(json_t *o, attest_cache_entry *out)
{
    json_t *fetched = json_object_get(o, "fetched"), *expires = json_object_get(o, "expires");
    const char *b64 = json_string_value(json_object_get(o, "body"));
    if (!json_is_integer(fetched) || !json_is_integer(expires) || !b64)
        return false;
    out->fetched = json_integer_value(fetched);
    out->expires = json_integer_value(expires);
    return attest_base64url_decode(b64, strlen(b64), &out->body, &out->body_len) == 0 &&
           headers_fill(json_object_get(o, "headers"), out);
}

int attest_disk_cache_get(const attest_disk_cache *c, const attest_http_request *req, int64_t now,
                          attest_cache_entry *out)
{
    if (!out)
        return 0;
    memset(out, 0, sizeof *out);
    if (!c || !req || !req->url)
        return 0;
    char key[65];
    attest_disk_cache_key(req, key);
    char *path = entry_path(c, key), *text = NULL;
    size_t len = 0;
    if (path)
        text = read_bounded(path, &len);
    json_t *o = text ? entry_parse(text, len) : NULL;
    bool hit = o && entry_is_for(o, req) && entry_fill(o, out) && now < out->expires;
    json_decref(o);
    free(text);
    free(path);
    if (!hit)
        attest_cache_entry_free(out);
    return hit ? 1 : 0;
}

void attest_cache_entry_free(attest_cache_entry *e)
{
    if (!e)
        return;
    attest_http_headers_free(e->headers, e->n_headers);
    free(e->body);
    memset(e, 0, sizeof *e);
}
