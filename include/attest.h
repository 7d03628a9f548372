/*
 * libattest - verify confidential-computing evidence, fully offline: AMD
 * SEV-SNP reports, Intel DCAP quotes (TDX and SGX), NVIDIA GPU and NVSwitch
 * SPDM evidence, and bundles of one machine's CPU and GPU evidence.
 *
 * Conventions (read once, they hold for every function below):
 *
 *  - Every function that can fail returns an attest_status: ATTEST_OK (0)
 *    on success, a negative code otherwise. Results come back through an
 *    out parameter that is always the first argument.
 *  - Every object is an opaque handle created by attest_<noun>_new,
 *    _parse, _from_json or _default (a result by attest_verify) and
 *    released by the matching attest_<noun>_free, which accepts NULL.
 *    Strings returned as `char **out` are owned by the caller and are
 *    released with attest_string_free(); bytes returned as `uint8_t **out`
 *    with a `size_t *out_len` are released with attest_bytes_free().
 *    Strings returned as `const char *` are borrowed from the object they
 *    came from and live as long as it.
 *  - When a call fails, attest_error_last_status() gives its status and
 *    attest_error_last() a detail message naming the field or the check
 *    ("snp.report.version: unsupported version 4"). Both are kept per
 *    thread (see "Errors" below).
 *  - Thread safety: an attest_verifier may be shared by any number of
 *    threads once configured (its setters are not to be called while other
 *    threads verify with it). Evidence, collateral, policy and result
 *    objects are immutable after creation and may be read from several
 *    threads; they must not be freed while in use. The only process-wide
 *    state is that of libxml2, xmlsec1 and libcurl, initialised once (see
 *    "Process-wide initialisation" below).
 *  - No varargs, no structs passed by value: every function can be bound
 *    from ctypes or cgo as is.
 */
#ifndef ATTEST_H
#define ATTEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ATTEST_BUILDING) && defined(__GNUC__)
#define ATTEST_API __attribute__((visibility("default")))
#else
#define ATTEST_API
#endif

/* The version of this header. The Makefile reads these three lines (the
 * shared library's file name, libattest.pc), so they are the only place a
 * release number is written. ATTEST_VERSION_NUMBER is 0xMMmmpp: one byte
 * each for major, minor and patch (0.1.0 is 0x000100, 1.12.3 0x010c03),
 * so versions compare as numbers, also in #if. Each part stays below 256. */
#define ATTEST_VERSION_MAJOR 0
#define ATTEST_VERSION_MINOR 1
#define ATTEST_VERSION_PATCH 0
#define ATTEST_VERSION_NUMBER                                                  \
    ((ATTEST_VERSION_MAJOR << 16) | (ATTEST_VERSION_MINOR << 8) | ATTEST_VERSION_PATCH)

/* ------------------------------------------------------------------------
 * Status codes. Values are stable across releases: new codes are appended,
 * never renumbered. Each failed check has its own code.
 * --------------------------------------------------------------------- */
typedef enum attest_status {
    ATTEST_OK = 0,

    /* usage and environment */
    ATTEST_E_INVALID_ARG = -1,         /* NULL or out-of-range argument */
    ATTEST_E_NOMEM = -2,               /* allocation failed (also inside OpenSSL, libxml2,
                                          xmlsec1, jansson): no verdict, retry */
    ATTEST_E_IO = -3,                  /* file could not be read */
    ATTEST_E_INTERNAL = -4,            /* library or crypto backend error */

    /* parsing of evidence */
    ATTEST_E_FORMAT_UNKNOWN = -10,     /* bytes are no evidence format known */
    ATTEST_E_TRUNCATED = -11,          /* input shorter than its format needs */
    ATTEST_E_LENGTH = -12,             /* input longer than its format allows */
    ATTEST_E_UNSUPPORTED_VERSION = -13,/* known format, unknown version */
    ATTEST_E_MALFORMED = -14,          /* a field holds a value its format forbids */

    /* collateral */
    ATTEST_E_COLLATERAL_UNKNOWN = -20, /* a collateral item was not recognised */
    ATTEST_E_COLLATERAL_MISSING = -21, /* a certificate or CRL needed is absent */
    ATTEST_E_COLLATERAL_EXPIRED = -22, /* TCB Info / QE Identity outside issueDate..nextUpdate */
    ATTEST_E_COLLATERAL_SIGNATURE = -23,/* TCB Info / QE Identity signature invalid */
    ATTEST_E_COLLATERAL_MISMATCH = -24,/* collateral for another FMSPC, PCE, TEE or QE */

    /* certificate chains and revocation */
    ATTEST_E_CERT_PARSE = -30,         /* certificate or extension undecodable */
    ATTEST_E_CERT_UNTRUSTED_ROOT = -31,/* chain ends at a root that is not pinned */
    ATTEST_E_CERT_SIGNATURE = -32,     /* a certificate is not signed by its issuer */
    ATTEST_E_CERT_EXPIRED = -33,       /* notAfter before the verification instant */
    ATTEST_E_CERT_NOT_YET_VALID = -34, /* notBefore after the verification instant */
    ATTEST_E_CERT_REVOKED = -35,       /* serial listed in a valid CRL */
    ATTEST_E_CERT_PROFILE = -36,       /* wrong CN, key type, algorithm or role */
    ATTEST_E_CRL_SIGNATURE = -37,      /* CRL not signed by its issuer */
    ATTEST_E_CRL_EXPIRED = -38,        /* CRL nextUpdate passed or thisUpdate ahead */
    ATTEST_E_CRL_MISSING = -39,        /* policy requires a CRL and none was given */

    /* AMD SEV-SNP evidence checks */
    ATTEST_E_SNP_SIGNATURE = -50,      /* ECDSA P-384 report signature invalid */
    ATTEST_E_SNP_SIGNATURE_RANGE = -51,/* r or s is zero or not below the order */
    ATTEST_E_SNP_TCB_BINDING = -52,    /* VEK TCB extensions != REPORTED_TCB */
    ATTEST_E_SNP_CHIP_ID_BINDING = -53,/* VCEK hwID != CHIP_ID */
    ATTEST_E_SNP_SIGNING_KEY = -54,    /* SIGNING_KEY does not match the VEK kind */
    ATTEST_E_SNP_PRODUCT = -55,        /* product unknown or VEK from another product */

    /* policy appraisal */
    ATTEST_E_POLICY_INVALID = -70,     /* policy document malformed or unknown member */
    ATTEST_E_POLICY_TCB = -71,         /* a TCB component below its floor */
    ATTEST_E_POLICY_DEBUG = -72,       /* guest policy allows debugging */
    ATTEST_E_POLICY_GUEST_POLICY = -73,/* SMT, migration agent, single socket, ABI */
    ATTEST_E_POLICY_MEASUREMENT = -74, /* measurement not in the allowed list */
    ATTEST_E_POLICY_REPORT_DATA = -75, /* report_data not equal / not nonce-bound */
    ATTEST_E_POLICY_HOST_DATA = -76,   /* host_data differs */
    ATTEST_E_POLICY_VMPL = -77,        /* VMPL not allowed */
    ATTEST_E_POLICY_ID = -78,          /* family, image, ID key or author key */
    ATTEST_E_POLICY_SIGNER = -79,      /* VCEK or VLEK required and other used */
    ATTEST_E_POLICY_FIRMWARE = -80,    /* guest SVN, firmware version, provisional */
    ATTEST_E_POLICY_TCB_STATUS = -81,  /* TCB status not among the accepted ones */
    ATTEST_E_POLICY_ADVISORY = -82,    /* an advisory ID not allowed */
    ATTEST_E_POLICY_TCB_EVALUATION = -83, /* tcbEvaluationDataNumber below the minimum */
    ATTEST_E_POLICY_COLLATERAL_TIME = -84, /* collateral or certificate outside its validity */
    ATTEST_E_POLICY_PLATFORM = -85,    /* evidence of a platform the policy does not address */

    /* Intel DCAP evidence checks */
    ATTEST_E_DCAP_QUOTE_SIGNATURE = -100,  /* quote not signed by its attestation key */
    ATTEST_E_DCAP_QE_REPORT_SIGNATURE = -101, /* QE report not signed by the PCK key */
    ATTEST_E_DCAP_QE_REPORT_DATA = -102,   /* QE REPORTDATA != SHA-256(key || auth data) */
    ATTEST_E_DCAP_QE_IDENTITY = -103,      /* QE report does not match QE Identity */
    ATTEST_E_DCAP_TCB_NOT_SUPPORTED = -104,/* no TCB level of TCB Info matches */
    ATTEST_E_DCAP_TDX_MODULE = -105,       /* TDX module identity mismatch */

    /* NVIDIA GPU / NVSwitch evidence checks */
    ATTEST_E_NV_REPORT_SIGNATURE = -120,   /* SPDM report not signed by the device leaf */
    ATTEST_E_NV_NONCE = -121,              /* request nonce is not the caller's nonce */
    ATTEST_E_NV_FWID = -122,               /* report FWID != leaf certificate FWID */
    ATTEST_E_NV_RIM_MISMATCH = -123,       /* RIM for another device, product or version */
    ATTEST_E_NV_MEASUREMENT = -124,        /* runtime measurement != RIM golden value */
    ATTEST_E_NV_RIM_CONFLICT = -125,       /* index active in both driver and VBIOS RIMs */
    ATTEST_E_NV_OCSP = -126,               /* OCSP says revoked, on hold or unknown */
    ATTEST_E_NV_TOPOLOGY = -127,           /* PPCIe topology inconsistent */
    ATTEST_E_POLICY_NV_VERSION = -128,     /* driver/VBIOS version not accepted */
    ATTEST_E_POLICY_NV_MODE = -129,        /* SPT/MPT/PPCIe mode not the required one */

    /* composite appraisal and result tokens */
    ATTEST_E_COMPOSITE_BINDING = -140,     /* GPU evidence not bound to this CPU's report */
    ATTEST_E_COMPOSITE_MISSING = -141,     /* a device the policy requires is absent */
    ATTEST_E_TOKEN_MALFORMED = -150,       /* not a token of this profile */
    ATTEST_E_TOKEN_SIGNATURE = -151,       /* token signature invalid or wrong key */
    ATTEST_E_TOKEN_EXPIRED = -152,         /* token expired or not yet issued */
    ATTEST_E_TOKEN_NONCE = -153,           /* token eat_nonce differs */

    /* Azure vTPM (lib/chain/azure_vtpm.c); -168..-169 free */
    ATTEST_E_TPM_AK_KEY = -160,            /* AK JWK not RSA-2048/3072/4096 with e 65537 */
    ATTEST_E_TPM_SIGNATURE = -161,         /* TPM quote not signed by the AK */
    ATTEST_E_TPM_SIGNATURE_FORMAT = -162,  /* quote signature neither raw nor RSASSA/SHA-256 */
    ATTEST_E_TPM_PCR_DIGEST = -163,        /* PCR values do not hash to the signed pcrDigest */
    ATTEST_E_TPM_NONCE = -164,             /* quote extraData is not the caller's nonce */
    ATTEST_E_AZURE_CLAIMS_BINDING = -165,  /* REPORT_DATA[0:32] != SHA-256(runtime claims) */
    ATTEST_E_AZURE_REPORT_DATA_TAIL = -166,/* REPORT_DATA[32:64] not zero */
    ATTEST_E_AZURE_AK_MISMATCH = -167,     /* AK certificate key != the claims' AK */

    /* Azure CVM evidence (lib/api/pipeline_azure.c, lib/appraise/azure_appraise.c) */
    ATTEST_E_AZURE_QUOTE_MISSING = -170,   /* no TPM quote, or no TD quote for a TDREPORT */
    ATTEST_E_AZURE_TD_REPORT = -171,       /* TD quote fields differ from the HCL's TDREPORT */
    ATTEST_E_AZURE_NONCE = -172,           /* a nonce given that nothing in the evidence binds */
    ATTEST_E_POLICY_PCR = -173,            /* a pinned PCR absent, unselected or not allowed */
    ATTEST_E_POLICY_VM_CONFIG = -174,      /* runtime claims vm-configuration not as required */
    ATTEST_E_POLICY_USER_DATA = -175,      /* runtime claims user-data not as required */

    /* RA-TLS: evidence carried by or bound to a TLS peer's key (docs/ratls.md) */
    ATTEST_E_RATLS_NO_EVIDENCE = -180,     /* no evidence extension the binding rule takes */
    ATTEST_E_RATLS_DUPLICATE = -181,       /* a second evidence extension (same OID, or two
                                              carriers the rule takes) */
    ATTEST_E_RATLS_UNKNOWN_TAG = -182,     /* TCG tagged evidence with a CBOR tag not known */
    ATTEST_E_RATLS_TRAILING = -183,        /* bytes after the evidence in its extension */
    ATTEST_E_RATLS_BINDING = -184,         /* REPORT_DATA is not the rule's value for this key */
    ATTEST_E_RATLS_NO_KEY_HASH = -185,     /* claims map without pubkey-hash: no key binding */
    ATTEST_E_RATLS_KEY_HASH = -186,        /* claims pubkey-hash is not the peer key's hash */
    ATTEST_E_RATLS_NONCE = -187,           /* nonce absent, differing, or given to a scheme
                                              that carries none */
    ATTEST_E_RATLS_PEER = -188,            /* peer certificate / CSR / key undecodable or its
                                              self-signature invalid */

    /* expected launch measurements (attest_measure_*, docs/measure.md) */
    ATTEST_E_MEASURE_IMAGE_SIZE = -190,    /* firmware image empty, cut, not whole 4 KiB pages, too big */
    ATTEST_E_MEASURE_NO_METADATA = -191,   /* image without the TDVF or SEV metadata needed */
    ATTEST_E_MEASURE_METADATA = -192,      /* metadata signature, version, length, type malformed */
    ATTEST_E_MEASURE_SECTION_BOUNDS = -193,/* a metadata section outside the image or 4 GiB */
    ATTEST_E_MEASURE_VCPUS = -194,         /* vCPU count 0 or above 1024 */
    ATTEST_E_MEASURE_VCPU_TYPE = -195,     /* vCPU type unknown, missing, or given to a VMM that fixes it */
    ATTEST_E_MEASURE_VMM = -196,           /* VMM type unknown */
    ATTEST_E_MEASURE_GUEST_FEATURES = -197,/* guest features without SNPActive (bit 0) */
    ATTEST_E_MEASURE_KERNEL_HASHES = -198, /* kernel hashes given, no kernel-hashes page to hold them */
    ATTEST_E_MEASURE_INPUT_MISSING = -199, /* no OVMF image or hash, or no AP reset EIP for APs */
    /* event logs (lib/appraise/eventlog_*.c, docs/eventlog.md); -216..-219 free
     * (-180..-199: RA-TLS and measure; -200 stays outside the enum for tests) */
    ATTEST_E_EVENTLOG_REPLAY = -210,       /* a register replayed from the log != the quoted one */
    ATTEST_E_EVENTLOG_STRUCTURE = -211,    /* an event in a register, order or index the log
                                              format forbids (e.g. a second separator) */
    ATTEST_E_EVENTLOG_DIGEST = -212,       /* an event's digest is not the hash of its data */
    ATTEST_E_EVENTLOG_UNUSABLE = -213,     /* a log given that this evidence cannot check */
    ATTEST_E_POLICY_EVENT_LOG = -214,      /* required log absent, or a pinned event differs */
    ATTEST_E_EVENTLOG_TABLE = -215,        /* log does not fit the CCEL table (log area length) */

    /* other verifiers' signed results (NRAS, Intel Trust Authority, Azure
     * Attestation) and the key sets that verify them (docs/results.md);
     * signature, expiry and nonce failures use ATTEST_E_TOKEN_* above */
    ATTEST_E_KEYSET_MALFORMED = -220,      /* key set (JWKS or certificates) undecodable, a key of an
                                              unsupported type, or a JWK whose x5c[0] key differs */
    ATTEST_E_KEYSET_CERT = -221,           /* a key's x5c chain does not verify or is outside its
                                              validity at the verification instant */
    ATTEST_E_TOKEN_ALG = -222,             /* alg none, HS*, not allowed for this issuer, or not the
                                              selected key's alg */
    ATTEST_E_TOKEN_KID = -223,             /* kid absent, unknown to the key set (rotated), or
                                              naming keys that disagree */
    ATTEST_E_TOKEN_ISSUER = -224,          /* iss is not the pinned issuer */
    ATTEST_E_RESULT_SUBMODS = -225,        /* a detached submod missing, extra, or not the digest
                                              the overall token signed */
    ATTEST_E_RESULT_VERDICT = -226,        /* the other verifier's verdict is not trustworthy (overall
                                              false, measurements not matching, error details) */
    ATTEST_E_RESULT_CLAIMS = -227,         /* a claim the mapping needs absent, malformed or of an
                                              unknown value */
    ATTEST_E_RESULT_BINDING = -228,        /* the token's report data / runtime data binding fails */
} attest_status;

