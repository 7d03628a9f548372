/* The two halves of fuzz_fetch_response (see fuzz_fetch_response.c). */
#ifndef FUZZ_FETCH_H
#define FUZZ_FETCH_H

#include "attest.h"
#include "api/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool fuzz_http_receive(attest_http_response *res, const char *const *lines, const size_t *lens,
                       size_t n, const uint8_t *body, size_t body_len, size_t chunk,
                       size_t max_body);

/* add_answer of lib/api/fetch.c on one answer: `kind` the need it answers,
 * `url` the request's, flags as the planner sets them; `tcb_evaluation`
 * the fetcher's pinned number (0: none). Returns its status; *expires the
 * cache expiry it computed. */
int fuzz_fetch_add_answer(attest_collateral *coll, attest_need_kind kind, const char *url,
                          bool thim, bool pccs_hex, unsigned tcb_evaluation,
                          const attest_http_response *resp, int64_t now, int64_t *expires);

#endif
