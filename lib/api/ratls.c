/* RA-TLS (docs/ratls.md): the peer's certificate or CSR decoded with
 * OpenSSL, its evidence extension found and parsed (parse/ratls_ext.c),
 * the evidence verified by attest_verify's own pipeline with the binding
 * rule (appraise/ratls_binding.c) judging REPORT_DATA; the same for
 * evidence fetched over a connection; and an OpenSSL SSL_CTX hook. */
#include "api.h"
#include "bundle.h"
#include "pipeline.h"
#include "../appraise/ear.h"
#include "../appraise/ratls_binding.h"
#include "../parse/dcap_quote.h"
#include "../parse/snp_report.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#define RATLS_MAX_EXTS 64

/* The peer as decoded: a certificate or a CSR, and its key as hashed. */
typedef struct peer {
    X509 *cert;
    X509_REQ *req;
    uint8_t *spki;
    int spki_len;
    char *pem;
    size_t pem_len;
} peer;

static void peer_free(peer *p)
{
    X509_free(p->cert);
    X509_REQ_free(p->req);
    OPENSSL_free(p->spki);
    free(p->pem);
}

static bool is_pem(const uint8_t *d, size_t len)
{
    return len > 11 && memcmp(d, "-----BEGIN ", 11) == 0;
}

/* A certificate or CSR, DER or PEM. */
static int peer_decode(peer *p, const uint8_t *d, size_t len)
{
    if (len > LONG_MAX)
        return attest_set_error(ATTEST_E_RATLS_PEER, "ratls.peer: too large");
    if (is_pem(d, len)) {
        BIO *b = BIO_new_mem_buf(d, (int)len);
        if (b && !(p->cert = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
            (void)BIO_reset(b);
            p->req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
        }
        BIO_free(b);
    } else {
        const unsigned char *q = d;
        if (!(p->cert = d2i_X509(NULL, &q, (long)len)) || q != d + len) {
            X509_free(p->cert);
            p->cert = NULL;
            q = d;
            if (!(p->req = d2i_X509_REQ(NULL, &q, (long)len)) || q != d + len) {
                X509_REQ_free(p->req);
                p->req = NULL;
            }
        }
    }
    return p->cert || p->req ? 0
                             : attest_set_error(ATTEST_E_RATLS_PEER, "ratls.peer: neither a "
                                                "certificate nor a CSR (DER or PEM)");
}

/* The key as the rules hash it: DER SPKI and its PEM text. */
static int peer_key(peer *p, EVP_PKEY *key, X509_PUBKEY *pub)
{
    p->spki = NULL;
    p->spki_len = pub ? i2d_X509_PUBKEY(pub, &p->spki) : -1;
    BIO *b = BIO_new(BIO_s_mem());
    char *text = NULL;
    long n = b && key && PEM_write_bio_PUBKEY(b, key) == 1 ? BIO_get_mem_data(b, &text) : 0;
    if (n > 0 && (p->pem = malloc((size_t)n))) {
        memcpy(p->pem, text, (size_t)n);
        p->pem_len = (size_t)n;
    }
    BIO_free(b);
    return p->spki_len > 0 && p->pem ? 0
                                     : attest_set_error(ATTEST_E_RATLS_PEER,
                                                        "ratls.peer.key: cannot encode");
}

/* The self-signature proves possession of the key the evidence binds. */
static int peer_check(peer *p)
{
    EVP_PKEY *key = p->cert ? X509_get0_pubkey(p->cert) : X509_REQ_get0_pubkey(p->req);
    int ok = key && (p->cert ? X509_verify(p->cert, key) : X509_REQ_verify(p->req, key)) == 1;
    if (!ok)
        return attest_set_error(ATTEST_E_RATLS_PEER, "ratls.peer.signature: the %s is not "
                                "signed by its own key", p->cert ? "certificate" : "CSR");
    return peer_key(p, key, p->cert ? X509_get_X509_PUBKEY(p->cert)
                                    : X509_REQ_get_X509_PUBKEY(p->req));
}

/* Its extensions as (OID bytes, value bytes), borrowed from `exts`. */
static size_t peer_exts(const STACK_OF(X509_EXTENSION) *exts, ratls_ext *out)
{
    size_t n = 0;
    for (int i = 0; i < sk_X509_EXTENSION_num(exts) && n < RATLS_MAX_EXTS; i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
        const ASN1_OBJECT *oid = X509_EXTENSION_get_object(e);
        const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(e);
        out[n++] = (ratls_ext){OBJ_get0_data(oid), OBJ_length(oid), ASN1_STRING_get0_data(v),
                               (size_t)ASN1_STRING_length(v)};
    }
    return n;
}

static const uint8_t *cpu_report_data(const attest_evidence *ev)
{
    if (ev->format == ATTEST_FORMAT_BUNDLE)
        ev = ev->bundle->cpu;
    if (!ev)
        return NULL;
    if (ev->format == ATTEST_FORMAT_SNP_REPORT)
        return ev->snp->report_data;
    if (ev->format == ATTEST_FORMAT_DCAP_QUOTE)
        return ev->dcap->body_kind == DCAP_BODY_SGX ? ev->dcap->enclave.reportdata
                                                    : ev->dcap->td.reportdata;
    return NULL;
}

/* What the binding callback judges. */
typedef struct bind_ctx {
    const attest_evidence *ev;
    ratls_peer_key key;
    ratls_bind_in in;
} bind_ctx;

static int bind_check(attest_result *r, void *arg)
{
    bind_ctx *b = arg;
    const uint8_t *rd = cpu_report_data(b->ev);
    unsigned before = r->nonce_bound;
    if (!rd)
        attest_check_fail(r, "ratls.binding", ATTEST_E_POLICY_PLATFORM, "the evidence is no "
                          "SEV-SNP report or DCAP quote (nor a bundle holding one)");
    else
        ratls_check_binding(r, rd, &b->key, &b->in);
    json_t *j = json_pack("{s:s, s:s, s:b}", "rule", ratls_rule_str(b->in.rule), "carrier",
                          b->in.ev ? ratls_carrier_name(b->in.ev->carrier) : "fetched",
                          "fresh", r->nonce_bound > before);
    json_object_set_new(r->claims, "ratls", j);
    return r->status;
}

/* Steward's SNP request carries its VCEK and the KDS CRLs: they join the
 * caller's collateral as files would (pipeline.c), the VCEK judged by the
 * chain to the pinned ARK, each CRL of a chain issuer verified with that
 * issuer's key and valid at the instant (a stale one is refused, as a
 * stale file is: docs/ratls.md). A CRL slot holding anything else is
 * refused, never taken for the other kind. */
static int carried_collateral(attest_collateral *c, const ratls_evidence *found)
{
    int st = attest_collateral_add(c, found->vcek, found->vcek_len);
    if (st == ATTEST_OK && attest_collateral_cert_count(c) != 1)
        return attest_set_error(ATTEST_E_FORMAT_UNKNOWN, "ratls.steward.vcek: not one "
                                "certificate");
    for (size_t i = 0; st == ATTEST_OK && i < found->crl_count; i++) {
        size_t before = attest_collateral_crl_count(c);
        st = attest_collateral_add(c, found->crls[i], found->crl_lens[i]);
        if (st == ATTEST_OK && attest_collateral_crl_count(c) != before + 1)
            st = attest_set_error(ATTEST_E_FORMAT_UNKNOWN, "ratls.steward.crls[%zu]: not a "
                                  "CRL", i);
    }
    return st;
}

/* The evidence of the extension, as evidence, with what it carries. */
static int evidence_of(attest_evidence **ev, const ratls_evidence *found)
{
    int st = attest_evidence_parse(ev, found->evidence, found->evidence_len);
    /* Each carrier holds one kind: an SNP report (Steward SNP) or a DCAP
     * quote, never a bundle, Azure evidence or text the parser decodes. */
    attest_format want = found->carrier == RATLS_CARRIER_STEWARD_SNP ? ATTEST_FORMAT_SNP_REPORT
                                                                     : ATTEST_FORMAT_DCAP_QUOTE;
    if (st == ATTEST_OK && attest_evidence_format(*ev) != want) {
        attest_evidence_free(*ev);
        *ev = NULL;
        return attest_set_error(ATTEST_E_FORMAT_UNKNOWN, "ratls.evidence: the %s extension "
                                "holds no %s", ratls_carrier_name(found->carrier),
                                want == ATTEST_FORMAT_SNP_REPORT ? "SEV-SNP report"
                                                                 : "DCAP quote");
    }
    if (st != ATTEST_OK || !found->vcek)
        return st;
    if ((st = attest_collateral_new(&(*ev)->carried)) == ATTEST_OK)
        st = carried_collateral((*ev)->carried, found);
    return st;
}

static int run(attest_result **out, attest_verifier *v, bind_ctx *b,
               const attest_collateral *coll, const attest_policy *policy, bool to_pipeline)
{
    verify_extra x = {REPORT_DATA_BY_RATLS, to_pipeline, bind_check, b};
    return attest_verify_extra(out, v, b->ev, coll, policy, b->in.nonce, b->in.nonce_len, &x);
}

/* The peer's extensions (a CSR's copied into *req_exts, freed by the
 * caller with sk_X509_EXTENSION_pop_free) and the evidence `rule` takes,
 * parsed with what it carries. `found` points into the extensions. */
static int peer_evidence(attest_evidence **ev, ratls_evidence *found,
                         STACK_OF(X509_EXTENSION) **req_exts, const peer *p, int rule)
{
    *req_exts = p->req ? X509_REQ_get_extensions(p->req) : NULL;
    const STACK_OF(X509_EXTENSION) *exts = p->cert ? X509_get0_extensions(p->cert) : *req_exts;
    ratls_ext list[RATLS_MAX_EXTS];
    int st = sk_X509_EXTENSION_num(exts) > RATLS_MAX_EXTS
                 ? attest_set_error(ATTEST_E_RATLS_PEER, "ratls.peer: more than %d extensions",
                                    RATLS_MAX_EXTS)
                 : ratls_find_evidence(found, list, peer_exts(exts, list),
                                       ratls_rule_carriers(rule));
    return st == ATTEST_OK ? evidence_of(ev, found) : st;
}

static int cert_evidence(attest_result **out, attest_verifier *v, peer *p, int rule,
                         const attest_collateral *coll, const attest_policy *policy,
                         const uint8_t *nonce, size_t nonce_len)
{
    STACK_OF(X509_EXTENSION) *req_exts = NULL;
    ratls_evidence found;
    attest_evidence *ev = NULL;
    int st = peer_evidence(&ev, &found, &req_exts, p, rule);
    if (st == ATTEST_OK) {
        bind_ctx b = {ev, {p->spki, (size_t)p->spki_len, p->pem, p->pem_len},
                      {rule, &found, NULL, 0, nonce_len ? nonce : NULL, nonce_len}};
        st = run(out, v, &b, coll, policy, false);
    }
    attest_evidence_free(ev);
    sk_X509_EXTENSION_pop_free(req_exts, X509_EXTENSION_free);
    return st;
}

int attest_tls_peer_evidence(attest_evidence **out, const uint8_t *cert, size_t len, int rule)
{
    if (out)
        *out = NULL;
    if (!out || !cert || !len || !ratls_rule_carriers(rule))
        return attest_set_error(ATTEST_E_INVALID_ARG, "tls_peer_evidence: NULL argument or "
                                "rule %d not one for certificates", rule);
    peer p = {0};
    STACK_OF(X509_EXTENSION) *req_exts = NULL;
    ratls_evidence found;
    int st = peer_decode(&p, cert, len);
    if (st == ATTEST_OK)
        st = peer_evidence(out, &found, &req_exts, &p, rule);
    if (st != ATTEST_OK) {
        attest_evidence_free(*out);
        *out = NULL;
    }
    sk_X509_EXTENSION_pop_free(req_exts, X509_EXTENSION_free);
    peer_free(&p);
    return st;
}

/* A rejection before the evidence could be verified (peer, extension) is
 * a result too, as attest_verify gives one for any rejection. */
static int early_result(attest_result **out, attest_verifier *v, int st)
{
    if (st == ATTEST_OK || *out || st == ATTEST_E_NOMEM || st == ATTEST_E_INVALID_ARG)
        return st;
    char detail[512];
    snprintf(detail, sizeof detail, "%s", attest_error_last());
    attest_result *r = attest_result_new();
    if (!r || !(r->claims = json_object())) {
        attest_result_free(r);
        return st;
    }
    r->verified_at = attest_verifier_now(v);
    /* The detail names its field ("ratls.tcg.tag: ..."): it is the check. */
    const char *sep = strstr(detail, ": ");
    if (sep && strncmp(detail, "ratls.", 6) == 0) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(sep - detail), detail);
        attest_check_fail(r, name, st, "%s", sep + 2);
    } else {
        attest_check_fail(r, "ratls.evidence", st, "%s", detail);
    }
    ear_finish(r);
    *out = r;
    return attest_set_error(st, "%s", detail);
}

