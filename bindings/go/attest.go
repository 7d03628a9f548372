// Package attest is the Go binding of libattest (include/attest.h): it
// verifies AMD SEV-SNP reports, Intel DCAP quotes, NVIDIA GPU evidence,
// Azure CVM evidence and bundles, fail-closed, offline or with collateral
// fetched online.
//
// The binding mirrors the C API one to one (README.md maps every C
// function to its Go counterpart). Objects own a C handle: each has a
// Close method (idempotent) and a finalizer as a safety net. Every object
// may be used from several goroutines: a Verifier or Fetcher once built
// is shared freely; Close waits for calls in flight. C never keeps a Go
// pointer: the library copies every input it keeps.
//
// Errors are *Error values wrapping a Status, so errors.Is(err,
// attest.ErrSNPSignature) and errors.As(err, &e) both work.
package attest

/*
#cgo pkg-config: libattest
#include <attest.h>
#include <stdlib.h>
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Version is the version of the libattest library loaded ("0.1.0").
func Version() string { return C.GoString(C.attest_version()) }

// VersionNumber is the loaded library's version as 0xMMmmpp.
func VersionNumber() uint32 { return uint32(C.attest_version_number()) }

// HeaderVersionNumber is the version of include/attest.h this package was
// compiled against (ATTEST_VERSION_NUMBER).
const HeaderVersionNumber = uint32(C.ATTEST_VERSION_NUMBER)

// NonceMax is the longest nonce Verify and CreateBundle take (bytes).
func NonceMax() int { return int(C.attest_nonce_max()) }

// NvidiaDeviceMax is the most GPUs and NVSwitches one evidence holds.
func NvidiaDeviceMax() int { return int(C.attest_nvidia_device_max()) }

// OCSPResponseMax is the most OCSP responses one Collateral holds.
func OCSPResponseMax() int { return int(C.attest_ocsp_response_max()) }

// OCSPNonceMax is the longest request nonce AddOCSP takes (bytes).
func OCSPNonceMax() int { return int(C.attest_ocsp_nonce_max()) }

// call runs a C function returning a status and, when it fails, reads the
// detail libattest recorded. The goroutine stays on its OS thread between
// the two, as the detail is kept per thread (attest.h, "Errors").
func call(op string, f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	st := f()
	if st == C.ATTEST_OK {
		return nil
	}
	return &Error{Op: op, Status: Status(st), Message: C.GoString(C.attest_error_last())}
}

// errClosed is returned by a method of an object already closed.
func errClosed(op string) error {
	return &Error{Op: op, Status: ErrInvalidArg, Message: "object is closed"}
}

// handle guards one C object: methods hold the read lock while C uses the
// pointer, Close takes the write lock, so a Close racing a call waits for
// it instead of freeing memory in use. Mutating C calls that are not
// thread-safe on one object (Collateral.Add) take the write lock too.
type handle struct {
	mu  sync.RWMutex
	ptr unsafe.Pointer
}

// close frees the pointer once with free; later calls do nothing.
func (h *handle) close(free func(unsafe.Pointer)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ptr != nil {
		free(h.ptr)
		h.ptr = nil
	}
}

// bytesPtr points C at a Go slice for the duration of a call (the library
// copies what it keeps); nil for an empty slice.
func bytesPtr(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0]))
}

// cStringNoNUL copies s for C, refusing one that holds a NUL.
func cStringNoNUL(op, what, s string) (*C.char, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return nil, &Error{Op: op, Status: ErrInvalidArg, Message: what + " holds a NUL byte"}
		}
	}
	return C.CString(s), nil
}

// takeString copies a string libattest returned and frees it.
func takeString(s *C.char) string {
	defer C.attest_string_free(s)
	return C.GoString(s)
}

// cArrays copies items into C memory as the (data, lens) pair of
// attest_bundle_create and attest_evidence_from_parts: cgo forbids
// passing Go memory that holds Go pointers. free releases everything.
type cArrays struct {
	data **C.uint8_t
	lens *C.size_t
	n    int
}

func newCArrays(items [][]byte) *cArrays {
	n := len(items)
	a := &cArrays{n: n}
	if n == 0 {
		return a
	}
	a.data = (**C.uint8_t)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof((*C.uint8_t)(nil)))))
	a.lens = (*C.size_t)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.size_t(0)))))
	data := unsafe.Slice(a.data, n)
	lens := unsafe.Slice(a.lens, n)
	for i, it := range items {
		data[i] = (*C.uint8_t)(C.CBytes(it))
		lens[i] = C.size_t(len(it))
	}
	return a
}

func (a *cArrays) free() {
	if a.n == 0 {
		return
	}
	for _, p := range unsafe.Slice(a.data, a.n) {
		C.free(unsafe.Pointer(p))
	}
	C.free(unsafe.Pointer(a.data))
	C.free(unsafe.Pointer(a.lens))
}
