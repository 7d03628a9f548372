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

/* attest_fetcher_request_url reached main while this binding was being
 * written (branch q-go predates it). Declared weak here so that the
 * binding builds and links against a libattest with or without it; without
 * it, Fetcher.Plan fails with ATTEST_E_INTERNAL. Once main and q-go are
 * merged the header declares it and this line can go. */
int attest_fetcher_request_url(const attest_fetcher *f, const attest_evidence *ev,
                               const attest_needs *needs, size_t i, char *out, size_t n)
    __attribute__((weak));

int attest_go_request_url(const attest_fetcher *f, const attest_evidence *ev,
                          const attest_needs *needs, size_t i, char *out, size_t n)
{
    if (!attest_fetcher_request_url)
        return ATTEST_E_INTERNAL;
    return attest_fetcher_request_url(f, ev, needs, i, out, n);
}

int attest_go_has_request_url(void)
{
    return attest_fetcher_request_url != NULL;
}
