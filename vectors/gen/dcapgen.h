/*
 * dcapgen - Intel SGX/TDX DCAP test PKI, collateral and quote generator.
 *
 * Test-only code: it builds a fake Intel key hierarchy (Intel SGX Root CA ->
 * PCK Platform CA / PCK Processor CA -> PCK certificate, Root CA -> TCB
 * Signing), CRLs, signed TCB Info / QE Identity JSON and signed ECDSA-P256
 * quotes (SGX v3, TDX v4, v5 with every body type) so that the libattest
 * DCAP verifier can be exercised, including every failure path, without
 * Intel hardware or the Intel PCS. Nothing here is secret or hardened; never
 * link it into production code.
 *
 * Conventions (the same as snpgen.h, whose file helpers are reused; link
 * snpgen.c and gencommon.c too):
 *  - Functions that can fail return 0 on success and -1 on failure; on
 *    failure nothing is leaked and out parameters are left untouched.
 *    Results come back through out parameters that come first. The pure
 *    byte helpers (dcapgen_put_u16, dcapgen_get_u16) cannot fail.
 *  - Objects returned through `**out` belong to the caller: EVP_PKEY_free,
 *    X509_free, X509_CRL_free, dcapgen_pki_free, and plain free() for every
 *    byte or text buffer (quotes, JSON, DER, PEM). Text buffers are also
 *    NUL-terminated; the NUL is not counted in *out_len.
 *  - No global mutable state; every function is safe to call from several
 *    threads on distinct objects.
 *  - Nothing is printed; OpenSSL's error queue holds the detail when an
 *    OpenSSL call failed.
 *  - All keys are ECDSA P-256; certificates, CRLs, quotes, QE reports and
 *    collateral are signed with ECDSA / SHA-256, as Intel does.
 *
 * Formats: research/tdx.md (a) in the shared notes, Intel sgx_quote_3/4/5.h,
 * QVL ParserUtils.h (PCK extension), Intel PCS responses (collateral).
 */
#ifndef DCAPGEN_H
#define DCAPGEN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "snpgen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Quote layout constants. All integers little-endian; signatures are raw   */
/* r||s and public keys raw x||y, 32 + 32 bytes big-endian.                 */

#define DCAPGEN_HEADER_SIZE 48
#define DCAPGEN_SGX_REPORT_SIZE 384  /* SGX REPORT_BODY (v3 body, QE report) */
#define DCAPGEN_TD10_REPORT_SIZE 584 /* TD report 1.0 (v4 body, v5 type 2) */
#define DCAPGEN_TD15_REPORT_SIZE 648 /* TD report 1.5 (v5 type 3) */
#define DCAPGEN_MAX_BODY_SIZE DCAPGEN_TD15_REPORT_SIZE
#define DCAPGEN_SIG_SIZE 64          /* raw r||s */
#define DCAPGEN_PUBKEY_SIZE 64       /* raw x||y */
#define DCAPGEN_V5_BODY_DESC_SIZE 6  /* u16 body_type + u32 body_size */

#define DCAPGEN_TEE_SGX 0x00000000u
#define DCAPGEN_TEE_TDX 0x00000081u
#define DCAPGEN_ATT_KEY_ECDSA_P256 2
#define DCAPGEN_CERT_PCK_CHAIN 5 /* PEM chain leaf, CA, root */
#define DCAPGEN_CERT_QE_REPORT 6 /* QE report certification data (v4/v5) */
#define DCAPGEN_BODY_SGX 1       /* v5 body types */
#define DCAPGEN_BODY_TD10 2
#define DCAPGEN_BODY_TD15 3

/* Header offsets. */
#define DCAPGEN_HDR_OFF_VERSION 0       /* u16 */
#define DCAPGEN_HDR_OFF_ATT_KEY_TYPE 2  /* u16 */
#define DCAPGEN_HDR_OFF_TEE_TYPE 4      /* u32 */
#define DCAPGEN_HDR_OFF_QE_SVN 8        /* u16 (v3; reserved in v4/v5) */
#define DCAPGEN_HDR_OFF_PCE_SVN 10      /* u16 (v3; reserved in v4/v5) */
#define DCAPGEN_HDR_OFF_QE_VENDOR_ID 12 /* 16 bytes */
#define DCAPGEN_HDR_OFF_USER_DATA 28    /* 20 bytes */
#define DCAPGEN_V5_OFF_BODY_TYPE 48     /* u16, v5 only */
#define DCAPGEN_V5_OFF_BODY_SIZE 50     /* u32, v5 only */
#define DCAPGEN_V5_OFF_BODY 54

/* Intel's QE vendor id 939a7233f79c4ca9940a0db3957f0607. */
#define DCAPGEN_INTEL_QE_VENDOR_ID                                          \
    {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,                       \
     0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07}

