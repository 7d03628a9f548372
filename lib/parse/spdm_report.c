/* NVIDIA GPU / NVSwitch attestation reports (SPDM 1.1 GET_MEASUREMENTS
 * request || MEASUREMENTS response); the JSON containers NVIDIA's tools
 * ship them in are read by nv_container.c. Layouts: research/nvidia.md (a);
 * nvtrust local GPU verifier attestation/spdm_msrt_{req,resp}_msg.py and
 * its NVSwitch twin.
 *
 * Length rules: ATTEST_E_TRUNCATED when the buffer ends before a field or
 * before the end a length field announces; ATTEST_E_MALFORMED when length
 * fields disagree with each other (blocks that do not fill
 * MeasurementRecordLength, a TLV overrunning OpaqueLength); ATTEST_E_LENGTH
 * for a non-zero byte after the signature. Pure parsing: no crypto. */
#include "spdm_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Request offsets. */
enum {
    REQ_VERSION = 0, REQ_CODE = 1, REQ_PARAM1 = 2, REQ_PARAM2 = 3,
    REQ_NONCE = 4, REQ_SLOT = 36,
};

/* Response offsets, from the response start. */
enum {
    RSP_VERSION = 0, RSP_CODE = 1, RSP_PARAM1 = 2, RSP_PARAM2 = 3,
    RSP_BLOCKS = 4, RSP_RECORD_LEN = 5, RSP_RECORD = 8,
};

#define SPDM_GET_MEASUREMENTS 0xE0
#define SPDM_MEASUREMENTS 0x60
#define SPDM_VERSION_MIN 0x10
#define SPDM_VERSION_MAX 0x13
#define DMTF_SPEC 1
#define BLOCK_HEADER 4      /* index, spec, size u16 */
#define DMTF_HEADER 3       /* value_type, value_size u16 */
#define MAX_VALUE 64
#define TLV_HEADER 4
#define PDI_SIZE 8
#define LS10_BLOCKS 31
#define GPU_PDIS_IN_SWITCH 8

static const char *const opaque_names[] = {
    [NV_OPAQUE_CERT_ISSUER_NAME] = "CERT_ISSUER_NAME",
    [NV_OPAQUE_CERT_AUTHORITY_KEY_IDENTIFIER] = "CERT_AUTHORITY_KEY_IDENTIFIER",
    [NV_OPAQUE_DRIVER_VERSION] = "DRIVER_VERSION",
    [NV_OPAQUE_GPU_INFO] = "GPU_INFO",
    [NV_OPAQUE_SKU] = "SKU",
    [NV_OPAQUE_VBIOS_VERSION] = "VBIOS_VERSION",
    [NV_OPAQUE_MANUFACTURER_ID] = "MANUFACTURER_ID",
    [NV_OPAQUE_TAMPER_DETECTION] = "TAMPER_DETECTION",
    [NV_OPAQUE_SMC] = "SMC",
    [NV_OPAQUE_VPR] = "VPR",
    [NV_OPAQUE_NVDEC0_STATUS] = "NVDEC0_STATUS",
    [NV_OPAQUE_MSRSCNT] = "MSRSCNT",
    [NV_OPAQUE_CPRINFO] = "CPRINFO",
    [NV_OPAQUE_BOARD_ID] = "BOARD_ID",
    [NV_OPAQUE_CHIP_SKU] = "CHIP_SKU",
    [NV_OPAQUE_CHIP_SKU_MOD] = "CHIP_SKU_MOD",
    [NV_OPAQUE_PROJECT] = "PROJECT",
    [NV_OPAQUE_PROJECT_SKU] = "PROJECT_SKU",
    [NV_OPAQUE_PROJECT_SKU_MOD] = "PROJECT_SKU_MOD",
    [NV_OPAQUE_FWID] = "FWID",
    [NV_OPAQUE_PROTECTED_PCIE_STATUS] = "PROTECTED_PCIE_STATUS",
    [NV_OPAQUE_SWITCH_PDI] = "SWITCH_PDI",
    [NV_OPAQUE_FLOORSWEPT_PORTS] = "FLOORSWEPT_PORTS",
    [NV_OPAQUE_POSITION_ID] = "POSITION_ID",
    [NV_OPAQUE_LOCK_SWITCH_STATUS] = "LOCK_SWITCH_STATUS",
    [NV_OPAQUE_SWITCH_GPU_PDIS] = "SWITCH_GPU_PDIS",
    [NV_OPAQUE_GPU_LINK_CONN] = "GPU_LINK_CONN",
    [NV_OPAQUE_SYS_ENABLE_STATUS] = "SYS_ENABLE_STATUS",
    [NV_OPAQUE_OPAQUE_DATA_VERSION] = "OPAQUE_DATA_VERSION",
    [NV_OPAQUE_CHIP_INFO] = "CHIP_INFO",
    [NV_OPAQUE_FEATURE_FLAG] = "FEATURE_FLAG",
    [NV_OPAQUE_INVALID] = "INVALID",
};

