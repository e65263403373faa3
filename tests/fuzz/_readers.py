"""Every fuzzed reader by name (see ``_case`` for the outcomes and the verdicts)."""

from __future__ import annotations

from tests.fuzz._case import Reader, frame
from tests.fuzz._readers_cache import (
    judge_unverified,
    judge_verified,
    judge_verify_all,
    prepare_atomic,
    prepare_cache,
    run_atomic,
    run_cache_get,
    run_verify_all,
)
from tests.fuzz._readers_inputs import (
    FILE_FORMATS,
    judge_file_provider,
    judge_load_config,
    prepare_config,
    prepare_files,
    run_file_provider,
    run_load_config,
)
from tests.fuzz._readers_runs import (
    judge_reproduce,
    judge_sweep,
    prepare_runs,
    prepare_sweep,
    run_reproduce,
    run_self_test,
    run_sweep_resume,
)

__all__ = ["READERS", "SELF_TEST"]

READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        *(
            Reader(
                f"atomic_read-verified-{fmt}",
                240,
                prepare_atomic(fmt, checksum=True),
                run_atomic(verify=True),
                judge_verified,
            )
            for fmt in ("ipc", "parquet")
        ),
        *(
            Reader(
                f"atomic_read-unverified-{fmt}",
                240,
                prepare_atomic(fmt, checksum=False),
                run_atomic(verify=False),
                judge_unverified,
            )
            for fmt in ("ipc", "parquet")
        ),
        Reader(
            "OhlcvCache.get",
            200,
            prepare_cache,
            run_cache_get,
            judge_verified,
        ),
        Reader("OhlcvCache.verify_all", 200, prepare_cache, run_verify_all, judge_verify_all),
        *(
            Reader(
                f"FileProvider-{fmt}",
                200,
                prepare_files,
                run_file_provider(fmt),
                judge_file_provider,
            )
            for fmt in FILE_FORMATS
        ),
        Reader("load_config", 200, prepare_config, run_load_config, judge_load_config),
        Reader("reproduce", 200, prepare_runs("run"), run_reproduce, judge_reproduce),
        Reader("reproduce-sweep", 200, prepare_runs("sweep"), run_reproduce, judge_reproduce),
        Reader("sweep-resume", 200, prepare_sweep, run_sweep_resume, judge_sweep),
    )
}
#: Not a reader: checks that the harness records a crash and resumes after it.
SELF_TEST = Reader("self-test-crash", 4, lambda root: frame(0, rows=3), run_self_test, judge_sweep)
