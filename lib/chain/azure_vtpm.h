/* Azure confidential VMs: the cryptographic checks of the vTPM side
 * (/work/shared/research/azure.md sections 0-4). The paravisor's HCL report
 * binds the runtime claims through REPORT_DATA; the claims carry the AK
 * (JWK "HCLAkPub"); the AK signs a TPM2_Quote (TPMS_ATTEST) whose
 * extraData is the relying party's nonce and whose pcrDigest covers the
 * selected PCR values; Azure also issues an X.509 certificate for the AK.
 *
 * The functions take raw bytes, not the parse structs, so that they are
 * usable from any container. Each returns ATTEST_OK or a specific
 * ATTEST_E_* code and then sets attest_error_last() to a detail naming
 * the check ("tpm.quote.signature: ..."). Thread-safe; no global state. */
#ifndef ATTEST_AZURE_VTPM_H
#define ATTEST_AZURE_VTPM_H

#include "../base/base.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#define ATTEST_TPM_ALG_RSASSA 0x0014
#define ATTEST_TPM_ALG_SHA256 0x000B

/* The AK as an RSA public key from the JWK members n and e, decoded from
 * base64url to big-endian bytes. Accepted (RFC 7518 6.3.1 and what Azure
 * issues, fail-closed otherwise): n of exactly 2048, 3072 or 4096 bits in
 * its minimal encoding (no leading zero byte: the JWK rule "minimum number
 * of octets"), odd; e exactly 01 00 01 (65537; any other exponent, small
 * ones included, is refused). *out is a new key the caller frees with
 * EVP_PKEY_free. Errors: ATTEST_E_INVALID_ARG, ATTEST_E_TPM_AK_KEY,
 * ATTEST_E_INTERNAL. */
ATTEST_HIDDEN int attest_tpm_ak_from_jwk(EVP_PKEY **out, const uint8_t *n, size_t n_len,
                                         const uint8_t *e, size_t e_len);

/* Verify the quote signature: RSASSA-PKCS1-v1_5 with SHA-256 over the
 * TPMS_ATTEST bytes msg[0, msg_len) exactly. `sig` is either the raw
 * signature of exactly the key's size (what Azure tooling, trustee and
 * az-cvm-vtpm store) or a TPMT_SIGNATURE: sigAlg 0x0014 (RSASSA), hash
 * 0x000B (SHA-256), TPM2B size = the key's size, the signature, nothing
 * after (what tpm2_quote -f plain/tss writes). `ak` must be an RSA key of
 * 2048..4096 bits. Errors: ATTEST_E_INVALID_ARG, ATTEST_E_TPM_AK_KEY,
 * ATTEST_E_TPM_SIGNATURE_FORMAT (any other layout, scheme or hash),
 * ATTEST_E_TPM_SIGNATURE (does not verify), ATTEST_E_INTERNAL. */
ATTEST_HIDDEN int attest_tpm_quote_check_signature(const uint8_t *msg, size_t msg_len,
                                                   const uint8_t *sig, size_t sig_len,
                                                   EVP_PKEY *ak);

/* Check that the PCR values hash to the signed pcrDigest. `select` is the
 * signed TPMS_PCR_SELECTION bitmap (bit i of byte i/8 = PCR i, 1..4
 * bytes); `values` are the values of exactly the selected PCRs, each
 * 32 bytes, concatenated in ascending PCR index order (map a list of
 * values to indices through this bitmap, never by list position); their
 * count must equal the number of set bits. pcrDigest = SHA-256 of that
 * concatenation and must be 32 bytes. Only the SHA-256 bank (hash_alg
 * 0x000B) is accepted: it is Azure's only bank and the quote's signing
 * hash. An empty selection is refused (it authenticates no PCR). Errors:
 * ATTEST_E_INVALID_ARG, ATTEST_E_TPM_PCR_DIGEST. */
ATTEST_HIDDEN int attest_tpm_pcr_digest_check(uint16_t hash_alg, const uint8_t *select,
                                              size_t select_len, const uint8_t *values,
                                              size_t values_len, const uint8_t *digest,
                                              size_t digest_len);

