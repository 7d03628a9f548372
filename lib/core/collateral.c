/* Collateral store: certificates and CRLs recognised by content. */
#include "internal.h"
#include "../chain/nv_rim_sig.h"
#include "../parse/dcap_collateral.h"
#include "../parse/nv_rim.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int attest_collateral_new(attest_collateral **out)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "collateral: out is NULL");
    attest_collateral *c = calloc(1, sizeof *c);
    if (!c || !(c->certs = sk_X509_new_null()) || !(c->crls = sk_X509_CRL_new_null())) {
        attest_collateral_free(c);
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    }
    *out = c;
    return ATTEST_OK;
}

void attest_collateral_free(attest_collateral *c)
{
    if (!c)
        return;
    sk_X509_pop_free(c->certs, X509_free);
    sk_X509_CRL_pop_free(c->crls, X509_CRL_free);
    for (size_t i = 0; i < c->tcb_info_count; i++)
        dcap_tcb_info_free(c->tcb_infos[i]);
    for (size_t i = 0; i < c->qe_identity_count; i++)
        dcap_qe_identity_free(c->qe_identities[i]);
    for (size_t i = 0; i < c->ocsp_count; i++)
        OCSP_RESPONSE_free(c->ocsp[i]);
    for (size_t i = 0; i < c->rim_count; i++) {
        nv_rim_free(c->rims[i].rim);
        free(c->rims[i].parse_detail);
    }
    free(c->tcb_infos);
    free(c->qe_identities);
    free(c->ocsp);
    free(c->ocsp_nonces);
    free(c->rims);
    free(c);
}

/* Intel PCS JSON bodies: parsed now (errors name the member), verified
 * later against their issuer chain over the exact bytes kept. */
static int add_json(attest_collateral *c, const uint8_t *data, size_t len)
{
    if (dcap_tcb_info_detect(data, len)) {
        dcap_tcb_info *t = NULL;
        int status = dcap_tcb_info_parse(&t, data, len);
        if (status != ATTEST_OK)
            return status;
        dcap_tcb_info **grown = realloc(c->tcb_infos, (c->tcb_info_count + 1) * sizeof *grown);
        if (!grown) {
            dcap_tcb_info_free(t);
            return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
        }
        c->tcb_infos = grown;
        c->tcb_infos[c->tcb_info_count++] = t;
        return ATTEST_OK;
    }
    if (dcap_qe_identity_detect(data, len)) {
        dcap_qe_identity *q = NULL;
        int status = dcap_qe_identity_parse(&q, data, len);
        if (status != ATTEST_OK)
            return status;
        dcap_qe_identity **grown =
            realloc(c->qe_identities, (c->qe_identity_count + 1) * sizeof *grown);
        if (!grown) {
            dcap_qe_identity_free(q);
            return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
        }
        c->qe_identities = grown;
        c->qe_identities[c->qe_identity_count++] = q;
        return ATTEST_OK;
    }
    return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                            "collateral: JSON that is neither an Intel TCB Info nor "
                            "an Enclave Identity body");
}

static bool looks_like_json(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    return i < len && data[i] == '{';
}

size_t attest_collateral_cert_count(const attest_collateral *c)
{
    return c ? (size_t)sk_X509_num(c->certs) : 0;
}

size_t attest_collateral_crl_count(const attest_collateral *c)
{
    return c ? (size_t)sk_X509_CRL_num(c->crls) : 0;
}

