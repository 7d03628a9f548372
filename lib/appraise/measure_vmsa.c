/* VMSA pages of an SEV-SNP launch (research/reference-values.md 2.4): the
 * initial register state of each vCPU as the VMM sets it, per AMD APM
 * vol. 2 table B-4. QEMU, EC2 and GCE differ in a few registers; every
 * difference is listed in docs/measure.md with where it comes from. */
#include "measure_snp.h"

#include <string.h>

#define BSP_EIP 0xFFFFFFF0u

/* VMSA offsets (APM vol. 2 table B-4). */
#define OFF_ES 0x00
#define OFF_CS 0x10
#define OFF_SS 0x20
#define OFF_DS 0x30
#define OFF_FS 0x40
#define OFF_GS 0x50
#define OFF_GDTR 0x60
#define OFF_LDTR 0x70
#define OFF_IDTR 0x80
#define OFF_TR 0x90
#define OFF_EFER 0xD0
#define OFF_CR4 0x148
#define OFF_CR0 0x158
#define OFF_DR7 0x160
#define OFF_DR6 0x168
#define OFF_RFLAGS 0x170
#define OFF_RIP 0x178
#define OFF_G_PAT 0x268
#define OFF_RDX 0x310
#define OFF_SEV_FEATURES 0x3B0
#define OFF_XCR0 0x3E8
#define OFF_MXCSR 0x408
#define OFF_X87_FCW 0x410

static void put(uint8_t *p, size_t off, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[off + i] = (uint8_t)(v >> (8 * i));
}

static void seg(uint8_t *p, size_t off, uint16_t sel, uint16_t attr, uint32_t limit,
                uint64_t base)
{
    put(p, off, sel, 2);
    put(p, off + 2, attr, 2);
    put(p, off + 4, limit, 4);
    put(p, off + 8, base, 8);
}

/* The registers in which the VMMs differ. */
typedef struct vmm_regs {
    uint16_t cs_attr, ss_attr, tr_attr;
    uint64_t rdx, g_pat;
    uint32_t mxcsr;
    uint16_t fcw;
} vmm_regs;

static vmm_regs regs_for(const attest_snp_launch *l, uint32_t eip)
{
    vmm_regs r = {0x9B, 0x93, 0x8B, l->vcpu_sig, 0x0007040600070406ull, 0x1F80, 0x37F};
    switch (l->vmm) {
    case ATTEST_VMM_EC2:
    case ATTEST_VMM_EC2_RDX0:
        r.cs_attr = eip == BSP_EIP ? 0x9A : 0x9B;
        r.ss_attr = 0x92;
        r.tr_attr = 0x83;
        r.rdx = l->vmm == ATTEST_VMM_EC2 ? 0x600 : 0;
        r.mxcsr = 0, r.fcw = 0;
        break;
    case ATTEST_VMM_GCE:
        r.rdx = 0x600;
        r.g_pat = 0x00070106;
        r.mxcsr = 0, r.fcw = 0;
        break;
    default:
        break;
    }
    return r;
}

