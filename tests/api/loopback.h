/* The loopback test server (tests/http_server.py on 127.0.0.1, never the
 * internet) for the HTTP and fetch tests: started with a routes JSON,
 * stopped (stdin closed, SIGTERM) at the end of each test. */
#ifndef ATTEST_TEST_LOOPBACK_H
#define ATTEST_TEST_LOOPBACK_H

#include "testutil.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct test_server {
    pid_t pid;
    int stdin_fd;
    int port;
    char dir[64];
} test_server;

static inline void need_python(void)
{
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        cr_skip_test("python3 absent: the HTTP tests need it for tests/http_server.py");
    if (access("tests/http_server.py", R_OK) != 0)
        cr_skip_test("tests/http_server.py not found: run the tests from the repository root");
}

/* A test CA and a certificate for 127.0.0.1 it signs, in s->dir. */
static inline void make_test_pki(const test_server *s)
{
    if (system("command -v openssl >/dev/null 2>&1") != 0)
        cr_skip_test("openssl command absent: the HTTPS test needs it");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd %s && (printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-keyout ca.key -out ca.pem -subj /CN=attest-test-ca -days 1 && "
             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-keyout server.key -out server.csr -subj /CN=127.0.0.1 && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-days 1 -extfile san.ext -out server.pem) > openssl.log 2>&1",
             s->dir);
    cr_assert_eq(system(cmd), 0, "openssl could not make the test PKI: see %s/openssl.log", s->dir);
}

static inline void server_spawn(test_server *s, bool tls, int out[2], int in[2])
{
    char routes[128], cert[128], key[128];
    snprintf(routes, sizeof routes, "%s/routes.json", s->dir);
    snprintf(cert, sizeof cert, "%s/server.pem", s->dir);
    snprintf(key, sizeof key, "%s/server.key", s->dir);
    s->pid = fork();
    cr_assert(s->pid >= 0, "fork");
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        if (tls)
            execlp("python3", "python3", "tests/http_server.py", routes, "--cert", cert, "--key",
                   key, (char *)NULL);
        else
            execlp("python3", "python3", "tests/http_server.py", routes, (char *)NULL);
        _exit(127);
    }
}

/* Start the server with `routes` (JSON); its port in s->port. */
static inline void server_start(test_server *s, const char *routes, bool tls)
{
    need_python();
    snprintf(s->dir, sizeof s->dir, "/tmp/attest-http-XXXXXX");
    cr_assert(mkdtemp(s->dir), "mkdtemp");
    char path[128];
    snprintf(path, sizeof path, "%s/routes.json", s->dir);
    FILE *f = fopen(path, "w");
    cr_assert(f && fputs(routes, f) >= 0 && fclose(f) == 0, "writing %s", path);
    if (tls)
        make_test_pki(s);
    int out[2], in[2];
    cr_assert(pipe(out) == 0 && pipe(in) == 0, "pipe");
    server_spawn(s, tls, out, in);
    close(in[0]);
    close(out[1]);
    s->stdin_fd = in[1];
    FILE *from = fdopen(out[0], "r");
    char line[64] = "";
    cr_assert(from && fgets(line, sizeof line, from), "the server printed no port");
    fclose(from);
    cr_assert_eq(sscanf(line, "PORT %d", &s->port), 1, "server said '%s'", line);
}

static inline void server_stop(test_server *s)
{
    close(s->stdin_fd);
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s->dir);
    cr_assert_eq(system(cmd), 0);
}

static inline void url_of(char *buf, size_t n, const test_server *s, const char *path)
{
    snprintf(buf, n, "http://127.0.0.1:%d%s", s->port, path);
}

#endif
