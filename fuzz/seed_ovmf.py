#!/usr/bin/env python3
"""Seed corpus for fuzz_ovmf: small synthetic OVMF/TDVF images in the layout
of vectors/gen/ovmfgen.h (footer GUID table with TDVF descriptor, SEV
metadata, SEV-ES reset block and kernel-hashes entries), whole and with
parts left out. Generated here, never copied from ../shared.
    usage: python3 fuzz/seed_ovmf.py OUT_DIR"""
import os
import struct
import sys
import uuid

SIZE = 0x4000
FOOTER = "96b582de-1fb2-45f7-baea-a366c55a082d"
TDVF = "e47a6535-984a-4798-865e-4685a7bf8ec2"
SEV = "dc886566-984a-4798-a75e-5585a7bf67cc"
RESET = "00f771de-1a7e-4fcb-890e-68c77e2fb44e"
HASHES = "7255371f-3a3b-4b04-927b-1da6efa8d454"


def image(tdvf=True, sev=True, kernel_hashes=True):
    img = bytearray(SIZE)
    for i in range(0x3000):
        img[i] = (i * 7 + (i >> 8)) & 0xFF
    footer = SIZE - 32 - 18
    end = footer

    def entry(guid, data):
        nonlocal end
        end -= len(data) + 18
        img[end:end + len(data) + 18] = data + struct.pack("<H", len(data) + 18) + uuid.UUID(guid).bytes_le

    if tdvf:
        secs = [(0, 0x3000, 0x100000000 - SIZE, 0x3000, 0, 1), (0, 0, 0x800000, 0x2000, 3, 0)]
        d = b"TDVF" + struct.pack("<III", 16 + 32 * len(secs), 1, len(secs))
        d += b"".join(struct.pack("<IIQQII", *s) for s in secs)
        img[SIZE - 0x800:SIZE - 0x800 + len(d)] = d
        entry(TDVF, struct.pack("<I", 0x800))
    if sev:
        secs = [(0x800000, 0x9000, 1), (0x80D000, 0x1000, 2), (0x80E000, 0x1000, 3)]
        if kernel_hashes:
            secs.append((0x80F000, 0x1000, 0x10))
        d = b"ASEV" + struct.pack("<III", 16 + 12 * len(secs), 1, len(secs))
        d += b"".join(struct.pack("<III", *s) for s in secs)
        img[SIZE - 0x600:SIZE - 0x600 + len(d)] = d
        entry(SEV, struct.pack("<I", 0x600))
        entry(RESET, struct.pack("<I", 0x80B004))
        entry(HASHES, struct.pack("<II", 0x80FC00, 0x400))
    img[footer:footer + 18] = struct.pack("<H", footer + 18 - end) + uuid.UUID(FOOTER).bytes_le
    return bytes(img)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        "full.fd": image(),
        "tdvf-only.fd": image(sev=False),
        "sev-only.fd": image(tdvf=False),
        "no-kernel-hashes.fd": image(kernel_hashes=False),
    }
    seeds["last-page.fd"] = seeds["full.fd"][-0x1000:]
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("seed corpus: %d in %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
