/* NVIDIA evidence JSON containers: NVIDIA's tools ship each device's
 * report with its certificate chain in JSON; these read them into an
 * evidence set (spdm_report.h). Pure parsing: no crypto. */
#ifndef ATTEST_NV_CONTAINER_H
#define ATTEST_NV_CONTAINER_H

#include "../base/base.h"
#include "spdm_report.h"

/* True when the bytes are a JSON document of one of the known container
 * shapes (checked cheaply). */
ATTEST_HIDDEN bool nv_evidence_json_detect(const uint8_t *data, size_t len);

/* Parse a JSON container: NVAT serialized evidence
 * [{"arch","nonce","evidence":b64(report),"certificate":b64(PEM),...}],
 * nvtrust/NRAS request {"nonce","arch","evidence_list":[{"certificate","evidence"}]},
 * go-nvattest-tools {"gpus":[{"AttestationReport":{"py/b64"},...}]} and
 * its switch/PPCIe variants. More than NV_MAX_DEVICES devices, bad base64,
 * a nonce that is not 64 hex digits: ATTEST_E_MALFORMED naming the path. */
ATTEST_HIDDEN int nv_evidence_json_parse(nv_evidence_set *out, const uint8_t *data, size_t len);

#endif
