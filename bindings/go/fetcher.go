package attest

/*
#include <attest.h>
#include <stdint.h>
#include <stdlib.h>
int attest_go_fetcher_set_on_added(attest_fetcher *f, uintptr_t handle);
int attest_go_request_url(const attest_fetcher *f, const attest_evidence *ev,
                          const attest_needs *needs, size_t i, char *out, size_t n);
int attest_go_has_request_url(void);
*/
import "C"

import (
	"errors"
	"runtime"
	"runtime/cgo"
	"time"
	"unsafe"
)

// Service names an online service a Fetcher asks (attest_service).
type Service int

const (
	ServiceAMDKDS         Service = C.ATTEST_SERVICE_AMD_KDS
	ServiceIntelPCS       Service = C.ATTEST_SERVICE_INTEL_PCS
	ServiceIntelPCCS      Service = C.ATTEST_SERVICE_INTEL_PCCS
	ServiceIntelRootCACRL Service = C.ATTEST_SERVICE_INTEL_ROOT_CA_CRL
	ServiceNvidiaRIM      Service = C.ATTEST_SERVICE_NVIDIA_RIM
	ServiceNvidiaOCSP     Service = C.ATTEST_SERVICE_NVIDIA_OCSP
	// ServiceAzureTHIM: the whole THIM URL; when set, an SNP VCEK and its
	// chain are asked of it.
	ServiceAzureTHIM Service = C.ATTEST_SERVICE_AZURE_THIM
	// ServiceNvidiaNRAS: NRAS, whose JWKS verifies NRAS results held
	// without a key set.
	ServiceNvidiaNRAS Service = C.ATTEST_SERVICE_NVIDIA_NRAS
)

// TCBUpdate is which TCB evaluation Intel is asked for (attest_tcb_update).
type TCBUpdate int

const (
	TCBUpdateDefault  TCBUpdate = C.ATTEST_TCB_UPDATE_DEFAULT
	TCBUpdateStandard TCBUpdate = C.ATTEST_TCB_UPDATE_STANDARD
	TCBUpdateEarly    TCBUpdate = C.ATTEST_TCB_UPDATE_EARLY
)

// Fetcher fetches the collateral evidence needs from the vendors'
// services, optionally through a directory cache (attest_fetcher). It is
// configured once, by options, then shared by any number of goroutines
// (each fetching into its own Collateral).
type Fetcher struct {
	h       handle
	onAdded cgo.Handle // 0 when no callback is set
}

// FetcherOption configures a Fetcher at NewFetcher.
type FetcherOption func(f *C.attest_fetcher, fe *Fetcher) error

// WithService points service at a base URL (http:// or https://); ""
// restores the vendor's default (attest_fetcher_set_service).
func WithService(service Service, url string) FetcherOption {
	return func(f *C.attest_fetcher, _ *Fetcher) error {
		var cs *C.char
		if url != "" {
			var err error
			if cs, err = cStringNoNUL("attest_fetcher_set_service", "URL", url); err != nil {
				return err
			}
			defer C.free(unsafe.Pointer(cs))
		}
		return call("attest_fetcher_set_service", func() C.int {
			return C.attest_fetcher_set_service(f, C.attest_service(service), cs)
		})
	}
}

// WithCAFile verifies TLS servers with a PEM CA bundle
// (attest_fetcher_set_ca_file).
func WithCAFile(path string) FetcherOption {
	return func(f *C.attest_fetcher, _ *Fetcher) error {
		cs, err := cStringNoNUL("attest_fetcher_set_ca_file", "CA file", path)
		if err != nil {
			return err
		}
		defer C.free(unsafe.Pointer(cs))
		return call("attest_fetcher_set_ca_file", func() C.int { return C.attest_fetcher_set_ca_file(f, cs) })
	}
}

// WithCacheDir caches answers in dir, each until its own validity ends
// (attest_fetcher_set_cache_dir).
func WithCacheDir(dir string) FetcherOption {
	return func(f *C.attest_fetcher, _ *Fetcher) error {
		cs, err := cStringNoNUL("attest_fetcher_set_cache_dir", "cache directory", dir)
		if err != nil {
			return err
		}
		defer C.free(unsafe.Pointer(cs))
		return call("attest_fetcher_set_cache_dir", func() C.int { return C.attest_fetcher_set_cache_dir(f, cs) })
	}
}

// WithOffline answers from the cache only (attest_fetcher_set_offline).
func WithOffline(offline bool) FetcherOption {
	return func(f *C.attest_fetcher, _ *Fetcher) error {
		on := C.int(0)
		if offline {
			on = 1
		}
		return call("attest_fetcher_set_offline", func() C.int { return C.attest_fetcher_set_offline(f, on) })
	}
}

// WithCacheTime compares cache expiry with t instead of the clock
// (attest_fetcher_set_time), for tests and replays.
func WithCacheTime(t time.Time) FetcherOption {
	return func(f *C.attest_fetcher, _ *Fetcher) error {
		return call("attest_fetcher_set_time", func() C.int { return C.attest_fetcher_set_time(f, C.int64_t(t.Unix())) })
	}
}

// WithTCBEvaluation asks Intel for update, or for tcbEvaluationDataNumber
// number when it is not 0 (attest_fetcher_set_tcb_evaluation).
func WithTCBEvaluation(update TCBUpdate, number uint32) FetcherOption {
	return func(f *C.attest_fetcher, _ *Fetcher) error {
		return call("attest_fetcher_set_tcb_evaluation", func() C.int {
			return C.attest_fetcher_set_tcb_evaluation(f, C.attest_tcb_update(update), C.unsigned(number))
		})
	}
}

