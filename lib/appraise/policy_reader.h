/* One reader for every section of a policy document (docs/policy.md): a
 * section is a table of members, each with its JSON type, its range and
 * where it lands in the section's struct. Unknown members and wrong types
 * are ATTEST_E_POLICY_INVALID naming "policy.<section>.<member>", so a typo
 * can never weaken a policy. */
#ifndef ATTEST_POLICY_READER_H
#define ATTEST_POLICY_READER_H

#include "../base/base.h"
#include "../chain/collateral.h"
#include "policy.h"

#include <stddef.h>

/* A fixed-length value the evidence must equal (unset: any). */
typedef struct policy_bytes {
    bool set;
    uint8_t value[64];
} policy_bytes;

/* An allow-list of digests of `len` bytes (count 0: any). */
typedef struct policy_digests {
    uint8_t (*items)[48]; /* each of `len` <= 48 bytes */
    size_t count;
    size_t len;
} policy_digests;

/* A list of strings (set: the member was given, even empty). */
typedef struct policy_strings {
    char **items;
    size_t count;
    bool set;
} policy_strings;

typedef enum policy_kind {
    PM_BOOL,    /* bool */
    PM_INT,     /* int in [min, max] */
    PM_INT64,   /* int64_t in [min, max] */
    PM_BYTES,   /* policy_bytes of exactly `min` bytes, as hex */
    PM_DIGESTS, /* policy_digests: non-empty array of `min`-byte hex digests */
    PM_STRINGS, /* policy_strings: array of strings (non-empty when min > 0) */
    PM_TEXT,    /* char[max]: a non-empty string shorter than max */
    PM_CUSTOM,  /* read by `read` */
} policy_kind;

typedef struct policy_member {
    const char *name;
    policy_kind kind;
    size_t offset;   /* where the value lands in the section struct */
    int64_t min, max;
    /* PM_CUSTOM: read `v` into the section; errors through policy_invalid. */
    int (*read)(void *section, const char *section_name, const char *member, json_t *v);
} policy_member;

#define PM(name, kind, type, field, min, max) \
    {name, kind, offsetof(type, field), min, max, NULL}
#define PM_FN(name, fn) {name, PM_CUSTOM, 0, 0, 0, fn}

/* Read the JSON object `obj` into `section` member by member with the
 * table `members` (n entries). */
ATTEST_HIDDEN int policy_read_section(void *section, const char *section_name,
                                      const policy_member *members, size_t n, json_t *obj);

/* ATTEST_E_POLICY_INVALID with "policy.<section>.<member>: <why>". */
ATTEST_HIDDEN int policy_invalid(const char *section_name, const char *member,
                                 const char *why);

/* Read `v` as a non-empty array of `len`-byte hex digests into `out`
 * (for members whose digests are keyed, such as PCR indices). */
ATTEST_HIDDEN int policy_read_digest_list(policy_digests *out, size_t len, const char *sec,
                                          const char *name, json_t *v);

ATTEST_HIDDEN bool policy_digests_has(const policy_digests *l, const uint8_t *digest);
ATTEST_HIDDEN bool policy_strings_has(const policy_strings *l, const char *s, bool ignore_case);
ATTEST_HIDDEN void policy_digests_release(policy_digests *l);
ATTEST_HIDDEN void policy_strings_release(policy_strings *l);

#endif
