/* The real NVIDIA sets of shared/vectors/nvidia (its MANIFEST.md) with
 * their RIMs fetched online: tests/http_server.py on 127.0.0.1 (never the
 * internet) serves each set's RIM files as the RIM service does, wrapping
 * them at serve time into the service's JSON (rim_service_answer there),
 * and the verdict and every check equal the verification from files at
 * the MANIFEST's instant. Set A's recorded OCSP responses are either
 * given as collateral beforehand or replayed by a server that ignores the
 * request's nonce: replayed answers are stored ones, never live. Then the
 * RIM service's error shapes: each leaves the RIM missing with the URL and
 * the reason, and adds nothing. Skipped when shared/vectors is absent. */
#include "testutil.h"
#include "loopback.h"

#include <jansson.h>

#define NONCE_A "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb"
#define NONCE_B "4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e"
#define NONCE_D "690bb51b904351e28100a0610fe60624255c26d7d38c53fb1285ecfed1cab17a"

/* As tests/api/test_vectors_nvidia.c: set A's stored responses have no
 * nonce and were valid 24 h each on their own day; the other sets have
 * no OCSP at all. */
#define POLICY_STORED "{\"nvidia\":{\"allow_stored_ocsp\":true,\"allow_stale_ocsp\":true}}"
#define POLICY_NO_OCSP "{\"nvidia\":{\"require_ocsp\":false}}"

/* The recorded RIM service headers (AWS API Gateway, application/json). */
#define RIM_HEADERS "online/rim/NV_NIC_FIRMWARE_CX7_28.39.4082-LTS_MCX713104AC-ADA_2025-04-08.json.headers"

#define SET_A "nvidia/hopper/setA_h100_550.90.07_complete/"
#define SET_B "nvidia/hopper/setB_h100_545.00_nvtrust2023_complete/"
#define SET_C "nvidia/nvswitch/setC_ls10_96.10.55.00.01_complete/"
#define SET_D "nvidia/hopper/setD_h100_595.71.05_azure_complete/"

static const char *const SET_A_OCSP[] = {
    SET_A "ocsp/gpu_cert1_brom.ocsp.der",           SET_A "ocsp/gpu_cert2_provisioner_ica1.ocsp.der",
    SET_A "ocsp/gpu_cert3_gh100_identity.ocsp.der", SET_A "ocsp/driver_rim_cert0_leaf.ocsp.der",
    SET_A "ocsp/vbios_rim_cert0_leaf.ocsp.der",     SET_A "ocsp/rim_cert1_L3_gh100_002.ocsp.der",
    SET_A "ocsp/rim_cert2_gh100_ca.ocsp.der",       NULL};

/* One real set: its report and device chain, the RIM files the service
 * serves (driver NULL for a switch), its OCSP files (NULL: none), and the
 * MANIFEST's nonce, instant and the policy its verdict is stated under. */
typedef struct nv_set {
    const char *report, *chain, *driver, *vbios;
    const char *const *ocsp;
    const char *nonce, *at, *policy;
} nv_set;

static const nv_set SET_A_H100 = {
    SET_A "attestation_report.bin", SET_A "device_cert_chain.pem",
    SET_A "driver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml",
    SET_A "vbios_rim_NV_GPU_VBIOS_1010_0200_882_96009F0001.xml", SET_A_OCSP, NONCE_A,
    "2025-10-24T12:00:00Z", POLICY_STORED};

static const nv_set SET_B_H100 = {
    SET_B "attestation_report.bin", SET_B "device_cert_chain.pem",
    SET_B "driver_rim_545.00_Driver_RIM_test_no_gpu.swidtag",
    SET_B "vbios_rim_1010_0200_882_96005E0001_test_no_gpu.swidtag", NULL, NONCE_B,
    "2024-06-01T00:00:00Z", POLICY_NO_OCSP};

