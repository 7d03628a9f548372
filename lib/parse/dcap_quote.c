/* Intel DCAP quote parser (v3 SGX, v4 TDX/SGX, v5 SGX/TD 1.0/TD 1.5).
 * Layouts: Intel sgx_quote_3.h / sgx_quote_4.h / sgx_quote_5.h, QVL
 * QuoteStructures.h; research/tdx.md (a) lists the offsets.
 *
 * Length rules: ATTEST_E_TRUNCATED when the buffer ends before a field or
 * before the end that sig_data_len announces; ATTEST_E_MALFORMED when the
 * length fields disagree with each other (a nested size larger than what
 * is left of its container, or bytes left over inside a container);
 * ATTEST_E_LENGTH for a non-zero byte after the signature data (zero
 * padding there is accepted: the TDX Quote Generation Service pads quotes
 * to 5006 or 8000 bytes). */
#include "dcap_quote.h"
#include "../base/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Header offsets. */
enum {
    OFF_VERSION = 0, OFF_ATT_KEY_TYPE = 2, OFF_TEE_TYPE = 4, OFF_QE_SVN = 8,
    OFF_PCE_SVN = 10, OFF_QE_VENDOR_ID = 12, OFF_USER_DATA = 28,
};

/* v5 body descriptor: u16 type at 48, u32 size at 50, body at 54. */
#define V5_BODY_TYPE_OFF 48
#define V5_BODY_SIZE_OFF 50
#define V5_BODY_OFF 54
#define V5_BODY_TYPE_SGX 1
#define V5_BODY_TYPE_TD10 2
#define V5_BODY_TYPE_TD15 3

#define ATT_KEY_ECDSA_P384 3
#define SIG_SIZE 64
#define KEY_SIZE 64

/* SGX report (REPORT_BODY) offsets. */
enum {
    SGX_CPUSVN = 0, SGX_MISCSELECT = 16, SGX_ISVEXTPRODID = 32,
    SGX_ATTRIBUTES = 48, SGX_MRENCLAVE = 64, SGX_MRSIGNER = 128,
    SGX_CONFIGID = 192, SGX_ISVPRODID = 256, SGX_ISVSVN = 258,
    SGX_CONFIGSVN = 260, SGX_ISVFAMILYID = 304, SGX_REPORTDATA = 320,
};

/* TD report offsets. */
enum {
    TD_TEE_TCB_SVN = 0, TD_MRSEAM = 16, TD_MRSIGNERSEAM = 64,
    TD_SEAM_ATTRIBUTES = 112, TD_TD_ATTRIBUTES = 120, TD_XFAM = 128,
    TD_MRTD = 136, TD_MRCONFIGID = 184, TD_MROWNER = 232,
    TD_MROWNERCONFIG = 280, TD_RTMR0 = 328, TD_REPORTDATA = 520,
    TD_TEE_TCB_SVN2 = 584, TD_MRSERVICETD = 600,
};

bool dcap_quote_detect(const uint8_t *data, size_t len)
{
    if (!data || len < 8)
        return false;
    uint16_t version = attest_le16(data + OFF_VERSION);
    uint16_t key = attest_le16(data + OFF_ATT_KEY_TYPE);
    uint32_t tee = attest_le32(data + OFF_TEE_TYPE);
    if (version < 3 || version > 5)
        return false;
    if (key != DCAP_ATT_KEY_ECDSA_P256 && key != ATT_KEY_ECDSA_P384)
        return false;
    if (tee != DCAP_TEE_SGX && tee != DCAP_TEE_TDX)
        return false;
    return version != 3 || tee == DCAP_TEE_SGX;
}

/* ---- names ----------------------------------------------------------- */

static const char *cert_type_name(unsigned type)
{
    switch (type) {
    case 1: return "plain PPID";
    case 2: return "RSA-2048 encrypted PPID";
    case 3: return "RSA-3072 encrypted PPID";
    case 4: return "PCK leaf certificate";
    case 5: return "PCK certificate chain";
    case 6: return "QE report certification data";
    case 7: return "platform manifest";
    default: return "unknown type";
    }
}

