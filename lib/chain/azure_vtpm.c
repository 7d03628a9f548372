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
#include <limits.h>
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

unsigned attest_tpm_select_count(const uint8_t *select, size_t select_len)
{
    unsigned count = 0;
    for (size_t i = 0; select && i < select_len; i++)
        for (uint8_t b = select[i]; b; b &= (uint8_t)(b - 1))
            count++;
    return count;
}

int attest_tpm_pcr_select_values(uint8_t *out, size_t out_cap, size_t *out_len,
                                 const uint8_t *select, size_t select_len,
                                 const uint8_t *by_index, size_t count)
{
    if (!out || !out_len || !select || (!by_index && count))
        return attest_set_error(ATTEST_E_INVALID_ARG, PCR_FIELD ": NULL argument");
    *out_len = 0;
    if (select_len > PCR_SELECT_MAX)
        return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                PCR_FIELD ": selection of %zu bytes (1..%d allowed)",
                                select_len, PCR_SELECT_MAX);
    for (size_t i = 0; i < select_len * 8; i++) {
        if (!(select[i / 8] & (1u << (i % 8))))
            continue;
        if (i >= count)
            return attest_set_error(ATTEST_E_TPM_PCR_DIGEST,
                                    PCR_FIELD ": PCR %zu is selected but only PCRs 0..%zu "
                                    "have values", i, count ? count - 1 : 0);
        if (out_cap - *out_len < PCR_VALUE_LEN)
            return attest_set_error(ATTEST_E_LENGTH, PCR_FIELD ": output buffer too small");
        memcpy(out + *out_len, by_index + i * PCR_VALUE_LEN, PCR_VALUE_LEN);
        *out_len += PCR_VALUE_LEN;
    }
    return ATTEST_OK;
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
    unsigned count = attest_tpm_select_count(select, select_len);
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

/* ---- AK certificate -------------------------------------------------- */

/* The length of the DER TLV at der[0, len): tag, then a definite length
 * (short or long form, at most 4 length bytes), then the content. Returns
 * 0 when it does not fit in len. d2i_X509 judges the tag and content. */
static size_t der_tlv_length(const uint8_t *der, size_t len)
{
    if (len < 2)
        return 0;
    size_t hdr = 2, content = der[1];
    if (der[1] & 0x80) {
        size_t n = der[1] & 0x7f;
        if (n == 0 || n > 4 || len < 2 + n)
            return 0;
        content = 0;
        for (size_t i = 0; i < n; i++)
            content = (content << 8) | der[2 + i];
        hdr += n;
    }
    return content <= len - hdr ? hdr + content : 0;
}

int attest_azure_ak_cert_parse(X509 **out, const uint8_t *nv, size_t nv_len)
{
    if (!out || !nv || nv_len == 0 || nv_len > LONG_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, AKCERT_FIELD ": no certificate bytes");
    *out = NULL;
    size_t der_len = der_tlv_length(nv, nv_len);
    if (der_len == 0)
        return attest_set_error(ATTEST_E_CERT_PARSE,
                                AKCERT_FIELD ": the %zu bytes do not start with a DER "
                                "element that fits in them", nv_len);
    /* NV padding is zeros; other bytes after the certificate would be
     * data nobody signed, so they are refused rather than ignored. */
    if (!attest_all_zero(nv + der_len, nv_len - der_len))
        return attest_set_error(ATTEST_E_CERT_PARSE,
                                AKCERT_FIELD ": non-zero bytes after the %zu-byte DER "
                                "certificate", der_len);
    const unsigned char *p = nv;
    X509 *cert = d2i_X509(NULL, &p, (long)der_len);
    if (!cert || p != nv + der_len) {
        X509_free(cert);
        ERR_clear_error();
        return attest_set_error(ATTEST_E_CERT_PARSE,
                                AKCERT_FIELD ": the leading %zu-byte DER is no X.509 "
                                "certificate", der_len);
    }
    *out = cert;
    return ATTEST_OK;
}

/* tcg-kp-AIKCertificate (TCG EK credential profile): the EKU that makes
 * a certificate an attestation-key certificate. */
#define OID_TCG_KP_AIK "2.23.133.8.3"

static bool has_aik_eku(X509 *leaf)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
    bool found = false;
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
        char oid[64];
        if (OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(eku, i), 1) > 0 &&
            strcmp(oid, OID_TCG_KP_AIK) == 0)
            found = true;
    }
    EXTENDED_KEY_USAGE_free(eku);
    ERR_clear_error();
    return found;
}

