/* dstack's JSON event log and the CoCo AA text event log
 * (dstack_eventlog.h). */
#include "dstack_eventlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool dstack_eventlog_detect(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (data && i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' ||
                               data[i] == '\t'))
        i++;
    if (!data || i >= len || data[i] != '[' || len > DSTACK_LOG_MAX_BYTES)
        return false;
    json_t *doc = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *first = json_array_get(doc, 0);
    bool yes = json_is_object(first) && json_object_get(first, "imr") &&
               json_object_get(first, "event_type");
    json_decref(doc);
    return yes;
}

void dstack_eventlog_free(dstack_eventlog *log)
{
    if (!log)
        return;
    for (size_t i = 0; i < log->count; i++) {
        free(log->events[i].name);
        free(log->events[i].payload);
    }
    free(log->events);
    free(log);
}

static int bad(size_t i, const char *member, const char *why)
{
    return attest_set_error(ATTEST_E_MALFORMED, "dstack_log[%zu].%s: %s", i, member, why);
}

static int read_u32(json_t *o, size_t i, const char *member, uint32_t *out)
{
    json_t *v = json_object_get(o, member);
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > (json_int_t)UINT32_MAX)
        return bad(i, member, "must be an integer 0..4294967295");
    *out = (uint32_t)json_integer_value(v);
    return ATTEST_OK;
}

static int read_payload(json_t *o, size_t i, dstack_event *e)
{
    json_t *v = json_object_get(o, "event_payload");
    const char *hex = json_string_value(v);
    size_t n = json_string_length(v);
    if (!hex || n % 2 || strlen(hex) != n)
        return bad(i, "event_payload", "must be a string of hex digit pairs");
    e->payload_len = n / 2;
    if (!(e->payload = malloc(e->payload_len + 1)))
        return attest_set_error(ATTEST_E_NOMEM, "dstack_log: out of memory");
    if (attest_hex_decode(e->payload, e->payload_len, hex) != 0)
        return bad(i, "event_payload", "must be a string of hex digit pairs");
    return ATTEST_OK;
}

static int read_digest(json_t *o, size_t i, dstack_event *e)
{
    json_t *v = json_object_get(o, "digest");
    const char *hex = json_string_value(v);
    if (!hex)
        return bad(i, "digest", "must be a string");
    if (*hex == 0) {
        /* dstack leaves runtime events' digests empty: they are computed
         * from type, name and payload; every other event needs one. */
        if (e->type != DSTACK_EVENT_RUNTIME)
            return bad(i, "digest", "empty, allowed only for runtime events (0x08000001)");
        return ATTEST_OK;
    }
    if (json_string_length(v) != 96 || attest_hex_decode(e->digest, 48, hex) != 0)
        return bad(i, "digest", "must be 96 hex digits (SHA-384) or empty");
    e->has_digest = true;
    return ATTEST_OK;
}

static int read_event(json_t *o, size_t i, dstack_event *e)
{
    static const char *const members[] = {"imr", "event_type", "digest", "event",
                                          "event_payload"};
    if (!json_is_object(o))
        return bad(i, "", "must be an object");
    if (json_object_size(o) != 5)
        return bad(i, "", "must have exactly imr, event_type, digest, event, event_payload");
    for (size_t k = 0; k < 5; k++)
        if (!json_object_get(o, members[k]))
            return bad(i, members[k], "missing");
    json_t *name = json_object_get(o, "event");
    if (!json_is_string(name) || strlen(json_string_value(name)) != json_string_length(name))
        return bad(i, "event", "must be a string without NUL");
    int st;
    if ((st = read_u32(o, i, "imr", &e->imr)) || (st = read_u32(o, i, "event_type", &e->type)) ||
        (st = read_digest(o, i, e)) || (st = read_payload(o, i, e)))
        return st;
    if (!(e->name = strdup(json_string_value(name))))
        return attest_set_error(ATTEST_E_NOMEM, "dstack_log: out of memory");
    return ATTEST_OK;
}

int dstack_eventlog_parse(dstack_eventlog **out, const uint8_t *data, size_t len)
{
    *out = NULL;
    if (len > DSTACK_LOG_MAX_BYTES)
        return attest_set_error(ATTEST_E_LENGTH, "dstack_log: %zu bytes, more than %u", len,
                                DSTACK_LOG_MAX_BYTES);
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_array(doc)) {
        json_decref(doc);
        return attest_set_error(ATTEST_E_MALFORMED, "dstack_log: not a JSON array (%s)",
                                jerr.text);
    }
    size_t n = json_array_size(doc);
    int st = ATTEST_OK;
    dstack_eventlog *log = calloc(1, sizeof *log);
    if (n > DSTACK_LOG_MAX_EVENTS)
        st = attest_set_error(ATTEST_E_LENGTH, "dstack_log: %zu events, more than %d", n,
                              DSTACK_LOG_MAX_EVENTS);
    else if (!log || (n && !(log->events = calloc(n, sizeof *log->events))))
        st = attest_set_error(ATTEST_E_NOMEM, "dstack_log: out of memory");
    for (size_t i = 0; st == ATTEST_OK && i < n; i++) {
        log->count = i + 1; /* so that free releases what this event holds */
        st = read_event(json_array_get(doc, i), i, &log->events[i]);
    }
    json_decref(doc);
    if (st != ATTEST_OK) {
        dstack_eventlog_free(log);
        return st;
    }
    *out = log;
    return ATTEST_OK;
}