static const char *body_kind_name(dcap_body_kind k)
{
    switch (k) {
    case DCAP_BODY_SGX: return "sgx";
    case DCAP_BODY_TD10: return "td_report_1.0";
    case DCAP_BODY_TD15: return "td_report_1.5";
    default: return "unknown";
    }
}

static size_t body_kind_size(dcap_body_kind k)
{
    switch (k) {
    case DCAP_BODY_SGX: return DCAP_SGX_REPORT_SIZE;
    case DCAP_BODY_TD10: return DCAP_TD10_REPORT_SIZE;
    case DCAP_BODY_TD15: return DCAP_TD15_REPORT_SIZE;
    default: return 0;
    }
}

static const char *tee_name(uint32_t tee)
{
    return tee == DCAP_TEE_TDX ? "TDX" : tee == DCAP_TEE_SGX ? "SGX" : "unknown";
}


/* ---- report decoding ------------------------------------------------- */

void dcap_sgx_report_decode(dcap_sgx_report *out, const uint8_t raw[384])
{
    memset(out, 0, sizeof *out);
    memcpy(out->cpusvn, raw + SGX_CPUSVN, 16);
    out->miscselect = attest_le32(raw + SGX_MISCSELECT);
    memcpy(out->isvextprodid, raw + SGX_ISVEXTPRODID, 16);
    memcpy(out->attributes, raw + SGX_ATTRIBUTES, 16);
    memcpy(out->mrenclave, raw + SGX_MRENCLAVE, 32);
    memcpy(out->mrsigner, raw + SGX_MRSIGNER, 32);
    memcpy(out->configid, raw + SGX_CONFIGID, 64);
    out->isvprodid = attest_le16(raw + SGX_ISVPRODID);
    out->isvsvn = attest_le16(raw + SGX_ISVSVN);
    out->configsvn = attest_le16(raw + SGX_CONFIGSVN);
    memcpy(out->isvfamilyid, raw + SGX_ISVFAMILYID, 16);
    memcpy(out->reportdata, raw + SGX_REPORTDATA, 64);
}

static void td_report_decode(dcap_td_report *out, const uint8_t *raw, bool is_15)
{
    memset(out, 0, sizeof *out);
    memcpy(out->tee_tcb_svn, raw + TD_TEE_TCB_SVN, 16);
    memcpy(out->mrseam, raw + TD_MRSEAM, 48);
    memcpy(out->mrsignerseam, raw + TD_MRSIGNERSEAM, 48);
    memcpy(out->seam_attributes, raw + TD_SEAM_ATTRIBUTES, 8);
    memcpy(out->td_attributes, raw + TD_TD_ATTRIBUTES, 8);
    memcpy(out->xfam, raw + TD_XFAM, 8);
    memcpy(out->mrtd, raw + TD_MRTD, 48);
    memcpy(out->mrconfigid, raw + TD_MRCONFIGID, 48);
    memcpy(out->mrowner, raw + TD_MROWNER, 48);
    memcpy(out->mrownerconfig, raw + TD_MROWNERCONFIG, 48);
    for (int i = 0; i < 4; i++)
        memcpy(out->rtmr[i], raw + TD_RTMR0 + 48 * i, 48);
    memcpy(out->reportdata, raw + TD_REPORTDATA, 64);
    out->is_15 = is_15;
    if (is_15) {
        memcpy(out->tee_tcb_svn2, raw + TD_TEE_TCB_SVN2, 16);
        memcpy(out->mrservicetd, raw + TD_MRSERVICETD, 48);
    }
}

/* ---- header and body ------------------------------------------------- */

