/* NVIDIA RIMs: TCG RIM-IM SWID-tag XML with an enveloped XML signature
 * (C14N 1.1, ECDSA-SHA384, SHA-384 digest, Reference URI="", KeyInfo
 * X509Data with the signing chain). The signature is verified with xmlsec1
 * using the key of the FIRST KeyInfo certificate; the chain of those
 * certificates is verified by the caller (lib/chain) against the pinned
 * RIM root. Only content covered by that signature is read. */
#ifndef ATTEST_NV_RIM_H
#define ATTEST_NV_RIM_H

#include "../core/internal.h"

#define NV_RIM_MAX_ALTERNATIVES 8

typedef struct nv_rim_measurement {
    int index;                   /* 0-based */
    bool active;
    int size;                    /* bytes, 48 */
    int alternatives;
    uint8_t hashes[NV_RIM_MAX_ALTERNATIVES][64];
    char name[64];
} nv_rim_measurement;

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
    STACK_OF(X509) *signers;     /* KeyInfo X509Certificate elements, in order */
    bool signature_checked;      /* nv_rim_parse verified the XML signature */
} nv_rim;

/* True when the bytes look like a RIM (XML with a SoftwareIdentity root). */
ATTEST_HIDDEN bool nv_rim_detect(const uint8_t *data, size_t len);

/* Parse a RIM and verify its XML signature with xmlsec1. Structural rules
 * (fail closed): exactly one ds:Signature, a child of the SoftwareIdentity
 * root; exactly one Reference with URI=""; transforms exactly enveloped +
 * C14N 1.1 (or exclusive C14N); SignatureMethod ecdsa-sha384; DigestMethod
 * sha384; no DTD, no external entities, no XInclude. Errors:
 * ATTEST_E_MALFORMED (XML, schema shape, naming the element/attribute),
 * ATTEST_E_COLLATERAL_SIGNATURE (xmlsec verification failed), ATTEST_E_NOMEM,
 * ATTEST_E_INVALID_ARG, ATTEST_E_INTERNAL (xmlsec initialisation failed).
 * Thread-safe (xmlsec/libxml2 are initialised once, process-wide). */
ATTEST_HIDDEN int nv_rim_parse(nv_rim **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void nv_rim_free(nv_rim *r);

ATTEST_HIDDEN json_t *nv_rim_to_json(const nv_rim *r);

#endif
