/*
 * snpgen - AMD SEV-SNP test PKI and attestation-report generator.
 *
 * Test-only code: it builds a fake AMD key hierarchy (ARK -> ASK -> VCEK,
 * ARK -> ASVK -> VLEK), CRLs and signed ATTESTATION_REPORTs so that the
 * libattest verifier can be exercised without SNP hardware. Nothing here is
 * secret or hardened; never link it into production code. Link gencommon.c
 * (helpers shared with dcapgen and nvgen) with snpgen.c.
 *
 * Conventions:
 *  - Functions that can fail return 0 on success and -1 on failure; on
 *    failure nothing is leaked and out parameters are left untouched.
 *    Results come back through an out parameter that is the first argument.
 *    The only exceptions are the pure byte helpers (snpgen_put_u32,
 *    snpgen_get_u64, snpgen_tcb_encode, ...) which cannot fail.
 *  - Objects returned through `**out` belong to the caller and are freed with
 *    the matching OpenSSL free function (EVP_PKEY_free, X509_free,
 *    X509_CRL_free) or snpgen_pki_free.
 *  - No global mutable state; every function is safe to call from several
 *    threads on distinct objects.
 *  - Nothing is printed; OpenSSL's error queue holds the detail when an
 *    OpenSSL call failed.
 */
#ifndef SNPGEN_H
#define SNPGEN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Report layout (ATTESTATION_REPORT, SEV-SNP ABI spec, table "ATTESTATION_
 * REPORT Structure"). All multi-byte integers are little-endian.           */

#define SNPGEN_REPORT_SIZE 0x4A0 /* 1184 bytes */
#define SNPGEN_SIGNED_LEN 0x2A0  /* signature covers [0, 0x2A0) */

#define SNPGEN_OFF_VERSION 0x000            /* u32 */
#define SNPGEN_OFF_GUEST_SVN 0x004          /* u32 */
#define SNPGEN_OFF_POLICY 0x008             /* u64 */
#define SNPGEN_OFF_FAMILY_ID 0x010          /* 16 bytes */
#define SNPGEN_OFF_IMAGE_ID 0x020           /* 16 bytes */
#define SNPGEN_OFF_VMPL 0x030               /* u32 */
#define SNPGEN_OFF_SIGNATURE_ALGO 0x034     /* u32, 1 = ECDSA P-384 SHA-384 */
#define SNPGEN_OFF_CURRENT_TCB 0x038        /* u64 TCB_VERSION */
#define SNPGEN_OFF_PLATFORM_INFO 0x040      /* u64 */
#define SNPGEN_OFF_KEY_INFO 0x048           /* u32 */
#define SNPGEN_OFF_RESERVED0 0x04C          /* u32, must be zero */
#define SNPGEN_OFF_REPORT_DATA 0x050        /* 64 bytes */
#define SNPGEN_OFF_MEASUREMENT 0x090        /* 48 bytes */
#define SNPGEN_OFF_HOST_DATA 0x0C0          /* 32 bytes */
#define SNPGEN_OFF_ID_KEY_DIGEST 0x0E0      /* 48 bytes */
#define SNPGEN_OFF_AUTHOR_KEY_DIGEST 0x110  /* 48 bytes */
#define SNPGEN_OFF_REPORT_ID 0x140          /* 32 bytes */
#define SNPGEN_OFF_REPORT_ID_MA 0x160       /* 32 bytes */
#define SNPGEN_OFF_REPORTED_TCB 0x180       /* u64 TCB_VERSION */
#define SNPGEN_OFF_CPUID_FAM_ID 0x188       /* u8, v3+ */
#define SNPGEN_OFF_CPUID_MOD_ID 0x189       /* u8, v3+ */
#define SNPGEN_OFF_CPUID_STEP 0x18A         /* u8, v3+ */
#define SNPGEN_OFF_CHIP_ID 0x1A0            /* 64 bytes */
#define SNPGEN_OFF_COMMITTED_TCB 0x1E0      /* u64 TCB_VERSION */
#define SNPGEN_OFF_CURRENT_BUILD 0x1E8      /* u8 */
#define SNPGEN_OFF_CURRENT_MINOR 0x1E9      /* u8 */
#define SNPGEN_OFF_CURRENT_MAJOR 0x1EA      /* u8 */
#define SNPGEN_OFF_COMMITTED_BUILD 0x1EC    /* u8 */
#define SNPGEN_OFF_COMMITTED_MINOR 0x1ED    /* u8 */
#define SNPGEN_OFF_COMMITTED_MAJOR 0x1EE    /* u8 */
#define SNPGEN_OFF_LAUNCH_TCB 0x1F0         /* u64 TCB_VERSION */
#define SNPGEN_OFF_LAUNCH_MIT_VECTOR 0x1F8  /* u64, v5 */
#define SNPGEN_OFF_CURRENT_MIT_VECTOR 0x200 /* u64, v5 */
#define SNPGEN_OFF_SIGNATURE 0x2A0          /* signature area start */
#define SNPGEN_OFF_SIG_R 0x2A0              /* 72 bytes little-endian */
#define SNPGEN_OFF_SIG_S 0x2E8              /* 72 bytes little-endian */
#define SNPGEN_OFF_SIG_END 0x330            /* [0x330, 0x4A0) is zero */