static int parse_header(dcap_quote *q, const uint8_t *p, size_t len)
{
    if (len < DCAP_HEADER_SIZE)
        return attest_set_error(ATTEST_E_TRUNCATED,
                                "dcap.quote.header: %zu bytes, the header has %d",
                                len, DCAP_HEADER_SIZE);
    q->version = attest_le16(p + OFF_VERSION);
    if (q->version < 3 || q->version > 5)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "dcap.quote.version: %u is not supported "
                                "(supported: 3, 4, 5)", q->version);
    q->att_key_type = attest_le16(p + OFF_ATT_KEY_TYPE);
    if (q->att_key_type == ATT_KEY_ECDSA_P384)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "dcap.quote.att_key_type: 3 (ECDSA-384-with-P-384) "
                                "not supported; only 2 (ECDSA-256-with-P-256) is");
    if (q->att_key_type != DCAP_ATT_KEY_ECDSA_P256)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "dcap.quote.att_key_type: %u is not a defined "
                                "attestation key type (2 = ECDSA-256-with-P-256)",
                                q->att_key_type);
    q->tee_type = attest_le32(p + OFF_TEE_TYPE);
    if (q->tee_type != DCAP_TEE_SGX && q->tee_type != DCAP_TEE_TDX)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "dcap.quote.tee_type: 0x%08x, only 0x00000000 (SGX) "
                                "and 0x00000081 (TDX) are defined", q->tee_type);
    if (q->version == 3 && q->tee_type != DCAP_TEE_SGX)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "dcap.quote.tee_type: 0x%08x (%s) in a version 3 "
                                "quote; version 3 quotes are SGX only",
                                q->tee_type, tee_name(q->tee_type));
    q->qe_svn = attest_le16(p + OFF_QE_SVN);
    q->pce_svn = attest_le16(p + OFF_PCE_SVN);
    memcpy(q->qe_vendor_id, p + OFF_QE_VENDOR_ID, 16);
    memcpy(q->user_data, p + OFF_USER_DATA, 20);
    /* Intel's QE is the only quoting enclave whose identity Intel publishes
     * (QVL QuoteConstants.h INTEL_QE_VENDOR_ID). */
    static const uint8_t intel_qe[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                         0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};
    if (memcmp(q->qe_vendor_id, intel_qe, 16) != 0)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "dcap.quote.qe_vendor_id: not Intel's QE vendor ID "
                                "939a7233f79c4ca9940a0db3957f0607");
    return ATTEST_OK;
}

/* Find the body: its kind, offset and the end of the signed bytes. */
static int parse_body(dcap_quote *q, const uint8_t *p, size_t len)
{
    size_t off = DCAP_HEADER_SIZE;
    if (q->version == 3) {
        q->body_kind = DCAP_BODY_SGX;
    } else if (q->version == 4) {
        /* QVL accepts v4 with an SGX TEE type and an SGX report body. */
        q->body_kind = q->tee_type == DCAP_TEE_TDX ? DCAP_BODY_TD10 : DCAP_BODY_SGX;
    } else {
        if (len < V5_BODY_OFF)
            return attest_set_error(ATTEST_E_TRUNCATED,
                                    "dcap.quote.body_type: %zu bytes, the version 5 "
                                    "body descriptor ends at %d", len, V5_BODY_OFF);
        uint16_t type = attest_le16(p + V5_BODY_TYPE_OFF);
        uint32_t size = attest_le32(p + V5_BODY_SIZE_OFF);
        if (type == V5_BODY_TYPE_SGX)
            q->body_kind = DCAP_BODY_SGX;
        else if (type == V5_BODY_TYPE_TD10)
            q->body_kind = DCAP_BODY_TD10;
        else if (type == V5_BODY_TYPE_TD15)
            q->body_kind = DCAP_BODY_TD15;
        else
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "dcap.quote.body_type: %u, only 1 (SGX report), "
                                    "2 (TD report 1.0) and 3 (TD report 1.5) are "
                                    "defined", type);
        if (size != body_kind_size(q->body_kind))
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "dcap.quote.body_size: %u, a body of type %u (%s) "
                                    "has %zu bytes", size, type,
                                    body_kind_name(q->body_kind),
                                    body_kind_size(q->body_kind));
        bool sgx_body = q->body_kind == DCAP_BODY_SGX;
        if (sgx_body != (q->tee_type == DCAP_TEE_SGX))
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "dcap.quote.body_type: %u (%s) does not match "
                                    "tee_type 0x%08x (%s)", type,
                                    body_kind_name(q->body_kind), q->tee_type,
                                    tee_name(q->tee_type));
        off = V5_BODY_OFF;
    }
    size_t size = body_kind_size(q->body_kind);
    if (len - off < size)
        return attest_set_error(ATTEST_E_TRUNCATED,
                                "dcap.quote.body: %zu bytes, the %s body ends at "
                                "offset %zu", len, body_kind_name(q->body_kind),
                                off + size);
    if (q->body_kind == DCAP_BODY_SGX)
        dcap_sgx_report_decode(&q->enclave, p + off);
    else
        td_report_decode(&q->td, p + off, q->body_kind == DCAP_BODY_TD15);
    q->signed_len = off + size;
    return ATTEST_OK;
}

