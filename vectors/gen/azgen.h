/*
 * azgen - Azure confidential-VM (paravisor + vTPM) test evidence generator.
 *
 * Test-only code, like snpgen and dcapgen: a fake Azure vTPM AK-certificate
 * PKI (root -> intermediate -> AK certificate), runtime claims JSON, HCL
 * reports wrapping an SNP report (snpgen) or a TDREPORT matching a TD quote
 * (dcapgen), and vTPM quotes (TPMS_ATTEST + RSASSA-PKCS1-v1_5 SHA-256
 * signature + PCR values). The byte layouts are those of
 * shared/vectors/azure/MANIFEST.md section 1 and research/azure.md
 * sections 2-4; the real files they were checked against are named in
 * vectors/README.md.
 *
 * Conventions are snpgen's: 0 / -1 results, out parameters first and
 * untouched on failure, nothing printed, no global state; byte and text
 * buffers are released with free(), keys and certificates with the OpenSSL
 * free functions, a PKI with azgen_pki_free. Link snpgen.c, dcapgen.c and
 * gencommon.c with azgen.c.
 */
#ifndef AZGEN_H
#define AZGEN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* HCL report (vTPM NV 0x01400001). Integers little-endian.                 */

#define AZGEN_HCL_OFF_SIGNATURE 0x000      /* "HCLA" */
#define AZGEN_HCL_OFF_HEADER_VERSION 0x004 /* u32, 1 or 2 */
#define AZGEN_HCL_OFF_REPORT_SIZE 0x008    /* u32 = 0x4D4 + var_size */
#define AZGEN_HCL_OFF_REQUEST_TYPE 0x00C   /* u32 = 2 */
#define AZGEN_HCL_OFF_STATUS 0x010         /* u32 = 0; 0x14..0x20 zero */
#define AZGEN_HCL_OFF_HW_REPORT 0x020      /* 1184 bytes */
#define AZGEN_HCL_OFF_DATA_SIZE 0x4C0      /* u32 = 20 + var_size */
#define AZGEN_HCL_OFF_IGVM_VERSION 0x4C4   /* u32 = 1 */
#define AZGEN_HCL_OFF_REPORT_TYPE 0x4C8    /* u32, 2 SNP, 4 TDX */
#define AZGEN_HCL_OFF_HASH_TYPE 0x4CC      /* u32, 1 SHA-256 */
#define AZGEN_HCL_OFF_VAR_SIZE 0x4D0       /* u32 = claims length */
#define AZGEN_HCL_OFF_CLAIMS 0x4D4         /* runtime claims JSON */
#define AZGEN_HCL_HW_REPORT_LEN 1184
#define AZGEN_HCL_SIZE_DEFAULT 2600 /* current captures; 2048 in 2022-23 */
#define AZGEN_HCL_REPORT_TYPE_SNP 2
#define AZGEN_HCL_REPORT_TYPE_TDX 4
#define AZGEN_HCL_HASH_SHA256 1

/* What azgen_hcl_build writes; every member may be set to a wrong value. */
typedef struct {
    uint32_t header_version; /* 2 (TDX and SNP since 2025), 1 older SNP */
    uint32_t request_type;   /* 2 */
    uint32_t status;         /* 0 */
    uint32_t igvm_version;   /* 1 */
    uint32_t report_type;    /* AZGEN_HCL_REPORT_TYPE_* */
    uint32_t hash_type;      /* AZGEN_HCL_HASH_SHA256 */
    const uint8_t *hw_report; /* <= 1184 bytes, the rest of the area zero */
    size_t hw_report_len;
    const uint8_t *claims;   /* stored verbatim at 0x4D4 */
    size_t claims_len;
    size_t total_size;       /* file size, >= 0x4D4 + claims_len; the
                                bytes after the claims are zero */
} azgen_hcl_desc;

/* Defaults above for report_type, hw_report and claims (which must outlive
 * d); total_size AZGEN_HCL_SIZE_DEFAULT. */
int azgen_hcl_desc_init(azgen_hcl_desc *d, uint32_t report_type,
                        const uint8_t *hw_report, size_t hw_report_len,
                        const uint8_t *claims, size_t claims_len);
/* The HCL report; -1 when the parts do not fit total_size. */
int azgen_hcl_build(uint8_t **out, size_t *out_len, const azgen_hcl_desc *d);
/* REPORT_DATA binding the claims: SHA-256(claims) || 32 zero bytes. */
int azgen_report_data(uint8_t out[64], const uint8_t *claims, size_t len);

