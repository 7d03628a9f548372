/* Intel DCAP JSON collateral: TCB Info (v2 SGX, v3 SGX/TDX) and Enclave
 * Identity (v2: QE, TD_QE, QVE) as served by Intel PCS. Pure parsing.
 *
 * Two readers look at the same bytes:
 *  - dcap_json_member_span, a byte scanner (iterative, bounded depth, no
 *    allocation) that validates the whole document and returns the exact
 *    bytes of a top-level member's value: the signed message is these
 *    bytes as received, never a re-serialisation;
 *  - jansson (duplicate keys rejected) for the fields.
 * Both accept only valid JSON and both reject an ambiguous top-level member
 * (jansson: any duplicate key; the scanner: the searched name twice), so the
 * object the fields come from is the object the span covers.
 * Formats: research/tdx.md (a) "Collateral formats"; level order: (b) 3. */
#include "dcap_collateral.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- TCB status names ------------------------------------------------ */

static const char *const status_names[] = {
    [DCAP_TCB_UP_TO_DATE] = "UpToDate",
    [DCAP_TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
    [DCAP_TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
    [DCAP_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
    [DCAP_TCB_OUT_OF_DATE] = "OutOfDate",
    [DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
    [DCAP_TCB_REVOKED] = "Revoked",
    [DCAP_TCB_NOT_SUPPORTED] = "NotSupported",
};

const char *dcap_tcb_status_name(dcap_tcb_status s)
{
    if ((int)s < 0 || (size_t)s >= sizeof status_names / sizeof status_names[0])
        return NULL;
    return status_names[s];
}

int dcap_tcb_status_parse(const char *name)
{
    if (!name)
        return -1;
    /* NotSupported is computed by the appraisal, never served by Intel. */
    for (int s = DCAP_TCB_UP_TO_DATE; s <= DCAP_TCB_REVOKED; s++)
        if (strcmp(name, status_names[s]) == 0)
            return s;
    return -1;
}

/* ---- the byte scanner -------------------------------------------------- */

#define DCAP_JSON_MAX_DEPTH 64

enum scan_state {
    ST_VALUE,          /* a value must follow */
    ST_VALUE_OR_CLOSE, /* just after '[' */
    ST_KEY,            /* a member name must follow (after ',') */
    ST_KEY_OR_CLOSE,   /* just after '{' */
    ST_AFTER,          /* a value ended: ',' or the closing bracket */
};

static size_t skip_ws(const uint8_t *d, size_t len, size_t p)
{
    while (p < len && (d[p] == ' ' || d[p] == '\t' || d[p] == '\n' || d[p] == '\r'))
        p++;
    return p;
}

static bool is_hex_digit(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* d[p] is '"'. Returns the index after the closing quote, or 0. */
static size_t scan_string(const uint8_t *d, size_t len, size_t p)
{
    p++;
    while (p < len) {
        uint8_t c = d[p];
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return 0; /* control characters must be escaped */
        if (c != '\\') {
            p++;
            continue;
        }
        if (len - p < 2)
            return 0;
        switch (d[p + 1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p += 2;
            break;
        case 'u':
            if (len - p < 6)
                return 0;
            for (size_t k = 2; k < 6; k++)
                if (!is_hex_digit(d[p + k]))
                    return 0;
            p += 6;
            break;
        default:
            return 0;
        }
    }
    return 0;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at d[p]. Returns end or 0. */
static size_t scan_number(const uint8_t *d, size_t len, size_t p)
{
    size_t q;
    if (p < len && d[p] == '-')
        p++;
    if (p >= len)
        return 0;
    if (d[p] == '0') {
        p++;
    } else if (d[p] >= '1' && d[p] <= '9') {
        while (p < len && is_digit(d[p]))
            p++;
    } else {
        return 0;
    }
    if (p < len && d[p] == '.') {
        q = ++p;
        while (p < len && is_digit(d[p]))
            p++;
        if (p == q)
            return 0;
    }
    if (p < len && (d[p] == 'e' || d[p] == 'E')) {
        p++;
        if (p < len && (d[p] == '+' || d[p] == '-'))
            p++;
        q = p;
        while (p < len && is_digit(d[p]))
            p++;
        if (p == q)
            return 0;
    }
    return p;
}

static size_t scan_literal(const uint8_t *d, size_t len, size_t p)
{
    static const char *const lits[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lits[i]);
        if (len - p >= n && memcmp(d + p, lits[i], n) == 0)
            return p + n;
    }
    return 0;
}

/* The state of one walk through a document (json_scan). */
typedef struct json_scanner {
    const uint8_t *d;
    size_t len, p;                      /* the text; the next byte */
    uint8_t stack[DCAP_JSON_MAX_DEPTH]; /* '{' or '[' of each open container */
    size_t depth;
    enum scan_state st;
    const char *name;                   /* the top-level member looked for */
    size_t name_len;
    bool want, found;                   /* at its value; seen once */
    size_t vstart, off, n;              /* where the current / found value is */
} json_scanner;

/* What one step did: go on, a value ended at p, or the text is no JSON. */
enum { SCAN_BAD = -1, SCAN_MORE = 0, SCAN_VALUE = 1 };

static int scan_key(json_scanner *s)
{
    size_t e = s->d[s->p] == '"' ? scan_string(s->d, s->len, s->p) : 0;
    if (!e)
        return SCAN_BAD;
    if (s->depth == 1)
        s->want = e - s->p - 2 == s->name_len && memcmp(s->d + s->p + 1, s->name, s->name_len) == 0;
    s->p = skip_ws(s->d, s->len, e);
    if (s->p >= s->len || s->d[s->p] != ':')
        return SCAN_BAD;
    s->p++;
    s->st = ST_VALUE;
    return SCAN_MORE;
}

static int scan_value(json_scanner *s, uint8_t c)
{
    if (s->depth == 1)
        s->vstart = s->p;
    if (c == '{' || c == '[') {
        if (s->depth == DCAP_JSON_MAX_DEPTH)
            return SCAN_BAD;
        s->stack[s->depth++] = c;
        s->p++;
        s->st = c == '{' ? ST_KEY_OR_CLOSE : ST_VALUE_OR_CLOSE;
        return SCAN_MORE;
    }
    size_t e = c == '"'                  ? scan_string(s->d, s->len, s->p)
               : c == '-' || is_digit(c) ? scan_number(s->d, s->len, s->p)
                                         : scan_literal(s->d, s->len, s->p);
    if (!e)
        return SCAN_BAD;
    s->p = e;
    return SCAN_VALUE;
}

/* A container closes: a value ends, unless it was the document itself. */
static int scan_close(json_scanner *s)
{
    s->depth--;
    s->p++;
    if (s->depth > 0)
        return SCAN_VALUE;
    s->st = ST_AFTER;
    return SCAN_MORE;
}

static int scan_after(json_scanner *s, uint8_t c)
{
    uint8_t open = s->stack[s->depth - 1];
    if (c == ',') {
        s->p++;
        s->st = open == '{' ? ST_KEY : ST_VALUE;
        return SCAN_MORE;
    }
    return c == (open == '{' ? '}' : ']') ? scan_close(s) : SCAN_BAD;
}

static int scan_step(json_scanner *s, uint8_t c)
{
    switch (s->st) {
    case ST_KEY_OR_CLOSE: return c == '}' ? scan_close(s) : scan_key(s);
    case ST_KEY: return scan_key(s);
    case ST_VALUE_OR_CLOSE: return c == ']' ? scan_close(s) : scan_value(s, c);
    case ST_VALUE: return scan_value(s, c);
    case ST_AFTER: return scan_after(s, c);
    }
    return SCAN_BAD;
}

/* A value ended at p: note it when it is the member looked for. */
static int scan_value_ended(json_scanner *s)
{
    if (s->depth == 1 && s->want) {
        if (s->found)
            return SCAN_BAD; /* the member twice: which one is signed? */
        s->found = true;
        s->off = s->vstart;
        s->n = s->p - s->vstart;
    }
    s->st = ST_AFTER;
    return SCAN_MORE;
}

/* Walk the whole document (one object, whitespace around it). Returns 0
 * when `name` is a top-level member (span in *off, *n), 1 when it is absent,
 * -1 when the document is not valid JSON, nests deeper than the limit, or
 * holds `name` twice at the top level; *bad_at is then the byte offset. */
static int json_scan(const uint8_t *d, size_t len, const char *name, size_t *off,
                     size_t *n, size_t *bad_at)
{
    json_scanner s = {.d = d, .len = len, .st = ST_VALUE, .name = name,
                      .name_len = strlen(name)};
    s.p = skip_ws(d, len, 0);
    if (s.p >= len || d[s.p] != '{')
        goto bad;
    for (;;) {
        s.p = skip_ws(d, len, s.p);
        if (s.depth == 0 && s.st == ST_AFTER) {
            if (s.p != len)
                goto bad; /* trailing garbage */
            break;
        }
        if (s.p >= len)
            goto bad; /* unterminated */
        int step = scan_step(&s, d[s.p]);
        if (step == SCAN_VALUE)
            step = scan_value_ended(&s);
        if (step == SCAN_BAD)
            goto bad;
    }
    *off = s.off;
    *n = s.n;
    return s.found ? 0 : 1;
bad:
    *bad_at = s.p;
    return -1;
}

int dcap_json_member_span(const uint8_t *data, size_t len, const char *name,
                          size_t *off, size_t *n)
{
    size_t o = 0, l = 0, bad_at = 0;
    if (!data || !name || !off || !n)
        return -1;
    if (json_scan(data, len, name, &o, &l, &bad_at) != 0)
        return -1;
    *off = o;
    *n = l;
    return 0;
}

/* The scanner compares member names as bytes, so a name absent as bytes
 * is absent: every collateral item is asked both questions, and only the
 * text that may answer yes is walked. */
static bool detect_member_object(const uint8_t *data, size_t len, const char *name)
{
    size_t off, n;
    return data && attest_json_may_hold_key(data, len, name) &&
           dcap_json_member_span(data, len, name, &off, &n) == 0 && data[off] == '{';
}

bool dcap_tcb_info_detect(const uint8_t *data, size_t len)
{
    return detect_member_object(data, len, "tcbInfo");
}

bool dcap_qe_identity_detect(const uint8_t *data, size_t len)
{
    return detect_member_object(data, len, "enclaveIdentity");
}

/* ---- field readers (jansson) ------------------------------------------ */

#define PATH_LEN 192

/* MALFORMED with "path[.key]: why". */
static int bad(const char *path, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(const char *path, const char *key, const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return attest_set_error(ATTEST_E_MALFORMED, "%s%s%s: %s", path, key ? "." : "",
                            key ? key : "", why);
}

static int nomem(const char *path)
{
    return attest_set_error(ATTEST_E_NOMEM, "%s: out of memory", path);
}

static int get_member(json_t *obj, const char *path, const char *key, json_t **out)
{
    *out = json_object_get(obj, key);
    return *out ? ATTEST_OK : bad(path, key, "missing");
}

static int get_object(json_t *obj, const char *path, const char *key, json_t **out)
{
    int status = get_member(obj, path, key, out);
    if (status == ATTEST_OK && !json_is_object(*out))
        return bad(path, key, "must be an object");
    return status;
}

static int get_array(json_t *obj, const char *path, const char *key, bool non_empty,
                     json_t **out)
{
    int status = get_member(obj, path, key, out);
    if (status != ATTEST_OK)
        return status;
    if (!json_is_array(*out))
        return bad(path, key, "must be an array");
    if (non_empty && json_array_size(*out) == 0)
        return bad(path, key, "must not be empty");
    return ATTEST_OK;
}

static int get_int(json_t *obj, const char *path, const char *key, json_int_t min,
                   json_int_t max, json_int_t *out)
{
    json_t *v = NULL;
    int status = get_member(obj, path, key, &v);
    if (status != ATTEST_OK)
        return status;
    if (!json_is_integer(v))
        return bad(path, key, "must be an integer");
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return bad(path, key, "%" JSON_INTEGER_FORMAT " out of range %" JSON_INTEGER_FORMAT
                   "..%" JSON_INTEGER_FORMAT, x, min, max);
    *out = x;
    return ATTEST_OK;
}

static int get_string(json_t *obj, const char *path, const char *key, const char **out)
{
    json_t *v = NULL;
    int status = get_member(obj, path, key, &v);
    if (status != ATTEST_OK)
        return status;
    if (!json_is_string(v))
        return bad(path, key, "must be a string");
    *out = json_string_value(v);
    return ATTEST_OK;
}

static int get_hex(json_t *obj, const char *path, const char *key, uint8_t *out, size_t n)
{
    const char *s = NULL;
    int status = get_string(obj, path, key, &s);
    if (status != ATTEST_OK)
        return status;
    if (attest_hex_decode(out, n, s) != 0)
        return bad(path, key, "must be %zu hex digits", 2 * n);
    return ATTEST_OK;
}

static int get_time(json_t *obj, const char *path, const char *key, int64_t *out)
{
    const char *s = NULL;
    int status = get_string(obj, path, key, &s);
    if (status != ATTEST_OK)
        return status;
    if (attest_time_parse(out, s) != ATTEST_OK)
        return bad(path, key, "\"%.40s\" is not an RFC 3339 instant", s);
    return ATTEST_OK;
}

static int get_status(json_t *obj, const char *path, dcap_tcb_status *out)
{
    const char *s = NULL;
    int status = get_string(obj, path, "tcbStatus", &s);
    if (status != ATTEST_OK)
        return status;
    int v = dcap_tcb_status_parse(s);
    if (v < 0)
        return bad(path, "tcbStatus", "unknown status \"%.40s\"", s);
    *out = (dcap_tcb_status)v;
    return ATTEST_OK;
}

/* The version member: an integer, else MALFORMED; not in `ok`, UNSUPPORTED. */
static int get_version(json_t *obj, const char *path, int lo, int hi, int *out)
{
    json_t *v = NULL;
    int status = get_member(obj, path, "version", &v);
    if (status != ATTEST_OK)
        return status;
    if (!json_is_integer(v))
        return bad(path, "version", "must be an integer");
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi) {
        if (lo == hi)
            return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                    "%s.version: unsupported version %" JSON_INTEGER_FORMAT
                                    " (only %d)", path, x, lo);
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "%s.version: unsupported version %" JSON_INTEGER_FORMAT
                                " (only %d..%d)", path, x, lo, hi);
    }
    *out = (int)x;
    return ATTEST_OK;
}

static void advisories_free(dcap_advisories *a)
{
    for (size_t i = 0; i < a->count; i++)
        free(a->ids[i]);
    free(a->ids);
    a->ids = NULL;
    a->count = 0;
}

/* Optional "advisoryIDs": an array of strings. */
static int get_advisories(json_t *obj, const char *path, dcap_advisories *out)
{
    json_t *arr = json_object_get(obj, "advisoryIDs");
    if (!arr)
        return ATTEST_OK;
    if (!json_is_array(arr))
        return bad(path, "advisoryIDs", "must be an array of strings");
    size_t count = json_array_size(arr);
    if (count == 0)
        return ATTEST_OK;
    for (size_t i = 0; i < count; i++)
        if (!json_is_string(json_array_get(arr, i)))
            return bad(path, "advisoryIDs", "entry %zu is not a string", i);
    out->ids = calloc(count, sizeof *out->ids);
    if (!out->ids)
        return nomem(path);
    for (size_t i = 0; i < count; i++) {
        out->ids[i] = strdup(json_string_value(json_array_get(arr, i)));
        if (!out->ids[i]) {
            out->count = i;
            advisories_free(out);
            return nomem(path);
        }
    }
    out->count = count;
    return ATTEST_OK;
}

/* A level of an enclave identity or a TDX module identity. */
static int parse_isv_level(json_t *lv, const char *path, dcap_isv_level *out)
{
    char tpath[PATH_LEN + 8];
    json_t *tcb = NULL;
    json_int_t svn = 0;
    int status;
    if (!json_is_object(lv))
        return bad(path, NULL, "must be an object");
    if ((status = get_object(lv, path, "tcb", &tcb)) != ATTEST_OK)
        return status;
    snprintf(tpath, sizeof tpath, "%s.tcb", path);
    if ((status = get_int(tcb, tpath, "isvsvn", 0, 65535, &svn)) != ATTEST_OK ||
        (status = get_time(lv, path, "tcbDate", &out->tcb_date)) != ATTEST_OK ||
        (status = get_status(lv, path, &out->status)) != ATTEST_OK)
        return status;
    out->isvsvn = (int)svn;
    return get_advisories(lv, path, &out->advisories);
}

static void isv_levels_free(dcap_isv_level *levels, size_t count)
{
    for (size_t i = 0; levels && i < count; i++)
        advisories_free(&levels[i].advisories);
    free(levels);
}

/* tcbLevels of an identity: non-empty, JSON order kept. */
static int parse_isv_levels(json_t *obj, const char *path, dcap_isv_level **out,
                            size_t *count)
{
    char lpath[PATH_LEN];
    json_t *arr = NULL;
    int status = get_array(obj, path, "tcbLevels", true, &arr);
    if (status != ATTEST_OK)
        return status;
    size_t n = json_array_size(arr);
    *out = calloc(n, sizeof **out);
    if (!*out)
        return nomem(path);
    *count = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(lpath, sizeof lpath, "%s.tcbLevels[%zu]", path, i);
        if ((status = parse_isv_level(json_array_get(arr, i), lpath, &(*out)[i])) != ATTEST_OK)
            return status;
    }
    return ATTEST_OK;
}

/* ---- TCB Info ----------------------------------------------------------- */

/* A TCB component {svn, category?, type?}: its svn in [0, 65535], or -1
 * when component_error has something to say. */
static json_int_t component_svn(json_t *c)
{
    json_t *svn = json_object_get(c, "svn"), *s;
    if (!json_is_object(c) || !json_is_integer(svn) || json_integer_value(svn) < 0 ||
        json_integer_value(svn) > 65535)
        return -1;
    if (((s = json_object_get(c, "category")) && !json_is_string(s)) ||
        ((s = json_object_get(c, "type")) && !json_is_string(s)))
        return -1;
    return json_integer_value(svn);
}

/* Why component_svn refused `c`, named at `cpath`. */
static int component_error(json_t *c, const char *cpath)
{
    json_t *s;
    json_int_t v = 0;
    int status;
    if (!json_is_object(c))
        return bad(cpath, NULL, "must be an object");
    if ((status = get_int(c, cpath, "svn", 0, 65535, &v)) != ATTEST_OK)
        return status;
    if ((s = json_object_get(c, "category")) && !json_is_string(s))
        return bad(cpath, "category", "must be a string");
    if ((s = json_object_get(c, "type")) && !json_is_string(s))
        return bad(cpath, "type", "must be a string");
    return bad(cpath, NULL, "not a TCB component");
}

/* v3 "sgxtcbcomponents" / "tdxtcbcomponents": exactly 16 {svn, category?, type?}. */
static int parse_components(json_t *tcb, const char *path, const char *key, int svn[16])
{
    char cpath[PATH_LEN + 64];
    json_t *arr = NULL;
    int status = get_member(tcb, path, key, &arr);
    if (status != ATTEST_OK)
        return status;
    if (!json_is_array(arr))
        return bad(path, key, "must be an array");
    size_t n = json_array_size(arr);
    if (n != 16)
        return bad(path, key, "%zu entries, need 16", n);
    for (size_t i = 0; i < 16; i++) {
        json_t *c = json_array_get(arr, i);
        json_int_t v = component_svn(c);
        if (v < 0) { /* the path is written only for the error message */
            snprintf(cpath, sizeof cpath, "%s.%s[%zu]", path, key, i);
            return component_error(c, cpath);
        }
        svn[i] = (int)v;
    }
    return ATTEST_OK;
}

static int parse_tcb_level(json_t *lv, const char *path, int version, bool tdx,
                           dcap_tcb_level *out)
{
    char tpath[PATH_LEN + 8], key[32];
    json_t *tcb = NULL;
    json_int_t v = 0;
    int status;
    if (!json_is_object(lv))
        return bad(path, NULL, "must be an object");
    if ((status = get_object(lv, path, "tcb", &tcb)) != ATTEST_OK)
        return status;
    snprintf(tpath, sizeof tpath, "%s.tcb", path);
    if (version >= 3) {
        if ((status = parse_components(tcb, tpath, "sgxtcbcomponents", out->sgx_svn)) != ATTEST_OK)
            return status;
    } else {
        for (int i = 0; i < 16; i++) {
            snprintf(key, sizeof key, "sgxtcbcomp%02dsvn", i + 1);
            if ((status = get_int(tcb, tpath, key, 0, 65535, &v)) != ATTEST_OK)
                return status;
            out->sgx_svn[i] = (int)v;
        }
    }
    if ((status = get_int(tcb, tpath, "pcesvn", 0, 65535, &v)) != ATTEST_OK)
        return status;
    out->pcesvn = (int)v;
    if (tdx) {
        if ((status = parse_components(tcb, tpath, "tdxtcbcomponents", out->tdx_svn)) != ATTEST_OK)
            return status;
        out->has_tdx = true;
    }
    if ((status = get_time(lv, path, "tcbDate", &out->tcb_date)) != ATTEST_OK ||
        (status = get_status(lv, path, &out->status)) != ATTEST_OK)
        return status;
    return get_advisories(lv, path, &out->advisories);
}

/* QVL's TcbLevel order: SGX components, PCESVN, TDX components, each
 * lexicographic. <0, 0, >0 like memcmp. */
static int level_cmp(const dcap_tcb_level *a, const dcap_tcb_level *b)
{
    for (int i = 0; i < 16; i++)
        if (a->sgx_svn[i] != b->sgx_svn[i])
            return a->sgx_svn[i] < b->sgx_svn[i] ? -1 : 1;
    if (a->pcesvn != b->pcesvn)
        return a->pcesvn < b->pcesvn ? -1 : 1;
    if (a->has_tdx != b->has_tdx)
        return a->has_tdx ? 1 : -1;
    for (int i = 0; a->has_tdx && i < 16; i++)
        if (a->tdx_svn[i] != b->tdx_svn[i])
            return a->tdx_svn[i] < b->tdx_svn[i] ? -1 : 1;
    return 0;
}

typedef struct ranked_level {
    dcap_tcb_level level;
    size_t index; /* position in the JSON array */
} ranked_level;

/* Highest first; equal keys by JSON position (then reported as duplicates). */
static int ranked_cmp(const void *x, const void *y)
{
    const ranked_level *a = x, *b = y;
    int c = level_cmp(&b->level, &a->level);
    if (c != 0)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int sort_levels(dcap_tcb_info *t)
{
    size_t n = t->level_count;
    ranked_level *r = calloc(n, sizeof *r);
    if (!r)
        return nomem("dcap.tcb_info.tcbLevels");
    for (size_t i = 0; i < n; i++) {
        r[i].level = t->levels[i];
        r[i].index = i;
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    for (size_t i = 0; i < n; i++)
        t->levels[i] = r[i].level; /* ownership of advisories moves back */
    int status = ATTEST_OK;
    for (size_t i = 1; i < n; i++)
        if (level_cmp(&t->levels[i - 1], &t->levels[i]) == 0) {
            status = attest_set_error(ATTEST_E_MALFORMED,
                                      "dcap.tcb_info.tcbLevels[%zu]: duplicate of "
                                      "tcbLevels[%zu] (same SGX components, PCESVN%s)",
                                      r[i].index, r[i - 1].index,
                                      t->levels[i].has_tdx ? " and TDX components" : "");
            break;
        }
    free(r);
    return status;
}

static int parse_module_identity(json_t *obj, const char *path, dcap_tdx_module_identity *out)
{
    const char *id = NULL;
    int status;
    if (!json_is_object(obj))
        return bad(path, NULL, "must be an object");
    if ((status = get_string(obj, path, "id", &id)) != ATTEST_OK)
        return status;
    size_t idlen = strlen(id);
    if (idlen == 0 || idlen >= sizeof out->id)
        return bad(path, "id", "must be 1..%zu characters", sizeof out->id - 1);
    memcpy(out->id, id, idlen + 1);
    if ((status = get_hex(obj, path, "mrsigner", out->mrsigner, 48)) != ATTEST_OK ||
        (status = get_hex(obj, path, "attributes", out->attributes, 8)) != ATTEST_OK ||
        (status = get_hex(obj, path, "attributesMask", out->attributes_mask, 8)) != ATTEST_OK)
        return status;
    return parse_isv_levels(obj, path, &out->levels, &out->level_count);
}

static int tcb_info_fields(dcap_tcb_info *t, json_t *ti)
{
    static const char P[] = "dcap.tcb_info";
    char path[PATH_LEN];
    const char *id = NULL;
    json_t *mod = NULL, *arr = NULL;
    json_int_t v = 0;
    int status;

    if ((status = get_version(ti, P, 2, 3, &t->version)) != ATTEST_OK)
        return status;
    if (t->version == 2) {
        t->id = DCAP_TCB_INFO_SGX; /* v2 has no id (QVL parsePartV2) */
    } else {
        if ((status = get_string(ti, P, "id", &id)) != ATTEST_OK)
            return status;
        if (strcmp(id, "SGX") == 0)
            t->id = DCAP_TCB_INFO_SGX;
        else if (strcmp(id, "TDX") == 0)
            t->id = DCAP_TCB_INFO_TDX;
        else
            return bad(P, "id", "unknown id \"%.40s\" (SGX or TDX)", id);
    }
    if ((status = get_time(ti, P, "issueDate", &t->issue_date)) != ATTEST_OK ||
        (status = get_time(ti, P, "nextUpdate", &t->next_update)) != ATTEST_OK ||
        (status = get_hex(ti, P, "fmspc", t->fmspc, 6)) != ATTEST_OK ||
        (status = get_hex(ti, P, "pceId", t->pce_id, 2)) != ATTEST_OK)
        return status;
    /* tcbType 0 is the only type defined: it says how CPUSVN maps onto the
     * 16 components. Another value would change the comparison. */
    if ((status = get_int(ti, P, "tcbType", 0, 0, &v)) != ATTEST_OK)
        return status;
    t->tcb_type = (int)v;
    if ((status = get_int(ti, P, "tcbEvaluationDataNumber", 0, INT_MAX, &v)) != ATTEST_OK)
        return status;
    t->tcb_evaluation_data_number = (int)v;

    bool tdx = t->id == DCAP_TCB_INFO_TDX;
    if (tdx) {
        snprintf(path, sizeof path, "%s.tdxModule", P);
        if ((status = get_object(ti, P, "tdxModule", &mod)) != ATTEST_OK ||
            (status = get_hex(mod, path, "mrsigner", t->tdx_module_mrsigner, 48)) != ATTEST_OK ||
            (status = get_hex(mod, path, "attributes", t->tdx_module_attributes, 8)) != ATTEST_OK ||
            (status = get_hex(mod, path, "attributesMask", t->tdx_module_attributes_mask, 8)) != ATTEST_OK)
            return status;
        t->has_tdx_module = true;
        if (json_object_get(ti, "tdxModuleIdentities")) {
            if ((status = get_array(ti, P, "tdxModuleIdentities", false, &arr)) != ATTEST_OK)
                return status;
            size_t n = json_array_size(arr);
            if (n > 0) {
                t->module_identities = calloc(n, sizeof *t->module_identities);
                if (!t->module_identities)
                    return nomem(P);
                t->module_identity_count = n;
            }
            for (size_t i = 0; i < n; i++) {
                snprintf(path, sizeof path, "%s.tdxModuleIdentities[%zu]", P, i);
                if ((status = parse_module_identity(json_array_get(arr, i), path,
                                                    &t->module_identities[i])) != ATTEST_OK)
                    return status;
            }
        }
    }

    if ((status = get_array(ti, P, "tcbLevels", true, &arr)) != ATTEST_OK)
        return status;
    size_t n = json_array_size(arr);
    t->levels = calloc(n, sizeof *t->levels);
    if (!t->levels)
        return nomem(P);
    t->level_count = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s.tcbLevels[%zu]", P, i);
        if ((status = parse_tcb_level(json_array_get(arr, i), path, t->version, tdx,
                                      &t->levels[i])) != ATTEST_OK)
            return status;
    }
    return sort_levels(t);
}

/* Shared envelope handling: the span of `member`, the jansson document, the
 * member object and the decoded signature. */
static int load_envelope(const uint8_t *data, size_t len, const char *path,
                         const char *member, json_t **root, json_t **obj,
                         uint8_t **body, size_t *body_len, uint8_t sig[64])
{
    size_t off = 0, n = 0, bad_at = 0;
    json_error_t jerr;
    *root = NULL;
    *body = NULL;
    int r = json_scan(data, len, member, &off, &n, &bad_at);
    if (r < 0)
        return bad(path, NULL, "not a valid JSON object (byte %zu of %zu)", bad_at, len);
    if (r > 0)
        return bad(path, NULL, "no top-level \"%s\" member", member);
    errno = 0;
    *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
    /* jansson reports a failed allocation as a syntax error, or drops the
     * byte it could not store from a value it then returns: neither is a
     * verdict on the document. */
    if (attest_alloc_failed())
        return attest_set_error(ATTEST_E_NOMEM, "%s: out of memory", path);
    if (!*root)
        return bad(path, NULL, "JSON: %s (byte %d)", jerr.text, jerr.position);
    if (!json_is_object(*root)) /* the scanner already checked; belt and braces */
        return bad(path, NULL, "must be a JSON object");
    int status = get_object(*root, path, member, obj);
    if (status != ATTEST_OK)
        return status;
    if ((status = get_hex(*root, path, "signature", sig, 64)) != ATTEST_OK)
        return status;
    *body = malloc(n);
    if (!*body)
        return nomem(path);
    memcpy(*body, data + off, n);
    *body_len = n;
    return ATTEST_OK;
}

int dcap_tcb_info_parse(dcap_tcb_info **out, const uint8_t *data, size_t len)
{
    json_t *root = NULL, *ti = NULL;
    if (!out || !data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "dcap.tcb_info: NULL argument");
    *out = NULL;
    dcap_tcb_info *t = calloc(1, sizeof *t);
    if (!t)
        return nomem("dcap.tcb_info");
    int status = load_envelope(data, len, "dcap.tcb_info", "tcbInfo", &root, &ti,
                               &t->body, &t->body_len, t->signature);
    if (status == ATTEST_OK)
        status = tcb_info_fields(t, ti);
    json_decref(root);
    if (status != ATTEST_OK) {
        dcap_tcb_info_free(t);
        return status;
    }
    *out = t;
    return ATTEST_OK;
}

void dcap_tcb_info_free(dcap_tcb_info *t)
{
    if (!t)
        return;
    for (size_t i = 0; t->levels && i < t->level_count; i++)
        advisories_free(&t->levels[i].advisories);
    free(t->levels);
    for (size_t i = 0; t->module_identities && i < t->module_identity_count; i++)
        isv_levels_free(t->module_identities[i].levels, t->module_identities[i].level_count);
    free(t->module_identities);
    free(t->body);
    free(t);
}

/* ---- Enclave Identity --------------------------------------------------- */

static int qe_identity_fields(dcap_qe_identity *q, json_t *ei)
{
    static const char P[] = "dcap.qe_identity";
    const char *id = NULL;
    uint8_t be[4];
    json_int_t v = 0;
    int status;

    /* v1 (no id, different members) is what QVL refuses for TDX; Intel
     * serves v2 only for current APIs. */
    if ((status = get_version(ei, P, 2, 2, &q->version)) != ATTEST_OK)
        return status;
    if ((status = get_string(ei, P, "id", &id)) != ATTEST_OK)
        return status;
    if (strcmp(id, "QE") == 0)
        q->id = DCAP_ID_QE;
    else if (strcmp(id, "TD_QE") == 0)
        q->id = DCAP_ID_TD_QE;
    else if (strcmp(id, "QVE") == 0)
        q->id = DCAP_ID_QVE;
    else
        return bad(P, "id", "unknown id \"%.40s\" (QE, TD_QE or QVE)", id);
    if ((status = get_time(ei, P, "issueDate", &q->issue_date)) != ATTEST_OK ||
        (status = get_time(ei, P, "nextUpdate", &q->next_update)) != ATTEST_OK ||
        (status = get_int(ei, P, "tcbEvaluationDataNumber", 0, INT_MAX, &v)) != ATTEST_OK)
        return status;
    q->tcb_evaluation_data_number = (int)v;
    /* miscselect is written as a big-endian hex number ("00000000"). */
    if ((status = get_hex(ei, P, "miscselect", be, 4)) != ATTEST_OK)
        return status;
    q->miscselect = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
    if ((status = get_hex(ei, P, "miscselectMask", be, 4)) != ATTEST_OK)
        return status;
    q->miscselect_mask = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
    if ((status = get_hex(ei, P, "attributes", q->attributes, 16)) != ATTEST_OK ||
        (status = get_hex(ei, P, "attributesMask", q->attributes_mask, 16)) != ATTEST_OK ||
        (status = get_hex(ei, P, "mrsigner", q->mrsigner, 32)) != ATTEST_OK ||
        (status = get_int(ei, P, "isvprodid", 0, 65535, &v)) != ATTEST_OK)
        return status;
    q->isvprodid = (uint16_t)v;
    return parse_isv_levels(ei, P, &q->levels, &q->level_count);
}

int dcap_qe_identity_parse(dcap_qe_identity **out, const uint8_t *data, size_t len)
{
    json_t *root = NULL, *ei = NULL;
    if (!out || !data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "dcap.qe_identity: NULL argument");
    *out = NULL;
    dcap_qe_identity *q = calloc(1, sizeof *q);
    if (!q)
        return nomem("dcap.qe_identity");
    int status = load_envelope(data, len, "dcap.qe_identity", "enclaveIdentity", &root,
                               &ei, &q->body, &q->body_len, q->signature);
    if (status == ATTEST_OK)
        status = qe_identity_fields(q, ei);
    json_decref(root);
    if (status != ATTEST_OK) {
        dcap_qe_identity_free(q);
        return status;
    }
    *out = q;
    return ATTEST_OK;
}

void dcap_qe_identity_free(dcap_qe_identity *q)
{
    if (!q)
        return;
    isv_levels_free(q->levels, q->level_count);
    free(q->body);
    free(q);
}

/* ---- summaries ---------------------------------------------------------- */

static json_t *time_json(int64_t t)
{
    char buf[32];
    attest_time_format(buf, sizeof buf, t);
    return json_string(buf);
}

static const char *identity_id_name(dcap_identity_id id)
{
    switch (id) {
    case DCAP_ID_QE: return "QE";
    case DCAP_ID_TD_QE: return "TD_QE";
    case DCAP_ID_QVE: return "QVE";
    }
    return "unknown";
}

json_t *dcap_tcb_info_to_json(const dcap_tcb_info *t)
{
    if (!t)
        return NULL;
    json_t *o = json_pack("{s:s, s:i, s:o, s:o, s:i, s:o, s:o, s:i, s:I}",
                          "id", t->id == DCAP_TCB_INFO_TDX ? "TDX" : "SGX",
                          "version", t->version,
                          "fmspc", attest_json_hex(t->fmspc, 6),
                          "pce_id", attest_json_hex(t->pce_id, 2),
                          "tcb_type", t->tcb_type,
                          "issue_date", time_json(t->issue_date),
                          "next_update", time_json(t->next_update),
                          "tcb_evaluation_data_number", t->tcb_evaluation_data_number,
                          "tcb_level_count", (json_int_t)t->level_count);
    if (o && t->id == DCAP_TCB_INFO_TDX &&
        json_object_set_new(o, "tdx_module_identity_count",
                            json_integer((json_int_t)t->module_identity_count)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *dcap_qe_identity_to_json(const dcap_qe_identity *q)
{
    if (!q)
        return NULL;
    return json_pack("{s:s, s:i, s:o, s:o, s:i, s:o, s:i, s:I}",
                     "id", identity_id_name(q->id),
                     "version", q->version,
                     "issue_date", time_json(q->issue_date),
                     "next_update", time_json(q->next_update),
                     "tcb_evaluation_data_number", q->tcb_evaluation_data_number,
                     "mrsigner", attest_json_hex(q->mrsigner, 32),
                     "isvprodid", (int)q->isvprodid,
                     "tcb_level_count", (json_int_t)q->level_count);
}
