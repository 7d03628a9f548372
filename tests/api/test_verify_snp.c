/* SEV-SNP verification against the generated test PKI (vectors/gen): one
 * accepted report per product and version, and a negative test per check,
 * each expecting its own error code. */
#include "testutil.h"
#include "snpgen.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>

#define AT_GOOD "2025-06-01T00:00:00Z" /* inside every default window */

typedef struct fixture {
    snpgen_pki *pki;
    uint8_t report[SNPGEN_REPORT_SIZE];
    X509 *certs[8];
    size_t ncerts;
    X509_CRL *crls[4];
    size_t ncrls;
} fixture;

static void fx_load(fixture *f, const char *product, uint32_t version)
{
    char dir[512];
    memset(f, 0, sizeof *f);
    cr_assert_eq(snpgen_pki_load(&f->pki, tu_pki(dir, sizeof dir, product)), 0,
                 "cannot load the test PKI %s", dir);
    cr_assert_eq(snpgen_report_init(f->report, f->pki, version), 0);
    f->certs[f->ncerts++] = f->pki->vcek;
    f->certs[f->ncerts++] = f->pki->ask;
    f->certs[f->ncerts++] = f->pki->ark;
    f->crls[f->ncrls++] = f->pki->crl;
}

static void fx_free(fixture *f)
{
    snpgen_pki_free(f->pki);
}

static void sign_vcek(fixture *f)
{
    cr_assert_eq(snpgen_report_sign(f->report, f->pki->vcek_key), 0);
}

static attest_collateral *fx_collateral(const fixture *f)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    for (size_t i = 0; i < f->ncerts; i++) {
        unsigned char *der = NULL;
        int n = i2d_X509(f->certs[i], &der);
        cr_assert(n > 0);
        cr_assert_eq(attest_collateral_add(c, der, (size_t)n), ATTEST_OK, "%s",
                     attest_error_last());
        OPENSSL_free(der);
    }
    for (size_t i = 0; i < f->ncrls; i++) {
        unsigned char *der = NULL;
        int n = i2d_X509_CRL(f->crls[i], &der);
        cr_assert(n > 0);
        cr_assert_eq(attest_collateral_add(c, der, (size_t)n), ATTEST_OK);
        OPENSSL_free(der);
    }
    return c;
}

static attest_verifier *test_verifier(const snpgen_pki *pki, const char *at)
{
    attest_verifier *v = NULL;
    char hex[65];
    uint8_t pin[32];
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_clear_anchors(v, ATTEST_VENDOR_AMD);
    cr_assert_eq(snpgen_spki_sha256_hex(hex, pki->ark), 0);
    for (int i = 0; i < 32; i++) {
        unsigned b;
        sscanf(hex + 2 * i, "%2x", &b);
        pin[i] = (uint8_t)b;
    }
    attest_verifier_add_anchor(v, ATTEST_VENDOR_AMD, pin);
    attest_verifier_set_time(v, tu_time(at));
    return v;
}

/* Verify the fixture's report with its collateral; `policy` NULL means
 * the strict default policy. */
static int fx_verify_full(const fixture *f, const char *policy, const char *at,
                          const uint8_t *nonce, size_t nonce_len, attest_result **keep)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, f->report, sizeof f->report);
    if (status != ATTEST_OK)
        return status;
    attest_verifier *v = test_verifier(f->pki, at);
    attest_collateral *c = fx_collateral(f);
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    attest_result *r = NULL;
    status = attest_verify(&r, v, ev, c, p, nonce, nonce_len);
    cr_assert(r);
    cr_log_info("%s -> %s", attest_status_name(status), attest_result_reason(r));
    if (keep)
        *keep = r;
    else
        attest_result_free(r);
    attest_policy_free(p);
    attest_collateral_free(c);
    attest_verifier_free(v);
    attest_evidence_free(ev);
    return status;
}

static int fx_verify(const fixture *f, const char *policy)
{
    return fx_verify_full(f, policy, AT_GOOD, NULL, 0, NULL);
}

/* ---- accepted ----------------------------------------------------------- */

Test(snp_synthetic, accepted_every_product_and_version)
{
    static const char *const products[] = {"milan", "genoa", "turin"};
    static const uint32_t versions[] = {2, 3, 5};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            fixture f;
            fx_load(&f, products[i], versions[j]);
            sign_vcek(&f);
            cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "%s v%u", products[i],
                         versions[j]);
            fx_free(&f);
        }
}

Test(snp_synthetic, vlek_accepted_and_signer_policy)
{
    fixture f;
    fx_load(&f, "milan", 3);
    uint32_t ki = snpgen_get_u32(f.report + SNPGEN_OFF_KEY_INFO);
    snpgen_put_u32(f.report + SNPGEN_OFF_KEY_INFO,
                   (ki & ~SNPGEN_KEYINFO_SIGNING_MASK) | SNPGEN_KEYINFO_SIGNING_VLEK);
    cr_assert_eq(snpgen_report_sign(f.report, f.pki->vlek_key), 0);
    f.certs[0] = f.pki->vlek;
    f.certs[1] = f.pki->asvk;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"signer\":\"vcek\"}}"), ATTEST_E_POLICY_SIGNER);
    /* The VLEK is valid for one year (2025). */
    cr_expect_eq(fx_verify_full(&f, NULL, "2026-02-01T00:00:00Z", NULL, 0, NULL),
                 ATTEST_E_CERT_EXPIRED);
    fx_free(&f);
}

