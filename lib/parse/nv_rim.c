/* NVIDIA RIMs (TCG RIM-IM SWID tags with an enveloped XML signature):
 * parsing only. The signature is verified by lib/chain/nv_rim_sig.c.
 *
 * Order of work, each step failing closed:
 *  1. libxml2 parses the bytes with no network, no entity substitution, no
 *     DTD loading and no XInclude; a document that has a DOCTYPE at all is
 *     refused (textually before parsing, and by its intSubset/extSubset
 *     after), as is any entity-reference or XInclude node in the tree.
 *  2. Shape: the root is swid:SoftwareIdentity; the document holds exactly
 *     one ds:Signature, a child of the root, made of SignedInfo,
 *     SignatureValue and KeyInfo/X509Data/X509Certificate+ only; SignedInfo
 *     has C14N 1.1 (or exclusive C14N), ecdsa-sha384 and exactly one
 *     Reference, URI="", transforms exactly enveloped-signature then C14N
 *     1.1 (or exclusive C14N), DigestMethod sha384. These are the URIs every
 *     NVIDIA RIM in the vectors uses (research/nvidia.md (a), pitfall 10).
 *     The KeyInfo certificates are base64-decoded and kept as DER.
 *  3. The content is read from this same tree. URI="" with the enveloped
 *     transform covers the whole document except the Signature element
 *     (and comments, which are never read), so every attribute read here
 *     is covered by the signature that lib/chain/nv_rim_sig.c verifies
 *     before any of it is used. A second Signature, one moved into a
 *     wrapper, or a Reference to anything but the whole document was
 *     refused in step 2. A content rule broken here is kept in
 *     content_status rather than returned: the signature is judged first.
 *
 * libxml2 keeps process-wide state (parser dictionaries, error state) that
 * must be initialised once before any thread uses it: xmlInitParser() is
 * called here under pthread_once (lib/chain/nv_rim_sig.c initialises
 * xmlsec1 the same way, and attest_collateral_add initialises both before
 * the first RIM it reads). After it, each call owns its parser context and
 * document, so nv_rim_parse is thread-safe. libxml2 is never shut down
 * (process lifetime): a host program must not call xmlCleanupParser()
 * while libattest may still be used. */
#include "nv_rim.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_SWID "http://standards.iso.org/iso/19770/-2/2015/schema.xsd"
#define NS_DSIG "http://www.w3.org/2000/09/xmldsig#"
#define NS_HASH "http://www.w3.org/2001/04/xmlenc#sha384"
#define NS_RIMIM                                                               \
    "https://trustedcomputinggroup.org/resource/"                              \
    "tcg-reference-integrity-manifest-rim-information-model/"

#define ALG_C14N11 "http://www.w3.org/2006/12/xml-c14n11"
#define ALG_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define ALG_ECDSA_SHA384 "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
#define ALG_SHA384 "http://www.w3.org/2001/04/xmldsig-more#sha384"

#define NV_RIM_MAX_BYTES (4u << 20)   /* real RIMs are 18-26 KB */
#define NV_RIM_MAX_RESOURCES 1024
#define NV_RIM_MAX_INDEX 254          /* SPDM block index 1..255, minus one */
#define NV_RIM_DETECT_WINDOW 1024

/* ---- process-wide initialisation ----------------------------------------- */

static pthread_once_t libxml_once = PTHREAD_ONCE_INIT;
static atomic_int libxml_ready;

static void libxml_init(void)
{
    nv_xml_handlers saved;
    nv_xml_quiet_begin(&saved);
    xmlInitParser();
    nv_xml_quiet_end(&saved);
}

/* ---- libxml2's error handlers, quiet while in use ------------------------- */

static void structured_quiet(void *ctx, xmlErrorPtr error)
{
    (void)ctx;
    (void)error;
}

static void generic_quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void nv_xml_quiet_begin(nv_xml_handlers *saved)
{
    saved->structured = xmlStructuredError;
    saved->structured_ctx = xmlStructuredErrorContext;
    saved->generic = xmlGenericError;
    saved->generic_ctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(NULL, structured_quiet);
    xmlSetGenericErrorFunc(NULL, generic_quiet);
}

