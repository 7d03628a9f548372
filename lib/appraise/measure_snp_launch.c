/* attest_snp_launch: the public builder of SEV-SNP launch inputs and
 * attest_measure_snp (include/attest.h, docs/measure.md). Every input is
 * checked when it is set, and the combination when measured: a value the
 * caller gives either enters the digest or is refused. */
#include "measure_snp.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define NULL_ARG(fn) attest_set_error(ATTEST_E_INVALID_ARG, "%s: NULL argument", fn)

/* QEMU -cpu names whose CPUID signature goes into the VMSA's RDX. */
static const struct vcpu_type {
    const char *name;
    unsigned family, model, stepping;
} VCPU_TYPES[] = {
    {"EPYC", 0x17, 0x01, 2},       {"EPYC-v1", 0x17, 0x01, 2},
    {"EPYC-v2", 0x17, 0x01, 2},    {"EPYC-v3", 0x17, 0x01, 2},
    {"EPYC-v4", 0x17, 0x01, 2},    {"EPYC-IBPB", 0x17, 0x01, 2},
    {"EPYC-Rome", 0x17, 0x31, 0},  {"EPYC-Rome-v1", 0x17, 0x31, 0},
    {"EPYC-Rome-v2", 0x17, 0x31, 0}, {"EPYC-Rome-v3", 0x17, 0x31, 0},
    {"EPYC-Rome-v4", 0x17, 0x31, 0}, {"EPYC-Milan", 0x19, 0x01, 1},
    {"EPYC-Milan-v1", 0x19, 0x01, 1}, {"EPYC-Milan-v2", 0x19, 0x01, 1},
    {"EPYC-Genoa", 0x19, 0x11, 0}, {"EPYC-Genoa-v1", 0x19, 0x11, 0},
    {"EPYC-Turin", 0x1A, 0x00, 0}, {"EPYC-Turin-v1", 0x1A, 0x00, 0},
};

int attest_snp_launch_new(attest_snp_launch **out)
{
    attest_clear_error();
    if (!out)
        return NULL_ARG("attest_snp_launch_new");
    *out = calloc(1, sizeof(**out));
    if (!*out)
        return attest_set_error(ATTEST_E_NOMEM, "snp.launch");
    (*out)->vmm = ATTEST_VMM_QEMU;
    (*out)->guest_features = 0x1;
    return ATTEST_OK;
}

void attest_snp_launch_free(attest_snp_launch *l)
{
    if (l)
        free(l->svsm_pages);
    free(l);
}

int attest_snp_launch_set_ovmf(attest_snp_launch *l, const uint8_t *image, size_t len)
{
    attest_clear_error();
    if (!l || !image)
        return NULL_ARG("attest_snp_launch_set_ovmf");
    attest_ovmf_meta *m = malloc(sizeof(*m));
    if (!m)
        return attest_set_error(ATTEST_E_NOMEM, "snp.ovmf");
    int st = attest_ovmf_parse(image, len, ATTEST_OVMF_NEED_SEV, m);
    if (st == ATTEST_OK)
        st = attest_snp_ovmf_hash(l->ovmf_hash, image, len);
    if (st == ATTEST_OK) {
        l->has_ovmf_hash = true;
        l->ovmf_len = len;
        memcpy(l->sections, m->sev, m->sev_count * sizeof(m->sev[0]));
        l->section_count = m->sev_count;
        l->has_reset_eip = m->has_reset_eip;
        l->reset_eip = m->reset_eip;
        l->has_hashes_gpa = m->has_hashes_table;
        l->hashes_gpa = m->hashes_gpa;
    }
    free(m);
    return st;
}

int attest_snp_launch_set_ovmf_hash(attest_snp_launch *l, const uint8_t hash[48])
{
    attest_clear_error();
    if (!l || !hash)
        return NULL_ARG("attest_snp_launch_set_ovmf_hash");
    memcpy(l->ovmf_hash, hash, 48);
    l->has_ovmf_hash = true;
    l->ovmf_len = 0; /* unknown: an SVSM cannot be placed */
    return ATTEST_OK;
}

int attest_snp_launch_add_section(attest_snp_launch *l, uint32_t gpa, uint32_t size,
                                  uint32_t type)
{
    attest_clear_error();
    if (!l)
        return NULL_ARG("attest_snp_launch_add_section");
    if (l->section_count == ATTEST_OVMF_MAX_SECTIONS)
        return attest_set_error(ATTEST_E_MEASURE_METADATA, "sev.section: more than %d",
                                ATTEST_OVMF_MAX_SECTIONS);
    attest_sev_section s = {gpa, size, type};
    int st = attest_sev_section_check(&s, l->section_count);
    if (st == ATTEST_OK)
        l->sections[l->section_count++] = s;
    return st;
}

