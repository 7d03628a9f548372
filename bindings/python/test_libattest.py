"""Kept so that `python3 bindings/python/test_libattest.py` still runs the
binding's tests: the pytest suite in tests/ (make check-python runs it too),
with this interpreter's pytest or else Debian's python3 and python3-pytest."""
import os
import subprocess
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests")
ARGS = ["-q", "-p", "no:cacheprovider", TESTS]

try:
    import pytest
except ImportError:
    if sys.executable == "/usr/bin/python3" or not os.path.exists("/usr/bin/python3"):
        sys.exit("pytest is missing: apt-get install python3-pytest (make deps does)")
    sys.exit(subprocess.call(["/usr/bin/python3", "-m", "pytest"] + ARGS))
sys.exit(pytest.main(ARGS))