void nv_xml_quiet_end(const nv_xml_handlers *saved)
{
    xmlSetStructuredErrorFunc(saved->structured_ctx, saved->structured);
    xmlSetGenericErrorFunc(saved->generic_ctx, saved->generic);
}

/* ---- small helpers ------------------------------------------------------- */

static int bad(const char *fmt_field, const char *detail)
{
    return attest_set_error(ATTEST_E_MALFORMED, "nvidia.rim: %s: %s", fmt_field, detail);
}

static int nomem(void)
{
    return attest_set_error(ATTEST_E_NOMEM, "nvidia.rim: out of memory");
}

static bool bytes_contain(const uint8_t *h, size_t hl, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; nl <= hl && i <= hl - nl; i++)
        if (memcmp(h + i, needle, nl) == 0)
            return true;
    return false;
}

static bool is_elem(const xmlNode *n, const char *ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, ns) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

static const char *ns_of(const xmlNode *n)
{
    return n->ns && n->ns->href ? (const char *)n->ns->href : "";
}

/* First element child (or next element sibling) of a node, or NULL. */
static xmlNode *first_elem(xmlNode *n)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

static xmlNode *next_elem(xmlNode *n)
{
    for (xmlNode *c = n ? n->next : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

/* Copy attribute `name` (namespace `ns`, NULL = no namespace) into buf.
 * Returns 1 copied, 0 absent, -1 longer than the buffer, -2 no memory. */
static int get_attr(const xmlNode *n, const char *ns, const char *name, char *buf, size_t cap)
{
    xmlAttr *a = ns ? xmlHasNsProp(n, BAD_CAST name, BAD_CAST ns)
                    : xmlHasNsProp(n, BAD_CAST name, NULL);
    if (!a || a->type != XML_ATTRIBUTE_NODE)
        return 0;
    xmlChar *v = xmlNodeGetContent((xmlNode *)a);
    if (!v)
        return -2;
    size_t len = strlen((const char *)v);
    int rc = 1;
    if (len >= cap)
        rc = -1;
    else
        memcpy(buf, v, len + 1);
    xmlFree(v);
    return rc;
}

/* A required attribute; on failure sets the error and returns its status. */
static int need_attr(const xmlNode *n, const char *ns, const char *name, char *buf, size_t cap,
                     const char *where)
{
    int rc = get_attr(n, ns, name, buf, cap);
    if (rc == 1)
        return ATTEST_OK;
    if (rc == -2)
        return nomem();
    return attest_set_error(ATTEST_E_MALFORMED, "nvidia.rim: %s@%s: %s", where, name,
                            rc == 0 ? "missing" : "too long");
}

/* The Algorithm attribute of `n` must be one of the given URIs; `n` must
 * have no element children (no parameters are accepted). */
static int check_algorithm(const xmlNode *n, const char *where, const char *a1, const char *a2)
{
    char alg[128];
    int rc = get_attr(n, NULL, "Algorithm", alg, sizeof alg);
    if (rc == -2)
        return nomem();
    if (rc != 1)
        return attest_set_error(ATTEST_E_MALFORMED, "nvidia.rim: %s@Algorithm: %s", where,
                                rc == 0 ? "missing" : "not accepted");
    if (strcmp(alg, a1) != 0 && (!a2 || strcmp(alg, a2) != 0))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: %s@Algorithm: \"%.100s\" not accepted", where,
                                alg);
    if (first_elem((xmlNode *)n))
        return bad(where, "parameters are not accepted");
    return ATTEST_OK;
}

/* ---- step 1: the tree itself --------------------------------------------- */

/* Walk every node (iteratively): no entity references, no XInclude
 * markers, no DTD nodes; count ds:Signature elements. */
static int check_tree(xmlDoc *doc, xmlNode **sig_out, size_t *sig_count)
{
    *sig_out = NULL;
    *sig_count = 0;
    xmlNode *n = doc->children;
    while (n) {
        switch (n->type) {
        case XML_ENTITY_REF_NODE:
        case XML_ENTITY_NODE:
        case XML_ENTITY_DECL:
            return bad("document", "entity references are not accepted");
        case XML_XINCLUDE_START:
        case XML_XINCLUDE_END:
            return bad("document", "XInclude is not accepted");
        case XML_DTD_NODE:
        case XML_DOCUMENT_TYPE_NODE:
        case XML_ELEMENT_DECL:
        case XML_ATTRIBUTE_DECL:
            return bad("document", "a DTD is not accepted");
        case XML_ELEMENT_NODE:
            if (is_elem(n, NS_DSIG, "Signature")) {
                if (++*sig_count == 1)
                    *sig_out = n;
            }
            break;
        default:
            break;
        }
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next && n->parent && (xmlNode *)n->parent != (xmlNode *)doc)
            n = n->parent;
        n = n ? n->next : NULL;
    }
    return ATTEST_OK;
}

