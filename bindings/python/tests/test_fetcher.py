"""The Fetcher against tests/http_server.py on 127.0.0.1 (never the
internet): the RIM service and a live OCSP signer for the NVIDIA test PKI."""
import json
import os
import subprocess
import sys

import pytest

import libattest as la
from conftest import read, read_text

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests",
                      "http_server.py")


@pytest.fixture()
def nvidia(pki):
    nv = os.path.join(pki, "nvidia")
    gpu = read(nv, "evidence.json")
    return nv, gpu, bytes.fromhex(read_text(nv, "nonce.hex"))


@pytest.fixture()
def server(nvidia, mock, tmp_path):
    """tests/http_server.py serving the RIMs and OCSP; stops when its stdin
    closes."""
    nv, gpu, _ = nvidia
    rim_ids = [n.url.rsplit("/", 1)[1] for n in la.collateral_needs(gpu)
               if n.kind == la.NeedKind.NVIDIA_RIM]
    routes = {"/v1/rim/": {"rim_service": {i: os.path.join(nv, "vbios_rim.xml" if "VBIOS" in i
                                                            else "driver_rim.xml")
                                           for i in rim_ids}},
              "/ocsp": {"ocsp_pki": nv, "ocsp_mock": mock}}
    path = tmp_path / "routes.json"
    path.write_text(json.dumps(routes))
    proc = subprocess.Popen([sys.executable, SERVER, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    yield "http://127.0.0.1:%d" % int(line.split()[1])
    proc.stdin.close()
    proc.wait(timeout=10)


def nv_verifier(nv):
    v = la.Verifier(at="2025-06-01T12:00:00Z")
    v.add_anchor(la.Vendor.NVIDIA_DEVICE, read_text(nv, "device_anchor.sha256"), True)
    v.add_anchor(la.Vendor.NVIDIA_RIM, read_text(nv, "rim_anchor.sha256"), True)
    return v


def test_needs_of_gpu(nvidia):
    _, gpu, _ = nvidia
    needs = la.collateral_needs(gpu)
    assert sum(n.kind == la.NeedKind.NVIDIA_RIM for n in needs) == 2, needs
    assert sum(n.kind == la.NeedKind.NVIDIA_OCSP for n in needs) == 3, needs
    assert all(n.subject for n in needs if n.kind == la.NeedKind.NVIDIA_OCSP)


def test_fetch_then_verify_live_ocsp(nvidia, server):
    nv, gpu, nonce = nvidia
    added = []
    # RIMs, then the OCSP of their chains (a second round), all live.
    with la.Fetcher(services={"nvidia-rim": server, la.Service.NVIDIA_OCSP: server + "/ocsp"},
                    at="2025-06-01T12:00:00Z",
                    on_added=lambda kind, data: added.append((kind, len(data)))) as f, \
            la.Collateral() as coll, nv_verifier(nv) as v:
        assert f.fetch(gpu, coll) == []
        assert sorted({k.label for k, _ in added}) == ["nvidia-ocsp", "nvidia-rim"], added
        ok = v.verify(gpu, coll, nonce=nonce)
        assert ok.accepted, ok.reason
        ocsp = [c.detail for c in ok.checks if c.name == "gpu0.chain.ocsp"]
        assert "3 live (nonce matched), 0 stored" in ocsp[0], ocsp


def test_callback_exception_reraised(nvidia, server):
    _, gpu, _ = nvidia

    def boom(kind, data):
        raise RuntimeError("callback failed")

    with la.Fetcher(services={"nvidia-rim": server, "nvidia-ocsp": server + "/ocsp"},
                    on_added=boom) as f:
        with pytest.raises(RuntimeError, match="callback failed"):
            f.fetch(gpu, la.Collateral())


def test_unknown_ids_stay_missing(nvidia, server):
    nv, gpu, nonce = nvidia
    # A service that knows none of the ids: each stays missing, with its
    # URL and the HTTP status; the verdict says what is missing.
    with la.Fetcher(services={"nvidia-rim": server + "/nowhere",
                              "nvidia-ocsp": server + "/ocsp"}) as f, nv_verifier(nv) as v:
        coll = la.Collateral()
        missing = f.fetch(gpu, coll)
        rims = [m.reason for m in missing if m.kind == la.NeedKind.NVIDIA_RIM]
        assert len(rims) == 2 and all(server + "/nowhere/v1/rim/" in r and "HTTP 404" in r
                                      for r in rims), missing
        bad = v.verify(gpu, coll, nonce=nonce)
        assert bad.status == "ATTEST_E_COLLATERAL_MISSING", bad.reason


def test_offline_empty_cache(nvidia, tmp_path):
    _, gpu, _ = nvidia
    needs = la.collateral_needs(gpu)
    with la.Fetcher(cache_dir=str(tmp_path / "cache"), offline=True) as f:
        missing = f.fetch(gpu, la.Collateral())
    assert [m.kind for m in missing] == [n.kind for n in needs], missing
    assert all("offline: not in the cache" in m.reason for m in missing), missing


def test_setters_refuse_bad_values(nvidia):
    _, gpu, _ = nvidia
    f = la.Fetcher()
    with pytest.raises(la.AttestError) as e:
        f.set_service("nvidia-rim", "ftp://127.0.0.1/")
    assert e.value.name == "ATTEST_E_INVALID_ARG"
    with pytest.raises(la.AttestError) as e:
        f.set_tcb_evaluation(la.TcbUpdate.EARLY, 17)  # both: the PCS refuses them together
    assert e.value.name == "ATTEST_E_INVALID_ARG"
    f.set_tcb_evaluation(la.TcbUpdate.EARLY)
    f.set_on_added(lambda kind, data: None)
    f.set_on_added(None)  # NULL: cleared
    with pytest.raises(KeyError):
        f.set_service("nvidia-rims", None)
    with pytest.raises(TypeError):
        f.fetch(gpu, [])
    f.close()
    f.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        f.set_offline()


def test_request_urls_where_the_library_has_them(snp_report, snp_collateral):
    """attest_fetcher_request_url came with a later library: with it, the
    URLs at the default services are the needs' own; without it, a clear
    NotImplementedError rather than a missing attribute."""
    with la.Fetcher(services={"amd-kds": "http://127.0.0.1:9/kds"}) as f:
        try:
            plan = f.request_urls(snp_report, snp_collateral[:1])
        except NotImplementedError as e:
            assert "attest_fetcher_request_url" in str(e)
            pytest.skip("library without attest_fetcher_request_url: %s" % e)
        assert [n.kind for n, _ in plan] == [la.NeedKind.AMD_CRL], plan
        assert plan[0][1] == "http://127.0.0.1:9/kds/vcek/v1/Milan/crl", plan
