/* Azure vTPM checks (lib/chain/azure_vtpm.c) on the real samples of
 * ../shared/vectors/azure (MANIFEST.md section 3): every TPM quote
 * verifies with the AK of its own sample's runtime claims (or the AK PEM
 * of the tpm/ samples) and fails with another sample's AK; the PCR values
 * mapped through the signed selection hash to pcrDigest; the runtime
 * claims are bound to REPORT_DATA (AS10 is not); the AK certificates of
 * AT04/AT05 chain to the pinned Azure vTPM root. Then synthetic negatives
 * for each check, with keys and certificates made here with OpenSSL. */
#include "testutil.h"

#include "base/base.h"
#include "chain/azure_vtpm.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define AZ "azure/"
#define SETS "snp/sets/"

/* ---- helpers -------------------------------------------------------- */

static uint8_t *shared_file(const char *rel, size_t *len)
{
    char p[512];
    uint8_t *d = tu_read(tu_shared(p, sizeof p, rel), len);
    cr_assert(d, "cannot read %s", p);
    return d;
}

/* The runtime claims of an HCL report (azure.md section 2): var_size at
 * 0x4D0, the JSON at 0x4D4. */
static const uint8_t *hcl_claims(const uint8_t *hcl, size_t len, size_t *claims_len)
{
    cr_assert(len >= 0x4D4, "HCL report too short");
    *claims_len = attest_le32(hcl + 0x4D0);
    cr_assert(*claims_len <= len - 0x4D4, "var_size beyond the report");
    return hcl + 0x4D4;
}

static void b64url_member(json_t *jwk, const char *name, uint8_t **out, size_t *len)
{
    const char *s = json_string_value(json_object_get(jwk, name));
    cr_assert(s, "JWK member %s", name);
    cr_assert_eq(attest_base64url_decode(s, strlen(s), out, len), 0, "JWK %s", name);
}

/* The AK (kid "HCLAkPub") of runtime claims JSON, through the function
 * under test. */
static EVP_PKEY *ak_from_claims(const uint8_t *claims, size_t len)
{
    json_error_t err;
    json_t *doc = json_loadb((const char *)claims, len, 0, &err);
    cr_assert(doc, "claims JSON: %s", err.text);
    json_t *keys = json_object_get(doc, "keys"), *k;
    size_t i;
    EVP_PKEY *ak = NULL;
    json_array_foreach(keys, i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "kid")) ?: "", "HCLAkPub") != 0)
            continue;
        uint8_t *n, *e;
        size_t n_len, e_len;
        b64url_member(k, "n", &n, &n_len);
        b64url_member(k, "e", &e, &e_len);
        cr_assert_eq(attest_tpm_ak_from_jwk(&ak, n, n_len, e, e_len), ATTEST_OK, "%s",
                     attest_error_last());
        free(n);
        free(e);
    }
    json_decref(doc);
    cr_assert(ak, "no HCLAkPub in the claims");
    return ak;
}

static EVP_PKEY *ak_from_hcl(const char *rel)
{
    size_t len, claims_len;
    uint8_t *hcl = shared_file(rel, &len);
    const uint8_t *claims = hcl_claims(hcl, len, &claims_len);
    EVP_PKEY *ak = ak_from_claims(claims, claims_len);
    free(hcl);
    return ak;
}

