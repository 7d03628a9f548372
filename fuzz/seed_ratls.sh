#!/bin/sh
# Seed corpus for fuzz_ratls: mock RA-TLS certificates made by attest-mock
# (one per broken check) and, when ../shared is present, the real RA-TLS
# certificates and CSRs of vectors/ratls and their extension values, each
# prefixed with the byte that picks its carrier in the harness
# (1 + carrier - 1: 1 TCG, 2 Gramine legacy, 3 Intel legacy, 4 OE,
# 5 OE legacy, 6 Steward SGX, 7 Steward SNP). Under $B/fuzz-corpus/ only.
#   usage: sh fuzz/seed_ratls.sh BUILD_DIR SHARED_DIR
set -eu
B=$1; SHARED=$2
D=$B/fuzz-corpus/ratls
mkdir -p "$D"
if [ -x "$B/attest-mock" ] && [ -d "$B/testpki/intel" ]; then
  i=0
  for o in "" --no-key-hash --second-ext "--tag 60099" "--trailing 2" "--tee sgx"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    "$B/attest-mock" ratls cert --pki "$B/testpki/intel" -o "$D/mock-$i.pem" \
      --key-out "$B/fuzz-corpus/ratls-key-$i.pem" $o
  done
fi
R=$SHARED/vectors/ratls
if [ -d "$R" ]; then
  cp "$R"/ccc_interop/*.pem "$R"/steward_csr/*.csr "$R"/oe_maa_signing_cert/*.der "$D/"
  seed() { { printf "$1"; cat "$2"; } > "$D/value-$3"; }
  seed '\001' "$R/ccc_interop/gramine.tcg_evidence.cbor" tcg-gramine
  seed '\001' "$R/ccc_interop/rats-tls.tcg_evidence.cbor" tcg-rats-tls
  seed '\002' "$R/ccc_interop/gramine.legacy_quote.bin" gramine-legacy
  seed '\004' "$R/oe_maa_signing_cert/oe_evidence_311_105_1.bin" oe
fi
