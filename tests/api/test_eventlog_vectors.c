/* Event logs of ../shared/vectors/refvalues (MANIFEST.md): T01..T05 replay
 * to their quotes' RTMRs, the T01 negative is refused for its duplicated
 * separator, P01/P02 replay to their PCRs, and edits of the real logs in
 * memory fail each with its own code.
 *
 * T01 (FMSPC 00806F050000) and T03 (90C06F000000) are verified end to end
 * with Intel collateral of their FMSPC from vectors/tdx at an instant
 * inside it. T02 (C0806F000000), T04 (PCK issued 2026-04-15, after the
 * stored 90C06F000000 collateral) and T05 (50806F000000, PCK issued after
 * the stored collateral expired) have no usable collateral there: their
 * logs are replayed against the parsed quote's RTMRs (the quote's
 * signature is covered by tests/api/test_vectors_dcap.c's sets, not here). */
#include "testutil.h"
#include "api/api.h"
#include "appraise/dcap_appraise.h"
#include "appraise/eventlog.h"
#include "parse/dcap_quote.h"
#include "parse/tcg_eventlog.h"
#include "parse/tpm_attest.h"

#include <openssl/evp.h>

#define REF "refvalues/"

static uint8_t *load(const char *rel, size_t *len)
{
    char path[512];
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

static void add_bytes(attest_collateral *c, const uint8_t *data, size_t len, const char *what)
{
    cr_assert_eq(attest_collateral_add(c, data, len), ATTEST_OK, "%s: %s", what,
                 attest_error_last());
}

static void add_shared(attest_collateral *c, const char *rel)
{
    size_t len;
    uint8_t *data = load(rel, &len);
    add_bytes(c, data, len, rel);
    free(data);
}

/* The quote's RTMRs, parsed (not verified: see the header comment). */
static void quote_rtmrs(const char *rel, uint8_t rtmr[4][48])
{
    attest_evidence *ev = tu_parse_shared(rel);
    cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_DCAP_QUOTE);
    memcpy(rtmr, ev->dcap->td.rtmr, sizeof ev->dcap->td.rtmr);
    attest_evidence_free(ev);
}

/* Replay the collateral's logs against `rtmr`; the result's status. */
static int appraise(const uint8_t rtmr[4][48], const attest_collateral *c, const char *policy,
                    char *reason, size_t n)
{
    attest_result *r = attest_result_new();
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    json_t *claims = json_object();
    int st = eventlog_appraise_tdx(r, rtmr, c, p ? &p->tdx->event_log : NULL, claims);
    cr_assert_eq(st, r->status);
    snprintf(reason, n, "%s", r->reason ? r->reason : "");
    json_decref(claims);
    attest_policy_free(p);
    attest_result_free(r);
    return st;
}

static int replay_files(const char *quote, const char *const *logs, size_t count,
                        char *reason, size_t n)
{
    uint8_t rtmr[4][48];
    attest_collateral *c = NULL;
    quote_rtmrs(quote, rtmr);
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; i < count; i++)
        add_shared(c, logs[i]);
    int st = appraise(rtmr, c, NULL, reason, n);
    attest_collateral_free(c);
    return st;
}

Test(eventlog_vectors, t02_t04_t05_replay_to_parsed_quote)
{
    static const char *const t02[] = {REF "tdx/T02_cmc_ovmf_mrtd/UNPAIRED_ccel_other_boot.bin"};
    static const char *const t04[] = {REF "tdx/T04_dstack_tdx_lite/event_log.json"};
    static const char *const t05[] = {REF "tdx/T05_trustee_aael_v0/AAEL_data_1.txt"};
    char reason[512];
    cr_expect_eq(replay_files(REF "tdx/T04_dstack_tdx_lite/quote.bin", t04, 1, reason,
                              sizeof reason), ATTEST_OK, "T04: %s", reason);
    cr_expect_eq(replay_files(REF "tdx/T05_trustee_aael_v0/quote.bin", t05, 1, reason,
                              sizeof reason), ATTEST_OK, "T05: %s", reason);
    /* T02's own log is only a digest list; its other boot's raw CCEL is
     * a log for another quote: rejected on the registers that differ. */
    cr_expect_eq(replay_files(REF "tdx/T02_cmc_ovmf_mrtd/quote.bin", t02, 1, reason,
                              sizeof reason), ATTEST_E_EVENTLOG_STRUCTURE, "T02 other boot: %s",
                 reason);
}

