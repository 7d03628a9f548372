"""The binding on mock SEV-SNP evidence: verification, results, errors,
conversions, inspect, classify, bundles, tokens, CBOR, needs."""
import datetime
import json
import subprocess

import pytest

import libattest as la
from conftest import AT_SNP, flip, read_text


def test_accepted_and_result_shape(snp_verifier, snp_report, snp_collateral):
    with snp_verifier.verify(snp_report, snp_collateral) as r:
        assert r.accepted and r.verdict == la.Verdict.ACCEPTED, r.reason
        assert (r.status, r.status_code, r.reason, r.ear_status) == ("ATTEST_OK", 0, "",
                                                                    "affirming")
        assert r.claims["report"]["version"] == 3
        names = [c.name for c in r.checks]
        assert "snp.report.signature" in names
        assert all(isinstance(c, la.Check) for c in r.checks)
        assert r.failed_check() is None
        assert json.loads(r.to_json())["verdict"] == "accepted"
        assert r.raise_if_rejected() is r
    with pytest.raises(ValueError, match="closed"):
        r.to_json()


def test_tampered_report_rejected_with_check(snp_verifier, snp_report, snp_collateral):
    r = snp_verifier.verify(flip(snp_report, 0x90), snp_collateral)
    assert r.verdict == la.Verdict.REJECTED and r.status == "ATTEST_E_SNP_SIGNATURE"
    assert r.failed_check().name == "snp.report.signature"
    assert r.to_dict()["status"] == "ATTEST_E_SNP_SIGNATURE"
    with pytest.raises(la.AttestError) as e:
        r.raise_if_rejected()
    assert (e.value.name, e.value.status, e.value.check) == (
        "ATTEST_E_SNP_SIGNATURE", -50, "snp.report.signature")
    r.close()
    r.close()  # idempotent


def test_errors_carry_status_name_and_field(snp_report):
    with pytest.raises(la.AttestError) as e:
        la.Evidence(snp_report[:100])
    assert e.value.name == "ATTEST_E_TRUNCATED" and e.value.status == -11
    assert e.value.detail and e.value.name in str(e.value)
    with pytest.raises(la.AttestError) as e:
        la.Policy('{"snp":{"alow_debug":true}}')
    assert e.value.name == "ATTEST_E_POLICY_INVALID" and "alow_debug" in e.value.detail


def test_policy_as_dict_json_bytes_or_object(snp_verifier, snp_report, snp_collateral, pki,
                                             mock, tmp_path):
    debug = tmp_path / "debug.bin"
    subprocess.run([mock, "snp", "report", "--pki", pki + "/milan", "--policy", "0xb0000", "-o", str(debug)],
                   check=True)
    dbg = debug.read_bytes()
    assert snp_verifier.verify(dbg, snp_collateral).status == "ATTEST_E_POLICY_DEBUG"
    relaxed = {"snp": {"allow_debug": True}}
    for policy in (relaxed, json.dumps(relaxed), json.dumps(relaxed).encode(), la.Policy(relaxed)):
        assert snp_verifier.verify(dbg, snp_collateral, policy=policy).accepted, policy
    with pytest.raises(TypeError):
        snp_verifier.verify(dbg, snp_collateral, policy=42)
    with la.Policy.default() as strict:
        assert not snp_verifier.verify(dbg, snp_collateral, policy=strict).accepted