/* Static English text for a status code; never NULL. Thread-safe. */
ATTEST_API const char *attest_strerror(int status);

/* The enum name of a status code ("ATTEST_E_SNP_SIGNATURE"), for bindings
 * and JSON; "ATTEST_E_UNKNOWN" for a value not in the enum. Static. */
ATTEST_API const char *attest_status_name(int status);

/* ------------------------------------------------------------------------
 * Errors: the last failure in the calling thread, as a status and a
 * message. Read them right after the call that failed: any later libattest
 * call in the thread may replace them (also one that succeeds, and a call
 * that fails records its own). Each thread has its own pair, so threads
 * never see each other's failures.
 *
 * Two functions returning scalars rather than one returning a struct:
 * each binds as it is (ctypes c_int and c_char_p, cgo C.int and
 * C.GoString), with no struct layout to mirror. A Go binding
 * must read them on the OS thread of the failed call: call the function
 * and read the error from one C helper of the cgo preamble, or hold
 * runtime.LockOSThread across the calls.
 * --------------------------------------------------------------------- */

/* Status of the last failure recorded in the calling thread: the code the
 * failed call returned, ATTEST_OK when none is recorded. Thread-safe. */
ATTEST_API int attest_error_last_status(void);

/* Detail of that failure ("" when none is recorded). The pointer is into
 * the calling thread's storage: do not free it, do not pass it to another
 * thread; copy the text before the next libattest call in this thread. */
ATTEST_API const char *attest_error_last(void);

/* ------------------------------------------------------------------------
 * Version and limits of the library actually loaded (which may be newer
 * than the header an application was compiled with). Thread-safe.
 * --------------------------------------------------------------------- */

/* Library version as "MAJOR.MINOR.PATCH". Static string. */
ATTEST_API const char *attest_version(void);

/* The same as a number, encoded as ATTEST_VERSION_NUMBER (0xMMmmpp). */
ATTEST_API unsigned long attest_version_number(void);

/* The longest nonce attest_verify and attest_bundle_create take, in bytes
 * (ATTEST_NONCE_MAX: 64). */
ATTEST_API size_t attest_nonce_max(void);

/* The most NVIDIA devices, GPUs and NVSwitches together, that one evidence
 * or bundle holds (12: a protected-PCIe machine's 8 GPUs and 4 switches). */
ATTEST_API size_t attest_nvidia_device_max(void);

/* The most OCSP responses one collateral holds (256), and the longest
 * request nonce attest_collateral_add_ocsp takes (32 bytes, RFC 8954). */
ATTEST_API size_t attest_ocsp_response_max(void);
ATTEST_API size_t attest_ocsp_nonce_max(void);

/* Release a string returned through a `char **` out parameter. NULL ok. */
ATTEST_API void attest_string_free(char *s);

/* Release bytes returned through a `uint8_t **` out parameter (with their
 * length in a `size_t *`), e.g. by attest_result_to_cbor. NULL ok. */
ATTEST_API void attest_bytes_free(uint8_t *p);

/* ------------------------------------------------------------------------
 * Process-wide initialisation: libxml2, xmlsec1 and libcurl.
 *
 * NVIDIA RIMs are signed XML, checked with libxml2 and xmlsec1 (OpenSSL
 * backend), which keep process-wide state. libattest initialises OpenSSL
 * (OPENSSL_init_crypto, then a first fetch from its default provider),
 * libxml2 and xmlsec1 explicitly, with each result checked, where a
 * verification starts: attest_evidence_parse and attest_collateral_new
 * (attest_verifier_new and the token functions: OpenSSL only). A failure
 * there (out of memory) is that call's error: ATTEST_E_NOMEM when a later
 * call may succeed (the provider, libxml2's first read), ATTEST_E_INTERNAL
 * when the step cannot be retried (OPENSSL_init_crypto, xmlsec1), never a
 * half-initialised library found later. This happens once per process,
 * under pthread_once, so first calls from several threads at a time are
 * safe. It calls xmlInitParser() (checked by reading a small document);
 * then, unless the host has initialised
 * xmlsec1 with its OpenSSL backend already (that set-up is then used as it
 * is), xmlSecInit(), xmlSecOpenSSLAppInit(NULL) and xmlSecOpenSSLInit(),
 * and replaces xmlsec1's error callback, which is process-wide, with a
 * silent one (a library must not print to stderr; failures come through
 * attest_error_last()). If a step fails, every RIM is refused with
 * ATTEST_E_INTERNAL naming the step.
 *
 * None of it is ever undone: libattest has no shutdown function and never
 * calls xmlSecShutdown(), xmlSecOpenSSLShutdown(),
 * xmlSecOpenSSLAppShutdown() or xmlCleanupParser(). A host must not call
 * them either while any thread may still use libattest.
 *
 * libcurl (online collateral fetching) likewise: libattest calls
 * curl_global_init(CURL_GLOBAL_DEFAULT) once per process, under
 * pthread_once, when it first fetches something over HTTP, never before,
 * and never calls curl_global_cleanup(). libcurl counts these calls: a
 * host that calls curl_global_init() itself may call its own matching
 * curl_global_cleanup(), but no more. If it fails, every fetch fails with
 * ATTEST_E_INTERNAL.
 * --------------------------------------------------------------------- */

/* ------------------------------------------------------------------------
 * Evidence
 * --------------------------------------------------------------------- */
typedef struct attest_evidence attest_evidence;

typedef enum attest_format {
    ATTEST_FORMAT_UNKNOWN = 0,
    ATTEST_FORMAT_SNP_REPORT = 1,  /* AMD SEV-SNP ATTESTATION_REPORT */
    ATTEST_FORMAT_DCAP_QUOTE = 2,  /* Intel DCAP quote: v3 (SGX), v4 and v5 (TDX, SGX) */
    ATTEST_FORMAT_NVIDIA = 3,      /* NVIDIA GPU/NVSwitch SPDM reports (1..12 devices) */
    ATTEST_FORMAT_BUNDLE = 4,      /* evidence bundle: CPU + GPUs + collateral (docs/bundle.md) */
    ATTEST_FORMAT_AZURE_VTPM = 5,  /* Azure confidential VM: HCL report (SNP report or
                                      TDREPORT inside) with its TPM quote and, for TDX,
                                      its TD quote (docs/azure.md) */
} attest_format;

