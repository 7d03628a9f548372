package attest

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests run on the mock TEE's test PKI (make build/testpki/.done):
// ATTEST_TEST_PKI and ATTEST_MOCK as for the C suite; skipped without.
func testPKI(t testing.TB) string {
	dir := os.Getenv("ATTEST_TEST_PKI")
	if dir == "" {
		t.Skip("ATTEST_TEST_PKI not set: run through `make check-go`")
	}
	return dir
}

func mockBin(t testing.TB) string {
	m := os.Getenv("ATTEST_MOCK")
	if m == "" {
		t.Skip("ATTEST_MOCK not set: run through `make check-go`")
	}
	return m
}

func readFile(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readHex(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimSpace(string(readFile(t, parts...))))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mockSNPReport runs attest-mock snp report with args on the Milan PKI.
func mockSNPReport(t testing.TB, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.bin")
	argv := append([]string{"snp", "report", "--pki", filepath.Join(testPKI(t), "milan"), "-o", out}, args...)
	if msg, err := exec.Command(mockBin(t), argv...).CombinedOutput(); err != nil {
		t.Fatalf("attest-mock %v: %v\n%s", argv, err, msg)
	}
	return readFile(t, out)
}

// milanCollateral is the VCEK, ASK+ARK and CRL of the Milan test PKI.
func milanCollateral(t testing.TB) [][]byte {
	dir := filepath.Join(testPKI(t), "milan")
	return [][]byte{readFile(t, dir, "vcek.pem"), readFile(t, dir, "chain.pem"), readFile(t, dir, "crl.der")}
}

// milanVerifier trusts exactly the Milan test ARK, at an instant inside
// the test PKI's validity.
func milanVerifier(t testing.TB, opts ...Option) *Verifier {
	t.Helper()
	pin := strings.TrimSpace(string(readFile(t, testPKI(t), "milan", "anchor.sha256")))
	at, err := ParseTime("2025-06-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	base := []Option{WithoutBuiltinAnchors(VendorAMD), WithAnchorHex(VendorAMD, pin), WithTime(at)}
	v, err := NewVerifier(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// sharedVectors is ../shared/vectors (ATTEST_SHARED), or skips.
func sharedVectors(t testing.TB) string {
	dir := os.Getenv("ATTEST_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared")
	}
	dir = filepath.Join(dir, "vectors")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s absent: real-vector tests skipped", dir)
	}
	return dir
}

// httpServer starts tests/http_server.py with routes on 127.0.0.1 and
// returns its base URL; it stops when the test ends (its stdin closes).
func httpServer(t *testing.T, routes map[string]any) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "routes.json")
	doc, _ := json.Marshal(routes)
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", filepath.Join("..", "..", "tests", "http_server.py"), path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Skipf("python3: %v", err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	var port int
	if _, err := fmt.Sscanf(line, "PORT %d", &port); err != nil {
		t.Fatalf("http_server.py said %q", line)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}
