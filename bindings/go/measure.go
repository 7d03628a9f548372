package attest

/*
#include <attest.h>
#include <stdlib.h>
*/
import "C"

import (
	"math"
	"runtime"
	"unsafe"
)

// Expected launch measurements (docs/measure.md): the MRTD of a TD and the
// launch digest of an SEV-SNP guest, computed from the firmware and launch
// parameters, to pin in a policy.

// TDXOrder is how the VMM orders the TDX page-add and extend operations
// (attest_tdx_order).
type TDXOrder int

const (
	TDXOrderSinglePass TDXOrder = C.ATTEST_TDX_ORDER_SINGLE_PASS // page by page (QEMU >= 9.0)
	TDXOrderTwoPass    TDXOrder = C.ATTEST_TDX_ORDER_TWO_PASS    // per section (QEMU 8.x TDX patches)
)

// VMM is the VMM that launches an SEV-SNP guest (attest_vmm).
type VMM int

const (
	VMMQEMU    VMM = C.ATTEST_VMM_QEMU     // QEMU/KVM: RDX is the vCPU type's signature
	VMMEC2     VMM = C.ATTEST_VMM_EC2      // AWS EC2, VMSA RDX 0x600
	VMMGCE     VMM = C.ATTEST_VMM_GCE      // Google Compute Engine
	VMMEC2RDX0 VMM = C.ATTEST_VMM_EC2_RDX0 // AWS EC2, VMSA RDX 0 (older tools)
)

// SEVSection is an OVMF SEV metadata section type (attest_sev_section_type).
type SEVSection uint32

const (
	SEVSectionSecMem       SEVSection = C.ATTEST_SEV_SECTION_SEC_MEM
	SEVSectionSecrets      SEVSection = C.ATTEST_SEV_SECTION_SECRETS
	SEVSectionCPUID        SEVSection = C.ATTEST_SEV_SECTION_CPUID
	SEVSectionSVSMCAA      SEVSection = C.ATTEST_SEV_SECTION_SVSM_CAA
	SEVSectionKernelHashes SEVSection = C.ATTEST_SEV_SECTION_KERNEL_HASHES
)

// cInt is v as a C int, or ok false when it does not fit (a value that
// would wrap to another, valid one is refused rather than truncated).
func cInt(v int) (C.int, bool) {
	return C.int(v), v >= math.MinInt32 && v <= math.MaxInt32
}

// MeasureTDX is the MRTD of a TD launched from a TDVF / OVMF image (the
// whole .fd file) with the page order given (attest_measure_tdx). Errors:
// ErrInvalidArg (unknown order), ErrMeasureImageSize, ErrMeasureNoMetadata,
// ErrMeasureMetadata, ErrMeasureSectionBounds.
func MeasureTDX(image []byte, order TDXOrder) ([48]byte, error) {
	var mrtd [48]byte
	o, ok := cInt(int(order))
	if !ok {
		return mrtd, &Error{Op: "attest_measure_tdx", Status: ErrInvalidArg, Message: "unknown order"}
	}
	out := (*C.uint8_t)(C.malloc(48))
	defer C.free(unsafe.Pointer(out))
	err := call("attest_measure_tdx", func() C.int {
		return C.attest_measure_tdx(out, bytesPtr(image), C.size_t(len(image)), o)
	})
	if err == nil {
		copy(mrtd[:], unsafe.Slice((*byte)(unsafe.Pointer(out)), 48))
	}
	return mrtd, err
}

// SNPLaunch holds the inputs of one SEV-SNP launch (attest_snp_launch),
// set one by one, then measured: a new launch has no firmware, no vCPUs,
// VMM QEMU and guest features 0x1. The setters serialise with Measure, so
// a launch may be shared, but it is meant to be built once.
type SNPLaunch struct{ h handle }

// NewSNPLaunch makes an empty launch (attest_snp_launch_new).
func NewSNPLaunch() (*SNPLaunch, error) {
	var p *C.attest_snp_launch
	if err := call("attest_snp_launch_new", func() C.int { return C.attest_snp_launch_new(&p) }); err != nil {
		return nil, err
	}
	l := &SNPLaunch{h: handle{ptr: unsafe.Pointer(p)}}
	runtime.SetFinalizer(l, (*SNPLaunch).Close)
	return l, nil
}

// Close frees the launch (attest_snp_launch_free); idempotent.
func (l *SNPLaunch) Close() error {
	l.h.close(func(p unsafe.Pointer) { C.attest_snp_launch_free((*C.attest_snp_launch)(p)) })
	return nil
}

// set runs one setter under the write lock (C: not to be changed while
// another thread measures it).
func (l *SNPLaunch) set(op string, f func(*C.attest_snp_launch) C.int) error {
	l.h.mu.Lock()
	defer l.h.mu.Unlock()
	if l.h.ptr == nil {
		return errClosed(op)
	}
	p := (*C.attest_snp_launch)(l.h.ptr)
	return call(op, func() C.int { return f(p) })
}

// SetOVMF gives the firmware as its image: its pages are hashed now and
// its SEV metadata sections, AP reset EIP and kernel-hashes table address
// replace any given before (attest_snp_launch_set_ovmf).
func (l *SNPLaunch) SetOVMF(image []byte) error {
	return l.set("attest_snp_launch_set_ovmf", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_ovmf(p, bytesPtr(image), C.size_t(len(image)))
	})
}

