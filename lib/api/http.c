/* A batch of HTTP requests through libcurl's multi interface (see http.h).
 * One loop drives every transfer: it starts those whose (re)try time has
 * come while fewer than `parallel` run, lets libcurl work, and decides for
 * each finished transfer whether it is final or waits for a retry. */
#include "http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *const attest_http_default_headers[] = {
    "SGX-TCB-Info-Issuer-Chain",
    "TCB-Info-Issuer-Chain",
    "SGX-Enclave-Identity-Issuer-Chain",
    "SGX-PCK-CRL-Issuer-Chain",
    "SGX-PCK-Certificate-Issuer-Chain",
    "SGX-TCBm",
    "SGX-FMSPC",
    "Retry-After",
    "Content-Type",
    "Date",
    NULL,
};

#define MAX_BACKOFF_MS 60000LL

/* ---- process-wide initialisation -------------------------------------- */

/* libcurl is loaded by the first fetch (dlopen), not when a program that
 * links libattest starts: its dependency tree (GnuTLS, LDAP, SSH, RTMP,
 * IDN...) costs a process about 4 MiB of resident memory, and most
 * processes only verify, which never touches the network. The table is
 * written once under pthread_once and only read after. */
#define CURL_FUNCTIONS(X)                                                      \
    X(global_init, curl_global_init)                                           \
    X(easy_init, curl_easy_init)                                               \
    X(easy_cleanup, curl_easy_cleanup)                                         \
    X(easy_setopt, curl_easy_setopt)                                           \
    X(easy_getinfo, curl_easy_getinfo)                                         \
    X(easy_strerror, curl_easy_strerror)                                       \
    X(multi_init, curl_multi_init)                                             \
    X(multi_cleanup, curl_multi_cleanup)                                       \
    X(multi_setopt, curl_multi_setopt)                                         \
    X(multi_add_handle, curl_multi_add_handle)                                 \
    X(multi_remove_handle, curl_multi_remove_handle)                           \
    X(multi_perform, curl_multi_perform)                                       \
    X(multi_poll, curl_multi_poll)                                             \
    X(multi_info_read, curl_multi_info_read)                                   \
    X(slist_append, curl_slist_append)                                         \
    X(slist_free_all, curl_slist_free_all)

typedef struct curl_api {
#define X(field, fn) __typeof__(fn) *field;
    CURL_FUNCTIONS(X)
#undef X
} curl_api;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static curl_api lc;
static CURLcode curl_init_result = CURLE_FAILED_INIT;
static char curl_load_error[160];

static bool curl_load(void)
{
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(curl_load_error, sizeof curl_load_error, "%s", dlerror());
        return false;
    }
