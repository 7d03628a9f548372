/* Event logs as collateral (eventlog_items.h, docs/eventlog.md). */
#include "eventlog_items.h"
#include "../parse/ccel.h"
#include "../parse/dstack_eventlog.h"
#include "../parse/tcg_eventlog.h"

#include <stdlib.h>
#include <string.h>

attest_item_kind attest_eventlog_kind(const uint8_t *data, size_t len)
{
    if (!data || len == 0)
        return ATTEST_ITEM_UNKNOWN;
    if (ccel_table_detect(data, len))
        return ATTEST_ITEM_CCEL_TABLE;
    if (tcg_eventlog_detect(data, len)) {
        /* Spec ID event: number of algorithms at 56, the first id at 60.
         * One SHA-384 (TDX) or SM3 (CSV) bank: a CCEL log; else a TPM's. */
        bool one = len >= 62 && attest_le32(data + 56) == 1;
        uint16_t alg = one ? attest_le16(data + 60) : 0;
        return alg == TCG_ALG_SHA384 || alg == TCG_ALG_SM3 ? ATTEST_ITEM_CCEL_LOG
                                                            : ATTEST_ITEM_TCG_LOG;
    }
    if (aael_log_detect(data, len))
        return ATTEST_ITEM_AAEL_LOG;
    if (dstack_eventlog_detect(data, len))
        return ATTEST_ITEM_DSTACK_LOG;
    return ATTEST_ITEM_UNKNOWN;
}

static int second(const char *what)
{
    return attest_set_error(ATTEST_E_INVALID_ARG,
                            "collateral: a second %s (one verification checks one boot's logs)",
                            what);
}

static int add_ccel_table(attest_collateral *c, const uint8_t *data, size_t len)
{
    if (c->ccel_table)
        return second("CCEL table");
    ccel_table *t = malloc(sizeof *t);
    if (!t)
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    int st = ccel_table_parse(t, data, len);
    if (st != ATTEST_OK) {
        free(t);
        return st;
    }
    c->ccel_table = t;
    return ATTEST_OK;
}

static int add_tcg(attest_collateral *c, bool ccel, const uint8_t *data, size_t len)
{
    tcg_eventlog **slot = ccel ? &c->ccel_log : &c->tpm_log;
    if (*slot)
        return second(ccel ? "CCEL log" : "TPM event log");
    tcg_eventlog *log = NULL;
    int st = tcg_eventlog_parse(&log, data, len);
    if (st == ATTEST_OK && tcg_eventlog_is_ccel(log) != ccel) {
        tcg_eventlog_free(log);
        return attest_set_error(ATTEST_E_MALFORMED, "tcg_log.spec_id: banks changed kind");
    }
    if (st == ATTEST_OK)
        *slot = log;
    return st;
}

int attest_collateral_add_eventlog(attest_collateral *c, attest_item_kind kind,
                                   const uint8_t *data, size_t len)
{
    int st;
    switch (kind) {
    case ATTEST_ITEM_CCEL_TABLE:
        return add_ccel_table(c, data, len);
    case ATTEST_ITEM_CCEL_LOG:
    case ATTEST_ITEM_TCG_LOG:
        return add_tcg(c, kind == ATTEST_ITEM_CCEL_LOG, data, len);
    case ATTEST_ITEM_DSTACK_LOG:
        if (c->dstack_log)
            return second("dstack event log");
        return dstack_eventlog_parse(&c->dstack_log, data, len);
    case ATTEST_ITEM_AAEL_LOG:
        if (c->aael_log)
            return second("AA event log");
        st = aael_log_parse(&c->aael_log, data, len);
        return st;
    default:
        return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN, "collateral: not an event log");
    }
}

void attest_collateral_free_eventlogs(attest_collateral *c)
{
    free(c->ccel_table);
    tcg_eventlog_free(c->ccel_log);
    tcg_eventlog_free(c->tpm_log);
    dstack_eventlog_free(c->dstack_log);
    aael_log_free(c->aael_log);
}

static json_t *eventlog_json(attest_item_kind kind, const uint8_t *data, size_t len)
{
    attest_collateral c;
    memset(&c, 0, sizeof c);
    if (attest_collateral_add_eventlog(&c, kind, data, len) != ATTEST_OK)
        return NULL;
    json_t *o = NULL;
    if (c.ccel_table)
        o = ccel_table_to_json(c.ccel_table);
    else if (c.ccel_log || c.tpm_log)
        o = tcg_eventlog_to_json(c.ccel_log ? c.ccel_log : c.tpm_log);
    else if (c.dstack_log)
        o = dstack_eventlog_to_json(c.dstack_log);
    else if (c.aael_log)
        o = aael_log_to_json(c.aael_log);
    attest_collateral_free_eventlogs(&c);
    if (!o)
        attest_set_error(ATTEST_E_NOMEM, "event log: out of memory");
    return o;
}

int attest_eventlog_to_json(char **out, const uint8_t *data, size_t len)
{
    if (!out || !data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "event log: NULL argument");
    *out = NULL;
    attest_item_kind kind = attest_eventlog_kind(data, len);
    if (kind == ATTEST_ITEM_UNKNOWN)
        return attest_set_error(ATTEST_E_FORMAT_UNKNOWN,
                                "event log: %zu bytes are no CCEL table, CCEL or TPM log, "
                                "dstack JSON log or AA event log", len);
    json_t *inner = eventlog_json(kind, data, len);
    if (!inner)
        return attest_error_last_status();
    json_t *o = json_pack("{s:s, s:o}", "kind", attest_item_kind_name(kind), "log", inner);
    *out = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return *out ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "event log: out of memory");
}
