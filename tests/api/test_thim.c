/* Azure THIM JSON as collateral and as an online service (issue 11): the
 * real Confidential ACI set (shared/vectors/azure/thim, MANIFEST "THIM-ACI":
 * VALID), strict parsing (tcbm, members, duplicates), the bindings that
 * keep a THIM answer from making a report pass (chip ID, pinned ARK), and
 * the fetcher against tests/http_server.py on 127.0.0.1 (never Azure). */
#include "testutil.h"
#include "loopback.h"
#include "snpgen.h"

#include <jansson.h>

#define ACI_REPORT "azure/thim/aci_report.bin"
#define ACI_THIM "azure/thim/aci_thim.json"
#define ACI_THIM_B64 "azure/thim/aci_host-amd-cert.b64"
#define ACI_TCBM "DB18000000000004"
/* Inside the ACI VCEK's validity (2025-01-28 .. 2032-01-28). */
#define ACI_AT "2025-06-01T00:00:00Z"
#define THIM_PATH "/metadata/THIM/amd/certification"

typedef struct bytes {
    uint8_t *data;
    size_t len;
} bytes;

static bytes read_shared(const char *rel)
{
    char path[512];
    bytes b;
    b.data = tu_read(tu_shared(path, sizeof path, rel), &b.len);
    cr_assert(b.data, "cannot read %s", path);
    return b;
}

static json_t *aci_thim_json(void)
{
    bytes b = read_shared(ACI_THIM);
    json_error_t err;
    json_t *doc = json_loadb((const char *)b.data, b.len, 0, &err);
    cr_assert(doc, "%s", err.text);
    free(b.data);
    return doc;
}

/* attest_collateral_add of the JSON text of `doc` (consumed) into a new
 * collateral (*out, may be NULL: freed); returns its status and keeps the
 * error in `why`. */
static int add_doc(json_t *doc, attest_collateral **out, char *why, size_t n)
{
    char *text = json_dumps(doc, JSON_PRESERVE_ORDER);
    json_decref(doc);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    int status = attest_collateral_add(c, (const uint8_t *)text, strlen(text));
    snprintf(why, n, "%s", status == ATTEST_OK ? "" : attest_error_last());
    free(text);
    if (out)
        *out = c;
    else
        attest_collateral_free(c);
    return status;
}

/* Verify `report` with `coll` at `at` under the authenticity policy, the
 * Milan test PKI's root trusted too when `mock_anchor`. */
static int verify_with(const bytes *report, attest_collateral *coll, const char *at,
                       bool mock_anchor, char *reason, size_t n)
{
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, report->data, report->len), ATTEST_OK, "%s",
                 attest_error_last());
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(at));
    if (mock_anchor) {
        char path[512], *hex;
        size_t len;
        uint8_t pin[32];
        cr_assert((hex = (char *)tu_read(tu_pki(path, sizeof path, "milan/anchor.sha256"), &len)));
        for (int i = 0; i < 32; i++)
            cr_assert_eq(sscanf(hex + 2 * i, "%2hhx", &pin[i]), 1);
        free(hex);
        cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, pin), ATTEST_OK);
    }
    attest_policy *p = tu_policy(POLICY_AUTHENTICITY);
    attest_result *r = NULL;
    int status = attest_verify(&r, v, ev, coll, p, NULL, 0);
    snprintf(reason, n, "%s", r ? attest_result_reason(r) : attest_error_last());
    attest_result_free(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_evidence_free(ev);
    return status;
}

/* The real ACI report with the THIM item `rel` (JSON or base64) verifies
 * as the MANIFEST says: VALID, from the THIM item alone. */
