/* lib/api/fetch.c against tests/http_server.py on 127.0.0.1 (never the
 * internet) replaying the recorded answers of shared/vectors/online (its
 * MANIFEST.md): what is fetched verifies as the same files would; a 404,
 * another chip's VCEK, a RIM whose digest does not match, offline mode
 * and the disk cache. Skipped when shared/vectors is absent. */
#include "testutil.h"
#include "loopback.h"

#include <ctype.h>
#include <jansson.h>

/* The recorded answers' instant: PCS collateral of 2026-06-29 is valid 30
 * days, the VCEKs from 2026-06-28. */
#define RECORDED_AT "2026-06-29T12:00:00Z"

/* What the test server answers for one kind of need: a file under
 * shared/vectors (NULL: no route, so 404), its recorded headers (may be
 * NULL), and whether the body goes out as hex text (a PCCS /rootcacrl). */
typedef struct answer {
    attest_need_kind kind;
    const char *body, *headers;
    bool hex;
} answer;

static const answer SNP_ANSWERS[] = {
    {ATTEST_NEED_AMD_VCEK, "online/kds/genoa_vcek_1af1aa6c_bl10_tee0_snp23_uc84_2026-06-29T020749.der",
     "online/kds/genoa_vcek_1af1aa6c_bl10_tee0_snp23_uc84_2026-06-29T020749.der.headers", false},
    {ATTEST_NEED_AMD_CERT_CHAIN, "snp/roots/kds_vcek_cert_chain_genoa.pem",
     "online/kds/genoa_cert_chain_2026-06-29.headers", false},
};

static const answer TDX_ANSWERS[] = {
    {ATTEST_NEED_INTEL_TCB_INFO, "online/pcs/tdx_tcb_fmspc90c06f000000_2026-06-29T020710.json",
     "online/pcs/tdx_tcb_fmspc90c06f000000_2026-06-29T020710.json.headers", false},
    {ATTEST_NEED_INTEL_QE_IDENTITY, "online/pcs/tdx_qe_identity_2026-06-29T020710.json",
     "online/pcs/tdx_qe_identity_2026-06-29T020710.json.headers", false},
    {ATTEST_NEED_INTEL_PCK_CRL, "online/pcs/sgx_pckcrl_platform_der_2026-06-29T020711.der",
     "online/pcs/sgx_pckcrl_platform_der_2026-06-29T020711.der.headers", false},
    {ATTEST_NEED_INTEL_ROOT_CA_CRL, "online/pcs/intel_sgx_root_ca_crl_cdp_2026-06-29T020634.der",
     "online/pcs/intel_sgx_root_ca_crl_cdp_2026-06-29T020634.der.headers", false},
};

#define SNP_REPORT "snp/sets/S10_genoa_v3_tinfoil/report.bin"
#define TDX_QUOTE "tdx/quotes/tdx_v5_90C06F000000_gotdx.bin"
#define ROOT_CRL_PATH "/IntelSGXRootCA.der"
#define PCCS_ROOT_CRL_PATH "/sgx/certification/v4/rootcacrl"

static attest_evidence *parse_shared(const char *rel)
{
    char path[512];
    size_t len;
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), &len);
    cr_assert(data, "cannot read %s", path);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, data, len), ATTEST_OK, "%s", attest_error_last());
    free(data);
    return ev;
}

/* The path of a need's URL (after the host, before the query). */
static void path_of(char *out, size_t n, const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    snprintf(out, n, "%.*s", p ? (int)strcspn(p, "?") : 0, p ? p : "");
}

/* Routes serving `answers` at the paths `ev`'s needs name; the Root CA
 * CRL at ROOT_CRL_PATH (for a PCCS at its /rootcacrl). */