#define SNPGEN_SIG_COMPONENT_LEN 72 /* bytes per r / s slot */
#define SNPGEN_CHIP_ID_LEN 64
#define SNPGEN_TURIN_HWID_LEN 8 /* Turin VCEKs carry CHIP_ID[0..8) only */

/* Field sizes, for memcpy into the offsets above. */
#define SNPGEN_LEN_FAMILY_ID 16
#define SNPGEN_LEN_IMAGE_ID 16
#define SNPGEN_LEN_REPORT_DATA 64
#define SNPGEN_LEN_MEASUREMENT 48
#define SNPGEN_LEN_HOST_DATA 32
#define SNPGEN_LEN_ID_KEY_DIGEST 48
#define SNPGEN_LEN_AUTHOR_KEY_DIGEST 48
#define SNPGEN_LEN_REPORT_ID 32
#define SNPGEN_LEN_REPORT_ID_MA 32

/* POLICY bits. */
#define SNPGEN_POLICY_SMT (1ULL << 16)
#define SNPGEN_POLICY_RESERVED1 (1ULL << 17) /* must be 1 */
#define SNPGEN_POLICY_MIGRATE_MA (1ULL << 18)
#define SNPGEN_POLICY_DEBUG (1ULL << 19)
#define SNPGEN_POLICY_SINGLE_SOCKET (1ULL << 20)
#define SNPGEN_POLICY_DEFAULT 0x30000ULL /* SMT allowed, reserved bit set */

/* KEY_INFO bits. SIGNING_KEY lives in bits 4:2. */
#define SNPGEN_KEYINFO_AUTHOR_KEY_EN 0x1u
#define SNPGEN_KEYINFO_MASK_CHIP_KEY 0x2u
#define SNPGEN_KEYINFO_SIGNING_VCEK (0u << 2)
#define SNPGEN_KEYINFO_SIGNING_VLEK (1u << 2)
#define SNPGEN_KEYINFO_SIGNING_NONE (7u << 2)
#define SNPGEN_KEYINFO_SIGNING_MASK (7u << 2)

/* Firmware version written by snpgen_report_init: 1.55.<build>. */
#define SNPGEN_FW_MAJOR 1
#define SNPGEN_FW_MINOR 55
#define SNPGEN_FW_BUILD 21

/* ------------------------------------------------------------------------ */
/* Products and TCB versions                                                */

typedef enum {
    SNPGEN_MILAN = 0,
    SNPGEN_GENOA = 1,
    SNPGEN_TURIN = 2
} snpgen_product;

/* Security patch levels of one TCB. fmc is only meaningful on Turin. */
typedef struct {
    uint8_t fmc;
    uint8_t bl;
    uint8_t tee;
    uint8_t snp;
    uint8_t ucode;
} snpgen_tcb;

/*
 * Parse "Milan", "Genoa" or "Turin" (case-insensitive) into *out.
 * @return 0, or -1 for an unknown name.
 */
