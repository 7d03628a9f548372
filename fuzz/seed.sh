#!/bin/sh
# Seed corpus for the SNP report fuzzer: synthetic reports from the mock TEE
# and, when ../shared is present, the real reports of the vector MANIFEST.
set -eu
B=$1; SHARED=$2
out=$B/fuzz-corpus/snp-report
mkdir -p "$out"
[ -d "$B/testpki/milan" ] || "$B/attest-mock" snp pki --product Milan --out "$B/testpki/milan"
for v in 2 3 5; do
  "$B/attest-mock" snp report --pki "$B/testpki/milan" --version $v -o "$out/synthetic-v$v.bin"
done
if [ -d "$SHARED/vectors/snp" ]; then
  find "$SHARED/vectors/snp" -name '*.bin' | while read -r f; do
    cp "$f" "$out/real-$(echo "$f" | sha256sum | cut -c1-12).bin"
  done
fi
echo "seed corpus: $(ls "$out" | wc -l) files in $out"
