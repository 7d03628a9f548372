"""RA-TLS with Python's ssl module (docs/ratls.md).

Python's ssl module cannot run a C verify callback inside the handshake
(attest_ssl_ctx_set_verify needs the OpenSSL SSL_CTX, which it does not
expose), so the check runs right after the handshake: the client context
turns PKIX off (the attestation replaces it), and check_peer() verifies
the certificate the peer presented and closes the connection unless
libattest accepts. Until check_peer() returns, the peer is not
authenticated: send nothing, and trust nothing received.
"""
from __future__ import annotations

import socket
import ssl
from typing import Any, Optional, Tuple

from ._native import AttestError
from ._objects import CollateralLike, NonceLike, PolicyLike, Result, RuleLike, Verifier

ATTEST_E_RATLS_PEER = -188
ATTEST_E_INTERNAL = -99


def client_context() -> ssl.SSLContext:
    """A client SSLContext for RA-TLS peers: TLS 1.2 or later, no host name
    check and CERT_NONE, because the attestation replaces PKIX: the peer's
    RA-TLS certificate has no WebPKI chain. Such a context authenticates
    nothing by itself: every connection made with it must pass
    check_peer() before any application data is sent."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the attestation replaces PKIX: check_peer decides
    return ctx


def _abort(sock: Any) -> None:
    try:
        sock.close()
    except OSError:
        pass


def check_peer(ssl_socket: ssl.SSLSocket, verifier: Verifier, rule: RuleLike,
               collateral: CollateralLike = None, policy: PolicyLike = None,
               nonce: NonceLike = None) -> Result:
    """Verify the peer of a handshaken `ssl_socket` as an RA-TLS server and
    return the accepted Result (the caller closes it); otherwise close the
    socket and raise AttestError with libattest's status
    (ATTEST_E_RATLS_KEY_HASH, ...) and reason.

    Takes the certificate the peer presented in this session
    (getpeercert(binary_form=True); a socket from client_context(), i.e.
    CERT_NONE, still has it) and runs Verifier.verify_tls_peer on it with
    `rule`, `collateral`, `policy` and `nonce`.

    No application data may be sent on the socket before this returns, and
    none received before it may be trusted: until then the peer is not
    authenticated (the handshake itself checked nothing). Any exception,
    including a bad argument, closes the socket too."""
    try:
        if not isinstance(ssl_socket, ssl.SSLSocket):
            raise TypeError("ssl_socket: an ssl.SSLSocket, not %s" % type(ssl_socket).__name__)
        cert = ssl_socket.getpeercert(binary_form=True)
        if not cert:
            raise AttestError(ATTEST_E_RATLS_PEER, "the peer presented no certificate")
        result = verifier.verify_tls_peer(cert, rule, collateral, policy, nonce)
    except BaseException:
        _abort(ssl_socket)
        raise
    if result.accepted and result.status_code == 0:
        return result
    _abort(ssl_socket)
    status, reason = result.status_code or ATTEST_E_INTERNAL, result.reason
    result.close()
    raise AttestError(status, reason)


def connect(address: Tuple[str, int], verifier: Verifier, rule: RuleLike,
            collateral: CollateralLike = None, policy: PolicyLike = None,
            nonce: NonceLike = None, timeout: Optional[float] = None,
            server_hostname: Optional[str] = None,
            context: Optional[ssl.SSLContext] = None) -> Tuple[ssl.SSLSocket, Result]:
    """Connect to an RA-TLS server at `address`, handshake with `context`
    (default: client_context(); server_hostname is sent as SNI only) and
    check_peer(); returns the socket and the accepted Result, or raises
    (the socket closed). Only then may the socket be used."""
    ctx = context or client_context()
    raw = socket.create_connection(address, timeout)
    try:
        tls = ctx.wrap_socket(raw, server_hostname=server_hostname)
    except BaseException:
        _abort(raw)
        raise
    return tls, check_peer(tls, verifier, rule, collateral, policy, nonce)
