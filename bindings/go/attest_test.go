package attest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestVersionAndLimits(t *testing.T) {
	if VersionNumber() != HeaderVersionNumber {
		t.Errorf("library %#x, header %#x", VersionNumber(), HeaderVersionNumber)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(Version()) {
		t.Errorf("Version() = %q", Version())
	}
	if NonceMax() != 64 || NvidiaDeviceMax() != 12 || OCSPResponseMax() != 256 || OCSPNonceMax() != 32 {
		t.Errorf("limits %d %d %d %d", NonceMax(), NvidiaDeviceMax(), OCSPResponseMax(), OCSPNonceMax())
	}
}

// Every status of include/attest.h has its Go constant, and no other.
func TestStatusConstantsCoverHeader(t *testing.T) {
	header := readFile(t, "..", "..", "include", "attest.h")
	want := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(ATTEST_(?:OK|E_[A-Z0-9_]+))\s*=`).FindAllSubmatch(header, -1) {
		want[string(m[1])] = true
	}
	got := map[string]bool{}
	for _, s := range allStatuses {
		got[s.Name()] = true
		if s.Text() == "" {
			t.Errorf("%s has no text", s.Name())
		}
	}
	for name := range want {
		if !got[name] {
			t.Errorf("%s has no Go constant", name)
		}
	}
	if len(got) != len(want) || len(want) < 80 {
		t.Errorf("%d Go constants, %d in the header", len(got), len(want))
	}
	if Status(-9999).Name() != "ATTEST_E_UNKNOWN" {
		t.Error("unknown status name")
	}
}

func TestSNPAcceptedWithChecksAndClaims(t *testing.T) {
	v := milanVerifier(t)
	r, err := v.Verify(mockSNPReport(t), milanCollateral(t)...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Accepted() || r.Status != OK || r.Reason != "" || r.EARStatus != "affirming" {
		t.Fatalf("%+v", r)
	}
	checks := r.Checks()
	found := false
	for _, c := range checks {
		if c.Name == "snp.report.signature" && c.Outcome == Pass && c.Status == OK {
			found = true
		}
	}
	if !found || len(checks) < 5 {
		t.Errorf("checks %+v", checks)
	}
	d, err := r.Details()
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Report struct{ Version int } `json:"report"`
	}
	if err := json.Unmarshal(d.Claims, &claims); err != nil {
		t.Fatal(err)
	}
	if d.Verdict != "accepted" || !d.VerifiedAt.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) ||
		claims.Report.Version != 3 || d.Submods["cpu0"] == nil || len(d.Checks) != len(checks) ||
		d.Checks[0].Name != checks[0].Name {
		t.Errorf("details: verdict %s at %v, report version %d, %d checks",
			d.Verdict, d.VerifiedAt, claims.Report.Version, len(d.Checks))
	}
	if v.CacheSize() == 0 {
		t.Error("the chain was not cached")
	}
	v.ClearCache()
	if v.CacheSize() != 0 {
		t.Error("ClearCache kept chains")
	}
}

func TestSNPTamperedSignatureRejected(t *testing.T) {
	report := mockSNPReport(t, "--flip", "0x90")
	r, err := milanVerifier(t).Verify(report, milanCollateral(t)...)
	if r == nil || r.Accepted() || r.Verdict != Rejected {
		t.Fatalf("tampered report: %v %v", r, err)
	}
	if !errors.Is(err, ErrSNPSignature) {
		t.Fatalf("want ErrSNPSignature, got %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Status != ErrSNPSignature || !strings.Contains(e.Message, "snp.report.signature") {
		t.Errorf("error %#v", e)
	}
	var st Status
	if !errors.As(err, &st) || st != ErrSNPSignature {
		t.Errorf("errors.As Status: %v", st)
	}
	if r.EARStatus != "contraindicated" {
		t.Errorf("EAR %q", r.EARStatus)
	}
}

// Only the pinned test ARK is trusted: the rogue PKI's report is not.
func TestAnchorsEnforced(t *testing.T) {
	rogue := filepath.Join(testPKI(t), "rogue")
	out := filepath.Join(t.TempDir(), "r.bin")
	if msg, err := exec.Command(mockBin(t), "snp", "report", "--pki", rogue, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, msg)
	}
	coll := [][]byte{readFile(t, rogue, "vcek.pem"), readFile(t, rogue, "chain.pem"), readFile(t, rogue, "crl.der")}
	_, err := milanVerifier(t).Verify(readFile(t, out), coll...)
	if !errors.Is(err, ErrCertUntrustedRoot) {
		t.Fatalf("rogue root: %v", err)
	}
	if _, err := NewVerifier(WithAnchorHex(VendorAMD, "abcd")); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("short anchor: %v", err)
	}
}

func TestNonceAndPolicy(t *testing.T) {
	nonce := []byte("go-binding-nonce")
	report := mockSNPReport(t, "--report-data", "676f2d62696e64696e672d6e6f6e6365")
	v := milanVerifier(t)
	ev, err := ParseEvidence(report)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if ev.Format() != FormatSNPReport {
		t.Errorf("format %d", ev.Format())
	}
	coll, err := NewCollateral(milanCollateral(t)...)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	if coll.CertCount() != 3 || coll.CRLCount() != 1 {
		t.Errorf("counts %d %d", coll.CertCount(), coll.CRLCount())
	}
	r, err := v.VerifyRequest(Request{Evidence: ev, Collateral: coll, Nonce: nonce})
	if err != nil || !r.Accepted() {
		t.Fatalf("nonce bound: %v", err)
	}
	_, err = v.VerifyRequest(Request{Evidence: ev, Collateral: coll, Nonce: []byte("another-nonce")})
	if !errors.Is(err, ErrPolicyReportData) {
		t.Errorf("wrong nonce: %v", err)
	}
	_, err = v.VerifyRequest(Request{Evidence: ev, Collateral: coll, Nonce: make([]byte, NonceMax()+1)})
	if err == nil {
		t.Error("a nonce longer than NonceMax accepted")
	}
	pol, err := ParsePolicy([]byte(`{"snp":{"measurements":["` + strings.Repeat("ab", 48) + `"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer pol.Close()
	_, err = v.VerifyRequest(Request{Evidence: ev, Collateral: coll, Policy: pol})
	if !errors.Is(err, ErrPolicyMeasurement) {
		t.Errorf("measurement policy: %v", err)
	}
	// The verifier's own policy applies when the request names none.
	_, err = milanVerifier(t, WithPolicy(pol)).Verify(report, milanCollateral(t)...)
	if !errors.Is(err, ErrPolicyMeasurement) {
		t.Errorf("WithPolicy: %v", err)
	}
	def, err := DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	def.Close()
	if _, err := v.VerifyRequest(Request{Evidence: ev, Policy: def}); err == nil {
		t.Error("a closed policy was used")
	}
}

func TestParseErrorsNameTheField(t *testing.T) {
	report := mockSNPReport(t)
	_, err := ParseEvidence(report[:100])
	var e *Error
	if !errors.As(err, &e) || e.Status != ErrTruncated || e.Message == "" || e.Op != "attest_evidence_parse" {
		t.Errorf("truncated: %v", err)
	}
	_, err = ParsePolicy([]byte(`{"snp":{"alow_debug":true}}`))
	if !errors.Is(err, ErrPolicyInvalid) || !strings.Contains(err.Error(), "alow_debug") {
		t.Errorf("policy typo: %v", err)
	}
	c, _ := NewCollateral()
	defer c.Close()
	if err := c.Add([]byte("not collateral")); !errors.Is(err, ErrCollateralUnknown) {
		t.Errorf("junk collateral: %v", err)
	}
	if _, err := ParseTime("2025-02-29T00:00:00Z"); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("2025-02-29: %v", err)
	}
}

func TestEvidenceJSONClassifyNeeds(t *testing.T) {
	report := mockSNPReport(t)
	ev, err := ParseEvidence(report)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	js, err := ev.JSON()
	if err != nil || !bytes.Contains(js, []byte(`"version"`)) {
		t.Errorf("inspect JSON: %v %.80s", err, js)
	}
	coll := milanCollateral(t)
	for i, want := range []ItemKind{ItemEvidenceSNP, ItemCertificates, ItemCertificates, ItemCRL, ItemUnknown} {
		item := []byte("junk")
		if i == 0 {
			item = report
		} else if i <= 3 {
			item = coll[i-1]
		}
		if got, err := Classify(item); err != nil || got != want {
			t.Errorf("item %d: %v (%s), want %v", i, got, err, want)
		}
	}
	if ItemCRL.String() != "crl" || !ItemEvidenceSNP.IsEvidence() || ItemOCSP.IsEvidence() {
		t.Error("kind names")
	}
	have, _ := NewCollateral(coll[0])
	defer have.Close()
	needs, err := CollateralNeeds(ev, have)
	if err != nil || len(needs) != 1 || needs[0].Kind != NeedAMDCRL ||
		needs[0].URL != "https://kdsintf.amd.com/vcek/v1/Milan/crl" || needs[0].Method != "GET" {
		t.Fatalf("needs %+v %v", needs, err)
	}
	if js, _ := NeedsJSON(needs); !bytes.Contains(js, []byte(`"kind":"amd-crl"`)) {
		t.Errorf("needs JSON %s", js)
	}
	full, _ := NewCollateral(coll...)
	defer full.Close()
	if needs, err := CollateralNeeds(ev, full); err != nil || len(needs) != 0 {
		t.Errorf("full collateral still needs %+v", needs)
	}
}

// newECKey is a P-256 key as unencrypted PKCS#8 PEM, and its public key.
func newECKey(t *testing.T) (priv, pub []byte) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	pder, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder})
}

