/* Intel DCAP evidence verification as Intel QVL defines it (research/tdx.md
 * (b) steps 2-9), tightened where QVL is lax: certificate notBefore and
 * collateral issueDate count too (as collateral validity), the signed JSON
 * is checked over the received bytes, all 64 bytes of the QE REPORTDATA
 * are compared. Time is judged once, as the collateral window, so that
 * expired collateral is reported apart from the TCB status. */
#include "intel.h"
#include "x509_chain.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CN_ROOT "Intel SGX Root CA"
#define CN_PLATFORM_CA "Intel SGX PCK Platform CA"
#define CN_PROCESSOR_CA "Intel SGX PCK Processor CA"
#define CN_PCK "Intel SGX PCK Certificate"
#define CN_TCB_SIGNING "Intel SGX TCB Signing"

/* ---- checks remembered by the verifier's cache -------------------------- */

/* The SHA-256 of a DER SubjectPublicKeyInfo, to key cached signature checks. */
static bool key_digest(X509 *issuer, uint8_t out[32])
{
    return attest_spki_sha256(issuer, out) == 0;
}

/* Whether `crl` is signed by `issuer`, asking the cache first: collateral
 * is reused across many quotes and re-verifying it is most of the cost. */
static bool crl_signed_by(attest_verifier *v, X509_CRL *crl, X509 *issuer)
{
    unsigned char *der = NULL;
    int len = i2d_X509_CRL(crl, &der);
    uint8_t spki[32], k[32];
    attest_bytes parts[] = {{"crl-by", 6}, {der, len > 0 ? (size_t)len : 0}, {spki, 32}};
    bool keyed = len > 0 && key_digest(issuer, spki) && attest_cache_key(k, parts, 3) == 0;
    OPENSSL_free(der);
    if (keyed && attest_cache_seen(v->cache, k))
        return true;
    bool ok = X509_CRL_verify(crl, X509_get0_pubkey(issuer)) == 1;
    ERR_clear_error();
    if (ok && keyed)
        attest_cache_mark(v->cache, k);
    return ok;
}

/* SHA-256 of a certificate's DER (attest_sha256): X509_digest looks the
 * digest up by name, under process-wide read locks. */
static bool cert_sha256(X509 *cert, uint8_t out[32])
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    if (len <= 0)
        return false;
    attest_sha256(out, der, (size_t)len);
    OPENSSL_free(der);
    return true;
}

static bool cert_signed_by(attest_verifier *v, X509 *cert, X509 *issuer)
{
    uint8_t digest[32], spki[32], k[32];
    attest_bytes parts[] = {{"cert-by", 7}, {digest, 32}, {spki, 32}};
    bool keyed = cert_sha256(cert, digest) && key_digest(issuer, spki) &&
                 attest_cache_key(k, parts, 3) == 0;
    if (keyed && attest_cache_seen(v->cache, k))
        return true;
    bool ok = X509_verify(cert, X509_get0_pubkey(issuer)) == 1;
    ERR_clear_error();
    if (ok && keyed)
        attest_cache_mark(v->cache, k);
    return ok;
}

/* ---- collateral window --------------------------------------------------- */

void dcap_window_init(dcap_window *w)
{
    w->not_before = INT64_MIN;
    w->not_after = INT64_MAX;
    w->latest_start[0] = w->earliest_end[0] = '\0';
}

void dcap_window_add(dcap_window *w, int64_t not_before, int64_t not_after, const char *what)
{
    if (not_before > w->not_before) {
        w->not_before = not_before;
        snprintf(w->latest_start, sizeof w->latest_start, "%s", what);
    }
    if (not_after < w->not_after) {
        w->not_after = not_after;
        snprintf(w->earliest_end, sizeof w->earliest_end, "%s", what);
    }
}

static void window_add_cert(dcap_window *w, X509 *cert, const char *role)
{
    int64_t nb, na;
    char what[96], cn[64];
    attest_cert_cn(cert, cn, sizeof cn);
    snprintf(what, sizeof what, "%s certificate '%s'", role, cn);
    if (attest_cert_validity(cert, &nb, &na) == 0)
        dcap_window_add(w, nb, na, what);
    else
        dcap_window_add(w, INT64_MAX, INT64_MIN, what); /* undecodable: never valid */
}

