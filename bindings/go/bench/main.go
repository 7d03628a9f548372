// Command bench measures SEV-SNP verifications per second through the Go
// binding next to the same verification called from C in the same
// process (as bench/bench_snp.c's "snp verify, chain cached"): one
// thread, the evidence parsed once, the chain cached, the default policy,
// accepted every time. `make bench` runs it on the Milan test PKI:
//
//	bench REPORT PKI_DIR    (PKI_DIR: build/testpki/milan)
//
// Both sides run in interleaved rounds and keep their best round, as
// bench_util.h does; BENCH_SECONDS is the time per side (default 2).
package main

/*
#cgo pkg-config: libattest
#include <attest.h>
#include <stdint.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// c_rate: attest_verify + attest_result_free for `seconds`, per second;
// -1 when a verification is not accepted.
static double c_rate(attest_verifier *v, const attest_evidence *ev,
                     const attest_collateral *c, double seconds)
{
    long n = 0;
    double start = now_seconds(), t = start;
    while (t - start < seconds) {
        attest_result *r = NULL;
        int st = attest_verify(&r, v, ev, c, NULL, NULL, 0);
        attest_result_free(r);
        if (st != ATTEST_OK)
            return -1.0;
        n++;
        t = now_seconds();
    }
    return (double)n / (t - start);
}

// c_setup: the C side's own objects, built as bench_snp.c builds them.
static int c_setup(attest_verifier **v, attest_evidence **ev, attest_collateral **c,
                   const uint8_t *report, size_t report_len, const uint8_t *pin,
                   int64_t at, const uint8_t *const *items, const size_t *lens, size_t n)
{
    if (attest_verifier_new(v) || attest_verifier_clear_anchors(*v, ATTEST_VENDOR_AMD) ||
        attest_verifier_add_anchor(*v, ATTEST_VENDOR_AMD, pin) ||
        attest_verifier_set_time(*v, at) || attest_evidence_parse(ev, report, report_len) ||
        attest_collateral_new(c))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (attest_collateral_add(*c, items[i], lens[i]))
            return -1;
    return 0;
}
*/
import "C"

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unsafe"

	attest "libattest.dev/attest"
)

const rounds = 5

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench-go: "+format+"\n", args...)
	os.Exit(1)
}

func readAll(paths ...string) [][]byte {
	out := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			die("%v", err)
		}
		out[i] = b
	}
	return out
}

// goRate is the Go side: VerifyRequest + Close for d, per second.
func goRate(v *attest.Verifier, req attest.Request, d time.Duration) float64 {
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		r, err := v.VerifyRequest(req)
		if err != nil {
			die("Go verification rejected: %v", err)
		}
		r.Close()
		n++
	}
	return float64(n) / time.Since(start).Seconds()
}

// cSide builds the C objects (left to the process exit) and returns the
// measuring function.
func cSide(report []byte, pin [32]byte, at time.Time, coll [][]byte) func(float64) float64 {
	var v *C.attest_verifier
	var ev *C.attest_evidence
	var c *C.attest_collateral
	items := C.malloc(C.size_t(len(coll)) * C.size_t(unsafe.Sizeof(uintptr(0))))
	lens := C.malloc(C.size_t(len(coll)) * C.size_t(unsafe.Sizeof(C.size_t(0))))
	for i, it := range coll {
		unsafe.Slice((**C.uint8_t)(items), len(coll))[i] = (*C.uint8_t)(C.CBytes(it))
		unsafe.Slice((*C.size_t)(lens), len(coll))[i] = C.size_t(len(it))
	}
	cr := C.CBytes(report)
	cpin := C.CBytes(pin[:])
	if C.c_setup(&v, &ev, &c, (*C.uint8_t)(cr), C.size_t(len(report)), (*C.uint8_t)(cpin),
		C.int64_t(at.Unix()), (**C.uint8_t)(items), (*C.size_t)(lens), C.size_t(len(coll))) != 0 {
		die("C set-up: %s", C.GoString(C.attest_error_last()))
	}
	return func(secs float64) float64 { return float64(C.c_rate(v, ev, c, C.double(secs))) }
}

func main() {
	if len(os.Args) != 3 {
		die("usage: bench REPORT PKI_DIR")
	}
	secs := 2.0
	if s := os.Getenv("BENCH_SECONDS"); s != "" {
		if d, err := strconv.ParseFloat(s, 64); err == nil && d > 0 && d <= 600 {
			secs = d
		}
	}
	pki := os.Args[2]
	report := readAll(os.Args[1])[0]
	coll := readAll(filepath.Join(pki, "vcek.pem"), filepath.Join(pki, "chain.pem"), filepath.Join(pki, "crl.der"))
	pinHex := strings.TrimSpace(string(readAll(filepath.Join(pki, "anchor.sha256"))[0]))
	var pin [32]byte
	if b, err := hex.DecodeString(pinHex); err != nil || len(b) != 32 {
		die("bad anchor %q", pinHex)
	} else {
		copy(pin[:], b)
	}
	at, _ := attest.ParseTime("2025-06-01T00:00:00Z")
	v, err := attest.NewVerifier(attest.WithTime(at), attest.WithoutBuiltinAnchors(attest.VendorAMD),
		attest.WithAnchor(attest.VendorAMD, pin))
	if err != nil {
		die("%v", err)
	}
	ev, err := attest.ParseEvidence(report)
	if err != nil {
		die("%v", err)
	}
	gc, err := attest.NewCollateral(coll...)
	if err != nil {
		die("%v", err)
	}
	req := attest.Request{Evidence: ev, Collateral: gc}
	cRate := cSide(report, pin, at, coll)
	round := secs / rounds
	cRate(0.1) // warm-up: chains cached, providers loaded
	goRate(v, req, 100*time.Millisecond)
	var bestC, bestGo float64
	for i := 0; i < rounds; i++ {
		if r := cRate(round); r > bestC {
			bestC = r
		} else if r < 0 {
			die("C verification rejected")
		}
		if r := goRate(v, req, time.Duration(round*float64(time.Second))); r > bestGo {
			bestGo = r
		}
	}
	fmt.Printf("Go binding (libattest %s), %.2f s per side, best of %d interleaved rounds, one thread\n",
		attest.Version(), secs, rounds)
	fmt.Printf("  %-50s %8.0f /s\n", "snp verify, chain cached, from C", bestC)
	fmt.Printf("  %-50s %8.0f /s   (%.1f%% of C; cost %.1f%%, target < 10%%)\n",
		"snp verify, chain cached, through the Go binding", bestGo, 100*bestGo/bestC, 100*(1-bestGo/bestC))
}
