/* TCG PC Client crypto-agile event log (tcg_eventlog.h). Layout: TCG PFP
 * 10.2.1 (TCG_PCClientPCREvent, the Spec ID event in SHA-1 form), 10.2.2
 * (TCG_PCR_EVENT2); research/reference-values.md 1.2-1.3. */
#include "tcg_eventlog.h"
#include "../base/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_ID_SIGNATURE "Spec ID Event03"
#define SPEC_ID_OFFSET 32 /* index, type, SHA-1 digest[20], size */
#define STARTUP_LOCALITY "StartupLocality"

bool tcg_eventlog_detect(const uint8_t *data, size_t len)
{
    /* "Spec ID Event" of any version: a version other than 03 is then
     * refused by name, not taken for unknown bytes. */
    return data && len >= SPEC_ID_OFFSET + 16 && attest_le32(data + 4) == TCG_EV_NO_ACTION &&
           memcmp(data + SPEC_ID_OFFSET, SPEC_ID_SIGNATURE, 13) == 0;
}

void tcg_eventlog_free(tcg_eventlog *log)
{
    if (!log)
        return;
    free(log->raw);
    free(log->events);
    free(log);
}

int tcg_eventlog_bank(const tcg_eventlog *log, uint16_t alg)
{
    for (size_t i = 0; i < log->alg_count; i++)
        if (log->algs[i].id == alg)
            return (int)i;
    return -1;
}

bool tcg_eventlog_is_ccel(const tcg_eventlog *log)
{
    return log->alg_count == 1 &&
           (log->algs[0].id == TCG_ALG_SHA384 || log->algs[0].id == TCG_ALG_SM3);
}

/* A read past the end of the log is a truncated log, not a malformed one:
 * the reader's detail is kept, the status said as TRUNCATED. */
static int truncated(int status)
{
    if (status != ATTEST_E_MALFORMED)
        return status;
    char detail[256];
    snprintf(detail, sizeof detail, "%s", attest_error_last());
    return attest_set_error(ATTEST_E_TRUNCATED, "%s (the log ends inside an event)", detail);
}

/* The digest size the TCG registry gives an algorithm, 0 when unknown. */
static uint16_t known_size(uint16_t alg)
{
    switch (alg) {
    case TCG_ALG_SHA1: return 20;
    case TCG_ALG_SHA256: return 32;
    case TCG_ALG_SM3: return 32;
    case TCG_ALG_SHA384: return 48;
    case TCG_ALG_SHA512: return 64;
    default: return 0;
    }
}

static int read_algorithms(tcg_eventlog *log, attest_reader *r)
{
    uint32_t n;
    int st = attest_reader_u32(r, "tcg_log.spec_id.number_of_algorithms", &n);
    if (st != ATTEST_OK)
        return st;
    if (n == 0 || n > TCG_LOG_MAX_ALGS)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "tcg_log.spec_id.number_of_algorithms: %u, not 1..%d", n,
                                TCG_LOG_MAX_ALGS);
    for (uint32_t i = 0; i < n; i++) {
        tcg_alg *a = &log->algs[i];
        if ((st = attest_reader_u16(r, "tcg_log.spec_id.algorithm_id", &a->id)) ||
            (st = attest_reader_u16(r, "tcg_log.spec_id.digest_size", &a->size)))
            return st;
        uint16_t want = known_size(a->id);
        if (a->size == 0 || a->size > TCG_DIGEST_MAX || (want && a->size != want))
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "tcg_log.spec_id.digest_size: algorithm 0x%04x with %u bytes",
                                    a->id, a->size);
        if (tcg_eventlog_bank(log, a->id) >= 0)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "tcg_log.spec_id.algorithm_id: 0x%04x listed twice", a->id);
        log->alg_count = i + 1;
    }
    return ATTEST_OK;
}