json_t *dstack_eventlog_to_json(const dstack_eventlog *log)
{
    json_t *events = json_array();
    for (size_t i = 0; events && i < log->count; i++) {
        const dstack_event *e = &log->events[i];
        json_t *o = json_pack("{s:i, s:I, s:s, s:o}", "imr", (int)e->imr, "event_type",
                              (json_int_t)e->type, "event", e->name, "event_payload",
                              attest_json_hex(e->payload, e->payload_len));
        if (o && e->has_digest)
            json_object_set_new(o, "digest", attest_json_hex(e->digest, 48));
        json_array_append_new(events, o);
    }
    return json_pack("{s:o}", "events", events);
}

/* ---- AAEL v0 ---- */
#define AAEL_INIT "INIT sha384/"

bool aael_log_detect(const uint8_t *data, size_t len)
{
    return data && len >= sizeof AAEL_INIT - 1 && memcmp(data, AAEL_INIT, sizeof AAEL_INIT - 1) == 0;
}

void aael_log_free(aael_log *log)
{
    if (!log)
        return;
    free(log->raw);
    free(log->lines);
    free(log);
}

static int aael_bad(size_t line, const char *why)
{
    return attest_set_error(ATTEST_E_MALFORMED, "aael.line[%zu]: %s", line, why);
}

/* One "domain operation content" line: two single spaces split it. */
static int split_line(const aael_log *log, size_t n, aael_line *l)
{
    const char *s = log->raw + l->off;
    const char *sp1 = memchr(s, ' ', l->len);
    if (!sp1 || sp1 == s)
        return aael_bad(n, "needs \"domain operation content\"");
    l->domain_len = (size_t)(sp1 - s);
    l->operation_off = l->off + l->domain_len + 1;
    size_t rest = l->len - l->domain_len - 1;
    const char *sp2 = memchr(log->raw + l->operation_off, ' ', rest);
    if (!sp2 || sp2 == log->raw + l->operation_off)
        return aael_bad(n, "needs \"domain operation content\"");
    l->operation_len = (size_t)(sp2 - (log->raw + l->operation_off));
    l->content_off = l->operation_off + l->operation_len + 1;
    l->content_len = l->off + l->len - l->content_off;
    if (strncmp(s, "INIT ", 5) == 0)
        return aael_bad(n, "a second INIT line");
    return ATTEST_OK;
}

static int read_init(aael_log *log, size_t end)
{
    char hex[97];
    size_t hex_len = end - (sizeof AAEL_INIT - 1);
    if (hex_len == 96)
        memcpy(hex, log->raw + sizeof AAEL_INIT - 1, 96);
    hex[96] = 0; /* attest_hex_decode reads a string */
    if (hex_len != 96 || attest_hex_decode(log->init, 48, hex) != 0)
        return aael_bad(0, "INIT needs sha384/ and 96 hex digits");
    log->init_len = end;
    return ATTEST_OK;
}

static int read_lines(aael_log *log)
{
    size_t off = 0, n = 0;
    while (off < log->raw_len) {
        const char *nl = memchr(log->raw + off, '\n', log->raw_len - off);
        size_t end = nl ? (size_t)(nl - log->raw) : log->raw_len;
        if (end == off)
            return aael_bad(n, "empty line");
        if (memchr(log->raw + off, '\r', end - off))
            return aael_bad(n, "carriage return");
        int st = ATTEST_OK;
        if (n == 0) {
            st = read_init(log, end);
        } else if (log->count == log->cap) {
            st = attest_set_error(ATTEST_E_LENGTH, "aael: more than %d lines", AAEL_MAX_LINES);
        } else {
            aael_line *l = &log->lines[log->count];
            l->off = off;
            l->len = end - off;
            if ((st = split_line(log, n, l)) == ATTEST_OK)
                log->count++;
        }
        if (st != ATTEST_OK)
            return st;
        n++;
        off = nl ? end + 1 : end;
    }
    return ATTEST_OK;
}

int aael_log_parse(aael_log **out, const uint8_t *data, size_t len)
{
    *out = NULL;
    if (!aael_log_detect(data, len))
        return attest_set_error(ATTEST_E_FORMAT_UNKNOWN, "aael: does not start with \"%s\"",
                                AAEL_INIT);
    if (len > DSTACK_LOG_MAX_BYTES)
        return attest_set_error(ATTEST_E_LENGTH, "aael: %zu bytes, more than %u", len,
                                DSTACK_LOG_MAX_BYTES);
    if (memchr(data, 0, len))
        return attest_set_error(ATTEST_E_MALFORMED, "aael: a NUL byte in the text");
    aael_log *log = calloc(1, sizeof *log);
    /* A line after INIT has at least 4 bytes ("d o ") and its LF. */
    size_t max_lines = len / 5 + 1;
    if (max_lines > AAEL_MAX_LINES)
        max_lines = AAEL_MAX_LINES;
    if (!log || !(log->raw = malloc(len + 1)) ||
        !(log->lines = calloc(max_lines, sizeof *log->lines))) {
        aael_log_free(log);
        return attest_set_error(ATTEST_E_NOMEM, "aael: out of memory");
    }
    memcpy(log->raw, data, len);
    log->raw[len] = 0;
    log->raw_len = len;
    log->cap = max_lines;
    int st = read_lines(log);
    if (st != ATTEST_OK) {
        aael_log_free(log);
        return st;
    }
    *out = log;
    return ATTEST_OK;
}

json_t *aael_log_to_json(const aael_log *log)
{
    json_t *lines = json_array();
    for (size_t i = 0; lines && i < log->count; i++) {
        const aael_line *l = &log->lines[i];
        json_array_append_new(lines, json_pack("{s:s%, s:s%, s:s%}", "domain",
                                               log->raw + l->off, l->domain_len, "operation",
                                               log->raw + l->operation_off, l->operation_len,
                                               "content", log->raw + l->content_off,
                                               l->content_len));
    }
    return json_pack("{s:o, s:o}", "init", attest_json_hex(log->init, 48), "entries", lines);
}
