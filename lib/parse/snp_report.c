/* AMD SEV-SNP ATTESTATION_REPORT parser. Offsets: SEV-SNP ABI
 * specification (AMD #56860), table "ATTESTATION_REPORT Structure";
 * research/snp.md (a) lists them with the versions that define them. */
#include "snp_report.h"

#include <stdio.h>
#include <string.h>

/* Field offsets. */
enum {
    OFF_VERSION = 0x000, OFF_GUEST_SVN = 0x004, OFF_POLICY = 0x008,
    OFF_FAMILY_ID = 0x010, OFF_IMAGE_ID = 0x020, OFF_VMPL = 0x030,
    OFF_SIG_ALGO = 0x034, OFF_CURRENT_TCB = 0x038, OFF_PLATFORM_INFO = 0x040,
    OFF_KEY_INFO = 0x048, OFF_RESERVED_04C = 0x04C, OFF_REPORT_DATA = 0x050,
    OFF_MEASUREMENT = 0x090, OFF_HOST_DATA = 0x0C0, OFF_ID_KEY_DIGEST = 0x0E0,
    OFF_AUTHOR_KEY_DIGEST = 0x110, OFF_REPORT_ID = 0x140,
    OFF_REPORT_ID_MA = 0x160, OFF_REPORTED_TCB = 0x180, OFF_CPUID_FAM = 0x188,
    OFF_CPUID_MOD = 0x189, OFF_CPUID_STEP = 0x18A, OFF_CHIP_ID = 0x1A0,
    OFF_COMMITTED_TCB = 0x1E0, OFF_CURRENT_BUILD = 0x1E8,
    OFF_COMMITTED_BUILD = 0x1EC, OFF_LAUNCH_TCB = 0x1F0,
    OFF_LAUNCH_MIT = 0x1F8, OFF_CURRENT_MIT = 0x200,
};

#define SIG_ALGO_ECDSA_P384_SHA384 1u

bool snp_report_detect(const uint8_t *data, size_t len)
{
    if (len == SNP_REPORT_SIZE)
        return true; /* no other supported format has this exact size */
    if (len >= SNP_MSG_REPORT_RSP_HEADER && attest_le32(data) == 0 &&
        attest_le32(data + 4) == SNP_REPORT_SIZE)
        return true; /* MSG_REPORT_RSP: status 0, report_size 0x4A0 */
    /* A report of the wrong length: small version, algorithm 1. */
    return len >= OFF_SIG_ALGO + 4 && attest_le32(data) >= 1 &&
           attest_le32(data) < 32 &&
           attest_le32(data + OFF_SIG_ALGO) == SIG_ALGO_ECDSA_P384_SHA384;
}

snp_product snp_product_from_cpuid(uint8_t family, uint8_t model)
{
    /* Ranges follow AMD's model assignments (research/snp.md, product
     * identification): Siena/Bergamo (19h A0h-AFh) use the Genoa ARK/ASK. */
    if (family == 0x19) {
        if (model <= 0x0F) return SNP_PRODUCT_MILAN;
        if (model >= 0x10 && model <= 0x1F) return SNP_PRODUCT_GENOA;
        if (model >= 0xA0 && model <= 0xAF) return SNP_PRODUCT_GENOA;
    } else if (family == 0x1A) {
        if (model <= 0x11) return SNP_PRODUCT_TURIN;
    }
    return SNP_PRODUCT_UNKNOWN;
}

const char *snp_product_name(snp_product p)
{
    switch (p) {
    case SNP_PRODUCT_MILAN: return "Milan";
    case SNP_PRODUCT_GENOA: return "Genoa";
    case SNP_PRODUCT_TURIN: return "Turin";
    default: return "unknown";
    }
}

snp_product snp_product_from_name(const char *name)
{
    if (!name) return SNP_PRODUCT_UNKNOWN;
    if (strcmp(name, "Milan") == 0) return SNP_PRODUCT_MILAN;
    if (strcmp(name, "Genoa") == 0) return SNP_PRODUCT_GENOA;
    if (strcmp(name, "Turin") == 0) return SNP_PRODUCT_TURIN;
    return SNP_PRODUCT_UNKNOWN;
}

