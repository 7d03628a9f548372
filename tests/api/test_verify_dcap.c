/* Intel DCAP verification against the generated test PKI (vectors/gen/
 * dcapgen.h): accepted quotes of every version and body type, every TCB
 * status QVL can compute, and a negative test per check, each expecting its
 * own error code. Verification instant: 2025-06-15T00:00:00Z, inside every
 * default window of the generator. */
#include "testutil.h"
#include "dcapgen.h"

#include <jansson.h>
#include <openssl/evp.h>

#define AT_GOOD DCAPGEN_T_2025_06_15

#define ALL_STATUSES                                                              \
    "[\"UpToDate\",\"SWHardeningNeeded\",\"ConfigurationNeeded\","                 \
    "\"ConfigurationAndSWHardeningNeeded\",\"OutOfDate\","                          \
    "\"OutOfDateConfigurationNeeded\",\"Revoked\"]"
#define POLICY_ALL                                                                \
    "{\"tdx\":{\"accepted_tcb_statuses\":" ALL_STATUSES "},"                       \
    "\"sgx\":{\"accepted_tcb_statuses\":" ALL_STATUSES "}}"

/* Indexes of the default collateral items in fixture.certs / .crls. */
enum { CERT_SIGNING = 0, CERT_ROOT = 1, CRL_ROOT = 0, CRL_PCK = 1 };

typedef struct fixture {
    dcapgen_pki *pki;
    dcapgen_quote_desc d;  /* edited by tests, then fx_build */
    uint8_t anchor[32];    /* anchor.sha256 of the PKI directory */
    uint8_t *quote;        /* NULL until built */
    size_t quote_len;
    dcapgen_quote_layout lay;
    /* Collateral; NULL entries are left out. */
    const char *tcb_info, *qe_identity, *extra_doc;
    const X509 *certs[6];
    size_t ncerts;
    const X509_CRL *crls[6];
    size_t ncrls;
    /* Objects a test made, released by fx_free. */
    char *mem[16];
    size_t nmem;
    X509 *x509[8];
    size_t nx509;
    X509_CRL *xcrl[8];
    size_t nxcrl;
    EVP_PKEY *keys[8];
    size_t nkeys;
} fixture;

/* The TCB claims of a result (empty strings when absent). */
typedef struct tcb_claims {
    char status[64], platform[64], qe[64], module[64], advisories[256];
} tcb_claims;

/* ---- fixture ------------------------------------------------------------ */

static void read_anchor(uint8_t out[32], const char *dir)
{
    char path[600];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/anchor.sha256", dir);
    uint8_t *hex = tu_read(path, &len);
    cr_assert(hex && len >= 64, "cannot read %s", path);
    for (int i = 0; i < 32; i++) {
        unsigned b;
        char two[3] = {(char)hex[2 * i], (char)hex[2 * i + 1], 0};
        cr_assert_eq(sscanf(two, "%2x", &b), 1);
        out[i] = (uint8_t)b;
    }
    free(hex);
}

/* Load build/testpki/<dir> ("intel": Platform-CA PCK, "intel-processor":
 * Processor-CA PCK) and describe its default quote and collateral. */
static void fx_load(fixture *f, const char *dir, int tdx, uint16_t version, uint16_t body_type)
{
    char path[512];
    memset(f, 0, sizeof *f);
    tu_pki(path, sizeof path, dir);
    cr_assert_eq(dcapgen_pki_load(&f->pki, path), 0, "cannot load the test PKI %s", path);
    read_anchor(f->anchor, path);
    cr_assert_eq(dcapgen_quote_desc_init(&f->d, f->pki, tdx, version, body_type), 0,
                 "tdx %d v%u body type %u", tdx, version, body_type);
    f->tcb_info = tdx ? f->pki->tcb_info_tdx : f->pki->tcb_info_sgx;
    f->qe_identity = tdx ? f->pki->qe_identity_td : f->pki->qe_identity_sgx;
    f->certs[CERT_SIGNING] = f->pki->tcb_signing;
    f->certs[CERT_ROOT] = f->pki->root;
    f->ncerts = 2;
    f->crls[CRL_ROOT] = f->pki->root_crl;
    f->crls[CRL_PCK] = f->pki->pck_crl;
    f->ncrls = 2;
}

static void fx_free(fixture *f)
{
    for (size_t i = 0; i < f->nmem; i++)
        free(f->mem[i]);
    for (size_t i = 0; i < f->nx509; i++)
        X509_free(f->x509[i]);
    for (size_t i = 0; i < f->nxcrl; i++)
        X509_CRL_free(f->xcrl[i]);
    for (size_t i = 0; i < f->nkeys; i++)
        EVP_PKEY_free(f->keys[i]);
    free(f->quote);
    dcapgen_pki_free(f->pki);
}

static char *own_str(fixture *f, char *s)
{
    cr_assert(s);
    cr_assert(f->nmem < sizeof f->mem / sizeof f->mem[0]);
    return f->mem[f->nmem++] = s;
}

static X509 *own_cert(fixture *f, X509 *x)
{
    cr_assert(x);
    cr_assert(f->nx509 < sizeof f->x509 / sizeof f->x509[0]);
    return f->x509[f->nx509++] = x;
}

static X509_CRL *own_crl(fixture *f, X509_CRL *c)
{
    cr_assert(c);
    cr_assert(f->nxcrl < sizeof f->xcrl / sizeof f->xcrl[0]);
    return f->xcrl[f->nxcrl++] = c;
}

static EVP_PKEY *new_key(fixture *f)
{
    EVP_PKEY *k = NULL;
    cr_assert_eq(dcapgen_p256_keygen(&k), 0);
    cr_assert(f->nkeys < sizeof f->keys / sizeof f->keys[0]);
    return f->keys[f->nkeys++] = k;
}

static int fx_tdx(const fixture *f)
{
    return f->d.tee_type == DCAPGEN_TEE_TDX;
}

/* (Re)assemble and sign the quote from f->d. */
static void fx_build(fixture *f)
{
    free(f->quote);
    f->quote = NULL;
    cr_assert_eq(dcapgen_quote_build(&f->quote, &f->quote_len, &f->lay, &f->d), 0);
}

static attest_collateral *fx_collateral(const fixture *f)
{
    attest_collateral *c = NULL;
    cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
    const char *docs[3] = {f->tcb_info, f->qe_identity, f->extra_doc};
    for (int i = 0; i < 3; i++)
        if (docs[i])
            cr_assert_eq(attest_collateral_add(c, (const uint8_t *)docs[i], strlen(docs[i])),
                         ATTEST_OK, "%s", attest_error_last());
    for (size_t i = 0; i < f->ncerts; i++) {
        if (!f->certs[i])
            continue;
        unsigned char *der = NULL;
        int n = i2d_X509(f->certs[i], &der);
        cr_assert(n > 0);
        cr_assert_eq(attest_collateral_add(c, der, (size_t)n), ATTEST_OK, "%s",
                     attest_error_last());
        OPENSSL_free(der);
    }
    for (size_t i = 0; i < f->ncrls; i++) {
        if (!f->crls[i])
            continue;
        unsigned char *der = NULL;
        int n = i2d_X509_CRL(f->crls[i], &der);
        cr_assert(n > 0);
        cr_assert_eq(attest_collateral_add(c, der, (size_t)n), ATTEST_OK, "%s",
                     attest_error_last());
        OPENSSL_free(der);
    }
    return c;
}

/* A verifier that trusts only the fixture's test root (pinned = 0: the
 * built-in Intel anchors). */
static attest_verifier *fx_verifier(const fixture *f, int pinned, int64_t at)
{
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    if (pinned) {
        cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_INTEL), ATTEST_OK);
        cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_INTEL, f->anchor), ATTEST_OK);
    }
    cr_assert_eq(attest_verifier_set_time(v, at), ATTEST_OK);
    return v;
}

/* Verify the fixture's quote (built first if needed) with its collateral
 * and verifier v; `policy` NULL means the strict default policy. */
static int fx_verify_with(fixture *f, attest_verifier *v, const char *policy,
                          const uint8_t *nonce, size_t nonce_len, attest_result **keep)
{
    if (!f->quote)
        fx_build(f);
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, f->quote, f->quote_len);
    if (status != ATTEST_OK) {
        cr_log_info("parse: %s -> %s", attest_status_name(status), attest_error_last());
        return status;
    }
    cr_assert_eq(attest_evidence_format(ev), ATTEST_FORMAT_DCAP_QUOTE);
    attest_collateral *c = fx_collateral(f);
    attest_policy *p = policy ? tu_policy(policy) : NULL;
    attest_result *r = NULL;
    status = attest_verify(&r, v, ev, c, p, nonce, nonce_len);
    cr_assert(r);
    cr_assert_eq(attest_result_status(r), status);
    cr_log_info("%s -> %s", attest_status_name(status), attest_result_reason(r));
    if (keep)
        *keep = r;
    else
        attest_result_free(r);
    attest_policy_free(p);
    attest_collateral_free(c);
    attest_evidence_free(ev);
    return status;
}

/* The same with a fresh verifier (pinned: the test root only; 0: the
 * built-in Intel anchors) set to `at`. */
static int fx_verify_full(fixture *f, const char *policy, int64_t at, const uint8_t *nonce,
                          size_t nonce_len, int pinned, attest_result **keep)
{
    attest_verifier *v = fx_verifier(f, pinned, at);
    int status = fx_verify_with(f, v, policy, nonce, nonce_len, keep);
    attest_verifier_free(v);
    return status;
}

static int fx_verify(fixture *f, const char *policy)
{
    return fx_verify_full(f, policy, AT_GOOD, NULL, 0, 1, NULL);
}

/* The outcome of check `name` in r, or -1 when it was not recorded. */
static int check_outcome(const attest_result *r, const char *name)
{
    for (size_t i = 0; i < attest_result_check_count(r); i++)
        if (!strcmp(attest_result_check_name(r, i), name))
            return (int)attest_result_check_outcome(r, i);
    return -1;
}

static void copy_member(char *out, size_t n, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    snprintf(out, n, "%s", s ? s : "");
}

static void tcb_claims_of(const attest_result *r, tcb_claims *t)
{
    char *text = NULL;
    memset(t, 0, sizeof *t);
    cr_assert_eq(attest_result_to_json(&text, r), ATTEST_OK);
    json_t *doc = json_loads(text, 0, NULL);
    attest_string_free(text);
    cr_assert(doc);
    json_t *tcb = json_object_get(json_object_get(doc, "claims"), "tcb");
    copy_member(t->status, sizeof t->status, tcb, "status");
    copy_member(t->platform, sizeof t->platform, tcb, "platform_status");
    copy_member(t->qe, sizeof t->qe, tcb, "qe_status");
    copy_member(t->module, sizeof t->module, tcb, "tdx_module_status");
    size_t i;
    json_t *id;
    json_array_foreach(json_object_get(tcb, "advisory_ids"), i, id) {
        size_t used = strlen(t->advisories);
        snprintf(t->advisories + used, sizeof t->advisories - used, "%s%s", i ? "," : "",
                 json_string_value(id));
    }
    json_decref(doc);
}

/* Verify and read the TCB claims. */
static int fx_tcb(fixture *f, const char *policy, tcb_claims *t)
{
    attest_result *r = NULL;
    int status = fx_verify_full(f, policy, AT_GOOD, NULL, 0, 1, &r);
    if (r) {
        tcb_claims_of(r, t);
        attest_result_free(r);
    } else {
        memset(t, 0, sizeof *t);
    }
    return status;
}

/* ---- quote and collateral edits ----------------------------------------- */

/* Drop the built quote: the next verification rebuilds it from f->d. */
static void fx_stale(fixture *f)
{
    free(f->quote);
    f->quote = NULL;
}

/* TEE_TCB_SVN[0..2] (also TEE_TCB_SVN2 of TD report 1.5, as attest-mock). */
static void set_tee_tcb_svn(fixture *f, uint8_t module_svn, uint8_t major, uint8_t late_ucode)
{
    uint8_t *b = f->d.body + DCAPGEN_TD_OFF_TEE_TCB_SVN;
    b[0] = module_svn;
    b[1] = major;
    b[2] = late_ucode;
    if (f->d.body_len == DCAPGEN_TD15_REPORT_SIZE)
        memcpy(f->d.body + DCAPGEN_TD_OFF_TEE_TCB_SVN2, b, 16);
    fx_stale(f);
}

