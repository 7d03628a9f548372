/* COCONUT-SVSM launches (research/reference-values.md 2.2, 2.4,
 * docs/measure.md): QEMU loads the SVSM image right below the OVMF image
 * and its variable store, and the guest starts in the SVSM. The launch
 * digest is then: OVMF's pages, the SVSM's pages, the SVSM's metadata
 * sections (OVMF's are not measured: OVMF's SEC runs later, under the
 * SVSM), and one identical VMSA per vCPU entering the SVSM. */
#include "measure_snp.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* The image's pages hashed now, so that it need not be kept. */
static int hash_pages(const uint8_t *img, size_t len, uint8_t (*out)[48])
{
    for (size_t i = 0; i < len / ATTEST_OVMF_PAGE; i++)
        if (EVP_Digest(img + i * ATTEST_OVMF_PAGE, ATTEST_OVMF_PAGE, out[i], NULL, EVP_sha384(),
                       NULL) != 1)
            return attest_set_error(ATTEST_E_INTERNAL, "snp.svsm: SHA-384 failed");
    return ATTEST_OK;
}

static int parse_svsm(const uint8_t *img, size_t len, attest_ovmf_meta *m)
{
    int st = attest_ovmf_parse(img, len, ATTEST_OVMF_NEED_SEV, m);
    if (st != ATTEST_OK)
        return st;
    if (!m->has_svsm_info)
        return attest_set_error(ATTEST_E_MEASURE_NO_METADATA,
                                "svsm.info: no SVSM information entry (a789a612-...) in the "
                                "table: not a COCONUT-SVSM image");
    if (m->svsm_entry >= len)
        return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                "svsm.info.entry: offset 0x%x outside the 0x%zx-byte image",
                                m->svsm_entry, len);
    return ATTEST_OK;
}

int attest_snp_launch_set_svsm(attest_snp_launch *l, const uint8_t *image, size_t len,
                               uint64_t ovmf_vars_size)
{
    attest_clear_error();
    if (!l || !image)
        return attest_set_error(ATTEST_E_INVALID_ARG, "attest_snp_launch_set_svsm: NULL argument");
    if (ovmf_vars_size % ATTEST_OVMF_PAGE || ovmf_vars_size > ATTEST_OVMF_MAX_IMAGE)
        return attest_set_error(ATTEST_E_MEASURE_IMAGE_SIZE,
                                "svsm.ovmf_vars_size: %llu bytes (whole 4 KiB pages, at most "
                                "%u MiB)", (unsigned long long)ovmf_vars_size,
                                ATTEST_OVMF_MAX_IMAGE >> 20);
    attest_ovmf_meta *m = malloc(sizeof(*m));
    uint8_t (*pages)[48] = malloc((len / ATTEST_OVMF_PAGE + 1) * sizeof(*pages));
    int st = m && pages ? parse_svsm(image, len, m)
                        : attest_set_error(ATTEST_E_NOMEM, "snp.svsm");
    if (st == ATTEST_OK)
        st = hash_pages(image, len, pages);
    if (st == ATTEST_OK) {
        free(l->svsm_pages);
        l->svsm_pages = pages, pages = NULL;
        l->svsm_page_count = len / ATTEST_OVMF_PAGE;
        l->svsm_entry = m->svsm_entry;
        l->ovmf_vars_size = ovmf_vars_size;
        memcpy(l->svsm_sections, m->sev, m->sev_count * sizeof(m->sev[0]));
        l->svsm_section_count = m->sev_count;
        l->has_svsm = true;
    }
    free(pages);
    free(m);
    return st;
}

int attest_snp_svsm_check(const attest_snp_launch *l)
{
    if (l->ovmf_len == 0)
        return attest_set_error(ATTEST_E_MEASURE_INPUT_MISSING,
                                "snp.svsm: the OVMF image is needed, not its hash: its size "
                                "places the SVSM image");
    uint64_t below = (uint64_t)l->ovmf_len + l->ovmf_vars_size +
                     (uint64_t)l->svsm_page_count * ATTEST_OVMF_PAGE;
    if (below > (1ull << 32))
        return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                "snp.svsm: OVMF, its variables and the SVSM image (0x%llx "
                                "bytes) do not fit below 4 GiB", (unsigned long long)below);
    if (l->vmm != ATTEST_VMM_QEMU)
        return attest_set_error(ATTEST_E_MEASURE_VMM,
                                "snp.svsm: COCONUT-SVSM launches are known for QEMU only");
    if (l->has_kernel)
        return attest_set_error(ATTEST_E_MEASURE_KERNEL_HASHES,
                                "snp.svsm: a kernel is given but an SVSM launch measures no "
                                "kernel hashes: it would boot it unmeasured");
    return attest_sev_sections_total_check(l->svsm_sections, l->svsm_section_count);
}

uint32_t attest_snp_svsm_gpa(const attest_snp_launch *l)
{
    return (uint32_t)((1ull << 32) - l->ovmf_len - l->ovmf_vars_size -
                      (uint64_t)l->svsm_page_count * ATTEST_OVMF_PAGE);
}

int attest_snp_ld_svsm(uint8_t ld[48], const attest_snp_launch *l)
{
    uint64_t gpa = attest_snp_svsm_gpa(l);
    for (size_t i = 0; i < l->svsm_page_count; i++)
        if (attest_snp_ld_normal_hash(ld, gpa + i * ATTEST_OVMF_PAGE, l->svsm_pages[i]))
            return -1;
    return attest_snp_ld_section_list(ld, l, l->svsm_sections, l->svsm_section_count);
}
