/* NVIDIA certificate details (research/nvidia.md (b) steps 4, 5 and 7,
 * (c) and pitfall 7):
 *
 *  - the FWID of a GPU leaf certificate, in either of its two encodings:
 *    Hopper's extension 2.23.133.5.4.1, SEQUENCE { INTEGER,
 *    SubjectPublicKeyInfo, SEQUENCE { OID sha384, OCTET STRING(48) } }
 *    (nvtrust takes its last 48 bytes; we decode it and get the same
 *    bytes), and Blackwell's TCG DICE TcbInfo 2.23.133.5.4.1.1, whose
 *    IMPLICIT [6] fwids list holds FWID { hashAlg, digest } entries: the
 *    FWID is fwids[0] (SHA-384).
 *  - stored OCSP responses: find the ones about a certificate by its
 *    CertID (computed once per hash algorithm a response names),
 *    authenticate each once (the issuer itself or a delegated responder it
 *    certified with id-kp-OCSPSigning), compare its nonce with the request
 *    nonce recorded for it, and check thisUpdate <= now < nextUpdate (no
 *    nextUpdate: a maximum age after thisUpdate).
 */
#include "nv_cert.h"
#include "x509_chain.h"

#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HOPPER_FWID_OID "2.23.133.5.4.1"
#define DICE_TCBINFO_OID "2.23.133.5.4.1.1"
#define FWID_FIELD "nvidia.cert.fwid"
#define FWID_LEN 48
#define DICE_FWIDS_TAG 6 /* DiceTcbInfo fwids [6] IMPLICIT FWIDLIST */

/* ======================================================================
 * FWID
 * ==================================================================== */

static int fwid_bad(const char *oid, const char *what)
{
    if (attest_alloc_failed()) /* errno cleared in nv_cert_fwid: no verdict */
        return attest_set_error(ATTEST_E_NOMEM, FWID_FIELD ": out of memory");
    return attest_set_error(ATTEST_E_CERT_PARSE, FWID_FIELD ": extension %s %s", oid, what);
}

/* The value of the one extension `oid` of `x` (NULL when absent). An
 * extension present twice is undecodable (RFC 5280 4.2). */
static int find_ext(X509 *x, const char *oid, const ASN1_OCTET_STRING **value)
{
    *value = NULL;
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    if (!obj) /* our constant, well-formed OIDs: only an allocation can fail */
        return attest_set_error(ATTEST_E_NOMEM, FWID_FIELD ": OBJ_txt2obj(%s): out of memory", oid);
    int idx = X509_get_ext_by_OBJ(x, obj, -1);
    int again = idx >= 0 ? X509_get_ext_by_OBJ(x, obj, idx) : -1;
    ASN1_OBJECT_free(obj);
    if (idx < 0)
        return ATTEST_OK;
    if (again >= 0)
        return fwid_bad(oid, "appears more than once");
    X509_EXTENSION *ext = X509_get_ext(x, idx);
    const ASN1_OCTET_STRING *v = ext ? X509_EXTENSION_get_data(ext) : NULL;
    if (!v || ASN1_STRING_length(v) <= 0)
        return fwid_bad(oid, "has no value");
    *value = v;
    return ATTEST_OK;
}

/* Whether `t` is a DER SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier,
 * BIT STRING }, exactly. The structure alone, as d2i_X509_PUBKEY judges it
 * (it keeps a key that does not decode), without decoding the key: that
 * costs as much as an ECDSA verification and the key is never used. */
static bool is_spki(const ASN1_TYPE *t)
{
    if (t->type != V_ASN1_SEQUENCE || !t->value.sequence)
        return false;
    const unsigned char *p = ASN1_STRING_get0_data(t->value.sequence);
    const unsigned char *end = p + ASN1_STRING_length(t->value.sequence);
    const unsigned char *q, *in;
    long len = 0;
    int tag = 0, cls = 0;
    int r = ASN1_get_object(&p, &len, &tag, &cls, (long)(end - p));
    if ((r & 0x80) || (r & 1) || !(r & V_ASN1_CONSTRUCTED) || tag != V_ASN1_SEQUENCE ||
        cls != V_ASN1_UNIVERSAL || len != end - p)
        return false;
    in = p;
    X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &in, (long)(end - in));
    q = in;
    ASN1_BIT_STRING *bits = alg ? d2i_ASN1_BIT_STRING(NULL, &q, (long)(end - q)) : NULL;
    bool ok = alg && bits && q == end;
    X509_ALGOR_free(alg);
    ASN1_BIT_STRING_free(bits);
    ERR_clear_error();
    return ok;
}