Test(snp_synthetic, result_lists_checks_and_claims)
{
    fixture f;
    attest_result *r = NULL;
    fx_load(&f, "turin", 5);
    sign_vcek(&f);
    cr_assert_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, &r), ATTEST_OK);
    cr_expect_eq(attest_result_verdict(r), ATTEST_VERDICT_ACCEPTED);
    cr_expect_str_eq(attest_result_reason(r), "");
    const char *want[] = {"snp.report.signing_key", "snp.vek", "snp.chain",
                          "snp.report.signature", "snp.product", "snp.vek.tcb",
                          "snp.vek.chip_id", "snp.crl", "policy.snp.debug"};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int found = 0;
        for (size_t i = 0; i < attest_result_check_count(r); i++)
            if (!strcmp(attest_result_check_name(r, i), want[w])) {
                found = 1;
                cr_expect_eq(attest_result_check_outcome(r, i), ATTEST_CHECK_PASS, "%s",
                             want[w]);
            }
        cr_expect(found, "check %s not listed", want[w]);
    }
    char *json = NULL;
    cr_assert_eq(attest_result_to_json(&json, r), ATTEST_OK);
    cr_expect(strstr(json, "\"verdict\": \"accepted\""));
    cr_expect(strstr(json, "\"product\": \"Turin\""));
    cr_expect(strstr(json, "\"fmc\": 1"), "Turin TCB decoded with its FMC byte");
    attest_string_free(json);
    attest_result_free(r);
    fx_free(&f);
}

/* ---- report signature --------------------------------------------------- */

static const uint8_t p384_n[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2,
    0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};

Test(snp_synthetic, signature_r_or_s_zero_or_not_below_n)
{
    fixture f;
    uint8_t one[1] = {1}, zero[1] = {0};
    fx_load(&f, "milan", 3);
    struct { const uint8_t *r; size_t rl; const uint8_t *s; size_t sl; } cases[] = {
        {zero, 1, one, 1}, {one, 1, zero, 1}, {p384_n, 48, one, 1}, {one, 1, p384_n, 48},
    };
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(snpgen_report_set_sig_raw(f.report, cases[i].r, cases[i].rl,
                                               cases[i].s, cases[i].sl), 0);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_SIGNATURE_RANGE, "case %zu", i);
    }
    /* In range but wrong. */
    cr_assert_eq(snpgen_report_set_sig_raw(f.report, one, 1, one, 1), 0);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_SIGNATURE);
    fx_free(&f);
}

Test(snp_synthetic, every_signed_byte_range_flipped, .timeout = 300)
{
    fixture f;
    fx_load(&f, "genoa", 5);
    sign_vcek(&f);
    for (size_t off = 0; off < SNPGEN_SIGNED_LEN; off += 4) {
        f.report[off] ^= 0x80;
        int status = fx_verify(&f, NULL);
        cr_expect_neq(status, ATTEST_OK, "flip at 0x%zx accepted", off);
        f.report[off] ^= 0x80;
    }
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK);
    fx_free(&f);
}

Test(snp_synthetic, signature_area_tail_must_be_zero)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    f.report[0x400] = 1;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_SIGNATURE_RANGE);
    fx_free(&f);
}

/* ---- parsing ------------------------------------------------------------ */

Test(snp_synthetic, truncated_long_and_unknown_versions)
{
    fixture f;
    attest_evidence *ev = NULL;
    uint8_t longer[SNPGEN_REPORT_SIZE + 1] = {0};
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    cr_expect_eq(attest_evidence_parse(&ev, f.report, 1000), ATTEST_E_TRUNCATED);
    memcpy(longer, f.report, SNPGEN_REPORT_SIZE);
    cr_expect_eq(attest_evidence_parse(&ev, longer, sizeof longer), ATTEST_E_LENGTH);
    cr_expect_eq(attest_evidence_parse(&ev, f.report, 10), ATTEST_E_FORMAT_UNKNOWN);
    static const uint32_t bad[] = {0, 1, 4, 6, 0xffffffffu};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snpgen_put_u32(f.report + SNPGEN_OFF_VERSION, bad[i]);
        sign_vcek(&f);
        cr_expect_eq(attest_evidence_parse(&ev, f.report, SNPGEN_REPORT_SIZE),
                     ATTEST_E_UNSUPPORTED_VERSION, "version %u", bad[i]);
        cr_expect(strstr(attest_error_last(), "snp.report.version"), "%s",
                  attest_error_last());
    }
    snpgen_put_u32(f.report + SNPGEN_OFF_VERSION, 3);
    snpgen_put_u32(f.report + SNPGEN_OFF_SIGNATURE_ALGO, 2);
    cr_expect_eq(attest_evidence_parse(&ev, f.report, SNPGEN_REPORT_SIZE), ATTEST_E_MALFORMED);
    snpgen_put_u32(f.report + SNPGEN_OFF_SIGNATURE_ALGO, 1);
    snpgen_put_u32(f.report + SNPGEN_OFF_KEY_INFO, 3u << 2);
    cr_expect_eq(attest_evidence_parse(&ev, f.report, SNPGEN_REPORT_SIZE), ATTEST_E_MALFORMED);
    fx_free(&f);
}

Test(snp_synthetic, unsigned_report_rejected)
{
    fixture f;
    fx_load(&f, "milan", 3);
    snpgen_put_u32(f.report + SNPGEN_OFF_KEY_INFO, SNPGEN_KEYINFO_SIGNING_NONE);
    sign_vcek(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_SIGNING_KEY);
    fx_free(&f);
}

/* ---- chain -------------------------------------------------------------- */

static X509 *issue_vcek_variant(const fixture *f, const uint8_t *chip_id, const snpgen_tcb *tcb,
                                int64_t nb, int64_t na, snpgen_sig_alg alg,
                                const snpgen_ext *extra, size_t nextra)
{
    snpgen_vek_ext ext;
    snpgen_cert_opts o;
    X509 *cert = NULL;
    cr_assert_eq(snpgen_vek_ext_init(&ext, f->pki->product, tcb ? tcb : &f->pki->tcb), 0);
    cr_assert_eq(snpgen_vek_ext_set_hwid(&ext, f->pki->product,
                                         chip_id ? chip_id : f->pki->chip_id), 0);
    cr_assert_eq(snpgen_cert_opts_init(&o), 0);
    o.cn = "SEV-VCEK";
    o.subject_key = f->pki->vcek_key; /* same key: only the tampered field differs */
    o.issuer_cert = f->pki->ask;
    o.issuer_key = f->pki->ask_key;
    o.vek = &ext;
    o.sig_alg = alg;
    o.extra = extra;
    o.n_extra = nextra;
    if (nb) o.not_before = nb;
    if (na) o.not_after = na;
    cr_assert_eq(snpgen_cert_issue(&cert, &o), 0);
    return cert;
}