#define X(field, fn)                                                           \
    *(void **)&lc.field = dlsym(h, #fn);                                       \
    if (!lc.field) {                                                           \
        snprintf(curl_load_error, sizeof curl_load_error, "libcurl.so.4 lacks %s", #fn); \
        return false; /* h stays loaded: harmless, and never retried */        \
    }
    CURL_FUNCTIONS(X)
#undef X
    return true;
}

static void curl_global_init_once(void)
{
    if (curl_load())
        curl_init_result = lc.global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- options ------------------------------------------------------------ */

typedef struct limits {
    const char *ca_file;
    unsigned parallel;
    long connect_timeout_ms, timeout_ms;
    unsigned max_retries;
    long long backoff_ms, retry_budget_ms;
    size_t max_body;
    const char *const *keep;
} limits;

static limits limits_from(const attest_http_options *o)
{
    static const attest_http_options none = {0};
    if (!o)
        o = &none;
    limits l = {
        .ca_file = o->ca_file,
        .parallel = o->parallel ? o->parallel : 8,
        .connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000,
        .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000,
        .max_retries = o->no_retries ? 0 : o->max_retries ? o->max_retries : 3,
        .backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : 500,
        .retry_budget_ms = o->retry_budget_ms > 0 ? o->retry_budget_ms : 60000,
        .max_body = o->max_body ? o->max_body : (size_t)8 << 20,
        .keep = o->keep_headers,
    };
    return l;
}

static bool names_contain(const char *const *names, const char *name, size_t len)
{
    for (size_t i = 0; names && names[i]; i++)
        if (strlen(names[i]) == len && strncasecmp(names[i], name, len) == 0)
            return true;
    return false;
}

/* ---- one transfer --------------------------------------------------------- */

typedef enum { T_WAITING, T_RUNNING, T_DONE } transfer_state;

typedef struct transfer {
    const attest_http_request *req;
    attest_http_response *res;
    const limits *lim;
    CURL *easy;
    struct curl_slist *lines;
    char errbuf[CURL_ERROR_SIZE];
    size_t capacity;               /* of res->body */
    bool over_bound, out_of_memory;
    long long not_before_ms;       /* monotonic: earliest (re)try */
    transfer_state state;
} transfer;

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void attest_http_headers_free(attest_http_header *h, size_t n)
{
    for (size_t i = 0; h && i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
}

static void headers_clear(attest_http_response *r)
{
    attest_http_headers_free(r->headers, r->n_headers);
    r->headers = NULL;
    r->n_headers = 0;
}

/* Forget what a previous attempt received. */
static void attempt_reset(transfer *t)
{
    headers_clear(t->res);
    free(t->res->body);
    t->res->body = NULL;
    t->res->body_len = 0;
    t->res->status = 0;
    t->capacity = 0;
    t->over_bound = t->out_of_memory = false;
    t->errbuf[0] = '\0';
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    attest_http_response *r = t->res;
    size_t n = size * nmemb;
    if (n > t->lim->max_body - r->body_len) {
        t->over_bound = true;
        return 0; /* libcurl stops the transfer: CURLE_WRITE_ERROR */
    }
    if (r->body_len + n + 1 > t->capacity) {
        size_t cap = t->capacity ? t->capacity : 4096;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        uint8_t *grown = realloc(r->body, cap);
        if (!grown) {
            t->out_of_memory = true;
            return 0;
        }
        r->body = grown;
        t->capacity = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = 0;
    return n;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Keep "Name: value" when Name is wanted; a later header of the same name
 * replaces an earlier one. */
static bool header_keep(attest_http_response *r, const char *name, size_t name_len,
                        const char *value, size_t value_len)
{
    char *n = strndup(name, name_len), *v = strndup(value, value_len);
    attest_http_header *grown = n && v ? realloc(r->headers, (r->n_headers + 1) * sizeof *grown)
                                       : NULL;
    if (!grown) {
        free(n);
        free(v);
        return false;
    }
    r->headers = grown;
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->headers[i].name, n) == 0) {
            free(r->headers[i].name);
            free(r->headers[i].value);
            r->headers[i] = r->headers[--r->n_headers];
            break;
        }
    r->headers[r->n_headers++] = (attest_http_header){n, v};
    return true;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;
    /* A status line starts another response (a redirect, a 100): only the
     * last response's headers are kept. */
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        headers_clear(t->res);
        return n;
    }
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line)
        return n;
    size_t name_len = (size_t)(colon - line);
    if (!names_contain(attest_http_default_headers, line, name_len) &&
        !names_contain(t->lim->keep, line, name_len))
        return n;
    const char *v = colon + 1, *end = line + n;
    while (v < end && is_blank(*v))
        v++;
    while (end > v && is_blank(end[-1]))
        end--;
    if (!header_keep(t->res, line, name_len, v, (size_t)(end - v))) {
        t->out_of_memory = true;
        return 0;
    }
    return n;
}

static bool lines_build(transfer *t)
{
    const attest_http_request *q = t->req;
    char ct[256];
    struct curl_slist *l = lc.slist_append(NULL, "Expect:");
    if (l && q->content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", q->content_type);
        l = lc.slist_append(l, ct) ? l : (lc.slist_free_all(l), NULL);
    }
    for (size_t i = 0; l && i < q->n_headers; i++)
        if (!lc.slist_append(l, q->headers[i])) {
            lc.slist_free_all(l);
            l = NULL;
        }
    t->lines = l;
    return l != NULL;
}

/* libcurl's defaults are kept for TLS verification, the CA bundle (unless
 * ca_file) and proxies (the environment). */
static bool easy_setup(transfer *t)
{
    const limits *lim = t->lim;
    CURL *e = t->easy = lc.easy_init();
    if (!e || !lines_build(t))
        return false;
    bool ok = lc.easy_setopt(e, CURLOPT_URL, t->req->url) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https") == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_MAXREDIRS, 5L) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, lim->connect_timeout_ms) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_TIMEOUT_MS, lim->timeout_ms) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)lim->max_body) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_HTTPHEADER, t->lines) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_WRITEDATA, t) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_HEADERDATA, t) == CURLE_OK;
    ok = ok && lc.easy_setopt(e, CURLOPT_PRIVATE, t) == CURLE_OK;
    if (ok && lim->ca_file)
        ok = lc.easy_setopt(e, CURLOPT_CAINFO, lim->ca_file) == CURLE_OK;
    if (ok && t->req->method == ATTEST_HTTP_POST) {
        const void *body = t->req->body ? (const void *)t->req->body : "";
        ok = lc.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->req->body_len) == CURLE_OK &&
             lc.easy_setopt(e, CURLOPT_POSTFIELDS, body) == CURLE_OK;
    }
    return ok;
}