int attest_snp_launch_set_reset_eip(attest_snp_launch *l, uint32_t eip)
{
    attest_clear_error();
    if (!l)
        return NULL_ARG("attest_snp_launch_set_reset_eip");
    l->reset_eip = eip;
    l->has_reset_eip = true;
    return ATTEST_OK;
}

int attest_snp_launch_set_hashes_table_gpa(attest_snp_launch *l, uint32_t gpa)
{
    attest_clear_error();
    if (!l)
        return NULL_ARG("attest_snp_launch_set_hashes_table_gpa");
    l->hashes_gpa = gpa;
    l->has_hashes_gpa = true;
    return ATTEST_OK;
}

int attest_snp_launch_set_kernel(attest_snp_launch *l, const uint8_t kernel_sha256[32],
                                 const uint8_t initrd_sha256[32], const char *cmdline)
{
    attest_clear_error();
    if (!l || !kernel_sha256 || !initrd_sha256)
        return NULL_ARG("attest_snp_launch_set_kernel");
    const char *c = cmdline ? cmdline : "";
    /* QEMU hashes the command line with its terminating NUL. */
    if (EVP_Digest(c, strlen(c) + 1, l->cmdline_sha256, NULL, EVP_sha256(), NULL) != 1)
        return attest_set_error(ATTEST_E_INTERNAL, "snp.cmdline: SHA-256 failed");
    memcpy(l->kernel_sha256, kernel_sha256, 32);
    memcpy(l->initrd_sha256, initrd_sha256, 32);
    l->has_kernel = true;
    return ATTEST_OK;
}

int attest_snp_launch_set_vcpus(attest_snp_launch *l, unsigned count)
{
    attest_clear_error();
    if (!l)
        return NULL_ARG("attest_snp_launch_set_vcpus");
    if (count == 0 || count > ATTEST_SNP_VCPUS_MAX)
        return attest_set_error(ATTEST_E_MEASURE_VCPUS, "snp.vcpus: %u (1..%u)", count,
                                ATTEST_SNP_VCPUS_MAX);
    l->vcpus = count;
    return ATTEST_OK;
}

int attest_snp_launch_set_vcpu_family(attest_snp_launch *l, unsigned family, unsigned model,
                                      unsigned stepping)
{
    attest_clear_error();
    if (!l)
        return NULL_ARG("attest_snp_launch_set_vcpu_family");
    if (family < 0x17 || family > 0x1A || model > 0xFF || stepping > 0xF)
        return attest_set_error(ATTEST_E_MEASURE_VCPU_TYPE,
                                "snp.vcpu_type: family 0x%x model 0x%x stepping 0x%x is no "
                                "SEV-SNP EPYC (family 0x17..0x1a)", family, model, stepping);
    /* CPUID Fn0000_0001 EAX: base family 0xF plus the extended family. */
    l->vcpu_sig = (family - 0xF) << 20 | (model >> 4) << 16 | 0xF << 8 | (model & 0xF) << 4 |
                  stepping;
    l->has_vcpu_sig = true;
    return ATTEST_OK;
}

int attest_snp_launch_set_vcpu_type(attest_snp_launch *l, const char *name)
{
    attest_clear_error();
    if (!l || !name)
        return NULL_ARG("attest_snp_launch_set_vcpu_type");
    for (size_t i = 0; i < sizeof(VCPU_TYPES) / sizeof(VCPU_TYPES[0]); i++)
        if (!strcmp(name, VCPU_TYPES[i].name))
            return attest_snp_launch_set_vcpu_family(l, VCPU_TYPES[i].family,
                                                     VCPU_TYPES[i].model, VCPU_TYPES[i].stepping);
    return attest_set_error(ATTEST_E_MEASURE_VCPU_TYPE,
                            "snp.vcpu_type: \"%.64s\" unknown (EPYC, EPYC-v1..v4, EPYC-IBPB, "
                            "EPYC-Rome, EPYC-Milan, EPYC-Genoa, EPYC-Turin)", name);
}

int attest_snp_launch_set_vmm(attest_snp_launch *l, int vmm)
{
    attest_clear_error();
    if (!l)
        return NULL_ARG("attest_snp_launch_set_vmm");
    if (vmm != ATTEST_VMM_QEMU && vmm != ATTEST_VMM_EC2 && vmm != ATTEST_VMM_GCE &&
        vmm != ATTEST_VMM_EC2_RDX0)
        return attest_set_error(ATTEST_E_MEASURE_VMM, "snp.vmm: %d unknown", vmm);
    l->vmm = vmm;
    return ATTEST_OK;
}

