/* Azure HCL report and runtime claims parser (azure_hcl.h). Offsets:
 * research/azure.md section 2, checked on the 18 HCL reports of
 * vectors/azure; struct definitions: Microsoft HwVmReport.h, kinvolk
 * az-cvm-vtpm hcl/mod.rs. Only the hardware report is signed: every other
 * byte is authenticated through REPORT_DATA = SHA-256(claims) alone, so the
 * parser refuses any value it does not know instead of ignoring it. */
#include "azure_hcl.h"

#include <string.h>

enum {
    OFF_SIGNATURE = 0x000, OFF_HEADER_VERSION = 0x004, OFF_REPORT_SIZE = 0x008,
    OFF_REQUEST_TYPE = 0x00C, OFF_STATUS = 0x010, OFF_RESERVED = 0x014,
    RESERVED_LEN = 12, OFF_DATA_SIZE = 0x4C0, OFF_IGVM_VERSION = 0x4C4,
    OFF_REPORT_TYPE = 0x4C8, OFF_HASH_TYPE = 0x4CC, OFF_VAR_SIZE = 0x4D0,
    IGVM_FIXED = 20, /* data_size counts these 20 header bytes */
    REQUEST_AK_CERT = 2, REPORT_TYPE_TVM = 3,
    HASH_SHA384 = 2, HASH_SHA512 = 3,
};

static int check_outer_header(const uint8_t *p)
{
    if (memcmp(p + OFF_SIGNATURE, "HCLA", 4) != 0)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.signature: "
                                "%02x%02x%02x%02x, expected \"HCLA\"", p[0],
                                p[1], p[2], p[3]);
    uint32_t v = attest_le32(p + OFF_HEADER_VERSION);
    if (v != 1 && v != 2)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "azure.hcl.header_version: %u is not supported "
                                "(supported: 1, 2)", v);
    uint32_t req = attest_le32(p + OFF_REQUEST_TYPE);
    if (req != REQUEST_AK_CERT)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.request_type: "
                                "%u, expected 2", req);
    uint32_t status = attest_le32(p + OFF_STATUS);
    if (status != 0)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.status: 0x%x, "
                                "expected 0", status);
    if (!attest_all_zero(p + OFF_RESERVED, RESERVED_LEN))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.reserved "
                                "(0x014..0x020): not zero");
    return ATTEST_OK;
}

static int check_types(uint32_t igvm_version, uint32_t report_type, uint32_t hash_type)
{
    if (igvm_version != 1)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "azure.hcl.igvm.version: %u is not supported "
                                "(supported: 1)", igvm_version);
    if (report_type == REPORT_TYPE_TVM)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "azure.hcl.igvm.report_type: 3 (trusted launch "
                                "VM) is not supported (supported: 2 SNP, 4 TDX)");
    if (report_type != ATTEST_HCL_REPORT_SNP && report_type != ATTEST_HCL_REPORT_TDX)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.igvm.report_type: "
                                "%u, expected 2 (SNP) or 4 (TDX)", report_type);
    if (hash_type == HASH_SHA384 || hash_type == HASH_SHA512)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "azure.hcl.igvm.hash_type: %u (%s) is not "
                                "supported (supported: 1 SHA-256)", hash_type,
                                hash_type == HASH_SHA384 ? "SHA-384" : "SHA-512");
    if (hash_type != ATTEST_HCL_HASH_SHA256)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.igvm.hash_type: "
                                "%u, expected 1 (SHA-256)", hash_type);
    return ATTEST_OK;
}

/* The sizes agree with each other and with the buffer; the tail is zero. */
static int check_sizes(const attest_hcl_report *r, const uint8_t *data, size_t len)
{
    size_t claims_end = (size_t)ATTEST_HCL_CLAIMS_OFFSET + r->claims_len;
    if (r->claims_len == 0)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.igvm.var_size: 0, "
                                "the runtime claims are missing");
    if (r->claims_len > ATTEST_RUNTIME_CLAIMS_MAX)
        return attest_set_error(ATTEST_E_LENGTH, "azure.hcl.igvm.var_size: %zu, "
                                "more than %d", r->claims_len,
                                ATTEST_RUNTIME_CLAIMS_MAX);
    if (claims_end > len)
        return attest_set_error(ATTEST_E_TRUNCATED, "azure.hcl.runtime_claims: "
                                "var_size %zu ends at 0x%zx, past the end of the "
                                "%zu-byte buffer", r->claims_len, claims_end, len);
    if (r->report_size != claims_end)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.report_size: %u, "
                                "expected 0x4D4 + var_size = %zu",
                                r->report_size, claims_end);
    if (r->data_size != IGVM_FIXED + r->claims_len)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.igvm.data_size: %u, "
                                "expected 20 + var_size = %zu", r->data_size,
                                IGVM_FIXED + r->claims_len);
    if (!attest_all_zero(data + claims_end, len - claims_end))
        return attest_set_error(ATTEST_E_LENGTH, "azure.hcl: non-zero bytes after "
                                "the runtime claims at offset 0x%zx", claims_end);
    return ATTEST_OK;
}

