"""The C objects as Python objects: each owns one handle, freed by close(),
at the end of a `with` block, or when garbage collected."""
from __future__ import annotations

import calendar
import ctypes
import datetime
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, TypeVar, Union

from . import _native as N
from ._native import C, AttestError, check, text
from ._types import (ATTEST_RESULT_ALLOW_RS256, SERVICES, Check, CheckOutcome, Format, Need,
                     NeedKind, PartKind, RatlsRule, ResultKind, Service, TcbUpdate, Vendor,
                     Verdict)

BytesLike = Union[bytes, bytearray, memoryview]
Instant = Union[None, int, str, datetime.datetime]
NonceLike = Union[None, BytesLike, str]
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*\Z")


def _bytes(data: BytesLike, what: str) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError("%s: bytes expected, not %s" % (what, type(data).__name__))


def _strict_hex(value: str, what: str) -> bytes:
    """Hex as the CLI takes it: an even number of [0-9a-fA-F], nothing else
    (bytes.fromhex would also take spaces)."""
    if not _HEX.match(value):
        raise ValueError("%s: an even number of hex digits [0-9a-fA-F] and nothing else" % what)
    return bytes.fromhex(value)


def nonce_bytes(nonce: NonceLike, what: str = "nonce") -> bytes:
    """A nonce: bytes, or hex text; None: none. An empty one is refused
    rather than taken for none: a caller who gives a nonce wants it
    verified (the length limit is the library's)."""
    if nonce is None:
        return b""
    raw = _strict_hex(nonce, what) if isinstance(nonce, str) else _bytes(nonce, what)
    if not raw:
        raise ValueError("%s: empty (pass None for no nonce)" % what)
    return raw


def c_string(value: str, what: str) -> bytes:
    """`value` for a NUL-terminated C string parameter; one holding a NUL
    is refused, since C would read only the part before it."""
    if not isinstance(value, str):
        raise TypeError("%s: str expected, not %s" % (what, type(value).__name__))
    if "\0" in value:
        raise ValueError("%s: holds a NUL character" % what)
    return value.encode()


INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def int64(value: int, what: str) -> int:
    """`value` for an int64_t parameter: ctypes would wrap a larger one."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s: int expected, not %s" % (what, type(value).__name__))
    if not INT64_MIN < value <= INT64_MAX:  # INT64_MIN is ATTEST_TIME_NOW: None says that
        raise ValueError("%s: %d is outside int64_t" % (what, value))
    return value


def parse_time(rfc3339: str) -> int:
    """Unix seconds of an RFC 3339 instant, as attest_time_parse reads it."""
    out = ctypes.c_int64()
    check(C.attest_time_parse(ctypes.byref(out), c_string(rfc3339, "RFC 3339 instant")))
    return out.value


def unix_time(at: Instant) -> int:
    """Unix seconds of `at`: None (the clock: ATTEST_TIME_NOW), int seconds,
    an aware datetime (a naive one is refused: its zone would be a guess),
    or RFC 3339 text."""
    if at is None:
        return N.TIME_NOW
    if isinstance(at, int):
        return int64(at, "instant")
    if isinstance(at, datetime.datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("instant: naive datetime; give it a tzinfo (e.g. timezone.utc)")
        return calendar.timegm(at.utctimetuple())
    if isinstance(at, str):
        return parse_time(at)
    raise TypeError("instant: None, int, datetime or RFC 3339 str, not %s" % type(at).__name__)


_H = TypeVar("_H", bound="_Handle")


class _Handle:
    """Owner of one C object; `with` and close() free it deterministically."""
    _free_name = ""

    def __init__(self) -> None:
        self._h = ctypes.c_void_p()

    @property
    def _handle(self) -> ctypes.c_void_p:
        if not self._h:
            raise ValueError("%s is closed" % type(self).__name__)
        return self._h

    def close(self) -> None:
        """Free the C object now (idempotent); the object is unusable after.
        Not while another thread uses it (as attest_*_free in C)."""
        h, self._h = self._h, ctypes.c_void_p()
        if h:
            getattr(C, self._free_name)(h)

    def __del__(self) -> None:
        if getattr(self, "_h", None):
            try:
                self.close()
            except Exception:  # interpreter shutdown: the module may be gone
                pass

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Evidence(_Handle):
    """Parsed evidence (attest_evidence_parse: format detected from content)."""
    _free_name = "attest_evidence_free"

    def __init__(self, data: BytesLike) -> None:
        super().__init__()
        raw = _bytes(data, "evidence")
        check(C.attest_evidence_parse(ctypes.byref(self._h), raw, len(raw)))

    @classmethod
    def from_parts(cls, hcl_report: BytesLike, tpm_quote: Optional[BytesLike] = None,
                   tpm_signature: Optional[BytesLike] = None,
                   tpm_pcrs: Optional[BytesLike] = None,
                   td_quote: Optional[BytesLike] = None) -> "Evidence":
        """Azure CVM evidence from its parts (attest_evidence_from_parts)."""
        given = [(PartKind.HCL_REPORT, hcl_report), (PartKind.TPM_QUOTE, tpm_quote),
                 (PartKind.TPM_SIGNATURE, tpm_signature), (PartKind.TPM_PCRS, tpm_pcrs),
                 (PartKind.TD_QUOTE, td_quote)]
        parts = [(k, _bytes(d, k.name.lower())) for k, d in given if d is not None]
        n = len(parts)
        kinds = (ctypes.c_int * n)(*[int(k) for k, _ in parts])
        data = (ctypes.c_char_p * n)(*[d for _, d in parts])
        lens = (ctypes.c_size_t * n)(*[len(d) for _, d in parts])
        self = cls.__new__(cls)
        _Handle.__init__(self)
        check(C.attest_evidence_from_parts(ctypes.byref(self._h), kinds, data, lens, n))
        return self

    @property
    def format(self) -> Format:
        return Format(C.attest_evidence_format(self._handle))

    def to_json(self) -> str:
        """Every parsed field as JSON text (byte strings as lowercase hex)."""
        return N.call_string(C.attest_evidence_to_json, self._handle)

    def to_dict(self) -> Dict[str, Any]:
        fields: Dict[str, Any] = json.loads(self.to_json())
        return fields


class Collateral(_Handle):
    """Certificates, CRLs, PCS JSON, RIMs and OCSP responses, each
    recognised by content. Not to be modified by two threads at once."""
    _free_name = "attest_collateral_free"

    def __init__(self, items: Iterable[BytesLike] = ()) -> None:
        if isinstance(items, (bytes, bytearray, memoryview, str)):
            raise TypeError("collateral: a list of items, not one item")
        super().__init__()
        check(C.attest_collateral_new(ctypes.byref(self._h)))
        for item in items:
            self.add(item)

    def add(self, data: BytesLike) -> "Collateral":
        raw = _bytes(data, "collateral item")
        check(C.attest_collateral_add(self._handle, raw, len(raw)))
        return self

    def add_ocsp(self, der: BytesLike, request_nonce: NonceLike = None) -> "Collateral":
        """A DER OCSP response with the nonce of the request it answers
        (live only when it echoes it; None: a stored response)."""
        raw, nonce = _bytes(der, "OCSP response"), nonce_bytes(request_nonce, "request nonce")
        check(C.attest_collateral_add_ocsp(self._handle, raw, len(raw), nonce or None,
                                           len(nonce)))
        return self

    @property
    def cert_count(self) -> int:
        return int(C.attest_collateral_cert_count(self._handle))

    @property
    def crl_count(self) -> int:
        return int(C.attest_collateral_crl_count(self._handle))


PolicyLike = Union[None, "Policy", Mapping[str, Any], str, bytes]


class Policy(_Handle):
    """A policy (docs/policy.md): a dict, JSON text, or None for the strict
    default. Unknown members are refused (ATTEST_E_POLICY_INVALID)."""
    _free_name = "attest_policy_free"

    def __init__(self, document: PolicyLike = None) -> None:
        super().__init__()
        if document is None:
            check(C.attest_policy_default(ctypes.byref(self._h)))
            return
        if isinstance(document, Mapping):
            raw = json.dumps(document, allow_nan=False).encode()
        elif isinstance(document, str):
            raw = document.encode()
        elif isinstance(document, bytes):
            raw = document
        else:
            raise TypeError("policy: dict, JSON str/bytes or None, not %s"
                            % type(document).__name__)
        check(C.attest_policy_from_json(ctypes.byref(self._h), raw, len(raw)))

    @classmethod
    def default(cls) -> "Policy":
        return cls(None)


class Keyset(_Handle):
    """The keys that verify another verifier's tokens (attest_keyset_new,
    docs/results.md): a JWKS document or PEM certificates / public keys,
    as bytes or text. The caller chose them: they are the trust anchor of
    every token verified with them. A key that breaks a rule refuses the
    whole set (ATTEST_E_KEYSET_MALFORMED naming its index and kid).
    Immutable: any number of threads may verify with it at once."""
    _free_name = "attest_keyset_free"

    def __init__(self, data: Union[BytesLike, str]) -> None:
        super().__init__()
        raw = data.encode() if isinstance(data, str) else _bytes(data, "key set")
        check(N.require("attest_keyset_new")(ctypes.byref(self._h), raw, len(raw)))


def tls_peer_evidence(cert: BytesLike, rule: "RuleLike") -> Evidence:
    """The evidence a certificate or CSR (DER or PEM) carries under `rule`
    (attest_tls_peer_evidence), for collateral_needs() and Fetcher.fetch()
    before Verifier.verify_tls_peer. Nothing is verified: not the
    self-signature, the evidence or the binding. A rule for fetched
    evidence (TINFOIL, NEARAI) is ATTEST_E_INVALID_ARG."""
    raw, code = _bytes(cert, "certificate"), _rule(rule)
    fn = N.require("attest_tls_peer_evidence")
    ev = Evidence.__new__(Evidence)
    _Handle.__init__(ev)
    check(fn(ctypes.byref(ev._h), raw, len(raw), code))
    return ev


def _anchor_bytes(spki_sha256: Union[BytesLike, str]) -> bytes:
    raw = (_strict_hex(spki_sha256, "anchor") if isinstance(spki_sha256, str)
           else _bytes(spki_sha256, "anchor"))
    if len(raw) != 32:
        raise ValueError("anchor: a SHA-256 of 32 bytes, not %d" % len(raw))
    return raw


class _Temporaries:
    """Python values turned into C objects for one call, freed after it;
    objects the caller passed stay the caller's."""

    def __init__(self) -> None:
        self._owned: List[_Handle] = []

    def own(self, obj: Any, cls: Any, convert: Callable[[Any], Any]) -> Any:
        if isinstance(obj, cls):
            return obj
        made = convert(obj)
        self._owned.append(made)
        return made

    def __enter__(self) -> "_Temporaries":
        return self

    def __exit__(self, *exc: Any) -> None:
        for obj in self._owned:
            obj.close()


