/* lib/api/http.c against tests/http_server.py on 127.0.0.1 (never the
 * internet): statuses, bodies and kept headers; retries on 429/503 and
 * refused connections; the per-transfer timeout; truncated and oversized
 * bodies; POST; parallel transfers; HTTPS with a CA made here by openssl. */
#include "testutil.h"
#include "api/http.h"
#include "loopback.h"

#include <curl/curl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One GET of `path`; the response in *r. */
static void get_one(const test_server *s, const char *path, const attest_http_options *o,
                    attest_http_response *r)
{
    char url[128];
    url_of(url, sizeof url, s, path);
    attest_http_request q = {.method = ATTEST_HTTP_GET, .url = url};
    cr_assert_eq(attest_http_fetch(&q, 1, o, r), 0, "%s", attest_error_last());
}

Test(api_http, ok_body_and_kept_headers)
{
    test_server s;
    server_start(&s, "{\"/tcb\": {\"body\": \"hello\", \"headers\": {"
                     "\"SGX-TCB-Info-Issuer-Chain\": \"-----BEGIN%20CERT\","
                     "\"Content-Type\": \"application/json\", \"X-Other\": \"dropped\"}}}",
                 false);
    attest_http_response r;
    get_one(&s, "/tcb", NULL, &r);
    cr_assert(r.completed, "%s", r.error);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.body_len, 5);
    cr_assert_str_eq((char *)r.body, "hello");
    cr_assert_eq(r.attempts, 1);
    cr_assert_str_eq(r.error, "");
    const char *chain = attest_http_header_find(r.headers, r.n_headers, "sgx-tcb-info-issuer-chain");
    cr_assert(chain && strcmp(chain, "-----BEGIN%20CERT") == 0, "kept case-insensitively");
    cr_assert_str_eq(attest_http_header_find(r.headers, r.n_headers, "content-type"),
                     "application/json");
    cr_assert_not_null(attest_http_header_find(r.headers, r.n_headers, "Date"));
    cr_assert_null(attest_http_header_find(r.headers, r.n_headers, "X-Other"), "not asked for");
    attest_http_response_free(&r);

    get_one(&s, "/nothing", NULL, &r);
    cr_assert(r.completed && r.status == 404 && r.attempts == 1, "404 is an answer, not retried");
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, retries_429_after_retry_after)
{
    test_server s;
    server_start(&s, "{\"/busy\": {\"body\": \"ok\", \"fail_first\": 1, \"fail_status\": 429,"
                     " \"fail_headers\": {\"Retry-After\": \"1\"}}}",
                 false);
    attest_http_response r;
    attest_http_options o = {.backoff_ms = 10};
    double t0 = now_s();
    get_one(&s, "/busy", &o, &r);
    double took = now_s() - t0;
    cr_log_info("429 then 200 took %.2f s", took);
    cr_assert(r.completed && r.status == 200 && r.attempts == 2, "status %ld after %u", r.status,
              r.attempts);
    cr_assert_str_eq((char *)r.body, "ok");
    cr_assert(took >= 0.9, "Retry-After: 1 honoured, not the 10 ms backoff (%.2f s)", took);
    cr_assert_null(attest_http_header_find(r.headers, r.n_headers, "Retry-After"),
                   "only the last response's headers are kept");
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, retries_without_retry_after_back_off)
{
    test_server s;
    server_start(&s, "{\"/slowly\": {\"body\": \"ok\", \"fail_first\": 2, \"fail_status\": 429}}",
                 false);
    attest_http_response r;
    attest_http_options o = {.backoff_ms = 100};
    double t0 = now_s();
    get_one(&s, "/slowly", &o, &r);
    double took = now_s() - t0;
    cr_log_info("two 429 without Retry-After, backoff 100 then 200 ms: %.2f s", took);
    cr_assert(r.completed && r.status == 200 && r.attempts == 3, "status %ld after %u", r.status,
              r.attempts);
    cr_assert(took >= 0.29, "exponential backoff waited %.2f s", took);
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, gives_up_on_503_after_max_retries)
{
    test_server s;
    server_start(&s, "{\"/down\": {\"fail_first\": 1000}}", false);
    attest_http_response r;
    attest_http_options o = {.max_retries = 2, .backoff_ms = 20};
    get_one(&s, "/down", &o, &r);
    cr_assert(r.completed && r.status == 503, "the last answer is kept: %ld", r.status);
    cr_assert_eq(r.attempts, 3, "one attempt and two retries, got %u", r.attempts);
    attest_http_response_free(&r);

    o = (attest_http_options){.no_retries = true};
    get_one(&s, "/down", &o, &r);
    cr_assert_eq(r.attempts, 1, "no_retries");
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, retry_after_past_the_budget_is_not_waited_for)
{
    test_server s;
    server_start(&s, "{\"/later\": {\"fail_first\": 1000, \"fail_headers\": {\"Retry-After\": \"30\"}}}",
                 false);
    attest_http_response r;
    attest_http_options o = {.retry_budget_ms = 2000};
    double t0 = now_s();
    get_one(&s, "/later", &o, &r);
    double took = now_s() - t0;
    cr_assert(r.completed && r.status == 503 && r.attempts == 1, "attempts %u", r.attempts);
    cr_assert(took < 2.0, "did not wait 30 s (%.2f s)", took);
    cr_assert_str_eq(attest_http_header_find(r.headers, r.n_headers, "retry-after"), "30");
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, stalled_response_times_out)
{
    test_server s;
    server_start(&s, "{\"/stall\": {\"sleep\": 5, \"body\": \"late\"}}", false);
    attest_http_response r;
    attest_http_options o = {.timeout_ms = 500};
    double t0 = now_s();
    get_one(&s, "/stall", &o, &r);
    double took = now_s() - t0;
    cr_log_info("stalled response given up after %.2f s", took);
    cr_assert(!r.completed && r.status == 0);
    cr_assert_eq(r.curl_code, CURLE_OPERATION_TIMEDOUT, "%s", r.error);
    cr_assert(strstr(r.error, "imed out"), "error: %s", r.error);
    cr_assert(took < 3.0, "%.2f s", took);
    cr_assert_eq(r.attempts, 1, "a timeout is not retried: the server is there, only slow");
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, truncated_body_is_an_error)
{
    test_server s;
    server_start(&s, "{\"/cut\": {\"body\": \"short\", \"content_length\": 100}}", false);
    attest_http_response r;
    get_one(&s, "/cut", NULL, &r);
    cr_assert(!r.completed && r.status == 0);
    cr_assert_eq(r.curl_code, CURLE_PARTIAL_FILE, "%d: %s", r.curl_code, r.error);
    cr_assert_neq(r.error[0], '\0');
    cr_log_info("truncated: %s", r.error);
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, body_over_the_bound_is_an_error)
{
    test_server s;
    server_start(&s, "{\"/big\": {\"body_size\": 2000000},"
                     " \"/stream\": {\"body_size\": 2000000, \"no_length\": true},"
                     " \"/huge\": {\"body_size\": 9000000, \"no_length\": true},"
                     " \"/fits\": {\"body_size\": 1000000}}",
                 false);
    attest_http_options o = {.max_body = 1000000};
    const char *over[] = {"/big", "/stream"};
    for (size_t i = 0; i < 2; i++) {
        attest_http_response r;
        get_one(&s, over[i], &o, &r);
        cr_assert(!r.completed && r.body_len <= 1000000, "%s", over[i]);
        cr_assert(strstr(r.error, "over 1000000 bytes"), "%s: %s", over[i], r.error);
        attest_http_response_free(&r);
    }
    attest_http_response r;
    get_one(&s, "/fits", &o, &r);
    cr_assert(r.completed && r.body_len == 1000000, "exactly the bound fits: %s", r.error);
    attest_http_response_free(&r);
    get_one(&s, "/huge", NULL, &r);
    cr_assert(!r.completed && strstr(r.error, "over 8388608 bytes"), "default 8 MiB: %s", r.error);
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, post_sends_body_type_and_headers)
{
    test_server s;
    server_start(&s, "{\"/echo\": {\"echo\": true}}", false);
    char url[128];
    url_of(url, sizeof url, &s, "/echo");
    static const char body[] = "{\"platformManifest\":\"00ff\"}";
    const char *const extra[] = {"X-Test: yes"};
    const char *const keep[] = {"X-Echo-Content-Type", "x-echo-test", NULL};
    attest_http_request q = {.method = ATTEST_HTTP_POST, .url = url, .body = (const uint8_t *)body,
                             .body_len = strlen(body), .content_type = "application/json",
                             .headers = extra, .n_headers = 1};
    attest_http_options o = {.keep_headers = keep};
    attest_http_response r;
    cr_assert_eq(attest_http_fetch(&q, 1, &o, &r), 0);
    cr_assert(r.completed && r.status == 200, "%s", r.error);
    cr_assert_eq(r.body_len, strlen(body));
    cr_assert_str_eq((char *)r.body, body);
    cr_assert_str_eq(attest_http_header_find(r.headers, r.n_headers, "x-echo-content-type"),
                     "application/json");
    cr_assert_str_eq(attest_http_header_find(r.headers, r.n_headers, "X-Echo-Test"), "yes");
    attest_http_response_free(&r);
    server_stop(&s);
}

