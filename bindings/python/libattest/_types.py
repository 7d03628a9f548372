"""The C enums of include/attest.h as IntEnums, and the small dataclasses
results and needs are read into."""
from __future__ import annotations

import ctypes
import enum
from dataclasses import dataclass
from typing import Dict

from ._native import C, check, text


class Format(enum.IntEnum):
    """attest_format: what attest_evidence_parse detected."""
    UNKNOWN = 0
    SNP_REPORT = 1
    DCAP_QUOTE = 2
    NVIDIA = 3
    BUNDLE = 4
    AZURE_VTPM = 5


class ItemKind(enum.IntEnum):
    """attest_item_kind: what attest_classify says bytes are."""
    UNKNOWN = 0
    EVIDENCE_SNP = 1
    EVIDENCE_DCAP = 2
    EVIDENCE_NVIDIA = 3
    BUNDLE = 4
    EVIDENCE_AZURE = 5
    CERTIFICATES = 16
    CRL = 17
    TCB_INFO = 18
    QE_IDENTITY = 19
    RIM = 20
    OCSP = 21
    THIM = 22               # newer libraries: Azure THIM JSON
    DCAP_COLLATERAL = 23    # newer libraries: dcap-qvl collateral JSON
    CCEL_TABLE = 24         # newer libraries: event logs (docs/eventlog.md)
    CCEL_LOG = 25
    TCG_LOG = 26
    DSTACK_LOG = 27
    AAEL_LOG = 28
    NRAS_RESULT = 29        # newer libraries: NVIDIA NRAS result (docs/results.md)
    KEYSET = 30             # newer libraries: JWKS verifying it

    @property
    def label(self) -> str:
        """The library's short name ("snp-report", "tcb-info")."""
        return text(C.attest_item_kind_name(int(self)))

    @property
    def is_evidence(self) -> bool:
        return 1 <= self <= 15


class ResultKind(enum.IntEnum):
    """ATTEST_RESULT_*: which verifier issued a result token (docs/results.md)."""
    NRAS = 1    # NVIDIA NRAS /v3/attest/gpu response, ES384
    ITA = 2     # Intel Trust Authority TDX token, PS384
    MAA = 3     # Azure Attestation SGX token, RS256; issuer required


ATTEST_RESULT_ALLOW_RS256 = 0x100   # or'ed with ITA by verify_result_token(allow_rs256=True)


class RatlsRule(enum.IntEnum):
    """attest_ratls_rule: how a TLS peer's key is bound into REPORT_DATA
    (docs/ratls.md). Named by the caller, never guessed from the evidence."""
    SPKI_SHA256 = 1        # Gramine / Intel legacy SGX, Open Enclave (EGo), Steward SGX CSR
    CLAIMS_SHA256 = 2      # TCG DICE tagged evidence (CCC interoperable RA-TLS)
    CSR_SPKI_SHA384 = 3    # Enarx Steward SNP CSR
    OE_PEM_SHA256 = 4      # Open Enclave
    TINFOIL = 5            # fetched evidence: verify_tls_fetched
    NEARAI = 6             # fetched evidence: verify_tls_fetched

    @property
    def label(self) -> str:
        """The library's name ("claims-sha256"), as `attest verify --binding` takes it."""
        return text(C.attest_ratls_rule_name(int(self)))

    @classmethod
    def parse(cls, name: str) -> "RatlsRule":
        """The rule of that name (attest_ratls_rule_parse); AttestError
        ATTEST_E_INVALID_ARG for an unknown one."""
        if not isinstance(name, str):
            raise TypeError("rule name: str expected, not %s" % type(name).__name__)
        if "\0" in name:
            raise ValueError("rule name: holds a NUL character")
        out = ctypes.c_int()
        check(C.attest_ratls_rule_parse(ctypes.byref(out), name.encode()))
        return cls(out.value)


class TdxOrder(enum.IntEnum):
    """attest_tdx_order: how the VMM orders the TDX page-add and extend operations."""
    SINGLE_PASS = 0   # page by page (QEMU >= 9.0)
    TWO_PASS = 1      # per section (QEMU 8.x TDX patches)


