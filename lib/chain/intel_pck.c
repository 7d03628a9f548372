/* The Intel SGX extension of PCK certificates, OID 1.2.840.113741.1.13.1:
 * SEQUENCE OF SEQUENCE { OID, value } (Intel "PCK Certificate and CRL
 * Profile Specification"; QVL Src/AttestationParsers/src/ParserUtils.h
 * namespace oids). Unknown members are ignored: Intel adds members over
 * time. Every known member must have its specified ASN.1 type and size. */
#include "intel_pck.h"

#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#define SGX_OID "1.2.840.113741.1.13.1"
#define SGX_OID_PREFIX SGX_OID "."
#define FIELD "dcap.pck.sgx_extension"

/* Member numbers under SGX_OID. */
enum {
    M_PPID = 1, M_TCB = 2, M_PCE_ID = 3, M_FMSPC = 4, M_SGX_TYPE = 5,
    M_PLATFORM_INSTANCE_ID = 6, M_CONFIGURATION = 7,
};
#define TCB_PCESVN 17
#define TCB_CPUSVN 18
#define CFG_DYNAMIC 1
#define CFG_CACHED_KEYS 2
#define CFG_SMT 3

static const char *member_name(int m)
{
    switch (m) {
    case M_PPID: return "PPID";
    case M_TCB: return "TCB";
    case M_PCE_ID: return "PCE-ID";
    case M_FMSPC: return "FMSPC";
    case M_SGX_TYPE: return "SGX type";
    case M_PLATFORM_INSTANCE_ID: return "PlatformInstanceID";
    case M_CONFIGURATION: return "Configuration";
    default: return "member";
    }
}

/* An OID prefix both as text (for messages) and as the DER content of its
 * arcs: members are matched on their OID's bytes, as decoded (DER arcs are
 * minimal, so equal arcs are equal bytes), and their text is written only
 * for the few that are ours. OBJ_obj2txt for each of the ~30 members cost
 * more than the rest of this parse. */
typedef struct oid_prefix {
    const char *text;  /* "1.2.840.113741.1.13.1." and below */
    uint8_t der[12];
    size_t der_len;
} oid_prefix;

/* 1.2.840.113741.1.13.1: 1.2 -> 0x2a, 840 -> 86 48, 113741 -> 86 f8 4d. */
#define SGX_OID_DER 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01
static const oid_prefix sgx_members = {SGX_OID_PREFIX, {SGX_OID_DER}, 9};
static const oid_prefix tcb_members = {SGX_OID_PREFIX "2.", {SGX_OID_DER, 0x02}, 10};
static const oid_prefix config_members = {SGX_OID_PREFIX "7.", {SGX_OID_DER, 0x07}, 10};

/* The one arc after `p` in the OID content d[0..n), as a number of at most
 * six digits; -1 when the OID is not p.N or N is larger. */
static int arc_after(const uint8_t *d, size_t n, const oid_prefix *p)
{
    if (n <= p->der_len || memcmp(d, p->der, p->der_len) != 0)
        return -1;
    uint32_t v = 0;
    for (size_t i = p->der_len; i < n; i++) {
        v = v << 7 | (d[i] & 0x7f);
        if (v > 999999)
            return -1;
        if (!(d[i] & 0x80))
            return i + 1 == n ? (int)v : -1; /* another arc follows: not ours */
    }
    return -1;
}

/* One SEQUENCE { OID, value }: the number after `prefix` (or -1 when the
 * OID is not directly under it), its text when it is, and the value.
 * Returns 0 or -1 when the pair itself is malformed. */
typedef struct member {
    STACK_OF(ASN1_TYPE) *pair; /* owned */
    char oid[96];              /* prefix.N; "" when number is -1 */
    int number;                /* -1: not prefix.N */
    const ASN1_TYPE *value;
} member;

static int member_decode(const ASN1_TYPE *t, const oid_prefix *prefix, member *m)
{
    memset(m, 0, sizeof *m);
    m->number = -1;
    m->pair = attest_asn1_type_seq(t);
    if (!m->pair || sk_ASN1_TYPE_num(m->pair) != 2)
        return -1;
    const ASN1_TYPE *oid = sk_ASN1_TYPE_value(m->pair, 0);
    if (oid->type != V_ASN1_OBJECT)
        return -1;
    const unsigned char *d = OBJ_get0_data(oid->value.object);
    size_t n = OBJ_length(oid->value.object);
    if (!d || n == 0)
        return -1;
    m->value = sk_ASN1_TYPE_value(m->pair, 1);
    m->number = arc_after(d, n, prefix);
    if (m->number >= 0)
        snprintf(m->oid, sizeof m->oid, "%s%d", prefix->text, m->number);
    return 0;
}

