/* Chains that leave their root out take the built-in one (certs/), and
 * only while its key is an anchor: an NVIDIA device chain without the
 * Device Identity CA, an Intel PCK chain without the SGX Root CA. */
#include "testutil.h"

#include "chain/nvidia.h"
#include "chain/x509_chain.h"

#include <openssl/pem.h>

#define SETA "nvidia/hopper/setA_h100_550.90.07_complete/"

static STACK_OF(X509) *pem_file(const char *rel)
{
    char p[512];
    size_t len;
    uint8_t *d = tu_read(tu_shared(p, sizeof p, rel), &len);
    cr_assert(d, "cannot read %s", p);
    STACK_OF(X509) *sk = attest_pem_certs(d, len);
    free(d);
    cr_assert(sk);
    return sk;
}

static X509 *der_file(const char *rel)
{
    char p[512];
    size_t len;
    uint8_t *d = tu_read(tu_shared(p, sizeof p, rel), &len);
    cr_assert(d, "cannot read %s", p);
    const unsigned char *q = d;
    X509 *c = d2i_X509(NULL, &q, (long)len);
    free(d);
    cr_assert(c, "%s", rel);
    return c;
}

/* An anchor set that no longer holds the built-in key of `vendor`. */
static void replace_anchors(attest_verifier *v, attest_vendor vendor)
{
    uint8_t other[32] = {7};
    attest_verifier_clear_anchors(v, vendor);
    cr_assert_eq(attest_verifier_add_anchor(v, vendor, other), ATTEST_OK);
}

Test(builtin_roots, nvidia_device_chain_without_its_root)
{
    STACK_OF(X509) *sk = pem_file(SETA "device_cert_chain.pem");
    cr_assert_eq(sk_X509_num(sk), 5);
    X509_free(sk_X509_pop(sk)); /* drop the Device Identity CA */
    attest_verifier *v = NULL;
    STACK_OF(X509) *chain = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    int64_t at = tu_time("2025-10-24T12:00:00Z");
    cr_expect_eq(nv_chain_verify(NULL, "gpu0.chain", v, ATTEST_VENDOR_NVIDIA_DEVICE,
                                 sk_X509_value(sk, 0), sk, 5, at, &chain),
                 ATTEST_OK, "%s", attest_error_last());
    char cn[96] = "";
    if (chain)
        attest_cert_cn(sk_X509_value(chain, 4), cn, sizeof cn);
    cr_expect_str_eq(cn, "NVIDIA Device Identity CA");
    sk_X509_pop_free(chain, X509_free);
    chain = NULL;
    replace_anchors(v, ATTEST_VENDOR_NVIDIA_DEVICE);
    cr_expect_eq(nv_chain_verify(NULL, "gpu0.chain", v, ATTEST_VENDOR_NVIDIA_DEVICE,
                                 sk_X509_value(sk, 0), sk, 5, at, &chain),
                 ATTEST_E_COLLATERAL_MISSING, "the built-in root serves only while anchored");
    sk_X509_pop_free(chain, X509_free);
    attest_verifier_free(v);
    sk_X509_pop_free(sk, X509_free);
}

Test(builtin_roots, intel_pck_chain_without_its_root)
{
    X509 *pck = der_file("tdx/certs/pck_leaf_sgx_00606A000000_automata.der");
    X509 *ca = der_file("tdx/certs/pck_platform_ca.der");
    STACK_OF(X509) *given = sk_X509_new_null();
    sk_X509_push(given, pck);
    sk_X509_push(given, ca);
    attest_verifier *v = NULL;
    STACK_OF(X509) *chain = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_expect_eq(attest_x509_verify_pinned(NULL, "dcap.pck_chain", v, ATTEST_VENDOR_INTEL, pck,
                                           given, 0, false, &chain),
                 ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(chain ? sk_X509_num(chain) : 0, 3, "PCK, Platform CA, built-in root");
    sk_X509_pop_free(chain, X509_free);
    chain = NULL;
    replace_anchors(v, ATTEST_VENDOR_INTEL);
    cr_expect_eq(attest_x509_verify_pinned(NULL, "dcap.pck_chain", v, ATTEST_VENDOR_INTEL, pck,
                                           given, 0, false, &chain),
                 ATTEST_E_COLLATERAL_MISSING);
    sk_X509_pop_free(chain, X509_free);
    attest_verifier_free(v);
    sk_X509_pop_free(given, X509_free);
}
