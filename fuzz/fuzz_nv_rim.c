/* libFuzzer harness: NVIDIA RIMs (TCG RIM-IM SWID tags with an enveloped
 * XML signature, verified with xmlsec1) must never crash, read out of
 * bounds or leak on any input.
 *  1. the internal parser and signature check directly: nv_rim_detect,
 *     nv_rim_parse (libxml2 parse, DTD/entity refusal, signature shape
 *     checks, the content reader), nv_rim_to_json, then
 *     nv_rim_signature_verify (lib/chain/nv_rim_sig.c: the bytes read
 *     again, xmlsec verification);
 *  2. the public path: attest_collateral_add on a fresh collateral object
 *     (RIM recognised by content and stored, parsed or not; other bytes
 *     reach the PEM / DER / OCSP / Intel JSON recognisers), with the
 *     outcome checked against the collateral's own bookkeeping;
 *  3. the content reader behind the signature: a mutated document cannot
 *     keep a valid signature, so on its own the fuzzer would never get past
 *     xmlsec. When the input carries no signature at all (the seeds hold
 *     unsigned RIMs, see fuzz/seed_nv.sh), the harness signs it exactly as
 *     NVIDIA's RIMs are signed (C14N 1.1, ecdsa-sha384, one Reference
 *     URI="" with the enveloped + C14N 1.1 transforms, SHA-384, KeyInfo
 *     X509Data) with a throw-away P-384 key and self-signed certificate
 *     made at start-up, and hands the signed bytes to path 1: every
 *     attribute and element the reader takes is then fuzzer-controlled,
 *     behind a valid signature. (Trust is not at stake here: the signature
 *     check asks only that the first KeyInfo certificate signed the
 *     document; the chain is the verifier's.)
 * Built from the library sources with -Ilib -DATTEST_BUILDING (hidden
 * symbols link) and $(XMLSEC_CFLAGS). xmlsec is slow: a few hundred
 * executions per second are expected; run with -max_len=65536 (real RIMs
 * are 18-26 KB). Seeds: fuzz/seed_nv.sh. */
#include "attest.h"
#include "chain/nv_rim_sig.h"
#include "parse/nv_rim.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xmlsec/xmlsec.h> /* first: the other xmlsec headers need its types */
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#define RESIGN_MAX_BYTES (256u << 10)

static EVP_PKEY *g_key;   /* signs unsigned inputs (path 3) */
static X509 *g_cert;      /* its self-signed certificate, put in KeyInfo */

/* ---- invariants ------------------------------------------------------- */

static void check_str(const char *s, size_t n)
{
    if (memchr(s, '\0', n) == NULL)
        abort(); /* a fixed-size field left unterminated */
}

static void check_rim(const nv_rim *r, const uint8_t *data, size_t size)
{
    if (!r || !r->raw || r->raw_len != size || memcmp(r->raw, data, size) != 0)
        abort();
    if (r->signer_count < 1 || r->signer_count > NV_RIM_MAX_SIGNERS)
        abort(); /* a parsed RIM has its KeyInfo certificates */
    for (size_t i = 0; i < r->signer_count; i++)
        if (!r->signers[i].der || r->signers[i].len == 0)
            abort();
    if (r->content_status != ATTEST_OK && r->content_status != ATTEST_E_MALFORMED)
        abort();
    check_str(r->tag_id, sizeof r->tag_id);
    check_str(r->name, sizeof r->name);
    check_str(r->version, sizeof r->version);
    check_str(r->colloquial_version, sizeof r->colloquial_version);
    check_str(r->product, sizeof r->product);
    check_str(r->manufacturer_id, sizeof r->manufacturer_id);
    check_str(r->rim_id, sizeof r->rim_id);
    if (r->measurement_count && !r->measurements)
        abort();
    for (size_t i = 0; i < r->measurement_count; i++) {
        const nv_rim_measurement *m = &r->measurements[i];
        check_str(m->name, sizeof m->name);
        if (m->active && (m->size < 0 || m->size > 64 || m->alternatives < 0))
            abort(); /* the appraiser memcmp()s m->size bytes of each hash */
    }
    json_t *j = nv_rim_to_json(r);
    if (!j)
        abort();
    json_decref(j);
}

/* Path 1. */
static void parse_direct(const uint8_t *data, size_t size)
{
    (void)nv_rim_detect(data, size);
    nv_rim *r = NULL;
    int st = nv_rim_parse(&r, data, size);
    if (st == ATTEST_OK) {
        check_rim(r, data, size);
        STACK_OF(X509) *signers = NULL;
        st = nv_rim_signature_verify(r, &signers);
        if ((st == ATTEST_OK) != (signers != NULL) ||
            (signers && (size_t)sk_X509_num(signers) != r->signer_count))
            abort(); /* success hands back every KeyInfo certificate, decoded */
        sk_X509_pop_free(signers, X509_free);
        nv_rim_free(r);
    } else if (r) {
        abort(); /* a failed parse must not hand back an object */
    }
}

