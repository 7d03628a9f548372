package attest

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// The CCEL log of T01 and the TCG log of P01 (../shared) as JSON; bytes
// that are no event log are ErrFormatUnknown.
func TestEventLogJSON(t *testing.T) {
	ref := filepath.Join(sharedVectors(t), "refvalues")
	for path, kind := range map[string]string{
		filepath.Join(ref, "tdx", "T01_gotdx_cos113", "ccel_data.bin"): "ccel-log",
		filepath.Join(ref, "tpm", "P01_gce_cos85", "event_log.bin"):    "tcg-log",
	} {
		raw, err := EventLogJSON(readFile(t, path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var doc struct {
			Kind string `json:"kind"`
			Log  struct {
				Events []json.RawMessage `json:"events"`
			} `json:"log"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil || doc.Kind != kind || len(doc.Log.Events) < 5 {
			t.Errorf("%s: kind %q, %d events, %v", path, doc.Kind, len(doc.Log.Events), err)
		}
	}
	if _, err := EventLogJSON([]byte("no event log")); !errors.Is(err, ErrFormatUnknown) {
		t.Errorf("not a log: %v", err)
	}
}

func p01(t *testing.T, bank string) TPMLog {
	dir := filepath.Join(sharedVectors(t), "refvalues", "tpm", "P01_gce_cos85")
	return TPMLog{
		AKPublic:  readFile(t, dir, "ak_pub.tpmt_public"),
		Quote:     readFile(t, dir, "quote_"+bank+".tpms_attest"),
		Signature: readFile(t, dir, "quote_"+bank+".tpmt_signature"),
		PCRValues: readFile(t, dir, "pcrs_"+bank+".bin"),
		EventLog:  readFile(t, dir, "event_log.bin"),
	}
}

// P01 (a GCE vTPM quote per bank and its log): accepted; a PCR value, a
// signature byte or a nonce the quote lacks: each its check's status.
func TestVerifyTPMLog(t *testing.T) {
	for _, bank := range []string{"sha1", "sha256", "sha384"} {
		if err := VerifyTPMLog(p01(t, bank)); err != nil {
			t.Errorf("%s: %v", bank, err)
		}
	}
	in := p01(t, "sha384")
	in.PCRValues[9*48] ^= 1
	if err := VerifyTPMLog(in); !errors.Is(err, ErrTPMPCRDigest) {
		t.Errorf("PCR 9 changed: %v", err)
	}
	in = p01(t, "sha1")
	in.Signature[len(in.Signature)-1] ^= 1
	if err := VerifyTPMLog(in); !errors.Is(err, ErrTPMSignature) {
		t.Errorf("signature byte: %v", err)
	}
	in = p01(t, "sha256")
	in.Nonce = []byte{0x90, 0x09}
	var e *Error
	if err := VerifyTPMLog(in); !errors.As(err, &e) || e.Status != ErrTPMNonce || e.Message == "" {
		t.Errorf("nonce: %v", err)
	}
}

// A token verified with a key read once: the same answers as VerifyToken.
func TestVerifyTokenKey(t *testing.T) {
	v := milanVerifier(t)
	r, err := v.Verify(mockSNPReport(t), milanCollateral(t)...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	priv, pub := newECKey(t)
	tok, err := r.SignToken(priv, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	key, err := NewTokenPubKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	at := time.Date(2025, 6, 1, 0, 30, 0, 0, time.UTC)
	claims, err := VerifyTokenKey(tok, key, TokenOptions{At: at})
	want, _ := VerifyToken(tok, pub, TokenOptions{At: at})
	if err != nil || string(claims) != string(want) {
		t.Errorf("claims %s, VerifyToken's %s: %v", claims, want, err)
	}
	if _, err := VerifyTokenKey(tok, key, TokenOptions{At: at.Add(2 * time.Hour)}); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("expired: %v", err)
	}
	if _, err := VerifyTokenKey(tok, key, TokenOptions{At: at, Nonce: []byte("n")}); !errors.Is(err, ErrTokenNonce) {
		t.Errorf("nonce the token lacks: %v", err)
	}
	if _, err := VerifyTokenKey(tok+"\x00junk", key, TokenOptions{At: at}); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("a token with a NUL byte: %v", err)
	}
	if _, err := VerifyToken(tok+"\x00junk", pub, TokenOptions{At: at}); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("VerifyToken, a token with a NUL byte: %v", err)
	}
	_, otherPub := newECKey(t)
	other, err := NewTokenPubKey(otherPub)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := VerifyTokenKey(tok, other, TokenOptions{At: at}); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("other key: %v", err)
	}
	if _, err := NewTokenPubKey(priv); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("a private key as verification key: %v", err)
	}
	key.Close()
	if _, err := VerifyTokenKey(tok, key, TokenOptions{At: at}); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("closed key: %v", err)
	}
}
