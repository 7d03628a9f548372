/* A real TLS handshake on 127.0.0.1: an OpenSSL server thread presents a
 * mock RA-TLS certificate (attest-mock's generator), a client with
 * attest_ssl_ctx_set_verify connects: accepted; then a certificate whose
 * key differs from the bound one: the handshake fails. */
#include "ratls_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

typedef struct server {
    int listener;
    SSL_CTX *ctx;
    pthread_t thread;
} server;

/* Accept one connection and handshake; the client decides the outcome. */
static void *serve_once(void *arg)
{
    server *s = arg;
    int fd = accept(s->listener, NULL, NULL);
    if (fd < 0)
        return NULL;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(s->ctx);
    if (ssl && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1) {
        SSL_write(ssl, "ok", 2);
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    close(fd);
    return NULL;
}

static void server_start(server *s, const uint8_t *cert_der, size_t len, EVP_PKEY *key,
                         int *port)
{
    const unsigned char *p = cert_der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    cr_assert(cert);
    s->ctx = SSL_CTX_new(TLS_server_method());
    cr_assert(s->ctx && SSL_CTX_use_certificate(s->ctx, cert) == 1 &&
              SSL_CTX_use_PrivateKey(s->ctx, key) == 1);
    X509_free(cert);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    s->listener = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(s->listener >= 0 && bind(s->listener, (struct sockaddr *)&a, sizeof a) == 0 &&
              listen(s->listener, 1) == 0 &&
              getsockname(s->listener, (struct sockaddr *)&a, &alen) == 0);
    *port = ntohs(a.sin_port);
    cr_assert_eq(pthread_create(&s->thread, NULL, serve_once, s), 0);
}

static void server_stop(server *s)
{
    pthread_join(s->thread, NULL);
    close(s->listener);
    SSL_CTX_free(s->ctx);
}

/* Connect with the helper installed; 1 when the handshake completes. */
static int client_handshake(int port)
{
    attest_verifier *v = rf_verifier();
    attest_collateral *c = rf_collateral(0);
    attest_tls_check *check = NULL;
    cr_assert_eq(attest_tls_check_new(&check, v, ATTEST_RATLS_CLAIMS_SHA256, c, NULL),
                 ATTEST_OK);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    cr_assert(ctx);
    cr_assert_eq(attest_ssl_ctx_set_verify(ctx, check), ATTEST_OK);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(ctx);
    cr_assert(ssl && SSL_set_fd(ssl, fd) == 1);
    int ok = SSL_connect(ssl) == 1;
    char buf[2];
    if (ok)
        ok = SSL_read(ssl, buf, 2) == 2 && memcmp(buf, "ok", 2) == 0;
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    attest_tls_check_free(check);
    attest_collateral_free(c);
    attest_verifier_free(v);
    ERR_clear_error();
    return ok;
}

static int handshake_with(const ratlsgen_opts *o)
{
    size_t len;
    EVP_PKEY *key = NULL;
    uint8_t *cert = rf_cert(o, &len, &key);
    server s;
    int port;
    server_start(&s, cert, len, key, &port);
    int ok = client_handshake(port);
    server_stop(&s);
    EVP_PKEY_free(key);
    free(cert);
    return ok;
}

Test(ratls_tls, handshake_accepted)
{
    ratlsgen_opts o = {0};
    cr_expect(handshake_with(&o), "handshake failed: %s", attest_error_last());
}

Test(ratls_tls, handshake_other_key_rejected)
{
    ratlsgen_opts o = {.bind_other_key = 1};
    cr_expect(!handshake_with(&o), "a certificate whose key is not the bound one was accepted");
    cr_expect_eq(attest_error_last_status(), ATTEST_E_RATLS_KEY_HASH, "%s",
                 attest_error_last());
}
