/* The codecs of lib/base/codec.c tested directly: strict hex and base64,
 * RFC 3339 instants (calendar validation, grammar, round trips with
 * attest_time_format) and attest_all_zero. */
#include "testutil.h"
#include "api/api.h"

#include <openssl/evp.h>

/* ---- hex --------------------------------------------------------------- */

Test(util_hex, decodes_both_cases)
{
    uint8_t out[4] = {0};
    const uint8_t want[4] = {0x01, 0xab, 0xCD, 0xef};
    cr_assert_eq(attest_hex_decode(out, 4, "01abCDeF"), 0);
    cr_assert_arr_eq(out, want, 4);
    cr_assert_eq(attest_hex_decode(out, 0, ""), 0, "zero bytes from the empty string");
}

Test(util_hex, refuses_anything_but_exact_hex_digits)
{
    /* Each is what sscanf("%2x") or strtoul would have taken in part. */
    static const char *const bad[] = {
        "0x", "0g", "g0", "-1", "+1", " 1", "1 ", "\t1", "1\n", "zz", "0X", "1.", "1,",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint8_t out = 0x5a;
        cr_assert_eq(attest_hex_decode(&out, 1, bad[i]), -1, "'%s' accepted", bad[i]);
    }
    uint8_t out[2];
    cr_assert_eq(attest_hex_decode(out, 2, "0x12"), -1, "prefix 0x");
}

Test(util_hex, refuses_wrong_length_and_null)
{
    uint8_t out[3];
    cr_assert_eq(attest_hex_decode(out, 2, "abc"), -1, "odd length");
    cr_assert_eq(attest_hex_decode(out, 2, "ab"), -1, "too short");
    cr_assert_eq(attest_hex_decode(out, 2, "abcdef"), -1, "too long");
    cr_assert_eq(attest_hex_decode(out, 1, ""), -1, "empty for one byte");
    cr_assert_eq(attest_hex_decode(out, 1, NULL), -1, "NULL");
    const char embedded_nul[] = {'a', 'b', '\0', 'c', 'd', '\0'};
    cr_assert_eq(attest_hex_decode(out, 2, embedded_nul), -1, "ends at the NUL");
}

Test(util_hex, every_byte_value_round_trips_through_json_hex)
{
    uint8_t all[256], back[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    json_t *s = attest_json_hex(all, sizeof all);
    cr_assert(s);
    cr_assert_eq(json_string_length(s), 512);
    cr_assert_eq(attest_hex_decode(back, sizeof back, json_string_value(s)), 0);
    cr_assert_arr_eq(all, back, sizeof all);
    json_decref(s);
}

/* ---- base64 ------------------------------------------------------------ */

static int b64(const char *s, uint8_t **out, size_t *len)
{
    return attest_base64_decode(s, strlen(s), out, len);
}

Test(util_base64, rfc4648_vectors)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"", ""},         {"Zg==", "f"},     {"Zm8=", "fo"},         {"Zm9v", "foo"},
        {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        uint8_t *out = NULL;
        size_t len = 99;
        cr_assert_eq(b64(v[i].in, &out, &len), 0, "'%s'", v[i].in);
        cr_assert_eq(len, strlen(v[i].out), "'%s'", v[i].in);
        cr_assert(len == 0 || memcmp(out, v[i].out, len) == 0, "'%s'", v[i].in);
        free(out);
    }
}

Test(util_base64, line_breaks_are_skipped)
{
    uint8_t *out = NULL;
    size_t len = 0;
    cr_assert_eq(b64("Zm9v\r\nYmFy\n", &out, &len), 0);
    cr_assert_eq(len, 6);
    cr_assert_arr_eq(out, "foobar", 6);
    free(out);
    cr_assert_eq(b64("Zm9vYg=\n=\r\n", &out, &len), 0, "a break inside the padding");
    cr_assert_eq(len, 4);
    free(out);
}

