/* TDX event logs against a verified quote (eventlog.h): the CCEL log, or
 * dstack's JSON log, replayed to RTMR0..3, and the CoCo AA text log to
 * RTMR3. Rules and digests: research/reference-values.md 1.3-1.7,
 * docs/eventlog.md. The log is untrusted collateral: every rule below is
 * one a forged log could otherwise use to explain a quote it should not. */
#include "eventlog.h"
#include "eventlog_claims.h"
#include "../parse/ccel.h"
#include "../parse/dstack_eventlog.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void sha384(const uint8_t *p, size_t n, uint8_t out[48])
{
    EVP_Digest(p, n, out, NULL, EVP_sha384(), NULL);
}

static void extend(uint8_t mr[48], const uint8_t digest[48])
{
    uint8_t buf[96];
    memcpy(buf, mr, 48);
    memcpy(buf + 48, digest, 48);
    sha384(buf, sizeof buf, mr);
}

/* The register each firmware event type belongs to (CC MR index - 1), as
 * every TDVF and td-shim log of the vectors places it; -1: not fixed
 * (boot variables, ACPI data and firmware blobs move between builds). */
static int register_of_type(uint32_t type)
{
    switch (type) {
    case TCG_EV_EFI_HANDOFF_TABLES2:
    case TCG_EV_EFI_VARIABLE_DRIVER_CONFIG:
    case TCG_EV_EFI_VARIABLE_AUTHORITY:
        return 0;
    case TCG_EV_EFI_BOOT_SERVICES_APPLICATION:
    case TCG_EV_EFI_GPT_EVENT:
    case TCG_EV_EFI_ACTION:
        return 1;
    case TCG_EV_IPL:
    case TCG_EV_EVENT_TAG:
        return 2;
    default:
        return -1;
    }
}

static const char *type_name(uint32_t type, char buf[16])
{
    const char *n = tcg_event_type_name(type);
    if (n)
        return n;
    snprintf(buf, 16, "type 0x%x", type);
    return buf;
}

static int structure_fail(attest_result *r, const el_event *e, const char *why)
{
    char tb[16];
    return attest_check_fail(r, "tdx.event_log.structure", ATTEST_E_EVENTLOG_STRUCTURE,
                             "%s event %zu (%s in RTMR%d): %s", e->source, e->n,
                             type_name(e->type, tb), e->mr, why);
}

/* A firmware event's place: its register for its type, one separator per
 * register, separators only in RTMR0/RTMR1, only AAEL entries in RTMR3. */
static int check_structure(attest_result *r, el_replay *rep, const el_event *e)
{
    if (e->type == TCG_EV_SEPARATOR) {
        if (e->mr > 1)
            return structure_fail(r, e, "a separator belongs to RTMR0 or RTMR1");
        if (rep->separators[e->mr]++)
            return structure_fail(r, e, "a second separator in this register (the "
                                        "duplicated-separator log go-eventlog refuses)");
        return ATTEST_OK;
    }
    if (e->mr == 3)
        return el_is_aael_tag(e) ? ATTEST_OK
                                 : structure_fail(r, e, "only AAEL entries (EV_EVENT_TAG "
                                                        "\"AAEL\") extend RTMR3 from a firmware log");
    int want = register_of_type(e->type);
    if (want >= 0 && want != e->mr) {
        char why[64];
        snprintf(why, sizeof why, "this event type belongs to RTMR%d", want);
        return structure_fail(r, e, why);
    }
    return ATTEST_OK;
}

/* One firmware event: its place, its digest against its data where that
 * can be checked (el_data_digest), then the extend and its claims. */
static int firmware_event(attest_result *r, el_replay *rep, const el_event *e)
{
    int st = check_structure(r, rep, e);
    if (st != ATTEST_OK)
        return st;
    uint8_t expected[48];
    bool checked = e->has_data && el_data_digest(e, expected);
    if (checked && memcmp(expected, e->digest, 48) != 0) {
        char tb[16];
        return attest_check_fail(r, "tdx.event_log.digest", ATTEST_E_EVENTLOG_DIGEST,
                                 "%s event %zu (%s in RTMR%d): its digest is not the SHA-384 "
                                 "of its data", e->source, e->n, type_name(e->type, tb), e->mr);
    }
    extend(rep->mr[e->mr], e->digest);
    rep->extended[e->mr]++;
    el_claim_event(rep, e, checked);
    return ATTEST_OK;
}