static void aci_set_verifies(const char *rel)
{
    bytes report = read_shared(ACI_REPORT), thim = read_shared(rel);
    attest_item_kind kind;
    cr_assert_eq(attest_classify(&kind, thim.data, thim.len), ATTEST_OK);
    cr_assert_eq(kind, ATTEST_ITEM_THIM, "%s classified as %s", rel, attest_item_kind_name(kind));
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    cr_assert_eq(attest_collateral_add(c, thim.data, thim.len), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert_eq(attest_collateral_cert_count(c), 3, "VCEK, ASK and ARK");
    char reason[512];
    int status = verify_with(&report, c, ACI_AT, false, reason, sizeof reason);
    cr_expect_eq(status, ATTEST_OK, "%s", reason);
    attest_collateral_free(c);
    free(report.data);
    free(thim.data);
}

Test(api_thim, real_aci_report_verifies_with_the_thim_json)
{
    aci_set_verifies(ACI_THIM);
}

Test(api_thim, real_aci_report_verifies_with_the_base64_host_amd_cert)
{
    aci_set_verifies(ACI_THIM_B64);
}

Test(api_thim, the_genoa_thim_json_of_an_ncc_h100_vm_is_accepted)
{
    /* AS09: members in sorted order, tcbm 581B00000000000A, cacheControl
     * 3153600: the same item from another VM family. */
    bytes b = read_shared("azure/snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/thim-certification.json");
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    cr_expect_eq(attest_collateral_add(c, b.data, b.len), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(attest_collateral_cert_count(c), 3);
    attest_collateral_free(c);
    free(b.data);
}

Test(api_thim, tcbm_disagreeing_with_the_vcek_is_refused_naming_tcbm)
{
    json_t *doc = aci_thim_json();
    json_object_set_new(doc, "tcbm", json_string("DB18000000000005")); /* bl 5, VCEK says 4 */
    attest_collateral *c = NULL;
    char why[512];
    cr_assert_eq(add_doc(doc, &c, why, sizeof why), ATTEST_E_COLLATERAL_MISMATCH, "%s", why);
    cr_expect(strstr(why, "thim.tcbm"), "%s", why);
    cr_expect_eq(attest_collateral_cert_count(c), 0, "nothing added from a refused item");
    attest_collateral_free(c);
}

Test(api_thim, tcbm_not_sixteen_upper_case_hex_digits_is_refused)
{
    static const char *const bad[] = {"db18000000000004", "DB1800000000004", "DB180000000000040",
                                      "0xDB180000000004"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *doc = aci_thim_json();
        json_object_set_new(doc, "tcbm", json_string(bad[i]));
        char why[512];
        cr_expect_eq(add_doc(doc, NULL, why, sizeof why), ATTEST_E_MALFORMED, "%s", bad[i]);
        cr_expect(strstr(why, "thim.tcbm"), "%s", why);
    }
}

Test(api_thim, a_missing_member_is_refused_naming_it)
{
    static const char *const members[] = {"vcekCert", "certificateChain", "tcbm", "cacheControl"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *doc = aci_thim_json();
        cr_assert_eq(json_object_del(doc, members[i]), 0);
        char why[512];
        cr_expect_eq(add_doc(doc, NULL, why, sizeof why), ATTEST_E_MALFORMED, "%s", members[i]);
        cr_expect(strstr(why, members[i]), "'%s' not named in: %s", members[i], why);
    }
}

Test(api_thim, a_duplicate_member_is_refused)
{
    bytes b = read_shared(ACI_THIM);
    /* {"tcbm":"0000000000000000", + the original members: the later tcbm
     * would win in a lax reader. */
    const char prefix[] = "{\"tcbm\":\"0000000000000000\",";
    size_t len = sizeof prefix - 1 + b.len - 1;
    char *text = malloc(len + 1);
    cr_assert(text && b.data[0] == '{');
    memcpy(text, prefix, sizeof prefix - 1);
    memcpy(text + sizeof prefix - 1, b.data + 1, b.len - 1);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    cr_expect_eq(attest_collateral_add(c, (const uint8_t *)text, len), ATTEST_E_MALFORMED);
    cr_expect(strstr(attest_error_last(), "duplicate"), "%s", attest_error_last());
    cr_expect_eq(attest_collateral_cert_count(c), 0);
    attest_collateral_free(c);
    free(text);
    free(b.data);
}

Test(api_thim, an_unknown_member_is_refused_naming_it)
{
    json_t *doc = aci_thim_json();
    json_object_set_new(doc, "vlekCert", json_string(""));
    char why[512];
    cr_expect_eq(add_doc(doc, NULL, why, sizeof why), ATTEST_E_MALFORMED, "%s", why);
    cr_expect(strstr(why, "vlekCert"), "%s", why);
}

Test(api_thim, a_chain_of_ark_then_ask_is_refused)
{
    json_t *doc = aci_thim_json();
    const char *chain = json_string_value(json_object_get(doc, "certificateChain"));
    const char *end = strstr(chain, "-----END CERTIFICATE-----");
    cr_assert(end);
    size_t ask_len = (size_t)(end - chain) + strlen("-----END CERTIFICATE-----");
    char swapped[8192];
    snprintf(swapped, sizeof swapped, "%s\n%.*s\n", chain + ask_len, (int)ask_len, chain);
    json_object_set_new(doc, "certificateChain", json_string(swapped));
    char why[512];
    cr_expect_eq(add_doc(doc, NULL, why, sizeof why), ATTEST_E_CERT_PROFILE, "%s", why);
    cr_expect(strstr(why, "thim.certificateChain"), "%s", why);
}

/* ---- bindings: THIM cannot make a report pass ---------------------------- */

static char *read_pki_text(const char *rel)
{
    char path[512];
    size_t len;
    char *text = (char *)tu_read(tu_pki(path, sizeof path, rel), &len);
    cr_assert(text, "cannot read %s", path);
    char *z = realloc(text, len + 1);
    cr_assert(z);
    z[len] = '\0';
    return z;
}

Test(api_thim, vcek_of_another_chip_is_rejected_by_the_chip_id_binding)
{
    /* The test PKI's VCEK signs a report that names another chip: THIM
     * answering for the wrong chip (its own host, say) does not pass. */
    snpgen_pki *pki = NULL;
    char dir[512];
    uint8_t report[SNPGEN_REPORT_SIZE];
    cr_assert_eq(snpgen_pki_load(&pki, tu_pki(dir, sizeof dir, "milan")), 0, "%s", dir);
    cr_assert_eq(snpgen_report_init(report, pki, 3), 0);
    memset(report + SNPGEN_OFF_CHIP_ID, 0xab, SNPGEN_CHIP_ID_LEN);
    cr_assert_eq(snpgen_report_sign(report, pki->vcek_key), 0);
    char tcbm[17];
    snprintf(tcbm, sizeof tcbm, "%016llX",
             (unsigned long long)snpgen_get_u64(report + SNPGEN_OFF_REPORTED_TCB));
    char *vcek = read_pki_text("milan/vcek.pem"), *chain = read_pki_text("milan/chain.pem");
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "vcekCert", vcek, "certificateChain", chain,
                            "tcbm", tcbm, "cacheControl", "86400");
    attest_collateral *c = NULL;
    char why[512];
    cr_assert_eq(add_doc(doc, &c, why, sizeof why), ATTEST_OK, "%s", why);
    bytes b = {report, sizeof report};
    int status = verify_with(&b, c, "2026-01-01T00:00:00Z", true, why, sizeof why);
    cr_expect_eq(status, ATTEST_E_SNP_CHIP_ID_BINDING, "%s", why);
    cr_expect(strstr(why, "snp.vek.chip_id"), "%s", why);
    attest_collateral_free(c);
    free(vcek);
    free(chain);
    snpgen_pki_free(pki);
}

/* A self-made ARK with the real ARK-Milan's name and key identifier (so
 * that it passes for the ASK's issuer by name), in PEM. */
static char *self_made_ark(void)
{
    if (system("command -v openssl >/dev/null 2>&1") != 0)
        cr_skip_test("openssl command absent: it makes the self-made ARK");
    char dir[] = "/tmp/attest-thim-XXXXXX", cmd[2048], path[64];
    cr_assert(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out ark.pem "
             "-days 3650 -subj '/OU=Engineering/C=US/L=Santa Clara/ST=CA/"
             "O=Advanced Micro Devices/CN=ARK-Milan' "
             "-addext subjectKeyIdentifier=85:AC:1A:D1:43:F7:C8:AC:55:D4:C5:1D:41:48:AB:D5:"
             "78:4A:D4:53 -addext authorityKeyIdentifier=none "
             "-addext keyUsage=critical,keyCertSign,cRLSign "
             "-addext basicConstraints=critical,CA:true > log 2>&1",
             dir);
    cr_assert_eq(system(cmd), 0, "openssl could not make the ARK: see %s/log", dir);
    snprintf(path, sizeof path, "%s/ark.pem", dir);
    size_t len;
    char *pem = (char *)tu_read(path, &len);
    cr_assert(pem && (pem = realloc(pem, len + 1)));
    pem[len] = '\0';
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    return pem;
}

Test(api_thim, a_self_made_ark_is_never_used)
{
    json_t *doc = aci_thim_json();
    const char *chain = json_string_value(json_object_get(doc, "certificateChain"));
    const char *end = strstr(chain, "-----END CERTIFICATE-----");
    cr_assert(end);
    char *ark = self_made_ark(), replaced[8192];
    snprintf(replaced, sizeof replaced, "%.*s\n%s",
             (int)(end - chain + strlen("-----END CERTIFICATE-----")), chain, ark);
    json_object_set_new(doc, "certificateChain", json_string(replaced));
    attest_collateral *c = NULL;
    char why[512];
    cr_assert_eq(add_doc(doc, &c, why, sizeof why), ATTEST_OK, "%s", why);
    bytes report = read_shared(ACI_REPORT);
    /* The self-made ARK anchors nothing: the chain is built to the pinned
     * ARK (built in, certs/), which really issued THIM's ASK, so the
     * genuine report still verifies and the forgery is simply unused. */
    int status = verify_with(&report, c, ACI_AT, false, why, sizeof why);
    cr_expect_eq(status, ATTEST_OK, "%s", why);
    attest_collateral_free(c);
    free(report.data);
    free(ark);
}

/* ---- online: the fetcher asks THIM --------------------------------------- */

/* The query THIM must be asked for the ACI report: its REPORTED_TCB and
 * CHIP_ID, upper-case hex. */
static void aci_query(const bytes *report, char *out, size_t n)
{
    char chip[129];
    for (int i = 0; i < 64; i++)
        snprintf(chip + 2 * i, 3, "%02X", report->data[0x1A0 + i]);
    snprintf(out, n, "tcbVersion=%016llX&platformId=%s",
             (unsigned long long)snpgen_get_u64(report->data + 0x180), chip);
}

/* Routes: THIM's path answering `body_file` only to "Metadata: true" and
 * the report's query (403 / 400 otherwise); nothing else (KDS 404s). */
static char *thim_routes(const char *body_file, const char *query)
{
    json_t *r = json_pack("{s:{s:s, s:{s:s}, s:s}}", THIM_PATH, "body_file", body_file,
                          "require_headers", "Metadata", "true", "require_query", query);
    char *text = json_dumps(r, 0);
    json_decref(r);
    return text;
}

/* A fetcher asking THIM at `thim_url` (KDS at `kds`), the cache in
 * `cache` (may be NULL), at the ACI instant. */
static attest_fetcher *thim_fetcher(const char *kds, const char *thim_url, const char *cache,
                                    bool offline)
{
    attest_fetcher *f = NULL;
    cr_assert_eq(attest_fetcher_new(&f), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_AMD_KDS, kds), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_AZURE_THIM, thim_url), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_time(f, tu_time(ACI_AT)), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_cache_dir(f, cache), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_offline(f, offline), ATTEST_OK);
    return f;
}

