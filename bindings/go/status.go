package attest

/*
#include <attest.h>
*/
import "C"

import (
	"fmt"
	"strings"
)

// Status is a libattest status code (attest_status in attest.h). Its
// values are those of the C enum, stable across releases. A Status is an
// error, so that errors.Is(err, attest.ErrSNPSignature) and
// errors.As(err, &status) work on every error this package returns.
type Status int

// The status codes of include/attest.h, one to one (the values are taken
// from the C enum at compile time; TestStatusConstantsCoverHeader checks
// that none is missing).
const (
	OK                       Status = C.ATTEST_OK
	ErrInvalidArg            Status = C.ATTEST_E_INVALID_ARG              // NULL or out-of-range argument
	ErrNoMem                 Status = C.ATTEST_E_NOMEM                    // allocation failed
	ErrIO                    Status = C.ATTEST_E_IO                       // file could not be read
	ErrInternal              Status = C.ATTEST_E_INTERNAL                 // library or crypto backend error
	ErrFormatUnknown         Status = C.ATTEST_E_FORMAT_UNKNOWN           // bytes are no evidence format known
	ErrTruncated             Status = C.ATTEST_E_TRUNCATED                // input shorter than its format needs
	ErrLength                Status = C.ATTEST_E_LENGTH                   // input longer than its format allows
	ErrUnsupportedVersion    Status = C.ATTEST_E_UNSUPPORTED_VERSION      // known format, unknown version
	ErrMalformed             Status = C.ATTEST_E_MALFORMED                // a field holds a value its format forbids
	ErrCollateralUnknown     Status = C.ATTEST_E_COLLATERAL_UNKNOWN       // a collateral item was not recognised
	ErrCollateralMissing     Status = C.ATTEST_E_COLLATERAL_MISSING       // a certificate or CRL needed is absent
	ErrCollateralExpired     Status = C.ATTEST_E_COLLATERAL_EXPIRED       // TCB Info / QE Identity outside issueDate..nextUpdate
	ErrCollateralSignature   Status = C.ATTEST_E_COLLATERAL_SIGNATURE     // TCB Info / QE Identity signature invalid
	ErrCollateralMismatch    Status = C.ATTEST_E_COLLATERAL_MISMATCH      // collateral for another FMSPC, PCE, TEE or QE
	ErrCertParse             Status = C.ATTEST_E_CERT_PARSE               // certificate or extension undecodable
	ErrCertUntrustedRoot     Status = C.ATTEST_E_CERT_UNTRUSTED_ROOT      // chain ends at a root that is not pinned
	ErrCertSignature         Status = C.ATTEST_E_CERT_SIGNATURE           // a certificate is not signed by its issuer
	ErrCertExpired           Status = C.ATTEST_E_CERT_EXPIRED             // notAfter before the verification instant
	ErrCertNotYetValid       Status = C.ATTEST_E_CERT_NOT_YET_VALID       // notBefore after the verification instant
	ErrCertRevoked           Status = C.ATTEST_E_CERT_REVOKED             // serial listed in a valid CRL
	ErrCertProfile           Status = C.ATTEST_E_CERT_PROFILE             // wrong CN, key type, algorithm or role
	ErrCRLSignature          Status = C.ATTEST_E_CRL_SIGNATURE            // CRL not signed by its issuer
	ErrCRLExpired            Status = C.ATTEST_E_CRL_EXPIRED              // CRL nextUpdate passed or thisUpdate ahead
	ErrCRLMissing            Status = C.ATTEST_E_CRL_MISSING              // policy requires a CRL and none was given
	ErrSNPSignature          Status = C.ATTEST_E_SNP_SIGNATURE            // ECDSA P-384 report signature invalid
	ErrSNPSignatureRange     Status = C.ATTEST_E_SNP_SIGNATURE_RANGE      // r or s is zero or not below the order
	ErrSNPTCBBinding         Status = C.ATTEST_E_SNP_TCB_BINDING          // VEK TCB extensions != REPORTED_TCB
	ErrSNPChipIDBinding      Status = C.ATTEST_E_SNP_CHIP_ID_BINDING      // VCEK hwID != CHIP_ID
	ErrSNPSigningKey         Status = C.ATTEST_E_SNP_SIGNING_KEY          // SIGNING_KEY does not match the VEK kind
	ErrSNPProduct            Status = C.ATTEST_E_SNP_PRODUCT              // product unknown or VEK from another product
	ErrPolicyInvalid         Status = C.ATTEST_E_POLICY_INVALID           // policy document malformed or unknown member
	ErrPolicyTCB             Status = C.ATTEST_E_POLICY_TCB               // a TCB component below its floor
	ErrPolicyDebug           Status = C.ATTEST_E_POLICY_DEBUG             // guest policy allows debugging
	ErrPolicyGuestPolicy     Status = C.ATTEST_E_POLICY_GUEST_POLICY      // SMT, migration agent, single socket, ABI
	ErrPolicyMeasurement     Status = C.ATTEST_E_POLICY_MEASUREMENT       // measurement not in the allowed list
	ErrPolicyReportData      Status = C.ATTEST_E_POLICY_REPORT_DATA       // report_data not equal / not nonce-bound
	ErrPolicyHostData        Status = C.ATTEST_E_POLICY_HOST_DATA         // host_data differs
	ErrPolicyVMPL            Status = C.ATTEST_E_POLICY_VMPL              // VMPL not allowed
	ErrPolicyID              Status = C.ATTEST_E_POLICY_ID                // family, image, ID key or author key
	ErrPolicySigner          Status = C.ATTEST_E_POLICY_SIGNER            // VCEK or VLEK required and other used
	ErrPolicyFirmware        Status = C.ATTEST_E_POLICY_FIRMWARE          // guest SVN, firmware version, provisional
	ErrPolicyTCBStatus       Status = C.ATTEST_E_POLICY_TCB_STATUS        // TCB status not among the accepted ones
	ErrPolicyAdvisory        Status = C.ATTEST_E_POLICY_ADVISORY          // an advisory ID not allowed
	ErrPolicyTCBEvaluation   Status = C.ATTEST_E_POLICY_TCB_EVALUATION    // tcbEvaluationDataNumber below the minimum
	ErrPolicyCollateralTime  Status = C.ATTEST_E_POLICY_COLLATERAL_TIME   // collateral or certificate outside its validity
	ErrPolicyPlatform        Status = C.ATTEST_E_POLICY_PLATFORM          // evidence of a platform the policy does not address
	ErrDCAPQuoteSignature    Status = C.ATTEST_E_DCAP_QUOTE_SIGNATURE     // quote not signed by its attestation key
	ErrDCAPQEReportSignature Status = C.ATTEST_E_DCAP_QE_REPORT_SIGNATURE // QE report not signed by the PCK key
	ErrDCAPQEReportData      Status = C.ATTEST_E_DCAP_QE_REPORT_DATA      // QE REPORTDATA != SHA-256(key || auth data)
	ErrDCAPQEIdentity        Status = C.ATTEST_E_DCAP_QE_IDENTITY         // QE report does not match QE Identity
	ErrDCAPTCBNotSupported   Status = C.ATTEST_E_DCAP_TCB_NOT_SUPPORTED   // no TCB level of TCB Info matches
	ErrDCAPTDXModule         Status = C.ATTEST_E_DCAP_TDX_MODULE          // TDX module identity mismatch
	ErrNVReportSignature     Status = C.ATTEST_E_NV_REPORT_SIGNATURE      // SPDM report not signed by the device leaf
	ErrNVNonce               Status = C.ATTEST_E_NV_NONCE                 // request nonce is not the caller's nonce
	ErrNVFWID                Status = C.ATTEST_E_NV_FWID                  // report FWID != leaf certificate FWID
	ErrNVRIMMismatch         Status = C.ATTEST_E_NV_RIM_MISMATCH          // RIM for another device, product or version
	ErrNVMeasurement         Status = C.ATTEST_E_NV_MEASUREMENT           // runtime measurement != RIM golden value
	ErrNVRIMConflict         Status = C.ATTEST_E_NV_RIM_CONFLICT          // index active in both driver and VBIOS RIMs
	ErrNVOCSP                Status = C.ATTEST_E_NV_OCSP                  // OCSP says revoked, on hold or unknown
	ErrNVTopology            Status = C.ATTEST_E_NV_TOPOLOGY              // PPCIe topology inconsistent
	ErrPolicyNVVersion       Status = C.ATTEST_E_POLICY_NV_VERSION        // driver/VBIOS version not accepted
	ErrPolicyNVMode          Status = C.ATTEST_E_POLICY_NV_MODE           // SPT/MPT/PPCIe mode not the required one
	ErrCompositeBinding      Status = C.ATTEST_E_COMPOSITE_BINDING        // GPU evidence not bound to this CPU's report
	ErrCompositeMissing      Status = C.ATTEST_E_COMPOSITE_MISSING        // a device the policy requires is absent
	ErrTokenMalformed        Status = C.ATTEST_E_TOKEN_MALFORMED          // not a token of this profile
	ErrTokenSignature        Status = C.ATTEST_E_TOKEN_SIGNATURE          // token signature invalid or wrong key
	ErrTokenExpired          Status = C.ATTEST_E_TOKEN_EXPIRED            // token expired or not yet issued
	ErrTokenNonce            Status = C.ATTEST_E_TOKEN_NONCE              // token eat_nonce differs
	ErrTPMAKKey              Status = C.ATTEST_E_TPM_AK_KEY               // AK JWK not RSA-2048/3072/4096 with e 65537
	ErrTPMSignature          Status = C.ATTEST_E_TPM_SIGNATURE            // TPM quote not signed by the AK
	ErrTPMSignatureFormat    Status = C.ATTEST_E_TPM_SIGNATURE_FORMAT     // quote signature neither raw nor RSASSA/SHA-256
	ErrTPMPCRDigest          Status = C.ATTEST_E_TPM_PCR_DIGEST           // PCR values do not hash to the signed pcrDigest
	ErrTPMNonce              Status = C.ATTEST_E_TPM_NONCE                // quote extraData is not the caller's nonce
	ErrAzureClaimsBinding    Status = C.ATTEST_E_AZURE_CLAIMS_BINDING     // REPORT_DATA[0:32] != SHA-256(runtime claims)
	ErrAzureReportDataTail   Status = C.ATTEST_E_AZURE_REPORT_DATA_TAIL   // REPORT_DATA[32:64] not zero
	ErrAzureAKMismatch       Status = C.ATTEST_E_AZURE_AK_MISMATCH        // AK certificate key != the claims' AK
	ErrAzureQuoteMissing     Status = C.ATTEST_E_AZURE_QUOTE_MISSING      // no TPM quote, or no TD quote for a TDREPORT
	ErrAzureTDReport         Status = C.ATTEST_E_AZURE_TD_REPORT          // TD quote fields differ from the HCL's TDREPORT
	ErrAzureNonce            Status = C.ATTEST_E_AZURE_NONCE              // a nonce given that nothing in the evidence binds
	ErrPolicyPCR             Status = C.ATTEST_E_POLICY_PCR               // a pinned PCR absent, unselected or not allowed
	ErrPolicyVMConfig        Status = C.ATTEST_E_POLICY_VM_CONFIG         // runtime claims vm-configuration not as required
	ErrPolicyUserData        Status = C.ATTEST_E_POLICY_USER_DATA         // runtime claims user-data not as required
	ErrMeasureImageSize      Status = C.ATTEST_E_MEASURE_IMAGE_SIZE       // firmware image empty, cut, not whole pages, too big
	ErrMeasureNoMetadata     Status = C.ATTEST_E_MEASURE_NO_METADATA      // image without the TDVF or SEV metadata needed
	ErrMeasureMetadata       Status = C.ATTEST_E_MEASURE_METADATA         // metadata signature, version, length, type malformed
	ErrMeasureSectionBounds  Status = C.ATTEST_E_MEASURE_SECTION_BOUNDS   // a metadata section outside the image or 4 GiB
	ErrMeasureVCPUs          Status = C.ATTEST_E_MEASURE_VCPUS            // vCPU count 0 or above 1024
	ErrMeasureVCPUType       Status = C.ATTEST_E_MEASURE_VCPU_TYPE        // vCPU type unknown, missing or not applicable
	ErrMeasureVMM            Status = C.ATTEST_E_MEASURE_VMM              // VMM type unknown
	ErrMeasureGuestFeatures  Status = C.ATTEST_E_MEASURE_GUEST_FEATURES   // guest features without SNPActive
	ErrMeasureKernelHashes   Status = C.ATTEST_E_MEASURE_KERNEL_HASHES    // kernel hashes, no kernel-hashes page
	ErrMeasureInputMissing   Status = C.ATTEST_E_MEASURE_INPUT_MISSING    // no OVMF image or hash, or no AP reset EIP
	ErrRATLSNoEvidence       Status = C.ATTEST_E_RATLS_NO_EVIDENCE        // no evidence extension the binding rule takes
	ErrRATLSDuplicate        Status = C.ATTEST_E_RATLS_DUPLICATE          // a second evidence extension
	ErrRATLSUnknownTag       Status = C.ATTEST_E_RATLS_UNKNOWN_TAG        // TCG tagged evidence with an unknown CBOR tag
	ErrRATLSTrailing         Status = C.ATTEST_E_RATLS_TRAILING           // bytes after the evidence in its extension
	ErrRATLSBinding          Status = C.ATTEST_E_RATLS_BINDING            // REPORT_DATA is not the rule's value for this key
	ErrRATLSNoKeyHash        Status = C.ATTEST_E_RATLS_NO_KEY_HASH        // claims map without pubkey-hash
	ErrRATLSKeyHash          Status = C.ATTEST_E_RATLS_KEY_HASH           // claims pubkey-hash is not the peer key's hash
	ErrRATLSNonce            Status = C.ATTEST_E_RATLS_NONCE              // nonce absent, differing, or given to a scheme without one
	ErrRATLSPeer             Status = C.ATTEST_E_RATLS_PEER               // peer certificate, CSR or key undecodable or badly self-signed
	ErrEventLogReplay        Status = C.ATTEST_E_EVENTLOG_REPLAY          // a register replayed from the log != the quoted one
	ErrEventLogStructure     Status = C.ATTEST_E_EVENTLOG_STRUCTURE       // an event in a register, order or index the format forbids
	ErrEventLogDigest        Status = C.ATTEST_E_EVENTLOG_DIGEST          // an event's digest is not the hash of its data
	ErrEventLogUnusable      Status = C.ATTEST_E_EVENTLOG_UNUSABLE        // a log given that this evidence cannot check
	ErrPolicyEventLog        Status = C.ATTEST_E_POLICY_EVENT_LOG         // required log absent, or a pinned event differs
	ErrEventLogTable         Status = C.ATTEST_E_EVENTLOG_TABLE           // log does not fit the CCEL table
	ErrKeysetMalformed       Status = C.ATTEST_E_KEYSET_MALFORMED         // key set undecodable, a key unusable, x5c[0] differing
	ErrKeysetCert            Status = C.ATTEST_E_KEYSET_CERT              // a key's x5c chain invalid or expired
	ErrTokenAlg              Status = C.ATTEST_E_TOKEN_ALG                // alg none, HS*, not allowed, or not the key's
	ErrTokenKid              Status = C.ATTEST_E_TOKEN_KID                // kid absent, unknown or ambiguous
	ErrTokenIssuer           Status = C.ATTEST_E_TOKEN_ISSUER             // iss is not the pinned issuer
	ErrResultSubmods         Status = C.ATTEST_E_RESULT_SUBMODS           // detached submod missing, extra or altered
	ErrResultVerdict         Status = C.ATTEST_E_RESULT_VERDICT           // the other verifier's verdict is not trustworthy
	ErrResultClaims          Status = C.ATTEST_E_RESULT_CLAIMS            // a claim the mapping needs absent or malformed
	ErrResultBinding         Status = C.ATTEST_E_RESULT_BINDING           // report data / runtime data binding fails
)