const char *nv_opaque_type_name(unsigned type)
{
    if (type >= sizeof opaque_names / sizeof opaque_names[0])
        return NULL;
    return opaque_names[type];
}

bool nv_report_detect(const uint8_t *data, size_t len)
{
    return data && len >= NV_SPDM_REQUEST_SIZE && data[REQ_VERSION] >= SPDM_VERSION_MIN &&
           data[REQ_VERSION] <= SPDM_VERSION_MAX && data[REQ_CODE] == SPDM_GET_MEASUREMENTS;
}

void nv_report_free(nv_report *r)
{
    if (!r)
        return;
    free(r->raw);
    free(r->fields);
    free(r->blocks);
    free(r);
}

/* ---- framing --------------------------------------------------------- */

/* The buffer must hold `n` bytes at `off` for `field`. */
static int need(size_t len, size_t off, size_t n, const char *field)
{
    if (off > len || len - off < n)
        return attest_set_error(ATTEST_E_TRUNCATED,
                                "nvidia.report.%s: needs %zu bytes at offset %zu, "
                                "the report has %zu", field, n, off, len);
    return ATTEST_OK;
}

static int parse_request(nv_report *r)
{
    const uint8_t *p = r->raw;
    int st = need(r->raw_len, 0, NV_SPDM_REQUEST_SIZE, "request");
    if (st != ATTEST_OK)
        return st;
    r->req_version = p[REQ_VERSION];
    r->req_code = p[REQ_CODE];
    r->req_param1 = p[REQ_PARAM1];
    r->req_param2 = p[REQ_PARAM2];
    memcpy(r->nonce, p + REQ_NONCE, 32);
    r->slot_id = p[REQ_SLOT];
    if (r->req_version < SPDM_VERSION_MIN || r->req_version > SPDM_VERSION_MAX)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "nvidia.report.request.version: SPDMVersion 0x%02x is "
                                "not supported (0x10..0x13)", r->req_version);
    if (r->req_code != SPDM_GET_MEASUREMENTS)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.report.request.code: 0x%02x, GET_MEASUREMENTS "
                                "is 0xe0", r->req_code);
    return ATTEST_OK;
}

static int parse_blocks(nv_report *r, size_t start, size_t end)
{
    const uint8_t *p = r->raw;
    bool seen[256] = {false};
    size_t off = start;
    r->blocks = calloc(r->block_count ? r->block_count : 1, sizeof *r->blocks);
    if (!r->blocks)
        return attest_set_error(ATTEST_E_NOMEM, "nvidia.report: out of memory");
    for (size_t i = 0; i < r->block_count; i++) {
        if (end - off < BLOCK_HEADER + DMTF_HEADER)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.block[%zu]: starts at offset %zu but "
                                    "MeasurementRecordLength %u leaves %zu bytes, %u "
                                    "blocks announced", i, off, r->record_len,
                                    end - off, r->block_count);
        nv_block *b = &r->blocks[i];
        b->index = p[off];
        b->spec = p[off + 1];
        uint16_t size = attest_le16(p + off + 2);
        b->value_type = p[off + 4];
        b->value_len = attest_le16(p + off + 5);
        if (b->spec != DMTF_SPEC)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.block[%zu].spec: "
                                    "MeasurementSpecification %u, only 1 (DMTF) is "
                                    "defined", i, b->spec);
        if (b->index == 0 || b->index > r->block_count)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.block[%zu].index: %u is outside 1..%u",
                                    i, b->index, r->block_count);
        if (seen[b->index])
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.block[%zu].index: %u appears twice", i,
                                    b->index);
        seen[b->index] = true;
        if (size != DMTF_HEADER + (size_t)b->value_len)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.block[%zu].size: MeasurementSize %u "
                                    "but the DMTF value size is %u (+3)", i, size,
                                    b->value_len);
        if (b->value_len > MAX_VALUE)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.block[%zu].value_size: %u bytes, at "
                                    "most %d", i, b->value_len, MAX_VALUE);
        if (end - off - BLOCK_HEADER < size)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.block[%zu].size: %u bytes at offset "
                                    "%zu overrun MeasurementRecordLength %u", i, size,
                                    off, r->record_len);
        memcpy(b->value, p + off + BLOCK_HEADER + DMTF_HEADER, b->value_len);
        off += BLOCK_HEADER + size;
    }
    if (off != end)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.report.measurement_record_length: %u, but the %u "
                                "blocks fill %zu bytes", r->record_len, r->block_count,
                                off - start);
    return ATTEST_OK;
}

