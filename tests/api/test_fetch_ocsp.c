/* NVIDIA OCSP fetched by lib/api/fetch.c from a live signer on 127.0.0.1
 * (never the internet): tests/http_server.py reads each POSTed request
 * and has attest-mock sign an answer about the certificate it names with
 * the test PKI's responders, echoing the request's nonce. A signer that
 * echoes it gives live answers, accepted by the DEFAULT policy
 * (require_ocsp, allow_stored_ocsp false); one that drops it gives stored
 * answers, refused by the same policy.
 *
 * Why not `openssl ocsp -port`: it signs at the wall clock, and the test
 * PKI is verified at NVGEN_T_VERIFY (its RIM leaf expired in 2026), so the
 * answers must carry the PKI's own OCSP window, as attest-mock's do. */
#include "testutil.h"
#include "loopback.h"
#include "nvgen.h"

#include <jansson.h>
#include <openssl/evp.h>

/* The GPU evidence of the test PKI, and a collateral holding its RIMs
 * (`rims`) or nothing; never its OCSP. */
static attest_evidence *gpu_evidence(attest_collateral **coll, bool rims)
{
    char path[512];
    size_t len;
    uint8_t *data = tu_read(tu_pki(path, sizeof path, "nvidia/evidence.json"), &len);
    cr_assert(data, "cannot read %s", path);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, data, len), ATTEST_OK, "%s", attest_error_last());
    free(data);
    cr_assert_eq(attest_collateral_new(coll), ATTEST_OK);
    if (rims) {
        tu_add_file(*coll, tu_pki(path, sizeof path, "nvidia/driver_rim.xml"));
        tu_add_file(*coll, tu_pki(path, sizeof path, "nvidia/vbios_rim.xml"));
    }
    return ev;
}

/* The RIM service's answer for RIM `id`: {id, rim: base64(XML),
 * sha256: hex(SHA-256 of the XML)}, from the test PKI's file `rel`. */
static json_t *rim_answer(const char *id, const char *rel)
{
    char path[512], digest_hex[65];
    size_t len;
    uint8_t *xml = tu_read(tu_pki(path, sizeof path, rel), &len), digest[32];
    cr_assert(xml, "cannot read %s", path);
    char *b64 = malloc(4 * (len / 3 + 1) + 1);
    cr_assert(b64);
    EVP_EncodeBlock((unsigned char *)b64, xml, (int)len);
    cr_assert(EVP_Digest(xml, len, digest, NULL, EVP_sha256(), NULL));
    for (int i = 0; i < 32; i++)
        snprintf(digest_hex + 2 * i, 3, "%02x", digest[i]);
    json_t *answer = json_pack("{s:s, s:s, s:s}", "id", id, "rim", b64, "sha256", digest_hex);
    char *text = json_dumps(answer, 0);
    json_decref(answer);
    free(b64);
    free(xml);
    json_t *route = json_pack("{s:s}", "body", text);
    free(text);
    return route;
}

/* A route at the RIM service path for each RIM `ev` needs. */
static void add_rim_routes(json_t *routes, const attest_evidence *ev)
{
    attest_needs *needs = NULL;
    cr_assert_eq(attest_collateral_needs(&needs, ev, NULL), ATTEST_OK);
    for (size_t i = 0; i < attest_needs_count(needs); i++) {
        if (attest_needs_kind(needs, i) != ATTEST_NEED_NVIDIA_RIM)
            continue;
        const char *url = attest_needs_url(needs, i), *id = strrchr(url, '/') + 1;
        char path[256];
        snprintf(path, sizeof path, "/v1/rim/%s", id);
        json_object_set_new(routes, path, rim_answer(id, strstr(id, "VBIOS") ? "nvidia/vbios_rim.xml"
                                                                           : "nvidia/driver_rim.xml"));
    }
    attest_needs_free(needs);
}

/* Routes with the OCSP signer at /ocsp (and the RIMs `ev` needs, when
 * given); answer_nonce (hex, or NULL): the nonce every answer carries
 * instead of the request's. */
static char *signer_routes_with(bool drop_nonce, const attest_evidence *rims_of,
                                const char *answer_nonce)
{
    const char *mock = getenv("ATTEST_MOCK");
    if (!mock)
        cr_skip_test("ATTEST_MOCK not set: the OCSP signer needs attest-mock");
    char pki[512];
    tu_pki(pki, sizeof pki, "nvidia");
    json_t *routes = json_pack("{s:{s:s, s:s, s:b}}", "/ocsp", "ocsp_pki", pki, "ocsp_mock", mock,
                               "drop_nonce", drop_nonce);
    if (rims_of)
        add_rim_routes(routes, rims_of);
    if (answer_nonce)
        json_object_set_new(json_object_get(routes, "/ocsp"), "answer_nonce",
                            json_string(answer_nonce));
    char *text = json_dumps(routes, 0);
    json_decref(routes);
    return text;
}

