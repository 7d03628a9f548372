/* Policy appraisal of a verified SEV-SNP report. Each rule the policy sets
 * becomes one named check; all rules are evaluated so that the result
 * lists every reason, and the first failure is the result's status. */
#include "snp_appraise.h"

#include <stdio.h>
#include <string.h>

static bool floor_set(const snp_tcb_floor *f)
{
    return f->fmc >= 0 || f->boot_loader >= 0 || f->tee >= 0 || f->snp >= 0 ||
           f->microcode >= 0;
}

/* Names the first component below its floor, or returns NULL. */
static const char *below_floor(const snp_tcb_floor *f, snp_tcb t, snp_product product,
                               int *have, int *want)
{
#define CMP(field, name)                                                          \
    if (f->field >= 0 && t.field < f->field) {                                    \
        *have = t.field;                                                          \
        *want = f->field;                                                         \
        return name;                                                              \
    }
    if (product == SNP_PRODUCT_TURIN) {
        CMP(fmc, "fmc")
    }
    CMP(boot_loader, "boot_loader")
    CMP(tee, "tee")
    CMP(snp, "snp")
    CMP(microcode, "microcode")
#undef CMP
    return NULL;
}

static void appraise_floor(attest_result *r, const char *name, const snp_tcb_floor *f,
                           uint64_t tcb, snp_product product)
{
    if (!floor_set(f))
        return;
    int have = 0, want = 0;
    const char *component = below_floor(f, snp_tcb_decode(tcb, product), product,
                                        &have, &want);
    if (component)
        attest_check_fail(r, name, ATTEST_E_POLICY_TCB, "%s %d is below the floor %d",
                          component, have, want);
    else
        attest_check_pass(r, name, "every component at or above its floor");
}

static void appraise_guest_policy(attest_result *r, const snp_report *rep,
                                  const snp_policy *p)
{
    uint64_t gp = rep->policy;
    if ((gp & SNP_POLICY_DEBUG) && !p->allow_debug)
        attest_check_fail(r, "policy.snp.debug", ATTEST_E_POLICY_DEBUG,
                          "guest POLICY 0x%llx allows debugging (bit 19); the "
                          "policy forbids it (snp.allow_debug)",
                          (unsigned long long)gp);
    else
        attest_check_pass(r, "policy.snp.debug", "debug %s",
                          gp & SNP_POLICY_DEBUG ? "allowed by the policy" : "disabled");
    if (!(gp & SNP_POLICY_RESERVED_1))
        attest_check_fail(r, "policy.snp.guest_policy", ATTEST_E_POLICY_GUEST_POLICY,
                          "reserved POLICY bit 17 must be 1");
    else if ((gp & SNP_POLICY_SMT) && !p->allow_smt)
        attest_check_fail(r, "policy.snp.guest_policy", ATTEST_E_POLICY_GUEST_POLICY,
                          "SMT allowed by the guest policy (snp.allow_smt is false)");
    else if ((gp & SNP_POLICY_MIGRATE_MA) && !p->allow_migration_agent)
        attest_check_fail(r, "policy.snp.guest_policy", ATTEST_E_POLICY_GUEST_POLICY,
                          "migration agent allowed (snp.allow_migration_agent is false)");
    else if (!(gp & SNP_POLICY_SINGLE_SOCKET) && p->require_single_socket)
        attest_check_fail(r, "policy.snp.guest_policy", ATTEST_E_POLICY_GUEST_POLICY,
                          "single-socket not enforced (snp.require_single_socket)");
    else if (p->min_abi_major >= 0 &&
             ((gp >> 8 & 0xff) * 256 + (gp & 0xff)) <
                 (uint64_t)(p->min_abi_major * 256 + p->min_abi_minor))
        attest_check_fail(r, "policy.snp.guest_policy", ATTEST_E_POLICY_GUEST_POLICY,
                          "guest ABI %u.%u below the minimum %d.%d",
                          (unsigned)(gp >> 8 & 0xff), (unsigned)(gp & 0xff),
                          p->min_abi_major, p->min_abi_minor);
    else
        attest_check_pass(r, "policy.snp.guest_policy", "POLICY 0x%llx accepted",
                          (unsigned long long)gp);
}

static void appraise_ids(attest_result *r, const snp_report *rep, const snp_policy *p)
{
    if (p->measurements.count) {
        if (policy_digests_has(&p->measurements, rep->measurement))
            attest_check_pass(r, "policy.snp.measurement", "in the allowed list");
        else
            attest_check_fail(r, "policy.snp.measurement", ATTEST_E_POLICY_MEASUREMENT,
                              "MEASUREMENT is not one of the %zu allowed",
                              p->measurements.count);
    }
    if (p->host_data.set)
        memcmp(p->host_data.value, rep->host_data, 32) == 0
            ? attest_check_pass(r, "policy.snp.host_data", "equal")
            : (void)attest_check_fail(r, "policy.snp.host_data", ATTEST_E_POLICY_HOST_DATA,
                                      "HOST_DATA differs from the policy");
    if (p->family_id.set)
        memcmp(p->family_id.value, rep->family_id, 16) == 0
            ? attest_check_pass(r, "policy.snp.family_id", "equal")
            : (void)attest_check_fail(r, "policy.snp.family_id", ATTEST_E_POLICY_ID,
                                      "FAMILY_ID differs from the policy");
    if (p->image_id.set)
        memcmp(p->image_id.value, rep->image_id, 16) == 0
            ? attest_check_pass(r, "policy.snp.image_id", "equal")
            : (void)attest_check_fail(r, "policy.snp.image_id", ATTEST_E_POLICY_ID,
                                      "IMAGE_ID differs from the policy");
    if (p->id_key_digests.count)
        policy_digests_has(&p->id_key_digests, rep->id_key_digest)
            ? attest_check_pass(r, "policy.snp.id_key", "ID key trusted")
            : (void)attest_check_fail(r, "policy.snp.id_key", ATTEST_E_POLICY_ID,
                                      "ID_KEY_DIGEST is not a trusted ID key");
    if (p->author_key_digests.count) {
        if (!rep->author_key_en)
            attest_check_fail(r, "policy.snp.author_key", ATTEST_E_POLICY_ID,
                              "the policy requires an author key; AUTHOR_KEY_EN is 0");
        else if (!policy_digests_has(&p->author_key_digests, rep->author_key_digest))
            attest_check_fail(r, "policy.snp.author_key", ATTEST_E_POLICY_ID,
                              "AUTHOR_KEY_DIGEST is not a trusted author key");
        else
            attest_check_pass(r, "policy.snp.author_key", "author key trusted");
    }
}