EvidenceLike = Union[Evidence, BytesLike]
CollateralLike = Union[None, Collateral, Iterable[BytesLike]]


class Verifier(_Handle):
    """Trust anchors, the verification instant and the chain cache.

    Share one Verifier between threads once configured: verify() releases
    the GIL for the verification, so threads verify in parallel. Its setters
    must not be called while other threads verify (as in C)."""
    _free_name = "attest_verifier_free"

    def __init__(self, at: Instant = None) -> None:
        super().__init__()
        check(C.attest_verifier_new(ctypes.byref(self._h)))
        if at is not None:
            self.set_time(at)

    def set_time(self, at: Instant) -> None:
        """Verify as of `at` (None: the clock again)."""
        check(C.attest_verifier_set_time(self._handle, unix_time(at)))

    def add_anchor(self, vendor: Vendor, spki_sha256: Union[BytesLike, str],
                   replace_builtin: bool = False) -> None:
        """Trust the root of `vendor` whose DER SPKI has this SHA-256 (32
        bytes or 64 hex digits); replace_builtin drops the built-in ones
        first."""
        pin = _anchor_bytes(spki_sha256)
        if replace_builtin:
            self.clear_anchors(vendor)
        check(C.attest_verifier_add_anchor(self._handle, int(Vendor(vendor)), pin))

    def add_amd_anchor(self, spki_sha256: Union[BytesLike, str],
                       replace_builtin: bool = False) -> None:
        self.add_anchor(Vendor.AMD, spki_sha256, replace_builtin)

    def clear_anchors(self, vendor: Vendor) -> None:
        check(C.attest_verifier_clear_anchors(self._handle, int(Vendor(vendor))))

    @property
    def cache_size(self) -> int:
        return int(C.attest_verifier_cache_size(self._handle))

    def clear_cache(self) -> None:
        C.attest_verifier_clear_cache(self._handle)

    def set_cache_limit(self, max_entries: int) -> None:
        """At most max_entries cached checks, least recently used evicted; 0: none."""
        if int(max_entries) < 0:
            raise ValueError("cache limit must be >= 0")
        check(C.attest_verifier_set_cache_limit(self._handle, int(max_entries)))

    def verify(self, evidence: EvidenceLike, collateral: CollateralLike = None,
               policy: PolicyLike = None, nonce: NonceLike = None) -> "Result":
        """Verify and return the Result, accepted or rejected (a rejection
        is a result, not an exception: Result.raise_if_rejected()). Raises
        AttestError only when no result could be made (bad argument,
        memory, unparsable evidence given as bytes)."""
        n = nonce_bytes(nonce)
        with _Temporaries() as tmp:
            ev = tmp.own(evidence, Evidence, Evidence)
            coll = None if collateral is None else tmp.own(collateral, Collateral, Collateral)
            pol = None if policy is None else tmp.own(policy, Policy, Policy)
            out = ctypes.c_void_p()
            status = C.attest_verify(ctypes.byref(out), self._handle, ev._handle,
                                     coll._handle if coll else None,
                                     pol._handle if pol else None, n or None, len(n))
            if not out:
                raise AttestError(status, text(C.attest_error_last()))
        return Result._take(out)

    def verify_tls_peer(self, cert: BytesLike, rule: RuleLike,
                        collateral: CollateralLike = None, policy: PolicyLike = None,
                        nonce: NonceLike = None) -> "Result":
        """Verify a TLS peer whose evidence is in its certificate or attested
        CSR, DER or PEM (attest_verify_tls_peer, docs/ratls.md): its
        self-signature (no PKIX chain, no validity period), the one evidence
        extension `rule` takes, the evidence as verify() does, then
        REPORT_DATA by the rule. `rule`: a RatlsRule or its name
        ("claims-sha256"). `policy`: its report_data members must be absent.
        `nonce`: compared with the TCG evidence's nonce claim, refused
        (ATTEST_E_RATLS_NONCE) when it has none; without one the result is
        not fresh. A rejection is a Result (ATTEST_E_RATLS_KEY_HASH, ...);
        AttestError only when no result could be made. No I/O."""
        raw, n, code = _bytes(cert, "certificate"), nonce_bytes(nonce), _rule(rule)
        with _Temporaries() as tmp:
            coll = None if collateral is None else tmp.own(collateral, Collateral, Collateral)
            pol = None if policy is None else tmp.own(policy, Policy, Policy)
            out = ctypes.c_void_p()
            status = C.attest_verify_tls_peer(ctypes.byref(out), self._handle, raw, len(raw),
                                              code, coll._handle if coll else None,
                                              pol._handle if pol else None, n or None, len(n))
            if not out:
                raise AttestError(status, text(C.attest_error_last()))
        return Result._take(out)

    def verify_tls_fetched(self, peer: BytesLike, rule: RuleLike, evidence: EvidenceLike,
                           bound: BytesLike, nonce: NonceLike,
                           collateral: CollateralLike = None,
                           policy: PolicyLike = None) -> "Result":
        """Verify evidence fetched over a TLS connection (rules TINFOIL and
        NEARAI; attest_verify_tls_fetched) against that connection's key:
        `peer` is the live session's certificate (DER, e.g.
        ssl_socket.getpeercert(binary_form=True)) or its DER SPKI, never
        taken from the fetched document; `evidence` the SEV-SNP report
        (Tinfoil), TDX quote or bundle (NEAR AI); `bound` the 32-byte HPKE
        key (Tinfoil) or signing address (NEAR AI); `nonce` the 32 bytes
        (or hex) put in the request. Results and errors as verify_tls_peer."""
        raw, n, code = _bytes(peer, "peer"), nonce_bytes(nonce), _rule(rule)
        key = _bytes(bound, "bound")
        with _Temporaries() as tmp:
            ev = tmp.own(evidence, Evidence, Evidence)
            coll = None if collateral is None else tmp.own(collateral, Collateral, Collateral)
            pol = None if policy is None else tmp.own(policy, Policy, Policy)
            out = ctypes.c_void_p()
            status = C.attest_verify_tls_fetched(ctypes.byref(out), self._handle, raw, len(raw),
                                                 code, ev._handle, key or None, len(key),
                                                 coll._handle if coll else None,
                                                 pol._handle if pol else None, n or None, len(n))
            if not out:
                raise AttestError(status, text(C.attest_error_last()))
        return Result._take(out)

    def verify_result_token(self, kind: Union[ResultKind, int], token: Union[BytesLike, str],
                            keyset: Union[Keyset, BytesLike, str],
                            issuer: Optional[str] = None, policy: PolicyLike = None,
                            nonce: NonceLike = None, allow_rs256: bool = False) -> "Result":
        """Verify another verifier's signed result offline and map its claims
        into a Result as verify() does (attest_verify_result_token,
        docs/results.md): every JWT's signature with a key of `keyset`
        chosen by (kid, alg) (none and HS* refused), `iss` == `issuer`
        (None: the service's production issuer; required for MAA, whose
        instances share keys), exp/nbf/iat at this verifier's instant with
        no skew, then the claims under `policy` (None: the strict default;
        members needing raw evidence are refused). `kind`: ResultKind.NRAS
        (the /v3/attest/gpu response), ITA or MAA (compact JWTs);
        `allow_rs256` accepts RS256 beside PS384 for ITA. `nonce` (bytes or
        hex) must be the token's. Results and errors as verify_tls_peer."""
        if isinstance(kind, bool):
            raise TypeError("kind: a ResultKind, not bool")
        code = int(ResultKind(kind)) | (ATTEST_RESULT_ALLOW_RS256 if allow_rs256 else 0)
        raw = token.encode() if isinstance(token, str) else _bytes(token, "token")
        n = nonce_bytes(nonce)
        iss = None if issuer is None else c_string(issuer, "issuer")
        if iss == b"":
            raise ValueError("issuer: empty (pass None for the service's default)")
        fn = N.require("attest_verify_result_token")
        with _Temporaries() as tmp:
            ks = tmp.own(keyset, Keyset, Keyset)
            pol = None if policy is None else tmp.own(policy, Policy, Policy)
            out = ctypes.c_void_p()
            status = fn(ctypes.byref(out), self._handle, code, raw, len(raw), ks._handle, iss,
                        pol._handle if pol else None, n or None, len(n))
            if not out:
                raise AttestError(status, text(C.attest_error_last()))
        return Result._take(out)


