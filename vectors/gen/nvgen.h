/*
 * nvgen - NVIDIA GPU / NVSwitch confidential-computing test evidence
 * generator.
 *
 * Test-only code. It builds a fake NVIDIA device PKI (a test "NVIDIA Device
 * Identity CA" root -> Identity -> Provisioner ICA -> per-chip BROM -> per-
 * boot FMC leaf carrying the FWID), delegated OCSP responders and signed OCSP
 * responses, a fake RIM-signing PKI, signed RIM XML (TCG SWID tags with an
 * enveloped XMLDSig, exactly in the shape of NVIDIA's), and signed SPDM
 * GET_MEASUREMENTS attestation reports. The libattest NVIDIA verifier can
 * then be exercised end to end, including every failure path, without a GPU
 * or NVIDIA's RIM / OCSP services. Nothing here is secret or hardened; never
 * link it into production code.
 *
 * Conventions (the same as snpgen.h / dcapgen.h; snpgen's file helpers and
 * the shared gencommon.c are reused, so link snpgen.c and gencommon.c too):
 *  - Functions that can fail return 0 on success and -1 on failure; on
 *    failure nothing is leaked and out parameters are left untouched.
 *    Results come back through out parameters that come first. The pure
 *    helpers (nvgen_put_u16, nvgen_get_u16, nvgen_arch_name, ...) cannot
 *    fail.
 *  - Objects returned through `**out` belong to the caller: EVP_PKEY_free,
 *    X509_free, OCSP_RESPONSE_free, nvgen_pki_free, and plain free() for
 *    every byte or text buffer (reports, XML, DER, JSON). Text buffers are
 *    NUL-terminated; the NUL is not counted in *out_len.
 *  - No global mutable state of nvgen's own apart from the pthread_once
 *    guard of nvgen_xmlsec_init(): the RIM functions need libxml2 and xmlsec
 *    (OpenSSL back end) initialised once per process (see there).
 *    Everything is safe to call from several threads on distinct objects.
 *  - Nothing is printed by nvgen; OpenSSL's error queue holds the detail
 *    when an OpenSSL call failed (xmlsec reports its own errors to stderr
 *    through its default error callback, which nvgen leaves alone).
 *  - Every key is ECDSA P-384; certificates, OCSP responses, RIM signatures
 *    and reports are signed with ECDSA / SHA-384, as NVIDIA does.
 *
 * Formats: research/nvidia.md in the shared notes; shapes checked against
 * the real files in shared/vectors/nvidia (see vectors/README.md).
 */
#ifndef NVGEN_H
#define NVGEN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "snpgen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* SPDM report layout. Integers little-endian; the signature is raw r||s,   */
/* 48 + 48 bytes big-endian.                                                */

#define NVGEN_REQUEST_SIZE 37     /* GET_MEASUREMENTS request */
#define NVGEN_NONCE_SIZE 32
#define NVGEN_DIGEST_SIZE 48      /* SHA-384 */
#define NVGEN_SIG_SIZE 96         /* raw r||s */
#define NVGEN_BLOCK_HDR_SIZE 4    /* index, spec, u16 measurement size */
#define NVGEN_DMTF_HDR_SIZE 3     /* value type, u16 value size */
#define NVGEN_BLOCK_SIZE 55       /* 4 + 3 + 48 for a SHA-384 block */
#define NVGEN_GPU_BLOCKS 64
#define NVGEN_SWITCH_BLOCKS 31
#define NVGEN_MAX_BLOCKS 255
#define NVGEN_MAX_VALUE 64        /* largest measurement value */
#define NVGEN_MAX_TLVS 40
#define NVGEN_MAX_TLV_VALUE 1024

/* Request offsets (from the start of the report). */
#define NVGEN_OFF_REQ_VERSION 0   /* 0x11 */
#define NVGEN_OFF_REQ_CODE 1      /* 0xE0 GET_MEASUREMENTS */
#define NVGEN_OFF_REQ_PARAM1 2    /* 0x01 signature requested */
#define NVGEN_OFF_REQ_PARAM2 3    /* 0xFF all blocks */
#define NVGEN_OFF_NONCE 4         /* 32 bytes: the verifier's challenge */
#define NVGEN_OFF_SLOT 36
/* Response offsets (from the start of the report). */
#define NVGEN_OFF_RESPONSE 37
#define NVGEN_OFF_RESP_VERSION 37 /* 0x11 */
#define NVGEN_OFF_RESP_CODE 38    /* 0x60 MEASUREMENTS */
#define NVGEN_OFF_RESP_PARAM1 39
#define NVGEN_OFF_RESP_PARAM2 40
#define NVGEN_OFF_NUM_BLOCKS 41   /* u8 */
#define NVGEN_OFF_RECORD_LEN 42   /* u24 */
#define NVGEN_OFF_RECORD 45       /* first measurement block */

/* Opaque-data TLV types (research/nvidia.md (a)). */
#define NVGEN_TLV_DRIVER_VERSION 3
#define NVGEN_TLV_GPU_INFO 4
#define NVGEN_TLV_VBIOS_VERSION 6
#define NVGEN_TLV_NVDEC0_STATUS 11
#define NVGEN_TLV_MSRSCNT 12
#define NVGEN_TLV_CPRINFO 13
#define NVGEN_TLV_BOARD_ID 14
#define NVGEN_TLV_CHIP_SKU 15
#define NVGEN_TLV_CHIP_SKU_MOD 16
#define NVGEN_TLV_PROJECT 17
#define NVGEN_TLV_PROJECT_SKU 18
#define NVGEN_TLV_PROJECT_SKU_MOD 19
#define NVGEN_TLV_FWID 20
#define NVGEN_TLV_PROTECTED_PCIE_STATUS 21
#define NVGEN_TLV_SWITCH_PDI 22
#define NVGEN_TLV_FLOORSWEPT_PORTS 23
#define NVGEN_TLV_POSITION_ID 24
#define NVGEN_TLV_LOCK_SWITCH_STATUS 25
#define NVGEN_TLV_SWITCH_GPU_PDIS 26
#define NVGEN_TLV_SYS_ENABLE_STATUS 33
#define NVGEN_TLV_OPAQUE_DATA_VERSION 34
#define NVGEN_TLV_CHIP_INFO 35
#define NVGEN_TLV_FEATURE_FLAG 36

