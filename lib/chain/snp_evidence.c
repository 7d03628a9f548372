/* SEV-SNP evidence verification: which VEK signed the report, its chain,
 * revocation, the report signature, and the bindings between VEK and
 * report. Policy is not judged here (lib/appraise does that). */
#include "amd.h"
#include "x509_chain.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

#define CHECK_VEK "snp.vek"
#define CHECK_SIGNATURE "snp.report.signature"
#define CHECK_SIGNING_KEY "snp.report.signing_key"
#define CHECK_PRODUCT "snp.product"
#define CHECK_TCB "snp.vek.tcb"
#define CHECK_CHIP_ID "snp.vek.chip_id"

/* Big-endian order n of the P-384 group (SEC 2, secp384r1). */
static const uint8_t p384_order[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2,
    0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};

/* A signature component must be in [1, n-1]: 72 LE bytes whose top 24 are
 * zero and whose low 48, read big-endian, are below n and not all zero. */
static bool component_in_range(const uint8_t le[SNP_SIG_COMPONENT_SIZE])
{
    uint8_t be[48];
    if (!attest_all_zero(le + 48, SNP_SIG_COMPONENT_SIZE - 48))
        return false;
    for (int i = 0; i < 48; i++)
        be[i] = le[47 - i];
    return !attest_all_zero(be, 48) && memcmp(be, p384_order, 48) < 0;
}

/* The report's r and s (72 little-endian bytes each, top 24 zero) as the
 * raw big-endian r||s the shared ECDSA helper takes. */
static void signature_rs(const snp_report *rep, uint8_t rs[96])
{
    for (int i = 0; i < 48; i++) {
        rs[i] = snp_sig_r(rep)[47 - i];
        rs[48 + i] = snp_sig_s(rep)[47 - i];
    }
}

static int verify_signature(attest_result *r, const snp_report *rep, X509 *vek,
                            amd_vek_kind kind)
{
    if (!component_in_range(snp_sig_r(rep)) || !component_in_range(snp_sig_s(rep)))
        return attest_check_fail(r, CHECK_SIGNATURE, ATTEST_E_SNP_SIGNATURE_RANGE,
                                 "r or s is zero or not below the P-384 order");
    if (!attest_all_zero(rep->raw + 0x330, SNP_REPORT_SIZE - 0x330))
        return attest_check_fail(r, CHECK_SIGNATURE, ATTEST_E_SNP_SIGNATURE_RANGE,
                                 "signature area after S (0x330..0x4A0) not zero");
    uint8_t rs[96];
    signature_rs(rep, rs);
    int verified = attest_ecdsa_verify_raw(X509_get0_pubkey(vek), EVP_sha384(), rep->raw,
                                           SNP_SIGNED_SIZE, rs, 48);
    if (verified == -2)
        return attest_check_fail(r, CHECK_SIGNATURE, ATTEST_E_NOMEM, "out of memory");
    if (verified != 1) {
        char serial[80];
        attest_cert_serial_hex(vek, serial, sizeof serial);
        return attest_check_fail(r, CHECK_SIGNATURE, ATTEST_E_SNP_SIGNATURE,
                                 "ECDSA P-384 verify failed with %s serial 0x%s over "
                                 "bytes 0x000-0x29F",
                                 kind == AMD_VEK_VLEK ? "VLEK" : "VCEK", serial);
    }
    attest_check_pass(r, CHECK_SIGNATURE, "ECDSA P-384/SHA-384 over 0x000-0x29F");
    return ATTEST_OK;
}

/* Pick the VEK among the collateral: the right kind, and when several are
 * given, the one whose TCB and hwID fit the report (a directory may hold
 * VCEKs of many machines). Parsing errors of a candidate are reported. */