int snpgen_product_parse(snpgen_product *out, const char *name);

/* "Milan", "Genoa", "Turin" (as in ARK-<name>), or NULL if p is invalid. */
const char *snpgen_product_name(snpgen_product p);

/* productName as in the VCEK extension: "Milan-B0", "Genoa", "Turin";
 * NULL if p is invalid. */
const char *snpgen_product_vcek_name(snpgen_product p);

/*
 * Default TCB used by snpgen_pki_generate when no TCB is given
 * (Milan bl=4 tee=0 snp=22 ucode=213; Genoa bl=9 tee=0 snp=21 ucode=84;
 * Turin fmc=1 bl=1 tee=1 snp=3 ucode=77).
 * @return 0, or -1 if p is invalid.
 */
int snpgen_tcb_default(snpgen_tcb *out, snpgen_product p);

/*
 * Encode a TCB_VERSION in the product's byte layout.
 * Milan/Genoa: byte0 BL, byte1 TEE, byte6 SNP, byte7 UCODE (fmc ignored).
 * Turin: byte0 FMC, byte1 BL, byte2 TEE, byte3 SNP, byte7 UCODE.
 * Pure helper: returns the u64 (0 for an invalid product).
 */
uint64_t snpgen_tcb_encode(snpgen_product p, uint8_t fmc, uint8_t bl,
                           uint8_t tee, uint8_t snp, uint8_t ucode);

/*
 * Decode a TCB_VERSION in the product's layout (inverse of
 * snpgen_tcb_encode; fmc is 0 for Milan/Genoa).
 * @return 0, or -1 if p is invalid.
 */
int snpgen_tcb_decode(snpgen_tcb *out, snpgen_product p, uint64_t tcb);

/* Little-endian byte helpers (pure; p must have room for the value). */
void snpgen_put_u32(uint8_t *p, uint32_t v);
void snpgen_put_u64(uint8_t *p, uint64_t v);
uint32_t snpgen_get_u32(const uint8_t *p);
uint64_t snpgen_get_u64(const uint8_t *p);

/* ------------------------------------------------------------------------ */
/* Keys, certificates and CRLs as files                                     */

/* Generate an RSA key of `bits` bits (>= 1024; e = 65537). */
int snpgen_rsa_keygen(EVP_PKEY **out, unsigned bits);

/* Generate an EC key on NIST P-384 (secp384r1). */
int snpgen_ec_p384_keygen(EVP_PKEY **out);

/* Write a private key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
int snpgen_key_save_pem(const char *path, const EVP_PKEY *key);

/* Read a private key from a PEM file (no passphrase). */
int snpgen_key_load_pem(EVP_PKEY **out, const char *path);

/* Write one certificate as PEM. */
int snpgen_cert_save_pem(const char *path, const X509 *cert);

/* Read the first certificate of a PEM file. */
int snpgen_cert_load_pem(X509 **out, const char *path);

/* Write / read a CRL in DER form. */
int snpgen_crl_save_der(const char *path, const X509_CRL *crl);
int snpgen_crl_load_der(X509_CRL **out, const char *path);

/*
 * SHA-256 of the certificate's DER SubjectPublicKeyInfo as 64 lowercase hex
 * digits plus a NUL (the trust-anchor pin written to anchor.sha256).
 */
int snpgen_spki_sha256_hex(char out[65], const X509 *cert);

/* ------------------------------------------------------------------------ */
/* Certificate issuing                                                      */

/* Signature algorithm used for a certificate or CRL. */
typedef enum {
    /* RSASSA-PSS SHA-384, MGF1-SHA-384, salt 48 for RSA issuer keys (what
     * AMD uses); ECDSA with SHA-384 for EC issuer keys. */
    SNPGEN_SIG_DEFAULT = 0,
    /* RSASSA-PKCS1-v1_5 with SHA-384 (wrong for AMD; for negative tests). */
    SNPGEN_SIG_RSA_PKCS1_SHA384 = 1,
    /* RSASSA-PSS SHA-256, MGF1-SHA-256, salt 32 (wrong hash; negative tests). */
    SNPGEN_SIG_RSA_PSS_SHA256 = 2
} snpgen_sig_alg;

