#!/bin/sh
# make demo: the main job on sample evidence. A mock TEE (attest-mock)
# makes a test AMD PKI and two reports; the CLI accepts one and rejects the
# other with its reason. Then every real report under ../shared/vectors/snp
# is verified at an instant inside its VCEK/VLEK validity.
set -u
B=${1:-build}
SHARED=${SHARED:-../shared}
D=$B/demo
rm -rf "$D" && mkdir -p "$D"
say() { printf '\n== %s\n' "$*"; }

say "mock TEE: a test AMD PKI (ARK -> ASK -> VCEK, CRL) and two signed reports"
"$B/attest-mock" snp pki --product Genoa --out "$D/pki" >/dev/null || exit 1
ANCHOR=$(cat "$D/pki/anchor.sha256")
"$B/attest-mock" snp report --pki "$D/pki" --version 5 --measurement "$(printf 'ab%.0s' $(seq 48))" -o "$D/good.bin"
"$B/attest-mock" snp report --pki "$D/pki" --version 5 --policy 0xb0000 -o "$D/debug.bin"
echo "test root pinned for this run only: --anchor $ANCHOR"

say "attest verify good.bin (expected: accepted)"
"$B/attest" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$D/good.bin" "$D/pki/vcek.pem" "$D/pki/chain.pem" "$D/pki/crl.der"
echo "exit $?"

say "attest verify debug.bin (expected: rejected, the guest policy allows debugging)"
"$B/attest" verify --at 2025-06-01T00:00:00Z --anchor "$ANCHOR" "$D/debug.bin" "$D/pki/vcek.pem" "$D/pki/chain.pem" "$D/pki/crl.der"
echo "exit $?"

say "the same evidence at 2031-06-01, after the VCEK expired (expected: rejected)"
"$B/attest" verify --at 2031-06-01T00:00:00Z --anchor "$ANCHOR" "$D/good.bin" "$D/pki/vcek.pem" "$D/pki/chain.pem" "$D/pki/crl.der"
echo "exit $?"

say "mock TEE, Intel: a test Intel PKI, signed TCB Info and QE Identity, a TDX quote"
"$B/attest-mock" dcap pki --out "$D/intel" >/dev/null || exit 1
IANCHOR=$(cat "$D/intel/anchor.sha256")
"$B/attest-mock" dcap quote --pki "$D/intel" --tee tdx --version 5 --body-type 3 -o "$D/td.bin"
"$B/attest-mock" dcap quote --pki "$D/intel" --tee tdx --td-attributes 0100001000000000 -o "$D/td_debug.bin"
ICOLL="$D/intel/tcb_info_tdx.json $D/intel/qe_identity_td.json $D/intel/tcb_signing_chain.pem $D/intel/root_crl.der $D/intel/pck_crl.der"

say "attest verify td.bin (expected: accepted, UpToDate)"
"$B/attest" verify --at 2025-06-15T00:00:00Z --anchor-intel "$IANCHOR" "$D/td.bin" $ICOLL
echo "exit $?"
say "attest verify td_debug.bin (expected: rejected, debug TD)"
"$B/attest" verify --at 2025-06-15T00:00:00Z --anchor-intel "$IANCHOR" "$D/td_debug.bin" $ICOLL
echo "exit $?"
say "the same quote a year later (expected: rejected, collateral expired)"
"$B/attest" verify --at 2026-06-15T00:00:00Z --anchor-intel "$IANCHOR" "$D/td.bin" $ICOLL
echo "exit $?"

say "a whole machine: SEV-SNP CVM + H100 (mock), one bundle, one signed token"
"$B/attest-mock" nvidia pki --out "$D/gpu" >/dev/null || exit 1
NONCE=5e1ec7ed00c0ffee5e1ec7ed00c0ffee5e1ec7ed00c0ffee5e1ec7ed00c0ffee
GNONCE=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
"$B/attest-mock" nvidia report --pki "$D/gpu" --nonce $GNONCE -o "$D/gpu0.bin"
# The CVM binds the relying party's nonce and its GPU's nonce in REPORT_DATA.
RD=$(perl -e 'print pack("H*", $ARGV[0])' "$NONCE$GNONCE" | openssl dgst -sha512 -r | cut -c1-128)
"$B/attest-mock" snp report --pki "$D/pki" --version 5 --report-data "$RD" -o "$D/cvm.bin"
"$B/attest" bundle create --nonce $NONCE "$D/cvm.bin" "$D/pki/vcek.pem" "$D/pki/chain.pem" "$D/pki/crl.der" \
  "$D/gpu0.bin" "$D/gpu/device_cert_chain.pem" "$D/gpu/driver_rim.xml" "$D/gpu/vbios_rim.xml" \
  "$D/gpu/ocsp" -o "$D/machine.json" && echo "bundle: $D/machine.json"
openssl ecparam -name secp384r1 -genkey -noout -out "$D/token-key.pem" 2>/dev/null
openssl ec -in "$D/token-key.pem" -pubout -out "$D/token-pub.pem" 2>/dev/null
# The policy addresses both platforms of the machine; the relying party
# gives its challenge (--nonce): the bundle's own nonce is only a claim.
echo '{"snp":{},"nvidia":{"allow_stored_ocsp":true},"composite":{"min_gpus":1}}' > "$D/machine-policy.json"
"$B/attest" verify --at 2025-06-01T12:00:00Z --policy "$D/machine-policy.json" --nonce $NONCE \
  --no-builtin-anchors --anchor "$ANCHOR" --anchor-nvidia-device "$(cat "$D/gpu/device_anchor.sha256")" \
  --anchor-nvidia-rim "$(cat "$D/gpu/rim_anchor.sha256")" \
  --token-key "$D/token-key.pem" --token-out "$D/machine.jwt" "$D/machine.json"