func TestBundleTokenCBOR(t *testing.T) {
	nonce := []byte("go-binding-nonce")
	report := mockSNPReport(t, "--report-data", "676f2d62696e64696e672d6e6f6e6365")
	bundle, err := CreateBundle(append([][]byte{report}, milanCollateral(t)...), nonce)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := Classify(bundle); k != ItemBundle {
		t.Errorf("bundle classified %v", k)
	}
	if _, err := CreateBundle([][]byte{report, report}, nil); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("two CPU evidences: %v", err)
	}
	ev, err := ParseEvidence(bundle)
	if err != nil || ev.Format() != FormatBundle {
		t.Fatalf("bundle parse: %v", err)
	}
	defer ev.Close()
	v := milanVerifier(t)
	r, err := v.VerifyRequest(Request{Evidence: ev, Nonce: nonce})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	priv, pub := newECKey(t)
	tok, err := r.SignToken(priv, time.Hour)
	if err != nil || strings.Count(tok, ".") != 2 {
		t.Fatalf("sign: %v", err)
	}
	at := time.Date(2025, 6, 1, 0, 30, 0, 0, time.UTC)
	claims, err := VerifyToken(tok, pub, TokenOptions{At: at, Nonce: nonce})
	if err != nil || !bytes.Contains(claims, []byte(`"affirming"`)) {
		t.Fatalf("token verify: %v %s", err, claims)
	}
	if _, err := VerifyToken(tok, pub, TokenOptions{At: at, Nonce: []byte("other")}); !errors.Is(err, ErrTokenNonce) {
		t.Errorf("wrong nonce: %v", err)
	}
	if _, err := VerifyToken(tok, pub, TokenOptions{At: at.Add(2 * time.Hour)}); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("expired: %v", err)
	}
	_, other := newECKey(t)
	if _, err := VerifyToken(tok, other, TokenOptions{At: at}); !errors.Is(err, ErrTokenSignature) {
		t.Errorf("other key: %v", err)
	}
	if _, err := r.SignToken(pub, time.Hour); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("public key signs: %v", err)
	}
	cb, err := r.CBOR()
	if err != nil || len(cb) == 0 || cb[0]&0xe0 != 0xa0 {
		t.Errorf("CBOR: %v % x", err, cb[:min(len(cb), 4)])
	}
	r.Close()
	r.Close() // idempotent
	if _, err := r.JSON(); err == nil {
		t.Error("JSON of a closed result")
	}
	if r.Status != OK {
		t.Error("scalar fields lost at Close")
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func TestAzureFromParts(t *testing.T) {
	pki := testPKI(t)
	dir := filepath.Join(pki, "azure", "snp")
	parts := []Part{
		{PartHCLReport, readFile(t, dir, "hcl_report.bin")},
		{PartTPMQuote, readFile(t, dir, "quote_msg.bin")},
		{PartTPMSignature, readFile(t, dir, "quote_sig.bin")},
		{PartTPMPCRs, readFile(t, dir, "pcrs.bin")},
	}
	ev, err := EvidenceFromParts(parts...)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if ev.Format() != FormatAzureVTPM {
		t.Fatalf("format %d", ev.Format())
	}
	pin := func(v Vendor, p string) Option {
		return WithAnchorHex(v, strings.TrimSpace(string(readFile(t, pki, p, "anchor.sha256"))))
	}
	at, _ := ParseTime("2025-06-15T00:00:00Z")
	v, err := NewVerifier(WithTime(at), pin(VendorAMD, "genoa"), pin(VendorAzureVTPM, "azure"))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	coll, _ := NewCollateral(readFile(t, pki, "genoa", "vcek.pem"), readFile(t, pki, "genoa", "chain.pem"),
		readFile(t, pki, "genoa", "crl.der"), readFile(t, pki, "azure", "ak.pem"), readFile(t, pki, "azure", "chain.pem"))
	defer coll.Close()
	nonce := readHex(t, dir, "nonce.hex")
	if _, err := v.VerifyRequest(Request{Evidence: ev, Collateral: coll, Nonce: nonce}); err != nil {
		t.Fatal(err)
	}
	_, err = v.VerifyRequest(Request{Evidence: ev, Collateral: coll, Nonce: []byte("x")})
	if !errors.Is(err, ErrTPMNonce) {
		t.Errorf("wrong nonce: %v", err)
	}
	if _, err := EvidenceFromParts(parts[1:]...); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("no HCL report: %v", err)
	}
}

