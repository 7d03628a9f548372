/* The vendor certificates built into the library (the PEM files of certs/, compiled in
 * by tools/embed_certs.sh): AMD ARK, ASK and ASVK per product, the Intel
 * SGX Root CA, NVIDIA's Device Identity and CoRIM signing roots. They are
 * issuers offered to the chain builder beside the caller's collateral,
 * nothing more: each counts only while the key of the root it chains to is
 * an anchor of the verifier (anchors.c), and every signature is verified
 * as for any certificate. */
#ifndef ATTEST_BUILTIN_CERTS_H
#define ATTEST_BUILTIN_CERTS_H

#include "x509.h"

typedef struct attest_builtin_cert {
    const char *name;              /* its file in certs/, without ".pem" */
    X509 *cert;
    attest_vendor vendor;          /* of the built-in anchor its chain ends at */
    uint8_t root_spki_sha256[32];  /* that anchor's key (a root's own key) */
    bool is_root;                  /* self-signed */
} attest_builtin_cert;

/* Every built-in certificate, parsed once per process (thread-safe; the
 * table lives until exit). A certificate that does not parse or does not
 * chain to a built-in anchor is left out (tests/base/test_builtin_certs.c
 * checks that none is). When memory ran out while it was read: NULL, *count
 * 0, and the next call reads it again. */
ATTEST_HIDDEN const attest_builtin_cert *attest_builtin_certs(size_t *count);

/* Push onto `out` the built-in certificates of `vendor` (roots when `roots`
 * is set, else intermediates) whose root key is an anchor of `v` now, each
 * with a reference taken (free with sk_X509_pop_free(out, X509_free)).
 * Returns 0, or -1 when out of memory. */
ATTEST_HIDDEN int attest_builtin_certs_push(const attest_verifier *v, attest_vendor vendor,
                                            bool roots, STACK_OF(X509) *out);

#endif
