#!/bin/sh
# Seed corpora for the Azure fuzzers (fuzz_hcl_report, fuzz_runtime_claims,
# fuzz_tpm_attest): when ../shared is present, the real HCL reports, their
# runtime claims, TPMS_ATTEST quotes and evidence containers of
# vectors/azure and vectors/snp/sets. Everything goes under
# $B/fuzz-corpus/ (never into the repository).
#   usage: sh fuzz/seed_azure.sh BUILD_DIR SHARED_DIR
set -eu
B=$1; SHARED=$2
H=$B/fuzz-corpus/hcl-report
C=$B/fuzz-corpus/runtime-claims
T=$B/fuzz-corpus/tpm-attest
mkdir -p "$H" "$C" "$T"
# A minimal document, so that the claims corpus is never empty.
printf '{"keys":[{"kid":"HCLAkPub","kty":"RSA","e":"AQAB","n":"AQAB"}],"vm-configuration":{}}' \
  > "$C/min.json"
if [ -d "$SHARED/vectors/azure" ]; then
  A=$SHARED/vectors/azure
  i=0
  for f in "$A"/*/*/*hcl*.bin "$SHARED"/vectors/snp/sets/S0[789]*/hcl_report.bin; do
    [ -f "$f" ] || continue
    i=$((i + 1))
    cp "$f" "$H/real-$i.bin"
    # the claims: var_size (u32 LE at 0x4D0) bytes from 0x4D4
    n=$(od -An -tu4 -j 1232 -N 4 "$f" | tr -d ' ')
    dd if="$f" of="$C/real-$i.json" bs=1 skip=1236 count="$n" 2>/dev/null
  done
  cp "$A"/snp/AS09_*/runtime-data.json "$C/real-as09.json"
  for f in "$A"/*/*/*quote_msg.bin "$A"/*/*/tpm-quote.msg "$A"/tpm/*quote*.msg \
           "$A"/tpm/*_quote_msg.bin "$A"/*/*/quote.bin "$A"/tpm/*_quote.bin \
           "$A"/*/*/tpm-quote-v1.json "$A"/*/*/evidence-v*.json \
           "$SHARED"/vectors/snp/sets/S0[89]*/*.json; do
    [ -f "$f" ] || continue
    i=$((i + 1))
    cp "$f" "$T/real-$i-$(basename "$f")"
  done
fi
echo "seed corpus: $(ls "$H" | wc -l) in $H, $(ls "$C" | wc -l) in $C, $(ls "$T" | wc -l) in $T"
