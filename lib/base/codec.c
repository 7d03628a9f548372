/* Small helpers: hex, instants, strings. */
#include "base.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void attest_string_free(char *s) { free(s); }

void attest_bytes_free(uint8_t *p) { free(p); }

bool attest_all_zero(const uint8_t *p, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= p[i];
    return acc == 0;
}

void attest_hex_encode(char *out, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
    out[len * 2] = '\0';
}

bool attest_json_may_hold_key(const uint8_t *data, size_t len, const char *key)
{
    char quoted[64];
    int n = snprintf(quoted, sizeof quoted, "\"%s\"", key);
    if (n <= 0 || (size_t)n >= sizeof quoted || memchr(data, '\\', len))
        return true;
    for (const uint8_t *p = data; (size_t)(data + len - p) >= (size_t)n;) {
        const uint8_t *q = memchr(p, '"', (size_t)(data + len - p) - (size_t)n + 1);
        if (!q)
            return false;
        if (memcmp(q, quoted, (size_t)n) == 0)
            return true;
        p = q + 1;
    }
    return false;
}

json_t *attest_json_hex(const uint8_t *p, size_t len)
{
    char stackbuf[257];
    char *buf = len * 2 + 1 <= sizeof stackbuf ? stackbuf : malloc(len * 2 + 1);
    if (!buf)
        return NULL;
    attest_hex_encode(buf, p, len);
    json_t *s = json_stringn_nocheck(buf, len * 2); /* hex digits: ASCII, valid UTF-8 */
    if (buf != stackbuf)
        free(buf);
    return s;
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int attest_hex_decode(uint8_t *out, size_t len, const char *hex)
{
    if (!hex || strlen(hex) != len * 2)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * algorithm): avoids timegm(), which is neither C11 nor POSIX. */
int64_t attest_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void attest_time_format(char *buf, size_t n, int64_t t)
{
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days -= 1;
    }
    /* civil_from_days */
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = (unsigned)(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(buf, n, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* Exactly `count` ASCII digits (no sign, no space: strtol would take both). */
static int read_digits(const char **p, int count, int *out)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (**p < '0' || **p > '9')
            return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return 0;
}

static int expect_char(const char **p, char c1, char c2)
{
    if (**p != c1 && **p != c2)
        return -1;
    (*p)++;
    return 0;
}

static bool is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month `m` (1..12) of year `y` (proleptic Gregorian). */
static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" + 'T' + "hh:mm:ss" with every field in its calendar range:
 * 2025-02-29 or 23:59:60 would otherwise be silently normalised to the
 * next day / minute by days_from_civil. */
static int parse_date_time(const char **p, int64_t *out)
{
    int Y, M, D, h, m, sec;
    if (read_digits(p, 4, &Y) || expect_char(p, '-', '-') ||
        read_digits(p, 2, &M) || expect_char(p, '-', '-') ||
        read_digits(p, 2, &D) || expect_char(p, 'T', 't') ||
        read_digits(p, 2, &h) || expect_char(p, ':', ':') ||
        read_digits(p, 2, &m) || expect_char(p, ':', ':') ||
        read_digits(p, 2, &sec))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 || m > 59 ||
        sec > 59)
        return -1;
    *out = attest_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 +
           m * 60 + sec;
    return 0;
}

/* 'Z' / 'z', or "+hh:mm" / "-hh:mm" (hh 00..23, mm 00..59): the seconds to
 * subtract from the local time to get UTC. */
static int parse_offset(const char **p, int64_t *offset)
{
    int oh, om;
    *offset = 0;
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        return 0;
    }
    if (**p != '+' && **p != '-')
        return -1;
    int sign = **p == '-' ? -1 : 1;
    (*p)++;
    if (read_digits(p, 2, &oh) || expect_char(p, ':', ':') || read_digits(p, 2, &om) ||
        oh > 23 || om > 59)
        return -1;
    *offset = sign * (oh * 3600 + om * 60);
    return 0;
}

