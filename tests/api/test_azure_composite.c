/* Composite appraisal with an Azure CPU (research/azure.md section 8, the
 * NCC H100 v5 shape), end to end with attest-mock azure and attest-mock
 * nvidia: "cpu_report_data" binds the GPUs through the HCL runtime claims'
 * user-data = SHA-512(nonce || GPU request nonces); "same_nonce" means the
 * vTPM quote's extraData and every GPU's request nonce are the caller's
 * nonce (AS09's real shape: its q1 extraData is the GPU nonce of
 * nvidia/hopper/setD_h100_595.71.05_azure_complete). */
#include "testutil.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <unistd.h>

#define AT_NV 1748779200 /* 2025-06-01T12:00:00Z: valid for every test PKI */
#define N_HEX "4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e01"
#define G_HEX "4747474747474747474747474747474747474747474747474747474747474702"
#define OTHER_HEX "0000000000000000000000000000000000000000000000000000000000000003"
#define POLICY(binding)                                                                   \
    "{\"snp\":{},\"azure\":{},\"nvidia\":{\"allow_stored_ocsp\":true},"                    \
    "\"composite\":{\"gpu_binding\":\"" binding "\"}}"

static char tmp[64];

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/attest-azcomp-XXXXXX");
    cr_assert(mkdtemp(tmp));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    cr_assert_eq(system(cmd), 0);
}