static void window_add_crl(dcap_window *w, X509_CRL *crl, const char *role)
{
    int64_t tu = INT64_MAX, nu = INT64_MIN;
    attest_asn1_time_to_unix(X509_CRL_get0_lastUpdate(crl), &tu);
    if (X509_CRL_get0_nextUpdate(crl))
        attest_asn1_time_to_unix(X509_CRL_get0_nextUpdate(crl), &nu);
    dcap_window_add(w, tu, nu, role);
}

/* ---- PCK chain ------------------------------------------------------------ */

static bool cn_is(X509 *cert, const char *want)
{
    char cn[96];
    attest_cert_cn(cert, cn, sizeof cn);
    return strcmp(cn, want) == 0;
}

static int walk_pck_chain(attest_result *r, attest_verifier *v, const dcap_quote *q,
                          const attest_collateral *coll, int64_t now, STACK_OF(X509) **chain)
{
    const char *name = "dcap.pck_chain";
    /* A certificate the collateral holds in the same bytes (the root of
     * every issuer chain) is that object, not parsed again. */
    STACK_OF(X509) *certs = attest_pem_certs_memo(q->raw + q->pck_chain_off, q->pck_chain_len,
                                                  coll ? &coll->x509_memo : NULL);
    int status;
    /* The root may be left out: the built-in one (certs/) stands in while
     * its key is pinned (attest_x509_verify_pinned). */
    if (!certs) /* attest_pem_certs: out of memory */
        return attest_check_fail(r, name, ATTEST_E_NOMEM, "out of memory");
    if (!certs || sk_X509_num(certs) < 2 || sk_X509_num(certs) > 3) {
        status = attest_check_fail(r, name, ATTEST_E_CERT_PARSE,
                                   "the quote's PCK chain holds %d readable certificates, "
                                   "need 3 (PCK, PCK CA, root) or 2 (the root built in)",
                                   certs ? sk_X509_num(certs) : 0);
        sk_X509_pop_free(certs, X509_free);
        return status;
    }
    status = attest_x509_verify_pinned(r, name, v, ATTEST_VENDOR_INTEL, sk_X509_value(certs, 0),
                                       certs, now, false, chain);
    sk_X509_pop_free(certs, X509_free);
    return status;
}

/* The PCK chain (signatures and pinning; time is judged with the rest of
 * the collateral). A chain verified before is the cache's, borrowed (*held
 * set: release it, do not free the chain), keyed by its exact PEM bytes;
 * otherwise *chain is the caller's. */
static int verify_pck_chain(attest_result *r, attest_verifier *v, const dcap_quote *q,
                            const attest_collateral *coll, int64_t now, STACK_OF(X509) **chain,
                            attest_cache_hold **held, bool *processor_ca, intel_pck_info *pck)
{
    const char *name = "dcap.pck_chain";
    uint8_t k[32];
    attest_bytes parts[] = {{"pck-chain", 9}, {q->raw + q->pck_chain_off, q->pck_chain_len}};
    attest_cached_chain hit = {0};
    bool keyed = attest_cache_key(k, parts, 2) == 0;
    int status = ATTEST_OK;
    *held = NULL;
    if (keyed && attest_cache_borrow(v->cache, k, &hit, held) && hit.chain &&
        hit.extra_len == sizeof *pck) {
        *chain = hit.chain;
        memcpy(pck, hit.extra, sizeof *pck);
    } else {
        attest_cache_release(*held);
        *held = NULL;
        if ((status = walk_pck_chain(r, v, q, coll, now, chain)) != ATTEST_OK)
            return status;
        /* The PCK's SGX extension is decoded once per chain too. */
        if ((status = intel_pck_info_parse(sk_X509_value(*chain, 0), pck)) != ATTEST_OK)
            return attest_check_fail(r, "dcap.pck", status, "%s", attest_error_last());
        if (keyed) {
            attest_cached_chain entry = {.chain = *chain, .extra_len = sizeof *pck};
            _Static_assert(sizeof(intel_pck_info) <= sizeof entry.extra, "cache slot too small");
            memcpy(entry.extra, pck, sizeof *pck);
            attest_cache_put(v->cache, k, &entry);
        }
    }
    X509 *leaf = sk_X509_value(*chain, 0), *ca = sk_X509_value(*chain, 1);
    *processor_ca = sk_X509_num(*chain) == 3 && cn_is(ca, CN_PROCESSOR_CA);
    if (sk_X509_num(*chain) != 3 || !cn_is(leaf, CN_PCK) ||
        !(cn_is(ca, CN_PLATFORM_CA) || *processor_ca) ||
        !cn_is(sk_X509_value(*chain, 2), CN_ROOT))
        return attest_check_fail(r, name, ATTEST_E_CERT_PROFILE,
                                 "chain is not '" CN_PCK "' <- '" CN_PLATFORM_CA "' or '"
                                 CN_PROCESSOR_CA "' <- '" CN_ROOT "'");
    attest_check_pass(r, name, "PCK <- %s <- pinned Intel SGX Root CA",
                      *processor_ca ? "Processor CA" : "Platform CA");
    return ATTEST_OK;
}

