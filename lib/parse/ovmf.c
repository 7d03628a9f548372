/* OVMF / TDVF firmware metadata (ovmf.h): the footer GUID table, the TDVF
 * descriptor and the SEV metadata, read with the bounded reader. */
#include "ovmf.h"

#include "../base/reader.h"

#include <string.h>

/* GUIDs as stored (little-endian first three fields). */
static const uint8_t FOOTER_GUID[16] = {0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                                        0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d};
static const uint8_t TDVF_GUID[16] = {0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
                                      0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2};
static const uint8_t SEV_META_GUID[16] = {0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
                                          0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc};
static const uint8_t RESET_BLOCK_GUID[16] = {0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
                                             0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e};
static const uint8_t HASHES_GUID[16] = {0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
                                        0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54};
static const uint8_t SVSM_INFO_GUID[16] = {0x12, 0xa6, 0x89, 0xa7, 0x97, 0x05, 0x4b, 0x4c,
                                           0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd};

#define RESET_AREA 32u   /* bytes after the table: the reset vector */
#define ENTRY_HDR 18u    /* u16 length + GUID, after each entry's data */
#define DESC_HDR 16u     /* signature, length, version, count: 4 x u32 */
#define TDVF_SECTION 32u
#define SEV_SECTION 12u

/* One table entry's data: [off, off + len) of the image. */
typedef struct entry {
    size_t off, len;
} entry;

typedef struct table {
    entry tdvf, sev, reset, hashes, svsm; /* len 0 / off 0: absent */
    bool has_tdvf, has_sev, has_reset, has_hashes, has_svsm;
} table;

static void table_record(table *t, const uint8_t *guid, entry e)
{
    if (!memcmp(guid, TDVF_GUID, 16))
        t->tdvf = e, t->has_tdvf = true;
    else if (!memcmp(guid, SEV_META_GUID, 16))
        t->sev = e, t->has_sev = true;
    else if (!memcmp(guid, RESET_BLOCK_GUID, 16))
        t->reset = e, t->has_reset = true;
    else if (!memcmp(guid, HASHES_GUID, 16))
        t->hashes = e, t->has_hashes = true;
    else if (!memcmp(guid, SVSM_INFO_GUID, 16))
        t->svsm = e, t->has_svsm = true;
}

/* Walk the footer table backwards. No footer GUID: NO_METADATA (not an
 * OVMF image with a table); a footer whose lengths do not fit: METADATA. */
static int read_table(const uint8_t *img, size_t len, table *t)
{
    memset(t, 0, sizeof(*t));
    if (len < RESET_AREA + ENTRY_HDR)
        return attest_set_error(ATTEST_E_MEASURE_IMAGE_SIZE,
                                "ovmf.footer: image of %zu bytes cannot hold the GUID table", len);
    size_t footer = len - RESET_AREA - ENTRY_HDR;
    if (memcmp(img + footer + 2, FOOTER_GUID, 16))
        return attest_set_error(ATTEST_E_MEASURE_NO_METADATA,
                                "ovmf.footer: no GUID table footer (96b582de-...) at offset 0x%zx",
                                footer + 2);
    size_t total = attest_le16(img + footer);
    if (total < ENTRY_HDR || total - ENTRY_HDR > footer)
        return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                "ovmf.footer.length: %zu does not fit before offset 0x%zx",
                                total, footer);
    size_t start = footer - (total - ENTRY_HDR), end = footer;
    while (end - start >= ENTRY_HDR) {
        size_t hdr = end - ENTRY_HDR, elen = attest_le16(img + hdr);
        if (elen < ENTRY_HDR || elen > end - start)
            return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                    "ovmf.table.entry.length: %zu at offset 0x%zx outside the "
                                    "table [0x%zx, 0x%zx)", elen, hdr, start, end);
        entry e = {end - elen, elen - ENTRY_HDR};
        table_record(t, img + hdr + 2, e);
        end -= elen;
    }
    return ATTEST_OK;
}

/* The descriptor an entry points at: u32 offset from the image end, the
 * 16-byte header in the image, `length` covering `count` sections. */