/* attest-mock with the arguments (a printf format), run in $ATTEST_TEST_PKI. */
static void mock(const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *m = getenv("ATTEST_MOCK"), *pki = getenv("ATTEST_TEST_PKI");
    cr_assert(m && pki, "ATTEST_MOCK and ATTEST_TEST_PKI must be set");
    snprintf(cmd, sizeof cmd, "cd %s && %s %s >/dev/null", pki, m, args);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/* SHA-512(N || G) in hex: the user-data that binds GPU nonce G. */
static void binding_hex(const char *nonce_hex, const char *gpu_hex, char out[129])
{
    uint8_t n[32], g[32], md[64];
    unhex(nonce_hex, n, 32);
    unhex(gpu_hex, g, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    cr_assert(ctx && EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) == 1 &&
              EVP_DigestUpdate(ctx, n, 32) == 1 && EVP_DigestUpdate(ctx, g, 32) == 1 &&
              EVP_DigestFinal_ex(ctx, md, NULL) == 1);
    EVP_MD_CTX_free(ctx);
    for (size_t i = 0; i < 64; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static uint8_t *read_any(const char *path_or_rel, size_t *len)
{
    char path[512];
    const char *p = path_or_rel[0] == '/' ? path_or_rel : tu_pki(path, sizeof path, path_or_rel);
    uint8_t *d = tu_read(p, len);
    cr_assert(d, "cannot read %s", p);
    return d;
}

/* The machine: an Azure SNP CVM whose claims carry `user_data_hex` (NULL:
 * none), a vTPM quote over `quote_nonce_hex`, one H100 answering
 * `gpu_nonce_hex`, and all collateral, as one bundle. */
static char *azure_machine(const char *user_data_hex, const char *quote_nonce_hex,
                           const char *gpu_nonce_hex)
{
    char p[6][160];
    const char *names[] = {"claims.json", "hcl.bin", "q.msg", "q.sig", "q.pcrs", "gpu.bin"};
    for (int i = 0; i < 6; i++)
        snprintf(p[i], sizeof p[i], "%s/%s", tmp, names[i]);
    mock("azure claims --pki azure %s%s -o %s", user_data_hex ? "--user-data " : "--no-user-data",
         user_data_hex ? user_data_hex : "", p[0]);
    mock("azure hcl --claims %s --snp-pki genoa -o %s", p[0], p[1]);
    mock("azure quote --pki azure --nonce %s -o %s --sig-out %s --pcrs-out %s", quote_nonce_hex,
         p[2], p[3], p[4]);
    mock("nvidia report --pki nvidia --nonce %s -o %s", gpu_nonce_hex, p[5]);
    const char *files[] = {p[1], p[5], "genoa/vcek.pem", "genoa/chain.pem", "genoa/crl.der",
                           "nvidia/device_cert_chain.pem", "nvidia/driver_rim.xml",
                           "nvidia/vbios_rim.xml", "nvidia/ocsp/device_cert1.der",
                           "nvidia/ocsp/device_cert2.der", "nvidia/ocsp/device_cert3.der",
                           "nvidia/ocsp/rim_cert0.der", "nvidia/ocsp/rim_cert1.der",
                           "nvidia/ocsp/rim_cert2.der"};
    enum { N_FILES = sizeof files / sizeof files[0] };
    const uint8_t *items[N_FILES], *parts[3];
    size_t lens[N_FILES], part_lens[3];
    const attest_part_kind kinds[] = {ATTEST_PART_TPM_QUOTE, ATTEST_PART_TPM_SIGNATURE,
                                      ATTEST_PART_TPM_PCRS};
    for (size_t i = 0; i < N_FILES; i++)
        items[i] = read_any(files[i], &lens[i]);
    for (size_t i = 0; i < 3; i++)
        parts[i] = read_any(p[2 + i], &part_lens[i]);
    uint8_t nonce[32];
    unhex(N_HEX, nonce, 32);
    char *json = NULL;
    int st = attest_bundle_create_with_parts(&json, items, lens, N_FILES, nonce, 32, kinds,
                                             parts, part_lens, 3);
    cr_assert_eq(st, ATTEST_OK, "%s", attest_error_last());
    for (size_t i = 0; i < N_FILES; i++)
        free((void *)items[i]);
    for (size_t i = 0; i < 3; i++)
        free((void *)parts[i]);
    return json;
}

static void pin(attest_verifier *v, attest_vendor vendor, const char *rel)
{
    size_t n;
    uint8_t *hex = read_any(rel, &n), a[32];
    cr_assert(n >= 64);
    unhex((const char *)hex, a, 32);
    free(hex);
    cr_assert_eq(attest_verifier_clear_anchors(v, vendor), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, vendor, a), ATTEST_OK);
}

static attest_result *verify_machine(const char *bundle, const char *policy)
{
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, (const uint8_t *)bundle, strlen(bundle)), ATTEST_OK,
                 "%s", attest_error_last());
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_verifier_set_time(v, AT_NV), ATTEST_OK);
    pin(v, ATTEST_VENDOR_AMD, "genoa/anchor.sha256");
    pin(v, ATTEST_VENDOR_AZURE_VTPM, "azure/anchor.sha256");
    pin(v, ATTEST_VENDOR_NVIDIA_DEVICE, "nvidia/device_anchor.sha256");
    pin(v, ATTEST_VENDOR_NVIDIA_RIM, "nvidia/rim_anchor.sha256");
    attest_policy *p = tu_policy(policy);
    uint8_t nonce[32];
    unhex(N_HEX, nonce, 32);
    attest_result *r = NULL;
    attest_verify(&r, v, ev, NULL, p, nonce, 32);
    cr_assert(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_evidence_free(ev);
    return r;
}

static int check_of(const attest_result *r, const char *name, const char **detail)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name)) {
            *detail = attest_result_check_detail(r, i);
            return (int)attest_result_check_outcome(r, i);
        }
    *detail = "";
    return -1;
}

static const char *result_str(const attest_result *r, const char *cpu_member)
{
    static char buf[256];
    json_t *doc = tu_result_json(r);
    json_t *v = cpu_member ? json_object_get(json_object_get(json_object_get(doc, "claims"),
                                                             "cpu0"), cpu_member)
                           : json_object_get(doc, "gpu_binding");
    snprintf(buf, sizeof buf, "%s", json_string_value(v) ? json_string_value(v) : "(none)");
    json_decref(doc);
    return buf;
}

