"""The other platforms through the binding, on the mock TEE: Intel TDX
quotes, NVIDIA GPU evidence and Azure CVM evidence from its parts."""
import os
import subprocess

import pytest

import libattest as la
from conftest import flip, read, read_text

AT_2025 = "2025-06-15T00:00:00Z"


@pytest.fixture(scope="module")
def tdx_quote(pki, mock, tmp_path_factory):
    out = tmp_path_factory.mktemp("tdx") / "td.bin"
    subprocess.run([mock, "dcap", "quote", "--pki", os.path.join(pki, "intel"), "--tee", "tdx",
                    "-o", str(out)], check=True)
    return out.read_bytes()


def test_tdx_quote(pki, tdx_quote):
    intel = os.path.join(pki, "intel")
    coll = [read(intel, f) for f in ("tcb_info_tdx.json", "qe_identity_td.json",
                                     "tcb_signing_chain.pem", "root_crl.der", "pck_crl.der")]
    assert [la.classify(c).label for c in coll[:2]] == ["tcb-info", "qe-identity"]
    with la.Verifier(at=AT_2025) as v:
        assert v.verify(tdx_quote, coll).status == "ATTEST_E_CERT_UNTRUSTED_ROOT"
        v.add_anchor(la.Vendor.INTEL, read_text(intel, "anchor.sha256"), replace_builtin=True)
        with v.verify(tdx_quote, coll) as r:
            assert r.accepted, r.reason
        assert not v.verify(flip(tdx_quote, 700), coll).accepted
    assert la.Evidence(tdx_quote).format == la.Format.DCAP_QUOTE
    assert "mrtd" in str(la.inspect(tdx_quote))


def nvidia_verifier(nv):
    v = la.Verifier(at="2025-06-01T12:00:00Z")
    v.add_anchor(la.Vendor.NVIDIA_DEVICE, read_text(nv, "device_anchor.sha256"),
                 replace_builtin=True)
    v.add_anchor(la.Vendor.NVIDIA_RIM, read_text(nv, "rim_anchor.sha256"), replace_builtin=True)
    return v


def test_nvidia_evidence_nonce_checked(pki):
    nv = os.path.join(pki, "nvidia")
    gpu = read(nv, "evidence.json")
    nonce = read_text(nv, "nonce.hex")
    coll = [read(nv, "driver_rim.xml"), read(nv, "vbios_rim.xml")]
    with nvidia_verifier(nv) as v:
        r = v.verify(gpu, coll, nonce=nonce)  # no OCSP given: rejected, but read
        assert r.claims and not r.accepted and "ocsp" in r.reason.lower(), r.reason
        wrong = v.verify(gpu, coll, nonce="00" * 32)
        assert not wrong.accepted
        assert any(c.name.endswith("report.nonce") and c.outcome == la.CheckOutcome.FAIL
                   for c in wrong.checks), wrong.reason
    assert la.Evidence(gpu).format == la.Format.NVIDIA


def azure_parts(pki, kind="snp"):
    d = os.path.join(pki, "azure", kind)
    return dict(hcl_report=read(d, "hcl_report.bin"), tpm_quote=read(d, "quote_msg.bin"),
                tpm_signature=read(d, "quote_sig.bin"), tpm_pcrs=read(d, "pcrs.bin"))


def test_azure_from_parts(pki):
    coll = [read(pki, f) for f in ("genoa/vcek.pem", "genoa/chain.pem", "genoa/crl.der",
                                   "azure/ak.pem", "azure/chain.pem")]
    nonce = read_text(pki, "azure", "snp", "nonce.hex")
    with la.Verifier(at=AT_2025) as v:
        v.add_anchor(la.Vendor.AMD, read_text(pki, "genoa", "anchor.sha256"))
        v.add_anchor(la.Vendor.AZURE_VTPM, read_text(pki, "azure", "anchor.sha256"))
        with la.Evidence.from_parts(**azure_parts(pki)) as ev:
            assert ev.format == la.Format.AZURE_VTPM
            r = v.verify(ev, coll, nonce=nonce)
            assert r.accepted, r.reason
            assert v.verify(ev, coll, nonce="00" * 20).status == "ATTEST_E_TPM_NONCE"
        parts = azure_parts(pki)
        parts["tpm_pcrs"] = flip(parts["tpm_pcrs"], 32 * 7 + 3)
        r = v.verify(la.Evidence.from_parts(**parts), coll, nonce=nonce)
        assert r.status == "ATTEST_E_TPM_PCR_DIGEST", r.reason
    with pytest.raises(la.AttestError) as e:
        la.Evidence.from_parts(hcl_report=azure_parts(pki)["hcl_report"],
                               tpm_pcrs=azure_parts(pki)["tpm_pcrs"])
    # attest.h lists ATTEST_E_INVALID_ARG for this; the library says MALFORMED
    assert (e.value.name, e.value.check) == ("ATTEST_E_MALFORMED", "azure.tpm"), e.value
    with pytest.raises(la.AttestError) as e:
        la.Evidence.from_parts(hcl_report=b"")
    assert e.value.name == "ATTEST_E_INVALID_ARG" and "hcl_report" in e.value.detail
