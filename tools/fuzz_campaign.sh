#!/bin/sh
# Fuzz campaign (issue 14): every harness of `make fuzz` runs until
# FUZZ_EXECS executions (default 10,000,000) or FUZZ_SECONDS seconds
# (default 3600), whichever comes first, with its libFuzzer dictionary
# (fuzz/dict/), niced; then a table per harness: executions, edges (the
# last "cov:" of libFuzzer), line coverage of the harness's target files
# (llvm-cov over the corpus, from a -fprofile-instr-generate build) and
# findings (crash-/leak-/timeout-/oom- files; UBSan halts, so its reports
# are crashes too).
#
# Resumable: the corpus stays in $B/fuzz-corpus/<harness>/ and the
# executions and seconds spent so far in $B/fuzz-campaign/<harness>.state;
# a second run continues each harness where it stopped and skips the
# finished ones (FUZZ_RESET=1 starts the counts again, keeping the corpus).
#
#   usage: sh tools/fuzz_campaign.sh [HARNESS...]     (make fuzz-campaign)
#   env:   B=build SHARED=../shared FUZZ_EXECS FUZZ_SECONDS FUZZ_JOBS=1
#          FUZZ_NICE=19 FUZZ_TIMEOUT=30 (seconds for one input)
#          FUZZ_COVERAGE=1 (0: no coverage build, no line %)
#          FUZZ_RESTARTS=3 (runs after a finding, per harness and call)
#          FUZZ_CHUNK=600 (seconds per libFuzzer run, so that a campaign
#          stopped midway keeps what it ran: the state is written per run)
set -u
B=${B:-build}
SHARED=${SHARED:-../shared}
MAKE=${MAKE:-make}
FUZZ_EXECS=${FUZZ_EXECS:-10000000}
FUZZ_SECONDS=${FUZZ_SECONDS:-3600}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_NICE=${FUZZ_NICE:-19}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-30}
FUZZ_COVERAGE=${FUZZ_COVERAGE:-1}
FUZZ_RESTARTS=${FUZZ_RESTARTS:-3}
FUZZ_CHUNK=${FUZZ_CHUNK:-600}
OUT=$B/fuzz-campaign
ALL="snp-report policy dcap-quote dcap-collateral nv-report nv-rim hcl-report runtime-claims
tpm-attest evidence evidence-parts collateral token fetch-response"
ALL="$ALL ovmf ratls eventlog jws results"

# harness -> max_len, dictionaries (fuzz/dict/*.dict), target files of the line %
max_len() {
  case $1 in
    snp-report | policy | hcl-report | runtime-claims) echo 4096 ;;
    dcap-quote | dcap-collateral) echo 16384 ;;
    nv-report) echo 163840 ;;
    *) echo 65536 ;;
  esac
}
dicts() {
  case $1 in
    policy) echo json policy ;;
    dcap-collateral) echo json dcap ;;
    nv-report) echo json nvidia pem ;;
    nv-rim) echo xml ;;
    runtime-claims) echo json azure ;;
    evidence) echo json bundle nvidia azure pem ;;
    collateral) echo json dcap collateral pem xml ;;
    token) echo json token ;;
    jws) echo json token jwks pem ;;
    results) echo json token jwks ;;
    fetch-response) echo http json collateral pem ;;
    *) ;; # binary layouts: the mutator's own comparisons do better
  esac
}
targets() {
  case $1 in
    snp-report) echo lib/parse/snp_report.c ;;
    policy) echo lib/appraise/policy_reader.c lib/api/policy.c ;;
    dcap-quote) echo lib/parse/dcap_quote.c ;;
    dcap-collateral) echo lib/parse/dcap_collateral.c ;;
    nv-report) echo lib/parse/spdm_report.c lib/parse/nv_container.c ;;
    nv-rim) echo lib/parse/nv_rim.c lib/chain/nv_rim_sig.c ;;
    hcl-report) echo lib/parse/azure_hcl.c ;;
    runtime-claims) echo lib/parse/azure_claims.c ;;
    tpm-attest) echo lib/parse/tpm_attest.c ;;
    ovmf) echo lib/parse/ovmf.c ;;
    ratls) echo lib/parse/ratls_ext.c lib/api/ratls.c ;;
    results) echo lib/appraise/results_nras.c lib/appraise/results_ita.c lib/appraise/results_maa.c \
      lib/api/results.c lib/chain/jws.c ;;
    eventlog) echo lib/parse/tcg_eventlog.c lib/parse/ccel.c lib/parse/dstack_eventlog.c ;;
    evidence) echo lib/api/evidence.c lib/api/bundle.c lib/parse/snp_certs.c ;;
    evidence-parts) echo lib/api/azure_evidence.c ;;
    collateral) echo lib/api/collateral.c lib/api/classify.c lib/parse/thim.c \
      lib/api/thim_collateral.c lib/parse/snp_certs.c ;;
    token) echo lib/token/token.c ;;
    jws) echo lib/chain/jws.c lib/chain/jws_keyset.c ;;
    fetch-response) echo lib/api/fetch.c lib/api/http.c ;;
  esac
}

