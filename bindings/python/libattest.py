"""ctypes binding of libattest (include/attest.h).

    from libattest import Verifier, verify
    v = Verifier(at="2025-07-18T00:00:00Z")
    result = verify(v, open("report.bin", "rb").read(),
                    [open("vcek.der", "rb").read(), open("chain.pem", "rb").read()],
                    policy='{"snp": {"require_crl": false}}')
    result["verdict"], result["reason"], result["checks"]

    # Online collateral: fetch what the evidence lacks, then verify.
    with Fetcher(services={"nvidia-rim": "https://rim.example"}, cache_dir="/var/cache/attest") as f, \
            Collateral([chain_pem]) as coll:
        missing = f.fetch(report, coll)        # [] when nothing is missing
        result = verify(v, report, coll)

Every C object is owned by one Python object and freed with it, or
earlier by close() or at the end of a `with` block (every object is a
context manager); the library's thread-safety rules hold (a Verifier may be
shared by threads; a configured Fetcher too, for distinct collaterals).
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
_fetcher_new = _fn("attest_fetcher_new", ctypes.c_int, ctypes.POINTER(_p))
_fetcher_free = _fn("attest_fetcher_free", None, _p)
_fetcher_set_service = _fn("attest_fetcher_set_service", ctypes.c_int, _p, ctypes.c_int, ctypes.c_char_p)
_fetcher_set_ca_file = _fn("attest_fetcher_set_ca_file", ctypes.c_int, _p, ctypes.c_char_p)
_fetcher_set_cache_dir = _fn("attest_fetcher_set_cache_dir", ctypes.c_int, _p, ctypes.c_char_p)
_fetcher_set_offline = _fn("attest_fetcher_set_offline", ctypes.c_int, _p, ctypes.c_int)
_fetcher_set_time = _fn("attest_fetcher_set_time", ctypes.c_int, _p, ctypes.c_int64)
_fetch_collateral = _fn("attest_fetch_collateral", ctypes.c_int, _p, _p, _p, ctypes.POINTER(_p))

VENDOR_AMD = 1
VENDOR_INTEL = 2
VENDOR_NVIDIA_DEVICE = 3
VENDOR_NVIDIA_RIM = 4

# attest_service, by the names of `attest verify --online`'s options.
SERVICES = {"amd-kds": 0, "intel-pcs": 1, "intel-pccs": 2, "intel-root-ca-crl": 3,
            "nvidia-rim": 4, "nvidia-ocsp": 5}


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


def _unix_time(at):
    """Unix seconds of `at`: an int, or RFC 3339 text."""
    if isinstance(at, int):
        return at
    t = ctypes.c_int64()
    _check(_time_parse(ctypes.byref(t), at.encode()))
    return t.value


def _take_json(to_json, free, handle):
    """`handle` (a result, a needs list) decoded from its JSON; frees it."""
    try:
        out = _p()
        _check(to_json(ctypes.byref(out), handle))
        return json.loads(_take_string(out))
    finally:
        free(handle)


def _needs_list(needs):
    return _take_json(_needs_to_json, _needs_free, needs)


class _Handle:
    _free = None

    def __init__(self):
        self._h = _p()

    def close(self):
        """Free the C object now (idempotent); the object is unusable after."""
        if self._h:
            type(self)._free(self._h)
            self._h = _p()

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Verifier(_Handle):
    _free = staticmethod(_verifier_free)

    def __init__(self, at=None):
        super().__init__()
        _check(_verifier_new(ctypes.byref(self._h)))
        if at is not None:
            _check(_verifier_set_time(self._h, _unix_time(at)))

    def add_anchor(self, vendor, spki_sha256_hex, replace_builtin=False):
        """Trust the root whose SPKI SHA-256 is given, for VENDOR_*."""
        if replace_builtin:
            _check(_verifier_clear_anchors(self._h, vendor))
        buf, _ = _bytes(bytes.fromhex(spki_sha256_hex))
        _check(_verifier_add_anchor(self._h, vendor, buf))

    def add_amd_anchor(self, spki_sha256_hex, replace_builtin=False):
        self.add_anchor(VENDOR_AMD, spki_sha256_hex, replace_builtin)


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
            self.add(item)

    def add(self, data):
        """Add one item (certificate, CRL, PCS JSON, RIM, OCSP response)."""
        buf, n = _bytes(data)
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
    return _take_json(_result_to_json, _result_free, res)


def collateral_needs(evidence, collateral=()):
    """What verifying `evidence` still needs that `collateral` does not hold:
    a list of {kind, method, url, reason[, subject]} (attest_collateral_needs).
    Nothing is fetched."""
    ev = evidence if isinstance(evidence, Evidence) else Evidence(evidence)
    coll = collateral if isinstance(collateral, Collateral) else Collateral(collateral)
    needs = _p()
    _check(_collateral_needs(ctypes.byref(needs), ev._h, coll._h))
    return _needs_list(needs)


class Fetcher(_Handle):
    """An attest_fetcher: fetches what evidence lacks from the vendors'
    services (or the URLs given) into a Collateral.

        Fetcher(services={"nvidia-rim": url, ...}, ca_file=None,
                cache_dir=None, offline=False, at=None)

    services maps a SERVICES name to a base URL (None: the default); `at`
    (RFC 3339 or Unix seconds) is the instant the cache compares expiry
    with (default the clock). A failed request is not an exception: it is
    in the list fetch() returns."""
    _free = staticmethod(_fetcher_free)

    def __init__(self, services=None, ca_file=None, cache_dir=None, offline=False, at=None):
        super().__init__()
        _check(_fetcher_new(ctypes.byref(self._h)))
        for name, url in (services or {}).items():
            self.set_service(name, url)
        if ca_file is not None:
            self.set_ca_file(ca_file)
        if cache_dir is not None:
            self.set_cache_dir(cache_dir)
        self.set_offline(offline)
        if at is not None:
            self.set_time(at)

    def set_service(self, service, url):
        """Point a service (SERVICES name or attest_service value) at `url`."""
        code = SERVICES[service] if isinstance(service, str) else service
        _check(_fetcher_set_service(self._h, code, url.encode() if url else None))

    def set_ca_file(self, path):
        _check(_fetcher_set_ca_file(self._h, os.fsencode(path) if path else None))

    def set_cache_dir(self, path):
        _check(_fetcher_set_cache_dir(self._h, os.fsencode(path) if path else None))

    def set_offline(self, offline=True):
        _check(_fetcher_set_offline(self._h, 1 if offline else 0))

    def set_time(self, at):
        _check(_fetcher_set_time(self._h, _unix_time(at) if at else 0))

    def fetch(self, evidence, collateral):
        """Fetch what verifying `evidence` needs that `collateral` (a
        Collateral, filled in place) lacks; returns what is still missing,
        as collateral_needs does, each reason naming the URL and why."""
        if not isinstance(collateral, Collateral):
            raise TypeError("fetch fills a Collateral object")
        ev = evidence if isinstance(evidence, Evidence) else Evidence(evidence)
        missing = _p()
        _check(_fetch_collateral(self._h, ev._h, collateral._h, ctypes.byref(missing)))
        return _needs_list(missing)
