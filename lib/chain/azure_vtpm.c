/* Azure vTPM checks: AK from the runtime claims' JWK, TPM2_Quote
 * signature, PCR digest, nonce, claims binding and the AK certificate
 * (azure_vtpm.h). */
#include "azure_vtpm.h"

#include "x509_chain.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <string.h>

#define AK_FIELD "tpm.ak"
#define SIG_FIELD "tpm.quote.signature"
#define PCR_FIELD "tpm.quote.pcr_digest"
#define NONCE_FIELD "tpm.quote.nonce"
#define BINDING_FIELD "azure.claims.binding"
#define AKCERT_FIELD "azure.ak_cert"

#define PCR_VALUE_LEN 32     /* SHA-256 bank */
#define PCR_SELECT_MAX 4     /* 32 PCRs: TPM 2.0 PC client has 24 */
#define TPMT_SIG_HEADER 6    /* sigAlg u16, hash u16, TPM2B size u16 */

/* ---- AK from the JWK ------------------------------------------------- */

static bool rsa_modulus_size_ok(size_t n_len)
{
    return n_len == 256 || n_len == 384 || n_len == 512;
}

static int check_jwk_members(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
    static const uint8_t f4[3] = {0x01, 0x00, 0x01};
    if (n_len > 0 && n[0] == 0)
        return attest_set_error(ATTEST_E_TPM_AK_KEY,
                                AK_FIELD ": JWK n has a leading zero byte (not minimal)");
    if (!rsa_modulus_size_ok(n_len) || !(n[0] & 0x80))
        return attest_set_error(ATTEST_E_TPM_AK_KEY,
                                AK_FIELD ": JWK n is %zu bytes (top byte 0x%02x); only "
                                "2048, 3072 and 4096-bit moduli are accepted",
                                n_len, n_len ? n[0] : 0);
    if (!(n[n_len - 1] & 1))
        return attest_set_error(ATTEST_E_TPM_AK_KEY, AK_FIELD ": JWK n is even");
    if (e_len != sizeof f4 || memcmp(e, f4, sizeof f4) != 0)
        return attest_set_error(ATTEST_E_TPM_AK_KEY,
                                AK_FIELD ": JWK e is not 65537 (AQAB), %zu bytes", e_len);
    return ATTEST_OK;
}

static int rsa_key_from_params(EVP_PKEY **out, OSSL_PARAM *params)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    int ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? ATTEST_OK : ATTEST_E_INTERNAL;
}

int attest_tpm_ak_from_jwk(EVP_PKEY **out, const uint8_t *n, size_t n_len, const uint8_t *e,
                           size_t e_len)
{
    if (!out || !n || !e)
        return attest_set_error(ATTEST_E_INVALID_ARG, AK_FIELD ": NULL argument");
    *out = NULL;
    int status = check_jwk_members(n, n_len, e, e_len);
    if (status != ATTEST_OK)
        return status;
    BIGNUM *bn_n = BN_bin2bn(n, (int)n_len, NULL), *bn_e = BN_bin2bn(e, (int)e_len, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    status = ATTEST_E_INTERNAL;
    if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
        (params = OSSL_PARAM_BLD_to_param(bld)))
        status = rsa_key_from_params(out, params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    ERR_clear_error();
    if (status != ATTEST_OK)
        return attest_set_error(status, AK_FIELD ": OpenSSL could not build the RSA key");
    return ATTEST_OK;
}

/* ---- quote signature ------------------------------------------------- */

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* The raw signature inside `sig`: itself when it has the key's size, or
 * the body of a TPMT_SIGNATURE with RSASSA and SHA-256. */
static int raw_signature(const uint8_t *sig, size_t sig_len, size_t key_len,
                         const uint8_t **raw)
{
    if (sig_len == key_len) {
        *raw = sig;
        return ATTEST_OK;
    }
    if (sig_len != TPMT_SIG_HEADER + key_len)
        return attest_set_error(ATTEST_E_TPM_SIGNATURE_FORMAT,
                                SIG_FIELD ": %zu bytes, neither the raw %zu-byte RSA "
                                "signature nor a TPMT_SIGNATURE holding one",
                                sig_len, key_len);
    if (be16(sig) != ATTEST_TPM_ALG_RSASSA || be16(sig + 2) != ATTEST_TPM_ALG_SHA256)
        return attest_set_error(ATTEST_E_TPM_SIGNATURE_FORMAT,
                                SIG_FIELD ": TPMT_SIGNATURE sigAlg 0x%04x hash 0x%04x; "
                                "only RSASSA (0x0014) with SHA-256 (0x000b) is accepted",
                                be16(sig), be16(sig + 2));
    if (be16(sig + 4) != key_len)
        return attest_set_error(ATTEST_E_TPM_SIGNATURE_FORMAT,
                                SIG_FIELD ": TPMT_SIGNATURE size %u != key size %zu",
                                be16(sig + 4), key_len);
    *raw = sig + TPMT_SIG_HEADER;
    return ATTEST_OK;
}

static int rsa_sha256_verify(EVP_PKEY *ak, const uint8_t *msg, size_t msg_len,
                             const uint8_t *raw, size_t raw_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int rc = -1;
    if (ctx && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, ak) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1)
        rc = EVP_DigestVerify(ctx, raw, raw_len, msg, msg_len) == 1 ? 1 : 0;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

int attest_tpm_quote_check_signature(const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                     size_t sig_len, EVP_PKEY *ak)
{
    if (!msg || !sig || !ak || msg_len == 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, SIG_FIELD ": NULL or empty argument");
    int bits = EVP_PKEY_get_bits(ak);
    if (EVP_PKEY_get_base_id(ak) != EVP_PKEY_RSA || bits < 2048 || bits > 4096)
        return attest_set_error(ATTEST_E_TPM_AK_KEY,
                                SIG_FIELD ": AK is not an RSA key of 2048..4096 bits");
    size_t key_len = (size_t)EVP_PKEY_get_size(ak);
    const uint8_t *raw = NULL;
    int status = raw_signature(sig, sig_len, key_len, &raw);
    if (status != ATTEST_OK)
        return status;
    int rc = rsa_sha256_verify(ak, msg, msg_len, raw, key_len);
    if (rc < 0)
        return attest_set_error(ATTEST_E_INTERNAL, SIG_FIELD ": OpenSSL verify setup failed");
    if (rc == 0)
        return attest_set_error(ATTEST_E_TPM_SIGNATURE,
                                SIG_FIELD ": RSASSA-PKCS1-v1_5/SHA-256 over the %zu-byte "
                                "TPMS_ATTEST does not verify with the AK (%d bits)",
                                msg_len, bits);
    return ATTEST_OK;
}

/* ---- PCR digest ------------------------------------------------------ */

unsigned attest_tpm_pcr_count(const uint8_t *select, size_t select_len)
{
    unsigned count = 0;
    for (size_t i = 0; select && i < select_len; i++)
        for (uint8_t b = select[i]; b; b &= (uint8_t)(b - 1))
            count++;
    return count;
}

static int check_pcr_inputs(uint16_t hash_alg, size_t select_len, unsigned count,
                            size_t values_len, size_t digest_len)
{
    if (hash_alg != ATTEST_TPM_ALG_SHA256)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                PCR_FIELD ": PCR bank 0x%04x; only SHA-256 (0x000b) is "
                                "accepted", hash_alg);
    if (select_len == 0 || select_len > PCR_SELECT_MAX)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                PCR_FIELD ": selection of %zu bytes (1..%d allowed)",
                                select_len, PCR_SELECT_MAX);
    if (count == 0)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                PCR_FIELD ": the quote selects no PCR");
    if (values_len != (size_t)count * PCR_VALUE_LEN)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                PCR_FIELD ": %zu bytes of PCR values for %u selected "
                                "PCRs of %d bytes each", values_len, count, PCR_VALUE_LEN);
    if (digest_len != PCR_VALUE_LEN)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                PCR_FIELD ": pcrDigest is %zu bytes, SHA-256 needs %d",
                                digest_len, PCR_VALUE_LEN);
    return ATTEST_OK;
}

