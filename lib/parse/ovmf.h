/* OVMF / TDVF firmware metadata (research/reference-values.md 1.8, 2.2).
 *
 * The image ends with a GUID table: the last 32 bytes are the reset
 * vector area; before them the table's footer entry (u16 total length,
 * GUID 96b582de-...). Entries are walked backwards from the footer, each
 * being   data | u16 length (data + 18) | GUID.   The entries read here:
 *   e47a6535-... TDVF descriptor: u32 offset from the image end of
 *                "TDVF" | length | version 1 | n | n x 32-byte section
 *   dc886566-... SEV metadata: u32 offset from the image end of
 *                "ASEV" | length | version 1 | n | n x {gpa, size, type}
 *   00f771de-... SEV-ES reset block: u32 AP reset EIP
 *   7255371f-... SEV kernel-hashes table: u32 GPA, u32 size
 *   a789a612-... COCONUT-SVSM information: u32 entry point offset
 * A pure parser: every offset and length read from the image is checked
 * against the image before use, and errors name the field. Hashing is
 * lib/appraise/measure_*.c's. */
#ifndef ATTEST_OVMF_H
#define ATTEST_OVMF_H

#include "../base/base.h"

#define ATTEST_OVMF_MAX_SECTIONS 64  /* more in one descriptor is refused */
#define ATTEST_OVMF_PAGE 4096u
#define ATTEST_OVMF_MAX_IMAGE (64u << 20) /* 64 MiB: real images are 2-4 MiB */

/* TDVF section types and attributes (TDVF design guide, table 11-2). */
enum {
    ATTEST_TDVF_BFV = 0, ATTEST_TDVF_CFV = 1, ATTEST_TDVF_TD_HOB = 2,
    ATTEST_TDVF_TEMP_MEM = 3, ATTEST_TDVF_PERM_MEM = 4, ATTEST_TDVF_PAYLOAD = 5,
    ATTEST_TDVF_PAYLOAD_PARAM = 6, ATTEST_TDVF_TD_INFO = 8, ATTEST_TDVF_TD_PARAMS = 9,
};
#define ATTEST_TDVF_ATTR_MR_EXTEND 0x1u /* content measured (TDH.MR.EXTEND) */
#define ATTEST_TDVF_ATTR_PAGE_AUG 0x2u  /* added later by TDH.MEM.PAGE.AUG: not in MRTD */
/* Pages one descriptor may have added (4 GiB of memory), and bytes it may
 * have extended (content comes from the image: its largest size). More is
 * refused, so that a crafted descriptor cannot make MRTD hash for hours. */
#define ATTEST_TDVF_MAX_PAGES (1u << 20)
#define ATTEST_TDVF_MAX_EXTENDED ATTEST_OVMF_MAX_IMAGE

/* SEV metadata section types (OVMF OvmfPkg/ResetVector). */
enum {
    ATTEST_SEV_SEC_MEM = 1, ATTEST_SEV_SECRETS = 2, ATTEST_SEV_CPUID = 3,
    ATTEST_SEV_SVSM_CAA = 4, ATTEST_SEV_KERNEL_HASHES = 0x10,
};

typedef struct attest_tdvf_section {
    uint32_t data_offset, raw_size; /* content in the image: checked in bounds */
    uint64_t gpa, mem_size;         /* both 4 KiB aligned, gpa + mem_size no wrap */
    uint32_t type, attributes;
} attest_tdvf_section;

typedef struct attest_sev_section {
    uint32_t gpa, size, type;       /* 4 KiB aligned, size > 0, below 4 GiB */
} attest_sev_section;

typedef struct attest_ovmf_meta {
    size_t tdvf_count;              /* 0: no TDVF descriptor */
    attest_tdvf_section tdvf[ATTEST_OVMF_MAX_SECTIONS];
    size_t sev_count;               /* 0: no SEV metadata */
    attest_sev_section sev[ATTEST_OVMF_MAX_SECTIONS];
    bool has_reset_eip;
    uint32_t reset_eip;
    bool has_hashes_table;          /* entry present with a non-zero size */
    uint32_t hashes_gpa, hashes_size;
    bool has_svsm_info;             /* an SVSM image (COCONUT-SVSM) */
    uint32_t svsm_entry;            /* its entry point, offset in the image */
} attest_ovmf_meta;

/* Which metadata a caller needs: the parse fails with
 * ATTEST_E_MEASURE_NO_METADATA when that one is absent. */
typedef enum attest_ovmf_need { ATTEST_OVMF_NEED_TDVF, ATTEST_OVMF_NEED_SEV } attest_ovmf_need;

/* Read the footer table and the metadata `need` names (the TDVF
 * descriptor; or the SEV metadata, reset block and kernel-hashes entry),
 * and only that. Errors:
 * ATTEST_E_MEASURE_IMAGE_SIZE (empty, not whole 4 KiB pages, above
 * ATTEST_OVMF_MAX_IMAGE), ATTEST_E_MEASURE_NO_METADATA (no footer table or
 * no entry for `need`), ATTEST_E_MEASURE_METADATA (signature, version,
 * lengths, counts, types, attributes, alignment),
 * ATTEST_E_MEASURE_SECTION_BOUNDS (a descriptor or a section's content
 * outside the image, a GPA range that wraps or leaves 4 GiB for SEV). */
ATTEST_HIDDEN int attest_ovmf_parse(const uint8_t *img, size_t len, attest_ovmf_need need,
                                    attest_ovmf_meta *out);

/* The SEV section checks of attest_ovmf_parse, for sections given by a
 * caller (the OVMF-hash-plus-metadata form): one section, and all of them
 * together (at most ATTEST_SEV_MAX_MEASURED bytes, so that a crafted list
 * cannot make the digest hash for minutes; real ones cover < 1 MiB). */
#define ATTEST_SEV_MAX_MEASURED (64u << 20)
ATTEST_HIDDEN int attest_sev_section_check(const attest_sev_section *s, size_t i);
ATTEST_HIDDEN int attest_sev_sections_total_check(const attest_sev_section *s, size_t n);

#endif
