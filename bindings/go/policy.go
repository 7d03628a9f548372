package attest

/*
#include <attest.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Policy is what the relying party accepts (attest_policy, docs/policy.md):
// immutable, shareable. A nil *Policy means the strict default.
type Policy struct{ h handle }

func newPolicy(p *C.attest_policy) *Policy {
	pol := &Policy{h: handle{ptr: unsafe.Pointer(p)}}
	runtime.SetFinalizer(pol, (*Policy).Close)
	return pol
}

// ParsePolicy reads a policy document (attest_policy_from_json). Unknown
// members are ErrPolicyInvalid naming the member.
func ParsePolicy(doc []byte) (*Policy, error) {
	var p *C.attest_policy
	err := call("attest_policy_from_json", func() C.int {
		return C.attest_policy_from_json(&p, (*C.char)(unsafe.Pointer(bytesPtr(doc))), C.size_t(len(doc)))
	})
	if err != nil {
		return nil, err
	}
	return newPolicy(p), nil
}

// DefaultPolicy is the strict default policy (attest_policy_default).
func DefaultPolicy() (*Policy, error) {
	var p *C.attest_policy
	if err := call("attest_policy_default", func() C.int { return C.attest_policy_default(&p) }); err != nil {
		return nil, err
	}
	return newPolicy(p), nil
}

// Close frees the policy (attest_policy_free); idempotent.
func (p *Policy) Close() error {
	p.h.close(func(ptr unsafe.Pointer) { C.attest_policy_free((*C.attest_policy)(ptr)) })
	return nil
}
