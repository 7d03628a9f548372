package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
)

func mustHex48(t *testing.T, s string) [48]byte {
	t.Helper()
	var out [48]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 48 {
		t.Fatalf("bad hex %q", s)
	}
	copy(out[:], b)
	return out
}

// T02 (../shared refvalues): the single-pass MRTD of its OVMF.fd is the
// signed quote's MRTD; the two-pass one is the MANIFEST's other value.
func TestMeasureTDXRealImage(t *testing.T) {
	dir := filepath.Join(sharedVectors(t), "refvalues", "tdx", "T02_cmc_ovmf_mrtd")
	img, quote := readFile(t, dir, "OVMF.fd"), readFile(t, dir, "quote.bin")
	const mrtdAt = 48 + 136 // quote header, TD report up to MRTD
	single, err := MeasureTDX(img, TDXOrderSinglePass)
	if err != nil || !bytes.Equal(single[:], quote[mrtdAt:mrtdAt+48]) {
		t.Errorf("single pass %x, quote %x: %v", single, quote[mrtdAt:mrtdAt+48], err)
	}
	two, err := MeasureTDX(img, TDXOrderTwoPass)
	want := mustHex48(t, "74f1308474541bd175f93a70c8c2ed51022d3f14dfa5460b8fc092a07e047998"+
		"dfdbb5b7aca626787c0cda45ea35146f")
	if err != nil || two != want {
		t.Errorf("two pass %x: %v", two, err)
	}
	if _, err := MeasureTDX(img, TDXOrder(2)); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("unknown order: %v", err)
	}
	if _, err := MeasureTDX(img, TDXOrder(1<<32)); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("an order that wraps to single pass: %v", err)
	}
	if _, err := MeasureTDX(img[:4096*3+1], TDXOrderSinglePass); !errors.Is(err, ErrMeasureImageSize) {
		t.Errorf("cut image: %v", err)
	}
}

// S01: dstack's published OVMF hash, sections and parameters give the
// MEASUREMENT of the signed Milan report; every setter of the hash path.
func TestMeasureSNPFromPublishedHash(t *testing.T) {
	dir := filepath.Join(sharedVectors(t), "refvalues", "snp", "S01_dstack_milan")
	var m struct {
		OVMFHash string `json:"ovmf_hash"`
		Sections []struct {
			GPA  uint32 `json:"gpa"`
			Size uint32 `json:"size"`
			Type uint32 `json:"section_type"`
		} `json:"ovmf_sections"`
		ResetEIP uint32 `json:"sev_es_reset_eip"`
		TableGPA uint32 `json:"sev_hashes_table_gpa"`
		Kernel   string `json:"kernel_hash"`
		Initrd   string `json:"initrd_hash"`
		Cmdline  string `json:"base_cmdline"`
		VCPUs    uint32 `json:"vcpus"`
		VCPUType string `json:"vcpu_type"`
		Features uint64 `json:"guest_features"`
	}
	if err := json.Unmarshal(readFile(t, dir, "sev_snp_measurement.json"), &m); err != nil {
		t.Fatal(err)
	}
	l, err := NewSNPLaunch()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var k, i [32]byte
	hex.Decode(k[:], []byte(m.Kernel))
	hex.Decode(i[:], []byte(m.Initrd))
	steps := []error{l.SetOVMFHash(mustHex48(t, m.OVMFHash))}
	for _, s := range m.Sections {
		steps = append(steps, l.AddSection(s.GPA, s.Size, SEVSection(s.Type)))
	}
	steps = append(steps, l.SetResetEIP(m.ResetEIP), l.SetHashesTableGPA(m.TableGPA),
		l.SetKernel(k, i, m.Cmdline), l.SetVCPUs(m.VCPUs), l.SetVCPUType(m.VCPUType),
		l.SetGuestFeatures(m.Features))
	for n, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", n, err)
		}
	}
	d, err := l.Measure()
	report := readFile(t, dir, "report.bin")
	if err != nil || !bytes.Equal(d[:], report[0x90:0x90+48]) {
		t.Errorf("digest %x, report %x: %v", d, report[0x90:0x90+48], err)
	}
	if err := l.SetKernel(k, i, "console=ttyS0\x00evil"); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("a command line with a NUL: %v", err)
	}
}