static void fetch_with(attest_fetcher *f, const bytes *report, attest_collateral **coll,
                       attest_needs **missing)
{
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, report->data, report->len), ATTEST_OK);
    cr_assert_eq(attest_collateral_new(coll), ATTEST_OK);
    cr_assert_eq(attest_fetch_collateral(f, ev, *coll, missing), ATTEST_OK, "%s",
                 attest_error_last());
    attest_evidence_free(ev);
}

/* The server URLs of the last fetch_aci (a cache test asks them again). */
static char last_kds[128], last_thim[256];

/* Fetch for the ACI report from a loopback THIM serving `body_rel`; the
 * collateral and what is still missing are the caller's. */
static void fetch_aci(const char *body_rel, const char *cache, bytes *report,
                      attest_collateral **coll, attest_needs **missing)
{
    char body[512], query[256], url[256], base[128];
    *report = read_shared(ACI_REPORT);
    tu_shared(body, sizeof body, body_rel);
    aci_query(report, query, sizeof query);
    char *routes = thim_routes(body, query);
    test_server s;
    server_start(&s, routes, false);
    free(routes);
    url_of(base, sizeof base, &s, ""); /* KDS (the CRL) at the server too: 404 */
    url_of(url, sizeof url, &s, THIM_PATH);
    attest_fetcher *f = thim_fetcher(base, url, cache, false);
    fetch_with(f, report, coll, missing);
    snprintf(last_kds, sizeof last_kds, "%s", base);
    snprintf(last_thim, sizeof last_thim, "%s", url);
    server_stop(&s);
    attest_fetcher_free(f);
}

