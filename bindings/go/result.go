package attest

/*
#include <attest.h>
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"time"
	"unsafe"
)

// Verdict is accepted or rejected (attest_verdict).
type Verdict int

const (
	Rejected Verdict = C.ATTEST_VERDICT_REJECTED
	Accepted Verdict = C.ATTEST_VERDICT_ACCEPTED
)

func (v Verdict) String() string {
	if v == Accepted {
		return "accepted"
	}
	return "rejected"
}

// Outcome is what one check did (attest_check_outcome).
type Outcome int

const (
	Pass    Outcome = C.ATTEST_CHECK_PASS
	Fail    Outcome = C.ATTEST_CHECK_FAIL
	Skipped Outcome = C.ATTEST_CHECK_SKIPPED
)

func (o Outcome) String() string {
	switch o {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	default:
		return "skipped"
	}
}

// Check is one check the verification ran.
type Check struct {
	Name    string // "snp.report.signature"
	Outcome Outcome
	Status  Status
	Detail  string
}

// Result is a verification's outcome (attest_result). The scalar fields
// are read when it is made; the checks, the JSON and the claims on
// demand, from the C result it keeps until Close (or its finalizer).
type Result struct {
	h         handle
	Verdict   Verdict
	Status    Status // OK when accepted, else the first failing check's code
	Reason    string // "" when accepted, else "check: why"
	EARStatus string // "affirming", "warning" or "contraindicated"
	// Missing is what the Verifier's Fetcher could not fetch (online
	// verification only; nil otherwise).
	Missing []Need

	verifiedAt int64  // attest_result_verified_at, read when made
	fresh      bool   // attest_result_fresh
	nonce      []byte // attest_result_nonce, copied; nil unless fresh
}

func newResult(p *C.attest_result) *Result {
	r := &Result{
		h:          handle{ptr: unsafe.Pointer(p)},
		Verdict:    Verdict(C.attest_result_verdict(p)),
		Status:     Status(C.attest_result_status(p)),
		Reason:     C.GoString(C.attest_result_reason(p)),
		EARStatus:  C.GoString(C.attest_result_ear_status(p)),
		verifiedAt: int64(C.attest_result_verified_at(p)),
		fresh:      C.attest_result_fresh(p) != 0,
	}
	var n C.size_t
	// a nonce is handed back only with a fresh result (as the C API promises)
	if b := C.attest_result_nonce(p, &n); r.fresh && b != nil && n > 0 {
		r.nonce = C.GoBytes(unsafe.Pointer(b), C.int(n))
	}
	runtime.SetFinalizer(r, (*Result).Close)
	return r
}

// VerifiedAt is the instant the evidence was judged at: the Verifier's
// clock or WithTime (attest_result_verified_at); zero for a Result not
// made by libattest. Readable after Close.
func (r *Result) VerifiedAt() time.Time {
	if r.verifiedAt == 0 {
		return time.Time{}
	}
	return time.Unix(r.verifiedAt, 0).UTC()
}

// Fresh tells whether the result is accepted with the caller's nonce bound
// by the evidence (attest_result_fresh): false when rejected, when no nonce
// was given, or when the evidence carries none. Readable after Close.
func (r *Result) Fresh() bool { return r.fresh }

// Nonce is the nonce the evidence was verified to bind, a copy
// (attest_result_nonce), or nil when the result is not fresh: a nonce that
// was not verified is never handed back. Readable after Close.
func (r *Result) Nonce() []byte {
	if r.nonce == nil {
		return nil
	}
	return append([]byte(nil), r.nonce...)
}

// Accepted tells whether the evidence was accepted.
func (r *Result) Accepted() bool { return r.Verdict == Accepted && r.Status == OK }

// Checks lists the checks in the order they ran (attest_result_check_*).
func (r *Result) Checks() []Check {
	r.h.mu.RLock()
	defer r.h.mu.RUnlock()
	p := (*C.attest_result)(r.h.ptr)
	if p == nil {
		return nil
	}
	out := make([]Check, int(C.attest_result_check_count(p)))
	for i := range out {
		ci := C.size_t(i)
		out[i] = Check{
			Name:    C.GoString(C.attest_result_check_name(p, ci)),
			Outcome: Outcome(C.attest_result_check_outcome(p, ci)),
			Status:  Status(C.attest_result_check_status(p, ci)),
			Detail:  C.GoString(C.attest_result_check_detail(p, ci)),
		}
	}
	return out
}

// JSON is the whole result as attest_result_to_json writes it.
func (r *Result) JSON() (json.RawMessage, error) {
	r.h.mu.RLock()
	defer r.h.mu.RUnlock()
	if r.h.ptr == nil {
		return nil, errClosed("Result.JSON")
	}
	var s *C.char
	err := call("attest_result_to_json", func() C.int {
		return C.attest_result_to_json(&s, (*C.attest_result)(r.h.ptr))
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(takeString(s)), nil
}

// Details is the result JSON decoded: the stable members typed, the
// per-platform claims and EAR submodules as raw JSON (docs/token.md).
type Details struct {
	Verdict    string                     `json:"verdict"`
	Status     string                     `json:"status"`
	Code       int                        `json:"code"`
	Reason     string                     `json:"reason"`
	VerifiedAt time.Time                  `json:"verified_at"`
	EARStatus  string                     `json:"ear_status"`
	Fresh      bool                       `json:"fresh"`
	Nonce      string                     `json:"nonce,omitempty"`
	Checks     []CheckJSON                `json:"checks"`
	Submods    map[string]json.RawMessage `json:"submods"`
	Claims     json.RawMessage            `json:"claims"`
}

// CheckJSON is one check as the result JSON spells it.
type CheckJSON struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"` // "pass", "fail", "skipped"
	Status  string `json:"status"`  // "ATTEST_OK", "ATTEST_E_..."
	Detail  string `json:"detail"`
}

// Details decodes JSON into its typed members.
func (r *Result) Details() (*Details, error) {
	raw, err := r.JSON()
	if err != nil {
		return nil, err
	}
	var d Details
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// CBOR is the token's claims as unsigned CBOR (attest_result_to_cbor).
func (r *Result) CBOR() ([]byte, error) {
	r.h.mu.RLock()
	defer r.h.mu.RUnlock()
	if r.h.ptr == nil {
		return nil, errClosed("Result.CBOR")
	}
	var p *C.uint8_t
	var n C.size_t
	err := call("attest_result_to_cbor", func() C.int {
		return C.attest_result_to_cbor(&p, &n, (*C.attest_result)(r.h.ptr))
	})
	if err != nil {
		return nil, err
	}
	defer C.attest_bytes_free(p)
	return C.GoBytes(unsafe.Pointer(p), C.int(n)), nil
}

// SignToken signs the result as a JWT with an unencrypted PEM EC private
// key, P-256 (ES256) or P-384 (ES384), valid for lifetime from the
// verification instant (attest_token_sign). A rejected result is signed
// too, as "contraindicated".
func (r *Result) SignToken(keyPEM []byte, lifetime time.Duration) (string, error) {
	r.h.mu.RLock()
	defer r.h.mu.RUnlock()
	if r.h.ptr == nil {
		return "", errClosed("Result.SignToken")
	}
	var s *C.char
	err := call("attest_token_sign", func() C.int {
		return C.attest_token_sign(&s, (*C.attest_result)(r.h.ptr),
			(*C.char)(unsafe.Pointer(bytesPtr(keyPEM))), C.size_t(len(keyPEM)),
			C.int64_t(lifetime/time.Second))
	})
	if err != nil {
		return "", err
	}
	return takeString(s), nil
}

// Close frees the C result (attest_result_free); the scalar fields stay
// readable. Idempotent.
func (r *Result) Close() error {
	r.h.close(func(p unsafe.Pointer) { C.attest_result_free((*C.attest_result)(p)) })
	return nil
}
