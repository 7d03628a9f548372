/* TCG PC Client "crypto-agile" event logs (TCG PFP 10.2): the TPM log of
 * /sys/kernel/security/tpm0/binary_bios_measurements and the TDX CCEL log
 * area (/sys/firmware/acpi/tables/data/CCEL), which share the format. A
 * pure parser: no hashing (whether a digest holds is the appraisal's
 * question), every length bounded, errors naming the event and field
 * ("tcg_log.event[3].digest_count: ..."). docs/eventlog.md. */
#ifndef ATTEST_TCG_EVENTLOG_H
#define ATTEST_TCG_EVENTLOG_H

#include "../base/base.h"

/* Limits (docs/eventlog.md): a log is at most 16 MiB, has at most 8192
 * events and 8 digest algorithms, so that replay hashes at most
 * 16 MiB x 8 banks. The CCEL log area of TDVF is 64 or 256 KiB. */
#define TCG_LOG_MAX_BYTES (16u << 20)
#define TCG_LOG_MAX_EVENTS 8192
#define TCG_LOG_MAX_ALGS 8
#define TCG_DIGEST_MAX 64

#define TCG_ALG_SHA1 0x0004
#define TCG_ALG_SHA256 0x000B
#define TCG_ALG_SHA384 0x000C
#define TCG_ALG_SHA512 0x000D
#define TCG_ALG_SM3 0x0012

#define TCG_EV_POST_CODE 0x1
#define TCG_EV_NO_ACTION 0x3
#define TCG_EV_SEPARATOR 0x4
#define TCG_EV_ACTION 0x5
#define TCG_EV_EVENT_TAG 0x6
#define TCG_EV_S_CRTM_VERSION 0x8
#define TCG_EV_PLATFORM_CONFIG_FLAGS 0xA
#define TCG_EV_IPL 0xD
#define TCG_EV_EFI_VARIABLE_DRIVER_CONFIG 0x80000001u
#define TCG_EV_EFI_VARIABLE_BOOT 0x80000002u
#define TCG_EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define TCG_EV_EFI_GPT_EVENT 0x80000006u
#define TCG_EV_EFI_ACTION 0x80000007u
#define TCG_EV_EFI_PLATFORM_FIRMWARE_BLOB2 0x8000000Au
#define TCG_EV_EFI_HANDOFF_TABLES2 0x8000000Bu
#define TCG_EV_EFI_VARIABLE_BOOT2 0x8000000Cu
#define TCG_EV_EFI_VARIABLE_AUTHORITY 0x800000E0u

/* Tagged-event ids (EV_EVENT_TAG data: id u32, size u32, payload). */
#define TCG_TAG_LOAD_OPTIONS 0x8F3B22EDu /* "LOADED_IMAGE::LoadOptions": cmdline */
#define TCG_TAG_LINUX_INITRD 0x8F3B22ECu /* "Linux initrd" */
#define TCG_TAG_AAEL 0x4141454Cu         /* CoCo AA event log entry ("AAEL") */

typedef struct tcg_alg {
    uint16_t id;
    uint16_t size; /* digest bytes, 1..TCG_DIGEST_MAX */
} tcg_alg;

typedef struct tcg_event {
    uint32_t index;            /* PCR, or CC MR index in a CCEL log */
    uint32_t type;
    size_t offset;             /* of the event header in the log */
    size_t digest_off[TCG_LOG_MAX_ALGS]; /* digest of bank i (the Spec ID
                                            event's algorithm i) in raw */
    size_t data_off;
    uint32_t data_len;
} tcg_event;

typedef struct tcg_eventlog {
    uint8_t *raw;              /* owned copy of the input */
    size_t raw_len;
    size_t events_end;         /* where padding (or the input) starts */
    uint8_t padding;           /* 0xFF or 0x00 when events_end < raw_len */
    uint32_t spec_index;       /* index field of the Spec ID event (1 TDVF, 0 td-shim/TPM) */
    tcg_alg algs[TCG_LOG_MAX_ALGS];
    size_t alg_count;
    char vendor_info[256];     /* printable vendorInfo ("td-shim"), else "" */
    bool has_startup_locality; /* EV_NO_ACTION "StartupLocality" present */
    uint8_t startup_locality;
    tcg_event *events;         /* after the Spec ID event, in log order */
    size_t count;
} tcg_eventlog;

/* The first event is an EV_NO_ACTION carrying "Spec ID Event" (03, the
 * crypto-agile log; other versions are detected to be refused by name). */
ATTEST_HIDDEN bool tcg_eventlog_detect(const uint8_t *data, size_t len);

/* True when the log is taken for a CCEL log area: exactly one bank,
 * SHA-384 (TDX) or SM3 (Hygon CSV); TPM logs carry SHA-1 and SHA-256.
 * Its indexes are CC MR indexes, which the appraisal bounds to 0..4. */
ATTEST_HIDDEN bool tcg_eventlog_is_ccel(const tcg_eventlog *log);

/* Parse `len` bytes (copied). Trailing padding (all 0xFF or all 0x00,
 * from an index 0xFFFFFFFF or an all-zero header on) ends the log; any
 * other byte after the last event is an error. Every event must carry
 * one digest for each algorithm of the Spec ID event, in that order.
 * Errors: ATTEST_E_FORMAT_UNKNOWN (no Spec ID event),
 * ATTEST_E_UNSUPPORTED_VERSION (a TCG 1.2 SHA-1-only log),
 * ATTEST_E_TRUNCATED (an event runs past the end), ATTEST_E_MALFORMED
 * (naming the event and field), ATTEST_E_LENGTH (over the limits),
 * ATTEST_E_NOMEM. */
ATTEST_HIDDEN int tcg_eventlog_parse(tcg_eventlog **out, const uint8_t *data, size_t len);
ATTEST_HIDDEN void tcg_eventlog_free(tcg_eventlog *log);

/* The bank holding algorithm `alg`, or -1. */
ATTEST_HIDDEN int tcg_eventlog_bank(const tcg_eventlog *log, uint16_t alg);

/* "EV_SEPARATOR", "EV_EFI_ACTION", ... or NULL for a type not named. */
ATTEST_HIDDEN const char *tcg_event_type_name(uint32_t type);

/* "sha384", ... or NULL. */
ATTEST_HIDDEN const char *tcg_alg_name(uint16_t alg);

/* The log as JSON: {spec_index, algorithms, vendor_info, events: [{index,
 * type, type_name, digests: {alg: hex}, data (hex)}]}. NULL when out of
 * memory. */
ATTEST_HIDDEN json_t *tcg_eventlog_to_json(const tcg_eventlog *log);

#endif
