/* libFuzzer harness: the RA-TLS evidence extension parsers
 * (lib/parse/ratls_ext.c) and the certificate / CSR front end. The first
 * input byte picks the carrier whose value the rest is (TCG DICE CBOR,
 * legacy quote, Open Enclave header, Steward SNP / SGX DER); every input
 * is also given whole to attest_verify_tls_peer under each certificate
 * rule (DER or PEM certificate or CSR, extensions found by OID). Nothing
 * may crash, leak or over-read. */
#include "attest.h"
#include "parse/ratls_ext.h"

#include <stdint.h>
#include <stdlib.h>

static attest_verifier *verifier(void)
{
    static attest_verifier *v;
    if (!v && attest_verifier_new(&v) == ATTEST_OK)
        attest_verifier_set_time(v, 1750000000); /* fixed: 2025-06-15 */
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0) {
        ratls_evidence ev;
        ratls_carrier c = (ratls_carrier)(1 + data[0] % (RATLS_CARRIER_COUNT - 1));
        (void)ratls_parse_value(&ev, c, data + 1, size - 1);
    }
    attest_verifier *v = verifier();
    for (int rule = ATTEST_RATLS_SPKI_SHA256; v && rule <= ATTEST_RATLS_OE_PEM_SHA256; rule++) {
        attest_result *r = NULL;
        attest_verify_tls_peer(&r, v, data, size, rule, NULL, NULL, NULL, 0);
        attest_result_free(r);
    }
    return 0;
}
