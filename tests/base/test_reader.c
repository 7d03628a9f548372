/* The bounded byte reader (lib/base/reader.h): reads never pass the end
 * of their container, a read that does not fit consumes nothing and names
 * the field. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/reader.h"

static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

Test(reader, little_endian_integers_and_runs)
{
    attest_reader r = attest_reader_init(bytes, 0, sizeof bytes);
    uint16_t a;
    uint32_t b;
    uint8_t c[2];
    cr_assert_eq(attest_reader_u16(&r, "a", &a), ATTEST_OK);
    cr_expect_eq(a, 0x0201);
    cr_assert_eq(attest_reader_u32(&r, "b", &b), ATTEST_OK);
    cr_expect_eq(b, 0x06050403u);
    cr_assert_eq(attest_reader_copy(&r, 2, "c", c), ATTEST_OK);
    cr_expect_eq(c[0], 7);
    cr_expect_eq(c[1], 8);
    cr_expect_eq(attest_reader_left(&r), 0);
}

Test(reader, a_read_past_the_end_fails_and_consumes_nothing)
{
    attest_reader r = attest_reader_init(bytes, 5, sizeof bytes);
    uint32_t v = 0xdeadbeef;
    size_t at = 99;
    cr_expect_eq(attest_reader_u32(&r, "quote.size", &v), ATTEST_E_MALFORMED);
    cr_expect_eq(v, 0xdeadbeef, "nothing written");
    cr_expect_eq(r.off, 5, "nothing consumed");
    cr_expect(strstr(attest_error_last(), "quote.size: needs 4 bytes at offset 5, only 3 left"),
              "%s", attest_error_last());
    cr_expect_eq(attest_reader_take(&r, SIZE_MAX, "huge", &at), ATTEST_E_MALFORMED);
    cr_expect_eq(at, 0);
    cr_expect_eq(attest_reader_take(&r, 3, "rest", &at), ATTEST_OK);
    cr_expect_eq(at, 5);
    cr_expect_eq(attest_reader_take(&r, 0, "empty", &at), ATTEST_OK);
    cr_expect_eq(attest_reader_take(&r, 1, "one more", &at), ATTEST_E_MALFORMED);
}

Test(reader, containers_end_where_they_say)
{
    /* A container [2, 4) inside the buffer: the bytes after it are not its. */
    attest_reader r = attest_reader_init(bytes, 2, 4);
    uint32_t v;
    uint16_t w;
    cr_expect_eq(attest_reader_u32(&r, "inner", &v), ATTEST_E_MALFORMED);
    cr_expect_eq(attest_reader_u16(&r, "inner", &w), ATTEST_OK);
    cr_expect_eq(w, 0x0403);
    /* An inverted range is an empty container, never a huge one. */
    attest_reader bad = attest_reader_init(bytes, 6, 2);
    cr_expect_eq(attest_reader_left(&bad), 0);
    cr_expect_eq(attest_reader_u16(&bad, "x", &w), ATTEST_E_MALFORMED);
}
