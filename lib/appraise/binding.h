/* Nonce binding of a 64-byte report data field, shared by every platform:
 * the relying party's nonce, raw or hashed, must fill REPORT_DATA. A nonce
 * the caller gives is verified or the verification fails; it is never
 * only recorded (docs/policy.md, "Nonce binding"). */
#ifndef ATTEST_BINDING_H
#define ATTEST_BINDING_H

#include "../base/base.h"
#include "../chain/collateral.h"
#include "policy.h"

typedef enum attest_binding {
    ATTEST_BIND_DEFAULT = 0, /* member absent: "raw" when a nonce is given */
    ATTEST_BIND_NONE,        /* report data not bound: giving a nonce is an error */
    ATTEST_BIND_RAW,         /* report data = nonce, zero-padded to 64 bytes */
    ATTEST_BIND_SHA256,      /* report data = SHA-256(nonce) || 32 zero bytes */
    ATTEST_BIND_SHA384,      /* report data = SHA-384(nonce) || 16 zero bytes */
    ATTEST_BIND_SHA512,      /* report data = SHA-512(nonce) */
} attest_binding;

/* "none", "raw", "sha256", "sha384", "sha512" -> binding; -1 if unknown. */
ATTEST_HIDDEN int attest_binding_parse(const char *name);

/* The 64 bytes a field bound with `b` must hold for `nonce`: 0, or -1
 * when the binding cannot hold it (raw and more than 64 bytes; none). */
ATTEST_HIDDEN int attest_binding_expected(attest_binding b, const uint8_t *nonce, size_t n,
                                          uint8_t out[64]);

/* What the CPU's report data is judged by. */
typedef enum report_data_rule {
    REPORT_DATA_BY_POLICY = 0, /* the platform section's report_data / binding */
    REPORT_DATA_BY_COMPOSITE,  /* composite.binding (CPU vouches for its GPUs) */
    REPORT_DATA_BY_AZURE,      /* Azure's paravisor: REPORT_DATA binds the runtime
                                  claims (azure.claims.binding), the nonce is in
                                  the vTPM quote or the claims' user-data */
    REPORT_DATA_BY_RATLS,      /* an RA-TLS binding rule (ratls_binding.c): the
                                  peer key's hash fills REPORT_DATA */
} report_data_rule;

/* Record check `name` on `report_data`: against the exact value `exact`
 * (when non-NULL) or the binding of the caller's nonce. With a nonce given,
 * the check passes only when the nonce is bound; a policy that cannot bind
 * it (binding "none", or a fixed report_data) fails. Without a nonce the
 * check says the evidence is not shown to be fresh. Under
 * REPORT_DATA_BY_COMPOSITE the nonce is left to composite.binding. */
ATTEST_HIDDEN void attest_appraise_report_data(attest_result *r, const char *name,
                                               const uint8_t report_data[64],
                                               const uint8_t *exact, attest_binding binding,
                                               const uint8_t *nonce, size_t nonce_len,
                                               report_data_rule rule);
#endif
