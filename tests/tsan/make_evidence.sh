#!/bin/sh
# Mock evidence for tests/tsan/test_threads.c, from the test PKI:
# make_evidence.sh MOCK CLI PKIDIR OUTDIR. SEV-SNP reports (Milan, Genoa,
# one debug, one tampered), TDX quotes (good, tampered), two Azure bundles
# (SNP and TDX CVM) and a plain SNP bundle. The NVIDIA evidence is the test
# PKI's own (evidence.json).
set -eu
MOCK=$1 CLI=$2 P=$3 E=$4
mkdir -p "$E"
"$MOCK" snp report --pki "$P/milan" -o "$E/snp_milan.bin"
"$MOCK" snp report --pki "$P/genoa" -o "$E/snp_genoa.bin"
"$MOCK" snp report --pki "$P/milan" --policy 0xb0000 -o "$E/snp_debug.bin"
"$MOCK" snp report --pki "$P/genoa" --flip 0x90 -o "$E/snp_tampered.bin"
"$MOCK" dcap quote --pki "$P/intel" --tee tdx -o "$E/tdx.bin"
"$MOCK" dcap quote --pki "$P/intel" --tee tdx --flip 700 -o "$E/tdx_bad.bin"
I=$P/intel
ICOLL="$I/tcb_info_tdx.json $I/qe_identity_td.json $I/tcb_signing_chain.pem $I/root_crl.der $I/pck_crl.der"
A=$P/azure/snp
"$CLI" bundle create --nonce "$(cat "$A/nonce.hex")" --tpm-quote "$A/quote_msg.bin" \
  --tpm-signature "$A/quote_sig.bin" --tpm-pcrs "$A/pcrs.bin" -o "$E/azure_snp.json" \
  "$A/hcl_report.bin" "$P/genoa/vcek.pem" "$P/genoa/crl.der" "$P/genoa/chain.pem" "$P/azure/chain.pem"
A=$P/azure/tdx
"$CLI" bundle create --nonce "$(cat "$A/nonce.hex")" --tpm-quote "$A/quote_msg.bin" \
  --tpm-signature "$A/quote_sig.bin" --tpm-pcrs "$A/pcrs.bin" --td-quote "$A/td_quote.bin" \
  -o "$E/azure_tdx.json" "$A/hcl_report.bin" "$P/azure/chain.pem" $ICOLL
"$CLI" bundle create -o "$E/bundle_milan.json" "$E/snp_milan.bin" \
  "$P/milan/vcek.pem" "$P/milan/crl.der" "$P/milan/chain.pem"