/* Verify a quote with Intel collateral of its FMSPC and the logs. */
typedef struct tdx_set {
    const char *quote, *tcb_info, *qe_identity, *pck_crl, *root_crl, *chain, *at;
} tdx_set;

static const tdx_set t01 = {
    REF "tdx/T01_gotdx_cos113/quote.bin", "tdx/collateral/tcbinfo_tdx_v3_00806F050000_2024-09-10.json",
    "tdx/collateral/qe_identity_td_2024-09-10.json", "tdx/crl/pck_crl_platform_2025-02-13.der",
    "tdx/crl/root_ca_crl_2024-03-20.der", "tdx/certs/tcb_signing_2018-05-21_chain.pem",
    "2024-09-10T06:49:00Z"};

#define POLICY_ANY_TCB                                                                    \
    "{\"tdx\":{\"accepted_tcb_statuses\":[\"UpToDate\",\"SWHardeningNeeded\","             \
    "\"ConfigurationNeeded\",\"ConfigurationAndSWHardeningNeeded\",\"OutOfDate\","         \
    "\"OutOfDateConfigurationNeeded\"],\"allow_expired_collateral\":true,"                \
    "\"allow_debug\":true,\"require_sept_ve_disable\":false%s}}"

static attest_result *verify_set(const tdx_set *s, attest_collateral *c, const char *extra)
{
    char policy[1024];
    add_shared(c, s->tcb_info);
    add_shared(c, s->qe_identity);
    add_shared(c, s->pck_crl);
    add_shared(c, s->root_crl);
    add_shared(c, s->chain);
    snprintf(policy, sizeof policy, POLICY_ANY_TCB, extra ? extra : "");
    attest_evidence *ev = tu_parse_shared(s->quote);
    attest_verifier *v = NULL;
    attest_verifier_new(&v);
    attest_verifier_set_time(v, tu_time(s->at));
    attest_policy *p = tu_policy(policy);
    attest_result *r = NULL;
    attest_verify(&r, v, ev, c, p, NULL, 0);
    cr_assert(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_evidence_free(ev);
    return r;
}

static bool check_passed(const attest_result *r, const char *name)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name))
            return attest_result_check_outcome(r, i) == ATTEST_CHECK_PASS;
    return false;
}

Test(eventlog_vectors, t01_verifies_with_its_ccel, .timeout = 60)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    add_shared(c, REF "tdx/T01_gotdx_cos113/ccel_table.bin");
    add_shared(c, REF "tdx/T01_gotdx_cos113/ccel_data.bin");
    attest_result *r = verify_set(&t01, c, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_OK, "%s", attest_result_reason(r));
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "tdx.event_log.rtmr%d", i);
        cr_expect(check_passed(r, name), "%s", name);
    }
    json_t *doc = tu_result_json(r);
    json_t *named = json_object_get(json_object_get(json_object_get(doc, "claims"),
                                                    "event_log"), "named");
    cr_expect(json_string_value(json_object_get(named, "kernel_cmdline")), "claims: %s",
              json_dumps(named, 0));
    json_decref(doc);
    attest_result_free(r);
    attest_collateral_free(c);
}

Test(eventlog_vectors, t01_pinned_events_by_policy, .timeout = 60)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    add_shared(c, REF "tdx/T01_gotdx_cos113/ccel_data.bin");
    attest_result *r = verify_set(&t01, c,
                                  ",\"event_log\":{\"required\":true,\"events\":{"
                                  "\"grub_commands\":[\"nothing\"]}}");
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_EVENT_LOG, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
    attest_collateral_free(c);
}

