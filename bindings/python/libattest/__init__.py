"""libattest for Python: a ctypes binding of include/attest.h.

    import libattest as la
    with la.Verifier(at="2025-07-18T00:00:00Z") as v:
        result = v.verify(report_bytes, [vcek_der, crl_der],
                          policy={"snp": {"require_crl": True}}, nonce="00ff...")
        if not result.accepted:
            print(result.reason, result.failed_check())
        result.claims, result.checks, result.to_json()

Every C object is owned by one Python object and freed with it, or earlier
by close() or at the end of a `with` block. A Verifier is shared between
threads; verification runs with the GIL released. Failures raise
AttestError (status, name, check, detail). The library is found through
LIBATTEST_PATH when set, else as the installed libattest.so.0
(bindings/README.md).
"""
from __future__ import annotations

import ctypes
import json
from typing import Any, Dict, Mapping, Optional, Sequence, Union

from . import _native as N
from ._native import SONAME, AttestError, C, LibraryNotFound, check, text
from ._objects import (BytesLike, Collateral, Evidence, EvidenceLike, Fetcher, Instant, Keyset,
                       NonceLike, Policy, Result, TokenKey, TokenPubKey, Verifier, _bytes,
                       c_string, collateral_needs, nonce_bytes, parse_time, tls_peer_evidence,
                       unix_time)
from ._measure import SnpLaunch, eventlog_to_json, inspect_eventlog, measure_tdx, tpm_log_verify
from ._ratls import check_peer
from ._ratls import client_context as ratls_client_context
from ._ratls import connect as ratls_connect
from ._types import (SERVICES, Check, CheckOutcome, Format, ItemKind, Need, NeedKind, PartKind,
                     RatlsRule, ResultKind, Service, SevSection, TcbUpdate, TdxOrder, Vendor,
                     Verdict, Vmm)

__all__ = [
    "AttestError", "LibraryNotFound", "TokenKey", "Verifier", "Evidence", "Collateral", "Policy", "Result",
    "Fetcher", "Check", "Need", "Format", "ItemKind", "NeedKind", "PartKind", "Service",
    "TcbUpdate", "Vendor", "Verdict", "CheckOutcome", "SERVICES", "verify", "inspect",
    "classify", "collateral_needs", "create_bundle", "verify_token", "parse_time",
    "version", "version_number", "nonce_max", "nvidia_device_max", "ocsp_response_max",
    "ocsp_nonce_max", "status_name", "strerror", "library_path",
    "RatlsRule", "check_peer", "ratls_client_context", "ratls_connect",
    "TokenPubKey", "verify_token_key", "SnpLaunch", "measure_tdx", "TdxOrder", "Vmm",
    "SevSection", "eventlog_to_json", "inspect_eventlog", "tpm_log_verify",
    "Keyset", "ResultKind", "tls_peer_evidence",
]

# Kept for the 0.1 binding's callers.
VENDOR_AMD, VENDOR_INTEL = Vendor.AMD, Vendor.INTEL
VENDOR_NVIDIA_DEVICE, VENDOR_NVIDIA_RIM = Vendor.NVIDIA_DEVICE, Vendor.NVIDIA_RIM
VENDOR_AZURE_VTPM = Vendor.AZURE_VTPM


def verify(verifier: Verifier, evidence: EvidenceLike, collateral: Any = None,
           policy: Any = None, nonce: NonceLike = None) -> Result:
    """verifier.verify(...): see Verifier.verify."""
    return verifier.verify(evidence, collateral, policy, nonce)


def inspect(evidence: EvidenceLike) -> Dict[str, Any]:
    """Every parsed field of evidence, as `attest inspect` prints it."""
    if isinstance(evidence, Evidence):
        return evidence.to_dict()
    with Evidence(evidence) as ev:
        return ev.to_dict()


def classify(data: BytesLike) -> ItemKind:
    """What bytes are, by content, as the parser and collateral decide."""
    raw = _bytes(data, "item")
    out = ctypes.c_int()
    check(C.attest_classify(ctypes.byref(out), raw, len(raw)))
    return ItemKind(out.value)


