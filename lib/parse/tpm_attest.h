/* TPM 2.0 TPMS_ATTEST of a TPM2_Quote (TPM 2.0 Library Part 2, "TPMS_ATTEST"
 * and "TPMS_QUOTE_INFO"; big-endian): the bytes an Azure vTPM AK signs.
 *   magic u32 (FF544347) | type u16 (8018 ATTEST_QUOTE) | qualifiedSigner
 *   TPM2B_NAME | extraData TPM2B_DATA (the nonce) | clockInfo (clock u64,
 *   resetCount u32, restartCount u32, safe u8) | firmwareVersion u64 |
 *   TPML_PCR_SELECTION (count u32 = 1; hash u16, sizeofSelect u8, bitmap)
 *   | pcrDigest TPM2B_DIGEST.
 * A pure parser: the signature and the PCR digest are lib/chain's. */
#ifndef ATTEST_TPM_ATTEST_H
#define ATTEST_TPM_ATTEST_H

#include "../base/base.h"

#define ATTEST_TPM_GENERATED_VALUE 0xFF544347u
#define ATTEST_TPM_ST_ATTEST_QUOTE 0x8018
#define ATTEST_TPM_ALG_SHA256 0x000B
#define ATTEST_TPM_EXTRA_DATA_MAX 64  /* TPM2B_DATA: sizeof(TPMT_HA) */
#define ATTEST_TPM_NAME_MAX 66        /* TPM2B_NAME: hash alg + SHA-512 */
#define ATTEST_TPM_PCR_SELECT_MIN 3   /* PCR_SELECT_MIN: 24 PCRs */
#define ATTEST_TPM_PCR_SELECT_MAX 4   /* 32 PCRs */
#define ATTEST_TPM_ATTEST_MAX 1024    /* larger inputs are refused unread */

/* The fields of a quote's TPMS_ATTEST; pointers point into the parsed
 * buffer, which must outlive the struct. */
typedef struct attest_tpm_attest {
    uint32_t magic;
    uint16_t type;
    const uint8_t *qualified_signer; /* TPM2B_NAME contents */
    size_t qualified_signer_len;
    const uint8_t *extra_data;       /* the nonce (may be empty) */
    size_t extra_data_len;
    uint64_t clock;
    uint32_t reset_count, restart_count;
    uint8_t safe;
    uint64_t firmware_version;
    uint16_t pcr_hash_alg;           /* ATTEST_TPM_ALG_SHA256 */
    uint8_t pcr_select[ATTEST_TPM_PCR_SELECT_MAX]; /* bit i%8 of byte i/8 = PCR i */
    size_t pcr_select_len;
    const uint8_t *pcr_digest;       /* 32 bytes */
    size_t pcr_digest_len;
} attest_tpm_attest;

/* Parse a TPMS_ATTEST of a quote, exactly: no byte may follow pcrDigest.
 * Errors (detail names the field): ATTEST_E_TRUNCATED (the bytes end inside
 * a field, or a size runs past the end), ATTEST_E_LENGTH (trailing bytes,
 * larger than ATTEST_TPM_ATTEST_MAX), ATTEST_E_MALFORMED (magic, type,
 * sizes over their maximum, safe not 0/1, bank count not 1, sizeofSelect
 * outside 3..4, digest size), ATTEST_E_UNSUPPORTED_VERSION (bank hash
 * other than SHA-256, named). */
ATTEST_HIDDEN int attest_tpm_attest_parse(attest_tpm_attest *out, const uint8_t *data,
                                          size_t len);

/* The same for a quote of any PCR bank a TPM log replays: the selection's
 * hash may also be SHA-1 (0x0004), SHA-384 (0x000c) or SHA-512 (0x000d);
 * pcrDigest stays the 32-byte SHA-256 the quote's signing scheme makes
 * (attest_tpm_log_verify). Errors as above. */
ATTEST_HIDDEN int attest_tpm_attest_parse_any_bank(attest_tpm_attest *out,
                                                   const uint8_t *data, size_t len);

/* An RSA TPMT_PUBLIC (TPM 2.0 Part 2 12.2.4; tpm2_readpublic -f tpmt):
 * type 0x0001 | nameAlg | objectAttributes | authPolicy TPM2B |
 * TPMS_RSA_PARMS (symmetric, scheme, keyBits, exponent u32, 0 = 65537) |
 * unique TPM2B (the modulus), nothing after. n points into data. The key
 * itself is judged by attest_tpm_ak_from_jwk (lib/chain). Errors:
 * ATTEST_E_TRUNCATED, ATTEST_E_MALFORMED (sizes), ATTEST_E_LENGTH
 * (trailing bytes), ATTEST_E_UNSUPPORTED_VERSION (not RSA). */
typedef struct attest_tpm_rsa_public {
    const uint8_t *n;
    size_t n_len;
    uint32_t exponent;
} attest_tpm_rsa_public;
ATTEST_HIDDEN int attest_tpm_public_rsa_parse(attest_tpm_rsa_public *out, const uint8_t *data,
                                              size_t len);

/* Whether PCR `index` is in the signed selection. */
ATTEST_HIDDEN bool attest_tpm_pcr_selected(const attest_tpm_attest *q, unsigned index);
/* How many PCRs the selection names. */
ATTEST_HIDDEN size_t attest_tpm_pcr_count(const attest_tpm_attest *q);

/* Every field as JSON (bytes in hex, the selection as a list of indices),
 * or NULL when out of memory. */
ATTEST_HIDDEN json_t *attest_tpm_attest_to_json(const attest_tpm_attest *q);

#endif