static const nv_set SET_C_LS10_2024 = {
    SET_C "attestation_report.bin", SET_C "device_cert_chain.pem", NULL,
    SET_C "bios_rim_NV_SWITCH_BIOS_5612_0002_890_9610550001.v2024.xml", NULL, NONCE_A,
    "2025-01-01T00:00:00Z", POLICY_NO_OCSP};

static const nv_set SET_C_LS10_2026 = {
    SET_C "attestation_report.bin", SET_C "device_cert_chain.pem", NULL,
    SET_C "bios_rim_NV_SWITCH_BIOS_5612_0002_890_9610550001.v2026.xml", NULL, NONCE_A,
    "2026-06-01T00:00:00Z", POLICY_NO_OCSP};

static const nv_set SET_D_H100_NVL = {
    SET_D "attestation_report.bin", SET_D "device_cert_chain.pem",
    SET_D "driver_rim_NV_GPU_DRIVER_GH100_595.71.05.xml",
    SET_D "vbios_rim_NV_GPU_VBIOS_1010_0210_886_96009F0004.xml", NULL, NONCE_D,
    "2026-09-16T14:00:00Z", POLICY_NO_OCSP};

#define SET_D_DRIVER_ID "NV_GPU_DRIVER_GH100_595.71.05"
#define SET_D_VBIOS_ID "NV_GPU_VBIOS_1010_0210_886_96009F0004"

/* How OCSP is had: from the set's files given beforehand, or fetched
 * from a server replaying them. */
typedef enum ocsp_mode { OCSP_FILES, OCSP_REPLAYED } ocsp_mode;

static void add_shared(attest_collateral *coll, const char *rel)
{
    char path[512];
    tu_add_file(coll, tu_shared(path, sizeof path, rel));
}

/* The set's RIM file serving RIM id `id`. */
static const char *rim_file_of(const nv_set *set, const char *id)
{
    return strstr(id, "_DRIVER_") ? set->driver : set->vbios;
}

/* The rim_service map: every RIM id `ev` needs, to its file in `set`. */
static json_t *rim_map(const nv_set *set, const attest_evidence *ev)
{
    attest_needs *needs = NULL;
    cr_assert_eq(attest_collateral_needs(&needs, ev, NULL), ATTEST_OK);
    json_t *map = json_object();
    for (size_t i = 0; i < attest_needs_count(needs); i++) {
        if (attest_needs_kind(needs, i) != ATTEST_NEED_NVIDIA_RIM)
            continue;
        const char *id = strrchr(attest_needs_url(needs, i), '/') + 1, *file = rim_file_of(set, id);
        char path[512];
        cr_assert(file, "the set has no RIM for %s", id);
        json_object_set_new(map, id, json_string(tu_shared(path, sizeof path, file)));
    }
    attest_needs_free(needs);
    return map;
}

/* Routes: the RIM service at /v1/rim/ serving `map` (taken) with the
 * recorded headers, and at /ocsp a replay of `replay` (NULL: no route,
 * so 404). */
static char *nv_routes(json_t *map, const char *const *replay)
{
    char hdr[512];
    json_t *routes = json_pack("{s:{s:o, s:s}}", "/v1/rim/", "rim_service", map, "headers_file",
                               tu_shared(hdr, sizeof hdr, RIM_HEADERS));
    if (replay) {
        json_t *files = json_array();
        char path[512];
        for (size_t i = 0; replay[i]; i++)
            json_array_append_new(files, json_string(tu_shared(path, sizeof path, replay[i])));
        json_object_set_new(routes, "/ocsp", json_pack("{s:o}", "ocsp_replay", files));
    }
    char *text = json_dumps(routes, 0);
    json_decref(routes);
    return text;
}

/* Counts what the fetcher added, by kind. */
typedef struct added {
    size_t rims, ocsp;
} added;

