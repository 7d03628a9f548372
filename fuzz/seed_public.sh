#!/bin/sh
# Seed corpora for the public-entry-point fuzzers (fuzz_evidence,
# fuzz_evidence_parts, fuzz_collateral, fuzz_token, fuzz_fetch_response): the committed seeds of
# fuzz/corpus/<harness>/, fresh mock output signed by this build's test PKI
# (so that verification in the harnesses goes past the signatures), and,
# when ../shared is present, the real vectors (read, never committed).
# Writes $B/fuzz-corpus/<harness>/ and $B/fuzz-fixtures/ (the fixed
# evidence fuzz_collateral verifies; FUZZ_EVIDENCE names those files).
#   usage: sh fuzz/seed_public.sh BUILD_DIR SHARED_DIR
set -eu
B=$1; SHARED=$2
M=$B/attest-mock P=$B/testpki
E=$B/fuzz-corpus/evidence EP=$B/fuzz-corpus/evidence-parts
C=$B/fuzz-corpus/collateral T=$B/fuzz-corpus/token F=$B/fuzz-fixtures
mkdir -p "$E" "$EP" "$C" "$T" "$F"
for h in evidence evidence-parts collateral token fetch-response; do
  mkdir -p "$B/fuzz-corpus/$h" && cp fuzz/corpus/$h/* "$B/fuzz-corpus/$h/"
done
[ -f "$P/.done" ] || { echo "seed: $P missing (make $P/.done)" >&2; exit 1; }

# ---- evidence: one of each format, signed by the test PKI ----------------
for v in 2 3 5; do "$M" snp report --pki "$P/milan" --version $v -o "$E/gen-snp-v$v.bin"; done
"$M" snp report --pki "$P/genoa" --vlek -o "$E/gen-snp-genoa-vlek.bin" 2>/dev/null ||
  "$M" snp report --pki "$P/genoa" -o "$E/gen-snp-genoa.bin"
"$M" dcap quote --pki "$P/intel" --tee tdx -o "$E/gen-tdx-v4.bin"
"$M" dcap quote --pki "$P/intel" --tee tdx --version 5 -o "$E/gen-tdx-v5.bin"
"$M" dcap quote --pki "$P/intel" --tee sgx -o "$E/gen-sgx-v3.bin"
cp "$P/nvidia/report.bin" "$E/gen-nv-report.bin"
cp "$P/nvidia/evidence.json" "$E/gen-nv-evidence.json"
cp "$P/azure/snp/hcl_report.bin" "$E/gen-azure-snp-hcl.bin"
cp "$P/azure/tdx/hcl_report.bin" "$E/gen-azure-tdx-hcl.bin"
"$B/attest" bundle create -o "$E/gen-bundle.json" "$E/gen-snp-v3.bin" "$P/milan/vcek.pem" "$P/milan/chain.pem" \
  "$P/milan/crl.der" >/dev/null
base64 -w0 < "$E/gen-snp-v3.bin" > "$E/gen-snp-v3.b64"
# the fixed evidence of fuzz_collateral
cp "$E/gen-snp-v3.bin" "$F/snp.bin"
cp "$E/gen-tdx-v4.bin" "$F/tdx.bin"
cp "$E/gen-nv-evidence.json" "$F/nvidia.json"

# ---- evidence parts: [kind u8][len u16 LE][bytes] per part ---------------
part() { # KIND FILE
  n=$(wc -c < "$2")
  printf "\\$(printf %03o "$1")\\$(printf %03o $((n % 256)))\\$(printf %03o $((n / 256)))"
  cat "$2"
}
for t in snp tdx; do
  d=$P/azure/$t
  { part 1 "$d/hcl_report.bin"; part 2 "$d/quote_msg.bin"; part 3 "$d/quote_sig.bin"
    part 4 "$d/pcrs.bin"; [ ! -f "$d/td_quote.bin" ] || part 5 "$d/td_quote.bin"; } \
    > "$EP/gen-azure-$t.parts"
done

# ---- collateral: every form attest_collateral_add takes ------------------
for f in milan/vcek.pem milan/chain.pem milan/crl.der intel/tcb_info_tdx.json \
         intel/qe_identity_td.json intel/pck_crl.der nvidia/ocsp/device_cert1.der \
         nvidia/device_cert_chain.pem azure/ak.pem; do
  cp "$P/$f" "$C/gen-$(echo "$f" | tr / -)"
done
openssl x509 -in "$P/milan/vcek.pem" -outform DER -out "$C/gen-vcek.der"
tail -c +4 "$B/fuzz-corpus/fetch-response/gen-thim" 2>/dev/null | sed '1,/^\r*$/d' > "$C/gen-thim.json" || true
base64 -w0 < "$P/milan/crl.der" > "$C/gen-crl.b64"
# THIM JSON (and base64), certificate tables, Trustee JSON for this PKI
python3 fuzz/seed_formats.py "$P/milan" "$E/gen-snp-v3.bin" "$C" "$E"

# ---- token: the claims of a token attest signs for mock evidence ---------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$B/fuzz-token-key.pem" 2>/dev/null
"$B/attest" verify --at 2026-06-01T00:00:00Z --token-key "$B/fuzz-token-key.pem" \
  --token-out "$B/fuzz-token.jwt" "$E/gen-snp-v3.bin" "$P/milan" >/dev/null 2>&1 || true
if [ -s "$B/fuzz-token.jwt" ]; then
  cp "$B/fuzz-token.jwt" "$T/gen-token.jwt"
  cut -d. -f2 "$B/fuzz-token.jwt" | tr _- /+ | awk '{ while (length($0) % 4) $0 = $0 "="; print }' |
    base64 -d > "$T/gen-claims.json" 2>/dev/null || true
fi

# ---- fetch-response: HTTP answers (and the recorded ones of ../shared) ---
python3 fuzz/seed_fetch.py "$P" "$SHARED" "$B/fuzz-corpus/fetch-response" >/dev/null

# ---- real vectors (read at run time, never committed) --------------------
V=$SHARED/vectors
if [ -d "$V" ]; then
  real() { cp "$1" "$2/real-$(printf '%s' "$1" | sha256sum | cut -c1-12)-$(basename "$1")"; }
  find "$V/snp" "$V/tdx" -type f -name '*.bin' -size -64k 2>/dev/null | head -n 40 |
    while read -r f; do real "$f" "$E"; done
  find "$V/nvidia" "$V/azure" -type f -name '*.json' -size -64k 2>/dev/null | head -n 20 |
    while read -r f; do real "$f" "$E"; done
  find "$V" -type f \( -name '*.pem' -o -name '*.der' -o -name '*.crl' -o -name '*.json' \) \
    -size -64k 2>/dev/null | head -n 60 | while read -r f; do real "$f" "$C"; done
  # the expanding forms: dcap-qvl collateral JSON, RIM service JSON, THIM
  find "$V/tdx/bundles" -name '*.collateral.json' -size -64k 2>/dev/null |
    while read -r f; do real "$f" "$C"; done
  find "$V/online/rim" "$V/azure" -type f -name '*.json' -size -64k 2>/dev/null | head -n 10 |
    while read -r f; do real "$f" "$C"; done
fi
for h in evidence evidence-parts collateral token fetch-response; do
  echo "seed corpus: $(ls "$B/fuzz-corpus/$h" | wc -l) files in $B/fuzz-corpus/$h"
done