int attest_time_parse(int64_t *out, const char *s)
{
    const char *p = s;
    int64_t local, offset;
    if (!out || !s)
        return attest_set_error(ATTEST_E_INVALID_ARG, "time: NULL argument");
    if (parse_date_time(&p, &local) != 0)
        goto bad;
    if (*p == '.') { /* fractional seconds: one digit or more, dropped */
        p++;
        if (*p < '0' || *p > '9')
            goto bad;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (parse_offset(&p, &offset) != 0 || *p != '\0')
        goto bad;
    *out = local - offset;
    return ATTEST_OK;
bad:
    return attest_set_error(ATTEST_E_INVALID_ARG,
                            "time: '%.64s' is not an RFC 3339 instant", s);
}

/* The 6-bit value of a base64 character, or -1 for one outside the
 * alphabet whose last two characters are c62 and c63 (RFC 4648: "+/" in
 * the standard alphabet, "-_" in the URL-safe one). */
static int base64_sextet(unsigned char c, char c62, char c63)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (unsigned char)c62)
        return 62;
    if (c == (unsigned char)c63)
        return 63;
    return -1;
}

/* Strict base64 (RFC 4648 standard alphabet, '=' padding, zero pad bits).
 * CR and LF are skipped (MIME line wrapping); anything else is an error.
 * Returns 0, -1 on bad input, -2 when out of memory. */
int attest_base64_decode(const char *s, size_t n, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    uint8_t *buf = malloc(n / 4 * 3 + 3);
    if (!buf)
        return -2;
    uint32_t acc = 0;
    size_t q = 0, o = 0, pad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n')
            continue;
        int v = base64_sextet(c, '+', '/');
        if (v < 0 && c != '=')
            goto bad;
        if (v < 0) {
            /* '=' only in the last two places of a quantum. */
            if (q < 2)
                goto bad;
            pad++;
            acc <<= 6;
            q++;
        } else {
            if (pad)
                goto bad; /* data after padding */
            acc = acc << 6 | (uint32_t)v;
            q++;
        }
        if (q == 4) {
            uint8_t b[3] = {(uint8_t)(acc >> 16), (uint8_t)(acc >> 8), (uint8_t)acc};
            size_t keep = 3 - pad;
            if (pad == 1 && b[2] != 0)
                goto bad;
            if (pad == 2 && (b[1] != 0 || b[2] != 0))
                goto bad;
            memcpy(buf + o, b, keep);
            o += keep;
            q = 0;
            acc = 0;
            if (pad) {
                /* Nothing but line breaks may follow the padding. */
                for (size_t j = i + 1; j < n; j++)
                    if (s[j] != '\r' && s[j] != '\n')
                        goto bad;
                break;
            }
        }
    }
    if (q != 0)
        goto bad;
    *out = buf;
    *out_len = o;
    return 0;
bad:
    free(buf);
    return -1;
}

/* Strict unpadded base64url (RFC 4648 section 5, as JWS writes it: RFC
 * 7515 section 2): the URL-safe alphabet only, no '=', no whitespace, no
 * impossible length, and the unused low bits of the last character zero,
 * so that each byte string has exactly one spelling. */
int attest_base64url_decode(const char *s, size_t n, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (n % 4 == 1) /* 6 bits: not even one byte */
        return -1;
    uint8_t *buf = malloc(n / 4 * 3 + 3);
    if (!buf)
        return -2;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = base64_sextet((unsigned char)s[i], '-', '_');
        if (v < 0)
            goto bad;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) /* unused bits set: a second spelling of the same bytes */
        goto bad;
    buf[o] = '\0';
    *out = buf;
    *out_len = o;
    return 0;
bad:
    free(buf);
    return -1;
}

char *attest_base64url_encode(const uint8_t *p, size_t len)
{
    if (len > (size_t)INT_MAX / 4 * 3) /* EVP_EncodeBlock counts in int */
        return NULL;
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    int n = EVP_EncodeBlock((unsigned char *)out, p, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *c = out; *c; c++)
        *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
    return out;
}
