#!/bin/sh
# Mock evidence for tests/allocfail/driver.c, from the test PKI:
# make_evidence.sh MOCK CLI PKIDIR OUTDIR. For each kind a genuine item and
# a forged copy (one byte of the signed body changed after signing):
#   snp.bin / snp_forged.bin           Milan SEV-SNP report (REPORT_DATA)
#   tdx.bin / tdx_forged.bin           TDX v4 quote (TD report body)
#   gpu.bin / gpu_forged.bin           raw SPDM report of the test GPU
#   composite.json / composite_forged.json  bundle: Milan CVM + that GPU,
#                                      bound by REPORT_DATA, all collateral
#                                      (the forged one holds a forged CVM report)
#   nonce.hex, gpu_nonce.hex           the bundle's nonce, the GPU's nonce
#   token.key.pem, token.pub.pem       ES256 key for the token step
set -eu
MOCK=$1 CLI=$2 P=$3 E=$4
mkdir -p "$E"
"$MOCK" snp report --pki "$P/milan" --report-data 0011223344 -o "$E/snp.bin"
"$MOCK" snp report --pki "$P/milan" --report-data 0011223344 --flip 0x52 -o "$E/snp_forged.bin"
"$MOCK" dcap quote --pki "$P/intel" --tee tdx -o "$E/tdx.bin"
"$MOCK" dcap quote --pki "$P/intel" --tee tdx --flip 0x100 -o "$E/tdx_forged.bin"
G=$(cat "$P/nvidia/nonce.hex")
"$MOCK" nvidia report --pki "$P/nvidia" --nonce "$G" -o "$E/gpu.bin"
"$MOCK" nvidia report --pki "$P/nvidia" --nonce "$G" --flip 0x40 -o "$E/gpu_forged.bin"
echo "$G" > "$E/gpu_nonce.hex"
N=616c6c6f636661696c2d636f6d706f736974652d6e6f6e63652d303030303031
echo "$N" > "$E/nonce.hex"
# REPORT_DATA = SHA-512(nonce || gpu0 request nonce) (docs/bundle.md)
RD=$(printf '%s%s' "$N" "$G" | xxd -r -p | openssl dgst -sha512 -r | cut -d' ' -f1)
"$MOCK" snp report --pki "$P/milan" --report-data "$RD" -o "$E/cvm.bin"
"$MOCK" snp report --pki "$P/milan" --report-data "$RD" --flip 0x52 -o "$E/cvm_forged.bin"
NV="$P/nvidia/device_cert_chain.pem $P/nvidia/driver_rim.xml $P/nvidia/vbios_rim.xml $P/nvidia/ocsp"
AMD="$P/milan/vcek.pem $P/milan/crl.der $P/milan/chain.pem"
"$CLI" bundle create --nonce "$N" -o "$E/composite.json" "$E/cvm.bin" "$E/gpu.bin" $AMD $NV
"$CLI" bundle create --nonce "$N" -o "$E/composite_forged.json" "$E/cvm_forged.bin" "$E/gpu.bin" $AMD $NV
openssl ecparam -name prime256v1 -genkey -noout -out "$E/token.key.pem"
openssl ec -in "$E/token.key.pem" -pubout -out "$E/token.pub.pem" 2>/dev/null