/* ---- CRLs ----------------------------------------------------------------- */

/* The CRL of `issuer` among the collateral: signed by it (a CRL naming it
 * but signed by another key is an error, not skipped); of several, the
 * one valid at `now`, else the most recent. */
static int find_crl(attest_result *r, attest_verifier *v, const char *name,
                    const attest_collateral *coll, X509 *issuer, int64_t now, X509_CRL **out)
{
    char cn[64];
    int64_t best_tu = INT64_MIN;
    bool best_current = false;
    attest_cert_cn(issuer, cn, sizeof cn);
    *out = NULL;
    for (int i = 0; coll && i < sk_X509_CRL_num(coll->crls); i++) {
        X509_CRL *crl = sk_X509_CRL_value(coll->crls, i);
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
            continue;
        errno = 0;
        if (!crl_signed_by(v, crl, issuer)) {
            if (attest_alloc_failed())
                return attest_check_fail(r, name, ATTEST_E_NOMEM, "out of memory");
            return attest_check_fail(r, name, ATTEST_E_CRL_SIGNATURE,
                                     "a CRL naming '%s' as issuer is not signed by it", cn);
        }
        int64_t tu = INT64_MIN, nu = INT64_MIN;
        attest_asn1_time_to_unix(X509_CRL_get0_lastUpdate(crl), &tu);
        if (X509_CRL_get0_nextUpdate(crl))
            attest_asn1_time_to_unix(X509_CRL_get0_nextUpdate(crl), &nu);
        bool current = tu <= now && now < nu;
        if (!*out || (current && !best_current) || (current == best_current && tu > best_tu)) {
            *out = crl;
            best_tu = tu;
            best_current = current;
        }
    }
    if (!*out)
        return attest_check_fail(r, name, ATTEST_E_CRL_MISSING,
                                 "no CRL of '%s' in the collateral (Intel PCS "
                                 "/sgx/certification/v4/pckcrl or rootcacrl)", cn);
    return ATTEST_OK;
}

static int check_not_revoked(attest_result *r, const char *name, X509_CRL *crl, X509 *cert)
{
    X509_REVOKED *rev = NULL;
    if (X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(cert)) == 1) {
        char cn[64];
        attest_cert_cn(cert, cn, sizeof cn);
        return attest_check_fail(r, name, ATTEST_E_CERT_REVOKED, "'%s' is revoked", cn);
    }
    return ATTEST_OK;
}

static int check_crls(attest_result *r, attest_verifier *v, const attest_collateral *coll,
                      STACK_OF(X509) *chain, int64_t now, X509_CRL **root_crl, dcap_window *w)
{
    const char *name = "dcap.crl";
    X509 *pck = sk_X509_value(chain, 0), *ca = sk_X509_value(chain, 1),
         *root = sk_X509_value(chain, 2);
    X509_CRL *pck_crl = NULL;
    int status;
    if ((status = find_crl(r, v, name, coll, root, now, root_crl)) != ATTEST_OK ||
        (status = find_crl(r, v, name, coll, ca, now, &pck_crl)) != ATTEST_OK ||
        (status = check_not_revoked(r, name, *root_crl, ca)) != ATTEST_OK ||
        (status = check_not_revoked(r, name, pck_crl, pck)) != ATTEST_OK)
        return status;
    window_add_crl(w, *root_crl, "Root CA CRL");
    window_add_crl(w, pck_crl, "PCK CRL");
    attest_check_pass(r, name, "Root CA CRL and PCK CRL signed by their issuers; PCK "
                               "CA and PCK not revoked");
    return ATTEST_OK;
}