/* ------------------------------------------------------------------------ */
/* TDREPORT (TDX module ABI, 1024 bytes): REPORTMACSTRUCT, TEE_TCB_INFO,    */
/* TDINFO. The MAC cannot be produced outside a TD: it is a fixed filler.   */

#define AZGEN_TDR_SIZE 1024
#define AZGEN_TDR_OFF_REPORTTYPE 0      /* 81 00 00 00 */
#define AZGEN_TDR_OFF_CPUSVN 16         /* 16 */
#define AZGEN_TDR_OFF_TEE_TCB_INFO_HASH 32 /* SHA-384(TEE_TCB_INFO) */
#define AZGEN_TDR_OFF_TEE_INFO_HASH 80  /* SHA-384(TDINFO) */
#define AZGEN_TDR_OFF_REPORTDATA 128    /* 64 */
#define AZGEN_TDR_OFF_MAC 224           /* 32 */
#define AZGEN_TDR_OFF_TEE_TCB_INFO 256  /* 239 bytes: */
#define AZGEN_TDR_TEE_TCB_INFO_LEN 239
#define AZGEN_TDR_OFF_VALID 256         /*   8, ff 01 03 00.. */
#define AZGEN_TDR_OFF_TEE_TCB_SVN 264   /*   16 */
#define AZGEN_TDR_OFF_MRSEAM 280        /*   48 */
#define AZGEN_TDR_OFF_MRSIGNERSEAM 328  /*   48 */
#define AZGEN_TDR_OFF_SEAM_ATTRIBUTES 376 /* 8 */
#define AZGEN_TDR_OFF_TEE_TCB_SVN2 384  /*   16 */
#define AZGEN_TDR_OFF_TDINFO 512        /* 512 bytes: */
#define AZGEN_TDR_TDINFO_LEN 512
#define AZGEN_TDR_OFF_TD_ATTRIBUTES 512 /*   8 */
#define AZGEN_TDR_OFF_XFAM 520          /*   8 */
#define AZGEN_TDR_OFF_MRTD 528          /*   48 */
#define AZGEN_TDR_OFF_MRCONFIGID 576    /*   48 */
#define AZGEN_TDR_OFF_MROWNER 624       /*   48 */
#define AZGEN_TDR_OFF_MROWNERCONFIG 672 /*   48 */
#define AZGEN_TDR_OFF_RTMR0 720         /*   4 x 48 */
#define AZGEN_TDR_OFF_SERVTD_HASH 912   /*   48 */

/*
 * The TDREPORT a TD quote body (dcapgen layout: TD report 1.0, 584 bytes,
 * or 1.5, 648 bytes) was made from: every field the body carries is copied
 * (TEE_TCB_SVN2 = TEE_TCB_SVN for 1.0, SERVTD_HASH = MRSERVICETD for 1.5,
 * else zero), CPUSVN = cpusvn, both hashes computed, MAC = SHA-256 of
 * bytes [0, 224) (a filler: the real MAC needs the CPU's key).
 * azgen_tdreport_rehash recomputes the two hashes and the filler after an
 * edit.
 */
int azgen_tdreport_from_td_body(uint8_t out[AZGEN_TDR_SIZE],
                                const uint8_t *body, size_t body_len,
                                const uint8_t cpusvn[16]);
int azgen_tdreport_rehash(uint8_t r[AZGEN_TDR_SIZE]);

/* ------------------------------------------------------------------------ */
/* Azure vTPM AK-certificate PKI                                            */

#define AZGEN_T_2023_06_01 1685577600LL
#define AZGEN_T_2025_01_01 1735689600LL
#define AZGEN_T_2026_01_01 1767225600LL
#define AZGEN_T_2030_01_01 1893456000LL
#define AZGEN_T_2048_06_01 2474582400LL
#define AZGEN_DEFAULT_VM_ID "7e57a2e5c0de" /* CN=<id>.ConfidentialVM... */
#define AZGEN_AK_CN_SUFFIX ".ConfidentialVM.Azure.windows.net"
#define AZGEN_OID_EKU_AIK "1.3.6.1.4.1.311.10.3.12"
#define AZGEN_OID_EKU_TCG_AK "2.23.133.8.3"
#define AZGEN_OID_EKU_TCG_EK "2.23.133.8.1"
#define AZGEN_OID_AK_POLICY "1.3.6.1.4.1.311.108.200.2"

/* Every member is owned and released by azgen_pki_free. */
typedef struct {
    EVP_PKEY *root_key, *ca_key, *ak_key, *ek_key; /* RSA */
    X509 *root, *ca, *ak_cert;
} azgen_pki;

