/* NVIDIA RIM XML signatures with xmlsec1.
 *
 * The signature of a RIM parsed by lib/parse/nv_rim.c is verified on a
 * fresh reading of the same bytes (nv_rim_read: the same rules, so the same
 * tree), which this call owns: xmlsec writes ID attributes into the tree
 * it verifies, so a tree shared between threads could not be used. xmlsec
 * gets the public key of the FIRST KeyInfo certificate as the context's
 * signKey, so it never reads KeyInfo itself and never builds or trusts a
 * chain; only the URI type and transforms the parser accepts are enabled.
 * Success needs the context status "succeeded" and the single Reference's
 * status "succeeded". The KeyInfo chain is verified by the caller.
 *
 * libxml2 and xmlsec1 keep process-wide state that must be initialised
 * once before any thread uses them (parser dictionaries and error state,
 * xmlsec's tables of transforms and key data, its OpenSSL glue): that is
 * done here under pthread_once (nv_rim_sig_init, which
 * attest_collateral_add calls before it reads the first RIM) and is, with
 * lib/parse/nv_rim.c's libxml2 initialisation, the only global state of
 * libattest. After it each verification owns its document, its xmlsec
 * context and its key. xmlsec's error callback is replaced by a silent one
 * (a library must not write to stderr, nor fill OpenSSL's error queue;
 * failures are reported through attest_error_last()); the callback too is
 * process-wide. The libraries are never shut down (process lifetime), so
 * a host program must not call xmlSecShutdown() or xmlCleanupParser()
 * while libattest may still be used. A host that initialised xmlsec1 with
 * its OpenSSL backend itself keeps its set-up: it is not initialised again. */
#include "nv_rim_sig.h"
#include "nvidia.h"

#if !defined(XMLSEC_CRYPTO_OPENSSL)
#error "compile with $(pkg-config --cflags xmlsec1-openssl): the xmlsec ABI depends on its defines"
#endif

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <xmlsec/xmlsec.h> /* first: the other xmlsec headers need its types */
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/list.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>

/* ---- process-wide initialisation ----------------------------------------- */

static pthread_once_t sig_once = PTHREAD_ONCE_INIT;
static int sig_init_status = ATTEST_E_INTERNAL;
static char sig_init_failure[64] = "not initialised";

static void xmlsec_quiet(const char *file, int line, const char *func,
                         const char *error_object, const char *error_subject, int reason,
                         const char *msg)
{
    (void)file, (void)line, (void)func, (void)error_object, (void)error_subject;
    (void)reason, (void)msg;
}

/* Whether the host process (or another library) initialised xmlsec with
 * its OpenSSL backend already: then it must not be initialised twice. */
static bool xmlsec_ready(void)
{
    xmlSecPtrListPtr ids = xmlSecTransformIdsGet();
    return ids && xmlSecPtrListIsValid(ids) &&
           xmlSecTransformIdListFindByHref(ids, xmlSecHrefEcdsaSha384, xmlSecTransformUsageAny) !=
               xmlSecTransformIdUnknown;
}

static void sig_global_init_quietly(void)
{
    xmlInitParser();
    if (xmlsec_ready()) {
        sig_init_status = ATTEST_OK;
        return;
    }
    if (xmlSecInit() < 0) {
        snprintf(sig_init_failure, sizeof sig_init_failure, "xmlSecInit failed");
        return;
    }
    if (xmlSecCheckVersion() != 1) {
        snprintf(sig_init_failure, sizeof sig_init_failure,
                 "libxmlsec1 is not ABI compatible with its headers");
        return;
    }
    if (xmlSecOpenSSLAppInit(NULL) < 0) {
        snprintf(sig_init_failure, sizeof sig_init_failure, "xmlSecOpenSSLAppInit failed");
        return;
    }
    if (xmlSecOpenSSLInit() < 0) {
        snprintf(sig_init_failure, sizeof sig_init_failure, "xmlSecOpenSSLInit failed");
        return;
    }
    /* Last: xmlSecOpenSSLAppInit installs a callback that prints and also
     * pushes every xmlsec error onto OpenSSL's per-thread error queue. */
    xmlSecErrorsSetCallback(xmlsec_quiet);
    sig_init_status = ATTEST_OK;
}

