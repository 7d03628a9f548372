/* The built-in vendor certificates are those certs/builtin.tsv lists, read
 * at build time from the vectors directory (no copy in the repository) and
 * each with the SHA-256 the manifest gives; each is attached to the
 * built-in anchor its chain ends at. */
#include "testutil.h"
#include "base/builtin_certs.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

typedef struct manifest_entry {
    char name[64], rel[160], sha256[65];
} manifest_entry;

/* certs/builtin.tsv, comments skipped. */
static size_t read_manifest(manifest_entry *out, size_t max)
{
    FILE *f = fopen("certs/builtin.tsv", "r");
    cr_assert(f, "certs/builtin.tsv missing (run from the repository root)");
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        if (line[0] != '#' && line[0] != '\n') {
            cr_assert(n < max);
            cr_assert_eq(sscanf(line, "%63[^\t]\t%159[^\t]\t%64s", out[n].name, out[n].rel,
                                out[n].sha256), 3, "certs/builtin.tsv: %s", line);
            n++;
        }
    fclose(f);
    return n;
}

static void der_sha256_hex(X509 *cert, char out[65])
{
    unsigned char *der = NULL, md[32];
    int len = i2d_X509(cert, &der);
    cr_assert(len > 0);
    EVP_Digest(der, (size_t)len, md, NULL, EVP_sha256(), NULL);
    OPENSSL_free(der);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

Test(builtin_certs, equal_the_manifest)
{
    manifest_entry m[32];
    size_t listed = read_manifest(m, 32), n;
    char path[512];
    cr_expect_eq(listed, 13, "ARK, ASK, ASVK x 3 products, SGX root, 2 NVIDIA roots, Azure "
                             "vTPM root");
    for (size_t i = 0; i < listed; i++)
        tu_shared(path, sizeof path, m[i].rel); /* skips when the vectors are absent */
    const attest_builtin_cert *all = attest_builtin_certs(&n);
    cr_assert_eq(n, listed, "every certificate of certs/builtin.tsv is built in and chains "
                            "to a built-in anchor");
    for (size_t i = 0; i < n; i++) {
        char got[65];
        size_t k = 0;
        while (k < listed && strcmp(m[k].name, all[i].name))
            k++;
        cr_assert(k < listed, "built-in %s is not in certs/builtin.tsv", all[i].name);
        der_sha256_hex(all[i].cert, got);
        cr_expect_str_eq(got, m[k].sha256, "built-in %s", all[i].name);
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