static char *routes_for(const attest_evidence *ev, const answer *answers, size_t n, bool pccs)
{
    attest_needs *needs = NULL;
    cr_assert_eq(attest_collateral_needs(&needs, ev, NULL), ATTEST_OK);
    json_t *routes = json_object();
    for (size_t i = 0; i < attest_needs_count(needs); i++)
        for (size_t k = 0; k < n; k++) {
            if (answers[k].kind != attest_needs_kind(needs, i) || !answers[k].body)
                continue;
            char path[512], file[512], hdr[512];
            path_of(path, sizeof path, attest_needs_url(needs, i));
            if (answers[k].kind == ATTEST_NEED_INTEL_ROOT_CA_CRL)
                snprintf(path, sizeof path, "%s", pccs ? PCCS_ROOT_CRL_PATH : ROOT_CRL_PATH);
            json_t *r = json_object();
            json_object_set_new(r, answers[k].hex ? "body_hex_file" : "body_file",
                                json_string(tu_shared(file, sizeof file, answers[k].body)));
            if (answers[k].headers)
                json_object_set_new(r, "headers_file",
                                    json_string(tu_shared(hdr, sizeof hdr, answers[k].headers)));
            json_object_set_new(routes, path, r);
        }
    attest_needs_free(needs);
    char *text = json_dumps(routes, 0);
    json_decref(routes);
    return text;
}

/* A fetcher with every service at the test server. */
static attest_fetcher *fetcher_at(const test_server *s, bool pccs)
{
    attest_fetcher *f = NULL;
    char base[64], root[128];
    url_of(base, sizeof base, s, "");
    url_of(root, sizeof root, s, ROOT_CRL_PATH);
    cr_assert_eq(attest_fetcher_new(&f), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_AMD_KDS, base), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, pccs ? ATTEST_SERVICE_INTEL_PCCS
                                                    : ATTEST_SERVICE_INTEL_PCS, base), ATTEST_OK);
    if (!pccs)
        cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_INTEL_ROOT_CA_CRL, root),
                     ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_NVIDIA_RIM, base), ATTEST_OK);
    char ocsp[128]; /* no route: 404 */
    url_of(ocsp, sizeof ocsp, s, "/ocsp");
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_NVIDIA_OCSP, ocsp), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_time(f, tu_time(RECORDED_AT)), ATTEST_OK);
    return f;
}

static attest_needs *fetch(attest_fetcher *f, const attest_evidence *ev, attest_collateral *coll)
{
    attest_needs *missing = NULL;
    cr_assert_eq(attest_fetch_collateral(f, ev, coll, &missing), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert(missing);
    return missing;
}

/* One fetch for run->ev from a test server with `routes` (JSON), the
 * server stopped afterwards; what the test looks at in *run. */
typedef struct fetch_run {
    attest_evidence *ev;
    attest_collateral *coll;
    attest_needs *missing;
    int port;
} fetch_run;

static void run_fetch(fetch_run *run, const char *routes, bool pccs)
{
    test_server s;
    server_start(&s, routes, false);
    attest_fetcher *f = fetcher_at(&s, pccs);
    cr_assert_eq(attest_collateral_new(&run->coll), ATTEST_OK);
    run->missing = fetch(f, run->ev, run->coll);
    run->port = s.port;
    server_stop(&s);
    attest_fetcher_free(f);
}

/* run_fetch with routes serving `answers`. */
static void run_answers(fetch_run *run, const char *evidence, const answer *answers, size_t n,
                        bool pccs)
{
    run->ev = parse_shared(evidence);
    char *routes = routes_for(run->ev, answers, n, pccs);
    run_fetch(run, routes, pccs);
    free(routes);
}

static void run_free(fetch_run *run)
{
    attest_needs_free(run->missing);
    attest_collateral_free(run->coll);
    attest_evidence_free(run->ev);
}

/* The item of `kind` in `n`, or -1. */
static long find_kind(const attest_needs *n, attest_need_kind kind)
{
    for (size_t i = 0; i < attest_needs_count(n); i++)
        if (attest_needs_kind(n, i) == kind)
            return (long)i;
    return -1;
}

/* No Genoa CRL was recorded: SNP verdicts are taken without one. */
#define NO_CRL_POLICY "{\"snp\": {\"require_crl\": false}}"

static int verify(const attest_evidence *ev, attest_collateral *coll, char *reason, size_t n)
{
    attest_verifier *v = NULL;
    attest_result *r = NULL;
    attest_policy *p = ev && attest_evidence_format(ev) == ATTEST_FORMAT_SNP_REPORT
                           ? tu_policy(NO_CRL_POLICY) : NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(RECORDED_AT));
    int status = attest_verify(&r, v, ev, coll, p, NULL, 0);
    snprintf(reason, n, "%s", r ? attest_result_reason(r) : attest_error_last());
    attest_policy_free(p);
    attest_result_free(r);
    attest_verifier_free(v);
    return status;
}