/* Parse evidence from `len` bytes, detecting the format from the content.
 * The bytes are copied; the caller keeps ownership of `data`.
 * An AMD SNP report is exactly 1184 bytes (or the 4000-byte
 * MSG_REPORT_RSP that wraps one); an Intel DCAP quote carries its own
 * lengths (zero padding after its signature data is accepted); NVIDIA
 * evidence is a raw SPDM report (its device chain then comes with the
 * collateral) or a JSON container of NVIDIA's tools holding up to
 * attest_nvidia_device_max() GPUs and NVSwitches with their chains; a
 * bundle is JSON (docs/bundle.md). Also accepted: Trustee's SNP evidence
 * JSON (the sev crate's fields, rebuilt into the report's bytes, which its
 * signature then judges; the certificates of its cert_chain are used as
 * collateral beside the caller's), and any evidence as base64 or hex text
 * (decoded once: text inside is not decoded again). An unknown item's
 * error says what it looks like and lists the accepted forms.
 * Azure evidence is an HCL report alone or a Trustee az-snp-vtpm /
 * az-tdx-vtpm evidence JSON (versions 0, 1, 2: HCL report, TPM quote with
 * signature and PCR values, TD quote, and a VCEK that the verification
 * adds to a copy of the caller's collateral, judged as a collateral file
 * is; docs/azure.md).
 * Errors: ATTEST_E_FORMAT_UNKNOWN, ATTEST_E_TRUNCATED, ATTEST_E_LENGTH, ATTEST_E_UNSUPPORTED_VERSION,
 * ATTEST_E_MALFORMED, ATTEST_E_NOMEM. Thread-safe. */
ATTEST_API int attest_evidence_parse(attest_evidence **out,
                                     const uint8_t *data, size_t len);

/* The parts of evidence that comes in pieces. Azure confidential VMs
 * (docs/azure.md): the HCL report read from vTPM NV index 0x01400001, the
 * TPM2_Quote made with the AK (its TPMS_ATTEST bytes, its signature, the
 * values of the PCRs it selects) and, for a TDX VM, the TD quote Azure
 * IMDS issues for the HCL's TDREPORT. */
typedef enum attest_part_kind {
    ATTEST_PART_HCL_REPORT = 1,    /* the HCL report, as read (zero tail included) */
    ATTEST_PART_TPM_QUOTE = 2,     /* TPMS_ATTEST, exactly the signed bytes; or a
                                      quote container (az-cvm-vtpm quote.bin, Trustee
                                      tpm-quote JSON) carrying signature and PCR values
                                      (then no TPM_SIGNATURE / TPM_PCRS part) */
    ATTEST_PART_TPM_SIGNATURE = 3, /* RSASSA-PKCS1-v1_5 SHA-256 signature: raw, or
                                      a TPMT_SIGNATURE */
    ATTEST_PART_TPM_PCRS = 4,      /* the selected PCRs' SHA-256 values, 32 bytes
                                      each, in ascending PCR index order */
    ATTEST_PART_TD_QUOTE = 5,      /* the TD quote of the HCL's TDREPORT */
} attest_part_kind;

/* Evidence from `n` parts (1..5): kinds[i] names what data[i] (lens[i]
 * bytes, copied) is. Each kind at most once; the HCL report is required;
 * a TPM quote needs its signature, PCR values need their quote, a TD quote
 * needs an HCL report that holds a TDREPORT. The format is
 * ATTEST_FORMAT_AZURE_VTPM. attest_evidence_parse() takes an HCL report
 * alone (no quote: not fresh, rejected by the default policy). Errors:
 * ATTEST_E_INVALID_ARG (kinds, counts, empty parts, naming the part),
 * ATTEST_E_MALFORMED (parts that do not belong together: a signature or
 * PCR values without a quote, a TD quote beside an SNP report), the parse
 * errors of attest_evidence_parse naming the field
 * ("azure.hcl.report_type: ..."), ATTEST_E_NOMEM. Thread-safe. */
ATTEST_API int attest_evidence_from_parts(attest_evidence **out,
                                          const attest_part_kind *kinds,
                                          const uint8_t *const *data, const size_t *lens,
                                          size_t n);

/* The detected format of parsed evidence. */
ATTEST_API attest_format attest_evidence_format(const attest_evidence *ev);

/* Every parsed field as a JSON object (byte strings as lowercase hex).
 * *out is owned by the caller (attest_string_free). */
ATTEST_API int attest_evidence_to_json(char **out, const attest_evidence *ev);

ATTEST_API void attest_evidence_free(attest_evidence *ev);

/* ------------------------------------------------------------------------
 * Collateral: what the verifier may use besides the evidence: certificates
 * and CRLs of every vendor, Intel's TCB Info and QE Identity, NVIDIA's
 * RIMs and OCSP responses. Everything added is untrusted input: a root
 * certificate carried here is used only if its key is a trust anchor.
 * --------------------------------------------------------------------- */
typedef struct attest_collateral attest_collateral;

ATTEST_API int attest_collateral_new(attest_collateral **out);

/* Add one item, recognised by content: a DER certificate, a DER CRL,
 * PEM text holding any number of CERTIFICATE and X509 CRL blocks (added
 * whole, or refused whole when one block does not decode), an
 * Intel PCS JSON body (TCB Info, Enclave Identity) kept byte-exact, a DER
 * OCSP response, an Azure THIM JSON {vcekCert, certificateChain, tcbm,
 * cacheControl} or its base64 text (Confidential ACI's host-amd-cert-base64;
 * parsed strictly: exactly those four string members, no duplicate, tcbm 16
 * upper-case hex digits equal to the TCB_VERSION the VCEK's SPL extensions
 * make, certificateChain the ASK then the ARK that issue the VCEK, else
 * refused whole naming the member, ATTEST_E_MALFORMED,
 * ATTEST_E_COLLATERAL_MISMATCH for tcbm or ATTEST_E_CERT_PROFILE; its three
 * certificates are then added as the PEM texts would be, untrusted like
 * any), or an NVIDIA RIM (XML; stored parsed, or as unparsable:
 * its signature is checked, and a bad RIM reported as a failed check, by
 * the verification that uses it; the first RIM initialises libxml2 and
 * xmlsec1: see "Process-wide initialisation"). Forms expanding to those:
 * the SNP extended report's certificate table (SNP_GET_EXT_REPORT,
 * configfs-tsm auxblob: every entry a known GUID once, in bounds, not
 * overlapping; its certificates added), dcap-qvl's collateral JSON (its
 * CRLs, chains, and TCB Info / QE Identity rebuilt byte-exact as PCS
 * bodies), NVIDIA's RIM service JSON (its RIM, after sha256 and id
 * matched); a form is added whole or not at all (ATTEST_E_MALFORMED names
 * the field). Any item may be base64 or hex text, decoded once. Event
 * logs (docs/eventlog.md: the CCEL table, a CCEL or TPM TCG log, dstack's
 * JSON log, the CoCo AA text log) are taken in their own form, parsed now
 * (errors name the field; a second log of one kind is
 * ATTEST_E_INVALID_ARG) and checked by attest_verify against the quote
 * they explain: a log that does not replay rejects the verification. The bytes
 * are copied. Errors: ATTEST_E_COLLATERAL_UNKNOWN (detail says what the
 * item looks like and lists the accepted forms), ATTEST_E_MALFORMED,
 * ATTEST_E_LENGTH (more than attest_ocsp_response_max() OCSP responses),
 * ATTEST_E_NOMEM.
 * Not thread-safe on the same object. */
ATTEST_API int attest_collateral_add(attest_collateral *c,
                                     const uint8_t *data, size_t len);

/* Add one DER OCSP response with the nonce of the request it answers
 * (the value of the request's id-pkix-ocsp-nonce, 1 to
 * attest_ocsp_nonce_max() = 32 bytes, RFC 8954; NULL and 0: not known, as
 * for attest_collateral_add). A response counts as live only when it
 * carries that nonce (its id-pkix-ocsp-nonce value a DER OCTET STRING
 * holding those bytes); one carrying another nonce fails the OCSP check;
 * one without a nonce, or added without a request nonce, is a stored
 * response (see docs/policy.md, nvidia.allow_stored_ocsp). A collateral
 * holds at most attest_ocsp_response_max() = 256 OCSP responses, however
 * added. Errors: ATTEST_E_INVALID_ARG (a nonce longer than 32 bytes),
 * ATTEST_E_COLLATERAL_UNKNOWN (not a DER OCSP response), ATTEST_E_LENGTH
 * (a 257th response), ATTEST_E_NOMEM. Not thread-safe on the same object. */
ATTEST_API int attest_collateral_add_ocsp(attest_collateral *c, const uint8_t *der, size_t len,
                                          const uint8_t *request_nonce, size_t nonce_len);

/* Number of certificates and CRLs held. */
ATTEST_API size_t attest_collateral_cert_count(const attest_collateral *c);
ATTEST_API size_t attest_collateral_crl_count(const attest_collateral *c);

ATTEST_API void attest_collateral_free(attest_collateral *c);

/* ------------------------------------------------------------------------
 * Classifying input: what a file is, decided by its content with the rules
 * attest_evidence_parse and attest_collateral_add use, so that a caller
 * sorting files into evidence and collateral (the attest CLI,
 * attest_bundle_create) decides as those functions will.
 * --------------------------------------------------------------------- */
typedef enum attest_item_kind {
    ATTEST_ITEM_UNKNOWN = 0,          /* neither evidence nor collateral */
    /* Evidence (1..15): the value is the attest_format it parses to. */
    ATTEST_ITEM_EVIDENCE_SNP = 1,     /* AMD SEV-SNP report or MSG_REPORT_RSP */
    ATTEST_ITEM_EVIDENCE_DCAP = 2,    /* Intel DCAP quote */
    ATTEST_ITEM_EVIDENCE_NVIDIA = 3,  /* NVIDIA SPDM report or JSON container */
    ATTEST_ITEM_BUNDLE = 4,           /* evidence bundle (docs/bundle.md) */
    ATTEST_ITEM_EVIDENCE_AZURE = 5,   /* Azure HCL report (vTPM NV 0x01400001) or
                                         Trustee az-snp/az-tdx-vtpm evidence JSON */
    /* Collateral (16 and above): items for attest_collateral_add. */
    ATTEST_ITEM_CERTIFICATES = 16,    /* a DER certificate, or PEM text holding
                                         at least one certificate (CRLs may
                                         come with them) */
    ATTEST_ITEM_CRL = 17,             /* a DER CRL, or PEM text of CRLs only */
    ATTEST_ITEM_TCB_INFO = 18,        /* Intel PCS TCB Info body (JSON) */
    ATTEST_ITEM_QE_IDENTITY = 19,     /* Intel PCS Enclave Identity body (JSON) */
    ATTEST_ITEM_RIM = 20,             /* NVIDIA RIM (SWID tag XML) */
    ATTEST_ITEM_OCSP = 21,            /* DER OCSP response */
    ATTEST_ITEM_THIM = 22,            /* Azure THIM JSON {vcekCert, certificateChain,
                                         tcbm, cacheControl}, or its base64 text
                                         (Confidential ACI's host-amd-cert-base64) */
    ATTEST_ITEM_DCAP_COLLATERAL = 23, /* dcap-qvl collateral JSON: Intel CRLs,
                                         chains, TCB Info and QE Identity */
    /* Event logs (docs/eventlog.md): checked against the quote they explain. */
    ATTEST_ITEM_CCEL_TABLE = 24,      /* ACPI CCEL table (/sys/firmware/acpi/tables/CCEL) */
    ATTEST_ITEM_CCEL_LOG = 25,        /* CCEL log area: TCG crypto-agile log whose only
                                         bank is SHA-384 (TDX) or SM3, CC MR indexes 0..4 */
    ATTEST_ITEM_TCG_LOG = 26,         /* TPM TCG PC Client crypto-agile log (PCRs) */
    ATTEST_ITEM_DSTACK_LOG = 27,      /* dstack JSON event log [{imr, event_type, digest,
                                         event, event_payload}] */
    ATTEST_ITEM_AAEL_LOG = 28,        /* CoCo attestation-agent event log (text, "INIT ...") */
    ATTEST_ITEM_NRAS_RESULT = 29,     /* NVIDIA NRAS response [["JWT", ..], {"GPU-0": ..}]
                                         (docs/results.md): GPUs appraised by NRAS */
    ATTEST_ITEM_KEYSET = 30,          /* JWKS {"keys": [...]} verifying an NRAS result */
} attest_item_kind;