int attest_verify_tls_peer(attest_result **out, attest_verifier *v, const uint8_t *cert,
                           size_t len, int rule, const attest_collateral *coll,
                           const attest_policy *policy, const uint8_t *nonce, size_t nonce_len)
{
    if (out)
        *out = NULL;
    if (!out || !v || !cert || !len || (!nonce && nonce_len) || nonce_len > ATTEST_NONCE_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify_tls_peer: NULL argument or "
                                "nonce over %d bytes", ATTEST_NONCE_MAX);
    if (!ratls_rule_carriers(rule))
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify_tls_peer: rule %d is no rule "
                                "for evidence in a certificate", rule);
    peer p = {0};
    int st = peer_decode(&p, cert, len);
    if (st == ATTEST_OK)
        st = peer_check(&p);
    if (st == ATTEST_OK)
        st = cert_evidence(out, v, &p, rule, coll, policy, nonce, nonce_len);
    peer_free(&p);
    return early_result(out, v, st);
}

/* The live connection's key: a certificate, or a DER SubjectPublicKeyInfo. */
static int fetched_key(peer *p, const uint8_t *d, size_t len)
{
    const unsigned char *q = d;
    if (len > LONG_MAX)
        return attest_set_error(ATTEST_E_RATLS_PEER, "ratls.peer: too large");
    if ((p->cert = d2i_X509(NULL, &q, (long)len)) && q == d + len)
        return peer_key(p, X509_get0_pubkey(p->cert), X509_get_X509_PUBKEY(p->cert));
    X509_free(p->cert);
    p->cert = NULL;
    q = d;
    X509_PUBKEY *pub = d2i_X509_PUBKEY(NULL, &q, (long)len);
    int st = pub && q == d + len ? peer_key(p, X509_PUBKEY_get0(pub), pub)
                                 : attest_set_error(ATTEST_E_RATLS_PEER, "ratls.peer: neither "
                                                    "a certificate nor a SubjectPublicKeyInfo");
    X509_PUBKEY_free(pub);
    return st;
}

