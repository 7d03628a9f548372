/* TPMS_ATTEST parser (tpm_attest.h). Structures: TPM 2.0 Library
 * specification Part 2 (TPMS_ATTEST, TPMS_CLOCK_INFO, TPMS_QUOTE_INFO,
 * TPML_PCR_SELECTION); Azure facts (count 1, SHA-256 bank, sizeofSelect 3)
 * from research/azure.md section 4. Integers are big-endian here, so the
 * base reader only bounds the reads and this file assembles the values. */
#include "tpm_attest.h"

#include "../base/reader.h"

#include <string.h>

#define SHA256_LEN 32

/* A field that does not fit is a truncated quote, not a malformed one. */
static int take(attest_reader *r, size_t n, const char *field, const uint8_t **p)
{
    size_t at;
    size_t left = attest_reader_left(r), off = r->off;
    if (attest_reader_take(r, n, field, &at) != ATTEST_OK)
        return attest_set_error(ATTEST_E_TRUNCATED, "tpm.attest.%s: needs %zu bytes "
                                "at offset %zu, only %zu left", field, n, off, left);
    *p = r->p + at;
    return ATTEST_OK;
}

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static int read_be(attest_reader *r, size_t n, const char *field, uint64_t *v)
{
    const uint8_t *p;
    int st = take(r, n, field, &p);
    if (st == ATTEST_OK)
        *v = be(p, n);
    return st;
}

/* A TPM2B: u16 size, then that many bytes, at most `max`. */
static int read_tpm2b(attest_reader *r, const char *field, size_t max,
                      const uint8_t **p, size_t *len)
{
    uint64_t size;
    int st = read_be(r, 2, field, &size);
    if (st != ATTEST_OK)
        return st;
    if (size > max)
        return attest_set_error(ATTEST_E_MALFORMED, "tpm.attest.%s: size %llu, at "
                                "most %zu", field, (unsigned long long)size, max);
    *len = (size_t)size;
    return take(r, *len, field, p);
}

static int read_head(attest_reader *r, attest_tpm_attest *q)
{
    uint64_t v;
    int st;
    if ((st = read_be(r, 4, "magic", &v)) != ATTEST_OK)
        return st;
    q->magic = (uint32_t)v;
    if (q->magic != ATTEST_TPM_GENERATED_VALUE)
        return attest_set_error(ATTEST_E_MALFORMED, "tpm.attest.magic: 0x%08x, "
                                "expected 0xff544347 (TPM_GENERATED_VALUE)", q->magic);
    if ((st = read_be(r, 2, "type", &v)) != ATTEST_OK)
        return st;
    q->type = (uint16_t)v;
    if (q->type != ATTEST_TPM_ST_ATTEST_QUOTE)
        return attest_set_error(ATTEST_E_MALFORMED, "tpm.attest.type: 0x%04x, "
                                "expected 0x8018 (TPM_ST_ATTEST_QUOTE)", q->type);
    if ((st = read_tpm2b(r, "qualified_signer", ATTEST_TPM_NAME_MAX,
                         &q->qualified_signer, &q->qualified_signer_len)) != ATTEST_OK)
        return st;
    return read_tpm2b(r, "extra_data", ATTEST_TPM_EXTRA_DATA_MAX, &q->extra_data,
                      &q->extra_data_len);
}

static int read_clock(attest_reader *r, attest_tpm_attest *q)
{
    uint64_t v;
    int st;
    if ((st = read_be(r, 8, "clock_info.clock", &q->clock)) != ATTEST_OK ||
        (st = read_be(r, 4, "clock_info.reset_count", &v)) != ATTEST_OK)
        return st;
    q->reset_count = (uint32_t)v;
    if ((st = read_be(r, 4, "clock_info.restart_count", &v)) != ATTEST_OK)
        return st;
    q->restart_count = (uint32_t)v;
    if ((st = read_be(r, 1, "clock_info.safe", &v)) != ATTEST_OK)
        return st;
    if (v > 1)
        return attest_set_error(ATTEST_E_MALFORMED, "tpm.attest.clock_info.safe: "
                                "%llu, expected 0 or 1", (unsigned long long)v);
    q->safe = (uint8_t)v;
    return read_be(r, 8, "firmware_version", &q->firmware_version);
}

