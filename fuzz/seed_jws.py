#!/usr/bin/env python3
"""Seeds of fuzz/fuzz_jws.c (first byte: 0 NRAS token, 1 synthetic token,
2 header NL payload signed by the harness, 3 key set).

  seed_jws.py OUT [SHARED]     copy fuzz/corpus/jws/* to OUT and, when the
                               vectors are there, add N01's real tokens
                               (byte 0) and JWKS (byte 3), in OUT only
  seed_jws.py --generate DIR   write the committed seeds (fresh keys made
                               with `cryptography`; run by hand)
"""
import base64, json, os, shutil, sys


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def generate(out):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
    from cryptography.x509.oid import NameOID
    import datetime

    os.makedirs(out, exist_ok=True)
    eck = ec.generate_private_key(ec.SECP384R1())
    rsak = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": "https://verifier.example", "iat": 1779999000, "nbf": 1779999000,
              "exp": 1780003600, "eat_nonce": "AAEC"}

    def token(hdr, key):
        msg = (b64u(json.dumps(hdr, separators=(",", ":")).encode()) + "." +
               b64u(json.dumps(claims, separators=(",", ":")).encode())).encode()
        if hdr["alg"] == "ES384":
            r, s = utils.decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA384())))
            sig = r.to_bytes(48, "big") + s.to_bytes(48, "big")
        elif hdr["alg"] == "PS384":
            sig = key.sign(msg, padding.PSS(padding.MGF1(hashes.SHA384()), 48), hashes.SHA384())
        else:
            sig = key.sign(msg, padding.PKCS1v15(), hashes.SHA256())
        return msg + b"." + b64u(sig).encode()

    files = {
        "tok-es384": b"\x01" + token({"alg": "ES384", "kid": "ec"}, eck),
        "tok-ps384": b"\x01" + token({"alg": "PS384", "kid": "rsa", "typ": "JWT"}, rsak),
        "tok-rs256": b"\x01" + token({"alg": "RS256", "kid": "rsa"}, rsak),
        "signed-claims": b"\x02" + b'{"alg":"ES384","kid":"ec"}\n' + json.dumps(claims).encode(),
        "signed-crit": b"\x02" + b'{"alg":"ES384","kid":"ec","crit":["b64"],"b64":false}\n{}',
        "signed-dates": b"\x02" + b'{"alg":"ES384","kid":"ec"}\n'
        b'{"iss":"https://verifier.example","exp":1780003600.5,"nbf":1e3,"iat":-1}',
    }
    pub = eck.public_key().public_numbers()
    rpub = rsak.public_key().public_numbers()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz seed")])
    now = datetime.datetime(2026, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(rsak.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650)).sign(rsak, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    jwks = {"keys": [
        {"kty": "EC", "crv": "P-384", "kid": "ec", "x": b64u(pub.x.to_bytes(48, "big")),
         "y": b64u(pub.y.to_bytes(48, "big")), "use": "sig"},
        {"kty": "RSA", "kid": "rsa", "alg": "PS384", "n": b64u(rpub.n.to_bytes(256, "big")),
         "e": b64u(rpub.e.to_bytes(3, "big")), "x5c": [base64.b64encode(der).decode()]},
        {"kty": "RSA", "kid": "x5c-only", "x5c": [base64.b64encode(der).decode()]}]}
    files["keyset-jwks"] = b"\x03" + json.dumps(jwks).encode()
    files["keyset-pem"] = b"\x03" + cert.public_bytes(serialization.Encoding.PEM) + \
        eck.public_key().public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    for n, b in files.items():
        with open(os.path.join(out, n), "wb") as f:
            f.write(b)


def seed(out, shared):
    os.makedirs(out, exist_ok=True)
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "jws")
    for n in os.listdir(here):
        shutil.copy(os.path.join(here, n), os.path.join(out, n))
    nras = os.path.join(shared or "", "vectors", "results", "nras")
    resp = os.path.join(nras, "N01_tinfoil_1gpu_2026-06-29", "nras_response.json")
    if not shared or not os.path.exists(resp):
        return
    doc = json.load(open(resp))
    jwts = [doc[0][1]] + list(doc[1].values())
    for i, t in enumerate(jwts):
        with open(os.path.join(out, "n01-%d" % i), "wb") as f:
            f.write(b"\x00" + t.encode())
    with open(os.path.join(out, "n01-jwks"), "wb") as f:
        f.write(b"\x03" + open(os.path.join(nras, "jwks_2026-06-29.json"), "rb").read())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--generate":
        generate(sys.argv[2])
    elif len(sys.argv) in (2, 3):
        seed(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None)
    else:
        sys.exit(__doc__)