func TestAddOCSPNonceLimit(t *testing.T) {
	c, _ := NewCollateral()
	defer c.Close()
	ocsp := filepath.Join(testPKI(t), "nvidia", "ocsp")
	entries, _ := os.ReadDir(ocsp)
	var der []byte
	for _, e := range entries {
		if b, _ := os.ReadFile(filepath.Join(ocsp, e.Name())); b != nil {
			if k, _ := Classify(b); k == ItemOCSP {
				der = b
				break
			}
		}
	}
	if der == nil {
		t.Skip("no OCSP response in the test PKI")
	}
	if err := c.AddOCSP(der, make([]byte, OCSPNonceMax()+1)); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("33-byte nonce: %v", err)
	}
	if err := c.AddOCSP(der, make([]byte, OCSPNonceMax())); err != nil {
		t.Errorf("32-byte nonce: %v", err)
	}
	if err := c.AddOCSP([]byte("junk"), nil); !errors.Is(err, ErrCollateralUnknown) {
		t.Errorf("junk OCSP: %v", err)
	}
}

// README.md maps every ATTEST_API function of include/attest.h.
func TestReadmeMapsEveryFunction(t *testing.T) {
	header := readFile(t, "..", "..", "include", "attest.h")
	readme := string(readFile(t, "README.md"))
	fns := regexp.MustCompile(`ATTEST_API [^(;]*?\b(attest_[a-z0-9_]+)\(`).FindAllSubmatch(header, -1)
	if len(fns) < 70 {
		t.Fatalf("only %d functions found in attest.h", len(fns))
	}
	for _, m := range fns {
		if !strings.Contains(readme, "| `"+string(m[1])+"` |") {
			t.Errorf("README.md does not map %s", m[1])
		}
	}
}

