/* Evidence bundles (docs/bundle.md): one machine's evidence (a CPU report
 * or quote, 0..12 GPU/NVSwitch reports), the nonce they answer, and every
 * collateral item needed to verify them offline, as one JSON document. */
#include "api.h"
#include "bundle.h"
#include "../parse/spdm_report.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUNDLE_VERSION 1

bool attest_bundle_detect(const uint8_t *data, size_t len)
{
    static const char marker[] = "\"attest_bundle\"";
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i >= len || data[i] != '{')
        return false;
    /* Members may come in any order: look through the whole document. */
    for (size_t k = i; k + sizeof marker - 1 <= len; k++)
        if (data[k] == '"' && memcmp(data + k, marker, sizeof marker - 1) == 0)
            return true;
    return false;
}

void attest_bundle_free(attest_bundle *b)
{
    if (!b)
        return;
    attest_evidence_free(b->cpu);
    if (b->gpus) {
        nv_evidence_set_release(b->gpus);
        free(b->gpus);
    }
    attest_collateral_free(b->collateral);
    free(b);
}

static int bad(const char *path, const char *why)
{
    return attest_set_error(ATTEST_E_MALFORMED, "bundle.%s: %s", path, why);
}

static int decode_member(json_t *v, const char *path, uint8_t **out, size_t *len)
{
    const char *text = json_string_value(v);
    if (!text)
        return bad(path, "must be a base64 string");
    int rc = attest_base64_decode(text, strlen(text), out, len);
    if (rc == -2)
        return attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    return rc ? bad(path, "is not valid base64") : ATTEST_OK;
}

/* The members of "cpu" that hold the other parts of Azure evidence whose
 * "evidence" is the HCL report, in attest_part_kind order from
 * ATTEST_PART_TPM_QUOTE. */
static const char *const cpu_part_members[] = {"tpm_quote", "tpm_signature", "tpm_pcrs",
                                               "td_quote"};
#define CPU_PARTS (sizeof cpu_part_members / sizeof cpu_part_members[0])

static int check_cpu_members(json_t *cpu)
{
    const char *key;
    json_t *value;
    json_object_foreach(cpu, key, value) {
        bool known = !strcmp(key, "evidence");
        for (size_t i = 0; i < CPU_PARTS && !known; i++)
            known = !strcmp(key, cpu_part_members[i]);
        if (!known) {
            char path[96];
            snprintf(path, sizeof path, "cpu.%.80s", key);
            return bad(path, "unknown member");
        }
    }
    return ATTEST_OK;
}

/* "evidence" and the Azure part members present, decoded: bytes[0] the
 * evidence, then the parts in attest_part_kind order; *n how many. */
static int decode_cpu(json_t *cpu, attest_part_kind kinds[1 + CPU_PARTS],
                      uint8_t *bytes[1 + CPU_PARTS], size_t lens[1 + CPU_PARTS], size_t *n)
{
    int status = decode_member(json_object_get(cpu, "evidence"), "cpu.evidence", &bytes[0],
                               &lens[0]);
    kinds[0] = ATTEST_PART_HCL_REPORT;
    *n = status == ATTEST_OK;
    for (size_t i = 0; status == ATTEST_OK && i < CPU_PARTS; i++) {
        json_t *v = json_object_get(cpu, cpu_part_members[i]);
        char path[32];
        if (!v)
            continue;
        snprintf(path, sizeof path, "cpu.%s", cpu_part_members[i]);
        kinds[*n] = (attest_part_kind)(ATTEST_PART_TPM_QUOTE + i);
        status = decode_member(v, path, &bytes[*n], &lens[*n]);
        *n += status == ATTEST_OK;
    }
    return status;
}

/* "evidence" alone is parsed as if given alone (SNP report, DCAP quote,
 * Azure HCL report or Trustee container); with part members it is the
 * HCL report and they are its other parts (attest_evidence_from_parts). */
