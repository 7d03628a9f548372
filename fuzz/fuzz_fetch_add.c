/* Part of fuzz_fetch_response: lib/api/fetch.c compiled here (add_answer
 * and the body decoders are static). The fuzz build links this unit
 * instead of lib/api/fetch.c. */
#include "../lib/api/fetch.c"

#include "fuzz_fetch.h"

static void on_added(void *ctx, attest_need_kind kind, const uint8_t *data, size_t len)
{
    (void)ctx, (void)kind;
    if (!data || !len)
        abort(); /* the caller is told of bytes that were added */
}

int fuzz_fetch_add_answer(attest_collateral *coll, attest_need_kind kind, const char *url,
                          bool thim, bool pccs_hex, unsigned tcb_evaluation,
                          const attest_http_response *resp, int64_t now, int64_t *expires)
{
    attest_fetcher f = {.tcb_evaluation = tcb_evaluation, .on_added = on_added};
    item *it = calloc(1, sizeof *it);
    if (!it)
        return ATTEST_E_NOMEM;
    it->kind = kind;
    snprintf(it->url, sizeof it->url, "%s", url);
    it->thim = thim;
    it->pccs_hex = pccs_hex;
    it->resp = *resp; /* borrowed: not freed here */
    int st = add_answer(&f, it, coll, now, expires);
    free(it);
    return st;
}
