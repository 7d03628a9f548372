/* The pinned AMD roots: the built-in fingerprints are those of the ARKs
 * AMD publishes (certs/README.md), and the caller can replace them. */
#include "testutil.h"
#include "base/anchors.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static void spki_of(const char *path, uint8_t out[32])
{
    size_t len = 0;
    uint8_t *der = tu_read(path, &len);
    cr_assert(der, "%s", path);
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    cr_assert(cert);
    unsigned char *spki = NULL;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
    cr_assert(n > 0);
    EVP_Digest(spki, (size_t)n, out, NULL, EVP_sha256(), NULL);
    OPENSSL_free(spki);
    X509_free(cert);
    free(der);
}

Test(anchors, builtin_pins_match_published_arks)
{
    static const char *const files[] = {"snp/roots/ark_milan.der", "snp/roots/ark_genoa.der",
                                        "snp/roots/ark_turin.der"};
    static const char *const products[] = {"Milan", "Genoa", "Turin"};
    size_t count;
    const attest_anchor *builtin = attest_builtin_anchors(&count);
    cr_assert_eq(count, 7);
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        uint8_t h[32];
        spki_of(tu_shared(path, sizeof path, files[i]), h);
        cr_expect_arr_eq(builtin[i].spki_sha256, h, 32, "%s", files[i]);
        cr_expect_str_eq(builtin[i].product, products[i]);
    }
    char path[512];
    uint8_t h[32];
    spki_of(tu_shared(path, sizeof path, "tdx/certs/sgx_root_ca.der"), h);
    cr_expect_eq(builtin[3].vendor, ATTEST_VENDOR_INTEL);
    cr_expect_arr_eq(builtin[3].spki_sha256, h, 32, "Intel SGX Root CA");
    static const char *const nv[] = {"nvidia/roots/nvidia_device_identity_ca.pem",
                                     "nvidia/roots/nvidia_corim_signing_root_ca.pem",
                                     "azure/roots/azure-virtual-tpm-root-2023.pem"};
    static const attest_vendor pem_vendor[] = {ATTEST_VENDOR_NVIDIA_DEVICE, ATTEST_VENDOR_NVIDIA_RIM,
                                               ATTEST_VENDOR_AZURE_VTPM};
    for (int i = 0; i < 3; i++) {
        size_t len = 0;
        uint8_t *pem = tu_read(tu_shared(path, sizeof path, nv[i]), &len);
        BIO *bio = BIO_new_mem_buf(pem, (int)len);
        X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        cr_assert(cert);
        unsigned char *spki = NULL;
        int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
        EVP_Digest(spki, (size_t)n, h, NULL, EVP_sha256(), NULL);
        cr_expect_arr_eq(builtin[4 + i].spki_sha256, h, 32, "%s", nv[i]);
        cr_expect_eq(builtin[4 + i].vendor, pem_vendor[i]);
        OPENSSL_free(spki);
        X509_free(cert);
        BIO_free(bio);
        free(pem);
    }
}

/* certs/README.md lists the same fingerprints as the code. */
Test(anchors, readme_lists_the_pins)
{
    size_t count, len = 0;
    const attest_anchor *builtin = attest_builtin_anchors(&count);
    uint8_t *readme = tu_read("certs/README.md", &len);
    cr_assert(readme, "certs/README.md missing (run from the repository root)");
    char *text = calloc(1, len + 1);
    memcpy(text, readme, len);
    for (size_t i = 0; i < count; i++) {
        char hex[65];
        for (int j = 0; j < 32; j++)
            sprintf(hex + 2 * j, "%02x", builtin[i].spki_sha256[j]);
        cr_expect(strstr(text, hex), "certs/README.md lacks %s (%s)", hex, builtin[i].product);
    }
    free(text);
    free(readme);
}

static int verify_s02(attest_verifier *v)
{
    char p[512];
    size_t len = 0;
    uint8_t *d = tu_read(tu_shared(p, sizeof p, "snp/sets/S02_milan_v2_virtee/report.bin"), &len);
    attest_evidence *ev = NULL;
    attest_collateral *c = NULL;
    attest_result *r = NULL;
    attest_policy *pol = tu_policy(POLICY_AUTHENTICITY);
    cr_assert_eq(attest_evidence_parse(&ev, d, len), ATTEST_OK);
    attest_collateral_new(&c);
    tu_add_file(c, tu_shared(p, sizeof p, "snp/sets/S02_milan_v2_virtee/vcek.der"));
    tu_add_file(c, tu_shared(p, sizeof p, "snp/roots/kds_vcek_cert_chain_milan.pem"));
    attest_verifier_set_time(v, tu_time("2024-01-01T00:00:00Z"));
    int status = attest_verify(&r, v, ev, c, pol, NULL, 0);
    attest_result_free(r);
    attest_policy_free(pol);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    free(d);
    return status;
}

Test(anchors, caller_can_replace_the_pins)
{
    attest_verifier *v = NULL;
    attest_verifier_new(&v);
    cr_expect_eq(verify_s02(v), ATTEST_OK);
    cr_expect_eq(attest_verifier_cache_size(v), 1);
    attest_verifier_clear_anchors(v, ATTEST_VENDOR_AMD);
    cr_expect_eq(attest_verifier_cache_size(v), 0, "trust change empties the cache");
    cr_expect_eq(verify_s02(v), ATTEST_E_CERT_UNTRUSTED_ROOT);
    char p[512];
    uint8_t h[32];
    spki_of(tu_shared(p, sizeof p, "snp/roots/ark_milan.der"), h);
    attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, h);
    cr_expect_eq(verify_s02(v), ATTEST_OK);
    attest_verifier_free(v);
}