/* ---- TCB signing chain and signed JSON --------------------------------- */

/* The TCB signing certificate among the collateral, issued by `root`. It
 * was re-issued in 2025 with the same serial and key: prefer the one valid
 * at `now`. */
static X509 *find_signing_cert(attest_verifier *v, const attest_collateral *coll, X509 *root,
                               int64_t now)
{
    X509 *best = NULL;
    for (int i = 0; coll && i < sk_X509_num(coll->certs); i++) {
        X509 *c = sk_X509_value(coll->certs, i);
        int64_t nb, na;
        if (!cn_is(c, CN_TCB_SIGNING) ||
            X509_NAME_cmp(X509_get_issuer_name(c), X509_get_subject_name(root)) != 0 ||
            !cert_signed_by(v, c, root))
            continue;
        bool current = attest_cert_validity(c, &nb, &na) == 0 && nb <= now && now < na;
        if (!best || current)
            best = c;
        if (current)
            break;
    }
    return best;
}

/* The signature of a TCB Info or QE Identity body, asking the cache first.
 * ES256 signs SHA-256(body), so the verdict is named by that digest (taken
 * once, when the body was parsed), the signature and the signer's key:
 * the body, often kilobytes, is not hashed again per quote. */
static int verify_signed_json(attest_result *r, attest_verifier *v, const char *name,
                              X509 *signer, const uint8_t *body, size_t len,
                              const uint8_t *body_sha256, const uint8_t sig[64])
{
    uint8_t digest[32], spki[32], k[32];
    if (!body_sha256) { /* a body parsed outside attest_collateral_add */
        attest_sha256(digest, body, len);
        body_sha256 = digest;
    }
    attest_bytes parts[] = {{"dcap-json-sig", 13}, {body_sha256, 32}, {sig, 64}, {spki, 32}};
    bool keyed = body_sha256 && key_digest(signer, spki) && attest_cache_key(k, parts, 4) == 0;
    if (keyed && attest_cache_seen(v->cache, k))
        return ATTEST_OK; /* not marked again: a put per verification */
    int ok = attest_ecdsa_verify_raw(X509_get0_pubkey(signer), attest_md_sha256(), body, len,
                                     sig, 32);
    ERR_clear_error();
    if (ok == 1 && keyed)
        attest_cache_mark(v->cache, k);
    if (ok == -2)
        return attest_check_fail(r, name, ATTEST_E_NOMEM, "out of memory");
    if (ok != 1)
        return attest_check_fail(r, name, ATTEST_E_COLLATERAL_SIGNATURE,
                                 "ECDSA P-256 signature over the %zu received bytes does "
                                 "not verify with the TCB signing key", len);
    return ATTEST_OK;
}

static bool tcb_info_fits(const dcap_tcb_info *t, const dcap_quote *q, const intel_pck_info *p)
{
    dcap_tcb_info_id want = q->tee_type == DCAP_TEE_TDX ? DCAP_TCB_INFO_TDX : DCAP_TCB_INFO_SGX;
    return memcmp(t->fmspc, p->fmspc, 6) == 0 && t->id == want;
}

/* Of several candidates, the one whose window holds `now`, else the one
 * issued last (a directory of archived collateral may hold many). */
static bool better(int64_t issue, int64_t next, int64_t now, int64_t best_issue,
                   int64_t best_next, bool have_best)
{
    bool cur = issue <= now && now < next, best_cur = best_issue <= now && now < best_next;
    if (!have_best || cur != best_cur)
        return !have_best || cur;
    return issue > best_issue;
}

