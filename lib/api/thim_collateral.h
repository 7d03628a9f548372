/* Azure THIM JSON as collateral (issue 11): the one add function that
 * attest_collateral_add calls for it. */
#ifndef ATTEST_THIM_COLLATERAL_H
#define ATTEST_THIM_COLLATERAL_H

#include "api.h"

/* Add a THIM JSON (or its base64 form) to `c`: its vcekCert and its
 * certificateChain are added exactly as those PEM texts given as files
 * would be (untrusted: the verification builds the chain to the pinned
 * ARK). Refused before anything is added when the text is not strictly
 * THIM's (ATTEST_E_MALFORMED naming the member), the vcekCert is no VCEK
 * or the chain is not ASK then ARK issuing it (ATTEST_E_CERT_PROFILE,
 * ATTEST_E_CERT_PARSE), or tcbm differs from the VCEK's SPL extensions
 * (ATTEST_E_COLLATERAL_MISMATCH naming thim.tcbm). */
ATTEST_HIDDEN int attest_collateral_add_thim(attest_collateral *c, const uint8_t *data,
                                             size_t len);

#endif
