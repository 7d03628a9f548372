package attest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mockRATLSCert runs attest-mock ratls cert on the Intel test PKI (a TDX
// quote binding the certificate's P-256 key, tag 60000) with the defect
// flags given; it returns the certificate and key PEM.
func mockRATLSCert(t testing.TB, flags ...string) (certPEM, keyPEM []byte) {
	t.Helper()
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	argv := append([]string{"ratls", "cert", "--pki", filepath.Join(testPKI(t), "intel"),
		"-o", cert, "--key-out", key}, flags...)
	if msg, err := exec.Command(mockBin(t), argv...).CombinedOutput(); err != nil {
		t.Fatalf("attest-mock %v: %v\n%s", argv, err, msg)
	}
	return readFile(t, cert), readFile(t, key)
}

// intelVerifier trusts exactly the Intel test root at an instant inside
// the test collateral's validity; intelCollateral is that collateral (TDX).
func intelVerifier(t testing.TB) *Verifier {
	t.Helper()
	pin := strings.TrimSpace(string(readFile(t, testPKI(t), "intel", "anchor.sha256")))
	at, err := ParseTime("2025-06-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(WithoutBuiltinAnchors(VendorIntel), WithAnchorHex(VendorIntel, pin), WithTime(at))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func intelCollateral(t testing.TB) *Collateral {
	t.Helper()
	dir := filepath.Join(testPKI(t), "intel")
	var items [][]byte
	for _, f := range []string{"tcb_info_tdx.json", "qe_identity_td.json", "pck_crl.der",
		"root_crl.der", "tcb_signing_chain.pem"} {
		items = append(items, readFile(t, dir, f))
	}
	c, err := NewCollateral(items...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRATLSRuleNames(t *testing.T) {
	for _, r := range []RATLSRule{RATLSSPKISHA256, RATLSClaimsSHA256, RATLSCSRSPKISHA384,
		RATLSOEPEMSHA256, RATLSTinfoil, RATLSNearAI} {
		got, err := ParseRATLSRule(r.String())
		if err != nil || got != r {
			t.Errorf("%d: %q parses to %v, %v", int(r), r.String(), got, err)
		}
	}
	if RATLSClaimsSHA256.String() != "claims-sha256" || RATLSRule(99).String() != "RATLSRule(99)" {
		t.Errorf("names: %q %q", RATLSClaimsSHA256, RATLSRule(99))
	}
	if wraps := RATLSRule(1<<32 | int(RATLSClaimsSHA256)); wraps.String() == "claims-sha256" {
		t.Error("a rule that wraps to claims-sha256 in a C int is named so")
	}
	if _, err := ParseRATLSRule("claims-sha256\x00x"); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("a name holding a NUL: %v", err)
	}
	if _, err := ParseRATLSRule("claims-sha512"); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("unknown rule: %v", err)
	}
}

// A string holding a NUL is refused, never cut at it (C would read only
// the part before): instants, fetcher settings (tokens: TestVerifyTokenKey).
func TestCStringsWithNULRefused(t *testing.T) {
	if _, err := ParseTime("2025-06-01T00:00:00Z\x00junk"); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("an instant holding a NUL: %v", err)
	}
	for _, opt := range []FetcherOption{WithCAFile("/etc/ssl\x00x"), WithCacheDir("/tmp\x00x"),
		WithService(ServiceNvidiaRIM, "http://127.0.0.1:1\x00x")} {
		if f, err := NewFetcher(opt); !errors.Is(err, ErrInvalidArg) {
			t.Errorf("fetcher option with a NUL: %v", err)
			if f != nil {
				f.Close()
			}
		}
	}
}

// VerifyTLSPeer on the certificate alone: accepted with claims.ratls, a
// nonce the evidence does not carry refused, the wrong key rejected.
func TestVerifyTLSPeer(t *testing.T) {
	v, coll := intelVerifier(t), intelCollateral(t)
	cert, _ := mockRATLSCert(t)
	r, err := v.VerifyTLSPeer(cert, RATLSClaimsSHA256, TLSCollateral(coll))
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.Details()
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		RATLS struct {
			Rule  string `json:"rule"`
			Fresh bool   `json:"fresh"`
		} `json:"ratls"`
	}
	if err := json.Unmarshal(d.Claims, &claims); err != nil || claims.RATLS.Rule != "claims-sha256" ||
		claims.RATLS.Fresh || d.Fresh {
		t.Errorf("claims %s: %v", d.Claims, err)
	}
	r, err = v.VerifyTLSPeer(cert, RATLSClaimsSHA256, TLSCollateral(coll), TLSNonce([]byte{1, 2, 3}))
	if !errors.Is(err, ErrRATLSNonce) || r == nil || r.Accepted() {
		t.Errorf("a nonce the certificate does not carry: %v", err)
	}
	if _, err := v.VerifyTLSPeer(cert, RATLSClaimsSHA256, TLSCollateral(coll), TLSNonce(nil)); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("an empty TLSNonce read as none: %v", err)
	}
	withNonce, _ := mockRATLSCert(t, "--nonce", "00112233")
	r, err = v.VerifyTLSPeer(withNonce, RATLSClaimsSHA256, TLSCollateral(coll), TLSNonce([]byte{0, 0x11, 0x22, 0x33}))
	if d, derr := r.Details(); err != nil || derr != nil || !d.Fresh {
		t.Errorf("the certificate's nonce claim given: %v %v", err, derr)
	}
	r.Close()
	if _, err := v.VerifyTLSPeer(withNonce, RATLSClaimsSHA256, TLSCollateral(coll), TLSNonce([]byte{1})); !errors.Is(err, ErrRATLSNonce) {
		t.Errorf("another nonce than the claim's: %v", err)
	}
	other, _ := mockRATLSCert(t, "--bind-other-key")
	r, err = v.VerifyTLSPeer(other, RATLSClaimsSHA256, TLSCollateral(coll))
	var e *Error
	if !errors.As(err, &e) || e.Status != ErrRATLSKeyHash || e.Op != "attest_verify_tls_peer" ||
		r == nil || r.Status != ErrRATLSKeyHash {
		t.Errorf("other key: %v", err)
	}
	if _, err := v.VerifyTLSPeer(cert, RATLSRule(1<<32|int(RATLSClaimsSHA256)), TLSCollateral(coll)); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("a rule that wraps to claims-sha256 in a C int: %v", err)
	}
	if _, err := v.VerifyTLSPeer(cert, RATLSTinfoil); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("a fetched rule for a certificate: %v", err)
	}
	coll.Close()
	if _, err := v.VerifyTLSPeer(cert, RATLSClaimsSHA256, TLSCollateral(coll)); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("closed collateral: %v", err)
	}
}

