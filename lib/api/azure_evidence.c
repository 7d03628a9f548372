/* Azure CVM evidence from its parts (azure_evidence.h). */
#include "azure_evidence.h"
#include "classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PART_KIND_MAX ATTEST_PART_TD_QUOTE

bool azure_is_snp(const azure_evidence *az)
{
    return az->hcl.report_type == ATTEST_HCL_REPORT_SNP;
}

static const char *part_name(attest_part_kind k)
{
    static const char *const names[] = {"", "hcl_report", "tpm_quote", "tpm_signature",
                                        "tpm_pcrs", "td_quote"};
    return k >= 1 && k <= PART_KIND_MAX ? names[k] : "unknown";
}

static uint8_t *copy_part(const uint8_t *data, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    if (p && len)
        memcpy(p, data, len);
    return p;
}

/* Each kind once, each known, lengths sane; the HCL report present. */
static int check_parts(const attest_part_kind *kinds, const uint8_t *const *data,
                       const size_t *lens, size_t n, size_t index[PART_KIND_MAX + 1])
{
    for (size_t k = 0; k <= PART_KIND_MAX; k++)
        index[k] = SIZE_MAX;
    if (!kinds || !data || !lens || n == 0 || n > PART_KIND_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "evidence: 1..%d parts, kinds, data "
                                "and lengths non-NULL", PART_KIND_MAX);
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] < 1 || kinds[i] > PART_KIND_MAX)
            return attest_set_error(ATTEST_E_INVALID_ARG, "evidence: part %zu: unknown kind %d",
                                    i, (int)kinds[i]);
        if (!data[i] || !lens[i])
            return attest_set_error(ATTEST_E_INVALID_ARG, "evidence: part %zu (%s) is empty",
                                    i, part_name(kinds[i]));
        if (index[kinds[i]] != SIZE_MAX)
            return attest_set_error(ATTEST_E_INVALID_ARG, "evidence: %s given twice",
                                    part_name(kinds[i]));
        index[kinds[i]] = i;
    }
    if (index[ATTEST_PART_HCL_REPORT] == SIZE_MAX)
        return attest_set_error(ATTEST_E_INVALID_ARG, "evidence: the parts have no hcl_report");
    return ATTEST_OK;
}

static int parse_hardware(azure_evidence *az)
{
    if (azure_is_snp(az)) {
        az->snp_status = snp_report_parse(&az->snp, az->hcl.hw_report, az->hcl.hw_report_len);
        if (az->snp_status != ATTEST_E_UNSUPPORTED_VERSION)
            return az->snp_status;
        snprintf(az->snp_error, sizeof az->snp_error, "%s", attest_error_last());
        attest_clear_error();
        return ATTEST_OK;
    }
    return attest_tdx_report_parse(&az->tdreport, az->hcl.hw_report, az->hcl.hw_report_len);
}

static int parse_hcl(azure_evidence *az, const uint8_t *data, size_t len)
{
    if (!(az->hcl_raw = copy_part(data, len)))
        return attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
    az->hcl_raw_len = len;
    int status = attest_hcl_parse(&az->hcl, az->hcl_raw, len);
    if (status == ATTEST_OK)
        status = attest_runtime_claims_parse(&az->claims, az->hcl.claims, az->hcl.claims_len);
    return status == ATTEST_OK ? parse_hardware(az) : status;
}

static int parse_td_quote(azure_evidence *az, const uint8_t *data, size_t len)
{
    if (azure_is_snp(az))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.td_quote: given with an HCL report "
                                "that holds an SNP report");
    int status = dcap_quote_parse(&az->td_quote, data, len);
    if (status == ATTEST_OK && az->td_quote->body_kind == DCAP_BODY_SGX)
        status = attest_set_error(ATTEST_E_MALFORMED, "azure.td_quote: an SGX quote, not a TD "
                                  "quote");
    return status;
}

/* A TPMS_ATTEST begins with TPM_GENERATED_VALUE; anything else given as
 * the TPM quote is read as a quote container. */
static bool is_raw_tpms_attest(const uint8_t *data, size_t len)
{
    return len >= 4 && data[0] == 0xFF && data[1] == 'T' && data[2] == 'C' && data[3] == 'G';
}

/* Move the quote of a parsed container into az: the signed message, its
 * signature and the PCR list, which holds PCR i at index i and is mapped
 * through the signed selection by the pipeline, never by position. */
