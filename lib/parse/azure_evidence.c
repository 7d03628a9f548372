/* Azure vTPM evidence containers (azure_evidence.h). Each member has one
 * encoding fixed by the container and its version, never guessed from the
 * value; every length is bounded before anything is allocated for it. */
#include "azure_evidence.h"

#include "../base/reader.h"
#include "azure_hcl.h"
#include "tpm_attest.h"

#include <string.h>

typedef enum encoding { ENC_ARRAY, ENC_HEX, ENC_B64URL } encoding;

static int nomem(void)
{
    return attest_set_error(ATTEST_E_NOMEM, "azure.evidence: out of memory");
}

static int dup_bytes(uint8_t **out, size_t *out_len, const uint8_t *p, size_t n)
{
    *out = malloc(n ? n : 1);
    if (!*out)
        return nomem();
    if (n)
        memcpy(*out, p, n);
    *out_len = n;
    return ATTEST_OK;
}

/* ---- JSON byte strings ------------------------------------------------- */

static int from_array(json_t *a, const char *field, size_t max, uint8_t **out, size_t *len)
{
    size_t n = json_array_size(a), i;
    json_t *v;
    if (n > max)
        return attest_set_error(ATTEST_E_LENGTH, "%s: %zu bytes, at most %zu", field, n, max);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return nomem();
    json_array_foreach(a, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > 255) {
            free(buf);
            return attest_set_error(ATTEST_E_MALFORMED, "%s[%zu]: not a byte (0..255)",
                                    field, i);
        }
        buf[i] = (uint8_t)json_integer_value(v);
    }
    *out = buf;
    *len = n;
    return ATTEST_OK;
}

static int from_hex(const char *s, size_t n, const char *field, size_t max, uint8_t **out,
                    size_t *len)
{
    if (n % 2 || n / 2 > max)
        return attest_set_error(n % 2 ? ATTEST_E_MALFORMED : ATTEST_E_LENGTH,
                                "%s: %zu hex digits (%s)", field, n,
                                n % 2 ? "odd" : "too many");
    uint8_t *buf = malloc(n ? n / 2 : 1);
    if (!buf)
        return nomem();
    if (n && attest_hex_decode(buf, n / 2, s) != 0) {
        free(buf);
        return attest_set_error(ATTEST_E_MALFORMED, "%s: not hex", field);
    }
    *out = buf;
    *len = n / 2;
    return ATTEST_OK;
}

/* Padded base64url (Rust base64 URL_SAFE, as Trustee writes it): mapped to
 * the standard alphabet for the strict base64 decoder, after refusing the
 * characters that the mapping or that decoder would let through. */
static int from_b64url(const char *s, size_t n, const char *field, size_t max,
                       uint8_t **out, size_t *len)
{
    if (n / 4 * 3 > max + 2)
        return attest_set_error(ATTEST_E_LENGTH, "%s: %zu base64url characters, more "
                                "than %zu bytes", field, n, max);
    char *std = malloc(n + 1);
    if (!std)
        return nomem();
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+' || c == '/' || c == '\r' || c == '\n') {
            free(std);
            return attest_set_error(ATTEST_E_MALFORMED, "%s: '%c' at %zu is not "
                                    "base64url", field, c == '\r' || c == '\n' ? '?' : c, i);
        }
        std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    int rc = attest_base64_decode(std, n, out, len);
    free(std);
    if (rc == -2)
        return nomem();
    /* the decoder takes only whole, padded quanta */
    if (rc != 0 || *len > max) {
        free(*out);
        *out = NULL;
        return attest_set_error(rc != 0 ? ATTEST_E_MALFORMED : ATTEST_E_LENGTH, "%s: %s",
                                field, rc != 0 ? "not padded base64url" : "too long");
    }
    return ATTEST_OK;
}

/* A JSON value `v` in encoding `enc`, 1..max bytes; `field` names it. */
static int value_bytes(json_t *v, const char *field, encoding enc, size_t max,
                       uint8_t **out, size_t *len)
{
    int st;
    *out = NULL;
    *len = 0;
    if (enc == ENC_ARRAY ? !json_is_array(v) : !json_is_string(v))
        return attest_set_error(ATTEST_E_MALFORMED, "%s: missing or not %s", field,
                                enc == ENC_ARRAY ? "a byte array" : "a string");
    if (enc == ENC_ARRAY)
        st = from_array(v, field, max, out, len);
    else if (enc == ENC_HEX)
        st = from_hex(json_string_value(v), json_string_length(v), field, max, out, len);
    else
        st = from_b64url(json_string_value(v), json_string_length(v), field, max, out, len);
    if (st == ATTEST_OK && *len == 0) {
        free(*out);
        *out = NULL;
        st = attest_set_error(ATTEST_E_MALFORMED, "%s: empty", field);
    }
    return st;
}