echo "exit $?"
say "attest token verify (a relying party downstream)"
"$B/attest" token verify "$D/machine.jwt" --pubkey "$D/token-pub.pem" --nonce $NONCE \
  --at 2025-06-01T12:05:00Z > "$D/claims.json" && \
  perl -ne 'print "  $1 $2\n" if /"(ear\.status|eat_nonce)": "([^"]*)"/' "$D/claims.json"

X=$SHARED/vectors/tdx
if [ -d "$X/quotes" ]; then
  say "real TDX quote (../shared/vectors/tdx set S18) with Intel's collateral of 2025-07-07"
  "$B/attest" verify --json --at 2025-07-07T10:20:00Z "$X/quotes/tdx_v4_00806F050000_automata.bin" \
    "$X/collateral/tcbinfo_tdx_v3_00806F050000_2025-07-07.json" "$X/collateral/qe_identity_td_2025-07-07.json" \
    "$X/crl/pck_crl_platform_2025-07-07.der" "$X/crl/root_ca_crl_2025-03-20.der" \
    "$X/certs/tcb_signing_2025-05-06_chain.pem" > "$D/s18.json"
  echo "exit $? (expected 1: OutOfDate is not accepted by the default policy)"
  python3 -c "import json;d=json.load(open('$D/s18.json'));t=d['claims']['tcb'];print('  status',t['status'],'advisories',','.join(t['advisory_ids']),'eval',t['tcb_evaluation_data_number']);print('  reason',d['reason'])" 2>/dev/null || true
fi

S=$SHARED/vectors/snp
if [ ! -d "$S/sets" ]; then
  say "real vectors: $S absent, skipped"
  exit 0
fi
say "real reports (../shared/vectors/snp), pinned AMD roots, policy examples/policy-authenticity.json"
ok=0; all=0
while read -r set report vek chain at; do
  all=$((all + 1))
  if out=$("$B/attest" verify --at "$at" --policy examples/policy-authenticity.json \
        "$S/sets/$set/$report" "$S/sets/$set/$vek" "$S/roots/$chain" 2>&1); then
    ok=$((ok + 1)); printf '  %-36s %-26s accepted at %s\n' "$set" "$report" "$at"
  else
    printf '  %-36s %-26s %s\n' "$set" "$report" "$out"
  fi
done <<LIST
S01_milan_v2_gosevguest report.bin vcek.der kds_vcek_cert_chain_milan.pem 2022-09-25T00:00:00Z
S02_milan_v2_virtee report.bin vcek.der kds_vcek_cert_chain_milan.pem 2023-04-04T00:00:00Z
S03_milan_v2_trustee_idblock report.bin vcek.der kds_vcek_cert_chain_milan.pem 2023-01-25T00:00:00Z
S04_milan_v3_vlek_aws_trustee report.bin vlek.der kds_vlek_cert_chain_milan.pem 2024-12-11T00:00:00Z
S05_milan_v3_vlek_aws_constellation report.bin vlek.pem kds_vlek_cert_chain_milan.pem 2024-12-11T00:00:00Z
S06_milan_v2_vlek_aws_constellation report.bin vlek.pem kds_vlek_cert_chain_milan.pem 2024-05-06T00:00:00Z
S07_milan_v2_azure_hcl_trustee report.bin vcek_ask_ark.pem kds_vcek_cert_chain_milan.pem 2023-05-03T00:00:00Z
S08_milan_v3_azure_hcl_trustee report.bin vcek.pem kds_vcek_cert_chain_milan.pem 2025-01-29T00:00:00Z
S09_genoa_v3_azure_hcl_trustee report.bin vcek.pem kds_vcek_cert_chain_genoa.pem 2025-01-25T00:00:00Z
S10_genoa_v3_tinfoil report.bin vcek.der kds_vcek_cert_chain_genoa.pem 2026-06-29T00:00:00Z
S11_siena_v3_trustee_e2e report.bin vcek.der kds_vcek_cert_chain_genoa.pem 2025-05-28T00:00:00Z
S12_genoa_v5_oak report.bin vcek.der kds_vcek_cert_chain_genoa.pem 2025-08-08T00:00:00Z
S13_genoa_v2_oak report.bin vcek.der kds_vcek_cert_chain_genoa.pem 2024-06-26T00:00:00Z
S14_turin_v5_oak report.bin vcek.der kds_vcek_cert_chain_turin.pem 2025-07-18T00:00:00Z
S15_milan_v3_oak report.bin vcek.der kds_vcek_cert_chain_milan.pem 2025-01-16T00:00:00Z
S16_milan_v5_gcp_teekit sev-gcp.bin sev-gcp-vcek.pem kds_vcek_cert_chain_milan.pem 2025-12-06T00:00:00Z
S17_milan_v2_azure_constellation report.bin vcek.der kds_vcek_cert_chain_milan.pem 2023-08-31T00:00:00Z
LIST
echo "  $ok of $all real reports accepted at their instant"
say "S04 (VLEK, one-year certificate) today: expected rejected, VLEK expired"
"$B/attest" verify --policy examples/policy-authenticity.json "$S/sets/S04_milan_v3_vlek_aws_trustee/report.bin" \
  "$S/sets/S04_milan_v3_vlek_aws_trustee/vlek.der" "$S/roots/kds_vlek_cert_chain_milan.pem"
echo "exit $?"
