/* The library's process-wide set-up, done where a verification starts
 * (attest_evidence_parse, attest_collateral_new; attest_verifier_new does
 * OpenSSL's part): OpenSSL (OPENSSL_init_crypto and its default provider),
 * libxml2 and xmlsec1 with its OpenSSL backend, each result checked. An
 * allocation failure inside one of them is then an error of the call that
 * started it (ATTEST_E_NOMEM, or ATTEST_E_INTERNAL for a step the library
 * cannot retry) rather than a half-initialised library found later.
 * Thread-safe: each part runs once under pthread_once (include/attest.h,
 * "Process-wide initialisation"). */
#include "api.h"
#include "../base/crypto.h"
#include "../chain/nv_rim_sig.h"

int attest_library_init(void)
{
    int status = attest_crypto_init();
    if (status == ATTEST_OK)
        status = nv_rim_sig_init(); /* libxml2 first, then xmlsec1 */
    return status;
}