Test(snp_synthetic, vcek_of_another_chip)
{
    fixture f;
    uint8_t other[64];
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    memcpy(other, f.pki->chip_id, 64);
    other[5] ^= 0xff;
    X509 *vcek = issue_vcek_variant(&f, other, NULL, 0, 0, SNPGEN_SIG_DEFAULT, NULL, 0);
    f.certs[0] = vcek;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_CHIP_ID_BINDING);
    /* With MASK_CHIP_KEY the guest withholds CHIP_ID: nothing to bind. */
    uint32_t ki = snpgen_get_u32(f.report + SNPGEN_OFF_KEY_INFO);
    snpgen_put_u32(f.report + SNPGEN_OFF_KEY_INFO, ki | SNPGEN_KEYINFO_MASK_CHIP_KEY);
    memset(f.report + SNPGEN_OFF_CHIP_ID, 0, 64);
    sign_vcek(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK);
    X509_free(vcek);
    fx_free(&f);
}

Test(snp_synthetic, turin_chip_id_binding_uses_8_bytes)
{
    fixture f;
    fx_load(&f, "turin", 5);
    f.report[SNPGEN_OFF_CHIP_ID + 20] = 1; /* beyond the 8-byte Turin hwID */
    sign_vcek(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_CHIP_ID_BINDING);
    fx_free(&f);
}

Test(snp_synthetic, vcek_tcb_extension_disagrees)
{
    static const char *const products[] = {"milan", "turin"};
    for (size_t p = 0; p < 2; p++) {
        fixture f;
        fx_load(&f, products[p], 5);
        sign_vcek(&f);
        for (int component = 0; component < 5; component++) {
            snpgen_tcb t = f.pki->tcb;
            uint8_t *c[] = {&t.bl, &t.tee, &t.snp, &t.ucode, &t.fmc};
            if (component == 4 && f.pki->product != SNPGEN_TURIN)
                continue;
            (*c[component])++;
            X509 *vcek = issue_vcek_variant(&f, NULL, &t, 0, 0, SNPGEN_SIG_DEFAULT, NULL, 0);
            f.certs[0] = vcek;
            cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_TCB_BINDING, "%s component %d",
                         products[p], component);
            X509_free(vcek);
        }
        fx_free(&f);
    }
}

Test(snp_synthetic, ask_not_signed_by_the_ark)
{
    fixture f;
    snpgen_cert_opts o;
    EVP_PKEY *rogue = NULL;
    X509 *ask = NULL;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    cr_assert_eq(snpgen_rsa_keygen(&rogue, 2048), 0);
    snpgen_cert_opts_init(&o);
    o.cn = "SEV-Milan";
    o.subject_key = f.pki->ask_key;
    o.issuer_cert = f.pki->ark; /* names the ARK, signed by another key */
    o.issuer_key = rogue;
    o.basic_constraints = o.is_ca = 1;
    o.pathlen = 0;
    o.key_usage = SNPGEN_KU_KEY_CERT_SIGN | SNPGEN_KU_CRL_SIGN;
    o.not_before = SNPGEN_T_2020_01_01;
    o.not_after = SNPGEN_T_2045_01_01;
    cr_assert_eq(snpgen_cert_issue(&ask, &o), 0);
    f.certs[1] = ask;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_SIGNATURE);
    X509_free(ask);
    EVP_PKEY_free(rogue);
    fx_free(&f);
}

Test(snp_synthetic, chain_to_a_root_that_is_not_pinned)
{
    fixture f, rogue;
    fx_load(&f, "milan", 3);
    fx_load(&rogue, "rogue", 3);
    /* The rogue PKI signs a report for the same chip; only its root is
     * unknown to the verifier (pinned: the fixture's ARK). */
    memcpy(rogue.report, f.report, sizeof f.report);
    cr_assert_eq(snpgen_report_init(rogue.report, rogue.pki, 3), 0);
    cr_assert_eq(snpgen_report_sign(rogue.report, rogue.pki->vcek_key), 0);
    snpgen_pki *own = rogue.pki;
    rogue.pki = f.pki; /* verifier pins f's ARK */
    cr_expect_eq(fx_verify(&rogue, NULL), ATTEST_E_CERT_UNTRUSTED_ROOT);
    rogue.pki = own;
    /* The built-in AMD pins do not accept the test PKI either. */
    attest_verifier *v = NULL;
    attest_evidence *ev = NULL;
    attest_result *r = NULL;
    sign_vcek(&f);
    attest_verifier_new(&v);
    attest_verifier_set_time(v, tu_time(AT_GOOD));
    attest_evidence_parse(&ev, f.report, sizeof f.report);
    attest_collateral *c = fx_collateral(&f);
    cr_expect_eq(attest_verify(&r, v, ev, c, NULL, NULL, 0), ATTEST_E_CERT_UNTRUSTED_ROOT);
    attest_result_free(r);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    attest_verifier_free(v);
    fx_free(&rogue);
    fx_free(&f);
}

Test(snp_synthetic, missing_chain_certificates)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    f.ncerts = 1; /* VCEK only */
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISSING);
    f.ncerts = 0;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISSING);
    fx_free(&f);
}

Test(snp_synthetic, certificate_not_yet_valid_and_expired)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    cr_expect_eq(fx_verify_full(&f, NULL, "2023-12-31T23:59:59Z", NULL, 0, NULL),
                 ATTEST_E_CERT_NOT_YET_VALID);
    cr_expect_eq(fx_verify_full(&f, NULL, "2031-01-01T00:00:01Z", NULL, 0, NULL),
                 ATTEST_E_CERT_EXPIRED);
    /* An expired ASK while the VCEK is valid. */
    X509 *vcek = issue_vcek_variant(&f, NULL, NULL, SNPGEN_T_2020_01_01,
                                    SNPGEN_T_2045_01_01, SNPGEN_SIG_DEFAULT, NULL, 0);
    f.certs[0] = vcek;
    cr_expect_eq(fx_verify_full(&f, "{\"snp\":{\"require_crl\":false}}",
                                "2045-06-01T00:00:00Z", NULL, 0, NULL),
                 ATTEST_E_CERT_EXPIRED);
    X509_free(vcek);
    fx_free(&f);
}

