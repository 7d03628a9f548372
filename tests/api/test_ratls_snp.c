/* RA-TLS over SEV-SNP with attest-mock's Steward-form peers
 * (vectors/gen/ratlsgen.c, ratlsgen_snp): rule csr-spki-sha384, the
 * report of the test PKI's Milan VCEK binding SHA-384 of the peer's key;
 * the VCEK and the ARK's CRL carried in the extension, used as collateral
 * (docs/ratls.md). The well-formed certificate and CSR are accepted with
 * the ASK/ARK chain alone; each broken one fails its own check with its
 * own code. */
#include "ratls_fixture.h"

typedef rf_outcome outcome_t;

/* A mock peer (DER certificate, or CSR with o->csr), malloc'd. */
static uint8_t *snp_peer(const ratlsgen_snp_opts *o, size_t *len)
{
    char dir[512];
    snpgen_pki *pki = NULL;
    cr_assert_eq(snpgen_pki_load(&pki, tu_pki(dir, sizeof dir, "milan")), 0, "%s", dir);
    X509 *cert = NULL;
    X509_REQ *req = NULL;
    EVP_PKEY *key = NULL;
    cr_assert_eq(ratlsgen_snp(&cert, &req, &key, pki, o), 0);
    unsigned char *der = NULL;
    int n = cert ? i2d_X509(cert, &der) : i2d_X509_REQ(req, &der);
    cr_assert(n > 0);
    uint8_t *out = malloc((size_t)n);
    cr_assert(out);
    memcpy(out, der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(der);
    X509_free(cert);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    snpgen_pki_free(pki);
    return out;
}

static attest_verifier *snp_verifier(void)
{
    return rf_pinned_verifier("milan/anchor.sha256", ATTEST_VENDOR_AMD);
}

/* The ASK and ARK only: the VCEK and the CRL come from the peer. */
static attest_collateral *snp_chain(void)
{
    char path[512];
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    tu_add_file(c, tu_pki(path, sizeof path, "milan/chain.pem"));
    return c;
}

static outcome_t verify_snp(const ratlsgen_snp_opts *o, const char *policy, const uint8_t *nonce,
                            size_t nonce_len)
{
    size_t len;
    uint8_t *peer = snp_peer(o, &len);
    attest_verifier *v = snp_verifier();
    attest_collateral *c = snp_chain();
    outcome_t out = rf_verify(peer, len, ATTEST_RATLS_CSR_SPKI_SHA384, v, c, policy, nonce,
                              nonce_len);
    attest_collateral_free(c);
    attest_verifier_free(v);
    free(peer);
    return out;
}

static void expect(const ratlsgen_snp_opts *o, int want, const char *check)
{
    outcome_t got = verify_snp(o, NULL, NULL, 0);
    cr_expect_eq(got.status, want, "%s, want %s (first failure: %s)",
                 attest_status_name(got.status), attest_status_name(want), got.check);
    cr_expect_str_eq(got.check, check);
}

/* Accepted under the strict default policy (CRL required): the CRL it
 * carries is the one used. */
Test(ratls_snp, mock_accepted)
{
    ratlsgen_snp_opts o = {0};
    expect(&o, ATTEST_OK, "");
    o.csr = 1;
    expect(&o, ATTEST_OK, "");
}

Test(ratls_snp, mock_other_key)
{
    ratlsgen_snp_opts o = {.bind_other_key = 1};
    expect(&o, ATTEST_E_RATLS_BINDING, "ratls.binding");
}

Test(ratls_snp, mock_second_extension)
{
    ratlsgen_snp_opts o = {.second_ext = 1};
    expect(&o, ATTEST_E_RATLS_DUPLICATE, "ratls.extension");
}

Test(ratls_snp, mock_trailing_bytes)
{
    ratlsgen_snp_opts o = {.trailing = 2};
    expect(&o, ATTEST_E_RATLS_TRAILING, "ratls.steward.snp");
}

Test(ratls_snp, mock_debug_policy)
{
    ratlsgen_snp_opts o = {.debug = 1};
    expect(&o, ATTEST_E_POLICY_DEBUG, "policy.snp.debug");
    outcome_t got = verify_snp(&o, "{\"snp\":{\"allow_debug\":true}}", NULL, 0);
    cr_expect_eq(got.status, ATTEST_OK, "%s %s", attest_status_name(got.status), got.check);
}

/* No CRL carried and none given: the strict policy's CRL is missing. */
Test(ratls_snp, mock_without_crl)
{
    ratlsgen_snp_opts o = {.no_crl = 1};
    expect(&o, ATTEST_E_CRL_MISSING, "snp.crl");
}

/* A carried CRL is verified against the chain like a file: one naming
 * the ARK but signed by another key is refused, not ignored. */
Test(ratls_snp, mock_forged_crl)
{
    ratlsgen_snp_opts o = {.bad_crl = 1};
    expect(&o, ATTEST_E_CRL_SIGNATURE, "snp.crl");
}

/* SNP evidence carries no nonce: a nonce given is refused. */
Test(ratls_snp, mock_nonce_refused)
{
    const uint8_t n[16] = {1};
    ratlsgen_snp_opts o = {0};
    outcome_t got = verify_snp(&o, NULL, n, sizeof n);
    cr_expect_eq(got.status, ATTEST_E_RATLS_NONCE, "%s", attest_status_name(got.status));
    cr_expect_str_eq(got.check, "ratls.freshness");
}

/* Whether what `o`'s peer still needs, given nothing, includes the CRL. */
static bool needs_crl(const ratlsgen_snp_opts *o)
{
    size_t len;
    uint8_t *peer = snp_peer(o, &len);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_tls_peer_evidence(&ev, peer, len, ATTEST_RATLS_CSR_SPKI_SHA384),
                 ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(attest_evidence_format(ev), ATTEST_FORMAT_SNP_REPORT);
    attest_collateral *none = NULL;
    attest_needs *needs = NULL;
    cr_assert_eq(attest_collateral_new(&none), ATTEST_OK);
    cr_assert_eq(attest_collateral_needs(&needs, ev, none), ATTEST_OK);
    bool crl = false;
    for (size_t i = 0; i < attest_needs_count(needs); i++) {
        crl |= attest_needs_kind(needs, i) == ATTEST_NEED_AMD_CRL;
        cr_expect_neq(attest_needs_kind(needs, i), ATTEST_NEED_AMD_VCEK, "the VCEK is carried");
    }
    attest_needs_free(needs);
    attest_collateral_free(none);
    attest_evidence_free(ev);
    free(peer);
    return crl;
}

/* attest_tls_peer_evidence: the report with its carried VCEK and CRL, so
 * that the needs (what --online fetches) leave them out. */
Test(ratls_snp, peer_evidence_and_needs)
{
    ratlsgen_snp_opts o = {.csr = 1};
    cr_expect(!needs_crl(&o), "the carried CRL is held");
    o.no_crl = 1;
    cr_expect(needs_crl(&o), "without one, the CRL is needed");
    size_t len;
    uint8_t *peer = snp_peer(&o, &len);
    attest_evidence *ev = NULL;
    cr_expect_eq(attest_tls_peer_evidence(&ev, peer, len, ATTEST_RATLS_CLAIMS_SHA256),
                 ATTEST_E_RATLS_NO_EVIDENCE);
    cr_expect_null(ev);
    cr_expect_eq(attest_tls_peer_evidence(&ev, peer, len, ATTEST_RATLS_TINFOIL),
                 ATTEST_E_INVALID_ARG, "a rule for fetched evidence");
    const uint8_t junk[4] = {0x30, 0x02, 0x05, 0x00};
    cr_expect_eq(attest_tls_peer_evidence(&ev, junk, 4, ATTEST_RATLS_CSR_SPKI_SHA384),
                 ATTEST_E_RATLS_PEER);
    free(peer);
}
