/* Nonce binding of a 64-byte report data field, shared by every platform:
 * the relying party's nonce, raw or hashed, must fill REPORT_DATA. */
#ifndef ATTEST_BINDING_H
#define ATTEST_BINDING_H

#include "../core/internal.h"

typedef enum attest_binding {
    ATTEST_BIND_NONE = 0, /* report data not bound to the caller's nonce */
    ATTEST_BIND_RAW,      /* report data = nonce, zero-padded to 64 bytes */
    ATTEST_BIND_SHA256,   /* report data = SHA-256(nonce) || 32 zero bytes */
    ATTEST_BIND_SHA384,   /* report data = SHA-384(nonce) || 16 zero bytes */
    ATTEST_BIND_SHA512,   /* report data = SHA-512(nonce) */
} attest_binding;

/* "none", "raw", "sha256", "sha384", "sha512" -> binding; -1 if unknown. */
ATTEST_HIDDEN int attest_binding_parse(const char *name);

/* Record check `name` comparing `report_data` with the exact value `exact`
 * (when non-NULL) or with the binding of `nonce`. Nothing is recorded when
 * neither rule is set. */
ATTEST_HIDDEN void attest_appraise_report_data(attest_result *r, const char *name,
                                               const uint8_t report_data[64],
                                               const uint8_t *exact, attest_binding binding,
                                               const uint8_t *nonce, size_t nonce_len);
#endif
