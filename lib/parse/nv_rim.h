/* NVIDIA RIMs: TCG RIM-IM SWID-tag XML with an enveloped XML signature
 * (C14N 1.1, ECDSA-SHA384, SHA-384 digest, Reference URI="", KeyInfo
 * X509Data with the signing chain). Parsing only: the document's shape,
 * its signature's shape and its fields. The signature itself is verified
 * by lib/chain/nv_rim_sig.c (xmlsec1, with the key of the FIRST KeyInfo
 * certificate), the chain of the KeyInfo certificates by lib/chain against
 * the pinned RIM root; a RIM's fields are used only after both. */
#ifndef ATTEST_NV_RIM_H
#define ATTEST_NV_RIM_H

#include "../base/base.h"

#include <libxml/xmlerror.h>

#define NV_RIM_MAX_ALTERNATIVES 8
#define NV_RIM_MAX_SIGNERS 16

struct _xmlDoc;
struct _xmlNode;

typedef struct nv_rim_measurement {
    int index;                   /* 0-based */
    bool active;
    int size;                    /* bytes, 48 */
    int alternatives;
    uint8_t hashes[NV_RIM_MAX_ALTERNATIVES][64];
    char name[64];
} nv_rim_measurement;

/* One KeyInfo X509Certificate, base64-decoded: DER bytes not yet read as
 * a certificate (lib/chain does that). */
typedef struct nv_rim_cert {
    uint8_t *der;                /* owned */
    size_t len;
} nv_rim_cert;

typedef struct nv_rim {
    uint8_t *raw;                /* owned copy of the XML */
    size_t raw_len;
    char tag_id[128];            /* SoftwareIdentity tagId */
    char name[128];              /* SoftwareIdentity name: in NVIDIA RIMs the
                                    product ("GH100", "GB100", "LS10") */
    char version[64];            /* SoftwareIdentity version */
    char colloquial_version[64]; /* Meta colloquialVersion */
    char product[32];            /* Meta product: GH100, GB100, LS10 ... */
    char manufacturer_id[16];    /* Meta FirmwareManufacturerId ("5703") */
    char rim_id[128];            /* = name. The RIM service id (NV_GPU_DRIVER_
                                    GH100_550.90.07, ...) is not in the document:
                                    a RIM is bound to a device by product and
                                    colloquialVersion */
    nv_rim_measurement *measurements;
    size_t measurement_count;
    nv_rim_cert signers[NV_RIM_MAX_SIGNERS]; /* KeyInfo certificates, in order */
    size_t signer_count;         /* 1..NV_RIM_MAX_SIGNERS */
    int content_status;          /* ATTEST_OK, or ATTEST_E_MALFORMED when the
                                    content breaks a rule (content_detail says
                                    which): the fields above are then partial.
                                    Judged after the signature, as a document
                                    whose signature fails is refused for that
                                    first, whatever else is wrong with it */
    char content_detail[256];
} nv_rim;

/* True when the bytes look like a RIM (XML with a SoftwareIdentity root). */
ATTEST_HIDDEN bool nv_rim_detect(const uint8_t *data, size_t len);

/* Parse a RIM. Structural rules (fail closed): no DTD, no external
 * entities, no XInclude; exactly one ds:Signature, a child of the
 * SoftwareIdentity root, made of SignedInfo, SignatureValue and
 * KeyInfo/X509Data/X509Certificate+ (base64) only; exactly one Reference
 * with URI=""; transforms exactly enveloped + C14N 1.1 (or exclusive
 * C14N); SignatureMethod ecdsa-sha384; DigestMethod sha384. A document
 * that breaks them is refused: ATTEST_E_MALFORMED naming the element or
 * attribute. Then the content (Meta, Payload, Resources) is read into the
 * fields; a content rule broken is NOT a failure of this call: it is kept
 * in content_status / content_detail (see there). Other errors:
 * ATTEST_E_NOMEM, ATTEST_E_INVALID_ARG, ATTEST_E_INTERNAL (libxml2
 * initialisation). Thread-safe. */
ATTEST_HIDDEN int nv_rim_parse(nv_rim **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void nv_rim_free(nv_rim *r);

/* libxml2's one-time initialisation (xmlInitParser), checked by a first
 * read; nv_rim_read calls it, and the library calls it where it starts
 * (lib/api/init.c) and before every use of libxml2 or xmlsec1
 * (nv_rim_sig_init). Thread-safe. ATTEST_OK or ATTEST_E_NOMEM (retried on
 * the next call). */
ATTEST_HIDDEN int nv_rim_xml_init(void);

/* The calling thread's libxml2 error handlers. libxml2 reports a failed
 * allocation in its tree, buffer and URI functions (and a parser error
 * raised without a context) through them, and by default prints it to
 * stderr: a library linked into a service must not. While libattest uses
 * libxml2 or xmlsec1, nv_xml_quiet_begin gives the thread handlers that
 * print nothing (the status returned already says what failed) and keeps
 * the thread's own in *saved; nv_xml_quiet_end puts them back, so that the
 * host's handlers are untouched outside the call. Per thread (libxml2
 * keeps them per thread); pairs nest. */
typedef struct nv_xml_handlers {
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
    xmlGenericErrorFunc generic;
    void *generic_ctx;
} nv_xml_handlers;
ATTEST_HIDDEN void nv_xml_quiet_begin(nv_xml_handlers *saved); /* after nv_rim_xml_init */
ATTEST_HIDDEN void nv_xml_quiet_end(const nv_xml_handlers *saved);

/* Read `data` with the rules of nv_rim_parse's structural steps 1 and 2a
 * (the document, its root, one ds:Signature child of the root) and return
 * the tree and that Signature element; the caller frees *doc with
 * xmlFreeDoc. Signature verification reads the bytes of a parsed RIM
 * again through this, so it works on the very tree the fields come from
 * (the same bytes, read with the same options) and owns it (xmlsec writes
 * ID attributes into the tree it verifies). Errors as nv_rim_parse. */
ATTEST_HIDDEN int nv_rim_read(const uint8_t *data, size_t len, struct _xmlDoc **doc,
                              struct _xmlNode **signature);

/* The parsed fields as JSON (no verdict: the signature is not judged here). */
ATTEST_HIDDEN json_t *nv_rim_to_json(const nv_rim *r);

#endif
