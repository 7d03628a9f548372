/* libFuzzer harness: attest_evidence_parse on any bytes (format detection,
 * then every evidence parser it reaches: SNP report and MSG_REPORT_RSP,
 * Trustee SNP JSON, DCAP quote, NVIDIA SPDM report and JSON containers,
 * Azure HCL report, evidence bundle JSON, base64 / hex text), the parsed
 * evidence as JSON, then attest_verify with the default policy at a fixed
 * instant against the test PKI's anchors and collateral (fuzz_util.h), so
 * that mutated mock evidence reaches the chains and the appraisers.
 * Invariants: a failed parse hands back no object; the detected format is
 * the one attest_classify names. */
#include "fuzz_util.h"

static attest_verifier *g_verifier;
static attest_collateral *g_collateral;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    g_verifier = fuzz_verifier();
    g_collateral = fuzz_collateral(FUZZ_ALL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_evidence *ev = NULL;
    int st = attest_evidence_parse(&ev, data, size);
    if (st != ATTEST_OK) {
        if (ev)
            abort();
        return 0;
    }
    char *json = NULL;
    if (attest_evidence_to_json(&json, ev) == ATTEST_OK && !json)
        abort();
    attest_string_free(json);
    fuzz_verify(g_verifier, ev, g_collateral, size ? data[size - 1] : 0);
    attest_evidence_free(ev);
    return 0;
}
