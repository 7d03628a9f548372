/* SEV-SNP certificate table and Trustee evidence JSON (snp_certs.h). */
#include "snp_certs.h"
#include "../base/reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The table's GUIDs in RFC 4122 byte order (research/snp.md, go-sev-guest
 * abi/abi.go). */
static const struct {
    snp_cert_guid id;
    const char *name;
    uint8_t bytes[16];
} known_guids[] = {
    {SNP_GUID_VCEK, "VCEK", {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                             0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd}},
    {SNP_GUID_VLEK, "VLEK", {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                             0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1}},
    {SNP_GUID_ASK, "ASK/ASVK", {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82}},
    {SNP_GUID_ARK, "ARK", {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                           0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae}},
    {SNP_GUID_EXTRA_PLATFORM_INFO, "ExtraPlatformInfo",
     {0xec, 0xae, 0x0c, 0x0f, 0x95, 0x02, 0x43, 0xb1,
      0xaf, 0xa2, 0x0a, 0xe2, 0xe0, 0xd5, 0x65, 0xb6}},
};

#define GUID_COUNT (sizeof known_guids / sizeof known_guids[0])

/* The GUID in the other byte order: the first three fields reversed. */
static void swap_guid(uint8_t out[16], const uint8_t in[16])
{
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        out[i] = in[order[i]];
}

static snp_cert_guid guid_of(const uint8_t *p)
{
    uint8_t swapped[16];
    swap_guid(swapped, p);
    for (size_t i = 0; i < GUID_COUNT; i++)
        if (memcmp(p, known_guids[i].bytes, 16) == 0 ||
            memcmp(swapped, known_guids[i].bytes, 16) == 0)
            return known_guids[i].id;
    return SNP_GUID_UNKNOWN;
}

const char *snp_cert_guid_name(snp_cert_guid g)
{
    for (size_t i = 0; i < GUID_COUNT; i++)
        if (known_guids[i].id == g)
            return known_guids[i].name;
    return "unknown";
}

bool snp_cert_table_detect(const uint8_t *data, size_t len)
{
    return data && len >= SNP_CERT_TABLE_ENTRY && guid_of(data) != SNP_GUID_UNKNOWN;
}

__attribute__((format(printf, 3, 4)))
static int table_bad(size_t i, const char *field, const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return attest_set_error(ATTEST_E_MALFORMED, "snp.cert_table[%zu].%s: %s", i, field, why);
}

/* Entry i against the table end, the blob and the entries before it. */
static int check_entry(const snp_cert_table *t, size_t i, size_t table_end, size_t len)
{
    const snp_cert_entry *e = &t->entries[i];
    if (e->length == 0)
        return table_bad(i, "length", "is 0");
    if (e->offset < table_end)
        return table_bad(i, "offset", "0x%zx points into the table (it ends at 0x%zx)",
                         e->offset, table_end);
    if (e->offset > len || e->length > len - e->offset)
        return table_bad(i, "length", "0x%zx bytes at 0x%zx do not fit in the blob of 0x%zx",
                         e->length, e->offset, len);
    for (size_t k = 0; k < i; k++) {
        const snp_cert_entry *o = &t->entries[k];
        if (o->guid == e->guid) /* by identity: either byte order */
            return table_bad(i, "guid", "%s already given by entry %zu",
                             snp_cert_guid_name(e->guid), k);
        if (e->offset < o->offset + o->length && o->offset < e->offset + e->length)
            return table_bad(i, "offset", "its bytes overlap those of entry %zu", k);
    }
    return ATTEST_OK;
}

