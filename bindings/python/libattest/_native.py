"""The shared library, its prototypes (one per ATTEST_API of
include/attest.h) and the conversions every wrapper shares.

Loaded through ctypes.CDLL, which releases the GIL for the length of each
call: a verification in one Python thread runs while others run Python
or verify too (the library's own thread-safety rules then apply).
"""
from __future__ import annotations

import ctypes
import json
import os
from typing import Any, Callable, Dict, Optional, Tuple

SONAME = "libattest.so.0"
# Where `make install` puts the library (PREFIX=/usr/local by default);
# tried after the loader's own search, which misses /usr/local/lib until
# ldconfig has run.
_INSTALL_DIRS = ("/usr/local/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu")


class LibraryNotFound(ImportError):
    """libattest could not be loaded; the message lists what was tried."""


def _load() -> ctypes.CDLL:
    """LIBATTEST_PATH when set (an explicit choice: no fallback if it fails),
    else the installed soname through the loader, then the install dirs."""
    explicit = os.environ.get("LIBATTEST_PATH")
    if explicit:
        try:
            return ctypes.CDLL(explicit)
        except OSError as e:
            raise LibraryNotFound("LIBATTEST_PATH=%s cannot be loaded: %s" % (explicit, e)) from e
    tried = []
    for cand in [SONAME] + [os.path.join(d, SONAME) for d in _INSTALL_DIRS]:
        try:
            return ctypes.CDLL(cand)
        except OSError as e:
            tried.append("%s (%s)" % (cand, e))
    raise LibraryNotFound(
        "libattest not found: install it (`make install`, then `ldconfig`) or set "
        "LIBATTEST_PATH to libattest.so.0; tried: " + "; ".join(tried))


lib = _load()

P = ctypes.c_void_p          # an opaque handle, or an owned char* / uint8_t* out value
PP = ctypes.POINTER(ctypes.c_void_p)
BUF = ctypes.c_char_p        # const uint8_t * / const char *: bytes passed without a copy
SZ = ctypes.c_size_t
I64 = ctypes.c_int64
INT = ctypes.c_int
U32 = ctypes.c_uint32
STR = ctypes.c_char_p        # a static or borrowed NUL-terminated string
TIME_NOW = -(2 ** 63)        # ATTEST_TIME_NOW

FETCH_ADDED_FN = ctypes.CFUNCTYPE(None, P, INT, ctypes.POINTER(ctypes.c_uint8), SZ)