#define NVGEN_NVDEC0_ENABLED 0xAA
#define NVGEN_NVDEC0_DISABLED 0x55

/* ------------------------------------------------------------------------ */
/* Times (Unix seconds). Every default object is valid at                   */
/* NVGEN_T_VERIFY = 2025-06-01T12:00:00Z, the tests' verification time.      */

#define NVGEN_T_2020_10_17 1602892800LL
#define NVGEN_T_2021_11_05 1636070400LL
#define NVGEN_T_2022_01_12 1641945600LL
#define NVGEN_T_2022_03_01 1646092800LL
#define NVGEN_T_2023_03_16 1678924800LL
#define NVGEN_T_2023_05_11 1683763200LL
#define NVGEN_T_2023_10_31 1698710400LL
#define NVGEN_T_2024_01_01 1704067200LL
#define NVGEN_T_2024_06_01 1717200000LL
#define NVGEN_T_2025_05_01 1746057600LL
#define NVGEN_T_2025_06_01 1748736000LL
#define NVGEN_T_VERIFY 1748779200LL       /* 2025-06-01T12:00:00Z */
#define NVGEN_T_2025_06_02 1748822400LL
#define NVGEN_T_2026_06_01 1780272000LL
#define NVGEN_T_2027_01_01 1798761600LL
#define NVGEN_T_2027_04_30 1809129599LL   /* 2027-04-30T23:59:59Z */
#define NVGEN_T_2033_05_11 1999468799LL   /* 2033-05-11T23:59:59Z */
#define NVGEN_T_2053_03_08 2625004800LL
#define NVGEN_T_9999_12_31 253402300799LL /* 9999-12-31T23:59:59Z */

/* Little-endian u16 helpers (pure). */
void nvgen_put_u16(uint8_t *p, uint16_t v);
uint16_t nvgen_get_u16(const uint8_t *p);

/* ------------------------------------------------------------------------ */
/* Architectures                                                            */

typedef enum {
    NVGEN_HOPPER = 0,    /* GH100 (H100/H200) */
    NVGEN_BLACKWELL = 1, /* GB100 */
    NVGEN_LS10 = 2       /* NVSwitch LS10 */
} nvgen_arch;

/* Evidence "arch" string: "HOPPER", "BLACKWELL", "LS10"; NULL if invalid. */
const char *nvgen_arch_name(nvgen_arch a);

/* RIM product / chip: "GH100", "GB100", "LS10"; NULL if invalid. */
const char *nvgen_arch_product(nvgen_arch a);

/* ------------------------------------------------------------------------ */
/* Raw ECDSA P-384 / SHA-384 and small encodings                            */

/*
 * ECDSA / SHA-384 over msg[0..len) with key (any EC key whose r and s fit
 * 48 bytes), written as raw r||s, each 48 bytes big-endian left-padded.
 */
int nvgen_sign_raw(uint8_t out[NVGEN_SIG_SIZE], const uint8_t *msg,
                   size_t len, EVP_PKEY *key);

/* Check a raw r||s ECDSA / SHA-384 signature. @return 0 valid, -1 not. */
int nvgen_verify_raw(const uint8_t sig[NVGEN_SIG_SIZE], const uint8_t *msg,
                     size_t len, EVP_PKEY *key);

/*
 * VBIOS_VERSION as a GPU reports it: "96.00.9F.00.01" (five hex byte pairs
 * a.b.c.d.e, either case) -> 8 bytes d c b a e 0 0 0, the inverse of
 * nvtrust's format_vbios_version (read the 8 bytes as a little-endian u64,
 * print it as 16 hex digits h, take h[8:16] + h[6:8]).
 * @return 0, or -1 when the string is not of that form.
 */
int nvgen_vbios_encode(uint8_t out[8], const char *version);

/* The inverse: 8 bytes -> "96.00.9F.00.01" (upper case) plus NUL. */
int nvgen_vbios_format(char out[15], const uint8_t in[8]);

/*
 * The RIM ids nvtrust / NVAT derive from a report:
 *  driver: Hopper "NV_GPU_DRIVER_GH100_<driver>", Blackwell
 *          "NV_GPU_CC_DRIVER_<chip>_<driver>" (chip NULL = "GB100");
 *  VBIOS:  "NV_GPU_VBIOS_<project>_<project sku>_<chip sku>_<VBIOS without
 *          dots, upper case>"; NVSwitch "NV_SWITCH_BIOS_5612_0002_890_<BIOS
 *          without dots>" (project arguments ignored).
 */
int nvgen_driver_rim_id(char *out, size_t max, nvgen_arch a, const char *chip,
                        const char *driver_version);
int nvgen_vbios_rim_id(char *out, size_t max, nvgen_arch a,
                       const char *project, const char *project_sku,
                       const char *chip_sku, const char *vbios_version);

/* ------------------------------------------------------------------------ */
/* Certificates                                                             */

/* Key-usage bits. */
#define NVGEN_KU_DIGITAL_SIGNATURE 0x1u
#define NVGEN_KU_KEY_CERT_SIGN 0x2u
#define NVGEN_KU_CRL_SIGN 0x4u

/* Extended key usage bits. */
#define NVGEN_EKU_OCSP_SIGNING 0x1u       /* id-kp-OCSPSigning */
#define NVGEN_EKU_OCSP_NOCHECK_OID 0x2u   /* 1.3.6.1.5.5.7.48.1.5 listed
                                             inside the EKU (NVIDIA's device
                                             responders do this) */
