/* Event logs as collateral of a quote (docs/eventlog.md): replay of the
 * TDX CCEL log, dstack's JSON log and the CoCo AA event log to RTMR0..3
 * and of a TPM log to PCRs; the structural rules a log must keep; the
 * digests that can be checked against their data; and the named claims
 * a policy pins ("tdx": {"event_log": {...}}). */
#ifndef ATTEST_EVENTLOG_H
#define ATTEST_EVENTLOG_H

#include "../base/base.h"
#include "../chain/collateral.h"
#include "../parse/tcg_eventlog.h"

/* The "event_log" member of the "tdx" policy section. */
typedef struct eventlog_policy {
    bool required;     /* a log must be given and replay */
    json_t *events;    /* {claim name: expected value} (owned), or NULL */
} eventlog_policy;

/* Read {"required": bool, "events": {name: string or array of strings}}. */
ATTEST_HIDDEN int eventlog_policy_read(eventlog_policy *p, const char *section, json_t *v);
ATTEST_HIDDEN void eventlog_policy_release(eventlog_policy *p);

/* True when `c` holds any event log or CCEL table. */
ATTEST_HIDDEN bool eventlog_given(const attest_collateral *c);

/* Check the TDX logs of `c` against the verified quote's RTMRs: structure,
 * event digests against their data, replay (register by register: check
 * "tdx.event_log.rtmrN"), then the policy's pins; the events become
 * claims["event_log"]. No log and no requirement: a skipped check.
 * Returns the first failure: ATTEST_E_EVENTLOG_STRUCTURE, _DIGEST,
 * _REPLAY, _TABLE, _UNUSABLE, ATTEST_E_POLICY_EVENT_LOG. */
ATTEST_HIDDEN int eventlog_appraise_tdx(attest_result *r, const uint8_t rtmr[4][48],
                                        const attest_collateral *c, const eventlog_policy *p,
                                        json_t *claims);

/* Evidence that has no register a log could explain (SNP, NVIDIA,
 * Azure): any log given is refused (ATTEST_E_EVENTLOG_UNUSABLE) rather
 * than recorded unchecked. Returns ATTEST_OK when none was given. */
ATTEST_HIDDEN int eventlog_refuse(attest_result *r, const attest_collateral *c,
                                  const char *evidence);

/* ---- TPM (eventlog_tpm.c) ---- */
#define TPM_PCR_COUNT 24

/* Replay bank `alg` of a TPM log: PCR 0..23 start at zero (PCR0 at the
 * StartupLocality value when the log has that event, PCR 17..22 at all
 * 0xFF), EV_NO_ACTION never extends. *extended gets bit i for each PCR an
 * event extended. Errors: ATTEST_E_EVENTLOG_UNUSABLE (no such bank, or
 * one OpenSSL cannot hash), ATTEST_E_EVENTLOG_STRUCTURE (an index above
 * 23), ATTEST_E_INTERNAL. */
ATTEST_HIDDEN int eventlog_replay_pcrs(const tcg_eventlog *log, uint16_t alg,
                                       uint8_t pcrs[TPM_PCR_COUNT][TCG_DIGEST_MAX],
                                       uint32_t *extended);

/* Compare the replay of bank `alg` with quoted PCR values: `values`
 * holds the PCRs of `selected` (bit i: PCR i) in ascending order, each
 * the bank's digest size. Every PCR the log extends must be selected and
 * equal (check "tpm.event_log.pcrN", ATTEST_E_EVENTLOG_REPLAY). */
ATTEST_HIDDEN int eventlog_check_pcrs(attest_result *r, const tcg_eventlog *log, uint16_t alg,
                                      uint32_t selected, const uint8_t *values, size_t len);

#endif
