/* The ACPI CCEL table (UEFI 2.10 / ACPI 6.5 "CC Event Log"): where the
 * confidential-computing event log lives. 56 bytes: the ACPI header
 * ("CCEL", length, revision, checksum, OEM ids), CC type and subtype,
 * LAML (log area minimum length) and LASA (log area start address).
 * research/reference-values.md 1.2. */
#ifndef ATTEST_CCEL_H
#define ATTEST_CCEL_H

#include "../base/base.h"

#define CCEL_TABLE_SIZE 56
#define CCEL_CC_TYPE_SEV 1
#define CCEL_CC_TYPE_TDX 2

typedef struct ccel_table {
    uint8_t revision;
    char oem_id[7];
    char oem_table_id[9];
    uint8_t cc_type;    /* CCEL_CC_TYPE_TDX: the only one accepted */
    uint8_t cc_subtype;
    uint64_t laml;      /* log area minimum length */
    uint64_t lasa;      /* log area start (guest physical) */
} ccel_table;

/* "CCEL" signature and a length field equal to `len`. */
ATTEST_HIDDEN bool ccel_table_detect(const uint8_t *data, size_t len);

/* Parse and check the table: exactly 56 bytes, the length field, the
 * checksum (all bytes sum to 0 mod 256), CC type TDX, a non-zero LAML
 * of at most 16 MiB. Errors: ATTEST_E_FORMAT_UNKNOWN, ATTEST_E_LENGTH,
 * ATTEST_E_MALFORMED naming the field ("ccel.checksum: ..."). */
ATTEST_HIDDEN int ccel_table_parse(ccel_table *out, const uint8_t *data, size_t len);

ATTEST_HIDDEN json_t *ccel_table_to_json(const ccel_table *t);

#endif
