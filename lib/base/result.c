/* The result of a verification: every check with its outcome, the parsed
 * claims and the verdict. */
#include "base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

attest_result *attest_result_new(void)
{
    attest_result *r = calloc(1, sizeof *r);
    if (r && pthread_mutex_init(&r->deferred_lock, NULL) != 0) {
        free(r);
        return NULL;
    }
    if (r)
        r->status = ATTEST_OK;
    return r;
}

static void deferred_release(attest_deferred_claim *d)
{
    json_decref(d->parent);
    free(d->arg);
}

void attest_result_free(attest_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->checks[i].name);
        free(r->checks[i].detail);
    }
    free(r->checks);
    free(r->reason);
    for (size_t i = 0; i < r->deferred_count; i++)
        deferred_release(&r->deferred[i]);
    free(r->deferred);
    pthread_mutex_destroy(&r->deferred_lock);
    json_decref(r->claims);
    json_decref(r->submods);
    free(r);
}

int attest_result_defer_claim(attest_result *r, json_t *parent, const char *key,
                              json_t *placeholder, attest_claim_build_fn build, void *arg)
{
    if (!r || !parent || !placeholder || strlen(key) >= sizeof r->deferred->key) {
        json_decref(placeholder);
        return -1;
    }
    if (r->deferred_count == r->deferred_cap) {
        size_t cap = r->deferred_cap ? 2 * r->deferred_cap : 8;
        attest_deferred_claim *grown = realloc(r->deferred, cap * sizeof *grown);
        if (!grown) {
            json_decref(placeholder);
            return -1;
        }
        r->deferred = grown;
        r->deferred_cap = cap;
    }
    if (json_object_set_new(parent, key, placeholder) != 0)
        return -1; /* jansson released the placeholder */
    attest_deferred_claim *d = &r->deferred[r->deferred_count++];
    d->parent = json_incref(parent);
    snprintf(d->key, sizeof d->key, "%s", key);
    d->build = build;
    d->arg = arg;
    return 0;
}

/* Build what is left, last first; an entry leaves the list once its claim
 * is in place, so a failure (out of memory) is tried again next time. */
static int complete_locked(attest_result *r)
{
    while (r->deferred_count > 0) {
        attest_deferred_claim *d = &r->deferred[r->deferred_count - 1];
        json_t *value = d->build(d->arg);
        if (!value || json_object_set_new(d->parent, d->key, value) != 0)
            return attest_set_error(ATTEST_E_NOMEM, "result: out of memory building claim %s",
                                    d->key);
        deferred_release(d);
        r->deferred_count--;
    }
    return ATTEST_OK;
}

int attest_result_complete_claims(const attest_result *cr)
{
    /* The lock and the list are the result's own, made for this; the
     * claims are otherwise only read once attest_verify returned. */
    attest_result *r = (attest_result *)cr;
    if (!r)
        return ATTEST_OK;
    pthread_mutex_lock(&r->deferred_lock);
    int status = complete_locked(r);
    pthread_mutex_unlock(&r->deferred_lock);
    return status;
}

/* Allocation failures while recording a check must not turn a failure
 * into a pass: the status is updated before anything is allocated. With
 * no result the check is judged, not recorded: a failure's detail goes to
 * attest_error_last() ("name: detail"). */
static void add_check(attest_result *r, const char *name,
                      attest_check_outcome outcome, int status,
                      const char *fmt, va_list ap)
{
    char detail[512];
    vsnprintf(detail, sizeof detail, fmt, ap);
    if (!r) {
        if (outcome == ATTEST_CHECK_FAIL)
            attest_set_error(status, "%s: %s", name, detail);
        return;
    }
    if (outcome == ATTEST_CHECK_FAIL && r->status == ATTEST_OK) {
        r->status = status;
        size_t n = strlen(name) + strlen(detail) + 3;
        r->reason = malloc(n);
        if (r->reason)
            snprintf(r->reason, n, "%s: %s", name, detail);
    }
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        attest_check *grown = realloc(r->checks, cap * sizeof *grown);
        if (!grown)
            return;
        r->checks = grown;
        r->cap = cap;
    }
    attest_check *c = &r->checks[r->count];
    c->name = strdup(name);
    c->detail = strdup(detail);
    if (!c->name || !c->detail) {
        free(c->name);
        free(c->detail);
        return;
    }
    c->outcome = outcome;
    c->status = status;
    r->count++;
}

void attest_check_pass(attest_result *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_check(r, name, ATTEST_CHECK_PASS, ATTEST_OK, fmt, ap);
    va_end(ap);
}