static void set_qe_isvsvn(fixture *f, uint16_t svn)
{
    dcapgen_put_u16(f->d.qe_report + DCAPGEN_RPT_OFF_ISVSVN, svn);
    fx_stale(f);
}

/* TCB Info whose matching level has `status` (NULL: no level matches). */
static void use_tcb_status(fixture *f, const char *status)
{
    char *json = NULL;
    cr_assert_eq(dcapgen_tcb_info_with_status(&json, NULL, f->pki, fx_tdx(f), status, 0), 0);
    f->tcb_info = own_str(f, json);
}

/* The default TCB Info description for the fixture's PCK and TEE. */
static void tcb_desc(const fixture *f, dcapgen_tcb_info_desc *d, dcapgen_tcb_level lv[2])
{
    cr_assert_eq(dcapgen_tcb_info_desc_init(d, lv, fx_tdx(f), &f->pki->pck_ext), 0);
}

/* Sign d with key (NULL: the PKI's TCB signing key) and use it. */
static void use_tcb_desc(fixture *f, const dcapgen_tcb_info_desc *d, EVP_PKEY *key,
                         unsigned flags)
{
    char *json = NULL;
    cr_assert_eq(dcapgen_tcb_info_json(&json, NULL, d, key ? key : f->pki->tcb_signing_key,
                                       flags), 0);
    f->tcb_info = own_str(f, json);
}

static void use_qe_desc(fixture *f, const dcapgen_qe_identity_desc *d, EVP_PKEY *key)
{
    char *json = NULL;
    cr_assert_eq(dcapgen_qe_identity_json(&json, NULL, d, key ? key : f->pki->tcb_signing_key,
                                          0), 0);
    f->qe_identity = own_str(f, json);
}

static X509_CRL *make_crl(fixture *f, const X509 *issuer, EVP_PKEY *key, const uint64_t *serials,
                          size_t n)
{
    dcapgen_crl_opts o;
    X509_CRL *crl = NULL;
    cr_assert_eq(dcapgen_crl_opts_init(&o), 0);
    o.revoked = serials;
    o.n_revoked = n;
    cr_assert_eq(dcapgen_crl_create(&crl, issuer, key, &o), 0);
    return own_crl(f, crl);
}

static EVP_PKEY *pck_ca_key(const fixture *f)
{
    return f->pki->pck_processor ? f->pki->processor_ca_key : f->pki->platform_ca_key;
}

/* The PCK re-issued (same key, serial and extension) with another validity. */
static X509 *reissue_pck(fixture *f, int64_t not_before, int64_t not_after)
{
    dcapgen_cert_opts o;
    uint8_t *ext = NULL;
    size_t ext_len = 0;
    X509 *x = NULL;
    cr_assert_eq(dcapgen_pck_ext_encode(&ext, &ext_len, &f->pki->pck_ext), 0);
    cr_assert_eq(dcapgen_cert_opts_init(&o), 0);
    o.cn = DCAPGEN_CN_PCK;
    o.serial = DCAPGEN_SERIAL_PCK;
    o.not_before = not_before;
    o.not_after = not_after;
    o.basic_constraints = 1;
    o.key_usage = DCAPGEN_KU_DIGITAL_SIGNATURE | DCAPGEN_KU_NON_REPUDIATION;
    o.subject_key = f->pki->pck_key;
    o.issuer_cert = dcapgen_pki_pck_ca(f->pki);
    o.issuer_key = pck_ca_key(f);
    o.sgx_ext = ext;
    o.sgx_ext_len = ext_len;
    cr_assert_eq(dcapgen_cert_issue(&x, &o), 0);
    free(ext);
    return own_cert(f, x);
}

/* A self-issued "Intel SGX Root CA" for subject_key, signed by issuer_key. */
static X509 *make_root(fixture *f, EVP_PKEY *subject_key, EVP_PKEY *issuer_key, int key_ids)
{
    dcapgen_cert_opts o;
    X509 *x = NULL;
    cr_assert_eq(dcapgen_cert_opts_init(&o), 0);
    o.cn = DCAPGEN_CN_ROOT;
    o.serial = DCAPGEN_SERIAL_ROOT;
    o.not_before = DCAPGEN_T_2018_05_21;
    o.not_after = DCAPGEN_T_2049_12_31;
    o.basic_constraints = o.is_ca = 1;
    o.pathlen = 1;
    o.key_usage = DCAPGEN_KU_KEY_CERT_SIGN | DCAPGEN_KU_CRL_SIGN;
    o.key_ids = key_ids;
    o.subject_key = subject_key;
    o.issuer_key = issuer_key;
    cr_assert_eq(dcapgen_cert_issue(&x, &o), 0);
    return own_cert(f, x);
}

static X509 *make_tcb_signing(fixture *f, EVP_PKEY *key, const X509 *root, EVP_PKEY *root_key,
                              int64_t not_after)
{
    dcapgen_cert_opts o;
    X509 *x = NULL;
    cr_assert_eq(dcapgen_cert_opts_init(&o), 0);
    o.cn = DCAPGEN_CN_TCB_SIGNING;
    o.serial = DCAPGEN_SERIAL_TCB_SIGNING;
    o.not_before = DCAPGEN_T_2025_05_06;
    o.not_after = not_after;
    o.basic_constraints = 1;
    o.key_usage = DCAPGEN_KU_DIGITAL_SIGNATURE | DCAPGEN_KU_NON_REPUDIATION;
    o.subject_key = key;
    o.issuer_cert = root;
    o.issuer_key = root_key;
    cr_assert_eq(dcapgen_cert_issue(&x, &o), 0);
    return own_cert(f, x);
}

static void hex_repeat(char *out, uint8_t byte, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", byte);
}

/* ---- 1. accepted -------------------------------------------------------- */

typedef struct variant {
    int tdx;
    uint16_t version, body_type;
} variant;

static const variant variants[] = {
    {1, 4, 0},                 /* TDX v4, TD report 1.0 */
    {1, 5, DCAPGEN_BODY_TD10}, /* TDX v5 body type 2 */
    {1, 5, DCAPGEN_BODY_TD15}, /* TDX v5 body type 3 */
    {0, 3, 0},                 /* SGX v3 */
    {0, 5, DCAPGEN_BODY_SGX},  /* SGX v5 body type 1 */
};

static void expect_checks_pass(const attest_result *r, int tdx)
{
    static const char *const want[] = {
        "dcap.pck_chain", "dcap.crl", "dcap.tcb_signing_chain", "dcap.tcb_info",
        "dcap.qe_identity", "dcap.qe_report.signature", "dcap.qe_report.data",
        "dcap.qe_identity.match", "dcap.quote.signature", "dcap.tcb",
        "dcap.collateral.validity", "policy.dcap.tcb_status"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_eq(check_outcome(r, want[i]), ATTEST_CHECK_PASS, "check %s", want[i]);
    cr_expect_eq(check_outcome(r, "dcap.tdx_module"), tdx ? ATTEST_CHECK_PASS : -1);
    cr_expect_eq(check_outcome(r, tdx ? "policy.tdx.debug" : "policy.sgx.debug"),
                 ATTEST_CHECK_PASS);
}

Test(dcap_synthetic, accepted_every_version_body_type_and_pck_ca)
{
    static const char *const dirs[] = {"intel", "intel-processor"};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
            const variant *w = &variants[i];
            fixture f;
            attest_result *r = NULL;
            tcb_claims t;
            fx_load(&f, dirs[k], w->tdx, w->version, w->body_type);
            cr_assert_eq(f.pki->pck_processor, (int)k);
            int status = fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r);
            cr_expect_eq(status, ATTEST_OK, "%s tdx %d v%u type %u: %s", dirs[k], w->tdx,
                         w->version, w->body_type, attest_result_reason(r));
            cr_expect_eq(attest_result_verdict(r), ATTEST_VERDICT_ACCEPTED);
            expect_checks_pass(r, w->tdx);
            tcb_claims_of(r, &t);
            cr_expect_str_eq(t.status, "UpToDate", "%s tdx %d v%u", dirs[k], w->tdx, w->version);
            cr_expect_str_eq(t.advisories, "");
            if (w->tdx)
                cr_expect_str_eq(t.module, "UpToDate");
            attest_result_free(r);
            fx_free(&f);
        }
}

Test(dcap_synthetic, accepted_chain_without_nul_and_with_padding)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *w = &variants[i];
        for (int c = 0; c < 3; c++) {
            fixture f;
            fx_load(&f, "intel", w->tdx, w->version, w->body_type);
            f.d.nul_terminate = c != 1;     /* 0: NUL, 1: no NUL, 2: NUL + pad */
            f.d.pad = c == 0 ? 0 : c == 1 ? 1000 : 17;
            fx_build(&f);
            cr_assert_eq(f.lay.total_len, f.quote_len);
            cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "tdx %d v%u case %d", w->tdx,
                         w->version, c);
            fx_free(&f);
        }
    }
}

Test(dcap_synthetic, accepted_without_qe_auth_data)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        fx_load(&f, "intel", tdx, 0, 0);
        f.d.qe_auth = NULL;
        f.d.qe_auth_len = 0; /* REPORTDATA = SHA-256(attestation key) || 0^32 */
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "tdx %d", tdx);
        fx_free(&f);
    }
}

/* attest.h promises a result "that lists every check performed": an
 * accepted quote lists dcap.pck as passed like every other dcap.* check. */
Test(dcap_synthetic, pck_check_listed_when_it_passes)
{
    fixture f;
    attest_result *r = NULL;
    fx_load(&f, "intel", 1, 4, 0);
    cr_assert_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r), ATTEST_OK);
    cr_expect_eq(check_outcome(r, "dcap.pck"), ATTEST_CHECK_PASS,
                 "check dcap.pck missing from an accepted result");
    attest_result_free(r);
    fx_free(&f);
}

/* ---- 2. TCB status ------------------------------------------------------ */

static const char *const statuses[] = {
    "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded",
    "Revoked"};

static void every_status(int tdx, uint16_t version, uint16_t body_type)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        fixture f;
        tcb_claims t;
        int up = i == 0;
        fx_load(&f, "intel", tdx, version, body_type);
        use_tcb_status(&f, statuses[i]);
        cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK, "%s", statuses[i]);
        cr_expect_str_eq(t.status, statuses[i]);
        cr_expect_str_eq(t.platform, statuses[i]);
        cr_expect_str_eq(t.qe, "UpToDate");
        cr_expect_str_eq(t.advisories, up ? "" : "INTEL-SA-00001", "%s", statuses[i]);
        cr_expect_eq(fx_tcb(&f, NULL, &t), up ? ATTEST_OK : ATTEST_E_POLICY_TCB_STATUS, "%s",
                     statuses[i]);
        cr_expect_str_eq(t.status, statuses[i], "claims kept when the policy rejects");
        fx_free(&f);
    }
}

Test(dcap_synthetic, every_tcb_status_tdx) { every_status(1, 4, 0); }
Test(dcap_synthetic, every_tcb_status_tdx_v5) { every_status(1, 5, DCAPGEN_BODY_TD15); }
Test(dcap_synthetic, every_tcb_status_sgx) { every_status(0, 3, 0); }

Test(dcap_synthetic, default_collateral_levels)
{
    fixture f;
    tcb_claims t;
    fx_load(&f, "intel", 1, 4, 0);
    set_tee_tcb_svn(&f, 3, 1, 1); /* late microcode 1: level [1] */
    cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK);
    cr_expect_str_eq(t.status, "OutOfDate");
    cr_expect_str_eq(t.platform, "OutOfDate");
    cr_expect_str_eq(t.advisories, "INTEL-SA-00001");
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_TCB_STATUS);
    fx_free(&f);
}

