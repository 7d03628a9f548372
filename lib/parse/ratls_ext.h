/* RA-TLS evidence carriers: the certificate and CSR extensions that hold
 * attestation evidence (research/ratls.md §1), decoded from their values.
 * lib/api/ratls.c decodes the certificate or CSR with OpenSSL and hands
 * over its extensions as (OID content bytes, value bytes) pairs; this file
 * only matches OIDs by their exact bytes and parses the evidence formats:
 * TCG DICE tagged evidence (CBOR, libcbor), Gramine's and Intel's legacy
 * SGX extensions (a raw quote), Open Enclave's report extension (16-byte
 * header + quote) and Enarx Steward's SNP and SGX request extensions (DER,
 * read with a bounded TLV reader). No crypto, no policy. */
#ifndef ATTEST_RATLS_EXT_H
#define ATTEST_RATLS_EXT_H

#include "../base/base.h"

typedef enum ratls_carrier {
    RATLS_CARRIER_NONE = 0,
    RATLS_CARRIER_TCG_DICE,       /* 2.23.133.5.4.9 tagged evidence */
    RATLS_CARRIER_GRAMINE_LEGACY, /* Gramine's OID bytes 06 09 2A 86 48 86 F8 4D 8A 39 06 */
    RATLS_CARRIER_INTEL_LEGACY,   /* 1.2.840.113741.1.13.1 (Intel SGX SDK) */
    RATLS_CARRIER_OE,             /* 1.3.6.1.4.1.311.105.1 (Open Enclave, EGo, MAA) */
    RATLS_CARRIER_OE_LEGACY,      /* 1.2.840.113556.10.1.1 (Open Enclave, older) */
    RATLS_CARRIER_STEWARD_SGX,    /* 1.3.6.1.4.1.58270.1.2 (CSR) */
    RATLS_CARRIER_STEWARD_SNP,    /* 1.3.6.1.4.1.58270.1.3 (CSR) */
    RATLS_CARRIER_COUNT
} ratls_carrier;

#define RATLS_CARRIER_BIT(c) (1u << (unsigned)(c))

/* CBOR tags of TCG tagged evidence (IANA): an Intel TEE quote, and the
 * local reports no remote verifier can check. */
#define RATLS_TAG_INTEL_QUOTE 60000u
#define RATLS_TAG_TDX_REPORT 60001u
#define RATLS_TAG_SGX_REPORT 60002u

/* One extension: the content bytes of its OBJECT IDENTIFIER and of its
 * extnValue OCTET STRING. */
typedef struct ratls_ext {
    const uint8_t *oid;
    size_t oid_len;
    const uint8_t *value;
    size_t value_len;
} ratls_ext;

#define RATLS_MAX_CRLS 4
#define RATLS_CLAIMS_MAX 4096

/* The evidence found. Pointers refer into the extension's value, except
 * `claims`' decoded members, which are copied. */
typedef struct ratls_evidence {
    ratls_carrier carrier;
    const uint8_t *evidence;   /* the quote or SNP report */
    size_t evidence_len;
    /* TCG DICE: the claims bstr exactly as hashed, and what it holds */
    uint64_t tag;
    const uint8_t *claims;
    size_t claims_len;
    unsigned key_hash_alg;     /* IANA Named Information: 1 SHA-256, 7 SHA-384,
                                  8 SHA-512; 0: no pubkey-hash claim */
    uint8_t key_hash[64];
    size_t key_hash_len;
    bool has_nonce;
    uint8_t nonce[64];
    size_t nonce_len;
    /* Steward SNP: the VCEK and the CRLs the request carries (DER TLVs) */
    const uint8_t *vcek;
    size_t vcek_len;
    const uint8_t *crls[RATLS_MAX_CRLS];
    size_t crl_lens[RATLS_MAX_CRLS];
    size_t crl_count;
} ratls_evidence;

/* The carrier an OID (content bytes) names; RATLS_CARRIER_NONE for any
 * other extension. */
ATTEST_HIDDEN ratls_carrier ratls_carrier_of(const uint8_t *oid, size_t len);

/* "tcg-dice-tagged-evidence", "gramine-legacy-sgx", ... */
ATTEST_HIDDEN const char *ratls_carrier_name(ratls_carrier c);

/* Find and parse the evidence among exts[0, n): an evidence OID present
 * twice is ATTEST_E_RATLS_DUPLICATE, as are two carriers of the mask
 * `accept` (RATLS_CARRIER_BIT); none of them is ATTEST_E_RATLS_NO_EVIDENCE.
 * Then the value is parsed strictly (ratls_parse_value). Returns 0 or a
 * status (attest_error_last names the field). */
ATTEST_HIDDEN int ratls_find_evidence(ratls_evidence *out, const ratls_ext *exts, size_t n,
                                      unsigned accept);

/* Parse the value of carrier `c` into out: TCG tag 60000 [quote bstr,
 * claims bstr] exactly (another tag ATTEST_E_RATLS_UNKNOWN_TAG, the local
 * report tags ATTEST_E_UNSUPPORTED_VERSION), its claims map (text keys,
 * pubkey-hash as bstr(CBOR [alg, hash]), optional nonce bstr); bytes after
 * the evidence's own end ATTEST_E_RATLS_TRAILING. */
ATTEST_HIDDEN int ratls_parse_value(ratls_evidence *out, ratls_carrier c, const uint8_t *v,
                                    size_t len);

#endif
