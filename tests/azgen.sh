#!/bin/sh
# attest-mock azure (vectors/gen/azgen.c) checked with the openssl CLI and a
# few lines of python3 over the bytes: the AK certificate chains to the test
# root, the quote signature verifies with the AK, the pcrDigest covers the
# PCR values, SHA-256(claims) is the report data of the SNP report and of the
# TDREPORT (which matches its TD quote), and every tamper option breaks
# exactly what it says. Layouts: shared/vectors/azure/MANIFEST.md section 1.
# Run by tests/cli.sh; alone: ATTEST_MOCK=build/attest-mock
# ATTEST_TEST_PKI=build/testpki sh tests/azgen.sh
set -u
MOCK=${ATTEST_MOCK:?run through make check}
TP=${ATTEST_TEST_PKI:?run through make check}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0; n=0

ok() { # ok DESCRIPTION -- command...: the command must succeed
  what=$1; shift 2; n=$((n + 1))
  "$@" >"$T/out" 2>"$T/err" || { fails=$((fails + 1)); echo "FAIL: $what"; sed 's/^/  | /' "$T/err" | head -5; }
}
no() { # no DESCRIPTION -- command...: the command must fail
  what=$1; shift 2; n=$((n + 1))
  "$@" >"$T/out" 2>"$T/err" && { fails=$((fails + 1)); echo "FAIL: $what: succeeded"; }
  return 0
}
usage() { # usage DESCRIPTION -- command...: exit status 2
  what=$1; shift 2; n=$((n + 1))
  "$@" >"$T/out" 2>"$T/err"; got=$?
  [ "$got" -eq 2 ] || { fails=$((fails + 1)); echo "FAIL: $what: exit $got, want 2"; }
}
py() { python3 -c "$@"; }

if ! command -v openssl >/dev/null || ! command -v python3 >/dev/null; then
  echo "note: openssl or python3 absent: azgen.sh skipped"; exit 0
fi
AZ=$TP/azure
AT=1750000000 # 2025-06-15, inside every default validity window

# ---- PKI ----------------------------------------------------------------
ok "AK certificate chains to the test root" -- openssl verify -attime $AT -CAfile "$AZ/root.pem" -untrusted "$AZ/ca.pem" "$AZ/ak.pem"
ok "chain.pem holds the intermediate then the root" -- openssl verify -attime $AT -CAfile "$AZ/root.pem" -untrusted "$AZ/chain.pem" "$AZ/ak.pem"
no "AK certificate does not chain to another root" -- openssl verify -attime $AT -CAfile "$TP/azure-rogue/root.pem" -untrusted "$AZ/ca.pem" "$AZ/ak.pem"
no "AK certificate expired in 2026" -- openssl verify -attime 1770000000 -CAfile "$AZ/root.pem" -untrusted "$AZ/ca.pem" "$AZ/ak.pem"
openssl x509 -in "$AZ/ak.pem" -noout -pubkey > "$T/ak_cert_pub.pem"
ok "AK certificate key is the AK" -- cmp "$T/ak_cert_pub.pem" "$AZ/ak_pub.pem"
openssl x509 -in "$AZ/ak.pem" -outform DER -out "$T/ak.der"
ok "ak.der is ak.pem" -- cmp "$T/ak.der" "$AZ/ak.der"
ok "ak_nv.bin: ak.der then 1024 zero bytes" -- py '
import sys; d, n = (open(f, "rb").read() for f in sys.argv[1:3])
assert n[:len(d)] == d and n[len(d):] == bytes(1024)' "$AZ/ak.der" "$AZ/ak_nv.bin"
openssl x509 -in "$AZ/ak.pem" -noout -text > "$T/ak.txt"
for want in "CN = 7e57a2e5c0de.ConfidentialVM.Azure.windows.net" "1.3.6.1.4.1.311.10.3.12, 2.23.133.8.3" \
    "Policy: 1.3.6.1.4.1.311.108.200.2" "CA:FALSE" "Digital Signature" "sha512WithRSAEncryption" "Public-Key: (2048 bit)"; do
  ok "AK certificate: $want" -- grep -q "$want" "$T/ak.txt"
