"""ctypes binding of libattest (include/attest.h).

    from libattest import Verifier, verify
    v = Verifier(at="2025-07-18T00:00:00Z")
    result = verify(v, open("report.bin", "rb").read(),
                    [open("vcek.der", "rb").read(), open("chain.pem", "rb").read()],
                    policy='{"snp": {"require_crl": false}}')
    result["verdict"], result["reason"], result["checks"]

Every C object is owned by one Python object and freed with it; the
library's thread-safety rules hold (a Verifier may be shared by threads).
Set LIBATTEST_PATH to the shared library, or have libattest.so.0 on the
loader path.
"""
import ctypes
import json
import os

_lib = ctypes.CDLL(os.environ.get("LIBATTEST_PATH", "libattest.so.0"))
_p = ctypes.c_void_p
_u8p = ctypes.POINTER(ctypes.c_uint8)


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype, f.argtypes = restype, list(argtypes)
    return f


_strerror = _fn("attest_strerror", ctypes.c_char_p, ctypes.c_int)
_status_name = _fn("attest_status_name", ctypes.c_char_p, ctypes.c_int)
_error_last = _fn("attest_error_last", ctypes.c_char_p)
_string_free = _fn("attest_string_free", None, _p)
_time_parse = _fn("attest_time_parse", ctypes.c_int, ctypes.POINTER(ctypes.c_int64), ctypes.c_char_p)
_verifier_new = _fn("attest_verifier_new", ctypes.c_int, ctypes.POINTER(_p))
_verifier_set_time = _fn("attest_verifier_set_time", ctypes.c_int, _p, ctypes.c_int64)
_verifier_add_anchor = _fn("attest_verifier_add_anchor", ctypes.c_int, _p, ctypes.c_int, _u8p)
_verifier_clear_anchors = _fn("attest_verifier_clear_anchors", ctypes.c_int, _p, ctypes.c_int)
_verifier_free = _fn("attest_verifier_free", None, _p)
_evidence_parse = _fn("attest_evidence_parse", ctypes.c_int, ctypes.POINTER(_p), _u8p, ctypes.c_size_t)
_evidence_to_json = _fn("attest_evidence_to_json", ctypes.c_int, ctypes.POINTER(_p), _p)
_evidence_free = _fn("attest_evidence_free", None, _p)
_collateral_new = _fn("attest_collateral_new", ctypes.c_int, ctypes.POINTER(_p))
_collateral_add = _fn("attest_collateral_add", ctypes.c_int, _p, _u8p, ctypes.c_size_t)
_collateral_free = _fn("attest_collateral_free", None, _p)
_policy_from_json = _fn("attest_policy_from_json", ctypes.c_int, ctypes.POINTER(_p), ctypes.c_char_p, ctypes.c_size_t)
_policy_free = _fn("attest_policy_free", None, _p)
_verify = _fn("attest_verify", ctypes.c_int, ctypes.POINTER(_p), _p, _p, _p, _p, _u8p, ctypes.c_size_t)
_result_to_json = _fn("attest_result_to_json", ctypes.c_int, ctypes.POINTER(_p), _p)
_result_free = _fn("attest_result_free", None, _p)
_collateral_needs = _fn("attest_collateral_needs", ctypes.c_int, ctypes.POINTER(_p), _p, _p)
_needs_to_json = _fn("attest_needs_to_json", ctypes.c_int, ctypes.POINTER(_p), _p)
_needs_free = _fn("attest_needs_free", None, _p)

VENDOR_AMD = 1


class AttestError(Exception):
    """A libattest failure: .status is the code, .name its enum name."""

    def __init__(self, status):
        self.status = status
        self.name = _status_name(status).decode()
        super().__init__("%s: %s" % (self.name, _error_last().decode()))


def _check(status):
    if status != 0:
        raise AttestError(status)


def _bytes(data):
    return (ctypes.c_uint8 * len(data)).from_buffer_copy(data), len(data)


def _take_string(ptr):
    try:
        return ctypes.string_at(ptr.value).decode()
    finally:
        _string_free(ptr)


class _Handle:
    _free = None

    def __init__(self):
        self._h = _p()

    def __del__(self):
        if self._h:
            type(self)._free(self._h)
            self._h = _p()


class Verifier(_Handle):
    _free = staticmethod(_verifier_free)

    def __init__(self, at=None):
        super().__init__()
        _check(_verifier_new(ctypes.byref(self._h)))
        if at is not None:
            t = ctypes.c_int64()
            _check(_time_parse(ctypes.byref(t), at.encode()))
            _check(_verifier_set_time(self._h, t.value))

    def add_amd_anchor(self, spki_sha256_hex, replace_builtin=False):
        if replace_builtin:
            _check(_verifier_clear_anchors(self._h, VENDOR_AMD))
        buf, _ = _bytes(bytes.fromhex(spki_sha256_hex))
        _check(_verifier_add_anchor(self._h, VENDOR_AMD, buf))


class Evidence(_Handle):
    _free = staticmethod(_evidence_free)

    def __init__(self, data):
        super().__init__()
        buf, n = _bytes(data)
        _check(_evidence_parse(ctypes.byref(self._h), buf, n))

    def to_dict(self):
        out = _p()
        _check(_evidence_to_json(ctypes.byref(out), self._h))
        return json.loads(_take_string(out))


class Collateral(_Handle):
    _free = staticmethod(_collateral_free)

    def __init__(self, items=()):
        super().__init__()
        _check(_collateral_new(ctypes.byref(self._h)))
        for item in items:
            buf, n = _bytes(item)
            _check(_collateral_add(self._h, buf, n))


class Policy(_Handle):
    _free = staticmethod(_policy_free)

    def __init__(self, text):
        super().__init__()
        raw = text.encode()
        _check(_policy_from_json(ctypes.byref(self._h), raw, len(raw)))


def verify(verifier, evidence, collateral=(), policy=None, nonce=b""):
    """Verify and return the result object as a dict (see attest_result_to_json)."""
    ev = evidence if isinstance(evidence, Evidence) else Evidence(evidence)
    coll = collateral if isinstance(collateral, Collateral) else Collateral(collateral)
    pol = policy if policy is None or isinstance(policy, Policy) else Policy(policy)
    res = _p()
    nbuf, n = _bytes(nonce) if nonce else (None, 0)
    _verify(ctypes.byref(res), verifier._h, ev._h, coll._h, pol._h if pol else None, nbuf, n)
    if not res:
        raise AttestError(-2)
    try:
        out = _p()
        _check(_result_to_json(ctypes.byref(out), res))
        return json.loads(_take_string(out))
    finally:
        _result_free(res)


def collateral_needs(evidence, collateral=()):
    """What verifying `evidence` still needs that `collateral` does not hold:
    a list of {kind, method, url, reason[, subject]} (attest_collateral_needs).
    Nothing is fetched."""
    ev = evidence if isinstance(evidence, Evidence) else Evidence(evidence)
    coll = collateral if isinstance(collateral, Collateral) else Collateral(collateral)
    needs = _p()
    _check(_collateral_needs(ctypes.byref(needs), ev._h, coll._h))
    try:
        out = _p()
        _check(_needs_to_json(ctypes.byref(out), needs))
        return json.loads(_take_string(out))
    finally:
        _needs_free(needs)