snp_tcb snp_tcb_decode(uint64_t tcb, snp_product product)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(tcb >> (8 * i));
    snp_tcb t = {0};
    if (product == SNP_PRODUCT_TURIN) {
        t.fmc = b[0];
        t.boot_loader = b[1];
        t.tee = b[2];
        t.snp = b[3];
    } else {
        t.boot_loader = b[0];
        t.tee = b[1];
        t.snp = b[6];
    }
    t.microcode = b[7];
    return t;
}

/* Strip the MSG_REPORT_RSP envelope if present; *report points to the
 * 1184 report bytes on success. */
static int unwrap(const uint8_t *data, size_t len, const uint8_t **report)
{
    if (len != SNP_REPORT_SIZE && len >= SNP_MSG_REPORT_RSP_HEADER &&
        attest_le32(data) == 0 && attest_le32(data + 4) == SNP_REPORT_SIZE) {
        if (len < SNP_MSG_REPORT_RSP_HEADER + SNP_REPORT_SIZE)
            return attest_set_error(ATTEST_E_TRUNCATED,
                                    "snp.msg_report_rsp: %zu bytes, needs %d",
                                    len, SNP_MSG_REPORT_RSP_HEADER + SNP_REPORT_SIZE);
        if (!attest_all_zero(data + 8, SNP_MSG_REPORT_RSP_HEADER - 8))
            return attest_set_error(ATTEST_E_MALFORMED,
                                    "snp.msg_report_rsp.reserved: not zero");
        size_t tail = SNP_MSG_REPORT_RSP_HEADER + SNP_REPORT_SIZE;
        if (!attest_all_zero(data + tail, len - tail))
            return attest_set_error(ATTEST_E_LENGTH,
                                    "snp.msg_report_rsp: non-zero bytes after "
                                    "the report at offset 0x%zx", tail);
        *report = data + SNP_MSG_REPORT_RSP_HEADER;
        return ATTEST_OK;
    }
    if (len < SNP_REPORT_SIZE)
        return attest_set_error(ATTEST_E_TRUNCATED,
                                "snp.report: %zu bytes, a report has %d", len,
                                SNP_REPORT_SIZE);
    if (len > SNP_REPORT_SIZE)
        return attest_set_error(ATTEST_E_LENGTH,
                                "snp.report: %zu bytes, a report has %d", len,
                                SNP_REPORT_SIZE);
    *report = data;
    return ATTEST_OK;
}

static int check_header(const uint8_t *p)
{
    uint32_t version = attest_le32(p + OFF_VERSION);
    if (version != 2 && version != 3 && version != 5)
        return attest_set_error(ATTEST_E_UNSUPPORTED_VERSION,
                                "snp.report.version: %u is not supported "
                                "(supported: 2, 3, 5)", version);
    uint32_t algo = attest_le32(p + OFF_SIG_ALGO);
    if (algo != SIG_ALGO_ECDSA_P384_SHA384)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "snp.report.signature_algo: %u, only 1 "
                                "(ECDSA P-384 with SHA-384) is defined", algo);
    uint32_t key = (attest_le32(p + OFF_KEY_INFO) >> 2) & 7;
    if (key != SNP_KEY_VCEK && key != SNP_KEY_VLEK && key != SNP_KEY_NONE)
        return attest_set_error(ATTEST_E_MALFORMED,
                                "snp.report.key_info.signing_key: reserved "
                                "value %u", key);
    return ATTEST_OK;
}