/* Member `name` of `obj`; `where` is the object's path ("tpm_quote."). */
static int get_bytes(json_t *obj, const char *where, const char *name, encoding enc,
                     size_t max, uint8_t **out, size_t *len)
{
    char field[96];
    snprintf(field, sizeof field, "azure.evidence.%s%s", where, name);
    return value_bytes(json_object_get(obj, name), field, enc, max, out, len);
}

/* ---- the quote --------------------------------------------------------- */

static int only_members(json_t *obj, const char *where, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i])
            return attest_set_error(ATTEST_E_MALFORMED, "azure.evidence%s%s: unknown "
                                    "member \"%s\"", *where ? "." : "", where, key);
    }
    return ATTEST_OK;
}

static int read_pcrs(attest_azure_evidence *e, json_t *a, encoding enc, const char *where)
{
    size_t n = json_array_size(a), i;
    json_t *v;
    if (!json_is_array(a) || n == 0 || n > ATTEST_AZURE_PCR_MAX)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.evidence.%spcrs: not an "
                                "array of 1 to %d values", where, ATTEST_AZURE_PCR_MAX);
    e->pcrs = malloc(n * ATTEST_AZURE_PCR_SIZE);
    if (!e->pcrs)
        return nomem();
    json_array_foreach(a, i, v) {
        char field[96];
        uint8_t *one;
        size_t len;
        snprintf(field, sizeof field, "azure.evidence.%spcrs[%zu]", where, i);
        int st = value_bytes(v, field, enc, ATTEST_AZURE_PCR_SIZE, &one, &len);
        if (st != ATTEST_OK)
            return st;
        if (len != ATTEST_AZURE_PCR_SIZE) {
            free(one);
            return attest_set_error(ATTEST_E_MALFORMED, "%s: %zu bytes, a SHA-256 PCR "
                                    "has 32", field, len);
        }
        memcpy(e->pcrs + i * ATTEST_AZURE_PCR_SIZE, one, ATTEST_AZURE_PCR_SIZE);
        free(one);
        e->pcr_count = i + 1;
    }
    return ATTEST_OK;
}

/* {signature, message, pcrs}; `name` is the object's member name ("" for
 * the top level of a tpm-quote document). */
static int read_quote(attest_azure_evidence *e, json_t *q, encoding enc, const char *name)
{
    static const char *const members[] = {"signature", "message", "pcrs", NULL};
    char where[32];
    int st;
    snprintf(where, sizeof where, "%s%s", name, *name ? "." : "");
    if (!json_is_object(q))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.evidence.%s: missing or not "
                                "an object", name);
    if ((st = only_members(q, name, members)) != ATTEST_OK ||
        (st = get_bytes(q, where, "signature", enc, ATTEST_AZURE_SIG_MAX, &e->quote_sig,
                        &e->quote_sig_len)) != ATTEST_OK ||
        (st = get_bytes(q, where, "message", enc, ATTEST_TPM_ATTEST_MAX, &e->quote_msg,
                        &e->quote_msg_len)) != ATTEST_OK)
        return st;
    return read_pcrs(e, json_object_get(q, "pcrs"), enc, where);
}

/* ---- Trustee documents ------------------------------------------------- */

/* "version": absent = 0, else the integer 1 or 2 (Trustee writes a JSON
 * number); anything else is refused. */
static int read_version(json_t *root, unsigned *version)
{
    json_t *v = json_object_get(root, "version");
    *version = 0;
    if (!v)
        return ATTEST_OK;
    if (json_is_integer(v) && (json_integer_value(v) == 1 || json_integer_value(v) == 2)) {
        *version = (unsigned)json_integer_value(v);
        return ATTEST_OK;
    }
    if (json_is_integer(v))
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION, "azure.evidence.version: "
                                "%lld is not supported (supported: 1, 2)",
                                (long long)json_integer_value(v));
    return attest_set_error(ATTEST_E_MALFORMED, "azure.evidence.version: not an integer");
}

/* az-snp-vtpm v0 {quote, report, vcek PEM}. */
static int snp_v0(attest_azure_evidence *e, json_t *root)
{
    static const char *const members[] = {"quote", "report", "vcek", NULL};
    json_t *vcek = json_object_get(root, "vcek");
    int st;
    e->container = ATTEST_AZURE_SNP_VTPM;
    if ((st = only_members(root, "", members)) != ATTEST_OK ||
        (st = read_quote(e, json_object_get(root, "quote"), ENC_ARRAY, "quote")) ||
        (st = get_bytes(root, "", "report", ENC_ARRAY, ATTEST_HCL_MAX, &e->hcl_report,
                        &e->hcl_report_len)))
        return st;
    if (!json_is_string(vcek) || json_string_length(vcek) == 0 ||
        json_string_length(vcek) > ATTEST_AZURE_VCEK_MAX)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.evidence.vcek: not a PEM "
                                "string of 1 to %d bytes", ATTEST_AZURE_VCEK_MAX);
    e->vcek_is_pem = true;
    return dup_bytes(&e->vcek, &e->vcek_len, (const uint8_t *)json_string_value(vcek),
                     json_string_length(vcek));
}