/* SGX report body (quote body of SGX quotes and the QE report). */
#define DCAPGEN_RPT_OFF_CPUSVN 0        /* 16 */
#define DCAPGEN_RPT_OFF_MISCSELECT 16   /* u32 */
#define DCAPGEN_RPT_OFF_ISVEXTPRODID 32 /* 16 */
#define DCAPGEN_RPT_OFF_ATTRIBUTES 48   /* 16 */
#define DCAPGEN_RPT_OFF_MRENCLAVE 64    /* 32 */
#define DCAPGEN_RPT_OFF_MRSIGNER 128    /* 32 */
#define DCAPGEN_RPT_OFF_CONFIGID 192    /* 64 */
#define DCAPGEN_RPT_OFF_ISVPRODID 256   /* u16 */
#define DCAPGEN_RPT_OFF_ISVSVN 258      /* u16 */
#define DCAPGEN_RPT_OFF_CONFIGSVN 260   /* u16 */
#define DCAPGEN_RPT_OFF_ISVFAMILYID 304 /* 16 */
#define DCAPGEN_RPT_OFF_REPORTDATA 320  /* 64 */

/* TD report 1.0 / 1.5 (offsets from the body start). */
#define DCAPGEN_TD_OFF_TEE_TCB_SVN 0      /* 16 */
#define DCAPGEN_TD_OFF_MRSEAM 16          /* 48 */
#define DCAPGEN_TD_OFF_MRSIGNERSEAM 64    /* 48 */
#define DCAPGEN_TD_OFF_SEAM_ATTRIBUTES 112 /* 8 */
#define DCAPGEN_TD_OFF_TD_ATTRIBUTES 120  /* 8 */
#define DCAPGEN_TD_OFF_XFAM 128           /* 8 */
#define DCAPGEN_TD_OFF_MRTD 136           /* 48 */
#define DCAPGEN_TD_OFF_MRCONFIGID 184     /* 48 */
#define DCAPGEN_TD_OFF_MROWNER 232        /* 48 */
#define DCAPGEN_TD_OFF_MROWNERCONFIG 280  /* 48 */
#define DCAPGEN_TD_OFF_RTMR0 328          /* 4 x 48 */
#define DCAPGEN_TD_OFF_REPORTDATA 520     /* 64 */
#define DCAPGEN_TD_OFF_TEE_TCB_SVN2 584   /* 16, TD report 1.5 */
#define DCAPGEN_TD_OFF_MRSERVICETD 600    /* 48, TD report 1.5 */

/* Field lengths, for memcpy into the offsets above. */
#define DCAPGEN_LEN_CPUSVN 16
#define DCAPGEN_LEN_ATTRIBUTES 16
#define DCAPGEN_LEN_MRENCLAVE 32
#define DCAPGEN_LEN_MRSIGNER 32
#define DCAPGEN_LEN_REPORTDATA 64
#define DCAPGEN_LEN_TEE_TCB_SVN 16
#define DCAPGEN_LEN_MR48 48 /* MRSEAM, MRSIGNERSEAM, MRTD, MRCONFIGID, MROWNER,
                               MROWNERCONFIG, RTMRn, MRSERVICETD */
#define DCAPGEN_LEN_TD_ATTRIBUTES 8
#define DCAPGEN_LEN_XFAM 8

/* Default QE report ISVSVN (what the default QE Identity rates UpToDate). */
#define DCAPGEN_QE_ISVSVN_SGX 8
#define DCAPGEN_QE_ISVSVN_TDX 4
/* Default QE authentication data: 32 bytes 00 01 .. 1f. */
#define DCAPGEN_QE_AUTH_LEN 32

/* ------------------------------------------------------------------------ */
/* Times (Unix seconds). Every default object is valid at 2025-06-15.       */

#define DCAPGEN_T_2018_05_21 1526860800LL
#define DCAPGEN_T_2025_01_01 1735689600LL
#define DCAPGEN_T_2025_05_06 1746489600LL
#define DCAPGEN_T_2025_06_01 1748736000LL
#define DCAPGEN_T_2025_06_15 1749945600LL /* the tests' verification time */
#define DCAPGEN_T_2025_07_01 1751328000LL
#define DCAPGEN_T_2032_01_01 1956528000LL
#define DCAPGEN_T_2032_05_06 1967414400LL
#define DCAPGEN_T_2049_12_31 2524607999LL /* 2049-12-31T23:59:59Z */

/* "YYYY-MM-DDTHH:MM:SSZ" plus NUL, as in TCB Info / QE Identity. */
#define DCAPGEN_TIME_LEN 21

/*
 * Format t as Intel writes dates in collateral ("2025-06-01T00:00:00Z").
 * @return 0, or -1 for a time outside years 1000..9999.
 */
int dcapgen_format_time(char out[DCAPGEN_TIME_LEN], int64_t t);

/* Little-endian u16 helpers (pure). Use snpgen_put_u32/get_u32 for u32. */
void dcapgen_put_u16(uint8_t *p, uint16_t v);
uint16_t dcapgen_get_u16(const uint8_t *p);

/* ------------------------------------------------------------------------ */
/* Keys and raw ECDSA                                                       */

/* Generate an EC key on NIST P-256 (prime256v1). */
int dcapgen_p256_keygen(EVP_PKEY **out);

/* Public key of a P-256 key as raw x||y (64 bytes, big-endian). */
int dcapgen_pubkey_raw(uint8_t out[DCAPGEN_PUBKEY_SIZE], const EVP_PKEY *key);

/* A public-only P-256 key from raw x||y (must be on the curve). */
int dcapgen_pubkey_from_raw(EVP_PKEY **out,
                            const uint8_t xy[DCAPGEN_PUBKEY_SIZE]);

