/* Event-log claims, checkable digests and the "event_log" policy member
 * (eventlog_claims.h, docs/eventlog.md). */
#include "eventlog_claims.h"
#include "policy_reader.h"
#include "../parse/ccel.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int el_replay_init(el_replay *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->claims = json_object();
    rep->events = json_array();
    rep->named = json_object();
    if (!rep->claims || !rep->events || !rep->named) {
        json_decref(rep->claims);
        json_decref(rep->events);
        json_decref(rep->named);
        return ATTEST_E_NOMEM;
    }
    json_object_set_new(rep->claims, "events", rep->events);
    json_object_set_new(rep->claims, "named", rep->named);
    return ATTEST_OK;
}

void el_replay_release(el_replay *rep)
{
    json_decref(rep->claims);
}

/* EV_EVENT_TAG data: tag id u32, size u32, payload[size], nothing else. */
static bool tagged_event(const el_event *e, uint32_t *id, const uint8_t **payload, size_t *len)
{
    if (e->type != TCG_EV_EVENT_TAG || !e->has_data || e->data_len < 8 ||
        attest_le32(e->data + 4) != e->data_len - 8)
        return false;
    *id = attest_le32(e->data);
    *payload = e->data + 8;
    *len = e->data_len - 8;
    return true;
}

bool el_is_aael_tag(const el_event *e)
{
    uint32_t id;
    const uint8_t *p;
    size_t n;
    return tagged_event(e, &id, &p, &n) && id == TCG_TAG_AAEL;
}

/* UEFI_VARIABLE_DATA: GUID, u64 name length (chars), u64 data length,
 * UTF-16LE name, data; exactly the event's data. The name in ASCII ('?'
 * for anything else) into name[64] (cut at 63 chars). */