RuleLike = Union[RatlsRule, str]


def _rule(rule: RuleLike) -> int:
    """A RatlsRule, or its name; an int that is no rule is refused here."""
    if isinstance(rule, str):
        return int(RatlsRule.parse(rule))
    if isinstance(rule, bool) or not isinstance(rule, int):
        raise TypeError("rule: a RatlsRule or its name, not %s" % type(rule).__name__)
    return int(RatlsRule(rule))


def _freshness(h: ctypes.c_void_p) -> Tuple[Optional[datetime.datetime], bool, Optional[bytes]]:
    """attest_result_verified_at / _fresh / _nonce, read when the result is
    made (so they stay readable after close); (None, False, None) with a
    library that lacks them."""
    if getattr(C, "attest_result_nonce", None) is None:
        return None, False, None
    secs = int(C.attest_result_verified_at(h))
    at = (datetime.datetime.fromtimestamp(secs, datetime.timezone.utc) if secs else None)
    fresh = bool(C.attest_result_fresh(h))
    n = ctypes.c_size_t()
    ptr = C.attest_result_nonce(h, ctypes.byref(n))
    # a nonce is handed back only with a fresh result (as the C API promises)
    nonce = ctypes.string_at(ptr, n.value) if fresh and ptr and n.value else None
    return at, fresh, nonce