/* The values of the PCRs a selection selects, in ascending index order,
 * from a list where PCR i is at by_index[32 * i] (what the quote
 * containers hold: PCRs 0..count-1), into out (out_cap bytes); *out_len
 * is their length. Feed the result to attest_tpm_pcr_digest_check.
 * Errors: ATTEST_E_INVALID_ARG, ATTEST_E_TPM_PCR_DIGEST (a selected PCR
 * is beyond the list, or the selection is longer than 4 bytes),
 * ATTEST_E_LENGTH (out too small). */
ATTEST_HIDDEN int attest_tpm_pcr_select_values(uint8_t *out, size_t out_cap, size_t *out_len,
                                               const uint8_t *select, size_t select_len,
                                               const uint8_t *by_index, size_t count);

/* The number of PCRs a selection bitmap selects. */
ATTEST_HIDDEN unsigned attest_tpm_select_count(const uint8_t *select, size_t select_len);

/* extraData of the quote == the caller's nonce: same length, same bytes
 * (a prefix or an empty nonce does not match). Errors:
 * ATTEST_E_INVALID_ARG (nonce NULL or empty), ATTEST_E_TPM_NONCE. */
ATTEST_HIDDEN int attest_tpm_nonce_check(const uint8_t *extra_data, size_t extra_len,
                                         const uint8_t *nonce, size_t nonce_len);

/* The runtime claims are bound to the hardware report:
 * REPORT_DATA[0:32] == SHA-256(claims bytes exactly as stored), and
 * REPORT_DATA[32:64] all zero (the paravisor writes nothing else there,
 * so anything else there is not its report). Errors:
 * ATTEST_E_INVALID_ARG, ATTEST_E_AZURE_CLAIMS_BINDING,
 * ATTEST_E_AZURE_REPORT_DATA_TAIL. */
ATTEST_HIDDEN int attest_azure_claims_binding_check(const uint8_t *claims, size_t claims_len,
                                                    const uint8_t report_data[64]);

/* The AK certificate as read from vTPM NV 0x01C101D0: one DER
 * Certificate, optionally followed by zero bytes (the NV index is larger
 * than the certificate); anything else after it is refused. *out is new
 * (X509_free). Errors: ATTEST_E_INVALID_ARG, ATTEST_E_CERT_PARSE. */
ATTEST_HIDDEN int attest_azure_ak_cert_parse(X509 **out, const uint8_t *nv, size_t nv_len);

/* Verify the AK certificate `leaf` (attest_azure_ak_cert_parse): its
 * profile (RSA key; not a CA; EKU 2.23.133.8.3 tcg-kp-AIKCertificate,
 * which every Azure AK certificate carries; digitalSignature when a key
 * usage is present), its chain through `certs` (the
 * intermediates and the root, from the evidence or collateral: untrusted
 * input) to a root whose key is a pinned ATTEST_VENDOR_AZURE_VTPM anchor
 * of `v`, self-signed, every certificate valid at `now`, and its public
 * key equal (SubjectPublicKeyInfo DER) to `ak`, the claims' AK. Checks
 * are recorded in `r` (may be NULL: then only attest_error_last) as
 * azure.ak_cert.profile, azure.ak_cert.chain and azure.ak_cert.key.
 * Errors: ATTEST_E_CERT_* (chain, with ATTEST_E_CERT_UNTRUSTED_ROOT for a
 * root that is not pinned), ATTEST_E_COLLATERAL_MISSING (an intermediate
 * is absent), ATTEST_E_CERT_PROFILE, ATTEST_E_AZURE_AK_MISMATCH,
 * ATTEST_E_NOMEM. */
ATTEST_HIDDEN int attest_azure_ak_cert_verify(attest_result *r, const attest_verifier *v,
                                              X509 *leaf, STACK_OF(X509) *certs,
                                              EVP_PKEY *ak, int64_t now);

#endif