/* ---- step 2: the signature's shape, and its certificates -------------- */

static int check_signed_info(xmlNode *si)
{
    xmlNode *c14n = first_elem(si);
    xmlNode *sm = next_elem(c14n);
    xmlNode *ref = next_elem(sm);
    int status;

    if (!is_elem(c14n, NS_DSIG, "CanonicalizationMethod"))
        return bad("Signature/SignedInfo", "CanonicalizationMethod must come first");
    if ((status = check_algorithm(c14n, "SignedInfo/CanonicalizationMethod", ALG_C14N11,
                                  ALG_EXC_C14N)) != ATTEST_OK)
        return status;
    if (!is_elem(sm, NS_DSIG, "SignatureMethod"))
        return bad("Signature/SignedInfo", "SignatureMethod must follow CanonicalizationMethod");
    if ((status = check_algorithm(sm, "SignedInfo/SignatureMethod", ALG_ECDSA_SHA384, NULL)) !=
        ATTEST_OK)
        return status;
    if (!is_elem(ref, NS_DSIG, "Reference"))
        return bad("Signature/SignedInfo", "exactly one Reference required");
    if (next_elem(ref))
        return bad("Signature/SignedInfo", "exactly one Reference required (found more)");

    char uri[8];
    int rc = get_attr(ref, NULL, "URI", uri, sizeof uri);
    if (rc == -2)
        return nomem();
    if (rc != 1 || uri[0] != '\0')
        return bad("SignedInfo/Reference@URI",
                   "must be \"\" (the whole document); other references are not accepted");

    xmlNode *tr = first_elem(ref);
    xmlNode *dm = next_elem(tr);
    xmlNode *dv = next_elem(dm);
    if (!is_elem(tr, NS_DSIG, "Transforms"))
        return bad("SignedInfo/Reference", "Transforms must come first");
    xmlNode *t1 = first_elem(tr);
    xmlNode *t2 = next_elem(t1);
    if (!is_elem(t1, NS_DSIG, "Transform") || !is_elem(t2, NS_DSIG, "Transform") ||
        next_elem(t2))
        return bad("SignedInfo/Reference/Transforms",
                   "exactly two transforms (enveloped-signature, C14N) required");
    if ((status = check_algorithm(t1, "Reference/Transforms/Transform[1]", ALG_ENVELOPED,
                                  NULL)) != ATTEST_OK)
        return status;
    if ((status = check_algorithm(t2, "Reference/Transforms/Transform[2]", ALG_C14N11,
                                  ALG_EXC_C14N)) != ATTEST_OK)
        return status;
    if (!is_elem(dm, NS_DSIG, "DigestMethod"))
        return bad("SignedInfo/Reference", "DigestMethod must follow Transforms");
    if ((status = check_algorithm(dm, "Reference/DigestMethod", ALG_SHA384, NULL)) != ATTEST_OK)
        return status;
    if (!is_elem(dv, NS_DSIG, "DigestValue") || next_elem(dv))
        return bad("SignedInfo/Reference", "DigestValue must follow DigestMethod and end it");
    if (first_elem(dv))
        return bad("SignedInfo/Reference/DigestValue", "must be text");
    return ATTEST_OK;
}

