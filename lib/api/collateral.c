/* Collateral store: certificates, CRLs, Intel bodies, RIMs and OCSP
 * responses, recognised by content with the predicates of classify.c. It
 * stores and classifies; every check on an item belongs to the
 * verification that uses it. */
#include "classify.h"
#include "thim_collateral.h"
#include "formats.h"
#include "eventlog_items.h"
#include "results_items.h"
#include "../base/crypto.h"
#include "../chain/nv_rim_sig.h"
#include "../parse/snp_certs.h"
#include "../parse/dcap_collateral.h"
#include "../parse/nv_rim.h"
#include "../parse/thim.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int attest_collateral_new(attest_collateral **out)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "collateral: out is NULL");
    *out = NULL;
    int status = attest_library_init();
    if (status != ATTEST_OK)
        return status;
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
    attest_x509_memo_free(&c->x509_memo);
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
    attest_collateral_free_eventlogs(c);
    attest_collateral_free_results(c);
    free(c);
}

/* What the bytes look like, and what would have been accepted. */
static int unknown_collateral(const uint8_t *data, size_t len)
{
    char what[160];
    attest_describe_bytes(what, sizeof what, data, len);
    return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                            "collateral: %zu bytes are no known collateral (%s); accepted: %s",
                            len, what, ATTEST_ACCEPTED_FORMATS);
}

/* SHA-256 of a signed Intel body, taken once here so that lib/chain names
 * its signature verdict without hashing kilobytes per quote. */
static bool body_digest(uint8_t out[32], const uint8_t *body, size_t len)
{
    attest_sha256(out, body, len);
    return true;
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
        t->body_sha256_set = body_digest(t->body_sha256, t->body, t->body_len);
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
        q->body_sha256_set = body_digest(q->body_sha256, q->body, q->body_len);
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
    return unknown_collateral(data, len);
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
    attest_sha256(item, der, len);
    attest_cache_key(c->ocsp_set_sha256, parts, 3);
    return ATTEST_OK;
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
    errno = 0;
    OCSP_RESPONSE *resp = attest_ocsp_decode(der, len);
    if (!resp && attest_alloc_failed())
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    if (!resp)
        return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                                "collateral: %zu bytes are not a DER OCSP response", len);
    attest_ocsp_nonce nonce = {.len = nonce_len};
    if (nonce_len)
        memcpy(nonce.data, request_nonce, nonce_len);
    return keep_ocsp(c, resp, der, len, &nonce);
}

/* A certificate whose exact bytes this collateral parsed before: the same
 * object again (another issuer chain naming the same root). */
static int add_known_cert(attest_collateral *c, const uint8_t key[32], bool *added)
{
    X509 *cert = attest_x509_memo_get(&c->x509_memo, key);
    *added = cert != NULL;
    if (!cert || sk_X509_push(c->certs, cert))
        return ATTEST_OK;
    X509_free(cert);
    return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
}

static int add_new_cert(attest_collateral *c, const uint8_t key[32], bool keyed, X509 *cert)
{
    if (!sk_X509_push(c->certs, cert)) {
        X509_free(cert);
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    }
    if (keyed && attest_x509_memo_put(&c->x509_memo, key, cert) != 0)
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    return ATTEST_OK;
}

/* A DER item (attest_der_decode: every byte decoded) is kept as what it
 * decodes to; a certificate's exact bytes seen before are not decoded
 * again. */