done
anchor=$(openssl x509 -in "$AZ/root.pem" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -c1-64)
ok "anchor.sha256 pins the root's SPKI" -- test "$anchor" = "$(cat "$AZ/anchor.sha256")"
ok "generate" -- "$MOCK" azure pki --out "$T/pki2" --vm-id abc123 --ak-not-after 1800000000
ok "--vm-id names the AK" -- sh -c "openssl x509 -in '$T/pki2/ak.pem' -noout -subject | grep -q 'CN = abc123.ConfidentialVM.Azure.windows.net'"
ok "--ak-not-after extends the AK" -- openssl verify -attime 1790000000 -CAfile "$T/pki2/root.pem" -untrusted "$T/pki2/ca.pem" "$T/pki2/ak.pem"

# ---- runtime claims -----------------------------------------------------
# JWK n and e == the key's modulus and exponent; kid order; user-data.
jwk_check='
import base64, json, subprocess, sys
c = json.load(open(sys.argv[1], "rb"))
keys = {k["kid"]: k for k in c["keys"]}
def b64(s): return int.from_bytes(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), "big")
def modulus(pem):
    out = subprocess.run(["openssl", "rsa", "-pubin", "-in", pem, "-noout", "-modulus"], capture_output=True, text=True).stdout
    return int(out.split("=")[1], 16)
assert b64(keys[sys.argv[3]]["n"]) == modulus(sys.argv[2] + "/ak_pub.pem"), "AK n"
assert b64(keys[sys.argv[3]]["e"]) == 65537 and keys[sys.argv[3]]["kty"] == "RSA"
if len(sys.argv) > 4: assert b64(keys["HCLEkPub"]["n"]) == modulus(sys.argv[2] + "/ek_pub.pem"), "EK n"
'
ok "claims: AK and EK JWKs are the PKI's keys" -- py "$jwk_check" "$AZ/claims.json" "$AZ" HCLAkPub ek
ok "claims: compact JSON, keys first, no trailing newline" -- py '
import sys; d = open(sys.argv[1], "rb").read()
assert d.startswith(b"{\"keys\":[{\"kid\":\"HCLAkPub\",\"key_ops\":[\"sign\"],\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"") and d.endswith(b"\"user-data\":\"" + b"0" * 128 + b"\"}")' "$AZ/claims.json"
ok "generate" -- "$MOCK" azure claims --pki "$AZ" --user-data abcdef --vm-config secure-boot=false,extra=x1,count=7 --ak-kid MyAk \
    --ak-key-ops encrypt --ek-first -o "$T/c2.json"
ok "claims options: user-data upper case, vm-config, kid, key_ops, order" -- py '
import json, sys; c = json.load(open(sys.argv[1]))
assert c["user-data"] == "ABCDEF" + "0" * 122, c["user-data"]
v = c["vm-configuration"]; assert v["secure-boot"] is False and v["extra"] == "x1" and v["count"] == 7
assert [k["kid"] for k in c["keys"]] == ["HCLEkPub", "MyAk"] and c["keys"][1]["key_ops"] == ["encrypt"]' "$T/c2.json"
ok "claims --ak-kid: the AK under its new kid" -- py "$jwk_check" "$T/c2.json" "$AZ" MyAk
ok "generate" -- "$MOCK" azure claims --pki "$AZ" --no-ek --no-user-data --ak-key "$T/pki2/ak.key.pem" -o "$T/c3.json"
ok "claims --no-ek --no-user-data --ak-key" -- py '
import json, sys; c = json.load(open(sys.argv[1]))
assert [k["kid"] for k in c["keys"]] == ["HCLAkPub"] and "user-data" not in c' "$T/c3.json"
no "claims --ak-key: not the PKI's AK" -- py "$jwk_check" "$T/c3.json" "$AZ" HCLAkPub
ok "claims --ak-key: the other key" -- py "$jwk_check" "$T/c3.json" "$T/pki2" HCLAkPub
usage "claims: a vm-config value with a quote" -- "$MOCK" azure claims --pki "$AZ" --vm-config 'a=b"c' -o "$T/x.json"
usage "claims: --user-data too long" -- "$MOCK" azure claims --pki "$AZ" --user-data "$(printf '%0130d' 0)" -o "$T/x.json"