@dataclass(eq=False)
class Result:
    """The outcome of a verification. verdict, status and reason are read
    at once; checks and claims on first use. Owns the C result (needed to
    sign it as a token or encode it as CBOR): close() or `with` frees it."""
    verdict: Verdict
    status: str            # "ATTEST_OK" or the first failing check's code name
    status_code: int
    reason: str            # "" when accepted, else "check.name: why"
    ear_status: str        # "affirming", "warning" or "contraindicated"
    verified_at: Optional[datetime.datetime]  # the instant judged at (UTC); None: unknown
    fresh: bool            # accepted with the caller's nonce bound by the evidence
    nonce: Optional[bytes]  # that nonce; None unless fresh (an unverified one is never given)
    _h: ctypes.c_void_p = field(repr=False)
    _checks: Optional[List[Check]] = field(default=None, repr=False)
    _dict: Optional[Dict[str, Any]] = field(default=None, repr=False)

    @classmethod
    def _take(cls, h: ctypes.c_void_p) -> "Result":
        code = int(C.attest_result_status(h))
        at, fresh, nonce = _freshness(h)
        return cls(Verdict(C.attest_result_verdict(h)), text(C.attest_status_name(code)), code,
                   text(C.attest_result_reason(h)), text(C.attest_result_ear_status(h)),
                   at, fresh, nonce, h)

    @property
    def _handle(self) -> ctypes.c_void_p:
        if not self._h:
            raise ValueError("Result is closed")
        return self._h

    @property
    def accepted(self) -> bool:
        return self.verdict == Verdict.ACCEPTED

    @property
    def checks(self) -> List[Check]:
        """Every check in the order it ran."""
        if self._checks is None:
            h = self._handle
            self._checks = [self._check(h, i) for i in range(C.attest_result_check_count(h))]
        return self._checks

    @staticmethod
    def _check(h: ctypes.c_void_p, i: int) -> Check:
        code = int(C.attest_result_check_status(h, i))
        return Check(text(C.attest_result_check_name(h, i)),
                     CheckOutcome(C.attest_result_check_outcome(h, i)),
                     text(C.attest_status_name(code)), code,
                     text(C.attest_result_check_detail(h, i)))

    def failed_check(self) -> Optional[Check]:
        """The first failed check, None when accepted."""
        return next((c for c in self.checks if c.outcome == CheckOutcome.FAIL), None)

    def to_json(self) -> str:
        """The whole result as attest_result_to_json writes it."""
        return N.call_string(C.attest_result_to_json, self._handle)

    def to_dict(self) -> Dict[str, Any]:
        if self._dict is None:
            self._dict = json.loads(self.to_json())
        return self._dict

    @property
    def claims(self) -> Dict[str, Any]:
        """The parsed evidence claims (the JSON's "claims")."""
        return self.to_dict().get("claims") or {}

    def to_cbor(self) -> bytes:
        """The token's claims as unsigned CBOR (attest_result_to_cbor)."""
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        check(C.attest_result_to_cbor(ctypes.byref(out), ctypes.byref(n), self._handle))
        return N.take_bytes(out, n.value)

    def sign_token(self, key_pem: Union[str, bytes], lifetime_seconds: int) -> str:
        """The result as an ES256/ES384 JWT (docs/token.md), signed with an
        unencrypted PEM EC private key; a rejection is signed too."""
        key = key_pem.encode() if isinstance(key_pem, str) else _bytes(key_pem, "key")
        return N.call_string(C.attest_token_sign, self._handle, key, len(key),
                             int64(lifetime_seconds, "lifetime_seconds"))

    def sign_token_with(self, key: "TokenKey", lifetime_seconds: int,
                        verbose: bool = False) -> str:
        """sign_token with a key read once (attest_token_sign_key); verbose
        adds every device's whole parse (ATTEST_TOKEN_VERBOSE)."""
        if not isinstance(key, TokenKey):
            raise TypeError("key: a TokenKey, not %s" % type(key).__name__)
        return N.call_string(C.attest_token_sign_key, self._handle, key._handle,
                             int64(lifetime_seconds, "lifetime_seconds"), 1 if verbose else 0)

    def raise_if_rejected(self) -> "Result":
        """Raise AttestError (status, name, check, detail) unless accepted."""
        if not self.accepted:
            raise AttestError(self.status_code, self.reason)
        return self

    def close(self) -> None:
        h, self._h = self._h, ctypes.c_void_p()
        if h:
            C.attest_result_free(h)

    def __del__(self) -> None:
        if getattr(self, "_h", None):
            try:
                self.close()
            except Exception:  # interpreter shutdown: the module may be gone
                pass

    def __enter__(self) -> "Result":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _read_needs(h: ctypes.c_void_p) -> List[Need]:
    """An attest_needs list as Need items; frees it."""
    try:
        return [Need(NeedKind(C.attest_needs_kind(h, i)), text(C.attest_needs_method(h, i)),
                     text(C.attest_needs_url(h, i)), text(C.attest_needs_subject(h, i)),
                     text(C.attest_needs_reason(h, i)))
                for i in range(C.attest_needs_count(h))]
    finally:
        C.attest_needs_free(h)


