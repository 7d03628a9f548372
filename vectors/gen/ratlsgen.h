/*
 * ratlsgen - mock RA-TLS certificates for the test PKI (docs/ratls.md):
 * a self-signed P-256 leaf whose key is bound into a mock TDX (or SGX)
 * quote of the dcapgen PKI, carried as TCG DICE tagged evidence
 * (2.23.133.5.4.9: CBOR tag 60000 [quote, claims]), REPORT_DATA =
 * SHA-256(claims) || 0, claims = {"pubkey-hash": [1, SHA-256(SPKI)]}.
 * Every option breaks one thing on purpose, for negative tests.
 */
#ifndef RATLSGEN_H
#define RATLSGEN_H

#include "dcapgen.h"
#include "snpgen.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

typedef struct {
    int sgx;              /* 1: SGX quote, else TDX v4 */
    int debug;            /* DEBUG attribute set in the enclave / TD */
    int bind_other_key;   /* pubkey-hash of another key than the certificate's */
    int no_key_hash;      /* claims without pubkey-hash (still hashed into RD) */
    int second_ext;       /* the evidence extension twice */
    uint64_t tag;         /* 0: 60000 */
    size_t trailing;      /* zero bytes after the tagged evidence */
    const uint8_t *nonce; /* a "nonce" claim, or NULL */
    size_t nonce_len;
} ratlsgen_opts;

/* A certificate and its key per o, its quote made with pki. 0 or -1. The
 * caller frees both. */
int ratlsgen_cert(X509 **cert, EVP_PKEY **key, const dcapgen_pki *pki,
                  const ratlsgen_opts *o);

/* An SEV-SNP RA-TLS peer as Enarx Steward makes it (docs/ratls.md, rule
 * csr-spki-sha384): extension 1.3.6.1.4.1.58270.1.3 = SEQ{ SEQ{ VCEK,
 * SEQ{ SEQ OF SEQ{ url UTF8String, CRL } } }, report OCTET STRING }, the
 * report signed by the PKI's VCEK with REPORT_DATA = SHA-384(DER SPKI) ||
 * 0^16 of the P-384 key; the PKI's ARK CRL carried. Options break one
 * thing each, as ratlsgen_opts's. */
typedef struct {
    int csr;            /* a PKCS#10 request (Steward's form), else a certificate */
    int debug;          /* guest POLICY.DEBUG set */
    int bind_other_key; /* REPORT_DATA binds another key than the peer's */
    int second_ext;     /* the evidence extension twice */
    size_t trailing;    /* zero bytes after the extension's SEQUENCE */
    int no_crl;         /* carry no CRL */
    int bad_crl;        /* carry a CRL naming the ARK but signed by the ASK's key */
} ratlsgen_snp_opts;

/* *cert (or *req with o->csr; the other NULL) and its key per o; the
 * report made with pki. 0 or -1. The caller frees all. */
int ratlsgen_snp(X509 **cert, X509_REQ **req, EVP_PKEY **key, const snpgen_pki *pki,
                 const ratlsgen_snp_opts *o);

/* `attest-mock ratls cert ...` (vectors/gen/attest_mock_ratls.c). */
int attest_mock_ratls_main(int argc, char **argv);

#endif