/* How the VCEK hwID (.4) extension value is encoded. */
typedef enum {
    SNPGEN_HWID_RAW = 0,         /* extnValue = raw chip-id bytes (AMD) */
    SNPGEN_HWID_OCTET_STRING = 1 /* extnValue = 04 <len> <bytes> */
} snpgen_hwid_enc;

/* Indexes into snpgen_vek_ext.spl: spl[i] is extension 1.3.6.1.4.1.3704.1.3.i */
#define SNPGEN_SPL_BL 1
#define SNPGEN_SPL_TEE 2
#define SNPGEN_SPL_SNP 3
#define SNPGEN_SPL_UCODE 8
#define SNPGEN_SPL_FMC 9
#define SNPGEN_SPL_COUNT 10 /* index 0 unused */

/*
 * AMD VEK extensions (OIDs 1.3.6.1.4.1.3704.1.*, all non-critical).
 * A field set to its "absent" value is not emitted, which lets tests build
 * certificates with a missing extension.
 */
typedef struct {
    int struct_version;        /* .1 INTEGER; < 0 = absent */
    const char *product_name;  /* .2 IA5String; NULL = absent */
    int spl[SNPGEN_SPL_COUNT]; /* .3.i INTEGER; < 0 = absent */
    const uint8_t *hwid;       /* .4 chip id bytes; NULL = absent */
    size_t hwid_len;           /* <= 127 with SNPGEN_HWID_OCTET_STRING */
    snpgen_hwid_enc hwid_enc;
    const char *csp_id;        /* .5 IA5String (VLEK); NULL = absent */
} snpgen_vek_ext;

/* An arbitrary extension, e.g. unknown 1.3.6.1.4.1.3704.1.99. */
typedef struct {
    const char *oid;      /* dotted OID */
    int critical;
    const uint8_t *value; /* extnValue contents (what goes inside the
                             OCTET STRING), e.g. 02 01 05 */
    size_t value_len;
} snpgen_ext;

/*
 * Fill *out with the VEK extensions AMD puts in a VCEK/VLEK for product p
 * and TCB t: struct version (0 Milan/Genoa, 1 Turin), product name, the
 * SPLs (.3.1 bl, .3.2 tee, .3.3 snp, .3.4-.3.7 = 0 (.3.4 absent on Turin),
 * .3.8 ucode, .3.9 fmc on Turin only). hwid and csp_id are left NULL: set
 * them for a VCEK (snpgen_vek_ext_set_hwid) or a VLEK (csp_id).
 */
int snpgen_vek_ext_init(snpgen_vek_ext *out, snpgen_product p,
                        const snpgen_tcb *t);

/*
 * Point e->hwid at chip_id with the product's length (64 bytes, or 8 for
 * Turin) and RAW encoding. chip_id must outlive e.
 */
int snpgen_vek_ext_set_hwid(snpgen_vek_ext *e, snpgen_product p,
                            const uint8_t chip_id[SNPGEN_CHIP_ID_LEN]);

/* Key-usage bits for snpgen_cert_opts.key_usage. */
#define SNPGEN_KU_DIGITAL_SIGNATURE 0x1u
#define SNPGEN_KU_KEY_CERT_SIGN 0x2u
#define SNPGEN_KU_CRL_SIGN 0x4u

typedef struct {
    const char *cn;       /* subject commonName (required) */
    int amd_dn;           /* 1: add OU=Engineering, C=US, L=Santa Clara,
                             ST=CA, O=Advanced Micro Devices before CN */
    uint64_t serial;
    int64_t not_before;   /* Unix seconds */
    int64_t not_after;    /* Unix seconds */
    int basic_constraints; /* 1: emit basicConstraints (critical) */
    int is_ca;            /* cA flag, when basic_constraints */
    int pathlen;          /* pathLenConstraint; < 0 = absent */
    unsigned key_usage;   /* SNPGEN_KU_* bits; 0 = no keyUsage */
    int key_usage_critical;
    int key_ids;          /* 1: add subject/authority key identifiers */
    EVP_PKEY *subject_key;  /* public half is certified (required) */
    const X509 *issuer_cert; /* issuer name source; NULL = issuer name is
                                the subject name (self-issued) */
    EVP_PKEY *issuer_key;   /* signing key; required with issuer_cert;
                                NULL = subject_key (self-signed). A key
                                that does not match issuer_cert gives a
                                certificate with a bad signature. */
    snpgen_sig_alg sig_alg;
    const snpgen_vek_ext *vek;  /* NULL = no AMD extensions */
    const snpgen_ext *extra;    /* extra extensions, appended last */
    size_t n_extra;
} snpgen_cert_opts;