static int add_der(attest_collateral *c, const uint8_t *data, size_t len)
{
    static const attest_ocsp_nonce unknown = {.len = 0};
    uint8_t key[32];
    bool keyed = attest_x509_memo_key(key, data, len) == 0, known = false;
    int status = keyed ? add_known_cert(c, key, &known) : ATTEST_OK;
    if (status != ATTEST_OK || known)
        return status;
    attest_der_item item;
    switch (attest_der_decode(&item, data, len)) {
    case ATTEST_ITEM_CERTIFICATES:
        return add_new_cert(c, key, keyed, item.cert);
    case ATTEST_ITEM_CRL:
        if (sk_X509_CRL_push(c->crls, item.crl))
            return ATTEST_OK;
        X509_CRL_free(item.crl);
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    case ATTEST_ITEM_OCSP:
        return keep_ocsp(c, item.ocsp, data, len, &unknown);
    default:
        return attest_alloc_failed() ? attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory")
                                     : ATTEST_E_COLLATERAL_UNKNOWN;
    }
}

static int pem_block_refused(int index, const char *name)
{
    return attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                            "collateral: PEM block %d (%s) is not a certificate or CRL", index,
                            name);
}

static int add_pem_block(void *ctx, int index, const char *name, const uint8_t *der, size_t len)
{
    int status = attest_pem_name_is_collateral(name) ? add_der(ctx, der, len)
                                                     : ATTEST_E_COLLATERAL_UNKNOWN;
    if (status == ATTEST_OK || status == ATTEST_E_NOMEM)
        return status;
    return pem_block_refused(index, name);
}

/* How much a collateral holds, to take back what a refused item added. */
typedef struct collateral_mark {
    int certs, crls;
    size_t ocsp, memo;
    uint8_t ocsp_set_sha256[32];
} collateral_mark;

static void mark_take(const attest_collateral *c, collateral_mark *m)
{
    m->certs = sk_X509_num(c->certs);
    m->crls = sk_X509_CRL_num(c->crls);
    m->ocsp = c->ocsp_count;
    m->memo = c->x509_memo.count;
    memcpy(m->ocsp_set_sha256, c->ocsp_set_sha256, 32);
}

static void mark_restore(attest_collateral *c, const collateral_mark *m)
{
    while (sk_X509_num(c->certs) > m->certs)
        X509_free(sk_X509_pop(c->certs));
    while (sk_X509_CRL_num(c->crls) > m->crls)
        X509_CRL_free(sk_X509_CRL_pop(c->crls));
    while (c->ocsp_count > m->ocsp)
        OCSP_RESPONSE_free(c->ocsp[--c->ocsp_count]);
    attest_x509_memo_truncate(&c->x509_memo, m->memo);
    memcpy(c->ocsp_set_sha256, m->ocsp_set_sha256, 32);
}

/* Every PEM block must be a certificate or a CRL: an unknown block (a
 * private key pasted by mistake, say) is an error rather than ignored.
 * The text is refused whole: the blocks added before a bad one are taken
 * back (fuzz_collateral found them kept once). One pass: each block is
 * decoded once. */
static int add_pem(attest_collateral *c, const uint8_t *data, size_t len)
{
    int blocks;
    collateral_mark mark;
    mark_take(c, &mark);
    int status = attest_pem_each(data, len, add_pem_block, c, &blocks);
    if (status == ATTEST_E_NOMEM) /* the reader records nothing itself */
        status = attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    if (status == ATTEST_OK && blocks == 0)
        status = attest_set_error(ATTEST_E_COLLATERAL_UNKNOWN,
                                  "collateral: PEM text without any block");
    if (status != ATTEST_OK)
        mark_restore(c, &mark);
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
    attest_sha256(item.sha256, data, len);
    c->rims = grown;
    c->rims[c->rim_count++] = item;
    return ATTEST_OK;
}

/* Move what `from` holds into `c`: certificates, CRLs and Intel bodies,
 * the items an expanding form (certificate table, dcap-qvl) adds, so that
 * such a form is added whole or not at all. */
