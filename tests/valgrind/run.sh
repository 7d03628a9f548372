#!/bin/sh
# make check-valgrind: tests/cli.sh with every attest CLI call under
# valgrind memcheck (tests/valgrind/attest-vg.sh). Passes only when cli.sh
# passes and no memcheck log holds an error: an invalid read or write, a
# use of uninitialised memory, a bad free, or a definite or indirect leak
# (counted in the ERROR SUMMARY by --errors-for-leak-kinds). Memory still
# reachable at exit (OpenSSL, libxml2, libcurl initialisation) is no error.
# attest-mock and the other helpers run outside valgrind.
#   usage: sh tests/valgrind/run.sh BUILD_DIR   (with make's TEST_ENV)
set -u
B=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null || { echo "check-valgrind: valgrind missing (make deps)" >&2; exit 1; }
LOGS=$B/valgrind
rm -rf "$LOGS" && mkdir -p "$LOGS"
start=$(date +%s)
ATTEST_VG_BIN=$B/attest ATTEST_VG_LOGS=$LOGS ATTEST_VG_SUPP=$HERE/suppressions.supp \
  ATTEST_CLI=$HERE/attest-vg.sh sh "$HERE/../cli.sh"
rc=$?
runs=$(ls "$LOGS" | wc -l)
bad=$(grep -lE "ERROR SUMMARY: [1-9]|definitely lost: [1-9]|indirectly lost: [1-9]" "$LOGS"/*.log 2>/dev/null)
# a run that never reached its summary (valgrind itself killed) is no pass
bad="$bad $(grep -L "ERROR SUMMARY:" "$LOGS"/*.log 2>/dev/null)"
for f in $bad; do echo "== $f"; head -60 "$f"; done
echo "check-valgrind: $runs attest runs under memcheck, $(echo $bad | wc -w) with errors, $(($(date +%s) - start)) s (logs: $LOGS)"
times # user and system CPU of the children: the figure for the time budget
[ "$runs" -gt 0 ] || { echo "check-valgrind: no memcheck log written" >&2; exit 1; }
[ -z "$(echo $bad)" ] && [ "$rc" -eq 0 ]