/* The base64 text of one X509Certificate element as DER bytes. Whether
 * they are a certificate is lib/chain's to say (no X.509 decoding here). */
static int decode_cert(xmlNode *xc, size_t i, nv_rim_cert *out)
{
    if (first_elem(xc))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: KeyInfo X509Certificate %zu: must be text", i);
    xmlChar *text = xmlNodeGetContent(xc);
    if (!text)
        return nomem();
    /* XML text may break base64 with blanks and tabs too: drop them, and
     * the one strict decoder (which skips line breaks) does the rest. */
    char *p = (char *)text, *w = p;
    for (; *p; p++)
        if (*p != ' ' && *p != '\t')
            *w++ = *p;
    uint8_t *der = NULL;
    size_t n = 0;
    int rc = attest_base64_decode((const char *)text, (size_t)(w - (char *)text), &der, &n);
    xmlFree(text);
    if (rc == -2)
        return nomem();
    if (rc != 0 || n == 0) {
        free(der);
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: KeyInfo X509Certificate %zu: not base64", i);
    }
    out->der = der;
    out->len = n;
    return ATTEST_OK;
}

static int check_signature(xmlNode *sig, nv_rim *r)
{
    xmlNode *si = first_elem(sig);
    xmlNode *sv = next_elem(si);
    xmlNode *ki = next_elem(sv);
    int status;

    if (!is_elem(si, NS_DSIG, "SignedInfo"))
        return bad("Signature", "SignedInfo must come first");
    if (!is_elem(sv, NS_DSIG, "SignatureValue"))
        return bad("Signature", "SignatureValue must follow SignedInfo");
    if (first_elem(sv))
        return bad("Signature/SignatureValue", "must be text");
    if (!is_elem(ki, NS_DSIG, "KeyInfo"))
        return bad("Signature", "KeyInfo (with the signing certificate) required");
    if (next_elem(ki))
        return bad("Signature", "nothing may follow KeyInfo (no Object elements)");
    if ((status = check_signed_info(si)) != ATTEST_OK)
        return status;

    xmlNode *xd = first_elem(ki);
    if (!is_elem(xd, NS_DSIG, "X509Data") || next_elem(xd))
        return bad("Signature/KeyInfo", "exactly one X509Data required");
    size_t i = 0;
    for (xmlNode *xc = first_elem(xd); xc; xc = next_elem(xc), i++) {
        if (!is_elem(xc, NS_DSIG, "X509Certificate"))
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.rim: KeyInfo/X509Data: element \"%.60s\" not "
                                    "accepted (X509Certificate only)",
                                    (const char *)xc->name);
        if (i == NV_RIM_MAX_SIGNERS)
            return bad("Signature/KeyInfo/X509Data", "too many certificates");
        if ((status = decode_cert(xc, i, &r->signers[i])) != ATTEST_OK)
            return status;
        r->signer_count = i + 1;
    }
    if (i == 0)
        return bad("Signature/KeyInfo/X509Data", "no X509Certificate");
    return ATTEST_OK;
}

/* ---- step 3: the content ------------------------------------------------- */

