#!/usr/bin/env python3
"""Seed corpus of fuzz_fetch_response: HTTP answers in the harness's input
form ([kind - 1][flags][tcbEvaluationDataNumber] URL '\\n' header lines
'\\r\\n' body), made from this build's test PKI and, when ../shared is
present, from the recorded answers of vectors/online (read at run time,
never committed).
    usage: python3 fuzz/seed_fetch.py TESTPKI_DIR SHARED_DIR OUT_DIR"""
import base64, hashlib, os, sys, urllib.parse

pki, shared, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)


def read(rel, base=pki):
    with open(os.path.join(base, rel), 'rb') as f:
        return f.read()


def seed(name, kind, url, headers, body, flags=0, evaluation=0):
    head = bytes([kind - 1, flags, evaluation]) + url.encode() + b'\n'
    head += b''.join(h.encode() + b'\r\n' for h in headers) + b'\r\n'
    with open(os.path.join(out, name), 'wb') as f:
        f.write(head + body)


def chain_header(name, rel):
    return '%s: %s' % (name, urllib.parse.quote(read(rel).decode(), safe=''))


KDS = 'https://kdsintf.amd.com/vcek/v1/Milan/'
PCS = 'https://api.trustedservices.intel.com/'
seed('gen-vcek', 1, KDS + '00?blSPL=0', ['Content-Type: application/pkix-cert'],
     read('milan/vcek.pem'))
seed('gen-chain', 2, KDS + 'cert_chain', ['Content-Type: application/x-pem-file'],
     read('milan/chain.pem'))
seed('gen-crl', 3, KDS + 'crl', ['Retry-After: 2'], read('milan/crl.der'))
seed('gen-tcb-info', 4, PCS + 'tdx/certification/v4/tcb?fmspc=00',
     [chain_header('TCB-Info-Issuer-Chain', 'intel/tcb_signing_chain.pem')],
     read('intel/tcb_info_tdx.json'), flags=4, evaluation=17)
seed('gen-qe-identity', 5, PCS + 'tdx/certification/v4/qe/identity',
     [chain_header('SGX-Enclave-Identity-Issuer-Chain', 'intel/tcb_signing_chain.pem')],
     read('intel/qe_identity_td.json'))
seed('gen-pck-crl', 6, PCS + 'sgx/certification/v4/pckcrl?ca=platform',
     ['HTTP/1.1 200 OK', chain_header('SGX-PCK-CRL-Issuer-Chain', 'intel/pck_chain.pem')],
     read('intel/pck_crl.der'))
seed('gen-root-crl-hex', 7, 'https://pccs.example/sgx/certification/v4/rootcacrl', [],
     read('intel/root_crl.der').hex().encode() + b'\n', flags=2)
rim = read('nvidia/driver_rim.xml')
rim_id = 'NV_GPU_DRIVER_GH100_535.00'
seed('gen-rim', 8, 'https://rim.attestation.nvidia.com/v1/rim/' + rim_id, [],
     ('{"id":"%s","rim":"%s","sha256":"%s","rim_format":"TCG"}' %
      (rim_id, base64.b64encode(rim).decode(), hashlib.sha256(rim).hexdigest())).encode())
seed('gen-ocsp', 9, 'https://ocsp.ndis.nvidia.com', ['Content-Type: application/ocsp-response'],
     read('nvidia/ocsp/device_cert1.der'))
vcek, chain = read('milan/vcek.pem').decode(), read('milan/chain.pem').decode()
seed('gen-thim', 1, 'http://169.254.169.254/metadata/THIM/amd/certification',
     ['Metadata: true'],
     ('{"vcekCert":%s,"tcbm":"0000000000000000","certificateChain":%s,"cacheControl":"86400"}'
      % (repr(vcek).replace("'", '"'), repr(chain).replace("'", '"'))).encode(), flags=1)

# The recorded answers: "<body>.headers" holds the request line, the status
# and the response headers after '#' comment lines.
online = os.path.join(shared, 'vectors', 'online')
KINDS = {'vcek': 1, 'cert_chain': 2, 'crl': 3, 'tcb': 4, 'identity': 5, 'pckcrl': 6,
         'rootcacrl': 7, 'rim': 8}
for d, _, files in os.walk(online):
    for f in sorted(files):
        if not f.endswith('.headers') or not os.path.exists(os.path.join(d, f[:-8])):
            continue
        lines = [l for l in read(f, d).decode(errors='replace').splitlines()
                 if l and not l.startswith('#')]
        if len(lines) < 2 or ' ' not in lines[0]:
            continue
        url = lines[0].split(' ', 1)[1]
        kind = next((k for key, k in KINDS.items() if key in url), 9)
        if 'crl' in url and kind == 9:
            kind = 7
        seed('real-' + f[:-8][:60], kind, url, lines[2:], read(f[:-8], d))
print('seed corpus: %d files in %s' % (len(os.listdir(out)), out))
