/* The ACPI CCEL table (ccel.h). */
#include "ccel.h"
#include "tcg_eventlog.h"

#include <stdio.h>
#include <string.h>

bool ccel_table_detect(const uint8_t *data, size_t len)
{
    return data && len >= 36 && memcmp(data, "CCEL", 4) == 0 && attest_le32(data + 4) == len;
}

static void copy_text(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    out[n] = 0;
}

int ccel_table_parse(ccel_table *out, const uint8_t *data, size_t len)
{
    memset(out, 0, sizeof *out);
    if (!ccel_table_detect(data, len))
        return attest_set_error(ATTEST_E_FORMAT_UNKNOWN,
                                "ccel.signature: not a CCEL table of %zu bytes", len);
    if (len != CCEL_TABLE_SIZE)
        return attest_set_error(ATTEST_E_LENGTH, "ccel.length: %zu bytes, a CCEL table has %d",
                                len, CCEL_TABLE_SIZE);
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + data[i]);
    if (sum != 0)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "ccel.checksum: the bytes sum to 0x%02x, not 0 (mod 256)", sum);
    out->revision = data[8];
    copy_text(out->oem_id, data + 10, 6);
    copy_text(out->oem_table_id, data + 16, 8);
    out->cc_type = data[36];
    out->cc_subtype = data[37];
    out->laml = attest_le64(data + 40);
    out->lasa = attest_le64(data + 48);
    if (out->cc_type != CCEL_CC_TYPE_TDX)
        return attest_set_error(ATTEST_E_MALFORMED, "ccel.cc_type: %u, not 2 (Intel TDX)",
                                out->cc_type);
    if (out->laml == 0 || out->laml > TCG_LOG_MAX_BYTES)
        return attest_set_error(ATTEST_E_MALFORMED, "ccel.laml: %llu, not 1..%u",
                                (unsigned long long)out->laml, TCG_LOG_MAX_BYTES);
    return ATTEST_OK;
}

json_t *ccel_table_to_json(const ccel_table *t)
{
    char lasa[24];
    snprintf(lasa, sizeof lasa, "0x%llx", (unsigned long long)t->lasa);
    return json_pack("{s:i, s:s, s:s, s:i, s:i, s:I, s:s}", "revision", t->revision, "oem_id",
                     t->oem_id, "oem_table_id", t->oem_table_id, "cc_type", t->cc_type,
                     "cc_subtype", t->cc_subtype, "laml", (json_int_t)t->laml, "lasa", lasa);
}
