"""One Verifier shared by threads, with the GIL released while the C
library verifies, so Python threads verify in parallel.

The proof is deterministic, not a timing ratio: with the switch interval
set far beyond the test's length, the interpreter never takes the GIL
from a thread; a thread gives it up only where it blocks, and a ctypes
CDLL call is such a place. So two threads' verify() calls can overlap in
time only if the GIL is released during the C call. The control binds the
same function through ctypes.PyDLL (the GIL held) and must see no
overlap: the test can tell the two apart."""
import ctypes
import sys
import threading
import time

import libattest as la
from libattest import _native

THREADS = 2
CALLS = 100


def overlapping_pairs(intervals):
    """Pairs of calls from different threads whose [start, end] overlap."""
    n = 0
    intervals = sorted(intervals, key=lambda x: x[1])
    for i, (ti, si, ei) in enumerate(intervals):
        for tj, sj, ej in intervals[i + 1:]:
            n += ti != tj and si < ej and sj < ei
    return n


def run_threads(call):
    """Each thread makes CALLS calls after a barrier; returns the results."""
    barrier = threading.Barrier(THREADS)
    results = []

    def worker():
        barrier.wait()
        results.extend([call() for _ in range(CALLS)])

    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        threads = [threading.Thread(target=worker) for _ in range(THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(old)
    return results


def timed(fn, intervals, lock):
    """fn with the wall time of each call recorded, right around it: no
    bytecode between the timestamps and the C call can give the GIL away."""
    def call(*args):
        start = time.perf_counter_ns()
        status = fn(*args)
        end = time.perf_counter_ns()
        with lock:
            intervals.append((threading.get_ident(), start, end))
        return status
    return call


def verify_in_threads(monkeypatch, attest_verify, verifier, report, collateral):
    """THREADS threads verify CALLS times each through Verifier.verify, with
    `attest_verify` as the C function; returns the C calls' intervals."""
    intervals, lock = [], threading.Lock()
    monkeypatch.setattr(_native.C, "attest_verify", timed(attest_verify, intervals, lock))
    with la.Evidence(report) as ev, la.Collateral(collateral) as coll:
        def call():
            with verifier.verify(ev, coll) as r:
                return r.accepted
        results = run_threads(call)
    assert len(results) == THREADS * CALLS and all(results)
    return intervals


def test_shared_verifier_verifies_in_parallel(monkeypatch, snp_verifier, snp_report,
                                              snp_collateral):
    intervals = verify_in_threads(monkeypatch, _native.C.attest_verify, snp_verifier,
                                  snp_report, snp_collateral)
    assert overlapping_pairs(intervals) > 0, "attest_verify calls never overlapped: GIL held?"


def test_control_gil_held_never_overlaps(monkeypatch, snp_verifier, snp_report,
                                         snp_collateral):
    """attest_verify bound through PyDLL, which keeps the GIL: no overlap,
    so the test above can tell a released GIL from a held one."""
    held = ctypes.PyDLL(_native.lib._name).attest_verify
    held.restype, held.argtypes = _native.C.attest_verify.restype, _native.C.attest_verify.argtypes
    intervals = verify_in_threads(monkeypatch, held, snp_verifier, snp_report, snp_collateral)
    assert overlapping_pairs(intervals) == 0
