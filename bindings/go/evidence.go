package attest

/*
#include <attest.h>
#include <stdlib.h>
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"unsafe"
)

// Format is the detected format of evidence (attest_format).
type Format int

const (
	FormatUnknown   Format = C.ATTEST_FORMAT_UNKNOWN
	FormatSNPReport Format = C.ATTEST_FORMAT_SNP_REPORT
	FormatDCAPQuote Format = C.ATTEST_FORMAT_DCAP_QUOTE
	FormatNvidia    Format = C.ATTEST_FORMAT_NVIDIA
	FormatBundle    Format = C.ATTEST_FORMAT_BUNDLE
	FormatAzureVTPM Format = C.ATTEST_FORMAT_AZURE_VTPM
)

// PartKind names one part of evidence that comes in pieces (Azure CVMs).
type PartKind int

const (
	PartHCLReport    PartKind = C.ATTEST_PART_HCL_REPORT
	PartTPMQuote     PartKind = C.ATTEST_PART_TPM_QUOTE
	PartTPMSignature PartKind = C.ATTEST_PART_TPM_SIGNATURE
	PartTPMPCRs      PartKind = C.ATTEST_PART_TPM_PCRS
	PartTDQuote      PartKind = C.ATTEST_PART_TD_QUOTE
)

// Part is one piece of evidence: what it is and its bytes.
type Part struct {
	Kind PartKind
	Data []byte
}

// Evidence is parsed evidence (attest_evidence): immutable, shareable.
type Evidence struct{ h handle }

func newEvidence(p *C.attest_evidence) *Evidence {
	ev := &Evidence{h: handle{ptr: unsafe.Pointer(p)}}
	runtime.SetFinalizer(ev, (*Evidence).Close)
	return ev
}

// ParseEvidence parses evidence, detecting its format from the content
// (attest_evidence_parse). The bytes are copied.
func ParseEvidence(data []byte) (*Evidence, error) {
	var p *C.attest_evidence
	err := call("attest_evidence_parse", func() C.int {
		return C.attest_evidence_parse(&p, bytesPtr(data), C.size_t(len(data)))
	})
	if err != nil {
		return nil, err
	}
	return newEvidence(p), nil
}

// EvidenceFromParts builds Azure CVM evidence from its parts
// (attest_evidence_from_parts): each kind at most once, the HCL report
// required. The bytes are copied.
func EvidenceFromParts(parts ...Part) (*Evidence, error) {
	items := make([][]byte, len(parts))
	for i, p := range parts {
		items[i] = p.Data
	}
	arr := newCArrays(items)
	defer arr.free()
	var kinds *C.attest_part_kind
	if len(parts) > 0 {
		kinds = (*C.attest_part_kind)(C.calloc(C.size_t(len(parts)), C.size_t(unsafe.Sizeof(C.attest_part_kind(0)))))
		defer C.free(unsafe.Pointer(kinds))
		for i, p := range parts {
			unsafe.Slice(kinds, len(parts))[i] = C.attest_part_kind(p.Kind)
		}
	}
	var p *C.attest_evidence
	err := call("attest_evidence_from_parts", func() C.int {
		return C.attest_evidence_from_parts(&p, kinds, arr.data, arr.lens, C.size_t(len(parts)))
	})
	if err != nil {
		return nil, err
	}
	return newEvidence(p), nil
}

// Format is the detected format (attest_evidence_format).
func (ev *Evidence) Format() Format {
	ev.h.mu.RLock()
	defer ev.h.mu.RUnlock()
	if ev.h.ptr == nil {
		return FormatUnknown
	}
	return Format(C.attest_evidence_format((*C.attest_evidence)(ev.h.ptr)))
}

// JSON is every parsed field as a JSON object, byte strings in hex
// (attest_evidence_to_json).
func (ev *Evidence) JSON() (json.RawMessage, error) {
	ev.h.mu.RLock()
	defer ev.h.mu.RUnlock()
	if ev.h.ptr == nil {
		return nil, errClosed("Evidence.JSON")
	}
	var s *C.char
	err := call("attest_evidence_to_json", func() C.int {
		return C.attest_evidence_to_json(&s, (*C.attest_evidence)(ev.h.ptr))
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(takeString(s)), nil
}

// Close frees the evidence (attest_evidence_free); idempotent.
func (ev *Evidence) Close() error {
	ev.h.close(func(p unsafe.Pointer) { C.attest_evidence_free((*C.attest_evidence)(p)) })
	return nil
}

// ItemKind is what a file is, decided by its content (attest_item_kind).
type ItemKind int

const (
	ItemUnknown        ItemKind = C.ATTEST_ITEM_UNKNOWN
	ItemEvidenceSNP    ItemKind = C.ATTEST_ITEM_EVIDENCE_SNP
	ItemEvidenceDCAP   ItemKind = C.ATTEST_ITEM_EVIDENCE_DCAP
	ItemEvidenceNvidia ItemKind = C.ATTEST_ITEM_EVIDENCE_NVIDIA
	ItemBundle         ItemKind = C.ATTEST_ITEM_BUNDLE
	ItemEvidenceAzure  ItemKind = C.ATTEST_ITEM_EVIDENCE_AZURE
	ItemCertificates   ItemKind = C.ATTEST_ITEM_CERTIFICATES
	ItemCRL            ItemKind = C.ATTEST_ITEM_CRL
	ItemTCBInfo        ItemKind = C.ATTEST_ITEM_TCB_INFO
	ItemQEIdentity     ItemKind = C.ATTEST_ITEM_QE_IDENTITY
	ItemRIM            ItemKind = C.ATTEST_ITEM_RIM
	ItemOCSP           ItemKind = C.ATTEST_ITEM_OCSP
	ItemTHIM           ItemKind = C.ATTEST_ITEM_THIM            // Azure THIM JSON (or its base64 text)
	ItemDCAPCollateral ItemKind = C.ATTEST_ITEM_DCAP_COLLATERAL // dcap-qvl collateral JSON
	ItemCCELTable      ItemKind = C.ATTEST_ITEM_CCEL_TABLE      // event logs (docs/eventlog.md)
	ItemCCELLog        ItemKind = C.ATTEST_ITEM_CCEL_LOG
	ItemTCGLog         ItemKind = C.ATTEST_ITEM_TCG_LOG
	ItemDstackLog      ItemKind = C.ATTEST_ITEM_DSTACK_LOG
	ItemAAELLog        ItemKind = C.ATTEST_ITEM_AAEL_LOG
	// other verifiers' results (docs/results.md)
	ItemNRASResult ItemKind = C.ATTEST_ITEM_NRAS_RESULT
	ItemKeyset     ItemKind = C.ATTEST_ITEM_KEYSET
)

// IsEvidence tells evidence kinds (1..15) from collateral (16 and above).
func (k ItemKind) IsEvidence() bool { return k > 0 && k < 16 }

// String is the kind's short name ("snp-report"; attest_item_kind_name).
func (k ItemKind) String() string {
	return C.GoString(C.attest_item_kind_name(C.attest_item_kind(k)))
}

// Classify says what data is, as ParseEvidence and Collateral.Add would
// decide (attest_classify). ItemUnknown for anything else.
func Classify(data []byte) (ItemKind, error) {
	var k C.attest_item_kind
	err := call("attest_classify", func() C.int {
		return C.attest_classify(&k, bytesPtr(data), C.size_t(len(data)))
	})
	return ItemKind(k), err
}