static EVP_PKEY *ak_from_pem(const char *rel)
{
    size_t len;
    uint8_t *pem = shared_file(rel, &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    cr_assert(k, "%s: no public key", rel);
    BIO_free(bio);
    free(pem);
    return k;
}

/* One real quote: the signed bytes, the signature, the PCR values (PCR i
 * at i*32; NULL when the sample ships none), the AK source, the nonce. */
typedef struct sample {
    const char *name, *msg, *sig, *pcrs, *hcl, *ak_pem, *nonce_hex;
} sample;

#define CH "6368616c6c656e6765" /* "challenge" */
static const sample samples[] = {
    {"AS01", AZ "snp/AS01_trustee_milan_v2_hclv1_challenge/quote_msg.bin",
     AZ "snp/AS01_trustee_milan_v2_hclv1_challenge/quote_sig.bin",
     AZ "snp/AS01_trustee_milan_v2_hclv1_challenge/pcrs_sha256.bin",
     SETS "S07_milan_v2_azure_hcl_trustee/hcl_report.bin", NULL, CH},
    {"AS02", AZ "snp/AS02_trustee_milan_v3_evidence_v0_S08/quote_msg.bin",
     AZ "snp/AS02_trustee_milan_v3_evidence_v0_S08/quote_sig.bin",
     AZ "snp/AS02_trustee_milan_v3_evidence_v0_S08/pcrs_sha256.bin",
     SETS "S08_milan_v3_azure_hcl_trustee/hcl_report.bin", NULL, CH},
    {"AS03", AZ "snp/AS03_trustee_milan_v3_evidence_v1/quote_msg.bin",
     AZ "snp/AS03_trustee_milan_v3_evidence_v1/quote_sig.bin",
     AZ "snp/AS03_trustee_milan_v3_evidence_v1/pcrs_sha256.bin",
     AZ "snp/AS03_trustee_milan_v3_evidence_v1/hcl_report.bin", NULL, CH},
    {"AS04", AZ "snp/AS04_trustee_milan_v3_evidence_v2_userdata/quote_msg.bin",
     AZ "snp/AS04_trustee_milan_v3_evidence_v2_userdata/quote_sig.bin",
     AZ "snp/AS04_trustee_milan_v3_evidence_v2_userdata/pcrs_sha256.bin",
     AZ "snp/AS04_trustee_milan_v3_evidence_v2_userdata/hcl_report.bin", NULL, NULL},
    {"AS05", AZ "snp/AS05_trustee_genoa_v3_evidence_genoa_S09/quote_msg.bin",
     AZ "snp/AS05_trustee_genoa_v3_evidence_genoa_S09/quote_sig.bin",
     AZ "snp/AS05_trustee_genoa_v3_evidence_genoa_S09/pcrs_sha256.bin",
     SETS "S09_genoa_v3_azure_hcl_trustee/hcl_report.bin", NULL, NULL},
    {"AS06", AZ "snp/AS06_trustee_milan_v2_hcl2048_pcrsubset/tpm-quote.msg",
     AZ "snp/AS06_trustee_milan_v2_hcl2048_pcrsubset/tpm-quote.sig", NULL,
     AZ "snp/AS06_trustee_milan_v2_hcl2048_pcrsubset/hcl_report.bin", NULL, CH},
    {"AS07", AZ "snp/AS07_trustee_milan_v2_2024/quote_msg.bin",
     AZ "snp/AS07_trustee_milan_v2_2024/quote_sig.bin",
     AZ "snp/AS07_trustee_milan_v2_2024/pcrs_sha256.bin",
     AZ "snp/AS07_trustee_milan_v2_2024/hcl_report.bin", NULL, CH},
    {"AS09q1", AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/q1_quote_msg.bin",
     AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/q1_quote_sig.bin",
     AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/q1_pcrs_sha256.bin", NULL,
     AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/ak-pub.pem", NULL},
    {"AS09q2", AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/q2_quote_msg.bin",
     AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/q2_quote_sig.bin",
     AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/q2_pcrs_sha256.bin", NULL,
     AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/ak-pub.pem", NULL},
    {"AT01", AZ "tdx/AT01_trustee_tdx_current/quote_msg.bin",
     AZ "tdx/AT01_trustee_tdx_current/quote_sig.bin",
     AZ "tdx/AT01_trustee_tdx_current/pcrs_sha256.bin",
     AZ "tdx/AT01_trustee_tdx_current/hcl-report.bin", NULL, CH},
    {"AT02", AZ "tdx/AT02_trustee_tdx_2024a/tpm-quote.msg",
     AZ "tdx/AT02_trustee_tdx_2024a/tpm-quote.sig", NULL,
     AZ "tdx/AT02_trustee_tdx_2024a/hcl-report.bin", NULL, "74647820" CH},
    {"AT03", AZ "tdx/AT03_trustee_tdx_2024b/quote_msg.bin",
     AZ "tdx/AT03_trustee_tdx_2024b/quote_sig.bin",
     AZ "tdx/AT03_trustee_tdx_2024b/pcrs_sha256.bin",
     AZ "tdx/AT03_trustee_tdx_2024b/hcl-report.bin", NULL, CH},
    {"AT04", AZ "tdx/AT04_flashbots_tdx_2026_akchain/quote_msg.bin",
     AZ "tdx/AT04_flashbots_tdx_2026_akchain/quote_sig.bin",
     AZ "tdx/AT04_flashbots_tdx_2026_akchain/pcrs_sha256.bin",
     AZ "tdx/AT04_flashbots_tdx_2026_akchain/hcl_report.bin", NULL,
     "0000000000000000000000000000000000000000000000000000000000000000"},
    {"AT05", AZ "tdx/AT05_flashbots_tdx_2025/quote_msg.bin",
     AZ "tdx/AT05_flashbots_tdx_2025/quote_sig.bin",
     AZ "tdx/AT05_flashbots_tdx_2025/pcrs_sha256.bin",
     AZ "tdx/AT05_flashbots_tdx_2025/hcl_report.bin", NULL,
     "0000000000000000000000000000000000000000000000000000000000000000"},
    {"K1", AZ "tpm/K1_quote_msg.bin", AZ "tpm/K1_quote_sig.bin", AZ "tpm/K1_pcrs_sha256.bin",
     NULL, AZ "tpm/K1_akpub.pem", CH},
    {"K2", AZ "tpm/K2_quote_msg.bin", AZ "tpm/K2_quote_sig.bin", AZ "tpm/K2_pcrs_sha256.bin",
     NULL, AZ "tpm/K2_akpub.pem", CH},
    {"K3", AZ "tpm/K3_quote.msg", AZ "tpm/K3_quote.sig", NULL, NULL, AZ "tpm/K3_akpub.pem",
     "010203"},
};
#define SAMPLE_COUNT (sizeof samples / sizeof samples[0])

static EVP_PKEY *sample_ak(const sample *s)
{
    return s->hcl ? ak_from_hcl(s->hcl) : ak_from_pem(s->ak_pem);
}

/* The fields of a TPMS_ATTEST (azure.md section 4) a test needs, read
 * with bounds asserted; the parser proper is lib/parse's. */
typedef struct quote_fields {
    const uint8_t *extra;
    size_t extra_len;
    uint16_t bank;
    const uint8_t *select;
    size_t select_len;
    const uint8_t *digest;
    size_t digest_len;
} quote_fields;

static uint16_t rd16(const uint8_t *m, size_t len, size_t *off)
{
    cr_assert(*off + 2 <= len, "TPMS_ATTEST truncated at %zu", *off);
    uint16_t v = (uint16_t)((m[*off] << 8) | m[*off + 1]);
    *off += 2;
    return v;
}

static const uint8_t *rd_bytes(const uint8_t *m, size_t len, size_t *off, size_t n)
{
    cr_assert(n <= len && *off <= len - n, "TPMS_ATTEST truncated at %zu", *off);
    const uint8_t *p = m + *off;
    *off += n;
    return p;
}

static quote_fields quote_parse(const uint8_t *m, size_t len)
{
    quote_fields q;
    size_t off = 6; /* magic, type */
    cr_assert(len > 6 && memcmp(m, "\xff\x54\x43\x47\x80\x18", 6) == 0, "not a quote");
    rd_bytes(m, len, &off, rd16(m, len, &off)); /* qualifiedSigner */
    q.extra_len = rd16(m, len, &off);
    q.extra = rd_bytes(m, len, &off, q.extra_len);
    rd_bytes(m, len, &off, 17 + 8);             /* clockInfo, firmwareVersion */
    const uint8_t *count = rd_bytes(m, len, &off, 4);
    cr_assert(count[0] == 0 && count[1] == 0 && count[2] == 0 && count[3] == 1, "one bank");
    q.bank = rd16(m, len, &off);
    q.select_len = *rd_bytes(m, len, &off, 1);
    q.select = rd_bytes(m, len, &off, q.select_len);
    q.digest_len = rd16(m, len, &off);
    q.digest = rd_bytes(m, len, &off, q.digest_len);
    cr_assert_eq(off, len, "bytes after pcrDigest");
    return q;
}

/* The values of the selected PCRs in ascending index order, from a list
 * where value i is PCR i. Returns their byte count. */
static size_t gather_selected(uint8_t *out, const quote_fields *q, const uint8_t *all,
                              size_t all_len)
{
    size_t n = 0;
    for (size_t i = 0; i < q->select_len * 8; i++) {
        if (!(q->select[i / 8] & (1u << (i % 8))))
            continue;
        cr_assert((i + 1) * 32 <= all_len, "PCR %zu not shipped", i);
        memcpy(out + n, all + i * 32, 32);
        n += 32;
    }
    return n;
}

typedef struct loaded {
    uint8_t *msg, *sig, *pcrs;
    size_t msg_len, sig_len, pcrs_len;
} loaded;

static loaded load(const sample *s)
{
    loaded l = {0};
    l.msg = shared_file(s->msg, &l.msg_len);
    l.sig = shared_file(s->sig, &l.sig_len);
    if (s->pcrs)
        l.pcrs = shared_file(s->pcrs, &l.pcrs_len);
    return l;
}

static void unload(loaded *l)
{
    free(l->msg);
    free(l->sig);
    free(l->pcrs);
}

/* ---- real quotes ------------------------------------------------------ */

Test(azure_vtpm, every_quote_verifies_with_its_own_ak)
{
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        loaded l = load(&samples[i]);
        EVP_PKEY *ak = sample_ak(&samples[i]);
        cr_expect_eq(attest_tpm_quote_check_signature(l.msg, l.msg_len, l.sig, l.sig_len, ak),
                     ATTEST_OK, "%s: %s", samples[i].name, attest_error_last());
        EVP_PKEY_free(ak);
        unload(&l);
    }
}

/* AS02 and AS03 come from one VM (same AK), as do AS09 q1 and q2. */
static bool same_vm(const sample *a, const sample *b)
{
    const char *pairs[][2] = {{"AS02", "AS03"}, {"AS09q1", "AS09q2"}};
    for (size_t i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++)
            if (!strcmp(a->name, pairs[i][k]) && !strcmp(b->name, pairs[i][!k]))
                return true;
    return a == b;
}

Test(azure_vtpm, every_quote_fails_with_another_samples_ak)
{
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        loaded l = load(&samples[i]);
        for (size_t j = 0; j < SAMPLE_COUNT; j++) {
            if (same_vm(&samples[i], &samples[j]))
                continue;
            EVP_PKEY *other = sample_ak(&samples[j]);
            cr_expect_eq(attest_tpm_quote_check_signature(l.msg, l.msg_len, l.sig, l.sig_len,
                                                          other),
                         ATTEST_E_TPM_SIGNATURE, "%s with the AK of %s", samples[i].name,
                         samples[j].name);
            EVP_PKEY_free(other);
        }
        unload(&l);
    }
}

Test(azure_vtpm, flipped_message_or_signature_byte_fails)
{
    const sample *s = &samples[0];
    loaded l = load(s);
    EVP_PKEY *ak = sample_ak(s);
    l.msg[l.msg_len - 1] ^= 1; /* last byte of pcrDigest */
    cr_expect_eq(attest_tpm_quote_check_signature(l.msg, l.msg_len, l.sig, l.sig_len, ak),
                 ATTEST_E_TPM_SIGNATURE);
    cr_expect(strstr(attest_error_last(), "tpm.quote.signature"), "%s", attest_error_last());
    l.msg[l.msg_len - 1] ^= 1;
    l.sig[100] ^= 0x40;
    cr_expect_eq(attest_tpm_quote_check_signature(l.msg, l.msg_len, l.sig, l.sig_len, ak),
                 ATTEST_E_TPM_SIGNATURE);
    l.sig[100] ^= 0x40;
    /* one byte more or less than the signed TPMS_ATTEST */
    cr_expect_eq(attest_tpm_quote_check_signature(l.msg, l.msg_len - 1, l.sig, l.sig_len, ak),
                 ATTEST_E_TPM_SIGNATURE);
    EVP_PKEY_free(ak);
    unload(&l);
}

Test(azure_vtpm, pcr_digests_of_all_samples_with_values)
{
    static uint8_t sel[32 * 32];
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        if (!samples[i].pcrs)
            continue;
        loaded l = load(&samples[i]);
        quote_fields q = quote_parse(l.msg, l.msg_len);
        size_t n = gather_selected(sel, &q, l.pcrs, l.pcrs_len);
        cr_expect_eq(attest_tpm_pcr_digest_check(q.bank, q.select, q.select_len, sel, n, q.digest,
                                                 q.digest_len),
                     ATTEST_OK, "%s: %s", samples[i].name, attest_error_last());
        sel[n - 1] ^= 1; /* last selected PCR changed */
        cr_expect_eq(attest_tpm_pcr_digest_check(q.bank, q.select, q.select_len, sel, n, q.digest,
                                                 q.digest_len),
                     ATTEST_E_TPM_PCR_DIGEST, "%s changed value", samples[i].name);
        sel[0] ^= 0x80;
        sel[n - 1] ^= 1; /* PCR 0 changed */
        cr_expect_eq(attest_tpm_pcr_digest_check(q.bank, q.select, q.select_len, sel, n, q.digest,
                                                 q.digest_len),
                     ATTEST_E_TPM_PCR_DIGEST, "%s changed PCR 0", samples[i].name);
        unload(&l);
    }
}