static void member_free(member *m)
{
    attest_asn1_seq_free(m->pair);
    m->pair = NULL;
}

static int octets(const ASN1_TYPE *v, uint8_t *out, size_t n)
{
    if (v->type != V_ASN1_OCTET_STRING || !v->value.octet_string ||
        (size_t)ASN1_STRING_length(v->value.octet_string) != n)
        return -1;
    memcpy(out, ASN1_STRING_get0_data(v->value.octet_string), n);
    return 0;
}

static int integer(const ASN1_TYPE *v, int type, int max, int *out)
{
    int64_t x;
    if (v->type != type)
        return -1;
    if (type == V_ASN1_INTEGER) {
        if (ASN1_INTEGER_get_int64(&x, v->value.integer) != 1)
            return -1;
    } else {
        if (ASN1_ENUMERATED_get_int64(&x, v->value.enumerated) != 1)
            return -1;
    }
    if (x < 0 || x > max)
        return -1;
    *out = (int)x;
    return 0;
}

static int boolean(const ASN1_TYPE *v, int *out)
{
    if (v->type != V_ASN1_BOOLEAN)
        return -1;
    *out = v->value.boolean ? 1 : 0;
    return 0;
}

/* (errno was cleared before the extension was read: an element OpenSSL
 * could not decode for want of memory is no verdict on the certificate.) */
static int bad(const char *oid, const char *what)
{
    if (attest_alloc_failed())
        return attest_set_error(ATTEST_E_NOMEM, FIELD ": out of memory");
    return attest_set_error(ATTEST_E_CERT_PARSE, FIELD ": %s %s", oid, what);
}

/* .2: SEQUENCE of 18 { OID .2.N, value }. */
static int parse_tcb(const ASN1_TYPE *v, intel_pck_info *out)
{
    STACK_OF(ASN1_TYPE) *seq = attest_asn1_type_seq(v);
    if (!seq)
        return bad(SGX_OID_PREFIX "2", "(TCB) is not a SEQUENCE");
    bool seen[TCB_CPUSVN + 1] = {false};
    int st = ATTEST_OK;
    for (int i = 0; i < sk_ASN1_TYPE_num(seq) && st == ATTEST_OK; i++) {
        member m;
        if (member_decode(sk_ASN1_TYPE_value(seq, i), &tcb_members, &m) != 0) {
            st = bad(SGX_OID_PREFIX "2", "(TCB) holds an element that is not "
                                         "SEQUENCE { OID, value }");
        } else if (m.number >= 1 && m.number <= TCB_CPUSVN) {
            if (seen[m.number])
                st = bad(m.oid, "appears twice");
            else if (m.number <= 16 &&
                     integer(m.value, V_ASN1_INTEGER, 255, &out->sgx_svn[m.number - 1]) != 0)
                st = bad(m.oid, "(SGX TCB component SVN) is not an INTEGER in [0, 255]");
            else if (m.number == TCB_PCESVN &&
                     integer(m.value, V_ASN1_INTEGER, 65535, &out->pcesvn) != 0)
                st = bad(m.oid, "(PCESVN) is not an INTEGER in [0, 65535]");
            else if (m.number == TCB_CPUSVN && octets(m.value, out->cpusvn, 16) != 0)
                st = bad(m.oid, "(CPUSVN) is not an OCTET STRING of 16 bytes");
            seen[m.number] = true;
        }
        member_free(&m);
    }
    attest_asn1_seq_free(seq);
    if (st != ATTEST_OK)
        return st;
    for (int n = 1; n <= TCB_CPUSVN; n++)
        if (!seen[n]) {
            char oid[64];
            snprintf(oid, sizeof oid, SGX_OID_PREFIX "2.%d", n);
            return bad(oid, n <= 16 ? "(SGX TCB component SVN) missing"
                            : n == TCB_PCESVN ? "(PCESVN) missing"
                                              : "(CPUSVN) missing");
        }
    return ATTEST_OK;
}

