package attest

/*
#include <attest.h>
#include <stdlib.h>
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"unsafe"
)

// TokenPubKey is a token verification key read once
// (attest_token_pubkey_new): a service verifying many tokens with one key
// saves the PEM read that VerifyToken pays on every call. Read-only once
// made: any number of goroutines may verify with it at once.
type TokenPubKey struct{ h handle }

// NewTokenPubKey reads a PEM public key or certificate (P-256 or P-384);
// anything else, a private key included, is ErrInvalidArg.
func NewTokenPubKey(pubkeyPEM []byte) (*TokenPubKey, error) {
	var k *C.attest_token_pubkey
	err := call("attest_token_pubkey_new", func() C.int {
		return C.attest_token_pubkey_new(&k, (*C.char)(unsafe.Pointer(bytesPtr(pubkeyPEM))),
			C.size_t(len(pubkeyPEM)))
	})
	if err != nil {
		return nil, err
	}
	key := &TokenPubKey{h: handle{ptr: unsafe.Pointer(k)}}
	runtime.SetFinalizer(key, (*TokenPubKey).Close)
	return key, nil
}

// Close frees the key (attest_token_pubkey_free); idempotent.
func (k *TokenPubKey) Close() error {
	k.h.close(func(p unsafe.Pointer) { C.attest_token_pubkey_free((*C.attest_token_pubkey)(p)) })
	return nil
}

// VerifyTokenKey is VerifyToken with a key read once
// (attest_token_verify_key): the same checks in the same order, the same
// errors. It returns the claims; ear.status is not judged.
func VerifyTokenKey(token string, key *TokenPubKey, opts TokenOptions) (json.RawMessage, error) {
	const op = "attest_token_verify_key"
	if key == nil {
		return nil, &Error{Op: op, Status: ErrInvalidArg, Message: "no key"}
	}
	key.h.mu.RLock()
	defer key.h.mu.RUnlock()
	if key.h.ptr == nil {
		return nil, errClosed(op)
	}
	ctok, now, err := tokenArgs(op, token, opts)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(ctok))
	var s *C.char
	err = call(op, func() C.int {
		return C.attest_token_verify_key(&s, ctok, (*C.attest_token_pubkey)(key.h.ptr), now,
			bytesPtr(opts.Nonce), C.size_t(len(opts.Nonce)))
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(takeString(s)), nil
}
