/* RA-TLS with attest-mock's certificates (vectors/gen/ratlsgen.c): the
 * well-formed one is accepted; each broken one fails its own check with
 * its own code (and passes when that check is switched off: verified by
 * hand, see the report). */
#include "ratls_fixture.h"

typedef rf_outcome outcome_t;

static outcome_t verify_mock(const ratlsgen_opts *o, int rule, const char *policy,
                             const uint8_t *nonce, size_t nonce_len)
{
    size_t len;
    uint8_t *cert = rf_cert(o, &len, NULL);
    attest_verifier *v = rf_verifier();
    attest_collateral *c = rf_collateral(o->sgx);
    outcome_t out = rf_verify(cert, len, rule, v, c, policy, nonce, nonce_len);
    attest_collateral_free(c);
    attest_verifier_free(v);
    free(cert);
    return out;
}

static void expect(const ratlsgen_opts *o, int want, const char *check)
{
    outcome_t got = verify_mock(o, ATTEST_RATLS_CLAIMS_SHA256, NULL, NULL, 0);
    cr_expect_eq(got.status, want, "%s, want %s (first failure: %s)",
                 attest_status_name(got.status), attest_status_name(want), got.check);
    cr_expect_str_eq(got.check, check);
}

Test(ratls, mock_accepted)
{
    ratlsgen_opts o = {0};
    expect(&o, ATTEST_OK, "");
    o.sgx = 1;
    expect(&o, ATTEST_OK, "");
}

/* Evidence bound to another key than the certificate's. */
Test(ratls, mock_other_key)
{
    ratlsgen_opts o = {.bind_other_key = 1};
    expect(&o, ATTEST_E_RATLS_KEY_HASH, "ratls.key_hash");
}

/* A claims map without pubkey-hash binds no key (Gramine's bug), though
 * REPORT_DATA is its hash. */
Test(ratls, mock_claims_without_key_hash)
{
    ratlsgen_opts o = {.no_key_hash = 1};
    expect(&o, ATTEST_E_RATLS_NO_KEY_HASH, "ratls.key_hash");
}

Test(ratls, mock_second_extension)
{
    ratlsgen_opts o = {.second_ext = 1};
    expect(&o, ATTEST_E_RATLS_DUPLICATE, "ratls.extension");
}

Test(ratls, mock_unknown_tag)
{
    ratlsgen_opts o = {.tag = 60099};
    expect(&o, ATTEST_E_RATLS_UNKNOWN_TAG, "ratls.tcg.tag");
    o.tag = 60001; /* a local TDX report: known, not verifiable remotely */
    expect(&o, ATTEST_E_UNSUPPORTED_VERSION, "ratls.tcg.tag");
}

Test(ratls, mock_trailing_bytes)
{
    ratlsgen_opts o = {.trailing = 1};
    expect(&o, ATTEST_E_RATLS_TRAILING, "ratls.tcg");
}

/* The rule is the caller's: the claims-bound certificate does not pass
 * the SPKI rule (it has no extension that rule takes). */
Test(ratls, mock_rule_is_named)
{
    ratlsgen_opts o = {0};
    outcome_t got = verify_mock(&o, ATTEST_RATLS_SPKI_SHA256, NULL, NULL, 0);
    cr_expect_eq(got.status, ATTEST_E_RATLS_NO_EVIDENCE, "%s", attest_status_name(got.status));
}

/* A debug TD is accepted only by a policy that allows it. */
Test(ratls, mock_debug_policy)
{
    ratlsgen_opts o = {.debug = 1};
    expect(&o, ATTEST_E_POLICY_DEBUG, "policy.tdx.debug");
    outcome_t got = verify_mock(&o, ATTEST_RATLS_CLAIMS_SHA256, "{\"tdx\":{\"allow_debug\":true}}",
                                NULL, 0);
    cr_expect_eq(got.status, ATTEST_OK, "%s %s", attest_status_name(got.status), got.check);
}

/* A nonce claim is enforced like every nonce: equal passes (fresh), other
 * fails, none given says not fresh; a nonce given to evidence without one
 * is refused. */
Test(ratls, mock_nonce_claim)
{
    const uint8_t n1[16] = {1, 2, 3}, n2[16] = {9};
    ratlsgen_opts o = {.nonce = n1, .nonce_len = sizeof n1};
    cr_expect_eq(verify_mock(&o, ATTEST_RATLS_CLAIMS_SHA256, NULL, n1, sizeof n1).status,
                 ATTEST_OK);
    outcome_t got = verify_mock(&o, ATTEST_RATLS_CLAIMS_SHA256, NULL, n2, sizeof n2);
    cr_expect_eq(got.status, ATTEST_E_RATLS_NONCE);
    cr_expect_str_eq(got.check, "ratls.freshness");
    cr_expect_eq(verify_mock(&o, ATTEST_RATLS_CLAIMS_SHA256, NULL, NULL, 0).status, ATTEST_OK);
    ratlsgen_opts none = {0};
    cr_expect_eq(verify_mock(&none, ATTEST_RATLS_CLAIMS_SHA256, NULL, n1, sizeof n1).status,
                 ATTEST_E_RATLS_NONCE);
}

/* A policy that binds report data to a nonce does not apply to RA-TLS:
 * refused, not ignored. */
Test(ratls, policy_report_data_binding_refused)
{
    ratlsgen_opts o = {0};
    outcome_t got = verify_mock(&o, ATTEST_RATLS_CLAIMS_SHA256,
                                "{\"tdx\":{\"report_data_binding\":\"sha256\"}}", NULL, 0);
    cr_expect_eq(got.status, ATTEST_E_POLICY_REPORT_DATA, "%s", attest_status_name(got.status));
}

Test(ratls, arguments_and_names)
{
    int rule = 0;
    cr_expect_eq(attest_ratls_rule_parse(&rule, "oe-pem-sha256"), ATTEST_OK);
    cr_expect_eq(rule, ATTEST_RATLS_OE_PEM_SHA256);
    cr_expect_eq(attest_ratls_rule_parse(&rule, "guess"), ATTEST_E_INVALID_ARG);
    cr_expect_str_eq(attest_ratls_rule_name(ATTEST_RATLS_NEARAI), "nearai");
    cr_expect_null(attest_ratls_rule_name(99));
    attest_result *r = NULL;
    attest_verifier *v = rf_verifier();
    const uint8_t junk[4] = {0x30, 0x02, 0x05, 0x00};
    cr_expect_eq(attest_verify_tls_peer(&r, v, junk, 4, ATTEST_RATLS_TINFOIL, NULL, NULL, NULL, 0),
                 ATTEST_E_INVALID_ARG, "a fetched-evidence rule for a certificate");
    cr_expect_eq(attest_verify_tls_peer(&r, v, junk, 4, ATTEST_RATLS_CLAIMS_SHA256, NULL, NULL,
                                        NULL, 0),
                 ATTEST_E_RATLS_PEER);
    cr_expect(r && attest_result_status(r) == ATTEST_E_RATLS_PEER);
    attest_result_free(r);
    attest_verifier_free(v);
}
