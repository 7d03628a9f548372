/* TDREPORT_STRUCT parser (tdx_report.h). Offsets: Intel TDX Module ABI
 * specification, tables REPORTMACSTRUCT, TEE_TCB_INFO and TDINFO_STRUCT;
 * research/azure.md section 2 (REPORTDATA +0x80, MRTD +0x210, RTMR +0x2D0)
 * checked on the TDREPORTs of vectors/azure/tdx. */
#include "tdx_report.h"

#include <string.h>

enum {
    /* REPORTMACSTRUCT */
    OFF_REPORTTYPE = 0x000, OFF_MAC_RESERVED1 = 0x004, MAC_RESERVED1_LEN = 12,
    OFF_CPUSVN = 0x010, OFF_TEE_TCB_INFO_HASH = 0x020, OFF_TEE_INFO_HASH = 0x050,
    OFF_REPORTDATA = 0x080, OFF_MAC_RESERVED2 = 0x0C0, MAC_RESERVED2_LEN = 32,
    OFF_MAC = 0x0E0,
    /* TEE_TCB_INFO */
    OFF_TCB_VALID = 0x100, OFF_TEE_TCB_SVN = 0x108, OFF_MRSEAM = 0x118,
    OFF_MRSIGNERSEAM = 0x148, OFF_SEAM_ATTRIBUTES = 0x178,
    OFF_TEE_TCB_SVN2 = 0x180,
    /* TDINFO */
    OFF_ATTRIBUTES = 0x200, OFF_XFAM = 0x208, OFF_MRTD = 0x210,
    OFF_MRCONFIGID = 0x240, OFF_MROWNER = 0x270, OFF_MROWNERCONFIG = 0x2A0,
    OFF_RTMR = 0x2D0, OFF_SERVTD_HASH = 0x390, OFF_TDINFO_RESERVED = 0x3C0,
    TDINFO_RESERVED_LEN = 64,
};

static int check_header(const uint8_t *p)
{
    if (p[OFF_REPORTTYPE] != ATTEST_TDREPORT_TYPE_TDX)
        return attest_set_error(ATTEST_E_MALFORMED, "tdx.tdreport.report_type.type: "
                                "0x%02x, expected 0x81 (TDX)", p[OFF_REPORTTYPE]);
    if (p[OFF_REPORTTYPE + 1] != 0)
        return attest_set_error(ATTEST_E_MALFORMED, "tdx.tdreport.report_type."
                                "subtype: %u, expected 0", p[OFF_REPORTTYPE + 1]);
    if (p[OFF_REPORTTYPE + 2] > 1)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION, "tdx.tdreport."
                                "report_type.version: %u is not supported "
                                "(supported: 0, 1)", p[OFF_REPORTTYPE + 2]);
    if (p[OFF_REPORTTYPE + 3] != 0 ||
        !attest_all_zero(p + OFF_MAC_RESERVED1, MAC_RESERVED1_LEN) ||
        !attest_all_zero(p + OFF_MAC_RESERVED2, MAC_RESERVED2_LEN))
        return attest_set_error(ATTEST_E_MALFORMED, "tdx.tdreport.reportmacstruct."
                                "reserved: not zero");
    if (!attest_all_zero(p + OFF_TDINFO_RESERVED, TDINFO_RESERVED_LEN))
        return attest_set_error(ATTEST_E_MALFORMED, "tdx.tdreport.tdinfo.reserved: "
                                "not zero");
    return ATTEST_OK;
}