#define NVGEN_EKU_SERVER_AUTH 0x4u        /* id-kp-serverAuth (a wrong EKU) */

/* OIDs. */
#define NVGEN_OID_FWID_HOPPER "2.23.133.5.4.1"    /* NVIDIA's FWID ext */
#define NVGEN_OID_DICE_TCB_INFO "2.23.133.5.4.1.1" /* TCG DICE TcbInfo */
#define NVGEN_OID_NV_SAN "1.3.6.1.4.1.412.274.1"  /* SAN otherName type */

#define NVGEN_OCSP_URL "http://ocsp.ndis.nvidia.com"

typedef struct {
    /* Subject DN in this order, "TYPE=value" joined by ',' (values must
     * not contain ',' ; types as OpenSSL spells them: CN, O, C, ST, L,
     * serialNumber). C and serialNumber come out as PrintableString, the
     * rest as UTF8String, as in NVIDIA's certificates. Required. */
    const char *subject;
    uint8_t serial[20];      /* big-endian, serial_len bytes */
    size_t serial_len;       /* 1..20; 0 = serial 1 */
    int64_t not_before, not_after; /* Unix seconds (9999-12-31 allowed) */
    int basic_constraints;   /* 1: emit basicConstraints */
    int bc_critical;         /* 1: critical (default) */
    int is_ca;
    int pathlen;             /* < 0: absent */
    unsigned key_usage;      /* NVGEN_KU_*; 0: no keyUsage (else critical) */
    unsigned eku;            /* NVGEN_EKU_*; 0: no EKU (else critical) */
    int ocsp_nocheck;        /* 1: id-pkix-ocsp-nocheck extension (NULL) */
    const char *crl_url;     /* CRL distribution point; NULL: none */
    const char *ocsp_url;    /* AIA OCSP; NULL: none */
    int key_ids;             /* 1: subject + authority key identifiers */
    const char *san_nv;      /* SAN otherName NVGEN_OID_NV_SAN with this
                                UTF8String ("NVIDIA:GH100:..."); NULL: none */
    const uint8_t *fwid_ext; /* extnValue of fwid_oid; NULL: none */
    size_t fwid_ext_len;
    const char *fwid_oid;    /* NVGEN_OID_FWID_HOPPER or _DICE_TCB_INFO */
    const snpgen_ext *extra; /* more raw extensions, appended last */
    size_t n_extra;
    EVP_PKEY *subject_key;   /* certified public key (required) */
    const X509 *issuer_cert; /* NULL: self-issued */
    EVP_PKEY *issuer_key;    /* required with issuer_cert; NULL: subject_key.
                                A key that does not match issuer_cert gives
                                a bad signature. */
    const char *digest;      /* NULL: "SHA384" */
} nvgen_cert_opts;

/*
 * Zero *o and set: bc_critical 1, pathlen -1, key_ids 1, serial 1,
 * validity 2020-10-17 .. 9999-12-31T23:59:59Z (NVIDIA's device default),
 * digest SHA-384.
 */
int nvgen_cert_opts_init(nvgen_cert_opts *o);

/*
 * Issue an X.509 v3 certificate. Extensions in this order: basicConstraints,
 * keyUsage, EKU, OCSP no-check, CRL distribution points, AIA, SKI, AKI, SAN,
 * FWID, extra (the device certificates come out in NVIDIA's order).
 */
int nvgen_cert_issue(X509 **out, const nvgen_cert_opts *o);

/*
 * The same certificate with its ECDSA P-384 signature (r, s) replaced by
 * (r, n - s), n the group order: it still verifies, and its DER (hence any
 * hash of it) differs. What a verifier must not take for another device.
 */
int nvgen_cert_negate_s(X509 **out, const X509 *in);

/*
 * Hopper FWID extension value (extnValue of 2.23.133.5.4.1), as in real
 * GH100 / LS10 leaves: SEQUENCE { INTEGER 1, SubjectPublicKeyInfo of
 * spki_key, SEQUENCE { OID sha384, OCTET STRING(48) fwid } }. NVIDIA puts
 * the issuing BROM's key there; nvtrust takes the last 48 bytes.
 */
int nvgen_fwid_ext_hopper(uint8_t **out, size_t *out_len,
                          EVP_PKEY *spki_key,
                          const uint8_t fwid[NVGEN_DIGEST_SIZE]);

/* TCG DICE TcbInfo (2.23.133.5.4.1.1), the Blackwell FWID carrier. */
typedef struct {
    const char *vendor;      /* [0] UTF8String; NULL: absent */
    const char *model;       /* [1] */
    const char *version;     /* [2] */
    int svn, layer, index;   /* [3] [4] [5] INTEGER; < 0: absent */
    uint8_t fwids[4][NVGEN_DIGEST_SIZE]; /* [6] SEQUENCE OF FWID {sha384,
                                            OCTET STRING(48)} */
    size_t n_fwids;          /* 0: [6] absent */
    uint8_t flags[4];        /* [7] BIT STRING (no unused bits) */
    int has_flags;
    uint8_t vendor_info[8];  /* [8] OCTET STRING */
    size_t vendor_info_len;  /* 0: absent */
    uint8_t type[8];         /* [9] OCTET STRING */
    size_t type_len;         /* 0: absent */
} nvgen_dice_tcb_info;

/*
 * What the real GB100 leaf carries: vendor "NVIDIA", model "GB100 A01 GSP",
 * version "01", svn 1, layer 0, index 0, fwids {fwid, 48 zero bytes},
 * flags 80 00 00 01, vendorInfo C0, type 00.
 */
int nvgen_dice_tcb_info_init(nvgen_dice_tcb_info *t,
                             const uint8_t fwid[NVGEN_DIGEST_SIZE]);

