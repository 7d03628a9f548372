/* The SEV-SNP launch digest (MEASUREMENT) from an OVMF image or its
 * published hash and metadata, the kernel-hashes table, and one VMSA page
 * per vCPU (research/reference-values.md 2.1-2.4, docs/measure.md).
 *
 * The PSP keeps the launch digest LD as a chain: for each page
 * LD = SHA-384(PAGE_INFO), PAGE_INFO = LD | SHA-384(page) or zeros |
 * length 0x70 | page type | IMI, VMPL permissions (0) | GPA. Order: the
 * image's pages (NORMAL; the result is the "OVMF hash"), the SEV metadata
 * sections in the order the image lists them, then the VMSAs. */
#include "measure_snp.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE_NORMAL = 1, PAGE_VMSA = 2, PAGE_ZERO = 3, PAGE_UNMEASURED = 4,
       PAGE_SECRETS = 5, PAGE_CPUID = 6 };

#define PAGE_INFO_LEN 0x70u
#define VMSA_GPA 0xFFFFFFFFF000ull

static int sha384(const uint8_t *p, size_t n, uint8_t out[48])
{
    return EVP_Digest(p, n, out, NULL, EVP_sha384(), NULL) == 1 ? 0 : -1;
}

/* One page update; `contents` is NULL for the page types measured by
 * their type and address only. */
static int ld_update(uint8_t ld[48], int type, uint64_t gpa, const uint8_t *contents)
{
    uint8_t info[PAGE_INFO_LEN] = {0};
    memcpy(info, ld, 48);
    if (contents)
        memcpy(info + 0x30, contents, 48);
    info[0x60] = PAGE_INFO_LEN;
    info[0x62] = (uint8_t)type;
    for (int i = 0; i < 8; i++)
        info[0x68 + i] = (uint8_t)(gpa >> (8 * i));
    return sha384(info, sizeof(info), ld);
}

int attest_snp_ld_vmsa_page(uint8_t ld[48], const uint8_t page[4096])
{
    uint8_t h[48];
    return sha384(page, ATTEST_OVMF_PAGE, h) || ld_update(ld, PAGE_VMSA, VMSA_GPA, h) ? -1 : 0;
}

int attest_snp_ld_normal_hash(uint8_t ld[48], uint64_t gpa, const uint8_t h[48])
{
    return ld_update(ld, PAGE_NORMAL, gpa, h);
}

static int ld_normal(uint8_t ld[48], uint64_t gpa, const uint8_t *page)
{
    uint8_t h[48];
    return sha384(page, ATTEST_OVMF_PAGE, h) || ld_update(ld, PAGE_NORMAL, gpa, h) ? -1 : 0;
}

static int ld_pages(uint8_t ld[48], int type, uint32_t gpa, uint32_t size)
{
    for (uint64_t off = 0; off < size; off += ATTEST_OVMF_PAGE)
        if (ld_update(ld, type, gpa + off, NULL))
            return -1;
    return 0;
}

int attest_snp_ovmf_hash(uint8_t ld[48], const uint8_t *img, size_t len)
{
    memset(ld, 0, 48);
    uint64_t gpa = (1ull << 32) - len; /* the image ends at 4 GiB */
    for (size_t off = 0; off < len; off += ATTEST_OVMF_PAGE)
        if (ld_normal(ld, gpa + off, img + off))
            return attest_set_error(ATTEST_E_INTERNAL, "snp.ovmf_hash: SHA-384 failed");
    return ATTEST_OK;
}

/* QEMU's kernel-hashes table (SEV_HASH_TABLE), placed at the offset of its
 * GPA inside the page, the rest of the page zero. */
static void hashes_page(const attest_snp_launch *l, uint8_t page[ATTEST_OVMF_PAGE])
{
    static const uint8_t table_guid[16] = {0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
                                           0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21};
    static const uint8_t guids[3][16] = {
        {0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36,
         0xab, 0x2a}, /* cmdline 97d02dd8-... */
        {0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69,
         0x78, 0x1d}, /* initrd 44baf731-... */
        {0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2,
         0x04, 0x5b}, /* kernel 4de79437-... */
    };
    const uint8_t *hashes[3] = {l->cmdline_sha256, l->initrd_sha256, l->kernel_sha256};
    memset(page, 0, ATTEST_OVMF_PAGE);
    uint8_t *t = page + (l->hashes_gpa & (ATTEST_OVMF_PAGE - 1));
    memcpy(t, table_guid, 16);
    t[16] = ATTEST_SNP_HASHES_TABLE_LEN; /* u16 168 */
    for (int i = 0; i < 3; i++) {
        uint8_t *e = t + 18 + 50 * i;
        memcpy(e, guids[i], 16);
        e[16] = 50;
        memcpy(e + 18, hashes[i], 32);
    }
}

static int ld_section(uint8_t ld[48], const attest_snp_launch *l, const attest_sev_section *s)
{
    switch (s->type) {
    case ATTEST_SEV_SEC_MEM:
        return ld_pages(ld, l->vmm == ATTEST_VMM_GCE ? PAGE_UNMEASURED : PAGE_ZERO, s->gpa,
                        s->size);
    case ATTEST_SEV_SECRETS:
        return ld_update(ld, PAGE_SECRETS, s->gpa, NULL);
    case ATTEST_SEV_CPUID: /* EC2 measures it after every other section */
        return l->vmm == ATTEST_VMM_EC2 || l->vmm == ATTEST_VMM_EC2_RDX0
                   ? 0 : ld_update(ld, PAGE_CPUID, s->gpa, NULL);
    case ATTEST_SEV_KERNEL_HASHES:
        if (l->has_kernel) {
            uint8_t page[ATTEST_OVMF_PAGE];
            hashes_page(l, page);
            return ld_normal(ld, s->gpa, page);
        }
        return ld_pages(ld, PAGE_ZERO, s->gpa, s->size);
    default: /* SVSM_CAA */
        return ld_pages(ld, PAGE_ZERO, s->gpa, s->size);
    }
}

int attest_snp_ld_section_list(uint8_t ld[48], const attest_snp_launch *l,
                               const attest_sev_section *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ld_section(ld, l, &s[i]))
            return -1;
    bool ec2 = l->vmm == ATTEST_VMM_EC2 || l->vmm == ATTEST_VMM_EC2_RDX0;
    for (size_t i = 0; ec2 && i < n; i++)
        if (s[i].type == ATTEST_SEV_CPUID && ld_update(ld, PAGE_CPUID, s[i].gpa, NULL))
            return -1;
    return 0;
}

int attest_snp_ld_sections(uint8_t ld[48], const attest_snp_launch *l)
{
    return attest_snp_ld_section_list(ld, l, l->sections, l->section_count);
}
