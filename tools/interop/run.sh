#!/bin/sh
# make interop: libattest against Phala's pure-JS DCAP verifier (npm
# @phala/dcap-qvl) on every complete verification set of
# $SHARED/vectors/tdx/MANIFEST.md section 1. Not part of `make check`: it
# needs node + npm and the npm registry (the package is installed into a
# scratch folder, $B/interop, never into the repository).
#
#   usage: sh tools/interop/run.sh [BUILD_DIR [SHARED_DIR]]
#   env:   DCAP_QVL_PKG   npm package to use (default @phala/dcap-qvl)
#          ATTEST_CLI     the attest binary (default BUILD_DIR/attest)
#          INTEROP_MARKDOWN=1  print the table as Markdown
# Exit: 0 every set agrees, or differs only as the MANIFEST records for
# dcap-qvl-js (or no vectors: skipped); 1 a set disagrees otherwise; 2 set-up
# failure (node/npm missing, package not installable, CLI absent, no set).
set -eu
B=${1:-build}
SHARED=${2:-../shared}
HERE=$(cd "$(dirname "$0")" && pwd)
MANIFEST=$SHARED/vectors/tdx/MANIFEST.md
CLI=${ATTEST_CLI:-$B/attest}
PKG=${DCAP_QVL_PKG:-@phala/dcap-qvl}
SCRATCH=$B/interop

if [ ! -f "$MANIFEST" ]; then
  echo "interop: $MANIFEST absent: nothing to compare (skipped)"
  exit 0
fi
for tool in node npm; do
  command -v $tool >/dev/null 2>&1 || { echo "interop: $tool not found" >&2; exit 2; }
done
[ -x "$CLI" ] || { echo "interop: $CLI missing (run make cli)" >&2; exit 2; }

# The package name as published; when it is not there, look for Phala's
# dcap-qvl JS package under another name.
mkdir -p "$SCRATCH"
moddir() { echo "$SCRATCH/node_modules/$1"; }
if [ ! -f "$(moddir "$PKG")/package.json" ]; then
  if ! npm view "$PKG" name >/dev/null 2>&1; then
    echo "interop: npm has no $PKG; searching for dcap-qvl" >&2
    alt=$(npm search --json dcap-qvl 2>/dev/null | node -e '
      let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
        let r = [];
        try { r = JSON.parse(s); } catch (e) { /* registry without search */ }
        r = Array.isArray(r) ? r.filter(p => p && /dcap-qvl/.test(p.name) &&
          /phala/i.test(JSON.stringify(p))) : [];
        if (r.length) console.log(r[0].name);
      });') || alt=
    [ -n "$alt" ] || { echo "interop: no Phala dcap-qvl package on npm" >&2; exit 2; }
    echo "interop: using $alt" >&2
    PKG=$alt
  fi
  npm install --prefix "$SCRATCH" --no-audit --no-fund --loglevel=error "$PKG" >&2 ||
    { echo "interop: npm install $PKG failed" >&2; exit 2; }
fi
MOD=$(moddir "$PKG")
[ -f "$MOD/src/verify.js" ] || { echo "interop: $MOD/src/verify.js not found" >&2; exit 2; }

set -- --manifest "$MANIFEST" --cli "$CLI" --module "$MOD" --work "$SCRATCH/work"
[ "${INTEROP_MARKDOWN:-0}" = 1 ] && set -- "$@" --markdown
exec node "$HERE/interop.js" "$@"
