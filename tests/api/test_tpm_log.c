/* attest_tpm_log_verify on P01 (../shared/vectors/refvalues/tpm/MANIFEST.md:
 * a GCE vTPM quote per bank, the PCR values it covers, its AK and its
 * event log), and in-memory edits of it that each fail with their check's
 * code: a PCR value (pcrDigest), an event digest (replay), a signature
 * byte, a nonce the quote does not carry, the AK. */
#include "testutil.h"
#include "appraise/eventlog.h"
#include "parse/tcg_eventlog.h"
#include "azgen.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#define P01 "refvalues/tpm/P01_gce_cos85/"

typedef struct p01 {
    uint8_t *ak, *quote, *sig, *pcrs, *log;
    size_t ak_len, quote_len, sig_len, pcrs_len, log_len;
} p01;

static uint8_t *load(const char *file, size_t *len)
{
    char rel[256], path[512];
    snprintf(rel, sizeof rel, P01 "%s", file);
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), len);
    cr_assert(data, "cannot read %s", path);
    return data;
}

static void p01_load(p01 *v, const char *bank)
{
    char name[64];
    v->ak = load("ak_pub.tpmt_public", &v->ak_len);
    snprintf(name, sizeof name, "quote_%s.tpms_attest", bank);
    v->quote = load(name, &v->quote_len);
    snprintf(name, sizeof name, "quote_%s.tpmt_signature", bank);
    v->sig = load(name, &v->sig_len);
    snprintf(name, sizeof name, "pcrs_%s.bin", bank);
    v->pcrs = load(name, &v->pcrs_len);
    v->log = load("event_log.bin", &v->log_len);
}

static void p01_free(p01 *v)
{
    free(v->ak);
    free(v->quote);
    free(v->sig);
    free(v->pcrs);
    free(v->log);
}

static int verify(const p01 *v, const uint8_t *nonce, size_t nonce_len)
{
    return attest_tpm_log_verify(v->ak, v->ak_len, v->quote, v->quote_len, v->sig, v->sig_len,
                                 v->pcrs, v->pcrs_len, v->log, v->log_len, nonce, nonce_len);
}

static void expect(const p01 *v, int status, const char *detail)
{
    int st = verify(v, NULL, 0);
    cr_expect_eq(st, status, "got %d: %s", st, attest_error_last());
    if (detail)
        cr_expect(strstr(attest_error_last(), detail), "%s", attest_error_last());
}

Test(tpm_log, p01_all_banks_accepted)
{
    const char *banks[] = {"sha1", "sha256", "sha384"};
    for (size_t i = 0; i < 3; i++) {
        p01 v;
        p01_load(&v, banks[i]);
        cr_expect_eq(verify(&v, NULL, 0), ATTEST_OK, "%s: %s", banks[i], attest_error_last());
        p01_free(&v);
    }
}

Test(tpm_log, pcr_value_changed_breaks_pcr_digest)
{
    p01 v;
    p01_load(&v, "sha384");
    v.pcrs[9 * 48] ^= 1;
    expect(&v, ATTEST_E_TPM_PCR_DIGEST, "tpm.quote.pcr_digest");
    p01_free(&v);
}

/* The last extending event of PCR 9 gets another digest in the quoted
 * bank: the quote still verifies, the replay of PCR 9 does not. */
Test(tpm_log, event_digest_changed_breaks_replay)
{
    p01 v;
    p01_load(&v, "sha256");
    tcg_eventlog *log = NULL;
    cr_assert_eq(tcg_eventlog_parse(&log, v.log, v.log_len), ATTEST_OK, "%s",
                 attest_error_last());
    int bank = tcg_eventlog_bank(log, TCG_ALG_SHA256);
    cr_assert(bank >= 0);
    size_t off = 0;
    for (size_t i = 0; i < log->count; i++)
        if (log->events[i].index == 9 && log->events[i].type != TCG_EV_NO_ACTION)
            off = log->events[i].digest_off[bank];
    tcg_eventlog_free(log);
    cr_assert(off > 0, "no PCR 9 event in P01");
    v.log[off] ^= 0x80;
    expect(&v, ATTEST_E_EVENTLOG_REPLAY, "tpm.event_log.pcr9");
    p01_free(&v);
}

Test(tpm_log, signature_byte_flipped)
{
    p01 v;
    p01_load(&v, "sha1");
    v.sig[v.sig_len - 1] ^= 1;
    expect(&v, ATTEST_E_TPM_SIGNATURE, "tpm.quote.signature");
    p01_free(&v);
}

