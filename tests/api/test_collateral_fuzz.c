/* Regressions found by fuzz/fuzz_collateral.c (make fuzz). */
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* fuzz_collateral: PEM text whose second block does not decode was
 * refused, yet its first certificate stayed in the collateral: the
 * caller was told "not added" of an item that was half added. PEM text is
 * added whole or not at all. */
Test(collateral_fuzz, pem_refused_whole)
{
    char path[512];
    size_t n = 0;
    uint8_t *chain = tu_read(tu_pki(path, sizeof path, "milan/chain.pem"), &n);
    cr_assert(chain, "test PKI missing: %s", path);
    static const char *const tails[] = {
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    };
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        size_t len = n + strlen(tails[i]);
        uint8_t *pem = malloc(len);
        cr_assert(pem);
        memcpy(pem, chain, n);
        memcpy(pem + n, tails[i], strlen(tails[i]));
        attest_collateral *c = NULL;
        cr_assert_eq(attest_collateral_new(&c), ATTEST_OK);
        cr_expect_eq(attest_collateral_add(c, pem, len), ATTEST_E_COLLATERAL_UNKNOWN);
        cr_expect(strstr(attest_error_last(), "PEM block 3"), "%s", attest_error_last());
        cr_expect_eq(attest_collateral_cert_count(c), 0, "tail %zu: %zu certificates kept", i,
                     attest_collateral_cert_count(c));
        cr_expect_eq(attest_collateral_add(c, chain, n), ATTEST_OK); /* the good part alone */
        cr_expect_eq(attest_collateral_cert_count(c), 2);
        attest_collateral_free(c);
        free(pem);
    }
    free(chain);
}