typedef struct {
    unsigned ca_rsa_bits;          /* root and intermediate; 0 = 2048 */
    const char *vm_id;             /* NULL = AZGEN_DEFAULT_VM_ID */
    int64_t ak_not_before, ak_not_after; /* 2025-01-01 .. 2026-01-01 */
} azgen_pki_opts;

int azgen_pki_opts_init(azgen_pki_opts *o);
/*
 * Root "Test Azure Virtual TPM Root CA" (self-signed, SHA-384, 2023-06-01
 * .. 2048-06-01, CA, keyCertSign+cRLSign+digitalSignature), intermediate
 * "Test Azure Cloud Virtual TPM CA - 01" (SHA-384 by the root, 2025-01-01
 * .. 2030-01-01, CA pathlen 0, EKUs AIK, TCG EK and AK), RSA-2048 AK and EK
 * keys, and the AK certificate (SHA-512 by the intermediate, CN=<vm_id>
 * .ConfidentialVM.Azure.windows.net, CA:FALSE, digitalSignature, EKUs AIK
 * and TCG AK, policy 1.3.6.1.4.1.311.108.200.2, SKI/AKI).
 */
int azgen_pki_generate(azgen_pki **out, const azgen_pki_opts *o);
/* An AK certificate for subject_key issued by pki's intermediate (variants:
 * another key, expired, ...). */
int azgen_ak_cert_issue(X509 **out, const azgen_pki *pki,
                        EVP_PKEY *subject_key, const char *vm_id,
                        int64_t not_before, int64_t not_after);
void azgen_pki_free(azgen_pki *pki);
/*
 * dir (created if missing): root.pem, root.key.pem, ca.pem, ca.key.pem,
 * chain.pem (intermediate then root), ak.pem, ak.der, ak_nv.bin (ak.der
 * and 1024 zero bytes, as read from NV 0x01C101D0), ak.key.pem,
 * ak_pub.pem, ak_tpmt_public.bin, ek.key.pem, ek_pub.pem, anchor.sha256
 * (SHA-256 of the root's SPKI, lowercase hex, newline).
 */
int azgen_pki_save(const azgen_pki *pki, const char *dir);
int azgen_pki_load(azgen_pki **out, const char *dir);

/* ------------------------------------------------------------------------ */
/* Runtime claims JSON                                                      */

#define AZGEN_USER_DATA_LEN 64
#define AZGEN_MAX_VM_CONFIG 16

/* One vm-configuration member: value is JSON text (true, 12) when
 * !is_string, else a string written in quotes (no '"', '\\' or control
 * characters). key and value must outlive the description. */
typedef struct {
    const char *key, *value;
    int is_string;
} azgen_vm_config;

typedef struct {
    EVP_PKEY *ak, *ek;       /* RSA; ek NULL = no HCLEkPub key */
    const char *ak_kid;      /* "HCLAkPub" */
    const char *ak_key_ops;  /* "sign" ("encrypt" in 2022-23 reports) */
    int ek_first;            /* 1: HCLEkPub before HCLAkPub in keys[] */
    int has_user_data;       /* 0: no user-data member (2022-23) */
    uint8_t user_data[AZGEN_USER_DATA_LEN];
    azgen_vm_config vm_config[AZGEN_MAX_VM_CONFIG];
    size_t n_vm_config;
} azgen_claims_desc;

/*
 * keys [HCLAkPub (ak, key_ops sign), HCLEkPub (ek, encrypt)], the
 * vm-configuration of a current Azure CVM (console-enabled true,
 * root-cert-thumbprint, secure-boot true, tpm-enabled true, tpm-persisted
 * false, vmUniqueId), user-data all zero.
 */
int azgen_claims_desc_init(azgen_claims_desc *d, EVP_PKEY *ak, EVP_PKEY *ek);
/* Replace the member named key, or append it; -1 when full or invalid. */
int azgen_claims_set_vm_config(azgen_claims_desc *d, const char *key,
                               const char *value, int is_string);
/* Compact JSON, member order as Azure writes it, no trailing newline. */
int azgen_claims_build(char **out, size_t *out_len,
                       const azgen_claims_desc *d);

/* ------------------------------------------------------------------------ */
/* vTPM quote: TPMS_ATTEST (big-endian) signed with RSASSA-PKCS1-v1_5       */
/* SHA-256 by the AK                                                        */