Test(dcap_synthetic, no_tcb_level_matches)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        attest_result *r = NULL;
        fx_load(&f, "intel", tdx, 0, 0);
        use_tcb_status(&f, NULL);
        cr_expect_eq(fx_verify_full(&f, POLICY_ALL, AT_GOOD, NULL, 0, 1, &r),
                     ATTEST_E_DCAP_TCB_NOT_SUPPORTED, "tdx %d", tdx);
        cr_expect_eq(check_outcome(r, "dcap.tcb"), ATTEST_CHECK_FAIL);
        attest_result_free(r);
        fx_free(&f);
    }
    /* TDX: TEE_TCB_SVN below both levels' tdxtcbcomponents (index 2). */
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    set_tee_tcb_svn(&f, 3, 1, 0);
    cr_expect_eq(fx_verify(&f, POLICY_ALL), ATTEST_E_DCAP_TCB_NOT_SUPPORTED);
    fx_free(&f);
}

Test(dcap_synthetic, module_out_of_date_converges)
{
    struct { const char *platform, *want; } cases[] = {
        {NULL, "OutOfDate"}, /* default collateral: platform UpToDate */
        {"SWHardeningNeeded", "OutOfDate"},
        {"ConfigurationNeeded", "OutOfDateConfigurationNeeded"},
        {"ConfigurationAndSWHardeningNeeded", "OutOfDateConfigurationNeeded"},
        {"Revoked", "Revoked"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        tcb_claims t;
        fx_load(&f, "intel", 1, 4, 0);
        if (cases[i].platform)
            use_tcb_status(&f, cases[i].platform);
        set_tee_tcb_svn(&f, 2, 1, 2); /* TDX_01 isvsvn 2: OutOfDate */
        cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK, "case %zu", i);
        cr_expect_str_eq(t.status, cases[i].want, "platform %s", cases[i].platform);
        cr_expect_str_eq(t.module, "OutOfDate");
        cr_expect_str_eq(t.platform, cases[i].platform ? cases[i].platform : "UpToDate");
        cr_expect(strstr(t.advisories, "INTEL-SA-00002"), "%s", t.advisories);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_TCB_STATUS);
        fx_free(&f);
    }
    /* Module SVN below every level of TDX_01. */
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    set_tee_tcb_svn(&f, 1, 1, 2);
    cr_expect_eq(fx_verify(&f, POLICY_ALL), ATTEST_E_DCAP_TCB_NOT_SUPPORTED);
    fx_free(&f);
}

Test(dcap_synthetic, qe_level_converges)
{
    struct { int tdx; uint16_t svn; int want; const char *status; } cases[] = {
        {1, DCAPGEN_QE_ISVSVN_TDX - 1, ATTEST_OK, "OutOfDate"}, /* between the levels */
        {1, DCAPGEN_QE_ISVSVN_TDX - 2, ATTEST_OK, "OutOfDate"},
        {1, DCAPGEN_QE_ISVSVN_TDX + 5, ATTEST_OK, "UpToDate"},
        {1, 1, ATTEST_E_DCAP_TCB_NOT_SUPPORTED, ""},
        {0, DCAPGEN_QE_ISVSVN_SGX - 1, ATTEST_OK, "OutOfDate"},
        {0, 5, ATTEST_E_DCAP_TCB_NOT_SUPPORTED, ""},
        {0, 0, ATTEST_E_DCAP_TCB_NOT_SUPPORTED, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        tcb_claims t;
        fx_load(&f, "intel", cases[i].tdx, 0, 0);
        set_qe_isvsvn(&f, cases[i].svn);
        cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), cases[i].want, "case %zu", i);
        cr_expect_str_eq(t.status, cases[i].status, "case %zu", i);
        if (cases[i].want == ATTEST_OK) {
            cr_expect_str_eq(t.qe, cases[i].status);
            cr_expect_str_eq(t.platform, "UpToDate");
        }
        fx_free(&f);
    }
    /* Platform ConfigurationNeeded + QE OutOfDate. */
    fixture f;
    tcb_claims t;
    fx_load(&f, "intel", 0, 3, 0);
    use_tcb_status(&f, "ConfigurationNeeded");
    set_qe_isvsvn(&f, DCAPGEN_QE_ISVSVN_SGX - 2);
    cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK);
    cr_expect_str_eq(t.status, "OutOfDateConfigurationNeeded");
    fx_free(&f);
}

Test(dcap_synthetic, qe_identity_revoked_level)
{
    static const char *const adv[] = {"INTEL-SA-00777"};
    static const dcapgen_isv_level levels[] = {
        {DCAPGEN_QE_ISVSVN_TDX, "2024-03-13T00:00:00Z", "UpToDate", NULL, 0},
        {DCAPGEN_QE_ISVSVN_TDX - 1, "2023-08-09T00:00:00Z", "Revoked", adv, 1},
    };
    fixture f;
    tcb_claims t;
    dcapgen_qe_identity_desc q;
    fx_load(&f, "intel", 1, 4, 0);
    cr_assert_eq(dcapgen_qe_identity_desc_init(&q, 1), 0);
    q.levels = levels;
    q.n_levels = 2;
    use_qe_desc(&f, &q, NULL);
    cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK);
    cr_expect_str_eq(t.status, "UpToDate");
    set_qe_isvsvn(&f, DCAPGEN_QE_ISVSVN_TDX - 1);
    cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK);
    cr_expect_str_eq(t.status, "Revoked");
    cr_expect_str_eq(t.qe, "Revoked");
    cr_expect_str_eq(t.advisories, "INTEL-SA-00777");
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_TCB_STATUS);
    fx_free(&f);
}

Test(dcap_synthetic, module_identity_checks)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    set_tee_tcb_svn(&f, 3, 2, 2); /* names TDX_02, absent */
    cr_expect_eq(fx_verify(&f, POLICY_ALL), ATTEST_E_DCAP_TDX_MODULE);
    set_tee_tcb_svn(&f, 3, 1, 2);
    f.d.body[DCAPGEN_TD_OFF_MRSIGNERSEAM + 7] = 1;
    fx_build(&f);
    cr_expect_eq(fx_verify(&f, POLICY_ALL), ATTEST_E_DCAP_TDX_MODULE);
    f.d.body[DCAPGEN_TD_OFF_MRSIGNERSEAM + 7] = 0;
    f.d.body[DCAPGEN_TD_OFF_SEAM_ATTRIBUTES] = 1;
    fx_build(&f);
    cr_expect_eq(fx_verify(&f, POLICY_ALL), ATTEST_E_DCAP_TDX_MODULE);
    f.d.body[DCAPGEN_TD_OFF_SEAM_ATTRIBUTES] = 0;
    fx_build(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK);
    fx_free(&f);
}

Test(dcap_synthetic, tdx_index_rule_skips_module_bytes)
{
    fixture f;
    tcb_claims t;
    dcapgen_tcb_info_desc d;
    dcapgen_tcb_level lv[2];
    fx_load(&f, "intel", 1, 4, 0);
    tcb_desc(&f, &d, lv);
    lv[0].tdx_svn[0] = 9; /* above the quote's 03 01 02 at indexes 0 and 1 */
    lv[0].tdx_svn[1] = 9;
    use_tcb_desc(&f, &d, NULL, 0);
    cr_expect_eq(fx_tcb(&f, NULL, &t), ATTEST_OK);
    cr_expect_str_eq(t.status, "UpToDate", "TEE_TCB_SVN[1] > 0: bytes 0, 1 not compared");
    /* Without a module major version every byte counts: level [0] fails on
     * byte 0, level [1] (2,0,1) matches. */
    set_tee_tcb_svn(&f, 3, 0, 2);
    fx_build(&f);
    cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK);
    cr_expect_str_eq(t.status, "OutOfDate");
    cr_expect_str_eq(t.module, "", "no module identity used when TEE_TCB_SVN[1] is 0");
    fx_free(&f);
}

Test(dcap_synthetic, advisories_from_platform_module_and_qe_merged)
{
    fixture f;
    tcb_claims t;
    fx_load(&f, "intel", 1, 4, 0);
    set_tee_tcb_svn(&f, 2, 1, 1);              /* platform [1], module OutOfDate */
    set_qe_isvsvn(&f, DCAPGEN_QE_ISVSVN_TDX - 1); /* QE OutOfDate */
    cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK);
    cr_expect_str_eq(t.status, "OutOfDate");
    cr_expect_str_eq(t.platform, "OutOfDate");
    cr_expect_str_eq(t.module, "OutOfDate");
    cr_expect_str_eq(t.qe, "OutOfDate");
    cr_expect_str_eq(t.advisories, "INTEL-SA-00001,INTEL-SA-00002,INTEL-SA-00003");
    fx_free(&f);
    /* SGX: platform and QE. */
    fx_load(&f, "intel", 0, 3, 0);
    use_tcb_status(&f, "SWHardeningNeeded");
    set_qe_isvsvn(&f, DCAPGEN_QE_ISVSVN_SGX - 2);
    cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK);
    cr_expect_str_eq(t.status, "OutOfDate");
    cr_expect_str_eq(t.advisories, "INTEL-SA-00001,INTEL-SA-00003");
    fx_free(&f);
}

/* ---- 3. quote and QE report --------------------------------------------- */

Test(dcap_synthetic, tampered_body_or_header)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *w = &variants[i];
        fixture f;
        fx_load(&f, "intel", w->tdx, w->version, w->body_type);
        fx_build(&f);
        size_t at = f.lay.body_off + (w->tdx ? DCAPGEN_TD_OFF_MRTD : DCAPGEN_RPT_OFF_MRENCLAVE);
        f.quote[at] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QUOTE_SIGNATURE, "body, variant %zu", i);
        f.quote[at] ^= 0x01;
        size_t rd = f.lay.body_off + (w->tdx ? DCAPGEN_TD_OFF_REPORTDATA
                                             : DCAPGEN_RPT_OFF_REPORTDATA) + 63;
        f.quote[rd] ^= 0x80;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QUOTE_SIGNATURE, "reportdata %zu", i);
        f.quote[rd] ^= 0x80;
        f.quote[DCAPGEN_HDR_OFF_USER_DATA + 3] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QUOTE_SIGNATURE, "header, variant %zu",
                     i);
        f.quote[DCAPGEN_HDR_OFF_USER_DATA + 3] ^= 0x01;
        f.quote[DCAPGEN_HDR_OFF_QE_VENDOR_ID] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_MALFORMED, "vendor (refused by the parser), "
                     "variant %zu", i);
        f.quote[DCAPGEN_HDR_OFF_QE_VENDOR_ID] ^= 0x01;
        f.quote[f.lay.quote_sig_off + 5] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QUOTE_SIGNATURE, "sig, variant %zu", i);
        f.quote[f.lay.quote_sig_off + 5] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "restored, variant %zu", i);
        fx_free(&f);
    }
}

Test(dcap_synthetic, tampered_or_foreign_qe_report)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        fx_load(&f, "intel", tdx, 0, 0);
        fx_build(&f);
        f.quote[f.lay.qe_report_off + DCAPGEN_RPT_OFF_MRENCLAVE] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_SIGNATURE, "tdx %d", tdx);
        f.quote[f.lay.qe_report_off + DCAPGEN_RPT_OFF_MRENCLAVE] ^= 0x01;
        f.quote[f.lay.qe_report_sig_off + 40] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_SIGNATURE);
        f.quote[f.lay.qe_report_sig_off + 40] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK);
        /* Signed by another key (a valid signature, not by the PCK). */
        f.d.qe_report_key = new_key(&f);
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_SIGNATURE);
        /* Signed by the PCK CA instead of the PCK. */
        f.d.qe_report_key = pck_ca_key(&f);
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_SIGNATURE);
        /* Zero signature. */
        f.d.qe_report_key = NULL;
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_SIGNATURE);
        fx_free(&f);
    }
}

Test(dcap_synthetic, qe_report_data_binding)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        uint8_t pub[64];
        fx_load(&f, "intel", tdx, 0, 0);
        /* Unbound REPORTDATA, QE report correctly signed. */
        f.d.bind_qe_report = 0;
        memset(f.d.qe_report + DCAPGEN_RPT_OFF_REPORTDATA, 0x11, 64);
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_DATA, "tdx %d", tdx);
        /* Correct hash, non-zero upper half (all 64 bytes are compared). */
        f.d.att_key = new_key(&f);
        cr_assert_eq(dcapgen_pubkey_raw(pub, f.d.att_key), 0);
        cr_assert_eq(dcapgen_qe_report_bind(f.d.qe_report, pub, f.d.qe_auth, f.d.qe_auth_len), 0);
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "bound by hand");
        f.d.qe_report[DCAPGEN_RPT_OFF_REPORTDATA + 40] = 1;
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_DATA);
        /* Hash over another attestation key. */
        cr_assert_eq(dcapgen_pubkey_raw(pub, new_key(&f)), 0);
        cr_assert_eq(dcapgen_qe_report_bind(f.d.qe_report, pub, f.d.qe_auth, f.d.qe_auth_len), 0);
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_DATA);
        /* QE authentication data changed after binding (it is signed only
         * through REPORTDATA). */
        f.d.bind_qe_report = 1;
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK);
        f.quote[f.lay.qe_auth_off + 3] ^= 0x01;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_REPORT_DATA);
        fx_free(&f);
    }
}

