/* The AMD extensions of VCEK and VLEK certificates (AMD "Versioned Chip
 * Endorsement Key (VCEK) Certificate and KDS Interface Specification",
 * OIDs under 1.3.6.1.4.1.3704.1). */
#include "amd.h"
#include "x509_chain.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define AMD_OID_PREFIX "1.3.6.1.4.1.3704.1."

/* A DER INTEGER that fills the extension value exactly, in [0, max]. SPLs
 * are bytes of a TCB_VERSION (max 255): anything larger cannot be bound to
 * a report and is refused rather than truncated. */
static int read_int(const ASN1_OCTET_STRING *v, int max, int *out)
{
    const unsigned char *p = ASN1_STRING_get0_data(v);
    long len = ASN1_STRING_length(v);
    ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &p, len);
    int64_t value;
    int ok = i && p == ASN1_STRING_get0_data(v) + len &&
             ASN1_INTEGER_get_int64(&value, i) == 1 && value >= 0 && value <= max;
    ASN1_INTEGER_free(i);
    if (ok)
        *out = (int)value;
    return ok ? 0 : -1;
}

static int read_ia5(const ASN1_OCTET_STRING *v, char *out, size_t n)
{
    const unsigned char *p = ASN1_STRING_get0_data(v);
    long len = ASN1_STRING_length(v);
    ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &p, len);
    int ok = s && p == ASN1_STRING_get0_data(v) + len &&
             (size_t)ASN1_STRING_length(s) < n &&
             memchr(ASN1_STRING_get0_data(s), 0, (size_t)ASN1_STRING_length(s)) == NULL;
    if (ok) {
        memcpy(out, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
        out[ASN1_STRING_length(s)] = '\0';
    }
    ASN1_IA5STRING_free(s);
    return ok ? 0 : -1;
}

/* KDS stores hwID as raw bytes without an inner tag; some tools wrap it in
 * an OCTET STRING (04 40 ...). Both are accepted, nothing else. */
static int read_hwid(const ASN1_OCTET_STRING *v, uint8_t *out, size_t *out_len)
{
    const unsigned char *p = ASN1_STRING_get0_data(v);
    size_t len = (size_t)ASN1_STRING_length(v);
    if (len == 66 && p[0] == 0x04 && p[1] == 0x40) {
        p += 2;
        len = 64;
    } else if (len == 10 && p[0] == 0x04 && p[1] == 0x08) {
        p += 2;
        len = 8;
    }
    if (len != 64 && len != 8)
        return -1;
    memcpy(out, p, len);
    *out_len = len;
    return 0;
}

/* One AMD extension, identified by the OID text after the prefix. */
static int read_extension(const char *suffix, const ASN1_OCTET_STRING *value,
                          amd_vek_info *out)
{
    if (strcmp(suffix, "1") == 0)
        return read_int(value, 255, &out->struct_version);
    if (strcmp(suffix, "2") == 0)
        return read_ia5(value, out->product_name, sizeof out->product_name);
    if (strncmp(suffix, "3.", 2) == 0 && suffix[2] >= '1' && suffix[2] <= '9' &&
        suffix[3] == '\0')
        return read_int(value, 255, &out->spl[suffix[2] - '0']);
    if (strcmp(suffix, "4") == 0)
        return read_hwid(value, out->hwid, &out->hwid_len);
    if (strcmp(suffix, "5") == 0)
        return read_ia5(value, out->csp_id, sizeof out->csp_id);
    return -2; /* unknown */
}

int amd_vek_info_parse(X509 *cert, amd_vek_info *out)
{
    char cn[64];
    memset(out, 0, sizeof *out);
    out->struct_version = -1;
    for (int i = 0; i < 10; i++)
        out->spl[i] = -1;
    attest_cert_cn(cert, cn, sizeof cn);
    if (strcmp(cn, "SEV-VCEK") == 0)
        out->kind = AMD_VEK_VCEK;
    else if (strcmp(cn, "SEV-VLEK") == 0)
        out->kind = AMD_VEK_VLEK;
    else
        return attest_set_error(ATTEST_E_CERT_PROFILE,
                                "snp.vek: subject CN '%s' is neither SEV-VCEK "
                                "nor SEV-VLEK", cn);
    for (int i = 0; i < X509_get_ext_count(cert); i++) {
        X509_EXTENSION *ext = X509_get_ext(cert, i);
        char oid[80];
        if (OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1) <= 0)
            continue;
        if (strncmp(oid, AMD_OID_PREFIX, strlen(AMD_OID_PREFIX)) != 0)
            continue;
        const char *suffix = oid + strlen(AMD_OID_PREFIX);
        errno = 0;
        int rc = read_extension(suffix, X509_EXTENSION_get_data(ext), out);
        if (rc != 0 && attest_alloc_failed())
            return attest_set_error(ATTEST_E_NOMEM, "snp.vek.extensions: out of memory");
        if (rc == -2)
            return attest_set_error(ATTEST_E_CERT_PARSE,
                                    "snp.vek.extensions: unknown AMD extension %s",
                                    oid);
        if (rc != 0)
            return attest_set_error(ATTEST_E_CERT_PARSE,
                                    "snp.vek.extensions: %s is not encoded as "
                                    "AMD specifies", oid);
    }
    static const int required[] = {1, 2, 3, 8};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (out->spl[required[i]] < 0)
            return attest_set_error(ATTEST_E_CERT_PARSE,
                                    "snp.vek.extensions: SPL %s3.%d missing",
                                    AMD_OID_PREFIX, required[i]);
    return ATTEST_OK;
}

static uint8_t spl_or_zero(const amd_vek_info *info, int i)
{
    return info->spl[i] < 0 ? 0 : (uint8_t)info->spl[i];
}

uint64_t amd_vek_tcb(const amd_vek_info *info, snp_product product)
{
    uint8_t b[8];
    if (product == SNP_PRODUCT_TURIN) {
        /* [fmc, bl, tee, snp, rsvd, rsvd, rsvd, ucode] */
        b[0] = spl_or_zero(info, 9);
        b[1] = spl_or_zero(info, 1);
        b[2] = spl_or_zero(info, 2);
        b[3] = spl_or_zero(info, 3);
        b[4] = spl_or_zero(info, 5);
        b[5] = spl_or_zero(info, 6);
        b[6] = spl_or_zero(info, 7);
    } else {
        /* [bl, tee, spl4, spl5, spl6, spl7, snp, ucode] */
        b[0] = spl_or_zero(info, 1);
        b[1] = spl_or_zero(info, 2);
        b[2] = spl_or_zero(info, 4);
        b[3] = spl_or_zero(info, 5);
        b[4] = spl_or_zero(info, 6);
        b[5] = spl_or_zero(info, 7);
        b[6] = spl_or_zero(info, 3);
    }
    b[7] = spl_or_zero(info, 8);
    return attest_le64(b);
}
