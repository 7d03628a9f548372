package attest

/*
#include <attest.h>
#include <stdlib.h>
*/
import "C"

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"unsafe"
)

// RATLSRule names how a TLS peer's key is bound into the evidence's
// REPORT_DATA (attest_ratls_rule, docs/ratls.md). The rule differs by
// producer and version, so the caller names it: it is never guessed.
type RATLSRule int

const (
	// RATLSSPKISHA256: SHA-256(DER SPKI) || zeros; Gramine's and Intel's
	// legacy SGX extensions, Open Enclave's (EGo), Steward's SGX CSR.
	RATLSSPKISHA256 RATLSRule = C.ATTEST_RATLS_SPKI_SHA256
	// RATLSClaimsSHA256: TCG DICE tagged evidence, SHA-256(claims) ||
	// zeros and the claims' pubkey-hash (required) equal to the SPKI's.
	RATLSClaimsSHA256 RATLSRule = C.ATTEST_RATLS_CLAIMS_SHA256
	// RATLSCSRSPKISHA384: Enarx Steward's SNP CSR, SHA-384(DER SPKI) || zeros.
	RATLSCSRSPKISHA384 RATLSRule = C.ATTEST_RATLS_CSR_SPKI_SHA384
	// RATLSOEPEMSHA256: Open Enclave, SHA-256(PEM SPKI text || NUL) || zeros.
	RATLSOEPEMSHA256 RATLSRule = C.ATTEST_RATLS_OE_PEM_SHA256
	// RATLSTinfoil (fetched evidence): SHA-256(SHA-256(SPKI) || HPKE key || nonce).
	RATLSTinfoil RATLSRule = C.ATTEST_RATLS_TINFOIL
	// RATLSNearAI (fetched evidence): SHA-256(signing address || SHA-256(SPKI)) || nonce.
	RATLSNearAI RATLSRule = C.ATTEST_RATLS_NEARAI
)

// ParseRATLSRule reads a rule by the name `attest verify --binding` takes
// ("claims-sha256", "spki-sha256", ..., "tinfoil", "nearai";
// attest_ratls_rule_parse). An unknown name is ErrInvalidArg.
func ParseRATLSRule(name string) (RATLSRule, error) {
	cs, err := cStringNoNUL("attest_ratls_rule_parse", "rule name", name)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(cs))
	var out C.int
	if err := call("attest_ratls_rule_parse", func() C.int {
		return C.attest_ratls_rule_parse(&out, cs)
	}); err != nil {
		return 0, err
	}
	return RATLSRule(out), nil
}

// String is the rule's name (attest_ratls_rule_name), or "RATLSRule(N)"
// for a value that names no rule.
func (r RATLSRule) String() string {
	if c, ok := cInt(int(r)); ok {
		if s := C.attest_ratls_rule_name(c); s != nil {
			return C.GoString(s)
		}
	}
	return fmt.Sprintf("RATLSRule(%d)", int(r))
}

// TLSOption adds an optional input to VerifyTLSPeer and VerifyTLSFetched.
type TLSOption func(*tlsInputs)

type tlsInputs struct {
	coll     *Collateral
	policy   *Policy
	nonce    []byte
	hasNonce bool
}

// TLSCollateral is the collateral the evidence is verified with (the
// Verifier's Fetcher is not used: these calls do no I/O).
func TLSCollateral(c *Collateral) TLSOption { return func(in *tlsInputs) { in.coll = c } }

// TLSPolicy is the policy (nil: the Verifier's WithPolicy, else the strict
// default); its report_data members must be absent, REPORT_DATA is the
// rule's (ErrPolicyReportData otherwise).
func TLSPolicy(p *Policy) TLSOption { return func(in *tlsInputs) { in.policy = p } }

// TLSNonce is a nonce for VerifyTLSPeer: compared with the TCG evidence's
// "nonce" claim, and refused (ErrRATLSNonce) when the evidence has none.
// Without it the result says the evidence is not fresh; an empty one is
// refused (ErrInvalidArg) rather than read as none. VerifyTLSFetched
// takes its nonce as a parameter and refuses this option.
func TLSNonce(n []byte) TLSOption {
	return func(in *tlsInputs) { in.nonce, in.hasNonce = n, true }
}