Test(dcap_synthetic, qe_report_against_qe_identity)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        struct { size_t off; uint8_t xor; int want; const char *what; } cases[] = {
            {DCAPGEN_RPT_OFF_MRSIGNER + 5, 0x01, ATTEST_E_DCAP_QE_IDENTITY, "MRSIGNER"},
            {DCAPGEN_RPT_OFF_ISVPRODID, 0x04, ATTEST_E_DCAP_QE_IDENTITY, "ISVPRODID"},
            {DCAPGEN_RPT_OFF_ATTRIBUTES, 0x02, ATTEST_E_DCAP_QE_IDENTITY, "ATTRIBUTES DEBUG"},
            {DCAPGEN_RPT_OFF_ATTRIBUTES + 1, 0x01, ATTEST_E_DCAP_QE_IDENTITY, "ATTRIBUTES[1]"},
            {DCAPGEN_RPT_OFF_MISCSELECT, 0x01, ATTEST_E_DCAP_QE_IDENTITY, "MISCSELECT"},
            {DCAPGEN_RPT_OFF_MISCSELECT + 3, 0x80, ATTEST_E_DCAP_QE_IDENTITY, "MISCSELECT hi"},
            /* Masked out: bit 2 of byte 0 (mask FB), XFRM (mask 0). */
            {DCAPGEN_RPT_OFF_ATTRIBUTES, 0x04, ATTEST_OK, "ATTRIBUTES bit 2 (masked)"},
            {DCAPGEN_RPT_OFF_ATTRIBUTES + 8, 0x18, ATTEST_OK, "XFRM (masked)"},
            {DCAPGEN_RPT_OFF_MRENCLAVE, 0x01, ATTEST_OK, "MRENCLAVE (not in the identity)"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            fixture f;
            fx_load(&f, "intel", tdx, 0, 0);
            f.d.qe_report[cases[i].off] ^= cases[i].xor;
            cr_expect_eq(fx_verify(&f, NULL), cases[i].want, "tdx %d: %s", tdx, cases[i].what);
            fx_free(&f);
        }
    }
}

Test(dcap_synthetic, qe_identity_of_the_other_tee)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        fx_load(&f, "intel", tdx, 0, 0);
        /* SGX quote with only the TD_QE identity, TDX quote with only QE. */
        f.qe_identity = tdx ? f.pki->qe_identity_sgx : f.pki->qe_identity_td;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_DCAP_QE_IDENTITY, "tdx %d", tdx);
        fx_free(&f);
    }
}

/* The QE vendor ID must be Intel's 939a7233f79c4ca9940a0db3957f0607, as
 * Intel QVL requires (Quote::validate; research/tdx.md (b) 4.1), even
 * when the quote is correctly signed. */
Test(dcap_synthetic, qe_vendor_id_not_intel)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        fx_load(&f, "intel", tdx, 0, 0);
        f.d.qe_vendor_id[0] = 0x00; /* signed: only the value is wrong */
        int status = fx_verify(&f, NULL);
        cr_expect_eq(status, ATTEST_E_MALFORMED, "tdx %d quote with QE vendor ID 009a7233...", tdx);
        fx_free(&f);
    }
}

/* ---- 4. revocation ------------------------------------------------------ */

Test(dcap_synthetic, revoked_pck_pck_ca_and_tcb_signing)
{
    static const char *const dirs[] = {"intel", "intel-processor"};
    for (size_t k = 0; k < 2; k++) {
        fixture f;
        attest_result *r = NULL;
        fx_load(&f, dirs[k], 1, 4, 0);
        const X509 *ca = dcapgen_pki_pck_ca(f.pki);
        uint64_t pck[] = {DCAPGEN_SERIAL_REVOKED_1, DCAPGEN_SERIAL_PCK};
        f.crls[CRL_PCK] = make_crl(&f, ca, pck_ca_key(&f), pck, 2);
        cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r), ATTEST_E_CERT_REVOKED,
                     "%s: PCK", dirs[k]);
        cr_expect_eq(check_outcome(r, "dcap.crl"), ATTEST_CHECK_FAIL);
        attest_result_free(r);
        f.crls[CRL_PCK] = f.pki->pck_crl;
        uint64_t ca_serial[] = {k ? DCAPGEN_SERIAL_PROCESSOR_CA : DCAPGEN_SERIAL_PLATFORM_CA};
        f.crls[CRL_ROOT] = make_crl(&f, f.pki->root, f.pki->root_key, ca_serial, 1);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_REVOKED, "%s: PCK CA", dirs[k]);
        /* The other PCK CA revoked: no effect. */
        uint64_t other[] = {k ? DCAPGEN_SERIAL_PLATFORM_CA : DCAPGEN_SERIAL_PROCESSOR_CA};
        f.crls[CRL_ROOT] = make_crl(&f, f.pki->root, f.pki->root_key, other, 1);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "%s: the other CA revoked", dirs[k]);
        uint64_t signing[] = {DCAPGEN_SERIAL_TCB_SIGNING};
        f.crls[CRL_ROOT] = make_crl(&f, f.pki->root, f.pki->root_key, signing, 1);
        cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r), ATTEST_E_CERT_REVOKED,
                     "%s: TCB signing", dirs[k]);
        cr_expect_eq(check_outcome(r, "dcap.tcb_signing_chain"), ATTEST_CHECK_FAIL);
        attest_result_free(r);
        fx_free(&f);
    }
}

Test(dcap_synthetic, crl_missing)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    f.crls[CRL_ROOT] = NULL;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_MISSING, "no Root CA CRL");
    f.crls[CRL_ROOT] = f.pki->root_crl;
    f.crls[CRL_PCK] = NULL;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_MISSING, "no PCK CRL");
    f.crls[CRL_ROOT] = NULL;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_MISSING, "no CRL at all");
    fx_free(&f);
}

Test(dcap_synthetic, crl_signed_by_another_key)
{
    fixture f;
    fx_load(&f, "intel", 0, 3, 0);
    EVP_PKEY *rogue = new_key(&f);
    f.crls[CRL_PCK] = make_crl(&f, dcapgen_pki_pck_ca(f.pki), rogue, NULL, 0);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_SIGNATURE, "PCK CRL");
    f.crls[CRL_PCK] = f.pki->pck_crl;
    f.crls[CRL_ROOT] = make_crl(&f, f.pki->root, rogue, NULL, 0);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_SIGNATURE, "Root CA CRL");
    /* A forged CRL next to the genuine one is still an error. */
    f.crls[f.ncrls++] = f.pki->root_crl;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_SIGNATURE, "forged + genuine");
    fx_free(&f);
}

Test(dcap_synthetic, processor_pck_with_only_a_platform_ca_crl)
{
    fixture f;
    fx_load(&f, "intel-processor", 1, 4, 0);
    cr_assert(f.pki->pck_processor);
    f.crls[CRL_PCK] = make_crl(&f, f.pki->platform_ca, f.pki->platform_ca_key, NULL, 0);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CRL_MISSING);
    fx_free(&f);
}

/* ---- 5. collateral selection -------------------------------------------- */

Test(dcap_synthetic, collateral_for_another_platform)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        dcapgen_tcb_info_desc d;
        dcapgen_tcb_level lv[2];
        fx_load(&f, "intel", tdx, 0, 0);
        tcb_desc(&f, &d, lv);
        d.fmspc[5] ^= 0x01;
        use_tcb_desc(&f, &d, NULL, 0);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISMATCH, "FMSPC, tdx %d", tdx);
        tcb_desc(&f, &d, lv);
        d.pce_id[1] = 1;
        use_tcb_desc(&f, &d, NULL, 0);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISMATCH, "PCE ID, tdx %d", tdx);
        /* TCB Info of the other TEE only. */
        f.tcb_info = tdx ? f.pki->tcb_info_sgx : f.pki->tcb_info_tdx;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISMATCH, "TEE, tdx %d", tdx);
        /* FMSPC in uppercase hex is the same FMSPC. */
        tcb_desc(&f, &d, lv);
        d.fmspc_upper = 1;
        use_tcb_desc(&f, &d, NULL, 0);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "uppercase FMSPC, tdx %d", tdx);
        fx_free(&f);
    }
}

Test(dcap_synthetic, tcb_info_version_2)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        dcapgen_tcb_info_desc d;
        dcapgen_tcb_level lv[2];
        fx_load(&f, "intel", tdx, 0, 0);
        tcb_desc(&f, &d, lv);
        d.version = 2; /* SGX layout, no id: never valid for TDX */
        use_tcb_desc(&f, &d, NULL, 0);
        cr_expect_eq(fx_verify(&f, NULL), tdx ? ATTEST_E_COLLATERAL_MISMATCH : ATTEST_OK,
                     "tdx %d", tdx);
        fx_free(&f);
    }
}

Test(dcap_synthetic, current_tcb_info_selected)
{
    fixture f;
    tcb_claims t;
    dcapgen_tcb_info_desc d;
    dcapgen_tcb_level lv[2];
    char *expired = NULL, *current = NULL, *later = NULL;
    fx_load(&f, "intel", 1, 4, 0);
    /* Expired TCB Info saying UpToDate next to a current one saying
     * OutOfDate, in both orders: the current one is used. */
    tcb_desc(&f, &d, lv);
    d.issue_date = "2025-05-01T00:00:00Z";
    d.next_update = "2025-06-01T00:00:00Z";
    cr_assert_eq(dcapgen_tcb_info_json(&expired, NULL, &d, f.pki->tcb_signing_key, 0), 0);
    own_str(&f, expired);
    cr_assert_eq(dcapgen_tcb_info_with_status(&current, NULL, f.pki, 1, "OutOfDate", 0), 0);
    own_str(&f, current);
    for (int order = 0; order < 2; order++) {
        f.tcb_info = order ? expired : current;
        f.extra_doc = order ? current : expired;
        cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK, "order %d", order);
        cr_expect_str_eq(t.status, "OutOfDate", "order %d: the current TCB Info is used", order);
    }
    /* Two current ones: the one issued last. */
    tcb_desc(&f, &d, lv);
    d.issue_date = "2025-06-10T00:00:00Z";
    cr_assert_eq(dcapgen_tcb_info_json(&later, NULL, &d, f.pki->tcb_signing_key, 0), 0);
    own_str(&f, later);
    for (int order = 0; order < 2; order++) {
        f.tcb_info = order ? later : current;
        f.extra_doc = order ? current : later;
        cr_expect_eq(fx_tcb(&f, POLICY_ALL, &t), ATTEST_OK, "order %d", order);
        cr_expect_str_eq(t.status, "UpToDate", "order %d: the newest TCB Info is used", order);
    }
    fx_free(&f);
}

Test(dcap_synthetic, collateral_missing)
{
    fixture f;
    attest_result *r = NULL;
    fx_load(&f, "intel", 1, 4, 0);
    f.tcb_info = NULL;
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r), ATTEST_E_COLLATERAL_MISSING);
    cr_expect_eq(check_outcome(r, "dcap.tcb_info"), ATTEST_CHECK_FAIL);
    attest_result_free(r);
    f.tcb_info = f.pki->tcb_info_tdx;
    f.qe_identity = NULL;
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r), ATTEST_E_COLLATERAL_MISSING);
    cr_expect_eq(check_outcome(r, "dcap.qe_identity"), ATTEST_CHECK_FAIL);
    attest_result_free(r);
    f.qe_identity = f.pki->qe_identity_td;
    f.certs[CERT_SIGNING] = NULL;
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r), ATTEST_E_COLLATERAL_MISSING);
    cr_expect_eq(check_outcome(r, "dcap.tcb_signing_chain"), ATTEST_CHECK_FAIL);
    attest_result_free(r);
    /* The root in the collateral is not needed: the quote carries it. */
    f.certs[CERT_SIGNING] = f.pki->tcb_signing;
    f.certs[CERT_ROOT] = NULL;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK);
    fx_free(&f);
}