static int read_cpu(attest_bundle *b, json_t *cpu)
{
    attest_part_kind kinds[1 + CPU_PARTS];
    uint8_t *bytes[1 + CPU_PARTS];
    size_t lens[1 + CPU_PARTS], n = 0;
    if (!cpu || json_is_null(cpu))
        return ATTEST_OK;
    if (!json_is_object(cpu))
        return bad("cpu", "must be an object");
    int status = check_cpu_members(cpu);
    if (status == ATTEST_OK)
        status = decode_cpu(cpu, kinds, bytes, lens, &n);
    if (status == ATTEST_OK && n == 1)
        status = attest_evidence_parse(&b->cpu, bytes[0], lens[0]);
    else if (status == ATTEST_OK)
        status = attest_evidence_from_parts(&b->cpu, kinds, (const uint8_t *const *)bytes,
                                            lens, n);
    for (size_t i = 0; i < n; i++)
        free(bytes[i]);
    if (status != ATTEST_OK)
        return status;
    if (b->cpu->format != ATTEST_FORMAT_SNP_REPORT && b->cpu->format != ATTEST_FORMAT_DCAP_QUOTE &&
        b->cpu->format != ATTEST_FORMAT_AZURE_VTPM)
        return bad("cpu.evidence", "is not an SEV-SNP report, a DCAP quote or Azure evidence");
    return ATTEST_OK;
}

static int read_gpu(nv_device_evidence *d, json_t *g, size_t i)
{
    char path[48];
    uint8_t *bytes = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "gpus[%zu].evidence", i);
    if (!json_is_object(g))
        return bad(path, "entry must be an object");
    int status = decode_member(json_object_get(g, "evidence"), path, &bytes, &len);
    if (status != ATTEST_OK)
        return status;
    status = nv_report_parse(&d->report, bytes, len);
    free(bytes);
    if (status != ATTEST_OK)
        return status;
    json_t *chain = json_object_get(g, "certificate");
    if (chain && !json_is_null(chain)) {
        if (!json_is_string(chain))
            return bad("gpus[].certificate", "must be PEM text");
        if (!(d->chain_pem = strdup(json_string_value(chain))))
            return attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    }
    return ATTEST_OK;
}

static int read_gpus(attest_bundle *b, json_t *gpus)
{
    size_t i;
    json_t *g;
    if (!gpus || json_is_null(gpus) || (json_is_array(gpus) && json_array_size(gpus) == 0))
        return ATTEST_OK;
    if (!json_is_array(gpus) || json_array_size(gpus) > NV_MAX_DEVICES)
        return bad("gpus", "must be an array of at most 12 devices");
    if (!(b->gpus = calloc(1, sizeof *b->gpus)))
        return attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    json_array_foreach(gpus, i, g) {
        int status = read_gpu(&b->gpus->devices[i], g, i);
        b->gpus->count = i + 1; /* released on error too */
        if (status != ATTEST_OK)
            return status;
    }
    return ATTEST_OK;
}

static int read_collateral(attest_bundle *b, json_t *items)
{
    size_t i;
    json_t *item;
    int status = attest_collateral_new(&b->collateral);
    if (status != ATTEST_OK || !items || json_is_null(items))
        return status;
    if (!json_is_array(items))
        return bad("collateral", "must be an array");
    json_array_foreach(items, i, item) {
        char path[48];
        uint8_t *bytes = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "collateral[%zu].data", i);
        if (!json_is_object(item))
            return bad("collateral[]", "entries must be objects");
        if ((status = decode_member(json_object_get(item, "data"), path, &bytes, &len)) != ATTEST_OK)
            return status;
        status = len ? attest_collateral_add(b->collateral, bytes, len)
                     : bad(path, "is empty");
        free(bytes);
        if (status != ATTEST_OK)
            return status;
    }
    return ATTEST_OK;
}

static int read_nonce(attest_bundle *b, json_t *nonce)
{
    const char *hex = json_string_value(nonce);
    if (!nonce || json_is_null(nonce))
        return ATTEST_OK;
    size_t n = hex ? strlen(hex) : 0;
    if (!hex || n == 0 || n % 2 || n / 2 > sizeof b->nonce ||
        attest_hex_decode(b->nonce, n / 2, hex) != 0)
        return bad("nonce", "must be 2 to 128 hex digits");
    b->nonce_len = n / 2;
    return ATTEST_OK;
}

