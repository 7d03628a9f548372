"""Other verifiers' results (docs/results.md) on the real tokens of
../shared/vectors/results (MANIFEST.md; skipped when absent), at instants
inside each token's window and with the request nonces the MANIFEST gives,
as tests/api/test_results.c uses them; the freshness accessors of Result;
tls_peer_evidence on an attest-mock RA-TLS certificate."""
import datetime
import os

import pytest

import libattest as la
from conftest import read
from test_ratls import ratls_cert

NRAS_AT = "2026-06-29T02:30:00Z"
N01 = "nras/N01_tinfoil_1gpu_2026-06-29/nras_response.json"
N01_NONCE = "1b63be880a57c6cb2ea2191157e35bdc0de416d3b9e4b5b17423b12f8553d633"
N03 = "nras/N03_chutes_8gpu_nonce_mismatch_2026-06-29/nras_response.json"
N03_NONCE = "c7fe347ecca03db12e156e048bbe809024928ef0707a319796956fe7415148e4"
N04 = "nras/N04_nanogpt_1gpu_2026-06-10/nras_response.json"
N04_NONCE = "9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a"
JWKS_0629 = "nras/jwks_2026-06-29.json"
ITA_TOKEN, ITA_JWKS = "ita/token_tdx_2023-12-05_ps384.jwt", "ita/jwks_portal_79d807.json"
ITA_AT, ITA_ISS = "2023-12-05T00:10:00Z", "Intel Trust Authority"
ITA_NONCE = ("784b23d3151f72143c26527a619ff372fa87ad112d018ca3c85a062ca1b42a9ee89f050f750488c331b4"
             "50ad34cd2d654b9cca19cd1133b529d21c38d55957ce")
ITA_POLICY = {"tdx": {"accepted_tcb_statuses": ["UpToDate", "OutOfDate"]}}
MAA_JWKS, MAA_AT = "maa/jwks_sharedwus_2022-11-17.json", "2022-11-17T21:00:00Z"
MAA_SHARED = "https://sharedwus.wus.attest.azure.net"
MAA_POLICY = {"sgx": {"allow_debug": True}}


@pytest.fixture(scope="module")
def results(shared):
    return os.path.join(shared, "results")


def verify(results, kind, token, jwks, at, **kw):
    """The token file verified with the key set file at `at`."""
    with la.Verifier(at=at) as v, la.Keyset(read(results, jwks)) as ks:
        return v.verify_result_token(kind, read(results, token), ks, **kw)


def test_nras_n01_accepted_fresh(results):
    with verify(results, la.ResultKind.NRAS, N01, JWKS_0629, NRAS_AT, nonce=N01_NONCE) as r:
        assert r.accepted, r.reason
        assert r.verified_at == datetime.datetime(2026, 6, 29, 2, 30, tzinfo=datetime.timezone.utc)
        assert r.fresh and r.nonce == bytes.fromhex(N01_NONCE)
        assert r.to_dict()["submods"]["gpu0"]["appraised_by"]["service"] == "NRAS"
    assert r.fresh and r.nonce == bytes.fromhex(N01_NONCE)   # read at once: kept after close


def test_nras_n03_verdict_rejected(results):
    with verify(results, la.ResultKind.NRAS, N03, JWKS_0629, NRAS_AT, nonce=N03_NONCE) as r:
        assert not r.accepted and r.status == "ATTEST_E_RESULT_VERDICT"
        assert not r.fresh and r.nonce is None


def test_nras_n04_rotated_kid(results):
    with verify(results, la.ResultKind.NRAS, N04, JWKS_0629, "2026-06-10T02:00:00Z",
                nonce=N04_NONCE) as r:
        assert not r.accepted and r.status == "ATTEST_E_TOKEN_KID"