int attest_verify_tls_fetched(attest_result **out, attest_verifier *v, const uint8_t *peer_der,
                              size_t peer_len, int rule, const attest_evidence *ev,
                              const uint8_t *bound, size_t bound_len,
                              const attest_collateral *coll, const attest_policy *policy,
                              const uint8_t *nonce, size_t nonce_len)
{
    if (out)
        *out = NULL;
    if (!out || !v || !peer_der || !peer_len || !ev || (!nonce && nonce_len) ||
        (!bound && bound_len) || nonce_len > ATTEST_NONCE_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify_tls_fetched: NULL argument or "
                                "nonce over %d bytes", ATTEST_NONCE_MAX);
    if (!ratls_rule_fetched(rule))
        return attest_set_error(ATTEST_E_INVALID_ARG, "verify_tls_fetched: rule %d is no rule "
                                "for fetched evidence", rule);
    peer p = {0};
    int st = fetched_key(&p, peer_der, peer_len);
    if (st == ATTEST_OK) {
        bind_ctx b = {ev, {p.spki, (size_t)p.spki_len, p.pem, p.pem_len},
                      {rule, NULL, bound, bound_len, nonce_len ? nonce : NULL, nonce_len}};
        st = run(out, v, &b, coll, policy, true);
    }
    peer_free(&p);
    return early_result(out, v, st);
}

