/* attest_keyset: the public handle over lib/chain/jws.c's key set. */
#include "keyset.h"

struct attest_keyset {
    jws_keyset *keys;
};

int attest_keyset_new(attest_keyset **out, const uint8_t *data, size_t len)
{
    if (!out)
        return attest_set_error(ATTEST_E_INVALID_ARG, "attest_keyset_new: out is NULL");
    *out = NULL;
    if (!data || len == 0)
        return attest_set_error(ATTEST_E_INVALID_ARG, "attest_keyset_new: no data");
    attest_keyset *ks = calloc(1, sizeof *ks);
    if (!ks)
        return attest_set_error(ATTEST_E_NOMEM, "attest_keyset_new: out of memory");
    int rc = jws_keyset_parse(data, len, &ks->keys);
    if (rc != ATTEST_OK) {
        free(ks);
        return rc;
    }
    *out = ks;
    return ATTEST_OK;
}

void attest_keyset_free(attest_keyset *ks)
{
    if (!ks)
        return;
    jws_keyset_free(ks->keys);
    free(ks);
}

const jws_keyset *attest_keyset_jws(const attest_keyset *ks)
{
    return ks ? ks->keys : NULL;
}