/* DER of the TcbInfo (IMPLICIT tags [0]..[9] in a SEQUENCE); free(). */
int nvgen_dice_tcb_info_encode(uint8_t **out, size_t *out_len,
                               const nvgen_dice_tcb_info *t);

typedef enum {
    NVGEN_FWID_NONE = 0,   /* no FWID extension */
    NVGEN_FWID_HOPPER = 1, /* 2.23.133.5.4.1 */
    NVGEN_FWID_DICE = 2    /* 2.23.133.5.4.1.1, fwids[0] */
} nvgen_fwid_form;

/*
 * Read the FWID of a leaf the way nvtrust does (Hopper: last 48 bytes of
 * the extension, after checking the shape; Blackwell: fwids[0].digest).
 * *form is NVGEN_FWID_NONE (and out untouched) when neither is present.
 * @return -1 only for a present but undecodable extension.
 */
int nvgen_cert_fwid(uint8_t out[NVGEN_DIGEST_SIZE], nvgen_fwid_form *form,
                    const X509 *leaf);

/*
 * A delegated OCSP responder for `ca`: CN=cn, O=NVIDIA Corporation, C=US,
 * fresh P-384 key, issued by ca / ca_key, basicConstraints CA:FALSE (not
 * critical), keyUsage digitalSignature (critical), critical EKU `eku`
 * (NVGEN_EKU_*; 0 = no EKU at all, the "lacking the EKU" case), a separate
 * id-pkix-ocsp-nocheck extension unless eku has NVGEN_EKU_OCSP_NOCHECK_OID
 * (NVIDIA's RIM responders and device responders respectively), SKI, AKI,
 * valid 2024-01-01 .. 2027-01-01, a 16-byte serial ending in `serial`
 * (8 bytes big-endian).
 */
int nvgen_responder_issue(X509 **out_cert, EVP_PKEY **out_key, const X509 *ca,
                          EVP_PKEY *ca_key, const char *cn, unsigned eku,
                          uint64_t serial);

/* ------------------------------------------------------------------------ */
/* OCSP responses                                                           */

typedef enum {
    NVGEN_OCSP_GOOD = 0,
    NVGEN_OCSP_REVOKED = 1, /* reason keyCompromise unless o->reason >= 0 */
    NVGEN_OCSP_HOLD = 2,    /* revoked, reason certificateHold */
    NVGEN_OCSP_UNKNOWN = 3
} nvgen_ocsp_status;

typedef struct {
    nvgen_ocsp_status status;
    int reason;              /* CRLReason for REVOKED; < 0: keyCompromise */
    int64_t revoked_at;      /* revocationTime */
    int64_t this_update;
    int64_t next_update;     /* < 0: nextUpdate absent */
    int64_t produced_at;     /* producedAt */
    const char *certid_digest; /* "SHA384" (NVIDIA) or "SHA1" (NVAT) */
    const uint8_t *nonce;    /* NULL: no nonce extension (as stored NVIDIA
                                responses) */
    size_t nonce_len;
    X509 *responder;         /* signer certificate (required): a delegated
                                responder, or the issuer itself */
    EVP_PKEY *responder_key; /* its key (required) */
    EVP_PKEY *signing_key;   /* NULL: responder_key. Another key gives a
                                response whose signature does not verify
                                with the included responder certificate. */
    int include_cert;        /* 1: the responder cert is in `certs` */
    int respid_by_name;      /* 1: ResponderID byName; 0: byKey (NVIDIA) */
    int response_status;     /* OCSP_RESPONSE_STATUS_*; != SUCCESSFUL gives
                                a response without a body */
} nvgen_ocsp_opts;

/*
 * Defaults: GOOD, reason -1, revoked_at 2025-05-01, this_update = produced_at
 * = 2025-06-01T00:00:00Z, next_update 2025-06-02T00:00:00Z, CertID SHA-384,
 * no nonce, include_cert 1, ResponderID by key hash, status successful.
 * responder and its key NULL: set them, or use nvgen_pki_ocsp, which picks
 * the issuer's delegated responder.
 */
int nvgen_ocsp_opts_init(nvgen_ocsp_opts *o);

/*
 * A signed OCSP response about `cert` (issued by `issuer`): one
 * SingleResponse with the CertID hash o->certid_digest, signed with
 * ECDSA / SHA-384 (OCSP_basic_sign, then producedAt is set and the
 * tbsResponseData re-signed with the signing key).
 */
int nvgen_ocsp_response(OCSP_RESPONSE **out, X509 *cert, X509 *issuer,
                        const nvgen_ocsp_opts *o);

/* The same as DER; free(). */
int nvgen_ocsp_response_der(uint8_t **out, size_t *out_len, X509 *cert,
                            X509 *issuer, const nvgen_ocsp_opts *o);

/* ------------------------------------------------------------------------ */
/* Whole PKI and golden measurements                                        */

#define NVGEN_MAX_DEVICES 8
#define NVGEN_RIM_RESOURCES 64      /* Resource elements per RIM */
#define NVGEN_MAX_ALTERNATIVES 8

typedef struct {
    EVP_PKEY *key;
    X509 *cert;
} nvgen_keycert;

/* One GPU / NVSwitch: its per-chip BROM CA and per-boot FMC leaf. */
typedef struct {
    nvgen_keycert brom;      /* "GH100 A01 GSP BROM", CA, issued by the ICA */
    nvgen_keycert leaf;      /* "GH100 A01 GSP FMC LF", signs reports */
    nvgen_keycert resp_brom; /* delegated OCSP responder of the BROM */
} nvgen_device;

/* Which RIM covers an index. */
typedef enum {
    NVGEN_OWNER_NONE = 0,
    NVGEN_OWNER_DRIVER = 1,
    NVGEN_OWNER_VBIOS = 2   /* VBIOS RIM (NVSwitch: the BIOS RIM) */
} nvgen_owner;