static void keep_vendor_info(tcg_eventlog *log, const uint8_t *p, size_t n)
{
    size_t k = 0;
    while (k < n && p[k] >= 0x20 && p[k] < 0x7f)
        k++;
    /* Printable text, possibly NUL-terminated; anything else is not shown. */
    if (k == n || (k + 1 == n && p[k] == 0)) {
        memcpy(log->vendor_info, p, k);
        log->vendor_info[k] = 0;
    }
}

/* The Spec ID event's data (TCG_EfiSpecIdEvent), exactly `size` bytes. */
static int read_spec_id_data(tcg_eventlog *log, attest_reader *r)
{
    size_t at;
    uint8_t fixed[16 + 4 + 4], vendor_len;
    int st = attest_reader_copy(r, sizeof fixed, "tcg_log.spec_id.header", fixed);
    if (st != ATTEST_OK)
        return st;
    if (memcmp(fixed, SPEC_ID_SIGNATURE, 16) != 0)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "tcg_log.spec_id.signature: not \"Spec ID Event03\" (an older "
                                "SHA-1 log layout, which is not supported)");
    if ((st = read_algorithms(log, r)) ||
        (st = attest_reader_copy(r, 1, "tcg_log.spec_id.vendor_info_size", &vendor_len)) ||
        (st = attest_reader_take(r, vendor_len, "tcg_log.spec_id.vendor_info", &at)))
        return st;
    keep_vendor_info(log, r->p + at, vendor_len);
    if (attest_reader_left(r))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "tcg_log.spec_id: %zu bytes after vendorInfo", attest_reader_left(r));
    return ATTEST_OK;
}

static int read_spec_id(tcg_eventlog *log, attest_reader *r)
{
    uint32_t type, size;
    size_t at;
    int st;
    if ((st = attest_reader_u32(r, "tcg_log.spec_id.index", &log->spec_index)) ||
        (st = attest_reader_u32(r, "tcg_log.spec_id.type", &type)) ||
        (st = attest_reader_take(r, 20, "tcg_log.spec_id.digest", &at)) ||
        (st = attest_reader_u32(r, "tcg_log.spec_id.size", &size)) ||
        (st = attest_reader_take(r, size, "tcg_log.spec_id.data", &at)))
        return truncated(st);
    if (type != TCG_EV_NO_ACTION)
        return attest_set_error(ATTEST_E_FORMAT_UNKNOWN,
                                "tcg_log.spec_id.type: 0x%x, not EV_NO_ACTION", type);
    attest_reader data = attest_reader_init(r->p, at, at + size);
    return read_spec_id_data(log, &data);
}

/* From `off` on, only padding: every byte 0xFF, or every byte 0x00. */
static bool only_padding(const uint8_t *p, size_t off, size_t len)
{
    if (off >= len || (p[off] != 0xFF && p[off] != 0x00))
        return false;
    for (size_t i = off; i < len; i++)
        if (p[i] != p[off])
            return false;
    return true;
}

static int read_digests(const tcg_eventlog *log, attest_reader *r, size_t n, tcg_event *e)
{
    char field[96];
    uint32_t count;
    snprintf(field, sizeof field, "tcg_log.event[%zu].digest_count", n);
    int st = attest_reader_u32(r, field, &count);
    if (st != ATTEST_OK)
        return truncated(st);
    /* One digest per bank of the Spec ID event, in its order: a digest
     * the header does not announce could explain a register it should
     * not (docs/eventlog.md). */
    if (count != log->alg_count)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: %u digests, the Spec ID event lists %zu algorithms", field,
                                count, log->alg_count);
    for (size_t i = 0; i < log->alg_count; i++) {
        uint16_t alg;
        snprintf(field, sizeof field, "tcg_log.event[%zu].digests[%zu]", n, i);
        if ((st = attest_reader_u16(r, field, &alg)))
            return truncated(st);
        if (alg != log->algs[i].id)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "%s.algorithm: 0x%04x, the Spec ID event lists 0x%04x here",
                                    field, alg, log->algs[i].id);
        if ((st = attest_reader_take(r, log->algs[i].size, field, &e->digest_off[i])))
            return truncated(st);
    }
    return ATTEST_OK;
}