/*
 * ECDSA / SHA-256 over msg[0..len) with key (P-256), written as raw r||s
 * (32 + 32 bytes, big-endian, left-padded with zeros).
 */
int dcapgen_sign_raw(uint8_t out[DCAPGEN_SIG_SIZE], const uint8_t *msg,
                     size_t len, EVP_PKEY *key);

/*
 * Check a raw r||s ECDSA / SHA-256 signature with key's public half.
 * @return 0 if valid, -1 otherwise.
 */
int dcapgen_verify_raw(const uint8_t sig[DCAPGEN_SIG_SIZE], const uint8_t *msg,
                       size_t len, EVP_PKEY *key);

/* ------------------------------------------------------------------------ */
/* PCK certificate SGX extension (OID 1.2.840.113741.1.13.1)                */

#define DCAPGEN_SGX_EXT_OID "1.2.840.113741.1.13.1"

/* Members left out by dcapgen_pck_ext.omit (negative tests). */
#define DCAPGEN_PCK_OMIT_PPID (1u << 1)     /* .1 */
#define DCAPGEN_PCK_OMIT_TCB (1u << 2)      /* .2 (whole TCB) */
#define DCAPGEN_PCK_OMIT_PCEID (1u << 3)    /* .3 */
#define DCAPGEN_PCK_OMIT_FMSPC (1u << 4)    /* .4 */
#define DCAPGEN_PCK_OMIT_SGX_TYPE (1u << 5) /* .5 */
#define DCAPGEN_PCK_OMIT_PIID (1u << 6)     /* .6 (platform only) */
#define DCAPGEN_PCK_OMIT_CONFIG (1u << 7)   /* .7 (platform only) */
#define DCAPGEN_PCK_OMIT_PCESVN (1u << 8)   /* .2.17 */
#define DCAPGEN_PCK_OMIT_CPUSVN (1u << 9)   /* .2.18 */

/*
 * Content of the SGX extension. Encoded as Intel does (checked against a
 * real PCK certificate): SEQUENCE OF SEQUENCE { OID, value }:
 *   .1 PPID OCTET STRING(16)
 *   .2 TCB SEQUENCE { SEQUENCE { .2.1 INTEGER } ... .2.16, .2.17 INTEGER
 *      pcesvn, .2.18 OCTET STRING(16) cpusvn }
 *   .3 PCE-ID OCTET STRING(2)   .4 FMSPC OCTET STRING(6)
 *   .5 SGX type ENUMERATED
 *   .6 PlatformInstanceID OCTET STRING(16)            (platform != 0)
 *   .7 Configuration SEQUENCE { .7.1 dynamicPlatform, .7.2 cachedKeys,
 *      .7.3 SMTEnabled : BOOLEAN }                     (platform != 0)
 * INTEGERs are DER (255 -> 02 02 00 FF); any int value is encoded, so
 * out-of-range SVNs can be produced on purpose.
 */
typedef struct {
    uint8_t ppid[16];
    int sgx_svn[16]; /* .2.1 .. .2.16 */
    int pcesvn;      /* .2.17 */
    uint8_t cpusvn[16];
    uint8_t pce_id[2];
    uint8_t fmspc[6];
    int sgx_type;    /* 0 Standard, 1 Scalable, 2 Scalable with integrity */
    int platform;    /* 1: emit .6 and .7 (a Platform-CA PCK) */
    uint8_t platform_instance_id[16];
    int dynamic_platform, cached_keys, smt_enabled; /* .7.1 - .7.3 */
    unsigned omit;   /* DCAPGEN_PCK_OMIT_* */
} dcapgen_pck_ext;

/*
 * Defaults: PPID byte i = 0xA0+i; SGX comps 3,3,2,2,4,1,0,5,0..0; PCESVN
 * 13; CPUSVN = the 16 comps as bytes; PCE-ID 0000; FMSPC 90C06F000000;
 * SGX type 0; platform 1, PlatformInstanceID byte i = 0xB0+i, config
 * dynamicPlatform TRUE, cachedKeys FALSE, SMTEnabled TRUE; nothing omitted.
 */
int dcapgen_pck_ext_init(dcapgen_pck_ext *out);

/* DER of the extension value (what goes inside extnValue); free(). */
int dcapgen_pck_ext_encode(uint8_t **out, size_t *out_len,
                           const dcapgen_pck_ext *e);

/*
 * Decode an extension value written by dcapgen_pck_ext_encode or Intel
 * (members in any order, unknown members ignored; .1-.5 and all 18 TCB
 * members required). `platform` is set when .6 or .7 is present.
 */
int dcapgen_pck_ext_decode(dcapgen_pck_ext *out, const uint8_t *der,
                           size_t len);

/* dcapgen_pck_ext_decode of the SGX extension of a certificate. */
int dcapgen_pck_ext_from_cert(dcapgen_pck_ext *out, const X509 *cert);

/* ------------------------------------------------------------------------ */
/* Certificates and CRLs                                                    */

/* Key-usage bits (same values as SNPGEN_KU_*, plus nonRepudiation). */
#define DCAPGEN_KU_DIGITAL_SIGNATURE 0x1u
#define DCAPGEN_KU_KEY_CERT_SIGN 0x2u
#define DCAPGEN_KU_CRL_SIGN 0x4u
#define DCAPGEN_KU_NON_REPUDIATION 0x8u