void attest_check_pass_nonce(attest_result *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_check(r, name, ATTEST_CHECK_PASS, ATTEST_OK, fmt, ap);
    va_end(ap);
    if (r)
        r->nonce_bound++;
}

void attest_check_skip(attest_result *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_check(r, name, ATTEST_CHECK_SKIPPED, ATTEST_OK, fmt, ap);
    va_end(ap);
}

int attest_check_fail(attest_result *r, const char *name, int status,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_check(r, name, ATTEST_CHECK_FAIL, status, fmt, ap);
    va_end(ap);
    return status;
}

attest_verdict attest_result_verdict(const attest_result *r)
{
    return r && r->status == ATTEST_OK ? ATTEST_VERDICT_ACCEPTED
                                       : ATTEST_VERDICT_REJECTED;
}

int attest_result_status(const attest_result *r)
{
    return r ? r->status : ATTEST_E_INVALID_ARG;
}

const char *attest_result_reason(const attest_result *r)
{
    if (!r)
        return "";
    if (r->status != ATTEST_OK && !r->reason)
        return attest_strerror(r->status);
    return r->reason ? r->reason : "";
}

size_t attest_result_check_count(const attest_result *r) { return r ? r->count : 0; }

const char *attest_result_check_name(const attest_result *r, size_t i)
{
    return r && i < r->count ? r->checks[i].name : NULL;
}

attest_check_outcome attest_result_check_outcome(const attest_result *r, size_t i)
{
    return r && i < r->count ? r->checks[i].outcome : ATTEST_CHECK_SKIPPED;
}

int attest_result_check_status(const attest_result *r, size_t i)
{
    return r && i < r->count ? r->checks[i].status : ATTEST_OK;
}

const char *attest_result_check_detail(const attest_result *r, size_t i)
{
    return r && i < r->count ? r->checks[i].detail : NULL;
}

static const char *outcome_name(attest_check_outcome o)
{
    switch (o) {
    case ATTEST_CHECK_PASS: return "pass";
    case ATTEST_CHECK_FAIL: return "fail";
    default: return "skipped";
    }
}

int attest_result_to_json(char **out, const attest_result *r)
{
    if (!out || !r)
        return attest_set_error(ATTEST_E_INVALID_ARG, "result: NULL argument");
    if (attest_result_complete_claims(r) != ATTEST_OK)
        return ATTEST_E_NOMEM;
    char when[32];
    attest_time_format(when, sizeof when, r->verified_at);
    json_t *checks = json_array();
    json_t *root = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:o}", "verdict",
        r->status == ATTEST_OK ? "accepted" : "rejected", "status",
        attest_status_name(r->status), "code", r->status, "reason",
        attest_result_reason(r), "verified_at", when, "checks", checks);
    if (!root)
        return attest_set_error(ATTEST_E_NOMEM, "result: out of memory");
    for (size_t i = 0; i < r->count; i++) {
        const attest_check *c = &r->checks[i];
        json_array_append_new(
            checks, json_pack("{s:s, s:s, s:s, s:s}", "name", c->name, "outcome",
                              outcome_name(c->outcome), "status",
                              attest_status_name(c->status), "detail", c->detail));
    }
    json_object_set_new(root, "ear_status", json_string(attest_result_ear_status(r)));
    /* A nonce appears only when the verification bound it (docs/token.md). */
    json_object_set_new(root, "fresh", json_boolean(r->nonce_len > 0));
    if (r->nonce_len > 0)
        json_object_set_new(root, "nonce", attest_json_hex(r->nonce, r->nonce_len));
    if (r->gpu_binding)
        json_object_set_new(root, "gpu_binding", json_string(r->gpu_binding));
    if (r->submods)
        json_object_set(root, "submods", r->submods);
    if (r->claims)
        json_object_set(root, "claims", r->claims);
    *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return *out ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "result: out of memory");
}

const char *attest_result_ear_status(const attest_result *r)
{
    if (!r)
        return "contraindicated";
    return r->ear_status[0] ? r->ear_status
                            : r->status == ATTEST_OK ? "affirming" : "contraindicated";
}

int64_t attest_result_verified_at(const attest_result *r)
{
    return r ? r->verified_at : 0;
}

/* The verification keeps the nonce only when it passed and bound it
 * (verify.c); the status is checked again so that no other path can make
 * a rejected result look fresh. */
int attest_result_fresh(const attest_result *r)
{
    return r && r->status == ATTEST_OK && r->nonce_len > 0 && r->nonce_len <= sizeof r->nonce;
}

const uint8_t *attest_result_nonce(const attest_result *r, size_t *len)
{
    bool fresh = attest_result_fresh(r);
    if (len)
        *len = fresh ? r->nonce_len : 0;
    return fresh ? r->nonce : NULL;
}
