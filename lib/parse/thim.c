/* Azure THIM's AMD certification JSON, bytes to fields (see thim.h). The
 * members were read off the two captures in shared/vectors/azure (ACI and
 * an NCC H100 v5 VM): member order varies, so only the set is fixed. */
#include "thim.h"
#include "dcap_collateral.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A THIM JSON holds one VCEK and two CA certificates (about 6.7 KB): a
 * larger item is not one, and bounds the work detection may do. */
#define THIM_MAX_JSON 65536
#define THIM_MAX_BASE64 (THIM_MAX_JSON / 3 * 4 + 4096) /* line breaks too */

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static bool is_base64_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/' || c == '=';
}

/* Base64 text (the host-amd-cert-base64 form): only the alphabet and line
 * breaks, trailing blanks allowed. Decoded into a new buffer (free()). */
static bool base64_form(const uint8_t *data, size_t len, uint8_t **json, size_t *json_len)
{
    while (len && is_space(data[len - 1]))
        len--;
    if (len == 0 || len > THIM_MAX_BASE64)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_base64_char(data[i]) && data[i] != '\n' && data[i] != '\r')
            return false;
    return attest_base64_decode((const char *)data, len, json, json_len) == 0;
}

/* A JSON object with one of THIM's own member names (cacheControl is too
 * common a name to tell): one missing the others is refused, naming them. */
static bool json_form(const uint8_t *data, size_t len)
{
    static const char *const names[] = {"vcekCert", "certificateChain", "tcbm"};
    size_t off, n;
    /* The scanner compares member names as bytes: a name absent as bytes
     * spares its walk through the whole text. */
    for (size_t i = 0; len <= THIM_MAX_JSON && i < sizeof names / sizeof names[0]; i++)
        if (attest_json_may_hold_key(data, len, names[i]) &&
            dcap_json_member_span(data, len, names[i], &off, &n) == 0)
            return true;
    return false;
}

bool thim_detect(const uint8_t *data, size_t len)
{
    if (!data || len == 0)
        return false;
    if (json_form(data, len))
        return true;
    uint8_t *json = NULL;
    size_t json_len = 0;
    bool found = base64_form(data, len, &json, &json_len) && json_form(json, json_len);
    free(json);
    return found;
}

/* ---- members ----------------------------------------------------------- */

/* The number of CERTIFICATE blocks in `pem` when it holds such blocks and
 * blanks between them, nothing else (no other block, no stray text, only
 * the base64 alphabet inside a block); -1 otherwise. */
static int pem_certificate_blocks(const char *pem)
{
    const size_t begin_len = strlen(PEM_BEGIN), end_len = strlen(PEM_END);
    const char *p = pem;
    int blocks = 0;
    for (;;) {
        while (is_space((uint8_t)*p))
            p++;
        if (*p == '\0')
            return blocks;
        if (strncmp(p, PEM_BEGIN, begin_len) != 0)
            return -1;
        p += begin_len;
        while (is_base64_char((uint8_t)*p) || is_space((uint8_t)*p))
            p++;
        if (strncmp(p, PEM_END, end_len) != 0)
            return -1;
        p += end_len;
        blocks++;
    }
}

/* Member `name` of `doc` as a copy of its string, which must hold
 * `want_blocks` certificate blocks and nothing else. */
static int read_pem(json_t *doc, const char *name, int want_blocks, const char *what,
                    char **out)
{
    const char *s = json_string_value(json_object_get(doc, name));
    if (!s)
        return attest_set_error(ATTEST_E_MALFORMED, "thim.%s: missing or not a string", name);
    int blocks = pem_certificate_blocks(s);
    if (blocks != want_blocks)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "thim.%s: must be %s as PEM and nothing else (%d certificate "
                                "block(s)%s)", name, what, blocks < 0 ? 0 : blocks,
                                blocks < 0 ? ", or other text" : "");
    *out = strdup(s);
    return *out ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "thim: out of memory");
}

/* tcbm: exactly 16 upper-case hex digits (as THIM writes them; a lower-case
 * or shorter spelling is not THIM's and is refused). */
static int read_tcbm(json_t *doc, uint64_t *out)
{
    const char *s = json_string_value(json_object_get(doc, "tcbm"));
    if (!s)
        return attest_set_error(ATTEST_E_MALFORMED, "thim.tcbm: missing or not a string");
    bool ok = strlen(s) == 16;
    uint64_t v = 0;
    for (size_t i = 0; ok && i < 16; i++) {
        char c = s[i];
        ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
        v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'A' + 10);
    }
    if (!ok)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "thim.tcbm: '%.40s' is not 16 upper-case hex digits", s);
    *out = v;
    return ATTEST_OK;
}

/* cacheControl: seconds as a decimal string, no sign, no leading zero,
 * at most 2^32 - 1. */
static int read_cache_control(json_t *doc, uint32_t *out)
{
    const char *s = json_string_value(json_object_get(doc, "cacheControl"));
    if (!s)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "thim.cacheControl: missing or not a string");
    size_t n = strlen(s);
    bool ok = n >= 1 && n <= 10 && (s[0] != '0' || n == 1);
    uint64_t v = 0;
    for (size_t i = 0; ok && i < n; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (!ok || v > UINT32_MAX)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "thim.cacheControl: '%.40s' is not a decimal number of seconds",
                                s);
    *out = (uint32_t)v;
    return ATTEST_OK;
}

/* Every member is one of the four: Microsoft adding one is refused (and
 * named) until this parser knows what it means. */
static int check_members(json_t *doc)
{
    static const char *const known[] = {"vcekCert", "certificateChain", "tcbm", "cacheControl"};
    const char *key;
    json_t *value;
    json_object_foreach(doc, key, value) {
        bool found = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            found |= strcmp(key, known[i]) == 0;
        if (!found)
            return attest_set_error(ATTEST_E_MALFORMED, "thim: unknown member '%.64s'", key);
    }
    return ATTEST_OK;
}

static int parse_json(thim_doc *out, const uint8_t *data, size_t len)
{
    json_error_t jerr;
    if (len > THIM_MAX_JSON)
        return attest_set_error(ATTEST_E_LENGTH, "thim: %zu bytes, more than %d", len,
                                THIM_MAX_JSON);
    json_t *doc = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        return attest_set_error(ATTEST_E_MALFORMED, "thim: not a JSON object (%s)",
                                doc ? "another JSON value" : jerr.text);
    }
    int status = check_members(doc);
    if (status == ATTEST_OK)
        status = read_pem(doc, "vcekCert", 1, "one certificate", &out->vcek_pem);
    if (status == ATTEST_OK)
        status = read_pem(doc, "certificateChain", 2, "two certificates (ASK, ARK)",
                          &out->chain_pem);
    if (status == ATTEST_OK)
        status = read_tcbm(doc, &out->tcbm);
    if (status == ATTEST_OK)
        status = read_cache_control(doc, &out->cache_seconds);
    json_decref(doc);
    return status;
}

int thim_parse(thim_doc *out, const uint8_t *data, size_t len)
{
    if (!out || !data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "thim: NULL argument");
    memset(out, 0, sizeof *out);
    uint8_t *json = NULL;
    size_t json_len = 0;
    int status = base64_form(data, len, &json, &json_len) ? parse_json(out, json, json_len)
                                                           : parse_json(out, data, len);
    free(json);
    if (status != ATTEST_OK)
        thim_doc_free(out);
    return status;
}

void thim_doc_free(thim_doc *doc)
{
    if (!doc)
        return;
    free(doc->vcek_pem);
    free(doc->chain_pem);
    doc->vcek_pem = doc->chain_pem = NULL;
}