/* Golden value of one 0-based measurement index. */
typedef struct {
    nvgen_owner owner;       /* NONE: inactive in both RIMs */
    unsigned alternatives;   /* 1..NVGEN_MAX_ALTERNATIVES */
    uint8_t hash[NVGEN_MAX_ALTERNATIVES][NVGEN_DIGEST_SIZE];
} nvgen_golden;

typedef struct {
    nvgen_arch arch;
    size_t n_devices;        /* 1..NVGEN_MAX_DEVICES, default 1 */
    nvgen_fwid_form fwid_form; /* default: DICE for Blackwell, else HOPPER */
    const char *driver_version; /* NULL: arch default */
    const char *vbios_version;  /* NULL: arch default */
} nvgen_pki_opts;

/* The given arch, 1 device, FWID form for the arch, default versions. */
int nvgen_pki_opts_init(nvgen_pki_opts *o, nvgen_arch arch);

/*
 * Everything for one system. Every member is owned by the struct and
 * released by nvgen_pki_free; members may be replaced by the caller (free
 * the old one first) to build variants.
 */
typedef struct {
    nvgen_arch arch;
    nvgen_fwid_form fwid_form;
    char driver_version[64];     /* "550.90.07" (unused for LS10) */
    char vbios_version[32];      /* "96.00.9F.00.01" */
    uint8_t fwid[NVGEN_DIGEST_SIZE]; /* in every leaf and report */
    uint8_t nonce[NVGEN_NONCE_SIZE]; /* challenge of the saved reports */
    /* device PKI */
    nvgen_keycert dev_root;      /* "NVIDIA Device Identity CA" (test) */
    nvgen_keycert identity;      /* "NVIDIA GH100 Identity" */
    nvgen_keycert ica;           /* "NVIDIA GH100 Provisioner ICA 1" */
    nvgen_keycert resp_root, resp_identity, resp_ica; /* delegated OCSP
                                    responders of root, Identity, ICA */
    size_t n_devices;
    nvgen_device dev[NVGEN_MAX_DEVICES];
    /* RIM PKI */
    nvgen_keycert rim_root;      /* "NVIDIA CoRIM signing Root CA" (test) */
    nvgen_keycert rim_ca;        /* "NVIDIA Reference Value GH100 CA" */
    nvgen_keycert rim_l3;        /* "NVIDIA Reference Value L3 GH100 001" */
    nvgen_keycert rim_leaf;      /* "HCC RIM L4 Signer" */
    nvgen_keycert rim_resp_root, rim_resp_ca, rim_resp_l3;
    /* a debug RIM hierarchy ("NVIDIA CoRIM L1 Root CA Debug Only" ->
     * "NVIDIA Reference Value L3 GH100 001 Debug Only" -> "HCC RIM L4
     * Signer"), never trusted */
    nvgen_keycert rim_dbg_root, rim_dbg_l3, rim_dbg_leaf;
    /* golden values, shared by the RIMs and the reports */
    nvgen_golden golden[NVGEN_RIM_RESOURCES];
} nvgen_pki;

/*
 * Build a complete system (see vectors/README.md for names, validity and
 * serials). Golden values are deterministic (the same for every PKI with
 * the same arch and versions); keys are fresh. Defaults: Hopper driver
 * 550.90.07 / VBIOS 96.00.9F.00.01 (the VBIOS RIM covers indices 0-6 and
 * 8-12, the driver RIM 7 and 21-40, mirroring the real H100 RIMs); Blackwell
 * 575.32 / 97.00.88.00.0F (same indices); LS10 BIOS 96.10.55.00.01 (the
 * BIOS RIM covers 0-30).
 */
int nvgen_pki_generate(nvgen_pki **out, const nvgen_pki_opts *o);

/* Free a PKI and everything it holds; NULL is accepted. */
void nvgen_pki_free(nvgen_pki *pki);

/*
 * Device i's PDI: the 8 bytes after the BROM serial's first byte (0x41 on
 * a GPU, 0x50 on an NVSwitch), in the order a switch reports them.
 */
int nvgen_pki_device_pdi(uint8_t out[8], const nvgen_pki *pki, size_t device);

/*
 * A new FMC leaf for device i certifying leaf_key, issued by the device's
 * BROM (as after a firmware update: same chip, new leaf), with the subject,
 * SAN and FWID a generated leaf has. Given device j's leaf key, device i's
 * BROM certifies a key that is not its own (test of "same leaf key").
 */
int nvgen_pki_issue_leaf(X509 **out, const nvgen_pki *pki, size_t device,
                         EVP_PKEY *leaf_key);

/* The device chain of device i (leaf, BROM, ICA, Identity, root) as PEM
 * text; free(). */
int nvgen_pki_device_chain_pem(char **out, size_t *out_len,
                               const nvgen_pki *pki, size_t i);

/*
 * Golden value of index the report carries by default: the LAST
 * alternative (HashN-1), so the default report also exercises "any
 * alternative matches". Returns NULL for an index no RIM covers.
 */
const uint8_t *nvgen_golden_report_value(const nvgen_pki *pki, size_t index);

/*
 * Write the whole set into dir (created 0755 if missing; existing files
 * overwritten): certificates, keys, both RIMs, report, OCSP responses,
 * anchors and evidence.json, as listed in vectors/README.md. Devices 1..N-1
 * go to subdirectories gpu1/ .. (switch1/ .. for LS10).
 */
int nvgen_pki_save(const nvgen_pki *pki, const char *dir);

/*
 * Read back a directory written by nvgen_pki_save: arch from the leaf CN,
 * FWID form and value from the leaf, versions and golden values from the
 * RIM XML files (parsed, not verified), nonce from nonce.hex.
 */
int nvgen_pki_load(nvgen_pki **out, const char *dir);

/* ------------------------------------------------------------------------ */
/* OCSP for the PKI's chains                                                */