static int replay_ccel(attest_result *r, el_replay *rep, const tcg_eventlog *log)
{
    if (log->algs[0].id != TCG_ALG_SHA384)
        return attest_check_fail(r, "tdx.event_log.bank", ATTEST_E_EVENTLOG_UNUSABLE,
                                 "the CCEL log's only bank is not SHA-384 (an SM3 log is "
                                 "Hygon CSV's): it cannot explain TDX RTMRs");
    for (size_t i = 0; i < log->count; i++) {
        const tcg_event *t = &log->events[i];
        if (t->type == TCG_EV_NO_ACTION)
            continue;
        if (t->index > 4)
            return attest_check_fail(r, "tdx.event_log.structure", ATTEST_E_EVENTLOG_STRUCTURE,
                                     "ccel event %zu: CC MR index %u, not 0..4", i, t->index);
        if (t->index == 0)
            continue; /* MRTD: never extended from a log (canonical/tdx skips it) */
        el_event e = {"ccel", i, (int)t->index - 1, t->type, log->raw + t->digest_off[0],
                      log->raw + t->data_off, t->data_len, true};
        int st = firmware_event(r, rep, &e);
        if (st != ATTEST_OK)
            return st;
    }
    return ATTEST_OK;
}

/* dstack v1 runtime event: SHA-384(type u32 LE || ":" || name || ":" ||
 * payload), the digest computed (dstack leaves it empty) and, when given,
 * required to equal it. */
static int runtime_event(attest_result *r, el_replay *rep, size_t i, const dstack_event *d)
{
    uint8_t digest[48];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t type_le[4] = {(uint8_t)d->type, (uint8_t)(d->type >> 8), (uint8_t)(d->type >> 16),
                          (uint8_t)(d->type >> 24)};
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) &&
             EVP_DigestUpdate(ctx, type_le, 4) && EVP_DigestUpdate(ctx, ":", 1) &&
             EVP_DigestUpdate(ctx, d->name, strlen(d->name)) && EVP_DigestUpdate(ctx, ":", 1) &&
             EVP_DigestUpdate(ctx, d->payload, d->payload_len) &&
             EVP_DigestFinal_ex(ctx, digest, NULL);
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return attest_check_fail(r, "tdx.event_log.digest", ATTEST_E_INTERNAL, "SHA-384 failed");
    if (d->imr != 3)
        return attest_check_fail(r, "tdx.event_log.structure", ATTEST_E_EVENTLOG_STRUCTURE,
                                 "dstack event %zu (%s): a runtime event in RTMR%u, not RTMR3",
                                 i, d->name, d->imr);
    if (d->has_digest && memcmp(digest, d->digest, 48) != 0)
        return attest_check_fail(r, "tdx.event_log.digest", ATTEST_E_EVENTLOG_DIGEST,
                                 "dstack event %zu (%s): its digest is not SHA-384(type:name:"
                                 "payload)", i, d->name);
    extend(rep->mr[3], digest);
    rep->extended[3]++;
    el_claim_runtime(rep, d, digest);
    return ATTEST_OK;
}

static int replay_dstack(attest_result *r, el_replay *rep, const dstack_eventlog *log)
{
    for (size_t i = 0; i < log->count; i++) {
        const dstack_event *d = &log->events[i];
        int st = ATTEST_OK;
        if (d->imr > 3)
            st = attest_check_fail(r, "tdx.event_log.structure", ATTEST_E_EVENTLOG_STRUCTURE,
                                   "dstack event %zu: imr %u, not 0..3", i, d->imr);
        else if (d->type == DSTACK_EVENT_RUNTIME)
            st = runtime_event(r, rep, i, d);
        else if (d->type != TCG_EV_NO_ACTION) {
            el_event e = {"dstack", i, (int)d->imr, d->type, d->digest, d->payload,
                          d->payload_len, d->payload_len > 0};
            st = firmware_event(r, rep, &e);
        }
        if (st != ATTEST_OK)
            return st;
    }
    return ATTEST_OK;
}

/* AAEL v0: RTMR3 starts at the INIT value and every line, INIT included,
 * is extended as SHA-384 of its text. A log of RTMR3 events beside it
 * must leave RTMR3 at that INIT value. */
static int replay_aael(attest_result *r, el_replay *rep, const aael_log *log)
{
    if (rep->extended[3] && memcmp(rep->mr[3], log->init, 48) != 0)
        return attest_check_fail(r, "tdx.event_log.structure", ATTEST_E_EVENTLOG_STRUCTURE,
                                 "the AA event log's INIT value is not the RTMR3 the other "
                                 "log leaves");
    uint8_t digest[48];
    memcpy(rep->mr[3], log->init, 48);
    sha384((const uint8_t *)log->raw, log->init_len, digest);
    extend(rep->mr[3], digest);
    for (size_t i = 0; i < log->count; i++) {
        const aael_line *l = &log->lines[i];
        sha384((const uint8_t *)log->raw + l->off, l->len, digest);
        extend(rep->mr[3], digest);
        el_claim_aael(rep, log->raw + l->off, l->domain_len, log->raw + l->operation_off,
                      l->operation_len, log->raw + l->content_off, l->content_len);
    }
    rep->extended[3] += log->count + 1;
    rep->covered[3] = true;
    return ATTEST_OK;
}

