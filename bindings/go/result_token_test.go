package attest

import (
	"bytes"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// The real tokens of ../shared/vectors/results (MANIFEST.md), at instants
// inside each token's window and with the request nonces the MANIFEST
// gives, as tests/api/test_results.c uses them.
const (
	nrasAt    = "2026-06-29T02:30:00Z"
	n01Nonce  = "1b63be880a57c6cb2ea2191157e35bdc0de416d3b9e4b5b17423b12f8553d633"
	n03Nonce  = "c7fe347ecca03db12e156e048bbe809024928ef0707a319796956fe7415148e4"
	n04Nonce  = "9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a"
	itaAt     = "2023-12-05T00:10:00Z"
	itaIssuer = "Intel Trust Authority"
	itaNonce  = "784b23d3151f72143c26527a619ff372fa87ad112d018ca3c85a062ca1b42a9ee89f050f750488c331b450ad34cd2d654b9cca19cd1133b529d21c38d55957ce"
	itaPolicy = `{"tdx":{"accepted_tcb_statuses":["UpToDate","OutOfDate"]}}`
	maaShared = "https://sharedwus.wus.attest.azure.net"
	maaAt     = "2022-11-17T21:00:00Z"
	maaPolicy = `{"sgx":{"allow_debug":true}}`
	jwks0629  = "nras/jwks_2026-06-29.json"
	maaJWKS   = "maa/jwks_sharedwus_2022-11-17.json"
)

func resultsDir(t *testing.T) string {
	return filepath.Join(sharedVectors(t), "results")
}

func sharedKeyset(t *testing.T, rel string) *Keyset {
	t.Helper()
	ks, err := NewKeyset(readFile(t, resultsDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	return ks
}

func verifierAt(t *testing.T, at string) *Verifier {
	t.Helper()
	when, err := ParseTime(at)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(WithTime(when))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPolicy(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := ParsePolicy([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// verifyShared verifies the token rel with the key set jwks at `at`.
func verifyShared(t *testing.T, kind ResultKind, rel, jwks, at string, opts ...ResultOption) (*Result, error) {
	t.Helper()
	tok := readFile(t, resultsDir(t), rel)
	r, err := verifierAt(t, at).VerifyResultToken(kind, tok, sharedKeyset(t, jwks), opts...)
	if r != nil {
		t.Cleanup(func() { r.Close() })
	}
	return r, err
}

func TestResultTokenNRASAcceptedFresh(t *testing.T) {
	nonce := mustHex(t, n01Nonce)
	r, err := verifyShared(t, ResultNRAS, "nras/N01_tinfoil_1gpu_2026-06-29/nras_response.json",
		jwks0629, nrasAt, ResultNonce(nonce))
	if err != nil || !r.Accepted() {
		t.Fatalf("N01: %v", err)
	}
	want, _ := ParseTime(nrasAt)
	if !r.VerifiedAt().Equal(want) || !r.Fresh() || !bytes.Equal(r.Nonce(), nonce) {
		t.Errorf("N01: verified at %v, fresh %v, nonce %x", r.VerifiedAt(), r.Fresh(), r.Nonce())
	}
	r.Close() // the scalars stay readable
	if !r.Fresh() || !bytes.Equal(r.Nonce(), nonce) {
		t.Error("N01: freshness lost at Close")
	}
}

func TestResultTokenNRASRejections(t *testing.T) {
	r, err := verifyShared(t, ResultNRAS, "nras/N03_chutes_8gpu_nonce_mismatch_2026-06-29/nras_response.json",
		jwks0629, nrasAt, ResultNonce(mustHex(t, n03Nonce)))
	if !errors.Is(err, ErrResultVerdict) || r == nil || r.Accepted() || r.Fresh() || r.Nonce() != nil {
		t.Errorf("N03 (NONCE_NOT_MATCHING): %v", err)
	}
	// N04's key was rotated out of the 06-29 key set
	_, err = verifyShared(t, ResultNRAS, "nras/N04_nanogpt_1gpu_2026-06-10/nras_response.json",
		jwks0629, "2026-06-10T02:00:00Z", ResultNonce(mustHex(t, n04Nonce)))
	if !errors.Is(err, ErrTokenKid) {
		t.Errorf("N04 with the 06-29 key set: %v", err)
	}
}

func TestResultTokenMAA(t *testing.T) {
	pol := mustPolicy(t, maaPolicy)
	r, err := verifyShared(t, ResultMAA, "maa/token_sgx_shared_rs256.jwt", maaJWKS, maaAt,
		ResultIssuer(maaShared), ResultPolicy(pol))
	if err != nil || !r.Accepted() || r.Fresh() {
		t.Errorf("shared instance's token: %v", err)
	}
	_, err = verifyShared(t, ResultMAA, "maa/token_sgx_shared_draftpolicy_alg_none.jwt", maaJWKS, maaAt,
		ResultIssuer(maaShared), ResultPolicy(pol))
	if !errors.Is(err, ErrTokenAlg) {
		t.Errorf("alg none: %v", err)
	}
	// the isolated instance's token verifies with the shared key: only iss tells
	_, err = verifyShared(t, ResultMAA, "maa/token_sgx_isolated_rs256.jwt", maaJWKS, maaAt,
		ResultIssuer(maaShared), ResultPolicy(pol))
	if !errors.Is(err, ErrTokenIssuer) {
		t.Errorf("isolated token, sharedwus issuer: %v", err)
	}
	// MAA has no default issuer
	_, err = verifyShared(t, ResultMAA, "maa/token_sgx_shared_rs256.jwt", maaJWKS, maaAt, ResultPolicy(pol))
	if !errors.Is(err, ErrInvalidArg) {
		t.Errorf("MAA without an issuer: %v", err)
	}
}

func TestResultTokenITA(t *testing.T) {
	nonce := mustHex(t, itaNonce)
	pol := mustPolicy(t, itaPolicy)
	const tok, jwks = "ita/token_tdx_2023-12-05_ps384.jwt", "ita/jwks_portal_79d807.json"
	r, err := verifyShared(t, ResultITA, tok, jwks, itaAt, ResultIssuer(itaIssuer), ResultPolicy(pol),
		ResultNonce(nonce))
	if err != nil || !r.Accepted() || !r.Fresh() || !bytes.Equal(r.Nonce(), nonce) {
		t.Fatalf("ITA: %v", err)
	}
	if _, err := verifyShared(t, ResultITA, tok, jwks, itaAt, ResultIssuer(itaIssuer),
		ResultPolicy(pol), ResultNonce(nonce), ResultAllowRS256()); err != nil {
		t.Errorf("ITA with RS256 allowed too: %v", err)
	}
	// the production issuer (the default) is not the 2023 token's
	if _, err := verifyShared(t, ResultITA, tok, jwks, itaAt, ResultPolicy(pol), ResultNonce(nonce)); !errors.Is(err, ErrTokenIssuer) {
		t.Errorf("ITA with the default issuer: %v", err)
	}
	if _, err := verifyShared(t, ResultITA, tok, jwks, itaAt, ResultIssuer(itaIssuer), ResultPolicy(pol),
		ResultNonce(nonce[1:])); !errors.Is(err, ErrTokenNonce) {
		t.Errorf("ITA with another nonce: %v", err)
	}
}

// Inputs the binding refuses before C sees them, and a closed key set.
func TestResultTokenArguments(t *testing.T) {
	if _, err := NewKeyset([]byte(`{"keys":[]}`)); !errors.Is(err, ErrKeysetMalformed) {
		t.Errorf("empty JWKS: %v", err)
	}
	if _, err := NewKeyset(nil); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("no data: %v", err)
	}
	v := verifierAt(t, nrasAt)
	ks := sharedKeyset(t, jwks0629)
	for name, opts := range map[string][]ResultOption{
		"empty nonce":  {ResultNonce([]byte{})},
		"empty issuer": {ResultIssuer("")},
		"NUL issuer":   {ResultIssuer("a\x00b")},
	} {
		if _, err := v.VerifyResultToken(ResultNRAS, []byte("[]"), ks, opts...); !errors.Is(err, ErrInvalidArg) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := v.VerifyResultToken(ResultNRAS, []byte("[]"), ks, ResultAllowRS256()); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("RS256 allowed for NRAS: %v", err)
	}
	if _, err := v.VerifyResultToken(ResultNRAS, []byte("[]"), nil); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("nil key set: %v", err)
	}
	ks.Close()
	ks.Close()
	if _, err := v.VerifyResultToken(ResultNRAS, []byte("[]"), ks); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("closed key set: %v", err)
	}
	if (&Result{}).VerifiedAt() != (time.Time{}) || (&Result{}).Nonce() != nil {
		t.Error("a zero Result has an instant or a nonce")
	}
}

// The evidence of an RA-TLS certificate, unverified, for CollateralNeeds.
func TestTLSPeerEvidence(t *testing.T) {
	cert, _ := mockRATLSCert(t)
	ev, err := TLSPeerEvidence(cert, RATLSClaimsSHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if ev.Format() != FormatDCAPQuote {
		t.Errorf("format %v", ev.Format())
	}
	if _, err := TLSPeerEvidence(cert, RATLSTinfoil); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("a rule for fetched evidence: %v", err)
	}
	if _, err := TLSPeerEvidence([]byte("not a certificate"), RATLSClaimsSHA256); err == nil {
		t.Error("garbage accepted")
	}
}
