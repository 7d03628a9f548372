"""Smoke test of the ctypes binding against the mock TEE (run by make test)."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import libattest  # noqa: E402

pki = os.path.join(os.environ["ATTEST_TEST_PKI"], "milan")
mock = os.environ["ATTEST_MOCK"]
with tempfile.TemporaryDirectory() as tmp:
    report_path = os.path.join(tmp, "r.bin")
    subprocess.run([mock, "snp", "report", "--pki", pki, "-o", report_path], check=True)
    report = open(report_path, "rb").read()
coll = [open(os.path.join(pki, f), "rb").read() for f in ("vcek.pem", "chain.pem", "crl.der")]
v = libattest.Verifier(at="2025-06-01T00:00:00Z")
v.add_amd_anchor(open(os.path.join(pki, "anchor.sha256")).read().strip())
ok = libattest.verify(v, report, coll)
assert ok["verdict"] == "accepted", ok["reason"]
assert ok["claims"]["report"]["version"] == 3
bad = libattest.verify(v, report[:0x90] + bytes([report[0x90] ^ 1]) + report[0x91:], coll)
assert bad["verdict"] == "rejected" and bad["status"] == "ATTEST_E_SNP_SIGNATURE", bad
try:
    libattest.Evidence(report[:100])
    raise AssertionError("truncated evidence accepted")
except libattest.AttestError as e:
    assert e.name == "ATTEST_E_TRUNCATED", e.name
try:
    libattest.Policy('{"snp":{"alow_debug":true}}')
    raise AssertionError("policy typo accepted")
except libattest.AttestError as e:
    assert e.name == "ATTEST_E_POLICY_INVALID"
needs = libattest.collateral_needs(report, coll[:1])
assert [n["kind"] for n in needs] == ["amd-crl"], needs  # ASK and ARK built in
assert needs[0]["url"] == "https://kdsintf.amd.com/vcek/v1/Milan/crl", needs
assert libattest.collateral_needs(report, coll) == []
print("python binding: 6 checks passed")