// SetOVMFHash gives the firmware as its published hash (the launch digest
// after its pages); its metadata then comes from AddSection, SetResetEIP
// and SetHashesTableGPA (attest_snp_launch_set_ovmf_hash).
func (l *SNPLaunch) SetOVMFHash(hash [48]byte) error {
	return l.set("attest_snp_launch_set_ovmf_hash", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_ovmf_hash(p, bytesPtr(hash[:]))
	})
}

// AddSection appends one SEV metadata section, in the image's order
// (attest_snp_launch_add_section).
func (l *SNPLaunch) AddSection(gpa, size uint32, kind SEVSection) error {
	return l.set("attest_snp_launch_add_section", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_add_section(p, C.uint32_t(gpa), C.uint32_t(size), C.uint32_t(kind))
	})
}

// SetResetEIP is the AP reset EIP (attest_snp_launch_set_reset_eip).
func (l *SNPLaunch) SetResetEIP(eip uint32) error {
	return l.set("attest_snp_launch_set_reset_eip", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_reset_eip(p, C.uint32_t(eip))
	})
}

// SetHashesTableGPA is the kernel-hashes table's GPA
// (attest_snp_launch_set_hashes_table_gpa).
func (l *SNPLaunch) SetHashesTableGPA(gpa uint32) error {
	return l.set("attest_snp_launch_set_hashes_table_gpa", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_hashes_table_gpa(p, C.uint32_t(gpa))
	})
}

// SetKernel measures a direct boot (QEMU -kernel/-initrd/-append,
// kernel-hashes=on): the SHA-256 of the kernel and initrd files (of no
// bytes without an initrd) and the command line (attest_snp_launch_set_kernel).
// A command line holding a NUL is refused (C would read only its head).
func (l *SNPLaunch) SetKernel(kernelSHA256, initrdSHA256 [32]byte, cmdline string) error {
	const op = "attest_snp_launch_set_kernel"
	cs, err := cStringNoNUL(op, "command line", cmdline)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cs))
	return l.set(op, func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_kernel(p, bytesPtr(kernelSHA256[:]), bytesPtr(initrdSHA256[:]), cs)
	})
}

// SetVCPUs is the vCPU count, 1..1024 (attest_snp_launch_set_vcpus).
func (l *SNPLaunch) SetVCPUs(count uint32) error {
	return l.set("attest_snp_launch_set_vcpus", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_vcpus(p, C.uint(count))
	})
}

// SetVCPUType is the vCPU type as a QEMU -cpu name ("EPYC-v4",
// "EPYC-Milan", ...; attest_snp_launch_set_vcpu_type).
func (l *SNPLaunch) SetVCPUType(name string) error {
	const op = "attest_snp_launch_set_vcpu_type"
	cs, err := cStringNoNUL(op, "vCPU type", name)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cs))
	return l.set(op, func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_vcpu_type(p, cs)
	})
}

// SetVCPUFamily is the vCPU type as family (0x17..0x1A), model and
// stepping (attest_snp_launch_set_vcpu_family).
func (l *SNPLaunch) SetVCPUFamily(family, model, stepping uint32) error {
	return l.set("attest_snp_launch_set_vcpu_family", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_vcpu_family(p, C.uint(family), C.uint(model), C.uint(stepping))
	})
}

// SetVMM is the VMM (attest_snp_launch_set_vmm).
func (l *SNPLaunch) SetVMM(vmm VMM) error {
	const op = "attest_snp_launch_set_vmm"
	v, ok := cInt(int(vmm))
	if !ok {
		return &Error{Op: op, Status: ErrMeasureVMM, Message: "unknown VMM"}
	}
	return l.set(op, func(p *C.attest_snp_launch) C.int { return C.attest_snp_launch_set_vmm(p, v) })
}

// SetGuestFeatures is the VMSA SEV_FEATURES; bit 0 (SNPActive) required
// (attest_snp_launch_set_guest_features).
func (l *SNPLaunch) SetGuestFeatures(features uint64) error {
	return l.set("attest_snp_launch_set_guest_features", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_guest_features(p, C.uint64_t(features))
	})
}

// SetSVSM is COCONUT-SVSM mode (QEMU only): the SVSM image, loaded below
// the OVMF image minus its variable store of ovmfVarsSize bytes
// (attest_snp_launch_set_svsm; docs/measure.md).
func (l *SNPLaunch) SetSVSM(image []byte, ovmfVarsSize uint64) error {
	return l.set("attest_snp_launch_set_svsm", func(p *C.attest_snp_launch) C.int {
		return C.attest_snp_launch_set_svsm(p, bytesPtr(image), C.size_t(len(image)), C.uint64_t(ovmfVarsSize))
	})
}

// Measure is the launch digest, the MEASUREMENT of the report
// (attest_measure_snp). Errors: ErrMeasureInputMissing, ErrMeasureVCPUs,
// ErrMeasureVCPUType, ErrMeasureKernelHashes, and those of SetSVSM.
func (l *SNPLaunch) Measure() ([48]byte, error) {
	var d [48]byte
	l.h.mu.RLock()
	defer l.h.mu.RUnlock()
	if l.h.ptr == nil {
		return d, errClosed("attest_measure_snp")
	}
	out := (*C.uint8_t)(C.malloc(48))
	defer C.free(unsafe.Pointer(out))
	p := (*C.attest_snp_launch)(l.h.ptr)
	err := call("attest_measure_snp", func() C.int { return C.attest_measure_snp(out, p) })
	if err == nil {
		copy(d[:], unsafe.Slice((*byte)(unsafe.Pointer(out)), 48))
	}
	return d, err
}