Test(util_base64, refuses_non_canonical_input)
{
    static const char *const bad[] = {
        "Zg",        /* no padding */
        "Zg=",       /* incomplete quantum */
        "Z===",      /* '=' too early in the quantum */
        "====",      /* only padding */
        "Zh==",      /* pad bits not zero */
        "Zm9=",      /* pad bits not zero */
        "Zg==Zg==",  /* data after padding */
        "Zg=a",      /* data after padding in the quantum */
        "Zg== ",     /* space after padding */
        "Zm 9v",     /* space */
        "Zm9v\t",    /* tab */
        "Zm-_",      /* base64url alphabet */
        "Zm9",       /* truncated */
        "Zm9v=",     /* stray padding */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint8_t *out = (uint8_t *)"sentinel";
        size_t len = 99;
        cr_assert_eq(b64(bad[i], &out, &len), -1, "'%s' accepted", bad[i]);
        cr_assert_null(out, "'%s': output left set", bad[i]);
        cr_assert_eq(len, 0, "'%s'", bad[i]);
    }
    uint8_t *out = NULL;
    size_t len = 0;
    cr_assert_eq(attest_base64_decode("Zm\0v", 4, &out, &len), -1, "embedded NUL");
}

Test(util_base64, every_length_round_trips_with_openssl)
{
    uint8_t data[100];
    char enc[140];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 11);
    for (int n = 0; n <= (int)sizeof data; n++) {
        int elen = EVP_EncodeBlock((unsigned char *)enc, data, n);
        uint8_t *out = NULL;
        size_t len = 0;
        cr_assert_eq(attest_base64_decode(enc, (size_t)elen, &out, &len), 0, "length %d", n);
        cr_assert_eq(len, (size_t)n);
        cr_assert(n == 0 || memcmp(out, data, (size_t)n) == 0, "length %d", n);
        free(out);
    }
}

/* ---- base64url (JWS segments, eat_nonce) ---------------------------------- */

Test(util_base64url, rfc4648_vectors_unpadded)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"", ""},     {"Zg", "f"},         {"Zm8", "fo"},         {"Zm9v", "foo"},
        {"Zm9vYg", "foob"}, {"Zm9vYmE", "fooba"}, {"Zm9vYmFy", "foobar"},
        {"-_8", "\xfb\xff"}, /* the two URL-safe characters */
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        uint8_t *out = NULL;
        size_t len = 99;
        cr_assert_eq(attest_base64url_decode(v[i].in, strlen(v[i].in), &out, &len), 0, "'%s'",
                     v[i].in);
        cr_assert_eq(len, strlen(v[i].out), "'%s'", v[i].in);
        cr_assert(len == 0 || memcmp(out, v[i].out, len) == 0, "'%s'", v[i].in);
        cr_assert_eq(out[len], 0, "NUL after the bytes");
        free(out);
        char *enc = attest_base64url_encode((const uint8_t *)v[i].out, strlen(v[i].out));
        cr_assert_str_eq(enc, v[i].in);
        free(enc);
    }
}

Test(util_base64url, refuses_every_other_spelling)
{
    static const char *const bad[] = {
        "Zg==",  /* padding */
        "Zg=",   /* padding */
        "Z",     /* 6 bits: no byte */
        "Zh",    /* unused bits not zero */
        "Zm9",   /* unused bits not zero */
        "Zm+v",  /* standard alphabet */
        "Zm/v",  /* standard alphabet */
        "Zm9v ", /* space */
        "Zm9v\n", /* line break */
        "Zm9v!", /* anything else */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint8_t *out = (uint8_t *)"sentinel";
        size_t len = 99;
        cr_assert_eq(attest_base64url_decode(bad[i], strlen(bad[i]), &out, &len), -1,
                     "'%s' accepted", bad[i]);
        cr_assert_null(out, "'%s': output left set", bad[i]);
        cr_assert_eq(len, 0, "'%s'", bad[i]);
    }
    uint8_t *out = NULL;
    size_t len = 0;
    cr_assert_eq(attest_base64url_decode("Zm\0v", 4, &out, &len), -1, "embedded NUL");
}

Test(util_base64url, every_length_round_trips)
{
    uint8_t data[100];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof data; n++) {
        char *enc = attest_base64url_encode(data, n);
        cr_assert(enc);
        cr_assert_null(strpbrk(enc, "+/="), "length %zu: %s", n, enc);
        uint8_t *out = NULL;
        size_t len = 0;
        cr_assert_eq(attest_base64url_decode(enc, strlen(enc), &out, &len), 0, "length %zu", n);
        cr_assert_eq(len, n);
        cr_assert(n == 0 || memcmp(out, data, n) == 0, "length %zu", n);
        free(out);
        free(enc);
    }
}

/* ---- RFC 3339 instants -------------------------------------------------- */

static int parse(const char *s, int64_t *t)
{
    *t = 0x5a5a;
    return attest_time_parse(t, s);
}