/* Split the opaque data into TLVs; a duplicated known type is an error. */
static int parse_tlvs(nv_report *r)
{
    const uint8_t *p = r->raw;
    size_t off = r->opaque_off, end = r->opaque_off + r->opaque_len;
    size_t max = r->opaque_len / TLV_HEADER;
    r->fields = calloc(max ? max : 1, sizeof *r->fields);
    if (!r->fields)
        return attest_set_error(ATTEST_E_NOMEM, "nvidia.report: out of memory");
    while (off < end) {
        size_t k = r->field_count;
        if (end - off < TLV_HEADER)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.opaque[%zu]: a TLV header needs 4 "
                                    "bytes, OpaqueLength %u leaves %zu", k, r->opaque_len,
                                    end - off);
        uint16_t type = attest_le16(p + off), flen = attest_le16(p + off + 2);
        if (end - off - TLV_HEADER < flen)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.opaque[%zu].length: %s (%u) of %u "
                                    "bytes at offset %zu overruns OpaqueLength %u (%zu "
                                    "bytes left)", k,
                                    nv_opaque_type_name(type) ? nv_opaque_type_name(type)
                                                              : "unknown type",
                                    type, flen, off, r->opaque_len,
                                    end - off - TLV_HEADER);
        if (nv_opaque_type_name(type)) {
            for (size_t j = 0; j < k; j++)
                if (r->fields[j].type == type)
                    return attest_set_error(ATTEST_E_MALFORMED,
                                            "nvidia.report.opaque[%zu].type: %s (%u) "
                                            "already at opaque[%zu]", k,
                                            nv_opaque_type_name(type), type, j);
        }
        r->fields[k].type = type;
        r->fields[k].len = flen;
        r->fields[k].off = off + TLV_HEADER;
        r->field_count++;
        off += TLV_HEADER + flen;
    }
    return ATTEST_OK;
}

/* ---- opaque field decoding ------------------------------------------- */

/* Printable ASCII with trailing NULs stripped, into out[cap]. */
static int ascii_value(const uint8_t *v, size_t n, char *out, size_t cap, size_t k,
                       unsigned type)
{
    while (n > 0 && v[n - 1] == 0)
        n--;
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0x20 || v[i] > 0x7e)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.opaque[%zu].value: %s byte %zu is "
                                    "0x%02x, not printable ASCII", k,
                                    nv_opaque_type_name(type), i, v[i]);
    if (n >= cap)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.report.opaque[%zu].value: %s has %zu characters, "
                                "at most %zu", k, nv_opaque_type_name(type), n, cap - 1);
    memcpy(out, v, n);
    out[n] = '\0';
    return ATTEST_OK;
}

static int want_len(const nv_opaque_field *f, size_t k, size_t n)
{
    if (f->len != n)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.report.opaque[%zu].length: %s has %u bytes, "
                                "must have %zu", k, nv_opaque_type_name(f->type), f->len,
                                n);
    return ATTEST_OK;
}

/* nvtrust utils.format_vbios_version: the 8 bytes as a little-endian
 * integer, hex h (16 digits), h[8:] + h[6:8] in dotted byte pairs. */
static void format_vbios(const uint8_t v[8], char out[32])
{
    char h[17], s[10];
    snprintf(h, sizeof h, "%016" PRIX64, attest_le64(v));
    memcpy(s, h + 8, 8);
    memcpy(s + 8, h + 6, 2);
    snprintf(out, 32, "%.2s.%.2s.%.2s.%.2s.%.2s", s, s + 2, s + 4, s + 6, s + 8);
}

