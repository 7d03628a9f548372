"""Expected launch measurements (docs/measure.md): the MRTD of a TD and the
launch digest of an SEV-SNP guest, from the firmware and launch
parameters, to pin in a policy. Event logs and TPM quotes with their logs
(docs/eventlog.md)."""
from __future__ import annotations

import ctypes
import json
from typing import Any, Dict, Optional, Union

from . import _native as N
from ._native import C, check
from ._objects import BytesLike, NonceLike, _bytes, _Handle, _strict_hex, c_string, nonce_bytes
from ._types import SevSection, TdxOrder, Vmm


def _unsigned(value: int, bits: int, what: str) -> int:
    """`value` for an unsigned C parameter of `bits` bits: ctypes would
    wrap a larger or negative one into another, valid value."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s: int expected, not %s" % (what, type(value).__name__))
    if not 0 <= value < 2 ** bits:
        raise ValueError("%s: %d is outside 0 .. 2^%d-1" % (what, value, bits))
    return value


def _fixed(data: BytesLike, size: int, what: str) -> bytes:
    raw = _bytes(data, what)
    if len(raw) != size:
        raise ValueError("%s: %d bytes expected, not %d" % (what, size, len(raw)))
    return raw


def measure_tdx(image: BytesLike, order: TdxOrder = TdxOrder.SINGLE_PASS) -> bytes:
    """The 48-byte MRTD of a TD launched from a TDVF / OVMF image (the whole
    .fd file) with the VMM's page order (attest_measure_tdx). AttestError:
    ATTEST_E_MEASURE_IMAGE_SIZE, _NO_METADATA, _METADATA, _SECTION_BOUNDS."""
    raw = _bytes(image, "image")
    out = ctypes.create_string_buffer(48)
    check(C.attest_measure_tdx(out, raw, len(raw), int(TdxOrder(order))))
    return out.raw


class SnpLaunch(_Handle):
    """The inputs of one SEV-SNP launch (attest_snp_launch), set one by one,
    then measure()d. A new launch has no firmware, no vCPUs, VMM QEMU and
    guest features 0x1. Not to be changed while another thread measures it.
    Every setter returns self, so they chain."""
    _free_name = "attest_snp_launch_free"

    def __init__(self) -> None:
        super().__init__()
        check(C.attest_snp_launch_new(ctypes.byref(self._h)))

    def set_ovmf(self, image: BytesLike) -> "SnpLaunch":
        """The firmware as its image: its pages are hashed now; its SEV
        metadata sections, AP reset EIP and kernel-hashes table address
        replace any given before."""
        raw = _bytes(image, "OVMF image")
        check(C.attest_snp_launch_set_ovmf(self._handle, raw, len(raw)))
        return self

    def set_ovmf_hash(self, ovmf_hash: Union[BytesLike, str]) -> "SnpLaunch":
        """The firmware as its published 48-byte hash (bytes or hex); its
        metadata then comes from add_section, set_reset_eip and
        set_hashes_table_gpa."""
        raw = _strict_hex(ovmf_hash, "OVMF hash") if isinstance(ovmf_hash, str) else ovmf_hash
        check(C.attest_snp_launch_set_ovmf_hash(self._handle, _fixed(raw, 48, "OVMF hash")))
        return self

    def add_section(self, gpa: int, size: int, section_type: Union[SevSection, int]) -> "SnpLaunch":
        """Append one SEV metadata section, in the image's order."""
        check(C.attest_snp_launch_add_section(self._handle, _unsigned(gpa, 32, "gpa"),
                                              _unsigned(size, 32, "size"),
                                              _unsigned(int(section_type), 32, "section type")))
        return self

    def set_reset_eip(self, eip: int) -> "SnpLaunch":
        check(C.attest_snp_launch_set_reset_eip(self._handle, _unsigned(eip, 32, "reset EIP")))
        return self

    def set_hashes_table_gpa(self, gpa: int) -> "SnpLaunch":
        check(C.attest_snp_launch_set_hashes_table_gpa(self._handle,
                                                       _unsigned(gpa, 32, "hashes table GPA")))
        return self

    def set_kernel(self, kernel_sha256: BytesLike, initrd_sha256: BytesLike,
                   cmdline: Optional[str] = None) -> "SnpLaunch":
        """Measured direct boot: the SHA-256 of the kernel and initrd files
        (of no bytes without an initrd) and the command line (None: empty)."""
        check(C.attest_snp_launch_set_kernel(
            self._handle, _fixed(kernel_sha256, 32, "kernel SHA-256"),
            _fixed(initrd_sha256, 32, "initrd SHA-256"),
            None if cmdline is None else c_string(cmdline, "command line")))
        return self

    def set_vcpus(self, count: int) -> "SnpLaunch":
        """1..1024 (else ATTEST_E_MEASURE_VCPUS)."""
        check(C.attest_snp_launch_set_vcpus(self._handle, _unsigned(count, 32, "vCPU count")))
        return self

    def set_vcpu_type(self, name: str) -> "SnpLaunch":
        """A QEMU -cpu name ("EPYC-v4", "EPYC-Milan", ...)."""
        check(C.attest_snp_launch_set_vcpu_type(self._handle, c_string(name, "vCPU type")))
        return self

    def set_vcpu_family(self, family: int, model: int, stepping: int) -> "SnpLaunch":
        check(C.attest_snp_launch_set_vcpu_family(self._handle, _unsigned(family, 32, "family"),
                                                  _unsigned(model, 32, "model"),
                                                  _unsigned(stepping, 32, "stepping")))
        return self

    def set_vmm(self, vmm: Vmm) -> "SnpLaunch":
        check(C.attest_snp_launch_set_vmm(self._handle, int(Vmm(vmm))))
        return self

    def set_guest_features(self, features: int) -> "SnpLaunch":
        """The VMSA SEV_FEATURES; bit 0 (SNPActive) required."""
        check(C.attest_snp_launch_set_guest_features(self._handle,
                                                     _unsigned(features, 64, "guest features")))
        return self

    def set_svsm(self, image: BytesLike, ovmf_vars_size: int) -> "SnpLaunch":
        """COCONUT-SVSM mode (QEMU only): the SVSM image, loaded below the
        OVMF image minus its variable store of ovmf_vars_size bytes."""
        raw = _bytes(image, "SVSM image")
        check(C.attest_snp_launch_set_svsm(self._handle, raw, len(raw),
                                           _unsigned(ovmf_vars_size, 64, "OVMF vars size")))
        return self

    def measure(self) -> bytes:
        """The 48-byte launch digest, the report's MEASUREMENT
        (attest_measure_snp). AttestError: ATTEST_E_MEASURE_INPUT_MISSING,
        _VCPUS, _VCPU_TYPE, _KERNEL_HASHES, ..."""
        out = ctypes.create_string_buffer(48)
        check(C.attest_measure_snp(out, self._handle))
        return out.raw