Test(eventlog_vectors, t01_negative_duplicated_separator)
{
    static const char *const neg[] = {REF "tdx/T01_gotdx_cos113/NEG_dupe_separator_ccel_table.bin",
                                      REF "tdx/T01_gotdx_cos113/NEG_dupe_separator_unpadded.bin"};
    char reason[512];
    cr_expect_eq(replay_files(REF "tdx/T01_gotdx_cos113/quote.bin", neg, 2, reason,
                              sizeof reason), ATTEST_E_EVENTLOG_STRUCTURE, "%s", reason);
    cr_expect(strstr(reason, "second separator"), "%s", reason);
}

Test(eventlog_vectors, t03_verifies_with_dstack_log, .timeout = 60)
{
    static const tdx_set t03 = {
        REF "tdx/T03_dstack_quote_report/quote.bin",
        "tdx/bundles/dcapqvl_tdx_90C06F000000_2026-02-18.tcb_info.json",
        "tdx/bundles/dcapqvl_tdx_90C06F000000_2026-02-18.qe_identity.json",
        "tdx/crl/pck_crl_platform_2026-02-18.der", "tdx/crl/root_ca_crl_2025-03-20.der",
        "tdx/certs/tcb_signing_2025-05-06_chain.pem", "2026-02-18T11:58:00Z"};
    static const char *const logs[] = {REF "tdx/T03_dstack_quote_report/event_log.json"};
    char reason[512];
    cr_expect_eq(replay_files(t03.quote, logs, 1, reason, sizeof reason), ATTEST_OK, "%s",
                 reason);
}

/* ---- negatives: the real T01 log edited in memory ---------------------- */

typedef struct t01_log {
    uint8_t *data;
    size_t len;
    tcg_eventlog *parsed; /* of the unedited bytes, to find the events */
    uint8_t rtmr[4][48];
} t01_log;

static void t01_load(t01_log *t)
{
    t->data = load(REF "tdx/T01_gotdx_cos113/ccel_data.bin", &t->len);
    cr_assert_eq(tcg_eventlog_parse(&t->parsed, t->data, t->len), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert_eq(t->parsed->count, 43);
    quote_rtmrs(REF "tdx/T01_gotdx_cos113/quote.bin", t->rtmr);
}

static void t01_free(t01_log *t)
{
    tcg_eventlog_free(t->parsed);
    free(t->data);
}

/* The edited bytes as the only log; the appraisal's status. */
static int t01_appraise(const t01_log *t, size_t len, char *reason, size_t n)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    int st = attest_collateral_add(c, t->data, len);
    if (st == ATTEST_OK)
        st = appraise(t->rtmr, c, NULL, reason, n);
    else
        snprintf(reason, n, "%s", attest_error_last());
    attest_collateral_free(c);
    return st;
}

Test(eventlog_vectors, t01_unedited_replays)
{
    t01_log t;
    char reason[512];
    t01_load(&t);
    cr_expect_eq(t01_appraise(&t, t.len, reason, sizeof reason), ATTEST_OK, "%s", reason);
    t01_free(&t);
}

/* Event 41 is the EV_EFI_ACTION "Exit Boot Services Invocation" in MR 2. */
Test(eventlog_vectors, neg_event_digest_changed)
{
    t01_log t;
    char reason[512];
    t01_load(&t);
    cr_assert_eq(t.parsed->events[41].type, TCG_EV_EFI_ACTION);
    t.data[t.parsed->events[41].digest_off[0]] ^= 1;
    cr_expect_eq(t01_appraise(&t, t.len, reason, sizeof reason), ATTEST_E_EVENTLOG_DIGEST, "%s",
                 reason);
    cr_expect(strstr(reason, "event 41"), "%s", reason);
    t01_free(&t);
}