/* PDIs (device identifiers; a device's BROM certificate serial is 0x41/0x50
 * followed by its PDI) come in two byte orders: a GPU lists the PDIs of its
 * NVSwitches byte-reversed (nvtrust ppcie validate_topology.py reads them
 * with read_field_as_little_endian), while a switch states its own PDI and
 * the PDIs of its GPUs in order (the same script compares them as
 * bytes.hex()). Reading each in its own order gives one value per device:
 * a switch's own PDI equals the entry of every GPU that lists it, and each
 * equals the BROM serial's last 8 bytes (checked on the PPCIe vectors). */
static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint64_t pdi_value(const nv_report *r, const uint8_t *p)
{
    return r->is_switch ? be64(p) : attest_le64(p);
}

/* SWITCH_PDI (a GPU's connected NVSwitches, or an NVSwitch's own PDI) and
 * SWITCH_GPU_PDIS (an NVSwitch's 8 GPUs). */
static int decode_pdis(nv_report *r, size_t k)
{
    const nv_opaque_field *f = &r->fields[k];
    const uint8_t *v = r->raw + f->off;
    int st;
    size_t max = sizeof r->switch_pdis / sizeof r->switch_pdis[0];
    if (f->type == NV_OPAQUE_SWITCH_GPU_PDIS) {
        if (f->len < GPU_PDIS_IN_SWITCH * PDI_SIZE)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.report.opaque[%zu].length: SWITCH_GPU_PDIS "
                                    "has %u bytes, needs at least %d (8 PDIs)", k, f->len,
                                    GPU_PDIS_IN_SWITCH * PDI_SIZE);
        r->gpu_pdi_count = GPU_PDIS_IN_SWITCH;
        for (size_t i = 0; i < GPU_PDIS_IN_SWITCH; i++)
            r->gpu_pdis[i] = pdi_value(r, v + PDI_SIZE * i);
        return ATTEST_OK;
    }
    if (r->is_switch) {
        if ((st = want_len(f, k, PDI_SIZE)) != ATTEST_OK)
            return st;
        r->switch_pdi_count = 1;
        r->switch_pdis[0] = pdi_value(r, v);
        return ATTEST_OK;
    }
    if (f->len % PDI_SIZE != 0 || f->len / PDI_SIZE > max)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.report.opaque[%zu].length: SWITCH_PDI has %u "
                                "bytes, must be a multiple of 8 up to %zu", k, f->len,
                                max * PDI_SIZE);
    r->switch_pdi_count = f->len / PDI_SIZE;
    for (size_t i = 0; i < r->switch_pdi_count; i++)
        r->switch_pdis[i] = pdi_value(r, v + PDI_SIZE * i);
    return ATTEST_OK;
}

static int decode_field(nv_report *r, size_t k)
{
    const nv_opaque_field *f = &r->fields[k];
    const uint8_t *v = r->raw + f->off;
    int st;
    switch (f->type) {
    case NV_OPAQUE_DRIVER_VERSION:
        return ascii_value(v, f->len, r->driver_version, sizeof r->driver_version, k,
                           f->type);
    case NV_OPAQUE_VBIOS_VERSION:
        if (r->is_switch)
            return ascii_value(v, f->len, r->vbios_version, sizeof r->vbios_version, k,
                               f->type);
        if ((st = want_len(f, k, 8)) != ATTEST_OK)
            return st;
        format_vbios(v, r->vbios_version);
        return ATTEST_OK;
    case NV_OPAQUE_PROJECT:
        return ascii_value(v, f->len, r->project, sizeof r->project, k, f->type);
    case NV_OPAQUE_PROJECT_SKU:
        return ascii_value(v, f->len, r->project_sku, sizeof r->project_sku, k, f->type);
    case NV_OPAQUE_PROJECT_SKU_MOD:
        return ascii_value(v, f->len, r->project_sku_mod, sizeof r->project_sku_mod, k,
                           f->type);
    case NV_OPAQUE_CHIP_SKU:
        return ascii_value(v, f->len, r->chip_sku, sizeof r->chip_sku, k, f->type);
    case NV_OPAQUE_CHIP_SKU_MOD:
        return ascii_value(v, f->len, r->chip_sku_mod, sizeof r->chip_sku_mod, k,
                           f->type);
    case NV_OPAQUE_CHIP_INFO:
        return ascii_value(v, f->len, r->chip_info, sizeof r->chip_info, k, f->type);
    case NV_OPAQUE_FWID:
        if ((st = want_len(f, k, 48)) != ATTEST_OK)
            return st;
        memcpy(r->fwid, v, 48);
        r->has_fwid = true;
        return ATTEST_OK;
    case NV_OPAQUE_NVDEC0_STATUS:
        if ((st = want_len(f, k, 1)) != ATTEST_OK)
            return st;
        r->nvdec0_status = v[0];
        return ATTEST_OK;
    case NV_OPAQUE_PROTECTED_PCIE_STATUS:
        if ((st = want_len(f, k, 1)) != ATTEST_OK)
            return st;
        r->ppcie_status = v[0];
        return ATTEST_OK;
    case NV_OPAQUE_OPAQUE_DATA_VERSION:
        if ((st = want_len(f, k, 2)) != ATTEST_OK)
            return st;
        r->opaque_data_version = attest_le16(v);
        return ATTEST_OK;
    case NV_OPAQUE_FEATURE_FLAG:
        if ((st = want_len(f, k, 2)) != ATTEST_OK)
            return st;
        r->feature_flag = attest_le16(v);
        return ATTEST_OK;
    case NV_OPAQUE_SWITCH_PDI:
    case NV_OPAQUE_SWITCH_GPU_PDIS:
        return decode_pdis(r, k);
    default:
        return ATTEST_OK; /* kept raw in fields */
    }
}