/* .7: SEQUENCE of optional { .7.1 | .7.2 | .7.3 BOOLEAN }. */
static int parse_configuration(const ASN1_TYPE *v, intel_pck_info *out)
{
    STACK_OF(ASN1_TYPE) *seq = attest_asn1_type_seq(v);
    if (!seq)
        return bad(SGX_OID_PREFIX "7", "(Configuration) is not a SEQUENCE");
    int st = ATTEST_OK;
    for (int i = 0; i < sk_ASN1_TYPE_num(seq) && st == ATTEST_OK; i++) {
        member m;
        int *slot = NULL;
        if (member_decode(sk_ASN1_TYPE_value(seq, i), &config_members, &m) != 0) {
            st = bad(SGX_OID_PREFIX "7", "(Configuration) holds an element that "
                                         "is not SEQUENCE { OID, value }");
            member_free(&m);
            break;
        }
        if (m.number == CFG_DYNAMIC)
            slot = &out->dynamic_platform;
        else if (m.number == CFG_CACHED_KEYS)
            slot = &out->cached_keys;
        else if (m.number == CFG_SMT)
            slot = &out->smt_enabled;
        if (slot && *slot >= 0)
            st = bad(m.oid, "appears twice");
        else if (slot && boolean(m.value, slot) != 0)
            st = bad(m.oid, "is not a BOOLEAN");
        member_free(&m);
    }
    attest_asn1_seq_free(seq);
    if (st == ATTEST_OK)
        out->has_configuration = true;
    return st;
}

static int parse_member(const member *m, intel_pck_info *out)
{
    switch (m->number) {
    case M_PPID:
        return octets(m->value, out->ppid, 16) == 0
                   ? ATTEST_OK
                   : bad(m->oid, "(PPID) is not an OCTET STRING of 16 bytes");
    case M_TCB:
        return parse_tcb(m->value, out);
    case M_PCE_ID:
        return octets(m->value, out->pce_id, 2) == 0
                   ? ATTEST_OK
                   : bad(m->oid, "(PCE-ID) is not an OCTET STRING of 2 bytes");
    case M_FMSPC:
        return octets(m->value, out->fmspc, 6) == 0
                   ? ATTEST_OK
                   : bad(m->oid, "(FMSPC) is not an OCTET STRING of 6 bytes");
    case M_SGX_TYPE:
        return integer(m->value, V_ASN1_ENUMERATED, 255, &out->sgx_type) == 0
                   ? ATTEST_OK
                   : bad(m->oid, "(SGX type) is not an ENUMERATED in [0, 255]");
    case M_PLATFORM_INSTANCE_ID:
        if (octets(m->value, out->platform_instance_id, 16) != 0)
            return bad(m->oid, "(PlatformInstanceID) is not an OCTET STRING of "
                               "16 bytes");
        out->has_platform_instance_id = true;
        return ATTEST_OK;
    case M_CONFIGURATION:
        return parse_configuration(m->value, out);
    default:
        return ATTEST_OK; /* a member Intel added later */
    }
}