static int take_container_quote(azure_evidence *az, attest_azure_evidence *c)
{
    az->quote_raw = c->quote_msg;
    az->quote_len = c->quote_msg_len;
    az->signature = c->quote_sig;
    az->signature_len = c->quote_sig_len;
    az->pcr_list = c->pcrs;
    az->pcr_list_count = c->pcr_count;
    c->quote_msg = c->quote_sig = c->pcrs = NULL;
    return attest_tpm_attest_parse(&az->quote, az->quote_raw, az->quote_len);
}

/* The TPM_QUOTE part as a container that holds a quote (az-cvm-vtpm
 * quote.bin, Trustee tpm-quote JSON): it carries the signature and the
 * PCR values, so separate parts for them would be a second, competing
 * source and are refused. */
static int parse_tpm_container(azure_evidence *az, const uint8_t *data, size_t len,
                               bool separate_parts)
{
    attest_azure_evidence c;
    int status = attest_azure_evidence_parse(&c, data, len);
    if (status != ATTEST_OK)
        return status;
    if (c.container != ATTEST_AZURE_BINCODE_QUOTE && c.container != ATTEST_AZURE_TPM_QUOTE_JSON)
        status = attest_set_error(ATTEST_E_INVALID_ARG, "azure.tpm_quote: a Trustee evidence "
                                  "container, not a quote: give it as the evidence itself");
    else if (separate_parts)
        status = attest_set_error(ATTEST_E_INVALID_ARG, "azure.tpm_quote: the quote container "
                                  "carries its signature and PCR values; a separate "
                                  "tpm_signature or tpm_pcrs part is refused");
    else {
        az->container = c.container;
        status = take_container_quote(az, &c);
    }
    attest_azure_evidence_free(&c);
    return status;
}

/* The TPM quote, its signature and its PCR values come together: a quote
 * without its signature proves nothing, values without a quote neither. */
static int parse_tpm(azure_evidence *az, const uint8_t *const *data, const size_t *lens,
                     const size_t index[PART_KIND_MAX + 1])
{
    size_t q = index[ATTEST_PART_TPM_QUOTE], s = index[ATTEST_PART_TPM_SIGNATURE],
           p = index[ATTEST_PART_TPM_PCRS];
    if (q != SIZE_MAX && !is_raw_tpms_attest(data[q], lens[q]))
        return parse_tpm_container(az, data[q], lens[q], s != SIZE_MAX || p != SIZE_MAX);
    if (q == SIZE_MAX)
        return s == SIZE_MAX && p == SIZE_MAX
                   ? ATTEST_OK
                   : attest_set_error(ATTEST_E_MALFORMED, "azure.tpm: a signature or PCR "
                                      "values without the quote they belong to");
    if (s == SIZE_MAX)
        return attest_set_error(ATTEST_E_MALFORMED, "azure.tpm: a quote without its signature");
    if (p != SIZE_MAX && (lens[p] % 32 || lens[p] > AZURE_PCR_VALUES_MAX))
        return attest_set_error(ATTEST_E_MALFORMED, "azure.tpm_pcrs: %zu bytes; SHA-256 values "
                                "of 32 bytes each, at most 32 of them", lens[p]);
    if (!(az->quote_raw = copy_part(data[q], lens[q])) ||
        !(az->signature = copy_part(data[s], lens[s])) ||
        (p != SIZE_MAX && !(az->pcr_values = copy_part(data[p], lens[p]))))
        return attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
    az->quote_len = lens[q];
    az->signature_len = lens[s];
    az->pcr_values_len = p != SIZE_MAX ? lens[p] : 0;
    return attest_tpm_attest_parse(&az->quote, az->quote_raw, az->quote_len);
}

int azure_evidence_parse(azure_evidence **out, const attest_part_kind *kinds,
                         const uint8_t *const *data, const size_t *lens, size_t n)
{
    size_t index[PART_KIND_MAX + 1];
    *out = NULL;
    int status = check_parts(kinds, data, lens, n, index);
    if (status != ATTEST_OK)
        return status;
    azure_evidence *az = calloc(1, sizeof *az);
    if (!az)
        return attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
    size_t h = index[ATTEST_PART_HCL_REPORT], t = index[ATTEST_PART_TD_QUOTE];
    status = parse_hcl(az, data[h], lens[h]);
    if (status == ATTEST_OK && t != SIZE_MAX)
        status = parse_td_quote(az, data[t], lens[t]);
    if (status == ATTEST_OK)
        status = parse_tpm(az, data, lens, index);
    if (status != ATTEST_OK) {
        azure_evidence_free(az);
        return status;
    }
    *out = az;
    return ATTEST_OK;
}

/* The VCEK an az-snp-vtpm container carries (PEM in v0, DER in v1/v2),
 * added to a collateral of its own exactly as attest_collateral_add takes
 * a file: the pipeline adds its certificates to a copy of the caller's
 * collateral, where they are judged as a VCEK file would be. */
