/*
 * ovmfgen - a small synthetic OVMF/TDVF firmware image for the measurement
 * tests (tests/appraise/test_measure.c) and the fuzz seeds
 * (fuzz/seed_ovmf.py writes the same layout): the footer GUID table with
 * the TDVF descriptor, SEV metadata, SEV-ES reset block and kernel-hashes
 * table entries, as edk2 lays them out (research/reference-values.md 1.8,
 * 2.2). Header-only: nothing to link.
 *
 * Layout of the OVMFGEN_SIZE-byte image, mapped to end at 4 GiB:
 *   [0, 0x3000)        "code": a byte pattern, the TDVF BFV section
 *   end - 0x800        TDVF descriptor: BFV (MR.EXTEND) + TempMem (added only)
 *   end - 0x600        SEV metadata: SEC_MEM, SECRETS, CPUID, KERNEL_HASHES
 *   ... end - 32       GUID table: TDVF, SEV, reset block, hashes, footer
 * The offsets are in ovmfgen_layout so that tests can break one field.
 */
#ifndef OVMFGEN_H
#define OVMFGEN_H

#include <stdint.h>
#include <string.h>

#define OVMFGEN_SIZE 0x4000u
#define OVMFGEN_TDVF_BACK 0x800u
#define OVMFGEN_SEV_BACK 0x600u
#define OVMFGEN_RESET_EIP 0x80B004u
#define OVMFGEN_HASHES_GPA 0x80FC00u

enum { OVMFGEN_NO_TDVF = 1, OVMFGEN_NO_SEV = 2, OVMFGEN_NO_KERNEL_HASHES = 4 };

typedef struct ovmfgen_layout {
    size_t tdvf;          /* offset of the TDVF descriptor */
    size_t sev;           /* offset of the SEV metadata */
    size_t footer;        /* offset of the footer entry (u16 length, GUID) */
} ovmfgen_layout;

static inline void ovmfgen_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Append one table entry below *end: data, u16 length, GUID. */
static inline void ovmfgen_entry(uint8_t *img, size_t *end, const char *guid,
                                 const uint8_t *data, size_t n)
{
    *end -= n + 18;
    memcpy(img + *end, data, n);
    ovmfgen_le(img + *end + n, n + 18, 2);
    memcpy(img + *end + n + 2, guid, 16);
}

static inline void ovmfgen_tdvf(uint8_t *img, size_t at)
{
    static const uint64_t s[2][6] = {
        /* data offset, raw size, GPA, memory size, type, attributes */
        {0, 0x3000, 0x100000000ull - OVMFGEN_SIZE, 0x3000, 0, 1}, /* BFV, MR.EXTEND */
        {0, 0, 0x800000, 0x2000, 3, 0},                           /* TempMem */
    };
    memcpy(img + at, "TDVF", 4);
    ovmfgen_le(img + at + 4, 16 + 2 * 32, 4);
    ovmfgen_le(img + at + 8, 1, 4);
    ovmfgen_le(img + at + 12, 2, 4);
    for (int i = 0; i < 2; i++) {
        uint8_t *p = img + at + 16 + 32 * i;
        ovmfgen_le(p, s[i][0], 4), ovmfgen_le(p + 4, s[i][1], 4);
        ovmfgen_le(p + 8, s[i][2], 8), ovmfgen_le(p + 16, s[i][3], 8);
        ovmfgen_le(p + 24, s[i][4], 4), ovmfgen_le(p + 28, s[i][5], 4);
    }
}

static inline void ovmfgen_sev(uint8_t *img, size_t at, int flags)
{
    static const uint32_t s[4][3] = {
        {0x800000, 0x9000, 1}, {0x80D000, 0x1000, 2}, {0x80E000, 0x1000, 3},
        {0x80F000, 0x1000, 0x10},
    };
    uint32_t n = flags & OVMFGEN_NO_KERNEL_HASHES ? 3 : 4;
    memcpy(img + at, "ASEV", 4);
    ovmfgen_le(img + at + 4, 16 + 12 * n, 4);
    ovmfgen_le(img + at + 8, 1, 4);
    ovmfgen_le(img + at + 12, n, 4);
    for (uint32_t i = 0; i < n; i++)
        for (int j = 0; j < 3; j++)
            ovmfgen_le(img + at + 16 + 12 * i + 4 * j, s[i][j], 4);
}

/* Fill img[OVMFGEN_SIZE]; `flags` leaves parts out. */
static inline ovmfgen_layout ovmfgen_build(uint8_t *img, int flags)
{
    static const char footer[] = "\xde\x82\xb5\x96\xb2\x1f\xf7\x45\xba\xea\xa3\x66\xc5\x5a\x08\x2d";
    static const char tdvf[] = "\x35\x65\x7a\xe4\x4a\x98\x98\x47\x86\x5e\x46\x85\xa7\xbf\x8e\xc2";
    static const char sev[] = "\x66\x65\x88\xdc\x4a\x98\x98\x47\xa7\x5e\x55\x85\xa7\xbf\x67\xcc";
    static const char reset[] = "\xde\x71\xf7\x00\x7e\x1a\xcb\x4f\x89\x0e\x68\xc7\x7e\x2f\xb4\x4e";
    static const char hashes[] = "\x1f\x37\x55\x72\x3b\x3a\x04\x4b\x92\x7b\x1d\xa6\xef\xa8\xd4\x54";
    ovmfgen_layout l = {OVMFGEN_SIZE - OVMFGEN_TDVF_BACK, OVMFGEN_SIZE - OVMFGEN_SEV_BACK,
                        OVMFGEN_SIZE - 32 - 18};
    memset(img, 0, OVMFGEN_SIZE);
    for (size_t i = 0; i < 0x3000; i++)
        img[i] = (uint8_t)(i * 7 + (i >> 8));
    uint8_t d[8];
    size_t end = l.footer;
    if (!(flags & OVMFGEN_NO_TDVF)) {
        ovmfgen_tdvf(img, l.tdvf);
        ovmfgen_le(d, OVMFGEN_TDVF_BACK, 4);
        ovmfgen_entry(img, &end, tdvf, d, 4);
    }
    if (!(flags & OVMFGEN_NO_SEV)) {
        ovmfgen_sev(img, l.sev, flags);
        ovmfgen_le(d, OVMFGEN_SEV_BACK, 4);
        ovmfgen_entry(img, &end, sev, d, 4);
        ovmfgen_le(d, OVMFGEN_RESET_EIP, 4);
        ovmfgen_entry(img, &end, reset, d, 4);
        ovmfgen_le(d, OVMFGEN_HASHES_GPA, 4), ovmfgen_le(d + 4, 0x400, 4);
        ovmfgen_entry(img, &end, hashes, d, 8);
    }
    ovmfgen_le(img + l.footer, l.footer + 18 - end, 2);
    memcpy(img + l.footer + 2, footer, 16);
    return l;
}

#endif