static int choose_vek(attest_result *r, const snp_report *rep,
                      const attest_collateral *coll, amd_vek_kind kind,
                      X509 **vek, amd_vek_info *info)
{
    int candidates = 0;
    *vek = NULL;
    for (int i = 0; coll && i < sk_X509_num(coll->certs); i++) {
        X509 *c = sk_X509_value(coll->certs, i);
        char cn[64];
        attest_cert_cn(c, cn, sizeof cn);
        if (strcmp(cn, kind == AMD_VEK_VLEK ? "SEV-VLEK" : "SEV-VCEK") != 0)
            continue;
        amd_vek_info candidate;
        int status = amd_vek_info_parse(c, &candidate);
        if (status != ATTEST_OK)
            return attest_check_fail(r, CHECK_VEK, status, "%s", attest_error_last());
        candidates++;
        bool tcb_fits = amd_vek_tcb(&candidate, SNP_PRODUCT_TURIN) == rep->reported_tcb ||
                        amd_vek_tcb(&candidate, SNP_PRODUCT_MILAN) == rep->reported_tcb;
        bool hwid_fits = kind == AMD_VEK_VLEK ||
                         (candidate.hwid_len &&
                          memcmp(candidate.hwid, rep->chip_id, candidate.hwid_len) == 0);
        if (!*vek || (tcb_fits && hwid_fits)) {
            *vek = c;
            *info = candidate;
            if (tcb_fits && hwid_fits)
                break;
        }
    }
    if (!*vek)
        return attest_check_fail(r, CHECK_VEK, ATTEST_E_COLLATERAL_MISSING,
                                 "no %s certificate in the collateral (the report's "
                                 "SIGNING_KEY names it)",
                                 kind == AMD_VEK_VLEK ? "VLEK" : "VCEK");
    attest_check_pass(r, CHECK_VEK, "%s chosen among %d candidate(s), product name '%s'",
                      kind == AMD_VEK_VLEK ? "VLEK" : "VCEK", candidates,
                      info->product_name);
    return ATTEST_OK;
}

static int check_signing_key(attest_result *r, const snp_report *rep,
                             amd_vek_kind *kind)
{
    if (rep->signing_key == SNP_KEY_NONE)
        return attest_check_fail(r, CHECK_SIGNING_KEY, ATTEST_E_SNP_SIGNING_KEY,
                                 "KEY_INFO.SIGNING_KEY = 7: the report is not signed");
    *kind = rep->signing_key == SNP_KEY_VLEK ? AMD_VEK_VLEK : AMD_VEK_VCEK;
    attest_check_pass(r, CHECK_SIGNING_KEY, "report signed by a %s",
                      *kind == AMD_VEK_VLEK ? "VLEK" : "VCEK");
    return ATTEST_OK;
}

/* The report's CPUID (v3+) must name the product the chain stands for;
 * the VEK's productName must start with it ("Milan-B0" for Milan). */
static int check_product(attest_result *r, const snp_report *rep,
                         const amd_vek_info *info, snp_product chain_product)
{
    const char *name = snp_product_name(chain_product);
    if (rep->has_cpuid && rep->cpuid_product != SNP_PRODUCT_UNKNOWN &&
        rep->cpuid_product != chain_product)
        return attest_check_fail(r, CHECK_PRODUCT, ATTEST_E_SNP_PRODUCT,
                                 "report CPUID %02xh/%02xh is %s, chain is %s",
                                 rep->cpuid_fam_id, rep->cpuid_mod_id,
                                 snp_product_name(rep->cpuid_product), name);
    if (strncmp(info->product_name, name, strlen(name)) != 0)
        return attest_check_fail(r, CHECK_PRODUCT, ATTEST_E_SNP_PRODUCT,
                                 "VEK productName '%s' is not a %s product",
                                 info->product_name, name);
    if ((chain_product == SNP_PRODUCT_TURIN) != (info->spl[9] >= 0))
        return attest_check_fail(r, CHECK_PRODUCT, ATTEST_E_CERT_PROFILE,
                                 "fmcSPL extension %s on a %s VEK",
                                 info->spl[9] >= 0 ? "present" : "absent", name);
    attest_check_pass(r, CHECK_PRODUCT, "%s (%s)", name,
                      rep->has_cpuid ? "report CPUID and chain agree"
                                     : "v2 report: product from the chain");
    return ATTEST_OK;
}

static int check_tcb(attest_result *r, const snp_report *rep,
                     const amd_vek_info *info, snp_product product)
{
    uint64_t vek_tcb = amd_vek_tcb(info, product);
    if (vek_tcb != rep->reported_tcb) {
        snp_tcb a = snp_tcb_decode(vek_tcb, product);
        snp_tcb b = snp_tcb_decode(rep->reported_tcb, product);
        return attest_check_fail(
            r, CHECK_TCB, ATTEST_E_SNP_TCB_BINDING,
            "VEK TCB fmc=%u bl=%u tee=%u snp=%u ucode=%u (0x%016llx) != "
            "REPORTED_TCB fmc=%u bl=%u tee=%u snp=%u ucode=%u (0x%016llx)",
            a.fmc, a.boot_loader, a.tee, a.snp, a.microcode,
            (unsigned long long)vek_tcb, b.fmc, b.boot_loader, b.tee, b.snp,
            b.microcode, (unsigned long long)rep->reported_tcb);
    }
    attest_check_pass(r, CHECK_TCB, "VEK SPLs equal REPORTED_TCB 0x%016llx",
                      (unsigned long long)rep->reported_tcb);
    return ATTEST_OK;
}