int intel_pck_info_parse(X509 *cert, intel_pck_info *out)
{
    if (!cert || !out)
        return attest_set_error(ATTEST_E_INVALID_ARG, FIELD ": NULL argument");
    memset(out, 0, sizeof *out);
    out->dynamic_platform = out->cached_keys = out->smt_enabled = -1;

    ASN1_OBJECT *obj = OBJ_txt2obj(SGX_OID, 1);
    if (!obj) /* a constant, well-formed OID: only an allocation can fail (allocfail walk) */
        return attest_set_error(ATTEST_E_NOMEM, FIELD ": OBJ_txt2obj: out of memory");
    int idx = X509_get_ext_by_OBJ(cert, obj, -1);
    int again = idx >= 0 ? X509_get_ext_by_OBJ(cert, obj, idx) : -1;
    ASN1_OBJECT_free(obj);
    if (idx < 0)
        return attest_set_error(ATTEST_E_CERT_PARSE,
                                FIELD ": the certificate has no SGX extension "
                                SGX_OID);
    if (again >= 0)
        return attest_set_error(ATTEST_E_CERT_PARSE,
                                FIELD ": the SGX extension " SGX_OID
                                " appears twice");
    const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
    if (!data)
        return attest_set_error(ATTEST_E_CERT_PARSE, FIELD ": " SGX_OID " has no value");
    errno = 0;
    STACK_OF(ASN1_TYPE) *seq = attest_asn1_seq(ASN1_STRING_get0_data(data),
                                          ASN1_STRING_length(data));
    if (!seq)
        return attest_alloc_failed() ? attest_set_error(ATTEST_E_NOMEM, FIELD ": out of memory")
                                     : attest_set_error(ATTEST_E_CERT_PARSE,
                                FIELD ": " SGX_OID " is not a single DER SEQUENCE "
                                "(or has bytes after it)");
    bool seen[M_CONFIGURATION + 1] = {false};
    int st = ATTEST_OK;
    for (int i = 0; i < sk_ASN1_TYPE_num(seq) && st == ATTEST_OK; i++) {
        member m;
        if (member_decode(sk_ASN1_TYPE_value(seq, i), &sgx_members, &m) != 0) {
            st = attest_alloc_failed() ? attest_set_error(ATTEST_E_NOMEM, FIELD ": out of memory")
                                       : attest_set_error(ATTEST_E_CERT_PARSE,
                                  FIELD ": element %d of " SGX_OID " is not "
                                  "SEQUENCE { OID, value }", i);
        } else if (m.number >= M_PPID && m.number <= M_CONFIGURATION &&
                   seen[m.number]) {
            st = bad(m.oid, "appears twice");
        } else {
            st = parse_member(&m, out);
            if (m.number >= M_PPID && m.number <= M_CONFIGURATION)
                seen[m.number] = true;
        }
        member_free(&m);
    }
    attest_asn1_seq_free(seq);
    if (st != ATTEST_OK)
        return st;
    for (int n = M_PPID; n <= M_SGX_TYPE; n++)
        if (!seen[n])
            return attest_set_error(ATTEST_E_CERT_PARSE,
                                    FIELD ": required member " SGX_OID_PREFIX
                                    "%d (%s) missing", n, member_name(n));
    return ATTEST_OK;
}

/* ---- JSON view ------------------------------------------------------- */

static json_t *tri_bool(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static const char *sgx_type_name(int t)
{
    switch (t) {
    case 0: return "standard";
    case 1: return "scalable";
    case 2: return "scalable_with_integrity";
    default: return NULL;
    }
}

json_t *intel_pck_info_to_json(const intel_pck_info *p)
{
    if (!p)
        return NULL;
    json_t *o = json_object();
    json_t *svn = json_array();
    json_t *tcb = json_object();
    if (!o || !svn || !tcb) {
        json_decref(o);
        json_decref(svn);
        json_decref(tcb);
        return NULL;
    }
    json_object_set_new(o, "fmspc", attest_json_hex(p->fmspc, 6));
    json_object_set_new(o, "pce_id", attest_json_hex(p->pce_id, 2));
    json_object_set_new(o, "ppid", attest_json_hex(p->ppid, 16));
    for (int i = 0; i < 16; i++)
        json_array_append_new(svn, json_integer(p->sgx_svn[i]));
    json_object_set_new(tcb, "sgx_svn", svn);
    json_object_set_new(tcb, "pcesvn", json_integer(p->pcesvn));
    json_object_set_new(tcb, "cpusvn", attest_json_hex(p->cpusvn, 16));
    json_object_set_new(o, "tcb", tcb);
    json_object_set_new(o, "sgx_type", json_integer(p->sgx_type));
    const char *tname = sgx_type_name(p->sgx_type);
    json_object_set_new(o, "sgx_type_name", tname ? json_string(tname) : json_null());
    json_object_set_new(o, "platform_instance_id",
                        p->has_platform_instance_id
                            ? attest_json_hex(p->platform_instance_id, 16)
                            : json_null());
    if (p->has_configuration)
        json_object_set_new(o, "configuration",
                            json_pack("{s:o, s:o, s:o}", "dynamic_platform",
                                      tri_bool(p->dynamic_platform), "cached_keys",
                                      tri_bool(p->cached_keys), "smt_enabled",
                                      tri_bool(p->smt_enabled)));
    else
        json_object_set_new(o, "configuration", json_null());
    return o;
}