/* Names used by Intel (exact CNs). */
#define DCAPGEN_CN_ROOT "Intel SGX Root CA"
#define DCAPGEN_CN_PLATFORM_CA "Intel SGX PCK Platform CA"
#define DCAPGEN_CN_PROCESSOR_CA "Intel SGX PCK Processor CA"
#define DCAPGEN_CN_TCB_SIGNING "Intel SGX TCB Signing"
#define DCAPGEN_CN_PCK "Intel SGX PCK Certificate"

typedef struct {
    const char *cn;        /* subject commonName (required) */
    int intel_dn;          /* 1: CN, O=Intel Corporation, L=Santa Clara,
                              ST=CA, C=US (Intel's order); 0: CN only */
    uint64_t serial;
    int64_t not_before, not_after; /* Unix seconds */
    int basic_constraints; /* 1: basicConstraints, critical */
    int is_ca;
    int pathlen;           /* < 0: absent */
    unsigned key_usage;    /* DCAPGEN_KU_*; 0: no keyUsage (else critical) */
    int key_ids;           /* 1: authority + subject key identifiers */
    EVP_PKEY *subject_key; /* certified public key (required) */
    const X509 *issuer_cert; /* NULL: self-issued */
    EVP_PKEY *issuer_key;  /* required with issuer_cert; NULL: subject_key.
                              A key not matching issuer_cert gives a bad
                              signature. */
    const uint8_t *sgx_ext; /* extnValue of 1.2.840.113741.1.13.1 (e.g.
                               from dcapgen_pck_ext_encode); NULL: none */
    size_t sgx_ext_len;
    const snpgen_ext *extra; /* extra raw extensions, appended last */
    size_t n_extra;
    const char *digest;    /* NULL: "SHA256"; e.g. "SHA384" for negative
                              tests */
} dcapgen_cert_opts;

/*
 * Zero *o and set: intel_dn 1, pathlen -1, key_ids 1, validity
 * 2025-01-01 .. 2032-01-01 (the PCK default), digest SHA-256.
 */
int dcapgen_cert_opts_init(dcapgen_cert_opts *o);

/*
 * Issue an X.509 v3 certificate, extensions in Intel's order: AKI, SKI,
 * keyUsage, basicConstraints, SGX extension, extra.
 */
int dcapgen_cert_issue(X509 **out, const dcapgen_cert_opts *o);

typedef struct {
    int64_t this_update, next_update;
    const uint64_t *revoked; /* serials; revocationDate = this_update */
    size_t n_revoked;
    long crl_number;         /* CRL Number extension; < 0: absent */
    int akid;                /* 1: authorityKeyIdentifier (from issuer key) */
    int reason_key_compromise; /* 1: entries carry reasonCode keyCompromise */
    const char *digest;      /* NULL: "SHA256" */
} dcapgen_crl_opts;

/*
 * Defaults like Intel's CRLs: thisUpdate 2025-06-01, nextUpdate
 * 2025-07-01, no entries, CRL Number 1, AKI, reasonCode keyCompromise.
 */
int dcapgen_crl_opts_init(dcapgen_crl_opts *o);

/* An X.509 v2 CRL, issuer name from issuer_cert, signed by issuer_key. */
int dcapgen_crl_create(X509_CRL **out, const X509 *issuer_cert,
                       EVP_PKEY *issuer_key, const dcapgen_crl_opts *o);

/* ------------------------------------------------------------------------ */
/* Whole PKI                                                                */

/* Serial numbers used by dcapgen_pki_generate. */
#define DCAPGEN_SERIAL_ROOT 1
#define DCAPGEN_SERIAL_PLATFORM_CA 2
#define DCAPGEN_SERIAL_PROCESSOR_CA 3
#define DCAPGEN_SERIAL_TCB_SIGNING 4
#define DCAPGEN_SERIAL_PCK 0x2A7D4EFBE5D0ADD1ULL
/* Serials in the default PCK CRL (none of them is issued). */
#define DCAPGEN_SERIAL_REVOKED_1 0x1001
#define DCAPGEN_SERIAL_REVOKED_2 0x1002

typedef struct {
    dcapgen_pck_ext pck_ext;  /* what the PCK carries */
    int pck_processor;        /* 1: PCK issued by the Processor CA (then
                                 pck_ext.platform is forced to 0) */
    uint64_t serial_root, serial_platform_ca, serial_processor_ca,
        serial_tcb_signing, serial_pck;
    int64_t ca_not_before, ca_not_after;   /* root and both PCK CAs */
    int64_t tcb_not_before, tcb_not_after; /* TCB Signing */
    int64_t pck_not_before, pck_not_after;
    int64_t crl_this_update, crl_next_update; /* both CRLs */
    const uint64_t *pck_revoked;  /* PCK CRL entries */
    size_t n_pck_revoked;
    const uint64_t *root_revoked; /* Root CA CRL entries */
    size_t n_root_revoked;
    int64_t collateral_issue, collateral_next; /* TCB Info, QE Identity */
} dcapgen_pki_opts;