static void count_added(void *ctx, attest_need_kind kind, const uint8_t *data, size_t len)
{
    added *a = ctx;
    (void)data;
    (void)len;
    a->rims += kind == ATTEST_NEED_NVIDIA_RIM;
    a->ocsp += kind == ATTEST_NEED_NVIDIA_OCSP;
}

/* One fetch from a test server with `routes`: RIM service at its root,
 * OCSP at /ocsp, the cache clock at `at`. */
typedef struct nv_run {
    attest_needs *missing;
    added added;
    int port;
} nv_run;

static void nv_fetch(nv_run *run, const char *routes, const attest_evidence *ev,
                     attest_collateral *coll, const char *at)
{
    test_server s;
    server_start(&s, routes, false);
    char base[64], ocsp[128];
    url_of(base, sizeof base, &s, "");
    url_of(ocsp, sizeof ocsp, &s, "/ocsp");
    attest_fetcher *f = NULL;
    cr_assert_eq(attest_fetcher_new(&f), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_NVIDIA_RIM, base), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_NVIDIA_OCSP, ocsp), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_time(f, tu_time(at)), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_on_added(f, count_added, &run->added), ATTEST_OK);
    int status = attest_fetch_collateral(f, ev, coll, &run->missing);
    run->port = s.port;
    server_stop(&s);
    attest_fetcher_free(f);
    cr_assert_eq(status, ATTEST_OK, "%s", attest_error_last());
}

/* Verify at the set's instant, with its nonce, under `policy` (NULL: the
 * default); the result's JSON (json_decref). */
static json_t *nv_verify(const nv_set *set, const attest_evidence *ev,
                         const attest_collateral *coll, const char *policy)
{
    uint8_t nonce[32];
    for (size_t i = 0; i < sizeof nonce; i++) {
        unsigned byte;
        cr_assert_eq(sscanf(set->nonce + 2 * i, "%2x", &byte), 1);
        nonce[i] = (uint8_t)byte;
    }
    attest_verifier *v = NULL;
    attest_result *r = NULL;
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_verifier_set_time(v, tu_time(set->at)), ATTEST_OK);
    attest_verify(&r, v, ev, coll, p, nonce, sizeof nonce);
    cr_assert(r, "%s", attest_error_last());
    json_t *doc = tu_result_json(r);
    attest_result_free(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    return doc;
}

/* The verification from files: chain, RIMs, OCSP. */
static json_t *verify_files(const nv_set *set, const attest_evidence *ev, const char *policy)
{
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    add_shared(coll, set->chain);
    if (set->driver)
        add_shared(coll, set->driver);
    add_shared(coll, set->vbios);
    for (size_t i = 0; set->ocsp && set->ocsp[i]; i++)
        add_shared(coll, set->ocsp[i]);
    json_t *doc = nv_verify(set, ev, coll, policy);
    attest_collateral_free(coll);
    return doc;
}

/* Fetch the set's RIMs (and, OCSP_REPLAYED, its OCSP) for its report,
 * the chain (and, OCSP_FILES, the OCSP files) held beforehand; *coll is
 * what was held and fetched. */
static void fetch_set(nv_run *run, const nv_set *set, const attest_evidence *ev,
                      attest_collateral **coll, ocsp_mode mode)
{
    cr_assert_eq(attest_collateral_new(coll), ATTEST_OK);
    add_shared(*coll, set->chain);
    for (size_t i = 0; mode == OCSP_FILES && set->ocsp && set->ocsp[i]; i++)
        add_shared(*coll, set->ocsp[i]);
    char *routes = nv_routes(rim_map(set, ev), mode == OCSP_REPLAYED ? set->ocsp : NULL);
    nv_fetch(run, routes, ev, *coll, set->at);
    free(routes);
}

static const char *result_str(json_t *doc, const char *member)
{
    const char *s = json_string_value(json_object_get(doc, member));
    return s ? s : "";
}

/* Online (RIMs fetched) and from files: the same result, verdict and
 * every check, and the MANIFEST's verdict (accepted). Nothing but OCSP
 * (sets without recorded OCSP: requests answered 404) stays missing. */