/* Append `item` to a growable array of pointers. */
static int push(void ***array, size_t *count, void *item)
{
    void **grown = realloc(*array, (*count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    grown[(*count)++] = item;
    *array = grown;
    return 0;
}

/* A DER OCSPResponse, every byte consumed; NULL otherwise. */
static OCSP_RESPONSE *decode_ocsp(const uint8_t *data, size_t len)
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

/* Keep `resp` (taken over) with the request nonce it answers. */
static int keep_ocsp(attest_collateral *c, OCSP_RESPONSE *resp, const uint8_t *der, size_t len,
                     const attest_ocsp_nonce *nonce)
{
    if (c->ocsp_count >= ATTEST_COLLATERAL_MAX_OCSP) {
        OCSP_RESPONSE_free(resp);
        return attest_set_error(ATTEST_E_LENGTH, "collateral: more than %d OCSP responses",
                                ATTEST_COLLATERAL_MAX_OCSP);
    }
    attest_ocsp_nonce *nonces = realloc(c->ocsp_nonces, (c->ocsp_count + 1) * sizeof *nonces);
    if (nonces)
        c->ocsp_nonces = nonces;
    if (!nonces || push((void ***)&c->ocsp, &c->ocsp_count, resp) != 0) {
        OCSP_RESPONSE_free(resp);
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    }
    c->ocsp_nonces[c->ocsp_count - 1] = *nonce;
    /* The set's name: a chain of digests over the responses as added, each
     * with the request nonce it answers (a verdict depends on both). */
    uint8_t item[32];
    attest_bytes parts[] = {{c->ocsp_set_sha256, 32}, {item, 32}, {nonce->data, nonce->len}};
    EVP_Digest(der, len, item, NULL, EVP_sha256(), NULL);
    attest_cache_key(c->ocsp_set_sha256, parts, 3);
    return ATTEST_OK;
}

static int add_ocsp(attest_collateral *c, const uint8_t *data, size_t len)
{
    static const attest_ocsp_nonce unknown = {.len = 0};
    OCSP_RESPONSE *resp = decode_ocsp(data, len);
    return resp ? keep_ocsp(c, resp, data, len, &unknown) : ATTEST_E_COLLATERAL_UNKNOWN;
}

int attest_collateral_add_ocsp(attest_collateral *c, const uint8_t *der, size_t len,
                               const uint8_t *request_nonce, size_t nonce_len)
{
    if (!c || !der || len == 0 || len > INT32_MAX || (nonce_len && !request_nonce))
        return attest_set_error(ATTEST_E_INVALID_ARG, "collateral: bad argument");
    if (nonce_len > ATTEST_OCSP_NONCE_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "collateral: an OCSP request nonce has 1 to %d bytes, not %zu",
                                ATTEST_OCSP_NONCE_MAX, nonce_len);
    OCSP_RESPONSE *resp = decode_ocsp(der, len);
    if (!resp)
        return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                                "collateral: %zu bytes are not a DER OCSP response", len);
    attest_ocsp_nonce nonce = {.len = nonce_len};
    if (nonce_len)
        memcpy(nonce.data, request_nonce, nonce_len);
    return keep_ocsp(c, resp, der, len, &nonce);
}

/* A DER item is accepted only when the decoder consumed every byte. */
static int add_der(attest_collateral *c, const uint8_t *data, size_t len)
{
    const unsigned char *p = data;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    if (cert) {
        if (p == data + len && sk_X509_push(c->certs, cert))
            return ATTEST_OK;
        X509_free(cert);
    } else {
        p = data;
        X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
        if (crl) {
            if (p == data + len && sk_X509_CRL_push(c->crls, crl))
                return ATTEST_OK;
            X509_CRL_free(crl);
        }
    }
    return add_ocsp(c, data, len);
}

/* PEM is text: binary evidence that embeds a PEM chain (a DCAP quote
 * does) must not pass for collateral. */
static bool looks_like_pem(const uint8_t *data, size_t len)
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

/* Every PEM block must be a certificate or a CRL: an unknown block (a
 * private key pasted by mistake, say) is an error rather than ignored. */
static int add_pem(attest_collateral *c, const uint8_t *data, size_t len)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    int status = ATTEST_OK, blocks = 0;
    if (!bio)
        return ATTEST_E_NOMEM;
    for (;;) {
        char *name = NULL, *header = NULL;
        unsigned char *der = NULL;
        long der_len = 0;
        if (!PEM_read_bio(bio, &name, &header, &der, &der_len)) {
            ERR_clear_error();
            break;
        }
        blocks++;
        bool known = strcmp(name, "CERTIFICATE") == 0 ||
                     strcmp(name, "X509 CRL") == 0 ||
                     strcmp(name, "TRUSTED CERTIFICATE") == 0;
        if (!known || add_der(c, der, (size_t)der_len) != ATTEST_OK)
            status = attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                                      "collateral: PEM block %d (%s) is not a "
                                      "certificate or CRL", blocks, name);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
        if (status != ATTEST_OK)
            break;
    }
    BIO_free(bio);
    if (status == ATTEST_OK && blocks == 0)
        status = attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                                  "collateral: PEM text without any block");
    return status;
}

/* A RIM is stored as added, parsed or not: the verification that needs a
 * RIM verifies its signature and chain, and reports one it cannot use (a
 * tampered or malformed RIM is a rejection, not a usage error). */
static int add_rim(attest_collateral *c, const uint8_t *data, size_t len)
{
    /* libxml2 and xmlsec1 are set up before the first RIM is read. */
    int status = nv_rim_sig_init();
    if (status != ATTEST_OK)
        return status;
    attest_rim_item item = {.parse_status = ATTEST_OK};
    status = nv_rim_parse(&item.rim, data, len);
    if (status == ATTEST_E_MALFORMED) {
        item.parse_status = status;
        item.parse_detail = strdup(attest_error_last());
        status = item.parse_detail
                     ? ATTEST_OK
                     : attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    }
    if (status != ATTEST_OK)
        return status;
    attest_rim_item *grown = realloc(c->rims, (c->rim_count + 1) * sizeof *grown);
    if (!grown) {
        nv_rim_free(item.rim);
        free(item.parse_detail);
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    }
    EVP_Digest(data, len, item.sha256, NULL, EVP_sha256(), NULL);
    c->rims = grown;
    c->rims[c->rim_count++] = item;
    return ATTEST_OK;
}

int attest_collateral_add(attest_collateral *c, const uint8_t *data, size_t len)
{
    if (!c || !data || len == 0 || len > INT32_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "collateral: bad argument");
    if (looks_like_json(data, len))
        return add_json(c, data, len);
    if (nv_rim_detect(data, len))
        return add_rim(c, data, len);
    if (looks_like_pem(data, len))
        return add_pem(c, data, len);
    int status = add_der(c, data, len);
    if (status != ATTEST_E_COLLATERAL_UNKNOWN)
        return status; /* added, or an OCSP response refused with its reason */
    ERR_clear_error();
    return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                            "collateral: %zu bytes are neither a DER certificate, "
                            "a DER CRL, a DER OCSP response nor PEM", len);
}