static int parse_int(const char *s, long lo, long hi, long *out)
{
    if (!*s || strlen(s) > 9)
        return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    if ((s[0] == '0' && s[1]) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_resource(xmlNode *res, nv_rim_measurement *m, size_t pos)
{
    char where[48], buf[160];
    long v;
    int status;
    snprintf(where, sizeof where, "Payload/Resource[%zu]", pos);

    memset(m, 0, sizeof *m);
    if ((status = need_attr(res, NULL, "index", buf, sizeof buf, where)) != ATTEST_OK)
        return status;
    if (parse_int(buf, 0, NV_RIM_MAX_INDEX, &v) != 0)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: %s@index: \"%.20s\" is not an index 0..%d", where,
                                buf, NV_RIM_MAX_INDEX);
    m->index = (int)v;
    snprintf(where, sizeof where, "Payload/Resource[index=%d]", m->index);

    if ((status = need_attr(res, NULL, "active", buf, sizeof buf, where)) != ATTEST_OK)
        return status;
    if (strcmp(buf, "True") == 0)
        m->active = true;
    else if (strcmp(buf, "False") == 0)
        m->active = false;
    else
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: %s@active: \"%.20s\" is neither True nor False",
                                where, buf);

    if ((status = need_attr(res, NULL, "alternatives", buf, sizeof buf, where)) != ATTEST_OK)
        return status;
    if (parse_int(buf, 1, NV_RIM_MAX_ALTERNATIVES, &v) != 0)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: %s@alternatives: \"%.20s\" not in 1..%d", where,
                                buf, NV_RIM_MAX_ALTERNATIVES);
    m->alternatives = (int)v;

    if ((status = need_attr(res, NULL, "size", buf, sizeof buf, where)) != ATTEST_OK)
        return status;
    if (parse_int(buf, 1, (long)sizeof m->hashes[0], &v) != 0)
        return attest_set_error(ATTEST_E_MALFORMED, "nvidia.rim: %s@size: \"%.20s\" not in 1..%zu",
                                where, buf, sizeof m->hashes[0]);
    m->size = (int)v;

    int rc = get_attr(res, NULL, "name", m->name, sizeof m->name);
    if (rc == -2)
        return nomem();
    if (rc == -1)
        return attest_set_error(ATTEST_E_MALFORMED, "nvidia.rim: %s@name: too long", where);

    /* Hash0..HashN-1 in the sha384 namespace, each exactly `size` bytes;
     * a HashK beyond the declared alternatives is refused. */
    for (int k = 0; k <= NV_RIM_MAX_ALTERNATIVES; k++) {
        char an[16];
        snprintf(an, sizeof an, "Hash%d", k);
        rc = get_attr(res, NS_HASH, an, buf, sizeof buf);
        if (rc == -2)
            return nomem();
        if (k >= m->alternatives) {
            if (rc != 0)
                return attest_set_error(ATTEST_E_MALFORMED,
                                        "nvidia.rim: %s@%s: more hashes than alternatives=%d",
                                        where, an, m->alternatives);
            continue;
        }
        if (rc != 1 || attest_hex_decode(m->hashes[k], (size_t)m->size, buf) != 0)
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.rim: %s@%s: %s", where, an,
                                    rc == 0 ? "missing" : "not a hex value of size bytes");
    }
    return ATTEST_OK;
}

static int parse_payload(nv_rim *r, xmlNode *payload)
{
    size_t n = 0;
    for (xmlNode *c = first_elem(payload); c; c = next_elem(c)) {
        if (!is_elem(c, NS_SWID, "Resource"))
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.rim: Payload: element \"%.60s\" not accepted",
                                    (const char *)c->name);
        n++;
    }
    if (n == 0)
        return bad("Payload", "no Resource");
    if (n > NV_RIM_MAX_RESOURCES)
        return bad("Payload", "too many Resource elements");
    r->measurements = calloc(n, sizeof *r->measurements);
    if (!r->measurements)
        return nomem();

    uint8_t seen[(NV_RIM_MAX_INDEX + 1 + 7) / 8] = {0};
    size_t pos = 0;
    for (xmlNode *c = first_elem(payload); c; c = next_elem(c), pos++) {
        char type[32];
        int rc = get_attr(c, NULL, "type", type, sizeof type);
        if (rc == -2)
            return nomem();
        if (rc != 1 || strcmp(type, "Measurement") != 0)
            continue; /* only Measurement resources carry golden values */
        nv_rim_measurement *m = &r->measurements[r->measurement_count];
        int status = parse_resource(c, m, pos);
        if (status != ATTEST_OK)
            return status;
        if (seen[m->index / 8] & (1u << (m->index % 8)))
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.rim: Payload/Resource@index: index %d appears twice",
                                    m->index);
        seen[m->index / 8] |= (uint8_t)(1u << (m->index % 8));
        r->measurement_count++;
    }
    if (r->measurement_count == 0)
        return bad("Payload", "no Resource of type Measurement");
    return ATTEST_OK;
}

