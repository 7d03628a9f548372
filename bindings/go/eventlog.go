package attest

/*
#include <attest.h>
*/
import "C"

import "encoding/json"

// EventLogJSON parses an event log item (kinds ItemCCELTable ..
// ItemAAELLog: CCEL table or data, TCG log, dstack or AAEL log) and shows
// it as JSON {kind, log: {...every event...}} for inspection
// (attest_eventlog_to_json, docs/eventlog.md). Nothing is verified.
// ErrFormatUnknown when data is no event log; parse errors name the field.
func EventLogJSON(data []byte) (json.RawMessage, error) {
	var s *C.char
	err := call("attest_eventlog_to_json", func() C.int {
		return C.attest_eventlog_to_json(&s, bytesPtr(data), C.size_t(len(data)))
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(takeString(s)), nil
}

// TPMLog is a TPM 2.0 quote and the TCG event log that explains it
// (docs/eventlog.md, "TPM quote and log").
type TPMLog struct {
	AKPublic  []byte // the AK as an RSA TPMT_PUBLIC (2048/3072/4096 bits, e 65537), taken as given
	Quote     []byte // TPMS_ATTEST, exactly the signed bytes; one PCR bank
	Signature []byte // RSASSA-PKCS1-v1_5/SHA-256, raw or a TPMT_SIGNATURE
	PCRValues []byte // the selected PCRs' values, ascending index, each of the bank's size
	EventLog  []byte // the TCG (crypto-agile) event log
	Nonce     []byte // must equal extraData; nil: extraData must be empty
}

// VerifyTPMLog checks, in this order and failing closed
// (attest_tpm_log_verify): the quote's signature by the AK, its nonce,
// PCRValues against the signed pcrDigest, then the log's replay of the
// quoted bank against every PCR it extends (each must be selected). Tying
// the AK to a device is the caller's part. Errors: ErrTPMSignature,
// ErrTPMNonce, ErrTPMPCRDigest, ErrEventLogReplay ("tpm.event_log.pcrN"),
// ErrEventLogUnusable, parse errors naming the field. Safe from any
// number of goroutines.
func VerifyTPMLog(in TPMLog) error {
	return call("attest_tpm_log_verify", func() C.int {
		return C.attest_tpm_log_verify(bytesPtr(in.AKPublic), C.size_t(len(in.AKPublic)),
			bytesPtr(in.Quote), C.size_t(len(in.Quote)),
			bytesPtr(in.Signature), C.size_t(len(in.Signature)),
			bytesPtr(in.PCRValues), C.size_t(len(in.PCRValues)),
			bytesPtr(in.EventLog), C.size_t(len(in.EventLog)),
			bytesPtr(in.Nonce), C.size_t(len(in.Nonce)))
	})
}