int attest_ratls_rule_parse(int *out, const char *name)
{
    for (int rule = ATTEST_RATLS_SPKI_SHA256; out && name && rule <= ATTEST_RATLS_NEARAI; rule++)
        if (strcmp(name, ratls_rule_str(rule)) == 0) {
            *out = rule;
            return ATTEST_OK;
        }
    return attest_set_error(ATTEST_E_INVALID_ARG, "ratls rule \"%s\": one of spki-sha256, "
                            "claims-sha256, csr-spki-sha384, oe-pem-sha256, tinfoil, nearai",
                            name ? name : "(null)");
}

const char *attest_ratls_rule_name(int rule)
{
    return ratls_rule_str(rule);
}

/* ---- OpenSSL hook ------------------------------------------------------ */

struct attest_tls_check {
    attest_verifier *v;
    int rule;
    const attest_collateral *coll;
    const attest_policy *policy;
};

int attest_tls_check_new(attest_tls_check **out, attest_verifier *v, int rule,
                         const attest_collateral *coll, const attest_policy *policy)
{
    if (out)
        *out = NULL;
    if (!out || !v || !ratls_rule_carriers(rule))
        return attest_set_error(ATTEST_E_INVALID_ARG, "tls_check_new: NULL argument or rule %d "
                                "not one for certificates", rule);
    if (!(*out = calloc(1, sizeof **out)))
        return attest_set_error(ATTEST_E_NOMEM, "tls_check_new: out of memory");
    **out = (attest_tls_check){v, rule, coll, policy};
    return ATTEST_OK;
}

