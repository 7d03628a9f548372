/* Runtime and firmware event logs that are not TCG binary logs:
 * dstack's JSON event log (a JSON array of {imr, event_type, digest,
 * event, event_payload}, imr = RTMR index 0..3) and the CoCo
 * attestation-agent event log in its 2024 text form (AAEL v0: a line
 * "INIT sha384/<hex>", then "domain operation content" lines).
 * Pure parsers; the digests are checked by lib/appraise/eventlog_*.c.
 * research/reference-values.md 1.7, docs/eventlog.md. */
#ifndef ATTEST_DSTACK_EVENTLOG_H
#define ATTEST_DSTACK_EVENTLOG_H

#include "../base/base.h"

#define DSTACK_EVENT_RUNTIME 0x08000001u /* dstack's runtime (RTMR3) event type */
#define DSTACK_LOG_MAX_BYTES (16u << 20)
#define DSTACK_LOG_MAX_EVENTS 8192

typedef struct dstack_event {
    uint32_t imr;            /* RTMR index (the appraisal bounds it to 0..3) */
    uint32_t type;
    bool has_digest;         /* "digest" not empty (dstack leaves runtime ones empty) */
    uint8_t digest[48];
    char *name;              /* "event" (owned, NUL-terminated, no NUL inside) */
    uint8_t *payload;        /* "event_payload" decoded (owned) */
    size_t payload_len;
} dstack_event;

typedef struct dstack_eventlog {
    dstack_event *events;
    size_t count;
} dstack_eventlog;

/* A JSON array whose first element is an object with "imr" and "event_type". */
ATTEST_HIDDEN bool dstack_eventlog_detect(const uint8_t *data, size_t len);

/* Parse strictly: each element has exactly the five members, imr and
 * event_type integers 0..2^32-1, digest "" or 96 hex digits (required
 * except for runtime events, whose digest is computed), event a string,
 * event_payload hex. Errors: ATTEST_E_MALFORMED naming the element and
 * member ("dstack_log[4].digest: ..."), ATTEST_E_LENGTH, ATTEST_E_NOMEM. */
ATTEST_HIDDEN int dstack_eventlog_parse(dstack_eventlog **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void dstack_eventlog_free(dstack_eventlog *log);
ATTEST_HIDDEN json_t *dstack_eventlog_to_json(const dstack_eventlog *log);

/* ---- CoCo AA event log, text form (AAEL v0) ---- */
#define AAEL_MAX_LINES 8192

typedef struct aael_line {
    size_t off, len;         /* the line in raw, without its LF */
    size_t domain_len;       /* domain = raw[off, off+domain_len) */
    size_t operation_off, operation_len;
    size_t content_off, content_len; /* the rest of the line (may hold spaces) */
} aael_line;

typedef struct aael_log {
    char *raw;               /* owned copy, NUL-terminated */
    size_t raw_len;
    uint8_t init[48];        /* the INIT line's sha384 value */
    size_t init_len;         /* the INIT line's length (it is extended too) */
    aael_line *lines;        /* after the INIT line */
    size_t count, cap;
} aael_log;

/* Text starting "INIT sha384/". */
ATTEST_HIDDEN bool aael_log_detect(const uint8_t *data, size_t len);

/* Lines end with LF (the last one may not); every line after INIT has a
 * domain, an operation and content separated by single spaces; no empty
 * line, no CR, no NUL, no second INIT. Errors: ATTEST_E_MALFORMED naming
 * the line ("aael.line[2]: ..."), ATTEST_E_LENGTH, ATTEST_E_NOMEM. */
ATTEST_HIDDEN int aael_log_parse(aael_log **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void aael_log_free(aael_log *log);
ATTEST_HIDDEN json_t *aael_log_to_json(const aael_log *log);

#endif