static bool uefi_variable(const el_event *e, char name[64], size_t *data_off, size_t *data_len)
{
    if (e->data_len < 32)
        return false;
    uint64_t chars = attest_le64(e->data + 16), bytes = attest_le64(e->data + 24);
    if (chars > (e->data_len - 32) / 2 || bytes != e->data_len - 32 - chars * 2)
        return false;
    size_t k = 0;
    for (; k < chars && k < 63; k++) {
        uint16_t c = attest_le16(e->data + 32 + 2 * k);
        name[k] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    name[k] = 0;
    *data_off = 32 + (size_t)chars * 2;
    *data_len = (size_t)bytes;
    return true;
}

/* EV_IPL text: printable, ending with one NUL. */
static bool ipl_text(const el_event *e, const char **text, size_t *len)
{
    if (e->type != TCG_EV_IPL || !e->has_data || e->data_len < 1 ||
        e->data[e->data_len - 1] != 0 || memchr(e->data, 0, e->data_len - 1))
        return false;
    *text = (const char *)e->data;
    *len = e->data_len - 1;
    return true;
}

static bool has_prefix(const char *text, size_t len, const char *prefix, size_t *plen)
{
    *plen = strlen(prefix);
    return len >= *plen && memcmp(text, prefix, *plen) == 0;
}

#define GRUB_CMD "grub_cmd: "
#define GRUB_CMDLINE "kernel_cmdline: "

static void sha384(const uint8_t *p, size_t n, uint8_t out[48])
{
    EVP_Digest(p, n, out, NULL, EVP_sha384(), NULL);
}

bool el_data_digest(const el_event *e, uint8_t out[48])
{
    char name[64];
    size_t off, len, plen;
    const char *text;
    switch (e->type) {
    case TCG_EV_SEPARATOR:
    case TCG_EV_ACTION:
    case TCG_EV_EFI_ACTION:
    case TCG_EV_EFI_GPT_EVENT:
    case TCG_EV_EFI_VARIABLE_DRIVER_CONFIG:
    case TCG_EV_EFI_VARIABLE_AUTHORITY:
        sha384(e->data, e->data_len, out);
        return true;
    case TCG_EV_EFI_VARIABLE_BOOT: /* edk2 hashes the variable's data only */
        if (!uefi_variable(e, name, &off, &len))
            return false;
        sha384(e->data + off, len, out);
        return true;
    case TCG_EV_IPL:
        if (!ipl_text(e, &text, &len) ||
            !(has_prefix(text, len, GRUB_CMD, &plen) || has_prefix(text, len, GRUB_CMDLINE, &plen)))
            return false;
        sha384((const uint8_t *)text + plen, len - plen, out);
        return true;
    case TCG_EV_EVENT_TAG:
        if (!el_is_aael_tag(e))
            return false;
        sha384(e->data, e->data_len, out);
        return true;
    default:
        return false;
    }
}

/* A named claim; a name seen again turns into the list of its values in
 * log order (so that a policy pinning it sees every occurrence). */
static void name_claim(el_replay *rep, const char *name, json_t *value)
{
    json_t *old = json_object_get(rep->named, name);
    if (!old) {
        json_object_set_new(rep->named, name, value);
    } else if (json_is_array(old)) {
        json_array_append_new(old, value);
    } else {
        json_t *list = json_array();
        json_array_append(list, old);
        json_array_append_new(list, value);
        json_object_set_new(rep->named, name, list);
    }
}

static void name_digest(el_replay *rep, const char *prefix, const char *name,
                        const uint8_t *digest)
{
    char key[128];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    name_claim(rep, key, attest_json_hex(digest, 48));
}

static void name_ipl(el_replay *rep, const el_event *e)
{
    const char *text;
    size_t len, plen;
    if (!ipl_text(e, &text, &len))
        return;
    if (has_prefix(text, len, GRUB_CMD, &plen)) {
        name_claim(rep, "grub_commands", json_stringn(text + plen, len - plen));
    } else if (has_prefix(text, len, GRUB_CMDLINE, &plen)) {
        name_claim(rep, "kernel_cmdline", json_stringn(text + plen, len - plen));
        name_digest(rep, "kernel_cmdline_sha384", "", e->digest);
    } else if (len < 100) {
        char key[112];
        snprintf(key, sizeof key, "ipl.%.*s", (int)len, text);
        name_claim(rep, key, attest_json_hex(e->digest, 48));
    }
}

static void name_tag(el_replay *rep, const el_event *e)
{
    uint32_t id;
    const uint8_t *p;
    size_t n;
    if (!tagged_event(e, &id, &p, &n))
        return;
    if (id == TCG_TAG_LOAD_OPTIONS)
        name_digest(rep, "kernel_cmdline_sha384", "", e->digest);
    else if (id == TCG_TAG_LINUX_INITRD)
        name_digest(rep, "initrd_sha384", "", e->digest);
    else if (id == TCG_TAG_AAEL) {
        const char *s = (const char *)p, *sp1 = memchr(s, ' ', n);
        const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - s)) : NULL;
        if (sp2)
            el_claim_aael(rep, s, (size_t)(sp1 - s), sp1 + 1, (size_t)(sp2 - sp1 - 1), sp2 + 1,
                          n - (size_t)(sp2 + 1 - s));
    }
}

static void name_event(el_replay *rep, const el_event *e)
{
    char name[64];
    size_t off, len;
    switch (e->type) {
    case TCG_EV_EFI_BOOT_SERVICES_APPLICATION:
        name_claim(rep, "efi_applications", attest_json_hex(e->digest, 48));
        break;
    case TCG_EV_EFI_VARIABLE_BOOT:
        if (e->has_data && uefi_variable(e, name, &off, &len))
            name_digest(rep, "boot_variable.", name, e->digest);
        break;
    case TCG_EV_EFI_VARIABLE_DRIVER_CONFIG:
        if (e->has_data && uefi_variable(e, name, &off, &len))
            name_digest(rep, "secure_boot_variable.", name, e->digest);
        break;
    case TCG_EV_EFI_VARIABLE_AUTHORITY:
        if (e->has_data && uefi_variable(e, name, &off, &len))
            name_digest(rep, "authority.", name, e->digest);
        break;
    case TCG_EV_IPL:
        name_ipl(rep, e);
        break;
    case TCG_EV_EVENT_TAG:
        name_tag(rep, e);
        break;
    default:
        break;
    }
}

static json_t *event_claim(const char *source, int mr, uint32_t type, const uint8_t *digest,
                           const char *checked)
{
    char reg[8];
    const char *tn = tcg_event_type_name(type);
    snprintf(reg, sizeof reg, "rtmr%d", mr);
    json_t *o = json_pack("{s:s, s:s, s:I, s:o, s:s}", "source", source, "register", reg, "type",
                          (json_int_t)type, "digest", attest_json_hex(digest, 48), "verified_by",
                          checked);
    if (o && tn)
        json_object_set_new(o, "type_name", json_string(tn));
    return o;
}