// VerifyTLSPeer verifies a TLS peer whose evidence is in its certificate
// or attested CSR (DER or PEM) under rule (attest_verify_tls_peer): the
// certificate's self-signature (no PKIX chain, no validity period), the
// one evidence extension the rule takes, the evidence as Verify does, then
// REPORT_DATA by the rule. Results and errors as VerifyRequest: a rejection
// returns the Result and an *Error wrapping its Status (ErrRATLSKeyHash,
// ErrRATLSBinding, ...). No I/O; safe from any number of goroutines.
func (v *Verifier) VerifyTLSPeer(cert []byte, rule RATLSRule, opts ...TLSOption) (*Result, error) {
	const op = "attest_verify_tls_peer"
	in := v.tlsInputs(opts)
	crule, ok := cInt(int(rule))
	if !ok {
		return nil, &Error{Op: op, Status: ErrInvalidArg, Message: "unknown rule"}
	}
	if in.hasNonce && len(in.nonce) == 0 {
		// a caller who gives a nonce wants it verified: an empty one would read as none
		return nil, &Error{Op: op, Status: ErrInvalidArg, Message: "TLSNonce: empty nonce"}
	}
	return v.tlsCall(op, in, nil, func(vp *C.attest_verifier, coll *C.attest_collateral,
		pol *C.attest_policy, _ *C.attest_evidence, r **C.attest_result) C.int {
		return C.attest_verify_tls_peer(r, vp, bytesPtr(cert), C.size_t(len(cert)), crule,
			coll, pol, bytesPtr(in.nonce), C.size_t(len(in.nonce)))
	})
}

// VerifyTLSFetched verifies evidence fetched over a TLS connection
// (RATLSTinfoil, RATLSNearAI; attest_verify_tls_fetched) against that
// connection's key: peer is the live session's leaf certificate (DER) or
// its DER SubjectPublicKeyInfo, never taken from the fetched document
// (VerifyTLSFetchedConn takes it from the connection); ev the SEV-SNP
// report (Tinfoil), TDX quote or bundle (NEAR AI); bound the 32-byte HPKE
// key (Tinfoil) or signing address (NEAR AI); nonce the 32 bytes the
// caller put in the request. Results and errors as VerifyTLSPeer.
func (v *Verifier) VerifyTLSFetched(peer []byte, rule RATLSRule, ev *Evidence, bound, nonce []byte,
	opts ...TLSOption) (*Result, error) {
	const op = "attest_verify_tls_fetched"
	in := v.tlsInputs(opts)
	if in.hasNonce {
		return nil, &Error{Op: op, Status: ErrInvalidArg,
			Message: "the nonce of a fetched scheme is VerifyTLSFetched's parameter, not TLSNonce"}
	}
	crule, ok := cInt(int(rule))
	if ev == nil || !ok {
		return nil, &Error{Op: op, Status: ErrInvalidArg, Message: "no evidence, or an unknown rule"}
	}
	return v.tlsCall(op, in, ev, func(vp *C.attest_verifier, coll *C.attest_collateral,
		pol *C.attest_policy, evp *C.attest_evidence, r **C.attest_result) C.int {
		return C.attest_verify_tls_fetched(r, vp, bytesPtr(peer), C.size_t(len(peer)), crule,
			evp, bytesPtr(bound), C.size_t(len(bound)), coll, pol, bytesPtr(nonce),
			C.size_t(len(nonce)))
	})
}

// VerifyTLSFetchedConn is VerifyTLSFetched with the peer certificate taken
// from the live connection's state (tls.Conn.ConnectionState()): call it
// after fetching the evidence over that same connection, and trust
// nothing the connection said before it accepts.
func (v *Verifier) VerifyTLSFetchedConn(state tls.ConnectionState, rule RATLSRule, ev *Evidence,
	bound, nonce []byte, opts ...TLSOption) (*Result, error) {
	if len(state.PeerCertificates) == 0 {
		return nil, &Error{Op: "attest_verify_tls_fetched", Status: ErrRATLSPeer,
			Message: "the connection has no peer certificate"}
	}
	return v.VerifyTLSFetched(state.PeerCertificates[0].Raw, rule, ev, bound, nonce, opts...)
}

func (v *Verifier) tlsInputs(opts []TLSOption) *tlsInputs {
	in := &tlsInputs{}
	for _, o := range opts {
		o(in)
	}
	if in.policy == nil {
		in.policy = v.policy
	}
	return in
}

type tlsCFunc func(*C.attest_verifier, *C.attest_collateral, *C.attest_policy,
	*C.attest_evidence, **C.attest_result) C.int

