/* X.509 path building shared by the vendor chains. */
#include "x509_chain.h"
#include "../base/builtin_certs.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>

/* Only collateral roots whose key is pinned go into the trust store;
 * every other certificate stays untrusted input. */
X509_STORE *attest_pinned_store(const attest_verifier *v, attest_vendor vendor,
                                STACK_OF(X509) *candidates)
{
    X509_STORE *store = X509_STORE_new();
    if (!store)
        return NULL;
    errno = 0;
    for (int i = 0; i < sk_X509_num(candidates); i++) {
        X509 *c = sk_X509_value(candidates, i);
        uint8_t h[32];
        if (attest_is_self_signed(c) && attest_spki_sha256(c, h) == 0 &&
            attest_verifier_find_anchor(v, vendor, h))
            X509_STORE_add_cert(store, c);
    }
    if (attest_alloc_failed()) { /* a pinned root may be missing: no store */
        X509_STORE_free(store);
        return NULL;
    }
    return store;
}

static int map_x509_error(int err)
{
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return ATTEST_E_CERT_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return ATTEST_E_CERT_NOT_YET_VALID;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        return ATTEST_E_CERT_SIGNATURE;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
        return ATTEST_E_CERT_UNTRUSTED_ROOT;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        return ATTEST_E_COLLATERAL_MISSING;
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
        return ATTEST_E_CERT_PARSE;
    default:
        return ATTEST_E_CERT_PROFILE;
    }
}

static int fail_x509(attest_result *r, const char *name, X509_STORE_CTX *ctx, int64_t now)
{
    int err = X509_STORE_CTX_get_error(ctx);
    X509 *at = X509_STORE_CTX_get_current_cert(ctx);
    char cn[64] = "(unknown)", when[32];
    if (at)
        attest_cert_cn(at, cn, sizeof cn);
    attest_time_format(when, sizeof when, now);
    int status = map_x509_error(err);
    /* A certificate that names itself as its issuer but that OpenSSL does
     * not take as self-signed (its signature or key identifiers do not
     * match its own key) is a forged root, not missing collateral. */
    if (status == ATTEST_E_COLLATERAL_MISSING && at &&
        X509_NAME_cmp(X509_get_subject_name(at), X509_get_issuer_name(at)) == 0)
        return attest_check_fail(r, name, ATTEST_E_CERT_SIGNATURE,
                                 "'%s' names itself as issuer but is not self-signed with "
                                 "its key", cn);
    if (status == ATTEST_E_COLLATERAL_MISSING)
        return attest_check_fail(r, name, status,
                                 "issuer of '%s' not in the evidence or collateral", cn);
    if (status == ATTEST_E_CERT_UNTRUSTED_ROOT)
        return attest_check_fail(r, name, status,
                                 "'%s' chains to a root whose key is not pinned", cn);
    return attest_check_fail(r, name, status, "'%s' at %s: %s", cn, when,
                             X509_verify_cert_error_string(err));
}

int attest_x509_verify(attest_result *r, const char *name, X509_STORE *store, X509 *leaf,
                       STACK_OF(X509) *untrusted, int64_t now, bool check_time,
                       STACK_OF(X509) **chain)
{
    int status = ATTEST_OK;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    *chain = NULL;
    if (!ctx || !X509_STORE_CTX_init(ctx, store, leaf, untrusted)) {
        status = attest_check_fail(r, name, ATTEST_E_NOMEM, "out of memory");
        goto done;
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    /* A pinned key is not enough: the root must also sign itself. */
    unsigned long flags = X509_V_FLAG_CHECK_SS_SIGNATURE;
    /* OpenSSL honours a set time before NO_CHECK_TIME: set only one. */
    if (check_time)
        X509_VERIFY_PARAM_set_time(param, (time_t)now);
    else
        flags |= X509_V_FLAG_NO_CHECK_TIME;
    X509_VERIFY_PARAM_set_flags(param, flags);
    errno = 0;
    if (X509_verify_cert(ctx) != 1) {
        bool nomem = X509_STORE_CTX_get_error(ctx) == X509_V_ERR_OUT_OF_MEM || attest_alloc_failed();
        status = nomem ? attest_check_fail(r, name, ATTEST_E_NOMEM, "out of memory")
                       : fail_x509(r, name, ctx, now);
        goto done;
    }
    if (!(*chain = X509_STORE_CTX_get1_chain(ctx)))
        status = attest_check_fail(r, name, ATTEST_E_NOMEM, "out of memory");
done:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    return status;
}

/* One attempt: the caller's certificates, and with `builtin` set the
 * built-in ones still anchored (roots into the store, intermediates after
 * the caller's, whom OpenSSL then prefers as issuers). */
static int verify_attempt(attest_result *r, const char *name, const attest_verifier *v,
                          attest_vendor vendor, X509 *leaf, STACK_OF(X509) *given,
                          int64_t now, bool check_time, bool builtin, STACK_OF(X509) **chain)
{
    STACK_OF(X509) *untrusted = given ? X509_chain_up_ref(given) : sk_X509_new_null();
    STACK_OF(X509) *roots = sk_X509_new_null();
    X509_STORE *store = NULL;
    int status;
    *chain = NULL;
    if (untrusted && roots &&
        (!builtin || (attest_builtin_certs_push(v, vendor, false, untrusted) == 0 &&
                      attest_builtin_certs_push(v, vendor, true, roots) == 0)) &&
        (store = attest_pinned_store(v, vendor, untrusted))) {
        /* a root the caller gave as well is kept once */
        errno = 0;
        for (int i = 0; i < sk_X509_num(roots); i++)
            X509_STORE_add_cert(store, sk_X509_value(roots, i));
        status = attest_alloc_failed()
                     ? attest_check_fail(r, name, ATTEST_E_NOMEM, "out of memory")
                     : attest_x509_verify(r, name, store, leaf, untrusted, now, check_time, chain);
    } else {
        status = attest_check_fail(r, name, ATTEST_E_NOMEM, "out of memory");
    }
    X509_STORE_free(store);
    sk_X509_pop_free(roots, X509_free);
    sk_X509_pop_free(untrusted, X509_free);
    return status;
}

int attest_x509_verify_pinned(attest_result *r, const char *name, const attest_verifier *v,
                              attest_vendor vendor, X509 *leaf, STACK_OF(X509) *given,
                              int64_t now, bool check_time, STACK_OF(X509) **chain)
{
    int status = verify_attempt(NULL, name, v, vendor, leaf, given, now, check_time, false,
                                chain);
    /* Not tried again: OpenSSL keeps a certificate whose extensions it
     * could not decode marked invalid, and the next attempt would call
     * its issuer missing. */
    if (status == ATTEST_E_NOMEM)
        return attest_check_fail(r, name, status, "out of memory");
    if (status != ATTEST_E_COLLATERAL_MISSING && status != ATTEST_E_CERT_UNTRUSTED_ROOT)
        return status == ATTEST_OK ? status
                                   : verify_attempt(r, name, v, vendor, leaf, given, now,
                                                    check_time, false, chain);
    if (verify_attempt(NULL, name, v, vendor, leaf, given, now, check_time, true, chain) ==
        ATTEST_OK)
        return ATTEST_OK;
    return verify_attempt(r, name, v, vendor, leaf, given, now, check_time, false, chain);
}