static void appraise_report_data(attest_result *r, const snp_report *rep,
                                 const snp_policy *p, const uint8_t *nonce, size_t n,
                                 report_data_rule rule)
{
    attest_appraise_report_data(r, "policy.snp.report_data", rep->report_data,
                                p->report_data.set ? p->report_data.value : NULL,
                                p->nonce_binding, nonce, n, rule);
}

static void appraise_platform(attest_result *r, const snp_report *rep,
                              bool signed_by_vlek, const snp_policy *p)
{
    if (!(p->vmpl_mask & (rep->vmpl < 4 ? 1u << rep->vmpl : 0)))
        attest_check_fail(r, "policy.snp.vmpl", ATTEST_E_POLICY_VMPL,
                          "VMPL %u is not allowed (snp.vmpl)", rep->vmpl);
    else
        attest_check_pass(r, "policy.snp.vmpl", "VMPL %u allowed", rep->vmpl);
    if ((p->signer == SNP_SIGNER_VCEK && signed_by_vlek) ||
        (p->signer == SNP_SIGNER_VLEK && !signed_by_vlek))
        attest_check_fail(r, "policy.snp.signer", ATTEST_E_POLICY_SIGNER,
                          "signed by a %s; the policy requires a %s",
                          signed_by_vlek ? "VLEK" : "VCEK",
                          signed_by_vlek ? "VCEK" : "VLEK");
    else if (p->signer != SNP_SIGNER_ANY)
        attest_check_pass(r, "policy.snp.signer", "signer kind accepted");
    if (p->min_guest_svn >= 0) {
        if (rep->guest_svn < p->min_guest_svn)
            attest_check_fail(r, "policy.snp.guest_svn", ATTEST_E_POLICY_FIRMWARE,
                              "GUEST_SVN %u below %lld", rep->guest_svn,
                              (long long)p->min_guest_svn);
        else
            attest_check_pass(r, "policy.snp.guest_svn", "GUEST_SVN %u", rep->guest_svn);
    }
    bool provisional = rep->committed_tcb != rep->current_tcb ||
                       rep->committed_build != rep->current_build ||
                       rep->committed_minor != rep->current_minor ||
                       rep->committed_major != rep->current_major;
    if (provisional && !p->allow_provisional_firmware)
        attest_check_fail(r, "policy.snp.provisional_firmware", ATTEST_E_POLICY_FIRMWARE,
                          "COMMITTED_TCB/firmware differ from CURRENT (provisional "
                          "firmware; snp.allow_provisional_firmware is false)");
    else
        attest_check_pass(r, "policy.snp.provisional_firmware", "%s",
                          provisional ? "provisional firmware allowed by the policy"
                                      : "committed equals current");
    if (p->min_fw_major >= 0) {
        int have = rep->current_major << 16 | rep->current_minor << 8 | rep->current_build;
        int want = p->min_fw_major << 16 | p->min_fw_minor << 8 | p->min_fw_build;
        if (have < want)
            attest_check_fail(r, "policy.snp.firmware", ATTEST_E_POLICY_FIRMWARE,
                              "firmware %u.%u.%u below %d.%d.%d", rep->current_major,
                              rep->current_minor, rep->current_build, p->min_fw_major,
                              p->min_fw_minor, p->min_fw_build);
        else
            attest_check_pass(r, "policy.snp.firmware", "firmware %u.%u.%u",
                              rep->current_major, rep->current_minor, rep->current_build);
    }
}

int snp_appraise(attest_result *r, const snp_report *rep, snp_product product,
                 bool signed_by_vlek, const snp_policy *p, const uint8_t *nonce,
                 size_t nonce_len, report_data_rule rule)
{
    appraise_floor(r, "policy.snp.min_tcb", &p->min_tcb, rep->reported_tcb, product);
    appraise_floor(r, "policy.snp.min_committed_tcb", &p->min_committed_tcb,
                   rep->committed_tcb, product);
    appraise_floor(r, "policy.snp.min_current_tcb", &p->min_current_tcb,
                   rep->current_tcb, product);
    appraise_floor(r, "policy.snp.min_launch_tcb", &p->min_launch_tcb, rep->launch_tcb,
                   product);
    appraise_guest_policy(r, rep, p);
    appraise_ids(r, rep, p);
    appraise_report_data(r, rep, p, nonce, nonce_len, rule);
    appraise_platform(r, rep, signed_by_vlek, p);
    return r->status;
}
