#!/usr/bin/env python3
"""Seeds for the SEV-SNP forms the last campaign never reached (0 % lines):
Azure THIM JSON and its ACI base64 form (lib/parse/thim.c,
lib/api/thim_collateral.c), the extended report's certificate table and
Trustee's SNP evidence JSON (lib/parse/snp_certs.c). Made from a mock
report and the test PKI that signed it (attest-mock output), so that the
items are well-formed and agree with the report: the fuzzer starts past
the shape checks (tcbm equal to the VCEK's TCB, GUIDs, offsets).
    usage: python3 fuzz/seed_formats.py PKI_DIR REPORT COLLATERAL_DIR EVIDENCE_DIR
PKI_DIR is an `attest-mock snp pki` directory (vcek.pem, chain.pem) and
REPORT an `attest-mock snp report --pki PKI_DIR` output (Milan layout)."""
import base64, json, os, re, struct, sys

pki, report_path, coll, evid = sys.argv[1:5]
for d in (coll, evid):
    os.makedirs(d, exist_ok=True)


def text(rel):
    with open(os.path.join(pki, rel)) as f:
        return f.read()


def ders(pem):
    return [base64.b64decode(''.join(b.split()))
            for b in re.findall(r'-----BEGIN CERTIFICATE-----(.*?)-----END', pem, re.S)]


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


# fuzz_collateral verifies the evidence of $FUZZ_EVIDENCE chosen by the
# input's last byte (fixtures nvidia.json, snp.bin, tdx.bin: byte % 3 == 1
# is the SNP report these items belong to): each item ends in such a byte.
SNP_FIXTURE_END = b'\n'  # 10 % 3 == 1; JSON and base64 allow a final newline

with open(report_path, 'rb') as f:
    report = f.read()
vcek_pem, chain_pem = text('vcek.pem'), text('chain.pem')

# THIM: tcbm is the TCB_VERSION as 16 upper-case hex digits, most
# significant byte first; a mock VCEK carries the report's REPORTED_TCB.
tcbm = '%016X' % struct.unpack_from('<Q', report, 0x180)[0]
thim = json.dumps({'vcekCert': vcek_pem, 'tcbm': tcbm, 'certificateChain': chain_pem,
                   'cacheControl': '86400'}, separators=(',', ':')).encode()
write(os.path.join(coll, 'gen-thim-milan.json'), thim + SNP_FIXTURE_END)
write(os.path.join(coll, 'gen-thim-milan.b64'), base64.b64encode(thim) + b'\n')

# Certificate table: GUID || offset u32 LE || length u32 LE per entry, an
# all-zero entry, then the DER certificates (VCEK, ASK, ARK: research/snp.md).
GUIDS = ['63da758de6644564adc5f4b93be8accd', '4ab7b379bbac4fe4a02f05aef327c782',
         'c0b406a4a803495297433fb6014cd0ae']
certs = ders(vcek_pem) + ders(chain_pem)
table, data, at = b'', b'', 24 * (len(certs) + 1)
for guid, der in zip(GUIDS, certs):
    table += bytes.fromhex(guid) + struct.pack('<II', at + len(data), len(der))
    data += der
# zero padding after the certificates, as the host's page-sized buffer has
pad = bytes(15) + SNP_FIXTURE_END
write(os.path.join(coll, 'gen-cert-table.bin'), table + bytes(24) + data + pad)
# the VCEK alone: a small seed the mutator can grow
vcek_only = bytes.fromhex(GUIDS[0]) + struct.pack('<II', 48, len(certs[0])) + bytes(24)
write(os.path.join(coll, 'gen-cert-table-vcek.bin'), vcek_only + certs[0] + pad)


# Trustee SNP evidence JSON: the sev crate's serde form of the report, the
# VCEK as its cert_chain (tests/api/test_formats.c writes the same shape).
def le(off, n):
    return int.from_bytes(report[off:off + n], 'little')


def tcb(off):
    b = report[off:off + 8]
    return {'fmc': None, 'bootloader': b[0], 'tee': b[1], 'snp': b[6], 'microcode': b[7]}


rep = {'version': le(0, 4), 'guest_svn': le(4, 4), 'policy': le(8, 8),
       'family_id': list(report[0x10:0x20]), 'image_id': list(report[0x20:0x30]),
       'vmpl': le(0x30, 4), 'sig_algo': le(0x34, 4), 'current_tcb': tcb(0x38),
       'plat_info': le(0x40, 8), 'key_info': le(0x48, 4)}
for name, off, n in (('report_data', 0x50, 64), ('measurement', 0x90, 48),
                     ('host_data', 0xC0, 32), ('id_key_digest', 0xE0, 48),
                     ('author_key_digest', 0x110, 48), ('report_id', 0x140, 32),
                     ('report_id_ma', 0x160, 32), ('chip_id', 0x1A0, 64)):
    rep[name] = list(report[off:off + n])
rep.update({'reported_tcb': tcb(0x180), 'cpuid_fam_id': report[0x188],
            'cpuid_mod_id': report[0x189], 'cpuid_step': report[0x18A],
            'committed_tcb': tcb(0x1E0),
            'current': {'major': report[0x1EA], 'minor': report[0x1E9], 'build': report[0x1E8]},
            'committed': {'major': report[0x1EE], 'minor': report[0x1ED],
                          'build': report[0x1EC]},
            'launch_tcb': tcb(0x1F0),
            'signature': {'r': list(report[0x2A0:0x2E8]), 's': list(report[0x2E8:0x330])}})
doc = {'attestation_report': rep, 'cert_chain': [{'cert_type': 'VCEK', 'data': list(certs[0])}]}
write(os.path.join(evid, 'gen-snp-trustee.json'), json.dumps(doc, separators=(',', ':')).encode())
