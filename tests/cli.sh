#!/bin/sh
# The CLI contract (README "CLI"): exit 0 accepted, 1 rejected with the
# failing check named, 2 usage / I/O / unparseable input; --json prints the
# result object; inspect prints every field. Uses the mock TEE, and the real
# vectors when ../shared is present.
set -u
CLI=${ATTEST_CLI:?run through make check}
MOCK=${ATTEST_MOCK:?run through make check}
PKI=${ATTEST_TEST_PKI:?run through make check}/milan
SHARED=${ATTEST_SHARED:-../shared}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0; n=0

expect() { # expect CODE DESCRIPTION -- command...
  want=$1; what=$2; shift 3
  n=$((n + 1))
  "$@" >"$T/out" 2>"$T/err"; got=$?
  if [ "$got" -ne "$want" ]; then
    fails=$((fails + 1))
    echo "FAIL: $what: exit $got, want $want"; sed 's/^/  | /' "$T/err" | head -5
  fi
}
contains() { # contains FILE TEXT DESCRIPTION
  n=$((n + 1))
  grep -q -- "$2" "$1" || { fails=$((fails + 1)); echo "FAIL: $3: '$2' not in output"; }
}
check() { # check GOT WANT DESCRIPTION
  n=$((n + 1))
  [ "$1" = "$2" ] || { fails=$((fails + 1)); echo "FAIL: $3: got '$1', want '$2'"; }
}
with_stdin() { # with_stdin FILE command...: the command reads FILE on stdin
  f=$1; shift; "$@" < "$f"
}

ANCHOR=$(cat "$PKI/anchor.sha256")
"$MOCK" snp report --pki "$PKI" -o "$T/good.bin" || exit 1
"$MOCK" snp report --pki "$PKI" --policy 0xb0000 -o "$T/debug.bin" || exit 1
"$MOCK" snp report --pki "$PKI" --flip 0x90 -o "$T/tampered.bin" || exit 1
mkdir "$T/dir" && cp "$T/good.bin" "$PKI/vcek.pem" "$PKI/chain.pem" "$PKI/crl.der" "$T/dir/"
echo "notes" > "$T/dir/README.txt"
COLL="$PKI/vcek.pem $PKI/chain.pem $PKI/crl.der"

expect 0 "accepted report" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/good.bin" $COLL
contains "$T/out" "accepted" "accepted message"
expect 0 "directory input (unknown files skipped)" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/dir"
expect 1 "debug report rejected" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/debug.bin" $COLL
contains "$T/err" "policy.snp.debug" "stderr names the failing check"
expect 1 "tampered report rejected" -- "$CLI" verify --json --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/tampered.bin" $COLL
contains "$T/out" '"reason": "snp.report.signature' "--json reason names the check"
contains "$T/out" '"verdict": "rejected"' "--json verdict"
expect 1 "test root not pinned without --anchor" -- "$CLI" verify --at 2025-06-01T00:00:00Z "$T/good.bin" $COLL
contains "$T/err" "ATTEST_E_CERT_UNTRUSTED_ROOT" "untrusted root named"
expect 1 "expired at a later instant" -- "$CLI" verify --at 2031-06-01T00:00:00Z --anchor "$ANCHOR" "$T/good.bin" $COLL
echo '{"snp":{"allow_debug":true}}' > "$T/policy.json"
expect 0 "policy file relaxes debug" -- "$CLI" verify --policy "$T/policy.json" --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/debug.bin" $COLL
echo '{"snp":{"allow_debugg":true}}' > "$T/typo.json"
expect 2 "policy typo is a usage error" -- "$CLI" verify --policy "$T/typo.json" --anchor "$ANCHOR" "$T/debug.bin" $COLL
expect 2 "no arguments" -- "$CLI" verify
expect 2 "bad instant" -- "$CLI" verify --at yesterday "$T/good.bin"
expect 2 "missing file" -- "$CLI" verify "$T/nope.bin"
head -c 700 "$T/good.bin" > "$T/short.bin"
expect 2 "truncated evidence" -- "$CLI" verify "$T/short.bin" $COLL
expect 2 "no evidence among inputs" -- "$CLI" verify $COLL
expect 0 "inspect" -- "$CLI" inspect "$T/good.bin"
for field in measurement report_data chip_id reported_tcb policy platform_info signature cpuid; do
  contains "$T/out" "\"$field\"" "inspect shows $field"
done
expect 2 "inspect truncated" -- "$CLI" inspect "$T/short.bin"

# Hex options: exactly an even number of [0-9a-fA-F], else exit 2 naming the
# option (sscanf("%2x") took "0x12" as 00 12, "0g" as 00, "-1" as ff; a bad
# value double-freed, exit 134; an empty --nonce meant "no nonce").
H62=$(printf '%062d' 0)
BAD_HEX="zz 0x12 0g -1 +1 abc 0X12 1g"
bad_hex() { # bad_hex OPTION VALUE DESCRIPTION -- command (with @ for the value)...
  opt=$1; val=$2; what=$3; shift 4
  for a in "$@"; do shift; [ "$a" = "@" ] && a=$val; set -- "$@" "$a"; done
  shown=$(printf '%.24s' "$val")
  expect 2 "$what: $opt '$shown'" -- "$@"
  contains "$T/err" "attest: $opt: want .*hex digits \[0-9a-fA-F\], got" "$what: $opt '$shown' named"
}
for v in $BAD_HEX "" " 12" "12 " "0x$H62" "-1$H62" "${H62}zz" "${H62}0" "${ANCHOR}00"; do
  for opt in --anchor --anchor-intel --anchor-nvidia-device --anchor-nvidia-rim; do
    bad_hex "$opt" "$v" "verify" -- "$CLI" verify --at 2025-06-01T00:00:00Z "$opt" @ "$T/good.bin" $COLL
  done
done
LONG=$(printf '%0130d' 0)   # 65 bytes: over the 64 a nonce may have (ATTEST_NONCE_MAX)
for v in $BAD_HEX "" " 12" "12 " "$LONG"; do
  bad_hex --nonce "$v" "verify" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" --nonce @ "$T/good.bin" $COLL
  bad_hex --nonce "$v" "bundle create" -- "$CLI" bundle create --nonce @ "$T/good.bin" $COLL -o "$T/b.json"
done
bad_hex --nonce "$(printf '%0130d' 0)" "bundle create (65 bytes)" -- "$CLI" bundle create --nonce @ "$T/good.bin" $COLL -o "$T/b.json"
UPPER=$(echo "$ANCHOR" | tr a-f A-F)
"$MOCK" snp report --pki "$PKI" --report-data 0a1b -o "$T/nonce0a1b.bin" || exit 1
expect 0 "upper-case hex anchor and nonce" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$UPPER" --nonce 0A1b "$T/nonce0a1b.bin" $COLL
# A nonce is verified or the verification fails: REPORT_DATA must hold it.
expect 1 "nonce not in REPORT_DATA" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" --nonce 0a1c "$T/nonce0a1b.bin" $COLL
expect 1 "nonce given, REPORT_DATA zero" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" --nonce 0a1b "$T/good.bin" $COLL
expect 0 "bundle with a 64-byte nonce" -- "$CLI" bundle create --nonce "$(printf '%0128d' 0)" "$T/good.bin" $COLL -o "$T/b.json"
expect 2 "impossible date for --at" -- "$CLI" verify --at 2025-02-29T00:00:00Z --anchor "$ANCHOR" "$T/good.bin" $COLL
expect 2 "leap second for --at" -- "$CLI" verify --at 2025-06-30T23:59:60Z --anchor "$ANCHOR" "$T/good.bin" $COLL

# token verify exits 0 only for ear.status affirming (warning with
# --allow-warning): a signed rejection is a valid token too.
KEY="$PKI/vcek.key.pem"; PUB="$PKI/vcek.pem"; AT=2025-06-01T00:10:00Z
NONCE=00112233445566778899aabbccddeeff
"$MOCK" snp report --pki "$PKI" --report-data "$NONCE" -o "$T/fresh.bin" || exit 1
expect 0 "affirming token issued" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" --nonce "$NONCE" \
  --token-key "$KEY" --token-out "$T/aff.jwt" "$T/fresh.bin" $COLL
for v in abc -5 0 12x " 60" 99999999999999999999 2678401; do
  expect 2 "--token-lifetime '$v' refused" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" \
    --token-key "$KEY" --token-out "$T/lt.jwt" --token-lifetime "$v" "$T/good.bin" $COLL
done
expect 0 "--token-lifetime 60 accepted" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" \
  --token-key "$KEY" --token-out "$T/lt.jwt" --token-lifetime 60 "$T/good.bin" $COLL
expect 0 "warning token issued (debug allowed)" -- "$CLI" verify --policy "$T/policy.json" --at 2025-06-01T00:00:00Z \
  --anchor "$ANCHOR" --token-key "$KEY" --token-out "$T/warn.jwt" "$T/debug.bin" $COLL