/* AS09 selects {0-14} and ships 15 values: a list shorter than 24 is
 * right when it matches the selection; one value more or less is not. */
Test(azure_vtpm, as09_fifteen_values_for_fifteen_selected)
{
    const sample *s = &samples[7];
    cr_assert_str_eq(s->name, "AS09q1");
    loaded l = load(s);
    quote_fields q = quote_parse(l.msg, l.msg_len);
    cr_assert_eq(attest_tpm_select_count(q.select, q.select_len), 15);
    cr_assert_eq(l.pcrs_len, 15 * 32);
    cr_expect_eq(attest_tpm_pcr_digest_check(q.bank, q.select, q.select_len, l.pcrs, l.pcrs_len,
                                             q.digest, q.digest_len),
                 ATTEST_OK, "%s", attest_error_last());
    cr_expect_eq(attest_tpm_pcr_digest_check(q.bank, q.select, q.select_len, l.pcrs,
                                             l.pcrs_len - 32, q.digest, q.digest_len),
                 ATTEST_E_TPM_PCR_DIGEST, "14 values");
    cr_expect(strstr(attest_error_last(), "15 selected"), "%s", attest_error_last());
    unload(&l);
}

/* The real selections that are not 0-23: K3 {15,16,22}, AS06 {0-7,14};
 * AS01's PCR list is 0-23 (24 values). */
Test(azure_vtpm, real_selections_counted_by_index)
{
    size_t len;
    uint8_t *k3 = shared_file(AZ "tpm/K3_quote.msg", &len);
    quote_fields q = quote_parse(k3, len);
    cr_expect_eq(attest_tpm_select_count(q.select, q.select_len), 3);
    cr_expect(q.select[0] == 0 && q.select[1] == 0x80 && q.select[2] == 0x41,
              "K3 selection %02x %02x %02x", q.select[0], q.select[1], q.select[2]);
    free(k3);
    uint8_t *as06 = shared_file(AZ "snp/AS06_trustee_milan_v2_hcl2048_pcrsubset/tpm-quote.msg",
                                &len);
    q = quote_parse(as06, len);
    cr_expect_eq(attest_tpm_select_count(q.select, q.select_len), 9);
    free(as06);
}

Test(azure_vtpm, quote_nonces_of_the_samples)
{
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        if (!samples[i].nonce_hex)
            continue;
        loaded l = load(&samples[i]);
        quote_fields q = quote_parse(l.msg, l.msg_len);
        uint8_t nonce[64];
        size_t n = strlen(samples[i].nonce_hex) / 2;
        cr_assert_eq(attest_hex_decode(nonce, n, samples[i].nonce_hex), 0);
        cr_expect_eq(attest_tpm_nonce_check(q.extra, q.extra_len, nonce, n), ATTEST_OK, "%s: %s",
                     samples[i].name, attest_error_last());
        cr_expect_eq(attest_tpm_nonce_check(q.extra, q.extra_len, nonce, n - 1),
                     ATTEST_E_TPM_NONCE, "%s: prefix", samples[i].name);
        nonce[n - 1] ^= 1;
        cr_expect_eq(attest_tpm_nonce_check(q.extra, q.extra_len, nonce, n), ATTEST_E_TPM_NONCE,
                     "%s: other nonce", samples[i].name);
        unload(&l);
    }
    cr_expect_eq(attest_tpm_nonce_check((const uint8_t *)"x", 1, NULL, 0), ATTEST_E_INVALID_ARG);
}

/* ---- synthetic keys and quotes ------------------------------------------ */

static EVP_PKEY *rsa_key(unsigned bits)
{
    EVP_PKEY *k = EVP_RSA_gen(bits);
    cr_assert(k, "RSA-%u generation", bits);
    return k;
}

/* n and e of an RSA key, big-endian, minimal. */
static void rsa_ne(EVP_PKEY *k, uint8_t n[512], size_t *n_len, uint8_t e[8], size_t *e_len)
{
    BIGNUM *bn = NULL, *be = NULL;
    cr_assert(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &bn) == 1);
    cr_assert(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &be) == 1);
    cr_assert(BN_num_bytes(bn) <= 512 && BN_num_bytes(be) <= 8);
    *n_len = (size_t)BN_bn2bin(bn, n);
    *e_len = (size_t)BN_bn2bin(be, e);
    BN_free(bn);
    BN_free(be);
}

