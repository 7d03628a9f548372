/* Forms users already hold, unwrapped into the items the parsers know
 * (formats.h). */
#include "formats.h"
#include "classify.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- base64 and hex text --------------------------------------------- */

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_b64(uint8_t c)
{
    return isalnum(c) || c == '+' || c == '/' || c == '=';
}

/* The text without white space, into a new NUL-terminated buffer. */
static char *compact(const uint8_t *data, size_t len, size_t *n)
{
    char *text = malloc(len + 1);
    if (!text)
        return NULL;
    *n = 0;
    for (size_t i = 0; i < len; i++)
        if (!is_space(data[i]))
            text[(*n)++] = (char)data[i];
    text[*n] = '\0';
    return text;
}

int attest_text_unwrap(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len)
{
    bool hex = true, b64 = true;
    size_t digits = 0;
    *out = NULL;
    *out_len = 0;
    for (size_t i = 0; i < len && (hex || b64); i++) {
        if (is_space(data[i]))
            continue;
        digits++;
        hex &= isxdigit(data[i]) != 0;
        b64 &= is_b64(data[i]);
    }
    if (digits < 2 || !(hex || b64))
        return 0;
    size_t n;
    char *text = compact(data, len, &n);
    if (!text)
        return ATTEST_E_NOMEM;
    int result = 0;
    if (hex && n % 2 == 0) {
        if (!(*out = malloc(n / 2)))
            result = ATTEST_E_NOMEM;
        else if (attest_hex_decode(*out, n / 2, text) == 0)
            result = 1;
        *out_len = result == 1 ? n / 2 : 0;
    } else if (b64) { /* hex digits of odd count may still be base64 */
        int rc = attest_base64_decode(text, n, out, out_len);
        result = rc == -2 ? ATTEST_E_NOMEM : rc == 0 && *out_len > 0;
    }
    free(text);
    if (result != 1) {
        free(*out);
        *out = NULL;
        *out_len = 0;
    }
    return result;
}

int attest_unwrapped(const uint8_t *data, size_t len, attest_item_fn each, void *ctx,
                     const char *who)
{
    uint8_t *decoded = NULL;
    size_t decoded_len = 0;
    int rc = attest_text_unwrap(data, len, &decoded, &decoded_len);
    if (rc < 0)
        return attest_set_error(ATTEST_E_NOMEM, "%s: out of memory", who);
    int status = rc ? each(ctx, decoded, decoded_len) : each(ctx, data, len);
    free(decoded);
    return status;
}

/* ---- describing an unknown item ---------------------------------------- */

static bool printable_text(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((data[i] < 0x20 && !is_space(data[i])) || data[i] == 0x7f)
            return false; /* bytes >= 0x80 pass: UTF-8 text */
    return true;
}

/* "JSON object with members a, b, c" (the first few), or why it is no JSON. */
static void describe_json(char *out, size_t n, const uint8_t *data, size_t len)
{
    json_error_t err;
    json_t *doc = json_loadb((const char *)data, len, 0, &err);
    if (!doc) {
        snprintf(out, n, "text starting '{' that is not JSON (line %d: %s)", err.line, err.text);
        return;
    }
    size_t used = (size_t)snprintf(out, n, "JSON object with %s",
                                   json_object_size(doc) ? "members " : "no member");
    const char *key;
    json_t *value;
    size_t shown = 0;
    json_object_foreach(doc, key, value) {
        if (used >= n)
            break;
        if (shown++ == 8) {
            snprintf(out + used, n - used, ", ...");
            break;
        }
        used += (size_t)snprintf(out + used, n - used, "%s%s", shown > 1 ? ", " : "", key);
    }
    json_decref(doc);
}

void attest_describe_bytes(char *out, size_t n, const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && is_space(data[i]))
        i++;
    if (len == 0) {
        snprintf(out, n, "empty");
    } else if (i < len && data[i] == '{') {
        describe_json(out, n, data + i, len - i);
    } else if (data[0] == 0x30) {
        snprintf(out, n, "DER SEQUENCE (or binary starting 0x30), %zu bytes, that is no "
                         "certificate, CRL or OCSP response", len);
    } else if (printable_text(data, len)) {
        int shown = (int)(len - i < 40 ? len - i : 40);
        char head[41];
        for (int k = 0; k < shown; k++)
            head[k] = isprint(data[i + k]) ? (char)data[i + k] : '.';
        head[shown] = '\0';
        snprintf(out, n, "text, %zu bytes, starting \"%s\"", len, head);
    } else {
        char hex[2 * 8 + 1];
        attest_hex_encode(hex, data, len < 8 ? len : 8);
        snprintf(out, n, "binary, %zu bytes starting 0x%s", len, hex);
    }
}

