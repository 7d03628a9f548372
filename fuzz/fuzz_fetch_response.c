/* libFuzzer harness: the online client's handling of an HTTP response,
 * without a network. The response is fed to lib/api/http.c's libcurl
 * callbacks (header lines: status lines, kept / dropped names, blanks;
 * the body in chunks, against the body bound), then handed to
 * lib/api/fetch.c's add_answer as an answer to one need: THIM JSON
 * detection, a PCCS's hex Root CA CRL, the RIM service's JSON (id and
 * digest checked), Intel issuer-chain headers (v4 and v3 names,
 * percent-decoded), a pinned tcbEvaluationDataNumber, then
 * attest_collateral_add / _add_ocsp and the cache expiry of the answer.
 * A Retry-After header kept is parsed as the retry logic does.
 * Input: [kind selector][flags][tcbEvaluationDataNumber] then the request
 * URL up to the first '\n', then header lines up to an empty line, then
 * the body. Flags: 1 THIM request, 2 PCCS rootcacrl, 4 pin the number,
 * 8 body in 1-byte chunks, 16 a 64-byte body bound.
 * Seeds: fuzz/corpus/fetch-response (answers made from the test PKI) and
 * fuzz/seed_public.sh (the recorded answers of shared/vectors/online). */
#include "fuzz_fetch.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LINES 64
#define FUZZ_NOW 1749945600 /* 2025-06-15T00:00:00Z: the test PKI's collateral is valid */

/* One line of `data` from *at (its '\n' included when there is one). */
static size_t next_line(const uint8_t *data, size_t size, size_t *at)
{
    const uint8_t *nl = memchr(data + *at, '\n', size - *at);
    size_t len = nl ? (size_t)(nl - (data + *at)) + 1 : size - *at;
    *at += len;
    return len;
}

static void answer(attest_need_kind kind, uint8_t flags, unsigned evaluation, const char *url,
                   const attest_http_response *res)
{
    attest_collateral *c = NULL;
    if (attest_collateral_new(&c) != ATTEST_OK)
        return;
    int64_t expires = -1;
    int st = fuzz_fetch_add_answer(c, kind, url, flags & 1, flags & 2, evaluation, res, FUZZ_NOW,
                                   &expires);
    if (expires < 0 || (st != ATTEST_OK && expires != 0) || (expires && expires <= FUZZ_NOW))
        abort(); /* a refused answer is never cached; a cached one expires later */
    attest_collateral_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    attest_need_kind kind = (attest_need_kind)(1 + data[0] % 9);
    uint8_t flags = data[1];
    unsigned evaluation = flags & 4 ? data[2] : 0;
    size_t at = 3;
    size_t url_len = next_line(data, size, &at);
    char url[1024];
    snprintf(url, sizeof url, "%.*s", (int)(url_len && data[at - 1] == '\n' ? url_len - 1 : url_len),
             (const char *)data + at - url_len);
    const char *lines[MAX_LINES];
    size_t lens[MAX_LINES], n = 0;
    while (at < size && n < MAX_LINES) {
        size_t start = at, len = next_line(data, size, &at);
        if (len <= 2 && (data[start] == '\n' || data[start] == '\r'))
            break; /* the empty line ends the headers */
        lines[n] = (const char *)data + start;
        lens[n++] = len;
    }
    attest_http_response res;
    memset(&res, 0, sizeof res);
    if (fuzz_http_receive(&res, lines, lens, n, data + at, size - at, flags & 8 ? 1 : 4096,
                          flags & 16 ? 64 : 0)) {
        if (res.body[res.body_len] != 0 || res.body_len != size - at)
            abort(); /* the whole body, NUL-terminated past its end */
        const char *ra = attest_http_header_find(res.headers, res.n_headers, "Retry-After");
        if (ra && attest_http_retry_after_ms(ra, FUZZ_NOW) < -1)
            abort();
        answer(kind, flags, evaluation, url, &res);
    }
    attest_http_response_free(&res);
    return 0;
}
