/* A bounded byte reader: reads little-endian integers and byte runs from
 * [off, end) of a buffer, never past `end`. A read that does not fit fails
 * with ATTEST_E_MALFORMED naming the field, its offset and what was left,
 * and consumes nothing. Parsers of binary evidence use it wherever lengths
 * come from the input. */
#ifndef ATTEST_READER_H
#define ATTEST_READER_H

#include "base.h"

typedef struct attest_reader {
    const uint8_t *p; /* the whole buffer (offsets are relative to it) */
    size_t off;       /* next byte to read */
    size_t end;       /* end of the current container (<= the buffer's length) */
} attest_reader;

/* A reader over [off, end) of `p`; off > end gives an empty reader. */
ATTEST_HIDDEN attest_reader attest_reader_init(const uint8_t *p, size_t off, size_t end);

ATTEST_HIDDEN size_t attest_reader_left(const attest_reader *r);

/* Reserve `n` bytes for `field`: *at receives their offset. */
ATTEST_HIDDEN int attest_reader_take(attest_reader *r, size_t n, const char *field, size_t *at);
ATTEST_HIDDEN int attest_reader_u16(attest_reader *r, const char *field, uint16_t *v);
ATTEST_HIDDEN int attest_reader_u32(attest_reader *r, const char *field, uint32_t *v);
ATTEST_HIDDEN int attest_reader_copy(attest_reader *r, size_t n, const char *field, uint8_t *out);

#endif