/* ---- 6. collateral time ------------------------------------------------- */

#define POLICY_EXPIRED_OK                                                         \
    "{\"tdx\":{\"allow_expired_collateral\":true},"                                \
    "\"sgx\":{\"allow_expired_collateral\":true}}"

/* Default policy: POLICY_COLLATERAL_TIME naming `what`; allowed: accepted
 * with the validity check skipped. */
static void expect_time_rejected(fixture *f, int64_t at, const char *what)
{
    attest_result *r = NULL;
    cr_expect_eq(fx_verify_full(f, NULL, at, NULL, 0, 1, &r), ATTEST_E_POLICY_COLLATERAL_TIME,
                 "%s", what);
    cr_expect_eq(check_outcome(r, "dcap.collateral.validity"), ATTEST_CHECK_FAIL);
    cr_expect(strstr(attest_result_reason(r), what), "reason '%s' names %s",
              attest_result_reason(r), what);
    attest_result_free(r);
    cr_expect_eq(fx_verify_full(f, POLICY_EXPIRED_OK, at, NULL, 0, 1, &r), ATTEST_OK, "%s",
                 what);
    cr_expect_eq(check_outcome(r, "dcap.collateral.validity"), ATTEST_CHECK_SKIPPED);
    attest_result_free(r);
}

Test(dcap_synthetic, tcb_info_expired_or_not_yet_valid)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        dcapgen_tcb_info_desc d;
        dcapgen_tcb_level lv[2];
        fx_load(&f, "intel", tdx, 0, 0);
        tcb_desc(&f, &d, lv);
        d.issue_date = "2025-06-01T00:00:00Z";
        d.next_update = "2025-06-10T00:00:00Z";
        use_tcb_desc(&f, &d, NULL, 0);
        expect_time_rejected(&f, AT_GOOD, "TCB Info");
        tcb_desc(&f, &d, lv);
        d.issue_date = "2025-06-20T00:00:00Z";
        d.next_update = "2025-07-20T00:00:00Z";
        use_tcb_desc(&f, &d, NULL, 0);
        expect_time_rejected(&f, AT_GOOD, "TCB Info");
        /* QE Identity expired. */
        dcapgen_qe_identity_desc q;
        cr_assert_eq(dcapgen_qe_identity_desc_init(&q, tdx), 0);
        q.next_update = "2025-06-14T23:59:59Z";
        use_qe_desc(&f, &q, NULL);
        f.tcb_info = tdx ? f.pki->tcb_info_tdx : f.pki->tcb_info_sgx;
        expect_time_rejected(&f, AT_GOOD, "QE Identity");
        fx_free(&f);
    }
    /* Everything past nextUpdate (TCB Info, QE Identity, CRLs). */
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    expect_time_rejected(&f, DCAPGEN_T_2025_07_01 + 3600, "");
    expect_time_rejected(&f, DCAPGEN_T_2025_06_01 - 3600, "");
    /* nextUpdate itself is outside the window, issueDate inside. */
    cr_expect_eq(fx_verify_full(&f, NULL, DCAPGEN_T_2025_07_01, NULL, 0, 1, NULL),
                 ATTEST_E_POLICY_COLLATERAL_TIME);
    cr_expect_eq(fx_verify_full(&f, NULL, DCAPGEN_T_2025_06_01, NULL, 0, 1, NULL), ATTEST_OK);
    fx_free(&f);
}

Test(dcap_synthetic, pck_certificate_expired_or_not_yet_valid)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    f.d.pck = reissue_pck(&f, DCAPGEN_T_2025_01_01, DCAPGEN_T_2025_06_01 + 86400);
    fx_build(&f);
    expect_time_rejected(&f, AT_GOOD, "PCK");
    f.d.pck = reissue_pck(&f, DCAPGEN_T_2025_06_15 + 60, DCAPGEN_T_2032_01_01);
    fx_build(&f);
    expect_time_rejected(&f, AT_GOOD, "PCK");
    fx_free(&f);
}

Test(dcap_synthetic, crl_and_tcb_signing_outside_validity)
{
    fixture f;
    dcapgen_crl_opts o;
    X509_CRL *old_crl = NULL;
    fx_load(&f, "intel", 1, 4, 0);
    /* PCK CRL past its nextUpdate. */
    cr_assert_eq(dcapgen_crl_opts_init(&o), 0);
    o.this_update = DCAPGEN_T_2025_05_06;
    o.next_update = DCAPGEN_T_2025_06_01 + 86400;
    cr_assert_eq(dcapgen_crl_create(&old_crl, dcapgen_pki_pck_ca(f.pki), pck_ca_key(&f), &o), 0);
    own_crl(&f, old_crl);
    f.crls[CRL_PCK] = old_crl;
    expect_time_rejected(&f, AT_GOOD, "PCK CRL");
    /* The current CRL next to it is preferred. */
    f.crls[f.ncrls++] = f.pki->pck_crl;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "current PCK CRL chosen");
    /* ... also when it revokes the PCK and the old one does not. */
    uint64_t pck[] = {DCAPGEN_SERIAL_PCK};
    f.crls[f.ncrls - 1] = make_crl(&f, dcapgen_pki_pck_ca(f.pki), pck_ca_key(&f), pck, 1);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_CERT_REVOKED, "current PCK CRL revokes");
    f.ncrls = 2;
    f.crls[CRL_PCK] = f.pki->pck_crl;
    /* TCB signing certificate expired (same key, so the JSON verifies). */
    f.certs[CERT_SIGNING] = make_tcb_signing(&f, f.pki->tcb_signing_key, f.pki->root,
                                             f.pki->root_key, DCAPGEN_T_2025_06_01);
    expect_time_rejected(&f, AT_GOOD, "TCB signing");
    /* Re-issued signing certificate (Intel did so in 2025): the current one
     * is used. */
    f.certs[f.ncerts++] = f.pki->tcb_signing;
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "current TCB signing certificate chosen");
    fx_free(&f);
}

/* ---- 7. signatures and anchors ------------------------------------------ */

Test(dcap_synthetic, collateral_signed_outside_the_intel_chain)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        dcapgen_tcb_info_desc d;
        dcapgen_tcb_level lv[2];
        dcapgen_qe_identity_desc q;
        attest_result *r = NULL;
        fx_load(&f, "intel", tdx, 0, 0);
        EVP_PKEY *rogue_root_key = new_key(&f), *rogue_signing_key = new_key(&f);
        X509 *rogue_root = make_root(&f, rogue_root_key, NULL, 1);
        X509 *rogue_signing = make_tcb_signing(&f, rogue_signing_key, rogue_root,
                                               rogue_root_key, DCAPGEN_T_2032_05_06);
        tcb_desc(&f, &d, lv);
        use_tcb_desc(&f, &d, rogue_signing_key, 0);
        cr_assert_eq(dcapgen_qe_identity_desc_init(&q, tdx), 0);
        use_qe_desc(&f, &q, rogue_signing_key);
        /* A signing chain from another root (same names): no signing
         * certificate issued by the pinned root is found, so the code is
         * COLLATERAL_MISSING (the JSON signature is never reached). */
        f.certs[CERT_SIGNING] = rogue_signing;
        f.certs[CERT_ROOT] = rogue_root;
        cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r),
                     ATTEST_E_COLLATERAL_MISSING, "rogue chain, tdx %d", tdx);
        cr_expect_eq(check_outcome(r, "dcap.tcb_signing_chain"), ATTEST_CHECK_FAIL);
        attest_result_free(r);
        /* Genuine signing certificate present too: it is selected and the
         * rogue signature fails on the TCB Info. */
        f.certs[f.ncerts++] = f.pki->tcb_signing;
        cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r),
                     ATTEST_E_COLLATERAL_SIGNATURE, "rogue + genuine, tdx %d", tdx);
        cr_expect_eq(check_outcome(r, "dcap.tcb_info"), ATTEST_CHECK_FAIL);
        attest_result_free(r);
        /* Genuine TCB Info, QE Identity signed by another key. */
        f.tcb_info = tdx ? f.pki->tcb_info_tdx : f.pki->tcb_info_sgx;
        cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r),
                     ATTEST_E_COLLATERAL_SIGNATURE, "QE Identity, tdx %d", tdx);
        cr_expect_eq(check_outcome(r, "dcap.qe_identity"), ATTEST_CHECK_FAIL);
        attest_result_free(r);
        /* A signing certificate naming the real root, signed by another key. */
        f.qe_identity = tdx ? f.pki->qe_identity_td : f.pki->qe_identity_sgx;
        f.certs[CERT_SIGNING] = make_tcb_signing(&f, f.pki->tcb_signing_key, f.pki->root,
                                                 rogue_root_key, DCAPGEN_T_2032_05_06);
        f.certs[CERT_ROOT] = f.pki->root;
        f.ncerts = 2;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISSING, "forged signing cert");
        fx_free(&f);
    }
}

Test(dcap_synthetic, reserialised_json_rejected)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        dcapgen_tcb_info_desc d;
        dcapgen_tcb_level lv[2];
        fx_load(&f, "intel", tdx, 0, 0);
        tcb_desc(&f, &d, lv);
        use_tcb_desc(&f, &d, NULL, DCAPGEN_JSON_PRETTY);
        cr_assert(strchr(f.tcb_info, '\n'));
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_SIGNATURE, "pretty, tdx %d", tdx);
        /* The same indentation, signed over the bytes as written: accepted. */
        use_tcb_desc(&f, &d, NULL, DCAPGEN_JSON_PRETTY | DCAPGEN_JSON_SIGN_AS_WRITTEN);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "signed as written, tdx %d", tdx);
        fx_free(&f);
    }
}

Test(dcap_synthetic, chain_to_a_root_that_is_not_pinned)
{
    fixture f, other;
    attest_result *r = NULL;
    fx_load(&f, "intel", 1, 4, 0);
    /* The built-in Intel anchors do not accept the test root. */
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 0, &r), ATTEST_E_CERT_UNTRUSTED_ROOT);
    cr_expect_eq(check_outcome(r, "dcap.pck_chain"), ATTEST_CHECK_FAIL);
    attest_result_free(r);
    /* A complete other PKI verified with this one's pin. */
    fx_load(&other, "intel-processor", 1, 4, 0);
    memcpy(other.anchor, f.anchor, 32);
    cr_expect_eq(fx_verify(&other, NULL), ATTEST_E_CERT_UNTRUSTED_ROOT);
    fx_free(&other);
    fx_free(&f);
}

Test(dcap_synthetic, pinned_key_in_a_root_not_self_signed)
{
    fixture f;
    attest_result *r = NULL;
    fx_load(&f, "intel", 1, 4, 0);
    EVP_PKEY *rogue = new_key(&f);
    /* Same name and (pinned) key as the test root, signed by another key;
     * no key identifiers, so OpenSSL still sees a self-issued certificate
     * and the self-signature check must reject it. */
    f.d.root = make_root(&f, f.pki->root_key, rogue, 0);
    fx_build(&f);
    cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, &r), ATTEST_E_CERT_SIGNATURE);
    cr_expect_eq(check_outcome(r, "dcap.pck_chain"), ATTEST_CHECK_FAIL);
    attest_result_free(r);
    /* Control: re-issued by its own key (a new certificate, same key). */
    f.d.root = make_root(&f, f.pki->root_key, NULL, 1);
    fx_build(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "re-issued root with the pinned key");
    fx_free(&f);
}

/* The same forgery in Intel's certificate profile, i.e. with an
 * authorityKeyIdentifier (of the key that really signed it) next to the
 * pinned key's subjectKeyIdentifier: OpenSSL does not take it as
 * self-signed, and it is reported as a signature failure, not as missing
 * collateral. */
Test(dcap_synthetic, pinned_key_in_a_root_with_a_foreign_aki)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    f.d.root = make_root(&f, f.pki->root_key, new_key(&f), 1);
    fx_build(&f);
    int status = fx_verify(&f, NULL);
    cr_assert_neq(status, ATTEST_OK);
    cr_expect_eq(status, ATTEST_E_CERT_SIGNATURE, "got %s",
                 attest_status_name(status));
    fx_free(&f);
}