static int parse_response(nv_report *r)
{
    const uint8_t *p = r->raw;
    size_t len = r->raw_len;
    size_t rsp = NV_SPDM_REQUEST_SIZE;
    int st = need(len, rsp, RSP_RECORD, "response.header");
    if (st != ATTEST_OK)
        return st;
    r->resp_version = p[rsp + RSP_VERSION];
    r->resp_code = p[rsp + RSP_CODE];
    r->resp_param1 = p[rsp + RSP_PARAM1];
    r->resp_param2 = p[rsp + RSP_PARAM2];
    r->block_count = p[rsp + RSP_BLOCKS];
    r->record_len = (uint32_t)p[rsp + RSP_RECORD_LEN] |
                    (uint32_t)p[rsp + RSP_RECORD_LEN + 1] << 8 |
                    (uint32_t)p[rsp + RSP_RECORD_LEN + 2] << 16;
    if (r->resp_version != r->req_version)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.report.response.version: SPDMVersion 0x%02x, the "
                                "request has 0x%02x", r->resp_version, r->req_version);
    if (r->resp_code != SPDM_MEASUREMENTS)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.report.response.code: 0x%02x, MEASUREMENTS is "
                                "0x60", r->resp_code);
    if (r->block_count == 0)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.report.number_of_blocks: 0, the report carries no "
                                "measurement");

    size_t rec = rsp + RSP_RECORD;
    if ((st = need(len, rec, r->record_len, "measurement_record")) != ATTEST_OK)
        return st;
    if ((st = parse_blocks(r, rec, rec + r->record_len)) != ATTEST_OK)
        return st;

    size_t off = rec + r->record_len;
    if ((st = need(len, off, 32, "responder_nonce")) != ATTEST_OK)
        return st;
    memcpy(r->responder_nonce, p + off, 32);
    off += 32;
    if ((st = need(len, off, 2, "opaque_length")) != ATTEST_OK)
        return st;
    r->opaque_len = attest_le16(p + off);
    off += 2;
    r->opaque_off = off;
    if ((st = need(len, off, r->opaque_len, "opaque_data")) != ATTEST_OK)
        return st;
    off += r->opaque_len;
    if ((st = need(len, off, NV_SPDM_SIGNATURE_SIZE, "signature")) != ATTEST_OK)
        return st;
    r->signed_len = off;
    memcpy(r->signature, p + off, NV_SPDM_SIGNATURE_SIZE);
    off += NV_SPDM_SIGNATURE_SIZE;
    for (size_t i = off; i < len; i++)
        if (p[i] != 0)
            return attest_set_error(ATTEST_E_LENGTH,
                                    "nvidia.report.trailing: byte 0x%02x at offset %zu "
                                    "after the signature (which ends at %zu); only zero "
                                    "padding is accepted", p[i], i, off);
    r->trailing_len = len - off;
    return ATTEST_OK;
}