/* Hopper: SEQUENCE { INTEGER, SubjectPublicKeyInfo,
 *                    SEQUENCE { OID sha384, OCTET STRING(48) } }. */
static int hopper_fwid(const ASN1_OCTET_STRING *v, uint8_t out[FWID_LEN])
{
    STACK_OF(ASN1_TYPE) *seq = attest_asn1_seq(ASN1_STRING_get0_data(v), ASN1_STRING_length(v));
    STACK_OF(ASN1_TYPE) *digest = NULL;
    const char *why = NULL;
    if (!seq) {
        why = "is not one DER SEQUENCE";
    } else if (sk_ASN1_TYPE_num(seq) != 3) {
        why = "does not hold 3 elements { INTEGER, SubjectPublicKeyInfo, SEQUENCE }";
    } else if (sk_ASN1_TYPE_value(seq, 0)->type != V_ASN1_INTEGER) {
        why = "element 1 is not an INTEGER";
    } else {
        if (!is_spki(sk_ASN1_TYPE_value(seq, 1))) {
            why = "element 2 is not a SubjectPublicKeyInfo";
        } else {
            digest = attest_asn1_type_seq(sk_ASN1_TYPE_value(seq, 2));
            const ASN1_TYPE *alg = digest && sk_ASN1_TYPE_num(digest) == 2
                                       ? sk_ASN1_TYPE_value(digest, 0) : NULL;
            const ASN1_TYPE *oct = alg ? sk_ASN1_TYPE_value(digest, 1) : NULL;
            if (!alg || alg->type != V_ASN1_OBJECT || oct->type != V_ASN1_OCTET_STRING ||
                !oct->value.octet_string)
                why = "element 3 is not SEQUENCE { OBJECT IDENTIFIER, OCTET STRING }";
            else if (OBJ_obj2nid(alg->value.object) != NID_sha384)
                why = "names a hash algorithm other than SHA-384";
            else if (ASN1_STRING_length(oct->value.octet_string) != FWID_LEN)
                why = "holds a digest that is not 48 bytes";
            else
                memcpy(out, ASN1_STRING_get0_data(oct->value.octet_string), FWID_LEN);
        }
    }
    attest_asn1_seq_free(digest);
    attest_asn1_seq_free(seq);
    return why ? fwid_bad(HOPPER_FWID_OID " (Hopper FWID)", why) : ATTEST_OK;
}

/* One DER TLV in [*p, end): definite length, inside the bounds. */
typedef struct tlv {
    const unsigned char *start; /* the tag byte */
    const unsigned char *body;
    long len;
    int tag, cls;
    bool constructed;
} tlv;

static int tlv_next(const unsigned char **p, const unsigned char *end, tlv *t)
{
    if (*p >= end)
        return -1;
    const unsigned char *q = *p;
    long len = 0;
    int tag = 0, cls = 0;
    int r = ASN1_get_object(&q, &len, &tag, &cls, (long)(end - *p));
    if ((r & 0x80) || (r & 1) || len < 0 || q > end || len > end - q)
        return -1; /* error, indefinite length, or beyond the bounds */
    t->start = *p;
    t->body = q;
    t->len = len;
    t->tag = tag;
    t->cls = cls;
    t->constructed = (r & V_ASN1_CONSTRUCTED) != 0;
    *p = q + len;
    return 0;
}

static bool tlv_is(const tlv *t, int cls, int tag, bool constructed)
{
    return t->cls == cls && t->tag == tag && t->constructed == constructed;
}

/* FWIDLIST ::= SEQUENCE SIZE (1..MAX) OF FWID;
 * FWID ::= SEQUENCE { hashAlg OBJECT IDENTIFIER, digest OCTET STRING }.
 * Every entry must be well formed; fwids[0] must be SHA-384, 48 bytes. */
static const char *dice_fwids(const unsigned char *p, const unsigned char *end,
                              uint8_t out[FWID_LEN])
{
    int count = 0;
    while (p < end) {
        tlv fwid, alg, digest;
        if (tlv_next(&p, end, &fwid) != 0 || !tlv_is(&fwid, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true))
            return "fwids holds an entry that is not a SEQUENCE";
        const unsigned char *q = fwid.body, *qend = fwid.body + fwid.len;
        if (tlv_next(&q, qend, &alg) != 0 || !tlv_is(&alg, V_ASN1_UNIVERSAL, V_ASN1_OBJECT, false) ||
            tlv_next(&q, qend, &digest) != 0 ||
            !tlv_is(&digest, V_ASN1_UNIVERSAL, V_ASN1_OCTET_STRING, false) || q != qend)
            return "fwids holds an entry that is not FWID { OBJECT IDENTIFIER, OCTET STRING }";
        const unsigned char *o = alg.start;
        ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &o, (long)(alg.body + alg.len - alg.start));
        if (!obj)
            return "fwids holds an undecodable hash algorithm";
        int nid = OBJ_obj2nid(obj);
        ASN1_OBJECT_free(obj);
        if (count == 0) {
            if (nid != NID_sha384)
                return "fwids[0] names a hash algorithm other than SHA-384";
            if (digest.len != FWID_LEN)
                return "fwids[0] holds a digest that is not 48 bytes";
            memcpy(out, digest.body, FWID_LEN);
        }
        count++;
    }
    return count == 0 ? "fwids is empty" : NULL;
}

