/* RA-TLS test fixture: mock certificates of attest-mock's generator
 * (vectors/gen/ratlsgen.c) over the test PKI's Intel chain, the matching
 * collateral and a verifier pinned to the test root at an instant inside
 * the test collateral's validity. */
#ifndef RATLS_FIXTURE_H
#define RATLS_FIXTURE_H

#include "ratlsgen.h"
#include "testutil.h"

#include <openssl/x509.h>

#define RATLS_AT 1748736000LL /* 2025-06-01, inside the test collateral's validity */

static inline dcapgen_pki *rf_pki(void)
{
    char dir[512];
    dcapgen_pki *pki = NULL;
    cr_assert_eq(dcapgen_pki_load(&pki, tu_pki(dir, sizeof dir, "intel")), 0, "%s", dir);
    return pki;
}

/* A mock RA-TLS certificate (DER, malloc'd) per o; its key into *key when
 * key is not NULL. */
static inline uint8_t *rf_cert(const ratlsgen_opts *o, size_t *len, EVP_PKEY **key)
{
    dcapgen_pki *pki = rf_pki();
    X509 *cert = NULL;
    EVP_PKEY *k = NULL;
    cr_assert_eq(ratlsgen_cert(&cert, &k, pki, o), 0);
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    cr_assert(n > 0);
    uint8_t *out = malloc((size_t)n);
    memcpy(out, der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(der);
    X509_free(cert);
    if (key)
        *key = k;
    else
        EVP_PKEY_free(k);
    dcapgen_pki_free(pki);
    return out;
}

static inline attest_collateral *rf_collateral(int sgx)
{
    const char *const tee[2][2] = {{"tcb_info_tdx.json", "qe_identity_td.json"},
                                   {"tcb_info_sgx.json", "qe_identity_sgx.json"}};
    const char *const files[] = {tee[!!sgx][0], tee[!!sgx][1], "pck_crl.der", "root_crl.der",
                                 "tcb_signing_chain.pem"};
    attest_collateral *c = NULL;
    char path[512], rel[128];
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(rel, sizeof rel, "intel/%s", files[i]);
        tu_add_file(c, tu_pki(path, sizeof path, rel));
    }
    return c;
}

/* A verifier trusting only the test PKI's `vendor` root whose pin is in
 * the file `anchor_rel` (e.g. "intel/anchor.sha256"), at RATLS_AT. */
static inline attest_verifier *rf_pinned_verifier(const char *anchor_rel, attest_vendor vendor)
{
    char path[512], hex[80] = {0};
    uint8_t pin[32];
    FILE *f = fopen(tu_pki(path, sizeof path, anchor_rel), "r");
    cr_assert(f && fgets(hex, sizeof hex, f));
    fclose(f);
    for (int i = 0; i < 32; i++)
        cr_assert_eq(sscanf(hex + 2 * i, "%2hhx", &pin[i]), 1);
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_verifier_clear_anchors(v, vendor), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, vendor, pin), ATTEST_OK);
    cr_assert_eq(attest_verifier_set_time(v, RATLS_AT), ATTEST_OK);
    return v;
}

static inline attest_verifier *rf_verifier(void)
{
    return rf_pinned_verifier("intel/anchor.sha256", ATTEST_VENDOR_INTEL);
}

/* What a verification of a peer gave: its status and first failing check. */
typedef struct rf_outcome {
    int status;
    char check[64];
} rf_outcome;

static inline rf_outcome rf_verify(const uint8_t *peer, size_t len, int rule, attest_verifier *v,
                                   const attest_collateral *c, const char *policy,
                                   const uint8_t *nonce, size_t nonce_len)
{
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    attest_result *r = NULL;
    rf_outcome out = {attest_verify_tls_peer(&r, v, peer, len, rule, c, p, nonce, nonce_len), ""};
    cr_assert(r, "no result: %s", attest_error_last());
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (attest_result_check_outcome(r, i) == ATTEST_CHECK_FAIL) {
            snprintf(out.check, sizeof out.check, "%s", attest_result_check_name(r, i));
            break;
        }
    cr_assert_eq(attest_result_status(r), out.status);
    attest_result_free(r);
    attest_policy_free(p);
    return out;
}

#endif
