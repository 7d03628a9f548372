/* libFuzzer harness: the OVMF / TDVF metadata reader (lib/parse/ovmf.c)
 * and the measurements over what it accepts must never crash, leak or
 * read outside the image. The input is the image itself, padded with zeros
 * to whole 4 KiB pages so that mutations reach the GUID table (which sits
 * at the image's end) rather than stopping at the size check. */
#include "parse/ovmf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (256u << 10)

static void measure_snp(const uint8_t *img, size_t len)
{
    attest_snp_launch *l = NULL;
    if (attest_snp_launch_new(&l) != ATTEST_OK)
        return;
    uint8_t d[48], zero[32] = {0};
    if (attest_snp_launch_set_ovmf(l, img, len) == ATTEST_OK &&
        attest_snp_launch_set_vcpus(l, 2) == ATTEST_OK &&
        attest_snp_launch_set_vcpu_type(l, "EPYC-Milan") == ATTEST_OK) {
        attest_measure_snp(d, l);
        attest_snp_launch_set_kernel(l, zero, zero, "console=ttyS0");
        attest_measure_snp(d, l);
    }
    attest_snp_launch_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    /* The raw input first (sizes the reader must refuse), then padded. */
    attest_ovmf_meta *m = malloc(sizeof(*m));
    if (!m)
        return 0;
    attest_ovmf_parse(data, size, ATTEST_OVMF_NEED_TDVF, m);
    size_t len = (size + ATTEST_OVMF_PAGE - 1) / ATTEST_OVMF_PAGE * ATTEST_OVMF_PAGE;
    uint8_t *img = calloc(1, len ? len : 1);
    if (img && len) {
        /* right-aligned: the input's last bytes are the image's last bytes */
        memcpy(img + len - size, data, size);
        uint8_t mrtd[48];
        if (attest_ovmf_parse(img, len, ATTEST_OVMF_NEED_TDVF, m) == ATTEST_OK) {
            uint64_t pages = 0;
            for (size_t i = 0; i < m->tdvf_count; i++)
                pages += m->tdvf[i].mem_size / ATTEST_OVMF_PAGE;
            if (pages <= 4096) /* large but valid descriptors only cost time */
                attest_measure_tdx(mrtd, img, len, (int)(data[0] & 1));
        }
        measure_snp(img, len);
    }
    free(img);
    free(m);
    return 0;
}
