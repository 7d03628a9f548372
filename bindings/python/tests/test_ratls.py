"""RA-TLS (issue 16): rule names, verify_tls_peer and verify_tls_fetched on
synthetic evidence, and a real TLS handshake on 127.0.0.1 with attest-mock
RA-TLS certificates checked by check_peer: accepted, then refused (socket
closed) for a certificate whose key is not the bound one."""
import hashlib
import os
import socket
import ssl
import subprocess
import threading

import pytest

import libattest as la
from conftest import read, read_text

AT_INTEL = "2025-06-01T00:00:00Z"   # inside the test collateral's validity
INTEL_COLLATERAL = ("tcb_info_tdx.json", "qe_identity_td.json", "pck_crl.der", "root_crl.der",
                    "tcb_signing_chain.pem")


@pytest.fixture()
def intel_verifier(pki):
    """Trusts exactly the Intel test root, at AT_INTEL."""
    with la.Verifier(at=AT_INTEL) as v:
        v.add_anchor(la.Vendor.INTEL, read_text(pki, "intel", "anchor.sha256"),
                     replace_builtin=True)
        yield v


@pytest.fixture()
def intel_collateral(pki):
    with la.Collateral([read(pki, "intel", f) for f in INTEL_COLLATERAL]) as c:
        yield c


def ratls_cert(mock, pki, tmp_path, *flags):
    """attest-mock ratls cert: (cert path, key path) of a P-256 certificate
    whose key a TDX quote of the test PKI binds (tag 60000), broken by
    `flags` (--bind-other-key, ...)."""
    name = "cert%s" % "".join(flags).replace("-", "_")
    cert, key = tmp_path / (name + ".pem"), tmp_path / (name + ".key")
    subprocess.run([mock, "ratls", "cert", "--pki", os.path.join(pki, "intel"), "-o", str(cert),
                    "--key-out", str(key)] + list(flags), check=True)
    return str(cert), str(key)


def test_rule_names():
    for rule in la.RatlsRule:
        assert la.RatlsRule.parse(rule.label) is rule
    assert la.RatlsRule.CLAIMS_SHA256.label == "claims-sha256"
    with pytest.raises(la.AttestError) as e:
        la.RatlsRule.parse("claims-sha512")
    assert e.value.name == "ATTEST_E_INVALID_ARG"
    with pytest.raises(ValueError):
        la.RatlsRule.parse("claims-sha256\0x")


def test_verify_tls_peer(intel_verifier, intel_collateral, mock, pki, tmp_path):
    cert, _ = ratls_cert(mock, pki, tmp_path)
    with open(cert, "rb") as f:
        pem = f.read()
    with intel_verifier.verify_tls_peer(pem, "claims-sha256", intel_collateral) as r:
        assert r.accepted, r.reason
        assert r.claims["ratls"]["rule"] == "claims-sha256"
        assert r.claims["ratls"]["fresh"] is False and r.to_dict()["fresh"] is False
    der = ssl.PEM_cert_to_DER_cert(pem.decode())
    r = intel_verifier.verify_tls_peer(der, la.RatlsRule.CLAIMS_SHA256, intel_collateral,
                                       nonce=b"\x01\x02")
    assert r.status == "ATTEST_E_RATLS_NONCE", "a nonce the certificate does not carry"
    with_nonce, _ = ratls_cert(mock, pki, tmp_path, "--nonce", "00112233")
    with open(with_nonce, "rb") as f:
        pem_nonce = f.read()
    with intel_verifier.verify_tls_peer(pem_nonce, "claims-sha256", intel_collateral,
                                        nonce="00112233") as r:
        assert r.accepted and r.to_dict()["fresh"] is True, r.reason
    r = intel_verifier.verify_tls_peer(pem_nonce, "claims-sha256", intel_collateral, nonce=b"\1")
    assert r.status == "ATTEST_E_RATLS_NONCE"
    other, _ = ratls_cert(mock, pki, tmp_path, "--bind-other-key")
    with open(other, "rb") as f:
        r = intel_verifier.verify_tls_peer(f.read(), "claims-sha256", intel_collateral)
    assert not r.accepted and r.status == "ATTEST_E_RATLS_KEY_HASH"
    with pytest.raises(ValueError):
        intel_verifier.verify_tls_peer(pem, 99)
    with pytest.raises(TypeError):
        intel_verifier.verify_tls_peer(pem, 2.0)


class OneShotServer:
    """An ssl server thread on 127.0.0.1 presenting cert/key to one
    connection, sending b"ok" once the handshake completes."""

    def __init__(self, cert, key):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10)
        self.address = self.listener.getsockname()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.listener.accept()
            conn.settimeout(10)
            with self.ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"ok")
                tls.recv(1)  # until the client closes
        except (OSError, ssl.SSLError):
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.thread.join(15)
        self.listener.close()