/* Classify `len` bytes by content. Collateral is decided first, as
 * attest_collateral_add decides: an Azure THIM JSON (a JSON object with a
 * "vcekCert", "certificateChain" or "tcbm" member, or base64 text of one),
 * JSON with a "tcbInfo" or "enclaveIdentity"
 * object member, XML opening with a SoftwareIdentity (SWID tag), PEM text
 * every block of which is a certificate or CRL that decodes, or one DER
 * certificate, CRL or OCSP response (every byte decoded). Anything else
 * that attest_evidence_parse would detect as a format is that evidence
 * (bundle, DCAP quote, NVIDIA report or container, SEV-SNP report, tried
 * in this order; any 1184 bytes pass for an SNP report, so a certificate
 * of that size is still a certificate). The decision is detection, not
 * verification: nothing is checked beyond what telling kinds apart needs,
 * so an item of a known kind may still fail to parse or be added (and the
 * error then names the field). *out is ATTEST_ITEM_UNKNOWN for anything
 * else, including 0 bytes. Event logs are recognised first, in their own
 * form (ATTEST_ITEM_CCEL_TABLE .. ATTEST_ITEM_AAEL_LOG). Errors:
 * ATTEST_E_INVALID_ARG (out NULL, or
 * data NULL with len > 0), ATTEST_E_NOMEM. Thread-safe. */
ATTEST_API int attest_classify(attest_item_kind *out, const uint8_t *data, size_t len);

/* Short name of a kind ("snp-report", "tcb-info"; "unknown" for a value
 * not in the enum), for messages and bindings. Static string. */
ATTEST_API const char *attest_item_kind_name(attest_item_kind kind);

/* An event log item (a kind ATTEST_ITEM_CCEL_TABLE .. ATTEST_ITEM_AAEL_LOG)
 * parsed and shown as JSON {kind, log: {...every event...}} for
 * inspection (docs/eventlog.md); nothing is verified. *out is owned by the
 * caller (attest_string_free). Errors: ATTEST_E_INVALID_ARG,
 * ATTEST_E_FORMAT_UNKNOWN (not an event log), the parse errors naming the
 * field, ATTEST_E_NOMEM. Thread-safe. */
ATTEST_API int attest_eventlog_to_json(char **out, const uint8_t *data, size_t len);

/* A TPM 2.0 quote and the TCG log that explains it (docs/eventlog.md,
 * "TPM quote and log"). Checks, in this order, each failing closed:
 * the quote (`quote`: its TPMS_ATTEST, exactly the signed bytes; one PCR
 * bank: SHA-1, SHA-256, SHA-384 or SHA-512) is signed by the AK
 * (`ak_tpmt_public`: an RSA TPMT_PUBLIC, 2048/3072/4096 bits, exponent
 * 65537) with RSASSA-PKCS1-v1_5/SHA-256 (`sig`: raw or a TPMT_SIGNATURE);
 * extraData equals `nonce` (when nonce_len is 0, a quote whose extraData
 * is not empty is refused: ATTEST_E_TPM_NONCE); SHA-256 over `pcr_values`
 * (the values of exactly the selected PCRs in ascending index order, each
 * of the bank's digest size) equals pcrDigest; the log's replay of the
 * quoted bank equals the quoted value of every PCR the log extends, and
 * each such PCR must be selected. The AK is taken as given: tying it to
 * a device (its certificate, an enrolment) is the caller's part. Returns
 * ATTEST_OK or the first failure with attest_error_last() naming it:
 * ATTEST_E_INVALID_ARG, the parse errors of the quote, AK and log,
 * ATTEST_E_TPM_AK_KEY, ATTEST_E_TPM_SIGNATURE(_FORMAT), ATTEST_E_TPM_NONCE,
 * ATTEST_E_TPM_PCR_DIGEST, ATTEST_E_EVENTLOG_REPLAY ("tpm.event_log.pcrN"),
 * ATTEST_E_EVENTLOG_UNUSABLE (the log lacks the bank), ATTEST_E_NOMEM.
 * Nothing is kept; thread-safe. */
ATTEST_API int attest_tpm_log_verify(const uint8_t *ak_tpmt_public, size_t ak_len,
                                     const uint8_t *quote, size_t quote_len,
                                     const uint8_t *sig, size_t sig_len,
                                     const uint8_t *pcr_values, size_t pcr_len,
                                     const uint8_t *event_log, size_t log_len,
                                     const uint8_t *nonce, size_t nonce_len);

/* ------------------------------------------------------------------------
 * What evidence still needs: the collateral a verification of some
 * evidence would use that a collateral does not hold yet, each item with
 * the request at the vendor's default service that provides it (AMD KDS
 * https://kdsintf.amd.com, Intel PCS v4 https://api.trustedservices.intel.com,
 * NVIDIA RIM https://rim.attestation.nvidia.com, NVIDIA OCSP
 * https://ocsp.ndis.nvidia.com). Nothing here touches the network: it is a
 * plan, for a fetcher or for an air-gapped user who fetches elsewhere.
 * --------------------------------------------------------------------- */
typedef struct attest_needs attest_needs;

typedef enum attest_need_kind {
    ATTEST_NEED_NOT_FETCHABLE = 0,     /* needed, but no service provides it
                                          (a VLEK; a VCEK of a masked chip ID);
                                          method and URL are "" */
    ATTEST_NEED_AMD_VCEK = 1,          /* KDS /vcek/v1/{product}/{hwID}?..SPL= */
    ATTEST_NEED_AMD_CERT_CHAIN = 2,    /* KDS /{vcek,vlek}/v1/{product}/cert_chain;
                                          not listed: the ASK/ASVK and ARK of
                                          every product are built in */
    ATTEST_NEED_AMD_CRL = 3,           /* KDS /{vcek,vlek}/v1/{product}/crl */
    ATTEST_NEED_INTEL_TCB_INFO = 4,    /* PCS /{sgx,tdx}/certification/v4/tcb?fmspc= */
    ATTEST_NEED_INTEL_QE_IDENTITY = 5, /* PCS /{sgx,tdx}/certification/v4/qe/identity */
    ATTEST_NEED_INTEL_PCK_CRL = 6,     /* PCS /sgx/certification/v4/pckcrl?ca= */
    ATTEST_NEED_INTEL_ROOT_CA_CRL = 7, /* Intel SGX Root CA CRL (DER) */
    ATTEST_NEED_NVIDIA_RIM = 8,        /* RIM service /v1/rim/{id} (JSON wrapping
                                          the RIM in base64) */
    ATTEST_NEED_NVIDIA_OCSP = 9,       /* OCSP POST about one certificate: the
                                          request body is built by the fetcher */
    ATTEST_NEED_NRAS_JWKS = 10,        /* NRAS /.well-known/jwks.json: the key set
                                          of an NRAS result held without one
                                          (docs/results.md) */
} attest_need_kind;

/* List what verifying `ev` would need that `have` (may be NULL) does not
 * hold; a bundle's own collateral counts as held. "Held" is decided with
 * the verification's predicates where they are cheap: a VCEK whose hwID
 * and TCB fit the report, the ASK/ASVK and ARK of the product by name
 * (held, or built in as they all are: certs/README.md), a
 * CRL by its issuer's name, a TCB Info of the quote's FMSPC and TEE, a
 * QE Identity of the TEE (QE or TD QE), a RIM of the device's product and
 * version, an OCSP response holding the certificate's CertID. Signatures,
 * validity and OCSP nonces are not judged (the verification does that), so
 * an expired item counts as held; anything undecidable is listed. An SNP
 * report that names no product (version 2 has no CPUID fields) lists the
 * items of every product it may be (Milan and Genoa; also Turin for a
 * later report with an unlisted CPUID), each reason saying it is one of
 * the candidates, unless a fitting VEK is held: its productName then
 * names the product. NVIDIA: the driver RIM (GPUs), VBIOS or switch BIOS RIM
 * of each device by the id NVIDIA's tools derive from the report, OCSP for
 * the device chain's certificates 1..n-2 (the evidence's chain, or for a
 * raw report the collateral's from the "FMC LF" leaf; a raw report with
 * neither chain nor CHIP_INFO is taken for a Hopper GH100) and for the
 * signing chain of each RIM held. Duplicates (one
 * request serving several checks) are listed once. Errors:
 * ATTEST_E_INVALID_ARG, ATTEST_E_NOMEM. Thread-safe. */
ATTEST_API int attest_collateral_needs(attest_needs **out, const attest_evidence *ev,
                                       const attest_collateral *have);

/* Number of items (0: nothing is missing). */
ATTEST_API size_t attest_needs_count(const attest_needs *n);

/* Item i's kind (ATTEST_NEED_NOT_FETCHABLE out of range). */
ATTEST_API attest_need_kind attest_needs_kind(const attest_needs *n, size_t i);

/* Item i's HTTP method ("GET", "POST"; "" when not fetchable), its URL at
 * the vendor's default service ("" when not fetchable), for OCSP the
 * certificate it is about ("CN=..., serial=<hex>"; "" otherwise), and
 * why it is needed: the device and check ("cpu0 snp.vek: ...",
 * "gpu0.driver_rim: ..."). Borrowed; NULL when i is out of range. */
ATTEST_API const char *attest_needs_method(const attest_needs *n, size_t i);
ATTEST_API const char *attest_needs_url(const attest_needs *n, size_t i);
ATTEST_API const char *attest_needs_subject(const attest_needs *n, size_t i);
ATTEST_API const char *attest_needs_reason(const attest_needs *n, size_t i);

/* Short name of a kind ("amd-vcek", "nvidia-ocsp"; "unknown" for a value
 * not in the enum). Static string. */
ATTEST_API const char *attest_need_kind_name(attest_need_kind kind);

/* The list as a JSON array of {kind, method, url, reason[, subject]};
 * *out is owned by the caller (attest_string_free). */
ATTEST_API int attest_needs_to_json(char **out, const attest_needs *n);

ATTEST_API void attest_needs_free(attest_needs *n);

/* ------------------------------------------------------------------------
 * Fetching collateral online: what attest_collateral_needs lists, from the
 * vendors' services (or a PCCS, a mirror), in one HTTP batch (libcurl;
 * parallel, bounded in time, retries and size; proxies from the
 * environment), optionally through a directory cache shared by processes.
 * Every answer is added to the caller's collateral exactly as the same
 * bytes read from a file would be, and judged by the verification as
 * usual: a server or a cache can add items, never make evidence pass.
 * Nothing else in libattest touches the network. OCSP answers are
 * fetched with a fresh nonce per request and never cached.
 * --------------------------------------------------------------------- */
typedef struct attest_fetcher attest_fetcher;