static int check_contents(const attest_hcl_report *r)
{
    if (r->report_type == ATTEST_HCL_REPORT_TDX &&
        !attest_all_zero(r->hw_report + ATTEST_HCL_TDREPORT_SIZE,
                         ATTEST_HCL_HW_AREA_SIZE - ATTEST_HCL_TDREPORT_SIZE))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.hw_report: the 160 "
                                "bytes after the TDREPORT are not zero");
    if (memchr(r->claims, 0, r->claims_len))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.hcl.runtime_claims: "
                                "NUL byte at offset 0x%zx", (size_t)ATTEST_HCL_CLAIMS_OFFSET +
                                (size_t)((const uint8_t *)memchr(r->claims, 0, r->claims_len) -
                                         r->claims));
    return ATTEST_OK;
}

static void read_fields(attest_hcl_report *r, const uint8_t *p, size_t len)
{
    memset(r, 0, sizeof *r);
    r->header_version = attest_le32(p + OFF_HEADER_VERSION);
    r->report_size = attest_le32(p + OFF_REPORT_SIZE);
    r->request_type = attest_le32(p + OFF_REQUEST_TYPE);
    r->status = attest_le32(p + OFF_STATUS);
    r->data_size = attest_le32(p + OFF_DATA_SIZE);
    r->igvm_version = attest_le32(p + OFF_IGVM_VERSION);
    r->report_type = attest_le32(p + OFF_REPORT_TYPE);
    r->hash_type = attest_le32(p + OFF_HASH_TYPE);
    r->hw_report = p + ATTEST_HCL_HW_REPORT_OFFSET;
    r->hw_report_len = r->report_type == ATTEST_HCL_REPORT_TDX
                           ? ATTEST_HCL_TDREPORT_SIZE : ATTEST_HCL_HW_AREA_SIZE;
    r->claims = p + ATTEST_HCL_CLAIMS_OFFSET;
    r->claims_len = attest_le32(p + OFF_VAR_SIZE);
    r->buffer_len = len;
}

bool attest_hcl_detect(const uint8_t *data, size_t len)
{
    return data && len >= ATTEST_HCL_CLAIMS_OFFSET && len <= ATTEST_HCL_MAX &&
           memcmp(data, "HCLA", 4) == 0;
}

int attest_hcl_parse(attest_hcl_report *out, const uint8_t *data, size_t len)
{
    attest_hcl_report r;
    int st;
    if (!out || !data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "azure.hcl: NULL argument");
    if (len < ATTEST_HCL_CLAIMS_OFFSET)
        return attest_set_error(ATTEST_E_TRUNCATED, "azure.hcl: %zu bytes, the "
                                "header alone has %d", len, ATTEST_HCL_CLAIMS_OFFSET);
    if (len > ATTEST_HCL_MAX)
        return attest_set_error(ATTEST_E_LENGTH, "azure.hcl: %zu bytes, more than "
                                "%d", len, ATTEST_HCL_MAX);
    if ((st = check_outer_header(data)) != ATTEST_OK)
        return st;
    read_fields(&r, data, len);
    if ((st = check_types(r.igvm_version, r.report_type, r.hash_type)) != ATTEST_OK ||
        (st = check_sizes(&r, data, len)) != ATTEST_OK ||
        (st = check_contents(&r)) != ATTEST_OK)
        return st;
    *out = r;
    return ATTEST_OK;
}

json_t *attest_hcl_to_json(const attest_hcl_report *r)
{
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:{s:i, s:i, s:s, s:s, s:i}}",
                     "format", "azure-hcl-report", "header_version",
                     (json_int_t)r->header_version, "report_size",
                     (json_int_t)r->report_size, "request_type",
                     (json_int_t)r->request_type, "status", (json_int_t)r->status,
                     "igvm", "data_size", (json_int_t)r->data_size, "version",
                     (json_int_t)r->igvm_version, "report_type",
                     r->report_type == ATTEST_HCL_REPORT_TDX ? "tdx" : "snp",
                     "hash_type", "sha256", "var_size", (json_int_t)r->claims_len);
}