static int parse_opaque(nv_report *r)
{
    int st = parse_tlvs(r);
    if (st != ATTEST_OK)
        return st;
    r->is_switch = r->block_count == LS10_BLOCKS;
    for (size_t k = 0; k < r->field_count; k++)
        if (r->fields[k].type == NV_OPAQUE_SWITCH_GPU_PDIS)
            r->is_switch = true;
    for (size_t k = 0; k < r->field_count; k++)
        if ((st = decode_field(r, k)) != ATTEST_OK)
            return st;
    return ATTEST_OK;
}

int nv_report_parse(nv_report **out, const uint8_t *data, size_t len)
{
    if (!out || (!data && len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "nvidia.report: NULL argument");
    *out = NULL;
    nv_report *r = calloc(1, sizeof *r);
    if (!r)
        return attest_set_error(ATTEST_E_NOMEM, "nvidia.report: out of memory");
    r->raw = malloc(len ? len : 1);
    if (!r->raw) {
        free(r);
        return attest_set_error(ATTEST_E_NOMEM, "nvidia.report: out of memory");
    }
    if (len)
        memcpy(r->raw, data, len);
    r->raw_len = len;
    r->nvdec0_status = -1;
    r->ppcie_status = -1;
    r->opaque_data_version = -1;
    r->feature_flag = -1;

    int st = parse_request(r);
    if (st == ATTEST_OK)
        st = parse_response(r);
    if (st == ATTEST_OK)
        st = parse_opaque(r);
    if (st != ATTEST_OK) {
        nv_report_free(r);
        return st;
    }
    *out = r;
    return ATTEST_OK;
}

/* ---- JSON view ------------------------------------------------------- */

static json_t *pdi_json(uint64_t v)
{
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, v);
    return json_string(hex);
}

/* Printable ASCII (NULs stripped) as a string, else NULL. */
static json_t *ascii_json(const uint8_t *v, size_t n)
{
    while (n > 0 && v[n - 1] == 0)
        n--;
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0x20 || v[i] > 0x7e)
            return NULL;
    return json_stringn((const char *)v, n);
}

static const char *feature_mode(int flag)
{
    switch (flag) {
    case 0: return "SPT";
    case 1: return "MPT";
    case 2: return "PPCIE";
    default: return NULL;
    }
}

static json_t *status_byte_json(int v)
{
    return json_pack("{s:i, s:s}", "raw", v,
                     "state", v == 0xAA ? "enabled" : v == 0x55 ? "disabled" : "unknown");
}

/* The decoded value of one TLV, or NULL when it is kept only as hex. */
static json_t *field_value_json(const nv_report *r, const nv_opaque_field *f)
{
    const uint8_t *v = r->raw + f->off;
    switch (f->type) {
    case NV_OPAQUE_DRIVER_VERSION:
    case NV_OPAQUE_CHIP_SKU:
    case NV_OPAQUE_CHIP_SKU_MOD:
    case NV_OPAQUE_PROJECT:
    case NV_OPAQUE_PROJECT_SKU:
    case NV_OPAQUE_PROJECT_SKU_MOD:
    case NV_OPAQUE_CHIP_INFO:
    case NV_OPAQUE_CERT_ISSUER_NAME:
        return ascii_json(v, f->len);
    case NV_OPAQUE_VBIOS_VERSION:
        return json_string(r->vbios_version);
    case NV_OPAQUE_NVDEC0_STATUS:
    case NV_OPAQUE_PROTECTED_PCIE_STATUS:
        return f->len == 1 ? status_byte_json(v[0]) : NULL;
    case NV_OPAQUE_OPAQUE_DATA_VERSION:
    case NV_OPAQUE_FLOORSWEPT_PORTS:
    case NV_OPAQUE_POSITION_ID:
    case NV_OPAQUE_LOCK_SWITCH_STATUS:
    case NV_OPAQUE_SYS_ENABLE_STATUS:
        return f->len == 2 ? json_integer(attest_le16(v)) : NULL;
    case NV_OPAQUE_FEATURE_FLAG:
        if (f->len != 2)
            return NULL;
        return feature_mode(attest_le16(v))
                   ? json_pack("{s:i, s:s}", "raw", attest_le16(v), "mode",
                               feature_mode(attest_le16(v)))
                   : json_pack("{s:i, s:n}", "raw", attest_le16(v), "mode");
    case NV_OPAQUE_BOARD_ID:
        return f->len == 4 ? json_integer(attest_le32(v)) : NULL;
    case NV_OPAQUE_MSRSCNT: {
        if (f->len % 4 != 0)
            return NULL;
        json_t *a = json_array();
        for (size_t i = 0; a && i < f->len / 4u; i++)
            json_array_append_new(a, json_integer(attest_le32(v + 4 * i)));
        return a;
    }
    case NV_OPAQUE_SWITCH_PDI: {
        if (f->len % PDI_SIZE != 0)
            return NULL;
        json_t *a = json_array();
        for (size_t i = 0; a && i < f->len / PDI_SIZE; i++)
            json_array_append_new(a, pdi_json(pdi_value(r, v + PDI_SIZE * i)));
        return a;
    }
    case NV_OPAQUE_SWITCH_GPU_PDIS: {
        if (f->len < GPU_PDIS_IN_SWITCH * PDI_SIZE)
            return NULL;
        json_t *pdis = json_array();
        for (size_t i = 0; pdis && i < GPU_PDIS_IN_SWITCH; i++)
            json_array_append_new(pdis, pdi_json(pdi_value(r, v + PDI_SIZE * i)));
        return json_pack("{s:o, s:o}", "gpu_pdis", pdis, "ports",
                         attest_json_hex(v + GPU_PDIS_IN_SWITCH * PDI_SIZE,
                                         f->len - GPU_PDIS_IN_SWITCH * PDI_SIZE));
    }
    default:
        return NULL;
    }
}

