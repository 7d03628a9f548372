/* Helpers shared by the Criterion tests. Tests read the real vectors from
 * $ATTEST_SHARED (../shared) and the generated test PKI from
 * $ATTEST_TEST_PKI; both are set by `make check`. */
#ifndef ATTEST_TESTUTIL_H
#define ATTEST_TESTUTIL_H

#include "attest.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Policy that checks authenticity only, as the vector MANIFESTs define
 * their verdicts: no CRL needed, every guest-policy relaxation on. */
#define POLICY_AUTHENTICITY                                                    \
    "{\"snp\":{\"require_crl\":false,\"allow_debug\":true,"                    \
    "\"allow_provisional_firmware\":true,\"vmpl\":[0,1,2,3]}}"

static inline uint8_t *tu_read(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Path under ../shared/vectors, or skip the test with a clear message. */
static inline const char *tu_shared(char *buf, size_t n, const char *rel)
{
    const char *root = getenv("ATTEST_SHARED");
    if (!root)
        root = "../shared";
    snprintf(buf, n, "%s/vectors/%s", root, rel);
    FILE *f = fopen(buf, "rb");
    if (!f)
        cr_skip_test("real vector %s absent (../shared not beside the repo)", buf);
    fclose(f);
    return buf;
}

/* Evidence parsed from file `rel` under ../shared/vectors (skipped when
 * absent); the caller frees it. */
static inline attest_evidence *tu_parse_shared(const char *rel)
{
    char path[512];
    size_t len;
    uint8_t *data = tu_read(tu_shared(path, sizeof path, rel), &len);
    cr_assert(data, "cannot read %s", path);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, data, len), ATTEST_OK, "%s: %s", rel,
                 attest_error_last());
    free(data);
    return ev;
}

static inline const char *tu_pki(char *buf, size_t n, const char *rel)
{
    const char *root = getenv("ATTEST_TEST_PKI");
    cr_assert(root, "ATTEST_TEST_PKI not set: run the tests through make check");
    snprintf(buf, n, "%s/%s", root, rel);
    return buf;
}

static inline void tu_add_file(attest_collateral *c, const char *path)
{
    size_t len;
    uint8_t *data = tu_read(path, &len);
    cr_assert(data, "cannot read %s", path);
    cr_assert_eq(attest_collateral_add(c, data, len), ATTEST_OK, "%s: %s", path,
                 attest_error_last());
    free(data);
}

static inline attest_policy *tu_policy(const char *json)
{
    attest_policy *p = NULL;
    cr_assert_eq(attest_policy_from_json(&p, json, strlen(json)), ATTEST_OK, "%s",
                 attest_error_last());
    return p;
}

static inline int64_t tu_time(const char *rfc3339)
{
    int64_t t;
    cr_assert_eq(attest_time_parse(&t, rfc3339), ATTEST_OK);
    return t;
}

/* Verify report bytes with a collateral and policy at an instant; returns
 * the status and keeps the reason in `reason` (may be NULL). */
static inline int tu_verify_bytes(const uint8_t *report, size_t len,
                                  attest_collateral *coll, const char *policy_json,
                                  int64_t at, const uint8_t *nonce, size_t nonce_len,
                                  char *reason, size_t reason_len)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, report, len);
    if (status != ATTEST_OK) {
        if (reason)
            snprintf(reason, reason_len, "%s", attest_error_last());
        return status;
    }
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, at);
    attest_policy *p = policy_json ? tu_policy(policy_json) : NULL;
    attest_result *r = NULL;
    status = attest_verify(&r, v, ev, coll, p, nonce, nonce_len);
    cr_assert(r != NULL);
    cr_assert_eq(attest_result_status(r), status);
    if (reason)
        snprintf(reason, reason_len, "%s", attest_result_reason(r));
    attest_result_free(r);
    attest_policy_free(p);
    attest_verifier_free(v);
    attest_evidence_free(ev);
    return status;
}

/* The result as its JSON document (attest_result_to_json), parsed; the
 * caller json_decref()s it. */
static inline json_t *tu_result_json(const attest_result *r)
{
    char *text = NULL;
    cr_assert_eq(attest_result_to_json(&text, r), ATTEST_OK);
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    cr_assert(doc, "result JSON: %s", err.text);
    attest_string_free(text);
    return doc;
}

#endif