/* az-tdx-vtpm v0 {tpm_quote, hcl_report, td_quote} as byte arrays, or
 * v1/v2 and az-snp-vtpm v1/v2 {version, tpm_quote (hex), hcl_report,
 * td_quote | vcek (base64url)}. */
static int trustee_vtpm(attest_azure_evidence *e, json_t *root, unsigned version)
{
    static const char *const tdx[] = {"version", "tpm_quote", "hcl_report", "td_quote", NULL};
    static const char *const snp[] = {"version", "tpm_quote", "hcl_report", "vcek", NULL};
    bool is_tdx = json_object_get(root, "td_quote") != NULL;
    encoding bytes = version == 0 ? ENC_ARRAY : ENC_B64URL;
    int st;
    e->container = is_tdx ? ATTEST_AZURE_TDX_VTPM : ATTEST_AZURE_SNP_VTPM;
    e->version = version;
    if (!is_tdx && version == 0)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.evidence: tpm_quote and "
                                "hcl_report without version or td_quote");
    if ((st = only_members(root, "", is_tdx ? tdx : snp)) != ATTEST_OK ||
        (st = read_quote(e, json_object_get(root, "tpm_quote"),
                         version == 0 ? ENC_ARRAY : ENC_HEX, "tpm_quote")) ||
        (st = get_bytes(root, "", "hcl_report", bytes, ATTEST_HCL_MAX, &e->hcl_report,
                        &e->hcl_report_len)))
        return st;
    if (is_tdx)
        return get_bytes(root, "", "td_quote", bytes, ATTEST_AZURE_TD_QUOTE_MAX,
                         &e->td_quote, &e->td_quote_len);
    return get_bytes(root, "", "vcek", bytes, ATTEST_AZURE_VCEK_MAX, &e->vcek,
                     &e->vcek_len);
}

static int parse_json(attest_azure_evidence *e, const uint8_t *data, size_t len)
{
    json_error_t err;
    unsigned version;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
    int st;
    if (!json_is_object(root)) {
        json_decref(root);
        return attest_set_error(ATTEST_E_MALFORMED, "azure.evidence: not a JSON object "
                                "(%s)", root ? "other JSON" : err.text);
    }
    if ((st = read_version(root, &version)) != ATTEST_OK)
        ;
    else if (json_object_get(root, "tpm_quote"))
        st = trustee_vtpm(e, root, version);
    else if (version != 0)
        st = attest_set_error(ATTEST_E_MALFORMED, "azure.evidence: version without "
                              "tpm_quote");
    else if (json_object_get(root, "quote"))
        st = snp_v0(e, root);
    else if (json_object_get(root, "message") && json_object_get(root, "signature")) {
        e->container = ATTEST_AZURE_TPM_QUOTE_JSON;
        st = read_quote(e, root, ENC_HEX, "");
    } else
        st = attest_set_error(ATTEST_E_FORMAT_UNKNOWN, "azure.evidence: a JSON object "
                              "with none of tpm_quote, quote, message");
    json_decref(root);
    return st;
}

/* ---- az-cvm-vtpm bincode ----------------------------------------------- */

/* A bincode u64 length, at most `max`. */
static int bincode_len(attest_reader *r, const char *field, size_t max, size_t *n)
{
    uint32_t lo, hi;
    size_t left = attest_reader_left(r), off = r->off;
    if (left < 8)
        return attest_set_error(ATTEST_E_TRUNCATED, "azure.quote_bin.%s: length needs 8 "
                                "bytes at offset %zu, only %zu left", field, off, left);
    attest_reader_u32(r, field, &lo);
    attest_reader_u32(r, field, &hi);
    if (hi != 0 || lo > max)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.quote_bin.%s: length %llu at "
                                "offset %zu, at most %zu", field,
                                (unsigned long long)lo | (unsigned long long)hi << 32,
                                off, max);
    *n = lo;
    return ATTEST_OK;
}

static int bincode_bytes(attest_reader *r, const char *field, size_t max, uint8_t **out,
                         size_t *len)
{
    size_t n, at;
    int st = bincode_len(r, field, max, &n);
    if (st != ATTEST_OK)
        return st;
    if (n == 0)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.quote_bin.%s: empty", field);
    if (attest_reader_left(r) < n)
        return attest_set_error(ATTEST_E_TRUNCATED, "azure.quote_bin.%s: %zu bytes at "
                                "offset %zu, only %zu left", field, n, r->off,
                                attest_reader_left(r));
    attest_reader_take(r, n, field, &at);
    return dup_bytes(out, len, r->p + at, n);
}