int attest_bundle_parse(attest_bundle **out, const uint8_t *data, size_t len)
{
    json_error_t err;
    *out = NULL;
    errno = 0;
    json_t *doc = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
    if (attest_alloc_failed()) { /* a syntax error or a dropped byte: no verdict */
        json_decref(doc);
        return attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    }
    if (!doc)
        return attest_set_error(ATTEST_E_MALFORMED, "bundle: line %d: %s", err.line, err.text);
    attest_bundle *b = calloc(1, sizeof *b);
    int status = b ? ATTEST_OK : attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    json_t *version = json_object_get(doc, "attest_bundle");
    if (status == ATTEST_OK && (!json_is_integer(version) || json_integer_value(version) != BUNDLE_VERSION))
        status = attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                  "bundle.attest_bundle: only version %d is defined", BUNDLE_VERSION);
    const char *key;
    json_t *value;
    json_object_foreach(doc, key, value) {
        if (status == ATTEST_OK && strcmp(key, "attest_bundle") && strcmp(key, "nonce") &&
            strcmp(key, "cpu") && strcmp(key, "gpus") && strcmp(key, "collateral") &&
            strcmp(key, "created") && strcmp(key, "description"))
            status = bad(key, "unknown member");
    }
    if (status == ATTEST_OK)
        status = read_nonce(b, json_object_get(doc, "nonce"));
    if (status == ATTEST_OK)
        status = read_cpu(b, json_object_get(doc, "cpu"));
    if (status == ATTEST_OK)
        status = read_gpus(b, json_object_get(doc, "gpus"));
    if (status == ATTEST_OK)
        status = read_collateral(b, json_object_get(doc, "collateral"));
    if (status == ATTEST_OK && !b->cpu && !b->gpus)
        status = bad("cpu", "a bundle holds a CPU report or quote, GPU reports, or both");
    json_decref(doc);
    if (status != ATTEST_OK) {
        attest_bundle_free(b);
        return status;
    }
    *out = b;
    return ATTEST_OK;
}

/* ---- creation ------------------------------------------------------------ */

static json_t *b64_json(const uint8_t *data, size_t len)
{
    size_t n = 4 * ((len + 2) / 3) + 1;
    char *text = malloc(n);
    if (!text)
        return NULL;
    EVP_EncodeBlock((unsigned char *)text, data, (int)len);
    json_t *s = json_string(text);
    free(text);
    return s;
}

static int add_gpu(json_t *gpus, const uint8_t *report, size_t len, const char *chain)
{
    if (json_array_size(gpus) >= NV_MAX_DEVICES)
        return attest_set_error(ATTEST_E_INVALID_ARG, "bundle: more than %d GPU/NVSwitch reports",
                                NV_MAX_DEVICES);
    json_t *entry = json_pack("{s:o, s:s?}", "evidence", b64_json(report, len), "certificate", chain);
    if (!entry || json_array_append_new(gpus, entry) != 0)
        return attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    return ATTEST_OK;
}

/* An item attest_classify recognised but that cannot go into a bundle:
 * ATTEST_E_COLLATERAL_UNKNOWN naming the item, with the reason. */
static int unusable(size_t index, attest_item_kind kind)
{
    char why[256];
    snprintf(why, sizeof why, "%s", attest_error_last());
    return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                            "bundle: item %zu does not parse as %s: %s", index,
                            attest_item_kind_name(kind), why);
}

/* CPU or GPU evidence, parsed now so that the bundle made is one that
 * parses; a JSON container's devices are split out with their chains. */