/* Blackwell: DiceTcbInfo ::= SEQUENCE { vendor [0], model [1], version [2],
 * svn [3], layer [4], index [5], fwids [6], flags [7], vendorInfo [8],
 * type [9], ... } (TCG DICE Attestation Architecture; every field
 * OPTIONAL and IMPLICIT). Walked by hand: only fwids is interpreted, every
 * other field must be a well-formed context-tagged TLV in ascending
 * order. */
static int dice_fwid(const ASN1_OCTET_STRING *v, uint8_t out[FWID_LEN])
{
    const unsigned char *p = ASN1_STRING_get0_data(v);
    const unsigned char *end = p + ASN1_STRING_length(v);
    tlv outer;
    const char *why = NULL;
    if (tlv_next(&p, end, &outer) != 0 || !tlv_is(&outer, V_ASN1_UNIVERSAL, V_ASN1_SEQUENCE, true) ||
        p != end) {
        why = "is not one DER SEQUENCE";
    } else {
        const unsigned char *q = outer.body, *qend = outer.body + outer.len;
        int last = -1;
        bool found = false;
        while (!why && q < qend) {
            tlv f;
            if (tlv_next(&q, qend, &f) != 0)
                why = "holds a malformed field";
            else if (f.cls != V_ASN1_CONTEXT_SPECIFIC)
                why = "holds a field that is not context-tagged";
            else if (f.tag <= last)
                why = "holds fields repeated or out of order";
            else if (f.tag == DICE_FWIDS_TAG && !f.constructed)
                why = "fwids [6] is not constructed";
            else if (f.tag == DICE_FWIDS_TAG && (why = dice_fwids(f.body, f.body + f.len, out)) == NULL)
                found = true;
            if (!why)
                last = f.tag;
        }
        if (!why && !found)
            why = "has no fwids [6]";
    }
    return why ? fwid_bad(DICE_TCBINFO_OID " (DICE TcbInfo)", why) : ATTEST_OK;
}

int nv_cert_fwid(X509 *leaf, uint8_t out[48], bool *present)
{
    errno = 0;
    if (present)
        *present = false;
    if (!leaf || !out || !present)
        return attest_set_error(ATTEST_E_INVALID_ARG, FWID_FIELD ": NULL argument");
    const ASN1_OCTET_STRING *hopper = NULL, *dice = NULL;
    int st = find_ext(leaf, HOPPER_FWID_OID, &hopper);
    if (st == ATTEST_OK)
        st = find_ext(leaf, DICE_TCBINFO_OID, &dice);
    if (st != ATTEST_OK)
        return st;
    uint8_t h[FWID_LEN], d[FWID_LEN];
    if (hopper && (st = hopper_fwid(hopper, h)) != ATTEST_OK)
        return st;
    if (dice && (st = dice_fwid(dice, d)) != ATTEST_OK)
        return st;
    /* No NVIDIA certificate carries both; one that did would have to agree
     * with itself. */
    if (hopper && dice && memcmp(h, d, FWID_LEN) != 0)
        return attest_set_error(ATTEST_E_CERT_PARSE,
                                FWID_FIELD ": extensions " HOPPER_FWID_OID " and " DICE_TCBINFO_OID
                                           " hold different FWIDs");
    if (hopper || dice) {
        memcpy(out, dice ? d : h, FWID_LEN);
        *present = true;
    }
    return ATTEST_OK;
}

/* ======================================================================
 * OCSP
 * ==================================================================== */

const char *nv_ocsp_status_name(nv_ocsp_status s)
{
    switch (s) {
    case NV_OCSP_GOOD: return "good";
    case NV_OCSP_REVOKED: return "revoked";
    case NV_OCSP_HOLD: return "hold";
    case NV_OCSP_UNKNOWN: return "unknown";
    }
    return "unknown";
}