/*
 * Defaults: dcapgen_pck_ext_init; Platform-CA PCK; the DCAPGEN_SERIAL_*
 * serials; root and CAs 2018-05-21 .. 2049-12-31T23:59:59Z, TCB Signing
 * 2025-05-06 .. 2032-05-06, PCK 2025-01-01 .. 2032-01-01; CRLs 2025-06-01
 * .. 2025-07-01; PCK CRL revokes DCAPGEN_SERIAL_REVOKED_1 and _2, Root CA
 * CRL is empty; collateral issueDate 2025-06-01, nextUpdate 2025-07-01.
 */
int dcapgen_pki_opts_init(dcapgen_pki_opts *o);

/*
 * A complete test PKI plus default collateral. Every member is owned by
 * the struct and released by dcapgen_pki_free; members may be replaced
 * (free the old one first, or free() the old JSON).
 */
typedef struct {
    EVP_PKEY *root_key, *platform_ca_key, *processor_ca_key,
        *tcb_signing_key, *pck_key;
    X509 *root, *platform_ca, *processor_ca, *tcb_signing, *pck;
    int pck_processor;        /* 1: pck was issued by processor_ca */
    dcapgen_pck_ext pck_ext;  /* what pck carries */
    X509_CRL *root_crl;       /* issuer root */
    X509_CRL *pck_crl;        /* issuer: pck's issuer */
    char *tcb_info_tdx, *tcb_info_sgx;       /* signed PCS bodies */
    char *qe_identity_td, *qe_identity_sgx;  /* (NUL-terminated) */
} dcapgen_pki;

/*
 * Build everything: keys, the five certificates, both CRLs, and the four
 * collateral documents (dcapgen_tcb_info_desc_init / dcapgen_qe_identity_
 * desc_init defaults for the PCK's FMSPC and TCB, signed with the TCB
 * Signing key). opts NULL = dcapgen_pki_opts_init defaults.
 */
int dcapgen_pki_generate(dcapgen_pki **out, const dcapgen_pki_opts *opts);

/* Free a PKI; NULL is accepted. */
void dcapgen_pki_free(dcapgen_pki *pki);

/* The CA that issued pki->pck (platform_ca or processor_ca). */
const X509 *dcapgen_pki_pck_ca(const dcapgen_pki *pki);

/*
 * Write the PKI into dir (created with mode 0755 if missing; its parent
 * must exist; existing files are overwritten; a failure may leave some
 * written): root.pem, platform_ca.pem, processor_ca.pem, tcb_signing.pem,
 * pck.pem, each with <name>.key.pem; pck_chain.pem (PCK, its CA, root);
 * tcb_signing_chain.pem (TCB Signing, root); root_crl.der, pck_crl.der;
 * tcb_info_tdx.json, tcb_info_sgx.json, qe_identity_td.json,
 * qe_identity_sgx.json (exact bytes, no trailing newline); anchor.sha256.
 */
int dcapgen_pki_save(const dcapgen_pki *pki, const char *dir);

/*
 * Read back a directory written by dcapgen_pki_save. pck_ext comes from
 * the PCK's extension, pck_processor from the PCK's issuer name.
 */
int dcapgen_pki_load(dcapgen_pki **out, const char *dir);

/* PEM text of the PCK chain as embedded in quotes: PCK, its CA, root. */
int dcapgen_pki_chain_pem(char **out, size_t *out_len, const dcapgen_pki *pki);

/*
 * PEM text of up to three certificates in order, NULL entries skipped
 * (the cert-data chain of a quote; any order or subset for negative tests).
 */
int dcapgen_chain_pem(char **out, size_t *out_len, const X509 *leaf,
                      const X509 *ca, const X509 *root);

/* ------------------------------------------------------------------------ */
/* Collateral: TCB Info and QE Identity                                     */

/* Output flags of the *_json functions. */
#define DCAPGEN_JSON_PRETTY 0x1u /* whole document indented (4 spaces,
                                    ": "), final newline; the signature
                                    still covers the compact inner object,
                                    so only a re-serialising verifier
                                    accepts it */
#define DCAPGEN_JSON_SIGN_AS_WRITTEN 0x2u /* with PRETTY: sign the indented
                                    inner bytes as written instead */

/* Optional "category"/"type" of a TCB component (NULL members omitted). */
typedef struct {
    const char *category;
    const char *type;
} dcapgen_comp_label;

/* A platform TCB level. */
typedef struct {
    int sgx_svn[16];
    int pcesvn;
    int tdx_svn[16];        /* written for TDX TCB Info only */
    const char *tcb_date;   /* e.g. "2024-11-13T00:00:00Z" */
    const char *tcb_status; /* any string: "UpToDate", "SWHardeningNeeded",
                               "ConfigurationNeeded",
                               "ConfigurationAndSWHardeningNeeded",
                               "OutOfDate", "OutOfDateConfigurationNeeded",
                               "Revoked", ... */
    const char *const *advisory_ids; /* NULL: no "advisoryIDs" member;
                                        non-NULL with n 0: [] */
    size_t n_advisory_ids;
} dcapgen_tcb_level;

/* A level of a QE Identity or of a TDX module identity. */
typedef struct {
    int isvsvn;
    const char *tcb_date;
    const char *tcb_status;
    const char *const *advisory_ids; /* as in dcapgen_tcb_level */
    size_t n_advisory_ids;
} dcapgen_isv_level;

typedef struct {
    const char *id;               /* "TDX_01", ... */
    uint8_t mrsigner[48];
    uint8_t attributes[8];
    uint8_t attributes_mask[8];
    const dcapgen_isv_level *levels;
    size_t n_levels;
} dcapgen_tdx_module_identity;

