/* Policy documents: a JSON object with one section per platform. */
#include "api.h"
#include "../appraise/azure_appraise.h"
#include "../appraise/dcap_appraise.h"
#include "../appraise/nv_appraise.h"
#include "../appraise/policy_reader.h"
#include "../appraise/snp_appraise.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static attest_policy *policy_alloc(void)
{
    attest_policy *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->snp = calloc(1, sizeof *p->snp);
    p->tdx = calloc(1, sizeof *p->tdx);
    p->sgx = calloc(1, sizeof *p->sgx);
    p->nvidia = calloc(1, sizeof *p->nvidia);
    p->azure = calloc(1, sizeof *p->azure);
    if (!p->snp || !p->tdx || !p->sgx || !p->nvidia || !p->azure) {
        attest_policy_free(p);
        return NULL;
    }
    p->platforms = ATTEST_PLATFORM_ALL; /* the default policy covers every platform */
    p->composite.gpu_binding = COMPOSITE_BIND_CPU_REPORT_DATA;
    p->composite.require_cpu = true;
    EVP_Digest("{}", 2, p->sha256, NULL, attest_md_sha256(), NULL);
    snp_policy_defaults(p->snp);
    dcap_policy_defaults(p->tdx);
    dcap_policy_defaults(p->sgx);
    nv_policy_defaults(p->nvidia);
    azure_policy_defaults(p->azure);
    return p;
}

/* "platforms": a non-empty list of platform names, each once. */
static int read_platforms(json_t *v, unsigned *out)
{
    size_t i;
    json_t *item;
    *out = 0;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return attest_set_error(ATTEST_E_POLICY_INVALID, "policy.platforms: must be a "
                                "non-empty array of \"snp\", \"tdx\", \"sgx\", \"nvidia\", \"azure\"");
    json_array_foreach(v, i, item) {
        unsigned bit = attest_platform_bit(json_string_value(item));
        if (!bit)
            return attest_set_error(ATTEST_E_POLICY_INVALID, "policy.platforms[%zu]: one of "
                                    "\"snp\", \"tdx\", \"sgx\", \"nvidia\", \"azure\"", i);
        if (*out & bit)
            return attest_set_error(ATTEST_E_POLICY_INVALID,
                                    "policy.platforms[%zu]: \"%s\" is listed twice", i,
                                    attest_platform_name(bit));
        *out |= bit;
    }
    return ATTEST_OK;
}

/* An explicit policy accepts only the platforms it addresses: those of
 * its "platforms" list, else those it has a section for. A section for a
 * platform outside an explicit list is a contradiction, not a default. */
static int read_scope(attest_policy *p, json_t *doc)
{
    unsigned sections = 0;
    for (size_t i = 0; i < ATTEST_PLATFORM_COUNT; i++)
        if (json_object_get(doc, attest_platform_name(1u << i)))
            sections |= (1u << i);
    json_t *list = json_object_get(doc, "platforms");
    if (!list) {
        p->platforms = sections;
        return ATTEST_OK;
    }
    int status = read_platforms(list, &p->platforms);
    if (status != ATTEST_OK)
        return status;
    for (size_t i = 0; i < ATTEST_PLATFORM_COUNT; i++)
        if ((sections & (1u << i)) && !(p->platforms & (1u << i)))
            return attest_set_error(ATTEST_E_POLICY_INVALID,
                                    "policy.%s: a section for a platform that policy.platforms "
                                    "does not list", attest_platform_name(1u << i));
    return ATTEST_OK;
}

int attest_policy_default(attest_policy **out)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "policy: out is NULL");
    if (!(*out = policy_alloc()))
        return attest_set_error(ATTEST_E_NOMEM, "policy: out of memory");
    return ATTEST_OK;
}

static int read_gpu_binding(void *section, const char *sec, const char *m, json_t *v)
{
    composite_policy *c = section;
    const char *b = json_string_value(v);
    if (b && !strcmp(b, "cpu_report_data"))
        c->gpu_binding = COMPOSITE_BIND_CPU_REPORT_DATA;
    else if (b && !strcmp(b, "same_nonce"))
        c->gpu_binding = COMPOSITE_BIND_SAME_NONCE;
    else
        return policy_invalid(sec, m, "one of cpu_report_data, same_nonce");
    return ATTEST_OK;
}

static const policy_member composite_members[] = {
    PM_FN("gpu_binding", read_gpu_binding),
    PM("require_cpu", PM_BOOL, composite_policy, require_cpu, 0, 0),
    PM("min_gpus", PM_INT, composite_policy, min_gpus, 0, 12),
};