# ---- HCL reports --------------------------------------------------------
# hcl_check FILE CLAIMS TYPE [SIZE [HDRVER [bad]]]: header per MANIFEST 1,
# claims verbatim, REPORT_DATA = SHA-256(claims) || 0*32 ("bad": differs).
hcl_check='
import hashlib, struct, sys
d = open(sys.argv[1], "rb").read(); c = open(sys.argv[2], "rb").read(); t = int(sys.argv[3])
size = int(sys.argv[4]) if len(sys.argv) > 4 else 2600; hv = int(sys.argv[5]) if len(sys.argv) > 5 else 2
u = lambda o: struct.unpack_from("<I", d, o)[0]
assert len(d) == size and d[:4] == b"HCLA" and u(4) == hv and u(8) == 0x4D4 + len(c) and u(0xC) == 2
assert d[0x10:0x20] == bytes(16) and u(0x4C0) == 20 + len(c) and u(0x4C4) == 1 and u(0x4C8) == t
assert u(0x4CC) == 1 and u(0x4D0) == len(c) and d[0x4D4:0x4D4 + len(c)] == c and not any(d[0x4D4 + len(c):])
rd = d[0x70:0xB0] if t == 2 else d[0xA0:0xE0]
want = hashlib.sha256(c).digest() + bytes(32)
assert (rd == want) == (len(sys.argv) <= 6), "REPORT_DATA binding"
if t == 4: assert not any(d[0x420:0x4C0]), "TDREPORT is followed by 160 zero bytes"
'
# snp_sig FILE VCEK.pem: the SNP report in the HCL verifies with the VCEK
# (r, s little-endian at 0x2A0 / 0x2E8 of the report, re-encoded as DER).
snp_sig() {
  py '
import sys
d = open(sys.argv[1], "rb").read()[0x20:0x20 + 1184]
open(sys.argv[2] + ".msg", "wb").write(d[:0x2A0])
def der_int(b):
    v = int.from_bytes(b, "little").to_bytes(49, "big").lstrip(b"\0")
    v = b"\0" + v if v[0] & 0x80 else v
    return b"\x02" + bytes([len(v)]) + v
body = der_int(d[0x2A0:0x2E8]) + der_int(d[0x2E8:0x330])
open(sys.argv[2] + ".sig", "wb").write(b"\x30" + bytes([len(body)]) + body)' "$1" "$T/snp" &&
  openssl x509 -in "$2" -noout -pubkey > "$T/vcek_pub.pem" &&
  openssl dgst -sha384 -verify "$T/vcek_pub.pem" -signature "$T/snp.sig" "$T/snp.msg"
}
G=$TP/genoa
ok "SNP HCL: layout and binding" -- py "$hcl_check" "$AZ/snp/hcl_report.bin" "$AZ/claims.json" 2
ok "SNP HCL: report signed by the VCEK" -- snp_sig "$AZ/snp/hcl_report.bin" "$G/vcek.pem"
no "SNP HCL: not signed by another VCEK" -- snp_sig "$AZ/snp/hcl_report.bin" "$TP/milan/vcek.pem"
ok "generate" -- "$MOCK" azure hcl --claims "$T/c3.json" --snp-pki "$G" --size 2048 --header-version 1 --version 2 -o "$T/h2048.bin"
ok "SNP HCL --size 2048 --header-version 1 (2022 claims)" -- py "$hcl_check" "$T/h2048.bin" "$T/c3.json" 2 2048 1
ok "SNP HCL --version 2: signed" -- snp_sig "$T/h2048.bin" "$G/vcek.pem"
ok "generate" -- "$MOCK" azure hcl --claims "$AZ/claims.json" --snp-pki "$G" --report-data-override 00 -o "$T/hrd.bin"
no "SNP HCL --report-data-override: binding broken" -- py "$hcl_check" "$T/hrd.bin" "$AZ/claims.json" 2
ok "SNP HCL --report-data-override: binding broken, as asked" -- py "$hcl_check" "$T/hrd.bin" "$AZ/claims.json" 2 2600 2 bad
ok "SNP HCL --report-data-override: still signed" -- snp_sig "$T/hrd.bin" "$G/vcek.pem"
ok "generate" -- "$MOCK" azure hcl --claims "$AZ/claims.json" --snp-pki "$G" --set 0xB0=01 --set 0x4CC=02000000 -o "$T/hset.bin"
ok "SNP HCL --set in the report: re-signed" -- snp_sig "$T/hset.bin" "$G/vcek.pem"
ok "SNP HCL --set: bytes changed" -- py 'import sys; d = open(sys.argv[1], "rb").read(); assert d[0xB0] == 1 and d[0x4CC] == 2' "$T/hset.bin"
ok "generate" -- "$MOCK" azure hcl --claims "$AZ/claims.json" --snp-pki "$G" --flip 0x500 -o "$T/hflip.bin"
no "SNP HCL --flip in the claims: binding broken" -- py "$hcl_check" "$T/hflip.bin" "$AZ/claims.json" 2
ok "generate" -- "$MOCK" azure hcl --claims "$AZ/claims.json" --snp-pki "$G" --flip 0xB0 -o "$T/hflip2.bin"
no "SNP HCL --flip in the report: signature broken" -- snp_sig "$T/hflip2.bin" "$G/vcek.pem"
usage "SNP HCL: claims larger than --size" -- "$MOCK" azure hcl --claims "$AZ/claims.json" --snp-pki "$G" --size 1300 -o "$T/x.bin"
usage "HCL: both --snp-pki and --tdx-pki" -- "$MOCK" azure hcl --claims "$AZ/claims.json" --snp-pki "$G" --tdx-pki "$TP/intel" -o "$T/x.bin"

