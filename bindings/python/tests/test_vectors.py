"""Real evidence of each vendor from ../shared/vectors (ATTEST_SHARED),
with the verdicts tests/cli.sh and tests/api/test_vectors_*.c expect;
skipped when the vectors are absent."""
import os

import pytest

import libattest as la
from conftest import read


def test_snp_turin_v5(shared):
    s = os.path.join(shared, "snp")
    report = read(s, "sets", "S14_turin_v5_oak", "report.bin")
    coll = [read(s, "sets", "S14_turin_v5_oak", "vcek.der")]
    with la.Verifier(at="2025-08-01T00:00:00Z") as v:
        assert v.verify(report, coll).failed_check().name.startswith("snp.crl")
        r = v.verify(report, coll, policy={"snp": {"require_crl": False}})
        assert r.accepted, r.reason
        assert r.claims["report"]["version"] == 5
    assert la.inspect(read(s, "sets", "S02_milan_v2_virtee", "report.bin"))["product"] is None


def test_tdx_s18_out_of_date(shared):
    x = os.path.join(shared, "tdx")
    quote = read(x, "quotes", "tdx_v4_00806F050000_automata.bin")
    coll = [read(x, *p.split("/")) for p in (
        "collateral/tcbinfo_tdx_v3_00806F050000_2025-07-07.json",
        "collateral/qe_identity_td_2025-07-07.json", "crl/pck_crl_platform_2025-07-07.der",
        "crl/root_ca_crl_2025-03-20.der", "certs/tcb_signing_2025-05-06_chain.pem")]
    with la.Verifier(at="2025-07-07T10:20:00Z") as v:
        r = v.verify(quote, coll)
        assert r.failed_check().name.startswith("policy.dcap.tcb_status"), r.reason
        assert "INTEL-SA-00960" in r.to_json()
        ood = {"tdx": {"accepted_tcb_statuses": ["UpToDate", "OutOfDate"]}}
        assert v.verify(quote, coll, policy=ood).accepted


def test_nvidia_h100_set_a(shared):
    n = os.path.join(shared, "nvidia", "hopper", "setA_h100_550.90.07_complete")
    report = read(n, "attestation_report.bin")
    coll = la.Collateral([read(n, f) for f in (
        "device_cert_chain.pem", "driver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml",
        "vbios_rim_NV_GPU_VBIOS_1010_0200_882_96009F0001.xml")])
    for f in sorted(os.listdir(os.path.join(n, "ocsp"))):
        item = read(n, "ocsp", f)
        if la.classify(item) == la.ItemKind.OCSP:  # the CLI, too, skips the notes
            coll.add(item)
    policy = {"nvidia": {"allow_stored_ocsp": True, "allow_stale_ocsp": True}}
    nonce = "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb"
    with la.Verifier(at="2025-10-24T12:00:00Z") as v, coll:
        r = v.verify(report, coll, policy=policy, nonce=nonce)
        assert r.accepted, r.reason
        wrong = v.verify(report, coll, policy=policy, nonce="4c" * 32)
        assert "gpu0.report.nonce" in wrong.reason


def test_azure_as02_from_parts(shared):
    a = os.path.join(shared, "azure", "snp", "AS02_trustee_milan_v3_evidence_v0_S08")
    s08 = os.path.join(shared, "snp", "sets", "S08_milan_v3_azure_hcl_trustee")
    ev = la.Evidence.from_parts(hcl_report=read(s08, "hcl_report.bin"),
                                tpm_quote=read(a, "quote_msg.bin"),
                                tpm_signature=read(a, "quote_sig.bin"),
                                tpm_pcrs=read(a, "pcrs_sha256.bin"))
    coll = [read(s08, "vcek.pem"), read(shared, "snp", "roots", "kds_vcek_cert_chain_milan.pem")]
    policy = {"snp": {"require_crl": False, "allow_provisional_firmware": True}, "azure": {}}
    with la.Verifier(at="2025-01-29T00:00:00Z") as v, ev:
        r = v.verify(ev, coll, policy=policy, nonce=b"challenge")
        assert r.accepted, r.reason
        assert v.verify(ev, coll, policy=policy, nonce=b"challengf").status == \
            "ATTEST_E_TPM_NONCE"