Test(eventlog_vectors, neg_event_moved_to_another_register)
{
    t01_log t;
    char reason[512];
    t01_load(&t);
    t.data[t.parsed->events[41].offset] = 3; /* CC MR index 2 (RTMR1) -> 3 (RTMR2) */
    cr_expect_eq(t01_appraise(&t, t.len, reason, sizeof reason), ATTEST_E_EVENTLOG_STRUCTURE,
                 "%s", reason);
    cr_expect(strstr(reason, "belongs to RTMR1"), "%s", reason);
    t01_free(&t);
}

Test(eventlog_vectors, neg_truncated_log)
{
    t01_log t;
    char reason[512];
    t01_load(&t);
    size_t cut = t.parsed->events[30].data_off + 3; /* inside event 30's data */
    cr_expect_eq(t01_appraise(&t, cut, reason, sizeof reason), ATTEST_E_TRUNCATED, "%s",
                 reason);
    cr_expect(strstr(reason, "tcg_log.event[30].data"), "%s", reason);
    t01_free(&t);
}

Test(eventlog_vectors, neg_index_outside_registers)
{
    t01_log t;
    char reason[512];
    t01_load(&t);
    t.data[t.parsed->events[20].offset] = 5;
    cr_expect_eq(t01_appraise(&t, t.len, reason, sizeof reason), ATTEST_E_EVENTLOG_STRUCTURE,
                 "%s", reason);
    cr_expect(strstr(reason, "CC MR index 5"), "%s", reason);
    t01_free(&t);
}

Test(eventlog_vectors, neg_log_longer_than_its_table)
{
    t01_log t;
    char reason[512];
    size_t tlen;
    t01_load(&t);
    uint8_t *table = load(REF "tdx/T01_gotdx_cos113/ccel_table.bin", &tlen);
    cr_assert_eq(tlen, 56);
    memset(table + 40, 0, 8);
    table[41] = 0x10; /* LAML 0x40000 -> 0x1000: 4 KiB, the events need 18101 bytes */
    uint8_t sum = 0;
    table[9] = 0;
    for (size_t i = 0; i < tlen; i++)
        sum = (uint8_t)(sum + table[i]);
    table[9] = (uint8_t)(0x100 - sum);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    add_bytes(c, table, tlen, "edited table");
    add_bytes(c, t.data, t.len, "T01 log");
    cr_expect_eq(appraise(t.rtmr, c, NULL, reason, sizeof reason), ATTEST_E_EVENTLOG_TABLE, "%s",
                 reason);
    attest_collateral_free(c);
    free(table);
    t01_free(&t);
}

Test(eventlog_vectors, neg_log_for_another_quote)
{
    static const char *const t03_log[] = {REF "tdx/T03_dstack_quote_report/event_log.json"};
    char reason[512];
    cr_expect_eq(replay_files(REF "tdx/T04_dstack_tdx_lite/quote.bin", t03_log, 1, reason,
                              sizeof reason), ATTEST_E_EVENTLOG_REPLAY, "%s", reason);
    cr_expect(strstr(reason, "RTMR"), "%s", reason);
}

/* A log given with a quote whose policy does not ask for one is still
 * checked: the verification is rejected. */
Test(eventlog_vectors, given_log_checked_without_policy, .timeout = 60)
{
    t01_log t;
    t01_load(&t);
    t.data[t.parsed->events[41].digest_off[0]] ^= 1;
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    add_bytes(c, t.data, t.len, "edited T01 log");
    attest_result *r = verify_set(&t01, c, NULL);
    cr_expect_eq(attest_result_status(r), ATTEST_E_EVENTLOG_DIGEST, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
    attest_collateral_free(c);
    t01_free(&t);
}

Test(eventlog_vectors, required_log_absent, .timeout = 60)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    attest_result *r = verify_set(&t01, c, ",\"event_log\":{\"required\":true}");
    cr_expect_eq(attest_result_status(r), ATTEST_E_POLICY_EVENT_LOG, "%s",
                 attest_result_reason(r));
    attest_result_free(r);
    attest_collateral_free(c);
}