/* The verdict from the same answers read as files. */
static int verify_from_files(const attest_evidence *ev, const answer *answers, size_t n,
                             char *reason, size_t len)
{
    attest_collateral *coll = NULL;
    char path[512];
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    for (size_t k = 0; k < n; k++)
        if (answers[k].body)
            tu_add_file(coll, tu_shared(path, sizeof path, answers[k].body));
    if (answers[0].kind == ATTEST_NEED_INTEL_TCB_INFO) /* the PCS issuer-chain headers */
        tu_add_file(coll, tu_shared(path, sizeof path, "tdx/certs/tcb_signing_2025-05-06_chain.pem"));
    int status = verify(ev, coll, reason, len);
    attest_collateral_free(coll);
    return status;
}

/* Fetch `answers` for `ev` from the test server, verify at the recorded
 * instant, and compare with the verdict from files. */
static void same_verdict_as_files(const char *evidence, const answer *answers, size_t n,
                                  bool pccs)
{
    fetch_run run = {0};
    run_answers(&run, evidence, answers, n, pccs);
    for (size_t k = 0; k < n; k++)
        cr_expect_eq(find_kind(run.missing, answers[k].kind), -1, "%s still missing",
                     attest_need_kind_name(answers[k].kind));
    char online[1024], files[1024];
    int got = verify(run.ev, run.coll, online, sizeof online);
    int want = verify_from_files(run.ev, answers, n, files, sizeof files);
    cr_expect_eq(got, want, "online %d (%s), files %d (%s)", got, online, want, files);
    cr_expect_str_eq(online, files);
    cr_expect_eq(got, ATTEST_OK, "%s", online); /* both recorded sets verify */
    run_free(&run);
}

Test(api_fetch, snp_vcek_and_chain_verify_as_files)
{
    same_verdict_as_files(SNP_REPORT, SNP_ANSWERS, 2, false);
}

Test(api_fetch, tdx_collateral_with_issuer_chain_headers_verify_as_files)
{
    same_verdict_as_files(TDX_QUOTE, TDX_ANSWERS, 4, false);
}

Test(api_fetch, pccs_root_ca_crl_as_hex_text)
{
    answer pccs[4];
    memcpy(pccs, TDX_ANSWERS, sizeof pccs);
    pccs[3].hex = true;
    pccs[3].headers = NULL;
    same_verdict_as_files(TDX_QUOTE, pccs, 4, true);
}

Test(api_fetch, pccs_root_ca_crl_as_der)
{
    answer pccs[4];
    memcpy(pccs, TDX_ANSWERS, sizeof pccs);
    pccs[3].headers = NULL;
    same_verdict_as_files(TDX_QUOTE, pccs, 4, true);
}

/* `pem` percent-encoded as PCS does, except that '+' stays literal (some
 * servers send it so): a decoder must not turn it into a space. */
static char *encode_keeping_plus(const char *pem)
{
    char *out = malloc(3 * strlen(pem) + 1), *o = out;
    cr_assert(out);
    for (const char *p = pem; *p; p++)
        if (isalnum((unsigned char)*p) || strchr("+-/", *p))
            *o++ = *p;
        else
            o += sprintf(o, "%%%02X", (unsigned char)*p);
    *o = '\0';
    return out;
}

Test(api_fetch, issuer_chain_with_a_literal_plus_decodes)
{
    char path[512];
    size_t len;
    uint8_t *raw = tu_read(tu_shared(path, sizeof path,
                                     "tdx/certs/tcb_signing_2025-05-06_chain.pem"), &len);
    char *pem = raw ? strndup((const char *)raw, len) : NULL;
    free(raw);
    cr_assert(pem && strchr(pem, '+'), "the chain's base64 holds a '+'");
    char *header = encode_keeping_plus(pem);
    fetch_run run = {.ev = parse_shared(TDX_QUOTE)};
    char *text = routes_for(run.ev, TDX_ANSWERS, 4, false);
    json_t *routes = json_loads(text, 0, NULL);
    /* Both carry the TCB Signing certificate: both must decode. */
    json_t *tcb = json_object_get(routes, "/tdx/certification/v4/tcb");
    json_t *qe = json_object_get(routes, "/tdx/certification/v4/qe/identity");
    cr_assert(tcb && qe);
    json_object_set_new(tcb, "headers", json_pack("{s:s}", "Tcb-Info-Issuer-Chain", header));
    json_object_set_new(qe, "headers",
                        json_pack("{s:s}", "Sgx-Enclave-Identity-Issuer-Chain", header));
    free(text);
    text = json_dumps(routes, 0);
    run_fetch(&run, text, false);
    cr_expect_eq(attest_needs_count(run.missing), 0);
    char reason[1024];
    cr_expect_eq(verify(run.ev, run.coll, reason, sizeof reason), ATTEST_OK, "%s", reason);
    json_decref(routes);
    free(text);
    free(header);
    free(pem);
    run_free(&run);
}