static char *signer_routes(bool drop_nonce, const attest_evidence *rims_of)
{
    return signer_routes_with(drop_nonce, rims_of, NULL);
}

/* Fetch what `ev` lacks into `coll` from a test server with `routes` (OCSP
 * at /ocsp, RIMs at the root); the OCSP URL used into ocsp_url. */
static attest_needs *fetch_from(const char *routes, const attest_evidence *ev,
                                attest_collateral *coll, char ocsp_url[128])
{
    need_python();
    test_server s;
    server_start(&s, routes, false);
    char base[128];
    url_of(ocsp_url, 128, &s, "/ocsp");
    url_of(base, sizeof base, &s, "");
    attest_fetcher *f = NULL;
    attest_needs *missing = NULL;
    cr_assert_eq(attest_fetcher_new(&f), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_NVIDIA_OCSP, ocsp_url), ATTEST_OK);
    cr_assert_eq(attest_fetcher_set_service(f, ATTEST_SERVICE_NVIDIA_RIM, base), ATTEST_OK);
    int status = attest_fetch_collateral(f, ev, coll, &missing);
    server_stop(&s);
    attest_fetcher_free(f);
    cr_assert_eq(status, ATTEST_OK, "%s", attest_error_last());
    return missing;
}

/* 32 bytes of hex text in test PKI file `file` (a pin, the report nonce). */
static void read_hex32(const char *file, uint8_t pin[32])
{
    char path[512];
    size_t len = 0;
    char *text = (char *)tu_read(tu_pki(path, sizeof path, file), &len);
    cr_assert(text && len >= 64, "cannot read %s", path);
    for (size_t i = 0; i < 32; i++) {
        unsigned byte;
        cr_assert_eq(sscanf(text + 2 * i, "%2x", &byte), 1, "%s is not hex", path);
        pin[i] = (uint8_t)byte;
    }
    free(text);
}

/* Verify under the default policy with the test PKI's roots pinned and
 * its report nonce at NVGEN_T_VERIFY; the result's JSON into *json (json_decref). */
static int verify_under(const attest_evidence *ev, const attest_collateral *coll,
                        const char *policy, json_t **json)
{
    uint8_t dev[32], rim[32], nonce[32];
    read_hex32("nvidia/device_anchor.sha256", dev);
    read_hex32("nvidia/rim_anchor.sha256", rim);
    read_hex32("nvidia/nonce.hex", nonce);
    attest_verifier *v = NULL;
    attest_result *r = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_NVIDIA_DEVICE), ATTEST_OK);
    cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_NVIDIA_RIM), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_DEVICE, dev), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_NVIDIA_RIM, rim), ATTEST_OK);
    cr_assert_eq(attest_verifier_set_time(v, NVGEN_T_VERIFY), ATTEST_OK);
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    int status = attest_verify(&r, v, ev, coll, p, nonce, sizeof nonce);
    cr_assert(r, "%s", attest_error_last());
    *json = tu_result_json(r);
    attest_result_free(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    return status;
}

static int verify_default(const attest_evidence *ev, const attest_collateral *coll,
                          json_t **json)
{
    return verify_under(ev, coll, NULL, json);
}

/* The detail of check `name` in a result's JSON ("" when absent). */
static const char *check_detail(json_t *result, const char *name)
{
    json_t *checks = json_object_get(result, "checks"), *c;
    size_t i;
    json_array_foreach(checks, i, c) {
        const char *n = json_string_value(json_object_get(c, "name"));
        const char *detail = json_string_value(json_object_get(c, "detail"));
        if (n && !strcmp(n, name))
            return detail ? detail : "";
    }
    return "";
}


/* Fetch from the signer (dropping the nonce or not) for the GPU evidence
 * with its RIMs held or fetched too, expect nothing still missing, and
 * verify under the default policy; the result's JSON into *result. */