expect 1 "contraindicated token issued (tampered report)" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" \
  --token-key "$KEY" --token-out "$T/contra.jwt" "$T/tampered.bin" $COLL
expect 0 "token affirming" -- "$CLI" token verify "$T/aff.jwt" --pubkey "$PUB" --at $AT
contains "$T/out" '"ear.status": "affirming"' "claims printed"
expect 0 "token affirming, nonce matches" -- "$CLI" token verify "$T/aff.jwt" --pubkey "$PUB" --at $AT --nonce "$NONCE"
expect 1 "token affirming, other nonce" -- "$CLI" token verify "$T/aff.jwt" --pubkey "$PUB" --at $AT --nonce "${NONCE%??}00"
expect 1 "token warning" -- "$CLI" token verify "$T/warn.jwt" --pubkey "$PUB" --at $AT
contains "$T/err" "ear.status is warning" "warning named"
contains "$T/out" '"ear.status": "warning"' "claims printed for warning"
expect 0 "token warning with --allow-warning" -- "$CLI" token verify "$T/warn.jwt" --pubkey "$PUB" --at $AT --allow-warning
expect 1 "token contraindicated" -- "$CLI" token verify "$T/contra.jwt" --pubkey "$PUB" --at $AT
contains "$T/err" "ear.status is contraindicated (ATTEST_E_SNP_SIGNATURE: snp.report.signature" "status and reason named"
expect 1 "token contraindicated with --allow-warning" -- "$CLI" token verify "$T/contra.jwt" --pubkey "$PUB" --at $AT --allow-warning
expect 1 "token expired" -- "$CLI" token verify "$T/aff.jwt" --pubkey "$PUB" --at 2025-06-01T01:00:00Z
expect 2 "token without --pubkey" -- "$CLI" token verify "$T/aff.jwt"
expect 2 "token --at impossible date" -- "$CLI" token verify "$T/aff.jwt" --pubkey "$PUB" --at 2025-02-31T00:10:00Z
contains "$T/err" "attest: --at:" "--at named"
for v in $BAD_HEX "" " 12" "12 " "$LONG"; do
  bad_hex --nonce "$v" "token verify" -- "$CLI" token verify "$T/aff.jwt" --pubkey "$PUB" --at $AT --nonce @
done

# The command line (getopt_long): options anywhere among the files, -- ends
# them, --help per command on stdout (exit 0), --version, - for stdin.
AT0=2025-06-01T00:00:00Z
expect 0 "options after the files" -- "$CLI" verify "$T/good.bin" $COLL --at $AT0 --anchor "$ANCHOR"
expect 1 "options between the files" -- "$CLI" verify "$T/debug.bin" --anchor "$ANCHOR" $COLL --at $AT0
contains "$T/err" "policy.snp.debug" "options between the files: failing check named"
expect 0 "-- ends the options" -- "$CLI" verify --at $AT0 --anchor "$ANCHOR" -- "$T/good.bin" $COLL
expect 2 "after --, an option is a file" -- "$CLI" verify --at $AT0 -- "$T/good.bin" $COLL --anchor "$ANCHOR"
expect 0 "bundle create, options last" -- "$CLI" bundle create "$T/nonce0a1b.bin" $COLL -o "$T/late.json" --nonce 0a1b
expect 0 "that bundle verifies, options last" -- "$CLI" verify "$T/late.json" --nonce 0a1b --anchor "$ANCHOR" --at $AT0
expect 0 "token verify, options first" -- "$CLI" token verify --pubkey "$PUB" --at $AT "$T/aff.jwt"
expect 2 "unknown option" -- "$CLI" verify --bogus "$T/good.bin" $COLL
contains "$T/err" "unknown option '--bogus'" "unknown option named"
expect 2 "option without its value" -- "$CLI" verify "$T/good.bin" $COLL --at
contains "$T/err" "--at needs a value" "missing value named"
expect 2 "bundle create without -o" -- "$CLI" bundle create "$T/good.bin" $COLL
for c in inspect verify "bundle create" "token verify" version; do
  expect 0 "$c --help" -- "$CLI" $c --help
  contains "$T/out" "^usage: attest $c" "$c --help: usage on stdout"
  check "$(cat "$T/err")" "" "$c --help: nothing on stderr"
done
expect 0 "bundle --help" -- "$CLI" bundle --help
contains "$T/out" "^usage: attest bundle create" "bundle --help describes bundle create"
expect 0 "token --help" -- "$CLI" token --help
contains "$T/out" "^usage: attest token verify" "token --help describes token verify"
expect 0 "--help after files" -- "$CLI" verify "$T/good.bin" --help
contains "$T/out" "^usage: attest verify" "--help after files"
expect 0 "attest --help" -- "$CLI" --help
for c in inspect verify "bundle create" "token verify" version; do
  contains "$T/out" "attest $c" "attest --help lists $c"
done
# Every command the dispatcher (tools/attest.c: COMMANDS rows and any word
# main() compares argv[1] with) is named by `attest help` and `attest --help`:
# the list comes from the source, so a command added without help fails here.
SRC=$(dirname "$0")/../tools/attest.c
if [ -f "$SRC" ]; then
  { sed -n '/^static const command COMMANDS\[\] = {/,/^};/p' "$SRC" |
      sed -n 's/^    {"\([a-z-]*\)", \(NULL\|"\([a-z-]*\)"\),.*/\1 \3/p'
    sed -n '/^int main(/,/^}/p' "$SRC" | grep -o 'argv\[1\], "[a-z-]*"' | sed 's/.*"\(.*\)"/\1/'
  } | sed 's/ *$//' | grep -v '^help$' | sort -u > "$T/commands"
  check "$(awk 'END { print (NR >= 10) }' "$T/commands")" 1 "the dispatcher's commands were found"
  for h in help --help; do
    expect 0 "attest $h" -- "$CLI" $h
    while IFS= read -r c; do
      contains "$T/out" "attest $c\([^a-z-]\|$\)" "attest $h lists $c (a command of the dispatcher)"
    done < "$T/commands"
  done
else
  echo "note: $SRC absent: help-versus-dispatcher check skipped"
fi
expect 2 "no command" -- "$CLI"
expect 2 "unknown command" -- "$CLI" frobnicate
expect 0 "--version" -- "$CLI" --version
cp "$T/out" "$T/version.out"
contains "$T/version.out" "^attest [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*$" "--version prints the version"
expect 0 "version" -- "$CLI" version
check "$(cat "$T/version.out")" "$(cat "$T/out")" "--version and version agree"
expect 0 "evidence on stdin" -- with_stdin "$T/good.bin" "$CLI" verify --at $AT0 --anchor "$ANCHOR" - $COLL
contains "$T/out" "accepted: -" "stdin named -"
expect 1 "rejected evidence on stdin" -- with_stdin "$T/debug.bin" "$CLI" verify - $COLL --at $AT0 --anchor "$ANCHOR"
expect 0 "inspect stdin" -- with_stdin "$T/good.bin" "$CLI" inspect -
contains "$T/out" '"measurement"' "inspect - prints the fields"
expect 2 "stdin given twice" -- with_stdin "$T/good.bin" "$CLI" verify --at $AT0 --anchor "$ANCHOR" - - $COLL
contains "$T/err" "standard input is given once" "a second - refused"
expect 0 "bundle from stdin to stdout" -- with_stdin "$T/good.bin" "$CLI" bundle create - $COLL -o -
contains "$T/out" '"attest_bundle": 1' "bundle written to stdout"
expect 0 "token on stdin" -- with_stdin "$T/aff.jwt" "$CLI" token verify - --pubkey "$PUB" --at $AT