static void easy_release(transfer *t)
{
    lc.easy_cleanup(t->easy);
    t->easy = NULL;
    lc.slist_free_all(t->lines);
    t->lines = NULL;
}

/* ---- retries -------------------------------------------------------------- */

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "Sun, 06 Nov 1994 08:49:37 GMT" as Unix seconds, or -1. */
static int64_t imf_fixdate(const char *s)
{
    char wday[4], mon[4];
    int d, y, h, mi, sec, used = 0;
    if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wday, &d, mon, &y, &h, &mi,
               &sec, &used) != 7 || used == 0 || s[used] != '\0')
        return -1;
    unsigned m = 0;
    while (m < 12 && strcmp(mon, month_names[m]) != 0)
        m++;
    if (m == 12 || d < 1 || d > 31 || y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        sec < 0 || sec > 60)
        return -1;
    return attest_days_from_civil(y, m + 1, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
}

long long attest_http_retry_after_ms(const char *value, int64_t now)
{
    if (!value || !*value)
        return -1;
    if (strspn(value, "0123456789") == strlen(value)) {
        if (strlen(value) > 9) /* over 31 years: longer than any retry waits */
            return 1000000000LL * 1000;
        return atoll(value) * 1000;
    }
    int64_t at = imf_fixdate(value);
    if (at < 0)
        return -1;
    return at > now ? (long long)(at - now) * 1000 : 0;
}

static bool transient(const transfer *t, CURLcode code)
{
    if (code == CURLE_OK)
        return t->res->status == 429 || t->res->status == 503;
    return code == CURLE_COULDNT_CONNECT || code == CURLE_GOT_NOTHING ||
           code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR;
}

/* The delay before the next attempt, or -1 when there is none. */
static long long retry_delay_ms(const transfer *t, CURLcode code, long long budget_end)
{
    if (!transient(t, code) || t->res->attempts > t->lim->max_retries)
        return -1;
    const attest_http_response *r = t->res;
    long long delay = t->lim->backoff_ms;
    for (unsigned i = 1; i < r->attempts && delay < MAX_BACKOFF_MS; i++)
        delay *= 2;
    const char *after = attest_http_header_find(r->headers, r->n_headers, "Retry-After");
    long long asked = code == CURLE_OK ? attest_http_retry_after_ms(after, time(NULL)) : -1;
    if (asked >= 0)
        delay = asked;
    if (delay > MAX_BACKOFF_MS || monotonic_ms() + delay > budget_end)
        return -1;
    return delay;
}

static void finish_final(transfer *t, CURLcode code)
{
    attest_http_response *r = t->res;
    r->curl_code = (int)code;
    r->completed = code == CURLE_OK;
    if (r->completed)
        r->error[0] = '\0';
    else if (t->over_bound || code == CURLE_FILESIZE_EXCEEDED)
        snprintf(r->error, sizeof r->error, "response body over %zu bytes", t->lim->max_body);
    else if (t->out_of_memory)
        snprintf(r->error, sizeof r->error, "out of memory receiving the response");
    else
        snprintf(r->error, sizeof r->error, "%s",
                 t->errbuf[0] ? t->errbuf : lc.easy_strerror(code));
    if (!r->completed)
        r->status = 0;
    t->state = T_DONE;
}

/* A transfer libcurl finished: final, or waiting for its retry. */
static void transfer_ended(transfer *t, CURLcode code, long long budget_end)
{
    if (code == CURLE_OK)
        lc.easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->res->status);
    easy_release(t);
    long long delay = t->over_bound || t->out_of_memory ? -1 : retry_delay_ms(t, code, budget_end);
    if (delay < 0) {
        finish_final(t, code);
        return;
    }
    t->not_before_ms = monotonic_ms() + delay;
    t->state = T_WAITING;
}

