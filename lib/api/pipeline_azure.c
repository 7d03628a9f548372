/* The Azure confidential-VM pipeline (research/azure.md section 5, "the
 * suggested order"): the HCL report as parsed -> the hardware report
 * (SNP: VCEK chain and signature; TDX: the TD quote, which must describe
 * the HCL's TDREPORT) -> REPORT_DATA binds the runtime claims -> the AK
 * from the claims signs the TPM quote -> its extraData is the caller's
 * nonce and its PCR values hash to the signed digest -> the AK certificate
 * (when given) -> the "azure" policy section. The hardware report is
 * appraised by its own section ("snp" / "tdx"), except REPORT_DATA, which
 * holds the claims' hash, not a nonce. */
#include "azure_evidence.h"
#include "pipeline.h"
#include "../appraise/azure_appraise.h"
#include "../chain/azure_vtpm.h"

#include <openssl/x509.h>
#include <string.h>

static void check_hcl(attest_result *r, const azure_evidence *az)
{
    attest_check_pass(r, "azure.hcl", "HCL report header v%u, %s report, runtime claims of "
                      "%zu bytes hashed with SHA-256", az->hcl.header_version,
                      azure_is_snp(az) ? "SEV-SNP" : "TDX", az->hcl.claims_len);
}

/* REPORT_DATA = SHA-256(runtime claims) || 32 zero bytes: what ties the
 * claims, and so the AK, to the hardware. */
static void check_claims_binding(attest_result *r, const azure_evidence *az)
{
    /* REPORT_DATA sits at 0x50 of every SNP report version, read from the
     * bytes so that the binding is judged even in a report of a version
     * this library does not verify. */
    const uint8_t *rd = azure_is_snp(az) ? az->hcl.hw_report + 0x50 : az->tdreport.report_data;
    int status = attest_azure_claims_binding_check(az->hcl.claims, az->hcl.claims_len, rd);
    if (status == ATTEST_OK)
        attest_check_pass(r, "azure.claims.binding", "REPORT_DATA = SHA-256(runtime claims) "
                                                     "|| zeros");
    else
        attest_check_fail(r, "azure.claims.binding", status, "%s", attest_error_last());
}

static bool td_fields_equal(const attest_tdx_report *t, const dcap_td_report *q)
{
    uint8_t attributes[8], xfam[8];
    for (int i = 0; i < 8; i++) {
        attributes[i] = (uint8_t)(t->attributes >> (8 * i));
        xfam[i] = (uint8_t)(t->xfam >> (8 * i));
    }
    return !memcmp(t->report_data, q->reportdata, 64) && !memcmp(t->mrtd, q->mrtd, 48) &&
           !memcmp(t->rtmr, q->rtmr, sizeof t->rtmr) &&
           !memcmp(t->mrconfigid, q->mrconfigid, 48) && !memcmp(t->mrowner, q->mrowner, 48) &&
           !memcmp(t->mrownerconfig, q->mrownerconfig, 48) &&
           !memcmp(attributes, q->td_attributes, 8) && !memcmp(xfam, q->xfam, 8) &&
           !memcmp(t->tee_tcb_svn, q->tee_tcb_svn, 16) && !memcmp(t->mrseam, q->mrseam, 48);
}

/* A TDREPORT is only MAC'd by the CPU: the TD quote Azure issues for it
 * is what is verified, and it must describe this TDREPORT. */
static void verify_td(attest_result *r, attest_verifier *v, const azure_evidence *az,
                      const attest_collateral *coll, const attest_policy *policy,
                      const nonce_use *hw, json_t *claims)
{
    if (!az->td_quote) {
        attest_check_fail(r, "azure.td_quote", ATTEST_E_AZURE_QUOTE_MISSING,
                          "the HCL report holds a TDREPORT, which only the TD quote Azure "
                          "issues for it (IMDS /acc/tdquote) can prove; none was given");
        return;
    }
    if (td_fields_equal(&az->tdreport, &az->td_quote->td))
        attest_check_pass(r, "azure.td_quote", "the TD quote describes the HCL's TDREPORT "
                          "(REPORTDATA, MRTD, RTMRs, MRCONFIGID, MROWNER(CONFIG), "
                          "attributes, XFAM, TEE_TCB_SVN, MRSEAM)");
    else
        attest_check_fail(r, "azure.td_quote", ATTEST_E_AZURE_TD_REPORT,
                          "the TD quote's fields differ from the HCL's TDREPORT");
    pipeline_verify_dcap(r, v, az->td_quote, coll, policy, hw, claims);
}

/* The PCRs of the signed selection; values, once they hash to the signed
 * digest, are mapped to indices through that selection, never by list
 * position. */
