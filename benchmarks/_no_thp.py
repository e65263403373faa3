"""Transparent huge pages off (``prctl(PR_SET_THP_DISABLE)``): both sides pay 4 KiB faults.

With THP on (this machine: ``madvise``), numpy's large arrays are backed by 2 MiB
pages when the kernel has them, and a run's first touch of fresh memory is cheap;
when other jobs have fragmented memory it is not. Switching THP off for a process
makes that cost the same in every run: each fresh 4 KiB page is a fault.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import sys
from collections.abc import Callable

PR_SET_THP_DISABLE = 41
PR_GET_THP_DISABLE = 42


def _prctl(option: int, value: int) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    got = int(libc.prctl(option, value, 0, 0, 0))
    if got < 0:
        msg = f"prctl({option}, {value}) failed: errno {ctypes.get_errno()}"
        raise OSError(msg)
    return got


def set_thp_disabled(disabled: bool) -> None:
    """Switch transparent huge pages off (or back on) for this process."""
    _prctl(PR_SET_THP_DISABLE, int(disabled))
    if bool(_prctl(PR_GET_THP_DISABLE, 0)) != disabled:
        msg = "PR_SET_THP_DISABLE did not take effect"
        raise OSError(msg)


def without_thp(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` run with THP off for the call's own faults, then the setting restored."""

    def call() -> object:
        before = bool(_prctl(PR_GET_THP_DISABLE, 0))
        set_thp_disabled(True)
        try:
            return fn()
        finally:
            set_thp_disabled(before)

    return call


_CHILD = """
import sys
from benchmarks._no_thp import set_thp_disabled
set_thp_disabled(True)
print([l.strip() for l in open("/proc/self/status") if l.startswith("THP_enabled")])
from benchmarks.test_engine_bench import pipeline_main
pipeline_main(tuple(int(x) for x in sys.argv[1].split(",")), tuple(sys.argv[2].split(",")))
"""


def nothp_main(sizes: tuple[int, ...], names: tuple[str, ...]) -> None:
    """The ``pipeline`` A B A B comparison in a child process with THP off."""
    args = [",".join(str(s) for s in sizes), ",".join(names)]
    subprocess.run([sys.executable, "-c", _CHILD, *args], check=True)