// An inconsistent answer is a rejection, never an acceptance.
func TestRejectionNeverOK(t *testing.T) {
	res := &Result{Verdict: Rejected, Status: OK}
	if err := rejection(nil, res); !errors.Is(err, ErrInternal) {
		t.Errorf("rejected verdict with status OK: %v", err)
	}
	res = &Result{Verdict: Accepted, Status: OK}
	callErr := &Error{Op: "attest_verify", Status: ErrSNPSignature}
	if err := rejection(callErr, res); !errors.Is(err, ErrSNPSignature) {
		t.Errorf("failed call with an accepted result: %v", err)
	}
	if (&Result{Verdict: Accepted, Status: ErrPolicyDebug}).Accepted() {
		t.Error("accepted verdict with a failing status counts as accepted")
	}
}

// The cache bound: any non-negative limit is taken, a negative one refused.
func TestSetCacheLimit(t *testing.T) {
	v, err := NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, n := range []int{0, 1, 4096} {
		if err := v.SetCacheLimit(n); err != nil {
			t.Errorf("SetCacheLimit(%d): %v", n, err)
		}
	}
	if err := v.SetCacheLimit(-1); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("SetCacheLimit(-1): %v", err)
	}
	v.Close()
	if err := v.SetCacheLimit(1); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("SetCacheLimit after Close: %v", err)
	}
}