/*
 * Zero *o and set defaults: amd_dn = 1, serial 0, no basicConstraints,
 * pathlen -1, no keyUsage, SNPGEN_SIG_DEFAULT, validity
 * 2024-01-01..2031-01-01 (the VCEK default).
 */
int snpgen_cert_opts_init(snpgen_cert_opts *o);

/* Issue an X.509 v3 certificate as described by *o. */
int snpgen_cert_issue(X509 **out, const snpgen_cert_opts *o);

/*
 * Create an X.509 v2 CRL signed by issuer_key, with issuer name taken from
 * issuer_cert, and one entry (revocationDate = this_update) per serial in
 * revoked[0..n_revoked). Signed with SNPGEN_SIG_DEFAULT.
 */
int snpgen_crl_create(X509_CRL **out, const X509 *issuer_cert,
                      EVP_PKEY *issuer_key, int64_t this_update,
                      int64_t next_update, const uint64_t *revoked,
                      size_t n_revoked);

/* Same, with an explicit signature algorithm (for negative tests). */
int snpgen_crl_create_ex(X509_CRL **out, const X509 *issuer_cert,
                         EVP_PKEY *issuer_key, int64_t this_update,
                         int64_t next_update, const uint64_t *revoked,
                         size_t n_revoked, snpgen_sig_alg alg);

/* ------------------------------------------------------------------------ */
/* Whole PKI for one product                                                */

/* Default validity windows (Unix seconds). */
#define SNPGEN_T_2020_01_01 1577836800LL
#define SNPGEN_T_2024_01_01 1704067200LL
#define SNPGEN_T_2025_01_01 1735689600LL
#define SNPGEN_T_2026_01_01 1767225600LL
#define SNPGEN_T_2030_01_01 1893456000LL
#define SNPGEN_T_2031_01_01 1924992000LL
#define SNPGEN_T_2045_01_01 2366841600LL

/* Serial numbers used by snpgen_pki_generate. */
#define SNPGEN_SERIAL_ARK 1
#define SNPGEN_SERIAL_ASK 2
#define SNPGEN_SERIAL_ASVK 3
#define SNPGEN_SERIAL_VEK 0 /* VCEK and VLEK */

#define SNPGEN_DEFAULT_RSA_BITS 2048
#define SNPGEN_DEFAULT_CSP_ID "CN=cc-test-1.example"

/*
 * One product's PKI. Every member is owned by the struct and released by
 * snpgen_pki_free. Members may be replaced by the caller (free the old one
 * first) to build variants, e.g. a VCEK for another chip.
 */
typedef struct {
    snpgen_product product;
    uint8_t chip_id[SNPGEN_CHIP_ID_LEN]; /* Turin: bytes 8..63 are zero */
    snpgen_tcb tcb;                      /* TCB certified in VCEK and VLEK */
    EVP_PKEY *ark_key, *ask_key, *asvk_key, *vcek_key, *vlek_key;
    X509 *ark, *ask, *asvk, *vcek, *vlek;
    X509_CRL *crl; /* ARK-signed, no entries */
} snpgen_pki;

