/* The token's device claims (docs/token.md, "Device claims"): what
 * ear_token_claims picks from each platform's parse (SNP, TDX, SGX,
 * NVIDIA, Azure), that the parse itself stays out of the token (and in the
 * result JSON), the size of an 8-GPU composite token, ATTEST_TOKEN_VERBOSE,
 * and attest_token_key. The parses below have the shapes the parsers write
 * (snp_report_to_json, dcap_quote_to_json, nv_appraise, pipeline_azure),
 * each with a bulky member a token must not carry. */
#include "testutil.h"
#include "appraise/ear.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#define TC_LIFETIME 600

static json_t *parse_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    cr_assert(j, "test JSON: %s", err.text);
    return j;
}

static const char *str_at(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

#define SNP_PARSE                                                                                  \
    "{\"product\":\"Milan\",\"vek\":{\"kind\":\"vcek\",\"hwid\":\"3ac3\"},"                        \
    "\"report\":{\"format\":\"amd-sev-snp-report\",\"version\":3,\"guest_svn\":7,"                 \
    "\"policy\":{\"raw\":\"0x30000\",\"debug\":false,\"smt\":true},\"vmpl\":0,"                    \
    "\"measurement\":\"b07a\",\"host_data\":\"00\",\"report_data\":\"0102\","                      \
    "\"family_id\":\"f1\",\"image_id\":\"i1\",\"id_key_digest\":\"k1\","                           \
    "\"author_key_digest\":\"a1\",\"reported_tcb\":{\"raw\":\"0x44\",\"snp\":5},"                  \
    "\"committed_tcb\":{\"snp\":5},\"current_tcb\":{\"snp\":6},\"launch_tcb\":{\"snp\":4},"        \
    "\"current_firmware\":\"1.55.21\",\"committed_firmware\":\"1.55.20\",\"chip_id\":\"cc\","      \
    "\"signature\":{\"r_le\":\"00\",\"s_le\":\"00\"}}}"

Test(token_claims, snp_claim_set)
{
    json_t *parse = parse_json(SNP_PARSE);
    json_t *c = ear_token_claims(parse, false);
    cr_assert(c);
    static const char *const want[] = {
        "product", "signer", "version", "guest_svn", "policy", "debug", "vmpl", "measurement",
        "host_data", "report_data", "family_id", "image_id", "id_key_digest",
        "author_key_digest", "reported_tcb", "committed_tcb", "current_tcb", "launch_tcb",
        "current_firmware", "committed_firmware"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(json_object_get(c, want[i]), "SNP claim %s", want[i]);
    cr_expect_eq(json_object_size(c), sizeof want / sizeof want[0], "claim count");
    cr_expect_str_eq(str_at(c, "signer"), "vcek");
    cr_expect_str_eq(str_at(c, "policy"), "0x30000");
    cr_expect_str_eq(str_at(c, "measurement"), "b07a");
    cr_expect(json_is_false(json_object_get(c, "debug")));
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(c, "current_tcb"), "snp")), 6);
    /* the parse stays in the result: no signature, chip ID, VEK details */
    cr_expect_null(json_object_get(c, "report"));
    cr_expect_null(json_object_get(c, "chip_id"));
    cr_expect_null(json_object_get(c, "vek"));
    json_decref(c);
    json_decref(parse);
}

#define TDX_PARSE                                                                                  \
    "{\"quote\":{\"format\":\"intel-dcap-quote\",\"version\":4,\"tee\":\"tdx\","                   \
    "\"tee_tcb_svn\":\"0401\",\"mrseam\":\"ms\",\"mrsignerseam\":\"mss\","                         \
    "\"seam_attributes\":\"00\",\"td_attributes\":{\"raw\":\"0000001000000000\","                  \
    "\"debug\":false,\"sept_ve_disable\":true},\"xfam\":\"e7\",\"mrtd\":\"td\","                   \
    "\"mrconfigid\":\"cfg\",\"mrowner\":\"own\",\"mrownerconfig\":\"oc\",\"rtmr0\":\"r0\","        \
    "\"rtmr1\":\"r1\",\"rtmr2\":\"r2\",\"rtmr3\":\"r3\",\"report_data\":\"rd\","                   \
    "\"signature\":\"sig\",\"pck_chain_pem\":\"-----BEGIN CERTIFICATE-----\","                     \
    "\"qe_report\":{\"mrenclave\":\"qe\",\"mrsigner\":\"qs\",\"isvsvn\":6}},"                      \
    "\"pck\":{\"fmspc\":\"00806f050000\",\"ppid\":\"85d5\"},"                                      \
    "\"tcb_info\":{\"id\":\"TDX\"},\"tcb\":{\"status\":\"OutOfDate\","                             \
    "\"advisory_ids\":[\"INTEL-SA-00960\"],\"tdx_module_status\":\"UpToDate\"}}"

