/* The built-in vendor certificates (builtin_certs.h), parsed once. */
#include "builtin_certs.h"
#include "anchors.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Written by tools/embed_certs.sh from the PEM files of certs/ (build/gen). */
extern const char *const attest_builtin_cert_names[];
extern const char *const attest_builtin_cert_pems[];
extern const size_t attest_builtin_cert_count;

/* The table, published once complete (every built-in certificate parsed
 * and kept, as each is in a good run): an allocation failing while it is
 * read leaves no table, and the next call reads it again, rather than a
 * table missing a root for the rest of the process. */
static _Atomic(attest_builtin_cert *) ready_table;
static size_t ready_count;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

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

static bool already_kept(const attest_builtin_cert *table, size_t kept, const char *name)
{
    for (size_t i = 0; i < kept; i++)
        if (table[i].name == name)
            return true;
    return false;
}

/* Roots first, so that the intermediates find theirs among those kept. */
static attest_builtin_cert *load_table(size_t *kept)
{
    size_t n = attest_builtin_cert_count;
    attest_builtin_cert *table = calloc(n ? n : 1, sizeof *table);
    *kept = 0;
    for (int pass = 0; table && pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            attest_builtin_cert e = {.name = attest_builtin_cert_names[i]};
            /* Kept as a root already: attest_is_self_signed can answer
             * otherwise in the second pass when an allocation fails, and
             * the root kept twice overflowed the table. */
            if (pass == 1 && already_kept(table, *kept, e.name))
                continue;
            if (!(e.cert = parse_one(attest_builtin_cert_pems[i])))
                continue;
            bool keep = attest_is_self_signed(e.cert)
                            ? pass == 0 && classify_root(&e)
                            : pass == 1 && classify_intermediate(&e, table, *kept);
            if (keep)
                table[(*kept)++] = e;
            else
                X509_free(e.cert);
        }
    ERR_clear_error();
    return table;
}

const attest_builtin_cert *attest_builtin_certs(size_t *count)
{
    attest_builtin_cert *t = atomic_load_explicit(&ready_table, memory_order_acquire);
    if (!t) {
        pthread_mutex_lock(&table_lock);
        if (!(t = atomic_load_explicit(&ready_table, memory_order_acquire))) {
            size_t kept = 0;
            attest_builtin_cert *fresh = load_table(&kept);
            if (fresh && kept == attest_builtin_cert_count) {
                ready_count = kept;
                atomic_store_explicit(&ready_table, fresh, memory_order_release);
                t = fresh;
            } else {
                for (size_t i = 0; i < kept; i++)
                    X509_free(fresh[i].cert);
                free(fresh);
            }
        }
        pthread_mutex_unlock(&table_lock);
    }
    *count = t ? ready_count : 0;
    return t;
}

int attest_builtin_certs_push(const attest_verifier *v, attest_vendor vendor, bool roots,
                              STACK_OF(X509) *out)
{
    size_t n;
    const attest_builtin_cert *all = attest_builtin_certs(&n);
    if (!all)
        return -1; /* not read yet: an allocation failed; retried next time */
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
