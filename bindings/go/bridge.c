/* The C side of Fetcher's WithOnAdded callback (callback.go): libattest
 * calls added() with the cgo.Handle integer as ctx, never a Go pointer. */
#include <attest.h>
#include <stdint.h>

#include "_cgo_export.h"

static void added(void *ctx, attest_need_kind kind, const uint8_t *data, size_t len)
{
    goFetchAdded((uintptr_t)ctx, (int)kind, (uint8_t *)data, len);
}

int attest_go_fetcher_set_on_added(attest_fetcher *f, uintptr_t handle)
{
    return attest_fetcher_set_on_added(f, handle ? added : NULL, (void *)handle);
}
