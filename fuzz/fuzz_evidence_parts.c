/* libFuzzer harness: attest_evidence_from_parts (Azure vTPM evidence: HCL
 * report, TPM quote, its signature, PCR values, TD quote), then
 * attest_verify at a fixed instant against the test PKI (fuzz_util.h).
 * Input: a sequence of parts, each [kind: 1 byte][length: 2 bytes, little
 * endian][length bytes]; a length past the end takes what is left. Kinds
 * are passed as given (0 and 6+ included: the function must refuse them).
 * Seeds (fuzz/corpus/evidence-parts) are the mock's Azure SNP and TDX sets
 * in this encoding. */
#include "fuzz_util.h"

#define MAX_PARTS 6

static attest_verifier *g_verifier;
static attest_collateral *g_collateral;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    g_verifier = fuzz_verifier();
    g_collateral = fuzz_collateral(FUZZ_AZURE);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_part_kind kinds[MAX_PARTS];
    const uint8_t *parts[MAX_PARTS];
    size_t lens[MAX_PARTS], n = 0, at = 0;
    while (n < MAX_PARTS && size - at >= 3) {
        size_t len = (size_t)data[at + 1] | (size_t)data[at + 2] << 8;
        kinds[n] = (attest_part_kind)data[at];
        at += 3;
        if (len > size - at)
            len = size - at;
        parts[n] = data + at;
        lens[n++] = len;
        at += len;
    }
    attest_evidence *ev = NULL;
    int st = attest_evidence_from_parts(&ev, kinds, parts, lens, n);
    if (st != ATTEST_OK) {
        if (ev)
            abort();
        return 0;
    }
    if (attest_evidence_format(ev) != ATTEST_FORMAT_AZURE_VTPM)
        abort();
    char *json = NULL;
    attest_evidence_to_json(&json, ev);
    attest_string_free(json);
    /* the Azure nonce; the last byte chooses the default policy or one of
     * the two Azure examples (fuzz_util.h: 5 azure-snp, 6 azure-tdx) */
    uint8_t last = size ? data[size - 1] : 0;
    fuzz_verify(g_verifier, ev, g_collateral,
                (uint8_t)(3 | (last & 1 ? 0x20 | (5 + ((last >> 1) & 1)) << 2 : 0)));
    attest_evidence_free(ev);
    return 0;
}