static json_t *opaque_json(const nv_report *r)
{
    json_t *o = json_object();
    for (size_t k = 0; o && k < r->field_count; k++) {
        const nv_opaque_field *f = &r->fields[k];
        char key[48];
        const char *name = nv_opaque_type_name(f->type);
        if (name) {
            snprintf(key, sizeof key, "%s", name);
        } else {
            /* Unknown types may repeat: TYPE_40, TYPE_40_2, ... */
            snprintf(key, sizeof key, "TYPE_%u", f->type);
            for (unsigned n = 2; json_object_get(o, key); n++)
                snprintf(key, sizeof key, "TYPE_%u_%u", f->type, n);
        }
        json_t *e = json_pack("{s:i, s:I, s:i, s:o}", "type", f->type, "position",
                              (json_int_t)k, "length", f->len, "raw",
                              attest_json_hex(r->raw + f->off, f->len));
        json_t *val = field_value_json(r, f);
        if (e && val)
            json_object_set_new(e, "value", val);
        else
            json_decref(val);
        json_object_set_new(o, key, e);
    }
    return o;
}

static json_t *str_or_null(const char *s, bool present)
{
    return present ? json_string(s) : json_null();
}

static bool has_field(const nv_report *r, unsigned type)
{
    for (size_t k = 0; k < r->field_count; k++)
        if (r->fields[k].type == type)
            return true;
    return false;
}

/* The opaque fields the parser decodes, by name (null when absent). */
static void decoded_json(json_t *o, const nv_report *r)
{
    json_object_set_new(o, "driver_version",
                        str_or_null(r->driver_version,
                                    has_field(r, NV_OPAQUE_DRIVER_VERSION)));
    json_object_set_new(o, "vbios_version",
                        str_or_null(r->vbios_version,
                                    has_field(r, NV_OPAQUE_VBIOS_VERSION)));
    json_object_set_new(o, "project",
                        str_or_null(r->project, has_field(r, NV_OPAQUE_PROJECT)));
    json_object_set_new(o, "project_sku",
                        str_or_null(r->project_sku, has_field(r, NV_OPAQUE_PROJECT_SKU)));
    json_object_set_new(o, "project_sku_mod",
                        str_or_null(r->project_sku_mod,
                                    has_field(r, NV_OPAQUE_PROJECT_SKU_MOD)));
    json_object_set_new(o, "chip_sku",
                        str_or_null(r->chip_sku, has_field(r, NV_OPAQUE_CHIP_SKU)));
    json_object_set_new(o, "chip_sku_mod",
                        str_or_null(r->chip_sku_mod, has_field(r, NV_OPAQUE_CHIP_SKU_MOD)));
    json_object_set_new(o, "chip_info",
                        str_or_null(r->chip_info, has_field(r, NV_OPAQUE_CHIP_INFO)));
    json_object_set_new(o, "fwid", r->has_fwid ? attest_json_hex(r->fwid, 48) : json_null());
    json_object_set_new(o, "nvdec0_status",
                        r->nvdec0_status >= 0 ? json_integer(r->nvdec0_status) : json_null());
    json_object_set_new(o, "protected_pcie_status",
                        r->ppcie_status >= 0 ? json_integer(r->ppcie_status) : json_null());
    json_object_set_new(o, "opaque_data_version",
                        r->opaque_data_version >= 0 ? json_integer(r->opaque_data_version)
                                                    : json_null());
    json_object_set_new(o, "feature_flag",
                        r->feature_flag >= 0 ? json_integer(r->feature_flag) : json_null());
    json_object_set_new(o, "feature_mode",
                        feature_mode(r->feature_flag) ? json_string(feature_mode(r->feature_flag))
                                                      : json_null());
    json_t *sp = json_array();
    for (size_t i = 0; sp && i < r->switch_pdi_count; i++)
        json_array_append_new(sp, pdi_json(r->switch_pdis[i]));
    json_object_set_new(o, "switch_pdis", sp);
    json_t *gp = json_array();
    for (size_t i = 0; gp && i < r->gpu_pdi_count; i++)
        json_array_append_new(gp, pdi_json(r->gpu_pdis[i]));
    json_object_set_new(o, "gpu_pdis", gp);
}

