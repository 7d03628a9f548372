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

#endif