static int check_ak_profile(attest_result *r, X509 *leaf)
{
    const char *name = AKCERT_FIELD ".profile";
    EVP_PKEY *key = X509_get0_pubkey(leaf);
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return attest_check_fail(r, name, ATTEST_E_CERT_PROFILE, "AK certificate key is not RSA");
    /* X509_check_ca > 0 also for a v1 certificate or a keyCertSign usage. */
    if (X509_check_ca(leaf) != 0)
        return attest_check_fail(r, name, ATTEST_E_CERT_PROFILE,
                                 "AK certificate is a CA certificate");
    if (!has_aik_eku(leaf))
        return attest_check_fail(r, name, ATTEST_E_CERT_PROFILE,
                                 "AK certificate lacks EKU " OID_TCG_KP_AIK
                                 " (tcg-kp-AIKCertificate)");
    uint32_t ku = X509_get_key_usage(leaf);
    if (ku != UINT32_MAX && !(ku & KU_DIGITAL_SIGNATURE))
        return attest_check_fail(r, name, ATTEST_E_CERT_PROFILE,
                                 "AK certificate key usage lacks digitalSignature");
    attest_check_pass(r, name, "RSA-%d, not a CA, EKU " OID_TCG_KP_AIK,
                      EVP_PKEY_get_bits(key));
    return ATTEST_OK;
}

static int spki_der(EVP_PKEY *key, unsigned char **der)
{
    *der = NULL;
    return i2d_PUBKEY(key, der);
}

static int check_ak_key(attest_result *r, X509 *leaf, EVP_PKEY *ak)
{
    const char *name = AKCERT_FIELD ".key";
    unsigned char *a = NULL, *b = NULL;
    int a_len = spki_der(X509_get0_pubkey(leaf), &a), b_len = spki_der(ak, &b);
    bool same = a_len > 0 && a_len == b_len && memcmp(a, b, (size_t)a_len) == 0;
    OPENSSL_free(a);
    OPENSSL_free(b);
    ERR_clear_error();
    if (a_len <= 0 || b_len <= 0)
        return attest_check_fail(r, name, ATTEST_E_INTERNAL, "public key not encodable");
    if (!same)
        return attest_check_fail(r, name, ATTEST_E_AZURE_AK_MISMATCH,
                                 "the AK certificate's public key is not the runtime claims' "
                                 "AK (HCLAkPub)");
    attest_check_pass(r, name, "certificate key == HCLAkPub");
    return ATTEST_OK;
}

static int check_ak_chain(attest_result *r, const attest_verifier *v, X509 *leaf,
                          STACK_OF(X509) *certs, int64_t now)
{
    const char *name = AKCERT_FIELD ".chain";
    STACK_OF(X509) *chain = NULL;
    /* The root is built in (certs/), so the intermediates Azure ships
     * beside the AK certificate are enough. */
    int status = attest_x509_verify_pinned(r, name, v, ATTEST_VENDOR_AZURE_VTPM, leaf, certs,
                                           now, true, &chain);
    if (status != ATTEST_OK)
        return status;
    char cn[64], root[64];
    attest_cert_cn(leaf, cn, sizeof cn);
    attest_cert_cn(sk_X509_value(chain, sk_X509_num(chain) - 1), root, sizeof root);
    attest_check_pass(r, name, "'%s' -> %d intermediate(s) -> pinned '%s'", cn,
                      sk_X509_num(chain) - 2, root);
    sk_X509_pop_free(chain, X509_free);
    return ATTEST_OK;
}

int attest_azure_ak_cert_verify(attest_result *r, const attest_verifier *v, X509 *leaf,
                                STACK_OF(X509) *certs, EVP_PKEY *ak, int64_t now)
{
    if (!v || !leaf || !ak)
        return attest_set_error(ATTEST_E_INVALID_ARG, AKCERT_FIELD ": NULL argument");
    STACK_OF(X509) *none = certs ? NULL : sk_X509_new_null();
    if (!certs && !none)
        return attest_set_error(ATTEST_E_NOMEM, AKCERT_FIELD ": out of memory");
    int status = check_ak_profile(r, leaf);
    if (status == ATTEST_OK)
        status = check_ak_chain(r, v, leaf, certs ? certs : none, now);
    if (status == ATTEST_OK)
        status = check_ak_key(r, leaf, ak);
    sk_X509_free(none);
    return status;
}