def test_handshake_accepted_then_other_key_refused(intel_verifier, intel_collateral, mock, pki,
                                                   tmp_path):
    with OneShotServer(*ratls_cert(mock, pki, tmp_path)) as server:
        tls, result = la.ratls_connect(server.address, intel_verifier, "claims-sha256",
                                       intel_collateral, timeout=10)
        with tls, result:
            assert result.accepted and result.claims["ratls"]["rule"] == "claims-sha256"
            assert tls.recv(2) == b"ok"
    with OneShotServer(*ratls_cert(mock, pki, tmp_path, "--bind-other-key")) as server:
        raw = socket.create_connection(server.address, 10)
        tls = la.ratls_client_context().wrap_socket(raw)
        with pytest.raises(la.AttestError) as e:
            la.check_peer(tls, intel_verifier, la.RatlsRule.CLAIMS_SHA256, intel_collateral)
        assert e.value.name == "ATTEST_E_RATLS_KEY_HASH", e.value
        assert tls.fileno() == -1, "the refused connection was left open"


def test_check_peer_closes_on_bad_arguments(intel_verifier, mock, pki, tmp_path):
    with OneShotServer(*ratls_cert(mock, pki, tmp_path)) as server:
        raw = socket.create_connection(server.address, 10)
        tls = la.ratls_client_context().wrap_socket(raw)
        with pytest.raises(la.AttestError) as e:
            la.check_peer(tls, intel_verifier, "tinfoil")  # a fetched rule for a certificate
        assert e.value.name == "ATTEST_E_INVALID_ARG" and tls.fileno() == -1


def spki_der(tmp_path):
    """A fresh P-256 key's DER SubjectPublicKeyInfo (openssl CLI)."""
    key = tmp_path / "k.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-out", str(key)], check=True,
                   capture_output=True)
    return subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-outform", "DER"],
                          check=True, capture_output=True).stdout


def test_verify_tls_fetched_tinfoil(snp_verifier, snp_collateral, mock, pki, tmp_path):
    """A mock SNP report whose REPORT_DATA binds a connection key, an HPKE
    key and a nonce as Tinfoil's does: accepted and fresh; another nonce
    or another connection key: ATTEST_E_RATLS_BINDING."""
    spki, hpke, nonce = spki_der(tmp_path), os.urandom(32), os.urandom(32)
    rd = hashlib.sha256(hashlib.sha256(spki).digest() + hpke + nonce).hexdigest()
    out = tmp_path / "report.bin"
    subprocess.run([mock, "snp", "report", "--pki", os.path.join(pki, "milan"),
                    "--report-data", rd, "-o", str(out)], check=True)
    report = out.read_bytes()
    with snp_verifier.verify_tls_fetched(spki, la.RatlsRule.TINFOIL, report, hpke, nonce,
                                         snp_collateral) as r:
        assert r.accepted, r.reason
        assert r.to_dict()["fresh"] is True
    other_nonce = bytes([nonce[0] ^ 1]) + nonce[1:]
    r = snp_verifier.verify_tls_fetched(spki, "tinfoil", report, hpke, other_nonce,
                                        snp_collateral)
    assert r.status == "ATTEST_E_RATLS_BINDING"
    r = snp_verifier.verify_tls_fetched(spki_der(tmp_path), "tinfoil", report, hpke,
                                        nonce.hex(), snp_collateral)
    assert r.status == "ATTEST_E_RATLS_BINDING"


SGX_STATUSES = ["UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
                "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded"]
SGX_COLLATERAL = ("tdx/collateral/tcbinfo_sgx_v3_00606A000000_2025-08-15.json",
                  "tdx/collateral/qe_identity_sgx_2025-08-15.json",
                  "tdx/crl/pck_crl_platform_2025-08-15.der", "tdx/crl/root_ca_crl_2025-03-20.der",
                  "tdx/certs/tcb_signing_2025-05-06_chain.pem")


@pytest.mark.parametrize("name,rule,allow_debug,want", [
    ("gramine-cert.pem", "claims-sha256", True, "ATTEST_OK"),
    ("gramine-cert.pem", "claims-sha256", False, "ATTEST_E_POLICY_DEBUG"),
    ("gramine-cert.pem", "spki-sha256", True, "ATTEST_OK"),
    ("rats-tls-cert.pem", "claims-sha256", True, "ATTEST_OK"),
    ("rats-tls-cert.pem", "spki-sha256", True, "ATTEST_E_RATLS_NO_EVIDENCE"),
])
def test_real_ccc_certificates(shared, name, rule, allow_debug, want):
    """The CCC interoperability certificates of ../shared (SGX debug
    enclaves), with the built-in Intel root."""
    policy = {"sgx": {"allow_debug": allow_debug, "accepted_tcb_statuses": SGX_STATUSES}}
    with la.Verifier(at="2025-08-15T06:41:00Z") as v:
        r = v.verify_tls_peer(read(shared, "ratls", "ccc_interop", name), rule,
                              [read(shared, f) for f in SGX_COLLATERAL], policy)
        with r:
            assert r.status == want, r.reason
            assert r.accepted == (want == "ATTEST_OK")