typedef struct {
    int tdx;                 /* 1: TDX TCB Info (tdxModule...,
                                tdxtcbcomponents), 0: SGX */
    int version;             /* 3, or 2 (SGX layout: no id, flat
                                "sgxtcbcompNNsvn" keys, never TDX members) */
    const char *id;          /* NULL: "TDX"/"SGX" for v3, absent for v2 */
    const char *issue_date;  /* strings as written */
    const char *next_update;
    uint8_t fmspc[6];
    int fmspc_upper;         /* 1: FMSPC in uppercase hex (Intel serves
                                both); 0: lowercase */
    uint8_t pce_id[2];
    int tcb_type;
    int tcb_evaluation_data_number;
    int tdx_module;          /* TDX: 1 = emit "tdxModule" */
    uint8_t module_mrsigner[48];
    uint8_t module_attributes[8];
    uint8_t module_attributes_mask[8];
    const dcapgen_tdx_module_identity *module_identities; /* TDX; NULL: no
                                "tdxModuleIdentities" member */
    size_t n_module_identities;
    const dcapgen_tcb_level *levels; /* written in this order */
    size_t n_levels;
    const dcapgen_comp_label *sgx_labels; /* 16 entries or NULL */
    const dcapgen_comp_label *tdx_labels; /* 16 entries or NULL */
} dcapgen_tcb_info_desc;

/*
 * Defaults for a PKI's PCK (pck NULL = dcapgen_pck_ext_init values):
 * version 3, id TDX or SGX, issueDate 2025-06-01T00:00:00Z, nextUpdate
 * 2025-07-01T00:00:00Z, FMSPC / PCE-ID from pck, tcbType 0, evaluation
 * number 17, TDX: tdxModule {mrsigner 0*48, attributes 0, mask FF*8} and
 * one module identity "TDX_01" (same values) with levels isvsvn 3
 * UpToDate 2024-11-13, isvsvn 2 OutOfDate 2024-03-13 ["INTEL-SA-00002"].
 * levels[0..2) are filled and d->levels points at them:
 *   [0] the PCK's comps and PCESVN, TDX comps 3,0,2,0.. : UpToDate,
 *       2024-11-13, no advisoryIDs;
 *   [1] every comp and PCESVN one lower (not below 0), TDX comps 2,0,1,0..:
 *       OutOfDate, 2024-03-13, ["INTEL-SA-00001"].
 * With the default TEE_TCB_SVN 03 01 02 a default quote is UpToDate;
 * TEE_TCB_SVN 03 01 01 reaches [1], 02 01 02 the module's OutOfDate level.
 * levels must outlive d (the module identity and advisory lists point to
 * static const data). For SGX, if [1] equals [0] (all zero) only [0] is
 * used.
 */
int dcapgen_tcb_info_desc_init(dcapgen_tcb_info_desc *d,
                               dcapgen_tcb_level levels[2], int tdx,
                               const dcapgen_pck_ext *pck);

/* The compact "tcbInfo" object (the signed bytes). */
int dcapgen_tcb_info_body(char **out, size_t *out_len,
                          const dcapgen_tcb_info_desc *d);

/* The PCS response {"tcbInfo":...,"signature":"<128 hex>"}, signed by key. */
int dcapgen_tcb_info_json(char **out, size_t *out_len,
                          const dcapgen_tcb_info_desc *d, EVP_PKEY *key,
                          unsigned flags);

typedef struct {
    const char *id;          /* "QE", "TD_QE", "QVE", ... */
    int version;             /* 2 */
    const char *issue_date, *next_update;
    int tcb_evaluation_data_number;
    uint32_t miscselect, miscselect_mask; /* written "%08X" (the default
                                             values 0 / FFFFFFFF read the
                                             same in either byte order) */
    uint8_t attributes[16], attributes_mask[16];
    uint8_t mrsigner[32];
    int isvprodid;
    const dcapgen_isv_level *levels;
    size_t n_levels;
} dcapgen_qe_identity_desc;

/*
 * Defaults (tdx 1: TD_QE, isvprodid 2, MRSIGNER DC9E2A7C...A8C5, levels
 * isvsvn 4 UpToDate 2024-03-13 / isvsvn 2 OutOfDate 2023-08-09
 * ["INTEL-SA-00003"]; tdx 0: QE, isvprodid 1, MRSIGNER 8C4F5775...7BFF,
 * levels isvsvn 8 UpToDate / isvsvn 6 OutOfDate ["INTEL-SA-00003"]);
 * version 2, dates as TCB Info, evaluation number 17, miscselect 00000000
 * mask FFFFFFFF, attributes 11000000000000000000000000000000 mask
 * FBFFFFFFFFFFFFFF0000000000000000. Levels point to static const data.
 */
int dcapgen_qe_identity_desc_init(dcapgen_qe_identity_desc *d, int tdx);

/* The compact "enclaveIdentity" object (the signed bytes). */
int dcapgen_qe_identity_body(char **out, size_t *out_len,
                             const dcapgen_qe_identity_desc *d);

