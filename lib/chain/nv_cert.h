/* NVIDIA certificate details: the FWID a GPU leaf certificate carries, and
 * stored OCSP responses for device and RIM chains (research/nvidia.md (b)
 * steps 4, 5 and 7; (c) on the two FWID encodings). */
#ifndef ATTEST_NV_CERT_H
#define ATTEST_NV_CERT_H

#include "../base/cache.h"
#include "../base/crypto.h"
#include "../base/x509.h"
#include "collateral.h"

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

/* Bounds on the work one check does. A SingleResponse costs a CertID
 * comparison; each response about the certificate costs one signature
 * verification (and, for a delegated responder, one more). */
#define NV_OCSP_MAX_SINGLES 64 /* per response; NVIDIA's responses carry 1 */

/* What a response's nonce says about its freshness (RFC 6960 4.4.1, RFC
 * 8954). A response whose nonce differs from the recorded request nonce
 * is never a result: the check fails. */
typedef enum nv_ocsp_nonce {
    NV_OCSP_NONCE_ABSENT = 0,    /* no nonce extension: a stored response */
    NV_OCSP_NONCE_UNCHECKED = 1, /* a nonce, but no request nonce recorded, or
                                    not one DER OCTET STRING: stored */
    NV_OCSP_NONCE_MATCHED = 2,   /* equal to the recorded request nonce: live */
} nv_ocsp_nonce;

typedef struct nv_ocsp_result {
    nv_ocsp_status status;
    int reason;                  /* CRLReason when revoked, else -1 */
    int64_t this_update;
    int64_t next_update;         /* nextUpdate; without one: thisUpdate +
                                    max_age, the end of its currency */
    bool has_next_update;        /* the response has a nextUpdate */
    int64_t revoked_at;          /* when revoked */
    nv_ocsp_nonce nonce;         /* live (MATCHED) or stored */
    int64_t stable_from;         /* this verdict holds for every instant in */
    int64_t stable_until;        /* [stable_from, stable_until): the response's
                                    and its responder's validity, up to the
                                    thisUpdate of a newer matching response */
    char responder[96];          /* CN of the signing responder certificate */
} nv_ocsp_result;

/* The stored responses and what is known of each. */
typedef struct nv_ocsp_input {
    OCSP_RESPONSE *const *responses;
    const attest_ocsp_nonce *request_nonces; /* [count], or NULL: none known */
    size_t count;
    int64_t max_age;             /* seconds after thisUpdate that a response
                                    without nextUpdate is current; 0: never */
} nv_ocsp_input;

/* Among in->responses, find the ones about `cert` (issued by `issuer`):
 * a SingleResponse whose CertID matches with the hash algorithm it names
 * (SHA-1, SHA-224..512). Then check each such response once: status
 * successful; at most NV_OCSP_MAX_SINGLES SingleResponses; the
 * BasicOCSPResponse signed by the issuer itself or by a delegated
 * responder certificate that the response carries, that `issuer` signed
 * and that has the id-kp-OCSPSigning extended key usage; its nonce, when a
 * request nonce is recorded for it, equal to that nonce; and per matching
 * SingleResponse thisUpdate <= now < nextUpdate (no nextUpdate: now <
 * thisUpdate + max_age). Of several current ones the newest wins, then the
 * most severe status, then a live one. Returns ATTEST_OK with *out filled;
 * ATTEST_E_COLLATERAL_MISSING when no response is about `cert`;
 * ATTEST_E_COLLATERAL_SIGNATURE for a bad signature or an unauthorised
 * responder; ATTEST_E_COLLATERAL_EXPIRED outside the window (*out then
 * describes the newest such response); ATTEST_E_MALFORMED for an
 * unsuccessful or undecodable response, or one with too many
 * SingleResponses (whoever it is about); ATTEST_E_NV_OCSP when an
 * authentic response about `cert` carries a nonce other than its recorded
 * request nonce. The detail (attest_error_last) names the certificate.
 * Status revoked/hold/unknown is returned in *out with ATTEST_OK: the
 * caller's policy judges. */
ATTEST_HIDDEN int nv_ocsp_check_input(const nv_ocsp_input *in, X509 *cert, X509 *issuer,
                                      int64_t now, nv_ocsp_result *out);

/* The same for responses without recorded request nonces and max_age 0. */
ATTEST_HIDDEN int nv_ocsp_check(OCSP_RESPONSE *const *responses, size_t count, X509 *cert,
                                X509 *issuer, int64_t now, nv_ocsp_result *out);

ATTEST_HIDDEN const char *nv_ocsp_status_name(nv_ocsp_status s);

#endif