static void read_fields(attest_tdx_report *r, const uint8_t *p)
{
    memset(r, 0, sizeof *r);
    r->report_type = p[OFF_REPORTTYPE];
    r->report_subtype = p[OFF_REPORTTYPE + 1];
    r->report_version = p[OFF_REPORTTYPE + 2];
    memcpy(r->cpusvn, p + OFF_CPUSVN, 16);
    memcpy(r->tee_tcb_info_hash, p + OFF_TEE_TCB_INFO_HASH, 48);
    memcpy(r->tee_info_hash, p + OFF_TEE_INFO_HASH, 48);
    memcpy(r->report_data, p + OFF_REPORTDATA, 64);
    memcpy(r->mac, p + OFF_MAC, 32);
    memcpy(r->tee_tcb_valid, p + OFF_TCB_VALID, 8);
    memcpy(r->tee_tcb_svn, p + OFF_TEE_TCB_SVN, 16);
    memcpy(r->mrseam, p + OFF_MRSEAM, 48);
    memcpy(r->mrsignerseam, p + OFF_MRSIGNERSEAM, 48);
    r->seam_attributes = attest_le64(p + OFF_SEAM_ATTRIBUTES);
    memcpy(r->tee_tcb_svn2, p + OFF_TEE_TCB_SVN2, 16);
    r->attributes = attest_le64(p + OFF_ATTRIBUTES);
    r->xfam = attest_le64(p + OFF_XFAM);
    memcpy(r->mrtd, p + OFF_MRTD, 48);
    memcpy(r->mrconfigid, p + OFF_MRCONFIGID, 48);
    memcpy(r->mrowner, p + OFF_MROWNER, 48);
    memcpy(r->mrownerconfig, p + OFF_MROWNERCONFIG, 48);
    for (int i = 0; i < 4; i++)
        memcpy(r->rtmr[i], p + OFF_RTMR + 48 * i, 48);
    memcpy(r->servtd_hash, p + OFF_SERVTD_HASH, 48);
}

int attest_tdx_report_parse(attest_tdx_report *out, const uint8_t *data, size_t len)
{
    if (!out || !data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "tdx.tdreport: NULL argument");
    if (len != ATTEST_TDREPORT_SIZE)
        return attest_set_error(len < ATTEST_TDREPORT_SIZE ? ATTEST_E_TRUNCATED
                                                           : ATTEST_E_LENGTH,
                                "tdx.tdreport: %zu bytes, a TDREPORT has %d", len,
                                ATTEST_TDREPORT_SIZE);
    int st = check_header(data);
    if (st != ATTEST_OK)
        return st;
    read_fields(out, data);
    return ATTEST_OK;
}

static json_t *u64_hex(uint64_t v)
{
    char s[19];
    snprintf(s, sizeof s, "0x%016llx", (unsigned long long)v);
    return json_string(s);
}

json_t *attest_tdx_report_to_json(const attest_tdx_report *r)
{
    json_t *rtmr = json_array();
    for (int i = 0; rtmr && i < 4; i++)
        json_array_append_new(rtmr, attest_json_hex(r->rtmr[i], 48));
    return json_pack(
        "{s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
        "s:o, s:o, s:o, s:o, s:o}",
        "format", "tdx-tdreport", "version", (json_int_t)r->report_version,
        "cpusvn", attest_json_hex(r->cpusvn, 16),
        "report_data", attest_json_hex(r->report_data, 64),
        "tee_tcb_svn", attest_json_hex(r->tee_tcb_svn, 16),
        "mrseam", attest_json_hex(r->mrseam, 48),
        "mrsignerseam", attest_json_hex(r->mrsignerseam, 48),
        "seam_attributes", u64_hex(r->seam_attributes),
        "attributes", u64_hex(r->attributes), "xfam", u64_hex(r->xfam),
        "mrtd", attest_json_hex(r->mrtd, 48),
        "mrconfigid", attest_json_hex(r->mrconfigid, 48),
        "mrowner", attest_json_hex(r->mrowner, 48),
        "mrownerconfig", attest_json_hex(r->mrownerconfig, 48),
        "rtmr", rtmr, "servtd_hash", attest_json_hex(r->servtd_hash, 48),
        "tee_tcb_info_hash", attest_json_hex(r->tee_tcb_info_hash, 48),
        "tee_info_hash", attest_json_hex(r->tee_info_hash, 48),
        "mac", attest_json_hex(r->mac, 32));
}
