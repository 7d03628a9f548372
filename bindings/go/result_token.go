package attest

/*
#include <attest.h>
#include <stdlib.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Keyset is the keys that verify another verifier's tokens (attest_keyset):
// a JWKS or PEM certificates / public keys the caller chose, the trust
// anchor of every token verified with them (docs/results.md). Immutable:
// any number of goroutines may verify with it at once.
type Keyset struct{ h handle }

// NewKeyset decodes every key of data, a JWKS document or PEM text
// (attest_keyset_new). A key that breaks a rule refuses the whole set
// (ErrKeysetMalformed naming its index and kid); empty data is
// ErrInvalidArg. The bytes are copied.
func NewKeyset(data []byte) (*Keyset, error) {
	var p *C.attest_keyset
	err := call("attest_keyset_new", func() C.int {
		return C.attest_keyset_new(&p, bytesPtr(data), C.size_t(len(data)))
	})
	if err != nil {
		return nil, err
	}
	ks := &Keyset{h: handle{ptr: unsafe.Pointer(p)}}
	runtime.SetFinalizer(ks, (*Keyset).Close)
	return ks, nil
}

// Close frees the key set (attest_keyset_free); idempotent. A verification
// using it waits for the key set's lock, so Close never frees keys in use.
func (ks *Keyset) Close() error {
	ks.h.close(func(p unsafe.Pointer) { C.attest_keyset_free((*C.attest_keyset)(p)) })
	return nil
}

// ResultKind is which verifier issued a result token (ATTEST_RESULT_*).
type ResultKind int

const (
	ResultNRAS ResultKind = C.ATTEST_RESULT_NRAS // NVIDIA NRAS /v3/attest/gpu response, ES384
	ResultITA  ResultKind = C.ATTEST_RESULT_ITA  // Intel Trust Authority TDX token, PS384
	ResultMAA  ResultKind = C.ATTEST_RESULT_MAA  // Azure Attestation SGX token, RS256; issuer required
)

// ResultOption adds an optional input to VerifyResultToken.
type ResultOption func(*resultInputs)

type resultInputs struct {
	issuer     string
	hasIssuer  bool
	policy     *Policy
	nonce      []byte
	hasNonce   bool
	allowRS256 bool
}

// ResultIssuer pins the token's iss (default: the service's production
// issuer; required for ResultMAA, whose instances of a region share their
// key and kid). An empty issuer is refused (ErrInvalidArg), not read as
// the default.
func ResultIssuer(iss string) ResultOption {
	return func(in *resultInputs) { in.issuer, in.hasIssuer = iss, true }
}

// ResultPolicy is the policy the claims are judged by (nil: the Verifier's
// WithPolicy, else the strict default). Members that need raw evidence
// are refused (ErrPolicyInvalid), never skipped.
func ResultPolicy(p *Policy) ResultOption { return func(in *resultInputs) { in.policy = p } }

// ResultNonce is the nonce the token must carry (NRAS eat_nonce of every
// JWT, ITA verifier_nonce.val, MAA runtime data); an empty one is refused
// (ErrInvalidArg) rather than read as none.
func ResultNonce(n []byte) ResultOption {
	return func(in *resultInputs) { in.nonce, in.hasNonce = n, true }
}

// ResultAllowRS256 accepts RS256 beside PS384 for ResultITA
// (ATTEST_RESULT_ALLOW_RS256); the library refuses it with other kinds.
func ResultAllowRS256() ResultOption { return func(in *resultInputs) { in.allowRS256 = true } }

// VerifyResultToken verifies another verifier's signed result offline with
// the keys of ks and maps its claims into a Result as Verify does
// (attest_verify_result_token, docs/results.md): every JWT's signature
// (key chosen by kid and alg; none and HS* refused), iss, exp/nbf/iat at
// the Verifier's instant with no skew, then the claims under the policy.
// A rejection returns the Result and an *Error wrapping its Status
// (ErrTokenKid, ErrTokenAlg, ErrTokenIssuer, ErrResultVerdict, ...). No
// I/O; safe from any number of goroutines.
func (v *Verifier) VerifyResultToken(kind ResultKind, token []byte, ks *Keyset,
	opts ...ResultOption) (*Result, error) {
	const op = "attest_verify_result_token"
	in := &resultInputs{}
	for _, o := range opts {
		o(in)
	}
	if in.policy == nil {
		in.policy = v.policy
	}
	ckind, ok := cInt(int(kind))
	if !ok || ks == nil {
		return nil, &Error{Op: op, Status: ErrInvalidArg, Message: "no key set, or an unknown kind"}
	}
	if in.allowRS256 {
		ckind |= C.ATTEST_RESULT_ALLOW_RS256
	}
	if (in.hasNonce && len(in.nonce) == 0) || (in.hasIssuer && in.issuer == "") {
		// a caller who gives a nonce or issuer wants it enforced: empty would read as none
		return nil, &Error{Op: op, Status: ErrInvalidArg, Message: "empty ResultNonce or ResultIssuer"}
	}
	var iss *C.char
	if in.hasIssuer {
		cs, err := cStringNoNUL(op, "issuer", in.issuer)
		if err != nil {
			return nil, err
		}
		defer C.free(unsafe.Pointer(cs))
		iss = cs
	}
	ks.h.mu.RLock()
	defer ks.h.mu.RUnlock()
	if ks.h.ptr == nil {
		return nil, errClosed(op + ": key set")
	}
	ksp := (*C.attest_keyset)(ks.h.ptr)
	return v.tlsCall(op, &tlsInputs{policy: in.policy}, nil, func(vp *C.attest_verifier,
		_ *C.attest_collateral, pol *C.attest_policy, _ *C.attest_evidence, r **C.attest_result) C.int {
		return C.attest_verify_result_token(r, vp, ckind, bytesPtr(token), C.size_t(len(token)),
			ksp, iss, pol, bytesPtr(in.nonce), C.size_t(len(in.nonce)))
	})
}

// TLSPeerEvidence is the evidence the certificate or CSR (DER or PEM)
// carries under rule (attest_tls_peer_evidence), so that CollateralNeeds
// and a Fetcher can complete the collateral before VerifyTLSPeer. Nothing
// is verified: not the self-signature, the evidence or the binding. A
// rule for fetched evidence (RATLSTinfoil, RATLSNearAI) is ErrInvalidArg.
func TLSPeerEvidence(cert []byte, rule RATLSRule) (*Evidence, error) {
	const op = "attest_tls_peer_evidence"
	crule, ok := cInt(int(rule))
	if !ok {
		return nil, &Error{Op: op, Status: ErrInvalidArg, Message: "unknown rule"}
	}
	var p *C.attest_evidence
	err := call(op, func() C.int {
		return C.attest_tls_peer_evidence(&p, bytesPtr(cert), C.size_t(len(cert)), crule)
	})
	if err != nil {
		return nil, err
	}
	return newEvidence(p), nil
}
