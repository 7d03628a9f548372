/* Azure CVM evidence built with the test PKI (attest-mock azure): one
 * accepted baseline per TEE, then each way an attacker who controls the
 * evidence could try to pass it, each rejected with its own code. */
#include "testutil.h"

#include <stdarg.h>
#include <unistd.h>

#define AT_2025 "2025-06-15T00:00:00Z"

typedef struct az_parts {
    uint8_t *data[5];
    size_t len[5];
    attest_part_kind kind[5];
    size_t n;
} az_parts;

static char tmp[64];

static void setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/attest-azmock-XXXXXX");
    cr_assert(mkdtemp(tmp));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    cr_assert_eq(system(cmd), 0);
}

/* Run attest-mock with the arguments (a printf format); PKI directories
 * are under $ATTEST_TEST_PKI. */
static void mock(const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *m = getenv("ATTEST_MOCK"), *pki = getenv("ATTEST_TEST_PKI");
    cr_assert(m && pki, "ATTEST_MOCK and ATTEST_TEST_PKI must be set");
    snprintf(cmd, sizeof cmd, "cd %s && %s %s >/dev/null", pki, m, args);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void add(az_parts *p, attest_part_kind kind, const char *path)
{
    p->kind[p->n] = kind;
    p->data[p->n] = tu_read(path, &p->len[p->n]);
    cr_assert(p->data[p->n], "cannot read %s", path);
    p->n++;
}

static void release(az_parts *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->data[i]);
    p->n = 0;
}

/* The test PKI's SNP set: HCL report, quote, signature, PCR values. */
static void snp_set(az_parts *p, const char *hcl, const char *quote, const char *sig,
                    const char *pcrs)
{
    char path[512];
    add(p, ATTEST_PART_HCL_REPORT, hcl ? hcl : tu_pki(path, sizeof path, "azure/snp/hcl_report.bin"));
    add(p, ATTEST_PART_TPM_QUOTE, quote ? quote : tu_pki(path, sizeof path, "azure/snp/quote_msg.bin"));
    add(p, ATTEST_PART_TPM_SIGNATURE, sig ? sig : tu_pki(path, sizeof path, "azure/snp/quote_sig.bin"));
    add(p, ATTEST_PART_TPM_PCRS, pcrs ? pcrs : tu_pki(path, sizeof path, "azure/snp/pcrs.bin"));
}

static void read_hex_file(uint8_t *out, size_t *n, const char *rel)
{
    char path[512], hex[256] = {0};
    FILE *f = fopen(tu_pki(path, sizeof path, rel), "r");
    cr_assert(f && fgets(hex, sizeof hex, f));
    fclose(f);
    *n = 0;
    for (size_t i = 0; hex[2 * i] && hex[2 * i] != '\n'; i++)
        sscanf(hex + 2 * i, "%2hhx", &out[(*n)++]);
}

static void pin(attest_verifier *v, attest_vendor vendor, const char *rel)
{
    uint8_t a[64];
    size_t n;
    read_hex_file(a, &n, rel);
    cr_assert_eq(n, 32);
    cr_assert_eq(attest_verifier_clear_anchors(v, vendor), ATTEST_OK);
    cr_assert_eq(attest_verifier_add_anchor(v, vendor, a), ATTEST_OK);
}

/* Verify parts with the test PKI's collateral and anchors; the nonce is
 * the set's (NULL) or `nonce_hex`. Returns the status; *failed names the
 * first failing check. */
