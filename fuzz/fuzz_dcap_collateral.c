/* libFuzzer harness: Intel DCAP JSON collateral (TCB Info v2/v3 SGX and
 * TDX, Enclave Identity QE/TD_QE/QVE) as it reaches the library through
 * attest_collateral_add, plus the internal pieces directly: the top-level
 * member scanner (dcap_json_member_span, which locates the exact signed
 * bytes) and both parsers with their JSON summaries, whatever the detector
 * says. Built from the library sources with -Ilib -DATTEST_BUILDING so the
 * hidden symbols link. Seeds: fuzz/seed_dcap.sh. */
#include "attest.h"
#include "parse/dcap_collateral.h"

#include <stdint.h>
#include <stdlib.h>

/* The member span must lie inside the input and be non-empty. */
static void span(const uint8_t *data, size_t size, const char *name, size_t *off, size_t *n)
{
    *off = *n = 0;
    if (dcap_json_member_span(data, size, name, off, n) == 0 &&
        (*n == 0 || *off > size || *n > size - *off))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. the public path: recognise by content, parse, keep */
    attest_collateral *c = NULL;
    if (size && attest_collateral_new(&c) == ATTEST_OK) {
        attest_collateral_add(c, data, size);
        (void)attest_collateral_cert_count(c);
        (void)attest_collateral_crl_count(c);
        attest_collateral_free(c);
    }

    /* 2. the scanner: the members a PCS body has, and one level down (the
     * scanner is also what a caller would use on the inner object) */
    static const char *const members[] = {"tcbInfo", "enclaveIdentity", "signature",
                                          "tcbLevels", "id", ""};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        size_t off, n;
        span(data, size, members[i], &off, &n);
        if (n && i < 2) {
            size_t off2, n2;
            span(data + off, n, "version", &off2, &n2);
            span(data + off, n, "tcbLevels", &off2, &n2);
        }
    }

    /* 3. both parsers, whatever the detectors say */
    (void)dcap_tcb_info_detect(data, size);
    (void)dcap_qe_identity_detect(data, size);
    dcap_tcb_info *t = NULL;
    if (dcap_tcb_info_parse(&t, data, size) == ATTEST_OK) {
        if (!t || t->body_len > size)
            abort();
        json_decref(dcap_tcb_info_to_json(t));
        dcap_tcb_info_free(t);
    }
    dcap_qe_identity *q = NULL;
    if (dcap_qe_identity_parse(&q, data, size) == ATTEST_OK) {
        if (!q || q->body_len > size)
            abort();
        json_decref(dcap_qe_identity_to_json(q));
        dcap_qe_identity_free(q);
    }
    return 0;
}