static long need_index(const attest_needs *n, attest_need_kind kind)
{
    for (size_t i = 0; i < attest_needs_count(n); i++)
        if (attest_needs_kind(n, i) == kind)
            return (long)i;
    return -1;
}

Test(api_thim, fetcher_gets_vcek_and_chain_from_thim_with_the_metadata_header)
{
    bytes report;
    attest_collateral *c = NULL;
    attest_needs *missing = NULL;
    fetch_aci(ACI_THIM, NULL, &report, &c, &missing);
    cr_expect_eq(need_index(missing, ATTEST_NEED_AMD_VCEK), -1, "VCEK still missing: %s",
                 attest_needs_reason(missing, (size_t)need_index(missing, ATTEST_NEED_AMD_VCEK)));
    cr_expect_eq(need_index(missing, ATTEST_NEED_AMD_CERT_CHAIN), -1, "chain still missing");
    cr_expect_neq(need_index(missing, ATTEST_NEED_AMD_CRL), -1, "the CRL is KDS's, not THIM's");
    cr_expect_eq(attest_collateral_cert_count(c), 3);
    char reason[512];
    int status = verify_with(&report, c, ACI_AT, false, reason, sizeof reason);
    cr_expect_eq(status, ATTEST_OK, "%s", reason);
    attest_needs_free(missing);
    attest_collateral_free(c);
    free(report.data);
}

