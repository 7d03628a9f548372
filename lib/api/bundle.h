/* Evidence bundles: one machine's evidence, nonce and collateral in one
 * JSON document (docs/bundle.md). */
#ifndef ATTEST_BUNDLE_H
#define ATTEST_BUNDLE_H

#include "api.h"

struct nv_evidence_set;

typedef struct attest_bundle {
    attest_evidence *cpu;             /* SNP report or DCAP quote, or NULL */
    struct nv_evidence_set *gpus;     /* GPUs / NVSwitches, or NULL */
    attest_collateral *collateral;    /* every item the bundle carries */
    uint8_t nonce[64];                /* the nonce the evidence answers */
    size_t nonce_len;                 /* 0: none recorded */
} attest_bundle;

ATTEST_HIDDEN bool attest_bundle_detect(const uint8_t *data, size_t len);
/* Parse a bundle; each item is parsed as if given on its own, and the
 * errors name the member ("bundle.gpus[1].evidence: ..."). */
ATTEST_HIDDEN int attest_bundle_parse(attest_bundle **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void attest_bundle_free(attest_bundle *b);

#endif