static void read_fields(snp_report *r)
{
    const uint8_t *p = r->raw;
    r->version = attest_le32(p + OFF_VERSION);
    r->guest_svn = attest_le32(p + OFF_GUEST_SVN);
    r->policy = attest_le64(p + OFF_POLICY);
    memcpy(r->family_id, p + OFF_FAMILY_ID, 16);
    memcpy(r->image_id, p + OFF_IMAGE_ID, 16);
    r->vmpl = attest_le32(p + OFF_VMPL);
    r->signature_algo = attest_le32(p + OFF_SIG_ALGO);
    r->current_tcb = attest_le64(p + OFF_CURRENT_TCB);
    r->platform_info = attest_le64(p + OFF_PLATFORM_INFO);
    r->key_info = attest_le32(p + OFF_KEY_INFO);
    r->author_key_en = r->key_info & 1;
    r->mask_chip_key = (r->key_info >> 1) & 1;
    r->signing_key = (snp_signing_key)((r->key_info >> 2) & 7);
    memcpy(r->report_data, p + OFF_REPORT_DATA, 64);
    memcpy(r->measurement, p + OFF_MEASUREMENT, 48);
    memcpy(r->host_data, p + OFF_HOST_DATA, 32);
    memcpy(r->id_key_digest, p + OFF_ID_KEY_DIGEST, 48);
    memcpy(r->author_key_digest, p + OFF_AUTHOR_KEY_DIGEST, 48);
    memcpy(r->report_id, p + OFF_REPORT_ID, 32);
    memcpy(r->report_id_ma, p + OFF_REPORT_ID_MA, 32);
    r->reported_tcb = attest_le64(p + OFF_REPORTED_TCB);
    r->has_cpuid = r->version >= 3;
    if (r->has_cpuid) {
        r->cpuid_fam_id = p[OFF_CPUID_FAM];
        r->cpuid_mod_id = p[OFF_CPUID_MOD];
        r->cpuid_step = p[OFF_CPUID_STEP];
        r->cpuid_product = snp_product_from_cpuid(r->cpuid_fam_id, r->cpuid_mod_id);
    }
    memcpy(r->chip_id, p + OFF_CHIP_ID, 64);
    r->committed_tcb = attest_le64(p + OFF_COMMITTED_TCB);
    r->current_build = p[OFF_CURRENT_BUILD];
    r->current_minor = p[OFF_CURRENT_BUILD + 1];
    r->current_major = p[OFF_CURRENT_BUILD + 2];
    r->committed_build = p[OFF_COMMITTED_BUILD];
    r->committed_minor = p[OFF_COMMITTED_BUILD + 1];
    r->committed_major = p[OFF_COMMITTED_BUILD + 2];
    r->launch_tcb = attest_le64(p + OFF_LAUNCH_TCB);
    r->has_mit_vectors = r->version >= 5;
    if (r->has_mit_vectors) {
        r->launch_mit_vector = attest_le64(p + OFF_LAUNCH_MIT);
        r->current_mit_vector = attest_le64(p + OFF_CURRENT_MIT);
    }
}

int snp_report_parse(snp_report *out, const uint8_t *data, size_t len)
{
    const uint8_t *report = NULL;
    int status = unwrap(data, len, &report);
    if (status != ATTEST_OK)
        return status;
    if ((status = check_header(report)) != ATTEST_OK)
        return status;
    memset(out, 0, sizeof *out);
    memcpy(out->raw, report, SNP_REPORT_SIZE);
    read_fields(out);
    return ATTEST_OK;
}

/* ---- JSON view ------------------------------------------------------- */

static json_t *tcb_json(uint64_t raw, snp_product product)
{
    json_t *o = json_pack("{s:s}", "raw", "");
    char hex[19];
    snprintf(hex, sizeof hex, "0x%016llx", (unsigned long long)raw);
    json_object_set_new(o, "raw", json_string(hex));
    if (product == SNP_PRODUCT_UNKNOWN)
        return o; /* the layout depends on the product: do not guess */
    snp_tcb t = snp_tcb_decode(raw, product);
    if (product == SNP_PRODUCT_TURIN)
        json_object_set_new(o, "fmc", json_integer(t.fmc));
    json_object_set_new(o, "boot_loader", json_integer(t.boot_loader));
    json_object_set_new(o, "tee", json_integer(t.tee));
    json_object_set_new(o, "snp", json_integer(t.snp));
    json_object_set_new(o, "microcode", json_integer(t.microcode));
    return o;
}

static json_t *u64_hex(uint64_t v)
{
    char hex[19];
    snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)v);
    return json_string(hex);
}

static json_t *policy_json(uint64_t policy)
{
    return json_pack("{s:o, s:i, s:i, s:b, s:b, s:b, s:b, s:b}", "raw",
                     u64_hex(policy), "abi_major", (int)((policy >> 8) & 0xff),
                     "abi_minor", (int)(policy & 0xff), "smt",
                     (int)!!(policy & SNP_POLICY_SMT), "migrate_ma",
                     (int)!!(policy & SNP_POLICY_MIGRATE_MA), "debug",
                     (int)!!(policy & SNP_POLICY_DEBUG), "single_socket",
                     (int)!!(policy & SNP_POLICY_SINGLE_SOCKET),
                     "reserved_bit17", (int)!!(policy & SNP_POLICY_RESERVED_1));
}