# Directories are read in name order (strcmp), whatever readdir returns:
# files created d, c, b, a come out a, b, c, d, in a bundle's GPU order
# (the order their nonces are bound in) and in verify's.
mkdir "$T/gpus"
for f in d:4 c:3 b:2 a:1; do
  "$MOCK" nvidia report --pki "$ATTEST_TEST_PKI/nvidia" --nonce "$(printf '%064d' 0 | tr 0 "${f#*:}")" \
    -o "$T/gpus/${f%:*}.bin" || exit 1
done
[ "$(ls -f "$T/gpus" | grep -v '^[.]' | tr -d '\n')" = "a.binb.binc.bind.bin" ] &&
  echo "note: readdir lists $T/gpus in name order here: the order checks below are weaker"
expect 0 "bundle create DIR" -- "$CLI" bundle create "$T/gpus" -o "$T/gpus.json"
expect 0 "inspect that bundle" -- "$CLI" inspect "$T/gpus.json"
check "$(grep -o '"nonce": "[0-9]' "$T/out" | cut -c11 | tr -d '\n')" 1234 "bundle GPU order follows the names"
expect 0 "bundle create DIR DIR: one walk after the other" -- "$CLI" bundle create "$T/gpus" "$T/gpus" -o "$T/gpus2.json"
"$CLI" inspect "$T/gpus2.json" > "$T/out" 2>/dev/null
check "$(grep -o '"nonce": "[0-9]' "$T/out" | cut -c11 | tr -d '\n')" 12341234 "two walks in argument order"
mkdir "$T/two" && cp "$T/good.bin" "$T/two/b.bin" && cp "$T/debug.bin" "$T/two/a.bin"
expect 2 "two evidences in a directory" -- "$CLI" verify --at $AT0 --anchor "$ANCHOR" "$T/two" $COLL
contains "$T/err" "$T/two/b.bin: second evidence (first: $T/two/a.bin)" "verify reads a directory in name order"

# Intel DCAP through the same contract, with the mock TEE's Intel PKI.
IPKI=${ATTEST_TEST_PKI}/intel
IANCHOR=$(cat "$IPKI/anchor.sha256")
"$MOCK" dcap quote --pki "$IPKI" --tee tdx -o "$T/td.bin" || exit 1
"$MOCK" dcap quote --pki "$IPKI" --tee tdx --flip 700 -o "$T/td_bad.bin" || exit 1
ICOLL="$IPKI/tcb_info_tdx.json $IPKI/qe_identity_td.json $IPKI/tcb_signing_chain.pem $IPKI/root_crl.der $IPKI/pck_crl.der"
expect 0 "mock TDX quote accepted" -- "$CLI" verify --at 2025-06-15T00:00:00Z --no-builtin-anchors --anchor-intel "$IANCHOR" "$T/td.bin" $ICOLL
expect 1 "mock TDX quote tampered" -- "$CLI" verify --at 2025-06-15T00:00:00Z --anchor-intel "$IANCHOR" "$T/td_bad.bin" $ICOLL
expect 1 "mock TDX quote without Intel test root" -- "$CLI" verify --at 2025-06-15T00:00:00Z "$T/td.bin" $ICOLL
contains "$T/err" "ATTEST_E_CERT_UNTRUSTED_ROOT" "Intel root pinned"
expect 0 "inspect TDX quote" -- "$CLI" inspect "$T/td.bin"
for field in mrtd rtmr0 td_attributes tee_tcb_svn qe_report pck_chain_pem; do
  contains "$T/out" "\"$field\"" "inspect shows $field"
done

if [ -d "$SHARED/vectors/tdx" ]; then
  X=$SHARED/vectors/tdx
  S18="$X/quotes/tdx_v4_00806F050000_automata.bin $X/collateral/tcbinfo_tdx_v3_00806F050000_2025-07-07.json $X/collateral/qe_identity_td_2025-07-07.json $X/crl/pck_crl_platform_2025-07-07.der $X/crl/root_ca_crl_2025-03-20.der $X/certs/tcb_signing_2025-05-06_chain.pem"
  expect 1 "real TDX S18 OutOfDate rejected by default" -- "$CLI" verify --json --at 2025-07-07T10:20:00Z $S18
  contains "$T/out" '"reason": "policy.dcap.tcb_status' "--json reason names the TCB status check"
  contains "$T/out" 'INTEL-SA-00960' "advisories in the claims"
  echo '{"tdx":{"accepted_tcb_statuses":["UpToDate","OutOfDate"]}}' > "$T/ood.json"
  expect 0 "real TDX S18 accepted when OutOfDate is" -- "$CLI" verify --policy "$T/ood.json" --at 2025-07-07T10:20:00Z $S18
fi
if [ -d "$SHARED/vectors/refvalues/tdx" ]; then # event logs (docs/eventlog.md)
  X=$SHARED/vectors/tdx; R=$SHARED/vectors/refvalues/tdx/T01_gotdx_cos113
  T01C="$X/collateral/tcbinfo_tdx_v3_00806F050000_2024-09-10.json $X/collateral/qe_identity_td_2024-09-10.json $X/crl/pck_crl_platform_2025-02-13.der $X/crl/root_ca_crl_2024-03-20.der $X/certs/tcb_signing_2018-05-21_chain.pem"
  echo '{"tdx":{"accepted_tcb_statuses":["UpToDate","OutOfDate"],"require_sept_ve_disable":false,"allow_expired_collateral":true}}' > "$T/t01.json"
  expect 0 "T01 quote with its CCEL table and log" -- "$CLI" verify --json --policy "$T/t01.json" \
    --at 2024-09-10T06:49:00Z "$R/quote.bin" "$R/ccel_table.bin" "$R/ccel_data.bin" $T01C
  contains "$T/out" '"tdx.event_log.rtmr2"' "the replay is a named check"
  contains "$T/out" '"kernel_cmdline"' "the events are claims"
  expect 1 "T01 quote with the duplicated-separator log" -- "$CLI" verify --policy "$T/t01.json" \
    --at 2024-09-10T06:49:00Z "$R/quote.bin" "$R/NEG_dupe_separator_unpadded.bin" $T01C
  contains "$T/err" "tdx.event_log.structure" "the structural rule is named"
  expect 0 "inspect a CCEL log" -- "$CLI" inspect "$R/ccel_data.bin"
  contains "$T/out" '"EV_EFI_ACTION"' "inspect shows the events"
fi

P=$SHARED/vectors/refvalues/tpm/P01_gce_cos85
if [ -d "$P" ]; then # attest tpm-verify (docs/eventlog.md "TPM quote and log")
  tpm() { # tpm BANK PCRS
    "$CLI" tpm-verify --ak "$P/ak_pub.tpmt_public" --quote "$P/quote_$1.tpms_attest" \
      --signature "$P/quote_$1.tpmt_signature" --pcrs "$2" --log "$P/event_log.bin"; }
  expect 0 "tpm-verify P01 sha384" -- tpm sha384 "$P/pcrs_sha384.bin"
  cp "$P/pcrs_sha256.bin" "$T/pcrs" && printf '\377' | dd of="$T/pcrs" bs=1 seek=300 conv=notrunc 2>/dev/null
  expect 1 "tpm-verify: a PCR value changed" -- tpm sha256 "$T/pcrs"
  contains "$T/err" "ATTEST_E_TPM_PCR_DIGEST" "the failing check's code is named"
  expect 2 "tpm-verify: --log missing" -- "$CLI" tpm-verify --ak "$P/ak_pub.tpmt_public"
fi

if [ -d "$SHARED/vectors/nvidia" ]; then
  N=$SHARED/vectors/nvidia/hopper/setA_h100_550.90.07_complete
  echo '{"nvidia":{"allow_stored_ocsp":true,"allow_stale_ocsp":true}}' > "$T/nv.json"
  NA="$N/attestation_report.bin $N/device_cert_chain.pem $N/driver_rim_NV_GPU_DRIVER_GH100_550.90.07.xml $N/vbios_rim_NV_GPU_VBIOS_1010_0200_882_96009F0001.xml $N/ocsp"
  expect 0 "real H100 set A with RIMs and stored OCSP" -- "$CLI" verify --policy "$T/nv.json" \
    --nonce 931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb --at 2025-10-24T12:00:00Z $NA
  expect 1 "real H100 set A with another nonce" -- "$CLI" verify --policy "$T/nv.json" \
    --nonce 4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e --at 2025-10-24T12:00:00Z $NA
  contains "$T/err" "gpu0.report.nonce" "nonce check named"
  expect 0 "inspect H100 report" -- "$CLI" inspect "$N/attestation_report.bin"
  for field in DRIVER_VERSION VBIOS_VERSION FWID NVDEC0_STATUS; do
    contains "$T/out" "$field" "inspect shows $field"
  done
fi

# Forms users already hold (issue 11): each gives the verdict of the original.
for r in good tampered; do
  base64 "$T/$r.bin" > "$T/$r.b64"
  od -An -v -tx1 "$T/$r.bin" | tr -d ' ' > "$T/$r.hex"
done
for form in b64 hex; do
  expect 0 "report as $form text" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/good.$form" $COLL
  expect 1 "tampered report as $form text still rejected" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/tampered.$form" $COLL
  contains "$T/err" "snp.report.signature" "$form: the signature check named"
done
"$CLI" inspect "$T/good.bin" > "$T/inspect.bin.json"
expect 0 "inspect base64 text" -- "$CLI" inspect "$T/good.b64"
check "$(cmp -s "$T/out" "$T/inspect.bin.json" && echo same)" same "inspect of base64 text = inspect of binary"
base64 "$T/good.b64" > "$T/good.b64.b64"
expect 2 "base64 of base64 not unwrapped" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/good.b64.b64" $COLL
contains "$T/err" "no known evidence format (text, " "unknown item described"
mkdir "$T/dirb64" && cp "$T/good.bin" "$T/good.b64" "$PKI/vcek.pem" "$PKI/chain.pem" "$PKI/crl.der" "$T/dirb64/"
expect 0 "directory: base64 copy beside the binary skipped" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/dirb64"
contains "$T/err" "skipping .*good.b64 (base64 or hex text" "skip noted"
echo '{"a": 1, "b": 2}' > "$T/ab.json"
expect 2 "unknown JSON named by its members" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/good.bin" "$T/ab.json" $COLL
contains "$T/err" "JSON object with members a, b" "members listed"
contains "$T/err" "accepted: SEV-SNP report" "accepted forms listed"
# SNP extended-report certificate table holding VCEK, ASK and ARK.
python3 - "$PKI/vcek.pem" "$PKI/chain.pem" "$T/certtable.bin" <<'PY'
import base64, re, struct, sys
ders = []
for path in sys.argv[1:3]:
    for b in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END", open(path).read(), re.S):
        ders.append(base64.b64decode("".join(b.split())))
guids = ["63da758de6644564adc5f4b93be8accd", "4ab7b379bbac4fe4a02f05aef327c782",
         "c0b406a4a803495297433fb6014cd0ae"]  # VCEK, ASK, ARK (research/snp.md)
table, data, at = b"", b"", 24 * (len(ders) + 1)
for g, d in zip(guids, ders):
    table += bytes.fromhex(g) + struct.pack("<II", at + len(data), len(d))
    data += d
open(sys.argv[3], "wb").write(table + bytes(24) + data)
PY
expect 0 "SNP certificate table as collateral" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/good.bin" "$T/certtable.bin" "$PKI/crl.der"
expect 1 "certificate table: tampered report rejected" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/tampered.bin" "$T/certtable.bin" "$PKI/crl.der"
if [ -d "$SHARED/vectors/snp" ]; then
  V=$SHARED/vectors
  S11=$V/snp/sets/S11_siena_v3_trustee_e2e
  P=$(dirname "$0")/../examples/policy-authenticity.json
  expect 0 "Trustee SNP evidence JSON (VCEK carried)" -- "$CLI" verify --policy "$P" --at 2025-06-01T00:00:00Z "$S11/evidence.json" "$V/snp/roots/kds_vcek_cert_chain_genoa.pem"
  expect 0 "its binary report with the VCEK file" -- "$CLI" verify --policy "$P" --at 2025-06-01T00:00:00Z "$S11/report.bin" "$S11/vcek.der" "$V/snp/roots/kds_vcek_cert_chain_genoa.pem"
  expect 1 "collateral list: Trustee JSON needs only the CRL" -- "$CLI" collateral list "$S11/evidence.json" "$V/snp/roots/kds_vcek_cert_chain_genoa.pem"
  check "$(grep -c amd-vcek "$T/out")" 0 "the VCEK it carries is not listed as missing"
  "$CLI" inspect "$S11/report.bin" > "$T/s11.json"
  expect 0 "inspect Trustee JSON" -- "$CLI" inspect "$S11/evidence.json"
  check "$(cmp -s "$T/out" "$T/s11.json" && echo same)" same "inspect of Trustee JSON = inspect of report.bin"
  S02=$V/snp/sets/S02_milan_v2_virtee
  expect 0 "real report as hex text (S02)" -- "$CLI" verify --policy "$P" --at 2025-06-01T00:00:00Z "$S02/report.hex" "$S02/vcek.der" "$V/snp/roots/kds_vcek_cert_chain_milan.pem"
  QT=$V/tdx
  expect 0 "dcap-qvl collateral JSON (S03)" -- "$CLI" verify --at 2025-06-19T11:32:00Z "$QT/quotes/tdx_v4_B0C06F000000_dcapqvl.bin" "$QT/bundles/dcapqvl_tdx_B0C06F000000_2025-06-19.collateral.json"
  ND=$V/nvidia/hopper/setD_h100_595.71.05_azure_complete
  echo '{"nvidia":{"require_ocsp":false}}' > "$T/noocsp.json"
  for form in xml json; do
    if [ $form = xml ]; then R="$ND/driver_rim_NV_GPU_DRIVER_GH100_595.71.05.xml $ND/vbios_rim_NV_GPU_VBIOS_1010_0210_886_96009F0004.xml"
    else R="$ND/rim_service_NV_GPU_DRIVER_GH100_595.71.05.json $ND/rim_service_NV_GPU_VBIOS_1010_0210_886_96009F0004.json"; fi
    expect 0 "H100 set D with RIMs as $form" -- "$CLI" verify --policy "$T/noocsp.json" --at 2026-09-16T14:00:00Z \
      --nonce 690bb51b904351e28100a0610fe60624255c26d7d38c53fb1285ecfed1cab17a "$ND/attestation_report.bin" "$ND/device_cert_chain.pem" $R
  done
fi

# collateral list: exit 0 nothing missing, 1 something missing, 2 usage
expect 1 "collateral list: bare report needs VCEK and CRL (ASK, ARK built in)" -- "$CLI" collateral list "$T/good.bin"
contains "$T/out" "amd-vcek GET https://kdsintf.amd.com/vcek/v1/Milan/c0c1c2" "VCEK URL by product and hwID"
contains "$T/out" "blSPL=4&teeSPL=0&snpSPL=22&ucodeSPL=213" "VCEK URL carries the SPLs"
contains "$T/out" "amd-crl GET https://kdsintf.amd.com/vcek/v1/Milan/crl (cpu0 snp.crl" "CRL with its reason"
check "$(wc -l < "$T/out" | tr -d ' ')" 2 "one line per need"
expect 0 "collateral list: nothing missing" -- "$CLI" collateral list "$T/good.bin" $COLL
check "$(wc -c < "$T/out" | tr -d ' ')" 0 "nothing listed"
expect 0 "collateral list: directory" -- "$CLI" collateral list "$T/dir"
expect 1 "collateral list --json" -- "$CLI" collateral list --json "$T/good.bin" "$PKI/vcek.pem"
contains "$T/out" '"kind": "amd-crl"' "JSON names the kind"
contains "$T/out" '"file":' "JSON names the evidence file"
expect 1 "collateral list: two evidences" -- "$CLI" collateral list "$T/good.bin" "$T/debug.bin" "$PKI/vcek.pem"
contains "$T/out" "^# $T/debug.bin" "each evidence under its own header"
expect 2 "collateral list: no files" -- "$CLI" collateral list
expect 2 "collateral list: collateral only" -- "$CLI" collateral list $COLL
expect 2 "collateral list: unknown option" -- "$CLI" collateral list --bogus "$T/good.bin"
expect 2 "collateral without list" -- "$CLI" collateral
expect 0 "collateral list --help" -- "$CLI" collateral list --help
NVP=${ATTEST_TEST_PKI}/nvidia
expect 0 "bundle for collateral list" -- "$CLI" bundle create -o "$T/needs_bundle.json" "$T/good.bin" "$PKI/vcek.pem" \
  "$NVP/evidence.json" "$NVP/driver_rim.xml" "$NVP/vbios_rim.xml"
expect 1 "collateral list: a bundle's own collateral counts as held" -- "$CLI" collateral list "$T/needs_bundle.json"
contains "$T/out" "nvidia-ocsp POST https://ocsp.ndis.nvidia.com CN=" "bundle: device chain OCSP listed"
contains "$T/out" "gpu0.chain.ocsp" "bundle: OCSP reason names the device"
n=$((n + 1)); if grep -q "amd-vcek\|nvidia-rim" "$T/out"; then fails=$((fails + 1)); echo "FAIL: bundle: held VCEK/RIMs listed"; fi
expect 1 "verify names the URL of a missing CRL" -- "$CLI" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$T/good.bin" "$PKI/vcek.pem" "$PKI/chain.pem"
contains "$T/err" "fetch:" "missing item: fetch hint"
contains "$T/err" "https://kdsintf.amd.com/vcek/v1/Milan/crl" "missing item: its URL"

# online: nothing touches the network without --online; usage errors
expect 2 "verify --cache without --online" -- "$CLI" verify --cache "$T/cache" "$T/good.bin"
expect 2 "verify --online with --pcs and --pccs" -- "$CLI" verify --online --pcs http://127.0.0.1:9 --pccs http://127.0.0.1:9 "$T/good.bin"
expect 2 "verify --online with a non-http service" -- "$CLI" verify --online --kds ftp://x "$T/good.bin"
expect 2 "collateral fetch without -o" -- "$CLI" collateral fetch "$T/good.bin"
expect 2 "verify --online with a non-http OCSP responder" -- "$CLI" verify --online --nvidia-ocsp ftp://x "$T/good.bin"
expect 0 "collateral fetch --help" -- "$CLI" collateral fetch --help
expect 0 "fetch --help (attest fetch = collateral fetch)" -- "$CLI" fetch --help
expect 2 "fetch without -o" -- "$CLI" fetch "$T/good.bin"
expect 2 "verify --online --tcb-update other" -- "$CLI" verify --online --tcb-update late "$T/good.bin"
expect 2 "verify --online --tcb-evaluation 0" -- "$CLI" verify --online --tcb-evaluation 0 "$T/good.bin"
expect 2 "verify --online --tcb-update and --tcb-evaluation" -- "$CLI" verify --online --tcb-update early --tcb-evaluation 19 "$T/good.bin"
expect 2 "verify --online --tcb-evaluation with a PCCS" -- "$CLI" verify --online --pccs http://127.0.0.1:9 --tcb-evaluation 19 "$T/good.bin"
contains "$T/err" "PCCS does not support" "--tcb-evaluation with a PCCS: refused, named"
expect 2 "--tcb-update without --online" -- "$CLI" verify --tcb-update early "$T/good.bin"

# online against tests/http_server.py on 127.0.0.1 replaying recorded PCS answers (never the internet)
O=$SHARED/vectors/online/pcs
if [ -d "$O" ] && command -v python3 >/dev/null 2>&1; then
  Q=$SHARED/vectors/tdx/quotes/tdx_v5_90C06F000000_gotdx.bin
  cat > "$T/routes.json" <<EOF2
{"/tdx/certification/v4/tcb": {"body_file": "$O/tdx_tcb_fmspc90c06f000000_2026-06-29T020710.json", "headers_file": "$O/tdx_tcb_fmspc90c06f000000_2026-06-29T020710.json.headers"},
 "/tdx/certification/v4/qe/identity": {"body_file": "$O/tdx_qe_identity_2026-06-29T020710.json", "headers_file": "$O/tdx_qe_identity_2026-06-29T020710.json.headers"},
 "/sgx/certification/v4/pckcrl": {"body_file": "$O/sgx_pckcrl_platform_der_2026-06-29T020711.der", "headers_file": "$O/sgx_pckcrl_platform_der_2026-06-29T020711.der.headers"},
 "/sgx/certification/v4/rootcacrl": {"body_hex_file": "$O/intel_sgx_root_ca_crl_cdp_2026-06-29T020634.der"}}
EOF2
  mkfifo "$T/server.in"  # the server runs until its stdin closes
  python3 tests/http_server.py "$T/routes.json" < "$T/server.in" > "$T/port" &
  SERVER=$!
  exec 7> "$T/server.in"
  i=0; while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  PCCS=http://127.0.0.1:$(cut -d' ' -f2 "$T/port")
  expect 1 "offline: the quote alone lacks its collateral" -- "$CLI" verify --at 2026-06-29T12:00:00Z "$Q"
  expect 0 "verify --online fetches from the PCCS" -- "$CLI" verify --at 2026-06-29T12:00:00Z --online --pccs "$PCCS" --cache "$T/cache" "$Q"
  expect 0 "collateral fetch writes a bundle" -- "$CLI" collateral fetch --pccs "$PCCS" -o "$T/fetched.json" "$Q"
  exec 7>&-
  wait "$SERVER"
  expect 0 "the fetched bundle verifies offline" -- "$CLI" verify --at 2026-06-29T12:00:00Z "$T/fetched.json"
  expect 0 "verify --online from the cache, server gone" -- "$CLI" verify --at 2026-06-29T12:00:00Z --online --pccs "$PCCS" --cache "$T/cache" "$Q"
else
  echo "note: shared/vectors/online or python3 absent: online CLI checks skipped"
fi

# online NVIDIA OCSP from a live signer on 127.0.0.1 (tests/http_server.py
# with attest-mock signing for the test PKI, echoing each request's nonce)
if command -v python3 >/dev/null 2>&1; then
  printf '{"/ocsp": {"ocsp_pki": "%s", "ocsp_mock": "%s"}}\n' "$NVP" "$MOCK" > "$T/ocsp_routes.json"
  mkfifo "$T/ocsp.in"
  python3 tests/http_server.py "$T/ocsp_routes.json" < "$T/ocsp.in" > "$T/ocsp_port" &
  OCSP_SERVER=$!
  exec 8> "$T/ocsp.in"
  i=0; while [ ! -s "$T/ocsp_port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  OCSP=http://127.0.0.1:$(cut -d' ' -f2 "$T/ocsp_port")/ocsp
  NV_ARGS="--at 2025-06-01T12:00:00Z --nonce $(cat "$NVP/nonce.hex") --no-builtin-anchors
    --anchor-nvidia-device $(cat "$NVP/device_anchor.sha256") --anchor-nvidia-rim $(cat "$NVP/rim_anchor.sha256")"
  # shellcheck disable=SC2086
  expect 1 "NVIDIA without OCSP: refused offline" -- "$CLI" verify $NV_ARGS \
    "$NVP/evidence.json" "$NVP/driver_rim.xml" "$NVP/vbios_rim.xml"
  # shellcheck disable=SC2086
  expect 0 "verify --online --nvidia-ocsp: live answers pass the default policy" -- "$CLI" verify $NV_ARGS \
    --online --nvidia-ocsp "$OCSP" "$NVP/evidence.json" "$NVP/driver_rim.xml" "$NVP/vbios_rim.xml"
  # progress lines only on a terminal: stderr here is a file
  check "$(grep -c '^attest: fetch' "$T/err")" 0 "verify --online: no progress lines on a non-terminal stderr"
  if command -v script >/dev/null 2>&1; then  # util-linux script: stderr a terminal
    # shellcheck disable=SC2086
    script -qec "$CLI verify $(echo $NV_ARGS) --online --nvidia-ocsp $OCSP $NVP/evidence.json $NVP/driver_rim.xml $NVP/vbios_rim.xml" \
      "$T/tty.log" >/dev/null 2>&1 </dev/null
    contains "$T/tty.log" "attest: fetched nvidia-ocsp" "verify --online: progress lines on a terminal"
  fi
  exec 8>&-
  wait "$OCSP_SERVER"
fi

if [ -d "$SHARED/vectors/snp" ]; then
  S=$SHARED/vectors/snp
  expect 1 "real Turin v5 report, CRL required by default" -- "$CLI" verify --at 2025-08-01T00:00:00Z --policy "$T/policy.json" \
    "$S/sets/S14_turin_v5_oak/report.bin" "$S/sets/S14_turin_v5_oak/vcek.der" "$S/roots/kds_vcek_cert_chain_turin.pem"
  contains "$T/err" "snp.crl" "default policy wants the CRL"
  echo '{"snp":{"require_crl":false}}' > "$T/nocrl.json"
  expect 0 "real Turin v5 report without CRL requirement" -- "$CLI" verify --at 2025-08-01T00:00:00Z --policy "$T/nocrl.json" \
    "$S/sets/S14_turin_v5_oak/report.bin" "$S/sets/S14_turin_v5_oak/vcek.der" "$S/roots/kds_vcek_cert_chain_turin.pem"
  expect 0 "inspect real v2" -- "$CLI" inspect "$S/sets/S02_milan_v2_virtee/report.bin"
  contains "$T/out" '"product": null' "v2 report: product not guessed by inspect"
  # The ASK and ARK are built in: a report and its VCEK are enough.
  expect 0 "real Turin v5 report with its VCEK alone" -- "$CLI" verify --at 2025-08-01T00:00:00Z --policy "$T/nocrl.json" \
    "$S/sets/S14_turin_v5_oak/report.bin" "$S/sets/S14_turin_v5_oak/vcek.der"
  expect 1 "built-in chain unused without the built-in anchors" -- "$CLI" verify --at 2025-08-01T00:00:00Z --policy "$T/nocrl.json" \
    --no-builtin-anchors --anchor "$ANCHOR" "$S/sets/S14_turin_v5_oak/report.bin" "$S/sets/S14_turin_v5_oak/vcek.der"
  expect 1 "collateral list of a real report" -- "$CLI" collateral list "$S/sets/S10_genoa_v3_tinfoil/report.bin"
  contains "$T/out" "amd-vcek GET https://kdsintf.amd.com/vcek/v1/Genoa/" "real report: VCEK listed"
  contains "$T/out" "amd-crl GET https://kdsintf.amd.com/vcek/v1/Genoa/crl" "real report: CRL listed"
  n=$((n + 1)); if grep -q "cert_chain\|amd-cert-chain" "$T/out"; then fails=$((fails + 1)); echo "FAIL: real report: cert_chain listed though built in"; fi
else
  echo "note: ../shared/vectors absent: real-vector CLI checks skipped"
fi

# Azure CVM evidence (docs/azure-inputs.md): AS01 in parts, with its quote
# containers, as a bundle; a Trustee evidence JSON; inspect; needs.
if [ -d "$SHARED/vectors/azure" ]; then
  A=$SHARED/vectors/azure/snp/AS01_trustee_milan_v2_hclv1_challenge
  S07=$SHARED/vectors/snp/sets/S07_milan_v2_azure_hcl_trustee
  A3=$SHARED/vectors/azure/snp/AS03_trustee_milan_v3_evidence_v1
  CH=6368616c6c656e6765
  echo '{"snp":{"require_crl":false,"allow_provisional_firmware":true},"azure":{}}' > "$T/az.json"
  AZ="--at 2023-05-03T00:00:00Z --policy $T/az.json"
  expect 0 "Azure AS01 in parts" -- "$CLI" verify $AZ --nonce $CH --tpm-quote "$A/quote_msg.bin" \
    --tpm-signature "$A/quote_sig.bin" --tpm-pcrs "$A/pcrs_sha256.bin" "$S07/hcl_report.bin" "$S07/vcek_ask_ark.pem"
  for q in quote.bin tpm-quote-v1.json; do
    expect 0 "Azure AS01 with the $q container" -- "$CLI" verify $AZ --nonce $CH --tpm-quote "$A/$q" \
      "$S07/hcl_report.bin" "$S07/vcek_ask_ark.pem"
  done
  expect 2 "Azure quote container with a separate signature" -- "$CLI" verify $AZ --nonce $CH \
    --tpm-quote "$A/quote.bin" --tpm-signature "$A/quote_sig.bin" "$S07/hcl_report.bin" "$S07/vcek_ask_ark.pem"
  expect 1 "Azure AS01, wrong nonce" -- "$CLI" verify $AZ --nonce ${CH}00 --tpm-quote "$A/quote.bin" \
    "$S07/hcl_report.bin" "$S07/vcek_ask_ark.pem"
  contains "$T/err" "ATTEST_E_TPM_NONCE" "Azure wrong nonce named"
  expect 0 "inspect an HCL report" -- "$CLI" inspect "$S07/hcl_report.bin"
  contains "$T/out" '"runtime_claims"' "inspect shows the runtime claims"
  expect 0 "inspect a Trustee evidence JSON" -- "$CLI" inspect "$A3/evidence-v1.json"
  contains "$T/out" '"container": "trustee az-snp-vtpm"' "inspect names the container"
  contains "$T/out" '"tpm_quote"' "inspect shows the TPM quote"
  expect 0 "Trustee evidence JSON with its carried VCEK" -- "$CLI" verify --at 2025-01-29T00:00:00Z \
    --policy "$T/az.json" --nonce $CH "$A3/evidence-v1.json"
  expect 0 "bundle create with Azure parts" -- "$CLI" bundle create --nonce $CH --tpm-quote "$A/quote.bin" \
    -o "$T/az_bundle.json" "$S07/hcl_report.bin" "$S07/vcek_ask_ark.pem"
  expect 0 "Azure bundle verifies" -- "$CLI" verify $AZ --nonce $CH "$T/az_bundle.json"
  expect 1 "Azure bundle, another nonce" -- "$CLI" verify $AZ --nonce ${CH}00 "$T/az_bundle.json"
  expect 1 "collateral list of an HCL report" -- "$CLI" collateral list "$A3/hcl_report.bin"
  contains "$T/out" "amd-vcek GET https://kdsintf.amd.com/vcek/v1/Milan/" "HCL report: VCEK listed"
fi

# tools/embed_certs.sh: a built-in certificate whose bytes are not the
# listed SHA-256 stops the build; an absent one is left out with a note
if [ -d "$SHARED/vectors/snp/roots" ]; then
  printf 'amd_ark_milan\tsnp/roots/ark_milan.der\t%s\n' \
    0000000000000000000000000000000000000000000000000000000000000000 > "$T/builtin_bad.tsv"
  expect 1 "embed_certs.sh refuses a certificate of another SHA-256" -- sh tools/embed_certs.sh \
    "$T/builtin_bad.tsv" "$SHARED/vectors"
  contains "$T/err" "must be 0000" "the listed hash is named"
fi
expect 0 "embed_certs.sh leaves out absent certificates" -- sh tools/embed_certs.sh certs/builtin.tsv "$T/none"
contains "$T/out" "attest_builtin_cert_count = 0;" "none built in"
contains "$T/err" "not built in" "each named on stderr"

# attest-mock azure, its output checked with openssl (tests/azgen.sh)
n=$((n + 1)); sh "$(dirname "$0")/azgen.sh" || { fails=$((fails + 1)); echo "FAIL: tests/azgen.sh"; }
# Azure THIM JSON as collateral, and --thim against tests/http_server.py on
# 127.0.0.1 (a route that answers only "Metadata: true"; never Azure)
if [ -d "$SHARED/vectors/azure/thim" ] && command -v python3 >/dev/null 2>&1; then
  A=$SHARED/vectors/azure/thim
  echo '{"snp":{"require_crl":false}}' > "$T/thim_nocrl.json"
  expect 0 "verify aci_report.bin aci_thim.json" -- "$CLI" verify --at 2025-06-01T00:00:00Z \
    --policy "$T/thim_nocrl.json" "$A/aci_report.bin" "$A/aci_thim.json"
  expect 0 "verify with the ACI base64 host-amd-cert" -- "$CLI" verify --at 2025-06-01T00:00:00Z \
    --policy "$T/thim_nocrl.json" "$A/aci_report.bin" "$A/aci_host-amd-cert.b64"
  sed 's/DB18000000000004/DB18000000000005/' "$A/aci_thim.json" > "$T/thim_badtcbm.json"
  expect 2 "a THIM JSON whose tcbm is not its VCEK's is refused" -- "$CLI" verify \
    "$A/aci_report.bin" "$T/thim_badtcbm.json"
  contains "$T/err" "thim.tcbm" "the member is named"
  expect 1 "collateral list --thim" -- "$CLI" collateral list --thim http://127.0.0.1:9/thim "$A/aci_report.bin"
  contains "$T/out" "amd-vcek GET http://127.0.0.1:9/thim?tcbVersion=DB18000000000004&platformId=B0FD192D" \
    "the VCEK asked of THIM for the report's TCB and chip"
  printf '{"/metadata/THIM/amd/certification": {"body_file": "%s", "require_headers": {"Metadata": "true"}}}\n' \
    "$A/aci_thim.json" > "$T/thim_routes.json"
  mkfifo "$T/thim.in"
  python3 tests/http_server.py "$T/thim_routes.json" < "$T/thim.in" > "$T/thim_port" &
  THIM_SERVER=$!
  exec 6> "$T/thim.in"
  i=0; while [ ! -s "$T/thim_port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  BASE=http://127.0.0.1:$(cut -d' ' -f2 "$T/thim_port")
  expect 0 "verify --online --thim" -- "$CLI" verify --at 2025-06-01T00:00:00Z --policy "$T/thim_nocrl.json" \
    --online --kds "$BASE" --thim "$BASE/metadata/THIM/amd/certification" "$A/aci_report.bin"
  exec 6>&-
  wait "$THIM_SERVER"
fi

# attest measure (docs/measure.md): launch inputs -> the value a policy pins.
R=$SHARED/vectors/refvalues
expect 2 "measure without a platform" -- "$CLI" measure
expect 2 "measure snp with an unknown VMM" -- "$CLI" measure snp --ovmf-hash "$(printf '%096d' 0)" \
  --vcpus 1 --vmm xen
contains "$T/err" "ATTEST_E_MEASURE_VMM" "the VMM refusal is named"
expect 2 "measure tdx with an snp option" -- "$CLI" measure tdx --ovmf /dev/null --vcpus 2
for v in -2 " 2" 2x 99999999999999999999999; do
  expect 2 "--vcpus '$v' is refused" -- "$CLI" measure snp --ovmf-hash "$(printf '%096d' 0)" \
    --vmm qemu --vcpus "$v"
  contains "$T/err" "vcpus" "the option is named"
done
if [ -f "$R/tdx/T02_cmc_ovmf_mrtd/OVMF.fd" ]; then
  expect 0 "measure tdx T02" -- "$CLI" measure tdx --ovmf "$R/tdx/T02_cmc_ovmf_mrtd/OVMF.fd"
  check "$(cat "$T/out")" "$(od -An -tx1 -j184 -N48 "$R/tdx/T02_cmc_ovmf_mrtd/quote.bin" | tr -d ' \n')" \
    "T02: measure tdx prints the signed quote's MRTD"
  expect 0 "measure tdx T02 --policy" -- "$CLI" measure tdx --order two-pass --policy \
    --ovmf "$R/tdx/T02_cmc_ovmf_mrtd/OVMF.fd"
  contains "$T/out" '"mrtd"' "the policy snippet pins mrtd"
  contains "$T/out" "74f1308474541bd175f93a70c8c2ed51022d3f14dfa5460b8fc092a07e047998" "two-pass value"
  head -c 100000 "$R/tdx/T02_cmc_ovmf_mrtd/OVMF.fd" > "$T/cut.fd"
  expect 2 "a cut image is refused" -- "$CLI" measure tdx --ovmf "$T/cut.fd"
  contains "$T/err" "ATTEST_E_MEASURE_IMAGE_SIZE" "the cut image's code"
fi
J=$R/snp/S01_dstack_milan/sev_snp_measurement.json
if [ -f "$J" ] && command -v python3 >/dev/null 2>&1; then
  python3 - "$J" > "$T/s01.args" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
args = ["--ovmf-hash", d["ovmf_hash"]]
for s in d["ovmf_sections"]:
    args += ["--section", "%d:%d:%d" % (s["gpa"], s["size"], s["section_type"])]
args += ["--reset-eip", str(d["sev_es_reset_eip"]), "--hashes-table-gpa", str(d["sev_hashes_table_gpa"]),
         "--kernel-sha256", d["kernel_hash"], "--initrd-sha256", d["initrd_hash"],
         "--append", d["base_cmdline"], "--vcpus", str(d["vcpus"]), "--vcpu-type", d["vcpu_type"],
         "--guest-features", str(d["guest_features"]), "--vmm", "qemu"]
print("\n".join(args))
PY
  S01_WANT=$(od -An -tx1 -j144 -N48 "$R/snp/S01_dstack_milan/report.bin" | tr -d ' \n')
  # one argument per line (the command line has spaces)
  set --; while IFS= read -r a; do set -- "$@" "$a"; done < "$T/s01.args"
  expect 0 "measure snp S01" -- "$CLI" measure snp "$@"
  check "$(cat "$T/out")" "$S01_WANT" "S01: measure snp prints the signed report's MEASUREMENT"
  expect 0 "measure snp S01 --json" -- "$CLI" measure snp --json "$@"
  contains "$T/out" "\"measurement\": \"$S01_WANT\"" "JSON carries the value"
  contains "$T/out" '"vcpu-type": "EPYC-v4"' "JSON carries the inputs"
  expect 2 "--vcpus given twice is refused" -- "$CLI" measure snp "$@" --vcpus 3
  set --
fi
S3=$R/snp/S03_sevsnpmeasure_svsm
[ -f "$S3/svsm.bin" ] && expect 0 "measure snp --svsm S03" -- "$CLI" measure snp --ovmf "$S3/svsm_ovmf.fd" --svsm "$S3/svsm.bin" --vars-size 540672 --vcpus 2 --vcpu-type EPYC-v4 --vmm qemu && contains "$T/out" "^9b94745036aa.*d9be7$" "S03 (COCONUT-SVSM, 2 vCPUs) reproduced"
# RA-TLS: attest-mock ratls certificates over the Intel test PKI (docs/ratls.md)
IP=${PKI%/milan}/intel
ICOLL="$IP/tcb_info_tdx.json $IP/qe_identity_td.json $IP/pck_crl.der $IP/root_crl.der $IP/tcb_signing_chain.pem"
"$MOCK" ratls cert --pki "$IP" -o "$T/ratls.pem" --key-out "$T/ratls.key" || exit 1
"$MOCK" ratls cert --pki "$IP" --bind-other-key -o "$T/ratls_other.pem" --key-out "$T/ratls_other.key" || exit 1
expect 0 "verify --tls-cert" -- "$CLI" verify --at 2025-06-01T00:00:00Z --no-builtin-anchors \
  --anchor-intel "$(cat "$IP/anchor.sha256")" --tls-cert "$T/ratls.pem" $ICOLL
expect 1 "verify --tls-cert: key not the bound one" -- "$CLI" verify --at 2025-06-01T00:00:00Z \
  --anchor-intel "$(cat "$IP/anchor.sha256")" --tls-cert "$T/ratls_other.pem" $ICOLL
contains "$T/err" "ATTEST_E_RATLS_KEY_HASH" "the failing check's code is named"
expect 1 "verify --tls-cert --binding spki-sha256: no such extension" -- "$CLI" verify \
  --at 2025-06-01T00:00:00Z --tls-cert "$T/ratls.pem" --binding spki-sha256 $ICOLL
expect 2 "--binding must be named, never guessed" -- "$CLI" verify --tls-cert "$T/ratls.pem" --binding guess
expect 2 "--binding needs --tls-cert" -- "$CLI" verify --binding spki-sha256 $ICOLL
# SEV-SNP RA-TLS (Enarx Steward's extension, rule csr-spki-sha384): the
# VCEK and the ARK's CRL travel in the certificate, the chain is given
SNP_TLS="--at 2025-06-01T00:00:00Z --anchor $ANCHOR --binding csr-spki-sha384"
"$MOCK" ratls cert --tee snp --pki "$PKI" -o "$T/snp_tls.pem" --key-out "$T/snp_tls.key" || exit 1
"$MOCK" ratls cert --tee snp --csr --pki "$PKI" -o "$T/snp_tls.csr" --key-out "$T/snp_tls.key" || exit 1
expect 0 "verify --tls-cert, SNP certificate" -- "$CLI" verify $SNP_TLS --tls-cert "$T/snp_tls.pem" "$PKI/chain.pem"
expect 0 "verify --tls-cert, SNP CSR" -- "$CLI" verify $SNP_TLS --tls-cert "$T/snp_tls.csr" "$PKI/chain.pem"
for d in "--debug ATTEST_E_POLICY_DEBUG" "--bind-other-key ATTEST_E_RATLS_BINDING" \
    "--second-ext ATTEST_E_RATLS_DUPLICATE" "--trailing=2 ATTEST_E_RATLS_TRAILING" \
    "--no-crl ATTEST_E_CRL_MISSING" "--bad-crl ATTEST_E_CRL_SIGNATURE"; do
  opt=${d% *}; code=${d#* }
  "$MOCK" ratls cert --tee snp $(echo "$opt" | tr = ' ') --pki "$PKI" -o "$T/snp_bad.pem" --key-out "$T/snp_bad.key" || exit 1
  expect 1 "verify --tls-cert, SNP $opt" -- "$CLI" verify $SNP_TLS --tls-cert "$T/snp_bad.pem" "$PKI/chain.pem"
  contains "$T/err" "$code" "SNP $opt: $code named"
done
expect 2 "attest-mock ratls --tee snp refuses TCG options" -- "$MOCK" ratls cert --tee snp --no-key-hash \
  --pki "$PKI" -o "$T/x.pem" --key-out "$T/x.key"
# --online --tls-cert: what the certificate's evidence lacks (here the CRL)
# is fetched from tests/http_server.py on 127.0.0.1 as for an evidence file
if command -v python3 >/dev/null 2>&1; then
  "$MOCK" ratls cert --tee snp --no-crl --pki "$PKI" -o "$T/snp_nocrl.pem" --key-out "$T/snp_nocrl.key" || exit 1
  printf '{"/vcek/v1/Milan/crl": {"body_file": "%s"}}\n' "$PKI/crl.der" > "$T/kds_routes.json"
  mkfifo "$T/kds.in"
  python3 tests/http_server.py "$T/kds_routes.json" < "$T/kds.in" > "$T/kds_port" &
  KDS_SERVER=$!
  exec 7> "$T/kds.in"
  i=0; while [ ! -s "$T/kds_port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  KDS=http://127.0.0.1:$(cut -d' ' -f2 "$T/kds_port")
  expect 0 "verify --online --tls-cert fetches the CRL the certificate lacks" -- "$CLI" verify $SNP_TLS \
    --online --kds "$KDS" --tls-cert "$T/snp_nocrl.pem" "$PKI/chain.pem"
  expect 1 "verify --online --tls-cert: a KDS without the CRL" -- "$CLI" verify $SNP_TLS \
    --online --kds "$KDS/none" --tls-cert "$T/snp_nocrl.pem" "$PKI/chain.pem"
  contains "$T/err" "still missing after fetching" "what is still missing is listed"
  contains "$T/err" "ATTEST_E_CRL_MISSING" "and the verification rejects"
  expect 2 "verify --online --tls-cert without evidence for the rule" -- "$CLI" verify $SNP_TLS \
    --binding claims-sha256 --online --kds "$KDS" --tls-cert "$T/snp_nocrl.pem" "$PKI/chain.pem"
  contains "$T/err" "no evidence to fetch collateral for" "said, never an offline pass"
  exec 7>&-
  wait "$KDS_SERVER"
fi

# verify-result: other verifiers' results (docs/results.md), real vectors
# ---- raw SNP report + NRAS response + JWKS: one composite (attest-mock nras)
NP=${ATTEST_TEST_PKI}/nras; NN=$(printf '5e%.0s' $(seq 32)); NAT=2025-06-01T00:00:00Z; NIAT=1748735940
nras() { "$MOCK" nras result --pki "$NP" --nonce "$NN" --gpus 2 --iat "$NIAT" "$@"; }
nverify() { "$CLI" verify --at "$NAT" --anchor "$ANCHOR" --nonce "$NN" "$T/nrep.bin" $COLL "$@"; }
RD=$(nras --bind-cpu -o "$T/nras.json" --jwks-out "$T/njwks.json") &&
  "$MOCK" snp report --pki "$PKI" --report-data "$RD" -o "$T/nrep.bin" || echo "FAIL: attest-mock nras / snp report"
expect 0 "SNP + NRAS composite accepted" -- nverify --json "$T/nras.json" "$T/njwks.json"
contains "$T/out" '"gpu_binding": *"cpu_report_data"' "NRAS composite: gpu_binding named"
for s in cpu0 gpu0 gpu1; do contains "$T/out" "\"$s\"" "NRAS composite: submod $s"; done
nras --bind-cpu --no-x5c -o "$T/nras.json" --jwks-out "$T/njwks.json" >/dev/null
expect 0 "SNP + NRAS composite, JWKS without x5c" -- nverify "$T/nras.json" "$T/njwks.json"
for d in "--measres-fail ATTEST_E_RESULT_VERDICT" "--no-measres ATTEST_E_RESULT_CLAIMS" \
         "--error-details ATTEST_E_RESULT_VERDICT" "--overall-false ATTEST_E_RESULT_VERDICT" \
         "--splice ATTEST_E_RESULT_SUBMODS" "--expired ATTEST_E_TOKEN_EXPIRED" \
         "--kid-unknown ATTEST_E_TOKEN_KID"; do
  opt=${d% *}; code=${d#* }
  nras --bind-cpu "$opt" -o "$T/nbad.json" --jwks-out "$T/nbadjwks.json" >/dev/null
  expect 1 "NRAS composite $opt rejected" -- nverify "$T/nbad.json" "$T/nbadjwks.json"
  contains "$T/err" "$code" "NRAS $opt: $code named"
done
nras --eat-nonce "$(printf '77%.0s' $(seq 32))" -o "$T/nbad.json" --jwks-out "$T/nbadjwks.json"
expect 1 "NRAS GPUs bound to another nonce rejected" -- nverify "$T/nbad.json" "$T/nbadjwks.json"
contains "$T/err" "ATTEST_E_COMPOSITE_BINDING" "NRAS other nonce: binding named"
expect 1 "NRAS result without its JWKS refused" -- nverify "$T/nras.json"
contains "$T/err" "ATTEST_E_INVALID_ARG" "NRAS without JWKS: code named"
# the key set fetched online (--nras) from tests/http_server.py on 127.0.0.1
if command -v python3 >/dev/null 2>&1; then
  expect 1 "collateral list names the NRAS key set (exit 1: something is missing)" -- "$CLI" collateral list "$T/nrep.bin" $COLL "$T/nras.json"
  contains "$T/out" "nras-jwks GET https://nras.attestation.nvidia.com/.well-known/jwks.json" "NRAS key set need"
  echo "{\"/.well-known/jwks.json\": {\"body_file\": \"$T/njwks.json\"}}" > "$T/nras_routes.json"
  mkfifo "$T/nras.in"
  python3 tests/http_server.py "$T/nras_routes.json" < "$T/nras.in" > "$T/nras_port" &
  NSERVER=$!
  exec 8> "$T/nras.in"
  i=0; while [ ! -s "$T/nras_port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  NURL=http://127.0.0.1:$(cut -d' ' -f2 "$T/nras_port")
  expect 0 "SNP + NRAS composite, key set fetched with --online --nras" -- nverify --online --nras "$NURL" "$T/nras.json"
  exec 8>&-
  wait "$NSERVER"
  expect 1 "the same offline, no key set" -- nverify "$T/nras.json"
fi
# the same as members of a bundle file (collateral entries, docs/bundle.md)
nras --bind-cpu -o "$T/nras.json" --jwks-out "$T/njwks.json" >/dev/null
expect 0 "bundle with NRAS members created" -- "$CLI" bundle create --nonce "$NN" "$T/nrep.bin" $COLL \
  "$T/nras.json" "$T/njwks.json" -o "$T/nbundle.json"
expect 0 "bundle with NRAS members accepted" -- "$CLI" verify --json --at "$NAT" --anchor "$ANCHOR" \
  --nonce "$NN" "$T/nbundle.json"
contains "$T/out" '"gpu_binding": *"cpu_report_data"' "NRAS bundle: gpu_binding named"
contains "$T/out" '"gpu1"' "NRAS bundle: submod gpu1"
expect 2 "bundle create: an NRAS result without its JWKS refused" -- "$CLI" bundle create \
  --nonce "$NN" "$T/nrep.bin" $COLL "$T/nras.json" -o "$T/nbundle.json"
contains "$T/err" "without the JWKS" "bundle create without JWKS: named"
expect 2 "bundle create: NRAS members beside raw GPU evidence refused" -- "$CLI" bundle create \
  --nonce "$NN" "$T/nrep.bin" $COLL "$T/nras.json" "$T/njwks.json" \
  "${ATTEST_TEST_PKI}/nvidia/evidence.json" -o "$T/nbundle.json"
contains "$T/err" "raw GPU evidence" "bundle create beside raw GPUs: named"
# the same shapes written by hand (members appended to the collateral) are
# refused by verification too
append_members() { # BUNDLE OUT FILE...: each FILE as a {"data": base64} member
  python3 - "$@" <<'PY'
import base64, json, sys
doc = json.load(open(sys.argv[1]))
for f in sys.argv[3:]:
    doc["collateral"].append({"data": base64.b64encode(open(f, "rb").read()).decode()})
json.dump(doc, open(sys.argv[2], "w"))
PY
}
"$CLI" bundle create --nonce "$NN" "$T/nrep.bin" $COLL -o "$T/nbase.json"
append_members "$T/nbase.json" "$T/nbundle.json" "$T/nras.json"
expect 1 "bundle with an NRAS result but no JWKS refused" -- "$CLI" verify --at "$NAT" \
  --anchor "$ANCHOR" --nonce "$NN" "$T/nbundle.json"
contains "$T/err" "ATTEST_E_INVALID_ARG" "NRAS bundle without JWKS: code named"
"$CLI" bundle create --nonce "$NN" "$T/nrep.bin" $COLL "${ATTEST_TEST_PKI}/nvidia/evidence.json" \
  -o "$T/nbase.json"
append_members "$T/nbase.json" "$T/nbundle.json" "$T/nras.json" "$T/njwks.json"
expect 1 "bundle with NRAS members and raw GPU evidence refused" -- "$CLI" verify --at "$NAT" \
  --anchor "$ANCHOR" --nonce "$NN" "$T/nbundle.json"
contains "$T/err" "composite.gpus" "NRAS bundle beside raw GPUs: check named"

RS=$SHARED/vectors/results
if [ -f "$RS/nras/jwks_2026-06-29.json" ]; then
  N1=$RS/nras/N01_tinfoil_1gpu_2026-06-29/nras_response.json
  N1N=1b63be880a57c6cb2ea2191157e35bdc0de416d3b9e4b5b17423b12f8553d633
  expect 0 "verify-result nras N01" -- "$CLI" verify-result --kind nras --keys "$RS/nras/jwks_2026-06-29.json" \
    --nonce "$N1N" --at 2026-06-29T02:30:00Z "$N1"
  expect 0 "verify-result --json names the appraiser" -- "$CLI" verify-result --json --kind nras \
    --keys "$RS/nras/jwks_2026-06-29.json" --nonce "$N1N" --at 2026-06-29T02:30:00Z "$N1"
  contains "$T/out" '"appraised_by"' "submod gpu0 names NRAS"
  expect 1 "verify-result nras N03 (NONCE_NOT_MATCHING)" -- "$CLI" verify-result --kind nras \
    --keys "$RS/nras/jwks_2026-06-29.json" --at 2026-06-29T02:30:00Z \
    --nonce c7fe347ecca03db12e156e048bbe809024928ef0707a319796956fe7415148e4 \
    "$RS/nras/N03_chutes_8gpu_nonce_mismatch_2026-06-29/nras_response.json"
  contains "$T/err" "ATTEST_E_RESULT_VERDICT" "N03 verdict named"
  expect 1 "verify-result nras N04 with the rotated key set" -- "$CLI" verify-result --kind nras \
    --keys "$RS/nras/jwks_2026-06-29.json" --at 2026-06-10T02:00:00Z \
    --nonce 9a796732359e9324a45576a730e5a9c47bff518b8ee8bcb882d00b5b1ff6f39a \
    "$RS/nras/N04_nanogpt_1gpu_2026-06-10/nras_response.json"
  contains "$T/err" "ATTEST_E_TOKEN_KID" "unknown kid named"
  expect 1 "verify-result maa alg none" -- "$CLI" verify-result --kind maa --keys "$RS/maa/jwks_sharedwus_2022-11-17.json" \
    --issuer https://sharedwus.wus.attest.azure.net --at 2022-11-17T21:00:00Z "$RS/maa/token_sgx_shared_draftpolicy_alg_none.jwt"
  expect 2 "verify-result maa needs --issuer" -- "$CLI" verify-result --kind maa \
    --keys "$RS/maa/jwks_sharedwus_2022-11-17.json" "$RS/maa/token_sgx_shared_rs256.jwt"
  expect 2 "verify-result unknown kind" -- "$CLI" verify-result --kind xyz --keys "$RS/maa/jwks_sharedwus_2022-11-17.json" "$N1"
  expect 2 "verify-result --allow-rs256 only with ita" -- "$CLI" verify-result --kind nras --allow-rs256 \
    --keys "$RS/nras/jwks_2026-06-29.json" "$N1"
fi

echo "cli.sh: $((n - fails))/$n checks passed"
[ "$fails" -eq 0 ]