Test(api_fetch, vcek_404_stays_missing_with_url_and_status)
{
    answer no_vcek[2];
    memcpy(no_vcek, SNP_ANSWERS, sizeof no_vcek);
    no_vcek[0].body = NULL;
    fetch_run run = {0};
    run_answers(&run, SNP_REPORT, no_vcek, 2, false);
    long i = find_kind(run.missing, ATTEST_NEED_AMD_VCEK);
    cr_assert_geq(i, 0);
    const char *why = attest_needs_reason(run.missing, (size_t)i);
    char port[32];
    snprintf(port, sizeof port, "127.0.0.1:%d/vcek/v1/Genoa/", run.port);
    cr_expect(strstr(why, port) && strstr(why, "HTTP 404"), "%s", why);
    cr_expect_eq(find_kind(run.missing, ATTEST_NEED_AMD_CERT_CHAIN), -1);
    run_free(&run);
}

Test(api_fetch, another_chips_vcek_is_added_and_rejected)
{
    answer other[2];
    memcpy(other, SNP_ANSWERS, sizeof other);
    other[0].body = "snp/sets/S12_genoa_v5_oak/vcek.der";
    fetch_run run = {0};
    run_answers(&run, SNP_REPORT, other, 2, false);
    long i = find_kind(run.missing, ATTEST_NEED_AMD_VCEK);
    cr_assert_geq(i, 0, "another chip's VCEK does not fit: still needed");
    cr_expect(strstr(attest_needs_reason(run.missing, (size_t)i), "does not fit"), "%s",
              attest_needs_reason(run.missing, (size_t)i));
    cr_expect_eq(attest_collateral_cert_count(run.coll), 3, "the VCEK and the chain were added");
    char reason[1024];
    cr_expect_neq(verify(run.ev, run.coll, reason, sizeof reason), ATTEST_OK, "%s", reason);
    run_free(&run);
}

#define NV_SET "nvidia/hopper/setD_h100_595.71.05_azure_complete/"
#define NV_DRIVER_ID "NV_GPU_DRIVER_GH100_595.71.05"
#define NV_VBIOS_ID "NV_GPU_VBIOS_1010_0210_886_96009F0004"

/* A route answering the recorded RIM service JSON of `id`, its sha256
 * replaced by `digest` when not NULL. */
static void rim_route(json_t *routes, const char *id, const char *digest)
{
    char rel[256], path[512];
    snprintf(rel, sizeof rel, NV_SET "rim_service_%s.json", id);
    json_error_t err;
    json_t *doc = json_load_file(tu_shared(path, sizeof path, rel), 0, &err);
    cr_assert(doc, "%s: %s", path, err.text);
    if (digest)
        json_object_set_new(doc, "sha256", json_string(digest));
    json_t *r = json_object();
    char *body = json_dumps(doc, JSON_COMPACT);
    json_object_set_new(r, "body", json_string(body));
    free(body);
    snprintf(rel, sizeof rel, "/v1/rim/%s", id);
    json_object_set_new(routes, rel, r);
    json_decref(doc);
}