def create_bundle(items: Sequence[BytesLike], nonce: NonceLike = None,
                  parts: Optional[Mapping[PartKind, BytesLike]] = None) -> str:
    """One bundle (docs/bundle.md) of evidence and collateral items, each
    sorted by classify(); returns its JSON text (Evidence(text.encode())
    parses it). `parts`: the other parts of an Azure HCL report among the
    items, e.g. {PartKind.TPM_QUOTE: msg, PartKind.TPM_SIGNATURE: sig}
    (attest_bundle_create_with_parts)."""
    raw = [_bytes(i, "bundle item %d" % k) for k, i in enumerate(items)]
    n = nonce_bytes(nonce)
    count = len(raw)
    data = (ctypes.c_char_p * count)(*raw)
    lens = (ctypes.c_size_t * count)(*[len(r) for r in raw])
    if not parts:
        return N.call_string(C.attest_bundle_create, data, lens, count, n or None, len(n))
    given = [(PartKind(k), _bytes(v, PartKind(k).name.lower())) for k, v in parts.items()]
    m = len(given)
    kinds = (ctypes.c_int * m)(*[int(k) for k, _ in given])
    pdata = (ctypes.c_char_p * m)(*[d for _, d in given])
    plens = (ctypes.c_size_t * m)(*[len(d) for _, d in given])
    return N.call_string(C.attest_bundle_create_with_parts, data, lens, count, n or None,
                         len(n), kinds, pdata, plens, m)


def verify_token(token: str, pubkey_pem: Union[str, bytes], at: Instant = None,
                 nonce: NonceLike = None) -> Dict[str, Any]:
    """The claims of a token made by Result.sign_token, once its signature
    (alg fixed by the key), EAR claims, validity at `at` (None: the clock)
    and, when given, eat_nonce are verified; raises AttestError
    (ATTEST_E_TOKEN_*) otherwise. ear.status is not judged: check
    claims["ear.status"] yourself."""
    key = pubkey_pem.encode() if isinstance(pubkey_pem, str) else _bytes(pubkey_pem, "pubkey")
    n = nonce_bytes(nonce)
    claims = N.call_string(C.attest_token_verify, c_string(token, "token"), key, len(key),
                           unix_time(at), n or None, len(n))
    decoded: Dict[str, Any] = json.loads(claims)
    return decoded


def verify_token_key(token: str, key: TokenPubKey, at: Instant = None,
                     nonce: NonceLike = None) -> Dict[str, Any]:
    """verify_token with a key read once (attest_token_verify_key): the same
    checks in the same order, the same errors."""
    if not isinstance(key, TokenPubKey):
        raise TypeError("key: a TokenPubKey, not %s" % type(key).__name__)
    n = nonce_bytes(nonce)
    claims = N.call_string(C.attest_token_verify_key, c_string(token, "token"), key._handle,
                           unix_time(at), n or None, len(n))
    decoded: Dict[str, Any] = json.loads(claims)
    return decoded


def version() -> str:
    """The loaded library's version, "MAJOR.MINOR.PATCH"."""
    return text(C.attest_version())


def version_number() -> int:
    """The same as 0xMMmmpp."""
    return int(C.attest_version_number())


def nonce_max() -> int:
    return int(C.attest_nonce_max())


def nvidia_device_max() -> int:
    return int(C.attest_nvidia_device_max())


def ocsp_response_max() -> int:
    return int(C.attest_ocsp_response_max())


def ocsp_nonce_max() -> int:
    return int(C.attest_ocsp_nonce_max())


def status_name(status: int) -> str:
    """"ATTEST_E_SNP_SIGNATURE" for -50; "ATTEST_E_UNKNOWN" if not a status."""
    return text(C.attest_status_name(status))


def strerror(status: int) -> str:
    return text(C.attest_strerror(status))


def library_path() -> Optional[str]:
    """The file the library was loaded from (as the loader names it)."""
    return N.lib._name