static int add_evidence(json_t *doc, const uint8_t *data, size_t len, size_t index,
                        attest_item_kind kind)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, data, len);
    if (status != ATTEST_OK)
        return unusable(index, kind);
    if (ev->format == ATTEST_FORMAT_SNP_REPORT || ev->format == ATTEST_FORMAT_DCAP_QUOTE ||
        ev->format == ATTEST_FORMAT_AZURE_VTPM) {
        if (json_object_get(doc, "cpu"))
            status = attest_set_error(ATTEST_E_INVALID_ARG,
                                      "bundle: item %zu is a second CPU evidence", index);
        else
            json_object_set_new(doc, "cpu", json_pack("{s:o}", "evidence", b64_json(data, len)));
    } else if (ev->format == ATTEST_FORMAT_NVIDIA) {
        json_t *gpus = json_object_get(doc, "gpus");
        for (size_t i = 0; status == ATTEST_OK && i < ev->nv->count; i++) {
            const nv_device_evidence *d = &ev->nv->devices[i];
            status = add_gpu(gpus, d->report->raw, d->report->raw_len, d->chain_pem);
        }
    } else {
        status = attest_set_error(ATTEST_E_INVALID_ARG,
                                  "bundle: item %zu is itself a bundle", index);
    }
    attest_evidence_free(ev);
    return status;
}

/* Collateral, kept byte for byte once a collateral has accepted it. */
static int add_collateral(json_t *doc, const uint8_t *data, size_t len, size_t index,
                          attest_item_kind kind)
{
    attest_collateral *probe = NULL;
    int status = attest_collateral_new(&probe);
    if (status != ATTEST_OK)
        return status;
    status = attest_collateral_add(probe, data, len);
    attest_collateral_free(probe);
    if (status != ATTEST_OK)
        return unusable(index, kind);
    json_t *entry = json_pack("{s:o}", "data", b64_json(data, len));
    if (!entry || json_array_append_new(json_object_get(doc, "collateral"), entry) != 0)
        return attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    return ATTEST_OK;
}

/* What the items held besides evidence: an NRAS result and its key set
 * go together, beside CPU evidence only (docs/results.md). */
enum { HELD_NRAS_RESULT = 1, HELD_KEYSET = 2 };

/* One item, sorted by attest_classify: evidence (CPU or GPUs) or collateral.
 * *cpu_item is set to `index` when the item is the CPU evidence. */
static int add_item(json_t *doc, const uint8_t *data, size_t len, size_t index,
                    size_t *cpu_item, unsigned *held)
{
    attest_item_kind kind;
    int status = attest_classify(&kind, data, len);
    if (status != ATTEST_OK)
        return status;
    if (kind == ATTEST_ITEM_UNKNOWN)
        return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                                "bundle: item %zu is neither evidence nor collateral", index);
    *held |= kind == ATTEST_ITEM_NRAS_RESULT ? HELD_NRAS_RESULT
             : kind == ATTEST_ITEM_KEYSET    ? HELD_KEYSET
                                             : 0;
    if (kind >= ATTEST_ITEM_CERTIFICATES) /* attest.h: collateral kinds from 16 */
        return add_collateral(doc, data, len, index, kind);
    bool had_cpu = json_object_get(doc, "cpu") != NULL;
    status = add_evidence(doc, data, len, index, kind);
    if (status == ATTEST_OK && !had_cpu && json_object_get(doc, "cpu"))
        *cpu_item = index;
    return status;
}

/* The other parts of Azure evidence whose HCL report is the CPU item:
 * checked as attest_evidence_from_parts takes them, then recorded as the
 * "cpu" members named by their kind. */
static int add_cpu_parts(json_t *doc, const uint8_t *hcl, size_t hcl_len,
                         const attest_part_kind *kinds, const uint8_t *const *parts,
                         const size_t *lens, size_t n)
{
    attest_part_kind all_kinds[1 + CPU_PARTS] = {ATTEST_PART_HCL_REPORT};
    const uint8_t *all[1 + CPU_PARTS] = {hcl};
    size_t all_lens[1 + CPU_PARTS] = {hcl_len};
    attest_evidence *ev = NULL;
    if (!hcl || n > CPU_PARTS || !kinds || !parts || !lens)
        return attest_set_error(ATTEST_E_INVALID_ARG, "bundle: %s", hcl ? "1 to 4 parts, "
                                "kinds, data and lengths non-NULL" : "parts given but no "
                                "Azure HCL report among the items");
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] < ATTEST_PART_TPM_QUOTE || kinds[i] > ATTEST_PART_TD_QUOTE)
            return attest_set_error(ATTEST_E_INVALID_ARG, "bundle: part %zu: kind %d is not "
                                    "a part beside the HCL report", i, (int)kinds[i]);
        all_kinds[1 + i] = kinds[i], all[1 + i] = parts[i], all_lens[1 + i] = lens[i];
    }
    int status = attest_evidence_from_parts(&ev, all_kinds, all, all_lens, n + 1);
    attest_evidence_free(ev);
    if (status != ATTEST_OK)
        return status;
    json_t *cpu = json_object_get(doc, "cpu");
    for (size_t i = 0; i < n; i++)
        if (json_object_set_new(cpu, cpu_part_members[kinds[i] - ATTEST_PART_TPM_QUOTE],
                                b64_json(parts[i], lens[i])) != 0)
            return attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    return ATTEST_OK;
}

