/* A directory of fetched collateral responses, shared by processes (see
 * disk_cache.c). An entry is keyed by SHA-256 of the request (method, URL,
 * body) and holds the response body, its kept headers, when it was fetched
 * and until when the caller said it may be used: the caller decides that
 * instant from the item's own validity (a CRL's nextUpdate, a TCB info's
 * nextUpdate); the cache only compares it with "now". libattest uses no
 * cache unless its caller opens one. Not installed. */
#ifndef ATTEST_DISK_CACHE_H
#define ATTEST_DISK_CACHE_H

#include "http.h"

typedef struct attest_disk_cache attest_disk_cache;

typedef struct attest_cache_entry {
    uint8_t *body;                  /* NUL-terminated past body_len */
    size_t body_len;
    attest_http_header *headers;
    size_t n_headers;
    int64_t fetched, expires;       /* Unix seconds */
} attest_cache_entry;

#define ATTEST_DISK_CACHE_DEFAULT_MAX ((uint64_t)256 << 20)

/* Open (creating it, mode 0700, when absent) the cache directory `dir`;
 * NULL: $XDG_CACHE_HOME/libattest, else ~/.cache/libattest. The entries
 * together are kept under `max_bytes` (0: 256 MiB) by removing the least
 * recently written. Errors: ATTEST_E_INVALID_ARG (no directory can be
 * named: neither an absolute XDG_CACHE_HOME nor HOME), ATTEST_E_IO,
 * ATTEST_E_NOMEM. */
ATTEST_HIDDEN int attest_disk_cache_open(attest_disk_cache **out, const char *dir,
                                         uint64_t max_bytes);
ATTEST_HIDDEN void attest_disk_cache_close(attest_disk_cache *c);
ATTEST_HIDDEN const char *attest_disk_cache_dir(const attest_disk_cache *c);

/* The key of a request: lowercase hex SHA-256 of the method, the URL and
 * the body (each length-prefixed, so that no two requests share one). */
ATTEST_HIDDEN void attest_disk_cache_key(const attest_http_request *req, char hex[65]);

/* 1 and *out filled (free with attest_cache_entry_free) when an entry for
 * `req` is there, intact and `now` < its expires; 0 otherwise (absent,
 * expired, unreadable, truncated, altered or for another request: a miss,
 * which the next put overwrites). */
ATTEST_HIDDEN int attest_disk_cache_get(const attest_disk_cache *c, const attest_http_request *req,
                                        int64_t now, attest_cache_entry *out);

/* Store the response to `req` atomically (temporary file in the directory,
 * fsync, rename), then trim the directory to its bound. Returns 0, or
 * ATTEST_E_IO / ATTEST_E_NOMEM with the error detail set; a cache that
 * cannot be written only costs a fetch next time. */
ATTEST_HIDDEN int attest_disk_cache_put(attest_disk_cache *c, const attest_http_request *req,
                                        const uint8_t *body, size_t body_len,
                                        const attest_http_header *headers, size_t n_headers,
                                        int64_t fetched, int64_t expires);

ATTEST_HIDDEN void attest_cache_entry_free(attest_cache_entry *e);

#endif
