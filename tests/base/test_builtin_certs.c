/* The built-in vendor certificates equal the PEM files of certs/, one for one, and
 * each is attached to the built-in anchor its chain ends at. */
#include "testutil.h"
#include "base/builtin_certs.h"

#include <dirent.h>
#include <openssl/pem.h>

/* The DER of the single certificate of certs/<name>.pem. */
static int pem_der(const char *name, unsigned char **der)
{
    char path[256];
    snprintf(path, sizeof path, "certs/%s.pem", name);
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s missing (run from the repository root)", path);
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    cr_assert(cert, "%s: no certificate", path);
    int n = i2d_X509(cert, der);
    X509_free(cert);
    return n;
}

static size_t pem_files_in_certs(void)
{
    DIR *d = opendir("certs");
    cr_assert(d, "certs/ missing (run from the repository root)");
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        n += len > 4 && !strcmp(e->d_name + len - 4, ".pem");
    }
    closedir(d);
    return n;
}

Test(builtin_certs, equal_the_pem_files_of_certs)
{
    size_t n;
    const attest_builtin_cert *all = attest_builtin_certs(&n);
    cr_assert_eq(n, pem_files_in_certs(), "every certs/*.pem is built in and chains to a "
                                          "built-in anchor");
    cr_expect_eq(n, 13, "ARK, ASK, ASVK x 3 products, SGX root, 2 NVIDIA roots, Azure vTPM "
                        "root");
    for (size_t i = 0; i < n; i++) {
        unsigned char *want = NULL, *got = NULL;
        int wlen = pem_der(all[i].name, &want), glen = i2d_X509(all[i].cert, &got);
        cr_expect(wlen > 0 && wlen == glen && !memcmp(want, got, (size_t)wlen),
                  "built-in %s differs from certs/%s.pem", all[i].name, all[i].name);
        OPENSSL_free(want);
        OPENSSL_free(got);
    }
}

Test(builtin_certs, each_names_its_vendor_and_root)
{
    static const struct {
        const char *prefix;
        attest_vendor vendor;
    } kinds[] = {{"amd_", ATTEST_VENDOR_AMD},
                 {"intel_", ATTEST_VENDOR_INTEL},
                 {"nvidia_device", ATTEST_VENDOR_NVIDIA_DEVICE},
                 {"nvidia_corim", ATTEST_VENDOR_NVIDIA_RIM},
                 {"azure_", ATTEST_VENDOR_AZURE_VTPM}};
    size_t n, roots = 0;
    const attest_builtin_cert *all = attest_builtin_certs(&n);
    for (size_t i = 0; i < n; i++) {
        bool matched = false;
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            if (!strncmp(all[i].name, kinds[k].prefix, strlen(kinds[k].prefix))) {
                cr_expect_eq(all[i].vendor, kinds[k].vendor, "%s", all[i].name);
                matched = true;
            }
        cr_expect(matched, "%s: no vendor prefix", all[i].name);
        bool ask = strstr(all[i].name, "_ask_") || strstr(all[i].name, "_asvk_");
        cr_expect_eq(all[i].is_root, !ask, "%s", all[i].name);
        roots += all[i].is_root;
        /* an ASK/ASVK names its product's ARK key as its root */
        for (size_t j = 0; ask && j < n; j++) {
            const char *product = strrchr(all[i].name, '_');
            if (all[j].is_root && strstr(all[j].name, "_ark_") &&
                !strcmp(strrchr(all[j].name, '_'), product))
                cr_expect_arr_eq(all[i].root_spki_sha256, all[j].root_spki_sha256, 32, "%s",
                                 all[i].name);
        }
    }
    cr_expect_eq(roots, 7);
}

/* Only the built-in certificates whose root key is still an anchor are
 * offered to the chain builder. */
Test(builtin_certs, offered_only_while_their_root_is_anchored)
{
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    STACK_OF(X509) *sk = sk_X509_new_null();
    cr_assert_eq(attest_builtin_certs_push(v, ATTEST_VENDOR_AMD, false, sk), 0);
    cr_expect_eq(sk_X509_num(sk), 6, "3 ASK + 3 ASVK");
    cr_assert_eq(attest_builtin_certs_push(v, ATTEST_VENDOR_AMD, true, sk), 0);
    cr_expect_eq(sk_X509_num(sk), 9, "and 3 ARKs");
    sk_X509_pop_free(sk, X509_free);
    attest_verifier_clear_anchors(v, ATTEST_VENDOR_AMD);
    uint8_t other[32] = {1};
    attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, other);
    sk = sk_X509_new_null();
    cr_assert_eq(attest_builtin_certs_push(v, ATTEST_VENDOR_AMD, false, sk), 0);
    cr_assert_eq(attest_builtin_certs_push(v, ATTEST_VENDOR_AMD, true, sk), 0);
    cr_expect_eq(sk_X509_num(sk), 0, "no AMD anchor of theirs left: none offered");
    cr_assert_eq(attest_builtin_certs_push(v, ATTEST_VENDOR_INTEL, true, sk), 0);
    cr_expect_eq(sk_X509_num(sk), 1, "the Intel root is still anchored");
    sk_X509_pop_free(sk, X509_free);
    attest_verifier_free(v);
}
