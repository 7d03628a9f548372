/* The top layer: the public objects (evidence, collateral, policy,
 * verifier, result) and the verification dispatcher with its pipelines.
 * It may use every layer below: base -> parse -> chain -> appraise ->
 * token. */
#ifndef ATTEST_API_H
#define ATTEST_API_H

#include "../appraise/policy.h"
#include "../base/base.h"
#include "../chain/collateral.h"

/* OpenSSL, libxml2 and xmlsec1 set up once, checked (init.c). ATTEST_OK,
 * ATTEST_E_NOMEM, ATTEST_E_INTERNAL. Thread-safe. */
ATTEST_HIDDEN int attest_library_init(void);

struct snp_report;
struct dcap_quote;
struct nv_evidence_set;
struct attest_bundle;
struct azure_evidence;

struct attest_evidence {
    attest_format format;
    uint8_t sha256[32];       /* of the bytes the evidence was parsed from */
    struct attest_bundle *bundle; /* ATTEST_FORMAT_BUNDLE */
    struct snp_report *snp;   /* ATTEST_FORMAT_SNP_REPORT */
    struct dcap_quote *dcap;  /* ATTEST_FORMAT_DCAP_QUOTE */
    struct nv_evidence_set *nv; /* ATTEST_FORMAT_NVIDIA */
    struct azure_evidence *azure; /* ATTEST_FORMAT_AZURE_VTPM */
    struct attest_collateral *carried; /* certificates the evidence carried
                                          (Trustee JSON's cert_chain), used
                                          beside the caller's; or NULL */
};

#endif