static int verify(az_parts *p, const char *const *coll_files, const char *policy,
                  const char *nonce_hex, char *failed, size_t failed_len)
{
    char path[512];
    uint8_t nonce[64];
    size_t nonce_len = 0;
    attest_evidence *ev = NULL;
    int status = attest_evidence_from_parts(&ev, p->kind, (const uint8_t *const *)p->data,
                                            p->len, p->n);
    release(p);
    if (status != ATTEST_OK) {
        snprintf(failed, failed_len, "parse: %s", attest_error_last());
        return status;
    }
    if (nonce_hex)
        for (; nonce_hex[2 * nonce_len]; nonce_len++)
            sscanf(nonce_hex + 2 * nonce_len, "%2hhx", &nonce[nonce_len]);
    else
        read_hex_file(nonce, &nonce_len, "azure/snp/nonce.hex");
    attest_collateral *coll = NULL;
    cr_assert_eq(attest_collateral_new(&coll), ATTEST_OK);
    for (size_t i = 0; coll_files[i]; i++)
        tu_add_file(coll, tu_pki(path, sizeof path, coll_files[i]));
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    attest_verifier_set_time(v, tu_time(AT_2025));
    pin(v, ATTEST_VENDOR_AMD, "genoa/anchor.sha256");
    pin(v, ATTEST_VENDOR_INTEL, "intel/anchor.sha256");
    pin(v, ATTEST_VENDOR_AZURE_VTPM, "azure/anchor.sha256");
    attest_policy *pol = policy ? tu_policy(policy) : NULL;
    attest_result *r = NULL;
    status = attest_verify(&r, v, ev, coll, pol, nonce, nonce_len);
    cr_assert(r);
    snprintf(failed, failed_len, "%s", attest_result_reason(r));
    attest_result_free(r);
    attest_policy_free(pol);
    attest_verifier_free(v);
    attest_collateral_free(coll);
    attest_evidence_free(ev);
    return status;
}

static const char *const SNP_COLL[] = {"genoa/vcek.pem", "genoa/chain.pem", "genoa/crl.der",
                                       "azure/ak.pem", "azure/chain.pem", NULL};

#define EXPECT(st, want, why)                                                          \
    cr_expect_eq(st, want, "got %s (%s), want %s", attest_status_name(st), why,         \
                 attest_status_name(want))

TestSuite(azure_mock, .init = setup, .fini = teardown);

Test(azure_mock, snp_baseline_accepted_by_default_policy)
{
    az_parts p = {0};
    char why[512];
    snp_set(&p, NULL, NULL, NULL, NULL);
    int st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_OK, why);
    /* The AK certificate is verified when given, and may be required. */
    snp_set(&p, NULL, NULL, NULL, NULL);
    st = verify(&p, SNP_COLL, "{\"snp\":{},\"azure\":{\"require_ak_cert\":true}}", NULL, why,
                sizeof why);
    EXPECT(st, ATTEST_OK, why);
}

Test(azure_mock, wrong_nonce)
{
    az_parts p = {0};
    char why[512];
    snp_set(&p, NULL, NULL, NULL, NULL);
    int st = verify(&p, SNP_COLL, NULL, "617a7572652d746573742d6e6f6e63652d30303032", why,
                    sizeof why);
    EXPECT(st, ATTEST_E_TPM_NONCE, why);
}

/* Flip one byte of `file` (a copy in tmp) at the first occurrence of
 * `needle` + skip, or at `offset` when needle is NULL; returns the copy. */
static const char *edited(const char *rel, const char *needle, size_t at, uint8_t x,
                          const char *name)
{
    static char out[512];
    char path[512];
    size_t len;
    uint8_t *d = tu_read(tu_pki(path, sizeof path, rel), &len);
    cr_assert(d);
    if (needle) {
        size_t k = 0, m = strlen(needle);
        while (k + m <= len && memcmp(d + k, needle, m))
            k++;
        cr_assert(k + m <= len, "%s not in %s", needle, rel);
        at += k;
    }
    cr_assert(at < len);
    d[at] ^= x;
    snprintf(out, sizeof out, "%s/%s", tmp, name);
    FILE *f = fopen(out, "wb");
    cr_assert(f && fwrite(d, 1, len, f) == len);
    fclose(f);
    free(d);
    return out;
}

Test(azure_mock, claims_changed_by_one_byte)
{
    az_parts p = {0};
    char why[512];
    /* vmUniqueId 7E57A2E5-... becomes 6E57A2E5-...: valid JSON, other claims. */
    snp_set(&p, edited("azure/snp/hcl_report.bin", "\"vmUniqueId\":\"", 14, 0x01, "hcl"),
            NULL, NULL, NULL);
    int st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_AZURE_CLAIMS_BINDING, why);
}

