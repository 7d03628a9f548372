/* What an item is, decided by content: the one classifier behind
 * attest_classify, attest_collateral_add and attest_evidence_parse. */
#include "classify.h"
#include "azure_evidence.h"
#include "bundle.h"
#include "../parse/azure_hcl.h"
#include "formats.h"
#include "eventlog_items.h"
#include "results_items.h"
#include "../parse/dcap_collateral.h"
#include "../parse/dcap_quote.h"
#include "../parse/nv_rim.h"
#include "../parse/snp_certs.h"
#include "../parse/snp_report.h"
#include "../parse/thim.h"
#include "../parse/nv_container.h"
#include "../parse/spdm_report.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

bool attest_looks_like_json(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    return i < len && data[i] == '{';
}

bool attest_looks_like_pem(const uint8_t *data, size_t len)
{
    static const char marker[] = "-----BEGIN ";
    for (size_t i = 0; i < len; i++)
        if ((data[i] < 0x20 && data[i] != '\n' && data[i] != '\r' && data[i] != '\t') ||
            data[i] > 0x7e)
            return false;
    for (size_t i = 0; i + sizeof marker - 1 <= len; i++)
        if (memcmp(data + i, marker, sizeof marker - 1) == 0)
            return true;
    return false;
}

bool attest_pem_name_is_collateral(const char *name)
{
    return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CRL") == 0 ||
           strcmp(name, "TRUSTED CERTIFICATE") == 0;
}

int attest_pem_each(const uint8_t *data, size_t len, attest_pem_block_fn each, void *ctx,
                    int *blocks)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    int status = ATTEST_OK;
    *blocks = 0;
    if (!bio)
        return ATTEST_E_NOMEM;
    while (status == ATTEST_OK) {
        char *name = NULL, *header = NULL;
        unsigned char *der = NULL;
        long der_len = 0;
        errno = 0;
        if (!PEM_read_bio(bio, &name, &header, &der, &der_len)) {
            /* the end of the text, text that is no block, or no memory */
            if (attest_alloc_failed())
                status = ATTEST_E_NOMEM;
            break;
        }
        status = each(ctx, ++*blocks, name, der, (size_t)der_len);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
    }
    BIO_free(bio);
    return status;
}

OCSP_RESPONSE *attest_ocsp_decode(const uint8_t *data, size_t len)
{
    const unsigned char *p = data;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    if (resp && p != data + len) {
        OCSP_RESPONSE_free(resp);
        resp = NULL;
    }
    ERR_clear_error();
    return resp;
}

/* Whether the DER's outer SEQUENCE { SEQUENCE { ... } } holds a UTCTime or
 * GeneralizedTime among the first four elements of its inner SEQUENCE,
 * read with OpenSSL's own header reader as d2i does. A TBSCertList has its
 * thisUpdate there (third, or fourth after the version); a tbsCertificate
 * never does (version, serial, signature, issuer: its times sit inside
 * the Validity SEQUENCE after them), so d2i_X509 would fail on it. The
 * failed attempt (errors queued, a partial certificate built and freed)
 * is what every CRL paid before; anything unusual (indefinite lengths,
 * bad headers) answers false and takes the old path. */
static bool tbs_holds_time(const uint8_t *data, size_t len)
{
    const unsigned char *p = data, *end = data + len;
    long n = 0;
    int tag = 0, cls = 0;
    for (int depth = 0; depth < 2; depth++) {
        int r = ASN1_get_object(&p, &n, &tag, &cls, end - p);
        if (r != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL ||
            n < 0 || n > end - p)
            return false;
        end = p + n; /* the walk stays inside the inner SEQUENCE */
    }
    for (int i = 0; i < 4 && p < end; i++) {
        int r = ASN1_get_object(&p, &n, &tag, &cls, end - p);
        if ((r & 0x80) || (r & 0x01) || n < 0 || n > end - p)
            return false; /* an error, or indefinite length */
        if (cls == V_ASN1_UNIVERSAL && (tag == V_ASN1_UTCTIME || tag == V_ASN1_GENERALIZEDTIME))
            return true;
        p += n;
    }
    return false;
}

/* A certificate or CRL, every byte consumed. Bytes that begin with a
 * certificate are not tried as a CRL (as attest_collateral_add always
 * decided). */
static attest_item_kind decode_x509(attest_der_item *out, const uint8_t *data, size_t len)
{
    const unsigned char *p = data;
    X509 *cert = tbs_holds_time(data, len) ? NULL : d2i_X509(NULL, &p, (long)len);
    if (cert) {
        /* A certificate read from a TPM NV index (Azure's vTPM AK
         * certificate, 0x01C101D0) comes with the index's zero padding
         * after it: zeros say nothing, anything else refuses the item. */
        while (p < data + len && *p == 0)
            p++;
        if (p == data + len) {
            out->cert = cert;
            return ATTEST_ITEM_CERTIFICATES;
        }
        X509_free(cert);
        return ATTEST_ITEM_UNKNOWN;
    }
    p = data;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    if (crl && p == data + len) {
        out->crl = crl;
        return ATTEST_ITEM_CRL;
    }
    X509_CRL_free(crl);
    return ATTEST_ITEM_UNKNOWN;
}