static int absorb(attest_collateral *c, attest_collateral *from)
{
    X509 *cert;
    X509_CRL *crl;
    while ((cert = sk_X509_shift(from->certs)))
        if (!sk_X509_push(c->certs, cert)) {
            X509_free(cert);
            return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
        }
    for (size_t i = 0; i < from->x509_memo.count; i++) {
        attest_x509_memo_entry *e = &from->x509_memo.entries[i];
        X509 *known = attest_x509_memo_get(&c->x509_memo, e->sha256);
        X509_free(known);
        if (!known && attest_x509_memo_put(&c->x509_memo, e->sha256, e->cert) != 0)
            return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    }
    while ((crl = sk_X509_CRL_shift(from->crls)))
        if (!sk_X509_CRL_push(c->crls, crl)) {
            X509_CRL_free(crl);
            return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
        }
    for (; from->tcb_info_count; from->tcb_info_count--)
        if (push((void ***)&c->tcb_infos, &c->tcb_info_count,
                 from->tcb_infos[from->tcb_info_count - 1]))
            return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    for (; from->qe_identity_count; from->qe_identity_count--)
        if (push((void ***)&c->qe_identities, &c->qe_identity_count,
                 from->qe_identities[from->qe_identity_count - 1]))
            return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    return ATTEST_OK;
}

/* The extended report's certificate table: every certificate entry must
 * be one DER certificate, exactly its bytes; ExtraPlatformInfo (CPUID, no
 * certificate) is skipped. Which certificate plays which role is the
 * chain's judgement, by content, whatever GUID the host wrote. */
static int add_cert_table(attest_collateral *c, const uint8_t *data, size_t len)
{
    snp_cert_table table;
    attest_collateral *tmp = NULL;
    int status = snp_cert_table_parse(&table, data, len);
    if (status == ATTEST_OK)
        status = attest_collateral_new(&tmp);
    for (size_t i = 0; status == ATTEST_OK && i < table.count; i++) {
        const snp_cert_entry *e = &table.entries[i];
        attest_der_item item;
        if (e->guid == SNP_GUID_EXTRA_PLATFORM_INFO)
            continue;
        if (attest_der_decode(&item, data + e->offset, e->length) != ATTEST_ITEM_CERTIFICATES) {
            X509_CRL_free(item.crl);
            OCSP_RESPONSE_free(item.ocsp);
            status = attest_alloc_failed()
                         ? attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory")
                         : attest_set_error(ATTEST_E_MALFORMED,
                                            "snp.cert_table[%zu] (%s): its 0x%zx bytes are not "
                                            "one DER certificate", i, snp_cert_guid_name(e->guid),
                                            e->length);
        } else if (!sk_X509_push(tmp->certs, item.cert)) {
            X509_free(item.cert);
            status = attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
        }
    }
    if (status == ATTEST_OK)
        status = absorb(c, tmp);
    attest_collateral_free(tmp);
    return status;
}

/* One part of a dcap-qvl collateral, as its member says it must be. */
static int add_qvl_part(void *ctx, const char *member, const uint8_t *data, size_t len)
{
    attest_collateral *tmp = ctx;
    if (strstr(member, "crl") && !strstr(member, "chain")) {
        attest_der_item item;
        attest_item_kind kind = attest_der_decode(&item, data, len);
        X509_free(item.cert);
        OCSP_RESPONSE_free(item.ocsp);
        if (kind != ATTEST_ITEM_CRL)
            return attest_set_error(ATTEST_E_MALFORMED, "dcap_qvl.%s: not a DER CRL", member);
        if (sk_X509_CRL_push(tmp->crls, item.crl))
            return ATTEST_OK;
        X509_CRL_free(item.crl);
        return attest_set_error(ATTEST_E_NOMEM, "collateral: out of memory");
    }
    if (strcmp(member, "tcb_info") == 0 || strcmp(member, "qe_identity") == 0)
        return add_json(tmp, data, len);
    if (!attest_looks_like_pem(data, len))
        return attest_set_error(ATTEST_E_MALFORMED, "dcap_qvl.%s: not PEM text", member);
    int status = add_pem(tmp, data, len);
    return status == ATTEST_OK ? ATTEST_OK
                               : attest_set_error(status, "dcap_qvl.%s: %s", member,
                                                  attest_error_last());
}

