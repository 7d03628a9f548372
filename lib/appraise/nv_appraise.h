/* NVIDIA GPU / NVSwitch appraisal: each device's evidence verified by
 * lib/chain/nv_evidence.c (device chain, report signature and nonce, FWID,
 * stored OCSP, RIMs and their chains), then golden measurements, versions,
 * the count of devices, feature mode and PPCIe topology, with claims named
 * as NVIDIA's v3 claims (research/nvidia.md (b)). */
#ifndef ATTEST_NV_APPRAISE_H
#define ATTEST_NV_APPRAISE_H

#include "../chain/nv_evidence.h"
#include "../base/base.h"
#include "../chain/collateral.h"
#include "policy.h"
#include "../parse/nv_rim.h"
#include "../parse/spdm_report.h"
#include "policy_reader.h"

typedef struct nv_policy {
    bool require_nonce;          /* a caller nonce must be given (default true) */
    bool require_ocsp;           /* every chain certificate needs a response (true) */
    bool allow_stored_ocsp;      /* responses without a nonce (stored) accepted (false) */
    bool allow_stale_ocsp;       /* responses outside thisUpdate..nextUpdate accepted,
                                    i.e. judged at their own time (false) */
    bool allow_ocsp_hold;        /* certificateHold accepted (false) */
    bool allow_ocsp_unknown;     /* status unknown accepted (false) */
    int64_t ocsp_max_age_seconds;/* a response without nextUpdate is current
                                    this long after thisUpdate (0: never) */
    uint64_t allowed_mismatch;   /* bit i: mismatch at index i accepted (none) */
    char min_driver_version[32]; /* "" = none */
    char min_vbios_version[32];
    policy_strings allowed_driver_versions; /* empty: any */
    policy_strings allowed_vbios_versions;
    int required_mode;           /* -1 any, 0 SPT, 1 MPT, 2 PPCIe */
    bool require_ppcie_topology; /* 8 GPUs + 4 NVSwitches, PDIs consistent */
    int min_gpus, min_switches;  /* devices required in the evidence (0) */
    bool nonce_bound_by_cpu;     /* set by composite appraisal: each GPU nonce is
                                    bound through the CPU's report data */
} nv_policy;

ATTEST_HIDDEN void nv_policy_defaults(nv_policy *p);
ATTEST_HIDDEN int nv_policy_from_json(nv_policy *p, json_t *section);
ATTEST_HIDDEN void nv_policy_release(nv_policy *p);

/* Verify and appraise every device of `set`. Checks are named
 * "gpu0.report.signature", "switch1.driver_rim.chain", ...; claims go to
 * `claims` under "devices". Returns ATTEST_OK or the first failure. */
ATTEST_HIDDEN int nv_verify_devices(attest_result *r, attest_verifier *v,
                                    const nv_evidence_set *set,
                                    const attest_collateral *coll, const nv_policy *p,
                                    const uint8_t *nonce, size_t nonce_len, json_t *claims);

/* Check "<prefix>.versions": driver (GPUs) and VBIOS against the policy's
 * floors and allow-lists. Returns ATTEST_OK or ATTEST_E_POLICY_NV_VERSION. */
ATTEST_HIDDEN int nv_check_versions(attest_result *r, const char *prefix, const nv_policy *p,
                                    bool is_switch, const char *driver, const char *vbios);

#endif
