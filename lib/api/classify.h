/* Recognising items by content (classify.c): the predicates that
 * attest_classify, attest_collateral_add and attest_evidence_parse share,
 * so that the three never disagree on what an item is. */
#ifndef ATTEST_CLASSIFY_H
#define ATTEST_CLASSIFY_H

#include "api.h"

/* JSON object text: '{' after optional white space. */
ATTEST_HIDDEN bool attest_looks_like_json(const uint8_t *data, size_t len);

/* PEM text: printable ASCII (with CR, LF, tab) holding "-----BEGIN ".
 * Binary evidence that embeds a PEM chain (a DCAP quote does) is not. */
ATTEST_HIDDEN bool attest_looks_like_pem(const uint8_t *data, size_t len);

/* The PEM block names collateral may hold: certificates and CRLs. */
ATTEST_HIDDEN bool attest_pem_name_is_collateral(const char *name);

/* Call `each` with every PEM block of `data` in order: its 1-based index,
 * name and DER contents, until `each` returns non-zero, which is then
 * returned; ATTEST_OK after the last block. *blocks counts the blocks
 * read. ATTEST_E_NOMEM when no memory BIO can be made. */
typedef int (*attest_pem_block_fn)(void *ctx, int index, const char *name,
                                   const uint8_t *der, size_t len);
ATTEST_HIDDEN int attest_pem_each(const uint8_t *data, size_t len, attest_pem_block_fn each,
                                  void *ctx, int *blocks);

/* A DER OCSPResponse, every byte consumed; NULL otherwise. */
ATTEST_HIDDEN OCSP_RESPONSE *attest_ocsp_decode(const uint8_t *data, size_t len);

/* The object one DER item decodes to (one of the three is set). */
typedef struct attest_der_item {
    X509 *cert;
    X509_CRL *crl;
    OCSP_RESPONSE *ocsp;
} attest_der_item;

/* Decode one DER item, every byte consumed: a certificate, else (when no
 * certificate decodes) a CRL, else an OCSP response. Returns
 * ATTEST_ITEM_CERTIFICATES, _CRL, _OCSP or _UNKNOWN (then
 * attest_alloc_failed() tells whether memory ran out); with `out`, the
 * object is handed to the caller (NULL: freed). */
ATTEST_HIDDEN attest_item_kind attest_der_decode(attest_der_item *out, const uint8_t *data,
                                                 size_t len);

/* The evidence format `data` would be parsed as (attest_evidence_parse's
 * detection): ATTEST_ITEM_BUNDLE, _EVIDENCE_DCAP, _EVIDENCE_NVIDIA,
 * _EVIDENCE_SNP or _UNKNOWN. */
ATTEST_HIDDEN attest_item_kind attest_detect_evidence(const uint8_t *data, size_t len);

#endif
