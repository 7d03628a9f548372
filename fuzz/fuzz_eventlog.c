/* libFuzzer harness: the event-log parsers (TCG crypto-agile / CCEL log,
 * CCEL table, dstack JSON log, AA text log), the collateral path that
 * keeps them, and the TDX replay of whatever parses against zero RTMRs,
 * must never crash, leak or over-read. Seeds: fuzz/seed_eventlog.py
 * (generated logs, never copies of the shared vectors). */
#include "api/eventlog_items.h"
#include "appraise/eventlog.h"
#include "parse/ccel.h"
#include "parse/dstack_eventlog.h"
#include "parse/tcg_eventlog.h"

#include <stdint.h>
#include <stdlib.h>

static void parsers(const uint8_t *data, size_t size)
{
    tcg_eventlog *log = NULL;
    if (tcg_eventlog_parse(&log, data, size) == ATTEST_OK) {
        uint8_t pcrs[TPM_PCR_COUNT][TCG_DIGEST_MAX];
        uint32_t extended;
        json_decref(tcg_eventlog_to_json(log));
        for (size_t i = 0; i < log->alg_count; i++)
            eventlog_replay_pcrs(log, log->algs[i].id, pcrs, &extended);
        tcg_eventlog_free(log);
    }
    ccel_table t;
    if (ccel_table_parse(&t, data, size) == ATTEST_OK)
        json_decref(ccel_table_to_json(&t));
    dstack_eventlog *d = NULL;
    if (dstack_eventlog_parse(&d, data, size) == ATTEST_OK) {
        json_decref(dstack_eventlog_to_json(d));
        dstack_eventlog_free(d);
    }
    aael_log *a = NULL;
    if (aael_log_parse(&a, data, size) == ATTEST_OK) {
        json_decref(aael_log_to_json(a));
        aael_log_free(a);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parsers(data, size);
    attest_collateral *c = NULL;
    if (attest_collateral_new(&c) != ATTEST_OK)
        return 0;
    if (attest_collateral_add(c, data, size) == ATTEST_OK) {
        static const uint8_t rtmr[4][48];
        attest_result *r = attest_result_new();
        json_t *claims = json_object();
        eventlog_appraise_tdx(r, rtmr, c, NULL, claims);
        json_decref(claims);
        attest_result_free(r);
    }
    attest_collateral_free(c);
    char *json = NULL;
    if (attest_eventlog_to_json(&json, data, size) == ATTEST_OK)
        attest_string_free(json);
    return 0;
}
