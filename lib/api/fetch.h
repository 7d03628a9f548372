/* Internal knobs of the fetcher (lib/api/fetch.c) that are not part of the
 * public API: for benchmarks and tests linked against the static library.
 * Not installed. */
#ifndef ATTEST_FETCH_INTERNAL_H
#define ATTEST_FETCH_INTERNAL_H

#include "../base/base.h"

/* Transfers at a time in one fetch batch (attest_http_options.parallel);
 * 0: the transport's default (8). bench/bench_online.c compares 8 with 1.
 * Errors: ATTEST_E_INVALID_ARG (NULL fetcher, or more than 64). */
ATTEST_HIDDEN int attest_fetcher_set_parallel(attest_fetcher *f, unsigned parallel);

#endif