static int locate_descriptor(const uint8_t *img, size_t len, entry e, const char *name,
                             const char *magic, size_t section_len, attest_reader *out,
                             uint32_t *count)
{
    if (e.len < 4)
        return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                "%s.offset: table entry holds %zu bytes, needs 4", name, e.len);
    uint32_t back = attest_le32(img + e.off);
    if (back < DESC_HDR || back > len)
        return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                "%s.offset: 0x%x from the end of a 0x%zx-byte image", name,
                                back, len);
    size_t at = len - back;
    uint32_t dlen = attest_le32(img + at + 4), version = attest_le32(img + at + 8);
    *count = attest_le32(img + at + 12);
    if (memcmp(img + at, magic, 4) || version != 1)
        return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                "%s.signature: expected \"%s\" version 1 at 0x%zx", name, magic,
                                at);
    if (*count == 0 || *count > ATTEST_OVMF_MAX_SECTIONS ||
        dlen < DESC_HDR + *count * section_len)
        return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                "%s.count: %u sections in a %u-byte descriptor (1..%d)", name,
                                *count, dlen, ATTEST_OVMF_MAX_SECTIONS);
    if (dlen > back)
        return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                "%s.length: %u bytes at 0x%zx run past the image end", name,
                                dlen, at);
    *out = attest_reader_init(img, at + DESC_HDR, at + dlen);
    return ATTEST_OK;
}

static int tdvf_section_check(const attest_tdvf_section *s, size_t i, size_t len)
{
    if (s->gpa % ATTEST_OVMF_PAGE || s->mem_size % ATTEST_OVMF_PAGE || s->mem_size == 0 ||
        s->gpa + s->mem_size < s->gpa)
        return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                "tdvf.section[%zu]: memory 0x%llx+0x%llx not whole 4 KiB pages",
                                i, (unsigned long long)s->gpa, (unsigned long long)s->mem_size);
    if (s->attributes & ~(ATTEST_TDVF_ATTR_MR_EXTEND | ATTEST_TDVF_ATTR_PAGE_AUG) ||
        s->type > ATTEST_TDVF_TD_PARAMS || s->type == 7)
        return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                "tdvf.section[%zu]: type %u attributes 0x%x unknown", i, s->type,
                                s->attributes);
    if ((size_t)s->data_offset > len || s->raw_size > len - s->data_offset)
        return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                "tdvf.section[%zu].data: 0x%x+0x%x outside the 0x%zx-byte image",
                                i, s->data_offset, s->raw_size, len);
    if (s->raw_size > s->mem_size)
        return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                "tdvf.section[%zu].data: 0x%x bytes for 0x%llx of memory", i,
                                s->raw_size, (unsigned long long)s->mem_size);
    return ATTEST_OK;
}

static int tdvf_totals_check(const attest_ovmf_meta *m)
{
    uint64_t pages = 0, extended = 0;
    for (size_t i = 0; i < m->tdvf_count; i++) {
        const attest_tdvf_section *s = &m->tdvf[i];
        pages += s->mem_size / ATTEST_OVMF_PAGE; /* each <= 2^52: no wrap over 64 */
        if (s->attributes & ATTEST_TDVF_ATTR_MR_EXTEND)
            extended += s->mem_size;
        if (pages > ATTEST_TDVF_MAX_PAGES || extended > ATTEST_TDVF_MAX_EXTENDED)
            return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                    "tdvf.section[%zu]: the sections add more than %u pages "
                                    "or extend more than %u MiB", i, ATTEST_TDVF_MAX_PAGES,
                                    ATTEST_TDVF_MAX_EXTENDED >> 20);
    }
    return ATTEST_OK;
}

static int read_tdvf(const uint8_t *img, size_t len, entry e, attest_ovmf_meta *m)
{
    attest_reader r;
    uint32_t n;
    int st = locate_descriptor(img, len, e, "tdvf", "TDVF", TDVF_SECTION, &r, &n);
    for (size_t i = 0; st == ATTEST_OK && i < n; i++) {
        size_t at;
        st = attest_reader_take(&r, TDVF_SECTION, "tdvf.section", &at);
        if (st != ATTEST_OK)
            break;
        attest_tdvf_section *s = &m->tdvf[i];
        const uint8_t *p = img + at;
        *s = (attest_tdvf_section){attest_le32(p), attest_le32(p + 4), attest_le64(p + 8),
                                   attest_le64(p + 16), attest_le32(p + 24),
                                   attest_le32(p + 28)};
        st = tdvf_section_check(s, i, len);
    }
    if (st == ATTEST_OK)
        m->tdvf_count = n;
    return st == ATTEST_OK ? tdvf_totals_check(m) : st;
}

int attest_sev_section_check(const attest_sev_section *s, size_t i)
{
    if (s->type != ATTEST_SEV_SEC_MEM && s->type != ATTEST_SEV_SECRETS &&
        s->type != ATTEST_SEV_CPUID && s->type != ATTEST_SEV_SVSM_CAA &&
        s->type != ATTEST_SEV_KERNEL_HASHES)
        return attest_set_error(ATTEST_E_MEASURE_METADATA, "sev.section[%zu].type: %u unknown",
                                i, s->type);
    if (s->gpa % ATTEST_OVMF_PAGE || s->size % ATTEST_OVMF_PAGE || s->size == 0)
        return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                "sev.section[%zu]: 0x%x+0x%x not whole 4 KiB pages", i, s->gpa,
                                s->size);
    if ((uint64_t)s->gpa + s->size > (1ull << 32))
        return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                "sev.section[%zu]: 0x%x+0x%x passes 4 GiB", i, s->gpa, s->size);
    return ATTEST_OK;
}