/* A port nothing listens on: bound, then closed. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

Test(api_http, refused_connection_is_retried_then_reported)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", free_port());
    attest_http_request q = {.method = ATTEST_HTTP_GET, .url = url};
    attest_http_options o = {.max_retries = 2, .backoff_ms = 20};
    attest_http_response r;
    cr_assert_eq(attest_http_fetch(&q, 1, &o, &r), 0);
    cr_assert(!r.completed && r.status == 0);
    cr_assert_eq(r.curl_code, CURLE_COULDNT_CONNECT, "%s", r.error);
    cr_assert_eq(r.attempts, 3);
    cr_log_info("refused: %s", r.error);
    attest_http_response_free(&r);
}

Test(api_http, transfers_run_in_parallel)
{
    test_server s;
    server_start(&s, "{\"/slow\": {\"sleep\": 0.2, \"body\": \"done\"}}", false);
    enum { N = 20 };
    char urls[N][128];
    attest_http_request q[N];
    attest_http_response r[N];
    for (int i = 0; i < N; i++) {
        snprintf(urls[i], sizeof urls[i], "http://127.0.0.1:%d/slow?i=%d", s.port, i);
        q[i] = (attest_http_request){.method = ATTEST_HTTP_GET, .url = urls[i]};
    }
    double t0 = now_s();
    cr_assert_eq(attest_http_fetch(q, N, NULL, r), 0);
    double took = now_s() - t0;
    cr_log_info("%d requests of 0.2 s each, 8 at a time: %.2f s (one by one: %.1f s)", N, took,
                N * 0.2);
    for (int i = 0; i < N; i++) {
        cr_assert(r[i].completed && r[i].status == 200, "request %d: %s", i, r[i].error);
        cr_assert_str_eq((char *)r[i].body, "done");
        attest_http_response_free(&r[i]);
    }
    cr_assert(took < 3.0, "%.2f s: the transfers did not overlap", took);

    /* The bound holds: 4 such requests 2 at a time take two rounds. */
    attest_http_options two = {.parallel = 2};
    t0 = now_s();
    cr_assert_eq(attest_http_fetch(q, 4, &two, r), 0);
    took = now_s() - t0;
    cr_log_info("4 requests of 0.2 s, 2 at a time: %.2f s", took);
    for (int i = 0; i < 4; i++) {
        cr_assert(r[i].completed && r[i].status == 200, "request %d: %s", i, r[i].error);
        attest_http_response_free(&r[i]);
    }
    cr_assert(took >= 0.38, "more than 2 at a time (%.2f s)", took);
    server_stop(&s);
}

