package attest

/*
#include <attest.h>
*/
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// TokenKey is a token signing key read once (attest_token_key_new): a
// service signing many tokens with one key saves the PEM read that
// Result.SignToken pays on every call. Safe for concurrent use.
type TokenKey struct{ h handle }

// TokenVerbose adds the whole parse of every device to the token
// (ATTEST_TOKEN_VERBOSE; docs/token.md).
const TokenVerbose = uint(C.ATTEST_TOKEN_VERBOSE)

// NewTokenKey reads an EC private key PEM (P-256 or P-384).
func NewTokenKey(keyPEM []byte) (*TokenKey, error) {
	var k *C.attest_token_key
	err := call("attest_token_key_new", func() C.int {
		return C.attest_token_key_new(&k, (*C.char)(unsafe.Pointer(bytesPtr(keyPEM))),
			C.size_t(len(keyPEM)))
	})
	if err != nil {
		return nil, err
	}
	key := &TokenKey{h: handle{ptr: unsafe.Pointer(k)}}
	runtime.SetFinalizer(key, (*TokenKey).Close)
	return key, nil
}

// Close frees the key (attest_token_key_free); idempotent.
func (k *TokenKey) Close() error {
	k.h.close(func(p unsafe.Pointer) { C.attest_token_key_free((*C.attest_token_key)(p)) })
	return nil
}

// SignTokenWithKey signs the result as a token with a key read once
// (attest_token_sign_key); flags is 0 or TokenVerbose.
func (r *Result) SignTokenWithKey(key *TokenKey, lifetime time.Duration, flags uint) (string, error) {
	r.h.mu.RLock()
	defer r.h.mu.RUnlock()
	key.h.mu.RLock()
	defer key.h.mu.RUnlock()
	if r.h.ptr == nil || key.h.ptr == nil {
		return "", errClosed("Result.SignTokenWithKey")
	}
	var s *C.char
	err := call("attest_token_sign_key", func() C.int {
		return C.attest_token_sign_key(&s, (*C.attest_result)(r.h.ptr),
			(*C.attest_token_key)(key.h.ptr), C.int64_t(lifetime/time.Second), C.uint(flags))
	})
	if err != nil {
		return "", err
	}
	return takeString(s), nil
}
