package attest

/*
#include <attest.h>
#include <stdlib.h>
*/
import "C"

import (
	"encoding/json"
	"time"
	"unsafe"
)

// TokenOptions are the optional checks of VerifyToken.
type TokenOptions struct {
	// At is the instant the token must be valid at; zero: the clock.
	At time.Time
	// Nonce, when given, must equal the token's eat_nonce.
	Nonce []byte
}

// VerifyToken verifies a token made by Result.SignToken with a PEM public
// key or certificate (attest_token_verify): the algorithm the key's curve
// implies, the signature, the EAR claims, validity at opts.At and the
// nonce. It returns the claims. ear.status is not judged: read it from the
// claims ("ear.status") before trusting a valid token of a rejection.
func VerifyToken(token string, pubkeyPEM []byte, opts TokenOptions) (json.RawMessage, error) {
	ctok, now, err := tokenArgs("attest_token_verify", token, opts)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(ctok))
	var s *C.char
	err = call("attest_token_verify", func() C.int {
		return C.attest_token_verify(&s, ctok, (*C.char)(unsafe.Pointer(bytesPtr(pubkeyPEM))),
			C.size_t(len(pubkeyPEM)), now, bytesPtr(opts.Nonce), C.size_t(len(opts.Nonce)))
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(takeString(s)), nil
}

// tokenArgs is the token as a C string and opts.At as the C instant
// (ATTEST_TIME_NOW when zero). A token holding a NUL byte is refused: C
// would verify only the part before it.
func tokenArgs(op, token string, opts TokenOptions) (*C.char, C.int64_t, error) {
	ctok, err := cStringNoNUL(op, "token", token)
	if err != nil {
		return nil, 0, err
	}
	now := C.int64_t(C.ATTEST_TIME_NOW)
	if !opts.At.IsZero() {
		now = C.int64_t(opts.At.Unix())
	}
	return ctok, now, nil
}

// CreateBundle builds an evidence bundle (docs/bundle.md) from evidence
// and collateral items, each sorted by Classify, recording nonce (may be
// nil) (attest_bundle_create). The bundle is JSON that ParseEvidence
// takes.
func CreateBundle(items [][]byte, nonce []byte) ([]byte, error) {
	arr := newCArrays(items)
	defer arr.free()
	var s *C.char
	err := call("attest_bundle_create", func() C.int {
		return C.attest_bundle_create(&s, (**C.uint8_t)(unsafe.Pointer(arr.data)), arr.lens,
			C.size_t(arr.n), bytesPtr(nonce), C.size_t(len(nonce)))
	})
	if err != nil {
		return nil, err
	}
	return []byte(takeString(s)), nil
}

// CreateBundleWithParts is CreateBundle where the CPU item is an Azure HCL
// report and the other parts of it (TPM quote, signature, PCR values, TD
// quote) are given apart (attest_bundle_create_with_parts).
func CreateBundleWithParts(items [][]byte, nonce []byte, parts ...Part) ([]byte, error) {
	arr := newCArrays(items)
	defer arr.free()
	pdata := make([][]byte, len(parts))
	for i, p := range parts {
		pdata[i] = p.Data
	}
	parr := newCArrays(pdata)
	defer parr.free()
	var kinds *C.attest_part_kind
	if len(parts) > 0 {
		kinds = (*C.attest_part_kind)(C.calloc(C.size_t(len(parts)), C.size_t(unsafe.Sizeof(C.attest_part_kind(0)))))
		defer C.free(unsafe.Pointer(kinds))
		for i, p := range parts {
			unsafe.Slice(kinds, len(parts))[i] = C.attest_part_kind(p.Kind)
		}
	}
	var s *C.char
	err := call("attest_bundle_create_with_parts", func() C.int {
		return C.attest_bundle_create_with_parts(&s, (**C.uint8_t)(unsafe.Pointer(arr.data)),
			arr.lens, C.size_t(arr.n), bytesPtr(nonce), C.size_t(len(nonce)), kinds,
			(**C.uint8_t)(unsafe.Pointer(parr.data)), parr.lens, C.size_t(len(parts)))
	})
	if err != nil {
		return nil, err
	}
	return []byte(takeString(s)), nil
}
