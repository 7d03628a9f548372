/* The bounded byte reader (reader.h). */
#include "reader.h"

#include <string.h>

attest_reader attest_reader_init(const uint8_t *p, size_t off, size_t end)
{
    attest_reader r = {p, off, off > end ? off : end};
    return r;
}

size_t attest_reader_left(const attest_reader *r)
{
    return r->end - r->off;
}

int attest_reader_take(attest_reader *r, size_t n, const char *field, size_t *at)
{
    *at = 0;
    if (attest_reader_left(r) < n)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: needs %zu bytes at offset %zu, only %zu left "
                                "in its container", field, n, r->off, attest_reader_left(r));
    *at = r->off;
    r->off += n;
    return ATTEST_OK;
}

int attest_reader_u16(attest_reader *r, const char *field, uint16_t *v)
{
    size_t at;
    int st = attest_reader_take(r, 2, field, &at);
    if (st == ATTEST_OK)
        *v = attest_le16(r->p + at);
    return st;
}

int attest_reader_u32(attest_reader *r, const char *field, uint32_t *v)
{
    size_t at;
    int st = attest_reader_take(r, 4, field, &at);
    if (st == ATTEST_OK)
        *v = attest_le32(r->p + at);
    return st;
}

int attest_reader_copy(attest_reader *r, size_t n, const char *field, uint8_t *out)
{
    size_t at;
    int st = attest_reader_take(r, n, field, &at);
    if (st == ATTEST_OK)
        memcpy(out, r->p + at, n);
    return st;
}
