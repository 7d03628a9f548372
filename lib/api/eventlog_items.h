/* Event logs as collateral items (collateral_eventlog.c): recognised by
 * content for attest_classify and attest_collateral_add, kept parsed in
 * the collateral (one of each kind), shown by attest_eventlog_to_json. */
#ifndef ATTEST_EVENTLOG_ITEMS_H
#define ATTEST_EVENTLOG_ITEMS_H

#include "api.h"

/* ATTEST_ITEM_CCEL_TABLE, _CCEL_LOG, _TCG_LOG, _DSTACK_LOG, _AAEL_LOG,
 * or ATTEST_ITEM_UNKNOWN. Detection only (cheap: the JSON log is parsed,
 * the binary ones read in their headers). */
ATTEST_HIDDEN attest_item_kind attest_eventlog_kind(const uint8_t *data, size_t len);

/* Parse the item of `kind` and keep it. A second item of a kind is
 * ATTEST_E_INVALID_ARG (one verification explains one boot); parse
 * errors name the field. */
ATTEST_HIDDEN int attest_collateral_add_eventlog(attest_collateral *c, attest_item_kind kind,
                                                 const uint8_t *data, size_t len);

ATTEST_HIDDEN void attest_collateral_free_eventlogs(attest_collateral *c);

#endif
