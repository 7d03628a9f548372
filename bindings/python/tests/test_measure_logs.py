"""The functions bound after RA-TLS: a token verification key read once,
event logs as JSON, a TPM quote with its log, TDX MRTD and SEV-SNP launch
digests, on ../shared's real vectors (skipped when absent) and mock tokens."""
import hashlib
import json
import os
import subprocess

import pytest

import libattest as la
from conftest import AT_SNP, read

EMPTY = hashlib.sha256(b"").digest()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("pubkey")
    pems = []
    for name in ("a", "b"):
        key, pub = d / (name + ".pem"), d / (name + ".pub")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                        str(key)], check=True)
        subprocess.run(["openssl", "ec", "-in", str(key), "-pubout", "-out", str(pub)],
                       check=True, stderr=subprocess.DEVNULL)
        pems.append((key.read_bytes(), pub.read_text()))
    return pems


def test_verify_token_key_answers_as_verify_token(snp_verifier, snp_report, snp_collateral,
                                                  keys):
    (priv, pub), (other_priv, other_pub) = keys
    with snp_verifier.verify(snp_report, snp_collateral) as r:
        token = r.sign_token(priv, 3600)
    at = "2025-06-01T00:30:00Z"
    with la.TokenPubKey(pub) as key, la.TokenPubKey(other_pub.encode()) as other:
        assert la.verify_token_key(token, key, at=at) == la.verify_token(token, pub, at=at)
        for kwargs, status in (({"at": "2025-06-01T02:00:00Z"}, "ATTEST_E_TOKEN_EXPIRED"),
                               ({"at": AT_SNP, "nonce": b"n"}, "ATTEST_E_TOKEN_NONCE")):
            with pytest.raises(la.AttestError) as e:
                la.verify_token_key(token, key, **kwargs)
            assert e.value.name == status
        with pytest.raises(la.AttestError) as e:
            la.verify_token_key(token, other, at=at)
        assert e.value.name == "ATTEST_E_TOKEN_SIGNATURE"
    with pytest.raises(ValueError, match="closed"):
        la.verify_token_key(token, key, at=at)
    with pytest.raises(TypeError):
        la.verify_token_key(token, pub, at=at)
    with pytest.raises(la.AttestError) as e:
        la.TokenPubKey(priv)
    assert e.value.name == "ATTEST_E_INVALID_ARG", "a private key as verification key"


def test_eventlog_to_json(shared):
    ref = os.path.join(shared, "refvalues")
    for path, kind in ((os.path.join(ref, "tdx", "T01_gotdx_cos113", "ccel_data.bin"), "ccel-log"),
                       (os.path.join(ref, "tpm", "P01_gce_cos85", "event_log.bin"), "tcg-log")):
        doc = la.inspect_eventlog(read(path))
        assert doc["kind"] == kind and len(doc["log"]["events"]) >= 5, path
        assert json.loads(la.eventlog_to_json(read(path))) == doc
    with pytest.raises(la.AttestError) as e:
        la.eventlog_to_json(b"no event log")
    assert e.value.name == "ATTEST_E_FORMAT_UNKNOWN"


def p01(shared, bank):
    d = os.path.join(shared, "refvalues", "tpm", "P01_gce_cos85")
    return [bytearray(read(d, f)) for f in
            ("ak_pub.tpmt_public", "quote_%s.tpms_attest" % bank, "quote_%s.tpmt_signature" % bank,
             "pcrs_%s.bin" % bank, "event_log.bin")]


def test_tpm_log_verify(shared):
    for bank in ("sha1", "sha256", "sha384"):
        assert la.tpm_log_verify(*p01(shared, bank)) is None
    ak, quote, sig, pcrs, log = p01(shared, "sha384")
    pcrs[9 * 48] ^= 1
    with pytest.raises(la.AttestError) as e:
        la.tpm_log_verify(ak, quote, sig, pcrs, log)
    assert e.value.name == "ATTEST_E_TPM_PCR_DIGEST"
    ak, quote, sig, pcrs, log = p01(shared, "sha1")
    sig[-1] ^= 1
    with pytest.raises(la.AttestError) as e:
        la.tpm_log_verify(ak, quote, sig, pcrs, log)
    assert e.value.name == "ATTEST_E_TPM_SIGNATURE"
    with pytest.raises(la.AttestError) as e:
        la.tpm_log_verify(*p01(shared, "sha256"), nonce="9009")
    assert e.value.name == "ATTEST_E_TPM_NONCE" and e.value.check == "tpm.quote.nonce"