// serveOnce is a crypto/tls server on 127.0.0.1 presenting cert/key to
// one connection, writing "ok" once its handshake completes.
func serveOnce(t *testing.T, certPEM, keyPEM []byte) string {
	t.Helper()
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if c.(*tls.Conn).Handshake() == nil {
			c.Write([]byte("ok"))
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// dialRATLS connects with cfg and reads the server's "ok".
func dialRATLS(addr string, cfg *tls.Config) error {
	d := &net.Dialer{Timeout: 10 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 2)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ok" {
		return errors.New("no greeting after the handshake")
	}
	return nil
}

// Issue 16: a real handshake on 127.0.0.1 with an attest-mock RA-TLS
// certificate, the client checking it with the helper: accepted; then a
// certificate whose key is not the bound one: the handshake fails with
// the libattest status in the error. Both hooks (VerifyPeerCertificate
// and VerifyConnection) are exercised.
func TestRATLSHandshake(t *testing.T) {
	v, coll := intelVerifier(t), intelCollateral(t)
	good, goodKey := mockRATLSCert(t)
	other, otherKey := mockRATLSCert(t, "--bind-other-key")
	peerCert := &tls.Config{InsecureSkipVerify: true, // the attestation replaces PKIX
		VerifyPeerCertificate: v.TLSVerifier(RATLSClaimsSHA256, coll, nil)}
	configs := map[string]*tls.Config{
		"VerifyPeerCertificate": peerCert,
		"VerifyConnection":      v.TLSConfig(RATLSClaimsSHA256, coll, nil),
	}
	for name, cfg := range configs {
		if err := dialRATLS(serveOnce(t, good, goodKey), cfg); err != nil {
			t.Errorf("%s: the attested server was refused: %v", name, err)
		}
		err := dialRATLS(serveOnce(t, other, otherKey), cfg)
		var e *Error
		if !errors.As(err, &e) || e.Status != ErrRATLSKeyHash {
			t.Errorf("%s: a certificate whose key is not the bound one: %v", name, err)
		}
	}
}

// VerifyTLSFetched with the Tinfoil rule on a mock SNP report whose
// REPORT_DATA binds a Go-made key, an HPKE key and a nonce: accepted and
// fresh; another nonce or another connection key: ErrRATLSBinding.
func TestVerifyTLSFetchedTinfoil(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	hpke, nonce := make([]byte, 32), make([]byte, 32)
	rand.Read(hpke)
	rand.Read(nonce)
	fp := sha256.Sum256(spki)
	rd := sha256.Sum256(append(append(fp[:], hpke...), nonce...))
	ev, err := ParseEvidence(mockSNPReport(t, "--report-data", hex.EncodeToString(rd[:])))
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	coll, err := NewCollateral(milanCollateral(t)...)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	v := milanVerifier(t)
	r, err := v.VerifyTLSFetched(spki, RATLSTinfoil, ev, hpke, nonce, TLSCollateral(coll))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := r.Details(); err != nil || !d.Fresh {
		t.Errorf("a bound nonce is fresh: %+v %v", d, err)
	}
	r.Close()
	otherNonce := append([]byte{nonce[0] ^ 1}, nonce[1:]...)
	if _, err := v.VerifyTLSFetched(spki, RATLSTinfoil, ev, hpke, otherNonce, TLSCollateral(coll)); !errors.Is(err, ErrRATLSBinding) {
		t.Errorf("another nonce: %v", err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherSPKI, _ := x509.MarshalPKIXPublicKey(&other.PublicKey)
	if _, err := v.VerifyTLSFetched(otherSPKI, RATLSTinfoil, ev, hpke, nonce, TLSCollateral(coll)); !errors.Is(err, ErrRATLSBinding) {
		t.Errorf("another connection key: %v", err)
	}
	if _, err := v.VerifyTLSFetched(spki, RATLSTinfoil, ev, hpke, nonce, TLSNonce(nonce)); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("TLSNonce given to a fetched scheme: %v", err)
	}
	if _, err := v.VerifyTLSFetchedConn(tls.ConnectionState{}, RATLSTinfoil, ev, hpke, nonce); !errors.Is(err, ErrRATLSPeer) {
		t.Errorf("a connection without a peer certificate: %v", err)
	}
}

// The CCC interoperability certificates of ../shared (SGX debug
// enclaves): Gramine's and rats-tls's TCG evidence accepted under
// claims-sha256 with a policy that allows debug, refused without it;
// Gramine's legacy extension under spki-sha256.
func TestRATLSRealCertificates(t *testing.T) {
	dir := sharedVectors(t)
	var items [][]byte
	for _, f := range []string{"tdx/collateral/tcbinfo_sgx_v3_00606A000000_2025-08-15.json",
		"tdx/collateral/qe_identity_sgx_2025-08-15.json", "tdx/crl/pck_crl_platform_2025-08-15.der",
		"tdx/crl/root_ca_crl_2025-03-20.der", "tdx/certs/tcb_signing_2025-05-06_chain.pem"} {
		items = append(items, readFile(t, dir, f))
	}
	coll, err := NewCollateral(items...)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	at, _ := ParseTime("2025-08-15T06:41:00Z")
	v, err := NewVerifier(WithTime(at))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	const statuses = `"accepted_tcb_statuses":["UpToDate","SWHardeningNeeded","ConfigurationNeeded",` +
		`"ConfigurationAndSWHardeningNeeded","OutOfDate","OutOfDateConfigurationNeeded"]`
	debug, err := ParsePolicy([]byte(`{"sgx":{"allow_debug":true,` + statuses + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer debug.Close()
	strict, err := ParsePolicy([]byte(`{"sgx":{` + statuses + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	cases := []struct {
		file   string
		rule   RATLSRule
		policy *Policy
		want   Status
	}{
		{"gramine-cert.pem", RATLSClaimsSHA256, debug, OK},
		{"gramine-cert.pem", RATLSClaimsSHA256, strict, ErrPolicyDebug},
		{"gramine-cert.pem", RATLSSPKISHA256, debug, OK},
		{"rats-tls-cert.pem", RATLSClaimsSHA256, debug, OK},
		{"rats-tls-cert.pem", RATLSSPKISHA256, debug, ErrRATLSNoEvidence},
	}
	for _, c := range cases {
		cert := readFile(t, dir, "ratls", "ccc_interop", c.file)
		r, err := v.VerifyTLSPeer(cert, c.rule, TLSCollateral(coll), TLSPolicy(c.policy))
		if r == nil || r.Status != c.want || (c.want == OK) != (err == nil) {
			t.Errorf("%s %v: %v, want %v", c.file, c.rule, err, c.want)
		}
		if r != nil {
			r.Close()
		}
	}
}
