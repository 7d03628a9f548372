/* Building a needs list outside needs.c: the fetcher (fetch.c) returns
 * what it could not fetch in the same shape as attest_collateral_needs.
 * The default service URLs the needs name are here so that a fetcher can
 * point them elsewhere (a PCCS, a mirror, a loopback test server). */
#ifndef ATTEST_NEEDS_H
#define ATTEST_NEEDS_H

#include "../base/base.h"

#include <openssl/x509.h>

#define ATTEST_KDS_URL "https://kdsintf.amd.com"
#define ATTEST_PCS_URL "https://api.trustedservices.intel.com"
#define ATTEST_INTEL_ROOT_CRL_URL "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"
#define ATTEST_NV_RIM_URL "https://rim.attestation.nvidia.com"
#define ATTEST_NV_OCSP_URL "https://ocsp.ndis.nvidia.com"
#define ATTEST_NRAS_URL "https://nras.attestation.nvidia.com"

/* An empty list. Errors: ATTEST_E_NOMEM. */
ATTEST_HIDDEN int attest_needs_empty(attest_needs **out);

/* Append one item (fields copied, truncated to their bounds). Errors:
 * ATTEST_E_NOMEM. */
ATTEST_HIDDEN int attest_needs_append(attest_needs *n, attest_need_kind kind, const char *method,
                                      const char *url, const char *subject, const char *reason);

/* Item i's certificate and its issuer (borrowed), for an OCSP need made
 * by attest_collateral_needs: the fetcher builds the request from them.
 * Returns 0, or -1 when item i has none (another kind, out of range, or
 * appended with attest_needs_append). */
ATTEST_HIDDEN int attest_needs_ocsp_pair(const attest_needs *n, size_t i, X509 **cert,
                                         X509 **issuer);

#endif