static void sig_global_init(void)
{
    nv_xml_handlers saved;
    nv_xml_quiet_begin(&saved);
    sig_global_init_quietly();
    nv_xml_quiet_end(&saved);
}

int nv_rim_sig_init(void)
{
    /* OpenSSL and libxml2 first, checked (xmlInitParser tells nothing). */
    int status = attest_crypto_init();
    if (status == ATTEST_OK)
        status = nv_rim_xml_init();
    if (status != ATTEST_OK)
        return status;
    pthread_once(&sig_once, sig_global_init);
    if (sig_init_status != ATTEST_OK)
        return attest_set_error(ATTEST_E_INTERNAL, "nvidia.rim: %s", sig_init_failure);
    return ATTEST_OK;
}

/* ---- the KeyInfo certificates -------------------------------------------- */

int nv_rim_signers(const nv_rim *rim, STACK_OF(X509) **out)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    *out = NULL;
    if (!certs)
        return attest_set_error(ATTEST_E_NOMEM, "nvidia.rim: out of memory");
    for (size_t i = 0; i < rim->signer_count; i++) {
        const unsigned char *p = rim->signers[i].der;
        errno = 0;
        X509 *x = d2i_X509(NULL, &p, (long)rim->signers[i].len);
        bool nomem = attest_alloc_failed(); /* x may then lack its key */
        if (nomem || !x || p != rim->signers[i].der + rim->signers[i].len) {
            X509_free(x);
            sk_X509_pop_free(certs, X509_free);
            if (nomem)
                return attest_set_error(ATTEST_E_NOMEM, "nvidia.rim: out of memory");
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "nvidia.rim: KeyInfo X509Certificate %zu: not one DER "
                                    "certificate", i);
        }
        if (!sk_X509_push(certs, x)) {
            X509_free(x);
            sk_X509_pop_free(certs, X509_free);
            return attest_set_error(ATTEST_E_NOMEM, "nvidia.rim: out of memory");
        }
    }
    *out = certs;
    return ATTEST_OK;
}

/* ---- xmlsec -------------------------------------------------------------- */

/* The public key of `leaf` as an xmlsec key (the caller destroys it). */
static int signing_key(X509 *leaf, xmlSecKeyPtr *out)
{
    EVP_PKEY *pk = X509_get0_pubkey(leaf);
    *out = NULL;
    if (!pk || EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "nvidia.rim: KeyInfo X509Certificate 0: the signing key is not "
                                "an EC key");
    if (!EVP_PKEY_up_ref(pk))
        return attest_set_error(ATTEST_E_INTERNAL, "nvidia.rim: EVP_PKEY_up_ref failed");
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pk);
    if (!data) {
        EVP_PKEY_free(pk); /* not adopted; an EC key always is, unless memory ran out */
        return attest_set_error(ATTEST_E_NOMEM,
                                "nvidia.rim: out of memory adopting the signing key");
    }
    xmlSecKeyPtr key = xmlSecKeyCreate();
    if (!key) {
        xmlSecKeyDataDestroy(data);
        return attest_set_error(ATTEST_E_NOMEM, "nvidia.rim: out of memory");
    }
    if (xmlSecKeySetValue(key, data) < 0) {
        xmlSecKeyDataDestroy(data);
        xmlSecKeyDestroy(key);
        return attest_set_error(ATTEST_E_INTERNAL, "nvidia.rim: xmlSecKeySetValue failed");
    }
    *out = key;
    return ATTEST_OK;
}

/* Only what nv_rim_parse accepts: C14N 1.1 or exclusive C14N and
 * ecdsa-sha384 for SignedInfo; enveloped, the same C14Ns and sha384 for
 * the reference, whose URI must be "" (enabledReferenceUris). */
static int restrict_context(xmlSecDSigCtxPtr ctx)
{
    ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformInclC14N11Id) < 0 ||
        xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
        xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecOpenSSLTransformEcdsaSha384Id) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformInclC14N11Id) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecOpenSSLTransformSha384Id) < 0)
        /* constant, registered transforms: only an allocation can fail (allocfail walk) */
        return attest_set_error(ATTEST_E_NOMEM,
                                "nvidia.rim: out of memory restricting the xmlsec transforms");
    return ATTEST_OK;
}