// tlsCall holds every object's read lock across the C call, as verify
// does, and turns its answer into a Result and a rejection error.
func (v *Verifier) tlsCall(op string, in *tlsInputs, ev *Evidence, f tlsCFunc) (*Result, error) {
	v.h.mu.RLock()
	defer v.h.mu.RUnlock()
	var evp *C.attest_evidence
	if ev != nil {
		ev.h.mu.RLock()
		defer ev.h.mu.RUnlock()
		if evp = (*C.attest_evidence)(ev.h.ptr); evp == nil {
			return nil, errClosed(op + ": evidence")
		}
	}
	if in.coll != nil {
		in.coll.h.mu.RLock()
		defer in.coll.h.mu.RUnlock()
		if in.coll.h.ptr == nil {
			return nil, errClosed(op + ": collateral")
		}
	}
	var pol *C.attest_policy
	if in.policy != nil {
		in.policy.h.mu.RLock()
		defer in.policy.h.mu.RUnlock()
		if pol = (*C.attest_policy)(in.policy.h.ptr); pol == nil {
			return nil, errClosed(op + ": policy")
		}
	}
	if v.h.ptr == nil {
		return nil, errClosed(op)
	}
	var r *C.attest_result
	err := call(op, func() C.int {
		return f((*C.attest_verifier)(v.h.ptr), in.coll.cptr(), pol, evp, &r)
	})
	if r == nil {
		return nil, err
	}
	res := newResult(r)
	if err == nil && res.Accepted() {
		return res, nil
	}
	rej := rejection(err, res).(*Error)
	rej.Op = op
	return res, rej
}

// TLSVerifier is a tls.Config.VerifyPeerCertificate for an RA-TLS client:
// it runs VerifyTLSPeer on the peer's leaf certificate (rawCerts[0]) with
// rule, coll and policy (nil: as TLSPolicy) and no nonce, and fails the
// handshake with the *Error (errors.Is(err, ErrRATLSKeyHash), ...) unless
// libattest accepts. The attestation replaces PKIX: set
// InsecureSkipVerify = true (else crypto/tls first demands a WebPKI chain
// and host name the RA-TLS certificate does not have), which disables only
// that chain check, not this callback (TLSConfig does both). rule must be
// one for certificates (not RATLSTinfoil or RATLSNearAI: those verify
// after the handshake, VerifyTLSFetchedConn). v, coll and policy must stay
// open while the config is used: once closed, every handshake fails.
//
// crypto/tls calls VerifyPeerCertificate on full handshakes only: leave
// ClientSessionCache nil (TLSConfig does), or use TLSConnectionVerifier,
// which also runs on resumed sessions.
func (v *Verifier) TLSVerifier(rule RATLSRule, coll *Collateral, policy *Policy) func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
	return func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
		if len(rawCerts) == 0 {
			return &Error{Op: "attest_verify_tls_peer", Status: ErrRATLSPeer,
				Message: "the peer sent no certificate"}
		}
		r, err := v.VerifyTLSPeer(rawCerts[0], rule, TLSCollateral(coll), TLSPolicy(policy))
		if r != nil {
			r.Close()
		}
		return err
	}
}

// TLSConnectionVerifier is TLSVerifier as a tls.Config.VerifyConnection,
// which crypto/tls calls on every handshake, resumed ones included (the
// leaf is then the one of the session resumed, verified again at the
// Verifier's instant). InsecureSkipVerify = true is required as for
// TLSVerifier.
func (v *Verifier) TLSConnectionVerifier(rule RATLSRule, coll *Collateral, policy *Policy) func(tls.ConnectionState) error {
	check := v.TLSVerifier(rule, coll, policy)
	return func(cs tls.ConnectionState) error {
		raw := make([][]byte, len(cs.PeerCertificates))
		for i, c := range cs.PeerCertificates {
			raw[i] = c.Raw
		}
		return check(raw, nil)
	}
}

// TLSConfig is a client tls.Config whose handshakes succeed only with a
// peer that libattest accepts under rule (TLSConnectionVerifier), with
// InsecureSkipVerify set because the attestation replaces PKIX, TLS 1.2
// or later, and no session cache. Add ServerName, ALPN and so on as
// needed.
func (v *Verifier) TLSConfig(rule RATLSRule, coll *Collateral, policy *Policy) *tls.Config {
	return &tls.Config{
		InsecureSkipVerify: true, // the attestation replaces PKIX: VerifyConnection decides
		VerifyConnection:   v.TLSConnectionVerifier(rule, coll, policy),
		MinVersion:         tls.VersionTLS12,
	}
}