static int select_tcb_info(attest_result *r, const attest_collateral *coll, const dcap_quote *q,
                           const intel_pck_info *p, int64_t now, const dcap_tcb_info **out)
{
    const char *name = "dcap.tcb_info";
    char fmspc[13];
    *out = NULL;
    for (size_t i = 0; coll && i < coll->tcb_info_count; i++) {
        const dcap_tcb_info *t = coll->tcb_infos[i];
        if (tcb_info_fits(t, q, p) &&
            better(t->issue_date, t->next_update, now, *out ? (*out)->issue_date : 0,
                   *out ? (*out)->next_update : 0, *out != NULL))
            *out = t;
    }
    if (*out)
        return ATTEST_OK;
    for (int i = 0; i < 6; i++)
        snprintf(fmspc + 2 * i, 3, "%02X", p->fmspc[i]);
    if (!coll || coll->tcb_info_count == 0)
        return attest_check_fail(r, name, ATTEST_E_COLLATERAL_MISSING,
                                 "no TCB Info in the collateral (Intel PCS "
                                 "/%s/certification/v4/tcb?fmspc=%s)",
                                 q->tee_type == DCAP_TEE_TDX ? "tdx" : "sgx", fmspc);
    return attest_check_fail(r, name, ATTEST_E_COLLATERAL_MISMATCH,
                             "no %s TCB Info for FMSPC %s among the %zu given (PCK FMSPC "
                             "and the quote's TEE must match TCB Info)",
                             q->tee_type == DCAP_TEE_TDX ? "TDX" : "SGX", fmspc,
                             coll->tcb_info_count);
}

static int select_qe_identity(attest_result *r, const attest_collateral *coll,
                              const dcap_quote *q, int64_t now, const dcap_qe_identity **out)
{
    dcap_identity_id want = q->tee_type == DCAP_TEE_TDX ? DCAP_ID_TD_QE : DCAP_ID_QE;
    *out = NULL;
    for (size_t i = 0; coll && i < coll->qe_identity_count; i++) {
        const dcap_qe_identity *e = coll->qe_identities[i];
        if (e->id == want &&
            better(e->issue_date, e->next_update, now, *out ? (*out)->issue_date : 0,
                   *out ? (*out)->next_update : 0, *out != NULL))
            *out = e;
    }
    if (*out)
        return ATTEST_OK;
    if (!coll || coll->qe_identity_count == 0)
        return attest_check_fail(r, "dcap.qe_identity", ATTEST_E_COLLATERAL_MISSING,
                                 "no QE Identity in the collateral (Intel PCS "
                                 "/%s/certification/v4/qe/identity)",
                                 q->tee_type == DCAP_TEE_TDX ? "tdx" : "sgx");
    return attest_check_fail(r, "dcap.qe_identity", ATTEST_E_DCAP_QE_IDENTITY,
                             "no %s identity among the %zu given: a %s quote needs it",
                             want == DCAP_ID_TD_QE ? "TD_QE" : "QE", coll->qe_identity_count,
                             q->tee_type == DCAP_TEE_TDX ? "TDX" : "SGX");
}