/* Path 2. */
static void add_as_collateral(const uint8_t *data, size_t size)
{
    attest_collateral *c = NULL;
    if (!size || attest_collateral_new(&c) != ATTEST_OK)
        return;
    int st = attest_collateral_add(c, data, size);
    if (c->rim_count > 1 || (c->rim_count == 1 && st != ATTEST_OK))
        abort();
    for (size_t i = 0; i < c->rim_count; i++) {
        const attest_rim_item *item = &c->rims[i];
        if (item->rim)
            check_rim(item->rim, data, size);
        else if (item->parse_status != ATTEST_E_MALFORMED || !item->parse_detail)
            abort(); /* an unparsable RIM is stored with its reason, not an error */
    }
    (void)attest_collateral_cert_count(c);
    (void)attest_collateral_crl_count(c);
    attest_collateral_free(c);
}

/* ---- path 3: sign unsigned inputs ------------------------------------ */

static bool contains(const uint8_t *h, size_t hl, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; nl <= hl && i <= hl - nl; i++)
        if (memcmp(h + i, needle, nl) == 0)
            return true;
    return false;
}

/* Whitespace-only text children of n, recursively (NVIDIA's signatures
 * carry none; xmlsec's template does). */
static void strip_blanks(xmlNodePtr n)
{
    for (xmlNodePtr c = n->children, next; c; c = next) {
        next = c->next;
        if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (c->type == XML_ELEMENT_NODE) {
            strip_blanks(c);
        }
    }
}

static xmlSecKeyPtr signing_key(void)
{
    if (EVP_PKEY_up_ref(g_key) != 1)
        return NULL;
    xmlSecKeyDataPtr kd = xmlSecOpenSSLEvpKeyAdopt(g_key);
    if (!kd) {
        EVP_PKEY_free(g_key);
        return NULL;
    }
    xmlSecKeyPtr k = xmlSecKeyCreate();
    if (!k || xmlSecKeySetValue(k, kd) < 0) {
        xmlSecKeyDataDestroy(kd);
        xmlSecKeyDestroy(k);
        return NULL;
    }
    xmlSecKeyDataPtr xd = xmlSecKeyEnsureData(k, xmlSecOpenSSLKeyDataX509Id);
    X509 *c = X509_dup(g_cert);
    if (!xd || !c || xmlSecOpenSSLKeyDataX509AdoptCert(xd, c) < 0) {
        X509_free(c);
        xmlSecKeyDestroy(k);
        return NULL;
    }
    return k;
}

/* The input with an enveloped signature appended to its root element, in
 * NVIDIA's form; NULL when it is no XML document libxml2 reads. */
static xmlChar *sign_document(const uint8_t *data, size_t size, int *out_len)
{
    xmlChar *out = NULL;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlNodePtr root, sig, ref, ki;
    xmlDocPtr doc = xmlReadMemory((const char *)data, (int)size, "fuzz.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    if (!doc || !(root = xmlDocGetRootElement(doc)))
        goto done;
    sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformInclC14N11Id,
                                          xmlSecTransformEcdsaSha384Id, NULL, BAD_CAST "ds");
    if (!sig)
        goto done;
    if (!xmlAddChild(root, sig)) {
        xmlFreeNode(sig);
        goto done;
    }
    ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha384Id, NULL, BAD_CAST "",
                                          NULL);
    if (!ref || !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
        !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformInclC14N11Id) ||
        !(ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) || !xmlSecTmplKeyInfoAddX509Data(ki))
        goto done;
    strip_blanks(sig);
    if (!(ctx = xmlSecDSigCtxCreate(NULL)) || !(ctx->signKey = signing_key()) ||
        xmlSecDSigCtxSign(ctx, sig) < 0)
        goto done;
    xmlDocDumpMemory(doc, &out, out_len);
done:
    xmlSecDSigCtxDestroy(ctx);
    xmlFreeDoc(doc);
    return out;
}

/* Path 3. Documents with a DTD or entity declaration are left out: the
 * library refuses them before parsing (path 1 covers that), and expanding
 * them here would only spend the fuzzer's time in libxml2. */
static void parse_resigned(const uint8_t *data, size_t size)
{
    if (!g_key || size == 0 || size > RESIGN_MAX_BYTES || contains(data, size, "Signature") ||
        contains(data, size, "<!"))
        return;
    int n = 0;
    xmlChar *signed_doc = sign_document(data, size, &n);
    if (signed_doc && n > 0)
        parse_direct(signed_doc, (size_t)n);
    xmlFree(signed_doc);
}

/* ---- set-up ----------------------------------------------------------- */

static X509 *self_signed(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok = x && name && X509_set_version(x, 2) &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)"fuzz RIM signer", -1, -1, 0) &&
             X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
             X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365) && X509_set_pubkey(x, key) &&
             X509_sign(x, key, EVP_sha384()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* The library initialises libxml2 and xmlsec itself (once, under
     * pthread_once) and installs its silent xmlsec error callback; let it
     * go first so that the signing code below finds xmlsec ready. */
    if (nv_rim_sig_init() != ATTEST_OK)
        abort();
    g_key = EVP_EC_gen("P-384");
    g_cert = g_key ? self_signed(g_key) : NULL;
    if (!g_cert) {
        EVP_PKEY_free(g_key);
        g_key = NULL; /* path 3 off; paths 1 and 2 still run */
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_direct(data, size);
    add_as_collateral(data, size);
    parse_resigned(data, size);
    return 0;
}
