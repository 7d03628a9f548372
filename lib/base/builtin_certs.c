/* The built-in vendor certificates (builtin_certs.h), parsed once. */
#include "builtin_certs.h"
#include "anchors.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Written by tools/embed_certs.sh from the PEM files of certs/ (build/gen). */
extern const char *const attest_builtin_cert_names[];
extern const char *const attest_builtin_cert_pems[];
extern const size_t attest_builtin_cert_count;

static attest_builtin_cert *table;
static size_t table_count;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* A root counts when it signs itself and its key is a built-in anchor,
 * whose vendor it takes. */
static bool classify_root(attest_builtin_cert *e)
{
    size_t n;
    const attest_anchor *anchors = attest_builtin_anchors(&n);
    EVP_PKEY *key = X509_get0_pubkey(e->cert);
    if (!attest_is_self_signed(e->cert) || !key || X509_verify(e->cert, key) != 1 ||
        attest_spki_sha256(e->cert, e->root_spki_sha256) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!memcmp(anchors[i].spki_sha256, e->root_spki_sha256, 32)) {
            e->vendor = anchors[i].vendor;
            e->is_root = true;
            return true;
        }
    return false;
}

/* An intermediate counts when one of the roots kept signs it. */
static bool classify_intermediate(attest_builtin_cert *e, const attest_builtin_cert *roots,
                                  size_t nroots)
{
    for (size_t i = 0; i < nroots; i++) {
        if (!roots[i].is_root || X509_check_issued(roots[i].cert, e->cert) != X509_V_OK ||
            X509_verify(e->cert, X509_get0_pubkey(roots[i].cert)) != 1)
            continue;
        e->vendor = roots[i].vendor;
        memcpy(e->root_spki_sha256, roots[i].root_spki_sha256, 32);
        return true;
    }
    return false;
}

static X509 *parse_one(const char *pem)
{
    STACK_OF(X509) *certs = attest_pem_certs((const uint8_t *)pem, strlen(pem));
    X509 *cert = certs && sk_X509_num(certs) == 1 ? sk_X509_shift(certs) : NULL;
    sk_X509_pop_free(certs, X509_free);
    return cert;
}

/* Roots first, so that the intermediates find theirs among those kept. */
static void load_table(void)
{
    size_t n = attest_builtin_cert_count;
    table = calloc(n ? n : 1, sizeof *table);
    for (int pass = 0; table && pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            attest_builtin_cert e = {.name = attest_builtin_cert_names[i]};
            if (!(e.cert = parse_one(attest_builtin_cert_pems[i])))
                continue;
            bool keep = attest_is_self_signed(e.cert)
                            ? pass == 0 && classify_root(&e)
                            : pass == 1 && classify_intermediate(&e, table, table_count);
            if (keep)
                table[table_count++] = e;
            else
                X509_free(e.cert);
        }
    ERR_clear_error();
}

const attest_builtin_cert *attest_builtin_certs(size_t *count)
{
    pthread_once(&table_once, load_table);
    *count = table_count;
    return table;
}

int attest_builtin_certs_push(const attest_verifier *v, attest_vendor vendor, bool roots,
                              STACK_OF(X509) *out)
{
    size_t n;
    const attest_builtin_cert *all = attest_builtin_certs(&n);
    for (size_t i = 0; i < n; i++) {
        if (all[i].vendor != vendor || all[i].is_root != roots ||
            !attest_verifier_find_anchor(v, vendor, all[i].root_spki_sha256))
            continue;
        if (X509_up_ref(all[i].cert) != 1)
            return -1;
        if (!sk_X509_push(out, all[i].cert)) {
            X509_free(all[i].cert);
            return -1;
        }
    }
    return 0;
}
