#!/usr/bin/env python3
"""Seed corpus for fuzz/fuzz_eventlog.c: small event logs generated here
(a TDVF-style CCEL log with padding, a td-shim-style one, a TPM log with
SHA-1/SHA-256 banks and a StartupLocality event, a CCEL table, a dstack
JSON log and an AA text log), never copies of the shared vectors.
usage: python3 fuzz/seed_eventlog.py OUT_DIR"""
import hashlib, json, os, struct, sys

SIZES = {0x0004: 20, 0x000B: 32, 0x000C: 48}
HASH = {0x0004: hashlib.sha1, 0x000B: hashlib.sha256, 0x000C: hashlib.sha384}


def spec_id(index, algs, vendor=b""):
    data = b"Spec ID Event03\0" + struct.pack("<IBBBB", 0, 0, 2, 0, 2)
    data += struct.pack("<I", len(algs)) + b"".join(struct.pack("<HH", a, SIZES[a]) for a in algs)
    data += struct.pack("<B", len(vendor)) + vendor
    return struct.pack("<II", index, 3) + bytes(20) + struct.pack("<I", len(data)) + data


def event(index, etype, data, algs):
    digests = b"".join(struct.pack("<H", a) + HASH[a](data).digest() for a in algs)
    return struct.pack("<III", index, etype, len(algs)) + digests + struct.pack("<I", len(data)) + data


def ccel_log(index0, pad, vendor=b""):
    algs = [0x000C]
    log = spec_id(index0, algs, vendor)
    log += event(1, 0x80000001, bytes(32) + b"S\0B\0", algs)
    log += event(1, 4, bytes(4), algs)
    log += event(2, 0x80000007, b"Calling EFI Application from Boot Option", algs)
    log += event(2, 4, bytes(4), algs)
    log += event(3, 0xD, b"grub_cmd: set timeout=0\0", algs)
    tag = b"coco.com op content"
    log += event(4, 6, struct.pack("<II", 0x4141454C, len(tag)) + tag, algs)
    return log + pad * 64


def tpm_log():
    algs = [0x0004, 0x000B]
    log = spec_id(0, algs)
    log += event(0, 3, b"StartupLocality\0\x03", algs)
    log += event(0, 8, "GCE Virtual Firmware v1".encode("utf-16-le"), algs)
    log += event(7, 4, bytes(4), algs)
    return log


def ccel_table():
    t = bytearray(b"CCEL" + struct.pack("<I", 56) + b"\x01\x00" + b"INTEL " + b"EDK2    ")
    t += struct.pack("<I", 2) + b"    " + struct.pack("<I", 0x1000013)
    t += bytes([2, 0, 0, 0]) + struct.pack("<QQ", 0x10000, 0xBEDBF000)
    t[9] = (-sum(t)) & 0xFF
    return bytes(t)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        "ccel-tdvf.bin": ccel_log(1, b"\xff"),
        "ccel-tdshim.bin": ccel_log(0, b"\x00", b"td-shim"),
        "tpm.bin": tpm_log(),
        "ccel-table.bin": ccel_table(),
        "dstack.json": json.dumps([
            {"imr": 0, "event_type": 4, "digest": hashlib.sha384(bytes(4)).hexdigest(),
             "event": "", "event_payload": "00000000"},
            {"imr": 3, "event_type": 0x08000001, "digest": "", "event": "app-id",
             "event_payload": "00ff"}]).encode(),
        "aael.txt": b"INIT sha384/" + b"0" * 96 + b"\nimage-rs CreateContainer docker.io/x\n",
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