def test_measure_tdx_t02(shared):
    d = os.path.join(shared, "refvalues", "tdx", "T02_cmc_ovmf_mrtd")
    image, quote = read(d, "OVMF.fd"), read(d, "quote.bin")
    assert la.measure_tdx(image) == quote[184:232], "single pass = the signed quote's MRTD"
    assert la.measure_tdx(image, la.TdxOrder.TWO_PASS).hex() == (
        "74f1308474541bd175f93a70c8c2ed51022d3f14dfa5460b8fc092a07e047998"
        "dfdbb5b7aca626787c0cda45ea35146f")
    with pytest.raises(ValueError):
        la.measure_tdx(image, 2)
    with pytest.raises(la.AttestError) as e:
        la.measure_tdx(image[:4096 * 3 + 1])
    assert e.value.name == "ATTEST_E_MEASURE_IMAGE_SIZE"


def test_measure_snp_s01_published_hash(shared):
    """dstack's published OVMF hash, sections and parameters give the
    MEASUREMENT of the signed Milan report."""
    d = os.path.join(shared, "refvalues", "snp", "S01_dstack_milan")
    m = json.loads(read(d, "sev_snp_measurement.json"))
    with la.SnpLaunch() as launch:
        launch.set_ovmf_hash(m["ovmf_hash"])
        for s in m["ovmf_sections"]:
            launch.add_section(s["gpa"], s["size"], s["section_type"])
        (launch.set_reset_eip(m["sev_es_reset_eip"])
         .set_hashes_table_gpa(m["sev_hashes_table_gpa"])
         .set_kernel(bytes.fromhex(m["kernel_hash"]), bytes.fromhex(m["initrd_hash"]),
                     m["base_cmdline"])
         .set_vcpus(m["vcpus"]).set_vcpu_type(m["vcpu_type"])
         .set_guest_features(m["guest_features"]))
        assert launch.measure() == read(d, "report.bin")[0x90:0x90 + 48]
        with pytest.raises(ValueError):
            launch.set_kernel(EMPTY, EMPTY, "console=ttyS0\0evil")


def s02_launch(shared, vmm, vcpus, features):
    image = read(shared, "refvalues", "snp", "S02_sevsnpmeasure_suffix", "ovmf_AmdSev_suffix.bin")
    launch = la.SnpLaunch().set_ovmf(image).set_vcpus(vcpus).set_vmm(vmm)
    return launch.set_guest_features(features).set_kernel(EMPTY, EMPTY, "")


def test_measure_snp_s02_image_and_refusals(shared):
    with s02_launch(shared, la.Vmm.QEMU, 4, 0x21) as launch:
        assert launch.set_vcpu_type("EPYC-v4").measure().hex() == (
            "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78"
            "eafe7b422907be0b4698e2414a631942")
    with s02_launch(shared, la.Vmm.GCE, 4, 0x1) as launch:
        assert launch.measure().hex() == (
            "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452"
            "a15a00eae11886a93d6fd1e7ab81e29d")
    with s02_launch(shared, la.Vmm.QEMU, 2, 0x1) as a, s02_launch(shared, la.Vmm.QEMU, 2, 0x1) as b:
        assert a.set_vcpu_type("EPYC-Milan").measure() == b.set_vcpu_family(0x19, 1, 1).measure()
    with la.SnpLaunch() as launch:
        for call, status in ((lambda: launch.set_vcpus(0), "ATTEST_E_MEASURE_VCPUS"),
                             (lambda: launch.set_vcpu_type("EPYC-Nonesuch"),
                              "ATTEST_E_MEASURE_VCPU_TYPE"),
                             (lambda: launch.set_guest_features(0x20),
                              "ATTEST_E_MEASURE_GUEST_FEATURES"),
                             (launch.measure, "ATTEST_E_MEASURE_INPUT_MISSING")):
            with pytest.raises(la.AttestError) as e:
                call()
            assert e.value.name == status
        for bad in (lambda: launch.set_vcpus(2 ** 32 + 1), lambda: launch.set_vmm(7),
                    lambda: launch.set_reset_eip(-1)):
            with pytest.raises(ValueError):  # never wrapped to another, valid value
                bad()


def test_measure_snp_s03_svsm(shared):
    d = os.path.join(shared, "refvalues", "snp", "S03_sevsnpmeasure_svsm")
    with la.SnpLaunch() as launch:
        launch.set_ovmf(read(d, "svsm_ovmf.fd")).set_svsm(read(d, "svsm.bin"), 540672)
        launch.set_vcpus(2).set_vcpu_type("EPYC-v4").set_guest_features(0x1)
        assert launch.measure().hex() == (
            "9b94745036aafddf4f7f8b00c7513abb5b7703178cb95aaa57928bd963d68d3b"
            "fcb715d6019b9167ee2517b11b0d9be7")
        launch.set_kernel(EMPTY, EMPTY)
        with pytest.raises(la.AttestError) as e:
            launch.measure()
        assert e.value.name == "ATTEST_E_MEASURE_KERNEL_HASHES"