// S02 (virtee/sev-snp-measure's vectors) from the image, QEMU, EC2 and
// GCE; a vCPU type and its family/model/stepping measure the same; the
// setters' refusals.
func TestMeasureSNPFromImage(t *testing.T) {
	img := readFile(t, sharedVectors(t), "refvalues", "snp", "S02_sevsnpmeasure_suffix", "ovmf_AmdSev_suffix.bin")
	launch := func(vmm VMM, vcpus uint32, features uint64, cpu func(*SNPLaunch) error) [48]byte {
		t.Helper()
		l, err := NewSNPLaunch()
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		for _, err := range []error{l.SetOVMF(img), l.SetVCPUs(vcpus), l.SetVMM(vmm),
			l.SetGuestFeatures(features), cpu(l)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		d, err := l.Measure()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// S02's kernel, initrd and command line are all empty
	empty := sha256.Sum256(nil)
	noCPU := func(l *SNPLaunch) error { return l.SetKernel(empty, empty, "") }
	v4 := func(l *SNPLaunch) error {
		if err := l.SetVCPUType("EPYC-v4"); err != nil {
			return err
		}
		return noCPU(l)
	}
	cases := []struct {
		vmm      VMM
		vcpus    uint32
		features uint64
		cpu      func(*SNPLaunch) error
		want     string
	}{
		{VMMQEMU, 4, 0x21, v4, "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631942"},
		{VMMGCE, 4, 0x1, noCPU, "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d"},
	}
	for _, c := range cases {
		if d := launch(c.vmm, c.vcpus, c.features, c.cpu); d != mustHex48(t, c.want) {
			t.Errorf("vmm %d, %d vCPUs: %x", c.vmm, c.vcpus, d)
		}
	}
	milan := launch(VMMQEMU, 2, 0x1, func(l *SNPLaunch) error { return l.SetVCPUType("EPYC-Milan") })
	fms := launch(VMMQEMU, 2, 0x1, func(l *SNPLaunch) error { return l.SetVCPUFamily(0x19, 0x01, 1) })
	if milan != fms {
		t.Errorf("EPYC-Milan %x != family 19h model 1 stepping 1 %x", milan, fms)
	}
	l, _ := NewSNPLaunch()
	defer l.Close()
	refusals := map[Status]error{
		ErrMeasureVCPUs:         l.SetVCPUs(0),
		ErrMeasureVCPUType:      l.SetVCPUType("EPYC-Nonesuch"),
		ErrMeasureVMM:           l.SetVMM(VMM(1<<32 | int(VMMQEMU))),
		ErrMeasureGuestFeatures: l.SetGuestFeatures(0x20),
	}
	for want, err := range refusals {
		if !errors.Is(err, want) {
			t.Errorf("want %v: %v", want, err)
		}
	}
	if _, err := l.Measure(); !errors.Is(err, ErrMeasureInputMissing) {
		t.Errorf("no firmware: %v", err)
	}
	l.Close()
	if err := l.SetVCPUs(1); !errors.Is(err, ErrInvalidArg) {
		t.Errorf("closed launch: %v", err)
	}
}

// S03: COCONUT-SVSM (virtee/sev-snp-measure's vector, 2 vCPUs).
func TestMeasureSNPSVSM(t *testing.T) {
	dir := filepath.Join(sharedVectors(t), "refvalues", "snp", "S03_sevsnpmeasure_svsm")
	l, err := NewSNPLaunch()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, err := range []error{l.SetOVMF(readFile(t, dir, "svsm_ovmf.fd")),
		l.SetSVSM(readFile(t, dir, "svsm.bin"), 540672), l.SetVCPUs(2),
		l.SetVCPUType("EPYC-v4"), l.SetGuestFeatures(0x1)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	d, err := l.Measure()
	if err != nil || d != mustHex48(t, "9b94745036aafddf4f7f8b00c7513abb5b7703178cb95aaa57928bd963d68d3bfcb715d6019b9167ee2517b11b0d9be7") {
		t.Errorf("S03: %x %v", d, err)
	}
	var zero [32]byte
	if err := l.SetKernel(zero, sha256.Sum256(nil), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Measure(); !errors.Is(err, ErrMeasureKernelHashes) {
		t.Errorf("SVSM with a kernel: %v", err)
	}
}