def collateral_needs(evidence: EvidenceLike, collateral: CollateralLike = None) -> List[Need]:
    """What verifying `evidence` needs that `collateral` lacks; nothing is
    fetched ([] when nothing is missing)."""
    with _Temporaries() as tmp:
        ev = tmp.own(evidence, Evidence, Evidence)
        coll = None if collateral is None else tmp.own(collateral, Collateral, Collateral)
        out = ctypes.c_void_p()
        check(C.attest_collateral_needs(ctypes.byref(out), ev._handle,
                                        coll._handle if coll else None))
    return _read_needs(out)


def _path(path: Optional[str]) -> Optional[bytes]:
    if not path:
        return None
    raw = os.fsencode(path)
    if b"\0" in raw:
        raise ValueError("path: holds a NUL character")
    return raw


AddedCallback = Callable[[NeedKind, bytes], None]


class Fetcher(_Handle):
    """An attest_fetcher: fetches what evidence lacks from the vendors'
    services (or the URLs given) into a Collateral.

    services maps a SERVICES name ("nvidia-rim") or a Service to a base URL
    (None: the default); `at` is the instant the cache compares expiry with
    (None: the clock); tcb_update / tcb_evaluation choose Intel's TCB
    evaluation; on_added(kind, data) is called in the fetching thread for
    each item added. A failed request is not an exception: it is in the
    list fetch() returns. Configure first, then share between threads (for
    distinct collaterals)."""
    _free_name = "attest_fetcher_free"

    def __init__(self, services: Optional[Mapping[Union[str, Service], Optional[str]]] = None,
                 ca_file: Optional[str] = None, cache_dir: Optional[str] = None,
                 offline: bool = False, at: Instant = None,
                 tcb_update: TcbUpdate = TcbUpdate.DEFAULT, tcb_evaluation: int = 0,
                 on_added: Optional[AddedCallback] = None) -> None:
        super().__init__()
        self._callback: Any = None
        self._callback_error: Optional[BaseException] = None
        check(C.attest_fetcher_new(ctypes.byref(self._h)))
        for name, url in (services or {}).items():
            self.set_service(name, url)
        if ca_file is not None:
            self.set_ca_file(ca_file)
        if cache_dir is not None:
            self.set_cache_dir(cache_dir)
        self.set_offline(offline)
        if at is not None:
            self.set_time(at)
        if tcb_update or tcb_evaluation:
            self.set_tcb_evaluation(tcb_update, tcb_evaluation)
        if on_added is not None:
            self.set_on_added(on_added)

    def set_service(self, service: Union[str, Service], url: Optional[str]) -> None:
        code = SERVICES[service] if isinstance(service, str) else Service(service)
        check(C.attest_fetcher_set_service(self._handle, int(code),
                                           c_string(url, "URL") if url else None))

    def set_ca_file(self, path: Optional[str]) -> None:
        check(C.attest_fetcher_set_ca_file(self._handle, _path(path)))

    def set_cache_dir(self, path: Optional[str]) -> None:
        check(C.attest_fetcher_set_cache_dir(self._handle, _path(path)))

    def set_offline(self, offline: bool = True) -> None:
        check(C.attest_fetcher_set_offline(self._handle, 1 if offline else 0))

    def set_time(self, at: Instant) -> None:
        """The cache's instant; None: the clock."""
        check(C.attest_fetcher_set_time(self._handle, 0 if at is None else unix_time(at)))

    def set_tcb_evaluation(self, update: TcbUpdate = TcbUpdate.DEFAULT,
                           evaluation_number: int = 0) -> None:
        if not 0 <= evaluation_number < 2 ** 32:
            raise ValueError("tcb_evaluation: 0 .. 2^31-1")
        check(C.attest_fetcher_set_tcb_evaluation(self._handle, int(TcbUpdate(update)),
                                                  evaluation_number))

    def set_on_added(self, fn: Optional[AddedCallback]) -> None:
        """Call fn(kind, data) for each item a fetch adds (None: stop). An
        exception it raises is re-raised by fetch() once the fetch ends."""
        if fn is None:
            check(C.attest_fetcher_set_on_added(self._handle,
                                                N.FETCH_ADDED_FN(0), None))  # NULL: clear
            self._callback = None
            return

        user_fn: AddedCallback = fn

        def trampoline(_ctx: Any, kind: int, data: Any, length: int) -> None:
            try:
                user_fn(NeedKind(kind), ctypes.string_at(data, length))
            except BaseException as e:  # noqa: B036 - re-raised by fetch()
                self._callback_error = self._callback_error or e

        callback = N.FETCH_ADDED_FN(trampoline)
        check(C.attest_fetcher_set_on_added(self._handle, callback, None))
        self._callback = callback  # kept alive as long as C may call it

    def request_urls(self, evidence: EvidenceLike,
                     collateral: CollateralLike = None) -> List[Tuple[Need, str]]:
        """What this fetcher would request: each item collateral_needs
        lists with the URL at the configured service (the THIM request when
        AZURE_THIM is set; "" when not fetchable). Nothing is fetched.
        Needs a library with attest_fetcher_request_url, else
        NotImplementedError."""
        request_url = N.require("attest_fetcher_request_url")
        with _Temporaries() as tmp:
            ev = tmp.own(evidence, Evidence, Evidence)
            coll = None if collateral is None else tmp.own(collateral, Collateral, Collateral)
            out = ctypes.c_void_p()
            check(C.attest_collateral_needs(ctypes.byref(out), ev._handle,
                                            coll._handle if coll else None))
            try:
                urls = [self._request_url(request_url, ev, out, i)
                        for i in range(C.attest_needs_count(out))]
            except BaseException:
                C.attest_needs_free(out)
                raise
        return list(zip(_read_needs(out), urls))

    def _request_url(self, request_url: Any, ev: Evidence, needs: ctypes.c_void_p,
                     i: int) -> str:
        size = 1024
        while True:  # ATTEST_E_LENGTH: the buffer was too short
            buf = ctypes.create_string_buffer(size)
            status = request_url(self._handle, ev._handle, needs, i, buf, size)
            if status != -12 or size >= 1 << 20:
                check(status)
                return buf.value.decode()
            size *= 4

    def fetch(self, evidence: EvidenceLike, collateral: Collateral) -> List[Need]:
        """Fetch what verifying `evidence` needs that `collateral` (filled in
        place) lacks; returns what is still missing, each reason naming the
        URL and why."""
        if not isinstance(collateral, Collateral):
            raise TypeError("fetch fills a Collateral object")
        self._callback_error = None
        with _Temporaries() as tmp:
            ev = tmp.own(evidence, Evidence, Evidence)
            out = ctypes.c_void_p()
            check(C.attest_fetch_collateral(self._handle, ev._handle, collateral._handle,
                                            ctypes.byref(out)))
        missing = _read_needs(out)
        if self._callback_error is not None:
            raise self._callback_error
        return missing


class TokenKey(_Handle):
    """A token signing key read once (attest_token_key_new): signing many
    tokens with one key skips the PEM read sign_token pays per call.
    Read-only once made: threads may sign with it at once."""
    _free_name = "attest_token_key_free"

    def __init__(self, key_pem: Union[str, bytes]) -> None:
        super().__init__()
        key = key_pem.encode() if isinstance(key_pem, str) else _bytes(key_pem, "key")
        check(C.attest_token_key_new(ctypes.byref(self._h), key, len(key)))


class TokenPubKey(_Handle):
    """A token verification key read once (attest_token_pubkey_new): a PEM
    public key or certificate, P-256 or P-384 (a private key is refused,
    ATTEST_E_INVALID_ARG). Verifying many tokens with one key skips the
    PEM read verify_token pays per call. Read-only once made: threads may
    verify with it at once."""
    _free_name = "attest_token_pubkey_free"

    def __init__(self, pubkey_pem: Union[str, bytes]) -> None:
        super().__init__()
        key = pubkey_pem.encode() if isinstance(pubkey_pem, str) else _bytes(pubkey_pem, "pubkey")
        check(C.attest_token_pubkey_new(ctypes.byref(self._h), key, len(key)))