static void note_startup_locality(tcg_eventlog *log, const tcg_event *e)
{
    const uint8_t *d = log->raw + e->data_off;
    if (e->type == TCG_EV_NO_ACTION && e->data_len == 17 &&
        memcmp(d, STARTUP_LOCALITY, 16) == 0) {
        log->has_startup_locality = true;
        log->startup_locality = d[16];
    }
}

static int read_event(tcg_eventlog *log, attest_reader *r, size_t n, tcg_event *e)
{
    char field[96];
    e->offset = r->off;
    snprintf(field, sizeof field, "tcg_log.event[%zu].header", n);
    int st;
    if ((st = attest_reader_u32(r, field, &e->index)) ||
        (st = attest_reader_u32(r, field, &e->type)))
        return truncated(st);
    if ((st = read_digests(log, r, n, e)))
        return st;
    snprintf(field, sizeof field, "tcg_log.event[%zu].data", n);
    if ((st = attest_reader_u32(r, field, &e->data_len)) ||
        (st = attest_reader_take(r, e->data_len, field, &e->data_off)))
        return truncated(st);
    note_startup_locality(log, e);
    return ATTEST_OK;
}

static int read_events(tcg_eventlog *log, attest_reader *r)
{
    size_t cap = 0;
    while (attest_reader_left(r)) {
        /* TDVF leaves the unused log area 0xFF, td-shim 0x00. */
        if (only_padding(log->raw, r->off, log->raw_len)) {
            log->padding = log->raw[r->off];
            break;
        }
        if (log->count == TCG_LOG_MAX_EVENTS)
            return attest_set_error(ATTEST_E_LENGTH, "tcg_log: more than %d events",
                                    TCG_LOG_MAX_EVENTS);
        if (log->count == cap) {
            size_t grown_cap = cap ? cap * 2 : 64;
            tcg_event *grown = realloc(log->events, grown_cap * sizeof *grown);
            if (!grown)
                return attest_set_error(ATTEST_E_NOMEM, "tcg_log: out of memory");
            log->events = grown;
            cap = grown_cap;
        }
        tcg_event *e = &log->events[log->count];
        memset(e, 0, sizeof *e);
        int st = read_event(log, r, log->count, e);
        if (st != ATTEST_OK)
            return st;
        log->count++;
    }
    log->events_end = r->off;
    return ATTEST_OK;
}

int tcg_eventlog_parse(tcg_eventlog **out, const uint8_t *data, size_t len)
{
    *out = NULL;
    if (!tcg_eventlog_detect(data, len))
        return attest_set_error(ATTEST_E_FORMAT_UNKNOWN,
                                "tcg_log: no EV_NO_ACTION \"Spec ID Event03\" first event");
    if (len > TCG_LOG_MAX_BYTES)
        return attest_set_error(ATTEST_E_LENGTH, "tcg_log: %zu bytes, more than %u", len,
                                TCG_LOG_MAX_BYTES);
    tcg_eventlog *log = calloc(1, sizeof *log);
    if (!log || !(log->raw = malloc(len))) {
        free(log);
        return attest_set_error(ATTEST_E_NOMEM, "tcg_log: out of memory");
    }
    memcpy(log->raw, data, len);
    log->raw_len = len;
    attest_reader r = attest_reader_init(log->raw, 0, len);
    int st = read_spec_id(log, &r);
    if (st == ATTEST_OK)
        st = read_events(log, &r);
    if (st != ATTEST_OK) {
        tcg_eventlog_free(log);
        return st;
    }
    *out = log;
    return ATTEST_OK;
}

const char *tcg_alg_name(uint16_t alg)
{
    switch (alg) {
    case TCG_ALG_SHA1: return "sha1";
    case TCG_ALG_SHA256: return "sha256";
    case TCG_ALG_SHA384: return "sha384";
    case TCG_ALG_SHA512: return "sha512";
    case TCG_ALG_SM3: return "sm3";
    default: return NULL;
    }
}

