/* The Intel SGX extension of PCK certificates (OID 1.2.840.113741.1.13.1):
 * PPID, TCB (16 SGX component SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX
 * type, platform instance ID and configuration. Intel "PCK Certificate and
 * CRL Profile Specification"; QVL ParserUtils.h oids. */
#ifndef ATTEST_INTEL_PCK_H
#define ATTEST_INTEL_PCK_H

#include "../base/cache.h"
#include "../base/crypto.h"
#include "../base/x509.h"
#include "collateral.h"

typedef struct intel_pck_info {
    uint8_t ppid[16];
    int sgx_svn[16];        /* .2.1 .. .2.16 */
    int pcesvn;             /* .2.17 */
    uint8_t cpusvn[16];     /* .2.18 */
    uint8_t pce_id[2];      /* .3 */
    uint8_t fmspc[6];       /* .4 */
    int sgx_type;           /* .5: 0 Standard, 1 Scalable, 2 Scalable with integrity */
    bool has_platform_instance_id;
    uint8_t platform_instance_id[16]; /* .6 (Platform CA PCKs) */
    bool has_configuration; /* .7 */
    int dynamic_platform, cached_keys, smt_enabled; /* -1 absent, 0/1 */
} intel_pck_info;

/* Decode the SGX extension of `cert`. Missing extension, missing required
 * member (.1-.5, all 18 TCB members), wrong ASN.1 type or length, or
 * trailing bytes: ATTEST_E_CERT_PARSE with a detail naming the OID. */
ATTEST_HIDDEN int intel_pck_info_parse(X509 *cert, intel_pck_info *out);

ATTEST_HIDDEN json_t *intel_pck_info_to_json(const intel_pck_info *p);

#endif