/* The certificate, for error details: "'CN' (serial 41431d...)". */
static void cert_label(X509 *cert, char *out, size_t n)
{
    char cn[96];
    char serial[2 * 20 + 8] = "?";
    attest_cert_cn(cert, cn, sizeof cn);
    const ASN1_INTEGER *s = X509_get0_serialNumber(cert);
    if (s) {
        const unsigned char *b = ASN1_STRING_get0_data(s);
        int len = ASN1_STRING_length(s);
        size_t k = 0;
        if (ASN1_STRING_type(s) == V_ASN1_NEG_INTEGER)
            serial[k++] = '-';
        for (int i = 0; i < len && i < 20; i++) {
            snprintf(serial + k, sizeof serial - k, "%02x", b[i]);
            k += 2;
        }
        if (len > 20)
            snprintf(serial + k, sizeof serial - k, "...");
        else if (len <= 0)
            snprintf(serial, sizeof serial, "0");
    }
    snprintf(out, n, "'%s' (serial %s)", cn, serial);
}

/* The hash algorithms a CertID may use here. */
static const struct {
    int nid;
    const EVP_MD *(*md)(void);
} CERTID_HASHES[] = {{NID_sha1, EVP_sha1},     {NID_sha224, EVP_sha224}, {NID_sha256, EVP_sha256},
                     {NID_sha384, EVP_sha384}, {NID_sha512, EVP_sha512}};
#define N_CERTID_HASHES (sizeof CERTID_HASHES / sizeof CERTID_HASHES[0])

/* Our CertID under each hash, computed on first use: a response may hold
 * many SingleResponses, and hashing the issuer's name and key for each
 * would cost as much as the response is long, per certificate checked. */
typedef struct certids {
    X509 *cert, *issuer;
    OCSP_CERTID *id[N_CERTID_HASHES];
} certids;

static void certids_free(certids *ids)
{
    for (size_t k = 0; k < N_CERTID_HASHES; k++)
        OCSP_CERTID_free(ids->id[k]);
}

/* Whether `theirs` names our certificate. A hash we do not compute: not
 * about it. ATTEST_E_NOMEM when our CertID cannot be computed. */
static int certid_matches(certids *ids, const OCSP_CERTID *theirs, const char *label, bool *match)
{
    ASN1_OBJECT *alg = NULL;
    *match = false;
    if (!theirs || OCSP_id_get0_info(NULL, &alg, NULL, NULL, (OCSP_CERTID *)theirs) != 1 || !alg)
        return ATTEST_OK;
    int nid = OBJ_obj2nid(alg);
    for (size_t k = 0; k < N_CERTID_HASHES; k++) {
        if (CERTID_HASHES[k].nid != nid)
            continue;
        if (!ids->id[k] && !(ids->id[k] = OCSP_cert_to_id(CERTID_HASHES[k].md(), ids->cert,
                                                          ids->issuer))) {
            ERR_clear_error();
            return attest_set_error(ATTEST_E_NOMEM, "OCSP for %s: cannot compute the CertID",
                                    label);
        }
        *match = OCSP_id_cmp(ids->id[k], theirs) == 0;
        break;
    }
    return ATTEST_OK;
}

static int severity(nv_ocsp_status s)
{
    switch (s) {
    case NV_OCSP_GOOD: return 0;
    case NV_OCSP_UNKNOWN: return 1;
    case NV_OCSP_HOLD: return 2;
    case NV_OCSP_REVOKED: return 3;
    }
    return 3;
}

/* Is `signer` the issuer: the same certificate, or one with the same
 * subject and the same key (a re-issued copy of the CA certificate)? */
static bool is_issuer(X509 *signer, X509 *issuer)
{
    if (X509_cmp(signer, issuer) == 0)
        return true;
    EVP_PKEY *a = X509_get0_pubkey(signer), *b = X509_get0_pubkey(issuer);
    return a && b && X509_NAME_cmp(X509_get_subject_name(signer), X509_get_subject_name(issuer)) == 0 &&
           EVP_PKEY_eq(a, b) == 1;
}

/* A delegated responder (RFC 6960 4.2.2.2): certified by `issuer` (name
 * and signature) and carrying id-kp-OCSPSigning; a keyUsage, when
 * present, must allow digitalSignature. NULL when authorised. */
static const char *delegation_problem(X509 *signer, X509 *issuer)
{
    EVP_PKEY *ikey = X509_get0_pubkey(issuer);
    if (X509_check_issued(issuer, signer) != X509_V_OK || !ikey || X509_verify(signer, ikey) != 1)
        return "is not certified by the issuer";
    uint32_t flags = X509_get_extension_flags(signer);
    if (flags & EXFLAG_INVALID)
        return "has invalid extensions";
    if (!(flags & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN))
        return "lacks the extended key usage id-kp-OCSPSigning";
    if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(signer) & KU_DIGITAL_SIGNATURE))
        return "has a key usage without digitalSignature";
    return NULL;
}