/* ---- the batch ------------------------------------------------------------ */

typedef struct batch {
    CURLM *multi;
    transfer *t;
    size_t n, running, done;
    long long budget_end;
} batch;

static void transfer_start(batch *b, transfer *t)
{
    attempt_reset(t);
    t->res->attempts++;
    if (!easy_setup(t) || lc.multi_add_handle(b->multi, t->easy) != CURLM_OK) {
        easy_release(t);
        t->out_of_memory = true;
        finish_final(t, CURLE_OUT_OF_MEMORY);
        snprintf(t->res->error, sizeof t->res->error, "cannot start the transfer (out of memory?)");
        b->done++;
        return;
    }
    t->state = T_RUNNING;
    b->running++;
}

/* Start the transfers whose time has come, in request order. */
static void start_ready(batch *b)
{
    long long now = monotonic_ms();
    for (size_t i = 0; i < b->n && b->running < b->t[i].lim->parallel; i++)
        if (b->t[i].state == T_WAITING && b->t[i].not_before_ms <= now)
            transfer_start(b, &b->t[i]);
}

/* How long to sleep in curl_multi_poll: until the next waiting transfer
 * may start (libcurl shortens it for its own timers and wakes on I/O). */
static int poll_wait_ms(const batch *b)
{
    long long now = monotonic_ms(), wait = 1000;
    for (size_t i = 0; i < b->n; i++)
        if (b->t[i].state == T_WAITING && b->t[i].not_before_ms - now < wait)
            wait = b->t[i].not_before_ms - now;
    return wait < 0 ? 0 : (int)wait;
}

static void collect_finished(batch *b)
{
    CURLMsg *msg;
    int left;
    while ((msg = lc.multi_info_read(b->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        transfer *t = NULL;
        lc.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        CURLcode code = msg->data.result;
        lc.multi_remove_handle(b->multi, msg->easy_handle);
        b->running--;
        transfer_ended(t, code, b->budget_end);
        if (t->state == T_DONE)
            b->done++;
    }
}

static void batch_run(batch *b)
{
    while (b->done < b->n) {
        start_ready(b);
        int still;
        lc.multi_perform(b->multi, &still);
        collect_finished(b);
        if (b->done < b->n)
            lc.multi_poll(b->multi, NULL, 0, poll_wait_ms(b), NULL);
    }
}

static bool url_allowed(const char *url)
{
    return url && (strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0);
}

int attest_http_fetch(const attest_http_request *reqs, size_t n, const attest_http_options *opt,
                      attest_http_response *out)
{
    if ((n && (!reqs || !out)))
        return attest_set_error(ATTEST_E_INVALID_ARG, "http: requests or responses NULL");
    for (size_t i = 0; i < n; i++) {
        if (!url_allowed(reqs[i].url))
            return attest_set_error(ATTEST_E_INVALID_ARG, "http: request %zu: url is not http(s)", i);
        if (reqs[i].n_headers && !reqs[i].headers)
            return attest_set_error(ATTEST_E_INVALID_ARG, "http: request %zu: headers NULL", i);
    }
    pthread_once(&curl_once, curl_global_init_once);
    if (curl_load_error[0])
        return attest_set_error(ATTEST_E_INTERNAL, "http: cannot load libcurl: %s",
                                curl_load_error);
    if (curl_init_result != CURLE_OK)
        return attest_set_error(ATTEST_E_INTERNAL, "http: curl_global_init: %s",
                                lc.easy_strerror(curl_init_result));
    limits lim = limits_from(opt);
    batch b = {.multi = lc.multi_init(), .t = calloc(n ? n : 1, sizeof *b.t), .n = n};
    if (!b.multi || !b.t) {
        lc.multi_cleanup(b.multi);
        free(b.t);
        return attest_set_error(ATTEST_E_NOMEM, "http: out of memory");
    }
    lc.multi_setopt(b.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)lim.parallel);
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        b.t[i] = (transfer){.req = &reqs[i], .res = &out[i], .lim = &lim, .state = T_WAITING};
    }
    b.budget_end = monotonic_ms() + lim.retry_budget_ms;
    batch_run(&b);
    lc.multi_cleanup(b.multi);
    free(b.t);
    return 0;
}

void attest_http_response_free(attest_http_response *r)
{
    if (!r)
        return;
    headers_clear(r);
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

const char *attest_http_header_find(const attest_http_header *h, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}
