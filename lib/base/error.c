/* Status codes, their names and text, and the per-thread failure detail. */
#include "base.h"

#include <stdarg.h>
#include <stdio.h>

#define STATUS_TABLE(X)                                                          \
    X(ATTEST_OK, "success")                                                      \
    X(ATTEST_E_INVALID_ARG, "invalid argument")                                  \
    X(ATTEST_E_NOMEM, "out of memory")                                           \
    X(ATTEST_E_IO, "input/output error")                                         \
    X(ATTEST_E_INTERNAL, "internal or crypto backend error")                     \
    X(ATTEST_E_FORMAT_UNKNOWN, "evidence format not recognised")                 \
    X(ATTEST_E_TRUNCATED, "evidence truncated")                                  \
    X(ATTEST_E_LENGTH, "evidence longer than its format allows")                 \
    X(ATTEST_E_UNSUPPORTED_VERSION, "unsupported evidence version")              \
    X(ATTEST_E_MALFORMED, "malformed evidence field")                            \
    X(ATTEST_E_COLLATERAL_UNKNOWN, "collateral item not recognised")             \
    X(ATTEST_E_COLLATERAL_MISSING, "required collateral missing")                \
    X(ATTEST_E_COLLATERAL_EXPIRED, "collateral outside its validity window")     \
    X(ATTEST_E_COLLATERAL_SIGNATURE, "collateral signature invalid")             \
    X(ATTEST_E_COLLATERAL_MISMATCH, "collateral does not belong to the evidence") \
    X(ATTEST_E_CERT_PARSE, "certificate could not be decoded")                   \
    X(ATTEST_E_CERT_UNTRUSTED_ROOT, "certificate chain ends at an untrusted root") \
    X(ATTEST_E_CERT_SIGNATURE, "certificate signature invalid")                  \
    X(ATTEST_E_CERT_EXPIRED, "certificate expired")                              \
    X(ATTEST_E_CERT_NOT_YET_VALID, "certificate not yet valid")                  \
    X(ATTEST_E_CERT_REVOKED, "certificate revoked")                              \
    X(ATTEST_E_CERT_PROFILE, "certificate does not fit its role")                \
    X(ATTEST_E_CRL_SIGNATURE, "CRL signature invalid")                           \
    X(ATTEST_E_CRL_EXPIRED, "CRL outside its validity window")                   \
    X(ATTEST_E_CRL_MISSING, "required CRL missing")                              \
    X(ATTEST_E_SNP_SIGNATURE, "SEV-SNP report signature invalid")                \
    X(ATTEST_E_SNP_SIGNATURE_RANGE, "SEV-SNP report signature value out of range") \
    X(ATTEST_E_SNP_TCB_BINDING, "VCEK/VLEK TCB does not match REPORTED_TCB")     \
    X(ATTEST_E_SNP_CHIP_ID_BINDING, "VCEK hwID does not match CHIP_ID")          \
    X(ATTEST_E_SNP_SIGNING_KEY, "SEV-SNP signing key kind mismatch")             \
    X(ATTEST_E_SNP_PRODUCT, "SEV-SNP product unknown or inconsistent")           \
    X(ATTEST_E_POLICY_INVALID, "policy document invalid")                        \
    X(ATTEST_E_POLICY_TCB, "TCB below the policy floor")                         \
    X(ATTEST_E_POLICY_DEBUG, "guest debugging allowed")                          \
    X(ATTEST_E_POLICY_GUEST_POLICY, "guest policy not accepted")                 \
    X(ATTEST_E_POLICY_MEASUREMENT, "measurement not allowed")                    \
    X(ATTEST_E_POLICY_REPORT_DATA, "report data not accepted")                   \
    X(ATTEST_E_POLICY_HOST_DATA, "host data not accepted")                       \
    X(ATTEST_E_POLICY_VMPL, "VMPL not allowed")                                  \
    X(ATTEST_E_POLICY_ID, "family, image, ID key or author key not accepted")    \
    X(ATTEST_E_POLICY_SIGNER, "signing key kind not accepted")                   \
    X(ATTEST_E_POLICY_FIRMWARE, "firmware or guest SVN not accepted")            \
    X(ATTEST_E_POLICY_TCB_STATUS, "TCB status not accepted")                     \
    X(ATTEST_E_POLICY_ADVISORY, "security advisory not accepted")                \
    X(ATTEST_E_POLICY_TCB_EVALUATION, "TCB evaluation data number too low")      \
    X(ATTEST_E_POLICY_COLLATERAL_TIME, "collateral outside its validity at the instant") \
    X(ATTEST_E_POLICY_PLATFORM, "evidence of a platform the policy does not address") \
    X(ATTEST_E_DCAP_QUOTE_SIGNATURE, "DCAP quote signature invalid")             \
    X(ATTEST_E_DCAP_QE_REPORT_SIGNATURE, "QE report signature invalid")          \
    X(ATTEST_E_DCAP_QE_REPORT_DATA, "QE report data does not bind the attestation key") \
    X(ATTEST_E_DCAP_QE_IDENTITY, "QE report does not match the QE Identity")     \
    X(ATTEST_E_DCAP_TCB_NOT_SUPPORTED, "no TCB level matches the platform")      \
    X(ATTEST_E_DCAP_TDX_MODULE, "TDX module identity mismatch")                 \
    X(ATTEST_E_NV_REPORT_SIGNATURE, "NVIDIA attestation report signature invalid") \
    X(ATTEST_E_NV_NONCE, "NVIDIA report nonce is not the caller's nonce")       \
    X(ATTEST_E_NV_FWID, "report FWID differs from the device certificate's")    \
    X(ATTEST_E_NV_RIM_MISMATCH, "RIM does not belong to the device or version") \
    X(ATTEST_E_NV_MEASUREMENT, "measurement differs from the RIM golden value") \
    X(ATTEST_E_NV_RIM_CONFLICT, "measurement index active in two RIMs")         \
    X(ATTEST_E_NV_OCSP, "OCSP status not good")                                 \
    X(ATTEST_E_NV_TOPOLOGY, "protected-PCIe topology inconsistent")             \
    X(ATTEST_E_POLICY_NV_VERSION, "driver or VBIOS version not accepted")       \
    X(ATTEST_E_POLICY_NV_MODE, "GPU feature mode not accepted")                  \
    X(ATTEST_E_COMPOSITE_BINDING, "GPU evidence not bound to the CPU evidence")  \
    X(ATTEST_E_COMPOSITE_MISSING, "a device required by the policy is absent")   \
    X(ATTEST_E_TOKEN_MALFORMED, "token malformed")                               \
    X(ATTEST_E_TOKEN_SIGNATURE, "token signature invalid")                       \
    X(ATTEST_E_TOKEN_EXPIRED, "token expired or not yet valid")                  \
    X(ATTEST_E_TOKEN_NONCE, "token nonce differs")                               \
    X(ATTEST_E_TPM_AK_KEY, "TPM attestation key not acceptable")                 \
    X(ATTEST_E_TPM_SIGNATURE, "TPM quote signature invalid")                     \
    X(ATTEST_E_TPM_SIGNATURE_FORMAT, "TPM quote signature format not accepted")  \
    X(ATTEST_E_TPM_PCR_DIGEST, "PCR values do not match the quoted digest")      \
    X(ATTEST_E_TPM_NONCE, "TPM quote nonce differs")                             \
    X(ATTEST_E_AZURE_CLAIMS_BINDING, "runtime claims not bound to the report")   \
    X(ATTEST_E_AZURE_REPORT_DATA_TAIL, "REPORT_DATA[32:64] not zero")            \
    X(ATTEST_E_AZURE_AK_MISMATCH, "AK certificate key differs from the claims' AK") \
    X(ATTEST_E_AZURE_QUOTE_MISSING, "TPM quote or TD quote missing")             \
    X(ATTEST_E_AZURE_TD_REPORT, "TD quote differs from the HCL's TDREPORT")      \
    X(ATTEST_E_AZURE_NONCE, "nonce not bound by the Azure evidence")             \
    X(ATTEST_E_POLICY_PCR, "PCR value not allowed")                              \
    X(ATTEST_E_POLICY_VM_CONFIG, "vm-configuration not as required")             \
    X(ATTEST_E_POLICY_USER_DATA, "runtime claims user-data not as required") \
    X(ATTEST_E_MEASURE_IMAGE_SIZE, "firmware image empty, cut or of a size it cannot have") \
    X(ATTEST_E_MEASURE_NO_METADATA, "firmware image without the metadata needed")  \
    X(ATTEST_E_MEASURE_METADATA, "firmware metadata malformed")                    \
    X(ATTEST_E_MEASURE_SECTION_BOUNDS, "firmware metadata section out of bounds")  \
    X(ATTEST_E_MEASURE_VCPUS, "vCPU count out of range")                           \
    X(ATTEST_E_MEASURE_VCPU_TYPE, "vCPU type unknown or not applicable")           \
    X(ATTEST_E_MEASURE_VMM, "VMM type unknown")                                    \
    X(ATTEST_E_MEASURE_GUEST_FEATURES, "guest features without SNPActive")         \
    X(ATTEST_E_MEASURE_KERNEL_HASHES, "kernel hashes without a kernel-hashes page") \
    X(ATTEST_E_MEASURE_INPUT_MISSING, "launch input missing")                     \
    X(ATTEST_E_RATLS_NO_EVIDENCE, "no RA-TLS evidence extension for the rule")   \
    X(ATTEST_E_RATLS_DUPLICATE, "a second RA-TLS evidence extension")            \
    X(ATTEST_E_RATLS_UNKNOWN_TAG, "RA-TLS tagged evidence with an unknown tag")  \
    X(ATTEST_E_RATLS_TRAILING, "bytes after the RA-TLS evidence")                \
    X(ATTEST_E_RATLS_BINDING, "REPORT_DATA does not bind the peer key")          \
    X(ATTEST_E_RATLS_NO_KEY_HASH, "RA-TLS claims without pubkey-hash")           \
    X(ATTEST_E_RATLS_KEY_HASH, "RA-TLS pubkey-hash is not the peer key's")       \
    X(ATTEST_E_RATLS_NONCE, "RA-TLS nonce absent or differing")                  \
    X(ATTEST_E_RATLS_PEER, "RA-TLS peer certificate or key invalid")             \
    X(ATTEST_E_EVENTLOG_REPLAY, "event log replay differs from the quoted register") \
    X(ATTEST_E_EVENTLOG_STRUCTURE, "event log structure not allowed")            \
    X(ATTEST_E_EVENTLOG_DIGEST, "event digest differs from its data")            \
    X(ATTEST_E_EVENTLOG_UNUSABLE, "event log given that the evidence cannot check") \
    X(ATTEST_E_POLICY_EVENT_LOG, "event log absent or a pinned event differs")   \
    X(ATTEST_E_EVENTLOG_TABLE, "event log does not fit its CCEL table")          \
    X(ATTEST_E_KEYSET_MALFORMED, "key set malformed or a key not usable")        \
    X(ATTEST_E_KEYSET_CERT, "key set certificate chain invalid or expired")      \
    X(ATTEST_E_TOKEN_ALG, "token algorithm not allowed")                         \
    X(ATTEST_E_TOKEN_KID, "token key id absent, unknown or ambiguous")           \
    X(ATTEST_E_TOKEN_ISSUER, "token issuer is not the pinned one")               \
    X(ATTEST_E_RESULT_SUBMODS, "result submods missing, extra or altered")       \
    X(ATTEST_E_RESULT_VERDICT, "other verifier's verdict is not trustworthy")    \
    X(ATTEST_E_RESULT_CLAIMS, "result claim absent or malformed")                \
    X(ATTEST_E_RESULT_BINDING, "result report data binding fails")

const char *attest_strerror(int status)
{
    switch (status) {
#define X(code, text) case code: return text;
        STATUS_TABLE(X)
#undef X
    }
    return "unknown status";
}

const char *attest_status_name(int status)
{
    switch (status) {
#define X(code, text) case code: return #code;
        STATUS_TABLE(X)
#undef X
    }
    return "ATTEST_E_UNKNOWN";
}

/* The last failure of each thread, status and detail: libgit2's
 * git_error_last() model (a class and a message). Thread-local, so threads
 * never see each other's failures and need no lock. */
static _Thread_local int last_status = ATTEST_OK;
static _Thread_local char last_error[512];

int attest_error_last_status(void) { return last_status; }

const char *attest_error_last(void) { return last_error; }

void attest_clear_error(void)
{
    last_status = ATTEST_OK;
    last_error[0] = '\0';
}

int attest_set_error(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    last_status = status;
    return status;
}