typedef enum attest_service {
    ATTEST_SERVICE_AMD_KDS = 0,        /* default https://kdsintf.amd.com */
    ATTEST_SERVICE_INTEL_PCS = 1,      /* default https://api.trustedservices.intel.com */
    ATTEST_SERVICE_INTEL_PCCS = 2,     /* none; when set it replaces the PCS, and
                                          the Root CA CRL comes from its
                                          /sgx/certification/v4/rootcacrl (hex) */
    ATTEST_SERVICE_INTEL_ROOT_CA_CRL = 3, /* the whole URL of the Intel SGX Root CA
                                          CRL; default the CDP
                                          https://certificates.trustedservices.intel.com/IntelSGXRootCA.der */
    ATTEST_SERVICE_NVIDIA_RIM = 4,     /* default https://rim.attestation.nvidia.com */
    ATTEST_SERVICE_NVIDIA_OCSP = 5,    /* default https://ocsp.ndis.nvidia.com (the
                                          requests are POSTed to the URL itself) */
    ATTEST_SERVICE_AZURE_THIM = 6,     /* none (opt-in: reachable only inside Azure,
                                          e.g. http://169.254.169.254/metadata/THIM/amd/certification);
                                          the whole URL. When set, an SNP report's VCEK
                                          and its ASK/ARK are asked of it instead of
                                          KDS: GET URL?tcbVersion=<REPORTED_TCB, 16 hex>
                                          &platformId=<CHIP_ID, 128 hex> with header
                                          "Metadata: true"; the JSON answer is added as
                                          attest_collateral_add adds a THIM JSON and
                                          cached for its cacheControl seconds at most.
                                          The CRL still comes from KDS. */
    ATTEST_SERVICE_NVIDIA_NRAS = 7,    /* default https://nras.attestation.nvidia.com
                                          (its /.well-known/jwks.json: the keys that
                                          sign NRAS results; never cached on disk:
                                          they rotate several times a day) */
} attest_service;

/* A fetcher with the default services, libcurl's CA bundle, no cache,
 * online. Free with attest_fetcher_free. Errors: ATTEST_E_INVALID_ARG,
 * ATTEST_E_NOMEM. The setters below are not thread-safe on the same
 * fetcher; a configured fetcher may be used by several threads at once. */
ATTEST_API int attest_fetcher_new(attest_fetcher **out);
ATTEST_API void attest_fetcher_free(attest_fetcher *f);

/* Point `service` at base URL `url` (http:// or https://, copied, a
 * trailing '/' ignored; the vendor's paths are appended; for
 * ATTEST_SERVICE_INTEL_ROOT_CA_CRL the whole URL). NULL restores the
 * default. Errors: ATTEST_E_INVALID_ARG (unknown service, another scheme,
 * longer than 1023 bytes), ATTEST_E_NOMEM. */
ATTEST_API int attest_fetcher_set_service(attest_fetcher *f, attest_service service,
                                          const char *url);

/* PEM CA bundle that TLS servers are verified with (copied; NULL:
 * libcurl's default). Errors: ATTEST_E_INVALID_ARG, ATTEST_E_NOMEM. */
ATTEST_API int attest_fetcher_set_ca_file(attest_fetcher *f, const char *path);

/* Cache answers in directory `dir` (copied; created mode 0700 at the
 * first fetch; NULL: no cache, the default). An answer is cached only once
 * it was added, until the earliest of its own validity ends (CRL, TCB Info
 * and QE Identity nextUpdate, certificate notAfter, the issuer chain's
 * notAfter; a RIM, which has none, a day); entries are keyed by request.
 * Errors: ATTEST_E_INVALID_ARG, ATTEST_E_NOMEM. */
ATTEST_API int attest_fetcher_set_cache_dir(attest_fetcher *f, const char *dir);

/* Offline (non-zero): answer from the cache only, never the network. Errors:
 * ATTEST_E_INVALID_ARG. */
ATTEST_API int attest_fetcher_set_offline(attest_fetcher *f, int offline);

/* The instant (Unix seconds) the cache compares expiry with; 0: the
 * clock (the default). For tests and replays of recorded answers.
 * Errors: ATTEST_E_INVALID_ARG (negative). */
ATTEST_API int attest_fetcher_set_time(attest_fetcher *f, int64_t unix_time);

/* Which TCB evaluation Intel's TCB Info and QE Identity requests ask for
 * (the Intel PCS v4 query parameters `update` and `tcbEvaluationDataNumber`). */
typedef enum attest_tcb_update {
    ATTEST_TCB_UPDATE_DEFAULT = 0,  /* no parameter: the service's default (standard) */
    ATTEST_TCB_UPDATE_STANDARD = 1, /* update=standard */
    ATTEST_TCB_UPDATE_EARLY = 2,    /* update=early: the evaluation published
                                       before the standard one moves to it */
} attest_tcb_update;

/* Ask Intel for `update` (PCS and PCCS support it), or, when
 * `evaluation_number` is not 0, for that tcbEvaluationDataNumber
 * (update must then be ATTEST_TCB_UPDATE_DEFAULT: the PCS refuses both
 * in one request). A pinned number is enforced: an answer (fetched or
 * cached) of another number, or whose number cannot be read, is refused
 * and stays missing. A PCCS does not support the number: with
 * ATTEST_SERVICE_INTEL_PCCS set, attest_fetch_collateral fails with
 * ATTEST_E_INVALID_ARG. Default: DEFAULT, 0. Errors: ATTEST_E_INVALID_ARG
 * (both given, an unknown update, a number over 2^31-1). */
ATTEST_API int attest_fetcher_set_tcb_evaluation(attest_fetcher *f, attest_tcb_update update,
                                                 unsigned evaluation_number);

/* Called once per item attest_fetch_collateral adds to the collateral,
 * with its kind and the exact bytes given to attest_collateral_add (the
 * body; for Intel answers also the decoded issuer chain as PEM; for a RIM
 * the decoded XML); borrowed for the call. For a caller that keeps the
 * bytes (a bundle). Runs in the calling thread. */
typedef void (*attest_fetch_added_fn)(void *ctx, attest_need_kind kind, const uint8_t *data,
                                      size_t len);

/* Set (NULL: clear) the callback above. Errors: ATTEST_E_INVALID_ARG. */
ATTEST_API int attest_fetcher_set_on_added(attest_fetcher *f, attest_fetch_added_fn fn,
                                           void *ctx);

/* Fetch what verifying `ev` needs that `coll` (and a bundle's own
 * collateral) lacks, and add it to `coll`: AMD VCEK (DER) and CRL (DER)
 * (a cert_chain only if ever listed: the ASK/ASVK and ARK are built in); Intel TCB Info and QE Identity (JSON, byte-exact)
 * and the PCK CRL, each with its percent-decoded issuer-chain header as
 * PEM, and the Root CA CRL (DER; a PCCS's hex decoded); NVIDIA RIMs from
 * the RIM service's JSON {id, rim, sha256}, refused unless the id is the
 * one asked for and sha256 is that of the decoded RIM; NVIDIA OCSP
 * responses, each POSTed as application/ocsp-request (CertID hashed with
 * SHA-384, a fresh random 32-byte nonce in a non-critical extension) and added with
 * attest_collateral_add_ocsp and that nonce, so that the verification
 * takes a response echoing it as live; never cached. RIMs fetched name
 * their signing chains, whose OCSP is fetched in a second round. With
 * ATTEST_SERVICE_AZURE_THIM set, an SNP report's VCEK and chain come from
 * THIM's JSON instead (added as attest_collateral_add adds it; an answer
 * that is no THIM JSON is refused). *missing (always
 * set on success; attest_needs_free) lists what `coll` still lacks, each
 * reason naming the URL and the HTTP status or transfer error, an answer
 * refused by attest_collateral_add or one that did not fit the evidence
 * (added nonetheless: the verification reports it), "offline: not in the
 * cache", not fetched, or not fetchable. A failed request is
 * not an error of this call. Returns 0, or ATTEST_E_INVALID_ARG (a NULL
 * argument, evidence of no known format, a pinned tcbEvaluationDataNumber
 * with a PCCS), ATTEST_E_NOMEM, ATTEST_E_IO (the
 * cache directory cannot be opened), ATTEST_E_INTERNAL (libcurl could not
 * start, or an OCSP request could not be built: OpenSSL failed to make
 * its CertID, draw its nonce or encode it; nothing is fetched then).
 * Thread-safe for distinct `coll`; not on the same collateral. */
ATTEST_API int attest_fetch_collateral(attest_fetcher *f, const attest_evidence *ev,
                                       attest_collateral *coll, attest_needs **missing);

/* The URL `f` would request for item i of `needs` (a list made for `ev`):
 * the need's URL at the configured service, or, with
 * ATTEST_SERVICE_AZURE_THIM set, the THIM request for an SNP VCEK or its
 * chain; "" when the item is not fetchable. Nothing is fetched. For
 * showing the plan (attest collateral list --thim). Errors:
 * ATTEST_E_INVALID_ARG (NULL, i out of range, n == 0), ATTEST_E_LENGTH
 * (the URL has n bytes or more). Thread-safe. */
ATTEST_API int attest_fetcher_request_url(const attest_fetcher *f, const attest_evidence *ev,
                                          const attest_needs *needs, size_t i, char *out,
                                          size_t n);

/* ------------------------------------------------------------------------
 * Policy: what the relying party accepts, loaded from JSON (see
 * docs/policy.md). Defaults are strict; every relaxation is a named member.
 * Unknown members are an error (a typo must not weaken a policy).
 * --------------------------------------------------------------------- */
typedef struct attest_policy attest_policy;

/* Parse a policy document of `len` bytes (need not be NUL-terminated).
 * Errors: ATTEST_E_POLICY_INVALID (detail names the member), ATTEST_E_NOMEM. */
ATTEST_API int attest_policy_from_json(attest_policy **out,
                                       const char *json, size_t len);

/* The strict default policy: it addresses every platform, each with the
 * defaults docs/policy.md lists (for SEV-SNP, say: debug and migration
 * agent forbidden, CRL required; no floors or expected values). */
ATTEST_API int attest_policy_default(attest_policy **out);

ATTEST_API void attest_policy_free(attest_policy *p);

/* ------------------------------------------------------------------------
 * Verifier: trust anchors, verification instant, caches. Shareable.
 * --------------------------------------------------------------------- */
typedef struct attest_verifier attest_verifier;

typedef enum attest_vendor {
    ATTEST_VENDOR_AMD = 1,
    ATTEST_VENDOR_INTEL = 2,
    ATTEST_VENDOR_NVIDIA_DEVICE = 3, /* GPU and NVSwitch device identity root */
    ATTEST_VENDOR_NVIDIA_RIM = 4,    /* RIM (reference values) signing root */
    ATTEST_VENDOR_AZURE_VTPM = 5,    /* Azure vTPM AK certificate root */
} attest_vendor;

/* New verifier with the built-in pinned roots (certs/README.md), the
 * instant "now" (read at each verification) and an empty chain cache.
 * The library also holds the vendor certificates that never change (the
 * PEM files of certs/: AMD ARK, ASK and ASVK of Milan, Genoa and Turin,
 * the Intel SGX Root CA, NVIDIA's two roots): a chain takes them as
 * issuers only when the caller's certificates alone find no issuer or no
 * pinned root, and only those under a root whose key is an anchor of the
 * verifier; every signature is verified as for any certificate. */
ATTEST_API int attest_verifier_new(attest_verifier **out);

/* Verify as of `unix_seconds` (UTC). Pass ATTEST_TIME_NOW to go back to
 * the clock. Not to be called while other threads verify. */
#define ATTEST_TIME_NOW INT64_MIN
ATTEST_API int attest_verifier_set_time(attest_verifier *v,
                                        int64_t unix_seconds);

/* Parse an RFC 3339 instant ("2025-01-02T03:04:05Z", offsets allowed)
 * into Unix seconds. Exactly this grammar (RFC 3339 section 5.6):
 *   YYYY-MM-DD ('T'|'t') hh:mm:ss [ '.' DIGIT+ ] ( 'Z' | 'z' | ('+'|'-') hh:mm )
 * Every field has exactly its digits: no sign, space or other separator.
 * The date must exist in the proleptic Gregorian calendar (2024-02-29 and
 * 2000-02-29 yes; 2025-02-29, 2100-02-29, 2025-04-31 no); hh 00-23,
 * mm 00-59, ss 00-59: a leap second (:60) is refused. Fractional seconds
 * are dropped (truncated). The offset's hh is 00-23, its mm 00-59; it is
 * subtracted ("-00:00" is UTC). Errors: ATTEST_E_INVALID_ARG. Thread-safe. */
ATTEST_API int attest_time_parse(int64_t *out, const char *rfc3339);