/* What xmlSecDSigCtxVerify (returning rc) concluded, most specific first. */
static int verdict(xmlSecDSigCtxPtr ctx, int rc)
{
    xmlSecSize nrefs = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    xmlSecDSigReferenceCtxPtr ref =
        nrefs == 1 ? (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0)
                   : NULL;
    /* Memory that ran out (libxml2's C14N reports it in its last error)
     * leaves no verdict: a canonical form cut short differs in its digest. */
    const xmlError *xml_error = xmlGetLastError();
    bool verified = rc >= 0 && ref && ref->status == xmlSecDSigStatusSucceeded &&
                    ctx->status == xmlSecDSigStatusSucceeded;
    if (!verified &&
        (attest_alloc_failed() || (xml_error && xml_error->code == XML_ERR_NO_MEMORY)))
        return attest_set_error(ATTEST_E_NOMEM, "nvidia.rim: out of memory verifying the "
                                                "XML signature");
    if (ref && ref->status == xmlSecDSigStatusInvalid)
        return attest_set_error(ATTEST_E_COLLATERAL_SIGNATURE,
                                "nvidia.rim: XML signature does not verify (digest of the "
                                "signed content differs)");
    if (rc < 0)
        return attest_set_error(ATTEST_E_COLLATERAL_SIGNATURE,
                                "nvidia.rim: XML signature does not verify (xmlsec could "
                                "not process the signature)");
    if (!ref || ref->status != xmlSecDSigStatusSucceeded)
        return attest_set_error(ATTEST_E_COLLATERAL_SIGNATURE,
                                "nvidia.rim: XML signature does not verify (the Reference "
                                "was not verified)");
    if (ctx->status != xmlSecDSigStatusSucceeded)
        return attest_set_error(ATTEST_E_COLLATERAL_SIGNATURE,
                                "nvidia.rim: XML signature does not verify (SignatureValue "
                                "does not verify with the first KeyInfo certificate's key)");
    return ATTEST_OK;
}

static int verify_node(xmlNode *sig, X509 *leaf)
{
    xmlSecKeyPtr key;
    int status = signing_key(leaf, &key);
    if (status != ATTEST_OK)
        return status;
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    if (!ctx) {
        xmlSecKeyDestroy(key);
        return attest_set_error(ATTEST_E_NOMEM, "nvidia.rim: out of memory");
    }
    ctx->signKey = key; /* owned by ctx from here */
    if ((status = restrict_context(ctx)) == ATTEST_OK) {
        errno = 0;
        xmlResetLastError();
        status = verdict(ctx, xmlSecDSigCtxVerify(ctx, sig));
    }
    xmlSecDSigCtxDestroy(ctx);
    return status;
}

int nv_rim_signature_verify(const nv_rim *rim, STACK_OF(X509) **signers)
{
    STACK_OF(X509) *certs = NULL;
    xmlDoc *doc = NULL;
    xmlNode *sig = NULL;
    if (signers)
        *signers = NULL;
    int status = nv_rim_sig_init();
    if (status == ATTEST_OK)
        status = nv_rim_signers(rim, &certs);
    if (status == ATTEST_OK && sk_X509_num(certs) < 1)
        status = attest_set_error(ATTEST_E_MALFORMED, "nvidia.rim: no KeyInfo certificate");
    nv_xml_handlers saved;
    nv_xml_quiet_begin(&saved); /* xmlsec1's transforms build nodes and buffers */
    if (status == ATTEST_OK)
        status = nv_rim_read(rim->raw, rim->raw_len, &doc, &sig);
    if (status == ATTEST_OK)
        status = verify_node(sig, sk_X509_value(certs, 0));
    xmlFreeDoc(doc);
    nv_xml_quiet_end(&saved);
    ERR_clear_error(); /* failed ECDSA checks leave entries behind */
    if (status == ATTEST_OK && signers)
        *signers = certs;
    else
        sk_X509_pop_free(certs, X509_free);
    return status;
}

/* ---- the verdict, cached ------------------------------------------------- */

/* A verdict as the cache keeps it (attest_cached_chain.extra). */
#define SIGNER_DIGESTS_MAX 7

typedef struct cached_verdict {
    int status;
    int digests; /* a success: the SHA-256 of each KeyInfo certificate, in
                    order, computed from the cached objects themselves (the
                    cache keys of their chain and OCSP verdicts); 0: none */
    union {
        char detail[240];                        /* a failure's */
        uint8_t sha256[SIGNER_DIGESTS_MAX][32];
    } u;
} cached_verdict;

