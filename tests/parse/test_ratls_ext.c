/* RA-TLS extension parsing (lib/parse/ratls_ext.c) on synthetic values:
 * carrier selection and the strict readers of each evidence format. */
#include "parse/ratls_ext.h"

#include <criterion/criterion.h>
#include <string.h>

static const uint8_t TCG[] = {0x67, 0x81, 0x05, 0x05, 0x04, 0x09};
static const uint8_t GRAMINE[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x8A, 0x39, 0x06};
static const uint8_t INTEL[] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01};
static const uint8_t QUOTE[] = {1, 2, 3, 4};

#define EXT(oid, v) {oid, sizeof oid, v, sizeof v}
#define SPKI_RULE                                                                          \
    (RATLS_CARRIER_BIT(RATLS_CARRIER_GRAMINE_LEGACY) |                                     \
     RATLS_CARRIER_BIT(RATLS_CARRIER_INTEL_LEGACY) | RATLS_CARRIER_BIT(RATLS_CARRIER_OE))

Test(ratls_ext, oids_by_exact_bytes)
{
    cr_expect_eq(ratls_carrier_of(TCG, sizeof TCG), RATLS_CARRIER_TCG_DICE);
    cr_expect_eq(ratls_carrier_of(GRAMINE, sizeof GRAMINE), RATLS_CARRIER_GRAMINE_LEGACY);
    cr_expect_eq(ratls_carrier_of(GRAMINE + 2, sizeof GRAMINE - 2), RATLS_CARRIER_NONE,
                 "the well-formed 1.2.840.113741.1337.6 is not Gramine's bytes");
    cr_expect_eq(ratls_carrier_of(TCG, sizeof TCG - 1), RATLS_CARRIER_NONE);
}

/* Two carriers the rule takes: which one binds is ambiguous. */
Test(ratls_ext, two_carriers_of_the_rule)
{
    ratls_ext exts[] = {EXT(GRAMINE, QUOTE), EXT(INTEL, QUOTE)};
    ratls_evidence ev;
    cr_expect_eq(ratls_find_evidence(&ev, exts, 2, SPKI_RULE), ATTEST_E_RATLS_DUPLICATE);
    cr_expect_eq(ratls_find_evidence(&ev, exts, 1, SPKI_RULE), 0);
    cr_expect_eq(ev.evidence_len, sizeof QUOTE);
}

/* An evidence OID twice, even one the rule does not take. */
Test(ratls_ext, same_oid_twice)
{
    ratls_ext exts[] = {EXT(TCG, QUOTE), EXT(INTEL, QUOTE), EXT(TCG, QUOTE)};
    ratls_evidence ev;
    cr_expect_eq(ratls_find_evidence(&ev, exts, 3, SPKI_RULE), ATTEST_E_RATLS_DUPLICATE);
    cr_expect_eq(ratls_find_evidence(&ev, exts, 2, SPKI_RULE), 0);
    cr_expect_eq(ratls_find_evidence(&ev, exts, 1, SPKI_RULE), ATTEST_E_RATLS_NO_EVIDENCE);
}

Test(ratls_ext, open_enclave_header)
{
    uint8_t v[20] = {1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9};
    ratls_evidence ev;
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_OE, v, sizeof v), 0);
    cr_expect_eq(ev.evidence, v + 16);
    v[8] = 3;
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_OE, v, sizeof v), ATTEST_E_RATLS_TRAILING);
    v[8] = 5;
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_OE, v, sizeof v), ATTEST_E_TRUNCATED);
    v[8] = 4;
    v[4] = 1; /* a local report */
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_OE, v, sizeof v), ATTEST_E_MALFORMED);
    v[4] = 2;
    v[15] = 0x80; /* a size near 2^64 must not wrap */
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_OE, v, sizeof v), ATTEST_E_TRUNCATED);
}

/* tag(60000) [h'01', claims] with claims {"pubkey-hash": h'8201 5820 <32>'}. */
static size_t tcg(uint8_t *out, int indefinite)
{
    uint8_t claims[64] = {0xA1, 0x6B};
    memcpy(claims + 2, "pubkey-hash", 11);
    size_t n = 13;
    const uint8_t kh[] = {0x58, 0x24, 0x82, 0x01, 0x58, 0x20};
    memcpy(claims + n, kh, sizeof kh);
    n += sizeof kh + 32;
    size_t o = 0;
    const uint8_t head[] = {0xD9, 0xEA, 0x60, 0x82, 0x41, 0x01, 0x58};
    memcpy(out, head, sizeof head);
    o = sizeof head;
    if (indefinite)
        out[3] = 0x9F;
    out[o++] = (uint8_t)n;
    memcpy(out + o, claims, n);
    return o + n;
}

Test(ratls_ext, tcg_strict)
{
    uint8_t v[128];
    ratls_evidence ev;
    size_t n = tcg(v, 0);
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_TCG_DICE, v, n), 0, "%s",
                 attest_error_last());
    cr_expect_eq(ev.key_hash_alg, 1);
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_TCG_DICE, v, n - 1), ATTEST_E_TRUNCATED);
    v[n] = 0;
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_TCG_DICE, v, n + 1),
                 ATTEST_E_RATLS_TRAILING);
    n = tcg(v, 1);
    cr_expect_eq(ratls_parse_value(&ev, RATLS_CARRIER_TCG_DICE, v, n), ATTEST_E_MALFORMED,
                 "indefinite lengths are refused");
}
