/* Forms in which SEV-SNP evidence and its certificates reach a relying
 * party besides the raw report: the extended report's certificate table
 * (SNP_GET_EXT_REPORT, configfs-tsm auxblob) and Trustee's evidence JSON
 * (the sev crate's serde form of the report). Pure parsers: bytes to
 * fields, errors naming the field; whether a certificate is the right one
 * is the chain's question (lib/chain). */
#ifndef ATTEST_SNP_CERTS_H
#define ATTEST_SNP_CERTS_H

#include "snp_report.h"

/* Entries one table may hold: VCEK, VLEK, ASK/ASVK, ARK and the
 * ExtraPlatformInfo entry are all there are. */
#define SNP_CERT_TABLE_MAX 8
#define SNP_CERT_TABLE_ENTRY 24 /* GUID(16) || offset u32 LE || length u32 LE */

typedef enum snp_cert_guid {
    SNP_GUID_UNKNOWN = 0,
    SNP_GUID_VCEK,
    SNP_GUID_VLEK,
    SNP_GUID_ASK,  /* ASK or ASVK: one GUID for both */
    SNP_GUID_ARK,
    SNP_GUID_EXTRA_PLATFORM_INFO, /* go-sev-guest's CPUID entry: no certificate */
} snp_cert_guid;

typedef struct snp_cert_entry {
    snp_cert_guid guid;
    size_t offset, length; /* within the blob, after the table */
} snp_cert_entry;

typedef struct snp_cert_table {
    snp_cert_entry entries[SNP_CERT_TABLE_MAX];
    size_t count;
} snp_cert_table;

/* True when the blob begins with a known GUID of the table, in either byte
 * order (RFC 4122 or Microsoft mixed-endian: hosts emit both). */
ATTEST_HIDDEN bool snp_cert_table_detect(const uint8_t *data, size_t len);

/* Parse the table. Strict: the all-zero terminator inside the blob; every
 * GUID known (an unknown one is refused: the host that wrote the table
 * is untrusted and a table not wholly understood is not one to act on);
 * each GUID once, by identity whatever its byte order; every entry's bytes
 * non-empty, after the table, inside the blob and overlapping no other
 * entry. ATTEST_E_MALFORMED naming snp.cert_table[i].<field>. */
ATTEST_HIDDEN int snp_cert_table_parse(snp_cert_table *out, const uint8_t *data, size_t len);

ATTEST_HIDDEN const char *snp_cert_guid_name(snp_cert_guid g);

/* Trustee's SNP evidence: {"attestation_report": {serde fields},
 * "cert_chain": [{"cert_type": "VCEK"|"VLEK"|"ASK"|"ASVK"|"ARK",
 * "data": [bytes]}] | null}. */
ATTEST_HIDDEN bool snp_trustee_json_detect(const uint8_t *data, size_t len);

/* One certificate of cert_chain: its type as written and its DER bytes
 * (pointing into `owned`). */
typedef struct snp_json_cert {
    char type[8];
    uint8_t *der; /* owned (free()) */
    size_t len;
} snp_json_cert;

typedef struct snp_trustee_evidence {
    uint8_t report[SNP_REPORT_SIZE]; /* the ABI bytes rebuilt from the fields */
    snp_json_cert certs[SNP_CERT_TABLE_MAX];
    size_t cert_count;
} snp_trustee_evidence;

/* Rebuild the report's ABI bytes from the serde fields (reserved bytes
 * zero; the TCB layout from the presence of "fmc": Turin's when set), so
 * that the report parser and the signature check judge them as a binary
 * report; every member must be known and in range. Errors name
 * snp.json.<member>. Free with snp_trustee_evidence_release. */
ATTEST_HIDDEN int snp_trustee_json_parse(snp_trustee_evidence *out, const uint8_t *data,
                                         size_t len);
ATTEST_HIDDEN void snp_trustee_evidence_release(snp_trustee_evidence *e);

#endif