# TDX: TDREPORT fields == the TD quote's (v4 body at 48, TD report 1.0).
td_check='
import hashlib, sys
h = open(sys.argv[1], "rb").read(); r = h[0x20:0x420]; q = open(sys.argv[2], "rb").read()
b = q[48:48 + 584] if q[0] == 4 else q[54:54 + 648]
assert r[:4] == bytes([0x81, 0, 0, 0]) and r[128:192] == b[520:584], "REPORTDATA"
assert r[264:384] == b[0:120], "TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAM attributes"
assert r[512:912] == b[120:520], "TD attributes, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMRs"
assert r[32:80] == hashlib.sha384(r[256:495]).digest() and r[80:128] == hashlib.sha384(r[512:1024]).digest()
for a in sys.argv[3:]: exec(a)
'
ok "TDX HCL: layout and binding" -- py "$hcl_check" "$AZ/tdx/hcl_report.bin" "$AZ/claims.json" 4
ok "TDX HCL: TDREPORT equals its TD quote" -- py "$td_check" "$AZ/tdx/hcl_report.bin" "$AZ/tdx/td_quote.bin"
ok "generate" -- "$MOCK" azure hcl --claims "$AZ/claims.json" --tdx-pki "$TP/intel" --quote-version 5 --mrtd 11 --rtmr 2=22 \
    --td-attributes 00000010 --td-quote-out "$T/tq5.bin" -o "$T/ht5.bin"
ok "TDX HCL v5 quote, --mrtd --rtmr --td-attributes in both" -- py "$td_check" "$T/ht5.bin" "$T/tq5.bin" \
    'assert r[528] == 0x11 and r[720 + 96] == 0x22 and r[515] == 0x10'
ok "generate" -- "$MOCK" azure hcl --claims "$AZ/claims.json" --tdx-pki "$TP/intel" --set 0x230=ff --td-quote-out "$T/tq.bin" -o "$T/hts.bin"
no "TDX HCL --set MRTD: TDREPORT differs from the quote" -- py "$td_check" "$T/hts.bin" "$T/tq.bin"
ok "TDX HCL --set: the edit is in TDINFO, whose hash was recomputed" -- py '
import hashlib, sys; r = open(sys.argv[1], "rb").read()[0x20:0x420]
assert r[0x210] == 0xFF and r[80:128] == hashlib.sha384(r[512:1024]).digest()' "$T/hts.bin"

# ---- vTPM quotes --------------------------------------------------------
# quote_check MSG PCRS NONCE_HEX SELECTION_HEX TPMT_PUBLIC|-: TPMS_ATTEST per
# MANIFEST 1 (- : qualifiedSigner not checked).
quote_check='
import hashlib, struct, sys
m = open(sys.argv[1], "rb").read(); p = open(sys.argv[2], "rb").read(); nonce = bytes.fromhex(sys.argv[3])
assert m[:6] == bytes.fromhex("ff5443478018") and m[6:10] == bytes.fromhex("0022000b")
if sys.argv[5] != "-":
    assert m[10:42] == hashlib.sha256(open(sys.argv[5], "rb").read()).digest(), "qualifiedSigner = name of the AK TPMT_PUBLIC"