void el_claim_event(el_replay *rep, const el_event *e, bool checked)
{
    json_array_append_new(rep->events, event_claim(e->source, e->mr, e->type, e->digest,
                                                   checked ? "data" : "replay"));
    name_event(rep, e);
}

void el_claim_runtime(el_replay *rep, const dstack_event *d, const uint8_t digest[48])
{
    json_t *o = event_claim("dstack", 3, d->type, digest, "data");
    json_object_set_new(o, "name", json_string(d->name));
    json_array_append_new(rep->events, o);
    char key[128];
    snprintf(key, sizeof key, "runtime.%.100s", d->name);
    name_claim(rep, key, attest_json_hex(d->payload, d->payload_len));
}

void el_claim_aael(el_replay *rep, const char *domain, size_t domain_len, const char *op,
                   size_t op_len, const char *content, size_t content_len)
{
    char key[160];
    snprintf(key, sizeof key, "aael.%.*s.%.*s", (int)(domain_len > 64 ? 64 : domain_len), domain,
             (int)(op_len > 64 ? 64 : op_len), op);
    name_claim(rep, key, json_stringn(content, content_len));
}

int el_policy_check(attest_result *r, const el_replay *rep, const eventlog_policy *p)
{
    const char *name;
    json_t *want;
    int first = ATTEST_OK;
    if (!p || !p->events) {
        attest_check_skip(r, "policy.tdx.event_log", "no event pinned");
        return ATTEST_OK;
    }
    json_object_foreach(p->events, name, want) {
        json_t *got = json_object_get(rep->named, name);
        char *text = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        int st = ATTEST_OK;
        if (!got)
            st = attest_check_fail(r, "policy.tdx.event_log", ATTEST_E_POLICY_EVENT_LOG,
                                   "event %s: absent from the log", name);
        else if (!json_equal(got, want))
            st = attest_check_fail(r, "policy.tdx.event_log", ATTEST_E_POLICY_EVENT_LOG,
                                   "event %s is %.200s, not the pinned value", name,
                                   text ? text : "?");
        free(text);
        if (st != ATTEST_OK && first == ATTEST_OK)
            first = st;
    }
    if (first == ATTEST_OK)
        attest_check_pass(r, "policy.tdx.event_log", "%zu pinned events as required",
                          json_object_size(p->events));
    return first;
}

/* ---- the policy member and the given logs ---- */

static bool pin_value_ok(json_t *v)
{
    size_t i;
    json_t *item;
    if (json_is_string(v))
        return true;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return false;
    json_array_foreach(v, i, item)
        if (!json_is_string(item))
            return false;
    return true;
}

int eventlog_policy_read(eventlog_policy *p, const char *section, json_t *v)
{
    const char *key;
    json_t *m;
    if (!json_is_object(v))
        return policy_invalid(section, "event_log", "must be an object");
    json_object_foreach(v, key, m) {
        if (strcmp(key, "required") == 0) {
            if (!json_is_boolean(m))
                return policy_invalid(section, "event_log.required", "must be a boolean");
            p->required = json_is_true(m);
        } else if (strcmp(key, "events") == 0) {
            const char *name;
            json_t *pin;
            if (!json_is_object(m) || json_object_size(m) == 0)
                return policy_invalid(section, "event_log.events", "must be a non-empty object");
            json_object_foreach(m, name, pin)
                if (!pin_value_ok(pin))
                    return policy_invalid(section, "event_log.events",
                                          "each value is a string or a non-empty array of "
                                          "strings");
            json_decref(p->events);
            p->events = json_deep_copy(m);
        } else {
            return policy_invalid(section, "event_log", "members are required and events");
        }
    }
    return ATTEST_OK;
}

void eventlog_policy_release(eventlog_policy *p)
{
    json_decref(p->events);
    p->events = NULL;
}

bool eventlog_given(const attest_collateral *c)
{
    return c && (c->ccel_table || c->ccel_log || c->tpm_log || c->dstack_log || c->aael_log);
}

int eventlog_refuse(attest_result *r, const attest_collateral *c, const char *evidence)
{
    if (!eventlog_given(c))
        return ATTEST_OK;
    return attest_check_fail(r, "event_log", ATTEST_E_EVENTLOG_UNUSABLE,
                             "an event log was given, but %s has no register it explains "
                             "(only a TD quote's RTMRs are checked against logs)", evidence);
}