Test(snp_synthetic, vcek_profile_checks)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    X509 *pkcs1 = issue_vcek_variant(&f, NULL, NULL, 0, 0, SNPGEN_SIG_RSA_PKCS1_SHA384, NULL, 0);
    f.certs[0] = pkcs1;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_PROFILE);
    static const uint8_t five[] = {0x02, 0x01, 0x05};
    snpgen_ext unknown = {"1.3.6.1.4.1.3704.1.99", 0, five, sizeof five};
    X509 *odd = issue_vcek_variant(&f, NULL, NULL, 0, 0, SNPGEN_SIG_DEFAULT, &unknown, 1);
    f.certs[0] = odd;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_PARSE);
    X509_free(pkcs1);
    X509_free(odd);
    fx_free(&f);
}

Test(snp_synthetic, product_mismatch)
{
    fixture f;
    fx_load(&f, "milan", 3);
    f.report[SNPGEN_OFF_CPUID_MOD_ID] = 0x11; /* Genoa CPUID, Milan chain */
    sign_vcek(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_PRODUCT);
    fx_free(&f);
}

/* ---- revocation --------------------------------------------------------- */

static X509_CRL *crl_by(const X509 *issuer, EVP_PKEY *key, int64_t tu, int64_t nu,
                        uint64_t serial, size_t n)
{
    X509_CRL *crl = NULL;
    cr_assert_eq(snpgen_crl_create(&crl, issuer, key, tu, nu, &serial, n), 0);
    return crl;
}

Test(snp_synthetic, revoked_vcek_and_ask)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    X509_CRL *ask_revoked = crl_by(f.pki->ark, f.pki->ark_key, SNPGEN_T_2025_01_01,
                                   SNPGEN_T_2030_01_01, SNPGEN_SERIAL_ASK, 1);
    f.crls[0] = ask_revoked;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_REVOKED);
    X509_CRL *vcek_revoked = crl_by(f.pki->ask, f.pki->ask_key, SNPGEN_T_2025_01_01,
                                    SNPGEN_T_2030_01_01, SNPGEN_SERIAL_VEK, 1);
    f.crls[0] = f.pki->crl;
    f.crls[f.ncrls++] = vcek_revoked;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_REVOKED);
    X509_CRL_free(ask_revoked);
    X509_CRL_free(vcek_revoked);
    fx_free(&f);
}

Test(snp_synthetic, crl_signature_window_and_presence)
{
    fixture f;
    EVP_PKEY *rogue = NULL;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    cr_assert_eq(snpgen_rsa_keygen(&rogue, 2048), 0);
    X509_CRL *forged = crl_by(f.pki->ark, rogue, SNPGEN_T_2025_01_01, SNPGEN_T_2030_01_01, 0, 0);
    f.crls[0] = forged;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_SIGNATURE);
    X509_CRL *stale = crl_by(f.pki->ark, f.pki->ark_key, SNPGEN_T_2024_01_01,
                             SNPGEN_T_2025_01_01, 0, 0);
    f.crls[0] = stale;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_EXPIRED);
    f.ncrls = 0;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_MISSING);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"require_crl\":false}}"), ATTEST_OK);
    X509_CRL_free(forged);
    X509_CRL_free(stale);
    EVP_PKEY_free(rogue);
    fx_free(&f);
}

/* ---- policy ------------------------------------------------------------- */

Test(snp_synthetic, tcb_below_each_floor)
{
    static const char *const products[] = {"genoa", "turin"};
    for (size_t p = 0; p < 2; p++) {
        fixture f;
        fx_load(&f, products[p], 5);
        sign_vcek(&f);
        const snpgen_tcb *t = &f.pki->tcb;
        struct { const char *name; int value; } c[] = {
            {"boot_loader", t->bl}, {"tee", t->tee}, {"snp", t->snp},
            {"microcode", t->ucode}, {"fmc", t->fmc}};
        static const char *const fields[] = {"min_tcb", "min_committed_tcb",
                                             "min_current_tcb", "min_launch_tcb"};
        for (size_t fl = 0; fl < 4; fl++)
            for (size_t i = 0; i < 5; i++) {
                if (i == 4 && f.pki->product != SNPGEN_TURIN)
                    continue;
                char policy[256];
                snprintf(policy, sizeof policy, "{\"snp\":{\"%s\":{\"%s\":%d}}}", fields[fl],
                         c[i].name, c[i].value + 1);
                cr_expect_eq(fx_verify(&f, policy), ATTEST_E_POLICY_TCB, "%s %s", products[p], policy);
                snprintf(policy, sizeof policy, "{\"snp\":{\"%s\":{\"%s\":%d}}}", fields[fl],
                         c[i].name, c[i].value);
                cr_expect_eq(fx_verify(&f, policy), ATTEST_OK, "%s %s", products[p], policy);
            }
        fx_free(&f);
    }
}

static void set_policy_bits(fixture *f, uint64_t bits)
{
    snpgen_put_u64(f->report + SNPGEN_OFF_POLICY, bits);
    sign_vcek(f);
}

