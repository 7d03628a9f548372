/* libFuzzer harness: every collateral form through the public entry points,
 * attest_classify then attest_collateral_add (DER and PEM certificates and
 * CRLs, OCSP responses, Intel PCS JSON, Azure THIM JSON, the SNP
 * certificate table, dcap-qvl collateral JSON, NVIDIA RIM XML and RIM
 * service JSON, base64 / hex text of any of them), then a verification of
 * fixed mock evidence with the fuzzed item added to the test PKI's
 * collateral, so that fuzzed certificates, CRLs, OCSP responses and PCS
 * bodies reach the chain and appraisal code too.
 * The evidence: the files named in $FUZZ_EVIDENCE (colon-separated; fuzz/
 * seed_public.sh writes build/fuzz-fixtures/...), one chosen per input by its
 * last byte. Invariants: attest_classify agrees with itself and a kind
 * named collateral is never evidence. */
#include "fuzz_util.h"

#define MAX_EVIDENCE 8

static attest_verifier *g_verifier;
static attest_evidence *g_evidence[MAX_EVIDENCE];
static size_t g_evidence_count;

static void load_evidence(void)
{
    const char *list = getenv("FUZZ_EVIDENCE");
    char *copy = list ? strdup(list) : NULL;
    char *save = NULL;
    for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; p && g_evidence_count < MAX_EVIDENCE;
         p = strtok_r(NULL, ":", &save)) {
        size_t n = 0;
        uint8_t *b = fuzz_read_file(p, &n);
        attest_evidence *ev = NULL;
        if (b && attest_evidence_parse(&ev, b, n) == ATTEST_OK)
            g_evidence[g_evidence_count++] = ev;
        free(b);
    }
    free(copy);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    g_verifier = fuzz_verifier();
    load_evidence();
    return 0;
}

static void classify(const uint8_t *data, size_t size)
{
    attest_item_kind k1 = ATTEST_ITEM_UNKNOWN, k2 = ATTEST_ITEM_UNKNOWN;
    int s1 = attest_classify(&k1, data, size);
    int s2 = attest_classify(&k2, data, size);
    if (s1 != s2 || k1 != k2)
        abort(); /* a decision by content only */
    if (s1 == ATTEST_OK && !attest_item_kind_name(k1))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    classify(data, size);
    if (!size)
        return 0;
    const attest_evidence *ev = g_evidence_count ? g_evidence[data[size - 1] % g_evidence_count]
                                                 : NULL;
    attest_collateral *c = fuzz_collateral(ev ? fuzz_group_of(attest_evidence_format(ev)) : 0);
    size_t certs = attest_collateral_cert_count(c), crls = attest_collateral_crl_count(c);
    int st = attest_collateral_add(c, data, size);
    if (st != ATTEST_OK && (attest_collateral_cert_count(c) != certs ||
                            attest_collateral_crl_count(c) != crls))
        abort(); /* refused items are refused whole */
    if (st == ATTEST_OK && ev)
        fuzz_verify(g_verifier, ev, c, data[0] | 1); /* policy and nonce: fuzz_util.h */
    attest_collateral_free(c);
    return 0;
}