static int fetch_then_verify(bool rims_held, bool drop_nonce, json_t **result)
{
    attest_collateral *coll = NULL;
    attest_evidence *ev = gpu_evidence(&coll, rims_held);
    char *routes = signer_routes(drop_nonce, rims_held ? NULL : ev), url[128];
    attest_needs *missing = fetch_from(routes, ev, coll, url);
    free(routes);
    for (size_t i = 0; i < attest_needs_count(missing); i++)
        cr_expect_fail("still missing: %s", attest_needs_reason(missing, i));
    attest_needs_free(missing);
    int status = verify_default(ev, coll, result);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
    return status;
}

Test(api_fetch_ocsp, live_answers_pass_the_default_policy)
{
    json_t *result = NULL;
    int status = fetch_then_verify(true, false, &result);
    char *text = json_dumps(result, JSON_COMPACT);
    cr_expect_eq(status, ATTEST_OK, "%s", text);
    cr_expect(strstr(check_detail(result, "gpu0.chain.ocsp"), "3 live (nonce matched), 0 stored"),
              "%s", check_detail(result, "gpu0.chain.ocsp"));
    free(text);
    json_decref(result);
}

/* Added all the same (the needs list does not judge nonces), and refused. */
Test(api_fetch_ocsp, answers_without_the_nonce_stay_refused)
{
    json_t *result = NULL;
    cr_expect_neq(fetch_then_verify(true, true, &result), ATTEST_OK);
    cr_expect(strstr(check_detail(result, "gpu0.chain.ocsp"),
                     "stored response (no nonce; policy nvidia.allow_stored_ocsp is false)"),
              "%s", check_detail(result, "gpu0.chain.ocsp"));
    json_decref(result);
}

/* Nothing held: the RIMs come first, and their signing chains' OCSP,
 * known once they are held, in the fetcher's second round. */
Test(api_fetch_ocsp, rims_then_their_chains_ocsp_in_a_second_round)
{
    json_t *result = NULL;
    int status = fetch_then_verify(false, false, &result);
    char *text = json_dumps(result, JSON_COMPACT);
    cr_expect_eq(status, ATTEST_OK, "%s", text);
    free(text);
    json_decref(result);
}

Test(api_fetch_ocsp, a_failed_request_stays_missing_with_its_url_and_status)
{
    attest_collateral *coll = NULL;
    attest_evidence *ev = gpu_evidence(&coll, true);
    char url[128];
    attest_needs *missing = fetch_from("{}", ev, coll, url); /* no /ocsp route: 404 */
    size_t ocsp = 0;
    for (size_t i = 0; i < attest_needs_count(missing); i++)
        if (attest_needs_kind(missing, i) == ATTEST_NEED_NVIDIA_OCSP) {
            const char *why = attest_needs_reason(missing, i);
            cr_expect(strstr(why, "POST ") && strstr(why, url) && strstr(why, "HTTP 404"), "%s",
                      why);
            cr_expect_str_eq(attest_needs_url(missing, i), "https://ocsp.ndis.nvidia.com");
            ocsp++;
        }
    cr_expect_eq(ocsp, 6, "3 device chain and 3 RIM chain certificates");
    attest_needs_free(missing);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
}

/* A server replaying answers recorded for another client's request: each
 * carries a nonce, not the one our request asked. Such an answer is not
 * even a stored one: the only reason to hold it is that we asked, and it
 * provably does not answer what we asked (a replaying or tampering
 * server); a stored answer is one with no nonce, or one the caller gave
 * as a file. So it fails the OCSP check under a policy that accepts
 * stored answers too (RFC 8954 section 2.1: the client rejects a
 * response whose nonce differs from the request's). */
Test(api_fetch_ocsp, answers_with_another_nonce_are_refused_even_as_stored)
{
    attest_collateral *coll = NULL;
    attest_evidence *ev = gpu_evidence(&coll, true);
    char *routes = signer_routes_with(false, NULL, "0123456789abcdef0123456789abcdef"
                                                   "0123456789abcdef0123456789abcdef"),
         url[128];
    attest_needs *missing = fetch_from(routes, ev, coll, url);
    free(routes);
    cr_expect_eq(attest_needs_count(missing), 0, "added all the same (needs judge no nonce)");
    attest_needs_free(missing);
    json_t *result = NULL;
    int status = verify_under(ev, coll, "{\"nvidia\":{\"allow_stored_ocsp\":true}}", &result);
    cr_expect_eq(status, ATTEST_E_NV_OCSP, "%s", attest_status_name(status));
    cr_expect(strstr(check_detail(result, "gpu0.chain.ocsp"),
                     "differs from the request nonce recorded for it"),
              "%s", check_detail(result, "gpu0.chain.ocsp"));
    json_decref(result);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
}