static int verify_collateral(attest_result *r, attest_verifier *v, const attest_collateral *coll,
                             const dcap_quote *q, STACK_OF(X509) *chain, X509_CRL *root_crl,
                             int64_t now, dcap_verified *out)
{
    X509 *root = sk_X509_value(chain, 2);
    int status;
    if ((status = select_tcb_info(r, coll, q, &out->pck, now, &out->tcb_info)) != ATTEST_OK ||
        (status = select_qe_identity(r, coll, q, now, &out->qe_identity)) != ATTEST_OK)
        return status;
    errno = 0;
    X509 *signer = find_signing_cert(v, coll, root, now);
    if (!signer && attest_alloc_failed())
        return attest_check_fail(r, "dcap.tcb_signing_chain", ATTEST_E_NOMEM, "out of memory");
    if (!signer)
        return attest_check_fail(r, "dcap.tcb_signing_chain", ATTEST_E_COLLATERAL_MISSING,
                                 "no '" CN_TCB_SIGNING "' certificate issued by the pinned "
                                 "root in the collateral (the TCB-Info-Issuer-Chain)");
    if ((status = check_not_revoked(r, "dcap.tcb_signing_chain", root_crl, signer)) != ATTEST_OK)
        return status;
    attest_check_pass(r, "dcap.tcb_signing_chain", CN_TCB_SIGNING " <- pinned root, not revoked");
    window_add_cert(&out->window, signer, "TCB signing");
    const dcap_tcb_info *t = out->tcb_info;
    const dcap_qe_identity *e = out->qe_identity;
    if ((status = verify_signed_json(r, v, "dcap.tcb_info", signer, t->body, t->body_len,
                                     t->body_sha256_set ? t->body_sha256 : NULL, t->signature)) != ATTEST_OK)
        return status;
    if (memcmp(t->pce_id, out->pck.pce_id, 2) != 0)
        return attest_check_fail(r, "dcap.tcb_info", ATTEST_E_COLLATERAL_MISMATCH,
                                 "TCB Info PCE ID %02x%02x != PCK PCE ID %02x%02x",
                                 t->pce_id[0], t->pce_id[1], out->pck.pce_id[0],
                                 out->pck.pce_id[1]);
    attest_check_pass(r, "dcap.tcb_info", "v%d %s, signature over the received bytes, FMSPC "
                      "and PCE ID match the PCK, evaluation data number %d", t->version,
                      t->id == DCAP_TCB_INFO_TDX ? "TDX" : "SGX", t->tcb_evaluation_data_number);
    if ((status = verify_signed_json(r, v, "dcap.qe_identity", signer, e->body, e->body_len,
                                     e->body_sha256_set ? e->body_sha256 : NULL, e->signature)) != ATTEST_OK)
        return status;
    attest_check_pass(r, "dcap.qe_identity", "%s identity, signature over the received bytes",
                      e->id == DCAP_ID_TD_QE ? "TD_QE" : "QE");
    dcap_window_add(&out->window, t->issue_date, t->next_update, "TCB Info");
    dcap_window_add(&out->window, e->issue_date, e->next_update, "QE Identity");
    return ATTEST_OK;
}

/* ---- QE report and quote ------------------------------------------------ */

static int verify_qe_report(attest_result *r, attest_verifier *v, const dcap_quote *q, X509 *pck)
{
    const uint8_t *qe = q->raw + q->qe_report_off;
    /* The QE report certifies a long-lived attestation key: the same
     * bytes come with every quote of that QE, so the result is cached. */
    int verified = attest_ecdsa_verify_raw_cached(v->cache, X509_get0_pubkey(pck),
                                                  attest_md_sha256(), qe, DCAP_SGX_REPORT_SIZE,
                                                  q->qe_report_sig, 32);
    if (verified == -2)
        return attest_check_fail(r, "dcap.qe_report.signature", ATTEST_E_NOMEM, "out of memory");
    if (verified != 1)
        return attest_check_fail(r, "dcap.qe_report.signature", ATTEST_E_DCAP_QE_REPORT_SIGNATURE,
                                 "ECDSA P-256 signature of the QE report does not verify "
                                 "with the PCK key");
    attest_check_pass(r, "dcap.qe_report.signature", "signed by the PCK key");
    /* REPORTDATA = SHA-256(attestation key || QE authentication data) || 0^32.
     * QVL compares 32 bytes; the upper half is zero by construction and
     * is checked too. */
    uint8_t want[64] = {0};
    errno = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, attest_md_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, q->attest_key, 64) == 1 &&
             EVP_DigestUpdate(ctx, q->raw + q->qe_auth_off, q->qe_auth_len) == 1 &&
             EVP_DigestFinal_ex(ctx, want, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return attest_check_fail(r, "dcap.qe_report.data",
                                 attest_alloc_failed() ? ATTEST_E_NOMEM : ATTEST_E_INTERNAL,
                                 "SHA-256 failed");
    if (memcmp(want, q->qe_report.reportdata, 64) != 0)
        return attest_check_fail(r, "dcap.qe_report.data", ATTEST_E_DCAP_QE_REPORT_DATA,
                                 "QE REPORTDATA is not SHA-256(attestation key || QE "
                                 "authentication data) || 32 zero bytes");
    attest_check_pass(r, "dcap.qe_report.data", "binds the attestation key");
    return ATTEST_OK;
}

