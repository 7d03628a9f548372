/*
 * gencommon - helpers shared by the test-evidence generators (snpgen.c,
 * dcapgen.c, nvgen.c): a growable byte buffer, hex, a small DER writer and
 * reader, time formatting, X.509 certificate / CRL building blocks, raw
 * ECDSA and file I/O below a directory.
 *
 * Internal to vectors/gen: the generators' public APIs stay in snpgen.h,
 * dcapgen.h and nvgen.h; link gencommon.c wherever the generators are
 * linked. The conventions are those of snpgen.h (0 / -1 results, out
 * parameters first and untouched on failure, nothing printed, no global
 * state). The directory helpers store keys, certificates and CRLs through
 * snpgen's public file functions.
 */
#ifndef GENCOMMON_H
#define GENCOMMON_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "snpgen.h" /* snpgen_ext */

#if defined(__GNUC__)
#define GEN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GEN_PRINTF(a, b)
#endif

/* Room for "<dir>/<name>" paths. */
#define GEN_PATH_BUF 4096

/* ------------------------------------------------------------------------ */
/* Growable byte buffer (also used for text). Start from {0}; an error
 * (allocation failure, NULL string, ...) is sticky and makes
 * gen_buf_finish fail. The content is always NUL-terminated.             */

typedef struct {
    uint8_t *p;
    size_t len, cap;
    int err;
} gen_buf;

void gen_buf_reserve(gen_buf *b, size_t extra);
void gen_buf_put(gen_buf *b, const void *d, size_t n);
void gen_buf_byte(gen_buf *b, uint8_t c);
/* A NULL s is an error. */
void gen_buf_str(gen_buf *b, const char *s);
/* Short formats only: more than 255 characters is an error. */
void gen_buf_printf(gen_buf *b, const char *fmt, ...) GEN_PRINTF(2, 3);
void gen_buf_hex(gen_buf *b, const uint8_t *d, size_t n, int upper);
/* Hand the buffer over (NUL-terminated, *(uint8_t **)out or
 * *(char **)out) or free it on error. out_len may be NULL. */
int gen_buf_finish(gen_buf *b, void *out, size_t *out_len);
void gen_buf_free(gen_buf *b);

/* ------------------------------------------------------------------------ */
/* Hex                                                                      */

/* 2n hex digits of d[0..n) and a NUL into out[0..2n]. */
void gen_hex_encode(char *out, const uint8_t *d, size_t n, int upper);
/* 0..15, or -1 for a character that is not a hex digit. */
int gen_hex_nibble(char c);
/* Exactly n bytes from the 2n hex digits at s (either case). */
int gen_hex_decode(uint8_t *out, const char *s, size_t n);

/* ------------------------------------------------------------------------ */
/* DER (single-byte tags, definite lengths)                                 */

/* Minimal definite length. */
void gen_der_len(gen_buf *b, size_t n);
void gen_der_tlv(gen_buf *b, uint8_t tag, const uint8_t *c, size_t n);
/* tag + length + the bytes of inner (inner's error propagates). */
void gen_der_wrap(gen_buf *b, uint8_t tag, const gen_buf *inner);
/* One TLV from [*p, end): tag, content c[0..n); *p moves past it. Lengths
 * of up to 4 bytes. */
int gen_der_read(const uint8_t **p, const uint8_t *end, uint8_t *tag,
                 const uint8_t **c, size_t *n);

/* ------------------------------------------------------------------------ */
/* Time                                                                     */

/* An ASN1_TIME from Unix seconds (UTCTime before 2050, else
 * GeneralizedTime, as RFC 5280 requires). */
int gen_asn1_time(ASN1_TIME **out, int64_t t);
/*
 * strftime(fmt) of t in UTC into out[0..size). Returns the length written,
 * 0 when t does not fit time_t, its year (tm_year) is outside
 * [min_tm_year, 9999 - 1900] or the text does not fit.
 */
size_t gen_time_format(char *out, size_t size, const char *fmt, int64_t t,
                       int min_tm_year);

/* ------------------------------------------------------------------------ */
/* Digests and raw ECDSA                                                    */

/* md(d1 || d2) into out; the digest must be exactly size bytes. */
int gen_digest2(const EVP_MD *md, uint8_t *out, size_t size, const void *d1,
                size_t n1, const void *d2, size_t n2);
/* One-shot DER ECDSA signature over msg with the named digest; *out is
 * OPENSSL_malloc'd. */
int gen_ecdsa_sign_der(unsigned char **out, size_t *out_len,
                       const char *digest, const uint8_t *msg, size_t len,
                       EVP_PKEY *key);
/* r || s, each big-endian and coord_len (<= 72) bytes, into out. msg may
 * be NULL when len is 0. */
int gen_ecdsa_sign_raw(uint8_t *out, size_t coord_len, const char *digest,
                       const uint8_t *msg, size_t len, EVP_PKEY *key);
/* Verify (r, s) over msg; takes ownership of r and s (NULL is an error). */
int gen_ecdsa_verify(BIGNUM *r, BIGNUM *s, const char *digest,
                     const uint8_t *msg, size_t len, EVP_PKEY *key);