static int parse_content(nv_rim *r, xmlNode *root, xmlNode *sig)
{
    int status;
    if ((status = need_attr(root, NULL, "name", r->name, sizeof r->name, "SoftwareIdentity")) !=
            ATTEST_OK ||
        (status = need_attr(root, NULL, "tagId", r->tag_id, sizeof r->tag_id,
                            "SoftwareIdentity")) != ATTEST_OK ||
        (status = need_attr(root, NULL, "version", r->version, sizeof r->version,
                            "SoftwareIdentity")) != ATTEST_OK)
        return status;
    memcpy(r->rim_id, r->name, sizeof r->rim_id);

    /* Root children: Entity (ignored), exactly one Meta, exactly one
     * Payload, and the Signature; anything else is refused. */
    xmlNode *meta = NULL, *payload = NULL;
    for (xmlNode *c = first_elem(root); c; c = next_elem(c)) {
        if (c == sig || is_elem(c, NS_SWID, "Entity"))
            continue;
        if (is_elem(c, NS_SWID, "Meta")) {
            if (meta)
                return bad("SoftwareIdentity", "more than one Meta");
            meta = c;
        } else if (is_elem(c, NS_SWID, "Payload")) {
            if (payload)
                return bad("SoftwareIdentity", "more than one Payload");
            payload = c;
        } else {
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.rim: SoftwareIdentity: element {%.80s}%.60s not "
                                    "accepted",
                                    ns_of(c), (const char *)c->name);
        }
    }
    if (!meta)
        return bad("SoftwareIdentity", "Meta missing");
    if (!payload)
        return bad("SoftwareIdentity", "Payload missing");

    if ((status = need_attr(meta, NULL, "colloquialVersion", r->colloquial_version,
                            sizeof r->colloquial_version, "Meta")) != ATTEST_OK ||
        (status = need_attr(meta, NULL, "product", r->product, sizeof r->product, "Meta")) !=
            ATTEST_OK ||
        (status = need_attr(meta, NS_RIMIM, "FirmwareManufacturerId", r->manufacturer_id,
                            sizeof r->manufacturer_id, "Meta")) != ATTEST_OK)
        return status;

    return parse_payload(r, payload);
}


/* Step 3 on a parsed RIM: a content rule broken is kept, not returned
 * (nv_rim.content_status); running out of memory is returned. */
static int read_content(nv_rim *r, xmlNode *root, xmlNode *sig)
{
    int status = parse_content(r, root, sig);
    if (status != ATTEST_E_MALFORMED)
        return status;
    r->content_status = status;
    snprintf(r->content_detail, sizeof r->content_detail, "%s", attest_error_last());
    return ATTEST_OK;
}

/* ---- step 1: reading the document ---------------------------------------- */

/* The whole document given to a push parser in one final chunk: the
 * document xmlCtxtReadMemory would give (same options, same encoding),
 * without its input growth. libxml2 2.9.14's pull parser converts the
 * input (UTF-8 to UTF-8) as it goes; when that conversion's realloc fails
 * (xmlParserInputBufferGrow), xmlParseDocument goes on reading a NULL
 * input and crashes (the allocfail walk, cold kind). A push parser
 * converts the chunk when it is pushed, where a failed allocation halts
 * the parse (xmlHaltParser), and never grows its input while parsing
 * (GROW does nothing in progressive mode). NULL when not well-formed. */
static xmlDoc *parse_pushed(xmlParserCtxtPtr pctx, const uint8_t *data, size_t len, int opts)
{
    if (xmlCtxtResetPush(pctx, NULL, 0, NULL, "UTF-8") != 0 || xmlCtxtUseOptions(pctx, opts) < 0)
        return NULL;
    xmlParseChunk(pctx, (const char *)data, (int)len, 1);
    xmlDoc *doc = pctx->myDoc;
    pctx->myDoc = NULL;
    if (doc && !pctx->wellFormed) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    return doc;
}

/* No NOENT (entities are not substituted), no DTDLOAD/DTDATTR/DTDVALID, no
 * XINCLUDE, no HUGE; NONET so nothing is ever fetched. The encoding is
 * fixed to UTF-8 (NVIDIA RIMs are ASCII). */