attest_item_kind attest_der_decode(attest_der_item *out, const uint8_t *data, size_t len)
{
    attest_der_item item = {0};
    attest_item_kind kind = ATTEST_ITEM_UNKNOWN;
    errno = 0; /* for the caller's attest_alloc_failed() */
    if (len > 0 && len <= INT32_MAX) {
        kind = decode_x509(&item, data, len);
        if (kind == ATTEST_ITEM_UNKNOWN && (item.ocsp = attest_ocsp_decode(data, len)))
            kind = ATTEST_ITEM_OCSP;
    }
    if (kind != ATTEST_ITEM_UNKNOWN && errno == ENOMEM) {
        /* OpenSSL keeps a certificate whose key it could not decode: an
         * item decoded while memory ran out is not used (the caller's
         * attest_alloc_failed() says why). */
        X509_free(item.cert);
        X509_CRL_free(item.crl);
        OCSP_RESPONSE_free(item.ocsp);
        item = (attest_der_item){0};
        kind = ATTEST_ITEM_UNKNOWN;
    }
    ERR_clear_error(); /* the failed attempts queue their reasons */
    if (out) {
        *out = item;
    } else {
        X509_free(item.cert);
        X509_CRL_free(item.crl);
        OCSP_RESPONSE_free(item.ocsp);
    }
    return kind;
}

attest_item_kind attest_detect_evidence(const uint8_t *data, size_t len)
{
    if (!data)
        return ATTEST_ITEM_UNKNOWN;
    /* A DCAP quote names its own version, key type and TEE in a header
     * that an SNP report cannot carry (its bytes 2..7 would have to be
     * 0x0002 and a TEE type), so DCAP is tried before SNP, whose
     * detection is the loosest (any 1184 bytes). */
    if (attest_bundle_detect(data, len))
        return ATTEST_ITEM_BUNDLE;
    if (dcap_quote_detect(data, len))
        return ATTEST_ITEM_EVIDENCE_DCAP;
    if (snp_trustee_json_detect(data, len)) /* before NVIDIA's looser JSON markers */
        return ATTEST_ITEM_EVIDENCE_SNP;
    if (nv_report_detect(data, len) || nv_evidence_json_detect(data, len))
        return ATTEST_ITEM_EVIDENCE_NVIDIA;
    if (azure_evidence_container_detect(data, len))
        return ATTEST_ITEM_EVIDENCE_AZURE;
    /* An HCL report is 2048 or 2600 bytes, never the 1184 of an SNP report. */
    if (len >= ATTEST_HCL_CLAIMS_OFFSET && memcmp(data, "HCLA", 4) == 0)
        return ATTEST_ITEM_EVIDENCE_AZURE;
    if (snp_report_detect(data, len))
        return ATTEST_ITEM_EVIDENCE_SNP;
    return ATTEST_ITEM_UNKNOWN;
}

/* What the blocks of a PEM text hold, as attest_collateral_add will take
 * them: every block a certificate or CRL by name whose DER decodes. */
typedef struct pem_census {
    bool cert, crl, ocsp, other;
} pem_census;

static int count_block(void *ctx, int index, const char *name, const uint8_t *der, size_t len)
{
    pem_census *census = ctx;
    (void)index;
    attest_item_kind kind = attest_pem_name_is_collateral(name)
                                ? attest_der_decode(NULL, der, len) : ATTEST_ITEM_UNKNOWN;
    census->cert |= kind == ATTEST_ITEM_CERTIFICATES;
    census->crl |= kind == ATTEST_ITEM_CRL;
    census->ocsp |= kind == ATTEST_ITEM_OCSP;
    census->other |= kind == ATTEST_ITEM_UNKNOWN;
    return census->other; /* one unusable block refuses the whole text */
}

static int classify_pem(attest_item_kind *out, const uint8_t *data, size_t len)
{
    pem_census census = {0};
    int blocks, status = attest_pem_each(data, len, count_block, &census, &blocks);
    if (status == ATTEST_E_NOMEM)
        return attest_set_error(ATTEST_E_NOMEM, "classify: out of memory");
    if (census.other || blocks == 0)
        *out = ATTEST_ITEM_UNKNOWN;
    else
        *out = census.cert ? ATTEST_ITEM_CERTIFICATES
                           : census.crl ? ATTEST_ITEM_CRL : ATTEST_ITEM_OCSP;
    return ATTEST_OK;
}

