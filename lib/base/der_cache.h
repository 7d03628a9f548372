/* Parsed certificates, CRLs and raw P-256 keys shared by exact bytes, process-wide.
 *
 * Why: OpenSSL 3.0 builds a key decoder chain for every certificate it
 * parses (OSSL_DECODER_CTX_new_for_pkey, about two P-256 verifies of
 * work), and the same certificates (Intel SGX Root CA, TCB signing, PCK CA,
 * their CRLs) come with every quote and every collateral of a fleet. A
 * parse is a pure function of the bytes, so its result is shared: the key
 * is the SHA-256 of the exact input, and only the decoding is skipped;
 * every check on the object (signature, validity at the instant, pinning,
 * revocation) runs as before. Bytes that do not decode are not remembered.
 *
 * Bounded (ATTEST_DER_CACHE_SLOTS objects, least recently used evicted),
 * thread-safe (one mutex; hashing is done outside it). The objects handed
 * out are new references and must not be modified (they may be shared). */
#ifndef ATTEST_DER_CACHE_H
#define ATTEST_DER_CACHE_H

#include "base.h"

#include <openssl/x509.h>

#define ATTEST_DER_CACHE_SLOTS 256

/* The certificate at the start of der[0, len) (d2i_X509), *used set to its
 * encoded length; NULL when the bytes do not begin with one. The caller
 * frees with X509_free. */
ATTEST_HIDDEN X509 *attest_der_x509(const uint8_t *der, size_t len, size_t *used);

/* The same for a CRL (d2i_X509_CRL). */
ATTEST_HIDDEN X509_CRL *attest_der_crl(const uint8_t *der, size_t len, size_t *used);

/* attest_p256_key_from_raw's key (the point checked on the curve), shared
 * by exact bytes: a DCAP attestation key signs every quote of its QE. NULL
 * when the bytes are no P-256 point. The caller frees with EVP_PKEY_free;
 * the key may be shared, so it is only used, never changed. */
ATTEST_HIDDEN EVP_PKEY *attest_p256_key_cached(const uint8_t xy[64]);

/* Drop every remembered object (benchmarks measure a cold process). */
ATTEST_HIDDEN void attest_der_cache_clear(void);

#endif
