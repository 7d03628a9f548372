"""Shared fixtures: the mock TEE's test PKI (ATTEST_TEST_PKI, written by
`make build/testpki/.done`), attest-mock (ATTEST_MOCK) and the real vectors
(ATTEST_SHARED/vectors; their tests skip when absent). The package under
test is this source tree's, unless LIBATTEST_TEST_INSTALLED is set (then
the installed one)."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if not os.environ.get("LIBATTEST_TEST_INSTALLED"):
    sys.path.insert(0, os.path.dirname(HERE))

import libattest  # noqa: E402

AT_SNP = "2025-06-01T00:00:00Z"   # inside every validity window of the test PKI


def _env_dir(name):
    value = os.environ.get(name)
    if not value:
        pytest.skip("%s is not set (run `make check-python`)" % name)
    return value


@pytest.fixture(scope="session")
def pki():
    return _env_dir("ATTEST_TEST_PKI")


@pytest.fixture(scope="session")
def mock():
    return _env_dir("ATTEST_MOCK")


@pytest.fixture(scope="session")
def shared():
    root = os.environ.get("ATTEST_SHARED", "")
    vectors = os.path.join(root, "vectors")
    if not root or not os.path.isdir(vectors):
        pytest.skip("real vectors absent (ATTEST_SHARED/vectors): real-vector test skipped")
    return vectors


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def read_text(*parts):
    return read(*parts).decode().strip()


@pytest.fixture(scope="session")
def snp_report(pki, mock, tmp_path_factory):
    """A v3 Milan report signed by the test VCEK (attest-mock snp report)."""
    out = tmp_path_factory.mktemp("snp") / "report.bin"
    subprocess.run([mock, "snp", "report", "--pki", os.path.join(pki, "milan"), "-o", str(out)],
                   check=True)
    return out.read_bytes()


@pytest.fixture(scope="session")
def snp_collateral(pki):
    milan = os.path.join(pki, "milan")
    return [read(milan, f) for f in ("vcek.pem", "chain.pem", "crl.der")]


@pytest.fixture()
def snp_verifier(pki):
    """Trusts exactly the test ARK, at AT_SNP."""
    with libattest.Verifier(at=AT_SNP) as v:
        v.add_amd_anchor(read_text(pki, "milan", "anchor.sha256"), replace_builtin=True)
        yield v


def flip(data, offset):
    """`data` with one bit of the byte at `offset` flipped."""
    return data[:offset] + bytes([data[offset] ^ 1]) + data[offset + 1:]
