/* Azure THIM's AMD certification JSON (IMDS
 * /metadata/THIM/amd/certification; Confidential ACI's host-amd-cert-base64
 * file is the same JSON in base64): {"vcekCert": PEM, "certificateChain":
 * PEM ASK then ARK, "tcbm": 16 upper-case hex digits of the TCB_VERSION,
 * "cacheControl": decimal seconds}. Pure parsing: the text shapes only;
 * what the certificates say is lib/chain's and lib/api's question. */
#ifndef ATTEST_THIM_H
#define ATTEST_THIM_H

#include "../base/base.h"

typedef struct thim_doc {
    char *vcek_pem;         /* exactly one CERTIFICATE block (owned) */
    char *chain_pem;        /* exactly two CERTIFICATE blocks (owned) */
    uint64_t tcbm;          /* TCB_VERSION as hex, most significant byte first */
    uint32_t cache_seconds; /* cacheControl */
} thim_doc;

/* True when the bytes are a JSON object with a member "vcekCert",
 * "certificateChain" or "tcbm", or base64 text (line breaks allowed) of
 * such JSON: the THIM form, decided
 * before the strict parse so that a malformed THIM JSON is refused with
 * its reason rather than called unknown. */
ATTEST_HIDDEN bool thim_detect(const uint8_t *data, size_t len);

/* Parse a THIM JSON or its base64 form, strictly: exactly the four members
 * above, each a string, no duplicate and no other member (an unknown
 * member could change what the others mean: refused, naming it). Errors:
 * ATTEST_E_MALFORMED naming the member ("thim.tcbm: ..."), ATTEST_E_NOMEM.
 * On success the caller frees with thim_doc_free. */
ATTEST_HIDDEN int thim_parse(thim_doc *out, const uint8_t *data, size_t len);

ATTEST_HIDDEN void thim_doc_free(thim_doc *doc);

#endif
