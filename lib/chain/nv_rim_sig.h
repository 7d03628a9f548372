/* NVIDIA RIM XML signatures: xmlsec1 verifies the enveloped signature of
 * a parsed RIM (lib/parse/nv_rim.c) with the key of its FIRST KeyInfo
 * certificate. Whether that certificate chains to the pinned RIM root is
 * the caller's check (nv_chain_verify with ATTEST_VENDOR_NVIDIA_RIM). */
#ifndef ATTEST_NV_RIM_SIG_H
#define ATTEST_NV_RIM_SIG_H

#include "../base/cache.h"
#include "../base/crypto.h"
#include "../base/x509.h"
#include "collateral.h"
#include "../parse/nv_rim.h"

/* Initialise libxml2 and xmlsec1 (OpenSSL backend) for this process, once
 * (see nv_rim_sig.c). ATTEST_OK, or ATTEST_E_INTERNAL naming the step that
 * failed (then for good: every RIM is refused). Thread-safe. */
ATTEST_HIDDEN int nv_rim_sig_init(void);

/* The KeyInfo certificates of `rim`, decoded, in order (caller frees).
 * ATTEST_E_MALFORMED when one is not exactly one DER certificate. */
ATTEST_HIDDEN int nv_rim_signers(const nv_rim *rim, STACK_OF(X509) **out);

/* Verify the XML signature of `rim` with xmlsec1, on a fresh reading of
 * its bytes, with the key of its first KeyInfo certificate: the context
 * status and the single Reference's status must both be "succeeded";
 * only the URI type and transforms nv_rim_parse accepts are enabled.
 * Returns ATTEST_OK with *signers the decoded KeyInfo certificates
 * (caller frees; signers may be NULL), or ATTEST_E_COLLATERAL_SIGNATURE
 * (does not verify: the detail says whether the digest or the
 * SignatureValue failed), ATTEST_E_MALFORMED (a KeyInfo certificate that
 * is not one DER certificate, a signing key that is not EC),
 * ATTEST_E_NOMEM, ATTEST_E_INTERNAL. Details start "nvidia.rim: ". */
ATTEST_HIDDEN int nv_rim_signature_verify(const nv_rim *rim, STACK_OF(X509) **signers);

/* nv_rim_signature_verify through the verifier's cache, keyed by
 * `rim_sha256` (SHA-256 of the RIM's bytes) and the verifier's RIM trust
 * anchors: a verdict (either way) is reached once per RIM and verifier.
 * *cached tells whether it came from the cache. Same returns. */
ATTEST_HIDDEN int nv_rim_signature_check(attest_verifier *v, const nv_rim *rim,
                                         const uint8_t rim_sha256[32],
                                         STACK_OF(X509) **signers, bool *cached);

#endif