Test(api_fetch, rim_whose_sha256_does_not_match_is_refused)
{
    fetch_run run = {.ev = parse_shared(NV_SET "gpu_evidence.json")};
    json_t *routes = json_object();
    rim_route(routes, NV_DRIVER_ID, "00000000000000000000000000000000"
                                    "00000000000000000000000000000000");
    rim_route(routes, NV_VBIOS_ID, NULL);
    char *text = json_dumps(routes, 0);
    json_decref(routes);
    run_fetch(&run, text, false);
    free(text);
    bool driver = false, vbios = false, ocsp = false;
    for (size_t i = 0; i < attest_needs_count(run.missing); i++) {
        const char *url = attest_needs_url(run.missing, i);
        const char *why = attest_needs_reason(run.missing, i);
        if (strstr(url, NV_DRIVER_ID)) {
            driver = true;
            cr_expect(strstr(why, "sha256 does not match"), "%s", why);
        }
        vbios |= strstr(url, NV_VBIOS_ID) != NULL;
        if (attest_needs_kind(run.missing, i) == ATTEST_NEED_NVIDIA_OCSP) {
            ocsp = true;
            cr_expect(strstr(why, "POST ") && strstr(why, "/ocsp: HTTP 404"), "%s", why);
        }
    }
    cr_expect(driver, "the driver RIM is still missing");
    cr_expect(!vbios, "the VBIOS RIM was added");
    cr_expect(ocsp, "OCSP is listed as missing, its request failed");
    run_free(&run);
}

/* A fresh cache directory (removed by the caller with rm -rf). */
static void cache_dir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/attest-fetch-cache-XXXXXX");
    cr_assert(mkdtemp(dir), "mkdtemp");
}

static void remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(api_fetch, offline_with_an_empty_cache_fetches_nothing)
{
    attest_evidence *ev = parse_shared(TDX_QUOTE);
    attest_needs *before = NULL;
    cr_assert_eq(attest_collateral_needs(&before, ev, NULL), ATTEST_OK);
    char dir[64];
    cache_dir(dir, sizeof dir);
    attest_fetcher *f = NULL;
    cr_assert_eq(attest_fetcher_new(&f), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_INTEL_PCS, "http://127.0.0.1:9"),
                 ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_cache_dir(f, dir), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_offline(f, 1), ATTEST_OK);
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    attest_needs *missing = fetch(f, ev, coll);
    cr_expect_eq(attest_needs_count(missing), attest_needs_count(before));
    for (size_t i = 0; i < attest_needs_count(missing); i++)
        cr_expect(strstr(attest_needs_reason(missing, i), "offline: not in the cache"), "%s",
                  attest_needs_reason(missing, i));
    cr_expect_eq(attest_collateral_cert_count(coll) + attest_collateral_crl_count(coll), 0);
    remove_dir(dir);
    attest_needs_free(before);
    attest_needs_free(missing);
    attest_collateral_free(coll);
    attest_fetcher_free(f);
    attest_evidence_free(ev);
}

Test(api_fetch, second_run_is_served_from_the_cache)
{
    attest_evidence *ev = parse_shared(TDX_QUOTE);
    char *routes = routes_for(ev, TDX_ANSWERS, 4, false);
    test_server s;
    server_start(&s, routes, false);
    free(routes);
    char dir[64];
    cache_dir(dir, sizeof dir);
    attest_fetcher *f = fetcher_at(&s, false);
    cr_assert_eq(attest_fetcher_set_cache_dir(f, dir), ATTEST_OK);
    attest_collateral *first = NULL, *second = NULL;
    cr_assert_eq(attest_collateral_new(&first), ATTEST_OK);
    cr_assert_eq(attest_collateral_new(&second), ATTEST_OK);
    attest_needs *m1 = fetch(f, ev, first);
    server_stop(&s);                 /* the second run cannot reach it */
    attest_needs *m2 = fetch(f, ev, second);
    cr_expect_eq(attest_needs_count(m2), attest_needs_count(m1));
    for (size_t k = 0; k < 4; k++)
        cr_expect_eq(find_kind(m2, TDX_ANSWERS[k].kind), -1, "%s not from the cache",
                     attest_need_kind_name(TDX_ANSWERS[k].kind));
    char r1[1024], r2[1024];
    int v1 = verify(ev, first, r1, sizeof r1), v2 = verify(ev, second, r2, sizeof r2);
    cr_expect_eq(v1, v2, "%s / %s", r1, r2);
    cr_expect_str_eq(r1, r2);
    remove_dir(dir);
    attest_needs_free(m1);
    attest_needs_free(m2);
    attest_collateral_free(first);
    attest_collateral_free(second);
    attest_fetcher_free(f);
    attest_evidence_free(ev);
}
