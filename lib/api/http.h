/* HTTP transport for online collateral (issue 10): a batch of requests
 * fetched concurrently with libcurl's multi interface, bounded in
 * parallelism, time, retries and body size. It knows no vendor: the caller
 * (the needs list) says what to fetch and reads the statuses, bodies and
 * the response headers it asked to keep. Not installed.
 *
 * TLS is verified as libcurl does by default (its CA bundle, or the
 * caller's ca_file); proxies come from the environment (http_proxy,
 * https_proxy, no_proxy), as libcurl reads them. Redirects are followed
 * (at most 5) to https URLs only. curl_global_init runs once
 * per process (pthread_once; see include/attest.h, "Process-wide
 * initialisation"). Nothing else is global: every call owns its handles. */
#ifndef ATTEST_HTTP_H
#define ATTEST_HTTP_H

#include "../base/base.h"

typedef enum { ATTEST_HTTP_GET, ATTEST_HTTP_POST } attest_http_method;

typedef struct attest_http_request {
    attest_http_method method;
    const char *url;                /* http:// or https:// only */
    const uint8_t *body;            /* POST body, or NULL */
    size_t body_len;
    const char *content_type;       /* of the body, or NULL */
    const char *const *headers;     /* extra "Name: value" lines, or NULL */
    size_t n_headers;
} attest_http_request;

typedef struct attest_http_header {
    char *name;                     /* as the server spelt it */
    char *value;                    /* surrounding blanks removed */
} attest_http_header;

typedef struct attest_http_response {
    bool completed;                 /* a whole response arrived */
    long status;                    /* its HTTP status; 0 when none */
    uint8_t *body;                  /* NUL-terminated past body_len */
    size_t body_len;
    attest_http_header *headers;    /* the kept headers of the last response */
    size_t n_headers;
    unsigned attempts;              /* transfers made, retries included */
    int curl_code;                  /* CURLcode of the last transfer */
    char error[256];                /* why it failed; "" when completed */
} attest_http_response;

/* Zero fields take the defaults named here. */
typedef struct attest_http_options {
    const char *ca_file;            /* PEM CA bundle; NULL: libcurl's */
    unsigned parallel;              /* transfers at a time (8) */
    long connect_timeout_ms;        /* per transfer (10 000) */
    long timeout_ms;                /* per transfer, whole (30 000) */
    unsigned max_retries;           /* after the first attempt (3) */
    bool no_retries;                /* max_retries 0, as 0 means default */
    long backoff_ms;                /* first retry delay, doubled each time (500) */
    long retry_budget_ms;           /* no retry starts later than this after
                                     * the batch began (60 000) */
    size_t max_body;                /* larger bodies fail (8 MiB) */
    const char *const *keep_headers;/* NULL-terminated names kept besides
                                     * attest_http_default_headers */
} attest_http_options;

/* The response headers always kept (case-insensitive names): the PCS
 * issuer chains, Retry-After, Content-Type, Date. NULL-terminated. */
ATTEST_HIDDEN extern const char *const attest_http_default_headers[];

/* Fetch `n` requests; out[i] answers reqs[i] (each zeroed first, free with
 * attest_http_response_free). A transfer that fails leaves its reason in
 * out[i].error; it does not fail the batch. 429 and 503 responses and
 * connection failures are retried (Retry-After honoured, else exponential
 * backoff) while retries and the budget last; the last answer is kept.
 * Returns 0, or ATTEST_E_INVALID_ARG / ATTEST_E_NOMEM / ATTEST_E_INTERNAL
 * (libcurl could not start) with the error detail set. */
ATTEST_HIDDEN int attest_http_fetch(const attest_http_request *reqs, size_t n,
                                    const attest_http_options *opt,
                                    attest_http_response *out);

ATTEST_HIDDEN void attest_http_response_free(attest_http_response *r);

/* Free `n` headers (their names and values) and the array. */
ATTEST_HIDDEN void attest_http_headers_free(attest_http_header *h, size_t n);

/* The value of a kept header, name compared case-insensitively, or NULL. */
ATTEST_HIDDEN const char *attest_http_header_find(const attest_http_header *h, size_t n,
                                                  const char *name);

/* Milliseconds a Retry-After value asks to wait at Unix time `now`:
 * delta-seconds or an IMF-fixdate (RFC 9110 section 10.2.3). A date in the
 * past gives 0. Returns -1 when the value is neither. */
ATTEST_HIDDEN long long attest_http_retry_after_ms(const char *value, int64_t now);

#endif