_PROTOTYPES: Dict[str, Tuple[Any, ...]] = {
    # status, errors, version, limits, memory
    "attest_strerror": (STR, INT), "attest_status_name": (STR, INT),
    "attest_error_last_status": (INT,), "attest_error_last": (STR,),
    "attest_version": (STR,), "attest_version_number": (ctypes.c_ulong,),
    "attest_nonce_max": (SZ,), "attest_nvidia_device_max": (SZ,),
    "attest_ocsp_response_max": (SZ,), "attest_ocsp_nonce_max": (SZ,),
    "attest_string_free": (None, P), "attest_bytes_free": (None, P),
    # evidence
    "attest_evidence_parse": (INT, PP, BUF, SZ),
    "attest_evidence_from_parts": (INT, PP, ctypes.POINTER(INT), ctypes.POINTER(BUF),
                                   ctypes.POINTER(SZ), SZ),
    "attest_evidence_format": (INT, P), "attest_evidence_to_json": (INT, PP, P),
    "attest_evidence_free": (None, P),
    # collateral, classification, needs
    "attest_collateral_new": (INT, PP), "attest_collateral_add": (INT, P, BUF, SZ),
    "attest_collateral_add_ocsp": (INT, P, BUF, SZ, BUF, SZ),
    "attest_collateral_cert_count": (SZ, P), "attest_collateral_crl_count": (SZ, P),
    "attest_collateral_free": (None, P),
    "attest_classify": (INT, ctypes.POINTER(INT), BUF, SZ), "attest_item_kind_name": (STR, INT),
    "attest_collateral_needs": (INT, PP, P, P), "attest_needs_count": (SZ, P),
    "attest_needs_kind": (INT, P, SZ), "attest_needs_method": (STR, P, SZ),
    "attest_needs_url": (STR, P, SZ), "attest_needs_subject": (STR, P, SZ),
    "attest_needs_reason": (STR, P, SZ), "attest_need_kind_name": (STR, INT),
    "attest_needs_to_json": (INT, PP, P), "attest_needs_free": (None, P),
    # fetcher
    "attest_fetcher_new": (INT, PP), "attest_fetcher_free": (None, P),
    "attest_fetcher_set_service": (INT, P, INT, STR), "attest_fetcher_set_ca_file": (INT, P, STR),
    "attest_fetcher_set_cache_dir": (INT, P, STR), "attest_fetcher_set_offline": (INT, P, INT),
    "attest_fetcher_set_time": (INT, P, I64),
    "attest_fetcher_set_tcb_evaluation": (INT, P, INT, ctypes.c_uint),
    "attest_fetcher_set_on_added": (INT, P, FETCH_ADDED_FN, P),
    "attest_fetch_collateral": (INT, P, P, P, PP),
    # policy, verifier
    "attest_policy_from_json": (INT, PP, BUF, SZ), "attest_policy_default": (INT, PP),
    "attest_policy_free": (None, P),
    "attest_verifier_new": (INT, PP), "attest_verifier_set_time": (INT, P, I64),
    "attest_time_parse": (INT, ctypes.POINTER(I64), STR),
    "attest_verifier_clear_anchors": (INT, P, INT), "attest_verifier_add_anchor": (INT, P, INT, BUF),
    "attest_verifier_cache_size": (SZ, P), "attest_verifier_clear_cache": (None, P),
    "attest_verifier_set_cache_limit": (INT, P, SZ),
    "attest_verifier_free": (None, P),
    # verification and result
    "attest_verify": (INT, PP, P, P, P, P, BUF, SZ),
    "attest_result_verdict": (INT, P), "attest_result_status": (INT, P),
    "attest_result_reason": (STR, P), "attest_result_check_count": (SZ, P),
    "attest_result_check_name": (STR, P, SZ), "attest_result_check_outcome": (INT, P, SZ),
    "attest_result_check_status": (INT, P, SZ), "attest_result_check_detail": (STR, P, SZ),
    "attest_result_to_json": (INT, PP, P), "attest_result_free": (None, P),
    "attest_result_ear_status": (STR, P),
    # bundles and tokens
    "attest_bundle_create": (INT, PP, ctypes.POINTER(BUF), ctypes.POINTER(SZ), SZ, BUF, SZ),
    "attest_token_sign": (INT, PP, P, BUF, SZ, I64),
    "attest_token_key_new": (INT, PP, BUF, SZ), "attest_token_key_free": (None, P),
    "attest_token_sign_key": (INT, PP, P, P, I64, ctypes.c_uint),
    "attest_bundle_create_with_parts": (INT, PP, ctypes.POINTER(BUF), ctypes.POINTER(SZ), SZ,
                                        BUF, SZ, ctypes.POINTER(INT), ctypes.POINTER(BUF),
                                        ctypes.POINTER(SZ), SZ),
    "attest_result_to_cbor": (INT, PP, ctypes.POINTER(SZ), P),
    "attest_token_verify": (INT, PP, STR, BUF, SZ, I64, BUF, SZ),
    # RA-TLS (docs/ratls.md); attest_tls_check_* and attest_ssl_ctx_set_verify
    # take an OpenSSL SSL_CTX, which Python's ssl module does not expose
    "attest_ratls_rule_parse": (INT, ctypes.POINTER(INT), STR),
    "attest_ratls_rule_name": (STR, INT),
    "attest_verify_tls_peer": (INT, PP, P, BUF, SZ, INT, P, P, BUF, SZ),
    "attest_verify_tls_fetched": (INT, PP, P, BUF, SZ, INT, P, BUF, SZ, P, P, BUF, SZ),
    # token verification key read once
    "attest_token_pubkey_new": (INT, PP, BUF, SZ), "attest_token_pubkey_free": (None, P),
    "attest_token_verify_key": (INT, PP, STR, P, I64, BUF, SZ),
    # event logs and TPM quotes (docs/eventlog.md)
    "attest_eventlog_to_json": (INT, PP, BUF, SZ),
    "attest_tpm_log_verify": (INT, BUF, SZ, BUF, SZ, BUF, SZ, BUF, SZ, BUF, SZ, BUF, SZ),
    # expected launch measurements (docs/measure.md); out digests are 48-byte buffers
    "attest_measure_tdx": (INT, BUF, BUF, SZ, INT),
    "attest_snp_launch_new": (INT, PP), "attest_snp_launch_free": (None, P),
    "attest_snp_launch_set_ovmf": (INT, P, BUF, SZ),
    "attest_snp_launch_set_ovmf_hash": (INT, P, BUF),
    "attest_snp_launch_add_section": (INT, P, U32, U32, U32),
    "attest_snp_launch_set_reset_eip": (INT, P, U32),
    "attest_snp_launch_set_hashes_table_gpa": (INT, P, U32),
    "attest_snp_launch_set_kernel": (INT, P, BUF, BUF, STR),
    "attest_snp_launch_set_vcpus": (INT, P, ctypes.c_uint),
    "attest_snp_launch_set_vcpu_type": (INT, P, STR),
    "attest_snp_launch_set_vcpu_family": (INT, P, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint),
    "attest_snp_launch_set_vmm": (INT, P, INT),
    "attest_snp_launch_set_guest_features": (INT, P, ctypes.c_uint64),
    "attest_snp_launch_set_svsm": (INT, P, BUF, SZ, ctypes.c_uint64),
    "attest_measure_snp": (INT, BUF, P),
}


