/* TPM event log replay to PCRs (eventlog.h; research/reference-values.md
 * 3.1): PCR 0..16 and 23 start at zero, PCR 17..22 (DRTM) at all 0xFF,
 * PCR0 at 0...0||locality when an EV_NO_ACTION "StartupLocality" event is
 * logged; EV_NO_ACTION never extends. */
#include "eventlog.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static const EVP_MD *bank_md(uint16_t alg)
{
    switch (alg) {
    case TCG_ALG_SHA1: return EVP_sha1();
    case TCG_ALG_SHA256: return EVP_sha256();
    case TCG_ALG_SHA384: return EVP_sha384();
    case TCG_ALG_SHA512: return EVP_sha512();
    default: return NULL; /* SM3 and others: parsed, not replayed */
    }
}

static void reset_values(const tcg_eventlog *log, size_t size,
                         uint8_t pcrs[TPM_PCR_COUNT][TCG_DIGEST_MAX])
{
    memset(pcrs, 0, TPM_PCR_COUNT * TCG_DIGEST_MAX);
    for (int i = 17; i <= 22; i++)
        memset(pcrs[i], 0xFF, size);
    if (log->has_startup_locality)
        pcrs[0][size - 1] = log->startup_locality;
}

int eventlog_replay_pcrs(const tcg_eventlog *log, uint16_t alg,
                         uint8_t pcrs[TPM_PCR_COUNT][TCG_DIGEST_MAX], uint32_t *extended)
{
    int bank = tcg_eventlog_bank(log, alg);
    const EVP_MD *md = bank_md(alg);
    *extended = 0;
    if (bank < 0 || !md)
        return attest_set_error(ATTEST_E_EVENTLOG_UNUSABLE,
                                "tpm.event_log: no replayable bank 0x%04x in the log", alg);
    size_t size = log->algs[bank].size;
    reset_values(log, size, pcrs);
    for (size_t i = 0; i < log->count; i++) {
        const tcg_event *e = &log->events[i];
        if (e->type == TCG_EV_NO_ACTION)
            continue;
        if (e->index >= TPM_PCR_COUNT)
            return attest_set_error(ATTEST_E_EVENTLOG_STRUCTURE,
                                    "tpm.event_log: event %zu extends PCR %u, not 0..23", i,
                                    e->index);
        uint8_t buf[2 * TCG_DIGEST_MAX];
        memcpy(buf, pcrs[e->index], size);
        memcpy(buf + size, log->raw + e->digest_off[bank], size);
        if (!EVP_Digest(buf, 2 * size, pcrs[e->index], NULL, md, NULL))
            return attest_set_error(ATTEST_E_INTERNAL, "tpm.event_log: hash failed");
        *extended |= 1u << e->index;
    }
    return ATTEST_OK;
}

/* The value of PCR `pcr` among `values` (the PCRs of `selected`, in
 * ascending order), or NULL. */
static const uint8_t *quoted(uint32_t selected, const uint8_t *values, size_t len, size_t size,
                             int pcr)
{
    size_t at = 0;
    if (!(selected & (1u << pcr)))
        return NULL;
    for (int i = 0; i < pcr; i++)
        at += (selected >> i) & 1u;
    return (at + 1) * size <= len ? values + at * size : NULL;
}

int eventlog_check_pcrs(attest_result *r, const tcg_eventlog *log, uint16_t alg,
                        uint32_t selected, const uint8_t *values, size_t len)
{
    uint8_t pcrs[TPM_PCR_COUNT][TCG_DIGEST_MAX];
    uint32_t extended;
    int st = eventlog_replay_pcrs(log, alg, pcrs, &extended);
    if (st != ATTEST_OK)
        return attest_check_fail(r, "tpm.event_log", st, "%s", attest_error_last());
    size_t size = log->algs[tcg_eventlog_bank(log, alg)].size;
    int first = ATTEST_OK;
    for (int i = 0; i < TPM_PCR_COUNT; i++) {
        if (!(extended & (1u << i)))
            continue;
        char name[32];
        snprintf(name, sizeof name, "tpm.event_log.pcr%d", i);
        const uint8_t *q = quoted(selected, values, len, size, i);
        if (q && memcmp(q, pcrs[i], size) == 0) {
            attest_check_pass(r, name, "the replay equals the quoted PCR %d", i);
            continue;
        }
        st = attest_check_fail(r, name, ATTEST_E_EVENTLOG_REPLAY,
                               q ? "the log replays PCR %d to another value than the quote's"
                                 : "the log extends PCR %d, which the quote does not cover",
                               i);
        if (first == ATTEST_OK)
            first = st;
    }
    return first;
}
