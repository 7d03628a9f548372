/* A TPM quote with its event log (include/attest.h attest_tpm_log_verify,
 * docs/eventlog.md "TPM"): the AK's signature over the TPMS_ATTEST, the
 * nonce in extraData, the PCR values against the signed pcrDigest, then
 * the log's replay of the quoted bank against those values. */
#include "api.h"
#include "../appraise/eventlog.h"
#include "../chain/azure_vtpm.h"
#include "../parse/tcg_eventlog.h"
#include "../parse/tpm_attest.h"

#include <string.h>

/* The AK of a TPMT_PUBLIC, held to the same key rules as Azure's JWK AK
 * (RSA 2048/3072/4096, exponent 65537). */
static int ak_key(EVP_PKEY **ak, const uint8_t *tpmt, size_t len)
{
    static const uint8_t f4[3] = {0x01, 0x00, 0x01};
    attest_tpm_rsa_public pub;
    int st = attest_tpm_public_rsa_parse(&pub, tpmt, len);
    if (st != ATTEST_OK)
        return st;
    if (pub.exponent != 65537u)
        return attest_set_error(ATTEST_E_TPM_AK_KEY, "tpm.ak: exponent %u, only 65537 is "
                                "accepted", pub.exponent);
    return attest_tpm_ak_from_jwk(ak, pub.n, pub.n_len, f4, sizeof f4);
}

/* The digest size of a PCR bank, 0 for one the log cannot replay. */
static size_t bank_size(uint16_t alg)
{
    switch (alg) {
    case TCG_ALG_SHA1: return 20;
    case TCG_ALG_SHA256: return 32;
    case TCG_ALG_SHA384: return 48;
    case TCG_ALG_SHA512: return 64;
    default: return 0;
    }
}

/* pcrDigest is SHA-256 (the AK's signing hash) over the selected PCRs'
 * values of the quoted bank, in ascending index order, whatever the bank. */
static int check_pcr_digest(const attest_tpm_attest *q, const uint8_t *values, size_t len)
{
    size_t count = attest_tpm_pcr_count(q), size = bank_size(q->pcr_hash_alg);
    uint8_t h[32];
    if (count == 0)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                "tpm.quote.pcr_digest: the quote selects no PCR");
    if (len != count * size)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                "tpm.quote.pcr_digest: %zu bytes of PCR values for %zu "
                                "selected PCRs of %zu bytes (bank 0x%04x)", len, count, size,
                                q->pcr_hash_alg);
    if (EVP_Digest(values, len, h, NULL, EVP_sha256(), NULL) != 1)
        return attest_set_error(ATTEST_E_INTERNAL, "tpm.quote.pcr_digest: SHA-256 failed");
    if (q->pcr_digest_len != sizeof h || memcmp(h, q->pcr_digest, sizeof h) != 0)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                "tpm.quote.pcr_digest: SHA-256 of the %zu PCR values differs "
                                "from the signed pcrDigest", count);
    return ATTEST_OK;
}

/* Given a nonce, extraData must be exactly it. Given none, a quote that
 * carries extraData is refused: it answers a challenge this caller cannot
 * judge, and accepting it would make the nonce optional to an attacker. */
static int check_nonce(const attest_tpm_attest *q, const uint8_t *nonce, size_t nonce_len)
{
    if (nonce_len)
        return attest_tpm_nonce_check(q->extra_data, q->extra_data_len, nonce, nonce_len);
    if (q->extra_data_len)
        return attest_set_error(ATTEST_E_TPM_NONCE,
                                "tpm.quote.nonce: extraData holds %zu bytes but no nonce "
                                "was given to compare", q->extra_data_len);
    return ATTEST_OK;
}

static uint32_t selection_bits(const attest_tpm_attest *q)
{
    uint32_t bits = 0;
    for (size_t i = 0; i < q->pcr_select_len; i++)
        bits |= (uint32_t)q->pcr_select[i] << (8 * i);
    return bits;
}

/* Replay the quoted bank; the first failing PCR becomes the error. */
static int check_replay(const attest_tpm_attest *q, const uint8_t *values, size_t len,
                        const uint8_t *log_bytes, size_t log_len)
{
    tcg_eventlog *log = NULL;
    int st = tcg_eventlog_parse(&log, log_bytes, log_len);
    if (st != ATTEST_OK)
        return st;
    attest_result *r = attest_result_new();
    if (!r) {
        tcg_eventlog_free(log);
        return attest_set_error(ATTEST_E_NOMEM, "tpm.event_log: out of memory");
    }
    st = eventlog_check_pcrs(r, log, q->pcr_hash_alg, selection_bits(q), values, len);
    if (st != ATTEST_OK)
        attest_set_error(st, "%s", r->reason ? r->reason : "tpm.event_log: replay failed");
    attest_result_free(r);
    tcg_eventlog_free(log);
    return st;
}

static int check_quote(EVP_PKEY *ak, const attest_tpm_attest *q, const uint8_t *quote,
                       size_t quote_len, const uint8_t *sig, size_t sig_len,
                       const uint8_t *nonce, size_t nonce_len)
{
    int st = attest_tpm_quote_check_signature(quote, quote_len, sig, sig_len, ak);
    if (st == ATTEST_OK)
        st = check_nonce(q, nonce, nonce_len);
    return st;
}

int attest_tpm_log_verify(const uint8_t *ak_tpmt_public, size_t ak_len,
                          const uint8_t *quote, size_t quote_len, const uint8_t *sig,
                          size_t sig_len, const uint8_t *pcr_values, size_t pcr_len,
                          const uint8_t *event_log, size_t log_len, const uint8_t *nonce,
                          size_t nonce_len)
{
    if (!ak_tpmt_public || !quote || !sig || !pcr_values || !event_log || !log_len ||
        (!nonce && nonce_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "tpm: NULL or empty argument");
    attest_tpm_attest q;
    EVP_PKEY *ak = NULL;
    int st = attest_tpm_attest_parse_any_bank(&q, quote, quote_len);
    if (st == ATTEST_OK)
        st = ak_key(&ak, ak_tpmt_public, ak_len);
    if (st == ATTEST_OK)
        st = check_quote(ak, &q, quote, quote_len, sig, sig_len, nonce, nonce_len);
    if (st == ATTEST_OK)
        st = check_pcr_digest(&q, pcr_values, pcr_len);
    if (st == ATTEST_OK)
        st = check_replay(&q, pcr_values, pcr_len, event_log, log_len);
    EVP_PKEY_free(ak);
    return st;
}