static void same_as_files(const nv_set *set)
{
    attest_evidence *ev = tu_parse_shared(set->report);
    attest_collateral *coll = NULL;
    nv_run run = {0};
    fetch_set(&run, set, ev, &coll, OCSP_FILES);
    cr_expect_eq(run.added.rims, set->driver ? 2 : 1);
    for (size_t i = 0; i < attest_needs_count(run.missing); i++) {
        const char *why = attest_needs_reason(run.missing, i);
        cr_expect(!set->ocsp && attest_needs_kind(run.missing, i) == ATTEST_NEED_NVIDIA_OCSP &&
                      strstr(why, "/ocsp: HTTP 404"),
                  "still missing: %s", why);
    }
    json_t *online = nv_verify(set, ev, coll, set->policy);
    json_t *files = verify_files(set, ev, set->policy);
    char *a = json_dumps(online, JSON_COMPACT), *b = json_dumps(files, JSON_COMPACT);
    cr_expect(json_equal(online, files), "online:\n%s\nfiles:\n%s", a, b);
    cr_expect_str_eq(result_str(online, "verdict"), "accepted", "%s", result_str(online, "reason"));
    cr_log_info("%s at %s: %s, %zu checks", set->report, set->at, result_str(online, "status"),
                json_array_size(json_object_get(online, "checks")));
    free(a);
    free(b);
    json_decref(online);
    json_decref(files);
    attest_needs_free(run.missing);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
}

Test(api_fetch_nvidia, set_a_h100_rims_online_ocsp_from_files)
{
    same_as_files(&SET_A_H100);
}

Test(api_fetch_nvidia, set_b_h100_2023_rims_online)
{
    same_as_files(&SET_B_H100);
}

Test(api_fetch_nvidia, set_c_nvswitch_2024_signing_online)
{
    same_as_files(&SET_C_LS10_2024);
}

Test(api_fetch_nvidia, set_c_nvswitch_2026_signing_online)
{
    same_as_files(&SET_C_LS10_2026);
}

Test(api_fetch_nvidia, set_d_h100_nvl_rims_online)
{
    same_as_files(&SET_D_H100_NVL);
}

/* The detail of check `name` in a result's JSON ("" when absent). */
static const char *detail_of(json_t *result, const char *name)
{
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(result, "checks"), i, c)
        if (!strcmp(result_str(c, "name"), name))
            return result_str(c, "detail");
    return "";
}

/* Set A's OCSP fetched from a server replaying the recorded responses
 * (they carry no nonce, whatever the request asked): each is added with
 * the fresh nonce its request carried, and since it does not echo it, it
 * is a stored answer, never a live one. The DEFAULT policy (live, current
 * OCSP) rejects the set: ATTEST_E_COLLATERAL_EXPIRED, the GPU-chain answers
 * having expired on 2025-08-22; allowing out-of-date answers but not
 * stored ones, ATTEST_E_NV_OCSP "stored response (no nonce ...)"; and a
 * policy that accepts stored and out-of-date answers gives exactly the
 * verdict and checks of the same responses read from files: accepted,
 * "0 live (nonce matched), 3 stored". A replayed answer that
 * carries a nonce, another request's, is refused under any policy:
 * api_fetch_ocsp/answers_with_another_nonce_are_refused_even_as_stored. */
