/*
 * azgen's C API (vectors/gen/azgen.h), as the Azure integration tests use
 * it: the quote layout and signature, the claims JSON with the AK as a JWK,
 * an HCL report binding them to an SNP report, and a TDREPORT matching its
 * TD quote body. The byte-level checks of the CLI output are in
 * tests/azgen.sh; this suite also runs the generator under ASan and UBSan.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <string.h>

#include "azgen.h"
#include "dcapgen.h"
#include "snpgen.h"
#include "testutil.h"

static azgen_pki *load_azure(void)
{
    char dir[4096];
    azgen_pki *pki = NULL;
    cr_assert_eq(azgen_pki_load(&pki, tu_pki(dir, sizeof dir, "azure")), 0, "%s", dir);
    return pki;
}

static void sha256(uint8_t out[32], const void *d, size_t n)
{
    cr_assert_eq(EVP_Digest(d, n, out, NULL, EVP_sha256(), NULL), 1);
}

Test(azgen, quote_layout_signature_and_digest)
{
    azgen_pki *pki = load_azure();
    azgen_quote_desc q;
    azgen_quote_layout l;
    uint8_t *msg = NULL, *sig = NULL, *vals = NULL, digest[32];
    size_t len = 0, sig_len = 0, n = 0;
    cr_assert_eq(azgen_quote_desc_init(&q, pki->ak_key), 0);
    memcpy(q.nonce, "challenge", 9);
    q.nonce_len = 9;
    cr_assert_eq(azgen_pcr_list_parse(&q.selection, "0-7,14"), 0);
    cr_assert_eq(q.selection, 0x40FFu);
    cr_assert_eq(azgen_quote_build(&msg, &len, &l, &q), 0);
    /* K1's length for a 9-byte nonce; extraData right after the name */
    cr_expect_eq(len, 122);
    cr_expect_eq(l.extra_data_off, 42);
    cr_expect_eq(memcmp(msg + l.extra_data_off + 2, "challenge", 9), 0);
    cr_expect_eq(memcmp(msg + l.selection_off, "\0\0\0\1\0\x0b\3\xff\x40\0", 10), 0);
    cr_assert_eq(azgen_quote_pcr_values(&vals, &n, &q), 0);
    cr_assert_eq(n, 9 * 32);
    sha256(digest, vals, n);
    cr_expect_eq(memcmp(msg + l.digest_off + 2, digest, 32), 0);
    cr_assert_eq(azgen_quote_sign(&sig, &sig_len, msg, len, pki->ak_key), 0);
    cr_expect_eq(sig_len, 256);
    cr_expect_eq(azgen_quote_verify(sig, sig_len, msg, len, pki->ak_key), 0);
    msg[l.firmware_off] ^= 1;
    cr_expect_neq(azgen_quote_verify(sig, sig_len, msg, len, pki->ak_key), 0,
                  "a changed byte must break the signature");
    cr_expect_neq(azgen_pcr_list_parse(&q.selection, "0-24"), 0);
    cr_expect_neq(azgen_pcr_list_parse(&q.selection, "3-1"), 0);
    cr_expect_neq(azgen_pcr_list_parse(&q.selection, "1,,2"), 0);
    free(vals);
    free(sig);
    free(msg);
    azgen_pki_free(pki);
}

/* The JWK "n" of kid in the claims, decoded. */
static BIGNUM *jwk_n(const char *claims, size_t len, const char *kid)
{
    json_t *root = json_loadb(claims, len, 0, NULL), *k;
    BIGNUM *bn = NULL;
    size_t i;
    cr_assert(root, "claims are JSON");
    json_array_foreach(json_object_get(root, "keys"), i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "kid")), kid) == 0) {
            const char *n = json_string_value(json_object_get(k, "n"));
            char b64[1024];
            uint8_t raw[512];
            size_t m = strlen(n), j;
            cr_assert_lt(m + 4, sizeof b64);
            for (j = 0; j < m; j++)
                b64[j] = n[j] == '-' ? '+' : n[j] == '_' ? '/' : n[j];
            while (j % 4)
                b64[j++] = '=';
            int r = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)j);
            cr_assert_gt(r, 0);
            bn = BN_bin2bn(raw, r - (int)(j - m), NULL);
        }
    }
    json_decref(root);
    return bn;
}

