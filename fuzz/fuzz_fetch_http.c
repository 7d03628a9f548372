/* Part of fuzz_fetch_response: lib/api/http.c compiled here (its libcurl
 * callbacks are static) so that the harness can feed header lines and body
 * chunks to them as libcurl would, without a network. The fuzz build links
 * this unit instead of lib/api/http.c. */
#include "../lib/api/http.c"

#include "fuzz_fetch.h"

/* Feed `n` header lines (each with its line ending, as libcurl passes
 * them) and the body in chunks of at most `chunk` bytes into *res. Returns
 * false when a callback refused (over the body bound, out of memory). */
bool fuzz_http_receive(attest_http_response *res, const char *const *lines, const size_t *lens,
                       size_t n, const uint8_t *body, size_t body_len, size_t chunk,
                       size_t max_body)
{
    static const char *const keep[] = {"Metadata", NULL};
    attest_http_options o = {.max_body = max_body, .keep_headers = keep};
    limits lim = limits_from(&o);
    transfer t = {.res = res, .lim = &lim};
    attempt_reset(&t);
    for (size_t i = 0; i < n; i++)
        if (on_header((char *)lines[i], 1, lens[i], &t) != lens[i])
            return false;
    for (size_t at = 0; at < body_len; at += chunk) {
        size_t k = body_len - at < chunk ? body_len - at : chunk;
        if (on_body((char *)body + at, 1, k, &t) != k)
            return false;
    }
    if (!res->body && !(res->body = calloc(1, 1))) /* NUL-terminated, as after a transfer */
        return false;
    res->completed = true;
    res->status = 200;
    return true;
}