Test(azure_mock, report_data_bound_to_other_claims)
{
    az_parts p = {0};
    char why[512], hcl[512];
    snprintf(hcl, sizeof hcl, "%s/hcl", tmp);
    mock("azure hcl --claims azure/claims.json --snp-pki genoa --report-data-override "
         "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff -o %s", hcl);
    snp_set(&p, hcl, NULL, NULL, NULL);
    int st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_AZURE_CLAIMS_BINDING, why);
    /* The second half of REPORT_DATA must be zero too. */
    mock("azure hcl --claims azure/claims.json --snp-pki genoa --report-data-override "
         "%s00000000000000000000000000000000000000000000000000000000000001 -o %s",
         "0000000000000000000000000000000000000000000000000000000000000000", hcl);
    snp_set(&p, hcl, NULL, NULL, NULL);
    st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    cr_expect_neq(st, ATTEST_OK, "%s", why);
}

Test(azure_mock, pcr_value_changed)
{
    az_parts p = {0};
    char why[512];
    snp_set(&p, NULL, NULL, NULL, edited("azure/snp/pcrs.bin", NULL, 32 * 7 + 3, 0x80, "pcrs"));
    int st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_TPM_PCR_DIGEST, why);
}

Test(azure_mock, quote_signed_by_another_key)
{
    az_parts p = {0};
    char why[512], q[512], s[512];
    snprintf(q, sizeof q, "%s/q", tmp);
    snprintf(s, sizeof s, "%s/s", tmp);
    mock("azure quote --pki azure --nonce 617a7572652d746573742d6e6f6e63652d30303031 "
         "--sign-with azure-rogue/ak.key.pem -o %s --sig-out %s", q, s);
    snp_set(&p, NULL, q, s, NULL);
    int st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_TPM_SIGNATURE, why);
    /* A signature byte flipped. */
    snp_set(&p, NULL, NULL, edited("azure/snp/quote_sig.bin", NULL, 100, 0x01, "sig"), NULL);
    st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_TPM_SIGNATURE, why);
}

/* A whole Azure PKI of the attacker's: claims with its AK, a quote it
 * signs, an AK certificate from its own root. The SNP report binds those
 * claims (the attacker is assumed to hold a genuine VM) but the AK
 * certificate does not chain to the pinned root. */
Test(azure_mock, ak_certificate_from_another_root)
{
    az_parts p = {0};
    char why[512], claims[512], hcl[512], q[512], s[512];
    snprintf(claims, sizeof claims, "%s/claims.json", tmp);
    snprintf(hcl, sizeof hcl, "%s/hcl", tmp);
    snprintf(q, sizeof q, "%s/q", tmp);
    snprintf(s, sizeof s, "%s/s", tmp);
    mock("azure claims --pki azure-rogue -o %s", claims);
    mock("azure hcl --claims %s --snp-pki genoa -o %s", claims, hcl);
    mock("azure quote --pki azure-rogue --nonce 617a7572652d746573742d6e6f6e63652d30303031 "
         "-o %s --sig-out %s", q, s);
    const char *coll[] = {"genoa/vcek.pem", "genoa/chain.pem", "genoa/crl.der",
                          "azure-rogue/ak.pem", "azure-rogue/chain.pem", NULL};
    add(&p, ATTEST_PART_HCL_REPORT, hcl);
    add(&p, ATTEST_PART_TPM_QUOTE, q);
    add(&p, ATTEST_PART_TPM_SIGNATURE, s);
    int st = verify(&p, coll, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_CERT_UNTRUSTED_ROOT, why);
}

Test(azure_mock, trailing_bytes_refused)
{
    char why[512], path[512];
    az_parts p = {0};
    size_t len;
    uint8_t *d = tu_read(tu_pki(path, sizeof path, "azure/snp/quote_msg.bin"), &len);
    snprintf(path, sizeof path, "%s/q", tmp);
    FILE *f = fopen(path, "wb");
    cr_assert(f && fwrite(d, 1, len, f) == len && fputc(0, f) == 0);
    fclose(f);
    free(d);
    snp_set(&p, NULL, path, NULL, NULL);
    int st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_LENGTH, why);
    /* A non-zero byte in the HCL's zero tail. */
    snp_set(&p, edited("azure/snp/hcl_report.bin", NULL, 2599, 0x01, "hcl"), NULL, NULL, NULL);
    st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_LENGTH, why);
}