/* ---- NVIDIA RIM service JSON ------------------------------------------- */

static bool json_has_members(const uint8_t *data, size_t len, const char *a, const char *b)
{
    if (!attest_looks_like_json(data, len) || !attest_json_may_hold_key(data, len, a) ||
        !attest_json_may_hold_key(data, len, b))
        return false;
    json_t *doc = json_loadb((const char *)data, len, 0, NULL);
    bool found = json_object_get(doc, a) && json_object_get(doc, b);
    json_decref(doc);
    return found;
}

/* Only the RIMs this library reads: a CoRIM answer is no collateral. */
bool attest_rim_json_detect(const uint8_t *data, size_t len)
{
    if (!json_has_members(data, len, "rim", "sha256"))
        return false;
    json_t *doc = json_loadb((const char *)data, len, 0, NULL);
    json_t *format = json_object_get(doc, "rim_format");
    bool tcg = !format || (json_is_string(format) && strcmp(json_string_value(format), "TCG") == 0);
    json_decref(doc);
    return tcg;
}

/* The checks of the answer's members; messages as fetch.c always gave
 * them, prefixed with `who` ("fetch", "collateral"). */
static int rim_members(json_t *doc, const char *want_id, const char *who, const char **rim,
                       const char **digest, const char **id)
{
    json_t *format = json_object_get(doc, "rim_format");
    *id = json_string_value(json_object_get(doc, "id"));
    *rim = json_string_value(json_object_get(doc, "rim"));
    *digest = json_string_value(json_object_get(doc, "sha256"));
    if (!*id || !**id || !*rim || !*digest)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: RIM service answer lacks id, rim or sha256", who);
    if (want_id && strcmp(*id, want_id))
        return attest_set_error(ATTEST_E_MALFORMED, "%s: RIM service answered id %s, asked %s",
                                who, *id, want_id);
    if (format && (!json_is_string(format) || strcmp(json_string_value(format), "TCG")))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: RIM service rim_format is not TCG (SWID XML): CoRIM "
                                "is not read", who);
    return ATTEST_OK;
}

int attest_rim_json_unwrap(const uint8_t *data, size_t len, const char *want_id, const char *who,
                           uint8_t **xml, size_t *xml_len, char *id, size_t id_size)
{
    const char *rim, *digest, *got_id;
    uint8_t want[32], got[32];
    *xml = NULL;
    json_t *doc = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, NULL);
    int status = rim_members(doc, want_id, who, &rim, &digest, &got_id);
    if (status == ATTEST_OK && attest_base64_decode(rim, strlen(rim), xml, xml_len))
        status = attest_set_error(ATTEST_E_MALFORMED, "%s: RIM service rim is not base64", who);
    if (status == ATTEST_OK && (strlen(digest) != 64 || attest_hex_decode(want, 32, digest) ||
                                EVP_Digest(*xml, *xml_len, got, NULL, EVP_sha256(), NULL) != 1 ||
                                memcmp(want, got, 32)))
        status = attest_set_error(ATTEST_E_MALFORMED,
                                  "%s: RIM service sha256 does not match the rim it sent", who);
    if (status == ATTEST_OK && id)
        snprintf(id, id_size, "%s", got_id);
    if (status != ATTEST_OK) {
        free(*xml);
        *xml = NULL;
    }
    json_decref(doc);
    return status;
}

bool attest_rim_id_matches(const char *id, const char *colloquial_version)
{
    const char *last = strrchr(id, '_');
    const char *a = last ? last + 1 : id, *b = colloquial_version;
    if (!*a || !*b)
        return false;
    for (;;) {
        while (*a == '.')
            a++;
        while (*b == '.')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (toupper((unsigned char)*a++) != toupper((unsigned char)*b++))
            return false;
    }
}

/* ---- dcap-qvl QuoteCollateralV3 ---------------------------------------- */

bool attest_dcap_qvl_detect(const uint8_t *data, size_t len)
{
    return json_has_members(data, len, "tcb_info_issuer_chain", "qe_identity_signature");
}

typedef enum part_kind { PART_PEM, PART_HEX_DER, PART_BODY, PART_SIGNATURE } part_kind;

static const struct qvl_member {
    const char *name;
    part_kind kind;
    bool optional;
} qvl_members[] = {
    {"pck_crl_issuer_chain", PART_PEM, false}, {"root_ca_crl", PART_HEX_DER, false},
    {"pck_crl", PART_HEX_DER, false},          {"tcb_info_issuer_chain", PART_PEM, false},
    {"tcb_info", PART_BODY, false},            {"tcb_info_signature", PART_SIGNATURE, false},
    {"qe_identity_issuer_chain", PART_PEM, false}, {"qe_identity", PART_BODY, false},
    {"qe_identity_signature", PART_SIGNATURE, false},
    {"pck_certificate_chain", PART_PEM, true}, /* newer dcap-qvl: the PCK chain */
};