void attest_tls_check_free(attest_tls_check *check)
{
    free(check);
}

/* Replaces OpenSSL's chain building: the self-signed leaf is judged by its
 * evidence alone; 0 fails the handshake. */
static int tls_verify_cb(X509_STORE_CTX *xs, void *arg)
{
    const attest_tls_check *t = arg;
    X509 *leaf = X509_STORE_CTX_get0_cert(xs);
    unsigned char *der = NULL;
    int n = leaf ? i2d_X509(leaf, &der) : -1;
    attest_result *r = NULL;
    int st = n > 0 ? attest_verify_tls_peer(&r, t->v, der, (size_t)n, t->rule, t->coll,
                                            t->policy, NULL, 0)
                   : attest_set_error(ATTEST_E_RATLS_PEER, "ratls.peer: no certificate");
    OPENSSL_free(der);
    attest_result_free(r);
    if (st != ATTEST_OK) {
        X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return 1;
}

int attest_ssl_ctx_set_verify(struct ssl_ctx_st *ctx, attest_tls_check *check)
{
    if (!ctx || !check)
        return attest_set_error(ATTEST_E_INVALID_ARG, "ssl_ctx_set_verify: NULL argument");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_verify_callback(ctx, tls_verify_cb, check);
    return ATTEST_OK;
}