static int parse_vcek(azure_evidence *az, const attest_azure_evidence *c)
{
    int status = attest_collateral_new(&az->carried);
    if (status == ATTEST_OK && attest_collateral_add(az->carried, c->vcek, c->vcek_len) != ATTEST_OK)
        status = attest_set_error(ATTEST_E_CERT_PARSE, "azure.evidence.vcek: not a "
                                  "certificate (%s): %s", c->vcek_is_pem ? "PEM in v0"
                                  : "DER in v1 and v2", attest_error_last());
    else if (status == ATTEST_OK && (attest_collateral_cert_count(az->carried) == 0 ||
                                     attest_collateral_crl_count(az->carried) != 0))
        status = attest_set_error(ATTEST_E_CERT_PARSE, "azure.evidence.vcek: holds no "
                                  "certificate, or other items");
    return status;
}

static int build_from_container(azure_evidence *az, attest_azure_evidence *c)
{
    if (c->container != ATTEST_AZURE_SNP_VTPM && c->container != ATTEST_AZURE_TDX_VTPM)
        return attest_set_error(ATTEST_E_FORMAT_UNKNOWN, "azure.evidence: a TPM quote "
                                "container (quote.bin, tpm-quote JSON) holds no HCL report: "
                                "give it as the tpm_quote part beside the HCL report");
    az->container = c->container;
    int status = parse_hcl(az, c->hcl_report, c->hcl_report_len);
    if (status == ATTEST_OK && c->td_quote)
        status = parse_td_quote(az, c->td_quote, c->td_quote_len);
    if (status == ATTEST_OK)
        status = take_container_quote(az, c);
    if (status == ATTEST_OK && c->vcek)
        status = parse_vcek(az, c);
    return status;
}

int azure_evidence_from_container(azure_evidence **out, const uint8_t *data, size_t len)
{
    attest_azure_evidence c;
    *out = NULL;
    int status = attest_azure_evidence_parse(&c, data, len);
    if (status != ATTEST_OK)
        return status;
    azure_evidence *az = calloc(1, sizeof *az);
    status = az ? build_from_container(az, &c)
                : attest_set_error(ATTEST_E_NOMEM, "evidence: out of memory");
    attest_azure_evidence_free(&c);
    if (status != ATTEST_OK) {
        azure_evidence_free(az);
        return status;
    }
    *out = az;
    return ATTEST_OK;
}

bool azure_evidence_container_detect(const uint8_t *data, size_t len)
{
    attest_azure_evidence c;
    if (!attest_looks_like_json(data, len) || attest_azure_evidence_parse(&c, data, len) != ATTEST_OK) {
        attest_clear_error();
        return false;
    }
    bool whole = c.container == ATTEST_AZURE_SNP_VTPM || c.container == ATTEST_AZURE_TDX_VTPM;
    attest_azure_evidence_free(&c);
    return whole;
}

void azure_evidence_free(azure_evidence *az)
{
    if (!az)
        return;
    attest_runtime_claims_free(&az->claims);
    dcap_quote_free(az->td_quote);
    free(az->hcl_raw);
    free(az->quote_raw);
    free(az->signature);
    free(az->pcr_values);
    free(az->pcr_list);
    attest_collateral_free(az->carried);
    free(az);
}

json_t *azure_evidence_to_json(const azure_evidence *az)
{
    json_t *o = json_pack("{s:s, s:o, s:o}", "format", "azure-vtpm",
                          "hcl", attest_hcl_to_json(&az->hcl),
                          "runtime_claims", attest_runtime_claims_to_json(&az->claims));
    if (!o)
        return NULL;
    if (azure_is_snp(az) && az->snp_status == ATTEST_OK)
        json_object_set_new(o, "report", snp_report_to_json(&az->snp, az->snp.cpuid_product));
    else
        json_object_set_new(o, "td_report", attest_tdx_report_to_json(&az->tdreport));
    static const char *const containers[] = {"parts", "az-cvm-vtpm quote.bin",
                                             "trustee tpm-quote", "trustee az-snp-vtpm",
                                             "trustee az-tdx-vtpm"};
    if (az->container <= ATTEST_AZURE_TDX_VTPM)
        json_object_set_new(o, "container", json_string(containers[az->container]));
    if (az->td_quote)
        json_object_set_new(o, "td_quote", dcap_quote_to_json(az->td_quote));
    if (az->quote_raw)
        json_object_set_new(o, "tpm_quote", attest_tpm_attest_to_json(&az->quote));
    return o;
}