/* Which logs are given, and whether they fit together and the table. */
static int check_given(attest_result *r, const attest_collateral *c)
{
    if (c->tpm_log)
        return attest_check_fail(r, "tdx.event_log", ATTEST_E_EVENTLOG_UNUSABLE,
                                 "a TPM event log was given, but a TD quote has no PCRs");
    if (c->ccel_log && c->dstack_log)
        return attest_check_fail(r, "tdx.event_log", ATTEST_E_EVENTLOG_UNUSABLE,
                                 "both a CCEL log and a dstack log were given: give one");
    if (c->ccel_table && !c->ccel_log)
        return attest_check_fail(r, "tdx.event_log.table", ATTEST_E_EVENTLOG_TABLE,
                                 "a CCEL table was given without its log");
    if (c->ccel_table && c->ccel_log->events_end > c->ccel_table->laml)
        return attest_check_fail(r, "tdx.event_log.table", ATTEST_E_EVENTLOG_TABLE,
                                 "the log's events end at byte %zu, beyond the table's log "
                                 "area (LAML %llu bytes)", c->ccel_log->events_end,
                                 (unsigned long long)c->ccel_table->laml);
    return ATTEST_OK;
}

static int replay_all(attest_result *r, el_replay *rep, const attest_collateral *c)
{
    int st = check_given(r, c);
    if (st == ATTEST_OK && c->ccel_log)
        st = replay_ccel(r, rep, c->ccel_log);
    if (st == ATTEST_OK && c->dstack_log)
        st = replay_dstack(r, rep, c->dstack_log);
    if (c->ccel_log || c->dstack_log) /* a boot log tells every register's story */
        rep->covered[0] = rep->covered[1] = rep->covered[2] = rep->covered[3] = true;
    if (st == ATTEST_OK && c->aael_log)
        st = replay_aael(r, rep, c->aael_log);
    return st;
}

/* Each register a log covers equals the quote's ("tdx.event_log.rtmrN"). */
static int compare(attest_result *r, const el_replay *rep, const uint8_t rtmr[4][48])
{
    int first = ATTEST_OK;
    for (int i = 0; i < 4; i++) {
        char name[32], got[97], want[97];
        snprintf(name, sizeof name, "tdx.event_log.rtmr%d", i);
        if (!rep->covered[i]) {
            attest_check_skip(r, name, "no log given covers RTMR%d", i);
            continue;
        }
        if (memcmp(rep->mr[i], rtmr[i], 48) == 0) {
            attest_check_pass(r, name, "the replay of %zu events equals the quote's RTMR%d",
                              rep->extended[i], i);
            continue;
        }
        attest_hex_encode(got, rep->mr[i], 48);
        attest_hex_encode(want, rtmr[i], 48);
        int st = attest_check_fail(r, name, ATTEST_E_EVENTLOG_REPLAY,
                                   "the log replays RTMR%d to %s, the quote holds %s", i, got,
                                   want);
        if (first == ATTEST_OK)
            first = st;
    }
    return first;
}

int eventlog_appraise_tdx(attest_result *r, const uint8_t rtmr[4][48], const attest_collateral *c,
                          const eventlog_policy *p, json_t *claims)
{
    if (!c || !eventlog_given(c)) {
        if (p && p->required)
            return attest_check_fail(r, "policy.tdx.event_log", ATTEST_E_POLICY_EVENT_LOG,
                                     "the policy requires an event log and none was given");
        attest_check_skip(r, "tdx.event_log", "no event log given");
        return ATTEST_OK;
    }
    el_replay rep;
    if (el_replay_init(&rep) != ATTEST_OK)
        return attest_check_fail(r, "tdx.event_log", ATTEST_E_NOMEM, "out of memory");
    int st = replay_all(r, &rep, c);
    if (st == ATTEST_OK)
        st = compare(r, &rep, rtmr);
    json_object_set(claims, "event_log", rep.claims);
    /* Named events are facts only once the log replayed to the quote. */
    if (st == ATTEST_OK)
        st = el_policy_check(r, &rep, p);
    el_replay_release(&rep);
    return st;
}