#define QVL_MEMBERS (sizeof qvl_members / sizeof qvl_members[0])

static int qvl_bad(const char *member, const char *why)
{
    return attest_set_error(ATTEST_E_MALFORMED, "dcap_qvl.%s: %s", member, why);
}

/* Every member known and a string (an optional one may be null). */
static int qvl_check_members(json_t *doc)
{
    const char *key;
    json_t *value;
    if (!json_is_object(doc))
        return qvl_bad("", "not a JSON object");
    json_object_foreach(doc, key, value) {
        size_t k = 0;
        while (k < QVL_MEMBERS && strcmp(qvl_members[k].name, key))
            k++;
        if (k == QVL_MEMBERS)
            return qvl_bad(key, "unknown member");
    }
    for (size_t k = 0; k < QVL_MEMBERS; k++) {
        json_t *v = json_object_get(doc, qvl_members[k].name);
        if (qvl_members[k].optional && (!v || json_is_null(v)))
            continue;
        if (!json_is_string(v) || json_string_length(v) == 0)
            return qvl_bad(qvl_members[k].name, "missing or not a non-empty string");
    }
    return ATTEST_OK;
}

/* {"<outer>":<inner bytes as given>,"signature":"<hex>"}: the PCS body
 * whose "<outer>" value is byte for byte the string dcap-qvl kept. */
static int qvl_body(json_t *doc, const char *member, const char *sig_member, const char *outer,
                    char **body, size_t *body_len)
{
    json_t *inner = json_object_get(doc, member);
    const char *text = json_string_value(inner), *sig = json_string_value(json_object_get(doc, sig_member));
    size_t len = json_string_length(inner);
    json_t *probe = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    bool one_object = json_is_object(probe);
    json_decref(probe);
    if (!one_object || memchr(text, '\0', len))
        return qvl_bad(member, "is not the text of one JSON object");
    for (size_t i = 0; sig[i] || i != 128; i++)
        if (i == 128 || !isxdigit((unsigned char)sig[i]))
            return qvl_bad(sig_member, "must be 128 hex digits (ECDSA P-256 r || s)");
    size_t n = strlen(outer) + len + 128 + 32;
    if (!(*body = malloc(n)))
        return attest_set_error(ATTEST_E_NOMEM, "dcap_qvl: out of memory");
    *body_len = (size_t)snprintf(*body, n, "{\"%s\":%.*s,\"signature\":\"%s\"}", outer,
                                 (int)len, text, sig);
    return ATTEST_OK;
}

static int qvl_part(json_t *doc, const struct qvl_member *m, attest_part_fn each, void *ctx)
{
    json_t *v = json_object_get(doc, m->name);
    const char *text = json_string_value(v);
    size_t len = json_string_length(v);
    uint8_t *bytes = NULL;
    int status = ATTEST_OK;
    if (!text || m->kind == PART_SIGNATURE)
        return ATTEST_OK; /* absent optional member; signatures go with their body */
    if (m->kind == PART_PEM)
        return each(ctx, m->name, (const uint8_t *)text, len);
    if (m->kind == PART_HEX_DER) {
        if (len % 2 || !(bytes = malloc(len / 2 + 1)) || attest_hex_decode(bytes, len / 2, text))
            status = bytes ? qvl_bad(m->name, "is not hex (a DER CRL)")
                           : attest_set_error(ATTEST_E_NOMEM, "dcap_qvl: out of memory");
        if (status == ATTEST_OK)
            status = each(ctx, m->name, bytes, len / 2);
        free(bytes);
        return status;
    }
    bool tcb = strcmp(m->name, "tcb_info") == 0;
    char *body = NULL;
    size_t body_len = 0;
    status = qvl_body(doc, m->name, tcb ? "tcb_info_signature" : "qe_identity_signature",
                      tcb ? "tcbInfo" : "enclaveIdentity", &body, &body_len);
    if (status == ATTEST_OK)
        status = each(ctx, m->name, (const uint8_t *)body, body_len);
    free(body);
    return status;
}

int attest_dcap_qvl_each(const uint8_t *data, size_t len, attest_part_fn each, void *ctx)
{
    json_error_t err;
    json_t *doc = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
    int status = doc ? qvl_check_members(doc)
                     : attest_set_error(ATTEST_E_MALFORMED, "dcap_qvl: line %d: %s", err.line,
                                        err.text);
    for (size_t k = 0; status == ATTEST_OK && k < QVL_MEMBERS; k++)
        status = qvl_part(doc, &qvl_members[k], each, ctx);
    json_decref(doc);
    return status;
}