Test(eventlog_vectors, dstack_runtime_digest_changed)
{
    size_t len;
    uint8_t *data = load(REF "tdx/T03_dstack_quote_report/event_log.json", &len);
    /* The stored digest of "system-ready" (a runtime event), one digit changed. */
    char *at = strstr((char *)data, "1a76b2a80a0be71e");
    cr_assert(at);
    at[0] = '2';
    uint8_t rtmr[4][48];
    char reason[512];
    quote_rtmrs(REF "tdx/T03_dstack_quote_report/quote.bin", rtmr);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    add_bytes(c, data, len, "edited dstack log");
    cr_expect_eq(appraise(rtmr, c, NULL, reason, sizeof reason), ATTEST_E_EVENTLOG_DIGEST, "%s",
                 reason);
    cr_expect(strstr(reason, "system-ready"), "%s", reason);
    attest_collateral_free(c);
    free(data);
}

Test(eventlog_vectors, dstack_runtime_events_pinned_by_name)
{
    static const char *const logs[] = {REF "tdx/T03_dstack_quote_report/event_log.json"};
    uint8_t rtmr[4][48];
    char reason[512];
    quote_rtmrs(REF "tdx/T03_dstack_quote_report/quote.bin", rtmr);
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    add_shared(c, logs[0]);
    const char *good = "{\"tdx\":{\"event_log\":{\"required\":true,\"events\":{"
                       "\"runtime.app-id\":\"3763bc34552cf3a27ff71ad5f7a90471562a1a2d\"}}}}";
    const char *bad = "{\"tdx\":{\"event_log\":{\"required\":true,\"events\":{"
                      "\"runtime.app-id\":\"3763bc34552cf3a27ff71ad5f7a90471562a1a2e\"}}}}";
    cr_expect_eq(appraise(rtmr, c, good, reason, sizeof reason), ATTEST_OK, "%s", reason);
    cr_expect_eq(appraise(rtmr, c, bad, reason, sizeof reason), ATTEST_E_POLICY_EVENT_LOG, "%s",
                 reason);
    attest_collateral_free(c);
}

Test(eventlog_vectors, aael_in_ccel_parses_with_named_entries)
{
    size_t len;
    uint8_t *data = load(REF "tdx/U_unpaired_ccel/trustee_CCEL_AAEL_alibabacloud.bin", &len);
    char *json = NULL;
    cr_assert_eq(attest_eventlog_to_json(&json, data, len), ATTEST_OK, "%s", attest_error_last());
    cr_expect(strstr(json, "\"ccel-log\""), "%.200s", json);
    attest_string_free(json);
    free(data);
}

/* ---- TPM: P01 (three banks, PCR values of the quotes), P02 ------------- */

static void check_bank(const tcg_eventlog *log, uint16_t alg, const char *pcrs_rel,
                       size_t size)
{
    size_t len;
    uint8_t *values = load(pcrs_rel, &len);
    cr_assert_eq(len, 24 * size);
    attest_result *r = attest_result_new();
    cr_expect_eq(eventlog_check_pcrs(r, log, alg, 0xFFFFFFu, values, len), ATTEST_OK, "%s: %s",
                 pcrs_rel, r->reason ? r->reason : "");
    values[9 * size] ^= 1; /* PCR 9 (GRUB files) no longer what the log says */
    attest_result_free(r);
    r = attest_result_new();
    cr_expect_eq(eventlog_check_pcrs(r, log, alg, 0xFFFFFFu, values, len),
                 ATTEST_E_EVENTLOG_REPLAY);
    cr_expect(r->reason && strstr(r->reason, "pcr9"), "%s", r->reason ? r->reason : "");
    attest_result_free(r);
    free(values);
}

/* The SHA-256 bank's PCR values are those the signed quote covers: its
 * TPMS_ATTEST (tpm_attest.c, as the Azure vTPM path reads it) selects
 * PCR 0..23 and its pcrDigest is SHA-256 over the values in order. */