Test(snp_synthetic, guest_policy_bits)
{
    fixture f;
    fx_load(&f, "milan", 3);
    set_policy_bits(&f, SNPGEN_POLICY_DEFAULT | SNPGEN_POLICY_DEBUG);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_DEBUG);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"allow_debug\":true}}"), ATTEST_OK);
    set_policy_bits(&f, SNPGEN_POLICY_DEFAULT | SNPGEN_POLICY_MIGRATE_MA);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_GUEST_POLICY);
    set_policy_bits(&f, SNPGEN_POLICY_DEFAULT);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"allow_smt\":false}}"), ATTEST_E_POLICY_GUEST_POLICY);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"require_single_socket\":true}}"),
                 ATTEST_E_POLICY_GUEST_POLICY);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"min_abi\":\"0.1\"}}"), ATTEST_E_POLICY_GUEST_POLICY);
    set_policy_bits(&f, SNPGEN_POLICY_DEFAULT | 0x0120); /* ABI 1.32 */
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"min_abi\":\"1.31\"}}"), ATTEST_OK);
    set_policy_bits(&f, SNPGEN_POLICY_SMT); /* reserved bit 17 clear */
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_GUEST_POLICY);
    fx_free(&f);
}

static void hex_of(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

Test(snp_synthetic, measurement_host_data_ids_vmpl)
{
    fixture f;
    char hex[129], policy[512];
    fx_load(&f, "milan", 3);
    memset(f.report + SNPGEN_OFF_MEASUREMENT, 0x5a, 48);
    memset(f.report + SNPGEN_OFF_HOST_DATA, 0x11, 32);
    memset(f.report + SNPGEN_OFF_FAMILY_ID, 0x22, 16);
    memset(f.report + SNPGEN_OFF_IMAGE_ID, 0x33, 16);
    memset(f.report + SNPGEN_OFF_ID_KEY_DIGEST, 0x44, 48);
    sign_vcek(&f);
    hex_of(hex, f.report + SNPGEN_OFF_MEASUREMENT, 48);
    snprintf(policy, sizeof policy, "{\"snp\":{\"measurements\":[\"%0*d\",\"%s\"]}}", 96, 0, hex);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_OK);
    snprintf(policy, sizeof policy, "{\"snp\":{\"measurements\":[\"%0*d\"]}}", 96, 0);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_E_POLICY_MEASUREMENT);
    snprintf(policy, sizeof policy, "{\"snp\":{\"host_data\":\"%0*d\"}}", 64, 0);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_E_POLICY_HOST_DATA);
    snprintf(policy, sizeof policy, "{\"snp\":{\"family_id\":\"%0*d\"}}", 32, 0);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_E_POLICY_ID);
    snprintf(policy, sizeof policy, "{\"snp\":{\"image_id\":\"%0*d\"}}", 32, 0);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_E_POLICY_ID);
    snprintf(policy, sizeof policy, "{\"snp\":{\"id_key_digests\":[\"%0*d\"]}}", 96, 0);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_E_POLICY_ID);
    snprintf(policy, sizeof policy, "{\"snp\":{\"author_key_digests\":[\"%0*d\"]}}", 96, 0);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_E_POLICY_ID);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"min_guest_svn\":1}}"), ATTEST_E_POLICY_FIRMWARE);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"min_firmware\":\"1.56\"}}"), ATTEST_E_POLICY_FIRMWARE);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"min_firmware\":\"1.55.21\"}}"), ATTEST_OK);
    snpgen_put_u32(f.report + SNPGEN_OFF_VMPL, 2);
    sign_vcek(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_VMPL);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"vmpl\":[0,2]}}"), ATTEST_OK);
    fx_free(&f);
}

Test(snp_synthetic, provisional_firmware)
{
    fixture f;
    fx_load(&f, "milan", 3);
    f.report[SNPGEN_OFF_COMMITTED_BUILD] = SNPGEN_FW_BUILD - 1;
    sign_vcek(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_FIRMWARE);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{\"allow_provisional_firmware\":true}}"), ATTEST_OK);
    fx_free(&f);
}

Test(snp_synthetic, report_data_exact_and_nonce_bound)
{
    fixture f;
    const uint8_t nonce[] = "relying-party-challenge-0001";
    uint8_t digest[64];
    char policy[256], hex[129];
    fx_load(&f, "milan", 3);
    EVP_Digest(nonce, sizeof nonce - 1, digest, NULL, EVP_sha512(), NULL);
    memcpy(f.report + SNPGEN_OFF_REPORT_DATA, digest, 64);
    sign_vcek(&f);
    const char *bound = "{\"snp\":{\"report_data_binding\":\"sha512\"}}";
    cr_expect_eq(fx_verify_full(&f, bound, AT_GOOD, nonce, sizeof nonce - 1, NULL), ATTEST_OK);
    cr_expect_eq(fx_verify_full(&f, bound, AT_GOOD, (const uint8_t *)"other", 5, NULL),
                 ATTEST_E_POLICY_REPORT_DATA);
    cr_expect_eq(fx_verify_full(&f, bound, AT_GOOD, NULL, 0, NULL), ATTEST_E_POLICY_REPORT_DATA);
    hex_of(hex, digest, 64);
    snprintf(policy, sizeof policy, "{\"snp\":{\"report_data\":\"%s\"}}", hex);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_OK);
    hex[0] = hex[0] == '0' ? '1' : '0';
    snprintf(policy, sizeof policy, "{\"snp\":{\"report_data\":\"%s\"}}", hex);
    cr_expect_eq(fx_verify(&f, policy), ATTEST_E_POLICY_REPORT_DATA);
    fx_free(&f);
}

/* Issue 8, class 2: a nonce given is verified or the verification fails;
 * it is never only recorded. */
