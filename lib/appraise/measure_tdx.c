/* MRTD from a TDVF / OVMF image (research/reference-values.md 1.8).
 *
 * The TDX module keeps MRTD as one running SHA-384 over a stream of
 * 128-byte records, not an extend chain: TDH.MEM.PAGE.ADD appends
 * "MEM.PAGE.ADD" | GPA, TDH.MR.EXTEND appends "MR.EXTEND" | GPA followed
 * by the 256 bytes it measures. Which pages are added and extended comes
 * from the TDVF descriptor (PAGE.AUG sections are added later, not
 * measured; MR.EXTEND sections have their content measured). The order of
 * the records depends on the VMM, hence attest_tdx_order. */
#include "../parse/ovmf.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define RECORD 128u
#define CHUNK 256u

static int record(EVP_MD_CTX *md, const char *op, uint64_t gpa)
{
    uint8_t r[RECORD] = {0};
    memcpy(r, op, strlen(op));
    for (int i = 0; i < 8; i++)
        r[16 + i] = (uint8_t)(gpa >> (8 * i));
    return EVP_DigestUpdate(md, r, sizeof(r)) == 1 ? 0 : -1;
}

/* The content of guest page `page` of a section: the image bytes where
 * the section has them, zeros past RawDataSize (memory starts zeroed). */
static void page_content(const uint8_t *img, const attest_tdvf_section *s, uint64_t page,
                         uint8_t out[ATTEST_OVMF_PAGE])
{
    uint64_t off = page * ATTEST_OVMF_PAGE;
    memset(out, 0, ATTEST_OVMF_PAGE);
    if (off < s->raw_size) {
        uint64_t n = s->raw_size - off;
        memcpy(out, img + s->data_offset + off, n < ATTEST_OVMF_PAGE ? n : ATTEST_OVMF_PAGE);
    }
}

static int add_page(EVP_MD_CTX *md, const attest_tdvf_section *s, uint64_t page)
{
    if (s->attributes & ATTEST_TDVF_ATTR_PAGE_AUG)
        return 0;
    return record(md, "MEM.PAGE.ADD", s->gpa + page * ATTEST_OVMF_PAGE);
}

static int extend_page(EVP_MD_CTX *md, const uint8_t *img, const attest_tdvf_section *s,
                       uint64_t page)
{
    if (!(s->attributes & ATTEST_TDVF_ATTR_MR_EXTEND))
        return 0;
    uint8_t content[ATTEST_OVMF_PAGE];
    page_content(img, s, page, content);
    uint64_t gpa = s->gpa + page * ATTEST_OVMF_PAGE;
    for (unsigned c = 0; c < ATTEST_OVMF_PAGE / CHUNK; c++)
        if (record(md, "MR.EXTEND", gpa + c * CHUNK) ||
            EVP_DigestUpdate(md, content + c * CHUNK, CHUNK) != 1)
            return -1;
    return 0;
}

static int measure_section(EVP_MD_CTX *md, const uint8_t *img, const attest_tdvf_section *s,
                           int order)
{
    uint64_t pages = s->mem_size / ATTEST_OVMF_PAGE;
    for (uint64_t p = 0; p < pages; p++) {
        if (add_page(md, s, p))
            return -1;
        if (order == ATTEST_TDX_ORDER_SINGLE_PASS && extend_page(md, img, s, p))
            return -1;
    }
    for (uint64_t p = 0; order == ATTEST_TDX_ORDER_TWO_PASS && p < pages; p++)
        if (extend_page(md, img, s, p))
            return -1;
    return 0;
}

int attest_measure_tdx(uint8_t mrtd[48], const uint8_t *image, size_t len, int order)
{
    attest_clear_error();
    if (!mrtd || !image)
        return attest_set_error(ATTEST_E_INVALID_ARG, "attest_measure_tdx: NULL argument");
    if (order != ATTEST_TDX_ORDER_SINGLE_PASS && order != ATTEST_TDX_ORDER_TWO_PASS)
        return attest_set_error(ATTEST_E_INVALID_ARG, "tdx.order: %d unknown", order);
    attest_ovmf_meta *m = malloc(sizeof(*m));
    if (!m)
        return attest_set_error(ATTEST_E_NOMEM, "tdx.metadata");
    int st = attest_ovmf_parse(image, len, ATTEST_OVMF_NEED_TDVF, m);
    EVP_MD_CTX *md = st == ATTEST_OK ? EVP_MD_CTX_new() : NULL;
    if (st == ATTEST_OK && (!md || EVP_DigestInit_ex(md, EVP_sha384(), NULL) != 1))
        st = attest_set_error(ATTEST_E_INTERNAL, "tdx.mrtd: SHA-384 unavailable");
    for (size_t i = 0; st == ATTEST_OK && i < m->tdvf_count; i++)
        if (measure_section(md, image, &m->tdvf[i], order))
            st = attest_set_error(ATTEST_E_INTERNAL, "tdx.mrtd: SHA-384 failed");
    if (st == ATTEST_OK && EVP_DigestFinal_ex(md, mrtd, NULL) != 1)
        st = attest_set_error(ATTEST_E_INTERNAL, "tdx.mrtd: SHA-384 failed");
    EVP_MD_CTX_free(md);
    free(m);
    return st;
}