static json_t *platform_info_json(uint64_t pi)
{
    return json_pack("{s:o, s:b, s:b, s:b, s:b, s:b, s:b}", "raw", u64_hex(pi),
                     "smt_enabled", (int)(pi & 1), "tsme_enabled",
                     (int)((pi >> 1) & 1), "ecc_enabled", (int)((pi >> 2) & 1),
                     "rapl_disabled", (int)((pi >> 3) & 1),
                     "ciphertext_hiding_enabled", (int)((pi >> 4) & 1),
                     "alias_check_complete", (int)((pi >> 5) & 1));
}

static const char *signing_key_name(snp_signing_key k)
{
    return k == SNP_KEY_VCEK ? "vcek" : k == SNP_KEY_VLEK ? "vlek" : "none";
}

json_t *snp_report_to_json(const snp_report *r, snp_product product)
{
    json_t *o = json_object();
    char fw[16];
    if (!o)
        return NULL;
    json_object_set_new(o, "format", json_string("amd-sev-snp-report"));
    json_object_set_new(o, "version", json_integer(r->version));
    json_object_set_new(o, "product", product == SNP_PRODUCT_UNKNOWN
                                          ? json_null()
                                          : json_string(snp_product_name(product)));
    json_object_set_new(o, "guest_svn", json_integer(r->guest_svn));
    json_object_set_new(o, "policy", policy_json(r->policy));
    json_object_set_new(o, "family_id", attest_json_hex(r->family_id, 16));
    json_object_set_new(o, "image_id", attest_json_hex(r->image_id, 16));
    json_object_set_new(o, "vmpl", json_integer(r->vmpl));
    json_object_set_new(o, "signature_algo", json_integer(r->signature_algo));
    json_object_set_new(o, "current_tcb", tcb_json(r->current_tcb, product));
    json_object_set_new(o, "platform_info", platform_info_json(r->platform_info));
    json_object_set_new(o, "key_info",
                        json_pack("{s:o, s:b, s:b, s:s}", "raw", u64_hex(r->key_info),
                                  "author_key_en", (int)r->author_key_en,
                                  "mask_chip_key", (int)r->mask_chip_key,
                                  "signing_key", signing_key_name(r->signing_key)));
    json_object_set_new(o, "report_data", attest_json_hex(r->report_data, 64));
    json_object_set_new(o, "measurement", attest_json_hex(r->measurement, 48));
    json_object_set_new(o, "host_data", attest_json_hex(r->host_data, 32));
    json_object_set_new(o, "id_key_digest", attest_json_hex(r->id_key_digest, 48));
    json_object_set_new(o, "author_key_digest", attest_json_hex(r->author_key_digest, 48));
    json_object_set_new(o, "report_id", attest_json_hex(r->report_id, 32));
    json_object_set_new(o, "report_id_ma", attest_json_hex(r->report_id_ma, 32));
    json_object_set_new(o, "reported_tcb", tcb_json(r->reported_tcb, product));
    if (r->has_cpuid)
        json_object_set_new(o, "cpuid",
                            json_pack("{s:i, s:i, s:i}", "family", r->cpuid_fam_id,
                                      "model", r->cpuid_mod_id, "stepping",
                                      r->cpuid_step));
    json_object_set_new(o, "chip_id", attest_json_hex(r->chip_id, 64));
    json_object_set_new(o, "committed_tcb", tcb_json(r->committed_tcb, product));
    snprintf(fw, sizeof fw, "%u.%u.%u", r->current_major, r->current_minor,
             r->current_build);
    json_object_set_new(o, "current_firmware", json_string(fw));
    snprintf(fw, sizeof fw, "%u.%u.%u", r->committed_major, r->committed_minor,
             r->committed_build);
    json_object_set_new(o, "committed_firmware", json_string(fw));
    json_object_set_new(o, "launch_tcb", tcb_json(r->launch_tcb, product));
    if (r->has_mit_vectors) {
        json_object_set_new(o, "launch_mit_vector", u64_hex(r->launch_mit_vector));
        json_object_set_new(o, "current_mit_vector", u64_hex(r->current_mit_vector));
    }
    json_object_set_new(o, "signature",
                        json_pack("{s:o, s:o}", "r_le",
                                  attest_json_hex(snp_sig_r(r), SNP_SIG_COMPONENT_SIZE),
                                  "s_le",
                                  attest_json_hex(snp_sig_s(r), SNP_SIG_COMPONENT_SIZE)));
    return o;
}