def eventlog_to_json(data: BytesLike) -> str:
    """An event log item (CCEL table or log, TCG log, dstack or AAEL log) as
    JSON text {kind, log: {...every event...}}, for inspection: nothing is
    verified (attest_eventlog_to_json). ATTEST_E_FORMAT_UNKNOWN when the
    bytes are no event log."""
    raw = _bytes(data, "event log")
    return N.call_string(C.attest_eventlog_to_json, raw, len(raw))


def inspect_eventlog(data: BytesLike) -> Dict[str, Any]:
    """eventlog_to_json(data) decoded."""
    doc: Dict[str, Any] = json.loads(eventlog_to_json(data))
    return doc


def tpm_log_verify(ak_public: BytesLike, quote: BytesLike, signature: BytesLike,
                   pcr_values: BytesLike, event_log: BytesLike,
                   nonce: NonceLike = None) -> None:
    """Verify a TPM 2.0 quote and the TCG log that explains it
    (attest_tpm_log_verify, docs/eventlog.md): the quote (TPMS_ATTEST, one
    PCR bank) signed by the AK (an RSA TPMT_PUBLIC, taken as given: tying
    it to a device is the caller's part), its extraData equal to `nonce`
    (None: it must be empty), `pcr_values` (the selected PCRs' values in
    index order) hashing to pcrDigest, and the log's replay of every PCR it
    extends. Returns None; raises AttestError at the first failure
    (ATTEST_E_TPM_SIGNATURE, _TPM_NONCE, _TPM_PCR_DIGEST,
    ATTEST_E_EVENTLOG_REPLAY "tpm.event_log.pcrN", ...)."""
    parts = [_bytes(ak_public, "AK"), _bytes(quote, "quote"), _bytes(signature, "signature"),
             _bytes(pcr_values, "PCR values"), _bytes(event_log, "event log")]
    n = nonce_bytes(nonce)
    args = []
    for p in parts + [n]:
        args += [p or None, len(p)]
    check(C.attest_tpm_log_verify(*args))