/* What one response establishes about itself, once, however many of its
 * SingleResponses name the certificate: verifying the signature encodes
 * the whole tbsResponseData again, so doing it per SingleResponse would
 * cost the square of the response's length. */
typedef struct response_facts {
    int status;               /* ATTEST_OK: authentic and authorised */
    char detail[320];         /* why not */
    char responder[96];       /* CN of the signer */
    int64_t responder_nb, responder_na;
    nv_ocsp_nonce nonce;
} response_facts;

static int facts_fail(response_facts *f, int status, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Record a failure "OCSP for <label>: <what>" in *slot and detail. */
static int note_failure(int *slot, char *detail, size_t n, int status, const char *label,
                        const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
static int note_failure(int *slot, char *detail, size_t n, int status, const char *label,
                        const char *fmt, va_list ap)
{
    char what[256];
    ERR_clear_error();
    vsnprintf(what, sizeof what, fmt, ap);
    *slot = status;
    snprintf(detail, n, "OCSP for %s: %s", label, what);
    return status;
}

static int facts_fail(response_facts *f, int status, const char *label, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note_failure(&f->status, f->detail, sizeof f->detail, status, label, fmt, ap);
    va_end(ap);
    return status;
}

/* The nonce of `basic` against the request nonce recorded for it (`req`
 * NULL or empty: none). The value of id-pkix-ocsp-nonce is a DER OCTET
 * STRING holding the nonce (RFC 6960 4.4.1, RFC 8954 2.1); the legacy form
 * with the nonce bytes directly in extnValue is not taken as a match: our
 * requests carry the RFC form, which a responder echoes, and one encoding
 * keeps one byte string from matching as two different nonces. A nonce
 * that cannot be read (twice, or not one OCTET STRING) cannot be compared:
 * the response counts as stored. *differs: it can and is not equal. */
static nv_ocsp_nonce response_nonce(OCSP_BASICRESP *basic, const attest_ocsp_nonce *req,
                                    bool *differs)
{
    *differs = false;
    int idx = OCSP_BASICRESP_get_ext_by_NID(basic, NID_id_pkix_OCSP_Nonce, -1);
    if (idx < 0)
        return NV_OCSP_NONCE_ABSENT;
    if (!req || req->len == 0 ||
        OCSP_BASICRESP_get_ext_by_NID(basic, NID_id_pkix_OCSP_Nonce, idx) >= 0)
        return NV_OCSP_NONCE_UNCHECKED;
    const ASN1_OCTET_STRING *value = X509_EXTENSION_get_data(OCSP_BASICRESP_get_ext(basic, idx));
    const unsigned char *start = value ? ASN1_STRING_get0_data(value) : NULL;
    const unsigned char *p = start;
    long len = value ? ASN1_STRING_length(value) : 0;
    ASN1_OCTET_STRING *nonce = start && len > 0 ? d2i_ASN1_OCTET_STRING(NULL, &p, len) : NULL;
    if (!nonce || p != start + len) {
        ASN1_OCTET_STRING_free(nonce);
        ERR_clear_error();
        return NV_OCSP_NONCE_UNCHECKED;
    }
    *differs = (size_t)ASN1_STRING_length(nonce) != req->len ||
               memcmp(ASN1_STRING_get0_data(nonce), req->data, req->len) != 0;
    ASN1_OCTET_STRING_free(nonce);
    return *differs ? NV_OCSP_NONCE_UNCHECKED : NV_OCSP_NONCE_MATCHED;
}

/* Authenticate response `index` (`basic`) once: its signer, signature,
 * authorisation, the signer's validity (kept, judged per instant) and its
 * nonce. A nonce other than the recorded request nonce is
 * ATTEST_E_NV_OCSP. */
static int check_response(response_facts *f, OCSP_BASICRESP *basic, X509 *issuer,
                          const attest_ocsp_nonce *req, size_t index, const char *label)
{
    memset(f, 0, sizeof *f);

    /* Who signed: a certificate the response carries, or the issuer,
     * located by the ResponderID (name or key hash). */
    STACK_OF(X509) *extra = sk_X509_new_null();
    if (!extra || !sk_X509_push(extra, issuer)) {
        sk_X509_free(extra);
        return facts_fail(f, ATTEST_E_NOMEM, label, "out of memory");
    }
    X509 *signer = NULL;
    errno = 0; /* matching by key hash digests each key; by name, encodes it: both allocate */
    int found = OCSP_resp_get0_signer(basic, &signer, extra);
    sk_X509_free(extra);
    if ((found != 1 || !signer) && attest_alloc_failed())
        return facts_fail(f, ATTEST_E_NOMEM, label, "out of memory");
    if (found != 1 || !signer)
        return facts_fail(f, ATTEST_E_COLLATERAL_SIGNATURE, label,
                          "the ResponderID names neither a certificate in the response nor the "
                          "issuer");
    attest_cert_cn(signer, f->responder, sizeof f->responder);

    /* (a) the signature over tbsResponseData with the signer's key */
    errno = 0;
    EVP_PKEY *key = X509_get0_pubkey(signer);
    if (!key || ASN1_item_verify(ASN1_ITEM_rptr(OCSP_RESPDATA), OCSP_resp_get0_tbs_sigalg(basic),
                                 OCSP_resp_get0_signature(basic), OCSP_resp_get0_respdata(basic),
                                 key) != 1)
        return attest_alloc_failed() ? facts_fail(f, ATTEST_E_NOMEM, label, "out of memory")
                                     : facts_fail(f, ATTEST_E_COLLATERAL_SIGNATURE, label,
                          "response signature does not verify with the key of '%s'", f->responder);

    /* (b) the signer is the issuer or a responder the issuer authorised.
     * Both steps first cache each certificate's extensions (X509_cmp,
     * X509_check_issued), which allocates: a failure there marks the
     * signer invalid and then reads as "not certified by the issuer". */
    errno = 0;
    if (!is_issuer(signer, issuer)) {
        const char *why = delegation_problem(signer, issuer);
        if (why && attest_alloc_failed())
            return facts_fail(f, ATTEST_E_NOMEM, label, "out of memory");
        if (why)
            return facts_fail(f, ATTEST_E_COLLATERAL_SIGNATURE, label,
                              "responder '%s' is not authorised: it %s", f->responder, why);
    }
    if (attest_asn1_time_to_unix(X509_get0_notBefore(signer), &f->responder_nb) != 0 ||
        attest_asn1_time_to_unix(X509_get0_notAfter(signer), &f->responder_na) != 0)
        return facts_fail(f, ATTEST_E_MALFORMED, label,
                          "responder '%s' has an undecodable validity", f->responder);

    /* (c) the nonce, against the request it is recorded to answer */
    bool differs = false;
    f->nonce = response_nonce(basic, req, &differs);
    if (differs)
        return facts_fail(f, ATTEST_E_NV_OCSP, label,
                          "the nonce of response %zu differs from the request nonce recorded "
                          "for it", index + 1);
    f->status = ATTEST_OK;
    return ATTEST_OK;
}

/* Outcome of one SingleResponse that matched the certificate. */
typedef struct candidate {
    int status;
    nv_ocsp_result res; /* filled when status is OK or COLLATERAL_EXPIRED */
    char detail[320];
} candidate;

static int cand_fail(candidate *c, int status, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int cand_fail(candidate *c, int status, const char *label, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note_failure(&c->status, c->detail, sizeof c->detail, status, label, fmt, ap);
    va_end(ap);
    return status;
}

/* The end of the currency of a response without nextUpdate. */
static int64_t current_until(int64_t this_update, int64_t max_age)
{
    return this_update > 0 && max_age > INT64_MAX - this_update ? INT64_MAX
                                                                 : this_update + max_age;
}

/* Check one matching SingleResponse of a response whose facts `f` were
 * established. */
static int check_single(candidate *c, const response_facts *f, OCSP_SINGLERESP *single,
                        int64_t now, int64_t max_age, const char *label)
{
    memset(c, 0, sizeof *c);
    nv_ocsp_result *res = &c->res;
    res->reason = -1;
    if (f->status != ATTEST_OK) {
        c->status = f->status;
        snprintf(c->detail, sizeof c->detail, "%s", f->detail);
        return c->status;
    }

    /* the status and the times, kept even when they are out of range so
     * that the caller can judge a stored response at its own time */
    int reason = -1;
    ASN1_GENERALIZEDTIME *revtime = NULL, *thisupd = NULL, *nextupd = NULL;
    int st = OCSP_single_get0_status(single, &reason, &revtime, &thisupd, &nextupd);
    int64_t this_update = 0, next_update = 0, revoked_at = 0;
    if (st < 0 || !thisupd || attest_asn1_time_to_unix(thisupd, &this_update) != 0 ||
        (nextupd && attest_asn1_time_to_unix(nextupd, &next_update) != 0) ||
        (st == V_OCSP_CERTSTATUS_REVOKED &&
         (!revtime || attest_asn1_time_to_unix(revtime, &revoked_at) != 0)))
        return cand_fail(c, ATTEST_E_MALFORMED, label,
                         "response has an undecodable status or time");
    switch (st) {
    case V_OCSP_CERTSTATUS_GOOD:
        res->status = NV_OCSP_GOOD;
        break;
    case V_OCSP_CERTSTATUS_REVOKED:
        res->status = reason == OCSP_REVOKED_STATUS_CERTIFICATEHOLD ? NV_OCSP_HOLD : NV_OCSP_REVOKED;
        res->reason = reason < 0 ? -1 : reason; /* no reason given: -1 */
        res->revoked_at = revoked_at;
        break;
    default:
        res->status = NV_OCSP_UNKNOWN;
        break;
    }
    res->this_update = this_update;
    res->has_next_update = nextupd != NULL;
    res->next_update = nextupd ? next_update : current_until(this_update, max_age);
    res->nonce = f->nonce;
    snprintf(res->responder, sizeof res->responder, "%s", f->responder);

    /* the responder certificate must be valid at `now` */
    int64_t nb = f->responder_nb, na = f->responder_na;
    char t1[32], t2[32], t3[32];
    attest_time_format(t3, sizeof t3, now);
    res->stable_from = nb > this_update ? nb : this_update;
    res->stable_until = na < INT64_MAX && na + 1 < res->next_update ? na + 1 : res->next_update;
    if (now < nb || now > na) {
        attest_time_format(t1, sizeof t1, nb);
        attest_time_format(t2, sizeof t2, na);
        return cand_fail(c, ATTEST_E_COLLATERAL_EXPIRED, label,
                         "responder '%s' is valid %s..%s, not at %s", f->responder, t1, t2, t3);
    }

    /* thisUpdate <= now < nextUpdate (no nextUpdate: thisUpdate + max_age) */
    if (now < this_update || now >= res->next_update) {
        attest_time_format(t1, sizeof t1, this_update);
        if (res->has_next_update) {
            attest_time_format(t2, sizeof t2, res->next_update);
            return cand_fail(c, ATTEST_E_COLLATERAL_EXPIRED, label,
                             "response with thisUpdate %s, nextUpdate %s is not current at %s",
                             t1, t2, t3);
        }
        return cand_fail(c, ATTEST_E_COLLATERAL_EXPIRED, label,
                         "response with thisUpdate %s and no nextUpdate is current for %lld s "
                         "after thisUpdate (nvidia.ocsp_max_age_seconds), not at %s",
                         t1, (long long)max_age, t3);
    }
    c->status = ATTEST_OK;
    return ATTEST_OK;
}

/* Better of two responses valid at the same instant: the newer; at equal
 * thisUpdate the more severe status; then a live one. */
static bool better(const nv_ocsp_result *a, const nv_ocsp_result *b)
{
    if (a->this_update != b->this_update)
        return a->this_update > b->this_update;
    if (severity(a->status) != severity(b->status))
        return severity(a->status) > severity(b->status);
    return a->nonce == NV_OCSP_NONCE_MATCHED && b->nonce != NV_OCSP_NONCE_MATCHED;
}

/* What the responses scanned so far say about the certificate. */
typedef struct search {
    bool has_ok, has_stale, has_failed;
    candidate ok;        /* the best one current now */
    candidate stale;     /* the newest authentic one not current now */
    candidate failed;    /* the first other failure */
    int64_t next_change; /* thisUpdate of a response not yet current */
    size_t unusable, first_unusable;
    const char *unusable_why;
} search;

static void note_unusable(search *s, size_t index, const char *why)
{
    /* cannot be matched to a certificate: it may have been ours */
    if (s->unusable++ == 0) {
        s->first_unusable = index;
        s->unusable_why = why;
    }
}

static int consider(search *s, const candidate *c, int64_t now)
{
    if ((c->status == ATTEST_OK || c->status == ATTEST_E_COLLATERAL_EXPIRED) &&
        c->res.this_update > now && c->res.this_update < s->next_change)
        s->next_change = c->res.this_update;
    if (c->status == ATTEST_OK) {
        if (!s->has_ok || better(&c->res, &s->ok.res)) {
            s->ok = *c;
            s->has_ok = true;
        }
    } else if (c->status == ATTEST_E_COLLATERAL_EXPIRED) {
        if (!s->has_stale || c->res.this_update > s->stale.res.this_update) {
            s->stale = *c;
            s->has_stale = true;
        }
    } else if (c->status == ATTEST_E_NOMEM) {
        return attest_set_error(c->status, "%s", c->detail);
    } else if (!s->has_failed) {
        s->failed = *c;
        s->has_failed = true;
    }
    return ATTEST_OK;
}

/* Every SingleResponse of response `index` about the certificate; the
 * response itself is checked once, at its first such SingleResponse. */
static int scan_response(search *s, const nv_ocsp_input *in, size_t index, certids *ids,
                         int64_t now, const char *label)
{
    OCSP_RESPONSE *resp = in->responses[index];
    int rs = resp ? OCSP_response_status(resp) : -1;
    if (rs != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        note_unusable(s, index, resp ? OCSP_response_status_str(rs) : "NULL");
        return ATTEST_OK;
    }
    errno = 0;
    OCSP_BASICRESP *basic = OCSP_response_get1_basic(resp);
    if (attest_alloc_failed()) { /* basic may hold a certificate without its key */
        OCSP_BASICRESP_free(basic);
        return attest_set_error(ATTEST_E_NOMEM, "OCSP for %s: out of memory", label);
    }
    if (!basic) {
        note_unusable(s, index, "not a BasicOCSPResponse");
        return ATTEST_OK;
    }
    int n = OCSP_resp_count(basic), st = ATTEST_OK;
    if (n > NV_OCSP_MAX_SINGLES)
        st = attest_set_error(ATTEST_E_MALFORMED,
                              "OCSP for %s: response %zu of %zu holds %d SingleResponses, more "
                              "than the %d allowed",
                              label, index + 1, in->count, n, NV_OCSP_MAX_SINGLES);
    const attest_ocsp_nonce *req = in->request_nonces ? &in->request_nonces[index] : NULL;
    response_facts facts;
    bool checked = false;
    for (int k = 0; k < n && st == ATTEST_OK; k++) {
        OCSP_SINGLERESP *single = OCSP_resp_get0(basic, k);
        bool match = false;
        st = certid_matches(ids, single ? OCSP_SINGLERESP_get0_id(single) : NULL, label, &match);
        if (st != ATTEST_OK || !match)
            continue;
        if (!checked) {
            checked = true;
            if (check_response(&facts, basic, ids->issuer, req, index, label) == ATTEST_E_NV_OCSP) {
                st = attest_set_error(ATTEST_E_NV_OCSP, "%s", facts.detail);
                break;
            }
        }
        candidate c;
        check_single(&c, &facts, single, now, in->max_age, label);
        st = consider(s, &c, now);
    }
    OCSP_BASICRESP_free(basic);
    return st;
}

/* The verdict once every response was scanned. */
static int conclude(const search *s, size_t count, const char *label, nv_ocsp_result *out)
{
    if (s->has_ok) {
        *out = s->ok.res;
        if (s->next_change < out->stable_until)
            out->stable_until = s->next_change; /* a newer response takes over then */
        return ATTEST_OK;
    }
    /* No response valid now: an authentic but stale one says the most
     * (the caller may judge it at its own time); else the first failure. */
    if (s->has_stale) {
        *out = s->stale.res;
        return attest_set_error(s->stale.status, "%s", s->stale.detail);
    }
    if (s->has_failed)
        return attest_set_error(s->failed.status, "%s", s->failed.detail);
    if (s->unusable)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "OCSP for %s: no response is about it, and response %zu of %zu "
                                "cannot be matched (%s)",
                                label, s->first_unusable + 1, count, s->unusable_why);
    return attest_set_error(ATTEST_E_COLLATERAL_MISSING,
                            "OCSP for %s: none of the %zu response(s) is about it", label,
                            count);
}

int nv_ocsp_check_input(const nv_ocsp_input *in, X509 *cert, X509 *issuer, int64_t now,
                        nv_ocsp_result *out)
{
    if (!in || !cert || !issuer || !out || (in->count > 0 && !in->responses) || in->max_age < 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "nvidia.ocsp: NULL or negative argument");
    memset(out, 0, sizeof *out);
    out->reason = -1;
    out->status = NV_OCSP_UNKNOWN;
    char label[160];
    cert_label(cert, label, sizeof label);
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(issuer)) != 0)
        return attest_set_error(ATTEST_E_INVALID_ARG,
                                "OCSP for %s: the certificate given as issuer is not its issuer",
                                label);
    search s = {.next_change = INT64_MAX, .unusable_why = ""};
    certids ids = {.cert = cert, .issuer = issuer};
    int st = ATTEST_OK;
    for (size_t i = 0; i < in->count && st == ATTEST_OK; i++)
        st = scan_response(&s, in, i, &ids, now, label);
    certids_free(&ids);
    if (st == ATTEST_OK)
        st = conclude(&s, in->count, label, out);
    return st;
}

int nv_ocsp_check(OCSP_RESPONSE *const *responses, size_t count, X509 *cert, X509 *issuer,
                  int64_t now, nv_ocsp_result *out)
{
    nv_ocsp_input in = {.responses = responses, .count = count};
    return nv_ocsp_check_input(&in, cert, issuer, now, out);
}
