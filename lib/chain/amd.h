/* AMD SEV-SNP key chain: ARK -> ASK/ASVK -> VCEK/VLEK, the KDS CRL, the
 * VEK's AMD extensions, and the report signature and bindings. */
#ifndef ATTEST_AMD_H
#define ATTEST_AMD_H

#include "../base/cache.h"
#include "../base/crypto.h"
#include "../base/x509.h"
#include "collateral.h"
#include "../parse/snp_report.h"

typedef enum amd_vek_kind { AMD_VEK_VCEK = 0, AMD_VEK_VLEK = 1 } amd_vek_kind;

/* The AMD extensions of a VCEK/VLEK (OID prefix 1.3.6.1.4.1.3704.1). */
typedef struct amd_vek_info {
    amd_vek_kind kind;           /* from the subject CN */
    int struct_version;          /* .1, -1 if absent */
    char product_name[32];       /* .2, "" if absent */
    int spl[10];                 /* .3.1 .. .3.9 at index 1..9, -1 if absent */
    uint8_t hwid[64];            /* .4 */
    size_t hwid_len;             /* 0 if absent */
    char csp_id[128];            /* .5, "" if absent */
} amd_vek_info;

/* Decode the AMD extensions of `cert`. An unknown AMD extension, a value
 * that is not the DER type it must be, or a hwID that is neither 64 nor 8
 * bytes is ATTEST_E_CERT_PARSE. Detail in attest_error_last(). */
ATTEST_HIDDEN int amd_vek_info_parse(X509 *cert, amd_vek_info *out);

/* The VEK's SPLs composed into a TCB_VERSION with the product's layout. */
ATTEST_HIDDEN uint64_t amd_vek_tcb(const amd_vek_info *info, snp_product product);

/* Verify the chain of `vek` to a pinned ARK using the certificates in
 * `coll`, at instant `now`, through the verifier's cache. On success
 * *chain is [VEK, ASK|ASVK, ARK] (caller frees) and *product the product
 * the ARK stands for. Every failure is recorded in `r` as check
 * "snp.chain" with its own code, which is returned. */
ATTEST_HIDDEN int amd_chain_verify(attest_result *r, attest_verifier *v,
                                   const attest_collateral *coll, X509 *vek,
                                   amd_vek_kind kind, int64_t now,
                                   STACK_OF(X509) **chain, snp_product *product);

/* Apply the CRLs in `coll` whose issuer is in `chain`: signature by that
 * issuer, thisUpdate <= now < nextUpdate, and no chain certificate listed.
 * With `require` set, a valid CRL from the ARK must be among them.
 * Records check "snp.crl"; returns its status. */
ATTEST_HIDDEN int amd_crl_check(attest_result *r, const attest_collateral *coll,
                                STACK_OF(X509) *chain, int64_t now, bool require);

/* The whole evidence verification of an SNP report: choose the VEK from
 * the collateral, verify its chain and the CRLs, the report signature, and
 * the VEK/report bindings (signing key, product, TCB, chip ID). Adds the
 * VEK and product claims to `claims`. Returns ATTEST_OK or the first
 * failing check's code. */
ATTEST_HIDDEN int snp_verify_evidence(attest_result *r, attest_verifier *v,
                                      const snp_report *report,
                                      const attest_collateral *coll, int64_t now,
                                      bool require_crl, json_t *claims,
                                      snp_product *product_out,
                                      amd_vek_kind *kind_out);

#endif