/* Drop the built-in trust anchors of `vendor` (then only anchors added
 * with attest_verifier_add_anchor are trusted for it, and the built-in
 * certificates of `vendor` serve only under those). */
ATTEST_API int attest_verifier_clear_anchors(attest_verifier *v,
                                             attest_vendor vendor);

/* Trust a root key of `vendor`: `spki_sha256` is the SHA-256 of the DER
 * SubjectPublicKeyInfo (32 bytes). The root certificate itself must then
 * come with the collateral (or be one of the built-in ones); its
 * self-signature is checked. */
ATTEST_API int attest_verifier_add_anchor(attest_verifier *v,
                                          attest_vendor vendor,
                                          const uint8_t spki_sha256[32]);

/* Number of verified chains remembered (for diagnostics and benchmarks).
 * attest_verifier_clear_cache forgets them. Both are thread-safe. (Apart
 * from verifiers, the process keeps up to 256 parsed certificates, CRLs
 * and DCAP attestation keys, each shared only for the exact same bytes: a
 * parse, never a check, is what it saves.) */
ATTEST_API size_t attest_verifier_cache_size(attest_verifier *v);
ATTEST_API void attest_verifier_clear_cache(attest_verifier *v);

/* Bound the verifier's cache of checks that passed (verified chains, CRL,
 * TCB Info, RIM and signature checks) to `max_entries` entries; when full,
 * the least recently used entry is evicted, and an evicted check is simply
 * verified again when next needed: the limit changes the cost of a
 * verification, never its verdict. 0 caches nothing. The default is 4096
 * entries (about 9 KiB each for an SNP chip's chain, measured: docs/cache.md). A
 * lower limit evicts at once. Thread-safe: may be called while other
 * threads verify with `v`. Errors: ATTEST_E_INVALID_ARG (v NULL). */
ATTEST_API int attest_verifier_set_cache_limit(attest_verifier *v, size_t max_entries);

ATTEST_API void attest_verifier_free(attest_verifier *v);

/* ------------------------------------------------------------------------
 * Verification and its result
 * --------------------------------------------------------------------- */
typedef struct attest_result attest_result;

typedef enum attest_verdict {
    ATTEST_VERDICT_REJECTED = 0,
    ATTEST_VERDICT_ACCEPTED = 1,
} attest_verdict;

typedef enum attest_check_outcome {
    ATTEST_CHECK_PASS = 0,
    ATTEST_CHECK_FAIL = 1,
    ATTEST_CHECK_SKIPPED = 2, /* not applicable, or not asked for by the policy */
} attest_check_outcome;

/* The longest nonce attest_verify takes, in bytes; attest_nonce_max()
 * gives the value of the library loaded. */
#define ATTEST_NONCE_MAX 64

/* Verify `ev` with the collateral `coll` (may be NULL) against `policy`
 * (NULL: the default policy). `nonce` (may be NULL when nonce_len is 0;
 * at most ATTEST_NONCE_MAX bytes) is the relying party's challenge. A
 * nonce given is verified or the verification fails: the CPU's report
 * data must bind it (by default REPORT_DATA = nonce zero-padded; the
 * policy's report_data_binding chooses a hash), each GPU report must carry
 * it (or, in a bundle, the CPU report data binds it with the GPU nonces).
 * Without a nonce the result is not shown to be fresh and carries no
 * nonce (docs/policy.md, "Nonce binding"). Evidence of a platform an
 * explicit policy does not address is ATTEST_E_POLICY_PLATFORM.
 *
 * Returns ATTEST_OK when the evidence is accepted; otherwise the code of
 * the first failing check. Unless the return is ATTEST_E_INVALID_ARG or
 * ATTEST_E_NOMEM, *out receives a result (accepted or not) that lists every
 * check performed; free it with attest_result_free. Thread-safe for a
 * shared verifier. */
ATTEST_API int attest_verify(attest_result **out, attest_verifier *v,
                             const attest_evidence *ev,
                             const attest_collateral *coll,
                             const attest_policy *policy,
                             const uint8_t *nonce, size_t nonce_len);

ATTEST_API attest_verdict attest_result_verdict(const attest_result *r);

/* ATTEST_OK when accepted, else the first failing check's code. */
ATTEST_API int attest_result_status(const attest_result *r);

/* Why the evidence was rejected ("snp.report.signature: ..."), or "" when
 * accepted. Borrowed. */
ATTEST_API const char *attest_result_reason(const attest_result *r);

/* The checks in the order they ran. Index from 0 to count-1; out-of-range
 * indexes give NULL / ATTEST_CHECK_SKIPPED / ATTEST_OK. Borrowed strings. */
ATTEST_API size_t attest_result_check_count(const attest_result *r);
ATTEST_API const char *attest_result_check_name(const attest_result *r, size_t i);
ATTEST_API attest_check_outcome attest_result_check_outcome(const attest_result *r,
                                                            size_t i);
ATTEST_API int attest_result_check_status(const attest_result *r, size_t i);
ATTEST_API const char *attest_result_check_detail(const attest_result *r, size_t i);

/* The whole result (verdict, status, reason, checks, parsed claims) as a
 * JSON object; *out is owned by the caller (attest_string_free). The
 * parse of each GPU report is built by the first call (or a verbose
 * token), not by attest_verify: the result keeps the report's bytes for
 * it. Safe from several threads on one result; ATTEST_E_NOMEM when out of
 * memory. */
ATTEST_API int attest_result_to_json(char **out, const attest_result *r);

ATTEST_API void attest_result_free(attest_result *r);

/* The overall status in the EAR vocabulary: "affirming", "warning" or
 * "contraindicated" (docs/token.md explains how it and each device's
 * trustworthiness vector derive from the checks). Borrowed. */
ATTEST_API const char *attest_result_ear_status(const attest_result *r);

/* When and how fresh: the instant the evidence was judged at (Unix
 * seconds, UTC: the verifier's clock or attest_verifier_set_time's
 * instant; 0 for NULL); whether the result is fresh, i.e. accepted with
 * the caller's nonce bound by the evidence (1, else 0: NULL, rejected, no
 * nonce given, or evidence that carries none; the JSON's "fresh"); and
 * that nonce (borrowed, valid until attest_result_free; its length into
 * *len), or NULL with *len = 0 when the result is not fresh (a nonce that
 * was not verified is never handed back). len may be NULL. Thread-safe
 * on a result no one frees. */
ATTEST_API int64_t attest_result_verified_at(const attest_result *r);
ATTEST_API int attest_result_fresh(const attest_result *r);
ATTEST_API const uint8_t *attest_result_nonce(const attest_result *r, size_t *len);

/* ------------------------------------------------------------------------
 * Evidence bundles (docs/bundle.md): one machine's evidence and all the
 * collateral to verify it offline, as one JSON document that
 * attest_evidence_parse accepts (format ATTEST_FORMAT_BUNDLE).
 * --------------------------------------------------------------------- */

/* Build a bundle from `count` items (each `lens[i]` bytes): each is
 * sorted by attest_classify into CPU evidence (one SEV-SNP report or DCAP
 * quote), GPU evidence (raw NVIDIA reports, or NVIDIA JSON containers whose
 * devices are split out with their chains; the devices keep the order of
 * the items, which is the order their nonces are bound in) or collateral
 * (kept byte for byte); each must parse as its kind (collateral: be
 * accepted by attest_collateral_add). `nonce` (may be NULL; at most
 * ATTEST_NONCE_MAX bytes) is recorded as the nonce the evidence answers.
 * *out is the JSON (attest_string_free). Errors: ATTEST_E_COLLATERAL_UNKNOWN
 * naming the item index (of no known kind, or not parsing as its kind: the
 * detail says why), ATTEST_E_INVALID_ARG (two CPU evidences, a bundle among
 * the items, more than attest_nvidia_device_max() devices, a longer nonce,
 * no evidence, an NRAS result without its JWKS or the reverse, NRAS members
 * beside raw GPU evidence or without CPU evidence: docs/results.md),
 * ATTEST_E_NOMEM. Thread-safe. */
ATTEST_API int attest_bundle_create(char **out, const uint8_t *const *items, const size_t *lens,
                                    size_t count, const uint8_t *nonce, size_t nonce_len);

/* attest_bundle_create, where the CPU item is an Azure HCL report and
 * `part_count` (1..4) more parts of it are given as for
 * attest_evidence_from_parts (kinds ATTEST_PART_TPM_QUOTE ..
 * ATTEST_PART_TD_QUOTE, each once; a TPM quote may be a quote container):
 * they are checked as that function checks them and recorded as the
 * "cpu" members tpm_quote, tpm_signature, tpm_pcrs, td_quote
 * (docs/bundle.md). Errors: those of attest_bundle_create and of
 * attest_evidence_from_parts; ATTEST_E_INVALID_ARG (parts without an HCL
 * report among the items). Thread-safe. */
ATTEST_API int attest_bundle_create_with_parts(char **out, const uint8_t *const *items,
                                               const size_t *lens, size_t count,
                                               const uint8_t *nonce, size_t nonce_len,
                                               const attest_part_kind *part_kinds,
                                               const uint8_t *const *parts,
                                               const size_t *part_lens, size_t part_count);

/* ------------------------------------------------------------------------
 * Attestation result token: the result as a signed JWT (EAT with the EAR
 * profile: one submod per device, cpu0, gpu0..gpuN, switch0..), so that a
 * relying party can pass it on, log it and verify it later.
 * --------------------------------------------------------------------- */

/* Sign the result `r` as a JWT (docs/token.md lists its claims).
 * `key_pem` / `key_len`: an unencrypted PEM EC private key (PKCS#8 or
 * SEC 1), P-256 for ES256 or P-384 for ES384; the header's kid is the hex
 * SHA-256 of its DER SubjectPublicKeyInfo. The token is issued at the
 * verification instant (iat = nbf = verified_at) and expires
 * `lifetime_seconds` (> 0) later. A rejected result is signed too, as
 * "contraindicated". On success *out is the compact JWT, owned by the
 * caller (attest_string_free); on failure *out is NULL.
 * Errors: ATTEST_E_INVALID_ARG (NULL argument, lifetime not positive or
 * overflowing, encrypted / public / non-EC / other-curve key, naming the
 * key type), ATTEST_E_NOMEM, ATTEST_E_INTERNAL. Thread-safe: any number of
 * threads may sign, also the same result with the same key. */
ATTEST_API int attest_token_sign(char **out, const attest_result *r, const char *key_pem,
                                 size_t key_len, int64_t lifetime_seconds);

/* A token signing key read once, for services that sign many tokens with
 * one key: attest_token_sign reads the PEM on every call, which costs more
 * than the signature. `key_pem` as for attest_token_sign. On success *out
 * is the key, owned by the caller (attest_token_key_free); on failure
 * NULL. Errors: as attest_token_sign's for the key. A key is read-only
 * once made: any number of threads may sign with it at once. */
typedef struct attest_token_key attest_token_key;
ATTEST_API int attest_token_key_new(attest_token_key **out, const char *key_pem,
                                    size_t key_len);
ATTEST_API void attest_token_key_free(attest_token_key *key);

/* attest_token_sign_key flags. VERBOSE adds the whole parse of every
 * device (attest_result_to_json's "claims") as x-attest-evidence-claims:
 * a token of tens to hundreds of KB; without it the token carries what a
 * relying party decides on (docs/token.md, "Device claims"). */
#define ATTEST_TOKEN_VERBOSE 1u

/* attest_token_sign with a key from attest_token_key_new and `flags`
 * (0 or ATTEST_TOKEN_VERBOSE; other bits: ATTEST_E_INVALID_ARG). Same
 * claims, errors, ownership and thread safety as attest_token_sign. */
ATTEST_API int attest_token_sign_key(char **out, const attest_result *r,
                                     const attest_token_key *key, int64_t lifetime_seconds,
                                     unsigned flags);