int attest_tpm_pcr_digest_check(uint16_t hash_alg, const uint8_t *select, size_t select_len,
                                const uint8_t *values, size_t values_len,
                                const uint8_t *digest, size_t digest_len)
{
    if (!select || !digest || (!values && values_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, PCR_FIELD ": NULL argument");
    unsigned count = attest_tpm_pcr_count(select, select_len);
    int status = check_pcr_inputs(hash_alg, select_len, count, values_len, digest_len);
    if (status != ATTEST_OK)
        return status;
    uint8_t h[32];
    if (EVP_Digest(values, values_len, h, NULL, EVP_sha256(), NULL) != 1)
        return attest_set_error(ATTEST_E_INTERNAL, PCR_FIELD ": SHA-256 failed");
    if (memcmp(h, digest, sizeof h) != 0)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                PCR_FIELD ": SHA-256 of the %u selected PCR values (in "
                                "ascending index order) differs from the signed pcrDigest",
                                count);
    return ATTEST_OK;
}

/* ---- nonce and claims binding ---------------------------------------- */

int attest_tpm_nonce_check(const uint8_t *extra_data, size_t extra_len, const uint8_t *nonce,
                           size_t nonce_len)
{
    if (!nonce || nonce_len == 0 || (!extra_data && extra_len))
        return attest_set_error(ATTEST_E_INVALID_ARG, NONCE_FIELD ": no nonce to compare");
    if (extra_len != nonce_len || memcmp(extra_data, nonce, nonce_len) != 0)
        return attest_set_error(ATTEST_E_TPM_NONCE,
                                NONCE_FIELD ": extraData (%zu bytes) is not the %zu-byte "
                                "nonce", extra_len, nonce_len);
    return ATTEST_OK;
}

int attest_azure_claims_binding_check(const uint8_t *claims, size_t claims_len,
                                      const uint8_t report_data[64])
{
    if (!claims || !report_data || claims_len == 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, BINDING_FIELD ": no runtime claims");
    uint8_t h[32];
    if (EVP_Digest(claims, claims_len, h, NULL, EVP_sha256(), NULL) != 1)
        return attest_set_error(ATTEST_E_INTERNAL, BINDING_FIELD ": SHA-256 failed");
    if (memcmp(h, report_data, sizeof h) != 0) {
        char want[65], got[65];
        attest_hex_encode(want, h, 8);
        attest_hex_encode(got, report_data, 8);
        return attest_set_error(ATTEST_E_AZURE_CLAIMS_BINDING,
                                BINDING_FIELD ": SHA-256 of the %zu-byte runtime claims "
                                "%s... != REPORT_DATA[0:32] %s...", claims_len, want, got);
    }
    if (!attest_all_zero(report_data + 32, 32))
        return attest_set_error(ATTEST_E_AZURE_REPORT_DATA_TAIL,
                                BINDING_FIELD ": REPORT_DATA[32:64] is not all zero");
    return ATTEST_OK;
}