static size_t rsa_sign(EVP_PKEY *k, const EVP_MD *md, int padding, const uint8_t *msg,
                       size_t len, uint8_t *sig)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    size_t sig_len = 512;
    cr_assert(EVP_DigestSignInit(ctx, &pctx, md, NULL, k) == 1);
    cr_assert(EVP_PKEY_CTX_set_rsa_padding(pctx, padding) == 1);
    cr_assert(EVP_DigestSign(ctx, sig, &sig_len, msg, len) == 1);
    EVP_MD_CTX_free(ctx);
    return sig_len;
}

static EVP_PKEY *ak_2048(void)
{
    static EVP_PKEY *k; /* one key per test process: generation is slow */
    if (!k)
        k = rsa_key(2048);
    EVP_PKEY_up_ref(k);
    return k;
}

Test(azure_vtpm, jwk_accepts_rsa_2048_with_e_65537)
{
    EVP_PKEY *k = ak_2048(), *ak = NULL;
    uint8_t n[512], e[8];
    size_t n_len, e_len;
    rsa_ne(k, n, &n_len, e, &e_len);
    cr_assert_eq(attest_tpm_ak_from_jwk(&ak, n, n_len, e, e_len), ATTEST_OK, "%s",
                 attest_error_last());
    cr_expect_eq(EVP_PKEY_eq(ak, k), 1);
    EVP_PKEY_free(ak);
    /* 3072 and 4096-bit moduli: any odd value of that size builds a key */
    memset(n, 0xc5, sizeof n);
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n, 384, e, e_len), ATTEST_OK);
    cr_expect_eq(EVP_PKEY_get_bits(ak), 3072);
    EVP_PKEY_free(ak);
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n, 512, e, e_len), ATTEST_OK);
    EVP_PKEY_free(ak);
    EVP_PKEY_free(k);
}

Test(azure_vtpm, jwk_refusals)
{
    EVP_PKEY *k = ak_2048(), *ak = (EVP_PKEY *)1;
    uint8_t n[520], e[8];
    size_t n_len, e_len;
    rsa_ne(k, n + 1, &n_len, e, &e_len);
    n[0] = 0;
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n, n_len + 1, e, e_len), ATTEST_E_TPM_AK_KEY,
                 "leading zero byte");
    cr_expect_null(ak);
    cr_expect(strstr(attest_error_last(), "tpm.ak: JWK n has a leading zero"), "%s",
              attest_error_last());
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, 255, e, e_len), ATTEST_E_TPM_AK_KEY,
                 "2040-bit modulus");
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 2, 255, e, e_len), ATTEST_E_TPM_AK_KEY,
                 "255 bytes");
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, 128, e, e_len), ATTEST_E_TPM_AK_KEY,
                 "1024 bits");
    uint8_t top = n[1];
    n[1] &= 0x7f;
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, n_len, e, e_len), ATTEST_E_TPM_AK_KEY,
                 "2047-bit modulus");
    n[1] = top;
    n[n_len] ^= 1;
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, n_len, e, e_len), ATTEST_E_TPM_AK_KEY,
                 "even modulus");
    n[n_len] ^= 1;
    static const uint8_t e3[] = {3}, e_pad[] = {0, 1, 0, 1}, e17[] = {0x11},
                         e_big[] = {1, 0, 0, 1};
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, n_len, e3, 1), ATTEST_E_TPM_AK_KEY, "e=3");
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, n_len, e17, 1), ATTEST_E_TPM_AK_KEY, "e=17");
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, n_len, e_pad, 4), ATTEST_E_TPM_AK_KEY,
                 "e with a leading zero");
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, n_len, e_big, 4), ATTEST_E_TPM_AK_KEY,
                 "e=2^24+1");
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, n_len, e, 0), ATTEST_E_TPM_AK_KEY, "no e");
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, n + 1, 0, e, e_len), ATTEST_E_TPM_AK_KEY, "no n");
    cr_expect_eq(attest_tpm_ak_from_jwk(&ak, NULL, 0, e, e_len), ATTEST_E_INVALID_ARG);
    cr_expect_eq(attest_tpm_ak_from_jwk(NULL, n + 1, n_len, e, e_len), ATTEST_E_INVALID_ARG);
    EVP_PKEY_free(k);
}

static const uint8_t quote_msg[] = "\xff\x54\x43\x47\x80\x18 synthetic TPMS_ATTEST";

Test(azure_vtpm, signature_raw_and_tpmt_signature)
{
    EVP_PKEY *k = ak_2048();
    uint8_t sig[6 + 512 + 1];
    size_t len = rsa_sign(k, EVP_sha256(), RSA_PKCS1_PADDING, quote_msg, sizeof quote_msg,
                          sig + 6);
    cr_assert_eq(len, 256);
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig + 6, 256, k),
                 ATTEST_OK, "raw: %s", attest_error_last());
    memcpy(sig, "\x00\x14\x00\x0b\x01\x00", 6); /* RSASSA, SHA-256, 256 bytes */
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, 262, k),
                 ATTEST_OK, "TPMT_SIGNATURE: %s", attest_error_last());
    sig[262] = 0;
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, 263, k),
                 ATTEST_E_TPM_SIGNATURE_FORMAT, "a byte after the TPMT_SIGNATURE");
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig + 6, 255, k),
                 ATTEST_E_TPM_SIGNATURE_FORMAT, "255-byte raw signature");
    sig[1] = 0x16; /* RSAPSS */
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, 262, k),
                 ATTEST_E_TPM_SIGNATURE_FORMAT, "sigAlg RSAPSS");
    sig[1] = 0x14;
    sig[3] = 0x0c; /* SHA-384 */
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, 262, k),
                 ATTEST_E_TPM_SIGNATURE_FORMAT, "hash SHA-384");
    sig[3] = 0x0b;
    sig[5] = 0x01; /* TPM2B size 257 */
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, 262, k),
                 ATTEST_E_TPM_SIGNATURE_FORMAT, "TPM2B size != key size");
    EVP_PKEY_free(k);
}

Test(azure_vtpm, signature_other_schemes_fail)
{
    EVP_PKEY *k = ak_2048();
    uint8_t sig[512];
    size_t len = rsa_sign(k, EVP_sha256(), RSA_PKCS1_PSS_PADDING, quote_msg, sizeof quote_msg,
                          sig);
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, len, k),
                 ATTEST_E_TPM_SIGNATURE, "RSASSA-PSS");
    len = rsa_sign(k, EVP_sha384(), RSA_PKCS1_PADDING, quote_msg, sizeof quote_msg, sig);
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, len, k),
                 ATTEST_E_TPM_SIGNATURE, "PKCS#1 v1.5 with SHA-384");
    len = rsa_sign(k, EVP_sha1(), RSA_PKCS1_PADDING, quote_msg, sizeof quote_msg, sig);
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, len, k),
                 ATTEST_E_TPM_SIGNATURE, "PKCS#1 v1.5 with SHA-1");
    EVP_PKEY_free(k);
}

Test(azure_vtpm, signature_ak_must_be_rsa_2048_to_4096)
{
    EVP_PKEY *small = rsa_key(1024), *ec = EVP_EC_gen("P-256");
    uint8_t sig[512];
    size_t len = rsa_sign(small, EVP_sha256(), RSA_PKCS1_PADDING, quote_msg, sizeof quote_msg,
                          sig);
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, len, small),
                 ATTEST_E_TPM_AK_KEY, "RSA-1024 AK");
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, sizeof quote_msg, sig, 64, ec),
                 ATTEST_E_TPM_AK_KEY, "EC AK");
    cr_expect_eq(attest_tpm_quote_check_signature(quote_msg, 0, sig, len, small),
                 ATTEST_E_INVALID_ARG);
    EVP_PKEY_free(small);
    EVP_PKEY_free(ec);
}