/* One verifier (and its cache) across many verifications: a result
 * remembered from an accepted quote never accepts a changed one. */
Test(dcap_synthetic, shared_verifier_cache_never_masks_a_failure)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    attest_verifier *v = fx_verifier(&f, 1, AT_GOOD);
    fx_build(&f);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK, "second time");
    /* Revoked PCK, forged CRLs. */
    uint64_t pck[] = {DCAPGEN_SERIAL_PCK};
    f.crls[CRL_PCK] = make_crl(&f, dcapgen_pki_pck_ca(f.pki), pck_ca_key(&f), pck, 1);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_CERT_REVOKED);
    f.crls[CRL_PCK] = make_crl(&f, dcapgen_pki_pck_ca(f.pki), new_key(&f), NULL, 0);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_CRL_SIGNATURE);
    f.crls[CRL_PCK] = f.pki->pck_crl;
    /* Tampered QE report, quote and collateral after the cached success. */
    f.quote[f.lay.qe_report_off + DCAPGEN_RPT_OFF_MRENCLAVE] ^= 0x01;
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_DCAP_QE_REPORT_SIGNATURE);
    f.quote[f.lay.qe_report_off + DCAPGEN_RPT_OFF_MRENCLAVE] ^= 0x01;
    f.quote[f.lay.body_off + DCAPGEN_TD_OFF_MRTD] ^= 0x01;
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_DCAP_QUOTE_SIGNATURE);
    f.quote[f.lay.body_off + DCAPGEN_TD_OFF_MRTD] ^= 0x01;
    dcapgen_tcb_info_desc d;
    dcapgen_tcb_level lv[2];
    tcb_desc(&f, &d, lv);
    use_tcb_desc(&f, &d, new_key(&f), 0);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_COLLATERAL_SIGNATURE);
    f.tcb_info = f.pki->tcb_info_tdx;
    /* A chain whose root is not self-signed, after the genuine chain. */
    const X509 *root = f.d.root;
    f.d.root = make_root(&f, f.pki->root_key, new_key(&f), 0);
    fx_build(&f);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_CERT_SIGNATURE);
    f.d.root = root;
    fx_build(&f);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK);
    cr_expect_gt(attest_verifier_cache_size(v), 0);
    /* Anchors replaced: the remembered chain no longer counts. */
    uint8_t other[32];
    memcpy(other, f.anchor, 32);
    other[0] ^= 0xFF;
    cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_INTEL), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_INTEL, other), ATTEST_OK);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_CERT_UNTRUSTED_ROOT);
    cr_assert_eq(attest_verifier_add_anchor(v, ATTEST_VENDOR_INTEL, f.anchor), ATTEST_OK);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK);
    /* Instant moved past nextUpdate. */
    cr_assert_eq(attest_verifier_set_time(v, DCAPGEN_T_2025_07_01 + 1), ATTEST_OK);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_POLICY_COLLATERAL_TIME);
    attest_verifier_free(v);
    fx_free(&f);
}

/* The signature verdicts of TCB Info and QE Identity are remembered under
 * the SHA-256 of the signed body: the same signature over a changed body,
 * after the genuine one verified on the same verifier, is refused. */
Test(dcap_synthetic, cached_signatures_never_cover_changed_bytes)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    attest_verifier *v = fx_verifier(&f, 1, AT_GOOD);
    fx_build(&f);
    cr_assert_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK);
    const char *docs[] = {f.pki->tcb_info_tdx, f.pki->qe_identity_td};
    const char *marks[] = {"\"tcbEvaluationDataNumber\":17", "\"tcbEvaluationDataNumber\":"};
    for (int i = 0; i < 2; i++) {
        char *changed = strdup(docs[i]);
        char *at = strstr(changed, marks[i]);
        cr_assert(at, "%s in document %d", marks[i], i);
        at += strlen("\"tcbEvaluationDataNumber\":");
        *at = *at == '1' ? '2' : '1'; /* another number, the signature kept */
        if (i == 0)
            f.tcb_info = changed;
        else
            f.qe_identity = changed;
        cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_COLLATERAL_SIGNATURE,
                     "document %d changed under its cached signature", i);
        f.tcb_info = f.pki->tcb_info_tdx;
        f.qe_identity = f.pki->qe_identity_td;
        free(changed);
    }
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK, "genuine again");
    attest_verifier_free(v);
    fx_free(&f);
}

/* `x` with the last byte of its DER (in the signature) changed: still a
 * certificate, no longer signed by its issuer. */
static X509 *one_byte_off(fixture *f, const X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    cr_assert(n > 0);
    der[n - 1] ^= 0x01;
    const unsigned char *p = der;
    X509 *changed = d2i_X509(NULL, &p, n);
    OPENSSL_free(der);
    return own_cert(f, changed);
}

/* Certificates are parsed once per collateral, named by the SHA-256 of
 * their bytes, and the quote's PCK chain takes the collateral's object for
 * the same bytes (the root). A root one byte off in the quote is another
 * certificate: parsed anew and refused, the collateral's genuine root
 * notwithstanding; and the quote's genuine chain still passes. */
Test(dcap_synthetic, shared_certificate_parse_never_covers_changed_bytes)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    attest_verifier *v = fx_verifier(&f, 1, AT_GOOD);
    cr_assert_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK);
    f.d.root = one_byte_off(&f, f.pki->root);
    fx_build(&f);
    attest_verifier *fresh = fx_verifier(&f, 1, AT_GOOD);
    cr_expect_eq(fx_verify_with(&f, fresh, NULL, NULL, 0, NULL), ATTEST_E_CERT_SIGNATURE,
                 "the quote's root one byte off, the collateral's genuine");
    attest_verifier_free(fresh);
    f.d.root = f.pki->root;
    fx_build(&f);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK, "genuine again");
    attest_verifier_free(v);
    fx_free(&f);
}

/* Within one collateral, a certificate one byte off and then the genuine
 * one: two certificates, the genuine one found as the TCB signer. */
Test(dcap_synthetic, collateral_certificates_one_byte_apart_are_two)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    f.certs[0] = one_byte_off(&f, f.pki->tcb_signing);
    f.certs[1] = f.pki->tcb_signing;
    f.certs[2] = f.pki->root;
    f.certs[3] = f.pki->root; /* the same bytes twice: one object, counted twice */
    f.ncerts = 4;
    attest_collateral *c = fx_collateral(&f);
    cr_expect_eq(attest_collateral_cert_count(c), 4);
    attest_collateral_free(c);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK);
    f.certs[1] = NULL; /* only the changed one: no TCB signer */
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISSING);
    fx_free(&f);
}

/* The attestation key's verify context is kept per point by the verifier:
 * a quote carrying a key one byte off (its QE report bound to that key and
 * signed), signed by the genuine key, after the genuine quote warmed the
 * cache, is refused (the changed bytes are no P-256 point). */
Test(dcap_synthetic, cached_quote_key_never_covers_changed_bytes)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    f.d.att_key = new_key(&f);
    attest_verifier *v = fx_verifier(&f, 1, AT_GOOD);
    fx_build(&f);
    cr_assert_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK);
    uint8_t *key = f.quote + f.lay.att_key_off;
    key[63] ^= 0x01; /* the last byte of y */
    cr_assert_eq(dcapgen_qe_report_bind(f.quote + f.lay.qe_report_off, key, f.d.qe_auth,
                                        f.d.qe_auth_len), 0);
    cr_assert_eq(dcapgen_quote_sign_qe_report(f.quote, f.quote_len, &f.lay, f.pki->pck_key), 0);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_E_DCAP_QUOTE_SIGNATURE);
    key[63] ^= 0x01;
    cr_assert_eq(dcapgen_qe_report_bind(f.quote + f.lay.qe_report_off, key, f.d.qe_auth,
                                        f.d.qe_auth_len), 0);
    cr_assert_eq(dcapgen_quote_sign_qe_report(f.quote, f.quote_len, &f.lay, f.pki->pck_key), 0);
    cr_expect_eq(fx_verify_with(&f, v, NULL, NULL, 0, NULL), ATTEST_OK, "genuine again");
    attest_verifier_free(v);
    fx_free(&f);
}

/* ---- 8. parsing --------------------------------------------------------- */

static int parse_status(const uint8_t *q, size_t len)
{
    attest_evidence *ev = NULL;
    int status = attest_evidence_parse(&ev, q, len);
    attest_evidence_free(ev);
    return status;
}

Test(dcap_synthetic, every_truncation_rejected, .timeout = 120)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *w = &variants[i];
        fixture f;
        fx_load(&f, "intel", w->tdx, w->version, w->body_type);
        f.d.nul_terminate = 0;
        fx_build(&f);
        for (size_t len = 0; len < f.quote_len; len++) {
            int status = parse_status(f.quote, len);
            cr_expect(status == ATTEST_E_TRUNCATED ||
                      (len < 8 && status == ATTEST_E_FORMAT_UNKNOWN),
                      "variant %zu len %zu: %s", i, len, attest_status_name(status));
        }
        cr_expect_eq(parse_status(f.quote, f.lay.cert_data_off + 10), ATTEST_E_TRUNCATED);
        cr_expect(strstr(attest_error_last(), "sig_data"), "%s", attest_error_last());
        cr_expect_eq(parse_status(f.quote, f.quote_len), ATTEST_OK);
        fx_free(&f);
    }
}

Test(dcap_synthetic, wrong_certification_data_nesting)
{
    struct { int tdx; uint16_t version; int nested; uint16_t outer, inner; const char *what; }
    cases[] = {
        {1, 4, 1, 5, 5, "outer type 5 in v4"},
        {1, 5, 1, 5, 5, "outer type 5 in v5"},
        {1, 4, 1, 6, 6, "inner type 6"},
        {1, 4, 1, 6, 3, "inner type 3"},
        {1, 4, 1, 6, 4, "inner type 4"},
        {1, 4, 1, 7, 5, "outer type 7"},
        {1, 4, 0, 6, 5, "v3 layout in v4"},
        {0, 3, 0, 6, 6, "type 6 in v3"},
        {0, 3, 0, 6, 3, "type 3 in v3"},
        {0, 3, 1, 6, 5, "nested layout in v3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        fx_load(&f, "intel", cases[i].tdx, cases[i].version, 0);
        f.d.nested = cases[i].nested;
        f.d.outer_cert_type = cases[i].outer;
        f.d.cert_type = cases[i].inner;
        fx_build(&f);
        cr_expect_eq(parse_status(f.quote, f.quote_len), ATTEST_E_MALFORMED, "%s: %s",
                     cases[i].what, attest_error_last());
        fx_free(&f);
    }
}

Test(dcap_synthetic, length_fields_that_lie)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *w = &variants[i];
        fixture f;
        fx_load(&f, "intel", w->tdx, w->version, w->body_type);
        fx_build(&f);
        int64_t actual = (int64_t)(f.lay.sig_data_end - f.lay.sig_data_off);
        struct { int64_t field; size_t pad; int want; } cases[] = {
            {actual + 1, 0, ATTEST_E_TRUNCATED},
            {0xFFFFFFFF, 0, ATTEST_E_TRUNCATED},
            {actual + 1, 16, ATTEST_E_MALFORMED}, /* padding pulled in */
            {actual - 1, 0, ATTEST_E_MALFORMED},
            {actual - 1, 16, ATTEST_E_MALFORMED},
            {0, 0, ATTEST_E_MALFORMED},
            {63, 0, ATTEST_E_MALFORMED},
        };
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            f.d.sig_data_len_field = cases[c].field;
            f.d.pad = cases[c].pad;
            fx_build(&f);
            cr_expect_eq(parse_status(f.quote, f.quote_len), cases[c].want,
                         "variant %zu case %zu: %s", i, c, attest_error_last());
        }
        f.d.sig_data_len_field = -1;
        f.d.pad = 0;
        fx_build(&f);
        /* Nested sizes that lie, inside a correct sig_data_len. */
        size_t offs[] = {f.lay.outer_size_off, f.lay.cert_size_off, f.lay.qe_auth_len_off};
        for (size_t o = 0; o < 3; o++) {
            if (offs[o] == 0)
                continue; /* v3: no outer header */
            uint8_t *q = malloc(f.quote_len);
            cr_assert(q);
            for (int delta = -1; delta <= 1; delta += 2) {
                memcpy(q, f.quote, f.quote_len);
                q[offs[o]] = (uint8_t)(q[offs[o]] + delta);
                cr_expect_eq(parse_status(q, f.quote_len), ATTEST_E_MALFORMED,
                             "variant %zu field %zu delta %d: %s", i, o, delta,
                             attest_error_last());
            }
            memcpy(q, f.quote, f.quote_len);
            memset(q + offs[o], 0xFF, o == 2 ? 2 : 4);
            cr_expect_eq(parse_status(q, f.quote_len), ATTEST_E_MALFORMED);
            free(q);
        }
        fx_free(&f);
    }
    /* v5 body_size of another body type. */
    fixture f;
    fx_load(&f, "intel", 1, 5, DCAPGEN_BODY_TD15);
    f.d.body_size_field = DCAPGEN_TD10_REPORT_SIZE;
    fx_build(&f);
    cr_expect_eq(parse_status(f.quote, f.quote_len), ATTEST_E_MALFORMED);
    fx_free(&f);
}