/* The same claims as attest_token_sign, without exp and nbf, as unsigned
 * CBOR (a map with the JSON claims' structure, docs/token.md "CBOR form"),
 * for constrained consumers; carry it inside a protected channel. On
 * success *out / *out_len are the bytes, owned by the caller
 * (attest_bytes_free); on failure *out is NULL and *out_len 0.
 * Errors: ATTEST_E_INVALID_ARG (NULL argument), ATTEST_E_NOMEM,
 * ATTEST_E_INTERNAL. Thread-safe. */
ATTEST_API int attest_result_to_cbor(uint8_t **out, size_t *out_len, const attest_result *r);

/* Verify a token made by attest_token_sign with the PEM public key (or
 * certificate: only its key is used) `pubkey_pem`: the header's alg must be
 * ES256 for a P-256 key and ES384 for a P-384 key (never what the token
 * chooses), the signature valid, the EAR claims present, the token issued
 * and not expired at `now` (Unix seconds; ATTEST_TIME_NOW: the clock; no
 * skew allowance) and, when nonce_len > 0, eat_nonce equal to `nonce`.
 * ear.status is not checked: a valid token of a rejected result verifies.
 * On success *claims_json is the claims object, pretty-printed, owned by
 * the caller (attest_string_free); on failure it is NULL. The checks run in
 * the order of docs/token.md, the first failure is returned.
 * Errors: ATTEST_E_INVALID_ARG (arguments, unusable key),
 * ATTEST_E_TOKEN_MALFORMED, ATTEST_E_TOKEN_SIGNATURE (also an alg other
 * than the key's), ATTEST_E_TOKEN_EXPIRED, ATTEST_E_TOKEN_NONCE,
 * ATTEST_E_NOMEM. Thread-safe. */
ATTEST_API int attest_token_verify(char **claims_json, const char *token,
                                   const char *pubkey_pem, size_t pubkey_len, int64_t now,
                                   const uint8_t *nonce, size_t nonce_len);

/* ------------------------------------------------------------------------
 * Expected launch measurements (docs/measure.md): the TDX MRTD and the
 * SEV-SNP MEASUREMENT a firmware image and launch inputs produce, so that a
 * policy can pin values computed from what the relying party chose to
 * launch instead of values copied from a machine. No evidence is read and
 * nothing is verified here; the values are inputs for a policy.
 *
 * The firmware image is read only (never kept, never modified); every
 * offset and length in its metadata is checked against the image. Errors
 * about the image: ATTEST_E_MEASURE_IMAGE_SIZE (empty, not whole 4 KiB
 * pages, above 64 MiB, too short for its GUID table),
 * ATTEST_E_MEASURE_NO_METADATA (no GUID table, or no TDVF / SEV metadata
 * entry), ATTEST_E_MEASURE_METADATA (signature, version, lengths, counts,
 * section types or alignment), ATTEST_E_MEASURE_SECTION_BOUNDS (a
 * descriptor or a section's content outside the image, a section past
 * 4 GiB, more than 4 GiB of TDX pages). Thread-safe (no shared state).
 * --------------------------------------------------------------------- */

/* How the VMM orders the TDX page-add and extend operations. */
typedef enum attest_tdx_order {
    ATTEST_TDX_ORDER_SINGLE_PASS = 0, /* page by page: TDH.MEM.PAGE.ADD then
                                         TDH.MR.EXTEND of that page (QEMU >= 9.0) */
    ATTEST_TDX_ORDER_TWO_PASS = 1,    /* per section: every page added, then every
                                         page extended (QEMU 8.x TDX patches) */
} attest_tdx_order;

/* MRTD of a TD launched from a TDVF / OVMF `image` (the whole .fd file)
 * with the page order `order` (attest_tdx_order), into mrtd[48]. Errors:
 * ATTEST_E_INVALID_ARG (NULL, unknown order), the image errors above,
 * ATTEST_E_NOMEM, ATTEST_E_INTERNAL (SHA-384 unavailable). */
ATTEST_API int attest_measure_tdx(uint8_t mrtd[48], const uint8_t *image, size_t len,
                                  int order);

/* The VMM that launches an SEV-SNP guest: it sets the VMSA registers and
 * the page types of some metadata sections (docs/measure.md lists each
 * difference and which of them are assumptions). */
typedef enum attest_vmm {
    ATTEST_VMM_QEMU = 0,     /* QEMU/KVM; RDX = the vCPU type's CPUID signature */
    ATTEST_VMM_EC2 = 1,      /* AWS EC2, VMSA RDX 0x600 (sev-snp-measure >= 0.0.13) */
    ATTEST_VMM_GCE = 2,      /* Google Compute Engine: SEC_MEM unmeasured, own G_PAT */
    ATTEST_VMM_EC2_RDX0 = 3, /* AWS EC2, VMSA RDX 0 (sev-snp-measure-go; older tools) */
} attest_vmm;

/* SEV metadata section types (OVMF), for attest_snp_launch_add_section. */
typedef enum attest_sev_section_type {
    ATTEST_SEV_SECTION_SEC_MEM = 1,       /* zero pages (GCE: unmeasured pages) */
    ATTEST_SEV_SECTION_SECRETS = 2,       /* the secrets page */
    ATTEST_SEV_SECTION_CPUID = 3,         /* the CPUID page (EC2: measured last) */
    ATTEST_SEV_SECTION_SVSM_CAA = 4,      /* zero pages */
    ATTEST_SEV_SECTION_KERNEL_HASHES = 16,/* the kernel-hashes page, zero without kernel */
} attest_sev_section_type;

/* The inputs of one SEV-SNP launch, set one by one, then measured. Owned
 * by the caller (attest_snp_launch_free); not to be changed while another
 * thread measures it. Every setter returns ATTEST_E_INVALID_ARG on NULL. */
typedef struct attest_snp_launch attest_snp_launch;

/* A launch with no firmware, no vCPUs, VMM QEMU, guest features 0x1. */
ATTEST_API int attest_snp_launch_new(attest_snp_launch **out);
ATTEST_API void attest_snp_launch_free(attest_snp_launch *l);

/* The firmware as an image: its pages are hashed now (the image is not
 * kept) and its SEV metadata sections, AP reset EIP and kernel-hashes
 * table address replace any given before. Image errors above. */
ATTEST_API int attest_snp_launch_set_ovmf(attest_snp_launch *l, const uint8_t *image,
                                          size_t len);

/* The firmware as its published hash (the launch digest after the image's
 * pages) and metadata: the sections in the image's order (each call
 * appends one; ATTEST_E_MEASURE_METADATA for an unknown type, sizes or
 * addresses not whole 4 KiB pages, more than 64 sections;
 * ATTEST_E_MEASURE_SECTION_BOUNDS past 4 GiB), the AP reset EIP, and the
 * kernel-hashes table's GPA when a kernel is measured. */
ATTEST_API int attest_snp_launch_set_ovmf_hash(attest_snp_launch *l, const uint8_t hash[48]);
ATTEST_API int attest_snp_launch_add_section(attest_snp_launch *l, uint32_t gpa, uint32_t size,
                                             uint32_t type);
ATTEST_API int attest_snp_launch_set_reset_eip(attest_snp_launch *l, uint32_t eip);
ATTEST_API int attest_snp_launch_set_hashes_table_gpa(attest_snp_launch *l, uint32_t gpa);

/* Measured direct boot (QEMU -kernel/-initrd/-append, kernel-hashes=on):
 * the SHA-256 of the kernel and of the initrd files (of no bytes when
 * there is no initrd) and the command line (NULL: empty), hashed here with
 * its terminating NUL as QEMU does. */
ATTEST_API int attest_snp_launch_set_kernel(attest_snp_launch *l,
                                            const uint8_t kernel_sha256[32],
                                            const uint8_t initrd_sha256[32],
                                            const char *cmdline);

/* vCPU count (1..1024, else ATTEST_E_MEASURE_VCPUS) and type: a QEMU
 * -cpu name ("EPYC-v4", "EPYC-Milan", "EPYC-Genoa", ... see
 * docs/measure.md; ATTEST_E_MEASURE_VCPU_TYPE when unknown) or its
 * family, model and stepping (family 0x17..0x1A). */
ATTEST_API int attest_snp_launch_set_vcpus(attest_snp_launch *l, unsigned count);
ATTEST_API int attest_snp_launch_set_vcpu_type(attest_snp_launch *l, const char *name);
ATTEST_API int attest_snp_launch_set_vcpu_family(attest_snp_launch *l, unsigned family,
                                                 unsigned model, unsigned stepping);

/* VMM (attest_vmm; ATTEST_E_MEASURE_VMM when unknown) and the VMSA
 * SEV_FEATURES (ATTEST_E_MEASURE_GUEST_FEATURES without bit 0, SNPActive). */
ATTEST_API int attest_snp_launch_set_vmm(attest_snp_launch *l, int vmm);
ATTEST_API int attest_snp_launch_set_guest_features(attest_snp_launch *l, uint64_t features);

/* COCONUT-SVSM mode (QEMU only): the SVSM image (svsm.bin), loaded by
 * QEMU right below the OVMF image minus its variable store of
 * ovmf_vars_size bytes (the size of the OVMF_VARS pflash, whole 4 KiB
 * pages). Its pages are hashed now (the image is not kept); the digest
 * then measures OVMF's pages, the SVSM's pages and the SVSM's metadata
 * sections (not OVMF's), and every vCPU with the same VMSA entering the
 * SVSM (docs/measure.md). Errors: the image errors above,
 * ATTEST_E_MEASURE_NO_METADATA (no SVSM information entry a789a612-...),
 * ATTEST_E_MEASURE_SECTION_BOUNDS (entry point outside the image),
 * ATTEST_E_MEASURE_IMAGE_SIZE (ovmf_vars_size not whole pages or above
 * 64 MiB). attest_measure_snp then also refuses: the OVMF given as its
 * hash (INPUT_MISSING: its size places the SVSM), images not fitting below
 * 4 GiB (SECTION_BOUNDS), another VMM (VMM), a kernel (KERNEL_HASHES). */
ATTEST_API int attest_snp_launch_set_svsm(attest_snp_launch *l, const uint8_t *image,
                                          size_t len, uint64_t ovmf_vars_size);

/* The launch digest (MEASUREMENT of the report) into digest[48]. Errors:
 * ATTEST_E_INVALID_ARG, ATTEST_E_MEASURE_INPUT_MISSING (no firmware, or
 * no AP reset EIP with more than one vCPU), ATTEST_E_MEASURE_VCPUS (not
 * set), ATTEST_E_MEASURE_VCPU_TYPE (QEMU without a type; EC2 and GCE
 * with one, as their RDX does not depend on it), ATTEST_E_MEASURE_KERNEL_HASHES
 * (a kernel given, and no kernel-hashes section of one page, or no table
 * GPA inside it), ATTEST_E_INTERNAL (SHA-384). Thread-safe for distinct
 * or unchanged launches. */
ATTEST_API int attest_measure_snp(uint8_t digest[48], const attest_snp_launch *l);

/* ------------------------------------------------------------------------
 * RA-TLS (docs/ratls.md): attestation evidence bound to a TLS peer's key.
 * The evidence sits in the peer's certificate (or a CSR), or is fetched
 * over the same connection; which REPORT_DATA rule binds the key differs
 * by producer and version and is never guessed from the evidence: the
 * caller names it. The evidence is then verified as attest_verify does
 * (same pipelines, collateral and policy), its REPORT_DATA judged by the
 * rule (check "ratls.binding") instead of the policy's report_data.
 * --------------------------------------------------------------------- */
