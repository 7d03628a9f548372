package attest

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// nvidiaVerifier is pinned to the NVIDIA test PKI's device and RIM roots.
func nvidiaVerifier(t *testing.T, extra ...Option) *Verifier {
	nv := filepath.Join(testPKI(t), "nvidia")
	at, _ := ParseTime("2025-06-01T12:00:00Z")
	pin := func(vendor Vendor, f string) Option {
		return WithAnchorHex(vendor, strings.TrimSpace(string(readFile(t, nv, f))))
	}
	opts := []Option{WithTime(at), WithoutBuiltinAnchors(VendorNvidiaDevice, VendorNvidiaRIM),
		pin(VendorNvidiaDevice, "device_anchor.sha256"), pin(VendorNvidiaRIM, "rim_anchor.sha256")}
	v, err := NewVerifier(append(opts, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// The NVIDIA test PKI's evidence, its nonce and a verifier for it.
func nvidiaSetup(t *testing.T) (evidence, nonce []byte, v *Verifier) {
	nv := filepath.Join(testPKI(t), "nvidia")
	return readFile(t, nv, "evidence.json"), readHex(t, nv, "nonce.hex"), nvidiaVerifier(t)
}

// fetchNew fetches with f into a new collateral, closed at the test's end.
func fetchNew(t *testing.T, f *Fetcher, ev *Evidence) (*Collateral, []Need, error) {
	coll, err := NewCollateral()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { coll.Close() })
	missing, err := f.Fetch(ev, coll)
	return coll, missing, err
}

// Fetch against tests/http_server.py on 127.0.0.1: the RIMs, then the OCSP
// of the device and RIM chains, each OCSP answer live (nonce echoed).
func TestFetcherNvidiaOnline(t *testing.T) {
	evidence, nonce, v := nvidiaSetup(t)
	nv := filepath.Join(testPKI(t), "nvidia")
	ev, err := ParseEvidence(evidence)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	needs, err := CollateralNeeds(ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	rims := map[string]string{}
	for _, n := range needs {
		if n.Kind == NeedNvidiaRIM {
			id := n.URL[strings.LastIndex(n.URL, "/")+1:]
			rims[id] = filepath.Join(nv, map[bool]string{true: "vbios_rim.xml", false: "driver_rim.xml"}[strings.Contains(id, "VBIOS")])
		}
	}
	if len(rims) != 2 {
		t.Fatalf("needs %+v", needs)
	}
	base := httpServer(t, map[string]any{
		"/v1/rim/": map[string]any{"rim_service": rims},
		"/ocsp":    map[string]any{"ocsp_pki": nv, "ocsp_mock": mockBin(t)},
	})
	var mu sync.Mutex
	added := map[NeedKind]int{}
	f, err := NewFetcher(WithService(ServiceNvidiaRIM, base), WithService(ServiceNvidiaOCSP, base+"/ocsp"),
		WithCacheTime(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)),
		WithOnAdded(func(k NeedKind, data []byte) {
			mu.Lock()
			added[k]++
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defer f.Close() // a second Close (the callback's handle is deleted once)
	coll, missing, err := fetchNew(t, f, ev)
	if err != nil || len(missing) != 0 {
		t.Fatalf("fetch: %v, missing %+v", err, missing)
	}
	if added[NeedNvidiaRIM] != 2 || added[NeedNvidiaOCSP] < 3 {
		t.Errorf("on-added calls %v", added)
	}
	r, err := v.VerifyRequest(Request{Evidence: ev, Collateral: coll, Nonce: nonce})
	if err != nil {
		t.Fatal(err)
	}
	live := false
	for _, c := range r.Checks() {
		live = live || (c.Name == "gpu0.chain.ocsp" && strings.Contains(c.Detail, "live (nonce matched)"))
	}
	if !live {
		t.Errorf("gpu0.chain.ocsp not live: %+v", r.Checks())
	}
	// Online verification through the Verifier: the same, in one call.
	vo := nvidiaVerifier(t, WithFetcher(f))
	if r, err := vo.VerifyRequest(Request{Evidence: ev, Nonce: nonce}); err != nil || len(r.Missing) != 0 {
		t.Errorf("WithFetcher: %v", err)
	}
	// A RIM service that knows no id: each RIM stays missing with its
	// URL and HTTP status, and the verification says so.
	f404, _ := NewFetcher(WithService(ServiceNvidiaRIM, base+"/nowhere"), WithService(ServiceNvidiaOCSP, base+"/ocsp"))
	defer f404.Close()
	c2, missing, err := fetchNew(t, f404, ev)
	n404 := 0
	for _, m := range missing {
		if m.Kind == NeedNvidiaRIM && strings.Contains(m.Reason, "HTTP 404") {
			n404++
		}
	}
	if err != nil || n404 != 2 {
		t.Errorf("404: %v %+v", err, missing)
	}
	if _, err := v.VerifyRequest(Request{Evidence: ev, Collateral: c2, Nonce: nonce}); !errors.Is(err, ErrCollateralMissing) {
		t.Errorf("verify without RIMs: %v", err)
	}
}

func TestFetcherOfflineAndOptions(t *testing.T) {
	evidence, _, _ := nvidiaSetup(t)
	ev, _ := ParseEvidence(evidence)
	defer ev.Close()
	f, err := NewFetcher(WithCacheDir(filepath.Join(t.TempDir(), "cache")), WithOffline(true))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	coll, missing, err := fetchNew(t, f, ev)
	if err != nil || len(missing) == 0 {
		t.Fatalf("offline: %v %+v", err, missing)
	}
	for _, m := range missing {
		if !strings.Contains(m.Reason, "offline: not in the cache") {
			t.Errorf("offline reason %q", m.Reason)
		}
	}
	if _, err := NewFetcher(WithService(ServiceNvidiaRIM, "ftp://127.0.0.1/")); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("ftp service: %v", err)
	}
	if _, err := NewFetcher(WithTCBEvaluation(TCBUpdateEarly, 17)); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("update and number: %v", err)
	}
	if _, err := NewFetcher(WithTCBEvaluation(TCBUpdateStandard, 0), WithCAFile("/etc/ssl/certs/ca-certificates.crt")); err != nil {
		t.Errorf("standard update: %v", err)
	}
	f.Close()
	f.Close() // idempotent
	if _, err := f.Fetch(ev, coll); err == nil {
		t.Error("fetch with a closed fetcher")
	}
}

// Plan gives the URLs the fetcher would request at its own services.
func TestFetcherPlan(t *testing.T) {
	if !hasRequestURL() {
		t.Skip("this libattest has no attest_fetcher_request_url")
	}
	// The same library has the item kinds written as values in evidence.go.
	if ItemTHIM.String() == "unknown" || ItemDCAPCollateral.String() == "unknown" {
		t.Errorf("item kinds 22, 23 are %q, %q", ItemTHIM, ItemDCAPCollateral)
	}
	if thim, err := NewFetcher(WithService(ServiceAzureTHIM, "http://127.0.0.1:9/thim")); err != nil {
		t.Errorf("ServiceAzureTHIM: %v", err)
	} else {
		thim.Close()
	}
	ev, err := ParseEvidence(mockSNPReport(t))
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	f, err := NewFetcher(WithService(ServiceAMDKDS, "http://127.0.0.1:9/kds"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	plan, err := f.Plan(ev, nil)
	if err != nil || len(plan) == 0 {
		t.Fatalf("plan: %v %+v", err, plan)
	}
	for _, p := range plan {
		if p.Kind != NeedNotFetchable && !strings.HasPrefix(p.URL, "http://127.0.0.1:9/kds/") {
			t.Errorf("%s requested at %q", p.Kind, p.URL)
		}
	}
}