/* {"enclaveIdentity":...,"signature":"..."}, signed by key. */
int dcapgen_qe_identity_json(char **out, size_t *out_len,
                             const dcapgen_qe_identity_desc *d, EVP_PKEY *key,
                             unsigned flags);

/*
 * Generic PCS body: {"<member>":<inner>,"signature":"<hex r||s>"} where
 * the signature is ECDSA-SHA256 by key over inner[0..inner_len) (or, with
 * DCAPGEN_JSON_PRETTY | DCAPGEN_JSON_SIGN_AS_WRITTEN, over the indented
 * inner bytes). inner must be a JSON value; it is copied as is.
 */
int dcapgen_signed_json(char **out, size_t *out_len, const char *member,
                        const char *inner, size_t inner_len, EVP_PKEY *key,
                        unsigned flags);

/* Re-indent compact JSON (4 spaces, ": ", final newline). */
int dcapgen_json_pretty(char **out, size_t *out_len, const char *json,
                        size_t len);

/*
 * Offset and length of the raw value of top-level member `name` of the JSON
 * object doc[0..len) (strings and nesting honoured).
 */
int dcapgen_json_member_span(size_t *off, size_t *n, const char *doc,
                             size_t len, const char *name);

/*
 * Self-check: the "signature" member of doc verifies with key over the
 * exact bytes of the value of `member`. @return 0 if valid, -1 otherwise.
 */
int dcapgen_json_verify(const char *doc, size_t len, const char *member,
                        EVP_PKEY *key);

/*
 * A TCB Info for the PKI's PCK (and the default TEE_TCB_SVN) whose
 * matching level has the given status: levels are [0] one PCESVN above the
 * platform (never matches), UpToDate, then [1] the platform's exact TCB
 * with `status` and ["INTEL-SA-00001"] unless status is "UpToDate".
 * status NULL: only level [0], so no level matches (TCB not supported).
 * Other members as dcapgen_tcb_info_desc_init; signed with the PKI's TCB
 * Signing key.
 */
int dcapgen_tcb_info_with_status(char **out, size_t *out_len,
                                 const dcapgen_pki *pki, int tdx,
                                 const char *status, unsigned flags);

/* ------------------------------------------------------------------------ */
/* Quotes                                                                   */

/* Where each part of an assembled quote lives (byte offsets). */
typedef struct {
    uint16_t version;
    size_t body_off, body_len;
    size_t signed_len;       /* [0, signed_len) is signed by the att. key */
    size_t sig_data_len_off; /* u32 */
    size_t sig_data_off;     /* = quote signature */
    size_t quote_sig_off, att_key_off;
    int nested;              /* 1: v4/v5 layout (cert data type 6 wraps the
                                QE report), 0: v3 layout */
    size_t outer_type_off, outer_size_off; /* nested only (else 0) */
    size_t qe_report_off, qe_report_sig_off;
    size_t qe_auth_len_off, qe_auth_off, qe_auth_len;
    size_t cert_type_off, cert_size_off; /* the type-5 (PCK chain) header */
    size_t cert_data_off, cert_data_len; /* PEM, including any NUL */
    size_t sig_data_end;     /* end of the signature data */
    size_t total_len;        /* = sig_data_end + padding */
} dcapgen_quote_layout;

typedef struct {
    /* header */
    uint16_t version;        /* 3, 4 or 5; >= 5 selects the v5 body
                                descriptor, != 3 the nested cert layout
                                unless `nested` says otherwise */
    uint16_t att_key_type;
    uint32_t tee_type;
    uint16_t qe_svn, pce_svn;
    uint8_t qe_vendor_id[16];
    uint8_t user_data[20];
    /* body */
    uint16_t body_type;      /* v5: written at 48 */
    int64_t body_size_field; /* v5 body_size written; < 0: body_len */
    uint8_t body[DCAPGEN_MAX_BODY_SIZE];
    size_t body_len;         /* any length up to DCAPGEN_MAX_BODY_SIZE */
    /* signature data */
    int nested;              /* 1: v4/v5 layout, 0: v3 layout */
    uint8_t qe_report[DCAPGEN_SGX_REPORT_SIZE];
    int bind_qe_report;      /* 1: REPORTDATA := SHA-256(att key || auth) ||
                                0*32 before signing; 0: leave as set */
    const uint8_t *qe_auth;  /* NULL with len 0: no auth data */
    size_t qe_auth_len;
    EVP_PKEY *att_key;       /* attestation key; NULL: fresh P-256 key */
    EVP_PKEY *qe_report_key; /* signs the QE report (the PCK key); NULL:
                                the QE report signature is all zero */
    const X509 *pck, *pck_ca, *root; /* embedded chain, NULLs skipped */
    const char *cert_data;   /* non-NULL: embedded verbatim instead of the
                                chain (nul_terminate not applied) */
    size_t cert_data_len;
    int nul_terminate;       /* 1: one NUL byte after the PEM chain */
    uint16_t outer_cert_type; /* nested: type of the wrapper (6) */
    uint16_t cert_type;      /* type of the PCK chain block (5) */
    int64_t sig_data_len_field; /* < 0: actual length */
    size_t pad;              /* zero bytes after the signature data */
} dcapgen_quote_desc;

/*
 * Default SGX application enclave report: CPUSVN = pck->cpusvn,
 * MISCSELECT 0, ATTRIBUTES 05 00.. E7 00.. (INIT|MODE64BIT, not DEBUG),
 * MRENCLAVE 0x5A*32, MRSIGNER 0x5B*32, ISVPRODID 1, ISVSVN 1, rest zero.
 */