Test(snp_synthetic, nonce_is_bound_or_rejected)
{
    fixture f;
    uint8_t nonce[32];
    for (size_t i = 0; i < sizeof nonce; i++)
        nonce[i] = (uint8_t)(0xa0 + i);
    attest_result *r = NULL;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    /* REPORT_DATA zero: a nonce given under the default policy (binding
     * absent = raw) is not in it. This was accepted with eat_nonce. */
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, nonce, sizeof nonce, &r),
                 ATTEST_E_POLICY_REPORT_DATA);
    cr_expect_str_eq(attest_result_reason(r),
                     "policy.snp.report_data: report data is not the caller's nonce bound raw");
    json_t *doc = tu_result_json(r);
    cr_expect_null(json_object_get(doc, "nonce"), "an unverified nonce is not in the result");
    cr_expect(json_is_false(json_object_get(doc, "fresh")));
    json_decref(doc);
    attest_result_free(r);
    /* "none" with a nonce given: refused, not a silent pass. */
    cr_expect_eq(fx_verify_full(&f, "{\"snp\":{\"report_data_binding\":\"none\"}}", AT_GOOD,
                                nonce, sizeof nonce, NULL),
                 ATTEST_E_POLICY_REPORT_DATA);
    /* A fixed report_data cannot verify a nonce either. */
    char fixed[160];
    snprintf(fixed, sizeof fixed, "{\"snp\":{\"report_data\":\"%0128d\"}}", 0);
    cr_expect_eq(fx_verify(&f, fixed), ATTEST_OK);
    cr_expect_eq(fx_verify_full(&f, fixed, AT_GOOD, nonce, sizeof nonce, NULL),
                 ATTEST_E_POLICY_REPORT_DATA);
    /* No nonce: accepted, but the result says it is not shown fresh. */
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, &r), ATTEST_OK);
    bool said = false;
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), "policy.snp.report_data"))
            said = attest_result_check_outcome(r, i) == ATTEST_CHECK_SKIPPED &&
                   strstr(attest_result_check_detail(r, i), "not shown to be fresh");
    cr_expect(said, "the result says the evidence is not shown fresh");
    doc = tu_result_json(r);
    cr_expect(json_is_false(json_object_get(doc, "fresh")));
    json_decref(doc);
    attest_result_free(r);
    /* The nonce raw in REPORT_DATA (zero padded): bound, fresh, recorded. */
    memcpy(f.report + SNPGEN_OFF_REPORT_DATA, nonce, sizeof nonce);
    sign_vcek(&f);
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, nonce, sizeof nonce, &r), ATTEST_OK);
    doc = tu_result_json(r);
    cr_expect(json_is_true(json_object_get(doc, "fresh")));
    char hex[65];
    hex_of(hex, nonce, sizeof nonce);
    cr_expect_str_eq(json_string_value(json_object_get(doc, "nonce")), hex);
    json_decref(doc);
    attest_result_free(r);
    /* A prefix of the nonce is another nonce. */
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, nonce, 16, NULL), ATTEST_E_POLICY_REPORT_DATA);
    /* Longer than a result keeps: refused as an argument. */
    uint8_t big[ATTEST_NONCE_MAX + 1] = {0};
    attest_evidence *ev = NULL;
    r = NULL;
    attest_verifier *v = test_verifier(f.pki, AT_GOOD);
    cr_assert_eq(attest_evidence_parse(&ev, f.report, sizeof f.report), ATTEST_OK);
    cr_expect_eq(attest_verify(&r, v, ev, NULL, NULL, big, sizeof big), ATTEST_E_INVALID_ARG);
    cr_expect_null(r);
    attest_evidence_free(ev);
    attest_verifier_free(v);
    fx_free(&f);
}

/* Issue 8, class 1: an explicit policy accepts only the platforms it
 * addresses, and its device counts hold for a bare CPU report too. */
Test(snp_synthetic, policy_scope_and_device_counts)
{
    fixture f;
    attest_result *r = NULL;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    static const char *const outside[] = {
        "{\"tdx\":{\"mrtd\":[\"" "000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000" "\"],\"report_data_binding\":\"sha512\"}}",
        "{\"sgx\":{}}", "{\"nvidia\":{\"min_gpus\":8}}", "{}", "{\"version\":1}",
        "{\"composite\":{\"min_gpus\":0}}", "{\"platforms\":[\"tdx\",\"nvidia\"]}",
    };
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        cr_expect_eq(fx_verify_full(&f, outside[i], AT_GOOD, NULL, 0, &r),
                     ATTEST_E_POLICY_PLATFORM, "%s", outside[i]);
        cr_expect(strstr(attest_result_reason(r), "policy.scope: snp evidence"), "%s",
                  attest_result_reason(r));
        attest_result_free(r);
    }
    /* The policy is named in the reason by its description. */
    cr_expect_eq(fx_verify_full(&f, "{\"description\":\"TDX fleet\",\"tdx\":{}}", AT_GOOD,
                                NULL, 0, &r), ATTEST_E_POLICY_PLATFORM);
    cr_expect(strstr(attest_result_reason(r), "'TDX fleet'"), "%s", attest_result_reason(r));
    attest_result_free(r);
    /* Addressed: by a section or by the list. */
    cr_expect_eq(fx_verify(&f, "{\"snp\":{}}"), ATTEST_OK);
    cr_expect_eq(fx_verify(&f, "{\"platforms\":[\"snp\"]}"), ATTEST_OK);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "the default policy covers every platform");
    /* Requirements hold whatever the shape: a bare CPU has no GPU. */
    cr_expect_eq(fx_verify_full(&f, "{\"snp\":{},\"composite\":{\"min_gpus\":2}}", AT_GOOD,
                                NULL, 0, &r), ATTEST_E_COMPOSITE_MISSING);
    cr_expect(strstr(attest_result_reason(r), "composite.devices"), "%s", attest_result_reason(r));
    attest_result_free(r);
    cr_expect_eq(fx_verify_full(&f, "{\"snp\":{},\"nvidia\":{\"min_gpus\":8}}", AT_GOOD,
                                NULL, 0, &r), ATTEST_E_COMPOSITE_MISSING);
    cr_expect(strstr(attest_result_reason(r), "nvidia.devices"), "%s", attest_result_reason(r));
    attest_result_free(r);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{},\"nvidia\":{\"require_ppcie_topology\":true}}"),
                 ATTEST_E_COMPOSITE_MISSING);
    cr_expect_eq(fx_verify(&f, "{\"snp\":{},\"composite\":{\"min_gpus\":0}}"), ATTEST_OK);
    fx_free(&f);
}