/* ---- signature data -------------------------------------------------- */

/* Reject every certification data type but `want` with a message naming
 * the type found. `field` names the type field; `where` the context. */
static int check_cert_type(uint16_t type, uint16_t want, const char *field,
                           const char *where)
{
    if (type == want)
        return ATTEST_OK;
    if (want == DCAP_CERT_PCK_CHAIN && type >= 1 && type <= 4)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: %u (%s) not supported; a type 5 PCK chain is "
                                "required", field, type, cert_type_name(type));
    return attest_set_error(ATTEST_E_MALFORMED,
                            "%s: %u (%s) not allowed %s; type %u (%s) is required",
                            field, type, cert_type_name(type), where, want,
                            cert_type_name(want));
}

/* QE report | QE report signature | QE auth data: common to v3 and the
 * type-6 block of v4/v5. */
static int parse_qe_report(dcap_quote *q, attest_reader *r)
{
    size_t at;
    uint16_t auth_len;
    int st = attest_reader_take(r, DCAP_SGX_REPORT_SIZE, "dcap.quote.qe_report", &at);
    if (st != ATTEST_OK)
        return st;
    q->qe_report_off = at;
    dcap_sgx_report_decode(&q->qe_report, r->p + at);
    if ((st = attest_reader_copy(r, SIG_SIZE, "dcap.quote.qe_report_signature",
                      q->qe_report_sig)) != ATTEST_OK ||
        (st = attest_reader_u16(r, "dcap.quote.qe_auth_data.size", &auth_len)) != ATTEST_OK ||
        (st = attest_reader_take(r, auth_len, "dcap.quote.qe_auth_data", &at)) != ATTEST_OK)
        return st;
    q->qe_auth_off = at;
    q->qe_auth_len = auth_len;
    return ATTEST_OK;
}

/* The PEM chain: strip one trailing NUL, refuse any other NUL. */
static int parse_pem_chain(dcap_quote *q, size_t off, size_t len)
{
    const uint8_t *pem = q->raw + off;
    if (len > 0 && pem[len - 1] == '\0')
        len--;
    if (len == 0)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "dcap.quote.pck_chain: empty certification data");
    const uint8_t *nul = memchr(pem, 0, len);
    if (nul)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "dcap.quote.pck_chain: NUL byte at offset %zu inside "
                                "the PEM text (only one at its very end is allowed)",
                                off + (size_t)(nul - pem));
    q->pck_chain_off = off;
    q->pck_chain_len = len;
    return ATTEST_OK;
}

/* u16 type (must be `want`) | u32 size | data filling the rest of `r`
 * exactly. Returns the data's offset and size. */