static bool bank_known(uint16_t alg)
{
    return alg == 0x0004 || alg == ATTEST_TPM_ALG_SHA256 || alg == 0x000C || alg == 0x000D;
}

static int read_selection(attest_reader *r, attest_tpm_attest *q, bool any_bank)
{
    uint64_t v;
    const uint8_t *p;
    int st;
    if ((st = read_be(r, 4, "pcr_select.count", &v)) != ATTEST_OK)
        return st;
    if (v != 1)
        return attest_set_error(ATTEST_E_MALFORMED, "tpm.attest.pcr_select.count: "
                                "%llu banks, expected exactly 1", (unsigned long long)v);
    if ((st = read_be(r, 2, "pcr_select.hash", &v)) != ATTEST_OK)
        return st;
    q->pcr_hash_alg = (uint16_t)v;
    if (any_bank ? !bank_known(q->pcr_hash_alg) : q->pcr_hash_alg != ATTEST_TPM_ALG_SHA256)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION, "tpm.attest.pcr_select."
                                "hash: 0x%04x is not supported (supported: 0x000b "
                                "SHA-256%s)", q->pcr_hash_alg,
                                any_bank ? ", 0x0004 SHA-1, 0x000c SHA-384, 0x000d SHA-512" : "");
    if ((st = read_be(r, 1, "pcr_select.size_of_select", &v)) != ATTEST_OK)
        return st;
    if (v < ATTEST_TPM_PCR_SELECT_MIN || v > ATTEST_TPM_PCR_SELECT_MAX)
        return attest_set_error(ATTEST_E_MALFORMED, "tpm.attest.pcr_select."
                                "size_of_select: %llu, expected 3 or 4",
                                (unsigned long long)v);
    q->pcr_select_len = (size_t)v;
    if ((st = take(r, q->pcr_select_len, "pcr_select.bitmap", &p)) != ATTEST_OK)
        return st;
    memcpy(q->pcr_select, p, q->pcr_select_len);
    return ATTEST_OK;
}

static int read_digest(attest_reader *r, attest_tpm_attest *q)
{
    uint64_t size;
    int st = read_be(r, 2, "pcr_digest", &size);
    if (st != ATTEST_OK)
        return st;
    if (size != SHA256_LEN)
        return attest_set_error(ATTEST_E_MALFORMED, "tpm.attest.pcr_digest: size "
                                "%llu, the SHA-256 bank needs 32",
                                (unsigned long long)size);
    q->pcr_digest_len = SHA256_LEN;
    return take(r, SHA256_LEN, "pcr_digest", &q->pcr_digest);
}