def test_instant_as_str_datetime_int(pki, snp_report, snp_collateral):
    anchor = read_text(pki, "milan", "anchor.sha256")
    utc = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)
    plus2 = datetime.datetime(2025, 6, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    for at in (AT_SNP, utc, plus2, la.parse_time(AT_SNP), "2025-06-01T02:00:00+02:00"):
        with la.Verifier(at=at) as v:
            v.add_amd_anchor(anchor)
            assert v.verify(snp_report, snp_collateral).accepted, at
    with la.Verifier(at="2031-06-01T00:00:00Z") as v:
        v.add_amd_anchor(anchor)
        assert v.verify(snp_report, snp_collateral).status == "ATTEST_E_CERT_EXPIRED"
        v.set_time(None)  # back to the clock
    with pytest.raises(ValueError, match="naive"):
        la.Verifier(at=datetime.datetime(2025, 6, 1))
    with pytest.raises(la.AttestError) as e:
        la.Verifier(at="2025-02-29T00:00:00Z")
    assert e.value.name == "ATTEST_E_INVALID_ARG"
    assert la.parse_time("1970-01-01T00:00:01Z") == 1


def test_nonce_as_bytes_or_hex(snp_verifier, pki, mock, snp_collateral, tmp_path):
    nonce = bytes(range(1, 33))
    out = tmp_path / "n.bin"
    subprocess.run([mock, "snp", "report", "--pki", pki + "/milan", "--report-data",
                    nonce.hex(), "-o", str(out)], check=True)
    report = out.read_bytes()
    for n in (nonce, nonce.hex(), nonce.hex().upper(), bytearray(nonce)):
        assert snp_verifier.verify(report, snp_collateral, nonce=n).accepted, n
    assert snp_verifier.verify(report, snp_collateral, nonce=b"x" * 32).status == \
        "ATTEST_E_POLICY_REPORT_DATA"
    for bad in ("0x01", "00 11", "abc", "zz"):  # bytes.fromhex would take "00 11"
        with pytest.raises(ValueError, match="hex"):
            snp_verifier.verify(report, snp_collateral, nonce=bad)
    with pytest.raises(la.AttestError) as e:
        snp_verifier.verify(report, snp_collateral, nonce=b"x" * (la.nonce_max() + 1))
    assert e.value.name == "ATTEST_E_INVALID_ARG"  # no result: the status, not NOMEM


def test_anchors_for_every_vendor(pki, snp_report, snp_collateral):
    with la.Verifier(at=AT_SNP) as v:
        assert v.verify(snp_report, snp_collateral).status == "ATTEST_E_CERT_UNTRUSTED_ROOT"
        for vendor in la.Vendor:
            v.add_anchor(vendor, bytes(32))
            v.clear_anchors(vendor)
        v.add_anchor(la.Vendor.AMD, bytes.fromhex(read_text(pki, "milan", "anchor.sha256")))
        assert v.verify(snp_report, snp_collateral).accepted
        assert v.cache_size >= 1
        v.clear_cache()
        assert v.cache_size == 0
        for bad in (bytes(31), "00" * 31, "g" * 64, " ".join(["00"] * 32)):
            with pytest.raises(ValueError):
                v.add_anchor(la.Vendor.AMD, bad)
        with pytest.raises(ValueError):
            v.add_anchor(9, bytes(32))


def test_objects_reused_and_closed(snp_verifier, snp_report, snp_collateral):
    with la.Evidence(snp_report) as ev, la.Collateral(snp_collateral) as coll:
        assert ev.format == la.Format.SNP_REPORT
        assert coll.cert_count >= 3 and coll.crl_count == 1
        for _ in range(3):
            assert snp_verifier.verify(ev, coll).accepted
    with pytest.raises(ValueError, match="Evidence is closed"):
        snp_verifier.verify(ev, coll)
    with pytest.raises(TypeError):
        la.Evidence("not bytes")
    with pytest.raises(TypeError, match="list of items"):
        snp_verifier.verify(snp_report, snp_collateral[0])


def test_inspect_and_classify(snp_report, snp_collateral, pki):
    fields = la.inspect(snp_report)
    assert fields["version"] == 3 and fields["product"] == "Milan"
    assert la.classify(snp_report) == la.ItemKind.EVIDENCE_SNP
    assert la.classify(snp_report).label == "snp-report"
    assert la.classify(snp_collateral[0]) == la.ItemKind.CERTIFICATES
    assert la.classify(snp_collateral[2]) == la.ItemKind.CRL
    assert la.classify(b"") == la.ItemKind.UNKNOWN


def test_needs(snp_report, snp_collateral):
    needs = la.collateral_needs(snp_report, snp_collateral[:1])
    assert [n.kind for n in needs] == [la.NeedKind.AMD_CRL], needs  # ASK and ARK built in
    assert needs[0].url == "https://kdsintf.amd.com/vcek/v1/Milan/crl"
    assert needs[0].method == "GET" and needs[0].to_dict()["kind"] == "amd-crl"
    assert la.collateral_needs(snp_report, snp_collateral) == []


def test_bundle_round_trip(snp_verifier, snp_report, snp_collateral):
    nonce = bytes(64)
    bundle = la.create_bundle([snp_report] + snp_collateral, nonce=nonce.hex())
    assert la.classify(bundle.encode()) == la.ItemKind.BUNDLE
    with la.Evidence(bundle.encode()) as ev:
        assert ev.format == la.Format.BUNDLE
        # the collateral travels inside; the recorded nonce is verified
        assert snp_verifier.verify(ev, nonce=nonce).accepted
    other = la.create_bundle([snp_report] + snp_collateral, nonce="01" * 64)
    r = snp_verifier.verify(other.encode(), nonce="01" * 64)
    assert r.status == "ATTEST_E_POLICY_REPORT_DATA", r.reason
    with pytest.raises(la.AttestError) as e:
        la.create_bundle([snp_report, snp_report])
    assert e.value.name == "ATTEST_E_INVALID_ARG"


@pytest.fixture(scope="module")
def ec_key(tmp_path_factory):
    d = tmp_path_factory.mktemp("key")
    key, pub = d / "k.pem", d / "pub.pem"
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                    str(key)], check=True)
    subprocess.run(["openssl", "ec", "-in", str(key), "-pubout", "-out", str(pub)], check=True,
                   stderr=subprocess.DEVNULL)
    return key.read_bytes(), pub.read_text()