/*
 * Build a complete PKI: ARK (self-signed), ASK and ASVK (issued by ARK),
 * VCEK (issued by ASK, for chip_id and tcb), VLEK (issued by ASVK, CSP_ID
 * SNPGEN_DEFAULT_CSP_ID) and an empty ARK-signed CRL, with the default
 * validity windows documented in vectors/README.md.
 * @param chip_id 64 bytes, or NULL for a fixed default (byte i = 0xC0 ^ i).
 *                For Turin only the first 8 bytes are used, the rest is
 *                stored as zero.
 * @param tcb     NULL = snpgen_tcb_default(product).
 * @param rsa_bits RSA size for ARK/ASK/ASVK (0 = 2048).
 */
int snpgen_pki_generate(snpgen_pki **out, snpgen_product product,
                        const uint8_t *chip_id, const snpgen_tcb *tcb,
                        unsigned rsa_bits);

/* Free a PKI and everything it holds; NULL is accepted. */
void snpgen_pki_free(snpgen_pki *pki);

/*
 * Write the PKI into dir (created with mode 0755 if missing; its parent
 * must exist; existing files are overwritten, and a failure may leave
 * some of them written): ark.pem,
 * ask.pem, asvk.pem, vcek.pem, vlek.pem, chain.pem (ASK then ARK),
 * vlek_chain.pem (ASVK then ARK), ark.key.pem, ask.key.pem, asvk.key.pem,
 * vcek.key.pem, vlek.key.pem, crl.der and anchor.sha256.
 */
int snpgen_pki_save(const snpgen_pki *pki, const char *dir);

/*
 * Read back a directory written by snpgen_pki_save. The product comes from
 * the ARK's CN (ARK-<Product>), chip id and TCB from the VCEK extensions.
 */
int snpgen_pki_load(snpgen_pki **out, const char *dir);

/* ------------------------------------------------------------------------ */
/* Reports                                                                  */

/*
 * Initialise a report with sane defaults: all zero, then VERSION = version
 * (2, 3 or 5), POLICY 0x30000, VMPL 0, SIGNATURE_ALGO 1, PLATFORM_INFO 1
 * (SMT enabled), KEY_INFO signing key VCEK, CURRENT/COMMITTED/LAUNCH/
 * REPORTED TCB = tcb in the product's layout, CPUID family/model/stepping
 * for the product when version >= 3, CHIP_ID = chip_id (Turin: first 8
 * bytes, rest zero), firmware 1.55.21 current and committed, REPORT_ID_MA
 * all 0xFF. The signature area is zero.
 * @return 0, or -1 for an invalid product or version.
 */
int snpgen_report_init_ex(uint8_t report[SNPGEN_REPORT_SIZE],
                          snpgen_product product, uint32_t version,
                          const uint8_t chip_id[SNPGEN_CHIP_ID_LEN],
                          const snpgen_tcb *tcb);

/* snpgen_report_init_ex with the PKI's product, chip id and TCB. */
int snpgen_report_init(uint8_t report[SNPGEN_REPORT_SIZE],
                       const snpgen_pki *pki, uint32_t version);

/*
 * Sign [0, 0x2A0) with ECDSA / SHA-384 using key (an EC P-384 key such as
 * pki->vcek_key; other curves whose r and s fit 72 bytes are accepted for
 * negative tests), store r at 0x2A0 and s at 0x2E8 as 72-byte little-endian
 * numbers and zero the rest of the signature area up to 0x4A0.
 */
int snpgen_report_sign(uint8_t report[SNPGEN_REPORT_SIZE], EVP_PKEY *key);

/*
 * Store arbitrary r and s (big-endian byte strings, at most 72 bytes each,
 * leading zeros allowed) into the signature area as 72-byte little-endian
 * values, zeroing the rest of the area. Lets tests write r = 0, s = n, ...
 */
int snpgen_report_set_sig_raw(uint8_t report[SNPGEN_REPORT_SIZE],
                              const uint8_t *r_be, size_t r_len,
                              const uint8_t *s_be, size_t s_len);

/*
 * Check the report signature against key's public half (a self-check for
 * the generator, not a verifier: no other field is looked at).
 * @return 0 if the signature is valid, -1 otherwise.
 */
int snpgen_report_verify_sig(const uint8_t report[SNPGEN_REPORT_SIZE],
                             EVP_PKEY *key);

#ifdef __cplusplus
}
#endif

#endif /* SNPGEN_H */