typedef enum attest_ratls_rule {
    ATTEST_RATLS_SPKI_SHA256 = 1,    /* "spki-sha256": REPORT_DATA = SHA-256(DER SPKI) ||
                                        32 zero bytes; Gramine's and Intel's legacy SGX
                                        extensions, Open Enclave's (EGo), Steward's SGX CSR */
    ATTEST_RATLS_CLAIMS_SHA256 = 2,  /* "claims-sha256": TCG DICE tagged evidence
                                        (2.23.133.5.4.9, CBOR tag 60000 [quote, claims]):
                                        REPORT_DATA = SHA-256(claims) || zeros and the
                                        claims' pubkey-hash (required) = hash of the SPKI */
    ATTEST_RATLS_CSR_SPKI_SHA384 = 3,/* "csr-spki-sha384": Enarx Steward's SNP CSR:
                                        REPORT_DATA = SHA-384(DER SPKI) || 16 zero bytes */
    ATTEST_RATLS_OE_PEM_SHA256 = 4,  /* "oe-pem-sha256": Open Enclave: REPORT_DATA =
                                        SHA-256(PEM SPKI text || NUL) || zeros */
    ATTEST_RATLS_TINFOIL = 5,        /* "tinfoil" (fetched): REPORT_DATA = SHA-256(
                                        SHA-256(SPKI) || HPKE key || nonce) || zeros */
    ATTEST_RATLS_NEARAI = 6,         /* "nearai" (fetched): REPORT_DATA = SHA-256(signing
                                        address || SHA-256(SPKI)) || nonce; the GPUs
                                        answer the same nonce */
} attest_ratls_rule;

/* The rule named `name` (the strings above) into *out. Errors:
 * ATTEST_E_INVALID_ARG (NULL, unknown name). */
ATTEST_API int attest_ratls_rule_parse(int *out, const char *name);

/* The name of a rule, or NULL for a value that is none. Static string. */
ATTEST_API const char *attest_ratls_rule_name(int rule);

/* Verify a TLS peer whose evidence is in its certificate (or an attested
 * CSR), DER or PEM in cert[0, len): the certificate's self-signature (it
 * proves possession of the key the evidence binds; no PKIX chain, no use of
 * its validity period, which no RA-TLS producer sets meaningfully), the
 * one evidence extension `rule` takes (extensions are matched by their
 * exact OID bytes; an OID twice, or two extensions the rule takes, is
 * ATTEST_E_RATLS_DUPLICATE), the evidence through attest_verify's pipeline
 * with `coll` and `policy` (NULL: default; its report_data members must be
 * absent: REPORT_DATA is the rule's), then the rule. `nonce`: these schemes
 * carry none, except an optional TCG "nonce" claim; a nonce given is
 * compared with it, and refused (ATTEST_E_RATLS_NONCE) when the evidence
 * has none. Without one, the result says the evidence is not fresh (check
 * "ratls.freshness" skipped, no eat_nonce).
 * *out as for attest_verify (claims "ratls": rule, carrier, fresh).
 * Returns ATTEST_OK or the first failing check: ATTEST_E_RATLS_* (see the
 * status codes), ATTEST_E_RATLS_PEER (undecodable, bad self-signature),
 * parse errors of the evidence, any code of attest_verify. Pure function of
 * its inputs (no I/O): callable from a TLS verify callback. Thread-safe. */
ATTEST_API int attest_verify_tls_peer(attest_result **out, attest_verifier *v,
                                      const uint8_t *cert, size_t len, int rule,
                                      const attest_collateral *coll,
                                      const attest_policy *policy,
                                      const uint8_t *nonce, size_t nonce_len);

/* The evidence the certificate or CSR in cert[0, len) carries under `rule`
 * (found and parsed as attest_verify_tls_peer does, with what it carries
 * beside it: Steward's VCEK and CRLs), into *out (attest_evidence_free),
 * so that attest_collateral_needs and attest_fetch_collateral can complete
 * the collateral before attest_verify_tls_peer (`attest verify --online
 * --tls-cert`). Nothing is verified: not the self-signature, the evidence
 * or the binding. Errors as attest_verify_tls_peer's before verification
 * (ATTEST_E_RATLS_PEER, ATTEST_E_RATLS_*, parse errors), without a result;
 * ATTEST_E_INVALID_ARG for a NULL argument or a rule for fetched evidence.
 * Thread-safe. */
ATTEST_API int attest_tls_peer_evidence(attest_evidence **out, const uint8_t *cert,
                                        size_t len, int rule);

/* Verify evidence fetched over a TLS connection (rules ATTEST_RATLS_TINFOIL
 * and ATTEST_RATLS_NEARAI) against the key of that connection: `peer`
 * (peer_len bytes) is the peer's certificate (DER) or its DER
 * SubjectPublicKeyInfo, taken from the live session, never from the
 * fetched document. `ev`: the SEV-SNP report (Tinfoil), the TDX quote, or
 * a bundle of it with the GPUs (NEAR AI; the policy's composite
 * gpu_binding must then be "same_nonce"). `bound` (32 bytes): the HPKE key
 * (Tinfoil) or the signing address (NEAR AI). `nonce` (32 bytes, required)
 * is the one the caller put in the request; every GPU must answer it too.
 * Errors and *out as attest_verify_tls_peer. Thread-safe. */
ATTEST_API int attest_verify_tls_fetched(attest_result **out, attest_verifier *v,
                                         const uint8_t *peer, size_t peer_len, int rule,
                                         const attest_evidence *ev,
                                         const uint8_t *bound, size_t bound_len,
                                         const attest_collateral *coll,
                                         const attest_policy *policy,
                                         const uint8_t *nonce, size_t nonce_len);

/* A ready OpenSSL client hook: attest_ssl_ctx_set_verify(ctx, check) makes
 * every handshake of `ctx` (an OpenSSL 3 SSL_CTX) run
 * attest_verify_tls_peer on the peer's leaf certificate with the check's
 * verifier, rule, collateral and policy (no nonce) instead of PKIX chain
 * building, and fail (alert, SSL_connect <= 0) unless it accepts; the
 * reason is then attest_error_last() on the handshaking thread. The check
 * borrows v, coll and policy (they must outlive it) and must outlive every
 * SSL_CTX it is installed on. Sets SSL_VERIFY_PEER. Errors:
 * ATTEST_E_INVALID_ARG (NULL, rule not one for certificates), ATTEST_E_NOMEM.
 * A check is immutable: any number of connections and threads may use it. */
typedef struct attest_tls_check attest_tls_check;
ATTEST_API int attest_tls_check_new(attest_tls_check **out, attest_verifier *v, int rule,
                                    const attest_collateral *coll,
                                    const attest_policy *policy);
ATTEST_API void attest_tls_check_free(attest_tls_check *check);
struct ssl_ctx_st; /* OpenSSL's SSL_CTX */
ATTEST_API int attest_ssl_ctx_set_verify(struct ssl_ctx_st *ctx, attest_tls_check *check);
/* A token verification key read once, for services that verify many
 * tokens with one key: attest_token_verify reads the PEM on every call
 * (and libjwt reads it again), which costs more than the signature.
 * `pubkey_pem` as for attest_token_verify. On success *out is the key,
 * owned by the caller (attest_token_pubkey_free); on failure NULL.
 * Errors: ATTEST_E_INVALID_ARG (NULL or empty argument, unusable key, as
 * attest_token_verify's), ATTEST_E_NOMEM, ATTEST_E_INTERNAL. A key is
 * read-only once made: any number of threads may verify with it at once. */
typedef struct attest_token_pubkey attest_token_pubkey;
ATTEST_API int attest_token_pubkey_new(attest_token_pubkey **out, const char *pubkey_pem,
                                       size_t pubkey_len);
ATTEST_API void attest_token_pubkey_free(attest_token_pubkey *key);

/* attest_token_verify with a key from attest_token_pubkey_new: the same
 * checks in the same order (alg pinned to the key's curve, signature,
 * EAR claims, iat/exp/nbf at `now`, nonce), the same errors, ownership
 * and thread safety; the signature is verified with OpenSSL directly. */
ATTEST_API int attest_token_verify_key(char **claims_json, const char *token,
                                       const attest_token_pubkey *key, int64_t now,
                                       const uint8_t *nonce, size_t nonce_len);

/* ---- other verifiers' signed results (docs/results.md) ----------------- */

/* The keys that verify another verifier's tokens (NRAS, Intel Trust
 * Authority, Azure Attestation), from `data`: a JWKS document, or PEM text
 * of certificates or public keys. The caller chose these keys: they are
 * the trust anchor of every token verified with them. Every key is decoded
 * here. PEM keys have no kid: a PEM set of one key verifies tokens of any
 * kid, one of several keys refuses every token (ATTEST_E_TOKEN_KID). On success *out is owned by the caller (attest_keyset_free); on
 * failure NULL. Errors: ATTEST_E_INVALID_ARG (NULL or empty),
 * ATTEST_E_KEYSET_MALFORMED (naming the key's index and kid), ATTEST_E_NOMEM.
 * A key set is immutable: any number of threads may use it at once. */
typedef struct attest_keyset attest_keyset;
ATTEST_API int attest_keyset_new(attest_keyset **out, const uint8_t *data, size_t len);
ATTEST_API void attest_keyset_free(attest_keyset *ks);

/* Which verifier issued a result token (attest_verify_result_token). */
#define ATTEST_RESULT_NRAS 1        /* NVIDIA NRAS /v3/attest/gpu response (detached EAT JSON) */
#define ATTEST_RESULT_ITA 2         /* Intel Trust Authority token (TDX), PS384 */
#define ATTEST_RESULT_MAA 3         /* Azure Attestation token (SGX), RS256 */
#define ATTEST_RESULT_ALLOW_RS256 0x100 /* or'ed with ATTEST_RESULT_ITA: RS256 also accepted */

/* Verify another verifier's result and map it into a result as
 * attest_verify's (docs/results.md): every JWT's signature with a key of
 * `ks` chosen by (kid, alg) (ES384 for NRAS, PS384 for ITA, RS256 for MAA;
 * none, HS* and any other alg refused), `iss` == `issuer` (NULL: the
 * service's production issuer; required for MAA, whose instances share
 * keys), exp required and exp/nbf/iat at attest_verifier_now(v) with no
 * skew; then the claims: NRAS -> one submod gpuN per detached GPU JWT,
 * ITA and MAA -> cpu0, each naming its appraiser ("appraised_by"), judged
 * by `policy` (NULL: the strict default) as raw evidence would be, except
 * that members needing raw evidence are refused (ATTEST_E_POLICY_INVALID).
 * `nonce` (NULL/0: none; at most ATTEST_NONCE_MAX bytes) must be the
 * token's (NRAS eat_nonce of every JWT, ITA verifier_nonce.val, MAA
 * runtime data). On return *out is the result (also on rejection; NULL
 * only on ATTEST_E_INVALID_ARG / ATTEST_E_NOMEM), owned by the caller
 * (attest_result_free); attest_token_sign can re-issue it. Returns
 * ATTEST_OK or the first failure: ATTEST_E_TOKEN_MALFORMED,
 * ATTEST_E_TOKEN_ALG, ATTEST_E_TOKEN_KID, ATTEST_E_TOKEN_SIGNATURE,
 * ATTEST_E_TOKEN_ISSUER, ATTEST_E_TOKEN_EXPIRED, ATTEST_E_KEYSET_CERT,
 * ATTEST_E_TOKEN_NONCE, ATTEST_E_RESULT_SUBMODS, ATTEST_E_RESULT_VERDICT,
 * ATTEST_E_RESULT_CLAIMS, ATTEST_E_RESULT_BINDING, policy statuses.
 * Thread-safe: v, ks and policy may be shared. */
ATTEST_API int attest_verify_result_token(attest_result **out, attest_verifier *v, int kind,
                                          const uint8_t *token, size_t len,
                                          const attest_keyset *ks, const char *issuer,
                                          const attest_policy *policy, const uint8_t *nonce,
                                          size_t nonce_len);

#ifdef __cplusplus
}
#endif
#endif /* ATTEST_H */
