"""Smoke test of the ctypes binding against the mock TEE (run by make test),
and of its Fetcher against tests/http_server.py on 127.0.0.1 (never the
internet): the RIM service and a live OCSP signer for the NVIDIA test PKI."""
import json
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


def start_server(routes, tmp):
    """tests/http_server.py with `routes`, as the C tests start it; it
    stops when its stdin closes."""
    path = os.path.join(tmp, "routes.json")
    with open(path, "w") as f:
        json.dump(routes, f)
    server = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                          "http_server.py")
    proc = subprocess.Popen([sys.executable, server, path], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    return proc, "http://127.0.0.1:%d" % int(line.split()[1])


def stop_server(proc):
    proc.stdin.close()
    proc.wait(timeout=10)


nv = os.path.join(os.environ["ATTEST_TEST_PKI"], "nvidia")
gpu = open(os.path.join(nv, "evidence.json"), "rb").read()
nonce = bytes.fromhex(open(os.path.join(nv, "nonce.hex")).read().strip())
needs = libattest.collateral_needs(gpu)
rim_ids = [n["url"].rsplit("/", 1)[1] for n in needs if n["kind"] == "nvidia-rim"]
assert len(rim_ids) == 2 and sum(n["kind"] == "nvidia-ocsp" for n in needs) == 3, needs
routes = {"/v1/rim/": {"rim_service": {i: os.path.join(nv, "vbios_rim.xml" if "VBIOS" in i
                                                        else "driver_rim.xml") for i in rim_ids}},
          "/ocsp": {"ocsp_pki": nv, "ocsp_mock": mock}}
nv_verifier = libattest.Verifier(at="2025-06-01T12:00:00Z")
for vendor, pin in ((libattest.VENDOR_NVIDIA_DEVICE, "device_anchor.sha256"),
                    (libattest.VENDOR_NVIDIA_RIM, "rim_anchor.sha256")):
    nv_verifier.add_anchor(vendor, open(os.path.join(nv, pin)).read().strip(), replace_builtin=True)
with tempfile.TemporaryDirectory() as tmp:
    proc, base = start_server(routes, tmp)
    try:
        # RIMs, then the OCSP of their chains (a second round), all live.
        with libattest.Fetcher(services={"nvidia-rim": base, "nvidia-ocsp": base + "/ocsp"},
                               at="2025-06-01T12:00:00Z") as f, libattest.Collateral() as coll:
            assert f.fetch(gpu, coll) == []
            ok = libattest.verify(nv_verifier, gpu, coll, nonce=nonce)
            assert ok["verdict"] == "accepted", ok["reason"]
            ocsp = [c["detail"] for c in ok["checks"] if c["name"] == "gpu0.chain.ocsp"]
            assert "3 live (nonce matched), 0 stored" in ocsp[0], ocsp
        # A service that knows none of the ids: each stays missing, with
        # its URL and the HTTP status; the verdict says what is missing.
        with libattest.Fetcher(services={"nvidia-rim": base + "/nowhere",
                                         "nvidia-ocsp": base + "/ocsp"}) as f:
            coll = libattest.Collateral()
            missing = f.fetch(gpu, coll)
            rims = [m["reason"] for m in missing if m["kind"] == "nvidia-rim"]
            assert len(rims) == 2 and all(base + "/nowhere/v1/rim/" in r and "HTTP 404" in r
                                          for r in rims), missing
            bad = libattest.verify(nv_verifier, gpu, coll, nonce=nonce)
            assert bad["status"] == "ATTEST_E_COLLATERAL_MISSING", bad["reason"]
    finally:
        stop_server(proc)
    # Offline with an empty cache: nothing is fetched, everything listed.
    with libattest.Fetcher(cache_dir=os.path.join(tmp, "cache"), offline=True) as f:
        missing = f.fetch(gpu, libattest.Collateral())
        assert [m["kind"] for m in missing] == [n["kind"] for n in needs], missing
        assert all("offline: not in the cache" in m["reason"] for m in missing), missing
f = libattest.Fetcher()
try:
    f.set_service("nvidia-rim", "ftp://127.0.0.1/")
    raise AssertionError("a non-http service URL accepted")
except libattest.AttestError as e:
    assert e.name == "ATTEST_E_INVALID_ARG", e.name
try:
    f.fetch(gpu, [])
    raise AssertionError("fetch into a list accepted")
except TypeError:
    pass
f.close()
f.close()  # idempotent
print("python binding: 12 checks passed")