/* One measurement block, built directly: a report has up to 64 and
 * json_pack would parse its format string for each, on every verification. */
static json_t *block_json(const nv_block *b)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new_nocheck(o, "index", json_integer(b->index));
    json_object_set_new_nocheck(o, "spec", json_integer(b->spec));
    json_object_set_new_nocheck(o, "value_type", json_integer(b->value_type));
    json_object_set_new_nocheck(o, "value_size", json_integer((json_int_t)b->value_len));
    json_object_set_new_nocheck(o, "value", attest_json_hex(b->value, b->value_len));
    return o;
}

json_t *nv_report_brief_json(const nv_report *r)
{
    const char *mode = r ? feature_mode(r->feature_flag) : NULL;
    json_t *o = json_object();
    if (o && json_object_set_new(o, "feature_mode", mode ? json_string(mode) : json_null()) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *nv_report_to_json(const nv_report *r)
{
    if (!r)
        return NULL;
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "format", json_string("nvidia-spdm-report"));
    json_object_set_new(o, "device", json_string(r->is_switch ? "nvswitch" : "gpu"));
    json_object_set_new(o, "size", json_integer((json_int_t)r->raw_len));
    json_object_set_new(o, "request",
                        json_pack("{s:i, s:i, s:i, s:i, s:o, s:i}", "spdm_version",
                                  r->req_version, "code", r->req_code, "param1",
                                  r->req_param1, "param2", r->req_param2, "nonce",
                                  attest_json_hex(r->nonce, 32), "slot_id", r->slot_id));
    json_object_set_new(o, "response",
                        json_pack("{s:i, s:i, s:i, s:i, s:i, s:I, s:o, s:i}",
                                  "spdm_version", r->resp_version, "code", r->resp_code,
                                  "param1", r->resp_param1, "param2", r->resp_param2,
                                  "number_of_blocks", r->block_count,
                                  "measurement_record_length", (json_int_t)r->record_len,
                                  "responder_nonce", attest_json_hex(r->responder_nonce, 32),
                                  "opaque_length", r->opaque_len));
    json_t *blocks = json_array();
    for (size_t i = 0; blocks && i < r->block_count; i++) {
        const nv_block *b = &r->blocks[i];
        json_array_append_new(blocks, block_json(b));
    }
    json_object_set_new(o, "blocks", blocks);
    json_object_set_new(o, "opaque", opaque_json(r));

    decoded_json(o, r);
    json_object_set_new(o, "signed_len", json_integer((json_int_t)r->signed_len));
    json_object_set_new(o, "signature", attest_json_hex(r->signature, NV_SPDM_SIGNATURE_SIZE));
    json_object_set_new(o, "trailing_bytes", json_integer((json_int_t)r->trailing_len));
    return o;
}

/* ---- evidence sets ---------------------------------------------------- */

void nv_evidence_set_release(nv_evidence_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < NV_MAX_DEVICES; i++) {
        nv_report_free(s->devices[i].report);
        free(s->devices[i].chain_pem);
    }
    memset(s, 0, sizeof *s);
}
