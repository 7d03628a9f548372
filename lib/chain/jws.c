/* Placeholder until the JWS verifier lands: every call refuses. */
#include "jws.h"

int jws_keyset_parse(const uint8_t *p, size_t n, jws_keyset **out)
{
    (void)p;
    (void)n;
    *out = NULL;
    return attest_set_error(ATTEST_E_INTERNAL, "jws: key sets not implemented yet");
}

void jws_keyset_free(jws_keyset *ks)
{
    (void)ks;
}

int jws_verify(const char *token, size_t len, const jws_keyset *ks, const jws_rules *rules,
               json_t **header, json_t **claims)
{
    (void)token;
    (void)len;
    (void)ks;
    (void)rules;
    if (header)
        *header = NULL;
    if (claims)
        *claims = NULL;
    return attest_set_error(ATTEST_E_INTERNAL, "jws: not implemented yet");
}