/* The bundle made is one that verification takes: an NRAS result and its
 * key set both, beside CPU evidence and no raw GPU evidence. */
static int check_nras_members(json_t *doc, unsigned held)
{
    if (!held)
        return ATTEST_OK;
    if (held != (HELD_NRAS_RESULT | HELD_KEYSET))
        return attest_set_error(ATTEST_E_INVALID_ARG, "bundle: %s", held == HELD_KEYSET
                                ? "a JWKS without an NRAS result"
                                : "an NRAS result without the JWKS that verifies it");
    if (!json_object_get(doc, "cpu") || json_array_size(json_object_get(doc, "gpus")))
        return attest_set_error(ATTEST_E_INVALID_ARG, "bundle: an NRAS result goes beside "
                                "CPU evidence only, never beside raw GPU evidence");
    return ATTEST_OK;
}

int attest_bundle_create(char **out, const uint8_t *const *items, const size_t *lens,
                         size_t count, const uint8_t *nonce, size_t nonce_len)
{
    return attest_bundle_create_with_parts(out, items, lens, count, nonce, nonce_len, NULL,
                                           NULL, NULL, 0);
}

int attest_bundle_create_with_parts(char **out, const uint8_t *const *items,
                                    const size_t *lens, size_t count, const uint8_t *nonce,
                                    size_t nonce_len, const attest_part_kind *part_kinds,
                                    const uint8_t *const *parts, const size_t *part_lens,
                                    size_t part_count)
{
    size_t cpu_item = SIZE_MAX;
    if (!out || (count && (!items || !lens)) || (!nonce && nonce_len) || nonce_len > ATTEST_NONCE_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "bundle: bad argument");
    *out = NULL;
    json_t *doc = json_pack("{s:i, s:o, s:o}", "attest_bundle", BUNDLE_VERSION, "gpus",
                            json_array(), "collateral", json_array());
    if (!doc)
        return attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    if (nonce_len)
        json_object_set_new(doc, "nonce", attest_json_hex(nonce, nonce_len));
    int status = ATTEST_OK;
    unsigned held = 0;
    for (size_t i = 0; status == ATTEST_OK && i < count; i++)
        status = items[i] && lens[i] ? add_item(doc, items[i], lens[i], i, &cpu_item, &held)
                                     : attest_set_error(ATTEST_E_INVALID_ARG,
                                                        "bundle: item %zu is empty", i);
    if (status == ATTEST_OK && part_count)
        status = add_cpu_parts(doc, cpu_item != SIZE_MAX ? items[cpu_item] : NULL,
                               cpu_item != SIZE_MAX ? lens[cpu_item] : 0, part_kinds, parts,
                               part_lens, part_count);
    if (status == ATTEST_OK && !json_object_get(doc, "cpu") &&
        json_array_size(json_object_get(doc, "gpus")) == 0)
        status = attest_set_error(ATTEST_E_INVALID_ARG, "bundle: no evidence among the items");
    if (status == ATTEST_OK)
        status = check_nras_members(doc, held);
    if (status == ATTEST_OK &&
        !(*out = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER)))
        status = attest_set_error(ATTEST_E_NOMEM, "bundle: out of memory");
    json_decref(doc);
    return status;
}
