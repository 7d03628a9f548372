/* Intel DCAP chains and evidence: the PCK chain carried in the quote, the
 * Root CA and PCK CRLs, TCB Info and QE Identity with their signing chain,
 * the QE report and the quote signature (research/tdx.md (b), steps 2-9). */
#ifndef ATTEST_INTEL_H
#define ATTEST_INTEL_H

#include "../base/cache.h"
#include "../base/crypto.h"
#include "../base/x509.h"
#include "collateral.h"
#include "../parse/dcap_collateral.h"
#include "../parse/dcap_quote.h"
#include "intel_pck.h"

/* The instants every piece of collateral and every certificate is valid
 * between, and which item bounds each side (named in results). */
typedef struct dcap_window {
    int64_t not_before, not_after;
    char latest_start[96], earliest_end[96];
} dcap_window;

ATTEST_HIDDEN void dcap_window_init(dcap_window *w);
ATTEST_HIDDEN void dcap_window_add(dcap_window *w, int64_t not_before, int64_t not_after,
                                   const char *what);

/* What evidence verification establishes, for the TCB evaluation and the
 * policy. Pointers borrow from the collateral. */
typedef struct dcap_verified {
    intel_pck_info pck;
    bool processor_ca;                  /* PCK issued by the Processor CA */
    const dcap_tcb_info *tcb_info;
    const dcap_qe_identity *qe_identity;
    dcap_window window;
} dcap_verified;

/* Every DCAP evidence check up to (not including) the TCB level match.
 * Records each check in `r`, adds PCK and collateral claims to `claims`,
 * returns ATTEST_OK or the first failing check's code. */
ATTEST_HIDDEN int dcap_verify_evidence(attest_result *r, attest_verifier *v,
                                       const dcap_quote *q, const attest_collateral *coll,
                                       int64_t now, json_t *claims, dcap_verified *out);

#endif