/* P01's quote carries no extraData: any nonce is a wrong one. */
Test(tpm_log, wrong_nonce)
{
    p01 v;
    p01_load(&v, "sha256");
    static const uint8_t nonce[] = {0x90, 0x09};
    cr_expect_eq(verify(&v, nonce, sizeof nonce), ATTEST_E_TPM_NONCE, "%s",
                 attest_error_last());
    cr_expect(strstr(attest_error_last(), "tpm.quote.nonce"), "%s", attest_error_last());
    p01_free(&v);
}

/* Another modulus (the signature no longer verifies), an exponent other
 * than 65537 and a truncated TPMT_PUBLIC are refused. */
Test(tpm_log, ak_edits)
{
    p01 v;
    p01_load(&v, "sha256");
    v.ak[v.ak_len - 2] ^= 1;
    expect(&v, ATTEST_E_TPM_SIGNATURE, NULL);
    v.ak[v.ak_len - 2] ^= 1;
    v.ak[0x15] = 3; /* exponent u32 at 0x12..0x15: 3 */
    expect(&v, ATTEST_E_TPM_AK_KEY, "exponent 3");
    v.ak[0x15] = 0;
    v.ak_len--;
    expect(&v, ATTEST_E_TRUNCATED, "ak.unique");
    p01_free(&v);
}

/* The selection's hash (u16 40 bytes from the end: hash, sizeofSelect,
 * 3-byte bitmap, pcrDigest TPM2B) is the bank replayed: SM3 (0x0012), which
 * the log parser keeps but no replay hashes, is refused before anything
 * else; SHA-256 in place of SHA-1 changes the signed bytes. */
Test(tpm_log, quote_bank_edits)
{
    p01 v;
    p01_load(&v, "sha1");
    uint8_t *hash = v.quote + v.quote_len - 40;
    cr_assert(hash[0] == 0x00 && hash[1] == 0x04);
    hash[1] = 0x12;
    expect(&v, ATTEST_E_UNSUPPORTED_VERSION, "pcr_select.hash: 0x0012");
    hash[1] = 0x0B;
    expect(&v, ATTEST_E_TPM_SIGNATURE, NULL);
    p01_free(&v);
}

/* P01's SHA-256 quote re-signed by a fresh AK (azgen) after an edit: the
 * quote from extraData on (offset 42: magic, type, 34-byte signer name)
 * is rebuilt with `extra` as extraData and PCR `drop` unselected, its
 * pcrDigest recomputed over the remaining values. */
static void resign(p01 *v, const uint8_t *extra, size_t extra_len, int drop)
{
    EVP_PKEY *key = EVP_RSA_gen(2048);
    cr_assert(key);
    free(v->ak);
    cr_assert_eq(azgen_tpmt_public(&v->ak, &v->ak_len, key), 0);
    size_t tail = v->quote_len - 44, len = 42 + 2 + extra_len + tail;
    uint8_t *q = malloc(len);
    memcpy(q, v->quote, 42);
    q[42] = 0;
    q[43] = (uint8_t)extra_len;
    if (extra_len)
        memcpy(q + 44, extra, extra_len);
    memcpy(q + 44 + extra_len, v->quote + 44, tail);
    if (drop >= 0) {
        q[len - 37 + drop / 8] &= (uint8_t)~(1u << (drop % 8));
        memmove(v->pcrs + 32 * drop, v->pcrs + 32 * (drop + 1), 32 * (23 - drop));
        v->pcrs_len -= 32;
    }
    EVP_Digest(v->pcrs, v->pcrs_len, q + len - 32, NULL, EVP_sha256(), NULL);
    free(v->quote);
    v->quote = q;
    v->quote_len = len;
    free(v->sig);
    cr_assert_eq(azgen_quote_sign(&v->sig, &v->sig_len, q, len, key), 0);
    EVP_PKEY_free(key);
}

/* A quote with extraData: accepted with that nonce, refused with none. */
Test(tpm_log, nonce_in_extra_data)
{
    static const uint8_t nonce[] = {0x90, 0x09};
    p01 v;
    p01_load(&v, "sha256");
    resign(&v, nonce, sizeof nonce, -1);
    cr_expect_eq(verify(&v, nonce, sizeof nonce), ATTEST_OK, "%s", attest_error_last());
    expect(&v, ATTEST_E_TPM_NONCE, "no nonce was given");
    p01_free(&v);
}

/* The log extends PCR 9, which the quote no longer selects. */
Test(tpm_log, log_extends_unselected_pcr)
{
    p01 v;
    p01_load(&v, "sha256");
    resign(&v, NULL, 0, 9);
    expect(&v, ATTEST_E_EVENTLOG_REPLAY, "does not cover");
    p01_free(&v);
}

Test(tpm_log, null_arguments)
{
    cr_expect_eq(attest_tpm_log_verify(NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0),
                 ATTEST_E_INVALID_ARG);
}