/* The key: the RIM's bytes, then the RIM trust anchors. The verdict does
 * not depend on trust, but it is named with the trust it was reached
 * under, so that it can never outlive a change of anchors (the verifier
 * also empties its cache then). */
static bool signature_key(uint8_t key[32], const attest_verifier *v, const uint8_t rim_sha256[32])
{
    attest_bytes first[] = {{"nv-rim-signature", 16}, {rim_sha256, 32}};
    if (attest_cache_key(key, first, 2) != 0)
        return false;
    for (size_t i = 0; i < v->anchor_count; i++) {
        if (v->anchors[i].vendor != ATTEST_VENDOR_NVIDIA_RIM)
            continue;
        uint8_t previous[32];
        memcpy(previous, key, 32);
        attest_bytes next[] = {{previous, 32}, {v->anchors[i].spki_sha256, 32}};
        if (attest_cache_key(key, next, 2) != 0)
            return false;
    }
    return true;
}

/* Verdicts that the same bytes always get; others (out of memory, a
 * failed initialisation) are not remembered. */
static bool lasting(int status)
{
    return status == ATTEST_OK || status == ATTEST_E_COLLATERAL_SIGNATURE ||
           status == ATTEST_E_MALFORMED;
}

/* A cached verdict for `key`, if any: its status (the detail of a failure
 * set again), the KeyInfo certificates of a success in *signers. */
static bool cached_lookup(attest_verifier *v, const uint8_t key[32], STACK_OF(X509) **signers,
                          int *status)
{
    attest_cached_chain hit = {0};
    cached_verdict seen;
    if (!attest_cache_get(v->cache, key, &hit) || hit.extra_len != sizeof seen) {
        sk_X509_pop_free(hit.chain, X509_free);
        return false;
    }
    memcpy(&seen, hit.extra, sizeof seen);
    if (seen.status == ATTEST_OK && !hit.chain)
        return false;
    *status = seen.status;
    if (seen.status != ATTEST_OK)
        attest_set_error(seen.status, "%s", seen.u.detail);
    if (seen.status == ATTEST_OK && seen.digests == sk_X509_num(hit.chain))
        for (int i = 0; i < seen.digests; i++)
            nv_digest_memo_seed(sk_X509_value(hit.chain, i), seen.u.sha256[i]);
    if (signers && seen.status == ATTEST_OK)
        *signers = hit.chain;
    else
        sk_X509_pop_free(hit.chain, X509_free);
    return true;
}

static void cached_store(attest_verifier *v, const uint8_t key[32], STACK_OF(X509) *signers,
                         int status)
{
    attest_cached_chain entry = {.chain = status == ATTEST_OK ? signers : NULL,
                                 .not_before = INT64_MIN, .not_after = INT64_MAX,
                                 .extra_len = sizeof(cached_verdict)};
    cached_verdict seen = {.status = status};
    _Static_assert(sizeof seen <= sizeof entry.extra, "cache slot too small");
    if (status != ATTEST_OK)
        snprintf(seen.u.detail, sizeof seen.u.detail, "%s", attest_error_last());
    int n = status == ATTEST_OK ? sk_X509_num(signers) : 0;
    bool all = n <= SIGNER_DIGESTS_MAX;
    for (int i = 0; all && i < n; i++)
        all = nv_cert_sha256(sk_X509_value(signers, i), seen.u.sha256[i]);
    seen.digests = all ? n : 0;
    memcpy(entry.extra, &seen, sizeof seen);
    attest_cache_put(v->cache, key, &entry);
}

int nv_rim_signature_check(attest_verifier *v, const nv_rim *rim, const uint8_t rim_sha256[32],
                           STACK_OF(X509) **signers, bool *cached)
{
    uint8_t key[32];
    int status;
    STACK_OF(X509) *certs = NULL;
    bool keyed = signature_key(key, v, rim_sha256);
    if (signers)
        *signers = NULL;
    *cached = keyed && cached_lookup(v, key, signers, &status);
    if (*cached)
        return status;
    status = nv_rim_signature_verify(rim, &certs);
    if (keyed && lasting(status))
        cached_store(v, key, certs, status);
    if (signers)
        *signers = certs;
    else
        sk_X509_pop_free(certs, X509_free);
    return status;
}