/* 24 distinct PCR values; PCR i's bytes are all i+1. */
static void pcr_values(uint8_t all[24 * 32])
{
    for (int i = 0; i < 24; i++)
        memset(all + i * 32, i + 1, 32);
}

/* The selection {15,16,22} of K3: only PCRs 15, 16 and 22 in that order
 * authenticate; values by list position (PCRs 0,1,2), all 24 values, or
 * the right values in another order do not. */
Test(azure_vtpm, pcr_values_mapped_through_the_selection)
{
    static const uint8_t sel[3] = {0x00, 0x80, 0x41};
    uint8_t all[24 * 32], want[3 * 32], digest[32];
    pcr_values(all);
    memcpy(want, all + 15 * 32, 32);
    memcpy(want + 32, all + 16 * 32, 32);
    memcpy(want + 64, all + 22 * 32, 32);
    EVP_Digest(want, sizeof want, digest, NULL, EVP_sha256(), NULL);
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, sel, 3, want, 96, digest, 32), ATTEST_OK,
                 "%s", attest_error_last());
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, sel, 3, all, 96, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "values by list position");
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, sel, 3, all, sizeof all, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "all 24 values");
    cr_expect(strstr(attest_error_last(), "for 3 selected"), "%s", attest_error_last());
    uint8_t swapped[96];
    memcpy(swapped, want + 32, 32);
    memcpy(swapped + 32, want, 32);
    memcpy(swapped + 64, want + 64, 32);
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, sel, 3, swapped, 96, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "descending order");
}

Test(azure_vtpm, pcr_digest_refusals)
{
    static const uint8_t sel[3] = {0x00, 0x80, 0x41}, none[3] = {0}, wide[5] = {1, 0, 0, 0, 0};
    uint8_t all[24 * 32], digest[48];
    pcr_values(all);
    EVP_Digest(all, 32, digest, NULL, EVP_sha256(), NULL);
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, wide, 4, all, 32, digest, 32), ATTEST_OK,
                 "PCR 0 in a 4-byte selection: %s", attest_error_last());
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, wide, 5, all, 32, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "5-byte selection");
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, wide, 0, all, 0, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "no selection");
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, none, 3, all, 0, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "empty selection");
    EVP_Digest("", 0, digest, NULL, EVP_sha256(), NULL);
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, none, 3, all, 0, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "empty selection, digest of nothing");
    EVP_Digest(all, 96, digest, NULL, EVP_sha256(), NULL);
    static const uint8_t first3[1] = {0x07};
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, first3, 1, all, 96, digest, 32), ATTEST_OK);
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000C, first3, 1, all, 96, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "SHA-384 bank");
    cr_expect(strstr(attest_error_last(), "bank 0x000c"), "%s", attest_error_last());
    cr_expect_eq(attest_tpm_pcr_digest_check(0x0004, sel, 3, all, 60, digest, 20),
                 ATTEST_E_TPM_PCR_DIGEST, "SHA-1 bank");
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, first3, 1, all, 96, digest, 31),
                 ATTEST_E_TPM_PCR_DIGEST, "31-byte digest");
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, first3, 1, all, 96, digest, 48),
                 ATTEST_E_TPM_PCR_DIGEST, "48-byte digest");
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, first3, 1, all, 95, digest, 32),
                 ATTEST_E_TPM_PCR_DIGEST, "values not whole");
    cr_expect_eq(attest_tpm_pcr_digest_check(0x000B, first3, 1, NULL, 96, digest, 32),
                 ATTEST_E_INVALID_ARG);
}

/* ---- runtime claims binding ------------------------------------------- */

static const char *const hcl_reports[] = {
    SETS "S07_milan_v2_azure_hcl_trustee/hcl_report.bin",
    SETS "S08_milan_v3_azure_hcl_trustee/hcl_report.bin",
    SETS "S09_genoa_v3_azure_hcl_trustee/hcl_report.bin",
    AZ "snp/AS03_trustee_milan_v3_evidence_v1/hcl_report.bin",
    AZ "snp/AS04_trustee_milan_v3_evidence_v2_userdata/hcl_report.bin",
    AZ "snp/AS06_trustee_milan_v2_hcl2048_pcrsubset/hcl_report.bin",
    AZ "snp/AS07_trustee_milan_v2_2024/hcl_report.bin",
    AZ "snp/AS08_kinvolk_milan_v2_hcl2048_novcek/hcl-report-snp.bin",
    AZ "tdx/AT01_trustee_tdx_current/hcl-report.bin",
    AZ "tdx/AT02_trustee_tdx_2024a/hcl-report.bin",
    AZ "tdx/AT03_trustee_tdx_2024b/hcl-report.bin",
    AZ "tdx/AT04_flashbots_tdx_2026_akchain/hcl_report.bin",
    AZ "tdx/AT05_flashbots_tdx_2025/hcl_report.bin",
    AZ "tdx/AT06_ita_tdx_userdata_sha512/hcl_report.bin",
    AZ "tdx/AT07_hcl_only/constellation_hclreport.bin",
    AZ "tdx/AT07_hcl_only/cvmtools_snp_hcl_report.bin",
    AZ "tdx/AT07_hcl_only/kinvolk_hcl-report-tdx.bin",
};
#define AS10_HCL AZ "snp/AS10_ms_clienttests_hcl_v1_snp_v1_NEGATIVE/hcl_report.bin"

/* REPORT_DATA of the hardware report in an HCL report: SNP at report
 * offset 0x50, TDREPORT at 0x80; the report starts at 0x20. */
static uint8_t *hcl_report_data(uint8_t *hcl, size_t len)
{
    cr_assert(len >= 0x4D4);
    uint32_t type = attest_le32(hcl + 0x4C8);
    cr_assert(type == 2 || type == 4, "report_type %u", type);
    return hcl + 0x20 + (type == 2 ? 0x50 : 0x80);
}

Test(azure_vtpm, claims_bound_in_every_hcl_report)
{
    for (size_t i = 0; i < sizeof hcl_reports / sizeof hcl_reports[0]; i++) {
        size_t len, claims_len;
        uint8_t *hcl = shared_file(hcl_reports[i], &len);
        const uint8_t *claims = hcl_claims(hcl, len, &claims_len);
        uint8_t *rd = hcl_report_data(hcl, len);
        cr_expect_eq(attest_azure_claims_binding_check(claims, claims_len, rd), ATTEST_OK,
                     "%s: %s", hcl_reports[i], attest_error_last());
        hcl[0x4D4 + claims_len / 2] ^= 0x20; /* one claims byte */
        cr_expect_eq(attest_azure_claims_binding_check(claims, claims_len, rd),
                     ATTEST_E_AZURE_CLAIMS_BINDING, "%s: claims byte", hcl_reports[i]);
        hcl[0x4D4 + claims_len / 2] ^= 0x20;
        cr_expect_eq(attest_azure_claims_binding_check(claims, claims_len - 1, rd),
                     ATTEST_E_AZURE_CLAIMS_BINDING, "%s: one byte short", hcl_reports[i]);
        rd[63] = 1;
        cr_expect_eq(attest_azure_claims_binding_check(claims, claims_len, rd),
                     ATTEST_E_AZURE_REPORT_DATA_TAIL, "%s: REPORT_DATA[63]", hcl_reports[i]);
        free(hcl);
    }
}