const char *tcg_event_type_name(uint32_t type)
{
    switch (type) {
    case TCG_EV_POST_CODE: return "EV_POST_CODE";
    case TCG_EV_NO_ACTION: return "EV_NO_ACTION";
    case TCG_EV_SEPARATOR: return "EV_SEPARATOR";
    case TCG_EV_ACTION: return "EV_ACTION";
    case TCG_EV_EVENT_TAG: return "EV_EVENT_TAG";
    case TCG_EV_S_CRTM_VERSION: return "EV_S_CRTM_VERSION";
    case TCG_EV_PLATFORM_CONFIG_FLAGS: return "EV_PLATFORM_CONFIG_FLAGS";
    case TCG_EV_IPL: return "EV_IPL";
    case 0x11: return "EV_NONHOST_INFO";
    case TCG_EV_EFI_VARIABLE_DRIVER_CONFIG: return "EV_EFI_VARIABLE_DRIVER_CONFIG";
    case TCG_EV_EFI_VARIABLE_BOOT: return "EV_EFI_VARIABLE_BOOT";
    case TCG_EV_EFI_BOOT_SERVICES_APPLICATION: return "EV_EFI_BOOT_SERVICES_APPLICATION";
    case TCG_EV_EFI_GPT_EVENT: return "EV_EFI_GPT_EVENT";
    case TCG_EV_EFI_ACTION: return "EV_EFI_ACTION";
    case TCG_EV_EFI_PLATFORM_FIRMWARE_BLOB2: return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
    case TCG_EV_EFI_HANDOFF_TABLES2: return "EV_EFI_HANDOFF_TABLES2";
    case TCG_EV_EFI_VARIABLE_BOOT2: return "EV_EFI_VARIABLE_BOOT2";
    case TCG_EV_EFI_VARIABLE_AUTHORITY: return "EV_EFI_VARIABLE_AUTHORITY";
    default: return NULL;
    }
}

/* Event data shown in full up to this size, else only its length. */
#define TCG_JSON_DATA_MAX 4096

static json_t *event_to_json(const tcg_eventlog *log, const tcg_event *e)
{
    json_t *o = json_object(), *digests = json_object();
    const char *name = tcg_event_type_name(e->type);
    json_object_set_new(o, "index", json_integer(e->index));
    json_object_set_new(o, "type", json_integer(e->type));
    if (name)
        json_object_set_new(o, "type_name", json_string(name));
    for (size_t i = 0; i < log->alg_count; i++) {
        char alg[16];
        const char *an = tcg_alg_name(log->algs[i].id);
        if (!an)
            snprintf(alg, sizeof alg, "0x%04x", log->algs[i].id);
        json_object_set_new(digests, an ? an : alg,
                            attest_json_hex(log->raw + e->digest_off[i], log->algs[i].size));
    }
    json_object_set_new(o, "digests", digests);
    json_object_set_new(o, "data_len", json_integer(e->data_len));
    if (e->data_len <= TCG_JSON_DATA_MAX)
        json_object_set_new(o, "data", attest_json_hex(log->raw + e->data_off, e->data_len));
    return o;
}

json_t *tcg_eventlog_to_json(const tcg_eventlog *log)
{
    json_t *o = json_object(), *algs = json_array(), *events = json_array();
    if (!o || !algs || !events) {
        json_decref(o);
        json_decref(algs);
        json_decref(events);
        return NULL;
    }
    for (size_t i = 0; i < log->alg_count; i++) {
        const char *an = tcg_alg_name(log->algs[i].id);
        json_array_append_new(algs, an ? json_string(an) : json_integer(log->algs[i].id));
    }
    json_object_set_new(o, "spec_index", json_integer(log->spec_index));
    json_object_set_new(o, "algorithms", algs);
    json_object_set_new(o, "vendor_info", json_string(log->vendor_info));
    if (log->has_startup_locality)
        json_object_set_new(o, "startup_locality", json_integer(log->startup_locality));
    for (size_t i = 0; i < log->count; i++)
        json_array_append_new(events, event_to_json(log, &log->events[i]));
    json_object_set_new(o, "events", events);
    return o;
}
