/* Shared by the event-log appraisal files: one event as the rules see it,
 * the replay state, the digests checkable from data, and the claims the
 * events become (docs/eventlog.md, "Claims"). */
#ifndef ATTEST_EVENTLOG_CLAIMS_H
#define ATTEST_EVENTLOG_CLAIMS_H

#include "eventlog.h"
#include "../parse/dstack_eventlog.h"

/* One firmware event of a CCEL or dstack log. */
typedef struct el_event {
    const char *source;      /* "ccel" or "dstack", for messages */
    size_t n;                /* its position in its log */
    int mr;                  /* RTMR index 0..3 */
    uint32_t type;
    const uint8_t *digest;   /* 48 bytes */
    const uint8_t *data;
    size_t data_len;
    bool has_data;           /* dstack may leave event_payload empty */
} el_event;

typedef struct el_replay {
    uint8_t mr[4][48];
    bool covered[4];         /* a log given tells this register's whole story */
    size_t extended[4];
    unsigned separators[2];
    json_t *claims;          /* {"events": [...], "named": {...}} */
    json_t *events, *named;  /* borrowed from claims */
} el_replay;

ATTEST_HIDDEN int el_replay_init(el_replay *rep);
ATTEST_HIDDEN void el_replay_release(el_replay *rep);

/* An EV_EVENT_TAG whose tag id is "AAEL" (0x4141454C). */
ATTEST_HIDDEN bool el_is_aael_tag(const el_event *e);

/* The SHA-384 the event's digest must be when it covers its data
 * (research/reference-values.md 1.5): separators, EFI actions, GPT,
 * secure-boot and authority variables (whole structure), boot variables
 * (variable data only), GRUB commands and command line (text without
 * prefix and NUL), AAEL entries. False: not checkable from the data
 * (pinned by the replay only). */
ATTEST_HIDDEN bool el_data_digest(const el_event *e, uint8_t out[48]);

/* The event in claims["events"], and under its name in claims["named"]. */
ATTEST_HIDDEN void el_claim_event(el_replay *rep, const el_event *e, bool checked);
ATTEST_HIDDEN void el_claim_runtime(el_replay *rep, const dstack_event *d,
                                    const uint8_t digest[48]);
ATTEST_HIDDEN void el_claim_aael(el_replay *rep, const char *domain, size_t domain_len,
                                 const char *op, size_t op_len, const char *content,
                                 size_t content_len);

/* The policy's pinned events against claims["named"]. */
ATTEST_HIDDEN int el_policy_check(attest_result *r, const el_replay *rep,
                                  const eventlog_policy *p);

#endif