static int parse_quote(attest_tpm_attest *out, const uint8_t *data, size_t len, bool any_bank)
{
    attest_tpm_attest q;
    int st;
    if (!out || (!data && len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "tpm.attest: NULL argument");
    if (len > ATTEST_TPM_ATTEST_MAX)
        return attest_set_error(ATTEST_E_LENGTH, "tpm.attest: %zu bytes, more than "
                                "%d", len, ATTEST_TPM_ATTEST_MAX);
    memset(&q, 0, sizeof q);
    attest_reader r = attest_reader_init(data, 0, len);
    if ((st = read_head(&r, &q)) != ATTEST_OK || (st = read_clock(&r, &q)) != ATTEST_OK ||
        (st = read_selection(&r, &q, any_bank)) != ATTEST_OK || (st = read_digest(&r, &q)) != ATTEST_OK)
        return st;
    if (attest_reader_left(&r) != 0)
        return attest_set_error(ATTEST_E_LENGTH, "tpm.attest: %zu trailing bytes "
                                "after pcr_digest at offset %zu",
                                attest_reader_left(&r), r.off);
    *out = q;
    return ATTEST_OK;
}

int attest_tpm_attest_parse(attest_tpm_attest *out, const uint8_t *data, size_t len)
{
    return parse_quote(out, data, len, false);
}

int attest_tpm_attest_parse_any_bank(attest_tpm_attest *out, const uint8_t *data, size_t len)
{
    return parse_quote(out, data, len, true);
}

/* TPMS_RSA_PARMS.symmetric and .scheme: an algorithm, then its details
 * unless it is TPM_ALG_NULL (0x0010): keyBits and mode for a symmetric
 * cipher, the hash for a scheme. */
static int skip_alg(attest_reader *r, const char *field, size_t detail)
{
    uint64_t alg;
    const uint8_t *p;
    int st = read_be(r, 2, field, &alg);
    if (st == ATTEST_OK && alg != 0x0010)
        st = take(r, detail, field, &p);
    return st;
}

int attest_tpm_public_rsa_parse(attest_tpm_rsa_public *out, const uint8_t *data, size_t len)
{
    uint64_t type, v;
    const uint8_t *p;
    size_t policy_len;
    if (!out || (!data && len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "tpm.attest.ak: NULL argument");
    attest_reader r = attest_reader_init(data, 0, len);
    int st = read_be(&r, 2, "ak.type", &type);
    if (st == ATTEST_OK && type != 0x0001)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION, "tpm.attest.ak.type: 0x%04llx, "
                                "only RSA (0x0001) is supported", (unsigned long long)type);
    if (st != ATTEST_OK || (st = take(&r, 6, "ak.name_alg_attributes", &p)) != ATTEST_OK ||
        (st = read_tpm2b(&r, "ak.auth_policy", 64, &p, &policy_len)) != ATTEST_OK ||
        (st = skip_alg(&r, "ak.symmetric", 4)) != ATTEST_OK ||
        (st = skip_alg(&r, "ak.scheme", 2)) != ATTEST_OK ||
        (st = read_be(&r, 2, "ak.key_bits", &v)) != ATTEST_OK ||
        (st = read_be(&r, 4, "ak.exponent", &v)) != ATTEST_OK ||
        (st = read_tpm2b(&r, "ak.unique", 512, &out->n, &out->n_len)) != ATTEST_OK)
        return st;
    out->exponent = v == 0 ? 65537u : (uint32_t)v; /* 0 means the default 2^16 + 1 */
    if (attest_reader_left(&r) != 0)
        return attest_set_error(ATTEST_E_LENGTH, "tpm.attest.ak: %zu trailing bytes after "
                                "the modulus", attest_reader_left(&r));
    return ATTEST_OK;
}

bool attest_tpm_pcr_selected(const attest_tpm_attest *q, unsigned index)
{
    if (index / 8 >= q->pcr_select_len)
        return false;
    return (q->pcr_select[index / 8] >> (index % 8)) & 1;
}

size_t attest_tpm_pcr_count(const attest_tpm_attest *q)
{
    size_t n = 0;
    for (unsigned i = 0; i < 8 * q->pcr_select_len; i++)
        n += attest_tpm_pcr_selected(q, i);
    return n;
}

json_t *attest_tpm_attest_to_json(const attest_tpm_attest *q)
{
    json_t *sel = json_array();
    char fw[19];
    for (unsigned i = 0; sel && i < 8 * q->pcr_select_len; i++)
        if (attest_tpm_pcr_selected(q, i))
            json_array_append_new(sel, json_integer(i));
    snprintf(fw, sizeof fw, "0x%016llx", (unsigned long long)q->firmware_version);
    return json_pack("{s:s, s:o, s:o, s:{s:I, s:I, s:I, s:b}, s:s, s:{s:s, s:o}, s:o}",
                     "format", "tpm2-quote-attest", "qualified_signer",
                     attest_json_hex(q->qualified_signer, q->qualified_signer_len),
                     "extra_data", attest_json_hex(q->extra_data, q->extra_data_len),
                     "clock_info", "clock", (json_int_t)q->clock, "reset_count",
                     (json_int_t)q->reset_count, "restart_count",
                     (json_int_t)q->restart_count, "safe", (int)q->safe,
                     "firmware_version", fw, "pcr_select", "hash", "sha256",
                     "pcrs", sel, "pcr_digest",
                     attest_json_hex(q->pcr_digest, q->pcr_digest_len));
}