def test_token_sign_verify_and_cbor(snp_verifier, snp_report, snp_collateral, ec_key):
    key, pub = ec_key
    with snp_verifier.verify(snp_report, snp_collateral) as r:
        token = r.sign_token(key, 3600)
        cbor = r.to_cbor()
    assert token.count(".") == 2 and cbor[:1] and len(cbor) > 16
    claims = la.verify_token(token, pub, at="2025-06-01T00:30:00Z")
    assert claims["ear.status"] == "affirming"
    with pytest.raises(la.AttestError) as e:
        la.verify_token(token, pub, at="2025-06-01T02:00:00Z")
    assert e.value.name == "ATTEST_E_TOKEN_EXPIRED"
    with pytest.raises(la.AttestError) as e:
        la.verify_token(token, pub, at=AT_SNP, nonce=b"n")
    assert e.value.name == "ATTEST_E_TOKEN_NONCE"
    with pytest.raises(la.AttestError) as e:
        la.verify_token(token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"), pub, at=AT_SNP)
    assert e.value.name in ("ATTEST_E_TOKEN_SIGNATURE", "ATTEST_E_TOKEN_MALFORMED")
    with pytest.raises(la.AttestError) as e:
        with snp_verifier.verify(snp_report, snp_collateral) as r:
            r.sign_token(key, 0)
    assert e.value.name == "ATTEST_E_INVALID_ARG"


def test_token_key_read_once(snp_verifier, snp_report, snp_collateral, ec_key):
    key, pub = ec_key
    with la.TokenKey(key) as k, snp_verifier.verify(snp_report, snp_collateral) as r:
        compact = r.sign_token_with(k, 3600)
        verbose = r.sign_token_with(k, 3600, verbose=True)
    assert la.verify_token(compact, pub, at="2025-06-01T00:30:00Z")["ear.status"] == "affirming"
    assert len(verbose) > len(compact)
    with pytest.raises(TypeError):
        with snp_verifier.verify(snp_report, snp_collateral) as r:
            r.sign_token_with(key, 3600)
    with pytest.raises(la.AttestError):
        la.TokenKey(b"not a key")


def test_version_limits_status_names():
    assert la.version().count(".") == 2
    assert la.version_number() == int("".join("%02x" % int(p) for p in la.version().split(".")),
                                      16)
    assert (la.nonce_max(), la.nvidia_device_max(), la.ocsp_response_max(),
            la.ocsp_nonce_max()) == (64, 12, 256, 32)
    assert la.status_name(-50) == "ATTEST_E_SNP_SIGNATURE"
    assert la.status_name(12345) == "ATTEST_E_UNKNOWN"
    assert la.strerror(-2)
    assert la.library_path()


def test_library_not_found_says_so(tmp_path):
    import os
    import sys
    env = dict(os.environ, LIBATTEST_PATH=str(tmp_path / "nope.so"))
    code = "import libattest"
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert p.returncode != 0
    assert "LibraryNotFound" in p.stderr and "LIBATTEST_PATH" in p.stderr and "nope.so" in p.stderr


def test_given_values_enforced_or_refused(snp_verifier, snp_report, snp_collateral, ec_key):
    """What C would silently shorten or wrap is refused instead."""
    with pytest.raises(ValueError, match="empty"):  # not taken for "no nonce"
        snp_verifier.verify(snp_report, snp_collateral, nonce=b"")
    with pytest.raises(ValueError, match="empty"):
        snp_verifier.verify(snp_report, snp_collateral, nonce="")
    with pytest.raises(ValueError, match="NUL"):  # C would parse "...Z" alone
        la.Verifier(at="2031-06-01T00:00:00Z\0")
    with pytest.raises(ValueError, match="int64"):  # ctypes would wrap it to 0
        la.Verifier(at=2 ** 64)
    with pytest.raises(TypeError):
        la.Verifier(at=True)
    key, pub = ec_key
    with snp_verifier.verify(snp_report, snp_collateral) as r:
        with pytest.raises(ValueError, match="int64"):
            r.sign_token(key, 2 ** 64 + 60)
        token = r.sign_token(key, 3600)
    with pytest.raises(ValueError, match="NUL"):  # C would verify the part before it
        la.verify_token(token + "\0x", pub, at="2025-06-01T00:30:00Z")
    with pytest.raises(ValueError, match="NUL"):
        la.Fetcher(services={"nvidia-rim": "http://127.0.0.1/\0x"})
    with pytest.raises(ValueError, match="NUL"):
        la.Fetcher(cache_dir="/tmp/x\0y")
    with pytest.raises(ValueError, match="empty"):
        la.Collateral().add_ocsp(b"\x30\x03\x0a\x01\x00", request_nonce=b"")
