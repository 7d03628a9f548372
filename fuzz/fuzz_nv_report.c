/* libFuzzer harness: NVIDIA GPU / NVSwitch evidence (raw SPDM 1.1
 * GET_MEASUREMENTS request || MEASUREMENTS response reports, and the JSON
 * containers of NVAT, nvtrust/NRAS and go-nvattest-tools) and its JSON view
 * must never crash, read out of bounds or leak on any input.
 *  1. the public path: attest_evidence_parse (format detected by content,
 *     so the input also reaches the DCAP, SNP and bundle detectors) and
 *     attest_evidence_to_json when it parses;
 *  2. the internal parsers directly, bypassing the detector: nv_report_parse
 *     (its own version / code / length checks) with the offsets the verifier
 *     will dereference checked against the input, and nv_evidence_json_parse
 *     with every device's report viewed as JSON and its PEM chain read as
 *     the verifier reads it (built from the library sources with -Ilib
 *     -DATTEST_BUILDING, hidden symbols link).
 * Seeds: fuzz/seed_nv.sh. */
#include "attest.h"
#include "chain/nvidia.h"
#include "parse/nv_container.h"
#include "parse/spdm_report.h"

#include <stdint.h>
#include <stdlib.h>

/* Every offset of a parsed report lies inside its own copy of the input. */
static void check_report(const nv_report *r, size_t size)
{
    if (!r || !r->raw || r->raw_len != size)
        abort();
    /* request (37) + response header (8) at least before the record */
    if (r->signed_len < NV_SPDM_REQUEST_SIZE + 8 || r->signed_len > size ||
        size - r->signed_len < NV_SPDM_SIGNATURE_SIZE ||
        r->trailing_len != size - r->signed_len - NV_SPDM_SIGNATURE_SIZE)
        abort();
    if (r->opaque_off > r->signed_len || r->opaque_len > r->signed_len - r->opaque_off)
        abort();
    if (r->field_count && !r->fields)
        abort();
    for (size_t k = 0; k < r->field_count; k++) {
        const nv_opaque_field *f = &r->fields[k];
        if (f->off < r->opaque_off || f->off > r->opaque_off + r->opaque_len ||
            f->len > r->opaque_off + r->opaque_len - f->off)
            abort();
    }
    for (unsigned i = 0; i < r->block_count; i++)
        if (r->blocks[i].value_len > sizeof r->blocks[i].value)
            abort();
    if (r->switch_pdi_count > sizeof r->switch_pdis / sizeof r->switch_pdis[0] ||
        r->gpu_pdi_count > sizeof r->gpu_pdis / sizeof r->gpu_pdis[0])
        abort();
    json_decref(nv_report_to_json(r));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. public path */
    attest_evidence *ev = NULL;
    if (attest_evidence_parse(&ev, data, size) == ATTEST_OK) {
        char *json = NULL;
        (void)attest_evidence_format(ev);
        if (attest_evidence_to_json(&json, ev) == ATTEST_OK && !json)
            abort(); /* success must hand back a string */
        attest_string_free(json);
        attest_evidence_free(ev);
    } else if (ev) {
        abort(); /* a failed parse must not hand back an object */
    }

    /* 2a. the raw report parser, whatever the detector says */
    (void)nv_report_detect(data, size);
    nv_report *r = NULL;
    if (nv_report_parse(&r, data, size) == ATTEST_OK) {
        check_report(r, size);
        nv_report_free(r);
    } else if (r) {
        abort();
    }

    /* 2b. the JSON containers, whatever the detector says */
    (void)nv_evidence_json_detect(data, size);
    nv_evidence_set set;
    if (nv_evidence_json_parse(&set, data, size) == ATTEST_OK) {
        if (set.count == 0 || set.count > NV_MAX_DEVICES)
            abort();
        for (size_t i = 0; i < set.count; i++) {
            const nv_device_evidence *d = &set.devices[i];
            if (!d->report)
                abort();
            check_report(d->report, d->report->raw_len);
            if (d->arch[sizeof d->arch - 1] != '\0')
                abort();
            if (d->chain_pem) {
                STACK_OF(X509) *chain = attest_pem_certs((const uint8_t *)d->chain_pem, strlen(d->chain_pem));
                sk_X509_pop_free(chain, X509_free);
            }
        }
        nv_evidence_set_release(&set);
    } else {
        /* a failed parse leaves nothing behind (released, zeroed) */
        for (size_t i = 0; i < NV_MAX_DEVICES; i++)
            if (set.devices[i].report || set.devices[i].chain_pem)
                abort();
        if (set.count)
            abort();
    }
    return 0;
}