Test(api_fetch_nvidia, set_a_replayed_ocsp_counts_as_stored_never_live)
{
    const nv_set *set = &SET_A_H100;
    attest_evidence *ev = tu_parse_shared(set->report);
    attest_collateral *coll = NULL;
    nv_run run = {0};
    fetch_set(&run, set, ev, &coll, OCSP_REPLAYED);
    cr_expect_eq(attest_needs_count(run.missing), 0);
    cr_expect_eq(run.added.rims, 2);
    cr_expect_eq(run.added.ocsp, 7, "3 device chain, 4 RIM chain certificates");

    /* The default policy: the first GPU-chain answer is out of date (an
     * expired answer fails before its kind is weighed). */
    json_t *strict = nv_verify(set, ev, coll, NULL);
    cr_expect_str_eq(result_str(strict, "status"), "ATTEST_E_COLLATERAL_EXPIRED", "%s",
                     result_str(strict, "reason"));
    /* Out-of-date answers allowed, stored ones not: refused as stored. */
    json_t *stale = nv_verify(set, ev, coll, "{\"nvidia\":{\"allow_stale_ocsp\":true}}");
    cr_expect_str_eq(result_str(stale, "status"), "ATTEST_E_NV_OCSP", "%s",
                     result_str(stale, "reason"));
    cr_expect(strstr(detail_of(stale, "gpu0.chain.ocsp"),
                     "stored response (no nonce; policy nvidia.allow_stored_ocsp is false)"),
              "%s", detail_of(stale, "gpu0.chain.ocsp"));

    json_t *stored = nv_verify(set, ev, coll, POLICY_STORED);
    json_t *files = verify_files(set, ev, POLICY_STORED);
    cr_expect_str_eq(result_str(stored, "verdict"), "accepted", "%s", result_str(stored, "reason"));
    cr_expect(strstr(detail_of(stored, "gpu0.chain.ocsp"), "0 live (nonce matched), 3 stored"),
              "%s", detail_of(stored, "gpu0.chain.ocsp"));
    cr_expect(json_equal(stored, files), "replayed answers judged as the files are");
    json_decref(strict);
    json_decref(stale);
    json_decref(stored);
    json_decref(files);
    attest_needs_free(run.missing);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
}

/* ------------------------------------------------------------------
 * The RIM service's error shapes, for set D's driver RIM (its VBIOS RIM
 * served well): the driver RIM stays missing, its reason naming the URL
 * and why, nothing is added for it, and the verdict says it is missing.
 * ------------------------------------------------------------------ */

/* How the service answers for the driver id: a rim_service map value
 * (JSON; NULL: the id is unknown to it) and what the reason must say. */
typedef struct rim_error {
    const char *answer, *reason;
} rim_error;

static void driver_rim_refused(const rim_error *e)
{
    const nv_set *set = &SET_D_H100_NVL;
    attest_evidence *ev = tu_parse_shared(set->report);
    json_t *map = rim_map(set, ev);
    json_t *answer = e->answer ? json_loads(e->answer, 0, NULL) : NULL;
    cr_assert(!e->answer || answer, "bad test answer %s", e->answer);
    json_t *file = json_object_get(map, SET_D_DRIVER_ID);
    if (json_is_object(answer) && !json_object_get(answer, "body"))
        json_object_set(answer, "file", file);
    if (answer)
        json_object_set_new(map, SET_D_DRIVER_ID, answer);
    else
        json_object_del(map, SET_D_DRIVER_ID);
    char *routes = nv_routes(map, NULL);
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    add_shared(coll, set->chain);
    nv_run run = {0};
    nv_fetch(&run, routes, ev, coll, set->at);
    free(routes);

    char url[160];
    snprintf(url, sizeof url, "GET http://127.0.0.1:%d/v1/rim/" SET_D_DRIVER_ID, run.port);
    bool driver = false;
    for (size_t i = 0; i < attest_needs_count(run.missing); i++) {
        const char *why = attest_needs_reason(run.missing, i);
        if (attest_needs_kind(run.missing, i) == ATTEST_NEED_NVIDIA_RIM) {
            driver = strstr(attest_needs_url(run.missing, i), SET_D_DRIVER_ID) != NULL;
            cr_expect(driver && strstr(why, url) && strstr(why, e->reason),
                      "%s: want '%s' and '%s'", why, url, e->reason);
        }
    }
    cr_expect(driver, "the driver RIM is still missing");
    cr_expect_eq(run.added.rims, 1, "only the VBIOS RIM was added");
    json_t *result = nv_verify(set, ev, coll, set->policy);
    cr_expect_str_eq(result_str(result, "status"), "ATTEST_E_COLLATERAL_MISSING");
    cr_expect(strstr(result_str(result, "reason"), "driver_rim"), "%s",
              result_str(result, "reason"));
    json_decref(result);
    attest_needs_free(run.missing);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
}