Test(eventlog_vectors, p01_pcr_values_are_the_quoted_ones)
{
    size_t qlen, vlen;
    uint8_t *quote = load(REF "tpm/P01_gce_cos85/quote_sha256.tpms_attest", &qlen);
    uint8_t *values = load(REF "tpm/P01_gce_cos85/pcrs_sha256.bin", &vlen);
    attest_tpm_attest q;
    cr_assert_eq(attest_tpm_attest_parse(&q, quote, qlen), ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(attest_tpm_pcr_count(&q), 24);
    uint8_t digest[32];
    EVP_Digest(values, vlen, digest, NULL, EVP_sha256(), NULL);
    cr_assert_eq(q.pcr_digest_len, 32);
    cr_expect(memcmp(digest, q.pcr_digest, 32) == 0);
    free(values);
    free(quote);
}

Test(eventlog_vectors, p01_replays_to_quoted_pcrs)
{
    size_t len;
    uint8_t *data = load(REF "tpm/P01_gce_cos85/event_log.bin", &len);
    attest_item_kind kind;
    cr_assert_eq(attest_classify(&kind, data, len), ATTEST_OK);
    cr_expect_eq(kind, ATTEST_ITEM_TCG_LOG);
    tcg_eventlog *log = NULL;
    cr_assert_eq(tcg_eventlog_parse(&log, data, len), ATTEST_OK, "%s", attest_error_last());
    check_bank(log, TCG_ALG_SHA1, REF "tpm/P01_gce_cos85/pcrs_sha1.bin", 20);
    check_bank(log, TCG_ALG_SHA256, REF "tpm/P01_gce_cos85/pcrs_sha256.bin", 32);
    check_bank(log, TCG_ALG_SHA384, REF "tpm/P01_gce_cos85/pcrs_sha384.bin", 48);
    tcg_eventlog_free(log);
    free(data);
}

/* expected_pcrs.json: {file: {pcrs: {bank: {index: hex}}}}. */
static void p02_file(json_t *expected, const char *file)
{
    char rel[256];
    size_t len;
    snprintf(rel, sizeof rel, REF "tpm/P02_gce_logs/%s", file);
    uint8_t *data = load(rel, &len);
    tcg_eventlog *log = NULL;
    cr_assert_eq(tcg_eventlog_parse(&log, data, len), ATTEST_OK, "%s: %s", file,
                 attest_error_last());
    const char *bank;
    json_t *pcrs;
    json_object_foreach(json_object_get(json_object_get(expected, file), "pcrs"), bank, pcrs) {
        uint16_t alg = !strcmp(bank, "sha1") ? TCG_ALG_SHA1 : TCG_ALG_SHA256;
        size_t size = alg == TCG_ALG_SHA1 ? 20 : 32;
        uint8_t values[TPM_PCR_COUNT * 32], *at = values;
        uint32_t selected = 0;
        for (int i = 0; i < TPM_PCR_COUNT; i++) {
            char key[8];
            snprintf(key, sizeof key, "%d", i);
            const char *hex = json_string_value(json_object_get(pcrs, key));
            if (!hex)
                continue;
            cr_assert_eq(attest_hex_decode(at, size, hex), 0);
            at += size;
            selected |= 1u << i;
        }
        attest_result *r = attest_result_new();
        cr_expect_eq(eventlog_check_pcrs(r, log, alg, selected, values, (size_t)(at - values)),
                     ATTEST_OK, "%s %s: %s", file, bank, r->reason ? r->reason : "");
        attest_result_free(r);
    }
    tcg_eventlog_free(log);
    free(data);
}

Test(eventlog_vectors, p02_replays_to_expected_pcrs)
{
    size_t len;
    uint8_t *text = load(REF "tpm/P02_gce_logs/expected_pcrs.json", &len);
    json_t *expected = json_loadb((const char *)text, len, 0, NULL);
    cr_assert(expected);
    p02_file(expected, "ubuntu-2404-amd-sevsnp.bin");
    p02_file(expected, "gdc-host.bin"); /* StartupLocality 3 */
    json_decref(expected);
    free(text);
}