/* attest_collateral_add's decision, in its order: a JSON text is collateral
 * only as an Intel body; a RIM, PEM or DER item when it decodes. */
static int classify_collateral(attest_item_kind *out, const uint8_t *data, size_t len)
{
    *out = ATTEST_ITEM_UNKNOWN;
    if (len > INT32_MAX)
        return ATTEST_OK; /* more than attest_collateral_add takes */
    if (thim_detect(data, len)) { /* Azure THIM JSON, or its base64 (ACI) */
        *out = ATTEST_ITEM_THIM;
        return ATTEST_OK;
    }
    if (attest_looks_like_json(data, len)) {
        if (attest_dcap_qvl_detect(data, len))
            *out = ATTEST_ITEM_DCAP_COLLATERAL;
        else if (attest_rim_json_detect(data, len))
            *out = ATTEST_ITEM_RIM;
        else if (dcap_tcb_info_detect(data, len))
            *out = ATTEST_ITEM_TCB_INFO;
        else if (dcap_qe_identity_detect(data, len))
            *out = ATTEST_ITEM_QE_IDENTITY;
        return ATTEST_OK;
    }
    if (nv_rim_detect(data, len)) {
        *out = ATTEST_ITEM_RIM;
        return ATTEST_OK;
    }
    if (attest_looks_like_pem(data, len))
        return classify_pem(out, data, len);
    if (snp_cert_table_detect(data, len)) {
        *out = ATTEST_ITEM_CERTIFICATES;
        return ATTEST_OK;
    }
    *out = attest_der_decode(NULL, data, len);
    return ATTEST_OK;
}

static int classify_item(void *ctx, const uint8_t *data, size_t len);

int attest_classify(attest_item_kind *out, const uint8_t *data, size_t len)
{
    if (!out || (!data && len))
        return attest_set_error(ATTEST_E_INVALID_ARG, "classify: NULL argument");
    *out = ATTEST_ITEM_UNKNOWN;
    if (len == 0)
        return ATTEST_OK;
    /* Event logs, as attest_collateral_add takes them: in their own form. */
    if ((*out = attest_eventlog_kind(data, len)) != ATTEST_ITEM_UNKNOWN)
        return ATTEST_OK;
    /* Other verifiers' results and their key sets (docs/results.md). */
    if ((*out = attest_result_item_kind(data, len)) != ATTEST_ITEM_UNKNOWN)
        return ATTEST_OK;
    /* Base64 or hex text is what it decodes to, one level only (as
     * attest_evidence_parse and attest_collateral_add decode it). */
    return attest_unwrapped(data, len, classify_item, out, "classify");
}

/* One item in its own form. */
static int classify_item(void *ctx, const uint8_t *data, size_t len)
{
    attest_item_kind *out = ctx;
    /* Collateral first: an item attest_collateral_add accepts is collateral
     * even where evidence detection would claim it too (a certificate,
     * PEM text or RIM of exactly 1184 bytes passes for an SNP report). */
    int status = classify_collateral(out, data, len);
    if (status == ATTEST_OK && *out == ATTEST_ITEM_UNKNOWN)
        *out = attest_detect_evidence(data, len);
    return status;
}

const char *attest_item_kind_name(attest_item_kind kind)
{
    switch (kind) {
    case ATTEST_ITEM_EVIDENCE_SNP: return "snp-report";
    case ATTEST_ITEM_EVIDENCE_DCAP: return "dcap-quote";
    case ATTEST_ITEM_EVIDENCE_NVIDIA: return "nvidia-evidence";
    case ATTEST_ITEM_BUNDLE: return "attest-bundle";
    case ATTEST_ITEM_EVIDENCE_AZURE: return "azure-hcl-report";
    case ATTEST_ITEM_CERTIFICATES: return "certificates";
    case ATTEST_ITEM_CRL: return "crl";
    case ATTEST_ITEM_TCB_INFO: return "tcb-info";
    case ATTEST_ITEM_QE_IDENTITY: return "qe-identity";
    case ATTEST_ITEM_RIM: return "rim";
    case ATTEST_ITEM_OCSP: return "ocsp-response";
    case ATTEST_ITEM_THIM: return "azure-thim";
    case ATTEST_ITEM_DCAP_COLLATERAL: return "dcap-collateral";
    case ATTEST_ITEM_CCEL_TABLE: return "ccel-table";
    case ATTEST_ITEM_CCEL_LOG: return "ccel-log";
    case ATTEST_ITEM_TCG_LOG: return "tcg-log";
    case ATTEST_ITEM_DSTACK_LOG: return "dstack-event-log";
    case ATTEST_ITEM_AAEL_LOG: return "aa-event-log";
    case ATTEST_ITEM_NRAS_RESULT: return "nras-result";
    case ATTEST_ITEM_KEYSET: return "jwks";
    case ATTEST_ITEM_UNKNOWN: break;
    }
    return "unknown";
}
