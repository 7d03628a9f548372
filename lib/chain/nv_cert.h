/* NVIDIA certificate details: the FWID a GPU leaf certificate carries, and
 * stored OCSP responses for device and RIM chains (research/nvidia.md (b)
 * steps 4, 5 and 7; (c) on the two FWID encodings). */
#ifndef ATTEST_NV_CERT_H
#define ATTEST_NV_CERT_H

#include "../core/internal.h"

#include <openssl/ocsp.h>

/* The FWID of a device leaf certificate: Hopper's extension 2.23.133.5.4.1
 * (SEQUENCE { INTEGER, SubjectPublicKeyInfo, SEQUENCE { OID sha384,
 * OCTET STRING(48) } }) or Blackwell's TCG DICE TcbInfo 2.23.133.5.4.1.1
 * (fwids[0].digest, SHA-384). *present is false when neither extension
 * exists. A present but undecodable extension is ATTEST_E_CERT_PARSE. */
ATTEST_HIDDEN int nv_cert_fwid(X509 *leaf, uint8_t out[48], bool *present);

typedef enum nv_ocsp_status {
    NV_OCSP_GOOD = 0,
    NV_OCSP_REVOKED = 1,         /* revoked, any reason but certificateHold */
    NV_OCSP_HOLD = 2,            /* revoked with reason certificateHold */
    NV_OCSP_UNKNOWN = 3,
} nv_ocsp_status;

typedef struct nv_ocsp_result {
    nv_ocsp_status status;
    int reason;                  /* CRLReason when revoked, else -1 */
    int64_t this_update, next_update; /* next_update = INT64_MAX if absent */
    int64_t revoked_at;          /* when revoked */
    bool has_nonce;              /* the response carries a nonce extension */
    int64_t stable_from;         /* this verdict holds for every instant in */
    int64_t stable_until;        /* [stable_from, stable_until): the response's
                                    and its responder's validity, up to the
                                    thisUpdate of a newer matching response */
    char responder[96];          /* CN of the signing responder certificate */
} nv_ocsp_result;

/* Among `responses`, find the one about `cert` (issued by `issuer`):
 * its CertID matches with the hash algorithm the response names (SHA-1,
 * SHA-256, SHA-384). Then check it: response status successful; the
 * BasicOCSPResponse signed by the issuer itself or by a delegated
 * responder certificate that the response carries, that `issuer` signed
 * and that has the id-kp-OCSPSigning extended key usage; thisUpdate <= now
 * and now < nextUpdate. Returns ATTEST_OK with *out filled;
 * ATTEST_E_COLLATERAL_MISSING when no response is about `cert`;
 * ATTEST_E_COLLATERAL_SIGNATURE for a bad signature or an unauthorised
 * responder; ATTEST_E_COLLATERAL_EXPIRED outside thisUpdate..nextUpdate;
 * ATTEST_E_MALFORMED for an unsuccessful or undecodable response. The
 * detail (attest_error_last) names the certificate. Status revoked/hold/
 * unknown is returned in *out with ATTEST_OK: the caller's policy judges. */
ATTEST_HIDDEN int nv_ocsp_check(OCSP_RESPONSE *const *responses, size_t count, X509 *cert,
                                X509 *issuer, int64_t now, nv_ocsp_result *out);

ATTEST_HIDDEN const char *nv_ocsp_status_name(nv_ocsp_status s);

#endif