/* n PCRs: n x [u8;32] (Vec<[u8;32]>) or n x (u64 32 | 32 bytes)
 * (Vec<Vec<u8>>), told apart by what is left, which must be exactly one. */
static int bincode_pcrs(attest_azure_evidence *e, attest_reader *r)
{
    size_t n, left;
    int st = bincode_len(r, "pcrs", ATTEST_AZURE_PCR_MAX, &n);
    if (st != ATTEST_OK)
        return st;
    left = attest_reader_left(r);
    if (n == 0 || (left != n * 32 && left != n * 40))
        return attest_set_error(n && left > n * 40 ? ATTEST_E_LENGTH : ATTEST_E_MALFORMED,
                                "azure.quote_bin.pcrs: %zu values in %zu bytes (want "
                                "1..24 values of 32 bytes, plain or length-prefixed)",
                                n, left);
    e->pcr_nested = left == n * 40;
    if (!(e->pcrs = malloc(n * ATTEST_AZURE_PCR_SIZE)))
        return nomem();
    for (size_t i = 0; i < n; i++) {
        size_t inner = ATTEST_AZURE_PCR_SIZE, at;
        char field[32];
        snprintf(field, sizeof field, "pcrs[%zu]", i);
        if (e->pcr_nested && (st = bincode_len(r, field, 64, &inner)) != ATTEST_OK)
            return st;
        if (inner != ATTEST_AZURE_PCR_SIZE)
            return attest_set_error(ATTEST_E_MALFORMED, "azure.quote_bin.pcrs[%zu]: %zu "
                                    "bytes, a SHA-256 PCR has 32", i, inner);
        attest_reader_take(r, ATTEST_AZURE_PCR_SIZE, "pcrs", &at);
        memcpy(e->pcrs + i * ATTEST_AZURE_PCR_SIZE, r->p + at, ATTEST_AZURE_PCR_SIZE);
        e->pcr_count = i + 1;
    }
    return ATTEST_OK;
}

static int parse_bincode(attest_azure_evidence *e, const uint8_t *data, size_t len)
{
    attest_reader r = attest_reader_init(data, 0, len);
    int st;
    e->container = ATTEST_AZURE_BINCODE_QUOTE;
    if ((st = bincode_bytes(&r, "signature", ATTEST_AZURE_SIG_MAX, &e->quote_sig,
                            &e->quote_sig_len)) != ATTEST_OK ||
        (st = bincode_bytes(&r, "message", ATTEST_TPM_ATTEST_MAX, &e->quote_msg,
                            &e->quote_msg_len)) != ATTEST_OK)
        return st;
    return bincode_pcrs(e, &r);
}

/* ---- entry points ------------------------------------------------------ */

static bool looks_like_json(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
                       data[i] == '\n'))
        i++;
    return i < len && data[i] == '{';
}

bool attest_azure_evidence_detect(const uint8_t *data, size_t len)
{
    attest_azure_evidence e;
    if (!data || len > ATTEST_AZURE_EVIDENCE_MAX)
        return false;
    /* bincode starts with the signature length as a u64 */
    if (!looks_like_json(data, len) &&
        (len < 8 || attest_le32(data + 4) != 0 || attest_le32(data) > ATTEST_AZURE_SIG_MAX))
        return false;
    int st = attest_azure_evidence_parse(&e, data, len);
    attest_azure_evidence_free(&e);
    return st == ATTEST_OK;
}

int attest_azure_evidence_parse(attest_azure_evidence *out, const uint8_t *data, size_t len)
{
    attest_azure_evidence e;
    int st;
    if (!out || !data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "azure.evidence: NULL argument");
    memset(out, 0, sizeof *out);
    if (len > ATTEST_AZURE_EVIDENCE_MAX)
        return attest_set_error(ATTEST_E_LENGTH, "azure.evidence: %zu bytes, more than "
                                "%d", len, ATTEST_AZURE_EVIDENCE_MAX);
    memset(&e, 0, sizeof e);
    st = looks_like_json(data, len) ? parse_json(&e, data, len)
                                    : parse_bincode(&e, data, len);
    if (st != ATTEST_OK) {
        attest_azure_evidence_free(&e);
        return st;
    }
    *out = e;
    return ATTEST_OK;
}

void attest_azure_evidence_free(attest_azure_evidence *e)
{
    if (!e)
        return;
    free(e->quote_msg);
    free(e->quote_sig);
    free(e->pcrs);
    free(e->hcl_report);
    free(e->td_quote);
    free(e->vcek);
    memset(e, 0, sizeof *e);
}
