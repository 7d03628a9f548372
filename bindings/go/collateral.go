package attest

/*
#include <attest.h>
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"unsafe"
)

// Collateral holds what a verification may use besides the evidence:
// certificates, CRLs, TCB Info, QE Identity, RIMs, OCSP responses
// (attest_collateral). All of it is untrusted input. Add and AddOCSP may
// be called from several goroutines (they serialise); a Collateral in use
// by Verify or Fetch waits for them.
type Collateral struct{ h handle }

// NewCollateral makes an empty collateral, then adds items (each as Add).
func NewCollateral(items ...[]byte) (*Collateral, error) {
	var p *C.attest_collateral
	if err := call("attest_collateral_new", func() C.int { return C.attest_collateral_new(&p) }); err != nil {
		return nil, err
	}
	c := &Collateral{h: handle{ptr: unsafe.Pointer(p)}}
	runtime.SetFinalizer(c, (*Collateral).Close)
	for _, it := range items {
		if err := c.Add(it); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Add adds one item recognised by its content (attest_collateral_add);
// the bytes are copied. ErrCollateralUnknown names an item of no known
// kind.
func (c *Collateral) Add(item []byte) error {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	if c.h.ptr == nil {
		return errClosed("Collateral.Add")
	}
	return call("attest_collateral_add", func() C.int {
		return C.attest_collateral_add((*C.attest_collateral)(c.h.ptr), bytesPtr(item), C.size_t(len(item)))
	})
}

// AddOCSP adds a DER OCSP response with the nonce of the request it
// answers (nil: not known, a stored response) (attest_collateral_add_ocsp).
func (c *Collateral) AddOCSP(der, requestNonce []byte) error {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	if c.h.ptr == nil {
		return errClosed("Collateral.AddOCSP")
	}
	return call("attest_collateral_add_ocsp", func() C.int {
		return C.attest_collateral_add_ocsp((*C.attest_collateral)(c.h.ptr), bytesPtr(der),
			C.size_t(len(der)), bytesPtr(requestNonce), C.size_t(len(requestNonce)))
	})
}

// CertCount is the number of certificates held (0 once closed).
func (c *Collateral) CertCount() int {
	c.h.mu.RLock()
	defer c.h.mu.RUnlock()
	return int(C.attest_collateral_cert_count((*C.attest_collateral)(c.h.ptr)))
}

// CRLCount is the number of CRLs held (0 once closed).
func (c *Collateral) CRLCount() int {
	c.h.mu.RLock()
	defer c.h.mu.RUnlock()
	return int(C.attest_collateral_crl_count((*C.attest_collateral)(c.h.ptr)))
}

// Close frees the collateral (attest_collateral_free); idempotent.
func (c *Collateral) Close() error {
	c.h.close(func(p unsafe.Pointer) { C.attest_collateral_free((*C.attest_collateral)(p)) })
	return nil
}

// cptr is the C pointer of c, or nil for a nil *Collateral. The caller
// holds c's lock.
func (c *Collateral) cptr() *C.attest_collateral {
	if c == nil {
		return nil
	}
	return (*C.attest_collateral)(c.h.ptr)
}

// NeedKind is what one missing item is (attest_need_kind).
type NeedKind int

const (
	NeedNotFetchable    NeedKind = C.ATTEST_NEED_NOT_FETCHABLE
	NeedAMDVCEK         NeedKind = C.ATTEST_NEED_AMD_VCEK
	NeedAMDCertChain    NeedKind = C.ATTEST_NEED_AMD_CERT_CHAIN
	NeedAMDCRL          NeedKind = C.ATTEST_NEED_AMD_CRL
	NeedIntelTCBInfo    NeedKind = C.ATTEST_NEED_INTEL_TCB_INFO
	NeedIntelQEIdentity NeedKind = C.ATTEST_NEED_INTEL_QE_IDENTITY
	NeedIntelPCKCRL     NeedKind = C.ATTEST_NEED_INTEL_PCK_CRL
	NeedIntelRootCACRL  NeedKind = C.ATTEST_NEED_INTEL_ROOT_CA_CRL
	NeedNvidiaRIM       NeedKind = C.ATTEST_NEED_NVIDIA_RIM
	NeedNvidiaOCSP      NeedKind = C.ATTEST_NEED_NVIDIA_OCSP
	NeedNRASJWKS        NeedKind = C.ATTEST_NEED_NRAS_JWKS
)

// String is the kind's short name ("amd-vcek"; attest_need_kind_name).
func (k NeedKind) String() string {
	return C.GoString(C.attest_need_kind_name(C.attest_need_kind(k)))
}

// Need is one item a verification still needs, with the request at the
// vendor's default service that provides it.
type Need struct {
	Kind    NeedKind
	Method  string // "GET", "POST"; "" when not fetchable
	URL     string // "" when not fetchable
	Subject string // for OCSP: "CN=..., serial=<hex>"; else ""
	Reason  string // device and check: "cpu0 snp.vek: ..."
}

// CollateralNeeds lists what verifying ev needs that have (may be nil)
// does not hold, offline (attest_collateral_needs).
func CollateralNeeds(ev *Evidence, have *Collateral) ([]Need, error) {
	if ev == nil {
		return nil, &Error{Op: "attest_collateral_needs", Status: ErrInvalidArg, Message: "nil evidence"}
	}
	var out []Need
	err := withNeeds(ev, have, func(_ *C.attest_evidence, n *C.attest_needs) error {
		out = copyNeeds(n)
		return nil
	})
	return out, err
}

// withNeeds runs fn on the attest_collateral_needs list of ev and have,
// with both read-locked, and frees the list.
func withNeeds(ev *Evidence, have *Collateral, fn func(*C.attest_evidence, *C.attest_needs) error) error {
	ev.h.mu.RLock()
	defer ev.h.mu.RUnlock()
	if have != nil {
		have.h.mu.RLock()
		defer have.h.mu.RUnlock()
	}
	if ev.h.ptr == nil || (have != nil && have.h.ptr == nil) {
		return errClosed("attest_collateral_needs")
	}
	evp := (*C.attest_evidence)(ev.h.ptr)
	var n *C.attest_needs
	err := call("attest_collateral_needs", func() C.int {
		return C.attest_collateral_needs(&n, evp, have.cptr())
	})
	if err != nil {
		return err
	}
	defer C.attest_needs_free(n)
	return fn(evp, n)
}

// takeNeeds copies an attest_needs list and frees it.
func takeNeeds(n *C.attest_needs) []Need {
	defer C.attest_needs_free(n)
	return copyNeeds(n)
}

// copyNeeds copies an attest_needs list into Go.
func copyNeeds(n *C.attest_needs) []Need {
	count := int(C.attest_needs_count(n))
	out := make([]Need, count)
	for i := range out {
		ci := C.size_t(i)
		out[i] = Need{
			Kind:    NeedKind(C.attest_needs_kind(n, ci)),
			Method:  C.GoString(C.attest_needs_method(n, ci)),
			URL:     C.GoString(C.attest_needs_url(n, ci)),
			Subject: C.GoString(C.attest_needs_subject(n, ci)),
			Reason:  C.GoString(C.attest_needs_reason(n, ci)),
		}
	}
	return out
}

// NeedsJSON is the list as attest_needs_to_json writes it: a JSON array of
// {kind, method, url, reason[, subject]}.
func NeedsJSON(needs []Need) (json.RawMessage, error) {
	type item struct {
		Kind    string `json:"kind"`
		Method  string `json:"method"`
		URL     string `json:"url"`
		Reason  string `json:"reason"`
		Subject string `json:"subject,omitempty"`
	}
	items := make([]item, len(needs))
	for i, n := range needs {
		items[i] = item{n.Kind.String(), n.Method, n.URL, n.Reason, n.Subject}
	}
	return json.Marshal(items)
}