static void map_pcrs(const azure_evidence *az, const uint8_t *values, azure_pcrs *pcrs)
{
    size_t k = 0;
    for (unsigned i = 0; i < az->quote.pcr_select_len * 8 && i < 32; i++) {
        if (!(az->quote.pcr_select[i / 8] & (1u << (i % 8))))
            continue;
        if (i < AZURE_PCR_COUNT) {
            pcrs->selected |= 1u << i;
            memcpy(pcrs->value[i], values + 32 * k, 32);
            pcrs->known |= 1u << i;
        }
        k++;
    }
}

static void check_pcr_values(attest_result *r, const azure_evidence *az, const azure_policy *p,
                             azure_pcrs *pcrs)
{
    for (unsigned i = 0; i < az->quote.pcr_select_len * 8 && i < AZURE_PCR_COUNT; i++)
        if (az->quote.pcr_select[i / 8] & (1u << (i % 8)))
            pcrs->selected |= 1u << i;
    uint8_t from_list[AZURE_PCR_VALUES_MAX];
    const uint8_t *values = az->pcr_values;
    size_t values_len = az->pcr_values_len;
    int status = ATTEST_OK;
    /* A container's list holds PCR i at i: only the selected ones count. */
    if (az->pcr_list) {
        status = attest_tpm_pcr_select_values(from_list, sizeof from_list, &values_len,
                                              az->quote.pcr_select, az->quote.pcr_select_len,
                                              az->pcr_list, az->pcr_list_count);
        values = from_list;
    }
    if (!values) {
        if (p->require_pcr_values)
            attest_check_fail(r, "azure.tpm.pcrs", ATTEST_E_POLICY_PCR,
                              "no PCR values came with the quote (azure.require_pcr_values)");
        else
            attest_check_skip(r, "azure.tpm.pcrs", "no PCR values came with the quote: the "
                                                   "result names no PCR value");
        return;
    }
    if (status == ATTEST_OK)
        status = attest_tpm_pcr_digest_check(az->quote.pcr_hash_alg, az->quote.pcr_select,
                                             az->quote.pcr_select_len, values, values_len,
                                             az->quote.pcr_digest, az->quote.pcr_digest_len);
    if (status != ATTEST_OK) {
        attest_check_fail(r, "azure.tpm.pcrs", status, "%s", attest_error_last());
        return;
    }
    map_pcrs(az, values, pcrs);
    attest_check_pass(r, "azure.tpm.pcrs", "%zu PCR values hash to the signed pcrDigest%s",
                      values_len / 32, az->pcr_list ? " (taken from the container's list "
                      "of PCRs by index through the signed selection)" : "");
}

/* extraData is the caller's nonce, byte for byte. */
static bool check_tpm_nonce(attest_result *r, const azure_evidence *az, const uint8_t *nonce,
                            size_t n)
{
    if (!nonce || !n) {
        attest_check_skip(r, "azure.tpm.nonce", "no nonce given: the quote is not shown to be "
                                                "fresh");
        return false;
    }
    int status = attest_tpm_nonce_check(az->quote.extra_data, az->quote.extra_data_len, nonce,
                                        n);
    if (status != ATTEST_OK) {
        attest_check_fail(r, "azure.tpm.nonce", status, "%s", attest_error_last());
        return false;
    }
    attest_check_pass_nonce(r, "azure.tpm.nonce", "the quote's extraData is the caller's "
                                                  "nonce (%zu bytes)", n);
    return true;
}

/* The AK from the claims signs the quote. *ak_out (may stay NULL) is
 * the caller's to free. Returns whether the signature verified. */
static bool verify_quote_signature(attest_result *r, const azure_evidence *az, EVP_PKEY **ak)
{
    const attest_rsa_jwk *jwk = &az->claims.ak;
    int status = attest_tpm_ak_from_jwk(ak, jwk->n, jwk->n_len, jwk->e, jwk->e_len);
    if (status == ATTEST_OK)
        status = attest_tpm_quote_check_signature(az->quote_raw, az->quote_len, az->signature,
                                                  az->signature_len, *ak);
    if (status != ATTEST_OK) {
        attest_check_fail(r, "azure.tpm.signature", status, "%s", attest_error_last());
        return false;
    }
    attest_check_pass(r, "azure.tpm.signature", "the quote is signed by the AK of the runtime "
                                                "claims (HCLAkPub, RSA-%d)", EVP_PKEY_get_bits(*ak));
    return true;
}

