"""read_ohlcv of an IPC file holds its own copy: rewriting the file in place cannot crash it."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from peak_trade.data.providers.synthetic import synthetic_ohlcv

CHILD = textwrap.dedent(
    """
    import sys
    from peak_trade.data.reader import read_ohlcv

    path = sys.argv[1]
    frame = read_ohlcv(path)
    before = frame["close"].to_list()
    with open(path, "r+b") as fh:
        fh.truncate(0)  # a re-download that truncates the file in place
    print(frame["close"].to_list() == before)
    """
)


@pytest.mark.smoke
def test_a_frame_read_from_ipc_survives_its_file_being_truncated(tmp_path: Path):
    """Over a map of the file the child would die of SIGBUS (exit -7), not print."""
    path = tmp_path / "bars.arrow"
    synthetic_ohlcv(200_000, seed=1).write_ipc(path)
    src = str(Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": src},
        check=False,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr[-2000:]