Test(dcap_synthetic, pem_chain_content)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    /* The chain given verbatim, with its NUL: accepted. */
    char *pem = NULL;
    size_t pem_len = 0;
    cr_assert_eq(dcapgen_pki_chain_pem(&pem, &pem_len, f.pki), 0);
    own_str(&f, pem);
    f.d.cert_data = pem;
    f.d.cert_data_len = pem_len + 1;
    fx_build(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "verbatim chain with its NUL");
    /* Two NULs: only one at the very end is allowed. */
    char *two = own_str(&f, calloc(1, pem_len + 2));
    memcpy(two, pem, pem_len);
    f.d.cert_data = two;
    f.d.cert_data_len = pem_len + 2;
    fx_build(&f);
    cr_expect_eq(parse_status(f.quote, f.quote_len), ATTEST_E_MALFORMED);
    /* Chain without its CA: a parse-valid quote, a chain error (two
     * certificates may be PCK and CA, the root built in: the CA is then
     * missing). */
    f.d.cert_data = NULL;
    f.d.pck_ca = NULL;
    fx_build(&f);
    cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_COLLATERAL_MISSING);
    fx_free(&f);
}

/* ---- 9. policy ---------------------------------------------------------- */

Test(dcap_synthetic, debug_td_and_debug_enclave)
{
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        fx_load(&f, "intel", tdx, 0, 0);
        if (tdx)
            f.d.body[DCAPGEN_TD_OFF_TD_ATTRIBUTES] |= 0x01;
        else
            f.d.body[DCAPGEN_RPT_OFF_ATTRIBUTES] |= 0x02;
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_POLICY_DEBUG, "tdx %d", tdx);
        cr_expect_eq(fx_verify(&f, tdx ? "{\"tdx\":{\"allow_debug\":true}}"
                                       : "{\"sgx\":{\"allow_debug\":true}}"),
                     ATTEST_OK, "tdx %d", tdx);
        /* The other section's relaxation does not apply: a policy that
         * addresses only the other platform accepts nothing of this one. */
        cr_expect_eq(fx_verify(&f, tdx ? "{\"sgx\":{\"allow_debug\":true}}"
                                       : "{\"tdx\":{\"allow_debug\":true}}"),
                     ATTEST_E_POLICY_PLATFORM, "tdx %d", tdx);
        cr_expect_eq(fx_verify(&f, "{\"sgx\":{\"allow_debug\":true},"
                                   "\"tdx\":{\"allow_debug\":false}}"),
                     tdx ? ATTEST_E_POLICY_DEBUG : ATTEST_OK, "tdx %d", tdx);
        /* Nor does an SNP-only or a GPU-only policy accept a quote. */
        cr_expect_eq(fx_verify(&f, "{\"snp\":{\"report_data_binding\":\"sha512\"}}"),
                     ATTEST_E_POLICY_PLATFORM, "tdx %d", tdx);
        cr_expect_eq(fx_verify(&f, "{\"nvidia\":{}}"), ATTEST_E_POLICY_PLATFORM, "tdx %d", tdx);
        cr_expect_eq(fx_verify(&f, tdx ? "{\"platforms\":[\"tdx\"]}" : "{\"platforms\":[\"sgx\"]}"),
                     ATTEST_E_POLICY_DEBUG, "tdx %d: addressed by the list", tdx);
        fx_free(&f);
    }
}

/* ---- TD_ATTRIBUTES ------------------------------------------------------ */

#define TD_ATTR_SEPT_VE_DISABLE (1ull << 28) /* the generator's default value */
/* Bits Intel's TDX module defines outside byte 0 (lib/appraise/
 * dcap_appraise.c cites the source): ICSSD, LASS, SEPT_VE_DISABLE,
 * MIGRATABLE, PKS, KL, TPA, PERFMON. */
static const int td_defined_bits[] = {16, 27, 28, 29, 30, 31, 62, 63};

static const variant td_variants[] = {{1, 4, 0}, {1, 5, DCAPGEN_BODY_TD15}};

static void set_td_attributes(fixture *f, uint64_t attr)
{
    for (int i = 0; i < 8; i++)
        f->d.body[DCAPGEN_TD_OFF_TD_ATTRIBUTES + i] = (uint8_t)(attr >> (8 * i));
    fx_stale(f);
}

/* Verify under `policy`; expect `want` and, when `check` fails, a reason
 * naming the check and (bit >= 0) the bit. */
static void expect_td_attr(fixture *f, const char *policy, int want, const char *check,
                           int outcome, int bit, const char *what)
{
    attest_result *r = NULL;
    int status = fx_verify_full(f, policy, AT_GOOD, NULL, 0, 1, &r);
    cr_expect_eq(status, want, "%s bit %d: %s (%s)", what, bit, attest_status_name(status),
                 attest_result_reason(r));
    cr_expect_eq(check_outcome(r, check), outcome, "%s bit %d: check %s", what, bit, check);
    if (outcome == ATTEST_CHECK_FAIL) {
        char name[24];
        snprintf(name, sizeof name, "bit(s) %d ", bit);
        cr_expect(strstr(attest_result_reason(r), check) != NULL, "%s", attest_result_reason(r));
        cr_expect(bit < 0 || strstr(attest_result_reason(r), name) != NULL, "%s bit %d: %s",
                  what, bit, attest_result_reason(r));
    }
    attest_result_free(r);
}

/* TD_ATTRIBUTES byte 0 is the debug group (DEBUG, then debug and host
 * profiling features): any of its bits makes a debug TD. */
Test(dcap_synthetic, td_attributes_byte0_is_debug)
{
    for (size_t v = 0; v < sizeof td_variants / sizeof td_variants[0]; v++) {
        fixture f;
        fx_load(&f, "intel", 1, td_variants[v].version, td_variants[v].body_type);
        for (int bit = 0; bit < 8; bit++) {
            set_td_attributes(&f, TD_ATTR_SEPT_VE_DISABLE | 1ull << bit);
            expect_td_attr(&f, NULL, ATTEST_E_POLICY_DEBUG, "policy.tdx.debug",
                           ATTEST_CHECK_FAIL, bit, "default policy");
            expect_td_attr(&f, "{\"tdx\":{\"allow_debug\":true}}", ATTEST_OK,
                           "policy.tdx.debug", ATTEST_CHECK_PASS, bit, "allow_debug");
        }
        fx_free(&f);
    }
}

/* Every other bit: the defined ones pass the default policy, the reserved
 * ones are refused by their own check, and no policy member relaxes it. */
Test(dcap_synthetic, td_attributes_reserved_bits_rejected, .timeout = 60)
{
    static const char *const lax =
        "{\"tdx\":{\"allow_debug\":true,\"require_sept_ve_disable\":false,"
        "\"accepted_tcb_statuses\":" ALL_STATUSES ",\"allow_expired_collateral\":true}}";
    for (size_t v = 0; v < sizeof td_variants / sizeof td_variants[0]; v++) {
        fixture f;
        fx_load(&f, "intel", 1, td_variants[v].version, td_variants[v].body_type);
        uint64_t defined = 0;
        for (size_t i = 0; i < sizeof td_defined_bits / sizeof td_defined_bits[0]; i++)
            defined |= 1ull << td_defined_bits[i];
        for (int bit = 8; bit < 64; bit++) {
            set_td_attributes(&f, TD_ATTR_SEPT_VE_DISABLE | 1ull << bit);
            if (defined >> bit & 1) {
                expect_td_attr(&f, NULL, ATTEST_OK, "policy.tdx.td_attributes_reserved",
                               ATTEST_CHECK_PASS, bit, "defined");
                continue;
            }
            expect_td_attr(&f, NULL, ATTEST_E_POLICY_GUEST_POLICY,
                           "policy.tdx.td_attributes_reserved", ATTEST_CHECK_FAIL, bit,
                           "reserved, default policy");
            expect_td_attr(&f, lax, ATTEST_E_POLICY_GUEST_POLICY,
                           "policy.tdx.td_attributes_reserved", ATTEST_CHECK_FAIL, bit,
                           "reserved, allow_debug and every relaxation");
        }
        /* Every defined bit outside byte 0 at once. */
        set_td_attributes(&f, defined);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "all defined bits");
        /* A reserved bit next to a debug bit: both checks fail. */
        set_td_attributes(&f, TD_ATTR_SEPT_VE_DISABLE | 1ull << 0 | 1ull << 40);
        expect_td_attr(&f, "{\"tdx\":{\"allow_debug\":true}}", ATTEST_E_POLICY_GUEST_POLICY,
                       "policy.tdx.td_attributes_reserved", ATTEST_CHECK_FAIL, 40,
                       "debug TD, allow_debug");
        fx_free(&f);
    }
}

/* SEPT_VE_DISABLE (bit 28) is required unless the policy relaxes it. */
Test(dcap_synthetic, sept_ve_disable_required_by_default)
{
    /* clear, and clear with PKS as go-tdx-guest's SPR_E4 sample */
    static const uint64_t clear[] = {0, 1ull << 30};
    for (size_t v = 0; v < sizeof td_variants / sizeof td_variants[0]; v++) {
        fixture f;
        fx_load(&f, "intel", 1, td_variants[v].version, td_variants[v].body_type);
        expect_td_attr(&f, NULL, ATTEST_OK, "policy.tdx.sept_ve_disable", ATTEST_CHECK_PASS,
                       28, "generator default");
        for (size_t i = 0; i < sizeof clear / sizeof clear[0]; i++) {
            set_td_attributes(&f, clear[i]);
            expect_td_attr(&f, NULL, ATTEST_E_POLICY_GUEST_POLICY, "policy.tdx.sept_ve_disable",
                           ATTEST_CHECK_FAIL, -1, "default policy");
            expect_td_attr(&f, "{\"tdx\":{\"require_sept_ve_disable\":true}}",
                           ATTEST_E_POLICY_GUEST_POLICY, "policy.tdx.sept_ve_disable",
                           ATTEST_CHECK_FAIL, -1, "required");
            expect_td_attr(&f, "{\"tdx\":{\"require_sept_ve_disable\":false}}", ATTEST_OK,
                           "policy.tdx.sept_ve_disable", ATTEST_CHECK_PASS, -1, "relaxed");
            /* Relaxing debug does not relax it. */
            expect_td_attr(&f, "{\"tdx\":{\"allow_debug\":true}}", ATTEST_E_POLICY_GUEST_POLICY,
                           "policy.tdx.sept_ve_disable", ATTEST_CHECK_FAIL, -1, "allow_debug");
        }
        fx_free(&f);
    }
}

/* Bytes after the signature data: zero padding passes; one non-zero byte
 * (the signatures, which do not cover it, still verify) is rejected by
 * the parser with ATTEST_E_LENGTH naming the field and the offset. */
