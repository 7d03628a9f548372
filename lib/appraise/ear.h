/* Attestation results in the EAR vocabulary: per-device status and AR4SI
 * trustworthiness vector derived from the recorded checks. */
#ifndef ATTEST_EAR_H
#define ATTEST_EAR_H

#include "../base/base.h"
#include "../chain/collateral.h"
#include "policy.h"

/* Add submod `submod` ("cpu0", "gpu1", ...) to r->submods from the checks
 * r->checks[first, end) whose name starts with `check_prefix` followed by
 * a dot (NULL: the CPU, i.e. all but the gpuN, switchN and nvidia. checks),
 * plus the cross-device "nvidia." and "composite." checks. `claims` (borrowed, may
 * be NULL) is the device's parse; ear_token_claims(claims) becomes x-attest-claims.
 * Updates the overall EAR status (worst device). Returns the status. */
ATTEST_HIDDEN const char *ear_add_submod(attest_result *r, const char *submod,
                                         const char *check_prefix, size_t first, size_t end,
                                         json_t *claims, const char *policy_id);

/* The claims a token carries for one device (docs/token.md, "Device
 * claims"): what a relying party decides on, picked from the device's
 * parsed claims `claims` (CPU: SNP, TDX, SGX, Azure; `device`: a GPU or
 * NVSwitch), sharing their values. A new object (NULL when out of memory). */
ATTEST_HIDDEN json_t *ear_token_claims(json_t *claims, bool device);

/* Settle the overall status once every device is in. */
ATTEST_HIDDEN void ear_finish(attest_result *r);

#endif