int snp_cert_table_parse(snp_cert_table *out, const uint8_t *data, size_t len)
{
    static const uint8_t zero[SNP_CERT_TABLE_ENTRY] = {0};
    memset(out, 0, sizeof *out);
    attest_reader r = attest_reader_init(data, 0, len);
    for (size_t i = 0;; i++) {
        size_t at;
        uint32_t offset, length;
        if (attest_reader_take(&r, 16, "snp.cert_table.guid", &at) != ATTEST_OK)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "snp.cert_table: no all-zero entry ends the table");
        if (memcmp(data + at, zero, 16) == 0) { /* the terminator, or no table */
            if (len - at >= sizeof zero && memcmp(data + at, zero, sizeof zero) == 0)
                break;
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "snp.cert_table[%zu]: a zero GUID, yet not the all-zero "
                                    "entry that ends the table", i);
        }
        if (i == SNP_CERT_TABLE_MAX)
            return table_bad(i, "guid", "more than %d entries", SNP_CERT_TABLE_MAX);
        snp_cert_entry *e = &out->entries[i];
        if ((e->guid = guid_of(data + at)) == SNP_GUID_UNKNOWN)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "snp.cert_table[%zu].guid: unknown GUID (known: VCEK, VLEK, "
                                    "ASK/ASVK, ARK, ExtraPlatformInfo)", i);
        if (attest_reader_u32(&r, "snp.cert_table.offset", &offset) != ATTEST_OK ||
            attest_reader_u32(&r, "snp.cert_table.length", &length) != ATTEST_OK)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "snp.cert_table[%zu]: truncated entry", i);
        e->offset = offset;
        e->length = length;
        out->count = i + 1;
    }
    size_t table_end = (out->count + 1) * SNP_CERT_TABLE_ENTRY;
    for (size_t i = 0; i < out->count; i++) {
        int status = check_entry(out, i, table_end, len);
        if (status != ATTEST_OK)
            return status;
    }
    if (out->count == 0)
        return attest_set_error(ATTEST_E_MALFORMED, "snp.cert_table: no entry");
    return ATTEST_OK;
}

/* ---- Trustee evidence JSON ------------------------------------------- */

bool snp_trustee_json_detect(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i >= len || data[i] != '{')
        return false;
    json_t *doc = json_loadb((const char *)data, len, 0, NULL);
    json_t *report = json_object_get(doc, "attestation_report");
    bool found = json_is_object(report) && json_object_get(report, "signature") &&
                 json_object_get(report, "measurement");
    json_decref(doc);
    return found;
}

typedef enum field_kind { F_UINT, F_BYTES, F_TCB, F_FIRMWARE, F_SIGNATURE } field_kind;

typedef struct report_field {
    const char *name;
    field_kind kind;
    size_t offset, size; /* size: bytes of a UINT or BYTES field */
    bool optional;       /* absent or null: zero (CPUID of v2, v5 vectors) */
} report_field;

/* The serde members of the sev crate's AttestationReport and where the
 * ABI puts them (snp_report.c's offsets). */
static const report_field fields[] = {
    {"version", F_UINT, 0x000, 4, false}, {"guest_svn", F_UINT, 0x004, 4, false},
    {"policy", F_UINT, 0x008, 8, false}, {"family_id", F_BYTES, 0x010, 16, false},
    {"image_id", F_BYTES, 0x020, 16, false}, {"vmpl", F_UINT, 0x030, 4, false},
    {"sig_algo", F_UINT, 0x034, 4, false}, {"current_tcb", F_TCB, 0x038, 8, false},
    {"plat_info", F_UINT, 0x040, 8, false}, {"key_info", F_UINT, 0x048, 4, false},
    {"report_data", F_BYTES, 0x050, 64, false}, {"measurement", F_BYTES, 0x090, 48, false},
    {"host_data", F_BYTES, 0x0C0, 32, false}, {"id_key_digest", F_BYTES, 0x0E0, 48, false},
    {"author_key_digest", F_BYTES, 0x110, 48, false}, {"report_id", F_BYTES, 0x140, 32, false},
    {"report_id_ma", F_BYTES, 0x160, 32, false}, {"reported_tcb", F_TCB, 0x180, 8, false},
    {"cpuid_fam_id", F_UINT, 0x188, 1, true}, {"cpuid_mod_id", F_UINT, 0x189, 1, true},
    {"cpuid_step", F_UINT, 0x18A, 1, true}, {"chip_id", F_BYTES, 0x1A0, 64, false},
    {"committed_tcb", F_TCB, 0x1E0, 8, false}, {"current", F_FIRMWARE, 0x1E8, 4, false},
    {"committed", F_FIRMWARE, 0x1EC, 4, false}, {"launch_tcb", F_TCB, 0x1F0, 8, false},
    {"launch_mit_vector", F_UINT, 0x1F8, 8, true}, {"current_mit_vector", F_UINT, 0x200, 8, true},
    {"signature", F_SIGNATURE, 0x2A0, 144, false},
};