static void assert_instant(const char *s, int64_t want)
{
    int64_t t;
    cr_assert_eq(parse(s, &t), ATTEST_OK, "'%s' refused: %s", s, attest_error_last());
    cr_assert_eq(t, want, "'%s': %lld, want %lld", s, (long long)t, (long long)want);
}

static void assert_refused(const char *s)
{
    int64_t t;
    cr_assert_eq(parse(s, &t), ATTEST_E_INVALID_ARG, "'%s' accepted as %lld", s,
                 (long long)t);
    cr_assert_eq(t, 0x5a5a, "'%s': output written on failure", s);
}

Test(util_time, known_instants)
{
    assert_instant("1970-01-01T00:00:00Z", 0);
    assert_instant("1969-12-31T23:59:59Z", -1);
    assert_instant("2025-06-01T00:00:00Z", 1748736000);
    assert_instant("2000-02-29T00:00:00Z", 951782400);
    assert_instant("2024-02-29T12:00:00Z", 1709208000);
    assert_instant("2100-02-28T23:59:59Z", 4107542399);
    assert_instant("2100-03-01T00:00:00Z", 4107542400);
    assert_instant("0000-01-01T00:00:00Z", -62167219200);
    assert_instant("9999-12-31T23:59:59Z", 253402300799);
}

Test(util_time, february_29_only_in_leap_years)
{
    assert_instant("2024-02-29T00:00:00Z", 1709164800);
    assert_instant("2000-02-29T00:00:00Z", 951782400); /* divisible by 400 */
    assert_instant("1600-02-29T00:00:00Z", -11670998400);
    assert_refused("2025-02-29T00:00:00Z");
    assert_refused("2100-02-29T00:00:00Z"); /* divisible by 100, not 400 */
    assert_refused("1900-02-29T00:00:00Z");
    assert_refused("2024-02-30T00:00:00Z");
    assert_refused("2025-02-31T00:00:00Z");
}

Test(util_time, day_of_month_checked_for_every_month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char s[32];
    for (int m = 1; m <= 12; m++) {
        snprintf(s, sizeof s, "2023-%02d-%02dT00:00:00Z", m, days[m - 1]);
        int64_t t;
        cr_assert_eq(parse(s, &t), ATTEST_OK, "'%s' refused", s);
        snprintf(s, sizeof s, "2023-%02d-%02dT00:00:00Z", m, days[m - 1] + 1);
        assert_refused(s);
        snprintf(s, sizeof s, "2023-%02d-00T00:00:00Z", m);
        assert_refused(s);
    }
    assert_refused("2023-00-10T00:00:00Z");
    assert_refused("2023-13-10T00:00:00Z");
}

Test(util_time, clock_fields_in_range)
{
    assert_instant("2025-06-01T23:59:59Z", 1748822399);
    assert_refused("2025-06-01T24:00:00Z");
    assert_refused("2025-06-01T00:60:00Z");
    assert_refused("2025-06-01T00:00:60Z"); /* leap seconds are refused */
    assert_refused("2016-12-31T23:59:60Z");
    assert_refused("2025-06-01T00:00:99Z");
}

Test(util_time, offsets)
{
    assert_instant("2025-06-01T02:00:00+02:00", 1748736000);
    assert_instant("2025-05-31T19:30:00-04:30", 1748736000);
    assert_instant("2025-06-01T00:00:00-00:00", 1748736000);
    assert_instant("2025-06-01T00:00:00+00:00", 1748736000);
    assert_instant("2025-06-01T23:59:00+23:59", 1748736000);
    assert_refused("2025-06-01T00:00:00+24:00");
    assert_refused("2025-06-01T00:00:00+01:60");
    assert_refused("2025-06-01T00:00:00+0100");
    assert_refused("2025-06-01T00:00:00+01");
    assert_refused("2025-06-01T00:00:00+1:00");
    assert_refused("2025-06-01T00:00:00 +01:00");
    assert_refused("2025-06-01T00:00:00");  /* no offset: local time is ambiguous */
    assert_refused("2025-06-01T00:00:00UTC");
}

Test(util_time, fractional_seconds_dropped)
{
    assert_instant("2025-06-01T00:00:00.5Z", 1748736000);
    assert_instant("2025-06-01T00:00:00.999999999Z", 1748736000);
    assert_instant("2025-06-01T00:00:01.000000000000000000001+00:00", 1748736001);
    assert_refused("2025-06-01T00:00:00.Z");
    assert_refused("2025-06-01T00:00:00,5Z");
    assert_refused("2025-06-01T00:00:00.5.5Z");
    assert_refused("2025-06-01T00:00:00.-5Z");
}

