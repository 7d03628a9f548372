/* RA-TLS binding rules (docs/ratls.md): what REPORT_DATA must hold for the
 * TLS peer's key under the rule the caller named, never a rule guessed
 * from the evidence; and the freshness each scheme offers. Records the
 * checks ratls.key_hash (claims rule), ratls.binding and ratls.freshness. */
#ifndef ATTEST_RATLS_BINDING_H
#define ATTEST_RATLS_BINDING_H

#include "../base/base.h"
#include "../parse/ratls_ext.h"

/* The peer's key as the rules hash it. */
typedef struct ratls_peer_key {
    const uint8_t *spki;      /* DER SubjectPublicKeyInfo */
    size_t spki_len;
    const char *spki_pem;     /* its PEM text (Open Enclave rule), or NULL */
    size_t spki_pem_len;
} ratls_peer_key;

typedef struct ratls_bind_in {
    int rule;                 /* attest_ratls_rule */
    const ratls_evidence *ev; /* the certificate's evidence; NULL when fetched */
    const uint8_t *bound;     /* Tinfoil: HPKE key; NEAR AI: signing address */
    size_t bound_len;
    const uint8_t *nonce;     /* the caller's, or NULL */
    size_t nonce_len;
} ratls_bind_in;

/* The carriers (RATLS_CARRIER_BIT mask) an in-certificate rule takes; 0
 * for a fetched-evidence rule or no rule. */
ATTEST_HIDDEN unsigned ratls_rule_carriers(int rule);

/* Whether `rule` is a scheme whose evidence is fetched over the connection. */
ATTEST_HIDDEN bool ratls_rule_fetched(int rule);

/* "spki-sha256", ... or NULL. */
ATTEST_HIDDEN const char *ratls_rule_str(int rule);

/* Judge report_data (64 bytes) against the rule for key k and record the
 * checks; a nonce the caller gave is enforced or refused. Returns
 * r->status. */
ATTEST_HIDDEN int ratls_check_binding(attest_result *r, const uint8_t report_data[64],
                                      const ratls_peer_key *k, const ratls_bind_in *in);

#endif
