/* The SEV-SNP launch inputs (attest_snp_launch) and the steps of the
 * launch digest, shared by measure_snp.c (page updates), measure_vmsa.c
 * (VMSA pages, vCPU types) and measure_snp_launch.c (the public builder). */
#ifndef ATTEST_MEASURE_SNP_H
#define ATTEST_MEASURE_SNP_H

#include "../parse/ovmf.h"

#define ATTEST_SNP_VCPUS_MAX 1024u
#define ATTEST_SNP_HASHES_TABLE_LEN 168u /* header + 3 entries, before padding */
#define ATTEST_SNP_HASHES_TABLE_PADDED 176u

struct attest_snp_launch {
    bool has_ovmf_hash;
    uint8_t ovmf_hash[48];          /* LD after the image's pages */
    attest_sev_section sections[ATTEST_OVMF_MAX_SECTIONS];
    size_t section_count;
    bool has_reset_eip;
    uint32_t reset_eip;             /* APs' first instruction (SEV-ES reset block) */
    bool has_hashes_gpa;
    uint32_t hashes_gpa;            /* where QEMU writes the kernel-hashes table */
    bool has_kernel;
    uint8_t kernel_sha256[32], initrd_sha256[32], cmdline_sha256[32];
    unsigned vcpus;
    bool has_vcpu_sig;
    uint32_t vcpu_sig;              /* CPUID 1 EAX of the vCPU type */
    int vmm;                        /* attest_vmm */
    uint64_t guest_features;        /* VMSA SEV_FEATURES */
    size_t ovmf_len;                /* 0: firmware given as its hash */
    /* COCONUT-SVSM mode (measure_svsm.c): the SVSM image's page hashes,
     * its metadata sections (which replace OVMF's) and entry point; it
     * ends where the OVMF image's variable store begins. */
    bool has_svsm;
    uint8_t (*svsm_pages)[48];
    size_t svsm_page_count;
    uint32_t svsm_entry;
    uint64_t ovmf_vars_size;
    attest_sev_section svsm_sections[ATTEST_OVMF_MAX_SECTIONS];
    size_t svsm_section_count;
};

/* LD over the image's pages, mapped to end at 4 GiB (len checked by the
 * caller: whole pages, at most 4 GiB). */
ATTEST_HIDDEN int attest_snp_ovmf_hash(uint8_t ld[48], const uint8_t *img, size_t len);

/* LD over the metadata sections in their order (EC2: CPUID pages last).
 * Returns 0 or -1 (SHA-384 failed). */
ATTEST_HIDDEN int attest_snp_ld_sections(uint8_t ld[48], const attest_snp_launch *l);
ATTEST_HIDDEN int attest_snp_ld_section_list(uint8_t ld[48], const attest_snp_launch *l,
                                             const attest_sev_section *s, size_t n);

/* One NORMAL page update from the page's SHA-384. Returns 0 or -1. */
ATTEST_HIDDEN int attest_snp_ld_normal_hash(uint8_t ld[48], uint64_t gpa, const uint8_t h[48]);

/* SVSM mode: the checks of attest_measure_snp (ATTEST_OK or an error
 * set), the SVSM image's GPA (valid once the checks pass), and its pages
 * then sections into LD (0 or -1). */
ATTEST_HIDDEN int attest_snp_svsm_check(const attest_snp_launch *l);
ATTEST_HIDDEN uint32_t attest_snp_svsm_gpa(const attest_snp_launch *l);
ATTEST_HIDDEN int attest_snp_ld_svsm(uint8_t ld[48], const attest_snp_launch *l);

/* LD over one VMSA page per vCPU, BSP first. Returns 0 or -1. */
ATTEST_HIDDEN int attest_snp_ld_vmsas(uint8_t ld[48], const attest_snp_launch *l);

/* The page update for a VMSA (its SHA-384 at GPA 0xFFFFFFFFF000). */
ATTEST_HIDDEN int attest_snp_ld_vmsa_page(uint8_t ld[48], const uint8_t page[4096]);

#endif