# The environment of the verifying harnesses (fuzz/fuzz_util.h), and UBSan
# halting so that its report is a finding with its input saved.
harness_env() {
  ATTEST_TEST_PKI=$(cd "$B/testpki" && pwd)
  ATTEST_SHARED=$(cd "$SHARED" 2>/dev/null && pwd)
  FUZZ_EVIDENCE=$(ls -d "$(cd "$B" && pwd)"/fuzz-fixtures/* 2>/dev/null | tr '\n' :)
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  export ATTEST_TEST_PKI ATTEST_SHARED FUZZ_EVIDENCE UBSAN_OPTIONS
}

# ---- one harness: run until its budget is spent ---------------------------
state_get() { # HARNESS FIELD(1 execs, 2 seconds)
  [ -f "$OUT/$1.state" ] && cut -d' ' -f"$2" "$OUT/$1.state" || echo 0
}
last_stat() { # LOG: "EXECS EDGES" of the last libFuzzer status line
  grep -aE '^#[0-9]+' "$1" | tail -n 1 |
    sed -nE 's/^#([0-9]+).*cov: ([0-9]+).*/\1 \2/p'
}
run_one() {
  h=$1 restarts=0
  mkdir -p "$OUT/findings/$h" "$OUT/logs" "$B/fuzz-corpus/$h"
  d=$OUT/dict/$h.dict
  rm -f "$d"
  for x in $(dicts "$h"); do cat "fuzz/dict/$x.dict" >> "$d"; done
  dict_arg=; [ -s "$d" ] && dict_arg=-dict=$d
  while :; do
    execs=$(state_get "$h" 1) secs=$(state_get "$h" 2)
    left_execs=$((FUZZ_EXECS - execs)) left_secs=$((FUZZ_SECONDS - secs))
    [ "$left_execs" -gt 0 ] && [ "$left_secs" -gt 0 ] || return 0
    [ "$restarts" -le "$FUZZ_RESTARTS" ] || return 0
    [ "$left_secs" -le "$FUZZ_CHUNK" ] || left_secs=$FUZZ_CHUNK
    log=$OUT/logs/$h.$(date +%Y%m%dT%H%M%S).log
    start=$(date +%s)
    nice -n "$FUZZ_NICE" "$B/fuzz-$h" -runs="$left_execs" -max_total_time="$left_secs" \
      -max_len="$(max_len "$h")" -timeout="$FUZZ_TIMEOUT" -print_final_stats=1 \
      -artifact_prefix="$OUT/findings/$h/" $dict_arg \
      "$B/fuzz-corpus/$h" > "$log" 2>&1
    rc=$? spent=$(($(date +%s) - start))
    ran=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    [ -n "$ran" ] || ran=$(last_stat "$log" | cut -d' ' -f1)
    echo "$((execs + ${ran:-0})) $((secs + spent)) $(last_stat "$log" | cut -d' ' -f2)" > "$OUT/$h.state"
    echo "fuzz-campaign: $h: ${ran:-0} executions in ${spent}s (exit $rc, log $log)"
    [ "$rc" -eq 0 ] && [ "${ran:-0}" -eq 0 ] && return 0 # ran nothing: stop, no busy loop
    [ "$rc" -eq 0 ] && continue # a chunk ended: the budgets above decide
    restarts=$((restarts + 1)) # a finding (or a crash of the run): go on
  done
}

# ---- coverage: the corpus through the -fprofile-instr-generate build ------
line_cover() { # HARNESS: "covered/total pct%" over its target files
  h=$1 prof=$OUT/cov/$h
  rm -rf "$prof" && mkdir -p "$prof"
  LLVM_PROFILE_FILE="$prof/%p.profraw" "$B/fuzzcov/fuzz-$h" -runs=0 -timeout="$FUZZ_TIMEOUT" \
    -max_len="$(max_len "$h")" "$B/fuzz-corpus/$h" > "$prof/run.log" 2>&1
  llvm-profdata merge -sparse -o "$prof/merged.profdata" "$prof"/*.profraw 2>>"$prof/run.log" ||
    { echo "n/a"; return; }
  llvm-cov export -summary-only -instr-profile="$prof/merged.profdata" "$B/fuzzcov/fuzz-$h" \
    > "$prof/summary.json" 2>>"$prof/run.log" || { echo "n/a"; return; }
  python3 - "$prof/summary.json" $(targets "$h") <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["data"][0]["files"]
covered = total = 0
parts = []
for want in sys.argv[2:]:
    for f in files:
        if f["filename"].endswith("/" + want) or f["filename"] == want:
            l = f["summary"]["lines"]
            covered += l["covered"]; total += l["count"]
            parts.append("%s %.0f%%" % (want.rsplit("/", 1)[-1], l["percent"]))
            break
    else:
        parts.append("%s -" % want.rsplit("/", 1)[-1])
pct = 100.0 * covered / total if total else 0.0
print("%.1f%% (%s)" % (pct, ", ".join(parts)))
PY
}

findings() { # HARNESS: "N (crash a, leak b, timeout c, oom d)" or 0
  set -- "$OUT/findings/$1"
  c=$(ls "$1" 2>/dev/null | grep -c '^crash-') l=$(ls "$1" 2>/dev/null | grep -c '^leak-')
  t=$(ls "$1" 2>/dev/null | grep -c '^timeout-') o=$(ls "$1" 2>/dev/null | grep -c '^oom-')
  n=$((c + l + t + o))
  [ "$n" -eq 0 ] && echo 0 || echo "$n (crash $c, leak $l, timeout $t, oom $o)"
}

report() {
  printf '\n%-16s %12s %7s %7s  %-10s %s\n' harness executions seconds edges findings "lines of the target files"
  for h in $HARNESSES; do
    cover=n/a
    [ "$FUZZ_COVERAGE" = 1 ] && cover=$(line_cover "$h")
    printf '%-16s %12s %7s %7s  %-10s %s\n' "$h" "$(state_get "$h" 1)" "$(state_get "$h" 2)" \
      "$(state_get "$h" 3)" "$(findings "$h")" "$cover"
  done
}

# ---- main ------------------------------------------------------------------
if [ "${1:-}" = --one ]; then # internal: one harness, for FUZZ_JOBS > 1
  harness_env
  run_one "$2"
  exit 0
fi
HARNESSES=${*:-$ALL}
HARNESSES=$(echo $HARNESSES)
for h in $HARNESSES; do
  echo " $ALL " | tr '\n' ' ' | grep -q " $h " || { echo "fuzz-campaign: unknown harness $h" >&2; exit 2; }
done
mkdir -p "$OUT/dict"
if [ "${FUZZ_RESET:-0}" = 1 ]; then for h in $HARNESSES; do rm -f "$OUT/$h.state"; done; fi

# the harnesses, the coverage builds and the seed corpora (added to, never emptied)
$MAKE -s $(for h in $HARNESSES; do echo "$B/fuzz-$h"; [ "$FUZZ_COVERAGE" = 1 ] && echo "$B/fuzzcov/fuzz-$h"; done) \
  "$B/attest" "$B/attest-mock" "$B/testpki/.done" || exit 1
{ sh fuzz/seed.sh "$B" "$SHARED" && sh fuzz/seed_dcap.sh "$B" "$SHARED" &&
  sh fuzz/seed_nv.sh "$B" "$SHARED" && sh fuzz/seed_azure.sh "$B" "$SHARED" &&
  sh fuzz/seed_public.sh "$B" "$SHARED"; } > "$OUT/seed.log" 2>&1 ||
  { tail -n 20 "$OUT/seed.log"; echo "fuzz-campaign: seeding failed" >&2; exit 1; }
mkdir -p "$B/fuzz-corpus/policy" && cp fuzz/corpus/policy/* examples/policy-*.json "$B/fuzz-corpus/policy/"
{ python3 fuzz/seed_ovmf.py "$B/fuzz-corpus/ovmf" && sh fuzz/seed_ratls.sh "$B" "$SHARED" &&
  python3 fuzz/seed_eventlog.py "$B/fuzz-corpus/eventlog" &&
  python3 fuzz/seed_jws.py "$B/fuzz-corpus/jws" "$SHARED" && sh fuzz/seed_results.sh "$B" "$SHARED"; } >> "$OUT/seed.log" 2>&1

echo "fuzz-campaign: $FUZZ_EXECS executions or $FUZZ_SECONDS s per harness, $FUZZ_JOBS at a time, nice $FUZZ_NICE"
printf '%s\n' $HARNESSES | xargs -P "$FUZZ_JOBS" -I{} env B="$B" SHARED="$SHARED" FUZZ_EXECS="$FUZZ_EXECS" \
  FUZZ_SECONDS="$FUZZ_SECONDS" FUZZ_NICE="$FUZZ_NICE" FUZZ_TIMEOUT="$FUZZ_TIMEOUT" \
  FUZZ_RESTARTS="$FUZZ_RESTARTS" sh "$0" --one {}
harness_env
report | tee "$OUT/report.txt"
