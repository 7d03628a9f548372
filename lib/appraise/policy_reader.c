/* The table-driven reader of policy sections (policy_reader.h). */
#include "policy_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- platforms ---------------------------------------------------------- */

static const struct {
    const char *name;
    unsigned bit;
} platform_names[] = {
    {"snp", ATTEST_PLATFORM_SNP},
    {"tdx", ATTEST_PLATFORM_TDX},
    {"sgx", ATTEST_PLATFORM_SGX},
    {"nvidia", ATTEST_PLATFORM_NVIDIA},
    {"azure", ATTEST_PLATFORM_AZURE},
};
#define PLATFORM_COUNT (sizeof platform_names / sizeof platform_names[0])

const char *attest_platform_name(unsigned bit)
{
    for (size_t i = 0; i < PLATFORM_COUNT; i++)
        if (platform_names[i].bit == bit)
            return platform_names[i].name;
    return "unknown";
}

unsigned attest_platform_bit(const char *name)
{
    for (size_t i = 0; name && i < PLATFORM_COUNT; i++)
        if (!strcmp(platform_names[i].name, name))
            return platform_names[i].bit;
    return 0;
}

/* ---- sections ------------------------------------------------------------ */

int policy_invalid(const char *section_name, const char *member, const char *why)
{
    return attest_set_error(ATTEST_E_POLICY_INVALID, "policy%s%s%s%s: %s",
                            *section_name ? "." : "", section_name, *member ? "." : "", member,
                            why);
}

static int nomem(void)
{
    return attest_set_error(ATTEST_E_NOMEM, "policy: out of memory");
}

static int read_bool(bool *out, const char *sec, const char *name, json_t *v)
{
    if (!json_is_boolean(v))
        return policy_invalid(sec, name, "must be true or false");
    *out = json_is_true(v);
    return ATTEST_OK;
}

static int read_integer(int64_t *out, const policy_member *m, const char *sec, json_t *v)
{
    if (!json_is_integer(v) || json_integer_value(v) < m->min ||
        json_integer_value(v) > m->max) {
        char why[80];
        snprintf(why, sizeof why, "must be an integer %lld..%lld", (long long)m->min,
                 (long long)m->max);
        return policy_invalid(sec, m->name, why);
    }
    *out = (int64_t)json_integer_value(v);
    return ATTEST_OK;
}

static int hex_value(uint8_t *out, size_t len, const char *sec, const char *name, json_t *v)
{
    if (!json_is_string(v) || attest_hex_decode(out, len, json_string_value(v)) != 0) {
        char why[64];
        snprintf(why, sizeof why, "must be %zu hex digits", len * 2);
        return policy_invalid(sec, name, why);
    }
    return ATTEST_OK;
}

static int read_bytes(policy_bytes *out, const policy_member *m, const char *sec, json_t *v)
{
    int status = hex_value(out->value, (size_t)m->min, sec, m->name, v);
    out->set = status == ATTEST_OK;
    return status;
}

static int read_digests(policy_digests *out, const policy_member *m, const char *sec,
                        json_t *v)
{
    char why[80];
    snprintf(why, sizeof why, "must be a non-empty array of %lld-hex-digit strings",
             (long long)m->min * 2);
    if (!json_is_array(v) || json_array_size(v) == 0)
        return policy_invalid(sec, m->name, why);
    policy_digests_release(out);
    out->len = (size_t)m->min;
    if (!(out->items = calloc(json_array_size(v), sizeof *out->items)))
        return nomem();
    for (out->count = 0; out->count < json_array_size(v); out->count++) {
        json_t *item = json_array_get(v, out->count);
        if (!json_is_string(item) ||
            attest_hex_decode(out->items[out->count], out->len, json_string_value(item)) != 0)
            return policy_invalid(sec, m->name, why);
    }
    return ATTEST_OK;
}

int policy_read_digest_list(policy_digests *out, size_t len, const char *sec,
                            const char *name, json_t *v)
{
    policy_member m = {name, PM_DIGESTS, 0, (int64_t)len, 0, NULL};
    return read_digests(out, &m, sec, v);
}

static int read_strings(policy_strings *out, const policy_member *m, const char *sec,
                        json_t *v)
{
    const char *why = m->min > 0 ? "must be a non-empty array of strings"
                                 : "must be an array of strings";
    if (!json_is_array(v) || json_array_size(v) < (size_t)m->min)
        return policy_invalid(sec, m->name, why);
    policy_strings_release(out);
    out->set = true;
    if (json_array_size(v) && !(out->items = calloc(json_array_size(v), sizeof *out->items)))
        return nomem();
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_string(item))
            return policy_invalid(sec, m->name, why);
        if (!(out->items[out->count] = strdup(json_string_value(item))))
            return nomem();
        out->count++;
    }
    return ATTEST_OK;
}

static int read_text(char *out, const policy_member *m, const char *sec, json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) >= (size_t)m->max)
        return policy_invalid(sec, m->name, "must be a non-empty string such as a version");
    snprintf(out, (size_t)m->max, "%s", s);
    return ATTEST_OK;
}

static int read_member(void *section, const policy_member *m, const char *sec, json_t *v)
{
    void *field = (char *)section + m->offset;
    int64_t n = 0;
    int status;
    switch (m->kind) {
    case PM_BOOL: return read_bool(field, sec, m->name, v);
    case PM_INT:
        if ((status = read_integer(&n, m, sec, v)) == ATTEST_OK)
            *(int *)field = (int)n;
        return status;
    case PM_INT64: return read_integer(field, m, sec, v);
    case PM_BYTES: return read_bytes(field, m, sec, v);
    case PM_DIGESTS: return read_digests(field, m, sec, v);
    case PM_STRINGS: return read_strings(field, m, sec, v);
    case PM_TEXT: return read_text(field, m, sec, v);
    case PM_CUSTOM: return m->read(section, sec, m->name, v);
    }
    return attest_set_error(ATTEST_E_INTERNAL, "policy.%s.%s: no reader", sec, m->name);
}

int policy_read_section(void *section, const char *section_name, const policy_member *members,
                        size_t n, json_t *obj)
{
    const char *key;
    json_t *value;
    if (!json_is_object(obj))
        return policy_invalid(section_name, "", "must be an object");
    json_object_foreach(obj, key, value) {
        const policy_member *m = NULL;
        for (size_t i = 0; i < n && !m; i++)
            if (!strcmp(members[i].name, key))
                m = &members[i];
        if (!m)
            return policy_invalid(section_name, key, "unknown member");
        int status = read_member(section, m, section_name, value);
        if (status != ATTEST_OK)
            return status;
    }
    return ATTEST_OK;
}

bool policy_digests_has(const policy_digests *l, const uint8_t *digest)
{
    for (size_t i = 0; i < l->count; i++)
        if (memcmp(l->items[i], digest, l->len) == 0)
            return true;
    return false;
}

bool policy_strings_has(const policy_strings *l, const char *s, bool ignore_case)
{
    for (size_t i = 0; i < l->count; i++)
        if (ignore_case ? !strcasecmp(l->items[i], s) : !strcmp(l->items[i], s))
            return true;
    return false;
}

void policy_digests_release(policy_digests *l)
{
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void policy_strings_release(policy_strings *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
    l->set = false;
}
