package attest

/*
#include <attest.h>
#include <stdlib.h>
*/
import "C"

import (
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

// Vendor names whose root a trust anchor is (attest_vendor).
type Vendor int

const (
	VendorAMD          Vendor = C.ATTEST_VENDOR_AMD
	VendorIntel        Vendor = C.ATTEST_VENDOR_INTEL
	VendorNvidiaDevice Vendor = C.ATTEST_VENDOR_NVIDIA_DEVICE
	VendorNvidiaRIM    Vendor = C.ATTEST_VENDOR_NVIDIA_RIM
	VendorAzureVTPM    Vendor = C.ATTEST_VENDOR_AZURE_VTPM
)

// Verifier holds trust anchors, the verification instant and the cache of
// verified chains (attest_verifier). It is configured once, by options,
// and then shared by any number of goroutines.
type Verifier struct {
	h       handle
	policy  *Policy
	fetcher *Fetcher
}

// Option configures a Verifier at NewVerifier.
type Option func(*verifierConfig) error

type verifierConfig struct {
	at      *time.Time
	cleared []Vendor
	anchors []anchor
	policy  *Policy
	fetcher *Fetcher
}

type anchor struct {
	vendor Vendor
	spki   [32]byte
}

// WithTime verifies as of t instead of the clock (attest_verifier_set_time).
func WithTime(t time.Time) Option {
	return func(c *verifierConfig) error { c.at = &t; return nil }
}

// WithAnchor trusts a root key of vendor by the SHA-256 of its DER
// SubjectPublicKeyInfo (attest_verifier_add_anchor).
func WithAnchor(vendor Vendor, spkiSHA256 [32]byte) Option {
	return func(c *verifierConfig) error {
		c.anchors = append(c.anchors, anchor{vendor, spkiSHA256})
		return nil
	}
}

// WithAnchorHex is WithAnchor with the hash as 64 hex digits, as
// attest-mock's anchor.sha256 files and `attest verify --anchor` hold it.
func WithAnchorHex(vendor Vendor, spkiSHA256Hex string) Option {
	return func(c *verifierConfig) error {
		b, err := hex.DecodeString(spkiSHA256Hex)
		if err != nil || len(b) != 32 {
			return &Error{Op: "WithAnchorHex", Status: ErrInvalidArg,
				Message: fmt.Sprintf("anchor %q is not 32 bytes of hex", spkiSHA256Hex)}
		}
		var a [32]byte
		copy(a[:], b)
		c.anchors = append(c.anchors, anchor{vendor, a})
		return nil
	}
}

// WithoutBuiltinAnchors drops the built-in roots of each vendor given
// (attest_verifier_clear_anchors): only WithAnchor roots are trusted then.
func WithoutBuiltinAnchors(vendors ...Vendor) Option {
	return func(c *verifierConfig) error { c.cleared = append(c.cleared, vendors...); return nil }
}

// WithPolicy sets the policy Verify and VerifyRequest use when the request
// names none (default: the strict default policy). The Verifier keeps a
// reference; closing the policy makes verifications fail.
func WithPolicy(p *Policy) Option {
	return func(c *verifierConfig) error { c.policy = p; return nil }
}

// WithFetcher verifies online: before each verification, what the
// collateral lacks is fetched with f into it (attest_fetch_collateral);
// Result.Missing lists what is still missing.
func WithFetcher(f *Fetcher) Option {
	return func(c *verifierConfig) error { c.fetcher = f; return nil }
}

// NewVerifier makes a verifier with the built-in pinned roots, the clock
// and an empty cache (attest_verifier_new), then applies the options:
// anchors cleared, then added, then the instant.
func NewVerifier(opts ...Option) (*Verifier, error) {
	var cfg verifierConfig
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	var p *C.attest_verifier
	if err := call("attest_verifier_new", func() C.int { return C.attest_verifier_new(&p) }); err != nil {
		return nil, err
	}
	v := &Verifier{h: handle{ptr: unsafe.Pointer(p)}, policy: cfg.policy, fetcher: cfg.fetcher}
	runtime.SetFinalizer(v, (*Verifier).Close)
	if err := v.configure(p, &cfg); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func (v *Verifier) configure(p *C.attest_verifier, cfg *verifierConfig) error {
	for _, vendor := range cfg.cleared {
		if err := call("attest_verifier_clear_anchors", func() C.int {
			return C.attest_verifier_clear_anchors(p, C.attest_vendor(vendor))
		}); err != nil {
			return err
		}
	}
	for _, a := range cfg.anchors {
		spki := a.spki
		if err := call("attest_verifier_add_anchor", func() C.int {
			return C.attest_verifier_add_anchor(p, C.attest_vendor(a.vendor), bytesPtr(spki[:]))
		}); err != nil {
			return err
		}
	}
	if cfg.at == nil {
		return nil
	}
	return call("attest_verifier_set_time", func() C.int {
		return C.attest_verifier_set_time(p, C.int64_t(cfg.at.Unix()))
	})
}

// ParseTime reads an RFC 3339 instant exactly as libattest does
// (attest_time_parse: no leap second, the date must exist).
func ParseTime(rfc3339 string) (time.Time, error) {
	cs, err := cStringNoNUL("attest_time_parse", "instant", rfc3339)
	if err != nil {
		return time.Time{}, err
	}
	defer C.free(unsafe.Pointer(cs))
	var t C.int64_t
	if err := call("attest_time_parse", func() C.int { return C.attest_time_parse(&t, cs) }); err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(t), 0).UTC(), nil
}

// CacheSize is the number of verified chains remembered
// (attest_verifier_cache_size).
func (v *Verifier) CacheSize() int {
	v.h.mu.RLock()
	defer v.h.mu.RUnlock()
	if v.h.ptr == nil {
		return 0
	}
	return int(C.attest_verifier_cache_size((*C.attest_verifier)(v.h.ptr)))
}

// ClearCache forgets the verified chains (attest_verifier_clear_cache).
func (v *Verifier) ClearCache() {
	v.h.mu.RLock()
	defer v.h.mu.RUnlock()
	if v.h.ptr != nil {
		C.attest_verifier_clear_cache((*C.attest_verifier)(v.h.ptr))
	}
}

// SetCacheLimit bounds the cache to maxEntries entries, least recently
// used evicted first; 0 caches nothing (attest_verifier_set_cache_limit).
func (v *Verifier) SetCacheLimit(maxEntries int) error {
	const op = "attest_verifier_set_cache_limit"
	if maxEntries < 0 {
		return &Error{Op: op, Status: ErrInvalidArg, Message: "negative limit"}
	}
	v.h.mu.RLock()
	defer v.h.mu.RUnlock()
	if v.h.ptr == nil {
		return errClosed(op)
	}
	p := (*C.attest_verifier)(v.h.ptr)
	return call(op, func() C.int { return C.attest_verifier_set_cache_limit(p, C.size_t(maxEntries)) })
}

// Close frees the verifier (attest_verifier_free) once the verifications
// in flight end; idempotent.
func (v *Verifier) Close() error {
	v.h.close(func(p unsafe.Pointer) { C.attest_verifier_free((*C.attest_verifier)(p)) })
	return nil
}

// Request is one verification.
type Request struct {
	Evidence   *Evidence
	Collateral *Collateral // may be nil; with WithFetcher, fetched items are added to it
	Policy     *Policy     // nil: the Verifier's WithPolicy, else the strict default
	Nonce      []byte      // the relying party's challenge (at most NonceMax bytes), verified when given
}

// Verify parses evidence and collateral items and verifies them with the
// Verifier's policy and no nonce. See VerifyRequest for the results.
func (v *Verifier) Verify(evidence []byte, collateral ...[]byte) (*Result, error) {
	ev, err := ParseEvidence(evidence)
	if err != nil {
		return nil, err
	}
	defer ev.Close()
	coll, err := NewCollateral(collateral...)
	if err != nil {
		return nil, err
	}
	defer coll.Close()
	return v.VerifyRequest(Request{Evidence: ev, Collateral: coll})
}

// VerifyRequest verifies (attest_verify). When the evidence is accepted
// it returns the Result and nil. When it is rejected it returns the
// Result (which lists every check) and an *Error wrapping the first
// failing check's Status, its Message the result's reason. For a bad
// argument it returns no Result. Safe from any number of goroutines.
func (v *Verifier) VerifyRequest(req Request) (*Result, error) {
	if req.Evidence == nil {
		return nil, &Error{Op: "attest_verify", Status: ErrInvalidArg, Message: "no evidence"}
	}
	var missing []Need
	if v.fetcher != nil {
		if req.Collateral == nil {
			c, err := NewCollateral()
			if err != nil {
				return nil, err
			}
			defer c.Close()
			req.Collateral = c
		}
		m, err := v.fetcher.Fetch(req.Evidence, req.Collateral)
		if err != nil {
			return nil, err
		}
		missing = m
	}
	if req.Policy == nil {
		req.Policy = v.policy
	}
	r, err := v.verify(&req)
	if r != nil {
		r.Missing = missing
	}
	return r, err
}

// verify holds every object's read lock across attest_verify.
func (v *Verifier) verify(req *Request) (*Result, error) {
	v.h.mu.RLock()
	defer v.h.mu.RUnlock()
	req.Evidence.h.mu.RLock()
	defer req.Evidence.h.mu.RUnlock()
	if req.Collateral != nil {
		req.Collateral.h.mu.RLock()
		defer req.Collateral.h.mu.RUnlock()
	}
	var pol *C.attest_policy
	if req.Policy != nil {
		req.Policy.h.mu.RLock()
		defer req.Policy.h.mu.RUnlock()
		if pol = (*C.attest_policy)(req.Policy.h.ptr); pol == nil {
			return nil, errClosed("Verify: policy")
		}
	}
	if v.h.ptr == nil || req.Evidence.h.ptr == nil || (req.Collateral != nil && req.Collateral.h.ptr == nil) {
		return nil, errClosed("Verify")
	}
	var r *C.attest_result
	err := call("attest_verify", func() C.int {
		return C.attest_verify(&r, (*C.attest_verifier)(v.h.ptr), (*C.attest_evidence)(req.Evidence.h.ptr),
			req.Collateral.cptr(), pol, bytesPtr(req.Nonce), C.size_t(len(req.Nonce)))
	})
	if r == nil {
		return nil, err
	}
	res := newResult(r)
	if err == nil && res.Accepted() {
		return res, nil
	}
	return res, rejection(err, res)
}

// rejection is the error of a verification that was not accepted: the
// call's own status, else the result's; never OK, so that an inconsistent
// answer (accepted verdict, failing call, or the reverse) is a rejection.
func rejection(callErr error, res *Result) error {
	st := res.Status
	var e *Error
	if errors.As(callErr, &e) && e.Status != OK {
		st = e.Status
	}
	if st == OK {
		st = ErrInternal
	}
	return &Error{Op: "attest_verify", Status: st, Message: res.Reason}
}
