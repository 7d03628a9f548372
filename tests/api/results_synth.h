/* Synthetic other-verifier tokens for tests and the fuzz harness: the
 * signing side lives in vectors/gen/nrasgen.h (also behind
 * `attest-mock nras`); these are its names as the tests spell them. */
#ifndef ATTEST_RESULTS_SYNTH_H
#define ATTEST_RESULTS_SYNTH_H

#include "../../vectors/gen/nrasgen.h"

#define SYNTH_KID NRASGEN_KID
#define SYNTH_ISS NRASGEN_ISS
#define synth_b64url nrasgen_b64url
#define synth_key nrasgen_key
#define synth_jwks nrasgen_jwks
#define synth_jwt nrasgen_jwt
#define synth_gpu_claims nrasgen_gpu_claims
#define synth_nras_response nrasgen_response

#endif