static int parse_cert_header(attest_reader *r, uint16_t want, const char *type_field,
                             const char *size_field, const char *data_field,
                             const char *where, uint16_t *type_out, size_t *data_off,
                             size_t *data_len)
{
    uint16_t type;
    uint32_t size;
    int st = attest_reader_u16(r, type_field, &type);
    if (st != ATTEST_OK)
        return st;
    if (type_out)
        *type_out = type;
    if ((st = check_cert_type(type, want, type_field, where)) != ATTEST_OK)
        return st;
    if ((st = attest_reader_u32(r, size_field, &size)) != ATTEST_OK)
        return st;
    if (size != attest_reader_left(r))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "%s: %u, but its container has %zu bytes left after "
                                "it (the sizes must match exactly)", size_field, size,
                                attest_reader_left(r));
    if ((st = attest_reader_take(r, size, data_field, data_off)) != ATTEST_OK)
        return st;
    *data_len = size;
    return ATTEST_OK;
}

static int parse_sig_data(dcap_quote *q, size_t start, size_t end)
{
    attest_reader r = attest_reader_init(q->raw, start, end);
    size_t off, size;
    int st;
    if ((st = attest_reader_copy(&r, SIG_SIZE, "dcap.quote.signature", q->signature)) != ATTEST_OK ||
        (st = attest_reader_copy(&r, KEY_SIZE, "dcap.quote.attest_key", q->attest_key)) != ATTEST_OK)
        return st;
    if (q->version == 3) {
        if ((st = parse_qe_report(q, &r)) != ATTEST_OK ||
            (st = parse_cert_header(&r, DCAP_CERT_PCK_CHAIN,
                                    "dcap.quote.cert_data.type",
                                    "dcap.quote.cert_data.size",
                                    "dcap.quote.cert_data", "in a version 3 quote",
                                    &q->outer_cert_type, &off, &size)) != ATTEST_OK)
            return st;
        return parse_pem_chain(q, off, size);
    }
    /* v4 / v5: type 6 wrapping the QE report and a type-5 chain. */
    if ((st = parse_cert_header(&r, DCAP_CERT_QE_REPORT, "dcap.quote.cert_data.type",
                                "dcap.quote.cert_data.size", "dcap.quote.cert_data",
                                q->version == 4 ? "at the top of a version 4 quote"
                                                : "at the top of a version 5 quote",
                                &q->outer_cert_type, &off, &size)) != ATTEST_OK)
        return st;
    attest_reader inner = attest_reader_init(q->raw, off, off + size);
    if ((st = parse_qe_report(q, &inner)) != ATTEST_OK ||
        (st = parse_cert_header(&inner, DCAP_CERT_PCK_CHAIN,
                                "dcap.quote.cert_data.inner.type",
                                "dcap.quote.cert_data.inner.size",
                                "dcap.quote.cert_data.inner",
                                "inside QE report certification data", NULL, &off,
                                &size)) != ATTEST_OK)
        return st;
    return parse_pem_chain(q, off, size);
}

/* Bytes after the signature data are covered by no signature and belong
 * to no field. Zero padding is what quote generation leaves there and is
 * accepted (counted in trailing_len); anything else is data nobody vouches
 * for that a consumer of the raw quote might still trust, so it is refused
 * (the rule of the SNP and NVIDIA parsers too). */
static int check_trailing(dcap_quote *q, size_t sig_end)
{
    for (size_t i = sig_end; i < q->raw_len; i++)
        if (q->raw[i] != 0)
            return attest_set_error(ATTEST_E_LENGTH,
                                    "dcap.quote.trailing: byte 0x%02x at offset %zu, "
                                    "after the signature data (which ends at %zu); "
                                    "only zero padding is accepted", q->raw[i], i,
                                    sig_end);
    q->trailing_len = q->raw_len - sig_end;
    return ATTEST_OK;
}

/* ---- entry points ---------------------------------------------------- */