/* The sections of the document, each read by its platform's reader. */
static int read_snp(void *p, const char *sec, const char *m, json_t *v)
{
    (void)sec, (void)m;
    return snp_policy_from_json(((attest_policy *)p)->snp, v);
}
static int read_tdx(void *p, const char *sec, const char *m, json_t *v)
{
    (void)sec, (void)m;
    return dcap_policy_from_json(((attest_policy *)p)->tdx, v, true);
}
static int read_sgx(void *p, const char *sec, const char *m, json_t *v)
{
    (void)sec, (void)m;
    return dcap_policy_from_json(((attest_policy *)p)->sgx, v, false);
}
static int read_nvidia(void *p, const char *sec, const char *m, json_t *v)
{
    (void)sec, (void)m;
    return nv_policy_from_json(((attest_policy *)p)->nvidia, v);
}
static int read_azure(void *p, const char *sec, const char *m, json_t *v)
{
    (void)sec, (void)m;
    return azure_policy_from_json(((attest_policy *)p)->azure, v);
}
static int read_composite(void *section, const char *sec, const char *m, json_t *v)
{
    composite_policy *c = &((attest_policy *)section)->composite;
    (void)sec, (void)m;
    c->given = true;
    return policy_read_section(c, "composite", composite_members,
                               sizeof composite_members / sizeof composite_members[0], v);
}
static int read_version(void *p, const char *sec, const char *m, json_t *v)
{
    (void)p;
    if (!json_is_integer(v) || json_integer_value(v) != 1)
        return policy_invalid(sec, m, "only version 1 is defined");
    return ATTEST_OK;
}
static int read_text(void *p, const char *sec, const char *m, json_t *v)
{
    (void)p;
    return json_is_string(v) ? ATTEST_OK : policy_invalid(sec, m, "must be a string");
}
static int read_platform_list(void *p, const char *sec, const char *m, json_t *v)
{
    (void)p, (void)sec, (void)m, (void)v;
    return ATTEST_OK; /* read by read_scope once every section is known */
}

static const policy_member document_members[] = {
    PM_FN("snp", read_snp),         PM_FN("tdx", read_tdx),
    PM_FN("sgx", read_sgx),         PM_FN("nvidia", read_nvidia),
    PM_FN("azure", read_azure),
    PM_FN("composite", read_composite), PM_FN("platforms", read_platform_list),
    PM_FN("version", read_version), PM_FN("description", read_text),
};

static int read_document(attest_policy *p, json_t *doc)
{
    if (!json_is_object(doc))
        return attest_set_error(ATTEST_E_POLICY_INVALID, "policy: must be a JSON object");
    int status = policy_read_section(p, "", document_members,
                                     sizeof document_members / sizeof document_members[0], doc);
    return status == ATTEST_OK ? read_scope(p, doc) : status;
}

int attest_policy_from_json(attest_policy **out, const char *json, size_t len)
{
    json_error_t err;
    if (!out || !json)
        return attest_set_error(ATTEST_E_INVALID_ARG, "policy: NULL argument");
    *out = NULL;
    errno = 0;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (attest_alloc_failed()) { /* a syntax error or a dropped byte: no verdict */
        json_decref(doc);
        return attest_set_error(ATTEST_E_NOMEM, "policy: out of memory");
    }
    if (!doc)
        return attest_set_error(ATTEST_E_POLICY_INVALID, "policy: line %d: %s",
                                err.line, err.text);
    attest_policy *p = policy_alloc();
    if (!p) {
        json_decref(doc);
        return attest_set_error(ATTEST_E_NOMEM, "policy: out of memory");
    }
    int status = read_document(p, doc);
    if (status != ATTEST_OK) {
        json_decref(doc);
        attest_policy_free(p);
        return status;
    }
    p->source = doc;
    EVP_Digest(json, len, p->sha256, NULL, attest_md_sha256(), NULL);
    *out = p;
    return ATTEST_OK;
}

void attest_policy_free(attest_policy *p)
{
    if (!p)
        return;
    if (p->snp) {
        snp_policy_release(p->snp);
        free(p->snp);
    }
    if (p->tdx) {
        dcap_policy_release(p->tdx);
        free(p->tdx);
    }
    if (p->sgx) {
        dcap_policy_release(p->sgx);
        free(p->sgx);
    }
    if (p->nvidia) {
        nv_policy_release(p->nvidia);
        free(p->nvidia);
    }
    if (p->azure) {
        azure_policy_release(p->azure);
        free(p->azure);
    }
    json_decref(p->source);
    free(p);
}