// Name is the enum name ("ATTEST_E_SNP_SIGNATURE"); "ATTEST_E_UNKNOWN" for
// a value not in the enum (attest_status_name).
func (s Status) Name() string { return C.GoString(C.attest_status_name(C.int(s))) }

// Text is the static English description (attest_strerror).
func (s Status) Text() string { return C.GoString(C.attest_strerror(C.int(s))) }

// Error makes a Status an error: "ATTEST_E_SNP_SIGNATURE: <text>".
func (s Status) Error() string { return s.Name() + ": " + s.Text() }

// Error is a failed libattest call: the operation, its Status and the
// detail message libattest recorded (attest_error_last, naming the field
// or check), or for a rejected verification the result's reason.
// Unwrap gives the Status, so errors.Is(err, ErrTruncated) holds.
type Error struct {
	Op      string // the C function or binding method that failed
	Status  Status
	Message string // detail naming the field or check; may be ""
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Status.Name())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else {
		fmt.Fprintf(&b, " (%s)", e.Status.Text())
	}
	return b.String()
}

// Unwrap returns the Status.
func (e *Error) Unwrap() error { return e.Status }

// allStatuses lists every constant above, for the test that compares them
// with include/attest.h.
var allStatuses = []Status{
	OK,
	ErrInvalidArg,
	ErrNoMem,
	ErrIO,
	ErrInternal,
	ErrFormatUnknown,
	ErrTruncated,
	ErrLength,
	ErrUnsupportedVersion,
	ErrMalformed,
	ErrCollateralUnknown,
	ErrCollateralMissing,
	ErrCollateralExpired,
	ErrCollateralSignature,
	ErrCollateralMismatch,
	ErrCertParse,
	ErrCertUntrustedRoot,
	ErrCertSignature,
	ErrCertExpired,
	ErrCertNotYetValid,
	ErrCertRevoked,
	ErrCertProfile,
	ErrCRLSignature,
	ErrCRLExpired,
	ErrCRLMissing,
	ErrSNPSignature,
	ErrSNPSignatureRange,
	ErrSNPTCBBinding,
	ErrSNPChipIDBinding,
	ErrSNPSigningKey,
	ErrSNPProduct,
	ErrPolicyInvalid,
	ErrPolicyTCB,
	ErrPolicyDebug,
	ErrPolicyGuestPolicy,
	ErrPolicyMeasurement,
	ErrPolicyReportData,
	ErrPolicyHostData,
	ErrPolicyVMPL,
	ErrPolicyID,
	ErrPolicySigner,
	ErrPolicyFirmware,
	ErrPolicyTCBStatus,
	ErrPolicyAdvisory,
	ErrPolicyTCBEvaluation,
	ErrPolicyCollateralTime,
	ErrPolicyPlatform,
	ErrDCAPQuoteSignature,
	ErrDCAPQEReportSignature,
	ErrDCAPQEReportData,
	ErrDCAPQEIdentity,
	ErrDCAPTCBNotSupported,
	ErrDCAPTDXModule,
	ErrNVReportSignature,
	ErrNVNonce,
	ErrNVFWID,
	ErrNVRIMMismatch,
	ErrNVMeasurement,
	ErrNVRIMConflict,
	ErrNVOCSP,
	ErrNVTopology,
	ErrPolicyNVVersion,
	ErrPolicyNVMode,
	ErrCompositeBinding,
	ErrCompositeMissing,
	ErrTokenMalformed,
	ErrTokenSignature,
	ErrTokenExpired,
	ErrTokenNonce,
	ErrTPMAKKey,
	ErrTPMSignature,
	ErrTPMSignatureFormat,
	ErrTPMPCRDigest,
	ErrTPMNonce,
	ErrAzureClaimsBinding,
	ErrAzureReportDataTail,
	ErrAzureAKMismatch,
	ErrAzureQuoteMissing,
	ErrAzureTDReport,
	ErrAzureNonce,
	ErrPolicyPCR,
	ErrPolicyVMConfig,
	ErrPolicyUserData,
	ErrMeasureImageSize,
	ErrMeasureNoMetadata,
	ErrMeasureMetadata,
	ErrMeasureSectionBounds,
	ErrMeasureVCPUs,
	ErrMeasureVCPUType,
	ErrMeasureVMM,
	ErrMeasureGuestFeatures,
	ErrMeasureKernelHashes,
	ErrMeasureInputMissing,
	ErrRATLSNoEvidence,
	ErrRATLSDuplicate,
	ErrRATLSUnknownTag,
	ErrRATLSTrailing,
	ErrRATLSBinding,
	ErrRATLSNoKeyHash,
	ErrRATLSKeyHash,
	ErrRATLSNonce,
	ErrRATLSPeer,
	ErrEventLogReplay,
	ErrEventLogStructure,
	ErrEventLogDigest,
	ErrEventLogUnusable,
	ErrPolicyEventLog,
	ErrEventLogTable,
	ErrKeysetMalformed,
	ErrKeysetCert,
	ErrTokenAlg,
	ErrTokenKid,
	ErrTokenIssuer,
	ErrResultSubmods,
	ErrResultVerdict,
	ErrResultClaims,
	ErrResultBinding,
}