static int add_dcap_qvl(attest_collateral *c, const uint8_t *data, size_t len)
{
    attest_collateral *tmp = NULL;
    int status = attest_collateral_new(&tmp);
    if (status == ATTEST_OK)
        status = attest_dcap_qvl_each(data, len, add_qvl_part, tmp);
    if (status == ATTEST_OK)
        status = absorb(c, tmp);
    attest_collateral_free(tmp);
    return status;
}

/* The RIM service's JSON: the RIM it carries, after its digest matched and
 * its id named the RIM's version. */
static int add_rim_json(attest_collateral *c, const uint8_t *data, size_t len)
{
    uint8_t *xml = NULL;
    size_t xml_len = 0;
    char id[128];
    int status = attest_rim_json_unwrap(data, len, NULL, "collateral", &xml, &xml_len, id,
                                        sizeof id);
    if (status == ATTEST_OK && !nv_rim_detect(xml, xml_len))
        status = attest_set_error(ATTEST_E_MALFORMED,
                                  "collateral: RIM service rim is not a RIM (SWID XML)");
    if (status == ATTEST_OK)
        status = add_rim(c, xml, xml_len);
    free(xml);
    if (status != ATTEST_OK)
        return status;
    attest_rim_item *added = &c->rims[c->rim_count - 1];
    if (added->rim && attest_rim_id_matches(id, added->rim->colloquial_version))
        return ATTEST_OK;
    status = attest_set_error(ATTEST_E_MALFORMED,
                              "collateral: RIM service id %s does not name the RIM it "
                              "carries (colloquialVersion %s)", id,
                              added->rim ? added->rim->colloquial_version : "unreadable");
    nv_rim_free(added->rim);
    free(added->parse_detail);
    c->rim_count--;
    return status;
}

/* JSON collateral: an Intel PCS body, a dcap-qvl collateral or a RIM
 * service answer. */
static int add_json_form(attest_collateral *c, const uint8_t *data, size_t len)
{
    if (attest_dcap_qvl_detect(data, len))
        return add_dcap_qvl(c, data, len);
    if (attest_rim_json_detect(data, len))
        return add_rim_json(c, data, len);
    return add_json(c, data, len);
}

/* One item in its own form (no text decoding: attest_collateral_add did
 * that, once). */
static int add_item(void *ctx, const uint8_t *data, size_t len)
{
    attest_collateral *c = ctx;
    if (attest_looks_like_json(data, len))
        return add_json_form(c, data, len);
    if (nv_rim_detect(data, len))
        return add_rim(c, data, len);
    if (attest_looks_like_pem(data, len))
        return add_pem(c, data, len);
    if (snp_cert_table_detect(data, len))
        return add_cert_table(c, data, len);
    int status = add_der(c, data, len);
    if (status != ATTEST_E_COLLATERAL_UNKNOWN)
        return status; /* added, or an OCSP response refused with its reason */
    ERR_clear_error();
    return unknown_collateral(data, len);
}

int attest_collateral_add(attest_collateral *c, const uint8_t *data, size_t len)
{
    if (!c || !data || len == 0 || len > INT32_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "collateral: bad argument");
    attest_item_kind log_kind = attest_eventlog_kind(data, len); /* docs/eventlog.md */
    if (log_kind != ATTEST_ITEM_UNKNOWN)
        return attest_collateral_add_eventlog(c, log_kind, data, len);
    attest_item_kind result_kind = attest_result_item_kind(data, len); /* docs/results.md */
    if (result_kind != ATTEST_ITEM_UNKNOWN)
        return attest_collateral_add_result(c, result_kind, data, len);
    if (thim_detect(data, len)) /* Azure THIM JSON, or its base64 (ACI) */
        return attest_collateral_add_thim(c, data, len);
    return attest_unwrapped(data, len, add_item, c, "collateral");
}