typedef enum {
    NVGEN_CHAIN_DEVICE = 0, /* 0 leaf, 1 BROM, 2 ICA, 3 Identity, 4 root */
    NVGEN_CHAIN_RIM = 1     /* 0 leaf, 1 L3, 2 CA, 3 root */
} nvgen_chain;

/*
 * OCSP response for certificate `pos` of a chain (device: of device
 * `device`), issued by certificate pos+1. Unless o->responder is set, it is
 * signed by the issuer's delegated responder (the leaf's by the BROM's).
 * o NULL: nvgen_ocsp_opts_init defaults. pos must not be the root.
 */
int nvgen_pki_ocsp(OCSP_RESPONSE **out, const nvgen_pki *pki,
                   nvgen_chain chain, size_t device, size_t pos,
                   const nvgen_ocsp_opts *o);

/* ------------------------------------------------------------------------ */
/* RIM XML                                                                  */

typedef enum {
    NVGEN_RIM_DRIVER = 0,
    NVGEN_RIM_VBIOS = 1     /* also the NVSwitch BIOS RIM */
} nvgen_rim_kind;

typedef struct {
    int index;               /* written as is (0-based) */
    int active;
    unsigned alternatives;   /* written as is; hashes written:
                                min(alternatives, NVGEN_MAX_ALTERNATIVES) */
    uint8_t hash[NVGEN_MAX_ALTERNATIVES][NVGEN_DIGEST_SIZE];
    int size;                /* 48 */
    char name[48];           /* "Measurement_7", "HashedMeasurement_32_GSP" */
} nvgen_rim_measurement;

typedef struct {
    char rim_id[128];        /* e.g. NV_GPU_DRIVER_GH100_550.90.07; used for
                                tag_id only */
    char name[128];          /* SoftwareIdentity name: the product ("GH100")
                                in every real RIM; set it to rim_id if
                                a test wants that */
    char tag_id[129];        /* 96 hex digits (SHA-384 of rim_id) */
    char version[32];        /* SoftwareIdentity version "1.0" */
    char tag_version[16];    /* "0" */
    char colloquial_version[64]; /* driver / VBIOS version */
    char product[32];        /* "GH100", "GB100", "LS10" (also PlatformModel) */
    char edition[16];        /* "GPU" / "SWITCH" */
    char manufacturer_id[16]; /* FirmwareManufacturerId and
                                 PlatformManufacturerId, "5703" */
    size_t n_measurements;
    nvgen_rim_measurement m[NVGEN_RIM_RESOURCES];
} nvgen_rim_desc;

/*
 * The description of the PKI's driver or VBIOS RIM: 64 Resources, index i
 * active when golden[i].owner matches kind, with the golden alternatives;
 * inactive ones carry one all-zero hash, as NVIDIA's do. NVSwitch PKIs
 * have no driver RIM (-1).
 */
int nvgen_rim_desc_init(nvgen_rim_desc *d, const nvgen_pki *pki,
                        nvgen_rim_kind kind);

/*
 * Change a description's version: colloquialVersion := version, rim_id
 * and tag_id recomputed for it (the measurements stay).
 */
int nvgen_rim_desc_set_version(nvgen_rim_desc *d, const nvgen_pki *pki,
                               nvgen_rim_kind kind, const char *version);

/*
 * The unsigned SWID tag, byte for byte in NVIDIA's layout (no XML
 * declaration, 4-space indentation, namespaces and attributes in NVIDIA's
 * order), ending with "    </ns0:Payload>\n</SoftwareIdentity>".
 */
int nvgen_rim_unsigned(char **out, size_t *out_len, const nvgen_rim_desc *d);

/*
 * Initialise libxml2 and xmlsec with the OpenSSL back end, once per process
 * (pthread_once). When xmlsec's ECDSA-SHA384 transform is already
 * registered (another part of the process, e.g. libattest's RIM parser,
 * initialised xmlsec first), nothing is done, so the two do not initialise
 * twice. Never shut down. Called by every RIM function below.
 */
int nvgen_xmlsec_init(void);

/*
 * Sign an unsigned RIM with xmlsec: an enveloped ds:Signature appended as
 * the last child of the root (C14N 1.1, ecdsa-sha384, one Reference URI=""
 * with the enveloped-signature and C14N 1.1 transforms and a SHA-384
 * digest, KeyInfo/X509Data with chain[0..n_chain) in that order, leaf
 * first), then serialised without an XML declaration. key signs (normally
 * the key of chain[0]; another key gives a bad SignatureValue).
 */
int nvgen_rim_sign(char **out, size_t *out_len, const char *xml, size_t len,
                   EVP_PKEY *key, X509 *const *chain, size_t n_chain);

/* Variants for nvgen_rim_sign_ex (flags may be combined). */
#define NVGEN_RIM_SIGN_IN_PAYLOAD 0x1u /* ds:Signature is the last child of
                                          ns0:Payload, not of the root:
                                          cryptographically valid,
                                          structurally wrong */
#define NVGEN_RIM_SIGN_EXC_C14N 0x2u   /* exclusive C14N (both places) */
#define NVGEN_RIM_SIGN_C14N10 0x4u     /* inclusive C14N 1.0 (both places) */
#define NVGEN_RIM_SIGN_SHA256 0x8u     /* ecdsa-sha256 and a SHA-256 digest */

/* nvgen_rim_sign with variants (flags 0 = nvgen_rim_sign). */
int nvgen_rim_sign_ex(char **out, size_t *out_len, const char *xml,
                      size_t len, EVP_PKEY *key, X509 *const *chain,
                      size_t n_chain, unsigned flags);

/* nvgen_rim_unsigned + nvgen_rim_sign. */
int nvgen_rim_build(char **out, size_t *out_len, const nvgen_rim_desc *d,
                    EVP_PKEY *key, X509 *const *chain, size_t n_chain);