Test(azure_vtpm, as10_claims_not_bound)
{
    size_t len, claims_len;
    uint8_t *hcl = shared_file(AS10_HCL, &len);
    const uint8_t *claims = hcl_claims(hcl, len, &claims_len);
    cr_expect_eq(attest_azure_claims_binding_check(claims, claims_len, hcl_report_data(hcl, len)),
                 ATTEST_E_AZURE_CLAIMS_BINDING);
    cr_expect(strstr(attest_error_last(), "azure.claims.binding: SHA-256 of the 583-byte"), "%s",
              attest_error_last());
    free(hcl);
}

/* AS09 ships its claims as runtime-data.json: their AK is ak-pub.pem. */
Test(azure_vtpm, as09_claims_ak_is_the_tpm_ak)
{
    size_t len;
    uint8_t *claims = shared_file(AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/runtime-data.json",
                                  &len);
    EVP_PKEY *a = ak_from_claims(claims, len),
             *b = ak_from_pem(AZ "snp/AS09_azure_ncc_h100_genoa_v5_vaultgenome/ak-pub.pem");
    cr_expect_eq(EVP_PKEY_eq(a, b), 1);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    free(claims);
}

/* ---- AK certificates ---------------------------------------------------- */

#define ROOTS AZ "roots/"
#define AT04 AZ "tdx/AT04_flashbots_tdx_2026_akchain/"
#define AT05 AZ "tdx/AT05_flashbots_tdx_2025/"

static X509 *pem_cert(const char *rel)
{
    size_t len;
    uint8_t *pem = shared_file(rel, &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    cr_assert(x, "%s: no certificate", rel);
    BIO_free(bio);
    free(pem);
    return x;
}

/* The root and every intermediate of roots/ except `skip` (NULL: none). */
static STACK_OF(X509) *azure_certs(const char *skip)
{
    static const char *const files[] = {"azure-virtual-tpm-root-2023.pem",
                                        "global-virtual-tpm-ca-03.pem",
                                        "azure-cloud-virtual-tpm-ca-2025.pem",
                                        "azure-cloud-virtual-tpm-ca-24.pem"};
    STACK_OF(X509) *sk = sk_X509_new_null();
    for (size_t i = 0; i < 4; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, ROOTS "%s", files[i]);
        if (!skip || strcmp(skip, files[i]) != 0)
            sk_X509_push(sk, pem_cert(rel));
    }
    return sk;
}

static X509 *ak_cert_file(const char *rel)
{
    size_t len;
    uint8_t *nv = shared_file(rel, &len);
    X509 *x = NULL;
    cr_assert_eq(attest_azure_ak_cert_parse(&x, nv, len), ATTEST_OK, "%s: %s", rel,
                 attest_error_last());
    free(nv);
    return x;
}

static attest_verifier *verifier(void)
{
    attest_verifier *v = NULL;
    cr_assert_eq(attest_verifier_new(&v), ATTEST_OK);
    return v;
}

static int ak_verify_at(X509 *leaf, STACK_OF(X509) *certs, EVP_PKEY *ak, const char *when)
{
    attest_verifier *v = verifier();
    int rc = attest_azure_ak_cert_verify(NULL, v, leaf, certs, ak, tu_time(when));
    attest_verifier_free(v);
    return rc;
}

/* MANIFEST 3b: AT04 leaf <- CA - 24 <- CA 2025 <- root 2023, valid
 * 2026-06-08..2027-06-07; AT05 leaf (+3087 zero bytes) <- Global Virtual
 * TPM CA - 03 <- root 2023, valid 2025-12-01..2026-11-30. */
Test(azure_vtpm, at04_at05_ak_certs_verify_to_the_pinned_root)
{
    STACK_OF(X509) *certs = azure_certs(NULL);
    X509 *at04 = ak_cert_file(AT04 "ak_cert.der"), *at05 = ak_cert_file(AT05 "ak_cert.der");
    EVP_PKEY *ak04 = ak_from_hcl(AT04 "hcl_report.bin"), *ak05 = ak_from_hcl(AT05 "hcl_report.bin");
    attest_verifier *v = verifier();
    attest_result *r = attest_result_new();
    cr_expect_eq(attest_azure_ak_cert_verify(r, v, at04, certs, ak04, tu_time("2026-07-01T00:00:00Z")),
                 ATTEST_OK, "AT04: %s", attest_error_last());
    cr_expect_eq(r->count, 3);
    cr_expect(strstr(r->checks[1].detail, "2 intermediate(s) -> pinned 'Azure Virtual TPM Root"),
              "%s", r->checks[1].detail);
    attest_result_free(r);
    cr_expect_eq(ak_verify_at(at05, certs, ak05, "2026-01-01T00:00:00Z"), ATTEST_OK, "AT05: %s",
                 attest_error_last());
    /* each certificate holds its own sample's AK, not the other's */
    cr_expect_eq(ak_verify_at(at04, certs, ak05, "2026-07-01T00:00:00Z"),
                 ATTEST_E_AZURE_AK_MISMATCH);
    cr_expect(strstr(attest_error_last(), "not the runtime claims' AK"), "%s", attest_error_last());
    cr_expect_eq(ak_verify_at(at05, certs, ak04, "2026-01-01T00:00:00Z"),
                 ATTEST_E_AZURE_AK_MISMATCH);
    attest_verifier_free(v);
    EVP_PKEY_free(ak04);
    EVP_PKEY_free(ak05);
    X509_free(at04);
    X509_free(at05);
    sk_X509_pop_free(certs, X509_free);
}

Test(azure_vtpm, ak_cert_validity_and_missing_collateral)
{
    STACK_OF(X509) *certs = azure_certs(NULL);
    X509 *at04 = ak_cert_file(AT04 "ak_cert.der");
    EVP_PKEY *ak04 = ak_from_hcl(AT04 "hcl_report.bin");
    cr_expect_eq(ak_verify_at(at04, certs, ak04, "2026-06-07T23:59:59Z"),
                 ATTEST_E_CERT_NOT_YET_VALID);
    cr_expect_eq(ak_verify_at(at04, certs, ak04, "2027-06-07T00:00:01Z"), ATTEST_E_CERT_EXPIRED);
    /* CA - 24 itself starts 2026-03-11 */
    STACK_OF(X509) *no24 = azure_certs("azure-cloud-virtual-tpm-ca-24.pem");
    cr_expect_eq(ak_verify_at(at04, no24, ak04, "2026-07-01T00:00:00Z"),
                 ATTEST_E_COLLATERAL_MISSING, "CA - 24 absent");
    STACK_OF(X509) *noroot = azure_certs("azure-virtual-tpm-root-2023.pem");
    /* The root is built in (certs/): the intermediates are enough. */
    cr_expect_eq(ak_verify_at(at04, noroot, ak04, "2026-07-01T00:00:00Z"), ATTEST_OK,
                 "root absent: the built-in one serves");
    cr_expect_eq(ak_verify_at(at04, NULL, ak04, "2026-07-01T00:00:00Z"),
                 ATTEST_E_COLLATERAL_MISSING, "no certificates");
    /* the real root, but not pinned */
    attest_verifier *v = verifier();
    cr_assert_eq(attest_verifier_clear_anchors(v, ATTEST_VENDOR_AZURE_VTPM), ATTEST_OK);
    cr_expect_eq(attest_azure_ak_cert_verify(NULL, v, at04, certs, ak04,
                                             tu_time("2026-07-01T00:00:00Z")),
                 ATTEST_E_CERT_UNTRUSTED_ROOT);
    attest_verifier_free(v);
    sk_X509_pop_free(no24, X509_free);
    sk_X509_pop_free(noroot, X509_free);
    EVP_PKEY_free(ak04);
    X509_free(at04);
    sk_X509_pop_free(certs, X509_free);
}