Test(token_claims, tdx_claim_set)
{
    json_t *parse = parse_json(TDX_PARSE);
    json_t *c = ear_token_claims(parse, false);
    cr_assert(c);
    static const char *const want[] = {
        "tee", "version", "tee_tcb_svn", "mrseam", "mrsignerseam", "seam_attributes",
        "td_attributes", "debug", "xfam", "mrtd", "mrconfigid", "mrowner", "mrownerconfig",
        "rtmr0", "rtmr1", "rtmr2", "rtmr3", "report_data", "fmspc", "tcb"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(json_object_get(c, want[i]), "TDX claim %s", want[i]);
    cr_expect_eq(json_object_size(c), sizeof want / sizeof want[0], "claim count");
    cr_expect_str_eq(str_at(c, "td_attributes"), "0000001000000000");
    cr_expect_str_eq(str_at(json_object_get(c, "tcb"), "status"), "OutOfDate");
    cr_expect_str_eq(json_string_value(json_array_get(
                         json_object_get(json_object_get(c, "tcb"), "advisory_ids"), 0)),
                     "INTEL-SA-00960");
    /* the QE's report is the quoting enclave's, not the TD's: not picked */
    cr_expect_null(json_object_get(c, "mrenclave"));
    cr_expect_null(json_object_get(c, "quote"));
    json_decref(c);
    json_decref(parse);
}

Test(token_claims, sgx_claim_set)
{
    json_t *parse = parse_json(
        "{\"quote\":{\"version\":3,\"tee\":\"sgx\",\"attributes\":{\"raw\":\"0700\","
        "\"debug\":true},\"mrenclave\":\"me\",\"mrsigner\":\"ms\",\"isvprodid\":1,"
        "\"isvsvn\":2,\"report_data\":\"rd\",\"signature\":\"sig\"},"
        "\"tcb\":{\"status\":\"UpToDate\",\"advisory_ids\":[]}}");
    json_t *c = ear_token_claims(parse, false);
    cr_assert(c);
    cr_expect_str_eq(str_at(c, "tee"), "sgx");
    cr_expect_str_eq(str_at(c, "mrenclave"), "me");
    cr_expect_str_eq(str_at(c, "mrsigner"), "ms");
    cr_expect_str_eq(str_at(c, "attributes"), "0700");
    cr_expect(json_is_true(json_object_get(c, "debug")));
    cr_expect_eq(json_integer_value(json_object_get(c, "isvsvn")), 2);
    cr_expect(json_object_get(c, "tcb"));
    cr_expect_null(json_object_get(c, "signature"));
    json_decref(c);
    json_decref(parse);
}

/* A GPU's parse as nv_appraise leaves it: NVIDIA's v3 claims and the
 * whole SPDM report (64 measurement blocks). */
static json_t *gpu_parse(int with_nonce)
{
    json_t *d = parse_json(
        "{\"x-nvidia-device-type\":\"gpu\",\"x-nvidia-gpu-vbios-version\":\"96.00.9F.00.01\","
        "\"x-nvidia-gpu-driver-version\":\"550.90.07\",\"hwmodel\":\"GH100 A01 GSP BROM\","
        "\"ueid\":\"478176379286082186618948445787393647364802107249\","
        "\"x-nvidia-gpu-attestation-report-cert-chain\":{\"x-nvidia-cert-status\":\"valid\"},"
        "\"x-nvidia-mismatch-measurement-records\":[],\"measres\":\"success\","
        "\"secboot\":true,\"dbgstat\":\"disabled\",\"x-nvidia-device-result\":true,"
        "\"report\":{\"feature_mode\":\"ppcie\",\"fwid\":\"f5c3\",\"blocks\":[]}}");
    json_t *blocks = json_object_get(json_object_get(d, "report"), "blocks");
    for (int i = 0; i < 64; i++)
        json_array_append_new(blocks, json_pack("{s:i, s:s}", "index", i + 1, "value",
                                                "000000000000000000000000000000000000000000000000"
                                                "000000000000000000000000000000000000000000000000"));
    if (with_nonce)
        json_object_set_new(d, "eat_nonce", json_string("931d8dd0"));
    return d;
}

Test(token_claims, nvidia_claim_set)
{
    json_t *parse = gpu_parse(1);
    json_t *c = ear_token_claims(parse, true);
    cr_assert(c);
    static const char *const want[] = {
        "x-nvidia-gpu-driver-version", "x-nvidia-gpu-vbios-version", "measres",
        "x-nvidia-mismatch-measurement-records", "hwmodel", "ueid", "secboot", "dbgstat",
        "eat_nonce", "mode"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(json_object_get(c, want[i]), "GPU claim %s", want[i]);
    cr_expect_eq(json_object_size(c), sizeof want / sizeof want[0], "claim count");
    cr_expect_str_eq(str_at(c, "mode"), "ppcie");
    cr_expect_str_eq(str_at(c, "x-nvidia-gpu-driver-version"), "550.90.07");
    cr_expect_null(json_object_get(c, "report"));
    json_decref(c);
    json_decref(parse);
    /* no nonce answered, no feature flag: both left out, never null */
    parse = gpu_parse(0);
    json_object_set_new(json_object_get(parse, "report"), "feature_mode", json_null());
    c = ear_token_claims(parse, true);
    cr_expect_null(json_object_get(c, "eat_nonce"));
    cr_expect_null(json_object_get(c, "mode"));
    json_decref(c);
    json_decref(parse);
}

#define AZURE_PARSE                                                                                \
    "{\"product\":\"Milan\",\"vek\":{\"kind\":\"vcek\"},\"report\":{\"vmpl\":0,"                   \
    "\"measurement\":\"m\"},\"azure\":{\"hcl\":{\"format\":\"azure-hcl-report\"},"                 \
    "\"runtime_claims\":{\"document\":{\"keys\":[{\"kid\":\"HCLAkPub\",\"n\":\"qR7L\"}],"          \
    "\"vm-configuration\":{\"secure-boot\":true,\"tpm-enabled\":true},"                            \
    "\"user-data\":\"00ff\"},\"ak\":{\"n\":\"a91e\"}},"                                            \
    "\"tpm_quote\":{\"extra_data\":\"6368616c6c656e6765\",\"clock_info\":{\"clock\":1},"           \
    "\"pcr_select\":{\"hash\":\"sha256\",\"pcrs\":[0,7]},\"pcr_digest\":\"0daf\","                 \
    "\"pcr_values\":{\"0\":\"f3a7\",\"7\":\"32fe\"}}}}"

Test(token_claims, azure_claim_set)
{
    json_t *parse = parse_json(AZURE_PARSE);
    json_t *c = ear_token_claims(parse, false);
    cr_assert(c);
    cr_expect_str_eq(str_at(c, "measurement"), "m", "the SNP claims as for bare SNP");
    json_t *az = json_object_get(c, "azure");
    cr_assert(json_is_object(az));
    cr_expect(json_is_true(json_object_get(az, "tpm_quote")));
    cr_expect_str_eq(str_at(az, "quote_nonce"), "6368616c6c656e6765");
    cr_expect_str_eq(str_at(az, "pcr_digest"), "0daf");
    cr_expect_str_eq(str_at(json_object_get(az, "pcrs"), "7"), "32fe");
    cr_expect(json_is_true(json_object_get(json_object_get(az, "vm-configuration"),
                                           "secure-boot")));
    cr_expect_str_eq(str_at(az, "user-data"), "00ff");
    cr_expect_eq(json_object_size(az), 6);
    json_decref(c);
    /* HCL report alone (no verified quote): tpm_quote false, no PCRs */
    json_object_del(json_object_get(parse, "azure"), "tpm_quote");
    c = ear_token_claims(parse, false);
    az = json_object_get(c, "azure");
    cr_expect(json_is_false(json_object_get(az, "tpm_quote")));
    cr_expect_null(json_object_get(az, "pcrs"));
    cr_expect_null(json_object_get(az, "quote_nonce"));
    json_decref(c);
    json_decref(parse);
}

/* ---- a composite result: cpu0 and 8 GPUs ------------------------------- */

static attest_result *composite_result(void)
{
    attest_result *r = attest_result_new();
    cr_assert(r);
    r->verified_at = tu_time("2025-06-01T12:00:00Z");
    r->claims = json_object();
    json_t *cpu = parse_json(SNP_PARSE);
    json_object_set_new(r->claims, "cpu0", cpu);
    json_t *devices = json_object();
    json_object_set_new(r->claims, "devices", devices);
    attest_check_pass(r, "snp.report.signature", "verified");
    for (int i = 0; i < 8; i++) {
        char name[8], check[32];
        snprintf(name, sizeof name, "gpu%d", i);
        json_object_set_new(devices, name, gpu_parse(0));
        snprintf(check, sizeof check, "%s.report.signature", name);
        attest_check_pass(r, check, "verified");
    }
    ear_add_submod(r, "cpu0", NULL, 0, r->count, cpu, "policy:snp");
    const char *name;
    json_t *dev;
    json_object_foreach(devices, name, dev)
        ear_add_submod(r, name, name, 0, r->count, dev, "policy:nvidia");
    ear_finish(r);
    return r;
}

static char *new_key_pem(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    BIO *b = BIO_new(BIO_s_mem());
    cr_assert(k && b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1);
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    char *pem = strndup(p, (size_t)n);
    BIO_free(b);
    EVP_PKEY_free(k);
    return pem;
}

/* The payload of a compact JWS, parsed. */
static json_t *payload(const char *tok)
{
    const char *p = strchr(tok, '.');
    cr_assert(p);
    const char *q = strchr(p + 1, '.');
    cr_assert(q);
    uint8_t *raw = NULL;
    size_t len = 0;
    cr_assert_eq(attest_base64url_decode(p + 1, (size_t)(q - p - 1), &raw, &len), 0);
    json_error_t err;
    json_t *j = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, &err);
    free(raw);
    cr_assert(j, "%s", err.text);
    return j;
}

Test(token_claims, composite_8_gpus_token_is_compact)
{
    attest_result *r = composite_result();
    char *pem = new_key_pem();
    attest_token_key *key = NULL;
    cr_assert_eq(attest_token_key_new(&key, pem, strlen(pem)), ATTEST_OK, "%s",
                 attest_error_last());
    char *tok = NULL;
    cr_assert_eq(attest_token_sign_key(&tok, r, key, TC_LIFETIME, 0), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_lt(strlen(tok), 16u * 1024u, "8-GPU token of %zu bytes", strlen(tok));
    json_t *c = payload(tok);
    json_t *subs = json_object_get(c, "submods");
    cr_expect_eq(json_object_size(subs), 9u);
    cr_expect_str_eq(str_at(json_object_get(json_object_get(subs, "gpu7"), "x-attest-claims"),
                            "x-nvidia-gpu-driver-version"),
                     "550.90.07");
    cr_expect_null(json_object_get(c, "x-attest-evidence-claims"));
    cr_expect_null(strstr(tok, "blocks"));
    json_decref(c);
    /* the parse stays available in the result JSON */
    char *result_json = NULL;
    cr_assert_eq(attest_result_to_json(&result_json, r), ATTEST_OK);
    cr_expect(strstr(result_json, "\"blocks\""));
    cr_expect(strstr(result_json, "\"chip_id\""));
    attest_string_free(result_json);
    /* attest_token_sign (PEM read per call) signs the same claims */
    char *tok2 = NULL;
    cr_assert_eq(attest_token_sign(&tok2, r, pem, strlen(pem), TC_LIFETIME), ATTEST_OK);
    json_t *a = payload(tok), *b = payload(tok2);
    cr_expect(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    attest_string_free(tok2);
    attest_string_free(tok);
    attest_token_key_free(key);
    free(pem);
    attest_result_free(r);
}

Test(token_claims, verbose_token_carries_the_parse)
{
    attest_result *r = composite_result();
    char *pem = new_key_pem();
    attest_token_key *key = NULL;
    cr_assert_eq(attest_token_key_new(&key, pem, strlen(pem)), ATTEST_OK);
    char *tok = NULL;
    cr_assert_eq(attest_token_sign_key(&tok, r, key, TC_LIFETIME, ATTEST_TOKEN_VERBOSE),
                 ATTEST_OK, "%s", attest_error_last());
    json_t *c = payload(tok);
    json_t *full = json_object_get(c, "x-attest-evidence-claims");
    cr_assert(json_is_object(full));
    cr_expect(json_equal(full, r->claims), "the whole parse, as the result holds it");
    cr_expect(json_object_get(json_object_get(c, "submods"), "gpu0"), "submods as always");
    json_decref(c);
    attest_string_free(tok);
    /* unknown flags are refused, not ignored */
    cr_expect_eq(attest_token_sign_key(&tok, r, key, TC_LIFETIME, 2u), ATTEST_E_INVALID_ARG);
    cr_expect_null(tok);
    cr_expect_eq(attest_token_sign_key(&tok, r, key, 0, 0), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_token_sign_key(&tok, r, NULL, TC_LIFETIME, 0), ATTEST_E_INVALID_ARG);
    attest_token_key_free(key);
    free(pem);
    attest_result_free(r);
}

Test(token_claims, token_key_refuses_what_token_sign_refuses)
{
    attest_token_key *key = NULL;
    cr_expect_eq(attest_token_key_new(&key, "junk", 4), ATTEST_E_INVALID_ARG);
    cr_expect_null(key);
    cr_expect_eq(attest_token_key_new(&key, NULL, 0), ATTEST_E_INVALID_ARG);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    BIO *b = BIO_new(BIO_s_mem());
    cr_assert(k && b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1);
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    cr_expect_eq(attest_token_key_new(&key, p, (size_t)n), ATTEST_E_INVALID_ARG);
    cr_expect(strstr(attest_error_last(), "secp521r1"), "%s", attest_error_last());
    cr_expect_null(key);
    BIO_free(b);
    EVP_PKEY_free(k);
    attest_token_key_free(NULL);
}
