"""Under ``pytest --travel-to`` the test process and the processes it starts live on one timeline."""
from __future__ import annotations

import subprocess
import sys
import time


def test_a_child_process_reads_the_same_clock_as_the_tests():
    before = time.time()
    child = float(subprocess.run([sys.executable, "-c", "import time; print(repr(time.time()))"],
                                 capture_output=True, text=True, check=True).stdout)
    after = time.time()
    # Bounded by the child's start-up; a process travelling twice was months ahead of its children.
    assert before - 1 <= child <= after + 1