/* The westus3 leaf is a PEM whose base64 holds the DER and 2484 zero
 * bytes of NV padding. */
Test(azure_vtpm, westus3_leaf_with_padding)
{
    size_t len;
    uint8_t *pem = shared_file(ROOTS "azure-ak-leaf-westus3.pem", &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *nv = NULL;
    long nv_len = 0;
    cr_assert(PEM_read_bio(bio, &name, &header, &nv, &nv_len) == 1);
    cr_assert_eq(nv_len, 4096);
    X509 *leaf = NULL;
    cr_expect_eq(attest_azure_ak_cert_parse(&leaf, nv, (size_t)nv_len), ATTEST_OK, "%s",
                 attest_error_last());
    cr_assert(leaf);
    STACK_OF(X509) *certs = azure_certs(NULL);
    cr_expect_eq(ak_verify_at(leaf, certs, X509_get0_pubkey(leaf), "2026-07-01T00:00:00Z"),
                 ATTEST_OK, "%s", attest_error_last());
    X509_free(leaf);
    /* a non-zero byte anywhere in the padding is refused */
    nv[nv_len - 1] = 1;
    cr_expect_eq(attest_azure_ak_cert_parse(&leaf, nv, (size_t)nv_len), ATTEST_E_CERT_PARSE);
    cr_expect_null(leaf);
    nv[nv_len - 1] = 0;
    nv[1612] = 0x30;
    cr_expect_eq(attest_azure_ak_cert_parse(&leaf, nv, (size_t)nv_len), ATTEST_E_CERT_PARSE,
                 "a second SEQUENCE after the certificate");
    cr_expect_eq(attest_azure_ak_cert_parse(&leaf, nv, 1611), ATTEST_E_CERT_PARSE, "truncated");
    cr_expect_eq(attest_azure_ak_cert_parse(&leaf, nv, 1), ATTEST_E_CERT_PARSE, "one byte");
    nv[0] = 0x31;
    cr_expect_eq(attest_azure_ak_cert_parse(&leaf, nv, 1612), ATTEST_E_CERT_PARSE, "SET tag");
    nv[0] = 0x30;
    nv[1] = 0x85; /* 5 length bytes */
    cr_expect_eq(attest_azure_ak_cert_parse(&leaf, nv, 1612), ATTEST_E_CERT_PARSE, "long length");
    nv[1] = 0x82;
    nv[100] ^= 0xff; /* inside the TBSCertificate's encoding */
    X509 *x = NULL;
    int rc = attest_azure_ak_cert_parse(&x, nv, 1612);
    cr_expect(rc == ATTEST_E_CERT_PARSE || (rc == ATTEST_OK && x), "corrupt body: %d", rc);
    X509_free(x);
    sk_X509_pop_free(certs, X509_free);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(nv);
    BIO_free(bio);
    free(pem);
}

/* ---- a test AK PKI made here -------------------------------------------- */

typedef struct cert_spec {
    const char *cn;
    bool ca;
    const char *eku;      /* extendedKeyUsage value, or NULL for none */
    const char *ku;       /* keyUsage value, or NULL for the role's default */
} cert_spec;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    cr_assert(ext, "extension %d=%s", nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
}

/* A certificate for `key` issued by issuer/issuer_key (self-signed when
 * issuer is NULL), valid 2025-01-01..2035-01-01. */
static X509 *make_cert(const cert_spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)s->cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)tu_time("2025-01-01T00:00:00Z"));
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)tu_time("2035-01-01T00:00:00Z"));
    X509_set_pubkey(x, key);
    X509 *iss = issuer ? issuer : x;
    add_ext(x, iss, NID_basic_constraints, s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, iss, NID_key_usage,
            s->ku ? s->ku : s->ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    add_ext(x, iss, NID_subject_key_identifier, "hash");
    if (issuer)
        add_ext(x, iss, NID_authority_key_identifier, "keyid:always");
    if (s->eku)
        add_ext(x, iss, NID_ext_key_usage, s->eku);
    cr_assert(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    return x;
}

typedef struct test_pki {
    EVP_PKEY *root_key, *ca_key, *ak;
    X509 *root, *ca;
    STACK_OF(X509) *certs;
    attest_verifier *v;   /* the test root pinned as the Azure vTPM anchor */
} test_pki;

static test_pki pki_new(void)
{
    test_pki p;
    p.root_key = rsa_key(2048);
    p.ca_key = rsa_key(2048);
    p.ak = ak_2048();
    cert_spec root = {"Test Virtual TPM Root", true, NULL, NULL};
    cert_spec ca = {"Test Virtual TPM CA", true, NULL, NULL};
    p.root = make_cert(&root, p.root_key, NULL, NULL);
    p.ca = make_cert(&ca, p.ca_key, p.root, p.root_key);
    p.certs = sk_X509_new_null();
    X509_up_ref(p.root);
    X509_up_ref(p.ca);
    sk_X509_push(p.certs, p.root);
    sk_X509_push(p.certs, p.ca);
    p.v = verifier();
    uint8_t pin[32];
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(p.root_key, &spki);
    EVP_Digest(spki, (size_t)n, pin, NULL, EVP_sha256(), NULL);
    OPENSSL_free(spki);
    cr_assert_eq(attest_verifier_add_anchor(p.v, ATTEST_VENDOR_AZURE_VTPM, pin), ATTEST_OK);
    return p;
}

static void pki_free(test_pki *p)
{
    sk_X509_pop_free(p->certs, X509_free);
    X509_free(p->root);
    X509_free(p->ca);
    EVP_PKEY_free(p->root_key);
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->ak);
    attest_verifier_free(p->v);
}

static int pki_verify(test_pki *p, const cert_spec *leaf_spec, EVP_PKEY *leaf_key,
                      const attest_verifier *v)
{
    X509 *leaf = make_cert(leaf_spec, leaf_key, p->ca, p->ca_key);
    int rc = attest_azure_ak_cert_verify(NULL, v, leaf, p->certs, p->ak,
                                         tu_time("2026-01-01T00:00:00Z"));
    X509_free(leaf);
    return rc;
}

#define AIK_EKU "1.3.6.1.4.1.311.10.3.12,2.23.133.8.3"