/*
 * The PKI's RIM signer: the leaf key into *key and the chain rim_leaf,
 * rim_l3, rim_ca, rim_root into chain[] (debug 1: the debug chain
 * rim_dbg_leaf, rim_dbg_l3, rim_dbg_root). Returns the chain length (4 or
 * 3). Nothing is copied: both stay the PKI's.
 */
size_t nvgen_pki_rim_signer(X509 *chain[4], EVP_PKEY **key,
                            const nvgen_pki *pki, int debug);

/*
 * The PKI's signed RIM: nvgen_rim_desc_init + build with the RIM signer of
 * nvgen_pki_rim_signer.
 */
int nvgen_pki_rim(char **out, size_t *out_len, const nvgen_pki *pki,
                  nvgen_rim_kind kind, int debug);

/* Tampering applied to a signed RIM (text surgery, nothing re-signed). */
typedef enum {
    NVGEN_RIM_TAMPER_HASH = 0,      /* first hex digit of Hash0 of Resource
                                       `index` changed: digest fails */
    NVGEN_RIM_TAMPER_VERSION = 1,   /* colloquialVersion's last character
                                       changed: digest fails */
    NVGEN_RIM_TAMPER_SIGVALUE = 2,  /* one SignatureValue base64 character
                                       changed: signature fails, digest ok */
    NVGEN_RIM_TAMPER_MOVE_SIG = 3,  /* ds:Signature moved to the end of
                                       ns0:Payload: the digest still
                                       matches (the enveloped transform
                                       removes it anywhere) but the
                                       SignatureValue fails, because
                                       C14N 1.1 of SignedInfo now takes in
                                       Payload's xmlns:SHA384. For a valid
                                       misplaced signature sign with
                                       NVGEN_RIM_SIGN_IN_PAYLOAD. */
    NVGEN_RIM_TAMPER_DUP_SIG = 4    /* a second copy of ds:Signature right
                                       after the first: two signatures
                                       (each copy breaks the other's
                                       digest) */
} nvgen_rim_tamper_kind;

/* index is used by NVGEN_RIM_TAMPER_HASH only. Works on RIMs written by
 * nvgen_rim_sign and on NVIDIA's (same "ds:" / "ns0:" prefixes). */
int nvgen_rim_tamper(char **out, size_t *out_len, const char *xml, size_t len,
                     nvgen_rim_tamper_kind t, int index);

/*
 * Self-check (not a verifier): verify the first ds:Signature of xml with
 * the public key of cert (like `xmlsec1 --verify --pubkey-cert-pem`).
 * @return 0 if valid, -1 otherwise.
 */
int nvgen_rim_verify(const char *xml, size_t len, X509 *cert);

/*
 * Read a RIM back (no signature check) into *d: SoftwareIdentity name,
 * tagId, version, tagVersion; Meta colloquialVersion, product, edition,
 * FirmwareManufacturerId; every Resource into d->m (d->n_measurements, at
 * most 64). rim_id is left empty. For nvgen_pki_load and tests.
 */
int nvgen_rim_parse(nvgen_rim_desc *d, const char *xml, size_t len);

/* ------------------------------------------------------------------------ */
/* Reports                                                                  */

typedef struct {
    uint8_t index;           /* 1-based block index */
    uint8_t spec;            /* MeasurementSpecification, 1 */
    uint8_t value_type;      /* 0x01 */
    uint16_t value_len;      /* <= NVGEN_MAX_VALUE, 48 */
    uint8_t value[NVGEN_MAX_VALUE];
    int64_t size_field;      /* MeasurementSize written; < 0: 3 + value_len */
} nvgen_block;

typedef struct {
    uint16_t type;
    uint16_t len;
    uint8_t value[NVGEN_MAX_TLV_VALUE];
} nvgen_tlv;

typedef struct {
    /* request */
    uint8_t req_version, req_code, req_param1, req_param2; /* 11 E0 01 FF */
    uint8_t nonce[NVGEN_NONCE_SIZE];
    uint8_t slot_id;
    /* response */
    uint8_t resp_version, resp_code, resp_param1, resp_param2; /* 11 60 0 0 */
    int64_t num_blocks_field;  /* written; < 0: n_blocks */
    int64_t record_len_field;  /* written u24; < 0: actual */
    size_t n_blocks;
    nvgen_block blocks[NVGEN_MAX_BLOCKS];
    uint8_t responder_nonce[NVGEN_NONCE_SIZE];
    int64_t opaque_len_field;  /* written u16; < 0: actual */
    size_t n_tlvs;
    nvgen_tlv tlvs[NVGEN_MAX_TLVS]; /* written in this order */
    size_t trailing;           /* bytes after the signature */
    uint8_t trailing_fill;     /* their value (0 = what CoCo produced) */
} nvgen_report_desc;

/*
 * Defaults for device `device` of the PKI: request 11 E0 01 FF, nonce =
 * pki->nonce, slot 0; response 11 60 00 00; 64 blocks (LS10: 31), block i+1
 * = nvgen_golden_report_value(i) or 48 zero bytes where no RIM covers i;
 * responder nonce byte k = 0xB0 ^ k ^ device; opaque data as a real
 * report, in the real order:
 *   Hopper (setA): VBIOS_VERSION (8-byte encoding), BOARD_ID b1030000,
 *     CHIP_SKU "882" (9 bytes, NUL padded), CHIP_SKU_MOD "0" (5),
 *     PROJECT "1010\0", PROJECT_SKU "0200\0", PROJECT_SKU_MOD 00 00,
 *     DRIVER_VERSION "<driver>\0", GPU_INFO 80 01 00.., MSRSCNT (64 u32:
 *     1 on covered indices, else 0), CPRINFO 00 c0 01 00, NVDEC0_STATUS
 *     0x55, FWID (= the leaf's; absent when pki->fwid_form is NONE, like
 *     2023-era reports), PROTECTED_PCIE_STATUS 0x55.
 *   Blackwell (GB202 order): the same with project G525/0220, chip SKU
 *     886, board 6f060000, GPU_INFO a0 01 .., CPRINFO 00 00 04 00, then
 *     FWID, SYS_ENABLE_STATUS 07 07, CHIP_INFO "GB100\0",
 *     OPAQUE_DATA_VERSION 1, FEATURE_FLAG 0 (no PROTECTED_PCIE_STATUS).
 *   LS10: VBIOS_VERSION as ASCII "96.10.55.00.01", SWITCH_PDI (its own
 *     8-byte PDI), MSRSCNT (26 u32), SWITCH_GPU_PDIS (8 placeholder PDIs
 *     + 64 port bytes; see nvgen_report_ppcie), FLOORSWEPT_PORTS,
 *     POSITION_ID, LOCK_SWITCH_STATUS.
 * No trailing bytes. d is large (~60 KiB): allocate it.
 */