Test(api_thim, a_thim_answer_that_is_no_thim_json_is_refused)
{
    bytes report;
    attest_collateral *c = NULL;
    attest_needs *missing = NULL;
    fetch_aci("snp/roots/kds_vcek_cert_chain_milan.pem", NULL, &report, &c, &missing);
    long i = need_index(missing, ATTEST_NEED_AMD_VCEK);
    cr_assert_neq(i, -1, "VCEK not listed as missing");
    cr_expect(strstr(attest_needs_reason(missing, (size_t)i), "no THIM JSON"), "%s",
              attest_needs_reason(missing, (size_t)i));
    cr_expect_eq(attest_collateral_cert_count(c), 0, "a PEM answer is not added");
    attest_needs_free(missing);
    attest_collateral_free(c);
    free(report.data);
}

Test(api_thim, a_thim_answer_is_cached_and_served_offline)
{
    char cache[] = "/tmp/attest-thim-cache-XXXXXX", cmd[128];
    cr_assert(mkdtemp(cache));
    bytes report;
    attest_collateral *c = NULL;
    attest_needs *missing = NULL;
    fetch_aci(ACI_THIM, cache, &report, &c, &missing);
    cr_expect_eq(attest_collateral_cert_count(c), 3);
    attest_needs_free(missing);
    attest_collateral_free(c);
    /* The server is gone: offline, the same request is answered from the
     * cache (kept for cacheControl, 86400 s). */
    attest_fetcher *f = thim_fetcher(last_kds, last_thim, cache, true);
    fetch_with(f, &report, &c, &missing);
    cr_expect_eq(need_index(missing, ATTEST_NEED_AMD_VCEK), -1, "VCEK not served from the cache");
    cr_expect_eq(attest_collateral_cert_count(c), 3);
    attest_fetcher_free(f);
    attest_needs_free(missing);
    attest_collateral_free(c);
    free(report.data);
    snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
    cr_assert_eq(system(cmd), 0);
}