Test(azgen, claims_carry_the_ak_and_bind_into_an_snp_hcl_report)
{
    azgen_pki *pki = load_azure();
    snpgen_pki *snp = NULL;
    azgen_claims_desc c;
    azgen_hcl_desc h;
    char dir[4096], *claims = NULL;
    uint8_t report[SNPGEN_REPORT_SIZE], *hcl = NULL, want[32];
    size_t claims_len = 0, hcl_len = 0;
    BIGNUM *ak_n = NULL, *n;
    cr_assert_eq(snpgen_pki_load(&snp, tu_pki(dir, sizeof dir, "genoa")), 0);
    cr_assert_eq(azgen_claims_desc_init(&c, pki->ak_key, pki->ek_key), 0);
    cr_assert_eq(azgen_claims_set_vm_config(&c, "secure-boot", "false", 0), 0);
    cr_expect_neq(azgen_claims_set_vm_config(&c, "bad", "a\"b", 1), 0);
    cr_assert_eq(azgen_claims_build(&claims, &claims_len, &c), 0);
    cr_expect(strstr(claims, "\"secure-boot\":false,") != NULL, "%s", claims);
    n = jwk_n(claims, claims_len, "HCLAkPub");
    cr_assert(n);
    cr_assert_eq(EVP_PKEY_get_bn_param(pki->ak_key, OSSL_PKEY_PARAM_RSA_N, &ak_n), 1);
    cr_expect_eq(BN_cmp(n, ak_n), 0, "HCLAkPub is the AK");

    cr_assert_eq(snpgen_report_init(report, snp, 3), 0);
    cr_assert_eq(azgen_report_data(report + SNPGEN_OFF_REPORT_DATA,
                                   (const uint8_t *)claims, claims_len), 0);
    cr_assert_eq(snpgen_report_sign(report, snp->vcek_key), 0);
    cr_assert_eq(azgen_hcl_desc_init(&h, AZGEN_HCL_REPORT_TYPE_SNP, report, sizeof report,
                                     (const uint8_t *)claims, claims_len), 0);
    cr_assert_eq(azgen_hcl_build(&hcl, &hcl_len, &h), 0);
    cr_expect_eq(hcl_len, AZGEN_HCL_SIZE_DEFAULT);
    cr_expect_eq(snpgen_get_u32(hcl + AZGEN_HCL_OFF_REPORT_SIZE), 0x4D4 + claims_len);
    cr_expect_eq(snpgen_get_u32(hcl + AZGEN_HCL_OFF_REPORT_TYPE), 2);
    cr_expect_eq(memcmp(hcl + AZGEN_HCL_OFF_CLAIMS, claims, claims_len), 0);
    sha256(want, claims, claims_len);
    cr_expect_eq(memcmp(hcl + AZGEN_HCL_OFF_HW_REPORT + SNPGEN_OFF_REPORT_DATA, want, 32), 0);
    cr_expect_eq(snpgen_report_verify_sig(hcl + AZGEN_HCL_OFF_HW_REPORT, snp->vcek_key), 0);
    h.total_size = AZGEN_HCL_OFF_CLAIMS + claims_len - 1;
    free(hcl);
    hcl = NULL;
    cr_expect_neq(azgen_hcl_build(&hcl, &hcl_len, &h), 0, "claims beyond total_size");
    BN_free(n);
    BN_free(ak_n);
    free(hcl);
    free(claims);
    snpgen_pki_free(snp);
    azgen_pki_free(pki);
}

Test(azgen, tdreport_matches_the_td_quote_body)
{
    uint8_t body[DCAPGEN_TD15_REPORT_SIZE], r[AZGEN_TDR_SIZE], cpusvn[16] = {7}, h[48];
    for (size_t len = DCAPGEN_TD10_REPORT_SIZE; len <= DCAPGEN_TD15_REPORT_SIZE;
         len += DCAPGEN_TD15_REPORT_SIZE - DCAPGEN_TD10_REPORT_SIZE) {
        cr_assert_eq(dcapgen_td_report_init(body, len), 0);
        memset(body + DCAPGEN_TD_OFF_REPORTDATA, 0x42, 64);
        cr_assert_eq(azgen_tdreport_from_td_body(r, body, len, cpusvn), 0);
        cr_expect_eq(r[AZGEN_TDR_OFF_REPORTTYPE], 0x81);
        cr_expect_eq(r[AZGEN_TDR_OFF_CPUSVN], 7);
        cr_expect_eq(memcmp(r + AZGEN_TDR_OFF_REPORTDATA, body + DCAPGEN_TD_OFF_REPORTDATA, 64), 0);
        cr_expect_eq(memcmp(r + AZGEN_TDR_OFF_MRTD, body + DCAPGEN_TD_OFF_MRTD, 48), 0);
        cr_expect_eq(memcmp(r + AZGEN_TDR_OFF_RTMR0, body + DCAPGEN_TD_OFF_RTMR0, 192), 0);
        cr_expect_eq(memcmp(r + AZGEN_TDR_OFF_XFAM, body + DCAPGEN_TD_OFF_XFAM, 8), 0);
        cr_expect_eq(memcmp(r + AZGEN_TDR_OFF_MRSEAM, body + DCAPGEN_TD_OFF_MRSEAM, 48), 0);
        cr_assert_eq(EVP_Digest(r + AZGEN_TDR_OFF_TDINFO, AZGEN_TDR_TDINFO_LEN, h, NULL,
                                EVP_sha384(), NULL), 1);
        cr_expect_eq(memcmp(r + AZGEN_TDR_OFF_TEE_INFO_HASH, h, 48), 0);
    }
    cr_expect_neq(azgen_tdreport_from_td_body(r, body, 600, cpusvn), 0);
}
