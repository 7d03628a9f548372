#!/bin/sh
# Seeds for fuzz/fuzz_results.c from ../shared/vectors/results: each input
# prefixed by the byte that picks its path (0 NRAS public, 1 ITA/MAA public,
# 2 NRAS mapping, 3 one claims object for the ITA/MAA mappings).
B=${1:-build}
SHARED=${2:-../shared}
RS=$SHARED/vectors/results
OUT=$B/fuzz-corpus/results
mkdir -p "$OUT"
[ -d "$RS" ] || { echo "seed_results: $RS absent, corpus left empty"; exit 0; }
i=0
for f in "$RS"/nras/N0*/nras_response.json; do
  i=$((i + 1))
  { printf '\000'; cat "$f"; } > "$OUT/nras_public_$i"
  { printf '\002'; cat "$f"; } > "$OUT/nras_mapping_$i"
done
for f in "$RS"/ita/*.jwt "$RS"/maa/*.jwt; do
  i=$((i + 1))
  { printf '\001'; cat "$f"; } > "$OUT/token_$i"
  python3 - "$f" "$OUT/claims_$i" <<'PY'
import base64, sys
part = open(sys.argv[1]).read().strip().split('.')[1]
data = base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))
open(sys.argv[2], 'wb').write(b'\x03' + data)
PY
done
echo "seed_results: $(ls "$OUT" | wc -l) inputs in $OUT"