# Functions of newer libraries (the soname stays libattest.so.0): bound
# when the loaded library has them; their wrappers say so when it has not.
_OPTIONAL: Dict[str, Tuple[Any, ...]] = {
    "attest_fetcher_request_url": (INT, P, P, P, SZ, ctypes.c_char_p, SZ),
    # other verifiers' results (docs/results.md), freshness accessors
    "attest_keyset_new": (INT, PP, BUF, SZ), "attest_keyset_free": (None, P),
    "attest_verify_result_token": (INT, PP, P, INT, BUF, SZ, P, STR, P, BUF, SZ),
    "attest_result_verified_at": (I64, P), "attest_result_fresh": (INT, P),
    "attest_result_nonce": (ctypes.c_void_p, P, ctypes.POINTER(SZ)),
    "attest_tls_peer_evidence": (INT, PP, BUF, SZ, INT),
}


class _Functions:
    """Every prototype above as an attribute: C.attest_verify(...)."""

    def __init__(self) -> None:
        optional = {k: v for k, v in _OPTIONAL.items() if hasattr(lib, k)}
        for name, (restype, *argtypes) in {**_PROTOTYPES, **optional}.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
            setattr(self, name, fn)

    def __getattr__(self, name: str) -> Any:  # for type checkers: every name is a function
        raise AttributeError(name)


C: Any = _Functions()


def require(name: str) -> Any:
    """An optional function, or NotImplementedError naming the library."""
    fn = getattr(C, name, None)
    if fn is None:
        raise NotImplementedError("%s: not in the loaded library %s (version %s)"
                                  % (name, lib._name, text(C.attest_version())))
    return fn


def text(ptr: Optional[bytes]) -> str:
    """A static or borrowed C string as str ("" for NULL)."""
    return ptr.decode("utf-8", "replace") if ptr else ""


class AttestError(Exception):
    """A libattest call failed.

    status: the attest_status code (negative); name: its enum name
    ("ATTEST_E_SNP_SIGNATURE"); detail: the library's message naming the
    field or check ("snp.report.signature: ..."); check: the failing check
    or field, the detail's part before ": " ("" when it names none)."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        self.name = text(C.attest_status_name(status))
        self.detail = detail or text(C.attest_strerror(status))
        head, sep, _ = self.detail.partition(": ")
        self.check = head if sep and " " not in head else ""
        super().__init__("%s: %s" % (self.name, self.detail))


def check(status: int) -> None:
    """Raise the failure of the call that returned `status`, with the
    detail the library recorded for it in this thread (read at once)."""
    if status != 0:
        raise AttestError(status, text(C.attest_error_last()))


def take_string(ptr: ctypes.c_void_p) -> str:
    """An owned `char *` out value as str; frees it."""
    if not ptr:
        return ""
    try:
        return ctypes.string_at(ptr.value or 0).decode("utf-8")
    finally:
        C.attest_string_free(ptr)


def take_json(ptr: ctypes.c_void_p) -> Any:
    return json.loads(take_string(ptr))


def take_bytes(ptr: ctypes.c_void_p, length: int) -> bytes:
    """Owned `uint8_t *` out bytes; frees them."""
    if not ptr:
        return b""
    try:
        return ctypes.string_at(ptr.value or 0, length)
    finally:
        C.attest_bytes_free(ptr)


def call_string(fn: Callable[..., int], *args: Any) -> str:
    """Call fn(&out, *args) where out is an owned string; return it."""
    out = P()
    check(fn(ctypes.byref(out), *args))
    return take_string(out)