int nvgen_report_desc_init(nvgen_report_desc *d, const nvgen_pki *pki,
                           size_t device);

/* NVLinks per Hopper GPU: entries of its SWITCH_PDI in PPCIe mode. */
#define NVGEN_PPCIE_LINKS 18

/*
 * PPCIe (protected PCIe, HGX: 8 GPUs and 4 NVSwitches): make the report
 * of a device of `self` name the devices of `peers`, the other side's PKI,
 * as in a real system (checked on shared/vectors/nvidia/ppcie):
 *  GPU (peers: the NVSwitches): SWITCH_PDI with one PDI per NVLink,
 *    byte-reversed, link l to switch l % n; PROTECTED_PCIE_STATUS 0xAA;
 *    FEATURE_FLAG 2 (PPCIe).
 *  NVSwitch (peers: exactly 8 GPUs): SWITCH_GPU_PDIS with the GPUs' PDIs
 *    in device order, then the 64 port bytes.
 * Each PDI is the one in the device's BROM serial (nvgen_pki_device_pdi).
 * Without this call a switch report names 8 placeholder GPUs.
 */
int nvgen_report_ppcie(nvgen_report_desc *d, const nvgen_pki *self,
                       const nvgen_pki *peers);

/* Replace the value of the first TLV of `type`, or append one. */
int nvgen_report_set_tlv(nvgen_report_desc *d, uint16_t type,
                         const void *value, size_t len);

/* Remove every TLV of `type` (0 even if none was there). */
int nvgen_report_del_tlv(nvgen_report_desc *d, uint16_t type);

/* Set the value of the block for 0-based RIM index `index` (block
 * index+1; len <= NVGEN_MAX_VALUE). -1 if no such block. */
int nvgen_report_set_measurement(nvgen_report_desc *d, unsigned index,
                                 const uint8_t *value, size_t len);

/* Where the parts of an assembled report are (byte offsets). */
typedef struct {
    size_t record_off, record_len;  /* measurement record */
    size_t n_blocks;
    size_t block_off[NVGEN_MAX_BLOCKS]; /* each block's header */
    size_t responder_nonce_off;
    size_t opaque_len_off;          /* u16 */
    size_t opaque_off, opaque_len;
    size_t n_tlvs;
    size_t tlv_off[NVGEN_MAX_TLVS]; /* each TLV's header */
    uint16_t tlv_type[NVGEN_MAX_TLVS];
    size_t signed_len;              /* signature covers [0, signed_len) */
    size_t sig_off;                 /* = signed_len */
    size_t total_len;               /* including trailing bytes */
} nvgen_report_layout;

/*
 * Assemble and sign (ECDSA / SHA-384 over request || response-without-
 * signature, raw r||s) with key; key NULL leaves the signature all zero.
 * layout may be NULL.
 */
int nvgen_report_build(uint8_t **out, size_t *out_len,
                       nvgen_report_layout *layout,
                       const nvgen_report_desc *d, EVP_PKEY *key);

/*
 * Recompute the layout of a report from its own length fields (strict:
 * every length must fit; bytes after the signature are trailing).
 */
int nvgen_report_layout_parse(nvgen_report_layout *out, const uint8_t *r,
                              size_t len);

/* Value offset and length of the first TLV of `type`; -1 if absent. */
int nvgen_report_find_tlv(size_t *value_off, size_t *value_len,
                          const nvgen_report_layout *l, const uint8_t *r,
                          uint16_t type);

/* Re-sign [0, l->signed_len) with key into [sig_off, sig_off + 96). */
int nvgen_report_sign(uint8_t *r, size_t len, const nvgen_report_layout *l,
                      EVP_PKEY *key);

/*
 * Self-check: the signature at the parsed offset verifies with key.
 * @return 0 if valid, -1 otherwise.
 */
int nvgen_report_verify(const uint8_t *r, size_t len, EVP_PKEY *key);

/* The PKI's default report for device i (desc_init + build, leaf key). */
int nvgen_pki_report(uint8_t **out, size_t *out_len, const nvgen_pki *pki,
                     size_t device);

/* ------------------------------------------------------------------------ */
/* Evidence JSON                                                            */

/*
 * NVAT serialized evidence: [{"arch":..,"certificate":b64(PEM chain),
 * "evidence":b64(report),"nonce":"<64 hex>"}, ...], one object per
 * report; reports[i] goes with device i's chain. n <= pki->n_devices.
 */
int nvgen_evidence_json(char **out, size_t *out_len, const nvgen_pki *pki,
                        const uint8_t *const *reports, const size_t *lens,
                        size_t n);

/* ------------------------------------------------------------------------ */
/* attest-mock command family (vectors/gen/attest_mock_nvidia.c)            */

/*
 * `attest-mock nvidia ...`: argv[0] is "nvidia", argv[1] the command (pki,
 * report, rim, ocsp). Returns the exit status: 0, 1 failure, 2 usage.
 */
int attest_mock_nvidia_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* NVGEN_H */