Test(util_time, grammar_is_exact)
{
    assert_instant("2025-06-01t00:00:00z", 1748736000); /* RFC 3339 5.6: case-insensitive */
    static const char *const bad[] = {
        "",
        "2025-06-01",
        "2025-06-01 00:00:00Z",    /* space separator */
        "2025-06-01T00:00Z",       /* no seconds */
        "+2025-06-01T00:00:00Z",   /* signed year */
        "-2025-06-01T00:00:00Z",
        "12025-06-01T00:00:00Z",   /* five-digit year */
        "225-06-01T00:00:00Z",
        " 2025-06-01T00:00:00Z",   /* leading space */
        "2025-06-01T00:00:00Z ",   /* trailing space */
        "2025-06-01T00:00:00Zjunk",
        "2025-6-01T00:00:00Z",     /* one-digit month */
        "2025-06-1T00:00:00Z",
        "2025-06-01T0:00:00Z",
        "2025-+6-01T00:00:00Z",    /* sign inside a field */
        "2025-06-01T00:-1:00Z",
        "2025/06/01T00:00:00Z",
        "2025-06-01T00.00.00Z",
        "yesterday",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_refused(bad[i]);
    int64_t t;
    cr_assert_eq(attest_time_parse(NULL, "2025-06-01T00:00:00Z"), ATTEST_E_INVALID_ARG);
    cr_assert_eq(attest_time_parse(&t, NULL), ATTEST_E_INVALID_ARG);
}

Test(util_time, format_known_instants)
{
    char buf[32];
    attest_time_format(buf, sizeof buf, 0);
    cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
    attest_time_format(buf, sizeof buf, -1);
    cr_assert_str_eq(buf, "1969-12-31T23:59:59Z");
    attest_time_format(buf, sizeof buf, 951782400);
    cr_assert_str_eq(buf, "2000-02-29T00:00:00Z");
    attest_time_format(buf, sizeof buf, 4107542400);
    cr_assert_str_eq(buf, "2100-03-01T00:00:00Z");
    attest_time_format(buf, sizeof buf, 253402300799);
    cr_assert_str_eq(buf, "9999-12-31T23:59:59Z");
    attest_time_format(buf, sizeof buf, -62167219200);
    cr_assert_str_eq(buf, "0000-01-01T00:00:00Z");
}

/* Every day from 0000-01-01 to 9999-12-31 (each at a different second of
 * the day): format then parse gives the same instant back, so the parser
 * accepts every real date and the two calendars agree. */
Test(util_time, format_parse_round_trip_every_day)
{
    const int64_t first = -62167219200, last = 253402300799;
    char buf[32];
    int64_t k = 0;
    for (int64_t day = first; day <= last; day += 86400, k++) {
        int64_t t = day + (k * 7919) % 86400;
        attest_time_format(buf, sizeof buf, t);
        int64_t back;
        cr_assert_eq(attest_time_parse(&back, buf), ATTEST_OK, "'%s' refused", buf);
        if (back != t)
            cr_assert_fail("%lld -> '%s' -> %lld", (long long)t, buf, (long long)back);
    }
    cr_assert_eq(k, 3652425, "days in years 0000..9999");
}

/* ---- attest_all_zero --------------------------------------------------- */

Test(util_all_zero, empty_and_zero_buffers)
{
    uint8_t z[65] = {0};
    cr_assert(attest_all_zero(NULL, 0));
    cr_assert(attest_all_zero(z, 0));
    for (size_t n = 1; n <= sizeof z; n++)
        cr_assert(attest_all_zero(z, n), "%zu zero bytes", n);
}

Test(util_all_zero, any_nonzero_byte_at_any_place)
{
    uint8_t b[65];
    for (size_t at = 0; at < sizeof b; at++) {
        for (int bit = 0; bit < 8; bit++) {
            memset(b, 0, sizeof b);
            b[at] = (uint8_t)(1u << bit);
            cr_assert_not(attest_all_zero(b, sizeof b), "bit %d of byte %zu", bit, at);
        }
    }
    memset(b, 0, sizeof b);
    b[64] = 1;
    cr_assert(attest_all_zero(b, 64), "the byte past len is not read");
}