static void build_vmsa(const attest_snp_launch *l, uint32_t eip, uint8_t p[ATTEST_OVMF_PAGE])
{
    vmm_regs r = regs_for(l, eip);
    memset(p, 0, ATTEST_OVMF_PAGE);
    seg(p, OFF_ES, 0, 0x93, 0xFFFF, 0);
    seg(p, OFF_CS, 0xF000, r.cs_attr, 0xFFFF, eip & 0xFFFF0000u);
    seg(p, OFF_SS, 0, r.ss_attr, 0xFFFF, 0);
    seg(p, OFF_DS, 0, 0x93, 0xFFFF, 0);
    seg(p, OFF_FS, 0, 0x93, 0xFFFF, 0);
    seg(p, OFF_GS, 0, 0x93, 0xFFFF, 0);
    seg(p, OFF_GDTR, 0, 0, 0xFFFF, 0);
    seg(p, OFF_LDTR, 0, 0x82, 0xFFFF, 0);
    seg(p, OFF_IDTR, 0, 0, 0xFFFF, 0);
    seg(p, OFF_TR, 0, r.tr_attr, 0xFFFF, 0);
    put(p, OFF_EFER, 0x1000, 8); /* EFER.SVME, set by KVM */
    put(p, OFF_CR4, 0x40, 8);    /* CR4.MCE */
    put(p, OFF_CR0, 0x10, 8);
    put(p, OFF_DR7, 0x400, 8);
    put(p, OFF_DR6, 0xFFFF0FF0, 8);
    put(p, OFF_RFLAGS, 0x2, 8);
    put(p, OFF_RIP, eip & 0xFFFF, 8);
    put(p, OFF_G_PAT, r.g_pat, 8);
    put(p, OFF_RDX, r.rdx, 8);
    put(p, OFF_SEV_FEATURES, l->guest_features, 8);
    put(p, OFF_XCR0, 0x1, 8);
    put(p, OFF_MXCSR, r.mxcsr, 4);
    put(p, OFF_X87_FCW, r.fcw, 2);
}

/* COCONUT-SVSM (QEMU, coconut-svsm/qemu target/i386/sev.c): every vCPU
 * starts in the SVSM's 32-bit protected mode, flat segments, at its entry
 * point. FCW 0, not QEMU's 0x37F: only FCW 0 reproduces S03. */
static void build_svsm_vmsa(const attest_snp_launch *l, uint8_t p[ATTEST_OVMF_PAGE])
{
    memset(p, 0, ATTEST_OVMF_PAGE);
    seg(p, OFF_ES, 16, 0xC93, 0xFFFFFFFF, 0);
    seg(p, OFF_CS, 8, 0xC9B, 0xFFFFFFFF, 0);
    seg(p, OFF_SS, 16, 0xC93, 0xFFFFFFFF, 0);
    seg(p, OFF_DS, 16, 0xC93, 0xFFFFFFFF, 0);
    seg(p, OFF_FS, 16, 0xC93, 0xFFFFFFFF, 0);
    seg(p, OFF_GS, 0, 0x93, 0xFFFF, 0);
    seg(p, OFF_GDTR, 0, 0, 0xFFFF, 0);
    seg(p, OFF_LDTR, 0, 0x82, 0xFFFF, 0);
    seg(p, OFF_IDTR, 0, 0, 0xFFFF, 0);
    seg(p, OFF_TR, 0, 0x8B, 0xFFFF, 0);
    put(p, OFF_EFER, 0x1000, 8);
    put(p, OFF_CR4, 0x40, 8);
    put(p, OFF_CR0, 0x11, 8); /* CR0.PE: protected mode */
    put(p, OFF_DR7, 0x400, 8);
    put(p, OFF_DR6, 0xFFFF0FF0, 8);
    put(p, OFF_RFLAGS, 0x2, 8);
    put(p, OFF_RIP, (uint64_t)attest_snp_svsm_gpa(l) + l->svsm_entry, 8);
    put(p, OFF_G_PAT, 0x0007040600070406ull, 8);
    put(p, OFF_RDX, l->vcpu_sig, 8);
    put(p, OFF_SEV_FEATURES, l->guest_features, 8);
    put(p, OFF_XCR0, 0x1, 8);
    put(p, OFF_MXCSR, 0x1F80, 4);
    put(p, OFF_X87_FCW, 0, 2);
}

int attest_snp_ld_vmsas(uint8_t ld[48], const attest_snp_launch *l)
{
    uint8_t bsp[ATTEST_OVMF_PAGE], ap[ATTEST_OVMF_PAGE];
    if (l->has_svsm)
        build_svsm_vmsa(l, bsp), memcpy(ap, bsp, sizeof(ap));
    else
        build_vmsa(l, BSP_EIP, bsp), build_vmsa(l, l->reset_eip, ap);
    for (unsigned i = 0; i < l->vcpus; i++)
        if (attest_snp_ld_vmsa_page(ld, i == 0 ? bsp : ap))
            return -1;
    return 0;
}
