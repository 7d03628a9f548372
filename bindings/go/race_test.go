package attest

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// One Verifier shared by many goroutines (run with -race by make
// check-go): each verifies a good and a tampered report, with its own and
// with shared evidence and collateral, and reads the results.
func TestVerifierSharedAcrossGoroutines(t *testing.T) {
	good := mockSNPReport(t)
	bad := mockSNPReport(t, "--flip", "0x90")
	v := milanVerifier(t)
	coll, err := NewCollateral(milanCollateral(t)...)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	items := milanCollateral(t)
	shared, _ := ParseEvidence(good)
	defer shared.Close()
	const workers, rounds = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*3)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		// Half the goroutines fail parses one way, half another: each
		// must read its own failure (attest_error_last is per thread).
		junk, want := good[:100], ErrTruncated
		if w%2 == 1 {
			junk, want = good[:10], ErrFormatUnknown
		}
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				r, err := v.VerifyRequest(Request{Evidence: shared, Collateral: coll})
				if err != nil || len(r.Checks()) == 0 {
					errs <- err
				}
				r.Close()
				if _, err := v.Verify(bad, items...); !errors.Is(err, ErrSNPSignature) {
					errs <- err
				}
				var e *Error
				if _, err := ParseEvidence(junk); !errors.As(err, &e) || e.Status != want ||
					!strings.Contains(e.Message, map[Status]string{ErrTruncated: "snp", ErrFormatUnknown: "no known"}[want]) {
					errs <- err
				}
			}
		}()
	}
	// Collateral.Add and the counts race with the verifications safely.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < rounds; i++ {
			_ = coll.Add(items[2])
			_ = coll.CertCount()
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent verification: %v", err)
	}
}

// Close while other goroutines verify waits for them; calls after it
// fail with ErrInvalidArg, never touch freed memory.
func TestCloseRacesVerify(t *testing.T) {
	good := mockSNPReport(t)
	v := milanVerifier(t)
	ev, _ := ParseEvidence(good)
	coll, _ := NewCollateral(milanCollateral(t)...)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				r, err := v.VerifyRequest(Request{Evidence: ev, Collateral: coll})
				if err != nil && !errors.Is(err, ErrInvalidArg) {
					t.Errorf("verify: %v", err)
				}
				if r != nil {
					r.Close()
				}
			}
		}()
	}
	ev.Close()
	coll.Close()
	v.Close()
	wg.Wait()
	if _, err := v.VerifyRequest(Request{Evidence: ev}); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("after Close: %v", err)
	}
}

// Closing one object from several goroutines frees it once (run with
// -race: the Fetcher's callback handle is deleted under its lock).
func TestConcurrentClose(t *testing.T) {
	f, err := NewFetcher(WithOnAdded(func(NeedKind, []byte) {}))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewVerifier()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.Close()
			v.Close()
		}()
	}
	wg.Wait()
}

// Objects dropped without Close are freed by their finalizers (run under
// -race by make check-go, and -asan by hand: no double free, no use after).
func TestFinalizersFreeDroppedObjects(t *testing.T) {
	report := mockSNPReport(t)
	items := milanCollateral(t)
	v := milanVerifier(t)
	for i := 0; i < 50; i++ {
		r, err := v.Verify(report, items...)
		if err != nil {
			t.Fatal(err)
		}
		_ = r.Checks() // r is dropped open; Verify closed its own evidence and collateral
		f, _ := NewFetcher(WithOnAdded(func(NeedKind, []byte) {}))
		_ = f
		p, _ := DefaultPolicy()
		_ = p
	}
	runtime.GC()
	runtime.GC()
	time.Sleep(10 * time.Millisecond) // finalizers run on their own goroutine
}