/* The AK certificate, when one among the collateral carries the AK's key. */
static void verify_ak_cert(attest_result *r, const attest_verifier *v,
                           const attest_collateral *coll, EVP_PKEY *ak, const azure_policy *p,
                           int64_t now)
{
    X509 *leaf = NULL;
    for (int i = 0; coll && ak && i < sk_X509_num(coll->certs) && !leaf; i++)
        if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(coll->certs, i)), ak) == 1)
            leaf = sk_X509_value(coll->certs, i);
    if (leaf) {
        attest_azure_ak_cert_verify(r, v, leaf, coll->certs, ak, now);
        return;
    }
    if (p->require_ak_cert)
        attest_check_fail(r, "azure.ak_cert", ATTEST_E_COLLATERAL_MISSING,
                          ak ? "no certificate for the AK was given (azure.require_ak_cert)"
                             : "the AK is unusable, so no certificate can match it");
    else
        attest_check_skip(r, "azure.ak_cert", "no AK certificate given (not required)");
}

typedef struct tpm_outcome {
    bool verified;     /* signature verified */
    bool fresh;        /* extraData is the caller's nonce */
    azure_pcrs pcrs;
} tpm_outcome;

static void verify_tpm(attest_result *r, const attest_verifier *v, const azure_evidence *az,
                       const attest_collateral *coll, const azure_policy *p,
                       const uint8_t *nonce, size_t n, tpm_outcome *out)
{
    EVP_PKEY *ak = NULL;
    memset(out, 0, sizeof *out);
    if (!az->quote_raw) {
        if (p->require_tpm_quote)
            attest_check_fail(r, "azure.tpm.quote", ATTEST_E_AZURE_QUOTE_MISSING,
                              "no TPM quote came with the HCL report: the report is the one "
                              "made at boot and shows no freshness (azure.require_tpm_quote)");
        else
            attest_check_skip(r, "azure.tpm.quote", "no TPM quote (not required)");
    } else if ((out->verified = verify_quote_signature(r, az, &ak))) {
        out->fresh = check_tpm_nonce(r, az, nonce, n);
        check_pcr_values(r, az, p, &out->pcrs);
    }
    verify_ak_cert(r, v, coll, ak, p, r->verified_at);
    EVP_PKEY_free(ak);
}

static json_t *pcr_claims(const azure_pcrs *pcrs)
{
    json_t *o = json_object();
    for (unsigned i = 0; o && i < AZURE_PCR_COUNT; i++)
        if (pcrs->known & (1u << i)) {
            char key[4];
            snprintf(key, sizeof key, "%u", i);
            json_object_set_new(o, key, attest_json_hex(pcrs->value[i], 32));
        }
    return o;
}

static void add_claims(json_t *claims, const azure_evidence *az, const tpm_outcome *tpm)
{
    json_t *o = json_pack("{s:o, s:o}", "hcl", attest_hcl_to_json(&az->hcl), "runtime_claims",
                          attest_runtime_claims_to_json(&az->claims));
    if (o && tpm->verified) {
        json_t *q = attest_tpm_attest_to_json(&az->quote);
        if (q)
            json_object_set_new(q, "pcr_values", pcr_claims(&tpm->pcrs));
        json_object_set_new(o, "tpm_quote", q);
    }
    if (o && !azure_is_snp(az))
        json_object_set_new(o, "td_report", attest_tdx_report_to_json(&az->tdreport));
    json_object_set_new(claims, "azure", o);
}

static void verify_hardware(attest_result *r, attest_verifier *v, const azure_evidence *az,
                            const attest_collateral *coll, const attest_policy *policy,
                            json_t *claims)
{
    const nonce_use hw = {NULL, 0, REPORT_DATA_BY_AZURE};
    if (azure_is_snp(az) && az->snp_status != ATTEST_OK)
        attest_check_fail(r, "azure.snp_report", az->snp_status, "%s", az->snp_error);
    else if (azure_is_snp(az))
        pipeline_verify_snp(r, v, &az->snp, coll, policy->snp, &hw, claims);
    else
        verify_td(r, v, az, coll, policy, &hw, claims);
}

int pipeline_verify_azure(attest_result *r, attest_verifier *v, const azure_evidence *az,
                          const attest_collateral *coll, const attest_policy *policy,
                          const uint8_t *nonce, size_t n, json_t *claims)
{
    const azure_policy *p = policy->azure;
    tpm_outcome tpm;
    check_hcl(r, az);
    verify_hardware(r, v, az, coll, policy, claims);
    check_claims_binding(r, az);
    verify_tpm(r, v, az, coll, p, nonce, n, &tpm);
    azure_appraise(r, &az->claims, tpm.verified ? &tpm.pcrs : NULL, p, nonce, n);
    if (nonce && n && !tpm.verified && p->user_data_binding == ATTEST_BIND_NONE)
        attest_check_fail(r, "azure.nonce", ATTEST_E_AZURE_NONCE,
                          "a nonce was given but neither a verified TPM quote nor the "
                          "claims' user-data (azure.user_data_binding) binds it");
    add_claims(claims, az, &tpm);
    return r->status;
}