int dcapgen_sgx_report_init(uint8_t r[DCAPGEN_SGX_REPORT_SIZE],
                            const dcapgen_pck_ext *pck);

/*
 * Default TD report of len 584 (1.0) or 648 (1.5): TEE_TCB_SVN 03 01 02
 * 00.., MRSEAM 0x5E*48, MRSIGNERSEAM 0, SEAM_ATTRIBUTES 0, TD_ATTRIBUTES
 * 00 00 00 10 00 00 00 00 (SEPT_VE_DISABLE), XFAM E7 02 06 00 00 00 00 00,
 * MRTD 0x7D*48, MRCONFIGID/MROWNER/MROWNERCONFIG 0, RTMRn 0x60+n, REPORTDATA
 * 0; 1.5: TEE_TCB_SVN2 = TEE_TCB_SVN, MRSERVICETD 0.
 */
int dcapgen_td_report_init(uint8_t *r, size_t len);

/* The default TEE_TCB_SVN 03 01 02 00 .. 00. */
void dcapgen_default_tee_tcb_svn(uint8_t out[16]);

/*
 * QE report matching the default QE Identity (TD_QE for tdx, QE
 * otherwise): CPUSVN = pck->cpusvn, MISCSELECT 0, ATTRIBUTES 15 00.. E7
 * 00.. (0x11 under the identity's mask), MRENCLAVE 0x4E*32, MRSIGNER and
 * ISVPRODID of the identity, ISVSVN isvsvn, REPORTDATA zero.
 */
int dcapgen_qe_report_init(uint8_t r[DCAPGEN_SGX_REPORT_SIZE], int tdx,
                           uint16_t isvsvn, const dcapgen_pck_ext *pck);

/* REPORTDATA := SHA-256(att_pub || auth) || 32 zero bytes. */
int dcapgen_qe_report_bind(uint8_t r[DCAPGEN_SGX_REPORT_SIZE],
                           const uint8_t att_pub[DCAPGEN_PUBKEY_SIZE],
                           const uint8_t *auth, size_t auth_len);

/*
 * A complete, consistent description for the PKI: tdx selects TD vs SGX,
 * version 0 = default (TDX 4, SGX 3), body_type (v5 only) 0 = default
 * (TDX 3, SGX 1). Header: version, key type 2, TEE type, Intel vendor id,
 * user data = QE id 0x01..0x10 then 4 zero bytes, v3: qe_svn = QE ISVSVN,
 * pce_svn = PCK PCESVN (v4/v5: 0). Body from dcapgen_sgx_report_init /
 * dcapgen_td_report_init; QE report from dcapgen_qe_report_init with
 * DCAPGEN_QE_ISVSVN_*; bind 1; QE auth 00..1f (static); att_key NULL;
 * qe_report_key pki->pck_key; chain pck, its CA, root; NUL-terminated;
 * types 6 / 5; no padding. Pointers refer into pki, which must outlive d.
 * @return -1 for a tdx/version/body_type combination Intel does not
 * define (TDX v3, SGX v4, v5 SGX with body type 2/3 or TDX with 1).
 */
int dcapgen_quote_desc_init(dcapgen_quote_desc *d, const dcapgen_pki *pki,
                            int tdx, uint16_t version, uint16_t body_type);

/*
 * Assemble and sign a quote: QE report bound (if asked) and signed, then
 * the quote signature over [0, signed_len). layout may be NULL.
 */
int dcapgen_quote_build(uint8_t **out, size_t *out_len,
                        dcapgen_quote_layout *layout,
                        const dcapgen_quote_desc *d);

/*
 * Recompute the layout of a quote (strict: every length must fit; the body
 * length comes from the v5 body_size or from the version, v3 384 / v4 584).
 */
int dcapgen_quote_layout_parse(dcapgen_quote_layout *out, const uint8_t *q,
                               size_t len);

/* Re-sign [0, l->signed_len) with att_key into the quote signature. */
int dcapgen_quote_sign(uint8_t *q, size_t len, const dcapgen_quote_layout *l,
                       EVP_PKEY *att_key);

/* Re-sign the 384-byte QE report with key into the QE report signature. */
int dcapgen_quote_sign_qe_report(uint8_t *q, size_t len,
                                 const dcapgen_quote_layout *l, EVP_PKEY *key);

/*
 * Self-check (not a verifier): the quote signature verifies with the
 * embedded attestation key, the QE report signature with pck_key (NULL:
 * the public key of the first certificate of the embedded chain), and
 * QE REPORTDATA = SHA-256(att key || auth) || 0*32.
 * @return 0 if all three hold, -1 otherwise.
 */
int dcapgen_quote_verify(const uint8_t *q, size_t len, EVP_PKEY *pck_key);

/* ------------------------------------------------------------------------ */
/* attest-mock command family (vectors/gen/attest_mock_dcap.c)              */

/*
 * `attest-mock dcap ...`: argv[0] is "dcap", argv[1] the command (pki,
 * quote, crl, tcb-info). Returns the exit status: 0, 1 failure, 2 usage.
 */
int attest_mock_dcap_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* DCAPGEN_H */