Test(dcap_synthetic, non_zero_byte_after_the_signature_data)
{
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const variant *w = &variants[i];
        fixture f;
        fx_load(&f, "intel", w->tdx, w->version, w->body_type);
        f.d.pad = 16;
        fx_build(&f);
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "variant %zu zero padding", i);
        size_t end = f.lay.sig_data_end;
        size_t at[] = {end, end + 7, f.quote_len - 1};
        for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
            char want[64];
            f.quote[at[k]] = 0x5a;
            cr_expect_eq(dcapgen_quote_verify(f.quote, f.quote_len, f.pki->pck_key), 0,
                         "variant %zu: only the trailing byte is wrong", i);
            cr_expect_eq(fx_verify(&f, NULL), ATTEST_E_LENGTH, "variant %zu offset %zu", i,
                         at[k]);
            snprintf(want, sizeof want, "dcap.quote.trailing: byte 0x5a at offset %zu,", at[k]);
            cr_expect(strstr(attest_error_last(), want) != NULL, "%s", attest_error_last());
            f.quote[at[k]] = 0;
        }
        cr_expect_eq(fx_verify(&f, NULL), ATTEST_OK, "variant %zu padding restored", i);
        fx_free(&f);
    }
}

Test(dcap_synthetic, td_measurements_and_attributes)
{
    char hex7d[97], hex00[97], hex62[97], hex01[97], policy[1024];
    hex_repeat(hex7d, 0x7D, 48);
    hex_repeat(hex00, 0x00, 48);
    hex_repeat(hex62, 0x62, 48);
    hex_repeat(hex01, 0x01, 48);
    struct { const char *fmt, *a, *b; int want; } cases[] = {
        {"{\"tdx\":{\"mrtd\":[\"%s\"]}}", hex7d, NULL, ATTEST_OK},
        {"{\"tdx\":{\"mrtd\":[\"%s\",\"%s\"]}}", hex00, hex7d, ATTEST_OK},
        {"{\"tdx\":{\"mrtd\":[\"%s\",\"%s\"]}}", hex00, hex01, ATTEST_E_POLICY_MEASUREMENT},
        {"{\"tdx\":{\"rtmr2\":\"%s\"}}", hex62, NULL, ATTEST_OK},
        {"{\"tdx\":{\"rtmr2\":\"%s\"}}", hex00, NULL, ATTEST_E_POLICY_MEASUREMENT},
        {"{\"tdx\":{\"rtmr3\":\"%s\"}}", hex62, NULL, ATTEST_E_POLICY_MEASUREMENT},
        {"{\"tdx\":{\"xfam\":\"e702060000000000\"}}", NULL, NULL, ATTEST_OK},
        {"{\"tdx\":{\"xfam\":\"e702060000000001\"}}", NULL, NULL, ATTEST_E_POLICY_GUEST_POLICY},
        {"{\"tdx\":{\"td_attributes\":\"0000001000000000\"}}", NULL, NULL, ATTEST_OK},
        {"{\"tdx\":{\"td_attributes\":\"0000000000000000\"}}", NULL, NULL,
         ATTEST_E_POLICY_GUEST_POLICY},
        {"{\"tdx\":{\"mrowner\":\"%s\"}}", hex00, NULL, ATTEST_OK},
        {"{\"tdx\":{\"mrowner\":\"%s\"}}", hex01, NULL, ATTEST_E_POLICY_ID},
        {"{\"tdx\":{\"mrservicetd\":\"%s\"}}", hex00, NULL, ATTEST_OK},
    };
    for (int v = 0; v < 2; v++) {
        fixture f;
        if (v == 0)
            fx_load(&f, "intel", 1, 4, 0);
        else
            fx_load(&f, "intel", 1, 5, DCAPGEN_BODY_TD15);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            snprintf(policy, sizeof policy, cases[i].fmt, cases[i].a, cases[i].b);
            cr_expect_eq(fx_verify(&f, policy), cases[i].want, "v%d %s", v, policy);
        }
        fx_free(&f);
    }
}

Test(dcap_synthetic, report_data_nonce_binding)
{
    static const uint8_t nonce[] = "relying party challenge 0001";
    static const uint8_t other[] = "relying party challenge 0002";
    for (int tdx = 0; tdx <= 1; tdx++) {
        fixture f;
        uint8_t digest[64];
        unsigned int n = 0;
        const char *policy = tdx ? "{\"tdx\":{\"report_data_binding\":\"sha512\"}}"
                                 : "{\"sgx\":{\"report_data_binding\":\"sha512\"}}";
        fx_load(&f, "intel", tdx, 0, 0);
        cr_assert_eq(EVP_Digest(nonce, sizeof nonce - 1, digest, &n, EVP_sha512(), NULL), 1);
        memcpy(f.d.body + (tdx ? DCAPGEN_TD_OFF_REPORTDATA : DCAPGEN_RPT_OFF_REPORTDATA), digest,
               64);
        cr_expect_eq(fx_verify_full(&f, policy, AT_GOOD, nonce, sizeof nonce - 1, 1, NULL),
                     ATTEST_OK, "tdx %d", tdx);
        cr_expect_eq(fx_verify_full(&f, policy, AT_GOOD, other, sizeof other - 1, 1, NULL),
                     ATTEST_E_POLICY_REPORT_DATA, "tdx %d wrong nonce", tdx);
        cr_expect_eq(fx_verify_full(&f, policy, AT_GOOD, NULL, 0, 1, NULL),
                     ATTEST_E_POLICY_REPORT_DATA, "tdx %d no nonce", tdx);
        /* Without a binding in the policy a nonce is bound raw (and this
         * report data holds its SHA-512); "none" cannot verify a nonce. */
        cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, nonce, sizeof nonce - 1, 1, NULL),
                     ATTEST_E_POLICY_REPORT_DATA, "tdx %d default binding", tdx);
        cr_expect_eq(fx_verify_full(&f, tdx ? "{\"tdx\":{\"report_data_binding\":\"none\"}}"
                                            : "{\"sgx\":{\"report_data_binding\":\"none\"}}",
                                    AT_GOOD, nonce, sizeof nonce - 1, 1, NULL),
                     ATTEST_E_POLICY_REPORT_DATA, "tdx %d binding none with a nonce", tdx);
        cr_expect_eq(fx_verify_full(&f, NULL, AT_GOOD, NULL, 0, 1, NULL), ATTEST_OK,
                     "tdx %d no nonce, no binding", tdx);
        fx_free(&f);
    }
}

Test(dcap_synthetic, sgx_enclave_identity)
{
    char h5a[65], h5b[65], h00[65], policy[512];
    hex_repeat(h5a, 0x5A, 32);
    hex_repeat(h5b, 0x5B, 32);
    hex_repeat(h00, 0x00, 32);
    struct { const char *fmt, *a; int want; } cases[] = {
        {"{\"sgx\":{\"mrenclave\":[\"%s\"]}}", h5a, ATTEST_OK},
        {"{\"sgx\":{\"mrenclave\":[\"%s\"]}}", h00, ATTEST_E_POLICY_MEASUREMENT},
        {"{\"sgx\":{\"mrsigner\":\"%s\"}}", h5b, ATTEST_OK},
        {"{\"sgx\":{\"mrsigner\":\"%s\"}}", h5a, ATTEST_E_POLICY_ID},
        {"{\"sgx\":{\"isvprodid\":1}}", NULL, ATTEST_OK},
        {"{\"sgx\":{\"isvprodid\":2}}", NULL, ATTEST_E_POLICY_ID},
        {"{\"sgx\":{\"min_isvsvn\":1}}", NULL, ATTEST_OK},
        {"{\"sgx\":{\"min_isvsvn\":2}}", NULL, ATTEST_E_POLICY_FIRMWARE},
        {"{\"sgx\":{\"mrenclave\":[\"%s\"],\"isvprodid\":1,\"min_isvsvn\":1}}", h5a,
         ATTEST_OK},
    };
    for (int v = 0; v < 2; v++) {
        fixture f;
        fx_load(&f, "intel", 0, v ? 5 : 3, 0);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            snprintf(policy, sizeof policy, cases[i].fmt, cases[i].a);
            cr_expect_eq(fx_verify(&f, policy), cases[i].want, "v%d %s", v, policy);
        }
        fx_free(&f);
    }
}

Test(dcap_synthetic, advisories_and_evaluation_number)
{
    fixture f;
    fx_load(&f, "intel", 1, 4, 0);
    cr_expect_eq(fx_verify(&f, "{\"tdx\":{\"forbidden_advisory_ids\":[\"INTEL-SA-00001\"]}}"),
                 ATTEST_OK, "UpToDate has no advisory");
    cr_expect_eq(fx_verify(&f, "{\"tdx\":{\"allowed_advisory_ids\":[]}}"), ATTEST_OK);
    use_tcb_status(&f, "SWHardeningNeeded"); /* INTEL-SA-00001 */
    cr_expect_eq(fx_verify(&f, "{\"tdx\":{\"accepted_tcb_statuses\":[\"SWHardeningNeeded\"],"
                               "\"forbidden_advisory_ids\":[\"INTEL-SA-00001\"]}}"),
                 ATTEST_E_POLICY_ADVISORY);
    cr_expect_eq(fx_verify(&f, "{\"tdx\":{\"accepted_tcb_statuses\":[\"SWHardeningNeeded\"],"
                               "\"forbidden_advisory_ids\":[\"INTEL-SA-00837\"]}}"),
                 ATTEST_OK);
    cr_expect_eq(fx_verify(&f, "{\"tdx\":{\"accepted_tcb_statuses\":[\"SWHardeningNeeded\"],"
                               "\"allowed_advisory_ids\":[\"INTEL-SA-00001\"]}}"),
                 ATTEST_OK);
    cr_expect_eq(fx_verify(&f, "{\"tdx\":{\"accepted_tcb_statuses\":[\"SWHardeningNeeded\"],"
                               "\"allowed_advisory_ids\":[\"INTEL-SA-00002\"]}}"),
                 ATTEST_E_POLICY_ADVISORY);
    /* A module advisory (merged) is judged too. */
    set_tee_tcb_svn(&f, 2, 1, 2);
    fx_build(&f);
    cr_expect_eq(fx_verify(&f, "{\"tdx\":{\"accepted_tcb_statuses\":[\"OutOfDate\"],"
                               "\"forbidden_advisory_ids\":[\"INTEL-SA-00002\"]}}"),
                 ATTEST_E_POLICY_ADVISORY);
    fx_free(&f);
    fx_load(&f, "intel", 0, 3, 0);
    cr_expect_eq(fx_verify(&f, "{\"sgx\":{\"min_tcb_evaluation_data_number\":17}}"), ATTEST_OK);
    cr_expect_eq(fx_verify(&f, "{\"sgx\":{\"min_tcb_evaluation_data_number\":18}}"),
                 ATTEST_E_POLICY_TCB_EVALUATION);
    cr_expect_eq(fx_verify(&f, "{\"tdx\":{\"min_tcb_evaluation_data_number\":18}}"),
                 ATTEST_E_POLICY_PLATFORM, "a TDX policy accepts no SGX quote");
    cr_expect_eq(fx_verify(&f, "{\"sgx\":{},\"tdx\":{\"min_tcb_evaluation_data_number\":18}}"),
                 ATTEST_OK, "the tdx section does not apply to SGX");
    fx_free(&f);
}

Test(dcap_synthetic, unknown_policy_members_rejected)
{
    static const char *const bad[] = {
        "{\"tdx\":{\"mrtdd\":[]}}",
        "{\"tdx\":{\"mrenclave\":[]}}",          /* an sgx member */
        "{\"sgx\":{\"rtmr0\":\"00\"}}",            /* a tdx member */
        "{\"tdx\":{\"allow_debug\":1}}",
        "{\"tdx\":{\"accepted_tcb_statuses\":[\"Fine\"]}}",
        "{\"tdx\":{\"report_data_binding\":\"sha1\"}}",
        "{\"tdx\":{\"xfam\":\"e7020600\"}}",
        "{\"tdx\":{\"require_sept_ve_disable\":\"no\"}}",
        "{\"sgx\":{\"require_sept_ve_disable\":false}}", /* a tdx member */
        "{\"tdx\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        attest_policy *p = NULL;
        cr_expect_eq(attest_policy_from_json(&p, bad[i], strlen(bad[i])),
                     ATTEST_E_POLICY_INVALID, "%s", bad[i]);
        attest_policy_free(p);
    }
    attest_policy *p = NULL;
    cr_expect_eq(attest_policy_from_json(&p, bad[0], strlen(bad[0])), ATTEST_E_POLICY_INVALID);
    cr_expect(strstr(attest_error_last(), "mrtdd"), "%s", attest_error_last());
    attest_policy_free(p);
}