class Vmm(enum.IntEnum):
    """attest_vmm: the VMM that launches an SEV-SNP guest (docs/measure.md)."""
    QEMU = 0
    EC2 = 1           # AWS EC2, VMSA RDX 0x600
    GCE = 2           # Google Compute Engine
    EC2_RDX0 = 3      # AWS EC2, VMSA RDX 0 (older tools)


class SevSection(enum.IntEnum):
    """attest_sev_section_type: an OVMF SEV metadata section type."""
    SEC_MEM = 1
    SECRETS = 2
    CPUID = 3
    SVSM_CAA = 4
    KERNEL_HASHES = 16


class NeedKind(enum.IntEnum):
    """attest_need_kind: one item of collateral a verification needs."""
    NOT_FETCHABLE = 0
    AMD_VCEK = 1
    AMD_CERT_CHAIN = 2
    AMD_CRL = 3
    INTEL_TCB_INFO = 4
    INTEL_QE_IDENTITY = 5
    INTEL_PCK_CRL = 6
    INTEL_ROOT_CA_CRL = 7
    NVIDIA_RIM = 8
    NVIDIA_OCSP = 9
    NRAS_JWKS = 10          # newer libraries: the key set of an NRAS result

    @property
    def label(self) -> str:
        """The library's short name ("amd-vcek", "nvidia-ocsp")."""
        return text(C.attest_need_kind_name(int(self)))


class Vendor(enum.IntEnum):
    """attest_vendor: whose trust anchors."""
    AMD = 1
    INTEL = 2
    NVIDIA_DEVICE = 3
    NVIDIA_RIM = 4
    AZURE_VTPM = 5


class PartKind(enum.IntEnum):
    """attest_part_kind: the pieces of Azure CVM evidence."""
    HCL_REPORT = 1
    TPM_QUOTE = 2
    TPM_SIGNATURE = 3
    TPM_PCRS = 4
    TD_QUOTE = 5


class Service(enum.IntEnum):
    """attest_service: what Fetcher.set_service points elsewhere."""
    AMD_KDS = 0
    INTEL_PCS = 1
    INTEL_PCCS = 2
    INTEL_ROOT_CA_CRL = 3
    NVIDIA_RIM = 4
    NVIDIA_OCSP = 5
    AZURE_THIM = 6          # newer libraries: Azure THIM (the whole URL)
    NVIDIA_NRAS = 7         # newer libraries: NRAS (its JWKS for NRAS results)


class TcbUpdate(enum.IntEnum):
    """attest_tcb_update: the TCB evaluation asked of Intel."""
    DEFAULT = 0
    STANDARD = 1
    EARLY = 2


class Verdict(enum.IntEnum):
    REJECTED = 0
    ACCEPTED = 1


class CheckOutcome(enum.IntEnum):
    PASS = 0
    FAIL = 1
    SKIPPED = 2


# attest_service by the names of `attest verify --online`'s options.
SERVICES = {"amd-kds": Service.AMD_KDS, "intel-pcs": Service.INTEL_PCS,
            "intel-pccs": Service.INTEL_PCCS, "intel-root-ca-crl": Service.INTEL_ROOT_CA_CRL,
            "nvidia-rim": Service.NVIDIA_RIM, "nvidia-ocsp": Service.NVIDIA_OCSP,
            "azure-thim": Service.AZURE_THIM, "nvidia-nras": Service.NVIDIA_NRAS}


@dataclass(frozen=True)
class Check:
    """One check of a result, in the order the checks ran."""
    name: str              # "snp.report.signature"
    outcome: CheckOutcome
    status: str            # enum name of its code, "ATTEST_OK" unless it failed
    status_code: int
    detail: str


@dataclass(frozen=True)
class Need:
    """One item verifying some evidence still needs (attest_needs_*)."""
    kind: NeedKind
    method: str            # "GET", "POST"; "" when not fetchable
    url: str               # at the vendor's default service; "" when not fetchable
    subject: str           # for OCSP, the certificate ("CN=..., serial=..."); else ""
    reason: str            # the device and check that need it

    def to_dict(self) -> Dict[str, str]:
        """The item as attest_needs_to_json writes it."""
        d = {"kind": self.kind.label, "method": self.method, "url": self.url,
             "reason": self.reason}
        if self.subject:
            d["subject"] = self.subject
        return d
