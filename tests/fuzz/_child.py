"""A child process that runs batches of fuzz cases, one reader after another.

``python -m tests.fuzz._child RESULTS SCRATCH NAME:START:STOP [...]`` prepares
each reader's pristine files under the SCRATCH directory (the parent's, which
it removes even when the child dies), then for each case writes
``{"reader": NAME, "start": i}`` to RESULTS before calling the reader and the
case's record after it, each line flushed at once. If the process dies (a
signal), the parent finds the case it died in as the last ``start`` without a
record.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

SEED = 20261202


def main(argv: list[str]) -> int:
    from tests.fuzz._readers import READERS, SELF_TEST

    fd = os.open(argv[0], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def emit(record: dict[str, object]) -> None:
        os.write(fd, (json.dumps(record) + "\n").encode("utf-8"))

    for spec in argv[2:]:
        name, start, stop = spec.rsplit(":", 2)
        reader = SELF_TEST if name == SELF_TEST.name else READERS[name]
        with tempfile.TemporaryDirectory(prefix=f"{name}-", dir=argv[1]) as tmp:
            root = Path(tmp)
            (root / "pristine").mkdir()
            state = reader.prepare(root / "pristine")
            work = root / "work"
            for i in range(int(start), int(stop)):
                emit({"reader": name, "start": i})
                shutil.rmtree(work, ignore_errors=True)
                rng = random.Random(f"{SEED}:{name}:{i}")
                target, kind, outcome = reader.run(i, rng, state, work)
                record = {"case": i, "target": target, "kind": kind, "outcome": outcome}
                emit({"reader": name, **record})
    os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