int dcap_quote_parse(dcap_quote **out, const uint8_t *data, size_t len)
{
    if (!out || (!data && len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "dcap.quote: NULL argument");
    *out = NULL;
    dcap_quote *q = calloc(1, sizeof *q);
    if (!q)
        return attest_set_error(ATTEST_E_NOMEM, "dcap.quote: out of memory");
    int st = parse_header(q, data, len);
    if (st == ATTEST_OK)
        st = parse_body(q, data, len);
    if (st != ATTEST_OK)
        goto fail;
    size_t pos = q->signed_len; /* <= len: parse_body checked it */
    if (len - pos < 4) {
        st = attest_set_error(ATTEST_E_TRUNCATED,
                              "dcap.quote.sig_data_len: %zu bytes, the field ends "
                              "at offset %zu", len, pos + 4);
        goto fail;
    }
    q->sig_data_len = attest_le32(data + pos);
    pos += 4;
    if (len - pos < q->sig_data_len) {
        st = attest_set_error(ATTEST_E_TRUNCATED,
                              "dcap.quote.sig_data: sig_data_len is %u but only "
                              "%zu bytes follow it", q->sig_data_len, len - pos);
        goto fail;
    }
    q->raw = malloc(len);
    if (!q->raw) {
        st = attest_set_error(ATTEST_E_NOMEM, "dcap.quote: out of memory");
        goto fail;
    }
    memcpy(q->raw, data, len);
    q->raw_len = len;
    size_t sig_end = pos + q->sig_data_len;
    if ((st = parse_sig_data(q, pos, sig_end)) != ATTEST_OK ||
        (st = check_trailing(q, sig_end)) != ATTEST_OK)
        goto fail;
    *out = q;
    return ATTEST_OK;
fail:
    dcap_quote_free(q);
    return st;
}

void dcap_quote_free(dcap_quote *q)
{
    if (!q)
        return;
    free(q->raw);
    free(q);
}

/* ---- JSON view ------------------------------------------------------- */

static void set_hex(json_t *o, const char *key, const uint8_t *p, size_t n)
{
    json_object_set_new(o, key, attest_json_hex(p, n));
}

static json_t *sgx_attributes_json(const uint8_t a[16])
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    set_hex(o, "raw", a, 16);
    json_object_set_new(o, "init", json_boolean(a[0] & 0x01));
    json_object_set_new(o, "debug", json_boolean(a[0] & 0x02));
    json_object_set_new(o, "mode64bit", json_boolean(a[0] & 0x04));
    json_object_set_new(o, "provision_key", json_boolean(a[0] & 0x10));
    json_object_set_new(o, "einittoken_key", json_boolean(a[0] & 0x20));
    json_object_set_new(o, "kss", json_boolean(a[0] & 0x80));
    set_hex(o, "xfrm", a + 8, 8);
    return o;
}

/* The SGX report fields, into `o` (the quote object or "qe_report"). */
static void sgx_report_fields(json_t *o, const dcap_sgx_report *r)
{
    set_hex(o, "cpusvn", r->cpusvn, 16);
    json_object_set_new(o, "miscselect", json_integer(r->miscselect));
    set_hex(o, "isvextprodid", r->isvextprodid, 16);
    json_object_set_new(o, "attributes", sgx_attributes_json(r->attributes));
    set_hex(o, "mrenclave", r->mrenclave, 32);
    set_hex(o, "mrsigner", r->mrsigner, 32);
    set_hex(o, "configid", r->configid, 64);
    json_object_set_new(o, "isvprodid", json_integer(r->isvprodid));
    json_object_set_new(o, "isvsvn", json_integer(r->isvsvn));
    json_object_set_new(o, "configsvn", json_integer(r->configsvn));
    set_hex(o, "isvfamilyid", r->isvfamilyid, 16);
    set_hex(o, "report_data", r->reportdata, 64);
}

static json_t *td_attributes_json(const uint8_t a[8])
{
    uint64_t v = attest_le64(a);
    json_t *o = json_object();
    if (!o)
        return NULL;
    set_hex(o, "raw", a, 8);
    json_object_set_new(o, "debug", json_boolean(v & 1));
    json_object_set_new(o, "sept_ve_disable", json_boolean((v >> 28) & 1));
    json_object_set_new(o, "pks", json_boolean((v >> 30) & 1));
    json_object_set_new(o, "kl", json_boolean((v >> 31) & 1));
    json_object_set_new(o, "perfmon", json_boolean((v >> 63) & 1));
    return o;
}