Test(azure_vtpm, ak_cert_of_a_test_root_is_untrusted)
{
    test_pki p = pki_new();
    cert_spec leaf = {"x.ConfidentialVM.Azure.windows.net", false, AIK_EKU, NULL};
    attest_verifier *builtin = verifier();
    cr_expect_eq(pki_verify(&p, &leaf, p.ak, builtin), ATTEST_E_CERT_UNTRUSTED_ROOT, "%s",
                 attest_error_last());
    attest_verifier_free(builtin);
    /* the same chain with its root pinned verifies: the profile is right */
    cr_expect_eq(pki_verify(&p, &leaf, p.ak, p.v), ATTEST_OK, "%s", attest_error_last());
    /* a root pinned for another vendor does not count */
    attest_verifier *amd = verifier();
    uint8_t pin[32];
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(p.root_key, &spki);
    EVP_Digest(spki, (size_t)n, pin, NULL, EVP_sha256(), NULL);
    OPENSSL_free(spki);
    cr_assert_eq(attest_verifier_add_anchor(amd, ATTEST_VENDOR_AMD, pin), ATTEST_OK);
    cr_expect_eq(pki_verify(&p, &leaf, p.ak, amd), ATTEST_E_CERT_UNTRUSTED_ROOT);
    attest_verifier_free(amd);
    pki_free(&p);
}

Test(azure_vtpm, ak_cert_profile)
{
    test_pki p = pki_new();
    cert_spec no_eku = {"no-eku", false, NULL, NULL};
    cr_expect_eq(pki_verify(&p, &no_eku, p.ak, p.v), ATTEST_E_CERT_PROFILE, "no EKU");
    cr_expect(strstr(attest_error_last(), "2.23.133.8.3"), "%s", attest_error_last());
    cert_spec tls = {"tls", false, "serverAuth,1.3.6.1.4.1.311.10.3.12", NULL};
    cr_expect_eq(pki_verify(&p, &tls, p.ak, p.v), ATTEST_E_CERT_PROFILE, "EKU without AIK");
    cert_spec ca = {"ca", true, AIK_EKU, "critical,digitalSignature,keyCertSign"};
    cr_expect_eq(pki_verify(&p, &ca, p.ak, p.v), ATTEST_E_CERT_PROFILE, "CA:TRUE");
    cert_spec enc = {"enc", false, AIK_EKU, "critical,keyEncipherment"};
    cr_expect_eq(pki_verify(&p, &enc, p.ak, p.v), ATTEST_E_CERT_PROFILE, "no digitalSignature");
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    cert_spec ecs = {"ec", false, AIK_EKU, NULL};
    cr_expect_eq(pki_verify(&p, &ecs, ec, p.v), ATTEST_E_CERT_PROFILE, "EC key");
    EVP_PKEY_free(ec);
    /* right profile, other key than the claims' AK */
    EVP_PKEY *other = rsa_key(2048);
    cert_spec ok = {"other", false, AIK_EKU, NULL};
    cr_expect_eq(pki_verify(&p, &ok, other, p.v), ATTEST_E_AZURE_AK_MISMATCH);
    EVP_PKEY_free(other);
    pki_free(&p);
}

/* The leaf must chain to the root: one signed by a key that is not its
 * issuer's fails, as does a leaf issued by the AK itself. */
Test(azure_vtpm, ak_cert_forged_issuer_signature)
{
    test_pki p = pki_new();
    cert_spec leaf = {"forged", false, AIK_EKU, NULL};
    X509 *x = make_cert(&leaf, p.ak, p.ca, p.root_key); /* CA's name, root's key */
    cr_expect_eq(attest_azure_ak_cert_verify(NULL, p.v, x, p.certs, p.ak,
                                             tu_time("2026-01-01T00:00:00Z")),
                 ATTEST_E_CERT_SIGNATURE, "%s", attest_error_last());
    X509_free(x);
    x = make_cert(&leaf, p.ak, NULL, NULL); /* self-signed AK certificate */
    cr_expect_eq(attest_azure_ak_cert_verify(NULL, p.v, x, p.certs, p.ak,
                                             tu_time("2026-01-01T00:00:00Z")),
                 ATTEST_E_CERT_UNTRUSTED_ROOT, "%s", attest_error_last());
    X509_free(x);
    pki_free(&p);
}

Test(azure_vtpm, status_names)
{
    cr_expect_str_eq(attest_status_name(ATTEST_E_TPM_AK_KEY), "ATTEST_E_TPM_AK_KEY");
    cr_expect_str_eq(attest_status_name(ATTEST_E_TPM_SIGNATURE), "ATTEST_E_TPM_SIGNATURE");
    cr_expect_str_eq(attest_status_name(ATTEST_E_TPM_SIGNATURE_FORMAT),
                     "ATTEST_E_TPM_SIGNATURE_FORMAT");
    cr_expect_str_eq(attest_status_name(ATTEST_E_TPM_PCR_DIGEST), "ATTEST_E_TPM_PCR_DIGEST");
    cr_expect_str_eq(attest_status_name(ATTEST_E_TPM_NONCE), "ATTEST_E_TPM_NONCE");
    cr_expect_str_eq(attest_status_name(ATTEST_E_AZURE_CLAIMS_BINDING),
                     "ATTEST_E_AZURE_CLAIMS_BINDING");
    cr_expect_str_eq(attest_status_name(ATTEST_E_AZURE_REPORT_DATA_TAIL),
                     "ATTEST_E_AZURE_REPORT_DATA_TAIL");
    cr_expect_str_eq(attest_status_name(ATTEST_E_AZURE_AK_MISMATCH), "ATTEST_E_AZURE_AK_MISMATCH");
    for (int s = -169; s <= -160; s++)
        cr_expect(strcmp(attest_strerror(s), attest_strerror(-9999)) != 0 || s <= -168,
                  "%d has no text", s);
}

/* The library's mapping of a container's list (PCR i at position i)
 * through the selection gives what the test's own mapping gives. */
Test(azure_vtpm, pcr_select_values_maps_by_index)
{
    static const uint8_t sel[3] = {0x00, 0x80, 0x41};
    uint8_t all[24 * 32], out[32 * 32];
    size_t len;
    pcr_values(all);
    cr_assert_eq(attest_tpm_pcr_select_values(out, sizeof out, &len, sel, 3, all, 24), ATTEST_OK);
    cr_expect_eq(len, 96);
    cr_expect(out[0] == 16 && out[32] == 17 && out[64] == 23, "%u %u %u", out[0], out[32], out[64]);
    cr_expect_eq(attest_tpm_pcr_select_values(out, sizeof out, &len, sel, 3, all, 22),
                 ATTEST_E_TPM_PCR_DIGEST, "PCR 22 selected, 22 values");
    cr_expect_eq(attest_tpm_pcr_select_values(out, 64, &len, sel, 3, all, 24), ATTEST_E_LENGTH);
    static const uint8_t wide[5] = {1, 0, 0, 0, 0};
    cr_expect_eq(attest_tpm_pcr_select_values(out, sizeof out, &len, wide, 5, all, 24),
                 ATTEST_E_TPM_PCR_DIGEST);
    /* every real sample with values, through the library's mapping */
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        if (!samples[i].pcrs)
            continue;
        loaded l = load(&samples[i]);
        quote_fields q = quote_parse(l.msg, l.msg_len);
        cr_assert_eq(attest_tpm_pcr_select_values(out, sizeof out, &len, q.select, q.select_len,
                                                  l.pcrs, l.pcrs_len / 32),
                     ATTEST_OK, "%s: %s", samples[i].name, attest_error_last());
        cr_expect_eq(attest_tpm_pcr_digest_check(q.bank, q.select, q.select_len, out, len,
                                                 q.digest, q.digest_len),
                     ATTEST_OK, "%s: %s", samples[i].name, attest_error_last());
        unload(&l);
    }
}