#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static int json_bad(const char *member, const char *why)
{
    return attest_set_error(ATTEST_E_MALFORMED, "snp.json.attestation_report.%s: %s", member,
                            why);
}

/* An integer below 2^(8*size) (jansson reads up to 2^63-1), little-endian. */
static int put_uint(uint8_t *out, json_t *v, size_t size, const char *member)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return json_bad(member, "must be a non-negative integer");
    uint64_t x = (uint64_t)json_integer_value(v);
    if (size < 8 && x >> (8 * size))
        return json_bad(member, "out of range");
    for (size_t i = 0; i < size; i++)
        out[i] = (uint8_t)(x >> (8 * i));
    return ATTEST_OK;
}

static int put_bytes(uint8_t *out, json_t *v, size_t size, const char *member)
{
    if (!json_is_array(v) || json_array_size(v) != size)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "snp.json.attestation_report.%s: must be an array of %zu bytes",
                                member, size);
    for (size_t i = 0; i < size; i++) {
        json_t *b = json_array_get(v, i);
        if (!json_is_integer(b) || json_integer_value(b) < 0 || json_integer_value(b) > 255)
            return json_bad(member, "holds a value that is not a byte");
        out[i] = (uint8_t)json_integer_value(b);
    }
    return ATTEST_OK;
}

/* Only the members named in `allowed` (NULL-terminated) may appear. */
static int only_members(json_t *o, const char *const *allowed, const char *member)
{
    const char *key;
    json_t *value;
    if (!json_is_object(o))
        return json_bad(member, "must be an object");
    json_object_foreach(o, key, value) {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], key))
            k++;
        if (!allowed[k])
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "snp.json.attestation_report.%s.%s: unknown member", member,
                                    key);
    }
    return ATTEST_OK;
}

/* TcbVersion {fmc, bootloader, tee, snp, microcode}: with "fmc" set the
 * Turin layout [fmc, bl, tee, snp, 0, 0, 0, ucode], else Milan/Genoa's
 * [bl, tee, 0, 0, 0, 0, snp, ucode]. A wrong guess fails the signature. */
static int put_tcb(uint8_t *out, json_t *v, const char *member)
{
    static const char *const names[] = {"fmc", "bootloader", "tee", "snp", "microcode", NULL};
    static const size_t milan[] = {0, 0, 1, 6, 7}, turin[] = {0, 1, 2, 3, 7};
    int status = only_members(v, names, member);
    json_t *fmc = json_object_get(v, "fmc");
    bool is_turin = fmc && !json_is_null(fmc);
    for (size_t i = is_turin ? 0 : 1; status == ATTEST_OK && i < 5; i++) {
        uint8_t b;
        status = put_uint(&b, json_object_get(v, names[i]), 1, member);
        out[is_turin ? turin[i] : milan[i]] = b;
    }
    return status;
}

/* Version {major, minor, build}: the ABI's [build, minor, major, 0]. */
static int put_firmware(uint8_t *out, json_t *v, const char *member)
{
    static const char *const names[] = {"build", "minor", "major", NULL};
    int status = only_members(v, names, member);
    for (size_t i = 0; status == ATTEST_OK && i < 3; i++)
        status = put_uint(out + i, json_object_get(v, names[i]), 1, member);
    return status;
}

/* Signature {r, s}: 72 little-endian bytes each, then zeros. */
static int put_signature(uint8_t *out, json_t *v, const char *member)
{
    static const char *const names[] = {"r", "s", NULL};
    int status = only_members(v, names, member);
    if (status == ATTEST_OK)
        status = put_bytes(out, json_object_get(v, "r"), SNP_SIG_COMPONENT_SIZE, "signature.r");
    if (status == ATTEST_OK)
        status = put_bytes(out + SNP_SIG_COMPONENT_SIZE, json_object_get(v, "s"),
                           SNP_SIG_COMPONENT_SIZE, "signature.s");
    return status;
}

