/* NVIDIA evidence verification of one GPU or NVSwitch, the twin of
 * snp_verify_evidence (amd.h): the device chain to the pinned Device
 * Identity CA, the report signature, the nonce, the FWID, the device
 * chain's OCSP, and the RIMs the device is appraised against (XML
 * signature, chain to the pinned RIM root, its OCSP). Policy, golden
 * measurements, versions, mode, topology and the counting of devices are
 * appraised by lib/appraise/nv_appraise.c with what this returns. */
#ifndef ATTEST_NV_EVIDENCE_H
#define ATTEST_NV_EVIDENCE_H

#include "../base/cache.h"
#include "../base/crypto.h"
#include "../base/x509.h"
#include "collateral.h"
#include "../parse/nv_rim.h"
#include "../parse/spdm_report.h"
#include "nvidia.h"

/* What the policy decides for the evidence checks. */
typedef struct nv_evidence_rules {
    nv_ocsp_rules ocsp;          /* device and RIM chains */
    bool require_nonce;          /* no caller nonce is a failure (else a skip) */
    bool nonce_bound_by_cpu;     /* composite appraisal: each report's nonce is
                                    bound through the CPU's report data */
} nv_evidence_rules;

/* What identifies one device, taken from its verified chain (leaf, BROM,
 * Provisioner ICA, Identity, root). The BROM certificate (L4) is per chip;
 * the FMC leaf is re-issued with the firmware, and the DER of any
 * certificate changes when its ECDSA signature (r, s) is replaced by
 * (r, n-s), which stays valid. So a device counts by keys and PDI, never
 * by the bytes of a certificate (research/nvidia.md (b) 18). */
typedef struct nv_device_identity {
    bool known;                  /* the chain verified: the fields below hold */
    uint8_t brom_key[32];        /* SHA-256 of the BROM's SubjectPublicKeyInfo */
    uint8_t leaf_key[32];        /* SHA-256 of the leaf's SubjectPublicKeyInfo */
    bool has_pdi;                /* the BROM serial carries a PDI */
    uint64_t pdi;
} nv_device_identity;

/* What the evidence checks of one device establish. */
typedef struct nv_device_facts {
    nv_device_identity identity; /* known as soon as the chain verified,
                                    whatever fails after */
    const nv_rim *driver;        /* the RIMs chosen for the device (GPUs have a */
    const nv_rim *vbios;         /* driver RIM), borrowed from the collateral;
                                    verified when the call returns ATTEST_OK */
} nv_device_facts;

/* Verify the evidence of device `e` (its chain from e->chain_pem, else
 * from the collateral's certificates) with the collateral's RIMs and OCSP
 * responses, at r->verified_at. Checks are named `prefix`.chain,
 * .report.signature, .report.nonce, .fwid, .chain.ocsp, .identity,
 * .driver_rim, .driver_rim.signature, .driver_rim.chain, .driver_rim.ocsp
 * and the same for vbios_rim; NVIDIA's v3 claims of these checks go to
 * `claims`. Of several RIMs for the device, the first whose signature,
 * chain and OCSP hold is used. Returns ATTEST_OK or the first failing
 * check's code; *out is filled either way. */
ATTEST_HIDDEN int nv_verify_device_evidence(attest_result *r, attest_verifier *v,
                                            const nv_device_evidence *e,
                                            const attest_collateral *coll,
                                            const nv_evidence_rules *rules, const char *prefix,
                                            const uint8_t *nonce, size_t nonce_len,
                                            json_t *claims, nv_device_facts *out);

#endif
