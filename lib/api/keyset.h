/* The jws_keyset behind a public attest_keyset, for the verifiers of
 * other verifiers' results in this layer (results.c). */
#ifndef ATTEST_API_KEYSET_H
#define ATTEST_API_KEYSET_H

#include "../chain/jws.h"

/* Borrowed; valid while `ks` lives. NULL for NULL. */
ATTEST_HIDDEN const jws_keyset *attest_keyset_jws(const attest_keyset *ks);

#endif