/* Verify sig = r || s as gen_ecdsa_sign_raw writes it. */
int gen_ecdsa_verify_raw(const uint8_t *sig, size_t coord_len,
                         const char *digest, const uint8_t *msg, size_t len,
                         EVP_PKEY *key);

/* ------------------------------------------------------------------------ */
/* Certificates and CRLs                                                    */

/* keyUsage bits: the values of SNPGEN_KU_*, DCAPGEN_KU_*, NVGEN_KU_*. */
#define GEN_KU_DIGITAL_SIGNATURE 0x1u
#define GEN_KU_KEY_CERT_SIGN 0x2u
#define GEN_KU_CRL_SIGN 0x4u
#define GEN_KU_NON_REPUDIATION 0x8u

/* A digest-sign context (digest by name, default key parameters). */
int gen_sign_ctx(EVP_MD_CTX **out, EVP_PKEY *key, const char *digest);
/*
 * Sign x with md and hand it over through *out. Consumes both: md (may be
 * NULL, which fails) is freed, x is freed on failure.
 */
int gen_cert_sign(X509 **out, X509 *x, EVP_MD_CTX *md);
int gen_crl_sign(X509_CRL **out, X509_CRL *crl, EVP_MD_CTX *md);

/*
 * A name with CN=cn and the (type, value) entries of dn[0..n_dn), in that
 * order after the CN when cn_first, else before it.
 */
int gen_name_build(X509_NAME **out, const char *cn,
                   const char *const (*dn)[2], size_t n_dn, int cn_first);
int gen_set_serial_u64(X509 *x, uint64_t serial);
/*
 * Version 3, validity, public key, subject subj and issuer (the subject of
 * issuer_cert, or subj itself when it is NULL). Frees subj (may be NULL,
 * which fails). The serial number is the caller's.
 */
int gen_cert_set_body(X509 *x, X509_NAME *subj, int64_t not_before,
                      int64_t not_after, EVP_PKEY *subject_key,
                      const X509 *issuer_cert);
/* RFC 5280 key identifier method 1: SHA-1 of the subjectPublicKey bits. */
int gen_key_id(ASN1_OCTET_STRING **out, EVP_PKEY *key);
int gen_add_skid(X509 *x, EVP_PKEY *subject);
/* An authorityKeyIdentifier (keyIdentifier of issuer) on x, or on crl when
 * x is NULL. */
int gen_add_akid(X509 *x, X509_CRL *crl, EVP_PKEY *issuer);
/* keyUsage with the GEN_KU_* bits of ku (none set: an empty one). */
int gen_add_key_usage(X509 *x, unsigned ku, int critical);
/*
 * basicConstraints; ca is the BOOLEAN's raw value (0xFF is DER TRUE; snpgen
 * writes 1, as it always has), pathlen < 0 = absent.
 */
int gen_add_basic_constraints(X509 *x, int critical, int ca, int pathlen);
/* Append an extension whose extnValue contents are val[0..len)
 * (duplicates are allowed on purpose). */
int gen_add_ext_raw(X509 *x, const char *oid, int critical,
                    const uint8_t *val, size_t len);
/* gen_add_ext_raw for each of e[0..n). */
int gen_add_exts(X509 *x, const snpgen_ext *e, size_t n);
/* extnValue contents of the first extension with this OID, or NULL. */
const ASN1_OCTET_STRING *gen_ext_value(const X509 *x, const char *oid);
/*
 * Version 2, issuer name, thisUpdate / nextUpdate, one entry per serial in
 * revoked[0..n) (revocationDate = this_update, plus a keyCompromise
 * reasonCode when reason_key_compromise), sorted.
 */
int gen_crl_fill(X509_CRL *crl, const X509 *issuer, int64_t this_update,
                 int64_t next_update, const uint64_t *revoked, size_t n,
                 int reason_key_compromise);

/* ------------------------------------------------------------------------ */
/* Files below a directory                                                  */

int gen_path_join(char out[GEN_PATH_BUF], const char *dir, const char *name);
/* mkdir dir (sub NULL) or dir/sub, mode 0755; an existing one is fine. */
int gen_make_dir(const char *dir, const char *sub);
/* dir/name := d[0..n) (d NULL fails). */
int gen_write_file(const char *dir, const char *name, const void *d,
                   size_t n);
/* The whole of dir/name (dir NULL: of the path name), NUL-terminated (the
 * NUL not counted); out_len may be NULL. */
int gen_read_file(char **out, size_t *out_len, const char *dir,
                  const char *name);
/* Lowercase hex SHA-256 of cert's DER SubjectPublicKeyInfo and a newline. */
int gen_save_anchor(const char *dir, const char *name, const X509 *cert);
/* PEM certificate / PEM private key / DER CRL as dir/name. */
int gen_save_cert(const char *dir, const char *name, const X509 *x);
int gen_save_key(const char *dir, const char *name, const EVP_PKEY *k);
int gen_save_crl(const char *dir, const char *name, const X509_CRL *c);
int gen_load_cert(X509 **out, const char *dir, const char *name);
int gen_load_key(EVP_PKEY **out, const char *dir, const char *name);
int gen_load_crl(X509_CRL **out, const char *dir, const char *name);

#endif /* GENCOMMON_H */