def test_maa_alg_none_and_pinned_issuer(results):
    with verify(results, la.ResultKind.MAA, "maa/token_sgx_shared_rs256.jwt", MAA_JWKS, MAA_AT,
                issuer=MAA_SHARED, policy=MAA_POLICY) as r:
        assert r.accepted, r.reason
        assert not r.fresh and r.nonce is None
    with verify(results, la.ResultKind.MAA, "maa/token_sgx_shared_draftpolicy_alg_none.jwt",
                MAA_JWKS, MAA_AT, issuer=MAA_SHARED, policy=MAA_POLICY) as r:
        assert r.status == "ATTEST_E_TOKEN_ALG"
    # the isolated instance's token verifies with the shared key: only iss tells
    with verify(results, la.ResultKind.MAA, "maa/token_sgx_isolated_rs256.jwt", MAA_JWKS, MAA_AT,
                issuer=MAA_SHARED, policy=MAA_POLICY) as r:
        assert r.status == "ATTEST_E_TOKEN_ISSUER"
    with pytest.raises(la.AttestError) as e:   # MAA has no default issuer: no result at all
        verify(results, la.ResultKind.MAA, "maa/token_sgx_shared_rs256.jwt", MAA_JWKS, MAA_AT)
    assert e.value.name == "ATTEST_E_INVALID_ARG"


def test_ita_accepted_with_its_issuer(results):
    with verify(results, la.ResultKind.ITA, ITA_TOKEN, ITA_JWKS, ITA_AT, issuer=ITA_ISS,
                policy=ITA_POLICY, nonce=ITA_NONCE) as r:
        assert r.accepted, r.reason
        assert r.fresh and r.nonce == bytes.fromhex(ITA_NONCE)
    with verify(results, la.ResultKind.ITA, ITA_TOKEN, ITA_JWKS, ITA_AT, issuer=ITA_ISS,
                policy=ITA_POLICY, nonce=ITA_NONCE, allow_rs256=True) as r:
        assert r.accepted, r.reason
    # the default (production) issuer is not the 2023 token's
    with verify(results, la.ResultKind.ITA, ITA_TOKEN, ITA_JWKS, ITA_AT, policy=ITA_POLICY,
                nonce=ITA_NONCE) as r:
        assert r.status == "ATTEST_E_TOKEN_ISSUER"
    with verify(results, la.ResultKind.ITA, ITA_TOKEN, ITA_JWKS, ITA_AT, issuer=ITA_ISS,
                policy=ITA_POLICY, nonce=ITA_NONCE[2:]) as r:
        assert r.status == "ATTEST_E_TOKEN_NONCE" and not r.fresh


def test_keyset_and_arguments_refused(results):
    with pytest.raises(la.AttestError) as e:
        la.Keyset(b'{"keys":[]}')
    assert e.value.name == "ATTEST_E_KEYSET_MALFORMED"
    with la.Verifier(at=NRAS_AT) as v, la.Keyset(read(results, JWKS_0629)) as ks:
        for bad in ({"nonce": ""}, {"nonce": b""}, {"issuer": ""}, {"issuer": "a\0b"}):
            with pytest.raises(ValueError):
                v.verify_result_token(la.ResultKind.NRAS, b"[]", ks, **bad)
        with pytest.raises(la.AttestError) as e:   # RS256 is ITA's option only
            v.verify_result_token(la.ResultKind.NRAS, b"[]", ks, allow_rs256=True)
        assert e.value.name == "ATTEST_E_INVALID_ARG"
        with pytest.raises(ValueError):
            v.verify_result_token(9, b"[]", ks)
        with pytest.raises(TypeError):
            v.verify_result_token(True, b"[]", ks)
        ks.close()
        ks.close()
        with pytest.raises(ValueError):
            v.verify_result_token(la.ResultKind.NRAS, b"[]", ks)
        # key set bytes are a temporary Keyset, freed after the call
        tok = read(results, N01)
        with v.verify_result_token(la.ResultKind.NRAS, tok, read(results, JWKS_0629),
                                   nonce=N01_NONCE) as r:
            assert r.accepted, r.reason


def test_freshness_of_an_ordinary_result(snp_verifier, snp_report, snp_collateral):
    with snp_verifier.verify(snp_report, snp_collateral) as r:
        assert r.accepted and not r.fresh and r.nonce is None
        assert r.verified_at == datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)


def test_tls_peer_evidence(mock, pki, tmp_path):
    cert, _ = ratls_cert(mock, pki, tmp_path)
    with la.tls_peer_evidence(read(cert), "claims-sha256") as ev:
        assert ev.format == la.Format.DCAP_QUOTE
    with pytest.raises(la.AttestError) as e:
        la.tls_peer_evidence(read(cert), la.RatlsRule.TINFOIL)
    assert e.value.name == "ATTEST_E_INVALID_ARG"
    with pytest.raises(la.AttestError):
        la.tls_peer_evidence(b"not a certificate", "claims-sha256")