Test(api_fetch_nvidia, rim_unknown_id_404)
{
    driver_rim_refused(&(rim_error){NULL, ": HTTP 404"});
}

Test(api_fetch_nvidia, rim_json_error_body_with_200)
{
    driver_rim_refused(&(rim_error){"{\"body\": \"{\\\"message\\\": \\\"Internal server error\\\"}\"}",
                                    "answer refused: fetch: RIM service answer lacks id, rim or sha256"});
}

Test(api_fetch_nvidia, rim_json_error_body_with_403)
{
    driver_rim_refused(&(rim_error){"{\"status\": 403, \"body\": \"{\\\"message\\\": \\\"Forbidden\\\"}\"}",
                                    ": HTTP 403"});
}

Test(api_fetch_nvidia, rim_body_not_json)
{
    driver_rim_refused(&(rim_error){"{\"body\": \"<html>502 Bad Gateway</html>\"}",
                                    "answer refused: fetch: RIM service answer lacks id, rim or sha256"});
}

/* The VBIOS RIM (valid, its own sha256) answered for the driver id. */
Test(api_fetch_nvidia, rim_whose_id_differs)
{
    driver_rim_refused(&(rim_error){"{\"id\": \"" SET_D_VBIOS_ID "\"}",
                                    "answer refused: fetch: RIM service answered id " SET_D_VBIOS_ID
                                    ", asked " SET_D_DRIVER_ID});
}

Test(api_fetch_nvidia, rim_whose_sha256_differs)
{
    driver_rim_refused(&(rim_error){"{\"sha256\": \"00000000000000000000000000000000"
                                    "00000000000000000000000000000000\"}",
                                    "answer refused: fetch: RIM service sha256 does not match the "
                                    "rim it sent"});
}

Test(api_fetch_nvidia, rim_not_base64)
{
    driver_rim_refused(&(rim_error){"{\"rim\": \"PFNvZnR3YXJlSWRlbnRpdHk*\"}",
                                    "answer refused: fetch: RIM service rim is not base64"});
}

/* A well-formed answer for the driver id holding another version's
 * genuine RIM (set A's 550.90.07, its sha256 right): the service can add
 * it, it does not fit, and the verification refuses it. */
Test(api_fetch_nvidia, another_versions_rim_is_added_and_rejected)
{
    nv_set set = SET_D_H100_NVL;
    set.driver = SET_A_H100.driver;
    set.at = "2026-04-25T00:00:00Z"; /* set A's driver RIM leaf is valid then */
    attest_evidence *ev = tu_parse_shared(set.report);
    attest_collateral *coll = NULL;
    nv_run run = {0};
    fetch_set(&run, &set, ev, &coll, OCSP_FILES);
    cr_expect_eq(run.added.rims, 2);
    bool driver = false;
    for (size_t i = 0; i < attest_needs_count(run.missing); i++)
        if (strstr(attest_needs_url(run.missing, i), SET_D_DRIVER_ID)) {
            driver = true;
            cr_expect(strstr(attest_needs_reason(run.missing, i), "added, but it does not fit"),
                      "%s", attest_needs_reason(run.missing, i));
        }
    cr_expect(driver, "a RIM of another version does not count as the driver RIM");
    json_t *result = nv_verify(&set, ev, coll, set.policy);
    cr_expect_str_eq(result_str(result, "status"), "ATTEST_E_NV_RIM_MISMATCH", "%s",
                     result_str(result, "reason"));
    json_decref(result);
    attest_needs_free(run.missing);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
}