// WithOnAdded calls fn with each item a fetch adds, its kind and the exact
// bytes added (attest_fetcher_set_on_added); data is a copy fn may keep.
// fn runs in the fetching goroutine; fetches from several goroutines
// call it concurrently.
func WithOnAdded(fn func(kind NeedKind, data []byte)) FetcherOption {
	return func(f *C.attest_fetcher, fe *Fetcher) error {
		if fe.onAdded != 0 {
			fe.onAdded.Delete()
		}
		fe.onAdded = cgo.NewHandle(fn)
		return call("attest_fetcher_set_on_added", func() C.int {
			return C.attest_go_fetcher_set_on_added(f, C.uintptr_t(fe.onAdded))
		})
	}
}

// NewFetcher makes a fetcher with the default services, libcurl's CA
// bundle, no cache, online (attest_fetcher_new), then applies opts.
func NewFetcher(opts ...FetcherOption) (*Fetcher, error) {
	var p *C.attest_fetcher
	if err := call("attest_fetcher_new", func() C.int { return C.attest_fetcher_new(&p) }); err != nil {
		return nil, err
	}
	fe := &Fetcher{h: handle{ptr: unsafe.Pointer(p)}}
	runtime.SetFinalizer(fe, (*Fetcher).Close)
	for _, o := range opts {
		if err := o(p, fe); err != nil {
			fe.Close()
			return nil, err
		}
	}
	return fe, nil
}

// Fetch fetches what verifying ev needs that coll lacks and adds it to
// coll (attest_fetch_collateral). It returns what is still missing, each
// reason naming the URL and the HTTP status or transfer error; a failed
// request is not an error of Fetch. What was added is judged by the
// verification as any collateral is.
func (fe *Fetcher) Fetch(ev *Evidence, coll *Collateral) ([]Need, error) {
	if ev == nil || coll == nil {
		return nil, &Error{Op: "attest_fetch_collateral", Status: ErrInvalidArg, Message: "nil evidence or collateral"}
	}
	fe.h.mu.RLock()
	defer fe.h.mu.RUnlock()
	ev.h.mu.RLock()
	defer ev.h.mu.RUnlock()
	coll.h.mu.Lock() // the fetch adds to it
	defer coll.h.mu.Unlock()
	if fe.h.ptr == nil || ev.h.ptr == nil || coll.h.ptr == nil {
		return nil, errClosed("Fetcher.Fetch")
	}
	var n *C.attest_needs
	err := call("attest_fetch_collateral", func() C.int {
		return C.attest_fetch_collateral((*C.attest_fetcher)(fe.h.ptr), (*C.attest_evidence)(ev.h.ptr),
			(*C.attest_collateral)(coll.h.ptr), &n)
	})
	if err != nil {
		return nil, err
	}
	return takeNeeds(n), nil
}

// Plan lists what verifying ev needs that have (may be nil) lacks, as
// CollateralNeeds does, with each URL the one f would request at its
// configured services (attest_fetcher_request_url; e.g. THIM's). Nothing
// is fetched.
func (fe *Fetcher) Plan(ev *Evidence, have *Collateral) ([]Need, error) {
	fe.h.mu.RLock()
	defer fe.h.mu.RUnlock()
	if fe.h.ptr == nil || ev == nil {
		return nil, errClosed("Fetcher.Plan")
	}
	var out []Need
	err := withNeeds(ev, have, func(evp *C.attest_evidence, n *C.attest_needs) error {
		urls := make([]string, int(C.attest_needs_count(n)))
		for i := range urls {
			u, err := requestURL((*C.attest_fetcher)(fe.h.ptr), evp, n, i)
			if err != nil {
				return err
			}
			urls[i] = u
		}
		out = copyNeeds(n)
		for i := range out {
			out[i].URL = urls[i]
		}
		return nil
	})
	return out, err
}

// hasRequestURL tells whether the libattest loaded has
// attest_fetcher_request_url (see bridge.c).
func hasRequestURL() bool { return C.attest_go_has_request_url() != 0 }

// requestURL is attest_fetcher_request_url into a buffer grown until the
// URL fits (64 KiB at most).
func requestURL(f *C.attest_fetcher, ev *C.attest_evidence, n *C.attest_needs, i int) (string, error) {
	for size := 2048; ; size *= 4 {
		buf := (*C.char)(C.malloc(C.size_t(size)))
		err := call("attest_fetcher_request_url", func() C.int {
			return C.attest_go_request_url(f, ev, n, C.size_t(i), buf, C.size_t(size))
		})
		url := ""
		if err == nil {
			url = C.GoString(buf)
		}
		C.free(unsafe.Pointer(buf))
		if !errors.Is(err, ErrLength) || size >= 65536 {
			return url, err
		}
	}
}

// Close frees the fetcher (attest_fetcher_free) once fetches in flight
// end; idempotent.
func (fe *Fetcher) Close() error {
	// The callback handle goes with the C fetcher, once, under its lock.
	fe.h.close(func(p unsafe.Pointer) {
		C.attest_fetcher_free((*C.attest_fetcher)(p))
		if fe.onAdded != 0 {
			fe.onAdded.Delete()
			fe.onAdded = 0
		}
	})
	return nil
}