Test(api_http, https_with_the_callers_ca_and_not_without)
{
    test_server s;
    server_start(&s, "{\"/crl\": {\"body\": \"secure\"}}", true);
    char url[128], ca[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/crl", s.port);
    snprintf(ca, sizeof ca, "%s/ca.pem", s.dir);
    attest_http_request q = {.method = ATTEST_HTTP_GET, .url = url};
    attest_http_options o = {.ca_file = ca};
    attest_http_response r;
    cr_assert_eq(attest_http_fetch(&q, 1, &o, &r), 0);
    cr_assert(r.completed && r.status == 200, "%s", r.error);
    cr_assert_str_eq((char *)r.body, "secure");
    attest_http_response_free(&r);

    cr_assert_eq(attest_http_fetch(&q, 1, NULL, &r), 0);
    cr_assert(!r.completed, "a certificate from an unknown CA is refused");
    cr_assert_eq(r.curl_code, CURLE_PEER_FAILED_VERIFICATION, "%d: %s", r.curl_code, r.error);
    cr_log_info("without the test CA: %s", r.error);
    attest_http_response_free(&r);
    server_stop(&s);
}

Test(api_http, refuses_other_schemes)
{
    attest_http_request q = {.method = ATTEST_HTTP_GET, .url = "file:///etc/passwd"};
    attest_http_response r;
    cr_assert_eq(attest_http_fetch(&q, 1, NULL, &r), ATTEST_E_INVALID_ARG);
    cr_assert(strstr(attest_error_last(), "request 0"), "%s", attest_error_last());
    cr_assert_eq(attest_http_fetch(NULL, 0, NULL, NULL), 0, "an empty batch");
}

Test(api_http, retry_after_values)
{
    const int64_t at = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
    cr_assert_eq(attest_http_retry_after_ms("5", at), 5000);
    cr_assert_eq(attest_http_retry_after_ms("0", at), 0);
    cr_assert_eq(attest_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", at - 2), 2000);
    cr_assert_eq(attest_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", at + 10), 0,
                 "a date in the past: now");
    static const char *const bad[] = {"", "soon", "-1", "1.5", "Sun, 06 Nov 1994 08:49:37 UTC",
                                      "Sun, 06 Foo 1994 08:49:37 GMT",
                                      "Sun, 06 Nov 1994 08:49:37 GMT x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(attest_http_retry_after_ms(bad[i], at), -1, "'%s'", bad[i]);
    cr_assert_eq(attest_http_retry_after_ms(NULL, at), -1);
}

typedef struct fetch_job {
    const char *url;
    attest_http_response r;
    int rc;
} fetch_job;

static void *fetch_in_thread(void *arg)
{
    fetch_job *j = arg;
    attest_http_request q = {.method = ATTEST_HTTP_GET, .url = j->url};
    j->rc = attest_http_fetch(&q, 1, NULL, &j->r);
    return NULL;
}

/* The first fetches of a process, from several threads at once: libcurl is
 * initialised once (pthread_once) and every batch owns its handles. */
Test(api_http, batches_from_several_threads)
{
    test_server s;
    server_start(&s, "{\"/t\": {\"body\": \"t\", \"sleep\": 0.05}}", false);
    char url[128];
    url_of(url, sizeof url, &s, "/t");
    enum { THREADS = 4 };
    pthread_t th[THREADS];
    fetch_job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (fetch_job){.url = url};
        cr_assert_eq(pthread_create(&th[i], NULL, fetch_in_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        cr_assert(jobs[i].rc == 0 && jobs[i].r.completed && jobs[i].r.status == 200,
                  "thread %d: %s", i, jobs[i].r.error);
        attest_http_response_free(&jobs[i].r);
    }
    server_stop(&s);
}