static int read_document(const uint8_t *data, size_t len, xmlDoc **out)
{
    xmlParserCtxtPtr pctx = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
    if (!pctx)
        return nomem();
    /* This context's errors are read from it (xmlCtxtGetLastError), never
     * printed: NOERROR does not silence libxml2's out-of-memory message, a
     * structured handler of the context's own SAX block does. */
    pctx->sax->serror = structured_quiet;
    const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    errno = 0;
    xmlDoc *doc = parse_pushed(pctx, data, len, opts);
    int status = ATTEST_OK;
    xmlErrorPtr last = xmlCtxtGetLastError(pctx);
    if (attest_alloc_failed() || (last && last->code == XML_ERR_NO_MEMORY)) {
        status = nomem(); /* libxml2 goes on after it: "Extra content", or a doc missing parts */
    } else if (!doc) {
        xmlErrorPtr e = xmlCtxtGetLastError(pctx);
        char msg[96] = "not well-formed";
        if (e && e->message) {
            snprintf(msg, sizeof msg, "%s", e->message);
            size_t ml = strlen(msg);
            while (ml && (msg[ml - 1] == '\n' || msg[ml - 1] == ' '))
                msg[--ml] = '\0';
        }
        status = attest_set_error(ATTEST_E_MALFORMED,
                                  "nvidia.rim: document: not well-formed XML (line %d: %s)",
                                  e ? e->line : 0, msg);
    } else if (doc->intSubset || doc->extSubset) {
        status = bad("document", "a DOCTYPE/DTD is not accepted");
    }
    xmlFreeParserCtxt(pctx);
    if (status != ATTEST_OK)
        xmlFreeDoc(doc);
    else
        *out = doc;
    return status;
}

/* The SoftwareIdentity root and its one ds:Signature child. */
static int find_signature(xmlDoc *doc, xmlNode **out)
{
    xmlNode *root = xmlDocGetRootElement(doc), *sig;
    size_t sig_count;
    int status;
    if (!is_elem(root, NS_SWID, "SoftwareIdentity"))
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: document: root element must be "
                                "{" NS_SWID "}SoftwareIdentity, not {%.80s}%.60s",
                                root ? ns_of(root) : "", root ? (const char *)root->name : "");
    if ((status = check_tree(doc, &sig, &sig_count)) != ATTEST_OK)
        return status;
    if (sig_count != 1)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: document: %zu ds:Signature elements, exactly one "
                                "required",
                                sig_count);
    if (sig->parent != root)
        return bad("ds:Signature", "must be a child of the SoftwareIdentity root");
    *out = sig;
    return ATTEST_OK;
}

/* ---- entry points -------------------------------------------------------- */

bool nv_rim_detect(const uint8_t *data, size_t len)
{
    if (!data || len < 20)
        return false;
    size_t p = 0;
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        p = 3;
    while (p < len && (data[p] == ' ' || data[p] == '\t' || data[p] == '\r' || data[p] == '\n'))
        p++;
    if (p >= len || data[p] != '<')
        return false;
    size_t win = len < NV_RIM_DETECT_WINDOW ? len : NV_RIM_DETECT_WINDOW;
    static const char tag[] = "SoftwareIdentity";
    const size_t tl = sizeof tag - 1;
    for (size_t i = p; i + tl < win; i++) {
        if (memcmp(data + i, tag, tl) != 0)
            continue;
        /* "<SoftwareIdentity" or "<prefix:SoftwareIdentity" */
        if (i > 0 && data[i - 1] == '<')
            return true;
        if (i > 0 && data[i - 1] == ':') {
            size_t j = i - 1;
            while (j > 0 && data[j - 1] != '<' && data[j - 1] != ' ' && data[j - 1] != '>')
                j--;
            if (j > 0 && data[j - 1] == '<' && j < i - 1)
                return true;
        }
    }
    return false;
}

void nv_rim_free(nv_rim *r)
{
    if (!r)
        return;
    free(r->raw);
    free(r->measurements);
    for (size_t i = 0; i < r->signer_count; i++)
        free(r->signers[i].der);
    free(r);
}