Test(azure_mock, ak_by_kid_not_position)
{
    az_parts p = {0};
    char why[512], claims[512], hcl[512];
    snprintf(claims, sizeof claims, "%s/claims.json", tmp);
    snprintf(hcl, sizeof hcl, "%s/hcl", tmp);
    /* The EK first: the AK is still found by its kid. */
    mock("azure claims --pki azure --ek-first -o %s", claims);
    mock("azure hcl --claims %s --snp-pki genoa -o %s", claims, hcl);
    snp_set(&p, hcl, NULL, NULL, NULL);
    int st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_OK, why);
    /* No key with kid HCLAkPub: no AK, no evidence. */
    mock("azure claims --pki azure --ak-kid HCLAkPub2 -o %s", claims);
    mock("azure hcl --claims %s --snp-pki genoa -o %s", claims, hcl);
    snp_set(&p, hcl, NULL, NULL, NULL);
    st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_MALFORMED, why);
}

Test(azure_mock, unauthenticated_header_fields_refused)
{
    az_parts p = {0};
    char why[512], hcl[512];
    snprintf(hcl, sizeof hcl, "%s/hcl", tmp);
    /* Hash type 2 (SHA-384) is defined but never seen: refused, not guessed. */
    mock("azure hcl --claims azure/claims.json --snp-pki genoa --hash-type 2 -o %s", hcl);
    snp_set(&p, hcl, NULL, NULL, NULL);
    int st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_UNSUPPORTED_VERSION, why);
    /* An HCL that says TDX around an SNP report. */
    mock("azure hcl --claims azure/claims.json --snp-pki genoa --report-type 4 -o %s", hcl);
    snp_set(&p, hcl, NULL, NULL, NULL);
    st = verify(&p, SNP_COLL, NULL, NULL, why, sizeof why);
    cr_expect_neq(st, ATTEST_OK, "%s", why);
}

/* ---- TDX ---------------------------------------------------------------- */

static const char *const TDX_COLL[] = {"intel/tcb_info_tdx.json", "intel/qe_identity_td.json",
                                       "intel/pck_crl.der", "intel/root_crl.der",
                                       "intel/tcb_signing_chain.pem", "azure/ak.pem",
                                       "azure/chain.pem", NULL};

static void tdx_set(az_parts *p, const char *hcl, const char *td_quote)
{
    char path[512];
    add(p, ATTEST_PART_HCL_REPORT, hcl ? hcl : tu_pki(path, sizeof path, "azure/tdx/hcl_report.bin"));
    add(p, ATTEST_PART_TD_QUOTE, td_quote ? td_quote : tu_pki(path, sizeof path, "azure/tdx/td_quote.bin"));
    add(p, ATTEST_PART_TPM_QUOTE, tu_pki(path, sizeof path, "azure/tdx/quote_msg.bin"));
    add(p, ATTEST_PART_TPM_SIGNATURE, tu_pki(path, sizeof path, "azure/tdx/quote_sig.bin"));
    add(p, ATTEST_PART_TPM_PCRS, tu_pki(path, sizeof path, "azure/tdx/pcrs.bin"));
}

Test(azure_mock, tdx_baseline_and_foreign_td_quote)
{
    az_parts p = {0};
    char why[512], hcl[512], td[512];
    tdx_set(&p, NULL, NULL);
    int st = verify(&p, TDX_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_OK, why);
    /* A genuine TD quote of another TD (other MRTD, same claims). */
    snprintf(hcl, sizeof hcl, "%s/hcl", tmp);
    snprintf(td, sizeof td, "%s/td", tmp);
    mock("azure hcl --claims azure/claims.json --tdx-pki intel --mrtd %s --td-quote-out %s -o %s",
         "11111111111111111111111111111111111111111111111111111111111111111111111111111111"
         "1111111111111111", td, hcl);
    tdx_set(&p, NULL, td);
    st = verify(&p, TDX_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_AZURE_TD_REPORT, why);
    /* Without its TD quote the TDREPORT proves nothing. */
    char path[512];
    add(&p, ATTEST_PART_HCL_REPORT, tu_pki(path, sizeof path, "azure/tdx/hcl_report.bin"));
    add(&p, ATTEST_PART_TPM_QUOTE, tu_pki(path, sizeof path, "azure/tdx/quote_msg.bin"));
    add(&p, ATTEST_PART_TPM_SIGNATURE, tu_pki(path, sizeof path, "azure/tdx/quote_sig.bin"));
    st = verify(&p, TDX_COLL, NULL, NULL, why, sizeof why);
    EXPECT(st, ATTEST_E_AZURE_QUOTE_MISSING, why);
}
