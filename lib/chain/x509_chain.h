/* X.509 path building shared by the vendor chains: trust limited to pinned
 * root keys, OpenSSL's verifier, and its errors mapped to attest codes. */
#ifndef ATTEST_X509_CHAIN_H
#define ATTEST_X509_CHAIN_H

#include "../base/cache.h"
#include "../base/crypto.h"
#include "../base/x509.h"
#include "collateral.h"

/* A trust store holding the self-signed certificates of `candidates`
 * whose key is a pinned anchor of `vendor`. NULL on allocation failure. */
ATTEST_HIDDEN X509_STORE *attest_pinned_store(const attest_verifier *v, attest_vendor vendor,
                                              STACK_OF(X509) *candidates);

/* Verify `leaf` through `untrusted` to a root in `store`, at `now` unless
 * `check_time` is false. The root must be self-signed with its pinned key.
 * On success *chain is leaf..root (caller frees). Failures are recorded
 * as check `name` with their own code, which is returned. */
ATTEST_HIDDEN int attest_x509_verify(attest_result *r, const char *name, X509_STORE *store,
                                     X509 *leaf, STACK_OF(X509) *untrusted, int64_t now,
                                     bool check_time, STACK_OF(X509) **chain);

/* attest_x509_verify of `leaf` through `given` (may be NULL) to a root of
 * `vendor` pinned in `v`, with the caller's certificates alone first; only
 * when that finds no issuer or no pinned root is it tried again with the
 * built-in certificates of `vendor` whose root key is pinned
 * (base/builtin_certs.h) beside them. So the caller's certificates take
 * precedence, a built-in one only fills a gap, and it is used only under
 * an anchored root. When both fail the first attempt's failure is the one
 * recorded. */
ATTEST_HIDDEN int attest_x509_verify_pinned(attest_result *r, const char *name,
                                            const attest_verifier *v, attest_vendor vendor,
                                            X509 *leaf, STACK_OF(X509) *given, int64_t now,
                                            bool check_time, STACK_OF(X509) **chain);

#endif
