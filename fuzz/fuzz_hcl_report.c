/* libFuzzer harness: the Azure HCL report parser, and on what it accepts
 * the runtime claims, the hardware report parsers and the JSON views, must
 * never crash, leak or read outside the input. */
#include "parse/azure_hcl.h"
#include "parse/snp_report.h"
#include "parse/tdx_report.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_hcl_report r;
    if (attest_hcl_parse(&r, data, size) != ATTEST_OK)
        return 0;
    json_decref(attest_hcl_to_json(&r));
    attest_runtime_claims c;
    if (attest_runtime_claims_parse(&c, r.claims, r.claims_len) == ATTEST_OK) {
        json_decref(attest_runtime_claims_to_json(&c));
        attest_runtime_claims_free(&c);
    }
    if (r.report_type == ATTEST_HCL_REPORT_TDX) {
        attest_tdx_report td;
        if (attest_tdx_report_parse(&td, r.hw_report, r.hw_report_len) == ATTEST_OK)
            json_decref(attest_tdx_report_to_json(&td));
    } else {
        snp_report snp;
        if (snp_report_parse(&snp, r.hw_report, r.hw_report_len) == ATTEST_OK)
            json_decref(snp_report_to_json(&snp, SNP_PRODUCT_UNKNOWN));
    }
    return 0;
}