n = struct.unpack(">H", m[42:44])[0]; assert m[44:44 + n] == nonce, "extraData"
o = 44 + n + 17
assert m[o:o + 8] == bytes.fromhex("2020031200120003"), "firmwareVersion"
assert m[o + 8:o + 18] == bytes.fromhex("00000001000b03") + bytes.fromhex(sys.argv[4]), "selection"
assert m[o + 18:o + 20] == b"\x00\x20" and len(m) == o + 52
assert m[o + 20:] == hashlib.sha256(p).digest(), "pcrDigest"
'
Q=$AZ/snp
N=$(cat "$Q/nonce.hex")
ok "quote: signature verifies with the AK" -- openssl dgst -sha256 -verify "$AZ/ak_pub.pem" -signature "$Q/quote_sig.bin" "$Q/quote_msg.bin"
ok "quote: TPMS_ATTEST fields, digest over the 24 PCRs" -- py "$quote_check" "$Q/quote_msg.bin" "$Q/pcrs.bin" "$N" ffffff "$AZ/ak_tpmt_public.bin"
ok "quote: sizes (RSA-2048 signature, 24 PCRs, 116 + nonce - 3)" -- py '
import os, sys; assert [os.path.getsize(f) for f in sys.argv[1:4]] == [256, 768, 113 + len(sys.argv[4]) // 2]' \
    "$Q/quote_sig.bin" "$Q/pcrs.bin" "$Q/quote_msg.bin" "$N"
ok "quote: Azure PCR values 17-22 FF, 23 zero" -- py '
import sys; p = open(sys.argv[1], "rb").read(); assert p[17 * 32:23 * 32] == b"\xff" * 192 and p[23 * 32:] == bytes(32) and p[:32] == b"\xa0" * 32' "$Q/pcrs.bin"
ok "quote: verifies with the AK certificate's key" -- openssl dgst -sha256 -verify "$T/ak_cert_pub.pem" -signature "$Q/quote_sig.bin" "$Q/quote_msg.bin"
q() { "$MOCK" azure quote --pki "$AZ" -o "$T/m.bin" --sig-out "$T/s.bin" --pcrs-out "$T/p.bin" "$@"; }
sig_ok() { openssl dgst -sha256 -verify "$AZ/ak_pub.pem" -signature "$T/s.bin" "$T/m.bin"; }
ok "generate" -- q --nonce 010203 --pcrs 15,16,22 --pcr 16=aa
ok "quote --pcrs 15,16,22 (K3's selection): signed" -- sig_ok
ok "quote --pcrs 15,16,22: selection 00 80 41, 3 values, digest" -- py "$quote_check" "$T/m.bin" "$T/p.bin" 010203 008041 "$AZ/ak_tpmt_public.bin"
ok "quote --pcr 16=aa: the value given, zero-padded" -- py 'import sys; p = open(sys.argv[1], "rb").read(); assert len(p) == 96 and p[32:64] == b"\xaa" + bytes(31)' "$T/p.bin"
ok "generate" -- q --nonce 010203 --pcrs 0-7,14 --pcrs-out-all
ok "quote --pcrs-out-all: 24 values for a 9-PCR selection" -- py 'import os, sys; assert os.path.getsize(sys.argv[1]) == 768' "$T/p.bin"
no "quote --pcrs-out-all: the digest is over the selection only" -- py "$quote_check" "$T/m.bin" "$T/p.bin" 010203 ff4000 "$AZ/ak_tpmt_public.bin"
ok "generate" -- q --nonce 010203 --tamper-pcr 3=00
ok "quote --tamper-pcr: still signed" -- sig_ok
no "quote --tamper-pcr: digest no longer matches" -- py "$quote_check" "$T/m.bin" "$T/p.bin" 010203 ffffff "$AZ/ak_tpmt_public.bin"
ok "generate" -- q --no-nonce
ok "quote --no-nonce: empty extraData, signed" -- py "$quote_check" "$T/m.bin" "$T/p.bin" "" ffffff "$AZ/ak_tpmt_public.bin"
ok "generate" -- q --nonce "$N" --flip 50
no "quote --flip: signature broken" -- sig_ok
ok "generate" -- q --nonce "$N" --flip-sig 0
no "quote --flip-sig: signature broken" -- sig_ok
ok "generate" -- q --nonce "$N" --sign-with "$TP/azure-rogue/ak.key.pem"
no "quote --sign-with another key: not the AK's signature" -- sig_ok
ok "quote --sign-with: that key's signature" -- openssl dgst -sha256 -verify "$TP/azure-rogue/ak_pub.pem" -signature "$T/s.bin" "$T/m.bin"
ok "generate" -- q --nonce "$N" --set 0x2c=00
ok "quote --set: signed over the edited bytes" -- sig_ok
no "quote --set: extraData no longer the nonce" -- py "$quote_check" "$T/m.bin" "$T/p.bin" "$N" ffffff "$AZ/ak_tpmt_public.bin"
usage "quote: PCR 24" -- q --nonce 01 --pcrs 0-24
usage "quote: no nonce option" -- q
usage "quote: 65-byte nonce" -- q --nonce "$(printf '%0130d' 0)"
usage "quote: --flip outside" -- q --nonce 01 --flip 4096
usage "unknown azure command" -- "$MOCK" azure report
ok "azure --help on stdout" -- sh -c "'$MOCK' azure --help | grep -q 'azure quote --pki DIR'"

# The hardware parts verify with libattest as they are: the SNP report cut
# out of the HCL and the TD quote, with the binding hash as the nonce (the
# CPU's report data must equal it, zero padded).
CLI=${ATTEST_CLI:-}
if [ -n "$CLI" ]; then
  bind=$(openssl dgst -sha256 -r "$AZ/claims.json" | cut -c1-64)
  py 'import sys; open(sys.argv[2], "wb").write(open(sys.argv[1], "rb").read()[0x20:0x20 + 1184])' \
      "$AZ/snp/hcl_report.bin" "$T/snp_report.bin"
  ok "SNP report of the HCL verifies with libattest, nonce = SHA-256(claims)" -- "$CLI" verify \
      --at 2025-06-15T00:00:00Z --anchor "$(cat "$G/anchor.sha256")" --nonce "$bind" \
      "$T/snp_report.bin" "$G/vcek.pem" "$G/chain.pem" "$G/crl.der"
  no "SNP report of the HCL: another nonce" -- "$CLI" verify --at 2025-06-15T00:00:00Z \
      --anchor "$(cat "$G/anchor.sha256")" --nonce "$N" "$T/snp_report.bin" "$G/vcek.pem" "$G/chain.pem" "$G/crl.der"
  I=$TP/intel
  ok "TD quote next to the TDX HCL verifies with libattest, nonce = SHA-256(claims)" -- "$CLI" verify \
      --at 2025-06-15T00:00:00Z --no-builtin-anchors --anchor-intel "$(cat "$I/anchor.sha256")" --nonce "$bind" \
      "$AZ/tdx/td_quote.bin" "$I/tcb_info_tdx.json" "$I/qe_identity_td.json" "$I/tcb_signing_chain.pem" \
      "$I/root_crl.der" "$I/pck_crl.der"
fi

# The same checks hold on real Azure evidence, so what they accept in the
# generated files is Azure's format (MANIFEST 3: AT01, S07 with AS01's quote).
AV=${ATTEST_SHARED:-../shared}/vectors
if [ -d "$AV/azure" ]; then
  claims_of() { py 'import struct, sys; d = open(sys.argv[1], "rb").read(); n = struct.unpack_from("<I", d, 0x4D0)[0]
open(sys.argv[2], "wb").write(d[0x4D4:0x4D4 + n])' "$1" "$2"; }
  A1=$AV/azure/tdx/AT01_trustee_tdx_current
  claims_of "$A1/hcl-report.bin" "$T/at01.json"
  ok "real AT01: HCL checks hold" -- py "$hcl_check" "$A1/hcl-report.bin" "$T/at01.json" 4
  ok "real AT01: TDREPORT checks hold against its TD quote" -- py "$td_check" "$A1/hcl-report.bin" \
      "$AV/tdx/quotes/tdx_v4_00806F050000_azure_trustee.bin"
  ok "real AT01: quote checks hold" -- py "$quote_check" "$A1/quote_msg.bin" "$A1/pcrs_sha256.bin" 6368616c6c656e6765 ffffff -
  S07=$AV/snp/sets/S07_milan_v2_azure_hcl_trustee
  claims_of "$S07/hcl_report.bin" "$T/s07.json"
  ok "real S07: HCL checks hold (header v1)" -- py "$hcl_check" "$S07/hcl_report.bin" "$T/s07.json" 2 2600 1
  ok "real S07: claims keys in the generated order" -- py '
import json, sys; a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert list(a) == list(b) and list(a["keys"][0]) == list(b["keys"][0])' "$T/s07.json" "$AZ/claims.json"
else
  echo "note: $AV/azure absent: real-format comparisons skipped"
fi

echo "azgen.sh: $((n - fails))/$n checks passed"
[ "$fails" -eq 0 ]