static int check_chip_id(attest_result *r, const snp_report *rep,
                         const amd_vek_info *info, snp_product product)
{
    if (info->kind == AMD_VEK_VLEK) {
        if (info->hwid_len)
            return attest_check_fail(r, CHECK_CHIP_ID, ATTEST_E_CERT_PROFILE,
                                     "a VLEK must not carry a hwID");
        attest_check_skip(r, CHECK_CHIP_ID, "VLEK: not bound to a chip (CSP_ID '%s')",
                          info->csp_id);
        return ATTEST_OK;
    }
    if (rep->mask_chip_key) {
        attest_check_skip(r, CHECK_CHIP_ID, "KEY_INFO.MASK_CHIP_KEY set: CHIP_ID "
                                            "withheld by the guest");
        return ATTEST_OK;
    }
    size_t want = product == SNP_PRODUCT_TURIN ? 8 : 64;
    if (info->hwid_len != want)
        return attest_check_fail(r, CHECK_CHIP_ID, ATTEST_E_CERT_PROFILE,
                                 "VCEK hwID has %zu bytes, %s VCEKs have %zu",
                                 info->hwid_len, snp_product_name(product), want);
    if (memcmp(info->hwid, rep->chip_id, want) != 0 ||
        !attest_all_zero(rep->chip_id + want, 64 - want))
        return attest_check_fail(r, CHECK_CHIP_ID, ATTEST_E_SNP_CHIP_ID_BINDING,
                                 "VCEK hwID is not the report's CHIP_ID: the VCEK "
                                 "belongs to another chip");
    attest_check_pass(r, CHECK_CHIP_ID, "VCEK hwID equals CHIP_ID (%zu bytes)", want);
    return ATTEST_OK;
}

static json_t *vek_json(X509 *vek, const amd_vek_info *info, snp_product product)
{
    int64_t nb = 0, na = 0;
    char a[32], b[32];
    attest_asn1_time_to_unix(X509_get0_notBefore(vek), &nb);
    attest_asn1_time_to_unix(X509_get0_notAfter(vek), &na);
    attest_time_format(a, sizeof a, nb);
    attest_time_format(b, sizeof b, na);
    snp_tcb t = snp_tcb_decode(amd_vek_tcb(info, product), product);
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "kind",
                          info->kind == AMD_VEK_VLEK ? "vlek" : "vcek", "product_name",
                          info->product_name, "struct_version", info->struct_version,
                          "not_before", a, "not_after", b);
    json_t *tcb = json_pack("{s:i, s:i, s:i, s:i}", "boot_loader", t.boot_loader, "tee",
                            t.tee, "snp", t.snp, "microcode", t.microcode);
    if (product == SNP_PRODUCT_TURIN)
        json_object_set_new(tcb, "fmc", json_integer(t.fmc));
    json_object_set_new(o, "tcb", tcb);
    if (info->hwid_len)
        json_object_set_new(o, "hwid", attest_json_hex(info->hwid, info->hwid_len));
    if (info->csp_id[0])
        json_object_set_new(o, "csp_id", json_string(info->csp_id));
    return o;
}

int snp_verify_evidence(attest_result *r, attest_verifier *v, const snp_report *rep,
                        const attest_collateral *coll, int64_t now, bool require_crl,
                        json_t *claims, snp_product *product_out,
                        amd_vek_kind *kind_out)
{
    amd_vek_kind kind;
    amd_vek_info info;
    X509 *vek = NULL;
    STACK_OF(X509) *chain = NULL;
    snp_product product = SNP_PRODUCT_UNKNOWN;
    int status;
    if ((status = check_signing_key(r, rep, &kind)) != ATTEST_OK ||
        (status = choose_vek(r, rep, coll, kind, &vek, &info)) != ATTEST_OK ||
        (status = amd_chain_verify(r, v, coll, vek, kind, now, &chain, &product)) != ATTEST_OK)
        return status;
    if ((status = verify_signature(r, rep, vek, kind)) == ATTEST_OK &&
        (status = check_product(r, rep, &info, product)) == ATTEST_OK &&
        (status = check_tcb(r, rep, &info, product)) == ATTEST_OK &&
        (status = check_chip_id(r, rep, &info, product)) == ATTEST_OK)
        status = amd_crl_check(r, coll, chain, now, require_crl);
    sk_X509_pop_free(chain, X509_free);
    if (claims) {
        json_object_set_new(claims, "product", json_string(snp_product_name(product)));
        json_object_set_new(claims, "vek", vek_json(vek, &info, product));
    }
    *product_out = product;
    *kind_out = kind;
    return status;
}