static int put_field(uint8_t *report, const report_field *f, json_t *v)
{
    if (!v || json_is_null(v))
        return f->optional ? ATTEST_OK : json_bad(f->name, "missing");
    uint8_t *out = report + f->offset;
    switch (f->kind) {
    case F_UINT: return put_uint(out, v, f->size, f->name);
    case F_BYTES: return put_bytes(out, v, f->size, f->name);
    case F_TCB: return put_tcb(out, v, f->name);
    case F_FIRMWARE: return put_firmware(out, v, f->name);
    case F_SIGNATURE: return put_signature(out, v, f->name);
    }
    return json_bad(f->name, "internal: unknown field kind");
}

static int rebuild_report(uint8_t report[SNP_REPORT_SIZE], json_t *o)
{
    const char *key;
    json_t *value;
    memset(report, 0, SNP_REPORT_SIZE);
    if (!json_is_object(o))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "snp.json.attestation_report: must be an object");
    json_object_foreach(o, key, value) {
        size_t k = 0;
        while (k < FIELD_COUNT && strcmp(fields[k].name, key))
            k++;
        if (k == FIELD_COUNT)
            return json_bad(key, "unknown member (not a field of the sev crate's report)");
    }
    for (size_t k = 0; k < FIELD_COUNT; k++) {
        int status = put_field(report, &fields[k], json_object_get(o, fields[k].name));
        if (status != ATTEST_OK)
            return status;
    }
    return ATTEST_OK;
}

static int read_cert(snp_json_cert *c, json_t *entry, size_t i)
{
    static const char *const types[] = {"VCEK", "VLEK", "ASK", "ASVK", "ARK"};
    const char *type = json_string_value(json_object_get(entry, "cert_type"));
    json_t *data = json_object_get(entry, "data");
    size_t t = 0;
    while (type && t < 5 && strcmp(type, types[t]))
        t++;
    if (!type || t == 5)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "snp.json.cert_chain[%zu].cert_type: not VCEK, VLEK, ASK, ASVK "
                                "or ARK", i);
    if (!json_is_array(data) || json_array_size(data) == 0)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "snp.json.cert_chain[%zu].data: must be an array of bytes", i);
    snprintf(c->type, sizeof c->type, "%s", type);
    c->len = json_array_size(data);
    if (!(c->der = malloc(c->len)))
        return attest_set_error(ATTEST_E_NOMEM, "snp.json: out of memory");
    return put_bytes(c->der, data, c->len, "cert_chain[].data");
}

static int read_certs(snp_trustee_evidence *out, json_t *chain)
{
    size_t i;
    json_t *entry;
    if (!chain || json_is_null(chain))
        return ATTEST_OK;
    if (!json_is_array(chain) || json_array_size(chain) > SNP_CERT_TABLE_MAX)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "snp.json.cert_chain: must be an array of at most %d entries",
                                SNP_CERT_TABLE_MAX);
    json_array_foreach(chain, i, entry) {
        int status = read_cert(&out->certs[i], entry, i);
        out->cert_count = i + 1; /* released on error too */
        if (status != ATTEST_OK)
            return status;
    }
    return ATTEST_OK;
}

int snp_trustee_json_parse(snp_trustee_evidence *out, const uint8_t *data, size_t len)
{
    json_error_t err;
    memset(out, 0, sizeof *out);
    json_t *doc = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
        return attest_set_error(ATTEST_E_MALFORMED, "snp.json: line %d: %s", err.line, err.text);
    const char *key;
    json_t *value;
    int status = ATTEST_OK;
    json_object_foreach(doc, key, value) {
        if (status == ATTEST_OK && strcmp(key, "attestation_report") && strcmp(key, "cert_chain"))
            status = attest_set_error(ATTEST_E_MALFORMED, "snp.json.%s: unknown member", key);
    }
    if (status == ATTEST_OK)
        status = rebuild_report(out->report, json_object_get(doc, "attestation_report"));
    if (status == ATTEST_OK)
        status = read_certs(out, json_object_get(doc, "cert_chain"));
    json_decref(doc);
    if (status != ATTEST_OK)
        snp_trustee_evidence_release(out);
    return status;
}

void snp_trustee_evidence_release(snp_trustee_evidence *e)
{
    for (size_t i = 0; i < e->cert_count; i++)
        free(e->certs[i].der);
    e->cert_count = 0;
}