#define AZGEN_PCR_COUNT 24
#define AZGEN_PCR_LEN 32 /* SHA-256 bank */
#define AZGEN_NONCE_MAX 64
#define AZGEN_TPM_MAGIC 0xFF544347u
#define AZGEN_TPM_ST_ATTEST_QUOTE 0x8018u
#define AZGEN_TPM_ALG_SHA256 0x000Bu
#define AZGEN_TPM_FIRMWARE_VERSION 0x2020031200120003ULL
#define AZGEN_TPM_NAME_LEN 34 /* 000B || SHA-256(TPMT_PUBLIC) */

typedef struct {
    uint32_t magic;           /* AZGEN_TPM_MAGIC */
    uint16_t type;            /* AZGEN_TPM_ST_ATTEST_QUOTE */
    uint8_t signer[AZGEN_TPM_NAME_LEN]; /* qualifiedSigner (the AK's name) */
    uint8_t nonce[AZGEN_NONCE_MAX];     /* extraData */
    size_t nonce_len;         /* 0 = empty extraData */
    uint64_t clock;
    uint32_t reset_count, restart_count;
    uint8_t safe;
    uint64_t firmware_version; /* AZGEN_TPM_FIRMWARE_VERSION */
    uint16_t bank;            /* selection hash, AZGEN_TPM_ALG_SHA256 */
    uint32_t selection;       /* bit i = PCR i (3-byte bitmap) */
    uint8_t pcrs[AZGEN_PCR_COUNT][AZGEN_PCR_LEN]; /* every PCR's value */
} azgen_quote_desc;

/* Where the variable-length parts of a built TPMS_ATTEST are. */
typedef struct {
    size_t extra_data_off;  /* u16 size, then the nonce */
    size_t clock_off;       /* clockInfo (17 bytes) */
    size_t firmware_off;    /* u64 */
    size_t selection_off;   /* u32 count, u16 hash, u8 3, bitmap */
    size_t digest_off;      /* u16 size 32, then pcrDigest */
    size_t len;
} azgen_quote_layout;

/* Azure's PCR values: PCR i (0..16) = 32 bytes of 0xA0 + i, 17..22 all
 * 0xFF, 23 zero. */
void azgen_pcr_default(uint8_t out[AZGEN_PCR_LEN], unsigned index);
/* TPMT_PUBLIC of an RSA-2048 restricted signing key (RSASSA SHA-256, the
 * attributes of Azure's AK 0x00050072) and its TPM name 000B || SHA-256. */
int azgen_tpmt_public(uint8_t **out, size_t *out_len, EVP_PKEY *ak);
int azgen_tpm_name(uint8_t out[AZGEN_TPM_NAME_LEN], EVP_PKEY *ak);
/* Defaults: magic, type 8018, signer = name of ak, no nonce, clock
 * 0x15256785, reset 0, restart 1, safe 1, Azure's firmware version, SHA-256
 * bank, PCRs 0-23 selected with azgen_pcr_default values. */
int azgen_quote_desc_init(azgen_quote_desc *d, EVP_PKEY *ak);
/* "0-23", "0-7,14", "15,16,22" into a selection bitmap (PCRs 0..23). */
int azgen_pcr_list_parse(uint32_t *out, const char *s);
/* TPMS_ATTEST with pcrDigest = SHA-256 of the selected values in ascending
 * index order; layout may be NULL. */
int azgen_quote_build(uint8_t **out, size_t *out_len, azgen_quote_layout *l,
                      const azgen_quote_desc *d);
/* The selected PCR values concatenated in ascending index order (*out is
 * NULL and *out_len 0 for an empty selection). */
int azgen_quote_pcr_values(uint8_t **out, size_t *out_len,
                           const azgen_quote_desc *d);
/* RSASSA-PKCS1-v1_5 SHA-256 signature of msg (256 bytes for RSA-2048). */
int azgen_quote_sign(uint8_t **out, size_t *out_len, const uint8_t *msg,
                     size_t len, EVP_PKEY *key);
/* Self-check (not a verifier): 0 when sig verifies over msg with key. */
int azgen_quote_verify(const uint8_t *sig, size_t sig_len, const uint8_t *msg,
                       size_t len, EVP_PKEY *key);

/* ------------------------------------------------------------------------ */
/* attest-mock command family (vectors/gen/attest_mock_azure.c)             */

/* `attest-mock azure ...`: argv[0] is "azure", argv[1] the command (pki,
 * claims, hcl, quote). Returns the exit status: 0, 1 failure, 2 usage. */
int attest_mock_azure_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* AZGEN_H */