Test(snp_synthetic, policy_documents_fail_closed)
{
    static const char *const bad[] = {
        "", "[]", "{\"snp\":{\"alow_debug\":true}}", "{\"tpm\":{}}",
        "{\"snp\":{\"min_tcb\":{\"microcode\":256}}}", "{\"snp\":{\"vmpl\":[4]}}",
        "{\"snp\":{\"measurements\":[\"abc\"]}}", "{\"snp\":{\"allow_debug\":1}}",
        "{\"snp\":{\"report_data_binding\":\"md5\"}}", "{\"version\":2}",
        "{\"snp\":{\"require_crl\":false,\"require_crl\":true}}",
        "{\"platforms\":[]}", "{\"platforms\":\"snp\"}", "{\"platforms\":[\"tpm\"]}",
        "{\"platforms\":[\"snp\",\"snp\"]}", "{\"platforms\":[\"tdx\"],\"snp\":{}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        attest_policy *p = NULL;
        cr_expect_eq(attest_policy_from_json(&p, bad[i], strlen(bad[i])),
                     ATTEST_E_POLICY_INVALID, "%s", bad[i]);
        cr_expect_null(p);
    }
}

/* ---- concurrency and cache --------------------------------------------- */

typedef struct worker {
    attest_verifier *v;
    attest_evidence *ev;
    attest_collateral *c;
    int failures;
} worker;

static void *verify_many(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 40; i++) {
        attest_result *r = NULL;
        if (attest_verify(&r, w->v, w->ev, w->c, NULL, NULL, 0) != ATTEST_OK)
            w->failures++;
        attest_result_free(r);
    }
    return NULL;
}

Test(snp_synthetic, shared_verifier_across_threads)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    attest_verifier *v = test_verifier(f.pki, AT_GOOD);
    attest_collateral *c = fx_collateral(&f);
    attest_evidence *ev = NULL;
    cr_assert_eq(attest_evidence_parse(&ev, f.report, sizeof f.report), ATTEST_OK);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){v, ev, c, 0};
        pthread_create(&t[i], NULL, verify_many, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        cr_expect_eq(w[i].failures, 0);
    }
    cr_expect_eq(attest_verifier_cache_size(v), 1, "one machine, one cached chain");
    attest_evidence_free(ev);
    attest_collateral_free(c);
    attest_verifier_free(v);
    fx_free(&f);
}

Test(snp_synthetic, cached_chain_still_honours_the_instant)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    attest_verifier *v = test_verifier(f.pki, AT_GOOD);
    attest_collateral *c = fx_collateral(&f);
    attest_evidence *ev = NULL;
    attest_result *r = NULL;
    attest_evidence_parse(&ev, f.report, sizeof f.report);
    cr_expect_eq(attest_verify(&r, v, ev, c, NULL, NULL, 0), ATTEST_OK);
    attest_result_free(r);
    attest_verifier_set_time(v, tu_time("2031-06-01T00:00:00Z"));
    cr_expect_eq(attest_verify(&r, v, ev, c, NULL, NULL, 0), ATTEST_E_CERT_EXPIRED);
    attest_result_free(r);
    attest_evidence_free(ev);
    attest_collateral_free(c);
    attest_verifier_free(v);
    fx_free(&f);
}

/* ---- certificate roles and profile ------------------------------------- */

/* A VEK-shaped certificate with every knob open: tests change one thing. */
typedef struct vek_spec {
    const char *cn;
    const char *product_name; /* NULL: the product's own */
    EVP_PKEY *key;            /* NULL: the PKI's VCEK key */
    X509 *issuer;             /* NULL: the ASK */
    EVP_PKEY *issuer_key;
    bool vlek_hwid;           /* put a hwID into a VLEK */
    const snpgen_ext *extra;
    size_t nextra;
} vek_spec;

static X509 *issue_vek(const fixture *f, const vek_spec *s)
{
    snpgen_vek_ext ext;
    snpgen_cert_opts o;
    X509 *cert = NULL;
    cr_assert_eq(snpgen_vek_ext_init(&ext, f->pki->product, &f->pki->tcb), 0);
    bool vlek = !strcmp(s->cn, "SEV-VLEK");
    if (!vlek || s->vlek_hwid)
        cr_assert_eq(snpgen_vek_ext_set_hwid(&ext, f->pki->product, f->pki->chip_id), 0);
    if (vlek)
        ext.csp_id = "CN=cc-test-1.example";
    if (s->product_name)
        ext.product_name = s->product_name;
    snpgen_cert_opts_init(&o);
    o.cn = s->cn;
    o.subject_key = s->key ? s->key : (vlek ? f->pki->vlek_key : f->pki->vcek_key);
    o.issuer_cert = s->issuer ? s->issuer : (vlek ? f->pki->asvk : f->pki->ask);
    o.issuer_key = s->issuer_key ? s->issuer_key : (vlek ? f->pki->asvk_key : f->pki->ask_key);
    o.vek = &ext;
    o.extra = s->extra;
    o.n_extra = s->nextra;
    if (vlek) {
        o.not_before = SNPGEN_T_2025_01_01;
        o.not_after = SNPGEN_T_2026_01_01;
    }
    cr_assert_eq(snpgen_cert_issue(&cert, &o), 0);
    return cert;
}

static X509 *issue_ca(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
    snpgen_cert_opts o;
    X509 *cert = NULL;
    snpgen_cert_opts_init(&o);
    o.cn = cn;
    o.subject_key = key;
    o.issuer_cert = issuer;
    o.issuer_key = issuer_key;
    o.basic_constraints = o.is_ca = 1;
    o.pathlen = issuer ? 0 : -1;
    o.key_usage = SNPGEN_KU_KEY_CERT_SIGN | SNPGEN_KU_CRL_SIGN;
    o.key_usage_critical = 1;
    o.serial = 7;
    o.not_before = SNPGEN_T_2020_01_01;
    o.not_after = SNPGEN_T_2045_01_01;
    cr_assert_eq(snpgen_cert_issue(&cert, &o), 0);
    return cert;
}

/* Pitfall: a root whose key is pinned but that is not self-signed with it
 * (an attacker re-wraps the pinned key) must not anchor the chain. */
