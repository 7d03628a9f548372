/* Forms users already hold (formats.c): evidence or collateral as base64 or
 * hex text, NVIDIA's RIM service JSON, dcap-qvl's collateral JSON, and a
 * description of bytes that are none of the accepted forms. Each is
 * unwrapped here into the items the parsers know, so that attest_classify,
 * attest_collateral_add and attest_evidence_parse (and fetch.c, for the RIM
 * service) decide alike. */
#ifndef ATTEST_FORMATS_H
#define ATTEST_FORMATS_H

#include "api.h"

/* What attest_evidence_parse and attest_collateral_add accept, for error
 * messages and docs. */
#define ATTEST_ACCEPTED_FORMATS                                                        \
    "SEV-SNP report (binary, MSG_REPORT_RSP, Trustee JSON), DCAP quote, NVIDIA SPDM " \
    "report or JSON, Azure HCL report or Trustee vTPM JSON, bundle; certificates, "   \
    "CRLs (DER, PEM, SNP cert table), PCS TCB Info / QE Identity, dcap-qvl JSON, RIM " \
    "(XML, service JSON), THIM JSON, DER OCSP; any as base64 or hex text"

/* Bytes that are wholly base64 (RFC 4648, line breaks allowed) or hex text
 * (white space allowed), decoded once: 1 with *out (free()) set, 0 when the
 * bytes are not such text (PEM, JSON, XML and binary are not), or
 * ATTEST_E_NOMEM. Callers never decode the result again: one level only,
 * so that nested encodings cannot multiply the work. Hex wins where both
 * alphabets fit (an even run of hex digits). */
ATTEST_HIDDEN int attest_text_unwrap(const uint8_t *data, size_t len, uint8_t **out,
                                     size_t *out_len);

/* Call `each` with the item in its own form: the decoded bytes of base64
 * or hex text (attest_text_unwrap), else `data` itself; its status, or
 * ATTEST_E_NOMEM (recorded with `who`). The one place the decoding runs for
 * attest_classify, attest_collateral_add and attest_evidence_parse. */
typedef int (*attest_item_fn)(void *ctx, const uint8_t *data, size_t len);
ATTEST_HIDDEN int attest_unwrapped(const uint8_t *data, size_t len, attest_item_fn each,
                                   void *ctx, const char *who);

/* What `data` looks like, for an error about an unknown item: "JSON object
 * with members a, b, c", "DER SEQUENCE, 123 bytes", "text, 12 bytes: ...",
 * "binary, 123 bytes starting 0x0102..". */
ATTEST_HIDDEN void attest_describe_bytes(char *out, size_t n, const uint8_t *data, size_t len);

/* NVIDIA RIM service JSON {id, rim: base64(RIM), sha256: hex, ...}. */
ATTEST_HIDDEN bool attest_rim_json_detect(const uint8_t *data, size_t len);

/* Decode the RIM service JSON: *xml (free()) is the base64-decoded rim
 * after its SHA-256 matched `sha256`; `id` receives the id (want_id, when
 * given, must equal it: the id a fetch asked for). rim_format, when
 * present, must be "TCG" (SWID XML; CoRIM is not read). ATTEST_E_MALFORMED
 * "<who>: RIM service ..." naming what is wrong. */
ATTEST_HIDDEN int attest_rim_json_unwrap(const uint8_t *data, size_t len, const char *want_id,
                                         const char *who, uint8_t **xml, size_t *xml_len,
                                         char *id, size_t id_size);

/* Whether a RIM's colloquialVersion is the one its RIM service id ends
 * with (NV_GPU_DRIVER_GH100_595.71.05 / 595.71.05,
 * NV_GPU_VBIOS_1010_0210_886_96009F0004 / 96.00.9F.00.04): dots and case
 * aside. */
ATTEST_HIDDEN bool attest_rim_id_matches(const char *id, const char *colloquial_version);

/* dcap-qvl's QuoteCollateralV3 JSON. */
ATTEST_HIDDEN bool attest_dcap_qvl_detect(const uint8_t *data, size_t len);

/* Call `each` with every part of a dcap-qvl collateral as an item
 * attest_collateral_add takes without further unwrapping: the issuer
 * chains (PEM), the CRLs (hex decoded to DER) and the TCB Info and QE
 * Identity rebuilt as PCS bodies {"tcbInfo":<exact bytes>,"signature":"<hex>"}
 * by concatenation (never re-serialised: the signature covers those
 * bytes). Every member must be known and of its type; the inner objects
 * must each be one JSON object and the signatures 128 hex digits, so that
 * the concatenation cannot be steered. Stops at the first non-zero status
 * of `each`, which is returned. */
typedef int (*attest_part_fn)(void *ctx, const char *member, const uint8_t *data, size_t len);
ATTEST_HIDDEN int attest_dcap_qvl_each(const uint8_t *data, size_t len, attest_part_fn each,
                                       void *ctx);

#endif
