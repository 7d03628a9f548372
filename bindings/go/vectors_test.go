package attest

import (
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"
)

// Real evidence of each vendor from ../shared/vectors (ATTEST_SHARED),
// one verdict per platform as the C suite records it (tests/api/
// test_vectors_*.c, test_azure.c); skipped when the folder is absent.
type vectorCase struct {
	name       string
	evidence   string   // under vectors/
	collateral []string // under vectors/
	at         string
	policy     string
	nonceHex   string
	want       Status
	parts      []Part // Azure: evidence from parts instead
}

func runVector(t *testing.T, root string, c vectorCase, ev *Evidence) {
	at, err := ParseTime(c.at)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(WithTime(at))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	coll, _ := NewCollateral()
	defer coll.Close()
	for _, f := range c.collateral {
		if err := coll.Add(readFile(t, root, f)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	pol, err := ParsePolicy([]byte(c.policy))
	if err != nil {
		t.Fatal(err)
	}
	defer pol.Close()
	nonce, _ := hex.DecodeString(c.nonceHex)
	r, err := v.VerifyRequest(Request{Evidence: ev, Collateral: coll, Policy: pol, Nonce: nonce})
	if r == nil || r.Status != c.want || (c.want == OK) != (err == nil) || (err != nil && !errors.Is(err, c.want)) {
		t.Errorf("%s: got %v, want %s", c.name, err, c.want.Name())
	}
}

func TestRealVectors(t *testing.T) {
	root := sharedVectors(t)
	const nvD = "nvidia/hopper/setD_h100_595.71.05_azure_complete/"
	const as01 = "azure/snp/AS01_trustee_milan_v2_hclv1_challenge/"
	cases := []vectorCase{
		{name: "snp S02 Milan v2", evidence: "snp/sets/S02_milan_v2_virtee/report.bin",
			collateral: []string{"snp/sets/S02_milan_v2_virtee/vcek.der", "snp/roots/kds_vcek_cert_chain_milan.pem"},
			at:         "2023-04-04T00:00:00Z",
			policy:     `{"snp":{"require_crl":false,"allow_debug":true,"allow_provisional_firmware":true,"vmpl":[0,1,2,3]}}`},
		{name: "snp S02 with another chip's VCEK", evidence: "snp/sets/S02_milan_v2_virtee/report.bin",
			collateral: []string{"snp/sets/S01_milan_v2_gosevguest/vcek.der", "snp/roots/kds_vcek_cert_chain_milan.pem"},
			at:         "2023-06-01T00:00:00Z", want: ErrSNPSignature,
			policy: `{"snp":{"require_crl":false,"allow_debug":true,"allow_provisional_firmware":true,"vmpl":[0,1,2,3]}}`},
		{name: "tdx S17 v4 debug", evidence: "tdx/quotes/tdx_v4_50806F000000_debug_trustee.bin",
			collateral: []string{"tdx/collateral/tcbinfo_tdx_v3_50806F000000_2023-06-18.json",
				"tdx/collateral/qe_identity_td_2023-06-08.json", "tdx/crl/pck_crl_platform_2023-06-08.der",
				"tdx/crl/root_ca_crl_2023-04-03.der", "tdx/certs/tcb_signing_2018-05-21_chain.pem"},
			at: "2023-07-01T01:00:00Z", policy: `{"tdx":{"allow_debug":true}}`},
		{name: "tdx S17 debug refused by default", evidence: "tdx/quotes/tdx_v4_50806F000000_debug_trustee.bin",
			collateral: []string{"tdx/collateral/tcbinfo_tdx_v3_50806F000000_2023-06-18.json",
				"tdx/collateral/qe_identity_td_2023-06-08.json", "tdx/crl/pck_crl_platform_2023-06-08.der",
				"tdx/crl/root_ca_crl_2023-04-03.der", "tdx/certs/tcb_signing_2018-05-21_chain.pem"},
			at: "2023-07-01T01:00:00Z", policy: `{"tdx":{}}`, want: ErrPolicyDebug},
		{name: "nvidia H100 set D", evidence: nvD + "attestation_report.bin",
			collateral: []string{nvD + "device_cert_chain.pem", nvD + "driver_rim_NV_GPU_DRIVER_GH100_595.71.05.xml",
				nvD + "vbios_rim_NV_GPU_VBIOS_1010_0210_886_96009F0004.xml"},
			at: "2026-09-16T14:00:00Z", policy: `{"nvidia":{"require_ocsp":false}}`,
			nonceHex: "690bb51b904351e28100a0610fe60624255c26d7d38c53fb1285ecfed1cab17a"},
		{name: "nvidia H100 set D, another nonce", evidence: nvD + "attestation_report.bin",
			collateral: []string{nvD + "device_cert_chain.pem", nvD + "driver_rim_NV_GPU_DRIVER_GH100_595.71.05.xml",
				nvD + "vbios_rim_NV_GPU_VBIOS_1010_0210_886_96009F0004.xml"},
			at: "2026-09-16T14:00:00Z", policy: `{"nvidia":{"require_ocsp":false}}`,
			nonceHex: "00" + "0bb51b904351e28100a0610fe60624255c26d7d38c53fb1285ecfed1cab17a", want: ErrNVNonce},
		{name: "azure AS01 Milan vTPM", parts: []Part{
			{PartHCLReport, []byte("snp/sets/S07_milan_v2_azure_hcl_trustee/hcl_report.bin")},
			{PartTPMQuote, []byte(as01 + "quote_msg.bin")}, {PartTPMSignature, []byte(as01 + "quote_sig.bin")},
			{PartTPMPCRs, []byte(as01 + "pcrs_sha256.bin")}},
			collateral: []string{"snp/sets/S07_milan_v2_azure_hcl_trustee/vcek_ask_ark.pem", "snp/roots/kds_vcek_cert_chain_milan.pem"},
			at:         "2023-05-03T00:00:00Z", nonceHex: "6368616c6c656e6765",
			policy: `{"snp":{"require_crl":false,"allow_provisional_firmware":true},"azure":{}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ev *Evidence
			var err error
			if c.parts != nil {
				parts := make([]Part, len(c.parts))
				for i, p := range c.parts { // Data holds the file name here
					parts[i] = Part{p.Kind, readFile(t, root, string(p.Data))}
				}
				ev, err = EvidenceFromParts(parts...)
			} else {
				ev, err = ParseEvidence(readFile(t, filepath.Join(root, c.evidence)))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer ev.Close()
			runVector(t, root, c, ev)
		})
	}
}