int attest_snp_launch_set_guest_features(attest_snp_launch *l, uint64_t features)
{
    attest_clear_error();
    if (!l)
        return NULL_ARG("attest_snp_launch_set_guest_features");
    if (!(features & 1))
        return attest_set_error(ATTEST_E_MEASURE_GUEST_FEATURES,
                                "snp.guest_features: 0x%llx lacks SNPActive (bit 0)",
                                (unsigned long long)features);
    l->guest_features = features;
    return ATTEST_OK;
}

/* The kernel-hashes page: one page of type 0x10 holding the table's GPA,
 * with room for the padded table after its offset. */
static int check_kernel_hashes(const attest_snp_launch *l)
{
    if (!l->has_kernel)
        return ATTEST_OK;
    for (size_t i = 0; i < l->section_count; i++) {
        const attest_sev_section *s = &l->sections[i];
        if (s->type != ATTEST_SEV_KERNEL_HASHES)
            continue;
        if (s->size != ATTEST_OVMF_PAGE || !l->has_hashes_gpa ||
            (l->hashes_gpa & ~(ATTEST_OVMF_PAGE - 1)) != s->gpa ||
            (l->hashes_gpa & (ATTEST_OVMF_PAGE - 1)) >
                ATTEST_OVMF_PAGE - ATTEST_SNP_HASHES_TABLE_PADDED)
            return attest_set_error(ATTEST_E_MEASURE_KERNEL_HASHES,
                                    "snp.kernel_hashes: table GPA %s0x%x not inside the "
                                    "one-page section 0x%x+0x%x", l->has_hashes_gpa ? "" : "(none) ",
                                    l->hashes_gpa, s->gpa, s->size);
        return ATTEST_OK;
    }
    return attest_set_error(ATTEST_E_MEASURE_KERNEL_HASHES,
                            "snp.kernel_hashes: a kernel is given but the firmware metadata has "
                            "no SNP_KERNEL_HASHES section: it would boot it unmeasured");
}

static int check_launch(const attest_snp_launch *l)
{
    if (!l->has_ovmf_hash)
        return attest_set_error(ATTEST_E_MEASURE_INPUT_MISSING,
                                "snp.ovmf: neither an OVMF image nor its hash given");
    if (l->vcpus == 0)
        return attest_set_error(ATTEST_E_MEASURE_VCPUS, "snp.vcpus: not set");
    if (l->has_svsm) /* every vCPU enters the SVSM: no AP reset EIP */
        return l->has_vcpu_sig ? attest_snp_svsm_check(l)
                               : attest_set_error(ATTEST_E_MEASURE_VCPU_TYPE,
                                                  "snp.vcpu_type: QEMU needs the vCPU type");
    if (l->vcpus > 1 && !l->has_reset_eip)
        return attest_set_error(ATTEST_E_MEASURE_INPUT_MISSING,
                                "snp.reset_eip: %u vCPUs and no AP reset EIP (SEV-ES reset "
                                "block)", l->vcpus);
    int st = attest_sev_sections_total_check(l->sections, l->section_count);
    if (st != ATTEST_OK)
        return st;
    bool fixed_rdx = l->vmm != ATTEST_VMM_QEMU;
    if (fixed_rdx == l->has_vcpu_sig)
        return attest_set_error(ATTEST_E_MEASURE_VCPU_TYPE,
                                fixed_rdx ? "snp.vcpu_type: given, but this VMM's VMSA does "
                                            "not depend on it (fixed RDX): refused"
                                          : "snp.vcpu_type: QEMU needs the vCPU type");
    return check_kernel_hashes(l);
}

int attest_measure_snp(uint8_t digest[48], const attest_snp_launch *l)
{
    attest_clear_error();
    if (!digest || !l)
        return NULL_ARG("attest_measure_snp");
    int st = check_launch(l);
    if (st != ATTEST_OK)
        return st;
    uint8_t ld[48];
    memcpy(ld, l->ovmf_hash, 48);
    if ((l->has_svsm ? attest_snp_ld_svsm(ld, l) : attest_snp_ld_sections(ld, l)) ||
        attest_snp_ld_vmsas(ld, l))
        return attest_set_error(ATTEST_E_INTERNAL, "snp.measurement: SHA-384 failed");
    memcpy(digest, ld, 48);
    return ATTEST_OK;
}