static int match_qe_identity(attest_result *r, const dcap_quote *q, const dcap_qe_identity *e)
{
    const dcap_sgx_report *qe = &q->qe_report;
    const char *name = "dcap.qe_identity.match";
    if ((qe->miscselect & e->miscselect_mask) != e->miscselect)
        return attest_check_fail(r, name, ATTEST_E_DCAP_QE_IDENTITY,
                                 "QE MISCSELECT 0x%08x masked with 0x%08x != 0x%08x",
                                 qe->miscselect, e->miscselect_mask, e->miscselect);
    for (int i = 0; i < 16; i++)
        if ((qe->attributes[i] & e->attributes_mask[i]) != e->attributes[i])
            return attest_check_fail(r, name, ATTEST_E_DCAP_QE_IDENTITY,
                                     "QE ATTRIBUTES byte %d differs under the mask", i);
    if (memcmp(qe->mrsigner, e->mrsigner, 32) != 0)
        return attest_check_fail(r, name, ATTEST_E_DCAP_QE_IDENTITY,
                                 "QE MRSIGNER is not Intel's QE signer of the QE Identity");
    if (qe->isvprodid != e->isvprodid)
        return attest_check_fail(r, name, ATTEST_E_DCAP_QE_IDENTITY,
                                 "QE ISVPRODID %u != %u", qe->isvprodid, e->isvprodid);
    attest_check_pass(r, name, "MISCSELECT, ATTRIBUTES (masked), MRSIGNER, ISVPRODID");
    return ATTEST_OK;
}

/* The attestation key object is shared through the verifier's cache by the
 * quotes of a platform (and by threads): building one per quote takes
 * OpenSSL's process-wide write locks. */
static int verify_quote_signature(attest_result *r, attest_verifier *v, const dcap_quote *q)
{
    attest_p256_lease verify;
    errno = 0;
    if (attest_cache_p256_verify_lend(v->cache, q->attest_key, &verify) != 0) {
        if (attest_alloc_failed())
            return attest_check_fail(r, "dcap.quote.signature", ATTEST_E_NOMEM, "out of memory");
        return attest_check_fail(r, "dcap.quote.signature", ATTEST_E_DCAP_QUOTE_SIGNATURE,
                                 "attestation key is not a P-256 point");
    }
    int ok = attest_ecdsa_verify_raw_pctx(verify.ctx, attest_md_sha256(), q->raw,
                                          q->signed_len, q->signature, 32);
    attest_cache_p256_verify_return(v->cache, &verify);
    if (ok == -2)
        return attest_check_fail(r, "dcap.quote.signature", ATTEST_E_NOMEM, "out of memory");
    if (ok != 1)
        return attest_check_fail(r, "dcap.quote.signature", ATTEST_E_DCAP_QUOTE_SIGNATURE,
                                 "ECDSA P-256 signature over bytes 0..%zu does not verify "
                                 "with the attestation key", q->signed_len);
    attest_check_pass(r, "dcap.quote.signature", "attestation key over header and body");
    return ATTEST_OK;
}

/* TDX: MRSIGNERSEAM and SEAM_ATTRIBUTES against tdxModule, or against the
 * module identity TDX_<major> when the module reports a major version. */