/* xmlInitParser() returns nothing, and an allocation failing inside it
 * leaves libxml2 without what it failed to make (its dictionary lock, its
 * encoding handlers) while it counts itself initialised. So its result is
 * checked by reading a small document the way RIMs are read, until that
 * succeeds once: before that, ATTEST_E_NOMEM and no RIM is read. */
int nv_rim_xml_init(void)
{
    static const char probe[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a b=\"c\">d</a>";
    pthread_once(&libxml_once, libxml_init);
    if (atomic_load(&libxml_ready))
        return ATTEST_OK;
    xmlDoc *doc = NULL;
    nv_xml_handlers saved;
    nv_xml_quiet_begin(&saved);
    int status = read_document((const uint8_t *)probe, sizeof probe - 1, &doc);
    nv_xml_quiet_end(&saved);
    if (status != ATTEST_OK)
        return attest_set_error(ATTEST_E_NOMEM,
                                "nvidia.rim: libxml2 is not usable (its initialisation or a "
                                "first read failed: out of memory?)");
    xmlFreeDoc(doc);
    atomic_store(&libxml_ready, 1);
    return ATTEST_OK;
}

int nv_rim_read(const uint8_t *data, size_t len, xmlDoc **doc, xmlNode **signature)
{
    *doc = NULL;
    *signature = NULL;
    if (!data)
        return attest_set_error(ATTEST_E_INVALID_ARG, "nvidia.rim: data is NULL");
    if (len == 0)
        return bad("document", "empty");
    if (len > NV_RIM_MAX_BYTES)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: document: %zu bytes, more than the %u accepted",
                                len, NV_RIM_MAX_BYTES);
    /* Refused before libxml2 sees it, so no DTD is ever parsed. */
    if (bytes_contain(data, len, "<!DOCTYPE") || bytes_contain(data, len, "<!ENTITY"))
        return bad("document", "a DOCTYPE/DTD is not accepted");
    int status = nv_rim_xml_init();
    if (status != ATTEST_OK)
        return status;
    nv_xml_handlers saved;
    nv_xml_quiet_begin(&saved);
    status = read_document(data, len, doc);
    if (status == ATTEST_OK && (status = find_signature(*doc, signature)) != ATTEST_OK) {
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
    nv_xml_quiet_end(&saved);
    return status;
}

int nv_rim_parse(nv_rim **out, const uint8_t *data, size_t len)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "nvidia.rim: out is NULL");
    *out = NULL;
    xmlDoc *doc;
    xmlNode *sig;
    int status = nv_rim_read(data, len, &doc, &sig);
    if (status != ATTEST_OK)
        return status;
    nv_xml_handlers saved;
    nv_xml_quiet_begin(&saved); /* xmlNodeGetContent reports a failed allocation */
    nv_rim *r = calloc(1, sizeof *r);
    if (!r || !(r->raw = malloc(len))) {
        status = nomem();
    } else {
        memcpy(r->raw, data, len);
        r->raw_len = len;
        status = check_signature(sig, r);
    }
    if (status == ATTEST_OK)
        status = read_content(r, xmlDocGetRootElement(doc), sig);
    xmlFreeDoc(doc);
    nv_xml_quiet_end(&saved);
    if (status != ATTEST_OK) {
        nv_rim_free(r);
        return status;
    }
    *out = r;
    return ATTEST_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *nv_rim_to_json(const nv_rim *r)
{
    if (!r)
        return NULL;
    size_t active = 0;
    for (size_t i = 0; i < r->measurement_count; i++)
        active += r->measurements[i].active;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s?}",
                     "rim_id", r->rim_id,
                     "name", r->name,
                     "tag_id", r->tag_id,
                     "version", r->version,
                     "colloquial_version", r->colloquial_version,
                     "product", r->product,
                     "manufacturer_id", r->manufacturer_id,
                     "measurement_count", (json_int_t)r->measurement_count,
                     "active_count", (json_int_t)active,
                     "signer_count", (json_int_t)r->signer_count,
                     "content_error",
                     r->content_status == ATTEST_OK ? NULL : r->content_detail);
}