static void td_report_fields(json_t *o, const dcap_td_report *t)
{
    static const char *const rtmr[4] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
    set_hex(o, "tee_tcb_svn", t->tee_tcb_svn, 16);
    set_hex(o, "mrseam", t->mrseam, 48);
    set_hex(o, "mrsignerseam", t->mrsignerseam, 48);
    set_hex(o, "seam_attributes", t->seam_attributes, 8);
    json_object_set_new(o, "td_attributes", td_attributes_json(t->td_attributes));
    set_hex(o, "xfam", t->xfam, 8);
    set_hex(o, "mrtd", t->mrtd, 48);
    set_hex(o, "mrconfigid", t->mrconfigid, 48);
    set_hex(o, "mrowner", t->mrowner, 48);
    set_hex(o, "mrownerconfig", t->mrownerconfig, 48);
    for (int i = 0; i < 4; i++)
        set_hex(o, rtmr[i], t->rtmr[i], 48);
    set_hex(o, "report_data", t->reportdata, 64);
    if (t->is_15) {
        set_hex(o, "tee_tcb_svn2", t->tee_tcb_svn2, 16);
        set_hex(o, "mrservicetd", t->mrservicetd, 48);
    }
}

json_t *dcap_quote_to_json(const dcap_quote *q)
{
    if (!q)
        return NULL;
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "format", json_string("intel-dcap-quote"));
    json_object_set_new(o, "version", json_integer(q->version));
    json_object_set_new(o, "att_key_type", json_integer(q->att_key_type));
    json_object_set_new(o, "tee", json_string(q->tee_type == DCAP_TEE_TDX ? "tdx" : "sgx"));
    json_object_set_new(o, "tee_type", json_integer(q->tee_type));
    json_object_set_new(o, "qe_svn", json_integer(q->qe_svn));
    json_object_set_new(o, "pce_svn", json_integer(q->pce_svn));
    set_hex(o, "qe_vendor_id", q->qe_vendor_id, 16);
    set_hex(o, "user_data", q->user_data, 20);
    json_object_set_new(o, "body_type", json_string(body_kind_name(q->body_kind)));
    if (q->body_kind == DCAP_BODY_SGX)
        sgx_report_fields(o, &q->enclave);
    else
        td_report_fields(o, &q->td);
    json_object_set_new(o, "signed_len", json_integer((json_int_t)q->signed_len));
    json_object_set_new(o, "sig_data_len", json_integer(q->sig_data_len));
    set_hex(o, "signature", q->signature, 64);
    set_hex(o, "attest_key", q->attest_key, 64);
    json_object_set_new(o, "cert_data_type", json_integer(q->outer_cert_type));
    json_t *qe = json_object();
    if (qe)
        sgx_report_fields(qe, &q->qe_report);
    json_object_set_new(o, "qe_report", qe);
    set_hex(o, "qe_report_signature", q->qe_report_sig, 64);
    if (q->raw)
        set_hex(o, "qe_auth_data", q->raw + q->qe_auth_off, q->qe_auth_len);
    /* PEM is text; bytes that are not UTF-8 (a hostile quote) are shown as
     * hex rather than dropped. */
    json_t *pem = q->raw ? json_stringn((const char *)q->raw + q->pck_chain_off,
                                        q->pck_chain_len)
                         : NULL;
    if (pem) {
        json_object_set_new(o, "pck_chain_pem", pem);
    } else {
        json_object_set_new(o, "pck_chain_pem", json_null());
        if (q->raw)
            set_hex(o, "pck_chain_hex", q->raw + q->pck_chain_off, q->pck_chain_len);
    }
    json_object_set_new(o, "trailing_bytes", json_integer((json_int_t)q->trailing_len));
    return o;
}
