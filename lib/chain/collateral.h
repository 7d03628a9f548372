/* The collateral a verification reads: certificates, CRLs, Intel TCB Info
 * and QE Identity bodies, stored OCSP responses with the nonces of their
 * requests, NVIDIA RIMs. Built by attest_collateral_add (lib/api), which
 * stores and classifies; every check on an item is the chain layer's. */
#ifndef ATTEST_COLLATERAL_H
#define ATTEST_COLLATERAL_H

#include "../base/base.h"
#include "../base/x509.h"

#include <openssl/ocsp.h>
#include <openssl/x509.h>

struct dcap_tcb_info;
struct dcap_qe_identity;
struct nv_rim;
struct ccel_table;
struct tcg_eventlog;
struct dstack_eventlog;
struct aael_log;

/* Stored OCSP responses one collateral may hold: NVIDIA's evidence of a
 * machine needs a few dozen (3 per device chain, 3 per RIM chain); each
 * certificate check scans them all. */
#define ATTEST_COLLATERAL_MAX_OCSP 256
#define ATTEST_OCSP_NONCE_MAX 32 /* RFC 8954 2.1: 1..32 bytes */

/* An NVIDIA RIM as added: stored and classified, not verified. Its XML
 * signature and chain are verified by the verification that needs a RIM
 * (lib/chain/nv_evidence.c), which reports a RIM it cannot use as a check. */
typedef struct attest_rim_item {
    struct nv_rim *rim;                 /* the parsed RIM; NULL when the bytes
                                           break the parser's structural rules */
    int parse_status;                   /* ATTEST_OK, or why rim is NULL */
    char *parse_detail;                 /* ... and the parser's detail (owned) */
    uint8_t sha256[32];                 /* of the bytes: names the signature
                                           verdict in the verifier's cache */
} attest_rim_item;

/* The nonce of the request a stored OCSP response answers. */
typedef struct attest_ocsp_nonce {
    uint8_t data[ATTEST_OCSP_NONCE_MAX];
    size_t len;                         /* 0: not known */
} attest_ocsp_nonce;

struct attest_collateral {
    STACK_OF(X509) *certs;
    attest_x509_memo x509_memo;         /* every certificate parsed for this
                                           collateral, by the SHA-256 of its
                                           bytes: the same bytes again (in
                                           another issuer chain, in the
                                           quote's PCK chain) are not parsed
                                           again */
    STACK_OF(X509_CRL) *crls;
    struct dcap_tcb_info **tcb_infos;   /* Intel TCB Info bodies */
    size_t tcb_info_count;
    struct dcap_qe_identity **qe_identities; /* Intel Enclave Identities */
    size_t qe_identity_count;
    OCSP_RESPONSE **ocsp;               /* stored OCSP responses (DER) */
    attest_ocsp_nonce *ocsp_nonces;     /* [ocsp_count]: the request nonce
                                           each answers (len 0: unknown) */
    size_t ocsp_count;                  /* <= ATTEST_COLLATERAL_MAX_OCSP */
    uint8_t ocsp_set_sha256[32];        /* names the set of responses and their
                                           request nonces, for the verifier's
                                           cache of OCSP verdicts */
    attest_rim_item *rims;              /* NVIDIA RIMs, in the order added */
    size_t rim_count;
    /* Event logs (docs/eventlog.md), at most one of each, checked by the
     * verification against the quote they explain: */
    struct ccel_table *ccel_table;      /* ACPI CCEL table */
    struct tcg_eventlog *ccel_log;      /* CCEL log area (SHA-384 / SM3 bank) */
    struct tcg_eventlog *tpm_log;       /* TPM PC Client log */
    struct dstack_eventlog *dstack_log; /* dstack JSON log */
    struct aael_log *aael_log;          /* CoCo AA event log, text form */
    /* Another verifier's result on the GPUs (docs/results.md), kept as
     * received, and the key set that verifies it (at most one each): */
    uint8_t *nras_result;
    size_t nras_result_len;
    struct jws_keyset *result_keys;
};

#endif
