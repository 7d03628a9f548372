/* attest_collateral_needs and attest_fetch_collateral on Azure evidence:
 * what its SNP report or TD quote needs, exactly as for the bare report
 * or quote, fetched from the loopback test server (never the internet). */
#include "loopback.h"

#include <jansson.h>
#include <openssl/pem.h>

#define AT_2025 "2025-06-15T00:00:00Z"

static attest_evidence *mock_hcl(void)
{
    char path[512];
    size_t len;
    uint8_t *hcl = tu_read(tu_pki(path, sizeof path, "azure/snp/hcl_report.bin"), &len);
    cr_assert(hcl, "cannot read %s", path);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, hcl, len), ATTEST_OK, "%s", attest_error_last());
    free(hcl);
    return ev;
}

static long find_kind(const attest_needs *n, attest_need_kind kind)
{
    for (size_t i = 0; i < attest_needs_count(n); i++)
        if (attest_needs_kind(n, i) == kind)
            return (long)i;
    return -1;
}

/* The SNP report inside an HCL report (genoa test PKI) needs its VCEK and
 * the Genoa CRL, named by their KDS URLs, as the bare report does. */
Test(azure_needs, snp_hcl_lists_vcek_and_crl)
{
    attest_evidence *ev = mock_hcl();
    attest_needs *n = NULL;
    cr_assert_eq(attest_collateral_needs(&n, ev, NULL), ATTEST_OK, "%s", attest_error_last());
    long v = find_kind(n, ATTEST_NEED_AMD_VCEK), c = find_kind(n, ATTEST_NEED_AMD_CRL);
    cr_assert(v >= 0 && c >= 0, "VCEK and CRL listed");
    cr_expect(strstr(attest_needs_url(n, (size_t)v), "/vcek/v1/Genoa/"), "%s",
              attest_needs_url(n, (size_t)v));
    cr_expect(strstr(attest_needs_url(n, (size_t)c), "/vcek/v1/Genoa/crl"), "%s",
              attest_needs_url(n, (size_t)c));
    attest_needs_free(n);
    attest_evidence_free(ev);
}

/* A path's file served as the KDS would: DER. */
static void der_file(const char *pem_rel, const char *out)
{
    char path[512];
    FILE *f = fopen(tu_pki(path, sizeof path, pem_rel), "r");
    cr_assert(f, "%s", path);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    cr_assert(x);
    f = fopen(out, "wb");
    cr_assert(f && i2d_X509_fp(f, x) == 1);
    fclose(f);
    X509_free(x);
}

static void path_of(char *out, size_t n, const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    snprintf(out, n, "%.*s", p ? (int)strcspn(p, "?") : 0, p ? p : "");
}

/* verify --online on Azure evidence: the VCEK and CRL its SNP report
 * needs are fetched from the (loopback) KDS and the evidence verifies. */
Test(azure_needs, fetch_then_verify)
{
    need_python();
    attest_evidence *ev = mock_hcl();
    attest_needs *n = NULL;
    cr_assert_eq(attest_collateral_needs(&n, ev, NULL), ATTEST_OK);
    test_server s;
    char vcek_der[128], crl[512], vpath[512], cpath[512];
    cr_assert_eq(system("mkdir -p /tmp/attest-azneeds"), 0);
    snprintf(vcek_der, sizeof vcek_der, "/tmp/attest-azneeds/vcek.der");
    der_file("genoa/vcek.pem", vcek_der);
    path_of(vpath, sizeof vpath, attest_needs_url(n, (size_t)find_kind(n, ATTEST_NEED_AMD_VCEK)));
    path_of(cpath, sizeof cpath, attest_needs_url(n, (size_t)find_kind(n, ATTEST_NEED_AMD_CRL)));
    json_t *routes = json_pack("{s:{s:s}, s:{s:s}}", vpath, "body_file", vcek_der, cpath,
                               "body_file", tu_pki(crl, sizeof crl, "genoa/crl.der"));
    char *text = json_dumps(routes, 0);
    json_decref(routes);
    attest_needs_free(n);
    server_start(&s, text, false);
    free(text);
    attest_fetcher *f = NULL;
    char base[64];
    url_of(base, sizeof base, &s, "");
    cr_assert_eq(attest_fetcher_new(&f), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_AMD_KDS, base), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_time(f, tu_time(AT_2025)), ATTEST_OK);
    attest_collateral *coll = NULL;
    attest_needs *missing = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    /* The test PKI's ASK and ARK (the real ones are built in). */
    tu_add_file(coll, tu_pki(crl, sizeof crl, "genoa/chain.pem"));
    cr_assert_eq(attest_fetch_collateral(f, ev, coll, &missing), ATTEST_OK, "%s",
                 attest_error_last());
    server_stop(&s);
    cr_expect_eq(find_kind(missing, ATTEST_NEED_AMD_VCEK), -1, "VCEK still missing");
    cr_expect_eq(find_kind(missing, ATTEST_NEED_AMD_CRL), -1, "CRL still missing");
    /* The fetched items are judged as files: the chain to the test root. */
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(AT_2025));
    uint8_t a[32];
    char pin[512];
    size_t hl;
    uint8_t *hex = tu_read(tu_pki(pin, sizeof pin, "genoa/anchor.sha256"), &hl);
    for (size_t i = 0; hex && i < 32; i++)
        sscanf((const char *)hex + 2 * i, "%2hhx", &a[i]);
    free(hex);
    cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_AMD), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, a), ATTEST_OK);
    attest_policy *p = tu_policy("{\"snp\":{},\"azure\":{\"require_tpm_quote\":false}}");
    attest_result *r = NULL;
    attest_verify(&r, v, ev, coll, p, NULL, 0);
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    attest_result_free(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_needs_free(missing);
    attest_collateral_free(coll);
    attest_fetcher_free(f);
    attest_evidence_free(ev);
    cr_assert_eq(system("rm -rf /tmp/attest-azneeds"), 0);
}

/* A Trustee container's VCEK counts as held: only the CRL is listed. */
Test(azure_needs, carried_vcek_is_held)
{
    char path[512];
    size_t len;
    uint8_t *data = tu_read(tu_shared(path, sizeof path,
                                      "azure/snp/AS03_trustee_milan_v3_evidence_v1/evidence-v1.json"),
                            &len);
    cr_assert(data);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, data, len), ATTEST_OK, "%s", attest_error_last());
    free(data);
    attest_needs *n = NULL;
    cr_assert_eq(attest_collateral_needs(&n, ev, NULL), ATTEST_OK);
    cr_expect_eq(find_kind(n, ATTEST_NEED_AMD_VCEK), -1, "the carried VCEK is listed");
    cr_expect_geq(find_kind(n, ATTEST_NEED_AMD_CRL), 0, "the CRL is not listed");
    attest_needs_free(n);
    attest_evidence_free(ev);
}