TestSuite(azure_composite, .init = setup, .fini = teardown);

/* cpu_report_data: the claims' user-data binds the caller's nonce and the
 * GPU's request nonce; the vTPM quote answers the caller's nonce. */
Test(azure_composite, gpus_bound_through_user_data)
{
    char ud[129];
    const char *detail;
    binding_hex(N_HEX, G_HEX, ud);
    char *bundle = azure_machine(ud, N_HEX, G_HEX);
    attest_result *r = verify_machine(bundle, POLICY("cpu_report_data"));
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    cr_expect_eq(check_of(r, "composite.binding", &detail), ATTEST_CHECK_PASS);
    cr_expect(strstr(detail, "through the HCL runtime claims' user-data"), "%s", detail);
    cr_expect_eq(check_of(r, "azure.tpm.nonce", &detail), ATTEST_CHECK_PASS);
    cr_expect_str_eq(result_str(r, NULL), "cpu_report_data");
    cr_expect(strstr(result_str(r, "gpu_binding_through"), "user-data"));
    attest_result_free(r);
    free(bundle);
}

/* user-data that binds another GPU nonce does not bind this GPU. */
Test(azure_composite, user_data_not_binding_rejected)
{
    char ud[129];
    const char *detail;
    binding_hex(N_HEX, OTHER_HEX, ud);
    char *bundle = azure_machine(ud, N_HEX, G_HEX);
    attest_result *r = verify_machine(bundle, POLICY("cpu_report_data"));
    cr_expect_eq(attest_result_status(r), ATTEST_E_COMPOSITE_BINDING, "%s",
                 attest_result_reason(r));
    cr_expect_eq(check_of(r, "composite.binding", &detail), ATTEST_CHECK_FAIL);
    cr_expect(strstr(detail, "user-data"), "%s", detail);
    attest_result_free(r);
    free(bundle);
    /* No user-data at all binds nothing either. */
    bundle = azure_machine(NULL, N_HEX, G_HEX);
    r = verify_machine(bundle, POLICY("cpu_report_data"));
    cr_expect_eq(attest_result_status(r), ATTEST_E_COMPOSITE_BINDING, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
    free(bundle);
}

/* same_nonce: the vTPM quote and the GPU answer the caller's nonce; the
 * result says it shows freshness only. */
Test(azure_composite, same_nonce_in_quote_and_gpu)
{
    const char *detail;
    char *bundle = azure_machine(NULL, N_HEX, N_HEX);
    attest_result *r = verify_machine(bundle, POLICY("same_nonce"));
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    cr_expect_eq(check_of(r, "azure.tpm.nonce", &detail), ATTEST_CHECK_PASS);
    cr_expect_eq(check_of(r, "composite.binding", &detail), ATTEST_CHECK_SKIPPED);
    cr_expect(strstr(detail, "vTPM quote's extraData"), "%s", detail);
    cr_expect_str_eq(result_str(r, NULL), "same_nonce_freshness_only");
    attest_result_free(r);
    free(bundle);
}

/* same_nonce: a GPU answering another nonce, or a quote over another
 * nonce, is refused. */
Test(azure_composite, same_nonce_differing_rejected)
{
    char *bundle = azure_machine(NULL, N_HEX, G_HEX);
    attest_result *r = verify_machine(bundle, POLICY("same_nonce"));
    cr_expect_neq(attest_result_status(r), ATTEST_OK, "GPU nonce differs");
    attest_result_free(r);
    free(bundle);
    bundle = azure_machine(NULL, G_HEX, N_HEX);
    r = verify_machine(bundle, POLICY("same_nonce"));
    cr_expect_eq(attest_result_status(r), ATTEST_E_TPM_NONCE, "%s", attest_result_reason(r));
    attest_result_free(r);
    free(bundle);
}