static int check_tdx_module(attest_result *r, const dcap_quote *q, const dcap_tcb_info *t)
{
    const char *name = "dcap.tdx_module";
    if (q->tee_type != DCAP_TEE_TDX)
        return ATTEST_OK;
    const uint8_t *mrsigner = t->tdx_module_mrsigner, *attributes = t->tdx_module_attributes;
    uint8_t major = q->td.tee_tcb_svn[1];
    char id[16] = "tdxModule";
    if (!t->has_tdx_module)
        return attest_check_fail(r, name, ATTEST_E_COLLATERAL_MISMATCH,
                                 "TDX TCB Info without tdxModule");
    if (q->version > 3 && major > 0) {
        snprintf(id, sizeof id, "TDX_%02X", major);
        const dcap_tdx_module_identity *m = NULL;
        for (size_t i = 0; i < t->module_identity_count; i++)
            if (strcasecmp(t->module_identities[i].id, id) == 0)
                m = &t->module_identities[i];
        if (!m)
            return attest_check_fail(r, name, ATTEST_E_DCAP_TDX_MODULE,
                                     "TEE_TCB_SVN[1] = %u names module identity %s, absent "
                                     "from TCB Info", major, id);
        mrsigner = m->mrsigner;
        attributes = m->attributes;
    }
    if (memcmp(q->td.mrsignerseam, mrsigner, 48) != 0)
        return attest_check_fail(r, name, ATTEST_E_DCAP_TDX_MODULE,
                                 "MRSIGNERSEAM differs from %s.mrsigner", id);
    /* QVL reads the mask but requires SEAM_ATTRIBUTES to be zero and equal. */
    if (!attest_all_zero(q->td.seam_attributes, 8) || !attest_all_zero(attributes, 8))
        return attest_check_fail(r, name, ATTEST_E_DCAP_TDX_MODULE,
                                 "SEAM_ATTRIBUTES must be zero and equal %s.attributes", id);
    attest_check_pass(r, name, "MRSIGNERSEAM and SEAM_ATTRIBUTES match %s", id);
    return ATTEST_OK;
}

static json_t *window_json(const dcap_window *w)
{
    char a[32], b[32];
    attest_time_format(a, sizeof a, w->not_before);
    attest_time_format(b, sizeof b, w->not_after);
    return json_pack("{s:s, s:s, s:s, s:s}", "valid_from", a, "valid_until", b, "latest_start",
                     w->latest_start, "earliest_end", w->earliest_end);
}

int dcap_verify_evidence(attest_result *r, attest_verifier *v, const dcap_quote *q,
                         const attest_collateral *coll, int64_t now, json_t *claims,
                         dcap_verified *out)
{
    STACK_OF(X509) *chain = NULL;
    attest_cache_hold *cached_chain = NULL; /* set: chain is the cache's */
    X509_CRL *root_crl = NULL;
    int status;
    memset(out, 0, sizeof *out);
    dcap_window_init(&out->window);
    if ((status = verify_pck_chain(r, v, q, coll, now, &chain, &cached_chain,
                                   &out->processor_ca, &out->pck)) != ATTEST_OK)
        goto done;
    for (int i = 0; i < 3; i++)
        window_add_cert(&out->window, sk_X509_value(chain, i), i == 0 ? "PCK" : i == 1 ? "PCK CA" : "root");
    attest_check_pass(r, "dcap.pck", "SGX extension: FMSPC %02X%02X%02X%02X%02X%02X, PCE ID %02X%02X",
                      out->pck.fmspc[0], out->pck.fmspc[1], out->pck.fmspc[2], out->pck.fmspc[3],
                      out->pck.fmspc[4], out->pck.fmspc[5], out->pck.pce_id[0], out->pck.pce_id[1]);
    json_object_set_new(claims, "pck", intel_pck_info_to_json(&out->pck));
    if ((status = check_crls(r, v, coll, chain, now, &root_crl, &out->window)) != ATTEST_OK ||
        (status = verify_collateral(r, v, coll, q, chain, root_crl, now, out)) != ATTEST_OK ||
        (status = verify_qe_report(r, v, q, sk_X509_value(chain, 0))) != ATTEST_OK ||
        (status = match_qe_identity(r, q, out->qe_identity)) != ATTEST_OK ||
        (status = verify_quote_signature(r, v, q)) != ATTEST_OK ||
        (status = check_tdx_module(r, q, out->tcb_info)) != ATTEST_OK)
        goto done;
done:
    if (out->tcb_info)
        json_object_set_new(claims, "tcb_info", dcap_tcb_info_to_json(out->tcb_info));
    if (out->qe_identity)
        json_object_set_new(claims, "qe_identity", dcap_qe_identity_to_json(out->qe_identity));
    json_object_set_new(claims, "collateral_window", window_json(&out->window));
    if (cached_chain)
        attest_cache_release(cached_chain);
    else
        sk_X509_pop_free(chain, X509_free);
    return status;
}