int attest_sev_sections_total_check(const attest_sev_section *s, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        if ((total += s[i].size) > ATTEST_SEV_MAX_MEASURED)
            return attest_set_error(ATTEST_E_MEASURE_SECTION_BOUNDS,
                                    "sev.section[%zu]: the sections cover more than %u MiB", i,
                                    ATTEST_SEV_MAX_MEASURED >> 20);
    return ATTEST_OK;
}

static int read_sev(const uint8_t *img, size_t len, entry e, attest_ovmf_meta *m)
{
    attest_reader r;
    uint32_t n;
    int st = locate_descriptor(img, len, e, "sev", "ASEV", SEV_SECTION, &r, &n);
    for (size_t i = 0; st == ATTEST_OK && i < n; i++) {
        attest_sev_section *s = &m->sev[i];
        st = attest_reader_u32(&r, "sev.section.gpa", &s->gpa);
        if (st == ATTEST_OK)
            st = attest_reader_u32(&r, "sev.section.size", &s->size);
        if (st == ATTEST_OK)
            st = attest_reader_u32(&r, "sev.section.type", &s->type);
        if (st == ATTEST_OK)
            st = attest_sev_section_check(s, i);
    }
    if (st == ATTEST_OK)
        m->sev_count = n;
    return st == ATTEST_OK ? attest_sev_sections_total_check(m->sev, n) : st;
}

/* The SEV-ES reset block, the kernel-hashes table and SVSM info entries. */
static int read_sev_entries(const uint8_t *img, const table *t, attest_ovmf_meta *m)
{
    if (t->has_reset) {
        if (t->reset.len < 4)
            return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                    "ovmf.sev_es_reset_block: %zu bytes, needs 4", t->reset.len);
        m->has_reset_eip = true;
        m->reset_eip = attest_le32(img + t->reset.off);
    }
    if (t->has_hashes) {
        if (t->hashes.len < 8)
            return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                    "ovmf.sev_hashes_table: %zu bytes, needs 8", t->hashes.len);
        m->hashes_gpa = attest_le32(img + t->hashes.off);
        m->hashes_size = attest_le32(img + t->hashes.off + 4);
        m->has_hashes_table = m->hashes_size != 0; /* 0: built without measured boot */
    }
    if (t->has_svsm) {
        if (t->svsm.len < 4)
            return attest_set_error(ATTEST_E_MEASURE_METADATA,
                                    "ovmf.svsm_info: %zu bytes, needs 4", t->svsm.len);
        m->has_svsm_info = true;
        m->svsm_entry = attest_le32(img + t->svsm.off);
    }
    return ATTEST_OK;
}

int attest_ovmf_parse(const uint8_t *img, size_t len, attest_ovmf_need need,
                      attest_ovmf_meta *out)
{
    memset(out, 0, sizeof(*out));
    if (!img || len == 0 || len % ATTEST_OVMF_PAGE || len > ATTEST_OVMF_MAX_IMAGE)
        return attest_set_error(ATTEST_E_MEASURE_IMAGE_SIZE,
                                "ovmf.size: %zu bytes (whole 4 KiB pages, at most %u MiB)", len,
                                ATTEST_OVMF_MAX_IMAGE >> 20);
    table t;
    int st = read_table(img, len, &t);
    if (st != ATTEST_OK)
        return st;
    if (need == ATTEST_OVMF_NEED_TDVF && !t.has_tdvf)
        return attest_set_error(ATTEST_E_MEASURE_NO_METADATA,
                                "ovmf.tdvf: no TDVF metadata entry (e47a6535-...) in the table");
    if (need == ATTEST_OVMF_NEED_SEV && !t.has_sev)
        return attest_set_error(ATTEST_E_MEASURE_NO_METADATA,
                                "ovmf.sev: no SEV metadata entry (dc886566-...) in the table");
    /* Only the metadata asked for is read: an SEV launch does not depend on
     * the TDVF descriptor (and a 4 KiB image suffix, measured alone, has
     * one pointing before its start), nor TDX on the SEV entries. */
    if (need == ATTEST_OVMF_NEED_TDVF)
        return read_tdvf(img, len, t.tdvf, out);
    if ((st = read_sev(img, len, t.sev, out)) != ATTEST_OK)
        return st;
    return read_sev_entries(img, &t, out);
}