Test(snp_synthetic, pinned_key_without_valid_self_signature)
{
    fixture f;
    EVP_PKEY *rogue = NULL;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    cr_assert_eq(snpgen_rsa_keygen(&rogue, 2048), 0);
    X509 *fake_ark = issue_ca("ARK-Milan", f.pki->ark_key, NULL, rogue);
    f.certs[2] = fake_ark;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_SIGNATURE);
    X509_free(fake_ark);
    EVP_PKEY_free(rogue);
    fx_free(&f);
}

Test(snp_synthetic, intermediate_of_the_wrong_role)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    /* A VCEK issued by the ASVK (the VLEK intermediate). */
    vek_spec s = {.cn = "SEV-VCEK", .issuer = f.pki->asvk, .issuer_key = f.pki->asvk_key};
    X509 *vcek = issue_vek(&f, &s);
    f.certs[0] = vcek;
    f.certs[1] = f.pki->asvk;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_PROFILE);
    X509_free(vcek);
    fx_free(&f);
}

Test(snp_synthetic, vek_key_must_be_p384)
{
    fixture f;
    EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    cr_assert(p256);
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    vek_spec s = {.cn = "SEV-VCEK", .key = p256};
    X509 *vcek = issue_vek(&f, &s);
    f.certs[0] = vcek;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_PROFILE);
    X509_free(vcek);
    EVP_PKEY_free(p256);
    fx_free(&f);
}

Test(snp_synthetic, product_name_of_another_product)
{
    fixture f;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    vek_spec s = {.cn = "SEV-VCEK", .product_name = "Genoa"};
    X509 *vcek = issue_vek(&f, &s);
    f.certs[0] = vcek;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_SNP_PRODUCT);
    X509_free(vcek);
    fx_free(&f);
}

Test(snp_synthetic, vlek_must_not_carry_a_hwid)
{
    fixture f;
    fx_load(&f, "milan", 3);
    uint32_t ki = snpgen_get_u32(f.report + SNPGEN_OFF_KEY_INFO);
    snpgen_put_u32(f.report + SNPGEN_OFF_KEY_INFO,
                   (ki & ~SNPGEN_KEYINFO_SIGNING_MASK) | SNPGEN_KEYINFO_SIGNING_VLEK);
    cr_assert_eq(snpgen_report_sign(f.report, f.pki->vlek_key), 0);
    vek_spec s = {.cn = "SEV-VLEK", .vlek_hwid = true};
    X509 *vlek = issue_vek(&f, &s);
    f.certs[0] = vlek;
    f.certs[1] = f.pki->asvk;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_PROFILE);
    /* A VLEK-signed report verified with a VCEK of the same key: the
     * SIGNING_KEY field names the VLEK, none is given. */
    f.certs[0] = f.pki->vcek;
    f.certs[1] = f.pki->ask;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISSING);
    X509_free(vlek);
    fx_free(&f);
}

Test(snp_synthetic, unknown_critical_extension)
{
    fixture f;
    static const uint8_t null_value[] = {0x05, 0x00};
    snpgen_ext critical = {"1.3.6.1.4.1.99999.1", 1, null_value, sizeof null_value};
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    vek_spec s = {.cn = "SEV-VCEK", .extra = &critical, .nextra = 1};
    X509 *vcek = issue_vek(&f, &s);
    f.certs[0] = vcek;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_PROFILE);
    X509_free(vcek);
    fx_free(&f);
}

Test(snp_synthetic, crl_from_an_issuer_without_crl_sign)
{
    fixture f;
    EVP_PKEY *k = NULL;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    cr_assert_eq(snpgen_rsa_keygen(&k, 2048), 0);
    /* An ASK that may sign certificates only, and a CRL it signed. */
    snpgen_cert_opts o;
    X509 *ask = NULL;
    snpgen_cert_opts_init(&o);
    o.cn = "SEV-Milan";
    o.subject_key = f.pki->ask_key;
    o.issuer_cert = f.pki->ark;
    o.issuer_key = f.pki->ark_key;
    o.basic_constraints = o.is_ca = 1;
    o.pathlen = 0;
    o.key_usage = SNPGEN_KU_KEY_CERT_SIGN;
    o.key_usage_critical = 1;
    o.serial = SNPGEN_SERIAL_ASK;
    o.not_before = SNPGEN_T_2020_01_01;
    o.not_after = SNPGEN_T_2045_01_01;
    cr_assert_eq(snpgen_cert_issue(&ask, &o), 0);
    f.certs[1] = ask;
    X509_CRL *crl = crl_by(ask, f.pki->ask_key, SNPGEN_T_2025_01_01, SNPGEN_T_2030_01_01, 99, 1);
    f.crls[f.ncrls++] = crl;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_SIGNATURE);
    X509_CRL_free(crl);
    X509_free(ask);
    EVP_PKEY_free(k);
    fx_free(&f);
}

Test(snp_synthetic, msg_report_rsp_container)
{
    fixture f;
    uint8_t rsp[4000] = {0};
    attest_evidence *ev = NULL;
    fx_load(&f, "milan", 3);
    sign_vcek(&f);
    snpgen_put_u32(rsp + 4, SNPGEN_REPORT_SIZE);
    memcpy(rsp + 0x20, f.report, SNPGEN_REPORT_SIZE);
    cr_expect_eq(attest_evidence_parse(&ev, rsp, sizeof rsp), ATTEST_OK);
    attest_evidence_free(ev);
    rsp[3000] = 1; /* padding after the report must be zero */
    cr_expect_eq(attest_evidence_parse(&ev, rsp, sizeof rsp), ATTEST_E_LENGTH);
    rsp[3000] = 0;
    rsp[0x10] = 1; /* reserved header bytes */
    cr_expect_eq(attest_evidence_parse(&ev, rsp, sizeof rsp), ATTEST_E_MALFORMED);
    cr_expect_eq(attest_evidence_parse(&ev, rsp, 0x20 + 100), ATTEST_E_TRUNCATED);
    fx_free(&f);
}
